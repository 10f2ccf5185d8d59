/*
 * busifavor.c — the WeChat Pay APIv3 merchant-coupon endpoints
 * (/v3/marketing/busifavor/...) and GET /v3/certificates, with WeChat's
 * field validation, business errors and idempotency. State lives in simdb;
 * every handler takes s->mu around its database work.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crypto/crypto.h"
#include "net/httpd.h"
#include "sim/sim_int.h"
#include "util/err.h"
#include "util/log.h"
#include "util/tm.h"
#include "util/xmem.h"

#define BF "/v3/marketing/busifavor"

static const char *const stock_types[] = {"NORMAL", "DISCOUNT", "EXCHANGE",
	NULL};
static const char *const code_modes[] = {"WECHATPAY_MODE", "MERCHANT_API",
	"MERCHANT_UPLOAD", NULL};
static const char *const use_methods[] = {"OFF_LINE", "MINI_PROGRAMS",
	"PAYMENT_CODE", "SELF_CONSUME", NULL};
static const char *const coupon_states[] = {"SENDED", "USED", "EXPIRED",
	"DELETED", "DEACTIVATED", NULL};

static int
in_list(const char *v, const char *const *list)
{
	for (; *list; list++)
		if (strcmp(v, *list) == 0)
			return 1;
	return 0;
}

static int
enum_field(struct sim_ctx *c, json_t *o, const char *key, int req,
	const char *const *list, const char **out)
{
	if (sim_str(c, o, key, req, 64, out) != 0)
		return -1;
	if (*out != NULL && !in_list(*out, list)) {
		sim_err_field(c, key, "has an unknown value");
		return -1;
	}
	return 0;
}

static int
obj_field(struct sim_ctx *c, json_t *o, const char *key, int req,
	json_t **out)
{
	json_t *v = json_object_get(o, key);

	*out = NULL;
	if (v == NULL || json_is_null(v)) {
		if (req) {
			sim_err_field(c, key, "is required");
			return -1;
		}
		return 0;
	}
	if (!json_is_object(v)) {
		sim_err_field(c, key, "must be an object");
		return -1;
	}
	*out = v;
	return 0;
}

static void
route(struct sim_ctx *c, const char *tmpl)
{
	snprintf(c->route, sizeof c->route, "%s %s", c->method, tmpl);
}

static int
is_get(struct sim_ctx *c)
{
	return strcmp(c->method, "GET") == 0;
}

static int
is_post(struct sim_ctx *c)
{
	return strcmp(c->method, "POST") == 0;
}

/* ---- time windows ----------------------------------------------------- */

void
sim_coupon_window(json_t *body, int64_t receive, int64_t *start,
	int64_t *expire)
{
	json_t *cat = json_object_get(json_object_get(body,
		"coupon_use_rule"), "coupon_available_time");
	int64_t begin = 0, end = INT64_MAX;
	json_int_t days, wait;

	tm_parse_rfc3339(json_string_value(json_object_get(cat,
		"available_begin_time")) ?: "", &begin);
	if (tm_parse_rfc3339(json_string_value(json_object_get(cat,
	    "available_end_time")) ?: "", &end) != 0)
		end = INT64_MAX;
	*start = receive > begin ? receive : begin;
	*expire = end;
	days = json_integer_value(json_object_get(cat,
		"available_day_after_receive"));
	wait = json_integer_value(json_object_get(cat,
		"wait_days_after_receive"));
	if (days > 0) {
		if (wait > 0) {
			int64_t local = receive + 8 * 3600;
			*start = local - local % 86400 - 8 * 3600 +
				wait * 86400;
		}
		if (*start + days * 86400 - 1 < *expire)
			*expire = *start + days * 86400 - 1;
	}
}

static int
int_in(json_t *arr, int64_t v)
{
	size_t i;
	json_t *x;

	json_array_foreach(arr, i, x) {
		if (json_is_integer(x) && json_integer_value(x) == v)
			return 1;
		if (json_is_string(x) && strtol(json_string_value(x), NULL,
		    10) == v)
			return 1;
	}
	return 0;
}

