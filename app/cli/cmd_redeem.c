/*
 * cmd_redeem.c — the headless sale commands: `quan check` (price codes,
 * nothing written), `quan redeem` (a sale, online when WeChat is
 * configured), `quan void` (undo a sale). Scripts rely on their JSON and
 * exit codes (cmd.h): 0 ok, 1 failure, 2 bad usage, 3 a coupon rejected,
 * 4 work left pending.
 */
#include <errno.h>
#include <inttypes.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli_common.h"
#include "cli/cli_hub.h"
#include "cli/cli_refund.h"
#include "cli/cmd.h"
#include "core/checkout.h"
#include "core/pcoupon_sale.h"
#include "core/import.h"
#include "core/journal.h"
#include "core/report.h"
#include "core/session.h"
#include "core/settle.h"
#include "net/runtime.h"
#include "store/store.h"
#include "util/config.h"
#include "util/err.h"
#include "util/money.h"
#include "util/tm.h"
#include "util/xmem.h"

#define ARGS_MAX 64

/* Options shared by check and redeem. */
struct opts {
	int json;
	int64_t amount_fen;
	int has_amount;
	int64_t price_fen;       /* --price: EXCHANGE item price, -1 none */
	char *codes[ARGS_MAX];
	int ncodes;
};

int
cli_parse_money(const char *cmd, const char *opt, const char *v, int64_t *out)
{
	if (v == NULL || money_parse_yuan(v, out) != 0) {
		fprintf(stderr, "quan %s: %s needs a yuan amount with at most "
		    "two decimals (e.g. 12.50), got '%s'\n", cmd, opt,
		    v != NULL ? v : "");
		return EXIT_USAGE;
	}
	return 0;
}

static int
parse_opts(const char *cmd, int argc, char **argv, struct opts *o)
{
	int i, rc;

	memset(o, 0, sizeof *o);
	o->price_fen = -1;
	for (i = 1; i < argc; i++) {
		const char *a = argv[i];

		if (strcmp(a, "--json") == 0)
			o->json = 1;
		else if (strcmp(a, "--amount") == 0) {
			if ((rc = cli_parse_money(cmd, a, i + 1 < argc ?
			    argv[i + 1] : NULL, &o->amount_fen)) != 0)
				return rc;
			o->has_amount = 1;
			i++;
		} else if (strncmp(a, "--amount=", 9) == 0) {
			if ((rc = cli_parse_money(cmd, "--amount", a + 9,
			    &o->amount_fen)) != 0)
				return rc;
			o->has_amount = 1;
		} else if (strcmp(a, "--price") == 0) {
			if ((rc = cli_parse_money(cmd, a, i + 1 < argc ?
			    argv[i + 1] : NULL, &o->price_fen)) != 0)
				return rc;
			i++;
		} else if (strcmp(a, "--") == 0) {
			for (i++; i < argc && o->ncodes < ARGS_MAX; i++)
				o->codes[o->ncodes++] = argv[i];
			break;
		} else if (a[0] == '-' && a[1] == '-') {
			fprintf(stderr, "quan %s: unknown option %s\n", cmd, a);
			return EXIT_USAGE;
		} else {
			if (o->ncodes >= ARGS_MAX) {
				fprintf(stderr, "quan %s: at most %d codes\n",
				    cmd, ARGS_MAX);
				return EXIT_USAGE;
			}
			o->codes[o->ncodes++] = argv[i];
		}
	}
	if (!o->has_amount) {
		fprintf(stderr, "quan %s: --amount YUAN is required\n", cmd);
		return EXIT_USAGE;
	}
	return 0;
}

