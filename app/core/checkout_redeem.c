/*
 * checkout_redeem.c — the two-commit redeem of checkout.h: the rows
 * and idempotency keys committed first, the decisions second (WeChat's
 * answer, or the offline policy), and the manager's override of a line.
 */
#include <inttypes.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/checkout.h"
#include "core/checkout_int.h"
#include "core/journal.h"
#include "core/ledger.h"
#include "core/wxbody.h"
#include "store/store.h"
#include "store/store_pay.h"
#include "util/config.h"
#include "util/err.h"
#include "util/log.h"
#include "util/money.h"
#include "util/str.h"
#include "util/tm.h"
#include "util/xmem.h"

/* The exact request body for the use/consume call, fixed at redeem. */
static char *
use_body(const struct checkout *co, const struct checkout_line *l,
    enum store_kind kind, const char *key, int64_t use_time)
{
	if (kind == STORE_CARD)
		return wxbody_consume(l->code, l->target);
	return wxbody_use(l->code, l->target, co->o.cfg->wx_appid, use_time,
	    key, NULL);
}

static int
next_key(struct checkout *co, char out[CHECKOUT_KEY_MAX + 1], char tag)
{
	int64_t seq;
	int rc;

	if ((rc = store_seq_next(co->o.st, "request_no", &seq)) != 0)
		return rc;
	/* terminal id (<= 8) + tag + 12..19 digits <= 28 chars */
	snprintf(out, CHECKOUT_KEY_MAX + 1, "%s%c%012" PRId64,
	    co->o.cfg->term_id, tag, seq);
	return QUAN_OK;
}

void
checkout_line_json(json_t *d, const struct checkout_line *l)
{
	char masked[64];

	ledger_mask(l->code, masked, sizeof masked);
	json_object_set_new(d, "code", json_string(masked));
	json_object_set_new(d, "kind", json_string(l->kind_id));
	json_object_set_new(d, "target", json_string(l->target));
	json_object_set_new(d, "type", json_string(l->coupon_type));
	json_object_set_new(d, "reason", json_string(checkout_line_reason(l)));
	json_object_set_new(d, "discount_fen", json_integer(l->discount_fen));
}

/* Insert a line's redemption row r: pending with a new use key when *ok,
 * else rejected as priced. A code another sale took since the scan (a
 * live row or a conflict) is refused here, inside the commit's write
 * transaction (BEGIN IMMEDIATE: no other writer until commit), so at most
 * one sale gets it: the row goes in rejected "already_used" without a
 * key, *ok is cleared and *lost set. The store's partial UNIQUE index
 * says the same should a live row slip past the look-up. */
static int
red_insert(struct checkout *co, struct store_red *r, int *ok, int *lost)
{
	struct store *st = co->o.st;
	int rc = 0;

	*lost = 0;
	if (*ok && (rc = store_red_code_active(st, r->code)) < 0)
		return rc;
	if (!*ok)
		return store_red_insert(st, r);
	if (rc == 0 && ((rc = next_key(co, r->idem_key, 'U')) != 0 ||
	    (rc = store_red_insert(st, r)) != QUAN_EEXIST))
		return rc;
	*lost = 1;
	*ok = 0;
	r->state = CHECKOUT_REJECTED;
	snprintf(r->reason, sizeof r->reason, "%s",
	    reason_id(REASON_ALREADY_USED));
	r->idem_key[0] = '\0';
	r->discount_fen = 0;
	return store_red_insert(st, r);
}

