/* test_single_use.c — a coupon code has at most one live redemption per
 * data dir, whatever process asks (issue 9, defects 1 and 3): two engines
 * on two store handles of one database file stand for two processes (a
 * terminal holding a scanned basket, a `quan redeem` beside it). The loser
 * of the race gets already_used, never a discount; the store itself
 * refuses a second live row (partial UNIQUE index, migration 2), and an
 * old store that already holds duplicates opens with the extras made
 * conflicts a manager sees. */
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
#include "core/import.h"
#include "core/journal.h"
#include "core/ledger.h"
#include "store/store.h"
#include "util/config.h"
#include "util/err.h"
#include "util/tm.h"
#include "util/xmem.h"

#ifndef DATA_DIR
#error DATA_DIR must point at tests/core/data
#endif

#define T1 1780286400LL /* 2026-06-01T12:00:00+08:00 */
#define MER "QA00000000000001"
#define CARD "110201201245"

/* Two "processes": a till (a) and a `quan redeem` beside it (b). */
struct two {
	char dir[64];
	char *path;
	struct config *cfg;
	struct store *sa, *sb;
	struct checkout *a, *b;
	int64_t now;
};

static int64_t
two_now(void *arg)
{
	return ((struct two *)arg)->now;
}

static struct checkout *
engine(struct two *w, struct store *st)
{
	struct checkout_opts o = { .cfg = w->cfg, .st = st, .now = two_now,
	    .now_arg = w };
	struct checkout *co = NULL;
	char *cause = NULL;

	assert_int_equal(checkout_new(&o, &co, &cause), 0);
	return co;
}

static int
two_setup(void **state)
{
	struct two *w = xcalloc(1, sizeof *w);
	char *cause = NULL;
	int64_t n;
	FILE *fp;

	snprintf(w->dir, sizeof w->dir, "/tmp/quan-single-XXXXXX");
	assert_non_null(mkdtemp(w->dir));
	w->path = xasprintf("%s/quan.db", w->dir);
	assert_int_equal(tm_set_zone("Asia/Shanghai"), 0);
	config_defaults(&w->cfg);
	/* the till would grant each of them offline */
	w->cfg->off_default_policy = CONFIG_POLICY_OFFLINE_OK;
	w->now = T1;
	assert_int_equal(store_open(w->path, 0, &w->sa, &cause), 0);
	assert_int_equal(store_open(w->path, 0, &w->sb, &cause), 0);
	assert_int_equal(import_stocks(w->sa, DATA_DIR "/stocks.json", T1, &n,
	    &cause), 0);
	assert_int_equal(import_cards(w->sa, DATA_DIR "/cards.json", T1, &n,
	    &cause), 0);
	assert_non_null(fp = fopen(DATA_DIR "/codes.csv", "r"));
	assert_int_equal(import_codes(w->sa, fp, "codes.csv", T1, &n, NULL,
	    &cause), 0);
	fclose(fp);
	w->a = engine(w, w->sa);
	w->b = engine(w, w->sb);
	*state = w;
	return 0;
}

static int
two_teardown(void **state)
{
	struct two *w = *state;
	char *cmd = xasprintf("rm -rf %s", w->dir);

	checkout_free(w->a);
	checkout_free(w->b);
	store_close(w->sa);
	store_close(w->sb);
	config_free(w->cfg);
	if (system(cmd) != 0)
		fprintf(stderr, "cannot remove %s\n", w->dir);
	free(cmd);
	free(w->path);
	free(w);
	return 0;
}

static void
scan(struct checkout *co, int64_t amount, const char *code)
{
	const struct checkout_txn *t;

	assert_int_equal(checkout_open(co, amount), 0);
	assert_int_equal(checkout_add(co, code, strlen(code), -1, NULL), 0);
	t = checkout_current(co);
	assert_int_equal(t->lines[t->nlines - 1].state, CHECKOUT_PRICED);
}

/* Live rows of code: pending, unknown, confirmed, accepted_offline,
 * return_pending. */
struct live {
	const char *code;
	int n;
	int64_t fen;
};

