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

/* Walk the whole chain: sequence numbers must run 1, 2, 3 ... without gap
 * (or from an archive cut an anchor vouches for),
 * each prev must equal the previous hash, each hash must recompute, and
 * the last entry must match the head kept in meta (catches a deleted
 * tail). *n gets the number of entries. QUAN_ECORRUPT with *cause naming
 * the first bad entry (caller frees). */
int journal_verify(struct store *st, int64_t *n, char **cause);

/* Kind of the entry that anchors an archive cut in the chain: data
 * {"file", "first_seq", "last_seq", "head", "before"}, head = the hash of
 * entry last_seq, the last one moved (app/core/archive.h). The journal
 * may then start at last_seq + 1: verify accepts a start only when an
 * anchor vouches for it. */
#define JOURNAL_ANCHOR "archive_cut"

/* journal_verify over the live store and archive files (opened stores,
 * names for messages) as one chain: each verified alone, then in seq
 * order every start follows the journal before it or an anchor, every
 * archive's end is followed by the next or anchored, no entry twice.
 * *n = entries checked. */
int journal_verify_archives(struct store *live, struct store *const *arcs,
    const char *const *names, size_t narcs, int64_t *n, char **cause);

#endif
