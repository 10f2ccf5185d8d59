/*
 * pcoupon.c — the simulator's 商品券 user-coupon endpoints for both access
 * modes (doc §4, §9): /brand/marketing/product-coupon/… (the brand
 * signature, checked by server.c) and /v3/marketing/partner/product-coupon/…
 * (APIv3, brand_id required and authorised). The state machine of §5.1
 * (CONFIRMING until 确认发放, PENDING until valid_begin_time, EXPIRED after
 * valid_end_time), bundle rounds in order and only the latest returned,
 * the order check of use (--pc-order none|exists|paid), idempotency by
 * (operation, brand, request number) with the body's hash, and numeric
 * error codes for the Request-ID. Send queues the SEND notification of
 * the mode. Every handler takes s->mu around its database work.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crypto/crypto.h"
#include "net/httpd.h"
#include "net/pcoupon.h"
#include "sim/pcoupon_int.h"
#include "util/err.h"
#include "util/log.h"
#include "util/tm.h"
#include "util/xmem.h"

#define DAY 86400
#define ST_ERR(c, n, m) sim_pc_err(c, 400, "INVALID_REQUEST", m, n)

int
sim_pc_order_parse(const char *s)
{
	if (strcmp(s, "none") == 0)
		return 0;
	if (strcmp(s, "exists") == 0)
		return 1;
	if (strcmp(s, "paid") == 0)
		return 2;
	return -1;
}

void
sim_pc_route_name(struct sim_ctx *c, int brand, const char *tmpl)
{
	snprintf(c->route, sizeof c->route, "%.8s %s/%.80s", c->method, brand ?
		"/brand/marketing/product-coupon" :
		"/v3/marketing/partner/product-coupon", tmpl);
}

/* Time moves coupons on: PENDING -> EFFECTIVE at valid_begin, EFFECTIVE
 * and PENDING -> EXPIRED after valid_end. Caller holds mu. */
static void
tick(struct sim *s, int64_t now)
{
	static const char exp[] =
		"UPDATE pc_coupons SET state = 'EXPIRED' WHERE state IN "
		"('EFFECTIVE', 'PENDING') AND valid_end < ?1";
	static const char eff[] =
		"UPDATE pc_coupons SET state = 'EFFECTIVE' WHERE state = "
		"'PENDING' AND valid_begin <= ?1";
	json_t *p = json_pack("[I]", (json_int_t)now);

	simdb_run(s->db, exp, p, NULL);
	simdb_run(s->db, eff, p, NULL);
	json_decref(p);
}

/* ---- idempotency ------------------------------------------------------ */

static void
body_hash(struct sim_ctx *c, char hex[2 * CRYPTO_SHA256_LEN + 1])
{
	char *t = json_dumps(c->body, JSON_COMPACT | JSON_SORT_KEYS);
	uint8_t h[CRYPTO_SHA256_LEN];

	crypto_sha256(t ? t : "", t ? strlen(t) : 0, h);
	crypto_hex(h, sizeof h, hex);
	free(t);
}

/* A request number seen before: the first answer again (same body), or
 * 268578927 (other bytes). 1 when answered, 0 to go on. Holds mu. */
static int
replayed(struct sim_ctx *c, const char *op, const char *reqno)
{
	static const char q[] =
		"SELECT hash, status, resp FROM pc_requests WHERE op = ?1 AND "
		"brand_id = ?2 AND request_no = ?3";
	char hex[2 * CRYPTO_SHA256_LEN + 1];
	json_t *p = json_pack("[sss]", op, c->s->ids.brand_id, reqno), *r;
	json_error_t je;

	r = simdb_row(c->s->db, q, p);
	json_decref(p);
	if (r == NULL)
		return 0;
	body_hash(c, hex);
	if (strcmp(hex, json_string_value(json_object_get(r, "hash"))) != 0)
		ST_ERR(c, 268578927, "使用了相同单号，但与上次请求的数据不一致");
	else
		sim_ok(c, (int)json_integer_value(json_object_get(r,
			"status")), json_loads(json_string_value(
			json_object_get(r, "resp")), 0, &je));
	json_decref(r);
	return 1;
}

