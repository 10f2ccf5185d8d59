/*
 * payclient.c — the payment clients behind pay.h: configuration checks,
 * the stored charge body, and the three exchanges over APIv3 (through
 * wxpay_call: signed requests, verified answers) or APIv2 (XML over
 * http.h, the client certificate on /secapi/).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "crypto/crypto.h"
#include "crypto/wxsign.h"
#include "net/http.h"
#include "net/pay.h"
#include "net/payxml.h"
#include "net/wxpay.h"
#include "util/buf.h"
#include "util/config.h"
#include "util/err.h"
#include "util/log.h"
#include "util/str.h"
#include "util/xmem.h"

#define V2_KEY_LEN 32

struct pay_ctx {
	enum pay_api api;
	char *appid, *mchid;
	struct wxpay_ctx *v3;          /* borrowed */
	char *base_url, *ca_file, *client_cert, *client_key;
	char *key;                     /* APIv2 key (wiped on free) */
	int md5;
	long connect_ms, total_ms;
};

struct pay_client {
	struct pay_ctx *c;
	struct wxpay *w;               /* v3 */
	struct http *h, *hs;           /* v2: plain, with the certificate */
};

int
pay_ctx_new(const struct pay_cfg *cfg, struct pay_ctx **out, char **cause)
{
	struct pay_ctx *c;
	char *c2 = NULL;
	int rc;

	*out = NULL;
	if (str_empty(cfg->appid) || str_empty(cfg->mchid)) {
		err_set_cause(cause, xstrdup("[pay] needs [wechatpay] mchid and "
		    "appid"));
		return QUAN_ECONFIG;
	}
	if (cfg->api == PAY_API_V3 && cfg->v3 == NULL) {
		err_set_cause(cause, xstrdup("[pay] api = v3 needs the "
		    "[wechatpay] keys (private_key, merchant_serial, "
		    "apiv3_key or public_key)"));
		return QUAN_ECONFIG;
	}
	c = xcalloc(1, sizeof *c);
	c->api = cfg->api;
	c->appid = xstrdup(cfg->appid);
	c->mchid = xstrdup(cfg->mchid);
	c->v3 = cfg->v3;
	c->md5 = cfg->v2_sign_md5;
	c->connect_ms = cfg->connect_timeout_ms > 0 ?
	    cfg->connect_timeout_ms : 2000;
	/* micropay may take seconds (several cards tried): ≥ 10 s */
	c->total_ms = cfg->timeout_ms > 0 ? cfg->timeout_ms : 15000;
	c->ca_file = str_empty(cfg->ca_file) ? NULL : xstrdup(cfg->ca_file);
	if (cfg->api == PAY_API_V2) {
		if (str_empty(cfg->base_url) || str_empty(cfg->v2_key_file) ||
		    str_empty(cfg->client_cert) || str_empty(cfg->client_key)) {
			err_set_cause(cause, xstrdup("[pay] api = v2 needs "
			    "[wechatpay] base_url and private_key, [pay] "
			    "v2_key_file and v2_cert"));
			rc = QUAN_ECONFIG;
			goto fail;
		}
		if ((rc = config_check_key_file(cfg->client_key, &c2)) != 0 ||
		    (rc = config_check_trust_file(cfg->client_cert, &c2)) !=
		    0 || (rc = config_check_trust_file(cfg->ca_file, &c2)) !=
		    0 || (rc = wx_secret_read(cfg->v2_key_file, 256, &c->key,
		    &c2)) != 0) {
			err_set_cause(cause, xasprintf("[pay] %s", c2 ? c2 : "?"));
			free(c2);
			goto fail;
		}
		if (strlen(c->key) != V2_KEY_LEN) {
			err_set_cause(cause, xasprintf("[pay] %s: the APIv2 key "
			    "must be 32 characters", cfg->v2_key_file));
			rc = QUAN_EINVAL;
			goto fail;
		}
		c->base_url = xstrdup(cfg->base_url);
		while (strlen(c->base_url) > 0 &&
		    c->base_url[strlen(c->base_url) - 1] == '/')
			c->base_url[strlen(c->base_url) - 1] = '\0';
		c->client_cert = xstrdup(cfg->client_cert);
		c->client_key = xstrdup(cfg->client_key);
	}
	*out = c;
	return QUAN_OK;
fail:
	pay_ctx_free(c);
	return rc;
}

