/* test_checkout.c — the store and the checkout engine end to end on a temp
 * database with a fixed clock: pricing, redeem with keys committed before
 * the online step, offline policy and caps, void/return, journal tamper
 * detection, recovery of interrupted redeems, store error mapping. */
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

#include "core/checkout.h"
#include "online_hook.h"
#include "core/import.h"
#include "core/journal.h"
#include "core/ledger.h"
#include "store/store.h"
#include "util/config.h"
#include "util/err.h"
#include "util/str.h"
#include "util/tm.h"
#include "util/xmem.h"

#ifndef DATA_DIR
#error DATA_DIR must point at tests/core/data
#endif

/* 2026-06-01T12:00:00+08:00 (a Monday) */
#define T0 1780286400LL

struct fx {
	char dir[64];
	char *db;
	struct config *cfg;
	struct store *st;
	struct checkout *co;
	online_hook_fn hook;       /* WeChat's stand-in, NULL none */
	int64_t now;
	/* online hook behaviour */
	int online_calls;
	const char *online_answer; /* NULL: answer nothing */
	int online_send;           /* mark rows sent before answering */
	int online_recovered;      /* then another process recovers the txn */
	int journal_scans;
};

static int64_t
fixed_now(void *arg)
{
	return ((struct fx *)arg)->now;
}

struct ans {
	struct fx *f;
	int64_t ids[64];
	int n;
};

static int
collect(void *arg, const struct store_outbox *o)
{
	struct ans *a = arg;

	if (a->n < 64)
		a->ids[a->n++] = o->id;
	return 0;
}

static int
online_hook(void *arg, struct store *st, int64_t txn, int wait_ms)
{
	struct fx *f = arg;
	struct ans a;
	int i;

	(void)wait_ms;
	f->online_calls++;
	memset(&a, 0, sizeof a);
	/* the keys and bodies are committed before we are called */
	assert_int_equal(store_outbox_list_txn(st, txn, collect, &a), 0);
	assert_true(a.n > 0);
	for (i = 0; i < a.n; i++) {
		struct store_outbox o;

		assert_int_equal(store_outbox_get(st, a.ids[i], &o), 0);
		assert_non_null(strstr(o.body, o.request_no));
		if (f->online_send)
			assert_int_equal(store_outbox_sent(st, o.id, f->now),
			    0);
		if (f->online_answer != NULL)
			assert_int_equal(ledger_settle(st, o.id,
			    checkout_cstate_parse(f->online_answer),
			    f->online_answer[0] == 'r' ?
			    "RESOURCE_NOT_EXISTS" : "", "remote", "ref1",
			    f->now), 0);
	}
	if (f->online_recovered) {
		/* a `quan sync` beside us takes this till, stalled in its
		 * online step, for crashed: its recovery voids the sale */
		struct checkout_opts o;
		struct checkout *other = NULL;
		char *cause = NULL;
		int n = 0;

		memset(&o, 0, sizeof o);
		o.cfg = f->cfg;
		o.st = st;
		o.now = fixed_now;
		o.now_arg = f;
		assert_int_equal(checkout_new(&o, &other, &cause), 0);
		assert_int_equal(checkout_recover(other, -100, &n), 0);
		assert_int_equal(n, 1);
		checkout_free(other);
	}
	return 0;
}

static void
fx_import(struct fx *f)
{
	char *cause = NULL;
	int64_t n;
	FILE *fp;

	assert_int_equal(import_stocks(f->st, DATA_DIR "/stocks.json", f->now,
	    &n, &cause), 0);
	assert_int_equal(n, 4);
	assert_int_equal(import_cards(f->st, DATA_DIR "/cards.json", f->now,
	    &n, &cause), 0);
	assert_int_equal(n, 2);
	fp = fopen(DATA_DIR "/codes.csv", "r");
	assert_non_null(fp);
	assert_int_equal(import_codes(f->st, fp, "codes.csv", f->now, &n, NULL,
	    &cause), 0);
	fclose(fp);
	assert_int_equal(n, 10);
}

static void
fx_engine(struct fx *f)
{
	struct checkout_opts o;
	char *cause = NULL;

	checkout_free(f->co);
	memset(&o, 0, sizeof o);
	o.cfg = f->cfg;
	o.st = f->st;
	o.now = fixed_now;
	o.now_arg = f;
	o.journal_scans = f->journal_scans;
	assert_int_equal(checkout_new(&o, &f->co, &cause), 0);
}

static int
setup(void **state)
{
	struct fx *f = xcalloc(1, sizeof *f);
	char *cause = NULL;

	snprintf(f->dir, sizeof f->dir, "/tmp/quan-co-XXXXXX");
	assert_non_null(mkdtemp(f->dir));
	f->db = xasprintf("%s/quan.db", f->dir);
	assert_int_equal(tm_set_zone("Asia/Shanghai"), 0);
	config_defaults(&f->cfg);
	f->cfg->off_default_policy = CONFIG_POLICY_OFFLINE_OK;
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
	f->now = T0;
	assert_int_equal(store_open(f->db, 0, &f->st, &cause), 0);
	fx_import(f);
	fx_engine(f);
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fx *f = *state;
	char *cmd;

	checkout_free(f->co);
	store_close(f->st);
	config_free(f->cfg);
	cmd = xasprintf("rm -rf %s", f->dir);
	if (system(cmd) != 0)
		fprintf(stderr, "cannot remove %s\n", f->dir);
	free(cmd);
	free(f->db);
	free(f);
	return 0;
}

