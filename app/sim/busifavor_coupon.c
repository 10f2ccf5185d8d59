/*
 * busifavor_coupon.c — a merchant coupon's life in the simulator:
 * send, use, return, deactivate, associate, a user's coupons, and the
 * callbacks URL. Every handler takes s->mu around its database work.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crypto/crypto.h"
#include "net/httpd.h"
#include "sim/sim_int.h"
#include "sim/busifavor_int.h"
#include "util/err.h"
#include "util/log.h"
#include "util/tm.h"
#include "util/xmem.h"

/* ---- send ------------------------------------------------------------- */

void
sim_bf_coupon_send(struct sim_ctx *c)
{
	static const char by_req[] =
		"SELECT code FROM coupons WHERE stock_id = ?1 AND openid = ?2 "
		"AND send_request_no = ?3";
	static const char per_user[] =
		"SELECT count(*) AS n FROM coupons WHERE stock_id = ?1 AND "
		"openid = ?2";
	static const char total[] =
		"SELECT count(*) AS n FROM coupons WHERE stock_id = ?1";
	static const char pick[] =
		"SELECT code FROM upload_codes WHERE stock_id = ?1 AND "
		"status = 'AVAILABLE' ORDER BY upload_time, code LIMIT 1";
	static const char dispatch[] =
		"UPDATE upload_codes SET status = 'DISPATCHED', "
		"dispatched_time = ?3, openid = ?4 WHERE stock_id = ?1 AND "
		"code = ?2";
	static const char exists[] =
		"SELECT 1 AS x FROM coupons WHERE code = ?1";
	static const char ins[] =
		"INSERT INTO coupons(code, stock_id, openid, appid, state, "
		"send_request_no, receive_time, start_time, expire_time) "
		"VALUES (?1, ?2, ?3, ?4, 'SENDED', ?5, ?6, ?7, ?8)";
	struct sim *s = c->s;
	const char *openid, *appid, *sid, *orn, *code = NULL, *mode;
	json_t *row = NULL, *r, *p, *sb = NULL;
	char gen[40];
	char *chosen = NULL;
	int64_t start, expire;
	int i;

	sim_bf_route(c, BF "/coupons/send");
	if (sim_str(c, c->body, "openid", 1, 128, &openid) ||
	    sim_str(c, c->body, "appid", 1, 32, &appid) ||
	    sim_str(c, c->body, "stock_id", 1, 20, &sid) ||
	    sim_str(c, c->body, "out_request_no", 1, 128, &orn) ||
	    sim_str(c, c->body, "coupon_code", 0, 32, &code))
		return;
	if (strcmp(appid, s->ids.appid) != 0) {
		sim_err(c, 400, "APPID_MCHID_NOT_MATCH",
			"appid与商户号不匹配");
		return;
	}
	pthread_mutex_lock(&s->mu);
	if (sim_bf_tx_begin(c) != 0)
		goto out;
	row = sim_bf_load_stock(s, sid);
	if (row == NULL) {
		sim_err(c, 404, "RESOURCE_NOT_EXISTS", "批次不存在");
		goto out;
	}
	mode = json_string_value(json_object_get(row, "code_mode"));
	p = json_pack("[sss]", sid, openid, orn);
	r = simdb_row(s->db, by_req, p);
	json_decref(p);
	if (r != NULL) {
		/* same out_request_no for this user: the original result */
		const char *cc = json_string_value(json_object_get(r, "code"));

		sim_ok(c, 200, json_pack("{s:{s:s,s:s,s:s},s:s,s:s,s:s}",
			"send_coupon_result", "stock_id", sid,
			"out_request_no", orn, "coupon_code", cc,
			"stock_id", sid, "out_request_no", orn,
			"coupon_code", cc));
		json_decref(r);
		goto out;
	}
	if (strcmp(json_string_value(json_object_get(row, "state")),
	    "RUNNING") != 0) {
		sim_err(c, 400, "INVALID_REQUEST", "批次不在发放状态");
		goto out;
	}
	if (strcmp(mode, "MERCHANT_API") == 0 && code == NULL) {
		sim_err_field(c, "coupon_code",
			"is required for MERCHANT_API stocks");
		goto out;
	}
	if (strcmp(mode, "MERCHANT_API") != 0 && code != NULL) {
		sim_err_field(c, "coupon_code",
			"is only allowed for MERCHANT_API stocks");
		goto out;
	}
	if (code != NULL && !sim_bf_code_chars_ok(code)) {
		sim_err_field(c, "coupon_code", "has characters not allowed");
		goto out;
	}
	sb = sim_bf_stock_body(row);
	p = json_pack("[ss]", sid, openid);
	r = simdb_row(s->db, per_user, p);
	json_decref(p);
	if (json_integer_value(json_object_get(r, "n")) >=
	    json_integer_value(json_object_get(json_object_get(sb,
	    "stock_send_rule"), "max_coupons_per_user"))) {
		json_decref(r);
		sim_err(c, 403, "RULE_LIMIT", "用户领券已达上限");
		goto out;
	}
	json_decref(r);
	p = json_pack("[s]", sid);
	r = simdb_row(s->db, total, p);
	json_decref(p);
	if (json_integer_value(json_object_get(r, "n")) >=
	    json_integer_value(json_object_get(json_object_get(sb,
	    "stock_send_rule"), "max_coupons"))) {
		json_decref(r);
		sim_err(c, 403, "RULE_LIMIT", "批次已发完");
		goto out;
	}
	json_decref(r);
	if (strcmp(mode, "MERCHANT_UPLOAD") == 0) {
		p = json_pack("[s]", sid);
		r = simdb_row(s->db, pick, p);
		json_decref(p);
		if (r == NULL) {
			sim_err(c, 400, "INVALID_REQUEST",
				"预存code已用完，请上传更多code");
			goto out;
		}
		chosen = xstrdup(json_string_value(json_object_get(r,
			"code")));
		json_decref(r);
		p = json_pack("[ssIs]", sid, chosen, (json_int_t)c->now,
			openid);
		simdb_run(s->db, dispatch, p, NULL);
		json_decref(p);
	} else if (strcmp(mode, "WECHATPAY_MODE") == 0) {
		for (i = 0; i < 10; i++) {
			gen[0] = '1';
			sim_rand_digits(gen + 1, 21);
			p = json_pack("[s]", gen);
			r = simdb_row(s->db, exists, p);
			json_decref(p);
			if (r == NULL)
				break;
			json_decref(r);
		}
		chosen = xstrdup(gen);
	} else {
		chosen = xstrdup(code);
	}
	sim_coupon_window(sb, c->now, &start, &expire);
	p = json_pack("[sssssIII]", chosen, sid, openid, appid, orn,
		(json_int_t)c->now, (json_int_t)start, (json_int_t)expire);
	if (simdb_run(s->db, ins, p, NULL) != 0) {
		json_decref(p);
		sim_err(c, 400, "RESOURCE_ALREADY_EXISTS", "券码已存在");
		goto out;
	}
	json_decref(p);
	sim_callback_queue(s, chosen, sid, openid, c->now,
		"BUSICOUPON_SEND_CHANNEL_API");
	sim_ok(c, 200, json_pack("{s:{s:s,s:s,s:s},s:s,s:s,s:s}",
		"send_coupon_result", "stock_id", sid, "out_request_no", orn,
		"coupon_code", chosen, "stock_id", sid, "out_request_no", orn,
		"coupon_code", chosen));
out:
	sim_bf_tx_end(c);
	free(chosen);
	json_decref(sb);
	json_decref(row);
}

