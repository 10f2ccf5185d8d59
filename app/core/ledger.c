/*
 * ledger.c — redemption state changes with their journal entries (see
 * ledger.h). Every change is one store_red_update + one journal_append in
 * the caller's (or our own) transaction.
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/coupon.h"
#include "core/journal.h"
#include "core/ledger.h"
#include "store/store.h"
#include "util/err.h"
#include "util/log.h"
#include "util/xmem.h"

void
ledger_mask(const char *code, char *out, size_t n)
{
	log_mask(code, out, n);
}

int
ledger_change(struct store *st, struct store_red *r,
    enum checkout_cstate to, enum reason why, const char *why_text,
    const char *kind, int64_t now, const struct json_t *extra)
{
	const char *state = checkout_cstate_name(to);
	const char *reason = why == LEDGER_KEEP ? NULL :
	    reason_text(why, why_text);
	char masked[64];
	json_t *d;
	int rc;

	d = extra != NULL ? json_deep_copy((json_t *)extra) : json_object();
	if (d == NULL)
		d = json_object();
	ledger_mask(r->code, masked, sizeof masked);
	json_object_set_new(d, "code", json_string(masked));
	json_object_set_new(d, "from", json_string(checkout_cstate_name(
	    r->state)));
	json_object_set_new(d, "to", json_string(state));
	json_object_set_new(d, "key", json_string(r->idem_key));
	if (reason != NULL)
		json_object_set_new(d, "reason", json_string(reason));
	json_object_set_new(d, "discount_fen",
	    json_integer(r->discount_fen));
	r->state = to;
	if (reason != NULL)
		snprintf(r->reason, sizeof r->reason, "%s", reason);
	r->updated_at = now;
	if ((rc = store_red_update(st, r)) == 0)
		rc = journal_append(st, now, kind, r->txn_id, r->id, d);
	json_decref(d);
	return rc;
}

static int
valid_for(enum store_op op, int state)
{
	if (op == STORE_OP_RETURN)
		return state == CHECKOUT_RETURNED || state == CHECKOUT_REJECTED;
	return state == CHECKOUT_CONFIRMED || state == CHECKOUT_REJECTED ||
	    state == CHECKOUT_CONFLICT;
}

int
ledger_return_key(const char *use_key, char *out, size_t n)
{
	size_t l = strlen(use_key), i = l;

	while (i > 0 && use_key[i - 1] >= '0' && use_key[i - 1] <= '9')
		i--;
	if (i == 0 || i == l || use_key[i - 1] != 'U' || l >= n)
		return QUAN_EINVAL;
	memcpy(out, use_key, l + 1);
	out[i - 1] = 'R';
	return QUAN_OK;
}

int
ledger_queue_return(struct store *st, struct store_red *r, int64_t now)
{
	struct store_outbox ob;
	json_t *b;
	char *s;
	int rc;

	if (r->return_key[0] == '\0' &&
	    (rc = ledger_return_key(r->idem_key, r->return_key,
	    sizeof r->return_key)) != 0)
		return rc;
	memset(&ob, 0, sizeof ob);
	ob.red_id = r->id;
	ob.op = STORE_OP_RETURN;
	snprintf(ob.request_no, sizeof ob.request_no, "%s", r->return_key);
	b = json_pack("{s:s, s:s, s:s}", "coupon_code", r->code, "stock_id",
	    r->target, "return_request_no", r->return_key);
	s = b != NULL ? json_dumps(b, JSON_COMPACT | JSON_PRESERVE_ORDER) :
	    NULL;
	snprintf(ob.body, sizeof ob.body, "%s", s != NULL ? s : "");
	free(s);
	json_decref(b);
	ob.next_at = now;
	ob.created_at = now;
	return store_outbox_insert(st, &ob);
}

/* 1 when txn is still 'open' (its redeem being decided), 0 when not, < 0
 * on a store error. */
static int
txn_deciding(struct store *st, int64_t txn_id)
{
	struct store_txn t;
	int rc;

	if ((rc = store_txn_get(st, txn_id, &t)) != 0)
		return rc == QUAN_ENOTFOUND ? 0 : rc;
	return t.state == TXN_OPEN;
}

