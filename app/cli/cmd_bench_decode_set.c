/*
 * cmd_bench_decode_set.c — `quan bench decode --set DIR`: quan's decoder
 * side by side with zbarimg and zxing-cpp's ZXingReader (Debian
 * zxing-cpp-tools) on the same images, in one run: reads, misreads and
 * time per image for each. DIR/expected.tsv lists "file<TAB>hex of the expected bytes" ("-":
 * no code, anything read is a misread); tests/drivers/photos is such a set.
 * All three are given the same symbologies (QR, Code 128, EAN-13, EAN-8).
 * quan reads each image as its camera pipeline would a phone held up for
 * half a second: the image as up to SET_FRAMES (--frames) frames 33 ms apart
 * through frames_feed with the frame budget, stopping at the first read;
 * its time is CPU time per frame (<= 33 ms: 30 frames/s on one core),
 * image loading apart.
 * The two tools run one process per image on the file; their time
 * includes starting it and loading the image. A ZXingReader that aborts
 * (1.4.0 does on some images) counts as no read and is reported.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "cli/bench.h"
#include "drivers/dec.h"
#include "drivers/frames.h"
#include "drivers/imgload.h"
#include "util/err.h"
#include "util/tm.h"
#include "util/xmem.h"

enum { D_QUAN, D_ZBAR, D_ZXING, D_N };

#define SET_FRAMES 15 /* default: half a second in view */

static const char *const dname[D_N] = {"quan", "zbarimg", "ZXingReader"};

/* what one decoder returned for one image */
struct got {
	uint8_t b[8][EV_CODE_MAX];
	size_t n[8];
	int k;
	int crashed;
};

static void
got_add(struct got *g, const uint8_t *p, size_t n)
{
	if (g->k < 8 && n < EV_CODE_MAX) {
		memcpy(g->b[g->k], p, n);
		g->n[g->k++] = n;
	}
}

/* Hex digits (spaces allowed) -> bytes. */
static size_t
unhex(const char *s, uint8_t *out, size_t max)
{
	size_t n = 0;
	unsigned v;

	while (n < max) {
		while (*s == ' ')
			s++;
		if (s[0] == '\0' || s[1] == '\0' || sscanf(s, "%2x", &v) != 1)
			break;
		out[n++] = (uint8_t)v;
		s += 2;
	}
	return n;
}

/* Run cmd; each output line is a result (ZXingReader: only the hex of
 * its "Bytes:" lines). */
static void
run_tool(const char *cmd, int zxing, struct got *g)
{
	char line[4096];
	FILE *p = popen(cmd, "r");
	int st;

	if (p == NULL)
		return;
	while (fgets(line, sizeof line, p) != NULL) {
		size_t l = strcspn(line, "\n");
		uint8_t b[EV_CODE_MAX];

		line[l] = '\0';
		if (!zxing) {
			if (l > 0)
				got_add(g, (const uint8_t *)line, l);
		} else if (strncmp(line, "Bytes:", 6) == 0) {
			got_add(g, b, unhex(line + 6, b, sizeof b));
		}
	}
	st = pclose(p);
	g->crashed = st == -1 || (WIFEXITED(st) && WEXITSTATUS(st) > 128) ||
		WIFSIGNALED(st);
}

static void
on_read(void *ctx, const struct dec_result *r, uint64_t t)
{
	(void)t;
	got_add(ctx, r->data, r->len);
}

/* The image as camera frames into f (one pipeline for the whole set, as
 * a camera sees one phone after another); returns the decode CPU time per
 * frame (ms) and the frames used in *frames. */
static double
run_quan(struct frames *f, const char *path, int nframes, struct got *g,
	int *frames)
{
	static uint64_t t = 1000000;
	struct img im;
	char *cause = NULL;
	uint64_t t0;
	int i;

	*frames = 0;
	if (img_load(path, &im, &cause) != QUAN_OK) {
		free(cause);
		return 0;
	}
	t0 = dec_cpu_us();
	for (i = 0; i < nframes && g->k == 0; i++, t += 33333) {
		frames_feed(f, im.px, im.w, im.h, t, on_read, g);
		(*frames)++;
	}
	t0 = dec_cpu_us() - t0;
	t += 2000000; /* the next phone comes 2 s later */
	free(im.px);
	return (double)t0 / 1000.0 / *frames;
}

/* 1 read, -1 misread, 0 nothing. */
static int
verdict(const struct got *g, const uint8_t *want, size_t wn)
{
	int i;

	for (i = 0; i < g->k; i++)
		if (wn > 0 && g->n[i] == wn && memcmp(g->b[i], want, wn) == 0)
			return 1;
	return g->k > 0 ? -1 : 0;
}

static char *
shq(const char *s)
{
	/* single-quote for sh: ' -> '\'' */
	size_t i, n = 0;
	char *o = xmalloc(4 * strlen(s) + 3);

	o[n++] = '\'';
	for (i = 0; s[i] != '\0'; i++) {
		if (s[i] == '\'') {
			memcpy(o + n, "'\\''", 4);
			n += 4;
		} else {
			o[n++] = s[i];
		}
	}
	o[n++] = '\'';
	o[n] = '\0';
	return o;
}

