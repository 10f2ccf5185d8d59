/*
 * test_store_pcoupon.c — the 商品券 registry and definitions: a SEND
 * notification registers a CONFIRMING coupon and a redelivery is told
 * apart; confirming moves it on and never back; a repeated notification
 * does not undo a confirmation or a use, while a forced (query) state
 * does; a code in two stocks is found twice (ambiguous); a bundle's
 * rounds come back in order; definitions read back as written, lists of
 * the stock included.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "store_fixture.h"
#include "store/store_pcoupon.h"
#include "util/err.h"

static struct pc_coupon
sent(const char *code, const char *stock, const char *nid)
{
	struct pc_coupon c;

	memset(&c, 0, sizeof c);
	snprintf(c.code, sizeof c.code, "%s", code);
	snprintf(c.stock_id, sizeof c.stock_id, "%s", stock);
	snprintf(c.product_coupon_id, sizeof c.product_coupon_id, "1000000013");
	snprintf(c.brand_id, sizeof c.brand_id, "120344");
	snprintf(c.appid, sizeof c.appid, "wx233544546545989");
	snprintf(c.openid, sizeof c.openid, "oh-394z-6CGkNoJrsDLTTUKiAnp4");
	snprintf(c.notify_id, sizeof c.notify_id, "%s", nid);
	c.valid_begin = 1000;
	c.valid_end = 9000;
	return c;
}

static void
a_send_registers_a_confirming_coupon_once(void **state)
{
	struct fx *f = *state;
	struct pc_coupon c = sent("Code_123456", "1000000013001", "n-1"), g;
	int n = 0;

	assert_int_equal(store_pc_notified(f->st, &c, 100), 0);
	assert_int_equal(store_pc_notified(f->st, &c, 101), QUAN_EEXIST);
	assert_int_equal(store_pc_lookup(f->st, "Code_123456", &g, 1, &n), 0);
	assert_int_equal(n, 1);
	assert_int_equal(g.state, PC_ST_CONFIRMING);
	assert_string_equal(g.openid, "oh-394z-6CGkNoJrsDLTTUKiAnp4");
	assert_string_equal(g.product_coupon_id, "1000000013");
	assert_int_equal(g.source, PC_SRC_NOTIFY);
	assert_int_equal(g.valid_end, 9000);
	assert_int_equal(store_pc_unconfirmed(f->st, &g, 1, &n), 0);
	assert_int_equal(n, 1);
}

static void
confirmation_moves_on_and_a_resend_does_not_undo_it(void **state)
{
	struct fx *f = *state;
	struct pc_coupon c = sent("Code_1", "S1", "n-1"), g;
	int n = 0;

	assert_int_equal(store_pc_notified(f->st, &c, 100), 0);
	assert_int_equal(store_pc_confirmed(f->st, "Code_1", "S1", "C_1",
	    PC_ST_EFFECTIVE, 110), 0);
	assert_int_equal(store_pc_confirmed(f->st, "nope", "S1", "C_2",
	    PC_ST_EFFECTIVE, 110), QUAN_ENOTFOUND);
	snprintf(c.notify_id, sizeof c.notify_id, "n-2"); /* a second send */
	assert_int_equal(store_pc_notified(f->st, &c, 120), 0);
	assert_int_equal(store_pc_get(f->st, "Code_1", "S1", &g), 0);
	assert_int_equal(g.state, PC_ST_EFFECTIVE);
	assert_string_equal(g.confirm_request_no, "C_1");
	assert_int_equal(g.confirmed_at, 110);
	assert_int_equal(store_pc_unconfirmed(f->st, &g, 1, &n), 0);
	assert_int_equal(n, 0);
}

static void
a_used_coupon_stays_used_unless_wechat_says_otherwise(void **state)
{
	struct fx *f = *state;
	struct pc_coupon c = sent("Code_2", "S1", ""), g;

	c.state = PC_ST_EFFECTIVE;
	assert_int_equal(store_pc_put(f->st, &c, 0), 0);
	assert_int_equal(store_pc_set_state(f->st, "Code_2", "S1", PC_ST_USED,
	    130), 0);
	assert_int_equal(store_pc_put(f->st, &c, 0), 0); /* listed again */
	assert_int_equal(store_pc_get(f->st, "Code_2", "S1", &g), 0);
	assert_int_equal(g.state, PC_ST_USED);
	assert_int_equal(store_pc_put(f->st, &c, 1), 0); /* returned */
	assert_int_equal(store_pc_get(f->st, "Code_2", "S1", &g), 0);
	assert_int_equal(g.state, PC_ST_EFFECTIVE);
	c.code[0] = '\0';
	assert_int_equal(store_pc_put(f->st, &c, 0), QUAN_EINVAL);
}

