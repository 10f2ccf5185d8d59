/*
 * dec.c — ZBar decoding with preprocessing passes (see dec.h). The passes
 * are ordered by what phone screens need most and by cost: inverted (dark
 * mode), contrast stretch (dim screens), half scale (moiré, noise, large
 * frames), adaptive threshold (blur, glare gradients), +-30/45 degree
 * rotations (1-D codes held at an angle; QR needs none) and a 2x
 * pixel-replicating upscale (1-pixel modules) for frames up to VGA. A
 * result counts only when ZBar's own checks pass (QR Reed-Solomon, Code 128
 * check character, EAN check digit with >= 4 scan lines), so preprocessing
 * adds reads, not guesses.
 */
#include <stdio.h>
#include <math.h> /* rotation only: drivers is not money code */
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <zbar.h>

#include "drivers/dec.h"
#include "drivers/scan.h"
#include "util/err.h"
#include "util/xmem.h"

struct dec {
	zbar_image_scanner_t *sc;
	zbar_image_t *img;
	unsigned long since;     /* scans since the scanner was created */
	zbar_symbol_type_t syms[16];
	size_t nsyms;
	uint8_t *w1, *w2, *w3;   /* work buffers */
	size_t wcap;
	uint32_t *integral;
	size_t icap;
	struct dec_stats st;
	int resume;              /* camera: passes go on in the next frame */
	int next_pass;
	int64_t credit;          /* camera: budget saved (+) or owed (-), us */
	uint32_t pass_ns_px[16]; /* running cost of each pass, ns per pixel */
};

static const struct {
	const char *name;
	zbar_symbol_type_t t;
} sym_names[] = {
	{"qr", ZBAR_QRCODE}, {"code128", ZBAR_CODE128}, {"ean13", ZBAR_EAN13},
	{"ean8", ZBAR_EAN8}, {"upca", ZBAR_UPCA}, {"upce", ZBAR_UPCE},
	{"databar", ZBAR_DATABAR}, {"databar-exp", ZBAR_DATABAR_EXP},
	{"code39", ZBAR_CODE39}, {"code93", ZBAR_CODE93}, {"i25", ZBAR_I25},
	{"codabar", ZBAR_CODABAR},
};

static void
scanner_make(struct dec *d)
{
	size_t i;

	if (d->sc != NULL) {
		zbar_image_scanner_destroy(d->sc);
		d->st.recreated++;
	}
	d->sc = zbar_image_scanner_create();
	zbar_image_scanner_set_config(d->sc, 0, ZBAR_CFG_ENABLE, 0);
	for (i = 0; i < d->nsyms; i++)
		zbar_image_scanner_set_config(d->sc, d->syms[i],
			ZBAR_CFG_ENABLE, 1);
	zbar_image_scanner_set_config(d->sc, ZBAR_QRCODE, ZBAR_CFG_BINARY, 1);
	zbar_image_scanner_set_config(d->sc, 0, ZBAR_CFG_POSITION, 0);
	zbar_image_scanner_set_config(d->sc, 0, ZBAR_CFG_X_DENSITY, 1);
	zbar_image_scanner_set_config(d->sc, 0, ZBAR_CFG_Y_DENSITY, 1);
	zbar_image_scanner_enable_cache(d->sc, 0);
	d->since = 0;
}

int
dec_new(struct dec **out, const char *syms, char **cause)
{
	struct dec *d = xcalloc(1, sizeof *d);
	const char *p = syms != NULL ? syms : "qr,code128,ean13,ean8";
	size_t i;

	*out = NULL;
	while (*p != '\0') {
		size_t l = strcspn(p, ",+ ");
		int found = 0;

		for (i = 0; i < sizeof sym_names / sizeof sym_names[0]; i++)
			if (strlen(sym_names[i].name) == l &&
			    strncmp(sym_names[i].name, p, l) == 0 &&
			    d->nsyms < 16) {
				d->syms[d->nsyms++] = sym_names[i].t;
				found = 1;
			}
		if (!found && l > 0) {
			*cause = xasprintf("unknown symbology '%.*s'", (int)l,
				p);
			free(d);
			return QUAN_EINVAL;
		}
		p += l;
		if (*p != '\0')
			p++;
	}
	if (d->nsyms == 0) {
		*cause = xstrdup("no symbology enabled");
		free(d);
		return QUAN_EINVAL;
	}
	zbar_set_verbosity(0);
	scanner_make(d);
	d->img = zbar_image_create();
	zbar_image_set_format(d->img, zbar_fourcc('Y', '8', '0', '0'));
	*out = d;
	return QUAN_OK;
}

