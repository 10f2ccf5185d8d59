/* test_util.c — money parsing, RFC 3339, capped buffers, cleaning of
 * outside text and the log file. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "util/buf.h"
#include "util/err.h"
#include "util/log.h"
#include "util/money.h"
#include "util/str.h"
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
	/* offsets: digits only, in range */
	assert_int_equal(tm_parse_rfc3339("2015-05-20T13:29:35-05:30", &t), 0);
	assert_int_equal(t, 1432099775 + 8 * 3600 + 5 * 3600 + 1800);
	assert_int_equal(tm_parse_rfc3339("2015-05-20T05:29:35z", &t), 0);
	assert_int_equal(t, 1432099775);
	assert_int_equal(tm_parse_rfc3339("2015-05-20T13:29:35+ 8:00", &t),
		QUAN_EINVAL);
	assert_int_equal(tm_parse_rfc3339("2015-05-20T13:29:35+-8:00", &t),
		QUAN_EINVAL);
	assert_int_equal(tm_parse_rfc3339("2015-05-20T13:29:35+15:00", &t),
		QUAN_EINVAL);
	assert_int_equal(tm_parse_rfc3339("2015-05-20T13:29:35+08:00x", &t),
		QUAN_EINVAL);
	assert_int_equal(tm_parse_rfc3339("2015-05-20T13:29:35", &t),
		QUAN_EINVAL);
	/* seconds required here, optional in the _min form */
	assert_int_equal(tm_parse_rfc3339("2015-05-20T13:29+08:00", &t),
		QUAN_EINVAL);
	assert_int_equal(tm_parse_rfc3339_min("2015-05-20T13:29+08:00", &t), 0);
	assert_int_equal(t, 1432099775 - 35);
	assert_int_equal(tm_parse_rfc3339_min("2015-05-20T05:29Z", &t), 0);
	assert_int_equal(t, 1432099775 - 35);
	assert_int_equal(tm_parse_rfc3339_min("2015-05-20T13:29:35.5+08:00",
		&t), 0);
	assert_int_equal(t, 1432099775);
	assert_int_equal(tm_parse_rfc3339_min("2015-05-20T13:29.5+08:00", &t),
		QUAN_EINVAL);
	assert_int_equal(tm_parse_rfc3339_min("2015-05-20T13+08:00", &t),
		QUAN_EINVAL);
	assert_int_equal(tm_parse_rfc3339_min("2015-05-20T13:29", &t),
		QUAN_EINVAL);
	assert_int_equal(tm_parse_rfc3339_min("2015-05-20T13:2", &t),
		QUAN_EINVAL);
	assert_int_equal(tm_parse_rfc3339_min("2015-02-30T00:00+08:00", &t),
		QUAN_EINVAL);
	assert_int_equal(tm_parse_rfc3339_min("2015-05-20T24:00+08:00", &t),
		QUAN_EINVAL);
	assert_int_equal(tm_parse_rfc3339_min("", &t), QUAN_EINVAL);
	assert_int_equal(tm_parse_rfc3339_min(NULL, &t), QUAN_EINVAL);
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

/* Text from the network is kept when it is printable UTF-8 and escaped
 * otherwise: control characters (C0, DEL, C1) and invalid bytes. */
static void
test_str_clean(void **state)
{
	static const struct {
		const char *in, *out;
	} cases[] = {
		{"PUB_KEY_ID_0114", "PUB_KEY_ID_0114"},
		{"AB\377CD", "AB\\xffCD"},
		{"1\xc3", "1\\xc3"},                     /* cut sequence */
		{"\xc0\xaf", "\\xc0\\xaf"},           /* overlong '/' */
		{"\xed\xa0\x80", "\\xed\\xa0\\x80"}, /* surrogate */
		{"\xf4\x90\x80\x80", "\\xf4\\x90\\x80\\x80"},
		{"a\nforged 2026 error", "a\\nforged 2026 error"},
		{"\x1b[2J\r\t\x7f", "\\x1b[2J\\r\\t\\x7f"},
		{"\302\23331m", "\\xc2\\x9b31m"},   /* C1 CSI */
		{"\xe5\x88\xb8 \xc2\xa0\xf0\x9f\x8e\xab",
		    "\xe5\x88\xb8 \xc2\xa0\xf0\x9f\x8e\xab"},
	};
	char out[64];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		assert_string_equal(str_clean(out, sizeof out, cases[i].in,
		    strlen(cases[i].in)), cases[i].out);
		assert_true(str_is_clean(out));
		assert_int_equal(str_is_clean(cases[i].in),
		    strcmp(cases[i].in, cases[i].out) == 0);
	}
	/* truncation never cuts a character or an escape */
	assert_string_equal(str_clean(out, 4, "\xe5\x88\xb8\xe5\x88\xb8",
	    6), "\xe5\x88\xb8");
	assert_string_equal(str_clean(out, 6, "ab\x01", 3), "ab");
	assert_string_equal(str_clean(out, sizeof out, "abc", 2), "ab");
	assert_int_equal(str_utf8_len((const unsigned char *)"\xe5\x88", 2),
	    0);
}

/* The log file is created 0600 (and an existing 0644 one tightened), and
 * a message carrying a newline or an escape sequence stays one clean
 * line. */
static void
test_log_file(void **state)
{
	char path[] = "/tmp/quan-test-log-XXXXXX", line[2048];
	struct stat st;
	FILE *fp;
	int fd, n = 0;

	(void)state;
	assert_true((fd = mkstemp(path)) >= 0);
	close(fd);
	assert_int_equal(chmod(path, 0644), 0);
	assert_int_equal(log_open(path, LOG_INFO), QUAN_OK);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	log_warn("refused: %s", "x\n2026-01-01T00:00:00.000Z error fake: "
	    "\x1b]0;owned\x07\xff");
	log_close();
	assert_non_null(fp = fopen(path, "r"));
	while (fgets(line, sizeof line, fp) != NULL)
		n++;
	fclose(fp);
	assert_int_equal(n, 1);
	assert_non_null(strstr(line, "x\\n2026"));
	assert_non_null(strstr(line, "\\x1b]0;owned\\x07\\xff"));
	assert_null(strchr(line, '\x1b'));
	unlink(path);
	/* a new file */
	assert_int_equal(log_open(path, LOG_INFO), QUAN_OK);
	log_close();
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	unlink(path);
	log_set_level(LOG_WARN);
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
		cmocka_unit_test(test_str_clean),
		cmocka_unit_test(test_log_file),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
