/*
 * pcoupon_sale.c — 商品券 in a sale: lookup, pricing, the uses committed
 * before any request, their answers, returns (pcoupon_sale.h).
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "core/evq.h"
#include "core/journal.h"
#include "core/pcoupon_sale.h"
#include "core/settle.h"
#include "store/store.h"
#include "store/store_pay.h"
#include "store/store_pcoupon.h"
#include "util/config.h"
#include "util/err.h"
#include "util/log.h"
#include "util/str.h"
#include "util/tm.h"
#include "util/xmem.h"

#define USES_MAX 64

struct pcsale {
	struct store *st;
	const struct config *cfg;
	struct settle *se;
	int offline;              /* the network is down now */
};

static int apply_hook(void *arg, const struct sync_result *r, int64_t now);
static int settled(struct pcsale *ps, int64_t txn_id);

struct pcsale *
pcsale_new(struct store *st, const struct config *cfg, struct settle *se)
{
	struct pcsale *ps = xcalloc(1, sizeof *ps);

	ps->st = st;
	ps->cfg = cfg;
	ps->se = se;
	if (se != NULL)
		settle_set_pc(se, apply_hook, ps);
	return ps;
}

void
pcsale_free(struct pcsale *ps)
{
	if (ps == NULL)
		return;
	if (ps->se != NULL)
		settle_set_pc(ps->se, NULL, NULL);
	free(ps);
}

int
pcsale_lookup(struct pcsale *ps, const char *code, struct pc_line *line)
{
	struct pc_coupon rows[2];
	int n = 0, rc;

	memset(line, 0, sizeof *line);
	line->item_price_fen = -1;
	if ((rc = store_pc_lookup(ps->st, code, rows, 2, &n)) != 0)
		return rc;
	if (n == 0)
		return 0;
	line->c = rows[0];
	if (n > 1) {
		line->v.reason = REASON_PC_AMBIGUOUS;
		line->c.state = PC_ST_UNKNOWN;
		line->k.state = PC_DEF_UNKNOWN;
		line->p.state = PC_DEF_UNKNOWN;
		line->p.product_coupon_id[0] = '\0';
		return 1;
	}
	rc = store_pc_product_get(ps->st, rows[0].product_coupon_id,
	    &line->p);
	if (rc == QUAN_OK)
		rc = store_pc_stock_get(ps->st, rows[0].stock_id, &line->k);
	if (rc == QUAN_ENOTFOUND) {
		line->p.product_coupon_id[0] = '\0'; /* no definition */
		rc = QUAN_OK;
	}
	return rc == QUAN_OK ? 1 : rc;
}

void
pcsale_price(struct pcsale *ps, struct pc_line *lines, int n,
    int64_t amount_fen, int64_t remaining_fen, int64_t now,
    int64_t *discount_fen)
{
	struct pc_env env;
	int i, j;

	*discount_fen = 0;
	env.now = now;
	env.store_id = ps->cfg->pc_store_id;
	env.brands = ps->cfg->pc_brands;
	for (i = 0; i < n; i++) {
		struct pc_line *l = &lines[i];
		struct pc_coupon rounds[PC_BUNDLE_MAX];
		struct pc_basket b;
		int nr = 0, dup = 0;

		for (j = 0; j < i; j++)
			dup |= strcmp(lines[j].c.code, l->c.code) == 0;
		if (l->v.reason == REASON_PC_AMBIGUOUS || dup) {
			enum reason why = dup ? REASON_DUPLICATE_CODE :
			    REASON_PC_AMBIGUOUS;

			memset(&l->v, 0, sizeof l->v);
			l->v.reason = why;
			l->v.due_fen = remaining_fen;
			continue;
		}
		if (l->c.user_coupon_bundle_id[0] != '\0' &&
		    store_pc_bundle(ps->st, l->c.user_coupon_bundle_id,
		    rounds, PC_BUNDLE_MAX, &nr) != QUAN_OK)
			nr = 0;
		if (nr > PC_BUNDLE_MAX)
			nr = PC_BUNDLE_MAX;
		b.amount_fen = amount_fen;
		b.remaining_fen = remaining_fen;
		b.item_price_fen = l->item_price_fen;
		(void)pc_price(&l->c, l->p.product_coupon_id[0] ? &l->p : NULL,
		    l->p.product_coupon_id[0] ? &l->k : NULL, rounds, nr, &env,
		    &b, &l->v);
		if (l->v.reason == REASON_NONE &&
		    (ps->se == NULL || ps->offline)) {
			/* the use needs the payment order, online */
			l->v.reason = REASON_PC_ONLINE_ONLY;
			l->v.discount_fen = 0;
			l->v.due_fen = remaining_fen;
		}
		if (l->v.reason == REASON_NONE) {
			remaining_fen -= l->v.discount_fen;
			*discount_fen += l->v.discount_fen;
		}
	}
}

