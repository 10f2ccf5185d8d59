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

struct callbacks_opts {
	const char *addr;       /* listen address; NULL = 127.0.0.1 */
	unsigned port;          /* 0 = any */
	const char *cert_pem;   /* PEM text for HTTPS, NULL = plain HTTP
	                           (behind a TLS-terminating proxy) */
	const char *key_pem;
	struct wx_trust *trust; /* borrowed, thread-safe */
	const uint8_t *apiv3_key; /* 32 bytes, borrowed */
	struct evq *out;        /* notices are posted here (borrowed) */
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
