/*
 * cli_pcoupon.c — 商品券 in the headless `quan sale` (core/pcoupon_sale.h
 * does the work; this file sorts the codes, prints and speaks JSON):
 * a code the product registry knows is a 商品券 line, priced after the
 * other coupons, its discount taken off the amount the payment code is
 * charged, used against that payment order (pay first or use first), and
 * printed like the other coupon lines with kind "product".
 */
#include <inttypes.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli_common.h"
#include "cli/cli_pcoupon.h"
#include "cli/cmd.h"
#include "core/coupon.h"
#include "core/payment.h"
#include "store/store.h"
#include "store/store_pcoupon.h"
#include "util/config.h"
#include "util/err.h"
#include "util/log.h"
#include "util/money.h"
#include "util/tm.h"

#define PC_WAIT_MS 8000   /* the till waits this long for the uses */

int
cli_pc_sort(struct cli_pc *p, struct cli *c, struct settle *se,
    char **codes, int *ncodes)
{
	int i, k = 0, rc;

	memset(p, 0, sizeof *p);
	p->st = c->st;
	p->ps = pcsale_new(c->st, c->cfg, se);
	p->use_first = c->cfg->pc_order == CONFIG_PC_USE_FIRST;
	for (i = 0; i < *ncodes; i++) {
		if (p->n < PCSALE_LINES_MAX) {
			rc = pcsale_lookup(p->ps, codes[i], &p->lines[p->n]);
			if (rc < 0) {
				fprintf(stderr, "quan sale: %s\n",
				    cli_errmsg(c));
				return EXIT_FAIL;
			}
			if (rc == 1) {
				p->n++;
				continue;
			}
		}
		codes[k++] = codes[i];   /* not a 商品券: the other kinds */
	}
	*ncodes = k;
	return 0;
}

int
cli_pc_tender_ok(const struct cli_pc *p, int wechat)
{
	const struct reason_info *ri = reason_info(REASON_PC_NEEDS_WECHAT_PAY);

	if (p->n == 0 || wechat)
		return 1;
	/* said before any cash is taken: nothing is recorded */
	fprintf(stderr, "quan sale: %s: %s (%s)\n", p->lines[0].c.code,
	    ri->en, ri->id);
	return 0;
}

int
cli_pc_price(struct cli_pc *p, struct store *st, int64_t txn_id)
{
	struct store_txn t;
	int rc;

	if (p->n == 0)
		return 0;
	if ((rc = store_txn_get(st, txn_id, &t)) != 0)
		return rc;
	pcsale_price(p->ps, p->lines, p->n, t.amount_fen, t.due_fen,
	    tm_now(), &p->discount_fen);
	if (p->discount_fen == 0)
		return 0;
	/* the sale's figures carry the 商品券 discount: the payment is
	 * taken for the reduced due, and reports add it up */
	t.discount_fen += p->discount_fen;
	t.due_fen -= p->discount_fen;
	if ((rc = store_begin(st)) != 0)
		return rc;
	if ((rc = store_txn_update(st, &t)) != 0) {
		store_rollback(st);
		return rc;
	}
	return store_commit(st);
}

int
cli_pc_charged(struct cli_pc *p, struct payment *pm, int64_t txn_id,
    int64_t pay_id, struct evq *results)
{
	struct payment_view v;
	int rc, i, bad = 0;

	if (p->discount_fen == 0)
		return 0;
	p->txn_id = txn_id;
	if ((rc = payment_view(pm, pay_id, &v)) != 0)
		return rc;
	/* the use numbers, committed before any request (the charge has
	 * not left yet either) */
	if ((rc = pcsale_commit(p->ps, txn_id, p->lines, p->n,
	    v.out_trade_no, p->use_first, v.amount_fen + p->discount_fen,
	    v.amount_fen, tm_now(), NULL)) != 0)
		return rc;
	if (!p->use_first)
		return 0;
	/* use first: every coupon used before the charge goes out */
	if ((rc = pcsale_send(p->ps, txn_id, tm_now(), NULL)) != 0)
		return rc;
	(void)pcsale_run(p->ps, results, txn_id, PC_WAIT_MS);
	p->nuses = 0;
	(void)store_pc_use_txn(p->st, txn_id, p->uses,
	    PCSALE_LINES_MAX, &p->nuses);
	for (i = 0; i < p->nuses && i < PCSALE_LINES_MAX; i++)
		bad |= p->uses[i].state != PC_USE_USED;
	return bad ? QUAN_EREJECTED : 0;
}