void
pcsale_set_offline(struct pcsale *ps, int offline)
{
	ps->offline = offline;
}

/* The sale's stored discount and due moved by delta_fen (one
 * transaction): the payment is asked for the stored due. */
static int
txn_discount(struct pcsale *ps, int64_t txn_id, int64_t delta_fen)
{
	struct store_txn t;
	int rc;

	if (delta_fen == 0)
		return QUAN_OK;
	if ((rc = store_txn_get(ps->st, txn_id, &t)) != 0)
		return rc;
	t.discount_fen += delta_fen;
	t.due_fen -= delta_fen;
	if ((rc = store_begin(ps->st)) != 0)
		return rc;
	if ((rc = store_txn_update(ps->st, &t)) != 0) {
		store_rollback(ps->st);
		return rc;
	}
	return store_commit(ps->st);
}

int
pcsale_price_txn(struct pcsale *ps, struct pc_line *lines, int n,
    int64_t txn_id, int64_t now, int64_t *discount_fen)
{
	struct store_txn t;
	int rc;

	*discount_fen = 0;
	if (n == 0)
		return QUAN_OK;
	if ((rc = store_txn_get(ps->st, txn_id, &t)) != 0)
		return rc;
	pcsale_price(ps, lines, n, t.amount_fen, t.due_fen, now,
	    discount_fen);
	/* the sale's figures carry the 商品券 discount: the payment is
	 * taken for the reduced due, and reports add it up */
	return txn_discount(ps, txn_id, *discount_fen);
}

int
pcsale_ungrant(struct pcsale *ps, int64_t txn_id, int64_t fen)
{
	return txn_discount(ps, txn_id, -fen);
}

int
pcsale_commit(struct pcsale *ps, int64_t txn_id, const struct pc_line *lines,
    int n, const char *out_trade_no, int use_first, int64_t order_fen,
    int64_t paid_fen, int64_t now, int *nrows)
{
	int i, rc, k = 0;

	if (nrows != NULL)
		*nrows = 0;
	if (out_trade_no == NULL || out_trade_no[0] == '\0' ||
	    strlen(out_trade_no) > PC_TRADE_MAX)
		return QUAN_EINVAL;
	if ((rc = store_begin(ps->st)) != 0)
		return rc;
	for (i = 0; i < n && rc == 0; i++) {
		const struct pc_line *l = &lines[i];
		struct pc_use u;

		if (l->v.reason != REASON_NONE)
			continue;
		memset(&u, 0, sizeof u);
		u.txn_id = txn_id;
		u.line = i;
		str_copy(u.code, sizeof u.code, l->c.code);
		str_copy(u.stock_id, sizeof u.stock_id, l->c.stock_id);
		str_copy(u.product_coupon_id, sizeof u.product_coupon_id,
		    l->c.product_coupon_id);
		str_copy(u.appid, sizeof u.appid, l->c.appid);
		str_copy(u.openid, sizeof u.openid, l->c.openid);
		str_copy(u.brand_id, sizeof u.brand_id, l->c.brand_id);
		str_copy(u.name, sizeof u.name, l->p.name);
		u.type = l->v.rule.type;
		u.bundle_index = l->c.bundle_index;
		snprintf(u.user_coupon_bundle_id,
		    sizeof u.user_coupon_bundle_id, "%s",
		    l->c.user_coupon_bundle_id);
		u.state = PC_USE_PLANNED;
		snprintf(u.use_request_no, sizeof u.use_request_no, "U_%s_%d",
		    out_trade_no, i);
		u.use_time = now;
		str_copy(u.out_trade_no, sizeof u.out_trade_no, out_trade_no);
		str_copy(u.mchid, sizeof u.mchid, ps->cfg->wx_mchid);
		if (l->k.store_scope == PC_STORES_SPECIFIC)
			str_copy(u.store_id, sizeof u.store_id,
			    ps->cfg->pc_store_id);
		u.use_first = use_first;
		u.order_fen = order_fen;
		u.discount_fen = l->v.discount_fen;
		u.paid_fen = paid_fen;
		u.created_at = u.updated_at = now;
		rc = store_pc_use_insert(ps->st, &u);
		k++;
	}
	if (rc != 0) {
		store_rollback(ps->st);
		return rc;
	}
	if ((rc = store_commit(ps->st)) != 0)
		return rc;
	if (nrows != NULL)
		*nrows = k;
	return QUAN_OK;
}

