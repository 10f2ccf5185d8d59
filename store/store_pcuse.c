/*
 * store_pcuse.c — the 商品券 uses of sales (store_pcoupon.h, pc_uses).
 * One live use per coupon is a partial unique index: it holds inside the
 * committing transaction whatever process inserts. States are enum
 * pc_use_state numbers (words in core/coupon.h).
 */
#include <stdio.h>
#include <string.h>

#include "store/store_int.h"
#include "store/store_pcoupon.h"
#include "util/err.h"

/* the table and its indexes are in store_pcoupon.c's migration */

#define COLS "id, txn_id, line, code, stock_id, product_coupon_id, appid," \
	" openid, brand_id, name, type, bundle_index, bundle_id, state," \
	" use_request_no, return_request_no, use_time, out_trade_no," \
	" transaction_id, mchid, store_id, use_first, order_fen," \
	" discount_fen, paid_fen, attempts, ret_attempts, wx_code, reason," \
	" created_at, updated_at"

/* One row of COLS into u (a struct pc_use; void * for store_pc_collect). */
static void
fill(sqlite3_stmt *st, void *p)
{
	struct pc_use *u = p;

	memset(u, 0, sizeof *u);
	u->id = sqlite3_column_int64(st, 0);
	u->txn_id = sqlite3_column_int64(st, 1);
	u->line = sqlite3_column_int(st, 2);
	col_text(st, 3, u->code, sizeof u->code);
	col_text(st, 4, u->stock_id, sizeof u->stock_id);
	col_text(st, 5, u->product_coupon_id, sizeof u->product_coupon_id);
	col_text(st, 6, u->appid, sizeof u->appid);
	col_text(st, 7, u->openid, sizeof u->openid);
	col_text(st, 8, u->brand_id, sizeof u->brand_id);
	col_text(st, 9, u->name, sizeof u->name);
	u->type = (enum pc_type)sqlite3_column_int(st, 10);
	u->bundle_index = sqlite3_column_int(st, 11);
	col_text(st, 12, u->user_coupon_bundle_id,
	    sizeof u->user_coupon_bundle_id);
	u->state = (enum pc_use_state)sqlite3_column_int(st, 13);
	col_text(st, 14, u->use_request_no, sizeof u->use_request_no);
	col_text(st, 15, u->return_request_no, sizeof u->return_request_no);
	u->use_time = sqlite3_column_int64(st, 16);
	col_text(st, 17, u->out_trade_no, sizeof u->out_trade_no);
	col_text(st, 18, u->transaction_id, sizeof u->transaction_id);
	col_text(st, 19, u->mchid, sizeof u->mchid);
	col_text(st, 20, u->store_id, sizeof u->store_id);
	u->use_first = sqlite3_column_int(st, 21);
	u->order_fen = sqlite3_column_int64(st, 22);
	u->discount_fen = sqlite3_column_int64(st, 23);
	u->paid_fen = sqlite3_column_int64(st, 24);
	u->attempts = sqlite3_column_int(st, 25);
	u->ret_attempts = sqlite3_column_int(st, 26);
	col_text(st, 27, u->wx_code, sizeof u->wx_code);
	col_text(st, 28, u->reason, sizeof u->reason);
	u->created_at = sqlite3_column_int64(st, 29);
	u->updated_at = sqlite3_column_int64(st, 30);
}

/* Every column of u as parameter ?N of the column's place N in COLS
 * (?1 the id): the insert and the update take what they name. */
