/*
 * store_pcoupon.c — the 商品券 registry and definitions (store_pcoupon.h).
 * States are kept as enum pc_state numbers (their words are core's, in
 * core/coupon.h): the lifecycle rule "never back" is then one MAX() in
 * the upsert. Lists of a stock (weekly periods, irregular ranges, stores)
 * are kept as short text, written and read only here.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/store_int.h"
#include "store/store_pcoupon.h"
#include "util/err.h"
#include "util/str.h"

const char store_pc_schema[] =
	"CREATE TABLE pc_coupons(code TEXT NOT NULL, stock_id TEXT NOT NULL,"
	" product_coupon_id TEXT NOT NULL, brand_id TEXT NOT NULL,"
	" appid TEXT NOT NULL, openid TEXT NOT NULL,"
	" state INTEGER NOT NULL CHECK(state BETWEEN 0 AND 7),"
	" valid_begin INTEGER NOT NULL, valid_end INTEGER NOT NULL,"
	" receive_time INTEGER NOT NULL, stock_bundle_id TEXT NOT NULL,"
	" bundle_id TEXT NOT NULL, bundle_index INTEGER NOT NULL,"
	" bundle_total INTEGER NOT NULL, bundle_used INTEGER NOT NULL,"
	" send_request_no TEXT NOT NULL, confirm_request_no TEXT NOT NULL,"
	" confirmed_at INTEGER NOT NULL, source INTEGER NOT NULL,"
	" notify_id TEXT NOT NULL, updated_at INTEGER NOT NULL,"
	" PRIMARY KEY(code, stock_id)) WITHOUT ROWID;"
	"CREATE INDEX pc_coupons_bundle ON pc_coupons(bundle_id)"
	" WHERE bundle_id != '';"
	"CREATE INDEX pc_coupons_confirming ON pc_coupons(updated_at)"
	" WHERE state = 1 AND confirmed_at = 0;"
	"CREATE TABLE pc_products(product_coupon_id TEXT PRIMARY KEY,"
	" brand_id TEXT NOT NULL, scope INTEGER NOT NULL,"
	" type INTEGER NOT NULL,"
	" usage INTEGER NOT NULL, r_type INTEGER NOT NULL,"
	" r_threshold INTEGER NOT NULL, r_amount INTEGER NOT NULL,"
	" r_percent INTEGER NOT NULL, r_exchange INTEGER NOT NULL,"
	" bundle_count INTEGER NOT NULL, interval_days INTEGER NOT NULL,"
	" name TEXT NOT NULL, original_price INTEGER NOT NULL,"
	" out_product_no TEXT NOT NULL, state INTEGER NOT NULL,"
	" fetched_at INTEGER NOT NULL);"
	"CREATE TABLE pc_stocks(stock_id TEXT PRIMARY KEY,"
	" product_coupon_id TEXT NOT NULL, brand_id TEXT NOT NULL,"
	" state INTEGER NOT NULL, has_rule INTEGER NOT NULL,"
	" r_type INTEGER NOT NULL, r_threshold INTEGER NOT NULL,"
	" r_amount INTEGER NOT NULL, r_percent INTEGER NOT NULL,"
	" r_exchange INTEGER NOT NULL, stock_bundle_id TEXT NOT NULL,"
	" bundle_index INTEGER NOT NULL, begin_at INTEGER NOT NULL,"
	" end_at INTEGER NOT NULL, available_days INTEGER NOT NULL,"
	" wait_days INTEGER NOT NULL, weekly TEXT NOT NULL,"
	" irregular TEXT NOT NULL, store_scope INTEGER NOT NULL,"
	" stores TEXT NOT NULL, methods INTEGER NOT NULL,"
	" fetched_at INTEGER NOT NULL);"
	/* the uses of sales (store_pcuse.c) */
	"CREATE TABLE pc_uses(id INTEGER PRIMARY KEY, txn_id INTEGER NOT NULL,"
	" line INTEGER NOT NULL, code TEXT NOT NULL, stock_id TEXT NOT NULL,"
	" product_coupon_id TEXT NOT NULL, appid TEXT NOT NULL,"
	" openid TEXT NOT NULL, brand_id TEXT NOT NULL, name TEXT NOT NULL,"
	" type INTEGER NOT NULL, bundle_index INTEGER NOT NULL,"
	" bundle_id TEXT NOT NULL,"
	" state INTEGER NOT NULL CHECK(state BETWEEN 0 AND 6),"
	" use_request_no TEXT NOT NULL UNIQUE,"
	" return_request_no TEXT NOT NULL, use_time INTEGER NOT NULL,"
	" out_trade_no TEXT NOT NULL, transaction_id TEXT NOT NULL,"
	" mchid TEXT NOT NULL, store_id TEXT NOT NULL,"
	" use_first INTEGER NOT NULL, order_fen INTEGER NOT NULL,"
	" discount_fen INTEGER NOT NULL CHECK(discount_fen >= 0),"
	" paid_fen INTEGER NOT NULL, attempts INTEGER NOT NULL,"
	" ret_attempts INTEGER NOT NULL, wx_code TEXT NOT NULL,"
	" reason TEXT NOT NULL, created_at INTEGER NOT NULL,"
	" updated_at INTEGER NOT NULL);"
	/* the invariant: one live use per coupon (planned, sent, used,
	 * return pending) */
	"CREATE UNIQUE INDEX pc_uses_live ON pc_uses(code, stock_id)"
	" WHERE state IN (0, 1, 2, 4);"
	"CREATE INDEX pc_uses_txn ON pc_uses(txn_id);"
	"CREATE INDEX pc_uses_open ON pc_uses(state) WHERE state IN (0, 1, 4);";