static void
remember(struct sim_ctx *c, const char *op, const char *reqno)
{
	static const char ins[] =
		"INSERT OR IGNORE INTO pc_requests(op, brand_id, request_no, "
		"hash, status, resp) VALUES (?1, ?2, ?3, ?4, ?5, ?6)";
	char hex[2 * CRYPTO_SHA256_LEN + 1], *t;
	json_t *p;

	if (c->status < 200 || c->status >= 300 || c->resp == NULL)
		return;
	body_hash(c, hex);
	t = json_dumps(c->resp, JSON_COMPACT);
	p = json_pack("[ssssis]", op, c->s->ids.brand_id, reqno, hex,
		c->status, t);
	simdb_run(c->s->db, ins, p, NULL);
	json_decref(p);
	free(t);
}

/* ---- the user coupon -------------------------------------------------- */

/* The coupon (code, stock) of openid under product_coupon_id; another
 * user's, another product's or an unknown code is 268578851. Holds mu. */
static json_t *
load(struct sim_ctx *c, const char *openid, const char *code,
	const char *pcid, const char *sid)
{
	static const char q[] =
		"SELECT rowid AS id, * FROM pc_coupons WHERE code = ?1 AND "
		"stock_id = ?2";
	json_t *p = json_pack("[ss]", code, sid), *r;

	r = simdb_row(c->s->db, q, p);
	json_decref(p);
	if (r == NULL || strcmp(json_string_value(json_object_get(r,
	    "openid")), openid) != 0 || strcmp(json_string_value(
	    json_object_get(r, "product_coupon_id")), pcid) != 0) {
		json_decref(r);
		sim_pc_err(c, 404, "RESOURCE_NOT_EXISTS", "用户券不存在",
			268578851);
		return NULL;
	}
	return r;
}

/* The ids every POST carries; 0 ok, -1 with the answer set. */
static int
ids(struct sim_ctx *c, const char **pcid, const char **sid,
	const char **appid, const char *reqkey, size_t reqmax,
	const char **reqno)
{
	c->loc = "body";
	if (sim_str(c, c->body, "product_coupon_id", 1, 64, pcid) != 0 ||
	    sim_str(c, c->body, "stock_id", 1, 64, sid) != 0 ||
	    sim_str(c, c->body, "appid", 1, 64, appid) != 0 ||
	    sim_str(c, c->body, reqkey, 1, reqmax, reqno) != 0)
		return -1;
	if (!pc_reqno_valid(*reqno, reqmax)) {
		sim_err_field(c, reqkey, "must be 6 or more of [0-9A-Za-z_-]");
		return -1;
	}
	if (strcmp(*appid, c->s->ids.appid) != 0) {
		ST_ERR(c, 268578704, "传入的AppID非法");
		return -1;
	}
	return 0;
}

static const char *
st(json_t *row)
{
	return json_string_value(json_object_get(row, "state"));
}

static int
st_is(json_t *row, const char *s)
{
	return strcmp(st(row), s) == 0;
}

/* The refusal of a coupon that is not EFFECTIVE (use) / not in want. */
static void
refuse_state(struct sim_ctx *c, json_t *row)
{
	if (st_is(row, "USED"))
		ST_ERR(c, 272756745, "券已被其他订单核销");
	else if (st_is(row, "EXPIRED"))
		ST_ERR(c, 268578776, "用户券已过期");
	else if (st_is(row, "DELETED"))
		ST_ERR(c, 272756769, "券已被删除");
	else
		ST_ERR(c, 268578367, "用户券状态非法");
}

static void
ledger(struct sim *s, const char *kind, json_t *row, const char *reqno,
	const char *ref)
{
	static const char ins[] =
		"INSERT INTO pc_ledger(at, kind, code, stock_id, request_no, "
		"order_ref) VALUES (?1, ?2, ?3, ?4, ?5, ?6)";
	json_t *p = json_pack("[IsOOss]", (json_int_t)tm_now(), kind,
		json_object_get(row, "code"), json_object_get(row, "stock_id"),
		reqno, ref ? ref : "");

	simdb_run(s->db, ins, p, NULL);
	json_decref(p);
}

