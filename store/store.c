/*
 * store.c — the SQLite side of store.h: schema and migrations, pragmas,
 * a cache of prepared statements (one per SQL text, prepared on first use),
 * and the mapping of SQLite result codes to QUAN_E* with a message.
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

#define RED_COLS "id, txn_id, line, code, kind, target, coupon_type, " \
	"ifnull(idem_key,''), ifnull(return_key,''), state, reason, " \
	"discount_fen, use_time, offline_at, offline_reason, openid, " \
	"wx_code, remote_ref, created_at, updated_at"
#define OB_COLS "o.id, o.red_id, r.txn_id, o.op, r.kind, r.code, " \
	"r.target, o.request_no, r.openid, r.use_time, o.body, o.state, " \
	"o.attempts, o.next_at, o.last_error, o.created_at, o.unreached"

static const char *const sql_text[Q_COUNT] = {
	[Q_META_GET] = "SELECT value FROM meta WHERE key = ?1",
	[Q_META_SET] = "INSERT INTO meta(key, value) VALUES(?1, ?2) "
	    "ON CONFLICT(key) DO UPDATE SET value = excluded.value",
	[Q_SEQ_UP] = "INSERT INTO seqs(name, value) VALUES(?1, 1) "
	    "ON CONFLICT(name) DO UPDATE SET value = value + 1",
	[Q_SEQ_GET] = "SELECT value FROM seqs WHERE name = ?1",
	[Q_STOCK_PUT] = "INSERT INTO stocks(stock_id, raw, stock_type, "
	    "stock_state, stock_name, fetched_at) VALUES(?1,?2,?3,?4,?5,?6) "
	    "ON CONFLICT(stock_id) DO UPDATE SET raw = excluded.raw, "
	    "stock_type = excluded.stock_type, stock_state = "
	    "excluded.stock_state, stock_name = excluded.stock_name, "
	    "fetched_at = excluded.fetched_at",
	[Q_CARD_PUT] = "INSERT INTO cards(card_id, raw, card_type, status, "
	    "title, fetched_at) VALUES(?1,?2,?3,?4,?5,?6) "
	    "ON CONFLICT(card_id) DO UPDATE SET raw = excluded.raw, "
	    "card_type = excluded.card_type, status = excluded.status, "
	    "title = excluded.title, fetched_at = excluded.fetched_at",
	[Q_STOCK_GET] = "SELECT raw, fetched_at FROM stocks "
	    "WHERE stock_id = ?1",
	[Q_CARD_GET] = "SELECT raw, fetched_at FROM cards WHERE card_id = ?1",
	[Q_STATS_STOCKS] = "SELECT count(*), ifnull(min(fetched_at), 0) "
	    "FROM stocks",
	[Q_STATS_CARDS] = "SELECT count(*), ifnull(min(fetched_at), 0) "
	    "FROM cards",
	[Q_STATS_CODES] = "SELECT count(*) FROM codes",
	[Q_CODE_PUT] = "INSERT INTO codes(code, kind, target, state, openid, "
	    "received_at) VALUES(?1,?2,?3,?4,?5,?6) ON CONFLICT(code, kind) "
	    "DO UPDATE SET target = excluded.target, openid = CASE WHEN "
	    "excluded.openid <> '' THEN excluded.openid ELSE codes.openid END,"
	    " received_at = CASE WHEN excluded.received_at <> 0 THEN "
	    "excluded.received_at ELSE codes.received_at END",
	[Q_CODE_GET] = "SELECT code, kind, target, state, openid, "
	    "received_at FROM codes WHERE code = ?1 ORDER BY kind LIMIT 1",
	[Q_CODE_STATE] = "UPDATE codes SET state = ?3 WHERE code = ?1 "
	    "AND kind = ?2",
	[Q_TXN_INS] = "INSERT INTO txns(amount_fen, discount_fen, due_fen, "
	    "state, opened_at, closed_at, cashier) "
	    "VALUES(?1,?2,?3,?4,?5,?6,?7)",
	[Q_TXN_GET] = "SELECT id, amount_fen, discount_fen, due_fen, state, "
	    "opened_at, closed_at, cashier FROM txns WHERE id = ?1",
	[Q_TXN_UPD] = "UPDATE txns SET amount_fen = ?2, discount_fen = ?3, "
	    "due_fen = ?4, state = ?5, closed_at = ?6 WHERE id = ?1",
	[Q_RED_INS] = "INSERT INTO redemptions(txn_id, line, code, kind, "
	    "target, coupon_type, idem_key, return_key, state, reason, "
	    "discount_fen, use_time, offline_at, offline_reason, openid, "
	    "wx_code, remote_ref, created_at, updated_at) VALUES(?1,?2,?3,"
	    "?4,?5,?6,nullif(?7,''),nullif(?8,''),?9,?10,?11,?12,?13,?14,"
	    "?15,?16,?17,?18,?19)",
	[Q_RED_GET] = "SELECT " RED_COLS " FROM redemptions WHERE id = ?1",
	[Q_RED_UPD] = "UPDATE redemptions SET state = ?2, reason = ?3, "
	    "discount_fen = ?4, offline_at = ?5, offline_reason = ?6, "
	    "openid = ?7, wx_code = ?8, remote_ref = ?9, return_key = "
	    "nullif(?10,''), updated_at = ?11 WHERE id = ?1",
	[Q_RED_DEF] = "UPDATE redemptions SET target = ifnull(?2, target), "
	    "coupon_type = ifnull(?3, coupon_type) WHERE id = ?1",
	[Q_RED_TXN] = "SELECT " RED_COLS " FROM redemptions "
	    "WHERE txn_id = ?1 ORDER BY line",
	[Q_RED_LIST] = "SELECT " RED_COLS " FROM redemptions "
	    "WHERE created_at >= ?1 AND created_at < ?2 ORDER BY id",
	[Q_RED_LIST_ST] = "SELECT " RED_COLS " FROM redemptions "
	    "WHERE created_at >= ?1 AND created_at < ?2 AND state = ?3 "
	    "ORDER BY id",
	[Q_RED_ACTIVE] = "SELECT 1 FROM redemptions WHERE code = ?1 AND "
	    "state IN (" STORE_LIVE_SQL ",'conflict') LIMIT 1",
	[Q_RED_COUNTS] = "SELECT CASE WHEN state = 'confirmed' AND "
	    "reason = 'voided_not_returnable' THEN reason ELSE state END "
	    "AS st, count(*), sum(discount_fen) "
	    "FROM redemptions WHERE created_at >= ?1 AND created_at < ?2 "
	    "GROUP BY st ORDER BY st",
	[Q_OFF_COUNT] = "SELECT count(*) FROM redemptions "
	    "WHERE offline_at >= ?1 AND offline_at > 0",
	[Q_OFF_EXPO] = "SELECT ifnull(sum(discount_fen), 0) FROM redemptions "
	    "WHERE state = 'accepted_offline'",
	[Q_OB_INS] = "INSERT INTO outbox(red_id, op, request_no, body, state, "
	    "attempts, next_at, last_error, created_at, updated_at) "
	    "VALUES(?1,?2,?3,?4,'pending',0,?5,'',?6,?6)",
	[Q_OB_GET] = "SELECT " OB_COLS " FROM outbox o JOIN redemptions r "
	    "ON r.id = o.red_id WHERE o.id = ?1",
	[Q_OB_DUE] = "SELECT " OB_COLS " FROM outbox o JOIN redemptions r "
	    "ON r.id = o.red_id WHERE o.state IN ('pending','unknown') AND "
	    "o.next_at <= ?1 AND (SELECT t.state FROM txns t WHERE "
	    "t.id = r.txn_id) <> 'open' AND (o.op <> 'return' OR NOT EXISTS "
	    "(SELECT 1 FROM outbox u WHERE u.red_id = o.red_id AND "
	    "u.op <> 'return' AND u.state IN ('pending','unknown'))) "
	    "ORDER BY o.id LIMIT ?2",
	[Q_OB_TXN] = "SELECT " OB_COLS " FROM outbox o JOIN redemptions r "
	    "ON r.id = o.red_id WHERE r.txn_id = ?1 AND o.state IN "
	    "('pending','unknown') ORDER BY o.id",
	[Q_OB_BODY] = "UPDATE outbox SET body = ?2 WHERE id = ?1",
	[Q_OB_SENT] = "UPDATE outbox SET attempts = attempts + 1, "
	    "state = 'unknown', updated_at = ?2 WHERE id = ?1",
	[Q_OB_UNREACHED] = "UPDATE outbox SET unreached = unreached + 1 "
	    "WHERE id = ?1 AND unreached < attempts",
	[Q_OB_RETRY] = "UPDATE outbox SET next_at = ?2, last_error = ?3 "
	    "WHERE id = ?1",
	[Q_OB_CLOSE] = "UPDATE outbox SET state = ?2, last_error = ?3, "
	    "updated_at = ?4 WHERE id = ?1",
	[Q_OB_DEPTH] = "SELECT state, count(*) FROM outbox WHERE state IN "
	    "('pending','unknown') GROUP BY state",
	[Q_OB_CANCEL] = "UPDATE outbox SET state = 'cancelled', "
	    "last_error = ?3, updated_at = ?2 WHERE red_id = ?1 AND "
	    "(op = 'return') = (?4 <> 0) AND state = 'pending'",
	[Q_OB_USE_OPEN] = "SELECT 1 FROM outbox WHERE red_id = ?1 AND "
	    "op <> 'return' AND state <> 'cancelled' LIMIT 1",
	[Q_OB_REOPEN] = "UPDATE outbox SET state = 'pending', next_at = ?2, "
	    "updated_at = ?2, last_error = ?3 WHERE red_id = ?1 AND "
	    "op <> 'return' AND state = 'cancelled'",
	[Q_DEF_LIST] = "SELECT 0, stock_id, stock_type, stock_state, "
	    "stock_name, fetched_at FROM stocks UNION ALL SELECT 1, card_id, "
	    "card_type, status, title, fetched_at FROM cards ORDER BY 1, 2",
	[Q_TXN_OPEN] = "SELECT id FROM txns WHERE state = 'open' AND "
	    "opened_at < ?1 ORDER BY id",
	[Q_NOTIFY] = "INSERT INTO notify_seen(id, seen_at) VALUES(?1, ?2)",
	/* max(seq) is one b-tree descent (ORDER BY seq DESC reads as a SCAN
	 * in the plan, which the plan test refuses on sale paths) */
	[Q_J_LAST] = "SELECT seq, hash FROM journal WHERE seq = "
	    "(SELECT max(seq) FROM journal)",
	[Q_J_INS] = "INSERT INTO journal(seq, at, kind, txn_id, red_id, data, "
	    "prev, hash) VALUES(?1,?2,?3,?4,?5,?6,?7,?8)",
	[Q_J_KIND] = "SELECT seq, at, kind, txn_id, red_id, data, prev, hash "
	    "FROM journal WHERE kind = ?1 AND at >= ?2 ORDER BY seq",
	[Q_J_WALK] = "SELECT seq, at, kind, txn_id, red_id, data, prev, hash "
	    "FROM journal ORDER BY seq",
	[Q_RED_USED_AT] = "SELECT max(CASE WHEN use_time > 0 THEN use_time "
	    "ELSE created_at END) FROM redemptions WHERE code = ?1 AND "
	    "state IN (" STORE_LIVE_SQL ",'conflict')",
	[Q_DEF_OLDEST] = "SELECT (SELECT ifnull(min(fetched_at), 0) FROM "
	    "stocks), (SELECT ifnull(min(fetched_at), 0) FROM cards)",
};

