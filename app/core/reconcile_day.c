/*
 * reconcile_day.c — the till's side of a day's reconciliation read from
 * the store (its WeChat payments and their refunds of that day), compared
 * with the trade bill by recon_diff (reconcile.h).
 */
#include <stdlib.h>
#include <string.h>

#include "core/reconcile.h"
#include "store/store.h"
#include "store/store_pay.h"
#include "util/err.h"
#include "util/xmem.h"

struct day {
	struct recon_till_pay *p;
	struct recon_till_refund *r;
	int np, nr, cp, cr;
};

static enum recon_till_state
till_state(const char *s)
{
	if (strcmp(s, "paid") == 0)
		return RECON_TILL_PAID;
	if (strcmp(s, "failed") == 0)
		return RECON_TILL_FAILED;
	if (strcmp(s, "reversed") == 0)
		return RECON_TILL_REVERSED;
	return RECON_TILL_UNKNOWN;
}

static int
on_pay(void *arg, const struct store_pay *p)
{
	struct day *d = arg;

	if (d->np == d->cp) {
		d->cp = d->cp ? d->cp * 2 : 64;
		d->p = xrealloc(d->p, (size_t)d->cp * sizeof *d->p);
	}
	d->p[d->np].out_trade_no = xstrdup(p->out_trade_no);
	d->p[d->np].state = till_state(p->state);
	d->p[d->np].total_fen = p->amount_fen;
	d->p[d->np].voucher_fen = p->voucher_fen;
	d->np++;
	return 0;
}

static int
on_refund(void *arg, const struct store_refund *r, const char *otn)
{
	struct day *d = arg;

	if (strcmp(r->state, "failed") == 0)
		return 0; /* nothing was given back */
	if (d->nr == d->cr) {
		d->cr = d->cr ? d->cr * 2 : 16;
		d->r = xrealloc(d->r, (size_t)d->cr * sizeof *d->r);
	}
	d->r[d->nr].out_trade_no = xstrdup(otn);
	d->r[d->nr].out_refund_no = xstrdup(r->out_refund_no);
	d->r[d->nr].refund_fen = r->amount_fen;
	d->r[d->nr].done = strcmp(r->state, "success") == 0;
	d->nr++;
	return 0;
}

int
recon_store_diff(struct store *st, const struct recon_bill *b,
    const char *device, int64_t from, int64_t to, struct recon_result *out)
{
	struct day d;
	int rc, i;

	memset(&d, 0, sizeof d);
	memset(out, 0, sizeof *out);
	rc = store_pay_day(st, from, to, on_pay, on_refund, &d);
	if (rc == 0)
		recon_diff(b, device, d.p, d.np, d.r, d.nr, out);
	for (i = 0; i < d.np; i++)
		free((char *)d.p[i].out_trade_no);
	for (i = 0; i < d.nr; i++) {
		free((char *)d.r[i].out_trade_no);
		free((char *)d.r[i].out_refund_no);
	}
	free(d.p);
	free(d.r);
	return rc;
}
