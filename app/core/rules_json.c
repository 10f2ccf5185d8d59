/*
 * rules_json.c — stock and card JSON (as WeChat sends them) into struct
 * rules_def. Runs once per import/refresh, never on the scan path. Every
 * field the rules use is type- and range-checked; a failure names the key
 * path in *cause. Unknown keys are ignored (WeChat adds keys at will).
 */
#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "core/rules.h"
#include "util/err.h"
#include "util/money.h"
#include "util/tm.h"
#include "util/xmem.h"

#define JSON_MAX_BYTES (1024 * 1024)
#define DAYS_MAX 3660                   /* ten years of days */
#define TS_MAX ((int64_t)253402300799)  /* 9999-12-31T23:59:59Z */

struct pctx {
	char **cause;
};

static int
fail(struct pctx *x, int rc, const char *path, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static int
fail(struct pctx *x, int rc, const char *path, const char *fmt, ...)
{
	char msg[256];
	va_list ap;

	if (x->cause != NULL && *x->cause == NULL) {
		va_start(ap, fmt);
		vsnprintf(msg, sizeof msg, fmt, ap);
		va_end(ap);
		*x->cause = xasprintf("%s: %s", path, msg);
	}
	return rc;
}

static const char *
jtype(const json_t *v)
{
	switch (json_typeof(v)) {
	case JSON_OBJECT: return "object";
	case JSON_ARRAY: return "array";
	case JSON_STRING: return "string";
	case JSON_INTEGER: return "integer";
	case JSON_REAL: return "real number";
	case JSON_TRUE: case JSON_FALSE: return "boolean";
	case JSON_NULL: return "null";
	}
	return "value";
}

/* Copy UTF-8 s into out (size cap), cutting at a character boundary. */
static void
copy_utf8(char *out, size_t cap, const char *s)
{
	size_t n = strlen(s);

	if (n >= cap) {
		n = cap - 1;
		while (n > 0 && ((unsigned char)s[n] & 0xc0) == 0x80)
			n--;
	}
	memcpy(out, s, n);
	out[n] = '\0';
}

/* Optional object member: NULL when absent or JSON null. */
static json_t *
member(const json_t *o, const char *k)
{
	json_t *v = json_object_get(o, k);

	return json_is_null(v) ? NULL : v;
}

static int
get_obj(struct pctx *x, const json_t *o, const char *k, const char *path,
    int required, json_t **out)
{
	json_t *v = member(o, k);

	*out = NULL;
	if (v == NULL)
		return required ? fail(x, QUAN_EINVAL, path, "missing") : 0;
	if (!json_is_object(v))
		return fail(x, QUAN_EINVAL, path, "expected object, got %s",
		    jtype(v));
	*out = v;
	return 0;
}

static int
get_str(struct pctx *x, const json_t *o, const char *k, const char *path,
    int required, const char **out)
{
	json_t *v = member(o, k);

	*out = NULL;
	if (v == NULL)
		return required ? fail(x, QUAN_EINVAL, path, "missing") : 0;
	if (!json_is_string(v))
		return fail(x, QUAN_EINVAL, path, "expected string, got %s",
		    jtype(v));
	*out = json_string_value(v);
	return 0;
}

/* Integer in [lo, hi]; absent -> *out = dflt unless required. */
static int
get_int(struct pctx *x, const json_t *o, const char *k, const char *path,
    int required, int64_t lo, int64_t hi, int64_t dflt, int64_t *out)
{
	json_t *v = member(o, k);
	json_int_t i;

	*out = dflt;
	if (v == NULL)
		return required ? fail(x, QUAN_EINVAL, path, "missing") : 0;
	if (!json_is_integer(v))
		return fail(x, QUAN_EINVAL, path, "expected integer, got %s",
		    jtype(v));
	i = json_integer_value(v);
	if (i < lo || i > hi)
		return fail(x, QUAN_EINVAL, path,
		    "%lld outside %lld..%lld", (long long)i, (long long)lo,
		    (long long)hi);
	*out = (int64_t)i;
	return 0;
}

/* Boolean, also "true"/"false" strings (older card replies). */
static int
get_bool(struct pctx *x, const json_t *o, const char *k, const char *path,
    int dflt, int *out)
{
	json_t *v = member(o, k);

	*out = dflt;
	if (v == NULL)
		return 0;
	if (json_is_boolean(v)) {
		*out = json_is_true(v);
		return 0;
	}
	if (json_is_string(v) && strcmp(json_string_value(v), "true") == 0) {
		*out = 1;
		return 0;
	}
	if (json_is_string(v) && strcmp(json_string_value(v), "false") == 0) {
		*out = 0;
		return 0;
	}
	return fail(x, QUAN_EINVAL, path, "expected boolean, got %s",
	    jtype(v));
}

static int
get_time(struct pctx *x, const json_t *o, const char *k, const char *path,
    int required, int64_t *out)
{
	const char *s;
	int rc;

	*out = 0;
	if ((rc = get_str(x, o, k, path, required, &s)) != 0 || s == NULL)
		return rc;
	if (strlen(s) > 40 || tm_parse_rfc3339(s, out) != QUAN_OK)
		return fail(x, QUAN_EINVAL, path, "not an RFC 3339 time");
	if (*out <= 0 || *out > TS_MAX)
		return fail(x, QUAN_EINVAL, path, "time out of range");
	return 0;
}

static int
check_id(struct pctx *x, const char *s, const char *path, char *out)
{
	size_t i, n = strlen(s);

	if (n == 0 || n > RULES_ID_MAX)
		return fail(x, QUAN_EINVAL, path, "empty or longer than %d",
		    RULES_ID_MAX);
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') ||
		    (c >= 'A' && c <= 'Z') || c == '_' || c == '-'))
			return fail(x, QUAN_EINVAL, path,
			    "character outside [0-9A-Za-z_-]");
	}
	memcpy(out, s, n + 1);
	return 0;
}

