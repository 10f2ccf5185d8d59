/*
 * wxpay.c — the WeChat Pay APIv3 merchant-coupon client behind wxpay.h:
 * signing, verification before parsing, the typed results and their
 * classification. The platform certificates' download is wxpay_certs.c.
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "crypto/wxsign.h"
#include "net/wxpay.h"
#include "net/wxpay_int.h"
#include "util/config.h"
#include "util/err.h"
#include "util/log.h"
#include "util/str.h"
#include "util/tm.h"
#include "util/xmem.h"



int64_t
wxpay_ctx_now(const struct wxpay_ctx *c)
{
	return c->now ? c->now() : tm_now();
}

/* ---- context ---------------------------------------------------------- */

int
wxpay_ctx_new(const struct wxpay_cfg *cfg, struct wxpay_ctx **out,
    char **cause)
{
	struct wxpay_ctx *c;
	char *c2 = NULL;
	int rc;

	*out = NULL;
	if (!str_empty(cfg->brand_id)) {
		if (str_empty(cfg->merchant_serial) ||
		    str_empty(cfg->private_key) || str_empty(cfg->base_url) ||
		    str_empty(cfg->public_key) ||
		    str_empty(cfg->public_key_id)) {
			err_set_cause(cause, xstrdup("[product_coupon] brand "
			    "mode needs brand_serial, private_key, public_key, "
			    "public_key_id and base_url"));
			return QUAN_ECONFIG;
		}
		if (!str_empty(cfg->platform_cert)) {
			/* 品牌API: "只提供公私钥模式，不再提供平台证书模式" */
			err_set_cause(cause, xstrdup("[product_coupon] brand "
			    "mode verifies with the public key only"));
			return QUAN_ECONFIG;
		}
	} else if (str_empty(cfg->mchid) || str_empty(cfg->merchant_serial) ||
	    str_empty(cfg->private_key) || str_empty(cfg->base_url)) {
		err_set_cause(cause, xstrdup("[wechatpay] needs mchid, "
		    "merchant_serial, private_key and base_url"));
		return QUAN_ECONFIG;
	}
	if (str_empty(cfg->public_key_id) != str_empty(cfg->public_key)) {
		err_set_cause(cause, xstrdup("[wechatpay] public_key and "
		    "public_key_id go together"));
		return QUAN_ECONFIG;
	}
	if (!str_empty(cfg->public_key_id) && strncmp(cfg->public_key_id,
	    WX_PUBKEY_ID_PREFIX, strlen(WX_PUBKEY_ID_PREFIX)) != 0) {
		err_set_cause(cause,
		    xstrdup("[wechatpay] public_key_id must start "
		    "with PUB_KEY_ID_"));
		return QUAN_ECONFIG;
	}
	if (str_empty(cfg->apiv3_key) && str_empty(cfg->public_key)) {
		err_set_cause(cause,
		    xstrdup("[wechatpay] no way to verify WeChat "
		    "Pay: set apiv3_key (platform certificates) or "
		    "public_key + public_key_id"));
		return QUAN_ECONFIG;
	}
	/* whoever can rewrite a trust file can impersonate WeChat: refused
	 * like key files others can read */
	if ((rc = config_check_trust_file(cfg->ca_file, &c2)) != 0 ||
	    (rc = config_check_trust_file(cfg->platform_cert, &c2)) != 0 ||
	    (rc = config_check_trust_file(cfg->public_key, &c2)) != 0) {
		err_set_cause(cause, xasprintf("[%s] %s",
		    str_empty(cfg->brand_id) ? "wechatpay" : "product_coupon",
		    c2));
		free(c2);
		return QUAN_ECONFIG;
	}
	c = xcalloc(1, sizeof *c);
	c->base_url = xstrdup(cfg->base_url);
	while (strlen(c->base_url) > 0 &&
	    c->base_url[strlen(c->base_url) - 1] == '/')
		c->base_url[strlen(c->base_url) - 1] = '\0';
	c->scheme = str_empty(cfg->brand_id) ? WX_SCHEME_MERCHANT :
	    WX_SCHEME_BRAND;
	c->mchid = xstrdup(c->scheme == WX_SCHEME_BRAND ? cfg->brand_id :
	    cfg->mchid);
	c->serial = xstrdup(cfg->merchant_serial);
	c->public_key_id = str_empty(cfg->public_key_id) ? NULL :
	    xstrdup(cfg->public_key_id);
	c->ca_file = str_empty(cfg->ca_file) ? NULL : xstrdup(cfg->ca_file);
	c->connect_ms = cfg->connect_timeout_ms;
	c->total_ms = cfg->timeout_ms;
	c->trust = wx_trust_new();
	pthread_mutex_init(&c->refresh_mu, NULL);
	if ((rc = wx_key_load_file(cfg->private_key, &c->key, &c2)) != 0)
		goto fail;
	if (!str_empty(cfg->apiv3_key)) {
		if ((rc = wx_apiv3_key_load(cfg->apiv3_key, c->apiv3,
		    &c2)) != 0)
			goto fail;
		c->have_apiv3 = 1;
	}
	if (!str_empty(cfg->public_key)) {
		struct wx_pub *p = NULL;
		if ((rc = wx_pub_load_file(cfg->public_key, &p, &c2)) != 0)
			goto fail;
		rc = wx_trust_add_pub(c->trust, cfg->public_key_id, p);
		wx_pub_free(p);
		if (rc != 0)
			goto fail;
	}
	if (!str_empty(cfg->platform_cert)) {
		struct wx_cert *pc = NULL;
		if ((rc = wx_cert_load_file(cfg->platform_cert, &pc,
		    &c2)) != 0)
			goto fail;
		rc = wx_trust_add_cert(c->trust, pc);
		wx_cert_free(pc);
		if (rc != 0)
			goto fail;
	}
	*out = c;
	return QUAN_OK;
fail:
	err_set_cause(cause, xasprintf("[%s] %s", str_empty(cfg->brand_id) ?
	    "wechatpay" : "product_coupon", c2 ? c2 : "bad key"));
	free(c2);
	wxpay_ctx_free(c);
	return rc;
}

