/*
 * checkout_recorded.c — sales already recorded: void a closed sale,
 * load one for display, recover redeems a crash interrupted.
 */
#include <inttypes.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/checkout.h"
#include "core/checkout_int.h"
#include "core/journal.h"
#include "core/ledger.h"
#include "core/report.h"
#include "store/store.h"
#include "store/store_pay.h"
#include "util/config.h"
#include "util/err.h"
#include "util/log.h"
#include "util/money.h"
#include "util/str.h"
#include "util/tm.h"
#include "util/xmem.h"

/* A card coupon checked (code/get) for a sale paid here whose consume
 * was held and never sent (the payment failed, was reversed, or never
 * came): the consume is cancelled and the coupon stays the customer's,
 * untouched at WeChat — nothing to give back. 0 done, 1 when the
 * consume was sent (or done): the caller's rule applies; < 0 error. */
static int
card_unsent(struct store *st, struct store_red *r, int64_t now,
    const char *kind, const json_t *x)
{
	int rc;

	if ((rc = store_outbox_held(st, r->id)) != 1)
		return rc < 0 ? rc : 1;
	if ((rc = store_outbox_cancel(st, r->id, 0, now,
	    "not consumed: the sale was not paid")) != 0)
		return rc;
	if ((rc = ledger_change(st, r, CHECKOUT_RETURNED,
	    REASON_CARD_NOT_CONSUMED, NULL, kind, now, x)) != 0)
		return rc;
	return store_code_set_state(st, r->code, r->kind,
	    code_state_name(CODE_ISSUED));
}

struct void_ctx {
	struct checkout *co;
	int64_t now;
	const char *who;
};

static int
void_row(void *arg, const struct store_red *row)
{
	struct void_ctx *v = arg;
	struct store *st = v->co->o.st;
	struct store_red r = *row;
	json_t *x;
	int rc, rs, cancelled = 0;

	rs = r.state;
	if (rs != CHECKOUT_CONFIRMED && rs != CHECKOUT_ACCEPTED_OFFLINE &&
	    rs != CHECKOUT_UNKNOWN && rs != CHECKOUT_PENDING)
		return 0; /* nothing was used */
	x = json_pack("{s:s}", "by", v->who != NULL ? v->who : "");
	if (r.kind == STORE_CARD && rs == CHECKOUT_CONFIRMED &&
	    (rc = card_unsent(st, &r, v->now, "void", x)) != 1) {
		json_decref(x);
		return rc; /* checked, never consumed: left untouched */
	}
	if (r.kind == STORE_CARD && rs == CHECKOUT_CONFIRMED) {
		/* the card API has no "un-consume": it stays used at WeChat;
		 * marked so reports show it as voided, not returnable (not
		 * as redeemed value) and the cashier is told */
		rc = ledger_change(st, &r, CHECKOUT_CONFIRMED,
		    REASON_VOIDED_NOT_RETURNABLE, NULL,
		    "void_card_irreversible", v->now, x);
		json_decref(x);
		return rc;
	}
	/* a use that was never sent is simply cancelled */
	if ((rc = store_outbox_cancel(st, r.id, 0, v->now, "voided")) != 0)
		goto out;
	if (rs == CHECKOUT_ACCEPTED_OFFLINE || rs == CHECKOUT_PENDING) {
		if ((rc = store_outbox_use_open(st, r.id)) < 0)
			goto out;
		cancelled = rc == 0;
	}
	if (cancelled) {
		rc = ledger_change(st, &r, CHECKOUT_RETURNED,
		    REASON_VOIDED_BEFORE_SEND, NULL, "void", v->now, x);
		if (rc == 0)
			rc = store_code_set_state(st, r.code, r.kind,
			    code_state_name(CODE_ISSUED));
		goto out;
	}
	if (r.kind == STORE_CARD) {
		/* consume in flight: cannot be returned if it lands */
		rc = ledger_change(st, &r, CHECKOUT_RETURN_PENDING,
		    REASON_CARD_CONSUME_IRREVERSIBLE, NULL, "void", v->now, x);
		goto out;
	}
	if ((rc = ledger_return_key(r.idem_key, r.return_key,
	    sizeof r.return_key)) != 0)
		goto out;
	rc = ledger_change(st, &r, CHECKOUT_RETURN_PENDING, REASON_VOIDED,
	    NULL, "void", v->now, x);
	if (rc == 0)
		rc = ledger_queue_return(st, &r, v->now);
out:
	json_decref(x);
	return rc;
}

