/*
 * pay.c — 付款码支付 in `quan sim` (wechatpay-codepay.md §13): APIv3
 * codepay / query by out_trade_no / reverse and APIv2 micropay /
 * orderquery / reverse over one order table, so both clients meet the
 * same behaviour.
 *
 * Payment codes carry their case (the seed lists one per case):
 *   1 3 CC U NN SSSSSSSSSSS  — 18 digits: CC case, U payer (1-3), NN a
 *   parameter (seconds), S a serial. Cases: 00 success, 01 USERPAYING
 *   that is paid NN s later, 02 USERPAYING for ever, 03 NOTENOUGH,
 *   05 expired (AUTHCODEEXPIRE), 06 SYSTEMERROR on the charge although
 *   it was taken (the query finds it paid). A code that does not match
 *   ^1[0-5][0-9]{16}$ is AUTH_CODE_INVALID; a code already used by
 *   another order is AUTH_CODE_ERROR.
 * Vouchers are the payer's activities (pay_vouchers): every one whose
 * minimum the amount reaches (and whose goods_tag matches, if it has one)
 * applies, in id order, while the customer still pays at least 1 fen;
 * they are rules, not used up. The same out_trade_no again with the same
 * code and amount replays the order's state (never a second charge);
 * with other ones it is OUT_TRADE_NO_USED. A reverse during USERPAYING
 * fails once with SYSTEMERROR and recall=Y (支付中不能撤销), then closes
 * the order; a reverse of a paid order gives the money back (REVOKED).
 * Every money movement is a pay_ledger row.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "net/pay.h"
#include "net/payxml.h"
#include "sim/sim_int.h"
#include "util/err.h"
#include "util/log.h"
#include "util/xmem.h"

#define REVERSE_DAYS 7

/* the v2 paths that are not enum pay_op's */
enum { OP_REFUND = 100, OP_REFUNDQUERY, OP_BILL };

enum pay_case {
	CASE_SUCCESS = 0,
	CASE_USERPAYING_THEN = 1,
	CASE_USERPAYING_NEVER = 2,
	CASE_NOTENOUGH = 3,
	CASE_EXPIRED = 5,
	CASE_SYSTEMERROR_THEN = 6
};

static const char *const users_default[3] = {
	"oSIMuser00000000000000000001", "oSIMuser00000000000000000002",
	"oSIMuser00000000000000000003" };

/* simdb_run / simdb_row that take (and release) the parameters. */
static int
run(struct simdb *db, const char *sql, json_t *params, json_t **rows)
{
	int rc = simdb_run(db, sql, params, rows);

	json_decref(params);
	return rc;
}

static json_t *
row1(struct simdb *db, const char *sql, json_t *params)
{
	json_t *r = simdb_row(db, sql, params);

	json_decref(params);
	return r;
}

static int
digit2(const char *s)
{
	return (s[0] - '0') * 10 + (s[1] - '0');
}

/* ---- the order table (caller holds s->mu) ------------------------------ */

static void
ledger(struct sim *s, int64_t now, const char *kind, json_t *row)
{
	static const char sql[] = "INSERT INTO pay_ledger(at, kind, "
		"out_trade_no, transaction_id, total, payer) "
		"VALUES (?1, ?2, ?3, ?4, ?5, ?6)";
	json_t *v = json_loads(json_string_value(json_object_get(row,
		"vouchers")), 0, NULL);
	json_int_t total = json_integer_value(json_object_get(row, "total"));
	json_int_t payer = total;
	size_t i;
	json_t *e;

	json_array_foreach(v, i, e)
		payer -= json_integer_value(json_object_get(e, "amount"));
	json_decref(v);
	run(s->db, sql, json_pack("[IssOII]", (json_int_t)now, kind,
		json_string_value(json_object_get(row, "out_trade_no")),
		json_object_get(row, "transaction_id"), total, payer), NULL);
}

static json_t *
order_get(struct sim *s, const char *otn, int64_t now)
{
	static const char get[] = "SELECT * FROM pay_orders "
		"WHERE out_trade_no = ?1";
	static const char paid[] = "UPDATE pay_orders SET state = 'SUCCESS', "
		"success_time = resolve_at WHERE out_trade_no = ?1";
	json_t *p = json_pack("[s]", otn), *row = simdb_row(s->db, get, p);
	json_t *ra;

	if (row == NULL)
		goto out;
	ra = json_object_get(row, "resolve_at");
	if (strcmp(json_string_value(json_object_get(row, "state")),
	    "USERPAYING") == 0 && json_is_integer(ra) &&
	    now >= json_integer_value(ra)) {
		/* the customer typed the password meanwhile */
		simdb_run(s->db, paid, p, NULL);
		json_decref(row);
		row = simdb_row(s->db, get, p);
		ledger(s, now, "pay", row);
	}
out:
	json_decref(p);
	return row;
}