static int
copy_state(struct pctx *x, const char *s, const char *path,
    struct rules_def *d)
{
	size_t i, n = strlen(s);

	if (n >= sizeof d->state)
		return fail(x, QUAN_EINVAL, path, "too long");
	for (i = 0; i < n; i++)
		if ((unsigned char)s[i] <= 0x20 || (unsigned char)s[i] >= 0x7f)
			return fail(x, QUAN_EINVAL, path,
			    "not a plain ASCII word");
	memcpy(d->state, s, n + 1);
	return 0;
}

static void
def_init(struct rules_def *d, enum rules_family f)
{
	memset(d, 0, sizeof *d);
	d->family = f;
	d->stackable = 1;
	d->per_txn = 1;
	d->pay_percent = 100;
}

static json_t *
load(struct pctx *x, const char *json, size_t len, int *rc)
{
	json_error_t err;
	json_t *root;

	*rc = 0;
	if (json == NULL) {
		*rc = fail(x, QUAN_EINVAL, "json", "no input");
		return NULL;
	}
	if (len > JSON_MAX_BYTES) {
		*rc = fail(x, QUAN_ETOOBIG, "json", "over %d bytes",
		    JSON_MAX_BYTES);
		return NULL;
	}
	root = json_loadb(json, len, JSON_REJECT_DUPLICATES, &err);
	if (root == NULL)
		*rc = fail(x, QUAN_EINVAL, "json", "line %d column %d: %s",
		    err.line, err.column, err.text);
	return root;
}

/* ---- merchant-coupon stock ---- */

