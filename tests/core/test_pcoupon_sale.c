/*
 * test_pcoupon_sale.c — 商品券 in a sale, with the real store and settle
 * and this test answering the jobs the sync thread would get:
 * the use numbers are committed before anything is sent and every resend
 * carries the same number and body fields; pay first sends nothing until
 * the order is paid, then uses transaction_id; use first associates
 * out_trade_no + mchid and a failed charge returns the coupon; an answer
 * lost then "used by another order" asks whose use it was (ours: used
 * once); a coupon cannot have two live uses; a refund returns a bundle's
 * latest round only; without the network a 商品券 is refused.
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

#include "core/evq.h"
#include "core/pcoupon_sale.h"
#include "core/settle.h"
#include "store/store.h"
#include "store/store_pcoupon.h"
#include "util/config.h"
#include "util/err.h"
#include "util/tm.h"
#include "util/xmem.h"

#include "settle_fixture.h"

#define NOW 1772596800 /* 2026-03-04 12:00 +08:00 */

struct fx {
	char dir[64];
	struct config *cfg;
	struct store *st;
	struct evq *to_sync;
	struct settle *se;
	struct pcsale *ps;
};

static void
put_coupon(struct fx *f, const char *code, const char *stock, int bundle,
    int idx, enum pc_state state)
{
	struct pc_coupon c;

	memset(&c, 0, sizeof c);
	snprintf(c.code, sizeof c.code, "%s", code);
	snprintf(c.stock_id, sizeof c.stock_id, "%s", stock);
	snprintf(c.product_coupon_id, sizeof c.product_coupon_id, "P1");
	snprintf(c.brand_id, sizeof c.brand_id, "120344");
	snprintf(c.appid, sizeof c.appid, "wx233544546545989");
	snprintf(c.openid, sizeof c.openid, "oh-394z-6CGkNoJrsDLTTUKiAnp4");
	c.state = state;
	if (bundle) {
		snprintf(c.user_coupon_bundle_id,
		    sizeof c.user_coupon_bundle_id, "UB1");
		c.bundle_index = idx;
		c.bundle_total = 3;
	}
	assert_int_equal(store_pc_put(f->st, &c, 1), 0);
}

static int
setup(void **state)
{
	struct fx *f = xcalloc(1, sizeof *f);
	struct pc_product p;
	struct pc_stock k;

	assert_int_equal(tm_set_zone("Asia/Shanghai"), 0);
	settle_fixture_open("pcsale", f->dir, sizeof f->dir, &f->cfg, &f->st,
	    &f->to_sync, &f->se);
	free(f->cfg->wx_mchid);
	f->cfg->wx_mchid = xstrdup("1230000109");
	f->ps = pcsale_new(f->st, f->cfg, f->se);
	memset(&p, 0, sizeof p);
	snprintf(p.product_coupon_id, sizeof p.product_coupon_id, "P1");
	snprintf(p.name, sizeof p.name, "满50减8");
	p.scope = PC_SCOPE_ALL;
	p.type = PC_TYPE_NORMAL;
	p.usage = PC_USAGE_BUNDLE;
	p.state = PC_DEF_EFFECTIVE;
	assert_int_equal(store_pc_product_put(f->st, &p), 0);
	memset(&k, 0, sizeof k);
	snprintf(k.product_coupon_id, sizeof k.product_coupon_id, "P1");
	k.state = PC_DEF_SENDING;
	k.has_rule = 1;
	k.rule.type = PC_TYPE_NORMAL;
	k.rule.threshold_fen = 5000;
	k.rule.discount_amount_fen = 800;
	snprintf(k.stock_id, sizeof k.stock_id, "S1");
	assert_int_equal(store_pc_stock_put(f->st, &k), 0);
	snprintf(k.stock_id, sizeof k.stock_id, "S2");
	assert_int_equal(store_pc_stock_put(f->st, &k), 0);
	put_coupon(f, "C1", "S1", 0, 0, PC_ST_EFFECTIVE);
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fx *f = *state;

	pcsale_free(f->ps);
	settle_fixture_close(f->dir, f->cfg, f->st, f->to_sync, f->se);
	free(f);
	return 0;
}