void
pay_ctx_free(struct pay_ctx *c)
{
	if (c == NULL)
		return;
	free(c->appid);
	free(c->mchid);
	free(c->base_url);
	free(c->ca_file);
	free(c->client_cert);
	free(c->client_key);
	wx_wipe_free(c->key);
	free(c);
}

enum pay_api
pay_ctx_api(const struct pay_ctx *c)
{
	return c->api;
}

char *
pay_pay_body(struct pay_ctx *c, const struct pay_order *o, char **cause)
{
	struct payxml x;
	char *body;

	if (c->api == PAY_API_V3) {
		body = pay_v3_pay_body(c->appid, c->mchid, o);
	} else {
		memset(&x, 0, sizeof x);
		body = pay_v2_pay_fields(c->appid, c->mchid, o, &x) == 0 ?
		    pay_v2_seal(&x, c->key, c->md5, NULL, NULL) : NULL;
		payxml_free(&x);
	}
	if (body == NULL)
		err_set_cause(cause, xstrdup("bad payment order (out_trade_no "
		    "[0-9A-Za-z_-]{6,32}, auth code, description, amount "
		    "≥ 1 fen, device ip for v2)"));
	return body;
}

int
pay_client_new(struct pay_ctx *c, const atomic_int *stop,
    struct pay_client **out, char **cause)
{
	struct pay_client *cl = xcalloc(1, sizeof *cl);
	struct http_opts o;
	int rc;

	*out = NULL;
	cl->c = c;
	if (c->api == PAY_API_V3) {
		rc = wxpay_new(c->v3, stop, &cl->w, cause);
	} else {
		memset(&o, 0, sizeof o);
		o.ca_file = c->ca_file;
		o.connect_timeout_ms = c->connect_ms;
		o.timeout_ms = c->total_ms;
		o.stop = stop;
		rc = http_new(&o, &cl->h, cause);
		if (rc == 0) {
			o.client_cert = c->client_cert;
			o.client_key = c->client_key;
			rc = http_new(&o, &cl->hs, cause);
		}
	}
	if (rc != 0) {
		pay_client_free(cl);
		return rc;
	}
	*out = cl;
	return QUAN_OK;
}

void
pay_client_free(struct pay_client *cl)
{
	if (cl == NULL)
		return;
	wxpay_free(cl->w);
	http_free(cl->h);
	http_free(cl->hs);
	free(cl);
}

static const char *const op_names[] = { "-", "pay", "query", "reverse" };

static void
log_answer(const struct pay_answer *a, uint64_t us)
{
	const char *op = op_names[a->op];

	if (a->rc != 0)
		log_info("pay %s: %s (%s) %.1f ms", op, pay_err_name(a->err),
		    a->text, (double)us / 1000.0);
	else
		log_info("pay %s: HTTP %ld %s%s%s %.1f ms", op, a->http,
		    pay_trade_name(a->trade), a->err ? " " : "",
		    pay_err_name(a->err), (double)us / 1000.0);
}

/* ---- v3 --------------------------------------------------------------- */

static int
v3_call(struct pay_client *cl, enum pay_op op, const char *method,
    const char *path, const char *body, size_t len, struct pay_answer *a)
{
	struct wxpay_result r;

	wxpay_result_init(&r);
	wxpay_call(cl->w, method, path, body, len, &r);
	pay_v3_answer(op, &r, a);
	log_answer(a, r.elapsed_us);
	wxpay_result_free(&r);
	return a->rc;
}

/* ---- v2 --------------------------------------------------------------- */

static int
v2_call(struct pay_client *cl, enum pay_op op, int cert, const char *path,
    const char *body, size_t len, struct pay_answer *a)
{
	static const char *const hdrs[] = {
		"Content-Type: text/xml; charset=utf-8", "Accept: */*", NULL };
	struct pay_ctx *c = cl->c;
	struct http_resp r;
	char *url = xasprintf("%s%s", c->base_url, path), *cause = NULL;
	int rc;

	http_resp_init(&r);
	rc = http_request(cert ? cl->hs : cl->h, "POST", url, hdrs, body, len,
	    &r, &cause);
	free(url);
	if (rc != 0) {
		pay_answer_init(a, op);
		a->rc = rc;
		a->err = rc == QUAN_ETOOBIG ? PAY_E_BAD_REPLY : PAY_E_NET;
		snprintf(a->text, sizeof a->text, "%s", cause ? cause :
		    quan_strerror(rc));
	} else if (r.status != 200) {
		pay_answer_init(a, op);
		a->rc = QUAN_EPROTO; /* a proxy's page, not WeChat's answer */
		a->http = r.status;
		a->err = PAY_E_BAD_REPLY;
		snprintf(a->text, sizeof a->text, "HTTP %ld", r.status);
	} else {
		pay_v2_answer(op, buf_str(&r.body), r.body.len, c->key, c->md5,
		    c->mchid, a);
	}
	free(cause);
	log_answer(a, r.elapsed_us);
	http_resp_free(&r);
	return a->rc;
}

