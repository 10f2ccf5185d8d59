/*
 * wxpay.h — WeChat Pay APIv3 client for merchant coupons (商家券): signs
 * every request (WECHATPAY2-SHA256-RSA2048), verifies every response before
 * parsing it (timestamp window, serial, signature, SIGNTEST probes) in both
 * trust modes — platform certificates from GET /v3/certificates (decrypted
 * with the APIv3 key, kept by serial, refreshed on an unknown serial) and the
 * WeChat Pay public key PUB_KEY_ID_… — and turns answers into a typed
 * result plus a classification the sync thread acts on.
 *
 * Two objects: struct wxpay_ctx holds keys and the trust store, is created
 * once (main thread) and shared read-only by all threads (the trust store
 * locks itself); struct wxpay is one thread's client (its own keep-alive
 * connection) and must not be shared.
 */
#ifndef QUAN_WXPAY_H
#define QUAN_WXPAY_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#include "net/http.h"

struct wx_trust;

struct wxpay_cfg {
	const char *base_url;        /* "https://api.mch.weixin.qq.com" */
	const char *mchid;
	const char *merchant_serial; /* serial of apiclient_cert.pem */
	const char *private_key;     /* path, 0600 (refused otherwise) */
	const char *apiv3_key;       /* path, 0600; needed for platform certs
				        and callbacks; may be NULL */
	const char *platform_cert;   /* optional PEM path, preloaded */
	const char *public_key_id;   /* optional "PUB_KEY_ID_..." */
	const char *public_key;      /* optional PEM path (with the id) */
	const char *ca_file;         /* optional CA bundle (the simulator's) */
	long connect_timeout_ms;     /* 0 = 2000 */
	long timeout_ms;             /* 0 = 5000 */
	/* 品牌API (商品券 brand-direct): non-NULL signs every request as
	 * WECHATPAY-BRAND-SHA256-RSA2048 brand_id="…" (mchid is then not
	 * needed; merchant_serial/private_key are the brand API
	 * certificate's); answers are verified with the brand's WeChat Pay
	 * public key only (public_key + public_key_id required, no platform
	 * certificates); apiv3_key is the 品牌API密钥 for callbacks. */
	const char *brand_id;
};

struct wxpay_ctx;
struct wxpay;

/* Load the keys named by cfg (copies everything). Errors: QUAN_ECONFIG
 * (missing mchid/serial/key, public_key without public_key_id or the
 * reverse, no trust anchor at all: neither apiv3_key nor public_key),
 * QUAN_EPERM (key file mode), QUAN_EINVAL (bad PEM); *cause says which.
 * Main thread. */
int wxpay_ctx_new(const struct wxpay_cfg *cfg, struct wxpay_ctx **out,
    char **cause);
void wxpay_ctx_free(struct wxpay_ctx *c); /* NULL-safe; after all clients */
/* The trust store (borrowed; thread-safe) — the callback receiver verifies
 * notifications with it (wx_trust_verify) by Wechatpay-Serial. */
struct wx_trust *wxpay_ctx_trust(struct wxpay_ctx *c);
/* The APIv3 key (32 bytes) or NULL if none was configured. Borrowed. */
const uint8_t *wxpay_ctx_apiv3_key(const struct wxpay_ctx *c);
/* Test hook: the clock used for the timestamp window (NULL = tm_now). */
void wxpay_ctx_set_clock(struct wxpay_ctx *c, int64_t (*now)(void));

/* A client for the calling thread. stop (may be NULL) aborts transfers in
 * flight. 0 or QUAN_EIO with cause. */
int wxpay_new(struct wxpay_ctx *c, const atomic_int *stop,
    struct wxpay **out, char **cause);
void wxpay_free(struct wxpay *w); /* NULL-safe */
/* Connections this client opened so far (1 while keep-alive holds). */
long wxpay_connections(const struct wxpay *w);

/* ---- results ---------------------------------------------------------- */

#define WXPAY_CODE_MAX 64
#define WXPAY_MSG_MAX 256
#define WXPAY_ID_MAX 130     /* stock ids, request numbers (≤128) */
#define WXPAY_OPENID_MAX 130
#define WXPAY_TIME_MAX 40
#define WXPAY_URL_MAX 260

