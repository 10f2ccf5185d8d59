/*
 * payrefund.c — refunds in `quan sim` (wechatpay-codepay.md §9, §13):
 * v3 POST /v3/refund/domestic/refunds and GET …/{out_refund_no}, v2
 * /secapi/pay/refund and /pay/refundquery over one pay_refunds table.
 *
 * Rules: only a paid order (SUCCESS, or REFUND after an earlier partial
 * refund) is refunded; `total` must be the order's; the refunds of an
 * order never add up to more than its total; the same out_refund_no
 * with the same order and amounts replays the refund (one refund, "同一
 * 退款单号多次请求只退一笔"), with other amounts it is refused
 * (v3 INVALID_REQUEST / v2 PARAM_ERROR). What goes back to the customer
 * follows §9.4: refund × payer ÷ total rounded half up, the last refund
 * taking the exact remainder. A refund is PROCESSING for REFUND_DELAY_S,
 * then SUCCESS. Each refund is one 'refund' pay_ledger row (the money
 * leaves when WeChat accepts it).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "net/pay.h"
#include "net/payxml.h"
#include "sim/sim_int.h"
#include "util/err.h"
#include "util/xmem.h"

#define REFUND_DELAY_S 1

static const char *
r_str(json_t *row, const char *k)
{
	const char *v = json_string_value(json_object_get(row, k));

	return v ? v : "";
}

static int64_t
r_int(json_t *row, const char *k)
{
	return json_integer_value(json_object_get(row, k));
}

static json_t *
row1(struct simdb *db, const char *sql, json_t *params)
{
	json_t *r = simdb_row(db, sql, params);

	json_decref(params);
	return r;
}

static void
run(struct simdb *db, const char *sql, json_t *params)
{
	simdb_run(db, sql, params, NULL);
	json_decref(params);
}

/* The refund row, PROCESSING turned SUCCESS when its time has come. */
static json_t *
refund_get(struct sim *s, const char *orn, int64_t now)
{
	static const char get[] = "SELECT * FROM pay_refunds WHERE "
		"out_refund_no = ?1";
	json_t *r = row1(s->db, get, json_pack("[s]", orn));

	if (r != NULL && strcmp(r_str(r, "state"), "PROCESSING") == 0 &&
	    now >= r_int(r, "success_at")) {
		run(s->db, "UPDATE pay_refunds SET state = 'SUCCESS' WHERE "
			"out_refund_no = ?1", json_pack("[s]", orn));
		json_decref(r);
		r = row1(s->db, get, json_pack("[s]", orn));
	}
	return r;
}

/* What the customer paid for the order (total − vouchers). */
static int64_t
order_payer(json_t *order)
{
	json_t *v = json_loads(r_str(order, "vouchers"), 0, NULL), *e;
	int64_t payer = r_int(order, "total");
	size_t i;

	json_array_foreach(v, i, e)
		payer -= r_int(e, "amount");
	json_decref(v);
	return payer;
}

/* A refund request. Returns NULL (row in *out) or the v2 err_code;
 * *why the text. Caller holds mu and a transaction. */
