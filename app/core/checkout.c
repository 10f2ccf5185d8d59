/*
 * checkout.c — the checkout engine behind checkout.h: basket, pricing via
 * the rules module, the two-commit redeem (rows + keys first, decisions
 * second), the offline policy, void, recovery of interrupted redeems.
 */
#include <inttypes.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/checkout.h"
#include "core/journal.h"
#include "core/ledger.h"
#include "store/store.h"
#include "util/config.h"
#include "util/err.h"
#include "util/log.h"
#include "util/money.h"
#include "util/tm.h"
#include "util/xmem.h"

#define DEF_SLOTS 32

struct defslot {
	int used;
	enum store_kind kind;
	char id[RULES_ID_MAX + 1];
	int rc;                    /* 0 ok, QUAN_ENOTFOUND, QUAN_EINVAL */
	int64_t fetched_at;
	struct rules_def def;
};

/* Per-line data the published struct does not carry. */
struct lpriv {
	int slot;                  /* def slot, -1 none */
	int known;                 /* the code cache knows it (right kind) */
	char code_state[STORE_STATE_MAX];
	struct rules_coupon cp;
};

struct checkout {
	struct checkout_opts o;
	struct classify *cls;
	struct checkout_txn cur;
	struct lpriv lp[CHECKOUT_LINES_MAX];
	struct defslot defs[DEF_SLOTS];
	int next_slot;
	char cashier[32];            /* stamped on every txn opened */
};

/* Bounded string copy (truncates; always terminates). */
static void
scopy(char *d, size_t n, const char *s)
{
	size_t l = strnlen(s, n - 1);

	memcpy(d, s, l);
	d[l] = '\0';
}

static int64_t
now_of(const struct checkout *co)
{
	return co->o.now != NULL ? co->o.now(co->o.now_arg) : tm_now();
}

int
checkout_lookup(void *arg, const char *code, struct classify_hit *hit)
{
	struct checkout *co = arg;
	struct store_code c;
	int rc;

	if (strlen(code) > STORE_CODE_MAX)
		return 0;
	rc = store_code_get(co->o.st, code, &c);
	if (rc == QUAN_ENOTFOUND)
		return 0;
	if (rc != 0)
		return rc;
	hit->kind = c.kind == STORE_CARD ? CLASSIFY_CARD : CLASSIFY_MERCHANT;
	scopy(hit->id, sizeof hit->id, c.target);
	return 1;
}

const struct classify *
checkout_classifier(const struct checkout *co)
{
	return co->cls;
}

int
checkout_new(const struct checkout_opts *opts, struct checkout **out,
    char **cause)
{
	struct checkout *co;
	struct classify_pattern *p = NULL;
	const struct config *cfg = opts->cfg;
	int i, n = 0, rc;

	co = xcalloc(1, sizeof *co);
	co->o = *opts;
	if (cfg->ntargets > 0)
		p = xcalloc((size_t)cfg->ntargets, sizeof *p);
	for (i = 0; i < cfg->ntargets; i++) {
		const struct config_target *t = &cfg->targets[i];

		if (t->prefix[0] == '\0' && t->min_len == 0 &&
		    t->max_len == 0)
			continue; /* no pattern: cache/format only */
		p[n].kind = t->kind == CONFIG_CARD ? CLASSIFY_CARD :
		    CLASSIFY_MERCHANT;
		p[n].id = t->id;
		p[n].prefix = t->prefix;
		p[n].min_len = t->min_len;
		p[n].max_len = t->max_len;
		p[n].charset = t->charset == CONFIG_CHARSET_DIGITS ?
		    CLASSIFY_CS_DIGITS : t->charset == CONFIG_CHARSET_ALNUM ?
		    CLASSIFY_CS_ALNUM : CLASSIFY_CS_WECHAT;
		n++;
	}
	rc = classify_new(p, (size_t)n, &co->cls, cause);
	free(p);
	if (rc != 0) {
		free(co);
		return QUAN_ECONFIG;
	}
	*out = co;
	return QUAN_OK;
}

void
checkout_free(struct checkout *co)
{
	if (co == NULL)
		return;
	classify_free(co->cls);
	free(co);
}

void
checkout_set_online(struct checkout *co, int online)
{
	co->o.online = online;
}

const struct checkout_txn *
checkout_current(const struct checkout *co)
{
	return &co->cur;
}

void
checkout_set_cashier(struct checkout *co, const char *id)
{
	scopy(co->cashier, sizeof co->cashier, id != NULL ? id : "");
}

int
checkout_open(struct checkout *co, int64_t amount_fen)
{
	if (co->cur.state == CHECKOUT_T_OPEN ||
	    co->cur.state == CHECKOUT_T_DECIDING)
		return QUAN_EBUSY;
	if (amount_fen < 0 || amount_fen > MONEY_MAX_FEN)
		return QUAN_EINVAL;
	memset(&co->cur, 0, sizeof co->cur);
	memset(co->lp, 0, sizeof co->lp);
	co->cur.state = CHECKOUT_T_OPEN;
	co->cur.amount_fen = amount_fen;
	co->cur.due_fen = amount_fen;
	return QUAN_OK;
}

/* The parsed definition of a stock/card, from a small cache of slots.
 * Returns the slot or -1 with *reason set. */
static int
def_slot(struct checkout *co, enum store_kind kind, const char *id,
    const char **reason)
{
	struct defslot *d;
	char *raw = NULL, *cause = NULL;
	const struct config_target *t;
	int i, rc;

	for (i = 0; i < DEF_SLOTS; i++) {
		d = &co->defs[i];
		if (d->used && d->kind == kind && strcmp(d->id, id) == 0)
			goto have;
	}
	i = co->next_slot;
	co->next_slot = (co->next_slot + 1) % DEF_SLOTS;
	d = &co->defs[i];
	memset(d, 0, sizeof *d);
	d->used = 1;
	d->kind = kind;
	scopy(d->id, sizeof d->id, id);
	rc = kind == STORE_CARD ?
	    store_card_get(co->o.st, id, &raw, &d->fetched_at) :
	    store_stock_get(co->o.st, id, &raw, &d->fetched_at);
	if (rc == 0) {
		rc = kind == STORE_CARD ?
		    rules_parse_card(raw, strlen(raw), &d->def, &cause) :
		    rules_parse_stock(raw, strlen(raw), &d->def, &cause);
		if (rc != 0) {
			log_warn("%s: definition %s: %s", __func__, id,
			    cause != NULL ? cause : quan_strerror(rc));
			rc = QUAN_EINVAL;
		}
		free(cause);
		free(raw);
	} else if (rc != QUAN_ENOTFOUND) {
		d->used = 0; /* store error: do not cache */
		*reason = "store_error";
		return -1;
	}
	d->rc = rc;
	t = config_target_find(co->o.cfg, kind == STORE_CARD ? CONFIG_CARD :
	    CONFIG_STOCK, id);
	if (rc == 0)
		d->def.per_txn = t != NULL ? t->per_txn : 1;
have:
	if (d->rc == QUAN_ENOTFOUND) {
		*reason = "no_definition";
		return -1;
	}
	if (d->rc != 0) {
		*reason = "bad_definition";
		return -1;
	}
	return i;
}

