/*
 * store_archive.c — moving settled history out of the live file into an
 * archive file (store.h, "archive"). The archive is a store file of its
 * own (same schema, made by store_open) attached as "arc". Each step is
 * two or three short transactions, never one across both files (in WAL
 * mode SQLite does not make a commit atomic across attached files):
 *   1. copy the batch into arc (arc written, live only read);
 *   2. delete from live what was copied and is still settled (live
 *      written; tills wait at most one batch);
 *   3. drop arc's copies of rows that stayed live (changed meanwhile).
 * Killed between two steps, rows are in both files; the next run first
 * drops arc's copies of every row still live (store_archive_reconcile),
 * so a row ends up in exactly one place: live is the truth until step 2.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "store/store.h"
#include "store/store_int.h"
#include "util/err.h"

/* A sale may move when it is decided and every coupon and outbox row of
 * it is final (confirmed, rejected, returned; done, cancelled), every
 * payment final (paid, failed, reversed) and every refund final
 * (success, failed), and nothing of it changed at or after the cutoff
 * (?1). Never a sale still open, a coupon pending, unknown, accepted
 * offline, being returned or in conflict, a charge still open or
 * unknown, a refund under way or ABNORMAL (a person must act on it). */
#define SETTLED "t.state IN ('redeemed','closed','voided') AND " \
	"NOT EXISTS (SELECT 1 FROM main.payments p WHERE p.txn_id = t.id " \
	"AND (p.state NOT IN ('paid','failed','reversed') OR " \
	"p.updated_at >= ?1)) AND NOT EXISTS (SELECT 1 FROM main.refunds f " \
	"WHERE f.txn_id = t.id AND (f.state NOT IN ('success','failed') OR " \
	"f.updated_at >= ?1)) AND " \
	"t.opened_at < ?1 AND t.closed_at < ?1 AND NOT EXISTS (SELECT 1 " \
	"FROM main.redemptions r WHERE r.txn_id = t.id AND (r.state NOT IN " \
	"('confirmed','rejected','returned') OR r.updated_at >= ?1)) AND " \
	"NOT EXISTS (SELECT 1 FROM main.redemptions r JOIN main.outbox o " \
	"ON o.red_id = r.id WHERE r.txn_id = t.id AND (o.state NOT IN " \
	"('done','cancelled') OR o.updated_at >= ?1))"

#define IN_BATCH(t) "(SELECT id FROM temp." t ")"
#define PAYS_OF(t) "(SELECT p.id FROM main.payments p WHERE " \
	"p.txn_id IN " IN_BATCH(t) ")"
#define REDS_OF(t) "(SELECT r.id FROM main.redemptions r WHERE " \
	"r.txn_id IN " IN_BATCH(t) ")"

/* Prepare sql and bind a, b, c to the parameters it has (1..3). */
static int
prep3(struct store *s, const char *sql, int64_t a, int64_t b, int64_t c,
    sqlite3_stmt **st, const char *what)
{
	sqlite3 *db = store_handle(s);
	int n;

	if (sqlite3_prepare_v2(db, sql, -1, st, NULL) != SQLITE_OK)
		return store_sqlfail(s, sqlite3_extended_errcode(db), what);
	n = sqlite3_bind_parameter_count(*st);
	if (n >= 1)
		sqlite3_bind_int64(*st, 1, a);
	if (n >= 2)
		sqlite3_bind_int64(*st, 2, b);
	if (n >= 3)
		sqlite3_bind_int64(*st, 3, c);
	return QUAN_OK;
}

/* Run sql to its end; *changes (may be NULL) += rows it changed. */
static int
run1(struct store *s, const char *sql, int64_t a, int64_t b, int64_t c,
    int64_t *changes, const char *what)
{
	sqlite3_stmt *st = NULL;
	int rc;

	if ((rc = prep3(s, sql, a, b, c, &st, what)) != 0)
		return rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		;
	if (rc == SQLITE_DONE && changes != NULL)
		*changes += sqlite3_changes(store_handle(s));
	rc = rc == SQLITE_DONE ? QUAN_OK : store_sqlfail(s,
	    sqlite3_extended_errcode(store_handle(s)), what);
	sqlite3_finalize(st);
	return rc;
}

