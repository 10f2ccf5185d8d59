/*
 * busifavor_stock.c — the simulator's merchant-coupon stocks: create,
 * get, patch, budget, and their pre-stored codes (upload, list, detail,
 * delete). Every handler takes s->mu around its database work.
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

/* ---- stocks ----------------------------------------------------------- */

static int
check_coupon_rule(struct sim_ctx *c, json_t *rule, const char *type)
{
	json_t *cat, *x;
	int64_t b = 0, e = 0, v;
	const char *um, *key;

	if (sim_bf_obj_field(c, rule, "coupon_available_time", 1, &cat) != 0 ||
	    sim_time(c, cat, "available_begin_time", 1, &b) != 0 ||
	    sim_time(c, cat, "available_end_time", 1, &e) != 0)
		return -1;
	if (e <= b) {
		sim_err_field(c, "available_end_time",
			"must be after available_begin_time");
		return -1;
	}
	if (e - b > 366 * 86400) {
		sim_err_field(c, "available_end_time",
			"a stock may span at most one year");
		return -1;
	}
	if (sim_int(c, cat, "available_day_after_receive", 0, 1, 365, &v) ||
	    sim_int(c, cat, "wait_days_after_receive", 0, 0, 30, &v))
		return -1;
	key = strcmp(type, "NORMAL") == 0 ? "fixed_normal_coupon" :
		strcmp(type, "DISCOUNT") == 0 ? "discount_coupon" :
		"exchange_coupon";
	if (sim_bf_obj_field(c, rule, key, 1, &x) != 0)
		return -1;
	if (strcmp(type, "NORMAL") == 0) {
		if (sim_int(c, x, "discount_amount", 1, 1, 10000000, &v) ||
		    sim_int(c, x, "transaction_minimum", 1, 1, 10000000, &v))
			return -1;
	} else if (strcmp(type, "DISCOUNT") == 0) {
		if (sim_int(c, x, "discount_percent", 1, 1, 99, &v) ||
		    sim_int(c, x, "transaction_minimum", 1, 1, 10000000, &v))
			return -1;
	} else {
		if (sim_int(c, x, "exchange_price", 1, 0, 10000000, &v) ||
		    sim_int(c, x, "transaction_minimum", 1, 1, 10000000, &v))
			return -1;
	}
	if (sim_bf_enum_field(c, rule, "use_method", 1, sim_bf_use_methods,
		&um) != 0)
		return -1;
	return 0;
}

void
sim_bf_stock_create(struct sim_ctx *c)
{
	static const char ins[] =
		"INSERT INTO stocks(stock_id, out_request_no, code_mode, state,"
		" body, created) VALUES (?1, ?2, ?3, 'RUNNING', ?4, ?5)";
	static const char by_req[] =
		"SELECT stock_id, created FROM stocks "
		"WHERE out_request_no = ?1";
	static const char next[] =
		"SELECT count(*) AS n FROM stocks";
	struct sim *s = c->s;
	json_t *b = c->body, *rule, *send, *r, *p;
	const char *name, *bm, *goods, *type, *mode, *orn, *cm;
	int64_t v;
	char id[32], t[40], *txt;

	sim_bf_route(c, BF "/stocks");
	if (sim_str(c, b, "stock_name", 1, 21, &name) ||
	    sim_str(c, b, "belong_merchant", 1, 15, &bm) ||
	    sim_str(c, b, "comment", 0, 20, &cm) ||
	    sim_str(c, b, "goods_name", 1, 15, &goods) ||
	    sim_bf_enum_field(c, b, "stock_type", 1, sim_bf_stock_types,
		&type) ||
	    sim_bf_obj_field(c, b, "coupon_use_rule", 1, &rule) ||
	    check_coupon_rule(c, rule, type) ||
	    sim_bf_obj_field(c, b, "stock_send_rule", 1, &send) ||
	    sim_int(c, send, "max_coupons", 1, 1, 1000000000, &v) ||
	    sim_int(c, send, "max_coupons_per_user", 1, 1, 100, &v) ||
	    sim_str(c, b, "out_request_no", 1, 128, &orn) ||
	    sim_bf_enum_field(c, b, "coupon_code_mode", 1, sim_bf_code_modes,
		&mode))
		return;
	if (strcmp(bm, s->ids.mchid) != 0) {
		sim_err(c, 403, "NO_AUTH", "抱歉，您无权限操作目标商户");
		return;
	}
	pthread_mutex_lock(&s->mu);
	p = json_pack("[s]", orn);
	r = simdb_row(s->db, by_req, p);
	json_decref(p);
	if (r != NULL) {
		json_decref(r);
		pthread_mutex_unlock(&s->mu);
		sim_err(c, 400, "RESOURCE_ALREADY_EXISTS", "批次已存在");
		return;
	}
	r = simdb_row(s->db, next, NULL);
	snprintf(id, sizeof id, "%lld", 1288000000000LL +
		(long long)json_integer_value(json_object_get(r, "n")) + 1);
	json_decref(r);
	txt = json_dumps(b, JSON_COMPACT);
	p = json_pack("[ssssI]", id, orn, mode, txt, (json_int_t)c->now);
	if (simdb_run(s->db, ins, p, NULL) != 0) {
		pthread_mutex_unlock(&s->mu);
		json_decref(p);
		free(txt);
		sim_err(c, 500, "SYSTEM_ERROR", "系统错误");
		return;
	}
	pthread_mutex_unlock(&s->mu);
	json_decref(p);
	free(txt);
	sim_ok(c, 200, json_pack("{s:s,s:s}", "stock_id", id, "create_time",
		sim_rfc3339(c->now, t, sizeof t)));
}

