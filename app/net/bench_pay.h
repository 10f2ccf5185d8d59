/*
 * bench_pay.h — the measurement behind `quan bench pay` (the program
 * parses, starts the simulator and the runtime, and prints): whole sales
 * (open, redeem, charge a payment code, answer applied, sale closed),
 * conc of them in flight at once on one till process, driven by the
 * runtime's results queue as the terminal's loop is.
 */
#ifndef QUAN_BENCH_PAY_H
#define QUAN_BENCH_PAY_H

#include <stdint.h>

struct checkout;
struct net_rt;
struct payment;
struct store;

#define BENCH_PAY_INFLIGHT_MAX 64

struct bench_pay_fig {
	int n, paid, conc;
	uint64_t wall_us;              /* all n sales */
	int64_t cpu_us;                /* this thread's CPU for all of them */
	/* the till's own time per sale: wall time less what the sync
	 * thread spent on WeChat's side (network and simulator) */
	int64_t till_p50_us, till_p99_us;
	int64_t commit_cpu_p99_us;     /* open -> charge committed, CPU */
};

/* Run n sales through co and pm (both over st; pm over rt's settle)
 * with conc (1 .. BENCH_PAY_INFLIGHT_MAX) in flight. 0 with *f filled,
 * or a QUAN_E* with *cause (new) saying which sale failed and why. */
int bench_pay_run(struct net_rt *rt, struct store *st, struct checkout *co,
    struct payment *pm, int n, int conc, struct bench_pay_fig *f,
    char **cause);

#endif
