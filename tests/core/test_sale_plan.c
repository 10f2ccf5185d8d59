/* test_sale_plan.c — no query of the scan, price, redeem, settle and
 * report paths reads the till's history: every statement those paths run
 * is recorded as it runs (store_trace), then its EXPLAIN QUERY PLAN must
 * not SCAN a history table (txns, redemptions, outbox, journal, codes,
 * notify_seen). The statements come from running the code — the terminal
 * session (login, scan, redeem, already-used verdict, X report, today's
 * sales), the checkout engine (offline decision with its caps, online
 * answers, void, recovery), the sync pump and settlement, and the store
 * calls of `quan report` — so a query added to these paths later is
 * checked without being listed here. */
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
#include "online_hook.h"
#include "core/evq.h"
#include "core/import.h"
#include "core/ledger.h"
#include "core/session.h"
#include "core/settle.h"
#include "store/store.h"
#include "util/config.h"
#include "util/err.h"
#include "util/tm.h"
#include "util/xmem.h"

#include "session_events.h"

#ifndef DATA_DIR
#error DATA_DIR must point at tests/core/data
#endif

#define SQL_MAX 256

struct seen {
	char *sql[SQL_MAX];
	int n;
	int on;
};

static void
seen_add(void *arg, const char *sql)
{
	struct seen *s = arg;
	int i;

	if (!s->on)
		return;
	for (i = 0; i < s->n; i++)
		if (strcmp(s->sql[i], sql) == 0)
			return;
	if (s->n < SQL_MAX)
		s->sql[s->n++] = xstrdup(sql);
}

struct verdict {
	const char *sql;
	int bad;
	char lines[2048];
};

/* Small tables (bounded by configuration, not by sales) may be scanned;
 * anything else a plan SCANs is history. */
static void
plan_line(void *arg, const char *detail)
{
	struct verdict *v = arg;
	static const char *const small[] = { "meta", "seqs", "stocks",
	    "cards", "CONSTANT ROW" };
	size_t i, used = strlen(v->lines);

	snprintf(v->lines + used, sizeof v->lines - used, "    %s\n", detail);
	if (strncmp(detail, "SCAN ", 5) != 0)
		return;
	for (i = 0; i < sizeof small / sizeof small[0]; i++)
		if (strncmp(detail + 5, small[i], strlen(small[i])) == 0 &&
		    (detail[5 + strlen(small[i])] == '\0' ||
		    detail[5 + strlen(small[i])] == ' '))
			return;
	v->bad = 1;
}

struct fx {
	char dir[64];
	struct config *cfg;
	struct store *st;
	struct checkout *co;
	online_hook_fn hook;       /* WeChat's stand-in, NULL none */
	struct session *s;
	struct evq *q;
	struct seen seen;
	int64_t now;
	const char *answer;        /* online step: settle every row so */
};

static int64_t
fixed_now(void *arg)
{
	return ((struct fx *)arg)->now;
}

static int
ids_cb(void *arg, const struct store_outbox *o)
{
	int64_t *ids = arg;

	if (ids[0] < 15)
		ids[++ids[0]] = o->id;
	return 0;
}

/* The online step of a till whose WeChat answers f->answer (or nothing). */
static int
online(void *arg, struct store *st, int64_t txn, int wait_ms)
{
	struct fx *f = arg;
	int64_t ids[16] = { 0 };
	int i;

	(void)wait_ms;
	assert_int_equal(store_outbox_list_txn(st, txn, ids_cb, ids), 0);
	for (i = 1; i <= ids[0]; i++) {
		assert_int_equal(store_outbox_sent(st, ids[i], f->now), 0);
		if (f->answer != NULL)
			assert_int_equal(ledger_settle(st, ids[i],
			    checkout_cstate_parse(f->answer),
			    "", NULL, "ref", f->now), 0);
	}
	return 0;
}