/* One integer (0 when NULL or no row). */
static int
int1(struct store *s, const char *sql, int64_t a, int64_t b, int64_t c,
    int64_t *out, const char *what)
{
	sqlite3_stmt *st = NULL;
	int rc;

	*out = 0;
	if ((rc = prep3(s, sql, a, b, c, &st, what)) != 0)
		return rc;
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		*out = sqlite3_column_int64(st, 0);
	rc = rc == SQLITE_ROW || rc == SQLITE_DONE ? QUAN_OK :
	    store_sqlfail(s, sqlite3_extended_errcode(store_handle(s)),
	    what);
	sqlite3_finalize(st);
	return rc;
}

/* A transaction of one file: BEGIN (deferred: the first write locks only
 * the file it writes) or BEGIN IMMEDIATE for live. */
static int
begin(struct store *s, int live)
{
	return live ? store_begin(s) :
	    store_sqlexec(s, "BEGIN", "begin archive transaction");
}

static int
commit(struct store *s, int live, int rc)
{
	if (live) {
		if (rc != 0) {
			store_rollback(s);
			return rc;
		}
		return store_commit(s);
	}
	if (rc == 0)
		rc = store_sqlexec(s, "COMMIT", "commit archive");
	if (rc != 0)
		sqlite3_exec(store_handle(s), "ROLLBACK", NULL, NULL, NULL);
	return rc;
}

int
store_archive_attach(struct store *s, const char *path)
{
	sqlite3 *db = store_handle(s);
	sqlite3_stmt *st = NULL;
	struct store *a = NULL;
	struct stat sb;
	char *cause = NULL;
	int fd, rc;

	/* created 0600 before SQLite sees it (its -wal and -shm files take
	 * the same mode); an existing one is tightened */
	fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd < 0 || fstat(fd, &sb) != 0 || !S_ISREG(sb.st_mode) ||
	    fchmod(fd, 0600) != 0) {
		int e = errno;

		if (fd >= 0)
			close(fd);
		return store_sqlfail(s, e == EACCES || e == EROFS ?
		    SQLITE_PERM : SQLITE_CANTOPEN, path);
	}
	close(fd);
	/* the schema of this quan, made (or brought up to date) the way the
	 * live file's is */
	if ((rc = store_open(path, 0, &a, &cause)) != 0) {
		rc = store_sqlfail(s, rc == QUAN_ECORRUPT ? SQLITE_CORRUPT :
		    SQLITE_CANTOPEN, cause != NULL ? cause : path);
		free(cause);
		return rc;
	}
	store_close(a);
	rc = sqlite3_prepare_v2(db, "ATTACH DATABASE ?1 AS arc", -1, &st,
	    NULL);
	if (rc == SQLITE_OK) {
		sqlite3_bind_text(st, 1, path, -1, SQLITE_STATIC);
		rc = sqlite3_step(st);
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE && rc != SQLITE_OK)
		return store_sqlfail(s, sqlite3_extended_errcode(db),
		    "attach archive");
	return store_sqlexec(s, "PRAGMA arc.synchronous = FULL;"
	    "CREATE TEMP TABLE IF NOT EXISTS arc_copied(id INTEGER PRIMARY "
	    "KEY); CREATE TEMP TABLE IF NOT EXISTS arc_batch(id INTEGER "
	    "PRIMARY KEY)", "prepare archive");
}

void
store_archive_detach(struct store *s)
{
	sqlite3_exec(store_handle(s), "DETACH DATABASE arc", NULL, NULL,
	    NULL);
}

