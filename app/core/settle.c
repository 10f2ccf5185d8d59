/*
 * settle.c — outbox rows to sync jobs and sync results to redemption
 * states (see settle.h). Every store write happens here, on the main
 * thread; the sync thread only ever sees plain-value jobs.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "core/coupon.h"
#include "core/ledger.h"
#include "core/settle.h"
#include "store/store.h"
#include "util/config.h"
#include "util/err.h"
#include "util/log.h"
#include "util/str.h"
#include "util/tm.h"
#include "util/xmem.h"

#define REFRESH_TAG_BASE (INT64_C(1) << 62)
#define DEF_MAX (1024 * 1024)
#define SETTLE_FORGET_S 300

/* A job out at the sync thread. */
struct out {
	int64_t tag;
	enum sync_op op;
	int64_t since;        /* epoch s posted */
};

/* A definition being refreshed (kind + id, JSON gathered from chunks). */
struct refresh {
	int64_t tag;
	int card;             /* 0 stock, 1 card */
	char id[SYNC_ID_MAX];
	int64_t last_try;     /* epoch s */
	char *json;           /* chunks land here */
	uint32_t total, have;
	int out;              /* a job is out */
	uint64_t asked_ms;    /* monotonic ms of the last fetch an online
	                         step asked for (0 never) */
};

/* once mode: rounds a row has had in this run */
struct tried {
	int64_t tag;
	int n;
};

struct settle {
	struct tried *tried;
	int ntried, captried, nexhausted;
	struct store *st;
	const struct config *cfg;
	struct settle_opts o;
	struct evq *to_sync;
	struct out *outs;
	int nouts, capouts;
	struct refresh *refs;
	int nrefs;
	int probe;            /* 1: pick a definition to probe with */
	int probe_ref;        /* refs index refreshed whatever its age, -1 */
	uint32_t rng;
	struct settle_status stat;
	int saved_net;        /* enum settle_net last kept in meta, -1 */
	uint64_t applied;     /* results applied since start */
	struct txn_wait {     /* the txn settle_txn_send sent, awaited */
		int active;
		int64_t ids[64];  /* its outbox rows */
		int n;
		uint64_t since, end, def_end;  /* monotonic ms */
		uint64_t applied; /* s->applied when sent */
	} w;
};

/* Copy with truncation (snprintf's "%s" trips -Wformat-truncation). */
static void
scopy(char *dst, size_t n, const char *src)
{
	size_t l = strnlen(src, n - 1);

	memcpy(dst, src, l);
	dst[l] = '\0';
}

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

static uint32_t
rnd(struct settle *s)
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
		scopy(s->refs[i].id, sizeof s->refs[i].id, cfg->targets[i].id);
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

static struct tried *
tried_get(struct settle *s, int64_t tag, int add)
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

static void
out_del(struct settle *s, int64_t tag)
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
	char when[40];
	json_t *j;
	char *txt;
	int rc = QUAN_OK;

	*out = NULL;
	j = json_object();
	if (o->kind == STORE_CARD) {
		json_object_set_new(j, "code", json_string(o->code));
		if (o->target[0] != '\0')
			json_object_set_new(j, "card_id",
			    json_string(o->target));
	} else if (o->op == STORE_OP_RETURN) {
		json_object_set_new(j, "coupon_code", json_string(o->code));
		json_object_set_new(j, "stock_id", json_string(o->target));
		json_object_set_new(j, "return_request_no",
		    json_string(o->request_no));
	} else {
		tm_rfc3339(o->use_time, when, sizeof when);
		json_object_set_new(j, "coupon_code", json_string(o->code));
		if (o->target[0] != '\0')
			json_object_set_new(j, "stock_id",
			    json_string(o->target));
		json_object_set_new(j, "appid",
		    json_string(cfg != NULL ? cfg->wx_appid : ""));
		json_object_set_new(j, "use_time", json_string(when));
		json_object_set_new(j, "use_request_no",
		    json_string(o->request_no));
	}
	txt = json_dumps(j, JSON_COMPACT | JSON_PRESERVE_ORDER |
	    JSON_ENSURE_ASCII);
	json_decref(j);
	if (txt == NULL)
		return QUAN_EINVAL; /* a string that is not UTF-8 */
	if (strlen(txt) >= SYNC_BODY_MAX)
		rc = QUAN_ETOOBIG;
	else
		*out = xstrdup(txt);
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
		struct tried *t = tried_get(s, o->id, 0);

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
	scopy(j->code, sizeof j->code, o->code);
	scopy(j->target, sizeof j->target, o->target);
	scopy(j->request_no, sizeof j->request_no, o->request_no);
	scopy(j->openid, sizeof j->openid, o->openid);
	scopy(j->body, sizeof j->body, body ? body : o->body);
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
	    checkout_cstate_parse(red.state) == CHECKOUT_PENDING) {
		if ((rc = ledger_change(s->st, &red, "unknown", NULL, "sent",
		    c->now, NULL)) != QUAN_OK) {
			c->rc = rc;
			return 1;
		}
	}
	c->njobs++;
	return 0;
}

