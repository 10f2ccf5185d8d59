/*
 * cmd_report.c — `quan report`: the day's redemptions by kind and state,
 * offline exposure, the outbox, payments, conflicts and rejections, the
 * hub's conflicts; `quan report --chain` (the store hub's view) is
 * app/cli/cmd_hub.c's.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "cli/cli_common.h"
#include "cli/cli_hub.h"
#include "cli/cmd.h"
#include "core/report.h"
#include "util/money.h"

static int64_t
rep_int(const json_t *o, const char *k)
{
	return (int64_t)json_integer_value(json_object_get(o, k));
}

static const char *
rep_str(const json_t *o, const char *k)
{
	const char *s = json_string_value(json_object_get(o, k));

	return s != NULL ? s : "";
}

/* `quan report` for a person (--json gives the same as one object). */
static void
report_text(const json_t *j)
{
	const json_t *red = json_object_get(j, "redeemed");
	const json_t *off = json_object_get(j, "offline");
	const json_t *ob = json_object_get(j, "outbox");
	const json_t *kinds = json_object_get(j, "by_kind"), *k, *e, *a;
	const char *kn, *sn, *list[2] = { "conflicts", "rejections" };
	char m[32];
	size_t i, l;

	printf("report %s .. %s\n", rep_str(j, "from"), rep_str(j, "to"));
	printf("redeemed: %" PRId64 " coupons, %s\n", rep_int(red, "count"),
	    money_format(rep_int(red, "fen"), m, sizeof m));
	json_object_foreach((json_t *)kinds, kn, k) {
		printf("  %s:", kn);
		json_object_foreach((json_t *)k, sn, e)
			printf(" %s %" PRId64 " (%s)", sn, rep_int(e, "count"),
			    money_format(rep_int(e, "fen"), m, sizeof m));
		printf("\n");
	}
	printf("offline: %" PRId64 " accepted today, unsettled exposure %s\n",
	    rep_int(off, "accepted_today"),
	    money_format(rep_int(off, "unsettled_exposure_fen"), m, sizeof m));
	printf("outbox: %" PRId64 " pending, %" PRId64 " unknown\n",
	    rep_int(ob, "pending"), rep_int(ob, "unknown"));
	if ((e = json_object_get(j, "offline_losses")) != NULL) {
		a = json_object_get(e, "txns");
		printf("offline losses (given offline, refused by WeChat): "
		    "%" PRId64 " coupons, %s", rep_int(e, "count"),
		    money_format(rep_int(e, "fen"), m, sizeof m));
		for (i = 0; i < json_array_size(a); i++)
			printf("%s%" PRId64, i == 0 ? "; sales " : ", ",
			    (int64_t)json_integer_value(json_array_get(a, i)));
		printf("\n");
	}
	if ((e = json_object_get(j, "payments")) != NULL) {
		const json_t *w = json_object_get(e, "wechat");
		const json_t *ca = json_object_get(e, "cash");
		const json_t *ot = json_object_get(e, "other");
		char b[4][32];

		printf("payments: wechat %" PRId64 " %s (customers %s, "
		    "vouchers %s)\n", rep_int(w, "count"),
		    money_format(rep_int(w, "fen"), b[0], sizeof b[0]),
		    money_format(rep_int(w, "payer_fen"), b[1], sizeof b[1]),
		    money_format(rep_int(w, "voucher_fen"), b[2],
		    sizeof b[2]));
		printf("  cash %" PRId64 " %s, other %" PRId64 " %s; failed "
		    "%" PRId64 ", open %" PRId64 "\n", rep_int(ca, "count"),
		    money_format(rep_int(ca, "fen"), b[0], sizeof b[0]),
		    rep_int(ot, "count"), money_format(rep_int(ot, "fen"),
		    b[3], sizeof b[3]), rep_int(e, "failed"),
		    rep_int(e, "open"));
	}
	if ((e = json_object_get(j, "refunds")) != NULL) {
		const json_t *bt = json_object_get(e, "by_tender");
		const json_t *op = json_object_get(e, "open");
		const json_t *ab = json_object_get(e, "abnormal");
		char b[5][32];

		printf("refunds: %" PRId64 " %s (to customers %s; wechat %s, "
		    "cash %s, other %s)\n", rep_int(e, "count"),
		    money_format(rep_int(e, "fen"), b[0], sizeof b[0]),
		    money_format(rep_int(e, "payer_fen"), b[1], sizeof b[1]),
		    money_format(rep_int(json_object_get(bt, "wechat"), "fen"),
		    b[2], sizeof b[2]),
		    money_format(rep_int(json_object_get(bt, "cash"), "fen"),
		    b[3], sizeof b[3]),
		    money_format(rep_int(json_object_get(bt, "other"), "fen"),
		    b[4], sizeof b[4]));
		printf("  open %" PRId64 " %s, abnormal %" PRId64 " %s, "
		    "failed %" PRId64 "\n", rep_int(op, "count"),
		    money_format(rep_int(op, "fen"), b[0], sizeof b[0]),
		    rep_int(ab, "count"), money_format(rep_int(ab, "fen"),
		    b[1], sizeof b[1]), rep_int(e, "failed"));
	}
	for (l = 0; l < 2; l++) {
		a = json_object_get(j, list[l]);
		printf("%s: %zu\n", list[l], json_array_size(a));
		for (i = 0; i < json_array_size(a); i++) {
			e = json_array_get(a, i);
			printf("  txn %" PRId64 " %s %s %s %s%s%s\n",
			    rep_int(e, "txn"), rep_str(e, "code"), rep_str(e, "kind"),
			    rep_str(e, "state"), rep_str(e, "reason"),
			    rep_str(e, "wx_code")[0] ? " wx " : "",
			    rep_str(e, "wx_code"));
		}
	}
	a = json_object_get(j, "hub_conflicts");
	if (json_array_size(a) > 0)
		printf("hub conflicts: %zu\n", json_array_size(a));
	for (i = 0; i < json_array_size(a); i++) {
		e = json_array_get(a, i);
		printf("  %s granted at lane %s (%s) and at lane %s (%s)\n",
		    rep_str(e, "code"), rep_str(e, "holder_lane"),
		    rep_str(e, "holder_request_no"), rep_str(e, "lane"),
		    rep_str(e, "request_no"));
	}
}

