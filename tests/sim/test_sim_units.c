/*
 * test_sim_units.c — unit tests for the simulator's pure parts: the fault
 * spec grammar and its deterministic draws, percent-decoding and query
 * lookup of httpd, the simdb runner, coupon validity windows and the
 * +08:00 RFC 3339 formatter.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "net/httpd.h"
#include "sim/sim_int.h"
#include "store/simdb.h"
#include "util/err.h"
#include "util/tm.h"

static void
test_faults_parse(void **state)
{
	struct sim_faults f;
	char *cause = NULL;

	(void)state;
	assert_int_equal(sim_faults_parse("latency=20-200,5xx=0.05,drop=1%,"
		"badsig=1,signtest=0.5%,skew=-600,429=2/10,trunc=0,"
		"only=/v3/marketing", &f, &cause), 0);
	assert_int_equal(f.lat_min_ms, 20);
	assert_int_equal(f.lat_max_ms, 200);
	assert_int_equal(f.p5xx, 50000);
	assert_int_equal(f.pdrop, 10000);
	assert_int_equal(f.pbadsig, 1000000);
	assert_int_equal(f.psigntest, 5000);
	assert_int_equal(f.skew_s, -600);
	assert_int_equal(f.burst_n, 2);
	assert_int_equal(f.burst_every, 10);
	assert_int_equal(f.ptrunc, 0);
	assert_string_equal(f.only, "/v3/marketing");
	assert_int_equal(sim_faults_parse("latency=30", &f, &cause), 0);
	assert_int_equal(f.lat_min_ms, 30);
	assert_int_equal(f.lat_max_ms, 30);

	static const char *const bad[] = {"nonsense=1", "5xx=2", "5xx=-1",
		"5xx=", "drop=abc", "latency=200-20", "latency=x", "429=5/2",
		"429=1/0", "429=1", "skew=1e9", "only=relative", "5xx", "",
		"5xx=101%", NULL};
	for (const char *const *b = bad; *b; b++) {
		cause = NULL;
		if (**b == '\0')
			continue; /* the empty spec means "no faults" */
		assert_int_equal(sim_faults_parse(*b, &f, &cause),
			QUAN_EINVAL);
		assert_non_null(cause);
		free(cause);
	}
}

static void
test_draw(void **state)
{
	unsigned hits = 0, i;

	(void)state;
	assert_int_equal(sim_draw(7, 1, 1), sim_draw(7, 1, 1));
	assert_int_not_equal(sim_draw(7, 1, 1), sim_draw(8, 1, 1));
	for (i = 0; i < 20000; i++) {
		uint32_t d = sim_draw(42, i, 1);

		assert_true(d < 1000000);
		if (d < 500000)
			hits++;
	}
	assert_true(hits > 9500 && hits < 10500);
}

static void
test_pct(void **state)
{
	char *s;

	(void)state;
	s = httpd_pct_decode("%2e%2E", 6);
	assert_string_equal(s, "..");
	free(s);
	s = httpd_pct_decode("a%2Fb+c", 7);
	assert_string_equal(s, "a/b+c");
	free(s);
	assert_null(httpd_pct_decode("%zz", 3));
	assert_null(httpd_pct_decode("%00", 3));
	assert_null(httpd_pct_decode("a%2", 3));
	assert_null(httpd_pct_decode("a%", 2));
	s = httpd_query_get("a=1&b=x%20y&c&d=+", "b");
	assert_string_equal(s, "x y");
	free(s);
	s = httpd_query_get("a=1&b=x%20y&c&d=+", "c");
	assert_string_equal(s, "");
	free(s);
	s = httpd_query_get("a=1&b=x%20y&c&d=+", "d");
	assert_string_equal(s, "+");
	free(s);
	assert_null(httpd_query_get("a=1&ab=2", "b"));
	assert_null(httpd_query_get("", "a"));
}

