/*
 * callbacks.c — verify, decrypt and answer WeChat Pay notifications on the
 * httpd threads; hand COUPON.SEND coupons to the main thread by value.
 */
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "crypto/wxsign.h"
#include "net/callbacks.h"
#include "net/callbacks_int.h"
#include "net/httpd.h"
#include "util/err.h"
#include "util/log.h"
#include "util/str.h"
#include "util/tm.h"
#include "util/xmem.h"

#define CB_BODY_MAX (64 * 1024)

struct callbacks {
	struct httpd *h;
	struct wx_trust *trust;
	uint8_t key[32];
	struct evq *out;
	atomic_ullong received, accepted, rejected, ignored, queue_full;
	/* 商品券 (callbacks_pc.c): the mode's trust and key */
	struct wx_trust *pc_trust;
	uint8_t pc_key[32];
	int have_pc;
	atomic_ullong pc_accepted;
};

static const char *
jstr(json_t *o, const char *k)
{
	return json_string_value(json_object_get(o, k));
}

/* s (already known to fit) is non-empty and made of set: what WeChat
 * sends in these fields, so nothing else is ever stored or printed */
int
callbacks_all_in(const char *s, const char *set)
{
	if (s[0] == '\0')
		return 0;
	for (; *s != '\0'; s++)
		if (strchr(set, *s) == NULL)
			return 0;
	return 1;
}

/* *cause made from outside text: keep only a cleaned copy */
void
callbacks_clean_cause(char **cause)
{
	char buf[256];

	if (*cause == NULL)
		return;
	str_clean(buf, sizeof buf, *cause, strlen(*cause));
	free(*cause);
	*cause = xstrdup(buf);
}

int
callbacks_open(struct wx_trust *trust, const uint8_t key[32],
    const char *serial, const char *ts, const char *nonce, const char *sig,
    const char *body, size_t len, int64_t now, char id[64],
    char event[64], char **pt, size_t *ptlen, char **cause)
{
	json_t *env = NULL, *res;
	json_error_t je;
	const char *alg, *ct, *nc, *aad, *ev, *eid;
	int rc;

	*pt = NULL;
	*ptlen = 0;
	id[0] = event[0] = '\0';
	if (serial == NULL || serial[0] == '\0') {
		*cause = xstrdup("missing Wechatpay-Serial");
		return QUAN_EPROTO;
	}
	rc = wx_trust_verify(trust, serial, ts, nonce, sig, body, len, now,
	    cause);
	if (rc == QUAN_ENOTFOUND) {
		free(*cause);
		*cause = xasprintf("unknown Wechatpay-Serial %.64s", serial);
		return QUAN_EPROTO;
	}
	if (rc != QUAN_OK)
		return QUAN_EPROTO;
	env = json_loadb(body, len, 0, &je);
	if (env == NULL || !json_is_object(env)) {
		*cause = xasprintf("notification is not a JSON object");
		rc = QUAN_EINVAL;
		goto out;
	}
	eid = jstr(env, "id");
	ev = jstr(env, "event_type");
	res = json_object_get(env, "resource");
	if (eid == NULL || eid[0] == '\0' || strlen(eid) >= 64 ||
	    ev == NULL || strlen(ev) >= 64 || !json_is_object(res)) {
		*cause = xstrdup("notification lacks id, event_type or "
		    "resource");
		rc = QUAN_EINVAL;
		goto out;
	}
	alg = jstr(res, "algorithm");
	ct = jstr(res, "ciphertext");
	nc = jstr(res, "nonce");
	aad = jstr(res, "associated_data");
	if (alg == NULL || strcmp(alg, "AEAD_AES_256_GCM") != 0 ||
	    ct == NULL || nc == NULL) {
		*cause = xasprintf("unsupported resource (algorithm %.32s)",
		    alg ? alg : "none");
		rc = QUAN_EINVAL;
		goto out;
	}
	rc = wx_aead_decrypt(key, nc, aad ? aad : "", ct, pt, ptlen, cause);
	if (rc != QUAN_OK) {
		rc = QUAN_EPROTO;
		goto out;
	}
	str_copy(id, 64, eid);
	str_copy(event, 64, ev);
out:
	json_decref(env);
	return rc;
}

