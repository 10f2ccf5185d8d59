/*
 * store.h — quan's durable state in one SQLite file (the only home of
 * <sqlite3.h>). Versioned schema (PRAGMA user_version) with migrations, WAL,
 * synchronous=FULL, foreign keys, a busy timeout, prepared statements only.
 * The store knows rows, not rules: the checkout engine (app/core) decides
 * and calls these functions. Sale, coupon line and outbox states come and
 * go as the enums of app/words (words/words.h); their names are text only
 * in the SQL (the columns and the CHECKs stay text). The journal hash
 * chain is computed in app/core/journal.c and only stored here. Schema
 * notes: app/core/README.md.
 *
 * Threads: one struct store per thread; quan uses it on the main thread
 * only. Errors: QUAN_EFULL (disk full), QUAN_ECORRUPT (not a database /
 * corrupt), QUAN_EPERM (read-only file or folder), QUAN_EBUSY (locked by
 * another process past the busy timeout), QUAN_EEXIST (a UNIQUE key),
 * QUAN_ENOTFOUND, QUAN_EIO; store_errmsg() has the words of the last one.
 */
#ifndef QUAN_STORE_H
#define QUAN_STORE_H

#include <stddef.h>
#include <stdint.h>

#include "words/words.h"   /* states: taken and returned as enums */

#define STORE_SCHEMA_VERSION 10
#define STORE_CODE_MAX 128     /* longest code kept */
#define STORE_ID_MAX 64        /* stock_id / card_id */
#define STORE_KEY_MAX 32       /* idempotency key (request no) */
#define STORE_STATE_MAX 24
#define STORE_REASON_MAX 96
#define STORE_OPENID_MAX 128
#define STORE_BODY_MAX 1024    /* stored request body */
#define STORE_TEXT_MAX 160     /* wx codes, errors, offline reasons */

struct store;

/* Redemption states in which a code is held ("live"): its use may land or
 * has landed at WeChat and is not given back yet. The store holds at most
 * one live redemption per code (a partial UNIQUE index): a second insert,
 * or an update that makes a second row live, fails with QUAN_EEXIST
 * inside the caller's transaction, whatever process writes. */
#define STORE_LIVE_SQL "'pending','unknown','confirmed','accepted_offline'," \
	"'return_pending'"
/* meta key: "id:state,..." of the rows migration 2 found live twice and
 * made conflicts, until the core journals them (ledger_journal_migrated) */
#define STORE_META_MIGRATED "migrate.single_use"

/* meta key: seq of the first keyed journal entry (schema 6; entries
 * before it were written unkeyed by an older quan: app/core/journal.h) */
#define STORE_META_KEYED_FROM "journal.keyed_from"

/* Open (creating and migrating) the database at path. flags: 0, or
 * STORE_O_READONLY (for status/verify on a read-only medium). On error
 * *cause (caller frees) names the file and what is wrong. Main thread. */
#define STORE_O_READONLY 0x1
/* with STORE_O_READONLY: an older schema whose tables read the same (an
 * archive file written before schema 6) opens without its migration */
#define STORE_O_OLDER_OK 0x2
int store_open(const char *path, int flags, struct store **out,
    char **cause);
void store_close(struct store *s);              /* NULL-safe */
/* Test hook: create a new database at an older schema version (1 ..
 * STORE_SCHEMA_VERSION), so a test can write rows as an older quan did
 * and see store_open migrate them. */
int store_create_version(const char *path, int version, char **cause);
/* Words for the last failure of this handle (borrowed, never NULL). */
const char *store_errmsg(const struct store *s);
/* The database file's path as opened (borrowed). */
const char *store_path(const struct store *s);
/* One opaque value another layer keeps with this handle (the core's
 * journal key); free_fn (may be NULL) frees it at store_close or when
 * replaced. The store never looks at it. */
void store_set_aux(struct store *s, void *p, void (*free_fn)(void *));
void *store_aux(const struct store *s);
/* Test hook: cap the file at n pages (SQLite max_page_count) so a test can
 * make the disk "full". 0 leaves it alone. */