static int
room_for(struct settle *s)
{
	int room = s->o.max_inflight - s->nouts;
	int q = s->o.queue_cap - (int)evq_len(s->to_sync);

	if (q < room)
		room = q;
	return room > 0 ? room : 0;
}

static void
post_job(struct settle *s, const struct sync_job *j, int64_t now)
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
		scopy(j.target, sizeof j.target, r->id);
		r->out = 1;
		r->last_try = now;
		r->have = r->total = 0;
		log_info("refreshing %s %s (cached %s)", r->card ? "card" :
		    "stock", r->id, rc == QUAN_OK ? "long ago" : "never");
		post_job(s, &j, now);
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
		scopy(p->id, sizeof p->id, d->id);
	} else if (kind == STORE_CARD && p->want_card && p->id[0] == '\0') {
		p->card = 1;
		scopy(p->id, sizeof p->id, d->id);
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
		scopy(r->id, sizeof r->id, p.id);
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
	c.room = room_for(s);
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
			post_job(s, &c.jobs[i], now);
		n = c.njobs;
		free(c.jobs);
	}
	c.room = room_for(s);
	pump_refresh(s, now, &c.room, &n);
	if (posted != NULL)
		*posted = n;
	return QUAN_OK;
}

/* ---- results ---------------------------------------------------------- */

/* "CODE: message" of a result into out, cut on a character boundary
 * (WeChat's messages are Chinese: a cut byte would make the stored text,
 * and the JSON of status and report built from it, invalid UTF-8). */
static void
err_text(char *out, size_t n, const struct sync_result *r)
{
	char b[SYNC_WXCODE_MAX + SYNC_MSG_MAX + 8];

	snprintf(b, sizeof b, "%s%s%s", r->wx_code[0] ? r->wx_code :
	    quan_strerror(r->rc), r->message[0] ? ": " : "", r->message);
	str_clean(out, n, b, sizeof b);
}

static void
set_err(struct settle *s, const struct sync_result *r, int64_t now)
{
	err_text(s->stat.last_error, sizeof s->stat.last_error, r);
	s->stat.last_error_at = now;
}

static int
retry_later(struct settle *s, const struct store_outbox *o,
    const struct sync_result *r, int64_t now)
{
	int64_t d = s->o.retry_base_s > 0 ? s->o.retry_base_s : 1;
	char err[STORE_TEXT_MAX];
	int i;

	for (i = 1; i < o->attempts && d < s->o.retry_max_s; i++)
		d *= 2;
	if (d > s->o.retry_max_s)
		d = s->o.retry_max_s;
	if (r->status == SYNC_STOPPED)
		d = 0;
	else
		d = d / 2 + (int64_t)(rnd(s) % (uint32_t)(d - d / 2 + 1));
	err_text(err, sizeof err, r);
	s->stat.retries++;
	if (r->status != SYNC_STOPPED)
		set_err(s, r, now);
	if (s->o.once > 0) {
		struct tried *t = tried_get(s, o->id, 1);

		if (++t->n == s->o.once)
			s->nexhausted++;
	}
	return store_outbox_retry(s->st, o->id, now + d, err);
}

/* The final answer for row o: the ledger moves the coupon, closes the
 * row, updates the known code and journals it, inside the transaction of
 * the batch being applied. A row settled already (a duplicate answer) is
 * not an error (the ledger refuses before writing anything). */
static int
finish(struct settle *s, const struct store_outbox *o, const char *state,
    const struct sync_result *r, const char *reason, int64_t now)
{
	char ref[32];
	int rc;

	if (r->remote_time > 0)
		snprintf(ref, sizeof ref, "%lld", (long long)r->remote_time);
	rc = ledger_settle_in(s->st, o->id, state, r->wx_code, reason,
	    r->remote_time > 0 ? ref : NULL, now);
	if (rc == QUAN_EINVAL) {
		log_warn("outbox %lld: %s not applied (settled already?)",
		    (long long)o->id, state);
		return QUAN_OK;
	}
	return rc;
}

