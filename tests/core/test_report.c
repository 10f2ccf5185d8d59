/*
 * test_report.c — one definition of each report figure: what counts as
 * redeemed (confirmed, accepted offline; not pending or unknown, not a
 * card coupon kept after a void), and every state lands in one figure;
 * payments folded row by row (headquarters) give the till's sums.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include <jansson.h>

#include "../store/store_fixture.h"
#include "core/coupon.h"
#include "core/report.h"
#include "store/store_pay.h"

static void
test_redeemed_is_what_was_given(void **state)
{
	(void)state;
	assert_int_equal(report_fig_of("confirmed", "ok"), REPORT_REDEEMED);
	assert_int_equal(report_fig_of("accepted_offline", "ok"),
	    REPORT_REDEEMED);
	/* being decided or settled: nothing granted by it yet */
	assert_int_equal(report_fig_of("pending", "ok"), REPORT_OPEN);
	assert_int_equal(report_fig_of("unknown", "offline_cap_hour"),
	    REPORT_OPEN);
	/* used at WeChat, sale voided, no return: not redeemed value */
	assert_int_equal(report_fig_of("confirmed", "voided_not_returnable"),
	    REPORT_KEPT);
	assert_int_equal(report_fig_of("voided_not_returnable", NULL),
	    REPORT_KEPT);
	assert_int_equal(report_fig_of("return_pending", "voided"),
	    REPORT_RETURNED);
	assert_int_equal(report_fig_of("returned", "voided"),
	    REPORT_RETURNED);
	assert_int_equal(report_fig_of("rejected", "expired"),
	    REPORT_REJECTED);
	assert_int_equal(report_fig_of("conflict", "duplicate_redemption"),
	    REPORT_CONFLICT);
	assert_int_equal(report_fig_of(NULL, NULL), REPORT_OPEN);
	assert_string_equal(report_fig_id(REPORT_REDEEMED), "redeemed");
}

static void
test_add_counts_each_row_once(void **state)
{
	struct report_figs f;
	int c, k;
	int64_t n = 0;

	(void)state;
	memset(&f, 0, sizeof f);
	for (c = CHECKOUT_PENDING; c <= CHECKOUT_CONFLICT; c++)
		report_add(&f, checkout_cstate_name((enum checkout_cstate)c),
		    NULL, 1, 100);
	report_add(&f, "confirmed", "voided_not_returnable", 1, 100);
	for (k = 0; k < REPORT_FIG_COUNT; k++)
		n += f.n[k];
	assert_int_equal(n, CHECKOUT_CONFLICT - CHECKOUT_PENDING + 2);
	assert_int_equal(f.n[REPORT_REDEEMED], 2);
	assert_int_equal(f.fen[REPORT_REDEEMED], 200);
	assert_int_equal(f.n[REPORT_OPEN], 2);
	assert_int_equal(f.n[REPORT_KEPT], 1);
	assert_int_equal(f.n[REPORT_RETURNED], 2);
}

static int64_t
pay(struct store *st, int64_t txn, const char *no, const char *tender,
    const char *state, int64_t amount, int64_t voucher, int vlines,
    int64_t t)
{
	struct store_pay p;
	struct store_pay_voucher v[3];
	int i;

	memset(&p, 0, sizeof p);
	p.txn_id = txn;
	snprintf(p.out_trade_no, sizeof p.out_trade_no, "%s", no);
	snprintf(p.tender, sizeof p.tender, "%s", tender);
	snprintf(p.state, sizeof p.state, "%s", state);
	snprintf(p.phase, sizeof p.phase, "done");
	p.amount_fen = amount;
	p.voucher_fen = voucher;
	p.payer_fen = amount - voucher;
	p.created_at = p.updated_at = t;
	assert_int_equal(store_pay_insert(st, &p), 0);
	memset(v, 0, sizeof v);
	for (i = 0; i < vlines; i++) {
		v[i].idx = i;
		snprintf(v[i].id, sizeof v[i].id, "V%d", i);
		snprintf(v[i].type, sizeof v[i].type, "prefunded");
		v[i].amount_fen = voucher / vlines;
	}
	if (vlines > 0)
		assert_int_equal(store_pay_vouchers_put(st, p.id, v, vlines), 0);
	return p.id;
}

static int
fold(void *arg, const struct store_pay *p, int64_t lines)
{
	report_pay_add(arg, p->tender, p->state, 1, p->amount_fen,
	    p->payer_fen, p->voucher_fen, lines);
	return 0;
}

