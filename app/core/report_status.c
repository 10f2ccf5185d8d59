/*
 * report_status.c — what `quan status` shows of the store (report.h): the
 * outbox, redemptions by state, the redeemed figure as the X/Z and `quan
 * report` count it, offline exposure of the last hour, the cache and its
 * definitions, and the network as the last sync of any process saw it.
 */
#include <stdint.h>
#include <string.h>

#include <jansson.h>

#include "core/reconcile.h"
#include "core/coupon.h"
#include "core/refund.h"
#include "core/report.h"
#include "core/settle.h"
#include "core/syncmsg.h"
#include "store/store.h"
#include "util/tm.h"
#include "util/xmem.h"

static int
count_cb(void *arg, enum checkout_cstate state, int kept, int64_t n,
    int64_t fen)
{
	json_t *o = arg, *e = json_object();

	json_object_set_new(e, "count", json_integer(n));
	json_object_set_new(e, "discount_fen", json_integer(fen));
	json_object_set_new(o, report_group_name(state, kept), e);
	return 0;
}

struct defs_ctx {
	json_t *a;
	int64_t now;
};

static int
def_cb(void *arg, enum store_kind kind, const struct store_def *d)
{
	struct defs_ctx *x = arg;

	json_array_append_new(x->a, json_pack("{s:s, s:s, s:s, s:s, s:I}",
	    "kind", kind == STORE_CARD ? "card" : "stock", "id", d->id,
	    "type", d->type, "state", d->state, "age_s",
	    (json_int_t)(x->now - d->fetched_at)));
	return 0;
}

int
report_status_json(struct store *st, int64_t now, struct json_t *j,
    char **cause)
{
	struct store_cache_stats cs;
	struct report_figs rf;
	struct defs_ctx x;
	int64_t pend = 0, unk = 0, cnt = 0, expo = 0;
	json_t *reds = json_object();
	int rc;

	*cause = NULL;
	x.a = json_array();
	x.now = now;
	if ((rc = store_outbox_depth(st, &pend, &unk)) != 0 ||
	    (rc = store_red_counts(st, 0, INT64_MAX, count_cb, reds)) != 0 ||
	    (rc = report_period(st, 0, INT64_MAX, &rf)) != 0 ||
	    (rc = store_cache_stats(st, &cs)) != 0 ||
	    (rc = store_offline_stats(st, now - 3600, &cnt, &expo)) != 0 ||
	    (rc = store_def_list(st, def_cb, &x)) != 0) {
		json_decref(reds);
		json_decref(x.a);
		*cause = xstrdup(store_errmsg(st));
		return rc;
	}
	json_object_set_new(j, "outbox", json_pack("{s:I, s:I, s:I}",
	    "depth", (json_int_t)(pend + unk), "pending", (json_int_t)pend,
	    "unknown", (json_int_t)unk));
	json_object_set_new(j, "redemptions", reds);
	/* what customers were given, as the X/Z and quan report count it */
	json_object_set_new(j, "redeemed", json_pack("{s:I, s:I}", "count",
	    (json_int_t)rf.n[REPORT_REDEEMED], "fen",
	    (json_int_t)rf.fen[REPORT_REDEEMED]));
	json_object_set_new(j, "offline", json_pack("{s:I, s:I}",
	    "last_hour", (json_int_t)cnt, "exposure_fen", (json_int_t)expo));
	{
		struct store_pay_sums ps;

		if (report_payments(st, 0, INT64_MAX, &ps) == 0)
			json_object_set_new(j, "payments",
			    report_payments_json(&ps));
	}
	{
		/* the manager's alarms (refund.h): always present */
		int64_t an = 0, af = 0;

		(void)refund_alarm(st, &an, &af);
		json_object_set_new(j, "alarms", json_pack(
		    "{s:{s:I, s:I, s:s}}", "refund_abnormal", "count",
		    (json_int_t)an, "fen", (json_int_t)af, "words",
		    an > 0 ? reason_info(REASON_REFUND_ABNORMAL)->en : ""));
	}
	json_object_set_new(j, "cache", json_pack("{s:I, s:I, s:I, s:I, s:I}",
	    "stocks", (json_int_t)cs.stocks, "cards", (json_int_t)cs.cards,
	    "codes", (json_int_t)cs.codes,
	    "stock_age_s", (json_int_t)(cs.stocks > 0 ?
	    now - cs.oldest_stock : -1),
	    "card_age_s", (json_int_t)(cs.cards > 0 ?
	    now - cs.oldest_card : -1)));
	json_object_set_new(j, "definitions", x.a);
	{
		/* the sync daemon's last daily 对账 (reconcile.h) */
		json_t *rd = recon_daily_json(st);

		if (rd != NULL)
			json_object_set_new(j, "reconcile", rd);
	}
	return 0;
}

void
report_network_json(struct store *st, struct json_t *j)
{
	/* as the last sync of any process on this data dir saw it: online,
	 * offline, or tls_error (a certificate refused) */
	char ns[32], ne[SYNC_MSG_MAX], at[40];
	int64_t since = 0;

	if (settle_net_saved(st, ns, sizeof ns, &since, ne, sizeof ne) == 0)
		json_object_set_new(j, "network", json_pack(
		    "{s:s, s:I, s:s, s:s}", "state", ns, "since",
		    (json_int_t)since, "since_at", tm_rfc3339(since, at,
		    sizeof at), "error", ne));
}
