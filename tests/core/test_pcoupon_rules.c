/*
 * test_pcoupon_rules.c — 商品券 rules and pricing: each of the ten types
 * (ALL/SINGLE × NORMAL/DISCOUNT/EXCHANGE × single/bundle), the rounding
 * of percentage coupons in the customer's favour, thresholds, the 1 fen
 * that must stay for WeChat Pay, the coupon's states, definition states,
 * brand and store scope, validity windows (absolute, the user coupon's
 * own, weekly and irregular periods in Asia/Shanghai), bundle rounds in
 * order and returns of the last round only.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "core/pcoupon_rules.h"
#include "util/tm.h"

static int64_t
T(const char *s)
{
	int64_t t = 0;

	if (tm_parse_rfc3339(s, &t) != 0)
		fail_msg("bad time in test: %s", s);
	return t;
}

struct fx {
	struct pc_coupon c;
	struct pc_product p;
	struct pc_stock k;
	struct pc_env env;
	struct pc_basket b;
	struct pc_verdict v;
};

/* An EFFECTIVE coupon of an ALL-scope single-use product on a stock valid
 * through 2026, priced on Wednesday 2026-03-04 12:00 in Shanghai, basket
 * ¥100.00. */
static void
setup_fx(struct fx *f, enum pc_scope scope, enum pc_type type,
    enum pc_usage usage)
{
	struct pc_rule r;

	memset(f, 0, sizeof *f);
	snprintf(f->c.code, sizeof f->c.code, "Code_123456");
	snprintf(f->c.stock_id, sizeof f->c.stock_id, "S1");
	snprintf(f->c.brand_id, sizeof f->c.brand_id, "120344");
	f->c.state = PC_ST_EFFECTIVE;
	f->c.valid_begin = T("2026-01-01T00:00:00+08:00");
	f->c.valid_end = T("2026-12-31T23:59:59+08:00");
	f->p.scope = scope;
	f->p.type = type;
	f->p.usage = usage;
	f->p.state = PC_DEF_EFFECTIVE;
	memset(&r, 0, sizeof r);
	r.type = type;
	r.discount_amount_fen = 800;
	r.percent_off = 30;
	r.exchange_price_fen = 1000;
	/* ALL single: the product's rule; SINGLE or bundles: the stock's */
	if (scope == PC_SCOPE_ALL && usage == PC_USAGE_SINGLE) {
		f->p.single = r;
	} else {
		f->k.has_rule = 1;
		f->k.rule = r;
	}
	f->k.state = PC_DEF_SENDING;
	f->k.begin = T("2026-01-01T00:00:00+08:00");
	f->k.end = T("2026-12-31T23:59:59+08:00");
	f->env.now = T("2026-03-04T12:00:00+08:00");
	f->env.store_id = "";
	f->env.brands = "";
	f->b.amount_fen = 10000;
	f->b.remaining_fen = 10000;
	f->b.item_price_fen = -1;
}

static enum reason
price(struct fx *f)
{
	return pc_price(&f->c, &f->p, &f->k, NULL, 0, &f->env, &f->b, &f->v);
}

static int
zone(void **state)
{
	(void)state;
	return tm_set_zone("Asia/Shanghai");
}

/* ---- the types ---------------------------------------------------------- */

static void
all_normal_takes_its_amount_off_the_order(void **state)
{
	struct fx f;

	(void)state;
	setup_fx(&f, PC_SCOPE_ALL, PC_TYPE_NORMAL, PC_USAGE_SINGLE);
	assert_int_equal(price(&f), REASON_NONE);
	assert_int_equal(f.v.discount_fen, 800);
	assert_int_equal(f.v.due_fen, 9200);
	assert_int_equal(f.v.eligible_fen, 10000);
}

static void
all_discount_takes_its_percentage_off_the_order(void **state)
{
	struct fx f;

	(void)state;
	setup_fx(&f, PC_SCOPE_ALL, PC_TYPE_DISCOUNT, PC_USAGE_SINGLE);
	assert_int_equal(price(&f), REASON_NONE);
	assert_int_equal(f.v.discount_fen, 3000);   /* 30 % off ¥100 */
	assert_int_equal(f.v.due_fen, 7000);
}

