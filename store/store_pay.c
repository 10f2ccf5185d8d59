/*
 * store_pay.c — the payments table and its vouchers (store_pay.h). The
 * "one live payment per sale" rule is a partial unique index, so it holds
 * inside the committing transaction whatever process inserts.
 */
#include <stdio.h>
#include <string.h>

#include "store/store_int.h"
#include "store/store_pay.h"
#include "util/err.h"

const char store_pay_schema[] =
	"CREATE TABLE payments(id INTEGER PRIMARY KEY,"
	" txn_id INTEGER NOT NULL,"
	" out_trade_no TEXT NOT NULL UNIQUE,"
	" tender TEXT NOT NULL CHECK(tender IN ('wechat','cash','other')),"
	" state TEXT NOT NULL CHECK(state IN"
	" ('pending','paid','failed','reversed','unknown')),"
	" phase TEXT NOT NULL, amount_fen INTEGER NOT NULL"
	" CHECK(amount_fen >= 0), payer_fen INTEGER NOT NULL,"
	" voucher_fen INTEGER NOT NULL, settlement_fen INTEGER NOT NULL,"
	" tendered_fen INTEGER NOT NULL, change_fen INTEGER NOT NULL,"
	" reference TEXT NOT NULL, transaction_id TEXT NOT NULL,"
	" reason TEXT NOT NULL, auth_hash TEXT NOT NULL,"
	" t0_ms INTEGER NOT NULL, requests INTEGER NOT NULL,"
	" reverses INTEGER NOT NULL, created_at INTEGER NOT NULL,"
	" updated_at INTEGER NOT NULL, owner INTEGER NOT NULL);"
	/* the invariant: one live charge per sale */
	"CREATE UNIQUE INDEX payments_live ON payments(txn_id) WHERE state IN"
	" ('pending','paid','unknown');"
	"CREATE INDEX payments_open ON payments(state) WHERE state IN"
	" ('pending','unknown');"
	"CREATE INDEX payments_created ON payments(created_at);"
	"CREATE TABLE payment_vouchers(payment_id INTEGER NOT NULL"
	" REFERENCES payments(id), idx INTEGER NOT NULL,"
	" voucher_id TEXT NOT NULL, name TEXT NOT NULL, type TEXT NOT NULL"
	" CHECK(type IN ('prefunded','nocash')), stock_id TEXT NOT NULL,"
	" amount_fen INTEGER NOT NULL CHECK(amount_fen >= 0),"
	" PRIMARY KEY(payment_id, idx)) WITHOUT ROWID;";

#define COLS "id, txn_id, out_trade_no, tender, state, phase, amount_fen," \
	" payer_fen, voucher_fen, settlement_fen, tendered_fen, change_fen," \
	" reference, transaction_id, reason, auth_hash, t0_ms, requests," \
	" reverses, created_at, updated_at, owner"

static int
prepare(struct store *s, const char *sql, sqlite3_stmt **st)
{
	int rc = sqlite3_prepare_v2(store_handle(s), sql, -1, st, NULL);

	if (rc != SQLITE_OK)
		return store_sqlfail(s, sqlite3_extended_errcode(
		    store_handle(s)), "prepare payment statement");
	return QUAN_OK;
}

/* Step a statement that returns no row, then finalize it. */
static int
done(struct store *s, sqlite3_stmt *st, const char *what)
{
	int rc = sqlite3_step(st);

	if (rc != SQLITE_DONE)
		rc = store_sqlfail(s, sqlite3_extended_errcode(
		    store_handle(s)), what);
	else
		rc = QUAN_OK;
	sqlite3_finalize(st);
	return rc;
}

