/* test_session.c — the terminal session driven headless (a script of events
 * in, view states out) on a temp store with the core's test data: login,
 * a two-coupon sale with the right due, rejection reasons in plain words,
 * a payment code at the coupon step, offline acceptance and a cap that
 * needs a manager, void with a manager PIN, X/Z reports, kiosk exit, both
 * languages. No terminal, no network. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/checkout.h"
#include "core/evq.h"
#include "core/import.h"
#include "core/session.h"
#include "store/store.h"
#include "ui/headless.h"
#include "ui/text.h"
#include "util/config.h"
#include "util/err.h"
#include "util/tm.h"
#include "util/xmem.h"

#ifndef DATA_DIR
#error DATA_DIR must point at tests/core/data
#endif

struct fx {
	char dir[64];
	struct config *cfg;
	struct store *st;
	struct checkout *co;
	struct evq *q;
	struct session *s;
};

static void
fx_up(struct fx *f, int kiosk, int per_hour)
{
	struct checkout_opts co;
	struct session_opts so;
	char *cause = NULL, *db;
	int64_t n;
	FILE *fp;

	memset(f, 0, sizeof *f);
	snprintf(f->dir, sizeof f->dir, "/tmp/quan-ui-test-XXXXXX");
	assert_non_null(mkdtemp(f->dir));
	config_defaults(&f->cfg);
	if (per_hour > 0)
		f->cfg->off_max_per_hour = per_hour;
	assert_int_equal(tm_set_zone("Asia/Shanghai"), 0);
	db = xasprintf("%s/quan.db", f->dir);
	assert_int_equal(store_open(db, 0, &f->st, &cause), 0);
	free(db);
	assert_int_equal(import_stocks(f->st, DATA_DIR "/stocks.json",
	    tm_now(), &n, &cause), 0);
	assert_int_equal(import_cards(f->st, DATA_DIR "/cards.json",
	    tm_now(), &n, &cause), 0);
	fp = fopen(DATA_DIR "/codes.csv", "r");
	assert_non_null(fp);
	assert_int_equal(import_codes(f->st, fp, "codes.csv", tm_now(), &n, NULL,
	    &cause), 0);
	fclose(fp);
	assert_int_equal(staff_set(f->dir, "1001", STAFF_CASHIER, "1234",
	    &cause), 0);
	assert_int_equal(staff_set(f->dir, "9001", STAFF_MANAGER, "9999",
	    &cause), 0);
	memset(&co, 0, sizeof co);
	co.cfg = f->cfg;
	co.st = f->st;
	co.journal_scans = 1;
	assert_int_equal(checkout_new(&co, &f->co, &cause), 0);
	assert_int_equal(evq_new(&f->q, 256), 0);
	memset(&so, 0, sizeof so);
	so.cfg = f->cfg;
	so.data_dir = f->dir;
	so.st = f->st;
	so.co = f->co;
	so.kiosk = kiosk;
	so.autologin = kiosk ? "kiosk" : NULL;
	assert_int_equal(session_new(&f->s, &so, &cause), 0);
}

static void
fx_down(struct fx *f)
{
	char *cmd;

	session_free(f->s);
	evq_free(f->q);
	checkout_free(f->co);
	store_close(f->st);
	config_free(f->cfg);
	cmd = xasprintf("rm -rf '%s'", f->dir);
	assert_int_equal(system(cmd), 0);
	free(cmd);
}

/* Run a script; every `expect` must hold. */
static void
drive(struct fx *f, const char *script)
{
	struct headless_opts o;
	char *out = NULL;
	size_t outn = 0;
	FILE *in = fmemopen((void *)script, strlen(script), "r");
	FILE *os = open_memstream(&out, &outn);
	int rc;

	assert_non_null(in);
	assert_non_null(os);
	memset(&o, 0, sizeof o);
	o.in = in;
	o.name = "script";
	o.out = os;
	o.quiet = 1;
	o.results_fd = -1;
	rc = headless_run(f->s, f->q, &o);
	fclose(in);
	fclose(os);
	if (rc != 0)
		fprintf(stderr, "%s", out);
	free(out);
	assert_int_equal(rc, 0);
}

