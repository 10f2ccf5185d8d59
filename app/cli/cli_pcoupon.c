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
#include "core/pcoupon_json.h"
#include "net/pcoupon.h"
#include "store/store.h"
#include "store/store_pcoupon.h"
#include "util/config.h"
#include "util/err.h"
#include "util/log.h"
#include "util/money.h"
#include "util/str.h"
#include "util/tm.h"
#include "util/xmem.h"

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
	(void)st;
	return pcsale_price_txn(p->ps, p->lines, p->n, txn_id, tm_now(),
	    &p->discount_fen);
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

int64_t
cli_pc_shortfall(const struct cli_pc *p)
{
	return p->txn_id != 0 ? pcsale_shortfall(p->ps, p->txn_id) : 0;
}

void
cli_pc_journal_shortfall(const struct cli_pc *p, const char *who)
{
	int64_t fen = cli_pc_shortfall(p);

	if (fen > 0 && pcsale_journal_shortfall(p->ps, p->txn_id, fen, who,
	    tm_now()) != 0)
		log_error("product coupon: journal pc_shortfall failed");
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

/* ---- quan import product --fetch ---------------------------------------- */

#define FETCH_MAX 512

struct fetch_ids {
	char p[FETCH_MAX][PC_ID_MAX + 1];
	char s[FETCH_MAX][PC_ID_MAX + 1];
	int n;
};

static int
fetch_id(void *arg, const char *pid, const char *sid)
{
	struct fetch_ids *f = arg;

	if (f->n >= FETCH_MAX)
		return 1;
	str_copy(f->p[f->n], sizeof f->p[f->n], pid);
	str_copy(f->s[f->n], sizeof f->s[f->n], sid);
	f->n++;
	return 0;
}

/* GET one definition; its verified body parsed by parse(). */
static int
fetch_one(struct pcoupon *pc, const char *pid, const char *sid,
    struct pc_product *p, struct pc_stock *k, char **cause)
{
	struct pc_result res;
	json_error_t e;
	json_t *o;
	int rc;

	pc_result_init(&res);
	rc = sid == NULL ? pcoupon_get_product(pc, pid, &res) :
	    pcoupon_get_stock(pc, pid, sid, &res);
	if (rc != 0 || res.w.http / 100 != 2 || res.w.body == NULL) {
		*cause = xasprintf("%s %s: %s %s", sid ? "stock" : "product "
		    "coupon", sid ? sid : pid, res.w.code[0] ? res.w.code :
		    quan_strerror(rc != 0 ? rc : QUAN_EPROTO), res.w.message);
		pc_result_free(&res);
		return rc != 0 ? rc : QUAN_EPROTO;
	}
	o = json_loadb(res.w.body, res.w.body_len, 0, &e);
	pc_result_free(&res);
	if (o == NULL) {
		*cause = xasprintf("%s: bad JSON", sid ? sid : pid);
		return QUAN_EPROTO;
	}
	rc = sid == NULL ? pc_product_from_json(o, p, cause) :
	    pc_stock_from_json(o, p, k, cause);
	json_decref(o);
	return rc;
}

int
cli_pc_fetch(struct cli *c, int64_t now, int *nprod, int *nstock,
    char **cause)
{
	struct fetch_ids *f = xcalloc(1, sizeof *f);
	struct pcoupon_ctx *ctx = NULL;
	struct pcoupon *pc = NULL;
	struct pc_product p;
	struct pc_stock k;
	int i, rc;

	*nprod = *nstock = 0;
	p.product_coupon_id[0] = '\0';
	if ((rc = store_pc_ids(c->st, fetch_id, f)) != 0) {
		*cause = xasprintf("%s", store_errmsg(c->st));
		goto out;
	}
	if ((rc = pcoupon_ctx_new(c->cfg, &ctx, cause)) != 0 ||
	    (rc = pcoupon_new(ctx, NULL, &pc, cause)) != 0)
		goto out;
	for (i = 0; i < f->n && rc == 0; i++) {
		char *why = NULL;

		if (strcmp(p.product_coupon_id, f->p[i]) != 0) {
			if ((rc = fetch_one(pc, f->p[i], NULL, &p, NULL,
			    &why)) != 0) {
				*cause = why;
				break;
			}
			p.fetched_at = now;
			if ((rc = store_pc_product_put(c->st, &p)) != 0)
				break;
			(*nprod)++;
		}
		if ((rc = fetch_one(pc, f->p[i], f->s[i], &p, &k, &why)) != 0) {
			*cause = why;
			break;
		}
		k.fetched_at = now;
		if ((rc = store_pc_stock_put(c->st, &k)) != 0)
			break;
		(*nstock)++;
		free(why);
	}
	if (rc != 0 && *cause == NULL)
		*cause = xasprintf("%s", store_errmsg(c->st));
out:
	pcoupon_free(pc);
	pcoupon_ctx_free(ctx);
	free(f);
	return rc;
}