static enum rules_cstate
code_cstate(const char *s)
{
	if (strcmp(s, "issued") == 0)
		return RULES_CS_AVAILABLE;
	/* the ledger's mark, and all an archived coupon leaves behind */
	if (strcmp(s, "used") == 0)
		return RULES_CS_USED;
	return rules_cstate_parse(s);
}

/* Price every priceable line of the basket again (thresholds against the
 * original amount, each discount on what remains). */
static void
reprice(struct checkout *co)
{
	struct rules_item items[CHECKOUT_LINES_MAX];
	struct rules_verdict v[CHECKOUT_LINES_MAX];
	int map[CHECKOUT_LINES_MAX];
	int64_t disc = 0, due = co->cur.amount_fen, now = now_of(co);
	int i, n = 0;

	for (i = 0; i < co->cur.nlines; i++) {
		struct checkout_line *l = &co->cur.lines[i];

		if (l->needs_answer) {
			/* priced after WeChat names the stock; only a repeated
			 * code is refused now */
			int j;

			l->state = CHECKOUT_PRICED;
			l->discount_fen = 0;
			scopy(l->reason, sizeof l->reason, "needs_online");
			for (j = 0; j < i; j++)
				if (co->cur.lines[j].state ==
				    CHECKOUT_PRICED && strcmp(co->cur.lines[j].
				    code, l->code) == 0) {
					l->state = CHECKOUT_REFUSED;
					scopy(l->reason, sizeof l->reason,
					    "duplicate_code");
				}
			continue;
		}
		if (co->lp[i].slot < 0) {
			l->state = CHECKOUT_REFUSED;
			l->discount_fen = 0;
			continue;
		}
		co->lp[i].cp.code = l->code;
		items[n].def = &co->defs[co->lp[i].slot].def;
		items[n].cp = &co->lp[i].cp;
		items[n].item_price_fen = l->item_price_fen;
		map[n++] = i;
	}
	if (n > 0)
		rules_price_basket(co->cur.amount_fen, items, (size_t)n, now,
		    v, &disc, &due);
	for (i = 0; i < n; i++) {
		struct checkout_line *l = &co->cur.lines[map[i]];

		l->verdict = v[i];
		l->needs_confirm = v[i].needs_confirm;
		if (v[i].reason == RULES_OK) {
			l->state = CHECKOUT_PRICED;
			l->discount_fen = v[i].discount_fen;
			snprintf(l->reason, sizeof l->reason, "ok");
		} else {
			l->state = CHECKOUT_REFUSED;
			l->discount_fen = 0;
			scopy(l->reason, sizeof l->reason,
			    rules_reason_id(v[i].reason));
		}
	}
	co->cur.discount_fen = disc;
	co->cur.due_fen = due;
}

static void line_json(json_t *d, const struct checkout_line *l);

int
checkout_add(struct checkout *co, const char *text, size_t len,
    int64_t item_price_fen, int *line_out)
{
	struct classify_result res;
	struct checkout_line *l;
	struct lpriv *lp;
	struct store_code sc;
	const char *reason = NULL;
	enum store_kind kind;
	int rc, i, prov;

	if (co->cur.state != CHECKOUT_T_OPEN)
		return QUAN_EINVAL;
	if (co->cur.nlines >= CHECKOUT_LINES_MAX)
		return QUAN_EFULL;
	classify_scan(co->cls, text, len, checkout_lookup, co, &res);
	if (res.flags & CLASSIFY_F_CACHE_ERR) {
		log_error("%s: code cache: %s", __func__,
		    store_errmsg(co->o.st));
		return QUAN_EIO;
	}
	i = co->cur.nlines;
	l = &co->cur.lines[i];
	lp = &co->lp[i];
	memset(l, 0, sizeof *l);
	memset(lp, 0, sizeof *lp);
	lp->slot = -1;
	l->item_price_fen = item_price_fen;
	l->kind = res.kind;
	scopy(l->kind_id, sizeof l->kind_id, classify_kind_id(res.kind));
	if (res.kind != CLASSIFY_INVALID && res.code_len <= CHECKOUT_CODE_MAX)
		scopy(l->code, sizeof l->code, res.code);
	scopy(l->target, sizeof l->target, res.id);
	switch (res.kind) {
	case CLASSIFY_INVALID:
		reason = classify_reason_id(res.reason);
		break;
	case CLASSIFY_PAYMENT_CODE:
		reason = "payment_code";
		break;
	case CLASSIFY_OTHER_WALLET:
		reason = "other_wallet";
		break;
	case CLASSIFY_CLAIM_QR:
		reason = "claim_qr";
		break;
	case CLASSIFY_UNKNOWN:
		reason = "unknown_code";
		break;
	case CLASSIFY_ENCRYPTED_CARD:
		reason = "needs_online";
		break;
	case CLASSIFY_MERCHANT:
	case CLASSIFY_CARD:
		break;
	}
	if (reason == NULL && res.code_len > STORE_CODE_MAX)
		reason = "too_long";
	/* A merchant coupon whose stock is unknown (a WeChat-assigned code
	 * the cache does not know) or not cached: with an online step it is
	 * taken provisionally and priced once the use answer names the
	 * stock; without one it cannot be priced. */
	prov = res.kind == CLASSIFY_MERCHANT && co->o.online;
	if (reason == NULL && res.id[0] == '\0' && !prov)
		reason = "no_definition";
	if (reason == NULL) {
		kind = res.kind == CLASSIFY_CARD ? STORE_CARD : STORE_MERCHANT;
		if (res.id[0] != '\0') {
			lp->slot = def_slot(co, kind, res.id, &reason);
			if (lp->slot >= 0 || !prov ||
			    strcmp(reason, "no_definition") != 0)
				prov = 0;
			else
				reason = NULL;
		}
		rc = store_code_get(co->o.st, l->code, &sc);
		if (rc == 0 && sc.kind == kind &&
		    strcmp(sc.target, res.id) == 0) {
			lp->known = 1;
			scopy(lp->code_state, sizeof lp->code_state, sc.state);
			lp->cp.state = code_cstate(sc.state);
			lp->cp.received_at = sc.received_at;
		} else if (rc != 0 && rc != QUAN_ENOTFOUND) {
			log_error("%s: %s", __func__, store_errmsg(co->o.st));
			return rc;
		}
		rc = store_red_code_active(co->o.st, l->code);
		if (rc < 0) {
			log_error("%s: %s", __func__, store_errmsg(co->o.st));
			return rc;
		}
		if (rc == 1)
			lp->cp.state = RULES_CS_USED; /* redeemed here */
		if (prov && rc == 1)
			reason = "already_used";
		else if (prov)
			l->needs_answer = 1;
		if (lp->slot >= 0) {
			const struct rules_def *d = &co->defs[lp->slot].def;

			scopy(l->coupon_type, sizeof l->coupon_type,
			    rules_type_id(d->type));
			scopy(l->name, sizeof l->name, d->name);
		}
	}
	if (reason != NULL)
		scopy(l->reason, sizeof l->reason, reason);
	l->state = CHECKOUT_REFUSED;
	co->cur.nlines++;
	reprice(co);
	if (co->o.journal_scans) {
		json_t *d = json_object();

		line_json(d, l);
		json_object_set_new(d, "verdict", json_string(
		    l->state == CHECKOUT_PRICED ? "ok" : "rejected"));
		if (checkout_journal(co, "scan", 0, d) != 0)
			log_error("%s: journal: %s", __func__,
			    store_errmsg(co->o.st));
		json_decref(d);
	}
	if (line_out != NULL)
		*line_out = i;
	return QUAN_OK;
}