/* NULL if the coupon may be used at t, else WeChat's message. */
static const char *
window_check(json_t *stock, int64_t start, int64_t expire, int64_t t)
{
	json_t *cat = json_object_get(json_object_get(stock,
		"coupon_use_rule"), "coupon_available_time");
	json_t *week = json_object_get(cat, "available_week");
	json_t *irr = json_object_get(cat, "irregulary_avaliable_time");
	int64_t local = t + 8 * 3600;

	if (t < start)
		return "券未到可用时间";
	if (t > expire)
		return "券已过期";
	if (json_is_object(week)) {
		json_t *wd = json_object_get(week, "week_day");
		json_t *dt = json_object_get(week, "available_day_time");
		int64_t wday = ((local / 86400) + 4) % 7, sod = local % 86400;

		if (json_is_array(wd) && json_array_size(wd) > 0 &&
		    !int_in(wd, wday))
			return "券不在有效期: 当前星期不可用";
		if (json_is_array(dt) && json_array_size(dt) > 0) {
			size_t i;
			json_t *x;
			int ok = 0;

			json_array_foreach(dt, i, x) {
				json_int_t b = json_integer_value(
					json_object_get(x, "begin_time"));
				json_int_t e = json_integer_value(
					json_object_get(x, "end_time"));
				if (sod >= b && sod <= e)
					ok = 1;
			}
			if (!ok)
				return "券不在有效期: 当前时段不可用";
		}
	}
	if (json_is_array(irr) && json_array_size(irr) > 0) {
		size_t i;
		json_t *x;
		int ok = 0;

		json_array_foreach(irr, i, x) {
			int64_t b, e;

			if (tm_parse_rfc3339(json_string_value(json_object_get(
			    x, "begin_time")) ?: "", &b) == 0 &&
			    tm_parse_rfc3339(json_string_value(json_object_get(
			    x, "end_time")) ?: "", &e) == 0 && t >= b && t <= e)
				ok = 1;
		}
		if (!ok)
			return "券不在有效期: 不在不规则可用时间内";
	}
	return NULL;
}

/* ---- stock objects ---------------------------------------------------- */

static json_t *
load_stock(struct sim *s, const char *id)
{
	static const char sql[] =
		"SELECT stock_id, code_mode, state, body FROM stocks "
		"WHERE stock_id = ?1";
	json_t *p = json_pack("[s]", id), *r = simdb_row(s->db, sql, p);

	json_decref(p);
	return r;
}

static json_t *
stock_body(json_t *row)
{
	return json_loads(json_string_value(json_object_get(row, "body")) ?:
		"{}", 0, NULL);
}

json_t *
sim_stock_object(struct sim *s, json_t *row)
{
	static const char sent[] =
		"SELECT count(*) AS n, sum(receive_time >= ?2) AS today "
		"FROM coupons WHERE stock_id = ?1";
	static const char codes[] =
		"SELECT count(*) AS n, sum(status = 'AVAILABLE') AS avail "
		"FROM upload_codes WHERE stock_id = ?1";
	const char *id = json_string_value(json_object_get(row, "stock_id"));
	json_t *o = stock_body(row), *p, *r;
	int64_t now = tm_now(), local = now + 8 * 3600;
	int64_t midnight = local - local % 86400 - 8 * 3600;
	json_int_t n, today, each = 0;

	if (o == NULL)
		o = json_object();
	json_object_del(o, "out_request_no");
	json_object_set_new(o, "stock_id", json_string(id));
	json_object_set(o, "stock_state", json_object_get(row, "state"));
	p = json_pack("[sI]", id, (json_int_t)midnight);
	r = simdb_row(s->db, sent, p);
	json_decref(p);
	n = json_integer_value(json_object_get(r, "n"));
	today = json_integer_value(json_object_get(r, "today"));
	json_decref(r);
	each = json_integer_value(json_object_get(json_object_get(
		json_object_get(o, "coupon_use_rule"), "fixed_normal_coupon"),
		"discount_amount"));
	json_object_set_new(o, "send_count_information", json_pack(
		"{s:I,s:I,s:I,s:I}", "total_send_num", n, "total_send_amount",
		n * each, "today_send_num", today, "today_send_amount",
		today * each));
	if (strcmp(json_string_value(json_object_get(row, "code_mode")),
	    "MERCHANT_UPLOAD") == 0) {
		p = json_pack("[s]", id);
		r = simdb_row(s->db, codes, p);
		json_decref(p);
		json_object_set_new(o, "coupon_code_count", json_pack(
			"{s:I,s:I}", "total_count",
			json_integer_value(json_object_get(r, "n")),
			"available_count",
			json_integer_value(json_object_get(r, "avail"))));
		json_decref(r);
	}
	return o;
}

