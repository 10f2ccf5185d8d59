/* test_util.c — money parsing, RFC 3339, capped buffers. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "util/buf.h"
#include "util/err.h"
#include "util/log.h"
#include "util/money.h"
#include "util/tm.h"

static void
test_money_parse(void **state)
{
	static const struct {
		const char *in;
		int rc;
		int64_t fen;
	} cases[] = {
		{"0", 0, 0}, {"12", 0, 1200}, {"12.3", 0, 1230},
		{"12.34", 0, 1234}, {"0.05", 0, 5}, {"0.5", 0, 50},
		{"1000000000", 0, 100000000000}, {"1000000000.01", -1, 0},
		{"12.345", -1, 0}, {"12.", -1, 0}, {".5", -1, 0},
		{"-1", -1, 0}, {"+1", -1, 0}, {" 1", -1, 0}, {"1 ", -1, 0},
		{"1e3", -1, 0}, {"", -1, 0}, {"abc", -1, 0},
		{"99999999999999999999999", -1, 0}, {"1,00", -1, 0},
	};
	size_t i;
	int64_t fen;

	(void)state;
	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		fen = -7;
		int rc = money_parse_yuan(cases[i].in, &fen);
		if (cases[i].rc == 0) {
			assert_int_equal(rc, QUAN_OK);
			assert_int_equal(fen, cases[i].fen);
		} else {
			assert_int_equal(rc, QUAN_EINVAL);
		}
	}
}

static void
test_money_format(void **state)
{
	char out[32];

	(void)state;
	assert_string_equal(money_format(0, out, sizeof out), "0.00");
	assert_string_equal(money_format(5, out, sizeof out), "0.05");
	assert_string_equal(money_format(123456, out, sizeof out), "1234.56");
	assert_string_equal(money_format(-150, out, sizeof out), "-1.50");
}

static void
test_rfc3339(void **state)
{
	char out[40];
	int64_t t;

	(void)state;
	assert_int_equal(tm_set_zone("Asia/Shanghai"), QUAN_OK);
	assert_int_equal(tm_parse_rfc3339("2015-05-20T13:29:35+08:00", &t), 0);
	assert_int_equal(t, 1432099775);
	assert_string_equal(tm_rfc3339(t, out, sizeof out),
		"2015-05-20T13:29:35+08:00");
	assert_int_equal(tm_parse_rfc3339("2015-05-20T05:29:35Z", &t), 0);
	assert_int_equal(t, 1432099775);
	assert_int_equal(tm_parse_rfc3339("2015-05-20T05:29:35.123Z", &t), 0);
	assert_int_equal(t, 1432099775);
	assert_int_equal(tm_parse_rfc3339("2015-05-20T13:29:35.+08:00", &t),
		QUAN_EINVAL);
	assert_int_equal(tm_parse_rfc3339("2015-13-20T13:29:35+08:00", &t),
		QUAN_EINVAL);
	assert_int_equal(tm_parse_rfc3339("2015-05-20 13:29:35+08:00", &t),
		QUAN_EINVAL);
	assert_int_equal(tm_parse_rfc3339("2015-05-20T13:29:35+8:00", &t),
		QUAN_EINVAL);
	assert_int_equal(tm_set_zone("-05:00"), QUAN_OK);
	assert_string_equal(tm_rfc3339(1432099775, out, sizeof out),
		"2015-05-20T00:29:35-05:00");
	assert_int_equal(tm_set_zone("../etc/passwd"), QUAN_ECONFIG);
	assert_int_equal(tm_set_zone("Mars/Olympus"), QUAN_ECONFIG);
}

static void
test_buf_cap(void **state)
{
	struct buf b;

	(void)state;
	buf_init(&b, 8);
	assert_int_equal(buf_adds(&b, "12345"), QUAN_OK);
	assert_int_equal(buf_adds(&b, "6789"), QUAN_ETOOBIG);
	assert_string_equal(buf_str(&b), "12345");
	assert_int_equal(buf_printf(&b, "%d", 678), QUAN_OK);
	assert_string_equal(buf_str(&b), "12345678");
	assert_int_equal(buf_adds(&b, "x"), QUAN_ETOOBIG);
	buf_free(&b);
	assert_string_equal(buf_str(&b), "");
}

static void
test_log_mask(void **state)
{
	char out[64];

	(void)state;
	assert_string_equal(log_mask("1227944959000000911017", out, sizeof out),
		"1227****************17");
	assert_string_equal(log_mask("abc", out, sizeof out), "abc");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_money_parse),
		cmocka_unit_test(test_money_format),
		cmocka_unit_test(test_rfc3339),
		cmocka_unit_test(test_buf_cap),
		cmocka_unit_test(test_log_mask),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
