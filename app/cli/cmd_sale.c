/*
 * cmd_sale.c — `quan sale`: a whole sale headless — the coupons redeemed
 * (quan redeem's online step), then the amount due paid with a WeChat
 * payment code, cash or another tender (core/payment.h). Scripts rely on
 * the JSON and the exit codes (help/sale.txt).
 */
#include <inttypes.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli_common.h"
#include "cli/cli_pcoupon.h"
#include "cli/cli_print.h"
#include "cli/cmd.h"
#include "core/checkout.h"
#include "core/payment.h"
#include "core/receipt.h"
#include "drivers/printer.h"
#include "core/settle.h"
#include "net/runtime.h"
#include "util/config.h"
#include "util/err.h"
#include "util/money.h"
#include "util/xmem.h"

#define SALE_COUPONS_MAX 64

struct sale_opts {
	int json;
	int64_t amount_fen;
	int has_amount;
	enum payment_tender tender;
	const char *auth_code;
	int64_t tendered_fen;
	const char *reference;
	char *codes[SALE_COUPONS_MAX];
	int ncodes;
};

static int
usage(void)
{
	fprintf(stderr, "usage: quan sale [--json] --amount YUAN (--pay "
	    "AUTH_CODE | --cash YUAN | --other REF) [COUPON...]\n");
	return EXIT_USAGE;
}

static int
tender_opt(struct sale_opts *o, enum payment_tender t)
{
	if (o->tender != PAYMENT_T_NONE) {
		fprintf(stderr, "quan sale: one tender: --pay, --cash or "
		    "--other\n");
		return EXIT_USAGE;
	}
	o->tender = t;
	return 0;
}

static int
parse(int argc, char **argv, struct sale_opts *o)
{
	int i, rc;

	memset(o, 0, sizeof *o);
	for (i = 1; i < argc; i++) {
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] :
		    NULL;

		if (strcmp(a, "--json") == 0) {
			o->json = 1;
		} else if (strcmp(a, "--amount") == 0) {
			if ((rc = cli_parse_money("sale", a, v,
			    &o->amount_fen)) != 0)
				return rc;
			o->has_amount = 1;
			i++;
		} else if (strcmp(a, "--pay") == 0 && v != NULL) {
			if ((rc = tender_opt(o, PAYMENT_T_WECHAT)) != 0)
				return rc;
			o->auth_code = v;
			i++;
		} else if (strcmp(a, "--cash") == 0) {
			if ((rc = tender_opt(o, PAYMENT_T_CASH)) != 0 ||
			    (rc = cli_parse_money("sale", a, v,
			    &o->tendered_fen)) != 0)
				return rc;
			i++;
		} else if (strcmp(a, "--other") == 0 && v != NULL) {
			if ((rc = tender_opt(o, PAYMENT_T_OTHER)) != 0)
				return rc;
			o->reference = v;
			i++;
		} else if (a[0] == '-' && a[1] == '-') {
			fprintf(stderr, "quan sale: unknown option or missing "
			    "value: %s\n", a);
			return EXIT_USAGE;
		} else if (o->ncodes < SALE_COUPONS_MAX) {
			o->codes[o->ncodes++] = argv[i];
		} else {
			fprintf(stderr, "quan sale: too many coupons\n");
			return EXIT_USAGE;
		}
	}
	if (!o->has_amount || o->tender == PAYMENT_T_NONE ||
	    o->ncodes > CHECKOUT_LINES_MAX)
		return usage();
	if (o->tender == PAYMENT_T_OTHER && (o->reference[0] == '\0' ||
	    strlen(o->reference) > 64)) {
		fprintf(stderr, "quan sale: --other needs a reference of 1 to "
		    "64 characters\n");
		return EXIT_USAGE;
	}
	if (o->tender == PAYMENT_T_WECHAT && (o->auth_code[0] == '\0' ||
	    strlen(o->auth_code) > 20)) {
		fprintf(stderr, "quan sale: --pay needs the payment code as "
		    "scanned (18 digits)\n");
		return EXIT_USAGE;
	}
	return 0;
}

