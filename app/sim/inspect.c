/*
 * inspect.c — `quan sim inspect DIR [--json]`: what the simulator saw.
 * Per coupon (and card code) the number of redemptions, returns and
 * deactivations from the ledger — a coupon redeemed more than once net of
 * returns is a defect in the client or the simulator —, 商品券 uses and
 * returns from pc_ledger (the same rule), payments per
 * out_trade_no from pay_ledger (charged more than once is a defect),
 * request counts by endpoint and status, and the callback delivery log.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim/sim_int.h"
#include "util/err.h"
#include "util/xmem.h"

int
sim_inspect(const char *dir, int json, int *defects, char **cause)
{
	static const char led[] =
		"SELECT code, ref, "
		" sum(kind = 'use') AS uses, sum(kind = 'return') AS returns,"
		" sum(kind = 'card_consume') AS consumes,"
		" sum(kind = 'deactivate') AS deactivations,"
		" min(at) AS first_at, max(at) AS last_at "
		"FROM ledger GROUP BY code, ref ORDER BY code, ref";
	static const char stats[] =
		"SELECT endpoint, status, n FROM stats ORDER BY endpoint, "
		"status";
	static const char cbs[] =
		"SELECT id, created, coupon_code, stock_id, url, state, "
		"attempts, last_status, last_error, delivered_at FROM "
		"callbacks ORDER BY created, id";
	static const char pays[] =
		"SELECT out_trade_no, sum(kind = 'pay') AS pays,"
		" sum(kind = 'reverse') AS reverses,"
		" sum(CASE kind WHEN 'pay' THEN payer ELSE -payer END) AS net "
		"FROM pay_ledger GROUP BY out_trade_no ORDER BY out_trade_no";
	static const char pcled[] =
		"SELECT code, stock_id AS ref, sum(kind = 'use') AS uses,"
		" sum(kind = 'return') AS returns FROM pc_ledger"
		" GROUP BY code, stock_id ORDER BY code, stock_id";
	struct simdb *db = NULL;
	json_t *pc = NULL;
	json_int_t total_pc = 0;
	json_t *rows = NULL, *st = NULL, *cb = NULL, *pl = NULL, *red, *out;
	json_t *x, *pdef;
	json_int_t npaid = 0, nrev = 0, net = 0;
	json_int_t total_uses = 0, total_consumes = 0;
	char *p;
	size_t i;
	int rc;

	*defects = 0;
	p = sim_path(dir, "sim.db");
	rc = sim_db_open(p, &db, cause);
	free(p);
	if (rc != 0)
		return rc;
	if (simdb_run(db, led, NULL, &rows) != 0 ||
	    simdb_run(db, stats, NULL, &st) != 0 ||
	    simdb_run(db, cbs, NULL, &cb) != 0 ||
	    simdb_run(db, pays, NULL, &pl) != 0 ||
	    simdb_run(db, pcled, NULL, &pc) != 0) {
		*cause = xstrdup("cannot read sim.db");
		rc = QUAN_EIO;
		goto out;
	}
	red = json_array();
	json_array_foreach(rows, i, x) {
		json_int_t u = json_integer_value(json_object_get(x, "uses"));
		json_int_t r = json_integer_value(json_object_get(x,
			"returns"));
		json_int_t cc = json_integer_value(json_object_get(x,
			"consumes"));
		int defect = u > r + 1 || cc > 1;

		total_uses += u;
		total_consumes += cc;
		if (u == 0 && cc == 0)
			continue;
		if (defect)
			(*defects)++;
		json_array_append_new(red, json_pack(
			"{s:O,s:s,s:O,s:I,s:I,s:I,s:b}", "code",
			json_object_get(x, "code"), "kind", cc > 0 ? "card" :
			"merchant", cc > 0 ? "card_id" : "stock_id",
			json_object_get(x, "ref"), "redemptions", cc > 0 ? cc :
			u, "returns", r, "deactivations",
			json_integer_value(json_object_get(x,
			"deactivations")), "defect", defect));
	}
	json_array_foreach(pc, i, x) {
		json_int_t u = json_integer_value(json_object_get(x, "uses"));
		json_int_t r = json_integer_value(json_object_get(x,
			"returns"));
		int defect = u > r + 1;

		total_pc += u;
		if (u == 0)
			continue;
		if (defect)
			(*defects)++;
		json_array_append_new(red, json_pack(
			"{s:O,s:s,s:O,s:I,s:I,s:I,s:b}", "code",
			json_object_get(x, "code"), "kind", "product",
			"stock_id", json_object_get(x, "ref"), "redemptions", u,
			"returns", r, "deactivations", (json_int_t)0, "defect",
			defect));
	}
	pdef = json_array();
	json_array_foreach(pl, i, x) {
		json_int_t n = json_integer_value(json_object_get(x, "pays"));

		npaid += n;
		nrev += json_integer_value(json_object_get(x, "reverses"));
		net += json_integer_value(json_object_get(x, "net"));
		if (n > 1) {
			(*defects)++;
			json_array_append(pdef, x);
		}
	}
	{
		json_t *by = json_object();

		json_array_foreach(st, i, x) {
			char k[16];
			json_t *v;

			snprintf(k, sizeof k, "%lld", (long long)
				json_integer_value(json_object_get(x,
				"status")));
			v = json_object_get(by, k);
			json_object_set_new(by, k, json_integer(
				json_integer_value(v) + json_integer_value(
				json_object_get(x, "n"))));
		}
		out = json_pack("{s:I,s:I,s:I,s:i,s:o,s:o,s:O,s:O,"
			"s:{s:I,s:I,s:I,s:o}}",
			"total_redemptions", total_uses,
			"total_card_consumes", total_consumes,
			"total_product_uses", total_pc, "defects",
			*defects, "redemptions", red, "requests_by_status", by,
			"requests", st, "callbacks", cb, "payments", "charges",
			npaid, "reverses", nrev, "net_payer_fen", net,
			"charged_twice", pdef);
	}
	if (json) {
		json_dumpf(out, stdout, JSON_INDENT(2));
		printf("\n");
	} else {
		printf("redemptions: %lld merchant, %lld card, %lld product "
			"(商品券); defects (redeemed more than once): %d\n",
			(long long)total_uses, (long long)total_consumes,
			(long long)total_pc, *defects);
		json_array_foreach(red, i, x)
			if (json_is_true(json_object_get(x, "defect")))
				printf("  DEFECT %s %s redeemed %lld times\n",
					json_string_value(json_object_get(x,
					"code")), json_string_value(
					json_object_get(x, "kind")),
					(long long)json_integer_value(
					json_object_get(x, "redemptions")));
		printf("payments: %lld charges, %lld reversed, customers "
			"paid %lld fen net; charged more than once: %zu\n",
			(long long)npaid, (long long)nrev, (long long)net,
			json_array_size(pdef));
		printf("requests:\n");
		json_array_foreach(st, i, x)
			printf("  %-60s %3lld %6lld\n", json_string_value(
				json_object_get(x, "endpoint")),
				(long long)json_integer_value(json_object_get(
				x, "status")), (long long)json_integer_value(
				json_object_get(x, "n")));
		printf("callbacks:\n");
		json_array_foreach(cb, i, x)
			printf("  %s %s %s attempts=%lld last=%lld %s\n",
				json_string_value(json_object_get(x, "id")),
				json_string_value(json_object_get(x,
				"coupon_code")), json_string_value(
				json_object_get(x, "state")),
				(long long)json_integer_value(json_object_get(
				x, "attempts")), (long long)json_integer_value(
				json_object_get(x, "last_status")),
				json_string_value(json_object_get(x,
				"last_error")) ? json_string_value(
				json_object_get(x, "last_error")) : "");
	}
	json_decref(out);
out:
	json_decref(rows);
	json_decref(st);
	json_decref(cb);
	json_decref(pl);
	json_decref(pc);
	simdb_close(db);
	return rc;
}