/* The oldest version whose tables a reader sees as the newest's (later
 * migrations only add meta rows): what STORE_O_OLDER_OK accepts. */
#define STORE_READS_AS_NEWEST 5

/* Migrations: schema_v[i] takes user_version i to i + 1. */
static const char *const schema_v[] = {
	/* 0 -> 1 */
	"CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);"
	"CREATE TABLE seqs(name TEXT PRIMARY KEY, value INTEGER NOT NULL);"
	"CREATE TABLE stocks(stock_id TEXT PRIMARY KEY, raw TEXT NOT NULL,"
	" stock_type TEXT NOT NULL, stock_state TEXT NOT NULL,"
	" stock_name TEXT NOT NULL, fetched_at INTEGER NOT NULL);"
	"CREATE TABLE cards(card_id TEXT PRIMARY KEY, raw TEXT NOT NULL,"
	" card_type TEXT NOT NULL, status TEXT NOT NULL, title TEXT NOT NULL,"
	" fetched_at INTEGER NOT NULL);"
	"CREATE TABLE codes(code TEXT NOT NULL, kind INTEGER NOT NULL"
	" CHECK(kind IN (0, 1)), target TEXT NOT NULL, state TEXT NOT NULL,"
	" openid TEXT NOT NULL, received_at INTEGER NOT NULL,"
	" PRIMARY KEY(code, kind)) WITHOUT ROWID;"
	"CREATE TABLE txns(id INTEGER PRIMARY KEY,"
	" amount_fen INTEGER NOT NULL CHECK(amount_fen >= 0),"
	" discount_fen INTEGER NOT NULL, due_fen INTEGER NOT NULL"
	" CHECK(due_fen >= 0), state TEXT NOT NULL CHECK(state IN"
	" ('open','redeemed','closed','voided')), opened_at INTEGER NOT NULL,"
	" closed_at INTEGER NOT NULL, cashier TEXT NOT NULL);"
	"CREATE TABLE redemptions(id INTEGER PRIMARY KEY,"
	" txn_id INTEGER NOT NULL REFERENCES txns(id), line INTEGER NOT NULL,"
	" code TEXT NOT NULL, kind INTEGER NOT NULL, target TEXT NOT NULL,"
	" coupon_type TEXT NOT NULL, idem_key TEXT UNIQUE,"
	" return_key TEXT UNIQUE, state TEXT NOT NULL CHECK(state IN"
	" ('pending','confirmed','rejected','unknown','accepted_offline',"
	"'return_pending','returned','conflict')), reason TEXT NOT NULL,"
	" discount_fen INTEGER NOT NULL CHECK(discount_fen >= 0),"
	" use_time INTEGER NOT NULL, offline_at INTEGER NOT NULL,"
	" offline_reason TEXT NOT NULL, openid TEXT NOT NULL,"
	" wx_code TEXT NOT NULL, remote_ref TEXT NOT NULL,"
	" created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL,"
	" UNIQUE(txn_id, line));"
	"CREATE INDEX red_code ON redemptions(code);"
	"CREATE INDEX red_created ON redemptions(created_at);"
	"CREATE INDEX red_offline ON redemptions(offline_at) WHERE"
	" offline_at > 0;"
	"CREATE TABLE outbox(id INTEGER PRIMARY KEY,"
	" red_id INTEGER NOT NULL REFERENCES redemptions(id),"
	" op TEXT NOT NULL CHECK(op IN ('use','return','consume')),"
	" request_no TEXT NOT NULL UNIQUE, body TEXT NOT NULL,"
	" state TEXT NOT NULL CHECK(state IN"
	" ('pending','unknown','done','cancelled')),"
	" attempts INTEGER NOT NULL, next_at INTEGER NOT NULL,"
	" last_error TEXT NOT NULL, created_at INTEGER NOT NULL,"
	" updated_at INTEGER NOT NULL);"
	"CREATE INDEX outbox_due ON outbox(state, next_at);"
	"CREATE TABLE notify_seen(id TEXT PRIMARY KEY, seen_at INTEGER"
	" NOT NULL) WITHOUT ROWID;"
	"CREATE TABLE journal(seq INTEGER PRIMARY KEY, at INTEGER NOT NULL,"
	" kind TEXT NOT NULL, txn_id INTEGER NOT NULL, red_id INTEGER NOT NULL,"
	" data TEXT NOT NULL, prev TEXT NOT NULL, hash TEXT NOT NULL);",
	/* 1 -> 2: single use is a store invariant: at most one live
	 * redemption per code (STORE_LIVE_SQL), whatever process writes. A
	 * store written before the rule may hold several: one stays live
	 * (the one WeChat confirmed, else the furthest along, else the
	 * first) and the others become conflicts a manager sees, their
	 * discount kept and their never-sent use cancelled; their ids and
	 * former states are left in meta for the core to journal
	 * (ledger_journal_migrated). */
	"CREATE TEMP TABLE m2_dup AS SELECT id, state FROM (SELECT id, state,"
	" row_number() OVER (PARTITION BY code ORDER BY CASE state"
	" WHEN 'confirmed' THEN 0 WHEN 'return_pending' THEN 1"
	" WHEN 'unknown' THEN 2 WHEN 'accepted_offline' THEN 3 ELSE 4 END,"
	" id) AS rk FROM redemptions WHERE state IN (" STORE_LIVE_SQL "))"
	" WHERE rk > 1;"
	"INSERT INTO meta(key, value) SELECT '" STORE_META_MIGRATED "', v"
	" FROM (SELECT group_concat(id || ':' || state, ',') AS v FROM m2_dup)"
	" WHERE v IS NOT NULL;"
	"UPDATE outbox SET state = 'cancelled', last_error ="
	" 'duplicate_redemption', updated_at = CAST(strftime('%s', 'now') AS"
	" INTEGER) WHERE state = 'pending' AND op <> 'return' AND red_id IN"
	" (SELECT id FROM m2_dup);"
	"UPDATE redemptions SET offline_reason = substr('was ' || state ||"
	" ': another live redemption of this code was kept' || CASE WHEN"
	" offline_reason <> '' THEN '; ' || offline_reason ELSE '' END, 1,"
	" 159), state = 'conflict', reason = 'duplicate_redemption',"
	" updated_at = CAST(strftime('%s', 'now') AS INTEGER)"
	" WHERE id IN (SELECT id FROM m2_dup);"
	"DROP TABLE m2_dup;"
	"CREATE UNIQUE INDEX red_live_code ON redemptions(code)"
	" WHERE state IN (" STORE_LIVE_SQL ");",
	/* 2 -> 3: per send, whether it could have reached WeChat: sends
	 * known never to have left (no connection, no TLS session, no
	 * access token) are counted; the others may have landed */
	"ALTER TABLE outbox ADD COLUMN unreached INTEGER NOT NULL DEFAULT 0;",
	/* 3 -> 4: codes of an import waiting to be published (store_import.c:
	 * staged in short transactions, then moved into codes) */
	"CREATE TABLE codes_stage(code TEXT NOT NULL, kind INTEGER NOT NULL,"
	" target TEXT NOT NULL, openid TEXT NOT NULL,"
	" received_at INTEGER NOT NULL, PRIMARY KEY(code, kind)) WITHOUT ROWID;",
	/* 4 -> 5: every query of the scan, redeem and settle paths finds its
	 * rows through an index on what is live, so a sale costs the same
	 * with a year of history (tests/core/test_sale_plan.c checks the
	 * plans): the outbox rows of a redemption, the sales still open
	 * (recovery), the unsettled offline value (exposure cap), the
	 * journal entries of one kind since a time (voids on X/Z) */
	"CREATE INDEX IF NOT EXISTS outbox_red ON outbox(red_id);"
	"CREATE INDEX IF NOT EXISTS txns_open ON txns(state, opened_at)"
	" WHERE state = 'open';"
	"CREATE INDEX IF NOT EXISTS red_exposure ON"
	" redemptions(state, discount_fen) WHERE state = 'accepted_offline';"
	"CREATE INDEX IF NOT EXISTS journal_kind ON journal(kind, at);",
	/* 5 -> 6: the journal chain is keyed (HMAC-SHA256, app/core/journal.c)
	 * from the next entry on; the entries already written stay a legacy
	 * unkeyed (SHA-256) prefix that verify still checks. The first keyed
	 * entry's seq, kept once (a new store: 1) */
	"INSERT OR IGNORE INTO meta(key, value) SELECT '" STORE_META_KEYED_FROM
	"', ifnull(max(seq), 0) + 1 FROM journal;",
};

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
static int
fail(struct store *s, int rc, const char *what)
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

