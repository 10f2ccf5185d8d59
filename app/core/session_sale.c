/*
 * session_sale.c — a sale on the terminal: the amount, scans,
 * the confirm key, and the redeem's result shown. Main thread.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include "core/checkout.h"
#include "core/coupon.h"
#include "core/redeem.h"
#include "core/report.h"
#include "core/session.h"
#include "core/session_int.h"
#include "core/settle.h"
#include "store/store.h"
#include "util/config.h"
#include "util/err.h"
#include "util/log.h"
#include "util/money.h"
#include "util/str.h"
#include "util/tm.h"
#include "util/xmem.h"

void
session_on_amount_submit(struct session *s, const char *text)
{
	int64_t fen;
	int rc;

	if (text[0] == '\0')
		return;
	if (money_parse_yuan(text, &fen) != 0) {
		session_set_msg(s, VIEW_M_BAD_AMOUNT, NULL);
		session_touch(s);
		return;
	}
	session_end_sale(s);
	session_clear_sale(s);
	rc = checkout_open(s->o.co, fen);
	if (rc != 0) {
		session_set_msg(s, VIEW_M_ERROR, quan_strerror(rc));
		session_touch(s);
		return;
	}
	s->v.amount_fen = fen;
	s->v.due_fen = fen;
	session_set_msg(s, VIEW_M_NONE, NULL);
	session_go(s, VIEW_BASKET, VIEW_FIELD_CODE);
}

static void
add_diag(struct session *s, const struct ev_scan *sc)
{
	s->diag[s->diag_next] = *sc;
	s->diag_next = (s->diag_next + 1) % DIAG_MAX;
	if (s->ndiag < DIAG_MAX)
		s->ndiag++;
}

void
session_on_scan(struct session *s, const struct ev *ev)
{
	const struct ev_scan *sc = &ev->u.scan;
	const struct checkout_txn *t;
	struct view_coupon c;
	int rc, line = -1;
	size_t len;

	add_diag(s, sc);
	if (s->v.screen == VIEW_DIAG) {
		/* stay on the diagnostics screen: show the new scan */
		session_dispatch(s, &(struct ev){ .type = EV_KEY,
		    .u.key.cmd = SC_DIAG });
		return;
	}
	if ((s->v.screen == VIEW_RESULT || s->v.screen == VIEW_PAY) &&
	    session_pay_scan(s, sc->text))
		return; /* the customer's payment code */
	if (s->v.screen == VIEW_RESULT && s->v.role != VIEW_ROLE_NONE) {
		/* a coupon for the next customer before an amount */
		session_set_msg(s, VIEW_M_ERROR, "enter the amount first");
		session_touch(s);
		return;
	}
	if (s->v.screen != VIEW_BASKET) {
		if (s->v.screen == VIEW_AMOUNT) {
			session_set_msg(s, VIEW_M_ERROR,
			    "enter the amount first");
			session_touch(s);
		}
		return;
	}
	s->v.field = VIEW_FIELD_CODE; /* a scan ends an item-price prompt */
	if (sc->source == SCAN_SRC_MANUAL) {
		/* typed by hand: the journal says so (code masked) */
		char masked[64];

		log_mask(sc->text, masked, sizeof masked);
		session_journal(s, "manual_entry", 0, s->v.cashier, masked,
		    NULL);
	}
	if (session_pc_scan(s, sc))
		return; /* a 商品券 of the registry */
	memset(&c, 0, sizeof c);
	len = strlen(sc->text);
	if (len == 0) {
		/* bytes that are not clean text: refuse with the reason */
		snprintf(c.code, sizeof c.code, "(%zu bytes)", sc->raw_len);
		c.state = VIEW_C_REJECTED;
		c.reason = VIEW_R_GARBAGE;
		s->v.last = c;
		s->v.verdict = VIEW_V_REJECTED;
		s->v.verdict_seq++;
		s->v.verdict_scan_us = sc->t_mono_us;
		s->v.verdict_coupon = -1;
		session_touch(s);
		return;
	}
	rc = checkout_add(s->o.co, sc->text, len, -1, &line);
	if (rc != 0) {
		session_set_msg(s, VIEW_M_ERROR, rc == QUAN_EFULL ?
		    "the sale is full" : quan_strerror(rc));
		session_touch(s);
		return;
	}
	t = checkout_current(s->o.co);
	session_map_txn(s, t);
	if (line >= 0 && line < s->v.ncoupons) {
		s->v.coupons[line].manual = sc->source == SCAN_SRC_MANUAL;
		s->v.selected = line;
		session_set_verdict(s,
		    s->v.coupons[line].state == VIEW_C_REJECTED ?
		    VIEW_V_REJECTED : VIEW_V_INFO, line, sc->t_mono_us);
		if (t->lines[line].state == CHECKOUT_REFUSED &&
		    t->lines[line].reason ==
		    REASON_NEEDS_ITEM_PRICE) {
			/* an exchange coupon: ask what the item costs */
			str_copy(s->price_code, sizeof s->price_code, sc->text);
			s->price_manual = sc->source == SCAN_SRC_MANUAL;
			checkout_remove(s->o.co, line);
			session_map_txn(s, checkout_current(s->o.co));
			s->v.verdict = VIEW_V_NONE;
			s->v.last = s->v.coupons[0];
			session_go(s, VIEW_BASKET, VIEW_FIELD_ITEM_PRICE);
			return;
		}
		if (s->v.coupons[line].state == VIEW_C_REJECTED &&
		    t->lines[line].state == CHECKOUT_REFUSED) {
			/* a refused line does not stay in the basket: the
			 * verdict box keeps its reason */
			checkout_remove(s->o.co, line);
			session_map_txn(s, checkout_current(s->o.co));
		}
	}
	session_set_msg(s, VIEW_M_NONE, NULL);
	session_touch(s);
}

