/*
 * rules.h — coupon rules and pricing. Parses a merchant-coupon stock (the
 * exact JSON of GET /v3/marketing/busifavor/stocks/{stock_id}) or a card
 * (the `card` object of /card/get) ONCE into a plain struct rules_def, then
 * prices coupons with pure functions on integer fen: no JSON, no I/O, no
 * allocation on the scan -> verdict path.
 *
 * Rounding (app/core/RULES.md): percentage coupons round in the customer's
 * favour: payable = floor(base * pay_percent / 100), discount = base -
 * payable. The customer never pays more than the advertised percentage;
 * the merchant gives away less than 1 fen beyond the exact percentage.
 *
 * Times are UTC epoch seconds; weekdays and seconds-of-day are taken in the
 * store's zone through util/tm.h (tm_local_day), so tm_set_zone() must have
 * run. Intervals are inclusive of both ends (an end of 23:59:59 covers that
 * whole second), matching how WeChat writes them.
 *
 * struct rules_def holds no pointers: copy it, cache it, memcpy it. All
 * functions are reentrant and may run on any thread.
 */
#ifndef QUAN_RULES_H
#define QUAN_RULES_H

#include <stddef.h>
#include <stdint.h>

struct json_t; /* jansson; rules.h does not require <jansson.h> */

#define RULES_ID_MAX 64       /* stock_id (<= 20) / card_id (<= 32), bytes */
#define RULES_NAME_MAX 96     /* stock_name / goods_name / title, bytes */
#define RULES_DETAIL_MAX 256  /* free text (gift, deal_detail, ...) bytes */
#define RULES_MAX_WINDOWS 16  /* weekly windows */
#define RULES_MAX_PERIODS 64  /* irregulary_avaliable_time entries */
#define RULES_MAX_COUPONS 32  /* coupons in one basket */

enum rules_family {
	RULES_MERCHANT = 1,     /* 商家券 (busifavor stock) */
	RULES_CARD = 2          /* 卡券 (card) */
};

enum rules_type {
	RULES_T_NORMAL = 1,     /* merchant: discount_amount off */
	RULES_T_DISCOUNT,       /* merchant: pay discount_percent % */
	RULES_T_EXCHANGE,       /* merchant: one item at exchange_price */
	RULES_T_CASH,           /* card: reduce_cost off (least_cost) */
	RULES_T_CARD_DISCOUNT,  /* card: `discount` % OFF (30 -> pay 70 %) */
	RULES_T_GIFT,           /* card: free item, text in detail */
	RULES_T_GROUPON,        /* card: deal, text in detail */
	RULES_T_GENERAL         /* card: GENERAL_COUPON, text in detail */
};

/* How validity is given. */
enum rules_date {
	RULES_DATE_RANGE = 0,   /* begin_at..end_at only */
	RULES_DATE_RELATIVE,    /* plus days relative to receipt (merchant
	                         * available_day_after_receive/wait_days, card
	                         * DATE_TYPE_FIX_TERM) */
	RULES_DATE_PERMANENT    /* card DATE_TYPE_PERMANENT: no dates */
};

/* One weekly window: on the weekdays in wmask (bit d = weekday d,
 * 0 = Sunday), from begin to end seconds of the local day, inclusive. */
struct rules_window {
	uint8_t wmask;
	int32_t begin;          /* 0..86399 */
	int32_t end;            /* begin..86399 */
};

struct rules_period {
	int64_t begin;          /* epoch, inclusive */
	int64_t end;            /* epoch, inclusive */
};

/* A parsed stock or card. Filled by the parsers; the caller may then set
 * per_txn from configuration. */