void
dec_free(struct dec *d)
{
	if (d == NULL)
		return;
	if (d->img != NULL)
		zbar_image_destroy(d->img);
	if (d->sc != NULL)
		zbar_image_scanner_destroy(d->sc);
	free(d->w1);
	free(d->w2);
	free(d->w3);
	free(d->integral);
	free(d);
}

uint64_t
dec_cpu_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (uint64_t)ts.tv_sec * 1000000ULL + (uint64_t)ts.tv_nsec / 1000;
}

const struct dec_stats *
dec_stats(const struct dec *d)
{
	return &d->st;
}

/* Scan one luma buffer; append new results. */
static size_t
scan_one(struct dec *d, const uint8_t *px, int w, int h, uint32_t flags,
	const char *pass, struct dec_result *out, size_t n, size_t max)
{
	const zbar_symbol_t *s;
	int r;

	if (d->since >= DEC_RECREATE)
		scanner_make(d);
	zbar_image_set_size(d->img, (unsigned)w, (unsigned)h);
	zbar_image_set_data(d->img, px, (unsigned long)w * (unsigned long)h,
		NULL);
	r = zbar_scan_image(d->sc, d->img);
	d->since++;
	d->st.scans++;
	d->st.last_passes++;
	if (r > 0)
		for (s = zbar_image_first_symbol(d->img); s != NULL && n < max;
		    s = zbar_symbol_next(s)) {
			zbar_symbol_type_t t = zbar_symbol_get_type(s);
			unsigned len = zbar_symbol_get_data_length(s);
			const char *data = zbar_symbol_get_data(s);
			size_t i;
			int dup = 0;

			if (len == 0 || len >= EV_CODE_MAX || data == NULL)
				continue;
			for (i = 0; i < n; i++)
				if (out[i].len == len &&
				    memcmp(out[i].data, data, len) == 0)
					dup = 1;
			if (dup)
				continue;
			memset(&out[n], 0, sizeof out[n]);
			snprintf(out[n].symbology, sizeof out[n].symbology,
				"%s", zbar_get_symbol_name(t));
			memcpy(out[n].data, data, len);
			out[n].len = len;
			out[n].gs1 = (zbar_symbol_get_modifiers(s) &
				(1u << ZBAR_MOD_GS1)) != 0;
			out[n].flags = flags;
			out[n].pass = pass;
			n++;
		}
	/* detach our buffer before it changes */
	zbar_image_set_data(d->img, NULL, 0, NULL);
	return n;
}

static void
work_reserve(struct dec *d, size_t n)
{
	if (n <= d->wcap)
		return;
	free(d->w1);
	free(d->w2);
	free(d->w3);
	d->w1 = xmalloc(n);
	d->w2 = xmalloc(n);
	d->w3 = xmalloc(n);
	d->wcap = n;
}

static void
invert(const uint8_t *in, uint8_t *out, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		out[i] = (uint8_t)(255 - in[i]);
}

/* Stretch the 1st..99th percentile to 0..255. Returns 0 when the frame
 * already spans most of the range (nothing to gain). */
static int
stretch(const uint8_t *in, uint8_t *out, size_t n)
{
	size_t hist[256] = {0}, i, acc = 0, cut = n / 100;
	int lo = 0, hi = 255, span;

	for (i = 0; i < n; i++)
		hist[in[i]]++;
	for (lo = 0; lo < 255 && acc + hist[lo] <= cut; lo++)
		acc += hist[lo];
	acc = 0;
	for (hi = 255; hi > 0 && acc + hist[hi] <= cut; hi--)
		acc += hist[hi];
	span = hi - lo;
	if (span <= 0 || span >= 200)
		return 0;
	for (i = 0; i < n; i++) {
		int v = ((int)in[i] - lo) * 255 / span;

		out[i] = (uint8_t)(v < 0 ? 0 : v > 255 ? 255 : v);
	}
	return 1;
}

static void
half(const uint8_t *in, int w, int h, uint8_t *out)
{
	int x, y, w2 = w / 2, h2 = h / 2;

	for (y = 0; y < h2; y++)
		for (x = 0; x < w2; x++) {
			const uint8_t *p = in + (size_t)(2 * y) * w + 2 * x;

			out[(size_t)y * w2 + x] = (uint8_t)((p[0] + p[1] +
				p[w] + p[w + 1] + 2) / 4);
		}
}