static void
fill(sqlite3_stmt *st, struct store_pay *p)
{
	memset(p, 0, sizeof *p);
	p->id = sqlite3_column_int64(st, 0);
	p->txn_id = sqlite3_column_int64(st, 1);
	col_text(st, 2, p->out_trade_no, sizeof p->out_trade_no);
	col_text(st, 3, p->tender, sizeof p->tender);
	col_text(st, 4, p->state, sizeof p->state);
	col_text(st, 5, p->phase, sizeof p->phase);
	p->amount_fen = sqlite3_column_int64(st, 6);
	p->payer_fen = sqlite3_column_int64(st, 7);
	p->voucher_fen = sqlite3_column_int64(st, 8);
	p->settlement_fen = sqlite3_column_int64(st, 9);
	p->tendered_fen = sqlite3_column_int64(st, 10);
	p->change_fen = sqlite3_column_int64(st, 11);
	col_text(st, 12, p->reference, sizeof p->reference);
	col_text(st, 13, p->transaction_id, sizeof p->transaction_id);
	col_text(st, 14, p->reason, sizeof p->reason);
	col_text(st, 15, p->auth_hash, sizeof p->auth_hash);
	p->t0_ms = sqlite3_column_int64(st, 16);
	p->requests = sqlite3_column_int64(st, 17);
	p->reverses = sqlite3_column_int64(st, 18);
	p->created_at = sqlite3_column_int64(st, 19);
	p->updated_at = sqlite3_column_int64(st, 20);
	p->owner = sqlite3_column_int64(st, 21);
}

/* Bind the columns after id (2..22) in COLS order. */
static void
bind(sqlite3_stmt *st, const struct store_pay *p)
{
	sqlite3_bind_int64(st, 2, p->txn_id);
	sqlite3_bind_text(st, 3, p->out_trade_no, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, p->tender, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 5, p->state, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 6, p->phase, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 7, p->amount_fen);
	sqlite3_bind_int64(st, 8, p->payer_fen);
	sqlite3_bind_int64(st, 9, p->voucher_fen);
	sqlite3_bind_int64(st, 10, p->settlement_fen);
	sqlite3_bind_int64(st, 11, p->tendered_fen);
	sqlite3_bind_int64(st, 12, p->change_fen);
	sqlite3_bind_text(st, 13, p->reference, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 14, p->transaction_id, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 15, p->reason, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 16, p->auth_hash, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 17, p->t0_ms);
	sqlite3_bind_int64(st, 18, p->requests);
	sqlite3_bind_int64(st, 19, p->reverses);
	sqlite3_bind_int64(st, 20, p->created_at);
	sqlite3_bind_int64(st, 21, p->updated_at);
	sqlite3_bind_int64(st, 22, p->owner);
}

int
store_pay_insert(struct store *s, struct store_pay *p)
{
	sqlite3_stmt *st;
	int rc;

	if ((rc = prepare(s, "INSERT INTO payments(" COLS ") VALUES(NULL, ?2,"
	    " ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16,"
	    " ?17, ?18, ?19, ?20, ?21, ?22)", &st)) != 0)
		return rc;
	bind(st, p);
	if ((rc = done(s, st, "insert payment")) == 0)
		p->id = sqlite3_last_insert_rowid(store_handle(s));
	return rc;
}

int
store_pay_update(struct store *s, const struct store_pay *p)
{
	sqlite3_stmt *st;
	int rc;

	if ((rc = prepare(s, "UPDATE payments SET txn_id = ?2,"
	    " out_trade_no = ?3, tender = ?4, state = ?5, phase = ?6,"
	    " amount_fen = ?7, payer_fen = ?8, voucher_fen = ?9,"
	    " settlement_fen = ?10, tendered_fen = ?11, change_fen = ?12,"
	    " reference = ?13, transaction_id = ?14, reason = ?15,"
	    " auth_hash = ?16, t0_ms = ?17, requests = ?18, reverses = ?19,"
	    " created_at = ?20, updated_at = ?21, owner = ?22 WHERE id = ?1",
	    &st)) != 0)
		return rc;
	sqlite3_bind_int64(st, 1, p->id);
	bind(st, p);
	if ((rc = done(s, st, "update payment")) == 0 &&
	    sqlite3_changes(store_handle(s)) == 0)
		rc = QUAN_ENOTFOUND;
	return rc;
}

/* One row of a query with ?1 bound to v, read by fill_fn into out. */
static int
one(struct store *s, const char *sql, int64_t v,
    void (*fill_fn)(sqlite3_stmt *, void *), void *out)
{
	sqlite3_stmt *st;
	int rc;

	if ((rc = prepare(s, sql, &st)) != 0)
		return rc;
	sqlite3_bind_int64(st, 1, v);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		fill_fn(st, out);
		rc = QUAN_OK;
	} else if (rc == SQLITE_DONE) {
		rc = QUAN_ENOTFOUND;
	} else {
		rc = store_sqlfail(s, sqlite3_extended_errcode(
		    store_handle(s)), "read a payment or refund");
	}
	sqlite3_finalize(st);
	return rc;
}