/* First commit: txn 'open', every line's row, keys, outbox, journal. */
static int
redeem_commit(struct checkout *co, int64_t now)
{
	struct store *st = co->o.st;
	struct store_txn t;
	int lost[CHECKOUT_LINES_MAX];
	json_t *d;
	int i, rc;

	if ((rc = store_begin(st)) != 0)
		return rc;
	memset(&t, 0, sizeof t);
	t.amount_fen = co->cur.amount_fen;
	t.discount_fen = co->cur.discount_fen;
	t.due_fen = co->cur.due_fen;
	t.state = TXN_OPEN;
	t.opened_at = now;
	str_copy(t.cashier, sizeof t.cashier, co->cashier);
	if ((rc = store_txn_insert(st, &t)) != 0)
		goto bad;
	if (co->o.pay_after && (rc = store_txn_set_pay_owner(st, t.id,
	    (int64_t)getpid())) != 0)
		goto bad;
	d = json_pack("{s:I, s:i, s:s}", "amount_fen",
	    (json_int_t)t.amount_fen, "lines", co->cur.nlines, "cashier",
	    t.cashier);
	rc = journal_append(st, now, "txn", t.id, 0, d);
	json_decref(d);
	if (rc != 0)
		goto bad;
	for (i = 0; i < co->cur.nlines; i++) {
		struct checkout_line *l = &co->cur.lines[i];
		struct store_red r;
		struct store_outbox ob;
		int ok = l->state == CHECKOUT_PRICED;
		char *body;

		memset(&r, 0, sizeof r);
		r.txn_id = t.id;
		r.line = i;
		str_copy(r.code, sizeof r.code, l->code);
		r.kind = l->kind == CLASSIFY_CARD ? STORE_CARD : STORE_MERCHANT;
		str_copy(r.target, sizeof r.target, l->target);
		str_copy(r.coupon_type, sizeof r.coupon_type,
		    l->coupon_type);
		r.state = ok ? CHECKOUT_PENDING : CHECKOUT_REJECTED;
		str_copy(r.reason, sizeof r.reason, checkout_line_reason(l));
		r.discount_fen = ok ? l->discount_fen : 0;
		r.use_time = now;
		r.created_at = r.updated_at = now;
		/* the holder, from the code list: lets the sync thread ask
		 * WeChat's record of the coupon (whose use landed, why it was
		 * refused) */
		if (r.kind == STORE_MERCHANT) {
			struct store_code kc;

			if (store_code_get(co->o.st, r.code, &kc) == 0 &&
			    kc.kind == STORE_MERCHANT)
				str_copy(r.openid, sizeof r.openid, kc.openid);
		}
		if ((rc = red_insert(co, &r, &ok, &lost[i])) != 0)
			goto bad;
		l->red_id = r.id;
		str_copy(l->request_no, sizeof l->request_no, r.idem_key);
		d = json_object();
		checkout_line_json(d, l);
		if (lost[i]) {
			json_object_set_new(d, "reason",
			    json_string(reason_id(REASON_ALREADY_USED)));
			json_object_set_new(d, "discount_fen",
			    json_integer(0));
		}
		json_object_set_new(d, "key", json_string(r.idem_key));
		json_object_set_new(d, "line", json_integer(i));
		rc = journal_append(st, now, ok ? "redeem" : "reject", t.id,
		    r.id, d);
		json_decref(d);
		if (rc != 0)
			goto bad;
		if (!ok)
			continue;
		memset(&ob, 0, sizeof ob);
		ob.red_id = r.id;
		ob.op = r.kind == STORE_CARD ? STORE_OP_CONSUME : STORE_OP_USE;
		str_copy(ob.request_no, sizeof ob.request_no, r.idem_key);
		body = use_body(co, l, r.kind, r.idem_key, now);
		str_copy(ob.body, sizeof ob.body, body != NULL ? body :
		    "");
		free(body);
		/* a card coupon of a sale paid here is consumed only once
		 * the payment is paid: held till then (checked online) */
		ob.next_at = co->o.pay_after && r.kind == STORE_CARD ?
		    STORE_OUTBOX_HELD : now;
		ob.created_at = now;
		if ((rc = store_outbox_insert(st, &ob)) != 0)
			goto bad;
	}
	if ((rc = store_commit(st)) != 0)
		goto bad;
	co->cur.id = t.id;
	for (i = 0; i < co->cur.nlines; i++) {
		struct checkout_line *l = &co->cur.lines[i];

		if (lost[i]) {
			/* another sale has it: never a discount here */
			l->state = CHECKOUT_REFUSED;
			l->discount_fen = 0;
			l->reason = REASON_ALREADY_USED;
		}
		l->state = l->state == CHECKOUT_PRICED ? CHECKOUT_PENDING :
		    CHECKOUT_REJECTED;
	}
	return QUAN_OK;
bad:
	log_error("%s: %s", __func__, store_errmsg(st));
	store_rollback(st);
	for (i = 0; i < co->cur.nlines; i++) {
		co->cur.lines[i].red_id = 0;
		co->cur.lines[i].request_no[0] = '\0';
	}
	return rc;
}