static const struct checkout_txn *
redeem(struct fx *f, int64_t amount, const char **codes, int n)
{
	int i;

	assert_int_equal(checkout_open(f->co, amount), 0);
	for (i = 0; i < n; i++)
		assert_int_equal(checkout_add(f->co, codes[i],
		    strlen(codes[i]), -1, NULL), 0);
	assert_int_equal(redeem_with(f->co, f->st, f->hook, f), 0);
	return checkout_current(f->co);
}

static void
verify_journal(struct fx *f)
{
	char *cause = NULL;
	int64_t n;
	int rc = journal_verify(f->st, &n, &cause);

	if (rc != 0)
		fail_msg("journal: %s", cause);
	assert_true(n > 0);
}

static void
test_price_and_offline_accept(void **state)
{
	struct fx *f = *state;
	const char *codes[] = {"QA00000000000001"};
	const struct checkout_txn *t;
	struct store_red r;
	struct store_txn st;

	checkout_set_cashier(f->co, "1001");
	t = redeem(f, 12000, codes, 1);
	assert_int_equal(t->nlines, 1);
	assert_int_equal(t->lines[0].state, CHECKOUT_ACCEPTED_OFFLINE);
	assert_int_equal(store_txn_get(f->st, t->id, &st), 0);
	assert_string_equal(st.cashier, "1001");
	assert_int_equal(t->discount_fen, 1000);
	assert_int_equal(t->due_fen, 11000);
	assert_true(strlen(t->lines[0].request_no) <= 32);
	assert_string_equal(t->lines[0].request_no, "T01U000000000001");
	assert_int_equal(store_red_get(f->st, t->lines[0].red_id, &r), 0);
	assert_int_equal(r.state, CHECKOUT_ACCEPTED_OFFLINE);
	assert_int_equal(r.use_time, T0);
	assert_non_null(strstr(r.offline_reason, "policy offline_ok"));
	assert_int_equal(checkout_close(f->co), 0);
	/* the same code again: already redeemed here */
	t = redeem(f, 12000, codes, 1);
	assert_int_equal(t->lines[0].state, CHECKOUT_REJECTED);
	assert_string_equal(checkout_line_reason(&t->lines[0]), "already_used");
	assert_int_equal(t->due_fen, 12000);
	verify_journal(f);
}

static void
test_rejections(void **state)
{
	struct fx *f = *state;
	const char *codes[] = {
		"QA00000000000002",          /* below minimum (10000) */
		"PS00000000000001",          /* stock PAUSED */
		"134567890123456789",        /* payment code */
		"hello world!!",             /* unknown */
		"'; DROP TABLE codes; --",   /* SQL-looking */
		("\xff\xfe" "AB"),            /* not UTF-8 */
	};
	const struct checkout_txn *t;
	char longc[400];

	memset(longc, 'A', sizeof longc - 1);
	longc[sizeof longc - 1] = '\0';
	assert_int_equal(checkout_open(f->co, 5000), 0);
	for (size_t i = 0; i < sizeof codes / sizeof codes[0]; i++)
		assert_int_equal(checkout_add(f->co, codes[i],
		    strlen(codes[i]), -1, NULL), 0);
	assert_int_equal(checkout_add(f->co, longc, strlen(longc), -1, NULL),
	    0);
	t = checkout_current(f->co);
	assert_string_equal(checkout_line_reason(&t->lines[0]), "below_minimum");
	assert_int_equal(t->lines[0].verdict.need_fen, 10000);
	assert_string_equal(checkout_line_reason(&t->lines[1]), "stock_not_running");
	assert_string_equal(checkout_line_reason(&t->lines[2]), "payment_code");
	assert_int_equal(t->lines[3].state, CHECKOUT_REFUSED);
	assert_int_equal(t->lines[4].state, CHECKOUT_REFUSED);
	assert_string_equal(checkout_line_reason(&t->lines[5]), "bad_utf8");
	assert_string_equal(checkout_line_reason(&t->lines[6]), "too_long");
	assert_int_equal(t->due_fen, 5000);
	assert_int_equal(redeem_with(f->co, f->st, f->hook, f), 0);
	t = checkout_current(f->co);
	for (int i = 0; i < t->nlines; i++) {
		assert_int_equal(t->lines[i].state, CHECKOUT_REJECTED);
		assert_string_equal(t->lines[i].request_no, "");
	}
	/* the codes table survived the SQL-looking code */
	{
		struct store_cache_stats cs;

		assert_int_equal(store_cache_stats(f->st, &cs), 0);
		assert_int_equal(cs.codes, 10);
	}
	verify_journal(f);
}

