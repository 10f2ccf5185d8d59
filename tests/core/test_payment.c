/*
 * test_payment.c — a sale's payment in the core (core/payment.h) with the
 * sync thread played by the test: the row and its out_trade_no committed
 * before the request, one live charge per sale (the store's invariant),
 * every request of an order with the same out_trade_no, an unsigned
 * "SUCCESS" never taken for paid, vouchers stored, a failed charge
 * allowing a new one with a new out_trade_no, cash and other tenders, and
 * an open payment of a gone process taken over by query (its code is
 * never re-sent). Refunds (core/refund.h): never more back than was
 * taken and no void of a paid sale before its money is back (the store's
 * invariants), the same out_refund_no on every retry until SUCCESS, then
 * the sale voided.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core/checkout.h"
#include "core/evq.h"
#include "core/payment.h"
#include "core/refund.h"
#include "core/settle.h"
#include "core/syncmsg.h"
#include "store/store.h"
#include "store/store_pay.h"
#include "util/config.h"
#include "util/err.h"
#include "util/xmem.h"

#include "settle_fixture.h"

#define CODE "130010087202036318"

struct fx {
	char dir[64];
	struct config *cfg;
	struct store *st;
	struct checkout *co;
	struct evq *to_sync, *results;
	struct settle *se;
	struct payment *pm;
};

static int
setup(void **state)
{
	struct fx *f = xcalloc(1, sizeof *f);

	settle_fixture_open("pay", f->dir, sizeof f->dir, &f->cfg, &f->st,
	    &f->to_sync, &f->se);
	pay_fixture_open(f->cfg, f->st, f->se, 0, &f->co, &f->results,
	    &f->pm);
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fx *f = *state;

	pay_fixture_close(f->co, f->results, f->pm);
	settle_fixture_close(f->dir, f->cfg, f->st, f->to_sync, f->se);
	free(f);
	return 0;
}

/* A redeemed sale of amount_fen with no coupon (nothing to ask WeChat). */
static int64_t
sale(struct fx *f, int64_t amount_fen)
{
	assert_int_equal(checkout_open(f->co, amount_fen), 0);
	assert_int_equal(checkout_redeem(f->co), 0);
	assert_int_equal(checkout_current(f->co)->due_fen, amount_fen);
	return checkout_current(f->co)->id;
}

/* The one job posted since: its op and out_trade_no. */
static struct sync_job
job_out(struct fx *f)
{
	struct sync_job j;
	struct ev ev;

	assert_true(evq_get(f->to_sync, &ev));
	assert_int_equal(ev.type, EV_SYNC_JOB);
	syncmsg_get(&ev, &j, sizeof j);
	assert_false(evq_get(f->to_sync, &ev));
	assert_true((j.flags & SYNC_F_ONCE) != 0);
	return j;
}

static void
no_job(struct fx *f)
{
	struct ev ev;

	assert_false(evq_get(f->to_sync, &ev));
}

/* Answer job j: err / trade, trusted or not. */
static void
answer(struct fx *f, const struct sync_job *j, enum pay_err err,
    enum pay_trade trade, int trusted, int64_t total, int64_t payer)
{
	struct sync_result r;
	struct ev ev;

	memset(&r, 0, sizeof r);
	r.tag = j->tag;
	r.op = j->op;
	r.status = SYNC_OK;
	r.pay.trusted = trusted;
	r.pay.rc = trusted ? 0 : QUAN_EPROTO;
	r.pay.err = (int32_t)err;
	r.pay.trade = (int32_t)trade;
	r.pay.total_fen = total;
	r.pay.payer_fen = payer;
	r.pay.voucher_fen = total >= 0 && payer >= 0 ? total - payer : 0;
	r.pay.settlement_fen = -1;
	snprintf(r.pay.out_trade_no, sizeof r.pay.out_trade_no, "%.32s",
	    j->code);
	if (trade == PAY_TS_SUCCESS && total > payer) {
		snprintf(r.pay.transaction_id, sizeof r.pay.transaction_id,
		    "4200000000000001");
		r.pay.nv = r.pay.nv_all = 1;
		snprintf(r.pay.v[0].id, sizeof r.pay.v[0].id, "V1");
		snprintf(r.pay.v[0].name, sizeof r.pay.v[0].name, "满10减2");
		r.pay.v[0].type = PAY_VT_NOCASH;
		r.pay.v[0].amount_fen = total - payer;
	}
	syncmsg_put(&ev, EV_SYNC_DONE, &r, sizeof r);
	assert_int_equal(evq_post(f->results, &ev), 0);
	assert_int_equal(settle_drain(f->se, f->results, 0, NULL), 0);
}

