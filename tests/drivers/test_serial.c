/* test_serial.c — the serial source end to end through the manager on a
 * pseudo-terminal (openpty): CR/LF framing, AIM ids, custom prefix and
 * suffix, scans split across writes, a fragment without suffix, a hang-up
 * (reported once, retried) and the scanner coming back on the same path.
 * Threads: labelled tsan. */
#include <errno.h>
#include <fcntl.h>
#include <pty.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>
#include <cmocka.h>

#include "core/evq.h"
#include "drivers/scan.h"
#include "util/err.h"
#include "util/log.h"

struct fx {
	char dir[64], link[96];
	int master, slave;
	struct evq *q;
	struct scan_mgr *m;
};

/* A new pty; the stable path (like /dev/serial/by-id/...) points to it. */
static void
plug(struct fx *f)
{
	char name[128], tmp[128];

	assert_int_equal(openpty(&f->master, &f->slave, name, NULL, NULL), 0);
	snprintf(tmp, sizeof tmp, "%s.new", f->link);
	unlink(tmp);
	assert_int_equal(symlink(name, tmp), 0);
	assert_int_equal(rename(tmp, f->link), 0);
}

/* Unplugged, as a USB scanner is: its port and its stable name go. (With
 * the name left pointing at the freed /dev/pts/N, the driver's retry
 * could open the next pty anyone allocates, e.g. a test beside this one:
 * an "up" while unplugged, seen under qemu.) */
static void
unplug(struct fx *f)
{
	unlink(f->link);
	close(f->slave);
	close(f->master);
	f->master = f->slave = -1;
}

static void
fx_start(struct fx *f, const char *opts)
{
	char spec[256], *cause = NULL;

	memset(f, 0, sizeof *f);
	snprintf(f->dir, sizeof f->dir, "/tmp/quan-serial-XXXXXX");
	assert_non_null(mkdtemp(f->dir));
	snprintf(f->link, sizeof f->link, "%s/ttyScanner", f->dir);
	plug(f);
	assert_int_equal(evq_new(&f->q, 64), 0);
	f->m = scan_mgr_new(f->q, NULL);
	snprintf(spec, sizeof spec, "serial:%s%s", f->link, opts);
	assert_int_equal(scan_mgr_add(f->m, spec, &cause), 0);
	assert_int_equal(scan_mgr_start(f->m, &cause), 0);
	usleep(200000); /* let the driver thread open and set raw mode */
}

static void
fx_stop(struct fx *f)
{
	scan_mgr_free(f->m);
	evq_free(f->q);
	if (f->master >= 0)
		unplug(f);
	unlink(f->link);
	rmdir(f->dir);
}

static void
say(struct fx *f, const char *s, size_t n)
{
	assert_int_equal(write(f->master, s, n), (ssize_t)n);
}

#define SAY(f, s) say(f, s, sizeof s - 1)

static int
next_scan(struct fx *f, struct ev *ev, int ms)
{
	uint64_t i;

	for (i = 0; i < (uint64_t)ms / 50; i++)
		if (evq_wait(f->q, ev, 50) == 1 && ev->type == EV_SCAN)
			return 1;
	return 0;
}

static void
test_framing_aim(void **state)
{
	struct fx f;
	struct ev ev;

	(void)state;
	fx_start(&f, ",baud=9600,dedupe=0,charset=gb18030");
	SAY(&f, "]Q1CPN:2024-ZX-0042\r\n");
	assert_int_equal(next_scan(&f, &ev, 3000), 1);
	assert_string_equal(ev.u.scan.text, "CPN:2024-ZX-0042");
	assert_string_equal(ev.u.scan.symbology, "QR-Code");
	assert_string_equal(ev.u.scan.aim, "]Q1");
	assert_int_equal(ev.u.scan.source, SCAN_SRC_SERIAL);
	SAY(&f, "]E04006381333931\r");
	assert_int_equal(next_scan(&f, &ev, 3000), 1);
	assert_string_equal(ev.u.scan.text, "4006381333931");
	assert_string_equal(ev.u.scan.symbology, "EAN-13");
	/* GS1-128: GS kept in raw, text refused (control character) */
	SAY(&f, "]C10109501101530003\x1d" "10ABC123\n");
	assert_int_equal(next_scan(&f, &ev, 3000), 1);
	assert_string_equal(ev.u.scan.symbology, "GS1-128");
	assert_true(ev.u.scan.flags & SCAN_F_GS1);
	assert_true(ev.u.scan.flags & SCAN_F_BINARY);
	assert_string_equal(ev.u.scan.text, "");
	assert_int_equal(ev.u.scan.raw_len, 25);
	assert_int_equal(ev.u.scan.raw[16], 0x1d);
	/* no AIM id: symbology unknown, text as is */
	SAY(&f, "PLAIN-42\r\n");
	assert_int_equal(next_scan(&f, &ev, 3000), 1);
	assert_string_equal(ev.u.scan.text, "PLAIN-42");
	assert_string_equal(ev.u.scan.symbology, "");
	/* split across USB packets */
	SAY(&f, "]C0CODE");
	usleep(40000);
	SAY(&f, "128");
	usleep(40000);
	SAY(&f, "X\r\n");
	assert_int_equal(next_scan(&f, &ev, 3000), 1);
	assert_string_equal(ev.u.scan.text, "CODE128X");
	assert_string_equal(ev.u.scan.symbology, "CODE-128");
	/* GB18030 Chinese from a serial scanner set to GBK output (the
	 * source says charset=gb18030) */
	SAY(&f, "\xd3\xc5\xbb\xdd\xc8\xaf\r\n");
	assert_int_equal(next_scan(&f, &ev, 3000), 1);
	assert_string_equal(ev.u.scan.text, "优惠券");
	assert_string_equal(ev.u.scan.encoding, "gb18030");
	/* the diagnostics ring: newest first */
	{
		struct ev_scan last[3];

		assert_int_equal(scan_mgr_recent(f.m, last, 3), 3);
		assert_string_equal(last[0].encoding, "gb18030");
		assert_string_equal(last[1].text, "CODE128X");
		assert_string_equal(last[2].text, "PLAIN-42");
	}
	fx_stop(&f);
}

