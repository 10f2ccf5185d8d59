/*
 * payrefund.c — refunds of a paid 付款码 order (doc §9): the v3
 * /v3/refund/domestic/refunds body and the reading of its Refund answers
 * (refund and query alike), the v2 /secapi/pay/refund and
 * /pay/refundquery fields and answers (signed like the request,
 * refund_status_$n), into one struct pay_refund_answer.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "net/pay.h"
#include "net/payxml.h"
#include "net/wxpay.h"
#include "util/err.h"
#include "util/str.h"
#include "util/xmem.h"

static const char *const states[] = {
	[PAY_RS_NONE] = "",
	[PAY_RS_SUCCESS] = "SUCCESS",
	[PAY_RS_PROCESSING] = "PROCESSING",
	[PAY_RS_CLOSED] = "CLOSED",
	[PAY_RS_ABNORMAL] = "ABNORMAL",
	[PAY_RS_OTHER] = "OTHER",
};

const char *
pay_refund_state_name(enum pay_refund_state s)
{
	return (unsigned)s < sizeof states / sizeof states[0] ? states[s] :
	    "OTHER";
}

enum pay_refund_state
pay_refund_state_parse(const char *s)
{
	if (s == NULL || *s == '\0')
		return PAY_RS_NONE;
	if (strcmp(s, "SUCCESS") == 0)
		return PAY_RS_SUCCESS;
	if (strcmp(s, "PROCESSING") == 0)
		return PAY_RS_PROCESSING;
	if (strcmp(s, "CLOSED") == 0 || strcmp(s, "REFUNDCLOSE") == 0)
		return PAY_RS_CLOSED;
	/* v2 CHANGE: 退款异常 (the card it went back to is gone) */
	if (strcmp(s, "ABNORMAL") == 0 || strcmp(s, "CHANGE") == 0)
		return PAY_RS_ABNORMAL;
	return PAY_RS_OTHER;
}

int
pay_out_refund_no_ok(const char *s)
{
	size_t i;

	if (s == NULL || *s == '\0' || strlen(s) > PAY_OUT_REFUND_NO_MAX)
		return 0;
	for (i = 0; s[i]; i++)
		if (!((s[i] >= '0' && s[i] <= '9') ||
		    (s[i] >= 'A' && s[i] <= 'Z') ||
		    (s[i] >= 'a' && s[i] <= 'z') || strchr("_-|*@", s[i])))
			return 0;
	return 1;
}

/* Characters in valid UTF-8 s, or -1. */
static long
utf8_chars(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t left = strlen(s), k;
	long n = 0;

	while (left > 0) {
		if ((k = str_utf8_len(p, left)) == 0)
			return -1;
		p += k;
		left -= k;
		n++;
	}
	return n;
}

static int
req_ok(const struct pay_refund_req *r)
{
	long rl = r->reason ? utf8_chars(r->reason) : 0;

	return pay_out_trade_no_ok(r->out_trade_no) &&
	    pay_out_refund_no_ok(r->out_refund_no) && r->total_fen >= 1 &&
	    r->refund_fen >= 1 && r->refund_fen <= r->total_fen &&
	    rl >= 0 && rl <= 80;
}

static void
answer_init(struct pay_refund_answer *a)
{
	memset(a, 0, sizeof *a);
	a->total_fen = a->refund_fen = a->payer_refund_fen = -1;
	a->settlement_refund_fen = a->voucher_refund_fen = -1;
}

static void
untrusted(struct pay_refund_answer *a, const char *why)
{
	a->rc = QUAN_EPROTO;
	a->trusted = 0;
	a->err = PAY_E_BAD_REPLY;
	a->state = PAY_RS_NONE;
	snprintf(a->text, sizeof a->text, "%s", why);
}

/* ---- v3 --------------------------------------------------------------- */

char *
pay_v3_refund_body(const struct pay_refund_req *r)
{
	json_t *b;
	char *s, *out;

	if (!req_ok(r))
		return NULL;
	b = json_pack("{s:s,s:s}", "out_trade_no", r->out_trade_no,
	    "out_refund_no", r->out_refund_no);
	if (b == NULL)
		return NULL;
	if (r->reason != NULL && *r->reason != '\0')
		json_object_set_new(b, "reason", json_string(r->reason));
	json_object_set_new(b, "amount", json_pack("{s:I,s:I,s:s}", "refund",
	    (json_int_t)r->refund_fen, "total", (json_int_t)r->total_fen,
	    "currency", "CNY"));
	s = json_dumps(b, JSON_COMPACT | JSON_PRESERVE_ORDER);
	json_decref(b);
	out = s ? xstrdup(s) : NULL;
	free(s);
	return out;
}

static void
jcopy(char *dst, size_t n, json_t *o, const char *k)
{
	json_t *v = json_object_get(o, k);

	if (json_is_string(v))
		str_clean(dst, n, json_string_value(v),
		    json_string_length(v));
}

