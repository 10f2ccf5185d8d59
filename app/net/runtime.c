/*
 * runtime.c — the sync runtime (runtime.h): queues, executor, settle and
 * the sync thread started one way; the settling daemon's loop; recovery
 * of sales a crash left open; the online step of a one-shot redeem.
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/archive.h"
#include "core/checkout.h"
#include "core/datafile.h"
#include "core/evq.h"
#include "core/payment.h"
#include "core/reconcile.h"
#include "core/refund.h"
#include "core/redeem.h"
#include "core/settle.h"
#include "net/http.h"
#include "net/runtime.h"
#include "net/sync.h"
#include "net/sync_wx.h"
#include "store/store.h"
#include "util/config.h"
#include "util/err.h"
#include "util/log.h"
#include "util/tm.h"
#include "util/xmem.h"

/* Answers for every job the queue can hold and the state reports the
 * thread sends meanwhile. */
#define NET_RESULTS_CAP 4096
/* How often the daemon's state goes to the meta table, recovery runs,
 * the file is checked (at most every DATAFILE_CHECK_EVERY_S, whoever
 * checked). */
#define META_EVERY_MS 2000
#define RECOVER_EVERY_MS 30000
#define CHECK_POLL_MS 60000

struct net_rt {
	struct store *st;         /* borrowed */
	const struct config *cfg; /* borrowed */
	struct evq *to_sync, *results;
	struct sync_wx *x;
	struct sync *s;
	struct settle *se;
};

int
net_rt_configured(const struct config *cfg)
{
	return cfg->wx_mchid[0] != '\0' || cfg->card_appid[0] != '\0' ||
	    cfg->card_token_url[0] != '\0';
}

int
net_rt_check(const struct config *cfg, char **cause)
{
	struct sync_wx *x = NULL;
	int rc;

	*cause = NULL;
	if (!net_rt_configured(cfg))
		return 1;
	if ((rc = sync_wx_new(cfg, &x, cause)) != 0)
		return QUAN_ECONFIG;
	rc = sync_wx_config_error(x, cause);
	sync_wx_free(x);
	return rc;
}

void
net_rt_defaults(const struct config *cfg, struct net_rt_opts *o)
{
	memset(o, 0, sizeof *o);
	sync_cfg_defaults(&o->sync);
	o->sync.rate_per_s = cfg->wx_rate_per_s;
	/* a WeChat back after an outage is seen within 5 s, by the till as
	 * by the daemon (the thread's own default waits up to 30 s) */
	o->sync.backoff_max_ms = 5000;
	/* idle, a cheap signed request every 15 s (30 s while WeChat does
	 * not answer), so the till's ONLINE/OFFLINE is true before the
	 * next customer, not only at the next redeem */
	o->sync.probe_every_ms = 15000;
	o->sync.probe_max_ms = 30000;
	settle_opts_defaults(&o->settle);
}

int
net_rt_start(struct net_rt **out, struct store *st,
    const struct config *cfg, const struct net_rt_opts *o, char **cause)
{
	struct net_rt *rt;
	int rc;

	*out = NULL;
	*cause = NULL;
	/* before any thread: curl_global_init is not thread-safe */
	if (http_global_init() != 0) {
		*cause = xstrdup("libcurl init failed");
		return QUAN_EIO;
	}
	rt = xcalloc(1, sizeof *rt);
	rt->st = st;
	rt->cfg = cfg;
	if (evq_new(&rt->to_sync, (size_t)(o->settle.queue_cap > 0 ?
	    o->settle.queue_cap : 1)) != 0 ||
	    evq_new(&rt->results, NET_RESULTS_CAP) != 0) {
		*cause = xstrdup("cannot create the sync queues");
		rc = QUAN_ENOMEM;
		goto fail;
	}
	if ((rc = sync_wx_new(cfg, &rt->x, cause)) != 0)
		goto fail;
	if ((rc = settle_new(&rt->se, st, cfg, &o->settle,
	    rt->to_sync)) != 0) {
		*cause = xstrdup("cannot start settling");
		goto fail;
	}
	if ((rc = sync_start(&rt->s, &o->sync, rt->to_sync, rt->results,
	    &sync_wx_ops, rt->x, cause)) != 0)
		goto fail;
	*out = rt;
	return 0;
fail:
	if (*cause == NULL)
		*cause = xstrdup(quan_strerror(rc));
	net_rt_stop(rt);
	return rc;
}