int
store_sqlfail(struct store *s, int rc, const char *what)
{
	return fail(s, rc, what);
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

static int
prep(struct store *s, enum stmt_id id, sqlite3_stmt **out)
{
	int rc;

	if (s->st[id] == NULL) {
		rc = sqlite3_prepare_v3(s->db, sql_text[id], -1,
		    SQLITE_PREPARE_PERSISTENT, &s->st[id], NULL);
		if (rc != SQLITE_OK)
			return fail(s, rc, "prepare");
	} else
		sqlite3_reset(s->st[id]);
	sqlite3_clear_bindings(s->st[id]);
	*out = s->st[id];
	return QUAN_OK;
}

static void
bt(sqlite3_stmt *st, int i, const char *v)
{
	sqlite3_bind_text(st, i, v != NULL ? v : "", -1, SQLITE_TRANSIENT);
}

static void
bi(sqlite3_stmt *st, int i, int64_t v)
{
	sqlite3_bind_int64(st, i, v);
}

/* Step a statement that returns no rows. */
static int
run(struct store *s, sqlite3_stmt *st, const char *what)
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
		int q = fail(s, sqlite3_extended_errcode(s->db), what);

		sqlite3_reset(st);
		return q;
	}
	sqlite3_reset(st);
	return QUAN_OK;
}

