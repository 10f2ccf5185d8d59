/*
 * cmd_pay_bench.c — `quan bench pay`: whole sales (open, redeem, charge a
 * payment code, answer applied, sale closed) against a `quan sim` of its
 * own, C sales in flight at once on one till process, signing both ways.
 * Prints sales per second and the till's own time per sale: the sale's
 * wall time less what the sync thread spent on WeChat's side of it
 * (network and simulator), p50 and p99.
 */
#include <errno.h>
#include <inttypes.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <time.h>

#include "cli/bench.h"
#include "cli/cli_common.h"
#include "cli/cmd.h"
#include "core/checkout.h"
#include "core/payment.h"
#include "core/settle.h"
#include "net/http.h"
#include "net/runtime.h"
#include "sim/sim.h"
#include "store/store.h"
#include "util/config.h"
#include "util/err.h"
#include "util/log.h"
#include "util/tm.h"
#include "util/xmem.h"

#define PAY_BENCH_INFLIGHT_MAX 64

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

/* One sale of amount_fen: redeemed (no coupon), then charged. */
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
	/* the simulator's success case, a fresh code each sale */
	snprintf(code, sizeof code, "1300100%011d", i);
	return payment_charge(pm, txn, checkout_current(co)->due_fen, code,
	    &s->id);
}