static const char *
refund_submit(struct sim *s, const char *api, const char *otn,
	const char *orn, int64_t total, int64_t refund, int64_t now,
	json_t **out, const char **why)
{
	static const char sums[] = "SELECT count(*) AS n, "
		"coalesce(sum(refund), 0) AS refunded, "
		"coalesce(sum(payer_refund), 0) AS payer_refunded "
		"FROM pay_refunds WHERE out_trade_no = ?1";
	static const char ins[] = "INSERT INTO pay_refunds(out_refund_no, "
		"out_trade_no, refund_id, api, total, refund, payer_refund, "
		"state, created, success_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, "
		"?7, 'PROCESSING', ?8, ?9)";
	json_t *old, *order = NULL, *sum = NULL;
	int64_t payer, refunded, payer_back;
	const char *st, *err = NULL;
	char rid[40], serial[20];

	*out = NULL;
	old = refund_get(s, orn, now);
	if (old != NULL) {
		if (strcmp(r_str(old, "out_trade_no"), otn) != 0 ||
		    r_int(old, "total") != total ||
		    r_int(old, "refund") != refund) {
			*why = "订单金额或退款金额与之前请求不一致,请核实后再试";
			json_decref(old);
			return "PARAM_ERROR";
		}
		*out = old; /* the same refund: replayed, not repeated */
		return NULL;
	}
	order = sim_pay_order(s, otn, now);
	if (order == NULL) {
		*why = "订单不存在";
		return "ORDERNOTEXIST";
	}
	st = r_str(order, "state");
	if (strcmp(st, "SUCCESS") != 0 && strcmp(st, "REFUND") != 0) {
		*why = "订单状态不正确,不能退款";
		err = "ERROR";
		goto out;
	}
	if (total != r_int(order, "total")) {
		*why = "订单金额与原订单金额不一致";
		err = "PARAM_ERROR";
		goto out;
	}
	sum = row1(s->db, sums, json_pack("[s]", otn));
	refunded = r_int(sum, "refunded");
	if (r_int(sum, "n") >= 50) {
		*why = "退款次数超过限制";
		err = "ERROR";
		goto out;
	}
	if (refunded + refund > total) {
		*why = "申请退款金额超过订单可退金额";
		err = "ERROR";
		goto out;
	}
	payer = order_payer(order);
	if (refunded + refund == total) /* the last: what is left */
		payer_back = payer - r_int(sum, "payer_refunded");
	else /* refund × payer ÷ total, half up (doc §9.4) */
		payer_back = (refund * payer * 2 + total) / (2 * total);
	sim_rand_digits(serial, 12);
	snprintf(rid, sizeof rid, "50000%s%lld", serial,
		(long long)(now % 1000000000));
	run(s->db, ins, json_pack("[ssssIIIII]", orn, otn, rid, api,
		(json_int_t)total, (json_int_t)refund, (json_int_t)payer_back,
		(json_int_t)now, (json_int_t)(now + REFUND_DELAY_S)));
	run(s->db, "UPDATE pay_orders SET state = 'REFUND' WHERE "
		"out_trade_no = ?1", json_pack("[s]", otn));
	run(s->db, "INSERT INTO pay_ledger(at, kind, out_trade_no, "
		"transaction_id, total, payer) VALUES (?1, 'refund', ?2, ?3, "
		"?4, ?5)", json_pack("[IssII]", (json_int_t)now, otn,
		r_str(order, "transaction_id"), (json_int_t)refund,
		(json_int_t)payer_back));
	*out = refund_get(s, orn, now);
out:
	json_decref(sum);
	json_decref(order);
	return err;
}

/* ---- v3 --------------------------------------------------------------- */

static json_t *
v3_refund(struct sim *s, json_t *r)
{
	json_t *order = sim_pay_order(s, r_str(r, "out_trade_no"),
		r_int(r, "created"));
	int64_t total = r_int(r, "total"), refund = r_int(r, "refund");
	int64_t payer = order ? order_payer(order) : total;
	int64_t pr = r_int(r, "payer_refund");
	int64_t nocash = 0;
	json_t *o, *v = order ? json_loads(r_str(order, "vouchers"), 0, NULL) :
		NULL, *e;
	size_t i;
	char t[40];

	json_array_foreach(v, i, e)
		if (strcmp(r_str(e, "type"), "NOCASH") == 0)
			nocash += r_int(e, "amount");
	o = json_pack("{s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s}", "refund_id",
		r_str(r, "refund_id"), "out_refund_no", r_str(r, "out_refund_no"),
		"transaction_id", order ? r_str(order, "transaction_id") : "",
		"out_trade_no", r_str(r, "out_trade_no"), "channel", "ORIGINAL",
		"user_received_account", "支付用户零钱", "create_time",
		sim_rfc3339(r_int(r, "created"), t, sizeof t), "status",
		r_str(r, "state"));
	if (strcmp(r_str(r, "state"), "SUCCESS") == 0)
		json_object_set_new(o, "success_time", json_string(
			sim_rfc3339(r_int(r, "success_at"), t, sizeof t)));
	json_object_set_new(o, "funds_account", json_string("AVAILABLE"));
	/* settlement_refund = refund − the NOCASH share of the refund */
	json_object_set_new(o, "amount", json_pack("{s:I,s:I,s:I,s:I,s:I,"
		"s:I,s:I,s:s}", "total", (json_int_t)total, "refund",
		(json_int_t)refund, "payer_total", (json_int_t)payer,
		"payer_refund", (json_int_t)pr, "settlement_refund",
		(json_int_t)(refund - (total ? (refund * nocash * 2 + total) /
		(2 * total) : 0)), "settlement_total",
		(json_int_t)(total - nocash), "discount_refund",
		(json_int_t)(refund - pr), "currency", "CNY"));
	json_decref(v);
	json_decref(order);
	return o;
}