static int
parse_week(struct pctx *x, const json_t *wk, struct rules_def *d)
{
	json_t *days = member(wk, "week_day");
	json_t *times = member(wk, "available_day_time");
	uint8_t mask = 0;
	size_t i;
	json_t *v;

	if (days != NULL && !json_is_array(days))
		return fail(x, QUAN_EINVAL, "available_week.week_day",
		    "expected array, got %s", jtype(days));
	if (times != NULL && !json_is_array(times))
		return fail(x, QUAN_EINVAL,
		    "available_week.available_day_time",
		    "expected array, got %s", jtype(times));
	json_array_foreach(days, i, v) {
		long long w;

		if (json_is_integer(v)) {
			w = json_integer_value(v);
		} else if (json_is_string(v) &&
		    strlen(json_string_value(v)) == 1 &&
		    json_string_value(v)[0] >= '0' &&
		    json_string_value(v)[0] <= '9') {
			w = json_string_value(v)[0] - '0'; /* §8.3 strings */
		} else {
			return fail(x, QUAN_EINVAL, "available_week.week_day",
			    "entry %zu: expected 0..6, got %s", i, jtype(v));
		}
		if (w < 0 || w > 6)
			return fail(x, QUAN_EINVAL, "available_week.week_day",
			    "entry %zu: %lld outside 0..6", i, w);
		mask |= (uint8_t)(1u << w);
	}
	if (mask == 0)
		mask = 0x7f; /* no weekday list: every day */
	if (times == NULL || json_array_size(times) == 0) {
		if (mask == 0x7f)
			return 0; /* no restriction at all */
		d->windows[0].wmask = mask;
		d->windows[0].begin = 0;
		d->windows[0].end = 86399;
		d->n_windows = 1;
		return 0;
	}
	if (json_array_size(times) > RULES_MAX_WINDOWS)
		return fail(x, QUAN_EINVAL,
		    "available_week.available_day_time",
		    "more than %d entries", RULES_MAX_WINDOWS);
	json_array_foreach(times, i, v) {
		int64_t b, e;
		int rc;

		if (!json_is_object(v))
			return fail(x, QUAN_EINVAL,
			    "available_week.available_day_time",
			    "entry %zu: expected object", i);
		if ((rc = get_int(x, v, "begin_time",
		    "available_day_time.begin_time", 1, 0, 86400, 0, &b)) ||
		    (rc = get_int(x, v, "end_time",
		    "available_day_time.end_time", 1, 0, 86400, 0, &e)))
			return rc;
		if (e == 86400)
			e = 86399; /* end of day written as 24:00 */
		if (b > e)
			return fail(x, QUAN_EINVAL,
			    "available_week.available_day_time",
			    "entry %zu: begin_time %lld after end_time %lld",
			    i, (long long)b, (long long)e);
		d->windows[d->n_windows].wmask = mask;
		d->windows[d->n_windows].begin = (int32_t)b;
		d->windows[d->n_windows].end = (int32_t)e;
		d->n_windows++;
	}
	return 0;
}

static int
parse_periods(struct pctx *x, const json_t *arr, struct rules_def *d)
{
	size_t i;
	json_t *v;

	if (!json_is_array(arr))
		return fail(x, QUAN_EINVAL, "irregulary_avaliable_time",
		    "expected array, got %s", jtype(arr));
	if (json_array_size(arr) > RULES_MAX_PERIODS)
		return fail(x, QUAN_EINVAL, "irregulary_avaliable_time",
		    "more than %d entries", RULES_MAX_PERIODS);
	json_array_foreach(arr, i, v) {
		int64_t b, e;
		int rc;

		if (!json_is_object(v))
			return fail(x, QUAN_EINVAL,
			    "irregulary_avaliable_time",
			    "entry %zu: expected object", i);
		if ((rc = get_time(x, v, "begin_time",
		    "irregulary_avaliable_time.begin_time", 1, &b)) ||
		    (rc = get_time(x, v, "end_time",
		    "irregulary_avaliable_time.end_time", 1, &e)))
			return rc;
		if (b > e)
			return fail(x, QUAN_EINVAL,
			    "irregulary_avaliable_time",
			    "entry %zu: begin_time after end_time", i);
		d->periods[d->n_periods].begin = b;
		d->periods[d->n_periods].end = e;
		d->n_periods++;
	}
	return 0;
}

