/*
 * cmd_hub_bench.c — `quan bench hub`: the store hub's figures (bench.h).
 *   claims: 1, 8 and 32 tills (threads, a connection each) claiming
 *           distinct codes at once; each claim timed (one statement, one
 *           round trip); p50 / p99 per level
 *   chain:  N redemptions of S stores generated at headquarters with
 *           generate_series, then quan report --chain's query timed
 * Both databases must be scratch ones: the bench empties their tables.
 */
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli/bench.h"
#include "cli/cli_common.h"
#include "cli/cmd.h"
#include "hub/hub.h"
#include "hub/hub_chain.h"
#include "util/err.h"
#include "util/xmem.h"

struct worker {
	pthread_t th;
	const char *dsn;
	int id, level, n;
	pthread_barrier_t *go;
	uint64_t *us;          /* n latencies */
	int failed;
	char err[200];
};

static uint64_t
now_us(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (uint64_t)t.tv_sec * 1000000u + (uint64_t)t.tv_nsec / 1000u;
}

static void *
claimer(void *arg)
{
	struct worker *w = arg;
	struct hub *h = NULL;
	struct hub_job j;
	struct hub_answer a;
	char *cause = NULL;
	uint64_t t0;
	int i;

	if (hub_open(w->dsn, 5, 5000, &h, &cause) != 0) {
		snprintf(w->err, sizeof w->err, "%s", cause);
		free(cause);
		w->failed = 1;
	}
	pthread_barrier_wait(w->go);
	for (i = 0; !w->failed && i < w->n; i++) {
		memset(&j, 0, sizeof j);
		j.tag = i + 1;
		j.txn_id = i + 1;
		snprintf(j.code, sizeof j.code, "B%02d%03d%08d", w->level,
		    w->id, i);
		snprintf(j.kind, sizeof j.kind, "merchant");
		snprintf(j.store_id, sizeof j.store_id, "S001");
		snprintf(j.terminal, sizeof j.terminal, "T%03d", w->id);
		snprintf(j.request_no, sizeof j.request_no, "T%03dU%012d",
		    w->id, i);
		t0 = now_us();
		hub_claim(h, &j, &a);
		w->us[i] = now_us() - t0;
		if (a.verdict != HUB_V_CLAIMED) {
			snprintf(w->err, sizeof w->err, "claim: %s",
			    a.verdict == HUB_V_DOWN ? a.error : "taken");
			w->failed = 1;
		}
	}
	hub_close(h);
	return NULL;
}

static int
cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* One level: `level` tills at once, `per` claims each. */
static int
claims_level(const char *dsn, struct hub *admin, int level, int per,
    int json, int first)
{
	struct worker *w = xcalloc((size_t)level, sizeof *w);
	uint64_t *all = xcalloc((size_t)level * (size_t)per, sizeof *all);
	pthread_barrier_t go;
	uint64_t t0, wall;
	char *cause = NULL;
	int i, k, n = 0, failed = 0;

	if (hub_exec(admin, "TRUNCATE claims", &cause) != 0) {
		fprintf(stderr, "quan bench hub: %s\n", cause);
		free(cause);
		free(w);
		free(all);
		return EXIT_FAIL;
	}
	pthread_barrier_init(&go, NULL, (unsigned)level + 1);
	for (i = 0; i < level; i++) {
		w[i].dsn = dsn;
		w[i].id = i;
		w[i].level = level;
		w[i].n = per;
		w[i].go = &go;
		w[i].us = all + (size_t)i * (size_t)per;
		pthread_create(&w[i].th, NULL, claimer, &w[i]);
	}
	pthread_barrier_wait(&go);
	t0 = now_us();
	for (i = 0; i < level; i++)
		pthread_join(w[i].th, NULL);
	wall = now_us() - t0;
	pthread_barrier_destroy(&go);
	for (i = 0; i < level; i++) {
		if (w[i].failed) {
			fprintf(stderr, "quan bench hub: till %d: %s\n", i,
			    w[i].err);
			failed = 1;
		}
		for (k = 0; k < per; k++)
			all[n++] = w[i].us[k];
	}
	qsort(all, (size_t)n, sizeof *all, cmp_u64);
	if (!failed) {
		if (json)
			printf("%s{\"tills\":%d,\"claims\":%d,\"p50_us\":%"
			    PRIu64 ",\"p99_us\":%" PRIu64 ",\"max_us\":%"
			    PRIu64 ",\"per_s\":%" PRIu64 "}", first ? "" :
			    ",", level, n, all[n / 2], all[n * 99 / 100],
			    all[n - 1], wall > 0 ? (uint64_t)n * 1000000u /
			    wall : 0);
		else
			printf("claims, %2d tills at once: %6d claims, p50 "
			    "%.2f ms, p99 %.2f ms, max %.2f ms, %" PRIu64
			    " claims/s\n", level, n, all[n / 2] / 1000.0,
			    all[n * 99 / 100] / 1000.0, all[n - 1] / 1000.0,
			    wall > 0 ? (uint64_t)n * 1000000u / wall : 0);
	}
	free(w);
	free(all);
	return failed ? EXIT_FAIL : EXIT_OK;
}