static int64_t
jfen(json_t *o, const char *k)
{
	json_t *v = json_object_get(o, k);

	return json_is_integer(v) && json_integer_value(v) >= 0 ?
	    (int64_t)json_integer_value(v) : -1;
}

void
pay_v3_refund_answer(const struct wxpay_result *r,
    struct pay_refund_answer *a)
{
	json_t *o, *amt, *st;

	answer_init(a);
	a->rc = r->rc;
	a->http = r->http;
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
		/* 404 on a refund: 退款单不存在 */
		if (r->http == 404 && (a->err == PAY_E_ORDERNOTEXIST ||
		    a->err == PAY_E_NONE))
			a->err = PAY_E_REFUNDNOTEXIST;
		if (a->err == PAY_E_NONE)
			a->err = r->http == 429 ? PAY_E_FREQUENCY_LIMITED :
			    r->http >= 500 ? PAY_E_SYSTEMERROR : PAY_E_HTTP;
		return;
	}
	if (!r->verified) {
		untrusted(a, "2xx answer without a verified signature");
		return;
	}
	o = json_loadb(r->body, r->body_len, JSON_REJECT_DUPLICATES, NULL);
	if (!json_is_object(o)) {
		json_decref(o);
		untrusted(a, "answer is not a JSON object");
		return;
	}
	jcopy(a->out_trade_no, sizeof a->out_trade_no, o, "out_trade_no");
	jcopy(a->transaction_id, sizeof a->transaction_id, o,
	    "transaction_id");
	jcopy(a->out_refund_no, sizeof a->out_refund_no, o, "out_refund_no");
	jcopy(a->refund_id, sizeof a->refund_id, o, "refund_id");
	jcopy(a->success_time, sizeof a->success_time, o, "success_time");
	st = json_object_get(o, "status");
	a->state = pay_refund_state_parse(json_is_string(st) ?
	    json_string_value(st) : NULL);
	amt = json_object_get(o, "amount");
	if (json_is_object(amt)) {
		a->total_fen = jfen(amt, "total");
		a->refund_fen = jfen(amt, "refund");
		a->payer_refund_fen = jfen(amt, "payer_refund");
		a->settlement_refund_fen = jfen(amt, "settlement_refund");
		a->voucher_refund_fen = jfen(amt, "discount_refund");
	}
	json_decref(o);
	if (a->state == PAY_RS_NONE || a->out_refund_no[0] == '\0' ||
	    a->refund_fen < 1)
		untrusted(a, "refund answer without status, out_refund_no "
		    "or amount");
}

/* ---- v2 --------------------------------------------------------------- */

static int
v2_head(const char *appid, const char *mchid, int md5, struct payxml *x)
{
	if (appid == NULL || *appid == '\0' || mchid == NULL || *mchid == '\0')
		return QUAN_EINVAL;
	/* V2-10's order: the seal fills nonce_str and sign_type in place */
	if (payxml_add(x, "appid", appid) != 0 ||
	    payxml_add(x, "mch_id", mchid) != 0 ||
	    payxml_add(x, "nonce_str", "") != 0 ||
	    (!md5 && payxml_add(x, "sign_type", "") != 0))
		return QUAN_EINVAL;
	return QUAN_OK;
}

int
pay_v2_refund_fields(const char *appid, const char *mchid,
    const struct pay_refund_req *r, int md5, struct payxml *x)
{
	int rc = 0;

	if (!req_ok(r) || v2_head(appid, mchid, md5, x) != 0)
		return QUAN_EINVAL;
	rc |= payxml_add(x, "out_trade_no", r->out_trade_no);
	rc |= payxml_add(x, "out_refund_no", r->out_refund_no);
	rc |= payxml_add_int(x, "total_fee", (long long)r->total_fen);
	rc |= payxml_add_int(x, "refund_fee", (long long)r->refund_fen);
	if (r->reason != NULL && *r->reason != '\0')
		rc |= payxml_add(x, "refund_desc", r->reason);
	return rc != 0 ? QUAN_EINVAL : QUAN_OK;
}

int
pay_v2_refundquery_fields(const char *appid, const char *mchid,
    const char *out_refund_no, int md5, struct payxml *x)
{
	if (!pay_out_refund_no_ok(out_refund_no) ||
	    v2_head(appid, mchid, md5, x) != 0 ||
	    payxml_add(x, "out_refund_no", out_refund_no) != 0)
		return QUAN_EINVAL;
	return QUAN_OK;
}

static void
xcopy(char *dst, size_t n, const struct payxml *x, const char *k)
{
	const char *v = payxml_get(x, k);

	if (v != NULL)
		str_clean(dst, n, v, strlen(v));
}

