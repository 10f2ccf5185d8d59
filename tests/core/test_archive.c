/* test_archive.c — the archive's rules on a store with a fixed clock: what
 * may move and what never does (open sales; coupons pending, unknown,
 * accepted offline, being returned, in conflict; anything of the kept
 * days or of the current Z period), an archived coupon still refused as
 * already used, the codes of an ended campaign dropped, the live journal
 * verifying across the cut and the archive with it. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/archive.h"
#include "core/checkout.h"
#include "online_hook.h"
#include "core/import.h"
#include "core/journal.h"
#include "core/ledger.h"
#include "core/report.h"
#include "store/store.h"
#include "store/store_pay.h"
#include "util/config.h"
#include "util/err.h"
#include "util/tm.h"
#include "util/xmem.h"

#ifndef DATA_DIR
#error DATA_DIR must point at tests/core/data
#endif

/* 2026-06-01T12:00:00+08:00 */
#define T0 1780286400LL
#define DAY 86400LL

struct fx {
	char dir[64], adir[96];
	struct config *cfg;
	struct store *st;
	struct checkout *co;
	online_hook_fn hook;       /* WeChat's stand-in, NULL none */
	int64_t now;
};

static int64_t
fixed_now(void *arg)
{
	return ((struct fx *)arg)->now;
}

static int
setup(void **state)
{
	struct fx *f = xcalloc(1, sizeof *f);
	struct checkout_opts o;
	char *db, *cause = NULL;
	int64_t n;
	FILE *fp;

	snprintf(f->dir, sizeof f->dir, "/tmp/quan-arc-XXXXXX");
	assert_non_null(mkdtemp(f->dir));
	snprintf(f->adir, sizeof f->adir, "%s/archive", f->dir);
	assert_int_equal(tm_set_zone("Asia/Shanghai"), 0);
	config_defaults(&f->cfg);
	f->cfg->off_default_policy = CONFIG_POLICY_OFFLINE_OK;
	f->cfg->off_max_cache_age_s = 400 * DAY;
	/* QA codes are stock 1212's by their pattern, cached or not */
	f->cfg->targets = xcalloc(1, sizeof *f->cfg->targets);
	f->cfg->ntargets = 1;
	f->cfg->targets[0].kind = CONFIG_STOCK;
	snprintf(f->cfg->targets[0].id, sizeof f->cfg->targets[0].id, "1212");
	snprintf(f->cfg->targets[0].prefix, sizeof f->cfg->targets[0].prefix,
	    "QA");
	f->cfg->targets[0].min_len = 16;
	f->cfg->targets[0].max_len = 16;
	f->cfg->targets[0].charset = CONFIG_CHARSET_ALNUM;
	f->cfg->targets[0].per_txn = 1;
	f->now = T0 - 30 * DAY;
	db = xasprintf("%s/quan.db", f->dir);
	assert_int_equal(store_open(db, 0, &f->st, &cause), 0);
	free(db);
	assert_int_equal(import_stocks(f->st, DATA_DIR "/stocks.json",
	    f->now, &n, &cause), 0);
	assert_int_equal(import_cards(f->st, DATA_DIR "/cards.json", f->now,
	    &n, &cause), 0);
	fp = fopen(DATA_DIR "/codes.csv", "r");
	assert_non_null(fp);
	assert_int_equal(import_codes(f->st, fp, "codes.csv", f->now, &n,
	    NULL, &cause), 0);
	fclose(fp);
	memset(&o, 0, sizeof o);
	o.cfg = f->cfg;
	o.st = f->st;
	o.now = fixed_now;
	o.now_arg = f;
	assert_int_equal(checkout_new(&o, &f->co, &cause), 0);
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fx *f = *state;
	char *cmd = xasprintf("rm -rf '%s'", f->dir);

	checkout_free(f->co);
	store_close(f->st);
	config_free(f->cfg);
	assert_int_equal(system(cmd), 0);
	free(cmd);
	free(f);
	return 0;
}

/* One sale of one coupon at f->now; its txn id. */
static int64_t
sale(struct fx *f, const char *code)
{
	int64_t id;

	assert_int_equal(checkout_open(f->co, 12000), 0);
	assert_int_equal(checkout_add(f->co, code, strlen(code), -1, NULL),
	    0);
	assert_int_equal(redeem_with(f->co, f->st, f->hook, f), 0);
	id = checkout_current(f->co)->id;
	assert_int_equal(checkout_close(f->co), 0);
	return id;
}

static int
first_row(void *arg, const struct store_outbox *o)
{
	int64_t *id = arg;

	if (*id == 0)
		*id = o->id;
	return 0;
}

