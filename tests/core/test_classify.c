/* test_classify.c — scan classification: order (cache, patterns, formats),
 * normalisation, hostile input, pattern validation. Table-driven. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "core/classify.h"
#include "util/err.h"

/* The fake code cache. */
static const struct {
	const char *code;
	enum classify_kind kind;
	const char *id;
} cache[] = {
	{ "QA0000000001", CLASSIFY_MERCHANT, "1212" },
	{ "409632457895", CLASSIFY_CARD, "pCARD1" },
	{ "123456789012345678", CLASSIFY_MERCHANT, "9999" },
	{ "two words", CLASSIFY_MERCHANT, "8888" },
};

static int lookups;

static int
lookup(void *arg, const char *code, struct classify_hit *hit)
{
	size_t i;

	(void)arg;
	lookups++;
	if (strcmp(code, "FAILCACHE") == 0)
		return QUAN_EIO;
	for (i = 0; i < sizeof cache / sizeof cache[0]; i++)
		if (strcmp(cache[i].code, code) == 0) {
			hit->kind = cache[i].kind;
			snprintf(hit->id, sizeof hit->id, "%s", cache[i].id);
			return 1;
		}
	return 0;
}

static const struct classify_pattern patterns[] = {
	{ CLASSIFY_MERCHANT, "1212", "QA", 10, 32, CLASSIFY_CS_ALNUM },
	{ CLASSIFY_CARD, "pCUSTOM", NULL, 6, 6, CLASSIFY_CS_DIGITS },
	{ CLASSIFY_MERCHANT, "7777", NULL, 0, 0, CLASSIFY_CS_WECHAT },
	{ CLASSIFY_MERCHANT, "5555", "X-", 4, 0, CLASSIFY_CS_WECHAT },
	{ CLASSIFY_CARD, "pSHADOW", "QA", 0, 40, CLASSIFY_CS_ALNUM },
};

#define ENC "XXIzTtMqCxwOaawoE91+VJdsFmv7b8g0VZIZkqf4GWA60Fzpc8ksZ/5ZZ0DVkXdE"
#define ENC_PCT \
	"XXIzTtMqCxwOaawoE91%2BVJdsFmv7b8g0VZIZkqf4GWA60Fzpc8ksZ%2F5ZZ0DVkXdE"

struct ccase {
	const char *in;
	size_t len;             /* 0 = strlen(in) */
	int rc;
	enum classify_kind kind;
	enum classify_via via;
	enum classify_reason reason;
	const char *code;       /* NULL = don't check */
	const char *id;         /* NULL = expect "" */
	unsigned flags;
	int pattern;
};

#define K(x) CLASSIFY_##x
#define V(x) CLASSIFY_VIA_##x
#define R(x) CLASSIFY_R_##x

