/*
 * store_sql.c — the store's SQL text: the migrations that build the
 * schema one user_version at a time, and every statement the store
 * prepares (store_int.h names them). No code.
 */


#include "store/store.h"
#include "store/store_int.h"
#include "store/store_pay.h"
#include "store/store_pcoupon.h"

#define RED_COLS "id, txn_id, line, code, kind, target, coupon_type, " \
	"ifnull(idem_key,''), ifnull(return_key,''), state, reason, " \
	"discount_fen, use_time, offline_at, offline_reason, openid, " \
	"wx_code, remote_ref, created_at, updated_at"
#define OB_COLS "o.id, o.red_id, r.txn_id, o.op, r.kind, r.code, " \
	"r.target, o.request_no, r.openid, r.use_time, o.body, o.state, " \
	"o.attempts, o.next_at, o.last_error, o.created_at, o.unreached"

const char *const store_stmt_sql[Q_COUNT] = {
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
	[Q_RED_COUNTS] = "SELECT state, state = 'confirmed' AND "
	    "reason = 'voided_not_returnable' AS kept, count(*), "
	    "sum(discount_fen) "
	    "FROM redemptions WHERE created_at >= ?1 AND created_at < ?2 "
	    "GROUP BY state, kept ORDER BY CASE WHEN kept THEN "
	    "'voided_not_returnable' ELSE state END",
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

/* Migrations: store_schema_sql[i] takes user_version i to i + 1. */
const char *const store_schema_sql[] = {
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
	/* 6 -> 7: a sale's payments and their vouchers (store_pay.c) */
	store_pay_schema,
	/* 7 -> 8: the 商品券 registry and definitions (store_pcoupon.c) */
	store_pc_schema,
	/* 8 -> 9: refunds of paid sales (store_pay.c) */
	store_refund_schema,
	/* 9 -> 10: who pays a sale (txns.pay_owner): card consumes held
	 * until it is paid, unpaid sales recovered (store_pay.c) */
	store_paycard_schema,
};

_Static_assert(sizeof store_schema_sql / sizeof store_schema_sql[0] ==
    STORE_SCHEMA_VERSION, "STORE_SCHEMA_VERSION must name the last migration");
