/*
 * session_pay.c — the sale's payment on the terminal and the kiosk
 * (core/payment.h): after the coupons the view offers the due (RESULT's
 * pay_offer); a WeChat payment code scanned (or typed) there charges it,
 * F-keys take cash (tendered → change) or another tender (a reference).
 * The loop never waits: the charge is a sync job, its answers come back
 * through settle's drain, and session_pay_check maps the payment to the
 * view after each drain and each tick (USERPAYING with a seconds counter,
 * the cashier's cancel → reverse, vouchers from the answer, the verdict).
 * A failed or reversed charge leaves the sale open for another code or
 * tender; cancelling then (or leaving the sale) voids it and gives its
 * merchant coupons back. Main thread.
 */
#include <stdio.h>
#include <string.h>

#include "core/checkout.h"
#include "core/payment.h"
#include "core/refund.h"
#include "core/session_int.h"
#include "store/store_pay.h"
#include "util/err.h"
#include "util/log.h"
#include "util/money.h"
#include "util/str.h"

void
session_pay_init(struct session *s)
{
	if (s->o.cfg != NULL && s->o.st != NULL && s->o.co != NULL) {
		s->pm = payment_new(s->o.co, s->o.st, s->o.cfg, s->o.settle);
		s->rf = refund_new(s->o.co, s->o.st, s->o.cfg, s->o.settle);
	}
}

void
session_pay_free(struct session *s)
{
	payment_free(s->pm);
	s->pm = NULL;
	/* a refund still out stays open in the store for quan sync */
	refund_free(s->rf);
	s->rf = NULL;
}

void
session_pay_reset(struct session *s)
{
	struct view *v = &s->v;

	v->pay_offer = 0;
	v->pay = VIEW_PAY_NONE;
	v->tender = VIEW_T_NONE;
	v->pay_elapsed_s = 0;
	v->pay_due_fen = v->pay_payer_fen = v->pay_voucher_fen = 0;
	v->pay_tendered_fen = v->pay_change_fen = 0;
	v->pay_reason[0] = v->pay_ref[0] = v->pay_otn[0] = '\0';
	v->nvouchers = 0;
	s->pay_id = 0;
}

void
session_pay_offer(struct session *s)
{
	const struct checkout_txn *t = checkout_current(s->o.co);

	session_pay_reset(s);
	/* the engine's due lacks the 商品券 discount (session_pcoupon.c) */
	if (s->pm == NULL || t == NULL || t->state != CHECKOUT_T_REDEEMED ||
	    t->due_fen - session_pc_discount(s) <= 0)
		return;
	s->v.pay_offer = 1;
	s->v.pay_due_fen = t->due_fen - session_pc_discount(s);
}

/* A charge can be asked now: offered, nothing out, not paid. */
static int
can_ask(const struct session *s)
{
	return s->v.pay_offer && (s->v.pay == VIEW_PAY_NONE ||
	    s->v.pay == VIEW_PAY_FAILED || s->v.pay == VIEW_PAY_REVERSED);
}

int
session_pay_waiting(const struct session *s)
{
	return s->v.pay == VIEW_PAY_SENDING ||
	    s->v.pay == VIEW_PAY_USERPAYING || s->v.pay == VIEW_PAY_CANCELLING;
}

static void
refused(struct session *s, int rc)
{
	session_set_msg(s, VIEW_M_ERROR, rc == QUAN_ENET ? "a payment code "
	    "needs WeChat: take cash or another tender" : rc == QUAN_EEXIST ?
	    "this sale already has a payment" : rc == QUAN_EINVAL ?
	    "not taken: check the amount or the code" : quan_strerror(rc));
	session_touch(s);
}

