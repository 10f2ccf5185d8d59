/*
 * session_pcoupon.c — 商品券 at the terminal and the kiosk, through the
 * same core as the headless `quan sale` (core/pcoupon_sale.h):
 *
 *   scan       a code the product registry knows becomes a basket line
 *              (its name, its type's word, discount), priced
 *              provisionally on what the other coupons leave; refused
 *              (expired, offline ...) it goes to the verdict box only,
 *              like the other kinds;
 *   redeem     after the other coupons are decided the lines are priced
 *              on the recorded sale and their discount taken off its
 *              stored due (pcsale_price_txn): the payment code is charged
 *              the reduced amount;
 *   charge     the uses are committed against the charge's out_trade_no
 *              before it leaves; pay first: sent once the payment is paid
 *              (transaction_id); use first: sent at once and the charge
 *              held until every answer is in — a refused use withdraws
 *              the charge that never left (nothing charged, nothing to
 *              reverse) and the sale goes on at its full due;
 *   refused    pay first, after the payment: the line says WeChat's
 *              words and the sale "collect ¥X more" (journaled
 *              pc_shortfall);
 *   cash       a sale with a 商品券 discount takes no cash or other tender:
 *              refused before the cash is taken, with the reason's words.
 *
 * Answers arrive through settle's drain (pcsale_apply is its hook); the
 * session looks at the uses after every drain and tick (session_pc_check):
 * the loop never waits. Main thread.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/checkout.h"
#include "core/coupon.h"
#include "core/payment.h"
#include "core/pcoupon_sale.h"
#include "core/session_int.h"
#include "store/store_pcoupon.h"
#include "util/config.h"
#include "util/err.h"
#include "util/log.h"
#include "util/money.h"
#include "util/str.h"
#include "util/tm.h"
#include "util/xmem.h"

struct session_pc {
	struct pcsale *ps;
	struct pc_line lines[PCSALE_LINES_MAX];
	int n;
	int64_t discount_fen;     /* granted (provisional before the redeem) */
	int64_t txn;              /* the recorded sale priced, 0 not yet */
	char otn[33];             /* the charge the uses are tied to */
	int use_first;
	int holding;              /* use first: uses out, the charge waits */
	int spent;                /* use first refused: no discount now */
	int short_said;           /* the shortfall was journaled */
	struct pc_use uses[PCSALE_LINES_MAX];
	int nuses;
};

void
session_pc_init(struct session *s)
{
	if (s->o.cfg == NULL || s->o.st == NULL)
		return;
	s->pc = xcalloc(1, sizeof *s->pc);
	s->pc->ps = pcsale_new(s->o.st, s->o.cfg, s->o.settle);
	s->pc->use_first = s->o.cfg->pc_order == CONFIG_PC_USE_FIRST;
}

void
session_pc_free(struct session *s)
{
	if (s->pc == NULL)
		return;
	pcsale_free(s->pc->ps);
	free(s->pc);
	s->pc = NULL;
}

void
session_pc_reset(struct session *s)
{
	struct session_pc *p = s->pc;

	if (p == NULL)
		return;
	p->n = p->nuses = 0;
	p->discount_fen = p->txn = 0;
	p->otn[0] = '\0';
	p->holding = p->spent = p->short_said = 0;
}

int
session_pc_count(const struct session *s)
{
	return s->pc != NULL ? s->pc->n : 0;
}

int64_t
session_pc_discount(const struct session *s)
{
	return s->pc != NULL && !s->pc->spent ? s->pc->discount_fen : 0;
}

int
session_pc_holding(const struct session *s)
{
	return s->pc != NULL && s->pc->holding;
}

/* The terminal's network as pricing sees it: a 商品券 needs WeChat. */
static int
offline(const struct session *s)
{
	return s->o.settle == NULL || s->v.online == VIEW_NET_OFFLINE ||
	    s->v.online == VIEW_NET_CONFIG || s->v.online == VIEW_NET_CLOCK ||
	    s->v.online == VIEW_NET_TLS;
}

/* The use of line i tied to the current charge, NULL none. */
static const struct pc_use *
use_of(const struct session_pc *p, int i)
{
	int j;

	for (j = 0; j < p->nuses; j++)
		if (p->uses[j].line == i &&
		    strcmp(p->uses[j].out_trade_no, p->otn) == 0)
			return &p->uses[j];
	return NULL;
}

/* WeChat's words (its code with spaces) as the other kinds show them. */
static void
remote_words(struct view_coupon *c, const char *why)
{
	size_t i;

	c->reason = VIEW_R_REMOTE;
	c->r_code = REASON_OTHER;
	str_copy(c->r_text, sizeof c->r_text, why);
	for (i = 0; c->r_text[i] != '\0'; i++)
		if (c->r_text[i] == '_')
			c->r_text[i] = ' ';
}