static char *
v2_order_body(struct pay_ctx *c, const char *out_trade_no, size_t *len)
{
	struct payxml x;
	char *body;

	memset(&x, 0, sizeof x);
	body = pay_v2_order_fields(c->appid, c->mchid, out_trade_no, &x) == 0 ?
	    pay_v2_seal(&x, c->key, c->md5, NULL, len) : NULL;
	payxml_free(&x);
	return body;
}

/* ---- operations ------------------------------------------------------- */

static int
bad_arg(enum pay_op op, struct pay_answer *a, const char *why)
{
	pay_answer_init(a, op);
	a->rc = QUAN_EINVAL;
	a->err = PAY_E_PARAM_ERROR;
	snprintf(a->text, sizeof a->text, "%s", why);
	return a->rc;
}

int
pay_send_pay(struct pay_client *cl, const char *body, size_t len,
    struct pay_answer *a)
{
	if (body == NULL || len == 0)
		return bad_arg(PAY_OP_PAY, a, "no stored payment body");
	if (cl->c->api == PAY_API_V3)
		return v3_call(cl, PAY_OP_PAY, "POST",
		    "/v3/pay/transactions/codepay", body, len, a);
	return v2_call(cl, PAY_OP_PAY, 0, "/pay/micropay", body, len, a);
}

int
pay_query(struct pay_client *cl, const char *out_trade_no,
    struct pay_answer *a)
{
	char *path, *body;
	size_t len = 0;
	int rc;

	if (!pay_out_trade_no_ok(out_trade_no))
		return bad_arg(PAY_OP_QUERY, a, "bad out_trade_no");
	if (cl->c->api == PAY_API_V3) {
		/* [0-9A-Za-z_-] needs no escaping; mchid is digits */
		path = xasprintf("/v3/pay/transactions/out-trade-no/%s?"
		    "mchid=%s", out_trade_no, cl->c->mchid);
		rc = v3_call(cl, PAY_OP_QUERY, "GET", path, NULL, 0, a);
		free(path);
		return rc;
	}
	body = v2_order_body(cl->c, out_trade_no, &len);
	if (body == NULL)
		return bad_arg(PAY_OP_QUERY, a, "cannot sign the query");
	rc = v2_call(cl, PAY_OP_QUERY, 0, "/pay/orderquery", body, len, a);
	free(body);
	return rc;
}

int
pay_reverse(struct pay_client *cl, const char *out_trade_no,
    struct pay_answer *a)
{
	char *path, *body;
	size_t len = 0;
	int rc;

	if (!pay_out_trade_no_ok(out_trade_no))
		return bad_arg(PAY_OP_REVERSE, a, "bad out_trade_no");
	if (cl->c->api == PAY_API_V3) {
		body = pay_v3_reverse_body(cl->c->appid, cl->c->mchid);
		path = xasprintf("/v3/pay/transactions/out-trade-no/%s/"
		    "reverse", out_trade_no);
		rc = v3_call(cl, PAY_OP_REVERSE, "POST", path, body,
		    strlen(body), a);
		free(path);
		free(body);
		return rc;
	}
	body = v2_order_body(cl->c, out_trade_no, &len);
	if (body == NULL)
		return bad_arg(PAY_OP_REVERSE, a, "cannot sign the reverse");
	rc = v2_call(cl, PAY_OP_REVERSE, 1, "/secapi/pay/reverse", body, len,
	    a);
	free(body);
	return rc;
}

/* ---- refunds ---------------------------------------------------------- */

static void
log_refund(const char *op, const struct pay_refund_answer *a, uint64_t us)
{
	if (a->rc != 0)
		log_info("pay %s: %s (%s) %.1f ms", op, pay_err_name(a->err),
		    a->text, (double)us / 1000.0);
	else
		log_info("pay %s: HTTP %ld %s%s%s %.1f ms", op, a->http,
		    pay_refund_state_name(a->state), a->err ? " " : "",
		    pay_err_name(a->err), (double)us / 1000.0);
}