static void
charged_once_with_one_key(void **state)
{
	struct fx *f = *state;
	struct payment_view v;
	struct store_pay p;
	struct sync_job j, q;
	struct store_txn t;
	int64_t txn = sale(f, 1000), id, id2;

	assert_int_equal(payment_charge(f->pm, txn, 1000, CODE, &id), 0);
	/* committed before anything left, pending, with its key */
	assert_int_equal(store_pay_get(f->st, id, &p), 0);
	assert_string_equal(p.state, "pending");
	assert_string_equal(p.out_trade_no, "T01P000000000001");
	assert_int_equal((int)strlen(p.auth_hash), 16);
	assert_null(strstr(p.auth_hash, "1300100"));
	no_job(f);
	/* one live charge per sale, whatever the tender */
	assert_int_equal(payment_charge(f->pm, txn, 1000, CODE, &id2),
	    QUAN_EEXIST);
	assert_int_equal(payment_cash(f->pm, txn, 1000, 2000, &id2),
	    QUAN_EEXIST);
	(void)payment_step(f->pm);
	j = job_out(f);
	assert_int_equal(j.op, SYNC_OP_PAY);
	assert_string_equal(j.code, p.out_trade_no);
	assert_string_equal(j.auth_code, CODE);
	assert_int_equal(j.amount_fen, 1000);
	(void)payment_step(f->pm);
	no_job(f); /* the charge is out: nothing more until it answers */
	/* USERPAYING: query (now, on the customer's word) */
	answer(f, &j, PAY_E_USERPAYING, PAY_TS_NONE, 1, -1, -1);
	assert_int_equal(payment_view(f->pm, id, &v), 0);
	assert_int_equal(v.outcome, PAY_PENDING);
	assert_true(v.waiting_customer);
	assert_int_equal(payment_query_now(f->pm, id), 0);
	(void)payment_step(f->pm);
	q = job_out(f);
	assert_int_equal(q.op, SYNC_OP_PAY_QUERY);
	assert_string_equal(q.code, p.out_trade_no);
	assert_string_equal(q.auth_code, "");
	/* an unsigned SUCCESS is not paid */
	answer(f, &q, PAY_E_NONE, PAY_TS_SUCCESS, 0, 1000, 800);
	assert_int_equal(payment_view(f->pm, id, &v), 0);
	assert_int_equal(v.outcome, PAY_PENDING);
	assert_int_equal(payment_query_now(f->pm, id), 0);
	(void)payment_step(f->pm);
	q = job_out(f);
	assert_int_equal(q.op, SYNC_OP_PAY_QUERY);
	assert_string_equal(q.code, p.out_trade_no);
	answer(f, &q, PAY_E_NONE, PAY_TS_SUCCESS, 1, 1000, 800);
	assert_int_equal(payment_step(f->pm), 1);
	assert_int_equal(payment_view(f->pm, id, &v), 0);
	assert_int_equal(v.outcome, PAY_PAID);
	assert_int_equal(v.payer_fen, 800);
	assert_int_equal(v.voucher_fen, 200);
	assert_int_equal(v.nv, 1);
	assert_string_equal(v.v[0].name, "满10减2");
	assert_string_equal(v.v[0].type, "nocash");
	/* paid: the sale was closed with the answer, no new charge */
	assert_int_equal(store_txn_get(f->st, txn, &t), 0);
	assert_int_equal(t.state, TXN_CLOSED);
	assert_int_equal(payment_charge(f->pm, txn, 1000, CODE, &id2),
	    QUAN_EINVAL);
	assert_int_equal(payment_settle_sale(f->pm, id), 0);
	assert_int_equal(checkout_current(f->co)->state, CHECKOUT_T_CLOSED);
	/* the stored row and vouchers, read back */
	assert_int_equal(store_pay_get(f->st, id, &p), 0);
	assert_string_equal(p.state, "paid");
	assert_int_equal(p.requests, 3);
	assert_int_equal(payment_view(f->pm, id, &v), 0);
	assert_int_equal(v.nv, 1);
	assert_int_equal(v.v[0].amount_fen, 200);
	no_job(f);
}