static int
sent_cb(void *arg, const struct store_outbox *o)
{
	struct fx *f = arg;

	return store_outbox_sent(f->st, o->id, f->now);
}

/* An online step whose requests leave and are never answered. */
static int
send_only(void *arg, struct store *st, int64_t txn, int wait_ms)
{
	(void)wait_ms;
	return store_outbox_list_txn(st, txn, sent_cb, arg);
}

static void
answer(struct fx *f, int64_t txn, const char *state)
{
	int64_t ob = 0;

	assert_int_equal(store_outbox_list_txn(f->st, txn, first_row, &ob),
	    0);
	if (ob == 0)
		fail_msg("txn %lld: no outbox row to answer %s",
		    (long long)txn, state);
	assert_int_equal(store_outbox_sent(f->st, ob, f->now), 0);
	assert_int_equal(ledger_settle(f->st, ob,
	    checkout_cstate_parse(state), "", NULL, "r",
	    f->now), 0);
}

static void
run(struct fx *f, int64_t before, int keep, struct archive_result *r)
{
	struct archive_opts o;
	char *cause = NULL;

	memset(&o, 0, sizeof o);
	o.now = f->now;
	o.before = before;
	o.keep_days = keep;
	o.dir = f->adir;
	if (archive_run(f->st, &o, r, &cause) != 0)
		fail_msg("archive: %s", cause);
}

static int
exists(struct fx *f, int64_t txn)
{
	struct store_txn t;

	return store_txn_get(f->st, txn, &t) == 0;
}

/* A settled sale 2 days before T0 (kept live by keep_days = 7). */
static int64_t
kept_sale(struct fx *f)
{
	int64_t id;

	f->now = T0 - 2 * DAY;
	assert_int_equal(store_begin(f->st), 0);
	assert_int_equal(store_code_put_v(f->st, "QA00000000000006",
	    STORE_MERCHANT, "1212", "issued", "", f->now), 0);
	assert_int_equal(store_commit(f->st), 0);
	id = sale(f, "QA00000000000006");
	answer(f, id, "confirmed");
	return id;
}

static void
test_what_moves_and_what_stays(void **state)
{
	struct fx *f = *state;
	struct archive_result r;
	struct store_txn t;
	int64_t settled, offline, unknown, conflict, returning, open, kept;
	int64_t n;
	char *cause = NULL;

	/* 30 days ago; a code the cache does not know (offline_ok takes
	 * it by its pattern): after the archive only the mark it leaves in
	 * the cache can refuse it again */
	settled = sale(f, "QA00000000000099");
	answer(f, settled, "confirmed");
	offline = sale(f, "QA00000000000002");          /* accepted offline */
	conflict = sale(f, "QA00000000000003");
	answer(f, conflict, "confirmed");
	assert_int_equal(checkout_void(f->co, conflict, "9001", &cause), 0);
	answer(f, conflict, "rejected");                /* return refused */
	returning = sale(f, "QA00000000000004");
	answer(f, returning, "confirmed");
	assert_int_equal(checkout_void(f->co, returning, "9001", &cause), 0);
	/* sent, no answer, refused by the policy: unknown */
	f->cfg->off_default_policy = CONFIG_POLICY_ONLINE_ONLY;
	f->hook = send_only;
	checkout_set_online(f->co, 1);
	unknown = sale(f, "110201201245");
	f->hook = NULL;
	checkout_set_online(f->co, 0);
	f->cfg->off_default_policy = CONFIG_POLICY_OFFLINE_OK;
	{
		struct store_red red;
		struct checkout_txn lt;

		assert_int_equal(checkout_load(f->co, unknown, &lt), 0);
		assert_int_equal(store_red_get(f->st, lt.lines[0].red_id,
		    &red), 0);
		assert_int_equal(red.state, CHECKOUT_UNKNOWN);
	}
	/* a sale cut off between its two commits */
	assert_int_equal(checkout_open(f->co, 5000), 0);
	assert_int_equal(checkout_add(f->co, "QA00000000000005", 16, -1,
	    NULL), 0);
	open = 0;
	{
		/* redeem_commit only: the engine's first commit is what a
		 * crash leaves; make it by hand with the store */
		struct store_txn x;

		memset(&x, 0, sizeof x);
		x.amount_fen = 5000;
		x.state = TXN_OPEN;
		x.opened_at = f->now;
		assert_int_equal(store_begin(f->st), 0);
		assert_int_equal(store_txn_insert(f->st, &x), 0);
		assert_int_equal(store_commit(f->st), 0);
		open = x.id;
		assert_int_equal(checkout_cancel(f->co), 0);
	}
	/* 2 days ago: kept by keep_days = 7 */
	kept = kept_sale(f);
	f->now = T0;
	run(f, T0, 7, &r);
	assert_int_equal(r.clamped, 1);
	assert_int_equal(r.txns, 1);
	assert_false(exists(f, settled));
	assert_true(exists(f, offline));
	assert_true(exists(f, conflict));
	assert_true(exists(f, returning));
	assert_true(exists(f, unknown));
	assert_true(exists(f, open));
	assert_true(exists(f, kept));
	/* the archived coupon is still refused: already used */
	{
		const struct checkout_txn *c;

		assert_int_equal(checkout_open(f->co, 12000), 0);
		assert_int_equal(checkout_add(f->co, "QA00000000000099", 16,
		    -1, NULL), 0);
		c = checkout_current(f->co);
		assert_int_equal(c->lines[0].state, CHECKOUT_REFUSED);
		assert_string_equal(checkout_line_reason(&c->lines[0]), "already_used");
		assert_int_equal(checkout_cancel(f->co), 0);
	}
	/* nothing of the current Z period moves, whatever keep_days says */
	{
		char b[32];

		snprintf(b, sizeof b, "%lld", (long long)(T0 - 5 * DAY));
		assert_int_equal(store_begin(f->st), 0);
		assert_int_equal(store_meta_set(f->st, "zreport_last_at", b),
		    0);
		assert_int_equal(store_commit(f->st), 0);
		run(f, T0, 0, &r);
		assert_int_equal(r.cutoff, T0 - 5 * DAY);
		assert_true(exists(f, kept));
	}
	/* the chain across the cut: live alone, and with its archive */
	assert_int_equal(journal_verify(f->st, &n, &cause), 0);
	{
		struct store *a = NULL;
		const char *name = r.file;

		assert_int_equal(store_open(r.file, STORE_O_READONLY, &a,
		    &cause), 0);
		if (journal_verify_archives(f->st, &a, &name, 1, &n,
		    &cause) != 0)
			fail_msg("%s", cause);
		assert_int_equal(store_txn_get(a, settled, &t), 0);
		store_close(a);
	}
	{
		struct stat sb;

		assert_int_equal(stat(r.file, &sb), 0);
		assert_int_equal(sb.st_mode & 0777, 0600);
	}
}

