/*
 * pcoupon_json.c — WeChat's 商品券 JSON into core/pcoupon.h's structs
 * (pcoupon_json.h). Every error names the key; nothing here trusts a
 * type, a length or a range it did not check.
 */
#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/pcoupon_json.h"
#include "core/pcoupon_rules.h"
#include "util/err.h"
#include "util/money.h"
#include "util/tm.h"
#include "util/xmem.h"

static int bad(char **cause, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static int
bad(char **cause, const char *fmt, ...)
{
	va_list ap;
	char buf[256];

	va_start(ap, fmt);
	vsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
	if (cause != NULL)
		*cause = xasprintf("%s", buf);
	return QUAN_EINVAL;
}

/* A string of 1..max bytes of [0-9A-Za-z_-] (WeChat's ids and codes),
 * copied to out; absent: "" when !required. */
static int
get_id(const json_t *o, const char *key, char *out, size_t max,
    int required, char **cause)
{
	const json_t *v = json_object_get(o, key);
	const char *s;
	size_t i, n;

	out[0] = '\0';
	if (v == NULL || json_is_null(v))
		return required ? bad(cause, "%s: missing", key) : QUAN_OK;
	if (!json_is_string(v))
		return bad(cause, "%s: not a string", key);
	s = json_string_value(v);
	n = json_string_length(v);
	if (n == 0 || n > max)
		return bad(cause, "%s: %zu bytes (1..%zu)", key, n, max);
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') ||
		    (c >= 'A' && c <= 'Z') || c == '_' || c == '-'))
			return bad(cause, "%s: character %zu not [0-9A-Za-z_-]",
			    key, i + 1);
	}
	memcpy(out, s, n);
	out[n] = '\0';
	return QUAN_OK;
}

/* A UTF-8 text, cut to fit n on a character boundary. */
static int
get_text(const json_t *o, const char *key, char *out, size_t n, char **cause)
{
	const json_t *v = json_object_get(o, key);
	size_t len;

	out[0] = '\0';
	if (v == NULL || json_is_null(v))
		return QUAN_OK;
	if (!json_is_string(v))
		return bad(cause, "%s: not a string", key);
	len = json_string_length(v);
	if (len >= n) {
		len = n - 1;
		while (len > 0 && ((unsigned char)json_string_value(v)[len] &
		    0xc0) == 0x80)
			len--;
	}
	memcpy(out, json_string_value(v), len);
	out[len] = '\0';
	if (memchr(out, '\0', len) != NULL)
		return bad(cause, "%s: contains NUL", key);
	return QUAN_OK;
}

/* An integer in [lo, hi]; absent: *out = dflt. */
static int
get_int(const json_t *o, const char *key, int64_t lo, int64_t hi,
    int64_t dflt, int64_t *out, char **cause)
{
	const json_t *v = json_object_get(o, key);

	*out = dflt;
	if (v == NULL || json_is_null(v))
		return QUAN_OK;
	if (!json_is_integer(v))
		return bad(cause, "%s: not an integer", key);
	*out = json_integer_value(v);
	if (*out < lo || *out > hi)
		return bad(cause, "%s: %lld out of %lld..%lld", key,
		    (long long)*out, (long long)lo, (long long)hi);
	return QUAN_OK;
}

static int
get_time(const json_t *o, const char *key, int64_t *out, char **cause)
{
	const json_t *v = json_object_get(o, key);

	*out = 0;
	if (v == NULL || json_is_null(v))
		return QUAN_OK;
	if (!json_is_string(v) || tm_parse_rfc3339_min(json_string_value(v), out)
	    != QUAN_OK)
		return bad(cause, "%s: not an RFC 3339 time", key);
	return QUAN_OK;
}

/* An enum word: parse(s) must give non-zero (or >= 0 for store scope). */
static int
get_word(const json_t *o, const char *key, int required, const char **out,
    char **cause)
{
	const json_t *v = json_object_get(o, key);

	*out = NULL;
	if (v == NULL || json_is_null(v))
		return required ? bad(cause, "%s: missing", key) : QUAN_OK;
	if (!json_is_string(v) || json_string_length(v) > 32)
		return bad(cause, "%s: not a word", key);
	*out = json_string_value(v);
	return QUAN_OK;
}

