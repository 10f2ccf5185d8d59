/*
 * pcoupon.h — 商品券 (WeChat Pay product coupons) as the till keeps them:
 * plain C types (fixed arrays, no pointers: copy them, memcpy them, send
 * them across threads) for the three things a till needs (reference:
 * /work/shared/docs/wechatpay-product-coupon.md §10):
 *
 *   struct pc_coupon   one user coupon (用户商品券): who holds it, which
 *                      product coupon and stock it belongs to, its state
 *                      and validity; filled from PRODUCT_COUPON(_SP).SEND
 *                      notifications, imports and queries (the registry,
 *                      store/store_pcoupon.h);
 *   struct pc_product  a product coupon definition (商品券, §4.0.1);
 *   struct pc_stock    a stock definition (批次, §4.0.2), with the pricing
 *                      rule of its round and its validity rules (§1.5).
 *
 * Money is integer fen; times are UTC epoch seconds (0 = none); weekly
 * periods are seconds of the local day in the store's zone (config
 * [terminal] timezone). The words (state names, reasons) are in the one
 * table of core/coupon.h; this header only names the enums.
 *
 * Pricing (pcoupon_rules.h) takes one product, one stock and the basket;
 * the stock's own rule wins when it has one (SINGLE scope, and every round
 * of a bundle), else the product's single_usage_info (ALL scope, §1.4).
 */
#ifndef QUAN_PCOUPON_H
#define QUAN_PCOUPON_H

#include <stdint.h>

#define PC_CODE_MAX 40        /* coupon_code, string(40) */
#define PC_ID_MAX 32          /* product_coupon_id, stock_id, brand_id,
                                 appid, bundle ids, store_id */
#define PC_OPENID_MAX 128
#define PC_REQNO_MAX 40       /* out_request_no, 6-40 of [0-9A-Za-z_-] */
#define PC_NAME_MAX 96        /* display_info.name (UTF-8 bytes) */
#define PC_TRADE_MAX 32       /* out_trade_no */
#define PC_TXID_MAX 32        /* transaction_id (28 digits) */
#define PC_WEEKLY_MAX 8       /* day_period_list entries kept */
#define PC_IRREGULAR_MAX 2    /* irregular_available_period_list (<= 2) */
#define PC_STORES_MAX 16      /* SPECIFIC store scope: associated stores */
#define PC_BUNDLE_MAX 15      /* rounds of a PROGRESSIVE_BUNDLE (3-15) */

/* A user coupon's state at WeChat (§4.0 coupon_state / §5.1); the names
 * are WeChat's ("CONFIRMING" ...), words in core/coupon.h (pc_state_*). */
enum pc_state {
	PC_ST_UNKNOWN = 0,   /* not known (a row imported without a state) */
	PC_ST_CONFIRMING,    /* 待确认: sent, 确认发放 not done yet */
	PC_ST_PENDING,       /* 已发放待生效: confirmed, before valid_begin */
	PC_ST_EFFECTIVE,     /* 已生效: usable */
	PC_ST_USED,          /* 已核销 */
	PC_ST_EXPIRED,       /* 已过期 */
	PC_ST_DELETED,       /* 已删除 (the user, in 卡包) */
	PC_ST_DEACTIVATED,   /* 已失效 (the brand) */
	PC_ST_COUNT
};

/* product_coupon.scope. CATEGORY (announced 2026-07, unconfirmed) and
 * anything else parse to PC_SCOPE_UNKNOWN: refused, never priced. */
enum pc_scope { PC_SCOPE_UNKNOWN = 0, PC_SCOPE_ALL, PC_SCOPE_SINGLE };
/* product_coupon.type: 满减, 折扣, 兑换 (SINGLE scope only). */
enum pc_type {
	PC_TYPE_UNKNOWN = 0,
	PC_TYPE_NORMAL,      /* discount_amount off when >= threshold */
	PC_TYPE_DISCOUNT,    /* percent_off % off (30 = pay 70 %) */
	PC_TYPE_EXCHANGE     /* the item at exchange_price */
};
/* product_coupon.usage_mode: once, or 3-15 rounds one after the other. */
enum pc_usage { PC_USAGE_UNKNOWN = 0, PC_USAGE_SINGLE, PC_USAGE_BUNDLE };
/* stock.store_scope. */
enum pc_store_scope {
	PC_STORES_NONE = 0,  /* 不限 */
	PC_STORES_ALL,       /* 全部门店 */
	PC_STORES_SPECIFIC   /* only the associated stores (stores[]) */
};
/* Definition states: product AUDITING|EFFECTIVE|DEACTIVATED, stock
 * AUDITING|SENDING|PAUSED|STOPPED|DEACTIVATED. A stock that stopped
 * sending still redeems what it sent; AUDITING and DEACTIVATED do not. */
