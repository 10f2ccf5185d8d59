/*
 * hub_sales.c — a till's sales, their payments and its journal head
 * pushed to the store hub (hub.h), for the chain view: headquarters gets
 * them through the publication quan_chain. Every statement is an upsert
 * by key, so a pass cut off anywhere is simply pushed again.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "hub/hub_int.h"
#include "util/err.h"

static const char sale_sql[] =
    "INSERT INTO sales(store_id, terminal, txn_id, state, cashier,"
    " amount_fen, discount_fen, due_fen, opened_at, closed_at, voided_at,"
    " voided_by) VALUES($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12)"
    " ON CONFLICT (store_id, terminal, txn_id) DO UPDATE SET"
    " state = EXCLUDED.state, amount_fen = EXCLUDED.amount_fen,"
    " discount_fen = EXCLUDED.discount_fen, due_fen = EXCLUDED.due_fen,"
    " closed_at = EXCLUDED.closed_at, voided_at = EXCLUDED.voided_at,"
    " voided_by = EXCLUDED.voided_by";

static const char pay_sql[] =
    "INSERT INTO payments(store_id, terminal, out_trade_no, txn_id, tender,"
    " state, amount_fen, payer_fen, voucher_fen, voucher_lines,"
    " created_at, updated_at) VALUES($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,"
    "$12) ON CONFLICT (store_id, terminal, out_trade_no) DO UPDATE SET"
    " state = EXCLUDED.state, payer_fen = EXCLUDED.payer_fen,"
    " voucher_fen = EXCLUDED.voucher_fen,"
    " voucher_lines = EXCLUDED.voucher_lines,"
    " updated_at = EXCLUDED.updated_at";

/* a head only moves forward: a replayed older pass cannot take it back */
static const char head_sql[] =
    "INSERT INTO journal_heads(store_id, terminal, seq, hash, at)"
    " VALUES($1,$2,$3,$4,$5) ON CONFLICT (store_id, terminal) DO UPDATE"
    " SET seq = EXCLUDED.seq, hash = EXCLUDED.hash, at = EXCLUDED.at"
    " WHERE journal_heads.seq <= EXCLUDED.seq";

#define I64(buf, v) (snprintf((buf), sizeof (buf), "%" PRId64, (v)), (buf))

static int
run(struct hub *h, const char *sql, int n, const char *const *v,
    char **cause)
{
	PGresult *res;
	int rc;

	if ((rc = hub_q(h, sql, n, v, 0, &res, cause)) != 0)
		return rc;
	PQclear(res);
	return QUAN_OK;
}

static int
put_sale(struct hub *h, const char *store_id, const char *terminal,
    const struct hub_sale *s, char **cause)
{
	char n[7][24];
	const char *v[12] = {store_id, terminal, I64(n[0], s->txn_id),
	    s->state, s->cashier, I64(n[1], s->amount_fen),
	    I64(n[2], s->discount_fen), I64(n[3], s->due_fen),
	    I64(n[4], s->opened_at), I64(n[5], s->closed_at),
	    I64(n[6], s->voided_at), s->voided_by};

	return run(h, sale_sql, 12, v, cause);
}

static int
put_payment(struct hub *h, const char *store_id, const char *terminal,
    const struct hub_payment *p, char **cause)
{
	char n[7][24];
	const char *v[12] = {store_id, terminal, p->out_trade_no,
	    I64(n[0], p->txn_id), p->tender, p->state,
	    I64(n[1], p->amount_fen), I64(n[2], p->payer_fen),
	    I64(n[3], p->voucher_fen), I64(n[4], p->voucher_lines),
	    I64(n[5], p->created_at), I64(n[6], p->updated_at)};

	return run(h, pay_sql, 12, v, cause);
}

int
hub_push_sales(struct hub *h, const char *store_id, const char *terminal,
    const struct hub_sale *s, size_t ns, const struct hub_payment *p,
    size_t np, const struct hub_head *head, char **cause)
{
	size_t i;
	int rc;

	if ((rc = hub_exec(h, "BEGIN", cause)) != 0)
		return rc;
	for (i = 0; i < ns; i++)
		if ((rc = put_sale(h, store_id, terminal, &s[i], cause)) != 0)
			goto bad;
	for (i = 0; i < np; i++)
		if ((rc = put_payment(h, store_id, terminal, &p[i],
		    cause)) != 0)
			goto bad;
	if (head != NULL && head->seq > 0) {
		char n[2][24];
		const char *v[5] = {store_id, terminal, I64(n[0], head->seq),
		    head->hash, I64(n[1], head->at)};

		if ((rc = run(h, head_sql, 5, v, cause)) != 0)
			goto bad;
	}
	return hub_exec(h, "COMMIT", cause);
bad:
	hub_rollback(h);
	return rc;
}
