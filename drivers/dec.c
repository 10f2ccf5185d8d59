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
#include <zbar.h>

#include "drivers/dec.h"
#include "drivers/scan.h"
#include "util/err.h"
#include "util/tm.h"
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

/* Adaptive threshold: black where the pixel is darker than its local mean
 * (window win) by more than a small margin. */
static void
threshold(struct dec *d, const uint8_t *in, int w, int h, int win,
	uint8_t *out)
{
	size_t W = (size_t)w + 1, need = W * ((size_t)h + 1);
	uint32_t *I;
	int x, y, r = win / 2;

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
	for (y = 0; y < h; y++) {
		int y0 = y - r < 0 ? 0 : y - r, y1 = y + r + 1 > h ? h :
			y + r + 1;

		for (x = 0; x < w; x++) {
			int x0 = x - r < 0 ? 0 : x - r, x1 = x + r + 1 > w ? w :
				x + r + 1;
			uint32_t sum = I[(size_t)y1 * W + x1] -
				I[(size_t)y0 * W + x1] -
				I[(size_t)y1 * W + x0] +
				I[(size_t)y0 * W + x0];
			uint32_t cnt = (uint32_t)((x1 - x0) * (y1 - y0));

			out[(size_t)y * w + x] = (uint32_t)in[(size_t)y * w +
				x] * cnt + 3 * cnt < sum ? 0 : 255;
		}
	}
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

size_t
dec_frame(struct dec *d, const uint8_t *px, int w, int h, int budget_ms,
	struct dec_result *out, size_t max)
{
	uint64_t t0 = tm_mono_us();
	uint64_t budget = budget_ms > 0 ? (uint64_t)budget_ms * 1000 : 0;
	size_t npx = (size_t)w * (size_t)h, n = 0;
	const uint8_t *base = px;
	int hw = w / 2, hh = h / 2, win, k;
	static const double angles[] = {30, -30, 45, -45, 15, -15};

#define LEFT() (tm_mono_us() - t0 < budget)
	d->st.last_passes = 0;
	if (w <= 0 || h <= 0 || max == 0)
		return 0;
	if ((n = scan_one(d, px, w, h, 0, "plain", out, 0, max)) > 0 ||
	    budget_ms < 0)
		return n;
	work_reserve(d, npx * 4 + 16);
	if (budget > 0 && !LEFT())
		return 0;
	invert(px, d->w1, npx);
	if ((n = scan_one(d, d->w1, w, h, SCAN_F_INVERTED, "inverted", out, 0,
	    max)) > 0)
		return n;
	if (!LEFT())
		return 0;
	if (stretch(px, d->w2, npx)) {
		base = d->w2;
		if ((n = scan_one(d, d->w2, w, h, SCAN_F_PREPROC, "stretch",
		    out, 0, max)) > 0)
			return n;
		invert(d->w2, d->w1, npx);
		if ((n = scan_one(d, d->w1, w, h, SCAN_F_PREPROC |
		    SCAN_F_INVERTED, "stretch-inv", out, 0, max)) > 0)
			return n;
	}
	if (LEFT() && hw >= 64 && hh >= 64) {
		half(base, w, h, d->w1);
		if ((n = scan_one(d, d->w1, hw, hh, SCAN_F_PREPROC, "half", out,
		    0, max)) > 0)
			return n;
		invert(d->w1, d->w3, (size_t)hw * hh);
		if ((n = scan_one(d, d->w3, hw, hh, SCAN_F_PREPROC |
		    SCAN_F_INVERTED, "half-inv", out, 0, max)) > 0)
			return n;
	}
	win = (w < h ? w : h) / 10;
	win = win < 15 ? 15 : win > 61 ? 61 : win;
	win |= 1;
	if (LEFT()) {
		threshold(d, base, w, h, win, d->w1);
		if ((n = scan_one(d, d->w1, w, h, SCAN_F_PREPROC, "threshold",
		    out, 0, max)) > 0)
			return n;
		invert(d->w1, d->w3, npx);
		if ((n = scan_one(d, d->w3, w, h, SCAN_F_PREPROC |
		    SCAN_F_INVERTED, "threshold-inv", out, 0, max)) > 0)
			return n;
	}
	if (LEFT() && hw >= 64 && hh >= 64) {
		half(base, w, h, d->w3);
		threshold(d, d->w3, hw, hh, win / 2 | 1, d->w1);
		if ((n = scan_one(d, d->w1, hw, hh, SCAN_F_PREPROC,
		    "half-threshold", out, 0, max)) > 0)
			return n;
	}
	for (k = 0; k < (int)(sizeof angles / sizeof angles[0]); k++) {
		int s = (int)ceil(sqrt((double)w * w + (double)h * h));

		if (!LEFT() || (size_t)s * s > npx * 4 + 16)
			break;
		rotate(base, w, h, angles[k], d->w3, s);
		if ((n = scan_one(d, d->w3, s, s, SCAN_F_PREPROC, "rotate",
		    out, 0, max)) > 0)
			return n;
	}
	if (LEFT() && npx <= 640 * 480) {
		up2(base, w, h, d->w3);
		if ((n = scan_one(d, d->w3, 2 * w, 2 * h, SCAN_F_PREPROC, "up2",
		    out, 0, max)) > 0)
			return n;
	}
#undef LEFT
	return 0;
}