static int
parse_stock(struct pctx *x, const json_t *o, struct rules_def *d)
{
	json_t *rule, *avail, *sub, *wk, *irr;
	const char *s;
	int64_t v;
	int rc;

	def_init(d, RULES_MERCHANT);
	if (!json_is_object(o))
		return fail(x, QUAN_EINVAL, "stock", "expected object, got %s",
		    jtype(o));
	if ((rc = get_str(x, o, "stock_id", "stock_id", 1, &s)) ||
	    (rc = check_id(x, s, "stock_id", d->id)))
		return rc;
	if ((rc = get_str(x, o, "stock_name", "stock_name", 0, &s)))
		return rc;
	if (s != NULL)
		copy_utf8(d->name, sizeof d->name, s);
	if ((rc = get_str(x, o, "goods_name", "goods_name", 0, &s)))
		return rc;
	if (s != NULL)
		copy_utf8(d->goods, sizeof d->goods, s);
	if ((rc = get_str(x, o, "stock_state", "stock_state", 0, &s)))
		return rc;
	if (s != NULL) {
		if ((rc = copy_state(x, s, "stock_state", d)))
			return rc;
		d->usable = strcmp(s, "RUNNING") == 0;
	}
	if ((rc = get_str(x, o, "stock_type", "stock_type", 1, &s)))
		return rc;
	if (strcmp(s, "NORMAL") == 0)
		d->type = RULES_T_NORMAL;
	else if (strcmp(s, "DISCOUNT") == 0)
		d->type = RULES_T_DISCOUNT;
	else if (strcmp(s, "EXCHANGE") == 0)
		d->type = RULES_T_EXCHANGE;
	else
		return fail(x, QUAN_ENOTSUP, "stock_type",
		    "unsupported value (NORMAL|DISCOUNT|EXCHANGE)");

	if ((rc = get_obj(x, o, "coupon_use_rule", "coupon_use_rule", 1,
	    &rule)))
		return rc;
	if ((rc = get_obj(x, rule, "coupon_available_time",
	    "coupon_use_rule.coupon_available_time", 1, &avail)))
		return rc;
	if ((rc = get_time(x, avail, "available_begin_time",
	    "coupon_available_time.available_begin_time", 1, &d->begin_at)) ||
	    (rc = get_time(x, avail, "available_end_time",
	    "coupon_available_time.available_end_time", 1, &d->end_at)))
		return rc;
	if (d->begin_at > d->end_at)
		return fail(x, QUAN_EINVAL, "coupon_available_time",
		    "available_begin_time after available_end_time");
	if ((rc = get_int(x, avail, "available_day_after_receive",
	    "coupon_available_time.available_day_after_receive", 0, 0,
	    DAYS_MAX, 0, &v)))
		return rc;
	d->valid_days = (int32_t)v;
	if ((rc = get_int(x, avail, "wait_days_after_receive",
	    "coupon_available_time.wait_days_after_receive", 0, 0,
	    DAYS_MAX, 0, &v)))
		return rc;
	d->wait_days = (int32_t)v;
	d->date = (d->valid_days > 0 || d->wait_days > 0) ?
	    RULES_DATE_RELATIVE : RULES_DATE_RANGE;
	if ((rc = get_obj(x, avail, "available_week",
	    "coupon_available_time.available_week", 0, &wk)))
		return rc;
	if (wk != NULL && (rc = parse_week(x, wk, d)))
		return rc;
	irr = member(avail, "irregulary_avaliable_time");
	if (irr != NULL && (rc = parse_periods(x, irr, d)))
		return rc;

	switch (d->type) {
	case RULES_T_NORMAL:
		if ((rc = get_obj(x, rule, "fixed_normal_coupon",
		    "coupon_use_rule.fixed_normal_coupon", 1, &sub)) ||
		    (rc = get_int(x, sub, "discount_amount",
		    "fixed_normal_coupon.discount_amount", 1, 1,
		    MONEY_MAX_FEN, 0, &d->amount_fen)) ||
		    (rc = get_int(x, sub, "transaction_minimum",
		    "fixed_normal_coupon.transaction_minimum", 1, 0,
		    MONEY_MAX_FEN, 0, &d->minimum_fen)))
			return rc;
		break;
	case RULES_T_DISCOUNT:
		if ((rc = get_obj(x, rule, "discount_coupon",
		    "coupon_use_rule.discount_coupon", 1, &sub)) ||
		    (rc = get_int(x, sub, "discount_percent",
		    "discount_coupon.discount_percent", 1, 1, 99, 0, &v)) ||
		    (rc = get_int(x, sub, "transaction_minimum",
		    "discount_coupon.transaction_minimum", 1, 0,
		    MONEY_MAX_FEN, 0, &d->minimum_fen)))
			return rc;
		d->pay_percent = (int32_t)v; /* 88 = pay 88 % */
		break;
	default: /* RULES_T_EXCHANGE */
		if ((rc = get_obj(x, rule, "exchange_coupon",
		    "coupon_use_rule.exchange_coupon", 1, &sub)) ||
		    (rc = get_int(x, sub, "exchange_price",
		    "exchange_coupon.exchange_price", 1, 0, MONEY_MAX_FEN, 0,
		    &d->amount_fen)) ||
		    (rc = get_int(x, sub, "transaction_minimum",
		    "exchange_coupon.transaction_minimum", 1, 0,
		    MONEY_MAX_FEN, 0, &d->minimum_fen)))
			return rc;
		break;
	}
	return 0;
}

