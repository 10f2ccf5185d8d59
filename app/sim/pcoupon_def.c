/*
 * pcoupon_def.c — the simulator's 商品券 definitions: product coupons and
 * their stocks (GET, as WeChat answers them), the notify URL of each mode
 * (notify-configs), the user-coupon object every user-coupon endpoint
 * answers with, and `quan sim seed`'s product section — every coupon type
 * of doc §1.4 (five single-use, five progressive bundles of three rounds)
 * and every cashier case (valid, confirming, pending, used, expired,
 * deactivated, another user's, bundle rounds).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim/pcoupon_int.h"
#include "util/err.h"
#include "util/log.h"
#include "util/tm.h"
#include "util/xmem.h"

#define DAY 86400

void
sim_pc_err(struct sim_ctx *c, int status, const char *code,
	const char *message, long numeric)
{
	sim_err(c, status, code, message);
	c->numeric = numeric;
}

/* ---- the user coupon object -------------------------------------------- */

static void
set_time(json_t *o, const char *k, json_t *v)
{
	char t[40];

	if (json_is_integer(v))
		json_object_set_new(o, k, json_string(sim_rfc3339(
			json_integer_value(v), t, sizeof t)));
}

static void
copy_str(json_t *o, const char *k, json_t *v)
{
	if (json_is_string(v))
		json_object_set(o, k, v);
}

json_t *
sim_pc_entity(struct sim *s, json_t *row, int brand)
{
	static const char prod[] =
		"SELECT body FROM pc_products WHERE product_coupon_id = ?1";
	static const char stk[] =
		"SELECT body FROM pc_stocks WHERE stock_id = ?1";
	static const char used[] =
		"SELECT count(*) AS n FROM pc_coupons WHERE bundle_id = ?1 "
		"AND state = 'USED'";
	json_t *o = json_object(), *d = json_object(), *p, *r, *v;
	json_error_t je;
	const char *bundle = json_string_value(json_object_get(row,
		"bundle_id"));

#define G(k) json_object_get(row, k)
	copy_str(o, "coupon_code", G("code"));
	copy_str(o, "coupon_state", G("state"));
	set_time(o, "valid_begin_time", G("valid_begin"));
	set_time(o, "valid_end_time", G("valid_end"));
	set_time(o, "receive_time", G("receive_time"));
	copy_str(o, "send_request_no", G("send_request_no"));
	copy_str(o, "send_channel", G("send_channel"));
	copy_str(o, "confirm_request_no", G("confirm_request_no"));
	set_time(o, "confirm_time", G("confirm_time"));
	copy_str(o, "deactivate_request_no", G("deactivate_request_no"));
	set_time(o, "deactivate_time", G("deactivate_time"));
	copy_str(o, "deactivate_reason", G("deactivate_reason"));
	copy_str(d, "use_request_no", G("use_request_no"));
	copy_str(d, "use_time", G("use_time"));
	if (json_is_string(G("use_order")) && (v = json_loads(
	    json_string_value(G("use_order")), 0, &je)) != NULL)
		json_object_set_new(d, json_object_get(v,
			"order_id") ? "associated_pay_score_order_info" :
			"associated_order_info", v);
	copy_str(d, "return_request_no", G("return_request_no"));
	set_time(d, "return_time", G("return_time"));
	if (json_object_size(d) > 0)
		json_object_set(o, bundle ? "progressive_bundle_usage_detail" :
			"single_usage_detail", d);
	json_decref(d);
	if (bundle != NULL) {
		p = json_pack("[s]", bundle);
		r = simdb_row(s->db, used, p);
		json_decref(p);
		json_object_set_new(o, "user_product_coupon_bundle_info",
			json_pack("{s:s,s:O,s:O,s:O}", "user_coupon_bundle_id",
			bundle, "user_coupon_bundle_index", G("bundle_index"),
			"total_count", G("bundle_total"), "used_count",
			r ? json_object_get(r, "n") : json_integer(0)));
		json_decref(r);
	}
	p = json_pack("[O]", G("product_coupon_id"));
	r = simdb_row(s->db, prod, p);
	json_decref(p);
	if (r != NULL && (v = json_loads(json_string_value(json_object_get(r,
	    "body")), 0, &je)) != NULL) {
		if (brand)
			json_object_del(v, "brand_id");
		json_object_set_new(o, "product_coupon", v);
	}
	json_decref(r);
	p = json_pack("[O]", G("stock_id"));
	r = simdb_row(s->db, stk, p);
	json_decref(p);
	if (r != NULL && (v = json_loads(json_string_value(json_object_get(r,
	    "body")), 0, &je)) != NULL) {
		if (brand)
			json_object_del(v, "brand_id");
		json_object_set_new(o, "stock", v);
	}
	json_decref(r);
	copy_str(o, "attach", G("attach"));
	if (!brand)
		json_object_set_new(o, "brand_id", json_string(
			s->ids.brand_id));
#undef G
	return o;
}