static void
test_stacking_and_discount(void **state)
{
	struct fx *f = *state;
	/* 200.00: NORMAL -10 (min 100) then 88% of 190 = pay 167.20 */
	const char *codes[] = {"QA00000000000003", "1227944959000000911017"};
	const struct checkout_txn *t;
	struct checkout_txn lt;

	t = redeem(f, 20000, codes, 2);
	assert_int_equal(t->lines[0].state, CHECKOUT_ACCEPTED_OFFLINE);
	assert_int_equal(t->lines[1].state, CHECKOUT_ACCEPTED_OFFLINE);
	assert_int_equal(t->lines[0].discount_fen, 1000);
	assert_int_equal(t->lines[1].discount_fen, 19000 - 16720);
	assert_int_equal(t->due_fen, 16720);
	checkout_close(f->co);
	/* two of one stock: per_txn (1 unless configured) */
	{
		const char *same[] = {"QA00000000000004", "QA00000000000005"};
		const struct checkout_txn *t2 = redeem(f, 30000, same, 2);

		assert_int_equal(t2->lines[0].state, CHECKOUT_ACCEPTED_OFFLINE);
		assert_int_equal(t2->lines[1].state, CHECKOUT_REJECTED);
		assert_string_equal(checkout_line_reason(&t2->lines[1]), "per_txn_limit");
		assert_int_equal(t2->due_fen, 29000);
		checkout_close(f->co);
		f->cfg->targets[0].per_txn = 2;
		fx_engine(f);
		t2 = redeem(f, 30000, (const char *[]){"QA00000000000002",
		    "QA00000000000001"}, 2);
		assert_int_equal(t2->lines[1].state, CHECKOUT_ACCEPTED_OFFLINE);
		assert_int_equal(t2->due_fen, 28000);
		checkout_close(f->co);
	}
	t = checkout_load(f->co, 1, &lt) == 0 ? &lt : NULL;
	assert_non_null(t);
	/* two keys, distinct and increasing */
	assert_string_not_equal(t->lines[0].request_no,
	    t->lines[1].request_no);
	assert_true(strcmp(t->lines[0].request_no, t->lines[1].request_no) <
	    0);
}

static void
test_policy_and_caps(void **state)
{
	struct fx *f = *state;
	const char *one[] = {"QA00000000000004"};
	const char *unknown_code[] = {"QA99999999999999"};
	const struct checkout_txn *t;

	/* online_only for stock 1212 */
	f->cfg->off_default_policy = CONFIG_POLICY_ONLINE_ONLY;
	t = redeem(f, 12000, one, 1);
	assert_int_equal(t->lines[0].state, CHECKOUT_REJECTED);
	assert_string_equal(checkout_line_reason(&t->lines[0]), "offline_online_only");
	assert_int_equal(t->due_fen, 12000);
	checkout_close(f->co);

	/* offline_known_only: a code of stock 1212's pattern the cache
	 * does not know */
	f->cfg->off_default_policy = CONFIG_POLICY_OFFLINE_KNOWN_ONLY;
	t = redeem(f, 12000, unknown_code, 1);
	assert_int_equal(t->lines[0].state, CHECKOUT_REJECTED);
	assert_string_equal(checkout_line_reason(&t->lines[0]), "offline_not_known");
	checkout_close(f->co);

	/* per-coupon value cap */
	f->cfg->off_default_policy = CONFIG_POLICY_OFFLINE_OK;
	f->cfg->off_max_coupon_fen = 999;
	t = redeem(f, 12000, one, 1);
	assert_string_equal(checkout_line_reason(&t->lines[0]), "offline_cap_coupon");
	checkout_close(f->co);
	f->cfg->off_max_coupon_fen = 10000;

	/* cache age */
	f->now = T0 + f->cfg->off_max_cache_age_s + 1;
	t = redeem(f, 12000, one, 1);
	assert_string_equal(checkout_line_reason(&t->lines[0]), "offline_cache_old");
	checkout_close(f->co);
	f->now = T0;

	/* per-hour cap: 0 allowed */
	f->cfg->off_max_per_hour = 0;
	t = redeem(f, 12000, one, 1);
	assert_string_equal(checkout_line_reason(&t->lines[0]), "offline_cap_hour");
	checkout_close(f->co);
	f->cfg->off_max_per_hour = 30;

	/* exposure cap */
	f->cfg->off_max_exposure_fen = 999;
	t = redeem(f, 12000, one, 1);
	assert_string_equal(checkout_line_reason(&t->lines[0]), "offline_cap_exposure");
	checkout_close(f->co);
	f->cfg->off_max_exposure_fen = 100000;

	/* refused rows never go out: their outbox rows are cancelled */
	{
		int64_t p, u;

		assert_int_equal(store_outbox_depth(f->st, &p, &u), 0);
		assert_int_equal(p, 0);
		assert_int_equal(u, 0);
	}
	/* and now it passes, and the exposure counts it */
	t = redeem(f, 12000, one, 1);
	assert_int_equal(t->lines[0].state, CHECKOUT_ACCEPTED_OFFLINE);
	{
		int64_t n, e;

		assert_int_equal(store_offline_stats(f->st, T0 - 3600, &n, &e),
		    0);
		assert_int_equal(n, 1);
		assert_int_equal(e, 1000);
	}
	verify_journal(f);
}