int
store_pc_prep(struct store *s, const char *sql, sqlite3_stmt **st)
{
	if (sqlite3_prepare_v2(store_handle(s), sql, -1, st, NULL) !=
	    SQLITE_OK)
		return store_sqlfail(s, sqlite3_extended_errcode(
		    store_handle(s)), "prepare product coupon statement");
	return QUAN_OK;
}

/* Step st once (no row expected), finalize it. */
static int
run_once(struct store *s, sqlite3_stmt *st, const char *what)
{
	int rc = store_run(s, st, what);

	sqlite3_finalize(st);
	return rc;
}

static int
id_ok(const char *v, size_t max)
{
	return v != NULL && v[0] != '\0' && strlen(v) <= max;
}

/* ---- the registry ----------------------------------------------------- */

#define PC_COLS "code, stock_id, product_coupon_id, brand_id, appid, openid," \
	" state, valid_begin, valid_end, receive_time, stock_bundle_id," \
	" bundle_id, bundle_index, bundle_total, bundle_used," \
	" send_request_no, confirm_request_no, confirmed_at, source," \
	" notify_id, updated_at"

/* One row of PC_COLS into c (a struct pc_coupon; void * for
 * store_pc_collect). */
static void
pc_fill(sqlite3_stmt *st, void *p)
{
	struct pc_coupon *c = p;

	memset(c, 0, sizeof *c);
	col_text(st, 0, c->code, sizeof c->code);
	col_text(st, 1, c->stock_id, sizeof c->stock_id);
	col_text(st, 2, c->product_coupon_id, sizeof c->product_coupon_id);
	col_text(st, 3, c->brand_id, sizeof c->brand_id);
	col_text(st, 4, c->appid, sizeof c->appid);
	col_text(st, 5, c->openid, sizeof c->openid);
	c->state = (enum pc_state)sqlite3_column_int(st, 6);
	c->valid_begin = sqlite3_column_int64(st, 7);
	c->valid_end = sqlite3_column_int64(st, 8);
	c->receive_time = sqlite3_column_int64(st, 9);
	col_text(st, 10, c->stock_bundle_id, sizeof c->stock_bundle_id);
	col_text(st, 11, c->user_coupon_bundle_id,
	    sizeof c->user_coupon_bundle_id);
	c->bundle_index = sqlite3_column_int(st, 12);
	c->bundle_total = sqlite3_column_int(st, 13);
	c->bundle_used = sqlite3_column_int(st, 14);
	col_text(st, 15, c->send_request_no, sizeof c->send_request_no);
	col_text(st, 16, c->confirm_request_no, sizeof c->confirm_request_no);
	c->confirmed_at = sqlite3_column_int64(st, 17);
	c->source = (enum pc_source)sqlite3_column_int(st, 18);
	col_text(st, 19, c->notify_id, sizeof c->notify_id);
	c->updated_at = sqlite3_column_int64(st, 20);
}

