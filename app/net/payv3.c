/*
 * payv3.c — APIv3 付款码支付 (doc §7): the codepay and reverse bodies and
 * the reading of codepay / query / reverse answers (already verified by
 * wxpay_process) into a struct pay_answer, vouchers from
 * promotion_detail (§8.4).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "net/pay.h"
#include "net/pay_int.h"
#include "net/wxpay.h"
#include "util/err.h"
#include "util/str.h"
#include "util/xmem.h"

static int
put(json_t *o, const char *k, const char *v)
{
	json_t *s;

	if (v == NULL || *v == '\0')
		return 1; /* optional and absent */
	s = json_string(v);
	return s != NULL && json_object_set_new(o, k, s) == 0;
}

static int
len_ok(const char *s, size_t max)
{
	return s == NULL || strlen(s) <= max;
}

char *
pay_v3_pay_body(const char *appid, const char *mchid,
    const struct pay_order *o)
{
	json_t *b, *payer, *amount, *scene, *store = NULL;
	char *s, *r;
	int ok;

	if (appid == NULL || *appid == '\0' || mchid == NULL ||
	    *mchid == '\0' || !pay_out_trade_no_ok(o->out_trade_no) ||
	    o->auth_code == NULL || *o->auth_code == '\0' ||
	    strlen(o->auth_code) > 128 || o->description == NULL ||
	    *o->description == '\0' || str_utf8_len((const unsigned char *)
	    o->description, strlen(o->description)) == 0 ||
	    strlen(o->description) > 127 * 4 || o->total_fen < 1 ||
	    !len_ok(o->goods_tag, 32) || !len_ok(o->device_id, 32) ||
	    !len_ok(o->device_ip, 64) || !len_ok(o->store_id, 32) ||
	    !len_ok(o->attach, 128))
		return NULL;
	b = json_object();
	payer = json_object();
	amount = json_pack("{s:I,s:s}", "total", (json_int_t)o->total_fen,
	    "currency", "CNY");
	scene = json_object();
	ok = put(b, "appid", appid) && put(b, "mchid", mchid) &&
	    put(b, "description", o->description) &&
	    put(b, "out_trade_no", o->out_trade_no) &&
	    put(b, "attach", o->attach) && put(b, "goods_tag", o->goods_tag) &&
	    put(payer, "auth_code", o->auth_code) &&
	    put(scene, "device_id", o->device_id) &&
	    put(scene, "device_ip", o->device_ip);
	/* store_info is required by the API, even when empty */
	store = json_object();
	ok = ok && put(store, "out_id", o->store_id);
	json_object_set_new(scene, "store_info", store);
	json_object_set_new(b, "payer", payer);
	json_object_set_new(b, "amount", amount);
	json_object_set_new(b, "scene_info", scene);
	s = ok ? json_dumps(b, JSON_COMPACT) : NULL;
	json_decref(b);
	r = s ? xstrdup(s) : NULL;
	free(s);
	return r;
}

char *
pay_v3_reverse_body(const char *appid, const char *mchid)
{
	json_t *b = json_object();
	char *s, *r;

	if (!put(b, "appid", appid) || !put(b, "mchid", mchid)) {
		json_decref(b);
		return NULL;
	}
	s = json_dumps(b, JSON_COMPACT);
	json_decref(b);
	r = s ? xstrdup(s) : NULL;
	free(s);
	return r;
}

/* ---- answers ---------------------------------------------------------- */

static void
copy(char *dst, size_t n, json_t *o, const char *k)
{
	json_t *v = json_object_get(o, k);

	if (json_is_string(v))
		str_clean(dst, n, json_string_value(v),
		    json_string_length(v));
}

/* An amount: a JSON integer ≥ 0 (or a numeric string), else -1. */
static int64_t
fen(json_t *o, const char *k)
{
	json_t *v = json_object_get(o, k);

	if (json_is_integer(v))
		return json_integer_value(v) >= 0 ? json_integer_value(v) : -1;
	if (json_is_string(v)) {
		const char *s = json_string_value(v);
		char *end;
		long long n;

		if (*s == '\0' || strlen(s) > 15)
			return -1;
		n = strtoll(s, &end, 10);
		return *end == '\0' && n >= 0 ? n : -1;
	}
	return -1;
}

/* promotion_detail[] of v3 and of v2 version=1.0 (doc §8.3/§8.4). 0, or
 * -1 when an entry is malformed (then the answer is not trusted). */