int
session_pay_scan(struct session *s, const char *code)
{
	int64_t id = 0;
	int rc;

	if (!pay_is_auth_code(code))
		return 0;
	if (!can_ask(s)) {
		if (s->v.screen != VIEW_PAY && !session_pay_waiting(s))
			return 0; /* no due here: the coupon path says why */
		session_set_msg(s, VIEW_M_ERROR, "a payment is already out");
		session_touch(s);
		return 1;
	}
	rc = payment_charge(s->pm, s->cur_txn, s->v.pay_due_fen, code, &id);
	if (rc != 0) {
		refused(s, rc);
		return 1;
	}
	/* 商品券: their uses committed against this charge before it
	 * leaves (use first: sent now, the charge held for them) */
	if ((rc = session_pc_charged(s, id)) != 0) {
		(void)payment_cancel(s->pm, id); /* never sent */
		session_set_msg(s, VIEW_M_ERROR, rc == QUAN_EEXIST ? "a product "
		    "coupon is in use in another sale" : quan_strerror(rc));
		s->pay_id = id;
		s->v.pay = VIEW_PAY_CANCELLING;
		session_pay_check(s);
		return 1;
	}
	s->pay_id = id;
	s->v.tender = VIEW_T_WECHAT;
	s->v.pay = VIEW_PAY_SENDING;
	s->v.pay_elapsed_s = 0;
	s->v.pay_reason[0] = '\0';
	s->v.nvouchers = 0;
	session_set_msg(s, VIEW_M_NONE, NULL);
	/* the input line stays live (keys are drawn while it waits): a
	 * second code is refused while this one is out */
	session_go(s, VIEW_PAY, VIEW_FIELD_PAY_CODE);
	/* out at once: the first request does not wait for a tick */
	session_pay_check(s);
	return 1;
}

void
session_pay_key(struct session *s, enum session_cmd cmd)
{
	/* self-service takes no cash: the payment code only */
	if (s->o.kiosk || (s->v.screen != VIEW_RESULT &&
	    s->v.screen != VIEW_PAY) || !can_ask(s))
		return;
	if (session_pc_cash_refused(s))
		return; /* a 商品券 needs the payment code */
	s->v.tender = cmd == SC_CASH ? VIEW_T_CASH : VIEW_T_OTHER;
	session_set_msg(s, VIEW_M_NONE, NULL);
	session_go(s, VIEW_PAY, cmd == SC_CASH ? VIEW_FIELD_CASH :
	    VIEW_FIELD_REF);
}

/* Paid: the sale is closed (payment_settle_sale), the verdict shown. */
static void
paid(struct session *s, const struct payment_view *pv)
{
	struct view *v = &s->v;
	int i;

	v->pay = VIEW_PAY_PAID;
	v->pay_reason[0] = '\0';
	v->pay_payer_fen = pv->payer_fen;
	v->pay_voucher_fen = pv->voucher_fen;
	v->pay_tendered_fen = pv->tendered_fen;
	v->pay_change_fen = pv->change_fen;
	v->nvouchers = 0;
	for (i = 0; i < pv->nv && i < VIEW_VOUCHERS_MAX; i++) {
		str_copy(v->vouchers[i].name, sizeof v->vouchers[i].name,
		    pv->v[i].name[0] ? pv->v[i].name : pv->v[i].id);
		v->vouchers[i].nocash = strcmp(pv->v[i].type, "nocash") == 0;
		v->vouchers[i].amount_fen = pv->v[i].amount_fen;
		v->nvouchers++;
	}
	if (payment_settle_sale(s->pm, s->pay_id) != 0)
		log_error("session: closing paid sale %lld",
		    (long long)s->cur_txn);
	else /* the sale is complete: now its receipt */
		session_print_sale(s, s->cur_txn);
	v->pay_offer = 0;
	v->field = VIEW_FIELD_AMOUNT; /* the next sale's amount */
}

/* The refund of a voided paid sale, when final: the sale voided (its
 * coupons returned) and the session says how it ended. */
static void
refund_check(struct session *s)
{
	struct refund_view rv;
	char t[VIEW_ERR_MAX];

	if (s->rf == NULL || s->refund_id == 0)
		return;
	if (!refund_step(s->rf) && refund_active(s->rf) > 0)
		return;
	if (refund_view(s->rf, s->refund_id, &rv) != 0 ||
	    !refund_state_final(rv.state))
		return;
	if (refund_settle(s->rf, s->refund_id) != 0)
		log_error("session: voiding refunded sale %lld",
		    (long long)rv.txn_id);
	else if (rv.state == REFUND_SUCCESS)
		session_pc_voided(s, rv.txn_id); /* 商品券 given back */
	s->refund_id = 0;
	if (rv.state == REFUND_SUCCESS) {
		snprintf(t, sizeof t, "%lld", (long long)rv.txn_id);
		session_set_msg(s, VIEW_M_REFUNDED, t);
	} else {
		snprintf(t, sizeof t, "%lld\t%s", (long long)rv.txn_id,
		    rv.err != PAY_E_NONE ? pay_err_name(rv.err) :
		    refund_state_name(rv.state));
		session_set_msg(s, VIEW_M_REFUND_FAILED, t);
	}
	session_touch(s);
}

