/*
 * store_txn.c — the rows of a sale: transactions, their redemptions
 * (insert, update, look-ups by id, transaction, code and period), and
 * the counts the reports read from them.
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

/* --- txns ---------------------------------------------------------- */

int
store_txn_insert(struct store *s, struct store_txn *t)
{
	sqlite3_stmt *st = NULL;
	int rc;

	if ((rc = store_prep(s, Q_TXN_INS, &st)) != 0)
		return rc;
	bi(st, 1, t->amount_fen);
	bi(st, 2, t->discount_fen);
	bi(st, 3, t->due_fen);
	bt(st, 4, txn_state_name(t->state));
	bi(st, 5, t->opened_at);
	bi(st, 6, t->closed_at);
	bt(st, 7, t->cashier);
	if ((rc = store_run(s, st, "insert transaction")) != 0)
		return rc;
	t->id = sqlite3_last_insert_rowid(s->db);
	return QUAN_OK;
}

/* One transaction row into t (a struct store_txn; void * for
 * store_get_id()). */
static void
txn_row(sqlite3_stmt *st, void *p)
{
	struct store_txn *t = p;

	t->id = sqlite3_column_int64(st, 0);
	t->amount_fen = sqlite3_column_int64(st, 1);
	t->discount_fen = sqlite3_column_int64(st, 2);
	t->due_fen = sqlite3_column_int64(st, 3);
	t->state = store_col_word(st, 4, txn_state_parse, TXN_VOIDED);
	t->opened_at = sqlite3_column_int64(st, 5);
	t->closed_at = sqlite3_column_int64(st, 6);
	col_text(st, 7, t->cashier, sizeof t->cashier);
}

int
store_txn_get(struct store *s, int64_t id, struct store_txn *out)
{
	return store_get_id(s, Q_TXN_GET, id, txn_row, out, "read transaction");
}

int
store_txn_update(struct store *s, const struct store_txn *t)
{
	sqlite3_stmt *st = NULL;
	int rc;

	if ((rc = store_prep(s, Q_TXN_UPD, &st)) != 0)
		return rc;
	bi(st, 1, t->id);
	bi(st, 2, t->amount_fen);
	bi(st, 3, t->discount_fen);
	bi(st, 4, t->due_fen);
	bt(st, 5, txn_state_name(t->state));
	bi(st, 6, t->closed_at);
	return store_run(s, st, "update transaction");
}

/* --- redemptions --------------------------------------------------- */

/* One redemption row into r (a struct store_red; void * for
 * store_collect()). */
static void
red_row(sqlite3_stmt *st, void *p)
{
	struct store_red *r = p;

	r->id = sqlite3_column_int64(st, 0);
	r->txn_id = sqlite3_column_int64(st, 1);
	r->line = sqlite3_column_int(st, 2);
	col_text(st, 3, r->code, sizeof r->code);
	r->kind = sqlite3_column_int(st, 4) == 1 ? STORE_CARD : STORE_MERCHANT;
	col_text(st, 5, r->target, sizeof r->target);
	col_text(st, 6, r->coupon_type, sizeof r->coupon_type);
	col_text(st, 7, r->idem_key, sizeof r->idem_key);
	col_text(st, 8, r->return_key, sizeof r->return_key);
	r->state = store_col_word(st, 9, checkout_cstate_parse,
	    CHECKOUT_CONFLICT);
	col_text(st, 10, r->reason, sizeof r->reason);
	r->discount_fen = sqlite3_column_int64(st, 11);
	r->use_time = sqlite3_column_int64(st, 12);
	r->offline_at = sqlite3_column_int64(st, 13);
	col_text(st, 14, r->offline_reason, sizeof r->offline_reason);
	col_text(st, 15, r->openid, sizeof r->openid);
	col_text(st, 16, r->wx_code, sizeof r->wx_code);
	col_text(st, 17, r->remote_ref, sizeof r->remote_ref);
	r->created_at = sqlite3_column_int64(st, 18);
	r->updated_at = sqlite3_column_int64(st, 19);
}

int
store_red_insert(struct store *s, struct store_red *r)
{
	sqlite3_stmt *st = NULL;
	int rc;

	if ((rc = store_prep(s, Q_RED_INS, &st)) != 0)
		return rc;
	bi(st, 1, r->txn_id);
	bi(st, 2, r->line);
	bt(st, 3, r->code);
	bi(st, 4, r->kind);
	bt(st, 5, r->target);
	bt(st, 6, r->coupon_type);
	bt(st, 7, r->idem_key);
	bt(st, 8, r->return_key);
	bt(st, 9, checkout_cstate_name(r->state));
	bt(st, 10, r->reason);
	bi(st, 11, r->discount_fen);
	bi(st, 12, r->use_time);
	bi(st, 13, r->offline_at);
	bt(st, 14, r->offline_reason);
	bt(st, 15, r->openid);
	bt(st, 16, r->wx_code);
	bt(st, 17, r->remote_ref);
	bi(st, 18, r->created_at);
	bi(st, 19, r->updated_at);
	if ((rc = store_run(s, st, "insert redemption")) != 0)
		return rc;
	r->id = sqlite3_last_insert_rowid(s->db);
	return QUAN_OK;
}

int
store_red_get(struct store *s, int64_t id, struct store_red *out)
{
	return store_get_id(s, Q_RED_GET, id, red_row, out, "read redemption");
}