/* A merchant coupon sent without its stock id (a WeChat-assigned code the
 * cache did not know): keep the stock WeChat's answer names, so that its
 * definition can be fetched and its return carries it. */
static int
learn_stock(struct settle *s, const struct store_outbox *o,
    const struct sync_result *r)
{
	if (o->kind != STORE_MERCHANT || o->target[0] != '\0' ||
	    r->stock_id[0] == '\0')
		return QUAN_OK;
	log_info("outbox %lld: WeChat names stock %s", (long long)o->id,
	    r->stock_id);
	return store_red_set_def(s->st, o->red_id, r->stock_id, NULL);
}

/* A card code consumed at WeChat by someone else: no consume of ours can
 * have landed (every earlier send failed before leaving). Not granted
 * here (the till was waiting, or refused it): rejected already_used. The
 * till granted it offline: the customer had the discount and the coupon
 * was used elsewhere too, a conflict for a manager, never confirmed. */
static int
card_taken(struct settle *s, const struct store_outbox *o,
    const struct sync_result *r, int64_t now)
{
	struct store_red red;
	int rc;

	if ((rc = store_red_get(s->st, o->red_id, &red)) != QUAN_OK)
		return rc;
	set_err(s, r, now);
	if (checkout_cstate_parse(red.state) != CHECKOUT_ACCEPTED_OFFLINE) {
		s->stat.rejected++;
		return finish(s, o, "rejected", r, "already_used", now);
	}
	s->stat.conflicts++;
	log_warn("outbox %lld: card code consumed elsewhere; no consume of "
	    "ours reached WeChat (%d sends, %d never left): conflict",
	    (long long)o->id, o->attempts, o->unreached + (r->reached == 0));
	return finish(s, o, "conflict", r, "used_by_other_request", now);
}

static int
apply_use(struct settle *s, const struct store_outbox *o,
    const struct sync_result *r, int64_t now)
{
	struct sync_job j;
	int rc;

	switch (r->status) {
	case SYNC_OK:
		s->stat.confirmed++;
		if ((rc = learn_stock(s, o, r)) != QUAN_OK)
			return rc;
		return finish(s, o, "confirmed", r, NULL, now);
	case SYNC_REJECTED:
		s->stat.rejected++;
		set_err(s, r, now);
		return finish(s, o, "rejected", r, r->reason, now);
	case SYNC_ALREADY:
		if (o->kind == STORE_CARD)
			return card_taken(s, o, r, now);
		/* Used by some request. Ours, if WeChat's record has our
		 * request number: ask when we know the holder. */
		if (o->kind == STORE_MERCHANT && o->openid[0] != '\0' &&
		    room_for(s) > 0) {
			memset(&j, 0, sizeof j);
			j.tag = o->id;
			j.op = SYNC_OP_QUERY;
			j.attempts = o->attempts;
			scopy(j.code, sizeof j.code, o->code);
			scopy(j.target, sizeof j.target, o->target);
			scopy(j.request_no, sizeof j.request_no, o->request_no);
			scopy(j.openid, sizeof j.openid, o->openid);
			post_job(s, &j, now);
			return QUAN_OK;
		}
		if (o->kind == STORE_MERCHANT && o->openid[0] != '\0')
			return retry_later(s, o, r, now);
		s->stat.conflicts++;
		set_err(s, r, now);
		return finish(s, o, "conflict", r, "used_by_other_request",
		    now);
	case SYNC_RETRY:
	case SYNC_STOPPED:
	default:
		return retry_later(s, o, r, now);
	}
}