int
rules_stock_from_json(const struct json_t *obj, struct rules_def *out,
    char **cause)
{
	struct pctx x = { cause };
	int rc;

	if (cause != NULL)
		*cause = NULL;
	rc = parse_stock(&x, obj, out);
	if (rc != 0)
		def_init(out, RULES_MERCHANT);
	return rc;
}

int
rules_parse_stock(const char *json, size_t len, struct rules_def *out,
    char **cause)
{
	struct pctx x = { cause };
	json_t *root;
	int rc;

	if (cause != NULL)
		*cause = NULL;
	def_init(out, RULES_MERCHANT);
	if ((root = load(&x, json, len, &rc)) == NULL)
		return rc;
	rc = rules_stock_from_json(root, out, cause);
	json_decref(root);
	return rc;
}

/* ---- card ---- */

static const struct {
	const char *name;
	int wday;
} week_names[] = {
	{ "SUNDAY", 0 }, { "MONDAY", 1 }, { "TUESDAY", 2 },
	{ "WEDNESDAY", 3 }, { "THURSDAY", 4 }, { "FRIDAY", 5 },
	{ "SATURDAY", 6 },
};

static int
parse_time_limit(struct pctx *x, const json_t *arr, struct rules_def *d)
{
	size_t i, k;
	json_t *v;

	if (!json_is_array(arr))
		return fail(x, QUAN_EINVAL, "advanced_info.time_limit",
		    "expected array, got %s", jtype(arr));
	json_array_foreach(arr, i, v) {
		const char *t;
		int64_t bh, bm, eh, em;
		int wday = -1, rc;

		if (!json_is_object(v))
			return fail(x, QUAN_EINVAL, "advanced_info.time_limit",
			    "entry %zu: expected object", i);
		if ((rc = get_str(x, v, "type", "time_limit.type", 1, &t)))
			return rc;
		for (k = 0; k < sizeof week_names / sizeof week_names[0]; k++)
			if (strcmp(t, week_names[k].name) == 0)
				wday = week_names[k].wday;
		if (wday < 0) {
			if (strcmp(t, "HOLIDAY") == 0)
				continue; /* holidays are not known here */
			return fail(x, QUAN_EINVAL, "time_limit.type",
			    "entry %zu: unknown day", i);
		}
		if ((rc = get_int(x, v, "begin_hour", "time_limit.begin_hour",
		    0, 0, 24, 0, &bh)) ||
		    (rc = get_int(x, v, "begin_minute",
		    "time_limit.begin_minute", 0, 0, 59, 0, &bm)) ||
		    (rc = get_int(x, v, "end_hour", "time_limit.end_hour", 0, 0,
		    24, 24, &eh)) ||
		    (rc = get_int(x, v, "end_minute", "time_limit.end_minute",
		    0, 0, 59, 0, &em)))
			return rc;
		if (d->n_windows >= RULES_MAX_WINDOWS)
			return fail(x, QUAN_EINVAL, "advanced_info.time_limit",
			    "more than %d entries", RULES_MAX_WINDOWS);
		{
			int64_t b = bh * 3600 + bm * 60;
			int64_t e = eh * 3600 + em * 60;

			if (e >= 86400)
				e = 86399;
			if (b >= 86400 || b > e)
				return fail(x, QUAN_EINVAL,
				    "advanced_info.time_limit",
				    "entry %zu: begin after end", i);
			d->windows[d->n_windows].wmask =
			    (uint8_t)(1u << wday);
			d->windows[d->n_windows].begin = (int32_t)b;
			d->windows[d->n_windows].end = (int32_t)e;
			d->n_windows++;
		}
	}
	return 0;
}