struct wxpay_result {
	/* Transport / protocol status:
	 * 0             an answer arrived and was verified (2xx), or a
	 *               non-2xx answer arrived (verified when signed, see
	 *               `verified`): look at http and code;
	 * QUAN_ENET / QUAN_ETIMEDOUT / QUAN_ECLOSED  no answer: the outcome
	 *               is UNKNOWN (resend the identical body);
	 * QUAN_EPROTO   an answer that failed verification or parsing (bad
	 *               or SIGNTEST signature, stale timestamp, unknown
	 *               serial, missing headers, garbage JSON): treat as
	 *               unknown outcome too;
	 * QUAN_ETOOBIG  body over the cap (unknown outcome). */
	int rc;
	long http;                       /* 0 when no answer */
	int verified;                    /* 1 when the signature checked */
	int sent;                        /* the request may have reached
					    WeChat (0: it never left; see
					    http_request_sent) */
	char code[WXPAY_CODE_MAX];       /* WeChat error code; "" on 2xx */
	char message[WXPAY_MSG_MAX];     /* WeChat message, or our cause */
	char request_id[WXPAY_ID_MAX];   /* Request-ID header */
	/* Parsed answer fields (those the operation returns; "" if absent). */
	char stock_id[WXPAY_ID_MAX];
	char openid[WXPAY_OPENID_MAX];
	char time[WXPAY_TIME_MAX];       /* wechatpay_{use,return,deactivate}
					    _time, or update_time */
	char coupon_state[32];           /* query: SENDED, USED, ... */
	char coupon_code[WXPAY_ID_MAX];  /* query */
	char use_request_no[WXPAY_ID_MAX]; /* query: who used it */
	/* query (§5.6), epoch s, 0 when absent or not RFC 3339: when it was
	 * used (use_time, or consume_information.consume_time), and this
	 * user's window (available_start_time, expire_time) */
	int64_t used_at, start_at, expire_at;
	char stock_state[32];            /* get stock */
	char notify_url[WXPAY_URL_MAX];  /* callbacks */
	int64_t total_count;             /* list codes; -1 if absent */
	char *body;                      /* raw body (malloc'd) or NULL */
	size_t body_len;
	uint64_t elapsed_us;
};

void wxpay_result_init(struct wxpay_result *r);
void wxpay_result_free(struct wxpay_result *r); /* frees body; NULL-safe */

enum wxpay_class {
	WXPAY_OK = 0,      /* applied */
	WXPAY_RETRY,       /* unknown outcome or transient: resend the
			      identical request (backoff) */
	WXPAY_ALREADY,     /* RESOURCE_ALREADY_EXISTS: used by a request —
			      possibly ours; query the coupon to tell */
	WXPAY_REJECTED,    /* definite business rejection */
	WXPAY_CONFIG       /* our configuration is wrong (NO_AUTH, appid not
			      bound, SIGN_ERROR): stop and alarm, keep row */
};

/* Classify a result; *reason (if non-NULL) gets a static cashier reason id:
 * ok, network, bad_reply, wechat_busy, rate_limited, already_used,
 * coupon_unknown, not_usable_now, user_unknown, bad_request, not_usable,
 * sign_error, config_error, rejected. Pure, any thread. */
enum wxpay_class wxpay_classify(const struct wxpay_result *r,
    const char **reason);
const char *wxpay_class_name(enum wxpay_class c);

/* The coupon calls' bodies (use, return, deactivate; card consume) are
 * built by app/core/wxbody.h, once, stored, and resent byte for byte: the
 * operations below send the body they are given. */

/* ---- operations (owner thread; res must have been wxpay_result_init()ed
 * once; each call frees and resets it first) ----------------------------- */
/* Each returns res->rc. Request-ID and status are logged (info). */

int wxpay_use(struct wxpay *w, const char *body, size_t len,
    struct wxpay_result *res);
int wxpay_return(struct wxpay *w, const char *body, size_t len,
    struct wxpay_result *res);
int wxpay_deactivate(struct wxpay *w, const char *body, size_t len,
    struct wxpay_result *res);
/* GET /v3/marketing/busifavor/users/{openid}/coupons/{code}/appids/{appid} */
int wxpay_query_coupon(struct wxpay *w, const char *openid,
    const char *coupon_code, const char *appid, struct wxpay_result *res);
/* GET /v3/marketing/busifavor/stocks/{stock_id}; the stock JSON is in
 * res->body (verified) for the rules parser. */
int wxpay_get_stock(struct wxpay *w, const char *stock_id,
    struct wxpay_result *res);
/* GET .../stocks/{stock_id}/couponcodes?limit=&offset= ; JSON in body. */
int wxpay_list_codes(struct wxpay *w, const char *stock_id, int limit,
    int offset, struct wxpay_result *res);
/* POST / GET /v3/marketing/busifavor/callbacks */
int wxpay_set_callback(struct wxpay *w, const char *notify_url,
    struct wxpay_result *res);
int wxpay_get_callback(struct wxpay *w, struct wxpay_result *res);
/* GET /v3/certificates: decrypt every certificate with the APIv3 key, check
 * the answer's signature with the known + new certificates, add them to the
 * trust store. 0 or QUAN_E* with cause. Also called automatically (at most
 * every 30 s) when a response names an unknown serial. */
int wxpay_refresh_certs(struct wxpay *w, char **cause);

/* The Authorization header value of a bodiless request, for a transfer
 * whose answer is not signed (a bill download: its hash is checked
 * instead); *base_url is the context's. New string, or NULL. */
char *wxpay_authorization(const struct wxpay_ctx *c, const char *method,
    const char *path_query, const char **base_url);

/* Generic signed call (path_query = "/v3/...?..." as sent). */
int wxpay_call(struct wxpay *w, const char *method, const char *path_query,
    const char *body, size_t len, struct wxpay_result *res);

/* Verify and parse one received answer (what the operations do after the
 * transfer): exposed for tests with canned responses. required: NULL-
 * terminated names of fields a 2xx answer must carry (NULL = none).
 * Returns res->rc, except QUAN_ENOTFOUND when the serial is unknown
 * (res->rc is then QUAN_EPROTO; the caller may refresh certificates and
 * call again). Any thread. */
int wxpay_process(struct wxpay_ctx *c, const struct http_resp *r,
    const char *const *required, struct wxpay_result *res);

#endif
