/*
 * callbacks.h — the COUPON.SEND receiver: an HTTP(S) endpoint (net/httpd)
 * that verifies each WeChat Pay notification's signature, decrypts its
 * resource with the APIv3 key, answers at once (200, or 4xx/5xx with
 * {"code":"FAIL","message":...}), and hands the coupon to the main thread
 * as a plain-value EV_SYNC_DONE / SYNC_OP_NOTICE event. The main thread
 * dedupes by notification id and adds the code to the cache.
 */
#ifndef QUAN_CALLBACKS_H
#define QUAN_CALLBACKS_H

#include <stddef.h>
#include <stdint.h>

#include "core/evq.h"
#include "core/pcoupon.h"
#include "core/syncmsg.h"

struct wx_trust;
struct callbacks;

/* Verify and decrypt one notification (pure; any thread). Header values
 * may be NULL (then rejected). Returns 0 and fills *out for a COUPON.SEND;
 * QUAN_ENOTFOUND for a valid notification of another event type (answer
 * success, nothing to do); QUAN_EPROTO (signature, timestamp, decryption),
 * QUAN_EINVAL (malformed envelope or payload, or a code, stock, openid or
 * id outside its character set) with *cause. Header values are outside
 * text: *cause quotes them only cleaned (str_clean), so it is valid UTF-8
 * without control characters. */
int callbacks_parse(struct wx_trust *trust, const uint8_t key[32],
    const char *serial, const char *ts, const char *nonce, const char *sig,
    const char *body, size_t len, int64_t now, struct sync_notice *out,
    char **cause);

/* The receiver's whole answer to one request, without the server (the
 * HTTP handler and the fuzz target call it): the method and the header
 * values Wechatpay-Serial, -Timestamp, -Nonce, -Signature as received
 * (any bytes; NULL when absent) and the body. Sets *status (200 for a
 * COUPON.SEND or another event, 405 not a POST, 401 not authentic, 400
 * malformed) and *reply (new string: "" for 200, else the JSON
 * {"code":"FAIL","message":...}); *why (new string or NULL) is the cause
 * for the log. Returns as callbacks_parse. Any thread. */
int callbacks_answer(struct wx_trust *trust, const uint8_t key[32],
    const char *method, const char *const hdr[4], const char *body,
    size_t len, int64_t now, struct sync_notice *out, int *status,
    char **reply, char **why);

/* The FAIL body for msg (any bytes: cleaned first); never NULL. */
char *callbacks_fail_body(const char *msg);

/* ---- 商品券: PRODUCT_COUPON.SEND (brand) / PRODUCT_COUPON_SP.SEND
 * (partner), callbacks_pc.c -------------------------------------------- */

/* A verified, decrypted SEND as it crosses to the main thread (an
 * EV_SYNC_DONE whose first fields, tag 0 and op SYNC_OP_PC_NOTICE, tell
 * it apart): the registry row (state UNKNOWN: CONFIRMING once stored,
 * source PC_SRC_NOTIFY, notify_id = the notification id). */
struct pc_notice {
	int64_t tag;                  /* 0 */
	enum sync_op op;              /* SYNC_OP_PC_NOTICE */
	char event[64];               /* PRODUCT_COUPON(_SP).SEND */
	int64_t received_at;
	struct pc_coupon c;
};
_Static_assert(sizeof(struct pc_notice) <= 1024, "pc_notice > opaque");

/* 1 when the body's event_type starts with PRODUCT_COUPON (routing only:
 * the path it picks verifies everything). Pure. */
int callbacks_pc_event(const char *body, size_t len);
/* As callbacks_parse for a product coupon notification: verified under
 * trust (the mode's: the merchant's in partner mode, the brand's public
 * key in brand mode), decrypted with key (APIv3 key / 品牌API密钥).
 * 0 and *out for a SEND; QUAN_ENOTFOUND for another valid event;
 * QUAN_EPROTO not authentic; QUAN_EINVAL malformed or a field outside
 * its character set / size. Pure; any thread. */
int callbacks_pc_parse(struct wx_trust *trust, const uint8_t key[32],
    const char *serial, const char *ts, const char *nonce, const char *sig,
    const char *body, size_t len, int64_t now, struct pc_notice *out,
    char **cause);
/* The whole answer (as callbacks_answer; hdr = Serial, Timestamp, Nonce,
 * Signature). Any thread; the fuzz target calls it. */
int callbacks_pc_answer(struct wx_trust *trust, const uint8_t key[32],
    const char *const hdr[4], const char *body, size_t len, int64_t now,
    struct pc_notice *out, int *status, char **reply, char **why);

struct store;
struct pcoupon;
struct pcoupon_ctx;
/* Main thread: the notice into the registry (store_pc_notified): 0
 * stored, 1 a redelivery (nothing written), else QUAN_E* + *cause. */
int callbacks_pc_store(struct store *st, const struct pc_notice *n,
    char **cause);
/* Main thread: 确认发放 for every registry row still CONFIRMING (at most
 * 32 a call), over client p of context x. The request number is
 * callbacks_pc_confirm_no (the same on every try); an answer PENDING or
 * EFFECTIVE is stored with store_pc_confirmed; a refusal makes the row
 * follow WeChat's state (a query); no answer leaves it for the next call.
 * *confirmed counts this call's. QUAN_OK, QUAN_EBUSY when some are left
 * to retry, or the store's error. */
int callbacks_pc_confirm(struct store *st, struct pcoupon *p,
    const struct pcoupon_ctx *x, int64_t now, int *confirmed,
    char **cause);
/* The confirm request number of a coupon: "C" + 32 hex (SHA-256 of
 * stock_id|code). Pure. */
void callbacks_pc_confirm_no(const char *stock_id, const char *code,
    char out[41]);

struct callbacks_opts {
	const char *addr;       /* listen address; NULL = 127.0.0.1 */
	unsigned port;          /* 0 = any */
	const char *cert_pem;   /* PEM text for HTTPS, NULL = plain HTTP
	                           (behind a TLS-terminating proxy) */
	const char *key_pem;
	struct wx_trust *trust; /* borrowed, thread-safe */
	const uint8_t *apiv3_key; /* 32 bytes, borrowed */
	struct evq *out;        /* notices are posted here (borrowed) */
	/* 商品券 ([product_coupon] configured; else NULL): the mode's
	 * trust store and key; product coupon events go this way */
	struct wx_trust *pc_trust;
	const uint8_t *pc_key;
};

/* Start serving. *port_out gets the bound port. QUAN_E* with *cause.
 * Main thread. */
int callbacks_start(const struct callbacks_opts *o, struct callbacks **out,
    unsigned *port_out, char **cause);
/* Stop and free (joins the server threads). NULL-safe. Main thread. */
void callbacks_stop(struct callbacks *cb);

/* Counters (any thread). */
struct callbacks_stats {
	uint64_t received, accepted, rejected, ignored, queue_full;
	uint64_t pc_accepted;   /* of accepted: product coupon SENDs */
};
void callbacks_stats(struct callbacks *cb, struct callbacks_stats *out);

/* Store a received COUPON.SEND (callbacks_store.c): its id seen once,
 * its code into the cache as issued, one transaction. 0 stored, 1 seen
 * before (ignored), else the store's QUAN_E* with *cause (caller
 * frees). Main thread. */
struct store;
struct sync_notice;
int callbacks_store_notice(struct store *st, const struct sync_notice *n,
    char **cause);

#endif