/* ---- coupon entity ---------------------------------------------------- */

static const char *
coupon_state(json_t *row, int64_t now)
{
	const char *st = json_string_value(json_object_get(row, "state"));

	if (strcmp(st, "SENDED") == 0 &&
	    now > json_integer_value(json_object_get(row, "expire_time")))
		return "EXPIRED";
	return st;
}

static void
set_time(json_t *o, const char *key, json_t *row, const char *col)
{
	json_t *v = json_object_get(row, col);
	char t[40];

	if (json_is_integer(v))
		json_object_set_new(o, key, json_string(sim_rfc3339(
			json_integer_value(v), t, sizeof t)));
}

static void
set_str(json_t *o, const char *key, json_t *row, const char *col)
{
	json_t *v = json_object_get(row, col);

	if (json_is_string(v))
		json_object_set(o, key, v);
}

static json_t *
coupon_entity(json_t *row, int64_t now)
{
	json_t *sb = json_loads(json_string_value(json_object_get(row,
		"stock_body")) ?: "{}", 0, NULL);
	json_t *o = json_object(), *rule;
	static const char *const copy[] = {"belong_merchant", "stock_name",
		"comment", "goods_name", "stock_type", "display_pattern_info",
		"coupon_use_rule", "custom_entrance", NULL};
	const char *const *k;

	for (k = copy; *k; k++)
		if (json_object_get(sb, *k) != NULL)
			json_object_set(o, *k, json_object_get(sb, *k));
	rule = json_object_get(sb, "stock_send_rule");
	json_object_set_new(o, "transferable", json_boolean(json_is_true(
		json_object_get(rule, "transferable"))));
	json_object_set_new(o, "shareable", json_boolean(json_is_true(
		json_object_get(rule, "shareable"))));
	json_object_set_new(o, "coupon_state",
		json_string(coupon_state(row, now)));
	set_str(o, "coupon_code", row, "code");
	set_str(o, "stock_id", row, "stock_id");
	set_time(o, "available_start_time", row, "start_time");
	set_time(o, "expire_time", row, "expire_time");
	set_time(o, "receive_time", row, "receive_time");
	set_str(o, "send_request_no", row, "send_request_no");
	set_str(o, "use_request_no", row, "use_request_no");
	set_str(o, "use_time", row, "use_time");
	set_str(o, "associate_out_trade_no", row, "associate_out_trade_no");
	set_str(o, "return_request_no", row, "return_request_no");
	set_time(o, "return_time", row, "return_time");
	set_str(o, "deactivate_request_no", row, "deactivate_request_no");
	set_time(o, "deactivate_time", row, "deactivate_time");
	set_str(o, "deactivate_reason", row, "deactivate_reason");
	json_decref(sb);
	return o;
}

/* ---- GET /v3/certificates --------------------------------------------- */