int
store_red_set_def(struct store *s, int64_t id, const char *target,
    const char *coupon_type)
{
	sqlite3_stmt *st = NULL;
	int rc;

	if ((rc = store_prep(s, Q_RED_DEF, &st)) != 0)
		return rc;
	bi(st, 1, id);
	if (target != NULL)
		bt(st, 2, target);
	if (coupon_type != NULL)
		bt(st, 3, coupon_type);
	return store_run(s, st, "update redemption definition");
}

int
store_red_update(struct store *s, const struct store_red *r)
{
	sqlite3_stmt *st = NULL;
	int rc;

	if ((rc = store_prep(s, Q_RED_UPD, &st)) != 0)
		return rc;
	bi(st, 1, r->id);
	bt(st, 2, checkout_cstate_name(r->state));
	bt(st, 3, r->reason);
	bi(st, 4, r->discount_fen);
	bi(st, 5, r->offline_at);
	bt(st, 6, r->offline_reason);
	bt(st, 7, r->openid);
	bt(st, 8, r->wx_code);
	bt(st, 9, r->remote_ref);
	bt(st, 10, r->return_key);
	bi(st, 11, r->updated_at);
	if ((rc = store_run(s, st, "update redemption")) != 0)
		return rc;
	if (sqlite3_changes(s->db) != 1) {
		snprintf(s->err, sizeof s->err, "%s: no redemption %lld",
		    s->path, (long long)r->id);
		return QUAN_ENOTFOUND;
	}
	return QUAN_OK;
}

/* Walk the rows of a prepared (cached) statement; see store_collect(). */
static int
walk_red(struct store *s, sqlite3_stmt *st, store_red_fn fn, void *arg)
{
	struct store_red *rows;
	void *p = NULL;
	size_t n, i;
	int rc;

	rc = store_collect(s, st, sizeof *rows, red_row, &p, &n,
	    "list redemptions");
	rows = p;
	for (i = 0; i < n && rc == 0; i++)
		rc = fn(arg, &rows[i]);
	free(rows);
	return rc;
}

int
store_red_list_txn(struct store *s, int64_t txn_id, store_red_fn fn,
    void *arg)
{
	sqlite3_stmt *st = NULL;
	int rc;

	if ((rc = store_prep(s, Q_RED_TXN, &st)) != 0)
		return rc;
	bi(st, 1, txn_id);
	return walk_red(s, st, fn, arg);
}

int
store_red_list(struct store *s, int64_t from, int64_t to,
    const enum checkout_cstate *state,
    store_red_fn fn, void *arg)
{
	sqlite3_stmt *st = NULL;
	int rc;

	if ((rc = store_prep(s, state != NULL ? Q_RED_LIST_ST : Q_RED_LIST,
	    &st)) != 0)
		return rc;
	bi(st, 1, from);
	bi(st, 2, to);
	if (state != NULL)
		bt(st, 3, checkout_cstate_name(*state));
	return walk_red(s, st, fn, arg);
}

int
store_red_code_active(struct store *s, const char *code)
{
	sqlite3_stmt *st = NULL;
	int rc;

	if ((rc = store_prep(s, Q_RED_ACTIVE, &st)) != 0)
		return rc;
	sqlite3_bind_text(st, 1, code, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	if (rc == SQLITE_ROW)
		return 1;
	if (rc == SQLITE_DONE)
		return 0;
	return store_sqlfail(s, sqlite3_extended_errcode(s->db),
	    "look up redemption");
}

int
store_red_counts(struct store *s, int64_t from, int64_t to,
    store_count_fn fn, void *arg)
{
	sqlite3_stmt *st = NULL;
	int rc;

	if ((rc = store_prep(s, Q_RED_COUNTS, &st)) != 0)
		return rc;
	bi(st, 1, from);
	bi(st, 2, to);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		int r = fn(arg, store_col_word(st, 0, checkout_cstate_parse,
		    CHECKOUT_CONFLICT), sqlite3_column_int(st, 1) != 0,
		    sqlite3_column_int64(st, 2), sqlite3_column_int64(st, 3));

		if (r != 0) {
			sqlite3_reset(st);
			return r;
		}
	}
	if (rc != SQLITE_DONE)
		rc = store_sqlfail(s, sqlite3_extended_errcode(s->db), "count");
	else
		rc = 0;
	sqlite3_reset(st);
	return rc;
}

int
store_red_used_at(struct store *s, const char *code, int64_t *at)
{
	sqlite3_stmt *st = NULL;
	int rc;

	*at = 0;
	if ((rc = store_prep(s, Q_RED_USED_AT, &st)) != 0)
		return rc;
	sqlite3_bind_text(st, 1, code, -1, SQLITE_STATIC);
	if ((rc = store_step_one(s, st, "look up redemption")) != 0)
		return rc;
	*at = sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	return QUAN_OK;
}

int
store_offline_stats(struct store *s, int64_t since, int64_t *count,
    int64_t *exposure_fen)
{
	sqlite3_stmt *st = NULL;
	int rc;

	if ((rc = store_prep(s, Q_OFF_COUNT, &st)) != 0)
		return rc;
	bi(st, 1, since);
	if (sqlite3_step(st) != SQLITE_ROW) {
		rc = store_sqlfail(s, sqlite3_extended_errcode(s->db),
		    "offline count");
		sqlite3_reset(st);
		return rc;
	}
	*count = sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	return store_one_row(s, Q_OFF_EXPO, exposure_fen, NULL);
}