json_t *
sim_pay_order(struct sim *s, const char *otn, int64_t now)
{
	return order_get(s, otn, now);
}

static const char *
row_str(json_t *row, const char *k)
{
	const char *v = json_string_value(json_object_get(row, k));

	return v ? v : "";
}

static int64_t
row_int(json_t *row, const char *k)
{
	return json_integer_value(json_object_get(row, k));
}

/* The payer's activities that apply to total (see the top). */
static json_t *
vouchers_for(struct sim *s, const char *openid, int64_t total,
	const char *goods_tag)
{
	static const char sql[] = "SELECT * FROM pay_vouchers WHERE "
		"openid = ?1 ORDER BY id";
	json_t *rows = NULL, *out = json_array(), *e;
	int64_t left = total;
	size_t i;

	run(s->db, sql, json_pack("[s]", openid), &rows);
	json_array_foreach(rows, i, e) {
		int64_t amount = row_int(e, "amount");
		const char *tag = row_str(e, "goods_tag");

		if (total < row_int(e, "minimum") || left - amount < 1 ||
		    (tag[0] != '\0' && strcmp(tag, goods_tag) != 0))
			continue;
		left -= amount;
		json_array_append_new(out, json_pack("{s:s,s:s,s:s,s:s,s:I}",
			"id", row_str(e, "id"), "name", row_str(e, "name"),
			"stock_id", row_str(e, "stock_id"), "type",
			row_str(e, "type"), "amount", (json_int_t)amount));
	}
	json_decref(rows);
	return out;
}

static json_t *
parse_vouchers(json_t *row)
{
	json_t *v = json_loads(row_str(row, "vouchers"), 0, NULL);

	return v ? v : json_array();
}

static int64_t
voucher_sum(json_t *v, const char *only_type)
{
	int64_t sum = 0;
	size_t i;
	json_t *e;

	json_array_foreach(v, i, e)
		if (only_type == NULL || strcmp(row_str(e, "type"),
		    only_type) == 0)
			sum += row_int(e, "amount");
	return sum;
}

/* The error a stored order's state gives a repeated charge, or NULL. */
static const char *
replay_err(json_t *row)
{
	const char *st = row_str(row, "state");

	if (strcmp(st, "SUCCESS") == 0)
		return NULL;
	if (strcmp(st, "USERPAYING") == 0)
		return "USERPAYING";
	if (strcmp(st, "REVOKED") == 0)
		return "ORDERREVERSED";
	if (strcmp(st, "CLOSED") == 0)
		return "ORDERCLOSED";
	return "TRADE_ERROR";
}

/* A charge. Returns the err_code (NULL = paid) and the order row (new,
 * or NULL when no order was made). */
static const char *
submit(struct sim *s, const char *api, const char *otn, const char *code,
	int64_t total, const char *goods_tag, int64_t now, json_t **out)
{
	static const char by_code[] = "SELECT out_trade_no FROM pay_orders "
		"WHERE auth_code = ?1 AND out_trade_no <> ?2";
	static const char ins[] = "INSERT INTO pay_orders(out_trade_no, api,"
		" auth_code, openid, total, goods_tag, state, created,"
		" resolve_at, transaction_id, success_time, vouchers, pay_calls)"
		" VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, 1)";
	static const char again[] = "UPDATE pay_orders SET pay_calls = "
		"pay_calls + 1 WHERE out_trade_no = ?1";
	json_t *row, *other, *v, *resolve = json_null();
	const char *state = "SUCCESS", *err = NULL;
	char txn[29], *vs;
	int cas, u, param;

	*out = NULL;
	if (!pay_is_auth_code(code))
		return "AUTH_CODE_INVALID";
	row = order_get(s, otn, now);
	if (row != NULL) {
		if (strcmp(row_str(row, "auth_code"), code) != 0 ||
		    row_int(row, "total") != total) {
			json_decref(row);
			return "OUT_TRADE_NO_USED";
		}
		run(s->db, again, json_pack("[s]", otn), NULL);
		*out = row;
		return replay_err(row);
	}
	other = row1(s->db, by_code, json_pack("[ss]", code, otn));
	if (other != NULL) {
		json_decref(other);
		return "AUTH_CODE_ERROR";
	}
	cas = digit2(code + 2);
	u = code[4] - '0';
	param = digit2(code + 5);
	if (cas == CASE_EXPIRED)
		return "AUTHCODEEXPIRE";
	if (cas == CASE_NOTENOUGH)
		return "NOTENOUGH";
	if (u < 1 || u > 3)
		u = 1;
	if (cas == CASE_USERPAYING_THEN) {
		state = "USERPAYING";
		resolve = json_integer(now + param);
		err = "USERPAYING";
	} else if (cas == CASE_USERPAYING_NEVER) {
		state = "USERPAYING";
		err = "USERPAYING";
	} else if (cas == CASE_SYSTEMERROR_THEN) {
		err = "SYSTEMERROR"; /* taken, but the answer says error */
	}
	memcpy(txn, "4200", 4);
	sim_rand_digits(txn + 4, 24);
	v = vouchers_for(s, users_default[u - 1], total, goods_tag);
	vs = json_dumps(v, JSON_COMPACT);
	json_decref(v);
	run(s->db, ins, json_pack("[ssssIssIosos]", otn, api, code,
		users_default[u - 1], (json_int_t)total, goods_tag, state,
		(json_int_t)now, resolve, txn, strcmp(state, "SUCCESS") == 0 ?
		json_integer(now) : json_null(), vs), NULL);
	free(vs);
	row = order_get(s, otn, now);
	if (row != NULL && strcmp(state, "SUCCESS") == 0)
		ledger(s, now, "pay", row);
	*out = row;
	return row == NULL ? "SYSTEMERROR" : err;
}