/* ---- definitions and notify-configs ----------------------------------- */

char *
sim_pc_notify_url(struct sim *s, int brand)
{
	static const char q[] = "SELECT v FROM meta WHERE k = ?1";
	json_t *p = json_pack("[s]", brand ? "pc_notify_url_brand" :
		"pc_notify_url_partner");
	json_t *r = simdb_row(s->db, q, p);
	char *u = NULL;

	json_decref(p);
	if (r != NULL)
		u = xstrdup(json_string_value(json_object_get(r, "v")));
	json_decref(r);
	return u;
}

static void
notify_configs(struct sim_ctx *c, int brand)
{
	static const char set[] =
		"INSERT INTO meta(k, v) VALUES (?1, ?2) "
		"ON CONFLICT(k) DO UPDATE SET v = excluded.v";
	const char *key = brand ? "pc_notify_url_brand" :
		"pc_notify_url_partner";
	struct sim *s = c->s;
	const char *url;
	char t[40], *u;
	json_t *p;

	if (strcmp(c->method, "POST") == 0) {
		if (sim_str(c, c->body, "notify_url", 1, 256, &url) != 0)
			return;
		if (strncmp(url, "https://", 8) != 0 ||
		    strchr(url, '?') != NULL) {
			sim_err_field(c, "notify_url", "must be an https URL "
				"without a query string");
			return;
		}
		pthread_mutex_lock(&s->mu);
		p = json_pack("[ss]", key, url);
		simdb_run(s->db, set, p, NULL);
		json_decref(p);
		pthread_mutex_unlock(&s->mu);
		sim_ok(c, 200, json_pack("{s:s,s:s}", "notify_url", url,
			"update_time", sim_rfc3339(c->now, t, sizeof t)));
		return;
	}
	if (strcmp(c->method, "GET") != 0) {
		sim_err(c, 405, "NOT_FOUND", "方法不允许");
		return;
	}
	pthread_mutex_lock(&s->mu);
	u = sim_pc_notify_url(s, brand);
	pthread_mutex_unlock(&s->mu);
	if (u == NULL) {
		sim_pc_err(c, 404, "RESOURCE_NOT_EXISTS", "未设置事件通知地址",
			268578608);
		return;
	}
	sim_ok(c, 200, json_pack("{s:s,s:s}", "notify_url", u, "update_time",
		sim_rfc3339(c->now, t, sizeof t)));
	free(u);
}

/* GET one definition row's body (product or stock), brand_id only in
 * partner answers. */
static void
definition(struct sim_ctx *c, int brand, const char *sql, json_t *p,
	const char *what)
{
	struct sim *s = c->s;
	json_error_t je;
	json_t *r, *v = NULL;

	pthread_mutex_lock(&s->mu);
	r = simdb_row(s->db, sql, p);
	pthread_mutex_unlock(&s->mu);
	json_decref(p);
	if (r != NULL)
		v = json_loads(json_string_value(json_object_get(r, "body")), 0,
			&je);
	json_decref(r);
	if (v == NULL) {
		char *m = xasprintf("%s不存在", what);

		sim_pc_err(c, 404, "RESOURCE_NOT_EXISTS", m, 268578608);
		free(m);
		return;
	}
	if (brand)
		json_object_del(v, "brand_id");
	sim_ok(c, 200, v);
}