int
checkout_remove(struct checkout *co, int i)
{
	if (co->cur.state != CHECKOUT_T_OPEN || i < 0 || i >= co->cur.nlines)
		return QUAN_EINVAL;
	memmove(&co->cur.lines[i], &co->cur.lines[i + 1],
	    (size_t)(co->cur.nlines - i - 1) * sizeof co->cur.lines[0]);
	memmove(&co->lp[i], &co->lp[i + 1],
	    (size_t)(co->cur.nlines - i - 1) * sizeof co->lp[0]);
	co->cur.nlines--;
	reprice(co);
	return QUAN_OK;
}

int
checkout_journal(struct checkout *co, const char *kind, int64_t txn_id,
    const struct json_t *data)
{
	int rc;

	if ((rc = store_begin(co->o.st)) != 0)
		return rc;
	if ((rc = journal_append(co->o.st, now_of(co), kind, txn_id, 0,
	    data)) != 0) {
		store_rollback(co->o.st);
		return rc;
	}
	return store_commit(co->o.st);
}

int
checkout_cancel(struct checkout *co)
{
	int rc = 0;

	if (co->cur.state != CHECKOUT_T_OPEN)
		return QUAN_EINVAL;
	if (co->cur.nlines > 0) {
		json_t *d = json_pack("{s:I, s:i}", "amount_fen",
		    (json_int_t)co->cur.amount_fen, "lines", co->cur.nlines);

		rc = checkout_journal(co, "cancel", 0, d);
		json_decref(d);
	}
	memset(&co->cur, 0, sizeof co->cur);
	return rc;
}

/* The exact request body for the use/consume call, fixed at redeem. */
static char *
use_body(const struct checkout *co, const struct checkout_line *l,
    enum store_kind kind, const char *key, int64_t use_time)
{
	char t[40];
	json_t *o;
	char *s;

	if (kind == STORE_CARD)
		o = json_pack("{s:s, s:s}", "code", l->code, "card_id",
		    l->target);
	else if (l->target[0] == '\0')
		/* WECHATPAY_MODE code whose stock is not known: WeChat finds
		 * the coupon by its code and names the stock in the answer
		 * (busifavor §5.5) */
		o = json_pack("{s:s, s:s, s:s, s:s}", "coupon_code",
		    l->code, "appid", co->o.cfg->wx_appid, "use_time",
		    tm_rfc3339(use_time, t, sizeof t), "use_request_no", key);
	else
		o = json_pack("{s:s, s:s, s:s, s:s, s:s}", "coupon_code",
		    l->code, "stock_id", l->target, "appid",
		    co->o.cfg->wx_appid, "use_time",
		    tm_rfc3339(use_time, t, sizeof t), "use_request_no", key);
	if (o == NULL)
		return NULL;
	s = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);
	json_decref(o);
	return s;
}

static int
next_key(struct checkout *co, char out[CHECKOUT_KEY_MAX + 1], char tag)
{
	int64_t seq;
	int rc;

	if ((rc = store_seq_next(co->o.st, "request_no", &seq)) != 0)
		return rc;
	/* terminal id (<= 8) + tag + 12..19 digits <= 28 chars */
	snprintf(out, CHECKOUT_KEY_MAX + 1, "%s%c%012" PRId64,
	    co->o.cfg->term_id, tag, seq);
	return QUAN_OK;
}

static void
line_json(json_t *d, const struct checkout_line *l)
{
	char masked[64];

	ledger_mask(l->code, masked, sizeof masked);
	json_object_set_new(d, "code", json_string(masked));
	json_object_set_new(d, "kind", json_string(l->kind_id));
	json_object_set_new(d, "target", json_string(l->target));
	json_object_set_new(d, "type", json_string(l->coupon_type));
	json_object_set_new(d, "reason", json_string(l->reason));
	json_object_set_new(d, "discount_fen", json_integer(l->discount_fen));
}

/* Insert a line's redemption row r: pending with a new use key when *ok,
 * else rejected as priced. A code another sale took since the scan (a
 * live row or a conflict) is refused here, inside the commit's write
 * transaction (BEGIN IMMEDIATE: no other writer until commit), so at most
 * one sale gets it: the row goes in rejected "already_used" without a
 * key, *ok is cleared and *lost set. The store's partial UNIQUE index
 * says the same should a live row slip past the look-up. */
static int
red_insert(struct checkout *co, struct store_red *r, int *ok, int *lost)
{
	struct store *st = co->o.st;
	int rc = 0;

	*lost = 0;
	if (*ok && (rc = store_red_code_active(st, r->code)) < 0)
		return rc;
	if (!*ok)
		return store_red_insert(st, r);
	if (rc == 0 && ((rc = next_key(co, r->idem_key, 'U')) != 0 ||
	    (rc = store_red_insert(st, r)) != QUAN_EEXIST))
		return rc;
	*lost = 1;
	*ok = 0;
	snprintf(r->state, sizeof r->state, "rejected");
	snprintf(r->reason, sizeof r->reason, "already_used");
	r->idem_key[0] = '\0';
	r->discount_fen = 0;
	return store_red_insert(st, r);
}

