/*
 * drv_image.c — `image:PATH`: decode one image file or every image in a
 * directory (sorted by name) with the frame decoder (dec.h) and its full
 * preprocessing budget; for replay, tests and support. A finite source:
 * it finishes after the last file. Files without a code are reported to
 * the reject callback ("no code found"). With frames=MS the files are
 * replayed as consecutive camera frames MS apart through the camera
 * pipeline (frames.h: cascade, EAN two-frame confirmation) and the camera's
 * dedupe window (1500 ms unless dedupe= is given): camera tests without a
 * camera. The default budget (1000 ms) makes replay deterministic; give
 * budget=30 to see what a live camera's frame budget would skip.
 */
#include <stdio.h>
#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "drivers/dec.h"
#include "drivers/drv.h"
#include "drivers/frames.h"
#include "drivers/imgload.h"
#include "drivers/scan.h"
#include "util/err.h"
#include "util/log.h"
#include "util/tm.h"
#include "util/xmem.h"

struct image_priv {
	int is_dir;
	long budget_ms;
	long frames_ms;      /* > 0: replay as camera frames */
	char syms[64];
	struct frames *fr;
	uint64_t t_frame;    /* synthetic capture time of the current frame */
	const char *name;    /* current file, for source_name */
};

static int
image_setup(struct drv *d, char **cause)
{
	static const char *const known[] = {"budget", "sym", "dedupe",
		"frames", NULL};
	struct image_priv *s;
	struct stat st;
	long budget, frames;

	if (drv_opts_check(d, known, cause) != QUAN_OK ||
	    drv_opt_int(d, "frames", 0, 0, 10000, &frames, cause) != QUAN_OK ||
	    drv_opt_int(d, "budget", 1000, 0, 60000, &budget, cause) !=
	    QUAN_OK)
		return QUAN_EINVAL;
	if (stat(d->spec.path, &st) != 0) {
		*cause = xasprintf("%s: %s", d->spec.path, strerror(errno));
		return QUAN_ENOTFOUND;
	}
	s = xcalloc(1, sizeof *s);
	s->is_dir = S_ISDIR(st.st_mode);
	s->budget_ms = budget;
	s->frames_ms = frames;
	if (frames > 0 && drv_opt(d, "dedupe") == NULL && d->dedupe_ms == 0)
		d->dedupe_ms = drv_camera_ops.dedupe_ms;
	snprintf(s->syms, sizeof s->syms, "%s", drv_opt(d, "sym") != NULL ?
		drv_opt(d, "sym") : "qr,code128,ean13,ean8");
	d->priv = s;
	return QUAN_OK;
}

/* frames mode: a confirmed read from the camera pipeline */
static void
on_frame(void *ctx, const struct dec_result *res, uint64_t t)
{
	struct drv *d = ctx;
	struct image_priv *s = d->priv;

	drv_emit_decoded(d, res, t, 0, s->name);
}

static void
image_one(struct drv *d, struct dec *dec, const char *path)
{
	struct image_priv *s = d->priv;
	struct dec_result res[DEC_MAX_RESULTS];
	struct img im;
	char *cause = NULL, name[64];
	const char *base = strrchr(path, '/');
	uint64_t t;
	size_t n, i;

	snprintf(name, sizeof name, "image:%s", base != NULL ? base + 1 : path);
	if (img_load(path, &im, &cause) != QUAN_OK) {
		char why[96];

		log_warn("%s", cause);
		snprintf(why, sizeof why, "cannot load %s", name + 6);
		drv_reject(d, why, (const uint8_t *)name, strlen(name));
		free(cause);
		return;
	}
	if (s->fr != NULL) {
		s->name = name;
		frames_feed(s->fr, im.px, im.w, im.h, s->t_frame, on_frame, d);
		s->t_frame += (uint64_t)s->frames_ms * 1000;
		free(im.px);
		return;
	}
	t = tm_mono_us();
	n = dec_frame(dec, im.px, im.w, im.h, (int)s->budget_ms, res,
		DEC_MAX_RESULTS);
	for (i = 0; i < n; i++)
		drv_emit_decoded(d, &res[i], t,
			(uint32_t)((tm_mono_us() - t) / 1000), name);
	if (n == 0) {
		char why[96];

		snprintf(why, sizeof why, "no code found in %s", name + 6);
		drv_reject(d, why, (const uint8_t *)name, strlen(name));
	}
	free(im.px);
}

static int
want(const struct dirent *e)
{
	return e->d_name[0] != '.' && img_is_image_name(e->d_name);
}

static void
image_run(struct drv *d)
{
	struct image_priv *s = d->priv;
	struct dirent **ents = NULL;
	struct dec *dec = NULL;
	char *cause = NULL;
	int n, i;

	if (dec_new(&dec, s->syms, &cause) != QUAN_OK ||
	    (s->frames_ms > 0 && frames_new(&s->fr, s->syms, (int)s->budget_ms,
	    &cause) != QUAN_OK)) {
		drv_fault(d, 0, cause);
		free(cause);
		goto out;
	}
	s->t_frame = tm_mono_us();
	if (!s->is_dir) {
		image_one(d, dec, d->spec.path);
		goto out;
	}
	n = scandir(d->spec.path, &ents, want, alphasort);
	if (n < 0) {
		cause = xasprintf("%s: %s", d->spec.path, strerror(errno));
		drv_fault(d, 0, cause);
		free(cause);
		goto out;
	}
	for (i = 0; i < n; i++) {
		char *p = xasprintf("%s/%s", d->spec.path, ents[i]->d_name);

		if (!drv_stopping(d))
			image_one(d, dec, p);
		free(p);
		free(ents[i]);
	}
	free(ents);
out:
	dec_free(dec);
	frames_free(s->fr);
	s->fr = NULL;
	drv_finish(d);
}

const struct drv_ops drv_image_ops = {
	.kind = "image",
	.source = SCAN_SRC_IMAGE,
	.finite = 1,
	.dedupe_ms = 0,
	.setup = image_setup,
	.run = image_run,
};