/* A reverse. NULL = done; else the err_code, *recall set. */
static const char *
reverse(struct sim *s, const char *otn, int64_t now, int *recall)
{
	static const char upd[] = "UPDATE pay_orders SET state = ?2, "
		"reverse_calls = reverse_calls + 1 WHERE out_trade_no = ?1";
	json_t *row = order_get(s, otn, now);
	const char *st, *err = NULL;

	*recall = 0;
	if (row == NULL)
		return "ORDERNOTEXIST";
	st = row_str(row, "state");
	if (now - row_int(row, "created") > REVERSE_DAYS * 86400) {
		err = "REVERSE_EXPIRE";
	} else if (strcmp(st, "USERPAYING") == 0 &&
	    row_int(row, "reverse_calls") == 0) {
		run(s->db, upd, json_pack("[ss]", otn, st), NULL);
		*recall = 1;
		err = "SYSTEMERROR"; /* 支付中不能撤销: call again */
	} else if (strcmp(st, "SUCCESS") == 0) {
		run(s->db, upd, json_pack("[ss]", otn, "REVOKED"), NULL);
		ledger(s, now, "reverse", row); /* the money goes back */
	} else if (strcmp(st, "REVOKED") != 0 && strcmp(st, "CLOSED") != 0) {
		run(s->db, upd, json_pack("[ss]", otn, "REVOKED"), NULL);
	}
	json_decref(row);
	return err;
}

/* ---- APIv3 ------------------------------------------------------------ */

static const struct {
	const char *v2;
	int status;
	const char *v3;
	const char *msg;
} v3errs[] = {
	{ "AUTH_CODE_INVALID", 400, "AUTH_CODE_INVALID",
	    "请扫描微信支付授权码(以10/11/12/13/14/15为前缀的18位数字)" },
	{ "AUTHCODEEXPIRE", 400, "AUTHCODEEXPIRE",
	    "二维码已过期，请用户在微信上刷新后再试" },
	{ "AUTH_CODE_ERROR", 400, "AUTH_CODE_ERROR",
	    "每个二维码仅限使用一次，请刷新再试" },
	{ "NOTENOUGH", 403, "NOT_ENOUGH", "余额不足" },
	{ "OUT_TRADE_NO_USED", 403, "OUT_TRADE_NO_USED", "商户订单号重复" },
	{ "ORDERREVERSED", 400, "ORDERREVERSED", "订单已撤销" },
	{ "ORDERCLOSED", 400, "ORDER_CLOSED", "订单已关闭" },
	{ "TRADE_ERROR", 403, "TRADE_ERROR", "交易错误" },
	{ "SYSTEMERROR", 500, "SYSTEM_ERROR", "系统错误" },
	{ "ORDERNOTEXIST", 404, "ORDER_NOT_EXIST", "订单不存在" },
	{ "REVERSE_EXPIRE", 400, "REVERSE_EXPIRE", "订单无法撤销" },
};

static void
v3_err(struct sim_ctx *c, const char *v2)
{
	size_t i;

	for (i = 0; i < sizeof v3errs / sizeof v3errs[0]; i++)
		if (strcmp(v3errs[i].v2, v2) == 0) {
			sim_err(c, v3errs[i].status, v3errs[i].v3,
				v3errs[i].msg);
			return;
		}
	sim_err(c, 400, "INVALID_REQUEST", v2);
}