/* Answer with the coupon as it now is (row id of the first query). */
static void
answer(struct sim_ctx *c, int brand, json_t *row)
{
	static const char q[] =
		"SELECT rowid AS id, * FROM pc_coupons WHERE rowid = ?1";
	json_t *p = json_pack("[O]", json_object_get(row, "id"));
	json_t *r = simdb_row(c->s->db, q, p);

	json_decref(p);
	sim_ok(c, 200, sim_pc_entity(c->s, r ? r : row, brand));
	json_decref(r);
}

/* use's associated order: exactly one of the two objects, an order named
 * by transaction_id or out_trade_no + mchid, and (switch) an order this
 * simulator took. 0 ok (*ref, *order set), -1 answered. Holds mu. */
static int
order_of(struct sim_ctx *c, char **order, const char **ref)
{
	static const char by_txn[] =
		"SELECT state FROM pay_orders WHERE transaction_id = ?1";
	json_t *ao = json_object_get(c->body, "associated_order_info");
	json_t *pso = json_object_get(c->body,
		"associated_pay_score_order_info");
	const char *tid = NULL, *otn = NULL, *mchid = NULL;
	json_t *row = NULL, *p;
	int ok;

	*order = NULL;
	if ((ao != NULL && !json_is_object(ao)) || (pso != NULL &&
	    !json_is_object(pso)) || (ao == NULL) == (pso == NULL)) {
		sim_err_field(c, "associated_order_info", "必须且只能传入"
			"associated_order_info与associated_pay_score_order_info"
			"之一");
		return -1;
	}
	if (pso != NULL) {
		if (sim_str(c, pso, "order_id", 0, 64, &tid) != 0 ||
		    sim_str(c, pso, "out_order_no", 0, 64, &otn) != 0)
			return -1;
		if (tid == NULL && otn == NULL) {
			sim_err_field(c, "associated_pay_score_order_info",
				"needs order_id or out_order_no");
			return -1;
		}
		*ref = tid ? tid : otn;
		*order = json_dumps(pso, JSON_COMPACT);
		return 0;
	}
	if (sim_str(c, ao, "transaction_id", 0, 32, &tid) != 0 ||
	    sim_str(c, ao, "out_trade_no", 0, 32, &otn) != 0 ||
	    sim_str(c, ao, "mchid", 0, 32, &mchid) != 0)
		return -1;
	if (tid == NULL && (otn == NULL || mchid == NULL)) {
		sim_err_field(c, "associated_order_info", "必须至少传入"
			"transaction_id或out_trade_no与mchid");
		return -1;
	}
	*ref = tid ? tid : otn;
	if (c->s->pc_order > 0) {
		if (tid != NULL) {
			p = json_pack("[s]", tid);
			row = simdb_row(c->s->db, by_txn, p);
			json_decref(p);
		} else {
			row = sim_pay_order(c->s, otn, c->now);
		}
		ok = row != NULL && (c->s->pc_order == 1 || strcmp(
			json_string_value(json_object_get(row, "state")),
			"SUCCESS") == 0);
		json_decref(row);
		if (!ok) {
			ST_ERR(c, 0, c->s->pc_order == 1 ? "关联的微信支付订单不存在" :
				"关联的微信支付订单未支付");
			return -1;
		}
	}
	*order = json_dumps(ao, JSON_COMPACT);
	return 0;
}

/* Rounds before this one not all used (use), or a later round used
 * (return): 1 when so. Holds mu. */
static int
bundle_blocks(struct sim *s, json_t *row, int later)
{
	static const char before[] =
		"SELECT count(*) AS n FROM pc_coupons WHERE bundle_id = ?1 AND "
		"bundle_index < ?2 AND state != 'USED'";
	static const char after[] =
		"SELECT count(*) AS n FROM pc_coupons WHERE bundle_id = ?1 AND "
		"bundle_index > ?2 AND state = 'USED'";
	json_t *b = json_object_get(row, "bundle_id"), *p, *r;
	int n;

	if (!json_is_string(b))
		return 0;
	p = json_pack("[OO]", b, json_object_get(row, "bundle_index"));
	r = simdb_row(s->db, later ? after : before, p);
	json_decref(p);
	n = r ? (int)json_integer_value(json_object_get(r, "n")) : 1;
	json_decref(r);
	return n > 0;
}

