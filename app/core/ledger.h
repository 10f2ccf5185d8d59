/*
 * ledger.h — redemption state changes after redeem: the one place that
 * moves a coupon between states, closes its outbox row and journals the
 * change, all in one store transaction. The sync area's settle code calls
 * ledger_settle() with each answer from WeChat; the checkout engine uses
 * ledger_change() inside its own transactions. Main thread.
 */
#ifndef QUAN_LEDGER_H
#define QUAN_LEDGER_H

#include <stddef.h>
#include <stdint.h>

#include "core/coupon.h"

struct store;
struct store_red;
struct json_t;

/* Apply the final answer for outbox row outbox_id, in its own
 * transaction (the caller must not be inside one):
 *  - use/consume rows: state CHECKOUT_CONFIRMED, _REJECTED or _CONFLICT;
 *    a coupon voided meanwhile (return_pending) stays return_pending on
 *    "confirmed" (its return row then becomes due); a coupon the till
 *    refused after sending it (unknown/rejected with no discount granted)
 *    that WeChat confirms becomes return_pending with a RETURN row queued
 *    (merchant coupons; a card consume cannot be undone and is journaled
 *    "confirm_refused_card") — but not while its txn is still 'open'
 *    (the online step of checkout_redeem: a coupon whose stock only the
 *    answer names has no discount yet; the checkout prices it next);
 *  - return rows: CHECKOUT_RETURNED (coupon returned), or _REJECTED (WeChat
 *    refused the return: coupon goes to "conflict" for the back office).
 * The outbox row is closed ("done"), the redemption row gets state,
 * wx_code, reason and remote_ref (NULL = unchanged), the known code's
 * state follows, and a journal entry records it. QUAN_ENOTFOUND,
 * QUAN_EINVAL (bad state for the op, or the row is already closed:
 * settling twice is refused), store errors. Borrows all strings. */
int ledger_settle(struct store *st, int64_t outbox_id, enum checkout_cstate state,
    const char *wx_code, const char *reason, const char *remote_ref,
    int64_t now);

/* The same, inside the caller's transaction (store_begin/commit around
 * many answers: one fsync for a batch). On error the caller rolls back. */
int ledger_settle_in(struct store *st, int64_t outbox_id,
    enum checkout_cstate state, const char *wx_code, const char *reason,
    const char *remote_ref, int64_t now);

/* The return request no of a use key: the tag 'U' before the trailing
 * sequence digits becomes 'R' ("T01U000000000042" -> "T01R000000000042"),
 * so each coupon has exactly one, unique by construction. */
int ledger_return_key(const char *use_key, char *out, size_t n);
/* Inside a transaction: queue the RETURN outbox row of redemption r
 * (sets r->return_key when empty; the caller writes r). */
int ledger_queue_return(struct store *st, struct store_red *r, int64_t now);

/* Inside a transaction: set r->state to `to` (and r->reason to the
 * reason's id — its text for REASON_OTHER — unless why is LEDGER_KEEP),
 * write the row (r->updated_at = now) and journal `kind` with the old and
 * new state plus `extra` (borrowed JSON object or NULL). The row's text
 * columns are the store's edge: the names come from core/coupon.h. */
#define LEDGER_KEEP REASON_COUNT
int ledger_change(struct store *st, struct store_red *r,
    enum checkout_cstate to, enum reason why, const char *why_text,
    const char *kind, int64_t now, const struct json_t *extra);

/* Journal the rows the single-use migration (store schema 2) found live
 * twice and made conflicts (meta STORE_META_MIGRATED), once, in its own
 * transaction: one "conflict" entry each with its former state. *n gets
 * how many. Called at start by every command that writes. */
int ledger_journal_migrated(struct store *st, int64_t now, int *n);

/* "1227************17"-style mask for journal entries (log_mask). */
void ledger_mask(const char *code, char *out, size_t n);

#endif