int
bench_pay(int argc, char **argv)
{
	struct cli c;
	struct checkout_opts copts;
	struct checkout *co = NULL;
	struct payment *pm = NULL;
	struct net_rt *rt = NULL;
	struct net_rt_opts o;
	struct slot sl[PAY_BENCH_INFLIGHT_MAX];
	struct payment_view v;
	char tmpl[] = "/tmp/quan-bench-pay-XXXXXX", *dir = NULL;
	char path[512], data[512], err[512], *cause = NULL;
	int64_t *over = NULL, *cpu_start = NULL, cpu0, c1;
	uint64_t t0, t_all;
	pid_t sim = -1;
	int i, k, rc = EXIT_FAIL, n = 1000, conc = 8, json = 0, started = 0;
	int done = 0, paid = 0;

	memset(&c, 0, sizeof c);
	memset(sl, 0, sizeof sl);
	if (cli_parse_globals(&c, &argc, argv) != 0)
		return EXIT_USAGE;
	for (i = 1; i < argc; i++) {
		char *end = NULL;
		long val = i + 1 < argc ? strtol(argv[i + 1], &end, 10) : 0;

		if (strcmp(argv[i], "--json") == 0) {
			json = 1;
		} else if (strcmp(argv[i], "--n") == 0 && end != NULL &&
		    *end == '\0' && val >= 1 && val <= 1000000) {
			n = (int)val;
			i++;
		} else if (strcmp(argv[i], "--concurrency") == 0 &&
		    end != NULL && *end == '\0' && val >= 1 &&
		    val <= PAY_BENCH_INFLIGHT_MAX) {
			conc = (int)val;
			i++;
		} else {
			fprintf(stderr, "usage: quan bench pay [--n N] "
			    "[--concurrency C] [--json]\n");
			return EXIT_USAGE;
		}
	}
	(void)http_global_init();
	if ((dir = mkdtemp(tmpl)) == NULL) {
		fprintf(stderr, "quan bench pay: mkdtemp: %s\n",
		    strerror(errno));
		goto out;
	}
	if (sim_init(dir, 18443, 0, &cause) != 0 ||
	    sim_seed(dir, 0, &cause) != 0) {
		fprintf(stderr, "quan bench pay: sim: %s\n", cause);
		goto out;
	}
	if ((sim = bench_spawn_sim(dir, err, sizeof err)) < 0) {
		fprintf(stderr, "quan bench pay: %s\n", err);
		goto out;
	}
	snprintf(path, sizeof path, "%s/quan.conf", dir);
	c.config_opt = path;
	snprintf(data, sizeof data, "%s/data", dir);
	c.data_opt = data;
	if ((rc = cli_setup(&c, "bench")) != 0 ||
	    (rc = cli_open_store(&c, "bench", 0)) != 0)
		goto out;
	rc = EXIT_FAIL;
	c.cfg->wx_rate_per_s = 0;
	net_rt_defaults(c.cfg, &o);
	o.sync.rate_per_s = 0;
	o.sync.workers = conc < 16 ? conc : 16;
	o.settle.refresh_s = 0;
	if (net_rt_start(&rt, c.st, c.cfg, &o, &cause) != 0) {
		fprintf(stderr, "quan bench pay: %s\n", cause);
		goto out;
	}
	memset(&copts, 0, sizeof copts);
	copts.cfg = c.cfg;
	copts.st = c.st;
	if (checkout_new(&copts, &co, &cause) != 0) {
		fprintf(stderr, "quan bench pay: %s\n", cause);
		goto out;
	}
	pm = payment_new(co, c.st, c.cfg, net_rt_settle(rt));
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
			if (start_sale(co, pm, started, &sl[k]) != 0) {
				fprintf(stderr, "quan bench pay: sale %d: %s\n",
				    started, cli_errmsg(&c));
				goto out;
			}
			cpu_start[started] = cpu_us() - c1;
			started++;
		}
		(void)payment_step(pm);
		if (poll(&pf, 1, 1000) < 0 && errno != EINTR)
			goto out;
		if (settle_drain(net_rt_settle(rt), net_rt_results(rt), tm_now(), NULL) != 0)
			goto out;
		(void)payment_step(pm);
		for (k = 0; k < conc; k++) {
			if (sl[k].id == 0 || payment_view(pm, sl[k].id,
			    &v) != 0 || v.outcome == PAY_PENDING)
				continue;
			(void)payment_settle_sale(pm, sl[k].id);
			over[done] = (int64_t)(tm_mono_us() - sl[k].start_us) -
			    v.net_ms * 1000;
			paid += v.outcome == PAY_PAID;
			done++;
			sl[k].id = 0;
		}
	}
	t_all = tm_mono_us() - t0;
	cpu0 = cpu_us() - cpu0;
	qsort(over, (size_t)n, sizeof *over, cmp_i64);
	qsort(cpu_start, (size_t)n, sizeof *cpu_start, cmp_i64);
	if (json)
		printf("{\"n\":%d,\"paid\":%d,\"concurrency\":%d,"
		    "\"sales_per_s\":%.0f,\"till_p50_ms\":%.2f,"
		    "\"till_p99_ms\":%.2f,\"cpu_per_sale_ms\":%.3f,"
		    "\"cpu_commit_p99_ms\":%.3f}\n", n, paid, conc,
		    (double)n * 1e6 / (double)t_all,
		    (double)over[n / 2] / 1000,
		    (double)over[(n * 99) / 100] / 1000,
		    (double)cpu0 / n / 1000,
		    (double)cpu_start[(n * 99) / 100] / 1000);
	else
		printf("%d sales (%d paid) in %.2f s: %.0f sales/s, %d in "
		    "flight; till's own time per sale p50 %.2f ms, p99 %.2f "
		    "ms (beyond WeChat's side)\n", n, paid,
		    (double)t_all / 1e6, (double)n * 1e6 / (double)t_all,
		    conc, (double)over[n / 2] / 1000,
		    (double)over[(n * 99) / 100] / 1000);
	if (!json)
		printf("main thread CPU per sale %.3f ms (all of it: redeem, "
		    "charge, answer, close); open->charge committed p99 %.3f "
		    "ms CPU\n", (double)cpu0 / n / 1000,
		    (double)cpu_start[(n * 99) / 100] / 1000);
	rc = paid == n ? EXIT_OK : EXIT_FAIL;
out:
	payment_free(pm);
	checkout_free(co);
	net_rt_stop(rt);
	bench_teardown(&c, sim, dir);
	free(over);
	free(cpu_start);
	free(cause);
	return rc;
}