int
ledger_settle_in(struct store *st, int64_t outbox_id,
    enum checkout_cstate state, const char *wx_code, const char *reason,
    const char *remote_ref, int64_t now)
{
	struct store_outbox o;
	struct store_red r, r0;
	/* the answer, the row's state, the row's state to be */
	enum checkout_cstate in = state, from, to = in;
	const char *kind = checkout_cstate_name(state);
	enum reason why = reason != NULL && reason[0] != '\0' ?
	    reason_parse(reason) : LEDGER_KEEP;
	int queue_return = 0;
	json_t *x = NULL;
	int rc;

	if ((rc = store_outbox_get(st, outbox_id, &o)) != 0)
		return rc;
	if (!valid_for(o.op, in))
		return QUAN_EINVAL;
	if (o.state == OUTBOX_DONE ||
	    o.state == OUTBOX_CANCELLED)
		return QUAN_EINVAL; /* settled already */
	if ((rc = store_red_get(st, o.red_id, &r)) != 0)
		return rc;
	from = r.state;
	r0 = r;
	if (wx_code != NULL)
		snprintf(r.wx_code, sizeof r.wx_code, "%s", wx_code);
	if (remote_ref != NULL)
		snprintf(r.remote_ref, sizeof r.remote_ref, "%s", remote_ref);
	if (o.op == STORE_OP_RETURN) {
		if (in == CHECKOUT_REJECTED) {
			to = CHECKOUT_CONFLICT;
			kind = "return_rejected";
		} else
			kind = "returned";
	} else if (from == CHECKOUT_RETURN_PENDING) {
		/* voided while the use was in flight */
		if (in == CHECKOUT_CONFIRMED && r.kind == STORE_CARD) {
			/* a card consume that landed after the void: no
			 * return exists; used, voided, not returnable */
			to = CHECKOUT_CONFIRMED;
			why = REASON_VOIDED_NOT_RETURNABLE;
			kind = "confirm_voided_card";
		} else if (in == CHECKOUT_CONFIRMED) {
			to = CHECKOUT_RETURN_PENDING;
			kind = "confirm_then_return";
		} else {
			to = CHECKOUT_RETURNED;
			kind = "use_failed_voided";
			if ((rc = store_outbox_cancel(st, r.id, 1, now,
			    "use never happened")) != 0)
				return rc;
		}
	} else if (in == CHECKOUT_CONFIRMED &&
	    (from == CHECKOUT_UNKNOWN || from == CHECKOUT_REJECTED) &&
	    r.discount_fen == 0 && (rc = txn_deciding(st, r.txn_id)) == 0) {
		/* the till refused it (customer paid full) but the use
		 * landed: give the coupon back. Not while the txn is still
		 * being decided (its online step): a coupon whose value is
		 * not known before WeChat names its stock has no discount
		 * yet, and the checkout prices it after this answer. */
		to = CHECKOUT_RETURN_PENDING;
		kind = "confirm_then_return";
		queue_return = r.kind == STORE_MERCHANT;
		if (r.kind == STORE_CARD) {
			struct store_txn t;

			to = CHECKOUT_CONFIRMED;
			kind = "confirm_refused_card";
			/* of a voided sale (recovered after a crash): used
			 * at WeChat, not returnable, not redeemed value */
			if (store_txn_get(st, r.txn_id, &t) == 0 &&
			    t.state == TXN_VOIDED)
				why = REASON_VOIDED_NOT_RETURNABLE;
		}
	} else if (rc < 0) {
		return rc;
	} else if (in == CHECKOUT_CONFIRMED)
		kind = "confirm";
	else if (in == CHECKOUT_REJECTED)
		kind = from == CHECKOUT_ACCEPTED_OFFLINE ?
		    "reject_after_offline" : "reject";
	x = json_pack("{s:s, s:s, s:s, s:I}", "op", store_op_name(o.op),
	    "wx_code", wx_code != NULL ? wx_code : "",
	    "remote_ref", remote_ref != NULL ? remote_ref : "",
	    "outbox", (json_int_t)o.id);
	if (queue_return && r.return_key[0] == '\0' &&
	    (rc = ledger_return_key(r.idem_key, r.return_key,
	    sizeof r.return_key)) != 0)
		goto out;
	rc = ledger_change(st, &r, to, why, reason,
	    kind, now, x);
	if (rc == QUAN_EEXIST) {
		/* WeChat applied the use of a row the till had let go
		 * (refused, or a duplicate an old store held) while another
		 * sale holds the code: both cannot be live; a manager sorts
		 * it out */
		r0.updated_at = now;
		memcpy(r0.wx_code, r.wx_code, sizeof r0.wx_code);
		memcpy(r0.remote_ref, r.remote_ref, sizeof r0.remote_ref);
		r = r0;
		to = CHECKOUT_CONFLICT;
		queue_return = 0;
		rc = ledger_change(st, &r, CHECKOUT_CONFLICT,
		    REASON_DUPLICATE_REDEMPTION, NULL, "conflict", now, x);
		if (rc == 0)
			rc = store_code_set_state(st, r.code, r.kind,
			    code_state_name(CODE_USED));
	}
	if (rc != 0)
		goto out;
	if ((rc = store_outbox_close(st, o.id, OUTBOX_DONE,
	    wx_code != NULL ? wx_code : "", now)) != 0)
		goto out;
	if (queue_return && (rc = ledger_queue_return(st, &r, now)) != 0)
		goto out;
	if (to == CHECKOUT_CONFIRMED || to == CHECKOUT_RETURN_PENDING)
		rc = store_code_set_state(st, r.code, r.kind,
			    code_state_name(CODE_USED));
	else if (to == CHECKOUT_RETURNED)
		rc = store_code_set_state(st, r.code, r.kind,
			    code_state_name(CODE_ISSUED));
out:
	json_decref(x);
	return rc;
}