static int
refund_bad(struct pay_refund_answer *a, const char *why)
{
	memset(a, 0, sizeof *a);
	a->total_fen = a->refund_fen = a->payer_refund_fen = -1;
	a->settlement_refund_fen = a->voucher_refund_fen = -1;
	a->rc = QUAN_EINVAL;
	a->err = PAY_E_PARAM_ERROR;
	snprintf(a->text, sizeof a->text, "%s", why);
	return a->rc;
}

static int
v3_refund_call(struct pay_client *cl, const char *op, const char *method,
    const char *path, const char *body, struct pay_refund_answer *a)
{
	struct wxpay_result r;

	wxpay_result_init(&r);
	wxpay_call(cl->w, method, path, body, body ? strlen(body) : 0, &r);
	pay_v3_refund_answer(&r, a);
	log_refund(op, a, r.elapsed_us);
	wxpay_result_free(&r);
	return a->rc;
}

static int
v2_refund_call(struct pay_client *cl, int query, const char *path,
    struct payxml *x, struct pay_refund_answer *a)
{
	static const char *const hdrs[] = {
		"Content-Type: text/xml; charset=utf-8", "Accept: */*", NULL };
	struct pay_ctx *c = cl->c;
	struct http_resp r;
	char *url, *body, *cause = NULL;
	size_t len = 0;
	int rc;

	body = pay_v2_seal(x, c->key, c->md5, NULL, &len);
	if (body == NULL)
		return refund_bad(a, "cannot sign the refund");
	url = xasprintf("%s%s", c->base_url, path);
	http_resp_init(&r);
	/* /secapi/pay/refund needs the client certificate */
	rc = http_request(query ? cl->h : cl->hs, "POST", url, hdrs, body,
	    len, &r, &cause);
	if (rc != 0) {
		refund_bad(a, cause ? cause : quan_strerror(rc));
		a->rc = rc;
		a->err = rc == QUAN_ETOOBIG ? PAY_E_BAD_REPLY : PAY_E_NET;
	} else if (r.status != 200) {
		refund_bad(a, "not WeChat's answer");
		snprintf(a->text, sizeof a->text, "HTTP %ld", r.status);
		a->rc = QUAN_EPROTO;
		a->http = r.status;
		a->err = PAY_E_BAD_REPLY;
	} else {
		pay_v2_refund_answer(query, buf_str(&r.body), r.body.len,
		    c->key, c->md5, c->mchid, a);
	}
	log_refund(query ? "refundquery" : "refund", a, r.elapsed_us);
	free(cause);
	free(url);
	free(body);
	http_resp_free(&r);
	return a->rc;
}

int
pay_refund(struct pay_client *cl, const struct pay_refund_req *r,
    struct pay_refund_answer *a)
{
	struct payxml x;
	char *body;
	int rc;

	if (cl->c->api == PAY_API_V3) {
		body = pay_v3_refund_body(r);
		if (body == NULL)
			return refund_bad(a, "bad refund (out_refund_no, "
			    "amounts 1 … total, reason ≤ 80)");
		rc = v3_refund_call(cl, "refund", "POST",
		    "/v3/refund/domestic/refunds", body, a);
		free(body);
		return rc;
	}
	memset(&x, 0, sizeof x);
	if (pay_v2_refund_fields(cl->c->appid, cl->c->mchid, r, cl->c->md5,
	    &x) != 0) {
		payxml_free(&x);
		return refund_bad(a, "bad refund (out_refund_no, amounts 1 … "
		    "total, reason ≤ 80)");
	}
	rc = v2_refund_call(cl, 0, "/secapi/pay/refund", &x, a);
	payxml_free(&x);
	return rc;
}

int
pay_refund_query(struct pay_client *cl, const char *out_refund_no,
    struct pay_refund_answer *a)
{
	struct payxml x;
	struct buf p;
	const char *s;
	int rc;

	if (!pay_out_refund_no_ok(out_refund_no))
		return refund_bad(a, "bad out_refund_no");
	if (cl->c->api == PAY_API_V3) {
		buf_init(&p, 256);
		buf_adds(&p, "/v3/refund/domestic/refunds/");
		for (s = out_refund_no; *s; s++) /* '|' is not a path char */
			if (*s == '|')
				buf_adds(&p, "%7C");
			else
				buf_add(&p, s, 1);
		rc = v3_refund_call(cl, "refundquery", "GET", buf_str(&p),
		    NULL, a);
		buf_free(&p);
		return rc;
	}
	memset(&x, 0, sizeof x);
	if (pay_v2_refundquery_fields(cl->c->appid, cl->c->mchid,
	    out_refund_no, cl->c->md5, &x) != 0) {
		payxml_free(&x);
		return refund_bad(a, "cannot build the refund query");
	}
	rc = v2_refund_call(cl, 1, "/pay/refundquery", &x, a);
	payxml_free(&x);
	return rc;
}