static void
certificates(struct sim_ctx *c)
{
	struct sim *s = c->s;
	struct wx_cert *cert = NULL;
	char nonce[16], *ct = NULL, nb[40], na[40];

	route(c, "/v3/certificates");
	if (!is_get(c)) {
		sim_err(c, 405, "NOT_FOUND", "方法不支持");
		return;
	}
	if (wx_cert_load_pem(s->platform_cert_pem,
	    strlen(s->platform_cert_pem), &cert, NULL) != 0) {
		sim_err(c, 500, "SYSTEM_ERROR", "平台证书不可用");
		return;
	}
	sim_rand_alnum(nonce, 12);
	if (wx_aead_encrypt(s->apiv3, nonce, "certificate",
	    s->platform_cert_pem, strlen(s->platform_cert_pem), &ct) != 0) {
		wx_cert_free(cert);
		sim_err(c, 500, "SYSTEM_ERROR", "加密失败");
		return;
	}
	sim_ok(c, 200, json_pack("{s:[{s:s,s:s,s:s,s:{s:s,s:s,s:s,s:s}}]}",
		"data", "serial_no", wx_cert_serial(cert),
		"effective_time", sim_rfc3339(wx_cert_not_before(cert), nb,
		sizeof nb),
		"expire_time", sim_rfc3339(wx_cert_not_after(cert), na,
		sizeof na),
		"encrypt_certificate", "algorithm", "AEAD_AES_256_GCM",
		"nonce", nonce, "associated_data", "certificate",
		"ciphertext", ct));
	free(ct);
	wx_cert_free(cert);
}

/* ---- stocks ----------------------------------------------------------- */

static int
check_coupon_rule(struct sim_ctx *c, json_t *rule, const char *type)
{
	json_t *cat, *x;
	int64_t b = 0, e = 0, v;
	const char *um, *key;

	if (obj_field(c, rule, "coupon_available_time", 1, &cat) != 0 ||
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
	if (obj_field(c, rule, key, 1, &x) != 0)
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
	if (enum_field(c, rule, "use_method", 1, use_methods, &um) != 0)
		return -1;
	return 0;
}

static void
stock_create(struct sim_ctx *c)
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

	route(c, BF "/stocks");
	if (sim_str(c, b, "stock_name", 1, 21, &name) ||
	    sim_str(c, b, "belong_merchant", 1, 15, &bm) ||
	    sim_str(c, b, "comment", 0, 20, &cm) ||
	    sim_str(c, b, "goods_name", 1, 15, &goods) ||
	    enum_field(c, b, "stock_type", 1, stock_types, &type) ||
	    obj_field(c, b, "coupon_use_rule", 1, &rule) ||
	    check_coupon_rule(c, rule, type) ||
	    obj_field(c, b, "stock_send_rule", 1, &send) ||
	    sim_int(c, send, "max_coupons", 1, 1, 1000000000, &v) ||
	    sim_int(c, send, "max_coupons_per_user", 1, 1, 100, &v) ||
	    sim_str(c, b, "out_request_no", 1, 128, &orn) ||
	    enum_field(c, b, "coupon_code_mode", 1, code_modes, &mode))
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

static void
stock_get(struct sim_ctx *c, const char *id)
{
	struct sim *s = c->s;
	json_t *row;

	route(c, BF "/stocks/{stock_id}");
	pthread_mutex_lock(&s->mu);
	row = load_stock(s, id);
	if (row == NULL) {
		pthread_mutex_unlock(&s->mu);
		sim_err(c, 404, "RESOURCE_NOT_EXISTS", "批次不存在");
		return;
	}
	sim_ok(c, 200, sim_stock_object(s, row));
	pthread_mutex_unlock(&s->mu);
	json_decref(row);
}

static void
stock_patch(struct sim_ctx *c, const char *id)
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

	route(c, BF "/stocks/{stock_id}");
	if (sim_str(c, b, "out_request_no", 1, 128, &v) ||
	    sim_str(c, b, "stock_name", 0, 21, &v) ||
	    sim_str(c, b, "comment", 0, 20, &v) ||
	    sim_str(c, b, "goods_name", 0, 15, &v))
		return;
	x = json_object_get(b, "coupon_use_rule");
	if (x != NULL && (!json_is_object(x) || enum_field(c, x,
	    "use_method", 0, use_methods, &v) != 0)) {
		if (!json_is_object(x))
			sim_err_field(c, "coupon_use_rule",
				"must be an object");
		return;
	}
	pthread_mutex_lock(&s->mu);
	row = load_stock(s, id);
	if (row == NULL) {
		pthread_mutex_unlock(&s->mu);
		sim_err(c, 404, "RESOURCE_NOT_EXISTS", "批次不存在");
		return;
	}
	body = stock_body(row);
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

static int
code_chars_ok(const char *s)
{
	for (; *s; s++)
		if (!((*s >= '0' && *s <= '9') || (*s >= 'a' && *s <= 'z') ||
		    (*s >= 'A' && *s <= 'Z') || strchr(" -_\\/=|", *s)))
			return 0;
	return 1;
}

static void
codes_upload(struct sim_ctx *c, const char *id)
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

	route(c, BF "/stocks/{stock_id}/couponcodes");
	if (sim_str(c, c->body, "upload_request_no", 1, 128, &rn))
		return;
	if (!json_is_array(list) || json_array_size(list) < 1 ||
	    json_array_size(list) > 200) {
		sim_err_field(c, "coupon_code_list",
			"must be an array of 1..200 codes");
		return;
	}
	pthread_mutex_lock(&s->mu);
	row = load_stock(s, id);
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
	sb = stock_body(row);
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
		if (!code_chars_ok(code)) {
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

	set_str(o, "code", r, "code");
	set_str(o, "code_status", r, "status");
	set_time(o, "upload_time", r, "upload_time");
	set_time(o, "dispatched_time", r, "dispatched_time");
	set_str(o, "openid", r, "openid");
	set_str(o, "coupon_code", r, "code");
	return o;
}

static int
query_int(struct sim_ctx *c, const char *name, int64_t def, int64_t min,
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

static void
codes_list(struct sim_ctx *c, const char *id)
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

	route(c, BF "/stocks/{stock_id}/couponcodes");
	if (query_int(c, "limit", 20, 1, 100, &limit) ||
	    query_int(c, "offset", 0, 0, 1000000000, &offset)) {
		free(status);
		return;
	}
	pthread_mutex_lock(&s->mu);
	row = load_stock(s, id);
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

static void
code_detail(struct sim_ctx *c, const char *id, const char *code)
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

	route(c, BF "/stocks/{stock_id}/couponcodes/{coupon_code}");
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
			coupon_entity(cr, c->now));
	sim_ok(c, 200, o);
	json_decref(r);
	json_decref(cr);
}

