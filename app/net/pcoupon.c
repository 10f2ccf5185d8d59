/*
 * pcoupon.c — the 商品券 client behind pcoupon.h: the context of each
 * access mode (partner over the [wechatpay] merchant, brand over its own
 * 品牌API keys), the paths, the operations and the classification of
 * their answers. The protocol's words (states, the numeric error table,
 * the entity, the bodies) are pcoupon_parse.c.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "crypto/wxsign.h"
#include "net/http.h"
#include "net/pcoupon.h"
#include "util/err.h"
#include "util/log.h"
#include "util/str.h"
#include "util/xmem.h"

#define PARTNER_PREFIX "/v3/marketing/partner/product-coupon"
#define BRAND_PREFIX "/brand/marketing/product-coupon"

/* pcoupon_parse.c */
int pc_list_parse(json_t *o, struct pc_result *r, char **cause);

struct pcoupon_ctx {
	enum config_pc_mode mode;
	char *brand_id;
	char *appid;
	struct wxpay_ctx *wx;
};

struct pcoupon {
	struct pcoupon_ctx *c;
	struct wxpay *w;
};

/* ---- context ---------------------------------------------------------- */

int
pcoupon_ctx_new(const struct config *cfg, struct pcoupon_ctx **out,
    char **cause)
{
	struct wxpay_cfg wc;
	struct pcoupon_ctx *c;
	int rc;

	*out = NULL;
	if (cfg->pc_mode == CONFIG_PC_OFF || str_empty(cfg->pc_brand_id) ||
	    str_empty(cfg->pc_appid)) {
		err_set_cause(cause, xstrdup("[product_coupon] is not "
		    "configured (mode, brand_id, appid)"));
		return QUAN_ECONFIG;
	}
	memset(&wc, 0, sizeof wc);
	wc.base_url = str_empty(cfg->pc_base_url) ? cfg->wx_base_url :
	    cfg->pc_base_url;
	wc.ca_file = str_empty(cfg->pc_ca_file) ? cfg->wx_ca_file :
	    cfg->pc_ca_file;
	wc.connect_timeout_ms = cfg->wx_connect_timeout_ms;
	wc.timeout_ms = cfg->wx_timeout_ms;
	if (cfg->pc_mode == CONFIG_PC_BRAND) {
		wc.brand_id = cfg->pc_brand_id;
		wc.merchant_serial = cfg->pc_brand_serial;
		wc.private_key = cfg->pc_private_key;
		wc.public_key_id = cfg->pc_public_key_id;
		wc.public_key = cfg->pc_public_key;
		wc.apiv3_key = cfg->pc_api_key;
	} else {
		wc.mchid = cfg->wx_mchid;
		wc.merchant_serial = cfg->wx_merchant_serial;
		wc.private_key = cfg->wx_private_key;
		wc.apiv3_key = cfg->wx_apiv3_key;
		wc.platform_cert = cfg->wx_platform_cert;
		wc.public_key_id = cfg->wx_public_key_id;
		wc.public_key = cfg->wx_public_key;
	}
	c = xcalloc(1, sizeof *c);
	c->mode = cfg->pc_mode;
	c->brand_id = xstrdup(cfg->pc_brand_id);
	c->appid = xstrdup(cfg->pc_appid);
	if ((rc = wxpay_ctx_new(&wc, &c->wx, cause)) != 0) {
		pcoupon_ctx_free(c);
		return rc;
	}
	*out = c;
	return QUAN_OK;
}

void
pcoupon_ctx_free(struct pcoupon_ctx *c)
{
	if (c == NULL)
		return;
	wxpay_ctx_free(c->wx);
	free(c->brand_id);
	free(c->appid);
	free(c);
}

enum config_pc_mode
pcoupon_ctx_mode(const struct pcoupon_ctx *c)
{
	return c->mode;
}

const char *
pcoupon_ctx_brand_id(const struct pcoupon_ctx *c)
{
	return c->brand_id;
}

const char *
pcoupon_ctx_appid(const struct pcoupon_ctx *c)
{
	return c->appid;
}

struct wx_trust *
pcoupon_ctx_trust(struct pcoupon_ctx *c)
{
	return wxpay_ctx_trust(c->wx);
}

const uint8_t *
pcoupon_ctx_callback_key(const struct pcoupon_ctx *c)
{
	return wxpay_ctx_apiv3_key(c->wx);
}

const char *
pcoupon_ctx_aad(const struct pcoupon_ctx *c)
{
	return c->mode == CONFIG_PC_BRAND ? "product_coupon" :
	    "product_coupon_sp";
}

void
pcoupon_ctx_set_clock(struct pcoupon_ctx *c, int64_t (*now)(void))
{
	wxpay_ctx_set_clock(c->wx, now);
}

int
pcoupon_new(struct pcoupon_ctx *c, const atomic_int *stop,
    struct pcoupon **out, char **cause)
{
	struct pcoupon *p = xcalloc(1, sizeof *p);
	int rc;

