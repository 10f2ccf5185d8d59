/*
 * settle.c — outbox rows to sync jobs (see settle.h): the handle, the jobs
 * out at the sync thread, the pump, and the online step of one sale.
 * Results come back through settle_apply.c. Every store write happens on
 * the main thread; the sync thread only ever sees plain-value jobs.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "core/coupon.h"
#include "core/ledger.h"
#include "core/settle.h"
#include "core/settle_int.h"
#include "core/wxbody.h"
#include "store/store.h"
#include "store/store_pay.h"
#include "util/config.h"
#include "util/err.h"
#include "util/log.h"
#include "util/str.h"
#include "util/tm.h"
#include "util/xmem.h"



void
settle_opts_defaults(struct settle_opts *o)
{
	memset(o, 0, sizeof *o);
	o->max_inflight = 128;
	o->queue_cap = 256;
	o->retry_base_s = 2;
	o->retry_max_s = 300;
	o->lease_s = 10;
	o->refresh_s = 3600;
}

uint32_t
settle_rnd(struct settle *s)
{
	uint32_t v = s->rng;

	v ^= v << 13;
	v ^= v >> 17;
	v ^= v << 5;
	s->rng = v;
	return v;
}

int
settle_new(struct settle **out, struct store *st, const struct config *cfg,
    const struct settle_opts *o, struct evq *to_sync)
{
	struct settle *s;
	int i;

	s = xcalloc(1, sizeof *s);
	s->st = st;
	s->cfg = cfg;
	if (o != NULL)
		s->o = *o;
	else
		settle_opts_defaults(&s->o);
	if (s->o.max_inflight < 1)
		s->o.max_inflight = 1;
	if (s->o.queue_cap < 1)
		s->o.queue_cap = 1;
	if (s->o.lease_s < 1)
		s->o.lease_s = 1;
	s->to_sync = to_sync;
	s->rng = (uint32_t)tm_mono_us() | 1u;
	s->stat.online = -1; /* nothing tried yet */
	s->saved_net = -1;
	s->probe = s->o.probe;
	s->probe_ref = -1;
	s->nrefs = cfg != NULL ? cfg->ntargets : 0;
	s->refs = xcalloc((size_t)(s->nrefs > 0 ? s->nrefs : 1),
	    sizeof *s->refs);
	for (i = 0; i < s->nrefs; i++) {
		s->refs[i].tag = REFRESH_TAG_BASE + i;
		s->refs[i].card = cfg->targets[i].kind == CONFIG_CARD;
		str_copy(s->refs[i].id, sizeof s->refs[i].id,
		    cfg->targets[i].id);
	}
	*out = s;
	return QUAN_OK;
}

void
settle_free(struct settle *s)
{
	int i;

	if (s == NULL)
		return;
	for (i = 0; i < s->nrefs; i++)
		free(s->refs[i].json);
	free(s->refs);
	free(s->outs);
	free(s->tried);
	free(s);
}

int
settle_inflight(const struct settle *s)
{
	return s->nouts;
}

static int
out_find(const struct settle *s, int64_t tag)
{
	int i;

	for (i = 0; i < s->nouts; i++)
		if (s->outs[i].tag == tag)
			return i;
	return -1;
}

static void
out_add(struct settle *s, int64_t tag, enum sync_op op, int64_t now)
{
	if (s->nouts == s->capouts) {
		s->capouts = s->capouts ? s->capouts * 2 : 64;
		s->outs = xrealloc(s->outs, (size_t)s->capouts *
		    sizeof *s->outs);
	}
	s->outs[s->nouts].tag = tag;
	s->outs[s->nouts].op = op;
	s->outs[s->nouts].since = now;
	s->nouts++;
}

struct tried *
settle_tried_get(struct settle *s, int64_t tag, int add)
{
	int i;

	for (i = 0; i < s->ntried; i++)
		if (s->tried[i].tag == tag)
			return &s->tried[i];
	if (!add)
		return NULL;
	if (s->ntried == s->captried) {
		s->captried = s->captried ? s->captried * 2 : 64;
		s->tried = xrealloc(s->tried, (size_t)s->captried *
		    sizeof *s->tried);
	}
	s->tried[s->ntried].tag = tag;
	s->tried[s->ntried].n = 0;
	return &s->tried[s->ntried++];
}