/* First commit: txn 'open', every line's row, keys, outbox, journal. */
static int
redeem_commit(struct checkout *co, int64_t now)
{
	struct store *st = co->o.st;
	struct store_txn t;
	int lost[CHECKOUT_LINES_MAX];
	json_t *d;
	int i, rc;

	if ((rc = store_begin(st)) != 0)
		return rc;
	memset(&t, 0, sizeof t);
	t.amount_fen = co->cur.amount_fen;
	t.discount_fen = co->cur.discount_fen;
	t.due_fen = co->cur.due_fen;
	snprintf(t.state, sizeof t.state, "open");
	t.opened_at = now;
	scopy(t.cashier, sizeof t.cashier, co->cashier);
	if ((rc = store_txn_insert(st, &t)) != 0)
		goto bad;
	d = json_pack("{s:I, s:i, s:s}", "amount_fen",
	    (json_int_t)t.amount_fen, "lines", co->cur.nlines, "cashier",
	    t.cashier);
	rc = journal_append(st, now, "txn", t.id, 0, d);
	json_decref(d);
	if (rc != 0)
		goto bad;
	for (i = 0; i < co->cur.nlines; i++) {
		struct checkout_line *l = &co->cur.lines[i];
		struct store_red r;
		struct store_outbox ob;
		int ok = l->state == CHECKOUT_PRICED;
		char *body;

		memset(&r, 0, sizeof r);
		r.txn_id = t.id;
		r.line = i;
		scopy(r.code, sizeof r.code, l->code);
		r.kind = l->kind == CLASSIFY_CARD ? STORE_CARD : STORE_MERCHANT;
		scopy(r.target, sizeof r.target, l->target);
		scopy(r.coupon_type, sizeof r.coupon_type, l->coupon_type);
		snprintf(r.state, sizeof r.state, ok ? "pending" : "rejected");
		scopy(r.reason, sizeof r.reason, l->reason);
		r.discount_fen = ok ? l->discount_fen : 0;
		r.use_time = now;
		r.created_at = r.updated_at = now;
		if ((rc = red_insert(co, &r, &ok, &lost[i])) != 0)
			goto bad;
		l->red_id = r.id;
		scopy(l->request_no, sizeof l->request_no, r.idem_key);
		d = json_object();
		line_json(d, l);
		if (lost[i]) {
			json_object_set_new(d, "reason",
			    json_string("already_used"));
			json_object_set_new(d, "discount_fen",
			    json_integer(0));
		}
		json_object_set_new(d, "key", json_string(r.idem_key));
		json_object_set_new(d, "line", json_integer(i));
		rc = journal_append(st, now, ok ? "redeem" : "reject", t.id,
		    r.id, d);
		json_decref(d);
		if (rc != 0)
			goto bad;
		if (!ok)
			continue;
		memset(&ob, 0, sizeof ob);
		ob.red_id = r.id;
		ob.op = r.kind == STORE_CARD ? STORE_OP_CONSUME : STORE_OP_USE;
		scopy(ob.request_no, sizeof ob.request_no, r.idem_key);
		body = use_body(co, l, r.kind, r.idem_key, now);
		scopy(ob.body, sizeof ob.body, body != NULL ? body :
		    "");
		free(body);
		ob.next_at = now;
		ob.created_at = now;
		if ((rc = store_outbox_insert(st, &ob)) != 0)
			goto bad;
	}
	if ((rc = store_commit(st)) != 0)
		goto bad;
	co->cur.id = t.id;
	for (i = 0; i < co->cur.nlines; i++) {
		struct checkout_line *l = &co->cur.lines[i];

		if (lost[i]) {
			/* another sale has it: never a discount here */
			l->state = CHECKOUT_REFUSED;
			l->discount_fen = 0;
			scopy(l->reason, sizeof l->reason, "already_used");
		}
		l->state = l->state == CHECKOUT_PRICED ? CHECKOUT_PENDING :
		    CHECKOUT_REJECTED;
	}
	return QUAN_OK;
bad:
	log_error("%s: %s", __func__, store_errmsg(st));
	store_rollback(st);
	for (i = 0; i < co->cur.nlines; i++) {
		co->cur.lines[i].red_id = 0;
		co->cur.lines[i].request_no[0] = '\0';
	}
	return rc;
}

/* Discount line `i` would get on top of the lines already granted. */
static int64_t
granted_price(struct checkout *co, const int *granted, int i, int64_t now,
    int *ok, struct rules_verdict *vout)
{
	struct rules_item items[CHECKOUT_LINES_MAX];
	struct rules_verdict v[CHECKOUT_LINES_MAX];
	int64_t disc, due;
	int j, n = 0;

	for (j = 0; j < co->cur.nlines; j++) {
		if (j != i && !granted[j])
			continue;
		if (co->lp[j].slot < 0)
			continue;
		items[n].def = &co->defs[co->lp[j].slot].def;
		items[n].cp = &co->lp[j].cp;
		items[n].item_price_fen = co->cur.lines[j].item_price_fen;
		if (j == i)
			break;
		n++;
	}
	if (j != i || co->lp[i].slot < 0) {
		*ok = 0;
		return 0;
	}
	n++;
	/* the coupon itself must not count as "already redeemed here" */
	rules_price_basket(co->cur.amount_fen, items, (size_t)n, now, v,
	    &disc, &due);
	*ok = v[n - 1].reason == RULES_OK;
	if (vout != NULL)
		*vout = v[n - 1];
	return *ok ? v[n - 1].discount_fen : 0;
}

/* The offline policy for one unanswered coupon. Returns 1 to accept;
 * reason/why say what decided. */
static int
offline_decide(struct checkout *co, int i, int64_t value, int64_t now,
    const char **reason, char *why, size_t n)
{
	const struct config *cfg = co->o.cfg;
	const struct checkout_line *l = &co->cur.lines[i];
	const struct lpriv *lp = &co->lp[i];
	enum config_policy pol;
	int64_t count = 0, expo = 0, age;
	int rc;

	pol = config_policy_of(cfg, l->kind == CLASSIFY_CARD ? CONFIG_CARD :
	    CONFIG_STOCK, l->target);
	age = now - co->defs[lp->slot].fetched_at;
	if (pol == CONFIG_POLICY_ONLINE_ONLY) {
		*reason = "offline_online_only";
		snprintf(why, n, "policy online_only for %s", l->target);
		return 0;
	}
	if (pol == CONFIG_POLICY_OFFLINE_KNOWN_ONLY &&
	    (!lp->known || lp->cp.state != RULES_CS_AVAILABLE)) {
		*reason = "offline_not_known";
		snprintf(why, n, "policy offline_known_only: code %s",
		    lp->known ? "not issued/unused in cache" : "not in cache");
		return 0;
	}
	if (age > cfg->off_max_cache_age_s) {
		*reason = "offline_cache_old";
		snprintf(why, n, "definition %s fetched %" PRId64 " s ago > %"
		    PRId64, l->target, age, cfg->off_max_cache_age_s);
		return 0;
	}
	if (value > cfg->off_max_coupon_fen) {
		*reason = "offline_cap_coupon";
		snprintf(why, n, "value %" PRId64 " fen > max_coupon_fen %"
		    PRId64, value, cfg->off_max_coupon_fen);
		return 0;
	}
	rc = store_offline_stats(co->o.st, now - 3600, &count, &expo);
	if (rc != 0) {
		*reason = "store_error";
		snprintf(why, n, "%s", store_errmsg(co->o.st));
		return 0;
	}
	if (count >= cfg->off_max_per_hour) {
		*reason = "offline_cap_hour";
		snprintf(why, n, "%" PRId64 " offline in the last hour >= "
		    "max_per_hour %d", count, cfg->off_max_per_hour);
		return 0;
	}
	if (expo + value > cfg->off_max_exposure_fen) {
		*reason = "offline_cap_exposure";
		snprintf(why, n, "unsettled %" PRId64 " + %" PRId64 " fen > "
		    "max_exposure_fen %" PRId64, expo, value,
		    cfg->off_max_exposure_fen);
		return 0;
	}
	*reason = "ok";
	snprintf(why, n, "policy %s, value %" PRId64 " <= %" PRId64
	    ", hour %" PRId64 " < %d, exposure %" PRId64 " + %" PRId64
	    " <= %" PRId64 ", cache age %" PRId64 " s",
	    config_policy_name(pol), value, cfg->off_max_coupon_fen, count,
	    cfg->off_max_per_hour, expo, value, cfg->off_max_exposure_fen,
	    age);
	return 1;
}

