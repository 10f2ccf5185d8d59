/* test_wedge.c — the evdev keyboard-wedge source end to end through the
 * manager: struct input_event records written into a FIFO (no /dev/input
 * or /dev/uinput in CI). us and de layouts, Shift, a scanner burst vs slow
 * human typing, a stall inside a scan, unplug mid-scan (fault reported
 * once, retried, resumes), and the refusals. Threads: labelled tsan. */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "core/evq.h"
#include "drivers/scan.h"
#include "util/err.h"
#include "util/log.h"
#include "util/xmem.h"

#include <linux/input.h>

struct fx {
	char dir[64], path[96];
	struct evq *q;
	struct scan_mgr *m;
	int w;          /* FIFO writer */
	uint64_t t_us;  /* "kernel" time of the next event */
	int rejects;
};

static void
on_reject(void *ctx, const char *src, const char *why, const uint8_t *p,
	size_t n)
{
	(void)src;
	(void)why;
	(void)p;
	(void)n;
	__atomic_add_fetch(&((struct fx *)ctx)->rejects, 1, __ATOMIC_SEQ_CST);
}

static void
fx_start(struct fx *f, const char *opts)
{
	char spec[256], *cause = NULL;

	memset(f, 0, sizeof *f);
	snprintf(f->dir, sizeof f->dir, "/tmp/quan-wedge-XXXXXX");
	assert_non_null(mkdtemp(f->dir));
	snprintf(f->path, sizeof f->path, "%s/event0", f->dir);
	assert_int_equal(mkfifo(f->path, 0600), 0);
	assert_int_equal(evq_new(&f->q, 64), 0);
	f->m = scan_mgr_new(f->q, NULL);
	snprintf(spec, sizeof spec, "evdev:%s%s", f->path, opts);
	assert_int_equal(scan_mgr_add(f->m, spec, &cause), 0);
	scan_mgr_on_reject(f->m, on_reject, f);
	assert_int_equal(scan_mgr_start(f->m, &cause), 0);
	/* blocks until the driver thread has the read end open */
	f->w = open(f->path, O_WRONLY);
	assert_true(f->w >= 0);
	f->t_us = 1000000000ULL;
}

static void
fx_stop(struct fx *f)
{
	if (f->w >= 0)
		close(f->w);
	scan_mgr_free(f->m);
	evq_free(f->q);
	unlink(f->path);
	rmdir(f->dir);
}

static void
put(struct fx *f, unsigned type, unsigned code, int value)
{
	struct input_event ev;

	memset(&ev, 0, sizeof ev);
	ev.input_event_sec = (long)(f->t_us / 1000000);
	ev.input_event_usec = (long)(f->t_us % 1000000);
	ev.type = (uint16_t)type;
	ev.code = (uint16_t)code;
	ev.value = value;
	assert_int_equal(write(f->w, &ev, sizeof ev), (ssize_t)sizeof ev);
}

/* One key stroke (with Shift/AltGr if asked), gap_ms after the last. */
static void
stroke(struct fx *f, unsigned code, unsigned mod, unsigned gap_ms)
{
	f->t_us += gap_ms * 1000ULL;
	if (mod)
		put(f, EV_KEY, mod, 1);
	put(f, EV_KEY, code, 1);
	put(f, EV_SYN, SYN_REPORT, 0);
	put(f, EV_KEY, code, 0);
	if (mod)
		put(f, EV_KEY, mod, 0);
	put(f, EV_SYN, SYN_REPORT, 0);
}

struct k {
	unsigned code, mod;
};

#define S KEY_LEFTSHIFT
/* what a scanner set to US sends for "CPN:2024-ZX" */
static const struct k us_code[] = {
	{KEY_C, S}, {KEY_P, S}, {KEY_N, S}, {KEY_SEMICOLON, S}, {KEY_2, 0},
	{KEY_0, 0}, {KEY_2, 0}, {KEY_4, 0}, {KEY_MINUS, 0}, {KEY_Z, S},
	{KEY_X, S},
};
/* what a scanner set to German sends for "CPN:ZY-9" */
static const struct k de_code[] = {
	{KEY_C, S}, {KEY_P, S}, {KEY_N, S}, {KEY_DOT, S}, {KEY_Y, S},
	{KEY_Z, S}, {KEY_SLASH, 0}, {KEY_9, 0},
};

static void
type2(struct fx *f, const struct k *k, size_t n, unsigned first_ms,
	unsigned gap_ms, unsigned term)
{
	size_t i;

	for (i = 0; i < n; i++)
		stroke(f, k[i].code, k[i].mod, i == 0 ? first_ms : gap_ms);
	if (term)
		stroke(f, term, 0, gap_ms);
}