static void
percentages_round_in_the_customers_favour(void **state)
{
	/* E, percent_off -> discount: payable = floor(E*(100-p)/100) */
	static const struct { int64_t e; int p; int64_t d; } t[] = {
		{ 999, 30, 300 },   /* pays 699.3 -> 699 */
		{ 1, 30, 1 },       /* pays 0.7 -> 0 */
		{ 101, 1, 2 },      /* pays 99.99 -> 99 */
		{ 10001, 99, 9901 },/* pays 100.01 -> 100 */
		{ 3333, 50, 1667 }, /* pays 1666.5 -> 1666 */
		{ 100, 15, 15 },    /* exact */
	};
	struct pc_rule r;
	size_t i;

	(void)state;
	memset(&r, 0, sizeof r);
	r.type = PC_TYPE_DISCOUNT;
	for (i = 0; i < sizeof t / sizeof t[0]; i++) {
		r.percent_off = t[i].p;
		assert_int_equal(pc_rule_discount(&r, t[i].e), t[i].d);
	}
	r.percent_off = 0;       /* out of range: nothing */
	assert_int_equal(pc_rule_discount(&r, 1000), 0);
	r.percent_off = 100;
	assert_int_equal(pc_rule_discount(&r, 1000), 0);
}

static void
single_normal_and_discount_price_the_item_not_the_order(void **state)
{
	struct fx f;

	(void)state;
	setup_fx(&f, PC_SCOPE_SINGLE, PC_TYPE_DISCOUNT, PC_USAGE_SINGLE);
	f.b.item_price_fen = 2999;
	assert_int_equal(price(&f), REASON_NONE);
	assert_int_equal(f.v.eligible_fen, 2999);
	assert_int_equal(f.v.discount_fen, 900);  /* pays 2099.3 -> 2099 */
	setup_fx(&f, PC_SCOPE_SINGLE, PC_TYPE_NORMAL, PC_USAGE_SINGLE);
	f.b.item_price_fen = 500;                  /* ¥8 off a ¥5 item */
	assert_int_equal(price(&f), REASON_NONE);
	assert_int_equal(f.v.discount_fen, 500);
	assert_int_equal(f.v.due_fen, 9500);
}

static void
single_exchange_sells_the_item_at_its_price(void **state)
{
	struct fx f;

	(void)state;
	setup_fx(&f, PC_SCOPE_SINGLE, PC_TYPE_EXCHANGE, PC_USAGE_SINGLE);
	f.b.item_price_fen = 2500;
	assert_int_equal(price(&f), REASON_NONE);
	assert_int_equal(f.v.discount_fen, 1500); /* ¥25 item for ¥10 */
	f.b.item_price_fen = 1000;
	assert_int_equal(price(&f), REASON_NO_BENEFIT);
	assert_int_equal(f.v.discount_fen, 0);
	assert_int_equal(f.v.due_fen, 10000);
}

static void
a_single_item_price_defaults_to_the_products_original_price(void **state)
{
	struct fx f;

	(void)state;
	setup_fx(&f, PC_SCOPE_SINGLE, PC_TYPE_EXCHANGE, PC_USAGE_SINGLE);
	assert_int_equal(price(&f), REASON_NEEDS_ITEM_PRICE);
	f.p.original_price_fen = 1800;
	assert_int_equal(price(&f), REASON_NONE);
	assert_int_equal(f.v.discount_fen, 800);
	f.b.item_price_fen = 20000;               /* over the basket */
	assert_int_equal(price(&f), REASON_ITEM_PRICE_OVER_BASKET);
	assert_int_equal(f.v.need_fen, 20000);
}

static void
exchange_on_the_whole_order_is_refused(void **state)
{
	struct fx f;

	(void)state;
	setup_fx(&f, PC_SCOPE_ALL, PC_TYPE_EXCHANGE, PC_USAGE_SINGLE);
	assert_int_equal(price(&f), REASON_PC_UNSUPPORTED);
	setup_fx(&f, PC_SCOPE_UNKNOWN, PC_TYPE_NORMAL, PC_USAGE_SINGLE);
	assert_int_equal(price(&f), REASON_PC_UNSUPPORTED); /* CATEGORY */
}