/* Line i was taken without its stock definition (needs_answer) and WeChat
 * confirmed its use: load the stock the answer named (the online step put
 * its id in the row and the definition in the cache). 0, or -1 with
 * *reason ("no_definition", "bad_definition"). */
static int
learn_def(struct checkout *co, int i, const struct store_red *r,
    int64_t now, const char **reason)
{
	struct checkout_line *l = &co->cur.lines[i];
	struct lpriv *lp = &co->lp[i];
	const struct rules_def *d;
	int k, slot;

	if (r->target[0] == '\0') {
		*reason = "no_definition";
		return -1;
	}
	scopy(l->target, sizeof l->target, r->target);
	/* a miss cached at scan time must not hide what was just fetched */
	for (k = 0; k < DEF_SLOTS; k++)
		if (co->defs[k].used && co->defs[k].rc != 0 &&
		    co->defs[k].kind == STORE_MERCHANT &&
		    strcmp(co->defs[k].id, r->target) == 0)
			co->defs[k].used = 0;
	if ((slot = def_slot(co, STORE_MERCHANT, r->target, reason)) < 0)
		return -1;
	lp->slot = slot;
	d = &co->defs[slot].def;
	scopy(l->coupon_type, sizeof l->coupon_type, rules_type_id(d->type));
	scopy(l->name, sizeof l->name, d->name);
	memset(&lp->cp, 0, sizeof lp->cp);
	lp->cp.state = RULES_CS_UNKNOWN;
	/* WeChat checked the per-user validity when it accepted the use at
	 * use_time; the receipt time (which a relative stock needs) is not
	 * in the answer, so that acceptance stands for it */
	if (d->date == RULES_DATE_RELATIVE) {
		lp->cp.start_at = r->use_time;
		lp->cp.expire_at = now > r->use_time ? now : r->use_time;
	}
	return 0;
}

/* A coupon WeChat confirmed that the basket's rules refuse (below the
 * minimum, outside its window, over the per-txn limit ...): no discount,
 * and its coupons/return is queued at once with the coupon's own return
 * request number (the void machinery). Inside the decide transaction. */
static int
rules_return(struct checkout *co, struct store_red *r, const char *reason,
    const struct rules_verdict *v, int64_t now)
{
	struct store *st = co->o.st;
	json_t *x;
	int rc;

	r->discount_fen = 0;
	snprintf(r->offline_reason, sizeof r->offline_reason, "WeChat "
	    "confirmed the use; the basket fails the stock's rules (%s): "
	    "coupons/return queued", reason);
	if ((rc = ledger_return_key(r->idem_key, r->return_key,
	    sizeof r->return_key)) != 0)
		return rc;
	x = json_pack("{s:s, s:I, s:I}", "stock_id", r->target, "need_fen",
	    (json_int_t)(v != NULL ? v->need_fen : 0), "have_fen",
	    (json_int_t)(v != NULL ? v->have_fen : 0));
	rc = ledger_change(st, r, "return_pending", reason, "rules_return",
	    now, x);
	json_decref(x);
	if (rc == 0)
		rc = ledger_queue_return(st, r, now);
	return rc;
}

/* Second commit: decide every line, re-price what was granted. */
static int
redeem_decide(struct checkout *co, int64_t now, int *nreturned)
{
	struct store *st = co->o.st;
	struct store_txn t;
	int granted[CHECKOUT_LINES_MAX];
	int refused[CHECKOUT_LINES_MAX];
	struct rules_verdict vs[CHECKOUT_LINES_MAX];
	int64_t disc = 0;
	int i, rc;

	*nreturned = 0;
	memset(refused, 0, sizeof refused);
	memset(vs, 0, sizeof vs);

	memset(granted, 0, sizeof granted);
	if ((rc = store_begin(st)) != 0)
		return rc;
	/* Still ours to decide? A till stalled past the recovery age rule
	 * may find its sale recovered (voided, coupons given back) by
	 * another process (`quan sync`): deciding over that would grant
	 * what the recovery returned. */
	if ((rc = store_txn_get(st, co->cur.id, &t)) != 0)
		goto bad;
	if (strcmp(t.state, "open") != 0) {
		log_error("%s: txn %lld is %s: recovered by another process "
		    "meanwhile; nothing granted", __func__,
		    (long long)co->cur.id, t.state);
		store_rollback(st);
		return QUAN_EBUSY;
	}
	for (i = 0; i < co->cur.nlines; i++) {
		struct checkout_line *l = &co->cur.lines[i];
		struct store_red r;
		const char *reason = NULL;
		char why[CHECKOUT_TEXT_MAX] = "";
		int64_t value;
		int ok, rs;
		json_t *x;

		if (l->red_id == 0 || l->request_no[0] == '\0')
			continue; /* rejected at pricing */
		if ((rc = store_red_get(st, l->red_id, &r)) != 0)
			goto bad;
		rs = checkout_cstate_parse(r.state);
		if (l->needs_answer && rs == CHECKOUT_CONFIRMED &&
		    learn_def(co, i, &r, now, &reason) == 0 &&
		    (rc = store_red_set_def(st, r.id, NULL,
		    l->coupon_type)) != 0)
			goto bad;
		if (l->needs_answer && rs == CHECKOUT_CONFIRMED &&
		    co->lp[i].slot < 0) {
			/* used at WeChat but cannot be priced: give it back */
			if ((rc = rules_return(co, &r, reason, NULL,
			    now)) != 0)
				goto bad;
			refused[i] = 1;
			(*nreturned)++;
		}
		value = granted_price(co, granted, i, now, &ok, &vs[i]);
		if (refused[i]) {
			/* returned above */
		} else if (rs == CHECKOUT_CONFIRMED && !ok &&
		    r.kind == STORE_MERCHANT) {
			/* the basket's rules refuse what WeChat applied: a
			 * stock only the answer named, or a coupon after one
			 * such in the basket */
			if ((rc = rules_return(co, &r,
			    rules_reason_id(vs[i].reason), &vs[i],
			    now)) != 0)
				goto bad;
			refused[i] = 1;
			(*nreturned)++;
		} else if (rs == CHECKOUT_CONFIRMED) {
			granted[i] = 1;
			if (l->needs_answer) {
				r.discount_fen = value;
				x = json_pack("{s:s, s:I}", "stock_id",
				    r.target, "discount_fen",
				    (json_int_t)value);
				rc = ledger_change(st, &r, "confirmed", "ok",
				    "priced_after_use", now, x);
				json_decref(x);
				if (rc != 0)
					goto bad;
			}
		} else if ((rs == CHECKOUT_PENDING ||
		    rs == CHECKOUT_UNKNOWN) && l->needs_answer) {
			/* no answer: its stock and value are unknown, so
			 * the offline policy can never grant it */
			reason = "needs_online";
			snprintf(why, sizeof why, "stock not known: only "
			    "WeChat's answer can price this coupon");
			snprintf(r.offline_reason, sizeof r.offline_reason,
			    "%s", why);
			if ((rc = store_outbox_cancel(st, r.id, 0, now,
			    reason)) != 0)
				goto bad;
			if ((rc = store_outbox_use_open(st, r.id)) < 0)
				goto bad;
			x = json_pack("{s:s}", "why", why);
			r.discount_fen = 0;
			rc = ledger_change(st, &r, rc > 0 ? "unknown" :
			    "rejected", reason, rc > 0 ?
			    "offline_refuse_sent" : "offline_refuse", now, x);
			json_decref(x);
			if (rc != 0)
				goto bad;
		} else if (rs == CHECKOUT_PENDING || rs == CHECKOUT_UNKNOWN) {
			int sent = 0;

			if (!ok) {
				reason = "no_longer_usable";
				snprintf(why, sizeof why, "no longer usable "
				    "after other coupons were refused");
			} else if (offline_decide(co, i, value, now, &reason,
			    why, sizeof why))
				granted[i] = 2;
			snprintf(r.offline_reason, sizeof r.offline_reason,
			    "%s", why);
			if (!granted[i]) {
				/* never sent: cancel; else it is in flight */
				if ((rc = store_outbox_cancel(st, r.id, 0, now,
				    reason)) != 0)
					goto bad;
				if ((rc = store_outbox_use_open(st,
				    r.id)) < 0)
					goto bad;
				sent = rc > 0;
			}
			x = json_pack("{s:s}", "why", why);
			if (granted[i]) {
				r.offline_at = now;
				r.discount_fen = value;
				rc = ledger_change(st, &r, "accepted_offline",
				    "ok", "offline_accept", now, x);
			} else if (!sent) {
				r.discount_fen = 0;
				rc = ledger_change(st, &r, "rejected", reason,
				    "offline_refuse", now, x);
			} else {
				/* sent, no answer, not granted: the sync
				 * area settles it; if it turns out used,
				 * it must be returned */
				r.discount_fen = 0;
				rc = ledger_change(st, &r, "unknown", reason,
				    "offline_refuse_sent", now, x);
			}
			json_decref(x);
			if (rc != 0)
				goto bad;
		}
		if (granted[i] && granted[i] != 2 &&
		    r.discount_fen != value) {
			r.discount_fen = value;
			r.updated_at = now;
			if ((rc = store_red_update(st, &r)) != 0)
				goto bad;
		}
		if (granted[i] && (rc = store_code_set_state(st, r.code,
		    r.kind, "used")) != 0)
			goto bad;
		l->state = checkout_cstate_parse(r.state);
		if (refused[i]) {
			/* for the cashier: refused, with the rules' figures;
			 * the row goes return_pending -> returned */
			l->state = CHECKOUT_REJECTED;
			l->verdict = vs[i];
		}
		scopy(l->reason, sizeof l->reason, r.reason);
		scopy(l->offline_reason, sizeof l->offline_reason,
		    r.offline_reason);
		l->discount_fen = granted[i] ? value : 0;
		disc += l->discount_fen;
	}
	if ((rc = store_txn_get(st, co->cur.id, &t)) != 0)
		goto bad;
	t.discount_fen = disc;
	t.due_fen = co->cur.amount_fen - disc;
	if (t.due_fen < 0)
		t.due_fen = 0;
	snprintf(t.state, sizeof t.state, "redeemed");
	if ((rc = store_txn_update(st, &t)) != 0)
		goto bad;
	{
		json_t *d = json_pack("{s:I, s:I, s:I}", "amount_fen",
		    (json_int_t)t.amount_fen, "discount_fen",
		    (json_int_t)t.discount_fen, "due_fen",
		    (json_int_t)t.due_fen);

		rc = journal_append(st, now, "due", t.id, 0, d);
		json_decref(d);
		if (rc != 0)
			goto bad;
	}
	if ((rc = store_commit(st)) != 0)
		goto bad;
	co->cur.discount_fen = t.discount_fen;
	co->cur.due_fen = t.due_fen;
	co->cur.state = CHECKOUT_T_REDEEMED;
	return QUAN_OK;
bad:
	log_error("%s: %s", __func__, store_errmsg(st));
	store_rollback(st);
	return rc;
}