/* Look up and price code on a ¥100 order; commit it for txn. */
static void
plan(struct fx *f, const char *code, int64_t txn, const char *otn,
    int use_first, struct pc_line *l)
{
	int64_t d = 0;
	int n = 0;

	assert_int_equal(pcsale_lookup(f->ps, code, l), 1);
	pcsale_price(f->ps, l, 1, 10000, 10000, NOW, &d);
	assert_int_equal(l->v.reason, REASON_NONE);
	assert_int_equal(d, 800);
	assert_int_equal(pcsale_commit(f->ps, txn, l, 1, otn, use_first,
	    10000, 9200, NOW, &n), 0);
	assert_int_equal(n, 1);
}

static int
jobs(struct fx *f, struct sync_job *out, int max)
{
	struct ev ev;
	int n = 0;

	while (evq_get(f->to_sync, &ev)) {
		assert_int_equal(ev.type, EV_SYNC_JOB);
		if (n < max)
			syncmsg_get(&ev, &out[n], sizeof out[n]);
		n++;
	}
	return n;
}

static void
answer(struct fx *f, const struct sync_job *j, enum sync_status st,
    const char *state, const char *use_request_no)
{
	struct sync_result r;

	memset(&r, 0, sizeof r);
	r.tag = j->tag;
	r.op = j->op;
	r.status = st;
	snprintf(r.pcr.coupon_state, sizeof r.pcr.coupon_state, "%s", state);
	snprintf(r.pcr.use_request_no, sizeof r.pcr.use_request_no, "%s",
	    use_request_no);
	if (st == SYNC_REJECTED)
		snprintf(r.wx_code, sizeof r.wx_code, "INVALID_REQUEST");
	assert_int_equal(pcsale_apply(f->ps, &r, NOW + 1), 0);
}

static struct pc_use
use_of(struct fx *f, int64_t txn)
{
	struct pc_use u;
	int n = 0;

	assert_int_equal(store_pc_use_txn(f->st, txn, &u, 1, &n), 0);
	assert_int_equal(n, 1);
	return u;
}

static void
pay_first_sends_nothing_before_the_order_is_paid(void **state)
{
	struct fx *f = *state;
	struct sync_job j[4], j2[4];
	struct pc_line l;
	struct pc_coupon c;
	int posted = -1;

	plan(f, "C1", 7, "T01P000007", 0, &l);
	assert_string_equal(use_of(f, 7).use_request_no, "U_T01P000007_0");
	assert_int_equal(pcsale_send(f->ps, 7, NOW, &posted), 0);
	assert_int_equal(posted, 0);
	assert_int_equal(jobs(f, j, 4), 0);
	assert_int_equal(pcsale_paid(f->ps, 7, "4200000000123456789123456789",
	    NOW), 0);
	assert_int_equal(pcsale_send(f->ps, 7, NOW, &posted), 0);
	assert_int_equal(jobs(f, j, 4), 1);
	assert_int_equal(j[0].op, SYNC_OP_PC_USE);
	assert_string_equal(j[0].request_no, "U_T01P000007_0");
	assert_string_equal(j[0].code, "C1");
	assert_string_equal(j[0].target, "S1");
	assert_string_equal(j[0].openid, "oh-394z-6CGkNoJrsDLTTUKiAnp4");
	assert_string_equal(j[0].pc.transaction_id,
	    "4200000000123456789123456789");
	assert_string_equal(j[0].pc.out_trade_no, "");
	assert_int_equal(j[0].pc.use_time, NOW);
	assert_int_equal(use_of(f, 7).state, PC_USE_SENT);
	/* no answer (timeout): the resend is the same request */
	answer(f, &j[0], SYNC_RETRY, "", "");
	assert_int_equal(pcsale_send(f->ps, 7, NOW + 60, &posted), 0);
	assert_int_equal(jobs(f, j2, 4), 1);
	assert_int_equal(j2[0].attempts, 1);
	j2[0].attempts = j[0].attempts;
	j2[0].landed = j[0].landed;
	assert_memory_equal(&j[0], &j2[0], sizeof j[0]);
	answer(f, &j2[0], SYNC_OK, "USED", "U_T01P000007_0");
	assert_int_equal(use_of(f, 7).state, PC_USE_USED);
	assert_int_equal(store_pc_get(f->st, "C1", "S1", &c), 0);
	assert_int_equal(c.state, PC_ST_USED);
	/* a late duplicate answer changes nothing */
	answer(f, &j[0], SYNC_REJECTED, "", "");
	assert_int_equal(use_of(f, 7).state, PC_USE_USED);
}

