/*
 * cmd_refund.c — `quan refund TXN [--amount YUAN] --by MANAGER`: give
 * back all or part of a paid sale's money (returned goods), and the
 * refund family `quan void` uses for a paid sale (cli_refund.h). The
 * refund itself is core/refund.h; this file parses, checks the manager,
 * waits (bounded) and prints.
 */
#include <inttypes.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli_common.h"
#include "cli/cli_refund.h"
#include "cli/cmd.h"
#include "core/checkout.h"
#include "core/refund.h"
#include "core/session.h"
#include "net/runtime.h"
#include "store/store.h"
#include "store/store_pay.h"
#include "util/config.h"
#include "util/err.h"
#include "util/money.h"
#include "util/tm.h"

int
cli_manager_pin(struct cli *c, const char *cmd, const char *by,
    const char *pin, int64_t txn)
{
	enum staff_verdict v;
	int64_t now = tm_now(), until;

	/* the rule (lockout, journal) is the core's */
	if (staff_approve(c->st, c->data_dir, by, pin, cmd, txn, "cli", now,
	    &v, &until) != 0) {
		fprintf(stderr, "quan %s: %s\n", cmd, cli_errmsg(c));
		return EXIT_FAIL;
	}
	switch (v) {
	case STAFF_V_MANAGER:
		return 0;
	case STAFF_V_LOCKED:
		fprintf(stderr, "quan %s: too many wrong PINs: locked for "
		    "%lld s more\n", cmd, (long long)(until - now));
		break;
	case STAFF_V_NO_STAFF:
		fprintf(stderr, "quan %s: no staff yet: run quan staff add\n",
		    cmd);
		break;
	case STAFF_V_WRONG:
		fprintf(stderr, "quan %s: wrong manager id or PIN%s\n", cmd,
		    until > 0 ? " (too many: locked for a minute)" : "");
		break;
	case STAFF_V_NOT_MANAGER:
		fprintf(stderr, "quan %s: a manager's PIN is needed\n", cmd);
		break;
	}
	return EXIT_FAIL;
}

int
cli_sale_paid(struct cli *c, int64_t txn)
{
	struct store_pay p;
	int rc = store_pay_for_txn(c->st, txn, &p);

	if (rc == QUAN_ENOTFOUND)
		return 0;
	return rc != 0 ? -1 : strcmp(p.state, "paid") == 0;
}

static const char *
start_words(int rc)
{
	switch (rc) {
	case QUAN_ENOTFOUND:
		return "the sale has no paid payment";
	case QUAN_ETOOBIG:
		return "more than is left to refund";
	case QUAN_EBUSY:
		return "another refund of this sale is under way (quan sync "
		    "finishes it)";
	case QUAN_ENET:
		return "a WeChat refund needs WeChat ([wechatpay] in "
		    "quan.conf)";
	default:
		return quan_strerror(rc);
	}
}

int
cli_refund(struct cli *c, struct checkout *co, const char *cmd,
    int64_t txn, int64_t amount_fen, int void_sale, const char *by,
    struct refund_view *v)
{
	struct cli_online online = {NULL, NULL};
	struct net_rt *rt;
	struct refund *rf;
	enum refund_state st;
	int64_t id = 0;
	int rc, resumed;

	memset(v, 0, sizeof *v);
	if ((rc = cli_online_start(c, cmd, co, &online)) != 0)
		return rc;
	rt = online.on != NULL ? net_online_rt(online.on) : NULL;
	rf = refund_new(co, c->st, c->cfg, rt != NULL ? net_rt_settle(rt) :
	    NULL);
	rc = refund_start(rf, txn, amount_fen, void_sale, by, &id);
	if (rc != 0) {
		fprintf(stderr, "quan %s: refund not started: %s\n", cmd,
		    start_words(rc));
		rc = rc == QUAN_ETOOBIG || rc == QUAN_EBUSY ? EXIT_REJECTED :
		    EXIT_FAIL;
		goto out;
	}
	if (id == 0) {
		rc = EXIT_OK; /* everything is back already */
		goto out;
	}
	resumed = refund_view(rf, id, v) == 0 && v->resumed;
	st = refund_run(rf, rt != NULL ? net_rt_results(rt) : NULL, id,
	    (int64_t)c->cfg->pay_deadline_s * 1000);
	if (refund_state_final(st) && (rc = refund_settle(rf, id)) != 0)
		fprintf(stderr, "quan %s: the money is back, but the sale "
		    "was not voided (quan sync does it): %s\n", cmd,
		    cli_errmsg(c));
	if ((rc = refund_view(rf, id, v)) != 0) {
		fprintf(stderr, "quan %s: %s\n", cmd, cli_errmsg(c));
		rc = EXIT_FAIL;
		goto out;
	}
	v->resumed = resumed;
	rc = st == REFUND_SUCCESS ? EXIT_OK : refund_state_final(st) ?
	    EXIT_REJECTED : EXIT_PENDING;
	if (void_sale && st == REFUND_SUCCESS)
		net_online_flush(online.on, 2000); /* the coupons' returns */
out:
	refund_free(rf);
	cli_online_stop(&online, cmd);
	return rc;
}

