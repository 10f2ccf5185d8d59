/*
 * hub_sync.c — one pass of `quan hub sync` (hub_sync.h): the hub's
 * imports into the till's cache, the till's redemptions to the hub
 * (claims follow their state; what was granted while the hub was down is
 * claimed now), and the hub's conflicts naming this lane into the
 * till's journal; 商品券 coupons this lane's callback receiver was sent
 * and confirmed go to the hub as a 'product' import, which every lane
 * applies forward only. Each step keeps its cursor in the till's meta table,
 * written after the hub committed, so a pass cut off anywhere is redone,
 * never skipped (every hub statement is idempotent).
 */
#include <inttypes.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/import.h"
#include "core/pcoupon_import.h"
#include "core/journal.h"
#include "core/ledger.h"
#include "hub/hub.h"
#include "hub/hub_sync.h"
#include "store/store.h"
#include "store/store_pay.h"
#include "store/store_pcoupon.h"
#include "util/err.h"
#include "util/log.h"
#include "util/str.h"
#include "util/xmem.h"

#define BATCH 200

static int64_t
meta_i64(struct store *st, const char *key)
{
	char v[32] = "";

	if (store_meta_get(st, key, v, sizeof v) != 0)
		return 0;
	return strtoll(v, NULL, 10);
}

static int
meta_put(struct store *st, const char *key, int64_t v)
{
	char s[32];
	int rc;

	snprintf(s, sizeof s, "%" PRId64, v);
	if ((rc = store_begin(st)) != 0)
		return rc;
	if ((rc = store_meta_set(st, key, s)) != 0 ||
	    (rc = store_commit(st)) != 0)
		store_rollback(st);
	return rc;
}

/* --- imports ------------------------------------------------------------ */

struct imp {
	struct store *st;
	const char *data_dir;
	int64_t now;
	int64_t version;       /* the last applied */
	int64_t n;
	char **cause;
};

static int
apply_import(void *arg, enum hub_list l, int64_t version, const char *data,
    size_t len)
{
	struct imp *x = arg;
	char path[4096], name[64];
	FILE *fp;
	int64_t n = 0;
	int rc, fd;

	snprintf(name, sizeof name, "hub %s version %" PRId64,
	    hub_list_name(l), version);
	if (l == HUB_LIST_PRODUCT) {
		struct pc_import_counts k;

		rc = import_product_text(x->st, data, len, name, x->now,
		    PC_IMPORT_FORWARD, &k, x->cause);
		n = k.products + k.stocks + k.coupons;
	} else if (l == HUB_LIST_CODES) {
		if ((fp = fmemopen((void *)data, len, "r")) == NULL)
			return QUAN_ENOMEM;
		rc = import_codes(x->st, fp, name, x->now, &n, NULL, x->cause);
		fclose(fp);
	} else {
		/* the JSON importers read a file: a private one in the
		 * data dir (0700), removed at once */
		snprintf(path, sizeof path, "%s/hub-import-XXXXXX",
		    x->data_dir);
		if ((fd = mkstemp(path)) < 0)
			return QUAN_EIO;
		rc = write(fd, data, len) == (ssize_t)len ? 0 : QUAN_EIO;
		close(fd);
		if (rc == 0)
			rc = (l == HUB_LIST_STOCKS ? import_stocks :
			    import_cards)(x->st, path, x->now, &n, x->cause);
		unlink(path);
	}
	if (rc != 0) {
		if (*x->cause == NULL)
			*x->cause = xasprintf("%s: %s", name,
			    quan_strerror(rc));
		return rc;
	}
	x->n += n;
	x->version = version;
	log_info("hub: %s applied (%" PRId64 ")", name, n);
	return QUAN_OK;
}

