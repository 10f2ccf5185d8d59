/*
 * payv2.c — APIv2 付款码支付 (doc §3–§5): the micropay, orderquery and
 * reverse requests as signed XML, and the reading of their answers:
 * return_code first, then the signature (same sign_type as the request),
 * then result_code / err_code, then trade_state; vouchers from
 * coupon_fee / coupon_*_$n (§8.2) or promotion_detail (version=1.0, §8.3).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "crypto/wxsign.h"
#include "net/pay.h"
#include "net/pay_int.h"
#include "net/payxml.h"
#include "util/err.h"
#include "util/str.h"
#include "util/xmem.h"

static int
opt(struct payxml *x, const char *k, const char *v)
{
	return v == NULL || *v == '\0' ? 0 : payxml_add(x, k, v);
}

static int
fits(const char *s, size_t max)
{
	return s == NULL || strlen(s) <= max;
}

int
pay_v2_pay_fields(const char *appid, const char *mchid,
    const struct pay_order *o, struct payxml *x)
{
	int rc = 0;

	if (appid == NULL || *appid == '\0' || mchid == NULL ||
	    *mchid == '\0' || !pay_out_trade_no_ok(o->out_trade_no) ||
	    o->auth_code == NULL || *o->auth_code == '\0' ||
	    strlen(o->auth_code) > 128 || o->description == NULL ||
	    *o->description == '\0' || strlen(o->description) > 127 * 4 ||
	    o->total_fen < 1 || o->device_ip == NULL ||
	    *o->device_ip == '\0' || !fits(o->device_ip, 64) ||
	    !fits(o->goods_tag, 32) || !fits(o->device_id, 32) ||
	    !fits(o->attach, 127))
		return QUAN_EINVAL;
	/* the order of the official examples (doc Appendix A) */
	rc |= payxml_add(x, "appid", appid);
	rc |= payxml_add(x, "mch_id", mchid);
	rc |= opt(x, "device_info", o->device_id);
	rc |= payxml_add(x, "nonce_str", "");
	rc |= payxml_add(x, "body", o->description);
	rc |= payxml_add(x, "out_trade_no", o->out_trade_no);
	rc |= payxml_add_int(x, "total_fee", (long long)o->total_fen);
	rc |= payxml_add(x, "spbill_create_ip", o->device_ip);
	rc |= payxml_add(x, "auth_code", o->auth_code);
	rc |= opt(x, "goods_tag", o->goods_tag);
	rc |= opt(x, "attach", o->attach);
	return rc != 0 ? QUAN_EINVAL : QUAN_OK;
}

int
pay_v2_order_fields(const char *appid, const char *mchid,
    const char *out_trade_no, struct payxml *x)
{
	if (appid == NULL || *appid == '\0' || mchid == NULL ||
	    *mchid == '\0' || !pay_out_trade_no_ok(out_trade_no))
		return QUAN_EINVAL;
	if (payxml_add(x, "appid", appid) != 0 ||
	    payxml_add(x, "mch_id", mchid) != 0 ||
	    payxml_add(x, "out_trade_no", out_trade_no) != 0 ||
	    payxml_add(x, "nonce_str", "") != 0)
		return QUAN_EINVAL;
	return QUAN_OK;
}

char *
pay_v2_seal(struct payxml *x, const char *key, int md5, const char *nonce,
    size_t *len)
{
	char n[WX_NONCE_LEN + 1], sign[PAYXML_SIGN_MAX];

	if (nonce == NULL) {
		if (wx_nonce(n) != 0)
			return NULL;
		nonce = n;
	}
	if (payxml_set(x, "nonce_str", nonce) != 0)
		return NULL;
	/* MD5 is the default and stays unsent (as the MD5 vector); an
	 * HMAC-SHA256 request says so, and that field is signed too */
	if (!md5 && payxml_set(x, "sign_type", "HMAC-SHA256") != 0)
		return NULL;
	if (payxml_sign(x, key, md5 ? PAYXML_SIGN_MD5 :
	    PAYXML_SIGN_HMAC_SHA256, sign) != 0 ||
	    payxml_set(x, "sign", sign) != 0)
		return NULL;
	return payxml_write(x, len);
}

/* ---- answers ---------------------------------------------------------- */

/* A v2 amount: decimal digits only (≤ 15), else -1. */
static int64_t
fen(const struct payxml *x, const char *k)
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

static void
copy(char *dst, size_t n, const struct payxml *x, const char *k)
{
	const char *v = payxml_get(x, k);

	if (v != NULL)
		str_clean(dst, n, v, strlen(v));
}


/* coupon_count + coupon_{type,id,fee}_$n (orderquery; $n from 0). */
static int
classic_coupons(const struct payxml *x, struct pay_answer *a)
{
	int64_t count = fen(x, "coupon_count"), i;

	if (payxml_get(x, "coupon_count") == NULL)
		return 0;
	if (count < 0 || count > PAY_VOUCHERS_MAX)
		return -1;
	for (i = 0; i < count; i++) {
		struct pay_voucher *v = &a->v[a->nv];
		char k[32];
		const char *t;

		memset(v, 0, sizeof *v);
		snprintf(k, sizeof k, "coupon_id_%lld", (long long)i);
		copy(v->id, sizeof v->id, x, k);
		snprintf(k, sizeof k, "coupon_fee_%lld", (long long)i);
		v->amount_fen = fen(x, k);
		snprintf(k, sizeof k, "coupon_type_%lld", (long long)i);
		t = payxml_get(x, k);
		/* absent before the 免充值 upgrade: pre-funded */
		if (t == NULL || strcmp(t, "CASH") == 0)
			v->type = PAY_VT_PREFUNDED;
		else if (strcmp(t, "NO_CASH") == 0)
			v->type = PAY_VT_NOCASH;
		else
			return -1;
		v->wechatpay_fen = v->merchant_fen = v->other_fen = -1;
		if (v->id[0] == '\0' || v->amount_fen < 0)
			return -1;
		a->nv++;
	}
	return 0;
}

