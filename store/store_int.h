/*
 * store_int.h — what the files of the store layer share, private to
 * store/: the handle (struct store), the ids of the prepared statements
 * (their SQL text and the schema's migrations are in store_sql.c), and
 * the helpers of store.c that prepare, bind, step and read a statement
 * with SQLite result codes mapped to QUAN_E* and a message (a damaged
 * database marks the handle).
 *
 * store.c          open, migrate, pragmas, transactions, errors, meta,
 *                  sequences, maintenance, test hooks
 * store_sql.c      the schema's migrations and every statement's SQL
 * store_cache.c    the cached stock and card definitions, received codes
 * store_txn.c      transactions and their redemptions
 * store_outbox.c   the outbox of WeChat calls, notifications seen
 * store_journal.c  the rows of the hash-chained journal
 * store_import.c, store_archive.c (their own head comments)
 */
#ifndef QUAN_STORE_INT_H
#define QUAN_STORE_INT_H

#include <sqlite3.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "store/store.h"

/* Every statement the store runs; prepared once, kept for the handle. */
enum stmt_id {
	Q_META_GET, Q_META_SET, Q_SEQ_UP, Q_SEQ_GET,
	Q_STOCK_PUT, Q_CARD_PUT, Q_STOCK_GET, Q_CARD_GET,
	Q_STATS_STOCKS, Q_STATS_CARDS, Q_STATS_CODES,
	Q_CODE_PUT, Q_CODE_GET, Q_CODE_STATE,
	Q_TXN_INS, Q_TXN_GET, Q_TXN_UPD,
	Q_RED_INS, Q_RED_GET, Q_RED_UPD, Q_RED_TXN, Q_RED_LIST,
	Q_RED_LIST_ST, Q_RED_ACTIVE, Q_RED_COUNTS, Q_OFF_COUNT, Q_OFF_EXPO,
	Q_OB_INS, Q_OB_GET, Q_OB_DUE, Q_OB_TXN, Q_OB_BODY, Q_OB_SENT,
	Q_OB_RETRY, Q_OB_CLOSE, Q_OB_DEPTH, Q_OB_CANCEL, Q_OB_USE_OPEN,
	Q_OB_REOPEN, Q_TXN_OPEN, Q_DEF_LIST, Q_RED_DEF, Q_OB_UNREACHED,
	Q_NOTIFY,
	Q_J_LAST, Q_J_INS, Q_J_WALK, Q_J_KIND,
	Q_RED_USED_AT, Q_DEF_OLDEST,
	Q_COUNT
};

/* The oldest version whose tables a reader sees as the newest's (later
 * migrations only add meta rows): what STORE_O_OLDER_OK accepts. */
#define STORE_READS_AS_NEWEST 5

struct store {
	sqlite3 *db;
	sqlite3_stmt *st[Q_COUNT];
	char *path;
	char err[512];
	int in_txn;
	int readonly;
	int busy_ms;             /* store_set_busy_ms */
	int64_t busy_since_ms;   /* first busy callback of this wait */
	int damaged;      /* SQLITE_CORRUPT/NOTADB seen: nothing is written
	                     by this handle any more (store_damaged) */
	store_sql_fn trace;          /* test hook (store_trace) */
	void *trace_arg;
	void *aux;                   /* store_set_aux */
	void (*aux_free)(void *);
};

/* store_sql.c: the SQL of statement id, and the migration that takes
 * user_version i to i + 1 (STORE_SCHEMA_VERSION of them). */
extern const char *const store_stmt_sql[Q_COUNT];
extern const char *const store_schema_sql[];

sqlite3 *store_handle(struct store *s);
/* Map SQLite result rc to QUAN_E* and keep a message naming what. */
int store_sqlfail(struct store *s, int rc, const char *what);
/* sqlite3_exec of sql; errors mapped as store_sqlfail. */
int store_sqlexec(struct store *s, const char *sql, const char *what);
/* Statement id, prepared on first use, reset with no bindings. */
int store_prep(struct store *s, enum stmt_id id, sqlite3_stmt **out);
/* Step a statement that returns no rows. */
int store_run(struct store *s, sqlite3_stmt *st, const char *what);
/* Step a statement that returns at most one row (QUAN_OK leaves it
 * current; QUAN_ENOTFOUND when none). */
int store_step_one(struct store *s, sqlite3_stmt *st, const char *what);
/* The row of statement q whose parameter 1 is id, into out by fill(). */
int store_get_id(struct store *s, enum stmt_id q, int64_t id,
    void (*fill)(sqlite3_stmt *, void *), void *out, const char *what);
/* Columns 0 (into *a) and 1 (into *b unless NULL) of q's one row. */
int store_one_row(struct store *s, enum stmt_id q, int64_t *a, int64_t *b);
/* Every row of st, copied by fill() into a new array (see store.c). */
int store_collect(struct store *s, sqlite3_stmt *st, size_t sz,
    void (*fill)(sqlite3_stmt *, void *), void **rows, size_t *n,
    const char *what);

/* store_pcoupon.c: prepare a one-off statement of the 商品券 tables
 * (finalized by the caller). */
int store_pc_prep(struct store *s, const char *sql, sqlite3_stmt **st);
/* Every row of st (bound) into out (elements of sz bytes, at most max)
 * by fill; *n counts all of them. Finalizes st. */
int store_pc_collect(struct store *s, sqlite3_stmt *st, void *out,
    size_t sz, void (*fill)(sqlite3_stmt *, void *), int max, int *n,
    const char *what);

static inline void
bt(sqlite3_stmt *st, int i, const char *v)
{
	sqlite3_bind_text(st, i, v != NULL ? v : "", -1, SQLITE_TRANSIENT);
}

static inline void
bi(sqlite3_stmt *st, int i, int64_t v)
{
	sqlite3_bind_int64(st, i, v);
}

static inline void
col_text(sqlite3_stmt *st, int i, char *out, size_t n)
{
	const unsigned char *t = sqlite3_column_text(st, i);

	snprintf(out, n, "%s", t != NULL ? (const char *)t : "");
}

/* The words' edge (app/words): a state column read back into its enum by
 * parse. The schema's CHECKs keep these columns to the known names; text
 * it does not know (a file written by hand) is logged and read as `bad`,
 * the family's inert state, so nothing acts on it. */
int store_col_word(sqlite3_stmt *st, int i, int (*parse)(const char *),
    int bad);

#endif