/* ---- the trade bill --------------------------------------------------- */

#define BILL_MAX (64u * 1024 * 1024)

static int
bill_date_ok(const char *d)
{
	int i;

	if (d == NULL || strlen(d) != 10 || d[4] != '-' || d[7] != '-')
		return 0;
	for (i = 0; i < 10; i++)
		if (i != 4 && i != 7 && (d[i] < '0' || d[i] > '9'))
			return 0;
	return 1;
}

/* A handle for the bill transfer: bills are larger than answers. */
static int
bill_http(struct pay_client *cl, struct http **h, char **cause)
{
	struct http_opts o;

	memset(&o, 0, sizeof o);
	o.ca_file = cl->c->ca_file;
	o.connect_timeout_ms = cl->c->connect_ms;
	o.timeout_ms = 60000;
	o.max_body = BILL_MAX;
	return http_new(&o, h, cause);
}

static int
hex_eq(const uint8_t *h, size_t n, const char *hex)
{
	char b[3];
	size_t i;

	if (hex == NULL || strlen(hex) != 2 * n)
		return 0;
	for (i = 0; i < n; i++) {
		snprintf(b, sizeof b, "%02x", h[i]);
		if ((b[0] != hex[2 * i] && b[0] != (hex[2 * i] | 0x20)) ||
		    (b[1] != hex[2 * i + 1] && b[1] != (hex[2 * i + 1] | 0x20)))
			return 0;
	}
	return 1;
}

int
pay_bill_hash_ok(const char *body, size_t len, const char *hash_type,
    const char *hash_value)
{
	uint8_t sha[CRYPTO_SHA1_LEN];

	if (hash_type == NULL || strcmp(hash_type, "SHA1") != 0)
		return 0;
	crypto_sha1(body, len, sha);
	return hex_eq(sha, sizeof sha, hash_value);
}

static int
bill_v3(struct pay_client *cl, const char *date, char **text, size_t *len,
    char **cause)
{
	struct wxpay_result r;
	struct http_resp d;
	struct http *h = NULL;
	const char *base, *url, *hash, *type;
	const char *hdrs[3];
	char *path, *auth, *ah;
	json_t *o = NULL;
	int rc;

	path = xasprintf("/v3/bill/tradebill?bill_date=%s&bill_type=ALL",
	    date);
	wxpay_result_init(&r);
	wxpay_call(cl->w, "GET", path, NULL, 0, &r);
	free(path);
	if (r.rc != 0) {
		err_set_cause(cause, xasprintf("tradebill: %s", r.message));
		rc = r.rc;
		goto out;
	}
	if (r.http < 200 || r.http >= 300) {
		err_set_cause(cause, xasprintf("tradebill: HTTP %ld %s %s",
		    r.http, r.code, r.message));
		rc = strcmp(r.code, "NO_STATEMENT_EXIST") == 0 ?
		    QUAN_ENOTFOUND : QUAN_EPROTO;
		goto out;
	}
	o = json_loadb(r.body, r.body_len, JSON_REJECT_DUPLICATES, NULL);
	url = json_string_value(json_object_get(o, "download_url"));
	hash = json_string_value(json_object_get(o, "hash_value"));
	type = json_string_value(json_object_get(o, "hash_type"));
	auth = NULL;
	if (!r.verified || url == NULL || hash == NULL || type == NULL ||
	    strcmp(type, "SHA1") != 0) {
		err_set_cause(cause, xstrdup("tradebill: an answer without a "
		    "verified download_url and SHA1 hash"));
		rc = QUAN_EPROTO;
		goto out;
	}
	/* our Authorization goes to WeChat's host only */
	auth = wxpay_authorization(cl->c->v3, "GET", "/", &base);
	free(auth);
	if (strncmp(url, base, strlen(base)) != 0 ||
	    url[strlen(base)] != '/') {
		err_set_cause(cause, xasprintf("tradebill: download_url is not "
		    "on %s", base));
		rc = QUAN_EPROTO;
		goto out;
	}
	auth = wxpay_authorization(cl->c->v3, "GET", url + strlen(base),
	    &base);
	if (auth == NULL || (rc = bill_http(cl, &h, cause)) != 0) {
		if (auth == NULL)
			err_set_cause(cause, xstrdup("cannot sign the download"));
		free(auth);
		rc = auth == NULL ? QUAN_EIO : rc;
		goto out;
	}
	ah = xasprintf("Authorization: %s", auth);
	free(auth);
	hdrs[0] = ah;
	hdrs[1] = "Accept: */*";
	hdrs[2] = NULL;
	http_resp_init(&d);
	rc = http_request(h, "GET", url, hdrs, NULL, 0, &d, cause);
	free(ah);
	if (rc == 0 && d.status != 200) {
		err_set_cause(cause, xasprintf("bill download: HTTP %ld",
		    d.status));
		rc = QUAN_EPROTO;
	}
	if (rc == 0) {
		if (!pay_bill_hash_ok(buf_str(&d.body), d.body.len, type,
		    hash)) {
			err_set_cause(cause, xstrdup("bill download: SHA1 "
			    "differs from hash_value (cut or changed)"));
			rc = QUAN_EPROTO;
		} else {
			*len = d.body.len;
			*text = buf_take(&d.body);
			if (*text == NULL)
				*text = xstrdup("");
		}
	}
	http_resp_free(&d);
out:
	json_decref(o);
	http_free(h);
	wxpay_result_free(&r);
	return rc;
}

