/*
 * pcoupon_sale.h — 商品券 in a sale: found by the scanned code in the
 * registry, priced locally (pcoupon_rules.h), then used against the
 * sale's WeChat Pay order, exactly once:
 *
 *   pcsale_commit   one pc_uses row per priced coupon, its out_request_no
 *                   ("U_<out_trade_no>_<line>") and use_time fixed,
 *                   committed before any request (the store refuses a
 *                   second live use of a coupon);
 *   pay first       (default, [product_coupon] order = pay_first): the
 *                   payment code is charged the reduced amount; once paid,
 *                   pcsale_paid sets transaction_id, then pcsale_send
 *                   posts `use` with associated_order_info.transaction_id;
 *   use first       (order = use_first): `use` with out_trade_no + mchid
 *                   goes out before the charge; a charge that then fails
 *                   returns the coupons (pcsale_payment_failed);
 *   retries         every resend carries the same out_request_no and the
 *                   same body (the row holds every field of it); a row
 *                   is marked sent (attempts++) before its job is posted,
 *                   so a crash leaves it to `quan sync` (pcsale_send with
 *                   txn 0 resends every open row);
 *   refund/void     pcsale_return_txn: used coupons get a return
 *                   ("R_<out_trade_no>_<line>"); of a bundle only the
 *                   latest used round (WeChat's rule, §4.2).
 *
 * A 商品券 needs the payment order: a sale paid by cash or another tender
 * cannot take one (REASON_PC_NEEDS_WECHAT_PAY, said before the cash is
 * taken), and without the network it is refused (REASON_PC_ONLINE_ONLY).
 * Main thread.
 */
#ifndef QUAN_PCOUPON_SALE_H
#define QUAN_PCOUPON_SALE_H

#include <stdint.h>

#include "core/pcoupon_rules.h"
#include "core/syncmsg.h"

struct config;
struct evq;
struct settle;
struct store;

#define PCSALE_LINES_MAX 8

/* One scanned 商品券 in a sale. */
struct pc_line {
	struct pc_coupon c;
	struct pc_product p;
	struct pc_stock k;
	int64_t item_price_fen;   /* SINGLE scope: as rung up; -1 none */
	struct pc_verdict v;      /* after pcsale_price */
};

struct pcsale;

/* se NULL: no network (every line is then refused online-only). Sets the
 * settle's 商品券 hook. Borrows everything. */
struct pcsale *pcsale_new(struct store *st, const struct config *cfg,
    struct settle *se);
void pcsale_free(struct pcsale *ps);   /* NULL-safe */

/* Is code a 商品券 of the registry? 1: *line filled (coupon and, when
 * known, its definitions; a code in two stocks is refused pc_ambiguous
 * at pricing), 0: not registered, < 0: store error. */
int pcsale_lookup(struct pcsale *ps, const char *code, struct pc_line *line);

/* Price n lines in order on the order amount and what remains after the
 * other coupons (remaining_fen); each takes its discount off what is left;
 * a code twice is refused (duplicate_code); offline (no network) every
 * line is refused offline_product_coupon. Fills line[i].v; *discount_fen
 * is the sum granted. */
void pcsale_price(struct pcsale *ps, struct pc_line *lines, int n,
    int64_t amount_fen, int64_t remaining_fen, int64_t now,
    int64_t *discount_fen);

/* Offline now (the network is down, the terminal's status): pricing
 * refuses every line online-only, as without a network. */
void pcsale_set_offline(struct pcsale *ps, int offline);
/* pcsale_price on the recorded sale txn_id (after its other coupons:
 * on its amount and stored due), then the granted discount taken off
 * its stored due in one transaction: the payment is asked for that. */
int pcsale_price_txn(struct pcsale *ps, struct pc_line *lines, int n,
    int64_t txn_id, int64_t now, int64_t *discount_fen);
/* A discount not granted after all (a use refused before the charge):
 * fen given back to the sale's stored due. */
int pcsale_ungrant(struct pcsale *ps, int64_t txn_id, int64_t fen);

/* Commit the usable lines as uses of sale txn_id paid through the order
 * out_trade_no (already created, not yet charged). One transaction.
 * QUAN_EEXIST: a coupon has a live use in another sale (nothing
 * written). *n (may be NULL) counts the rows. */
int pcsale_commit(struct pcsale *ps, int64_t txn_id,
    const struct pc_line *lines, int n, const char *out_trade_no,
    int use_first, int64_t order_fen, int64_t paid_fen, int64_t now,
    int *nrows);
/* Pay first: the order is paid (transaction_id); set it on the sale's
 * planned uses, committed before they are sent. */
int pcsale_paid(struct pcsale *ps, int64_t txn_id,
    const char *transaction_id, int64_t now);
/* The charge failed or was reversed: planned uses withdrawn (failed,
 * "payment_failed"), uses sent or done get their return queued. */
int pcsale_payment_failed(struct pcsale *ps, int64_t txn_id, int64_t now,
    int *nreturns);
/* Refund or void of a paid sale: used coupons (bundle: the latest used
 * round only; the others keep their reason pc_bundle_round) get their
 * return queued. *nreturns counts them. */
int pcsale_return_txn(struct pcsale *ps, int64_t txn_id, int64_t now,
    int *nreturns);

/* Post the requests due for sale txn_id (0: every open use of every
 * sale): sent uses and planned ones that may go (use first, or pay first
 * once paid), and queued returns. Each row is marked sent before its job
 * is posted. *posted (may be NULL) counts them. */
int pcsale_send(struct pcsale *ps, int64_t txn_id, int64_t now,
    int *posted);
/* `quan sync` after a crash: planned pay-first uses whose sale's payment
 * is final now get the transaction_id (paid) or are withdrawn / returned
 * (failed, reversed), then every open use is sent (pcsale_send, txn 0).
 * *posted (may be NULL) counts the jobs. */
int pcsale_resume(struct pcsale *ps, int64_t now, int *posted);
/* 1 when no use of txn_id is still out (every answer in). */
int pcsale_settled(struct pcsale *ps, int64_t txn_id);
/* 1 when some use is still open (planned and payable, sent, return
 * pending), for `quan sync --once`'s exit code. */
int pcsale_open(struct pcsale *ps);

/* An answer (the settle's hook calls it inside its drain transaction). */
int pcsale_apply(struct pcsale *ps, const struct sync_result *r,
    int64_t now);
/* Drain results until every use of txn_id is settled (used, failed,
 * returned, conflict) or wait_ms passed. 1: all settled; 0: some still
 * out (they stay for `quan sync`). */
int pcsale_run(struct pcsale *ps, struct evq *results, int64_t txn_id,
    int wait_ms);

/* Pay first, paid, then WeChat refused a use (used elsewhere meanwhile,
 * another customer's): the customer paid the reduced amount for a
 * discount not granted. The sum of those discounts (fen owed), 0 none. */
int64_t pcsale_shortfall(struct pcsale *ps, int64_t txn_id);
/* Journal it ("pc_shortfall": collect_fen, cashier) in one transaction,
 * for the day's reconciliation. */
int pcsale_journal_shortfall(struct pcsale *ps, int64_t txn_id,
    int64_t fen, const char *who, int64_t now);

/* The job of a use (ret 0) or its return (ret 1) / query (ret 2). */
void pcsale_job(const struct pc_use *u, int ret, struct sync_job *j);

#endif