void
wxpay_ctx_free(struct wxpay_ctx *c)
{
	if (c == NULL)
		return;
	free(c->base_url);
	free(c->mchid);
	free(c->serial);
	free(c->public_key_id);
	free(c->ca_file);
	wx_key_free(c->key);
	wx_trust_free(c->trust);
	memset(c->apiv3, 0, sizeof c->apiv3);
	pthread_mutex_destroy(&c->refresh_mu);
	free(c);
}

struct wx_trust *
wxpay_ctx_trust(struct wxpay_ctx *c)
{
	return c->trust;
}

const uint8_t *
wxpay_ctx_apiv3_key(const struct wxpay_ctx *c)
{
	return c->have_apiv3 ? c->apiv3 : NULL;
}

void
wxpay_ctx_set_clock(struct wxpay_ctx *c, int64_t (*now)(void))
{
	c->now = now;
}

int
wxpay_new(struct wxpay_ctx *c, const atomic_int *stop, struct wxpay **out,
    char **cause)
{
	struct wxpay *w;
	int rc;

	*out = NULL;
	w = xcalloc(1, sizeof *w);
	w->c = c;
	if ((rc = http_new_timed(c->ca_file, c->connect_ms, c->total_ms, stop,
	    &w->h, cause)) != 0) {
		free(w);
		return rc;
	}
	*out = w;
	return QUAN_OK;
}

void
wxpay_free(struct wxpay *w)
{
	if (w == NULL)
		return;
	http_free(w->h);
	free(w);
}

long
wxpay_connections(const struct wxpay *w)
{
	return http_connections(w->h);
}

/* ---- results ---------------------------------------------------------- */

void
wxpay_result_init(struct wxpay_result *r)
{
	memset(r, 0, sizeof *r);
	r->total_count = -1;
}

void
wxpay_result_free(struct wxpay_result *r)
{
	if (r == NULL)
		return;
	free(r->body);
	wxpay_result_init(r);
}

static int
code_is(const struct wxpay_result *r, const char *code)
{
	return strcmp(r->code, code) == 0;
}

