/*
 * coupon.h — a coupon's vocabulary in one place: its states (as the store
 * keeps them) and the table of why it was refused or decided so: every
 * reason the till itself gives (rules, classifier, checkout engine,
 * offline policy) as an enum, with its machine id (the text kept in the
 * store's reason column and in JSON), the view reason the screen shows it
 * under, and the cashier's words in English and Chinese where the view
 * reason has none of its own. Text is made or read only at those edges:
 * reason_parse where a stored or engine id comes in, reason_id where one
 * goes out. WeChat's own codes (a rejection's reason) are not in the
 * table: they parse to REASON_OTHER and keep their text. The states
 * (sale, coupon line, outbox, code) live below the store, in
 * app/words/words.h, so the store can take and return them as enums.
 */
#ifndef QUAN_COUPON_H
#define QUAN_COUPON_H

#include "core/view.h"
#include "words/words.h"   /* the states: txn, coupon line, outbox, code */

/* The state the screen shows for a coupon line's state (its words: the
 * front-end's). */
enum view_cstate checkout_cstate_view(enum checkout_cstate s);

enum reason {
	REASON_NONE = 0,            /* "ok" (or nothing): usable, granted */
	/* the rules (core/rules.h) */
	REASON_BELOW_MINIMUM,
	REASON_NOT_YET_VALID,
	REASON_EXPIRED,
	REASON_OUTSIDE_WEEKLY_WINDOW,
	REASON_OUTSIDE_PERIODS,
	REASON_STOCK_NOT_RUNNING,
	REASON_CARD_NOT_USABLE,
	REASON_ALREADY_USED,
	REASON_COUPON_UNAVAILABLE,
	REASON_PER_TXN_LIMIT,
	REASON_DUPLICATE_CODE,
	REASON_NOT_STACKABLE,
	REASON_NEEDS_ITEM_PRICE,
	REASON_ITEM_PRICE_OVER_BASKET,
	REASON_NO_BENEFIT,
	REASON_RECEIVE_TIME_UNKNOWN,
	REASON_BAD_AMOUNT,
	/* the classifier and the scan's text */
	REASON_PAYMENT_CODE,
	REASON_OTHER_WALLET,
	REASON_UNKNOWN_CODE,
	REASON_NO_MATCH,
	REASON_TOO_LONG,
	REASON_INVALID_INPUT,
	REASON_CONTROL_CHAR,
	REASON_BAD_UTF8,
	REASON_EMPTY,
	/* the checkout engine */
	REASON_NO_DEFINITION,
	REASON_NEEDS_ONLINE,
	REASON_NO_LONGER_USABLE,
	REASON_NOT_RECORDED,
	REASON_INTERRUPTED,
	REASON_VOIDED_NOT_RETURNABLE, /* a card coupon used at WeChat whose
	                              * sale was voided: no return exists */
	REASON_VOIDED,              /* its sale was voided: return queued */
	REASON_VOIDED_BEFORE_SEND,  /* voided before the use was sent */
	REASON_CARD_CONSUME_IRREVERSIBLE, /* voided while a card consume
	                              * was in flight: if it lands, it stays */
	REASON_CARD_NOT_CONSUMED,   /* checked, held; the sale was not paid:
	                              * never consumed, the customer keeps it */
	REASON_CARD_CONSUME_REFUSED, /* paid, then WeChat refused the consume
	                              * (used elsewhere since the check): a
	                              * loss a manager must see */
	REASON_CARD_OTHER_USER,     /* code/get: held by another user than the
	                              * one the code list names */
	REASON_REFUND_ABNORMAL,     /* a refund WeChat could not pay back:
	                              * the manager's alarm (refund.h) */
	REASON_DUPLICATE_REDEMPTION, /* WeChat applied a use another sale
	                              * holds: a manager sorts it out */
	REASON_STORE_ERROR,         /* the store failed while deciding */
	REASON_BAD_DEFINITION,      /* the cached stock/card does not parse */
	REASON_CLAIM_QR,            /* a claim QR, not a coupon to redeem */
	REASON_USED_BY_OTHER_REQUEST, /* WeChat: used, not by our request */
	REASON_WAIT_WECHAT,         /* scan time: the cache cannot decide
	                              * the coupon's own state, WeChat will */
	/* the offline policy */
	REASON_OFFLINE_ONLINE_ONLY,
	REASON_OFFLINE_NOT_KNOWN,
	REASON_OFFLINE_CAP_COUPON,
	REASON_OFFLINE_CAP_HOUR,
	REASON_OFFLINE_CAP_EXPOSURE,
	REASON_OFFLINE_CACHE_OLD,
	REASON_HUB_TAKEN,           /* another lane's live claim at the hub */
	REASON_OFFLINE_HUB_DOWN,    /* hub unreachable: [hub] when_down */
	/* WeChat's refusals (app/net's classification of its answers) */
	REASON_WX_COUPON_UNKNOWN,
	REASON_WX_NOT_USABLE_NOW,
	REASON_WX_USER_UNKNOWN,
	REASON_WX_BAD_REQUEST,
	REASON_WX_NOT_USABLE,
	REASON_WX_REJECTED,
	REASON_WX_DELETED_OR_GIFTING,
	REASON_WX_INVALID_CODE,
	REASON_WX_CARD_INVALID,
	REASON_WX_CARD_ID_MISSING,
	REASON_WX_DEACTIVATED,      /* busifavor query: DEACTIVATED */
	/* 商品券 product coupons (core/pcoupon.h, pcoupon_rules.h) */
	REASON_PC_NOT_REGISTERED,   /* code not in the product registry */
	REASON_PC_AMBIGUOUS,        /* code in several stocks */
	REASON_PC_CONFIRMING,       /* 确认发放 not done yet */
	REASON_PC_PENDING,          /* confirmed, before valid_begin */
	REASON_PC_DELETED,          /* the customer deleted it */
	REASON_PC_DEACTIVATED,      /* the brand deactivated it */
	REASON_PC_OTHER_USER,       /* the payer is not the holder */
	REASON_PC_WRONG_BRAND,      /* not one of this till's brands */
	REASON_PC_STORE_SCOPE,      /* not valid in this store */
	REASON_PC_NO_ITEM,          /* SINGLE: its product not in the basket */
	REASON_PC_BUNDLE_ROUND,     /* an earlier round unused / interval */
	REASON_PC_UNSUPPORTED,      /* scope/type quan cannot price */
	REASON_PC_COVERS_ALL,       /* nothing left to pay by WeChat */
	REASON_PC_NEEDS_WECHAT_PAY, /* cash/other sale: no order to tie */
	REASON_PC_ONLINE_ONLY,      /* offline: 商品券 needs the network */
	REASON_OTHER,               /* not ours (a WeChat code): its text */
	REASON_COUNT
};

