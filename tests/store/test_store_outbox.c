/*
 * test_store_outbox.c — the outbox rows the store keeps for every WeChat
 * call a redemption owes: request numbers are unique, a row becomes
 * "unknown" with one more attempt before it is sent, sends known not to
 * have reached WeChat are counted (never past the attempts), rows of a
 * sale still being decided are not due, a return waits for its coupon's
 * use, cancel and reopen touch only unsent rows, depth counts pending and
 * unknown rows.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "store_fixture.h"
#include "util/err.h"

static int
ob(struct store *st, int64_t red, enum store_op op, const char *no,
    int64_t t, int64_t *id)
{
	struct store_outbox o;
	int rc;

	memset(&o, 0, sizeof o);
	o.red_id = red;
	o.op = op;
	snprintf(o.request_no, sizeof o.request_no, "%s", no);
	snprintf(o.body, sizeof o.body, "{\"n\":\"%s\"}", no);
	o.next_at = t;
	o.created_at = t;
	rc = store_outbox_insert(st, &o);
	if (id != NULL)
		*id = o.id;
	return rc;
}

/* Collects the ids fn sees. */
struct seen {
	int64_t id[16];
	int n;
};

static int
seen_cb(void *arg, const struct store_outbox *o)
{
	struct seen *s = arg;

	if (s->n < 16)
		s->id[s->n++] = o->id;
	return 0;
}

static void
request_number_is_unique(void **state)
{
	struct fx *f = *state;
	struct store_red r;
	int64_t t = fx_txn(f->st, "closed", 100), id;
	struct store_outbox o;

	assert_int_equal(fx_red(f->st, t, 0, "C1", "pending", "K1", 100, &r),
	    0);
	assert_int_equal(ob(f->st, r.id, STORE_OP_USE, "K1", 100, &id), 0);
	assert_int_equal(ob(f->st, r.id, STORE_OP_USE, "K1", 100, NULL),
	    QUAN_EEXIST);
	assert_int_equal(store_outbox_get(f->st, id, &o), 0);
	/* what the row reads from its redemption comes along */
	assert_string_equal(o.code, "C1");
	assert_string_equal(o.target, "1212");
	assert_int_equal(o.txn_id, t);
	assert_int_equal(o.state, OUTBOX_PENDING);
	assert_int_equal(o.attempts, 0);
	assert_string_equal(o.body, "{\"n\":\"K1\"}");
}

static void
sent_counts_an_attempt_and_unreached_never_passes_it(void **state)
{
	struct fx *f = *state;
	struct store_red r;
	int64_t t = fx_txn(f->st, "closed", 100), id;
	struct store_outbox o;

	assert_int_equal(fx_red(f->st, t, 0, "C2", "pending", "K2", 100, &r),
	    0);
	assert_int_equal(ob(f->st, r.id, STORE_OP_USE, "K2", 100, &id), 0);
	/* not sent yet: nothing to count as unreached */
	assert_int_equal(store_outbox_unreached(f->st, id), 0);
	assert_int_equal(store_outbox_get(f->st, id, &o), 0);
	assert_int_equal(o.unreached, 0);
	assert_int_equal(store_outbox_sent(f->st, id, 101), 0);
	assert_int_equal(store_outbox_sent(f->st, id, 102), 0);
	assert_int_equal(store_outbox_unreached(f->st, id), 0);
	assert_int_equal(store_outbox_unreached(f->st, id), 0);
	assert_int_equal(store_outbox_unreached(f->st, id), 0);
	assert_int_equal(store_outbox_get(f->st, id, &o), 0);
	assert_int_equal(o.state, OUTBOX_UNKNOWN);
	assert_int_equal(o.attempts, 2);
	assert_int_equal(o.unreached, 2);
	assert_int_equal(store_outbox_retry(f->st, id, 500, "timeout"), 0);
	assert_int_equal(store_outbox_get(f->st, id, &o), 0);
	assert_int_equal(o.next_at, 500);
	assert_string_equal(o.last_error, "timeout");
	assert_int_equal(o.state, OUTBOX_UNKNOWN);
	assert_int_equal(store_outbox_close(f->st, id, OUTBOX_DONE, "", 600), 0);
	assert_int_equal(store_outbox_get(f->st, id, &o), 0);
	assert_int_equal(o.state, OUTBOX_DONE);
	assert_int_equal(store_outbox_sent(f->st, 9999, 1), QUAN_ENOTFOUND);
}

