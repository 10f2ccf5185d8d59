/*
 * callbacks_pc.c — 商品券 send notifications (PRODUCT_COUPON.SEND in brand
 * mode, PRODUCT_COUPON_SP.SEND in partner mode; doc §4.7): verified with
 * the mode's trust store before anything is read, decrypted with the
 * mode's key (品牌API密钥 / APIv3 key), checked field by field into a
 * registry row (core/pcoupon.h) that crosses to the main thread by value;
 * there stored through store_pc_notified (a redelivery is seen once) and
 * confirmed (确认发放) so the coupon leaves CONFIRMING: the confirm's
 * request number is derived from (stock, code), so a repeat after a crash
 * or a redelivery sends the same request and WeChat answers it again.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "crypto/crypto.h"
#include "crypto/wxsign.h"
#include "net/callbacks.h"
#include "net/callbacks_int.h"
#include "net/pcoupon.h"
#include "store/store.h"
#include "store/store_pcoupon.h"
#include "util/err.h"
#include "util/log.h"
#include "util/str.h"
#include "util/tm.h"
#include "util/xmem.h"

#define ID_SET CB_ALNUM "-_"

int
callbacks_pc_event(const char *body, size_t len)
{
	static const char k[] = "\"event_type\"";
	const char *p = body, *end = body + len;

	/* routing only (the chosen path verifies everything): the word
	 * PRODUCT_COUPON after "event_type" */
	for (; (size_t)(end - p) >= sizeof k - 1; p++) {
		const char *q = p;

		if (memcmp(p, k, sizeof k - 1) != 0)
			continue;
		q += sizeof k - 1;
		while (q < end && (*q == ' ' || *q == ':' || *q == '"' ||
		    *q == '\t'))
			q++;
		if ((size_t)(end - q) >= 14 && memcmp(q, "PRODUCT_COUPON",
		    14) == 0)
			return 1;
	}
	return 0;
}

/* String k of o into dst[n] (n includes the NUL): required (req) or
 * optional, made of set when set != NULL. 1 ok, 0 with *cause. */
static int
field(json_t *o, const char *k, char *dst, size_t n, int req,
    const char *set, char **cause)
{
	json_t *v = json_object_get(o, k);
	const char *s;

	dst[0] = '\0';
	if (v == NULL || json_is_null(v)) {
		if (!req)
			return 1;
		*cause = xasprintf("SEND lacks %s", k);
		return 0;
	}
	s = json_string_value(v);
	if (s == NULL || strlen(s) >= n || (req && s[0] == '\0') ||
	    (set != NULL && s[0] != '\0' && !callbacks_all_in(s, set))) {
		*cause = xasprintf("SEND field %s: not a string of at most "
		    "%zu allowed characters", k, n - 1);
		return 0;
	}
	memcpy(dst, s, strlen(s) + 1);
	return 1;
}

static int
time_field(json_t *o, const char *k, int64_t *dst, int req, char **cause)
{
	char t[48];

	if (!field(o, k, t, sizeof t, req, NULL, cause))
		return 0;
	*dst = 0;
	if (t[0] != '\0' && tm_parse_rfc3339_min(t, dst) != 0) {
		*cause = xasprintf("SEND field %s: not RFC 3339", k);
		return 0;
	}
	return 1;
}