struct rules_def {
	enum rules_family family;
	enum rules_type type;
	char id[RULES_ID_MAX + 1];         /* stock_id / card_id */
	char name[RULES_NAME_MAX + 1];     /* stock_name / title (UTF-8, may be
	                                    * cut at a character boundary) */
	char goods[RULES_NAME_MAX + 1];    /* goods_name / sub_title or "" */
	char detail[RULES_DETAIL_MAX + 1]; /* GIFT gift, GROUPON deal_detail,
	                                    * GENERAL default_detail; else
	                                    * "" (cut at a char boundary) */
	char state[32];                    /* stock_state / base_info.status
	                                    * as sent ("" when absent) */
	int usable;                        /* 1: RUNNING, or card status
	                                    * CARD_STATUS_VERIFY_OK/DISPATCH.
	                                    * Absent state: 0 (conservative) */
	int stackable;                     /* 0: card whose advanced_info.
	                                    * use_condition says
	                                    * can_use_with_other_discount
	                                    * false */
	int per_txn;                       /* max of this stock/card per basket;
	                                    * parsers set 1 */

	/* Amounts, fen. */
	int64_t minimum_fen;               /* transaction_minimum / least_cost
	                                    * (0 = none) */
	int64_t amount_fen;                /* NORMAL discount_amount, CASH
	                                    * reduce_cost, EXCHANGE
	                                    * exchange_price; else 0 */
	int32_t pay_percent;               /* DISCOUNT / CARD_DISCOUNT: percent
	                                    * the customer pays, 1..99 (card
	                                    * discount 30 -> 70); else 100 */

	/* Validity. */
	enum rules_date date;
	int64_t begin_at;                  /* available_begin_time /
	                                    * begin_timestamp; 0 = none */
	int64_t end_at;                    /* available_end_time /
	                                    * end_timestamp; 0 = none */
	int32_t valid_days;                /* available_day_after_receive /
	                                    * fixed_term; 0 = none */
	int32_t wait_days;                 /* wait_days_after_receive /
	                                    * fixed_begin_term; 0 = none */
	int n_windows;                     /* 0 = any time of any day */
	struct rules_window windows[RULES_MAX_WINDOWS];
	int n_periods;                     /* 0 = no irregular periods */
	struct rules_period periods[RULES_MAX_PERIODS];
};

/* A coupon instance as the cache knows it. Zero-initialise, then fill
 * what is known. */
enum rules_cstate {
	RULES_CS_UNKNOWN = 0,   /* not known to the cache: not checked here
	                         * (offline policy decides) */
	RULES_CS_AVAILABLE,     /* SENDED / NORMAL */
	RULES_CS_USED,          /* USED / CONSUMED */
	RULES_CS_EXPIRED,       /* EXPIRED / EXPIRE */
	RULES_CS_GONE,          /* DELETED / DELETE / DEACTIVATED /
	                         * UNAVAILABLE */
	RULES_CS_OTHER          /* anything else (GIFTING, REDEEM_*, ...) */
};

struct rules_coupon {
	const char *code;       /* borrowed; for duplicate detection; may be
	                         * NULL */
	enum rules_cstate state;
	int64_t received_at;    /* receipt time (epoch); 0 = unknown */
	int64_t start_at;       /* per-user validity from §5.6
	                         * available_start_time / code/get begin_time;
	                         * 0 = unknown (then computed) */
	int64_t expire_at;      /* §5.6 expire_time / code/get end_time;
	                         * 0 = unknown */
};

/* Machine-readable rejection reasons. The id strings (in quotes) are
 * stable: stored, logged, sent as JSON, and mapped to cashier sentences by
 * the UI. */
