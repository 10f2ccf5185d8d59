/*
 * session_approve.c — manager approvals (override, void, cancel,
 * end of day): who approves, why, and the action once approved. Main
 * thread.
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

/* ---- approvals -------------------------------------------------------- */

static const char *
reason_word(const char *t)
{
	if (strcmp(t, "1") == 0) return "wrong item";
	if (strcmp(t, "2") == 0) return "customer changed mind";
	if (strcmp(t, "3") == 0) return "offline risk accepted";
	if (strcmp(t, "4") == 0) return "end of day";
	return t;
}

static void
approval_back(struct session *s)
{
	s->v.action = VIEW_A_NONE;
	s->v.approve_step = 0;
	switch (s->back) {
	case VIEW_RESULT:
		session_go(s, VIEW_RESULT, VIEW_FIELD_AMOUNT);
		break;
	case VIEW_BASKET:
		session_go(s, VIEW_BASKET, VIEW_FIELD_CODE);
		break;
	case VIEW_TXNS:
		session_go(s, VIEW_TXNS, VIEW_FIELD_SEARCH);
		break;
	case VIEW_LOGIN:
		session_go(s, VIEW_LOGIN, VIEW_FIELD_CASHIER);
		break;
	default:
		session_go(s, VIEW_AMOUNT, VIEW_FIELD_AMOUNT);
		break;
	}
}

/* Lines still over a cap after the manager step: not accepted. Shown as
 * rejected when the engine rejected them, as "waiting for WeChat" when
 * they were sent (WeChat may still confirm them; the screen follows). */
static void
declined(struct session *s)
{
	const struct checkout_txn *t = checkout_current(s->o.co);
	int i;

	for (i = 0; i < s->v.ncoupons; i++)
		if (s->v.coupons[i].state == VIEW_C_NEEDS_APPROVAL)
			s->v.coupons[i].state = t != NULL && i < t->nlines &&
			    t->lines[i].state == CHECKOUT_UNKNOWN ?
			    VIEW_C_UNKNOWN : VIEW_C_REJECTED;
}

/* Accept every line over an offline cap, as manager who approved. */
static int
session_override(struct session *s, const char *who, const char *why)
{
	const struct checkout_txn *t = checkout_current(s->o.co);
	int i, rc = 0;

	for (i = 0; t != NULL && i < t->nlines; i++) {
		if ((t->lines[i].state != CHECKOUT_REJECTED &&
		    t->lines[i].state != CHECKOUT_UNKNOWN) ||
		    !session_is_cap(t->lines[i].reason))
			continue;
		rc = checkout_override(s->o.co, i, who, why);
		if (rc != 0)
			break;
		t = checkout_current(s->o.co);
	}
	return rc;
}

/* The message after a void: which coupons cannot be given back (a card
 * code consumed at WeChat has no return), by name or masked code. */
static void
void_msg(struct session *s, int64_t txn, const char *id)
{
	char t[VIEW_ERR_MAX], m[64];
	size_t o;
	int i, kept = 0, others = 0;

	if (checkout_load(s->o.co, txn, &s->tmp) != 0) {
		session_set_msg(s, VIEW_M_VOIDED, id);
		return;
	}
	o = (size_t)snprintf(t, sizeof t, "%s\t", id);
	for (i = 0; i < s->tmp.nlines; i++) {
		const struct checkout_line *l = &s->tmp.lines[i];

		if (l->reason != REASON_VOIDED_NOT_RETURNABLE) {
			if (l->state == CHECKOUT_RETURN_PENDING ||
			    l->state == CHECKOUT_RETURNED)
				others++;
			continue;
		}
		if (o < sizeof t)
			o += (size_t)snprintf(t + o, sizeof t - o, "%s%s",
			    kept > 0 ? ", " : "", l->name[0] != '\0' ?
			    l->name : log_mask(l->code, m, sizeof m));
		kept++;
	}
	if (kept == 0)
		session_set_msg(s, VIEW_M_VOIDED, id);
	else
		session_set_msg(s, others > 0 ? VIEW_M_VOIDED_KEPT :
		    VIEW_M_VOIDED_KEPT_ALL, t);
}