/* The uses of txn (0: every open one) into a new array. */
static int
uses_of(struct pcsale *ps, int64_t txn_id, struct pc_use **out, int *n)
{
	struct pc_use *u = xcalloc(USES_MAX, sizeof *u);
	int rc = txn_id > 0 ? store_pc_use_txn(ps->st, txn_id, u, USES_MAX, n) :
	    store_pc_use_open(ps->st, u, USES_MAX, n);

	if (*n > USES_MAX)
		*n = USES_MAX;
	if (rc != 0) {
		free(u);
		return rc;
	}
	*out = u;
	return QUAN_OK;
}

/* Apply fn to every use of txn in one transaction. */
static int
each_use(struct pcsale *ps, int64_t txn_id, int64_t now,
    int (*fn)(struct pcsale *, struct pc_use *, int64_t, void *), void *arg)
{
	struct pc_use *u = NULL;
	int i, n = 0, rc;

	if ((rc = uses_of(ps, txn_id, &u, &n)) != 0)
		return rc;
	if ((rc = store_begin(ps->st)) != 0) {
		free(u);
		return rc;
	}
	for (i = 0; i < n && rc == 0; i++)
		rc = fn(ps, &u[i], now, arg);
	free(u);
	if (rc != 0) {
		store_rollback(ps->st);
		return rc;
	}
	return store_commit(ps->st);
}

static int
set_paid(struct pcsale *ps, struct pc_use *u, int64_t now, void *arg)
{
	if (u->state != PC_USE_PLANNED || u->use_first ||
	    u->transaction_id[0] != '\0')
		return QUAN_OK;
	str_copy(u->transaction_id, sizeof u->transaction_id,
	    (const char *)arg);
	u->updated_at = now;
	return store_pc_use_update(ps->st, u);
}

int
pcsale_paid(struct pcsale *ps, int64_t txn_id, const char *transaction_id,
    int64_t now)
{
	if (transaction_id == NULL || transaction_id[0] == '\0' ||
	    strlen(transaction_id) > PC_TXID_MAX)
		return QUAN_EINVAL;
	return each_use(ps, txn_id, now, set_paid, (void *)transaction_id);
}

/* Queue the return of a use that may have been applied. */
static int
queue_return(struct pcsale *ps, struct pc_use *u, int64_t now, int *count)
{
	snprintf(u->return_request_no, sizeof u->return_request_no, "R_%s_%d",
	    u->out_trade_no, (int)u->line);
	u->state = PC_USE_RETURN_PENDING;
	u->updated_at = now;
	if (count != NULL)
		(*count)++;
	return store_pc_use_update(ps->st, u);
}

static int
fail_payment(struct pcsale *ps, struct pc_use *u, int64_t now, void *arg)
{
	if (u->state == PC_USE_PLANNED) {
		u->state = PC_USE_FAILED;
		snprintf(u->reason, sizeof u->reason, "payment_failed");
		u->updated_at = now;
		return store_pc_use_update(ps->st, u);
	}
	/* sent (maybe applied) or used: give it back */
	if (u->state == PC_USE_SENT || u->state == PC_USE_USED)
		return queue_return(ps, u, now, arg);
	return QUAN_OK;
}

int
pcsale_payment_failed(struct pcsale *ps, int64_t txn_id, int64_t now,
    int *nreturns)
{
	int k = 0, rc = each_use(ps, txn_id, now, fail_payment, &k);

	if (nreturns != NULL)
		*nreturns = k;
	return rc;
}