int store_set_max_pages(struct store *s, int64_t n);

/* Page cache of this handle in KiB (default STORE_CACHE_KB); a bulk
 * import raises it for its transaction and then sets it back (0), which
 * also returns the memory. */
#define STORE_CACHE_KB 8000
int store_set_cache_kb(struct store *s, int64_t kb);

/* How long a write waits for another process's lock before QUAN_EBUSY
 * (default 5000 ms). */
void store_set_busy_ms(struct store *s, int ms);

/* Transactions: BEGIN IMMEDIATE (write lock taken at once, so two writers
 * never deadlock), COMMIT, ROLLBACK. Not nestable. */
int store_begin(struct store *s);
int store_commit(struct store *s);
void store_rollback(struct store *s);          /* never fails loudly */

/* --- meta and counters ------------------------------------------------ */
/* Get a meta value into out (n bytes): QUAN_ENOTFOUND when absent. */
int store_meta_get(struct store *s, const char *key, char *out, size_t n);
int store_meta_set(struct store *s, const char *key, const char *value);
/* Next value of a named monotonically increasing sequence (starts at 1).
 * Call inside a transaction so the value commits with its use. */
int store_seq_next(struct store *s, const char *name, int64_t *out);

/* --- definitions cache (stocks, cards) -------------------------------- */
/* One stock (busifavor §5.2 object) or card (card/get `card` object):
 * raw is the JSON exactly as WeChat returned it. */
struct store_def {
	char id[STORE_ID_MAX + 1];
	const char *raw;       /* borrowed JSON text */
	char type[24];         /* stock_type / card_type */
	char state[32];        /* stock_state / base_info.status */
	char name[128];        /* stock_name / title (UTF-8) */
	int64_t fetched_at;    /* epoch s the definition was fetched */
};
int store_stock_put(struct store *s, const struct store_def *d);
int store_card_put(struct store *s, const struct store_def *d);
/* Raw JSON of a stock/card into *raw (new string, caller frees) and its
 * fetched_at; QUAN_ENOTFOUND when not cached. */
int store_stock_get(struct store *s, const char *id, char **raw,
    int64_t *fetched_at);
int store_card_get(struct store *s, const char *id, char **raw,
    int64_t *fetched_at);
/* Counts and the oldest fetched_at (0 when none) of the cache. */
struct store_cache_stats {
	int64_t stocks, cards, codes;
	int64_t oldest_stock, oldest_card;
};
int store_cache_stats(struct store *s, struct store_cache_stats *out);
/* Only the oldest fetched_at of stocks and of cards (0 when none): what
 * the terminal's status line needs, without counting the code cache. */
int store_def_oldest(struct store *s, int64_t *stock, int64_t *card);

/* --- known codes ------------------------------------------------------ */
enum store_kind { STORE_MERCHANT = 0, STORE_CARD = 1 };
/* Every cached stock (STORE_MERCHANT) then card (STORE_CARD), without
 * raw JSON (d->raw is NULL); fn borrows d. Non-zero from fn stops. */
typedef int (*store_def_fn)(void *arg, enum store_kind kind,
    const struct store_def *d);
int store_def_list(struct store *s, store_def_fn fn, void *arg);
struct store_code {
	char code[STORE_CODE_MAX + 1];
	enum store_kind kind;
	char target[STORE_ID_MAX + 1];   /* stock_id or card_id */
	char state[STORE_STATE_MAX];     /* issued | used | ... */
	char openid[STORE_OPENID_MAX + 1];
	int64_t received_at;             /* 0 unknown */
};
/* Add one code, or update a known one (idempotent): its stock, and its
 * openid and received_at when given (non-empty, non-zero). A known code
 * keeps its state: a code is never moved back in its lifecycle (used to
 * issued) by being listed again (store_code_set_state does lifecycle). */
int store_code_put(struct store *s, const struct store_code *c);
/* The same from separate strings (borrowed; state NULL/"" = issued). */
int store_code_put_v(struct store *s, const char *code,
    enum store_kind kind, const char *target, const char *state,
    const char *openid, int64_t received_at);
