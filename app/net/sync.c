/*
 * sync.c — the sync thread. One dispatcher thread reads the core's job
 * queue and keeps the jobs it holds in arrival order; a few worker threads,
 * each with its own executor context (its own connections), run one job at
 * a time. Dispatcher and workers talk only through evq queues (one per
 * worker in, one shared `done` back), so the only locks are the queues'.
 */
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "net/sync.h"
#include "util/err.h"
#include "util/log.h"
#include "util/str.h"
#include "util/tm.h"
#include "util/xmem.h"

#define SYNC_WORKERS_MAX 16

/* A job the dispatcher holds until it is answered for good. */
struct held {
	struct sync_job job;
	uint64_t recv_us;   /* when the dispatcher got it */
	uint64_t due_us;    /* not before (backoff) */
	int tries;          /* sends made here */
	int reached;        /* of those, tries that may have reached WeChat */
	int worker;         /* -1 idle, else the worker running it */
};

/* worker -> dispatcher, inside an EV_SYNC_DONE's opaque bytes. */
struct wdone {
	int32_t worker;
	struct sync_result res;
};
_Static_assert(sizeof(struct wdone) <= 1024, "wdone > ev opaque");

struct worker {
	struct sync *s;
	int idx;
	pthread_t th;
	int started;
	struct evq *in;     /* dispatcher -> this worker */
};

struct sync {
	struct sync_cfg cfg;
	struct evq *jobs;     /* core -> dispatcher (borrowed) */
	struct evq *results;  /* dispatcher/workers -> core (borrowed) */
	struct evq *done;     /* workers -> dispatcher */
	const struct sync_exec_ops *ops;
	void *arg;
	atomic_int stop;
	pthread_t th;

	struct worker w[SYNC_WORKERS_MAX];
	int nw;

	/* dispatcher-only state below */
	int busy[SYNC_WORKERS_MAX];
	struct held *held;
	size_t nheld, capheld;
	struct sync_rate rate;
	uint32_t rng;
	uint64_t pause_until_us; /* 429 / offline probe gap */
	int net_fails;           /* consecutive network failures */
	struct sync_state st;
	int st_dirty;
	uint64_t st_last_us;
	uint64_t probe_due_us;   /* idle until then: probe (0: off) */
};

void
sync_cfg_defaults(struct sync_cfg *cfg)
{
	memset(cfg, 0, sizeof *cfg);
	cfg->workers = 8;
	cfg->rate_per_s = 500;
	cfg->backoff_base_ms = 200;
	cfg->backoff_max_ms = 30000;
	cfg->max_tries = 4;
	cfg->state_every_ms = 2000;
}

static uint32_t
xorshift(uint32_t *x)
{
	uint32_t v = *x ? *x : 0x9e3779b9u;

	v ^= v << 13;
	v ^= v >> 17;
	v ^= v << 5;
	*x = v;
	return v;
}

uint32_t
sync_backoff_ms(int n, int base_ms, int max_ms, uint32_t *rng)
{
	uint64_t d;
	int i;

	if (n < 1)
		n = 1;
	if (base_ms < 1)
		base_ms = 1;
	if (max_ms < base_ms)
		max_ms = base_ms;
	d = (uint64_t)base_ms;
	for (i = 1; i < n && d < (uint64_t)max_ms; i++)
		d *= 2;
	if (d > (uint64_t)max_ms)
		d = (uint64_t)max_ms;
	return (uint32_t)(d / 2 + xorshift(rng) % (d - d / 2 + 1));
}

void
sync_rate_init(struct sync_rate *r, int rate, int burst, uint64_t now_us)
{
	memset(r, 0, sizeof *r);
	r->rate = rate < 0 ? 0 : rate;
	r->burst = burst < 1 ? 1 : burst;
	r->tokens_milli = (int64_t)r->burst * 1000;
	r->last_us = now_us;
}