void
sim_bf_stock_get(struct sim_ctx *c, const char *id)
{
	struct sim *s = c->s;
	json_t *row;

	sim_bf_route(c, BF "/stocks/{stock_id}");
	pthread_mutex_lock(&s->mu);
	row = sim_bf_load_stock(s, id);
	if (row == NULL) {
		pthread_mutex_unlock(&s->mu);
		sim_err(c, 404, "RESOURCE_NOT_EXISTS", "批次不存在");
		return;
	}
	sim_ok(c, 200, sim_stock_object(s, row));
	pthread_mutex_unlock(&s->mu);
	json_decref(row);
}

void
sim_bf_stock_patch(struct sim_ctx *c, const char *id)
{
	static const char upd[] =
		"UPDATE stocks SET body = ?2 WHERE stock_id = ?1";
	static const char *const top[] = {"custom_entrance", "stock_name",
		"comment", "goods_name", "display_pattern_info",
		"notify_config", "subsidy", NULL};
	struct sim *s = c->s;
	json_t *b = c->body, *row, *body, *x, *p;
	const char *v, *const *k;
	char *txt;

	sim_bf_route(c, BF "/stocks/{stock_id}");
	if (sim_str(c, b, "out_request_no", 1, 128, &v) ||
	    sim_str(c, b, "stock_name", 0, 21, &v) ||
	    sim_str(c, b, "comment", 0, 20, &v) ||
	    sim_str(c, b, "goods_name", 0, 15, &v))
		return;
	x = json_object_get(b, "coupon_use_rule");
	if (x != NULL && (!json_is_object(x) || sim_bf_enum_field(c, x,
	    "use_method", 0, sim_bf_use_methods, &v) != 0)) {
		if (!json_is_object(x))
			sim_err_field(c, "coupon_use_rule",
				"must be an object");
		return;
	}
	pthread_mutex_lock(&s->mu);
	row = sim_bf_load_stock(s, id);
	if (row == NULL) {
		pthread_mutex_unlock(&s->mu);
		sim_err(c, 404, "RESOURCE_NOT_EXISTS", "批次不存在");
		return;
	}
	body = sim_bf_stock_body(row);
	for (k = top; *k; k++)
		if ((x = json_object_get(b, *k)) != NULL)
			json_object_set(body, *k, x);
	if ((x = json_object_get(b, "coupon_use_rule")) != NULL)
		json_object_update_existing(json_object_get(body,
			"coupon_use_rule"), x);
	if ((x = json_object_get(b, "stock_send_rule")) != NULL &&
	    json_is_object(x)) {
		json_t *sr = json_object_get(body, "stock_send_rule");
		json_t *y;

		if ((y = json_object_get(x, "natural_person_limit")))
			json_object_set(sr, "natural_person_limit", y);
		if ((y = json_object_get(x, "prevent_api_abuse")))
			json_object_set(sr, "prevent_api_abuse", y);
	}
	txt = json_dumps(body, JSON_COMPACT);
	p = json_pack("[ss]", id, txt);
	simdb_run(s->db, upd, p, NULL);
	pthread_mutex_unlock(&s->mu);
	json_decref(p);
	free(txt);
	json_decref(body);
	json_decref(row);
	sim_ok(c, 204, NULL);
}