json_t *
cli_line_json(const struct checkout_line *l, int full)
{
	json_t *o = json_object();

	json_object_set_new(o, "code", json_string(l->code));
	json_object_set_new(o, "kind", json_string(l->kind_id));
	json_object_set_new(o, "target", json_string(l->target));
	json_object_set_new(o, "type", json_string(l->coupon_type));
	json_object_set_new(o, "name", json_string(l->name));
	json_object_set_new(o, "state",
	    json_string(checkout_cstate_name(l->state)));
	json_object_set_new(o, "reason", json_string(checkout_line_reason(l)));
	/* WeChat's time for a refusal (used at, expired at, valid from) */
	if (l->remote_at > 0 && (l->state == CHECKOUT_REJECTED ||
	    l->state == CHECKOUT_CONFLICT))
		json_object_set_new(o, "reason_at",
		    json_integer(l->remote_at));
	json_object_set_new(o, "discount_fen", json_integer(l->discount_fen));
	if (full) {
		json_object_set_new(o, "request_no",
		    json_string(l->request_no));
		json_object_set_new(o, "offline_reason",
		    json_string(l->offline_reason));
	}
	if (l->needs_confirm)
		json_object_set_new(o, "needs_confirm", json_true());
	if (l->verdict.need_fen > 0) {
		json_object_set_new(o, "need_fen",
		    json_integer(l->verdict.need_fen));
		json_object_set_new(o, "have_fen",
		    json_integer(l->verdict.have_fen));
	}
	if (l->verdict.next_at > 0)
		json_object_set_new(o, "next_at",
		    json_integer(l->verdict.next_at));
	return o;
}

static void
print_line(const struct checkout_line *l)
{
	char d[32];

	printf("  %-24s %-9s %-16s %-10s -%s  %s\n", l->code, l->kind_id,
	    checkout_cstate_name(l->state), l->coupon_type,
	    money_format(l->discount_fen, d, sizeof d),
	    checkout_line_reason(l));
}

/* Add a code from the command line (text may contain anything). */
int
cli_add_code(struct checkout *co, const struct cli *c, const char *cmd,
    const char *code, int64_t price)
{
	int rc = checkout_add(co, code, strlen(code), price, NULL);

	if (rc != 0) {
		/* a damaged database says so, with the next step */
		fprintf(stderr, "quan %s: cannot add code: %s\n", cmd,
		    cli_damage(c) != NULL ? cli_damage(c) : quan_strerror(rc));
		return EXIT_FAIL;
	}
	return 0;
}

int
cmd_check(int argc, char **argv)
{
	struct cli c;
	struct opts o;
	struct checkout *co = NULL;
	const struct checkout_txn *t;
	const struct checkout_line *l;
	int rc;

	if ((rc = cli_init(&c, "check", &argc, argv, 0)) != 0)
		goto out;
	if ((rc = parse_opts("check", argc, argv, &o)) != 0)
		goto out;
	if (o.ncodes != 1) {
		fprintf(stderr, "usage: quan check [--json] --amount YUAN "
		    "[--price YUAN] CODE\n");
		rc = EXIT_USAGE;
		goto out;
	}
	if ((rc = cli_open_store(&c, "check", 0)) != 0)
		goto out;
	if ((rc = cli_new_checkout(&c, "check", &co)) != 0)
		goto out;
	checkout_open(co, o.amount_fen);
	if ((rc = cli_add_code(co, &c, "check", o.codes[0], o.price_fen)) != 0)
		goto out;
	t = checkout_current(co);
	l = &t->lines[0];
	if (o.json) {
		json_t *j = cli_line_json(l, 0);

		json_object_set_new(j, "verdict", json_string(
		    l->state == CHECKOUT_PRICED ? "ok" : "rejected"));
		json_object_set_new(j, "amount_fen",
		    json_integer(t->amount_fen));
		json_object_set_new(j, "due_fen", json_integer(t->due_fen));
		cli_print_json(j);
		json_decref(j);
	} else {
		char a[32], d[32], u[32];

		printf("%s: %s (%s)\n", l->code[0] != '\0' ? l->code :
		    "(invalid)", l->state == CHECKOUT_PRICED ? "ok" :
		    "rejected", checkout_line_reason(l));
		printf("amount %s  discount %s  due %s\n",
		    money_format(t->amount_fen, a, sizeof a),
		    money_format(l->discount_fen, d, sizeof d),
		    money_format(t->due_fen, u, sizeof u));
	}
	{
		json_t *d = json_pack("{s:s, s:s, s:s, s:I}", "kind",
		    l->kind_id, "verdict", l->state == CHECKOUT_PRICED ? "ok" :
		    "rejected", "reason", checkout_line_reason(l), "discount_fen",
		    (json_int_t)l->discount_fen);

		if (checkout_journal(co, "check", 0, d) != 0)
			fprintf(stderr, "quan check: journal: %s\n",
			    cli_errmsg(&c));
		json_decref(d);
	}
	rc = l->state == CHECKOUT_PRICED ? EXIT_OK : EXIT_REJECTED;
	checkout_cancel(co);
out:
	checkout_free(co);
	cli_done(&c);
	return rc;
}