static void
failed_charge_allows_a_new_one(void **state)
{
	struct fx *f = *state;
	struct payment_view v;
	struct store_txn t;
	struct sync_job j;
	int64_t txn = sale(f, 5000), id, id2;
	char otn[33];

	assert_int_equal(payment_charge(f->pm, txn, 5000, CODE, &id), 0);
	(void)payment_step(f->pm);
	j = job_out(f);
	snprintf(otn, sizeof otn, "%.32s", j.code);
	answer(f, &j, PAY_E_NOTENOUGH, PAY_TS_NONE, 1, -1, -1);
	assert_int_equal(payment_step(f->pm), 1);
	assert_int_equal(payment_view(f->pm, id, &v), 0);
	assert_int_equal(v.outcome, PAY_FAILED);
	assert_int_equal(v.err, PAY_E_NOTENOUGH);
	/* definitively failed: another code, another out_trade_no */
	assert_int_equal(payment_charge(f->pm, txn, 5000,
	    "130010087202036319", &id2), 0);
	(void)payment_step(f->pm);
	j = job_out(f);
	assert_string_not_equal(j.code, otn);
	answer(f, &j, PAY_E_AUTHCODEEXPIRE, PAY_TS_NONE, 1, -1, -1);
	assert_int_equal(payment_step(f->pm), 1);
	/* the cashier gives up: the sale is voided */
	assert_int_equal(payment_settle_sale(f->pm, id2), 0);
	assert_int_equal(store_txn_get(f->st, txn, &t), 0);
	assert_int_equal(t.state, TXN_VOIDED);
	/* a voided sale takes no payment */
	assert_int_equal(payment_cash(f->pm, txn, 5000, 5000, &id2),
	    QUAN_EINVAL);
}

static void
cash_and_other_are_final_at_once(void **state)
{
	struct fx *f = *state;
	struct payment_view v;
	struct store_pay_sums s;
	int64_t txn = sale(f, 1250), id;

	assert_int_equal(payment_cash(f->pm, txn, 1250, 1000, &id),
	    QUAN_EINVAL);
	assert_int_equal(payment_cash(f->pm, txn, 1000, 2000, &id),
	    QUAN_EINVAL); /* not what is due */
	assert_int_equal(payment_cash(f->pm, txn, 1250, 2000, &id), 0);
	assert_int_equal(payment_view(f->pm, id, &v), 0);
	assert_int_equal(v.outcome, PAY_PAID);
	assert_int_equal(v.tender, PAYMENT_T_CASH);
	assert_int_equal(v.change_fen, 750);
	assert_int_equal(payment_settle_sale(f->pm, id), 0);
	txn = sale(f, 800);
	assert_int_equal(payment_other(f->pm, txn, 800, "", &id), QUAN_EINVAL);
	assert_int_equal(payment_other(f->pm, txn, 800, "a\nb", &id),
	    QUAN_EINVAL);
	assert_int_equal(payment_other(f->pm, txn, 800, "POS-1", &id), 0);
	assert_int_equal(payment_view(f->pm, id, &v), 0);
	assert_string_equal(v.reference, "POS-1");
	assert_int_equal(store_pay_sums(f->st, 0, INT64_MAX, &s), 0);
	assert_int_equal(s.paid_count, 2);
	assert_int_equal(s.cash_fen, 1250);
	assert_int_equal(s.other_fen, 800);
	assert_int_equal(s.wechat_count, 0);
	no_job(f);
}

