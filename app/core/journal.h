/*
 * journal.h — the audit journal: every state change (scan/price, redeem,
 * confirm, reject, void, return, offline decision, approval, login, config
 * change) is one row, hash-chained: hash = SHA-256(prev hash + canonical
 * entry). Appends run inside the caller's store transaction, so an entry
 * commits together with the change it records. `quan journal verify`
 * (journal_verify) finds an edited, deleted or reordered entry. Main thread.
 */
#ifndef QUAN_JOURNAL_H
#define QUAN_JOURNAL_H

#include <stdint.h>

struct store;
struct json_t;

/* Append one entry. kind: a short word ("redeem", "confirm", ...);
 * data: a JSON object (borrowed), serialised canonically (compact, keys
 * sorted, ASCII); NULL = {}. Must be called inside store_begin/commit.
 * Errors: the store's QUAN_E*. */
int journal_append(struct store *st, int64_t now, const char *kind,
    int64_t txn_id, int64_t red_id, const struct json_t *data);

/* Walk the whole chain: sequence numbers must run 1, 2, 3 ... without gap,
 * each prev must equal the previous hash, each hash must recompute, and
 * the last entry must match the head kept in meta (catches a deleted
 * tail). *n gets the number of entries. QUAN_ECORRUPT with *cause naming
 * the first bad entry (caller frees). */
int journal_verify(struct store *st, int64_t *n, char **cause);

#endif