static int
pull_imports(struct hub *h, struct store *st, const char *data_dir,
    int64_t now, struct hub_sync_counts *c, char **cause)
{
	static const char *keys[] = {"hub_import_stocks", "hub_import_cards",
	    "hub_import_codes", "hub_import_product"};
	/* stocks and cards before the codes that name them */
	static const enum hub_list order[] = {HUB_LIST_STOCKS,
	    HUB_LIST_CARDS, HUB_LIST_PRODUCT, HUB_LIST_CODES};
	struct imp x;
	size_t i;
	int l, rc, rc2;

	for (i = 0; i < sizeof order / sizeof order[0]; i++) {
		l = (int)order[i];
		memset(&x, 0, sizeof x);
		x.st = st;
		x.data_dir = data_dir;
		x.now = now;
		x.cause = cause;
		x.version = meta_i64(st, keys[l]);
		rc = hub_import_newer(h, (enum hub_list)l, x.version,
		    apply_import, &x, cause);
		c->imported += x.n;
		/* what was applied stays applied, also when a later one
		 * failed */
		if ((rc2 = meta_put(st, keys[l], x.version)) != 0 && rc == 0)
			rc = rc2;
		if (rc != 0)
			return rc;
	}
	return QUAN_OK;
}

/* --- push --------------------------------------------------------------- */

struct push {
	struct hub_row rows[BATCH];
	size_t n;
	int64_t last;
};

static int
take_row(void *arg, const struct store_red *r, int64_t seq)
{
	struct push *p = arg;
	struct hub_row *h = &p->rows[p->n];

	if (r->idem_key[0] == '\0') {
		p->last = seq; /* refused at pricing: never claimed */
		return QUAN_OK;
	}
	memset(h, 0, sizeof *h);
	h->seq = seq;
	h->txn_id = r->txn_id;
	str_copy(h->code, sizeof h->code, r->code);
	str_copy(h->kind, sizeof h->kind, store_kind_name(r->kind));
	str_copy(h->request_no, sizeof h->request_no, r->idem_key);
	str_copy(h->state, sizeof h->state, checkout_cstate_name(r->state));
	str_copy(h->reason, sizeof h->reason, r->reason);
	h->discount_fen = r->discount_fen;
	h->offline_at = r->offline_at;
	h->created_at = r->created_at;
	h->updated_at = r->updated_at;
	p->last = seq;
	p->n++;
	return QUAN_OK;
}

static int
count_clash(void *arg, const struct hub_clash *c)
{
	struct hub_sync_counts *k = arg;

	log_warn("hub: %s was granted here (%s) and held by lane %s (%s): "
	    "conflict recorded at the hub", c->code, c->our_request_no,
	    c->holder_terminal, c->holder_request_no);
	k->clashes++;
	return QUAN_OK;
}

static int
push_rows(struct hub *h, struct store *st, const struct config_hub_ids *id,
    struct hub_sync_counts *c, char **cause)
{
	struct push *p = xcalloc(1, sizeof *p);
	int64_t cur = meta_i64(st, "hub_seq");
	int rc, got;

	for (;;) {
		p->n = 0;
		p->last = cur;
		if ((got = store_red_changed(st, cur, BATCH, take_row,
		    p)) < 0) {
			rc = got;
			*cause = xasprintf("store: %s", store_errmsg(st));
			break;
		}
		if (got == 0) {
			rc = QUAN_OK;
			break;
		}
		rc = hub_push_batch(h, id->store_id, id->terminal, p->rows,
		    p->n, count_clash, c, cause);
		if (rc == QUAN_EFULL) {
			/* too many clashes for one batch: what was pushed
			 * is pushed again next pass (idempotent) */
			rc = QUAN_OK;
			break;
		}
		if (rc != 0)
			break;
		c->pushed += (int64_t)p->n;
		cur = p->last;
		if ((rc = meta_put(st, "hub_seq", cur)) != 0)
			break;
		if (got < BATCH)
			break;
	}
	free(p);
	return rc;
}

/* --- sales, payments, journal head ------------------------------------- */

#define PAYS_MAX (BATCH * 4)

struct sales {
	struct hub_sale s[BATCH];
	struct hub_payment p[PAYS_MAX];
	size_t ns, np;
	int64_t last;
	int full;                /* more payments than fit: the rest next */
};