static void
fill_pay(sqlite3_stmt *st, void *p)
{
	fill(st, p);
}

int
store_pay_get(struct store *s, int64_t id, struct store_pay *out)
{
	return one(s, "SELECT " COLS " FROM payments WHERE id = ?1", id,
	    fill_pay, out);
}

int
store_pay_for_txn(struct store *s, int64_t txn_id, struct store_pay *out)
{
	return one(s, "SELECT " COLS " FROM payments WHERE txn_id = ?1"
	    " ORDER BY state IN ('pending','paid','unknown') DESC, id DESC"
	    " LIMIT 1", txn_id, fill_pay, out);
}

int
store_pay_list_txn(struct store *s, int64_t txn_id, store_pay_fn fn,
    void *arg)
{
	sqlite3_stmt *st;
	struct store_pay p;
	int rc;

	if ((rc = prepare(s, "SELECT " COLS ", (SELECT count(*) FROM"
	    " payment_vouchers v WHERE v.payment_id = payments.id)"
	    " FROM payments WHERE txn_id = ?1 ORDER BY id", &st)) != 0)
		return rc;
	sqlite3_bind_int64(st, 1, txn_id);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		fill(st, &p);
		if ((rc = fn(arg, &p, sqlite3_column_int64(st, 22))) != 0) {
			sqlite3_finalize(st);
			return rc;
		}
	}
	rc = rc == SQLITE_DONE ? QUAN_OK : store_sqlfail(s,
	    sqlite3_extended_errcode(store_handle(s)), "list payments");
	sqlite3_finalize(st);
	return rc;
}

int
store_pay_list_open(struct store *s, int64_t *ids, int max, int *n)
{
	sqlite3_stmt *st;
	int rc;

	*n = 0;
	if ((rc = prepare(s, "SELECT id FROM payments WHERE state IN"
	    " ('pending','unknown') ORDER BY id", &st)) != 0)
		return rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW && *n < max)
		ids[(*n)++] = sqlite3_column_int64(st, 0);
	rc = rc == SQLITE_ROW || rc == SQLITE_DONE ? QUAN_OK :
	    store_sqlfail(s, sqlite3_extended_errcode(store_handle(s)),
	    "list open payments");
	sqlite3_finalize(st);
	return rc;
}

int
store_pay_vouchers_put(struct store *s, int64_t pay_id,
    const struct store_pay_voucher *v, int n)
{
	sqlite3_stmt *st;
	int rc, i;

	if ((rc = prepare(s, "DELETE FROM payment_vouchers WHERE"
	    " payment_id = ?1", &st)) != 0)
		return rc;
	sqlite3_bind_int64(st, 1, pay_id);
	if ((rc = done(s, st, "replace vouchers")) != 0)
		return rc;
	for (i = 0; i < n; i++) {
		if ((rc = prepare(s, "INSERT INTO payment_vouchers(payment_id,"
		    " idx, voucher_id, name, type, stock_id, amount_fen)"
		    " VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7)", &st)) != 0)
			return rc;
		sqlite3_bind_int64(st, 1, pay_id);
		sqlite3_bind_int(st, 2, i);
		sqlite3_bind_text(st, 3, v[i].id, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 4, v[i].name, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 5, v[i].type, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 6, v[i].stock_id, -1, SQLITE_STATIC);
		sqlite3_bind_int64(st, 7, v[i].amount_fen);
		if ((rc = done(s, st, "insert voucher")) != 0)
			return rc;
	}
	return QUAN_OK;
}

int
store_pay_vouchers_get(struct store *s, int64_t pay_id,
    struct store_pay_voucher *v, int max, int *n)
{
	sqlite3_stmt *st;
	int rc;