static void
test_online_hook(void **state)
{
	struct fx *f = *state;
	const char *one[] = {"QA00000000000005"};
	const char *two[] = {"QA00000000000004"};
	const struct checkout_txn *t;
	int64_t p, u;

	f->hook = online_hook;
	checkout_set_online(f->co, 1);
	f->online_send = 1;
	f->online_answer = "confirmed";
	t = redeem(f, 12000, one, 1);
	assert_int_equal(f->online_calls, 1);
	assert_int_equal(t->lines[0].state, CHECKOUT_CONFIRMED);
	assert_int_equal(t->discount_fen, 1000);
	checkout_close(f->co);

	/* WeChat says no */
	f->online_answer = "rejected";
	t = redeem(f, 12000, two, 1);
	assert_int_equal(t->lines[0].state, CHECKOUT_REJECTED);
	assert_int_equal(t->due_fen, 12000);
	checkout_close(f->co);
	assert_int_equal(store_outbox_depth(f->st, &p, &u), 0);
	assert_int_equal(p + u, 0);

	/* sent, no answer, policy refuses: stays unknown, not granted */
	f->online_answer = NULL;
	f->cfg->off_default_policy = CONFIG_POLICY_ONLINE_ONLY;
	{
		const char *c3[] = {"QA00000000000003"};

		t = redeem(f, 12000, c3, 1);
	}
	assert_int_equal(t->lines[0].state, CHECKOUT_UNKNOWN);
	assert_int_equal(t->due_fen, 12000);
	assert_int_equal(store_outbox_depth(f->st, &p, &u), 0);
	assert_int_equal(u, 1);
	/* settling twice is refused */
	{
		struct ans a;

		memset(&a, 0, sizeof a);
		assert_int_equal(store_outbox_due(f->st, T0, 10, collect, &a),
		    0);
		assert_int_equal(a.n, 1);
		assert_int_equal(ledger_settle(f->st, a.ids[0], CHECKOUT_CONFIRMED,
		    "", "", "", T0), 0);
		assert_int_equal(ledger_settle(f->st, a.ids[0], CHECKOUT_CONFIRMED,
		    "", "", "", T0), QUAN_EINVAL);
	}
	/* the till refused it but the use landed: it is given back */
	{
		struct store_red r;
		struct store_outbox o;
		struct ans a;

		assert_int_equal(store_red_get(f->st, t->lines[0].red_id, &r),
		    0);
		assert_int_equal(r.state, CHECKOUT_RETURN_PENDING);
		assert_string_equal(r.return_key, "T01R000000000003");
		memset(&a, 0, sizeof a);
		assert_int_equal(store_outbox_due(f->st, T0, 10, collect, &a),
		    0);
		assert_int_equal(a.n, 1);
		assert_int_equal(store_outbox_get(f->st, a.ids[0], &o), 0);
		assert_int_equal(o.op, STORE_OP_RETURN);
		assert_string_equal(o.request_no, "T01R000000000003");
	}
	verify_journal(f);
}

static int
count_state(void *arg, enum checkout_cstate state, int kept, int64_t n,
    int64_t fen)
{
	(void)fen;
	(void)kept;
	if (state == CHECKOUT_RETURNED)
		*(int64_t *)arg += n * 1000;
	if (state == CHECKOUT_RETURN_PENDING)
		*(int64_t *)arg += n;
	return 0;
}

static void
test_override(void **state)
{
	struct fx *f = *state;
	const char *two[] = {"QA00000000000001", "1227944959000000911017"};
	const struct checkout_txn *t;
	int64_t p, u;

	f->cfg->off_max_coupon_fen = 1500; /* 88 % coupon: 2280 > cap */
	t = redeem(f, 20000, two, 2);
	assert_int_equal(t->lines[0].state, CHECKOUT_ACCEPTED_OFFLINE);
	assert_int_equal(t->lines[1].state, CHECKOUT_REJECTED);
	assert_string_equal(checkout_line_reason(&t->lines[1]), "offline_cap_coupon");
	assert_int_equal(t->due_fen, 19000);
	assert_int_equal(store_outbox_depth(f->st, &p, &u), 0);
	assert_int_equal(p, 1);
	/* not an offline refusal: refused */
	assert_int_equal(checkout_override(f->co, 0, "mgr", "x"), QUAN_EINVAL);
	assert_int_equal(checkout_override(f->co, 1, "mgr", "regular"), 0);
	t = checkout_current(f->co);
	assert_int_equal(t->lines[1].state, CHECKOUT_ACCEPTED_OFFLINE);
	assert_int_equal(t->lines[1].discount_fen, 2280);
	assert_int_equal(t->due_fen, 16720);
	assert_non_null(strstr(t->lines[1].offline_reason, "override by mgr"));
	assert_int_equal(store_outbox_depth(f->st, &p, &u), 0);
	assert_int_equal(p, 2);
	assert_int_equal(checkout_close(f->co), 0);
	assert_int_equal(checkout_override(f->co, 1, "mgr", "x"), QUAN_EINVAL);
	verify_journal(f);
}