static void
test_payments_folded_by_row_equal_the_sums(void **state)
{
	struct fx *f = *state;
	struct store_pay_sums want, got;
	int64_t t[6];
	int i;

	for (i = 0; i < 6; i++)
		t[i] = fx_txn(f->st, "closed", 1000 + i);
	pay(f->st, t[0], "T01P1", "wechat", "paid", 9500, 500, 2, 1000);
	pay(f->st, t[1], "T01P2", "wechat", "failed", 3000, 0, 0, 1001);
	pay(f->st, t[1], "T01P3", "cash", "paid", 3000, 0, 0, 1001);
	pay(f->st, t[2], "T01P4", "other", "paid", 1234, 0, 0, 1002);
	pay(f->st, t[3], "T01P5", "wechat", "reversed", 800, 0, 0, 1003);
	pay(f->st, t[4], "T01P6", "wechat", "unknown", 700, 0, 0, 1004);
	pay(f->st, t[5], "T01P7", "wechat", "paid", 2000, 300, 1, 1005);
	/* made outside the period: in neither */
	pay(f->st, fx_txn(f->st, "closed", 5000), "T01P8", "cash", "paid",
	    100, 0, 0, 5000);
	assert_int_equal(report_payments(f->st, 1000, 2000, &want), 0);
	memset(&got, 0, sizeof got);
	for (i = 0; i < 6; i++)
		assert_int_equal(store_pay_list_txn(f->st, t[i], fold, &got),
		    0);
	assert_int_equal(got.paid_count, 4);
	assert_int_equal(got.wechat_fen, 11500);
	assert_int_equal(got.voucher_count, 3);
	assert_int_equal(got.failed_count, 2);
	assert_int_equal(got.unknown_count, 1);
	assert_memory_equal(&got, &want, sizeof got);
}

static void
refund(struct store *st, int64_t txn, int64_t pay_id, const char *no,
    const char *state, int64_t amount, int64_t payer, int64_t t)
{
	struct store_refund r;

	memset(&r, 0, sizeof r);
	r.txn_id = txn;
	r.payment_id = pay_id;
	snprintf(r.out_refund_no, sizeof r.out_refund_no, "%s", no);
	snprintf(r.kind, sizeof r.kind, "partial");
	snprintf(r.state, sizeof r.state, "%s", state);
	r.amount_fen = amount;
	r.payer_fen = payer;
	r.voucher_fen = payer < 0 ? -1 : amount - payer;
	r.created_at = r.updated_at = t;
	assert_int_equal(store_refund_insert(st, &r), 0);
}

/* A refunded payment stays paid; the money back is counted apart, by
 * the payment's tender and the refund's state, in the period the refund
 * was made. */
static void
test_refunds_counted_apart_from_payments(void **state)
{
	struct fx *f = *state;
	struct store_pay_sums ps;
	struct report_refunds r;
	json_t *j;
	int64_t t[4], p[4];
	int i;

	for (i = 0; i < 4; i++)
		t[i] = fx_txn(f->st, "closed", 1000 + i);
	p[0] = pay(f->st, t[0], "T01P1", "wechat", "paid", 9500, 500, 1, 1000);
	p[1] = pay(f->st, t[1], "T01P2", "cash", "paid", 3000, 0, 0, 1001);
	p[2] = pay(f->st, t[2], "T01P3", "other", "paid", 1234, 0, 0, 1002);
	p[3] = pay(f->st, t[3], "T01P4", "wechat", "paid", 2000, 0, 0, 1003);
	refund(f->st, t[0], p[0], "T01R1", "success", 4000, 3800, 1100);
	refund(f->st, t[0], p[0], "T01R2", "failed", 500, -1, 1101);
	refund(f->st, t[0], p[0], "T01R3", "abnormal", 300, -1, 1102);
	refund(f->st, t[1], p[1], "T01R4", "success", 3000, 3000, 1103);
	refund(f->st, t[2], p[2], "T01R5", "success", 234, 234, 1104);
	refund(f->st, t[3], p[3], "T01R6", "processing", 2000, -1, 1105);
	/* another period's refund: not in this one */
	refund(f->st, t[2], p[2], "T01R7", "success", 1000, 1000, 5000);
	assert_int_equal(report_payments(f->st, 1000, 2000, &ps), 0);
	assert_int_equal(ps.paid_count, 4); /* refunded, still paid */
	assert_int_equal(report_refunds(f->st, 1000, 2000, &r), 0);
	assert_int_equal(r.count, 3);
	assert_int_equal(r.fen, 7234);
	assert_int_equal(r.payer_fen, 7034);
	assert_int_equal(r.wechat_count, 1);
	assert_int_equal(r.wechat_fen, 4000);
	assert_int_equal(r.cash_fen, 3000);
	assert_int_equal(r.other_fen, 234);
	assert_int_equal(r.open_count, 1);
	assert_int_equal(r.open_fen, 2000);
	assert_int_equal(r.abnormal_count, 1);
	assert_int_equal(r.abnormal_fen, 300);
	assert_int_equal(r.failed_count, 1);
	j = report_refunds_json(&r);
	assert_int_equal(json_integer_value(json_object_get(j, "fen")), 7234);
	assert_int_equal(json_integer_value(json_object_get(json_object_get(
	    json_object_get(j, "by_tender"), "cash"), "fen")), 3000);
	assert_int_equal(json_integer_value(json_object_get(json_object_get(
	    j, "abnormal"), "count")), 1);
	json_decref(j);
	assert_int_equal(report_refunds(f->st, 1000, 5001, &r), 0);
	assert_int_equal(r.other_fen, 1234);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_redeemed_is_what_was_given),
		cmocka_unit_test(test_add_counts_each_row_once),
		cmocka_unit_test_setup_teardown(
		    test_payments_folded_by_row_equal_the_sums, fx_setup,
		    fx_teardown),
		cmocka_unit_test_setup_teardown(
		    test_refunds_counted_apart_from_payments, fx_setup,
		    fx_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