	*n = 0;
	if ((rc = prepare(s, "SELECT idx, voucher_id, name, type, stock_id,"
	    " amount_fen FROM payment_vouchers WHERE payment_id = ?1"
	    " ORDER BY idx", &st)) != 0)
		return rc;
	sqlite3_bind_int64(st, 1, pay_id);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (*n < max) {
			struct store_pay_voucher *x = &v[*n];

			memset(x, 0, sizeof *x);
			x->idx = sqlite3_column_int(st, 0);
			col_text(st, 1, x->id, sizeof x->id);
			col_text(st, 2, x->name, sizeof x->name);
			col_text(st, 3, x->type, sizeof x->type);
			col_text(st, 4, x->stock_id, sizeof x->stock_id);
			x->amount_fen = sqlite3_column_int64(st, 5);
		}
		(*n)++;
	}
	rc = rc == SQLITE_DONE ? QUAN_OK : store_sqlfail(s,
	    sqlite3_extended_errcode(store_handle(s)), "read vouchers");
	sqlite3_finalize(st);
	if (*n > max)
		*n = max;
	return rc;
}

int
store_pay_sums(struct store *s, int64_t from, int64_t to,
    struct store_pay_sums *o)
{
	sqlite3_stmt *st;
	int rc;

	memset(o, 0, sizeof *o);
	if ((rc = prepare(s, "SELECT"
	    " count(*) FILTER (WHERE state = 'paid'),"
	    " count(*) FILTER (WHERE state = 'paid' AND tender = 'wechat'),"
	    " ifnull(sum(amount_fen) FILTER (WHERE state = 'paid' AND"
	    "  tender = 'wechat'), 0),"
	    " ifnull(sum(payer_fen) FILTER (WHERE state = 'paid' AND"
	    "  tender = 'wechat'), 0),"
	    " ifnull(sum(voucher_fen) FILTER (WHERE state = 'paid'), 0),"
	    " count(*) FILTER (WHERE state = 'paid' AND tender = 'cash'),"
	    " ifnull(sum(amount_fen) FILTER (WHERE state = 'paid' AND"
	    "  tender = 'cash'), 0),"
	    " count(*) FILTER (WHERE state = 'paid' AND tender = 'other'),"
	    " ifnull(sum(amount_fen) FILTER (WHERE state = 'paid' AND"
	    "  tender = 'other'), 0),"
	    " count(*) FILTER (WHERE state IN ('failed','reversed')),"
	    " count(*) FILTER (WHERE state IN ('pending','unknown')),"
	    " (SELECT count(*) FROM payment_vouchers v JOIN payments q ON"
	    "  q.id = v.payment_id WHERE q.state = 'paid' AND"
	    "  q.created_at >= ?1 AND q.created_at < ?2)"
	    " FROM payments WHERE created_at >= ?1 AND created_at < ?2",
	    &st)) != 0)
		return rc;
	sqlite3_bind_int64(st, 1, from);
	sqlite3_bind_int64(st, 2, to);
	if ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		o->paid_count = sqlite3_column_int64(st, 0);
		o->wechat_count = sqlite3_column_int64(st, 1);
		o->wechat_fen = sqlite3_column_int64(st, 2);
		o->payer_fen = sqlite3_column_int64(st, 3);
		o->voucher_fen = sqlite3_column_int64(st, 4);
		o->cash_count = sqlite3_column_int64(st, 5);
		o->cash_fen = sqlite3_column_int64(st, 6);
		o->other_count = sqlite3_column_int64(st, 7);
		o->other_fen = sqlite3_column_int64(st, 8);
		o->failed_count = sqlite3_column_int64(st, 9);
		o->unknown_count = sqlite3_column_int64(st, 10);
		o->voucher_count = sqlite3_column_int64(st, 11);
		rc = QUAN_OK;
	} else {
		rc = store_sqlfail(s, sqlite3_extended_errcode(
		    store_handle(s)), "sum payments");
	}
	sqlite3_finalize(st);
	return rc;
}

/* ---- refunds ---------------------------------------------------------- */