int
store_archive_reconcile(struct store *s)
{
	int rc;

	if ((rc = begin(s, 0)) != 0)
		return rc;
	rc = store_sqlexec(s,
	    "DELETE FROM arc.outbox WHERE id IN (SELECT id FROM main.outbox);"
	    "DELETE FROM arc.redemptions WHERE id IN "
	    "(SELECT id FROM main.redemptions);"
	    "DELETE FROM arc.refunds WHERE id IN (SELECT id FROM main.refunds);"
	    "DELETE FROM arc.payment_vouchers WHERE payment_id IN "
	    "(SELECT id FROM main.payments);"
	    "DELETE FROM arc.payments WHERE id IN "
	    "(SELECT id FROM main.payments);"
	    "DELETE FROM arc.txns WHERE id IN (SELECT id FROM main.txns);"
	    "DELETE FROM arc.journal WHERE seq IN "
	    "(SELECT seq FROM main.journal);"
	    "DELETE FROM arc.notify_seen WHERE id IN "
	    "(SELECT id FROM main.notify_seen)", "reconcile archive");
	return commit(s, 0, rc);
}

int
store_archive_sales(struct store *s, int64_t cutoff, int max,
    int64_t *after, struct store_archive_count *c)
{
	int64_t n = 0, last = 0, gone = 0;
	int rc;

	/* 1. the batch, copied into arc */
	if ((rc = begin(s, 0)) != 0)
		return rc;
	if ((rc = store_sqlexec(s, "DELETE FROM temp.arc_copied",
	    "archive batch")) == 0 &&
	    (rc = run1(s, "INSERT INTO temp.arc_copied(id) SELECT t.id FROM "
	    "main.txns t WHERE t.id > ?2 AND " SETTLED " ORDER BY t.id "
	    "LIMIT ?3", cutoff, *after, max, NULL, "archive batch")) == 0 &&
	    (rc = int1(s, "SELECT count(*) FROM temp.arc_copied", 0, 0, 0, &n,
	    "archive batch")) == 0 &&
	    (rc = int1(s, "SELECT ifnull(max(id), 0) FROM temp.arc_copied", 0,
	    0, 0, &last, "archive batch")) == 0 && n > 0)
		rc = store_sqlexec(s,
		    "INSERT OR REPLACE INTO arc.txns SELECT * FROM main.txns "
		    "WHERE id IN " IN_BATCH("arc_copied") ";"
		    "INSERT OR REPLACE INTO arc.redemptions SELECT * FROM "
		    "main.redemptions WHERE txn_id IN " IN_BATCH("arc_copied")
		    ";INSERT OR REPLACE INTO arc.outbox SELECT * FROM "
		    "main.outbox WHERE red_id IN " REDS_OF("arc_copied") ";"
		    /* payments and refunds with their sale; the archive's
		     * refund trigger counts what is there: drop any copy a
		     * cut-off run left first */
		    "DELETE FROM arc.refunds WHERE txn_id IN "
		    IN_BATCH("arc_copied") ";"
		    "DELETE FROM arc.payment_vouchers WHERE payment_id IN "
		    PAYS_OF("arc_copied") ";"
		    "DELETE FROM arc.payments WHERE txn_id IN "
		    IN_BATCH("arc_copied") ";"
		    "INSERT INTO arc.payments SELECT * FROM main.payments "
		    "WHERE txn_id IN " IN_BATCH("arc_copied") ";"
		    "INSERT INTO arc.payment_vouchers SELECT * FROM "
		    "main.payment_vouchers WHERE payment_id IN "
		    PAYS_OF("arc_copied") ";"
		    "INSERT INTO arc.refunds SELECT * FROM main.refunds "
		    "WHERE txn_id IN " IN_BATCH("arc_copied"),
		    "copy sales to the archive");
	if ((rc = commit(s, 0, rc)) != 0 || n == 0)
		return rc;
	*after = last;
	/* 2. out of live: what is still settled (a void may have come in
	 * between); the codes it used stay known as used */
	if ((rc = begin(s, 1)) != 0)
		return rc;
	rc = store_sqlexec(s, "DELETE FROM temp.arc_batch;"
	    "INSERT INTO temp.arc_batch SELECT id FROM temp.arc_copied",
	    "archive batch");
	if (rc == 0)
		rc = run1(s, "DELETE FROM temp.arc_batch WHERE NOT EXISTS "
		    "(SELECT 1 FROM main.txns t WHERE t.id = arc_batch.id AND "
		    SETTLED ")", cutoff, 0, 0, NULL, "archive batch");
	if (rc == 0)
		rc = store_sqlexec(s, "INSERT OR IGNORE INTO main.codes(code, "
		    "kind, target, state, openid, received_at) SELECT code, "
		    "kind, target, 'used', '', 0 FROM main.redemptions WHERE "
		    "txn_id IN " IN_BATCH("arc_batch") " AND state = "
		    "'confirmed'", "keep used codes");
	if (rc == 0)
		rc = run1(s, "DELETE FROM main.outbox WHERE red_id IN "
		    REDS_OF("arc_batch"), 0, 0, 0, &c->outbox,
		    "delete archived outbox rows");
	if (rc == 0)
		rc = run1(s, "DELETE FROM main.redemptions WHERE txn_id IN "
		    IN_BATCH("arc_batch"), 0, 0, 0, &c->redemptions,
		    "delete archived redemptions");
	if (rc == 0)
		rc = run1(s, "DELETE FROM main.refunds WHERE txn_id IN "
		    IN_BATCH("arc_batch"), 0, 0, 0, &c->refunds,
		    "delete archived refunds");
	if (rc == 0)
		rc = run1(s, "DELETE FROM main.payment_vouchers WHERE "
		    "payment_id IN " PAYS_OF("arc_batch"), 0, 0, 0, NULL,
		    "delete archived vouchers");
	if (rc == 0)
		rc = run1(s, "DELETE FROM main.payments WHERE txn_id IN "
		    IN_BATCH("arc_batch"), 0, 0, 0, &c->payments,
		    "delete archived payments");
	if (rc == 0)
		rc = run1(s, "DELETE FROM main.txns WHERE id IN "
		    IN_BATCH("arc_batch"), 0, 0, 0, &gone,
		    "delete archived sales");
	if ((rc = commit(s, 1, rc)) != 0)
		return rc;
	c->txns += gone;
	if (gone == n)
		return QUAN_OK;
	/* 3. arc's copies of the sales that stayed live */
	if ((rc = begin(s, 0)) != 0)
		return rc;
	rc = store_sqlexec(s,
	    "DELETE FROM arc.outbox WHERE red_id IN (SELECT id FROM "
	    "arc.redemptions WHERE txn_id IN " IN_BATCH("arc_copied") " AND "
	    "txn_id IN (SELECT id FROM main.txns));"
	    "DELETE FROM arc.redemptions WHERE txn_id IN "
	    IN_BATCH("arc_copied") " AND txn_id IN (SELECT id FROM main.txns);"
	    "DELETE FROM arc.refunds WHERE txn_id IN " IN_BATCH("arc_copied")
	    " AND txn_id IN (SELECT id FROM main.txns);"
	    "DELETE FROM arc.payment_vouchers WHERE payment_id IN (SELECT id "
	    "FROM arc.payments WHERE txn_id IN " IN_BATCH("arc_copied")
	    " AND txn_id IN (SELECT id FROM main.txns));"
	    "DELETE FROM arc.payments WHERE txn_id IN " IN_BATCH("arc_copied")
	    " AND txn_id IN (SELECT id FROM main.txns);"
	    "DELETE FROM arc.txns WHERE id IN " IN_BATCH("arc_copied")
	    " AND id IN (SELECT id FROM main.txns)", "drop stale copies");
	return commit(s, 0, rc);
}