int
sync_rate_take(struct sync_rate *r, uint64_t now_us, uint64_t *wait_us)
{
	int64_t add;

	*wait_us = 0;
	if (r->rate == 0)
		return 1;
	if (now_us > r->last_us) {
		/* tokens * 1000 gained = dt_us * rate / 1000 */
		add = (int64_t)((now_us - r->last_us) * (uint64_t)r->rate /
		    1000);
		if (add > 0) {
			r->tokens_milli += add;
			r->last_us = now_us;
		}
		if (r->tokens_milli > (int64_t)r->burst * 1000)
			r->tokens_milli = (int64_t)r->burst * 1000;
	}
	if (r->tokens_milli >= 1000) {
		r->tokens_milli -= 1000;
		return 1;
	}
	*wait_us = (uint64_t)(1000 - r->tokens_milli) * 1000 /
	    (uint64_t)r->rate + 1;
	return 0;
}

/* ---- workers ---------------------------------------------------------- */

static void
post_result(struct sync *s, const struct sync_result *res)
{
	struct ev ev;
	int rc;

	syncmsg_put(&ev, EV_SYNC_DONE, res, sizeof *res);
	ev.t_mono_us = tm_mono_us();
	rc = evq_post(s->results, &ev);
	if (rc != QUAN_OK)
		log_warn("result of %lld dropped (%s); the row stays to retry",
		    (long long)res->tag, quan_strerror(rc));
}

/* Hand a refreshed definition to the core in chunks; the last chunk goes
 * in *last so the dispatcher finishes the job with it. */
static void
post_chunks(struct sync *s, struct sync_result *last, const char *blob)
{
	size_t total = strlen(blob), off = 0, n;
	struct sync_result r;

	if (total > 1024 * 1024) {
		last->status = SYNC_RETRY;
		last->rc = QUAN_ETOOBIG;
		snprintf(last->message, sizeof last->message,
		    "definition too big (%zu bytes)", total);
		return;
	}
	while (total - off > SYNC_CHUNK_MAX) {
		r = *last;
		r.chunk_off = (uint32_t)off;
		r.chunk_len = SYNC_CHUNK_MAX;
		r.chunk_total = (uint32_t)total;
		memcpy(r.chunk, blob + off, SYNC_CHUNK_MAX);
		post_result(s, &r);
		off += SYNC_CHUNK_MAX;
	}
	n = total - off;
	last->chunk_off = (uint32_t)off;
	last->chunk_len = (uint32_t)n;
	last->chunk_total = (uint32_t)total;
	memcpy(last->chunk, blob + off, n);
}

static void *
worker_main(void *p)
{
	struct worker *w = p;
	struct sync *s = w->s;
	struct wdone d;
	struct sync_job job;
	struct ev ev;
	void *ctx = NULL;
	char *cause = NULL, *blob;
	int rc;

	rc = s->ops->open(s->arg, &s->stop, &ctx, &cause);
	if (rc != QUAN_OK) {
		log_error("sync worker %d: %s", w->idx,
		    cause ? cause : quan_strerror(rc));
		ctx = NULL;
	}
	for (;;) {
		if (!evq_wait(w->in, &ev, 1000))
			continue;
		if (ev.type == EV_STOP)
			break;
		if (ev.type != EV_SYNC_JOB)
			continue;
		syncmsg_get(&ev, &job, sizeof job);
		memset(&d, 0, sizeof d);
		d.worker = w->idx;
		d.res.tag = job.tag;
		d.res.op = job.op;
		blob = NULL;
		if (ctx == NULL) {
			d.res.status = SYNC_RETRY;
			d.res.rc = rc;
			snprintf(d.res.message, sizeof d.res.message,
			    "client setup failed: %s",
			    cause ? cause : quan_strerror(rc));
		} else {
			s->ops->run(ctx, &job, &d.res, &blob);
		}
		if (blob != NULL) {
			if (d.res.status == SYNC_OK)
				post_chunks(s, &d.res, blob);
			free(blob);
		}
		syncmsg_put(&ev, EV_SYNC_DONE, &d, sizeof d);
		ev.t_mono_us = tm_mono_us();
		/* done has room for every worker's answer: cannot fill */
		if (evq_post(s->done, &ev) != QUAN_OK)
			log_error("sync worker %d: done queue refused",
			    w->idx);
	}
	if (ctx != NULL)
		s->ops->close(ctx);
	free(cause);
	return NULL;
}