/* 10 lanes a store, one day; 1 in 20 rejected, 1 in 20 accepted
 * offline, 1 in 20 returned, the rest confirmed. */
static int
chain_fill(struct hub *hq, long rows, int stores, int64_t day, char **cause)
{
	char sql[1400];
	int rc, from = 0;

	if ((rc = hub_hq_init(hq, &from, cause)) != 0)
		return rc;
	/* rows in bulk: the hourly sums are built once after, as the
	 * trigger would have built them row by row */
	if ((rc = hub_exec(hq, "TRUNCATE redemptions, conflicts, lane_hours;"
	    "ALTER TABLE redemptions DISABLE TRIGGER quan_lane_hours",
	    cause)) != 0)
		return rc;
	snprintf(sql, sizeof sql,
	    "INSERT INTO redemptions SELECT"
	    " 'S' || lpad((g %% %d)::text, 5, '0'),"
	    " 'T' || lpad(((g / %d) %% 10)::text, 2, '0') || 'U' || g,"
	    " 'T' || lpad(((g / %d) %% 10)::text, 2, '0'), g, 'C' || g,"
	    " 'merchant', CASE g %% 20 WHEN 0 THEN 'rejected'"
	    " WHEN 1 THEN 'accepted_offline' WHEN 2 THEN 'returned'"
	    " ELSE 'confirmed' END, CASE g %% 20 WHEN 0 THEN 'expired'"
	    " WHEN 2 THEN 'voided' ELSE 'ok' END,"
	    " CASE g %% 20 WHEN 0 THEN 0 ELSE 500 END,"
	    " CASE g %% 20 WHEN 1 THEN %" PRId64 " + g %% 86400 ELSE 0 END,"
	    " %" PRId64 " + g %% 86400, %" PRId64 " + g %% 86400"
	    " FROM generate_series(1, %ld) g", stores, stores, stores,
	    day, day, day, rows);
	if ((rc = hub_exec(hq, sql, cause)) != 0 ||
	    (rc = hub_exec(hq, "INSERT INTO lane_hours SELECT store_id,"
	    " terminal, created_at / 3600, state, reason, count(*),"
	    " sum(discount_fen), count(*) FILTER (WHERE offline_at > 0)"
	    " FROM redemptions GROUP BY 1, 2, 3, 4, 5;"
	    "ALTER TABLE redemptions ENABLE ALWAYS TRIGGER quan_lane_hours",
	    cause)) != 0)
		return rc;
	return hub_exec(hq, "VACUUM ANALYZE redemptions, lane_hours", cause);
}