/* Discount line `i` would get on top of the lines already granted. */
static int64_t
granted_price(struct checkout *co, const int *granted, int i, int64_t now,
    int *ok, struct rules_verdict *vout)
{
	struct rules_item items[CHECKOUT_LINES_MAX];
	struct rules_verdict v[CHECKOUT_LINES_MAX];
	int64_t disc, due;
	int j, n = 0;

	for (j = 0; j < co->cur.nlines; j++) {
		if (j != i && !granted[j])
			continue;
		if (co->lp[j].slot < 0)
			continue;
		items[n].def = &co->defs[co->lp[j].slot].def;
		items[n].cp = &co->lp[j].cp;
		items[n].item_price_fen = co->cur.lines[j].item_price_fen;
		if (j == i)
			break;
		n++;
	}
	if (j != i || co->lp[i].slot < 0) {
		*ok = 0;
		return 0;
	}
	n++;
	/* the coupon itself must not count as "already redeemed here" */
	rules_price_basket(co->cur.amount_fen, items, (size_t)n, now, v,
	    &disc, &due);
	*ok = v[n - 1].reason == RULES_OK;
	if (vout != NULL)
		*vout = v[n - 1];
	return *ok ? v[n - 1].discount_fen : 0;
}

/* The offline policy for one unanswered coupon. Returns 1 to accept;
 * reason/why say what decided. */
static int
offline_decide(struct checkout *co, int i, int64_t value, int64_t now,
    enum reason *reason, char *why, size_t n)
{
	const struct config *cfg = co->o.cfg;
	const struct checkout_line *l = &co->cur.lines[i];
	const struct lpriv *lp = &co->lp[i];
	enum config_policy pol;
	int64_t count = 0, expo = 0, age;
	int rc;

	int64_t cap_fen = cfg->off_max_coupon_fen;
	int cap_hour = cfg->off_max_per_hour;
	const char *hd = l->hub == HUB_V_DOWN ? "store hub down; " : "";

