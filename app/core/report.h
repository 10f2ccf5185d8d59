/*
 * report.h — what a period's figures mean, defined once for the X/Z
 * screens (the session), `quan report` and `quan status`. A redemption
 * row counts in exactly one figure, by its state and, for a card coupon
 * used at WeChat whose sale was voided, its reason. "Redeemed" is what
 * customers were given: confirmed or accepted offline, never a coupon
 * still being decided or settled (pending, unknown: nothing granted by
 * it yet), nor a card coupon kept by WeChat after a void.
 */
#ifndef QUAN_REPORT_H
#define QUAN_REPORT_H

#include <stdint.h>

#include "store/store_pay.h"
#include "words/words.h"

struct json_t;
struct store;

enum report_fig {
	REPORT_REDEEMED = 0, /* confirmed, accepted_offline */
	REPORT_OPEN,         /* pending, unknown */
	REPORT_KEPT,         /* voided, not returnable (card) */
	REPORT_RETURNED,     /* return_pending, returned */
	REPORT_REJECTED,
	REPORT_CONFLICT,
	REPORT_FIG_COUNT
};

struct report_figs {
	int64_t n[REPORT_FIG_COUNT];
	int64_t fen[REPORT_FIG_COUNT];
};

/* The figure of a row: its state and stored reason (NULL: none). */
enum report_fig report_fig(enum checkout_cstate state, const char *reason);
/* The same from text (the hub's columns, tests), where a group may also
 * be named "voided_not_returnable" (the kept ones). An unknown state
 * counts as REPORT_OPEN. */
enum report_fig report_fig_of(const char *state, const char *reason);
/* Its id for JSON: "redeemed", "open", "kept", "returned", "rejected",
 * "conflict". */
const char *report_fig_id(enum report_fig f);
/* Count n rows worth fen of state/reason (text, as report_fig_of) into
 * *f. */
void report_add(struct report_figs *f, const char *state,
    const char *reason, int64_t n, int64_t fen);
/* A group's name for screens and JSON: the state's, or
 * "voided_not_returnable" for the kept group. */
const char *report_group_name(enum checkout_cstate state, int kept);
/* Count a group of store_red_counts (kept: the voided, not returnable
 * card coupons) into *f. */
void report_add_group(struct report_figs *f, enum checkout_cstate state,
    int kept, int64_t n, int64_t fen);
/* An offline loss: a coupon the till granted offline (offline_at set,
 * a discount given) that WeChat then refused (rejected, or used by
 * another request: conflict). The customer kept the discount and nothing
 * pays for it. One definition for the sales list, a sale's lines
 * (checkout_load), the X/Z screens and `quan report`. */
int report_is_offline_loss(enum checkout_cstate state, int64_t offline_at,
    int64_t discount_fen);
/* The offline losses of the rows created in [from, to): how many, the
 * value, and (txns non-NULL, a JSON array) the sales they are in, each
 * once. The store's QUAN_E*. */
struct report_loss {
	int64_t n, fen;
};
int report_offline_losses(struct store *st, int64_t from, int64_t to,
    struct report_loss *out, struct json_t *txns);
/* The figures of the rows created in [from, to) (zeroed first). The
 * store's QUAN_E*. */
int report_period(struct store *st, int64_t from, int64_t to,
    struct report_figs *out);
/* What `quan report` shows for [from, to) as one JSON object (new in
 * *out): from, to (RFC 3339); redeemed {count, fen} as report_period
 * counts it; offline_losses {count, fen, txns [id]} (the value given
 * offline that WeChat refused, report_offline_losses); by_kind {kind: {state: {count, fen}}}, a card coupon kept by
 * WeChat after a void under "voided_not_returnable"; offline
 * {accepted_today, unsettled_exposure_fen} since from; outbox {pending,
 * unknown}; conflicts and rejections [{txn, code (masked), kind, target,
 * state, wx_code, reason, discount_fen}]; payments (report_payments_json);
 * hub_conflicts (report_hub_conflicts_json) (report_day.c). 0 or the store's
 * QUAN_E* with *cause (caller frees). */