static int
take_pay(void *arg, const struct store_pay *sp, int64_t lines)
{
	struct sales *x = arg;
	struct hub_payment *p;

	if (x->np == PAYS_MAX)
		return QUAN_EFULL;
	p = &x->p[x->np++];
	memset(p, 0, sizeof *p);
	str_copy(p->out_trade_no, sizeof p->out_trade_no, sp->out_trade_no);
	p->txn_id = sp->txn_id;
	str_copy(p->tender, sizeof p->tender, sp->tender);
	str_copy(p->state, sizeof p->state, sp->state);
	p->amount_fen = sp->amount_fen;
	p->payer_fen = sp->payer_fen;
	p->voucher_fen = sp->voucher_fen;
	p->voucher_lines = lines;
	p->created_at = sp->created_at;
	p->updated_at = sp->updated_at;
	return QUAN_OK;
}

struct take_ctx {
	struct sales *x;
	struct store *st;
};

static int
take_sale(void *arg, const struct store_txn_change *c)
{
	struct take_ctx *k = arg;
	struct sales *x = k->x;
	struct hub_sale *s;
	size_t np = x->np;
	int rc;

	if (x->full)
		return QUAN_OK;
	if ((rc = store_pay_list_txn(k->st, c->t.id, take_pay, x)) != 0) {
		if (rc != QUAN_EFULL || x->ns == 0)
			return rc;
		/* this sale's payments do not fit: it goes next batch */
		x->np = np;
		x->full = 1;
		return QUAN_OK;
	}
	s = &x->s[x->ns++];
	memset(s, 0, sizeof *s);
	s->txn_id = c->t.id;
	str_copy(s->state, sizeof s->state, txn_state_name(c->t.state));
	str_copy(s->cashier, sizeof s->cashier, c->t.cashier);
	s->amount_fen = c->t.amount_fen;
	s->discount_fen = c->t.discount_fen;
	s->due_fen = c->t.due_fen;
	s->opened_at = c->t.opened_at;
	s->closed_at = c->t.closed_at;
	s->voided_at = c->voided_at;
	str_copy(s->voided_by, sizeof s->voided_by, c->voided_by);
	x->last = c->seq;
	return QUAN_OK;
}

static int
push_sales(struct hub *h, struct store *st, const struct config_hub_ids *id,
    int64_t now, struct hub_sync_counts *c, char **cause)
{
	struct sales *x = xcalloc(1, sizeof *x);
	struct take_ctx k = {x, st};
	struct hub_head head;
	int64_t cur = meta_i64(st, "hub_txn_seq");
	int rc, got;

	for (;;) {
		x->ns = x->np = 0;
		x->full = 0;
		x->last = cur;
		memset(&head, 0, sizeof head);
		/* the head after the sales: every sale pushed with it is at
		 * or before it in the journal */
		if ((got = store_txn_changed(st, cur, BATCH, take_sale,
		    &k)) < 0 || (rc = store_journal_last(st, &head.seq,
		    head.hash)) != 0) {
			rc = got < 0 ? got : rc;
			*cause = xasprintf("store: %s", store_errmsg(st));
			break;
		}
		head.at = now;
		if ((rc = hub_push_sales(h, id->store_id, id->terminal, x->s,
		    x->ns, x->p, x->np, &head, cause)) != 0)
			break;
		c->sales += (int64_t)x->ns;
		if (x->ns == 0)
			break;
		cur = x->last;
		if ((rc = meta_put(st, "hub_txn_seq", cur)) != 0)
			break;
		if (got < BATCH && !x->full)
			break;
	}
	free(x);
	return rc;
}

/* --- conflicts into the till's journal --------------------------------- */

struct jx {
	struct store *st;
	const char *terminal;
	int64_t now, last, n;
};

static int
journal_clash(void *arg, const struct hub_clash *c)
{
	struct jx *x = arg;
	char m[64];
	json_t *d;
	int rc;

	/* masked, as every code in the journal */
	ledger_mask(c->code, m, sizeof m);
	d = json_pack("{s:I, s:s, s:s, s:s, s:s, s:s}", "hub_conflict",
	    (json_int_t)c->id, "code", m, "holder_lane",
	    c->holder_terminal, "holder_request_no", c->holder_request_no,
	    "lane", c->our_terminal, "request_no", c->our_request_no);
	if ((rc = store_begin(x->st)) != 0) {
		json_decref(d);
		return rc;
	}
	rc = journal_append(x->st, x->now, "hub_conflict", 0, 0, d);
	json_decref(d);
	if (rc == 0) {
		char v[32];

		snprintf(v, sizeof v, "%" PRId64, c->id);
		rc = store_meta_set(x->st, "hub_conflict", v);
	}
	if (rc != 0 || (rc = store_commit(x->st)) != 0) {
		store_rollback(x->st);
		return rc;
	}
	x->last = c->id;
	x->n++;
	return QUAN_OK;
}

