/*
 * pay_int.h — what the payment files (pay.c, payv2.c, payv3.c,
 * payclient.c) share: the promotion_detail reader used by both APIs and
 * the voucher sums. Not for use outside app/net.
 */
#ifndef QUAN_PAY_INT_H
#define QUAN_PAY_INT_H

#include <jansson.h>

#include "net/pay.h"

/* Append the entries of a promotion_detail array (v3, or v2 with
 * version=1.0) to a->v. NULL/null is none. 0, or -1 when an entry is
 * malformed or there are more than PAY_VOUCHERS_MAX. */
int pay_promotions(json_t *arr, struct pay_answer *a);
/* Fill voucher_fen (total − payer when both are known, else Σ amounts)
 * and settlement_fen (total − Σ NOCASH, unless the answer gave it). */
void pay_sums(struct pay_answer *a);

/* Mark *a as an answer that cannot be believed (QUAN_EPROTO,
 * PAY_E_BAD_REPLY, no trade state, no vouchers), why in a->text. */
void pay_untrusted(struct pay_answer *a, const char *why);

#endif