/* Step a statement that returns at most one row. QUAN_OK leaves the row
 * current (the caller reads it, then resets); otherwise the statement is
 * reset and the result is QUAN_ENOTFOUND (no row) or the mapped error. */
static int
step_one(struct store *s, sqlite3_stmt *st, const char *what)
{
	int rc = sqlite3_step(st);

	if (rc == SQLITE_ROW)
		return QUAN_OK;
	sqlite3_reset(st);
	if (rc == SQLITE_DONE)
		return QUAN_ENOTFOUND;
	return fail(s, sqlite3_extended_errcode(s->db), what);
}

/* Read the one row of statement q whose parameter 1 is id into out with
 * fill(). QUAN_OK, QUAN_ENOTFOUND or the mapped error (what names it). */
static int
get_id(struct store *s, enum stmt_id q, int64_t id,
    void (*fill)(sqlite3_stmt *, void *), void *out, const char *what)
{
	sqlite3_stmt *st = NULL;
	int rc;

	if ((rc = prep(s, q, &st)) != 0)
		return rc;
	bi(st, 1, id);
	if ((rc = step_one(s, st, what)) != 0)
		return rc;
	fill(st, out);
	sqlite3_reset(st);
	return QUAN_OK;
}

static void
col_text(sqlite3_stmt *st, int i, char *out, size_t n)
{
	const unsigned char *t = sqlite3_column_text(st, i);

	snprintf(out, n, "%s", t != NULL ? (const char *)t : "");
}