int
store_pc_put(struct store *s, const struct pc_coupon *c, int force)
{
	sqlite3_stmt *st;
	int rc;

	if (!id_ok(c->code, PC_CODE_MAX) || !id_ok(c->stock_id, PC_ID_MAX) ||
	    (unsigned)c->state >= PC_ST_COUNT)
		return QUAN_EINVAL;
	/* a field given empty/0 keeps the row's; the state only moves
	 * forward unless forced (?22) */
	if ((rc = store_pc_prep(s,
	    "INSERT INTO pc_coupons(" PC_COLS ") VALUES(?1,"
	    " ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15,"
	    " ?16,"
	    " ?17, ?18, ?19, ?20, ?21) ON CONFLICT(code, stock_id) DO UPDATE"
	    " SET product_coupon_id = CASE WHEN ?3 = '' THEN product_coupon_id"
	    " ELSE ?3 END, brand_id = CASE WHEN ?4 = '' THEN brand_id ELSE ?4"
	    " END, appid = CASE WHEN ?5 = '' THEN appid ELSE ?5 END,"
	    " openid = CASE WHEN ?6 = '' THEN openid ELSE ?6 END,"
	    " state = CASE WHEN ?22 AND ?7 != 0 THEN ?7"
	    " ELSE max(state, ?7) END,"
	    " valid_begin = CASE WHEN ?8 = 0 THEN valid_begin ELSE ?8 END,"
	    " valid_end = CASE WHEN ?9 = 0 THEN valid_end ELSE ?9 END,"
	    " receive_time = CASE WHEN ?10 = 0 THEN receive_time ELSE ?10 END,"
	    " stock_bundle_id = CASE WHEN ?11 = '' THEN stock_bundle_id"
	    " ELSE ?11 END, bundle_id = CASE WHEN ?12 = '' THEN bundle_id"
	    " ELSE ?12 END, bundle_index = CASE WHEN ?12 = '' THEN bundle_index"
	    " ELSE ?13 END, bundle_total = max(bundle_total, ?14),"
	    " bundle_used = CASE WHEN ?22 THEN ?15 ELSE max(bundle_used, ?15)"
	    " END, send_request_no = CASE WHEN ?16 = '' THEN send_request_no"
	    " ELSE ?16 END, confirm_request_no = CASE WHEN ?17 = '' THEN"
	    " confirm_request_no ELSE ?17 END, confirmed_at = CASE WHEN ?18 = 0"
	    " THEN confirmed_at ELSE ?18 END, notify_id = CASE WHEN ?20 = ''"
	    " THEN notify_id ELSE ?20 END, updated_at = ?21", &st)) != 0)
		return rc;
	bt(st, 1, c->code);
	bt(st, 2, c->stock_id);
	bt(st, 3, c->product_coupon_id);
	bt(st, 4, c->brand_id);
	bt(st, 5, c->appid);
	bt(st, 6, c->openid);
	bi(st, 7, c->state);
	bi(st, 8, c->valid_begin);
	bi(st, 9, c->valid_end);
	bi(st, 10, c->receive_time);
	bt(st, 11, c->stock_bundle_id);
	bt(st, 12, c->user_coupon_bundle_id);
	bi(st, 13, c->bundle_index);
	bi(st, 14, c->bundle_total);
	bi(st, 15, c->bundle_used);
	bt(st, 16, c->send_request_no);
	bt(st, 17, c->confirm_request_no);
	bi(st, 18, c->confirmed_at);
	bi(st, 19, c->source);
	bt(st, 20, c->notify_id);
	bi(st, 21, c->updated_at);
	bi(st, 22, force != 0);
	return run_once(s, st, "put product coupon");
}

int
store_pc_notified(struct store *s, const struct pc_coupon *c, int64_t now)
{
	struct pc_coupon row, known;

	row = *c;
	row.source = PC_SRC_NOTIFY;
	row.updated_at = now;
	if (row.state == PC_ST_UNKNOWN)
		row.state = PC_ST_CONFIRMING;
	if (row.notify_id[0] != '\0' && store_pc_get(s, row.code,
	    row.stock_id, &known) == QUAN_OK &&
	    strcmp(known.notify_id, row.notify_id) == 0)
		return QUAN_EEXIST;
	return store_pc_put(s, &row, 0);
}

/* UPDATE … WHERE code = ?1 AND stock_id = ?2; QUAN_ENOTFOUND when no row
 * changed. */