enum wxpay_class
wxpay_classify(const struct wxpay_result *r, const char **reason)
{
	const char *why;
	enum wxpay_class k;

	if (r->rc != 0) {
		k = WXPAY_RETRY;
		why = r->rc == QUAN_EPROTO || r->rc == QUAN_ETOOBIG ||
		    r->rc == QUAN_ECLOCK ? "bad_reply" : "network";
	} else if (r->http >= 200 && r->http < 300) {
		k = WXPAY_OK;
		why = "ok";
	} else if (r->http == 429 || code_is(r, "FREQUENCY_LIMITED") ||
	    code_is(r, "RATELIMIT_EXCEEDED")) {
		k = WXPAY_RETRY;
		why = "rate_limited";
	} else if (r->http >= 500 || code_is(r, "SYSTEM_ERROR") ||
	    code_is(r, "SERVICE_UNAVAILABLE")) {
		k = WXPAY_RETRY;
		why = "wechat_busy";
	} else if (r->http < 400) {
		k = WXPAY_RETRY; /* 1xx/3xx: not an answer we understand */
		why = "bad_reply";
	} else if (code_is(r, "RESOURCE_ALREADY_EXISTS")) {
		k = WXPAY_ALREADY;
		why = "already_used";
	} else if (r->http == 401 || code_is(r, "SIGN_ERROR")) {
		k = WXPAY_CONFIG;
		why = "sign_error";
	} else if (code_is(r, "NO_AUTH") || code_is(r, "NOAUTH") ||
	    code_is(r, "APPID_MCHID_NOT_MATCH") ||
	    code_is(r, "MCH_NOT_EXISTS")) {
		k = WXPAY_CONFIG;
		why = "config_error";
	} else {
		k = WXPAY_REJECTED;
		if (code_is(r, "RESOURCE_NOT_EXISTS"))
			why = "coupon_unknown";
		else if (code_is(r, "RULELIMIT") || code_is(r, "RULE_LIMIT"))
			why = "not_usable_now";
		else if (code_is(r, "USER_NOT_EXISTS"))
			why = "user_unknown";
		else if (code_is(r, "PARAM_ERROR"))
			why = "bad_request";
		else if (code_is(r, "INVALID_REQUEST"))
			why = "not_usable";
		else
			why = "rejected";
	}
	if (reason != NULL)
		*reason = why;
	return k;
}

const char *
wxpay_class_name(enum wxpay_class c)
{
	switch (c) {
	case WXPAY_OK:
		return "ok";
	case WXPAY_RETRY:
		return "retry";
	case WXPAY_ALREADY:
		return "already";
	case WXPAY_REJECTED:
		return "rejected";
	case WXPAY_CONFIG:
		return "config";
	}
	return "?";
}

/* ---- bodies (the coupon calls' are app/core/wxbody.c's) --------------- */

static int
put_str(json_t *o, const char *k, const char *v)
{
	json_t *s = json_string(v); /* NULL on invalid UTF-8 */

	return s != NULL && json_object_set_new(o, k, s) == 0;
}

static char *
dump(json_t *o, int ok)
{
	char *s = ok ? json_dumps(o, JSON_COMPACT) : NULL;
	char *r = s ? xstrdup(s) : NULL;

	free(s);
	json_decref(o);
	return r;
}

/* ---- verification and parsing ----------------------------------------- */

static void
res_msg(struct wxpay_result *res, const char *m)
{
	snprintf(res->message, sizeof res->message, "%s", m ? m : "");
}

/* Copy string field k of o into dst (size n). 1 ok/absent, 0 wrong type
 * or too long (message set). */
static int
take_str(json_t *o, const char *k, char *dst, size_t n,
    struct wxpay_result *res)
{
	json_t *v = json_object_get(o, k);

	if (v == NULL || json_is_null(v))
		return 1;
	if (!json_is_string(v)) {
		snprintf(res->message, sizeof res->message,
		    "reply field %s is not a string", k);
		return 0;
	}
	if (json_string_length(v) >= n) {
		snprintf(res->message, sizeof res->message,
		    "reply field %s is too long", k);
		return 0;
	}
	snprintf(dst, n, "%s", json_string_value(v));
	return 1;
}

