/*
 * bench_pay.c — `quan bench pay`'s loop (see bench_pay.h): sales started
 * while a slot is free, the payment machine stepped, the results queue
 * polled and drained into settle, finished sales timed.
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/checkout.h"
#include "core/datafile.h"
#include "core/evq.h"
#include "core/payment.h"
#include "core/settle.h"
#include "net/bench_pay.h"
#include "net/runtime.h"
#include "util/err.h"
#include "util/tm.h"
#include "util/xmem.h"

struct slot {
	int64_t id;          /* payment, 0 free */
	uint64_t start_us;
};

/* This thread's CPU time (µs): the till's own work whatever the load. */
static int64_t
cpu_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static int
cmp_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return x < y ? -1 : x > y;
}

/* One sale: redeemed (no coupon), then charged with the simulator's
 * success case, a fresh code each sale. */
static int
start_sale(struct checkout *co, struct payment *pm, int i, struct slot *s)
{
	char code[24];
	int64_t txn;
	int rc;

	s->start_us = tm_mono_us();
	if ((rc = checkout_open(co, 1000 + i % 9000)) != 0 ||
	    (rc = checkout_redeem(co)) != 0)
		return rc;
	txn = checkout_current(co)->id;
	snprintf(code, sizeof code, "1300100%011d", i);
	return payment_charge(pm, txn, checkout_current(co)->due_fen, code,
	    &s->id);
}

int
bench_pay_run(struct net_rt *rt, struct store *st, struct checkout *co,
    struct payment *pm, int n, int conc, struct bench_pay_fig *f,
    char **cause)
{
	struct slot sl[BENCH_PAY_INFLIGHT_MAX];
	struct payment_view v;
	int64_t *over, *cpu_start, cpu0, c1;
	uint64_t t0;
	int k, rc = QUAN_OK, started = 0, done = 0;

	memset(f, 0, sizeof *f);
	if (n < 1 || conc < 1 || conc > BENCH_PAY_INFLIGHT_MAX)
		return QUAN_EINVAL;
	memset(sl, 0, sizeof sl);
	over = xcalloc((size_t)n, sizeof *over);
	cpu_start = xcalloc((size_t)n, sizeof *cpu_start);
	t0 = tm_mono_us();
	cpu0 = cpu_us();
	while (done < n) {
		struct pollfd pf = {.fd = evq_fd(net_rt_results(rt)),
		    .events = POLLIN};

		for (k = 0; k < conc && started < n; k++) {
			if (sl[k].id != 0)
				continue;
			c1 = cpu_us();
			if ((rc = start_sale(co, pm, started, &sl[k])) != 0) {
				*cause = xasprintf("sale %d: %s", started,
				    datafile_errmsg(st));
				goto out;
			}
			cpu_start[started] = cpu_us() - c1;
			started++;
		}
		(void)payment_step(pm);
		if (poll(&pf, 1, 1000) < 0 && errno != EINTR) {
			rc = QUAN_EIO;
			*cause = xasprintf("poll: %s", strerror(errno));
			goto out;
		}
		if ((rc = settle_drain(net_rt_settle(rt), net_rt_results(rt),
		    tm_now(), NULL)) != 0) {
			*cause = xasprintf("settle: %s", quan_strerror(rc));
			goto out;
		}
		(void)payment_step(pm);
		for (k = 0; k < conc; k++) {
			if (sl[k].id == 0 || payment_view(pm, sl[k].id,
			    &v) != 0 || v.outcome == PAY_PENDING)
				continue;
			(void)payment_settle_sale(pm, sl[k].id);
			over[done] = (int64_t)(tm_mono_us() - sl[k].start_us) -
			    v.net_ms * 1000;
			f->paid += v.outcome == PAY_PAID;
			done++;
			sl[k].id = 0;
		}
	}
	f->n = n;
	f->conc = conc;
	f->wall_us = tm_mono_us() - t0;
	f->cpu_us = cpu_us() - cpu0;
	qsort(over, (size_t)n, sizeof *over, cmp_i64);
	qsort(cpu_start, (size_t)n, sizeof *cpu_start, cmp_i64);
	f->till_p50_us = over[n / 2];
	f->till_p99_us = over[(n * 99) / 100];
	f->commit_cpu_p99_us = cpu_start[(n * 99) / 100];
out:
	free(over);
	free(cpu_start);
	return rc;
}