int
sim_pc_defs_route(struct sim_ctx *c, int brand, int k)
{
	static const char prod[] =
		"SELECT body FROM pc_products WHERE product_coupon_id = ?1";
	static const char stk[] =
		"SELECT body FROM pc_stocks WHERE stock_id = ?1 AND "
		"product_coupon_id = ?2";
	int n = c->nseg - k;

	if (n == 1 && strcmp(c->seg[k], "notify-configs") == 0) {
		sim_pc_route_name(c, brand, "notify-configs");
		notify_configs(c, brand);
		return 0;
	}
	if (strcmp(c->seg[k], "product-coupons") != 0 || (n != 2 && n != 4) ||
	    (n == 4 && strcmp(c->seg[k + 2], "stocks") != 0))
		return QUAN_ENOTFOUND;
	sim_pc_route_name(c, brand, n == 2 ? "product-coupons/{id}" :
		"product-coupons/{id}/stocks/{id}");
	if (strcmp(c->method, "GET") != 0) {
		sim_err(c, 405, "NOT_FOUND", "方法不允许");
		return 0;
	}
	if (n == 2)
		definition(c, brand, prod, json_pack("[s]", c->seg[k + 1]),
			"商品券");
	else
		definition(c, brand, stk, json_pack("[ss]", c->seg[k + 3],
			c->seg[k + 1]), "批次");
	return 0;
}

/* ---- seed ------------------------------------------------------------- */

struct pseed {
	struct simdb *db;
	const struct sim_ids *ids;
	const char *const *users;
	int64_t now;
	int n;            /* code counter */
	int base;         /* product ids taken by earlier seeds (--force) */
	int *err;
	json_t *cases;    /* case -> [entries] */
	json_t *products;
};

static void
srun(struct pseed *ps, const char *sql, json_t *p)
{
	if (simdb_run(ps->db, sql, p, NULL) != 0)
		*ps->err = 1;
	json_decref(p);
}

/* One rule object of type with strength round (bundles grow per round,
 * never less than the round before: doc §1.4 非递减). */
static json_t *
rule(const char *type, const char *scope, int round)
{
	if (strcmp(type, "NORMAL") == 0)
		return json_pack("{s:I,s:I}", "threshold", (json_int_t)(
			strcmp(scope, "ALL") == 0 ? 10000 : 0),
			"discount_amount", (json_int_t)(
			strcmp(scope, "ALL") == 0 ? 1000 + 500 * round :
			500 + 100 * round));
	if (strcmp(type, "DISCOUNT") == 0)
		return json_pack("{s:I,s:I}", "threshold", (json_int_t)(
			strcmp(scope, "ALL") == 0 ? 5000 : 0), "percent_off",
			(json_int_t)(20 + 5 * round));
	return json_pack("{s:I,s:I}", "threshold", (json_int_t)0,
		"exchange_price", (json_int_t)(900 - 200 * round));
}

static const char *
rule_key(const char *type)
{
	return strcmp(type, "NORMAL") == 0 ? "normal_coupon" :
		strcmp(type, "DISCOUNT") == 0 ? "discount_coupon" :
		"exchange_coupon";
}

static void
add_entry(struct pseed *ps, const char *cas, json_t *e)
{
	json_t *a = json_object_get(ps->cases, cas);

	if (a == NULL) {
		a = json_array();
		json_object_set_new(ps->cases, cas, a);
	}
	json_array_append_new(a, e);
}

/* One user coupon in state of stock sid for user u; the case entry
 * (returned, borrowed by the case list) says what the till needs. */