void
settle_out_del(struct settle *s, int64_t tag)
{
	int i = out_find(s, tag);

	if (i >= 0)
		s->outs[i] = s->outs[--s->nouts];
}

void
settle_expire(struct settle *s, int64_t now)
{
	int i;

	/* the sync thread may hold a job through its own retries for a
	 * while; only a job out this long had its answer dropped */
	for (i = 0; i < s->nouts; )
		if (now - s->outs[i].since > SETTLE_FORGET_S)
			s->outs[i] = s->outs[--s->nouts];
		else
			i++;
	for (i = 0; i < s->nrefs; i++)
		if (s->refs[i].out && now - s->refs[i].last_try >
		    s->o.lease_s)
			s->refs[i].out = 0;
}

/* ---- request bodies --------------------------------------------------- */

int
settle_body(const struct config *cfg, const struct store_outbox *o,
    char **out)
{
	const char *appid = cfg != NULL ? cfg->wx_appid : "";
	char *txt;
	int rc = QUAN_OK;

	*out = NULL;
	if (o->kind == STORE_CARD)
		txt = wxbody_consume(o->code, o->target);
	else if (o->op == STORE_OP_RETURN)
		txt = wxbody_return(o->code, o->target, o->request_no);
	else
		txt = wxbody_use(o->code, o->target, appid, o->use_time,
		    o->request_no, NULL);
	if (txt == NULL)
		return QUAN_EINVAL; /* a string that is not UTF-8 */
	if (strlen(txt) >= SYNC_BODY_MAX)
		rc = QUAN_ETOOBIG;
	else
		*out = txt;
	if (rc != QUAN_OK)
		free(txt);
	return rc;
}

/* ---- pump ------------------------------------------------------------- */

struct pump_ctx {
	struct settle *s;
	int64_t now;
	int room;
	struct sync_job *jobs;
	int njobs;
	int rc;
	int lease;            /* lease the rows (online step) */
	/* rows seen by this pass (a row can only be taken once) */
};

static int
use_open_cb(void *arg, const struct store_outbox *o)
{
	const struct store_outbox *ret = arg;

	if (o->red_id == ret->red_id && o->op != STORE_OP_RETURN)
		return 1;
	return 0;
}

static enum sync_op
job_op(const struct store_outbox *o)
{
	if (o->op == STORE_OP_RETURN)
		return SYNC_OP_RETURN;
	if (o->op == STORE_OP_CONSUME || o->kind == STORE_CARD)
		return SYNC_OP_CARD_CONSUME;
	return SYNC_OP_USE;
}