static int
exec(struct store *s, const char *sql, const char *what)
{
	int rc = sqlite3_exec(s->db, sql, NULL, NULL, NULL);

	if (rc != SQLITE_OK)
		return fail(s, sqlite3_extended_errcode(s->db), what);
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

_Static_assert(sizeof schema_v / sizeof schema_v[0] == STORE_SCHEMA_VERSION,
    "STORE_SCHEMA_VERSION must name the last migration");

/* Take the schema to version n (STORE_SCHEMA_VERSION; older only for the
 * test hook store_create_version). */
static int
migrate(struct store *s, int readonly, int n)
{
	sqlite3_stmt *st = NULL;
	int v, rc;

	rc = sqlite3_prepare_v2(s->db, "PRAGMA user_version", -1, &st, NULL);
	if (rc != SQLITE_OK)
		return fail(s, sqlite3_extended_errcode(s->db),
		    "read schema version");
	rc = sqlite3_step(st);
	v = rc == SQLITE_ROW ? sqlite3_column_int(st, 0) : -1;
	sqlite3_finalize(st);
	if (rc != SQLITE_ROW)
		return fail(s, sqlite3_extended_errcode(s->db),
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

		if ((rc = exec(s, schema_v[v], "migrate schema")) != 0)
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
		rc = fail(s, rc, "cannot open database");
		goto bad;
	}
	sqlite3_extended_result_codes(s->db, 1);
	s->busy_ms = 5000;
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

	if ((rc = prep(s, Q_META_GET, &st)) != 0)
		return rc;
	bt(st, 1, key);
	if ((rc = step_one(s, st, "read meta")) != 0)
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

	if ((rc = prep(s, Q_META_SET, &st)) != 0)
		return rc;
	bt(st, 1, key);
	bt(st, 2, value);
	return run(s, st, "write meta");
}

int
store_seq_next(struct store *s, const char *name, int64_t *out)
{
	sqlite3_stmt *st = NULL;
	int rc;

	if ((rc = prep(s, Q_SEQ_UP, &st)) != 0)
		return rc;
	bt(st, 1, name);
	if ((rc = run(s, st, "advance sequence")) != 0)
		return rc;
	if ((rc = prep(s, Q_SEQ_GET, &st)) != 0)
		return rc;
	bt(st, 1, name);
	if (sqlite3_step(st) != SQLITE_ROW) {
		rc = fail(s, sqlite3_extended_errcode(s->db), "read sequence");
		sqlite3_reset(st);
		return rc;
	}
	*out = sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	return QUAN_OK;
}

/* --- definitions --------------------------------------------------- */

static int
def_put(struct store *s, enum stmt_id q, const struct store_def *d)
{
	sqlite3_stmt *st = NULL;
	int rc;

	if ((rc = prep(s, q, &st)) != 0)
		return rc;
	bt(st, 1, d->id);
	bt(st, 2, d->raw);
	bt(st, 3, d->type);
	bt(st, 4, d->state);
	bt(st, 5, d->name);
	bi(st, 6, d->fetched_at);
	return run(s, st, "write definition");
}

int
store_stock_put(struct store *s, const struct store_def *d)
{
	return def_put(s, Q_STOCK_PUT, d);
}

int
store_card_put(struct store *s, const struct store_def *d)
{
	return def_put(s, Q_CARD_PUT, d);
}

static int
def_get(struct store *s, enum stmt_id q, const char *id, char **raw,
    int64_t *fetched_at)
{
	sqlite3_stmt *st = NULL;
	const unsigned char *t;
	int rc;

	if ((rc = prep(s, q, &st)) != 0)
		return rc;
	bt(st, 1, id);
	if ((rc = step_one(s, st, "read definition")) != 0)
		return rc;
	t = sqlite3_column_text(st, 0);
	if (raw != NULL)
		*raw = xstrdup(t != NULL ? (const char *)t : "");
	if (fetched_at != NULL)
		*fetched_at = sqlite3_column_int64(st, 1);
	sqlite3_reset(st);
	return QUAN_OK;
}

int
store_stock_get(struct store *s, const char *id, char **raw,
    int64_t *fetched_at)
{
	return def_get(s, Q_STOCK_GET, id, raw, fetched_at);
}

int
store_card_get(struct store *s, const char *id, char **raw,
    int64_t *fetched_at)
{
	return def_get(s, Q_CARD_GET, id, raw, fetched_at);
}

static int
one_row(struct store *s, enum stmt_id q, int64_t *a, int64_t *b)
{
	sqlite3_stmt *st = NULL;
	int rc;

	if ((rc = prep(s, q, &st)) != 0)
		return rc;
	if (sqlite3_step(st) != SQLITE_ROW) {
		rc = fail(s, sqlite3_extended_errcode(s->db), "count");
		sqlite3_reset(st);
		return rc;
	}
	*a = sqlite3_column_int64(st, 0);
	if (b != NULL)
		*b = sqlite3_column_int64(st, 1);
	sqlite3_reset(st);
	return QUAN_OK;
}

int
store_cache_stats(struct store *s, struct store_cache_stats *out)
{
	int rc;

	memset(out, 0, sizeof *out);
	if ((rc = one_row(s, Q_STATS_STOCKS, &out->stocks,
	    &out->oldest_stock)) != 0)
		return rc;
	if ((rc = one_row(s, Q_STATS_CARDS, &out->cards,
	    &out->oldest_card)) != 0)
		return rc;
	return one_row(s, Q_STATS_CODES, &out->codes, NULL);
}

int
store_def_oldest(struct store *s, int64_t *stock, int64_t *card)
{
	return one_row(s, Q_DEF_OLDEST, stock, card);
}

int
store_def_list(struct store *s, store_def_fn fn, void *arg)
{
	sqlite3_stmt *st = NULL;
	struct store_def d;
	int rc, r;

	if ((rc = prep(s, Q_DEF_LIST, &st)) != 0)
		return rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		enum store_kind k = sqlite3_column_int(st, 0) == 1 ?
		    STORE_CARD : STORE_MERCHANT;

		memset(&d, 0, sizeof d);
		col_text(st, 1, d.id, sizeof d.id);
		col_text(st, 2, d.type, sizeof d.type);
		col_text(st, 3, d.state, sizeof d.state);
		col_text(st, 4, d.name, sizeof d.name);
		d.fetched_at = sqlite3_column_int64(st, 5);
		d.raw = NULL;
		if ((r = fn(arg, k, &d)) != 0) {
			sqlite3_reset(st);
			return r;
		}
	}
	rc = rc == SQLITE_DONE ? 0 :
	    fail(s, sqlite3_extended_errcode(s->db), "list definitions");
	sqlite3_reset(st);
	return rc;
}

/* --- codes --------------------------------------------------------- */

int
store_code_put(struct store *s, const struct store_code *c)
{
	return store_code_put_v(s, c->code, c->kind, c->target, c->state,
	    c->openid, c->received_at);
}

int
store_code_put_v(struct store *s, const char *code, enum store_kind kind,
    const char *target, const char *state, const char *openid,
    int64_t received_at)
{
	sqlite3_stmt *st = NULL;
	int rc;

	if ((rc = prep(s, Q_CODE_PUT, &st)) != 0)
		return rc;
	/* hot path of bulk imports: the strings outlive the step, no copies */
	sqlite3_bind_text(st, 1, code, -1, SQLITE_STATIC);
	bi(st, 2, kind);
	sqlite3_bind_text(st, 3, target, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, state != NULL && state[0] != '\0' ? state :
	    "issued", -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 5, openid != NULL ? openid : "", -1,
	    SQLITE_STATIC);
	bi(st, 6, received_at);
	return run(s, st, "write code");
}