static int
live_row(void *arg, const struct store_red *r)
{
	struct live *l = arg;

	if (strcmp(r->code, l->code) != 0)
		return 0;
	if (r->state == CHECKOUT_PENDING ||
	    r->state == CHECKOUT_UNKNOWN ||
	    r->state == CHECKOUT_CONFIRMED ||
	    r->state == CHECKOUT_ACCEPTED_OFFLINE ||
	    r->state == CHECKOUT_RETURN_PENDING) {
		l->n++;
		l->fen += r->discount_fen;
	}
	return 0;
}

static int
live_of(struct store *st, const char *code, int64_t *fen)
{
	struct live l = { .code = code };

	assert_int_equal(store_red_list(st, 0, INT64_MAX / 2, NULL, live_row,
	    &l), 0);
	if (fen != NULL)
		*fen = l.fen;
	return l.n;
}

static void
verify(struct store *st)
{
	char *cause = NULL;
	int64_t n;

	if (journal_verify(st, &n, &cause) != 0)
		fail_msg("journal: %s", cause);
}

/* The loser of a race: scanned (priced) while the code was free, redeemed
 * after another process redeemed it. */
static void
lost_race(struct two *w, const char *code)
{
	const struct checkout_txn *t;
	int64_t fen;

	scan(w->a, 12000, code);          /* the till holds a basket */
	scan(w->b, 12000, code);          /* `quan redeem` beside it */
	assert_int_equal(checkout_redeem(w->b), 0);
	t = checkout_current(w->b);
	assert_int_equal(t->lines[0].state, CHECKOUT_ACCEPTED_OFFLINE);
	assert_true(t->discount_fen > 0);
	assert_int_equal(checkout_redeem(w->a), 0);
	t = checkout_current(w->a);
	assert_int_equal(t->lines[0].state, CHECKOUT_REJECTED);
	assert_string_equal(checkout_line_reason(&t->lines[0]), "already_used");
	assert_int_equal(t->lines[0].discount_fen, 0);
	assert_int_equal(t->discount_fen, 0);
	assert_int_equal(t->due_fen, 12000);
	assert_int_equal(live_of(w->sa, code, &fen), 1);
	assert_true(fen > 0);
	verify(w->sa);
}

static void
test_basket_held_merchant(void **state)
{
	lost_race(*state, MER);
}

static void
test_card_twice_offline(void **state)
{
	lost_race(*state, CARD);
}

/* The loser's other coupons are priced without the lost one. */
static void
test_loser_keeps_other_lines(void **state)
{
	struct two *w = *state;
	const char *other = "1227944959000000911017"; /* 88 % */
	const struct checkout_txn *t;

	scan(w->a, 20000, MER);
	assert_int_equal(checkout_add(w->a, other, strlen(other), -1, NULL),
	    0);
	scan(w->b, 12000, MER);
	assert_int_equal(checkout_redeem(w->b), 0);
	assert_int_equal(checkout_redeem(w->a), 0);
	t = checkout_current(w->a);
	assert_string_equal(checkout_line_reason(&t->lines[0]), "already_used");
	assert_int_equal(t->lines[1].state, CHECKOUT_ACCEPTED_OFFLINE);
	/* 88 % of the whole 200.00, not of what the lost coupon left */
	assert_int_equal(t->lines[1].discount_fen, 2400);
	assert_int_equal(t->due_fen, 17600);
	verify(w->sa);
}

/* A manager's override of an offline refusal cannot grant a code another
 * process redeemed meanwhile. */
static void
test_override_after_other(void **state)
{
	struct two *w = *state;
	const struct checkout_txn *t;

	w->cfg->off_max_coupon_fen = 500; /* 10.00 off > cap: refused */
	scan(w->a, 12000, MER);
	assert_int_equal(checkout_redeem(w->a), 0);
	t = checkout_current(w->a);
	assert_string_equal(checkout_line_reason(&t->lines[0]), "offline_cap_coupon");
	w->cfg->off_max_coupon_fen = 10000;
	scan(w->b, 12000, MER);
	assert_int_equal(checkout_redeem(w->b), 0);
	assert_int_equal(checkout_current(w->b)->lines[0].state,
	    CHECKOUT_ACCEPTED_OFFLINE);
	assert_int_equal(checkout_override(w->a, 0, "9001", "regular"),
	    QUAN_EEXIST);
	t = checkout_current(w->a);
	assert_int_equal(t->lines[0].state, CHECKOUT_REJECTED);
	assert_int_equal(t->due_fen, 12000);
	assert_int_equal(live_of(w->sa, MER, NULL), 1);
	verify(w->sa);
}