static void
test_login(void **state)
{
	struct fx f;

	(void)state;
	ui_text_init("en");
	fx_up(&f, 0, 0);
	drive(&f,
	    "print\n"
	    "expect screen=login\n"
	    "expect prompt: Cashier id\n"
	    "login 1001 0000\n"
	    "print\n"
	    "expect Wrong id or PIN\n"
	    "expect screen=login\n"
	    "login 1001 1234\n"
	    "print\n"
	    "expect screen=amount\n"
	    "expect cashier=1001 cashier\n"
	    "expect prompt: Amount (yuan)\n"
	    "amount 12.345\n"
	    "print\n"
	    "expect Amount: yuan with at most two decimals\n"
	    "key logout\n"
	    "print\n"
	    "expect screen=login\n");
	fx_down(&f);
}

static void
test_two_coupons_due(void **state)
{
	struct fx f;

	(void)state;
	ui_text_init("en");
	fx_up(&f, 0, 0);
	/* 1212 is 满100减10, 1313 is 88折: 100 - 10 = 90, 90 * 88% = 79.20 */
	drive(&f,
	    "login 1001 1234\n"
	    "amount 100\n"
	    "scan QA00000000000001\n"
	    "print\n"
	    "expect due=\xc2\xa5" "90.00\n"
	    "type 1227944959000000911017\n"
	    "print\n"
	    "expect due=\xc2\xa5" "79.20\n"
	    "expect discount=\xc2\xa5" "20.80\n"
	    "expect coupon 2: 1227944959000000911017\n"
	    "confirm\n"
	    "print\n"
	    "expect screen=result\n"
	    "expect ACCEPTED OFFLINE\n"
	    "expect due=\xc2\xa5" "79.20\n"
	    "expect-not REJECTED\n");
	/* an exchange coupon asks for the item's price: 25.00 - 9.90 off */
	drive(&f,
	    "amount 100\n"
	    "scan XC0000000001\n"
	    "print\n"
	    "expect prompt: Item price (yuan)\n"
	    "submit 25\n"
	    "print\n"
	    "expect prompt: Scan or type a coupon code\n"
	    "expect discount=\xc2\xa5" "15.10\n"
	    "expect due=\xc2\xa5" "84.90\n");
	fx_down(&f);
}

static void
test_reasons(void **state)
{
	struct fx f;

	(void)state;
	ui_text_init("en");
	fx_up(&f, 0, 0);
	drive(&f,
	    "login 1001 1234\n"
	    "amount 80\n"
	    "scan QA00000000000002\n"
	    "print\n"
	    "expect verdict: REJECTED\n"
	    "expect needs \xc2\xa5" "100.00, basket \xc2\xa5" "80.00\n"
	    /* a WeChat payment code at the coupon step */
	    "scan 134567890123456789\n"
	    "print\n"
	    "expect payment code, not a coupon\n"
	    "scan hello world\n"
	    "print\n"
	    "expect REJECTED\n"
	    "scan PS00000000000001\n"
	    "print\n"
	    "expect not active\n"
	    "cancel\n"
	    /* use a code, then try it again: already used at HH:MM */
	    "amount 200\n"
	    "scan QA00000000000003\n"
	    "confirm\n"
	    "print\n"
	    "expect ACCEPTED OFFLINE\n"
	    "amount 200\n"
	    "scan QA00000000000003\n"
	    "print\n"
	    "expect already used at \n");
	fx_down(&f);
}

