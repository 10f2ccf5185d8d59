/*
 * store.c — the SQLite side of store.h: opening a database file and
 * migrating its schema, pragmas, transactions, the cache of prepared
 * statements (one per SQL text, prepared on first use), the mapping of
 * SQLite result codes to QUAN_E* with a message, meta and sequences,
 * integrity checks and the test hooks. The rows of each subject are in
 * the store's other files (store_int.h lists them).
 */
#include <errno.h>
#include <fcntl.h>
#include <sqlite3.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "store/store.h"
#include "store/store_int.h"
#include "util/buf.h"
#include "util/err.h"
#include "util/log.h"
#include "util/xmem.h"

/* The words of a damaged database, with the next step. The damage is
 * also written beside the file (PATH.damaged), so every other process on
 * this data dir stops writing too, whichever page it reads. */
static void
set_damaged(struct store *s, const char *what, const char *msg)
{
	char *mark = xasprintf("%s.damaged", s->path), m[128];
	size_t i;
	int fd;

	/* the first words of SQLite's finding, on one line */
	snprintf(m, sizeof m, "%s", msg);
	for (i = 0; m[i] != '\0'; i++)
		if (m[i] == '\n' || m[i] == '\r')
			m[i] = ' ';
	s->damaged = 1;
	snprintf(s->err, sizeof s->err, "%s: %s: %s: the database is damaged "
	    "and nothing more is written to it: stop quan, restore %s from "
	    "your last backup (check it with `quan journal verify` against "
	    "the head on the last Z report), then delete %s", s->path, what,
	    m, s->path, mark);
	log_error("%s", s->err);
	if (!s->readonly && (fd = open(mark, O_WRONLY | O_CREAT | O_EXCL |
	    O_CLOEXEC, 0600)) >= 0) {
		(void)!write(fd, s->err, strlen(s->err));
		(void)!write(fd, "\n", 1);
		(void)fsync(fd);
		close(fd);
	}
	free(mark);
}

/* Another process found the damage: PATH.damaged exists (what it found
 * is written in it). */
static int
marked_damaged(struct store *s)
{
	char *mark;

	if (s->damaged)
		return 1;
	mark = xasprintf("%s.damaged", s->path);
	if (access(mark, F_OK) == 0) {
		s->damaged = 1;
		snprintf(s->err, sizeof s->err, "%.80s: found damaged "
		    "earlier (%.80s says what): the database is damaged and "
		    "nothing more is written to it: stop quan, restore %.80s "
		    "from your last backup, then delete %.80s", s->path, mark,
		    s->path, mark);
	}
	free(mark);
	return s->damaged;
}

/* Map a SQLite result code to QUAN_E*, and keep a message. */
int
store_sqlfail(struct store *s, int rc, const char *what)
{
	int q;
	const char *msg = s->db != NULL ? sqlite3_errmsg(s->db) :
	    sqlite3_errstr(rc);

	switch (rc & 0xff) {
	case SQLITE_FULL:
		q = QUAN_EFULL;
		msg = "disk full (database or file size limit reached)";
		break;
	case SQLITE_CORRUPT:
	case SQLITE_NOTADB:
		q = QUAN_ECORRUPT;
		break;
	case SQLITE_READONLY:
		q = QUAN_EPERM;
		msg = "database is read-only (check the permissions of the "
		    "file and its folder)";
		break;
	case SQLITE_PERM:
	case SQLITE_AUTH:
		q = QUAN_EPERM;
		break;
	case SQLITE_CANTOPEN:
		q = errno == EACCES || errno == EROFS ? QUAN_EPERM : QUAN_EIO;
		break;
	case SQLITE_BUSY:
	case SQLITE_LOCKED:
		q = QUAN_EBUSY;
		break;
	case SQLITE_CONSTRAINT:
		q = (rc == SQLITE_CONSTRAINT_UNIQUE ||
		    rc == SQLITE_CONSTRAINT_PRIMARYKEY) ? QUAN_EEXIST :
		    QUAN_EINVAL;
		break;
	case SQLITE_NOMEM:
		q = QUAN_ENOMEM;
		break;
	case SQLITE_IOERR:
		q = QUAN_EIO;
		/* ENOSPC / a file-size limit (ulimit -f) arrive as I/O errors
		 * (write, truncate, shm size...): name them */
		if ((s->db != NULL && (sqlite3_system_errno(s->db) == ENOSPC ||
		    sqlite3_system_errno(s->db) == EFBIG)) ||
		    errno == ENOSPC || errno == EFBIG) {
			q = QUAN_EFULL;
			msg = "disk full (cannot write the database)";
		}
		break;
	default:
		q = QUAN_EIO;
		break;
	}
	if (q == QUAN_ECORRUPT) {
		/* any page found damaged stops every write at once */
		set_damaged(s, what, msg);
		return q;
	}
	snprintf(s->err, sizeof s->err, "%s: %s: %s", s->path, what, msg);
	log_debug("%s", s->err);
	return q;
}

