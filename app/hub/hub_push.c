/*
 * hub_push.c — a till's redemptions pushed to the hub as they are now
 * (hub.h): claims follow the redemption's final state, what a till
 * granted while the hub was down is claimed after the fact, and a code
 * found held live by two lanes becomes a conflict row at the hub.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/coupon.h"
#include "hub/hub_int.h"
#include "util/err.h"
#include "util/str.h"
#include "util/xmem.h"

/* The claim state a till state stands for: NULL = released. A pending
 * row is being decided and an unknown one was sent, not granted: both
 * hold the code (claimed), as do return_pending and conflict rows, which
 * WeChat may still count as used (granted). */
static const char *
claim_state(const char *st)
{
	switch (checkout_cstate_parse(st)) {
	case CHECKOUT_PENDING:
	case CHECKOUT_UNKNOWN:
		return "claimed";
	case CHECKOUT_REJECTED:
	case CHECKOUT_RETURNED:
		return NULL;
	default:
		return "granted";
	}
}

static const char row_sql[] =
    "INSERT INTO redemptions(store_id, request_no, terminal, txn_id, code,"
    " kind, state, reason, discount_fen, offline_at, created_at,"
    " updated_at) VALUES($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12)"
    " ON CONFLICT (store_id, request_no) DO UPDATE SET"
    " state = EXCLUDED.state, reason = EXCLUDED.reason,"
    " discount_fen = EXCLUDED.discount_fen,"
    " offline_at = EXCLUDED.offline_at, updated_at = EXCLUDED.updated_at";

static int
put_row(struct hub *h, const char *store_id, const char *terminal,
    const struct hub_row *r, char **cause)
{
	char n[5][24];
	const char *v[12];
	PGresult *res;
	int rc;

	snprintf(n[0], sizeof n[0], "%" PRId64, r->txn_id);
	snprintf(n[1], sizeof n[1], "%" PRId64, r->discount_fen);
	snprintf(n[2], sizeof n[2], "%" PRId64, r->offline_at);
	snprintf(n[3], sizeof n[3], "%" PRId64, r->created_at);
	snprintf(n[4], sizeof n[4], "%" PRId64, r->updated_at);
	v[0] = store_id;
	v[1] = r->request_no;
	v[2] = terminal;
	v[3] = n[0];
	v[4] = r->code;
	v[5] = r->kind;
	v[6] = r->state;
	v[7] = r->reason;
	v[8] = n[1];
	v[9] = n[2];
	v[10] = n[3];
	v[11] = n[4];
	if ((rc = hub_q(h, row_sql, 12, v, 0, &res, cause)) != 0)
		return rc;
	PQclear(res);
	return QUAN_OK;
}

static int
release(struct hub *h, const struct hub_row *r, char **cause)
{
	const char *v[2] = {r->code, r->request_no};
	PGresult *res;
	int rc;

	if ((rc = hub_q(h, "UPDATE claims SET state = 'released', updated_at"
	    " = now() WHERE code = $1 AND request_no = $2 AND state <>"
	    " 'released'", 2, v, 0, &res, cause)) != 0)
		return rc;
	PQclear(res);
	return QUAN_OK;
}

/* Record a clash once; *fresh = 1 when this call recorded it. */
static int
clash(struct hub *h, const char *store_id, struct hub_clash *c, int *fresh,
    char **cause)
{
	const char *v[6];
	PGresult *res;
	int rc;

	v[0] = store_id;
	v[1] = c->code;
	v[2] = c->holder_terminal;
	v[3] = c->holder_request_no;
	v[4] = c->our_terminal;
	v[5] = c->our_request_no;
	if ((rc = hub_q(h, "INSERT INTO conflicts(store_id, code,"
	    " holder_terminal, holder_request_no, terminal, request_no)"
	    " VALUES($1,$2,$3,$4,$5,$6) ON CONFLICT DO NOTHING RETURNING id",
	    6, v, 1, &res, cause)) != 0)
		return rc;
	*fresh = PQntuples(res) > 0;
	if (*fresh)
		c->id = strtoll(PQgetvalue(res, 0, 0), NULL, 10);
	PQclear(res);
	return QUAN_OK;
}