static json_t *
v3_transaction(struct sim *s, json_t *row)
{
	const char *st = row_str(row, "state");
	json_t *v = parse_vouchers(row), *o, *pd = json_array(), *e;
	int64_t total = row_int(row, "total");
	size_t i;
	char t[40];

	o = json_pack("{s:s,s:s,s:s,s:s,s:s,s:s}", "appid", s->ids.appid,
		"mchid", s->ids.mchid, "out_trade_no",
		row_str(row, "out_trade_no"), "trade_type", "MICROPAY",
		"trade_state", st, "trade_state_desc",
		strcmp(st, "SUCCESS") == 0 ? "支付成功" :
		strcmp(st, "USERPAYING") == 0 ? "用户支付中" :
		strcmp(st, "REVOKED") == 0 ? "已撤销" : st);
	if (strcmp(st, "SUCCESS") == 0 || strcmp(st, "REVOKED") == 0 ||
	    strcmp(st, "REFUND") == 0) {
		json_object_set_new(o, "transaction_id",
			json_string(row_str(row, "transaction_id")));
		json_object_set_new(o, "bank_type", json_string("OTHERS"));
		if (json_is_integer(json_object_get(row, "success_time")))
			json_object_set_new(o, "success_time", json_string(
				sim_rfc3339(row_int(row, "success_time"), t,
				sizeof t)));
		json_object_set_new(o, "payer", json_pack("{s:s}", "openid",
			row_str(row, "openid")));
		json_array_foreach(v, i, e) {
			int nocash = strcmp(row_str(e, "type"), "NOCASH") == 0;
			json_int_t a = row_int(e, "amount");

			json_array_append_new(pd, json_pack("{s:s,s:s,s:s,"
				"s:s,s:I,s:s,s:I,s:I,s:I,s:s}", "coupon_id",
				row_str(e, "id"), "name", row_str(e, "name"),
				"scope", "GLOBAL", "type", row_str(e, "type"),
				"amount", a, "stock_id", row_str(e, "stock_id"),
				"wechatpay_contribute", nocash ? 0 : a,
				"merchant_contribute", nocash ? a : 0,
				"other_contribute", (json_int_t)0, "currency",
				"CNY"));
		}
	}
	json_object_set_new(o, "amount", json_pack("{s:I,s:I,s:s,s:s}",
		"total", (json_int_t)total, "payer_total",
		(json_int_t)(total - voucher_sum(v, NULL)), "currency", "CNY",
		"payer_currency", "CNY"));
	if (json_array_size(pd) > 0)
		json_object_set_new(o, "promotion_detail", pd);
	else
		json_decref(pd);
	json_decref(v);
	return o;
}

static void
v3_codepay(struct sim_ctx *c)
{
	struct sim *s = c->s;
	const char *appid, *mchid, *desc, *otn, *code, *tag = NULL;
	json_t *payer, *amount, *scene, *row = NULL;
	int64_t total = 0;
	const char *err;

	c->loc = "body";
	if (sim_str(c, c->body, "appid", 1, 32, &appid) != 0 ||
	    sim_str(c, c->body, "mchid", 1, 32, &mchid) != 0 ||
	    sim_str(c, c->body, "description", 1, 127, &desc) != 0 ||
	    sim_str(c, c->body, "out_trade_no", 1, 32, &otn) != 0 ||
	    sim_str(c, c->body, "goods_tag", 0, 32, &tag) != 0)
		return;
	payer = json_object_get(c->body, "payer");
	amount = json_object_get(c->body, "amount");
	scene = json_object_get(c->body, "scene_info");
	if (!json_is_object(payer) || !json_is_object(amount) ||
	    !json_is_object(scene) ||
	    !json_is_object(json_object_get(scene, "store_info"))) {
		sim_err_field(c, !json_is_object(payer) ? "payer" :
			!json_is_object(amount) ? "amount" : "scene_info",
			"is required");
		return;
	}
	if (sim_str(c, payer, "auth_code", 1, 128, &code) != 0 ||
	    sim_int(c, amount, "total", 1, 1, 100000000000LL, &total) != 0)
		return;
	if (strcmp(mchid, s->ids.mchid) != 0 || strcmp(appid,
	    s->ids.appid) != 0) {
		sim_err(c, 400, "APPID_MCHID_NOT_MATCH", "appid和mch_id不匹配");
		return;
	}
	if (!pay_out_trade_no_ok(otn)) {
		sim_err_field(c, "out_trade_no", "must be [0-9A-Za-z_-]{6,32}");
		return;
	}
	pthread_mutex_lock(&s->mu);
	simdb_begin(s->db);
	err = submit(s, "v3", otn, code, total, tag ? tag : "", c->now, &row);
	simdb_commit(s->db);
	if (err == NULL)
		sim_ok(c, 200, v3_transaction(s, row));
	else if (strcmp(err, "USERPAYING") == 0)
		sim_ok(c, 202, json_pack("{s:s}", "trade_state",
			"USERPAYING"));
	else
		v3_err(c, err);
	pthread_mutex_unlock(&s->mu);
	json_decref(row);
}