static void
gone_process_payment_is_queried_not_recharged(void **state)
{
	struct fx *f = *state;
	struct payment *other;
	struct store_pay p;
	struct sync_job j;
	struct store_txn t;
	int64_t txn = sale(f, 3000), id;
	pid_t dead;
	int n;

	assert_int_equal(payment_charge(f->pm, txn, 3000, CODE, &id), 0);
	(void)payment_step(f->pm);
	j = job_out(f);
	assert_int_equal(j.op, SYNC_OP_PAY);
	/* the till dies (its pid no longer exists) */
	payment_free(f->pm);
	f->pm = NULL;
	if ((dead = fork()) == 0)
		_exit(0);
	assert_true(dead > 0);
	waitpid(dead, NULL, 0);
	assert_int_equal(store_pay_get(f->st, id, &p), 0);
	p.owner = dead;
	assert_int_equal(store_begin(f->st), 0);
	assert_int_equal(store_pay_update(f->st, &p), 0);
	assert_int_equal(store_commit(f->st), 0);
	/* `quan sync` takes it over: a query with the same key */
	other = payment_new(f->co, f->st, f->cfg, f->se);
	f->pm = other;
	assert_int_equal(payment_adopt(other, &n), 0);
	assert_int_equal(n, 1);
	assert_int_equal(payment_adopt(other, &n), 0);
	assert_int_equal(n, 0); /* once */
	(void)payment_step(other);
	j = job_out(f);
	assert_int_equal(j.op, SYNC_OP_PAY_QUERY);
	assert_string_equal(j.code, p.out_trade_no);
	assert_string_equal(j.auth_code, "");
	answer(f, &j, PAY_E_NONE, PAY_TS_SUCCESS, 1, 3000, 3000);
	assert_int_equal(payment_step(other), 1);
	/* settled by the adopter: the sale is closed */
	assert_int_equal(store_txn_get(f->st, txn, &t), 0);
	assert_int_equal(t.state, TXN_CLOSED);
	assert_int_equal(payment_active(other), 0);
}

/* Answer refund job j: status, refund state, trusted. */
static void
refund_answer(struct fx *f, const struct sync_job *j, enum sync_status st,
    enum pay_err err, enum pay_refund_state rs)
{
	struct sync_result r;
	struct ev ev;

	memset(&r, 0, sizeof r);
	r.tag = j->tag;
	r.op = j->op;
	r.status = st;
	r.rc = st == SYNC_OK ? 0 : QUAN_ENET;
	r.refund.rc = r.rc;
	r.refund.trusted = st == SYNC_OK;
	r.refund.err = (int32_t)err;
	r.refund.state = (int32_t)rs;
	r.refund.refund_fen = r.refund.payer_refund_fen = -1;
	r.refund.voucher_refund_fen = -1;
	snprintf(r.refund.refund_id, sizeof r.refund.refund_id, "5030001");
	syncmsg_put(&ev, EV_SYNC_DONE, &r, sizeof r);
	assert_int_equal(evq_post(f->results, &ev), 0);
	assert_int_equal(settle_drain(f->se, f->results, 0, NULL), 0);
}

/* The next refund job (after its wait) */
static struct sync_job
refund_job(struct fx *f, struct refund *rf)
{
	int i;

	for (i = 0; i < 200 && refund_timeout_ms(rf) > 0; i++)
		usleep(2000);
	(void)refund_step(rf);
	return job_out(f);
}