static void
bundle_rounds_price_from_their_own_stock(void **state)
{
	static const enum pc_scope sc[] = { PC_SCOPE_ALL, PC_SCOPE_ALL,
	    PC_SCOPE_SINGLE, PC_SCOPE_SINGLE, PC_SCOPE_SINGLE };
	static const enum pc_type ty[] = { PC_TYPE_DISCOUNT, PC_TYPE_NORMAL,
	    PC_TYPE_DISCOUNT, PC_TYPE_NORMAL, PC_TYPE_EXCHANGE };
	static const int64_t want[] = { 3000, 800, 1200, 800, 3000 };
	struct fx f;
	size_t i;

	(void)state;
	for (i = 0; i < 5; i++) {
		setup_fx(&f, sc[i], ty[i], PC_USAGE_BUNDLE);
		f.b.item_price_fen = 4000;
		f.c.bundle_index = 1;
		assert_int_equal(price(&f), REASON_NONE);
		assert_int_equal(f.v.discount_fen, want[i]);
		assert_int_equal(f.v.rule.type, ty[i]);
	}
}

/* ---- thresholds, the 1 fen, bad amounts ---------------------------------- */

static void
a_threshold_is_met_at_exactly_its_amount(void **state)
{
	struct fx f;

	(void)state;
	setup_fx(&f, PC_SCOPE_ALL, PC_TYPE_NORMAL, PC_USAGE_SINGLE);
	f.p.single.threshold_fen = 10001;
	assert_int_equal(price(&f), REASON_BELOW_MINIMUM);
	assert_int_equal(f.v.need_fen, 10001);
	assert_int_equal(f.v.have_fen, 10000);
	assert_int_equal(f.v.discount_fen, 0);
	f.p.single.threshold_fen = 10000;
	assert_int_equal(price(&f), REASON_NONE);
}

static void
a_single_threshold_is_checked_against_the_item(void **state)
{
	struct fx f;

	(void)state;
	setup_fx(&f, PC_SCOPE_SINGLE, PC_TYPE_NORMAL, PC_USAGE_SINGLE);
	f.k.rule.threshold_fen = 3000;
	f.b.item_price_fen = 2999;
	assert_int_equal(price(&f), REASON_BELOW_MINIMUM);
}

static void
one_fen_always_stays_for_wechat_pay(void **state)
{
	struct fx f;

	(void)state;
	setup_fx(&f, PC_SCOPE_ALL, PC_TYPE_NORMAL, PC_USAGE_SINGLE);
	f.b.amount_fen = f.b.remaining_fen = 800;
	assert_int_equal(price(&f), REASON_NONE);
	assert_int_equal(f.v.discount_fen, 799);
	assert_int_equal(f.v.due_fen, 1);
	f.b.amount_fen = f.b.remaining_fen = 1;
	assert_int_equal(price(&f), REASON_PC_COVERS_ALL);
	assert_int_equal(f.v.due_fen, 1);
}

static void
bad_amounts_are_refused(void **state)
{
	struct fx f;

	(void)state;
	setup_fx(&f, PC_SCOPE_ALL, PC_TYPE_NORMAL, PC_USAGE_SINGLE);
	f.b.amount_fen = -1;
	assert_int_equal(price(&f), REASON_BAD_AMOUNT);
	f.b.amount_fen = 100;
	f.b.remaining_fen = 200;
	assert_int_equal(price(&f), REASON_BAD_AMOUNT);
}

/* ---- states, definitions, brand, store ----------------------------------- */

