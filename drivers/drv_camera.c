/*
 * drv_camera.c — `camera:/dev/videoN`: V4L2 capture through ZBar's video
 * object with an explicit format (zbar_video_init before enable: the
 * headless processor/negotiation path crashes in ZBar 0.23.92), frames
 * converted to Y800 and decoded by the frame pipeline (frames.h) on this
 * driver's own thread. A device that cannot be opened or fails is reported
 * once and retried with backoff; a camera that delivers no frame for
 * stall=MS (default 3000) is closed and reopened.
 */
#include <stdio.h>
#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <zbar.h>

#include "drivers/drv.h"
#include "drivers/frames.h"
#include "drivers/scan.h"
#include "util/err.h"
#include "util/log.h"
#include "util/tm.h"
#include "util/xmem.h"

struct camera_priv {
	long width, height, budget_ms, stall_ms;
	char syms[64];
};

static int
camera_setup(struct drv *d, char **cause)
{
	static const char *const known[] = {"width", "height", "budget",
		"stall", "sym", "dedupe", NULL};
	struct camera_priv *s = xcalloc(1, sizeof *s);
	struct frames *probe = NULL;

	if (drv_opts_check(d, known, cause) != QUAN_OK ||
	    drv_opt_int(d, "width", 640, 0, 8192, &s->width, cause) ||
	    drv_opt_int(d, "height", 480, 0, 8192, &s->height, cause) ||
	    drv_opt_int(d, "budget", 30, 0, 10000, &s->budget_ms, cause) ||
	    drv_opt_int(d, "stall", 3000, 100, 600000, &s->stall_ms, cause))
		goto fail;
	snprintf(s->syms, sizeof s->syms, "%s", drv_opt(d, "sym") != NULL ?
		drv_opt(d, "sym") : "qr,code128,ean13,ean8");
	if (frames_new(&probe, s->syms, 0, cause) != QUAN_OK)
		goto fail;
	frames_free(probe);
	d->priv = s;
	return QUAN_OK;
fail:
	free(s);
	return QUAN_EINVAL;
}

static void
on_result(void *ctx, const struct dec_result *res, uint64_t t)
{
	drv_emit_decoded(ctx, res, t, 0, NULL);
}

/* Open and start streaming; NULL with *cause on failure. */
static zbar_video_t *
cam_open(struct drv *d, char **cause)
{
	static const unsigned long fmts[] = {
		0x56595559UL /* YUYV */, 0x3231564EUL /* NV12 */,
		0x32315559UL /* YU12 */, 0x59455247UL /* GREY */,
		0x47504A4DUL /* MJPG */,
	};
	struct camera_priv *s = d->priv;
	zbar_video_t *v = zbar_video_create();
	size_t i;

	if (s->width > 0 && s->height > 0)
		zbar_video_request_size(v, (unsigned)s->width,
			(unsigned)s->height);
	if (zbar_video_open(v, d->spec.path) != 0) {
		*cause = xasprintf("open %s: %s", d->spec.path,
			zbar_video_error_string(v, 0));
		zbar_video_destroy(v);
		return NULL;
	}
	for (i = 0; i < sizeof fmts / sizeof fmts[0]; i++)
		if (zbar_video_init(v, fmts[i]) == 0)
			break;
	if (i == sizeof fmts / sizeof fmts[0]) {
		*cause = xasprintf("%s: no usable pixel format", d->spec.path);
		zbar_video_destroy(v);
		return NULL;
	}
	if (zbar_video_enable(v, 1) != 0) {
		*cause = xasprintf("%s: cannot stream: %s", d->spec.path,
			zbar_video_error_string(v, 0));
		zbar_video_destroy(v);
		return NULL;
	}
	return v;
}

static void
cam_close(zbar_video_t *v)
{
	if (v == NULL)
		return;
	zbar_video_enable(v, 0);
	zbar_video_destroy(v);
}

/* Stream until stop, error or stall. Returns a reason (static) or NULL
 * when stopping. */
static const char *
cam_stream(struct drv *d, zbar_video_t *v, struct frames *f)
{
	struct camera_priv *s = d->priv;
	uint64_t last = tm_mono_us();
	int fd = zbar_video_get_fd(v);

	while (!drv_stopping(d)) {
		zbar_image_t *img, *y;
		struct pollfd pf;

		if (fd >= 0) {
			pf.fd = fd;
			pf.events = POLLIN;
			pf.revents = 0;
			if (poll(&pf, 1, 200) < 0 && errno != EINTR)
				return "poll failed";
			if (!(pf.revents & (POLLIN | POLLERR | POLLHUP))) {
				if (tm_mono_us() - last >
				    (uint64_t)s->stall_ms * 1000)
					return "stalled: no frames";
				continue;
			}
		}
		if ((img = zbar_video_next_image(v)) == NULL)
			return "capture failed (device gone?)";
		last = tm_mono_us();
		y = zbar_image_convert(img, zbar_fourcc('Y', '8', '0', '0'));
		if (y != NULL) {
			frames_feed(f, zbar_image_get_data(y),
				(int)zbar_image_get_width(y),
				(int)zbar_image_get_height(y), last, on_result,
				d);
			zbar_image_destroy(y);
		}
		zbar_image_destroy(img);
	}
	return NULL;
}

static void
camera_run(struct drv *d)
{
	struct camera_priv *s = d->priv;
	struct frames *f = NULL;
	uint32_t backoff = 0;
	int down = 0;
	char *cause = NULL;

	if (frames_new(&f, s->syms, (int)s->budget_ms, &cause) != QUAN_OK) {
		drv_fault(d, 0, cause);
		free(cause);
		return;
	}
	while (!drv_stopping(d)) {
		zbar_video_t *v = cam_open(d, &cause);
		const char *why;

		if (v == NULL) {
			if (!down)
				drv_fault(d, 0, cause);
			down = 1;
			free(cause);
			cause = NULL;
			backoff = backoff == 0 ? 250 : backoff * 2;
			if (backoff > 5000)
				backoff = 5000;
			drv_sleep(d, backoff);
			continue;
		}
		if (down)
			drv_fault(d, 1, "reopened");
		down = 0;
		backoff = 0;
		why = cam_stream(d, v, f);
		cam_close(v);
		if (why != NULL) {
			drv_fault(d, 0, why);
			down = 1;
			drv_sleep(d, 250);
		}
	}
	frames_free(f);
}

const struct drv_ops drv_camera_ops = {
	.kind = "camera",
	.source = SCAN_SRC_CAMERA,
	.dedupe_ms = 1500,
	.setup = camera_setup,
	.run = camera_run,
};
