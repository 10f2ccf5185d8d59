/*
 * bill.c — WeChat Pay's trade bill (交易账单) read into rows
 * (reconcile.h). The text is the merchant's export format:
 *
 *   交易时间,公众账号ID,商户号,…,订单金额,申请退款金额,费率备注
 *   `2026-12-01 10:15:30,`wx…,`1900007291,…,`10.00,`0.00,`
 *   总交易单数,应结订单总金额,退款总金额,充值券退款总金额,手续费总金额,…
 *   `3,`28.00,`0.00,`0.00,`0.17,…
 *
 * Every field of a data line starts with a backquote (so spreadsheets keep
 * long numbers as text); fields are split at ",`", so a comma inside a
 * product name does not shift the columns. Amounts are yuan with two
 * decimals. Columns are looked up by header name. Bounded everywhere.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/reconcile.h"
#include "util/err.h"
#include "util/money.h"
#include "util/str.h"
#include "util/xmem.h"

#define MAX_FIELDS 64

enum col {
	C_TIME, C_DEVICE, C_TXN, C_OTN, C_STATE, C_SETTLE, C_VOUCHER,
	C_REFUND_ID, C_ORN, C_REFUND, C_VREFUND, C_RSTATE, C_FEE, C_TOTAL,
	C_REFUND_REQ, C_N
};

static const char *const col_names[C_N] = {
	[C_TIME] = "交易时间", [C_DEVICE] = "设备号",
	[C_TXN] = "微信订单号", [C_OTN] = "商户订单号",
	[C_STATE] = "交易状态", [C_SETTLE] = "应结订单金额",
	[C_VOUCHER] = "代金券金额", [C_REFUND_ID] = "微信退款单号",
	[C_ORN] = "商户退款单号", [C_REFUND] = "退款金额",
	[C_VREFUND] = "充值券退款金额", [C_RSTATE] = "退款状态",
	[C_FEE] = "手续费", [C_TOTAL] = "订单金额",
	[C_REFUND_REQ] = "申请退款金额",
};

struct field {
	const char *p;
	size_t n;
};

struct parser {
	const char *s;
	size_t len, off;
	int line;
	char *cause;
};

/* The next line (without CR LF); 0 at the end. */
static int
next_line(struct parser *ps, const char **l, size_t *n)
{
	const char *nl;

	if (ps->off >= ps->len)
		return 0;
	*l = ps->s + ps->off;
	nl = memchr(*l, '\n', ps->len - ps->off);
	*n = nl ? (size_t)(nl - *l) : ps->len - ps->off;
	ps->off += *n + (nl ? 1 : 0);
	if (*n > 0 && (*l)[*n - 1] == '\r')
		(*n)--;
	ps->line++;
	return 1;
}

/* A header line: split at ','. Data: starts with '`', split at ",`". */
static int
split(const char *l, size_t n, int data, struct field *f, int max)
{
	int k = 0;
	size_t i, start;

	if (data) {
		if (n == 0 || l[0] != '`')
			return -1;
		start = 1;
		for (i = 1; i + 1 < n; i++)
			if (l[i] == ',' && l[i + 1] == '`') {
				if (k >= max)
					return -1;
				f[k].p = l + start;
				f[k++].n = i - start;
				start = i + 2;
				i++;
			}
	} else {
		start = 0;
		for (i = 0; i < n; i++)
			if (l[i] == ',') {
				if (k >= max)
					return -1;
				f[k].p = l + start;
				f[k++].n = i - start;
				start = i + 1;
			}
	}
	if (k >= max)
		return -1;
	f[k].p = l + start;
	f[k++].n = n - start;
	return k;
}

static int
field_is(const struct field *f, const char *s)
{
	size_t n = strlen(s);

	/* a UTF-8 BOM before the first header name */
	if (f->n == n + 3 && memcmp(f->p, "\xef\xbb\xbf", 3) == 0)
		return memcmp(f->p + 3, s, n) == 0;
	return f->n == n && memcmp(f->p, s, n) == 0;
}

static void
put(char *dst, size_t dn, const struct field *f)
{
	str_clean(dst, dn, f->p, f->n);
}

/* yuan "12.34" (a refund row's fee: "-0.05") → fen; "" → 0 (empty
 * amount columns happen). -1 when it is not an amount. */
