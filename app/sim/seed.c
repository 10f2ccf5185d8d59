/*
 * seed.c — `quan sim seed DIR`: stocks of every type and code mode, cards
 * of every type (custom and WeChat codes), and coupons for every case a
 * cashier meets, written straight into DIR/sim.db (the server need not
 * run; if it does, SQLite's locking keeps both consistent). Writes
 * DIR/seed.json (codes by case) and the import files quan accepts:
 * DIR/import/stocks.json (GET-stock objects), DIR/import/cards.json
 * (card objects of /card/get), DIR/import/codes.csv, DIR/import/product.json
 * (商品券 registry rows for `quan import product`).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "sim/sim_int.h"
#include "util/err.h"
#include "util/log.h"
#include "util/tm.h"
#include "util/xmem.h"

#define DAY 86400

struct seeder {
	struct sim s;
	int64_t now;
	json_t *mcases;   /* case -> [entries] */
	json_t *ccases;
	json_t *stocks;   /* stock ids */
	json_t *cards;    /* card ids */
	json_t *csv;      /* lines */
	const char *users[3];
	int n;            /* code counter */
	int err;
};

static void
add_case(json_t *cases, const char *name, json_t *entry)
{
	json_t *arr = json_object_get(cases, name);

	if (arr == NULL) {
		arr = json_array();
		json_object_set_new(cases, name, arr);
	}
	json_array_append_new(arr, entry);
}

static void
run(struct seeder *sd, const char *sql, json_t *p)
{
	if (simdb_run(sd->s.db, sql, p, NULL) != 0)
		sd->err = 1;
	json_decref(p);
}

/* ---- stocks ----------------------------------------------------------- */

static json_t *
stock_req(struct seeder *sd, const char *name, const char *type,
	const char *mode, int64_t amount, int64_t minimum, json_t *week)
{
	char b[40], e[40], orn[64];
	json_t *cat, *rule, *o;

	snprintf(orn, sizeof orn, "seed-%lld-%s", (long long)sd->now, name);
	cat = json_pack("{s:s,s:s}", "available_begin_time",
		sim_rfc3339(sd->now - 30 * DAY, b, sizeof b),
		"available_end_time",
		sim_rfc3339(sd->now + 300 * DAY, e, sizeof e));
	if (week != NULL)
		json_object_set_new(cat, "available_week", week);
	rule = json_pack("{s:o,s:s}", "coupon_available_time", cat,
		"use_method", "OFF_LINE");
	if (strcmp(type, "NORMAL") == 0)
		json_object_set_new(rule, "fixed_normal_coupon", json_pack(
			"{s:I,s:I}", "discount_amount", (json_int_t)amount,
			"transaction_minimum", (json_int_t)minimum));
	else if (strcmp(type, "DISCOUNT") == 0)
		json_object_set_new(rule, "discount_coupon", json_pack(
			"{s:I,s:I}", "discount_percent", (json_int_t)amount,
			"transaction_minimum", (json_int_t)minimum));
	else
		json_object_set_new(rule, "exchange_coupon", json_pack(
			"{s:I,s:I}", "exchange_price", (json_int_t)amount,
			"transaction_minimum", (json_int_t)minimum));
	o = json_pack("{s:s,s:s,s:s,s:s,s:s,s:o,s:{s:i,s:i,s:b,s:b},"
		"s:s,s:{s:s},s:{s:s,s:s},s:s}",
		"stock_name", name, "belong_merchant", sd->s.ids.mchid,
		"comment", "quan sim seed", "goods_name", "演示商品",
		"stock_type", type, "coupon_use_rule", rule,
		"stock_send_rule", "max_coupons", 100000,
		"max_coupons_per_user", 100, "natural_person_limit", 0,
		"prevent_api_abuse", 0,
		"out_request_no", orn,
		"custom_entrance", "code_display_mode", "BARCODE",
		"display_pattern_info", "description", "quan 模拟器种子批次",
		"background_color", "Color020",
		"coupon_code_mode", mode);
	return o;
}