int
bench_hub(int argc, char **argv)
{
	const char *dsn = NULL, *hq_dsn = NULL;
	int claims = 4000, stores = 1000, json = 0, i, rc = EXIT_OK, first;
	int levels[] = {1, 8, 32};
	long rows = 10000000;
	struct hub *admin = NULL, *hq = NULL;
	struct chain_report r;
	char *cause = NULL;
	int64_t day = 1796572800; /* 2026-12-07 00:00 +08:00 */
	uint64_t t0, gen_ms, best = 0, t;

	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--dsn") == 0 && i + 1 < argc)
			dsn = argv[++i];
		else if (strcmp(argv[i], "--hq-dsn") == 0 && i + 1 < argc)
			hq_dsn = argv[++i];
		else if (strcmp(argv[i], "--claims") == 0 && i + 1 < argc)
			claims = (int)strtol(argv[++i], NULL, 10);
		else if (strcmp(argv[i], "--rows") == 0 && i + 1 < argc)
			rows = strtol(argv[++i], NULL, 10);
		else if (strcmp(argv[i], "--stores") == 0 && i + 1 < argc)
			stores = (int)strtol(argv[++i], NULL, 10);
		else if (strcmp(argv[i], "--json") == 0)
			json = 1;
		else
			break;
	}
	if (i < argc || dsn == NULL || claims < 32 || rows < 1 ||
	    stores < 1) {
		fprintf(stderr, "usage: quan bench hub --dsn HUB [--hq-dsn HQ] "
		    "[--claims N] [--rows N] [--stores N] [--json]\n");
		return EXIT_USAGE;
	}
	if (hub_open(dsn, 5, 600000, &admin, &cause) != 0 ||
	    hub_init(admin, &first, &cause) != 0) {
		fprintf(stderr, "quan bench hub: %s\n", cause);
		free(cause);
		hub_close(admin);
		return EXIT_FAIL;
	}
	if (json)
		printf("{\"claims\":[");
	for (i = 0; rc == 0 && i < 3; i++)
		rc = claims_level(dsn, admin, levels[i], claims / levels[i],
		    json, i == 0);
	(void)hub_exec(admin, "TRUNCATE claims", NULL);
	hub_close(admin);
	if (json)
		printf("]");
	if (rc == 0 && hq_dsn != NULL) {
		if (hub_open(hq_dsn, 5, 0, &hq, &cause) != 0 ||
		    hub_exec(hq, "SET statement_timeout = 0", &cause) != 0) {
			rc = EXIT_FAIL;
			goto out;
		}
		t0 = now_us();
		if (chain_fill(hq, rows, stores, day, &cause) != 0) {
			rc = EXIT_FAIL;
			goto out;
		}
		gen_ms = (now_us() - t0) / 1000;
		for (i = 0; i < 3; i++) {
			t0 = now_us();
			if (hub_chain_report(hq, day, day + 86400, &r,
			    &cause) != 0) {
				rc = EXIT_FAIL;
				goto out;
			}
			t = now_us() - t0;
			if (best == 0 || t < best)
				best = t;
			if (i == 2) {
				if (json)
					printf(",\"chain\":{\"rows\":%" PRId64
					    ",\"stores\":%d,\"lanes\":%zu,"
					    "\"generate_ms\":%" PRIu64
					    ",\"report_ms\":%" PRIu64 "}",
					    r.rows, stores, r.nlanes, gen_ms,
					    best / 1000);
				else
					printf("chain report: %" PRId64
					    " redemptions, %d stores, %zu "
					    "lanes: %.0f ms (best of 3; "
					    "generated in %.1f s)\n", r.rows,
					    stores, r.nlanes, best / 1000.0,
					    gen_ms / 1000.0);
			}
			hub_chain_free(&r);
		}
	}
out:
	if (json)
		printf("}\n");
	if (cause != NULL) {
		fprintf(stderr, "quan bench hub: %s\n", cause);
		free(cause);
	}
	hub_close(hq);
	return rc;
}