static int
parse_date_info(struct pctx *x, const json_t *di, struct rules_def *d)
{
	json_t *t = member(di, "type");
	const char *ts = NULL;
	int64_t v;
	int rc;

	if (t == NULL)
		return fail(x, QUAN_EINVAL, "base_info.date_info.type",
		    "missing");
	if (json_is_string(t)) {
		ts = json_string_value(t);
	} else if (json_is_integer(t) && json_integer_value(t) == 1) {
		ts = "DATE_TYPE_FIX_TIME_RANGE"; /* older replies: 1 */
	} else if (json_is_integer(t) && json_integer_value(t) == 2) {
		ts = "DATE_TYPE_FIX_TERM";       /* older replies: 2 */
	} else {
		return fail(x, QUAN_EINVAL, "base_info.date_info.type",
		    "unexpected %s", jtype(t));
	}
	if (strcmp(ts, "DATE_TYPE_FIX_TIME_RANGE") == 0) {
		d->date = RULES_DATE_RANGE;
		if ((rc = get_int(x, di, "begin_timestamp",
		    "date_info.begin_timestamp", 1, 0, TS_MAX, 0,
		    &d->begin_at)) ||
		    (rc = get_int(x, di, "end_timestamp",
		    "date_info.end_timestamp", 1, 1, TS_MAX, 0, &d->end_at)))
			return rc;
		if (d->begin_at > d->end_at)
			return fail(x, QUAN_EINVAL, "base_info.date_info",
			    "begin_timestamp after end_timestamp");
	} else if (strcmp(ts, "DATE_TYPE_FIX_TERM") == 0) {
		d->date = RULES_DATE_RELATIVE;
		if ((rc = get_int(x, di, "fixed_term", "date_info.fixed_term",
		    1, 1, DAYS_MAX, 0, &v)))
			return rc;
		d->valid_days = (int32_t)v;
		if ((rc = get_int(x, di, "fixed_begin_term",
		    "date_info.fixed_begin_term", 0, 0, DAYS_MAX, 0, &v)))
			return rc;
		d->wait_days = (int32_t)v;
		/* Optional common cut-off for every user's coupon. */
		if ((rc = get_int(x, di, "end_timestamp",
		    "date_info.end_timestamp", 0, 0, TS_MAX, 0, &d->end_at)))
			return rc;
	} else if (strcmp(ts, "DATE_TYPE_PERMANENT") == 0) {
		d->date = RULES_DATE_PERMANENT;
	} else {
		return fail(x, QUAN_EINVAL, "base_info.date_info.type",
		    "unknown value");
	}
	return 0;
}

static const struct {
	const char *type;
	const char *key;
	enum rules_type t;
	const char *text;   /* free-text field */
} card_types[] = {
	{ "CASH", "cash", RULES_T_CASH, NULL },
	{ "DISCOUNT", "discount", RULES_T_CARD_DISCOUNT, NULL },
	{ "GIFT", "gift", RULES_T_GIFT, "gift" },
	{ "GROUPON", "groupon", RULES_T_GROUPON, "deal_detail" },
	{ "GENERAL_COUPON", "general_coupon", RULES_T_GENERAL,
	  "default_detail" },
};