/* POST …/use | return | deactivate | confirm */
static void
coupon_op(struct sim_ctx *c, int brand, const char *verb, const char *openid,
	const char *code)
{
	static const char used[] =
		"UPDATE pc_coupons SET state = 'USED', use_request_no = ?2, "
		"use_time = ?3, use_order = ?4, return_request_no = NULL, "
		"return_time = NULL WHERE rowid = ?1";
	static const char ret[] =
		"UPDATE pc_coupons SET state = ?2, return_request_no = ?3, "
		"return_time = ?4 WHERE rowid = ?1";
	static const char deact[] =
		"UPDATE pc_coupons SET state = 'DEACTIVATED', "
		"deactivate_request_no = ?2, deactivate_time = ?3, "
		"deactivate_reason = ?4 WHERE rowid = ?1";
	static const char conf[] =
		"UPDATE pc_coupons SET state = ?2, confirm_request_no = ?3, "
		"confirm_time = ?4 WHERE rowid = ?1";
	struct sim *s = c->s;
	const char *pcid, *sid, *appid, *reqno, *use_time = NULL;
	const char *reason = NULL, *store = NULL, *ref = NULL;
	char *order = NULL;
	int64_t t;
	json_t *row = NULL, *p = NULL;
	const char *sql = NULL;

	if (ids(c, &pcid, &sid, &appid, "out_request_no", 40, &reqno) != 0)
		return;
	if (strcmp(verb, "use") == 0) {
		/* RFC 3339 with or without seconds (§9) */
		if (sim_str(c, c->body, "use_time", 1, 64, &use_time) != 0 ||
		    sim_str(c, c->body, "store_id", 0, 64, &store) != 0)
			return;
		if (tm_parse_rfc3339_min(use_time, &t) != 0) {
			sim_err_field(c, "use_time", "is not an RFC 3339 time");
			return;
		}
	}
	if (strcmp(verb, "deactivate") == 0 && sim_str(c, c->body,
	    "deactivate_reason", 1, 150, &reason) != 0)
		return;
	pthread_mutex_lock(&s->mu);
	if (simdb_begin(s->db) != 0) {
		pthread_mutex_unlock(&s->mu);
		sim_pc_err(c, 500, "SYSTEM_ERROR", "系统错误", 0);
		return;
	}
	tick(s, c->now);
	if (replayed(c, verb, reqno) || (row = load(c, openid, code, pcid,
	    sid)) == NULL)
		goto out;
	if (strcmp(verb, "use") == 0) {
		if (!st_is(row, "EFFECTIVE")) {
			refuse_state(c, row);
			goto out;
		}
		if (bundle_blocks(s, row, 0)) {
			ST_ERR(c, 268578367, "用户券状态非法：多次优惠须按轮次"
				"顺序核销");
			goto out;
		}
		if (order_of(c, &order, &ref) != 0)
			goto out;
		sql = used;
		p = json_pack("[Osss]", json_object_get(row, "id"), reqno,
			use_time, order);
	} else if (strcmp(verb, "return") == 0) {
		int64_t ve = json_integer_value(json_object_get(row,
			"valid_end"));

		if (!st_is(row, "USED") || bundle_blocks(s, row, 1)) {
			ST_ERR(c, 268578367, st_is(row, "USED") ?
				"只有券组内最近一个已核销券才可以退回" :
				"用户券状态非法");
			goto out;
		}
		sql = ret;
		p = json_pack("[OssI]", json_object_get(row, "id"),
			c->now > ve ? "EXPIRED" : "EFFECTIVE", reqno,
			(json_int_t)c->now);
	} else if (strcmp(verb, "deactivate") == 0) {
		if (!st_is(row, "EFFECTIVE") && !st_is(row, "PENDING") &&
		    !st_is(row, "CONFIRMING")) {
			refuse_state(c, row);
			goto out;
		}
		sql = deact;
		p = json_pack("[OsIs]", json_object_get(row, "id"), reqno,
			(json_int_t)c->now, reason);
	} else {
		if (!st_is(row, "CONFIRMING")) {
			ST_ERR(c, 268578367, "用户券状态非法：券不是待确认状态");
			goto out;
		}
		sql = conf;
		p = json_pack("[OssI]", json_object_get(row, "id"),
			c->now < json_integer_value(json_object_get(row,
			"valid_begin")) ? "PENDING" : "EFFECTIVE", reqno,
			(json_int_t)c->now);
	}
	if (simdb_run(s->db, sql, p, NULL) != 0) {
		sim_pc_err(c, 500, "SYSTEM_ERROR", "系统错误", 0);
		goto out;
	}
	if (strcmp(verb, "use") == 0 || strcmp(verb, "return") == 0)
		ledger(s, verb, row, reqno, ref);
	answer(c, brand, row);
	remember(c, verb, reqno);
out:
	if (c->status >= 200 && c->status < 300)
		simdb_commit(s->db);
	else
		simdb_rollback(s->db);
	pthread_mutex_unlock(&s->mu);
	json_decref(p);
	json_decref(row);
	free(order);
}