int
session_pay_void(struct session *s, int64_t txn, const char *by)
{
	struct store_pay p;
	char t[40];
	int64_t id = 0;
	int rc;

	if (s->rf == NULL || store_pay_for_txn(s->o.st, txn, &p) != 0 ||
	    strcmp(p.state, "paid") != 0)
		return 0;
	snprintf(t, sizeof t, "%lld", (long long)txn);
	if (s->refund_id != 0) {
		session_set_msg(s, VIEW_M_ERROR, "a refund is already out");
		session_touch(s);
		return 1;
	}
	rc = refund_start(s->rf, txn, 0, 1, by, &id);
	if (rc != 0) {
		session_set_msg(s, VIEW_M_ERROR, rc == QUAN_ENET ? "a WeChat "
		    "refund needs WeChat" : rc == QUAN_EBUSY ? "a refund of "
		    "this sale is under way" : quan_strerror(rc));
		session_touch(s);
		return 1;
	}
	if (id == 0)
		return 0; /* nothing left to give back: void it */
	s->refund_id = id;
	session_set_msg(s, VIEW_M_REFUNDING, t);
	refund_check(s); /* cash / other: back at once */
	session_touch(s);
	return 1;
}

void
session_pay_check(struct session *s)
{
	refund_check(s);
	struct payment_view pv;
	struct view *v = &s->v;
	enum view_pay_state was = v->pay;
	uint32_t el = v->pay_elapsed_s;

	session_pc_check(s);
	if (s->pm == NULL || s->pay_id == 0)
		return;
	/* use first: the charge leaves once its 商品券 are used */
	if (!session_pc_holding(s))
		(void)payment_step(s->pm);
	if (!session_pay_waiting(s) || payment_view(s->pm, s->pay_id,
	    &pv) != 0)
		return;
	str_copy(v->pay_otn, sizeof v->pay_otn, pv.out_trade_no);
	switch (pv.outcome) {
	case PAY_PENDING:
		if (v->pay != VIEW_PAY_CANCELLING)
			v->pay = pv.waiting_customer ? VIEW_PAY_USERPAYING :
			    VIEW_PAY_SENDING;
		v->pay_elapsed_s = (uint32_t)(pv.elapsed_ms / 1000);
		break;
	case PAY_PAID:
		session_pc_paid(s, pv.transaction_id);
		paid(s, &pv);
		break;
	case PAY_FAILED:
	case PAY_REVERSED:
		session_pc_failed(s);
		/* the sale stays: another code or tender, or cancel */
		v->pay = pv.outcome == PAY_FAILED ? VIEW_PAY_FAILED :
		    VIEW_PAY_REVERSED;
		str_copy(v->pay_reason, sizeof v->pay_reason,
		    pv.err != PAY_E_NONE ? pay_err_name(pv.err) : "");
		v->field = VIEW_FIELD_PAY_CODE;
		break;
	case PAY_UNKNOWN:
		v->pay = VIEW_PAY_UNKNOWN;
		str_copy(v->pay_reason, sizeof v->pay_reason,
		    pv.err != PAY_E_NONE ? pay_err_name(pv.err) : "");
		v->pay_offer = 0;
		v->field = VIEW_FIELD_AMOUNT;
		break;
	}
	if (v->pay != was && !session_pay_waiting(s))
		v->pay_seq++;
	if (v->pay != was || v->pay_elapsed_s != el)
		session_touch(s);
}

