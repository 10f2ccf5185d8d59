/* test_offline_loss.c — issue 16 finding 4: a coupon accepted offline
 * that WeChat later refused is an offline loss (the customer kept the
 * discount, nothing pays it back). One definition (core/report.h) shows
 * it everywhere: the sale's lines (checkout_load), the sales list (the
 * sale is flagged "offline loss" with the value, not just "closed"), the
 * X report's loss line and `quan report`'s offline_losses; a coupon
 * WeChat confirmed after an offline grant is no loss. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/checkout.h"
#include "core/evq.h"
#include "core/import.h"
#include "core/ledger.h"
#include "core/report.h"
#include "core/session.h"
#include "store/store.h"
#include "util/config.h"
#include "util/tm.h"
#include "util/xmem.h"

#include "session_events.h"

#ifndef DATA_DIR
#error DATA_DIR must point at tests/core/data
#endif

#include "session_fixture.h"

static int
first_row(void *arg, const struct store_outbox *o)
{
	*(int64_t *)arg = o->id;
	return 1;
}

/* A sale of one coupon accepted offline, then WeChat's answer to its use
 * (state "rejected" or "confirmed"). Returns the sale; *fen its grant. */
static int64_t
offline_sale(struct fx *f, const char *code, const char *answer,
    int64_t *fen)
{
	const struct checkout_txn *t;
	int64_t txn, ob = 0;

	assert_int_equal(checkout_open(f->co, 12000), 0);
	assert_int_equal(checkout_add(f->co, code, strlen(code), -1, NULL), 0);
	assert_int_equal(checkout_redeem(f->co), 0);
	t = checkout_current(f->co);
	assert_int_equal(t->lines[0].state, CHECKOUT_ACCEPTED_OFFLINE);
	assert_true(t->lines[0].discount_fen > 0);
	*fen = t->lines[0].discount_fen;
	txn = t->id;
	assert_int_equal(checkout_close(f->co), 0);
	assert_int_equal(store_outbox_list_txn(f->st, txn, first_row, &ob),
	    1);
	assert_int_equal(ledger_settle(f->st, ob,
	    checkout_cstate_parse(answer), answer[0] == 'r' ?
	    "RULELIMIT" : "", answer[0] == 'r' ? "not_usable_now" : "",
	    NULL, tm_now()), 0);
	return txn;
}

static int
has_line(const struct view *v, const char *prefix)
{
	int i;

	for (i = 0; i < v->nlines; i++)
		if (strncmp(v->lines[i], prefix, strlen(prefix)) == 0)
			return 1;
	return 0;
}

static void
test_offline_grant_refused_by_wechat_is_a_loss_everywhere(void **state)
{
	struct fx *f = *state;
	struct checkout_txn t;
	struct report_loss lo;
	const struct view *v;
	json_t *j, *tx = json_array(), *ol;
	char *cause = NULL, want[64];
	int64_t lost, kept, txn;

	/* the definition */
	assert_true(report_is_offline_loss(CHECKOUT_REJECTED, 100, 500));
	assert_true(report_is_offline_loss(CHECKOUT_CONFLICT, 100, 500));
	assert_false(report_is_offline_loss(CHECKOUT_REJECTED, 0, 500));
	assert_false(report_is_offline_loss(CHECKOUT_REJECTED, 100, 0));
	assert_false(report_is_offline_loss(CHECKOUT_CONFIRMED, 100, 500));
	assert_false(report_is_offline_loss(CHECKOUT_RETURNED, 100, 500));

	txn = offline_sale(f, "QA00000000000001", "rejected", &lost);
	(void)offline_sale(f, "QA00000000000002", "confirmed", &kept);
	/* the sale's lines */
	assert_int_equal(checkout_load(f->co, txn, &t), 0);
	assert_int_equal(t.lines[0].state, CHECKOUT_REJECTED);
	assert_int_equal(t.lines[0].offline_loss, 1);
	assert_int_equal(t.lines[0].discount_fen, lost);
	/* the period figure */
	assert_int_equal(report_offline_losses(f->st, 0, tm_now() + 1, &lo,
	    tx), 0);
	assert_int_equal(lo.n, 1);
	assert_int_equal(lo.fen, lost);
	assert_int_equal(json_array_size(tx), 1);
	assert_int_equal(json_integer_value(json_array_get(tx, 0)), txn);
	json_decref(tx);
	/* quan report */
	assert_int_equal(report_day_json(f->st, 0, tm_now() + 1, &j, &cause),
	    0);
	ol = json_object_get(j, "offline_losses");
	assert_non_null(ol);
	assert_int_equal(json_integer_value(json_object_get(ol, "count")), 1);
	assert_int_equal(json_integer_value(json_object_get(ol, "fen")), lost);
	json_decref(j);
	/* the terminal: the sales list flags the sale, the X report has
	 * the loss line */
	ev_key(f->s, SC_SUBMIT, "1001");
	ev_key(f->s, SC_SUBMIT, "1234");
	ev_key(f->s, SC_TXNS, "");
	v = session_view(f->s);
	assert_int_equal(v->screen, VIEW_TXNS);
	snprintf(want, sizeof want, "offline loss\t#%-6lld", (long long)txn);
	assert_true(has_line(v, want));
	assert_true(has_line(v, "completed\t#"));
	ev_key(f->s, SC_CANCEL, "");
	ev_key(f->s, SC_XREPORT, "");
	v = session_view(f->s);
	assert_int_equal(v->screen, VIEW_REPORT);
	assert_true(has_line(v, "Offline losses (refused by WeChat)\t1  "));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(
		    test_offline_grant_refused_by_wechat_is_a_loss_everywhere,
		    setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
