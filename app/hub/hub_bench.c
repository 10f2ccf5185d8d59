/*
 * hub_bench.c — the store hub's figures (hub_bench.h): claims from many
 * tills at once, and the chain report over a chain's day of rows.
 */
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "hub/hub.h"
#include "hub/hub_bench.h"
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

int
hub_bench_claims(const char *dsn, int level, int per,
    struct hub_bench_claims *out, char **cause)
{
	struct worker *w;
	uint64_t *all;
	struct hub *admin = NULL;
	pthread_barrier_t go;
	uint64_t t0, wall;
	int i, k, n = 0, rc, from;

	memset(out, 0, sizeof *out);
	if ((rc = hub_open(dsn, 5, 600000, &admin, cause)) != 0)
		return rc;
	if ((rc = hub_init(admin, &from, cause)) != 0 ||
	    (rc = hub_exec(admin, "TRUNCATE claims", cause)) != 0) {
		hub_close(admin);
		return rc;
	}
	w = xcalloc((size_t)level, sizeof *w);
	all = xcalloc((size_t)level * (size_t)per, sizeof *all);
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
	for (i = 0; i < level && rc == 0; i++) {
		if (w[i].failed) {
			*cause = xasprintf("till %d: %s", i, w[i].err);
			rc = QUAN_ENET;
		}
		for (k = 0; k < per; k++)
			all[n++] = w[i].us[k];
	}
	(void)hub_exec(admin, "TRUNCATE claims", NULL);
	hub_close(admin);
	if (rc == 0) {
		qsort(all, (size_t)n, sizeof *all, cmp_u64);
		out->tills = level;
		out->claims = n;
		out->p50_us = all[n / 2];
		out->p99_us = all[n * 99 / 100];
		out->max_us = all[n - 1];
		out->per_s = wall > 0 ? (uint64_t)n * 1000000u / wall : 0;
	}
	free(w);
	free(all);
	return rc;
}

/* 10 lanes a store, one day; 1 in 20 rejected, 1 in 20 accepted
 * offline, 1 in 20 returned (its sale voided), the rest confirmed; a
 * sale per redemption, paid once: 1 in 4 cash, 1 in 20 other, the rest
 * WeChat Pay with 1 in 10 carrying a voucher. */