static void
v3_query(struct sim_ctx *c, const char *otn)
{
	struct sim *s = c->s;
	char *mchid = httpd_query_get(c->query, "mchid");
	json_t *row;

	if (mchid == NULL || strcmp(mchid, s->ids.mchid) != 0) {
		c->loc = "query";
		sim_err_field(c, "mchid", mchid ? "is not ours" :
			"is required");
		free(mchid);
		return;
	}
	free(mchid);
	pthread_mutex_lock(&s->mu);
	simdb_begin(s->db);
	row = order_get(s, otn, c->now);
	simdb_commit(s->db);
	if (row == NULL)
		v3_err(c, "ORDERNOTEXIST");
	else
		sim_ok(c, 200, v3_transaction(s, row));
	pthread_mutex_unlock(&s->mu);
	json_decref(row);
}

static void
v3_reverse(struct sim_ctx *c, const char *otn)
{
	struct sim *s = c->s;
	const char *appid, *mchid, *err;
	int recall;

	c->loc = "body";
	if (sim_str(c, c->body, "appid", 1, 32, &appid) != 0 ||
	    sim_str(c, c->body, "mchid", 1, 32, &mchid) != 0)
		return;
	if (strcmp(mchid, s->ids.mchid) != 0 || strcmp(appid,
	    s->ids.appid) != 0) {
		sim_err(c, 400, "APPID_MCHID_NOT_MATCH", "appid和mch_id不匹配");
		return;
	}
	pthread_mutex_lock(&s->mu);
	simdb_begin(s->db);
	err = reverse(s, otn, c->now, &recall);
	simdb_commit(s->db);
	pthread_mutex_unlock(&s->mu);
	if (err != NULL)
		v3_err(c, err);
	else
		sim_ok(c, 200, json_pack("{s:s,s:s,s:s}", "appid",
			s->ids.appid, "mchid", s->ids.mchid, "out_trade_no",
			otn));
}

int
sim_pay_v3_route(struct sim_ctx *c)
{
	int n = c->nseg;
	int post = strcmp(c->method, "POST") == 0;

	if (n >= 2 && strcmp(c->seg[1], "refund") == 0)
		return sim_refund_v3_route(c);
	if (n >= 2 && (strcmp(c->seg[1], "bill") == 0 ||
	    strcmp(c->seg[1], "billdownload") == 0))
		return sim_bill_v3_route(c);
	if (n < 3 || strcmp(c->seg[1], "pay") != 0 ||
	    strcmp(c->seg[2], "transactions") != 0)
		return QUAN_ENOTFOUND;
	if (n == 4 && strcmp(c->seg[3], "codepay") == 0) {
		snprintf(c->route, sizeof c->route,
			"POST /v3/pay/transactions/codepay");
		if (post)
			v3_codepay(c);
		else
			sim_err(c, 405, "NOT_FOUND", "请求方法不支持");
		return 0;
	}
	if (n >= 5 && strcmp(c->seg[3], "out-trade-no") == 0) {
		if (n == 5 && strcmp(c->method, "GET") == 0) {
			snprintf(c->route, sizeof c->route,
				"GET /v3/pay/transactions/out-trade-no/{}");
			v3_query(c, c->seg[4]);
			return 0;
		}
		if (n == 6 && post && strcmp(c->seg[5], "reverse") == 0) {
			snprintf(c->route, sizeof c->route, "POST "
				"/v3/pay/transactions/out-trade-no/{}/reverse");
			v3_reverse(c, c->seg[4]);
			return 0;
		}
	}
	return QUAN_ENOTFOUND;
}

/* ---- APIv2 ------------------------------------------------------------ */

static const char *
v2_desc(const char *err)
{
	size_t i;

	for (i = 0; i < sizeof v3errs / sizeof v3errs[0]; i++)
		if (strcmp(v3errs[i].v2, err) == 0)
			return v3errs[i].msg;
	return err;
}

