/*
 * pay.h — 付款码支付 (payment-code payment) for both WeChat Pay APIs behind
 * one protocol-neutral model (shared/docs/wechatpay-codepay.md §6):
 *
 *  - struct pay_answer: what one request (pay / query / reverse) learnt,
 *    normalised: a trade state and an error code as enums, amounts and
 *    vouchers in integer fen, and whether the answer was authenticated.
 *    Text (WeChat's err_code_des / message) is for display only.
 *  - struct pay_machine: the till's state machine. Pure: it is given an
 *    answer and the time, and says which request to send next and when,
 *    or the final outcome. No I/O, no clock, no waiting — the core keeps
 *    one per sale, posts the requests as jobs and feeds the answers back
 *    as events (a deadline tick just compares next_at_ms with now).
 *  - struct pay_ctx / pay_client: the APIv3 codepay client (over wxpay.h's
 *    signer and verifier) and the APIv2 micropay client (XML, MD5 or
 *    HMAC-SHA256 with the APIv2 key, client certificate for /secapi/).
 *    Blocking, one client per thread, like wxpay.h: for the sync thread.
 *
 * Money is int64_t fen. Codes are never logged (bearer instruments).
 */
#ifndef QUAN_PAY_H
#define QUAN_PAY_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

struct wxpay_ctx;
struct wxpay_result;
struct payxml;

enum pay_api { PAY_API_V3 = 0, PAY_API_V2 };

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
/* "顾客已付款": query now (only while querying). */
void pay_machine_query_now(struct pay_machine *m, int64_t now_ms);

/* ---- requests --------------------------------------------------------- */

#define PAY_OUT_TRADE_NO_MAX 32

/* One charge. out_trade_no: [0-9A-Za-z_-]{6,32}, committed with the sale
 * before the request and reused by every query and reverse. */
struct pay_order {
	const char *out_trade_no;
	const char *auth_code;       /* the scanned code, as scanned */
	const char *description;     /* body / description (≤127 chars) */
	int64_t total_fen;           /* ≥ 1 */
	const char *goods_tag;       /* optional: voucher eligibility */
	const char *device_id;       /* optional: terminal id */
	const char *device_ip;       /* v2 spbill_create_ip (required), v3
				        scene_info.device_ip */
	const char *store_id;        /* optional: v3 store_info.out_id */
	const char *attach;          /* optional: echoed back */
};

/* 1 when s is a usable out_trade_no for both APIs. */
int pay_out_trade_no_ok(const char *s);
/* 1 when s looks like a WeChat payment code: ^1[0-5][0-9]{16}$ (a scan
 * router's test; any code is still sent unchanged). */
int pay_is_auth_code(const char *s);

struct pay_cfg {
	enum pay_api api;
	const char *appid;
	const char *mchid;
	/* v3: the busifavor context (signer, verifier, trust store) */
	struct wxpay_ctx *v3;
	/* v2 */
	const char *base_url;        /* https://api.mch.weixin.qq.com */
	const char *v2_key_file;     /* 32-char APIv2 key, mode 0600 */
	int v2_sign_md5;             /* 1: sign_type MD5 (sandbox) */
	const char *client_cert;     /* /secapi/: apiclient_cert.pem */
	const char *client_key;      /* /secapi/: apiclient_key.pem (0600) */
	const char *ca_file;
	long connect_timeout_ms, timeout_ms;  /* 0 = 2000 / 15000 */
};

struct pay_ctx;
struct pay_client;

/* Check and load what cfg names (the v2 key file: mode 0600 and exactly
 * 32 characters). QUAN_ECONFIG / QUAN_EPERM / QUAN_EINVAL with *cause.
 * Main thread; then shared read-only. */
int pay_ctx_new(const struct pay_cfg *cfg, struct pay_ctx **out,
    char **cause);
void pay_ctx_free(struct pay_ctx *c);
enum pay_api pay_ctx_api(const struct pay_ctx *c);

/* The charge's request body, built ONCE and stored with the sale (v3
 * JSON; v2 signed XML with its nonce). NULL + *cause on a bad order. */
char *pay_pay_body(struct pay_ctx *c, const struct pay_order *o,
    char **cause);

/* One client per thread (own connections). stop may be NULL. */
int pay_client_new(struct pay_ctx *c, const atomic_int *stop,
    struct pay_client **out, char **cause);
void pay_client_free(struct pay_client *cl);

/* Send the stored charge body / query / reverse; fill *a (initialised
 * here). Return a->rc. Owner thread; blocking (bounded by the timeouts). */
int pay_send_pay(struct pay_client *cl, const char *body, size_t len,
    struct pay_answer *a);
int pay_query(struct pay_client *cl, const char *out_trade_no,
    struct pay_answer *a);
int pay_reverse(struct pay_client *cl, const char *out_trade_no,
    struct pay_answer *a);

/* ---- protocol pieces (exposed for the vectors and the simulator) ------ */

/* v3 codepay body: appid, mchid, description, out_trade_no, goods_tag,
 * payer.auth_code, amount{total,currency CNY}, scene_info{device_id,
 * device_ip, store_info{out_id}} — compact, in that order. New/NULL. */
char *pay_v3_pay_body(const char *appid, const char *mchid,
    const struct pay_order *o);
/* v3 reverse body {"appid","mchid"}. New. */
char *pay_v3_reverse_body(const char *appid, const char *mchid);
/* Turn a verified wxpay result (wxpay_call) of op into *a. */
void pay_v3_answer(enum pay_op op, const struct wxpay_result *r,
    struct pay_answer *a);