int
ledger_settle(struct store *st, int64_t outbox_id, enum checkout_cstate state,
    const char *wx_code, const char *reason, const char *remote_ref,
    int64_t now)
{
	int rc;

	if ((rc = store_begin(st)) != 0)
		return rc;
	if ((rc = ledger_settle_in(st, outbox_id, state, wx_code, reason,
	    remote_ref, now)) != 0) {
		store_rollback(st);
		return rc;
	}
	return store_commit(st);
}

/* One "conflict" entry for a row migration 2 took out of its live state
 * (from). */
static int
journal_migrated_row(struct store *st, int64_t now, int64_t id,
    const char *from)
{
	struct store_red r;
	char masked[64];
	json_t *d;
	int rc;

	if ((rc = store_red_get(st, id, &r)) != 0)
		return rc == QUAN_ENOTFOUND ? 0 : rc;
	ledger_mask(r.code, masked, sizeof masked);
	d = json_pack("{s:s, s:s, s:s, s:s, s:s, s:I, s:s}", "code", masked,
	    "from", from, "to", checkout_cstate_name(r.state), "key", r.idem_key, "reason", r.reason,
	    "discount_fen", (json_int_t)r.discount_fen, "why", "another live "
	    "redemption of this code was kept (single-use migration)");
	rc = journal_append(st, now, "conflict", r.txn_id, r.id, d);
	json_decref(d);
	return rc;
}

int
ledger_journal_migrated(struct store *st, int64_t now, int *n)
{
	size_t cap = 1 << 20;
	char *v = xmalloc(cap), *p, *e, from[32];
	int64_t id;
	int rc;

	*n = 0;
	/* a look outside any transaction first: nearly always empty */
	rc = store_meta_get(st, STORE_META_MIGRATED, v, cap);
	if (rc != 0 || v[0] == '\0')
		goto out;
	if ((rc = store_begin(st)) != 0)
		goto out;
	/* again under the write lock: another process may have done it */
	if ((rc = store_meta_get(st, STORE_META_MIGRATED, v, cap)) != 0)
		goto bad;
	for (p = v; *p != '\0'; p = *e == ',' ? e + 1 : e) {
		id = strtoll(p, &e, 10);
		if (e == p || *e != ':')
			break;
		p = e + 1;
		e = p + strcspn(p, ",");
		snprintf(from, sizeof from, "%.*s", (int)(e - p), p);
		if ((rc = journal_migrated_row(st, now, id, from)) != 0)
			goto bad;
		(*n)++;
	}
	if ((rc = store_meta_set(st, STORE_META_MIGRATED, "")) != 0)
		goto bad;
	rc = store_commit(st);
	if (rc != 0)
		*n = 0;
	goto out;
bad:
	store_rollback(st);
	*n = 0;
out:
	free(v);
	return rc == QUAN_ENOTFOUND ? QUAN_OK : rc;
}