static void
use_first_returns_the_coupon_when_the_charge_fails(void **state)
{
	struct fx *f = *state;
	struct sync_job j[4];
	struct pc_line l;
	int n = 0;

	plan(f, "C1", 8, "T01P000008", 1, &l);
	assert_int_equal(pcsale_send(f->ps, 8, NOW, NULL), 0);
	assert_int_equal(jobs(f, j, 4), 1);
	assert_string_equal(j[0].pc.out_trade_no, "T01P000008");
	assert_string_equal(j[0].pc.mchid, "1230000109");
	assert_string_equal(j[0].pc.transaction_id, "");
	answer(f, &j[0], SYNC_OK, "USED", "U_T01P000008_0");
	assert_int_equal(pcsale_payment_failed(f->ps, 8, NOW, &n), 0);
	assert_int_equal(n, 1);
	assert_int_equal(use_of(f, 8).state, PC_USE_RETURN_PENDING);
	assert_int_equal(pcsale_send(f->ps, 8, NOW, NULL), 0);
	assert_int_equal(jobs(f, j, 4), 1);
	assert_int_equal(j[0].op, SYNC_OP_PC_RETURN);
	assert_string_equal(j[0].request_no, "R_T01P000008_0");
	answer(f, &j[0], SYNC_OK, "EFFECTIVE", "");
	assert_int_equal(use_of(f, 8).state, PC_USE_RETURNED);
	/* given back: a new sale may use it */
	plan(f, "C1", 9, "T01P000009", 1, &l);
}

static void
a_payment_failing_before_any_send_withdraws_the_use(void **state)
{
	struct fx *f = *state;
	struct sync_job j[4];
	struct pc_line l;
	int n = -1;

	plan(f, "C1", 10, "T01P000010", 0, &l);
	assert_int_equal(pcsale_payment_failed(f->ps, 10, NOW, &n), 0);
	assert_int_equal(n, 0);
	assert_int_equal(use_of(f, 10).state, PC_USE_FAILED);
	assert_int_equal(pcsale_send(f->ps, 0, NOW, NULL), 0);
	assert_int_equal(jobs(f, j, 4), 0);
}

static void
a_lost_answer_then_used_elsewhere_is_settled_by_a_query(void **state)
{
	struct fx *f = *state;
	struct sync_job j[4];
	struct pc_line l;

	plan(f, "C1", 11, "T01P000011", 1, &l);
	assert_int_equal(pcsale_send(f->ps, 11, NOW, NULL), 0);
	assert_int_equal(jobs(f, j, 4), 1);
	answer(f, &j[0], SYNC_ALREADY, "", "");
	assert_int_equal(use_of(f, 11).state, PC_USE_SENT);
	assert_int_equal(jobs(f, j, 4), 1);
	assert_int_equal(j[0].op, SYNC_OP_PC_QUERY);
	answer(f, &j[0], SYNC_OK, "USED", "U_T01P000011_0");
	assert_int_equal(use_of(f, 11).state, PC_USE_USED);
}