const char store_refund_schema[] =
	"CREATE TABLE refunds(id INTEGER PRIMARY KEY,"
	" txn_id INTEGER NOT NULL,"
	" payment_id INTEGER NOT NULL REFERENCES payments(id),"
	" out_refund_no TEXT NOT NULL UNIQUE,"
	" kind TEXT NOT NULL CHECK(kind IN ('void','partial')),"
	" state TEXT NOT NULL CHECK(state IN"
	" ('pending','processing','success','failed','abnormal')),"
	" amount_fen INTEGER NOT NULL CHECK(amount_fen > 0),"
	" total_fen INTEGER NOT NULL, payer_fen INTEGER NOT NULL,"
	" voucher_fen INTEGER NOT NULL, refund_id TEXT NOT NULL,"
	" reason TEXT NOT NULL, approved_by TEXT NOT NULL,"
	" requests INTEGER NOT NULL, next_at INTEGER NOT NULL,"
	" created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL,"
	" owner INTEGER NOT NULL);"
	"CREATE INDEX refunds_txn ON refunds(txn_id);"
	/* one refund under way per payment */
	"CREATE UNIQUE INDEX refunds_open ON refunds(payment_id) WHERE state"
	" IN ('pending','processing');"
	/* never more back than was taken, whatever process asks */
	"CREATE TRIGGER refunds_not_more BEFORE INSERT ON refunds WHEN"
	" NOT EXISTS (SELECT 1 FROM payments WHERE id = NEW.payment_id AND"
	"  state = 'paid' AND txn_id = NEW.txn_id) OR NEW.amount_fen +"
	" (SELECT ifnull(sum(amount_fen), 0) FROM refunds WHERE"
	"  payment_id = NEW.payment_id AND state <> 'failed') >"
	" (SELECT amount_fen FROM payments WHERE id = NEW.payment_id)"
	" BEGIN SELECT RAISE(ABORT, 'refund_more_than_paid'); END;"
	/* a paid sale is voided only once its money is back */
	"CREATE TRIGGER txns_void_paid BEFORE UPDATE OF state ON txns WHEN"
	" NEW.state = 'voided' AND OLD.state <> 'voided' AND EXISTS"
	" (SELECT 1 FROM payments p WHERE p.txn_id = NEW.id AND"
	"  p.state = 'paid' AND p.amount_fen > (SELECT ifnull(sum(amount_fen),"
	"  0) FROM refunds r WHERE r.payment_id = p.id AND"
	"  r.state = 'success'))"
	" BEGIN SELECT RAISE(ABORT, 'paid_sale_not_refunded'); END;";

#define RCOLS "id, txn_id, payment_id, out_refund_no, kind, state," \
	" amount_fen, total_fen, payer_fen, voucher_fen, refund_id, reason," \
	" approved_by, requests, next_at, created_at, updated_at, owner"

static void
rfill(sqlite3_stmt *st, struct store_refund *r)
{
	memset(r, 0, sizeof *r);
	r->id = sqlite3_column_int64(st, 0);
	r->txn_id = sqlite3_column_int64(st, 1);
	r->payment_id = sqlite3_column_int64(st, 2);
	col_text(st, 3, r->out_refund_no, sizeof r->out_refund_no);
	col_text(st, 4, r->kind, sizeof r->kind);
	col_text(st, 5, r->state, sizeof r->state);
	r->amount_fen = sqlite3_column_int64(st, 6);
	r->total_fen = sqlite3_column_int64(st, 7);
	r->payer_fen = sqlite3_column_int64(st, 8);
	r->voucher_fen = sqlite3_column_int64(st, 9);
	col_text(st, 10, r->refund_id, sizeof r->refund_id);
	col_text(st, 11, r->reason, sizeof r->reason);
	col_text(st, 12, r->approved_by, sizeof r->approved_by);
	r->requests = sqlite3_column_int64(st, 13);
	r->next_at = sqlite3_column_int64(st, 14);
	r->created_at = sqlite3_column_int64(st, 15);
	r->updated_at = sqlite3_column_int64(st, 16);
	r->owner = sqlite3_column_int64(st, 17);
}

static void
rbind(sqlite3_stmt *st, const struct store_refund *r)
{
	sqlite3_bind_int64(st, 2, r->txn_id);
	sqlite3_bind_int64(st, 3, r->payment_id);
	sqlite3_bind_text(st, 4, r->out_refund_no, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 5, r->kind, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 6, r->state, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 7, r->amount_fen);
	sqlite3_bind_int64(st, 8, r->total_fen);
	sqlite3_bind_int64(st, 9, r->payer_fen);
	sqlite3_bind_int64(st, 10, r->voucher_fen);
	sqlite3_bind_text(st, 11, r->refund_id, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 12, r->reason, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 13, r->approved_by, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 14, r->requests);
	sqlite3_bind_int64(st, 15, r->next_at);
	sqlite3_bind_int64(st, 16, r->created_at);
	sqlite3_bind_int64(st, 17, r->updated_at);
	sqlite3_bind_int64(st, 18, r->owner);
}

