/* frames.c — camera frame pipeline: scale/crop for big frames, two-frame
 * confirmation for EAN/UPC (see frames.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "drivers/frames.h"
#include "util/err.h"
#include "util/xmem.h"

#define PENDING 8
#define BIG_PIXELS (640 * 480 * 3 / 2)
#define MIN_HALF 160

struct pending {
	uint8_t data[EV_CODE_MAX];
	size_t len;
	char sym[16];
	uint64_t t_us;
	int used;
};

struct frames {
	struct dec *dec;
	int budget_ms;
	uint8_t *tmp;
	size_t tcap;
	struct pending p[PENDING];
	size_t pnext;
	uint64_t full_us;  /* running cost of the full-resolution plain scan */
	unsigned long frame_no;
	int skipped;       /* frames in a row without it */
};

int
frames_new(struct frames **out, const char *syms, int budget_ms, char **cause)
{
	struct frames *f = xcalloc(1, sizeof *f);
	int rc;

	if ((rc = dec_new(&f->dec, syms, cause)) != QUAN_OK) {
		free(f);
		*out = NULL;
		return rc;
	}
	f->budget_ms = budget_ms;
	dec_set_resume(f->dec, 1);
	*out = f;
	return QUAN_OK;
}

void
frames_free(struct frames *f)
{
	if (f == NULL)
		return;
	dec_free(f->dec);
	free(f->tmp);
	free(f);
}

const struct dec_stats *
frames_stats(const struct frames *f)
{
	return dec_stats(f->dec);
}

static int
weak(const char *sym)
{
	return strncmp(sym, "EAN-", 4) == 0 || strncmp(sym, "UPC-", 4) == 0 ||
		strncmp(sym, "ISBN", 4) == 0;
}

/* 1 when r was already seen in an earlier frame within the window. */
static int
confirmed(struct frames *f, const struct dec_result *r, uint64_t t)
{
	size_t i;

	for (i = 0; i < PENDING; i++) {
		struct pending *p = &f->p[i];

		if (!p->used || p->len != r->len ||
		    strcmp(p->sym, r->symbology) != 0 ||
		    memcmp(p->data, r->data, r->len) != 0)
			continue;
		if (t > p->t_us && t - p->t_us <= FRAMES_CONFIRM_US) {
			p->t_us = t;
			return 1;
		}
		p->t_us = t;
		return 0;
	}
	f->p[f->pnext].used = 1;
	memcpy(f->p[f->pnext].data, r->data, r->len);
	f->p[f->pnext].len = r->len;
	memcpy(f->p[f->pnext].sym, r->symbology, sizeof f->p[f->pnext].sym);
	f->p[f->pnext].t_us = t;
	f->pnext = (f->pnext + 1) % PENDING;
	return 0;
}

static uint8_t *
tmp(struct frames *f, size_t n)
{
	if (n > f->tcap) {
		free(f->tmp);
		f->tmp = xmalloc(n);
		f->tcap = n;
	}
	return f->tmp;
}

/* 2x2 box downscale of a w x h region (row stride `stride`) into out. */
static void
halve(const uint8_t *in, int stride, int w, int h, uint8_t *out)
{
	int x, y, hw = w / 2, hh = h / 2;

	for (y = 0; y < hh; y++)
		for (x = 0; x < hw; x++) {
			const uint8_t *p = in + (size_t)(2 * y) * stride +
				2 * x;

			out[(size_t)y * hw + x] = (uint8_t)((p[0] + p[1] +
				p[stride] + p[stride + 1] + 2) / 4);
		}
}

/* Full resolution with the budget left; 720p and larger: the centre. */
static size_t
full_step(struct frames *f, const uint8_t *px, int w, int h, uint8_t *b,
	int left, struct dec_result *res)
{
	int cw = w / 2, ch = h / 2, y;

	if ((long)w * h <= BIG_PIXELS)
		return dec_frame(f->dec, px, w, h, left, res, DEC_MAX_RESULTS);
	for (y = 0; y < ch; y++)
		memcpy(b + (size_t)y * cw, px + (size_t)(y + h / 4) * w + w / 4,
			(size_t)cw);
	return dec_frame(f->dec, b, cw, ch, left, res, DEC_MAX_RESULTS);
}

size_t
frames_feed(struct frames *f, const uint8_t *px, int w, int h, uint64_t t_us,
	frames_emit_fn emit, void *ctx)
{
	struct dec_result res[DEC_MAX_RESULTS];
	uint64_t t0 = dec_cpu_us();
	size_t n = 0, i, out = 0;

	if (w >= 2 * MIN_HALF && h >= 2 * MIN_HALF) {
		uint8_t *b = tmp(f, (size_t)w * h);
		/* the inverted (dark mode) look on every other frame */
		int left, inv = (f->frame_no++ & 1) ? 0 : -1;

		/* 1: the centre quarter at half scale (1/16 of the pixels):
		 * where a customer holds the phone; modules of 3+ px survive */
		halve(px + (size_t)(h / 4) * w + w / 4, w, w / 2, h / 2, b);
		n = dec_frame(f->dec, b, w / 4, h / 4, inv, res,
			DEC_MAX_RESULTS);
		/* 2: the whole frame at half scale */
		if (n == 0) {
			halve(px, w, w, h, b);
			n = dec_frame(f->dec, b, w / 2, h / 2, inv, res,
				DEC_MAX_RESULTS);
		}
		/* 3: full resolution (720p and larger: the centre) when its
		 * plain scan fits the frame budget, else on every third
		 * frame: idle frames keep camera speed, and a code held still
		 * is seen at full resolution within 100 ms. The
		 * preprocessing passes fill what is left of the budget and go
		 * on in the next frame (dec_set_resume). */
		left = f->budget_ms - (int)((dec_cpu_us() - t0) / 1000);
		if (n == 0 && ((left > 0 && f->full_us / 1000 <=
		    (uint64_t)left) || f->skipped >= 2)) {
			uint64_t t3;

			f->skipped = 0;
			n = full_step(f, px, w, h, b, left > 0 ? left : 1, res);
			t3 = dec_stats(f->dec)->plain_us;
			f->full_us = f->full_us == 0 ? t3 :
				(f->full_us * 3 + t3) / 4;
		} else if (n == 0) {
			f->skipped++;
		}
	} else {
		n = dec_frame(f->dec, px, w, h, f->budget_ms, res,
			DEC_MAX_RESULTS);
	}
	for (i = 0; i < n; i++) {
		if (weak(res[i].symbology) && !confirmed(f, &res[i], t_us))
			continue;
		emit(ctx, &res[i], t_us);
		out++;
	}
	return out;
}
