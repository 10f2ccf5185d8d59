/* test_frames.c — the camera frame pipeline fed from files (there is no
 * V4L2 device in CI): codes generated with qrencode/zint at test time,
 * frames with timestamps, EAN two-frame confirmation, inverted and 720p
 * frames, scanner re-creation; and the camera source's fault path on a
 * device that does not exist (reported once, retried). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "core/evq.h"
#include "drivers/dec.h"
#include "drivers/frames.h"
#include "drivers/imgload.h"
#include "drivers/scan.h"
#include "util/err.h"
#include "util/log.h"
#include "util/xmem.h"
#include "testimg.h"


/* Paste im into a w x h grey frame at (x, y). */
static uint8_t *
frame(const struct img *im, int w, int h, int x, int y)
{
	uint8_t *f = xmalloc((size_t)w * h);
	int r;

	memset(f, 140, (size_t)w * h);
	for (r = 0; r < im->h && y + r < h; r++)
		memcpy(f + (size_t)(y + r) * w + x, im->px + (size_t)r * im->w,
			(size_t)(im->w < w - x ? im->w : w - x));
	return f;
}

struct got {
	int n;
	struct dec_result last;
};

static void
emit(void *ctx, const struct dec_result *r, uint64_t t)
{
	struct got *g = ctx;

	(void)t;
	g->n++;
	g->last = *r;
}

static int
setup(void **state)
{
	(void)state;
	return testimg_dir("frames");
}

static int
teardown(void **state)
{
	(void)state;
	testimg_rm();
	return 0;
}

static void
test_qr_frames(void **state)
{
	struct frames *f;
	struct img qr, inv;
	struct got g = {0};
	uint8_t *fr;
	char *cause = NULL;

	(void)state;
	testimg_gen("qrencode -s 4 -o qr.png 'CPN:FRAME-0001' && "
		"convert qr.png -negate inv.png");
	testimg_load("qr.png", &qr);
	testimg_load("inv.png", &inv);
	assert_int_equal(frames_new(&f, NULL, 30, &cause), 0);
	fr = frame(&qr, 640, 480, 200, 100);
	/* QR counts at the first frame; every frame with it reads it (the
	 * dedupe window of drv_emit folds them into one scan) */
	assert_int_equal(frames_feed(f, fr, 640, 480, 1000000, emit, &g), 1);
	assert_int_equal(frames_feed(f, fr, 640, 480, 1033000, emit, &g), 1);
	assert_int_equal(g.n, 2);
	assert_string_equal(g.last.symbology, "QR-Code");
	assert_memory_equal(g.last.data, "CPN:FRAME-0001", 14);
	assert_int_equal(g.last.flags & SCAN_F_INVERTED, 0);
	free(fr);
	/* dark mode: looked for on every other frame, so within two */
	fr = frame(&inv, 640, 480, 10, 10);
	assert_true(frames_feed(f, fr, 640, 480, 1066000, emit, &g) +
		frames_feed(f, fr, 640, 480, 1083000, emit, &g) >= 1);
	assert_true(g.last.flags & SCAN_F_INVERTED);
	free(fr);
	/* 720p: half scale then centre crop */
	fr = frame(&qr, 1280, 720, 500, 250);
	assert_int_equal(frames_feed(f, fr, 1280, 720, 1100000, emit, &g), 1);
	free(fr);
	/* an empty frame */
	fr = frame(&qr, 640, 480, 640, 480);
	assert_int_equal(frames_feed(f, fr, 640, 480, 1133000, emit, &g), 0);
	free(fr);
	frames_free(f);
	free(qr.px);
	free(inv.px);
}

static void
test_ean_confirm(void **state)
{
	struct frames *f;
	struct img ean;
	struct got g = {0};
	uint8_t *fr;
	char *cause = NULL;
	int i;

	(void)state;
	testimg_gen("zint -b 13 --scale=2 -d 400638133393 -o ean.png >/dev/null");
	testimg_load("ean.png", &ean);
	assert_int_equal(frames_new(&f, NULL, 30, &cause), 0);
	fr = frame(&ean, 640, 480, 100, 100);
	/* first sighting is held back; a later frame within 500 ms confirms
	 * it (thin bars need the full-resolution step, which may be skipped
	 * on up to two frames in a row) */
	assert_int_equal(frames_feed(f, fr, 640, 480, 5000000, emit, &g), 0);
	for (i = 1; i < 8 && g.n == 0; i++)
		frames_feed(f, fr, 640, 480, 5000000 + i * 33000, emit, &g);
	assert_int_equal(g.n, 1);
	assert_string_equal(g.last.symbology, "EAN-13");
	assert_memory_equal(g.last.data, "4006381333931", 13);
	/* seen again only after 2 s: needs confirming again */
	for (i = 0; i < 3; i++)
		assert_int_equal(frames_feed(f, fr, 640, 480, 7100000 +
			i * 700000, emit, &g), 0);
	for (i = 1; i < 8 && g.n == 1; i++)
		frames_feed(f, fr, 640, 480, 8500000 + i * 33000, emit, &g);
	assert_int_equal(g.n, 2);
	free(fr);
	frames_free(f);
	free(ean.px);
}

static void
test_scanner_recreated(void **state)
{
	struct dec *d;
	struct img qr;
	struct dec_result r[DEC_MAX_RESULTS];
	char *cause = NULL;
	int i, ok = 0;

	(void)state;
	testimg_gen("qrencode -s 2 -o small.png 'R'");
	testimg_load("small.png", &qr);
	assert_int_equal(dec_new(&d, "qr", &cause), 0);
	for (i = 0; i < DEC_RECREATE + 5; i++)
		ok += dec_frame(d, qr.px, qr.w, qr.h, 0, r, 1) == 1;
	assert_int_equal(ok, DEC_RECREATE + 5);
	assert_int_equal(dec_stats(d)->recreated, 1);
	dec_free(d);
	assert_int_equal(dec_new(&d, "qr,pdf999", &cause), QUAN_EINVAL);
	assert_non_null(strstr(cause, "pdf999"));
	free(cause);
	free(qr.px);
}

static void
test_camera_absent(void **state)
{
	struct evq *q;
	struct scan_mgr *m;
	struct ev ev;
	char *cause = NULL;
	int i, downs = 0;

	(void)state;
	assert_int_equal(evq_new(&q, 16), 0);
	m = scan_mgr_new(q, NULL);
	assert_int_equal(scan_mgr_add(m, "camera:/dev/video97,width=640,"
		"height=480", &cause), 0);
	assert_int_equal(scan_mgr_start(m, &cause), 0);
	for (i = 0; i < 30; i++) /* 1.5 s: retried several times */
		if (evq_wait(q, &ev, 50) == 1) {
			assert_int_equal(ev.type, EV_DRIVER_FAULT);
			assert_false(ev.u.fault.up);
			assert_non_null(strstr(ev.u.fault.what,
				"/dev/video97"));
			downs++;
		}
	assert_int_equal(downs, 1);
	assert_false(scan_mgr_done(m)); /* a camera never "finishes" */
	scan_mgr_free(m);
	evq_free(q);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_qr_frames),
		cmocka_unit_test(test_ean_confirm),
		cmocka_unit_test(test_scanner_recreated),
		cmocka_unit_test(test_camera_absent),
	};

	log_set_level(LOG_ERROR);
	return cmocka_run_group_tests(tests, setup, teardown);
}
