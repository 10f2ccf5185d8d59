/*
 * simdb.c — SQLite behind simdb.h: the schema of the simulator's state and a
 * cached-statement runner that speaks jansson (parameters in, rows out).
 */
#include "store/simdb.h"

#include <string.h>

#include <sqlite3.h>

#include "util/err.h"
#include "util/log.h"
#include "util/xmem.h"

#define SIMDB_CACHE 64

struct simdb {
	sqlite3 *db;
	struct {
		const char *sql;
		sqlite3_stmt *st;
	} cache[SIMDB_CACHE];
	int ncache;
};

static const char schema[] =
	"PRAGMA journal_mode=WAL;"
	"PRAGMA synchronous=NORMAL;"
	"CREATE TABLE IF NOT EXISTS meta(k TEXT PRIMARY KEY, v TEXT NOT NULL);"
	/* body: the stock object as created/patched, without counters */
	"CREATE TABLE IF NOT EXISTS stocks("
	" stock_id TEXT PRIMARY KEY,"
	" out_request_no TEXT NOT NULL UNIQUE,"
	" code_mode TEXT NOT NULL,"
	" state TEXT NOT NULL,"
	" body TEXT NOT NULL,"
	" created INTEGER NOT NULL);"
	"CREATE TABLE IF NOT EXISTS coupons("
	" code TEXT NOT NULL, stock_id TEXT NOT NULL,"
	" openid TEXT NOT NULL, appid TEXT,"
	" state TEXT NOT NULL, send_request_no TEXT,"
	" receive_time INTEGER NOT NULL, start_time INTEGER NOT NULL,"
	" expire_time INTEGER NOT NULL,"
	" use_request_no TEXT, use_time TEXT, use_key TEXT, use_resp TEXT,"
	" used_at INTEGER,"
	" return_request_no TEXT, return_time INTEGER,"
	" deactivate_request_no TEXT, deactivate_time INTEGER,"
	" deactivate_reason TEXT,"
	" PRIMARY KEY(stock_id, code));"
	"CREATE INDEX IF NOT EXISTS coupons_code ON coupons(code);"
	"CREATE INDEX IF NOT EXISTS coupons_openid ON coupons(openid);"
	"CREATE TABLE IF NOT EXISTS ledger("
	" id INTEGER PRIMARY KEY, at INTEGER NOT NULL, kind TEXT NOT NULL,"
	" code TEXT NOT NULL, ref TEXT NOT NULL, request_no TEXT);"
	"CREATE INDEX IF NOT EXISTS ledger_code ON ledger(code, ref);"
	"CREATE TABLE IF NOT EXISTS upload_codes("
	" stock_id TEXT NOT NULL, code TEXT NOT NULL, status TEXT NOT NULL,"
	" upload_time INTEGER NOT NULL, dispatched_time INTEGER, openid TEXT,"
	" PRIMARY KEY(stock_id, code));"
	"CREATE TABLE IF NOT EXISTS upload_reqs("
	" stock_id TEXT NOT NULL, request_no TEXT NOT NULL, resp TEXT NOT NULL,"
	" PRIMARY KEY(stock_id, request_no));"
	"CREATE TABLE IF NOT EXISTS cards("
	" card_id TEXT PRIMARY KEY, card_type TEXT NOT NULL,"
	" status TEXT NOT NULL, custom_code INTEGER NOT NULL,"
	" body TEXT NOT NULL);"
	"CREATE TABLE IF NOT EXISTS card_codes("
	" card_id TEXT NOT NULL, code TEXT NOT NULL, openid TEXT NOT NULL,"
	" status TEXT NOT NULL, begin_time INTEGER NOT NULL,"
	" end_time INTEGER NOT NULL, consumed_at INTEGER, outer_str TEXT,"
	" PRIMARY KEY(card_id, code));"
	"CREATE INDEX IF NOT EXISTS card_codes_code ON card_codes(code);"
	"CREATE TABLE IF NOT EXISTS tokens("
	" token TEXT PRIMARY KEY, kind TEXT NOT NULL, issued INTEGER NOT NULL,"
	" expires INTEGER NOT NULL, superseded INTEGER);"
	"CREATE TABLE IF NOT EXISTS stats("
	" endpoint TEXT NOT NULL, status INTEGER NOT NULL,"
	" n INTEGER NOT NULL, PRIMARY KEY(endpoint, status));"
	"CREATE TABLE IF NOT EXISTS callbacks("
	" id TEXT PRIMARY KEY, created INTEGER NOT NULL, url TEXT NOT NULL,"
	" body TEXT NOT NULL, coupon_code TEXT, stock_id TEXT,"
	" attempts INTEGER NOT NULL DEFAULT 0, next_at INTEGER NOT NULL,"
	" state TEXT NOT NULL, last_status INTEGER, last_error TEXT,"
	" delivered_at INTEGER);"
	/* 付款码支付: one row per out_trade_no; vouchers as the JSON the
	 * answers carry; resolve_at: when a USERPAYING order is paid
	 * (NULL = never) */
	"CREATE TABLE IF NOT EXISTS pay_orders("
	" out_trade_no TEXT PRIMARY KEY, api TEXT NOT NULL,"
	" auth_code TEXT NOT NULL, openid TEXT NOT NULL,"
	" total INTEGER NOT NULL, goods_tag TEXT NOT NULL,"
	" state TEXT NOT NULL, created INTEGER NOT NULL,"
	" resolve_at INTEGER, transaction_id TEXT NOT NULL,"
	" success_time INTEGER, vouchers TEXT NOT NULL,"
	" pay_calls INTEGER NOT NULL DEFAULT 0,"
	" reverse_calls INTEGER NOT NULL DEFAULT 0);"
	"CREATE INDEX IF NOT EXISTS pay_orders_code ON pay_orders(auth_code);"
	/* money movements: 'pay' when an order becomes paid, 'reverse'
	 * when a paid order is reversed (money back) */
	"CREATE TABLE IF NOT EXISTS pay_ledger("
	" id INTEGER PRIMARY KEY, at INTEGER NOT NULL, kind TEXT NOT NULL,"
	" out_trade_no TEXT NOT NULL, transaction_id TEXT NOT NULL,"
	" total INTEGER NOT NULL, payer INTEGER NOT NULL);"
	/* refunds: one row per out_refund_no; PROCESSING until success_at */
	"CREATE TABLE IF NOT EXISTS pay_refunds("
	" out_refund_no TEXT PRIMARY KEY, out_trade_no TEXT NOT NULL,"
	" refund_id TEXT NOT NULL, api TEXT NOT NULL,"
	" total INTEGER NOT NULL, refund INTEGER NOT NULL,"
	" payer_refund INTEGER NOT NULL, state TEXT NOT NULL,"
	" created INTEGER NOT NULL, success_at INTEGER NOT NULL);"
	"CREATE INDEX IF NOT EXISTS pay_refunds_otn ON pay_refunds(out_trade_no);"
	/* voucher activities per payer: applied by rule, not used up */
	"CREATE TABLE IF NOT EXISTS pay_vouchers("
	" id TEXT PRIMARY KEY, openid TEXT NOT NULL, stock_id TEXT NOT NULL,"
	" name TEXT NOT NULL, type TEXT NOT NULL, amount INTEGER NOT NULL,"
	" minimum INTEGER NOT NULL, goods_tag TEXT NOT NULL);"
	"CREATE TABLE IF NOT EXISTS callback_attempts("
	" id INTEGER PRIMARY KEY, callback_id TEXT NOT NULL,"
	" at INTEGER NOT NULL, status INTEGER, error TEXT);";