static int
pump_row(void *arg, const struct store_outbox *o)
{
	struct pump_ctx *c = arg;
	struct settle *s = c->s;
	struct store_red red;
	struct sync_job *j;
	char *body = NULL;
	int rc;

	if (c->njobs >= c->room)
		return 1;
	if (out_find(s, o->id) >= 0)
		return 0; /* already out (its lease keeps most such rows away) */
	if (s->o.once > 0) {
		struct tried *t = settle_tried_get(s, o->id, 0);

		if (t != NULL && t->n >= s->o.once)
			return 0; /* had its rounds in this run */
	}
	if (o->op == STORE_OP_RETURN && store_outbox_list_txn(s->st,
	    o->txn_id, use_open_cb, (void *)o) == 1)
		return 0; /* use before return */
	if (o->body[0] == '\0') {
		rc = settle_body(s->cfg, o, &body);
		if (rc == QUAN_OK)
			rc = store_outbox_set_body(s->st, o->id, body);
		if (rc != QUAN_OK) {
			free(body);
			c->rc = rc;
			return 1;
		}
	}
	j = &c->jobs[c->njobs];
	memset(j, 0, sizeof *j);
	j->tag = o->id;
	j->op = job_op(o);
	j->attempts = o->attempts;
	/* earlier sends that may have landed: a send never reported as
	 * not having left (a crash, an answer lost) counts as one */
	j->landed = o->attempts - o->unreached;
	str_copy(j->code, sizeof j->code, o->code);
	str_copy(j->target, sizeof j->target, o->target);
	str_copy(j->request_no, sizeof j->request_no, o->request_no);
	str_copy(j->openid, sizeof j->openid, o->openid);
	str_copy(j->body, sizeof j->body, body ? body : o->body);
	j->body_len = (uint32_t)strlen(j->body);
	free(body);
	/* A till's online step leases its rows so that a `quan sync` in
	 * another process does not send them at the same moment; the
	 * drainer's own rows need no lease (it knows its jobs out, and after
	 * a crash it must pick them up again at once). */
	if ((rc = store_outbox_sent(s->st, o->id, c->now)) != QUAN_OK ||
	    (c->lease && (rc = store_outbox_retry(s->st, o->id,
	    c->now + s->o.lease_s, "sent")) != QUAN_OK)) {
		c->rc = rc;
		return 1;
	}
	if (o->op != STORE_OP_RETURN &&
	    store_red_get(s->st, o->red_id, &red) == QUAN_OK &&
	    red.state == CHECKOUT_PENDING) {
		if ((rc = ledger_change(s->st, &red, CHECKOUT_UNKNOWN,
		    LEDGER_KEEP, NULL, "sent", c->now, NULL)) != QUAN_OK) {
			c->rc = rc;
			return 1;
		}
	}
	c->njobs++;
	return 0;
}

int
settle_room_for(struct settle *s)
{
	int room = s->o.max_inflight - s->nouts;
	int q = s->o.queue_cap - (int)evq_len(s->to_sync);

	if (q < room)
		room = q;
	return room > 0 ? room : 0;
}

void
settle_post_job(struct settle *s, const struct sync_job *j, int64_t now)
{
	struct ev ev;

	syncmsg_put(&ev, EV_SYNC_JOB, j, sizeof *j);
	ev.t_mono_us = tm_mono_us();
	if (evq_post(s->to_sync, &ev) != QUAN_OK) {
		/* cannot happen (we sized it); the row stays to retry */
		log_warn("to_sync refused job %lld", (long long)j->tag);
		return;
	}
	out_add(s, j->tag, j->op, now);
}

static void
pump_refresh(struct settle *s, int64_t now, int *room, int *posted)
{
	struct sync_job j;
	int64_t fetched;
	char *raw;
	int i, rc;

	if (s->o.refresh_s <= 0)
		return;
	for (i = 0; i < s->nrefs && *room > 0; i++) {
		struct refresh *r = &s->refs[i];

		if (r->out || now - r->last_try < s->o.refresh_s / 4 + 1)
			continue;
		raw = NULL;
		rc = r->card ? store_card_get(s->st, r->id, &raw, &fetched) :
		    store_stock_get(s->st, r->id, &raw, &fetched);
		free(raw);
		if (rc == QUAN_OK && now - fetched < s->o.refresh_s &&
		    i != s->probe_ref)
			continue;
		if (i == s->probe_ref)
			s->probe_ref = -1;
		memset(&j, 0, sizeof j);
		j.tag = r->tag;
		j.op = r->card ? SYNC_OP_CARD_GET : SYNC_OP_STOCK_GET;
		str_copy(j.target, sizeof j.target, r->id);
		r->out = 1;
		r->last_try = now;
		r->have = r->total = 0;
		log_info("refreshing %s %s (cached %s)", r->card ? "card" :
		    "stock", r->id, rc == QUAN_OK ? "long ago" : "never");
		settle_post_job(s, &j, now);
		(*room)--;
		(*posted)++;
	}
}

static struct refresh *ref_stock(struct settle *s, const char *id);

/* The probe's definition: the first cached stock (when [wechatpay] is
 * configured), else card (when [card] is). */
struct probe_ctx {
	int want_stock, want_card;
	int card;
	char id[STORE_ID_MAX + 1];
};

