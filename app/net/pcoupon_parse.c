/*
 * pcoupon_parse.c — the words of the 商品券 protocol behind pcoupon.h:
 * the numeric error table (Request-ID suffix, doc §7), the
 * UserProductCouponEntity parser (both usage modes) and the request
 * bodies. Pure functions: no I/O, any thread.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "net/pcoupon.h"
#include "util/err.h"
#include "util/str.h"
#include "util/tm.h"
#include "util/xmem.h"

/* ---- the numeric error table (§7) ------------------------------------- */

/* One row per number; an enum may have several numbers (a group). The
 * first row of each enum value is its pc_err_info. */
static const struct pc_err_info errs[] = {
	{ 0, PC_ERR_NONE, "none", WXPAY_OK },
	{ 0, PC_ERR_OTHER, "other", WXPAY_REJECTED },
	{ 268578367, PC_ERR_STATE, "coupon_state_invalid", WXPAY_REJECTED },
	{ 268578776, PC_ERR_EXPIRED, "coupon_expired", WXPAY_REJECTED },
	{ 272756790, PC_ERR_EXPIRED_FINAL, "coupon_expired_final",
	    WXPAY_REJECTED },
	/* maybe our own earlier use: the caller queries and compares
	 * use_request_no */
	{ 272756745, PC_ERR_USED_ELSEWHERE, "used_by_other_order",
	    WXPAY_ALREADY },
	/* a use in flight: same number again in 1-2 s */
	{ 272756746, PC_ERR_USE_LOCKED, "use_locked", WXPAY_RETRY },
	{ 272756769, PC_ERR_DELETED, "coupon_deleted", WXPAY_REJECTED },
	{ 268578851, PC_ERR_NOT_FOUND, "coupon_not_found", WXPAY_REJECTED },
	{ 272755717, PC_ERR_OUT_OF_PERIOD, "out_of_period", WXPAY_REJECTED },
	{ 272755715, PC_ERR_OUT_OF_WINDOW, "out_of_window", WXPAY_REJECTED },
	{ 268584404, PC_ERR_STORE, "store_not_allowed", WXPAY_REJECTED },
	{ 268578813, PC_ERR_STORE_ALL, "stock_all_stores", WXPAY_REJECTED },
	{ 272756740, PC_ERR_USER_LIMIT, "user_limit", WXPAY_REJECTED },
	{ 268577984, PC_ERR_STOCK_NOT_SENDING, "stock_not_sending",
	    WXPAY_REJECTED },
	{ 272755200, PC_ERR_SEND_REENTRY, "send_reentry", WXPAY_REJECTED },
	/* our bug (a stored body changed): stop and alarm */
	{ 268578927, PC_ERR_REQNO_MISMATCH, "request_no_mismatch",
	    WXPAY_CONFIG },
	{ 268578532, PC_ERR_OPENID, "openid_invalid", WXPAY_REJECTED },
	{ 268578526, PC_ERR_OPENID, "openid_invalid", WXPAY_REJECTED },
	{ 268578704, PC_ERR_APPID, "appid_invalid", WXPAY_CONFIG },
	{ 268578608, PC_ERR_NO_OBJECT, "object_not_found", WXPAY_CONFIG },
	{ 268579803, PC_ERR_NO_AUTH, "no_auth", WXPAY_CONFIG },
	{ 268435461, PC_ERR_PARAM, "bad_request", WXPAY_REJECTED },
	{ 268435462, PC_ERR_PARAM, "bad_request", WXPAY_REJECTED },
	{ 268435463, PC_ERR_PARAM, "bad_request", WXPAY_REJECTED },
	{ 268435464, PC_ERR_PARAM, "bad_request", WXPAY_REJECTED },
	{ 268578101, PC_ERR_PARAM, "bad_request", WXPAY_REJECTED },
	{ 268578224, PC_ERR_PARAM, "bad_request", WXPAY_REJECTED },
	{ 268578404, PC_ERR_BACK_OFFICE, "back_office", WXPAY_REJECTED },
	{ 268586067, PC_ERR_BACK_OFFICE, "back_office", WXPAY_REJECTED },
	{ 270087680, PC_ERR_BACK_OFFICE, "back_office", WXPAY_REJECTED },
	{ 270924289, PC_ERR_RATE, "rate_limited", WXPAY_RETRY },
};