/* A redeemed sale's row of MER in state (written through st), and the
 * same coupon as line 1 with key2, not inserted yet, in *s. */
static void
two_rows(struct store *st, const char *state, const char *key2,
    struct store_red *r, struct store_red *s)
{
	struct store_txn t = { .amount_fen = 100, .due_fen = 100,
	    .state = TXN_REDEEMED };

	assert_int_equal(store_txn_insert(st, &t), 0);
	memset(r, 0, sizeof *r);
	r->txn_id = t.id;
	snprintf(r->code, sizeof r->code, MER);
	snprintf(r->target, sizeof r->target, "1212");
	snprintf(r->idem_key, sizeof r->idem_key, "T01U000000000007");
	r->state = checkout_cstate_parse(state);
	assert_int_equal(store_red_insert(st, r), 0);
	*s = *r;
	s->line = 1;
	snprintf(s->idem_key, sizeof s->idem_key, "%s", key2);
}

/* The store refuses a second live row of a code, whoever writes it. */
static void
test_store_refuses_second_live(void **state)
{
	struct two *w = *state;
	struct store_red r, s;

	two_rows(w->sa, "accepted_offline", "T01U2", &r, &s);
	/* every live state */
	s.state = CHECKOUT_PENDING;
	assert_int_equal(store_red_insert(w->sb, &s), QUAN_EEXIST);
	s.state = CHECKOUT_RETURN_PENDING;
	assert_int_equal(store_red_insert(w->sb, &s), QUAN_EEXIST);
	/* a refused line is not live */
	s.state = CHECKOUT_REJECTED;
	assert_int_equal(store_red_insert(w->sb, &s), 0);
	/* ... and cannot become live while the other holds the code */
	s.state = CHECKOUT_CONFIRMED;
	assert_int_equal(store_red_update(w->sb, &s), QUAN_EEXIST);
	/* once the first is returned, it can */
	r.state = CHECKOUT_RETURNED;
	assert_int_equal(store_red_update(w->sa, &r), 0);
	assert_int_equal(store_red_update(w->sb, &s), 0);
	assert_int_equal(store_red_code_active(w->sa, MER), 1);
}

/* A use that lands for a row the till had refused, while another row
 * holds the code, is a conflict for a manager, not a settle error. */
static void
test_landed_while_held(void **state)
{
	struct two *w = *state;
	struct store_red r, s;
	struct store_outbox o;

	two_rows(w->sa, "rejected", "T01U000000000008", &r, &s);
	memset(&o, 0, sizeof o);
	o.red_id = r.id;
	snprintf(o.request_no, sizeof o.request_no, "%s", r.idem_key);
	assert_int_equal(store_outbox_insert(w->sa, &o), 0);
	assert_int_equal(store_outbox_sent(w->sa, o.id, T1), 0);
	s.state = CHECKOUT_ACCEPTED_OFFLINE;
	assert_int_equal(store_red_insert(w->sb, &s), 0);
	assert_int_equal(ledger_settle(w->sa, o.id, CHECKOUT_CONFIRMED, "", NULL,
	    NULL, T1), 0);
	assert_int_equal(store_red_get(w->sa, r.id, &r), 0);
	assert_int_equal(r.state, CHECKOUT_CONFLICT);
	assert_string_equal(r.reason, "duplicate_redemption");
	assert_int_equal(store_outbox_get(w->sa, o.id, &o), 0);
	assert_int_equal(o.state, OUTBOX_DONE);
	assert_int_equal(live_of(w->sa, MER, NULL), 1);
	verify(w->sa);
}