/* Look a code up (any kind; merchant first). QUAN_ENOTFOUND when unknown. */
int store_code_get(struct store *s, const char *code, struct store_code *out);
int store_code_set_state(struct store *s, const char *code,
    enum store_kind kind, const char *state);

/* Bulk import of codes in bounded transactions (store_import.c): codes
 * are staged first (each chunk its own short transaction, nothing
 * visible), then published chunk by chunk into the cache; the caller keeps
 * meta "import" at "staging" / "publishing" so an import cut off while
 * publishing is finished by the next one and one cut off while staging is
 * dropped. Writers of other processes wait between chunks (busy handler)
 * instead of failing "database is locked". */
struct store_code_in {
	const char *code, *target, *openid;   /* borrowed */
	enum store_kind kind;
	int64_t received_at;
};
struct store_import_counts {
	int64_t staged;      /* distinct codes staged */
	int64_t duplicates;  /* lines repeating a code staged before (the
	                        last one wins) */
	int64_t added;       /* published: new to the cache */
	int64_t updated;     /* known, still issued, something changed */
	int64_t unchanged;   /* known, still issued, nothing new */
	int64_t kept;        /* known and further in their lifecycle (used):
	                        left as they are */
};
/* One importer per database: flock on PATH.import, *fd kept until
 * store_import_unlock; QUAN_EBUSY when another import holds it. */
int store_import_lock(struct store *s, int *fd);
void store_import_unlock(int fd);
/* Stage n rows inside the caller's transaction; c->staged and
 * c->duplicates count. */
int store_stage_put(struct store *s, const struct store_code_in *rows,
    size_t n, struct store_import_counts *c);
/* Publish (limit > 0) or drop (limit < 0: -limit rows) the smallest
 * staged codes, inside the caller's transaction; publishing never moves a
 * known code back in its lifecycle and keeps a known openid/received_at
 * when the file has none. *more = 1 while staged codes remain. */
int store_stage_move(struct store *s, int64_t limit,
    struct store_import_counts *c, int *more);

/* --- transactions and redemptions ------------------------------------- */
struct store_txn {
	int64_t id;
	int64_t amount_fen, discount_fen, due_fen;
	enum txn_state state;            /* text only in txns.state */
	int64_t opened_at, closed_at;
	char cashier[32];
};
int store_txn_insert(struct store *s, struct store_txn *t); /* sets t->id */
int store_txn_get(struct store *s, int64_t id, struct store_txn *out);
int store_txn_update(struct store *s, const struct store_txn *t);
/* Ids of txns still 'open' (redeem committed, decision not) opened before
 * `before`: interrupted redeems to recover. At most max into ids. */
int store_txn_list_open(struct store *s, int64_t before, int64_t *ids,
    int max, int *n);

/* One coupon in a transaction. idem_key is "" for coupons rejected before
 * redeem (they never get a key). */
struct store_red {
	int64_t id, txn_id;
	int line;                         /* order within the txn */
	char code[STORE_CODE_MAX + 1];
	enum store_kind kind;
	char target[STORE_ID_MAX + 1];
	char coupon_type[24];             /* NORMAL, CASH, ... */
	char idem_key[STORE_KEY_MAX + 1]; /* the use request no */
	char return_key[STORE_KEY_MAX + 1];
	enum checkout_cstate state;       /* text only in redemptions.state */
	char reason[STORE_REASON_MAX];
	int64_t discount_fen;
	int64_t use_time;                 /* fixed at redeem */
	int64_t offline_at;               /* accepted offline at, 0 never */
	char offline_reason[STORE_TEXT_MAX];
	char openid[STORE_OPENID_MAX + 1];
	char wx_code[STORE_TEXT_MAX];
	char remote_ref[STORE_TEXT_MAX];
	int64_t created_at, updated_at;
};
int store_red_insert(struct store *s, struct store_red *r); /* sets r->id */
int store_red_get(struct store *s, int64_t id, struct store_red *out);
/* Rewrite the mutable fields (state, reason, discount, offline_*, openid,
 * wx_code, remote_ref, return_key, updated_at) of row r->id. */
