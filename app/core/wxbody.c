/*
 * wxbody.c — the bodies of the WeChat coupon calls (wxbody.h): the one
 * builder the checkout (at redeem), settle (rows stored without a body)
 * and the clients' tests share.
 */
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "core/wxbody.h"
#include "util/str.h"
#include "util/tm.h"
#include "util/xmem.h"

/* Add k: v to o; 0 for a v that is not UTF-8. */
static int
put(json_t *o, const char *k, const char *v)
{
	json_t *s = json_string(v != NULL ? v : "");

	return s != NULL && json_object_set_new(o, k, s) == 0;
}

/* The compact text of o when ok (new, xstrdup'd), else NULL; frees o. */
static char *
dump(json_t *o, int ok)
{
	char *s = ok ? json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER |
	    JSON_ENSURE_ASCII) : NULL;
	char *r = s != NULL ? xstrdup(s) : NULL;

	free(s);
	json_decref(o);
	return r;
}

char *
wxbody_use(const char *coupon_code, const char *stock_id,
    const char *appid, int64_t use_time, const char *use_request_no,
    const char *openid)
{
	char ts[40];
	json_t *o;
	int ok;

	if (str_empty(coupon_code) || use_time <= 0)
		return NULL;
	tm_rfc3339(use_time, ts, sizeof ts);
	o = json_object();
	ok = put(o, "coupon_code", coupon_code) &&
	    (str_empty(stock_id) || put(o, "stock_id", stock_id)) &&
	    put(o, "appid", appid) && put(o, "use_time", ts) &&
	    put(o, "use_request_no", use_request_no) &&
	    (str_empty(openid) || put(o, "openid", openid));
	return dump(o, ok);
}

char *
wxbody_return(const char *coupon_code, const char *stock_id,
    const char *return_request_no)
{
	json_t *o;
	int ok;

	if (str_empty(coupon_code))
		return NULL;
	o = json_object();
	ok = put(o, "coupon_code", coupon_code) &&
	    put(o, "stock_id", stock_id) &&
	    put(o, "return_request_no", return_request_no);
	return dump(o, ok);
}

/* Given (not NULL, not empty) and at most max bytes. */
static int
id_ok(const char *s, size_t max)
{
	return !str_empty(s) && strlen(s) <= max;
}

char *
wxbody_deactivate(const char *coupon_code, const char *stock_id,
    const char *deactivate_request_no, const char *reason)
{
	json_t *o;
	int ok;

	if (!id_ok(coupon_code, 128) || !id_ok(stock_id, 64) ||
	    !id_ok(deactivate_request_no, 128) ||
	    (reason != NULL && strlen(reason) > 192))
		return NULL;
	o = json_object();
	ok = put(o, "coupon_code", coupon_code) &&
	    put(o, "stock_id", stock_id) &&
	    put(o, "deactivate_request_no", deactivate_request_no) &&
	    (str_empty(reason) || put(o, "deactivate_reason", reason));
	return dump(o, ok);
}

char *
wxbody_consume(const char *code, const char *card_id)
{
	json_t *o;
	int ok;

	if (str_empty(code))
		return NULL;
	o = json_object();
	ok = put(o, "code", code) &&
	    (str_empty(card_id) || put(o, "card_id", card_id));
	return dump(o, ok);
}
