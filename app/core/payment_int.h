/*
 * payment_int.h — private to the payment engine's files: payment.c (the
 * charges of this process: tenders, answers, requests, the view) and
 * payment_recover.c (what `quan sync` takes over: payments of gone
 * processes, unpaid sales, the card state, the blocking runner).
 */
#ifndef QUAN_PAYMENT_INT_H
#define QUAN_PAYMENT_INT_H

#include <stdint.h>

#include "core/payment.h"
#include "core/paysm.h"
#include "store/store_pay.h"

#define ADOPT_SILENT_S 120   /* an owner this quiet is taken for gone */
#define PAYMENTS_MAX 64      /* payments out at once in one process */

/* One payment out (not final, or final and not settled yet). */
struct entry {
	int64_t id;
	struct store_pay row;
	struct pay_machine m;
	int out;                  /* a request is out (answer awaited) */
	enum pay_op out_op;
	char auth_code[24];       /* until the charge is sent, then wiped */
	int reported;             /* final outcome reported by step */
	int userpaying;           /* USERPAYING seen */
	int adopted;              /* taken over: settled here when final */
	int64_t net_ms;           /* the sync thread's time on its requests */
	int nv;
	struct store_pay_voucher v[PAYMENT_VOUCHERS_MAX];
};

struct payment {
	struct checkout *co;
	struct store *st;
	const struct config *cfg;
	struct settle *se;
	struct pay_params params;
	struct entry *e[PAYMENTS_MAX];
	int n;
	int newly_final;
};

/* The payment out with row id, NULL when none. */
struct entry *payment_find(const struct payment *pm, int64_t id);
/* A stored phase name -> the phase (PAY_PH_QUERY when unknown). */
enum pay_phase payment_phase_parse(const char *s);

#endif