static void
a_code_in_two_stocks_is_found_twice_and_unknown_not_at_all(void **state)
{
	struct fx *f = *state;
	struct pc_coupon a = sent("Same", "S1", ""), b = sent("Same", "S2", "");
	struct pc_coupon g[4];
	int n = -1;

	assert_int_equal(store_pc_put(f->st, &a, 0), 0);
	assert_int_equal(store_pc_put(f->st, &b, 0), 0);
	assert_int_equal(store_pc_lookup(f->st, "Same", g, 4, &n), 0);
	assert_int_equal(n, 2);
	assert_string_equal(g[0].stock_id, "S1");
	assert_string_equal(g[1].stock_id, "S2");
	assert_int_equal(store_pc_lookup(f->st, "Other", g, 4, &n), 0);
	assert_int_equal(n, 0);
	assert_int_equal(store_pc_lookup(f->st,
	    "0123456789012345678901234567890123456789X", g, 4, &n), 0);
	assert_int_equal(n, 0);
}

static void
a_bundle_comes_back_by_round(void **state)
{
	struct fx *f = *state;
	struct pc_coupon g[4];
	int i, n = 0;

	for (i = 2; i >= 0; i--) {
		struct pc_coupon c = sent("", "SB", "");

		snprintf(c.code, sizeof c.code, "B_%d", i);
		snprintf(c.stock_id, sizeof c.stock_id, "SB%d", i);
		snprintf(c.user_coupon_bundle_id,
		    sizeof c.user_coupon_bundle_id, "UB1");
		c.bundle_index = i;
		c.bundle_total = 3;
		c.state = PC_ST_EFFECTIVE;
		assert_int_equal(store_pc_put(f->st, &c, 0), 0);
	}
	assert_int_equal(store_pc_bundle(f->st, "UB1", g, 4, &n), 0);
	assert_int_equal(n, 3);
	for (i = 0; i < 3; i++)
		assert_int_equal(g[i].bundle_index, i);
	assert_int_equal(g[0].bundle_total, 3);
}

static void
definitions_read_back_as_written(void **state)
{
	struct fx *f = *state;
	struct pc_product p, q;
	struct pc_stock k, m;
	int64_t nc = -1, np = -1, ns = -1;

	memset(&p, 0, sizeof p);
	snprintf(p.product_coupon_id, sizeof p.product_coupon_id, "P1");
	snprintf(p.name, sizeof p.name, "全场满减");
	p.scope = PC_SCOPE_ALL;
	p.type = PC_TYPE_NORMAL;
	p.usage = PC_USAGE_SINGLE;
	p.single.type = PC_TYPE_NORMAL;
	p.single.threshold_fen = 5000;
	p.single.discount_amount_fen = 800;
	p.state = PC_DEF_EFFECTIVE;
	assert_int_equal(store_pc_product_put(f->st, &p), 0);
	assert_int_equal(store_pc_product_get(f->st, "P1", &q), 0);
	assert_memory_equal(&p, &q, sizeof p);
	assert_int_equal(store_pc_product_get(f->st, "P2", &q),
	    QUAN_ENOTFOUND);

	memset(&k, 0, sizeof k);
	snprintf(k.stock_id, sizeof k.stock_id, "S1");
	snprintf(k.product_coupon_id, sizeof k.product_coupon_id, "P1");
	k.state = PC_DEF_SENDING;
	k.begin = 1700000000;
	k.end = 1800000000;
	k.nweekly = 2;
	k.weekly[0].wmask = 0x3e;        /* Monday..Friday */
	k.weekly[0].begin = 60;
	k.weekly[0].end = 86399;
	k.weekly[1].wmask = 0x41;        /* weekend */
	k.weekly[1].begin = 36000;
	k.weekly[1].end = 72000;
	k.nirregular = 2;
	k.irregular[0].begin = 1700000000;
	k.irregular[0].end = 1700086399;
	k.irregular[1].begin = 1710000000;
	k.irregular[1].end = 1710086399;
	k.store_scope = PC_STORES_SPECIFIC;
	k.nstores = 2;
	snprintf(k.stores[0], sizeof k.stores[0], "STORE_1");
	snprintf(k.stores[1], sizeof k.stores[1], "STORE_2");
	k.methods = PC_METHOD_OFFLINE | PC_METHOD_PAYMENT_CODE;
	assert_int_equal(store_pc_stock_put(f->st, &k), 0);
	assert_int_equal(store_pc_stock_get(f->st, "S1", &m), 0);
	assert_memory_equal(&k, &m, sizeof k);
	assert_int_equal(store_pc_counts(f->st, &nc, &np, &ns), 0);
	assert_int_equal(nc, 0);
	assert_int_equal(np, 1);
	assert_int_equal(ns, 1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(
		    a_send_registers_a_confirming_coupon_once, fx_setup,
		    fx_teardown),
		cmocka_unit_test_setup_teardown(
		    confirmation_moves_on_and_a_resend_does_not_undo_it,
		    fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(
		    a_used_coupon_stays_used_unless_wechat_says_otherwise,
		    fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(
		    a_code_in_two_stocks_is_found_twice_and_unknown_not_at_all,
		    fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(a_bundle_comes_back_by_round,
		    fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(
		    definitions_read_back_as_written, fx_setup, fx_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