int store_red_update(struct store *s, const struct store_red *r);
/* Set the stock/card id and the coupon type of row id once they are
 * known (a WeChat-assigned code whose stock only the use answer names);
 * NULL leaves a field as it is. Outbox rows follow (they read both from
 * the redemption). */
int store_red_set_def(struct store *s, int64_t id, const char *target,
    const char *coupon_type);
/* Rows of a txn in line order; fn borrows each row during the call.
 * A non-zero return from fn stops the walk and is returned. */
typedef int (*store_red_fn)(void *arg, const struct store_red *r);
int store_red_list_txn(struct store *s, int64_t txn_id, store_red_fn fn,
    void *arg);
/* Rows created in [from, to) (epoch s), oldest first; state NULL = any. */
int store_red_list(struct store *s, int64_t from, int64_t to,
    const enum checkout_cstate *state, store_red_fn fn, void *arg);
/* Is this code already redeemed here (a live row, see STORE_LIVE_SQL, or
 * a conflict)? 1 yes, 0 no, < 0 error. Inside a write transaction the
 * answer holds until commit (BEGIN IMMEDIATE: no other writer). */
int store_red_code_active(struct store *s, const char *code);
/* When was this code last used here (use_time of its latest live row,
 * see STORE_LIVE_SQL, or conflict)? *at = 0 when never. By the code's
 * index, whatever the history. */
int store_red_used_at(struct store *s, const char *code, int64_t *at);
/* Count per state. fn(arg, state, kept, count, sum discount_fen). A
 * confirmed coupon of a voided sale that WeChat cannot give back (a
 * consumed card code: reason "voided_not_returnable") is counted in a
 * group of its own, state CHECKOUT_CONFIRMED with kept = 1, never as
 * redeemed; every other group has kept = 0. Groups come in the order of
 * their state's name, the kept group where "voided_not_returnable"
 * sorts. */
typedef int (*store_count_fn)(void *arg, enum checkout_cstate state,
    int kept, int64_t n, int64_t fen);
int store_red_counts(struct store *s, int64_t from, int64_t to,
    store_count_fn fn, void *arg);
/* Offline figures: coupons accepted offline since `since`, and total
 * discount of rows still in accepted_offline (unsettled exposure). */
int store_offline_stats(struct store *s, int64_t since, int64_t *count,
    int64_t *exposure_fen);

/* --- outbox: remote operations still to settle ------------------------ */
enum store_op { STORE_OP_USE = 0, STORE_OP_RETURN, STORE_OP_CONSUME };
struct store_outbox {
	int64_t id, red_id, txn_id;
	enum store_op op;
	enum store_kind kind;
	char code[STORE_CODE_MAX + 1];
	char target[STORE_ID_MAX + 1];
	char request_no[STORE_KEY_MAX + 1];
	char openid[STORE_OPENID_MAX + 1];
	int64_t use_time;
	char body[STORE_BODY_MAX];        /* exact request body ("" = none) */
	enum outbox_state state;          /* text only in outbox.state */
	int attempts;                     /* sends committed */
	int unreached;                    /* of those, known never to have
	                                     reached WeChat */
	int64_t next_at;
	char last_error[STORE_TEXT_MAX];
	int64_t created_at;
};
/* Insert (state pending) and set o->id. request_no is UNIQUE. */
int store_outbox_insert(struct store *s, struct store_outbox *o);
int store_outbox_get(struct store *s, int64_t id, struct store_outbox *out);
/* Rows due at `now` (state pending or unknown, next_at <= now), oldest
 * first, at most limit; never rows of a txn whose redeem is still being
 * decided (txn state 'open': the online step sends those itself); a
 * RETURN row only once no use/consume row of the same coupon is pending
 * or unknown. fn borrows each row. */
typedef int (*store_outbox_fn)(void *arg, const struct store_outbox *o);
int store_outbox_due(struct store *s, int64_t now, int limit,
    store_outbox_fn fn, void *arg);
/* Rows of one txn that are not done/cancelled (for the online step). */
int store_outbox_list_txn(struct store *s, int64_t txn_id,
    store_outbox_fn fn, void *arg);
