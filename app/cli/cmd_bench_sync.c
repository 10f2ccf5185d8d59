/*
 * cmd_bench_sync.c — `quan bench sync`: start `quan sim` on loopback in a
 * folder of its own and print what app/net/bench_sync.h measures (N
 * redemptions queued offline and drained, M online from scan to
 * confirmed). `--mint N` only mints into the configured store and prints
 * the codes (the fault soak uses it).
 */
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <jansson.h>

#include "cli/bench.h"
#include "cli/cli_common.h"
#include "cli/cmd.h"
#include "net/bench_sync.h"
#include "core/checkout.h"
#include "core/redeem.h"
#include "core/settle.h"
#include "net/http.h"
#include "net/sync_wx.h"
#include "net/wxpay.h"
#include "sim/sim.h"
#include "util/config.h"
#include "util/err.h"
#include "util/log.h"
#include "util/tm.h"
#include "util/xmem.h"

/* Run `quan sim serve DIR --listen 127.0.0.1:0 --use-qps 0`; wait for
 * its "listening" line. */
pid_t
bench_spawn_sim(const char *dir, char *err, size_t n)
{
	int fd[2];
	pid_t pid;
	char line[256];
	FILE *fp;

	if (pipe(fd) != 0) {
		snprintf(err, n, "pipe: %s", strerror(errno));
		return -1;
	}
	pid = fork();
	if (pid < 0) {
		snprintf(err, n, "fork: %s", strerror(errno));
		return -1;
	}
	if (pid == 0) {
		dup2(fd[1], 1);
		close(fd[0]);
		close(fd[1]);
		execl("/proc/self/exe", "quan", "sim", "serve", dir,
		    "--listen", "127.0.0.1:0", "--use-qps", "0", (char *)NULL);
		_exit(127);
	}
	close(fd[1]);
	fp = fdopen(fd[0], "r");
	if (fp == NULL || fgets(line, sizeof line, fp) == NULL ||
	    strncmp(line, "listening ", 10) != 0) {
		snprintf(err, n, "quan sim serve did not start");
		if (fp != NULL)
			fclose(fp);
		kill(pid, SIGTERM);
		waitpid(pid, NULL, 0);
		return -1;
	}
	fclose(fp); /* the sim may write more; it ignores EPIPE or dies */
	return pid;
}

void
bench_teardown(struct cli *c, pid_t sim, const char *dir)
{
	if (sim > 0) {
		kill(sim, SIGTERM);
		waitpid(sim, NULL, 0);
	}
	cli_done(c);
	if (dir != NULL && getenv("QUAN_BENCH_KEEP") == NULL) {
		char cmd[600];

		snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
		if (system(cmd) != 0)
			fprintf(stderr, "quan bench: could not remove %s\n",
			    dir);
	}
}

static void
usage_bench(void)
{
	fprintf(stderr, "usage: quan bench sync [--n N] [--online M] "
	    "[--workers W] [--json]\n"
	    "       quan bench sync --mint N   (mint into the configured "
	    "store; codes on stdout)\n");
}