static void
test_void_and_return(void **state)
{
	struct fx *f = *state;
	const char *one[] = {"QA00000000000001"};
	const char *two[] = {"QA00000000000002"};
	const struct checkout_txn *t;
	struct checkout_txn lt;
	char *cause = NULL;
	int64_t id1, id2, cnt = 0;
	struct ans a;

	/* accepted offline, never sent: void returns it at once */
	t = redeem(f, 12000, one, 1);
	id1 = t->id;
	checkout_close(f->co);
	assert_int_equal(checkout_void(f->co, id1, "mgr", &cause), 0);
	assert_int_equal(checkout_load(f->co, id1, &lt), 0);
	assert_int_equal(lt.state, CHECKOUT_T_VOIDED);
	assert_int_equal(lt.lines[0].state, CHECKOUT_RETURNED);
	/* voiding twice is refused */
	assert_int_equal(checkout_void(f->co, id1, "mgr", &cause),
	    QUAN_EINVAL);
	free(cause);
	cause = NULL;
	assert_int_equal(checkout_void(f->co, 999, "mgr", &cause),
	    QUAN_ENOTFOUND);
	free(cause);
	cause = NULL;

	/* the code is usable again: confirmed online, then voided */
	f->hook = online_hook;
	checkout_set_online(f->co, 1);
	f->online_send = 1;
	f->online_answer = "confirmed";
	t = redeem(f, 12000, two, 1);
	assert_int_equal(t->lines[0].state, CHECKOUT_CONFIRMED);
	id2 = t->id;
	checkout_close(f->co);
	assert_int_equal(checkout_void(f->co, id2, "mgr", &cause), 0);
	assert_int_equal(checkout_load(f->co, id2, &lt), 0);
	assert_int_equal(lt.lines[0].state, CHECKOUT_RETURN_PENDING);
	memset(&a, 0, sizeof a);
	assert_int_equal(store_outbox_due(f->st, T0, 10, collect, &a), 0);
	assert_int_equal(a.n, 1);
	{
		struct store_outbox o;

		assert_int_equal(store_outbox_get(f->st, a.ids[0], &o), 0);
		assert_int_equal(o.op, STORE_OP_RETURN);
		assert_non_null(strstr(o.body, "return_request_no"));
		assert_int_equal(ledger_settle(f->st, o.id, CHECKOUT_RETURNED, "", "",
		    "", T0), 0);
	}
	assert_int_equal(store_red_counts(f->st, 0, INT64_MAX, count_state,
	    &cnt), 0);
	assert_int_equal(cnt, 2000);
	verify_journal(f);
}

static void
test_return_waits_for_use(void **state)
{
	struct fx *f = *state;
	const char *one[] = {"QA00000000000001"};
	const struct checkout_txn *t;
	struct ans a;
	char *cause = NULL;
	int64_t id;

	/* sent, unanswered, accepted offline; voided while in flight */
	f->hook = online_hook;
	checkout_set_online(f->co, 1);
	f->online_send = 1;
	f->online_answer = NULL;
	t = redeem(f, 12000, one, 1);
	assert_int_equal(t->lines[0].state, CHECKOUT_ACCEPTED_OFFLINE);
	id = t->id;
	checkout_close(f->co);
	assert_int_equal(checkout_void(f->co, id, "mgr", &cause), 0);
	/* only the use row is due; the return waits for it */
	memset(&a, 0, sizeof a);
	assert_int_equal(store_outbox_due(f->st, T0, 10, collect, &a), 0);
	assert_int_equal(a.n, 1);
	{
		struct store_outbox o;

		assert_int_equal(store_outbox_get(f->st, a.ids[0], &o), 0);
		assert_int_equal(o.op, STORE_OP_USE);
		/* the use failed after all: nothing to return */
		assert_int_equal(ledger_settle(f->st, o.id, CHECKOUT_REJECTED,
		    "RESOURCE_NOT_EXISTS", "", "", T0), 0);
	}
	memset(&a, 0, sizeof a);
	assert_int_equal(store_outbox_due(f->st, T0, 10, collect, &a), 0);
	assert_int_equal(a.n, 0);
	verify_journal(f);
}

/* The decision of a sale recovered meanwhile by another process is not
 * stored over the recovery; the engine's txn says nothing was granted. */
static void
test_recovered_meanwhile(void **state)
{
	struct fx *f = *state;
	const char *one[] = {"QA00000000000005"};
	const struct checkout_txn *t;
	struct store_txn st;
	struct store_red r;

	f->hook = online_hook;
	checkout_set_online(f->co, 1);
	f->online_send = 1;
	f->online_answer = "confirmed";
	f->online_recovered = 1;
	assert_int_equal(checkout_open(f->co, 12000), 0);
	assert_int_equal(checkout_add(f->co, one[0], strlen(one[0]), -1,
	    NULL), 0);
	assert_int_equal(redeem_with(f->co, f->st, f->hook, f), QUAN_EBUSY);
	t = checkout_current(f->co);
	assert_int_equal(t->state, CHECKOUT_T_VOIDED);
	assert_int_equal(t->lines[0].state, CHECKOUT_REJECTED);
	assert_string_equal(checkout_line_reason(&t->lines[0]), "not_recorded");
	assert_int_equal(t->discount_fen, 0);
	assert_int_equal(t->due_fen, 12000);
	/* the store keeps the recovery: voided, the coupon being returned */
	assert_int_equal(store_txn_get(f->st, t->id, &st), 0);
	assert_int_equal(st.state, TXN_VOIDED);
	assert_int_equal(store_red_get(f->st, t->lines[0].red_id, &r), 0);
	assert_int_equal(r.state, CHECKOUT_RETURN_PENDING);
	assert_int_equal(r.discount_fen, 0);
	/* not redeemable a second time; a new sale can start */
	assert_int_equal(redeem_with(f->co, f->st, f->hook, f), QUAN_EINVAL);
	assert_int_equal(checkout_open(f->co, 100), 0);
	verify_journal(f);
}