int
store_archive_journal_cut(struct store *s, int64_t cutoff, int max,
    int64_t *first, int64_t *last, char head[65])
{
	sqlite3 *db = store_handle(s);
	sqlite3_stmt *st = NULL;
	int64_t top;
	int rc;

	*last = 0;
	head[0] = '\0';
	if ((rc = int1(s, "SELECT ifnull(min(seq), 0) FROM main.journal", 0,
	    0, 0, first, "journal cut")) != 0 ||
	    (rc = int1(s, "SELECT ifnull(max(seq), 0) FROM main.journal", 0,
	    0, 0, &top, "journal cut")) != 0)
		return rc;
	if (*first == 0)
		return QUAN_OK;
	/* up to the last entry older than the cutoff in this batch (one
	 * stamped later by a clock step in between moves with its
	 * neighbours: the journal is the audit trail, no sale needs it);
	 * the newest entry always stays (the chain goes on from it) */
	if ((rc = int1(s, "SELECT ifnull(max(seq), 0) FROM main.journal "
	    "WHERE seq >= ?1 AND seq < ?1 + ?2 AND at < ?3", *first, max,
	    cutoff, last, "journal cut")) != 0)
		return rc;
	if (*last > top - 1)
		*last = top - 1;
	if (*last < *first) {
		*last = 0;
		return QUAN_OK;
	}
	rc = sqlite3_prepare_v2(db, "SELECT hash FROM main.journal WHERE "
	    "seq = ?1", -1, &st, NULL);
	if (rc == SQLITE_OK) {
		sqlite3_bind_int64(st, 1, *last);
		rc = sqlite3_step(st);
	}
	if (rc == SQLITE_ROW)
		snprintf(head, 65, "%s", sqlite3_column_text(st, 0));
	sqlite3_finalize(st);
	if (rc != SQLITE_ROW)
		return store_sqlfail(s, sqlite3_extended_errcode(db),
		    "journal cut");
	return QUAN_OK;
}

