/*
 * store_pay.h — a sale's payments in the store: one row per charge (a
 * WeChat payment code, cash or another tender), with its out_trade_no
 * committed before any request and every answer persisted, and the
 * vouchers WeChat deducted inside a paid charge.
 *
 * Invariant (checked by the database, inside the transaction that
 * commits, whatever process asks): a sale has at most one live payment —
 * pending, paid or unknown. A new charge for the same sale is refused
 * (QUAN_EEXIST) until the previous one is definitively failed or
 * reversed. Main thread of whichever process owns the store handle.
 */
#ifndef QUAN_STORE_PAY_H
#define QUAN_STORE_PAY_H

#include <stddef.h>
#include <stdint.h>

struct store;

/* Migration 6 -> 7 (store.c's schema list). */
extern const char store_pay_schema[];

struct store_pay {
	int64_t id;
	int64_t txn_id;
	char out_trade_no[33];
	char tender[8];            /* wechat | cash | other */
	char state[12];            /* pending|paid|failed|reversed|unknown */
	char phase[12];            /* pay|query|confirm|reverse|done */
	int64_t amount_fen;        /* asked (the sale's due) */
	int64_t payer_fen;         /* the customer's own money */
	int64_t voucher_fen;       /* deducted by WeChat vouchers */
	int64_t settlement_fen;    /* what the merchant is settled */
	int64_t tendered_fen;      /* cash handed over (cash) */
	int64_t change_fen;        /* cash given back */
	char reference[65];        /* other: the cashier's reference */
	char transaction_id[40];   /* WeChat's, once paid */
	char reason[48];           /* pay_err_name of the last error, "" */
	char auth_hash[17];        /* 16 hex of SHA-256(code): never the code */
	int64_t t0_ms;             /* epoch ms the charge was first sent */
	int64_t requests;          /* requests sent (pay, queries, reverses) */
	int64_t reverses;
	int64_t created_at, updated_at; /* epoch s */
	int64_t owner;             /* pid of the process driving it: `quan
				      sync` takes over an open payment only
				      when that process is gone */
};

struct store_pay_voucher {
	int idx;
	char id[65];
	char name[129];
	char type[12];             /* prefunded | nocash */
	char stock_id[65];
	int64_t amount_fen;
};

/* Insert (sets p->id). QUAN_EEXIST: the sale already has a live payment,
 * or the out_trade_no was used. Inside the caller's transaction. */
int store_pay_insert(struct store *s, struct store_pay *p);
int store_pay_update(struct store *s, const struct store_pay *p);
int store_pay_get(struct store *s, int64_t id, struct store_pay *out);
/* The sale's live payment (pending/paid/unknown), else the last one;
 * QUAN_ENOTFOUND when the sale has none. */
int store_pay_for_txn(struct store *s, int64_t txn_id, struct store_pay *out);
/* Every payment of a sale, oldest first, each with how many voucher
 * lines it has; fn's non-zero return stops and is returned. */
typedef int (*store_pay_fn)(void *arg, const struct store_pay *p,
    int64_t voucher_lines);
int store_pay_list_txn(struct store *s, int64_t txn_id, store_pay_fn fn,
    void *arg);
/* Ids of payments still pending or unknown, oldest first (recovery). */
int store_pay_list_open(struct store *s, int64_t *ids, int max, int *n);

/* Replace the vouchers of a payment. */
int store_pay_vouchers_put(struct store *s, int64_t pay_id,
    const struct store_pay_voucher *v, int n);
/* Up to max into v; *n the count stored. */
int store_pay_vouchers_get(struct store *s, int64_t pay_id,
    struct store_pay_voucher *v, int max, int *n);

/* The figures of the payments made (created_at) in [from, to). */
struct store_pay_sums {
	int64_t paid_count;          /* paid payments, every tender */
	int64_t wechat_count, wechat_fen;   /* paid by payment code (total) */
	int64_t payer_fen;           /* of which the customers' own money */
	int64_t voucher_count, voucher_fen; /* voucher lines and their sum */
	int64_t cash_count, cash_fen;
	int64_t other_count, other_fen;
	int64_t failed_count;        /* failed or reversed charges */
	int64_t unknown_count;       /* pending or unknown now */
};
int store_pay_sums(struct store *s, int64_t from, int64_t to,
    struct store_pay_sums *out);

/* ---- refunds ---------------------------------------------------------- */

/* Migration 8 -> 9 (store_sql.c's schema list). */
extern const char store_refund_schema[];

/* One refund of a paid payment: its out_refund_no committed before any
 * request and sent unchanged on every retry. Invariants (the database's,
 * inside the committing transaction): a payment has at most one refund
 * under way (pending or processing); its refunds that are not failed
 * never add up to more than it took (QUAN_EINVAL); a sale with a paid
 * payment is voided only once every fen of it is back (QUAN_EINVAL). */