/* A 商品券 user coupon's state (enum pc_state, core/pcoupon.h): WeChat's
 * name ("EFFECTIVE"), and the cashier's words. */
const char *pc_state_name(int st);           /* "?" out of range */
int pc_state_parse(const char *s);           /* PC_ST_UNKNOWN if unknown */
const char *pc_state_words(int st, int zh);  /* "usable" / "可使用" */
/* A 商品券 use's state in a sale (enum pc_use_state): "planned", "sent",
 * "used", "failed", "return_pending", "returned", "conflict"; and the
 * line state the sale shows for it (checkout_cstate). */
const char *pc_use_state_name(int st);       /* "?" out of range */
enum checkout_cstate pc_use_cstate(int st);

struct reason_info {
	const char *id;             /* machine id: store, journal, JSON */
	enum view_reason view;      /* how the screen shows it */
	const char *en, *zh;        /* words when view has none, else NULL */
	int offline;                /* a decision of the offline policy */
	int cap;                    /* an offline cap a manager may lift */
};

/* A coupon line's kind as the screen names it: its type (rules_type_id:
 * NORMAL, DISCOUNT, EXCHANGE, CASH, GIFT, GROUPON, GENERAL_COUPON) or,
 * when it has none, what the scan was (classify_kind_id: merchant, card,
 * payment_code ...). The cashier's words in English (zh = 0) or Chinese;
 * the id itself when the table does not know it. Never NULL. */
const char *coupon_kind_words(const char *id, int zh);

/* The id's reason: REASON_NONE for "" and "ok", REASON_OTHER when the id
 * is not one of ours. */
enum reason reason_parse(const char *id);
/* The reason of a rules verdict (core/rules.h's enum rules_reason: the
 * table's first rows, in its order). */
enum reason reason_of_rules(int rules_reason);
/* Its row; REASON_OTHER's for anything out of range. Never NULL. */
const struct reason_info *reason_info(enum reason r);
/* Its machine id ("ok" for REASON_NONE, "other" for REASON_OTHER). */
const char *reason_id(enum reason r);
/* The id to store or print for r with its free text (a WeChat code kept
 * beside REASON_OTHER): text when r is REASON_OTHER and text is not
 * empty, else reason_id(r). */
const char *reason_text(enum reason r, const char *text);
/* WeChat's record of a merchant coupon (busifavor query, doc §5.6:
 * coupon_state, available_start_time, expire_time, use_time; epoch s, 0
 * unknown), read after WeChat refused its use with RULELIMIT or
 * INVALID_REQUEST, as now: the refusal in the cashier's words — used
 * (*at = when), expired (*at = its end), not yet valid (*at = its
 * start), deactivated, deleted. REASON_NONE when the record says no more
 * than the refusal did (available and in its dates: an hours or days
 * rule, or the stock): keep the refusal's words. Pure. */
enum reason coupon_wx_refusal(const char *state, int64_t now,
    int64_t start_at, int64_t expire_at, int64_t used_at, int64_t *at);
/* A voided sale's reasons (voided, voided_before_send,
 * voided_not_returnable, card_consume_irreversible): not a refusal. */
int reason_is_void(enum reason r);

#endif
