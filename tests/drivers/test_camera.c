/* test_camera.c — the camera source (drivers/drv_camera.c, unchanged:
 * V4L2 through ZBar's video object) against the fake USB camera of
 * libquanfake (fake/fake.h): format and size negotiation in YUYV, MJPEG
 * and GREY at 640x480 and 1280x720, a code appearing after 20 empty
 * frames, a code held in view for 3 s (one scan), two codes in one frame,
 * slow frames and a stalled camera, the device vanishing mid-stream
 * (ENODEV) and coming back (reopened with backoff, read again), and no
 * descriptor or buffer mapping left behind. Threads: labelled tsan. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>
#include <linux/videodev2.h>

#include "core/evq.h"
#include "drivers/imgload.h"
#include "drivers/scan.h"
#include "fake.h"
#include "util/log.h"
#include "util/tm.h"
#include "util/xmem.h"
#include "testimg.h"

#define DEV "/dev/video0"
/* the codes a till reads: a 22-digit WeChat card code, a merchant
 * coupon code, an 18-digit payment code */
#define CARD "8723104455667788990011"
#define MERCH "QA7K2M9X4P0C"
#define PAY "134567890123456789"


static struct img qr_card, qr_merch, two, blank;

static int
setup(void **state)
{
	(void)state;
	if (testimg_dir("camera") != 0)
		return -1;
	testimg_gen("qrencode -s 4 -o card.png '" CARD "'");
	testimg_gen("qrencode -s 4 -o merch.png '" MERCH "'");
	testimg_gen("qrencode -s 4 -o pay.png '" PAY "'");
	testimg_gen("convert card.png \\( -size 60x10 xc:white \\) pay.png "
		"+append two.png");
	testimg_load("card.png", &qr_card);
	testimg_load("merch.png", &qr_merch);
	testimg_load("two.png", &two);
	blank.w = blank.h = 16;
	blank.px = xmalloc(256);
	memset(blank.px, 140, 256);
	log_set_level(LOG_ERROR);
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	free(qr_card.px);
	free(qr_merch.px);
	free(two.px);
	free(blank.px);
	testimg_rm();
	return 0;
}

struct fx {
	struct evq *q;
	struct scan_mgr *m;
};

static void
start(struct fx *f, const char *opts)
{
	char *spec = xasprintf("camera:" DEV "%s", opts), *cause = NULL;

	assert_int_equal(evq_new(&f->q, 256), 0);
	f->m = scan_mgr_new(f->q, NULL);
	assert_int_equal(scan_mgr_add(f->m, spec, &cause), 0);
	assert_int_equal(scan_mgr_start(f->m, &cause), 0);
	free(spec);
}

/* Stop, and check the driver gave back every descriptor and mapping. */
static void
stop(struct fx *f)
{
	struct fakecam_stats st;

	scan_mgr_free(f->m);
	evq_free(f->q);
	fakecam_get_stats(&st);
	assert_int_equal(st.fds_open, 0);
	assert_int_equal(st.mapped, 0);
}

/* The next event of `type` within ms (others are skipped): 1 or 0. */
static int
next_of(struct fx *f, int type, struct ev *ev, int ms)
{
	uint64_t end = tm_mono_us() + (uint64_t)ms * 1000;

	while (tm_mono_us() < end) {
		int left = (int)((end - tm_mono_us()) / 1000) + 1;

		if (evq_wait(f->q, ev, left) == 1 && (int)ev->type == type)
			return 1;
	}
	return 0;
}

static void
scene(const struct img *im, unsigned count)
{
	fakecam_scene(im->px, im->w, im->h, count);
}

