/*
 * bench_lookup.c — `quan bench lookup`'s measurements (bench_lookup.h).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "core/bench_lookup.h"
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

static uint64_t
tv_ns(const struct timeval *tv)
{
	return (uint64_t)tv->tv_sec * 1000000000u +
	    (uint64_t)tv->tv_usec * 1000u;
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

/* A config with the bench's one target: stock 9001, "QB" + 14 digits. */
static struct config *
bench_config(void)
{
	struct config *cfg = NULL;

	config_defaults(&cfg);
	cfg->targets = xcalloc(1, sizeof *cfg->targets);
	cfg->ntargets = 1;
	cfg->targets[0].kind = CONFIG_STOCK;
	snprintf(cfg->targets[0].id, sizeof cfg->targets[0].id, "9001");
	snprintf(cfg->targets[0].prefix, sizeof cfg->targets[0].prefix, "QB");
	cfg->targets[0].min_len = cfg->targets[0].max_len = 16;
	cfg->targets[0].charset = CONFIG_CHARSET_ALNUM;
	cfg->targets[0].per_txn = 1;
	return cfg;
}

/* The input file (not timed). */
static int
write_codes(const char *csv, int64_t ncodes)
{
	char code[32];
	int64_t i;
	FILE *fp;

	if ((fp = fopen(csv, "w")) == NULL)
		return -1;
	for (i = 0; i < ncodes; i++) {
		bench_code(i, code, sizeof code);
		fprintf(fp, "%s,merchant,9001\n", code);
	}
	return fclose(fp) != 0 ? -1 : 0;
}

static int
put_stock(struct store *st, char **cause)
{
	struct store_def def;

	memset(&def, 0, sizeof def);
	snprintf(def.id, sizeof def.id, "9001");
	def.raw = bench_stock;
	snprintf(def.type, sizeof def.type, "NORMAL");
	snprintf(def.state, sizeof def.state, "RUNNING");
	def.fetched_at = tm_now();
	if (store_stock_put(st, &def) != 0) {
		*cause = xstrdup(store_errmsg(st));
		return -1;
	}
	return 0;
}

/* Import, timed: the same path as `quan import codes`. */
static int
timed_import(struct store *st, const char *csv, struct bench_lookup_fig *f,
    char **cause)
{
	struct rusage ru, ru0;
	uint64_t t0, t1;
	FILE *fp;
	int rc;

	if ((fp = fopen(csv, "r")) == NULL) {
		*cause = xasprintf("%s: %s", csv, strerror(errno));
		return -1;
	}
	getrusage(RUSAGE_SELF, &ru0);
	t0 = now_ns();
	rc = import_codes(st, fp, csv, tm_now(), &f->codes, NULL, cause);
	t1 = now_ns();
	getrusage(RUSAGE_SELF, &ru);
	fclose(fp);
	f->import_cpu_ns = tv_ns(&ru.ru_utime) + tv_ns(&ru.ru_stime) -
	    tv_ns(&ru0.ru_utime) - tv_ns(&ru0.ru_stime);
	f->import_ns = t1 - t0;
	return rc != 0 ? -1 : 0;
}

/* Scan -> verdict, timed one by one. */
static int
timed_lookups(struct checkout *co, int64_t ncodes, int64_t nlook,
    struct bench_lookup_fig *f, char **cause)
{
	uint64_t *lat = xcalloc((size_t)nlook, sizeof *lat), t0, t1;
	char code[32];
	int64_t i;
	int rc;

	srand(42);
	for (i = 0; i < nlook; i++) {
		int64_t k = ((int64_t)rand() << 16 ^ rand()) % ncodes;

		if (i % 10 == 9)
			snprintf(code, sizeof code, "QB9%013lld",
			    (long long)(rand() % 1000000)); /* mostly misses */
		else
			bench_code(k, code, sizeof code);
		t0 = now_ns();
		rc = checkout_add(co, code, strlen(code), -1, NULL);
		t1 = now_ns();
		if (rc != 0) {
			*cause = xasprintf("checkout_add: %s",
			    quan_strerror(rc));
			free(lat);
			return -1;
		}
		lat[i] = t1 - t0;
		if (checkout_current(co)->lines[0].state == CHECKOUT_PRICED)
			f->priced++;
		checkout_remove(co, 0);
	}
	qsort(lat, (size_t)nlook, sizeof *lat, cmp_u64);
	f->lookups = nlook;
	f->p50_ns = lat[nlook / 2];
	f->p99_ns = lat[nlook * 99 / 100];
	f->max_ns = lat[nlook - 1];
	free(lat);
	return 0;
}

int
bench_lookup_run(const char *dir, int64_t ncodes, int64_t nlookups,
    struct bench_lookup_fig *f, char **cause)
{
	char *db = xasprintf("%s/quan.db", dir);
	char *csv = xasprintf("%s/codes.csv", dir);
	struct config *cfg = bench_config();
	struct store *st = NULL;
	struct checkout *co = NULL;
	struct checkout_opts o;
	struct rusage ru;
	uint64_t t0;
	int rc = -1;

	memset(f, 0, sizeof *f);
	*cause = NULL;
	tm_set_zone("Asia/Shanghai");
	if (write_codes(csv, ncodes) != 0) {
		*cause = xasprintf("%s: %s", csv, strerror(errno));
		goto out;
	}
	if (store_open(db, 0, &st, cause) != 0 || put_stock(st, cause) != 0 ||
	    timed_import(st, csv, f, cause) != 0)
		goto out;
	unlink(csv);
	store_size(st, &f->db_bytes);
	/* what the start-up / periodic check (PRAGMA quick_check) costs
	 * at this size, page cache warm from the import */
	t0 = now_ns();
	if (store_quick_check(st) != 0) {
		*cause = xstrdup(store_errmsg(st));
		goto out;
	}
	f->quick_check_ns = now_ns() - t0;
	memset(&o, 0, sizeof o);
	o.cfg = cfg;
	o.st = st;
	if (checkout_new(&o, &co, cause) != 0)
		goto out;
	if (checkout_open(co, 12000) != 0) {
		*cause = xstrdup("cannot open a sale");
		goto out;
	}
	if (timed_lookups(co, ncodes, nlookups, f, cause) != 0)
		goto out;
	getrusage(RUSAGE_SELF, &ru);
	f->peak_rss_kb = ru.ru_maxrss;
	f->file_bytes = file_size(db);
	rc = 0;
out:
	checkout_free(co);
	store_close(st);
	config_free(cfg);
	free(db);
	free(csv);
	return rc;
}

void
bench_lookup_clean(const char *dir)
{
	static const char *const files[] = {
		"quan.db", "quan.db-wal", "quan.db-shm", "codes.csv"
	};
	size_t i;

	for (i = 0; i < sizeof files / sizeof files[0]; i++) {
		char *p = xasprintf("%s/%s", dir, files[i]);

		unlink(p);
		free(p);
	}
	rmdir(dir);
}