/* GET …/users/{openid}/coupons/{code}?product_coupon_id&stock_id&appid */
static void
coupon_get(struct sim_ctx *c, int brand, const char *openid,
	const char *code)
{
	char *pcid = httpd_query_get(c->query, "product_coupon_id");
	char *sid = httpd_query_get(c->query, "stock_id");
	char *appid = httpd_query_get(c->query, "appid");
	json_t *row;

	c->loc = "query";
	if (pcid == NULL || sid == NULL || appid == NULL) {
		sim_err_field(c, pcid == NULL ? "product_coupon_id" : sid ==
			NULL ? "stock_id" : "appid", "is required");
	} else if (strcmp(appid, c->s->ids.appid) != 0) {
		ST_ERR(c, 268578704, "传入的AppID非法");
	} else {
		pthread_mutex_lock(&c->s->mu);
		tick(c->s, c->now);
		row = load(c, openid, code, pcid, sid);
		if (row != NULL)
			sim_ok(c, 200, sim_pc_entity(c->s, row, brand));
		json_decref(row);
		pthread_mutex_unlock(&c->s->mu);
	}
	free(pcid);
	free(sid);
	free(appid);
}

/* GET …/users/{openid}/coupons?appid[&coupon_state][&product_coupon_id]
 * [&stock_id][&page_size][&page_token] */
static void
coupon_list(struct sim_ctx *c, int brand, const char *openid)
{
	static const char q[] =
		"SELECT rowid AS id, * FROM pc_coupons WHERE openid = ?1 AND "
		"(?2 IS NULL OR state = ?2) AND (?3 IS NULL OR "
		"product_coupon_id = ?3) AND (?4 IS NULL OR stock_id = ?4) "
		"ORDER BY rowid LIMIT ?5 OFFSET ?6";
	static const char cnt[] =
		"SELECT count(*) AS n FROM pc_coupons WHERE openid = ?1 AND "
		"(?2 IS NULL OR state = ?2) AND (?3 IS NULL OR "
		"product_coupon_id = ?3) AND (?4 IS NULL OR stock_id = ?4)";
	char *appid = httpd_query_get(c->query, "appid");
	char *state = httpd_query_get(c->query, "coupon_state");
	char *pcid = httpd_query_get(c->query, "product_coupon_id");
	char *sid = httpd_query_get(c->query, "stock_id");
	char *ps = httpd_query_get(c->query, "page_size");
	char *tok = httpd_query_get(c->query, "page_token");
	long size = 20, off = 0;
	char *end, next[24];
	json_t *p, *rows = NULL, *list, *x, *out;
	size_t i;

	c->loc = "query";
	if (ps != NULL && ((size = strtol(ps, &end, 10)) < 1 || size > 50 ||
	    *end != '\0')) {
		sim_err_field(c, "page_size", "must be in 1..50");
		goto done;
	}
	if (tok != NULL && ((off = strtol(tok, &end, 10)) < 0 ||
	    *end != '\0' || *tok == '\0')) {
		sim_err_field(c, "page_token", "is not a token of this list");
		goto done;
	}
	if (appid == NULL) {
		sim_err_field(c, "appid", "is required");
		goto done;
	}
	if (strcmp(appid, c->s->ids.appid) != 0) {
		ST_ERR(c, 268578704, "传入的AppID非法");
		goto done;
	}
	p = json_pack("[sooo]", openid, state ? json_string(state) :
		json_null(), pcid ? json_string(pcid) : json_null(),
		sid ? json_string(sid) : json_null());
	pthread_mutex_lock(&c->s->mu);
	tick(c->s, c->now);
	json_array_append_new(p, json_integer(size + 1));
	json_array_append_new(p, json_integer(off));
	simdb_run(c->s->db, q, p, &rows);
	list = json_array();
	json_array_foreach(rows, i, x)
		if ((long)i < size)
			json_array_append_new(list, sim_pc_entity(c->s, x,
				brand));
	out = json_pack("{s:o}", "user_coupon_list", list);
	if (tok == NULL) { /* the total only on the first page */
		json_t *r;

		json_array_remove(p, 5);
		json_array_remove(p, 4);
		r = simdb_row(c->s->db, cnt, p);
		json_object_set(out, "total_count", r ? json_object_get(r,
			"n") : json_integer(0));
		json_decref(r);
	}
	pthread_mutex_unlock(&c->s->mu);
	if (rows != NULL && (long)json_array_size(rows) > size) {
		snprintf(next, sizeof next, "%ld", off + size);
		json_object_set_new(out, "next_page_token", json_string(next));
	}
	sim_ok(c, 200, out);
	json_decref(rows);
	json_decref(p);
done:
	free(appid);
	free(state);
	free(pcid);
	free(sid);
	free(ps);
	free(tok);
}

