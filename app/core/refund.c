/*
 * refund.c — refunds driven by their owner's loop (refund.h): the rows,
 * what follows each answer, the requests posted as sync jobs and the
 * answers applied inside settle's drain.
 */
#include <errno.h>
#include <inttypes.h>
#include <jansson.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/checkout.h"
#include "core/evq.h"
#include "core/journal.h"
#include "core/payment.h"
#include "core/refund.h"
#include "core/settle.h"
#include "core/syncmsg.h"
#include "store/store.h"
#include "store/store_pay.h"
#include "util/config.h"
#include "util/err.h"
#include "util/log.h"
#include "util/tm.h"
#include "util/xmem.h"

#define REFUNDS_MAX 64        /* refunds out at once in one process */
#define RETRY_MAX_MS 60000    /* the longest wait between two requests */

struct entry {
	int64_t id;
	struct store_refund row;
	char out_trade_no[33];
	int out;                  /* a request is out */
	enum sync_op out_op;
	int tries;                /* requests since the last progress */
	int resumed;
	int adopted;              /* taken over: settled here when final */
};

struct refund {
	struct checkout *co;
	struct store *st;
	const struct config *cfg;
	struct settle *se;
	int64_t interval_ms;
	struct entry *e[REFUNDS_MAX];
	int n;
	int newly_final;
};

static const char *const state_names[] = {
	[REFUND_PENDING] = "pending", [REFUND_PROCESSING] = "processing",
	[REFUND_SUCCESS] = "success", [REFUND_FAILED] = "failed",
	[REFUND_ABNORMAL] = "abnormal"
};

const char *
refund_state_name(enum refund_state s)
{
	return (unsigned)s < sizeof state_names / sizeof state_names[0] ?
	    state_names[s] : "pending";
}

static enum refund_state
state_parse(const char *s)
{
	size_t i;

	for (i = 0; i < sizeof state_names / sizeof state_names[0]; i++)
		if (strcmp(s, state_names[i]) == 0)
			return (enum refund_state)i;
	return REFUND_PENDING;
}

int
refund_state_final(enum refund_state s)
{
	return s == REFUND_SUCCESS || s == REFUND_FAILED ||
	    s == REFUND_ABNORMAL;
}

static int settle_refund(void *arg, const struct sync_result *r,
    int64_t now);

struct refund *
refund_new(struct checkout *co, struct store *st, const struct config *cfg,
    struct settle *se)
{
	struct refund *rf = xcalloc(1, sizeof *rf);

	rf->co = co;
	rf->st = st;
	rf->cfg = cfg;
	rf->se = se;
	rf->interval_ms = cfg->pay_query_interval_ms > 0 ?
	    cfg->pay_query_interval_ms : 5000;
	if (se != NULL)
		settle_set_refund(se, settle_refund, rf);
	return rf;
}

void
refund_free(struct refund *rf)
{
	int i;

	if (rf == NULL)
		return;
	if (rf->se != NULL)
		settle_set_refund(rf->se, NULL, NULL);
	for (i = 0; i < rf->n; i++)
		free(rf->e[i]);
	free(rf);
}

static struct entry *
find(const struct refund *rf, int64_t id)
{
	int i;

	for (i = 0; i < rf->n; i++)
		if (rf->e[i]->id == id)
			return rf->e[i];
	return NULL;
}

static void
drop(struct refund *rf, int64_t id)
{
	int i;

	for (i = 0; i < rf->n; i++)
		if (rf->e[i]->id == id) {
			free(rf->e[i]);
			rf->e[i] = rf->e[--rf->n];
			return;
		}
}

static int
journal_refund(struct store *st, const struct store_refund *r,
    int64_t now)
{
	json_t *d = json_pack("{s:s, s:s, s:s, s:I, s:I, s:s, s:s, s:s}",
	    "out_refund_no", r->out_refund_no, "kind", r->kind,
	    "state", r->state, "amount_fen", (json_int_t)r->amount_fen,
	    "total_fen", (json_int_t)r->total_fen, "refund_id", r->refund_id,
	    "reason", r->reason, "by", r->approved_by);
	int rc = journal_append(st, now, "refund", r->txn_id, 0, d);

	json_decref(d);
	if (rc == 0 && state_parse(r->state) == REFUND_ABNORMAL)
		log_error("ALARM: refund %s of sale %" PRId64 " ended ABNORMAL: "
		    "WeChat could not pay the customer back; a manager must "
		    "(quan status, X report)", r->out_refund_no, r->txn_id);
	return rc;
}