static int
parse(struct wx_trust *trust, const uint8_t key[32], const char *serial,
    const char *ts, const char *nonce, const char *sig, const char *body,
    size_t len, int64_t now, struct sync_notice *out, char **cause)
{
	json_t *pay = NULL;
	json_error_t je;
	const char *code, *sid, *openid, *st;
	char *pt = NULL, id[64], ev[64];
	size_t ptlen;
	int rc;

	memset(out, 0, sizeof *out);
	rc = callbacks_open(trust, key, serial, ts, nonce, sig, body, len, now,
	    id, ev, &pt, &ptlen, cause);
	if (rc != QUAN_OK)
		return rc;
	str_copy(out->id, sizeof out->id, id);
	if (strcmp(ev, "COUPON.SEND") != 0) {
		rc = QUAN_ENOTFOUND;
		goto out;
	}
	pay = json_loadb(pt, ptlen, 0, &je);
	code = jstr(pay, "coupon_code");
	sid = jstr(pay, "stock_id");
	openid = jstr(pay, "openid");
	st = jstr(pay, "send_time");
	if (!json_is_object(pay) || code == NULL || sid == NULL ||
	    code[0] == '\0' || sid[0] == '\0' ||
	    strlen(code) >= sizeof out->code ||
	    strlen(sid) >= sizeof out->stock_id ||
	    (openid != NULL && strlen(openid) >= sizeof out->openid)) {
		*cause = xstrdup("COUPON.SEND payload lacks coupon_code or "
		    "stock_id (or they are too long)");
		rc = QUAN_EINVAL;
		goto out;
	}
	/* signed by WeChat, but still text for the cache, the log and
	 * stdout: a code outside busifavor's set (§5.8), or an id, stock
	 * or openid with anything but letters, digits, '-' and '_', is
	 * refused rather than stored (a control character there could
	 * drive the terminal that prints it) */
	if (!callbacks_all_in(code, CB_ALNUM " -_\\/=|") || !callbacks_all_in(sid, CB_ALNUM "-_") ||
	    !callbacks_all_in(id, CB_ALNUM "-_") || (openid != NULL && openid[0] != '\0' &&
	    !callbacks_all_in(openid, CB_ALNUM "-_"))) {
		*cause = xstrdup("COUPON.SEND with a coupon_code, stock_id, "
		    "openid or id outside its character set");
		rc = QUAN_EINVAL;
		goto out;
	}
	out->op = SYNC_OP_NOTICE;
	str_copy(out->code, sizeof out->code, code);
	str_copy(out->stock_id, sizeof out->stock_id, sid);
	str_copy(out->openid, sizeof out->openid, openid ? openid : "");
	if (st == NULL || tm_parse_rfc3339(st, &out->send_time) != 0)
		out->send_time = now;
	rc = QUAN_OK;
out:
	if (pt != NULL) {
		memset(pt, 0, ptlen);
		free(pt);
	}
	json_decref(pay);
	return rc;
}

int
callbacks_parse(struct wx_trust *trust, const uint8_t key[32],
    const char *serial, const char *ts, const char *nonce, const char *sig,
    const char *body, size_t len, int64_t now, struct sync_notice *out,
    char **cause)
{
	int rc = parse(trust, key, serial, ts, nonce, sig, body, len, now, out,
	    cause);

	if (rc != QUAN_OK && rc != QUAN_ENOTFOUND)
		callbacks_clean_cause(cause);
	return rc;
}

char *
callbacks_fail_body(const char *msg)
{
	char clean[256], *txt;
	json_t *j;

	/* jansson refuses a string that is not UTF-8 (json_pack then
	 * returns NULL): the message is cleaned first, and a failure still
	 * gets a fixed body instead of a NULL dereference */
	str_clean(clean, sizeof clean, msg != NULL ? msg : "", msg != NULL ?
	    strlen(msg) : 0);
	j = json_pack("{s:s, s:s}", "code", "FAIL", "message", clean);
	txt = j != NULL ? json_dumps(j, JSON_COMPACT) : NULL;
	json_decref(j);
	return txt != NULL ? txt :
	    xstrdup("{\"code\":\"FAIL\",\"message\":\"refused\"}");
}

