/*
 * paysm.h — a payment's business words and its state machine, the
 * protocol-neutral half of 付款码支付 (shared/docs/wechatpay-codepay.md §6):
 *
 *  - struct pay_answer: what one request (pay / query / reverse) learnt,
 *    normalised: a trade state and an error code as enums, amounts and
 *    vouchers in integer fen, and whether the answer was authenticated.
 *    Text (WeChat's err_code_des / message) is for display only.
 *  - struct pay_machine: the till's state machine. Pure: it is given an
 *    answer and the time, and says which request to send next and when,
 *    or the final outcome. No I/O, no clock, no waiting — the core keeps
 *    one per sale (core/payment.h), posts the requests as sync jobs and
 *    feeds the answers back as events (a deadline tick just compares
 *    next_at_ms with now).
 *
 * It lives in the core because the core drives it; the clients that
 * produce the answers are net/pay.h. Pure; any thread.
 */
#ifndef QUAN_PAYSM_H
#define QUAN_PAYSM_H

#include <stdint.h>

/* Which request an answer belongs to / the machine asks for next. */
enum pay_op { PAY_OP_NONE = 0, PAY_OP_PAY, PAY_OP_QUERY, PAY_OP_REVERSE };

/* trade_state (v2 orderquery, v3 Transaction; PAY_TS_NONE when the answer
 * has none). */
enum pay_trade {
	PAY_TS_NONE = 0,
	PAY_TS_SUCCESS,
	PAY_TS_REFUND,
	PAY_TS_NOTPAY,
	PAY_TS_CLOSED,
	PAY_TS_REVOKED,
	PAY_TS_USERPAYING,
	PAY_TS_PAYERROR,
	PAY_TS_ACCEPT,
	PAY_TS_OTHER        /* a state this table does not know */
};

/* Every err_code of the doc's tables (v2 §4.3, §5.1, §5.2) and the v3
 * codes (§7.3), plus what the transport says. v3 codes that mean the same
 * as a v2 one share its value (NOT_ENOUGH = NOTENOUGH, ...). */
enum pay_err {
	PAY_E_NONE = 0,
	/* outcome unknown: query */
	PAY_E_SYSTEMERROR,
	PAY_E_BANKERROR,
	PAY_E_USERPAYING,
	PAY_E_ORDERPAID,
	PAY_E_OUT_TRADE_NO_USED,
	PAY_E_FREQUENCY_LIMITED,   /* v3 429 / FREQUENCY_LIMITED */
	/* definite failure of this payment code / order */
	PAY_E_AUTHCODEEXPIRE,
	PAY_E_AUTH_CODE_ERROR,
	PAY_E_AUTH_CODE_INVALID,
	PAY_E_NOTENOUGH,
	PAY_E_NOTSUPORTCARD,
	PAY_E_ORDERCLOSED,
	PAY_E_ORDERREVERSED,
	PAY_E_BUYER_MISMATCH,
	PAY_E_TRADE_ERROR,
	PAY_E_RULE_LIMIT,          /* v3 RULE_LIMIT (403) */
	PAY_E_ACCOUNT_ERROR,       /* v3 ACCOUNT_ERROR */
	/* our configuration or a bug: failed, alarm */
	PAY_E_NOAUTH,
	PAY_E_PARAM_ERROR,
	PAY_E_LACK_PARAMS,
	PAY_E_XML_FORMAT_ERROR,
	PAY_E_REQUIRE_POST_METHOD,
	PAY_E_NOT_UTF8,
	PAY_E_SIGNERROR,
	PAY_E_APPID_NOT_EXIST,
	PAY_E_MCHID_NOT_EXIST,
	PAY_E_APPID_MCHID_NOT_MATCH,
	PAY_E_INVALID_REQUEST,
	/* query / reverse */
	PAY_E_ORDERNOTEXIST,
	PAY_E_INVALID_TRANSACTIONID,
	PAY_E_REVERSE_EXPIRE,
	/* refunds (doc §9.2/§9.3) */
	PAY_E_BIZERR_NEED_RETRY,   /* retry the same out_refund_no */
	PAY_E_TRADE_OVERDUE,       /* past the refund period (1 year) */
	PAY_E_ERROR,               /* 业务错误: see the text */
	PAY_E_USER_ACCOUNT_ABNORMAL, /* payer's account closed: refund
					outside WeChat */
	PAY_E_INVALID_REQ_TOO_MUCH, /* too many: wait a minute */
	PAY_E_REFUNDNOTEXIST,      /* no such refund (query) */
	/* not WeChat's words */
	PAY_E_RETURN_FAIL,         /* v2 return_code=FAIL (protocol level) */
	PAY_E_NET,                 /* no answer (timeout, drop, TLS) */
	PAY_E_BAD_REPLY,           /* unsigned / badly signed / unparseable */
	PAY_E_HTTP,                /* v3 status without a known code (5xx) */
	PAY_E_CANCELLED,           /* the cashier cancelled (→ reverse) */
	PAY_E_OTHER                /* a code this table does not know */
};