/* The decision could not be stored (disk full, I/O error, or the txn was
 * recovered meanwhile): the sale stays to checkout_recover(), which voids
 * it and gives back what WeChat applied. The in-memory txn says the same,
 * so no caller shows a grant the store does not have: voided, every line
 * rejected "not_recorded", no discount, due = amount. */
static void
not_recorded(struct checkout *co)
{
	int i;

	for (i = 0; i < co->cur.nlines; i++) {
		struct checkout_line *l = &co->cur.lines[i];

		if (l->red_id == 0)
			continue; /* refused at pricing: stays as it was */
		l->state = CHECKOUT_REJECTED;
		l->discount_fen = 0;
		scopy(l->reason, sizeof l->reason, "not_recorded");
	}
	co->cur.discount_fen = 0;
	co->cur.due_fen = co->cur.amount_fen;
	co->cur.state = CHECKOUT_T_VOIDED;
}

int
checkout_commit(struct checkout *co)
{
	int rc;

	if (co->cur.state != CHECKOUT_T_OPEN)
		return QUAN_EINVAL;
	if ((rc = redeem_commit(co, now_of(co))) != 0)
		return rc;
	co->cur.state = CHECKOUT_T_DECIDING;
	return QUAN_OK;
}

int
checkout_decide(struct checkout *co, int *nreturned)
{
	int rc, nret = 0;

	if (nreturned != NULL)
		*nreturned = 0;
	if (co->cur.state != CHECKOUT_T_DECIDING)
		return QUAN_EINVAL;
	if ((rc = redeem_decide(co, now_of(co), &nret)) != 0) {
		not_recorded(co);
		return rc;
	}
	if (nreturned != NULL)
		*nreturned = nret;
	return QUAN_OK;
}

int
checkout_redeem(struct checkout *co)
{
	int rc;

	if ((rc = checkout_commit(co)) != 0)
		return rc;
	return checkout_decide(co, NULL);
}