/* v2 requests as fields (unsigned; the caller adds nonce_str, sign_type
 * and sign with pay_v2_seal). */
int pay_v2_pay_fields(const char *appid, const char *mchid,
    const struct pay_order *o, struct payxml *x);
int pay_v2_order_fields(const char *appid, const char *mchid,
    const char *out_trade_no, struct payxml *x);
/* Add nonce_str (fresh when nonce is NULL), sign_type (HMAC only: MD5 is
 * the default and is not sent) and sign; return the XML (new). */
char *pay_v2_seal(struct payxml *x, const char *key, int md5,
    const char *nonce, size_t *len);
/* Parse, verify (when return_code=SUCCESS) and classify one v2 answer
 * body into *a. mchid, when non-NULL, must match the answer's mch_id. */
void pay_v2_answer(enum pay_op op, const char *body, size_t len,
    const char *key, int md5, const char *mchid, struct pay_answer *a);

/* ---- refunds (doc §9) -------------------------------------------------- */

/* status (v3) / refund_status_$n (v2). */
enum pay_refund_state {
	PAY_RS_NONE = 0,
	PAY_RS_SUCCESS,
	PAY_RS_PROCESSING,    /* accepted, money on its way: query later */
	PAY_RS_CLOSED,        /* v3 CLOSED, v2 REFUNDCLOSE */
	PAY_RS_ABNORMAL,      /* v3 ABNORMAL, v2 CHANGE: needs a person */
	PAY_RS_OTHER
};
const char *pay_refund_state_name(enum pay_refund_state s);
enum pay_refund_state pay_refund_state_parse(const char *s);

#define PAY_OUT_REFUND_NO_MAX 64

/* One refund of a paid order. out_refund_no is committed before the
 * first request and sent unchanged on every retry ("同一退款单号多次请求
 * 只退一笔"); the amounts must not change between retries either. */
struct pay_refund_req {
	const char *out_trade_no;
	const char *out_refund_no;   /* [0-9A-Za-z_-|*@]{1,64} */
	int64_t total_fen;           /* the order's total */
	int64_t refund_fen;          /* 1 … total (full void: total) */
	const char *reason;          /* optional, ≤ 80 characters */
};

struct pay_refund_answer {
	int rc;                      /* as pay_answer.rc */
	int trusted;
	long http;
	enum pay_err err;            /* PAY_E_NONE: accepted / found */
	enum pay_refund_state state; /* NONE when the answer has none (a v2
					refund acceptance: PROCESSING) */
	char code[64];
	char text[PAY_TEXT_MAX];
	char out_trade_no[40];
	char transaction_id[40];
	char out_refund_no[PAY_OUT_REFUND_NO_MAX + 1];
	char refund_id[72];
	char success_time[40];
	int64_t total_fen, refund_fen;       /* -1 when absent */
	int64_t payer_refund_fen;            /* back to the customer */
	int64_t settlement_refund_fen;
	int64_t voucher_refund_fen;          /* vouchers' share */
};

/* 1 when s is a usable out_refund_no. */
int pay_out_refund_no_ok(const char *s);

/* v3 POST /v3/refund/domestic/refunds body: out_trade_no, out_refund_no,
 * reason, amount{refund,total,currency} — compact, in that order (V3-6).
 * New, or NULL for a bad request. */
char *pay_v3_refund_body(const struct pay_refund_req *r);
/* A verified wxpay result of a refund or a refund query → *a. */
void pay_v3_refund_answer(const struct wxpay_result *r,
    struct pay_refund_answer *a);
/* v2 /secapi/pay/refund and /pay/refundquery fields (sealed with
 * pay_v2_seal; md5 as the seal's, so sign_type sits where V2-10 has it). */
int pay_v2_refund_fields(const char *appid, const char *mchid,
    const struct pay_refund_req *r, int md5, struct payxml *x);
int pay_v2_refundquery_fields(const char *appid, const char *mchid,
    const char *out_refund_no, int md5, struct payxml *x);
/* Parse, verify and classify a v2 refund (query = 0) or refundquery
 * (query = 1) answer. */
void pay_v2_refund_answer(int query, const char *body, size_t len,
    const char *key, int md5, const char *mchid,
    struct pay_refund_answer *a);

/* Send a refund / query one (owner thread, blocking within the client's
 * timeouts). v2 refunds go to /secapi/ with the client certificate.
 * Return a->rc. */
int pay_refund(struct pay_client *cl, const struct pay_refund_req *r,
    struct pay_refund_answer *a);
int pay_refund_query(struct pay_client *cl, const char *out_refund_no,
    struct pay_refund_answer *a);

/* ---- the trade bill (对账) --------------------------------------------- */

/* The ALL trade bill of date ("YYYY-MM-DD", Beijing time), plain text:
 * v3 GET /v3/bill/tradebill (signed, verified) → its download_url (on
 * the configured host only; the file itself is unsigned) → SHA1 checked
 * against hash_value; v2 POST /pay/downloadbill. *text malloc'd and
 * NUL-terminated. QUAN_ENOTFOUND when WeChat has no bill for that day,
 * QUAN_EPROTO for an answer that cannot be believed (hash mismatch, a
 * download_url elsewhere), transport codes otherwise; *cause says. */
int pay_bill(struct pay_client *cl, const char *date, char **text,
    size_t *len, char **cause);
/* 1 when body (len bytes) has the SHA1 hash_value (hex, either case)
 * and hash_type is "SHA1". */
int pay_bill_hash_ok(const char *body, size_t len, const char *hash_type,
    const char *hash_value);

#endif