static char *
make_stock(struct seeder *sd, const char *name, const char *type,
	const char *mode, int64_t amount, int64_t minimum, json_t *week,
	const char *state)
{
	static const char next[] = "SELECT count(*) AS n FROM stocks";
	static const char ins[] =
		"INSERT INTO stocks(stock_id, out_request_no, code_mode, state,"
		" body, created) VALUES (?1, ?2, ?3, ?4, ?5, ?6)";
	json_t *req = stock_req(sd, name, type, mode, amount, minimum, week);
	json_t *r = simdb_row(sd->s.db, next, NULL);
	char id[32], *txt;

	snprintf(id, sizeof id, "%lld", 1288000000000LL +
		(long long)json_integer_value(json_object_get(r, "n")) + 1);
	json_decref(r);
	txt = json_dumps(req, JSON_COMPACT);
	run(sd, ins, json_pack("[ssss sI]", id, json_string_value(
		json_object_get(req, "out_request_no")), mode, state, txt,
		(json_int_t)sd->now));
	free(txt);
	json_decref(req);
	json_array_append_new(sd->stocks, json_string(id));
	return xstrdup(id);
}

/* Issue a coupon of stock sid in state, window [start, expire]. */
static void
make_coupon(struct seeder *sd, const char *cas, const char *sid,
	const char *type, const char *mode, const char *state, int64_t start,
	int64_t expire, int user, json_t *extra)
{
	static const char ins[] =
		"INSERT INTO coupons(code, stock_id, openid, appid, state, "
		"send_request_no, receive_time, start_time, expire_time, "
		"use_request_no, use_time, used_at, deactivate_request_no, "
		"deactivate_time, deactivate_reason) VALUES (?1, ?2, ?3, ?4, "
		"?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15)";
	static const char up[] =
		"INSERT INTO upload_codes(stock_id, code, status, upload_time, "
		"dispatched_time, openid) VALUES (?1, ?2, 'DISPATCHED', ?3, "
		"?3, ?4)";
	static const char led[] =
		"INSERT INTO ledger(at, kind, code, ref, request_no) "
		"VALUES (?1, ?2, ?3, ?4, ?5)";
	char code[40], srn[48], urn[48], ut[40], rt[40];
	const char *openid = sd->users[user % 3];
	int used = strcmp(state, "USED") == 0;
	int deact = strcmp(state, "DEACTIVATED") == 0;
	int64_t recv = start < sd->now ? start : sd->now - DAY;
	json_t *e;

	sd->n++;
	if (strcmp(mode, "WECHATPAY_MODE") == 0) {
		code[0] = '1';
		sim_rand_digits(code + 1, 21);
	} else if (strcmp(mode, "MERCHANT_API") == 0) {
		char tail[16];

		sim_rand_alnum(tail, 10);
		snprintf(code, sizeof code, "QA%03d%s", sd->n, tail);
	} else {
		char tail[16];

		sim_rand_digits(tail, 10);
		snprintf(code, sizeof code, "QU%03d%s", sd->n, tail);
	}
	snprintf(srn, sizeof srn, "SEEDSEND%lld%03d", (long long)sd->now,
		sd->n);
	snprintf(urn, sizeof urn, "SEEDUSE%lld%03d", (long long)sd->now,
		sd->n);
	sim_rfc3339(sd->now - 3600, ut, sizeof ut);
	if (strcmp(mode, "MERCHANT_UPLOAD") == 0)
		run(sd, up, json_pack("[ssIs]", sid, code, (json_int_t)recv,
			openid));
	run(sd, ins, json_pack("[sssss sIII ooo ooo]", code, sid, openid,
		sd->s.ids.appid, state, srn, (json_int_t)recv,
		(json_int_t)start, (json_int_t)expire,
		used ? json_string(urn) : json_null(),
		used ? json_string(ut) : json_null(),
		used ? json_integer(sd->now - 3600) : json_null(),
		deact ? json_string(urn) : json_null(),
		deact ? json_integer(sd->now - 3600) : json_null(),
		deact ? json_string("seed: deactivated") : json_null()));
	if (used || deact)
		run(sd, led, json_pack("[Isss s]", (json_int_t)(sd->now - 3600),
			used ? "use" : "deactivate", code, sid, urn));
	e = json_pack("{s:s,s:s,s:s,s:s,s:s,s:s,s:s}", "code", code,
		"stock_id", sid, "openid", openid, "stock_type", type,
		"coupon_code_mode", mode, "available_start_time",
		sim_rfc3339(start, ut, sizeof ut), "expire_time",
		sim_rfc3339(expire, rt, sizeof rt));
	if (extra != NULL) {
		json_object_update(e, extra);
		json_decref(extra);
	}
	add_case(sd->mcases, cas, e);
	json_array_append_new(sd->csv, json_sprintf("%s,merchant,%s,%s,%s",
		code, sid, openid, sim_rfc3339(recv, rt, sizeof rt)));
}