static void
each_coupon_state_has_its_reason(void **state)
{
	static const struct { enum pc_state s; enum reason r; } t[] = {
		{ PC_ST_CONFIRMING, REASON_PC_CONFIRMING },
		{ PC_ST_PENDING, REASON_PC_PENDING },
		{ PC_ST_USED, REASON_ALREADY_USED },
		{ PC_ST_EXPIRED, REASON_EXPIRED },
		{ PC_ST_DELETED, REASON_PC_DELETED },
		{ PC_ST_DEACTIVATED, REASON_PC_DEACTIVATED },
		{ PC_ST_EFFECTIVE, REASON_NONE },
	};
	struct fx f;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof t / sizeof t[0]; i++) {
		setup_fx(&f, PC_SCOPE_ALL, PC_TYPE_NORMAL, PC_USAGE_SINGLE);
		f.c.state = t[i].s;
		assert_int_equal(price(&f), t[i].r);
		assert_int_equal(f.v.discount_fen, t[i].r ? 0 : 800);
	}
	f.c.state = PC_ST_PENDING;
	assert_int_equal(price(&f), REASON_PC_PENDING);
	assert_int_equal(f.v.r_t, f.c.valid_begin);
	assert_string_equal(pc_state_name(PC_ST_CONFIRMING), "CONFIRMING");
	assert_int_equal(pc_state_parse("DEACTIVATED"), PC_ST_DEACTIVATED);
	assert_int_equal(pc_state_parse("SENDED"), PC_ST_UNKNOWN);
	assert_string_equal(pc_state_words(PC_ST_USED, 1), "已核销");
	assert_string_equal(reason_id(REASON_PC_CONFIRMING), "pc_confirming");
	assert_int_equal(reason_parse("pc_store_scope"),
	    REASON_PC_STORE_SCOPE);
}

static void
a_stock_under_audit_or_deactivated_does_not_redeem(void **state)
{
	struct fx f;

	(void)state;
	setup_fx(&f, PC_SCOPE_ALL, PC_TYPE_NORMAL, PC_USAGE_SINGLE);
	f.k.state = PC_DEF_STOPPED;         /* stopped sending: still fine */
	assert_int_equal(price(&f), REASON_NONE);
	f.k.state = PC_DEF_DEACTIVATED;
	assert_int_equal(price(&f), REASON_STOCK_NOT_RUNNING);
	f.k.state = PC_DEF_SENDING;
	f.p.state = PC_DEF_AUDITING;
	assert_int_equal(price(&f), REASON_STOCK_NOT_RUNNING);
	assert_int_equal(pc_price(&f.c, NULL, &f.k, NULL, 0, &f.env, &f.b,
	    &f.v), REASON_NO_DEFINITION);
}

static void
another_brands_coupon_is_refused(void **state)
{
	struct fx f;

	(void)state;
	setup_fx(&f, PC_SCOPE_ALL, PC_TYPE_NORMAL, PC_USAGE_SINGLE);
	f.env.brands = "120345, 1203440";
	assert_int_equal(price(&f), REASON_PC_WRONG_BRAND);
	f.env.brands = "999,120344";
	assert_int_equal(price(&f), REASON_NONE);
}

static void
store_scope_specific_needs_this_store_in_its_list(void **state)
{
	struct fx f;

	(void)state;
	setup_fx(&f, PC_SCOPE_ALL, PC_TYPE_NORMAL, PC_USAGE_SINGLE);
	f.k.store_scope = PC_STORES_SPECIFIC;
	assert_int_equal(price(&f), REASON_PC_STORE_SCOPE);  /* no id */
	f.env.store_id = "STORE_9";
	assert_int_equal(price(&f), REASON_NONE);  /* list unknown */
	f.k.nstores = 1;
	snprintf(f.k.stores[0], sizeof f.k.stores[0], "STORE_1");
	assert_int_equal(price(&f), REASON_PC_STORE_SCOPE);
	f.env.store_id = "STORE_1";
	assert_int_equal(price(&f), REASON_NONE);
	f.k.store_scope = PC_STORES_ALL;
	f.env.store_id = "";
	assert_int_equal(price(&f), REASON_NONE);
}

static void
a_mini_program_only_coupon_is_not_for_the_till(void **state)
{
	struct fx f;

	(void)state;
	setup_fx(&f, PC_SCOPE_ALL, PC_TYPE_NORMAL, PC_USAGE_SINGLE);
	f.k.methods = PC_METHOD_MINI_PROGRAM;
	assert_int_equal(price(&f), REASON_PC_UNSUPPORTED);
	f.k.methods |= PC_METHOD_PAYMENT_CODE;
	assert_int_equal(price(&f), REASON_NONE);
}

