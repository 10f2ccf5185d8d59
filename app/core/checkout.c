/*
 * checkout.c — the checkout engine behind checkout.h: the handle, the
 * basket (open, add, remove, pricing via the rules module), cancel and
 * close. The redeem and the recorded sales are in the engine's other
 * files (checkout_int.h lists them).
 */
#include <inttypes.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/checkout.h"
#include "core/checkout_int.h"
#include "core/journal.h"
#include "core/payment.h"
#include "core/ledger.h"
#include "store/store.h"
#include "util/config.h"
#include "util/err.h"
#include "util/log.h"
#include "util/money.h"
#include "util/str.h"
#include "util/tm.h"
#include "util/xmem.h"



int64_t
checkout_now_of(const struct checkout *co)
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
	str_copy(hit->id, sizeof hit->id, c.target);
	return 1;
}

void
checkout_line_set_reason(struct checkout_line *l, const char *id)
{
	l->reason = reason_parse(id);
	str_copy(l->reason_text, sizeof l->reason_text,
	    l->reason == REASON_OTHER ? id : "");
}

int64_t
checkout_remote_at(const char *remote_ref)
{
	char *e;
	long long v;

	if (remote_ref == NULL || remote_ref[0] == '\0')
		return 0;
	v = strtoll(remote_ref, &e, 10);
	return *e == '\0' && v > 0 ? (int64_t)v : 0;
}

const char *
checkout_line_reason(const struct checkout_line *l)
{
	return reason_text(l->reason, l->reason_text);
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

void
checkout_set_pay_after(struct checkout *co, int on)
{
	co->o.pay_after = on;
}

struct store *
checkout_store(const struct checkout *co)
{
	return co->o.st;
}

const struct checkout_txn *
checkout_current(const struct checkout *co)
{
	return &co->cur;
}

void
checkout_set_cashier(struct checkout *co, const char *id)
{
	str_copy(co->cashier, sizeof co->cashier, id != NULL ? id : "");
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
int
checkout_def_slot(struct checkout *co, enum store_kind kind, const char *id,
    enum reason *reason)
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
	str_copy(d->id, sizeof d->id, id);
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
		*reason = REASON_STORE_ERROR;
		return -1;
	}
	d->rc = rc;
	t = config_target_find(co->o.cfg, kind == STORE_CARD ? CONFIG_CARD :
	    CONFIG_STOCK, id);
	if (rc == 0)
		d->def.per_txn = t != NULL ? t->per_txn : 1;
have:
	if (d->rc == QUAN_ENOTFOUND) {
		*reason = REASON_NO_DEFINITION;
		return -1;
	}
	if (d->rc != 0) {
		*reason = REASON_BAD_DEFINITION;
		return -1;
	}
	return i;
}

/* checkout_add: no reason found yet */
#define LINE_NO_REASON REASON_COUNT