/* An optional RFC 3339 string field k of o as epoch s; 0 when absent or
 * not a time (these only choose the cashier's words, never money). */
static int64_t
opt_time(json_t *o, const char *k)
{
	json_t *v = json_object_get(o, k);
	int64_t t;

	if (!json_is_string(v) ||
	    tm_parse_rfc3339(json_string_value(v), &t) != 0 || t < 0)
		return 0;
	return t;
}

static int
parse_fields(json_t *o, struct wxpay_result *res)
{
	static const char *const times[] = { "wechatpay_use_time",
	    "wechatpay_return_time", "wechatpay_deactivate_time",
	    "update_time", NULL };
	json_t *tc;
	size_t i;

	if (!take_str(o, "stock_id", res->stock_id, sizeof res->stock_id, res)
	    || !take_str(o, "openid", res->openid, sizeof res->openid, res) ||
	    !take_str(o, "coupon_state", res->coupon_state,
	    sizeof res->coupon_state, res) ||
	    !take_str(o, "coupon_code", res->coupon_code,
	    sizeof res->coupon_code, res) ||
	    !take_str(o, "use_request_no", res->use_request_no,
	    sizeof res->use_request_no, res) ||
	    !take_str(o, "stock_state", res->stock_state,
	    sizeof res->stock_state, res) ||
	    !take_str(o, "notify_url", res->notify_url,
	    sizeof res->notify_url, res))
		return 0;
	for (i = 0; times[i] != NULL; i++) {
		if (!take_str(o, times[i], res->time, sizeof res->time, res))
			return 0;
		if (res->time[0] != '\0') {
			int64_t t;
			if (tm_parse_rfc3339(res->time, &t) != 0) {
				snprintf(res->message, sizeof res->message,
				    "reply field %s is not RFC 3339", times[i]);
				return 0;
			}
			break;
		}
	}
	res->used_at = opt_time(o, "use_time");
	if (res->used_at == 0)
		res->used_at = opt_time(json_object_get(o,
		    "consume_information"), "consume_time");
	res->start_at = opt_time(o, "available_start_time");
	res->expire_at = opt_time(o, "expire_time");
	tc = json_object_get(o, "total_count");
	if (tc != NULL) {
		if (!json_is_integer(tc) || json_integer_value(tc) < 0) {
			res_msg(res, "reply field total_count is not a count");
			return 0;
		}
		res->total_count = json_integer_value(tc);
	}
	return 1;
}

static int
signed_reply(const struct http_resp *r)
{
	return http_resp_header(r, "Wechatpay-Signature") != NULL ||
	    http_resp_header(r, "Wechatpay-Timestamp") != NULL ||
	    http_resp_header(r, "Wechatpay-Nonce") != NULL ||
	    http_resp_header(r, "Wechatpay-Serial") != NULL;
}

