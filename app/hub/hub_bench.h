/*
 * hub_bench.h — the store hub's figures for `quan bench hub` (the CLI
 * parses and prints):
 *   claims  `tills` threads, a connection each, claim distinct codes at
 *           once; every claim (one statement, one round trip) timed
 *   chain   redemptions, sales and payments of `stores` stores (10 lanes
 *           each) for one day generated at headquarters with
 *           generate_series, the hourly sums built as the triggers would,
 *           then hub_chain_report timed (best of 3)
 * Both databases must be scratch ones: the bench empties their tables.
 */
#ifndef QUAN_HUB_BENCH_H
#define QUAN_HUB_BENCH_H

#include <stddef.h>
#include <stdint.h>

struct hub_bench_claims {
	int tills, claims;
	uint64_t p50_us, p99_us, max_us;
	uint64_t per_s;           /* claims per second, all tills */
};
/* Create/migrate the hub schema at dsn, empty its claims, run one level.
 * 0 or QUAN_E* with *cause. */
int hub_bench_claims(const char *dsn, int tills, int per_till,
    struct hub_bench_claims *out, char **cause);

struct hub_bench_chain {
	int64_t rows;             /* redemptions the report counted */
	int64_t sales, payments;  /* rows generated */
	size_t lanes;
	uint64_t generate_ms, report_ms;
};
/* rows redemptions and as many sales, each paid once, on day [day,
 * day + 86400). 0 or QUAN_E* with *cause. */
int hub_bench_chain(const char *hq_dsn, long rows, int stores, int64_t day,
    struct hub_bench_chain *out, char **cause);

#endif