json_t *
cli_redeem_json(const struct checkout_txn *t)
{
	json_t *j = json_object(), *a = json_array();
	int i;

	json_object_set_new(j, "txn", json_integer(t->id));
	json_object_set_new(j, "amount_fen", json_integer(t->amount_fen));
	json_object_set_new(j, "discount_fen",
	    json_integer(t->discount_fen));
	json_object_set_new(j, "due_fen", json_integer(t->due_fen));
	for (i = 0; i < t->nlines; i++)
		json_array_append_new(a, cli_line_json(&t->lines[i], 1));
	json_object_set_new(j, "coupons", a);
	return j;
}

int
cli_online_start(struct cli *c, const char *cmd, struct checkout *co,
    struct cli_online *o)
{
	char *cause = NULL;
	int rc;

	memset(o, 0, sizeof *o);
	if ((rc = net_online_new(&o->on, co, c->st, c->cfg, &cause)) != 0) {
		/* a till whose WeChat step is configured but cannot start
		 * (refused key file, bad key, ...) must be noticed on day
		 * one, not run offline within the caps for days */
		fprintf(stderr, "quan %s: %s%s\n", cmd, rc == QUAN_ECONFIG ?
		    "configuration error: " : "", cause ? cause : "?");
		free(cause);
		fprintf(stderr, "quan %s: nothing %s: the online step is "
		    "configured but cannot start (fix the configuration, or "
		    "remove [wechatpay]/[card] to decide offline only)\n",
		    cmd, strcmp(cmd, "sale") == 0 ? "sold" : "redeemed");
		o->on = NULL;
		return EXIT_FAIL;
	}
	/* [hub] dsn: each coupon is claimed at the store hub before it is
	 * granted; its answers wake the engine through the results queue */
	if (o->on != NULL)
		o->hub = cli_hub_attach(c->cfg, net_online_redeemer(o->on),
		    net_rt_results(net_online_rt(o->on)));
	return 0;
}

void
cli_online_stop(struct cli_online *o, const char *cmd)
{
	const char *warn;

	if ((warn = net_online_warning(o->on)) != NULL)
		fprintf(stderr, "quan %s: %s\n", cmd, warn);
	/* the engine reads the hub's queues until it is freed */
	net_online_end(o->on);
	cli_hub_detach(o->hub);
	o->hub = NULL;
	net_online_free(o->on);
	o->on = NULL;
}

int
cmd_redeem(int argc, char **argv)
{
	struct cli c;
	struct opts o;
	struct checkout *co = NULL;
	const struct checkout_txn *t;
	struct cli_online online = {NULL, NULL};
	int rc, i, nrec = 0, any_rej = 0, any_unk = 0;

	if ((rc = cli_init(&c, "redeem", &argc, argv, 0)) != 0)
		goto out;
	if ((rc = parse_opts("redeem", argc, argv, &o)) != 0)
		goto out;
	if (o.ncodes < 1 || o.ncodes > CHECKOUT_LINES_MAX) {
		fprintf(stderr, "usage: quan redeem [--json] --amount YUAN "
		    "[--price YUAN] CODE... (1 to %d codes)\n",
		    CHECKOUT_LINES_MAX);
		rc = EXIT_USAGE;
		goto out;
	}
	if ((rc = cli_open_store(&c, "redeem", DATAFILE_CHECK_DUE)) != 0)
		goto out;
	if ((rc = cli_new_checkout(&c, "redeem", &co)) != 0)
		goto out;
	/* redeems interrupted by a crash are settled first */
	(void)net_recover(co, c.cfg, &nrec);
	if ((rc = cli_online_start(&c, "redeem", co, &online)) != 0)
		goto out;
	checkout_open(co, o.amount_fen);
	for (i = 0; i < o.ncodes; i++)
		if ((rc = cli_add_code(co, &c, "redeem", o.codes[i],
		    o.price_fen)) != 0)
			goto out;
	if ((rc = net_online_redeem(online.on, co)) != 0) {
		fprintf(stderr, "quan redeem: %s\n", cli_errmsg(&c));
		rc = EXIT_FAIL;
		goto out;
	}
	t = checkout_current(co);
	if (checkout_close(co) != 0)
		fprintf(stderr, "quan redeem: close: %s\n", cli_errmsg(&c));
	for (i = 0; i < t->nlines; i++) {
		enum checkout_cstate s = t->lines[i].state;

		if (s == CHECKOUT_REJECTED || s == CHECKOUT_CONFLICT)
			any_rej = 1;
		else if (s != CHECKOUT_CONFIRMED &&
		    s != CHECKOUT_ACCEPTED_OFFLINE)
			any_unk = 1;
	}
	if (o.json) {
		json_t *j = cli_redeem_json(t);

		cli_print_json(j);
		json_decref(j);
	} else {
		char a[32], d[32], u[32];

		printf("txn %" PRId64 ": amount %s  discount %s  due %s\n",
		    t->id, money_format(t->amount_fen, a, sizeof a),
		    money_format(t->discount_fen, d, sizeof d),
		    money_format(t->due_fen, u, sizeof u));
		for (i = 0; i < t->nlines; i++)
			print_line(&t->lines[i]);
	}
	rc = any_rej ? EXIT_REJECTED : any_unk ? EXIT_PENDING : EXIT_OK;
out:
	cli_online_stop(&online, "redeem");
	checkout_free(co);
	cli_done(&c);
	return rc;
}