int report_day_json(struct store *st, int64_t from, int64_t to,
    struct json_t **out, char **cause);
/* The store hub's conflicts naming this lane, journaled in [from, to) by
 * quan hub sync: a JSON array (new) of {hub_conflict, code (masked),
 * lane, request_no, holder_lane, holder_request_no, at}. Its size is the
 * X/Z screens' "hub conflicts" figure. */
struct json_t *report_hub_conflicts_json(struct store *st, int64_t from,
    int64_t to);
/* What `quan status` shows of the store, added to the object j:
 * outbox {depth, pending, unknown}, redemptions {state: {count,
 * discount_fen}} of all time, redeemed {count, fen} as report_period
 * counts it, offline {last_hour, exposure_fen}, cache {stocks, cards,
 * codes, stock_age_s, card_age_s}, payments of all time
 * (report_payments_json), definitions [{kind, id, type, state,
 * age_s}] (report_status.c). 0, or the store's QUAN_E* with *cause
 * (caller frees; j unchanged). */
int report_status_json(struct store *st, int64_t now, struct json_t *j,
    char **cause);
/* network {state, since, since_at, error} as the last sync of any
 * process saw it, added to j; nothing when no sync has run. */
void report_network_json(struct store *st, struct json_t *j);

/* The payments of the sales made in [from, to): paid by tender (WeChat
 * with what customers paid and what vouchers deducted, cash, other),
 * failed or reversed charges, charges still open. One definition for
 * the X/Z screens, `quan report` and `quan status`. */
int report_payments(struct store *st, int64_t from, int64_t to,
    struct store_pay_sums *out);
/* Count n payments of one (tender, state) group, with their amounts,
 * payer and voucher sums and voucher lines, into *o as report_payments
 * counts them (store_pay_sums): headquarters folds its rows with it. */
void report_pay_add(struct store_pay_sums *o, const char *tender,
    const char *state, int64_t n, int64_t amount_fen, int64_t payer_fen,
    int64_t voucher_fen, int64_t voucher_lines);
/* Those figures as JSON (new): paid, wechat {count, fen, payer_fen,
 * voucher_fen, vouchers}, cash {count, fen}, other {count, fen}, failed,
 * open (report_day.c). */
struct json_t *report_payments_json(const struct store_pay_sums *p);

/* The refunds made in [from, to) (by the refund's creation): a paid
 * payment stays paid in report_payments, its money back is counted here.
 * One definition for the X/Z screens and paper, `quan report` and the
 * store hub's chain view:
 *   refunded  — succeeded: count, amount, what went back to customers
 *               (the rest was WeChat vouchers'), by the payment's tender;
 *   open      — pending or processing (asked, not final yet);
 *   abnormal  — WeChat could not pay it back: a person must act;
 *   failed    — definitely not refunded (the sale stays paid). */
struct report_refunds {
	int64_t count, fen, payer_fen;
	int64_t wechat_count, wechat_fen;
	int64_t cash_count, cash_fen;
	int64_t other_count, other_fen;
	int64_t open_count, open_fen;
	int64_t abnormal_count, abnormal_fen;
	int64_t failed_count;
};
/* Count n refunds of one (tender, state) group into *o. */
void report_refund_add(struct report_refunds *o, const char *tender,
    const char *state, int64_t n, int64_t amount_fen, int64_t payer_fen);
/* The refunds of [from, to) (zeroed first). The store's QUAN_E*. */
int report_refunds(struct store *st, int64_t from, int64_t to,
    struct report_refunds *out);
/* As JSON (new): count, fen, payer_fen, by_tender {wechat, cash, other:
 * {count, fen}}, open {count, fen}, abnormal {count, fen}, failed. */
struct json_t *report_refunds_json(const struct report_refunds *r);

#endif
