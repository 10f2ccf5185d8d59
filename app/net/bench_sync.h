/*
 * bench_sync.h — the measurements behind `quan bench sync` (the program
 * parses, starts the simulator and prints): coupons minted at a WeChat
 * (the simulator) through the real signed API, N redemptions queued
 * offline through the checkout engine and drained by the sync runtime
 * (rate cap off), M online redemptions timed from scan to confirmed.
 */
#ifndef QUAN_BENCH_SYNC_H
#define QUAN_BENCH_SYNC_H

#include <stddef.h>
#include <stdint.h>

struct config;
struct store;
struct sync_wx;

struct bench_sync_fig {
	int n, online_n, workers;
	double mint_s;
	uint64_t confirmed;               /* of the n, after the drain */
	int64_t left_pending, left_unknown;
	double queue_per_s, drain_s, drain_per_s;
	int online_confirmed;
	double online_p50_ms, online_p99_ms, online_per_s;
};

/* Create a running NORMAL stock (MERCHANT_API, 1.00 off, minimum 0.01)
 * and send n coupons to n/50 users; put the stock and codes into the
 * store. *codes_out is new (n entries of 32). 0, or -1 with err. */
int bench_mint(struct store *st, const struct config *cfg,
    struct sync_wx *x, int n, char (**codes_out)[32], char *err,
    size_t errn);

/* The whole measurement on st, whose config points at the simulator
 * (its offline caps are lifted for the queueing phase). 0, or -1 with
 * err. */
int bench_sync_run(struct store *st, struct config *cfg, int n, int m,
    int workers, struct bench_sync_fig *f, char *err, size_t errn);

#endif