static int
chain_fill(struct hub *hq, long rows, int stores, int64_t day, char **cause)
{
	char sql[2400];
	int rc, from = 0;

	if ((rc = hub_hq_init(hq, &from, cause)) != 0)
		return rc;
	/* rows in bulk: the hourly sums are built once after, as the
	 * triggers would have built them row by row */
	if ((rc = hub_exec(hq, "TRUNCATE redemptions, conflicts, lane_hours,"
	    " sales, sale_hours, payments, pay_hours, journal_heads;"
	    "ALTER TABLE redemptions DISABLE TRIGGER quan_lane_hours;"
	    "ALTER TABLE sales DISABLE TRIGGER quan_sale_hours;"
	    "ALTER TABLE payments DISABLE TRIGGER quan_pay_hours",
	    cause)) != 0)
		return rc;
#define STORE " 'S' || lpad((g %% %d)::text, 5, '0')"
#define LANE " 'T' || lpad(((g / %d) %% 10)::text, 2, '0')"
	snprintf(sql, sizeof sql,
	    "INSERT INTO redemptions SELECT" STORE ","
	    LANE " || 'U' || g," LANE ", g, 'C' || g,"
	    " 'merchant', CASE g %% 20 WHEN 0 THEN 'rejected'"
	    " WHEN 1 THEN 'accepted_offline' WHEN 2 THEN 'returned'"
	    " ELSE 'confirmed' END, CASE g %% 20 WHEN 0 THEN 'expired'"
	    " WHEN 2 THEN 'voided' ELSE 'ok' END,"
	    " CASE g %% 20 WHEN 0 THEN 0 ELSE 500 END,"
	    " CASE g %% 20 WHEN 1 THEN %" PRId64 " + g %% 86400 ELSE 0 END,"
	    " %" PRId64 " + g %% 86400, %" PRId64 " + g %% 86400"
	    " FROM generate_series(1, %ld) g", stores, stores, stores,
	    day, day, day, rows);
	if ((rc = hub_exec(hq, sql, cause)) != 0)
		return rc;
	snprintf(sql, sizeof sql,
	    "INSERT INTO sales SELECT" STORE "," LANE ", g,"
	    " CASE g %% 20 WHEN 2 THEN 'voided' ELSE 'closed' END, '1001',"
	    " 10000, CASE g %% 20 WHEN 0 THEN 0 ELSE 500 END,"
	    " CASE g %% 20 WHEN 0 THEN 10000 ELSE 9500 END,"
	    " %" PRId64 " + g %% 86400, %" PRId64 " + g %% 86400,"
	    " CASE g %% 20 WHEN 2 THEN %" PRId64 " + g %% 86400 ELSE 0 END,"
	    " CASE g %% 20 WHEN 2 THEN '9001' ELSE '' END"
	    " FROM generate_series(1, %ld) g", stores, stores, day, day, day,
	    rows);
	if ((rc = hub_exec(hq, sql, cause)) != 0)
		return rc;
	snprintf(sql, sizeof sql,
	    "INSERT INTO payments SELECT" STORE "," LANE ","
	    LANE " || 'P' || g, g,"
	    " CASE WHEN g %% 4 = 0 THEN 'cash' WHEN g %% 20 = 1 THEN 'other'"
	    " ELSE 'wechat' END, CASE g %% 20 WHEN 2 THEN 'reversed'"
	    " ELSE 'paid' END, 9500,"
	    " CASE g %% 10 WHEN 3 THEN 9000 ELSE 9500 END,"
	    " CASE g %% 10 WHEN 3 THEN 500 ELSE 0 END,"
	    " CASE g %% 10 WHEN 3 THEN 1 ELSE 0 END,"
	    " %" PRId64 " + g %% 86400, %" PRId64 " + g %% 86400"
	    " FROM generate_series(1, %ld) g", stores, stores, stores, day,
	    day, rows);
#undef STORE
#undef LANE
	if ((rc = hub_exec(hq, sql, cause)) != 0)
		return rc;
	if ((rc = hub_exec(hq, "INSERT INTO lane_hours SELECT store_id,"
	    " terminal, created_at / 3600, state, reason, count(*),"
	    " sum(discount_fen), count(*) FILTER (WHERE offline_at > 0)"
	    " FROM redemptions GROUP BY 1, 2, 3, 4, 5;"
	    "INSERT INTO sale_hours SELECT store_id, terminal,"
	    " opened_at / 3600, 'opened', count(*), sum(amount_fen)"
	    " FROM sales GROUP BY 1, 2, 3;"
	    "INSERT INTO sale_hours SELECT store_id, terminal,"
	    " voided_at / 3600, 'voided', count(*), sum(discount_fen)"
	    " FROM sales WHERE voided_at > 0 GROUP BY 1, 2, 3;"
	    "INSERT INTO pay_hours SELECT store_id, terminal,"
	    " created_at / 3600, tender, state, count(*), sum(amount_fen),"
	    " sum(payer_fen), sum(voucher_fen), sum(voucher_lines)"
	    " FROM payments GROUP BY 1, 2, 3, 4, 5;"
	    "ALTER TABLE redemptions ENABLE ALWAYS TRIGGER quan_lane_hours;"
	    "ALTER TABLE sales ENABLE ALWAYS TRIGGER quan_sale_hours;"
	    "ALTER TABLE payments ENABLE ALWAYS TRIGGER quan_pay_hours",
	    cause)) != 0)
		return rc;
	return hub_exec(hq, "VACUUM ANALYZE redemptions, lane_hours, sales,"
	    " sale_hours, payments, pay_hours", cause);
}

int
hub_bench_chain(const char *hq_dsn, long rows, int stores, int64_t day,
    struct hub_bench_chain *out, char **cause)
{
	struct hub *hq = NULL;
	struct chain_report r;
	uint64_t t0, t, best = 0;
	int i, rc;

	memset(out, 0, sizeof *out);
	if ((rc = hub_open(hq_dsn, 5, 0, &hq, cause)) != 0)
		return rc;
	if ((rc = hub_exec(hq, "SET statement_timeout = 0", cause)) != 0)
		goto out;
	t0 = now_us();
	if ((rc = chain_fill(hq, rows, stores, day, cause)) != 0)
		goto out;
	out->generate_ms = (now_us() - t0) / 1000;
	out->sales = out->payments = rows;
	for (i = 0; i < 3; i++) {
		t0 = now_us();
		if ((rc = hub_chain_report(hq, day, day + 86400, &r,
		    cause)) != 0)
			goto out;
		t = now_us() - t0;
		if (best == 0 || t < best)
			best = t;
		out->rows = r.rows;
		out->lanes = r.nlanes;
		hub_chain_free(&r);
	}
	out->report_ms = best / 1000;
out:
	hub_close(hq);
	return rc;
}