void
net_rt_stop_status(struct net_rt *rt, struct settle_status *st)
{
	if (rt == NULL)
		return;
	sync_stop(rt->s);
	/* answers that came in while stopping still count */
	if (rt->se != NULL && rt->results != NULL)
		(void)settle_drain(rt->se, rt->results, tm_now(), NULL);
	if (st != NULL && rt->se != NULL) {
		settle_status(rt->se, st);
		(void)store_outbox_depth(rt->st, &st->pending, &st->unknown);
	}
	settle_free(rt->se);
	sync_wx_free(rt->x);
	evq_free(rt->to_sync);
	evq_free(rt->results);
	free(rt);
}

void
net_rt_stop(struct net_rt *rt)
{
	net_rt_stop_status(rt, NULL);
}

struct settle *
net_rt_settle(const struct net_rt *rt)
{
	return rt->se;
}

struct evq *
net_rt_results(const struct net_rt *rt)
{
	return rt->results;
}

struct sync_wx *
net_rt_wx(const struct net_rt *rt)
{
	return rt->x;
}

int
net_rt_config_error(const struct net_rt *rt, char **cause)
{
	return sync_wx_config_error(rt->x, cause);
}

/* ---- recovery --------------------------------------------------------- */

int64_t
net_recover_age_s(const struct config *cfg)
{
	return 60 + cfg->wx_online_wait_ms / 1000;
}

int
net_recover(struct checkout *co, const struct config *cfg, int *n)
{
	int k, rc, rounds = 0;

	*n = 0;
	do {
		if ((rc = checkout_recover(co, net_recover_age_s(cfg), &k)) != 0)
			return rc;
		*n += k;
	} while (k == 64 && ++rounds < 64);
	/* and sales redeemed to be paid here whose payment never came:
	 * their process is gone (so it cannot pay them any more); 10 s
	 * of grace against a clock step */
	rounds = 0;
	do {
		if ((rc = payment_recover_unpaid(co, checkout_store(co), 10,
		    &k)) != 0)
			return rc;
		*n += k;
	} while (k == 64 && ++rounds < 64);
	return 0;
}

/* ---- the settling daemon ---------------------------------------------- */

/* Wait up to ms for the results queue (or a signal). */
static void
wait_results(struct net_rt *rt, int ms)
{
	struct pollfd p = {.fd = evq_fd(rt->results), .events = POLLIN};

	if (poll(&p, 1, ms) < 0 && errno != EINTR)
		log_error("poll: %s", strerror(errno));
}

/* Publish the sync state for other processes (`quan status`, the UI of
 * another terminal process) in meta: sync.online, sync.last_ok,
 * sync.last_error, sync.last_error_at, sync.updated_at. */
static void
publish_meta(struct net_rt *rt)
{
	struct settle_status st;
	char v[32];

	settle_status(rt->se, &st);
	if (store_begin(rt->st) != 0)
		return;
	/* "1" online, "0" offline, "-1" nothing answered or failed yet */
	(void)store_meta_set(rt->st, "sync.online", st.online > 0 ? "1" :
	    st.online == 0 ? "0" : "-1");
	snprintf(v, sizeof v, "%lld", (long long)st.last_ok);
	(void)store_meta_set(rt->st, "sync.last_ok", v);
	(void)store_meta_set(rt->st, "sync.last_error", st.last_error);
	snprintf(v, sizeof v, "%lld", (long long)st.last_error_at);
	(void)store_meta_set(rt->st, "sync.last_error_at", v);
	snprintf(v, sizeof v, "%lld", (long long)tm_now());
	(void)store_meta_set(rt->st, "sync.updated_at", v);
	if (store_commit(rt->st) != 0)
		store_rollback(rt->st);
}

/* Their rows become due: the pump that follows sends them. A store error
 * is logged; the drain goes on. */