static void
seed_merchant(struct seeder *sd)
{
	static const char *const types[] = {"NORMAL", "DISCOUNT", "EXCHANGE"};
	static const char *const modes[] = {"WECHATPAY_MODE", "MERCHANT_API",
		"MERCHANT_UPLOAD"};
	static const int64_t amount[] = {500, 88, 100};
	int64_t now = sd->now, end = now + 300 * DAY;
	char *nid = NULL, *wid = NULL, *week = NULL, *minid = NULL;
	char *paused = NULL, name[32];
	int t, m, k, wd;
	json_t *w;

	for (t = 0; t < 3; t++)
		for (m = 0; m < 3; m++) {
			char *id;

			snprintf(name, sizeof name, "%s %s", types[t],
				m == 0 ? "微信码" : m == 1 ? "商户API码" :
				"商户预存码");
			id = make_stock(sd, name, types[t], modes[m],
				amount[t], 1000, NULL, "RUNNING");
			for (k = 0; k < 3; k++)
				make_coupon(sd, "valid", id, types[t],
					modes[m], "SENDED", now - DAY, end, k,
					NULL);
			if (t == 0 && m == 0)
				nid = id;
			else if (t == 0 && m == 1)
				wid = id;
			else
				free(id);
		}
	/* more redeemable coupons for demos and the sync engineer */
	for (k = 0; k < 6; k++)
		make_coupon(sd, "valid", nid, "NORMAL", "WECHATPAY_MODE",
			"SENDED", now - DAY, end, k, NULL);
	make_coupon(sd, "expired", nid, "NORMAL", "WECHATPAY_MODE", "SENDED",
		now - 20 * DAY, now - DAY, 0, NULL);
	make_coupon(sd, "expired", wid, "NORMAL", "MERCHANT_API", "SENDED",
		now - 20 * DAY, now - DAY, 1, NULL);
	make_coupon(sd, "not_yet_valid", nid, "NORMAL", "WECHATPAY_MODE",
		"SENDED", now + 2 * DAY, end, 0, NULL);
	make_coupon(sd, "not_yet_valid", wid, "NORMAL", "MERCHANT_API",
		"SENDED", now + 2 * DAY, end, 1, NULL);
	make_coupon(sd, "used", nid, "NORMAL", "WECHATPAY_MODE", "USED",
		now - DAY, end, 2, NULL);
	make_coupon(sd, "used", wid, "NORMAL", "MERCHANT_API", "USED",
		now - DAY, end, 0, NULL);
	make_coupon(sd, "deactivated", nid, "NORMAL", "WECHATPAY_MODE",
		"DEACTIVATED", now - DAY, end, 1, NULL);
	make_coupon(sd, "deactivated", wid, "NORMAL", "MERCHANT_API",
		"DEACTIVATED", now - DAY, end, 2, NULL);
	/* usable one minute a week, three days from now (03:00 +08:00) */
	wd = (int)((((now + 8 * 3600) / DAY) + 4 + 3) % 7);
	w = json_pack("{s:[i],s:[{s:i,s:i}]}", "week_day", wd,
		"available_day_time", "begin_time", 10800, "end_time", 10859);
	week = make_stock(sd, "每周窗口券", "NORMAL", "MERCHANT_API", 300,
		1000, w, "RUNNING");
	make_coupon(sd, "outside_window", week, "NORMAL", "MERCHANT_API",
		"SENDED", now - DAY, end, 0, json_pack("{s:i,s:s}",
		"week_day", wd, "day_time", "03:00:00-03:00:59 +08:00"));
	minid = make_stock(sd, "高门槛券", "NORMAL", "MERCHANT_API", 1000,
		1000000, NULL, "RUNNING");
	make_coupon(sd, "below_minimum", minid, "NORMAL", "MERCHANT_API",
		"SENDED", now - DAY, end, 1, json_pack("{s:i}",
		"transaction_minimum", 1000000));
	paused = make_stock(sd, "暂停批次", "NORMAL", "MERCHANT_API", 500,
		1000, NULL, "PAUSED");
	make_coupon(sd, "stock_paused", paused, "NORMAL", "MERCHANT_API",
		"SENDED", now - DAY, end, 2, NULL);
	{
		char u1[40], u2[40];

		u1[0] = '9';
		sim_rand_digits(u1 + 1, 21);
		sim_rand_alnum(u2 + 2, 12);
		u2[0] = 'Q';
		u2[1] = 'X';
		add_case(sd->mcases, "unknown", json_pack("{s:s}", "code", u1));
		add_case(sd->mcases, "unknown", json_pack("{s:s,s:s}", "code",
			u2, "stock_id", wid));
	}
	free(nid);
	free(wid);
	free(week);
	free(minid);
	free(paused);
}

