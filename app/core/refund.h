/*
 * refund.h — giving a paid sale's money back, without waiting on the
 * network (shared/docs/wechatpay-codepay.md §9):
 *
 *   refund_start: the refund row — out_refund_no (terminal id + "R" + the
 *                 terminal's key sequence), amount, the approving manager
 *                 — committed before any request (the store refuses more
 *                 than is left, and a second refund while one is under
 *                 way); a refund of the same payment left open by a
 *                 process that is gone is resumed, never made twice;
 *   ... the owner's loop applies the answers (settle's drain hands the
 *   refund answers to this module inside its transaction) and calls
 *   refund_step, which posts the request that is due: the refund, sent
 *   again with the same out_refund_no while WeChat has not accepted it,
 *   then queries until SUCCESS, CLOSED or ABNORMAL;
 *   refund_settle: a 'void' refund that succeeded voids the sale
 *   (merchant coupons returned, journaled). A partial refund leaves the
 *   sale closed.
 *
 * Cash and "other" payments are given back by the cashier: final at once.
 * `quan sync` takes over refunds whose process is gone (refund_adopt).
 * Main thread; one struct refund per process.
 */
#ifndef QUAN_REFUND_H
#define QUAN_REFUND_H

#include <stdint.h>

#include "core/paysm.h"

struct checkout;
struct config;
struct evq;
struct settle;
struct store;

enum refund_state {
	REFUND_PENDING = 0,   /* not accepted by WeChat yet: (re)sent */
	REFUND_PROCESSING,    /* accepted: queried until final */
	REFUND_SUCCESS,
	REFUND_FAILED,        /* definitely not refunded (reason in err) */
	REFUND_ABNORMAL       /* WeChat could not pay it back: a person */
};
const char *refund_state_name(enum refund_state s); /* "pending", ... */
/* 1 for SUCCESS, FAILED, ABNORMAL. */
int refund_state_final(enum refund_state s);

struct refund_view {
	int64_t id, txn_id, payment_id;
	enum refund_state state;
	enum pay_err err;             /* why failed (NONE) */
	int void_sale;                /* kind void: the sale is voided */
	int resumed;                  /* refund_start took over an open one */
	char tender[8];               /* the payment's */
	char out_refund_no[33];
	char refund_id[72];
	char approved_by[33];
	int64_t amount_fen, total_fen;
	int64_t payer_fen, voucher_fen; /* -1 while unknown */
	int64_t left_fen;             /* of the payment, after this one */
};

struct refund;

/* se NULL: no network (cash and other only). Borrows everything. Sets
 * settle's refund hook. */
struct refund *refund_new(struct checkout *co, struct store *st,
    const struct config *cfg, struct settle *se);
/* Refunds still out stay open in the store for `quan sync`. NULL-safe. */
void refund_free(struct refund *rf);

/* Refund amount_fen (0: all that is left) of the paid payment of txn_id;
 * void_sale: the sale is voided once the money is back (amount_fen must
 * then be 0). by: the manager who approved (1..32 bytes).
 * *id the refund; 0 with QUAN_OK when void_sale and nothing is left to
 * give back (the sale may be voided at once).
 * QUAN_ENOTFOUND: the sale has no paid payment; QUAN_ETOOBIG: more than
 * is left (or nothing is left); QUAN_EBUSY: a refund of another amount,
 * or one a live process drives, is under way; QUAN_ENET: a WeChat
 * payment and no network; store errors. */
int refund_start(struct refund *rf, int64_t txn_id, int64_t amount_fen,
    int void_sale, const char *by, int64_t *id);

/* Post the requests that are due; 1 when some refund became final since
 * the last call, else 0. */
int refund_step(struct refund *rf);
/* ms until refund_step must run at the latest; -1 when none is out. */
int refund_timeout_ms(const struct refund *rf);
/* Refunds not final here. */
int refund_active(const struct refund *rf);
int refund_view(struct refund *rf, int64_t id, struct refund_view *out);

/* After SUCCESS of a 'void' refund: void the sale (idempotent); other
 * states: nothing. Drops the refund from this process when final. */
int refund_settle(struct refund *rf, int64_t id);

/* `quan sync`: take over refunds under way whose process is gone, and
 * void the sales of 'void' refunds that succeeded. *n may be NULL. */
int refund_adopt(struct refund *rf, int *n);
/* Refunds under way in the store (0 also on a store error). */
int refund_open_count(struct store *st);
/* The alarm a manager must act on: refunds that ended ABNORMAL (WeChat
 * could not pay the money back — the customer's account closed or
 * frozen — so a person pays it back by hand and records it at 商户平台).
 * *n and *fen; 0 or QUAN_E*. Shown by the status bar, `quan status` and
 * the X report, worded by the reason table (REASON_REFUND_ABNORMAL). */
int refund_alarm(struct store *st, int64_t *n, int64_t *fen);

/* One-shot commands: apply results from the queue and step until refund
 * id is final or wait_ms passed. The state then. */
enum refund_state refund_run(struct refund *rf, struct evq *results,
    int64_t id, int64_t wait_ms);

#endif
