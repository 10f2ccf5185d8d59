/*
 * report_day.c — what `quan report` shows for a period (report.h): the
 * redemptions by kind and state, the redeemed figure as the X/Z reports
 * count it, offline exposure, the outbox, conflicts and rejections.
 */
#include <string.h>

#include <jansson.h>

#include "core/coupon.h"
#include "core/report.h"
#include "store/store.h"
#include "util/log.h"
#include "util/tm.h"
#include "util/xmem.h"

struct rep {
	json_t *kinds;       /* kind -> state -> {count, fen} */
	json_t *conflicts, *rejections;
	struct report_figs f;
};

/* Rejections include coupons the till refused after WeChat applied them
 * and gave back (a stock only the answer named that failed the basket's
 * rules, a late confirmation): returned, but not for a void. */
static int
rejection(int cs, const char *reason)
{
	if (cs == CHECKOUT_REJECTED)
		return 1;
	if (cs != CHECKOUT_RETURN_PENDING && cs != CHECKOUT_RETURNED)
		return 0;
	return !reason_is_void(reason_parse(reason));
}

static int
rep_row(void *arg, const struct store_red *r)
{
	struct rep *p = arg;
	const char *kind = store_kind_name(r->kind),
	    *st = checkout_cstate_name(r->state);
	enum checkout_cstate cs = r->state;
	json_t *k, *s;
	char m[64];

	k = json_object_get(p->kinds, kind);
	if (k == NULL) {
		k = json_object();
		json_object_set_new(p->kinds, kind, k);
	}
	/* a card coupon used at WeChat whose sale was voided: no return
	 * exists; shown apart, never as redeemed value */
	if (report_fig(r->state, r->reason) == REPORT_KEPT)
		st = reason_id(REASON_VOIDED_NOT_RETURNABLE);
	s = json_object_get(k, st);
	if (s == NULL) {
		s = json_pack("{s:I, s:I}", "count", (json_int_t)0, "fen",
		    (json_int_t)0);
		json_object_set_new(k, st, s);
	}
	json_object_set_new(s, "count", json_integer(
	    json_integer_value(json_object_get(s, "count")) + 1));
	json_object_set_new(s, "fen", json_integer(
	    json_integer_value(json_object_get(s, "fen")) + r->discount_fen));
	report_add_group(&p->f, r->state, report_fig(r->state, r->reason) ==
	    REPORT_KEPT, 1, r->discount_fen);
	if (cs == CHECKOUT_CONFLICT || rejection(cs, r->reason)) {
		json_t *e = json_pack("{s:I, s:s, s:s, s:s, s:s, s:s, s:s, "
		    "s:I}", "txn", (json_int_t)r->txn_id,
		    "code", log_mask(r->code, m, sizeof m),
		    "kind", kind, "target", r->target, "state", st,
		    "wx_code", r->wx_code, "reason", r->reason,
		    "discount_fen", (json_int_t)r->discount_fen);

		json_array_append_new(cs == CHECKOUT_CONFLICT ?
		    p->conflicts : p->rejections, e);
	}
	return 0;
}

json_t *
report_payments_json(const struct store_pay_sums *p)
{
	return json_pack("{s:I, s:{s:I, s:I, s:I, s:I, s:I}, s:{s:I, s:I}, "
	    "s:{s:I, s:I}, s:I, s:I}",
	    "paid", (json_int_t)p->paid_count,
	    "wechat", "count", (json_int_t)p->wechat_count,
	    "fen", (json_int_t)p->wechat_fen,
	    "payer_fen", (json_int_t)p->payer_fen,
	    "voucher_fen", (json_int_t)p->voucher_fen,
	    "vouchers", (json_int_t)p->voucher_count,
	    "cash", "count", (json_int_t)p->cash_count,
	    "fen", (json_int_t)p->cash_fen,
	    "other", "count", (json_int_t)p->other_count,
	    "fen", (json_int_t)p->other_fen,
	    "failed", (json_int_t)p->failed_count,
	    "open", (json_int_t)p->unknown_count);
}

/* One "hub_conflict" journal entry, if made before the period's end. */
struct hubc {
	json_t *a;
	int64_t to;
};

static int
hub_conflict_row(void *arg, const struct store_jrow *j)
{
	struct hubc *h = arg;
	json_t *d;

	if (j->at >= h->to || (d = json_loads(j->data, 0, NULL)) == NULL)
		return 0;
	json_object_set_new(d, "at", json_integer((json_int_t)j->at));
	json_array_append_new(h->a, d);
	return 0;
}

json_t *
report_hub_conflicts_json(struct store *st, int64_t from, int64_t to)
{
	struct hubc h = {json_array(), to};

	(void)store_journal_kind(st, "hub_conflict", from, hub_conflict_row,
	    &h);
	return h.a;
}

int
report_day_json(struct store *st, int64_t from, int64_t to,
    struct json_t **out, char **cause)
{
	struct rep p;
	char from_s[40], to_s[40];
	int64_t off_n, off_fen, pend, unk;
	int rc;

	*out = NULL;
	*cause = NULL;
	memset(&p, 0, sizeof p);
	p.kinds = json_object();
	p.conflicts = json_array();
	p.rejections = json_array();
	if ((rc = store_red_list(st, from, to, NULL, rep_row, &p)) < 0 ||
	    (rc = store_offline_stats(st, from, &off_n, &off_fen)) != 0 ||
	    (rc = store_outbox_depth(st, &pend, &unk)) != 0) {
		*cause = xstrdup(store_errmsg(st));
		goto out;
	}
	tm_rfc3339(from, from_s, sizeof from_s);
	tm_rfc3339(to, to_s, sizeof to_s);
	*out = json_pack("{s:s, s:s, s:{s:I, s:I}, s:O, s:{s:I, s:I}, "
	    "s:{s:I, s:I}, s:O, s:O}",
	    "from", from_s, "to", to_s,
	    "redeemed", "count", (json_int_t)p.f.n[REPORT_REDEEMED], "fen",
	    (json_int_t)p.f.fen[REPORT_REDEEMED],
	    "by_kind", p.kinds,
	    "offline", "accepted_today", (json_int_t)off_n,
	    "unsettled_exposure_fen", (json_int_t)off_fen,
	    "outbox", "pending", (json_int_t)pend, "unknown", (json_int_t)unk,
	    "conflicts", p.conflicts, "rejections", p.rejections);
	{
		struct report_loss lo;
		json_t *tx = json_array();

		/* value given offline that WeChat refused (report.h) */
		if ((rc = report_offline_losses(st, from, to, &lo, tx)) != 0) {
			json_decref(tx);
			json_decref(*out);
			*out = NULL;
			*cause = xstrdup(store_errmsg(st));
			goto out;
		}
		json_object_set_new(*out, "offline_losses", json_pack(
		    "{s:I, s:I, s:o}", "count", (json_int_t)lo.n, "fen",
		    (json_int_t)lo.fen, "txns", tx));
	}
	{
		struct store_pay_sums ps;

		struct report_refunds rr;

		if (report_payments(st, from, to, &ps) == 0)
			json_object_set_new(*out, "payments",
			    report_payments_json(&ps));
		/* money given back in the period: paid stays paid */
		if (report_refunds(st, from, to, &rr) == 0)
			json_object_set_new(*out, "refunds",
			    report_refunds_json(&rr));
	}
	json_object_set_new(*out, "hub_conflicts",
	    report_hub_conflicts_json(st, from, to));
	rc = 0;
out:
	json_decref(p.kinds);
	json_decref(p.conflicts);
	json_decref(p.rejections);
	return rc;
}