sqlite3 *
store_handle(struct store *s)
{
	return s->db;
}

const char *
store_path(const struct store *s)
{
	return s->path;
}

void
store_set_aux(struct store *s, void *p, void (*free_fn)(void *))
{
	if (s->aux_free != NULL && s->aux != p)
		s->aux_free(s->aux);
	s->aux = p;
	s->aux_free = free_fn;
}

void *
store_aux(const struct store *s)
{
	return s->aux;
}

/* QUAN_ECORRUPT when the handle saw damage (the words stay those of the
 * damage), else QUAN_OK. */
static int
refuse_damaged(struct store *s)
{
	return marked_damaged(s) ? QUAN_ECORRUPT : QUAN_OK;
}

int
store_damaged(struct store *s)
{
	return s != NULL && marked_damaged(s);
}

int
store_prep(struct store *s, enum stmt_id id, sqlite3_stmt **out)
{
	int rc;

	if (s->st[id] == NULL) {
		rc = sqlite3_prepare_v3(s->db, store_stmt_sql[id], -1,
		    SQLITE_PREPARE_PERSISTENT, &s->st[id], NULL);
		if (rc != SQLITE_OK)
			return store_sqlfail(s, rc, "prepare");
	} else
		sqlite3_reset(s->st[id]);
	sqlite3_clear_bindings(s->st[id]);
	*out = s->st[id];
	return QUAN_OK;
}

/* Step a statement that returns no rows. */
int
store_run(struct store *s, sqlite3_stmt *st, const char *what)
{
	int rc;

	if (!sqlite3_stmt_readonly(st) && !s->in_txn &&
	    marked_damaged(s)) {
		sqlite3_reset(st);
		return QUAN_ECORRUPT;
	}
	if (s->damaged && !sqlite3_stmt_readonly(st)) {
		sqlite3_reset(st);
		return QUAN_ECORRUPT;
	}
	rc = sqlite3_step(st);

	if (rc != SQLITE_DONE && rc != SQLITE_ROW) {
		int q = store_sqlfail(s, sqlite3_extended_errcode(s->db), what);

		sqlite3_reset(st);
		return q;
	}
	sqlite3_reset(st);
	return QUAN_OK;
}

/* Step a statement that returns at most one row. QUAN_OK leaves the row
 * current (the caller reads it, then resets); otherwise the statement is
 * reset and the result is QUAN_ENOTFOUND (no row) or the mapped error. */
int
store_step_one(struct store *s, sqlite3_stmt *st, const char *what)
{
	int rc = sqlite3_step(st);

	if (rc == SQLITE_ROW)
		return QUAN_OK;
	sqlite3_reset(st);
	if (rc == SQLITE_DONE)
		return QUAN_ENOTFOUND;
	return store_sqlfail(s, sqlite3_extended_errcode(s->db), what);
}

/* Read the one row of statement q whose parameter 1 is id into out with
 * fill(). QUAN_OK, QUAN_ENOTFOUND or the mapped error (what names it). */
int
store_get_id(struct store *s, enum stmt_id q, int64_t id,
    void (*fill)(sqlite3_stmt *, void *), void *out, const char *what)
{
	sqlite3_stmt *st = NULL;
	int rc;

	if ((rc = store_prep(s, q, &st)) != 0)
		return rc;
	bi(st, 1, id);
	if ((rc = store_step_one(s, st, what)) != 0)
		return rc;
	fill(st, out);
	sqlite3_reset(st);
	return QUAN_OK;
}