const struct pc_err_info *
pc_err_of_numeric(long numeric)
{
	size_t i;

	if (numeric == 0)
		return &errs[0];
	for (i = 2; i < sizeof errs / sizeof errs[0]; i++)
		if (errs[i].numeric == numeric)
			return &errs[i];
	return &errs[1];
}

const struct pc_err_info *
pc_err_info(enum pc_err e)
{
	size_t i;

	for (i = 0; i < sizeof errs / sizeof errs[0]; i++)
		if (errs[i].err == e)
			return &errs[i];
	return &errs[1];
}

long
pc_request_id_code(const char *rid)
{
	const char *dash, *p;
	long v = 0;

	if (rid == NULL || (dash = strrchr(rid, '-')) == NULL ||
	    dash[1] == '\0')
		return 0;
	for (p = dash + 1; *p != '\0'; p++) {
		if (*p < '0' || *p > '9' || p - dash > 10)
			return 0;
		v = v * 10 + (*p - '0');
	}
	return v;
}

/* ---- the entity --------------------------------------------------------- */

/* Copy string k of o into dst[n]: 1 ok or absent, 0 (and *cause) on a
 * wrong type or an over-long value. */
static int
str_at(json_t *o, const char *k, char *dst, size_t n, char **cause)
{
	json_t *v = json_object_get(o, k);

	if (v == NULL || json_is_null(v))
		return 1;
	if (!json_is_string(v) || json_string_length(v) >= n ||
	    strlen(json_string_value(v)) != json_string_length(v)) {
		err_set_cause(cause, xasprintf("field %s: not a string of "
		    "at most %zu bytes", k, n - 1));
		return 0;
	}
	memcpy(dst, json_string_value(v), json_string_length(v) + 1);
	return 1;
}

static int
time_at(json_t *o, const char *k, int64_t *dst, char **cause)
{
	char buf[48] = "";

	if (!str_at(o, k, buf, sizeof buf, cause))
		return 0;
	if (buf[0] == '\0')
		return 1;
	if (tm_parse_rfc3339_min(buf, dst) != 0) {
		err_set_cause(cause, xasprintf("field %s: not RFC 3339", k));
		return 0;
	}
	return 1;
}

static int
int_at(json_t *o, const char *k, int *dst, char **cause)
{
	json_t *v = json_object_get(o, k);

	if (v == NULL || json_is_null(v))
		return 1;
	if (!json_is_integer(v) || json_integer_value(v) < 0 ||
	    json_integer_value(v) > 1000000) {
		err_set_cause(cause, xasprintf("field %s: not a count", k));
		return 0;
	}
	*dst = (int)json_integer_value(v);
	return 1;
}

static int
obj_ok(json_t *v, const char *k, char **cause)
{
	if (v == NULL || json_is_null(v) || json_is_object(v))
		return 1;
	err_set_cause(cause, xasprintf("field %s: not an object", k));
	return 0;
}

/* single_usage_detail / progressive_bundle_usage_detail */
static int
usage_detail(json_t *d, struct pc_entity *c, char **cause)
{
	json_t *ao = json_object_get(d, "associated_order_info");

	if (!obj_ok(ao, "associated_order_info", cause))
		return 0;
	return str_at(d, "use_request_no", c->use_request_no,
	    sizeof c->use_request_no, cause) &&
	    time_at(d, "use_time", &c->use_time, cause) &&
	    str_at(d, "return_request_no", c->return_request_no,
	    sizeof c->return_request_no, cause) &&
	    (ao == NULL || json_is_null(ao) ||
	    (str_at(ao, "transaction_id", c->transaction_id,
	    sizeof c->transaction_id, cause) &&
	    str_at(ao, "out_trade_no", c->out_trade_no,
	    sizeof c->out_trade_no, cause)));
}