int
bench_sync(int argc, char **argv)
{
	struct cli c;
	struct bench_sync_fig f;
	char tmpl[] = "/tmp/quan-bench-sync-XXXXXX", *dir = NULL;
	char path[512], err[512], *cause = NULL;
	char (*codes)[32] = NULL;
	pid_t sim = -1;
	int i, rc = EXIT_FAIL, n = 10000, m = 200, workers, json = 0;
	int mint_only = 0, own = 0;
	struct sync_cfg dflt;

	memset(&c, 0, sizeof c);
	sync_cfg_defaults(&dflt);
	workers = dflt.workers;
	if (cli_parse_globals(&c, &argc, argv) != 0)
		return EXIT_USAGE;
	for (i = 1; i < argc; i++) {
		char *end;
		long v = 0;

		if (i + 1 < argc)
			v = strtol(argv[i + 1], &end, 10);
		if (strcmp(argv[i], "--json") == 0) {
			json = 1;
		} else if (strcmp(argv[i], "--n") == 0 && i + 1 < argc &&
		    *end == '\0' && v >= 1 && v <= 1000000) {
			n = (int)v;
			i++;
		} else if (strcmp(argv[i], "--mint") == 0 && i + 1 < argc &&
		    *end == '\0' && v >= 1 && v <= 1000000) {
			n = (int)v;
			mint_only = 1;
			i++;
		} else if (strcmp(argv[i], "--online") == 0 && i + 1 < argc &&
		    *end == '\0' && v >= 0 && v <= 100000) {
			m = (int)v;
			i++;
		} else if (strcmp(argv[i], "--workers") == 0 && i + 1 < argc &&
		    *end == '\0' && v >= 1 && v <= 16) {
			workers = (int)v;
			i++;
		} else {
			usage_bench();
			return EXIT_USAGE;
		}
	}
	(void)http_global_init();
	if (mint_only) {
		struct sync_wx *x = NULL;

		if ((rc = cli_setup(&c, "bench")) != 0 ||
		    (rc = cli_open_store(&c, "bench", 0)) != 0)
			goto out;
		rc = EXIT_FAIL;
		if (sync_wx_new(c.cfg, &x, &cause) != 0 ||
		    bench_mint(c.st, c.cfg, x, n, &codes, err, sizeof err) != 0) {
			fprintf(stderr, "quan bench sync --mint: %s\n", err);
			sync_wx_free(x);
			goto out;
		}
		sync_wx_free(x);
		for (i = 0; i < n; i++)
			printf("%s\n", codes[i]);
		rc = EXIT_OK;
		goto out;
	}
	/* our own simulator and data under a temporary folder */
	if ((dir = mkdtemp(tmpl)) == NULL) {
		fprintf(stderr, "quan bench sync: mkdtemp: %s\n",
		    strerror(errno));
		goto out;
	}
	own = 1;
	if (sim_init(dir, 18443, 0, &cause) != 0) {
		fprintf(stderr, "quan bench sync: sim init: %s\n", cause);
		goto out;
	}
	if ((sim = bench_spawn_sim(dir, err, sizeof err)) < 0) {
		fprintf(stderr, "quan bench sync: %s\n", err);
		goto out;
	}
	snprintf(path, sizeof path, "%s/quan.conf", dir);
	c.config_opt = path;
	snprintf(err, sizeof err, "%s/data", dir);
	c.data_opt = err;
	if ((rc = cli_setup(&c, "bench")) != 0 ||
	    (rc = cli_open_store(&c, "bench", 0)) != 0)
		goto out;
	rc = EXIT_FAIL;
	if (bench_sync_run(c.st, c.cfg, n, m, workers, &f, err,
	    sizeof err) != 0) {
		fprintf(stderr, "quan bench sync: %s\n", err);
		goto out;
	}
	if (!json)
		fprintf(stderr, "minted %d coupons in %.1f s\n", n + m,
		    f.mint_s);
	if (json) {
		printf("{\"n\":%d,\"confirmed\":%" PRIu64 ",\"left_pending\":%"
		    PRId64 ",\"left_unknown\":%" PRId64 ",\"workers\":%d,"
		    "\"queue_per_s\":%.0f,\"drain_s\":%.3f,\"drain_per_s\":%.0f,"
		    "\"online_n\":%d,\"online_confirmed\":%d,"
		    "\"online_p50_ms\":%.2f,\"online_p99_ms\":%.2f,"
		    "\"online_per_s\":%.0f}\n",
		    n, f.confirmed, f.left_pending, f.left_unknown, workers,
		    f.queue_per_s, f.drain_s, f.drain_per_s, m,
		    f.online_confirmed, f.online_p50_ms, f.online_p99_ms,
		    f.online_per_s);
	} else {
		printf("queued %d offline redemptions at %.0f/s\n", n,
		    f.queue_per_s);
		printf("drained %" PRIu64 " in %.2f s: %.0f/s (%d workers, "
		    "rate cap off); left %" PRId64 " pending, %" PRId64
		    " unknown\n", f.confirmed, f.drain_s, f.drain_per_s,
		    workers, f.left_pending, f.left_unknown);
		if (m > 0)
			printf("online: %d/%d confirmed, scan->confirmed p50 "
			    "%.2f ms, p99 %.2f ms\n", f.online_confirmed, m,
			    f.online_p50_ms, f.online_p99_ms);
	}
	rc = (int64_t)f.confirmed == n && f.left_pending + f.left_unknown ==
	    0 && f.online_confirmed == m ? EXIT_OK : EXIT_FAIL;
out:
	bench_teardown(&c, sim, own ? dir : NULL);
	free(codes);
	free(cause);
	return rc;
}