struct store_refund {
	int64_t id;
	int64_t txn_id, payment_id;
	char out_refund_no[33];
	char kind[8];              /* void | partial */
	char state[12];            /* pending|processing|success|failed|
				      abnormal */
	int64_t amount_fen;        /* refunded (asked) */
	int64_t total_fen;         /* the payment's total */
	int64_t payer_fen;         /* back to the customer (-1 unknown) */
	int64_t voucher_fen;       /* the vouchers' share (-1 unknown) */
	char refund_id[72];        /* WeChat's */
	char reason[48];           /* pay_err_name of the last error, "" */
	char approved_by[33];      /* the manager */
	int64_t requests;
	int64_t next_at;           /* epoch ms of the next request */
	int64_t created_at, updated_at; /* epoch s */
	int64_t owner;             /* pid of the process driving it */
};

/* Insert (sets r->id): QUAN_EEXIST a refund of that payment is under way
 * (or the out_refund_no was used); QUAN_EINVAL more than is left. */
int store_refund_insert(struct store *s, struct store_refund *r);
int store_refund_update(struct store *s, const struct store_refund *r);
int store_refund_get(struct store *s, int64_t id, struct store_refund *out);
/* The payment's refund under way; QUAN_ENOTFOUND when none. */
int store_refund_open_of(struct store *s, int64_t payment_id,
    struct store_refund *out);
/* Fen of the payment's refunds that are not failed (given or on their
 * way) / that succeeded. */
int store_refund_sum(struct store *s, int64_t payment_id, int64_t *live,
    int64_t *done);
/* Refunds that ended ABNORMAL (WeChat could not pay the customer back:
 * a person must): how many, and their fen. */
int store_refund_abnormal(struct store *s, int64_t *n, int64_t *fen);
/* Ids of refunds under way, and of 'void' refunds that succeeded whose
 * sale is not voided yet (recovery), oldest first. */
int store_refund_list_open(struct store *s, int64_t *ids, int max, int *n);

/* Each WeChat payment (fn_pay) and each refund of one (fn_refund) created
 * in [from, to), oldest first: the till's side of a day's trade bill.
 * A callback's non-zero return stops the walk and is returned. */
int store_pay_day(struct store *s, int64_t from, int64_t to,
    int (*fn_pay)(void *arg, const struct store_pay *p),
    int (*fn_refund)(void *arg, const struct store_refund *r,
    const char *out_trade_no), void *arg);

/* The refunds created in [from, to), grouped by the refunded payment's
 * tender and the refund's state: fn gets each group's count, amount and
 * what went back to customers (known payer shares); its non-zero return
 * stops the walk and is returned (store_refsum.c). */
typedef int (*store_refund_group_fn)(void *arg, const char *tender,
    const char *state, int64_t n, int64_t amount_fen, int64_t payer_fen);
int store_refund_groups(struct store *s, int64_t from, int64_t to,
    store_refund_group_fn fn, void *arg);
/* ---- card coupons held until the sale is paid (migration 9 -> 10) --- */

/* Migration 9 -> 10: txns.pay_owner, the pid of the process that is to
 * take the sale's payment (0: none is taken here — `quan redeem`, and
 * every sale an older quan wrote). */
extern const char store_paycard_schema[];

/* A card consume row held until its sale is paid: its next_at. The sync
 * pump never finds it due (not even `quan sync --once`); it leaves only
 * once store_outbox_release_txn has run, inside the transaction that
 * makes the payment paid or closes the sale. */
#define STORE_OUTBOX_HELD INT64_MAX

/* The process that is to pay txn_id (set in the first commit of a sale
 * paid at this till). Inside the caller's transaction. */
int store_txn_set_pay_owner(struct store *s, int64_t txn_id, int64_t pid);
/* Release the held consume rows of txn_id's granted card coupons
 * (confirmed or accepted offline): due at now. *n (may be NULL) counts
 * them. Inside the caller's transaction. */
int store_outbox_release_txn(struct store *s, int64_t txn_id, int64_t now,
    int *n);
/* Hold the pending (never sent) consume row of redemption red_id again
 * (a manager's override put it back to pending). */
int store_outbox_hold(struct store *s, int64_t red_id);
/* 1 when the consume row of redemption red_id is held (never sent), 0
 * when not, < 0 on an error. */
int store_outbox_held(struct store *s, int64_t red_id);
/* The consume row of card redemption red_id: its state (pending,
 * unknown, done, cancelled) into state (n bytes) and *held 1 when it is
 * held for the payment. QUAN_ENOTFOUND when it has none. */
int store_card_consume_of(struct store *s, int64_t red_id, char *state,
    size_t n, int *held);
/* Sales decided (redeemed) to be paid here that have no live payment
 * (pending, paid or unknown) and were opened before `before`: ids and
 * their pay_owner, oldest first, at most max (recovery). */
int store_txn_list_unpaid(struct store *s, int64_t before, int64_t *ids,
    int64_t *owners, int max, int *n);

#endif