static void
test_format_negotiation(void **state)
{
	static const struct {
		const char *fmts, *sizes, *opts;
		uint32_t fourcc, w, h;
	} c[] = {
		/* YUYV preferred over MJPEG (no decode of a JPEG per frame) */
		{"YUYV,MJPG", "640x480,1280x720", "", V4L2_PIX_FMT_YUYV, 640,
			480},
		{"MJPG,YUYV", "640x480,1280x720", ",width=1280,height=720",
			V4L2_PIX_FMT_YUYV, 1280, 720},
		/* a camera that only does MJPEG (many cheap ones at 720p) */
		{"MJPG", "640x480,1280x720", ",width=1280,height=720",
			V4L2_PIX_FMT_MJPEG, 1280, 720},
		{"MJPG", "640x480,1280x720", "", V4L2_PIX_FMT_MJPEG, 640, 480},
		{"GREY", "640x480", "", V4L2_PIX_FMT_GREY, 640, 480},
		/* 640x480 asked, only 720p offered: the camera's size wins */
		{"YUYV", "1280x720", "", V4L2_PIX_FMT_YUYV, 1280, 720},
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof c / sizeof c[0]; i++) {
		struct fakecam_stats st;
		struct fx f;
		struct ev ev;

		fakecam_reset(DEV);
		assert_int_equal(fakecam_formats(c[i].fmts), 0);
		assert_int_equal(fakecam_sizes(c[i].sizes), 0);
		scene(&qr_card, 0);
		start(&f, c[i].opts);
		if (!next_of(&f, EV_SCAN, &ev, 8000))
			fail_msg("case %zu (%s %s%s): nothing read", i,
				c[i].fmts, c[i].sizes, c[i].opts);
		assert_string_equal(ev.u.scan.text, CARD);
		assert_string_equal(ev.u.scan.symbology, "QR-Code");
		assert_int_equal(ev.u.scan.source, SCAN_SRC_CAMERA);
		fakecam_get_stats(&st);
		assert_int_equal(st.fourcc, c[i].fourcc);
		assert_int_equal(st.width, c[i].w);
		assert_int_equal(st.height, c[i].h);
		assert_int_equal(st.opens, 1);
		assert_int_equal(st.streamons, 1);
		stop(&f);
	}
}

static void
test_code_after_20_empty_frames(void **state)
{
	struct fakecam_stats st;
	struct fx f;
	struct ev ev;

	(void)state;
	fakecam_reset(DEV);
	scene(&blank, 20);
	scene(&qr_merch, 0);
	start(&f, "");
	assert_true(next_of(&f, EV_SCAN, &ev, 8000));
	fakecam_get_stats(&st);
	/* read from frame 21 on, never before */
	assert_true(st.frames >= 21);
	assert_string_equal(ev.u.scan.text, MERCH);
	/* and nothing else comes while it stays in view */
	assert_false(next_of(&f, EV_SCAN, &ev, 1000));
	stop(&f);
}

static void
test_code_held_3s_is_one_scan(void **state)
{
	struct fx f;
	struct ev ev;
	int scans = 0;
	uint64_t t0;

	(void)state;
	fakecam_reset(DEV);
	fakecam_interval_us(33333);
	scene(&qr_card, 90);           /* 3 s at 30 frames/s */
	scene(&blank, 0);
	t0 = tm_mono_us();
	start(&f, "");
	while (next_of(&f, EV_SCAN, &ev, 4500 - (int)((tm_mono_us() - t0) /
	    1000))) {
		assert_string_equal(ev.u.scan.text, CARD);
		scans++;
	}
	assert_int_equal(scans, 1);
	stop(&f);
}

static void
test_two_codes_in_one_frame(void **state)
{
	struct fx f;
	struct ev ev;
	int card = 0, pay = 0, other = 0;

	(void)state;
	fakecam_reset(DEV);
	scene(&two, 0);
	start(&f, "");
	while (next_of(&f, EV_SCAN, &ev, 3000)) {
		if (strcmp(ev.u.scan.text, CARD) == 0)
			card++;
		else if (strcmp(ev.u.scan.text, PAY) == 0)
			pay++;
		else
			other++;
	}
	assert_int_equal(card, 1);
	assert_int_equal(pay, 1);
	assert_int_equal(other, 0);
	stop(&f);
}