static int
refund_use(struct pcsale *ps, struct pc_use *u, int64_t now, void *arg)
{
	struct pc_coupon rounds[PC_BUNDLE_MAX], me;
	int nr = 0;

	if (u->state == PC_USE_PLANNED)
		return fail_payment(ps, u, now, NULL);
	if (u->state != PC_USE_USED && u->state != PC_USE_SENT)
		return QUAN_OK;
	if (u->user_coupon_bundle_id[0] != '\0' &&
	    store_pc_bundle(ps->st, u->user_coupon_bundle_id, rounds,
	    PC_BUNDLE_MAX, &nr) == QUAN_OK) {
		memset(&me, 0, sizeof me);
		me.bundle_index = u->bundle_index;
		if (pc_return_check(&me, rounds, nr < PC_BUNDLE_MAX ? nr :
		    PC_BUNDLE_MAX) != REASON_NONE) {
			/* a later round is used: this one stays used */
			str_copy(u->reason, sizeof u->reason,
			    reason_id(REASON_PC_BUNDLE_ROUND));
			u->updated_at = now;
			return store_pc_use_update(ps->st, u);
		}
	}
	return queue_return(ps, u, now, arg);
}

int
pcsale_return_txn(struct pcsale *ps, int64_t txn_id, int64_t now,
    int *nreturns)
{
	int k = 0, rc = each_use(ps, txn_id, now, refund_use, &k);

	if (nreturns != NULL)
		*nreturns = k;
	return rc;
}

void
pcsale_job(const struct pc_use *u, int ret, struct sync_job *j)
{
	memset(j, 0, sizeof *j);
	j->tag = u->id;
	j->op = ret == 1 ? SYNC_OP_PC_RETURN : ret == 2 ? SYNC_OP_PC_QUERY :
	    SYNC_OP_PC_USE;
	j->flags = SYNC_F_ONLINE;
	j->attempts = ret == 1 ? u->ret_attempts : u->attempts;
	j->landed = j->attempts;
	str_copy(j->code, sizeof j->code, u->code);
	str_copy(j->target, sizeof j->target, u->stock_id);
	str_copy(j->request_no, sizeof j->request_no,
	    ret == 1 ? u->return_request_no : u->use_request_no);
	str_copy(j->openid, sizeof j->openid, u->openid);
	str_copy(j->pc.product_coupon_id, sizeof j->pc.product_coupon_id,
	    u->product_coupon_id);
	str_copy(j->pc.appid, sizeof j->pc.appid, u->appid);
	str_copy(j->pc.brand_id, sizeof j->pc.brand_id, u->brand_id);
	if (ret != 0)
		return;
	str_copy(j->pc.store_id, sizeof j->pc.store_id, u->store_id);
	j->pc.use_time = u->use_time;
	if (u->use_first) {
		str_copy(j->pc.out_trade_no, sizeof j->pc.out_trade_no,
		    u->out_trade_no);
		str_copy(j->pc.mchid, sizeof j->pc.mchid, u->mchid);
	} else {
		snprintf(j->pc.transaction_id, sizeof j->pc.transaction_id,
		    "%s", u->transaction_id);
	}
	j->pc.order_fen = u->order_fen;
	j->pc.discount_fen = u->discount_fen;
	j->pc.paid_fen = u->paid_fen;
	j->pc.bundle_index = u->bundle_index;
}

struct send_ctx {
	int posted;
	struct sync_job jobs[USES_MAX];
};

/* Mark u sent (committed) and keep its job to post after the commit. */
static int
send_one(struct pcsale *ps, struct pc_use *u, int64_t now, void *arg)
{
	struct send_ctx *c = arg;
	int ret;

	(void)ps;
	if (u->state == PC_USE_RETURN_PENDING) {
		ret = 1;
		u->ret_attempts++;
	} else if (u->state == PC_USE_SENT || (u->state == PC_USE_PLANNED &&
	    (u->use_first || u->transaction_id[0] != '\0'))) {
		ret = 0;
		u->attempts++;
		u->state = PC_USE_SENT;
	} else {
		return QUAN_OK;
	}
	u->updated_at = now;
	pcsale_job(u, ret, &c->jobs[c->posted]);
	if (ret == 1)
		c->jobs[c->posted].attempts = u->ret_attempts - 1;
	else
		c->jobs[c->posted].attempts = u->attempts - 1;
	c->jobs[c->posted].landed = c->jobs[c->posted].attempts;
	c->posted++;
	return store_pc_use_update(ps->st, u);
}

int
pcsale_send(struct pcsale *ps, int64_t txn_id, int64_t now, int *posted)
{
	struct send_ctx *c;
	int i, rc;

	if (posted != NULL)
		*posted = 0;
	if (ps->se == NULL)
		return QUAN_ENET;
	c = xcalloc(1, sizeof *c);
	/* sent is committed before any job leaves */
	if ((rc = each_use(ps, txn_id, now, send_one, c)) == 0)
		for (i = 0; i < c->posted && rc == 0; i++)
			rc = settle_post(ps->se, &c->jobs[i]);
	if (posted != NULL)
		*posted = c->posted;
	free(c);
	return rc;
}