static void
test_recover(void **state)
{
	struct fx *f = *state;
	struct store_txn t;
	struct store_red r;
	struct ans a;
	int n = 0;

	/* simulate a crash between the commits: txn left 'open' */
	memset(&t, 0, sizeof t);
	t.amount_fen = 100;
	t.due_fen = 100;
	t.state = TXN_OPEN;
	t.opened_at = T0 - 1000;
	assert_int_equal(store_txn_insert(f->st, &t), 0);
	memset(&r, 0, sizeof r);
	r.txn_id = t.id;
	snprintf(r.code, sizeof r.code, "QA00000000000001");
	snprintf(r.target, sizeof r.target, "1212");
	snprintf(r.idem_key, sizeof r.idem_key, "T01U999");
	r.state = CHECKOUT_PENDING;
	assert_int_equal(store_red_insert(f->st, &r), 0);
	{
		struct store_outbox o;

		memset(&o, 0, sizeof o);
		o.red_id = r.id;
		snprintf(o.request_no, sizeof o.request_no, "T01U999");
		assert_int_equal(store_outbox_insert(f->st, &o), 0);
	}
	/* the open txn's row is not due for the sync loop */
	memset(&a, 0, sizeof a);
	assert_int_equal(store_outbox_due(f->st, T0, 10, collect, &a), 0);
	assert_int_equal(a.n, 0);
	assert_int_equal(checkout_recover(f->co, 60, &n), 0);
	assert_int_equal(n, 1);
	assert_int_equal(store_red_get(f->st, r.id, &r), 0);
	assert_int_equal(r.state, CHECKOUT_REJECTED);
	assert_string_equal(r.reason, "interrupted");
	assert_int_equal(store_txn_get(f->st, t.id, &t), 0);
	assert_int_equal(t.state, TXN_VOIDED);
	/* idempotency keys are UNIQUE */
	memset(&r, 0, sizeof r);
	r.txn_id = t.id;
	r.line = 1;
	snprintf(r.idem_key, sizeof r.idem_key, "T01U999");
	r.state = CHECKOUT_PENDING;
	assert_int_equal(store_red_insert(f->st, &r), QUAN_EEXIST);
}

/* Edit, delete, reorder: each is found. */
static void
tamper(struct fx *f, const char *sql, const char *want)
{
	char *cmd, *cause = NULL;
	int64_t n;

	store_close(f->st);
	f->st = NULL;
	cmd = xasprintf("sqlite3 %s \"%s\"", f->db, sql);
	assert_int_equal(system(cmd), 0);
	free(cmd);
	assert_int_equal(store_open(f->db, 0, &f->st, &cause), 0);
	fx_engine(f);
	assert_int_equal(journal_verify(f->st, &n, &cause), QUAN_ECORRUPT);
	if (strstr(cause, want) == NULL)
		fail_msg("cause '%s' lacks '%s'", cause, want);
	free(cause);
}

static void
test_journal_tamper(void **state)
{
	struct fx *f = *state;
	const char *one[] = {"QA00000000000001", "1227944959000000911017"};
	char *cmd;

	redeem(f, 20000, one, 2);
	checkout_close(f->co);
	verify_journal(f);
	cmd = xasprintf("cp %s %s.orig", f->db, f->db);
	store_close(f->st);
	f->st = NULL;
	assert_int_equal(system(cmd), 0);
	free(cmd);
	{
		char *cause = NULL;

		assert_int_equal(store_open(f->db, 0, &f->st, &cause), 0);
	}
	tamper(f, "UPDATE journal SET data = replace(data, '1000', '9000') "
	    "WHERE kind = 'redeem'", "edited");
	cmd = xasprintf("cp %s.orig %s; rm -f %s-wal %s-shm", f->db, f->db,
	    f->db, f->db);
	store_close(f->st);
	f->st = NULL;
	assert_int_equal(system(cmd), 0);
	free(cmd);
	{
		char *cause = NULL;

		assert_int_equal(store_open(f->db, 0, &f->st, &cause), 0);
	}
	tamper(f, "DELETE FROM journal WHERE seq = 3", "deleted");
	tamper(f, "UPDATE journal SET seq = seq + 100 WHERE seq = 2; "
	    "UPDATE journal SET seq = 3 WHERE seq = 4; "
	    "UPDATE journal SET seq = 2 WHERE seq = 102", "");
	tamper(f, "DELETE FROM journal WHERE seq = (SELECT max(seq) FROM "
	    "journal)", "");
}

