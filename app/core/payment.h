/*
 * payment.h — a sale's payment, taken without waiting on the network
 * (shared/docs/wechatpay-codepay.md §6, §11):
 *
 *   payment_charge: the payment row — out_trade_no (terminal id + "P" +
 *                   the per-terminal sequence of the redemption keys),
 *                   amount, state pending — committed before any request
 *                   (the store refuses a second live charge for a sale);
 *   ... the owner's loop applies sync results (settle_drain hands the
 *   payment answers to this module inside its transaction: each answer
 *   fed to the sale's pay_machine and persisted) and calls payment_step,
 *   which posts the request the machine asks for when it is due (the
 *   charge, queries until a final state or the deadline, then reverses,
 *   never before 15 s) — every one with the same out_trade_no;
 *   payment_settle_sale: paid → the sale is closed; failed or reversed →
 *   the sale is voided: merchant coupons given back (journaled, returns
 *   sent), card coupons untouched.
 *
 * Cash (tendered, change) and "other" (a reference the cashier types)
 * are final at once and need no network. `quan sync` adopts the open
 * payments of a process that is gone (kill -9, power loss) and drives
 * them to the end with the same out_trade_no (payment_adopt).
 * Main thread; one struct payment per process.
 */
#ifndef QUAN_PAYMENT_H
#define QUAN_PAYMENT_H

#include <stdint.h>

#include "core/paysm.h"
#include "store/store_pay.h"

struct checkout;
struct config;
struct evq;
struct settle;
struct store;

enum payment_tender {
	PAYMENT_T_NONE = 0,   /* nothing was due (coupons paid it all) */
	PAYMENT_T_WECHAT,     /* 付款码 */
	PAYMENT_T_CASH,
	PAYMENT_T_OTHER       /* card terminal, paper voucher: a reference */
};
const char *payment_tender_name(enum payment_tender t); /* "wechat"... */

#define PAYMENT_VOUCHERS_MAX PAY_VOUCHERS_MAX

/* What a payment is now (store row + the live machine). */
struct payment_view {
	int64_t id, txn_id;
	enum payment_tender tender;
	enum pay_outcome outcome;     /* PENDING while out */
	enum pay_phase phase;
	enum pay_err err;             /* why failed / unknown (NONE) */
	char out_trade_no[33];
	char transaction_id[40];
	char reference[65];
	int64_t amount_fen;           /* asked */
	int64_t payer_fen;            /* the customer's own money */
	int64_t voucher_fen;          /* WeChat vouchers */
	int64_t tendered_fen, change_fen;
	int64_t elapsed_ms;           /* since the charge was sent */
	int64_t net_ms;               /* of which WeChat and the network
					 (the sync thread's time on the
					 requests, this process only) */
	int waiting_customer;         /* USERPAYING seen: the customer is
					 entering the password */
	int nv;
	struct store_pay_voucher v[PAYMENT_VOUCHERS_MAX];
};

struct payment;

/* se NULL: no network (cash and other only). Borrows everything. Sets
 * the settle's payment hook. */
struct payment *payment_new(struct checkout *co, struct store *st,
    const struct config *cfg, struct settle *se);
/* Frees; payments still out stay open in the store for `quan sync`.
 * NULL-safe. */
void payment_free(struct payment *pm);

/* Charge amount_fen (>= 1) on the sale txn_id with a payment code:
 * commits the row, then the charge goes out at the next payment_step.
 * QUAN_EEXIST: the sale has a live payment (pending, paid or unknown);
 * QUAN_ENET: no network; QUAN_EINVAL: bad amount or code; store errors.
 * *id the payment. */
int payment_charge(struct payment *pm, int64_t txn_id, int64_t amount_fen,
    const char *auth_code, int64_t *id);
/* Cash: tendered_fen >= amount_fen (QUAN_EINVAL otherwise); change =
 * tendered - amount. Final (paid) at once. */