int
pcsale_resume(struct pcsale *ps, int64_t now, int *posted)
{
	struct pc_use *u = NULL;
	int i, n = 0, rc;

	if ((rc = uses_of(ps, 0, &u, &n)) != 0)
		return rc;
	for (i = 0; i < n && rc == 0; i++) {
		struct store_pay p;

		if (u[i].state != PC_USE_PLANNED || u[i].use_first ||
		    u[i].transaction_id[0] != '\0' || (i > 0 &&
		    u[i].txn_id == u[i - 1].txn_id))
			continue;
		if (store_pay_for_txn(ps->st, u[i].txn_id, &p) != QUAN_OK)
			continue;
		if (strcmp(p.state, "paid") == 0 && p.transaction_id[0])
			rc = pcsale_paid(ps, u[i].txn_id, p.transaction_id,
			    now);
		else if (strcmp(p.state, "failed") == 0 ||
		    strcmp(p.state, "reversed") == 0)
			rc = pcsale_payment_failed(ps, u[i].txn_id, now, NULL);
	}
	free(u);
	if (rc != 0)
		return rc;
	return pcsale_send(ps, 0, now, posted);
}

int
pcsale_settled(struct pcsale *ps, int64_t txn_id)
{
	return settled(ps, txn_id);
}

int
pcsale_open(struct pcsale *ps)
{
	return !settled(ps, 0);
}

/* A query (after "used by another order") tells whose use it was. */
static int
apply_query(struct pc_use *u, const struct sync_result *r)
{
	if (r->status != SYNC_OK)
		return QUAN_OK; /* stays sent: asked again later */
	if (strcmp(r->pcr.coupon_state, "USED") == 0 &&
	    strcmp(r->pcr.use_request_no, u->use_request_no) == 0) {
		u->state = PC_USE_USED;
		snprintf(u->reason, sizeof u->reason, "ok");
	} else if (strcmp(r->pcr.coupon_state, "USED") == 0) {
		u->state = PC_USE_CONFLICT;
		str_copy(u->reason, sizeof u->reason,
		    reason_id(REASON_ALREADY_USED));
	}
	return QUAN_OK;
}

static int
apply_use(struct pcsale *ps, struct pc_use *u, const struct sync_result *r)
{
	struct sync_job q;

	switch (r->status) {
	case SYNC_OK:
		u->state = PC_USE_USED;
		snprintf(u->reason, sizeof u->reason, "ok");
		break;
	case SYNC_ALREADY:
		/* 272756745: another number used it — unless an answer of
		 * ours was lost: ask whose use it is */
		if (strcmp(r->pcr.use_request_no, u->use_request_no) == 0) {
			u->state = PC_USE_USED;
			break;
		}
		pcsale_job(u, 2, &q);
		if (ps->se != NULL && settle_post(ps->se, &q) == QUAN_OK)
			break;
		u->state = PC_USE_CONFLICT;
		str_copy(u->reason, sizeof u->reason,
		    reason_id(REASON_ALREADY_USED));
		break;
	case SYNC_REJECTED:
		u->state = PC_USE_FAILED;
		str_copy(u->wx_code, sizeof u->wx_code, r->wx_code);
		str_copy(u->reason, sizeof u->reason,
		    r->reason[0] != '\0' ? r->reason : r->wx_code);
		break;
	default:
		break; /* unknown: stays sent, resent with the same number */
	}
	return QUAN_OK;
}

static int
apply_return(struct pcsale *ps, struct pc_use *u, const struct sync_result *r)
{
	(void)ps;
	if (u->state != PC_USE_RETURN_PENDING)
		return QUAN_OK;
	if (r->status == SYNC_OK) {
		u->state = PC_USE_RETURNED;
	} else if (r->status == SYNC_REJECTED) {
		/* refused for good (expired meanwhile, a later round):
		 * the coupon stays used at WeChat; the refusal is kept */
		u->state = PC_USE_USED;
		str_copy(u->wx_code, sizeof u->wx_code, r->wx_code);
		snprintf(u->reason, sizeof u->reason, "return_refused");
	}
	return QUAN_OK;
}