static int
apply_query(struct settle *s, const struct store_outbox *o,
    const struct sync_result *r, int64_t now)
{
	struct sync_result x = *r;

	if (r->status == SYNC_OK) {
		if (strcmp(r->use_request_no, o->request_no) == 0 &&
		    strcmp(r->coupon_state, "USED") == 0) {
			int rc;

			s->stat.confirmed++;
			if ((rc = learn_stock(s, o, r)) != QUAN_OK)
				return rc;
			scopy(x.wx_code, sizeof x.wx_code, "");
			return finish(s, o, "confirmed", &x, NULL, now);
		}
		/* Used, but not by us: our use was never applied. */
		s->stat.rejected++;
		snprintf(x.wx_code, sizeof x.wx_code,
		    "RESOURCE_ALREADY_EXISTS");
		snprintf(x.message, sizeof x.message,
		    "used by request %.64s (state %.24s)",
		    r->use_request_no, r->coupon_state);
		set_err(s, &x, now);
		return finish(s, o, "rejected", &x, "used_by_other_request",
		    now);
	}
	if (r->status == SYNC_REJECTED) {
		s->stat.conflicts++;
		set_err(s, r, now);
		return finish(s, o, "conflict", r, "used_by_other_request",
		    now);
	}
	return retry_later(s, o, r, now);
}

static int
apply_return(struct settle *s, const struct store_outbox *o,
    const struct sync_result *r, int64_t now)
{
	switch (r->status) {
	case SYNC_OK:
		s->stat.returned++;
		return finish(s, o, "returned", r, NULL, now);
	case SYNC_REJECTED:
	case SYNC_ALREADY:
		/* WeChat refuses the return (expired, not USED ...): the
		 * ledger makes the coupon a conflict for a manager. */
		s->stat.conflicts++;
		set_err(s, r, now);
		return finish(s, o, "rejected", r, "return_refused", now);
	default:
		return retry_later(s, o, r, now);
	}
}

static int
apply_def(struct settle *s, const struct sync_result *r, int64_t now)
{
	struct refresh *ref;
	struct store_def d;
	json_t *j, *v;
	json_error_t je;
	int i = (int)(r->tag - REFRESH_TAG_BASE), rc = QUAN_OK;

	if (i < 0 || i >= s->nrefs)
		return QUAN_OK;
	ref = &s->refs[i];
	if (r->status != SYNC_OK) {
		ref->out = 0;
		if (r->status != SYNC_STOPPED)
			set_err(s, r, now);
		return QUAN_OK;
	}
	if (r->chunk_total == 0 || r->chunk_total > DEF_MAX ||
	    r->chunk_len > SYNC_CHUNK_MAX ||
	    r->chunk_off + r->chunk_len > r->chunk_total)
		goto bad;
	if (ref->json == NULL || ref->total != r->chunk_total) {
		free(ref->json);
		ref->json = xcalloc(1, (size_t)r->chunk_total + 1);
		ref->total = r->chunk_total;
		ref->have = 0;
	}
	memcpy(ref->json + r->chunk_off, r->chunk, r->chunk_len);
	ref->have += r->chunk_len;
	if (r->chunk_off + r->chunk_len < r->chunk_total)
		return QUAN_OK; /* more to come */
	ref->out = 0;
	if (ref->have != ref->total)
		goto bad; /* a chunk was dropped: next round */
	j = json_loadb(ref->json, ref->total, 0, &je);
	if (j == NULL || !json_is_object(j)) {
		json_decref(j);
		goto bad;
	}
	memset(&d, 0, sizeof d);
	scopy(d.id, sizeof d.id, ref->id);
	d.raw = ref->json;
	d.fetched_at = now;
	if (ref->card) {
		json_t *card = json_object_get(j, "card");
		json_t *base;
		const char *t = json_string_value(json_object_get(card,
		    "card_type"));

		scopy(d.type, sizeof d.type, t ? t : "");
		base = json_object_get(json_object_get(card, t ? t : ""),
		    "base_info");
		v = json_object_get(base, "status");
		scopy(d.state, sizeof d.state, json_string_value(v) ? json_string_value(v) : "");
		v = json_object_get(base, "title");
		scopy(d.name, sizeof d.name, json_string_value(v) ? json_string_value(v) : "");
		rc = store_card_put(s->st, &d);
	} else {
		v = json_object_get(j, "stock_type");
		scopy(d.type, sizeof d.type, json_string_value(v) ? json_string_value(v) : "");
		v = json_object_get(j, "stock_state");
		scopy(d.state, sizeof d.state, json_string_value(v) ? json_string_value(v) : "");
		v = json_object_get(j, "stock_name");
		scopy(d.name, sizeof d.name, json_string_value(v) ? json_string_value(v) : "");
		rc = store_stock_put(s->st, &d);
	}
	json_decref(j);
	free(ref->json);
	ref->json = NULL;
	return rc;
bad:
	log_warn("definition of %s %s: bad or incomplete reply; retry later",
	    ref->card ? "card" : "stock", ref->id);
	free(ref->json);
	ref->json = NULL;
	ref->out = 0;
	return QUAN_OK;
}

