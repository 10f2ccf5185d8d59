/*
 * store_pcoupon.h — 商品券 (product coupons) in the store: the coupon
 * registry (which user coupon a scanned code is: its holder's openid, its
 * appid, product_coupon_id, stock_id, brand_id, state and validity) and
 * the definitions the till prices with (product coupons and stocks).
 *
 * The row types are core/pcoupon.h's plain structs (a header of types
 * only: the store links nothing of the core).
 *
 * Who writes what:
 *   - the callback receiver (app/net, PRODUCT_COUPON(_SP).SEND):
 *     store_pc_notified, then store_pc_confirmed once 确认发放 succeeded;
 *     store_pc_unconfirmed lists what is still to confirm;
 *   - `quan import product FILE` (core/pcoupon_import.c): store_pc_put,
 *     store_pc_product_put, store_pc_stock_put;
 *   - the till: store_pc_lookup on a scan, store_pc_set_state when WeChat
 *     told it a coupon's state (a use, a return, a query answer).
 *
 * Every call is one statement (atomic on its own) and may run inside the
 * caller's transaction. Main thread of whichever process owns the handle.
 */
#ifndef QUAN_STORE_PCOUPON_H
#define QUAN_STORE_PCOUPON_H

#include <stdint.h>

#include "core/pcoupon.h"

struct store;

/* Migration 7 -> 8 (store_sql.c's schema list). */
extern const char store_pc_schema[];

/* Add or update one registry row, keyed (code, stock_id). Fields given
 * empty/0 keep what the row had. The state never moves back in the
 * lifecycle (CONFIRMING < PENDING < EFFECTIVE < USED/EXPIRED/DELETED/
 * DEACTIVATED) unless force is set: a repeated SEND notification does not
 * undo a confirmation or a use; a query answer (WeChat's current state,
 * e.g. EFFECTIVE again after a return) passes force = 1. QUAN_EINVAL when
 * code or stock_id is empty or too long. */
int store_pc_put(struct store *s, const struct pc_coupon *c, int force);

/* A verified, decrypted PRODUCT_COUPON(_SP).SEND notification: the row as
 * store_pc_put(c, 0) with source PC_SRC_NOTIFY and state CONFIRMING when
 * c->state is PC_ST_UNKNOWN. QUAN_EEXIST (nothing written) when
 * c->notify_id was recorded before on this row (a redelivery). */
int store_pc_notified(struct store *s, const struct pc_coupon *c,
    int64_t now);

/* 确认发放 succeeded for (code, stock_id): confirm_request_no and
 * confirmed_at kept, state set to `state` (PENDING or EFFECTIVE, as the
 * confirm answer said). QUAN_ENOTFOUND when the row is unknown. */
int store_pc_confirmed(struct store *s, const char *code,
    const char *stock_id, const char *confirm_request_no,
    enum pc_state state, int64_t now);

/* Set a row's state as WeChat reported it (no lifecycle check). */
int store_pc_set_state(struct store *s, const char *code,
    const char *stock_id, enum pc_state state, int64_t now);

/* Rows still CONFIRMING and never confirmed by quan, oldest first, at
 * most max into out; *n their count. */
int store_pc_unconfirmed(struct store *s, struct pc_coupon *out, int max,
    int *n);

/* Coupons this till received by SEND and confirmed (确认发放), in the
 * order (confirmed_at, code, stock_id) after `after` (all zero/empty: from
 * the first), at most max: what `quan hub sync` passes on to the other
 * lanes. */
struct store_pc_key {
	int64_t confirmed_at;
	char code[PC_CODE_MAX + 1];
	char stock_id[PC_ID_MAX + 1];
};
int store_pc_confirmed_after(struct store *s, const struct store_pc_key *after,
    struct pc_coupon *out, int max, int *n);

/* The rows of a scanned code (any stock), at most max into out; *n the
 * number of rows found (may exceed max: a code in several stocks is
 * ambiguous). QUAN_OK with *n = 0 when the registry does not know it. */
int store_pc_lookup(struct store *s, const char *code, struct pc_coupon *out,
    int max, int *n);
/* One row; QUAN_ENOTFOUND when unknown. */
int store_pc_get(struct store *s, const char *code, const char *stock_id,
    struct pc_coupon *out);
/* The rows of one user coupon bundle (all its rounds), by round. */
int store_pc_bundle(struct store *s, const char *user_coupon_bundle_id,
    struct pc_coupon *out, int max, int *n);

/* Definitions: put replaces the row (keyed by product_coupon_id /
 * stock_id); get gives QUAN_ENOTFOUND when not known. */
int store_pc_product_put(struct store *s, const struct pc_product *p);
int store_pc_product_get(struct store *s, const char *product_coupon_id,
    struct pc_product *out);
int store_pc_stock_put(struct store *s, const struct pc_stock *st);
int store_pc_stock_get(struct store *s, const char *stock_id,
    struct pc_stock *out);

/* --- uses in sales (pc_uses) ------------------------------------------
 * Invariant (a partial unique index, inside the committing transaction
 * whatever process asks): a coupon (code, stock_id) has at most one live
 * use — planned, sent, used or return pending. */

/* Insert u (sets u->id). QUAN_EEXIST: the coupon has a live use already,
 * or the request number was used. */
int store_pc_use_insert(struct store *s, struct pc_use *u);
/* Rewrite the mutable fields (state, return_request_no, transaction_id,
 * paid_fen, attempts, ret_attempts, wx_code, reason, updated_at). */
int store_pc_use_update(struct store *s, const struct pc_use *u);
int store_pc_use_get(struct store *s, int64_t id, struct pc_use *out);
/* The uses of a sale by line, at most max; *n all of them. */
int store_pc_use_txn(struct store *s, int64_t txn_id, struct pc_use *out,
    int max, int *n);
/* Uses still to settle (planned, sent, return pending), oldest first. */
int store_pc_use_open(struct store *s, struct pc_use *out, int max, int *n);

/* Every (product_coupon_id, stock_id) the registry names, each once,
 * in order; fn borrows the strings, non-zero from fn stops. */
typedef int (*store_pc_ids_fn)(void *arg, const char *product_coupon_id,
    const char *stock_id);
int store_pc_ids(struct store *s, store_pc_ids_fn fn, void *arg);

/* Counts: registry rows, products, stocks. */
int store_pc_counts(struct store *s, int64_t *coupons, int64_t *products,
    int64_t *stocks);

#endif