/* --- 商品券 registry rows to the other lanes ----------------------------- */

static int
pc_cursor(struct store *st, struct store_pc_key *k)
{
	memset(k, 0, sizeof *k);
	k->confirmed_at = meta_i64(st, "hub_pc_at");
	if (store_meta_get(st, "hub_pc_code", k->code, sizeof k->code) != 0)
		k->code[0] = '\0';
	if (store_meta_get(st, "hub_pc_stock", k->stock_id,
	    sizeof k->stock_id) != 0)
		k->stock_id[0] = '\0';
	return QUAN_OK;
}

static int
pc_cursor_put(struct store *st, const struct pc_coupon *last)
{
	char at[32];
	int rc;

	snprintf(at, sizeof at, "%" PRId64, last->confirmed_at);
	if ((rc = store_begin(st)) != 0)
		return rc;
	if ((rc = store_meta_set(st, "hub_pc_at", at)) != 0 ||
	    (rc = store_meta_set(st, "hub_pc_code", last->code)) != 0 ||
	    (rc = store_meta_set(st, "hub_pc_stock", last->stock_id)) != 0 ||
	    (rc = store_commit(st)) != 0)
		store_rollback(st);
	return rc;
}

static int
push_registry(struct hub *h, struct store *st, struct hub_sync_counts *c,
    char **cause)
{
	struct pc_coupon *rows = xcalloc(BATCH, sizeof *rows);
	struct store_pc_key k;
	int64_t version;
	char *doc;
	int n = 0, rc;

	pc_cursor(st, &k);
	do {
		if ((rc = store_pc_confirmed_after(st, &k, rows, BATCH,
		    &n)) != 0) {
			*cause = xasprintf("registry: %s", store_errmsg(st));
			break;
		}
		if (n == 0)
			break;
		if ((doc = pc_coupons_export(rows, (size_t)n)) == NULL) {
			rc = QUAN_ENOMEM;
			break;
		}
		/* stored at the hub first, then the cursor: a pass cut off
		 * in between sends the rows again, which every lane applies
		 * forward only (harmless) */
		rc = hub_import_put(h, HUB_LIST_PRODUCT, doc, strlen(doc),
		    &version, cause);
		free(doc);
		if (rc != 0 || (rc = pc_cursor_put(st, &rows[n - 1])) != 0)
			break;
		c->registry += n;
		k.confirmed_at = rows[n - 1].confirmed_at;
		str_copy(k.code, sizeof k.code, rows[n - 1].code);
		str_copy(k.stock_id, sizeof k.stock_id, rows[n - 1].stock_id);
		log_info("hub: %d product coupon registry rows passed on ("
		    "version %" PRId64 ")", n, version);
	} while (n == BATCH);
	free(rows);
	return rc;
}

int
hub_sync_pass(struct hub *h, struct store *st, const char *data_dir,
    const struct config_hub_ids *id, int64_t now, struct hub_sync_counts *c,
    char **cause)
{
	struct jx x;
	int rc;

	memset(c, 0, sizeof *c);
	if ((rc = pull_imports(h, st, data_dir, now, c, cause)) != 0)
		return rc;
	if ((rc = push_rows(h, st, id, c, cause)) != 0)
		return rc;
	if ((rc = push_sales(h, st, id, now, c, cause)) != 0)
		return rc;
	if ((rc = push_registry(h, st, c, cause)) != 0)
		return rc;
	memset(&x, 0, sizeof x);
	x.st = st;
	x.terminal = id->terminal;
	x.now = now;
	rc = hub_conflicts_since(h, id->terminal, meta_i64(st,
	    "hub_conflict"), journal_clash, &x, cause);
	c->conflicts = x.n;
	return rc;
}