/* 2x upscale by pixel replication: keeps module edges sharp, which is
 * what lets ZBar find 1-pixel modules (bilinear blurs them away). */
static void
up2(const uint8_t *in, int w, int h, uint8_t *out)
{
	int x, y, W = 2 * w;

	for (y = 0; y < h; y++) {
		uint8_t *o = out + (size_t)(2 * y) * W;
		const uint8_t *r = in + (size_t)y * w;

		for (x = 0; x < w; x++)
			o[2 * x] = o[2 * x + 1] = r[x];
		memcpy(o + W, o, (size_t)W);
	}
}

/* The integral image of in (w+1 x h+1) in d->integral. */
static const uint32_t *
integral(struct dec *d, const uint8_t *in, int w, int h)
{
	size_t W = (size_t)w + 1, need = W * ((size_t)h + 1);
	uint32_t *I;
	int x, y;

	if (need > d->icap) {
		free(d->integral);
		d->integral = xmalloc(need * sizeof *d->integral);
		d->icap = need;
	}
	I = d->integral;
	memset(I, 0, W * sizeof *I);
	for (y = 0; y < h; y++) {
		uint32_t row = 0;

		I[(size_t)(y + 1) * W] = 0;
		for (x = 0; x < w; x++) {
			row += in[(size_t)y * w + x];
			I[(size_t)(y + 1) * W + x + 1] = I[(size_t)y * W + x +
				1] + row;
		}
	}
	return I;
}

/* The centre w/2 x h/2 of in, scaled 2x with linear interpolation into
 * out (w x h): small codes (held far away) get enough pixels per module
 * for the threshold pass without the cost of upscaling the whole frame. */
static void
centre_up2(const uint8_t *in, int w, int h, uint8_t *out)
{
	int x, y, x0 = w / 4, y0 = h / 4;

	for (y = 0; y < h; y++) {
		int sy = y0 + y / 2, sy1 = sy + 1 < h ? sy + 1 : sy;
		const uint8_t *a = in + (size_t)sy * w, *b = in +
			(size_t)(y & 1 ? sy1 : sy) * w;

		for (x = 0; x < w; x++) {
			int sx = x0 + x / 2, sx1 = (x & 1) && sx + 1 < w ?
				sx + 1 : sx;

			out[(size_t)y * w + x] = (uint8_t)((a[sx] + a[sx1] +
				b[sx] + b[sx1] + 2) / 4);
		}
	}
}

enum { BOX_SHARPEN, BOX_THRESHOLD };

/*
 * A filter against the (2r+1)^2 local mean (integral image):
 * BOX_SHARPEN, an unsharp mask — each pixel pushed away from its mean by
 * amt/4 of the difference, restoring the edge contrast a defocused or
 * shaken camera loses, which ZBar's edge detector needs; BOX_THRESHOLD,
 * an adaptive threshold — black where the pixel is darker than its mean
 * by more than a small margin (blur, glare gradients).
 */
static void
box(struct dec *d, const uint8_t *in, int w, int h, int r, int mode, int amt,
	uint8_t *out)
{
	const uint32_t *I = integral(d, in, w, h);
	size_t W = (size_t)w + 1;
	int x, y;

	for (y = 0; y < h; y++) {
		int y0 = y - r < 0 ? 0 : y - r, y1 = y + r + 1 > h ? h :
			y + r + 1;

		for (x = 0; x < w; x++) {
			int x0 = x - r < 0 ? 0 : x - r, x1 = x + r + 1 > w ? w :
				x + r + 1;
			int sum = (int)(I[(size_t)y1 * W + x1] -
				I[(size_t)y0 * W + x1] -
				I[(size_t)y1 * W + x0] +
				I[(size_t)y0 * W + x0]);
			int cnt = (x1 - x0) * (y1 - y0);
			int p = in[(size_t)y * w + x], v;

			if (mode == BOX_THRESHOLD) {
				out[(size_t)y * w + x] = p * cnt + 3 * cnt <
					sum ? 0 : 255;
				continue;
			}
			v = p + (p * cnt - sum) * amt / (4 * cnt);
			out[(size_t)y * w + x] = (uint8_t)(v < 0 ? 0 : v > 255 ?
				255 : v);
		}
	}
}