static int
bill_v2(struct pay_client *cl, const char *date, char **text, size_t *len,
    char **cause)
{
	static const char *const hdrs[] = {
		"Content-Type: text/xml; charset=utf-8", "Accept: */*", NULL };
	struct pay_ctx *c = cl->c;
	struct http *h = NULL;
	struct http_resp r;
	struct payxml x;
	char d8[9], *body, *url;
	size_t blen = 0;
	int rc;

	snprintf(d8, sizeof d8, "%.4s%.2s%.2s", date, date + 5, date + 8);
	memset(&x, 0, sizeof x);
	if (payxml_add(&x, "appid", c->appid) != 0 ||
	    payxml_add(&x, "mch_id", c->mchid) != 0 ||
	    payxml_add(&x, "nonce_str", "") != 0 ||
	    payxml_add(&x, "bill_date", d8) != 0 ||
	    payxml_add(&x, "bill_type", "ALL") != 0 ||
	    (body = pay_v2_seal(&x, c->key, c->md5, NULL, &blen)) == NULL) {
		payxml_free(&x);
		err_set_cause(cause, xstrdup("cannot sign downloadbill"));
		return QUAN_EIO;
	}
	payxml_free(&x);
	if ((rc = bill_http(cl, &h, cause)) != 0) {
		free(body);
		return rc;
	}
	url = xasprintf("%s/pay/downloadbill", c->base_url);
	http_resp_init(&r);
	rc = http_request(h, "POST", url, hdrs, body, blen, &r, cause);
	free(url);
	free(body);
	if (rc == 0 && r.status != 200) {
		err_set_cause(cause, xasprintf("downloadbill: HTTP %ld",
		    r.status));
		rc = QUAN_EPROTO;
	} else if (rc == 0 && r.body.len >= 5 &&
	    memcmp(buf_str(&r.body), "<xml>", 5) == 0) {
		/* an error is XML; a bill is text */
		const char *msg;

		memset(&x, 0, sizeof x);
		if (payxml_parse(buf_str(&r.body), r.body.len, &x, NULL) != 0) {
			err_set_cause(cause, xstrdup("downloadbill: bad XML"));
			rc = QUAN_EPROTO;
		} else {
			msg = payxml_get(&x, "return_msg");
			err_set_cause(cause, xasprintf("downloadbill: %s",
			    msg ? msg : "return_code=FAIL"));
			rc = msg != NULL && strstr(msg, "No Bill Exist") ?
			    QUAN_ENOTFOUND : QUAN_EPROTO;
		}
		payxml_free(&x);
	} else if (rc == 0) {
		*len = r.body.len;
		*text = buf_take(&r.body);
		if (*text == NULL)
			*text = xstrdup("");
	}
	http_resp_free(&r);
	http_free(h);
	return rc;
}

int
pay_bill(struct pay_client *cl, const char *date, char **text, size_t *len,
    char **cause)
{
	*text = NULL;
	*len = 0;
	if (!bill_date_ok(date)) {
		err_set_cause(cause, xstrdup("bill date must be YYYY-MM-DD"));
		return QUAN_EINVAL;
	}
	return cl->c->api == PAY_API_V3 ?
	    bill_v3(cl, date, text, len, cause) :
	    bill_v2(cl, date, text, len, cause);
}