int
simdb_open(const char *path, struct simdb **out, char **cause)
{
	struct simdb *s;
	char *err = NULL;

	*out = NULL;
	s = xcalloc(1, sizeof *s);
	if (sqlite3_open_v2(path, &s->db, SQLITE_OPEN_READWRITE |
	    SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK) {
		*cause = xasprintf("%s: %s", path, s->db ?
			sqlite3_errmsg(s->db) : "cannot open");
		goto fail;
	}
	sqlite3_busy_timeout(s->db, 5000);
	if (sqlite3_exec(s->db, schema, NULL, NULL, &err) != SQLITE_OK) {
		*cause = xasprintf("%s: schema: %s", path,
			err ? err : "error");
		sqlite3_free(err);
		goto fail;
	}
	/* columns added after the first schema: ignore "duplicate column" */
	sqlite3_exec(s->db, "ALTER TABLE coupons ADD COLUMN "
		"associate_out_trade_no TEXT", NULL, NULL, NULL);
	*out = s;
	return 0;
fail:
	sqlite3_close(s->db);
	free(s);
	return QUAN_EIO;
}

void
simdb_close(struct simdb *s)
{
	int i;

	if (s == NULL)
		return;
	for (i = 0; i < s->ncache; i++)
		sqlite3_finalize(s->cache[i].st);
	sqlite3_close(s->db);
	free(s);
}

static sqlite3_stmt *
prepare(struct simdb *s, const char *sql, int *transient)
{
	sqlite3_stmt *st = NULL;
	int i;

	*transient = 0;
	for (i = 0; i < s->ncache; i++)
		if (s->cache[i].sql == sql)
			return s->cache[i].st;
	if (sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) != SQLITE_OK) {
		log_error("prepare: %s: %s", sqlite3_errmsg(s->db), sql);
		return NULL;
	}
	if (s->ncache < SIMDB_CACHE) {
		s->cache[s->ncache].sql = sql;
		s->cache[s->ncache].st = st;
		s->ncache++;
	} else {
		*transient = 1;
	}
	return st;
}