int
pcsale_apply(struct pcsale *ps, const struct sync_result *r, int64_t now)
{
	struct pc_use u;
	enum pc_use_state before;
	int rc;

	if ((rc = store_pc_use_get(ps->st, r->tag, &u)) == QUAN_ENOTFOUND)
		return QUAN_OK;
	if (rc != QUAN_OK)
		return rc;
	before = u.state;
	if (r->op == SYNC_OP_PC_USE && u.state == PC_USE_SENT)
		rc = apply_use(ps, &u, r);
	else if (r->op == SYNC_OP_PC_QUERY && u.state == PC_USE_SENT)
		rc = apply_query(&u, r);
	else if (r->op == SYNC_OP_PC_RETURN)
		rc = apply_return(ps, &u, r);
	if (rc != QUAN_OK || u.state == before)
		return rc;
	u.updated_at = now;
	if ((rc = store_pc_use_update(ps->st, &u)) != 0)
		return rc;
	log_info("product coupon %s (%s): %s", u.code, u.use_request_no,
	    pc_use_state_name(u.state));
	/* the registry follows what WeChat said */
	if (u.state == PC_USE_USED)
		rc = store_pc_set_state(ps->st, u.code, u.stock_id,
		    PC_ST_USED, now);
	else if (u.state == PC_USE_RETURNED)
		rc = store_pc_set_state(ps->st, u.code, u.stock_id,
		    PC_ST_EFFECTIVE, now);
	return rc == QUAN_ENOTFOUND ? QUAN_OK : rc;
}

static int
apply_hook(void *arg, const struct sync_result *r, int64_t now)
{
	return pcsale_apply(arg, r, now);
}

/* 1 when no use of txn is still out. */
static int
settled(struct pcsale *ps, int64_t txn_id)
{
	struct pc_use *u = NULL;
	int i, n = 0, open = 0;

	if (uses_of(ps, txn_id, &u, &n) != 0)
		return 0;
	for (i = 0; i < n; i++)
		open |= u[i].state == PC_USE_SENT ||
		    u[i].state == PC_USE_RETURN_PENDING ||
		    (u[i].state == PC_USE_PLANNED && (u[i].use_first ||
		    u[i].transaction_id[0] != '\0'));
	free(u);
	return !open;
}

int
pcsale_run(struct pcsale *ps, struct evq *results, int64_t txn_id,
    int wait_ms)
{
	uint64_t end = tm_mono_ms() + (uint64_t)(wait_ms > 0 ? wait_ms : 0);
	struct pollfd pf;

	if (ps->se == NULL || results == NULL)
		return settled(ps, txn_id);
	while (!settled(ps, txn_id)) {
		uint64_t t = tm_mono_ms();
		int rc;

		if (t >= end)
			return 0;
		pf.fd = evq_fd(results);
		pf.events = POLLIN;
		rc = poll(&pf, 1, (int)(end - t < 1000 ? end - t : 1000));
		if (rc < 0 && errno != EINTR)
			log_error("product coupon: poll: %s", strerror(errno));
		if ((rc = settle_drain(ps->se, results, tm_now(), NULL)) != 0)
			log_error("product coupon: applying results: %s",
			    quan_strerror(rc));
	}
	return 1;
}

int64_t
pcsale_shortfall(struct pcsale *ps, int64_t txn_id)
{
	struct pc_use *u = NULL;
	int64_t fen = 0;
	int i, n = 0;

	if (txn_id <= 0 || uses_of(ps, txn_id, &u, &n) != 0)
		return 0;
	for (i = 0; i < n; i++)
		if (!u[i].use_first && u[i].transaction_id[0] != '\0' &&
		    (u[i].state == PC_USE_FAILED ||
		    u[i].state == PC_USE_CONFLICT))
			fen += u[i].discount_fen;
	free(u);
	return fen;
}

int
pcsale_journal_shortfall(struct pcsale *ps, int64_t txn_id, int64_t fen,
    const char *who, int64_t now)
{
	json_t *d = json_pack("{s:I, s:s}", "collect_fen", (json_int_t)fen,
	    "why", "product coupon refused after the payment");
	int rc;

	if (who != NULL && who[0] != '\0')
		json_object_set_new(d, "cashier", json_string(who));
	if ((rc = store_begin(ps->st)) != 0) {
		json_decref(d);
		return rc;
	}
	rc = journal_append(ps->st, now, "pc_shortfall", txn_id, 0, d);
	json_decref(d);
	if (rc != 0) {
		store_rollback(ps->st);
		return rc;
	}
	return store_commit(ps->st);
}
