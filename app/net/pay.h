/*
 * pay.h — 付款码支付 (payment-code payment) for both WeChat Pay APIs behind
 * one protocol-neutral model (shared/docs/wechatpay-codepay.md §6):
 *
 *  - the answers and the state machine: core/paysm.h (the core drives
 *    the machine; this layer produces the answers).
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

#include "core/paysm.h"

struct wxpay_ctx;
struct wxpay_result;
struct payxml;

enum pay_api { PAY_API_V3 = 0, PAY_API_V2 };

/* ---- requests --------------------------------------------------------- */

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

/* enum pay_refund_state: core/paysm.h (the core follows refunds). */
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