static int
probe_def(void *arg, enum store_kind kind, const struct store_def *d)
{
	struct probe_ctx *p = arg;

	if (kind == STORE_MERCHANT && p->want_stock &&
	    (p->id[0] == '\0' || p->card)) {
		p->card = 0;
		str_copy(p->id, sizeof p->id, d->id);
	} else if (kind == STORE_CARD && p->want_card && p->id[0] == '\0') {
		p->card = 1;
		str_copy(p->id, sizeof p->id, d->id);
	}
	return 0;
}

static void
probe_pick(struct settle *s)
{
	struct probe_ctx p;
	struct refresh *r;

	s->probe = 0;
	if (s->o.refresh_s <= 0)
		return;
	if (s->nrefs > 0) {
		s->probe_ref = 0;
		return;
	}
	memset(&p, 0, sizeof p);
	p.want_stock = s->cfg != NULL && s->cfg->wx_mchid != NULL &&
	    s->cfg->wx_mchid[0] != '\0';
	p.want_card = s->cfg != NULL && ((s->cfg->card_appid != NULL &&
	    s->cfg->card_appid[0] != '\0') || (s->cfg->card_token_url !=
	    NULL && s->cfg->card_token_url[0] != '\0'));
	if (store_def_list(s->st, probe_def, &p) != 0 || p.id[0] == '\0')
		return;
	if (p.card) {
		s->refs = xrealloc(s->refs, (size_t)(s->nrefs + 1) *
		    sizeof *s->refs);
		r = &s->refs[s->nrefs];
		memset(r, 0, sizeof *r);
		r->tag = REFRESH_TAG_BASE + s->nrefs;
		r->card = 1;
		str_copy(r->id, sizeof r->id, p.id);
		s->nrefs++;
	} else
		r = ref_stock(s, p.id);
	s->probe_ref = (int)(r - s->refs);
}

int
settle_pump(struct settle *s, int64_t now, int *posted)
{
	struct pump_ctx c;
	int i, rc, n = 0;

	if (posted != NULL)
		*posted = 0;
	settle_expire(s, now);
	if (s->probe)
		probe_pick(s);
	memset(&c, 0, sizeof c);
	c.s = s;
	c.now = now;
	c.room = settle_room_for(s);
	if (c.room > 0) {
		c.jobs = xcalloc((size_t)c.room, sizeof *c.jobs);
		if ((rc = store_begin(s->st)) != QUAN_OK) {
			free(c.jobs);
			return rc;
		}
		rc = store_outbox_due(s->st, s->o.once > 0 ? INT64_MAX / 2 :
		    now, c.room + s->nouts + s->nexhausted, pump_row, &c);
		if (rc < 0 || c.rc < 0) {
			store_rollback(s->st);
			free(c.jobs);
			return rc < 0 ? rc : c.rc;
		}
		if ((rc = store_commit(s->st)) != QUAN_OK) {
			store_rollback(s->st);
			free(c.jobs);
			return rc;
		}
		/* committed as sent: only now may the requests leave */
		for (i = 0; i < c.njobs; i++)
			settle_post_job(s, &c.jobs[i], now);
		n = c.njobs;
		free(c.jobs);
	}
	c.room = settle_room_for(s);
	pump_refresh(s, now, &c.room, &n);
	if (posted != NULL)
		*posted = n;
	return QUAN_OK;
}

/* ---- online step ------------------------------------------------------ */

struct txn_ctx {
	struct settle *s;
	int64_t ids[64];
	int n;
};

static int
txn_row(void *arg, const struct store_outbox *o)
{
	struct txn_ctx *c = arg;

	/* use rows, and the returns the checkout queued after its
	 * decision (a coupon the basket's rules refused) */
	if (c->n < 64)
		c->ids[c->n++] = o->id;
	return 0;
}

