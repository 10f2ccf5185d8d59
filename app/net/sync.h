/*
 * sync.h — the sync thread: takes EV_SYNC_JOB items from the core, runs them
 * against WeChat on a few worker connections (each worker owns its own HTTP
 * handles), retries transient failures with exponential backoff and jitter,
 * caps the request rate, keeps jobs of one coupon in order, and posts
 * EV_SYNC_DONE results and EV_SYNC_STATE (online/offline, last error) back.
 * It never touches SQLite or core state (house style practices 13-17).
 */
#ifndef QUAN_SYNC_H
#define QUAN_SYNC_H

#include <stdatomic.h>
#include <stdint.h>

#include "core/evq.h"
#include "core/syncmsg.h"

struct sync;

/* How a worker runs one job: the real one is sync_wx (WeChat clients), the
 * tests script their own. Every function runs on the worker's thread. */
struct sync_exec_ops {
	/* New per-worker context (its own connections). `stop` becomes
	 * non-zero when the thread must stop: long calls check it (curl
	 * progress callback). 0 or QUAN_E* with *cause. */
	int (*open)(void *arg, const atomic_int *stop, void **ctx,
	    char **cause);
	/* Run the job once. Fill res->status (OK, REJECTED, ALREADY or RETRY),
	 * rc, http, wx_code, message, reason and the answer fields. For
	 * RETRY, rc says why: QUAN_ENET / QUAN_ETIMEDOUT (network: counts
	 * towards offline), QUAN_EBUSY (429, slow down), QUAN_EPROTO (bad
	 * reply), QUAN_EIO (5xx). STOCK_GET / CARD_GET hand the definition
	 * JSON in *blob (malloc'd; the caller frees). */
	void (*run)(void *ctx, const struct sync_job *job,
	    struct sync_result *res, char **blob);
	void (*close)(void *ctx); /* NULL-safe */
};

struct sync_cfg {
	int workers;          /* requests in flight, 1..16 (default 8) */
	int rate_per_s;       /* sends per second, 0 = no cap (default 500) */
	int backoff_base_ms;  /* first retry delay (default 200) */
	int backoff_max_ms;   /* cap of the delay (default 30000) */
	int max_tries;        /* sends per job before SYNC_RETRY (default 4) */
	int state_every_ms;   /* EV_SYNC_STATE period (default 2000) */
	int probe_every_ms;   /* idle this long (nothing held, nothing
	                         answered): one SYNC_OP_PROBE, so a WeChat
	                         gone (or back) is seen with nothing to
	                         send; 0 = never (default 0) */
	int probe_max_ms;     /* offline, the probes back off to this gap
	                         (default 2 x probe_every_ms) */
	uint32_t seed;        /* jitter seed (0 = from the clock) */
};

/* Defaults above. */
void sync_cfg_defaults(struct sync_cfg *cfg);

/* Start the thread and its workers. Borrows jobs (read by the sync thread
 * only) and results (posted to), ops and arg until sync_stop. Each worker's
 * ops->open runs on the worker thread; a failure there is reported in
 * EV_SYNC_STATE and the jobs answer SYNC_RETRY. Main thread. 0 or QUAN_E*
 * with *cause. */
int sync_start(struct sync **out, const struct sync_cfg *cfg,
    struct evq *jobs, struct evq *results, const struct sync_exec_ops *ops,
    void *arg, char **cause);

/* Stop: set the stop flag (aborting transfers), post EV_STOP, join every
 * thread, free. Jobs still held are answered SYNC_STOPPED (best effort).
 * NULL-safe. Main thread (the one that started it). */
void sync_stop(struct sync *s);

/* Exponential backoff with "equal jitter": for the n-th retry (n >= 1)
 * d = min(max, base * 2^(n-1)), result in [d/2, d]. *rng is an xorshift
 * state (non-zero). Pure; any thread. */
uint32_t sync_backoff_ms(int n, int base_ms, int max_ms, uint32_t *rng);

/* Token bucket for the rate cap: `rate` tokens per second, `burst` deep.
 * rate 0 = unlimited. Pure; the caller owns the struct. */
struct sync_rate {
	int rate, burst;
	int64_t tokens_milli; /* tokens * 1000 */
	uint64_t last_us;
};
void sync_rate_init(struct sync_rate *r, int rate, int burst, uint64_t now_us);
/* 1 and a token taken when a send may start now; else 0 and *wait_us says
 * how long until the next token. */
int sync_rate_take(struct sync_rate *r, uint64_t now_us, uint64_t *wait_us);

#endif
