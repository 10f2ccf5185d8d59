/*
 * store_hub.c — what the store hub's sync pass reads from the till's
 * store (store.h, "store hub" block): the redemptions and the sales whose
 * state changed since a journal cursor. Every state change is journaled with its row
 * (ledger_change), so the journal's seq orders them, and a pass cut off
 * anywhere resumes from the last seq it pushed.
 */
#include <sqlite3.h>
#include <stdio.h>
#include <string.h>

#include "store/store.h"
#include "store/store_int.h"
#include "util/err.h"

int
store_red_changed(struct store *s, int64_t after, int limit,
    store_red_seq_fn fn, void *arg)
{
	sqlite3_stmt *q = NULL;
	struct store_red r;
	int rc, n = 0;

	rc = sqlite3_prepare_v2(store_handle(s), "SELECT red_id, max(seq) AS"
	    " s FROM journal WHERE seq > ?1 AND red_id > 0 GROUP BY red_id"
	    " ORDER BY s LIMIT ?2", -1, &q, NULL);
	if (rc != SQLITE_OK)
		return store_sqlfail(s, rc, "red_changed");
	sqlite3_bind_int64(q, 1, after);
	sqlite3_bind_int(q, 2, limit);
	while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
		int64_t id = sqlite3_column_int64(q, 0);
		int64_t seq = sqlite3_column_int64(q, 1);
		int e = store_red_get(s, id, &r);

		if (e == QUAN_ENOTFOUND)
			continue; /* archived since */
		if (e != 0 || (e = fn(arg, &r, seq)) != 0) {
			sqlite3_finalize(q);
			return e;
		}
		n++;
	}
	sqlite3_finalize(q);
	if (rc != SQLITE_DONE)
		return store_sqlfail(s, rc, "red_changed");
	return n;
}

int
store_txn_changed(struct store *s, int64_t after, int limit,
    store_txn_seq_fn fn, void *arg)
{
	sqlite3_stmt *q = NULL;
	struct store_txn_change c;
	int rc, n = 0;

	/* the void's time and approver come from its journal entry, the
	 * one X/Z counts voids by (core/session_lists.c) */
	rc = sqlite3_prepare_v2(store_handle(s), "SELECT txn_id, max(seq) AS"
	    " s, ifnull(max(at) FILTER (WHERE kind = 'void_txn'), 0),"
	    " ifnull(max(json_extract(data, '$.by')) FILTER (WHERE kind ="
	    " 'void_txn'), '') FROM journal WHERE seq > ?1 AND txn_id > 0"
	    " GROUP BY txn_id ORDER BY s LIMIT ?2", -1, &q, NULL);
	if (rc != SQLITE_OK)
		return store_sqlfail(s, rc, "txn_changed");
	sqlite3_bind_int64(q, 1, after);
	sqlite3_bind_int(q, 2, limit);
	while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
		const unsigned char *by = sqlite3_column_text(q, 3);
		int e;

		memset(&c, 0, sizeof c);
		c.seq = sqlite3_column_int64(q, 1);
		c.voided_at = sqlite3_column_int64(q, 2);
		snprintf(c.voided_by, sizeof c.voided_by, "%s",
		    by != NULL ? (const char *)by : "");
		e = store_txn_get(s, sqlite3_column_int64(q, 0), &c.t);
		if (e == QUAN_ENOTFOUND)
			continue; /* archived since */
		if (e != 0 || (e = fn(arg, &c)) != 0) {
			sqlite3_finalize(q);
			return e;
		}
		n++;
	}
	sqlite3_finalize(q);
	if (rc != SQLITE_DONE)
		return store_sqlfail(s, rc, "txn_changed");
	return n;
}