static json_t *
payment_json(const struct payment_view *v, enum pay_outcome out)
{
	json_t *j = json_object(), *a = json_array();
	int i;

	json_object_set_new(j, "state", json_string(pay_outcome_name(out)));
	json_object_set_new(j, "tender",
	    json_string(payment_tender_name(v->tender)));
	json_object_set_new(j, "out_trade_no", json_string(v->out_trade_no));
	json_object_set_new(j, "transaction_id",
	    json_string(v->transaction_id));
	json_object_set_new(j, "total_fen", json_integer(v->amount_fen));
	json_object_set_new(j, "payer_fen", json_integer(
	    out == PAY_PAID ? v->payer_fen : 0));
	json_object_set_new(j, "voucher_fen", json_integer(
	    out == PAY_PAID ? v->voucher_fen : 0));
	for (i = 0; i < v->nv; i++)
		json_array_append_new(a, json_pack("{s:s, s:s, s:s, s:I}",
		    "id", v->v[i].id, "name", v->v[i].name, "type",
		    v->v[i].type, "amount_fen",
		    (json_int_t)v->v[i].amount_fen));
	json_object_set_new(j, "vouchers", a);
	json_object_set_new(j, "reason", json_string(v->err != PAY_E_NONE ?
	    pay_err_name(v->err) : ""));
	if (v->tender == PAYMENT_T_CASH) {
		json_object_set_new(j, "tendered_fen",
		    json_integer(v->tendered_fen));
		json_object_set_new(j, "change_fen",
		    json_integer(v->change_fen));
	}
	if (v->tender == PAYMENT_T_OTHER)
		json_object_set_new(j, "reference",
		    json_string(v->reference));
	return j;
}

static void
print_text(const struct checkout_txn *t, const struct payment_view *v,
    enum pay_outcome out)
{
	char a[32], b[32], c[32];
	int i;

	printf("txn %" PRId64 ": amount %s  discount %s  due %s\n", t->id,
	    money_format(t->amount_fen, a, sizeof a),
	    money_format(t->discount_fen, b, sizeof b),
	    money_format(t->due_fen, c, sizeof c));
	for (i = 0; i < t->nlines; i++)
		printf("  %-24s %-16s -%s  %s\n", t->lines[i].code,
		    checkout_cstate_name(t->lines[i].state),
		    money_format(t->lines[i].discount_fen, a, sizeof a),
		    checkout_line_reason(&t->lines[i]));
	printf("payment %s: %s %s%s%s\n", payment_tender_name(v->tender),
	    pay_outcome_name(out), v->out_trade_no,
	    v->err != PAY_E_NONE ? "  " : "",
	    v->err != PAY_E_NONE ? pay_err_name(v->err) : "");
	for (i = 0; i < v->nv; i++)
		printf("  voucher %s %s -%s\n", v->v[i].name, v->v[i].type,
		    money_format(v->v[i].amount_fen, a, sizeof a));
	if (out == PAY_PAID && v->tender == PAYMENT_T_WECHAT)
		printf("  customer paid %s\n",
		    money_format(v->payer_fen, a, sizeof a));
	if (v->tender == PAYMENT_T_CASH)
		printf("  tendered %s  change %s\n",
		    money_format(v->tendered_fen, a, sizeof a),
		    money_format(v->change_fen, b, sizeof b));
}

static int flush_ms(const struct cli *c);

/* Take the due with the tender; *v and *out say how it ended. */
static int
take(struct cli *c, struct checkout *co, struct net_online *online,
    const struct sale_opts *o, struct cli_pc *pc, struct payment_view *v,
    enum pay_outcome *out)
{
	const struct checkout_txn *t = checkout_current(co);
	struct net_rt *rt = net_online_rt(online);
	struct settle *se = rt != NULL ? net_rt_settle(rt) : NULL;
	struct evq *results = rt != NULL ? net_rt_results(rt) : NULL;
	struct payment *pm;
	int64_t id = 0;
	int rc;

	pm = payment_new(co, c->st, c->cfg, se);
	switch (o->tender) {
	case PAYMENT_T_WECHAT:
		/* 商品券 discounts come off the charge (cli_pc_price) */
		rc = payment_charge(pm, t->id, t->due_fen - pc->discount_fen,
		    o->auth_code, &id);
		break;
	case PAYMENT_T_CASH:
		rc = payment_cash(pm, t->id, t->due_fen, o->tendered_fen,
		    &id);
		break;
	default:
		rc = payment_other(pm, t->id, t->due_fen, o->reference, &id);
		break;
	}
	if (rc != 0) {
		fprintf(stderr, "quan sale: payment not taken: %s%s%s\n",
		    rc == QUAN_ENET ? "a payment code needs WeChat "
		    "([wechatpay] in quan.conf)" : rc == QUAN_EINVAL &&
		    o->tender == PAYMENT_T_CASH ? "less cash than is due" :
		    quan_strerror(rc), cli_damage(c) != NULL ? ": " : "",
		    cli_damage(c) != NULL ? cli_damage(c) : "");
		payment_free(pm);
		/* nothing was charged: the coupons go back */
		(void)checkout_void(co, t->id, "payment", NULL);
		return rc == QUAN_EINVAL || rc == QUAN_ENET ? EXIT_USAGE :
		    EXIT_FAIL;
	}
	/* 商品券: their uses committed against this order before the
	 * charge leaves; use first: a refused use cancels the charge */
	if (o->tender == PAYMENT_T_WECHAT && cli_pc_charged(pc, pm, t->id, id,
	    results) != 0 && payment_cancel(pm, id) == 0)
		fprintf(stderr, "quan sale: a product coupon was refused: "
		    "the charge is cancelled\n");
	*out = o->tender == PAYMENT_T_WECHAT ?
	    payment_run(pm, results, id) : PAY_PAID;
	if ((rc = payment_settle_sale(pm, id)) != 0)
		fprintf(stderr, "quan sale: settling the sale: %s\n",
		    quan_strerror(rc));
	rc = payment_view(pm, id, v);
	if (rc == 0)
		cli_pc_settle(pc, c->st, *out, v->transaction_id, results);
	payment_free(pm);
	if (rc != 0) {
		fprintf(stderr, "quan sale: %s\n", cli_errmsg(c));
		return EXIT_FAIL;
	}
	/* the returns of a failed payment, or the card consumes of a paid
	 * one: their answers, briefly (quan sync finishes the rest) */
	if (*out == PAY_FAILED || *out == PAY_REVERSED || *out == PAY_PAID)
		net_online_flush(online, flush_ms(c));
	return 0;
}