/* Stock 1212 of the fixtures runs to 2030; a campaign that ended has its
 * codes dropped from the cache, one still running keeps them. */
static void
test_ended_campaign_codes_dropped(void **state)
{
	struct fx *f = *state;
	struct archive_result r;
	struct store_code c;

	f->now = T0;
	run(f, T0, 0, &r);
	assert_int_equal(r.codes, 0);
	assert_int_equal(store_code_get(f->st, "QA00000000000002", &c), 0);
	/* in 2031 every campaign of the fixtures has ended */
	f->now = 1924992000LL + 40 * DAY; /* 2031-02-09 */
	run(f, f->now, 0, &r);
	assert_true(r.codes >= 5);
	assert_int_equal(store_code_get(f->st, "QA00000000000002", &c),
	    QUAN_ENOTFOUND);
	/* once only */
	run(f, f->now, 0, &r);
	assert_int_equal(r.codes, 0);
}

/* A payment (and a refund of it) of sale txn at f->now, as the
 * payment and refund modules leave them; the row ids. */
static int64_t
paid(struct fx *f, int64_t txn, const char *state, int64_t fen)
{
	struct store_pay p;
	struct store_pay_voucher v;

	memset(&p, 0, sizeof p);
	p.txn_id = txn;
	snprintf(p.out_trade_no, sizeof p.out_trade_no, "T01P%lld",
	    (long long)txn);
	snprintf(p.tender, sizeof p.tender, "wechat");
	snprintf(p.state, sizeof p.state, "%s", state);
	snprintf(p.phase, sizeof p.phase, "done");
	p.amount_fen = fen;
	p.voucher_fen = 100;
	p.payer_fen = fen - 100;
	p.created_at = p.updated_at = f->now;
	assert_int_equal(store_begin(f->st), 0);
	assert_int_equal(store_pay_insert(f->st, &p), 0);
	memset(&v, 0, sizeof v);
	snprintf(v.id, sizeof v.id, "V1");
	snprintf(v.type, sizeof v.type, "prefunded");
	v.amount_fen = 100;
	assert_int_equal(store_pay_vouchers_put(f->st, p.id, &v, 1), 0);
	assert_int_equal(store_commit(f->st), 0);
	return p.id;
}