int
store_code_get(struct store *s, const char *code, struct store_code *out)
{
	sqlite3_stmt *st = NULL;
	int rc;

	if ((rc = prep(s, Q_CODE_GET, &st)) != 0)
		return rc;
	sqlite3_bind_text(st, 1, code, -1, SQLITE_STATIC);
	if ((rc = step_one(s, st, "read code")) != 0)
		return rc;
	col_text(st, 0, out->code, sizeof out->code);
	out->kind = sqlite3_column_int(st, 1) == 1 ? STORE_CARD :
	    STORE_MERCHANT;
	col_text(st, 2, out->target, sizeof out->target);
	col_text(st, 3, out->state, sizeof out->state);
	col_text(st, 4, out->openid, sizeof out->openid);
	out->received_at = sqlite3_column_int64(st, 5);
	sqlite3_reset(st);
	return QUAN_OK;
}

int
store_code_set_state(struct store *s, const char *code, enum store_kind kind,
    const char *state)
{
	sqlite3_stmt *st = NULL;
	int rc;

	if ((rc = prep(s, Q_CODE_STATE, &st)) != 0)
		return rc;
	bt(st, 1, code);
	bi(st, 2, kind);
	bt(st, 3, state);
	return run(s, st, "update code");
}

/* --- txns ---------------------------------------------------------- */

int
store_txn_insert(struct store *s, struct store_txn *t)
{
	sqlite3_stmt *st = NULL;
	int rc;

	if ((rc = prep(s, Q_TXN_INS, &st)) != 0)
		return rc;
	bi(st, 1, t->amount_fen);
	bi(st, 2, t->discount_fen);
	bi(st, 3, t->due_fen);
	bt(st, 4, t->state);
	bi(st, 5, t->opened_at);
	bi(st, 6, t->closed_at);
	bt(st, 7, t->cashier);
	if ((rc = run(s, st, "insert transaction")) != 0)
		return rc;
	t->id = sqlite3_last_insert_rowid(s->db);
	return QUAN_OK;
}

/* One transaction row into t (a struct store_txn; void * for get_id()). */
static void
txn_row(sqlite3_stmt *st, void *p)
{
	struct store_txn *t = p;

	t->id = sqlite3_column_int64(st, 0);
	t->amount_fen = sqlite3_column_int64(st, 1);
	t->discount_fen = sqlite3_column_int64(st, 2);
	t->due_fen = sqlite3_column_int64(st, 3);
	col_text(st, 4, t->state, sizeof t->state);
	t->opened_at = sqlite3_column_int64(st, 5);
	t->closed_at = sqlite3_column_int64(st, 6);
	col_text(st, 7, t->cashier, sizeof t->cashier);
}

int
store_txn_get(struct store *s, int64_t id, struct store_txn *out)
{
	return get_id(s, Q_TXN_GET, id, txn_row, out, "read transaction");
}

int
store_txn_update(struct store *s, const struct store_txn *t)
{
	sqlite3_stmt *st = NULL;
	int rc;

	if ((rc = prep(s, Q_TXN_UPD, &st)) != 0)
		return rc;
	bi(st, 1, t->id);
	bi(st, 2, t->amount_fen);
	bi(st, 3, t->discount_fen);
	bi(st, 4, t->due_fen);
	bt(st, 5, t->state);
	bi(st, 6, t->closed_at);
	return run(s, st, "update transaction");
}

/* --- redemptions --------------------------------------------------- */

/* One redemption row into r (a struct store_red; void * for collect()). */
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
	col_text(st, 9, r->state, sizeof r->state);
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

	if ((rc = prep(s, Q_RED_INS, &st)) != 0)
		return rc;
	bi(st, 1, r->txn_id);
	bi(st, 2, r->line);
	bt(st, 3, r->code);
	bi(st, 4, r->kind);
	bt(st, 5, r->target);
	bt(st, 6, r->coupon_type);
	bt(st, 7, r->idem_key);
	bt(st, 8, r->return_key);
	bt(st, 9, r->state);
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
	if ((rc = run(s, st, "insert redemption")) != 0)
		return rc;
	r->id = sqlite3_last_insert_rowid(s->db);
	return QUAN_OK;
}

int
store_red_get(struct store *s, int64_t id, struct store_red *out)
{
	return get_id(s, Q_RED_GET, id, red_row, out, "read redemption");
}

int
store_red_set_def(struct store *s, int64_t id, const char *target,
    const char *coupon_type)
{
	sqlite3_stmt *st = NULL;
	int rc;

	if ((rc = prep(s, Q_RED_DEF, &st)) != 0)
		return rc;
	bi(st, 1, id);
	if (target != NULL)
		bt(st, 2, target);
	if (coupon_type != NULL)
		bt(st, 3, coupon_type);
	return run(s, st, "update redemption definition");
}

int
store_red_update(struct store *s, const struct store_red *r)
{
	sqlite3_stmt *st = NULL;
	int rc;

	if ((rc = prep(s, Q_RED_UPD, &st)) != 0)
		return rc;
	bi(st, 1, r->id);
	bt(st, 2, r->state);
	bt(st, 3, r->reason);
	bi(st, 4, r->discount_fen);
	bi(st, 5, r->offline_at);
	bt(st, 6, r->offline_reason);
	bt(st, 7, r->openid);
	bt(st, 8, r->wx_code);
	bt(st, 9, r->remote_ref);
	bt(st, 10, r->return_key);
	bi(st, 11, r->updated_at);
	if ((rc = run(s, st, "update redemption")) != 0)
		return rc;
	if (sqlite3_changes(s->db) != 1) {
		snprintf(s->err, sizeof s->err, "%s: no redemption %lld",
		    s->path, (long long)r->id);
		return QUAN_ENOTFOUND;
	}
	return QUAN_OK;
}