void
cli_pc_settle(struct cli_pc *p, struct store *st, enum pay_outcome out,
    const char *transaction_id, struct evq *results)
{
	int64_t now = tm_now();

	if (p->txn_id == 0)
		return;
	if (out == PAY_PAID && !p->use_first &&
	    pcsale_paid(p->ps, p->txn_id, transaction_id, now) != 0)
		log_error("product coupon: paid: %s", store_errmsg(st));
	else if ((out == PAY_FAILED || out == PAY_REVERSED) &&
	    pcsale_payment_failed(p->ps, p->txn_id, now, NULL) != 0)
		log_error("product coupon: payment failed: %s",
		    store_errmsg(st));
	if (out != PAY_UNKNOWN && pcsale_send(p->ps, p->txn_id, now,
	    NULL) == 0)
		(void)pcsale_run(p->ps, results, p->txn_id, PC_WAIT_MS);
	p->nuses = 0;
	(void)store_pc_use_txn(st, p->txn_id, p->uses, PCSALE_LINES_MAX,
	    &p->nuses);
}

/* The use of line i, NULL when none was committed. */
static const struct pc_use *
use_of(const struct cli_pc *p, int i)
{
	int j;

	for (j = 0; j < p->nuses && j < PCSALE_LINES_MAX; j++)
		if (p->uses[j].line == i)
			return &p->uses[j];
	return NULL;
}

/* The line's state and reason as the other coupon kinds show them. */
static void
line_state(const struct cli_pc *p, int i, enum checkout_cstate *cs,
    const char **reason)
{
	const struct pc_line *l = &p->lines[i];
	const struct pc_use *u = use_of(p, i);

	if (l->v.reason != REASON_NONE) {
		*cs = CHECKOUT_REJECTED;
		*reason = reason_id(l->v.reason);
	} else if (u != NULL) {
		*cs = pc_use_cstate(u->state);
		*reason = u->reason[0] != '\0' ? u->reason : "ok";
	} else {
		*cs = CHECKOUT_PRICED;
		*reason = "ok";
	}
}

json_t *
cli_pc_json(const struct cli_pc *p)
{
	json_t *a = json_array();
	int i;

	for (i = 0; i < p->n; i++) {
		const struct pc_line *l = &p->lines[i];
		const struct pc_use *u = use_of(p, i);
		enum checkout_cstate cs;
		const char *why;
		json_t *o;

		line_state(p, i, &cs, &why);
		o = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:I}",
		    "code", l->c.code, "kind", "product", "target",
		    l->c.stock_id, "product_coupon_id",
		    l->c.product_coupon_id, "type",
		    pc_type_name(l->v.rule.type), "name", l->p.name,
		    "state", checkout_cstate_name(cs), "discount_fen",
		    (json_int_t)(l->v.reason == REASON_NONE ?
		    l->v.discount_fen : 0));
		json_object_set_new(o, "reason", json_string(why));
		json_object_set_new(o, "coupon_state",
		    json_string(pc_state_name(l->c.state)));
		if (u != NULL) {
			json_object_set_new(o, "request_no",
			    json_string(u->use_request_no));
			json_object_set_new(o, "use", json_string(
			    pc_use_state_name(u->state)));
			if (u->wx_code[0] != '\0')
				json_object_set_new(o, "wx_code",
				    json_string(u->wx_code));
		}
		if (l->v.need_fen > 0) {
			json_object_set_new(o, "need_fen",
			    json_integer(l->v.need_fen));
			json_object_set_new(o, "have_fen",
			    json_integer(l->v.have_fen));
		}
		json_array_append_new(a, o);
	}
	return a;
}

void
cli_pc_print(const struct cli_pc *p)
{
	char d[32];
	int i;

	for (i = 0; i < p->n; i++) {
		enum checkout_cstate cs;
		const char *why;

		line_state(p, i, &cs, &why);
		printf("  %-24s %-9s %-16s %-10s -%s  %s\n",
		    p->lines[i].c.code, "product", checkout_cstate_name(cs),
		    pc_type_name(p->lines[i].v.rule.type),
		    money_format(p->lines[i].v.reason == REASON_NONE ?
		    p->lines[i].v.discount_fen : 0, d, sizeof d), why);
	}
}

void
cli_pc_done(struct cli_pc *p)
{
	pcsale_free(p->ps);
	p->ps = NULL;
}