static void
recover_open(struct net_rt *rt, struct checkout *co)
{
	int n;

	if (net_recover(co, rt->cfg, &n) != 0)
		log_error("sync: recovering interrupted sales: %s",
		    store_errmsg(rt->st));
	else if (n > 0)
		log_warn("sync: recovered %d interrupted sale(s)", n);
}

/* [store] keep_days: move settled history past it to the archive
 * (app/core/archive.h), at most 20 batches a pass so the settling goes
 * on in between; once through, again in an hour. Returns when next. */
static uint64_t
archive_pass(struct net_rt *rt, const struct net_rt_run_opts *o)
{
	struct archive_opts ao;
	struct archive_result r;
	char *cause = NULL;
	uint64_t next;

	memset(&ao, 0, sizeof ao);
	ao.now = tm_now();
	ao.before = ao.now;
	ao.keep_days = o->keep_days;
	ao.dir = o->archive_dir;
	ao.max_batches = 20;
	if (archive_run(rt->st, &ao, &r, &cause) != 0) {
		log_error("sync: archive: %s", cause != NULL ? cause : "?");
		next = tm_mono_ms() + 600000;
	} else {
		if (r.txns + r.journal > 0)
			log_info("sync: archived %lld sales, %lld journal "
			    "entries to %s", (long long)r.txns,
			    (long long)r.journal, r.file);
		next = tm_mono_ms() + (r.more ? 0 : 3600000);
	}
	free(cause);
	return next;
}

/* A one-pass run against a WeChat that never answered since start and is
 * now known offline (two network failures in a row: connection refused,
 * no route): the pass is over, the rows stay for the next run. A flaky
 * WeChat that answers now and then is not "unreachable": it is retried
 * up to max_ms. */
static int
unreachable(struct net_rt *rt)
{
	struct settle_status st;

	settle_status(rt->se, &st);
	return st.online == 0 && st.last_ok == 0;
}

/* Once a day after 10:00 store time: yesterday's trade bill against
 * the till's payments and refunds, recorded (so a restart does not
 * repeat it) for `quan status` and the X/Z reports. A bill not there yet
 * is asked again until noon, then the day is compared with no bill (every
 * WeChat payment of the till is then a difference); a network error is
 * retried. The download blocks this loop within the client's timeouts,
 * once a day. Returns when to look again. */
static uint64_t
reconcile_pass(struct net_rt *rt)
{
	struct recon_bill b;
	struct recon_result r;
	char date[16], *text = NULL, *cause = NULL;
	int64_t now = tm_now(), from;
	uint64_t next = tm_mono_ms() + 60000;
	size_t len = 0;
	int rc, hour;

	if (!recon_daily_due(rt->st, now, date, &from, &hour))
		return next;
	memset(&b, 0, sizeof b);
	memset(&r, 0, sizeof r);
	rc = sync_wx_bill(rt->cfg, date, &text, &len, &cause);
	if (rc == QUAN_ECONFIG) {
		next = tm_mono_ms() + 3600000; /* no payments configured */
		goto out;
	}
	if (rc == QUAN_ENOTFOUND && hour < 12) {
		next = tm_mono_ms() + 1800000;
		goto out;
	}
	if (rc != 0 && rc != QUAN_ENOTFOUND) {
		log_warn("sync: reconcile %s: the bill: %s", date,
		    cause != NULL ? cause : quan_strerror(rc));
		next = tm_mono_ms() + 600000;
		goto out;
	}
	if (rc == 0 && recon_bill_parse(text, len, &b, &cause) != 0) {
		log_error("sync: reconcile %s: the bill cannot be read: %s",
		    date, cause != NULL ? cause : "?");
		next = tm_mono_ms() + 3600000;
		goto out;
	}
	if (recon_store_diff(rt->st, &b, rt->cfg->term_id, from,
	    from + 86400, &r) != 0 || recon_daily_record(rt->st, date, &r,
	    rc == QUAN_ENOTFOUND, now) != 0) {
		log_error("sync: reconcile %s: %s", date,
		    store_errmsg(rt->st));
		goto out;
	}
	if (r.n > 0)
		log_warn("sync: reconcile %s: %d difference(s) between WeChat's "
		    "bill and the till: quan reconcile --date %s", date, r.n,
		    date);
	else
		log_info("sync: reconcile %s: WeChat and the till agree (%d)",
		    date, r.matched);
out:
	recon_result_free(&r);
	recon_bill_free(&b);
	free(text);
	free(cause);
	return next;
}