static const struct ccase cases[] = {
	/* 1. cache wins, as typed and joined */
	{ "  QA0000000001 \r\n", 0, 0, K(MERCHANT), V(CACHE), R(NONE),
	  "QA0000000001", "1212", 0, -1 },
	{ "4096 3245 7895", 0, 0, K(CARD), V(CACHE), R(NONE),
	  "409632457895", "pCARD1", CLASSIFY_F_JOINED, -1 },
	{ "two words", 0, 0, K(MERCHANT), V(CACHE), R(NONE), "two words",
	  "8888", 0, -1 },
	/* cached code with payment shape: cache wins, flag the ambiguity */
	{ "123456789012345678", 0, 0, K(MERCHANT), V(CACHE), R(NONE),
	  "123456789012345678", "9999", CLASSIFY_F_LOOKS_PAY, -1 },
	/* 2. patterns in order (pattern 4 shadowed by 0) */
	{ "QA12345678\r\n", 0, 0, K(MERCHANT), V(PATTERN), R(NONE),
	  "QA12345678", "1212", 0, 0 },
	{ "QA123", 0, 0, K(CARD), V(PATTERN), R(NONE), "QA123", "pSHADOW",
	  0, 4 },
	{ "123456", 0, 0, K(CARD), V(PATTERN), R(NONE), "123456", "pCUSTOM",
	  0, 1 },
	{ "123 456", 0, 0, K(CARD), V(PATTERN), R(NONE), "123456",
	  "pCUSTOM", CLASSIFY_F_JOINED, 1 },
	{ "X-ab cd", 0, 0, K(MERCHANT), V(PATTERN), R(NONE), "X-ab cd",
	  "5555", 0, 3 },
	{ "X-a", 0, 0, K(UNKNOWN), V(NONE), R(NO_MATCH), "X-a", NULL, 0,
	  -1 },
	{ "QA1234567!", 0, 0, K(UNKNOWN), V(NONE), R(NO_MATCH), NULL, NULL,
	  0, -1 },
	/* X- pattern has no max_len, but a merchant code is <= 32 bytes */
	{ "X-234567890123456789012345678901", 0, 0, K(MERCHANT), V(PATTERN),
	  R(NONE), NULL, "5555", 0, 3 },
	{ "X-2345678901234567890123456789012", 0, 0, K(UNKNOWN), V(NONE),
	  R(NO_MATCH), NULL, NULL, 0, -1 },
	/* 3. documented formats */
	{ "134567890123456789", 0, 0, K(PAYMENT_CODE), V(FORMAT), R(NONE),
	  "134567890123456789", NULL, 0, -1 },
	{ "1345 6789 0123 4567 89", 0, 0, K(PAYMENT_CODE), V(FORMAT),
	  R(NONE), "134567890123456789", NULL, CLASSIFY_F_JOINED, -1 },
	{ "103456789012345678", 0, 0, K(PAYMENT_CODE), V(FORMAT), R(NONE),
	  NULL, NULL, 0, -1 },
	{ "153456789012345678", 0, 0, K(PAYMENT_CODE), V(FORMAT), R(NONE),
	  NULL, NULL, 0, -1 },
	{ "163456789012345678", 0, 0, K(CARD), V(FORMAT), R(NONE), NULL,
	  NULL, 0, -1 },
	{ "13456789012345678", 0, 0, K(CARD), V(FORMAT), R(NONE), NULL,
	  NULL, 0, -1 },
	{ "1345678901234567890", 0, 0, K(CARD), V(FORMAT), R(NONE), NULL,
	  NULL, 0, -1 },
	{ "281234567890123456", 0, 0, K(OTHER_WALLET), V(FORMAT), R(NONE),
	  NULL, NULL, 0, -1 },
	{ "2512345678901234", 0, 0, K(OTHER_WALLET), V(FORMAT), R(NONE),
	  NULL, NULL, 0, -1 },
	{ "301234567890123456789012", 0, 0, K(OTHER_WALLET), V(FORMAT),
	  R(NONE), NULL, NULL, 0, -1 },
	{ "3012345678901234567890123", 0, 0, K(UNKNOWN), V(NONE),
	  R(NO_MATCH), NULL, NULL, 0, -1 },
	{ "241234567890123456", 0, 0, K(CARD), V(FORMAT), R(NONE), NULL,
	  NULL, 0, -1 },
	{ "6212345678901234567", 0, 0, K(OTHER_WALLET), V(FORMAT), R(NONE),
	  NULL, NULL, 0, -1 },
	{ "1227944959000000911017", 0, 0, K(MERCHANT), V(FORMAT), R(NONE),
	  "1227944959000000911017", NULL, 0, -1 },
	{ "110201201245", 0, 0, K(CARD), V(FORMAT), R(NONE), "110201201245",
	  NULL, 0, -1 },
	{ "12345678", 0, 0, K(CARD), V(FORMAT), R(NONE), NULL, NULL, 0,
	  -1 },
	{ "1234567", 0, 0, K(UNKNOWN), V(NONE), R(NO_MATCH), "1234567", NULL,
	  0, -1 },
	{ "http://weixin.qq.com/q/02abcDEF", 0, 0, K(CLAIM_QR), V(FORMAT),
	  R(NONE), "http://weixin.qq.com/q/02abcDEF", NULL, 0, -1 },
	{ "HTTPS://WEIXIN.QQ.COM/q/x", 0, 0, K(CLAIM_QR), V(FORMAT), R(NONE),
	  NULL, NULL, 0, -1 },
	{ "https://shop.example.com/c?encrypt_code=" ENC_PCT
	  "&card_id=pFS7Fjg8kV1IdDz01r4SQwMkuCKc#top", 0, 0,
	  K(ENCRYPTED_CARD), V(FORMAT), R(NONE), ENC,
	  "pFS7Fjg8kV1IdDz01r4SQwMkuCKc", 0, -1 },
	{ "https://x.example/?card_id=pX&encrypt_code=a+b%3D", 0, 0,
	  K(ENCRYPTED_CARD), V(FORMAT), R(NONE), "a+b=", "pX", 0, -1 },
	{ "pages/use?encrypt_code=abc", 0, 0, K(ENCRYPTED_CARD), V(FORMAT),
	  R(NONE), "abc", NULL, 0, -1 },
	{ "https://x.example/?encrypt_code=&card_id=pX", 0, QUAN_EINVAL,
	  K(INVALID), V(NONE), R(BAD_ENCRYPT_CODE), "", NULL, 0, -1 },
	{ "https://x.example/?encrypt_code=ab%0Acd", 0, QUAN_EINVAL,
	  K(INVALID), V(NONE), R(BAD_ENCRYPT_CODE), "", NULL, 0, -1 },
	{ "https://x.example/?encrypt_code=ab%20cd", 0, QUAN_EINVAL,
	  K(INVALID), V(NONE), R(BAD_ENCRYPT_CODE), "", NULL, 0, -1 },
	{ "https://x.example/?encrypt_code=ab%7F", 0, QUAN_EINVAL,
	  K(INVALID), V(NONE), R(BAD_ENCRYPT_CODE), "", NULL, 0, -1 },
	{ "https://x.example/?encrypt_code=ab%zz", 0, QUAN_EINVAL,
	  K(INVALID), V(NONE), R(BAD_ENCRYPT_CODE), "", NULL, 0, -1 },
	{ "https://x.example/?encrypt_code=ab%2", 0, QUAN_EINVAL,
	  K(INVALID), V(NONE), R(BAD_ENCRYPT_CODE), "", NULL, 0, -1 },
	{ "https://x.example/?encrypt_code=a&encrypt_code=b", 0,
	  QUAN_EINVAL, K(INVALID), V(NONE), R(BAD_ENCRYPT_CODE), "", NULL, 0,
	  -1 },
	{ "https://x.example/?encrypt_code=abc&card_id=p%27x", 0,
	  QUAN_EINVAL, K(INVALID), V(NONE), R(BAD_ENCRYPT_CODE), "", NULL, 0,
	  -1 },
	{ "https://example.com/?a=1", 0, 0, K(UNKNOWN), V(NONE), R(NO_MATCH),
	  NULL, NULL, 0, -1 },
	{ ENC, 0, 0, K(ENCRYPTED_CARD), V(FORMAT), R(NONE), ENC, NULL, 0,
	  -1 },
	{ "abcdefghijklmnopqrstuvwxyzabcdefghijklmnop", 0, 0, K(UNKNOWN),
	  V(NONE), R(NO_MATCH), NULL, NULL, 0, -1 },
	/* hostile / malformed */
	{ "", 0, QUAN_EINVAL, K(INVALID), V(NONE), R(EMPTY), "", NULL, 0,
	  -1 },
	{ "  \r\n\t ", 0, QUAN_EINVAL, K(INVALID), V(NONE), R(EMPTY), "",
	  NULL, 0, -1 },
	{ "12345\x01" "678", 0, QUAN_EINVAL, K(INVALID), V(NONE),
	  R(CONTROL_CHAR), "", NULL, 0, -1 },
	{ "1234\0" "5678", 9, QUAN_EINVAL, K(INVALID), V(NONE),
	  R(CONTROL_CHAR), "", NULL, 0, -1 },
	{ "1234\x7f", 0, QUAN_EINVAL, K(INVALID), V(NONE), R(CONTROL_CHAR),
	  "", NULL, 0, -1 },
	{ "12\t34", 0, QUAN_EINVAL, K(INVALID), V(NONE), R(CONTROL_CHAR),
	  "", NULL, 0, -1 },
	{ "abc\xff", 0, QUAN_EINVAL, K(INVALID), V(NONE), R(BAD_UTF8), "",
	  NULL, 0, -1 },
	{ "\xc0\xaf", 0, QUAN_EINVAL, K(INVALID), V(NONE), R(BAD_UTF8), "",
	  NULL, 0, -1 },
	{ "\xed\xa0\x80", 0, QUAN_EINVAL, K(INVALID), V(NONE), R(BAD_UTF8),
	  "", NULL, 0, -1 },
	{ "\xe4\xbc", 0, QUAN_EINVAL, K(INVALID), V(NONE), R(BAD_UTF8), "",
	  NULL, 0, -1 },
	{ "\xf4\x90\x80\x80", 0, QUAN_EINVAL, K(INVALID), V(NONE),
	  R(BAD_UTF8), "", NULL, 0, -1 },
	{ "\xe4\xbc\x98\xe6\x83\xa0\xe5\x88\xb8", 0, 0, K(UNKNOWN), V(NONE),
	  R(NO_MATCH), NULL, NULL, 0, -1 },
	{ "'; DROP TABLE codes;--", 0, 0, K(UNKNOWN), V(NONE), R(NO_MATCH),
	  "'; DROP TABLE codes;--", NULL, 0, -1 },
	{ "FAILCACHE", 0, 0, K(UNKNOWN), V(NONE), R(NO_MATCH), NULL, NULL,
	  CLASSIFY_F_CACHE_ERR, -1 },
};