/* Step st to its end, copying each row with fill() into a new array of
 * elements of size sz (*rows, caller frees; NULL when empty). Rows are
 * copied first so callbacks may call other store functions (the cached
 * statement is reset before they run). 0 or the mapped error. */
static int
collect(struct store *s, sqlite3_stmt *st, size_t sz,
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
		rc = fail(s, sqlite3_extended_errcode(s->db), what);
		sqlite3_reset(st);
		free(a);
		*n = 0;
		return rc;
	}
	sqlite3_reset(st);
	*rows = a;
	return 0;
}

/* Walk the rows of a prepared (cached) statement; see collect(). */
static int
walk_red(struct store *s, sqlite3_stmt *st, store_red_fn fn, void *arg)
{
	struct store_red *rows;
	void *p = NULL;
	size_t n, i;
	int rc;

	rc = collect(s, st, sizeof *rows, red_row, &p, &n, "list redemptions");
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

	if ((rc = prep(s, Q_RED_TXN, &st)) != 0)
		return rc;
	bi(st, 1, txn_id);
	return walk_red(s, st, fn, arg);
}

int
store_red_list(struct store *s, int64_t from, int64_t to, const char *state,
    store_red_fn fn, void *arg)
{
	sqlite3_stmt *st = NULL;
	int rc;

	if ((rc = prep(s, state != NULL ? Q_RED_LIST_ST : Q_RED_LIST,
	    &st)) != 0)
		return rc;
	bi(st, 1, from);
	bi(st, 2, to);
	if (state != NULL)
		bt(st, 3, state);
	return walk_red(s, st, fn, arg);
}

int
store_red_code_active(struct store *s, const char *code)
{
	sqlite3_stmt *st = NULL;
	int rc;

	if ((rc = prep(s, Q_RED_ACTIVE, &st)) != 0)
		return rc;
	sqlite3_bind_text(st, 1, code, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	if (rc == SQLITE_ROW)
		return 1;
	if (rc == SQLITE_DONE)
		return 0;
	return fail(s, sqlite3_extended_errcode(s->db), "look up redemption");
}

int
store_red_counts(struct store *s, int64_t from, int64_t to,
    store_count_fn fn, void *arg)
{
	sqlite3_stmt *st = NULL;
	int rc;

	if ((rc = prep(s, Q_RED_COUNTS, &st)) != 0)
		return rc;
	bi(st, 1, from);
	bi(st, 2, to);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		int r = fn(arg, (const char *)sqlite3_column_text(st, 0),
		    sqlite3_column_int64(st, 1), sqlite3_column_int64(st, 2));

		if (r != 0) {
			sqlite3_reset(st);
			return r;
		}
	}
	if (rc != SQLITE_DONE)
		rc = fail(s, sqlite3_extended_errcode(s->db), "count");
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
	if ((rc = prep(s, Q_RED_USED_AT, &st)) != 0)
		return rc;
	sqlite3_bind_text(st, 1, code, -1, SQLITE_STATIC);
	if ((rc = step_one(s, st, "look up redemption")) != 0)
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

	if ((rc = prep(s, Q_OFF_COUNT, &st)) != 0)
		return rc;
	bi(st, 1, since);
	if (sqlite3_step(st) != SQLITE_ROW) {
		rc = fail(s, sqlite3_extended_errcode(s->db), "offline count");
		sqlite3_reset(st);
		return rc;
	}
	*count = sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	return one_row(s, Q_OFF_EXPO, exposure_fen, NULL);
}

/* --- outbox -------------------------------------------------------- */

/* One outbox row into o (a struct store_outbox; void * for collect()). */
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
	col_text(st, 11, o->state, sizeof o->state);
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
	if ((rc = prep(s, Q_OB_INS, &st)) != 0)
		return rc;
	bi(st, 1, o->red_id);
	bt(st, 2, store_op_name(o->op));
	bt(st, 3, o->request_no);
	bt(st, 4, o->body);
	bi(st, 5, o->next_at);
	bi(st, 6, o->created_at);
	if ((rc = run(s, st, "insert outbox row")) != 0)
		return rc;
	o->id = sqlite3_last_insert_rowid(s->db);
	snprintf(o->state, sizeof o->state, "pending");
	return QUAN_OK;
}

int
store_outbox_get(struct store *s, int64_t id, struct store_outbox *out)
{
	return get_id(s, Q_OB_GET, id, ob_row, out, "read outbox row");
}

static int
walk_ob(struct store *s, sqlite3_stmt *st, store_outbox_fn fn, void *arg)
{
	struct store_outbox *rows;
	void *p = NULL;
	size_t n, i;
	int rc;

	rc = collect(s, st, sizeof *rows, ob_row, &p, &n, "list outbox");
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

	if ((rc = prep(s, Q_OB_DUE, &st)) != 0)
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

	if ((rc = prep(s, Q_OB_TXN, &st)) != 0)
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
	if ((rc = prep(s, Q_OB_BODY, &st)) != 0)
		return rc;
	bi(st, 1, id);
	bt(st, 2, body);
	if ((rc = run(s, st, "set outbox body")) != 0)
		return rc;
	return changed_one(s, id);
}

int
store_outbox_sent(struct store *s, int64_t id, int64_t now)
{
	sqlite3_stmt *st = NULL;
	int rc;

	if ((rc = prep(s, Q_OB_SENT, &st)) != 0)
		return rc;
	bi(st, 1, id);
	bi(st, 2, now);
	if ((rc = run(s, st, "mark outbox row sent")) != 0)
		return rc;
	return changed_one(s, id);
}

int
store_outbox_unreached(struct store *s, int64_t id)
{
	sqlite3_stmt *st = NULL;
	int rc;

	if ((rc = prep(s, Q_OB_UNREACHED, &st)) != 0)
		return rc;
	bi(st, 1, id);
	return run(s, st, "record a send that never reached WeChat");
}