int
wxpay_process(struct wxpay_ctx *c, const struct http_resp *r,
    const char *const *required, struct wxpay_result *res)
{
	const char *rid = http_resp_header(r, "Request-ID");
	const char *body = buf_str(&r->body);
	size_t len = r->body.len, i;
	int ok2xx = r->status >= 200 && r->status < 300;
	json_error_t jerr;
	json_t *o;
	char *cause = NULL;
	int rc;

	wxpay_result_free(res);
	res->http = r->status;
	res->elapsed_us = r->elapsed_us;
	snprintf(res->request_id, sizeof res->request_id, "%s",
	    rid ? rid : "");
	res->body = xstrndup(body, len);
	res->body_len = len;
	if (ok2xx || signed_reply(r)) {
		const char *st = http_resp_header(r,
		    "Wechatpay-Signature-Type");

		/* the answer's signature is the same RSA-SHA256 in both
		 * schemes; a brand may see either word */
		if (st != NULL && strcmp(st, WX_AUTH_SCHEMA) != 0 &&
		    (c->scheme != WX_SCHEME_BRAND ||
		    strcmp(st, WX_BRAND_AUTH_SCHEMA) != 0)) {
			res->rc = QUAN_EPROTO;
			snprintf(res->message, sizeof res->message,
			    "reply not trusted: Wechatpay-Signature-Type "
			    "'%.40s' is not %s", st,
			    wx_scheme_schema(c->scheme));
			return QUAN_EPROTO;
		}
		rc = wx_trust_verify(c->trust,
		    http_resp_header(r, "Wechatpay-Serial"),
		    http_resp_header(r, "Wechatpay-Timestamp"),
		    http_resp_header(r, "Wechatpay-Nonce"),
		    http_resp_header(r, "Wechatpay-Signature"), body, len,
		    wxpay_ctx_now(c), &cause);
		if (rc != 0) {
			/* a wrong clock stays a code: the till says so */
			res->rc = rc == QUAN_ECLOCK ? QUAN_ECLOCK :
			    QUAN_EPROTO;
			snprintf(res->message, sizeof res->message,
			    "reply not trusted: %s", cause ? cause : "?");
			free(cause);
			return rc == QUAN_ENOTFOUND ? QUAN_ENOTFOUND :
			    res->rc;
		}
		res->verified = 1;
	}
	if (len == 0) {
		if (!ok2xx)
			snprintf(res->message, sizeof res->message, "HTTP %ld",
			    r->status);
		else if (required != NULL && required[0] != NULL) {
			res->rc = QUAN_EPROTO;
			snprintf(res->message, sizeof res->message,
			    "reply has no body (expected %s)", required[0]);
			return res->rc;
		}
		res->rc = 0;
		return 0;
	}
	o = json_loadb(body, len, JSON_REJECT_DUPLICATES, &jerr);
	if (o == NULL || !json_is_object(o)) {
		json_decref(o);
		if (!ok2xx) {
			/* An error page from a proxy: keep the status. */
			snprintf(res->message, sizeof res->message,
			    "HTTP %ld (body is not JSON)", r->status);
			res->rc = 0;
			return 0;
		}
		res->rc = QUAN_EPROTO;
		snprintf(res->message, sizeof res->message,
		    "reply is not a JSON object: %s", jerr.text);
		return res->rc;
	}
	if (!ok2xx) {
		if (!take_str(o, "code", res->code, sizeof res->code, res) ||
		    !take_str(o, "message", res->message, sizeof res->message,
		    res)) {
			res->code[0] = '\0';
			snprintf(res->message, sizeof res->message,
			    "HTTP %ld (malformed error body)", r->status);
		}
		json_decref(o);
		res->rc = 0;
		return 0;
	}
	if (!parse_fields(o, res)) {
		json_decref(o);
		res->rc = QUAN_EPROTO;
		return res->rc;
	}
	for (i = 0; required != NULL && required[i] != NULL; i++) {
		json_t *v = json_object_get(o, required[i]);
		if (v == NULL || json_is_null(v)) {
			snprintf(res->message, sizeof res->message,
			    "reply lacks field %s", required[i]);
			json_decref(o);
			res->rc = QUAN_EPROTO;
			return res->rc;
		}
	}
	json_decref(o);
	res->rc = 0;
	return 0;
}

/* ---- transport -------------------------------------------------------- */

/* One signed exchange; label names the operation in logs (paths carry
 * coupon codes and openids, which are not logged). */