	pol = config_policy_of(cfg, l->kind == CLASSIFY_CARD ? CONFIG_CARD :
	    CONFIG_STOCK, l->target);
	age = now - co->defs[lp->slot].fetched_at;
	if (l->hub == HUB_V_DOWN) {
		/* no claim: another lane may take the code meanwhile, so
		 * the stricter of the two policies and caps decides */
		if (cfg->hub_when_down < pol)
			pol = cfg->hub_when_down;
		if (cfg->hub_max_coupon_fen < cap_fen)
			cap_fen = cfg->hub_max_coupon_fen;
		if (cfg->hub_max_per_hour < cap_hour)
			cap_hour = cfg->hub_max_per_hour;
		if (pol == CONFIG_POLICY_ONLINE_ONLY) {
			*reason = REASON_OFFLINE_HUB_DOWN;
			snprintf(why, n, "store hub and WeChat unreachable: "
			    "[hub] when_down = online_only");
			return 0;
		}
	}
	if (pol == CONFIG_POLICY_ONLINE_ONLY) {
		*reason = REASON_OFFLINE_ONLINE_ONLY;
		snprintf(why, n, "policy online_only for %s", l->target);
		return 0;
	}
	if (pol == CONFIG_POLICY_OFFLINE_KNOWN_ONLY &&
	    (!lp->known || lp->cp.state != RULES_CS_AVAILABLE)) {
		*reason = REASON_OFFLINE_NOT_KNOWN;
		snprintf(why, n, "policy offline_known_only: code %s",
		    lp->known ? "not issued/unused in cache" : "not in cache");
		return 0;
	}
	if (age > cfg->off_max_cache_age_s) {
		*reason = REASON_OFFLINE_CACHE_OLD;
		snprintf(why, n, "definition %s fetched %" PRId64 " s ago > %"
		    PRId64, l->target, age, cfg->off_max_cache_age_s);
		return 0;
	}
	if (value > cap_fen) {
		*reason = REASON_OFFLINE_CAP_COUPON;
		snprintf(why, n, "%svalue %" PRId64 " fen > max_coupon_fen %"
		    PRId64, hd, value, cap_fen);
		return 0;
	}
	rc = store_offline_stats(co->o.st, now - 3600, &count, &expo);
	if (rc != 0) {
		*reason = REASON_STORE_ERROR;
		snprintf(why, n, "%s", store_errmsg(co->o.st));
		return 0;
	}
	if (count >= cap_hour) {
		*reason = REASON_OFFLINE_CAP_HOUR;
		snprintf(why, n, "%s%" PRId64 " offline in the last hour >= "
		    "max_per_hour %d", hd, count, cap_hour);
		return 0;
	}
	if (expo + value > cfg->off_max_exposure_fen) {
		*reason = REASON_OFFLINE_CAP_EXPOSURE;
		snprintf(why, n, "unsettled %" PRId64 " + %" PRId64 " fen > "
		    "max_exposure_fen %" PRId64, expo, value,
		    cfg->off_max_exposure_fen);
		return 0;
	}
	*reason = REASON_NONE;
	snprintf(why, n, "%spolicy %s, value %" PRId64 " <= %" PRId64
	    ", hour %" PRId64 " < %d, exposure %" PRId64 " + %" PRId64
	    " <= %" PRId64 ", cache age %" PRId64 " s", hd,
	    config_policy_name(pol), value, cap_fen, count,
	    cap_hour, expo, value, cfg->off_max_exposure_fen,
	    age);
	return 1;
}

/* Line i was taken without its stock definition (needs_answer) and WeChat
 * confirmed its use: load the stock the answer named (the online step put
 * its id in the row and the definition in the cache). 0, or -1 with
 * *reason ("no_definition", "bad_definition"). */
static int
learn_def(struct checkout *co, int i, const struct store_red *r,
    int64_t now, enum reason *reason)
{
	struct checkout_line *l = &co->cur.lines[i];
	struct lpriv *lp = &co->lp[i];
	const struct rules_def *d;
	int k, slot;

	if (r->target[0] == '\0') {
		*reason = REASON_NO_DEFINITION;
		return -1;
	}
	str_copy(l->target, sizeof l->target, r->target);
	/* a miss cached at scan time must not hide what was just fetched */
	for (k = 0; k < DEF_SLOTS; k++)
		if (co->defs[k].used && co->defs[k].rc != 0 &&
		    co->defs[k].kind == STORE_MERCHANT &&
		    strcmp(co->defs[k].id, r->target) == 0)
			co->defs[k].used = 0;
	if ((slot = checkout_def_slot(co, STORE_MERCHANT, r->target,
	    reason)) < 0)
		return -1;
	lp->slot = slot;
	d = &co->defs[slot].def;
	str_copy(l->coupon_type, sizeof l->coupon_type,
	    rules_type_id(d->type));
	str_copy(l->name, sizeof l->name, d->name);
	memset(&lp->cp, 0, sizeof lp->cp);
	lp->cp.state = RULES_CS_UNKNOWN;
	/* WeChat checked the per-user validity when it accepted the use at
	 * use_time; the receipt time (which a relative stock needs) is not
	 * in the answer, so that acceptance stands for it */
	if (d->date == RULES_DATE_RELATIVE) {
		lp->cp.start_at = r->use_time;
		lp->cp.expire_at = now > r->use_time ? now : r->use_time;
	}
	return 0;
}

/* A coupon WeChat confirmed that the basket's rules refuse (below the
 * minimum, outside its window, over the per-txn limit ...): no discount,
 * and its coupons/return is queued at once with the coupon's own return
 * request number (the void machinery). Inside the decide transaction. */
