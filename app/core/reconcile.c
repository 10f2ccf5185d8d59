/*
 * reconcile.c — the differences between WeChat's trade bill and the
 * till's payment records (reconcile.h): both sides grouped by
 * out_trade_no (refunds by out_refund_no), compared in one sorted pass,
 * and reported as text or JSON.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "core/reconcile.h"
#include "util/buf.h"
#include "util/money.h"
#include "util/xmem.h"

static const char *const kinds[] = {
	[RECON_MISSING_AT_TILL] = "missing_at_till",
	[RECON_MISSING_AT_WECHAT] = "missing_at_wechat",
	[RECON_AMOUNT] = "amount",
	[RECON_STATE] = "state",
	[RECON_VOUCHER] = "voucher",
	[RECON_REFUND_MISSING_AT_TILL] = "refund_missing_at_till",
	[RECON_REFUND_MISSING_AT_WECHAT] = "refund_missing_at_wechat",
	[RECON_REFUND_AMOUNT] = "refund_amount",
};

const char *
recon_kind_name(enum recon_kind k)
{
	return (unsigned)k < sizeof kinds / sizeof kinds[0] ? kinds[k] : "?";
}

static const char *const till_states[] = {
	"paid", "failed", "reversed", "unknown" };

/* ---- both sides, sorted ----------------------------------------------- */

static const struct recon_wx_row *sort_rows;

static int
cmp_row(const void *a, const void *b)
{
	const struct recon_wx_row *x = &sort_rows[*(const int *)a];
	const struct recon_wx_row *y = &sort_rows[*(const int *)b];
	int c = strcmp(x->out_trade_no, y->out_trade_no);

	return c ? c : (int)x->state - (int)y->state;
}

static int
cmp_pay(const void *a, const void *b)
{
	const struct recon_till_pay *x = *(const struct recon_till_pay *const *)a;
	const struct recon_till_pay *y = *(const struct recon_till_pay *const *)b;

	return strcmp(x->out_trade_no, y->out_trade_no);
}

static const struct recon_till_pay *
find_pay(const struct recon_till_pay **v, int n, const char *otn)
{
	struct recon_till_pay key = { otn, RECON_TILL_PAID, 0, 0 };
	const struct recon_till_pay *k = &key, **hit;

	hit = bsearch(&k, v, (size_t)n, sizeof *v, cmp_pay);
	return hit ? *hit : NULL;
}

static void
add(struct recon_result *r, enum recon_kind kind, const char *otn,
    const char *orn, int64_t till, int64_t wx, const char *ts,
    const char *ws, int line)
{
	struct recon_diff *d;

	r->d = xrealloc(r->d, (size_t)(r->n + 1) * sizeof *r->d);
	d = &r->d[r->n++];
	memset(d, 0, sizeof *d);
	d->kind = kind;
	snprintf(d->out_trade_no, sizeof d->out_trade_no, "%s", otn);
	snprintf(d->out_refund_no, sizeof d->out_refund_no, "%s",
	    orn ? orn : "");
	d->till_fen = till;
	d->wx_fen = wx;
	snprintf(d->till_state, sizeof d->till_state, "%s", ts ? ts : "");
	snprintf(d->wx_state, sizeof d->wx_state, "%s", ws ? ws : "");
	d->wx_line = line;
}

/* One order's rows at WeChat (g[0..ng) sorted by state) against the
 * till's record p (NULL when none). */
static void
order(struct recon_result *r, const struct recon_bill *b, const int *g,
    int ng, const struct recon_till_pay *p)
{
	const struct recon_wx_row *paid = NULL;
	int revoked = 0, i;

	for (i = 0; i < ng; i++) {
		const struct recon_wx_row *w = &b->rows[g[i]];

		if (w->state == RECON_WX_SUCCESS && paid == NULL)
			paid = w;
		else if (w->state == RECON_WX_REVOKED)
			revoked = 1;
	}
	if (paid == NULL)
		return; /* refund lines only: compared by out_refund_no */
	if (!revoked) {
		r->wx_paid_fen += paid->total_fen;
		r->wx_voucher_fen += paid->voucher_fen;
	}
	if (p == NULL) {
		if (!revoked)
			add(r, RECON_MISSING_AT_TILL, paid->out_trade_no, NULL,
			    -1, paid->total_fen, "", "SUCCESS", paid->line);
		return;
	}
	if (p->state == RECON_TILL_PAID && revoked) {
		add(r, RECON_STATE, p->out_trade_no, NULL, p->total_fen,
		    paid->total_fen, "paid", "REVOKED", paid->line);
		return;
	}
	if (p->state != RECON_TILL_PAID) {
		if (!revoked)
			add(r, RECON_STATE, p->out_trade_no, NULL, p->total_fen,
			    paid->total_fen, till_states[p->state], "SUCCESS",
			    paid->line);
		return;
	}
	if (p->total_fen != paid->total_fen) {
		add(r, RECON_AMOUNT, p->out_trade_no, NULL, p->total_fen,
		    paid->total_fen, "paid", "SUCCESS", paid->line);
		return;
	}
	if (p->voucher_fen != paid->voucher_fen) {
		add(r, RECON_VOUCHER, p->out_trade_no, NULL, p->voucher_fen,
		    paid->voucher_fen, "paid", "SUCCESS", paid->line);
		return;
	}
	r->matched++;
}