/* ---- pre-stored codes ------------------------------------------------- */

int
sim_bf_code_chars_ok(const char *s)
{
	for (; *s; s++)
		if (!((*s >= '0' && *s <= '9') || (*s >= 'a' && *s <= 'z') ||
		    (*s >= 'A' && *s <= 'Z') || strchr(" -_\\/=|", *s)))
			return 0;
	return 1;
}

void
sim_bf_codes_upload(struct sim_ctx *c, const char *id)
{
	static const char get_req[] =
		"SELECT resp FROM upload_reqs WHERE stock_id=?1 AND "
		"request_no=?2";
	static const char put_req[] =
		"INSERT INTO upload_reqs(stock_id, request_no, resp) "
		"VALUES (?1, ?2, ?3)";
	static const char ins[] =
		"INSERT OR IGNORE INTO upload_codes(stock_id, code, status, "
		"upload_time) VALUES (?1, ?2, 'AVAILABLE', ?3)";
	static const char cnt[] =
		"SELECT count(*) AS n FROM upload_codes WHERE stock_id = ?1";
	struct sim *s = c->s;
	json_t *list = json_object_get(c->body, "coupon_code_list");
	json_t *row, *p, *r, *ok, *fail, *exist, *dup, *seen, *x, *sb;
	const char *rn;
	size_t i;
	json_int_t total, maxc;
	char t[40], *txt;

	sim_bf_route(c, BF "/stocks/{stock_id}/couponcodes");
	if (sim_str(c, c->body, "upload_request_no", 1, 128, &rn))
		return;
	if (!json_is_array(list) || json_array_size(list) < 1 ||
	    json_array_size(list) > 200) {
		sim_err_field(c, "coupon_code_list",
			"must be an array of 1..200 codes");
		return;
	}
	pthread_mutex_lock(&s->mu);
	row = sim_bf_load_stock(s, id);
	if (row == NULL) {
		pthread_mutex_unlock(&s->mu);
		sim_err(c, 404, "RESOURCE_NOT_EXISTS", "批次不存在");
		return;
	}
	if (strcmp(json_string_value(json_object_get(row, "code_mode")),
	    "MERCHANT_UPLOAD") != 0) {
		pthread_mutex_unlock(&s->mu);
		json_decref(row);
		sim_err(c, 400, "INVALID_REQUEST", "发券模式不合法");
		return;
	}
	p = json_pack("[ss]", id, rn);
	r = simdb_row(s->db, get_req, p);
	json_decref(p);
	if (r != NULL) {
		sim_ok(c, 200, json_loads(json_string_value(json_object_get(r,
			"resp")), 0, NULL));
		json_decref(r);
		json_decref(row);
		pthread_mutex_unlock(&s->mu);
		return;
	}
	sb = sim_bf_stock_body(row);
	maxc = json_integer_value(json_object_get(json_object_get(sb,
		"stock_send_rule"), "max_coupons"));
	json_decref(sb);
	p = json_pack("[s]", id);
	r = simdb_row(s->db, cnt, p);
	json_decref(p);
	total = json_integer_value(json_object_get(r, "n"));
	json_decref(r);
	if (maxc > 0 && total + (json_int_t)json_array_size(list) > maxc) {
		pthread_mutex_unlock(&s->mu);
		json_decref(row);
		sim_err(c, 400, "INVALID_REQUEST", "上传的自定义code已达上限");
		return;
	}
	ok = json_array();
	fail = json_array();
	exist = json_array();
	dup = json_array();
	seen = json_object();
	if (simdb_begin(s->db) != 0) {
		pthread_mutex_unlock(&s->mu);
		json_decref(ok);
		json_decref(fail);
		json_decref(exist);
		json_decref(dup);
		json_decref(seen);
		json_decref(row);
		sim_err(c, 500, "SYSTEM_ERROR",
			"系统繁忙，请使用相同参数稍后重新调用");
		return;
	}
	json_array_foreach(list, i, x) {
		const char *code = json_string_value(x);

		if (code == NULL || strlen(code) < 1 || strlen(code) > 32) {
			json_array_append_new(fail, json_pack("{s:s,s:s,s:s}",
				"coupon_code", code ? code : "", "code",
				"LENGTH_LIMIT", "message", "code长度不合法"));
			continue;
		}
		if (!sim_bf_code_chars_ok(code)) {
			json_array_append_new(fail, json_pack("{s:s,s:s,s:s}",
				"coupon_code", code, "code", "CHARACTER_LIMIT",
				"message", "code含有不允许的字符"));
			continue;
		}
		if (json_object_get(seen, code) != NULL) {
			json_array_append(dup, x);
			continue;
		}
		json_object_set_new(seen, code, json_true());
		p = json_pack("[ssI]", id, code, (json_int_t)c->now);
		simdb_run(s->db, ins, p, NULL);
		json_decref(p);
		if (simdb_changes(s->db) == 1)
			json_array_append(ok, x);
		else
			json_array_append(exist, x);
	}
	p = json_pack("[s]", id);
	r = simdb_row(s->db, cnt, p);
	json_decref(p);
	sim_ok(c, 200, json_pack("{s:s,s:I,s:I,s:O,s:s,s:I,s:O,s:O,s:O}",
		"stock_id", id, "total_count",
		json_integer_value(json_object_get(r, "n")),
		"success_count", (json_int_t)json_array_size(ok),
		"success_codes", ok, "success_time",
		sim_rfc3339(c->now, t, sizeof t),
		"fail_count", (json_int_t)json_array_size(fail),
		"fail_codes", fail, "exist_codes", exist,
		"duplicate_codes", dup));
	json_decref(r);
	txt = json_dumps(c->resp, JSON_COMPACT);
	p = json_pack("[sss]", id, rn, txt);
	simdb_run(s->db, put_req, p, NULL);
	simdb_commit(s->db);
	pthread_mutex_unlock(&s->mu);
	json_decref(p);
	free(txt);
	json_decref(ok);
	json_decref(fail);
	json_decref(exist);
	json_decref(dup);
	json_decref(seen);
	json_decref(row);
}

