/*
 * cmd_core_bench.c — `quan bench lookup`: builds a code cache of N codes in
 * a temporary data dir through the real import path, then measures the
 * scan -> verdict path (classify + cache lookup + pricing, i.e.
 * checkout_add) over many random scans. Reports import rate, database
 * size, latency p50/p99/max and peak RSS.
 */
#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cli/bench.h"
#include "cli/cmd.h"
#include "core/checkout.h"
#include "core/import.h"
#include "store/store.h"
#include "util/config.h"
#include "util/err.h"
#include "util/tm.h"
#include "util/xmem.h"

/* A NORMAL stock as GET /v3/marketing/busifavor/stocks/{id} returns it. */
static const char bench_stock[] =
    "{\"stock_name\":\"bench 10 off 100\",\"belong_merchant\":\"1900000001\","
    "\"goods_name\":\"all\",\"stock_type\":\"NORMAL\",\"coupon_use_rule\":{"
    "\"coupon_available_time\":{\"available_begin_time\":"
    "\"2020-01-01T00:00:00+08:00\",\"available_end_time\":"
    "\"2099-12-31T23:59:59+08:00\"},\"fixed_normal_coupon\":{"
    "\"discount_amount\":1000,\"transaction_minimum\":10000},"
    "\"use_method\":\"OFF_LINE\"},\"stock_send_rule\":{\"max_coupons\":"
    "100000000,\"max_coupons_per_user\":1},\"coupon_code_mode\":"
    "\"MERCHANT_UPLOAD\",\"stock_state\":\"RUNNING\",\"stock_id\":\"9001\"}";

static uint64_t
now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* Code i: a bijection of i onto 14 digits, so the file is in random
 * order like a real upload. */
static void
bench_code(int64_t i, char *out, size_t n)
{
	uint64_t v = ((uint64_t)i * 2654435761u + 12345) % 100000000000000u;

	snprintf(out, n, "QB%014llu", (unsigned long long)v);
}

static double
tv_s(const struct timeval *tv)
{
	return (double)tv->tv_sec + (double)tv->tv_usec / 1e6;
}

static int
cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

static int64_t
file_size(const char *p)
{
	struct stat st;

	return stat(p, &st) == 0 ? (int64_t)st.st_size : 0;
}