int
bench_decode_set(const char *dir, int budget, int nframes, FILE *out,
	struct set_fig *fig)
{
	char *path = xasprintf("%s/expected.tsv", dir), line[4096];
	FILE *fp = fopen(path, "re");
	struct frames *f = NULL;
	char *cause = NULL;
	int k;

	memset(fig, 0, sizeof *fig);
	if (fp == NULL) {
		fprintf(stderr, "quan bench decode: %s: %s\n", path,
			strerror(errno));
		free(path);
		return -1;
	}
	free(path);
	if (frames_new(&f, NULL, budget, &cause) != QUAN_OK) {
		fprintf(stderr, "quan bench decode: %s\n", cause);
		free(cause);
		fclose(fp);
		return -1;
	}
	if (out != NULL)
		fprintf(out, "%-42s %-8s %-8s %-8s %s\n", "image", dname[0],
			dname[1], "zxing", "ms: quan CPU/frame (frames), "
			"zbarimg, zxing wall/image");
	while (fgets(line, sizeof line, fp) != NULL) {
		char *tab = strchr(line, '\t'), *hx, *img_path, *q, *cmd;
		uint8_t want[EV_CODE_MAX];
		struct got g[D_N];
		double ms[D_N];
		size_t wn;
		int v[D_N], nf = 0;

		if (tab == NULL)
			continue;
		*tab = '\0';
		hx = tab + 1;
		hx[strcspn(hx, "\t\n")] = '\0';
		wn = strcmp(hx, "-") == 0 ? 0 : unhex(hx, want, sizeof want);
		img_path = xasprintf("%s/%s", dir, line);
		q = shq(img_path);
		memset(g, 0, sizeof g);
		for (k = 0; k < D_N; k++) {
			uint64_t t0 = tm_mono_us();

			if (k == D_QUAN) {
				ms[k] = run_quan(f, img_path, nframes > 0 ?
					nframes : SET_FRAMES, &g[k], &nf);
			} else {
				cmd = k == D_ZBAR ? xasprintf("zbarimg "
					"--nodbus "
					"-q --raw -Sdisable -Sqrcode.enable "
					"-Scode128.enable -Sean13.enable "
					"-Sean8.enable -Sqrcode.binary %s "
					"2>/dev/null", q) :
					xasprintf("ZXingReader -format "
					"QRCode,Code128,EAN-13,EAN-8 %s "
					"2>/dev/null", q);
				run_tool(cmd, k == D_ZXING, &g[k]);
				free(cmd);
				ms[k] = (double)(tm_mono_us() - t0) / 1000.0;
			}
			v[k] = verdict(&g[k], want, wn);
			fig->read[k] += v[k] > 0;
			fig->misread[k] += v[k] < 0;
			fig->crashed[k] += (unsigned)g[k].crashed;
			fig->ms[k] += ms[k];
			if (ms[k] > fig->ms_max[k])
				fig->ms_max[k] = ms[k];
		}
		fig->images++;
		fig->with_code += wn > 0;
		fig->frames += (unsigned)nf;
		if (out != NULL)
			fprintf(out, "%-42s %-8s %-8s %-8s %5.1f (%2d) %7.1f "
				"%6.1f\n", line, v[0] > 0 ? "read" : v[0] ?
				"MISREAD" : "-", v[1] > 0 ? "read" : v[1] ?
				"MISREAD" : "-", v[2] > 0 ? "read" : v[2] ?
				"MISREAD" : g[2].crashed ? "ABORTED" : "-",
				ms[0], nf, ms[1], ms[2]);
		free(q);
		free(img_path);
	}
	fclose(fp);
	frames_free(f);
	if (out != NULL && fig->images > 0)
		for (k = 0; k < D_N; k++)
			fprintf(out, "%-12s read %2u of %u with a code, "
				"misread "
				"%u%s, %.1f ms %s (max %.1f)%s\n", dname[k],
				fig->read[k], fig->with_code, fig->misread[k],
				fig->crashed[k] ? " (aborted on some)" : "",
				fig->ms[k] / fig->images, k == D_QUAN ?
				"CPU per frame" : "per image", fig->ms_max[k],
				k == D_QUAN ?
				", camera pipeline, frames 33 ms apart" :
				", one process per image");
	return 0;
}

void
bench_decode_set_json(const struct set_fig *f)
{
	static const char *const key[D_N] = {"quan", "zbarimg", "zxing"};
	int k;

	printf(",\"set_images\":%u,\"set_with_code\":%u,\"quan_frames\":%u",
		f->images, f->with_code, f->frames);
	for (k = 0; k < D_N; k++)
		printf(",\"%s_read\":%u,\"%s_misread\":%u,\"%s_aborted\":%u,"
			"\"%s_ms_per_image\":%.2f,\"%s_ms_max\":%.2f", key[k],
			f->read[k], key[k], f->misread[k], key[k],
			f->crashed[k], key[k], f->images ? f->ms[k] /
			f->images : 0.0, key[k], f->ms_max[k]);
}