/* ---- dispatcher ------------------------------------------------------- */

static void
held_add(struct sync *s, const struct sync_job *job, uint64_t now)
{
	struct held *h;

	if (s->nheld == s->capheld) {
		s->capheld = s->capheld ? s->capheld * 2 : 64;
		s->held = xrealloc(s->held, s->capheld * sizeof *s->held);
	}
	h = &s->held[s->nheld++];
	memset(h, 0, sizeof *h);
	h->job = *job;
	h->job.code[sizeof h->job.code - 1] = '\0';
	h->recv_us = now;
	h->due_us = now;
	h->worker = -1;
}

static void
held_remove(struct sync *s, size_t i)
{
	memmove(&s->held[i], &s->held[i + 1],
	    (s->nheld - i - 1) * sizeof *s->held);
	s->nheld--;
}

static int
coupon_op(enum sync_op op)
{
	return op == SYNC_OP_USE || op == SYNC_OP_RETURN ||
	    op == SYNC_OP_QUERY || op == SYNC_OP_CARD_CONSUME ||
	    op == SYNC_OP_CARD_CHECK;
}

/* May held[i] go now as far as ordering goes: no earlier job of the same
 * coupon is still held (in flight or waiting)? */
static int
in_order(const struct sync *s, size_t i)
{
	size_t j;

	if (!coupon_op(s->held[i].job.op))
		return 1;
	for (j = 0; j < i; j++)
		if (coupon_op(s->held[j].job.op) &&
		    strcmp(s->held[j].job.code, s->held[i].job.code) == 0)
			return 0;
	return 1;
}

static void
state_error(struct sync *s, const struct sync_result *res)
{
	char msg[SYNC_MSG_MAX], b[SYNC_MSG_MAX + 48];

	/* cut on a character boundary: the words end up in JSON */
	snprintf(b, sizeof b, "%s%s%s", quan_strerror(res->rc),
	    res->message[0] ? ": " : "", res->message);
	str_clean(msg, sizeof msg, b, sizeof b);
	if (strcmp(msg, s->st.last_error) != 0)
		s->st_dirty = 1;
	snprintf(s->st.last_error, sizeof s->st.last_error, "%s", msg);
	s->st.last_err_at = tm_now();
	if (s->st.last_rc != res->rc)
		s->st_dirty = 1;
	s->st.last_rc = res->rc;
}

static void
set_online(struct sync *s, int on)
{
	if (s->st.online != on) {
		s->st.online = on;
		s->st_dirty = 1;
		log_info("sync: %s", on ? "online" : "offline");
	}
}

static void
publish_state(struct sync *s, uint64_t now)
{
	struct ev ev;

	s->st.inflight = (uint32_t)s->nheld;
	syncmsg_put(&ev, EV_SYNC_STATE, &s->st, sizeof s->st);
	ev.t_mono_us = now;
	(void)evq_post(s->results, &ev); /* full: the next one will do */
	s->st_dirty = 0;
	s->st_last_us = now;
}

/* The gap to the next idle probe after an answer: probe_every_ms while
 * WeChat answers and after the first network failure (so a WeChat gone
 * is offline within two gaps: two failures in a row); then it doubles
 * per failure in a row, up to probe_max_ms. */
static uint32_t
probe_gap_ms(const struct sync *s)
{
	uint64_t gap = (uint64_t)s->cfg.probe_every_ms;
	uint64_t max = s->cfg.probe_max_ms > 0 ?
	    (uint64_t)s->cfg.probe_max_ms : 2 * gap;
	int i;

	for (i = 1; i < s->net_fails && gap < max; i++)
		gap *= 2;
	return (uint32_t)(gap > max ? max : gap);
}

/* Idle since probe_due_us (nothing held, nothing answered): hold one
 * probe, sent like any job (rate, pauses, one at a time offline). */