static void
check_case(const struct classify *c, const struct ccase *t)
{
	struct classify_result r;
	size_t len = t->len ? t->len : strlen(t->in);
	int rc;

	memset(&r, 0x5a, sizeof r);
	rc = classify_scan(c, t->in, len, lookup, NULL, &r);
	if (rc != t->rc || r.kind != t->kind || r.via != t->via ||
	    r.reason != t->reason || r.flags != t->flags ||
	    r.pattern != t->pattern ||
	    (t->code != NULL && strcmp(r.code, t->code) != 0) ||
	    strcmp(r.id, t->id != NULL ? t->id : "") != 0 ||
	    strlen(r.code) != r.code_len)
		fail_msg("case \"%s\": rc %d kind %s via %s reason %s flags %u "
		    "pattern %d code \"%s\" id \"%s\"", t->in, rc,
		    classify_kind_id(r.kind), classify_via_id(r.via),
		    classify_reason_id(r.reason), r.flags, r.pattern, r.code,
		    r.id);
}

static void
test_table(void **state)
{
	struct classify *c;
	char *cause = NULL;
	size_t i;

	(void)state;
	assert_int_equal(classify_new(patterns,
	    sizeof patterns / sizeof patterns[0], &c, &cause), 0);
	assert_null(cause);
	for (i = 0; i < sizeof cases / sizeof cases[0]; i++)
		check_case(c, &cases[i]);
	classify_free(c);
}