static int64_t
xfen(const struct payxml *x, const char *k)
{
	const char *s = payxml_get(x, k);
	size_t i;

	if (s == NULL || *s == '\0' || strlen(s) > 15)
		return -1;
	for (i = 0; s[i]; i++)
		if (s[i] < '0' || s[i] > '9')
			return -1;
	return strtoll(s, NULL, 10);
}

/* refundquery by out_refund_no: the one refund is $n = 0. */
static void
v2_query_fields(const struct payxml *x, struct pay_refund_answer *a)
{
	a->state = pay_refund_state_parse(payxml_get(x, "refund_status_0"));
	xcopy(a->out_refund_no, sizeof a->out_refund_no, x,
	    "out_refund_no_0");
	xcopy(a->refund_id, sizeof a->refund_id, x, "refund_id_0");
	xcopy(a->success_time, sizeof a->success_time, x,
	    "refund_success_time_0");
	a->refund_fen = xfen(x, "refund_fee_0");
	a->settlement_refund_fen = xfen(x, "settlement_refund_fee_0");
	a->voucher_refund_fen = xfen(x, "coupon_refund_fee_0");
}

void
pay_v2_refund_answer(int query, const char *body, size_t len,
    const char *key, int md5, const char *mchid,
    struct pay_refund_answer *a)
{
	struct payxml x;
	const char *rc, *res, *m;
	char *cause = NULL;

	answer_init(a);
	a->http = 200;
	memset(&x, 0, sizeof x);
	if (payxml_parse(body, len, &x, &cause) != 0) {
		untrusted(a, cause ? cause : "bad XML");
		free(cause);
		return;
	}
	rc = payxml_get(&x, "return_code");
	xcopy(a->text, sizeof a->text, &x, "return_msg");
	if (rc != NULL && strcmp(rc, "FAIL") == 0) {
		/* unsigned protocol refusal: nothing was refunded by it;
		 * the same out_refund_no may be sent again */
		a->trusted = 1;
		a->err = PAY_E_RETURN_FAIL;
		snprintf(a->code, sizeof a->code, "return_code=FAIL");
		goto out;
	}
	if (rc == NULL || strcmp(rc, "SUCCESS") != 0) {
		untrusted(a, "answer without return_code");
		goto out;
	}
	if (payxml_verify(&x, key, md5 ? PAYXML_SIGN_MD5 :
	    PAYXML_SIGN_HMAC_SHA256) != 0) {
		untrusted(a, payxml_get(&x, "sign") ? "bad sign" :
		    "answer without sign");
		goto out;
	}
	m = payxml_get(&x, "mch_id");
	if (mchid != NULL && (m == NULL || strcmp(m, mchid) != 0)) {
		untrusted(a, "answer for another mch_id");
		goto out;
	}
	a->trusted = 1;
	res = payxml_get(&x, "result_code");
	xcopy(a->code, sizeof a->code, &x, "err_code");
	if (payxml_get(&x, "err_code_des") != NULL)
		xcopy(a->text, sizeof a->text, &x, "err_code_des");
	xcopy(a->out_trade_no, sizeof a->out_trade_no, &x, "out_trade_no");
	xcopy(a->transaction_id, sizeof a->transaction_id, &x,
	    "transaction_id");
	if (res == NULL || (strcmp(res, "SUCCESS") != 0 &&
	    strcmp(res, "FAIL") != 0)) {
		untrusted(a, "answer without result_code");
		goto out;
	}
	if (strcmp(res, "FAIL") == 0) {
		a->err = pay_err_parse(payxml_get(&x, "err_code"));
		if (a->err == PAY_E_NONE)
			a->err = PAY_E_OTHER;
		goto out;
	}
	a->total_fen = xfen(&x, "total_fee");
	if (query) {
		v2_query_fields(&x, a);
		if (a->state == PAY_RS_NONE || a->out_refund_no[0] == '\0') {
			untrusted(a, "refundquery answer without "
			    "refund_status_0");
			goto out;
		}
	} else {
		/* accepted ("申请退款接口的返回仅代表业务的受理情况") */
		a->state = PAY_RS_PROCESSING;
		xcopy(a->out_refund_no, sizeof a->out_refund_no, &x,
		    "out_refund_no");
		xcopy(a->refund_id, sizeof a->refund_id, &x, "refund_id");
		a->refund_fen = xfen(&x, "refund_fee");
		a->settlement_refund_fen = xfen(&x, "settlement_refund_fee");
		a->payer_refund_fen = xfen(&x, "cash_refund_fee");
		a->voucher_refund_fen = xfen(&x, "coupon_refund_fee");
		if (a->out_refund_no[0] == '\0' || a->refund_fen < 1) {
			untrusted(a, "refund answer without out_refund_no or "
			    "refund_fee");
			goto out;
		}
	}
	if (a->payer_refund_fen < 0 && a->refund_fen >= 0 &&
	    a->voucher_refund_fen >= 0)
		a->payer_refund_fen = a->refund_fen - a->voucher_refund_fen;
out:
	payxml_free(&x);
}