static enum rules_cstate
code_cstate(const char *s)
{
	switch (code_state_parse(s)) {
	case CODE_ISSUED:
		return RULES_CS_AVAILABLE;
	case CODE_USED:
		/* the ledger's mark, and all an archived coupon leaves */
		return RULES_CS_USED;
	}
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
	int64_t disc = 0, due = co->cur.amount_fen, now = checkout_now_of(co);
	int i, n = 0;

	for (i = 0; i < co->cur.nlines; i++) {
		struct checkout_line *l = &co->cur.lines[i];

		if (l->needs_answer) {
			/* priced after WeChat names the stock; only a repeated
			 * code is refused now */
			int j;

			l->state = CHECKOUT_PRICED;
			l->discount_fen = 0;
			l->reason = REASON_NEEDS_ONLINE;
			for (j = 0; j < i; j++)
				if (co->cur.lines[j].state ==
				    CHECKOUT_PRICED && strcmp(co->cur.lines[j].
				    code, l->code) == 0) {
					l->state = CHECKOUT_REFUSED;
					l->reason = REASON_DUPLICATE_CODE;
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
			l->reason = REASON_NONE;
			l->unverified = co->o.online && !co->lp[map[i]].verified;
		} else {
			l->state = CHECKOUT_REFUSED;
			l->discount_fen = 0;
			l->unverified = 0;
			l->reason = reason_of_rules(v[i].reason);
		}
	}
	co->cur.discount_fen = disc;
	co->cur.due_fen = due;
}


int
checkout_add(struct checkout *co, const char *text, size_t len,
    int64_t item_price_fen, int *line_out)
{
	struct classify_result res;
	struct checkout_line *l;
	struct lpriv *lp;
	struct store_code sc;
	enum reason reason = LINE_NO_REASON;
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
	str_copy(l->kind_id, sizeof l->kind_id,
	    classify_kind_id(res.kind));
	if (res.kind != CLASSIFY_INVALID && res.code_len <= CHECKOUT_CODE_MAX)
		str_copy(l->code, sizeof l->code, res.code);
	str_copy(l->target, sizeof l->target, res.id);
	switch (res.kind) {
	case CLASSIFY_INVALID:
		reason = reason_parse(classify_reason_id(res.reason));
		break;
	case CLASSIFY_PAYMENT_CODE:
		reason = REASON_PAYMENT_CODE;
		break;
	case CLASSIFY_OTHER_WALLET:
		reason = REASON_OTHER_WALLET;
		break;
	case CLASSIFY_CLAIM_QR:
		reason = REASON_CLAIM_QR;
		break;
	case CLASSIFY_UNKNOWN:
		reason = REASON_UNKNOWN_CODE;
		break;
	case CLASSIFY_ENCRYPTED_CARD:
		reason = REASON_NEEDS_ONLINE;
		break;
	case CLASSIFY_MERCHANT:
	case CLASSIFY_CARD:
		break;
	}
	if (reason == LINE_NO_REASON && res.code_len > STORE_CODE_MAX)
		reason = REASON_TOO_LONG;
	/* A merchant coupon whose stock is unknown (a WeChat-assigned code
	 * the cache does not know) or not cached: with an online step it is
	 * taken provisionally and priced once the use answer names the
	 * stock; without one it cannot be priced. */
	prov = res.kind == CLASSIFY_MERCHANT && co->o.online;
	if (reason == LINE_NO_REASON && res.id[0] == '\0' && !prov)
		reason = REASON_NO_DEFINITION;
	if (reason == LINE_NO_REASON) {
		kind = res.kind == CLASSIFY_CARD ? STORE_CARD : STORE_MERCHANT;
		if (res.id[0] != '\0') {
			lp->slot = checkout_def_slot(co, kind, res.id, &reason);
			if (lp->slot >= 0 || !prov ||
			    reason != REASON_NO_DEFINITION)
				prov = 0;
			else
				reason = LINE_NO_REASON;
		}
		rc = store_code_get(co->o.st, l->code, &sc);
		if (rc == 0 && sc.kind == kind &&
		    strcmp(sc.target, res.id) == 0) {
			lp->known = 1;
			str_copy(lp->code_state, sizeof lp->code_state,
			    sc.state);
			lp->cp.state = code_cstate(sc.state);
			lp->verified = code_state_parse(sc.state) < 0 &&
			    lp->cp.state == RULES_CS_AVAILABLE;
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
			reason = REASON_ALREADY_USED;
		else if (prov)
			l->needs_answer = 1;
		if (lp->slot >= 0) {
			const struct rules_def *d = &co->defs[lp->slot].def;

			str_copy(l->coupon_type, sizeof l->coupon_type,
			    rules_type_id(d->type));
			str_copy(l->name, sizeof l->name, d->name);
		}
	}
	if (reason != LINE_NO_REASON)
		l->reason = reason;
	l->state = CHECKOUT_REFUSED;
	co->cur.nlines++;
	reprice(co);
	if (co->o.journal_scans) {
		json_t *d = json_object();

		checkout_line_json(d, l);
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
	if ((rc = journal_append(co->o.st, checkout_now_of(co), kind, txn_id, 0,
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

int
checkout_close(struct checkout *co)
{
	int rc;

	if (co->cur.state != CHECKOUT_T_REDEEMED)
		return QUAN_EINVAL;
	if ((rc = checkout_close_txn(co, co->cur.id)) == 0)
		co->cur.state = CHECKOUT_T_CLOSED;
	return rc;
}

int
checkout_close_txn(struct checkout *co, int64_t txn_id)
{
	struct store *st = co->o.st;
	struct store_txn t;
	int64_t now = checkout_now_of(co);
	int rc;

	if ((rc = store_begin(st)) != 0)
		return rc;
	if ((rc = store_txn_get(st, txn_id, &t)) != 0)
		goto bad;
	if (t.state == TXN_CLOSED) {
		/* closed already (a payment closes its sale with its answer) */
		store_rollback(st);
		if (co->cur.id == txn_id)
			co->cur.state = CHECKOUT_T_CLOSED;
		return QUAN_OK;
	}
	if (t.state != TXN_REDEEMED) {
		rc = QUAN_EINVAL;
		goto bad;
	}
	t.state = TXN_CLOSED;
	t.closed_at = now;
	if ((rc = store_txn_update(st, &t)) != 0)
		goto bad;
	if ((rc = journal_append(st, now, "close", t.id, 0, NULL)) != 0)
		goto bad;
	/* closed = paid: card consumes held for the payment may go */
	if ((rc = payment_release_cards(st, t.id, now)) != 0)
		goto bad;
	if ((rc = store_commit(st)) != 0)
		goto bad;
	if (co->cur.id == txn_id)
		co->cur.state = CHECKOUT_T_CLOSED;
	return QUAN_OK;
bad:
	store_rollback(st);
	return rc;
}
