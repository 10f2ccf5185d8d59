/*
 * store_outbox.c — the outbox: one row per WeChat call a redemption owes
 * (use, return, consume), with its request number, attempts and state;
 * and the ids of the notifications already seen.
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

/* --- outbox -------------------------------------------------------- */

/* One outbox row into o (a struct store_outbox; void * for store_collect()). */
static void
ob_row(sqlite3_stmt *st, void *p)
{
	struct store_outbox *o = p;
	char op[16];

	o->id = sqlite3_column_int64(st, 0);
	o->red_id = sqlite3_column_int64(st, 1);
	o->txn_id = sqlite3_column_int64(st, 2);
	col_text(st, 3, op, sizeof op);
	o->op = strcmp(op, "return") == 0 ? STORE_OP_RETURN :
	    strcmp(op, "consume") == 0 ? STORE_OP_CONSUME : STORE_OP_USE;
	o->kind = sqlite3_column_int(st, 4) == 1 ? STORE_CARD : STORE_MERCHANT;
	col_text(st, 5, o->code, sizeof o->code);
	col_text(st, 6, o->target, sizeof o->target);
	col_text(st, 7, o->request_no, sizeof o->request_no);
	col_text(st, 8, o->openid, sizeof o->openid);
	o->use_time = sqlite3_column_int64(st, 9);
	col_text(st, 10, o->body, sizeof o->body);
	o->state = store_col_word(st, 11, outbox_state_parse,
	    OUTBOX_CANCELLED);
	o->attempts = sqlite3_column_int(st, 12);
	o->next_at = sqlite3_column_int64(st, 13);
	col_text(st, 14, o->last_error, sizeof o->last_error);
	o->created_at = sqlite3_column_int64(st, 15);
	o->unreached = sqlite3_column_int(st, 16);
}

int
store_outbox_insert(struct store *s, struct store_outbox *o)
{
	sqlite3_stmt *st = NULL;
	int rc;

	if (strlen(o->body) >= STORE_BODY_MAX - 1) {
		snprintf(s->err, sizeof s->err, "%s: outbox body too long",
		    s->path);
		return QUAN_ETOOBIG;
	}
	if ((rc = store_prep(s, Q_OB_INS, &st)) != 0)
		return rc;
	bi(st, 1, o->red_id);
	bt(st, 2, store_op_name(o->op));
	bt(st, 3, o->request_no);
	bt(st, 4, o->body);
	bi(st, 5, o->next_at);
	bi(st, 6, o->created_at);
	if ((rc = store_run(s, st, "insert outbox row")) != 0)
		return rc;
	o->id = sqlite3_last_insert_rowid(s->db);
	o->state = OUTBOX_PENDING;
	return QUAN_OK;
}

int
store_outbox_get(struct store *s, int64_t id, struct store_outbox *out)
{
	return store_get_id(s, Q_OB_GET, id, ob_row, out, "read outbox row");
}

static int
walk_ob(struct store *s, sqlite3_stmt *st, store_outbox_fn fn, void *arg)
{
	struct store_outbox *rows;
	void *p = NULL;
	size_t n, i;
	int rc;

	rc = store_collect(s, st, sizeof *rows, ob_row, &p, &n, "list outbox");
	rows = p;
	for (i = 0; i < n && rc == 0; i++)
		rc = fn(arg, &rows[i]);
	free(rows);
	return rc;
}

int
store_outbox_due(struct store *s, int64_t now, int limit, store_outbox_fn fn,
    void *arg)
{
	sqlite3_stmt *st = NULL;
	int rc;

	if ((rc = store_prep(s, Q_OB_DUE, &st)) != 0)
		return rc;
	bi(st, 1, now);
	bi(st, 2, limit > 0 ? limit : 100);
	return walk_ob(s, st, fn, arg);
}

int
store_outbox_list_txn(struct store *s, int64_t txn_id, store_outbox_fn fn,
    void *arg)
{
	sqlite3_stmt *st = NULL;
	int rc;

	if ((rc = store_prep(s, Q_OB_TXN, &st)) != 0)
		return rc;
	bi(st, 1, txn_id);
	return walk_ob(s, st, fn, arg);
}

static int
changed_one(struct store *s, int64_t id)
{
	if (sqlite3_changes(s->db) != 1) {
		snprintf(s->err, sizeof s->err, "%s: no outbox row %lld",
		    s->path, (long long)id);
		return QUAN_ENOTFOUND;
	}
	return QUAN_OK;
}

int
store_outbox_set_body(struct store *s, int64_t id, const char *body)
{
	sqlite3_stmt *st = NULL;
	int rc;

	if (strlen(body) >= STORE_BODY_MAX - 1)
		return QUAN_ETOOBIG;
	if ((rc = store_prep(s, Q_OB_BODY, &st)) != 0)
		return rc;
	bi(st, 1, id);
	bt(st, 2, body);
	if ((rc = store_run(s, st, "set outbox body")) != 0)
		return rc;
	return changed_one(s, id);
}