static void
refunded(struct fx *f, int64_t txn, int64_t pay, const char *state,
    int64_t fen)
{
	struct store_refund r;

	memset(&r, 0, sizeof r);
	r.txn_id = txn;
	r.payment_id = pay;
	snprintf(r.out_refund_no, sizeof r.out_refund_no, "T01R%lld",
	    (long long)txn);
	snprintf(r.kind, sizeof r.kind, "partial");
	snprintf(r.state, sizeof r.state, "%s", state);
	r.amount_fen = fen;
	r.payer_fen = r.voucher_fen = -1;
	r.created_at = r.updated_at = f->now;
	assert_int_equal(store_begin(f->st), 0);
	assert_int_equal(store_refund_insert(f->st, &r), 0);
	assert_int_equal(store_commit(f->st), 0);
}

/* Does st hold sale txn's payment; the fen of its refunds not failed. */
static int
has_payment(struct store *st, int64_t txn)
{
	struct store_pay p;

	return store_pay_for_txn(st, txn, &p) == 0;
}

static int64_t
refunds_of(struct store *st, int64_t txn)
{
	struct store_pay p;
	int64_t live = 0, done = 0;

	if (store_pay_for_txn(st, txn, &p) != 0)
		return 0;
	assert_int_equal(store_refund_sum(st, p.id, &live, &done), 0);
	return live;
}

/* A sale moves with its payments, their vouchers and its refunds; a
 * sale whose charge is still unknown, or whose refund is under way or
 * ABNORMAL, stays live with all of them. The figures of the days kept
 * live are the same after the run. */
static void
test_payments_and_refunds_move_with_their_sale(void **state)
{
	struct fx *f = *state;
	struct archive_result r;
	struct store_pay_sums before, after;
	struct report_refunds rb, ra;
	int64_t moved, unknown, abnormal, open, kept, pm, p;
	struct store *a = NULL;
	struct store_pay_voucher v[2];
	char *cause = NULL;
	int n = 0;

	moved = sale(f, "QA00000000000099");
	answer(f, moved, "confirmed");
	pm = paid(f, moved, "paid", 11000);
	refunded(f, moved, pm, "success", 3000);
	unknown = sale(f, "QA00000000000002");
	answer(f, unknown, "confirmed");
	paid(f, unknown, "unknown", 11000);
	abnormal = sale(f, "QA00000000000003");
	answer(f, abnormal, "confirmed");
	p = paid(f, abnormal, "paid", 11000);
	refunded(f, abnormal, p, "abnormal", 11000);
	open = sale(f, "QA00000000000004");
	answer(f, open, "confirmed");
	p = paid(f, open, "paid", 11000);
	refunded(f, open, p, "processing", 500);
	/* 2 days ago: kept live, its figures the same after the run */
	kept = kept_sale(f);
	p = paid(f, kept, "paid", 11000);
	refunded(f, kept, p, "success", 2000);
	f->now = T0;
	assert_int_equal(report_payments(f->st, T0 - 7 * DAY, T0, &before),
	    0);
	assert_int_equal(report_refunds(f->st, T0 - 7 * DAY, T0, &rb), 0);
	run(f, T0, 7, &r);
	assert_int_equal(r.txns, 1);
	assert_int_equal(r.payments, 1);
	assert_int_equal(r.refunds, 1);
	assert_false(exists(f, moved));
	assert_int_equal(has_payment(f->st, moved), 0);
	assert_int_equal(has_payment(f->st, unknown), 1);
	assert_int_equal(refunds_of(f->st, abnormal), 11000);
	assert_int_equal(refunds_of(f->st, open), 500);
	assert_int_equal(refunds_of(f->st, kept), 2000);
	assert_true(exists(f, unknown) && exists(f, abnormal) &&
	    exists(f, open) && exists(f, kept));
	assert_int_equal(report_payments(f->st, T0 - 7 * DAY, T0, &after),
	    0);
	assert_int_equal(report_refunds(f->st, T0 - 7 * DAY, T0, &ra), 0);
	assert_memory_equal(&before, &after, sizeof before);
	assert_memory_equal(&rb, &ra, sizeof rb);
	/* in the archive: the sale with its money, whole */
	assert_int_equal(store_open(r.file, STORE_O_READONLY, &a, &cause), 0);
	assert_int_equal(refunds_of(a, moved), 3000);
	assert_int_equal(store_pay_vouchers_get(a, pm, v, 2, &n), 0);
	assert_int_equal(n, 1);
	store_close(a);
	/* again: nothing more moves, nothing is held twice */
	run(f, T0, 7, &r);
	assert_int_equal(r.txns, 0);
	assert_int_equal(r.payments, 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_what_moves_and_what_stays,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_ended_campaign_codes_dropped, setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_payments_and_refunds_move_with_their_sale, setup,
		    teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