static void
test_slow_frames(void **state)
{
	struct fakecam_stats st;
	struct fx f;
	struct ev ev;

	(void)state;
	/* 2 frames/s (a camera in low light): read, no fault */
	fakecam_reset(DEV);
	fakecam_interval_us(500000);
	scene(&blank, 2);
	scene(&qr_card, 0);
	start(&f, "");
	assert_true(next_of(&f, EV_SCAN, &ev, 6000));
	assert_string_equal(ev.u.scan.text, CARD);
	assert_false(next_of(&f, EV_DRIVER_FAULT, &ev, 1500));
	stop(&f);
	/* slower than stall=: reported, closed and reopened */
	fakecam_reset(DEV);
	fakecam_interval_us(4000000);
	scene(&qr_card, 0);
	start(&f, ",stall=1000");
	assert_true(next_of(&f, EV_DRIVER_FAULT, &ev, 4000));
	assert_int_equal(ev.u.fault.up, 0);
	assert_non_null(strstr(ev.u.fault.what, "stalled"));
	assert_true(next_of(&f, EV_DRIVER_FAULT, &ev, 4000));
	assert_int_equal(ev.u.fault.up, 1);
	fakecam_get_stats(&st);
	assert_true(st.opens >= 2);
	stop(&f);
}

static void
test_vanish_and_come_back(void **state)
{
	struct fakecam_stats st;
	struct fx f;
	struct ev ev;
	unsigned i, fails;

	(void)state;
	fakecam_reset(DEV);
	scene(&qr_card, 0);
	start(&f, "");
	assert_true(next_of(&f, EV_SCAN, &ev, 8000));
	assert_string_equal(ev.u.scan.text, CARD);
	/* the cable is pulled mid-stream: DQBUF/poll fail with ENODEV */
	fakecam_unplug();
	assert_true(next_of(&f, EV_DRIVER_FAULT, &ev, 3000));
	assert_int_equal(ev.u.fault.up, 0);
	/* away for 2.5 s: retried with backoff, reported once */
	assert_false(next_of(&f, EV_DRIVER_FAULT, &ev, 2500));
	fakecam_get_stats(&st);
	assert_true(st.enodev >= 1);
	fails = st.open_fails;
	assert_true(fails >= 2);  /* it does retry ... */
	assert_true(fails <= 5);  /* ... but does not spin: 250, 500, 1000 ms */
	/* try 0 opened it; tries 1.. are the retries: gaps never shrink */
	for (i = 3; i < st.open_tries && i < 32; i++)
		assert_true(st.open_try_us[i] - st.open_try_us[i - 1] + 20000 >=
			st.open_try_us[i - 1] - st.open_try_us[i - 2]);
	fakecam_replug();
	assert_true(next_of(&f, EV_DRIVER_FAULT, &ev, 6000));
	assert_int_equal(ev.u.fault.up, 1);
	/* the code still in view is read again (the 1.5 s window passed) */
	assert_true(next_of(&f, EV_SCAN, &ev, 8000));
	assert_string_equal(ev.u.scan.text, CARD);
	fakecam_get_stats(&st);
	assert_int_equal(st.opens, 2);
	assert_int_equal(st.fds_open, 1);
	stop(&f);
}

int
main(void)
{
	const struct CMUnitTest t[] = {
		cmocka_unit_test(test_format_negotiation),
		cmocka_unit_test(test_code_after_20_empty_frames),
		cmocka_unit_test(test_code_held_3s_is_one_scan),
		cmocka_unit_test(test_two_codes_in_one_frame),
		cmocka_unit_test(test_slow_frames),
		cmocka_unit_test(test_vanish_and_come_back),
	};

	return cmocka_run_group_tests(t, setup, teardown);
}