/* The receipt of a paid (or coupon-paid) sale on the [printer], when one
 * is set: {printed, words}; NULL when there is no printer or nothing to
 * print. Bounded by [printer] timeout_ms; the sale is already complete. */
static json_t *
sale_receipt(struct cli *c, struct checkout *co, int64_t txn,
    enum pay_outcome out)
{
	struct receipt_port *p;
	struct receipt_sale *rs;
	enum receipt_lang lang = receipt_lang_of(c->cfg);
	enum receipt_job j = RECEIPT_JOB_FAILED;
	json_t *r;
	int rc;

	if (out != PAY_PAID || (p = cli_printer_port(c, "sale", NULL)) ==
	    NULL)
		return NULL;
	rs = xcalloc(1, sizeof *rs);
	rc = receipt_of_sale(co, c->st, c->cfg, txn, lang, rs);
	if (rc == 0 && (rc = p->print(p->arg, &rs->r)) == 0)
		j = cli_print_wait(p);
	r = json_pack("{s:b, s:s}", "printed", j == RECEIPT_JOB_PRINTED,
	    "words", rc != 0 ? quan_strerror(rc) : p->why(p->arg, lang));
	if (j != RECEIPT_JOB_PRINTED)
		fprintf(stderr, "quan sale: receipt not printed (%s): quan "
		    "print --reprint %lld\n", json_string_value(
		    json_object_get(r, "words")), (long long)txn);
	free(rs);
	printer_port_free(p);
	return r;
}

/* How long the answers of what a sale sent last are awaited. */
static int
flush_ms(const struct cli *c)
{
	int ms = c->cfg != NULL ? c->cfg->wx_online_wait_ms : 0;

	return ms > 0 ? ms : 3000;
}

/* A sale closed with nothing left to pay: its card coupons' consumes,
 * released by the close, go out now. */
static void
send_consumes(struct cli *c, struct net_online *online, int64_t txn_id)
{
	struct net_rt *rt = net_online_rt(online);

	if (rt == NULL || settle_txn_send(net_rt_settle(rt), txn_id, 0) != 0)
		return;
	net_online_flush(online, flush_ms(c));
}

/* The card lines say what became of each card coupon (payment.h). */
static void
card_json(struct cli *c, const struct checkout_txn *t, json_t *j)
{
	json_t *a = json_object_get(j, "coupons");
	const char *w;
	int i;

	for (i = 0; i < t->nlines && (size_t)i < json_array_size(a); i++) {
		if (t->lines[i].red_id == 0)
			continue;
		w = payment_card_state(c->st, t->lines[i].red_id);
		if (w[0] != '\0')
			json_object_set_new(json_array_get(a, (size_t)i),
			    "card", json_string(w));
	}
}