/* The answer: signed with the request's sign_type (unless FAIL). */
void
sim_pay_v2_answer(struct sim_ctx *c, struct payxml *x, int md5)
{
	struct sim *s = c->s;
	char sign[PAYXML_SIGN_MAX], nonce[20];

	sim_rand_alnum(nonce, 16);
	payxml_set(x, "nonce_str", nonce);
	if (payxml_sign(x, s->apiv2_key, md5 ? PAYXML_SIGN_MD5 :
	    PAYXML_SIGN_HMAC_SHA256, sign) == 0) {
		const char *path = httpd_req_path(c->req);
		int faulty = s->faults.only[0] == '\0' || strncmp(path,
			s->faults.only, strlen(s->faults.only)) == 0;

		/* the badsig fault, as the v3 answers get it */
		if (faulty && s->faults.pbadsig &&
		    sim_draw(s->seed, c->seq, 3) < s->faults.pbadsig)
			sign[3] = sign[3] == 'A' ? 'B' : 'A';
		payxml_set(x, "sign", sign);
	}
	c->status = 200;
	c->raw = payxml_write(x, NULL);
}

static void
v2_fail(struct sim_ctx *c, const char *msg)
{
	char *m = xasprintf("<xml><return_code><![CDATA[FAIL]]></return_code>"
		"<return_msg><![CDATA[%s]]></return_msg></xml>", msg);

	c->status = 200;
	c->raw = m;
}

/* return_code=SUCCESS header fields, then result_code / err_code. */
void
sim_pay_v2_head(struct sim *s, struct payxml *x, const char *err)
{
	payxml_add(x, "return_code", "SUCCESS");
	payxml_add(x, "return_msg", "OK");
	payxml_add(x, "appid", s->ids.appid);
	payxml_add(x, "mch_id", s->ids.mchid);
	payxml_add(x, "nonce_str", "");
	payxml_add(x, "result_code", err ? "FAIL" : "SUCCESS");
	if (err != NULL) {
		payxml_add(x, "err_code", err);
		payxml_add(x, "err_code_des", v2_desc(err));
	}
}

static void
yyyymmdd(int64_t t, char *out, size_t n)
{
	time_t tt = (time_t)(t + 8 * 3600);
	struct tm tmv;

	gmtime_r(&tt, &tmv);
	strftime(out, n, "%Y%m%d%H%M%S", &tmv);
}

/* The order's payment fields; query adds trade_state and the coupons. */
static void
v2_order(struct payxml *x, json_t *row, int query)
{
	json_t *v = parse_vouchers(row), *e;
	int64_t total = row_int(row, "total"), cf = voucher_sum(v, NULL);
	const char *st = row_str(row, "state");
	size_t i;
	char k[48], t[20];

	payxml_add(x, "out_trade_no", row_str(row, "out_trade_no"));
	if (query) {
		payxml_add(x, "trade_state", st);
		payxml_add(x, "trade_state_desc",
			strcmp(st, "SUCCESS") == 0 ? "支付成功" : st);
	}
	if (strcmp(st, "SUCCESS") != 0 && strcmp(st, "REVOKED") != 0 &&
	    strcmp(st, "REFUND") != 0) {
		json_decref(v);
		return;
	}
	payxml_add(x, "openid", row_str(row, "openid"));
	payxml_add(x, "is_subscribe", "N");
	payxml_add(x, "trade_type", "MICROPAY");
	payxml_add(x, "bank_type", "OTHERS");
	payxml_add_int(x, "total_fee", total);
	payxml_add_int(x, "settlement_total_fee", total -
		voucher_sum(v, "NOCASH"));
	payxml_add(x, "fee_type", "CNY");
	payxml_add_int(x, "cash_fee", total - cf);
	payxml_add(x, "cash_fee_type", "CNY");
	if (cf > 0)
		payxml_add_int(x, "coupon_fee", cf);
	if (query && json_array_size(v) > 0) {
		payxml_add_int(x, "coupon_count", (long long)json_array_size(v));
		json_array_foreach(v, i, e) {
			snprintf(k, sizeof k, "coupon_type_%zu", i);
			payxml_add(x, k, strcmp(row_str(e, "type"), "NOCASH") ==
				0 ? "NO_CASH" : "CASH");
			snprintf(k, sizeof k, "coupon_id_%zu", i);
			payxml_add(x, k, row_str(e, "id"));
			snprintf(k, sizeof k, "coupon_fee_%zu", i);
			payxml_add_int(x, k, row_int(e, "amount"));
		}
	}
	payxml_add(x, "transaction_id", row_str(row, "transaction_id"));
	if (json_is_integer(json_object_get(row, "success_time"))) {
		yyyymmdd(row_int(row, "success_time"), t, sizeof t);
		payxml_add(x, "time_end", t);
	}
	json_decref(v);
}