static int
update_row(struct store *s, sqlite3_stmt *st, const char *code,
    const char *stock_id, const char *what)
{
	int rc;

	bt(st, 1, code);
	bt(st, 2, stock_id);
	if ((rc = run_once(s, st, what)) != QUAN_OK)
		return rc;
	return sqlite3_changes(store_handle(s)) > 0 ? QUAN_OK :
	    QUAN_ENOTFOUND;
}

int
store_pc_confirmed(struct store *s, const char *code, const char *stock_id,
    const char *confirm_request_no, enum pc_state state, int64_t now)
{
	sqlite3_stmt *st;
	int rc;

	if ((unsigned)state >= PC_ST_COUNT)
		return QUAN_EINVAL;
	/* a confirmation never undoes a later state (used, expired ...) */
	if ((rc = store_pc_prep(s,
	    "UPDATE pc_coupons SET confirm_request_no = ?3,"
	    " confirmed_at = ?4, state = max(state, ?5), updated_at = ?4"
	    " WHERE code = ?1 AND stock_id = ?2", &st)) != 0)
		return rc;
	bt(st, 3, confirm_request_no);
	bi(st, 4, now);
	bi(st, 5, state);
	return update_row(s, st, code, stock_id, "confirm product coupon");
}

int
store_pc_set_state(struct store *s, const char *code, const char *stock_id,
    enum pc_state state, int64_t now)
{
	sqlite3_stmt *st;
	int rc;

	if ((unsigned)state >= PC_ST_COUNT)
		return QUAN_EINVAL;
	if ((rc = store_pc_prep(s,
	    "UPDATE pc_coupons SET state = ?3, updated_at ="
	    " ?4 WHERE code = ?1 AND stock_id = ?2", &st)) != 0)
		return rc;
	bi(st, 3, state);
	bi(st, 4, now);
	return update_row(s, st, code, stock_id, "set product coupon state");
}

int
store_pc_collect(struct store *s, sqlite3_stmt *st, void *out, size_t sz,
    void (*fill)(sqlite3_stmt *, void *), int max, int *n, const char *what)
{
	int rc;

	*n = 0;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (*n < max)
			fill(st, (char *)out + (size_t)*n * sz);
		(*n)++;
	}
	if (rc != SQLITE_DONE)
		rc = store_sqlfail(s, sqlite3_extended_errcode(
		    store_handle(s)), what);
	else
		rc = QUAN_OK;
	sqlite3_finalize(st);
	return rc;
}

int
store_pc_unconfirmed(struct store *s, struct pc_coupon *out, int max, int *n)
{
	sqlite3_stmt *st;
	int rc;

	if ((rc = store_pc_prep(s,
	    "SELECT " PC_COLS " FROM pc_coupons WHERE state ="
	    " 1 AND confirmed_at = 0 ORDER BY updated_at", &st)) != 0)
		return rc;
	return store_pc_collect(s, st, out, sizeof *out,
	    pc_fill, max, n, "list unconfirmed coupons");
}

int
store_pc_confirmed_after(struct store *s, const struct store_pc_key *after,
    struct pc_coupon *out, int max, int *n)
{
	sqlite3_stmt *st;
	int rc;

	/* keyset order (confirmed_at, code, stock_id): a row confirmed in
	 * the same second as the cursor is neither lost nor repeated */
	if ((rc = store_pc_prep(s,
	    "SELECT " PC_COLS " FROM pc_coupons WHERE source = ?5 AND"
	    " confirmed_at > 0 AND (confirmed_at, code, stock_id) >"
	    " (?1, ?2, ?3) ORDER BY confirmed_at, code, stock_id LIMIT ?4",
	    &st)) != 0)
		return rc;
	bi(st, 1, after->confirmed_at);
	bt(st, 2, after->code);
	bt(st, 3, after->stock_id);
	bi(st, 4, max);
	bi(st, 5, PC_SRC_NOTIFY);
	return store_pc_collect(s, st, out, sizeof *out,
	    pc_fill, max, n, "list confirmed sent coupons");
}