/* The refresh slot of stock id, added when there is none. */
static struct refresh *
ref_stock(struct settle *s, const char *id)
{
	struct refresh *r;
	int i;

	for (i = 0; i < s->nrefs; i++)
		if (!s->refs[i].card && strcmp(s->refs[i].id, id) == 0)
			return &s->refs[i];
	s->refs = xrealloc(s->refs, (size_t)(s->nrefs + 1) * sizeof *s->refs);
	r = &s->refs[s->nrefs];
	memset(r, 0, sizeof *r);
	r->tag = REFRESH_TAG_BASE + s->nrefs;
	str_copy(r->id, sizeof r->id, id);
	s->nrefs++;
	return r;
}

/* Stock definitions this txn still needs: a merchant coupon WeChat
 * confirmed whose stock (named by the answer) is not cached is fetched
 * (GET stock, stored by apply_def) so the checkout can price it. Each is
 * asked once per online step (since_ms). Returns the fetches out. */
static int
txn_defs(struct settle *s, const int64_t *ids, int n, int64_t now,
    uint64_t since_ms)
{
	struct store_outbox o;
	struct store_red red;
	struct refresh *ref;
	struct sync_job j;
	int64_t fetched;
	char *raw;
	int i, rc, out = 0;

	for (i = 0; i < n; i++) {
		if (store_outbox_get(s->st, ids[i], &o) != QUAN_OK ||
		    o.op != STORE_OP_USE || o.kind != STORE_MERCHANT ||
		    o.state != OUTBOX_DONE ||
		    store_red_get(s->st, o.red_id, &red) != QUAN_OK ||
		    red.state != CHECKOUT_CONFIRMED ||
		    red.target[0] == '\0')
			continue;
		raw = NULL;
		rc = store_stock_get(s->st, red.target, &raw, &fetched);
		free(raw);
		if (rc != QUAN_ENOTFOUND)
			continue;
		ref = ref_stock(s, red.target);
		if (ref->out) {
			out++;
			continue;
		}
		if (ref->asked_ms != 0 && ref->asked_ms >= since_ms)
			continue; /* asked in this step and failed */
		if (settle_room_for(s) <= 0)
			continue;
		memset(&j, 0, sizeof j);
		j.tag = ref->tag;
		j.op = SYNC_OP_STOCK_GET;
		j.flags = SYNC_F_ONLINE;
		str_copy(j.target, sizeof j.target, ref->id);
		ref->out = 1;
		ref->last_try = now;
		ref->asked_ms = tm_mono_ms();
		ref->have = ref->total = 0;
		log_info("fetching stock %s (named by a use answer)", ref->id);
		settle_post_job(s, &j, now);
		out++;
	}
	return out;
}

/* Rows of ids still open (pending/unknown); *waiting: of those, the ones
 * with a job out (an answer may still come). */
static int
txn_open(struct settle *s, const int64_t *ids, int n, int *waiting)
{
	struct store_outbox o;
	int i, open = 0;

	*waiting = 0;
	for (i = 0; i < n; i++)
		if (store_outbox_get(s->st, ids[i], &o) == QUAN_OK &&
		    (o.state == OUTBOX_PENDING ||
		    o.state == OUTBOX_UNKNOWN) &&
		    (o.next_at != STORE_OUTBOX_HELD ||
		    out_find(s, ids[i]) >= 0)) {
			/* a held card consume is awaited only while its
			 * check is out */
			open++;
			if (out_find(s, ids[i]) >= 0)
				(*waiting)++;
		}
	return open;
}

/* The check (code/get) of a held card consume row whose coupon is not
 * decided yet: 1 when *j was filled. Nothing is written: the check
 * consumes nothing, and the row stays held for after the payment. */
static int
check_job(struct settle *s, const struct store_outbox *o, struct sync_job *j)
{
	struct store_red red;

	if (o->op != STORE_OP_CONSUME || o->attempts != 0 ||
	    o->state != OUTBOX_PENDING ||
	    store_red_get(s->st, o->red_id, &red) != QUAN_OK ||
	    red.state != CHECKOUT_PENDING)
		return 0;
	memset(j, 0, sizeof *j);
	j->tag = o->id;
	j->op = SYNC_OP_CARD_CHECK;
	j->flags = SYNC_F_ONLINE;
	str_copy(j->code, sizeof j->code, o->code);
	str_copy(j->target, sizeof j->target, o->target);
	str_copy(j->openid, sizeof j->openid, o->openid);
	return 1;
}