int
store_one_row(struct store *s, enum stmt_id q, int64_t *a, int64_t *b)
{
	sqlite3_stmt *st = NULL;
	int rc;

	if ((rc = store_prep(s, q, &st)) != 0)
		return rc;
	if (sqlite3_step(st) != SQLITE_ROW) {
		rc = store_sqlfail(s, sqlite3_extended_errcode(s->db), "count");
		sqlite3_reset(st);
		return rc;
	}
	*a = sqlite3_column_int64(st, 0);
	if (b != NULL)
		*b = sqlite3_column_int64(st, 1);
	sqlite3_reset(st);
	return QUAN_OK;
}


/* Step st to its end, copying each row with fill() into a new array of
 * elements of size sz (*rows, caller frees; NULL when empty). Rows are
 * copied first so callbacks may call other store functions (the cached
 * statement is reset before they run). 0 or the mapped error. */
int
store_collect(struct store *s, sqlite3_stmt *st, size_t sz,
    void (*fill)(sqlite3_stmt *, void *), void **rows, size_t *n,
    const char *what)
{
	char *a = NULL;
	size_t cap = 0;
	int rc;

	*n = 0;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (*n == cap) {
			cap = cap != 0 ? cap * 2 : 8;
			a = xrealloc(a, cap * sz);
		}
		fill(st, a + (*n)++ * sz);
	}
	if (rc != SQLITE_DONE) {
		rc = store_sqlfail(s, sqlite3_extended_errcode(s->db), what);
		sqlite3_reset(st);
		free(a);
		*n = 0;
		return rc;
	}
	sqlite3_reset(st);
	*rows = a;
	return 0;
}


static int
exec(struct store *s, const char *sql, const char *what)
{
	int rc = sqlite3_exec(s->db, sql, NULL, NULL, NULL);

	if (rc != SQLITE_OK)
		return store_sqlfail(s, sqlite3_extended_errcode(s->db), what);
	return QUAN_OK;
}

/* For the store's other files (store_int.h). */
int
store_sqlexec(struct store *s, const char *sql, const char *what)
{
	return exec(s, sql, what);
}

const char *
store_errmsg(const struct store *s)
{
	return s != NULL && s->err[0] != '\0' ? s->err : "no error";
}

/* Take the schema to version n (STORE_SCHEMA_VERSION; older only for the
 * test hook store_create_version). */
static int
migrate(struct store *s, int readonly, int n)
{
	sqlite3_stmt *st = NULL;
	int v, rc;

	rc = sqlite3_prepare_v2(s->db, "PRAGMA user_version", -1, &st, NULL);
	if (rc != SQLITE_OK)
		return store_sqlfail(s, sqlite3_extended_errcode(s->db),
		    "read schema version");
	rc = sqlite3_step(st);
	v = rc == SQLITE_ROW ? sqlite3_column_int(st, 0) : -1;
	sqlite3_finalize(st);
	if (rc != SQLITE_ROW)
		return store_sqlfail(s, sqlite3_extended_errcode(s->db),
		    "read schema version");
	if (v > STORE_SCHEMA_VERSION) {
		snprintf(s->err, sizeof s->err, "%s: schema version %d is "
		    "newer than this quan (%d)", s->path, v,
		    STORE_SCHEMA_VERSION);
		return QUAN_ECORRUPT;
	}
	if (v >= n)
		return QUAN_OK;
	if (readonly == 2 && v >= STORE_READS_AS_NEWEST)
		return QUAN_OK; /* STORE_O_OLDER_OK: the tables read the same */
	if (readonly) {
		snprintf(s->err, sizeof s->err, "%s: read-only and needs "
		    "schema migration %d -> %d", s->path, v, n);
		return QUAN_EPERM;
	}
	if ((rc = store_begin(s)) != 0)
		return rc;
	for (; v < n; v++) {
		char pv[48];

		if ((rc = exec(s, store_schema_sql[v], "migrate schema")) != 0)
			goto bad;
		snprintf(pv, sizeof pv, "PRAGMA user_version = %d", v + 1);
		if ((rc = exec(s, pv, "set schema version")) != 0)
			goto bad;
	}
	return store_commit(s);
bad:
	store_rollback(s);
	return rc;
}

/* Another process holds the write lock: try again every millisecond up
 * to busy_ms. SQLite's own timeout backs off to 100 ms naps, which keep
 * missing the short gaps a bulk import leaves between its transactions
 * (a waiting redeem then failed "database is locked"); a 1 ms poll is
 * cheap and takes the next gap. */