int
store_refund_insert(struct store *s, struct store_refund *r)
{
	sqlite3_stmt *st;
	int rc;

	if ((rc = prepare(s, "INSERT INTO refunds(" RCOLS ") VALUES(NULL,"
	    " ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15,"
	    " ?16, ?17, ?18)", &st)) != 0)
		return rc;
	rbind(st, r);
	if ((rc = done(s, st, "insert refund")) == 0)
		r->id = sqlite3_last_insert_rowid(store_handle(s));
	return rc;
}

int
store_refund_update(struct store *s, const struct store_refund *r)
{
	sqlite3_stmt *st;
	int rc;

	if ((rc = prepare(s, "UPDATE refunds SET txn_id = ?2,"
	    " payment_id = ?3, out_refund_no = ?4, kind = ?5, state = ?6,"
	    " amount_fen = ?7, total_fen = ?8, payer_fen = ?9,"
	    " voucher_fen = ?10, refund_id = ?11, reason = ?12,"
	    " approved_by = ?13, requests = ?14, next_at = ?15,"
	    " created_at = ?16, updated_at = ?17, owner = ?18 WHERE id = ?1",
	    &st)) != 0)
		return rc;
	sqlite3_bind_int64(st, 1, r->id);
	rbind(st, r);
	if ((rc = done(s, st, "update refund")) == 0 &&
	    sqlite3_changes(store_handle(s)) == 0)
		rc = QUAN_ENOTFOUND;
	return rc;
}

static void
fill_refund(sqlite3_stmt *st, void *r)
{
	rfill(st, r);
}

int
store_refund_get(struct store *s, int64_t id, struct store_refund *out)
{
	return one(s, "SELECT " RCOLS " FROM refunds WHERE id = ?1", id,
	    fill_refund, out);
}

int
store_refund_open_of(struct store *s, int64_t payment_id,
    struct store_refund *out)
{
	return one(s, "SELECT " RCOLS " FROM refunds WHERE payment_id = ?1"
	    " AND state IN ('pending','processing')", payment_id, fill_refund,
	    out);
}

int
store_refund_sum(struct store *s, int64_t payment_id, int64_t *live,
    int64_t *done_fen)
{
	sqlite3_stmt *st;
	int rc;

	*live = *done_fen = 0;
	if ((rc = prepare(s, "SELECT ifnull(sum(amount_fen) FILTER (WHERE"
	    " state <> 'failed'), 0), ifnull(sum(amount_fen) FILTER (WHERE"
	    " state = 'success'), 0) FROM refunds WHERE payment_id = ?1",
	    &st)) != 0)
		return rc;
	sqlite3_bind_int64(st, 1, payment_id);
	if ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		*live = sqlite3_column_int64(st, 0);
		*done_fen = sqlite3_column_int64(st, 1);
		rc = QUAN_OK;
	} else {
		rc = store_sqlfail(s, sqlite3_extended_errcode(
		    store_handle(s)), "sum refunds");
	}
	sqlite3_finalize(st);
	return rc;
}

int
store_refund_list_open(struct store *s, int64_t *ids, int max, int *n)
{
	sqlite3_stmt *st;
	int rc;

	*n = 0;
	if ((rc = prepare(s, "SELECT r.id FROM refunds r JOIN txns t ON"
	    " t.id = r.txn_id WHERE r.state IN ('pending','processing') OR"
	    " (r.state = 'success' AND r.kind = 'void' AND"
	    "  t.state <> 'voided') ORDER BY r.id", &st)) != 0)
		return rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW && *n < max)
		ids[(*n)++] = sqlite3_column_int64(st, 0);
	rc = rc == SQLITE_ROW || rc == SQLITE_DONE ? QUAN_OK :
	    store_sqlfail(s, sqlite3_extended_errcode(store_handle(s)),
	    "list open refunds");
	sqlite3_finalize(st);
	return rc;
}