/* ---- cards ------------------------------------------------------------ */

static char *
make_card(struct seeder *sd, const char *type, int custom, int64_t least,
	int64_t reduce)
{
	static const char ins[] =
		"INSERT INTO cards(card_id, card_type, status, custom_code, "
		"body) VALUES (?1, ?2, 'CARD_STATUS_VERIFY_OK', ?3, ?4)";
	char id[40], lower[32], title[64], *txt;
	json_t *base, *inner, *card;
	size_t i;

	id[0] = 'p';
	sim_rand_alnum(id + 1, 27);
	for (i = 0; type[i] && i < sizeof lower - 1; i++)
		lower[i] = (char)(type[i] >= 'A' && type[i] <= 'Z' ?
			type[i] - 'A' + 'a' : type[i]);
	lower[i] = '\0';
	snprintf(title, sizeof title, "演示%s%s", type, custom ? "(自定义码)" :
		"");
	base = json_pack("{s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:b,"
		"s:{s:s,s:I,s:I},s:{s:i},s:i,s:i,s:b,s:b,s:b}",
		"id", id, "status", "CARD_STATUS_VERIFY_OK",
		"logo_url", "https://mmbiz.qpic.cn/quan-sim/logo.png",
		"brand_name", "quan演示", "title", title,
		"sub_title", "quan sim seed", "notice", "请出示二维码核销",
		"description", "模拟器生成的卡券", "color", "Color010",
		"use_custom_code", custom,
		"date_info", "type", "DATE_TYPE_FIX_TIME_RANGE",
		"begin_timestamp", (json_int_t)(sd->now - 30 * DAY),
		"end_timestamp", (json_int_t)(sd->now + 300 * DAY),
		"sku", "quantity", 100000, "get_limit", 10, "use_limit", 10,
		"can_share", 0, "can_give_friend", 0, "use_all_locations", 1);
	json_object_set_new(base, "code_type", json_string(custom ?
		"CODE_TYPE_BARCODE" : "CODE_TYPE_QRCODE"));
	if (custom)
		json_object_set_new(base, "get_custom_code_mode",
			json_string("GET_CUSTOM_CODE_MODE_DEPOSIT"));
	inner = json_pack("{s:o,s:{s:{s:b}}}", "base_info", base,
		"advanced_info", "use_condition",
		"can_use_with_other_discount", 1);
	if (strcmp(type, "CASH") == 0) {
		json_object_set_new(inner, "least_cost", json_integer(least));
		json_object_set_new(inner, "reduce_cost",
			json_integer(reduce));
	} else if (strcmp(type, "DISCOUNT") == 0) {
		json_object_set_new(inner, "discount", json_integer(reduce));
	} else if (strcmp(type, "GIFT") == 0) {
		json_object_set_new(inner, "gift", json_string("咖啡一杯"));
	} else if (strcmp(type, "GROUPON") == 0) {
		json_object_set_new(inner, "deal_detail",
			json_string("双人套餐一份"));
	} else {
		json_object_set_new(inner, "default_detail",
			json_string("全场通用优惠"));
	}
	card = json_pack("{s:s,s:o}", "card_type", type, lower, inner);
	txt = json_dumps(card, JSON_COMPACT);
	run(sd, ins, json_pack("[ssis]", id, type, custom, txt));
	free(txt);
	json_decref(card);
	json_array_append_new(sd->cards, json_string(id));
	return xstrdup(id);
}