static void
map_line(const struct session_pc *p, int i, struct view_coupon *c)
{
	const struct pc_line *l = &p->lines[i];
	const struct pc_use *u = use_of(p, i);
	const struct reason_info *ri;

	memset(c, 0, sizeof *c);
	str_copy(c->code, sizeof c->code, l->c.code);
	str_copy(c->name, sizeof c->name, l->p.name[0] != '\0' ? l->p.name :
	    l->c.stock_id);
	/* its type's word (NORMAL: amount off ...), as the other kinds;
	 * "product" (商品券) while its definition is unknown */
	str_copy(c->kind, sizeof c->kind, l->v.rule.type != PC_TYPE_UNKNOWN ?
	    pc_type_name(l->v.rule.type) : "product");
	c->r_code = REASON_NONE;
	if (l->v.reason != REASON_NONE) {
		ri = reason_info(l->v.reason);
		c->state = VIEW_C_REJECTED;
		c->reason = ri->view;
		c->r_code = (int)l->v.reason;
		c->r_t = l->v.r_t;
		c->r_need_fen = l->v.need_fen;
		c->r_have_fen = l->v.have_fen;
		if (ri->en != NULL)
			str_copy(c->r_text, sizeof c->r_text, ri->en);
		return;
	}
	c->discount_fen = l->v.discount_fen;
	if (u == NULL) {
		c->state = VIEW_C_PRICED;
		return;
	}
	c->state = checkout_cstate_view(pc_use_cstate(u->state));
	if (u->state == PC_USE_PLANNED)
		c->state = VIEW_C_PENDING;
	if (u->state == PC_USE_FAILED || u->state == PC_USE_CONFLICT) {
		c->discount_fen = 0;
		if (u->state == PC_USE_CONFLICT)
			c->r_code = REASON_ALREADY_USED;
		remote_words(c, u->wx_code[0] != '\0' && u->reason[0] == '\0' ?
		    u->wx_code : u->reason);
		if (u->wx_code[0] != '\0' && strcmp(u->reason, u->wx_code)) {
			size_t k = strlen(c->r_text);

			snprintf(c->r_text + k, sizeof c->r_text - k, " (%s)",
			    u->wx_code);
		}
	} else if (u->state == PC_USE_RETURN_PENDING ||
	    u->state == PC_USE_RETURNED) {
		c->discount_fen = 0;
	}
}

void
session_pc_map(struct session *s, const struct checkout_txn *t)
{
	struct session_pc *p = s->pc;
	int i, current;

	if (p == NULL || p->n == 0 || s->o.co == NULL)
		return;
	current = t == checkout_current(s->o.co);
	if (p->txn != 0 ? t->id != p->txn : !current)
		return;
	for (i = 0; i < p->n && s->v.ncoupons < VIEW_COUPONS_MAX; i++) {
		int manual = s->v.coupons[s->v.ncoupons].manual;

		map_line(p, i, &s->v.coupons[s->v.ncoupons]);
		s->v.coupons[s->v.ncoupons].manual = manual;
		s->v.ncoupons++;
	}
	/* the engine's figures lack the 商品券 discount (the stored sale
	 * carries it once priced) */
	if (current) {
		s->v.discount_fen += session_pc_discount(s);
		s->v.due_fen -= session_pc_discount(s);
	}
}

/* Price the lines on the open basket (provisional, before the redeem). */
static void
reprice(struct session *s, const struct checkout_txn *t)
{
	struct session_pc *p = s->pc;

	pcsale_set_offline(p->ps, offline(s));
	pcsale_price(p->ps, p->lines, p->n, t->amount_fen, t->due_fen,
	    tm_now(), &p->discount_fen);
}