static int
rules_return(struct checkout *co, struct store_red *r, enum reason reason,
    const struct rules_verdict *v, int64_t now)
{
	struct store *st = co->o.st;
	json_t *x;
	int rc;

	r->discount_fen = 0;
	snprintf(r->offline_reason, sizeof r->offline_reason, "WeChat "
	    "confirmed the use; the basket fails the stock's rules (%s): "
	    "coupons/return queued", reason_id(reason));
	if ((rc = ledger_return_key(r->idem_key, r->return_key,
	    sizeof r->return_key)) != 0)
		return rc;
	x = json_pack("{s:s, s:I, s:I}", "stock_id", r->target, "need_fen",
	    (json_int_t)(v != NULL ? v->need_fen : 0), "have_fen",
	    (json_int_t)(v != NULL ? v->have_fen : 0));
	rc = ledger_change(st, r, CHECKOUT_RETURN_PENDING, reason, NULL,
	    "rules_return", now, x);
	json_decref(x);
	if (rc == 0)
		rc = ledger_queue_return(st, r, now);
	return rc;
}

/* Second commit: decide every line, re-price what was granted. */
static int
redeem_decide(struct checkout *co, int64_t now, int *nreturned)
{
	struct store *st = co->o.st;
	struct store_txn t;
	int granted[CHECKOUT_LINES_MAX];
	int refused[CHECKOUT_LINES_MAX];
	struct rules_verdict vs[CHECKOUT_LINES_MAX];
	int64_t disc = 0;
	int i, rc;

	*nreturned = 0;
	memset(refused, 0, sizeof refused);
	memset(vs, 0, sizeof vs);

	memset(granted, 0, sizeof granted);
	if ((rc = store_begin(st)) != 0)
		return rc;
	/* Still ours to decide? A till stalled past the recovery age rule
	 * may find its sale recovered (voided, coupons given back) by
	 * another process (`quan sync`): deciding over that would grant
	 * what the recovery returned. */
	if ((rc = store_txn_get(st, co->cur.id, &t)) != 0)
		goto bad;
	if (t.state != TXN_OPEN) {
		log_error("%s: txn %lld is %s: recovered by another process "
		    "meanwhile; nothing granted", __func__,
		    (long long)co->cur.id, txn_state_name(t.state));
		store_rollback(st);
		return QUAN_EBUSY;
	}
	for (i = 0; i < co->cur.nlines; i++) {
		struct checkout_line *l = &co->cur.lines[i];
		struct store_red r;
		enum reason reason = REASON_NO_DEFINITION;
		char why[CHECKOUT_TEXT_MAX] = "";
		int64_t value;
		int ok, rs;
		json_t *x;

		if (l->red_id == 0 || l->request_no[0] == '\0')
			continue; /* rejected at pricing */
		if ((rc = store_red_get(st, l->red_id, &r)) != 0)
			goto bad;
		rs = r.state;
		if (l->needs_answer && rs == CHECKOUT_CONFIRMED &&
		    learn_def(co, i, &r, now, &reason) == 0 &&
		    (rc = store_red_set_def(st, r.id, NULL,
		    l->coupon_type)) != 0)
			goto bad;
		if (l->needs_answer && rs == CHECKOUT_CONFIRMED &&
		    co->lp[i].slot < 0) {
			/* used at WeChat but cannot be priced: give it back */
			if ((rc = rules_return(co, &r, reason, NULL,
			    now)) != 0)
				goto bad;
			refused[i] = 1;
			(*nreturned)++;
		}
		value = granted_price(co, granted, i, now, &ok, &vs[i]);
		if (refused[i]) {
			/* returned above */
		} else if (rs == CHECKOUT_CONFIRMED && !ok &&
		    r.kind == STORE_MERCHANT) {
			/* the basket's rules refuse what WeChat applied: a
			 * stock only the answer named, or a coupon after one
			 * such in the basket */
			if ((rc = rules_return(co, &r,
			    reason_of_rules(vs[i].reason), &vs[i],
			    now)) != 0)
				goto bad;
			refused[i] = 1;
			(*nreturned)++;
		} else if (rs == CHECKOUT_CONFIRMED) {
			granted[i] = 1;
			if (l->needs_answer) {
				r.discount_fen = value;
				x = json_pack("{s:s, s:I}", "stock_id",
				    r.target, "discount_fen",
				    (json_int_t)value);
				rc = ledger_change(st, &r, CHECKOUT_CONFIRMED,
				    REASON_NONE, NULL, "priced_after_use", now,
				    x);
				json_decref(x);
				if (rc != 0)
					goto bad;
			}
		} else if ((rs == CHECKOUT_PENDING ||
		    rs == CHECKOUT_UNKNOWN) && l->needs_answer) {
			/* no answer: its stock and value are unknown, so
			 * the offline policy can never grant it */
			reason = REASON_NEEDS_ONLINE;
			snprintf(why, sizeof why, "stock not known: only "
			    "WeChat's answer can price this coupon");
			snprintf(r.offline_reason, sizeof r.offline_reason,
			    "%s", why);
			if ((rc = store_outbox_cancel(st, r.id, 0, now,
			    reason_id(reason))) != 0)
				goto bad;
			if ((rc = store_outbox_use_open(st, r.id)) < 0)
				goto bad;
			x = json_pack("{s:s}", "why", why);
			r.discount_fen = 0;
			rc = ledger_change(st, &r, rc > 0 ? CHECKOUT_UNKNOWN :
			    CHECKOUT_REJECTED, reason, NULL, rc > 0 ?
			    "offline_refuse_sent" : "offline_refuse", now, x);
			json_decref(x);
			if (rc != 0)
				goto bad;
		} else if (rs == CHECKOUT_PENDING || rs == CHECKOUT_UNKNOWN) {
			int sent = 0;

			if (!ok) {
				reason = REASON_NO_LONGER_USABLE;
				snprintf(why, sizeof why, "no longer usable "
				    "after other coupons were refused");
			} else if (offline_decide(co, i, value, now, &reason,
			    why, sizeof why))
				granted[i] = 2;
			snprintf(r.offline_reason, sizeof r.offline_reason,
			    "%s", why);
			if (!granted[i]) {
				/* never sent: cancel; else it is in flight */
				if ((rc = store_outbox_cancel(st, r.id, 0, now,
				    reason_id(reason))) != 0)
					goto bad;
				if ((rc = store_outbox_use_open(st,
				    r.id)) < 0)
					goto bad;
				sent = rc > 0;
			}
			x = json_pack("{s:s}", "why", why);
			if (granted[i]) {
				r.offline_at = now;
				r.discount_fen = value;
				rc = ledger_change(st, &r,
				    CHECKOUT_ACCEPTED_OFFLINE, REASON_NONE, NULL,
				    "offline_accept", now, x);
			} else if (!sent) {
				r.discount_fen = 0;
				rc = ledger_change(st, &r, CHECKOUT_REJECTED,
				    reason, NULL, "offline_refuse", now, x);
			} else {
				/* sent, no answer, not granted: the sync
				 * area settles it; if it turns out used,
				 * it must be returned */
				r.discount_fen = 0;
				rc = ledger_change(st, &r, CHECKOUT_UNKNOWN,
				    reason, NULL, "offline_refuse_sent", now, x);
			}
			json_decref(x);
			if (rc != 0)
				goto bad;
		}
		if (granted[i] && granted[i] != 2 &&
		    r.discount_fen != value) {
			r.discount_fen = value;
			r.updated_at = now;
			if ((rc = store_red_update(st, &r)) != 0)
				goto bad;
		}
		if (granted[i] && (rc = store_code_set_state(st, r.code,
		    r.kind,
			    code_state_name(CODE_USED))) != 0)
			goto bad;
		l->state = r.state;
		if (refused[i]) {
			/* for the cashier: refused, with the rules' figures;
			 * the row goes return_pending -> returned */
			l->state = CHECKOUT_REJECTED;
			l->verdict = vs[i];
		}
		checkout_line_set_reason(l, r.reason);
		l->remote_at = checkout_remote_at(r.remote_ref);
		str_copy(l->offline_reason, sizeof l->offline_reason,
		    r.offline_reason);
		l->discount_fen = granted[i] ? value : 0;
		disc += l->discount_fen;
	}
	if ((rc = store_txn_get(st, co->cur.id, &t)) != 0)
		goto bad;
	t.discount_fen = disc;
	t.due_fen = co->cur.amount_fen - disc;
	if (t.due_fen < 0)
		t.due_fen = 0;
	t.state = TXN_REDEEMED;
	if ((rc = store_txn_update(st, &t)) != 0)
		goto bad;
	{
		json_t *d = json_pack("{s:I, s:I, s:I}", "amount_fen",
		    (json_int_t)t.amount_fen, "discount_fen",
		    (json_int_t)t.discount_fen, "due_fen",
		    (json_int_t)t.due_fen);

		rc = journal_append(st, now, "due", t.id, 0, d);
		json_decref(d);
		if (rc != 0)
			goto bad;
	}
	if ((rc = store_commit(st)) != 0)
		goto bad;
	co->cur.discount_fen = t.discount_fen;
	co->cur.due_fen = t.due_fen;
	co->cur.state = CHECKOUT_T_REDEEMED;
	return QUAN_OK;
bad:
	log_error("%s: %s", __func__, store_errmsg(st));
	store_rollback(st);
	return rc;
}