/* What the till does with an error (doc §4.3 "Terminal action"). */
enum pay_err_class {
	PAY_EC_NONE = 0,   /* no error */
	PAY_EC_UNKNOWN,    /* outcome unknown: query until final/deadline */
	PAY_EC_FAILED,     /* definitely not paid: new code, new order */
	PAY_EC_CONFIRM,    /* probably not taken: one confirming query */
	PAY_EC_CONFIG      /* our configuration / a bug: failed + alarm */
};

/* Name as WeChat spells it ("USERPAYING") / our words for the rest
 * ("net", "bad_reply", ...). Static. */
const char *pay_err_name(enum pay_err e);
const char *pay_trade_name(enum pay_trade t);
enum pay_err_class pay_err_class(enum pay_err e);
/* A WeChat code (v2 err_code or v3 code) → enum; unknown → PAY_E_OTHER,
 * NULL/"" → PAY_E_NONE. */
enum pay_err pay_err_parse(const char *code);
enum pay_trade pay_trade_parse(const char *s);

/* A refund's status (doc §9): status (v3) / refund_status_$n (v2). */
enum pay_refund_state {
	PAY_RS_NONE = 0,
	PAY_RS_SUCCESS,
	PAY_RS_PROCESSING,    /* accepted, money on its way: query later */
	PAY_RS_CLOSED,        /* v3 CLOSED, v2 REFUNDCLOSE */
	PAY_RS_ABNORMAL,      /* v3 ABNORMAL, v2 CHANGE: needs a person */
	PAY_RS_OTHER
};
/* ---- vouchers (doc §8) ------------------------------------------------ */

#define PAY_VOUCHERS_MAX 16
#define PAY_ID_MAX 65
#define PAY_NAME_MAX 129

enum pay_voucher_type {
	PAY_VT_PREFUNDED = 0, /* 预充值: v2 CASH / COUPON, v3 CASH */
	PAY_VT_NOCASH         /* 免充值: v2 NO_CASH / DISCOUNT, v3 NOCASH */
};

struct pay_voucher {
	char id[PAY_ID_MAX];        /* coupon_id / promotion_id */
	char name[PAY_NAME_MAX];    /* "" when the answer has none (v2) */
	char stock_id[PAY_ID_MAX];  /* stock_id / activity_id, or "" */
	enum pay_voucher_type type;
	int single;                 /* scope SINGLE (item-level) */
	int64_t amount_fen;
	int64_t wechatpay_fen, merchant_fen, other_fen; /* -1 if absent */
};
const char *pay_voucher_type_name(enum pay_voucher_type t); /* static */

/* ---- one answer ------------------------------------------------------- */

#define PAY_TEXT_MAX 256

struct pay_answer {
	enum pay_op op;
	int rc;                     /* 0 an answer came; QUAN_ENET/ETIMEDOUT/
				       ECLOSED/ETLS none; QUAN_EPROTO an
				       answer that could not be trusted */
	int trusted;                /* signature verified (v3 headers, v2
				       sign) */
	long http;
	enum pay_err err;           /* PAY_E_NONE when the business call
				       succeeded */
	enum pay_trade trade;       /* trade_state, or SUCCESS for a paid
				       micropay/codepay answer */
	int recall;                 /* v2 reverse: recall=Y */
	char code[64];              /* WeChat's code as sent (log only) */
	char text[PAY_TEXT_MAX];    /* err_code_des / message (display) */
	char out_trade_no[40];
	char transaction_id[40];
	char openid[130];
	char time[40];              /* success_time / time_end as sent */
	int64_t total_fen;          /* -1 when absent */
	int64_t payer_fen;          /* what the customer paid (cash_fee /
				       payer_total); -1 when absent */
	int64_t voucher_fen;        /* total − payer, or coupon_fee */
	int64_t settlement_fen;     /* total − Σ NOCASH vouchers; -1 */
	struct pay_voucher v[PAY_VOUCHERS_MAX];
	int nv;
};