static int
exchange(struct wxpay *w, const char *label, const char *method,
    const char *path_query, const char *body, size_t len,
    const char *const *required, struct wxpay_result *res, int may_refresh)
{
	struct wxpay_ctx *c = w->c;
	struct http_resp r;
	char *auth = NULL, *url, *ah, *sh = NULL, *cause = NULL;
	const char *hdrs[6];
	size_t nh = 0;
	int rc, sent;

	wxpay_result_free(res);
	rc = wx_auth_header_as(c->scheme, c->key, c->mchid, c->serial, method,
	    path_query, body, body ? len : 0, NULL, NULL, &auth);
	if (rc != 0) {
		res->rc = rc;
		res_msg(res, "cannot sign the request");
		return rc;
	}
	url = xasprintf("%s%s", c->base_url, path_query);
	ah = xasprintf("Authorization: %s", auth);
	free(auth);
	hdrs[nh++] = ah;
	hdrs[nh++] = "Accept: application/json";
	if (body != NULL)
		hdrs[nh++] = "Content-Type: application/json";
	if (c->public_key_id != NULL) {
		sh = xasprintf("Wechatpay-Serial: %s", c->public_key_id);
		hdrs[nh++] = sh;
	}
	hdrs[nh] = NULL;
	http_resp_init(&r);
	rc = http_request(w->h, method, url, hdrs, body, body ? len : 0, &r,
	    &cause);
	sent = http_request_sent(w->h);
	res->sent = sent;
	free(url);
	free(ah);
	free(sh);
	if (rc != 0) {
		res->rc = rc;
		res->elapsed_us = r.elapsed_us;
		res_msg(res, cause);
		log_info("%s: no answer (%s): %s", label, quan_strerror(rc),
		    cause ? cause : "");
		free(cause);
		http_resp_free(&r);
		return rc;
	}
	rc = wxpay_process(c, &r, required, res);
	if (rc == QUAN_ENOTFOUND && may_refresh && c->have_apiv3 &&
	    c->scheme == WX_SCHEME_MERCHANT) {
		const char *serial = http_resp_header(&r, "Wechatpay-Serial");

		if (serial != NULL && strncmp(serial, WX_PUBKEY_ID_PREFIX,
		    strlen(WX_PUBKEY_ID_PREFIX)) != 0) {
			pthread_mutex_lock(&c->refresh_mu);
			/* Another thread may have just downloaded it. */
			rc = wxpay_process(c, &r, required, res);
			if (rc == QUAN_ENOTFOUND && wxpay_ctx_now(c) -
			    c->last_refresh >= AUTO_REFRESH_MIN_S) {
				c->last_refresh = wxpay_ctx_now(c);
				log_info("%s: unknown platform serial %.64s, "
				    "downloading certificates", label, serial);
				if (wxpay_refresh_certs(w, &cause) != 0)
					log_warn("certificate download: %s",
					    cause ? cause : "?");
				free(cause);
				cause = NULL;
				rc = wxpay_process(c, &r, required, res);
			}
			pthread_mutex_unlock(&c->refresh_mu);
		}
	}
	if (rc == QUAN_ENOTFOUND)
		rc = res->rc = QUAN_EPROTO;
	res->sent = sent; /* an answer came: it reached WeChat */
	if (res->rc != 0)
		log_warn("%s: HTTP %ld Request-ID %s: %s", label, r.status,
		    res->request_id[0] ? res->request_id : "-", res->message);
	else
		log_info("%s: HTTP %ld%s%s Request-ID %s %.1f ms", label,
		    r.status, res->code[0] ? " " : "", res->code,
		    res->request_id[0] ? res->request_id : "-",
		    (double)r.elapsed_us / 1000.0);
	http_resp_free(&r);
	return res->rc;
}

char *
wxpay_authorization(const struct wxpay_ctx *c, const char *method,
    const char *path_query, const char **base_url)
{
	char *auth = NULL;

	*base_url = c->base_url;
	return wx_auth_header_as(c->scheme, c->key, c->mchid, c->serial,
	    method, path_query, NULL, 0, NULL, NULL, &auth) == 0 ? auth :
	    NULL;
}

int
wxpay_call(struct wxpay *w, const char *method, const char *path_query,
    const char *body, size_t len, struct wxpay_result *res)
{
	return exchange(w, method, method, path_query, body, len, NULL, res,
	    1);
}

int
wxpay_use(struct wxpay *w, const char *body, size_t len,
    struct wxpay_result *res)
{
	static const char *const req[] = { "wechatpay_use_time", NULL };

	return exchange(w, "coupons/use", "POST",
	    "/v3/marketing/busifavor/coupons/use", body, len, req, res, 1);
}

int
wxpay_return(struct wxpay *w, const char *body, size_t len,
    struct wxpay_result *res)
{
	static const char *const req[] = { "wechatpay_return_time", NULL };