int
store_pc_lookup(struct store *s, const char *code, struct pc_coupon *out,
    int max, int *n)
{
	sqlite3_stmt *st;
	int rc;

	*n = 0;
	if (!id_ok(code, PC_CODE_MAX))
		return QUAN_OK; /* longer than any code: not one */
	if ((rc = store_pc_prep(s,
	    "SELECT " PC_COLS " FROM pc_coupons WHERE code ="
	    " ?1 ORDER BY stock_id", &st)) != 0)
		return rc;
	bt(st, 1, code);
	return store_pc_collect(s, st, out, sizeof *out,
	    pc_fill, max, n, "look up product coupon");
}

int
store_pc_get(struct store *s, const char *code, const char *stock_id,
    struct pc_coupon *out)
{
	sqlite3_stmt *st;
	int rc, n;

	if ((rc = store_pc_prep(s,
	    "SELECT " PC_COLS " FROM pc_coupons WHERE code ="
	    " ?1 AND stock_id = ?2", &st)) != 0)
		return rc;
	bt(st, 1, code);
	bt(st, 2, stock_id);
	if ((rc = store_pc_collect(s, st, out, sizeof *out,
	    pc_fill, 1, &n, "get product coupon")) != 0)
		return rc;
	return n > 0 ? QUAN_OK : QUAN_ENOTFOUND;
}

int
store_pc_bundle(struct store *s, const char *bundle_id,
    struct pc_coupon *out, int max, int *n)
{
	sqlite3_stmt *st;
	int rc;

	*n = 0;
	if (bundle_id == NULL || bundle_id[0] == '\0')
		return QUAN_OK;
	if ((rc = store_pc_prep(s, "SELECT " PC_COLS " FROM pc_coupons WHERE"
	    " bundle_id = ?1 ORDER BY bundle_index", &st)) != 0)
		return rc;
	bt(st, 1, bundle_id);
	return store_pc_collect(s, st, out, sizeof *out,
	    pc_fill, max, n, "list coupon bundle");
}

/* ---- definitions ------------------------------------------------------ */

/* A rule's five columns from parameter / column i on. */
static void
bind_rule(sqlite3_stmt *st, int i, const struct pc_rule *r)
{
	bi(st, i, r->type);
	bi(st, i + 1, r->threshold_fen);
	bi(st, i + 2, r->discount_amount_fen);
	bi(st, i + 3, r->percent_off);
	bi(st, i + 4, r->exchange_price_fen);
}

static void
col_rule(sqlite3_stmt *st, int i, struct pc_rule *r)
{
	r->type = (enum pc_type)sqlite3_column_int(st, i);
	r->threshold_fen = sqlite3_column_int64(st, i + 1);
	r->discount_amount_fen = sqlite3_column_int64(st, i + 2);
	r->percent_off = sqlite3_column_int(st, i + 3);
	r->exchange_price_fen = sqlite3_column_int64(st, i + 4);
}

int
store_pc_product_put(struct store *s, const struct pc_product *p)
{
	sqlite3_stmt *st;
	int rc;

	if (!id_ok(p->product_coupon_id, PC_ID_MAX))
		return QUAN_EINVAL;
	if ((rc = store_pc_prep(s,
	    "INSERT OR REPLACE INTO pc_products VALUES(?1,"
	    " ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15,"
	    " ?16,"
	    " ?17)", &st)) != 0)
		return rc;
	bt(st, 1, p->product_coupon_id);
	bt(st, 2, p->brand_id);
	bi(st, 3, p->scope);
	bi(st, 4, p->type);
	bi(st, 5, p->usage);
	bind_rule(st, 6, &p->single);
	bi(st, 11, p->bundle_count);
	bi(st, 12, p->interval_days);
	bt(st, 13, p->name);
	bi(st, 14, p->original_price_fen);
	bt(st, 15, p->out_product_no);
	bi(st, 16, p->state);
	bi(st, 17, p->fetched_at);
	return run_once(s, st, "put product coupon definition");
}

