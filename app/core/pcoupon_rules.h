/*
 * pcoupon_rules.h — 商品券 rules and pricing: is this user coupon usable
 * here and now, and what is it worth on this basket. Pure functions on
 * the plain structs of core/pcoupon.h and integer fen: no I/O, no JSON.
 *
 * The verdict is an enum reason of core/coupon.h (the one table of words);
 * time checks (absolute window, the user coupon's own valid_begin/end,
 * irregular periods, weekly periods in the store's zone) are those of
 * core/rules.h, so a 商品券 and a 商家券 say "not today" the same way.
 *
 * Pricing (app/core/README.md "商品券 pricing"): E = the eligible amount
 * (ALL scope: the order amount; SINGLE scope: the item's price), usable
 * only when E >= threshold.
 *   NORMAL    discount = min(discount_amount, E)
 *   DISCOUNT  discount = E - floor(E * (100 - percent_off) / 100)
 *             (the customer's favour, like busifavor's: the customer never
 *             pays more than the advertised percentage)
 *   EXCHANGE  discount = item price - exchange_price (no benefit if <= 0)
 * then the discount is cut to what remains to pay minus 1 fen: a 商品券
 * must be tied to a WeChat Pay order, so at least 1 fen is charged (a
 * coupon that would leave nothing is refused: pc_covers_all).
 */
#ifndef QUAN_PCOUPON_RULES_H
#define QUAN_PCOUPON_RULES_H

#include <stdint.h>

#include "core/coupon.h"
#include "core/pcoupon.h"

/* Where and when the till prices. */
struct pc_env {
	int64_t now;            /* epoch s */
	const char *store_id;   /* [product_coupon] store_id ("" none) */
	const char *brands;     /* [product_coupon] brands, "a,b" ("" any) */
};

/* The basket as one coupon sees it. */
struct pc_basket {
	int64_t amount_fen;     /* the order's original amount (thresholds
	                           of ALL-scope coupons) */
	int64_t remaining_fen;  /* still to pay before this coupon */
	int64_t item_price_fen; /* SINGLE scope: the item's price as rung up;
	                           -1 = not entered (then the product's
	                           display_info.original_price, if any) */
};

struct pc_verdict {
	enum reason reason;     /* REASON_NONE = usable */
	struct pc_rule rule;    /* the rule that priced it (stock's or
	                           product's) */
	int64_t eligible_fen;   /* E */
	int64_t discount_fen;   /* 0 when refused */
	int64_t due_fen;        /* remaining - discount */
	int64_t need_fen, have_fen; /* below_minimum: threshold, E */
	int64_t r_t;            /* not_yet_valid / pc_pending: from; expired:
	                           until; outside_*: next usable moment */
	int64_t valid_from, valid_until;
};

/* The rule that prices coupon c: the stock's own when it has one (SINGLE
 * scope, bundle rounds), else the product's single_usage_info. NULL when
 * neither has one. */
const struct pc_rule *pc_rule_of(const struct pc_product *p,
    const struct pc_stock *k);

/* The coupon's state and the definitions, without the basket: state,
 * definition states, scope/type quan can price, brand, store scope,
 * usage methods, bundle order (earlier rounds used: `rounds` are the
 * bundle's rows, NULL/0 when not a bundle or not known), validity.
 * REASON_NONE when usable now. */
enum reason pc_check(const struct pc_coupon *c, const struct pc_product *p,
    const struct pc_stock *k, const struct pc_coupon *rounds, int nrounds,
    const struct pc_env *env, struct pc_verdict *v);

/* pc_check, then the price on basket b. */
enum reason pc_price(const struct pc_coupon *c, const struct pc_product *p,
    const struct pc_stock *k, const struct pc_coupon *rounds, int nrounds,
    const struct pc_env *env, const struct pc_basket *b,
    struct pc_verdict *v);

/* The discount of rule r on eligible amount e (no threshold, no cap):
 * the formulas above; 0 for an unknown type or e <= 0. */
int64_t pc_rule_discount(const struct pc_rule *r, int64_t e);

/* May the coupon of bundle round c be returned? Only the bundle's latest
 * used round may (WeChat §4.2): REASON_NONE, or REASON_PC_BUNDLE_ROUND
 * when a later round of `rounds` is used. */
enum reason pc_return_check(const struct pc_coupon *c,
    const struct pc_coupon *rounds, int nrounds);

/* "NORMAL", "DISCOUNT", "EXCHANGE" ("?" unknown); and the scope/usage
 * words (ALL, SINGLE; SINGLE, PROGRESSIVE_BUNDLE) WeChat uses. */
const char *pc_type_name(enum pc_type t);
enum pc_type pc_type_parse(const char *s);
enum pc_scope pc_scope_parse(const char *s);
enum pc_usage pc_usage_parse(const char *s);
enum pc_store_scope pc_store_scope_parse(const char *s);  /* -1 unknown */
enum pc_def_state pc_def_state_parse(const char *s);

#endif