int
session_pc_scan(struct session *s, const struct ev_scan *sc)
{
	struct session_pc *p = s->pc;
	const struct checkout_txn *t = checkout_current(s->o.co);
	struct view_coupon c;
	struct pc_line l;
	int k;

	if (p == NULL || t == NULL || t->state != CHECKOUT_T_OPEN ||
	    pcsale_lookup(p->ps, sc->text, &l) != 1)
		return 0; /* not a 商品券 (or a store error: the engine says) */
	if (p->n >= PCSALE_LINES_MAX || t->nlines + p->n >= VIEW_COUPONS_MAX) {
		session_set_msg(s, VIEW_M_ERROR, "the sale is full");
		session_touch(s);
		return 1;
	}
	k = p->n;
	p->lines[p->n++] = l;
	reprice(s, t);
	if (p->lines[k].v.reason != REASON_NONE) {
		/* refused: the verdict box keeps its reason, the basket
		 * does not keep the line */
		map_line(p, k, &c);
		c.manual = sc->source == SCAN_SRC_MANUAL;
		p->n--;
		reprice(s, t);
		session_map_txn(s, t);
		s->v.last = c;
		s->v.verdict = VIEW_V_REJECTED;
		s->v.verdict_seq++;
		s->v.verdict_scan_us = sc->t_mono_us;
		s->v.verdict_coupon = -1;
	} else {
		session_map_txn(s, t);
		k += t->nlines;
		if (k < s->v.ncoupons) {
			s->v.coupons[k].manual = sc->source == SCAN_SRC_MANUAL;
			s->v.selected = k;
		}
		session_set_verdict(s, VIEW_V_INFO, k, sc->t_mono_us);
	}
	session_set_msg(s, VIEW_M_NONE, NULL);
	session_touch(s);
	return 1;
}

int
session_pc_remove(struct session *s, int idx)
{
	struct session_pc *p = s->pc;
	const struct checkout_txn *t = checkout_current(s->o.co);
	int i;

	if (p == NULL || t == NULL || t->state != CHECKOUT_T_OPEN ||
	    idx < t->nlines || idx - t->nlines >= p->n)
		return 0;
	for (i = idx - t->nlines; i + 1 < p->n; i++)
		p->lines[i] = p->lines[i + 1];
	p->n--;
	reprice(s, t);
	session_map_txn(s, t);
	session_touch(s);
	return 1;
}

void
session_pc_redeemed(struct session *s, int64_t txn)
{
	struct session_pc *p = s->pc;

	if (p == NULL || p->n == 0)
		return;
	p->txn = txn;
	pcsale_set_offline(p->ps, offline(s));
	if (pcsale_price_txn(p->ps, p->lines, p->n, txn, tm_now(),
	    &p->discount_fen) != 0) {
		int i;

		/* not recorded: nothing granted */
		log_error("session: pricing product coupons of sale %lld",
		    (long long)txn);
		for (i = 0; i < p->n; i++)
			p->lines[i].v.reason = REASON_OTHER;
		p->discount_fen = 0;
	}
}

int
session_pc_cash_refused(struct session *s)
{
	const struct reason_info *ri = reason_info(REASON_PC_NEEDS_WECHAT_PAY);

	if (session_pc_discount(s) == 0)
		return 0;
	/* said before any cash is taken: nothing is recorded */
	session_set_msg(s, VIEW_M_ERROR, ri->en);
	session_touch(s);
	return 1;
}

static void
load_uses(struct session_pc *p, struct session *s)
{
	p->nuses = 0;
	if (p->txn != 0 && store_pc_use_txn(s->o.st, p->txn, p->uses,
	    PCSALE_LINES_MAX, &p->nuses) != 0)
		p->nuses = 0;
	if (p->nuses > PCSALE_LINES_MAX)
		p->nuses = PCSALE_LINES_MAX;
}

int
session_pc_charged(struct session *s, int64_t pay_id)
{
	struct session_pc *p = s->pc;
	struct payment_view pv;
	int rc, k = 0;

	if (p == NULL || p->txn == 0 || session_pc_discount(s) == 0)
		return 0;
	if ((rc = payment_view(s->pm, pay_id, &pv)) != 0)
		return rc;
	/* the use numbers, committed before any request (the charge has
	 * not left yet either) */
	rc = pcsale_commit(p->ps, p->txn, p->lines, p->n, pv.out_trade_no,
	    p->use_first, pv.amount_fen + p->discount_fen, pv.amount_fen,
	    tm_now(), &k);
	if (rc != 0)
		return rc;
	str_copy(p->otn, sizeof p->otn, pv.out_trade_no);
	if (p->use_first && k > 0) {
		/* every coupon used before the charge goes out */
		p->holding = 1;
		if ((rc = pcsale_send(p->ps, p->txn, tm_now(), NULL)) != 0)
			log_warn("session: product coupon uses not sent now: "
			    "%s", quan_strerror(rc));
	}
	load_uses(p, s);
	session_map_txn(s, checkout_current(s->o.co));
	return 0;
}

void
session_pc_paid(struct session *s, const char *transaction_id)
{
	struct session_pc *p = s->pc;
	int64_t now = tm_now();

	if (p == NULL || p->otn[0] == '\0')
		return;
	if (!p->use_first && pcsale_paid(p->ps, p->txn, transaction_id,
	    now) != 0)
		log_error("session: product coupons of sale %lld: paid",
		    (long long)p->txn);
	if (pcsale_send(p->ps, p->txn, now, NULL) != 0)
		log_warn("session: product coupon uses not sent now");
	load_uses(p, s);
}