static void
test_store_errors(void **state)
{
	struct fx *f = *state;
	struct store *s = NULL;
	char *cause = NULL, *p, *cmd;
	FILE *fp;
	const char *many[] = {"QA00000000000001"};
	int rc;

	/* not a database */
	p = xasprintf("%s/garbage.db", f->dir);
	fp = fopen(p, "w");
	fputs("this is not an SQLite database, just text............"
	    "................................................", fp);
	fclose(fp);
	assert_int_equal(store_open(p, 0, &s, &cause), QUAN_ECORRUPT);
	assert_non_null(strstr(cause, p));
	free(cause);
	cause = NULL;
	free(p);

	/* read-only file */
	store_close(f->st);
	f->st = NULL;
	chmod(f->db, 0400);
	if (geteuid() != 0) {
		rc = store_open(f->db, 0, &s, &cause);
		assert_int_equal(rc, QUAN_EPERM);
		assert_non_null(strstr(cause, "read-only"));
		free(cause);
		cause = NULL;
	}
	chmod(f->db, 0600);
	assert_int_equal(store_open(f->db, 0, &f->st, &cause), 0);
	fx_engine(f);

	/* busy: another handle holds the write lock */
	{
		struct store *b = NULL;

		assert_int_equal(store_open(f->db, 0, &b, &cause), 0);
		store_set_busy_ms(b, 100);
		assert_int_equal(store_begin(f->st), 0);
		assert_int_equal(store_begin(b), QUAN_EBUSY);
		assert_non_null(strstr(store_errmsg(b), "locked"));
		store_rollback(f->st);
		assert_int_equal(store_begin(b), 0);
		store_rollback(b);
		store_close(b);
	}

	/* full disk: cap the file at its current size */
	{
		int64_t bytes;

		assert_int_equal(store_size(f->st, &bytes), 0);
		assert_int_equal(store_set_max_pages(f->st, bytes / 4096), 0);
	}
	assert_int_equal(checkout_open(f->co, 12000), 0);
	assert_int_equal(checkout_add(f->co, many[0], strlen(many[0]), -1,
	    NULL), 0);
	/* write until full */
	rc = 0;
	for (int i = 0; i < 2000 && rc == 0; i++) {
		struct store_code c;

		memset(&c, 0, sizeof c);
		snprintf(c.code, sizeof c.code, "FILL%06d%0100d", i, 0);
		snprintf(c.target, sizeof c.target, "1212");
		rc = store_code_put(f->st, &c);
	}
	assert_int_equal(rc, QUAN_EFULL);
	assert_non_null(strstr(store_errmsg(f->st), "disk full"));
	rc = redeem_with(f->co, f->st, f->hook, f);
	if (rc != 0) {
		assert_int_equal(rc, QUAN_EFULL);
		/* nothing granted, basket still open */
		assert_int_equal(checkout_current(f->co)->state,
		    CHECKOUT_T_OPEN);
	}
	cmd = xasprintf("sqlite3 %s 'PRAGMA integrity_check'", f->db);
	assert_int_equal(system(cmd), 0);
	free(cmd);
	verify_journal(f);
}

/* Issue 9: blanks around a field are not stored; a code listed again is
 * counted for what happened to it; a used code is not made issued again
 * (a re-import reset it, so it could be discounted again); an import cut
 * off while publishing is finished by the next one, one cut off while
 * staging is dropped. */
static void
import_again(struct fx *f)
{
	struct store_import_counts ic;
	struct store_code c;
	char *cause = NULL, *p = xasprintf("%s/again.csv", f->dir);
	int64_t n;
	FILE *fp;

	assert_int_equal(store_code_set_state(f->st, "ZZ00000001",
	    STORE_MERCHANT, "used"), 0);
	assert_non_null(fp = fopen(p, "w+"));
	fprintf(fp, " ZZ00000001 , merchant ,1212\n"   /* used: kept */
	    "ZZ00000002,merchant,1213\n"               /* stock changed */
	    "ZZ00000003,merchant,1212\n"               /* as it is */
	    "ZZ 4,merchant,1212,oX ,\n"                /* new, inner blank */
	    "ZZ 4,merchant,1212, oY,17\n");            /* repeated */
	rewind(fp);
	assert_int_equal(import_codes(f->st, fp, p, T0, &n, &ic, &cause), 0);
	fclose(fp);
	assert_int_equal(n, 2);
	assert_int_equal(ic.added, 1);
	assert_int_equal(ic.updated, 1);
	assert_int_equal(ic.unchanged, 1);
	assert_int_equal(ic.kept, 1);
	assert_int_equal(ic.duplicates, 1);
	assert_int_equal(store_code_get(f->st, "ZZ00000001", &c), 0);
	assert_string_equal(c.state, "used");
	assert_int_equal(store_code_get(f->st, "ZZ 4", &c), 0);
	assert_string_equal(c.openid, "oY");
	assert_int_equal(c.received_at, 17);
	assert_int_equal(store_code_get(f->st, " ZZ00000001 ", &c),
	    QUAN_ENOTFOUND);
	/* the same from the notification path (store_code_put) */
	memset(&c, 0, sizeof c);
	str_copy(c.code, sizeof c.code, "ZZ00000001");
	str_copy(c.target, sizeof c.target, "1212");
	str_copy(c.state, sizeof c.state, "issued");
	assert_int_equal(store_code_put(f->st, &c), 0);
	assert_int_equal(store_code_get(f->st, "ZZ00000001", &c), 0);
	assert_string_equal(c.state, "used");
	/* cut off while publishing: the next import finishes it first */
	assert_int_equal(store_begin(f->st), 0);
	{
		struct store_code_in in[2] = {
			{ "ZZ 8", "1212", "", STORE_MERCHANT, 0 },
			{ "ZZ 9", "1212", "", STORE_MERCHANT, 0 },
		};

		memset(&ic, 0, sizeof ic);
		assert_int_equal(store_stage_put(f->st, in, 2, &ic), 0);
	}
	assert_int_equal(store_meta_set(f->st, "import", "publishing"), 0);
	assert_int_equal(store_commit(f->st), 0);
	assert_int_equal(store_code_get(f->st, "ZZ 8", &c), QUAN_ENOTFOUND);
	assert_non_null(fp = fopen(p, "w+"));
	fprintf(fp, "ZZ 10,merchant,1212\n");
	rewind(fp);
	assert_int_equal(import_codes(f->st, fp, p, T0, &n, &ic, &cause), 0);
	assert_int_equal(store_code_get(f->st, "ZZ 8", &c), 0);
	assert_int_equal(store_code_get(f->st, "ZZ 10", &c), 0);
	/* cut off while staging: dropped, never published */
	assert_int_equal(store_begin(f->st), 0);
	{
		struct store_code_in in[1] = {
			{ "ZZ 11", "1212", "", STORE_MERCHANT, 0 },
		};

		assert_int_equal(store_stage_put(f->st, in, 1, &ic), 0);
	}
	assert_int_equal(store_meta_set(f->st, "import", "staging"), 0);
	assert_int_equal(store_commit(f->st), 0);
	rewind(fp);
	assert_int_equal(import_codes(f->st, fp, p, T0, &n, &ic, &cause), 0);
	assert_int_equal(store_code_get(f->st, "ZZ 11", &c), QUAN_ENOTFOUND);
	fclose(fp);
	free(p);
}