int
cmd_sale(int argc, char **argv)
{
	struct cli c;
	struct sale_opts o;
	struct checkout *co = NULL;
	struct checkout_txn *t = NULL;
	struct payment_view v;
	enum pay_outcome out = PAY_PAID;
	struct cli_online online = {NULL, NULL};
	struct cli_pc pc;
	json_t *receipt = NULL;
	int rc, i, nrec = 0;

	memset(&v, 0, sizeof v);
	memset(&pc, 0, sizeof pc);
	if ((rc = cli_init(&c, "sale", &argc, argv, 0)) != 0)
		goto end;
	if ((rc = parse(argc, argv, &o)) != 0)
		goto end;
	if ((rc = cli_open_store(&c, "sale", DATAFILE_CHECK_DUE)) != 0 ||
	    (rc = cli_new_checkout(&c, "sale", &co)) != 0)
		goto end;
	/* the payment is taken here: card coupons are checked at the
	 * redeem and consumed once it is paid (doc §11) */
	checkout_set_pay_after(co, 1);
	/* sales interrupted by a crash are settled first */
	(void)net_recover(co, c.cfg, &nrec);
	if ((rc = cli_online_start(&c, "sale", co, &online)) != 0)
		goto end;
	/* 商品券 codes (the product registry knows them) apart; a sale
	 * that cannot be paid by payment code cannot take one */
	if ((rc = cli_pc_sort(&pc, &c, online.on != NULL &&
	    net_online_rt(online.on) != NULL ? net_rt_settle(
	    net_online_rt(online.on)) : NULL, o.codes, &o.ncodes)) != 0)
		goto end;
	if (!cli_pc_tender_ok(&pc, o.tender == PAYMENT_T_WECHAT)) {
		rc = EXIT_USAGE;
		goto end;
	}
	if (o.tender == PAYMENT_T_WECHAT && online.on == NULL) {
		fprintf(stderr, "quan sale: a payment code needs WeChat "
		    "([wechatpay] in quan.conf); take cash or another "
		    "tender\n");
		rc = EXIT_USAGE;
		goto end;
	}
	if ((rc = checkout_open(co, o.amount_fen)) != 0) {
		rc = EXIT_USAGE;
		goto end;
	}
	for (i = 0; i < o.ncodes; i++)
		if ((rc = cli_add_code(co, &c, "sale", o.codes[i], -1)) != 0)
			goto end;
	if ((rc = net_online_redeem(online.on, co)) != 0) {
		fprintf(stderr, "quan sale: %s\n", cli_errmsg(&c));
		rc = EXIT_FAIL;
		goto end;
	}
	if (checkout_current(co)->state != CHECKOUT_T_REDEEMED) {
		fprintf(stderr, "quan sale: the sale was not recorded\n");
		rc = EXIT_FAIL;
		goto end;
	}
	if (cli_pc_price(&pc, c.st, checkout_current(co)->id) != 0) {
		fprintf(stderr, "quan sale: %s\n", cli_errmsg(&c));
		rc = EXIT_FAIL;
		goto end;
	}
	if (checkout_current(co)->due_fen == 0) {
		/* the coupons paid it all */
		if (checkout_close(co) != 0)
			fprintf(stderr, "quan sale: close: %s\n",
			    cli_errmsg(&c));
		else
			send_consumes(&c, online.on, checkout_current(co)->id);
	} else if ((rc = take(&c, co, online.on, &o, &pc, &v, &out)) != 0) {
		goto end;
	}
	t = xcalloc(1, sizeof *t);
	if (checkout_load(co, checkout_current(co)->id, t) != 0)
		*t = *checkout_current(co);
	/* the sale is complete; its receipt cannot undo or hold it */
	receipt = sale_receipt(&c, co, t->id, out);
	if (o.json) {
		json_t *j = cli_redeem_json(t), *pcl = cli_pc_json(&pc);

		card_json(&c, t, j);
		json_array_extend(json_object_get(j, "coupons"), pcl);
		json_decref(pcl);
		json_object_set_new(j, "payment", payment_json(&v, out));
		if (cli_pc_shortfall(&pc) > 0)
			json_object_set_new(j, "collect_fen", json_integer(
			    cli_pc_shortfall(&pc)));
		if (receipt != NULL)
			json_object_set_new(j, "receipt", receipt);
		receipt = NULL;
		cli_print_json(j);
		json_decref(j);
	} else {
		print_text(t, &v, out);
		cli_pc_print(&pc);
		if (receipt != NULL)
			printf("receipt: %s\n", json_string_value(
			    json_object_get(receipt, "words")));
	}
	if (cli_pc_shortfall(&pc) > 0) {
		char m[32];

		/* paid, then WeChat refused a 商品券: the customer owes
		 * its discount (journaled; collect it or void the sale) */
		cli_pc_journal_shortfall(&pc, "quan sale");
		fprintf(stderr, "quan sale: a product coupon was refused "
		    "after the payment: collect %s more, or void the sale\n",
		    money_format(cli_pc_shortfall(&pc), m, sizeof m));
	}
	rc = out == PAY_PAID ? (cli_pc_shortfall(&pc) > 0 ? EXIT_COLLECT :
	    EXIT_OK) : out == PAY_UNKNOWN ? EXIT_PENDING : EXIT_REJECTED;
end:
	json_decref(receipt);
	cli_pc_done(&pc);
	free(t);
	cli_online_stop(&online, "sale");
	checkout_free(co);
	cli_done(&c);
	return rc;
}