int store_outbox_set_body(struct store *s, int64_t id, const char *body);
/* attempts++, state unknown (sent, outcome not known): call BEFORE the
 * request leaves. */
int store_outbox_sent(struct store *s, int64_t id, int64_t now);
/* The send of row id certainly did not reach WeChat (no connection, no
 * TLS session, no access token): unreached++ (never past attempts). A
 * send whose fate is not reported this way (no answer, a crash) counts as
 * one that may have landed. */
int store_outbox_unreached(struct store *s, int64_t id);
/* Keep the row, set next_at and last_error (state stays). */
int store_outbox_retry(struct store *s, int64_t id, int64_t next_at,
    const char *err);
/* Close a row: state OUTBOX_DONE or OUTBOX_CANCELLED, with last_error. */
int store_outbox_close(struct store *s, int64_t id, enum outbox_state state,
    const char *err, int64_t now);
/* Cancel the still-pending (never sent) rows of a redemption: its return
 * rows (returns = 1: the use never happened) or its use/consume rows
 * (returns = 0: refused before sending). */
int store_outbox_cancel(struct store *s, int64_t red_id, int returns,
    int64_t now, const char *why);
/* Put a cancelled (never sent) use/consume row of the redemption back to
 * pending (a manager overrode the refusal). */
int store_outbox_reopen(struct store *s, int64_t red_id, int64_t now,
    const char *why);
/* 1 when a use/consume row of the redemption is not cancelled (pending,
 * sent or done), 0 when none, < 0 error. */
int store_outbox_use_open(struct store *s, int64_t red_id);
/* Depth per state (pending, unknown). */
int store_outbox_depth(struct store *s, int64_t *pending, int64_t *unknown);

/* --- callback notification de-duplication ----------------------------- */
/* Record a notification id; QUAN_EEXIST when already seen. */
int store_notify_seen(struct store *s, const char *id, int64_t now);

/* --- journal rows (the chain is computed in core/journal.c) ----------- */
struct store_jrow {
	int64_t seq;
	int64_t at;
	char kind[32];
	int64_t txn_id, red_id;           /* 0 = none */
	const char *data;                 /* borrowed canonical JSON */
	char prev[65], hash[65];          /* lower-case hex SHA-256 */
};
/* The last row's seq and hash (seq 0 and "" when empty). */
int store_journal_last(struct store *s, int64_t *seq, char hash[65]);
int store_journal_insert(struct store *s, const struct store_jrow *j);
/* All rows in seq order; fn borrows each row. */
typedef int (*store_jrow_fn)(void *arg, const struct store_jrow *j);
int store_journal_walk(struct store *s, store_jrow_fn fn, void *arg);
/* Rows of one kind at or after since (epoch s), in seq order (reports:
 * the voids of a period); kind NULL = all rows (as walk). */
int store_journal_kind(struct store *s, const char *kind, int64_t since,
    store_jrow_fn fn, void *arg);

/* --- archive: settled history out of the live file (store_archive.c) - */
/* The archive is a store file of its own (created 0600 with this
 * schema), attached to this handle while a run moves rows into it. Which
 * sales, which entries and when is the core's rule (app/core/archive.h);
 * these are the steps, each in short transactions of one file. */
struct store_archive_count {
	int64_t txns, redemptions, outbox, journal, notices;
	int64_t payments, refunds;   /* moved with their sales */
};
int store_archive_attach(struct store *s, const char *path);
void store_archive_detach(struct store *s);
/* Drop the archive's copies of every row still live (after a run was
 * cut off between its copy and its delete). */
int store_archive_reconcile(struct store *s);
/* Move up to max settled sales opened before cutoff with id > *after
 * (their coupons and outbox rows too): copied, deleted from live, and a
 * confirmed coupon's code kept in the code cache as used. *after moves
 * on; counts added to *c; nothing moved (c->txns unchanged) = done. */
int store_archive_sales(struct store *s, int64_t cutoff, int max,
    int64_t *after, struct store_archive_count *c);