static int
promotion_json(const struct payxml *x, struct pay_answer *a)
{
	const char *s = payxml_get(x, "promotion_detail");
	json_t *o;
	int rc;

	if (s == NULL || *s == '\0')
		return 0;
	o = json_loads(s, JSON_REJECT_DUPLICATES, NULL);
	if (!json_is_object(o)) {
		json_decref(o);
		return -1;
	}
	rc = pay_promotions(json_object_get(o, "promotion_detail"), a);
	json_decref(o);
	return rc;
}

void
pay_v2_answer(enum pay_op op, const char *body, size_t len, const char *key,
    int md5, const char *mchid, struct pay_answer *a)
{
	struct payxml x;
	const char *rc, *res, *m;
	char *cause = NULL;

	pay_answer_init(a, op);
	a->http = 200;
	memset(&x, 0, sizeof x);
	if (payxml_parse(body, len, &x, &cause) != 0) {
		pay_untrusted(a, cause ? cause : "bad XML");
		free(cause);
		return;
	}
	rc = payxml_get(&x, "return_code");
	copy(a->text, sizeof a->text, &x, "return_msg");
	if (rc != NULL && strcmp(rc, "FAIL") == 0) {
		/* refused at protocol level (sign, XML, parameters): such
		 * answers are unsigned, and nothing in one can make the
		 * order paid; the machine confirms with one query */
		a->trusted = 1;
		a->err = PAY_E_RETURN_FAIL;
		snprintf(a->code, sizeof a->code, "return_code=FAIL");
		goto out;
	}
	if (rc == NULL || strcmp(rc, "SUCCESS") != 0) {
		pay_untrusted(a, "answer without return_code");
		goto out;
	}
	if (payxml_verify(&x, key, md5 ? PAYXML_SIGN_MD5 :
	    PAYXML_SIGN_HMAC_SHA256) != 0) {
		pay_untrusted(a, payxml_get(&x, "sign") ? "bad sign" :
		    "answer without sign");
		goto out;
	}
	m = payxml_get(&x, "mch_id");
	if (mchid != NULL && (m == NULL || strcmp(m, mchid) != 0)) {
		pay_untrusted(a, "answer for another mch_id");
		goto out;
	}
	a->trusted = 1;
	res = payxml_get(&x, "result_code");
	copy(a->code, sizeof a->code, &x, "err_code");
	if (payxml_get(&x, "err_code_des") != NULL)
		copy(a->text, sizeof a->text, &x, "err_code_des");
	copy(a->out_trade_no, sizeof a->out_trade_no, &x, "out_trade_no");
	copy(a->transaction_id, sizeof a->transaction_id, &x,
	    "transaction_id");
	copy(a->openid, sizeof a->openid, &x, "openid");
	copy(a->time, sizeof a->time, &x, "time_end");
	if (op == PAY_OP_REVERSE) {
		const char *rec = payxml_get(&x, "recall");
		a->recall = rec != NULL && strcmp(rec, "Y") == 0;
	}
	if (res == NULL || (strcmp(res, "SUCCESS") != 0 &&
	    strcmp(res, "FAIL") != 0)) {
		pay_untrusted(a, "answer without result_code");
		goto out;
	}
	if (strcmp(res, "FAIL") == 0) {
		a->err = pay_err_parse(payxml_get(&x, "err_code"));
		if (a->err == PAY_E_NONE)
			a->err = PAY_E_OTHER;
		goto out;
	}
	if (op == PAY_OP_REVERSE)
		goto out;
	if (op == PAY_OP_PAY) {
		a->trade = PAY_TS_SUCCESS; /* micropay SUCCESS = paid */
	} else {
		a->trade = pay_trade_parse(payxml_get(&x, "trade_state"));
		copy(a->text, sizeof a->text, &x, "trade_state_desc");
		if (a->trade == PAY_TS_NONE) {
			pay_untrusted(a, "answer without trade_state");
			goto out;
		}
	}
	a->total_fen = fen(&x, "total_fee");
	a->payer_fen = fen(&x, "cash_fee");
	a->settlement_fen = fen(&x, "settlement_total_fee");
	if (classic_coupons(&x, a) != 0 || promotion_json(&x, a) != 0) {
		pay_untrusted(a, "malformed vouchers");
		goto out;
	}
	if (a->trade == PAY_TS_SUCCESS && (a->total_fen < 1 ||
	    a->transaction_id[0] == '\0')) {
		pay_untrusted(a, "paid answer without total_fee or "
		    "transaction_id");
		goto out;
	}
	pay_sums(a);
	/* micropay gives only coupon_fee: the deduction without lines */
	if (payxml_get(&x, "coupon_fee") != NULL && a->payer_fen < 0) {
		a->voucher_fen = fen(&x, "coupon_fee");
		if (a->total_fen >= 0 && a->voucher_fen >= 0)
			a->payer_fen = a->total_fen - a->voucher_fen;
	}
out:
	payxml_free(&x);
}