	*out = NULL;
	p->c = c;
	if ((rc = wxpay_new(c->wx, stop, &p->w, cause)) != 0) {
		free(p);
		return rc;
	}
	*out = p;
	return QUAN_OK;
}

void
pcoupon_free(struct pcoupon *p)
{
	if (p == NULL)
		return;
	wxpay_free(p->w);
	free(p);
}

/* ---- results ---------------------------------------------------------- */

void
pc_result_init(struct pc_result *r)
{
	memset(r, 0, sizeof *r);
	wxpay_result_init(&r->w);
	r->total_count = -1;
	r->coupon.bundle_index = -1;
}

void
pc_result_free(struct pc_result *r)
{
	if (r == NULL)
		return;
	wxpay_result_free(&r->w);
	free(r->list);
	pc_result_init(r);
}

enum wxpay_class
pcoupon_classify(const struct pc_result *r, const char **reason)
{
	const struct pc_err_info *e;

	/* no verified answer, or a 2xx: the transport's rules */
	if (r->w.rc != 0 || (r->w.http >= 200 && r->w.http < 300) ||
	    r->err == PC_ERR_NONE)
		return wxpay_classify(&r->w, reason);
	e = pc_err_info(r->err);
	if (r->err == PC_ERR_OTHER)
		return wxpay_classify(&r->w, reason);
	if (reason != NULL)
		*reason = e->name;
	return e->klass;
}

/* ---- transport -------------------------------------------------------- */

static void
fail(struct pc_result *res, int rc, const char *msg)
{
	pc_result_free(res);
	res->w.rc = rc;
	snprintf(res->w.message, sizeof res->w.message, "%s", msg);
}

/* One signed exchange; then the numeric code, and the entity (what = 1),
 * the list (what = 2) or nothing (0) of a verified 2xx answer. */
static int
call(struct pcoupon *p, const char *method, const char *path,
    const char *body, size_t len, int what, struct pc_result *res)
{
	json_error_t je;
	json_t *o;
	char *cause = NULL;
	int ok;

	pc_result_free(res);
	wxpay_call(p->w, method, path, body, len, &res->w);
	if (res->w.rc != 0)
		return res->w.rc;
	res->numeric = pc_request_id_code(res->w.request_id);
	res->err = pc_err_of_numeric(res->numeric)->err;
	if (res->w.http < 200 || res->w.http >= 300 || what == 0)
		return 0;
	o = json_loadb(res->w.body ? res->w.body : "", res->w.body_len,
	    JSON_REJECT_DUPLICATES, &je);
	if (what == 1) {
		ok = o != NULL && pc_coupon_parse(res->w.body,
		    res->w.body_len, &res->coupon, &cause) == 0;
	} else {
		ok = json_is_object(o) && pc_list_parse(o, res, &cause);
	}
	json_decref(o);
	if (!ok) {
		res->w.rc = QUAN_EPROTO;
		snprintf(res->w.message, sizeof res->w.message,
		    "reply not understood: %s", cause ? cause : je.text);
		log_warn("product coupon %s: Request-ID %s: %s", method,
		    res->w.request_id, res->w.message);
	}
	free(cause);
	return res->w.rc;
}

static const char *
prefix(const struct pcoupon *p)
{
	return p->c->mode == CONFIG_PC_BRAND ? BRAND_PREFIX : PARTNER_PREFIX;
}

/* …/users/{openid}/coupons/{code}[/{verb}] (escaped; NULL on a missing
 * id). */
static char *
coupon_path(const struct pcoupon *p, const char *openid, const char *code,
    const char *verb)
{
	char *o, *c, *path;

	if (str_empty(openid) || str_empty(code))
		return NULL;
	o = http_escape(openid);
	c = http_escape(code);
	path = xasprintf("%s/users/%s/coupons/%s%s%s", prefix(p), o, c,
	    verb ? "/" : "", verb ? verb : "");
	free(o);
	free(c);
	return path;
}

static int
post(struct pcoupon *p, const char *verb, const char *openid,
    const char *code, const char *body, size_t len, struct pc_result *res)
{
	char *path = coupon_path(p, openid, code, verb);
	int rc;

	if (path == NULL || body == NULL || len == 0) {
		fail(res, QUAN_EINVAL, "needs openid, coupon code and a body");
		free(path);
		return QUAN_EINVAL;
	}
	rc = call(p, "POST", path, body, len, 1, res);
	free(path);
	return rc;
}

int
pcoupon_use(struct pcoupon *p, const char *openid, const char *code,
    const char *body, size_t len, struct pc_result *res)
{
	return post(p, "use", openid, code, body, len, res);
}

int
pcoupon_return(struct pcoupon *p, const char *openid, const char *code,
    const char *body, size_t len, struct pc_result *res)
{
	return post(p, "return", openid, code, body, len, res);
}

int
pcoupon_deactivate(struct pcoupon *p, const char *openid, const char *code,
    const char *body, size_t len, struct pc_result *res)
{
	return post(p, "deactivate", openid, code, body, len, res);
}

int
pcoupon_confirm(struct pcoupon *p, const char *openid, const char *code,
    const char *body, size_t len, struct pc_result *res)
{
	return post(p, "confirm", openid, code, body, len, res);
}