int
store_outbox_sent(struct store *s, int64_t id, int64_t now)
{
	sqlite3_stmt *st = NULL;
	int rc;

	if ((rc = store_prep(s, Q_OB_SENT, &st)) != 0)
		return rc;
	bi(st, 1, id);
	bi(st, 2, now);
	if ((rc = store_run(s, st, "mark outbox row sent")) != 0)
		return rc;
	return changed_one(s, id);
}

int
store_outbox_unreached(struct store *s, int64_t id)
{
	sqlite3_stmt *st = NULL;
	int rc;

	if ((rc = store_prep(s, Q_OB_UNREACHED, &st)) != 0)
		return rc;
	bi(st, 1, id);
	return store_run(s, st, "record a send that never reached WeChat");
}

int
store_outbox_retry(struct store *s, int64_t id, int64_t next_at,
    const char *err)
{
	sqlite3_stmt *st = NULL;
	int rc;

	if ((rc = store_prep(s, Q_OB_RETRY, &st)) != 0)
		return rc;
	bi(st, 1, id);
	bi(st, 2, next_at);
	bt(st, 3, err);
	if ((rc = store_run(s, st, "schedule outbox retry")) != 0)
		return rc;
	return changed_one(s, id);
}

int
store_outbox_close(struct store *s, int64_t id, enum outbox_state state,
    const char *err, int64_t now)
{
	sqlite3_stmt *st = NULL;
	int rc;

	if ((rc = store_prep(s, Q_OB_CLOSE, &st)) != 0)
		return rc;
	bi(st, 1, id);
	bt(st, 2, outbox_state_name(state));
	bt(st, 3, err);
	bi(st, 4, now);
	if ((rc = store_run(s, st, "close outbox row")) != 0)
		return rc;
	return changed_one(s, id);
}

int
store_outbox_depth(struct store *s, int64_t *pending, int64_t *unknown)
{
	sqlite3_stmt *st = NULL;
	int rc;

	*pending = *unknown = 0;
	if ((rc = store_prep(s, Q_OB_DEPTH, &st)) != 0)
		return rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (store_col_word(st, 0, outbox_state_parse,
		    OUTBOX_UNKNOWN) == OUTBOX_PENDING)
			*pending = sqlite3_column_int64(st, 1);
		else
			*unknown = sqlite3_column_int64(st, 1);
	}
	rc = rc == SQLITE_DONE ? 0 :
	    store_sqlfail(s, sqlite3_extended_errcode(s->db), "outbox depth");
	sqlite3_reset(st);
	return rc;
}

int
store_outbox_cancel(struct store *s, int64_t red_id, int returns,
    int64_t now, const char *why)
{
	sqlite3_stmt *st = NULL;
	int rc;

	if ((rc = store_prep(s, Q_OB_CANCEL, &st)) != 0)
		return rc;
	bi(st, 1, red_id);
	bi(st, 2, now);
	bt(st, 3, why);
	bi(st, 4, returns);
	return store_run(s, st, "cancel outbox rows");
}

int
store_outbox_reopen(struct store *s, int64_t red_id, int64_t now,
    const char *why)
{
	sqlite3_stmt *st = NULL;
	int rc;

	if ((rc = store_prep(s, Q_OB_REOPEN, &st)) != 0)
		return rc;
	bi(st, 1, red_id);
	bi(st, 2, now);
	bt(st, 3, why);
	return store_run(s, st, "reopen outbox row");
}

int
store_outbox_use_open(struct store *s, int64_t red_id)
{
	sqlite3_stmt *st = NULL;
	int rc;

	if ((rc = store_prep(s, Q_OB_USE_OPEN, &st)) != 0)
		return rc;
	bi(st, 1, red_id);
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	if (rc == SQLITE_ROW)
		return 1;
	if (rc == SQLITE_DONE)
		return 0;
	return store_sqlfail(s, sqlite3_extended_errcode(s->db),
	    "outbox lookup");
}

int
store_txn_list_open(struct store *s, int64_t before, int64_t *ids, int max,
    int *n)
{
	sqlite3_stmt *st = NULL;
	int rc;

	*n = 0;
	if ((rc = store_prep(s, Q_TXN_OPEN, &st)) != 0)
		return rc;
	bi(st, 1, before);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW && *n < max)
		ids[(*n)++] = sqlite3_column_int64(st, 0);
	rc = (rc == SQLITE_DONE || rc == SQLITE_ROW) ? 0 :
	    store_sqlfail(s, sqlite3_extended_errcode(s->db), "list open txns");
	sqlite3_reset(st);
	return rc;
}

int
store_notify_seen(struct store *s, const char *id, int64_t now)
{
	sqlite3_stmt *st = NULL;
	int rc;

	if ((rc = store_prep(s, Q_NOTIFY, &st)) != 0)
		return rc;
	bt(st, 1, id);
	bi(st, 2, now);
	return store_run(s, st, "record notification");
}