static int
bind_params(sqlite3_stmt *st, json_t *params)
{
	size_t i;
	json_t *v;

	if (params == NULL)
		return 0;
	json_array_foreach(params, i, v) {
		int rc, idx = (int)i + 1;

		switch (json_typeof(v)) {
		case JSON_STRING:
			rc = sqlite3_bind_text(st, idx, json_string_value(v),
				(int)json_string_length(v), SQLITE_TRANSIENT);
			break;
		case JSON_INTEGER:
			rc = sqlite3_bind_int64(st, idx,
				json_integer_value(v));
			break;
		case JSON_TRUE:
			rc = sqlite3_bind_int(st, idx, 1);
			break;
		case JSON_FALSE:
			rc = sqlite3_bind_int(st, idx, 0);
			break;
		case JSON_NULL:
			rc = sqlite3_bind_null(st, idx);
			break;
		default:
			return QUAN_EINVAL;
		}
		if (rc != SQLITE_OK)
			return QUAN_EIO;
	}
	return 0;
}

static json_t *
column(sqlite3_stmt *st, int i)
{
	switch (sqlite3_column_type(st, i)) {
	case SQLITE_INTEGER:
		return json_integer(sqlite3_column_int64(st, i));
	case SQLITE_FLOAT:
		return json_integer((json_int_t)sqlite3_column_int64(st, i));
	case SQLITE_TEXT:
	case SQLITE_BLOB:
		return json_stringn((const char *)sqlite3_column_text(st, i),
			(size_t)sqlite3_column_bytes(st, i));
	default:
		return json_null();
	}
}

int
simdb_run(struct simdb *s, const char *sql, json_t *params, json_t **rows)
{
	sqlite3_stmt *st;
	int transient, rc, ret = 0;

	if (rows != NULL)
		*rows = NULL;
	st = prepare(s, sql, &transient);
	if (st == NULL)
		return QUAN_EIO;
	if (bind_params(st, params) != 0) {
		ret = QUAN_EINVAL;
		goto out;
	}
	if (rows != NULL)
		*rows = json_array();
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		int i, n = sqlite3_column_count(st);
		json_t *o;

		if (rows == NULL)
			continue;
		o = json_object();
		for (i = 0; i < n; i++)
			json_object_set_new(o, sqlite3_column_name(st, i),
				column(st, i));
		json_array_append_new(*rows, o);
	}
	if (rc != SQLITE_DONE) {
		if ((rc & 0xff) == SQLITE_CONSTRAINT) {
			ret = QUAN_EEXIST;
		} else {
			log_error("step: %s", sqlite3_errmsg(s->db));
			ret = QUAN_EIO;
		}
		if (rows != NULL) {
			json_decref(*rows);
			*rows = NULL;
		}
	}
out:
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	if (transient)
		sqlite3_finalize(st);
	return ret;
}

json_t *
simdb_row(struct simdb *s, const char *sql, json_t *params)
{
	json_t *rows, *r;

	if (simdb_run(s, sql, params, &rows) != 0)
		return NULL;
	r = json_array_get(rows, 0);
	json_incref(r);
	json_decref(rows);
	return r;
}

int64_t
simdb_changes(struct simdb *s)
{
	return sqlite3_changes(s->db);
}

static int
exec(struct simdb *s, const char *sql)
{
	char *err = NULL;

	if (sqlite3_exec(s->db, sql, NULL, NULL, &err) != SQLITE_OK) {
		log_error("%s: %s", sql, err ? err : "error");
		sqlite3_free(err);
		return QUAN_EIO;
	}
	return 0;
}

int
simdb_begin(struct simdb *s)
{
	return exec(s, "BEGIN IMMEDIATE");
}

int
simdb_commit(struct simdb *s)
{
	return exec(s, "COMMIT");
}

void
simdb_rollback(struct simdb *s)
{
	if (!sqlite3_get_autocommit(s->db))
		exec(s, "ROLLBACK");
}