int
store_pay_day(struct store *s, int64_t from, int64_t to,
    int (*fn_pay)(void *arg, const struct store_pay *p),
    int (*fn_refund)(void *arg, const struct store_refund *r,
    const char *out_trade_no), void *arg)
{
	sqlite3_stmt *st;
	struct store_pay p;
	struct store_refund r;
	char otn[33];
	int rc, stop = 0;

	if ((rc = prepare(s, "SELECT " COLS " FROM payments WHERE"
	    " tender = 'wechat' AND created_at >= ?1 AND created_at < ?2"
	    " ORDER BY id", &st)) != 0)
		return rc;
	sqlite3_bind_int64(st, 1, from);
	sqlite3_bind_int64(st, 2, to);
	while (!stop && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		fill(st, &p);
		stop = fn_pay(arg, &p);
	}
	rc = stop ? stop : rc == SQLITE_DONE ? QUAN_OK : store_sqlfail(s,
	    sqlite3_extended_errcode(store_handle(s)), "list payments");
	sqlite3_finalize(st);
	if (rc != 0)
		return rc;
	if ((rc = prepare(s, "SELECT r.id, r.txn_id, r.payment_id,"
	    " r.out_refund_no, r.kind, r.state, r.amount_fen, r.total_fen,"
	    " r.payer_fen, r.voucher_fen, r.refund_id, r.reason,"
	    " r.approved_by, r.requests, r.next_at, r.created_at,"
	    " r.updated_at, r.owner, p.out_trade_no FROM refunds r JOIN"
	    " payments p ON p.id = r.payment_id WHERE p.tender = 'wechat' AND"
	    " r.created_at >= ?1 AND r.created_at < ?2 ORDER BY r.id",
	    &st)) != 0)
		return rc;
	sqlite3_bind_int64(st, 1, from);
	sqlite3_bind_int64(st, 2, to);
	while (!stop && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		rfill(st, &r);
		col_text(st, 18, otn, sizeof otn);
		stop = fn_refund(arg, &r, otn);
	}
	rc = stop ? stop : rc == SQLITE_DONE ? QUAN_OK : store_sqlfail(s,
	    sqlite3_extended_errcode(store_handle(s)), "list refunds");
	sqlite3_finalize(st);
	return rc;
}

/* ---- card coupons held until the sale is paid ------------------------- */

const char store_paycard_schema[] =
	"ALTER TABLE txns ADD COLUMN pay_owner INTEGER NOT NULL DEFAULT 0;"
	"CREATE INDEX txns_unpaid ON txns(opened_at) WHERE state = 'redeemed'"
	" AND pay_owner <> 0;"
	/* the manager's alarm, read by the terminal's status refresh */
	"CREATE INDEX refunds_abnormal ON refunds(state) WHERE"
	" state = 'abnormal';";

int
store_txn_set_pay_owner(struct store *s, int64_t txn_id, int64_t pid)
{
	sqlite3_stmt *st;
	int rc;

	if ((rc = prepare(s, "UPDATE txns SET pay_owner = ?2 WHERE id = ?1",
	    &st)) != 0)
		return rc;
	sqlite3_bind_int64(st, 1, txn_id);
	sqlite3_bind_int64(st, 2, pid);
	return done(s, st, "set the sale's payer");
}

int
store_outbox_release_txn(struct store *s, int64_t txn_id, int64_t now,
    int *n)
{
	sqlite3_stmt *st;
	int rc;

	if (n != NULL)
		*n = 0;
	if ((rc = prepare(s, "UPDATE outbox SET next_at = ?2, updated_at = ?2"
	    " WHERE next_at = ?3 AND state = 'pending' AND op = 'consume' AND"
	    " red_id IN (SELECT id FROM redemptions WHERE txn_id = ?1 AND"
	    " state IN ('confirmed','accepted_offline'))", &st)) != 0)
		return rc;
	sqlite3_bind_int64(st, 1, txn_id);
	sqlite3_bind_int64(st, 2, now);
	sqlite3_bind_int64(st, 3, STORE_OUTBOX_HELD);
	rc = done(s, st, "release the card consumes");
	if (rc == 0 && n != NULL)
		*n = sqlite3_changes(store_handle(s));
	return rc;
}