int
store_pc_product_get(struct store *s, const char *id, struct pc_product *p)
{
	sqlite3_stmt *st;
	int rc;

	if ((rc = store_pc_prep(s, "SELECT * FROM pc_products WHERE"
	    " product_coupon_id = ?1", &st)) != 0)
		return rc;
	bt(st, 1, id);
	rc = store_step_one(s, st, "get product coupon definition");
	if (rc == QUAN_OK) {
		memset(p, 0, sizeof *p);
		col_text(st, 0, p->product_coupon_id,
		    sizeof p->product_coupon_id);
		col_text(st, 1, p->brand_id, sizeof p->brand_id);
		p->scope = (enum pc_scope)sqlite3_column_int(st, 2);
		p->type = (enum pc_type)sqlite3_column_int(st, 3);
		p->usage = (enum pc_usage)sqlite3_column_int(st, 4);
		col_rule(st, 5, &p->single);
		p->bundle_count = sqlite3_column_int(st, 10);
		p->interval_days = sqlite3_column_int(st, 11);
		col_text(st, 12, p->name, sizeof p->name);
		p->original_price_fen = sqlite3_column_int64(st, 13);
		col_text(st, 14, p->out_product_no, sizeof p->out_product_no);
		p->state = (enum pc_def_state)sqlite3_column_int(st, 15);
		p->fetched_at = sqlite3_column_int64(st, 16);
	}
	sqlite3_finalize(st);
	return rc;
}

/* The lists of a stock as text: weekly "wmask:begin-end;…", irregular
 * "begin-end;…", stores "id;id…" (ids are [0-9A-Za-z_-], no ';'). */
static void
enc_lists(const struct pc_stock *k, char *wk, size_t nwk, char *ir,
    size_t nir, char *sto, size_t nsto)
{
	size_t o = 0;
	int i;

	wk[0] = ir[0] = sto[0] = '\0';
	for (i = 0; i < k->nweekly && i < PC_WEEKLY_MAX && o < nwk; i++)
		o += (size_t)snprintf(wk + o, nwk - o, "%s%u:%d-%d",
		    i ? ";" : "", (unsigned)k->weekly[i].wmask,
		    (int)k->weekly[i].begin, (int)k->weekly[i].end);
	for (o = 0, i = 0; i < k->nirregular && i < PC_IRREGULAR_MAX &&
	    o < nir; i++)
		o += (size_t)snprintf(ir + o, nir - o, "%s%" PRId64 "-%" PRId64,
		    i ? ";" : "", k->irregular[i].begin, k->irregular[i].end);
	for (o = 0, i = 0; i < k->nstores && i < PC_STORES_MAX && o < nsto;
	    i++)
		o += (size_t)snprintf(sto + o, nsto - o, "%s%s", i ? ";" : "",
		    k->stores[i]);
}

static void
dec_lists(struct pc_stock *k, const char *wk, const char *ir,
    const char *sto)
{
	const char *p;
	char *end;

	for (p = wk; *p != '\0' && k->nweekly < PC_WEEKLY_MAX; ) {
		struct pc_weekly *w = &k->weekly[k->nweekly++];

		w->wmask = (uint8_t)strtoul(p, &end, 10);
		w->begin = (int32_t)strtol(end + (*end == ':'), &end, 10);
		w->end = (int32_t)strtol(end + (*end == '-'), &end, 10);
		if (*end != ';')
			break;
		p = end + 1;
	}
	for (p = ir; *p != '\0' && k->nirregular < PC_IRREGULAR_MAX; ) {
		struct pc_range *r = &k->irregular[k->nirregular++];

		r->begin = strtoll(p, &end, 10);
		r->end = strtoll(end + (*end == '-'), &end, 10);
		if (*end != ';')
			break;
		p = end + 1;
	}
	for (p = sto; *p != '\0' && k->nstores < PC_STORES_MAX; ) {
		size_t n = strcspn(p, ";");

		if (n > PC_ID_MAX)
			n = PC_ID_MAX;
		memcpy(k->stores[k->nstores], p, n);
		k->stores[k->nstores++][n] = '\0';
		p += strcspn(p, ";");
		p += *p == ';';
	}
}

int
store_pc_stock_put(struct store *s, const struct pc_stock *k)
{
	char wk[PC_WEEKLY_MAX * 32], ir[PC_IRREGULAR_MAX * 48];
	char sto[PC_STORES_MAX * (PC_ID_MAX + 1) + 1];
	sqlite3_stmt *st;
	int rc;

	if (!id_ok(k->stock_id, PC_ID_MAX))
		return QUAN_EINVAL;
	enc_lists(k, wk, sizeof wk, ir, sizeof ir, sto, sizeof sto);
	if ((rc = store_pc_prep(s,
	    "INSERT OR REPLACE INTO pc_stocks VALUES(?1, ?2,"
	    " ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16,"
	    " ?17, ?18, ?19, ?20, ?21, ?22)", &st)) != 0)
		return rc;
	bt(st, 1, k->stock_id);
	bt(st, 2, k->product_coupon_id);
	bt(st, 3, k->brand_id);
	bi(st, 4, k->state);
	bi(st, 5, k->has_rule != 0);
	bind_rule(st, 6, &k->rule);
	bt(st, 11, k->stock_bundle_id);
	bi(st, 12, k->bundle_index);
	bi(st, 13, k->begin);
	bi(st, 14, k->end);
	bi(st, 15, k->available_days);
	bi(st, 16, k->wait_days);
	bt(st, 17, wk);
	bt(st, 18, ir);
	bi(st, 19, k->store_scope);
	bt(st, 20, sto);
	bi(st, 21, k->methods);
	bi(st, 22, k->fetched_at);
	return run_once(s, st, "put product coupon stock");
}