static json_t *
code_info(json_t *r)
{
	json_t *o = json_object();

	sim_bf_set_str(o, "code", r, "code");
	sim_bf_set_str(o, "code_status", r, "status");
	sim_bf_set_time(o, "upload_time", r, "upload_time");
	sim_bf_set_time(o, "dispatched_time", r, "dispatched_time");
	sim_bf_set_str(o, "openid", r, "openid");
	sim_bf_set_str(o, "coupon_code", r, "code");
	return o;
}

int
sim_bf_query_int(struct sim_ctx *c, const char *name, int64_t def, int64_t min,
	int64_t max, int64_t *out)
{
	char *v = httpd_query_get(c->query, name), *end;
	long long x;

	*out = def;
	if (v == NULL)
		return 0;
	x = strtoll(v, &end, 10);
	if (*v == '\0' || *end != '\0' || x < min || x > max) {
		c->loc = "query";
		sim_err_field(c, name, "is not a valid number");
		free(v);
		return -1;
	}
	free(v);
	*out = x;
	return 0;
}

void
sim_bf_codes_list(struct sim_ctx *c, const char *id)
{
	static const char sql[] =
		"SELECT * FROM upload_codes WHERE stock_id = ?1 AND "
		"(?2 IS NULL OR status = ?2) ORDER BY upload_time, code "
		"LIMIT ?3 OFFSET ?4";
	static const char cnt[] =
		"SELECT count(*) AS n FROM upload_codes WHERE stock_id = ?1 "
		"AND (?2 IS NULL OR status = ?2)";
	struct sim *s = c->s;
	int64_t limit, offset;
	char *status = httpd_query_get(c->query, "status");
	json_t *p, *rows = NULL, *r, *data, *x, *row;
	size_t i;

	sim_bf_route(c, BF "/stocks/{stock_id}/couponcodes");
	if (sim_bf_query_int(c, "limit", 20, 1, 100, &limit) ||
	    sim_bf_query_int(c, "offset", 0, 0, 1000000000, &offset)) {
		free(status);
		return;
	}
	pthread_mutex_lock(&s->mu);
	row = sim_bf_load_stock(s, id);
	if (row == NULL) {
		pthread_mutex_unlock(&s->mu);
		free(status);
		sim_err(c, 404, "RESOURCE_NOT_EXISTS", "批次不存在");
		return;
	}
	json_decref(row);
	p = json_pack("[sOII]", id, status ? json_string(status) :
		json_null(), (json_int_t)limit, (json_int_t)offset);
	simdb_run(s->db, sql, p, &rows);
	json_array_remove(p, 3);
	json_array_remove(p, 2);
	r = simdb_row(s->db, cnt, p);
	pthread_mutex_unlock(&s->mu);
	json_decref(p);
	data = json_array();
	json_array_foreach(rows, i, x)
		json_array_append_new(data, code_info(x));
	sim_ok(c, 200, json_pack("{s:s,s:I,s:I,s:I,s:o}", "stock_id", id,
		"total_count", json_integer_value(json_object_get(r, "n")),
		"limit", (json_int_t)limit, "offset", (json_int_t)offset,
		"data", data));
	json_decref(r);
	json_decref(rows);
	free(status);
}