/* ---- use -------------------------------------------------------------- */

/* Find a coupon by code and optional stock id (WECHATPAY_MODE codes are
 * unique on their own). Caller holds mu. */
static json_t *
find_coupon(struct sim *s, const char *code, const char *sid)
{
	static const char by_both[] =
		"SELECT c.*, s.body AS stock_body, s.code_mode AS code_mode, "
		"s.state AS stock_state FROM coupons c JOIN stocks s "
		"ON s.stock_id = c.stock_id WHERE c.code = ?1 AND "
		"c.stock_id = ?2";
	static const char by_code[] =
		"SELECT c.*, s.body AS stock_body, s.code_mode AS code_mode, "
		"s.state AS stock_state FROM coupons c JOIN stocks s "
		"ON s.stock_id = c.stock_id WHERE c.code = ?1 AND "
		"s.code_mode = 'WECHATPAY_MODE'";
	json_t *p, *r;

	if (sid != NULL) {
		p = json_pack("[ss]", code, sid);
		r = simdb_row(s->db, by_both, p);
	} else {
		p = json_pack("[s]", code);
		r = simdb_row(s->db, by_code, p);
	}
	json_decref(p);
	return r;
}

static int
rate_ok(struct sim *s, int64_t now)
{
	if (s->use_qps <= 0)
		return 1;
	if (s->qps_sec != now) {
		s->qps_sec = now;
		s->qps_n = 0;
	}
	return ++s->qps_n <= s->use_qps;
}

