/*
 * cmd_bench_lookup.c — `quan bench lookup`: parse, make the data dir,
 * print what app/core/bench_lookup.h measured (import rate, database
 * size, scan -> verdict p50/p99/max, peak RSS).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "cli/bench.h"
#include "cli/cmd.h"
#include "core/bench_lookup.h"

static void
print_fig(const struct bench_lookup_fig *f, int json)
{
	double import_s = (double)f->import_ns / 1e9;
	double import_cpu_s = (double)f->import_cpu_ns / 1e9;
	double check_s = (double)f->quick_check_ns / 1e9;
	double p50 = (double)f->p50_ns / 1000.0;
	double p99 = (double)f->p99_ns / 1000.0;
	double mx = (double)f->max_ns / 1000.0;
	double per_cpu = import_cpu_s > 0 ? (double)f->codes / import_cpu_s : 0;
	double rate = import_s > 0 ? (double)f->codes / import_s : 0;

	if (json) {
		json_t *j = json_pack("{s:I, s:f, s:I, s:f, s:I, s:I, s:f, "
		    "s:I, s:I, s:f, s:f, s:f, s:I}", "codes",
		    (json_int_t)f->codes, "import_s", import_s,
		    "import_codes_per_s", (json_int_t)rate,
		    "import_cpu_s", import_cpu_s, "import_codes_per_cpu_s",
		    (json_int_t)per_cpu, "db_bytes", (json_int_t)f->db_bytes,
		    "quick_check_s", check_s,
		    "lookups", (json_int_t)f->lookups, "priced",
		    (json_int_t)f->priced, "p50_us", p50, "p99_us", p99,
		    "max_us", mx, "peak_rss_kb",
		    (json_int_t)f->peak_rss_kb);
		char *s = json_dumps(j, JSON_COMPACT | JSON_PRESERVE_ORDER |
		    JSON_REAL_PRECISION(6));

		printf("%s\n", s);
		free(s);
		json_decref(j);
		return;
	}
	printf("codes           %lld\n", (long long)f->codes);
	printf("import          %.2f s, %.0f codes/s (CPU %.2f s, %.0f codes "
	    "per CPU s)\n", import_s, rate, import_cpu_s, per_cpu);
	printf("database        %lld bytes (file %lld)\n",
	    (long long)f->db_bytes, (long long)f->file_bytes);
	printf("quick_check     %.3f s (start-up and periodic check)\n",
	    check_s);
	printf("scan->verdict   %lld scans (%lld priced): p50 %.1f us, p99 "
	    "%.1f us, max %.1f us\n", (long long)f->lookups,
	    (long long)f->priced, p50, p99, mx);
	printf("peak RSS        %ld KB\n", f->peak_rss_kb);
}

int
bench_lookup(int argc, char **argv)
{
	int64_t ncodes = 1000000, nlook = 100000;
	int i, json = 0, keep = 0, rc;
	char dir[256], *cause = NULL;
	const char *tmp = getenv("TMPDIR");
	struct bench_lookup_fig f;

	for (i = 1; i < argc; i++) {
		char *end = NULL;

		if (strcmp(argv[i], "--json") == 0)
			json = 1;
		else if (strcmp(argv[i], "--keep") == 0)
			keep = 1;
		else if ((strcmp(argv[i], "--codes") == 0 ||
		    strcmp(argv[i], "--lookups") == 0) && i + 1 < argc) {
			long long v = strtoll(argv[i + 1], &end, 10);

			if (*end != '\0' || v < 1 || v > 100000000) {
				fprintf(stderr, "quan bench lookup: bad %s\n",
				    argv[i]);
				return EXIT_USAGE;
			}
			if (argv[i][2] == 'c')
				ncodes = v;
			else
				nlook = v;
			i++;
		} else {
			fprintf(stderr, "usage: quan bench lookup [--codes N] "
			    "[--lookups M] [--json] [--keep]\n");
			return EXIT_USAGE;
		}
	}
	snprintf(dir, sizeof dir, "%s/quan-bench-XXXXXX",
	    tmp != NULL && *tmp != '\0' ? tmp : "/tmp");
	if (mkdtemp(dir) == NULL) {
		fprintf(stderr, "quan bench lookup: %s: %s\n", dir,
		    strerror(errno));
		return EXIT_FAIL;
	}
	if (bench_lookup_run(dir, ncodes, nlook, &f, &cause) != 0) {
		fprintf(stderr, "quan bench lookup: %s\n", cause != NULL ?
		    cause : "failed");
		free(cause);
		rc = EXIT_FAIL;
	} else {
		print_fig(&f, json);
		rc = EXIT_OK;
	}
	if (keep)
		fprintf(stderr, "kept %s\n", dir);
	else
		bench_lookup_clean(dir);
	return rc;
}