static void
used_by_another_order_is_a_conflict(void **state)
{
	struct fx *f = *state;
	struct sync_job j[4];
	struct pc_line l;

	plan(f, "C1", 12, "T01P000012", 1, &l);
	assert_int_equal(pcsale_send(f->ps, 12, NOW, NULL), 0);
	assert_int_equal(jobs(f, j, 4), 1);
	answer(f, &j[0], SYNC_ALREADY, "", "");
	assert_int_equal(jobs(f, j, 4), 1);
	answer(f, &j[0], SYNC_OK, "USED", "U_OTHER_0");
	assert_int_equal(use_of(f, 12).state, PC_USE_CONFLICT);
	assert_string_equal(use_of(f, 12).reason, "already_used");
}

static void
a_coupon_cannot_have_two_live_uses(void **state)
{
	struct fx *f = *state;
	struct pc_line l;
	struct pc_use u;
	int n = 0;

	plan(f, "C1", 13, "T01P000013", 0, &l);
	assert_int_equal(pcsale_commit(f->ps, 14, &l, 1, "T01P000014", 0,
	    10000, 9200, NOW, NULL), QUAN_EEXIST);
	assert_int_equal(store_pc_use_txn(f->st, 14, &u, 1, &n), 0);
	assert_int_equal(n, 0);
}

static void
a_refund_returns_only_the_latest_bundle_round(void **state)
{
	struct fx *f = *state;
	struct sync_job j[4];
	struct pc_line l;
	struct pc_use u;
	int n = 0;

	put_coupon(f, "B0", "S1", 1, 0, PC_ST_USED);
	put_coupon(f, "B1", "S2", 1, 1, PC_ST_EFFECTIVE);
	plan(f, "B1", 20, "T01P000020", 1, &l);
	assert_int_equal(pcsale_send(f->ps, 20, NOW, NULL), 0);
	assert_int_equal(jobs(f, j, 4), 1);
	answer(f, &j[0], SYNC_OK, "USED", "U_T01P000020_0");
	/* round 2 used later elsewhere: round 1 may not go back */
	put_coupon(f, "B2", "S1", 1, 2, PC_ST_USED);
	assert_int_equal(pcsale_return_txn(f->ps, 20, NOW, &n), 0);
	assert_int_equal(n, 0);
	u = use_of(f, 20);
	assert_int_equal(u.state, PC_USE_USED);
	assert_string_equal(u.reason, "pc_bundle_round");
	put_coupon(f, "B2", "S1", 1, 2, PC_ST_EFFECTIVE); /* returned */
	assert_int_equal(pcsale_return_txn(f->ps, 20, NOW, &n), 0);
	assert_int_equal(n, 1);
	assert_int_equal(use_of(f, 20).state, PC_USE_RETURN_PENDING);
}

static void
without_the_network_a_product_coupon_is_refused(void **state)
{
	struct fx *f = *state;
	struct pcsale *off = pcsale_new(f->st, f->cfg, NULL);
	struct pc_line l;
	int64_t d = -1;

	assert_int_equal(pcsale_lookup(off, "C1", &l), 1);
	pcsale_price(off, &l, 1, 10000, 10000, NOW, &d);
	assert_int_equal(l.v.reason, REASON_PC_ONLINE_ONLY);
	assert_int_equal(d, 0);
	assert_int_equal(pcsale_lookup(off, "NOPE", &l), 0);
	pcsale_free(off);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
		T(pay_first_sends_nothing_before_the_order_is_paid),
		T(use_first_returns_the_coupon_when_the_charge_fails),
		T(a_payment_failing_before_any_send_withdraws_the_use),
		T(a_lost_answer_then_used_elsewhere_is_settled_by_a_query),
		T(used_by_another_order_is_a_conflict),
		T(a_coupon_cannot_have_two_live_uses),
		T(a_refund_returns_only_the_latest_bundle_round),
		T(without_the_network_a_product_coupon_is_refused),
#undef T
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