static void
do_action(struct session *s, const char *why)
{
	char *cause = NULL, b[40];
	const struct checkout_txn *t;
	int rc;
	enum view_action a = s->v.action;

	snprintf(b, sizeof b, "%lld", (long long)s->act_txn);
	/* a void's approval is journaled once the void is done: no
	 * approval entry for a void that failed */
	if (a != VIEW_A_VOID)
		session_journal(s, "approval", s->act_txn, s->appr_id,
		    session_action_id(a),
		    why);
	switch (a) {
	case VIEW_A_VOID:
		if (session_pay_void(s, s->act_txn, s->appr_id)) {
			/* paid: the money back first (session_pay.c) */
			s->v.action = VIEW_A_NONE;
			session_journal(s, "approval", s->act_txn, s->appr_id,
			    session_action_id(a), why);
			approval_back(s);
			return;
		}
		rc = checkout_void(s->o.co, s->act_txn, s->appr_id, &cause);
		s->v.action = VIEW_A_NONE;
		if (rc != 0) {
			session_set_msg(s, VIEW_M_ERROR, cause != NULL ? cause :
			    quan_strerror(rc));
			free(cause);
			approval_back(s);
			return;
		}
		session_journal(s, "approval", s->act_txn, s->appr_id,
		    session_action_id(a),
		    why);
		session_pc_voided(s, s->act_txn); /* 商品券 given back */
		void_msg(s, s->act_txn, b);
		if (s->act_txn == s->cur_txn &&
		    checkout_load(s->o.co, s->cur_txn, &s->tmp) == 0) {
			session_map_txn(s, &s->tmp);
			session_go(s, VIEW_RESULT, VIEW_FIELD_AMOUNT);
		} else if (s->back == VIEW_TXNS) {
			session_show_txns(s, "");
		} else {
			session_go(s, VIEW_AMOUNT, VIEW_FIELD_AMOUNT);
		}
		return;
	case VIEW_A_OVERRIDE:
		s->v.action = VIEW_A_NONE;
		rc = session_override(s, s->appr_id, why);
		t = checkout_current(s->o.co);
		if (t != NULL)
			session_map_txn(s, t);
		if (rc != 0)
			session_set_msg(s, VIEW_M_ERROR, rc == QUAN_ENOTSUP ?
			    "override not available: coupon stays rejected" :
			    rc == QUAN_EEXIST ? "override refused: another "
			    "sale used this coupon meanwhile" :
			    quan_strerror(rc));
		else
			session_set_msg(s, VIEW_M_APPROVED, s->appr_id);
		declined(s);
		session_show_result(s, 0);
		return;
	case VIEW_A_ZREPORT:
		s->v.action = VIEW_A_NONE;
		session_show_report(s, 1, s->appr_id, why);
		return;
	case VIEW_A_EXIT:
		s->v.action = VIEW_A_NONE;
		s->done = 1;
		session_set_msg(s, VIEW_M_APPROVED, s->appr_id);
		session_touch(s);
		return;
	case VIEW_A_NONE:
		break;
	}
	approval_back(s);
}

void
session_on_approve_submit(struct session *s, const char *text)
{
	enum staff_role role;

	switch (s->v.approve_step) {
	case 0:
		if (text[0] == '\0')
			return;
		str_copy(s->appr_id, sizeof s->appr_id, text);
		s->v.approve_step = 1;
		session_set_msg(s, VIEW_M_NONE, NULL);
		session_touch(s);
		return;
	case 1:
		if (session_check_pin(s, s->appr_id, text, &role) != 0) {
			s->v.approve_step = 0;
			session_touch(s);
			return;
		}
		if (role != STAFF_MANAGER) {
			session_journal(s, "approval_refused", s->act_txn,
			    s->appr_id,
			    session_action_id(s->v.action), "not a manager");
			session_set_msg(s, VIEW_M_NOT_MANAGER, NULL);
			s->v.approve_step = 0;
			session_touch(s);
			return;
		}
		s->v.approve_step = 2;
		session_set_msg(s, VIEW_M_NONE, NULL);
		session_touch(s);
		return;
	default:
		if (text[0] == '\0') {
			session_set_msg(s, VIEW_M_NEED_REASON, NULL);
			session_touch(s);
			return;
		}
		session_set_msg(s, VIEW_M_NONE, NULL);
		do_action(s, reason_word(text));
		return;
	}
}

