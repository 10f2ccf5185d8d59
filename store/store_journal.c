/*
 * store_journal.c — the rows of the journal: the last entry (the head of
 * the chain), appending one, walking them in order. The chain itself is
 * built and checked by app/core/journal.c.
 */
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/store.h"
#include "store/store_int.h"
#include "util/buf.h"
#include "util/err.h"
#include "util/log.h"
#include "util/xmem.h"

/* --- journal ------------------------------------------------------- */

int
store_journal_last(struct store *s, int64_t *seq, char hash[65])
{
	sqlite3_stmt *st = NULL;
	int rc;

	if ((rc = store_prep(s, Q_J_LAST, &st)) != 0)
		return rc;
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		*seq = sqlite3_column_int64(st, 0);
		col_text(st, 1, hash, 65);
		rc = 0;
	} else if (rc == SQLITE_DONE) {
		*seq = 0;
		hash[0] = '\0';
		rc = 0;
	} else
		rc = store_sqlfail(s, sqlite3_extended_errcode(s->db),
		    "read journal");
	sqlite3_reset(st);
	return rc;
}

int
store_journal_insert(struct store *s, const struct store_jrow *j)
{
	sqlite3_stmt *st = NULL;
	int rc;

	if ((rc = store_prep(s, Q_J_INS, &st)) != 0)
		return rc;
	bi(st, 1, j->seq);
	bi(st, 2, j->at);
	bt(st, 3, j->kind);
	bi(st, 4, j->txn_id);
	bi(st, 5, j->red_id);
	bt(st, 6, j->data);
	bt(st, 7, j->prev);
	bt(st, 8, j->hash);
	return store_run(s, st, "append journal");
}

int
store_journal_walk(struct store *s, store_jrow_fn fn, void *arg)
{
	return store_journal_kind(s, NULL, 0, fn, arg);
}

int
store_journal_kind(struct store *s, const char *kind, int64_t since,
    store_jrow_fn fn, void *arg)
{
	sqlite3_stmt *st = NULL;
	struct store_jrow j;
	int rc, r;

	if ((rc = store_prep(s, kind != NULL ? Q_J_KIND : Q_J_WALK, &st)) != 0)
		return rc;
	if (kind != NULL) {
		bt(st, 1, kind);
		bi(st, 2, since);
	}
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		j.seq = sqlite3_column_int64(st, 0);
		j.at = sqlite3_column_int64(st, 1);
		col_text(st, 2, j.kind, sizeof j.kind);
		j.txn_id = sqlite3_column_int64(st, 3);
		j.red_id = sqlite3_column_int64(st, 4);
		j.data = (const char *)sqlite3_column_text(st, 5);
		if (j.data == NULL)
			j.data = "";
		col_text(st, 6, j.prev, sizeof j.prev);
		col_text(st, 7, j.hash, sizeof j.hash);
		if ((r = fn(arg, &j)) != 0) {
			sqlite3_reset(st);
			return r;
		}
	}
	rc = rc == SQLITE_DONE ? 0 :
	    store_sqlfail(s, sqlite3_extended_errcode(s->db), "read journal");
	sqlite3_reset(st);
	return rc;
}