void pay_answer_init(struct pay_answer *a, enum pay_op op);
/* 1 when this answer proves the order is paid: an authenticated answer
 * with trade SUCCESS. Never for an untrusted answer. */
int pay_answer_paid(const struct pay_answer *a);

#define PAY_OUT_TRADE_NO_MAX 32

/* 1 when s is a usable out_trade_no for both APIs. */
int pay_out_trade_no_ok(const char *s);
/* 1 when s looks like a WeChat payment code: ^1[0-5][0-9]{16}$ (a scan
 * router's test; any code is still sent unchanged). */
int pay_is_auth_code(const char *s);

/* ---- the state machine (doc §6.2) ------------------------------------- */

struct pay_params {
	int64_t deadline_ms;         /* [pay] deadline_s × 1000 (45 s) */
	int64_t query_interval_ms;   /* [pay] query_interval_ms (5000) */
	int64_t reverse_after_ms;    /* never reverse before t0 + this (15 s) */
	int64_t reverse_backoff_ms;  /* between reverse retries (2000) */
	int reverse_max;             /* reverse attempts, then alarm (10) */
};
void pay_params_default(struct pay_params *p);

enum pay_outcome {
	PAY_PENDING = 0,
	PAY_PAID,          /* money taken (answer authenticated) */
	PAY_FAILED,        /* definitely not paid (reason in err) */
	PAY_REVERSED,      /* reversed: WeChat closed it or gave it back */
	PAY_UNKNOWN        /* alarm: reverse kept failing / expired, or
			      paid then refunded elsewhere; a person (or
			      quan sync) settles it */
};
const char *pay_outcome_name(enum pay_outcome o); /* pending, paid, ... */
/* And back (a stored payment's state): PAY_PENDING for anything else. */
enum pay_outcome pay_outcome_parse(const char *s);

enum pay_phase {
	PAY_PH_PAY = 0,    /* the charge is (to be) sent */
	PAY_PH_QUERY,      /* outcome unknown: querying */
	PAY_PH_CONFIRM,    /* one query to confirm a failure / a reverse */
	PAY_PH_REVERSE,    /* reversing */
	PAY_PH_DONE
};

struct pay_machine {
	enum pay_phase phase;
	enum pay_outcome outcome;
	enum pay_err err;           /* why it failed / is unknown */
	enum pay_op next_op;        /* the request to send (NONE when done) */
	int64_t next_at_ms;         /* ... not before this (monotonic ms) */
	int64_t t0_ms;              /* when the charge was sent */
	int reverses;               /* reverse attempts so far */
	int confirms;               /* confirming queries so far */
	int reversing;              /* CONFIRM after a reverse (vs failure) */
	struct pay_answer paid;     /* the answer that proved the payment */
};

/* Start: next_op = PAY at now. */
void pay_machine_start(struct pay_machine *m, int64_t now_ms);
/* Feed the answer to the request next_op named (an answer for another
 * op — a late one after a cancel — is ignored: returns 0). Returns 1
 * when the machine moved. Then read outcome / next_op / next_at_ms. */
int pay_machine_feed(struct pay_machine *m, const struct pay_params *p,
    const struct pay_answer *a, int64_t now_ms);
/* The cashier cancels while the outcome is unknown: reverse (not before
 * t0 + reverse_after_ms). No effect once final. */
void pay_machine_cancel(struct pay_machine *m, const struct pay_params *p,
    int64_t now_ms);
/* A charge that was never sent is withdrawn: failed (cancelled) at once,
 * nothing to reverse. No effect once it was sent (phase past PAY). */
void pay_machine_withdraw(struct pay_machine *m);
/* "顾客已付款": query now (only while querying). */
void pay_machine_query_now(struct pay_machine *m, int64_t now_ms);

#endif