static void
test_cap_void_z(void **state)
{
	struct fx f;

	(void)state;
	ui_text_init("en");
	fx_up(&f, 0, 1); /* one offline coupon per hour */
	drive(&f,
	    "login 1001 1234\n"
	    "amount 150\n"
	    "scan QA00000000000004\n"
	    "confirm\n"
	    "print\n"
	    "expect ACCEPTED OFFLINE\n"
	    "amount 150\n"
	    "scan QA00000000000005\n"
	    "confirm\n"
	    "print\n"
	    "expect screen=approve\n"
	    "expect too many offline coupons this hour\n"
	    /* a cashier PIN is not enough */
	    "submit 1001\n"
	    "submit 1234\n"
	    "print\n"
	    "expect A manager's PIN is needed\n"
	    "cancel\n"
	    "print\n"
	    "expect screen=result\n"
	    "expect REJECTED\n"
	    /* the next one over the cap: a manager accepts it (F12) */
	    "amount 150\n"
	    "scan QA00000000000002\n"
	    "confirm\n"
	    "print\n"
	    "expect screen=approve\n"
	    "submit 9001\n"
	    "submit 9999\n"
	    "submit 3\n"
	    "print\n"
	    "expect Approved by 9001\n"
	    "expect verdict: ACCEPTED OFFLINE\n"
	    "expect due=\xc2\xa5" "140.00\n"
	    /* void that sale with a manager PIN and a reason */
	    "key void\n"
	    "print\n"
	    "expect Void the sale\n"
	    "submit 9001\n"
	    "submit 9999\n"
	    "submit 2\n"
	    "print\n"
	    "expect voided\n"
	    "key xreport\n"
	    "print\n"
	    "expect X report\n"
	    "expect Journal chain head\n"
	    "cancel\n"
	    "key zreport\n"
	    "submit 9001\n"
	    "submit 9999\n"
	    "submit 4\n"
	    "print\n"
	    "expect Z number: 1\n"
	    "expect Approved by: 9001 (end of day)\n"
	    "expect Offline exposure\n"
	    "expect Conflicts (used elsewhere): 0\n"
	    "key txns\n"
	    "print\n"
	    "expect screen=txns\n"
	    "expect voided\n");
	fx_down(&f);
}

static void
test_screens(void **state)
{
	struct fx f;

	(void)state;
	ui_text_init("en");
	fx_up(&f, 0, 0);
	drive(&f,
	    "login 1001 1234\n"
	    "amount 150\n"
	    "type QA00000000000001\n"
	    "print\n"
	    "expect typed\n"
	    "key detail\n"
	    "print\n"
	    "expect screen=detail\n"
	    "expect line: Code: QA00000000000001\n"
	    "expect line: Discount: \xc2\xa5" "10.00\n"
	    "cancel\n"
	    "print\n"
	    "expect screen=basket\n"
	    "confirm\n"
	    "key diag\n"
	    "print\n"
	    "expect screen=diag\n"
	    "expect manual\n"
	    "expect QA00000000000001\n"
	    "key settings\n"
	    "print\n"
	    "expect line: Offline: max per hour: 30\n"
	    "key help\n"
	    "print\n"
	    "expect screen=help\n"
	    "key txns\n"
	    "print\n"
	    "expect screen=txns\n"
	    "expect line: to pay: #\n"
	    "expect 150.00  ->     140.00  \n"
	    "expect-not redeemed\n"
	    "submit QA0000000000000\n"
	    "print\n"
	    "expect line: to pay: #\n"
	    "submit NOSUCHCODE\n"
	    "print\n"
	    "expect No sales yet today\n"
	    "cancel\n"
	    "print\n"
	    "expect screen=result\n");
	fx_down(&f);
}

static void
test_kiosk_exit(void **state)
{
	struct fx f;

	(void)state;
	ui_text_init("en");
	fx_up(&f, 1, 0);
	drive(&f,
	    "print\n"
	    "expect KIOSK\n"
	    "expect screen=amount\n"
	    "key logout\n"
	    "key txns\n"
	    "print\n"
	    "expect screen=amount\n"
	    "key quit\n"
	    "print\n"
	    "expect Leave the terminal\n"
	    "submit 1001\n"
	    "submit 1234\n"
	    "print\n"
	    "expect A manager's PIN is needed\n");
	assert_int_equal(session_done(f.s), 0);
	drive(&f,
	    "submit 9001\n"
	    "submit 9999\n"
	    "submit closing\n");
	assert_int_equal(session_done(f.s), 1);
	fx_down(&f);
}

static void
test_chinese(void **state)
{
	struct fx f;

	(void)state;
	ui_text_init("zh_CN");
	fx_up(&f, 0, 0);
	drive(&f,
	    "print\n"
	    "expect 收银员工号\n"
	    "login 1001 1234\n"
	    "amount 80\n"
	    "scan QA00000000000002\n"
	    "print\n"
	    "expect 拒绝\n"
	    "expect 需满 \xc2\xa5" "100.00，本单 \xc2\xa5" "80.00\n");
	ui_text_init("en");
	fx_down(&f);
}