static void
make_code(struct seeder *sd, const char *cas, const char *card_id,
	const char *type, int custom, const char *status, int64_t begin,
	int64_t end, int user)
{
	static const char ins[] =
		"INSERT INTO card_codes(card_id, code, openid, status, "
		"begin_time, end_time, consumed_at) VALUES (?1, ?2, ?3, ?4, "
		"?5, ?6, ?7)";
	static const char led[] =
		"INSERT INTO ledger(at, kind, code, ref, request_no) "
		"VALUES (?1, 'card_consume', ?2, ?3, NULL)";
	char code[40], rt[40], *enc;
	const char *openid = sd->users[user % 3];
	int consumed = strcmp(status, "CONSUMED") == 0;
	json_t *e;

	sd->n++;
	if (custom) {
		char tail[16];

		sim_rand_digits(tail, 9);
		snprintf(code, sizeof code, "QC%03d%s", sd->n % 1000, tail);
	} else {
		sim_rand_digits(code, 12);
		code[0] = code[0] == '0' ? '8' : code[0];
	}
	run(sd, ins, json_pack("[ssssIIo]", card_id, code, openid, status,
		(json_int_t)begin, (json_int_t)end, consumed ?
		json_integer(sd->now - 3600) : json_null()));
	if (consumed)
		run(sd, led, json_pack("[Iss]", (json_int_t)(sd->now - 3600),
			code, card_id));
	enc = sim_card_encrypt_code(sd->s.card_secret, code);
	e = json_pack("{s:s,s:s,s:s,s:b,s:s,s:I,s:I,s:s}", "code", code,
		"card_id", card_id, "card_type", type, "custom_code", custom,
		"openid", openid, "begin_time", (json_int_t)begin, "end_time",
		(json_int_t)end, "encrypt_code", enc ? enc : "");
	free(enc);
	add_case(sd->ccases, cas, e);
	json_array_append_new(sd->csv, json_sprintf("%s,card,%s,%s,%s", code,
		card_id, openid, sim_rfc3339(begin < sd->now ? begin :
		sd->now - DAY, rt, sizeof rt)));
}

