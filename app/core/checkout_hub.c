/*
 * checkout_hub.c — the store hub's verdict on a sale's claims, between
 * the first commit and the send (checkout.h: checkout_hub_verdict).
 */
#include <jansson.h>
#include <stdio.h>
#include <time.h>

#include "core/checkout.h"
#include "core/checkout_int.h"
#include "util/str.h"
#include "core/ledger.h"
#include "store/store.h"
#include "util/err.h"
#include "util/log.h"
#include "util/tm.h"

int
checkout_hub_verdict(struct checkout *co, int i, int verdict,
    const char *holder, int64_t at)
{
	struct store *st = co->o.st;
	struct checkout_line *l;
	struct store_red r;
	struct tm tm;
	int64_t now = checkout_now_of(co);
	json_t *x;
	int rc;

	if (co->cur.state != CHECKOUT_T_DECIDING || i < 0 ||
	    i >= co->cur.nlines || co->cur.lines[i].red_id == 0)
		return QUAN_EINVAL;
	l = &co->cur.lines[i];
	l->hub = verdict;
	if (verdict != HUB_V_TAKEN)
		return QUAN_OK;
	/* another lane holds the code: refused before anything is sent */
	tm_local(at, &tm);
	if ((rc = store_begin(st)) != 0)
		return rc;
	if ((rc = store_red_get(st, l->red_id, &r)) != 0)
		goto bad;
	snprintf(r.offline_reason, sizeof r.offline_reason,
	    "already used at lane %s at %02d:%02d", holder, tm.tm_hour,
	    tm.tm_min);
	r.discount_fen = 0;
	if ((rc = store_outbox_cancel(st, r.id, 0, now,
	    reason_id(REASON_HUB_TAKEN))) != 0)
		goto bad;
	x = json_pack("{s:s, s:I}", "lane", holder, "claimed_at",
	    (json_int_t)at);
	rc = ledger_change(st, &r, CHECKOUT_REJECTED, REASON_HUB_TAKEN, NULL,
	    "hub_refuse", now, x);
	json_decref(x);
	if (rc != 0 || (rc = store_commit(st)) != 0)
		goto bad;
	l->state = CHECKOUT_REJECTED;
	l->reason = REASON_HUB_TAKEN;
	str_copy(l->offline_reason, sizeof l->offline_reason,
	    r.offline_reason);
	l->discount_fen = 0;
	return QUAN_OK;
bad:
	log_error("%s: %s", __func__, store_errmsg(st));
	store_rollback(st);
	return rc;
}