/* The void rule on a loaded txn row: 0, or QUAN_EINVAL with *cause. */
static int
voidable_row(const struct store_txn *t, char **cause)
{
	enum txn_state ts = t->state;

	if (ts == TXN_REDEEMED || ts == TXN_CLOSED)
		return QUAN_OK;
	if (cause != NULL)
		*cause = ts == TXN_VOIDED ?
		    xasprintf("transaction %" PRId64 " is voided already: "
		    "nothing to void", t->id) :
		    xasprintf("transaction %" PRId64 " is %s: only a redeemed "
		    "or closed sale can be voided", t->id, txn_state_name(ts));
	return QUAN_EINVAL;
}

int
checkout_voidable(struct checkout *co, int64_t txn_id, char **cause)
{
	struct store_txn t;
	int rc;

	if (cause != NULL)
		*cause = NULL;
	if ((rc = store_txn_get(co->o.st, txn_id, &t)) != 0) {
		if (cause != NULL)
			*cause = rc == QUAN_ENOTFOUND ?
			    xasprintf("no transaction %" PRId64, txn_id) :
			    xstrdup(store_errmsg(co->o.st));
		return rc;
	}
	return voidable_row(&t, cause);
}

int
checkout_void(struct checkout *co, int64_t txn_id, const char *who,
    char **cause)
{
	struct store *st = co->o.st;
	struct store_txn t;
	struct void_ctx v;
	json_t *d;
	int rc;

	v.co = co;
	v.now = checkout_now_of(co);
	v.who = who;
	if ((rc = store_begin(st)) != 0)
		goto fail;
	if ((rc = store_txn_get(st, txn_id, &t)) != 0) {
		store_rollback(st);
		if (cause != NULL)
			*cause = rc == QUAN_ENOTFOUND ?
			    xasprintf("no transaction %" PRId64, txn_id) :
			    xstrdup(store_errmsg(st));
		return rc;
	}
	if ((rc = voidable_row(&t, cause)) != 0) {
		store_rollback(st);
		return rc;
	}
	if ((rc = store_red_list_txn(st, txn_id, void_row, &v)) != 0)
		goto bad;
	t.state = TXN_VOIDED;
	t.closed_at = v.now;
	if ((rc = store_txn_update(st, &t)) != 0)
		goto bad;
	d = json_pack("{s:s}", "by", who != NULL ? who : "");
	rc = journal_append(st, v.now, "void_txn", txn_id, 0, d);
	json_decref(d);
	if (rc != 0)
		goto bad;
	if ((rc = store_commit(st)) != 0)
		goto fail;
	if (co->cur.id == txn_id)
		co->cur.state = CHECKOUT_T_VOIDED;
	return QUAN_OK;
bad:
	store_rollback(st);
fail:
	if (cause != NULL)
		*cause = xstrdup(store_errmsg(st));
	return rc;
}

struct load_ctx {
	struct checkout_txn *t;
};

static int
load_row(void *arg, const struct store_red *r)
{
	struct load_ctx *c = arg;
	struct checkout_line *l;
	int s;

	if (c->t->nlines >= CHECKOUT_LINES_MAX)
		return 0;
	l = &c->t->lines[c->t->nlines++];
	memset(l, 0, sizeof *l);
	str_copy(l->code, sizeof l->code, r->code);
	l->kind = r->kind == STORE_CARD ? CLASSIFY_CARD : CLASSIFY_MERCHANT;
	str_copy(l->kind_id, sizeof l->kind_id,
	    classify_kind_id(l->kind));
	str_copy(l->target, sizeof l->target, r->target);
	str_copy(l->coupon_type, sizeof l->coupon_type, r->coupon_type);
	s = r->state;
	l->state = s < 0 ? CHECKOUT_UNKNOWN : (enum checkout_cstate)s;
	checkout_line_set_reason(l, r->reason);
	l->remote_at = checkout_remote_at(r->remote_ref);
	l->discount_fen = r->discount_fen;
	l->item_price_fen = -1;
	str_copy(l->request_no, sizeof l->request_no, r->idem_key);
	l->red_id = r->id;
	str_copy(l->offline_reason, sizeof l->offline_reason,
	    r->offline_reason);
	l->offline_loss = report_is_offline_loss(r->state, r->offline_at,
	    r->discount_fen);
	return 0;
}