/* Track a refund row here (it is ours now). */
static struct entry *
track(struct refund *rf, const struct store_refund *r, const char *otn)
{
	struct entry *e = find(rf, r->id);

	if (e == NULL) {
		if (rf->n >= REFUNDS_MAX)
			return NULL;
		e = xcalloc(1, sizeof *e);
		rf->e[rf->n++] = e;
	}
	e->id = r->id;
	e->row = *r;
	snprintf(e->out_trade_no, sizeof e->out_trade_no, "%s", otn);
	return e;
}

/* Take over the open refund r (inside a transaction): owner = us. */
static int
take_over(struct refund *rf, struct store_refund *r, int64_t now)
{
	r->owner = (int64_t)getpid();
	r->updated_at = now;
	r->next_at = tm_now_ms();
	return store_refund_update(rf->st, r);
}

int
refund_start(struct refund *rf, int64_t txn_id, int64_t amount_fen,
    int void_sale, const char *by, int64_t *id)
{
	struct store_pay p;
	struct store_refund r;
	struct entry *e;
	int64_t live, done, left, seq, now = tm_now();
	int rc, resumed = 0, wechat;

	*id = 0;
	if (by == NULL || by[0] == '\0' || strlen(by) >= sizeof r.approved_by
	    || amount_fen < 0 || (void_sale && amount_fen != 0))
		return QUAN_EINVAL;
	if (rf->n >= REFUNDS_MAX)
		return QUAN_EBUSY;
	if ((rc = store_begin(rf->st)) != 0)
		return rc;
	rc = store_pay_for_txn(rf->st, txn_id, &p);
	if (rc == 0 && strcmp(p.state, "paid") != 0)
		rc = QUAN_ENOTFOUND;
	if (rc != 0)
		goto fail;
	wechat = strcmp(p.tender, "wechat") == 0;
	if (wechat && rf->se == NULL) {
		rc = QUAN_ENET;
		goto fail;
	}
	rc = store_refund_open_of(rf->st, p.id, &r);
	if (rc == 0) {
		/* one under way: the same refund asked again (a command
		 * repeated after a crash) is resumed, never made twice */
		if (!payment_owner_gone(r.owner, r.updated_at, now) &&
		    r.owner != (int64_t)getpid()) {
			rc = QUAN_EBUSY;
			goto fail;
		}
		if ((amount_fen != 0 && amount_fen != r.amount_fen) ||
		    (void_sale != (strcmp(r.kind, "void") == 0))) {
			rc = QUAN_EBUSY;
			goto fail;
		}
		if ((rc = take_over(rf, &r, now)) != 0)
			goto fail;
		resumed = 1;
		goto commit;
	}
	if (rc != QUAN_ENOTFOUND ||
	    (rc = store_refund_sum(rf->st, p.id, &live, &done)) != 0)
		goto fail;
	left = p.amount_fen - live;
	if (void_sale && left == 0) {
		/* everything is back already (or on its way to a person) */
		store_rollback(rf->st);
		return done == p.amount_fen ? QUAN_OK : QUAN_EBUSY;
	}
	if (amount_fen == 0)
		amount_fen = left;
	if (amount_fen > left || left <= 0) {
		rc = QUAN_ETOOBIG;
		goto fail;
	}
	memset(&r, 0, sizeof r);
	if ((rc = store_seq_next(rf->st, "request_no", &seq)) != 0)
		goto fail;
	snprintf(r.out_refund_no, sizeof r.out_refund_no, "%sR%012" PRId64,
	    rf->cfg->term_id, seq);
	r.txn_id = txn_id;
	r.payment_id = p.id;
	snprintf(r.kind, sizeof r.kind, "%s", void_sale ? "void" : "partial");
	/* cash and other: the cashier hands the money back now */
	snprintf(r.state, sizeof r.state, "%s", wechat ? "pending" :
	    "success");
	r.amount_fen = amount_fen;
	r.total_fen = p.amount_fen;
	r.payer_fen = wechat ? -1 : amount_fen;
	r.voucher_fen = wechat ? -1 : 0;
	snprintf(r.approved_by, sizeof r.approved_by, "%s", by);
	r.next_at = tm_now_ms();
	r.created_at = r.updated_at = now;
	r.owner = (int64_t)getpid();
	if ((rc = store_refund_insert(rf->st, &r)) != 0 ||
	    (rc = journal_refund(rf->st, &r, now)) != 0)
		goto fail;
commit:
	if ((rc = store_commit(rf->st)) != 0)
		goto fail;
	if ((e = track(rf, &r, p.out_trade_no)) == NULL)
		return QUAN_EBUSY; /* committed: `quan sync` goes on */
	e->resumed = resumed;
	if (!wechat)
		rf->newly_final = 1;
	*id = r.id;
	return QUAN_OK;
fail:
	store_rollback(rf->st);
	return rc;
}