static int
parse_card(struct pctx *x, const json_t *o, struct rules_def *d)
{
	json_t *sub, *base, *di, *adv, *cond, *tl;
	const char *s;
	size_t k, ti = 0;
	int found = 0, rc;
	int64_t v;

	def_init(d, RULES_CARD);
	if (!json_is_object(o))
		return fail(x, QUAN_EINVAL, "card", "expected object, got %s",
		    jtype(o));
	if (member(o, "card_type") == NULL && member(o, "card") != NULL) {
		/* a whole /card/get reply */
		if ((rc = get_int(x, o, "errcode", "errcode", 0, 0, 0, 0, &v)))
			return rc;
		if ((rc = get_obj(x, o, "card", "card", 1, &sub)))
			return rc;
		o = sub;
	}
	if ((rc = get_str(x, o, "card_type", "card_type", 1, &s)))
		return rc;
	for (k = 0; k < sizeof card_types / sizeof card_types[0]; k++)
		if (strcmp(s, card_types[k].type) == 0) {
			ti = k;
			found = 1;
		}
	if (!found)
		return fail(x, QUAN_ENOTSUP, "card_type",
		    "not a coupon type this terminal prices (CASH|DISCOUNT|"
		    "GIFT|GROUPON|GENERAL_COUPON)");
	d->type = card_types[ti].t;
	if ((rc = get_obj(x, o, card_types[ti].key, card_types[ti].key, 1,
	    &sub)) ||
	    (rc = get_obj(x, sub, "base_info", "base_info", 1, &base)))
		return rc;
	if ((rc = get_str(x, base, "id", "base_info.id", 1, &s)) ||
	    (rc = check_id(x, s, "base_info.id", d->id)))
		return rc;
	if ((rc = get_str(x, base, "title", "base_info.title", 0, &s)))
		return rc;
	if (s != NULL)
		copy_utf8(d->name, sizeof d->name, s);
	if ((rc = get_str(x, base, "sub_title", "base_info.sub_title", 0,
	    &s)))
		return rc;
	if (s != NULL)
		copy_utf8(d->goods, sizeof d->goods, s);
	if ((rc = get_str(x, base, "status", "base_info.status", 0, &s)))
		return rc;
	if (s != NULL) {
		if ((rc = copy_state(x, s, "base_info.status", d)))
			return rc;
		d->usable = strcmp(s, "CARD_STATUS_VERIFY_OK") == 0 ||
		    strcmp(s, "CARD_STATUS_DISPATCH") == 0;
	}
	if ((rc = get_obj(x, base, "date_info", "base_info.date_info", 1,
	    &di)) || (rc = parse_date_info(x, di, d)))
		return rc;

	switch (d->type) {
	case RULES_T_CASH:
		if ((rc = get_int(x, sub, "least_cost", "cash.least_cost", 0,
		    0, MONEY_MAX_FEN, 0, &d->minimum_fen)) ||
		    (rc = get_int(x, sub, "reduce_cost", "cash.reduce_cost", 1,
		    1, MONEY_MAX_FEN, 0, &d->amount_fen)))
			return rc;
		break;
	case RULES_T_CARD_DISCOUNT:
		/* `discount` is percent OFF: 30 -> pay 70 % ("七折"). */
		if ((rc = get_int(x, sub, "discount", "discount.discount", 1,
		    1, 99, 0, &v)))
			return rc;
		d->pay_percent = (int32_t)(100 - v);
		break;
	default:
		if ((rc = get_str(x, sub, card_types[ti].text,
		    card_types[ti].text, 0, &s)))
			return rc;
		if (s != NULL)
			copy_utf8(d->detail, sizeof d->detail, s);
		break;
	}

	if ((rc = get_obj(x, sub, "advanced_info", "advanced_info", 0,
	    &adv)))
		return rc;
	if (adv != NULL) {
		if ((rc = get_obj(x, adv, "use_condition",
		    "advanced_info.use_condition", 0, &cond)))
			return rc;
		if (cond != NULL) {
			if ((rc = get_int(x, cond, "least_cost",
			    "use_condition.least_cost", 0, 0, MONEY_MAX_FEN, 0,
			    &v)))
				return rc;
			if (v > d->minimum_fen)
				d->minimum_fen = v; /* the stricter one */
			if ((rc = get_bool(x, cond,
			    "can_use_with_other_discount",
			    "use_condition.can_use_with_other_discount", 1,
			    &d->stackable)))
				return rc;
		}
		tl = member(adv, "time_limit");
		if (tl != NULL && (rc = parse_time_limit(x, tl, d)))
			return rc;
	}
	return 0;
}

int
rules_card_from_json(const struct json_t *obj, struct rules_def *out,
    char **cause)
{
	struct pctx x = { cause };
	int rc;

	if (cause != NULL)
		*cause = NULL;
	rc = parse_card(&x, obj, out);
	if (rc != 0)
		def_init(out, RULES_CARD);
	return rc;
}

int
rules_parse_card(const char *json, size_t len, struct rules_def *out,
    char **cause)
{
	struct pctx x = { cause };
	json_t *root;
	int rc;

	if (cause != NULL)
		*cause = NULL;
	def_init(out, RULES_CARD);
	if ((root = load(&x, json, len, &rc)) == NULL)
		return rc;
	rc = rules_card_from_json(root, out, cause);
	json_decref(root);
	return rc;
}