/* "&brand_id=…" in partner mode, "" in brand mode (new string). */
static char *
brand_q(const struct pcoupon *p, char sep)
{
	char *b, *r;

	if (p->c->mode == CONFIG_PC_BRAND)
		return xstrdup("");
	b = http_escape(p->c->brand_id);
	r = xasprintf("%cbrand_id=%s", sep, b);
	free(b);
	return r;
}

int
pcoupon_get(struct pcoupon *p, const char *openid, const char *code,
    const char *product_coupon_id, const char *stock_id,
    struct pc_result *res)
{
	char *base = coupon_path(p, openid, code, NULL), *path, *pc, *s, *a,
	    *b;
	int rc;

	if (base == NULL || str_empty(product_coupon_id) ||
	    str_empty(stock_id)) {
		free(base);
		fail(res, QUAN_EINVAL, "get needs openid, code, "
		    "product_coupon_id and stock_id");
		return QUAN_EINVAL;
	}
	pc = http_escape(product_coupon_id);
	s = http_escape(stock_id);
	a = http_escape(p->c->appid);
	b = brand_q(p, '&');
	path = xasprintf("%s?product_coupon_id=%s&stock_id=%s&appid=%s%s",
	    base, pc, s, a, b);
	rc = call(p, "GET", path, NULL, 0, 1, res);
	free(path);
	free(base);
	free(pc);
	free(s);
	free(a);
	free(b);
	return rc;
}

int
pcoupon_list(struct pcoupon *p, const char *openid, enum pc_state state,
    int page_size, const char *page_token, struct pc_result *res)
{
	char *o, *a, *b, *t = NULL, *path;
	char st[48] = "", ps[32] = "";
	int rc;

	if (str_empty(openid) || page_size < 0 || page_size > 50) {
		fail(res, QUAN_EINVAL, "list needs an openid and a page "
		    "size of 0-50");
		return QUAN_EINVAL;
	}
	o = http_escape(openid);
	a = http_escape(p->c->appid);
	b = brand_q(p, '&');
	if (state != PC_ST_UNKNOWN)
		snprintf(st, sizeof st, "&coupon_state=%s",
		    pc_state_name((int)state));
	if (page_size > 0)
		snprintf(ps, sizeof ps, "&page_size=%d", page_size);
	if (!str_empty(page_token))
		t = http_escape(page_token);
	path = xasprintf("%s/users/%s/coupons?appid=%s%s%s%s%s%s", prefix(p),
	    o, a, st, ps, t ? "&page_token=" : "", t ? t : "", b);
	rc = call(p, "GET", path, NULL, 0, 2, res);
	free(path);
	free(o);
	free(a);
	free(b);
	free(t);
	return rc;
}

int
pcoupon_set_notify(struct pcoupon *p, const char *url, struct pc_result *res)
{
	json_t *o = json_object(), *s;
	char *body, *t, *path;
	int rc;

	if (str_empty(url) || strlen(url) > 256 || strncmp(url, "https://",
	    8) != 0 || strchr(url, '?') != NULL ||
	    (s = json_string(url)) == NULL) {
		json_decref(o);
		fail(res, QUAN_EINVAL, "notify_url: https://, at most 256 "
		    "characters, no query");
		return QUAN_EINVAL;
	}
	json_object_set_new(o, "notify_url", s);
	t = json_dumps(o, JSON_COMPACT);
	json_decref(o);
	body = xstrdup(t);
	free(t);
	path = xasprintf("%s/notify-configs", prefix(p));
	rc = call(p, "POST", path, body, strlen(body), 0, res);
	free(path);
	free(body);
	return rc;
}

int
pcoupon_get_product(struct pcoupon *p, const char *product_coupon_id,
    struct pc_result *res)
{
	char *pc, *b, *path;
	int rc;

	if (str_empty(product_coupon_id)) {
		fail(res, QUAN_EINVAL, "no product_coupon_id");
		return QUAN_EINVAL;
	}
	pc = http_escape(product_coupon_id);
	b = brand_q(p, '?');
	path = xasprintf("%s/product-coupons/%s%s", prefix(p), pc, b);
	rc = call(p, "GET", path, NULL, 0, 0, res);
	free(path);
	free(pc);
	free(b);
	return rc;
}

int
pcoupon_get_stock(struct pcoupon *p, const char *product_coupon_id,
    const char *stock_id, struct pc_result *res)
{
	char *pc, *s, *b, *path;
	int rc;

	if (str_empty(product_coupon_id) || str_empty(stock_id)) {
		fail(res, QUAN_EINVAL, "needs product_coupon_id and stock_id");
		return QUAN_EINVAL;
	}
	pc = http_escape(product_coupon_id);
	s = http_escape(stock_id);
	b = brand_q(p, '?');
	path = xasprintf("%s/product-coupons/%s/stocks/%s%s", prefix(p), pc, s,
	    b);
	rc = call(p, "GET", path, NULL, 0, 0, res);
	free(path);
	free(pc);
	free(s);
	free(b);
	return rc;
}