int
callbacks_answer(struct wx_trust *trust, const uint8_t key[32],
    const char *method, const char *const hdr[4], const char *body,
    size_t len, int64_t now, struct sync_notice *out, int *status,
    char **reply, char **why)
{
	int rc;

	*why = NULL;
	memset(out, 0, sizeof *out);
	if (method == NULL || strcmp(method, "POST") != 0) {
		*status = 405;
		*reply = callbacks_fail_body("POST only");
		*why = xstrdup("not a POST");
		return QUAN_EINVAL;
	}
	rc = callbacks_parse(trust, key, hdr[0], hdr[1], hdr[2], hdr[3], body,
	    len, now, out, why);
	return callbacks_finish(rc, status, reply, why);
}

int
callbacks_finish(int rc, int *status, char **reply, char **why)
{
	if (rc == QUAN_OK || rc == QUAN_ENOTFOUND) {
		*status = 200;
		*reply = xstrdup("");
		return rc;
	}
	if (*why == NULL)
		*why = xstrdup(quan_strerror(rc));
	*status = rc == QUAN_EPROTO ? 401 : 400;
	*reply = callbacks_fail_body(*why);
	return rc;
}

static void
send_reply(struct httpd_resp *resp, int status, const char *body)
{
	httpd_resp_status(resp, status);
	httpd_resp_header(resp, "Content-Type", "application/json");
	httpd_resp_body(resp, body, strlen(body));
}

/* Hand a notice (n bytes, tag 0 + op first) to the main thread; a full
 * queue turns the answer into 503 (WeChat retries: nothing is lost). 1
 * posted. */
static int
post_notice(struct callbacks *cb, const void *n, size_t len, int *status,
    char **reply)
{
	struct ev ev;

	syncmsg_put(&ev, EV_SYNC_DONE, n, len);
	ev.t_mono_us = tm_mono_us();
	if (evq_post(cb->out, &ev) != QUAN_OK) {
		atomic_fetch_add(&cb->queue_full, 1);
		free(*reply);
		*reply = callbacks_fail_body("busy, retry");
		*status = 503;
		return 0;
	}
	atomic_fetch_add(&cb->accepted, 1);
	return 1;
}

/* A product coupon notification: answered and posted like a COUPON.SEND
 * (its own verification, key and notice). */
static void
handle_pc(struct callbacks *cb, const struct httpd_req *req,
    const char *const hdr[4], const char *body, size_t len,
    struct httpd_resp *resp)
{
	struct pc_notice n;
	char *why = NULL, *reply = NULL, m[16];
	int rc, status;

	rc = callbacks_pc_answer(cb->pc_trust, cb->pc_key, hdr, body, len,
	    tm_now(), &n, &status, &reply, &why);
	if (rc == QUAN_ENOTFOUND) {
		atomic_fetch_add(&cb->ignored, 1);
		log_info("notification %s: %s acknowledged", n.c.notify_id,
		    n.event);
	} else if (rc != QUAN_OK) {
		atomic_fetch_add(&cb->rejected, 1);
		log_warn("product coupon notification from %s refused: %s",
		    httpd_req_peer(req), why);
	} else if (post_notice(cb, &n, sizeof n, &status, &reply)) {
		atomic_fetch_add(&cb->pc_accepted, 1);
		log_info("%s %s: code %s stock %s", n.event, n.c.notify_id,
		    log_mask(n.c.code, m, sizeof m), n.c.stock_id);
	}
	send_reply(resp, status, reply);
	free(reply);
	free(why);
}