static void
due_skips_open_sales_future_rows_and_returns_before_their_use(void **state)
{
	struct fx *f = *state;
	struct store_red a, b;
	int64_t open = fx_txn(f->st, "open", 100);
	int64_t done = fx_txn(f->st, "closed", 100);
	int64_t use_a, ret_a, use_b, late;
	struct seen s = { .n = 0 };

	assert_int_equal(fx_red(f->st, open, 0, "D1", "pending", "KA", 100,
	    &a), 0);
	assert_int_equal(ob(f->st, a.id, STORE_OP_USE, "KA", 100, NULL), 0);
	assert_int_equal(fx_red(f->st, done, 0, "D2", "unknown", "KB", 100,
	    &b), 0);
	assert_int_equal(ob(f->st, b.id, STORE_OP_USE, "KB", 100, &use_a), 0);
	assert_int_equal(ob(f->st, b.id, STORE_OP_RETURN, "KB-R", 100,
	    &ret_a), 0);
	assert_int_equal(fx_red(f->st, done, 1, "D3", "pending", "KC", 100,
	    NULL), 0);
	assert_int_equal(fx_red(f->st, done, 2, "D4", "pending", "KD", 100,
	    &a), 0);
	assert_int_equal(ob(f->st, a.id, STORE_OP_USE, "KD", 100, &use_b), 0);
	assert_int_equal(ob(f->st, a.id, STORE_OP_CONSUME, "KE", 900, &late),
	    0);
	/* the open sale's row and the future row are not due; the return
	 * waits behind its use */
	assert_int_equal(store_outbox_due(f->st, 200, 10, seen_cb, &s), 0);
	assert_int_equal(s.n, 2);
	assert_int_equal(s.id[0], use_a);
	assert_int_equal(s.id[1], use_b);
	/* once the use is closed the return is due */
	assert_int_equal(store_outbox_close(f->st, use_a, OUTBOX_DONE, "", 210),
	    0);
	s.n = 0;
	assert_int_equal(store_outbox_due(f->st, 1000, 10, seen_cb, &s), 0);
	assert_int_equal(s.n, 3);
	assert_int_equal(s.id[0], ret_a);
	assert_int_equal(s.id[1], use_b);
	assert_int_equal(s.id[2], late);
	/* limit */
	s.n = 0;
	assert_int_equal(store_outbox_due(f->st, 1000, 1, seen_cb, &s), 0);
	assert_int_equal(s.n, 1);
}

static void
cancel_and_reopen_touch_only_unsent_rows(void **state)
{
	struct fx *f = *state;
	struct store_red r;
	int64_t t = fx_txn(f->st, "closed", 100), use, ret;
	struct store_outbox o;

	assert_int_equal(fx_red(f->st, t, 0, "E1", "pending", "KF", 100, &r),
	    0);
	assert_int_equal(ob(f->st, r.id, STORE_OP_USE, "KF", 100, &use), 0);
	assert_int_equal(ob(f->st, r.id, STORE_OP_RETURN, "KF-R", 100, &ret),
	    0);
	assert_int_equal(store_outbox_use_open(f->st, r.id), 1);
	/* refused before sending: the use row goes, the return stays */
	assert_int_equal(store_outbox_cancel(f->st, r.id, 0, 150, "refused"),
	    0);
	assert_int_equal(store_outbox_get(f->st, use, &o), 0);
	assert_int_equal(o.state, OUTBOX_CANCELLED);
	assert_string_equal(o.last_error, "refused");
	assert_int_equal(store_outbox_get(f->st, ret, &o), 0);
	assert_int_equal(o.state, OUTBOX_PENDING);
	assert_int_equal(store_outbox_use_open(f->st, r.id), 0);
	/* a manager overrides: the use is pending again */
	assert_int_equal(store_outbox_reopen(f->st, r.id, 160, "override"),
	    0);
	assert_int_equal(store_outbox_get(f->st, use, &o), 0);
	assert_int_equal(o.state, OUTBOX_PENDING);
	assert_int_equal(o.next_at, 160);
	/* a sent row is never cancelled */
	assert_int_equal(store_outbox_sent(f->st, use, 170), 0);
	assert_int_equal(store_outbox_cancel(f->st, r.id, 0, 180, "late"), 0);
	assert_int_equal(store_outbox_get(f->st, use, &o), 0);
	assert_int_equal(o.state, OUTBOX_UNKNOWN);
	assert_int_equal(store_outbox_use_open(f->st, r.id), 1);
}

static void
depth_counts_pending_and_unknown(void **state)
{
	struct fx *f = *state;
	struct store_red r;
	int64_t t = fx_txn(f->st, "closed", 100), a, b, c;
	int64_t pending = -1, unknown = -1;
	struct seen s = { .n = 0 };

	assert_int_equal(store_outbox_depth(f->st, &pending, &unknown), 0);
	assert_int_equal(pending, 0);
	assert_int_equal(unknown, 0);
	assert_int_equal(fx_red(f->st, t, 0, "F1", "pending", "KG", 100, &r),
	    0);
	assert_int_equal(ob(f->st, r.id, STORE_OP_USE, "KG1", 100, &a), 0);
	assert_int_equal(ob(f->st, r.id, STORE_OP_USE, "KG2", 100, &b), 0);
	assert_int_equal(ob(f->st, r.id, STORE_OP_USE, "KG3", 100, &c), 0);
	assert_int_equal(store_outbox_sent(f->st, b, 101), 0);
	assert_int_equal(store_outbox_close(f->st, c, OUTBOX_DONE, "", 102), 0);
	assert_int_equal(store_outbox_depth(f->st, &pending, &unknown), 0);
	assert_int_equal(pending, 1);
	assert_int_equal(unknown, 1);
	/* the sale's unsettled rows, for its online step */
	assert_int_equal(store_outbox_list_txn(f->st, t, seen_cb, &s), 0);
	assert_int_equal(s.n, 2);
	assert_int_equal(s.id[0], a);
	assert_int_equal(s.id[1], b);
}

static void
a_notification_is_seen_once(void **state)
{
	struct fx *f = *state;

	assert_int_equal(store_notify_seen(f->st, "N-1", 100), 0);
	assert_int_equal(store_notify_seen(f->st, "N-1", 101), QUAN_EEXIST);
	assert_int_equal(store_notify_seen(f->st, "N-2", 101), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(request_number_is_unique,
		    fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(
		    sent_counts_an_attempt_and_unreached_never_passes_it,
		    fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(
		    due_skips_open_sales_future_rows_and_returns_before_their_use,
		    fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(
		    cancel_and_reopen_touch_only_unsent_rows, fx_setup,
		    fx_teardown),
		cmocka_unit_test_setup_teardown(
		    depth_counts_pending_and_unknown, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(a_notification_is_seen_once,
		    fx_setup, fx_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