int
checkout_override(struct checkout *co, int i, const char *who,
    const char *why)
{
	struct store *st = co->o.st;
	struct checkout_line *l;
	struct store_txn t;
	struct store_red r;
	struct rules_item items[CHECKOUT_LINES_MAX];
	struct rules_verdict v[CHECKOUT_LINES_MAX];
	int map[CHECKOUT_LINES_MAX];
	int64_t now = now_of(co), disc, due;
	char text[CHECKOUT_TEXT_MAX] = "";
	json_t *x;
	int j, n = 0, rc;

	if (co->cur.state != CHECKOUT_T_REDEEMED || i < 0 ||
	    i >= co->cur.nlines)
		return QUAN_EINVAL;
	l = &co->cur.lines[i];
	if ((l->state != CHECKOUT_REJECTED && l->state != CHECKOUT_UNKNOWN) ||
	    strncmp(l->reason, "offline_", 8) != 0 || l->red_id == 0 ||
	    co->lp[i].slot < 0)
		return QUAN_EINVAL;
	/* the granted lines plus this one, in basket order */
	for (j = 0; j < co->cur.nlines; j++) {
		const struct checkout_line *g = &co->cur.lines[j];

		if (j != i && g->state != CHECKOUT_CONFIRMED &&
		    g->state != CHECKOUT_ACCEPTED_OFFLINE)
			continue;
		if (co->lp[j].slot < 0)
			continue;
		items[n].def = &co->defs[co->lp[j].slot].def;
		items[n].cp = &co->lp[j].cp;
		items[n].item_price_fen = g->item_price_fen;
		map[n++] = j;
	}
	rules_price_basket(co->cur.amount_fen, items, (size_t)n, now, v, &disc,
	    &due);
	for (j = 0; j < n; j++)
		if (v[j].reason != RULES_OK)
			return QUAN_EINVAL;
	if ((rc = store_begin(st)) != 0)
		return rc;
	for (j = 0; j < n; j++) {
		struct checkout_line *g = &co->cur.lines[map[j]];

		if ((rc = store_red_get(st, g->red_id, &r)) != 0)
			goto bad;
		if (map[j] == i) {
			/* refused here, the code was free for another
			 * sale, which may have taken it since */
			if (strcmp(r.state, "rejected") == 0 &&
			    (rc = store_red_code_active(st, r.code)) != 0) {
				rc = rc < 0 ? rc : QUAN_EEXIST;
				goto bad;
			}
			if ((rc = store_outbox_reopen(st, r.id, now,
			    "override")) != 0)
				goto bad;
			snprintf(text, sizeof text, "override by %s: %s (was "
			    "%s)", who != NULL ? who : "?",
			    why != NULL ? why : "", l->reason);
			scopy(r.offline_reason, sizeof r.offline_reason, text);
			r.offline_at = now;
			r.discount_fen = v[j].discount_fen;
			x = json_pack("{s:s, s:s, s:s}", "by",
			    who != NULL ? who : "", "why",
			    why != NULL ? why : "", "was", l->reason);
			rc = ledger_change(st, &r, "accepted_offline", "ok",
			    "offline_override", now, x);
			json_decref(x);
			if (rc == 0)
				rc = store_code_set_state(st, r.code, r.kind,
				    "used");
		} else if (r.discount_fen != v[j].discount_fen) {
			r.discount_fen = v[j].discount_fen;
			r.updated_at = now;
			rc = store_red_update(st, &r);
		}
		if (rc != 0)
			goto bad;
	}
	if ((rc = store_txn_get(st, co->cur.id, &t)) != 0)
		goto bad;
	t.discount_fen = disc;
	t.due_fen = due;
	if ((rc = store_txn_update(st, &t)) != 0)
		goto bad;
	x = json_pack("{s:I, s:I}", "discount_fen", (json_int_t)disc,
	    "due_fen", (json_int_t)due);
	rc = journal_append(st, now, "due", t.id, 0, x);
	json_decref(x);
	if (rc != 0)
		goto bad;
	if ((rc = store_commit(st)) != 0)
		return rc;
	for (j = 0; j < n; j++)
		co->cur.lines[map[j]].discount_fen = v[j].discount_fen;
	l->state = CHECKOUT_ACCEPTED_OFFLINE;
	scopy(l->reason, sizeof l->reason, "ok");
	scopy(l->offline_reason, sizeof l->offline_reason, text);
	co->cur.discount_fen = disc;
	co->cur.due_fen = due;
	return QUAN_OK;
bad:
	store_rollback(st);
	if (rc == QUAN_EEXIST)
		/* redeemed by another sale meanwhile: stays refused */
		scopy(l->reason, sizeof l->reason, "already_used");
	return rc;
}

int
checkout_close(struct checkout *co)
{
	struct store *st = co->o.st;
	struct store_txn t;
	int64_t now = now_of(co);
	int rc;

	if (co->cur.state != CHECKOUT_T_REDEEMED)
		return QUAN_EINVAL;
	if ((rc = store_begin(st)) != 0)
		return rc;
	if ((rc = store_txn_get(st, co->cur.id, &t)) != 0)
		goto bad;
	snprintf(t.state, sizeof t.state, "closed");
	t.closed_at = now;
	if ((rc = store_txn_update(st, &t)) != 0)
		goto bad;
	if ((rc = journal_append(st, now, "close", t.id, 0, NULL)) != 0)
		goto bad;
	if ((rc = store_commit(st)) != 0)
		goto bad;
	co->cur.state = CHECKOUT_T_CLOSED;
	return QUAN_OK;
bad:
	store_rollback(st);
	return rc;
}

struct void_ctx {
	struct checkout *co;
	int64_t now;
	const char *who;
};

static int
void_row(void *arg, const struct store_red *row)
{
	struct void_ctx *v = arg;
	struct store *st = v->co->o.st;
	struct store_red r = *row;
	json_t *x;
	int rc, rs, cancelled = 0;

	rs = checkout_cstate_parse(r.state);
	if (rs != CHECKOUT_CONFIRMED && rs != CHECKOUT_ACCEPTED_OFFLINE &&
	    rs != CHECKOUT_UNKNOWN && rs != CHECKOUT_PENDING)
		return 0; /* nothing was used */
	x = json_pack("{s:s}", "by", v->who != NULL ? v->who : "");
	if (r.kind == STORE_CARD && rs == CHECKOUT_CONFIRMED) {
		/* the card API has no "un-consume": it stays used at WeChat;
		 * marked so reports show it as voided, not returnable (not
		 * as redeemed value) and the cashier is told */
		rc = ledger_change(st, &r, "confirmed",
		    "voided_not_returnable", "void_card_irreversible", v->now,
		    x);
		json_decref(x);
		return rc;
	}
	/* a use that was never sent is simply cancelled */
	if ((rc = store_outbox_cancel(st, r.id, 0, v->now, "voided")) != 0)
		goto out;
	if (rs == CHECKOUT_ACCEPTED_OFFLINE || rs == CHECKOUT_PENDING) {
		if ((rc = store_outbox_use_open(st, r.id)) < 0)
			goto out;
		cancelled = rc == 0;
	}
	if (cancelled) {
		rc = ledger_change(st, &r, "returned", "voided_before_send",
		    "void", v->now, x);
		if (rc == 0)
			rc = store_code_set_state(st, r.code, r.kind, "issued");
		goto out;
	}
	if (r.kind == STORE_CARD) {
		/* consume in flight: cannot be returned if it lands */
		rc = ledger_change(st, &r, "return_pending",
		    "card_consume_irreversible", "void", v->now, x);
		goto out;
	}
	if ((rc = ledger_return_key(r.idem_key, r.return_key,
	    sizeof r.return_key)) != 0)
		goto out;
	rc = ledger_change(st, &r, "return_pending", "voided", "void",
	    v->now, x);
	if (rc == 0)
		rc = ledger_queue_return(st, &r, v->now);
out:
	json_decref(x);
	return rc;
}