/* PATCH /stocks/{id}/budget: exactly one target; the matching current_*
 * must equal today's value (WeChat's optimistic check). */
static void
stock_budget(struct sim_ctx *c, const char *id)
{
	static const char upd[] =
		"UPDATE stocks SET body = ?2 WHERE stock_id = ?1";
	struct sim *s = c->s;
	json_t *b = c->body, *row, *body, *rule, *p;
	int64_t tmax = 0, tday = 0, cmax = 0, cday = 0;
	const char *rn;
	char *txt;

	route(c, BF "/stocks/{stock_id}/budget");
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
	row = load_stock(s, id);
	if (row == NULL) {
		pthread_mutex_unlock(&s->mu);
		sim_err(c, 404, "RESOURCE_NOT_EXISTS", "批次不存在");
		return;
	}
	body = stock_body(row);
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
static void
code_delete(struct sim_ctx *c, const char *id, const char *code)
{
	static const char sel[] =
		"SELECT status FROM upload_codes WHERE stock_id = ?1 AND "
		"code = ?2";
	static const char del[] =
		"DELETE FROM upload_codes WHERE stock_id = ?1 AND code = ?2";
	struct sim *s = c->s;
	char *rn = httpd_query_get(c->query, "delete_request_no"), t[40];
	json_t *p, *r;

	route(c, BF "/stocks/{stock_id}/couponcodes/{coupon_code}");
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
static int
tx_begin(struct sim_ctx *c)
{
	if (simdb_begin(c->s->db) == 0)
		return 0;
	sim_err(c, 500, "SYSTEM_ERROR",
		"系统繁忙，请使用相同参数稍后重新调用");
	return -1;
}

/* End a handler: commit what it wrote when it answers 200, else roll back;
 * then release mu. */
static void
tx_end(struct sim_ctx *c)
{
	if (c->status == 200)
		simdb_commit(c->s->db);
	else
		simdb_rollback(c->s->db);
	pthread_mutex_unlock(&c->s->mu);
}

/* ---- send ------------------------------------------------------------- */

static void
coupon_send(struct sim_ctx *c)
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

	route(c, BF "/coupons/send");
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
	if (tx_begin(c) != 0)
		goto out;
	row = load_stock(s, sid);
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
	if (code != NULL && !code_chars_ok(code)) {
		sim_err_field(c, "coupon_code", "has characters not allowed");
		goto out;
	}
	sb = stock_body(row);
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
	tx_end(c);
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

static void
coupon_use(struct sim_ctx *c)
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

	route(c, BF "/coupons/use");
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
	if (tx_begin(c) != 0)
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
	msg = window_check(sb, json_integer_value(json_object_get(row,
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
	tx_end(c);
	free(keytxt);
	free(resptxt);
	json_decref(sb);
	json_decref(row);
}

/* ---- return / deactivate ---------------------------------------------- */

static void
coupon_return(struct sim_ctx *c)
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

	route(c, BF "/coupons/return");
	if (sim_str(c, c->body, "coupon_code", 1, 32, &code) ||
	    sim_str(c, c->body, "stock_id", 1, 20, &sid) ||
	    sim_str(c, c->body, "return_request_no", 1, 128, &rn))
		return;
	pthread_mutex_lock(&s->mu);
	if (tx_begin(c) != 0)
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
	tx_end(c);
	json_decref(row);
}

static void
coupon_deactivate(struct sim_ctx *c)
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

	route(c, BF "/coupons/deactivate");
	if (sim_str(c, c->body, "coupon_code", 1, 32, &code) ||
	    sim_str(c, c->body, "stock_id", 1, 20, &sid) ||
	    sim_str(c, c->body, "deactivate_request_no", 1, 128, &rn) ||
	    sim_str(c, c->body, "deactivate_reason", 0, 64, &reason))
		return;
	pthread_mutex_lock(&s->mu);
	if (tx_begin(c) != 0)
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
	tx_end(c);
	json_decref(row);
}

/* POST /coupons/associate and /coupons/disassociate: link a coupon that is
 * still usable to a WeChat Pay order (statistics only). */
static void
coupon_associate(struct sim_ctx *c, int on)
{
	static const char upd[] =
		"UPDATE coupons SET associate_out_trade_no = ?3 WHERE "
		"code = ?1 AND stock_id = ?2";
	struct sim *s = c->s;
	const char *code, *sid, *otn, *orn, *cur;
	json_t *row = NULL, *p;
	char t[40];

	route(c, on ? BF "/coupons/associate" : BF "/coupons/disassociate");
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
	if (on && strcmp(coupon_state(row, c->now), "SENDED") != 0) {
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

static void
user_coupon(struct sim_ctx *c, const char *openid, const char *code,
	const char *appid)
{
	static const char sql[] =
		"SELECT c.*, s.body AS stock_body, s.code_mode AS code_mode, "
		"s.state AS stock_state FROM coupons c JOIN stocks s "
		"ON s.stock_id = c.stock_id WHERE c.code = ?1 AND "
		"c.openid = ?2 ORDER BY c.receive_time DESC LIMIT 1";
	struct sim *s = c->s;
	json_t *p, *r;

	route(c, BF "/users/{openid}/coupons/{coupon_code}/appids/{appid}");
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
	sim_ok(c, 200, coupon_entity(r, c->now));
	json_decref(r);
}

static void
user_coupons(struct sim_ctx *c, const char *openid)
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

	route(c, BF "/users/{openid}/coupons");
	c->loc = "query";
	if (query_int(c, "limit", 20, 1, 50, &limit) ||
	    query_int(c, "offset", 0, 0, 1000000000, &offset))
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
	if (state != NULL && !in_list(state, coupon_states)) {
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
		if (state != NULL && strcmp(coupon_state(x, c->now),
		    state) != 0)
			continue;
		total++;
		if (i++ < offset * limit || (int64_t)json_array_size(data) >=
		    limit)
			continue;
		json_array_append_new(data, coupon_entity(x, c->now));
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

static void
callbacks(struct sim_ctx *c)
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

	route(c, BF "/callbacks");
	if (is_post(c)) {
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
	if (!is_get(c)) {
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

/* ---- routing ---------------------------------------------------------- */

static int
seg_is(struct sim_ctx *c, int i, const char *v)
{
	return i < c->nseg && strcmp(c->seg[i], v) == 0;
}

static void
method_not_allowed(struct sim_ctx *c)
{
	sim_err(c, 405, "NOT_FOUND", "请求方法不支持");
}

int
sim_v3_route(struct sim_ctx *c)
{
	int n = c->nseg;

	if (n == 2 && seg_is(c, 1, "certificates")) {
		certificates(c);
		return 0;
	}
	if (n < 4 || !seg_is(c, 1, "marketing") || !seg_is(c, 2,
	    "busifavor"))
		return QUAN_ENOTFOUND;
	if (seg_is(c, 3, "stocks")) {
		if (n == 4) {
			if (!is_post(c))
				method_not_allowed(c);
			else
				stock_create(c);
			return 0;
		}
		if (n == 5) {
			if (is_get(c))
				stock_get(c, c->seg[4]);
			else if (strcmp(c->method, "PATCH") == 0)
				stock_patch(c, c->seg[4]);
			else
				method_not_allowed(c);
			return 0;
		}
		if (n == 6 && seg_is(c, 5, "budget")) {
			if (strcmp(c->method, "PATCH") == 0)
				stock_budget(c, c->seg[4]);
			else
				method_not_allowed(c);
			return 0;
		}
		if (n == 6 && seg_is(c, 5, "couponcodes")) {
			if (is_post(c))
				codes_upload(c, c->seg[4]);
			else if (is_get(c))
				codes_list(c, c->seg[4]);
			else
				method_not_allowed(c);
			return 0;
		}
		if (n == 7 && seg_is(c, 5, "couponcodes")) {
			if (is_get(c))
				code_detail(c, c->seg[4], c->seg[6]);
			else if (strcmp(c->method, "DELETE") == 0)
				code_delete(c, c->seg[4], c->seg[6]);
			else
				method_not_allowed(c);
			return 0;
		}
		return QUAN_ENOTFOUND;
	}
	if (seg_is(c, 3, "coupons") && n == 5) {
		if (!is_post(c)) {
			method_not_allowed(c);
			return 0;
		}
		if (seg_is(c, 4, "use"))
			coupon_use(c);
		else if (seg_is(c, 4, "send"))
			coupon_send(c);
		else if (seg_is(c, 4, "return"))
			coupon_return(c);
		else if (seg_is(c, 4, "deactivate"))
			coupon_deactivate(c);
		else if (seg_is(c, 4, "associate"))
			coupon_associate(c, 1);
		else if (seg_is(c, 4, "disassociate"))
			coupon_associate(c, 0);
		else
			return QUAN_ENOTFOUND;
		return 0;
	}
	if (seg_is(c, 3, "users") && n >= 6 && seg_is(c, 5, "coupons")) {
		if (!is_get(c)) {
			method_not_allowed(c);
			return 0;
		}
		if (n == 6) {
			user_coupons(c, c->seg[4]);
			return 0;
		}
		if (n == 9 && seg_is(c, 7, "appids")) {
			user_coupon(c, c->seg[4], c->seg[6], c->seg[8]);
			return 0;
		}
		return QUAN_ENOTFOUND;
	}
	if (seg_is(c, 3, "callbacks") && n == 4) {
		callbacks(c);
		return 0;
	}
	return QUAN_ENOTFOUND;
}
