/*
 * receipt.c — the receipt of a stored sale (receipt.h). Everything comes
 * from the store — the sale, the coupons granted, the paid payment and
 * its vouchers — so the receipt at the till and every reprint are the
 * same bytes.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/checkout.h"
#include "core/coupon.h"
#include "core/paysm.h"
#include "core/receipt.h"
#include "store/store.h"
#include "store/store_pay.h"
#include "util/config.h"
#include "util/err.h"
#include "util/str.h"
#include "util/tm.h"
#include "util/xmem.h"

enum receipt_lang
receipt_lang_of(const struct config *cfg)
{
	return cfg != NULL && cfg->language != NULL &&
	    strcmp(cfg->language, "en") == 0 ? RECEIPT_EN : RECEIPT_ZH;
}

/* A coupon line the customer was given: confirmed by WeChat or accepted
 * offline (report.h's "redeemed"). */
static int
granted(const struct checkout_line *l)
{
	return l->state == CHECKOUT_CONFIRMED ||
	    l->state == CHECKOUT_ACCEPTED_OFFLINE;
}

static void
add_discount(struct receipt_sale *o, enum receipt_discount_kind kind,
    const char *name, const char *code, int64_t fen)
{
	int i = o->r.ndiscounts;

	if (i >= RECEIPT_DISCOUNTS_MAX)
		return;
	str_copy(o->names[i], sizeof o->names[i], name);
	str_copy(o->codes[i], sizeof o->codes[i], code != NULL ? code : "");
	o->d[i].kind = kind;
	o->d[i].name = o->names[i];
	o->d[i].code = code != NULL ? o->codes[i] : NULL;
	o->d[i].fen = fen;
	o->r.ndiscounts++;
}

/* The paid payment of the sale, with its vouchers. 0 when there is
 * none (the coupons paid it all). */
static int
payment(struct store *st, int64_t txn, struct receipt_sale *o,
    int64_t *due)
{
	struct store_pay p;
	struct store_pay_voucher v[PAY_VOUCHERS_MAX];
	int i, n = 0, rc;

	rc = store_pay_for_txn(st, txn, &p);
	if (rc == QUAN_ENOTFOUND)
		return 0;
	if (rc != 0)
		return rc;
	if (pay_outcome_parse(p.state) != PAY_PAID)
		return 0;
	*due = p.amount_fen;
	str_copy(o->out_trade_no, sizeof o->out_trade_no, p.out_trade_no);
	if (strcmp(p.tender, "wechat") == 0) {
		o->r.tender = RECEIPT_TENDER_WECHAT;
		o->r.paid_fen = p.payer_fen;
		str_copy(o->transaction_id, sizeof o->transaction_id,
		    p.transaction_id);
		o->r.transaction_id = o->transaction_id;
		if ((rc = store_pay_vouchers_get(st, p.id, v, PAY_VOUCHERS_MAX,
		    &n)) != 0)
			return rc;
		for (i = 0; i < n && i < PAY_VOUCHERS_MAX; i++)
			add_discount(o, RECEIPT_VOUCHER, v[i].name[0] ?
			    v[i].name : v[i].id, NULL, v[i].amount_fen);
		if (n == 0 && p.voucher_fen > 0) /* a classic coupon_fee */
			add_discount(o, RECEIPT_VOUCHER, "", NULL,
			    p.voucher_fen);
	} else if (strcmp(p.tender, "cash") == 0) {
		o->r.tender = RECEIPT_TENDER_CASH;
		o->r.paid_fen = p.tendered_fen;
		o->r.change_fen = p.change_fen;
	} else {
		o->r.tender = RECEIPT_TENDER_OTHER;
		o->r.paid_fen = p.amount_fen;
		str_copy(o->ref, sizeof o->ref, p.reference);
		o->r.tender_ref = o->ref;
	}
	return 0;
}

int
receipt_of_sale(struct checkout *co, struct store *st,
    const struct config *cfg, int64_t txn_id, enum receipt_lang lang,
    struct receipt_sale *o)
{
	struct store_txn t;
	struct checkout_txn *ct;
	struct tm lt;
	int64_t due;
	int i, rc;

	memset(o, 0, sizeof *o);
	if ((rc = store_txn_get(st, txn_id, &t)) != 0)
		return rc;
	if (t.state != TXN_CLOSED)
		return QUAN_EINVAL;
	ct = xcalloc(1, sizeof *ct);
	if ((rc = checkout_load(co, txn_id, ct)) != 0) {
		free(ct);
		return rc;
	}
	o->r.lang = lang;
	str_copy(o->store_name, sizeof o->store_name,
	    cfg->printer_header[0] != '\0' ? cfg->printer_header :
	    cfg->store_id[0] != '\0' ? cfg->store_id : "quan");
	str_copy(o->store_id, sizeof o->store_id, cfg->store_id);
	str_copy(o->terminal_id, sizeof o->terminal_id, cfg->term_id);
	str_copy(o->cashier, sizeof o->cashier, t.cashier);
	tm_local(t.closed_at > 0 ? t.closed_at : t.opened_at, &lt);
	strftime(o->time, sizeof o->time, "%Y-%m-%d %H:%M:%S", &lt);
	o->r.store_name = o->store_name;
	o->r.store_id = o->store_id;
	o->r.terminal_id = o->terminal_id;
	o->r.cashier = o->cashier;
	o->r.time = o->time;
	o->r.discounts = o->d;
	o->r.subtotal_fen = t.amount_fen;
	for (i = 0; i < ct->nlines; i++) {
		const struct checkout_line *l = &ct->lines[i];

		if (!granted(l))
			continue;
		add_discount(o, l->kind == CLASSIFY_CARD ?
		    RECEIPT_CARD_COUPON : RECEIPT_MERCHANT_COUPON,
		    l->name[0] ? l->name : l->target, l->code,
		    l->discount_fen);
	}
	free(ct);
	due = t.due_fen;
	/* the order number: the payment's, else the sale's own */
	snprintf(o->out_trade_no, sizeof o->out_trade_no, "T%lld",
	    (long long)txn_id);
	if ((rc = payment(st, txn_id, o, &due)) != 0)
		return rc;
	o->r.due_fen = due;
	o->r.out_trade_no = o->out_trade_no;
	return QUAN_OK;
}