static void
refund_never_more_than_paid(void **state)
{
	struct fx *f = *state;
	struct refund *rf = refund_new(f->co, f->st, f->cfg, f->se);
	struct store_refund r;
	struct refund_view v;
	struct store_txn t;
	char *cause = NULL;
	int64_t txn = sale(f, 5000), id, rid;

	assert_int_equal(payment_cash(f->pm, txn, 5000, 5000, &id), 0);
	assert_int_equal(payment_settle_sale(f->pm, id), 0);
	/* a paid sale is not voided before its money is back */
	assert_int_not_equal(checkout_void(f->co, txn, "9001", &cause), 0);
	free(cause);
	cause = NULL;
	/* cash: the cashier hands it back, final at once */
	assert_int_equal(refund_start(rf, txn, 3000, 0, "9001", &rid), 0);
	assert_int_equal(refund_view(rf, rid, &v), 0);
	assert_int_equal(v.state, REFUND_SUCCESS);
	assert_int_equal(v.left_fen, 2000);
	assert_int_equal(refund_start(rf, txn, 2001, 0, "9001", &rid),
	    QUAN_ETOOBIG);
	/* ... and the store refuses it whoever asks */
	memset(&r, 0, sizeof r);
	r.txn_id = txn;
	r.payment_id = id;
	snprintf(r.out_refund_no, sizeof r.out_refund_no, "X1");
	snprintf(r.kind, sizeof r.kind, "partial");
	snprintf(r.state, sizeof r.state, "pending");
	r.amount_fen = 2001;
	assert_int_equal(store_refund_insert(f->st, &r), QUAN_EINVAL);
	/* the rest back with the void: the sale voided */
	assert_int_equal(refund_start(rf, txn, 0, 1, "9001", &rid), 0);
	assert_int_equal(refund_settle(rf, rid), 0);
	assert_int_equal(refund_view(rf, rid, &v), 0);
	assert_int_equal(v.amount_fen, 2000);
	assert_int_equal(v.left_fen, 0);
	assert_int_equal(store_txn_get(f->st, txn, &t), 0);
	assert_int_equal(t.state, TXN_VOIDED);
	/* nothing left: no refund at all */
	assert_int_equal(refund_start(rf, txn, 0, 0, "9001", &rid),
	    QUAN_ETOOBIG);
	refund_free(rf);
}

static void
refund_same_key_until_success(void **state)
{
	struct fx *f = *state;
	struct refund *rf;
	struct refund_view v;
	struct store_txn t;
	struct sync_job j;
	int64_t txn = sale(f, 5000), id, rid;
	char orn[SYNC_REQNO_MAX];

	f->cfg->pay_query_interval_ms = 1;
	rf = refund_new(f->co, f->st, f->cfg, f->se);
	assert_int_equal(payment_charge(f->pm, txn, 5000, CODE, &id), 0);
	(void)payment_step(f->pm);
	j = job_out(f);
	answer(f, &j, PAY_E_NONE, PAY_TS_SUCCESS, 1, 5000, 5000);
	assert_int_equal(payment_step(f->pm), 1);
	assert_int_equal(payment_settle_sale(f->pm, id), 0);
	/* a second one while this one is out is refused */
	assert_int_equal(refund_start(rf, txn, 0, 1, "9001", &rid), 0);
	assert_int_equal(refund_start(rf, txn, 100, 0, "9001", &id),
	    QUAN_EBUSY);
	j = refund_job(f, rf);
	assert_int_equal(j.op, SYNC_OP_REFUND);
	assert_int_equal(j.amount_fen, 5000);
	assert_int_equal(j.total_fen, 5000);
	snprintf(orn, sizeof orn, "%s", j.request_no);
	/* no answer, then WeChat's own trouble: sent again, same key */
	refund_answer(f, &j, SYNC_RETRY, PAY_E_NET, PAY_RS_NONE);
	j = refund_job(f, rf);
	assert_int_equal(j.op, SYNC_OP_REFUND);
	assert_string_equal(j.request_no, orn);
	refund_answer(f, &j, SYNC_OK, PAY_E_SYSTEMERROR, PAY_RS_NONE);
	j = refund_job(f, rf);
	assert_int_equal(j.op, SYNC_OP_REFUND);
	assert_string_equal(j.request_no, orn);
	/* accepted: queried with the same key until SUCCESS */
	refund_answer(f, &j, SYNC_OK, PAY_E_NONE, PAY_RS_PROCESSING);
	assert_int_equal(refund_view(rf, rid, &v), 0);
	assert_int_equal(v.state, REFUND_PROCESSING);
	assert_int_equal(store_txn_get(f->st, txn, &t), 0);
	assert_int_equal(t.state, TXN_CLOSED);
	j = refund_job(f, rf);
	assert_int_equal(j.op, SYNC_OP_REFUND_QUERY);
	assert_string_equal(j.request_no, orn);
	refund_answer(f, &j, SYNC_OK, PAY_E_NONE, PAY_RS_SUCCESS);
	assert_int_equal(refund_step(rf), 1);
	assert_int_equal(refund_view(rf, rid, &v), 0);
	assert_int_equal(v.state, REFUND_SUCCESS);
	assert_string_equal(v.refund_id, "5030001");
	no_job(f);
	/* then the sale is voided */
	assert_int_equal(refund_settle(rf, rid), 0);
	assert_int_equal(store_txn_get(f->st, txn, &t), 0);
	assert_int_equal(t.state, TXN_VOIDED);
	refund_free(rf);
}