int
store_outbox_hold(struct store *s, int64_t red_id)
{
	sqlite3_stmt *st;
	int rc;

	if ((rc = prepare(s, "UPDATE outbox SET next_at = ?2 WHERE red_id = ?1"
	    " AND op = 'consume' AND state = 'pending'", &st)) != 0)
		return rc;
	sqlite3_bind_int64(st, 1, red_id);
	sqlite3_bind_int64(st, 2, STORE_OUTBOX_HELD);
	return done(s, st, "hold a card consume");
}

int
store_outbox_held(struct store *s, int64_t red_id)
{
	sqlite3_stmt *st;
	int rc;

	if ((rc = prepare(s, "SELECT 1 FROM outbox WHERE red_id = ?1 AND"
	    " op = 'consume' AND state = 'pending' AND next_at = ?2", &st)) != 0)
		return rc;
	sqlite3_bind_int64(st, 1, red_id);
	sqlite3_bind_int64(st, 2, STORE_OUTBOX_HELD);
	rc = sqlite3_step(st);
	rc = rc == SQLITE_ROW ? 1 : rc == SQLITE_DONE ? 0 :
	    store_sqlfail(s, sqlite3_extended_errcode(store_handle(s)),
	    "held consume lookup");
	sqlite3_finalize(st);
	return rc;
}

int
store_card_consume_of(struct store *s, int64_t red_id, char *state,
    size_t n, int *held)
{
	sqlite3_stmt *st;
	int rc;

	*held = 0;
	if ((rc = prepare(s, "SELECT state, next_at FROM outbox WHERE"
	    " red_id = ?1 AND op = 'consume' ORDER BY id DESC LIMIT 1",
	    &st)) != 0)
		return rc;
	sqlite3_bind_int64(st, 1, red_id);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		col_text(st, 0, state, n);
		*held = sqlite3_column_int64(st, 1) == STORE_OUTBOX_HELD;
		rc = QUAN_OK;
	} else if (rc == SQLITE_DONE)
		rc = QUAN_ENOTFOUND;
	else
		rc = store_sqlfail(s, sqlite3_extended_errcode(
		    store_handle(s)), "card consume lookup");
	sqlite3_finalize(st);
	return rc;
}

int
store_txn_list_unpaid(struct store *s, int64_t before, int64_t *ids,
    int64_t *owners, int max, int *n)
{
	sqlite3_stmt *st;
	int rc;

	*n = 0;
	if ((rc = prepare(s, "SELECT t.id, t.pay_owner FROM txns t WHERE"
	    " t.state = 'redeemed' AND t.pay_owner <> 0 AND t.opened_at < ?1"
	    " AND NOT EXISTS (SELECT 1 FROM payments p WHERE p.txn_id = t.id"
	    " AND p.state IN ('pending','paid','unknown')) ORDER BY t.id",
	    &st)) != 0)
		return rc;
	sqlite3_bind_int64(st, 1, before);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW && *n < max) {
		ids[*n] = sqlite3_column_int64(st, 0);
		owners[(*n)++] = sqlite3_column_int64(st, 1);
	}
	rc = rc == SQLITE_ROW || rc == SQLITE_DONE ? QUAN_OK :
	    store_sqlfail(s, sqlite3_extended_errcode(store_handle(s)),
	    "list unpaid sales");
	sqlite3_finalize(st);
	return rc;
}

int
store_refund_abnormal(struct store *s, int64_t *n, int64_t *fen)
{
	sqlite3_stmt *st;
	int rc;

	*n = *fen = 0;
	if ((rc = prepare(s, "SELECT count(*), ifnull(sum(amount_fen), 0)"
	    " FROM refunds WHERE state = 'abnormal'", &st)) != 0)
		return rc;
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		*n = sqlite3_column_int64(st, 0);
		*fen = sqlite3_column_int64(st, 1);
		rc = QUAN_OK;
	} else
		rc = store_sqlfail(s, sqlite3_extended_errcode(
		    store_handle(s)), "abnormal refunds");
	sqlite3_finalize(st);
	return rc;
}