enum settle_net
settle_net_state(const struct settle_status *st, int64_t now)
{
	if (st->online != 1 && st->last_rc == QUAN_ETLS &&
	    st->last_error_at >= now - 120)
		return SETTLE_NET_TLS;
	return st->online > 0 ? SETTLE_NET_ONLINE : st->online == 0 ?
	    SETTLE_NET_OFFLINE : SETTLE_NET_CONNECTING;
}

const char *
settle_net_name(enum settle_net n)
{
	switch (n) {
	case SETTLE_NET_ONLINE:
		return "online";
	case SETTLE_NET_OFFLINE:
		return "offline";
	case SETTLE_NET_TLS:
		return "tls_error";
	case SETTLE_NET_CONNECTING:
		break;
	}
	return "connecting";
}

/* Keep the network state in meta when it changed (inside the caller's
 * transaction), for `quan status`. */
static int
save_net(struct settle *s, int64_t now)
{
	enum settle_net n = settle_net_state(&s->stat, now);
	char err[sizeof s->stat.last_error];
	json_t *j;
	char *txt;
	int rc;

	if (n == SETTLE_NET_CONNECTING || (int)n == s->saved_net)
		return QUAN_OK;
	str_clean(err, sizeof err, s->stat.last_error,
	    strlen(s->stat.last_error));
	j = json_pack("{s:s, s:I, s:s}", "state", settle_net_name(n), "since",
	    (json_int_t)now, "error", n == SETTLE_NET_ONLINE ? "" : err);
	txt = j != NULL ? json_dumps(j, JSON_COMPACT) : NULL;
	json_decref(j);
	rc = txt != NULL ? store_meta_set(s->st, "net_state", txt) : QUAN_OK;
	free(txt);
	if (rc == QUAN_OK)
		s->saved_net = (int)n;
	return rc;
}

int
settle_net_saved(struct store *st, char *state, size_t sn, int64_t *since,
    char *error, size_t en)
{
	char v[512];
	json_t *j;
	int rc;

	if ((rc = store_meta_get(st, "net_state", v, sizeof v)) != QUAN_OK)
		return rc;
	if ((j = json_loads(v, 0, NULL)) == NULL)
		return QUAN_ENOTFOUND;
	str_copy(state, sn, json_string_value(json_object_get(j, "state")) ?
	    json_string_value(json_object_get(j, "state")) : "?");
	*since = (int64_t)json_integer_value(json_object_get(j, "since"));
	str_copy(error, en, json_string_value(json_object_get(j, "error")) ?
	    json_string_value(json_object_get(j, "error")) : "");
	json_decref(j);
	return QUAN_OK;
}

static int
apply_one(struct settle *s, const struct ev *ev, int64_t now)
{
	struct sync_result r;
	struct sync_state st;
	struct store_outbox o;
	int rc;

	s->applied++;
	if (ev->type == EV_SYNC_STATE) {
		syncmsg_get(ev, &st, sizeof st);
		/* known once something was answered (the thread's own
		 * online/offline from then on) or failed with no answer ever
		 * (offline); before that: still "connecting" */
		if (st.last_ok > 0 || s->stat.last_ok > 0)
			s->stat.online = st.online;
		else if (st.failed > 0)
			s->stat.online = 0;
		if (st.last_ok > s->stat.last_ok)
			s->stat.last_ok = st.last_ok;
		if (st.last_err_at > 0 && st.last_err_at >=
		    s->stat.last_error_at) {
			snprintf(s->stat.last_error,
			    sizeof s->stat.last_error, "%s", st.last_error);
			s->stat.last_error_at = st.last_err_at;
			s->stat.last_rc = st.last_rc;
		}
		return save_net(s, now);
	}
	if (ev->type != EV_SYNC_DONE)
		return QUAN_OK;
	syncmsg_get(ev, &r, sizeof r);
	if (r.op == SYNC_OP_NOTICE)
		return QUAN_OK; /* the callback receiver's, not ours */
	if (r.op == SYNC_OP_STOCK_GET || r.op == SYNC_OP_CARD_GET) {
		/* the last chunk (or a failure) ends the job */
		if (r.status != SYNC_OK ||
		    r.chunk_off + r.chunk_len >= r.chunk_total)
			out_del(s, r.tag);
		return apply_def(s, &r, now);
	}
	out_del(s, r.tag);
	rc = store_outbox_get(s->st, r.tag, &o);
	if (rc == QUAN_ENOTFOUND)
		return QUAN_OK;
	if (rc != QUAN_OK)
		return rc;
	if (outbox_state_parse(o.state) == OUTBOX_DONE ||
	    outbox_state_parse(o.state) == OUTBOX_CANCELLED)
		return QUAN_OK; /* a duplicate answer */
	if (r.status == SYNC_OK || r.status == SYNC_REJECTED)
		s->stat.last_ok = now;
	/* the job's sends never left (no connection, no TLS, no token):
	 * recorded, so a later "already consumed" is not taken for ours */
	if ((r.op == SYNC_OP_USE || r.op == SYNC_OP_CARD_CONSUME) &&
	    r.reached == 0) {
		log_info("outbox %lld: send %d never reached WeChat (%d tries)",
		    (long long)o.id, o.attempts, (int)r.tries);
		if ((rc = store_outbox_unreached(s->st, o.id)) != 0)
			return rc;
	}
	switch (r.op) {
	case SYNC_OP_USE:
	case SYNC_OP_CARD_CONSUME:
		return apply_use(s, &o, &r, now);
	case SYNC_OP_QUERY:
		return apply_query(s, &o, &r, now);
	case SYNC_OP_RETURN:
		return apply_return(s, &o, &r, now);
	default:
		return QUAN_OK;
	}
}