/* One of normal_coupon / discount_coupon / exchange_coupon of obj into r
 * (r->type stays UNKNOWN when obj has none). */
static int
get_rule(const json_t *obj, struct pc_rule *r, char **cause)
{
	static const char *const keys[] = {
		NULL, "normal_coupon", "discount_coupon", "exchange_coupon"
	};
	const json_t *x = NULL;
	int64_t v;
	int t, rc;

	memset(r, 0, sizeof *r);
	for (t = 1; t <= 3; t++) {
		const json_t *y = json_object_get(obj, keys[t]);

		if (y == NULL || json_is_null(y))
			continue;
		if (!json_is_object(y))
			return bad(cause, "%s: not an object", keys[t]);
		if (x != NULL)
			return bad(cause, "%s: more than one rule", keys[t]);
		x = y;
		r->type = (enum pc_type)t;
	}
	if (x == NULL)
		return QUAN_OK;
	if ((rc = get_int(x, "threshold", 0, MONEY_MAX_FEN, 0,
	    &r->threshold_fen, cause)) != 0)
		return rc;
	switch (r->type) {
	case PC_TYPE_NORMAL:
		if ((rc = get_int(x, "discount_amount", 1, MONEY_MAX_FEN, -1,
		    &r->discount_amount_fen, cause)) != 0)
			return rc;
		if (r->discount_amount_fen < 0)
			return bad(cause, "discount_amount: missing");
		if (r->threshold_fen > 0 &&
		    r->discount_amount_fen > r->threshold_fen)
			return bad(cause, "discount_amount: over threshold");
		break;
	case PC_TYPE_DISCOUNT:
		if ((rc = get_int(x, "percent_off", 1, 99, -1, &v,
		    cause)) != 0)
			return rc;
		if (v < 0)
			return bad(cause, "percent_off: missing");
		r->percent_off = (int32_t)v;
		break;
	default:
		if ((rc = get_int(x, "exchange_price", 0, MONEY_MAX_FEN, -1,
		    &r->exchange_price_fen, cause)) != 0)
			return rc;
		if (r->exchange_price_fen < 0)
			return bad(cause, "exchange_price: missing");
		break;
	}
	return QUAN_OK;
}