int
net_rt_run(struct net_rt *rt, const struct net_rt_run_opts *o)
{
	uint64_t end = o->max_ms ? tm_mono_ms() + o->max_ms : 0, meta_at = 0;
	uint64_t recover_at = 0, check_at = tm_mono_ms() + CHECK_POLL_MS;
	uint64_t archive_at = 0, recon_at = 0;
	int archive = o->archive_dir != NULL && o->keep_days > 0 && !o->once;
	struct payment *pm = NULL;
	struct refund *rf = NULL;
	int posted, n, rc, wait, w2;

	/* payments a gone process left open are taken over with the
	 * redeems it left (core/payment.h) */
	if (o->recover != NULL)
		pm = payment_new(o->recover, rt->st, rt->cfg, rt->se);
	/* ... and so are its refunds (core/refund.h) */
	if (o->recover != NULL)
		rf = refund_new(o->recover, rt->st, rt->cfg, rt->se);
	for (;;) {
		/* the periodic pass checks the whole file (at most every
		 * DATAFILE_CHECK_EVERY_S, whoever checked last): damage
		 * stops the daemon before it writes again */
		if (tm_mono_ms() >= check_at) {
			if ((rc = store_quick_check_due(rt->st, tm_now(),
			    DATAFILE_CHECK_EVERY_S)) != 0)
				break;
			check_at = tm_mono_ms() + CHECK_POLL_MS;
		}
		if (tm_mono_ms() >= meta_at) {
			publish_meta(rt);
			meta_at = tm_mono_ms() + META_EVERY_MS;
		}
		if (o->recover != NULL && tm_mono_ms() >= recover_at) {
			recover_open(rt, o->recover);
			if (payment_adopt(pm, &n) != 0)
				log_error("sync: taking over open payments: %s",
				    store_errmsg(rt->st));
			if (refund_adopt(rf, &n) != 0)
				log_error("sync: taking over open refunds: %s",
				    store_errmsg(rt->st));
			/* a one-pass run looks again each second: a payment
			 * of a till that just went silent is taken over */
			recover_at = tm_mono_ms() + (o->once ? 1000 :
			    RECOVER_EVERY_MS);
		}
		if ((rc = settle_drain(rt->se, rt->results, tm_now(), &n)) != 0)
			break;
		if (pm != NULL)
			(void)payment_step(pm);
		if (rf != NULL)
			(void)refund_step(rf);
		if ((rc = settle_pump(rt->se, tm_now(), &posted)) != 0)
			break;
		if (archive && tm_mono_ms() >= archive_at)
			archive_at = archive_pass(rt, o);
		if (o->reconcile_daily && !o->once &&
		    tm_mono_ms() >= recon_at)
			recon_at = reconcile_pass(rt);
		if ((o->once && posted == 0 && settle_inflight(rt->se) == 0 &&
		    evq_len(rt->results) == 0 && (pm == NULL ||
		    payment_active(pm) == 0) && (rf == NULL ||
		    refund_active(rf) == 0)) ||
		    (o->stopping != NULL && o->stopping()) ||
		    (end && tm_mono_ms() >= end) ||
		    (o->once && unreachable(rt))) {
			publish_meta(rt);
			rc = 0;
			break;
		}
		wait = pm != NULL ? payment_timeout_ms(pm) : -1;
		w2 = rf != NULL ? refund_timeout_ms(rf) : -1;
		if (w2 >= 0 && (wait < 0 || w2 < wait))
			wait = w2;
		wait_results(rt, wait >= 0 && wait < 200 ? wait : 200);
	}
	refund_free(rf);
	payment_free(pm);
	return rc;
}