int
store_outbox_retry(struct store *s, int64_t id, int64_t next_at,
    const char *err)
{
	sqlite3_stmt *st = NULL;
	int rc;

	if ((rc = prep(s, Q_OB_RETRY, &st)) != 0)
		return rc;
	bi(st, 1, id);
	bi(st, 2, next_at);
	bt(st, 3, err);
	if ((rc = run(s, st, "schedule outbox retry")) != 0)
		return rc;
	return changed_one(s, id);
}

int
store_outbox_close(struct store *s, int64_t id, const char *state,
    const char *err, int64_t now)
{
	sqlite3_stmt *st = NULL;
	int rc;

	if ((rc = prep(s, Q_OB_CLOSE, &st)) != 0)
		return rc;
	bi(st, 1, id);
	bt(st, 2, state);
	bt(st, 3, err);
	bi(st, 4, now);
	if ((rc = run(s, st, "close outbox row")) != 0)
		return rc;
	return changed_one(s, id);
}

int
store_outbox_depth(struct store *s, int64_t *pending, int64_t *unknown)
{
	sqlite3_stmt *st = NULL;
	int rc;

	*pending = *unknown = 0;
	if ((rc = prep(s, Q_OB_DEPTH, &st)) != 0)
		return rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *state = (const char *)sqlite3_column_text(st, 0);

		if (state != NULL && strcmp(state, "pending") == 0)
			*pending = sqlite3_column_int64(st, 1);
		else
			*unknown = sqlite3_column_int64(st, 1);
	}
	rc = rc == SQLITE_DONE ? 0 :
	    fail(s, sqlite3_extended_errcode(s->db), "outbox depth");
	sqlite3_reset(st);
	return rc;
}

int
store_outbox_cancel(struct store *s, int64_t red_id, int returns,
    int64_t now, const char *why)
{
	sqlite3_stmt *st = NULL;
	int rc;

	if ((rc = prep(s, Q_OB_CANCEL, &st)) != 0)
		return rc;
	bi(st, 1, red_id);
	bi(st, 2, now);
	bt(st, 3, why);
	bi(st, 4, returns);
	return run(s, st, "cancel outbox rows");
}

int
store_outbox_reopen(struct store *s, int64_t red_id, int64_t now,
    const char *why)
{
	sqlite3_stmt *st = NULL;
	int rc;

	if ((rc = prep(s, Q_OB_REOPEN, &st)) != 0)
		return rc;
	bi(st, 1, red_id);
	bi(st, 2, now);
	bt(st, 3, why);
	return run(s, st, "reopen outbox row");
}

int
store_outbox_use_open(struct store *s, int64_t red_id)
{
	sqlite3_stmt *st = NULL;
	int rc;

	if ((rc = prep(s, Q_OB_USE_OPEN, &st)) != 0)
		return rc;
	bi(st, 1, red_id);
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	if (rc == SQLITE_ROW)
		return 1;
	if (rc == SQLITE_DONE)
		return 0;
	return fail(s, sqlite3_extended_errcode(s->db), "outbox lookup");
}

int
store_txn_list_open(struct store *s, int64_t before, int64_t *ids, int max,
    int *n)
{
	sqlite3_stmt *st = NULL;
	int rc;

	*n = 0;
	if ((rc = prep(s, Q_TXN_OPEN, &st)) != 0)
		return rc;
	bi(st, 1, before);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW && *n < max)
		ids[(*n)++] = sqlite3_column_int64(st, 0);
	rc = (rc == SQLITE_DONE || rc == SQLITE_ROW) ? 0 :
	    fail(s, sqlite3_extended_errcode(s->db), "list open txns");
	sqlite3_reset(st);
	return rc;
}

int
store_notify_seen(struct store *s, const char *id, int64_t now)
{
	sqlite3_stmt *st = NULL;
	int rc;

	if ((rc = prep(s, Q_NOTIFY, &st)) != 0)
		return rc;
	bt(st, 1, id);
	bi(st, 2, now);
	return run(s, st, "record notification");
}

/* --- journal ------------------------------------------------------- */

int
store_journal_last(struct store *s, int64_t *seq, char hash[65])
{
	sqlite3_stmt *st = NULL;
	int rc;

	if ((rc = prep(s, Q_J_LAST, &st)) != 0)
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
		rc = fail(s, sqlite3_extended_errcode(s->db), "read journal");
	sqlite3_reset(st);
	return rc;
}

int
store_journal_insert(struct store *s, const struct store_jrow *j)
{
	sqlite3_stmt *st = NULL;
	int rc;

	if ((rc = prep(s, Q_J_INS, &st)) != 0)
		return rc;
	bi(st, 1, j->seq);
	bi(st, 2, j->at);
	bt(st, 3, j->kind);
	bi(st, 4, j->txn_id);
	bi(st, 5, j->red_id);
	bt(st, 6, j->data);
	bt(st, 7, j->prev);
	bt(st, 8, j->hash);
	return run(s, st, "append journal");
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

	if ((rc = prep(s, kind != NULL ? Q_J_KIND : Q_J_WALK, &st)) != 0)
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
	    fail(s, sqlite3_extended_errcode(s->db), "read journal");
	sqlite3_reset(st);
	return rc;
}

/* --- maintenance --------------------------------------------------- */

static int
check(struct store *s, const char *pragma, const char *what)
{
	sqlite3_stmt *st = NULL;
	int rc;

	rc = sqlite3_prepare_v2(s->db, pragma, -1, &st, NULL);
	if (rc != SQLITE_OK)
		return fail(s, sqlite3_extended_errcode(s->db), what);
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
		rc = fail(s, sqlite3_extended_errcode(s->db), what);
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
		return fail(s, sqlite3_extended_errcode(s->db), "size");
	if (sqlite3_step(st) == SQLITE_ROW) {
		*bytes = sqlite3_column_int64(st, 0);
		rc = 0;
	} else
		rc = fail(s, sqlite3_extended_errcode(s->db), "size");
	sqlite3_finalize(st);
	return rc;
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
		return fail(s, sqlite3_extended_errcode(s->db), "explain");
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		fn(arg, (const char *)sqlite3_column_text(st, 3));
	rc = rc == SQLITE_DONE ? 0 :
	    fail(s, sqlite3_extended_errcode(s->db), "explain");
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