/* A refund WeChat could not pay back (ABNORMAL) is the manager's alarm:
 * counted with its fen by refund_alarm (status bar, quan status, X
 * report), not only journaled; the sale stays closed (not voided). */
static void
refund_abnormal_raises_the_alarm(void **state)
{
	struct fx *f = *state;
	struct refund *rf;
	struct refund_view v;
	struct store_txn t;
	struct sync_job j;
	int64_t txn = sale(f, 3000), id, rid, n = -1, fen = -1;

	f->cfg->pay_query_interval_ms = 1;
	rf = refund_new(f->co, f->st, f->cfg, f->se);
	assert_int_equal(refund_alarm(f->st, &n, &fen), 0);
	assert_int_equal(n, 0);
	assert_int_equal(payment_charge(f->pm, txn, 3000, CODE, &id), 0);
	(void)payment_step(f->pm);
	j = job_out(f);
	answer(f, &j, PAY_E_NONE, PAY_TS_SUCCESS, 1, 3000, 3000);
	assert_int_equal(payment_step(f->pm), 1);
	assert_int_equal(payment_settle_sale(f->pm, id), 0);
	assert_int_equal(refund_start(rf, txn, 0, 1, "9001", &rid), 0);
	j = refund_job(f, rf);
	refund_answer(f, &j, SYNC_OK, PAY_E_NONE, PAY_RS_ABNORMAL);
	assert_int_equal(refund_step(rf), 1);
	assert_int_equal(refund_view(rf, rid, &v), 0);
	assert_int_equal(v.state, REFUND_ABNORMAL);
	no_job(f);
	assert_int_equal(refund_alarm(f->st, &n, &fen), 0);
	assert_int_equal(n, 1);
	assert_int_equal(fen, 3000);
	(void)refund_settle(rf, rid);
	assert_int_equal(store_txn_get(f->st, txn, &t), 0);
	assert_int_equal(t.state, TXN_CLOSED);
	refund_free(rf);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(charged_once_with_one_key,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(
		    failed_charge_allows_a_new_one, setup, teardown),
		cmocka_unit_test_setup_teardown(
		    cash_and_other_are_final_at_once, setup, teardown),
		cmocka_unit_test_setup_teardown(
		    gone_process_payment_is_queried_not_recharged, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(refund_never_more_than_paid,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(
		    refund_same_key_until_success, setup, teardown),
		cmocka_unit_test_setup_teardown(
		    refund_abnormal_raises_the_alarm, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