/* A store written before the rule (schema 1) that already holds two live
 * redemptions of one code opens: one stays live (the one WeChat confirmed,
 * else the first), the others become conflicts with their discount kept
 * for the manager, their never-sent use is cancelled, and the change is
 * journaled once. */
static void
test_migration_marks_duplicates(void **state)
{
	struct two *w = *state;
	char *db = xasprintf("%s/old.db", w->dir), *cmd, *cause = NULL;
	struct store *st = NULL;
	struct store_red r;
	struct store_outbox o;
	int n = 0;

	assert_int_equal(store_create_version(db, 1, &cause), 0);
	cmd = xasprintf("sqlite3 %s \""
	    "INSERT INTO txns VALUES(1,100,50,50,'redeemed',1,0,'');"
	    "INSERT INTO txns VALUES(2,100,50,50,'redeemed',2,0,'');"
	    "INSERT INTO txns VALUES(3,100,30,70,'redeemed',3,0,'');"
	    "INSERT INTO redemptions VALUES(1,1,0,'C1',1,'p1','CASH','U1',NULL,"
	    "'accepted_offline','ok',50,1,1,'','','','',1,1);"
	    "INSERT INTO redemptions VALUES(2,2,0,'C1',1,'p1','CASH','U2',NULL,"
	    "'confirmed','ok',50,2,0,'','','','',2,2);"
	    "INSERT INTO redemptions VALUES(3,3,0,'C1',1,'p1','CASH','U3',NULL,"
	    "'pending','ok',30,3,0,'','','','',3,3);"
	    "INSERT INTO outbox VALUES(1,3,'consume','U3','{}','pending',0,3,"
	    "'',3,3);"
	    "INSERT INTO redemptions VALUES(4,3,1,'C2',1,'p1','CASH','U4',NULL,"
	    "'accepted_offline','ok',0,3,3,'','','','',3,3);\"", db);
	assert_int_equal(system(cmd), 0);
	free(cmd);
	assert_int_equal(store_open(db, 0, &st, &cause), 0);
	assert_int_equal(store_red_get(st, 2, &r), 0);
	assert_int_equal(r.state, CHECKOUT_CONFIRMED);  /* WeChat's: kept */
	assert_int_equal(store_red_get(st, 1, &r), 0);
	assert_int_equal(r.state, CHECKOUT_CONFLICT);
	assert_string_equal(r.reason, "duplicate_redemption");
	assert_int_equal(r.discount_fen, 50);       /* given: shown */
	assert_non_null(strstr(r.offline_reason, "accepted_offline"));
	assert_int_equal(store_red_get(st, 3, &r), 0);
	assert_int_equal(r.state, CHECKOUT_CONFLICT);
	assert_int_equal(store_outbox_get(st, 1, &o), 0);
	assert_int_equal(o.state, OUTBOX_CANCELLED);
	assert_int_equal(store_red_get(st, 4, &r), 0);
	assert_int_equal(r.state, CHECKOUT_ACCEPTED_OFFLINE); /* alone: kept */
	assert_int_equal(ledger_journal_migrated(st, T1, &n), 0);
	assert_int_equal(n, 2);
	assert_int_equal(ledger_journal_migrated(st, T1, &n), 0);
	assert_int_equal(n, 0);                      /* once */
	verify(st);
	store_close(st);
	free(db);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_basket_held_merchant,
		    two_setup, two_teardown),
		cmocka_unit_test_setup_teardown(test_card_twice_offline,
		    two_setup, two_teardown),
		cmocka_unit_test_setup_teardown(test_loser_keeps_other_lines,
		    two_setup, two_teardown),
		cmocka_unit_test_setup_teardown(test_override_after_other,
		    two_setup, two_teardown),
		cmocka_unit_test_setup_teardown(test_store_refuses_second_live,
		    two_setup, two_teardown),
		cmocka_unit_test_setup_teardown(test_landed_while_held,
		    two_setup, two_teardown),
		cmocka_unit_test_setup_teardown(test_migration_marks_duplicates,
		    two_setup, two_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