int
store_pc_stock_get(struct store *s, const char *id, struct pc_stock *k)
{
	char wk[PC_WEEKLY_MAX * 32], ir[PC_IRREGULAR_MAX * 48];
	char sto[PC_STORES_MAX * (PC_ID_MAX + 1) + 1];
	sqlite3_stmt *st;
	int rc;

	if ((rc = store_pc_prep(s,
	    "SELECT * FROM pc_stocks WHERE stock_id = ?1",
	    &st)) != 0)
		return rc;
	bt(st, 1, id);
	rc = store_step_one(s, st, "get product coupon stock");
	if (rc == QUAN_OK) {
		memset(k, 0, sizeof *k);
		col_text(st, 0, k->stock_id, sizeof k->stock_id);
		col_text(st, 1, k->product_coupon_id,
		    sizeof k->product_coupon_id);
		col_text(st, 2, k->brand_id, sizeof k->brand_id);
		k->state = (enum pc_def_state)sqlite3_column_int(st, 3);
		k->has_rule = sqlite3_column_int(st, 4);
		col_rule(st, 5, &k->rule);
		col_text(st, 10, k->stock_bundle_id, sizeof k->stock_bundle_id);
		k->bundle_index = sqlite3_column_int(st, 11);
		k->begin = sqlite3_column_int64(st, 12);
		k->end = sqlite3_column_int64(st, 13);
		k->available_days = sqlite3_column_int(st, 14);
		k->wait_days = sqlite3_column_int(st, 15);
		col_text(st, 16, wk, sizeof wk);
		col_text(st, 17, ir, sizeof ir);
		k->store_scope = (enum pc_store_scope)sqlite3_column_int(st,
		    18);
		col_text(st, 19, sto, sizeof sto);
		k->methods = (uint32_t)sqlite3_column_int64(st, 20);
		k->fetched_at = sqlite3_column_int64(st, 21);
		dec_lists(k, wk, ir, sto);
	}
	sqlite3_finalize(st);
	return rc;
}

int
store_pc_ids(struct store *s, store_pc_ids_fn fn, void *arg)
{
	sqlite3_stmt *st;
	int rc;

	if ((rc = store_pc_prep(s, "SELECT DISTINCT product_coupon_id,"
	    " stock_id FROM pc_coupons WHERE product_coupon_id != ''"
	    " ORDER BY 1, 2", &st)) != 0)
		return rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		if (fn(arg, (const char *)sqlite3_column_text(st, 0),
		    (const char *)sqlite3_column_text(st, 1)) != 0)
			break;
	rc = rc == SQLITE_ROW || rc == SQLITE_DONE ? QUAN_OK :
	    store_sqlfail(s, sqlite3_extended_errcode(store_handle(s)),
	    "list product coupon ids");
	sqlite3_finalize(st);
	return rc;
}

int
store_pc_counts(struct store *s, int64_t *coupons, int64_t *products,
    int64_t *stocks)
{
	sqlite3_stmt *st;
	int rc;

	if ((rc = store_pc_prep(s, "SELECT (SELECT count(*) FROM pc_coupons),"
	    " (SELECT count(*) FROM pc_products),"
	    " (SELECT count(*) FROM pc_stocks)", &st)) != 0)
		return rc;
	rc = store_step_one(s, st, "count product coupons");
	if (rc == QUAN_OK) {
		*coupons = sqlite3_column_int64(st, 0);
		*products = sqlite3_column_int64(st, 1);
		*stocks = sqlite3_column_int64(st, 2);
	}
	sqlite3_finalize(st);
	return rc;
}