int
bench_lookup(int argc, char **argv)
{
	int64_t ncodes = 1000000, nlook = 100000, i, n = 0;
	int json = 0, rc = EXIT_FAIL, keep = 0;
	char dir[256], *db = NULL, *csv = NULL, *cause = NULL, code[32];
	const char *tmp = getenv("TMPDIR");
	struct store *st = NULL;
	struct config *cfg = NULL;
	struct checkout *co = NULL;
	struct checkout_opts o;
	struct store_def def;
	uint64_t *lat = NULL, t0, t1;
	double import_s, rate, check_s;
	int64_t dbsize, hits = 0;
	struct rusage ru, ru0;
	double cpu_s;
	FILE *fp;

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
	db = xasprintf("%s/quan.db", dir);
	csv = xasprintf("%s/codes.csv", dir);
	tm_set_zone("Asia/Shanghai");
	config_defaults(&cfg);
	cfg->targets = xcalloc(1, sizeof *cfg->targets);
	cfg->ntargets = 1;
	cfg->targets[0].kind = CONFIG_STOCK;
	snprintf(cfg->targets[0].id, sizeof cfg->targets[0].id, "9001");
	snprintf(cfg->targets[0].prefix, sizeof cfg->targets[0].prefix, "QB");
	cfg->targets[0].min_len = cfg->targets[0].max_len = 16;
	cfg->targets[0].charset = CONFIG_CHARSET_ALNUM;
	cfg->targets[0].per_txn = 1;

	/* the input file (not timed) */
	if ((fp = fopen(csv, "w")) == NULL)
		goto io_fail;
	for (i = 0; i < ncodes; i++) {
		bench_code(i, code, sizeof code);
		fprintf(fp, "%s,merchant,9001\n", code);
	}
	if (fclose(fp) != 0)
		goto io_fail;

	if (store_open(db, 0, &st, &cause) != 0)
		goto cause_fail;
	memset(&def, 0, sizeof def);
	snprintf(def.id, sizeof def.id, "9001");
	def.raw = bench_stock;
	snprintf(def.type, sizeof def.type, "NORMAL");
	snprintf(def.state, sizeof def.state, "RUNNING");
	def.fetched_at = tm_now();
	if (store_stock_put(st, &def) != 0) {
		cause = xstrdup(store_errmsg(st));
		goto cause_fail;
	}

	/* import, timed: the same path as `quan import codes` */
	if ((fp = fopen(csv, "r")) == NULL)
		goto io_fail;
	getrusage(RUSAGE_SELF, &ru0);
	t0 = now_ns();
	rc = import_codes(st, fp, csv, tm_now(), &n, NULL, &cause);
	t1 = now_ns();
	getrusage(RUSAGE_SELF, &ru);
	cpu_s = tv_s(&ru.ru_utime) + tv_s(&ru.ru_stime) -
	    tv_s(&ru0.ru_utime) - tv_s(&ru0.ru_stime);
	fclose(fp);
	if (rc != 0)
		goto cause_fail;
	import_s = (double)(t1 - t0) / 1e9;
	rate = import_s > 0 ? (double)n / import_s : 0;
	unlink(csv);
	store_size(st, &dbsize);
	/* what the start-up / periodic check (PRAGMA quick_check) costs
	 * at this size, page cache warm from the import */
	t0 = now_ns();
	if (store_quick_check(st) != 0) {
		cause = xstrdup(store_errmsg(st));
		goto cause_fail;
	}
	check_s = (double)(now_ns() - t0) / 1e9;

	/* scan -> verdict */
	memset(&o, 0, sizeof o);
	o.cfg = cfg;
	o.st = st;
	if (checkout_new(&o, &co, &cause) != 0)
		goto cause_fail;
	if (checkout_open(co, 12000) != 0)
		goto io_fail;
	lat = xcalloc((size_t)nlook, sizeof *lat);
	srand(42);
	for (i = 0; i < nlook; i++) {
		int64_t k = ((int64_t)rand() << 16 ^ rand()) % ncodes;
		const struct checkout_txn *t;

		if (i % 10 == 9)
			snprintf(code, sizeof code, "QB9%013lld",
			    (long long)(rand() % 1000000)); /* mostly misses */
		else
			bench_code(k, code, sizeof code);
		t0 = now_ns();
		rc = checkout_add(co, code, strlen(code), -1, NULL);
		t1 = now_ns();
		if (rc != 0) {
			cause = xasprintf("checkout_add: %s",
			    quan_strerror(rc));
			goto cause_fail;
		}
		lat[i] = t1 - t0;
		t = checkout_current(co);
		if (t->lines[0].state == CHECKOUT_PRICED)
			hits++;
		checkout_remove(co, 0);
	}
	qsort(lat, (size_t)nlook, sizeof *lat, cmp_u64);
	getrusage(RUSAGE_SELF, &ru);
	{
		double p50 = (double)lat[nlook / 2] / 1000.0;
		double p99 = (double)lat[nlook * 99 / 100] / 1000.0;
		double mx = (double)lat[nlook - 1] / 1000.0;
		int64_t files = file_size(db);

		if (json) {
			json_t *j = json_pack("{s:I, s:f, s:I, s:f, s:I, s:I, "
			    "s:f, s:I, s:I, s:f, s:f, s:f, s:I}", "codes",
			    (json_int_t)n, "import_s", import_s,
			    "import_codes_per_s", (json_int_t)rate,
			    "import_cpu_s", cpu_s, "import_codes_per_cpu_s",
			    (json_int_t)(cpu_s > 0 ? (double)n / cpu_s : 0),
			    "db_bytes", (json_int_t)dbsize,
			    "quick_check_s", check_s,
			    "lookups", (json_int_t)nlook, "priced",
			    (json_int_t)hits, "p50_us", p50, "p99_us", p99,
			    "max_us", mx, "peak_rss_kb",
			    (json_int_t)ru.ru_maxrss);
			char *s = json_dumps(j, JSON_COMPACT |
			    JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(6));

			printf("%s\n", s);
			free(s);
			json_decref(j);
		} else {
			printf("codes           %lld\n", (long long)n);
			printf("import          %.2f s, %.0f codes/s (CPU %.2f "
			    "s, %.0f codes per CPU s)\n", import_s, rate, cpu_s,
			    cpu_s > 0 ? (double)n / cpu_s : 0);
			printf("database        %lld bytes (file %lld)\n",
			    (long long)dbsize, (long long)files);
			printf("quick_check     %.3f s (start-up and periodic "
			    "check)\n", check_s);
			printf("scan->verdict   %lld scans (%lld priced): "
			    "p50 %.1f us, p99 %.1f us, max %.1f us\n",
			    (long long)nlook, (long long)hits, p50, p99, mx);
			printf("peak RSS        %ld KB\n", ru.ru_maxrss);
		}
	}
	rc = EXIT_OK;
	goto out;
io_fail:
	fprintf(stderr, "quan bench lookup: %s: %s\n", dir, strerror(errno));
	rc = EXIT_FAIL;
	goto out;
cause_fail:
	fprintf(stderr, "quan bench lookup: %s\n", cause != NULL ? cause :
	    "failed");
	rc = EXIT_FAIL;
out:
	free(cause);
	free(lat);
	checkout_free(co);
	store_close(st);
	config_free(cfg);
	if (!keep) {
		char *p = xasprintf("%s-wal", db);

		unlink(p);
		free(p);
		p = xasprintf("%s-shm", db);
		unlink(p);
		free(p);
		unlink(db);
		unlink(csv);
		rmdir(dir);
	} else
		fprintf(stderr, "kept %s\n", dir);
	free(db);
	free(csv);
	return rc;
}