static void
test_lengths(void **state)
{
	char buf[700];
	struct classify_result r;

	(void)state;
	/* 128 digits: accepted length, matches nothing */
	memset(buf, '7', 128);
	assert_int_equal(classify_scan(NULL, buf, 128, NULL, NULL, &r), 0);
	assert_int_equal(r.kind, CLASSIFY_UNKNOWN);
	assert_int_equal(r.code_len, 128);
	/* 129: too long */
	memset(buf, 'A', 129);
	assert_int_equal(classify_scan(NULL, buf, 129, NULL, NULL, &r),
	    QUAN_ETOOBIG);
	assert_int_equal(r.kind, CLASSIFY_INVALID);
	assert_int_equal(r.reason, CLASSIFY_R_TOO_LONG);
	/* 129 + surrounding newlines trimmed first: still too long; 128 +
	 * CRLF fits */
	memset(buf, '7', 128);
	memcpy(buf + 128, "\r\n", 2);
	assert_int_equal(classify_scan(NULL, buf, 130, NULL, NULL, &r), 0);
	/* a long URL up to 512 is read; beyond is too long */
	memset(buf, 'a', sizeof buf);
	memcpy(buf, "https://x.example/?encrypt_code=abc&pad=", 40);
	assert_int_equal(classify_scan(NULL, buf, 512, NULL, NULL, &r), 0);
	assert_int_equal(r.kind, CLASSIFY_ENCRYPTED_CARD);
	assert_string_equal(r.code, "abc");
	assert_int_equal(classify_scan(NULL, buf, 513, NULL, NULL, &r),
	    QUAN_ETOOBIG);
	/* a long URL without encrypt_code: unknown, not an error */
	memcpy(buf, "https://x.example/?xxxxxxxx_code=abc&pad=", 40);
	assert_int_equal(classify_scan(NULL, buf, 300, NULL, NULL, &r), 0);
	assert_int_equal(r.kind, CLASSIFY_UNKNOWN);
	/* an encrypt_code over 128 bytes is refused */
	memcpy(buf, "https://x.example/?pad=aaaaaaa&encrypt_code=", 44);
	assert_int_equal(classify_scan(NULL, buf, 44 + 129, NULL, NULL, &r),
	    QUAN_EINVAL);
	assert_int_equal(r.reason, CLASSIFY_R_BAD_ENCRYPT_CODE);
	/* NULL text */
	assert_int_equal(classify_scan(NULL, NULL, 3, NULL, NULL, &r),
	    QUAN_EINVAL);
	assert_int_equal(r.reason, CLASSIFY_R_EMPTY);
}