int
cmd_report(int argc, char **argv)
{
	struct cli c;
	const char *date = NULL;
	int64_t from;
	json_t *j;
	char *txt, *cause = NULL;
	int i, rc, json = 0;

	for (i = 1; i < argc; i++)
		if (strcmp(argv[i], "--chain") == 0)
			return cli_hub_chain_report(argc, argv);
	if ((rc = cli_init(&c, "report", &argc, argv, 0)) != 0)
		goto out;
	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--json") == 0)
			json = 1;
		else if (strcmp(argv[i], "--date") == 0 && i + 1 < argc)
			date = argv[++i];
		else {
			fprintf(stderr, "usage: quan report [--json] "
			    "[--date YYYY-MM-DD] [--chain --dsn HQ]\n");
			rc = EXIT_USAGE;
			goto out;
		}
	}
	if (cli_day_start(date, &from) != 0) {
		fprintf(stderr, "quan report: bad --date %s (YYYY-MM-DD)\n",
		    date);
		rc = EXIT_USAGE;
		goto out;
	}
	/* a report only reads: it works on a read-only database (a copy
	 * on a medium, a till whose disk went read-only) as status does.
	 * The whole-file check runs when none ran in the last 10 min (as
	 * for redeem and sync): a quick_check of every page on each report
	 * made one day's report of a 1.6 GB store take 7.6 s */
	if ((rc = cli_open_store(&c, "report", DATAFILE_RO_OK |
	    DATAFILE_CHECK_DUE)) != 0)
		goto out;
	if (report_day_json(c.st, from, from + 86400, &j, &cause) != 0) {
		fprintf(stderr, "quan report: %s\n", cause);
		free(cause);
		rc = EXIT_FAIL;
		goto out;
	}
	if (json) {
		txt = json_dumps(j, JSON_COMPACT);
		printf("%s\n", txt);
		free(txt);
	} else
		report_text(j);
	json_decref(j);
	rc = EXIT_OK;
out:
	cli_done(&c);
	return rc;
}