static json_t *
coupon(struct pseed *ps, const char *cas, const char *pcid, const char *sid,
	const char *type, const char *scope, int u, const char *state,
	const char *bundle, int index, int total)
{
	static const char ins[] =
		"INSERT INTO pc_coupons(code, stock_id, product_coupon_id, "
		"openid, appid, state, send_request_no, send_channel, "
		"receive_time, valid_begin, valid_end, confirm_request_no, "
		"confirm_time, use_request_no, use_time, use_order, "
		"deactivate_request_no, deactivate_time, deactivate_reason, "
		"bundle_id, bundle_index, bundle_total) VALUES (?1, ?2, ?3, "
		"?4, ?5, ?6, ?7, 'API', ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, "
		"?16, ?17, ?18, ?19, ?20, ?21)";
	int64_t now = ps->now, recv = now - 2 * DAY, vb = recv,
		ve = now + 30 * DAY;
	int confirmed = strcmp(state, "CONFIRMING") != 0;
	int used = strcmp(state, "USED") == 0;
	int deact = strcmp(state, "DEACTIVATED") == 0;
	char code[32], sreq[40], t[40], *order = NULL;
	json_t *p, *e;

	snprintf(code, sizeof code, "SIMPC%012d", ++ps->n);
	snprintf(sreq, sizeof sreq, "SIMSEND%012d", ps->n);
	if (strcmp(state, "EXPIRED") == 0) {
		vb = now - 40 * DAY;
		ve = now - DAY;
		recv = vb;
	} else if (strcmp(state, "PENDING") == 0) {
		vb = now + 3 * DAY;
	}
	if (used)
		order = xasprintf("{\"transaction_id\":\"42000000%020d\"}",
			ps->n);
	p = json_pack("[sssssssIII]", code, sid, pcid, ps->users[u % 3],
		ps->ids->appid, state, sreq, (json_int_t)recv, (json_int_t)vb,
		(json_int_t)ve);
	json_array_append_new(p, confirmed ? json_sprintf("SIMCONF%012d",
		ps->n) : json_null());
	json_array_append_new(p, confirmed ? json_integer(recv) :
		json_null());
	json_array_append_new(p, used ? json_sprintf("SIMUSE%012d", ps->n) :
		json_null());
	json_array_append_new(p, used ? json_string(sim_rfc3339(now - DAY, t,
		sizeof t)) : json_null());
	json_array_append_new(p, order ? json_string(order) : json_null());
	json_array_append_new(p, deact ? json_sprintf("SIMDEACT%012d",
		ps->n) : json_null());
	json_array_append_new(p, deact ? json_integer(now - DAY) :
		json_null());
	json_array_append_new(p, deact ? json_string("商品已下线") :
		json_null());
	json_array_append_new(p, bundle ? json_string(bundle) : json_null());
	json_array_append_new(p, bundle ? json_integer(index) : json_null());
	json_array_append_new(p, bundle ? json_integer(total) : json_null());
	srun(ps, ins, p);
	free(order);
	e = json_pack("{s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s}",
		"code", code, "openid", ps->users[u % 3], "appid",
		ps->ids->appid, "brand_id", ps->ids->brand_id,
		"product_coupon_id", pcid, "stock_id", sid, "type", type,
		"scope", scope, "usage_mode", bundle ? "PROGRESSIVE_BUNDLE" :
		"SINGLE", "state", state, "valid_end_time", sim_rfc3339(ve, t,
		sizeof t));
	if (bundle != NULL) {
		json_object_set_new(e, "user_coupon_bundle_id",
			json_string(bundle));
		json_object_set_new(e, "bundle_index", json_integer(index));
	}
	add_entry(ps, cas, e);
	return e;
}

/* A product coupon (and its stock, or its bundle of three round stocks)
 * of scope x type; returns the stock ids (new array). */