int
pc_product_from_json(const json_t *o, struct pc_product *p, char **cause)
{
	const json_t *su, *pb, *di;
	const char *w;
	int64_t v;
	int rc;

	memset(p, 0, sizeof *p);
	if (!json_is_object(o))
		return bad(cause, "not an object");
	if ((rc = get_id(o, "product_coupon_id", p->product_coupon_id,
	    PC_ID_MAX, 1, cause)) != 0 ||
	    (rc = get_id(o, "brand_id", p->brand_id, PC_ID_MAX, 0, cause)) != 0)
		return rc;
	if ((rc = get_word(o, "scope", 1, &w, cause)) != 0)
		return rc;
	p->scope = pc_scope_parse(w);   /* CATEGORY…: kept, never priced */
	if ((rc = get_word(o, "type", 1, &w, cause)) != 0)
		return rc;
	if ((p->type = pc_type_parse(w)) == PC_TYPE_UNKNOWN)
		return bad(cause, "type: '%s' unknown", w);
	if ((rc = get_word(o, "usage_mode", 1, &w, cause)) != 0)
		return rc;
	if ((p->usage = pc_usage_parse(w)) == PC_USAGE_UNKNOWN)
		return bad(cause, "usage_mode: '%s' unknown", w);
	if (p->type == PC_TYPE_EXCHANGE && p->scope == PC_SCOPE_ALL)
		return bad(cause, "type: EXCHANGE needs scope SINGLE");
	su = json_object_get(o, "single_usage_info");
	if (su != NULL && !json_is_null(su)) {
		if (!json_is_object(su))
			return bad(cause, "single_usage_info: not an object");
		if ((rc = get_rule(su, &p->single, cause)) != 0)
			return rc;
		if (p->single.type != PC_TYPE_UNKNOWN &&
		    p->single.type != p->type)
			return bad(cause, "single_usage_info: rule is not %s",
			    pc_type_name(p->type));
	}
	pb = json_object_get(o, "progressive_bundle_usage_info");
	if (p->usage == PC_USAGE_BUNDLE) {
		if (!json_is_object(pb))
			return bad(cause, "progressive_bundle_usage_info: "
			    "missing");
		if ((rc = get_int(pb, "count", 3, PC_BUNDLE_MAX, -1, &v,
		    cause)) != 0)
			return rc;
		if (v < 0)
			return bad(cause, "count: missing");
		p->bundle_count = (int32_t)v;
		if ((rc = get_int(pb, "interval_days", 0, 7, 0, &v,
		    cause)) != 0)
			return rc;
		p->interval_days = (int32_t)v;
	}
	di = json_object_get(o, "display_info");
	if (di != NULL && !json_is_null(di)) {
		if (!json_is_object(di))
			return bad(cause, "display_info: not an object");
		if ((rc = get_text(di, "name", p->name, sizeof p->name,
		    cause)) != 0 || (rc = get_int(di, "original_price", 0,
		    MONEY_MAX_FEN, 0, &p->original_price_fen, cause)) != 0)
			return rc;
	}
	if ((rc = get_text(o, "out_product_no", p->out_product_no,
	    sizeof p->out_product_no, cause)) != 0)
		return rc;
	if ((rc = get_word(o, "state", 0, &w, cause)) != 0)
		return rc;
	p->state = w != NULL ? pc_def_state_parse(w) : PC_DEF_EFFECTIVE;
	if (w != NULL && p->state == PC_DEF_UNKNOWN)
		return bad(cause, "state: '%s' unknown", w);
	return QUAN_OK;
}

static const char *const day_words[] = {
	"SUNDAY", "MONDAY", "TUESDAY", "WEDNESDAY", "THURSDAY", "FRIDAY",
	"SATURDAY"
};

/* weekly_available_period: day_list × day_period_list -> k->weekly */
static int
get_weekly(const json_t *w, struct pc_stock *k, char **cause)
{
	const json_t *dl = json_object_get(w, "day_list");
	const json_t *pl = json_object_get(w, "day_period_list");
	const json_t *x;
	uint8_t mask = 0;
	size_t i;
	int d;

	if (!json_is_array(dl) || json_array_size(dl) == 0)
		return bad(cause, "weekly_available_period.day_list: missing");
	json_array_foreach(dl, i, x) {
		for (d = 0; d < 7; d++)
			if (json_is_string(x) && strcmp(json_string_value(x),
			    day_words[d]) == 0)
				break;
		if (d == 7)
			return bad(cause, "day_list[%zu]: not a weekday", i);
		mask |= (uint8_t)(1u << d);
	}
	if (pl == NULL || json_is_null(pl) || json_array_size(pl) == 0) {
		k->weekly[0].wmask = mask;   /* whole days */
		k->weekly[0].begin = 0;
		k->weekly[0].end = 86399;
		k->nweekly = 1;
		return QUAN_OK;
	}
	if (!json_is_array(pl) || json_array_size(pl) > PC_WEEKLY_MAX)
		return bad(cause, "day_period_list: not an array of at most %d",
		    PC_WEEKLY_MAX);
	json_array_foreach(pl, i, x) {
		int64_t b, e;
		int rc;

		if (!json_is_object(x))
			return bad(cause, "day_period_list[%zu]: not an object",
			    i);
		if ((rc = get_int(x, "begin_time", 0, 86399, -1, &b,
		    cause)) != 0 || (rc = get_int(x, "end_time", 0, 86399, -1,
		    &e, cause)) != 0)
			return rc;
		if (b < 0 || e < b)
			return bad(cause, "day_period_list[%zu]: bad times", i);
		k->weekly[i].wmask = mask;
		k->weekly[i].begin = (int32_t)b;
		k->weekly[i].end = (int32_t)e;
	}
	k->nweekly = (int)json_array_size(pl);
	return QUAN_OK;
}