static void
probe_if_idle(struct sync *s, uint64_t now, uint64_t *wait_us)
{
	struct sync_job job;

	if (s->cfg.probe_every_ms <= 0)
		return;
	if (s->nheld > 0) {
		/* busy: the jobs' own answers say whether WeChat is there */
		s->probe_due_us = now + 1000ull * (uint64_t)s->cfg.probe_every_ms;
		return;
	}
	if (s->probe_due_us == 0)
		s->probe_due_us = now + 1000ull * (uint64_t)s->cfg.probe_every_ms;
	if (now < s->probe_due_us) {
		if (s->probe_due_us - now < *wait_us)
			*wait_us = s->probe_due_us - now;
		return;
	}
	memset(&job, 0, sizeof job);
	job.op = SYNC_OP_PROBE;
	job.flags = SYNC_F_ONCE;
	held_add(s, &job, now);
	/* until its answer sets the next one */
	s->probe_due_us = now + 1000ull * (uint64_t)s->cfg.probe_every_ms;
}

static void
handle_done(struct sync *s, const struct wdone *d, uint64_t now)
{
	struct sync_result res = d->res;
	struct held *h;
	size_t i;
	int net, w = d->worker;

	if (w < 0 || w >= s->nw)
		return;
	s->busy[w] = 0;
	for (i = 0; i < s->nheld; i++)
		if (s->held[i].worker == w)
			break;
	if (i == s->nheld)
		return;
	h = &s->held[i];
	if (h->job.op == SYNC_OP_PROBE && res.rc == QUAN_ENOTSUP) {
		/* nothing to probe with (no WeChat Pay client) */
		s->cfg.probe_every_ms = 0;
		held_remove(s, i);
		return;
	}
	h->tries++;
	h->reached += res.reached > 0;
	h->worker = -1;
	s->st.sent++;
	net = res.status == SYNC_RETRY && (res.rc == QUAN_ENET ||
	    res.rc == QUAN_ETIMEDOUT || res.rc == QUAN_ETLS);
	if (net) {
		/* one dropped connection is not "offline"; two in a row are */
		if (++s->net_fails >= 2)
			set_online(s, 0);
		/* offline: space the probes out */
		s->pause_until_us = now + 1000ull * sync_backoff_ms(
		    s->net_fails, s->cfg.backoff_base_ms,
		    s->cfg.backoff_max_ms, &s->rng);
	} else if (res.status != SYNC_RETRY || res.rc != QUAN_ECONFIG) {
		s->net_fails = 0;
		set_online(s, 1);
		s->st.last_ok = tm_now();
	}
	if (s->cfg.probe_every_ms > 0)
		s->probe_due_us = now + 1000ull * (uint64_t)probe_gap_ms(s);
	if (res.status == SYNC_RETRY) {
		s->st.failed++;
		state_error(s, &res);
		log_info("job %lld try %d: http %d %.*s %s%s%.*s",
		    (long long)res.tag, h->tries, (int)res.http,
		    (int)sizeof res.wx_code, res.wx_code,
		    quan_strerror(res.rc), res.message[0] ? ": " : "",
		    (int)sizeof res.message, res.message);
		if (res.rc == QUAN_EBUSY)
			s->pause_until_us = now + 1000ull * sync_backoff_ms(
			    h->tries, s->cfg.backoff_base_ms,
			    s->cfg.backoff_max_ms, &s->rng);
		if (h->tries < s->cfg.max_tries && !atomic_load(&s->stop) &&
		    !(h->job.flags & SYNC_F_ONCE)) {
			h->due_us = now + 1000ull * sync_backoff_ms(h->tries,
			    s->cfg.backoff_base_ms, s->cfg.backoff_max_ms,
			    &s->rng);
			return;
		}
	} else {
		s->st.ok++;
	}
	if (h->job.op == SYNC_OP_PROBE) {
		/* the thread's own: its answer moved the state, no more */
		held_remove(s, i);
		return;
	}
	res.tries = h->tries;
	res.reached = h->reached;
	res.latency_ms = (uint32_t)((now - h->recv_us) / 1000);
	post_result(s, &res);
	held_remove(s, i);
}