/* The SEND notification of a new coupon, if the mode has a URL. */
static void
notify_send(struct sim_ctx *c, int brand, json_t *row)
{
	struct sim *s = c->s;
	char *url = sim_pc_notify_url(s, brand), *txt, t1[40], t2[40], t3[40];
	json_t *pt;

	if (url == NULL)
		return;
	pt = json_pack("{s:s,s:O,s:O,s:O,s:O,s:O,s:s,s:s,s:O,s:O,s:s,s:s}",
		"brand_id", s->ids.brand_id, "coupon_code",
		json_object_get(row, "code"), "product_coupon_id",
		json_object_get(row, "product_coupon_id"), "stock_id",
		json_object_get(row, "stock_id"), "appid",
		json_object_get(row, "appid"), "openid",
		json_object_get(row, "openid"), "unionid",
		"o-SIMunion0000000000000000001", "receive_time",
		sim_rfc3339(json_integer_value(json_object_get(row,
		"receive_time")), t1, sizeof t1), "send_request_no",
		json_object_get(row, "send_request_no"), "send_channel",
		json_object_get(row, "send_channel"), "valid_begin_time",
		sim_rfc3339(json_integer_value(json_object_get(row,
		"valid_begin")), t2, sizeof t2), "valid_end_time",
		sim_rfc3339(json_integer_value(json_object_get(row,
		"valid_end")), t3, sizeof t3));
	if (json_is_string(json_object_get(row, "attach")))
		json_object_set(pt, "attach", json_object_get(row, "attach"));
	txt = json_dumps(pt, JSON_COMPACT);
	if (brand)
		sim_callback_queue_env(s, url, "PRODUCT_COUPON.SEND",
			"商品券领券通知", "product_coupon", s->brand_apikey,
			"product_coupon", txt, json_string_value(
			json_object_get(row, "code")), json_string_value(
			json_object_get(row, "stock_id")), 1);
	else
		sim_callback_queue_env(s, url, "PRODUCT_COUPON_SP.SEND",
			"商品券领券通知", "coupon", s->apiv3,
			"product_coupon_sp", txt, json_string_value(
			json_object_get(row, "code")), json_string_value(
			json_object_get(row, "stock_id")), 0);
	free(txt);
	json_decref(pt);
	free(url);
}

/* POST …/users/{openid}/coupons: a new CONFIRMING coupon (and its SEND
 * notification). */
