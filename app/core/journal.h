/*
 * journal.h — the audit journal: every state change (scan/price, redeem,
 * confirm, reject, void, return, offline decision, approval, login, config
 * change) is one row, hash-chained under a per-terminal secret:
 * hash = HMAC-SHA256(key, prev hash + canonical entry) (app/core/README.md,
 * "Audit journal", has the exact bytes). Without the key an entry cannot
 * be edited and re-hashed, nor the chain rebuilt. Entries written by a
 * quan before the key (schema < 6) stay a legacy prefix hashed with plain
 * SHA-256; the keyed part starts at meta journal.keyed_from with a
 * JOURNAL_KEYED entry chained to the last legacy one. Appends run inside
 * the caller's store transaction, so an entry commits together with the
 * change it records. `quan journal verify` (journal_check) finds an
 * edited, deleted or reordered entry. Main thread.
 */
#ifndef QUAN_JOURNAL_H
#define QUAN_JOURNAL_H

#include <stddef.h>
#include <stdint.h>

struct store;
struct json_t;

/* The key: DIR/journal.key beside the database, 64 lower-case hex digits
 * (32 bytes) and a newline, mode 0600, made once; never logged. */
#define JOURNAL_KEY_FILE "journal.key"
#define JOURNAL_KEY_LEN 32
/* Kind of the first keyed entry: data {"legacy_entries": N}, N = the
 * entries written unkeyed before it (0 on a store made keyed). */
#define JOURNAL_KEYED "journal_keyed"

/* Load the store's journal key and keep it with the handle (store_aux).
 * A key file group/other can read is refused (config_check_key_file).
 * create: make the key when there is none — only while no entry is keyed
 * yet: never a new key over a keyed journal (QUAN_ENOTFOUND, *cause says
 * to restore the file) — and append the JOURNAL_KEYED entry at once (its
 * own transaction) so the keyed part exists from the first start.
 * create 0 (a read-only store): a missing key is QUAN_ENOTFOUND.
 * *cause (caller frees) on error. journal_append loads it itself (with
 * create) when nobody did. */
int journal_key_open(struct store *st, int64_t now, int create,
    char **cause);

/* Append one entry. kind: a short word ("redeem", "confirm", ...);
 * data: a JSON object (borrowed), serialised canonically (compact, keys
 * sorted, ASCII); NULL = {}. Must be called inside store_begin/commit.
 * Errors: the store's QUAN_E*. */
int journal_append(struct store *st, int64_t now, const char *kind,
    int64_t txn_id, int64_t red_id, const struct json_t *data);

/* One entry of no sale (staff changes, config changes ...) in its own
 * transaction. 0, or the store's QUAN_E* with *cause (caller frees). */
int journal_record(struct store *st, int64_t now, const char *kind,
    const struct json_t *data, char **cause);

/* Walk the whole chain: sequence numbers must run 1, 2, 3 ... without gap
 * (or from an archive cut an anchor vouches for),
 * each prev must equal the previous hash, each hash must recompute, and
 * the last entry must match the head kept in meta (catches a deleted
 * tail). *n gets the number of entries. QUAN_ECORRUPT with *cause naming
 * the first bad entry (caller frees). */
int journal_verify(struct store *st, int64_t *n, char **cause);

/* What a verify walked: the legacy (unkeyed SHA-256) and keyed
 * (HMAC-SHA256) entries, first..last of each (0, 0 when none), the
 * live head. */
struct journal_check {
	int64_t n;
	int64_t legacy_first, legacy_last;
	int64_t keyed_first, keyed_last;
	int64_t keyed_from;          /* meta journal.keyed_from */
	int64_t head_seq;
	char head[65];
	char key_path[512];
};

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
/* The same, saying which entries are legacy and which keyed in *out.
 * The key is the live store's (loaded, never made, when not yet): a
 * keyed entry without it is an error naming the file. Besides the
 * chain: the entry at keyed_from must be the JOURNAL_KEYED one, and a
 * key with no keyed entry means the keyed part was cut off. */
int journal_check(struct store *live, struct store *const *arcs,
    const char *const *names, size_t narcs, struct journal_check *out,
    char **cause);

/* journal_check over the live store and the archive files at paths
 * (opened read-only), each file checked page by page first
 * (journal_files.c). 0, or QUAN_E* with *cause (caller frees): the
 * store's words for a damaged file, "archive damaged: ...", or "verify
 * FAILED: ..." for the chain. */
int journal_check_files(struct store *live, const char *const *paths,
    size_t n, struct journal_check *out, char **cause);

#endif