int
checkout_load(struct checkout *co, int64_t txn_id, struct checkout_txn *out)
{
	struct store_txn t;
	struct load_ctx c;
	int rc;

	if ((rc = store_txn_get(co->o.st, txn_id, &t)) != 0)
		return rc;
	memset(out, 0, sizeof *out);
	out->id = t.id;
	out->amount_fen = t.amount_fen;
	out->discount_fen = t.discount_fen;
	out->due_fen = t.due_fen;
	switch (t.state) {
	case TXN_CLOSED:
		out->state = CHECKOUT_T_CLOSED;
		break;
	case TXN_VOIDED:
		out->state = CHECKOUT_T_VOIDED;
		break;
	case TXN_OPEN:
		out->state = CHECKOUT_T_OPEN;
		break;
	default:
		out->state = CHECKOUT_T_REDEEMED;
	}
	c.t = out;
	return store_red_list_txn(co->o.st, txn_id, load_row, &c);
}

struct recover_ctx {
	struct store *st;
	int64_t now;
};

static int
recover_row(void *arg, const struct store_red *row)
{
	struct recover_ctx *c = arg;
	struct store_red r = *row;
	int rc, rs = r.state;

	if (rs == CHECKOUT_CONFIRMED) {
		/* WeChat applied it in the online step, but the cashier
		 * never saw a verdict and the sale is voided: give it back
		 * (a card consume cannot be undone; a card only checked is
		 * left untouched) */
		if (r.kind == STORE_CARD &&
		    (rc = card_unsent(c->st, &r, c->now, "recover", NULL)) != 1)
			return rc;
		if (r.kind == STORE_CARD)
			return ledger_change(c->st, &r, CHECKOUT_CONFIRMED,
			    REASON_VOIDED_NOT_RETURNABLE, NULL,
			    "void_card_irreversible", c->now, NULL);
		r.discount_fen = 0;
		if ((rc = ledger_return_key(r.idem_key, r.return_key,
		    sizeof r.return_key)) != 0 ||
		    (rc = ledger_change(c->st, &r, CHECKOUT_RETURN_PENDING,
		    REASON_INTERRUPTED, NULL, "recover", c->now, NULL)) != 0)
			return rc;
		return ledger_queue_return(c->st, &r, c->now);
	}
	if (rs == CHECKOUT_UNKNOWN) {
		/* sent, outcome unknown: stays for the sync area, with
		 * nothing granted, so a use that landed is given back */
		if (r.discount_fen == 0)
			return 0;
		r.discount_fen = 0;
		return ledger_change(c->st, &r, CHECKOUT_UNKNOWN,
		    REASON_INTERRUPTED, NULL, "recover", c->now, NULL);
	}
	if (rs != CHECKOUT_PENDING)
		return 0;
	if ((rc = store_outbox_cancel(c->st, r.id, 0, c->now,
	    "interrupted")) != 0)
		return rc;
	if ((rc = store_outbox_use_open(c->st, r.id)) < 0)
		return rc;
	if (rc > 0) {
		/* it was sent after all: outcome unknown, nothing granted */
		r.discount_fen = 0;
		return ledger_change(c->st, &r, CHECKOUT_UNKNOWN,
		    REASON_INTERRUPTED, NULL, "recover", c->now, NULL);
	}
	r.discount_fen = 0;
	return ledger_change(c->st, &r, CHECKOUT_REJECTED, REASON_INTERRUPTED,
	    NULL, "recover", c->now, NULL);
}

int
checkout_recover(struct checkout *co, int64_t older_than_s, int *n)
{
	struct store *st = co->o.st;
	struct recover_ctx c;
	int64_t ids[64];
	int i, k = 0, rc;

	*n = 0;
	c.st = st;
	c.now = checkout_now_of(co);
	if ((rc = store_txn_list_open(st, c.now - older_than_s, ids, 64,
	    &k)) != 0)
		return rc;
	for (i = 0; i < k; i++) {
		struct store_txn t;

		if ((rc = store_begin(st)) != 0)
			return rc;
		if ((rc = store_txn_get(st, ids[i], &t)) != 0 ||
		    t.state != TXN_OPEN)
			goto next;
		if ((rc = store_red_list_txn(st, ids[i], recover_row,
		    &c)) != 0)
			goto bad;
		t.state = TXN_VOIDED;
		t.discount_fen = 0;
		t.due_fen = t.amount_fen;
		t.closed_at = c.now;
		if ((rc = store_txn_update(st, &t)) != 0)
			goto bad;
		if ((rc = journal_append(st, c.now, "recover_txn", t.id, 0,
		    NULL)) != 0)
			goto bad;
next:
		if (rc != 0 && rc != QUAN_ENOTFOUND)
			goto bad;
		if ((rc = store_commit(st)) != 0)
			return rc;
		(*n)++;
	}
	return QUAN_OK;
bad:
	store_rollback(st);
	return rc;
}