static int
busy_wait(void *arg, int n)
{
	struct store *s = arg;
	struct timespec now, nap = { 0, 1000000 };
	int64_t ms;

	clock_gettime(CLOCK_MONOTONIC, &now);
	ms = (int64_t)now.tv_sec * 1000 + now.tv_nsec / 1000000;
	if (n == 0)
		s->busy_since_ms = ms;
	if (ms - s->busy_since_ms >= s->busy_ms)
		return 0;
	nanosleep(&nap, NULL);
	return 1;
}

static int open_at(const char *path, int flags, int version,
    struct store **out, char **cause);

int
store_open(const char *path, int flags, struct store **out, char **cause)
{
	return open_at(path, flags, STORE_SCHEMA_VERSION, out, cause);
}

int
store_create_version(const char *path, int version, char **cause)
{
	struct store *s = NULL;
	int rc;

	if (version < 1 || version > STORE_SCHEMA_VERSION) {
		*cause = xasprintf("no schema version %d", version);
		return QUAN_EINVAL;
	}
	if ((rc = open_at(path, 0, version, &s, cause)) == 0)
		store_close(s);
	return rc;
}

static int
open_at(const char *path, int flags, int version, struct store **out,
    char **cause)
{
	struct store *s = xcalloc(1, sizeof *s);
	int rc, oflags, ro = (flags & STORE_O_READONLY) != 0;

	s->path = xstrdup(path);
	s->readonly = ro;
	oflags = ro ? SQLITE_OPEN_READONLY :
	    SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE;
	errno = 0;
	if (ro) {
		/* a read-only medium: no -shm can be created, so open the
		 * file as immutable (no locks; nothing writes it) */
		struct buf u;
		const char *p;

		buf_init(&u, 3 * strlen(path) + 64);
		buf_adds(&u, "file:");
		for (p = path; *p != '\0'; p++) {
			if (*p == '%' || *p == '?' || *p == '#')
				buf_printf(&u, "%%%02X", (unsigned char)*p);
			else
				buf_add(&u, p, 1);
		}
		buf_adds(&u, "?immutable=1");
		rc = sqlite3_open_v2(buf_str(&u), &s->db, oflags |
		    SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_URI, NULL);
		buf_free(&u);
	} else
		rc = sqlite3_open_v2(path, &s->db, oflags |
		    SQLITE_OPEN_NOMUTEX, NULL);
	if (rc != SQLITE_OK) {
		rc = store_sqlfail(s, rc, "cannot open database");
		goto bad;
	}
	sqlite3_extended_result_codes(s->db, 1);
	/* Opening (header, pragmas, migration) runs once per process; when
	 * several processes open one new store at once (a lane's till and
	 * its one-shot commands after install) the first holds the lock
	 * while it creates the schema, and under load that took more than
	 * the 5 s a sale's write may wait ("set auto-vacuum: database is
	 * locked", 8 quan processes, load 40). Wait up to 30 s here, then
	 * the normal 5 s. */
	s->busy_ms = 30000;
	sqlite3_busy_handler(s->db, busy_wait, s);
	/* Reading the header first turns "not a database" into a clear
	 * error before any pragma can write. */
	if ((rc = exec(s, "SELECT count(*) FROM sqlite_schema",
	    "read database")) != 0)
		goto bad;
	if (!ro) {
		/* a new file frees the pages of archived history as it goes
		 * (store_vacuum); an existing one keeps its mode (no-op) */
		if ((rc = exec(s, "PRAGMA auto_vacuum = INCREMENTAL",
		    "set auto-vacuum")) != 0)
			goto bad;
		if ((rc = exec(s, "PRAGMA journal_mode = WAL",
		    "set WAL mode")) != 0)
			goto bad;
		if (sqlite3_db_readonly(s->db, "main") == 1) {
			snprintf(s->err, sizeof s->err, "%s: database is "
			    "read-only (check file and folder permissions)",
			    path);
			rc = QUAN_EPERM;
			goto bad;
		}
	}
	if ((rc = exec(s, "PRAGMA synchronous = FULL; "
	    "PRAGMA foreign_keys = ON; PRAGMA cache_size = -8000; "
	    "PRAGMA temp_store = MEMORY", "set pragmas")) != 0)
		goto bad;
	if ((rc = migrate(s, ro && (flags & STORE_O_OLDER_OK) ? 2 : ro,
	    version)) != 0)
		goto bad;
	s->busy_ms = 5000;
	*out = s;
	return QUAN_OK;
bad:
	*cause = xstrdup(s->err[0] != '\0' ? s->err : quan_strerror(rc));
	store_close(s);
	return rc;
}