static int
yuan(const struct field *f, int64_t *out)
{
	char b[32];
	int neg = f->n > 0 && f->p[0] == '-';

	*out = 0;
	if (f->n == 0)
		return 0;
	if (f->n >= sizeof b || f->n == (size_t)neg)
		return -1;
	memcpy(b, f->p + neg, f->n - (size_t)neg);
	b[f->n - (size_t)neg] = '\0';
	if (money_parse_yuan(b, out) != 0)
		return -1;
	if (neg)
		*out = -*out;
	return 0;
}

static enum recon_wx_state
wx_state(const struct field *f)
{
	if (field_is(f, "SUCCESS"))
		return RECON_WX_SUCCESS;
	if (field_is(f, "REFUND"))
		return RECON_WX_REFUND;
	if (field_is(f, "REVOKED"))
		return RECON_WX_REVOKED;
	return RECON_WX_OTHER;
}

static int
fail(struct parser *ps, int rc, const char *why)
{
	free(ps->cause);
	ps->cause = xasprintf("bill line %d: %s", ps->line, why);
	return rc;
}

/* One data row into r. */
static int
row(struct parser *ps, const int *col, const struct field *f, int nf,
    struct recon_wx_row *r)
{
	static const enum col money[] = { C_SETTLE, C_VOUCHER, C_REFUND,
		C_VREFUND, C_FEE, C_TOTAL, C_REFUND_REQ };
	int64_t v[C_N];
	size_t i;

	memset(r, 0, sizeof *r);
	r->line = ps->line;
	for (i = 0; i < C_N; i++)
		if (col[i] >= nf)
			return fail(ps, QUAN_EPROTO, "fewer fields than the "
			    "header");
	for (i = 0; i < sizeof money / sizeof money[0]; i++) {
		enum col c = money[i];

		v[c] = -1;
		if (col[c] >= 0 && yuan(&f[col[c]], &v[c]) != 0)
			return fail(ps, QUAN_EPROTO, "an amount is not yuan "
			    "with two decimals");
		/* only the fee may be negative (refund rows) */
		if (v[c] < 0 && col[c] >= 0 && c != C_FEE)
			return fail(ps, QUAN_EPROTO, "a negative amount");
	}
	put(r->time, sizeof r->time, &f[col[C_TIME]]);
	if (col[C_DEVICE] >= 0)
		put(r->device, sizeof r->device, &f[col[C_DEVICE]]);
	put(r->transaction_id, sizeof r->transaction_id, &f[col[C_TXN]]);
	put(r->out_trade_no, sizeof r->out_trade_no, &f[col[C_OTN]]);
	r->state = wx_state(&f[col[C_STATE]]);
	r->settlement_fen = v[C_SETTLE];
	r->voucher_fen = v[C_VOUCHER];
	r->total_fen = v[C_TOTAL];
	r->fee_fen = v[C_FEE];
	r->voucher_refund_fen = v[C_VREFUND];
	/* the amount asked for; the settled one in older bills */
	r->refund_fen = v[C_REFUND_REQ] > 0 ? v[C_REFUND_REQ] : v[C_REFUND];
	if (col[C_REFUND_ID] >= 0)
		put(r->refund_id, sizeof r->refund_id, &f[col[C_REFUND_ID]]);
	if (col[C_ORN] >= 0)
		put(r->out_refund_no, sizeof r->out_refund_no, &f[col[C_ORN]]);
	if (col[C_RSTATE] >= 0)
		put(r->refund_state, sizeof r->refund_state,
		    &f[col[C_RSTATE]]);
	if (r->out_trade_no[0] == '\0')
		return fail(ps, QUAN_EPROTO, "a row without 商户订单号");
	if (r->total_fen < 0) /* SUCCESS-type bills: 应结 is the total */
		r->total_fen = r->settlement_fen + r->voucher_fen;
	return 0;
}

static int
summary(struct parser *ps, const struct field *h, int nh,
    struct recon_bill *b)
{
	struct field f[MAX_FIELDS];
	const char *l;
	size_t n;
	int nf, i;

	if (!next_line(ps, &l, &n))
		return fail(ps, QUAN_EPROTO, "summary header without its row");
	nf = split(l, n, 1, f, MAX_FIELDS);
	if (nf != nh)
		return fail(ps, QUAN_EPROTO, "summary row does not match its "
		    "header");
	for (i = 0; i < nf; i++) {
		int64_t v;

		if (field_is(&h[i], "总交易单数")) {
			char c[24];
			char *end;

			if (f[i].n == 0 || f[i].n >= sizeof c)
				return fail(ps, QUAN_EPROTO, "bad count");
			memcpy(c, f[i].p, f[i].n);
			c[f[i].n] = '\0';
			b->sum_count = strtoll(c, &end, 10);
			if (*end != '\0' || b->sum_count < 0)
				return fail(ps, QUAN_EPROTO, "bad count");
			continue;
		}
		if (yuan(&f[i], &v) != 0)
			return fail(ps, QUAN_EPROTO, "summary amount is not "
			    "yuan");
		if (field_is(&h[i], "应结订单总金额"))
			b->sum_settlement_fen = v;
		else if (field_is(&h[i], "退款总金额"))
			b->sum_refund_fen = v;
		else if (field_is(&h[i], "手续费总金额"))
			b->sum_fee_fen = v;
	}
	b->has_summary = 1;
	return 0;
}