static void
sharpen(struct dec *d, const uint8_t *in, int w, int h, int r, int amt,
	uint8_t *out)
{
	box(d, in, w, h, r, BOX_SHARPEN, amt, out);
}

static void
threshold(struct dec *d, const uint8_t *in, int w, int h, int win,
	uint8_t *out)
{
	box(d, in, w, h, win / 2, BOX_THRESHOLD, 0, out);
}

/* Rotate by deg into a square canvas of side s (white background). */
static int
rotate(const uint8_t *in, int w, int h, double deg, uint8_t *out, int s)
{
	double a = deg * 3.14159265358979 / 180.0, c = cos(a), sn = sin(a);
	double cx = w / 2.0, cy = h / 2.0, ox = s / 2.0, oy = s / 2.0;
	int x, y;

	for (y = 0; y < s; y++)
		for (x = 0; x < s; x++) {
			double dx = x - ox, dy = y - oy;
			int sx = (int)(c * dx + sn * dy + cx);
			int sy = (int)(-sn * dx + c * dy + cy);

			int inside = sx >= 0 && sx < w && sy >= 0 && sy < h;

			out[(size_t)y * s + x] = inside ?
				in[(size_t)sy * w + sx] : 255;
		}
	return s;
}

/* The preprocessing passes after the plain scan, in order of what phone
 * screens need most and of cost; each tries the image and, where dark mode
 * can hide a code, its negative. */
enum {
	P_INVERTED, P_STRETCH, P_HALF, P_THRESHOLD, P_HALF_THRESHOLD,
	P_SHARPEN, P_CENTRE_UP2, P_ROT30, P_ROTM30, P_ROT45, P_ROTM45,
	P_ROT15, P_ROTM15, P_UP2, P_N
};

static const double pass_angle[P_N] = {
	[P_ROT30] = 30, [P_ROTM30] = -30, [P_ROT45] = 45, [P_ROTM45] = -45,
	[P_ROT15] = 15, [P_ROTM15] = -15,
};

/* Scan img and, when inv, its negative (into spare, npx bytes). */
static size_t
scan2(struct dec *d, const uint8_t *img, int w, int h, int inv,
	uint8_t *spare, const char *pass, const char *pass_inv,
	struct dec_result *out, size_t max)
{
	size_t n;

	if ((n = scan_one(d, img, w, h, SCAN_F_PREPROC, pass, out, 0, max)) >
	    0 || !inv)
		return n;
	invert(img, spare, (size_t)w * h);
	return scan_one(d, spare, w, h, SCAN_F_PREPROC | SCAN_F_INVERTED,
		pass_inv, out, 0, max);
}

/* Run pass k on the frame (base: stretched when that helped). */
static size_t
run_pass(struct dec *d, int k, const uint8_t *px, const uint8_t *base,
	int w, int h, struct dec_result *out, size_t max)
{
	size_t npx = (size_t)w * (size_t)h;
	int hw = w / 2, hh = h / 2, win, s;

	win = (w < h ? w : h) / 10;
	win = win < 15 ? 15 : win > 61 ? 61 : win;
	win |= 1;
	switch (k) {
	case P_INVERTED:
		invert(px, d->w1, npx);
		return scan_one(d, d->w1, w, h, SCAN_F_INVERTED, "inverted",
			out, 0, max);
	case P_STRETCH:
		return base != px ? scan2(d, base, w, h, 1, d->w1, "stretch",
			"stretch-inv", out, max) : 0;
	case P_HALF:
		if (hw < 64 || hh < 64)
			return 0;
		half(base, w, h, d->w1);
		return scan2(d, d->w1, hw, hh, 1, d->w3, "half", "half-inv",
			out, max);
	case P_THRESHOLD:
		threshold(d, base, w, h, win, d->w1);
		return scan2(d, d->w1, w, h, 1, d->w3, "threshold",
			"threshold-inv", out, max);
	case P_HALF_THRESHOLD:
		if (hw < 64 || hh < 64)
			return 0;
		half(base, w, h, d->w3);
		threshold(d, d->w3, hw, hh, win / 2 | 1, d->w1);
		return scan2(d, d->w1, hw, hh, 0, NULL, "half-threshold", NULL,
			out, max);
	case P_SHARPEN:
		sharpen(d, base, w, h, 2, 8, d->w1);
		return scan2(d, d->w1, w, h, 1, d->w3, "sharpen", "sharpen-inv",
			out, max);
	case P_CENTRE_UP2:
		if (w < 128 || h < 128)
			return 0;
		centre_up2(base, w, h, d->w3);
		threshold(d, d->w3, w, h, win, d->w1);
		return scan2(d, d->w1, w, h, 1, d->w3, "centre-up2-threshold",
			"centre-up2-threshold-inv", out, max);
	case P_UP2:
		if (npx > 640 * 480)
			return 0;
		up2(base, w, h, d->w3);
		return scan_one(d, d->w3, 2 * w, 2 * h, SCAN_F_PREPROC, "up2",
			out, 0, max);
	default: /* rotations */
		s = (int)ceil(sqrt((double)w * w + (double)h * h));
		if ((size_t)s * s > npx * 4 + 16)
			return 0;
		rotate(base, w, h, pass_angle[k], d->w3, s);
		return scan_one(d, d->w3, s, s, SCAN_F_PREPROC, "rotate", out,
			0, max);
	}
}

