/*
 * cmd_hub_bench.c — `quan bench hub` (bench.h): the store hub's figures
 * (app/hub/hub_bench.h) for 1, 8 and 32 tills claiming at once, and the
 * chain report over a generated day, printed as text or JSON.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/bench.h"
#include "cli/cli_common.h"
#include "cli/cmd.h"
#include "hub/hub_bench.h"
#include "util/err.h"
#include "util/xmem.h"

static void
print_claims(const struct hub_bench_claims *c, int json, int first)
{
	if (json)
		printf("%s{\"tills\":%d,\"claims\":%d,\"p50_us\":%" PRIu64
		    ",\"p99_us\":%" PRIu64 ",\"max_us\":%" PRIu64
		    ",\"per_s\":%" PRIu64 "}", first ? "" : ",", c->tills,
		    c->claims, c->p50_us, c->p99_us, c->max_us, c->per_s);
	else
		printf("claims, %2d tills at once: %6d claims, p50 %.2f ms, "
		    "p99 %.2f ms, max %.2f ms, %" PRIu64 " claims/s\n",
		    c->tills, c->claims, c->p50_us / 1000.0,
		    c->p99_us / 1000.0, c->max_us / 1000.0, c->per_s);
}

int
bench_hub(int argc, char **argv)
{
	const char *dsn = NULL, *hq_dsn = NULL;
	int claims = 4000, stores = 1000, json = 0, i, rc = 0;
	static const int levels[] = {1, 8, 32};
	long rows = 10000000;
	struct hub_bench_claims c;
	struct hub_bench_chain ch;
	char *cause = NULL;
	int64_t day = 1796572800; /* 2026-12-07 00:00 +08:00 */

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
	if (json)
		printf("{\"claims\":[");
	for (i = 0; rc == 0 && i < 3; i++)
		if ((rc = hub_bench_claims(dsn, levels[i], claims / levels[i],
		    &c, &cause)) == 0)
			print_claims(&c, json, i == 0);
	if (json)
		printf("]");
	if (rc == 0 && hq_dsn != NULL &&
	    (rc = hub_bench_chain(hq_dsn, rows, stores, day, &ch,
	    &cause)) == 0) {
		if (json)
			printf(",\"chain\":{\"rows\":%" PRId64 ",\"sales\":%"
			    PRId64 ",\"payments\":%" PRId64 ",\"stores\":%d,"
			    "\"lanes\":%zu,\"generate_ms\":%" PRIu64
			    ",\"report_ms\":%" PRIu64 "}", ch.rows, ch.sales,
			    ch.payments, stores, ch.lanes, ch.generate_ms,
			    ch.report_ms);
		else
			printf("chain report: %" PRId64 " redemptions, %"
			    PRId64 " sales, %" PRId64 " payments, %d stores,"
			    " %zu lanes: %" PRIu64 " ms (best of 3; "
			    "generated in %.1f s)\n", ch.rows, ch.sales,
			    ch.payments, stores, ch.lanes, ch.report_ms,
			    ch.generate_ms / 1000.0);
	}
	if (json)
		printf("}\n");
	if (rc != 0) {
		fprintf(stderr, "quan bench hub: %s\n", cause != NULL ?
		    cause : quan_strerror(rc));
		free(cause);
		return EXIT_FAIL;
	}
	return EXIT_OK;
}