void
store_close(struct store *s)
{
	int i;

	if (s == NULL)
		return;
	for (i = 0; i < Q_COUNT; i++)
		sqlite3_finalize(s->st[i]);
	if (s->db != NULL)
		sqlite3_close(s->db);
	if (s->aux_free != NULL)
		s->aux_free(s->aux);
	free(s->path);
	free(s);
}

int
store_set_max_pages(struct store *s, int64_t n)
{
	char q[64];

	if (n <= 0)
		return QUAN_OK;
	snprintf(q, sizeof q, "PRAGMA max_page_count = %lld", (long long)n);
	return exec(s, q, "set max pages");
}

int
store_set_cache_kb(struct store *s, int64_t kb)
{
	char q[64];
	int rc;

	if (kb <= 0)
		kb = STORE_CACHE_KB;
	snprintf(q, sizeof q, "PRAGMA cache_size = -%lld", (long long)kb);
	rc = exec(s, q, "set cache size");
	if (rc == 0 && kb == STORE_CACHE_KB)
		sqlite3_db_release_memory(s->db);
	return rc;
}

void
store_set_busy_ms(struct store *s, int ms)
{
	s->busy_ms = ms;
}

int
store_begin(struct store *s)
{
	int rc;

	if ((rc = refuse_damaged(s)) != QUAN_OK)
		return rc;
	if (s->in_txn) {
		snprintf(s->err, sizeof s->err, "%s: nested transaction",
		    s->path);
		return QUAN_EINVAL;
	}
	if ((rc = exec(s, "BEGIN IMMEDIATE", "begin transaction")) != 0)
		return rc;
	s->in_txn = 1;
	return QUAN_OK;
}

int
store_commit(struct store *s)
{
	int rc = refuse_damaged(s);

	if (rc == QUAN_OK)
		rc = exec(s, "COMMIT", "commit");
	if (rc != 0) {
		store_rollback(s);
		return rc;
	}
	s->in_txn = 0;
	return QUAN_OK;
}

void
store_rollback(struct store *s)
{
	if (!sqlite3_get_autocommit(s->db))
		sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
	s->in_txn = 0;
}

/* --- meta ---------------------------------------------------------- */

int
store_meta_get(struct store *s, const char *key, char *out, size_t n)
{
	sqlite3_stmt *st = NULL;
	int rc;

	if ((rc = store_prep(s, Q_META_GET, &st)) != 0)
		return rc;
	bt(st, 1, key);
	if ((rc = store_step_one(s, st, "read meta")) != 0)
		return rc;
	col_text(st, 0, out, n);
	sqlite3_reset(st);
	return QUAN_OK;
}

int
store_meta_set(struct store *s, const char *key, const char *value)
{
	sqlite3_stmt *st = NULL;
	int rc;

	if ((rc = store_prep(s, Q_META_SET, &st)) != 0)
		return rc;
	bt(st, 1, key);
	bt(st, 2, value);
	return store_run(s, st, "write meta");
}

int
store_seq_next(struct store *s, const char *name, int64_t *out)
{
	sqlite3_stmt *st = NULL;
	int rc;

	if ((rc = store_prep(s, Q_SEQ_UP, &st)) != 0)
		return rc;
	bt(st, 1, name);
	if ((rc = store_run(s, st, "advance sequence")) != 0)
		return rc;
	if ((rc = store_prep(s, Q_SEQ_GET, &st)) != 0)
		return rc;
	bt(st, 1, name);
	if (sqlite3_step(st) != SQLITE_ROW) {
		rc = store_sqlfail(s, sqlite3_extended_errcode(s->db),
		    "read sequence");
		sqlite3_reset(st);
		return rc;
	}
	*out = sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	return QUAN_OK;
}

/* --- maintenance --------------------------------------------------- */

static int
check(struct store *s, const char *pragma, const char *what)
{
	sqlite3_stmt *st = NULL;
	int rc;

	rc = sqlite3_prepare_v2(s->db, pragma, -1, &st, NULL);
	if (rc != SQLITE_OK)
		return store_sqlfail(s, sqlite3_extended_errcode(s->db), what);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		const char *t = (const char *)sqlite3_column_text(st, 0);

		if (t != NULL && strcmp(t, "ok") == 0)
			rc = QUAN_OK;
		else {
			set_damaged(s, what, t != NULL ? t : "?");
			rc = QUAN_ECORRUPT;
		}
	} else
		rc = store_sqlfail(s, sqlite3_extended_errcode(s->db), what);
	sqlite3_finalize(st);
	return rc;
}