	return exchange(w, "coupons/return", "POST",
	    "/v3/marketing/busifavor/coupons/return", body, len, req, res, 1);
}

int
wxpay_deactivate(struct wxpay *w, const char *body, size_t len,
    struct wxpay_result *res)
{
	static const char *const req[] = { "wechatpay_deactivate_time", NULL };

	return exchange(w, "coupons/deactivate", "POST",
	    "/v3/marketing/busifavor/coupons/deactivate", body, len, req, res,
	    1);
}

int
wxpay_query_coupon(struct wxpay *w, const char *openid,
    const char *coupon_code, const char *appid, struct wxpay_result *res)
{
	static const char *const req[] = { "coupon_state", NULL };
	char *o, *cc, *a, *path;
	int rc;

	if (str_empty(openid) || str_empty(coupon_code) || str_empty(appid)) {
		wxpay_result_free(res);
		res->rc = QUAN_EINVAL;
		res_msg(res, "query needs openid, coupon code and appid");
		return res->rc;
	}
	o = http_escape(openid);
	cc = http_escape(coupon_code);
	a = http_escape(appid);
	path = xasprintf("/v3/marketing/busifavor/users/%s/coupons/%s/"
	    "appids/%s", o, cc, a);
	rc = exchange(w, "query-coupon", "GET", path, NULL, 0, req, res, 1);
	free(path);
	free(o);
	free(cc);
	free(a);
	return rc;
}

int
wxpay_get_stock(struct wxpay *w, const char *stock_id,
    struct wxpay_result *res)
{
	static const char *const req[] = { "stock_id", NULL };
	char *s, *path;
	int rc;

	if (str_empty(stock_id)) {
		wxpay_result_free(res);
		res->rc = QUAN_EINVAL;
		res_msg(res, "no stock id");
		return res->rc;
	}
	s = http_escape(stock_id);
	path = xasprintf("/v3/marketing/busifavor/stocks/%s", s);
	rc = exchange(w, "get-stock", "GET", path, NULL, 0, req, res, 1);
	free(path);
	free(s);
	return rc;
}

int
wxpay_list_codes(struct wxpay *w, const char *stock_id, int limit,
    int offset, struct wxpay_result *res)
{
	char *s, *path;
	int rc;

	if (str_empty(stock_id) || limit <= 0 || offset < 0) {
		wxpay_result_free(res);
		res->rc = QUAN_EINVAL;
		res_msg(res, "list codes needs a stock id, limit > 0");
		return res->rc;
	}
	s = http_escape(stock_id);
	path = xasprintf("/v3/marketing/busifavor/stocks/%s/couponcodes?"
	    "limit=%d&offset=%d", s, limit, offset);
	rc = exchange(w, "list-codes", "GET", path, NULL, 0, NULL, res, 1);
	free(path);
	free(s);
	return rc;
}

int
wxpay_set_callback(struct wxpay *w, const char *notify_url,
    struct wxpay_result *res)
{
	static const char *const req[] = { "notify_url", NULL };
	json_t *o = json_object();
	char *body;
	int rc, ok;

	ok = !str_empty(notify_url) && strlen(notify_url) <= 256 &&
	    put_str(o, "mchid", w->c->mchid) &&
	    put_str(o, "notify_url", notify_url);
	body = dump(o, ok);
	if (body == NULL) {
		wxpay_result_free(res);
		res->rc = QUAN_EINVAL;
		res_msg(res, "bad notify_url");
		return res->rc;
	}
	rc = exchange(w, "set-callback", "POST",
	    "/v3/marketing/busifavor/callbacks", body, strlen(body), req, res,
	    1);
	free(body);
	return rc;
}

int
wxpay_get_callback(struct wxpay *w, struct wxpay_result *res)
{
	char *m = http_escape(w->c->mchid), *path;
	int rc;

	path = xasprintf("/v3/marketing/busifavor/callbacks?mchid=%s", m);
	rc = exchange(w, "get-callback", "GET", path, NULL, 0, NULL, res, 1);
	free(path);
	free(m);
	return rc;
}