/* The decision could not be stored (disk full, I/O error, or the txn was
 * recovered meanwhile): the sale stays to checkout_recover(), which voids
 * it and gives back what WeChat applied. The in-memory txn says the same,
 * so no caller shows a grant the store does not have: voided, every line
 * rejected "not_recorded", no discount, due = amount. */
static void
not_recorded(struct checkout *co)
{
	int i;

	for (i = 0; i < co->cur.nlines; i++) {
		struct checkout_line *l = &co->cur.lines[i];

		if (l->red_id == 0)
			continue; /* refused at pricing: stays as it was */
		l->state = CHECKOUT_REJECTED;
		l->discount_fen = 0;
		l->reason = REASON_NOT_RECORDED;
	}
	co->cur.discount_fen = 0;
	co->cur.due_fen = co->cur.amount_fen;
	co->cur.state = CHECKOUT_T_VOIDED;
}

int
checkout_commit(struct checkout *co)
{
	int rc;

	if (co->cur.state != CHECKOUT_T_OPEN)
		return QUAN_EINVAL;
	if ((rc = redeem_commit(co, checkout_now_of(co))) != 0)
		return rc;
	co->cur.state = CHECKOUT_T_DECIDING;
	return QUAN_OK;
}

int
checkout_decide(struct checkout *co, int *nreturned)
{
	int rc, nret = 0;

	if (nreturned != NULL)
		*nreturned = 0;
	if (co->cur.state != CHECKOUT_T_DECIDING)
		return QUAN_EINVAL;
	if ((rc = redeem_decide(co, checkout_now_of(co), &nret)) != 0) {
		not_recorded(co);
		return rc;
	}
	if (nreturned != NULL)
		*nreturned = nret;
	return QUAN_OK;
}

