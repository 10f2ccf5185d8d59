/* test_wedge_device.c — the evdev keyboard-wedge source against the fake
 * input device of libquanfake (fake/fake.h), as at a till where the
 * scanner and the cashier's keyboard are one device: EVIOCGRAB (a second
 * reader is refused until the first lets go), EVIOCGNAME, the Caps Lock
 * LED; scanners typing 1–5 ms apart in us, de and fr layouts with Shift,
 * Caps Lock mode and a Caps Lock LED left on; a person typing on the same
 * keyboard (slow, fast, short taps, and in the middle of scans) is never
 * taken for a scan; 400 scans with stalls and interleaved typing are each
 * read exactly once — never split, never merged; unplugged mid-code.
 * Threads: labelled tsan. */
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
#include "drivers/keymap.h"
#include "drivers/scan.h"
#include "fake.h"
#include "util/log.h"
#include "util/tm.h"
#include "util/xmem.h"

#include <linux/input.h>

#define DEV "/dev/input/event0"

/* ---- events, built in time order ---- */

struct e {
	uint64_t t;
	uint32_t ord;
	uint16_t code;
	int8_t v;
};

static struct e evs[1 << 17];
static size_t nev;
static uint64_t now_us = 1000000000ULL; /* "kernel" time */
static unsigned rnd = 12345;

static unsigned
rand_in(unsigned lo, unsigned hi)
{
	rnd = rnd * 1103515245u + 12345u;
	return lo + (rnd >> 8) % (hi - lo + 1);
}

static void
add(uint64_t t, unsigned code, int v)
{
	assert_true(nev < sizeof evs / sizeof evs[0]);
	evs[nev].t = t;
	evs[nev].ord = (uint32_t)nev;
	evs[nev].code = (uint16_t)code;
	evs[nev].v = (int8_t)v;
	nev++;
}

static int
cmp_e(const void *a, const void *b)
{
	const struct e *x = a, *y = b;

	if (x->t != y->t)
		return x->t < y->t ? -1 : 1;
	return x->ord < y->ord ? -1 : x->ord > y->ord;
}

/* Hand the events, sorted by time, to the device. */
static void
flush(void)
{
	size_t i;

	qsort(evs, nev, sizeof evs[0], cmp_e);
	for (i = 0; i < nev; i++) {
		fakekbd_event(EV_KEY, evs[i].code, evs[i].v, evs[i].t);
		if (i + 1 == nev || evs[i + 1].t != evs[i].t)
			fakekbd_event(EV_SYN, SYN_REPORT, 0, evs[i].t);
	}
	nev = 0;
}

/* The key and Shift/AltGr that type c in layout km. */
static void
key_for(const struct keymap *km, char c, unsigned *code, unsigned *mod)
{
	static const unsigned mods[] = {0, KEYMAP_SHIFT, KEYMAP_ALTGR};
	static const unsigned modkey[] = {0, KEY_LEFTSHIFT, KEY_RIGHTALT};
	unsigned k, m;
	char out[8];
	int dead;

	for (m = 0; m < 3; m++)
		for (k = 1; k < 128; k++)
			if (k != KEY_SPACE &&
			    keymap_char(km, k, mods[m], out, &dead) == 1 &&
			    !dead && out[0] == c) {
				*code = k;
				*mod = modkey[m];
				return;
			}
	fail_msg("no key types '%c'", c);
}

/* A scanner typing s at t: gaps gmin..gmax ms, keys held < 1 ms, a
 * stall of stall_ms before character stall_at (0: none), then Enter.
 * Returns the time after the Enter. */
static uint64_t
scanner(const struct keymap *km, const char *s, uint64_t t, unsigned gmin,
	unsigned gmax, size_t stall_at, unsigned stall_ms)
{
	size_t i, n = strlen(s);

	for (i = 0; i <= n; i++) {
		unsigned code = KEY_ENTER, mod = 0, h = rand_in(100, 900);

		if (i < n)
			key_for(km, s[i], &code, &mod);
		if (mod)
			add(t, mod, 1);
		add(t, code, 1);
		add(t + h, code, 0);
		if (mod)
			add(t + h, mod, 0);
		t += (uint64_t)rand_in(gmin, gmax) * 1000;
		if (stall_at > 0 && i + 1 == stall_at)
			t += (uint64_t)stall_ms * 1000;
	}
	return t;
}

/* A person typing s (+ Enter) at t: gaps gmin..gmax ms, holds
 * hmin..hmax ms, Shift held around capitals. Returns the end time. */