static json_t *
product(struct pseed *ps, int idx, const char *scope, const char *type,
	int bundle)
{
	static const char insp[] =
		"INSERT INTO pc_products(product_coupon_id, body) VALUES "
		"(?1, ?2)";
	static const char inss[] =
		"INSERT INTO pc_stocks(stock_id, product_coupon_id, state, body) "
		"VALUES (?1, ?2, 'SENDING', ?3)";
	static const char *const skus[] = { "SKU-LATTE", "SKU-CAKE",
		"SKU-AMERICANO" };
	char pcid[24], sid[48], bid[32], name[64], t1[40], t2[40], *txt;
	json_t *pc, *st, *sids = json_array(), *period;
	int rounds = bundle ? 3 : 1, r, single = strcmp(scope, "SINGLE") == 0;

	snprintf(pcid, sizeof pcid, "10000%05d", ps->base + idx);
	snprintf(bid, sizeof bid, "20000%05d", idx);
	snprintf(name, sizeof name, "%s%s%s", single ? "单品" : "全场",
		strcmp(type, "NORMAL") == 0 ? "满减" :
		strcmp(type, "DISCOUNT") == 0 ? "折扣" : "兑换",
		bundle ? "多次优惠" : "");
	pc = json_pack("{s:s,s:s,s:s,s:s,s:{s:s,s:s},s:s,s:s}",
		"product_coupon_id", pcid, "scope", scope, "type", type,
		"usage_mode", bundle ? "PROGRESSIVE_BUNDLE" : "SINGLE",
		"display_info", "name", name, "image_url",
		"https://wxpaylogo.qpic.cn/wxpaylogo/sim/pc.png",
		"state", "EFFECTIVE", "brand_id", ps->ids->brand_id);
	if (single) {
		json_object_set_new(json_object_get(pc, "display_info"),
			"original_price", json_integer(2800));
		json_object_set_new(pc, "out_product_no", json_string(
			skus[idx % 3]));
	}
	if (bundle)
		json_object_set_new(pc, "progressive_bundle_usage_info",
			json_pack("{s:i,s:i}", "count", rounds,
			"interval_days", 0));
	else if (!single)
		json_object_set_new(pc, "single_usage_info", json_pack("{s:o}",
			rule_key(type), rule(type, scope, 0)));
	txt = json_dumps(pc, JSON_COMPACT);
	srun(ps, insp, json_pack("[ss]", pcid, txt));
	free(txt);
	json_decref(pc);
	for (r = 0; r < rounds; r++) {
		snprintf(sid, sizeof sid, "%s%03d", pcid, r + 1);
		period = json_pack("{s:s,s:s}", "available_begin_time",
			sim_rfc3339(ps->now - 60 * DAY, t1, sizeof t1),
			"available_end_time", sim_rfc3339(ps->now + 365 * DAY,
			t2, sizeof t2));
		st = json_pack("{s:s,s:s,s:s,s:s,s:{s:i,s:i},s:{s:i,s:i,s:i},"
			"s:{s:[ss],s:s},s:{s:s,s:s},s:s,s:s,s:s}",
			"product_coupon_id", pcid, "stock_id", sid, "remark",
			name, "coupon_code_mode", "WECHATPAY",
			"coupon_code_count_info", "total_count", 100000,
			"available_count", 99000, "stock_send_rule",
			"max_count", 100000, "max_count_per_day", 10000,
			"max_count_per_user", 10, "usage_rule_display_info",
			"coupon_usage_method_list", "OFFLINE", "PAYMENT_CODE",
			"usage_description", "门店可用", "coupon_display_info",
			"code_display_mode", "BARCODE", "background_color",
			"Color010", "store_scope", "NONE", "state", "SENDING",
			"brand_id", ps->ids->brand_id);
		if (bundle) {
			json_object_set_new(st, "progressive_bundle_usage_rule",
				json_pack("{s:O,s:o}", "coupon_available_period",
				period, rule_key(type), rule(type, scope, r)));
			json_object_set_new(st, "stock_bundle_info", json_pack(
				"{s:s,s:i}", "stock_bundle_id", bid,
				"stock_bundle_index", r));
		} else {
			json_t *sur = json_pack("{s:O}",
				"coupon_available_period", period);

			if (single)
				json_object_set_new(sur, rule_key(type),
					rule(type, scope, 0));
			json_object_set_new(st, "single_usage_rule", sur);
		}
		json_decref(period);
		txt = json_dumps(st, JSON_COMPACT);
		srun(ps, inss, json_pack("[sss]", sid, pcid, txt));
		free(txt);
		json_decref(st);
		json_array_append_new(sids, json_string(sid));
	}
	json_array_append_new(ps->products, json_string(pcid));
	return sids;
}

/* A user's bundle: one coupon per round, rounds before first_free USED. */
static void
bundle_of(struct pseed *ps, const char *cas, int idx, const char *scope,
	const char *type, json_t *sids, int u, int used_rounds)
{
	char bid[40], pcid[24];
	size_t r;

	snprintf(pcid, sizeof pcid, "10000%05d", ps->base + idx);
	snprintf(bid, sizeof bid, "SIMBUNDLE%06d", ps->n + 1);
	for (r = 0; r < json_array_size(sids); r++)
		coupon(ps, cas, pcid, json_string_value(json_array_get(sids,
			r)), type, scope, u, (int)r < used_rounds ? "USED" :
			"EFFECTIVE", bid, (int)r, (int)json_array_size(sids));
}