void
sim_bf_coupon_use(struct sim_ctx *c)
{
	static const char upd[] =
		"UPDATE coupons SET state = 'USED', use_request_no = ?3, "
		"use_time = ?4, use_key = ?5, use_resp = ?6, used_at = ?7 "
		"WHERE code = ?1 AND stock_id = ?2 AND state = 'SENDED'";
	static const char led[] =
		"INSERT INTO ledger(at, kind, code, ref, request_no) "
		"VALUES (?1, 'use', ?2, ?3, ?4)";
	struct sim *s = c->s;
	const char *code, *sid, *appid, *urn, *openid, *ut;
	const char *state, *mode, *msg;
	int64_t use_t;
	json_t *row = NULL, *key, *sb = NULL, *p;
	char *keytxt = NULL, *resptxt = NULL, t[40];

	sim_bf_route(c, BF "/coupons/use");
	if (sim_str(c, c->body, "coupon_code", 1, 32, &code) ||
	    sim_str(c, c->body, "stock_id", 0, 20, &sid) ||
	    sim_str(c, c->body, "appid", 1, 32, &appid) ||
	    sim_str(c, c->body, "use_time", 1, 64, &ut) ||
	    sim_time(c, c->body, "use_time", 1, &use_t) ||
	    sim_str(c, c->body, "use_request_no", 1, 128, &urn) ||
	    sim_str(c, c->body, "openid", 0, 128, &openid))
		return;
	if (strcmp(appid, s->ids.appid) != 0) {
		sim_err(c, 400, "APPID_MCHID_NOT_MATCH",
			"appid与商户号不匹配");
		return;
	}
	if (use_t > c->now + 300) {
		sim_err_field(c, "use_time", "is in the future");
		return;
	}
	key = json_pack("{s:s,s:s,s:s,s:s,s:s,s:s}", "coupon_code", code,
		"stock_id", sid ? sid : "", "appid", appid, "use_time", ut,
		"use_request_no", urn, "openid", openid ? openid : "");
	keytxt = json_dumps(key, JSON_COMPACT | JSON_SORT_KEYS);
	json_decref(key);

	pthread_mutex_lock(&s->mu);
	if (!rate_ok(s, c->now)) {
		sim_err(c, 429, "FREQUENCY_LIMITED",
			"核销频率超过限制(500QPS)，请稍后再试");
		goto out;
	}
	if (sim_bf_tx_begin(c) != 0)
		goto out;
	row = find_coupon(s, code, sid);
	if (row == NULL) {
		static const char any[] =
			"SELECT s.code_mode AS m FROM coupons c JOIN stocks s "
			"ON s.stock_id = c.stock_id WHERE c.code = ?1 LIMIT 1";
		json_t *q = json_pack("[s]", code), *m;

		m = sid == NULL ? simdb_row(s->db, any, q) : NULL;
		json_decref(q);
		if (m != NULL) {
			json_decref(m);
			sim_err_field(c, "stock_id", "is required for "
				"MERCHANT_API and MERCHANT_UPLOAD stocks");
		} else {
			sim_err(c, 404, "RESOURCE_NOT_EXISTS", "券不存在");
		}
		goto out;
	}
	state = json_string_value(json_object_get(row, "state"));
	mode = json_string_value(json_object_get(row, "code_mode"));
	(void)mode;
	if (openid != NULL && strcmp(openid, json_string_value(
	    json_object_get(row, "openid"))) != 0) {
		sim_err(c, 404, "USER_NOT_EXISTS", "openid与券不匹配");
		goto out;
	}
	if (strcmp(state, "USED") == 0) {
		const char *prev = json_string_value(json_object_get(row,
			"use_request_no"));
		const char *pkey = json_string_value(json_object_get(row,
			"use_key"));

		if (prev != NULL && strcmp(prev, urn) == 0 &&
		    pkey != NULL && strcmp(pkey, keytxt) == 0) {
			/* a replay of the request that redeemed it */
			sim_ok(c, 200, json_loads(json_string_value(
				json_object_get(row, "use_resp")), 0, NULL));
		} else if (prev != NULL && strcmp(prev, urn) == 0) {
			sim_err(c, 400, "INVALID_REQUEST",
				"use_request_no重复但请求参数不一致");
		} else {
			sim_err(c, 400, "RESOURCE_ALREADY_EXISTS",
				"券已被其他订单核销");
		}
		goto out;
	}
	if (strcmp(state, "DEACTIVATED") == 0) {
		sim_err(c, 400, "INVALID_REQUEST", "券已失效，不可核销");
		goto out;
	}
	if (strcmp(state, "DELETED") == 0) {
		sim_err(c, 404, "RESOURCE_NOT_EXISTS", "券已被删除");
		goto out;
	}
	if (strcmp(json_string_value(json_object_get(row, "stock_state")),
	    "RUNNING") != 0) {
		sim_err(c, 403, "RULE_LIMIT", "批次不在可用状态，不可核销");
		goto out;
	}
	sb = json_loads(json_string_value(json_object_get(row,
		"stock_body")) ?: "{}", 0, NULL);
	msg = sim_bf_window_check(sb, json_integer_value(json_object_get(row,
		"start_time")), json_integer_value(json_object_get(row,
		"expire_time")), use_t);
	if (msg == NULL && strcmp(state, "EXPIRED") == 0)
		msg = "券已过期";
	if (msg != NULL) {
		sim_err(c, 403, "RULE_LIMIT", msg);
		goto out;
	}
	sim_ok(c, 200, json_pack("{s:O,s:O,s:s}", "stock_id",
		json_object_get(row, "stock_id"), "openid",
		json_object_get(row, "openid"), "wechatpay_use_time",
		sim_rfc3339(c->now, t, sizeof t)));
	resptxt = json_dumps(c->resp, JSON_COMPACT);
	p = json_pack("[sOssssI]", code, json_object_get(row, "stock_id"),
		urn, ut, keytxt, resptxt, (json_int_t)c->now);
	if (simdb_run(s->db, upd, p, NULL) != 0 ||
	    simdb_changes(s->db) != 1) {
		json_decref(p);
		sim_err(c, 500, "SYSTEM_ERROR", "系统错误");
		goto out;
	}
	json_decref(p);
	p = json_pack("[IsOs]", (json_int_t)c->now, code,
		json_object_get(row, "stock_id"), urn);
	simdb_run(s->db, led, p, NULL);
	json_decref(p);
out:
	sim_bf_tx_end(c);
	free(keytxt);
	free(resptxt);
	json_decref(sb);
	json_decref(row);
}