void
session_show_result(struct session *s, uint64_t t_us)
{
	int worst;
	enum view_verdict vd = session_sale_verdict(&s->v, &worst);

	session_set_verdict(s, vd, worst, t_us);
	session_pay_offer(s); /* the due, if any, is taken next */
	session_go(s, VIEW_RESULT, VIEW_FIELD_AMOUNT);
}

static int
needs_approval(const struct view *v)
{
	int i;

	for (i = 0; i < v->ncoupons; i++)
		if (v->coupons[i].state == VIEW_C_NEEDS_APPROVAL)
			return 1;
	return 0;
}

/* First line of the current redeemed sale refused for an offline cap (a
 * manager may still accept it), or -1. */
int
session_over_cap(struct session *s)
{
	const struct checkout_txn *t = checkout_current(s->o.co);
	int i;

	if (t == NULL || t->state != CHECKOUT_T_REDEEMED)
		return -1;
	for (i = 0; i < t->nlines && i < s->v.ncoupons; i++)
		if ((t->lines[i].state == CHECKOUT_REJECTED ||
		    t->lines[i].state == CHECKOUT_UNKNOWN) &&
		    session_is_cap(t->lines[i].reason))
			return i;
	return -1;
}

void
session_start_approval(struct session *s, enum view_action a, int64_t txn)
{
	s->back = s->v.screen;
	s->v.action = a;
	s->v.approve_step = 0;
	s->act_txn = txn;
	/* the sale approved is the action's (a void from the sales list
	 * is not the current sale; a Z report has none) */
	if (txn > 0)
		snprintf(s->v.act_txn, sizeof s->v.act_txn, "%lld",
		    (long long)txn);
	else
		s->v.act_txn[0] = '\0';
	s->appr_id[0] = '\0';
	session_go(s, VIEW_APPROVE, VIEW_FIELD_CASHIER);
}