static int
digits(const char *s)
{
	size_t i;

	if (s == NULL || *s == '\0' || strlen(s) > 12)
		return 0;
	for (i = 0; s[i]; i++)
		if (s[i] < '0' || s[i] > '9')
			return 0;
	return 1;
}

int
sim_pay_v2_route(struct sim_ctx *c, const char *body, size_t len)
{
	struct sim *s = c->s;
	const char *path = httpd_req_path(c->req), *st, *otn, *err = NULL;
	struct payxml in, out;
	enum payxml_sign how = PAYXML_SIGN_MD5;
	int op, recall = 0;
	json_t *row = NULL;

	if (strcmp(path, "/pay/micropay") == 0)
		op = PAY_OP_PAY;
	else if (strcmp(path, "/pay/orderquery") == 0)
		op = PAY_OP_QUERY;
	else if (strcmp(path, "/secapi/pay/reverse") == 0)
		op = PAY_OP_REVERSE;
	else if (strcmp(path, "/secapi/pay/refund") == 0)
		op = OP_REFUND;
	else if (strcmp(path, "/pay/refundquery") == 0)
		op = OP_REFUNDQUERY;
	else if (strcmp(path, "/pay/downloadbill") == 0)
		op = OP_BILL;
	else
		return QUAN_ENOTFOUND;
	snprintf(c->route, sizeof c->route, "POST %s", path);
	memset(&in, 0, sizeof in);
	memset(&out, 0, sizeof out);
	if (strcmp(c->method, "POST") != 0) {
		v2_fail(c, "请使用post方法");
		return 0;
	}
	if (strncmp(path, "/secapi/", 8) == 0 &&
	    !httpd_req_client_cert_ok(c->req)) {
		/* no merchant certificate on the TLS connection */
		v2_fail(c, "证书错误: /secapi/ needs the merchant's API "
			"certificate");
		return 0;
	}
	if (s->apiv2_key == NULL) {
		v2_fail(c, "no APIv2 key (sim dir made before payments: run "
			"quan sim init --force)");
		return 0;
	}
	if (payxml_parse(body, len, &in, NULL) != 0) {
		v2_fail(c, "XML格式错误");
		return 0;
	}
	st = payxml_get(&in, "sign_type");
	if ((st != NULL && payxml_sign_parse(st, &how) != 0) ||
	    payxml_verify(&in, s->apiv2_key, how) != 0) {
		v2_fail(c, "签名错误");
		goto out;
	}
	if (op >= OP_REFUND) {
		/* refunds and the bill: payrefund.c, bill.c */
		if (op == OP_BILL)
			sim_bill_v2(c, &in, &out, how == PAYXML_SIGN_MD5);
		else
			sim_refund_v2(c, op == OP_REFUNDQUERY, &in, &out,
				how == PAYXML_SIGN_MD5);
		goto out;
	}
	otn = payxml_get(&in, "out_trade_no");
	if (payxml_get(&in, "appid") == NULL ||
	    payxml_get(&in, "mch_id") == NULL ||
	    payxml_get(&in, "nonce_str") == NULL || otn == NULL ||
	    (op == PAY_OP_PAY && (payxml_get(&in, "body") == NULL ||
	    !digits(payxml_get(&in, "total_fee")) ||
	    payxml_get(&in, "spbill_create_ip") == NULL ||
	    payxml_get(&in, "auth_code") == NULL))) {
		err = "LACK_PARAMS";
	} else if (strcmp(payxml_get(&in, "appid"), s->ids.appid) != 0 ||
	    strcmp(payxml_get(&in, "mch_id"), s->ids.mchid) != 0) {
		err = "APPID_MCHID_NOT_MATCH";
	} else if (!pay_out_trade_no_ok(otn) || (op == PAY_OP_PAY &&
	    strtoll(payxml_get(&in, "total_fee"), NULL, 10) < 1)) {
		err = "PARAM_ERROR";
	}
	if (err != NULL) {
		sim_pay_v2_head(s, &out, err);
		sim_pay_v2_answer(c, &out, how == PAYXML_SIGN_MD5);
		goto out;
	}
	pthread_mutex_lock(&s->mu);
	simdb_begin(s->db);
	if (op == PAY_OP_PAY) {
		const char *tag = payxml_get(&in, "goods_tag");

		err = submit(s, "v2", otn, payxml_get(&in, "auth_code"),
			strtoll(payxml_get(&in, "total_fee"), NULL, 10),
			tag ? tag : "", c->now, &row);
	} else if (op == PAY_OP_QUERY) {
		row = order_get(s, otn, c->now);
		if (row == NULL)
			err = "ORDERNOTEXIST";
	} else {
		err = reverse(s, otn, c->now, &recall);
	}
	simdb_commit(s->db);
	pthread_mutex_unlock(&s->mu);
	sim_pay_v2_head(s, &out, err);
	if (op == PAY_OP_REVERSE)
		payxml_add(&out, "recall", recall ? "Y" : "N");
	else if (row != NULL && (err == NULL || op == PAY_OP_QUERY))
		v2_order(&out, row, op == PAY_OP_QUERY);
	sim_pay_v2_answer(c, &out, how == PAYXML_SIGN_MD5);
out:
	json_decref(row);
	payxml_free(&in);
	payxml_free(&out);
	return 0;
}