static void
bind_use(sqlite3_stmt *st, const struct pc_use *u)
{
	bi(st, 1, u->id);
	bi(st, 2, u->txn_id);
	bi(st, 3, u->line);
	bt(st, 4, u->code);
	bt(st, 5, u->stock_id);
	bt(st, 6, u->product_coupon_id);
	bt(st, 7, u->appid);
	bt(st, 8, u->openid);
	bt(st, 9, u->brand_id);
	bt(st, 10, u->name);
	bi(st, 11, u->type);
	bi(st, 12, u->bundle_index);
	bt(st, 13, u->user_coupon_bundle_id);
	bi(st, 14, u->state);
	bt(st, 15, u->use_request_no);
	bt(st, 16, u->return_request_no);
	bi(st, 17, u->use_time);
	bt(st, 18, u->out_trade_no);
	bt(st, 19, u->transaction_id);
	bt(st, 20, u->mchid);
	bt(st, 21, u->store_id);
	bi(st, 22, u->use_first != 0);
	bi(st, 23, u->order_fen);
	bi(st, 24, u->discount_fen);
	bi(st, 25, u->paid_fen);
	bi(st, 26, u->attempts);
	bi(st, 27, u->ret_attempts);
	bt(st, 28, u->wx_code);
	bt(st, 29, u->reason);
	bi(st, 30, u->created_at);
	bi(st, 31, u->updated_at);
}

int
store_pc_use_insert(struct store *s, struct pc_use *u)
{
	sqlite3_stmt *st;
	int rc;

	if ((unsigned)u->state >= PC_USE_COUNT || u->code[0] == '\0' ||
	    u->use_request_no[0] == '\0')
		return QUAN_EINVAL;
	if ((rc = store_pc_prep(s,
	    "INSERT INTO pc_uses(" COLS ") VALUES(NULL, ?2, ?3,"
	    " ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17,"
	    " ?18, ?19, ?20, ?21, ?22, ?23, ?24, ?25, ?26, ?27, ?28, ?29, ?30,"
	    " ?31)", &st)) != 0)
		return rc;
	bind_use(st, u);
	rc = store_run(s, st, "insert product coupon use");
	sqlite3_finalize(st);
	if (rc == QUAN_OK)
		u->id = sqlite3_last_insert_rowid(store_handle(s));
	return rc;
}

int
store_pc_use_update(struct store *s, const struct pc_use *u)
{
	sqlite3_stmt *st;
	int rc;

	if ((unsigned)u->state >= PC_USE_COUNT)
		return QUAN_EINVAL;
	if ((rc = store_pc_prep(s,
	    "UPDATE pc_uses SET state = ?14, return_request_no = ?16,"
	    " transaction_id = ?19, paid_fen = ?25, attempts = ?26,"
	    " ret_attempts = ?27, wx_code = ?28, reason = ?29,"
	    " updated_at = ?31 WHERE id = ?1", &st)) != 0)
		return rc;
	bind_use(st, u);
	rc = store_run(s, st, "update product coupon use");
	sqlite3_finalize(st);
	if (rc == QUAN_OK && sqlite3_changes(store_handle(s)) == 0)
		rc = QUAN_ENOTFOUND;
	return rc;
}

int
store_pc_use_get(struct store *s, int64_t id, struct pc_use *out)
{
	sqlite3_stmt *st;
	int rc, n;

	if ((rc = store_pc_prep(s, "SELECT " COLS " FROM pc_uses WHERE id = ?1",
	    &st)) != 0)
		return rc;
	bi(st, 1, id);
	if ((rc = store_pc_collect(s, st, out, sizeof *out, fill, 1, &n,
	    "read product coupon uses")) != 0)
		return rc;
	return n > 0 ? QUAN_OK : QUAN_ENOTFOUND;
}

int
store_pc_use_txn(struct store *s, int64_t txn_id, struct pc_use *out,
    int max, int *n)
{
	sqlite3_stmt *st;
	int rc;

	if ((rc = store_pc_prep(s,
	    "SELECT " COLS " FROM pc_uses WHERE txn_id = ?1"
	    " ORDER BY line", &st)) != 0)
		return rc;
	bi(st, 1, txn_id);
	return store_pc_collect(s, st, out, sizeof *out, fill, max, n,
	    "read product coupon uses");
}

int
store_pc_use_open(struct store *s, struct pc_use *out, int max, int *n)
{
	sqlite3_stmt *st;
	int rc;

	if ((rc = store_pc_prep(s, "SELECT " COLS " FROM pc_uses WHERE state IN"
	    " (0, 1, 4) ORDER BY id", &st)) != 0)
		return rc;
	return store_pc_collect(s, st, out, sizeof *out, fill, max, n,
	    "read product coupon uses");
}