/* The redeem is decided (rc: checkout_decide's): show its verdicts. */
static void
redeemed(struct session *s, int rc, uint64_t t_us)
{
	const struct checkout_txn *t = checkout_current(s->o.co);
	int i;

	s->v.redeeming = 0;
	s->v.redeem_ms = 0;
	if (rc != 0) {
		session_set_msg(s, VIEW_M_ERROR, quan_strerror(rc));
		session_touch(s);
		if (t == NULL || t->id == 0)
			return;
		/* The sale could not be recorded (disk full, I/O error):
		 * whatever WeChat answered, the till must grant nothing,
		 * because the recovery of this open sale voids it and gives
		 * its coupons back. Showing the in-memory CONFIRMED here let
		 * a customer keep both the coupon and the discount. */
		s->cur_txn = t->id;
		session_map_txn(s, t);
		for (i = 0; i < s->v.ncoupons; i++) {
			s->v.coupons[i].state = VIEW_C_REJECTED;
			s->v.coupons[i].reason = VIEW_R_OTHER;
			s->v.coupons[i].r_code = REASON_OTHER;
			s->v.coupons[i].discount_fen = 0;
			str_copy(s->v.coupons[i].r_text,
			    sizeof s->v.coupons[i].r_text,
			    "sale NOT recorded: give no discount");
		}
		s->v.discount_fen = 0;
		s->v.due_fen = s->v.amount_fen;
		session_show_result(s, t_us);
		session_set_msg(s, VIEW_M_ERROR, quan_strerror(rc));
		return;
	}
	s->cur_txn = t->id;
	session_pc_redeemed(s, t->id); /* priced after the other coupons */
	session_map_txn(s, t);
	if (needs_approval(&s->v)) {
		for (i = 0; i < s->v.ncoupons; i++)
			if (s->v.coupons[i].state == VIEW_C_NEEDS_APPROVAL)
				break;
		s->v.last = s->v.coupons[i];
		s->v.screen = VIEW_RESULT;
		session_start_approval(s, VIEW_A_OVERRIDE, s->cur_txn);
		return;
	}
	session_show_result(s, t_us);
}

/* Decide the redeem out if its wait is over; then handle what was held
 * back meanwhile, in order. */
void
session_redeem_check(struct session *s)
{
	struct ev *ev;
	int i, n;

	if (!redeem_step(s->rd)) {
		if (redeem_active(s->rd) && s->v.redeem_ms / REDEEM_SHOW_MS !=
		    redeem_elapsed_ms(s->rd) / REDEEM_SHOW_MS) {
			s->v.redeem_ms = (uint32_t)redeem_elapsed_ms(s->rd);
			session_touch(s);
		}
		return;
	}
	redeemed(s, redeem_rc(s->rd), s->redeem_t_us);
	n = s->nheld;
	s->nheld = 0;
	ev = xmalloc((size_t)n * sizeof *ev + 1);
	memcpy(ev, s->held, (size_t)n * sizeof *ev);
	for (i = 0; i < n; i++)
		session_dispatch(s, &ev[i]);
	free(ev);
}

void
session_on_confirm(struct session *s, const struct ev *ev)
{
	const struct checkout_txn *t;
	int rc;

	if (s->v.screen != VIEW_BASKET)
		return;
	t = checkout_current(s->o.co);
	if (t == NULL || t->state != CHECKOUT_T_OPEN ||
	    (t->nlines == 0 && session_pc_count(s) == 0)) {
		session_set_msg(s, VIEW_M_EMPTY_BASKET, NULL);
		session_touch(s);
		return;
	}
	if ((rc = redeem_start(s->rd)) != 0) {
		/* the first commit failed: nothing written, basket open */
		redeemed(s, rc, ev->t_mono_us);
		return;
	}
	s->redeem_t_us = ev->t_mono_us;
	if (redeem_active(s->rd)) {
		/* out to WeChat: the loop goes on (keys, clock, status) */
		s->v.redeeming = 1;
		s->v.redeem_ms = 0;
		session_touch(s);
		return;
	}
	session_redeem_check(s);
}