int
settle_txn_send(struct settle *s, int64_t txn_id, int wait_ms)
{
	struct txn_ctx c;
	struct sync_job *jobs;
	struct store_outbox o;
	int64_t now = tm_now();
	int i, rc, nj = 0;

	memset(&c, 0, sizeof c);
	c.s = s;
	s->w.active = 0;
	if ((rc = store_outbox_list_txn(s->st, txn_id, txn_row, &c)) < 0)
		return rc;
	jobs = xcalloc((size_t)(c.n > 0 ? c.n : 1), sizeof *jobs);
	if ((rc = store_begin(s->st)) != QUAN_OK) {
		free(jobs);
		return rc;
	}
	for (i = 0; i < c.n; i++) {
		struct pump_ctx pc;

		if (out_find(s, c.ids[i]) >= 0 ||
		    store_outbox_get(s->st, c.ids[i], &o) != QUAN_OK)
			continue;
		if (o.next_at == STORE_OUTBOX_HELD) {
			/* a card of a sale paid here: checked, not consumed */
			if (check_job(s, &o, &jobs[nj]) == 1)
				nj++;
			continue;
		}
		memset(&pc, 0, sizeof pc);
		pc.s = s;
		pc.now = now;
		pc.room = 1;
		pc.lease = 1;
		pc.jobs = &jobs[nj];
		(void)pump_row(&pc, &o);
		if (pc.rc != QUAN_OK) {
			store_rollback(s->st);
			free(jobs);
			return pc.rc;
		}
		if (pc.njobs == 1) {
			jobs[nj].flags |= SYNC_F_ONLINE;
			nj++;
		}
	}
	if ((rc = store_commit(s->st)) != QUAN_OK) {
		store_rollback(s->st);
		free(jobs);
		return rc;
	}
	for (i = 0; i < nj; i++)
		settle_post_job(s, &jobs[i], now);
	free(jobs);
	memcpy(s->w.ids, c.ids, sizeof c.ids);
	s->w.n = c.n;
	s->w.since = tm_mono_ms();
	s->w.end = s->w.since + (uint64_t)(wait_ms > 0 ? wait_ms : 0);
	/* a stock fetched after a late use answer gets a short grace
	 * (at most 1 s) rather than a needless return */
	s->w.def_end = s->w.end + (uint64_t)(wait_ms > 1000 ? 1000 :
	    wait_ms > 0 ? wait_ms : 0);
	s->w.applied = s->applied;
	s->w.active = 1;
	return QUAN_OK;
}

int
settle_txn_wait(struct settle *s, int *answered, int *unanswered)
{
	uint64_t now = tm_mono_ms(), end;
	int left, waiting, defs;

	if (!s->w.active)
		return 0;
	/* an ALREADY may have turned into a QUERY: still open */
	left = txn_open(s, s->w.ids, s->w.n, &waiting);
	/* a use answer may have named a stock we do not have */
	defs = txn_defs(s, s->w.ids, s->w.n, tm_now(), s->w.since);
	end = defs > 0 ? s->w.def_end : s->w.end;
	if (answered != NULL)
		*answered = s->w.n - left;
	if (unanswered != NULL)
		*unanswered = left;
	/* WeChat unreachable (known from a result since the send): the
	 * offline policy decides now rather than at the deadline; the
	 * requests go on */
	if ((waiting > 0 || defs > 0) && now < end &&
	    !(s->applied != s->w.applied && s->stat.online == 0))
		return end - now < INT32_MAX ? (int)(end - now) : INT32_MAX;
	s->w.active = 0;
	return 0;
}

int
settle_post(struct settle *s, const struct sync_job *job)
{
	struct ev ev;

	syncmsg_put(&ev, EV_SYNC_JOB, job, sizeof *job);
	ev.t_mono_us = tm_mono_us();
	return evq_post(s->to_sync, &ev);
}