/* A burst starting 500 ms after whatever came before. */
static void
type(struct fx *f, const struct k *k, size_t n, unsigned gap_ms,
	unsigned term)
{
	type2(f, k, n, 500, gap_ms, term);
}

static int
next(struct fx *f, struct ev *ev, int ms)
{
	return evq_wait(f->q, ev, ms);
}

static void
test_us_burst(void **state)
{
	struct fx f;
	struct ev ev;

	(void)state;
	fx_start(&f, ",layout=us,dedupe=0");
	type(&f, us_code, 11, 2, KEY_ENTER);
	assert_int_equal(next(&f, &ev, 3000), 1);
	assert_int_equal(ev.type, EV_SCAN);
	assert_string_equal(ev.u.scan.text, "CPN:2024-ZX");
	assert_int_equal(ev.u.scan.source, SCAN_SRC_EVDEV);
	assert_int_equal(ev.u.scan.ikt_n, 10);
	assert_int_equal(ev.u.scan.ikt_max_ms, 2);
	assert_int_equal(ev.u.scan.dur_ms, 20);
	/* Tab ends a scan too */
	type(&f, us_code, 11, 3, KEY_TAB);
	assert_int_equal(next(&f, &ev, 3000), 1);
	assert_string_equal(ev.u.scan.text, "CPN:2024-ZX");
	assert_int_equal(ev.u.scan.ikt_max_ms, 3);
	fx_stop(&f);
}

static void
test_layouts(void **state)
{
	struct fx f;
	struct ev ev;

	(void)state;
	fx_start(&f, ",layout=de");
	type(&f, de_code, 8, 2, KEY_ENTER);
	assert_int_equal(next(&f, &ev, 3000), 1);
	assert_string_equal(ev.u.scan.text, "CPN:ZY-9");
	fx_stop(&f);
	/* the same key codes read with the wrong (US) table: the field
	 * complaint this setting exists for */
	fx_start(&f, ",layout=us");
	type(&f, de_code, 8, 2, KEY_ENTER);
	assert_int_equal(next(&f, &ev, 3000), 1);
	assert_string_equal(ev.u.scan.text, "CPN>YZ/9");
	fx_stop(&f);
}

static void
test_human_vs_scanner(void **state)
{
	struct fx f;
	struct ev ev;

	(void)state;
	fx_start(&f, ",layout=us,dedupe=0");
	/* a person typing 150 ms apart: never a scan */
	type(&f, us_code, 11, 150, KEY_ENTER);
	assert_int_equal(next(&f, &ev, 600), 0);
	assert_true(__atomic_load_n(&f.rejects, __ATOMIC_SEQ_CST) >= 1);
	/* a 70 ms USB stall within the 100 ms gap still joins */
	type(&f, us_code, 6, 2, 0);
	type2(&f, us_code + 6, 5, 70, 2, KEY_ENTER);
	assert_int_equal(next(&f, &ev, 3000), 1);
	assert_string_equal(ev.u.scan.text, "CPN:2024-ZX");
	assert_int_equal(ev.u.scan.ikt_max_ms, 70);
	fx_stop(&f);
	/* a stall over the gap: the tail is not emitted as a short code when
	 * a prefix is required */
	fx_start(&f, ",layout=us,gap=50,prefix=CPN:");
	type(&f, us_code, 5, 2, 0);
	type2(&f, us_code + 5, 6, 200, 2, KEY_ENTER);
	assert_int_equal(next(&f, &ev, 600), 0);
	assert_true(__atomic_load_n(&f.rejects, __ATOMIC_SEQ_CST) >= 2);
	/* autorepeat and stray Enter are ignored; min length 3 */
	stroke(&f, KEY_ENTER, 0, 500);
	f.t_us += 500000;
	put(&f, EV_KEY, KEY_A, 2);
	type(&f, us_code, 2, 2, KEY_ENTER);
	assert_int_equal(next(&f, &ev, 600), 0);
	fx_stop(&f);
}