static void
seed_cards(struct seeder *sd)
{
	static const char *const types[] = {"CASH", "DISCOUNT", "GIFT",
		"GROUPON", "GENERAL_COUPON"};
	int64_t now = sd->now, end = now + 300 * DAY;
	char *first = NULL, *custom_cash = NULL, *hi;
	int t, custom, k;

	for (t = 0; t < 5; t++)
		for (custom = 0; custom < 2; custom++) {
			char *id = make_card(sd, types[t], custom, 1000,
				t == 1 ? 20 : 300);

			for (k = 0; k < 3; k++)
				make_code(sd, "valid", id, types[t], custom,
					"NORMAL", now - DAY, end, k);
			if (t == 0 && custom == 0)
				first = id;
			else if (t == 0)
				custom_cash = id;
			else
				free(id);
		}
	make_code(sd, "consumed", first, "CASH", 0, "CONSUMED", now - DAY,
		end, 0);
	make_code(sd, "consumed", custom_cash, "CASH", 1, "CONSUMED",
		now - DAY, end, 1);
	make_code(sd, "expired", first, "CASH", 0, "NORMAL", now - 20 * DAY,
		now - DAY, 1);
	make_code(sd, "not_yet_valid", first, "CASH", 0, "NORMAL",
		now + 2 * DAY, end, 2);
	make_code(sd, "unavailable", first, "CASH", 0, "UNAVAILABLE",
		now - DAY, end, 0);
	make_code(sd, "deleted", custom_cash, "CASH", 1, "DELETE", now - DAY,
		end, 1);
	hi = make_card(sd, "CASH", 0, 1000000, 1000);
	make_code(sd, "below_minimum", hi, "CASH", 0, "NORMAL", now - DAY,
		end, 2);
	{
		char u[16];

		sim_rand_digits(u, 12);
		u[0] = '7';
		add_case(sd->ccases, "unknown", json_pack("{s:s}", "code", u));
		add_case(sd->ccases, "unknown", json_pack("{s:s,s:s}", "code",
			"QC999NOSUCHCODE", "card_id", custom_cash));
	}
	free(first);
	free(custom_cash);
	free(hi);
}

/* ---- files ------------------------------------------------------------ */

static int
dump(const char *dir, const char *name, json_t *j, char **cause)
{
	char *p = sim_path(dir, name);
	int rc = json_dump_file(j, p, JSON_INDENT(2));

	if (rc != 0)
		*cause = xasprintf("cannot write %s", p);
	free(p);
	return rc ? QUAN_EIO : 0;
}

static int
write_imports(struct seeder *sd, const char *dir, char **cause)
{
	static const char stocks[] =
		"SELECT stock_id, code_mode, state, body FROM stocks "
		"ORDER BY stock_id";
	static const char cards[] =
		"SELECT body FROM cards ORDER BY card_id";
	json_t *rows = NULL, *arr, *x;
	char *p;
	size_t i;
	FILE *fp;
	int rc;

	p = sim_path(dir, "import");
	if (mkdir(p, 0755) != 0 && errno != EEXIST) {
		*cause = xasprintf("mkdir %s: %s", p, strerror(errno));
		free(p);
		return QUAN_EIO;
	}
	free(p);
	arr = json_array();
	simdb_run(sd->s.db, stocks, NULL, &rows);
	json_array_foreach(rows, i, x)
		json_array_append_new(arr, sim_stock_object(&sd->s, x));
	json_decref(rows);
	rc = dump(dir, "import/stocks.json", arr, cause);
	json_decref(arr);
	if (rc != 0)
		return rc;
	arr = json_array();
	simdb_run(sd->s.db, cards, NULL, &rows);
	json_array_foreach(rows, i, x)
		json_array_append_new(arr, json_loads(json_string_value(
			json_object_get(x, "body")), 0, NULL));
	json_decref(rows);
	rc = dump(dir, "import/cards.json", arr, cause);
	json_decref(arr);
	if (rc != 0)
		return rc;
	p = sim_path(dir, "import/codes.csv");
	fp = fopen(p, "w");
	if (fp == NULL) {
		*cause = xasprintf("%s: %s", p, strerror(errno));
		free(p);
		return QUAN_EIO;
	}
	json_array_foreach(sd->csv, i, x)
		fprintf(fp, "%s\n", json_string_value(x));
	rc = fclose(fp) == 0 ? 0 : QUAN_EIO;
	if (rc != 0)
		*cause = xasprintf("%s: write failed", p);
	free(p);
	return rc;
}