/* ---- return / deactivate ---------------------------------------------- */

void
sim_bf_coupon_return(struct sim_ctx *c)
{
	static const char upd[] =
		"UPDATE coupons SET state = 'SENDED', return_request_no = ?3, "
		"return_time = ?4, use_key = NULL WHERE code = ?1 AND "
		"stock_id = ?2";
	static const char led[] =
		"INSERT INTO ledger(at, kind, code, ref, request_no) "
		"VALUES (?1, 'return', ?2, ?3, ?4)";
	struct sim *s = c->s;
	const char *code, *sid, *rn, *state, *prev;
	json_t *row = NULL, *p;
	char t[40];

	sim_bf_route(c, BF "/coupons/return");
	if (sim_str(c, c->body, "coupon_code", 1, 32, &code) ||
	    sim_str(c, c->body, "stock_id", 1, 20, &sid) ||
	    sim_str(c, c->body, "return_request_no", 1, 128, &rn))
		return;
	pthread_mutex_lock(&s->mu);
	if (sim_bf_tx_begin(c) != 0)
		goto out;
	row = find_coupon(s, code, sid);
	if (row == NULL) {
		sim_err(c, 404, "RESOURCE_NOT_EXISTS", "券不存在");
		goto out;
	}
	state = json_string_value(json_object_get(row, "state"));
	prev = json_string_value(json_object_get(row, "return_request_no"));
	if (prev != NULL && strcmp(prev, rn) == 0 &&
	    strcmp(state, "SENDED") == 0) {
		sim_ok(c, 200, json_pack("{s:s}", "wechatpay_return_time",
			sim_rfc3339(json_integer_value(json_object_get(row,
			"return_time")), t, sizeof t)));
		goto out;
	}
	if (strcmp(state, "USED") != 0) {
		sim_err(c, 400, "INVALID_REQUEST",
			"券状态不正确，只有已核销的券可以退回");
		goto out;
	}
	p = json_pack("[sssI]", code, sid, rn, (json_int_t)c->now);
	simdb_run(s->db, upd, p, NULL);
	json_decref(p);
	p = json_pack("[Isss]", (json_int_t)c->now, code, sid, rn);
	simdb_run(s->db, led, p, NULL);
	json_decref(p);
	sim_ok(c, 200, json_pack("{s:s}", "wechatpay_return_time",
		sim_rfc3339(c->now, t, sizeof t)));
out:
	sim_bf_tx_end(c);
	json_decref(row);
}