static void
test_cache_called_twice_at_most(void **state)
{
	struct classify_result r;

	(void)state;
	lookups = 0;
	assert_int_equal(classify_scan(NULL, "1111 2222 3333", 14, lookup,
	    NULL, &r), 0);
	assert_int_equal(lookups, 2);
	assert_int_equal(r.kind, CLASSIFY_CARD);
	assert_int_equal(r.flags, CLASSIFY_F_JOINED);
	lookups = 0;
	assert_int_equal(classify_scan(NULL, "11112222", 8, lookup, NULL, &r),
	    0);
	assert_int_equal(lookups, 1);
	/* no cache at all */
	assert_int_equal(classify_scan(NULL, "QA0000000001", 12, NULL, NULL,
	    &r), 0);
	assert_int_equal(r.kind, CLASSIFY_UNKNOWN);
}

static void
test_bad_patterns(void **state)
{
	static const struct classify_pattern bad[] = {
		{ CLASSIFY_UNKNOWN, "1", "A", 0, 0, CLASSIFY_CS_ALNUM },
		{ CLASSIFY_MERCHANT, NULL, "A", 0, 0, CLASSIFY_CS_ALNUM },
		{ CLASSIFY_MERCHANT, "", "A", 0, 0, CLASSIFY_CS_ALNUM },
		{ CLASSIFY_MERCHANT, "1", NULL, 10, 5, CLASSIFY_CS_ALNUM },
		{ CLASSIFY_MERCHANT, "1", NULL, -1, 5, CLASSIFY_CS_ALNUM },
		{ CLASSIFY_MERCHANT, "1", NULL, 0, 129, CLASSIFY_CS_ALNUM },
		{ CLASSIFY_MERCHANT, "1", "Q-", 0, 0, CLASSIFY_CS_ALNUM },
		{ CLASSIFY_MERCHANT, "1", "QA", 0, 0, CLASSIFY_CS_DIGITS },
		{ CLASSIFY_MERCHANT, "1", "QAB", 0, 2, CLASSIFY_CS_ALNUM },
		{ CLASSIFY_MERCHANT, "1", "Q", 0, 0, (enum classify_charset)9 },
		{ CLASSIFY_MERCHANT, "1", "Q", 0, 33, CLASSIFY_CS_ALNUM },
		{ CLASSIFY_MERCHANT, "1", "Q", 33, 0, CLASSIFY_CS_ALNUM },
	};
	struct classify *c;
	char *cause;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		cause = NULL;
		c = (struct classify *)1;
		assert_int_equal(classify_new(&bad[i], 1, &c, &cause),
		    QUAN_EINVAL);
		assert_null(c);
		assert_non_null(cause);
		assert_non_null(strstr(cause, "pattern 0"));
		free(cause);
	}
	assert_int_equal(classify_new(NULL, 1, &c, NULL), QUAN_EINVAL);
	assert_int_equal(classify_new(NULL, 0, &c, NULL), 0);
	classify_free(c);
	classify_free(NULL);
}