void
session_pc_failed(struct session *s)
{
	struct session_pc *p = s->pc;
	int64_t now = tm_now();

	if (p == NULL || p->otn[0] == '\0')
		return;
	p->holding = 0;
	/* planned uses withdrawn, uses applied given back */
	if (pcsale_payment_failed(p->ps, p->txn, now, NULL) != 0)
		log_error("session: product coupons of sale %lld: payment "
		    "failed", (long long)p->txn);
	(void)pcsale_send(p->ps, p->txn, now, NULL);
	load_uses(p, s);
}

/* Use first: the answers are in; a refusal withdraws the held charge. */
static void
release(struct session *s)
{
	struct session_pc *p = s->pc;
	int i, bad = 0;

	for (i = 0; i < p->nuses; i++)
		if (strcmp(p->uses[i].out_trade_no, p->otn) == 0)
			bad |= p->uses[i].state != PC_USE_USED;
	p->holding = 0;
	if (!bad)
		return; /* the charge leaves at the payment's next step */
	session_journal(s, "pc_use_refused", p->txn, s->v.cashier, p->otn,
	    "before the charge");
	/* the charge never left: withdrawn, nothing to reverse; the sale
	 * goes on at its full due (another code, cash or other) */
	if (s->pm != NULL && s->pay_id != 0)
		(void)payment_cancel(s->pm, s->pay_id);
	if (pcsale_ungrant(p->ps, p->txn, p->discount_fen) != 0)
		log_error("session: sale %lld: due not restored",
		    (long long)p->txn);
	else
		s->v.pay_due_fen += p->discount_fen;
	p->spent = 1;
}

void
session_pc_check(struct session *s)
{
	struct session_pc *p = s->pc;
	int before[PCSALE_LINES_MAX], i, changed = 0;
	int64_t fen;
	char t[32];

	if (p == NULL || p->otn[0] == '\0')
		return;
	for (i = 0; i < p->nuses; i++)
		before[i] = (int)p->uses[i].state;
	i = p->nuses;
	load_uses(p, s);
	changed = i != p->nuses;
	for (i = 0; i < p->nuses && !changed; i++)
		changed = before[i] != (int)p->uses[i].state;
	if (p->holding && pcsale_settled(p->ps, p->txn)) {
		release(s);
		changed = 1;
	}
	if (!changed)
		return;
	if (!p->use_first && !p->short_said &&
	    (fen = pcsale_shortfall(p->ps, p->txn)) > 0) {
		p->short_said = 1;
		if (pcsale_journal_shortfall(p->ps, p->txn, fen, s->v.cashier,
		    tm_now()) != 0)
			log_error("session: journal pc_shortfall failed");
		snprintf(t, sizeof t, "\xc2\xa5");
		money_format(fen, t + 2, sizeof t - 2);
		session_set_msg(s, VIEW_M_PC_COLLECT, t);
	}
	if (checkout_current(s->o.co) != NULL &&
	    checkout_current(s->o.co)->id == p->txn &&
	    checkout_current(s->o.co)->state == CHECKOUT_T_REDEEMED)
		session_map_txn(s, checkout_current(s->o.co));
	else if (checkout_load(s->o.co, p->txn, &s->tmp) == 0)
		session_map_txn(s, &s->tmp);
	if (s->v.screen == VIEW_RESULT || s->v.screen == VIEW_PAY) {
		int worst;
		enum view_verdict vd = session_sale_verdict(&s->v, &worst);

		session_set_verdict(s, vd, worst, 0);
	}
	session_touch(s);
}

void
session_pc_leave(struct session *s)
{
	struct session_pc *p = s->pc;

	if (p == NULL || p->txn == 0 || p->otn[0] != '\0' || p->spent ||
	    p->discount_fen == 0)
		return;
	/* left without a charge: no use was made, no discount granted */
	if (pcsale_ungrant(p->ps, p->txn, p->discount_fen) != 0)
		log_error("session: sale %lld: due not restored",
		    (long long)p->txn);
	p->spent = 1;
}

void
session_pc_voided(struct session *s, int64_t txn)
{
	struct session_pc *p = s->pc;
	int n = 0;

	if (p == NULL)
		return;
	if (pcsale_return_txn(p->ps, txn, tm_now(), &n) != 0)
		log_error("session: product coupons of voided sale %lld",
		    (long long)txn);
	else if (n > 0 && pcsale_send(p->ps, txn, tm_now(), NULL) != 0)
		log_warn("session: product coupon returns left to quan sync");
}