static int
entity(json_t *o, struct pc_entity *c, char **cause)
{
	char st[32] = "";
	json_t *pc = json_object_get(o, "product_coupon");
	json_t *sd = json_object_get(o, "single_usage_detail");
	json_t *bd = json_object_get(o, "progressive_bundle_usage_detail");
	json_t *bi = json_object_get(o, "user_product_coupon_bundle_info");
	json_t *sk = json_object_get(o, "stock");

	memset(c, 0, sizeof *c);
	c->bundle_index = -1;
	if (!json_is_object(o)) {
		err_set_cause(cause, xstrdup("coupon is not a JSON object"));
		return 0;
	}
	if (!obj_ok(pc, "product_coupon", cause) ||
	    !obj_ok(sd, "single_usage_detail", cause) ||
	    !obj_ok(bd, "progressive_bundle_usage_detail", cause) ||
	    !obj_ok(bi, "user_product_coupon_bundle_info", cause) ||
	    !obj_ok(sk, "stock", cause))
		return 0;
	if (!str_at(o, "coupon_code", c->coupon_code, sizeof c->coupon_code,
	    cause) || !str_at(o, "coupon_state", st, sizeof st, cause) ||
	    !str_at(o, "brand_id", c->brand_id, sizeof c->brand_id, cause) ||
	    !time_at(o, "valid_begin_time", &c->valid_begin, cause) ||
	    !time_at(o, "valid_end_time", &c->valid_end, cause) ||
	    !time_at(o, "receive_time", &c->receive_time, cause) ||
	    !str_at(o, "send_request_no", c->send_request_no,
	    sizeof c->send_request_no, cause) ||
	    !str_at(o, "confirm_request_no", c->confirm_request_no,
	    sizeof c->confirm_request_no, cause))
		return 0;
	if (c->coupon_code[0] == '\0') {
		err_set_cause(cause, xstrdup("coupon lacks coupon_code"));
		return 0;
	}
	c->state = (enum pc_state)pc_state_parse(st);
	if (json_is_object(sd) && !usage_detail(sd, c, cause))
		return 0;
	if (json_is_object(bd) && !usage_detail(bd, c, cause))
		return 0;
	if (json_is_object(bi) && (!str_at(bi, "user_coupon_bundle_id",
	    c->user_coupon_bundle_id, sizeof c->user_coupon_bundle_id,
	    cause) || !int_at(bi, "user_coupon_bundle_index",
	    &c->bundle_index, cause) || !int_at(bi, "total_count",
	    &c->bundle_total, cause) || !int_at(bi, "used_count",
	    &c->bundle_used, cause)))
		return 0;
	if (json_is_object(pc) && (!str_at(pc, "product_coupon_id",
	    c->product_coupon_id, sizeof c->product_coupon_id, cause) ||
	    !str_at(pc, "usage_mode", c->usage_mode, sizeof c->usage_mode,
	    cause) || !str_at(pc, "type", c->type, sizeof c->type, cause) ||
	    !str_at(pc, "scope", c->scope, sizeof c->scope, cause)))
		return 0;
	if (json_is_object(sk) && !str_at(sk, "stock_id", c->stock_id,
	    sizeof c->stock_id, cause))
		return 0;
	return 1;
}

int
pc_coupon_parse(const char *json, size_t n, struct pc_entity *out,
    char **cause)
{
	json_error_t je;
	json_t *o = json_loadb(json, n, JSON_REJECT_DUPLICATES, &je);
	int ok;

	if (o == NULL) {
		memset(out, 0, sizeof *out);
		err_set_cause(cause, xasprintf("not JSON: %s", je.text));
		return QUAN_EPROTO;
	}
	ok = entity(o, out, cause);
	json_decref(o);
	return ok ? QUAN_OK : QUAN_EPROTO;
}

/* A list page {total_count, user_coupon_list[], next_page_token} into r. */
int pc_list_parse(json_t *o, struct pc_result *r, char **cause);

int
pc_list_parse(json_t *o, struct pc_result *r, char **cause)
{
	json_t *l = json_object_get(o, "user_coupon_list");
	json_t *tc = json_object_get(o, "total_count");
	size_t i;

	if (l != NULL && !json_is_null(l) && !json_is_array(l)) {
		err_set_cause(cause, xstrdup("user_coupon_list: not a list"));
		return 0;
	}
	if (tc != NULL && !json_is_null(tc)) {
		if (!json_is_integer(tc) || json_integer_value(tc) < 0) {
			err_set_cause(cause, xstrdup("total_count: not a "
			    "count"));
			return 0;
		}
		r->total_count = json_integer_value(tc);
	}
	if (!str_at(o, "next_page_token", r->next_page_token,
	    sizeof r->next_page_token, cause))
		return 0;
	if (!json_is_array(l) || json_array_size(l) == 0)
		return 1;
	if (json_array_size(l) > 1000) {
		err_set_cause(cause, xstrdup("user_coupon_list: too long"));
		return 0;
	}
	r->list = xcalloc(json_array_size(l), sizeof *r->list);
	for (i = 0; i < json_array_size(l); i++) {
		if (!entity(json_array_get(l, i), &r->list[i], cause))
			return 0;
		r->nlist++;
	}
	return 1;
}