enum rules_reason {
	RULES_OK = 0,                 /* "ok" */
	RULES_R_BELOW_MINIMUM,        /* "below_minimum": need_fen, have_fen */
	RULES_R_NOT_YET_VALID,        /* "not_yet_valid": valid_from, next_at */
	RULES_R_EXPIRED,              /* "expired": valid_until */
	RULES_R_OUTSIDE_WEEKLY_WINDOW,/* "outside_weekly_window": next_at,
	                               * window_begin/window_end */
	RULES_R_OUTSIDE_PERIODS,      /* "outside_periods": next_at */
	RULES_R_STOCK_NOT_RUNNING,    /* "stock_not_running": def->state */
	RULES_R_CARD_NOT_USABLE,      /* "card_not_usable": def->state */
	RULES_R_ALREADY_USED,         /* "already_used" */
	RULES_R_COUPON_UNAVAILABLE,   /* "coupon_unavailable": deleted,
	                               * deactivated, gifting, unknown state */
	RULES_R_PER_TXN_LIMIT,        /* "per_txn_limit": limit */
	RULES_R_DUPLICATE,            /* "duplicate_code": same code twice */
	RULES_R_NOT_STACKABLE,        /* "not_stackable": card forbids other
	                               * discounts, or one already forbids */
	RULES_R_NEEDS_ITEM_PRICE,     /* "needs_item_price": EXCHANGE without
	                               * an entered item price */
	RULES_R_ITEM_PRICE_OVER_BASKET,/* "item_price_over_basket": need_fen =
	                               * item price, have_fen = amount */
	RULES_R_NO_BENEFIT,           /* "no_benefit": nothing left to take
	                               * off (remaining 0, or item price <=
	                               * exchange_price) */
	RULES_R_RECEIVE_TIME_UNKNOWN, /* "receive_time_unknown": validity is
	                               * relative to an unknown receipt time */
	RULES_R_BAD_AMOUNT,           /* "bad_amount": amount < 0 or over
	                               * MONEY_MAX_FEN, or too many coupons */
	RULES_R__COUNT
};

/* Input for one coupon. */
struct rules_basket {
	int64_t amount_fen;     /* ORIGINAL order amount: thresholds */
	int64_t remaining_fen;  /* what is still to pay before this coupon:
	                         * the discount applies to this (single
	                         * coupon: = amount_fen) */
	int64_t item_price_fen; /* EXCHANGE: price of the item (required);
	                         * GIFT/GROUPON/GENERAL: value the cashier
	                         * assigns (optional); -1 = not entered */
};

/* The verdict for one coupon. Figures are set only where the reason
 * needs them; others are 0 (times) or -1 (seconds-of-day). */
struct rules_verdict {
	enum rules_reason reason;  /* RULES_OK = usable */
	int needs_confirm;         /* GIFT/GROUPON/GENERAL: cashier must
	                            * confirm (show def->detail) */
	int64_t discount_fen;      /* taken off by this coupon (0 if
	                            * rejected) */
	int64_t due_fen;           /* remaining_fen - discount_fen (>= 0);
	                            * remaining_fen when rejected */
	int64_t need_fen;          /* below_minimum: threshold;
	                            * item_price_over_basket: item price */
	int64_t have_fen;          /* below_minimum / item_price_over_basket:
	                            * the original amount */
	int64_t valid_from;        /* effective start for this coupon, 0 none */
	int64_t valid_until;       /* effective end for this coupon, 0 none */
	int64_t next_at;           /* time rejections: earliest moment (> now)
	                            * at which validity, periods and weekly
	                            * windows all hold (searched 8 days into
	                            * each period / the validity);
	                            * 0 = never */
	int32_t window_begin;      /* outside_weekly_window: the window next_at
	                            * falls in (seconds of day), else -1 */
	int32_t window_end;
	int32_t limit;             /* per_txn_limit: the configured limit */
};

/* Parse a stock object (GET /v3/marketing/busifavor/stocks/{id} body).
 * Unknown keys are ignored; the keys the rules need are checked for type
 * and range: QUAN_EINVAL with *cause naming the key (caller frees; cause
 * may be NULL) on a missing/mistyped/out-of-range field, e.g. a
 * negative or over-MONEY_MAX_FEN amount, discount_percent outside 1..99,
 * week_day outside 0..6, day time outside 0..86399 or crossed, a bad
 * RFC 3339 time, more than RULES_MAX_WINDOWS/PERIODS entries, a stock_type
 * not matching its sub-object. QUAN_ETOOBIG when len > 1 MiB. Never
 * aborts on hostile input. week_day may be integers or digit strings
 * (§8.3); "irregulary_avaliable_time" is read by its misspelled name. */