enum pc_def_state {
	PC_DEF_UNKNOWN = 0,
	PC_DEF_AUDITING,
	PC_DEF_EFFECTIVE,    /* product */
	PC_DEF_SENDING,      /* stock */
	PC_DEF_PAUSED,
	PC_DEF_STOPPED,
	PC_DEF_DEACTIVATED
};
/* usage_rule_display_info.coupon_usage_method_list, as bits. */
#define PC_METHOD_OFFLINE 0x1
#define PC_METHOD_MINI_PROGRAM 0x2
#define PC_METHOD_APP 0x4
#define PC_METHOD_PAYMENT_CODE 0x8

/* Where a registry row came from. */
enum pc_source {
	PC_SRC_NOTIFY = 0,   /* PRODUCT_COUPON(_SP).SEND callback */
	PC_SRC_IMPORT,       /* quan import product FILE */
	PC_SRC_QUERY,        /* a query answer (GET users/{openid}/coupons/…) */
	PC_SRC_HUB           /* the store hub */
};

/* One user coupon (the registry's row). The key is (code, stock_id):
 * merchant-defined codes are unique per stock only (§5.3). */
struct pc_coupon {
	char code[PC_CODE_MAX + 1];
	char stock_id[PC_ID_MAX + 1];
	char product_coupon_id[PC_ID_MAX + 1];
	char brand_id[PC_ID_MAX + 1];
	char appid[PC_ID_MAX + 1];
	char openid[PC_OPENID_MAX + 1];
	enum pc_state state;
	int64_t valid_begin, valid_end;   /* epoch; 0 = not known */
	int64_t receive_time;
	/* bundles (PROGRESSIVE_BUNDLE): each round is its own code */
	char stock_bundle_id[PC_ID_MAX + 1];
	char user_coupon_bundle_id[PC_CODE_MAX + 1];
	int32_t bundle_index;             /* this code's round, 0-based */
	int32_t bundle_total;             /* rounds (0 single) */
	int32_t bundle_used;              /* rounds used when last told */
	/* 确认发放 (a coupon stays CONFIRMING until the brand confirms) */
	char send_request_no[PC_REQNO_MAX + 1];
	char confirm_request_no[PC_REQNO_MAX + 1];
	int64_t confirmed_at;             /* 0 = not confirmed by quan */
	enum pc_source source;
	char notify_id[64];               /* the SEND notification's id */
	int64_t updated_at;
};

/* A pricing rule: one of normal/discount/exchange (§1.4). */
struct pc_rule {
	enum pc_type type;
	int64_t threshold_fen;            /* 门槛; 0 = none */
	int64_t discount_amount_fen;      /* NORMAL */
	int32_t percent_off;              /* DISCOUNT, 1..99 */
	int64_t exchange_price_fen;       /* EXCHANGE */
};

/* A product coupon (商品券, §4.0.1). */
struct pc_product {
	char product_coupon_id[PC_ID_MAX + 1];
	char brand_id[PC_ID_MAX + 1];
	enum pc_scope scope;
	enum pc_type type;
	enum pc_usage usage;
	struct pc_rule single;            /* single_usage_info (ALL scope) */
	int32_t bundle_count;             /* progressive_bundle_usage_info */
	int32_t interval_days;            /* 0..7 between rounds */
	char name[PC_NAME_MAX + 1];       /* display_info.name */
	int64_t original_price_fen;       /* display_info.original_price */
	char out_product_no[PC_ID_MAX + 9]; /* the brand's product key: the
	                                     till's SKU for SINGLE scope */
	enum pc_def_state state;
	int64_t fetched_at;
};

/* A weekly period: on the weekdays in wmask (bit d = weekday d,
 * 0 = Sunday), from begin to end seconds of the local day, inclusive. */
struct pc_weekly {
	uint8_t wmask;
	int32_t begin, end;               /* 0..86399 */
};
struct pc_range {
	int64_t begin, end;               /* epoch, inclusive */
};

/* A stock (批次, §4.0.2): one round of a bundle, or a single stock. */
struct pc_stock {
	char stock_id[PC_ID_MAX + 1];
	char product_coupon_id[PC_ID_MAX + 1];
	char brand_id[PC_ID_MAX + 1];
	enum pc_def_state state;
	int has_rule;                     /* rule below is the stock's own */
	struct pc_rule rule;              /* single_usage_rule or the round's
	                                     progressive_bundle_usage_rule */
	char stock_bundle_id[PC_ID_MAX + 1];
	int32_t bundle_index;             /* stock_bundle_info, 0-based */
	/* coupon_available_period */
	int64_t begin, end;               /* absolute window (0 = open) */
	int32_t available_days;           /* relative: from the user coupon's
	                                     valid_* (folded in at send) */
	int32_t wait_days;
	int nweekly;                      /* 0 = any day, any time */
	struct pc_weekly weekly[PC_WEEKLY_MAX];
	int nirregular;                   /* 0 = none */
	struct pc_range irregular[PC_IRREGULAR_MAX];
	enum pc_store_scope store_scope;
	int nstores;
	char stores[PC_STORES_MAX][PC_ID_MAX + 1];
	uint32_t methods;                 /* PC_METHOD_* (0 = not told) */
	int64_t fetched_at;
};

#endif