void
sim_bf_code_detail(struct sim_ctx *c, const char *id, const char *code)
{
	static const char sql[] =
		"SELECT * FROM upload_codes WHERE stock_id = ?1 AND code = ?2";
	static const char csql[] =
		"SELECT c.*, s.body AS stock_body, s.code_mode AS code_mode, "
		"s.state AS stock_state FROM coupons c JOIN stocks s "
		"ON s.stock_id = c.stock_id WHERE c.stock_id = ?1 AND "
		"c.code = ?2";
	struct sim *s = c->s;
	json_t *p = json_pack("[ss]", id, code), *r, *cr, *o;

	sim_bf_route(c, BF "/stocks/{stock_id}/couponcodes/{coupon_code}");
	pthread_mutex_lock(&s->mu);
	r = simdb_row(s->db, sql, p);
	cr = r ? simdb_row(s->db, csql, p) : NULL;
	pthread_mutex_unlock(&s->mu);
	json_decref(p);
	if (r == NULL) {
		sim_err(c, 404, "RESOURCE_NOT_EXISTS", "券码不存在");
		return;
	}
	o = json_pack("{s:o}", "code_information", code_info(r));
	if (cr != NULL)
		json_object_set_new(o, "coupon_information",
			sim_bf_coupon_entity(cr, c->now));
	sim_ok(c, 200, o);
	json_decref(r);
	json_decref(cr);
}

/* PATCH /stocks/{id}/budget: exactly one target; the matching current_*
 * must equal today's value (WeChat's optimistic check). */