static void
coupon_send(struct sim_ctx *c, int brand, const char *openid)
{
	static const char stk[] =
		"SELECT s.state, s.body, p.body AS pbody FROM pc_stocks s JOIN "
		"pc_products p USING(product_coupon_id) WHERE s.stock_id = ?1 "
		"AND s.product_coupon_id = ?2";
	static const char mine[] =
		"SELECT count(*) AS n FROM pc_coupons WHERE stock_id = ?1 AND "
		"openid = ?2";
	static const char ins[] =
		"INSERT INTO pc_coupons(code, stock_id, product_coupon_id, "
		"openid, appid, state, send_request_no, send_channel, "
		"receive_time, valid_begin, valid_end, attach) VALUES (?1, ?2, "
		"?3, ?4, ?5, 'CONFIRMING', ?6, 'API', ?7, ?7, ?8, ?9)";
	static const char back[] =
		"SELECT rowid AS id, * FROM pc_coupons WHERE code = ?1 AND "
		"stock_id = ?2";
	struct sim *s = c->s;
	const char *pcid, *sid, *appid, *reqno, *code = NULL, *attach = NULL;
	char gen[40], *pb = NULL;
	json_t *r = NULL, *p, *sb = NULL, *row = NULL;
	json_error_t je;
	int64_t end = c->now + 30 * DAY, pend;

	if (ids(c, &pcid, &sid, &appid, "send_request_no", 128, &reqno) != 0 ||
	    sim_str(c, c->body, "coupon_code", 0, 40, &code) != 0 ||
	    sim_str(c, c->body, "attach", 0, 150, &attach) != 0)
		return;
	if (code != NULL && strspn(code, "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
	    "abcdefghijklmnopqrstuvwxyz_-") != strlen(code)) {
		sim_err_field(c, "coupon_code", "must be of [0-9A-Za-z_-]");
		return;
	}
	pthread_mutex_lock(&s->mu);
	simdb_begin(s->db);
	if (replayed(c, "send", reqno))
		goto out;
	p = json_pack("[ss]", sid, pcid);
	r = simdb_row(s->db, stk, p);
	json_decref(p);
	if (r == NULL) {
		ST_ERR(c, 268578608, "当前访问对象不存在");
		goto out;
	}
	if (strcmp(json_string_value(json_object_get(r, "state")),
	    "SENDING") != 0) {
		ST_ERR(c, 268577984, "商品券批次状态不是发放中");
		goto out;
	}
	pb = xstrdup(json_string_value(json_object_get(r, "pbody")));
	if (strstr(pb, "PROGRESSIVE_BUNDLE") != NULL) {
		ST_ERR(c, 0, "多次优惠商品券请使用发放用户商品券组接口");
		goto out;
	}
	sb = json_loads(json_string_value(json_object_get(r, "body")), 0, &je);
	if (tm_parse_rfc3339(json_string_value(json_object_get(
	    json_object_get(json_object_get(sb, "single_usage_rule"),
	    "coupon_available_period"), "available_end_time")) ?: "",
	    &pend) == 0 && pend < end)
		end = pend;
	p = json_pack("[ss]", sid, openid);
	json_decref(r);
	r = simdb_row(s->db, mine, p);
	json_decref(p);
	if (r != NULL && json_integer_value(json_object_get(r, "n")) >=
	    json_integer_value(json_object_get(json_object_get(sb,
	    "stock_send_rule"), "max_count_per_user"))) {
		ST_ERR(c, 272756740, "用户领取券张数已达上限");
		goto out;
	}
	if (code == NULL || *code == '\0') {
		snprintf(gen, sizeof gen, "SIMPC%012llu",
			(unsigned long long)(sim_rnd64() % 1000000000000ULL));
		code = gen;
	}
	p = json_pack("[ssssssIIo]", code, sid, pcid, openid, appid, reqno,
		(json_int_t)c->now, (json_int_t)end, attach ?
		json_string(attach) : json_null());
	if (simdb_run(s->db, ins, p, NULL) != 0) {
		json_decref(p);
		sim_pc_err(c, 400, "ALREADY_EXISTS", "券code已存在", 0);
		goto out;
	}
	json_decref(p);
	p = json_pack("[ss]", code, sid);
	row = simdb_row(s->db, back, p);
	json_decref(p);
	if (row == NULL) {
		sim_pc_err(c, 500, "SYSTEM_ERROR", "系统错误", 0);
		goto out;
	}
	sim_ok(c, 200, sim_pc_entity(s, row, brand));
	remember(c, "send", reqno);
	notify_send(c, brand, row);
out:
	if (c->status >= 200 && c->status < 300)
		simdb_commit(s->db);
	else
		simdb_rollback(s->db);
	pthread_mutex_unlock(&s->mu);
	json_decref(r);
	json_decref(sb);
	json_decref(row);
	free(pb);
}

