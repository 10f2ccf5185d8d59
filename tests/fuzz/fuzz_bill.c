/* fuzz_bill.c — libFuzzer target for WeChat Pay's trade bill reader and
 * the reconcile diff over what it read (app/core/bill.c, reconcile.c).
 *
 * Checks the reader's promises, not only "no crash": a refused bill
 * leaves nothing behind and says why; a read bill has at most
 * RECON_BILL_MAX_ROWS rows, each with an out_trade_no, amounts ≥ 0 or -1
 * (absent) except the fee; the diff against a till made from the bill's
 * own rows finds every paid order matched (so a mismatch is a bug of the
 * engine, not of the input), and both reports render. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/reconcile.h"
#include "util/xmem.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
check_rows(const struct recon_bill *b)
{
	int i;

	if (b->n < 0 || b->n > RECON_BILL_MAX_ROWS)
		abort();
	for (i = 0; i < b->n; i++) {
		const struct recon_wx_row *r = &b->rows[i];

		if (r->out_trade_no[0] == '\0' || r->line < 2)
			abort();
		if (r->total_fen < 0 || r->settlement_fen < 0 ||
		    r->voucher_fen < 0 || r->refund_fen < -1 ||
		    r->voucher_refund_fen < -1)
			abort();
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct recon_bill b;
	struct recon_result r;
	struct recon_till_pay *pays;
	char *cause = NULL, *t, *j;
	int i, np = 0, paid_once;

	if (recon_bill_parse((const char *)data, size, &b, &cause) != 0) {
		if (cause == NULL || b.rows != NULL || b.n != 0)
			abort();
		free(cause);
		return 0;
	}
	if (cause != NULL)
		abort();
	check_rows(&b);
	/* the till agrees with every paid row whose order is paid once and
	 * never revoked: those must all match */
	pays = xcalloc((size_t)b.n + 1, sizeof *pays);
	for (i = 0; i < b.n; i++) {
		int k, other = 0;

		if (b.rows[i].state != RECON_WX_SUCCESS)
			continue;
		for (k = 0; k < b.n; k++)
			if (k != i && strcmp(b.rows[k].out_trade_no,
			    b.rows[i].out_trade_no) == 0 &&
			    b.rows[k].state != RECON_WX_REFUND)
				other = 1;
		if (other)
			continue;
		pays[np].out_trade_no = b.rows[i].out_trade_no;
		pays[np].state = RECON_TILL_PAID;
		pays[np].total_fen = b.rows[i].total_fen;
		pays[np].voucher_fen = b.rows[i].voucher_fen;
		np++;
	}
	recon_diff(&b, NULL, pays, np, NULL, 0, &r);
	paid_once = np;
	for (i = 0; i < r.n; i++)
		if (r.d[i].kind == RECON_AMOUNT ||
		    r.d[i].kind == RECON_VOUCHER ||
		    r.d[i].kind == RECON_MISSING_AT_WECHAT)
			abort();
	if (r.matched < paid_once)
		abort();
	t = recon_text(&r, "2026-12-01");
	j = recon_json(&r, "2026-12-01");
	if (t == NULL || j == NULL)
		abort();
	free(t);
	free(j);
	recon_result_free(&r);
	free(pays);
	recon_bill_free(&b);
	return 0;
}