/* ---- seed ------------------------------------------------------------- */

/* A code of case cas for payer u (1-3) with parameter p. */
static json_t *
code_for(int cas, int u, int p)
{
	char serial[12], code[24];

	sim_rand_digits(serial, 11);
	snprintf(code, sizeof code, "13%02d%d%02d%s", cas, u, p, serial);
	return json_string(code);
}

json_t *
sim_pay_seed(struct simdb *db, const char *const users[3], int *err)
{
	static const char ins[] = "INSERT OR REPLACE INTO pay_vouchers(id, "
		"openid, stock_id, name, type, amount, minimum, goods_tag) "
		"VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)";
	static const struct {
		const char *id, *stock, *name, *type;
		int user;
		int64_t amount, minimum;
		const char *tag;
	} vs[] = {
		{ "SIMV0001", "9310001", "满10减2", "NOCASH", 0, 200, 1000, "" },
		{ "SIMV0002", "9310002", "满50减5", "CASH", 0, 500, 5000, "" },
		{ "SIMV0003", "9310003", "WXG立减1", "CASH", 1, 100, 500,
		    "WXG" },
	};
	char bad[24];
	size_t i;
	json_t *p;

	for (i = 0; i < sizeof vs / sizeof vs[0]; i++)
		if (run(db, ins, json_pack("[sssssIIs]", vs[i].id,
		    users[vs[i].user], vs[i].stock, vs[i].name, vs[i].type,
		    (json_int_t)vs[i].amount, (json_int_t)vs[i].minimum,
		    vs[i].tag), NULL) != 0)
			*err = 1;
	snprintf(bad, sizeof bad, "99%016d", 1);
	p = json_object();
	json_object_set_new(p, "success", code_for(CASE_SUCCESS, 1, 0));
	json_object_set_new(p, "success_user2", code_for(CASE_SUCCESS, 2, 0));
	json_object_set_new(p, "userpaying_then_success",
		code_for(CASE_USERPAYING_THEN, 1, 3));
	json_object_set_new(p, "userpaying_never",
		code_for(CASE_USERPAYING_NEVER, 1, 0));
	json_object_set_new(p, "notenough", code_for(CASE_NOTENOUGH, 1, 0));
	json_object_set_new(p, "auth_code_invalid", json_string(bad));
	json_object_set_new(p, "expired", code_for(CASE_EXPIRED, 1, 0));
	json_object_set_new(p, "systemerror_then_success",
		code_for(CASE_SYSTEMERROR_THEN, 1, 0));
	json_object_set_new(p, "vouchers", json_pack("[{s:s,s:s,s:s,s:I,"
		"s:I},{s:s,s:s,s:s,s:I,s:I},{s:s,s:s,s:s,s:I,s:I,s:s}]",
		"id", vs[0].id, "name", vs[0].name, "type", vs[0].type,
		"amount", (json_int_t)vs[0].amount, "minimum",
		(json_int_t)vs[0].minimum,
		"id", vs[1].id, "name", vs[1].name, "type", vs[1].type,
		"amount", (json_int_t)vs[1].amount, "minimum",
		(json_int_t)vs[1].minimum,
		"id", vs[2].id, "name", vs[2].name, "type", vs[2].type,
		"amount", (json_int_t)vs[2].amount, "minimum",
		(json_int_t)vs[2].minimum, "goods_tag", vs[2].tag));
	json_object_set_new(p, "code_format", json_string("13 CC U NN "
		"SSSSSSSSSSS: CC case (00 success, 01 USERPAYING paid NN s "
		"later, 02 USERPAYING for ever, 03 NOTENOUGH, 05 expired, "
		"06 SYSTEMERROR then paid), U payer 1-3 (index in openids)"));
	return p;
}
