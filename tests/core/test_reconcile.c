/*
 * test_reconcile.c — WeChat's trade bill read (columns by name, fields at
 * ",`" so a comma in a product name stays put, yuan to fen, the summary
 * checked) and refused when malformed or cut; the differences between
 * the bill and the till's records: missing on either side, state,
 * amount, vouchers, refunds, one till's rows out of a merchant's bill;
 * the text and JSON reports. Fixture: bills/day.csv (6 rows, 3 tills'
 * worth of orders, a partial refund).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <jansson.h>

#include "core/reconcile.h"
#include "util/err.h"
#include "util/xmem.h"

static char *
slurp(const char *name, size_t *n)
{
	char path[512];
	FILE *f;
	char *b;
	long len;

	snprintf(path, sizeof path, "%s/%s", BILLS_DIR, name);
	f = fopen(path, "rb");
	assert_non_null(f);
	fseek(f, 0, SEEK_END);
	len = ftell(f);
	rewind(f);
	b = xmalloc((size_t)len + 1);
	assert_int_equal(fread(b, 1, (size_t)len, f), (size_t)len);
	b[len] = '\0';
	fclose(f);
	*n = (size_t)len;
	return b;
}

static void
test_bill_rows_by_column_name(void **state)
{
	struct recon_bill b;
	char *t, *cause = NULL;
	size_t n;

	(void)state;
	t = slurp("day.csv", &n);
	assert_int_equal(recon_bill_parse(t, n, &b, &cause), 0);
	assert_null(cause);
	assert_int_equal(b.n, 6);
	/* "可乐, 冰镇 500ml" has a comma: the later columns are still right */
	assert_string_equal(b.rows[0].out_trade_no, "QT01A0001");
	assert_string_equal(b.rows[0].device, "POS01");
	assert_string_equal(b.rows[0].transaction_id,
	    "4200000001202612010000000001");
	assert_string_equal(b.rows[0].time, "2026-12-01 09:01:02");
	assert_int_equal(b.rows[0].state, RECON_WX_SUCCESS);
	assert_int_equal(b.rows[0].total_fen, 1000);
	assert_int_equal(b.rows[0].settlement_fen, 800);
	assert_int_equal(b.rows[0].voucher_fen, 200);
	assert_int_equal(b.rows[0].fee_fen, 5);
	/* the refund line */
	assert_int_equal(b.rows[2].state, RECON_WX_REFUND);
	assert_string_equal(b.rows[2].out_refund_no, "R1QT01A0002");
	assert_int_equal(b.rows[2].refund_fen, 1000);
	assert_int_equal(b.rows[2].fee_fen, -5);
	assert_string_equal(b.rows[2].refund_state, "SUCCESS");
	assert_int_equal(b.rows[2].line, 4);
	assert_true(b.has_summary);
	assert_int_equal(b.sum_count, 6);
	assert_int_equal(b.sum_settlement_fen, 8600);
	assert_int_equal(b.sum_refund_fen, 883);
	assert_int_equal(b.sum_fee_fen, 47);
	recon_bill_free(&b);
	free(t);
}

/* Replace the first occurrence of from with to in a copy of s. */
static char *
edit(const char *s, const char *from, const char *to)
{
	const char *p = strstr(s, from);
	char *o;

	assert_non_null(p);
	o = xasprintf("%.*s%s%s", (int)(p - s), s, to, p + strlen(from));
	return o;
}

static void
test_bad_bills_refused(void **state)
{
	struct recon_bill b;
	char *t, *x, *cause = NULL;
	size_t n, i;
	struct {
		const char *from, *to, *why;
	} bad[] = {
		{ "`12.00", "`12.5x", "not yuan" },
		{ "`12.00", "`12.345", "not yuan" },
		{ "`12.00", "`-12.00", "negative" },
		{ "商户订单号", "商户单号", "header lacks" },
		{ "`2026-12-01 10:20:00", "2026-12-01 10:20:00", "'`'" },
		{ "`QT01A0004,", "`QT01A0004,`extra,", "field count" },
		{ "`QT01A0004,", "`,", "商户订单号" },
		{ "`6,`86.00", "`7,`86.00", "truncated" },
		{ "`6,`86.00", "`x,`86.00", "bad count" },
		{ "`10.00\r\n", "`10.00\r\nmore\r\n", "after" },
	};

	(void)state;
	t = slurp("day.csv", &n);
	for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		x = edit(t, bad[i].from, bad[i].to);
		assert_int_equal(recon_bill_parse(x, strlen(x), &b, &cause),
		    QUAN_EPROTO);
		assert_int_equal(b.n, 0);
		assert_null(b.rows);
		if (cause == NULL || strstr(cause, bad[i].why) == NULL)
			fail_msg("%s: got '%s'", bad[i].why, cause);
		free(cause);
		cause = NULL;
		free(x);
	}
	/* a download cut inside a row */
	assert_int_not_equal(recon_bill_parse(t, n - 40, &b, &cause), 0);
	free(cause);
	/* NUL, nothing at all */
	x = xstrdup(t);
	x[100] = '\0';
	assert_int_equal(recon_bill_parse(x, n, &b, &cause), QUAN_EPROTO);
	free(cause);
	free(x);
	assert_int_equal(recon_bill_parse("", 0, &b, &cause), QUAN_EPROTO);
	free(cause);
	/* LF instead of CR LF, and a BOM: read the same */
	{
		char *lf = xstrdup(t), *w = lf;
		const char *r;

		for (r = t; *r; r++)
			if (*r != '\r')
				*w++ = *r;
		*w = '\0';
		x = xasprintf("\xef\xbb\xbf%s", lf);
		assert_int_equal(recon_bill_parse(x, strlen(x), &b, &cause),
		    0);
		assert_int_equal(b.n, 6);
		recon_bill_free(&b);
		free(x);
		free(lf);
	}
	/* without the summary: fine (the SHA1 of the download guards it) */
	x = xstrdup(t);
	*strstr(x, "总交易单数") = '\0';
	assert_int_equal(recon_bill_parse(x, strlen(x), &b, &cause), 0);
	assert_false(b.has_summary);
	recon_bill_free(&b);
	free(x);
	free(t);
}

