/*
 * bench_decode.c — what `quan bench decode` measures (bench_decode.h).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "drivers/bench_decode.h"
#include "drivers/dec.h"
#include "drivers/frames.h"
#include "drivers/imgload.h"
#include "util/err.h"
#include "util/tm.h"
#include "util/xmem.h"

static long
rss_kb(void)
{
	FILE *fp = fopen("/proc/self/status", "re");
	char line[256];
	long kb = -1;

	if (fp == NULL)
		return -1;
	while (fgets(line, sizeof line, fp) != NULL)
		if (strncmp(line, "VmRSS:", 6) == 0) {
			char *end;

			kb = strtol(line + 6, &end, 10);
		}
	fclose(fp);
	return kb;
}

/* A QR of payload rendered by qrencode (module px) into *out. */
static int
make_qr(const char *payload, int module, struct img *out, char **why)
{
	char path[] = "/tmp/quan-bench-XXXXXX", *cmd, *cause = NULL;
	int fd = mkstemp(path), rc;

	if (fd < 0)
		return QUAN_EIO;
	close(fd);
	cmd = xasprintf("qrencode -s %d -m 4 -o '%s' '%s'", module, path,
		payload);
	rc = system(cmd);
	free(cmd);
	if (rc != 0) {
		unlink(path);
		*why = xstrdup("qrencode failed (is it installed?)");
		return QUAN_EIO;
	}
	rc = img_load(path, out, &cause);
	unlink(path);
	if (rc != QUAN_OK)
		*why = cause;
	else
		free(cause);
	return rc;
}

/* A camera-like frame: a lighting gradient (90..170) with sensor noise
 * (+-6), the code in the middle (where 0), near the top-left corner
 * (where 1) or absent (qr NULL). */
static uint8_t *
make_frame(const struct img *qr, int w, int h, int where)
{
	uint8_t *f = xmalloc((size_t)w * h);
	uint32_t seed = 12345;
	int x, y, ox, oy;

	for (y = 0; y < h; y++)
		for (x = 0; x < w; x++) {
			seed = seed * 1103515245u + 12345u;
			f[(size_t)y * w + x] = (uint8_t)(90 + 80 * x / w +
				(int)((seed >> 16) % 13) - 6);
		}
	if (qr == NULL)
		return f;
	ox = where ? 16 : (w - qr->w) / 2;
	oy = where ? 16 : (h - qr->h) / 2;
	for (y = 0; y < qr->h && oy + y < h; y++)
		for (x = 0; x < qr->w && ox + x < w; x++)
			f[(size_t)(oy + y) * w + ox + x] =
				qr->px[(size_t)y * qr->w + x];
	return f;
}

static void
count_emit(void *ctx, const struct dec_result *r, uint64_t t)
{
	(void)r;
	(void)t;
	(*(unsigned long *)ctx)++;
}

static void
bench_fps(const struct img *qr, int w, int h, int where, double secs,
	int budget, struct bench_fps_fig *fig)
{
	struct frames *f = NULL;
	uint8_t *frame = make_frame(qr, w, h, where);
	uint64_t t0, t;
	char *cause = NULL;

	memset(fig, 0, sizeof *fig);
	fig->w = w;
	fig->h = h;
	if (frames_new(&f, NULL, budget, &cause) != QUAN_OK) {
		free(cause);
		free(frame);
		return;
	}
	/* frames per second of one core: CPU time, so a shared machine
	 * measures the same work */
	t0 = dec_cpu_us();
	do {
		frames_feed(f, frame, w, h, tm_mono_us(), count_emit,
			&fig->read);
		fig->frames++;
		t = dec_cpu_us();
	} while ((double)(t - t0) < secs * 1e6);
	fig->fps = (double)fig->frames * 1e6 / (double)(t - t0);
	frames_free(f);
	free(frame);
}

int
bench_decode_run(double secs, int budget, unsigned long decodes,
    struct bench_decode_fig *f, char **cause)
{
	struct img qr = {0}, small = {0};
	struct dec *d = NULL;
	struct dec_result res[DEC_MAX_RESULTS];
	unsigned long k;
	uint64_t t0, t1;
	int rc = -1;

	memset(f, 0, sizeof *f);
	*cause = NULL;
	f->budget = budget;
	f->decodes = decodes;
	if (make_qr("CPN:2024-ZX-0042-BENCH-1234567890", 4, &qr,
	    cause) != QUAN_OK ||
	    make_qr("CPN:SMALL-42", 2, &small, cause) != QUAN_OK)
		goto out;
	bench_fps(&qr, 640, 480, 0, secs, budget, &f->f640);
	bench_fps(&qr, 1280, 720, 0, secs, budget, &f->f720);
	bench_fps(&qr, 640, 480, 1, secs, budget, &f->corner);
	bench_fps(NULL, 640, 480, 0, secs, budget, &f->nocode);
	/* memory: many decodes of a small QR with one decoder */
	if (dec_new(&d, "qr", cause) != QUAN_OK)
		goto out;
	f->rss_start_kb = rss_kb();
	t0 = tm_mono_us();
	for (k = 0; k < decodes; k++) {
		f->decodes_ok += dec_frame(d, small.px, small.w, small.h, 0,
		    res, 1) > 0;
		if (k == decodes / 10)
			f->rss_10pct_kb = rss_kb();
	}
	t1 = tm_mono_us();
	f->rss_end_kb = rss_kb();
	f->decode_us = decodes ? (double)(t1 - t0) / (double)decodes : 0.0;
	f->recreated = (unsigned long long)dec_stats(d)->recreated;
	rc = 0;
out:
	dec_free(d);
	free(qr.px);
	free(small.px);
	return rc;
}