static void
v3_refund_err(struct sim_ctx *c, const char *err, const char *why)
{
	if (strcmp(err, "ORDERNOTEXIST") == 0)
		sim_err(c, 404, "RESOURCE_NOT_EXISTS", why);
	else if (strcmp(err, "PARAM_ERROR") == 0 || strcmp(err, "ERROR") == 0)
		sim_err(c, 400, "INVALID_REQUEST", why);
	else
		sim_err(c, 500, "SYSTEM_ERROR", why);
}

static void
v3_create(struct sim_ctx *c)
{
	struct sim *s = c->s;
	const char *otn, *orn, *reason = NULL, *err, *why = "";
	json_t *amount, *row = NULL;
	int64_t total = 0, refund = 0;

	c->loc = "body";
	if (sim_str(c, c->body, "out_trade_no", 1, 32, &otn) != 0 ||
	    sim_str(c, c->body, "out_refund_no", 1, 64, &orn) != 0 ||
	    sim_str(c, c->body, "reason", 0, 80, &reason) != 0)
		return;
	amount = json_object_get(c->body, "amount");
	if (!json_is_object(amount)) {
		sim_err_field(c, "amount", "is required");
		return;
	}
	if (sim_int(c, amount, "refund", 1, 1, 100000000000LL, &refund) != 0 ||
	    sim_int(c, amount, "total", 1, 1, 100000000000LL, &total) != 0)
		return;
	if (!pay_out_refund_no_ok(orn)) {
		sim_err_field(c, "out_refund_no",
			"must be [0-9A-Za-z_-|*@]{1,64}");
		return;
	}
	if (refund > total) {
		sim_err(c, 400, "INVALID_REQUEST", "退款金额大于订单金额");
		return;
	}
	pthread_mutex_lock(&s->mu);
	simdb_begin(s->db);
	err = refund_submit(s, "v3", otn, orn, total, refund, c->now, &row,
		&why);
	if (err == NULL)
		sim_ok(c, 200, v3_refund(s, row));
	else
		v3_refund_err(c, err, why);
	simdb_commit(s->db);
	pthread_mutex_unlock(&s->mu);
	json_decref(row);
}

static void
v3_get(struct sim_ctx *c, const char *orn)
{
	struct sim *s = c->s;
	json_t *row;

	pthread_mutex_lock(&s->mu);
	simdb_begin(s->db);
	row = refund_get(s, orn, c->now);
	if (row == NULL)
		sim_err(c, 404, "RESOURCE_NOT_EXISTS", "退款单不存在");
	else
		sim_ok(c, 200, v3_refund(s, row));
	simdb_commit(s->db);
	pthread_mutex_unlock(&s->mu);
	json_decref(row);
}

int
sim_refund_v3_route(struct sim_ctx *c)
{
	int n = c->nseg;

	if (n < 4 || strcmp(c->seg[2], "domestic") != 0 ||
	    strcmp(c->seg[3], "refunds") != 0)
		return QUAN_ENOTFOUND;
	if (n == 4) {
		snprintf(c->route, sizeof c->route,
			"POST /v3/refund/domestic/refunds");
		if (strcmp(c->method, "POST") == 0)
			v3_create(c);
		else
			sim_err(c, 405, "NOT_FOUND", "请求方法不支持");
		return 0;
	}
	if (n == 5 && strcmp(c->method, "GET") == 0) {
		snprintf(c->route, sizeof c->route,
			"GET /v3/refund/domestic/refunds/{}");
		v3_get(c, c->seg[4]);
		return 0;
	}
	return QUAN_ENOTFOUND;
}

/* ---- v2 --------------------------------------------------------------- */