static int
wx_has_paid(const struct recon_bill *b, const int *idx, int n,
    const char *otn)
{
	int lo = 0, hi = n;

	while (lo < hi) { /* the first row of otn */
		int mid = (lo + hi) / 2;

		if (strcmp(b->rows[idx[mid]].out_trade_no, otn) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (; lo < n && strcmp(b->rows[idx[lo]].out_trade_no, otn) == 0; lo++)
		if (b->rows[idx[lo]].state == RECON_WX_SUCCESS ||
		    b->rows[idx[lo]].state == RECON_WX_REVOKED)
			return 1;
	return 0;
}

static void
refunds(struct recon_result *r, const struct recon_bill *b,
    const int *mine, int nmine, const struct recon_till_refund *tr, int ntr)
{
	int i, j;

	for (i = 0; i < nmine; i++) {
		const struct recon_wx_row *w = &b->rows[mine[i]];
		const struct recon_till_refund *t = NULL;

		if (w->state != RECON_WX_REFUND)
			continue;
		r->wx_refund_fen += w->refund_fen;
		for (j = 0; j < ntr && t == NULL; j++)
			if (strcmp(tr[j].out_refund_no, w->out_refund_no) == 0)
				t = &tr[j];
		if (t == NULL)
			add(r, RECON_REFUND_MISSING_AT_TILL, w->out_trade_no,
			    w->out_refund_no, -1, w->refund_fen, "",
			    w->refund_state, w->line);
		else if (t->refund_fen != w->refund_fen)
			add(r, RECON_REFUND_AMOUNT, w->out_trade_no,
			    w->out_refund_no, t->refund_fen, w->refund_fen,
			    t->done ? "success" : "processing",
			    w->refund_state, w->line);
	}
	for (j = 0; j < ntr; j++) {
		int found = 0;

		r->till_refund_fen += tr[j].refund_fen;
		for (i = 0; i < nmine && !found; i++)
			found = b->rows[mine[i]].state == RECON_WX_REFUND &&
			    strcmp(b->rows[mine[i]].out_refund_no,
			    tr[j].out_refund_no) == 0;
		/* a refund still processing may be on tomorrow's bill */
		if (!found && tr[j].done)
			add(r, RECON_REFUND_MISSING_AT_WECHAT,
			    tr[j].out_trade_no, tr[j].out_refund_no,
			    tr[j].refund_fen, -1, "success", "", 0);
	}
}

void
recon_diff(const struct recon_bill *b, const char *device,
    const struct recon_till_pay *pays, int npays,
    const struct recon_till_refund *tr, int ntr, struct recon_result *out)
{
	const struct recon_till_pay **pv = xcalloc((size_t)npays + 1,
	    sizeof *pv);
	int *idx = xcalloc((size_t)b->n + 1, sizeof *idx), nidx = 0;
	int i, j;

	memset(out, 0, sizeof *out);
	for (i = 0; i < npays; i++)
		pv[i] = &pays[i];
	qsort(pv, (size_t)npays, sizeof *pv, cmp_pay);
	/* this till's rows: its device, or an order it knows */
	for (i = 0; i < b->n; i++)
		if (device == NULL || *device == '\0' ||
		    strcmp(b->rows[i].device, device) == 0 ||
		    find_pay(pv, npays, b->rows[i].out_trade_no) != NULL)
			idx[nidx++] = i;
	sort_rows = b->rows;
	qsort(idx, (size_t)nidx, sizeof *idx, cmp_row);
	for (i = 0; i < nidx; i = j) {
		const char *otn = b->rows[idx[i]].out_trade_no;

		for (j = i; j < nidx && strcmp(b->rows[idx[j]].out_trade_no,
		    otn) == 0; j++)
			;
		order(out, b, idx + i, j - i, find_pay(pv, npays, otn));
	}
	for (i = 0; i < npays; i++) {
		const struct recon_till_pay *p = pv[i];

		if (p->state != RECON_TILL_PAID)
			continue;
		out->till_paid_fen += p->total_fen;
		out->till_voucher_fen += p->voucher_fen;
		if (!wx_has_paid(b, idx, nidx, p->out_trade_no))
			add(out, RECON_MISSING_AT_WECHAT, p->out_trade_no,
			    NULL, p->total_fen, -1, "paid", "", 0);
	}
	refunds(out, b, idx, nidx, tr, ntr);
	sort_rows = NULL;
	free(idx);
	free(pv);
}

void
recon_result_free(struct recon_result *r)
{
	if (r == NULL)
		return;
	free(r->d);
	memset(r, 0, sizeof *r);
}

/* ---- reports ---------------------------------------------------------- */

static const char *
amt(int64_t fen, char *b, size_t n)
{
	if (fen < 0)
		snprintf(b, n, "-");
	else
		money_format(fen, b, n);
	return b;
}

char *
recon_text(const struct recon_result *r, const char *date)
{
	struct buf b;
	char x[32], y[32];
	int i;

	buf_init(&b, 16u * 1024 * 1024);
	buf_printf(&b, "reconcile %s: %d matched, %d difference%s\n", date,
	    r->matched, r->n, r->n == 1 ? "" : "s");
	for (i = 0; i < r->n; i++) {
		const struct recon_diff *d = &r->d[i];

		buf_printf(&b, "  %-26s %s%s%s  till %s %s  wechat %s %s\n",
		    recon_kind_name(d->kind), d->out_trade_no,
		    d->out_refund_no[0] ? " refund " : "", d->out_refund_no,
		    amt(d->till_fen, x, sizeof x), d->till_state[0] ?
		    d->till_state : "-", amt(d->wx_fen, y, sizeof y),
		    d->wx_state[0] ? d->wx_state : "-");
	}
	buf_printf(&b, "paid     till %s  wechat %s\n",
	    amt(r->till_paid_fen, x, sizeof x),
	    amt(r->wx_paid_fen, y, sizeof y));
	buf_printf(&b, "vouchers till %s  wechat %s\n",
	    amt(r->till_voucher_fen, x, sizeof x),
	    amt(r->wx_voucher_fen, y, sizeof y));
	buf_printf(&b, "refunds  till %s  wechat %s\n",
	    amt(r->till_refund_fen, x, sizeof x),
	    amt(r->wx_refund_fen, y, sizeof y));
	return buf_take(&b);
}

char *
recon_json(const struct recon_result *r, const char *date)
{
	json_t *o, *a = json_array();
	char *s, *out;
	int i;

	for (i = 0; i < r->n; i++) {
		const struct recon_diff *d = &r->d[i];
		json_t *e = json_pack("{s:s,s:s}", "kind",
		    recon_kind_name(d->kind), "out_trade_no", d->out_trade_no);

		if (d->out_refund_no[0])
			json_object_set_new(e, "out_refund_no",
			    json_string(d->out_refund_no));
		json_object_set_new(e, "till_fen", d->till_fen < 0 ?
		    json_null() : json_integer(d->till_fen));
		json_object_set_new(e, "wechat_fen", d->wx_fen < 0 ?
		    json_null() : json_integer(d->wx_fen));
		json_object_set_new(e, "till_state", json_string(d->till_state));
		json_object_set_new(e, "wechat_state",
		    json_string(d->wx_state));
		if (d->wx_line > 0)
			json_object_set_new(e, "bill_line",
			    json_integer(d->wx_line));
		json_array_append_new(a, e);
	}
	o = json_pack("{s:s,s:i,s:o,s:{s:I,s:I,s:I,s:I,s:I,s:I}}", "date",
	    date, "matched", r->matched, "differences", a, "totals",
	    "till_paid_fen", (json_int_t)r->till_paid_fen, "wechat_paid_fen",
	    (json_int_t)r->wx_paid_fen, "till_voucher_fen",
	    (json_int_t)r->till_voucher_fen, "wechat_voucher_fen",
	    (json_int_t)r->wx_voucher_fen, "till_refund_fen",
	    (json_int_t)r->till_refund_fen, "wechat_refund_fen",
	    (json_int_t)r->wx_refund_fen);
	s = json_dumps(o, JSON_COMPACT);
	json_decref(o);
	out = xstrdup(s ? s : "{}");
	free(s);
	return out;
}