static void
test_simdb(void **state)
{
	char path[] = "/tmp/quan-simdb-XXXXXX";
	int fd = mkstemp(path);
	struct simdb *db = NULL;
	char *cause = NULL;
	json_t *p, *rows = NULL, *r;
	static const char ins[] =
		"INSERT INTO meta(k, v) VALUES (?1, ?2)";
	static const char sel[] = "SELECT k, v FROM meta ORDER BY k";

	(void)state;
	assert_true(fd >= 0);
	close(fd);
	assert_int_equal(sim_db_open(path, &db, &cause), 0);
	p = json_pack("[ss]", "a", "1");
	assert_int_equal(simdb_run(db, ins, p, NULL), 0);
	assert_int_equal(simdb_changes(db), 1);
	assert_int_equal(simdb_run(db, ins, p, NULL), QUAN_EEXIST);
	json_decref(p);
	p = json_pack("[si]", "b", 2);
	assert_int_equal(simdb_run(db, ins, p, NULL), 0);
	json_decref(p);
	assert_int_equal(simdb_run(db, sel, NULL, &rows), 0);
	assert_int_equal(json_array_size(rows), 2);
	assert_string_equal(json_string_value(json_object_get(
		json_array_get(rows, 0), "v")), "1");
	json_decref(rows);
	r = simdb_row(db, "SELECT v FROM meta WHERE k = 'zz'", NULL);
	assert_null(r);
	assert_int_equal(simdb_begin(db), 0);
	p = json_pack("[ss]", "c", "3");
	simdb_run(db, ins, p, NULL);
	json_decref(p);
	simdb_rollback(db);
	r = simdb_row(db, "SELECT count(*) AS n FROM meta", NULL);
	assert_int_equal(json_integer_value(json_object_get(r, "n")), 2);
	json_decref(r);
	assert_int_equal(simdb_run(db, "SELECT nonsense FROM", NULL, NULL),
		QUAN_EIO);
	simdb_close(db);
	unlink(path);
}

static void
test_window(void **state)
{
	json_t *stock = json_pack("{s:{s:{s:s,s:s}}}", "coupon_use_rule",
		"coupon_available_time", "available_begin_time",
		"2026-01-01T00:00:00+08:00", "available_end_time",
		"2026-12-31T23:59:59+08:00");
	json_t *cat = json_object_get(json_object_get(stock,
		"coupon_use_rule"), "coupon_available_time");
	int64_t begin, end, start, expire, recv;
	char t[40];

	(void)state;
	assert_int_equal(tm_parse_rfc3339("2026-01-01T00:00:00+08:00",
		&begin), 0);
	assert_int_equal(tm_parse_rfc3339("2026-12-31T23:59:59+08:00", &end),
		0);
	/* received before the stock starts: usable from its begin */
	sim_coupon_window(stock, begin - 100, &start, &expire);
	assert_int_equal(start, begin);
	assert_int_equal(expire, end);
	/* received in June 12:00 +08:00: 3 days, starting after 2 days */
	assert_int_equal(tm_parse_rfc3339("2026-06-10T12:00:00+08:00", &recv),
		0);
	json_object_set_new(cat, "available_day_after_receive",
		json_integer(3));
	json_object_set_new(cat, "wait_days_after_receive", json_integer(2));
	sim_coupon_window(stock, recv, &start, &expire);
	assert_string_equal(sim_rfc3339(start, t, sizeof t),
		"2026-06-12T00:00:00+08:00");
	assert_string_equal(sim_rfc3339(expire, t, sizeof t),
		"2026-06-14T23:59:59+08:00");
	json_decref(stock);
	assert_string_equal(sim_rfc3339(0, t, sizeof t),
		"1970-01-01T08:00:00+08:00");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_faults_parse),
		cmocka_unit_test(test_draw),
		cmocka_unit_test(test_pct),
		cmocka_unit_test(test_simdb),
		cmocka_unit_test(test_window),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