void
dec_set_resume(struct dec *d, int on)
{
	d->resume = on;
	d->next_pass = 0;
	d->credit = 0;
}

size_t
dec_frame(struct dec *d, const uint8_t *px, int w, int h, int budget_ms,
	struct dec_result *out, size_t max)
{
	uint64_t t0 = dec_cpu_us(), budget, plain_us;
	int64_t avail;
	int skipped;
	size_t npx = (size_t)w * (size_t)h, n;
	const uint8_t *base = px;
	int i, k, first;

	d->st.last_passes = 0;
	if (w <= 0 || h <= 0 || max == 0)
		return 0;
	n = scan_one(d, px, w, h, 0, "plain", out, 0, max);
	d->st.plain_us = dec_cpu_us() - t0;
	if (n > 0 || budget_ms < 0)
		return n;
	work_reserve(d, npx * 4 + 16);
	if (budget_ms == 0) {
		invert(px, d->w1, npx);
		return scan_one(d, d->w1, w, h, SCAN_F_INVERTED, "inverted",
			out, 0, max);
	}
	budget = (uint64_t)budget_ms * 1000;
	plain_us = d->st.plain_us;
	if (stretch(px, d->w2, npx))
		base = d->w2;
	/*
	 * Passes while the budget lasts: one starts only when its usual cost
	 * (running average per pixel, with a quarter to spare) fits what is
	 * left. In resume mode (a camera) the budget a frame did not use is
	 * saved (up to DEC_CREDIT frames' worth) and overspending is paid
	 * back, so a pass that costs more than one frame's remainder runs
	 * every few frames while the frame rate holds on average; and the
	 * next frame goes on with the passes this one could not afford: a
	 * code held in view gets every pass within a few frames.
	 */
	avail = (int64_t)budget + (d->resume ? d->credit : 0);
	first = d->resume ? d->next_pass : 0;
	skipped = -1;
	for (i = 0; i < P_N && n == 0; i++) {
		uint64_t t, est;
		int64_t left;

		k = (first + i) % P_N;
		t = dec_cpu_us();
		left = avail - (int64_t)(t - t0);
		/* a pass not run yet is taken to cost what plain did */
		est = d->pass_ns_px[k] == 0 ? plain_us : (uint64_t)((double)
			d->pass_ns_px[k] * (double)npx / 1e3);
		if (left <= 0 || (int64_t)(est + est / 4) > left) {
			if (skipped < 0)
				skipped = k;
			continue;
		}
		n = run_pass(d, k, px, base, w, h, out, max);
		t = dec_cpu_us() - t;
		d->pass_ns_px[k] = d->pass_ns_px[k] == 0 ?
			(uint32_t)(t * 1000 / npx) :
			(uint32_t)((d->pass_ns_px[k] * 3 + t * 1000 / npx) / 4);
		d->next_pass = skipped >= 0 ? skipped : (k + 1) % P_N;
	}
	if (d->resume) {
		int64_t cap = (int64_t)budget * DEC_CREDIT;

		d->credit += (int64_t)budget - (int64_t)(dec_cpu_us() - t0);
		d->credit = d->credit > cap ? cap : d->credit < -cap ? -cap :
			d->credit;
		if (n > 0)
			d->next_pass = 0; /* a new code: from the start */
	}
	return n;
}
