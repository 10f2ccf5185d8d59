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

struct store;
struct store_red;
struct json_t;

/* Apply the final answer for outbox row outbox_id, in its own
 * transaction (the caller must not be inside one):
 *  - use/consume rows: state "confirmed", "rejected" or "conflict";
 *    a coupon voided meanwhile (return_pending) stays return_pending on
 *    "confirmed" (its return row then becomes due);
 *  - return rows: "returned" (coupon returned), or "rejected" (WeChat
 *    refused the return: coupon goes to "conflict" for the back office).
 * The outbox row is closed ("done"), the redemption row gets state,
 * wx_code, reason and remote_ref (NULL = unchanged), the known code's
 * state follows, and a journal entry records it. QUAN_ENOTFOUND,
 * QUAN_EINVAL (bad state for the op, or the row is already closed:
 * settling twice is refused), store errors. Borrows all strings. */
int ledger_settle(struct store *st, int64_t outbox_id, const char *state,
    const char *wx_code, const char *reason, const char *remote_ref,
    int64_t now);

/* Inside a transaction: set r->state (and r->reason when reason is not
 * NULL), write the row (r->updated_at = now) and journal `kind` with the
 * old and new state plus `extra` (borrowed JSON object or NULL). */
int ledger_change(struct store *st, struct store_red *r, const char *state,
    const char *reason, const char *kind, int64_t now,
    const struct json_t *extra);

/* "1227************17"-style mask for journal entries (log_mask). */
void ledger_mask(const char *code, char *out, size_t n);

#endif