/* The journal prefix that may move: from the first live entry up to the
 * last one older than cutoff among the next max, never the newest;
 * *last = 0 when none, else head = its hash. */
int store_archive_journal_cut(struct store *s, int64_t cutoff, int max,
    int64_t *first, int64_t *last, char head[65]);
int store_archive_journal_copy(struct store *s, int64_t first,
    int64_t last);
/* Delete entries up to last; inside the caller's transaction (the one
 * that appends the anchor). *n += entries deleted. */
int store_archive_journal_drop(struct store *s, int64_t last, int64_t *n);
/* Forget every cached code of one stock/card (its validity has ended:
 * none of them can be redeemed any more). *n += codes dropped. Own
 * transaction. */
int store_codes_drop(struct store *s, enum store_kind kind,
    const char *target, int64_t *n);
/* Notification ids seen before cutoff (de-duplication records). */
int store_archive_notices(struct store *s, int64_t cutoff, int64_t *n);
/* Give freed pages back to the file system (incremental auto-vacuum;
 * full = 1 switches an older file to it with one VACUUM) and truncate the
 * WAL. Outside a transaction. */
int store_vacuum(struct store *s, int full);

/* --- maintenance ------------------------------------------------------ */
/* PRAGMA integrity_check; 0 when "ok", QUAN_ECORRUPT with the first
 * message in store_errmsg(). */
int store_check(struct store *s);
/* PRAGMA quick_check (every page and row read, no index cross-check;
 * about 1/3 of integrity_check): the start-up and periodic check. */
int store_quick_check(struct store *s);
/* The same when the last successful check (by any process: meta
 * "quick_check_at") is every_s or more old; a success is recorded. So a
 * `quan redeem` pays for a check at most once per every_s. */
int store_quick_check_due(struct store *s, int64_t now, int64_t every_s);
/* 1 once this handle met a damaged database: SQLITE_CORRUPT or NOTADB
 * from any statement, or a failed check — or another process did (it
 * leaves PATH.damaged beside the file, checked at every begin). From then
 * on nothing is written (begin, commit and every writing statement fail
 * with QUAN_ECORRUPT) and store_errmsg() names the damage and the next
 * step (restore from the last backup, delete PATH.damaged), so no caller
 * goes on to a network call. Reading still works (status, journal
 * verify). */
int store_damaged(struct store *s);
/* Database file size in bytes (page_count * page_size). */
int store_size(struct store *s, int64_t *bytes);

/* Test hooks (tests/core/test_sale_plan.c): fn gets the SQL text of
 * every statement this handle starts (fn NULL stops); store_plan gives
 * fn each detail line of EXPLAIN QUERY PLAN sql. */
typedef void (*store_sql_fn)(void *arg, const char *sql);
void store_trace(struct store *s, store_sql_fn fn, void *arg);
int store_plan(struct store *s, const char *sql, store_sql_fn fn, void *arg);

const char *store_kind_name(enum store_kind k);   /* merchant | card */
int store_kind_parse(const char *s, enum store_kind *out);
const char *store_op_name(enum store_op op);      /* use|return|consume */

/* --- store hub (store_hub.c) ------------------------------------------ */
/* The redemptions with a journal entry after seq `after`, at most limit,
 * in the order of their last entry; fn gets each with that entry's seq.
 * Returns how many (>= 0) or a QUAN_E* (fn's own included). */
typedef int (*store_red_seq_fn)(void *arg, const struct store_red *r,
    int64_t seq);
int store_red_changed(struct store *s, int64_t after, int limit,
    store_red_seq_fn fn, void *arg);
/* The same for sales: the txns with a journal entry after `after` (the
 * sale itself, its due, close, payment, void), in the order of their
 * last entry. voided_at / by are the void_txn entry's time and approver
 * (0 / "" while not voided). */
struct store_txn_change {
	struct store_txn t;
	int64_t seq;
	int64_t voided_at;
	char voided_by[32];
};
typedef int (*store_txn_seq_fn)(void *arg, const struct store_txn_change *c);
int store_txn_changed(struct store *s, int64_t after, int limit,
    store_txn_seq_fn fn, void *arg);

#endif