int
store_check(struct store *s)
{
	return check(s, "PRAGMA integrity_check(1)", "integrity check");
}

int
store_quick_check(struct store *s)
{
	return check(s, "PRAGMA quick_check(1)", "quick check");
}

int
store_quick_check_due(struct store *s, int64_t now, int64_t every_s)
{
	char v[32];
	int rc;

	if (marked_damaged(s))
		return QUAN_ECORRUPT;
	if (store_meta_get(s, "quick_check_at", v, sizeof v) == QUAN_OK &&
	    now - strtoll(v, NULL, 10) < every_s &&
	    strtoll(v, NULL, 10) <= now)
		return QUAN_OK;
	if ((rc = store_quick_check(s)) != QUAN_OK)
		return rc;
	snprintf(v, sizeof v, "%lld", (long long)now);
	if (!s->readonly)
		(void)store_meta_set(s, "quick_check_at", v);
	return QUAN_OK;
}

int
store_size(struct store *s, int64_t *bytes)
{
	sqlite3_stmt *st = NULL;
	int rc;

	rc = sqlite3_prepare_v2(s->db, "SELECT page_count * page_size FROM "
	    "pragma_page_count(), pragma_page_size()", -1, &st, NULL);
	if (rc != SQLITE_OK)
		return store_sqlfail(s, sqlite3_extended_errcode(s->db),
		    "size");
	if (sqlite3_step(st) == SQLITE_ROW) {
		*bytes = sqlite3_column_int64(st, 0);
		rc = 0;
	} else
		rc = store_sqlfail(s, sqlite3_extended_errcode(s->db), "size");
	sqlite3_finalize(st);
	return rc;
}

int
store_col_word(sqlite3_stmt *st, int i, int (*parse)(const char *), int bad)
{
	const char *t = (const char *)sqlite3_column_text(st, i);
	int v = parse(t);

	if (v >= 0)
		return v;
	log_error("store: column %s holds '%s', not a state quan knows",
	    sqlite3_column_name(st, i), t != NULL ? t : "(null)");
	return bad;
}

/* --- test hooks: which statements run, and their plans -------------- */

static int
trace_cb(unsigned type, void *arg, void *p, void *x)
{
	struct store *s = arg;
	const char *sql = sqlite3_sql(p);

	(void)type;
	(void)x;
	if (s->trace != NULL && sql != NULL)
		s->trace(s->trace_arg, sql);
	return 0;
}

void
store_trace(struct store *s, store_sql_fn fn, void *arg)
{
	s->trace = fn;
	s->trace_arg = arg;
	sqlite3_trace_v2(s->db, fn != NULL ? SQLITE_TRACE_STMT : 0,
	    fn != NULL ? trace_cb : NULL, s);
}

int
store_plan(struct store *s, const char *sql, store_sql_fn fn, void *arg)
{
	sqlite3_stmt *st = NULL;
	char *q = xasprintf("EXPLAIN QUERY PLAN %s", sql);
	int rc;

	rc = sqlite3_prepare_v2(s->db, q, -1, &st, NULL);
	free(q);
	if (rc != SQLITE_OK)
		return store_sqlfail(s, sqlite3_extended_errcode(s->db),
		    "explain");
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		fn(arg, (const char *)sqlite3_column_text(st, 3));
	rc = rc == SQLITE_DONE ? 0 :
	    store_sqlfail(s, sqlite3_extended_errcode(s->db), "explain");
	sqlite3_finalize(st);
	return rc;
}

const char *
store_kind_name(enum store_kind k)
{
	return k == STORE_CARD ? "card" : "merchant";
}

int
store_kind_parse(const char *s, enum store_kind *out)
{
	if (strcmp(s, "merchant") == 0)
		*out = STORE_MERCHANT;
	else if (strcmp(s, "card") == 0)
		*out = STORE_CARD;
	else
		return QUAN_EINVAL;
	return QUAN_OK;
}

const char *
store_op_name(enum store_op op)
{
	switch (op) {
	case STORE_OP_USE:
		return "use";
	case STORE_OP_RETURN:
		return "return";
	case STORE_OP_CONSUME:
		return "consume";
	}
	return "use";
}