int rules_parse_stock(const char *json, size_t len, struct rules_def *out,
    char **cause);
int rules_stock_from_json(const struct json_t *obj, struct rules_def *out,
    char **cause);

/* Parse a card object: {"card_type":"CASH","cash":{"base_info":{...},
 * "least_cost":..,"reduce_cost":..}}; a whole /card/get reply
 * ({"errcode":0,"card":{...}}) is accepted too. Types CASH, DISCOUNT,
 * GIFT, GROUPON, GENERAL_COUPON; others (MEMBER_CARD, tickets) are
 * QUAN_ENOTSUP. date_info types DATE_TYPE_FIX_TIME_RANGE,
 * DATE_TYPE_FIX_TERM, DATE_TYPE_PERMANENT. advanced_info.use_condition
 * (least_cost, can_use_with_other_discount) and advanced_info.time_limit
 * (MONDAY..SUNDAY with begin/end hour/minute) are honoured. Errors as for
 * rules_parse_stock. */
int rules_parse_card(const char *json, size_t len, struct rules_def *out,
    char **cause);
int rules_card_from_json(const struct json_t *obj, struct rules_def *out,
    char **cause);

/* Price one coupon at `now` against basket b. Checks, in this order:
 * bad amount, coupon state, stock/card state, validity (absolute, then
 * relative to receipt, then irregular periods, then weekly windows),
 * minimum (against b->amount_fen), item price, benefit. Returns the
 * reason (RULES_OK when usable) and fills *v. Does not check per_txn,
 * duplicates or stacking (rules_price_basket does). */
enum rules_reason rules_price(const struct rules_def *def,
    const struct rules_coupon *cp, int64_t now, const struct rules_basket *b,
    struct rules_verdict *v);

/* Time checks only (state, validity, periods, windows): the part of
 * rules_price that does not depend on the basket. */
enum rules_reason rules_check_time(const struct rules_def *def,
    const struct rules_coupon *cp, int64_t now, struct rules_verdict *v);

/* One coupon in a basket, in the order the cashier added them. */
struct rules_item {
	const struct rules_def *def;     /* borrowed */
	const struct rules_coupon *cp;   /* borrowed */
	int64_t item_price_fen;          /* as rules_basket; -1 none */
};

/* Price n coupons (n <= RULES_MAX_COUPONS) against one order amount:
 * at most def->per_txn coupons per stock/card (counted over accepted
 * ones), no code twice, thresholds against the ORIGINAL amount, each
 * discount applied to what remains in the given order, due never below 0;
 * a non-stackable card is refused if another coupon was accepted before
 * it, and refuses every later one. Rejected coupons change nothing.
 * Fills v[0..n-1], *discount_fen (sum) and *due_fen. Returns 0, or
 * QUAN_EINVAL (amount < 0 or > MONEY_MAX_FEN, n too big, NULL def: every
 * v[i] then says bad_amount). */
int rules_price_basket(int64_t amount_fen, const struct rules_item *items,
    size_t n, int64_t now, struct rules_verdict *v, int64_t *discount_fen,
    int64_t *due_fen);

/* Stable ids. rules_reason_id never returns NULL ("invalid" for values
 * out of range); rules_reason_from_id returns -1 for an unknown id. */
const char *rules_reason_id(enum rules_reason r);
int rules_reason_from_id(const char *id);
/* "NORMAL", "DISCOUNT", "EXCHANGE" (merchant) or "CASH", "DISCOUNT",
 * "GIFT", "GROUPON", "GENERAL_COUPON" (card). */
const char *rules_type_id(enum rules_type t);
/* SENDED/NORMAL, USED/CONSUMED, EXPIRED/EXPIRE, DELETED/DELETE/
 * DEACTIVATED/UNAVAILABLE -> state; NULL/"" -> UNKNOWN; else OTHER. */
enum rules_cstate rules_cstate_parse(const char *s);

#endif