static uint64_t
person(const struct keymap *km, const char *s, uint64_t t, unsigned gmin,
	unsigned gmax, unsigned hmin, unsigned hmax)
{
	size_t i, n = strlen(s);

	for (i = 0; i <= n; i++) {
		unsigned code = KEY_ENTER, mod = 0;
		uint64_t h = (uint64_t)rand_in(hmin, hmax) * 1000;

		if (i < n)
			key_for(km, s[i], &code, &mod);
		if (mod)
			add(t - 30000, mod, 1);
		add(t, code, 1);
		add(t + h, code, 0);
		if (mod)
			add(t + h + 20000, mod, 0);
		t += (uint64_t)rand_in(gmin, gmax) * 1000;
	}
	return t;
}

/* ---- the source ---- */

struct fx {
	struct evq *q;
	struct scan_mgr *m;
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
start(struct fx *f, const char *opts)
{
	char *spec = xasprintf("evdev:" DEV "%s", opts), *cause = NULL;
	struct fakekbd_stats st;
	int i;

	memset(f, 0, sizeof *f);
	assert_int_equal(evq_new(&f->q, 1024), 0);
	f->m = scan_mgr_new(f->q, NULL);
	assert_int_equal(scan_mgr_add(f->m, spec, &cause), 0);
	scan_mgr_on_reject(f->m, on_reject, f);
	assert_int_equal(scan_mgr_start(f->m, &cause), 0);
	free(spec);
	for (i = 0; i < 200; i++) {
		fakekbd_get_stats(&st);
		if (st.grabbed)
			break;
		usleep(10000);
	}
	assert_true(st.grabbed);
}

static void
stop(struct fx *f)
{
	struct fakekbd_stats st;

	scan_mgr_free(f->m);
	evq_free(f->q);
	fakekbd_get_stats(&st);
	assert_int_equal(st.fds_open, 0);
	assert_false(st.grabbed);
}

/* Collect scan texts until the device is drained and 300 ms are quiet. */
static int
scans(struct fx *f, char texts[][64], int max)
{
	struct ev ev;
	int n = 0, quiet = 0;

	while (quiet < 3) {
		if (evq_wait(f->q, &ev, 100) == 1) {
			quiet = 0;
			if (ev.type == EV_SCAN) {
				if (n < max)
					snprintf(texts[n], 64, "%.63s",
						ev.u.scan.text);
				n++;
			}
		} else if (fakekbd_drained()) {
			quiet++;
		}
	}
	return n;
}

static const struct keymap *us, *de, *fr;

static int
setup(void **state)
{
	(void)state;
	us = keymap_find("us");
	de = keymap_find("de");
	fr = keymap_find("fr");
	log_set_level(LOG_ERROR);
	return 0;
}

static void
test_grab_is_exclusive_and_named(void **state)
{
	struct fakekbd_stats st;
	struct fx f, g;
	struct ev ev;
	char *cause = NULL;

	(void)state;
	fakekbd_reset(DEV, "Honeywell Imaging & Mobility 1900");
	start(&f, "");
	fakekbd_get_stats(&st);
	assert_int_equal(st.grabs, 1);
	assert_true(st.names_asked >= 1);
	/* a second program: refused while the first holds the grab */
	assert_int_equal(evq_new(&g.q, 16), 0);
	g.m = scan_mgr_new(g.q, NULL);
	assert_int_equal(scan_mgr_add(g.m, "evdev:" DEV, &cause), 0);
	assert_int_equal(scan_mgr_start(g.m, &cause), 0);
	assert_int_equal(evq_wait(g.q, &ev, 3000), 1);
	assert_int_equal(ev.type, EV_DRIVER_FAULT);
	assert_int_equal(ev.u.fault.up, 0);
	assert_non_null(strstr(ev.u.fault.what, "grabbed by another"));
	/* the first lets go (closing releases the grab): the second gets it */
	stop(&f);
	assert_int_equal(evq_wait(g.q, &ev, 6000), 1);
	assert_int_equal(ev.type, EV_DRIVER_FAULT);
	assert_int_equal(ev.u.fault.up, 1);
	fakekbd_get_stats(&st);
	assert_true(st.grab_busy >= 1);
	assert_int_equal(st.grabs, 2);
	scan_mgr_free(g.m);
	evq_free(g.q);
}

static void
test_layouts_at_scanner_rate(void **state)
{
	/* fr AZERTY by hand: digits are shifted, A is on Q, ':' on '.' */
	static const unsigned fr_keys[][2] = {
		{KEY_Q, KEY_LEFTSHIFT}, {KEY_W, KEY_LEFTSHIFT}, {KEY_DOT, 0},
		{KEY_2, KEY_LEFTSHIFT}, {KEY_0, KEY_LEFTSHIFT},
		{KEY_SEMICOLON, 0}, {KEY_ENTER, 0},
	};
	char t[8][64];
	struct fx f;
	uint64_t t0;
	size_t i;

	(void)state;
	fakekbd_reset(DEV, "scanner");
	start(&f, ",layout=fr,dedupe=0");
	t0 = now_us += 1000000;
	for (i = 0; i < sizeof fr_keys / sizeof fr_keys[0]; i++) {
		if (fr_keys[i][1])
			add(t0, fr_keys[i][1], 1);
		add(t0, fr_keys[i][0], 1);
		add(t0 + 500, fr_keys[i][0], 0);
		if (fr_keys[i][1])
			add(t0 + 500, fr_keys[i][1], 0);
		t0 += 3000;
	}
	/* and a payment code typed by the table's inverse, 1-5 ms apart */
	now_us = scanner(fr, "134567890123456789", t0 + 800000, 1, 5, 0, 0);
	flush();
	assert_int_equal(scans(&f, t, 8), 2);
	assert_string_equal(t[0], "AZ:20m");
	assert_string_equal(t[1], "134567890123456789");
	stop(&f);
	fakekbd_reset(DEV, "scanner");
	start(&f, ",layout=de,dedupe=0");
	now_us = scanner(de, "CPN:ZY-2024", now_us + 1000000, 1, 5, 0, 0);
	now_us = scanner(de, "8723104455667788990011", now_us + 800000, 1, 5,
		0, 0);
	flush();
	assert_int_equal(scans(&f, t, 8), 2);
	assert_string_equal(t[0], "CPN:ZY-2024");
	assert_string_equal(t[1], "8723104455667788990011");
	stop(&f);
}

static void
test_shift_and_caps_lock(void **state)
{
	static const unsigned cpn[] = {KEY_C, KEY_P, KEY_N};
	char t[8][64];
	struct fx f;
	uint64_t t0;
	size_t i;

	(void)state;
	fakekbd_reset(DEV, "scanner");
	/* Caps Lock LED on when quan opens it: a scanner that compensates
	 * sends plain keys for capitals */
	fakekbd_led_caps(1);
	start(&f, ",dedupe=0");
	t0 = now_us += 1000000;
	for (i = 0; i < 3; i++, t0 += 2000) {
		add(t0, cpn[i], 1);
		add(t0 + 400, cpn[i], 0);
	}
	add(t0, KEY_ENTER, 1);
	add(t0 + 400, KEY_ENTER, 0);
	flush();
	assert_int_equal(scans(&f, t, 8), 1);
	assert_string_equal(t[0], "CPN");
	stop(&f);

	fakekbd_reset(DEV, "scanner");
	start(&f, ",dedupe=0");
	/* a scanner in Caps Lock mode: Caps Lock, letters, Caps Lock */
	t0 = now_us += 1000000;
	add(t0, KEY_CAPSLOCK, 1);
	add(t0 + 300, KEY_CAPSLOCK, 0);
	for (i = 0, t0 += 2000; i < 3; i++, t0 += 2000) {
		add(t0, cpn[i], 1);
		add(t0 + 400, cpn[i], 0);
	}
	add(t0, KEY_CAPSLOCK, 1);
	add(t0 + 300, KEY_CAPSLOCK, 0);
	add(t0 + 2000, KEY_1, 1);
	add(t0 + 2300, KEY_1, 0);
	add(t0 + 4000, KEY_ENTER, 1);
	add(t0 + 4300, KEY_ENTER, 0);
	/* a person toggles Caps Lock on the same keyboard: the scanner's
	 * Shift+letters still mean capitals */
	t0 += 1000000;
	add(t0, KEY_CAPSLOCK, 1);
	add(t0 + 90000, KEY_CAPSLOCK, 0);
	now_us = scanner(us, "QA7K2M9X4P0C", t0 + 700000, 1, 5, 0, 0);
	/* a person holding Shift while a payment code is scanned: digits,
	 * not !@# */
	t0 = now_us + 500000;
	add(t0, KEY_LEFTSHIFT, 1);
	now_us = scanner(us, "134567890123456789", t0 + 100000, 1, 5, 0, 0);
	add(now_us + 200000, KEY_LEFTSHIFT, 0);
	flush();
	assert_int_equal(scans(&f, t, 8), 3);
	assert_string_equal(t[0], "CPN1");
	assert_string_equal(t[1], "QA7K2M9X4P0C");
	assert_string_equal(t[2], "134567890123456789");
	stop(&f);
}

static void
test_person_typing_is_never_a_scan(void **state)
{
	static const char *const words[] = {"CPN:2024-ZX", "1234", "ok",
		"134567890123456789", "qa7k2m", "100", "8723104455"};
	char t[8][64], w[16];
	struct fx f;
	int i;

	(void)state;
	fakekbd_reset(DEV, "keyboard with a scanner behind it");
	start(&f, ",dedupe=0");
	for (i = 0; i < 7; i++) {
		/* an ordinary typist, a fast one, a light-fingered one */
		now_us = person(us, words[i], now_us + 1000000, 90, 250, 60,
			120);
		now_us = person(us, words[i], now_us + 1000000, 40, 90, 45, 90);
		now_us = person(us, words[i], now_us + 1000000, 45, 90, 12, 30);
	}
	/* 200 random short codes keyed in fast */
	for (i = 0; i < 200; i++) {
		int k, n = (int)rand_in(3, 8);

		for (k = 0; k < n; k++)
			w[k] = (char)('0' + rand_in(0, 9));
		w[n] = '\0';
		now_us = person(us, w, now_us + 700000, 35, 140, 15, 110);
	}
	flush();
	assert_int_equal(scans(&f, t, 8), 0);
	assert_true(__atomic_load_n(&f.rejects, __ATOMIC_SEQ_CST) >= 21);
	stop(&f);
}

static void
test_scans_never_split_or_merged(void **state)
{
	static char want[400][32], t[420][64];
	struct fx f;
	int i, n;

	(void)state;
	fakekbd_reset(DEV, "keyboard with a scanner behind it");
	start(&f, ",dedupe=0");
	for (i = 0; i < 400; i++) {
		int k, len = i % 2 ? 18 : 22;
		uint64_t t0 = now_us + 300000 + rand_in(0, 400000), end;

		for (k = 0; k < len; k++)
			want[i][k] = (char)('0' + rand_in(0, 9));
		want[i][0] = i % 2 ? '1' : '8';
		want[i][len] = '\0';
		/* one scan in ten stalls 20-80 ms (USB), one in five is
		 * followed 8 ms later by the next, and people type around
		 * and during the scans */
		end = scanner(us, want[i], t0, 1, 5, i % 10 == 3 ?
			rand_in(2, 15) : 0, rand_in(20, 80));
		if (i % 3 == 0) /* a key pressed during the scan */
			add(t0 + rand_in(0, 40) * 1000, KEY_A + rand_in(0, 8),
				1), add(t0 + 150000, KEY_A, 0);
		if (i % 4 == 1) /* a key held down just before it */
			add(t0 - 60000, KEY_7, 1), add(t0 + 40000, KEY_7, 0);
		now_us = i % 5 == 2 ? end - 300000 : end;
	}
	flush();
	n = scans(&f, t, 420);
	assert_int_equal(n, 400);
	for (i = 0; i < 400; i++)
		if (strcmp(t[i], want[i]) != 0)
			fail_msg("scan %d: got '%s', want '%s'", i, t[i],
				want[i]);
	/* a stall longer than gap=: neither half becomes a scan */
	now_us = scanner(us, "8723104455667788990011", now_us + 1000000, 1,
		5, 11, 150);
	now_us = scanner(us, "134567890123456789", now_us + 1000000, 1, 5, 0,
		0);
	flush();
	assert_int_equal(scans(&f, t, 8), 1);
	assert_string_equal(t[0], "134567890123456789");
	stop(&f);
}

static void
test_unplug_mid_code(void **state)
{
	struct fx f;
	struct ev ev;
	char t[8][64];
	int i, downs = 0, ups = 0;

	(void)state;
	fakekbd_reset(DEV, "scanner");
	start(&f, ",dedupe=0");
	/* half a code, read, and the cable goes */
	now_us = scanner(us, "8723104455667788990011", now_us + 1000000, 1, 5,
		0, 0);
	nev -= 2 * 14;  /* only the first characters left the scanner */
	flush();
	for (i = 0; i < 100 && !fakekbd_drained(); i++)
		usleep(10000);
	usleep(100000);
	fakekbd_unplug();
	for (i = 0; i < 20 && downs == 0; i++)
		if (evq_wait(f.q, &ev, 100) == 1 && ev.type == EV_DRIVER_FAULT)
			downs += !ev.u.fault.up;
	assert_int_equal(downs, 1);
	usleep(600000);
	fakekbd_replug();
	for (i = 0; i < 60 && ups == 0; i++)
		if (evq_wait(f.q, &ev, 100) == 1 && ev.type == EV_DRIVER_FAULT)
			ups += ev.u.fault.up;
	assert_int_equal(ups, 1);
	/* plugged in again: the next scan is whole, nothing of the half */
	now_us = scanner(us, "134567890123456789", now_us + 300000, 1, 5, 0,
		0);
	flush();
	assert_int_equal(scans(&f, t, 8), 1);
	assert_string_equal(t[0], "134567890123456789");
	assert_true(__atomic_load_n(&f.rejects, __ATOMIC_SEQ_CST) >= 1);
	stop(&f);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_grab_is_exclusive_and_named),
		cmocka_unit_test(test_layouts_at_scanner_rate),
		cmocka_unit_test(test_shift_and_caps_lock),
		cmocka_unit_test(test_person_typing_is_never_a_scan),
		cmocka_unit_test(test_scans_never_split_or_merged),
		cmocka_unit_test(test_unplug_mid_code),
	};

	return cmocka_run_group_tests(tests, setup, NULL);
}