json_t *
sim_pc_seed(struct simdb *db, const struct sim_ids *ids,
	const char *const users[3], int64_t now, int *err)
{
	static const char *const types[][2] = { { "ALL", "DISCOUNT" },
		{ "ALL", "NORMAL" }, { "SINGLE", "DISCOUNT" },
		{ "SINGLE", "NORMAL" }, { "SINGLE", "EXCHANGE" } };
	struct pseed ps;
	json_t *out, *sids;
	char pcid[24];
	int i;

	if (ids->brand_id[0] == '\0')
		return json_object(); /* a DIR from before 商品券 */
	memset(&ps, 0, sizeof ps);
	ps.db = db;
	ps.ids = ids;
	ps.users = users;
	ps.now = now;
	ps.err = err;
	ps.cases = json_object();
	ps.products = json_array();
	/* a seed --force adds a fresh set: ids after the earlier ones */
	{
		json_t *r = simdb_row(db, "SELECT (SELECT count(*) FROM"
		    " pc_products) AS p, (SELECT count(*) FROM pc_coupons) AS c",
		    NULL);

		ps.base = (int)json_integer_value(json_object_get(r, "p"));
		ps.n = (int)json_integer_value(json_object_get(r, "c"));
		json_decref(r);
	}
	for (i = 0; i < 5; i++) {
		const char *sc = types[i][0], *ty = types[i][1];
		const char *sid;

		snprintf(pcid, sizeof pcid, "10000%05d", ps.base + i + 1);
		sids = product(&ps, i + 1, sc, ty, 0);
		sid = json_string_value(json_array_get(sids, 0));
		coupon(&ps, "valid", pcid, sid, ty, sc, 0, "EFFECTIVE", NULL,
			0, 0);
		if (i == 1) { /* the cashier cases, on 全场满减 */
			coupon(&ps, "confirming", pcid, sid, ty, sc, 0,
				"CONFIRMING", NULL, 0, 0);
			coupon(&ps, "pending", pcid, sid, ty, sc, 0, "PENDING",
				NULL, 0, 0);
			coupon(&ps, "used", pcid, sid, ty, sc, 0, "USED", NULL,
				0, 0);
			coupon(&ps, "expired", pcid, sid, ty, sc, 0, "EXPIRED",
				NULL, 0, 0);
			coupon(&ps, "deactivated", pcid, sid, ty, sc, 0,
				"DEACTIVATED", NULL, 0, 0);
			/* user 1's coupon: the till that names user 0 is
			 * told it does not exist */
			json_object_set_new(coupon(&ps, "other_user", pcid,
				sid, ty, sc, 1, "EFFECTIVE", NULL, 0, 0),
				"wrong_openid", json_string(users[0]));
		}
		json_decref(sids);
	}
	for (i = 0; i < 5; i++) {
		sids = product(&ps, i + 6, types[i][0], types[i][1], 1);
		/* "bundle": each type's three rounds, none used yet */
		bundle_of(&ps, "bundle", i + 6, types[i][0], types[i][1], sids,
			0, 0);
		if (i == 1) /* round 0 used: round 1 is next */
			bundle_of(&ps, "bundle_one_used", i + 6, types[i][0],
				types[i][1], sids, 0, 1);
		json_decref(sids);
	}
	out = json_pack("{s:s,s:s,s:o,s:o}", "brand_id", ids->brand_id,
		"appid", ids->appid, "products", ps.products, "cases",
		ps.cases);
	return out;
}

json_t *
sim_pc_import(const json_t *product)
{
	json_t *out = json_array(), *lst, *e, *c;
	const char *kase;
	size_t i;

	json_object_foreach((json_t *)json_object_get(product, "cases"),
		kase, lst) {
		json_array_foreach(lst, i, e) {
			const json_t *wrong = json_object_get(e, "wrong_openid");

			/* other_user: the registry believes it is the paying
			 * customer's */
			c = json_pack("{s:O,s:O,s:O,s:O,s:O,s:O,s:O,s:O}",
				"coupon_code", json_object_get(e, "code"),
				"openid", wrong != NULL ? wrong :
				json_object_get(e, "openid"),
				"appid", json_object_get(e, "appid"),
				"brand_id", json_object_get(e, "brand_id"),
				"product_coupon_id", json_object_get(e,
				"product_coupon_id"),
				"stock_id", json_object_get(e, "stock_id"),
				"coupon_state", json_object_get(e, "state"),
				"valid_end_time", json_object_get(e,
				"valid_end_time"));
			if (c == NULL)
				continue;
			if (json_object_get(e, "user_coupon_bundle_id") != NULL)
				json_object_set_new(c,
					"user_product_coupon_bundle_info",
					json_pack("{s:O,s:O,s:i}",
					"user_coupon_bundle_id",
					json_object_get(e,
					"user_coupon_bundle_id"),
					"user_coupon_bundle_index",
					json_object_get(e, "bundle_index"),
					"total_count", 3));
			json_array_append_new(out, c);
		}
	}
	return json_pack("{s:o}", "coupons", out);
}