int
cmd_void(int argc, char **argv)
{
	struct cli c;
	struct checkout *co = NULL;
	struct checkout_txn t;
	char *end, *cause = NULL, pin[64], *nl;
	long long id = 0;
	int rc, i, json = 0, paid, has_refund = 0;
	const char *arg = NULL, *by = NULL, *why = NULL;
	struct refund_view rv;
	struct store_txn st;

	if ((rc = cli_init(&c, "void", &argc, argv, 0)) != 0)
		goto out;
	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--json") == 0)
			json = 1;
		else if (strcmp(argv[i], "--by") == 0 && i + 1 < argc)
			by = argv[++i];
		else if (strcmp(argv[i], "--reason") == 0 && i + 1 < argc)
			why = argv[++i];
		else if (arg == NULL)
			arg = argv[i];
		else
			arg = "";
	}
	if (arg != NULL && *arg != '\0')
		id = strtoll(arg, &end, 10);
	if (arg == NULL || *arg == '\0' || *end != '\0' || id <= 0 ||
	    (why != NULL && by == NULL)) {
		fprintf(stderr, "usage: quan void [--json] [--by MANAGER "
		    "[--reason TEXT]] TXN (a transaction number; the "
		    "manager's PIN on stdin)\n");
		rc = EXIT_USAGE;
		goto out;
	}
	if (by != NULL && fgets(pin, sizeof pin, stdin) == NULL) {
		fprintf(stderr, "quan void: --by %s: no PIN on stdin\n", by);
		rc = EXIT_USAGE;
		goto out;
	}
	if ((rc = cli_open_store(&c, "void", 0)) != 0)
		goto out;
	if ((rc = cli_new_checkout(&c, "void", &co)) != 0)
		goto out;
	/* a sale that cannot be voided is refused before any PIN is
	 * checked: no try counted, nothing journaled */
	if ((rc = checkout_voidable(co, id, &cause)) != 0) {
		fprintf(stderr, "quan void: %s\n", cause != NULL ? cause :
		    quan_strerror(rc));
		free(cause);
		memset(pin, 0, sizeof pin);
		rc = EXIT_FAIL;
		goto out;
	}
	if (by != NULL) {
		/* who voided, checked like at the till: a manager's PIN,
		 * the same lockout (shared with the till, kept in the
		 * store), every try journaled */
		if ((nl = strchr(pin, '\n')) != NULL)
			*nl = '\0';
		rc = cli_manager_pin(&c, "void", by, pin, id);
		memset(pin, 0, sizeof pin);
		if (rc != 0)
			goto out;
	}
	if ((paid = cli_sale_paid(&c, id)) < 0) {
		fprintf(stderr, "quan void: %s\n", cli_errmsg(&c));
		rc = EXIT_FAIL;
		goto out;
	}
	if (paid && store_txn_get(c.st, id, &st) == 0 &&
	    st.state == TXN_VOIDED)
		paid = 0; /* voided already: checkout_void says so */
	if (paid && by == NULL) {
		fprintf(stderr, "quan void: sale %lld was paid: voiding it "
		    "gives the money back, which a manager approves (--by "
		    "MANAGER, the PIN on stdin)\n", id);
		rc = EXIT_FAIL;
		goto out;
	}
	if (paid) {
		/* the money back first, then the sale voided (refund.h) */
		rc = cli_refund(&c, co, "void", id, 0, 1, by, &rv);
		has_refund = rv.id != 0;
		if (rc != EXIT_OK) {
			if (json && has_refund) {
				json_t *j = json_pack("{s:I, s:s, s:o}",
				    "txn", (json_int_t)id, "state", "paid",
				    "refund", cli_refund_json(&rv));

				cli_print_json(j);
				json_decref(j);
			} else if (has_refund) {
				printf("txn %lld not voided: refund %s %s%s%s"
				    "\n", id, rv.out_refund_no,
				    refund_state_name(rv.state),
				    rv.err != PAY_E_NONE ? " " : "",
				    rv.err != PAY_E_NONE ?
				    pay_err_name(rv.err) : "");
			}
			goto out;
		}
	}
	if (paid && store_txn_get(c.st, id, &st) == 0 &&
	    st.state == TXN_VOIDED) {
		/* voided with its refund */
	} else if ((rc = checkout_void(co, id, by != NULL ? by : "cli",
	    &cause)) != 0) {
		fprintf(stderr, "quan void: %s\n", cause != NULL ? cause :
		    quan_strerror(rc));
		free(cause);
		/* no such sale, or not voidable: a failure, the usage was
		 * right */
		rc = EXIT_FAIL;
		goto out;
	}
	{
		/* 商品券 used in the sale go back (a bundle: its latest used
		 * round only); `quan sync` sends the returns */
		struct pcsale *ps = pcsale_new(c.st, c.cfg, NULL);
		int nret = 0;

		if (pcsale_return_txn(ps, id, tm_now(), &nret) != 0)
			fprintf(stderr, "quan void: product coupons: %s\n",
			    cli_errmsg(&c));
		pcsale_free(ps);
	}
	if (by != NULL) {
		/* the approval once the act is done: none for a void that
		 * failed */
		json_t *d = json_pack("{s:s, s:s, s:s}", "who", by, "what",
		    "void", "why", why != NULL ? why : "");

		if (checkout_journal(co, "approval", id, d) != 0)
			fprintf(stderr, "quan void: journal: %s\n",
			    cli_errmsg(&c));
		json_decref(d);
	}
	if ((rc = checkout_load(co, id, &t)) != 0) {
		fprintf(stderr, "quan void: %s\n", cli_errmsg(&c));
		rc = EXIT_FAIL;
		goto out;
	}
	if (json) {
		json_t *j = json_object(), *a = json_array();

		json_object_set_new(j, "txn", json_integer(t.id));
		json_object_set_new(j, "state", json_string("voided"));
		for (i = 0; i < t.nlines; i++)
			json_array_append_new(a, cli_line_json(&t.lines[i], 1));
		json_object_set_new(j, "coupons", a);
		a = json_array();
		for (i = 0; i < t.nlines; i++)
			if (t.lines[i].reason == REASON_VOIDED_NOT_RETURNABLE)
				json_array_append_new(a,
				    json_string(t.lines[i].code));
		/* card codes consumed at WeChat: no return exists */
		json_object_set_new(j, "not_returnable", a);
		if (has_refund)
			json_object_set_new(j, "refund",
			    cli_refund_json(&rv));
		cli_print_json(j);
		json_decref(j);
	} else {
		int kept = 0;

		printf("txn %lld voided\n", id);
		if (has_refund)
			printf("refund %s %s\n", rv.out_refund_no,
			    refund_state_name(rv.state));
		for (i = 0; i < t.nlines; i++) {
			print_line(&t.lines[i]);
			kept += t.lines[i].reason == REASON_VOIDED_NOT_RETURNABLE;
		}
		if (kept > 0) {
			printf("not returnable (card coupons already used at "
			    "WeChat; the card API has no return):");
			for (i = 0; i < t.nlines; i++)
				if (t.lines[i].reason ==
				    REASON_VOIDED_NOT_RETURNABLE)
					printf(" %s", t.lines[i].code);
			printf("\n");
		}
	}
	rc = EXIT_OK;
out:
	checkout_free(co);
	cli_done(&c);
	return rc;
}