/* ---- bodies ----------------------------------------------------------- */

int
pc_reqno_ok(const char *s)
{
	return pc_reqno_valid(s, 40);
}

int
pc_reqno_valid(const char *s, size_t max)
{
	size_t n = s ? strlen(s) : 0, i;

	if (n < 6 || n > max)
		return 0;
	for (i = 0; i < n; i++)
		if (!((s[i] >= '0' && s[i] <= '9') ||
		    (s[i] >= 'A' && s[i] <= 'Z') ||
		    (s[i] >= 'a' && s[i] <= 'z') || s[i] == '_' ||
		    s[i] == '-'))
			return 0;
	return 1;
}

/* Set k to v (a required string, ≤ max bytes); 0 with *cause if not. */
static int
put(json_t *o, const char *k, const char *v, size_t max, char **cause)
{
	json_t *s;

	if (str_empty(v) || strlen(v) > max ||
	    (s = json_string(v)) == NULL) {
		err_set_cause(cause, xasprintf("%s: missing, not UTF-8 or "
		    "longer than %zu", k, max));
		return 0;
	}
	json_object_set_new(o, k, s);
	return 1;
}

static char *
dump(json_t *o, int ok)
{
	char *s = ok ? json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER) :
	    NULL;
	char *r = s ? xstrdup(s) : NULL;

	free(s);
	json_decref(o);
	return r;
}

/* The three ids every user-coupon call carries, and the request number. */
static int
ids(json_t *o, const char *pcid, const char *sid, const char *appid,
    const char *reqno, char **cause)
{
	if (!pc_reqno_ok(reqno)) {
		err_set_cause(cause, xstrdup("out_request_no: 6-40 of "
		    "[0-9A-Za-z_-]"));
		return 0;
	}
	return put(o, "product_coupon_id", pcid, 63, cause) &&
	    put(o, "stock_id", sid, 63, cause) &&
	    put(o, "appid", appid, 63, cause);
}

char *
pc_use_body(const struct pc_use_req *q, const char *brand_id, char **cause)
{
	json_t *o = json_object(), *ao = json_object();
	int64_t t;
	int ok;

	ok = ids(o, q->product_coupon_id, q->stock_id, q->appid,
	    q->out_request_no, cause) &&
	    put(o, "use_time", q->use_time, 40, cause) &&
	    put(o, "out_request_no", q->out_request_no, 40, cause);
	if (ok && tm_parse_rfc3339_min(q->use_time, &t) != 0) {
		err_set_cause(cause, xstrdup("use_time: not RFC 3339"));
		ok = 0;
	}
	if (ok && !str_empty(brand_id))
		ok = put(o, "brand_id", brand_id, 63, cause);
	if (ok && !str_empty(q->store_id))
		ok = put(o, "store_id", q->store_id, 63, cause);
	if (ok && !str_empty(q->transaction_id) == !str_empty(q->out_trade_no)) {
		err_set_cause(cause, xstrdup("associated_order_info: "
		    "transaction_id or out_trade_no (+ mchid), one of them"));
		ok = 0;
	}
	if (ok && !str_empty(q->transaction_id))
		ok = put(ao, "transaction_id", q->transaction_id, 32, cause);
	else if (ok)
		ok = put(ao, "out_trade_no", q->out_trade_no, 32, cause) &&
		    put(ao, "mchid", q->mchid, 32, cause) &&
		    (str_empty(q->sub_mchid) ||
		    put(ao, "sub_mchid", q->sub_mchid, 32, cause));
	json_object_set_new(o, "associated_order_info", ao);
	return dump(o, ok);
}

char *
pc_simple_body(const char *pcid, const char *sid, const char *appid,
    const char *reqno, const char *reason, const char *brand_id,
    char **cause)
{
	json_t *o = json_object();
	int ok;

	ok = ids(o, pcid, sid, appid, reqno, cause) &&
	    put(o, "out_request_no", reqno, 40, cause);
	if (ok && reason != NULL)
		ok = put(o, "deactivate_reason", reason, 600, cause);
	if (ok && !str_empty(brand_id))
		ok = put(o, "brand_id", brand_id, 63, cause);
	return dump(o, ok);
}
