/*
 * store_import.c — bulk import of codes in bounded transactions (see
 * store.h): rows are staged in codes_stage (same key as codes), then moved
 * into codes a chunk at a time, smallest keys first, so each transaction
 * writes one region of the B-tree and holds the write lock briefly. The
 * caller (app/core/import.c) owns the transactions and the meta marker.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

#include "store/store_int.h"
#include "util/err.h"
#include "util/xmem.h"

int
store_import_lock(struct store *s, int *fd)
{
	char *p = xasprintf("%s.import", store_path(s));

	*fd = open(p, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	free(p);
	if (*fd < 0)
		return QUAN_EIO;
	if (flock(*fd, LOCK_EX | LOCK_NB) != 0) {
		close(*fd);
		*fd = -1;
		return errno == EWOULDBLOCK ? QUAN_EBUSY : QUAN_EIO;
	}
	return QUAN_OK;
}

void
store_import_unlock(int fd)
{
	if (fd >= 0)
		close(fd); /* releases the flock */
}

static int
prepare(struct store *s, const char *sql, sqlite3_stmt **st)
{
	int rc = sqlite3_prepare_v2(store_handle(s), sql, -1, st, NULL);

	if (rc != SQLITE_OK)
		return store_sqlfail(s, rc, "prepare import");
	return QUAN_OK;
}

static void
bind_row(sqlite3_stmt *st, const struct store_code_in *r)
{
	/* the rows outlive the step: no copies on this hot path */
	sqlite3_bind_text(st, 1, r->code, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 2, r->kind == STORE_CARD ? 1 : 0);
	sqlite3_bind_text(st, 3, r->target, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, r->openid != NULL ? r->openid : "", -1,
	    SQLITE_STATIC);
	sqlite3_bind_int64(st, 5, r->received_at);
}

static int
step_done(struct store *s, sqlite3_stmt *st, const char *what)
{
	int rc = sqlite3_step(st);

	sqlite3_reset(st);
	if (rc != SQLITE_DONE)
		return store_sqlfail(s, sqlite3_extended_errcode(
		    store_handle(s)), what);
	return QUAN_OK;
}

int
store_stage_put(struct store *s, const struct store_code_in *rows, size_t n,
    struct store_import_counts *c)
{
	sqlite3_stmt *ins = NULL, *upd = NULL;
	sqlite3 *db = store_handle(s);
	size_t i;
	int rc;

	if ((rc = prepare(s, "INSERT INTO codes_stage(code, kind, target, "
	    "openid, received_at) VALUES(?1,?2,?3,?4,?5) ON CONFLICT(code, "
	    "kind) DO NOTHING", &ins)) != 0 ||
	    (rc = prepare(s, "UPDATE codes_stage SET target = ?3, openid = "
	    "?4, received_at = ?5 WHERE code = ?1 AND kind = ?2",
	    &upd)) != 0)
		goto out;
	for (i = 0; i < n; i++) {
		bind_row(ins, &rows[i]);
		if ((rc = step_done(s, ins, "stage code")) != 0)
			goto out;
		if (sqlite3_changes(db) == 1) {
			c->staged++;
			continue;
		}
		/* a line repeating a code: counted once, the last wins */
		c->duplicates++;
		bind_row(upd, &rows[i]);
		if ((rc = step_done(s, upd, "stage code")) != 0)
			goto out;
	}
	rc = QUAN_OK;
out:
	sqlite3_finalize(ins);
	sqlite3_finalize(upd);
	return rc;
}

/* The largest key among the first `limit` staged rows, and how many
 * there are; *n = 0 when the stage is empty. */