static int
setup(void **state)
{
	struct fx *f = xcalloc(1, sizeof *f);
	struct checkout_opts co;
	struct session_opts so;
	char *db, *cause = NULL;
	int64_t n;
	FILE *fp;

	snprintf(f->dir, sizeof f->dir, "/tmp/quan-plan-XXXXXX");
	assert_non_null(mkdtemp(f->dir));
	assert_int_equal(tm_set_zone("Asia/Shanghai"), 0);
	config_defaults(&f->cfg);
	f->cfg->off_default_policy = CONFIG_POLICY_OFFLINE_OK;
	f->now = tm_now();
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
	assert_int_equal(staff_set(f->dir, "1001", STAFF_CASHIER, "1234",
	    &cause), 0);
	memset(&co, 0, sizeof co);
	co.cfg = f->cfg;
	co.st = f->st;
	co.now = fixed_now;
	co.now_arg = f;
	co.journal_scans = 1;
	assert_int_equal(checkout_new(&co, &f->co, &cause), 0);
	assert_int_equal(evq_new(&f->q, 64), 0);
	memset(&so, 0, sizeof so);
	so.cfg = f->cfg;
	so.data_dir = f->dir;
	so.st = f->st;
	so.co = f->co;
	assert_int_equal(session_new(&f->s, &so, &cause), 0);
	store_trace(f->st, seen_add, &f->seen);
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fx *f = *state;
	char *cmd;
	int i;

	store_trace(f->st, NULL, NULL);
	session_free(f->s);
	evq_free(f->q);
	checkout_free(f->co);
	store_close(f->st);
	config_free(f->cfg);
	cmd = xasprintf("rm -rf '%s'", f->dir);
	assert_int_equal(system(cmd), 0);
	free(cmd);
	for (i = 0; i < f->seen.n; i++)
		free(f->seen.sql[i]);
	free(f);
	return 0;
}

/* Plan every statement seen; fail naming each that scans history. */
static void
check_plans(struct fx *f, int min_statements)
{
	int i, bad = 0;

	f->seen.on = 0;
	assert_true(f->seen.n >= min_statements);
	for (i = 0; i < f->seen.n; i++) {
		struct verdict v;

		memset(&v, 0, sizeof v);
		v.sql = f->seen.sql[i];
		assert_int_equal(store_plan(f->st, v.sql, plan_line, &v), 0);
		if (getenv("QUAN_PLAN_VERBOSE") != NULL)
			fprintf(stderr, "%s\n%s", v.sql, v.lines);
		if (v.bad) {
			fprintf(stderr, "scans history: %s\n%s", v.sql,
			    v.lines);
			bad++;
		}
	}
	assert_int_equal(bad, 0);
}

static const struct checkout_txn *
sale(struct fx *f, int64_t amount, const char *code)
{
	assert_int_equal(checkout_open(f->co, amount), 0);
	assert_int_equal(checkout_add(f->co, code, strlen(code), -1, NULL),
	    0);
	assert_int_equal(redeem_with(f->co, f->st, f->hook, f), 0);
	return checkout_current(f->co);
}

/* The terminal: login, a sale with its offline decision, the same code
 * again (already used, with the time it was used), X report, today's
 * sales. */
static void
test_terminal_paths(void **state)
{
	struct fx *f = *state;

	f->seen.on = 1;
	ev_key(f->s, SC_SUBMIT, "1001");
	ev_key(f->s, SC_SUBMIT, "1234");
	ev_key(f->s, SC_SUBMIT, "120");
	ev_scan(f->s, "QA00000000000001");
	ev_scan(f->s, "NOTACOUPON");
	ev_key(f->s, SC_CONFIRM, "");
	assert_int_equal(session_view(f->s)->screen, VIEW_RESULT);
	ev_key(f->s, SC_NEW, "");
	ev_key(f->s, SC_SUBMIT, "120");
	ev_scan(f->s, "QA00000000000001");
	ev_key(f->s, SC_CANCEL, "");
	ev_key(f->s, SC_XREPORT, "");
	assert_int_equal(session_view(f->s)->screen, VIEW_REPORT);
	ev_key(f->s, SC_CANCEL, "");
	ev_key(f->s, SC_TXNS, "");
	check_plans(f, 20);
}

/* The engine: offline caps (hour, exposure), online confirm and reject,
 * unanswered, void with its return, the sync pump and settlement,
 * recovery of an interrupted sale, and the store calls of quan report. */