/* ---- answers (inside settle's drain transaction) ---------------------- */

/* Errors after which the same refund is sent again (doc §9.2: "请使用
 * 相同参数再次调用"): WeChat's own trouble, limits, no answer. */
static int
retryable(enum pay_err e)
{
	switch (e) {
	case PAY_E_SYSTEMERROR:
	case PAY_E_BIZERR_NEED_RETRY:
	case PAY_E_FREQUENCY_LIMITED:
	case PAY_E_INVALID_REQ_TOO_MUCH:
	case PAY_E_NET:
	case PAY_E_BAD_REPLY:
	case PAY_E_HTTP:
	case PAY_E_RETURN_FAIL:
		return 1;
	default:
		return 0;
	}
}

/* What the answer means for the row: the new state, and whether it was
 * progress (an answer that moved or settled it). */
static void
feed(struct entry *e, const struct sync_result *res, int64_t now_ms,
    int64_t interval_ms)
{
	const struct sync_refund *a = &res->refund;
	struct store_refund *r = &e->row;
	enum pay_err err = (enum pay_err)a->err;
	enum pay_refund_state rs = (enum pay_refund_state)a->state;
	enum refund_state st = state_parse(r->state), to = st;
	int answered = res->status != SYNC_RETRY && res->status !=
	    SYNC_STOPPED && a->rc == 0 && a->trusted;
	int64_t wait;

	if (!answered && err == PAY_E_NONE)
		err = a->rc == QUAN_EPROTO ? PAY_E_BAD_REPLY : PAY_E_NET;
	if (answered && err == PAY_E_NONE) {
		to = rs == PAY_RS_SUCCESS ? REFUND_SUCCESS :
		    rs == PAY_RS_CLOSED ? REFUND_FAILED :
		    rs == PAY_RS_ABNORMAL ? REFUND_ABNORMAL :
		    REFUND_PROCESSING;
		if (a->refund_id[0] != '\0')
			snprintf(r->refund_id, sizeof r->refund_id, "%s",
			    a->refund_id);
		if (a->payer_refund_fen >= 0)
			r->payer_fen = a->payer_refund_fen;
		if (a->voucher_refund_fen >= 0)
			r->voucher_fen = a->voucher_refund_fen;
		if (to == REFUND_FAILED)
			err = PAY_E_ORDERCLOSED;
	} else if (answered && err == PAY_E_REFUNDNOTEXIST) {
		to = REFUND_PENDING; /* it never arrived: send it again */
	} else if (!answered || retryable(err)) {
		to = st; /* the same request again, same out_refund_no */
	} else if (res->op == SYNC_OP_REFUND) {
		to = REFUND_FAILED; /* WeChat refused it: nothing given back */
	}
	if (to != st || refund_state_final(to))
		e->tries = 0;
	else
		e->tries++;
	snprintf(r->state, sizeof r->state, "%s", refund_state_name(to));
	snprintf(r->reason, sizeof r->reason, "%s", to == REFUND_SUCCESS ||
	    err == PAY_E_NONE ? "" : pay_err_name(err));
	wait = interval_ms << (e->tries < 4 ? e->tries : 4);
	r->next_at = now_ms + (wait > RETRY_MAX_MS ? RETRY_MAX_MS : wait);
}

static int
settle_refund(void *arg, const struct sync_result *res, int64_t now)
{
	struct refund *rf = arg;
	struct entry *e = find(rf, res->tag);
	enum refund_state before;
	int rc;

	if (e == NULL || !e->out || res->op != e->out_op)
		return QUAN_OK; /* late, or another process's */
	e->out = 0;
	before = state_parse(e->row.state);
	feed(e, res, tm_now_ms(), rf->interval_ms);
	e->row.updated_at = now;
	log_info("refund %s: %s answered %s -> %s", e->row.out_refund_no,
	    res->op == SYNC_OP_REFUND ? "refund" : "query",
	    e->row.reason[0] ? e->row.reason : "ok", e->row.state);
	if ((rc = store_refund_update(rf->st, &e->row)) != 0)
		return rc;
	if (refund_state_final(state_parse(e->row.state)) &&
	    !refund_state_final(before)) {
		rf->newly_final = 1;
		return journal_refund(rf->st, &e->row, now);
	}
	return QUAN_OK;
}