int
pay_promotions(json_t *arr, struct pay_answer *a)
{
	size_t i;
	json_t *e;

	if (arr == NULL || json_is_null(arr))
		return 0;
	if (!json_is_array(arr))
		return -1;
	json_array_foreach(arr, i, e) {
		struct pay_voucher *v;
		const char *type, *scope;
		json_t *t, *sc;

		if (a->nv >= PAY_VOUCHERS_MAX || !json_is_object(e))
			return -1;
		v = &a->v[a->nv];
		memset(v, 0, sizeof *v);
		copy(v->id, sizeof v->id, e, "coupon_id");
		if (v->id[0] == '\0')
			copy(v->id, sizeof v->id, e, "promotion_id");
		copy(v->name, sizeof v->name, e, "name");
		copy(v->stock_id, sizeof v->stock_id, e, "stock_id");
		if (v->stock_id[0] == '\0')
			copy(v->stock_id, sizeof v->stock_id, e,
			    "activity_id");
		t = json_object_get(e, "type");
		sc = json_object_get(e, "scope");
		type = json_is_string(t) ? json_string_value(t) : "";
		scope = json_is_string(sc) ? json_string_value(sc) : "";
		/* v3 CASH/NOCASH, v2 1.0 COUPON/DISCOUNT (§8.5) */
		if (strcmp(type, "NOCASH") == 0 ||
		    strcmp(type, "DISCOUNT") == 0 ||
		    strcmp(type, "NO_CASH") == 0)
			v->type = PAY_VT_NOCASH;
		else if (strcmp(type, "CASH") == 0 ||
		    strcmp(type, "COUPON") == 0)
			v->type = PAY_VT_PREFUNDED;
		else
			return -1;
		v->single = strcmp(scope, "SINGLE") == 0;
		v->amount_fen = fen(e, "amount");
		v->wechatpay_fen = fen(e, "wechatpay_contribute");
		if (v->wechatpay_fen < 0)
			v->wechatpay_fen = fen(e, "wxpay_contribute");
		v->merchant_fen = fen(e, "merchant_contribute");
		v->other_fen = fen(e, "other_contribute");
		if (v->id[0] == '\0' || v->amount_fen < 0)
			return -1;
		a->nv++;
	}
	return 0;
}

/* An answer that cannot be believed (pay_int.h). */
void
pay_untrusted(struct pay_answer *a, const char *why)
{
	a->rc = QUAN_EPROTO;
	a->trusted = 0;
	a->err = PAY_E_BAD_REPLY;
	a->trade = PAY_TS_NONE;
	a->nv = 0;
	snprintf(a->text, sizeof a->text, "%s", why);
}

/* voucher_fen and settlement_fen from total, payer and the vouchers. */
void
pay_sums(struct pay_answer *a)
{
	int64_t sum = 0, nocash = 0;
	int i;

	for (i = 0; i < a->nv; i++) {
		sum += a->v[i].amount_fen;
		if (a->v[i].type == PAY_VT_NOCASH)
			nocash += a->v[i].amount_fen;
	}
	if (a->total_fen >= 0 && a->payer_fen >= 0)
		a->voucher_fen = a->total_fen - a->payer_fen;
	else
		a->voucher_fen = sum;
	if (a->total_fen >= 0 && a->settlement_fen < 0)
		a->settlement_fen = a->total_fen - nocash;
}


void
pay_v3_answer(enum pay_op op, const struct wxpay_result *r,
    struct pay_answer *a)
{
	json_t *o = NULL, *amt, *payer;

	pay_answer_init(a, op);
	a->http = r->http;
	a->rc = r->rc;
	a->trusted = r->verified;
	snprintf(a->code, sizeof a->code, "%s", r->code);
	str_clean(a->text, sizeof a->text, r->message, strlen(r->message));
	if (r->rc != 0) {
		a->trusted = 0;
		a->err = r->rc == QUAN_EPROTO || r->rc == QUAN_ETOOBIG ?
		    PAY_E_BAD_REPLY : PAY_E_NET;
		return;
	}
	if (r->http < 200 || r->http >= 300) {
		a->err = pay_err_parse(r->code);
		if (a->err == PAY_E_NONE)
			a->err = r->http == 429 ? PAY_E_FREQUENCY_LIMITED :
			    r->http >= 500 ? PAY_E_SYSTEMERROR : PAY_E_HTTP;
		if (r->http == 429)
			a->err = PAY_E_FREQUENCY_LIMITED;
		return;
	}
	if (!r->verified) {
		pay_untrusted(a, "2xx answer without a verified signature");
		return;
	}
	if (r->body_len == 0) {
		if (op != PAY_OP_REVERSE)
			pay_untrusted(a, "empty answer");
		return;
	}
	o = json_loadb(r->body, r->body_len, JSON_REJECT_DUPLICATES, NULL);
	if (!json_is_object(o)) {
		json_decref(o);
		pay_untrusted(a, "answer is not a JSON object");
		return;
	}
	copy(a->out_trade_no, sizeof a->out_trade_no, o, "out_trade_no");
	copy(a->transaction_id, sizeof a->transaction_id, o,
	    "transaction_id");
	copy(a->time, sizeof a->time, o, "success_time");
	copy(a->text, sizeof a->text, o, "trade_state_desc");
	payer = json_object_get(o, "payer");
	if (json_is_object(payer))
		copy(a->openid, sizeof a->openid, payer, "openid");
	amt = json_object_get(o, "amount");
	if (json_is_object(amt)) {
		a->total_fen = fen(amt, "total");
		a->payer_fen = fen(amt, "payer_total");
	}
	if (op != PAY_OP_REVERSE) {
		json_t *ts = json_object_get(o, "trade_state");

		a->trade = pay_trade_parse(json_is_string(ts) ?
		    json_string_value(ts) : NULL);
		if (a->trade == PAY_TS_NONE) {
			json_decref(o);
			pay_untrusted(a, "answer without trade_state");
			return;
		}
		if (r->http == 202 && a->trade != PAY_TS_SUCCESS)
			a->err = PAY_E_USERPAYING;
		if (pay_promotions(json_object_get(o, "promotion_detail"),
		    a) != 0) {
			json_decref(o);
			pay_untrusted(a, "malformed promotion_detail");
			return;
		}
		if (a->trade == PAY_TS_SUCCESS && (a->total_fen < 1 ||
		    a->transaction_id[0] == '\0')) {
			json_decref(o);
			pay_untrusted(a, "paid answer without amount or "
			    "transaction_id");
			return;
		}
		pay_sums(a);
	}
	json_decref(o);
}
