/*
 * cmd_net.h — what the net area's command files share: the runtime of a
 * long-running net command (the two queues, the sync thread with its
 * WeChat executor, the core's settle) and the SIGTERM flag. Main thread.
 */
#ifndef QUAN_CMD_NET_H
#define QUAN_CMD_NET_H

#include <stdint.h>

#include "core/settle.h"
#include "net/sync.h"

#define NET_TO_SYNC_CAP 256
#define NET_RESULTS_CAP 2048

struct checkout;
struct cli;
struct config;
struct sync_wx;

struct net_rt_opts {
	struct sync_cfg sync;
	struct settle_opts settle;
};

struct net_rt {
	struct cli *c;            /* borrowed: config and store */
	struct evq *to_sync, *results;
	struct sync_wx *x;
	struct sync *s;
	struct settle *se;
	/* set by `quan sync`: redeems interrupted by a crash (txn left
	 * open) are recovered at start and every 30 s, like quan redeem */
	struct checkout *recover;  /* borrowed; NULL = none */
	int64_t recover_age_s;     /* checkout_recover's older_than_s */
	/* set by `quan sync` when [store] keep_days > 0: settled history
	 * past it moves to the archive, hourly, a few batches per pass */
	int archive;
	uint64_t archive_at;       /* next run (monotonic ms) */
};

/* Defaults from the config (rate_per_s, ...). */
void net_rt_defaults(const struct config *cfg, struct net_rt_opts *o);
/* Start queues, executor, settle and the sync thread; c's store must be
 * open. EXIT_FAIL with a message on stderr. */
int net_rt_start(struct net_rt *rt, struct cli *c,
    const struct net_rt_opts *o, const char *name);
/* Stop the thread, apply what arrived, free. Safe on a half-started rt. */
void net_rt_stop(struct net_rt *rt);
/* Pump and apply until a signal, max_ms (0 = no limit) or, with once,
 * until nothing is out and nothing more can be sent; with rt->recover set,
 * recover interrupted redeems first and every 30 s. 0 or a store
 * QUAN_E*. */
int net_rt_run(struct net_rt *rt, int once, uint64_t max_ms);

/* SIGTERM/SIGINT set a flag (no SA_RESTART); SIGPIPE ignored. */
void net_signals(void);
int net_stopping(void);

#endif