void
sim_bf_coupon_deactivate(struct sim_ctx *c)
{
	static const char upd[] =
		"UPDATE coupons SET state = 'DEACTIVATED', "
		"deactivate_request_no = ?3, deactivate_time = ?4, "
		"deactivate_reason = ?5 WHERE code = ?1 AND stock_id = ?2";
	static const char led[] =
		"INSERT INTO ledger(at, kind, code, ref, request_no) "
		"VALUES (?1, 'deactivate', ?2, ?3, ?4)";
	struct sim *s = c->s;
	const char *code, *sid, *rn, *reason, *state, *prev;
	json_t *row = NULL, *p;
	char t[40];

	sim_bf_route(c, BF "/coupons/deactivate");
	if (sim_str(c, c->body, "coupon_code", 1, 32, &code) ||
	    sim_str(c, c->body, "stock_id", 1, 20, &sid) ||
	    sim_str(c, c->body, "deactivate_request_no", 1, 128, &rn) ||
	    sim_str(c, c->body, "deactivate_reason", 0, 64, &reason))
		return;
	pthread_mutex_lock(&s->mu);
	if (sim_bf_tx_begin(c) != 0)
		goto out;
	row = find_coupon(s, code, sid);
	if (row == NULL) {
		sim_err(c, 404, "RESOURCE_NOT_EXISTS", "券不存在");
		goto out;
	}
	state = json_string_value(json_object_get(row, "state"));
	prev = json_string_value(json_object_get(row,
		"deactivate_request_no"));
	if (strcmp(state, "DEACTIVATED") == 0 && prev != NULL &&
	    strcmp(prev, rn) == 0) {
		sim_ok(c, 200, json_pack("{s:s}", "wechatpay_deactivate_time",
			sim_rfc3339(json_integer_value(json_object_get(row,
			"deactivate_time")), t, sizeof t)));
		goto out;
	}
	if (strcmp(state, "SENDED") != 0) {
		sim_err(c, 400, "INVALID_REQUEST",
			"券状态不正确，只有可用状态的券可以失效");
		goto out;
	}
	p = json_pack("[sssIs]", code, sid, rn, (json_int_t)c->now,
		reason ? reason : "");
	simdb_run(s->db, upd, p, NULL);
	json_decref(p);
	p = json_pack("[Isss]", (json_int_t)c->now, code, sid, rn);
	simdb_run(s->db, led, p, NULL);
	json_decref(p);
	sim_ok(c, 200, json_pack("{s:s}", "wechatpay_deactivate_time",
		sim_rfc3339(c->now, t, sizeof t)));
out:
	sim_bf_tx_end(c);
	json_decref(row);
}

/* POST /coupons/associate and /coupons/disassociate: link a coupon that is
 * still usable to a WeChat Pay order (statistics only). */