void
sim_bf_stock_budget(struct sim_ctx *c, const char *id)
{
	static const char upd[] =
		"UPDATE stocks SET body = ?2 WHERE stock_id = ?1";
	struct sim *s = c->s;
	json_t *b = c->body, *row, *body, *rule, *p;
	int64_t tmax = 0, tday = 0, cmax = 0, cday = 0;
	const char *rn;
	char *txt;

	sim_bf_route(c, BF "/stocks/{stock_id}/budget");
	if (sim_str(c, b, "modify_budget_request_no", 1, 128, &rn) ||
	    sim_int(c, b, "target_max_coupons", 0, 1, 1000000000, &tmax) ||
	    sim_int(c, b, "target_max_coupons_by_day", 0, 1, 1000000000,
	    &tday) ||
	    sim_int(c, b, "current_max_coupons", 0, 1, 1000000000, &cmax) ||
	    sim_int(c, b, "current_max_coupons_by_day", 0, 1, 1000000000,
	    &cday))
		return;
	if ((tmax > 0) == (tday > 0)) {
		sim_err_field(c, "target_max_coupons",
			"exactly one of target_max_coupons and "
			"target_max_coupons_by_day is required");
		return;
	}
	if (tmax > 0 && cmax == 0) {
		sim_err_field(c, "current_max_coupons", "is required");
		return;
	}
	if (tday > 0 && cday == 0) {
		sim_err_field(c, "current_max_coupons_by_day", "is required");
		return;
	}
	pthread_mutex_lock(&s->mu);
	row = sim_bf_load_stock(s, id);
	if (row == NULL) {
		pthread_mutex_unlock(&s->mu);
		sim_err(c, 404, "RESOURCE_NOT_EXISTS", "批次不存在");
		return;
	}
	body = sim_bf_stock_body(row);
	rule = json_object_get(body, "stock_send_rule");
	if (!json_is_object(rule)) {
		rule = json_object();
		json_object_set_new(body, "stock_send_rule", rule);
	}
	if ((tmax > 0 && json_integer_value(json_object_get(rule,
	    "max_coupons")) != cmax) || (tday > 0 && json_integer_value(
	    json_object_get(rule, "max_coupons_by_day")) != cday)) {
		sim_err(c, 400, "INVALID_REQUEST",
			"当前预算与实际预算不一致，请查询后重试");
		goto out;
	}
	if (tmax > 0)
		json_object_set_new(rule, "max_coupons", json_integer(tmax));
	else
		json_object_set_new(rule, "max_coupons_by_day",
			json_integer(tday));
	txt = json_dumps(body, JSON_COMPACT);
	p = json_pack("[ss]", id, txt);
	simdb_run(s->db, upd, p, NULL);
	json_decref(p);
	free(txt);
	sim_ok(c, 200, json_pack("{s:I,s:I}", "max_coupons",
		json_integer_value(json_object_get(rule, "max_coupons")),
		"max_coupons_by_day", json_integer_value(json_object_get(rule,
		"max_coupons_by_day"))));
out:
	pthread_mutex_unlock(&s->mu);
	json_decref(body);
	json_decref(row);
}

/* DELETE /stocks/{id}/couponcodes/{code}?delete_request_no=: only codes
 * not yet dispatched to a user. */
void
sim_bf_code_delete(struct sim_ctx *c, const char *id, const char *code)
{
	static const char sel[] =
		"SELECT status FROM upload_codes WHERE stock_id = ?1 AND "
		"code = ?2";
	static const char del[] =
		"DELETE FROM upload_codes WHERE stock_id = ?1 AND code = ?2";
	struct sim *s = c->s;
	char *rn = httpd_query_get(c->query, "delete_request_no"), t[40];
	json_t *p, *r;

	sim_bf_route(c, BF "/stocks/{stock_id}/couponcodes/{coupon_code}");
	if (rn == NULL || *rn == '\0' || strlen(rn) > 128) {
		c->loc = "query";
		sim_err_field(c, "delete_request_no", "is required");
		free(rn);
		return;
	}
	free(rn);
	p = json_pack("[ss]", id, code);
	pthread_mutex_lock(&s->mu);
	r = simdb_row(s->db, sel, p);
	if (r == NULL) {
		sim_err(c, 404, "RESOURCE_NOT_EXISTS", "券码不存在");
	} else if (strcmp(json_string_value(json_object_get(r, "status")),
	    "AVAILABLE") != 0) {
		sim_err(c, 400, "INVALID_REQUEST", "券码已发放，不可删除");
	} else {
		simdb_run(s->db, del, p, NULL);
		sim_ok(c, 200, json_pack("{s:s,s:s}", "stock_id", id,
			"delete_time", sim_rfc3339(c->now, t, sizeof t)));
	}
	pthread_mutex_unlock(&s->mu);
	json_decref(p);
	json_decref(r);
}

/* Open a handler's transaction (the caller holds mu); a busy database
 * (BEGIN IMMEDIATE timing out) answers 500 SYSTEM_ERROR. 0 or -1. */
int
sim_bf_tx_begin(struct sim_ctx *c)
{
	if (simdb_begin(c->s->db) == 0)
		return 0;
	sim_err(c, 500, "SYSTEM_ERROR",
		"系统繁忙，请使用相同参数稍后重新调用");
	return -1;
}

/* End a handler: commit what it wrote when it answers 200, else roll back;
 * then release mu. */
void
sim_bf_tx_end(struct sim_ctx *c)
{
	if (c->status == 200)
		simdb_commit(c->s->db);
	else
		simdb_rollback(c->s->db);
	pthread_mutex_unlock(&c->s->mu);
}