static int
v2_fen(const char *s, int64_t *out)
{
	size_t i;

	if (s == NULL || *s == '\0' || strlen(s) > 12)
		return -1;
	for (i = 0; s[i]; i++)
		if (s[i] < '0' || s[i] > '9')
			return -1;
	*out = strtoll(s, NULL, 10);
	return *out >= 1 ? 0 : -1;
}

static void
v2_refund_fields(struct sim *s, struct payxml *x, json_t *r, int query)
{
	json_t *order = sim_pay_order(s, r_str(r, "out_trade_no"),
		r_int(r, "created"));
	int64_t pr = r_int(r, "payer_refund"), refund = r_int(r, "refund");

	payxml_add(x, "transaction_id", order ? r_str(order,
		"transaction_id") : "");
	payxml_add(x, "out_trade_no", r_str(r, "out_trade_no"));
	payxml_add_int(x, "total_fee", r_int(r, "total"));
	payxml_add_int(x, "cash_fee", order ? order_payer(order) : 0);
	if (query) {
		payxml_add_int(x, "refund_count", 1);
		payxml_add(x, "out_refund_no_0", r_str(r, "out_refund_no"));
		payxml_add(x, "refund_id_0", r_str(r, "refund_id"));
		payxml_add_int(x, "refund_fee_0", refund);
		if (refund > pr)
			payxml_add_int(x, "coupon_refund_fee_0", refund - pr);
		payxml_add(x, "refund_status_0", strcmp(r_str(r, "state"),
			"SUCCESS") == 0 ? "SUCCESS" : "PROCESSING");
		payxml_add(x, "refund_recv_accout_0", "支付用户的零钱");
	} else {
		payxml_add(x, "out_refund_no", r_str(r, "out_refund_no"));
		payxml_add(x, "refund_id", r_str(r, "refund_id"));
		payxml_add_int(x, "refund_fee", refund);
		payxml_add_int(x, "cash_refund_fee", pr);
		if (refund > pr)
			payxml_add_int(x, "coupon_refund_fee", refund - pr);
	}
	json_decref(order);
}

void
sim_refund_v2(struct sim_ctx *c, int query, struct payxml *in,
	struct payxml *out, int md5)
{
	struct sim *s = c->s;
	const char *otn = payxml_get(in, "out_trade_no");
	const char *orn = payxml_get(in, "out_refund_no");
	const char *err = NULL, *why = "";
	int64_t total = 0, refund = 0;
	json_t *row = NULL;

	if (payxml_get(in, "appid") == NULL ||
	    payxml_get(in, "mch_id") == NULL ||
	    payxml_get(in, "nonce_str") == NULL || orn == NULL ||
	    (!query && (otn == NULL ||
	    v2_fen(payxml_get(in, "total_fee"), &total) != 0 ||
	    v2_fen(payxml_get(in, "refund_fee"), &refund) != 0)))
		err = "PARAM_ERROR";
	else if (strcmp(payxml_get(in, "appid"), s->ids.appid) != 0 ||
	    strcmp(payxml_get(in, "mch_id"), s->ids.mchid) != 0)
		err = "APPID_MCHID_NOT_MATCH";
	else if (!pay_out_refund_no_ok(orn) || (!query &&
	    (!pay_out_trade_no_ok(otn) || refund > total)))
		err = "PARAM_ERROR";
	if (err == NULL) {
		pthread_mutex_lock(&s->mu);
		simdb_begin(s->db);
		if (query) {
			row = refund_get(s, orn, c->now);
			if (row == NULL)
				err = "REFUNDNOTEXIST";
		} else {
			err = refund_submit(s, "v2", otn, orn, total, refund,
				c->now, &row, &why);
			if (err != NULL && strcmp(err, "ORDERNOTEXIST") == 0)
				err = "ERROR"; /* v2 has no such refund code */
		}
		sim_pay_v2_head(s, out, err);
		if (err != NULL && *why)
			payxml_set(out, "err_code_des", why);
		if (row != NULL && err == NULL)
			v2_refund_fields(s, out, row, query);
		simdb_commit(s->db);
		pthread_mutex_unlock(&s->mu);
	} else {
		sim_pay_v2_head(s, out, err);
	}
	sim_pay_v2_answer(c, out, md5);
	json_decref(row);
}
