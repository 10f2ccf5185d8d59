/*
 * runtime.h — the sync runtime of one process, started one way for every
 * user: the terminal (`quan run`, `quan demo`), `quan sync`, the online
 * step of `quan redeem` and the benches. It owns the two queues (jobs to
 * the sync thread, results back), the WeChat executor (sync_wx), the sync
 * thread and the core's settle over the store.
 *
 * One consumer per queue: the results queue is read by whoever drives the
 * runtime at the time — the terminal's session, a redeem engine, or
 * net_rt_run / net_rt_finish / net_rt_stop here — never two at once.
 * Main thread; the sync thread lives inside.
 */
#ifndef QUAN_NET_RUNTIME_H
#define QUAN_NET_RUNTIME_H

#include <stdint.h>

#include "core/settle.h"
#include "net/sync.h"

struct checkout;
struct config;
struct evq;
struct redeem;
struct store;
struct sync_wx;
struct net_rt;

struct net_rt_opts {
	struct sync_cfg sync;     /* the thread (rate from the config) */
	struct settle_opts settle; /* queue_cap is also the jobs queue's */
};

/* Is a WeChat client configured at all ([wechatpay] mchid, [card] appid
 * or token_url)? Without one there is no runtime: offline policy only. */
int net_rt_configured(const struct config *cfg);
/* Can the configured clients start (keys load, key files 0600,
 * certificates parse)? 0 ready, 1 nothing configured, QUAN_ECONFIG with
 * *cause (caller frees) naming the client and the reason. */
int net_rt_check(const struct config *cfg, char **cause);

/* The defaults every user starts from: the config's rate, retries capped
 * at 5 s, settle's defaults. */
void net_rt_defaults(const struct config *cfg, struct net_rt_opts *o);
/* libcurl, the queues, the executor, settle over st and the sync thread.
 * Borrows st and cfg until net_rt_stop. 0, or QUAN_E* with *cause (the
 * caller frees; nothing is left running). A client that cannot start
 * for its configuration does not fail the start (the other client may
 * work): net_rt_config_error says it. */
int net_rt_start(struct net_rt **out, struct store *st,
    const struct config *cfg, const struct net_rt_opts *o, char **cause);
/* Stop the thread, apply the answers that came in meanwhile, free.
 * NULL-safe. */
void net_rt_stop(struct net_rt *rt);
/* The same, with the final figures in *st: settle's counts and the
 * outbox depth as stored once everything was applied. */
void net_rt_stop_status(struct net_rt *rt, struct settle_status *st);

struct settle *net_rt_settle(const struct net_rt *rt);
struct evq *net_rt_results(const struct net_rt *rt);
struct sync_wx *net_rt_wx(const struct net_rt *rt);
/* A configured client refused for its configuration: non-zero with
 * *cause (caller frees), else 0. */
int net_rt_config_error(const struct net_rt *rt, char **cause);

/* The age past which an open sale is no longer being decided by any
 * till (the online step waits at most online_wait_ms plus 1 s of grace):
 * 60 s + online_wait_ms. */
int64_t net_recover_age_s(const struct config *cfg);
/* Recover the redeems a crash left open (txn open, older than the age
 * above), in batches until none is left (at most 64 batches of
 * checkout_recover's 64). *n: how many. 0 or the store's QUAN_E*. */
int net_recover(struct checkout *co, const struct config *cfg, int *n);

/* What the settling daemon (`quan sync`) does besides settling. */
struct net_rt_run_opts {
	int once;                 /* one pass: stop when nothing is out */
	uint64_t max_ms;          /* 0: no limit */
	struct checkout *recover; /* recover open sales at start and every
	                             30 s; NULL: none */
	const char *archive_dir;  /* non-NULL with keep_days > 0: settled
	                             history past it to the archive, hourly */
	int keep_days;
	int reconcile_daily;      /* 1: yesterday's trade bill against the
	                             till once a day after 10:00 store time
	                             (core/reconcile.h), recorded */
	int (*stopping)(void);    /* polled: non-zero ends the run */
};
/* Drain, pump, publish the sync state in the store's meta (for `quan
 * status` and other processes), check the file when due, recover and
 * archive, until o says stop. 0 or a store QUAN_E*. */
int net_rt_run(struct net_rt *rt, const struct net_rt_run_opts *o);
/* Let requests still out land for up to max_ms (their answers applied),
 * unless WeChat is unreachable; what is still out after that is resent
 * by the next `quan sync`. */
void net_rt_finish(struct net_rt *rt, uint64_t max_ms);

/* The online step of a one-shot redeem or sale (`quan redeem`, `quan
 * sale`): a runtime and a redeem engine (core/redeem.h) over co. */
struct net_online;
/* *out NULL and 0 when no WeChat client is configured (offline policy);
 * QUAN_ECONFIG / QUAN_EIO with *cause when it cannot start. */
int net_online_new(struct net_online **out, struct checkout *co,
    struct store *st, const struct config *cfg, char **cause);
/* Redeem the open basket, online when on is non-NULL (waiting for its
 * own answers), else with the offline policy. */
int net_online_redeem(struct net_online *on, struct checkout *co);
/* Why the online step could not decide online, for the cashier: the
 * till's clock is wrong, WeChat's TLS certificate is refused; NULL when
 * neither (the string lives until net_online_free). */
const char *net_online_warning(struct net_online *on);
/* Its runtime (a sale's payment runs on its settle and results queue)
 * and its redeem engine (a caller may give it a store hub's queues,
 * core/redeem.h); NULL when on is NULL or, for the engine, ended. */
struct net_rt *net_online_rt(const struct net_online *on);
struct redeem *net_online_redeemer(const struct net_online *on);
/* Wait up to ms for answers still out, applying them (the returns of a
 * failed payment). NULL-safe. */
void net_online_flush(struct net_online *on, int ms);
/* Free the redeem engine now (it decides what is still undecided), so
 * that what it borrowed (a hub's queues) may go before the runtime;
 * later redeems are offline. NULL-safe, idempotent. */
void net_online_end(struct net_online *on);
/* Let what is out land (at most 1 s or wx_timeout_ms), stop, free.
 * NULL-safe. */
void net_online_free(struct net_online *on);

#endif
