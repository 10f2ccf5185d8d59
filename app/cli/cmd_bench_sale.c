/*
 * cmd_bench_sale.c — `quan bench sale --history N`: the per-sale cost with
 * N past sales in the store (app/core/bench_sale.h measures; this parses,
 * sets up a temporary data dir and `quan sim`, and prints). Figures: the
 * history build, offline sales (scan -> verdict -> redeem -> commit, then
 * settle), online sales against the simulator, the X report, `quan
 * report` (the real command, a process of its own) and the file size.
 */
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <jansson.h>

#include "cli/bench.h"
#include "cli/cli_common.h"
#include "cli/cmd.h"
#include "net/bench_sync.h"
#include "net/runtime.h"
#include "core/bench_sale.h"
#include "core/checkout.h"
#include "core/redeem.h"
#include "net/http.h"
#include "sim/sim.h"
#include "util/config.h"
#include "util/err.h"
#include "util/tm.h"
#include "util/xmem.h"

#define MS(us) ((double)(us) / 1000.0)

static double
fnum(const json_t *o, const char *a, const char *b)
{
	const json_t *x = json_object_get(o, a);

	return json_number_value(b != NULL ? json_object_get(x, b) : x);
}

static void
print_figures(json_t *f, int json)
{
	const json_t *on = json_object_get(f, "online");
	char *t;

	if (json) {
		t = json_dumps(f, JSON_COMPACT | JSON_REAL_PRECISION(6));
		printf("%s\n", t);
		free(t);
		return;
	}
	printf("history: %.0f past sales over %.0f days, built in %.1f s; "
	    "database %.1f MB\n", fnum(f, "history", NULL),
	    fnum(f, "days", NULL), fnum(f, "build_s", NULL),
	    fnum(f, "db_bytes", NULL) / 1e6);
	printf("offline sale, scan -> verdict -> redeem -> commit (%.0f "
	    "sales, %.0f granted): p50 %.2f ms, p99 %.2f ms, max %.2f ms\n",
	    fnum(f, "offline", "n"), fnum(f, "offline", "granted"),
	    fnum(f, "offline", "p50_ms"), fnum(f, "offline", "p99_ms"),
	    fnum(f, "offline", "max_ms"));
	printf("  its CPU time (no disk waits): p50 %.3f ms, p99 %.3f ms\n",
	    fnum(f, "offline", "cpu_p50_ms"), fnum(f, "offline", "cpu_p99_ms"));
	printf("settle one coupon (confirmed): p50 %.2f ms, p99 %.2f ms\n",
	    fnum(f, "offline", "settle_p50_ms"),
	    fnum(f, "offline", "settle_p99_ms"));
	if (on != NULL)
		printf("online sale against quan sim (%.0f sales, %.0f "
		    "confirmed): p50 %.2f ms, p99 %.2f ms\n",
		    fnum(f, "online", "n"), fnum(f, "online", "confirmed"),
		    fnum(f, "online", "p50_ms"), fnum(f, "online", "p99_ms"));
	printf("X report of today (terminal): %.2f ms; quan report of today "
	    "(own process): %.2f ms\n", fnum(f, "xreport_ms", NULL),
	    fnum(f, "report_ms", NULL));
}

/* Wall time of `quan report --json` on this data dir, k times. */
static int
time_report(const struct cli *c, int k, uint64_t *us)
{
	int i, st;

	for (i = 0; i < k; i++) {
		uint64_t t0 = tm_mono_us();
		pid_t p = fork();

		if (p < 0)
			return -1;
		if (p == 0) {
			if (freopen("/dev/null", "w", stdout) == NULL)
				_exit(127);
			if (c->cfg->path[0] != '\0')
				execl("/proc/self/exe", "quan", "--config",
				    c->cfg->path, "--data", c->data_dir,
				    "report", "--json", (char *)NULL);
			else {
				/* the defaults, as this process runs */
				unsetenv("QUAN_CONFIG");
				execl("/proc/self/exe", "quan", "--data",
				    c->data_dir, "report", "--json",
				    (char *)NULL);
			}
			_exit(127);
		}
		if (waitpid(p, &st, 0) != p || !WIFEXITED(st) ||
		    WEXITSTATUS(st) != 0)
			return -1;
		us[i] = tm_mono_us() - t0;
	}
	return 0;
}

