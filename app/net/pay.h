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

#endif