int
checkout_redeem(struct checkout *co)
{
	int rc;

	if ((rc = checkout_commit(co)) != 0)
		return rc;
	return checkout_decide(co, NULL);
}

int
checkout_override(struct checkout *co, int i, const char *who,
    const char *why)
{
	struct store *st = co->o.st;
	struct checkout_line *l;
	struct store_txn t;
	struct store_red r;
	struct rules_item items[CHECKOUT_LINES_MAX];
	struct rules_verdict v[CHECKOUT_LINES_MAX];
	int map[CHECKOUT_LINES_MAX];
	int64_t now = checkout_now_of(co), disc, due;
	char text[CHECKOUT_TEXT_MAX] = "";
	json_t *x;
	int j, n = 0, rc;

	if (co->cur.state != CHECKOUT_T_REDEEMED || i < 0 ||
	    i >= co->cur.nlines)
		return QUAN_EINVAL;
	l = &co->cur.lines[i];
	if ((l->state != CHECKOUT_REJECTED && l->state != CHECKOUT_UNKNOWN) ||
	    !reason_info(l->reason)->offline ||
	    l->red_id == 0 ||
	    co->lp[i].slot < 0)
		return QUAN_EINVAL;
	/* the granted lines plus this one, in basket order */
	for (j = 0; j < co->cur.nlines; j++) {
		const struct checkout_line *g = &co->cur.lines[j];

		if (j != i && g->state != CHECKOUT_CONFIRMED &&
		    g->state != CHECKOUT_ACCEPTED_OFFLINE)
			continue;
		if (co->lp[j].slot < 0)
			continue;
		items[n].def = &co->defs[co->lp[j].slot].def;
		items[n].cp = &co->lp[j].cp;
		items[n].item_price_fen = g->item_price_fen;
		map[n++] = j;
	}
	rules_price_basket(co->cur.amount_fen, items, (size_t)n, now, v, &disc,
	    &due);
	for (j = 0; j < n; j++)
		if (v[j].reason != RULES_OK)
			return QUAN_EINVAL;
	if ((rc = store_begin(st)) != 0)
		return rc;
	for (j = 0; j < n; j++) {
		struct checkout_line *g = &co->cur.lines[map[j]];

		if ((rc = store_red_get(st, g->red_id, &r)) != 0)
			goto bad;
		if (map[j] == i) {
			/* refused here, the code was free for another
			 * sale, which may have taken it since */
			if (r.state ==
			    CHECKOUT_REJECTED &&
			    (rc = store_red_code_active(st, r.code)) != 0) {
				rc = rc < 0 ? rc : QUAN_EEXIST;
				goto bad;
			}
			if ((rc = store_outbox_reopen(st, r.id, now,
			    "override")) != 0)
				goto bad;
			/* a card: still consumed only after the payment */
			if (co->o.pay_after && r.kind == STORE_CARD &&
			    (rc = store_outbox_hold(st, r.id)) != 0)
				goto bad;
			snprintf(text, sizeof text, "override by %s: %s (was "
			    "%s)", who != NULL ? who : "?",
			    why != NULL ? why : "", reason_id(l->reason));
			str_copy(r.offline_reason,
			    sizeof r.offline_reason, text);
			r.offline_at = now;
			r.discount_fen = v[j].discount_fen;
			x = json_pack("{s:s, s:s, s:s}", "by",
			    who != NULL ? who : "", "why",
			    why != NULL ? why : "", "was", reason_id(l->reason));
			rc = ledger_change(st, &r, CHECKOUT_ACCEPTED_OFFLINE,
			    REASON_NONE, NULL, "offline_override", now, x);
			json_decref(x);
			if (rc == 0)
				rc = store_code_set_state(st, r.code, r.kind,
				    code_state_name(CODE_USED));
		} else if (r.discount_fen != v[j].discount_fen) {
			r.discount_fen = v[j].discount_fen;
			r.updated_at = now;
			rc = store_red_update(st, &r);
		}
		if (rc != 0)
			goto bad;
	}
	if ((rc = store_txn_get(st, co->cur.id, &t)) != 0)
		goto bad;
	t.discount_fen = disc;
	t.due_fen = due;
	if ((rc = store_txn_update(st, &t)) != 0)
		goto bad;
	x = json_pack("{s:I, s:I}", "discount_fen", (json_int_t)disc,
	    "due_fen", (json_int_t)due);
	rc = journal_append(st, now, "due", t.id, 0, x);
	json_decref(x);
	if (rc != 0)
		goto bad;
	if ((rc = store_commit(st)) != 0)
		return rc;
	for (j = 0; j < n; j++)
		co->cur.lines[map[j]].discount_fen = v[j].discount_fen;
	l->state = CHECKOUT_ACCEPTED_OFFLINE;
	l->reason = REASON_NONE;
	str_copy(l->offline_reason, sizeof l->offline_reason, text);
	co->cur.discount_fen = disc;
	co->cur.due_fen = due;
	return QUAN_OK;
bad:
	store_rollback(st);
	if (rc == QUAN_EEXIST)
		/* redeemed by another sale meanwhile: stays refused */
		l->reason = REASON_ALREADY_USED;
	return rc;
}
