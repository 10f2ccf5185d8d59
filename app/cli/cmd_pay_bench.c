/*
 * cmd_pay_bench.c — `quan bench pay`: whole sales (open, redeem, charge a
 * payment code, answer applied, sale closed) against a `quan sim` of its
 * own, C sales in flight at once on one till process, signing both ways.
 * Prints sales per second and the till's own time per sale: the sale's
 * wall time less what the sync thread spent on WeChat's side of it
 * (network and simulator), p50 and p99. The loop that measures is
 * app/net/bench_pay.c; this parses, sets up and prints.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>

#include "cli/bench.h"
#include "cli/cli_common.h"
#include "cli/cmd.h"
#include "core/checkout.h"
#include "core/payment.h"
#include "net/bench_pay.h"
#include "net/http.h"
#include "net/runtime.h"
#include "sim/sim.h"
#include "store/store.h"
#include "util/config.h"
#include "util/err.h"

int
bench_pay(int argc, char **argv)
{
	struct cli c;
	struct checkout_opts copts;
	struct checkout *co = NULL;
	struct payment *pm = NULL;
	struct net_rt *rt = NULL;
	struct net_rt_opts o;
	struct bench_pay_fig f;
	char tmpl[] = "/tmp/quan-bench-pay-XXXXXX", *dir = NULL;
	char path[512], data[512], err[512], *cause = NULL;
	pid_t sim = -1;
	int i, rc = EXIT_FAIL, n = 1000, conc = 8, json = 0;

	memset(&c, 0, sizeof c);
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
		    val <= BENCH_PAY_INFLIGHT_MAX) {
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
	if (bench_pay_run(rt, c.st, co, pm, n, conc, &f, &cause) != 0) {
		fprintf(stderr, "quan bench pay: %s\n", cause);
		goto out;
	}
	if (json)
		printf("{\"n\":%d,\"paid\":%d,\"concurrency\":%d,"
		    "\"sales_per_s\":%.0f,\"till_p50_ms\":%.2f,"
		    "\"till_p99_ms\":%.2f,\"cpu_per_sale_ms\":%.3f,"
		    "\"cpu_commit_p99_ms\":%.3f}\n", n, f.paid, conc,
		    (double)n * 1e6 / (double)f.wall_us,
		    (double)f.till_p50_us / 1000,
		    (double)f.till_p99_us / 1000,
		    (double)f.cpu_us / n / 1000,
		    (double)f.commit_cpu_p99_us / 1000);
	else
		printf("%d sales (%d paid) in %.2f s: %.0f sales/s, %d in "
		    "flight; till's own time per sale p50 %.2f ms, p99 %.2f "
		    "ms (beyond WeChat's side)\n", n, f.paid,
		    (double)f.wall_us / 1e6, (double)n * 1e6 / (double)f.wall_us,
		    conc, (double)f.till_p50_us / 1000,
		    (double)f.till_p99_us / 1000);
	if (!json)
		printf("main thread CPU per sale %.3f ms (all of it: redeem, "
		    "charge, answer, close); open->charge committed p99 %.3f "
		    "ms CPU\n", (double)f.cpu_us / n / 1000,
		    (double)f.commit_cpu_p99_us / 1000);
	rc = f.paid == n ? EXIT_OK : EXIT_FAIL;
out:
	payment_free(pm);
	checkout_free(co);
	net_rt_stop(rt);
	bench_teardown(&c, sim, dir);
	free(cause);
	return rc;
}