/* ---- requests --------------------------------------------------------- */

static int
post(struct refund *rf, struct entry *e)
{
	struct sync_job j;
	int rc;

	memset(&j, 0, sizeof j);
	j.tag = e->id;
	j.flags = SYNC_F_ONCE | SYNC_F_ONLINE;
	j.op = state_parse(e->row.state) == REFUND_PENDING ? SYNC_OP_REFUND :
	    SYNC_OP_REFUND_QUERY;
	snprintf(j.code, sizeof j.code, "%s", e->out_trade_no);
	snprintf(j.request_no, sizeof j.request_no, "%s",
	    e->row.out_refund_no);
	j.amount_fen = e->row.amount_fen;
	j.total_fen = e->row.total_fen;
	/* the row (out_refund_no, amounts) was committed before the first
	 * request: a crash anywhere is resumed with the same key */
	e->row.requests++;
	e->row.owner = (int64_t)getpid();
	if ((rc = settle_post(rf->se, &j)) != 0)
		return rc;
	e->out = 1;
	e->out_op = j.op;
	return QUAN_OK;
}

int
refund_step(struct refund *rf)
{
	int64_t now = tm_now_ms();
	int i, rc, fin;

	for (i = 0; i < rf->n && rf->se != NULL; i++) {
		struct entry *e = rf->e[i];

		if (e->out || refund_state_final(state_parse(e->row.state)) ||
		    now < e->row.next_at)
			continue;
		if ((rc = post(rf, e)) != 0)
			log_warn("refund %s: request not sent now: %s",
			    e->row.out_refund_no, quan_strerror(rc));
	}
	fin = rf->newly_final;
	rf->newly_final = 0;
	/* what `quan sync` took over is settled here: nobody else will */
	for (i = 0; fin && i < rf->n; i++) {
		struct entry *e = rf->e[i];

		if (!e->adopted ||
		    !refund_state_final(state_parse(e->row.state)))
			continue;
		if ((rc = refund_settle(rf, e->id)) != 0)
			log_error("refund %s: settling: %s",
			    e->row.out_refund_no, quan_strerror(rc));
		else
			i = -1; /* the array changed: from the start */
	}
	return fin;
}

int
refund_timeout_ms(const struct refund *rf)
{
	int64_t now = tm_now_ms(), best = -1, d;
	int i;

	for (i = 0; i < rf->n; i++) {
		const struct entry *e = rf->e[i];

		if (refund_state_final(state_parse(e->row.state)))
			continue;
		d = e->out ? 1000 : e->row.next_at - now;
		if (d < 0)
			d = 0;
		if (best < 0 || d < best)
			best = d;
	}
	return best > 60000 ? 60000 : (int)best;
}

int
refund_active(const struct refund *rf)
{
	int i, k = 0;

	for (i = 0; i < rf->n; i++)
		k += !refund_state_final(state_parse(rf->e[i]->row.state));
	return k;
}

int
refund_view(struct refund *rf, int64_t id, struct refund_view *out)
{
	struct entry *e = find(rf, id);
	struct store_refund r;
	struct store_pay p;
	int64_t live, done;
	int rc;

	memset(out, 0, sizeof *out);
	if (e != NULL)
		r = e->row;
	else if ((rc = store_refund_get(rf->st, id, &r)) != 0)
		return rc;
	if ((rc = store_pay_get(rf->st, r.payment_id, &p)) != 0 ||
	    (rc = store_refund_sum(rf->st, r.payment_id, &live, &done)) != 0)
		return rc;
	out->id = r.id;
	out->txn_id = r.txn_id;
	out->payment_id = r.payment_id;
	out->state = state_parse(r.state);
	out->err = r.reason[0] ? pay_err_parse(r.reason) : PAY_E_NONE;
	out->void_sale = strcmp(r.kind, "void") == 0;
	out->resumed = e != NULL && e->resumed;
	snprintf(out->tender, sizeof out->tender, "%s", p.tender);
	snprintf(out->out_refund_no, sizeof out->out_refund_no, "%s",
	    r.out_refund_no);
	snprintf(out->refund_id, sizeof out->refund_id, "%s", r.refund_id);
	snprintf(out->approved_by, sizeof out->approved_by, "%s",
	    r.approved_by);
	out->amount_fen = r.amount_fen;
	out->total_fen = r.total_fen;
	out->payer_fen = r.payer_fen;
	out->voucher_fen = r.voucher_fen;
	out->left_fen = p.amount_fen - live;
	return QUAN_OK;
}