static void
test_engine_paths(void **state)
{
	struct fx *f = *state;
	struct settle_opts so;
	struct settle *se = NULL;
	struct evq *to_sync = NULL;
	const struct checkout_txn *t;
	int64_t a, b, ids[16] = { 0 };
	char *cause = NULL;
	int n, i;

	f->seen.on = 1;
	f->cfg->off_max_exposure_fen = 1500;
	t = sale(f, 12000, "QA00000000000002");
	assert_int_equal(t->lines[0].state, CHECKOUT_ACCEPTED_OFFLINE);
	assert_int_equal(checkout_close(f->co), 0);
	t = sale(f, 12000, "QA00000000000003");
	assert_string_equal(checkout_line_reason(&t->lines[0]), "offline_cap_exposure");
	assert_int_equal(checkout_close(f->co), 0);
	/* online: confirmed, then voided (its return queued) */
	f->hook = online;
	checkout_set_online(f->co, 1);
	f->answer = "confirmed";
	t = sale(f, 12000, "QA00000000000004");
	assert_int_equal(t->lines[0].state, CHECKOUT_CONFIRMED);
	a = t->id;
	assert_int_equal(checkout_close(f->co), 0);
	assert_int_equal(checkout_void(f->co, a, "9001", &cause), 0);
	f->answer = "rejected";
	t = sale(f, 12000, "QA00000000000005");
	assert_int_equal(checkout_close(f->co), 0);
	/* unanswered: unknown, left to the sync area */
	f->answer = NULL;
	t = sale(f, 12000, "110201201245");
	b = t->id;
	assert_int_equal(checkout_close(f->co), 0);
	f->hook = NULL;
	checkout_set_online(f->co, 0);
	/* an interrupted sale (first commit only), recovered */
	assert_int_equal(checkout_open(f->co, 5000), 0);
	assert_int_equal(checkout_add(f->co, "PS00000000000001", 16, -1,
	    NULL), 0);
	f->now += 3600;
	assert_int_equal(checkout_recover(f->co, 60, &n), 0);
	/* the sync pump, then WeChat's answers to what it sent */
	assert_int_equal(evq_new(&to_sync, 64), 0);
	settle_opts_defaults(&so);
	so.refresh_s = 0;
	so.queue_cap = 64;
	assert_int_equal(settle_new(&se, f->st, f->cfg, &so, to_sync), 0);
	assert_int_equal(settle_pump(se, f->now, &n), 0);
	assert_true(n >= 1);
	assert_int_equal(store_outbox_list_txn(f->st, b, ids_cb, ids), 0);
	for (i = 1; i <= ids[0]; i++)
		assert_int_equal(ledger_settle(f->st, ids[i], CHECKOUT_CONFIRMED,
		    "", NULL, "ref", f->now), 0);
	memset(ids, 0, sizeof ids);
	assert_int_equal(store_outbox_list_txn(f->st, a, ids_cb, ids), 0);
	for (i = 1; i <= ids[0]; i++)
		assert_int_equal(ledger_settle(f->st, ids[i], CHECKOUT_RETURNED, "",
		    NULL, "ref", f->now), 0);
	settle_free(se);
	evq_free(to_sync);
	/* quan report: the day's rows, offline figures, outbox depth */
	{
		struct checkout_txn lt;
		int64_t x, y;

		assert_int_equal(checkout_load(f->co, a, &lt), 0);
		assert_int_equal(store_offline_stats(f->st, f->now - 86400,
		    &x, &y), 0);
		assert_int_equal(store_outbox_depth(f->st, &x, &y), 0);
	}
	check_plans(f, 30);
}

/* The check itself fails on a history scan (it cannot pass vacuously). */
static void
test_check_sees_a_scan(void **state)
{
	struct fx *f = *state;
	struct verdict v;

	memset(&v, 0, sizeof v);
	assert_int_equal(store_plan(f->st, "SELECT ifnull(sum(discount_fen), "
	    "0) FROM redemptions WHERE reason = 'ok'", plan_line, &v), 0);
	assert_int_equal(v.bad, 1);
	memset(&v, 0, sizeof v);
	assert_int_equal(store_plan(f->st, "SELECT ifnull(sum(discount_fen), "
	    "0) FROM redemptions WHERE state = 'accepted_offline'", plan_line,
	    &v), 0);
	assert_int_equal(v.bad, 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_terminal_paths, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_engine_paths, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_check_sees_a_scan, setup,
		    teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