int
sim_seed(const char *dir, int force, char **cause)
{
	static const char seeded[] =
		"SELECT v FROM meta WHERE k = 'seeded'";
	static const char mark[] =
		"INSERT INTO meta(k, v) VALUES ('seeded', ?1) "
		"ON CONFLICT(k) DO UPDATE SET v = excluded.v";
	struct seeder sd;
	json_t *r, *out = NULL, *pay = NULL, *product = NULL;
	char *p, t[40];
	int rc;

	memset(&sd, 0, sizeof sd);
	if ((rc = sim_ids_load(dir, &sd.s.ids, cause)) != 0)
		return rc;
	p = sim_path(dir, "card.secret");
	rc = wx_secret_read(p, 128, &sd.s.card_secret, cause);
	free(p);
	if (rc != 0)
		return rc;
	p = sim_path(dir, "sim.db");
	rc = sim_db_open(p, &sd.s.db, cause);
	free(p);
	if (rc != 0)
		goto out;
	r = simdb_row(sd.s.db, seeded, NULL);
	if (r != NULL && !force) {
		*cause = xasprintf("%s was seeded at %s already (see "
			"%s/seed.json; --force adds a fresh set)", dir,
			json_string_value(json_object_get(r, "v")), dir);
		json_decref(r);
		rc = QUAN_EEXIST;
		goto out;
	}
	json_decref(r);
	sd.now = tm_now();
	sd.users[0] = "oSIMuser00000000000000000001";
	sd.users[1] = "oSIMuser00000000000000000002";
	sd.users[2] = "oSIMuser00000000000000000003";
	sd.mcases = json_object();
	sd.ccases = json_object();
	sd.stocks = json_array();
	sd.cards = json_array();
	sd.csv = json_array();
	if (simdb_begin(sd.s.db) != 0) {
		*cause = xstrdup("database busy");
		rc = QUAN_EBUSY;
		goto out;
	}
	seed_merchant(&sd);
	seed_cards(&sd);
	pay = sim_pay_seed(sd.s.db, sd.users, &sd.err);
	product = sim_pc_seed(sd.s.db, &sd.s.ids, sd.users, sd.now, &sd.err);
	run(&sd, mark, json_pack("[s]", sim_rfc3339(sd.now, t, sizeof t)));
	if (sd.err || simdb_commit(sd.s.db) != 0) {
		simdb_rollback(sd.s.db);
		*cause = xstrdup("writing the seed into sim.db failed");
		rc = QUAN_EIO;
		goto out;
	}
	out = json_pack("{s:s,s:s,s:s,s:s,s:O,s:O,s:O,s:O,s:[sss]}",
		"seeded_at", t, "mchid", sd.s.ids.mchid, "appid",
		sd.s.ids.appid, "card_appid", sd.s.ids.card_appid,
		"merchant", sd.mcases, "card", sd.ccases, "stocks", sd.stocks,
		"cards", sd.cards, "openids", sd.users[0], sd.users[1],
		sd.users[2]);
	json_object_set(out, "pay", pay);
	json_object_set(out, "product", product);
	if ((rc = dump(dir, "seed.json", out, cause)) != 0 ||
	    (rc = write_imports(&sd, dir, cause)) != 0)
		goto out;
	if (json_object_get(product, "cases") != NULL) {
		json_t *imp = sim_pc_import(product);

		rc = dump(dir, "import/product.json", imp, cause);
		json_decref(imp);
		if (rc != 0)
			goto out;
	}
	printf("seeded %s: %zu stocks, %zu cards; codes by case in "
		"%s/seed.json, import files in %s/import/\n", dir,
		json_array_size(sd.stocks), json_array_size(sd.cards), dir,
		dir);
out:
	json_decref(out);
	json_decref(pay);
	json_decref(product);
	json_decref(sd.mcases);
	json_decref(sd.ccases);
	json_decref(sd.stocks);
	json_decref(sd.cards);
	json_decref(sd.csv);
	wx_wipe_free(sd.s.card_secret);
	simdb_close(sd.s.db);
	return rc;
}