int
recon_bill_parse(const char *text, size_t len, struct recon_bill *out,
    char **cause)
{
	struct parser ps = { text, len, 0, 0, NULL };
	struct field h[MAX_FIELDS], f[MAX_FIELDS];
	int col[C_N], nh, nf, i, cap = 0, rc = QUAN_OK;
	const char *l;
	size_t n;

	memset(out, 0, sizeof *out);
	*cause = NULL;
	if (len > RECON_BILL_MAX_BYTES) {
		*cause = xstrdup("bill larger than 64 MiB");
		return QUAN_ETOOBIG;
	}
	if (memchr(text, '\0', len) != NULL) {
		*cause = xstrdup("bill contains NUL bytes");
		return QUAN_EPROTO;
	}
	if (!next_line(&ps, &l, &n) || n > RECON_LINE_MAX ||
	    (nh = split(l, n, 0, h, MAX_FIELDS)) < 0) {
		rc = fail(&ps, QUAN_EPROTO, "no header line");
		goto out;
	}
	for (i = 0; i < C_N; i++) {
		int j;

		col[i] = -1;
		for (j = 0; j < nh; j++)
			if (field_is(&h[j], col_names[i]))
				col[i] = j;
	}
	if (col[C_TIME] < 0 || col[C_TXN] < 0 || col[C_OTN] < 0 ||
	    col[C_STATE] < 0 || col[C_SETTLE] < 0 || col[C_VOUCHER] < 0) {
		rc = fail(&ps, QUAN_EPROTO, "header lacks 交易时间, 微信订单号, "
		    "商户订单号, 交易状态, 应结订单金额 or 代金券金额");
		goto out;
	}
	while (next_line(&ps, &l, &n)) {
		if (n > RECON_LINE_MAX) {
			rc = fail(&ps, QUAN_EPROTO, "line too long");
			goto out;
		}
		if (n == 0)
			continue;
		if (l[0] != '`') { /* the summary header */
			nf = split(l, n, 0, h, MAX_FIELDS);
			if (nf < 1 || !field_is(&h[0], "总交易单数")) {
				rc = fail(&ps, QUAN_EPROTO, "a row that does "
				    "not start with '`'");
				goto out;
			}
			if ((rc = summary(&ps, h, nf, out)) != 0)
				goto out;
			while (next_line(&ps, &l, &n))
				if (n > 0) {
					rc = fail(&ps, QUAN_EPROTO, "text "
					    "after the summary");
					goto out;
				}
			break;
		}
		nf = split(l, n, 1, f, MAX_FIELDS);
		if (nf != nh) {
			rc = fail(&ps, QUAN_EPROTO, "field count differs from "
			    "the header");
			goto out;
		}
		if (out->n >= RECON_BILL_MAX_ROWS) {
			rc = fail(&ps, QUAN_ETOOBIG, "too many rows");
			goto out;
		}
		if (out->n == cap) {
			cap = cap ? cap * 2 : 64;
			out->rows = xrealloc(out->rows, (size_t)cap *
			    sizeof *out->rows);
		}
		if ((rc = row(&ps, col, f, nf, &out->rows[out->n])) != 0)
			goto out;
		out->n++;
	}
	/* the row count must agree (a cut download); how refund rows
	 * enter 应结订单总金额 is not documented, so the sum is not held
	 * against the rows */
	if (out->has_summary && out->sum_count != out->n) {
		rc = fail(&ps, QUAN_EPROTO, "总交易单数 differs from the rows "
		    "(truncated bill?)");
		goto out;
	}
out:
	if (rc != 0) {
		recon_bill_free(out);
		*cause = ps.cause;
	} else {
		free(ps.cause);
	}
	return rc;
}

void
recon_bill_free(struct recon_bill *b)
{
	if (b == NULL)
		return;
	free(b->rows);
	memset(b, 0, sizeof *b);
}