int
checkout_void(struct checkout *co, int64_t txn_id, const char *who,
    char **cause)
{
	struct store *st = co->o.st;
	struct store_txn t;
	struct void_ctx v;
	json_t *d;
	int rc;

	v.co = co;
	v.now = now_of(co);
	v.who = who;
	if ((rc = store_begin(st)) != 0)
		goto fail;
	if ((rc = store_txn_get(st, txn_id, &t)) != 0) {
		store_rollback(st);
		if (cause != NULL)
			*cause = rc == QUAN_ENOTFOUND ?
			    xasprintf("no transaction %" PRId64, txn_id) :
			    xstrdup(store_errmsg(st));
		return rc;
	}
	if (strcmp(t.state, "redeemed") != 0 &&
	    strcmp(t.state, "closed") != 0) {
		store_rollback(st);
		if (cause != NULL)
			*cause = xasprintf("transaction %" PRId64 " is %s: "
			    "only a redeemed or closed sale can be voided",
			    txn_id, t.state);
		return QUAN_EINVAL;
	}
	if ((rc = store_red_list_txn(st, txn_id, void_row, &v)) != 0)
		goto bad;
	snprintf(t.state, sizeof t.state, "voided");
	t.closed_at = v.now;
	if ((rc = store_txn_update(st, &t)) != 0)
		goto bad;
	d = json_pack("{s:s}", "by", who != NULL ? who : "");
	rc = journal_append(st, v.now, "void_txn", txn_id, 0, d);
	json_decref(d);
	if (rc != 0)
		goto bad;
	if ((rc = store_commit(st)) != 0)
		goto fail;
	if (co->cur.id == txn_id)
		co->cur.state = CHECKOUT_T_VOIDED;
	return QUAN_OK;
bad:
	store_rollback(st);
fail:
	if (cause != NULL)
		*cause = xstrdup(store_errmsg(st));
	return rc;
}

struct load_ctx {
	struct checkout_txn *t;
};

static int
load_row(void *arg, const struct store_red *r)
{
	struct load_ctx *c = arg;
	struct checkout_line *l;
	int s;

	if (c->t->nlines >= CHECKOUT_LINES_MAX)
		return 0;
	l = &c->t->lines[c->t->nlines++];
	memset(l, 0, sizeof *l);
	scopy(l->code, sizeof l->code, r->code);
	l->kind = r->kind == STORE_CARD ? CLASSIFY_CARD : CLASSIFY_MERCHANT;
	scopy(l->kind_id, sizeof l->kind_id, classify_kind_id(l->kind));
	scopy(l->target, sizeof l->target, r->target);
	scopy(l->coupon_type, sizeof l->coupon_type, r->coupon_type);
	s = checkout_cstate_parse(r->state);
	l->state = s < 0 ? CHECKOUT_UNKNOWN : (enum checkout_cstate)s;
	scopy(l->reason, sizeof l->reason, r->reason);
	l->discount_fen = r->discount_fen;
	l->item_price_fen = -1;
	scopy(l->request_no, sizeof l->request_no, r->idem_key);
	l->red_id = r->id;
	scopy(l->offline_reason, sizeof l->offline_reason, r->offline_reason);
	return 0;
}

int
checkout_load(struct checkout *co, int64_t txn_id, struct checkout_txn *out)
{
	struct store_txn t;
	struct load_ctx c;
	int rc;

	if ((rc = store_txn_get(co->o.st, txn_id, &t)) != 0)
		return rc;
	memset(out, 0, sizeof *out);
	out->id = t.id;
	out->amount_fen = t.amount_fen;
	out->discount_fen = t.discount_fen;
	out->due_fen = t.due_fen;
	out->state = strcmp(t.state, "closed") == 0 ? CHECKOUT_T_CLOSED :
	    strcmp(t.state, "voided") == 0 ? CHECKOUT_T_VOIDED :
	    strcmp(t.state, "open") == 0 ? CHECKOUT_T_OPEN :
	    CHECKOUT_T_REDEEMED;
	c.t = out;
	return store_red_list_txn(co->o.st, txn_id, load_row, &c);
}

struct recover_ctx {
	struct store *st;
	int64_t now;
};

static int
recover_row(void *arg, const struct store_red *row)
{
	struct recover_ctx *c = arg;
	struct store_red r = *row;
	int rc, rs = checkout_cstate_parse(r.state);

	if (rs == CHECKOUT_CONFIRMED) {
		/* WeChat applied it in the online step, but the cashier
		 * never saw a verdict and the sale is voided: give it back
		 * (a card consume cannot be undone) */
		if (r.kind == STORE_CARD)
			return ledger_change(c->st, &r, "confirmed",
			    "voided_not_returnable", "void_card_irreversible",
			    c->now, NULL);
		r.discount_fen = 0;
		if ((rc = ledger_return_key(r.idem_key, r.return_key,
		    sizeof r.return_key)) != 0 ||
		    (rc = ledger_change(c->st, &r, "return_pending",
		    "interrupted", "recover", c->now, NULL)) != 0)
			return rc;
		return ledger_queue_return(c->st, &r, c->now);
	}
	if (rs == CHECKOUT_UNKNOWN) {
		/* sent, outcome unknown: stays for the sync area, with
		 * nothing granted, so a use that landed is given back */
		if (r.discount_fen == 0)
			return 0;
		r.discount_fen = 0;
		return ledger_change(c->st, &r, "unknown", "interrupted",
		    "recover", c->now, NULL);
	}
	if (rs != CHECKOUT_PENDING)
		return 0;
	if ((rc = store_outbox_cancel(c->st, r.id, 0, c->now,
	    "interrupted")) != 0)
		return rc;
	if ((rc = store_outbox_use_open(c->st, r.id)) < 0)
		return rc;
	if (rc > 0) {
		/* it was sent after all: outcome unknown, nothing granted */
		r.discount_fen = 0;
		return ledger_change(c->st, &r, "unknown", "interrupted",
		    "recover", c->now, NULL);
	}
	r.discount_fen = 0;
	return ledger_change(c->st, &r, "rejected", "interrupted", "recover",
	    c->now, NULL);
}

int
checkout_recover(struct checkout *co, int64_t older_than_s, int *n)
{
	struct store *st = co->o.st;
	struct recover_ctx c;
	int64_t ids[64];
	int i, k = 0, rc;

	*n = 0;
	c.st = st;
	c.now = now_of(co);
	if ((rc = store_txn_list_open(st, c.now - older_than_s, ids, 64,
	    &k)) != 0)
		return rc;
	for (i = 0; i < k; i++) {
		struct store_txn t;

		if ((rc = store_begin(st)) != 0)
			return rc;
		if ((rc = store_txn_get(st, ids[i], &t)) != 0 ||
		    strcmp(t.state, "open") != 0)
			goto next;
		if ((rc = store_red_list_txn(st, ids[i], recover_row,
		    &c)) != 0)
			goto bad;
		snprintf(t.state, sizeof t.state, "voided");
		t.discount_fen = 0;
		t.due_fen = t.amount_fen;
		t.closed_at = c.now;
		if ((rc = store_txn_update(st, &t)) != 0)
			goto bad;
		if ((rc = journal_append(st, c.now, "recover_txn", t.id, 0,
		    NULL)) != 0)
			goto bad;
next:
		if (rc != 0 && rc != QUAN_ENOTFOUND)
			goto bad;
		if ((rc = store_commit(st)) != 0)
			return rc;
		(*n)++;
	}
	return QUAN_OK;
bad:
	store_rollback(st);
	return rc;
}