static void
test_import_codes(void **state)
{
	struct fx *f = *state;
	struct store_import_counts ic;
	struct store_code c;
	char *cause = NULL, *p = xasprintf("%s/dup.csv", f->dir);
	int64_t n;
	FILE *fp = fopen(p, "w+");

	assert_non_null(fp);
	/* more than one chunk; the same code twice: the last line wins */
	for (int i = 0; i < 70000; i++)
		fprintf(fp, "ZZ%08d,merchant,1212\n", 69999 - i);
	fprintf(fp, "ZZ00000007,card,pFS7Fjg8kV1IdDz01r4SQwMkuCKc,o1,"
	    "1767225600\n");
	fprintf(fp, "ZZ00000007,card,pGIFTcardAAAAAAAAAAAAAAAAAAA,o2,"
	    "2026-01-01T08:00:00+08:00\n");
	rewind(fp);
	assert_int_equal(import_codes(f->st, fp, p, T0, &n, &ic, &cause), 0);
	/* the repeated card code is one code (it was counted twice) */
	assert_int_equal(n, 70001);
	assert_int_equal(ic.added, 70001);
	assert_int_equal(ic.duplicates, 1);
	assert_int_equal(store_code_get(f->st, "ZZ00000007", &c), 0);
	assert_int_equal(c.kind, STORE_MERCHANT); /* merchant row first */
	assert_int_equal(store_code_get(f->st, "ZZ00069999", &c), 0);
	assert_string_equal(c.target, "1212");
	import_again(f);
	/* an error on the last line leaves nothing behind */
	rewind(fp);
	fprintf(fp, "YY1,merchant,1212\nYY2,merchant,1212\nYY3,merchant\n");
	fflush(fp);
	assert_int_equal(ftruncate(fileno(fp), ftell(fp)), 0);
	rewind(fp);
	assert_int_equal(import_codes(f->st, fp, p, T0, &n, NULL, &cause),
	    QUAN_EINVAL);
	assert_non_null(strstr(cause, ":3:"));
	free(cause);
	assert_int_equal(store_code_get(f->st, "YY1", &c), QUAN_ENOTFOUND);
	fclose(fp);
	free(p);
}

static int
count_scans(void *arg, const struct store_jrow *j)
{
	if (strcmp(j->kind, "scan") == 0) {
		(*(int *)arg)++;
		/* codes are masked in the journal */
		assert_null(strstr(j->data, "QA00000000000001"));
	}
	return 0;
}

static void
test_journal_scans(void **state)
{
	struct fx *f = *state;
	int n = 0;

	f->journal_scans = 1;
	fx_engine(f);
	assert_int_equal(checkout_open(f->co, 12000), 0);
	assert_int_equal(checkout_add(f->co, "QA00000000000001", 16, -1,
	    NULL), 0);
	assert_int_equal(checkout_add(f->co, "garbage!", 8, -1, NULL), 0);
	assert_int_equal(checkout_cancel(f->co), 0);
	assert_int_equal(store_journal_walk(f->st, count_scans, &n), 0);
	assert_int_equal(n, 2);
	verify_journal(f);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_price_and_offline_accept,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_rejections, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_stacking_and_discount,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_policy_and_caps, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_online_hook, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_void_and_return, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_override, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_return_waits_for_use,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_recover, setup, teardown),
		cmocka_unit_test_setup_teardown(test_recovered_meanwhile, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_journal_tamper, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_store_errors, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_journal_scans, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_import_codes, setup,
		    teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