json_t *
cli_refund_json(const struct refund_view *v)
{
	return json_pack("{s:s, s:s, s:s, s:s, s:I, s:I, s:I, s:I, s:I, "
	    "s:s, s:s, s:b}",
	    "state", refund_state_name(v->state), "tender", v->tender,
	    "out_refund_no", v->out_refund_no, "refund_id", v->refund_id,
	    "amount_fen", (json_int_t)v->amount_fen,
	    "total_fen", (json_int_t)v->total_fen,
	    "payer_fen", (json_int_t)v->payer_fen,
	    "voucher_fen", (json_int_t)v->voucher_fen,
	    "left_fen", (json_int_t)v->left_fen,
	    "reason", v->err != PAY_E_NONE ? pay_err_name(v->err) : "",
	    "by", v->approved_by, "resumed", v->resumed);
}

static int
usage(void)
{
	fprintf(stderr, "usage: quan refund [--json] [--amount YUAN] --by "
	    "MANAGER TXN (the manager's PIN on stdin)\n");
	return EXIT_USAGE;
}

int
cmd_refund(int argc, char **argv)
{
	struct cli c;
	struct checkout *co = NULL;
	struct refund_view v;
	char *end = NULL, pin[64], a[32], b[32], l[32];
	const char *by = NULL, *arg = NULL;
	long long id = 0;
	int64_t amount = 0;
	int rc, i, json = 0;

	if ((rc = cli_init(&c, "refund", &argc, argv, 0)) != 0)
		goto out;
	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--json") == 0) {
			json = 1;
		} else if (strcmp(argv[i], "--by") == 0 && i + 1 < argc) {
			by = argv[++i];
		} else if (strcmp(argv[i], "--amount") == 0) {
			if ((rc = cli_parse_money("refund", argv[i], i + 1 <
			    argc ? argv[i + 1] : NULL, &amount)) != 0)
				goto out;
			if (amount <= 0) {
				rc = usage();
				goto out;
			}
			i++;
		} else if (arg == NULL && argv[i][0] != '-') {
			arg = argv[i];
		} else {
			rc = usage();
			goto out;
		}
	}
	if (arg != NULL)
		id = strtoll(arg, &end, 10);
	if (arg == NULL || *end != '\0' || id <= 0 || by == NULL) {
		rc = usage();
		goto out;
	}
	if (fgets(pin, sizeof pin, stdin) == NULL) {
		fprintf(stderr, "quan refund: --by %s: no PIN on stdin\n", by);
		rc = EXIT_USAGE;
		goto out;
	}
	pin[strcspn(pin, "\n")] = '\0';
	if ((rc = cli_open_store(&c, "refund", 0)) != 0)
		goto out;
	rc = cli_manager_pin(&c, "refund", by, pin, id);
	memset(pin, 0, sizeof pin);
	if (rc != 0 || (rc = cli_new_checkout(&c, "refund", &co)) != 0)
		goto out;
	rc = cli_refund(&c, co, "refund", id, amount, 0, by, &v);
	if (v.id == 0)
		goto out;
	if (json) {
		json_t *j = json_pack("{s:I, s:o}", "txn", (json_int_t)id,
		    "refund", cli_refund_json(&v));

		cli_print_json(j);
		json_decref(j);
	} else {
		printf("txn %lld: refund %s %s of %s: %s%s%s; left %s\n", id,
		    v.out_refund_no, money_format(v.amount_fen, a, sizeof a),
		    money_format(v.total_fen, b, sizeof b),
		    refund_state_name(v.state), v.err != PAY_E_NONE ? " " :
		    "", v.err != PAY_E_NONE ? pay_err_name(v.err) : "",
		    money_format(v.left_fen, l, sizeof l));
	}
out:
	checkout_free(co);
	cli_done(&c);
	return rc;
}