static int
has(const struct recon_result *r, enum recon_kind k, const char *otn)
{
	int i;

	for (i = 0; i < r->n; i++)
		if (r->d[i].kind == k && strcmp(r->d[i].out_trade_no, otn) == 0)
			return 1;
	return 0;
}

static void
test_differences_listed(void **state)
{
	struct recon_till_pay pays[] = {
		{ "QT01A0001", RECON_TILL_PAID, 1000, 200 },   /* agrees */
		{ "QT01A0002", RECON_TILL_PAID, 6000, 700 },   /* agrees */
		{ "QT01A0003", RECON_TILL_FAILED, 1200, 0 },   /* state */
		/* QT01A0004: not at the till */
		{ "QT01A0005", RECON_TILL_PAID, 700, 0 },      /* not at WeChat */
		{ "QT01A0006", RECON_TILL_REVERSED, 900, 0 },  /* agrees */
	};
	struct recon_till_refund refunds[] = {
		{ "QT01A0002", "R1QT01A0002", 1000, 1 },     /* agrees */
		{ "QT01A0002", "R2QT01A0002", 500, 1 },      /* not at WeChat */
		{ "QT01A0001", "R1QT01A0001", 300, 0 },      /* processing */
	};
	struct recon_result r;
	struct recon_bill b;
	char *t, *cause = NULL, *txt, *js;
	size_t n;
	json_t *o;

	(void)state;
	t = slurp("day.csv", &n);
	assert_int_equal(recon_bill_parse(t, n, &b, &cause), 0);
	recon_diff(&b, "POS01", pays, 5, refunds, 3, &r);
	assert_int_equal(r.matched, 2);
	assert_int_equal(r.n, 4);
	assert_true(has(&r, RECON_STATE, "QT01A0003"));
	assert_true(has(&r, RECON_MISSING_AT_TILL, "QT01A0004"));
	assert_true(has(&r, RECON_MISSING_AT_WECHAT, "QT01A0005"));
	assert_true(has(&r, RECON_REFUND_MISSING_AT_WECHAT, "QT01A0002"));
	/* POS02's order is another till's business */
	assert_false(has(&r, RECON_MISSING_AT_TILL, "QT02B0001"));
	assert_int_equal(r.wx_paid_fen, 1000 + 6000 + 1200 + 300);
	assert_int_equal(r.till_paid_fen, 1000 + 6000 + 700);
	assert_int_equal(r.wx_voucher_fen, 900);
	assert_int_equal(r.wx_refund_fen, 1000);
	assert_int_equal(r.till_refund_fen, 1800);
	txt = recon_text(&r, "2026-12-01");
	assert_non_null(strstr(txt, "reconcile 2026-12-01: 2 matched, 4 "
	    "differences"));
	assert_non_null(strstr(txt, "missing_at_till"));
	assert_non_null(strstr(txt, "QT01A0004"));
	js = recon_json(&r, "2026-12-01");
	o = json_loads(js, 0, NULL);
	assert_non_null(o);
	assert_int_equal(json_array_size(json_object_get(o, "differences")),
	    4);
	assert_int_equal(json_integer_value(json_object_get(json_object_get(o,
	    "totals"), "wechat_paid_fen")), 8500);
	json_decref(o);
	free(js);
	free(txt);
	recon_result_free(&r);
	/* amounts and vouchers that differ; every till */
	pays[0].voucher_fen = 0;
	pays[1].total_fen = 5900;
	recon_diff(&b, NULL, pays, 5, refunds, 1, &r);
	assert_true(has(&r, RECON_VOUCHER, "QT01A0001"));
	assert_true(has(&r, RECON_AMOUNT, "QT01A0002"));
	assert_true(has(&r, RECON_MISSING_AT_TILL, "QT02B0001"));
	recon_result_free(&r);
	/* the till's refund of another amount */
	refunds[0].refund_fen = 900;
	recon_diff(&b, "POS01", pays, 2, refunds, 1, &r);
	assert_true(has(&r, RECON_REFUND_AMOUNT, "QT01A0002"));
	recon_result_free(&r);
	/* a refund WeChat has and the till does not */
	recon_diff(&b, "POS01", pays, 2, NULL, 0, &r);
	assert_true(has(&r, RECON_REFUND_MISSING_AT_TILL, "QT01A0002"));
	recon_result_free(&r);
	recon_bill_free(&b);
	free(t);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_bill_rows_by_column_name),
		cmocka_unit_test(test_bad_bills_refused),
		cmocka_unit_test(test_differences_listed),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