/* coupon_available_period and the rule of a usage rule object. */
static int
get_usage_rule(const json_t *u, struct pc_stock *k, char **cause)
{
	const json_t *cap, *w, *ir, *x;
	int64_t v;
	size_t i;
	int rc;

	if ((rc = get_rule(u, &k->rule, cause)) != 0)
		return rc;
	k->has_rule = k->rule.type != PC_TYPE_UNKNOWN;
	cap = json_object_get(u, "coupon_available_period");
	if (cap == NULL || json_is_null(cap))
		return QUAN_OK;
	if (!json_is_object(cap))
		return bad(cause, "coupon_available_period: not an object");
	if ((rc = get_time(cap, "available_begin_time", &k->begin,
	    cause)) != 0 || (rc = get_time(cap, "available_end_time", &k->end,
	    cause)) != 0)
		return rc;
	if (k->begin != 0 && k->end != 0 && k->end < k->begin)
		return bad(cause, "available_end_time: before the begin");
	if ((rc = get_int(cap, "available_days", 0, 365, 0, &v, cause)) != 0)
		return rc;
	k->available_days = (int32_t)v;
	if ((rc = get_int(cap, "wait_days_after_receive", 0, 30, 0, &v,
	    cause)) != 0)
		return rc;
	k->wait_days = (int32_t)v;
	w = json_object_get(cap, "weekly_available_period");
	if (w != NULL && !json_is_null(w)) {
		if (!json_is_object(w))
			return bad(cause, "weekly_available_period: not an "
			    "object");
		if ((rc = get_weekly(w, k, cause)) != 0)
			return rc;
	}
	ir = json_object_get(cap, "irregular_available_period_list");
	if (ir == NULL || json_is_null(ir))
		return QUAN_OK;
	if (!json_is_array(ir) || json_array_size(ir) > PC_IRREGULAR_MAX)
		return bad(cause, "irregular_available_period_list: not an "
		    "array of at most %d", PC_IRREGULAR_MAX);
	json_array_foreach(ir, i, x) {
		struct pc_range *r = &k->irregular[i];

		if (!json_is_object(x))
			return bad(cause, "irregular_available_period_list"
			    "[%zu]: not an object", i);
		if ((rc = get_time(x, "begin_time", &r->begin, cause)) != 0 ||
		    (rc = get_time(x, "end_time", &r->end, cause)) != 0)
			return rc;
		if (r->begin == 0 || r->end < r->begin)
			return bad(cause, "irregular_available_period_list"
			    "[%zu]: bad range", i);
	}
	k->nirregular = (int)json_array_size(ir);
	return QUAN_OK;
}

static int
get_methods(const json_t *d, uint32_t *out, char **cause)
{
	static const char *const words[] = {
		"OFFLINE", "MINI_PROGRAM", "APP", "PAYMENT_CODE"
	};
	const json_t *l = json_object_get(d, "coupon_usage_method_list"), *x;
	size_t i;
	int j;

	*out = 0;
	if (l == NULL || json_is_null(l))
		return QUAN_OK;
	if (!json_is_array(l))
		return bad(cause, "coupon_usage_method_list: not an array");
	json_array_foreach(l, i, x)
		for (j = 0; j < 4; j++)
			if (json_is_string(x) &&
			    strcmp(json_string_value(x), words[j]) == 0)
				*out |= 1u << j; /* unknown words: ignored */
	return QUAN_OK;
}

int
pc_stock_from_json(const json_t *o, const struct pc_product *p,
    struct pc_stock *k, char **cause)
{
	const json_t *su, *pb, *bi, *d, *st, *x;
	const char *w;
	int64_t v;
	size_t i;
	int rc;