/* ---- validity ------------------------------------------------------------ */

static void
the_absolute_window_and_the_coupons_own_dates_both_hold(void **state)
{
	struct fx f;

	(void)state;
	setup_fx(&f, PC_SCOPE_ALL, PC_TYPE_NORMAL, PC_USAGE_SINGLE);
	f.env.now = T("2027-01-01T00:00:00+08:00");
	assert_int_equal(price(&f), REASON_EXPIRED);
	f.env.now = T("2026-12-31T23:59:59+08:00");    /* inclusive */
	assert_int_equal(price(&f), REASON_NONE);
	/* the user coupon's own (relative) window narrows the stock's */
	f.c.valid_begin = T("2026-03-05T00:00:00+08:00");
	f.c.valid_end = T("2026-04-03T23:59:59+08:00");
	f.env.now = T("2026-03-04T23:59:59+08:00");
	assert_int_equal(price(&f), REASON_NOT_YET_VALID);
	assert_int_equal(f.v.r_t, f.c.valid_begin);
	f.env.now = T("2026-04-04T00:00:00+08:00");
	assert_int_equal(price(&f), REASON_EXPIRED);
	assert_int_equal(f.v.r_t, f.c.valid_end);
}

static void
weekly_periods_are_local_days_and_seconds(void **state)
{
	struct fx f;

	(void)state;
	setup_fx(&f, PC_SCOPE_ALL, PC_TYPE_NORMAL, PC_USAGE_SINGLE);
	f.k.nweekly = 1;
	f.k.weekly[0].wmask = 1u << 3;        /* Wednesday */
	f.k.weekly[0].begin = 60;
	f.k.weekly[0].end = 43199;            /* 00:01:00 .. 11:59:59 */
	/* Wednesday 12:00 Shanghai = 04:00 UTC, still Wednesday in UTC */
	assert_int_equal(price(&f), REASON_OUTSIDE_WEEKLY_WINDOW);
	assert_int_equal(f.v.r_t, T("2026-03-11T00:01:00+08:00"));
	f.env.now = T("2026-03-04T11:59:59+08:00");
	assert_int_equal(price(&f), REASON_NONE);
	f.env.now = T("2026-03-04T00:00:59+08:00");
	assert_int_equal(price(&f), REASON_OUTSIDE_WEEKLY_WINDOW);
	/* Wednesday 00:30 in Shanghai is Tuesday 16:30 UTC: local wins */
	f.env.now = T("2026-03-04T00:30:00+08:00");
	assert_int_equal(price(&f), REASON_NONE);
}

static void
irregular_periods_limit_the_days(void **state)
{
	struct fx f;

	(void)state;
	setup_fx(&f, PC_SCOPE_ALL, PC_TYPE_NORMAL, PC_USAGE_SINGLE);
	f.k.nirregular = 2;
	f.k.irregular[0].begin = T("2026-03-01T00:00:00+08:00");
	f.k.irregular[0].end = T("2026-03-01T23:59:59+08:00");
	f.k.irregular[1].begin = T("2026-03-08T00:00:00+08:00");
	f.k.irregular[1].end = T("2026-03-08T23:59:59+08:00");
	assert_int_equal(price(&f), REASON_OUTSIDE_PERIODS);
	assert_int_equal(f.v.r_t, T("2026-03-08T00:00:00+08:00"));
	f.env.now = T("2026-03-08T23:59:59+08:00");
	assert_int_equal(price(&f), REASON_NONE);
}

/* ---- bundles ------------------------------------------------------------- */