static int
payload(const char *pt, size_t n, struct pc_coupon *c, char **cause)
{
	json_error_t je;
	json_t *o = json_loadb(pt, n, 0, &je);
	char sreq[130];
	int ok;

	if (!json_is_object(o)) {
		json_decref(o);
		*cause = xstrdup("SEND resource is not a JSON object");
		return 0;
	}
	/* every id is letters, digits, '-', '_' (a coupon code is
	 * [0-9A-Za-z_-]{1,40} per §5.2): nothing else reaches the store,
	 * the log or a screen */
	ok = field(o, "coupon_code", c->code, sizeof c->code, 1, ID_SET,
	    cause) &&
	    field(o, "stock_id", c->stock_id, sizeof c->stock_id, 1, ID_SET,
	    cause) &&
	    field(o, "product_coupon_id", c->product_coupon_id,
	    sizeof c->product_coupon_id, 1, ID_SET, cause) &&
	    field(o, "brand_id", c->brand_id, sizeof c->brand_id, 1, ID_SET,
	    cause) &&
	    field(o, "appid", c->appid, sizeof c->appid, 1, ID_SET, cause) &&
	    field(o, "openid", c->openid, sizeof c->openid, 1, ID_SET,
	    cause) &&
	    field(o, "stock_bundle_id", c->stock_bundle_id,
	    sizeof c->stock_bundle_id, 0, ID_SET, cause) &&
	    field(o, "user_coupon_bundle_id", c->user_coupon_bundle_id,
	    sizeof c->user_coupon_bundle_id, 0, ID_SET, cause) &&
	    field(o, "send_request_no", sreq, sizeof sreq, 0, ID_SET, cause) &&
	    time_field(o, "valid_begin_time", &c->valid_begin, 0, cause) &&
	    time_field(o, "valid_end_time", &c->valid_end, 0, cause) &&
	    time_field(o, "receive_time", &c->receive_time, 0, cause);
	/* kept when it fits the registry (≤40; WeChat allows 128) */
	if (ok && strlen(sreq) < sizeof c->send_request_no)
		memcpy(c->send_request_no, sreq, strlen(sreq) + 1);
	json_decref(o);
	return ok;
}

int
callbacks_pc_parse(struct wx_trust *trust, const uint8_t key[32],
    const char *serial, const char *ts, const char *nonce, const char *sig,
    const char *body, size_t len, int64_t now, struct pc_notice *out,
    char **cause)
{
	char *pt = NULL, id[64], ev[64];
	size_t ptlen = 0;
	int rc;

	memset(out, 0, sizeof *out);
	if (key == NULL) {
		*cause = xstrdup("no key to decrypt product coupon "
		    "notifications");
		return QUAN_EPROTO;
	}
	rc = callbacks_open(trust, key, serial, ts, nonce, sig, body, len, now,
	    id, ev, &pt, &ptlen, cause);
	if (rc == QUAN_OK) {
		if (!callbacks_all_in(id, ID_SET)) {
			*cause = xstrdup("notification id outside its "
			    "character set");
			rc = QUAN_EINVAL;
		} else if (strcmp(ev, "PRODUCT_COUPON.SEND") != 0 &&
		    strcmp(ev, "PRODUCT_COUPON_SP.SEND") != 0) {
			/* USE/RETURN (SK only, unconfirmed) and anything
			 * else: acknowledged, nothing to do */
			rc = QUAN_ENOTFOUND;
		} else if (!payload(pt, ptlen, &out->c, cause)) {
			rc = QUAN_EINVAL;
		} else {
			out->op = SYNC_OP_PC_NOTICE;
			out->c.state = PC_ST_UNKNOWN; /* CONFIRMING at store */
			out->c.source = PC_SRC_NOTIFY;
			str_copy(out->c.notify_id, sizeof out->c.notify_id, id);
			if (out->c.receive_time == 0)
				out->c.receive_time = now;
			out->received_at = now;
		}
		str_copy(out->event, sizeof out->event, ev);
	}
	if (pt != NULL) {
		memset(pt, 0, ptlen);
		free(pt);
	}
	if (rc != QUAN_OK && rc != QUAN_ENOTFOUND)
		callbacks_clean_cause(cause);
	return rc;
}

int
callbacks_pc_answer(struct wx_trust *trust, const uint8_t key[32],
    const char *const hdr[4], const char *body, size_t len, int64_t now,
    struct pc_notice *out, int *status, char **reply, char **why)
{
	int rc;

	*why = NULL;
	rc = callbacks_pc_parse(trust, key, hdr[0], hdr[1], hdr[2], hdr[3],
	    body, len, now, out, why);
	return callbacks_finish(rc, status, reply, why);
}

/* ---- main thread: the registry and 确认发放 --------------------------- */

int
callbacks_pc_store(struct store *st, const struct pc_notice *n,
    char **cause)
{
	int rc;

	*cause = NULL;
	rc = store_pc_notified(st, &n->c, n->received_at);
	if (rc == QUAN_EEXIST)
		return 1;
	if (rc != QUAN_OK)
		*cause = xstrdup(store_errmsg(st));
	return rc;
}