static void
test_unplug_mid_scan(void **state)
{
	struct fx f;
	struct ev ev;
	int downs = 0, ups = 0, scans = 0, i;

	(void)state;
	fx_start(&f, ",layout=us,dedupe=0");
	type(&f, us_code, 5, 2, 0);   /* half a scan, then the cable goes */
	close(f.w);
	f.w = -1;
	unlink(f.path);               /* the device node disappears */
	/* several retries happen while it is away: reported once */
	for (i = 0; i < 12 && next(&f, &ev, 100) >= 0; i++)
		if (ev.type == EV_DRIVER_FAULT && !ev.u.fault.up)
			downs++, ev.type = EV_NONE;
		else if (ev.type == EV_SCAN)
			scans++, ev.type = EV_NONE;
	assert_int_equal(downs, 1);
	assert_int_equal(scans, 0);
	/* plugged in again */
	assert_int_equal(mkfifo(f.path, 0600), 0);
	f.w = open(f.path, O_WRONLY);
	assert_true(f.w >= 0);
	type(&f, us_code, 11, 2, KEY_ENTER);
	for (i = 0; i < 50 && scans == 0; i++) {
		if (next(&f, &ev, 100) != 1)
			continue;
		if (ev.type == EV_DRIVER_FAULT)
			ev.u.fault.up ? ups++ : downs++;
		if (ev.type == EV_SCAN) {
			scans++;
			/* the half scan from before did not leak in */
			assert_string_equal(ev.u.scan.text, "CPN:2024-ZX");
		}
	}
	assert_int_equal(ups, 1);
	assert_int_equal(downs, 1);
	assert_int_equal(scans, 1);
	fx_stop(&f);
}

static void
test_syn_dropped_and_split_records(void **state)
{
	struct fx f;
	struct ev ev;
	struct input_event e;
	const uint8_t *b = (const uint8_t *)&e;

	(void)state;
	fx_start(&f, ",layout=us,dedupe=0");
	type(&f, us_code, 4, 2, 0);
	put(&f, EV_SYN, SYN_DROPPED, 0);  /* kernel overflowed */
	put(&f, EV_SYN, SYN_REPORT, 0);
	stroke(&f, KEY_ENTER, 0, 2);
	assert_int_equal(next(&f, &ev, 500), 0);
	/* a record split across two writes is reassembled */
	type(&f, us_code, 11, 2, 0);
	memset(&e, 0, sizeof e);
	f.t_us += 2000;
	e.input_event_sec = (long)(f.t_us / 1000000);
	e.input_event_usec = (long)(f.t_us % 1000000);
	e.type = EV_KEY;
	e.code = KEY_ENTER;
	e.value = 1;
	assert_int_equal(write(f.w, b, 7), 7);
	usleep(50000);
	assert_int_equal(write(f.w, b + 7, sizeof e - 7),
		(ssize_t)(sizeof e - 7));
	put(&f, EV_KEY, KEY_ENTER, 0); /* the scan ends when Enter is up */
	assert_int_equal(next(&f, &ev, 3000), 1);
	assert_string_equal(ev.u.scan.text, "CPN:2024-ZX");
	fx_stop(&f);
}

static void
test_bad_specs(void **state)
{
	struct evq *q;
	struct scan_mgr *m;
	char *cause = NULL;

	(void)state;
	assert_int_equal(evq_new(&q, 4), 0);
	m = scan_mgr_new(q, NULL);
	assert_int_equal(scan_mgr_add(m, "evdev:/x,layout=zz", &cause),
		QUAN_EINVAL);
	assert_non_null(strstr(cause, "layout"));
	free(cause);
	assert_int_equal(scan_mgr_add(m, "evdev:/x,color=red", &cause),
		QUAN_EINVAL);
	free(cause);
	assert_int_equal(scan_mgr_add(m, "evdev:/x,gap=abc", &cause),
		QUAN_EINVAL);
	free(cause);
	assert_int_equal(scan_mgr_add(m, "evdev", &cause), QUAN_EINVAL);
	free(cause);
	assert_int_equal(scan_mgr_add(m, "nope:/x", &cause), QUAN_EINVAL);
	free(cause);
	assert_int_equal(scan_mgr_add(m, "image:/nonexistent.png", &cause),
		QUAN_ENOTFOUND);
	free(cause);
	assert_int_equal(scan_mgr_add(m, "serial:/x,baud=1234", &cause),
		QUAN_EINVAL);
	free(cause);
	assert_int_equal(scan_mgr_add(m, "stdin,prefix=\\x0", &cause),
		QUAN_EINVAL);
	free(cause);
	scan_mgr_free(m);
	evq_free(q);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_us_burst),
		cmocka_unit_test(test_layouts),
		cmocka_unit_test(test_human_vs_scanner),
		cmocka_unit_test(test_unplug_mid_scan),
		cmocka_unit_test(test_syn_dropped_and_split_records),
		cmocka_unit_test(test_bad_specs),
	};

	log_set_level(LOG_ERROR);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