int payment_cash(struct payment *pm, int64_t txn_id, int64_t amount_fen,
    int64_t tendered_fen, int64_t *id);
/* Another tender with the cashier's reference (1..64 printable bytes).
 * Final (paid) at once. */
int payment_other(struct payment *pm, int64_t txn_id, int64_t amount_fen,
    const char *reference, int64_t *id);

/* Post the requests that are due; 1 when some payment became final since
 * the last call (payment_view says how), else 0. Errors are logged: the
 * row stays, the request goes out at a later step. */
int payment_step(struct payment *pm);
/* ms until payment_step must run at the latest; -1 when none is out. */
int payment_timeout_ms(const struct payment *pm);
/* Payments out (not final). */
int payment_active(const struct payment *pm);
/* The cashier cancels (→ reverse, not before 15 s after the charge; a
 * charge not sent yet is failed at once, reason cancelled, nothing to
 * reverse) /
 * "the customer says it is paid" (→ query now). QUAN_ENOTFOUND when id is
 * not out here. */
int payment_cancel(struct payment *pm, int64_t id);
int payment_query_now(struct payment *pm, int64_t id);
/* The payment as it is now. QUAN_ENOTFOUND. */
int payment_view(struct payment *pm, int64_t id, struct payment_view *out);

/* After a final outcome: paid → close the sale; failed / reversed → void
 * it (merchant coupons returned, returns sent now when online); unknown →
 * nothing (a person or `quan sync` settles it). Idempotent. */
int payment_settle_sale(struct payment *pm, int64_t id);

/* `quan sync`: take over the open payments whose process is gone (its
 * pid not alive, or silent for 120 s): they are queried (then reversed)
 * with their out_trade_no, and settled when final. *n (may be NULL)
 * counts them. */
int payment_adopt(struct payment *pm, int *n);
/* Is the process that drives a row (its pid, owner) gone: not alive, or
 * the row silent for 120 s? Never this process. Refunds use it too. */
int payment_owner_gone(int64_t owner, int64_t updated_at, int64_t now);
/* Recovery of a sale redeemed to be paid here (checkout_set_pay_after)
 * that never got a payment: the process died between the redeem's
 * decision and the payment row. Such a sale, opened more than
 * older_than_s ago, whose payer process (txns.pay_owner) is gone (not
 * alive: a terminal showing DUE is left alone however long), is voided
 * like a failed payment: merchant coupons returned (queued), card
 * coupons only checked stay unconsumed. *n counts them. Run by `quan
 * sync` and `quan sale` with the redeem recovery (net_recover). */
int payment_recover_unpaid(struct checkout *co, struct store *st,
    int64_t older_than_s, int *n);
/* Are payments still open (pending or unknown) in the store, for a later
 * `quan sync` to settle? 1 when any, else 0 (also on a store error). */
int payment_open_count(struct store *st);

/* A sale paid (or closed with nothing to pay): its card coupons' held
 * consumes (checked at the redeem) become due now, journaled
 * (card_consume_release). Inside the caller's transaction — the one that
 * makes the payment paid or closes the sale, so a crash leaves either
 * both or neither and `quan sync` sends them exactly once. */
int payment_release_cards(struct store *st, int64_t txn_id, int64_t now);

/* What became of a card coupon (redemption red_id) of a sale paid here,
 * for the JSON and the screen: "checked" (code/get passed, consume held
 * for the payment), "consume_pending" (paid; the consume is queued or
 * out), "consumed", "consume_refused" (paid, WeChat refused the
 * consume: a loss line), "not_consumed" (the sale was not paid: left
 * untouched), "refused" (the check refused it), else "" (not a card of
 * such a sale, or the row's state says it all). */
const char *payment_card_state(struct store *st, int64_t red_id);

/* One-shot commands: apply results from the queue (its only reader
 * meanwhile) and step until payment id is final. The final outcome. */
enum pay_outcome payment_run(struct payment *pm, struct evq *results,
    int64_t id);

#endif