void
net_rt_finish(struct net_rt *rt, uint64_t max_ms)
{
	uint64_t end = tm_mono_ms() + max_ms;
	struct settle_status st;

	while (settle_inflight(rt->se) > 0 && tm_mono_ms() < end) {
		settle_status(rt->se, &st);
		if (!st.online)
			break; /* WeChat unreachable: `quan sync` resends */
		wait_results(rt, 100);
		if (settle_drain(rt->se, rt->results, tm_now(), NULL) != 0)
			break;
	}
}

/* ---- the online step of a one-shot redeem ----------------------------- */

struct net_online {
	struct net_rt *rt;
	struct redeem *rd;
	char *warning;
};

int
net_online_new(struct net_online **out, struct checkout *co,
    struct store *st, const struct config *cfg, char **cause)
{
	struct net_online *on;
	struct net_rt_opts o;
	int rc;

	*out = NULL;
	*cause = NULL;
	if (!net_rt_configured(cfg))
		return 0; /* no network configured: offline policy only */
	on = xcalloc(1, sizeof *on);
	net_rt_defaults(cfg, &o);
	o.settle.refresh_s = 0;
	if ((rc = net_rt_start(&on->rt, st, cfg, &o, cause)) != 0) {
		free(on);
		return rc;
	}
	if (net_rt_config_error(on->rt, cause) != 0) {
		net_rt_stop(on->rt);
		free(on);
		return QUAN_ECONFIG;
	}
	on->rd = redeem_new(co, net_rt_settle(on->rt),
	    net_rt_results(on->rt), cfg->wx_online_wait_ms);
	*out = on;
	return 0;
}

int
net_online_redeem(struct net_online *on, struct checkout *co)
{
	return on != NULL && on->rd != NULL ? redeem_run(on->rd) :
	    checkout_redeem(co);
}

struct net_rt *
net_online_rt(const struct net_online *on)
{
	return on != NULL ? on->rt : NULL;
}

struct redeem *
net_online_redeemer(const struct net_online *on)
{
	return on != NULL ? on->rd : NULL;
}

void
net_online_flush(struct net_online *on, int ms)
{
	uint64_t end = tm_mono_ms() + (uint64_t)ms;

	while (on != NULL && settle_inflight(net_rt_settle(on->rt)) > 0 &&
	    tm_mono_ms() < end) {
		wait_results(on->rt, 100);
		if (settle_drain(net_rt_settle(on->rt), net_rt_results(on->rt),
		    tm_now(), NULL) != 0)
			break;
	}
}

void
net_online_end(struct net_online *on)
{
	if (on == NULL)
		return;
	redeem_free(on->rd);
	on->rd = NULL;
}

const char *
net_online_warning(struct net_online *on)
{
	struct settle_status ss;

	if (on == NULL)
		return NULL;
	free(on->warning);
	on->warning = NULL;
	settle_status(net_rt_settle(on->rt), &ss);
	if (ss.last_rc == QUAN_ECLOCK)
		/* not "offline": WeChat's replies are refused for their
		 * timestamp because this till's clock is wrong */
		on->warning = xasprintf("this till's clock is wrong, so "
		    "WeChat's replies are refused (%s): fix the clock (NTP); "
		    "until then coupons are decided offline", ss.last_error);
	else if (settle_net_state(&ss, tm_now()) == SETTLE_NET_TLS)
		/* not "offline" either: nothing will change by waiting */
		on->warning = xasprintf("WeChat's TLS certificate is refused "
		    "(%s): check ca_file, the CA store and the clock; until "
		    "then coupons are decided offline", ss.last_error);
	return on->warning;
}

void
net_online_free(struct net_online *on)
{
	if (on == NULL)
		return;
	net_online_end(on);
	/* requests still out may land for up to 1 s more (their answers are
	 * then applied here); after that they are stopped — committed as
	 * sent, the next `quan sync` resends the identical request — so a
	 * script waiting for our exit is not held up to the transfer
	 * timeout after the verdict was printed */
	net_rt_finish(on->rt, on->rt->cfg->wx_timeout_ms < 1000 ?
	    (uint64_t)on->rt->cfg->wx_timeout_ms : 1000);
	net_rt_stop(on->rt);
	free(on->warning);
	free(on);
}