	memset(k, 0, sizeof *k);
	if (!json_is_object(o))
		return bad(cause, "not an object");
	if ((rc = get_id(o, "stock_id", k->stock_id, PC_ID_MAX, 1,
	    cause)) != 0 || (rc = get_id(o, "product_coupon_id",
	    k->product_coupon_id, PC_ID_MAX, 1, cause)) != 0 ||
	    (rc = get_id(o, "brand_id", k->brand_id, PC_ID_MAX, 0, cause)) != 0)
		return rc;
	su = json_object_get(o, "single_usage_rule");
	pb = json_object_get(o, "progressive_bundle_usage_rule");
	if (su != NULL && !json_is_null(su) && pb != NULL && !json_is_null(pb))
		return bad(cause, "single_usage_rule and "
		    "progressive_bundle_usage_rule both given");
	if (pb != NULL && !json_is_null(pb))
		su = pb;
	if (su != NULL && !json_is_null(su)) {
		if (!json_is_object(su))
			return bad(cause, "usage rule: not an object");
		if ((rc = get_usage_rule(su, k, cause)) != 0)
			return rc;
	}
	if (p != NULL && k->has_rule && k->rule.type != p->type)
		return bad(cause, "rule is not the product's %s",
		    pc_type_name(p->type));
	if (p != NULL && p->usage == PC_USAGE_BUNDLE && !k->has_rule)
		return bad(cause, "progressive_bundle_usage_rule: missing");
	if (p != NULL && p->scope == PC_SCOPE_SINGLE && !k->has_rule)
		return bad(cause, "single_usage_rule: missing");
	bi = json_object_get(o, "stock_bundle_info");
	if (bi != NULL && !json_is_null(bi)) {
		if (!json_is_object(bi))
			return bad(cause, "stock_bundle_info: not an object");
		if ((rc = get_id(bi, "stock_bundle_id", k->stock_bundle_id,
		    PC_ID_MAX, 0, cause)) != 0 || (rc = get_int(bi,
		    "stock_bundle_index", 0, PC_BUNDLE_MAX - 1, 0, &v,
		    cause)) != 0)
			return rc;
		k->bundle_index = (int32_t)v;
	}
	d = json_object_get(o, "usage_rule_display_info");
	if (json_is_object(d) && (rc = get_methods(d, &k->methods,
	    cause)) != 0)
		return rc;
	if ((rc = get_word(o, "store_scope", 0, &w, cause)) != 0)
		return rc;
	if (w != NULL && (int)(k->store_scope = pc_store_scope_parse(w)) < 0)
		return bad(cause, "store_scope: '%s' unknown", w);
	st = json_object_get(o, "stores");
	if (st != NULL && !json_is_null(st)) {
		if (!json_is_array(st) || json_array_size(st) > PC_STORES_MAX)
			return bad(cause, "stores: not an array of at most %d",
			    PC_STORES_MAX);
		json_array_foreach(st, i, x) {
			json_t *one = json_pack("{s:O}", "stores", x);

			rc = one != NULL ? get_id(one, "stores", k->stores[i],
			    PC_ID_MAX, 1, cause) : QUAN_ENOMEM;
			json_decref(one);
			if (rc != 0)
				return rc;
		}
		k->nstores = (int)json_array_size(st);
	}
	if ((rc = get_word(o, "state", 0, &w, cause)) != 0)
		return rc;
	k->state = w != NULL ? pc_def_state_parse(w) : PC_DEF_SENDING;
	if (w != NULL && k->state == PC_DEF_UNKNOWN)
		return bad(cause, "state: '%s' unknown", w);
	return QUAN_OK;
}

