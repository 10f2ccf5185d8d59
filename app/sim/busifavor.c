/*
 * busifavor.c — the WeChat Pay APIv3 merchant-coupon endpoints
 * (/v3/marketing/busifavor/...) and GET /v3/certificates, with WeChat's
 * field validation, business errors and idempotency. State lives in simdb;
 * every handler takes s->mu around its database work. This file: the
 * shared field helpers, time windows, stock and coupon objects, the
 * certificates endpoint and the routing; busifavor_int.h lists the rest.
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



const char *const sim_bf_stock_types[] = {"NORMAL", "DISCOUNT", "EXCHANGE",
	NULL};
const char *const sim_bf_code_modes[] = {"WECHATPAY_MODE", "MERCHANT_API",
	"MERCHANT_UPLOAD", NULL};
const char *const sim_bf_use_methods[] = {"OFF_LINE", "MINI_PROGRAMS",
	"PAYMENT_CODE", "SELF_CONSUME", NULL};
const char *const sim_bf_coupon_states[] = {"SENDED", "USED", "EXPIRED",
	"DELETED", "DEACTIVATED", NULL};

int
sim_bf_in_list(const char *v, const char *const *list)
{
	for (; *list; list++)
		if (strcmp(v, *list) == 0)
			return 1;
	return 0;
}

int
sim_bf_enum_field(struct sim_ctx *c, json_t *o, const char *key, int req,
	const char *const *list, const char **out)
{
	if (sim_str(c, o, key, req, 64, out) != 0)
		return -1;
	if (*out != NULL && !sim_bf_in_list(*out, list)) {
		sim_err_field(c, key, "has an unknown value");
		return -1;
	}
	return 0;
}

int
sim_bf_obj_field(struct sim_ctx *c, json_t *o, const char *key, int req,
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

void
sim_bf_route(struct sim_ctx *c, const char *tmpl)
{
	snprintf(c->route, sizeof c->route, "%s %s", c->method, tmpl);
}

int
sim_bf_is_get(struct sim_ctx *c)
{
	return strcmp(c->method, "GET") == 0;
}

int
sim_bf_is_post(struct sim_ctx *c)
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
const char *
sim_bf_window_check(json_t *stock, int64_t start, int64_t expire, int64_t t)
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

json_t *
sim_bf_load_stock(struct sim *s, const char *id)
{
	static const char sql[] =
		"SELECT stock_id, code_mode, state, body FROM stocks "
		"WHERE stock_id = ?1";
	json_t *p = json_pack("[s]", id), *r = simdb_row(s->db, sql, p);

	json_decref(p);
	return r;
}

json_t *
sim_bf_stock_body(json_t *row)
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
	json_t *o = sim_bf_stock_body(row), *p, *r;
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

const char *
sim_bf_coupon_state(json_t *row, int64_t now)
{
	const char *st = json_string_value(json_object_get(row, "state"));

	if (strcmp(st, "SENDED") == 0 &&
	    now > json_integer_value(json_object_get(row, "expire_time")))
		return "EXPIRED";
	return st;
}

void
sim_bf_set_time(json_t *o, const char *key, json_t *row, const char *col)
{
	json_t *v = json_object_get(row, col);
	char t[40];

	if (json_is_integer(v))
		json_object_set_new(o, key, json_string(sim_rfc3339(
			json_integer_value(v), t, sizeof t)));
}

void
sim_bf_set_str(json_t *o, const char *key, json_t *row, const char *col)
{
	json_t *v = json_object_get(row, col);

	if (json_is_string(v))
		json_object_set(o, key, v);
}

json_t *
sim_bf_coupon_entity(json_t *row, int64_t now)
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
		json_string(sim_bf_coupon_state(row, now)));
	sim_bf_set_str(o, "coupon_code", row, "code");
	sim_bf_set_str(o, "stock_id", row, "stock_id");
	sim_bf_set_time(o, "available_start_time", row, "start_time");
	sim_bf_set_time(o, "expire_time", row, "expire_time");
	sim_bf_set_time(o, "receive_time", row, "receive_time");
	sim_bf_set_str(o, "send_request_no", row, "send_request_no");
	sim_bf_set_str(o, "use_request_no", row, "use_request_no");
	sim_bf_set_str(o, "use_time", row, "use_time");
	sim_bf_set_str(o, "associate_out_trade_no", row,
		"associate_out_trade_no");
	sim_bf_set_str(o, "return_request_no", row, "return_request_no");
	sim_bf_set_time(o, "return_time", row, "return_time");
	sim_bf_set_str(o, "deactivate_request_no", row,
		"deactivate_request_no");
	sim_bf_set_time(o, "deactivate_time", row, "deactivate_time");
	sim_bf_set_str(o, "deactivate_reason", row, "deactivate_reason");
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

	sim_bf_route(c, "/v3/certificates");
	if (!sim_bf_is_get(c)) {
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
			if (!sim_bf_is_post(c))
				method_not_allowed(c);
			else
				sim_bf_stock_create(c);
			return 0;
		}
		if (n == 5) {
			if (sim_bf_is_get(c))
				sim_bf_stock_get(c, c->seg[4]);
			else if (strcmp(c->method, "PATCH") == 0)
				sim_bf_stock_patch(c, c->seg[4]);
			else
				method_not_allowed(c);
			return 0;
		}
		if (n == 6 && seg_is(c, 5, "budget")) {
			if (strcmp(c->method, "PATCH") == 0)
				sim_bf_stock_budget(c, c->seg[4]);
			else
				method_not_allowed(c);
			return 0;
		}
		if (n == 6 && seg_is(c, 5, "couponcodes")) {
			if (sim_bf_is_post(c))
				sim_bf_codes_upload(c, c->seg[4]);
			else if (sim_bf_is_get(c))
				sim_bf_codes_list(c, c->seg[4]);
			else
				method_not_allowed(c);
			return 0;
		}
		if (n == 7 && seg_is(c, 5, "couponcodes")) {
			if (sim_bf_is_get(c))
				sim_bf_code_detail(c, c->seg[4], c->seg[6]);
			else if (strcmp(c->method, "DELETE") == 0)
				sim_bf_code_delete(c, c->seg[4], c->seg[6]);
			else
				method_not_allowed(c);
			return 0;
		}
		return QUAN_ENOTFOUND;
	}
	if (seg_is(c, 3, "coupons") && n == 5) {
		if (!sim_bf_is_post(c)) {
			method_not_allowed(c);
			return 0;
		}
		if (seg_is(c, 4, "use"))
			sim_bf_coupon_use(c);
		else if (seg_is(c, 4, "send"))
			sim_bf_coupon_send(c);
		else if (seg_is(c, 4, "return"))
			sim_bf_coupon_return(c);
		else if (seg_is(c, 4, "deactivate"))
			sim_bf_coupon_deactivate(c);
		else if (seg_is(c, 4, "associate"))
			sim_bf_coupon_associate(c, 1);
		else if (seg_is(c, 4, "disassociate"))
			sim_bf_coupon_associate(c, 0);
		else
			return QUAN_ENOTFOUND;
		return 0;
	}
	if (seg_is(c, 3, "users") && n >= 6 && seg_is(c, 5, "coupons")) {
		if (!sim_bf_is_get(c)) {
			method_not_allowed(c);
			return 0;
		}
		if (n == 6) {
			sim_bf_user_coupons(c, c->seg[4]);
			return 0;
		}
		if (n == 9 && seg_is(c, 7, "appids")) {
			sim_bf_user_coupon(c, c->seg[4], c->seg[6], c->seg[8]);
			return 0;
		}
		return QUAN_ENOTFOUND;
	}
	if (seg_is(c, 3, "callbacks") && n == 4) {
		sim_bf_callbacks(c);
		return 0;
	}
	return QUAN_ENOTFOUND;
}