/* ---- routing ---------------------------------------------------------- */

static int
seg_is(struct sim_ctx *c, int i, const char *s)
{
	return i < c->nseg && strcmp(c->seg[i], s) == 0;
}

/* Partner mode: brand_id in the body (POST) or the query (GET), and the
 * brand must have authorised this partner. 0 ok, -1 answered. */
static int
partner_brand(struct sim_ctx *c)
{
	char *q = NULL;
	const char *b = NULL;
	int rc = 0;

	if (strcmp(c->method, "GET") == 0) {
		c->loc = "query";
		b = q = httpd_query_get(c->query, "brand_id");
	} else {
		c->loc = "body";
		if (sim_str(c, c->body, "brand_id", 0, 32, &b) != 0)
			return -1;
	}
	if (b == NULL || *b == '\0') {
		sim_err_field(c, "brand_id", "is required");
		rc = -1;
	} else if (strcmp(b, c->s->ids.brand_id) != 0) {
		sim_pc_err(c, 403, "NO_AUTH", "服务商没有此接口权限", 268579803);
		rc = -1;
	}
	free(q);
	return rc;
}

int
sim_pc_route(struct sim_ctx *c, int brand)
{
	int k = brand ? 3 : 4, n;
	const char *m = c->method;

	if (brand ? !(seg_is(c, 0, "brand") && seg_is(c, 1, "marketing") &&
	    seg_is(c, 2, "product-coupon")) : !(seg_is(c, 0, "v3") &&
	    seg_is(c, 1, "marketing") && seg_is(c, 2, "partner") &&
	    seg_is(c, 3, "product-coupon")))
		return QUAN_ENOTFOUND;
	n = c->nseg - k;
	if (n < 1)
		return QUAN_ENOTFOUND;
	if (c->s->ids.brand_id[0] == '\0') {
		sim_err(c, 404, "NOT_FOUND", "this simulator DIR predates "
			"product coupons: run quan sim init --force");
		return 0;
	}
	/* the notify URL is the partner's, for all its brands (§4.7) */
	if (!brand && !seg_is(c, k, "notify-configs") && partner_brand(c) != 0)
		return 0;
	if (!seg_is(c, k, "users") || n < 3 || !seg_is(c, k + 2, "coupons"))
		return sim_pc_defs_route(c, brand, k);
	if (n == 3 && strcmp(m, "POST") == 0) {
		sim_pc_route_name(c, brand, "users/{openid}/coupons");
		coupon_send(c, brand, c->seg[k + 1]);
	} else if (n == 3 && strcmp(m, "GET") == 0) {
		sim_pc_route_name(c, brand, "users/{openid}/coupons");
		coupon_list(c, brand, c->seg[k + 1]);
	} else if (n == 4 && strcmp(m, "GET") == 0) {
		sim_pc_route_name(c, brand, "users/{openid}/coupons/{code}");
		coupon_get(c, brand, c->seg[k + 1], c->seg[k + 3]);
	} else if (n == 5 && strcmp(m, "POST") == 0 && (seg_is(c, k + 4,
	    "use") || seg_is(c, k + 4, "return") || seg_is(c, k + 4,
	    "deactivate") || seg_is(c, k + 4, "confirm"))) {
		char tmpl[64];

		snprintf(tmpl, sizeof tmpl, "users/{openid}/coupons/{code}/%.16s",
			c->seg[k + 4]);
		sim_pc_route_name(c, brand, tmpl);
		coupon_op(c, brand, c->seg[k + 4], c->seg[k + 1],
			c->seg[k + 3]);
	} else {
		return QUAN_ENOTFOUND;
	}
	return 0;
}