int
pc_coupon_from_json(const json_t *o, struct pc_coupon *c, char **cause)
{
	const json_t *pc, *sk, *bi;
	const char *w;
	int64_t v;
	int rc;

	memset(c, 0, sizeof *c);
	if (!json_is_object(o))
		return bad(cause, "not an object");
	pc = json_object_get(o, "product_coupon");
	sk = json_object_get(o, "stock");
	if ((rc = get_id(o, "coupon_code", c->code, PC_CODE_MAX, 1,
	    cause)) != 0 || (rc = get_id(o, "appid", c->appid, PC_ID_MAX, 1,
	    cause)) != 0 || (rc = get_id(o, "openid", c->openid,
	    PC_OPENID_MAX, 1, cause)) != 0 || (rc = get_id(o, "brand_id",
	    c->brand_id, PC_ID_MAX, 0, cause)) != 0)
		return rc;
	/* ids at the top (notification shape) or in the nested objects */
	if ((rc = get_id(json_is_object(pc) ? pc : o, "product_coupon_id",
	    c->product_coupon_id, PC_ID_MAX, 1, cause)) != 0 ||
	    (rc = get_id(json_is_object(sk) ? sk : o, "stock_id", c->stock_id,
	    PC_ID_MAX, 1, cause)) != 0)
		return rc;
	if (c->brand_id[0] == '\0' && json_is_object(pc) &&
	    (rc = get_id(pc, "brand_id", c->brand_id, PC_ID_MAX, 0,
	    cause)) != 0)
		return rc;
	if ((rc = get_word(o, "coupon_state", 0, &w, cause)) != 0)
		return rc;
	c->state = w != NULL ? (enum pc_state)pc_state_parse(w) :
	    PC_ST_EFFECTIVE;
	if (w != NULL && c->state == PC_ST_UNKNOWN)
		return bad(cause, "coupon_state: '%s' unknown", w);
	if ((rc = get_time(o, "valid_begin_time", &c->valid_begin,
	    cause)) != 0 || (rc = get_time(o, "valid_end_time", &c->valid_end,
	    cause)) != 0 || (rc = get_time(o, "receive_time",
	    &c->receive_time, cause)) != 0)
		return rc;
	if (c->valid_begin != 0 && c->valid_end != 0 &&
	    c->valid_end < c->valid_begin)
		return bad(cause, "valid_end_time: before valid_begin_time");
	/* send_request_no is up to 128 chars and no key of ours: kept as
	 * far as it fits */
	if ((rc = get_text(o, "send_request_no", c->send_request_no,
	    sizeof c->send_request_no, cause)) != 0)
		return rc;
	if ((rc = get_id(o, "confirm_request_no", c->confirm_request_no,
	    PC_REQNO_MAX, 0, cause)) != 0)
		return rc;
	if (json_is_object(sk) && (bi = json_object_get(sk,
	    "stock_bundle_info")) != NULL && json_is_object(bi) &&
	    (rc = get_id(bi, "stock_bundle_id", c->stock_bundle_id, PC_ID_MAX,
	    0, cause)) != 0)
		return rc;
	bi = json_object_get(o, "user_product_coupon_bundle_info");
	if (bi != NULL && !json_is_null(bi)) {
		if (!json_is_object(bi))
			return bad(cause, "user_product_coupon_bundle_info: "
			    "not an object");
		if ((rc = get_id(bi, "user_coupon_bundle_id",
		    c->user_coupon_bundle_id, PC_CODE_MAX, 1, cause)) != 0)
			return rc;
		if ((rc = get_int(bi, "user_coupon_bundle_index", 0,
		    PC_BUNDLE_MAX - 1, 0, &v, cause)) != 0)
			return rc;
		c->bundle_index = (int32_t)v;
		if ((rc = get_int(bi, "total_count", 0, PC_BUNDLE_MAX, 0, &v,
		    cause)) != 0)
			return rc;
		c->bundle_total = (int32_t)v;
		if ((rc = get_int(bi, "used_count", 0, PC_BUNDLE_MAX, 0, &v,
		    cause)) != 0)
			return rc;
		c->bundle_used = (int32_t)v;
		if (c->bundle_total > 0 && c->bundle_index >= c->bundle_total)
			return bad(cause, "user_coupon_bundle_index: past "
			    "total_count");
	}
	c->source = PC_SRC_IMPORT;
	return QUAN_OK;
}