int
refund_settle(struct refund *rf, int64_t id)
{
	struct store_refund r;
	struct store_txn t;
	char *cause = NULL;
	int rc;

	if ((rc = store_refund_get(rf->st, id, &r)) != 0)
		return rc;
	if (!refund_state_final(state_parse(r.state)))
		return QUAN_OK;
	if (strcmp(r.state, "success") == 0 && strcmp(r.kind, "void") == 0) {
		if ((rc = store_txn_get(rf->st, r.txn_id, &t)) != 0)
			return rc;
		if (t.state != TXN_VOIDED) {
			rc = checkout_void(rf->co, r.txn_id, r.approved_by,
			    &cause);
			if (rc == 0 && rf->se != NULL &&
			    settle_txn_send(rf->se, r.txn_id, 0) != 0)
				log_warn("refund %s: the returns wait for "
				    "quan sync", r.out_refund_no);
			if (rc != 0) {
				log_error("refund %s: voiding sale %" PRId64
				    ": %s", r.out_refund_no, r.txn_id,
				    cause != NULL ? cause :
				    quan_strerror(rc));
				free(cause);
				return rc;
			}
		}
	}
	drop(rf, id);
	return QUAN_OK;
}

/* ---- adoption by `quan sync` ------------------------------------------ */

int
refund_adopt(struct refund *rf, int *n)
{
	int64_t ids[REFUNDS_MAX], now = tm_now();
	struct store_refund r;
	struct store_pay p;
	struct entry *e;
	int k, i, rc, took = 0;

	if (n != NULL)
		*n = 0;
	if ((rc = store_refund_list_open(rf->st, ids, REFUNDS_MAX, &k)) != 0)
		return rc;
	for (i = 0; i < k; i++) {
		if (find(rf, ids[i]) != NULL)
			continue;
		if ((rc = store_begin(rf->st)) != 0)
			return rc;
		if ((rc = store_refund_get(rf->st, ids[i], &r)) != 0 ||
		    (rc = store_pay_get(rf->st, r.payment_id, &p)) != 0 ||
		    !payment_owner_gone(r.owner, r.updated_at, now)) {
			store_rollback(rf->st);
			if (rc != 0)
				return rc;
			continue;
		}
		if (refund_state_final(state_parse(r.state))) {
			/* a 'void' refund done, its sale not voided: the
			 * process died between the two */
			store_rollback(rf->st);
			if ((e = track(rf, &r, p.out_trade_no)) != NULL &&
			    refund_settle(rf, r.id) == 0)
				took++;
			continue;
		}
		if ((rc = take_over(rf, &r, now)) != 0 ||
		    (rc = store_commit(rf->st)) != 0) {
			store_rollback(rf->st);
			return rc;
		}
		if ((e = track(rf, &r, p.out_trade_no)) == NULL)
			break;
		e->adopted = 1;
		took++;
		log_warn("sync: refund %s of sale %" PRId64 " taken over "
		    "(its process is gone)", r.out_refund_no, r.txn_id);
	}
	/* what is taken over is settled here when final */
	if (n != NULL)
		*n = took;
	return QUAN_OK;
}

int
refund_open_count(struct store *st)
{
	int64_t ids[1];
	int n = 0;

	return store_refund_list_open(st, ids, 1, &n) == 0 ? n : 0;
}

enum refund_state
refund_run(struct refund *rf, struct evq *results, int64_t id,
    int64_t wait_ms)
{
	struct refund_view v;
	struct pollfd pf;
	int64_t end = tm_now_ms() + wait_ms;
	int ms, rc;

	for (;;) {
		(void)refund_step(rf);
		if (refund_view(rf, id, &v) != 0)
			return REFUND_PENDING;
		if (refund_state_final(v.state) || tm_now_ms() >= end ||
		    results == NULL)
			return v.state;
		ms = refund_timeout_ms(rf);
		if (ms < 0 || ms > end - tm_now_ms())
			ms = (int)(end - tm_now_ms());
		pf.fd = evq_fd(results);
		pf.events = POLLIN;
		rc = poll(&pf, 1, ms > 0 ? ms : 0);
		if (rc < 0 && errno != EINTR)
			log_error("refund: poll: %s", strerror(errno));
		if (rf->se != NULL && (rc = settle_drain(rf->se, results,
		    tm_now(), NULL)) != 0)
			log_error("refund: applying results: %s",
			    quan_strerror(rc));
	}
}

int
refund_alarm(struct store *st, int64_t *n, int64_t *fen)
{
	return store_refund_abnormal(st, n, fen);
}