void
sim_bf_coupon_associate(struct sim_ctx *c, int on)
{
	static const char upd[] =
		"UPDATE coupons SET associate_out_trade_no = ?3 WHERE "
		"code = ?1 AND stock_id = ?2";
	struct sim *s = c->s;
	const char *code, *sid, *otn, *orn, *cur;
	json_t *row = NULL, *p;
	char t[40];

	sim_bf_route(c,
		on ? BF "/coupons/associate" : BF "/coupons/disassociate");
	if (sim_str(c, c->body, "coupon_code", 1, 32, &code) ||
	    sim_str(c, c->body, "stock_id", 1, 20, &sid) ||
	    sim_str(c, c->body, "out_trade_no", 1, 32, &otn) ||
	    sim_str(c, c->body, "out_request_no", 1, 128, &orn))
		return;
	pthread_mutex_lock(&s->mu);
	row = find_coupon(s, code, sid);
	if (row == NULL) {
		sim_err(c, 404, "RESOURCE_NOT_EXISTS", "券不存在");
		goto out;
	}
	cur = json_string_value(json_object_get(row,
		"associate_out_trade_no"));
	if (on && strcmp(sim_bf_coupon_state(row, c->now), "SENDED") != 0) {
		sim_err(c, 400, "INVALID_REQUEST", "券不是可用状态，不可关联");
		goto out;
	}
	if (!on && (cur == NULL || strcmp(cur, otn) != 0)) {
		sim_err(c, 400, "INVALID_REQUEST", "券未关联该订单");
		goto out;
	}
	p = json_pack("[sso]", code, sid, on ? json_string(otn) :
		json_null());
	simdb_run(s->db, upd, p, NULL);
	json_decref(p);
	sim_ok(c, 200, json_pack("{s:s}", on ? "wechatpay_associate_time" :
		"wechatpay_disassociate_time",
		sim_rfc3339(c->now, t, sizeof t)));
out:
	pthread_mutex_unlock(&s->mu);
	json_decref(row);
}

/* ---- user coupons ----------------------------------------------------- */

void
sim_bf_user_coupon(struct sim_ctx *c, const char *openid, const char *code,
	const char *appid)
{
	static const char sql[] =
		"SELECT c.*, s.body AS stock_body, s.code_mode AS code_mode, "
		"s.state AS stock_state FROM coupons c JOIN stocks s "
		"ON s.stock_id = c.stock_id WHERE c.code = ?1 AND "
		"c.openid = ?2 ORDER BY c.receive_time DESC LIMIT 1";
	struct sim *s = c->s;
	json_t *p, *r;

	sim_bf_route(c,
		BF "/users/{openid}/coupons/{coupon_code}/appids/{appid}");
	if (strcmp(appid, s->ids.appid) != 0) {
		sim_err(c, 400, "APPID_MCHID_NOT_MATCH",
			"appid与商户号不匹配");
		return;
	}
	p = json_pack("[ss]", code, openid);
	pthread_mutex_lock(&s->mu);
	r = simdb_row(s->db, sql, p);
	pthread_mutex_unlock(&s->mu);
	json_decref(p);
	if (r == NULL) {
		sim_err(c, 404, "RESOURCE_NOT_EXISTS", "券不存在");
		return;
	}
	sim_ok(c, 200, sim_bf_coupon_entity(r, c->now));
	json_decref(r);
}