/* Start every job that may go now; *wait_us = time to the next chance. */
static void
dispatch(struct sync *s, uint64_t now, uint64_t *wait_us)
{
	struct ev ev;
	struct sync_job job;
	uint64_t w, best = 1000000;
	size_t i;
	int pass, wk, inflight = 0;

	for (i = 0; i < (size_t)s->nw; i++)
		inflight += s->busy[i];
	for (pass = 0; pass < 2; pass++) {
		for (i = 0; i < s->nheld; i++) {
			struct held *h = &s->held[i];
			int online_job = (h->job.flags & SYNC_F_ONLINE) != 0;

			if (h->worker >= 0 || online_job != (pass == 0))
				continue;
			if (h->due_us > now) {
				if (h->due_us - now < best)
					best = h->due_us - now;
				continue;
			}
			if (!in_order(s, i))
				continue;
			if (s->pause_until_us > now) {
				if (s->pause_until_us - now < best)
					best = s->pause_until_us - now;
				goto out;
			}
			/* offline: one probe at a time */
			if (!s->st.online && s->st.sent > 0 && inflight > 0)
				goto out;
			for (wk = 0; wk < s->nw && s->busy[wk]; wk++)
				;
			if (wk == s->nw)
				goto out;
			if (!sync_rate_take(&s->rate, now, &w)) {
				if (w < best)
					best = w;
				goto out;
			}
			job = h->job;
			job.attempts += h->tries;
			job.landed += h->reached;
			syncmsg_put(&ev, EV_SYNC_JOB, &job, sizeof job);
			ev.t_mono_us = now;
			if (evq_post(s->w[wk].in, &ev) != QUAN_OK)
				goto out;
			s->busy[wk] = 1;
			h->worker = wk;
			inflight++;
		}
	}
out:
	*wait_us = best;
}

static void *
sync_main(void *p)
{
	struct sync *s = p;
	struct pollfd pfd[2];
	struct sync_job job;
	struct wdone d;
	struct ev ev;
	uint64_t now, wait_us, period;
	size_t i;
	int stopping = 0, tmo;

	period = (uint64_t)s->cfg.state_every_ms * 1000;
	s->st_dirty = 1;
	while (!stopping) {
		now = tm_mono_us();
		while (evq_get(s->jobs, &ev)) {
			if (ev.type == EV_STOP) {
				stopping = 1;
			} else if (ev.type == EV_SYNC_JOB) {
				syncmsg_get(&ev, &job, sizeof job);
				held_add(s, &job, now);
			}
		}
		while (evq_get(s->done, &ev)) {
			syncmsg_get(&ev, &d, sizeof d);
			handle_done(s, &d, tm_mono_us());
		}
		if (atomic_load(&s->stop))
			stopping = 1;
		if (stopping)
			break;
		now = tm_mono_us();
		wait_us = period;
		probe_if_idle(s, now, &wait_us);
		{
			uint64_t dw;

			dispatch(s, now, &dw);
			if (dw < wait_us)
				wait_us = dw;
		}
		if (s->st_dirty || now - s->st_last_us >= period)
			publish_state(s, now);
		if (wait_us > period)
			wait_us = period;
		tmo = (int)((wait_us + 999) / 1000);
		if (tmo > 200)
			tmo = 200; /* also notices the stop flag */
		pfd[0].fd = evq_fd(s->jobs);
		pfd[0].events = POLLIN;
		pfd[1].fd = evq_fd(s->done);
		pfd[1].events = POLLIN;
		if (poll(pfd, 2, tmo) < 0 && errno != EINTR)
			log_error("sync: poll: %s", strerror(errno));
	}
	/* stop: abort transfers, stop and join workers, forward what came */
	atomic_store(&s->stop, 1);
	memset(&ev, 0, sizeof ev);
	ev.type = EV_STOP;
	for (i = 0; i < (size_t)s->nw; i++) {
		while (evq_post(s->w[i].in, &ev) == QUAN_EFULL)
			(void)poll(NULL, 0, 5);
	}
	for (i = 0; i < (size_t)s->nw; i++) {
		if (s->w[i].started)
			pthread_join(s->w[i].th, NULL);
		s->w[i].started = 0;
	}
	while (evq_get(s->done, &ev)) {
		syncmsg_get(&ev, &d, sizeof d);
		handle_done(s, &d, tm_mono_us());
	}
	for (i = 0; i < s->nheld; i++) {
		struct sync_result r;

		memset(&r, 0, sizeof r);
		r.tag = s->held[i].job.tag;
		r.op = s->held[i].job.op;
		r.status = SYNC_STOPPED;
		r.rc = QUAN_ECLOSED;
		r.tries = s->held[i].tries;
		r.reached = s->held[i].reached;
		post_result(s, &r);
	}
	s->nheld = 0;
	return NULL;
}