int
store_archive_journal_copy(struct store *s, int64_t first, int64_t last)
{
	int rc;

	if ((rc = begin(s, 0)) != 0)
		return rc;
	rc = run1(s, "INSERT OR REPLACE INTO arc.journal SELECT * FROM "
	    "main.journal WHERE seq >= ?1 AND seq <= ?2", first, last, 0, NULL,
	    "copy journal to the archive");
	return commit(s, 0, rc);
}

int
store_archive_journal_drop(struct store *s, int64_t last, int64_t *n)
{
	return run1(s, "DELETE FROM main.journal WHERE seq <= ?1", last, 0, 0,
	    n, "delete archived journal entries");
}

int
store_archive_notices(struct store *s, int64_t cutoff, int64_t *n)
{
	int rc;

	if ((rc = begin(s, 0)) != 0)
		return rc;
	rc = run1(s, "INSERT OR REPLACE INTO arc.notify_seen SELECT * FROM "
	    "main.notify_seen WHERE seen_at < ?1", cutoff, 0, 0, NULL,
	    "copy notifications");
	if ((rc = commit(s, 0, rc)) != 0)
		return rc;
	if ((rc = begin(s, 1)) != 0)
		return rc;
	rc = run1(s, "DELETE FROM main.notify_seen WHERE seen_at < ?1 AND id "
	    "IN (SELECT id FROM arc.notify_seen)", cutoff, 0, 0, n,
	    "delete archived notifications");
	return commit(s, 1, rc);
}

int
store_vacuum(struct store *s, int full)
{
	int64_t mode = 0;
	int rc;

	if ((rc = int1(s, "PRAGMA main.auto_vacuum", 0, 0, 0, &mode,
	    "vacuum")) != 0)
		return rc;
	if (mode == 0 && full)
		rc = store_sqlexec(s, "PRAGMA main.auto_vacuum = INCREMENTAL;"
		    "VACUUM main", "vacuum");
	else if (mode != 0)
		rc = store_sqlexec(s, "PRAGMA main.incremental_vacuum",
		    "vacuum");
	if (rc == 0)
		rc = store_sqlexec(s, "PRAGMA main.wal_checkpoint(PASSIVE)",
		    "checkpoint");
	return rc;
}

int
store_codes_drop(struct store *s, enum store_kind kind, const char *target,
    int64_t *n)
{
	sqlite3 *db = store_handle(s);
	sqlite3_stmt *st = NULL;
	int rc;

	if ((rc = store_begin(s)) != 0)
		return rc;
	rc = sqlite3_prepare_v2(db, "DELETE FROM codes WHERE kind = ?1 AND "
	    "target = ?2", -1, &st, NULL);
	if (rc == SQLITE_OK) {
		sqlite3_bind_int(st, 1, kind);
		sqlite3_bind_text(st, 2, target, -1, SQLITE_STATIC);
		rc = sqlite3_step(st);
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE && rc != SQLITE_OK) {
		rc = store_sqlfail(s, sqlite3_extended_errcode(db),
		    "drop codes");
		store_rollback(s);
		return rc;
	}
	*n += sqlite3_changes(db);
	return store_commit(s);
}