static void
test_prefix_suffix_dedupe(void **state)
{
	struct fx f;
	struct ev ev;

	(void)state;
	fx_start(&f, ",prefix=\\x02,suffix=\\x03");
	SAY(&f, "\x02]Q1ABC-1\x03");
	assert_int_equal(next_scan(&f, &ev, 3000), 1);
	assert_string_equal(ev.u.scan.text, "ABC-1");
	assert_string_equal(ev.u.scan.aim, "]Q1");
	/* a double trigger within the window: delivered once */
	SAY(&f, "\x02]Q1ABC-1\x03");
	assert_int_equal(next_scan(&f, &ev, 700), 0);
	/* CR/LF are data when the suffix is custom; the prefix is required */
	SAY(&f, "]Q1NOPREFIX\x03");
	assert_int_equal(next_scan(&f, &ev, 700), 0);
	/* a fragment without suffix is dropped after 1 s, not glued on */
	SAY(&f, "\x02STALE");
	usleep(1300000);
	SAY(&f, "\x02" "FRESH\x03");
	assert_int_equal(next_scan(&f, &ev, 3000), 1);
	assert_string_equal(ev.u.scan.text, "FRESH");
	fx_stop(&f);
	/* scanners without any suffix: idle flush */
	fx_start(&f, ",suffix=\\x03,idle=150");
	SAY(&f, "NOSUFFIX-9");
	assert_int_equal(next_scan(&f, &ev, 3000), 1);
	assert_string_equal(ev.u.scan.text, "NOSUFFIX-9");
	fx_stop(&f);
}

static void
test_hangup_reopen(void **state)
{
	struct fx f;
	struct ev ev;
	int downs = 0, ups = 0, i;

	(void)state;
	fx_start(&f, ",dedupe=0");
	SAY(&f, "]Q1HALF");     /* half a scan, then unplugged */
	usleep(50000);
	unplug(&f);
	for (i = 0; i < 30; i++)  /* ~1.5 s: several retries */
		if (evq_wait(f.q, &ev, 50) == 1) {
			assert_int_equal(ev.type, EV_DRIVER_FAULT);
			assert_false(ev.u.fault.up);
			downs++;
		}
	assert_int_equal(downs, 1);
	plug(&f);                /* back, under the same stable name */
	for (i = 0; i < 100 && ups == 0; i++)
		if (evq_wait(f.q, &ev, 50) == 1 &&
		    ev.type == EV_DRIVER_FAULT && ev.u.fault.up)
			ups++;
	assert_int_equal(ups, 1);
	usleep(100000);
	SAY(&f, "]Q1AFTER-REPLUG\r\n");
	assert_int_equal(next_scan(&f, &ev, 3000), 1);
	assert_string_equal(ev.u.scan.text, "AFTER-REPLUG");
	fx_stop(&f);
}

static void
test_too_long(void **state)
{
	struct fx f;
	struct ev ev;
	char big[1200];

	(void)state;
	fx_start(&f, "");
	memset(big, 'A', sizeof big);
	say(&f, big, sizeof big);
	SAY(&f, "\r\n");
	memset(big, 'B', 512);
	say(&f, big, 512);          /* one over SCAN_MAX_LEN */
	SAY(&f, "\r\n");
	memset(big, 'C', 511);
	say(&f, big, 511);          /* exactly the cap */
	SAY(&f, "\r\n");
	assert_int_equal(next_scan(&f, &ev, 3000), 1);
	assert_int_equal(ev.u.scan.raw_len, 511);
	assert_int_equal(ev.u.scan.raw[0], 'C');
	assert_int_equal(next_scan(&f, &ev, 500), 0);
	fx_stop(&f);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_framing_aim),
		cmocka_unit_test(test_prefix_suffix_dedupe),
		cmocka_unit_test(test_hangup_reopen),
		cmocka_unit_test(test_too_long),
	};

	log_set_level(LOG_ERROR);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
