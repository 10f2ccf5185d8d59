/* test_session_void.c — the session's rule that a void needs a manager
 * (issue 17 item 4): at the terminal, a cashier's own id and PIN, or
 * another cashier's, on the approval screen are refused (VIEW_M_NOT_
 * MANAGER, journaled approval_refused) and the sale stays redeemed with
 * no approval or void entry; a manager's wrong PIN does not void either;
 * the manager's PIN and a reason void it, journaled approval + void_txn
 * by that manager. Driven by events, as the front-ends drive it. */
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
#include "core/session.h"
#include "store/store.h"
#include "util/config.h"
#include "util/err.h"
#include "util/tm.h"
#include "util/xmem.h"

#include "session_events.h"

#ifndef DATA_DIR
#error DATA_DIR must point at tests/core/data
#endif

#include "session_fixture.h"

struct count {
	const char *who;
	int n;
};

static int
count_cb(void *arg, const struct store_jrow *j)
{
	struct count *c = arg;
	json_t *d = json_loads(j->data, 0, NULL);
	const char *who = json_string_value(json_object_get(d, "who"));
	const char *by = json_string_value(json_object_get(d, "by"));

	if (c->who == NULL || (who != NULL && strcmp(who, c->who) == 0) ||
	    (by != NULL && strcmp(by, c->who) == 0))
		c->n++;
	json_decref(d);
	return 0;
}

/* Journal entries of a kind (by who, or any when who is NULL). */
static int
entries(struct fx *f, const char *kind, const char *who)
{
	struct count c = { who, 0 };

	assert_int_equal(store_journal_kind(f->st, kind, 0, count_cb, &c), 0);
	return c.n;
}

static const char *
txn_state(struct fx *f, int64_t id)
{
	static struct store_txn t;

	assert_int_equal(store_txn_get(f->st, id, &t), 0);
	return txn_state_name(t.state);
}

/* An id and PIN typed on the approval screen. */
static void
approve(struct fx *f, const char *id, const char *pin)
{
	ev_key(f->s, SC_SUBMIT, id);
	ev_key(f->s, SC_SUBMIT, pin);
}

static void
test_void_needs_a_manager(void **state)
{
	struct fx *f = *state;
	const struct view *v;

	approve(f, "1001", "1234");             /* login */
	ev_key(f->s, SC_SUBMIT, "120");
	ev_scan(f->s, "QA00000000000001");
	ev_key(f->s, SC_CONFIRM, "");
	assert_int_equal(session_view(f->s)->screen, VIEW_RESULT);
	assert_string_equal(txn_state(f, 1), "redeemed");
	ev_key(f->s, SC_VOID, "");
	assert_int_equal(session_view(f->s)->screen, VIEW_APPROVE);
	/* the cashier's own PIN is not enough */
	approve(f, "1001", "1234");
	v = session_view(f->s);
	assert_int_equal(v->msg, VIEW_M_NOT_MANAGER);
	assert_int_equal(v->screen, VIEW_APPROVE);
	assert_int_equal(v->approve_step, 0);   /* asks for an id again */
	/* another cashier's neither */
	approve(f, "1002", "5678");
	assert_int_equal(session_view(f->s)->msg, VIEW_M_NOT_MANAGER);
	/* a manager's wrong PIN */
	approve(f, "9001", "0000");
	assert_int_equal(session_view(f->s)->approve_step, 0);
	assert_string_equal(txn_state(f, 1), "redeemed");
	assert_int_equal(entries(f, "approval_refused", "1001"), 1);
	assert_int_equal(entries(f, "approval_refused", "1002"), 1);
	assert_int_equal(entries(f, "approval", NULL), 0);
	assert_int_equal(entries(f, "void_txn", NULL), 0);
	/* the manager: PIN, then the reason, and the sale is voided */
	ev_key(f->s, SC_CANCEL, "");
	ev_key(f->s, SC_VOID, "");
	assert_int_equal(session_view(f->s)->screen, VIEW_APPROVE);
	approve(f, "9001", "9999");
	assert_int_equal(session_view(f->s)->approve_step, 2);
	assert_string_equal(txn_state(f, 1), "redeemed");
	ev_key(f->s, SC_SUBMIT, "2");
	assert_string_equal(txn_state(f, 1), "voided");
	assert_int_equal(entries(f, "approval", "9001"), 1);
	assert_int_equal(entries(f, "approval", NULL), 1);
	assert_int_equal(entries(f, "void_txn", "9001"), 1);
}

/* Void of a sale voided already (F8 again on its result, or from the
 * sales list): refused at once, before the manager is asked for an id,
 * PIN or reason; no journal entry and no second void in the report. */
static void
test_void_of_a_voided_sale_is_refused_before_the_pin(void **state)
{
	struct fx *f = *state;
	const struct view *v;

	approve(f, "1001", "1234");
	ev_key(f->s, SC_SUBMIT, "120");
	ev_scan(f->s, "QA00000000000001");
	ev_key(f->s, SC_CONFIRM, "");
	ev_key(f->s, SC_VOID, "");
	approve(f, "9001", "9999");
	ev_key(f->s, SC_SUBMIT, "2");
	assert_string_equal(txn_state(f, 1), "voided");
	assert_int_equal(entries(f, "approval", NULL), 1);
	assert_int_equal(entries(f, "void_txn", NULL), 1);
	ev_key(f->s, SC_VOID, "");
	v = session_view(f->s);
	assert_int_not_equal(v->screen, VIEW_APPROVE);
	assert_int_equal(v->msg, VIEW_M_NOT_VOIDABLE);
	assert_string_equal(v->msg_text, "1");
	/* from the sales list too */
	ev_key(f->s, SC_TXNS, "");
	assert_int_equal(session_view(f->s)->screen, VIEW_TXNS);
	ev_key(f->s, SC_VOID, "");
	v = session_view(f->s);
	assert_int_not_equal(v->screen, VIEW_APPROVE);
	assert_int_equal(v->msg, VIEW_M_NOT_VOIDABLE);
	assert_int_equal(entries(f, "approval", NULL), 1);
	assert_int_equal(entries(f, "void_txn", NULL), 1);
	assert_int_equal(entries(f, "login_failed", NULL), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_void_needs_a_manager,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_void_of_a_voided_sale_is_refused_before_the_pin,
		    setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