void
session_on_cancel(struct session *s)
{
	switch (s->v.screen) {
	case VIEW_LOGIN:
		session_go(s, VIEW_LOGIN, VIEW_FIELD_CASHIER);
		break;
	case VIEW_APPROVE:
		if (s->v.action == VIEW_A_OVERRIDE) {
			declined(s);
			session_journal(s, "override_declined", s->act_txn,
			    s->v.cashier, NULL, NULL);
			s->v.action = VIEW_A_NONE;
			session_set_msg(s, VIEW_M_CANCELLED, NULL);
			session_show_result(s, 0);
			return;
		}
		session_set_msg(s, VIEW_M_CANCELLED, NULL);
		approval_back(s);
		break;
	case VIEW_BASKET:
		if (s->v.field == VIEW_FIELD_ITEM_PRICE) {
			session_go(s, VIEW_BASKET, VIEW_FIELD_CODE);
			break;
		}
		/* drop the unredeemed sale */
		session_to_amount(s);
		session_set_msg(s, VIEW_M_CANCELLED, NULL);
		break;
	case VIEW_DETAIL:
		if (s->back == VIEW_BASKET)
			session_go(s, VIEW_BASKET, VIEW_FIELD_CODE);
		else if (s->back == VIEW_RESULT)
			session_go(s, VIEW_RESULT, VIEW_FIELD_AMOUNT);
		else if (s->back == VIEW_TXNS)
			session_show_txns(s, "");
		else
			session_go(s, VIEW_AMOUNT, VIEW_FIELD_AMOUNT);
		break;
	case VIEW_TXNS:
	case VIEW_REPORT:
	case VIEW_DIAG:
	case VIEW_SETTINGS:
	case VIEW_HELP:
		if (s->v.role == VIEW_ROLE_NONE)
			session_go(s, VIEW_LOGIN, VIEW_FIELD_CASHIER);
		else if (s->cur_txn != 0 || s->v.ncoupons > 0) {
			/* back to the sale that was on screen */
			if (s->cur_txn != 0 && s->o.co != NULL &&
			    checkout_load(s->o.co, s->cur_txn, &s->tmp) == 0)
				session_map_txn(s, &s->tmp);
			session_go(s,
			    s->cur_txn != 0 ? VIEW_RESULT : VIEW_BASKET,
			    s->cur_txn != 0 ? VIEW_FIELD_AMOUNT :
			    VIEW_FIELD_CODE);
		} else
			session_go(s, VIEW_AMOUNT, VIEW_FIELD_AMOUNT);
		break;
	default:
		break;
	}
}

void
session_on_void(struct session *s)
{
	int64_t id = 0;
	char *end;

	if (s->v.screen == VIEW_TXNS && s->v.selected >= 0 &&
	    s->v.selected < s->v.nlines) {
		id = strtoll(s->ids[s->v.selected], &end, 10);
		if (*end != '\0')
			id = 0;
	} else if (s->cur_txn != 0) {
		id = s->cur_txn;
	} else if (s->last_txn != 0 && s->v.screen == VIEW_AMOUNT &&
	    s->v.ncoupons == 0) {
		/* right after a sale: that one (the approval screen names
		 * it, so the manager sees which sale is voided) */
		id = s->last_txn;
	}
	if (id <= 0) {
		session_set_msg(s, VIEW_M_NOTHING_TO_VOID, NULL);
		session_touch(s);
		return;
	}
	/* a sale voided already is refused here, before a manager is
	 * asked for id, PIN and reason: nothing happens, nothing is
	 * journaled or reported */
	if (s->o.co != NULL && checkout_voidable(s->o.co, id, NULL) != 0) {
		char b[40];

		snprintf(b, sizeof b, "%lld", (long long)id);
		session_set_msg(s, VIEW_M_NOT_VOIDABLE, b);
		session_touch(s);
		return;
	}
	snprintf(s->v.txn, sizeof s->v.txn, "%lld", (long long)id);
	session_start_approval(s, VIEW_A_VOID, id);
}
