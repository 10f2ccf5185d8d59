/*
 * test_ledger.c — the ledger, the one place that moves a coupon between
 * states after redeem: an answer closes its outbox row, moves the coupon
 * and journals it in one transaction; settling a row twice is refused; a
 * coupon voided meanwhile stays return_pending when its use is confirmed
 * and its return becomes due; a refused return leaves a conflict; the
 * return key is the use key's twin; codes are masked for the journal.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "../store/store_fixture.h"
#include "core/ledger.h"
#include "util/err.h"

/* A redemption of code in state with its use row sent; *ob its id. */
static void
sent_use(struct fx *f, int line, const char *code, const char *state,
    const char *key, struct store_red *r, int64_t *ob)
{
	struct store_outbox o;
	int64_t txn = fx_txn(f->st, "closed", 100);

	assert_true(txn > 0);
	assert_int_equal(fx_red(f->st, txn, line, code, state, key, 100, r),
	    0);
	memset(&o, 0, sizeof o);
	o.red_id = r->id;
	o.op = STORE_OP_USE;
	snprintf(o.request_no, sizeof o.request_no, "%s", key);
	o.next_at = o.created_at = 100;
	assert_int_equal(store_outbox_insert(f->st, &o), 0);
	assert_int_equal(store_outbox_sent(f->st, o.id, 101), 0);
	*ob = o.id;
}

static int
count_rows(void *arg, const struct store_jrow *j)
{
	(void)j;
	(*(int *)arg)++;
	return 0;
}

/* Journal entries of kind (NULL: all). */
static int
journal_rows(struct fx *f, const char *kind)
{
	int n = 0;

	assert_int_equal(store_journal_kind(f->st, kind, 0, count_rows, &n),
	    0);
	return n;
}

static void
an_answer_closes_the_row_moves_the_coupon_and_is_journaled(void **state)
{
	struct fx *f = *state;
	struct store_red r, g;
	struct store_outbox o;
	int64_t ob, pending = -1, unknown = -1;
	int all;

	sent_use(f, 0, "QA01", "unknown", "T01U000000000001", &r, &ob);
	assert_int_equal(ledger_settle(f->st, ob, CHECKOUT_CONFIRMED, "", "", "WX1",
	    200), 0);
	assert_int_equal(store_red_get(f->st, r.id, &g), 0);
	assert_int_equal(g.state, CHECKOUT_CONFIRMED);
	assert_string_equal(g.remote_ref, "WX1");
	assert_int_equal(store_outbox_get(f->st, ob, &o), 0);
	assert_int_equal(o.state, OUTBOX_DONE);
	assert_int_equal(journal_rows(f, "confirm"), 1);
	all = journal_rows(f, NULL);
	assert_int_equal(store_outbox_depth(f->st, &pending, &unknown), 0);
	assert_int_equal(pending + unknown, 0);
	/* the same answer again is refused and changes nothing */
	assert_int_equal(ledger_settle(f->st, ob, CHECKOUT_CONFIRMED, "", "", "WX2",
	    300), QUAN_EINVAL);
	assert_int_equal(store_red_get(f->st, r.id, &g), 0);
	assert_string_equal(g.remote_ref, "WX1");
	assert_int_equal(journal_rows(f, NULL), all);
	assert_int_equal(ledger_settle(f->st, 9999, CHECKOUT_CONFIRMED, "", "", "",
	    300), QUAN_ENOTFOUND);
}

static int
first_due(void *arg, const struct store_outbox *o)
{
	*(struct store_outbox *)arg = *o;
	return 1;
}

static void
a_voided_coupon_confirmed_late_is_given_back(void **state)
{
	struct fx *f = *state;
	struct store_red r, g;
	struct store_outbox due;
	int64_t ob;

	sent_use(f, 0, "QA02", "unknown", "T01U000000000002", &r, &ob);
	/* the sale is voided while the use is out: the coupon waits for
	 * its return, queued behind the use */
	assert_int_equal(store_begin(f->st), 0);
	assert_int_equal(ledger_queue_return(f->st, &r, 150), 0);
	assert_int_equal(ledger_change(f->st, &r, CHECKOUT_RETURN_PENDING,
	    LEDGER_KEEP, NULL, "void", 150, NULL), 0);
	assert_int_equal(store_commit(f->st), 0);
	assert_string_equal(r.return_key, "T01R000000000002");
	assert_int_equal(ledger_settle(f->st, ob, CHECKOUT_CONFIRMED, "", "", "WX3",
	    200), 0);
	assert_int_equal(store_red_get(f->st, r.id, &g), 0);
	assert_int_equal(g.state, CHECKOUT_RETURN_PENDING);
	memset(&due, 0, sizeof due);
	assert_int_equal(store_outbox_due(f->st, 300, 5, first_due, &due), 1);
	assert_int_equal(due.op, STORE_OP_RETURN);
	assert_string_equal(due.request_no, "T01R000000000002");
	/* WeChat refuses the return: a conflict for the back office */
	assert_int_equal(store_outbox_sent(f->st, due.id, 301), 0);
	assert_int_equal(ledger_settle(f->st, due.id, CHECKOUT_REJECTED, "NOT_USED",
	    "", "", 310), 0);
	assert_int_equal(store_red_get(f->st, r.id, &g), 0);
	assert_int_equal(g.state, CHECKOUT_CONFLICT);
}

static void
a_return_state_on_a_use_row_is_refused(void **state)
{
	struct fx *f = *state;
	struct store_red r;
	int64_t ob;

	sent_use(f, 0, "QA03", "unknown", "T01U000000000003", &r, &ob);
	assert_int_equal(ledger_settle(f->st, ob, CHECKOUT_RETURNED, "", "", "",
	    200), QUAN_EINVAL);
}

static void
return_key_and_mask(void **state)
{
	char k[40], m[40];

	(void)state;
	assert_int_equal(ledger_return_key("T01U000000000042", k, sizeof k),
	    0);
	assert_string_equal(k, "T01R000000000042");
	ledger_mask("1227944959000000911017", m, sizeof m);
	assert_null(strstr(m, "1227944959000000911017"));
	assert_int_equal(strncmp(m, "1227", 4), 0);
	assert_int_equal(strlen(m), strlen("1227944959000000911017"));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(
		    an_answer_closes_the_row_moves_the_coupon_and_is_journaled,
		    fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(
		    a_voided_coupon_confirmed_late_is_given_back, fx_setup,
		    fx_teardown),
		cmocka_unit_test_setup_teardown(
		    a_return_state_on_a_use_row_is_refused, fx_setup,
		    fx_teardown),
		cmocka_unit_test(return_key_and_mask),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