int
settle_apply(struct settle *s, const struct ev *ev, int64_t now)
{
	int rc;

	if ((rc = store_begin(s->st)) != QUAN_OK)
		return rc;
	if ((rc = apply_one(s, ev, now)) != QUAN_OK) {
		store_rollback(s->st);
		return rc;
	}
	if ((rc = store_commit(s->st)) != QUAN_OK)
		store_rollback(s->st);
	return rc;
}

int
settle_drain(struct settle *s, struct evq *results, int64_t now, int *n)
{
	struct ev ev;
	int rc, k = 0, open = 0;

	if (n != NULL)
		*n = 0;
	/* every answer waiting is applied in ONE transaction: one fsync for
	 * the batch. A failure rolls the batch back; its rows stay unknown
	 * and are resent with the same body (nothing is lost). */
	while (evq_get(results, &ev)) {
		if (!open) {
			if ((rc = store_begin(s->st)) != QUAN_OK)
				return rc;
			open = 1;
		}
		if ((rc = apply_one(s, &ev, now)) != QUAN_OK) {
			log_error("applying a sync result: %s (%s)",
			    quan_strerror(rc), store_errmsg(s->st));
			store_rollback(s->st);
			return rc;
		}
		if (ev.type == EV_SYNC_DONE)
			k++;
		if (k >= 1000)
			break; /* bound the transaction; the rest next call */
	}
	if (open && (rc = store_commit(s->st)) != QUAN_OK) {
		store_rollback(s->st);
		return rc;
	}
	if (n != NULL)
		*n = k;
	return QUAN_OK;
}

void
settle_status(struct settle *s, struct settle_status *out)
{
	(void)store_outbox_depth(s->st, &s->stat.pending, &s->stat.unknown);
	s->stat.inflight = s->nouts;
	*out = s->stat;
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
	scopy(r->id, sizeof r->id, id);
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
		    outbox_state_parse(o.state) != OUTBOX_DONE ||
		    store_red_get(s->st, o.red_id, &red) != QUAN_OK ||
		    checkout_cstate_parse(red.state) != CHECKOUT_CONFIRMED ||
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
		if (room_for(s) <= 0)
			continue;
		memset(&j, 0, sizeof j);
		j.tag = ref->tag;
		j.op = SYNC_OP_STOCK_GET;
		j.flags = SYNC_F_ONLINE;
		scopy(j.target, sizeof j.target, ref->id);
		ref->out = 1;
		ref->last_try = now;
		ref->asked_ms = tm_mono_ms();
		ref->have = ref->total = 0;
		log_info("fetching stock %s (named by a use answer)", ref->id);
		post_job(s, &j, now);
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
		    (outbox_state_parse(o.state) == OUTBOX_PENDING ||
		    outbox_state_parse(o.state) == OUTBOX_UNKNOWN)) {
			open++;
			if (out_find(s, ids[i]) >= 0)
				(*waiting)++;
		}
	return open;
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
		post_job(s, &jobs[i], now);
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