static void
sync_free(struct sync *s)
{
	int i;

	if (s == NULL)
		return;
	for (i = 0; i < SYNC_WORKERS_MAX; i++)
		evq_free(s->w[i].in);
	evq_free(s->done);
	free(s->held);
	free(s);
}

int
sync_start(struct sync **out, const struct sync_cfg *cfg, struct evq *jobs,
    struct evq *results, const struct sync_exec_ops *ops, void *arg,
    char **cause)
{
	struct sync *s;
	int i, rc;

	*out = NULL;
	if (cfg->workers < 1 || cfg->workers > SYNC_WORKERS_MAX ||
	    cfg->rate_per_s < 0 || cfg->max_tries < 1) {
		*cause = xasprintf("sync: bad settings (workers 1..%d, "
		    "rate >= 0, tries >= 1)", SYNC_WORKERS_MAX);
		return QUAN_EINVAL;
	}
	s = xcalloc(1, sizeof *s);
	s->cfg = *cfg;
	if (s->cfg.state_every_ms <= 0)
		s->cfg.state_every_ms = 2000;
	s->jobs = jobs;
	s->results = results;
	s->ops = ops;
	s->arg = arg;
	atomic_init(&s->stop, 0);
	s->nw = cfg->workers;
	s->rng = cfg->seed ? cfg->seed : (uint32_t)tm_mono_us() | 1u;
	sync_rate_init(&s->rate, cfg->rate_per_s,
	    cfg->rate_per_s > 0 ? (cfg->rate_per_s / 20 > s->nw ?
	    cfg->rate_per_s / 20 : s->nw) : 1, tm_mono_us());
	s->st.online = 1; /* until proven otherwise */
	if ((rc = evq_new(&s->done, (size_t)s->nw * 4 + 8)) != QUAN_OK)
		goto fail;
	for (i = 0; i < s->nw; i++) {
		s->w[i].s = s;
		s->w[i].idx = i;
		if ((rc = evq_new(&s->w[i].in, 4)) != QUAN_OK)
			goto fail;
	}
	for (i = 0; i < s->nw; i++) {
		if (pthread_create(&s->w[i].th, NULL, worker_main,
		    &s->w[i]) != 0) {
			rc = QUAN_EIO;
			goto fail;
		}
		s->w[i].started = 1;
	}
	if (pthread_create(&s->th, NULL, sync_main, s) != 0) {
		rc = QUAN_EIO;
		goto fail;
	}
	*out = s;
	return QUAN_OK;
fail:
	*cause = xasprintf("sync: cannot start: %s", quan_strerror(rc));
	atomic_store(&s->stop, 1);
	{
		struct ev ev;

		memset(&ev, 0, sizeof ev);
		ev.type = EV_STOP;
		for (i = 0; i < s->nw; i++)
			if (s->w[i].started) {
				(void)evq_post(s->w[i].in, &ev);
				pthread_join(s->w[i].th, NULL);
			}
	}
	sync_free(s);
	return rc;
}

void
sync_stop(struct sync *s)
{
	struct ev ev;

	if (s == NULL)
		return;
	atomic_store(&s->stop, 1);
	memset(&ev, 0, sizeof ev);
	ev.type = EV_STOP;
	(void)evq_post(s->jobs, &ev); /* full: the flag still stops it */
	pthread_join(s->th, NULL);
	sync_free(s);
}