/* Cash or another tender: final at once. */
static void
instant(struct session *s, const char *text)
{
	struct payment_view pv;
	int64_t fen = 0, id = 0;
	int rc;

	if (s->v.field == VIEW_FIELD_CASH) {
		if (money_parse_yuan(text, &fen) != 0) {
			session_set_msg(s, VIEW_M_BAD_AMOUNT, NULL);
			session_touch(s);
			return;
		}
		rc = payment_cash(s->pm, s->cur_txn, s->v.pay_due_fen, fen,
		    &id);
	} else {
		rc = payment_other(s->pm, s->cur_txn, s->v.pay_due_fen, text,
		    &id);
		str_copy(s->v.pay_ref, sizeof s->v.pay_ref, text);
	}
	if (rc != 0) {
		session_set_msg(s, VIEW_M_ERROR, rc == QUAN_EINVAL &&
		    s->v.field == VIEW_FIELD_CASH ? "less cash than is due" :
		    rc == QUAN_EINVAL ? "a reference of 1 to 64 characters" :
		    quan_strerror(rc));
		session_touch(s);
		return;
	}
	s->pay_id = id;
	if (payment_view(s->pm, id, &pv) != 0) {
		refused(s, QUAN_EIO);
		return;
	}
	session_set_msg(s, VIEW_M_NONE, NULL);
	paid(s, &pv);
	s->v.pay_seq++;
	session_touch(s);
}

void
session_pay_submit(struct session *s, const char *text)
{
	switch (s->v.field) {
	case VIEW_FIELD_CASH:
	case VIEW_FIELD_REF:
		if (text[0] != '\0' && can_ask(s))
			instant(s, text);
		break;
	case VIEW_FIELD_PAY_CODE:
		if (text[0] != '\0' && !session_pay_scan(s, text)) {
			session_set_msg(s, VIEW_M_ERROR,
			    "not a WeChat payment code");
			session_touch(s);
		}
		break;
	case VIEW_FIELD_AMOUNT:
		/* paid (or left to quan sync): the next sale */
		if (!session_pay_waiting(s))
			session_on_amount_submit(s, text);
		break;
	default:
		break;
	}
}

int
session_pay_cancel(struct session *s)
{
	if (s->v.pay == VIEW_PAY_SENDING || s->v.pay == VIEW_PAY_USERPAYING) {
		/* reverse (never before 15 s after the charge) */
		if (payment_cancel(s->pm, s->pay_id) == 0) {
			s->v.pay = VIEW_PAY_CANCELLING;
			session_journal(s, "payment_cancel", s->cur_txn,
			    s->v.cashier, s->v.pay_otn, NULL);
		}
		session_touch(s);
		return 1;
	}
	if (s->v.pay == VIEW_PAY_CANCELLING)
		return 1;
	if (s->v.pay == VIEW_PAY_NONE && s->v.screen == VIEW_PAY) {
		/* back to the coupons' result, the due still offered */
		s->v.tender = VIEW_T_NONE;
		session_go(s, VIEW_RESULT, VIEW_FIELD_AMOUNT);
		return 1;
	}
	if (s->v.pay == VIEW_PAY_FAILED || s->v.pay == VIEW_PAY_REVERSED) {
		/* no other tender: the sale is undone, coupons given back */
		session_to_amount(s);
		session_set_msg(s, VIEW_M_CANCELLED, NULL);
		return 1;
	}
	return 0;
}

int
session_pay_keep_sale(struct session *s)
{
	const struct checkout_txn *t = checkout_current(s->o.co);

	if (s->pm == NULL || s->pay_id == 0 || t == NULL ||
	    t->state != CHECKOUT_T_REDEEMED)
		return 0;
	if (s->v.pay == VIEW_PAY_FAILED || s->v.pay == VIEW_PAY_REVERSED) {
		/* left without another tender: void it, coupons back */
		if (payment_settle_sale(s->pm, s->pay_id) != 0)
			log_error("session: voiding unpaid sale %lld",
			    (long long)t->id);
		return 1;
	}
	/* a charge out or unknown: never closed as if paid; it ends with
	 * its payment (here while the process lives, else quan sync) */
	return session_pay_waiting(s) || s->v.pay == VIEW_PAY_UNKNOWN;
}

int
session_pay_timeout_ms(const struct session *s)
{
	int t, r;

	r = s->rf != NULL && s->refund_id != 0 ? refund_timeout_ms(s->rf) : -1;
	if (s->pm == NULL || !payment_active(s->pm))
		return r;
	if (session_pc_holding(s))
		return 250; /* the uses' answers come with the drains */
	t = payment_timeout_ms(s->pm);
	if (r >= 0 && (t < 0 || r < t))
		t = r;
	/* the seconds counter on screen */
	return t < 0 || t > 250 ? 250 : t;
}

int
session_pay_active(const struct session *s)
{
	return s->pm != NULL && payment_active(s->pm) > 0;
}