void
callbacks_pc_confirm_no(const char *stock_id, const char *code,
    char out[41])
{
	uint8_t h[CRYPTO_SHA256_LEN];
	char hex[2 * CRYPTO_SHA256_LEN + 1], *k;

	/* "C" + 32 hex of SHA-256(stock|code): the same for every try of
	 * this coupon, 33 characters of [0-9A-Za-z_-] */
	k = xasprintf("%s|%s", stock_id, code);
	crypto_sha256(k, strlen(k), h);
	free(k);
	crypto_hex(h, sizeof h, hex);
	snprintf(out, 41, "C%.32s", hex);
}

/* After a refused confirm: WeChat's state of the coupon into the row. */
static void
mirror_state(struct store *st, struct pcoupon *p, const struct pc_coupon *c,
    int64_t now)
{
	struct pc_result r;

	pc_result_init(&r);
	if (pcoupon_get(p, c->openid, c->code, c->product_coupon_id,
	    c->stock_id, &r) == 0 && r.w.http == 200 &&
	    r.coupon.state != PC_ST_UNKNOWN &&
	    r.coupon.state != PC_ST_CONFIRMING)
		(void)store_pc_set_state(st, c->code, c->stock_id,
		    r.coupon.state, now);
	pc_result_free(&r);
}

int
callbacks_pc_confirm(struct store *st, struct pcoupon *p,
    const struct pcoupon_ctx *x, int64_t now, int *confirmed,
    char **cause)
{
	struct pc_coupon rows[32];
	struct pc_result r;
	char reqno[41], m[16], *body;
	int n = 0, i, rc, left = 0;

	*confirmed = 0;
	*cause = NULL;
	if ((rc = store_pc_unconfirmed(st, rows, 32, &n)) != QUAN_OK) {
		*cause = xstrdup(store_errmsg(st));
		return rc;
	}
	if (n > 32)
		n = 32;
	pc_result_init(&r);
	for (i = 0; i < n; i++) {
		const struct pc_coupon *c = &rows[i];
		const char *why = NULL;
		enum wxpay_class k;

		callbacks_pc_confirm_no(c->stock_id, c->code, reqno);
		body = pc_simple_body(c->product_coupon_id, c->stock_id,
		    c->appid[0] ? c->appid : pcoupon_ctx_appid(x), reqno, NULL,
		    pcoupon_ctx_mode(x) == CONFIG_PC_PARTNER ? (c->brand_id[0] ?
		    c->brand_id : pcoupon_ctx_brand_id(x)) : NULL, cause);
		if (body == NULL) {
			log_error("confirm %s: %s", log_mask(c->code, m,
			    sizeof m), *cause);
			free(*cause);
			*cause = NULL;
			continue;
		}
		(void)pcoupon_confirm(p, c->openid, c->code, body,
		    strlen(body), &r);
		free(body);
		k = pcoupon_classify(&r, &why);
		if (k == WXPAY_OK && (r.coupon.state == PC_ST_EFFECTIVE ||
		    r.coupon.state == PC_ST_PENDING)) {
			if (store_pc_confirmed(st, c->code, c->stock_id, reqno,
			    r.coupon.state, now) == QUAN_OK)
				(*confirmed)++;
			log_info("confirmed %s stock %s: %s", log_mask(c->code,
			    m, sizeof m), c->stock_id,
			    pc_state_name((int)r.coupon.state));
		} else if (k == WXPAY_REJECTED || k == WXPAY_ALREADY) {
			/* confirmed before under another number, used,
			 * deactivated …: the row follows WeChat */
			log_warn("confirm %s refused (%s, Request-ID %s)",
			    log_mask(c->code, m, sizeof m), why,
			    r.w.request_id);
			mirror_state(st, p, c, now);
		} else {
			left++;
			log_warn("confirm %s: %s (%s); retried later",
			    log_mask(c->code, m, sizeof m), why,
			    r.w.message);
		}
	}
	pc_result_free(&r);
	return left > 0 ? QUAN_EBUSY : QUAN_OK;
}