static void
a_bundle_round_waits_for_the_earlier_ones(void **state)
{
	struct pc_coupon r[3];
	struct fx f;
	int i;

	(void)state;
	setup_fx(&f, PC_SCOPE_ALL, PC_TYPE_NORMAL, PC_USAGE_BUNDLE);
	memset(r, 0, sizeof r);
	for (i = 0; i < 3; i++) {
		r[i].bundle_index = i;
		r[i].state = PC_ST_EFFECTIVE;
	}
	f.c.bundle_index = 1;
	assert_int_equal(pc_price(&f.c, &f.p, &f.k, r, 3, &f.env, &f.b,
	    &f.v), REASON_PC_BUNDLE_ROUND);
	r[0].state = PC_ST_USED;
	assert_int_equal(pc_price(&f.c, &f.p, &f.k, r, 3, &f.env, &f.b,
	    &f.v), REASON_NONE);
}

static void
only_the_latest_used_round_may_be_returned(void **state)
{
	struct pc_coupon r[3];
	int i;

	(void)state;
	memset(r, 0, sizeof r);
	for (i = 0; i < 3; i++) {
		r[i].bundle_index = i;
		r[i].state = PC_ST_USED;
	}
	assert_int_equal(pc_return_check(&r[1], r, 3),
	    REASON_PC_BUNDLE_ROUND);
	assert_int_equal(pc_return_check(&r[2], r, 3), REASON_NONE);
	r[2].state = PC_ST_EFFECTIVE;
	assert_int_equal(pc_return_check(&r[1], r, 3), REASON_NONE);
	assert_int_equal(pc_return_check(&r[0], NULL, 0), REASON_NONE);
}

static void
wechat_words_parse_to_the_enums(void **state)
{
	(void)state;
	assert_int_equal(pc_type_parse("EXCHANGE"), PC_TYPE_EXCHANGE);
	assert_int_equal(pc_type_parse("exchange"), PC_TYPE_UNKNOWN);
	assert_int_equal(pc_scope_parse("CATEGORY"), PC_SCOPE_UNKNOWN);
	assert_int_equal(pc_usage_parse("PROGRESSIVE_BUNDLE"),
	    PC_USAGE_BUNDLE);
	assert_int_equal(pc_store_scope_parse("SPECIFIC"), PC_STORES_SPECIFIC);
	assert_int_equal((int)pc_store_scope_parse("X"), -1);
	assert_int_equal(pc_def_state_parse("PAUSED"), PC_DEF_PAUSED);
	assert_string_equal(pc_type_name(PC_TYPE_DISCOUNT), "DISCOUNT");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(all_normal_takes_its_amount_off_the_order),
		cmocka_unit_test(
		    all_discount_takes_its_percentage_off_the_order),
		cmocka_unit_test(percentages_round_in_the_customers_favour),
		cmocka_unit_test(
		    single_normal_and_discount_price_the_item_not_the_order),
		cmocka_unit_test(single_exchange_sells_the_item_at_its_price),
		cmocka_unit_test(
		    a_single_item_price_defaults_to_the_products_original_price),
		cmocka_unit_test(exchange_on_the_whole_order_is_refused),
		cmocka_unit_test(bundle_rounds_price_from_their_own_stock),
		cmocka_unit_test(a_threshold_is_met_at_exactly_its_amount),
		cmocka_unit_test(
		    a_single_threshold_is_checked_against_the_item),
		cmocka_unit_test(one_fen_always_stays_for_wechat_pay),
		cmocka_unit_test(bad_amounts_are_refused),
		cmocka_unit_test(each_coupon_state_has_its_reason),
		cmocka_unit_test(
		    a_stock_under_audit_or_deactivated_does_not_redeem),
		cmocka_unit_test(another_brands_coupon_is_refused),
		cmocka_unit_test(
		    store_scope_specific_needs_this_store_in_its_list),
		cmocka_unit_test(a_mini_program_only_coupon_is_not_for_the_till),
		cmocka_unit_test(
		    the_absolute_window_and_the_coupons_own_dates_both_hold),
		cmocka_unit_test(weekly_periods_are_local_days_and_seconds),
		cmocka_unit_test(irregular_periods_limit_the_days),
		cmocka_unit_test(a_bundle_round_waits_for_the_earlier_ones),
		cmocka_unit_test(only_the_latest_used_round_may_be_returned),
		cmocka_unit_test(wechat_words_parse_to_the_enums),
	};

	return cmocka_run_group_tests(tests, zone, NULL);
}