static void
test_ids(void **state)
{
	enum classify_charset cs;

	(void)state;
	assert_string_equal(classify_kind_id(CLASSIFY_MERCHANT), "merchant");
	assert_string_equal(classify_kind_id(CLASSIFY_CARD), "card");
	assert_string_equal(classify_kind_id(CLASSIFY_PAYMENT_CODE),
	    "payment_code");
	assert_string_equal(classify_kind_id((enum classify_kind)99),
	    "invalid");
	assert_string_equal(classify_via_id(CLASSIFY_VIA_CACHE), "cache");
	assert_string_equal(classify_reason_id(CLASSIFY_R_TOO_LONG),
	    "too_long");
	assert_int_equal(classify_charset_parse("digits", &cs), 0);
	assert_int_equal(cs, CLASSIFY_CS_DIGITS);
	assert_int_equal(classify_charset_parse("alnum", &cs), 0);
	assert_int_equal(cs, CLASSIFY_CS_ALNUM);
	assert_int_equal(classify_charset_parse("wechat", &cs), 0);
	assert_int_equal(cs, CLASSIFY_CS_WECHAT);
	assert_int_equal(classify_charset_parse("Digits", &cs), QUAN_EINVAL);
	assert_int_equal(classify_charset_parse(NULL, &cs), QUAN_EINVAL);
}

/* Every byte string of length <= 2 and a spread of random ones: no crash,
 * result always consistent. */
static void
test_exhaustive_short(void **state)
{
	unsigned char buf[64];
	struct classify_result r;
	unsigned a, b, i;
	uint32_t x = 12345;

	(void)state;
	for (a = 0; a < 256; a++)
		for (b = 0; b < 256; b++) {
			buf[0] = (unsigned char)a;
			buf[1] = (unsigned char)b;
			int rc = classify_scan(NULL, (char *)buf, 2, lookup,
			    NULL, &r);
			assert_true(rc == 0 || r.kind == CLASSIFY_INVALID);
			assert_int_equal(strlen(r.code), r.code_len);
		}
	for (i = 0; i < 200000; i++) {
		size_t n, k;

		x = x * 1103515245u + 12345u;
		n = (x >> 16) % sizeof buf;
		for (k = 0; k < n; k++) {
			x = x * 1103515245u + 12345u;
			/* mostly printable, sometimes anything */
			buf[k] = (x >> 24) % 8 ? (unsigned char)(0x20 +
			    (x >> 8) % 95) : (unsigned char)(x >> 8);
		}
		int rc = classify_scan(NULL, (char *)buf, n, lookup, NULL, &r);
		assert_true(rc == 0 || r.kind == CLASSIFY_INVALID);
		assert_int_equal(strlen(r.code), r.code_len);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_table),
		cmocka_unit_test(test_lengths),
		cmocka_unit_test(test_cache_called_twice_at_most),
		cmocka_unit_test(test_bad_patterns),
		cmocka_unit_test(test_ids),
		cmocka_unit_test(test_exhaustive_short),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