static void
usage_sale(void)
{
	fprintf(stderr, "usage: quan bench sale [--history N] [--sales M] "
	    "[--online K] [--json]\n"
	    "  N past sales (default 0, up to 5,000,000), M timed offline "
	    "sales (default 2000),\n  K online sales against quan sim "
	    "(default 200; 0 = none). With --data DIR the store\n  is built "
	    "there and kept (no simulator).\n");
}

static int
opt_long(char **argv, int i, int argc, long lo, long hi, long *out)
{
	char *end;

	if (i + 1 >= argc)
		return -1;
	errno = 0;
	*out = strtol(argv[i + 1], &end, 10);
	return errno != 0 || *end != '\0' || *out < lo || *out > hi ? -1 : 0;
}

int
bench_sale(int argc, char **argv)
{
	struct cli c;
	struct checkout_opts co;
	struct checkout *ck = NULL;
	struct net_rt *rt = NULL;
	struct net_rt_opts no;
	char tmpl[] = "/tmp/quan-bench-sale-XXXXXX", *dir = NULL, *cause = NULL;
	char conf[600], data[600], err[512], tag[9];
	char (*codes)[32] = NULL, (*online)[32] = NULL;
	uint64_t *lat = NULL, *set = NULL, *cpu = NULL, xr[5], rp[5], t0;
	uint64_t build_us;
	json_t *fig = NULL;
	int64_t size = 0;
	long v, hist = 0, m = 2000, k = 200;
	int i, rc = EXIT_FAIL, json = 0, own, granted = 0, ok_online = 0, brc;
	struct redeem *rd;
	pid_t sim = -1;

	memset(&c, 0, sizeof c);
	if (cli_parse_globals(&c, &argc, argv) != 0)
		return EXIT_USAGE;
	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--json") == 0)
			json = 1;
		else if (strcmp(argv[i], "--history") == 0 &&
		    opt_long(argv, i, argc, 0, 5000000, &v) == 0)
			hist = v, i++;
		else if (strcmp(argv[i], "--sales") == 0 &&
		    opt_long(argv, i, argc, 0, 1000000, &v) == 0)
			m = v, i++;
		else if (strcmp(argv[i], "--online") == 0 &&
		    opt_long(argv, i, argc, 0, 100000, &v) == 0)
			k = v, i++;
		else {
			usage_sale();
			return EXIT_USAGE;
		}
	}
	own = c.data_opt == NULL;
	if (!own)
		k = 0;
	snprintf(tag, sizeof tag, "%08X", (unsigned)(tm_mono_us() ^
	    (uint64_t)getpid()));
	if (own) {
		if ((dir = mkdtemp(tmpl)) == NULL) {
			fprintf(stderr, "quan bench sale: mkdtemp: %s\n",
			    strerror(errno));
			return EXIT_FAIL;
		}
		if (k > 0 && (sim_init(dir, 18443, 0, &cause) != 0 ||
		    (sim = bench_spawn_sim(dir, err, sizeof err)) < 0)) {
			fprintf(stderr, "quan bench sale: simulator: %s\n",
			    cause != NULL ? cause : err);
			goto out;
		}
		snprintf(conf, sizeof conf, "%s/quan.conf", dir);
		snprintf(data, sizeof data, "%s/data", dir);
		if (k > 0)
			c.config_opt = conf;
		c.data_opt = data;
	}
	if (cli_setup(&c, "bench") != 0 || cli_open_store(&c, "bench", 0) != 0)
		goto out;
	/* the timed sales are decided offline without caps getting in the
	 * way (every sale settles right after, so little stays unsettled) */
	c.cfg->off_max_per_hour = INT_MAX;
	c.cfg->off_max_exposure_fen = INT64_MAX / 4;
	c.cfg->off_max_cache_age_s = INT64_MAX / 4;
	c.cfg->wx_rate_per_s = 0;
	if (bench_sale_stock(c.st, tm_now()) != 0)
		goto db_err;
	t0 = tm_mono_us();
	if (hist > 0 && bench_sale_history(c.st, hist, tm_now() - 600,
	    &cause) != 0) {
		fprintf(stderr, "quan bench sale: history: %s\n", cause);
		goto out;
	}
	build_us = tm_mono_us() - t0;
	codes = xcalloc((size_t)(m > 0 ? m : 1), sizeof *codes);
	lat = xcalloc((size_t)(m > k ? m : k) + 1, sizeof *lat);
	set = xcalloc((size_t)m + 1, sizeof *set);
	cpu = xcalloc((size_t)m + 1, sizeof *cpu);
	if (bench_sale_codes(c.st, tag, (int)m, codes, tm_now()) != 0)
		goto db_err;
	memset(&co, 0, sizeof co);
	co.cfg = c.cfg;
	co.st = c.st;
	co.journal_scans = 1; /* as the terminal does */
	if (checkout_new(&co, &ck, &cause) != 0) {
		fprintf(stderr, "quan bench sale: %s\n", cause);
		goto out;
	}
	checkout_set_cashier(ck, "1001");
	if (bench_sale_run(ck, NULL, c.st, codes, (int)m, 1, lat, set, cpu,
	    &granted) != 0)
		goto db_err;
	if (datafile_size(c.st, &size) != 0)
		goto db_err;
	fig = json_pack("{s:I, s:I, s:f, s:I}", "history", (json_int_t)hist,
	    "days", (json_int_t)(hist / 1000 > 0 ? hist / 1000 : 1),
	    "build_s", (double)build_us / 1e6, "db_bytes", (json_int_t)size);
	json_object_set_new(fig, "offline", json_pack("{s:I, s:i, s:f, s:f, "
	    "s:f, s:f, s:f, s:f, s:f}", "n", (json_int_t)m, "granted", granted,
	    "p50_ms", MS(bench_sale_pct(lat, (int)m, 500)),
	    "p99_ms", MS(bench_sale_pct(lat, (int)m, 990)),
	    "max_ms", MS(bench_sale_pct(lat, (int)m, 1000)),
	    "cpu_p50_ms", MS(bench_sale_pct(cpu, (int)m, 500)),
	    "cpu_p99_ms", MS(bench_sale_pct(cpu, (int)m, 990)),
	    "settle_p50_ms", MS(bench_sale_pct(set, (int)m, 500)),
	    "settle_p99_ms", MS(bench_sale_pct(set, (int)m, 990))));
	if (k > 0) {
		net_rt_defaults(c.cfg, &no);
		no.sync.rate_per_s = 0;
		no.settle.refresh_s = 0;
		if (net_rt_start(&rt, c.st, c.cfg, &no, &cause) != 0) {
			fprintf(stderr, "quan bench sale: %s\n", cause);
			goto out;
		}
		if (bench_mint(c.st, c.cfg, net_rt_wx(rt), (int)k, &online, err,
		    sizeof err) != 0) {
			fprintf(stderr, "quan bench sale: mint: %s\n", err);
			goto out;
		}
		rd = redeem_new(ck, net_rt_settle(rt), net_rt_results(rt),
		    c.cfg->wx_online_wait_ms);
		brc = bench_sale_run(ck, rd, c.st, online, (int)k, 0, lat,
		    set, NULL, &ok_online);
		redeem_free(rd);
		checkout_set_online(ck, 0);
		if (brc != 0)
			goto db_err;
		json_object_set_new(fig, "online", json_pack("{s:I, s:i, "
		    "s:f, s:f}", "n", (json_int_t)k, "confirmed", ok_online,
		    "p50_ms", MS(bench_sale_pct(lat, (int)k, 500)),
		    "p99_ms", MS(bench_sale_pct(lat, (int)k, 990))));
	}
	if (bench_sale_xreport(c.cfg, c.st, ck, c.data_dir, 5, xr) != 0 ||
	    time_report(&c, 5, rp) != 0) {
		fprintf(stderr, "quan bench sale: report failed\n");
		goto out;
	}
	json_object_set_new(fig, "xreport_ms", json_real(MS(
	    bench_sale_pct(xr, 5, 500))));
	json_object_set_new(fig, "report_ms", json_real(MS(
	    bench_sale_pct(rp, 5, 500))));
	print_figures(fig, json);
	rc = granted == m && ok_online == k ? EXIT_OK : EXIT_FAIL;
	goto out;
db_err:
	fprintf(stderr, "quan bench sale: %s\n", cli_errmsg(&c));
out:
	checkout_free(ck);
	net_rt_stop(rt);
	bench_teardown(&c, sim, own ? dir : NULL);
	free(codes);
	free(online);
	free(lat);
	free(set);
	free(cpu);
	free(cause);
	json_decref(fig);
	return rc;
}