void
sim_bf_user_coupons(struct sim_ctx *c, const char *openid)
{
	static const char sql[] =
		"SELECT c.*, s.body AS stock_body, s.code_mode AS code_mode, "
		"s.state AS stock_state FROM coupons c JOIN stocks s "
		"ON s.stock_id = c.stock_id WHERE c.openid = ?1 AND "
		"(?2 IS NULL OR c.stock_id = ?2) "
		"ORDER BY c.receive_time, c.code";
	struct sim *s = c->s;
	char *appid = httpd_query_get(c->query, "appid");
	char *sid = httpd_query_get(c->query, "stock_id");
	char *state = httpd_query_get(c->query, "coupon_state");
	char *cm = httpd_query_get(c->query, "creator_merchant");
	char *bm = httpd_query_get(c->query, "belong_merchant");
	char *sm = httpd_query_get(c->query, "sender_merchant");
	int64_t limit, offset, i = 0, total = 0;
	json_t *p, *rows = NULL, *data, *x;
	size_t k;

	sim_bf_route(c, BF "/users/{openid}/coupons");
	c->loc = "query";
	if (sim_bf_query_int(c, "limit", 20, 1, 50, &limit) ||
	    sim_bf_query_int(c, "offset", 0, 0, 1000000000, &offset))
		goto out;
	if (appid == NULL || *appid == '\0') {
		sim_err_field(c, "appid", "is required");
		goto out;
	}
	if (strcmp(appid, s->ids.appid) != 0) {
		sim_err(c, 400, "APPID_MCHID_NOT_MATCH",
			"appid与商户号不匹配");
		goto out;
	}
	if (cm == NULL && bm == NULL && sm == NULL) {
		sim_err_field(c, "creator_merchant",
			"one of creator_merchant, belong_merchant, "
			"sender_merchant is required");
		goto out;
	}
	if (state != NULL && !sim_bf_in_list(state, sim_bf_coupon_states)) {
		sim_err_field(c, "coupon_state", "has an unknown value");
		goto out;
	}
	p = json_pack("[so]", openid, sid ? json_string(sid) : json_null());
	pthread_mutex_lock(&s->mu);
	simdb_run(s->db, sql, p, &rows);
	pthread_mutex_unlock(&s->mu);
	json_decref(p);
	data = json_array();
	json_array_foreach(rows, k, x) {
		if (state != NULL && strcmp(sim_bf_coupon_state(x, c->now),
		    state) != 0)
			continue;
		total++;
		if (i++ < offset * limit || (int64_t)json_array_size(data) >=
		    limit)
			continue;
		json_array_append_new(data, sim_bf_coupon_entity(x, c->now));
	}
	sim_ok(c, 200, json_pack("{s:o,s:I,s:I,s:I}", "data", data,
		"total_count", (json_int_t)total, "limit", (json_int_t)limit,
		"offset", (json_int_t)offset));
out:
	json_decref(rows);
	free(appid);
	free(sid);
	free(state);
	free(cm);
	free(bm);
	free(sm);
}

/* ---- callbacks URL ---------------------------------------------------- */

void
sim_bf_callbacks(struct sim_ctx *c)
{
	static const char put[] =
		"INSERT INTO meta(k, v) VALUES ('notify_url', ?1) "
		"ON CONFLICT(k) DO UPDATE SET v = excluded.v";
	static const char get[] =
		"SELECT v FROM meta WHERE k = 'notify_url'";
	struct sim *s = c->s;
	const char *url, *mchid;
	json_t *p, *r;
	char t[40];

	sim_bf_route(c, BF "/callbacks");
	if (sim_bf_is_post(c)) {
		if (sim_str(c, c->body, "notify_url", 1, 256, &url) ||
		    sim_str(c, c->body, "mchid", 0, 15, &mchid))
			return;
		if (strncmp(url, "https://", 8) != 0 ||
		    strchr(url, '?') != NULL || strlen(url) < 9) {
			sim_err_field(c, "notify_url",
				"must be an https URL without a query string");
			return;
		}
		if (mchid != NULL && strcmp(mchid, s->ids.mchid) != 0) {
			sim_err(c, 403, "NO_AUTH",
				"抱歉，您无权限操作目标商户");
			return;
		}
		p = json_pack("[s]", url);
		pthread_mutex_lock(&s->mu);
		simdb_run(s->db, put, p, NULL);
		pthread_mutex_unlock(&s->mu);
		json_decref(p);
		sim_ok(c, 200, json_pack("{s:s,s:s,s:s}", "update_time",
			sim_rfc3339(c->now, t, sizeof t), "notify_url", url,
			"mchid", s->ids.mchid));
		return;
	}
	if (!sim_bf_is_get(c)) {
		sim_err(c, 405, "NOT_FOUND", "方法不支持");
		return;
	}
	{
		char *m = httpd_query_get(c->query, "mchid");
		int bad = m != NULL && strcmp(m, s->ids.mchid) != 0;

		free(m);
		if (bad) {
			sim_err(c, 403, "NO_AUTH",
				"抱歉，您无权限操作目标商户");
			return;
		}
	}
	pthread_mutex_lock(&s->mu);
	r = simdb_row(s->db, get, NULL);
	pthread_mutex_unlock(&s->mu);
	if (r == NULL) {
		sim_err(c, 404, "RESOURCE_NOT_EXISTS", "未设置回调地址");
		return;
	}
	sim_ok(c, 200, json_pack("{s:s,s:O}", "mchid", s->ids.mchid,
		"notify_url", json_object_get(r, "v")));
	json_decref(r);
}
