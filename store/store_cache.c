/*
 * store_cache.c — what quan keeps of WeChat's definitions (stocks of
 * merchant coupons, member cards, as fetched) and the codes it received.
 */
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/store.h"
#include "store/store_int.h"
#include "util/buf.h"
#include "util/err.h"
#include "util/log.h"
#include "util/xmem.h"

/* --- definitions --------------------------------------------------- */

static int
def_put(struct store *s, enum stmt_id q, const struct store_def *d)
{
	sqlite3_stmt *st = NULL;
	int rc;

	if ((rc = store_prep(s, q, &st)) != 0)
		return rc;
	bt(st, 1, d->id);
	bt(st, 2, d->raw);
	bt(st, 3, d->type);
	bt(st, 4, d->state);
	bt(st, 5, d->name);
	bi(st, 6, d->fetched_at);
	return store_run(s, st, "write definition");
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

	if ((rc = store_prep(s, q, &st)) != 0)
		return rc;
	bt(st, 1, id);
	if ((rc = store_step_one(s, st, "read definition")) != 0)
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

int
store_cache_stats(struct store *s, struct store_cache_stats *out)
{
	int rc;

	memset(out, 0, sizeof *out);
	if ((rc = store_one_row(s, Q_STATS_STOCKS, &out->stocks,
	    &out->oldest_stock)) != 0)
		return rc;
	if ((rc = store_one_row(s, Q_STATS_CARDS, &out->cards,
	    &out->oldest_card)) != 0)
		return rc;
	return store_one_row(s, Q_STATS_CODES, &out->codes, NULL);
}

int
store_def_oldest(struct store *s, int64_t *stock, int64_t *card)
{
	return store_one_row(s, Q_DEF_OLDEST, stock, card);
}

int
store_def_list(struct store *s, store_def_fn fn, void *arg)
{
	sqlite3_stmt *st = NULL;
	struct store_def d;
	int rc, r;

	if ((rc = store_prep(s, Q_DEF_LIST, &st)) != 0)
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
	    store_sqlfail(s, sqlite3_extended_errcode(s->db),
	    "list definitions");
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

	if ((rc = store_prep(s, Q_CODE_PUT, &st)) != 0)
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
	return store_run(s, st, "write code");
}

int
store_code_get(struct store *s, const char *code, struct store_code *out)
{
	sqlite3_stmt *st = NULL;
	int rc;

	if ((rc = store_prep(s, Q_CODE_GET, &st)) != 0)
		return rc;
	sqlite3_bind_text(st, 1, code, -1, SQLITE_STATIC);
	if ((rc = store_step_one(s, st, "read code")) != 0)
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

	if ((rc = store_prep(s, Q_CODE_STATE, &st)) != 0)
		return rc;
	bt(st, 1, code);
	bi(st, 2, kind);
	bt(st, 3, state);
	return store_run(s, st, "update code");
}