/* A sale's detail from the sales list, and a basket line's detail, speak
 * the cashier's language: states, kinds, reasons and the approved action
 * come from the words tables, never as the store's ids. */
static void
detail_words(const char *lang, const char *basket, const char *sale)
{
	struct fx f;
	char *script;

	ui_text_init(lang);
	fx_up(&f, 0, 1); /* one offline coupon per hour */
	script = xasprintf(
	    "login 1001 1234\n"
	    "amount 150\n"
	    "scan QA00000000000004\n"
	    "confirm\n"
	    "amount 150\n"
	    "scan QA00000000000005\n"
	    "key detail\n"
	    "print\n"
	    "expect screen=detail\n"
	    "%s"
	    "expect-not : NORMAL\n"
	    "expect-not : priced\n"
	    "cancel\n"
	    "confirm\n"
	    "submit 9001\n"
	    "submit 9999\n"
	    "submit 3\n"
	    "key txns\n"
	    "key detail\n"
	    "print\n"
	    "expect screen=detail\n"
	    "%s"
	    "expect-not accepted_offline\n"
	    "expect-not offline_cap_hour\n"
	    "expect-not over_hour_cap\n"
	    "expect-not : closed\n"
	    "expect-not : void:\n"
	    "expect-not offline_override\n"
	    "expect-not NORMAL\n"
	    "expect-not \x1f\n", basket, sale);
	drive(&f, script);
	free(script);
	ui_text_init("en");
	fx_down(&f);
}

static void
test_sale_detail_words(void **state)
{
	(void)state;
	detail_words("en", "expect line: Kind: merchant coupon\n"
	    "expect line: Type: amount off\n"
	    "expect line: State: valid\n",
	    "expect line: State: to pay\n"
	    "expect -\xc2\xa5" "10.00  ACCEPTED OFFLINE\n"
	    "expect Approved by: Accept over the offline limit: 9001\n");
	detail_words("zh_CN", "expect line: \xe7\xb1\xbb\xe5\x88\xab: "
	    "\xe5\x95\x86\xe5\xae\xb6\xe5\x88\xb8\n"   /* 类别: 商家券 */
	    "expect line: \xe7\xb1\xbb\xe5\x9e\x8b: "
	    "\xe6\xbb\xa1\xe5\x87\x8f\xe5\x88\xb8\n"   /* 类型: 满减券 */
	    "expect line: \xe7\x8a\xb6\xe6\x80\x81: "
	    "\xe5\x8f\xaf\xe7\x94\xa8\n",                 /* 状态: 可用 */
	    "expect line: \xe7\x8a\xb6\xe6\x80\x81: "
	    "\xe5\xbe\x85\xe6\x94\xb6\xe6\xac\xbe\n"   /* 状态: 待收款 */
	    "expect \xe7\xa6\xbb\xe7\xba\xbf\xe5\x8f\x97\xe7\x90\x86\n"
	    /* 离线受理 */
	    "expect \xe8\xb6\x85\xe5\x87\xba\xe7\xa6\xbb\xe7\xba\xbf"
	    "\xe9\x99\x90\xe9\xa2\x9d\xe5\x8f\x97\xe7\x90\x86: 9001\n");
	    /* 超出离线限额受理: 9001 */
}

static void
test_width(void **state)
{
	char out[64];

	(void)state;
	ui_text_init("en");
	assert_int_equal(ui_width("abc"), 3);
	assert_int_equal(ui_width("满100减10"), 9);
	ui_fit("满100减10", 4, 1, out, sizeof out);
	assert_string_equal(out, "满10");
	ui_fit("满100减10", 3, 1, out, sizeof out);
	assert_string_equal(out, "满1");
	ui_fit("ab", 4, 1, out, sizeof out);
	assert_string_equal(out, "ab  ");
	ui_fit("满满", 3, 1, out, sizeof out);
	assert_string_equal(out, "满 ");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_width),
		cmocka_unit_test(test_login),
		cmocka_unit_test(test_two_coupons_due),
		cmocka_unit_test(test_reasons),
		cmocka_unit_test(test_cap_void_z),
		cmocka_unit_test(test_screens),
		cmocka_unit_test(test_kiosk_exit),
		cmocka_unit_test(test_chinese),
		cmocka_unit_test(test_sale_detail_words),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