int
hub_push_batch(struct hub *h, const char *store_id, const char *terminal,
    const struct hub_row *rows, size_t n, hub_clash_fn fn, void *arg,
    char **cause)
{
	struct hub_clash found[64];
	size_t i, nfound = 0, k;
	int rc, fresh;

	if ((rc = hub_exec(h, "BEGIN", cause)) != 0)
		return rc;
	for (i = 0; i < n; i++) {
		const struct hub_row *r = &rows[i];
		const char *cs = claim_state(r->state);

		if ((rc = put_row(h, store_id, terminal, r, cause)) != 0)
			goto bad;
		if (cs == NULL) {
			if ((rc = release(h, r, cause)) != 0)
				goto bad;
			continue;
		}
		{
			struct hub_job j;
			struct hub_answer a;
			struct hub_clash *c;

			memset(&j, 0, sizeof j);
			memset(&a, 0, sizeof a);
			str_copy(j.code, sizeof j.code, r->code);
			str_copy(j.kind, sizeof j.kind, r->kind);
			str_copy(j.store_id, sizeof j.store_id, store_id);
			str_copy(j.terminal, sizeof j.terminal, terminal);
			str_copy(j.request_no, sizeof j.request_no,
			    r->request_no);
			j.txn_id = r->txn_id;
			if ((rc = hub_claim_as(h, &j, cs, &a, cause)) != 0)
				goto bad;
			if (a.verdict == HUB_V_CLAIMED)
				continue;
			if (nfound == sizeof found / sizeof found[0])
				break; /* the rest in the next batch */
			c = &found[nfound];
			memset(c, 0, sizeof *c);
			str_copy(c->code, sizeof c->code, r->code);
			str_copy(c->holder_terminal, sizeof
			    c->holder_terminal, a.terminal);
			str_copy(c->holder_request_no, sizeof
			    c->holder_request_no, a.request_no);
			str_copy(c->our_terminal, sizeof c->our_terminal,
			    terminal);
			str_copy(c->our_request_no, sizeof
			    c->our_request_no, r->request_no);
			if ((rc = clash(h, store_id, c, &fresh, cause)) != 0)
				goto bad;
			if (fresh)
				nfound++;
		}
	}
	if ((rc = hub_exec(h, "COMMIT", cause)) != 0)
		return rc;
	/* told after the commit: what fn records locally is at the hub */
	for (k = 0; k < nfound; k++)
		if ((rc = fn(arg, &found[k])) != 0)
			return rc;
	return i < n ? QUAN_EFULL : QUAN_OK;
bad:
	hub_rollback(h);
	return rc;
}

int
hub_conflicts_since(struct hub *h, const char *terminal, int64_t after,
    hub_clash_fn fn, void *arg, char **cause)
{
	char a[24];
	const char *v[2];
	struct hub_clash c;
	PGresult *res;
	int rc, i;

	snprintf(a, sizeof a, "%" PRId64, after);
	v[0] = terminal;
	v[1] = a;
	if ((rc = hub_q(h, "SELECT id, code, holder_terminal,"
	    " holder_request_no, terminal, request_no FROM conflicts"
	    " WHERE id > $2 AND (holder_terminal = $1 OR terminal = $1)"
	    " ORDER BY id", 2, v, 1, &res, cause)) != 0)
		return rc;
	for (i = 0; rc == 0 && i < PQntuples(res); i++) {
		memset(&c, 0, sizeof c);
		c.id = strtoll(PQgetvalue(res, i, 0), NULL, 10);
		str_copy(c.code, sizeof c.code, PQgetvalue(res, i, 1));
		str_copy(c.holder_terminal, sizeof c.holder_terminal,
		    PQgetvalue(res, i, 2));
		str_copy(c.holder_request_no, sizeof c.holder_request_no,
		    PQgetvalue(res, i, 3));
		str_copy(c.our_terminal, sizeof c.our_terminal,
		    PQgetvalue(res, i, 4));
		str_copy(c.our_request_no, sizeof c.our_request_no,
		    PQgetvalue(res, i, 5));
		rc = fn(arg, &c);
	}
	PQclear(res);
	return rc;
}