static void
handle(void *arg, const struct httpd_req *req, struct httpd_resp *resp)
{
	struct callbacks *cb = arg;
	struct sync_notice n;
	const char *body, *hdr[4];
	char *why = NULL, *reply = NULL, m[16];
	size_t len;
	int rc, status;

	atomic_fetch_add(&cb->received, 1);
	hdr[0] = httpd_req_header(req, "Wechatpay-Serial");
	hdr[1] = httpd_req_header(req, "Wechatpay-Timestamp");
	hdr[2] = httpd_req_header(req, "Wechatpay-Nonce");
	hdr[3] = httpd_req_header(req, "Wechatpay-Signature");
	body = httpd_req_body(req, &len);
	if (cb->have_pc && strcmp(httpd_req_method(req), "POST") == 0 &&
	    callbacks_pc_event(body, len)) {
		handle_pc(cb, req, hdr, body, len, resp);
		return;
	}
	if (cb->trust == NULL) {
		/* brand-only till: no merchant-coupon keys to check with */
		atomic_fetch_add(&cb->rejected, 1);
		reply = callbacks_fail_body("not a product coupon notification");
		send_reply(resp, 401, reply);
		free(reply);
		return;
	}
	rc = callbacks_answer(cb->trust, cb->key, httpd_req_method(req), hdr,
	    body, len, tm_now(), &n, &status, &reply, &why);
	if (rc == QUAN_ENOTFOUND) {
		atomic_fetch_add(&cb->ignored, 1);
		log_info("notification %s: not COUPON.SEND; acknowledged",
		    n.id);
	} else if (status == 405) {
		log_debug("%s from %s: POST only", httpd_req_method(req),
		    httpd_req_peer(req));
	} else if (rc != QUAN_OK) {
		atomic_fetch_add(&cb->rejected, 1);
		log_warn("notification from %s refused: %s",
		    httpd_req_peer(req), why);
	} else if (post_notice(cb, &n, sizeof n, &status, &reply)) {
		log_info("COUPON.SEND %s: code %s stock %s", n.id,
		    log_mask(n.code, m, sizeof m), n.stock_id);
	}
	send_reply(resp, status, reply);
	free(reply);
	free(why);
}

int
callbacks_start(const struct callbacks_opts *o, struct callbacks **out,
    unsigned *port_out, char **cause)
{
	struct callbacks *cb;
	struct httpd_opts ho;
	int rc;

	*out = NULL;
	if (((o->trust == NULL || o->apiv3_key == NULL) &&
	    (o->pc_trust == NULL || o->pc_key == NULL)) || o->out == NULL) {
		*cause = xstrdup("callbacks need the [wechatpay] keys "
		    "(apiv3_key and a platform certificate or public key) or "
		    "the [product_coupon] ones");
		return QUAN_ECONFIG;
	}
	cb = xcalloc(1, sizeof *cb);
	if (o->trust != NULL && o->apiv3_key != NULL) {
		cb->trust = o->trust;
		memcpy(cb->key, o->apiv3_key, sizeof cb->key);
	}
	if (o->pc_trust != NULL && o->pc_key != NULL) {
		cb->pc_trust = o->pc_trust;
		memcpy(cb->pc_key, o->pc_key, sizeof cb->pc_key);
		cb->have_pc = 1;
	}
	cb->out = o->out;
	memset(&ho, 0, sizeof ho);
	ho.addr = o->addr;
	ho.port = o->port;
	ho.cert_pem = o->cert_pem;
	ho.key_pem = o->key_pem;
	ho.max_body = CB_BODY_MAX;
	ho.timeout_s = 5;
	ho.handler = handle;
	ho.arg = cb;
	if ((rc = httpd_start(&ho, &cb->h, port_out, cause)) != QUAN_OK) {
		memset(cb->key, 0, sizeof cb->key);
		memset(cb->pc_key, 0, sizeof cb->pc_key);
		free(cb);
		return rc;
	}
	*out = cb;
	return QUAN_OK;
}

void
callbacks_stop(struct callbacks *cb)
{
	if (cb == NULL)
		return;
	httpd_stop(cb->h);
	memset(cb->key, 0, sizeof cb->key);
	memset(cb->pc_key, 0, sizeof cb->pc_key);
	free(cb);
}

void
callbacks_stats(struct callbacks *cb, struct callbacks_stats *out)
{
	out->received = atomic_load(&cb->received);
	out->accepted = atomic_load(&cb->accepted);
	out->rejected = atomic_load(&cb->rejected);
	out->ignored = atomic_load(&cb->ignored);
	out->queue_full = atomic_load(&cb->queue_full);
	out->pc_accepted = atomic_load(&cb->pc_accepted);
}