static int
bound(struct store *s, int64_t limit, char **code, int *kind, int64_t *n)
{
	sqlite3_stmt *st = NULL;
	int rc;

	*code = NULL;
	*n = 0;
	if ((rc = prepare(s, "SELECT code, kind, count(*) OVER () FROM "
	    "(SELECT code, kind FROM codes_stage ORDER BY code, kind LIMIT "
	    "?1) ORDER BY code DESC, kind DESC LIMIT 1", &st)) != 0)
		return rc;
	sqlite3_bind_int64(st, 1, limit);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		*code = xstrdup((const char *)sqlite3_column_text(st, 0));
		*kind = sqlite3_column_int(st, 1);
		*n = sqlite3_column_int64(st, 2);
		rc = QUAN_OK;
	} else if (rc == SQLITE_DONE)
		rc = QUAN_OK;
	else
		rc = store_sqlfail(s, sqlite3_extended_errcode(
		    store_handle(s)), "read staged codes");
	sqlite3_finalize(st);
	return rc;
}

/* Run sql with the bound key as ?1, ?2; counts rows with a SELECT. */
static int
with_bound(struct store *s, const char *sql, const char *code, int kind,
    int64_t out[4], const char *what)
{
	sqlite3_stmt *st = NULL;
	int rc, i;

	if ((rc = prepare(s, sql, &st)) != 0)
		return rc;
	sqlite3_bind_text(st, 1, code, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 2, kind);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW && out != NULL) {
		for (i = 0; i < 4; i++)
			out[i] = sqlite3_column_int64(st, i);
		rc = SQLITE_DONE;
	}
	rc = rc == SQLITE_DONE ? QUAN_OK : store_sqlfail(s,
	    sqlite3_extended_errcode(store_handle(s)), what);
	sqlite3_finalize(st);
	return rc;
}

int
store_stage_move(struct store *s, int64_t limit,
    struct store_import_counts *c, int *more)
{
	int64_t n, k[4];
	char *code = NULL;
	int kind = 0, rc;

	*more = 0;
	if ((rc = bound(s, limit > 0 ? limit : -limit, &code, &kind, &n)) !=
	    0 || n == 0)
		goto out;
	if (limit > 0) {
		/* what the chunk will do, for the counts: rows, known,
		 * known and used, known and the same */
		if ((rc = with_bound(s, "SELECT count(*), count(c.code), "
		    "ifnull(sum(c.state <> 'issued'), 0), ifnull(sum(c.state = "
		    "'issued' AND c.target = s.target AND (s.openid = '' OR "
		    "c.openid = s.openid) AND (s.received_at = 0 OR "
		    "c.received_at = s.received_at)), 0) FROM codes_stage s "
		    "LEFT JOIN codes c ON c.code = s.code AND c.kind = s.kind "
		    "WHERE (s.code, s.kind) <= (?1, ?2)", code, kind, k,
		    "count staged codes")) != 0)
			goto out;
		/* never backwards: a code past "issued" keeps its row */
		if ((rc = with_bound(s, "INSERT INTO codes(code, kind, target, "
		    "state, openid, received_at) SELECT code, kind, target, "
		    "'issued', openid, received_at FROM codes_stage WHERE "
		    "(code, kind) <= (?1, ?2) ORDER BY code, kind "
		    "ON CONFLICT(code, kind) DO UPDATE SET target = "
		    "excluded.target, openid = CASE WHEN excluded.openid <> '' "
		    "THEN excluded.openid ELSE codes.openid END, received_at = "
		    "CASE WHEN excluded.received_at <> 0 THEN "
		    "excluded.received_at ELSE codes.received_at END "
		    "WHERE codes.state = 'issued'", code, kind, NULL,
		    "publish codes")) != 0)
			goto out;
		c->added += k[0] - k[1];
		c->kept += k[2];
		c->unchanged += k[3];
		c->updated += k[1] - k[2] - k[3];
	}
	if ((rc = with_bound(s, "DELETE FROM codes_stage WHERE (code, kind) "
	    "<= (?1, ?2)", code, kind, NULL, "clear staged codes")) != 0)
		goto out;
	*more = n == (limit > 0 ? limit : -limit);
out:
	free(code);
	return rc;
}
