/* test_sync.c — the sync thread against a scripted executor: backoff and
 * rate arithmetic, retries up to max_tries, per-coupon order, several
 * requests in flight, the rate cap, offline state, chunked definitions and
 * a clean stop while a transfer hangs. Labelled tsan. */
#include <poll.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "core/evq.h"
#include "core/syncmsg.h"
#include "net/sync.h"
#include "wx_answer.h"
#include "util/err.h"
#include "util/tm.h"
#include "util/xmem.h"

/* ---- scripted executor ------------------------------------------------ */

#define MAXLOG 4096

struct script {
	pthread_mutex_t mu;     /* test-only lock around the log below */
	int cur, max_cur;       /* concurrent runs */
	int nlog;
	char log[MAXLOG][160];   /* "S code op" start / "E code op" end */
	int tries[256];         /* runs per tag (tag < 256) */
	int sleep_ms;
	int opened, closed;
	int last_attempts;
	int down;               /* probes: WeChat unreachable */
	int probes;             /* probes run */
};

struct wctx {
	struct script *sc;
	const atomic_int *stop;
};

static int
x_open(void *arg, const atomic_int *stop, void **ctx, char **cause)
{
	struct wctx *w = xcalloc(1, sizeof *w);
	struct script *sc = arg;

	(void)cause;
	w->sc = sc;
	w->stop = stop;
	pthread_mutex_lock(&sc->mu);
	sc->opened++;
	pthread_mutex_unlock(&sc->mu);
	*ctx = w;
	return QUAN_OK;
}

static void
x_close(void *ctx)
{
	struct wctx *w = ctx;

	pthread_mutex_lock(&w->sc->mu);
	w->sc->closed++;
	pthread_mutex_unlock(&w->sc->mu);
	free(w);
}

static void
note(struct script *sc, char what, const struct sync_job *job)
{
	pthread_mutex_lock(&sc->mu);
	if (sc->nlog < MAXLOG)
		snprintf(sc->log[sc->nlog++], sizeof sc->log[0], "%c %s %d",
		    what, job->code, (int)job->op);
	if (what == 'S') {
		sc->cur++;
		if (sc->cur > sc->max_cur)
			sc->max_cur = sc->cur;
	} else {
		sc->cur--;
	}
	pthread_mutex_unlock(&sc->mu);
}

/* Behaviour by code prefix: ok*, rej*, flaky* (2 failures then ok), net*
 * (always unreachable), busy* (429 once), hang* (until stop), def* (a
 * definition of 1000 bytes). */
static void
x_run(void *ctx, const struct sync_job *job, struct sync_result *res,
    char **blob)
{
	struct wctx *w = ctx;
	struct script *sc = w->sc;
	int n;

	if (job->op == SYNC_OP_PROBE) {
		pthread_mutex_lock(&sc->mu);
		sc->probes++;
		n = sc->down;
		pthread_mutex_unlock(&sc->mu);
		if (n) {
			res->status = SYNC_RETRY;
			res->rc = QUAN_ENET;
		} else {
			wx_answer(200, "", res);
		}
		return;
	}
	note(sc, 'S', job);
	pthread_mutex_lock(&sc->mu);
	n = ++sc->tries[job->tag & 255];
	pthread_mutex_unlock(&sc->mu);
	if (sc->sleep_ms)
		(void)poll(NULL, 0, sc->sleep_ms);
	if (strncmp(job->code, "ok", 2) == 0) {
		wx_answer(200, "", res);
		snprintf(res->stock_id, sizeof res->stock_id, "1212");
	} else if (strncmp(job->code, "rej", 3) == 0) {
		wx_answer(404, "RESOURCE_NOT_EXISTS", res);
	} else if (strncmp(job->code, "flaky", 5) == 0) {
		wx_answer(n <= 2 ? 500 : 200,
		    n <= 2 ? "SYSTEM_ERROR" : "", res);
		/* the executor sees the earlier sends */
		pthread_mutex_lock(&sc->mu);
		sc->last_attempts = job->attempts;
		pthread_mutex_unlock(&sc->mu);
	} else if (strncmp(job->code, "net", 3) == 0) {
		res->status = SYNC_RETRY;
		res->rc = QUAN_ENET;
		snprintf(res->message, sizeof res->message,
		    "connect refused");
	} else if (strncmp(job->code, "busy", 4) == 0) {
		wx_answer(n == 1 ? 429 : 200,
		    n == 1 ? "FREQUENCY_LIMITED" : "", res);
	} else if (strncmp(job->code, "hang", 4) == 0) {
		while (!atomic_load(w->stop))
			(void)poll(NULL, 0, 5);
		res->status = SYNC_RETRY;
		res->rc = QUAN_ECLOSED;
	} else if (strncmp(job->code, "def", 3) == 0) {
		char *b = xmalloc(1001);
		int i;

		for (i = 0; i < 1000; i++)
			b[i] = (char)('a' + i % 26);
		b[1000] = '\0';
		*blob = b;
		res->status = SYNC_OK;
	}
	note(sc, 'E', job);
}

static const struct sync_exec_ops xops = {
	.open = x_open, .run = x_run, .close = x_close
};

/* ---- helpers ---------------------------------------------------------- */

struct rig {
	struct script sc;
	struct evq *jobs, *results;
	struct sync *s;
	struct sync_cfg cfg;
	int offline_seen;
};

static void
rig_start(struct rig *r)
{
	char *cause = NULL;

	pthread_mutex_init(&r->sc.mu, NULL);
	assert_int_equal(evq_new(&r->jobs, 256), QUAN_OK);
	assert_int_equal(evq_new(&r->results, 1024), QUAN_OK);
	assert_int_equal(sync_start(&r->s, &r->cfg, r->jobs, r->results,
	    &xops, &r->sc, &cause), QUAN_OK);
	assert_null(cause);
}

static void
rig_stop(struct rig *r)
{
	sync_stop(r->s);
	evq_free(r->jobs);
	evq_free(r->results);
	assert_int_equal(r->sc.opened, r->cfg.workers);
	assert_int_equal(r->sc.closed, r->cfg.workers);
	pthread_mutex_destroy(&r->sc.mu);
}

static void
post_job(struct rig *r, int64_t tag, enum sync_op op, const char *code)
{
	struct sync_job job;
	struct ev ev;

	memset(&job, 0, sizeof job);
	job.tag = tag;
	job.op = op;
	snprintf(job.code, sizeof job.code, "%s", code);
	snprintf(job.request_no, sizeof job.request_no, "T01%06lld",
	    (long long)tag);
	syncmsg_put(&ev, EV_SYNC_JOB, &job, sizeof job);
	assert_int_equal(evq_post(r->jobs, &ev), QUAN_OK);
}

/* Wait for n results (or timeout_ms); they land in out[] by arrival. */
static int
collect(struct rig *r, struct sync_result *out, int n, int timeout_ms)
{
	uint64_t end = tm_mono_ms() + (uint64_t)timeout_ms;
	struct sync_result res;
	struct sync_state st;
	struct ev ev;
	int got = 0;

	while (got < n && tm_mono_ms() < end) {
		if (!evq_wait(r->results, &ev, 50))
			continue;
		if (ev.type == EV_SYNC_STATE) {
			syncmsg_get(&ev, &st, sizeof st);
			if (!st.online)
				r->offline_seen = 1;
			continue;
		}
		assert_int_equal(ev.type, EV_SYNC_DONE);
		syncmsg_get(&ev, &res, sizeof res);
		out[got++] = res;
	}
	return got;
}

static struct sync_result *
by_tag(struct sync_result *rs, int n, int64_t tag)
{
	int i;

	for (i = 0; i < n; i++)
		if (rs[i].tag == tag)
			return &rs[i];
	fail_msg("no result for tag %lld", (long long)tag);
	return NULL;
}

/* ---- tests ------------------------------------------------------------ */

static void
test_backoff(void **state)
{
	uint32_t rng = 12345, d;
	int n, i;

	(void)state;
	for (i = 0; i < 1000; i++) {
		d = sync_backoff_ms(1, 200, 30000, &rng);
		assert_in_range(d, 100, 200);
		d = sync_backoff_ms(3, 200, 30000, &rng);
		assert_in_range(d, 400, 800);
		d = sync_backoff_ms(40, 200, 30000, &rng);
		assert_in_range(d, 15000, 30000);
	}
	/* jitter actually varies */
	for (n = 0, i = 0; i < 100; i++)
		if (sync_backoff_ms(5, 200, 30000, &rng) !=
		    sync_backoff_ms(5, 200, 30000, &rng))
			n++;
	assert_true(n > 50);
}

static void
test_rate(void **state)
{
	struct sync_rate r;
	uint64_t w, t = 1000000;
	int i, n;

	(void)state;
	sync_rate_init(&r, 500, 1, t);
	assert_int_equal(sync_rate_take(&r, t, &w), 1);
	assert_int_equal(sync_rate_take(&r, t, &w), 0);
	assert_in_range(w, 1900, 2100);
	assert_int_equal(sync_rate_take(&r, t + 1000, &w), 0);
	assert_int_equal(sync_rate_take(&r, t + 2000, &w), 1);
	/* over one simulated second, about 500 sends go */
	for (n = 0, i = 0; i < 100000; i++)
		n += sync_rate_take(&r, t + 2000 + (uint64_t)i * 10, &w);
	assert_in_range(n, 495, 505);
	/* 0 = no cap */
	sync_rate_init(&r, 0, 1, t);
	for (i = 0; i < 1000; i++)
		assert_int_equal(sync_rate_take(&r, t, &w), 1);
}

static void
test_outcomes(void **state)
{
	struct rig r;
	struct sync_result rs[16], *x;

	(void)state;
	memset(&r, 0, sizeof r);
	sync_cfg_defaults(&r.cfg);
	r.cfg.backoff_base_ms = 10;
	r.cfg.backoff_max_ms = 40;
	r.cfg.max_tries = 3;
	r.cfg.rate_per_s = 0;
	r.cfg.state_every_ms = 50;
	r.cfg.seed = 7;
	rig_start(&r);
	post_job(&r, 1, SYNC_OP_USE, "ok1");
	post_job(&r, 2, SYNC_OP_USE, "rej1");
	post_job(&r, 3, SYNC_OP_USE, "flaky1");
	post_job(&r, 5, SYNC_OP_USE, "busy1");
	assert_int_equal(collect(&r, rs, 4, 5000), 4);
	assert_false(r.offline_seen);
	/* unreachable on its own: two network failures in a row = offline */
	post_job(&r, 4, SYNC_OP_USE, "net1");
	assert_int_equal(collect(&r, rs + 4, 1, 5000), 1);
	x = by_tag(rs, 5, 1);
	assert_int_equal(x->status, SYNC_OK);
	assert_int_equal(x->tries, 1);
	assert_string_equal(x->stock_id, "1212");
	x = by_tag(rs, 5, 2);
	assert_int_equal(x->status, SYNC_REJECTED);
	assert_string_equal(x->wx_code, "RESOURCE_NOT_EXISTS");
	x = by_tag(rs, 5, 3);
	assert_int_equal(x->status, SYNC_OK);
	assert_int_equal(x->tries, 3);
	assert_int_equal(r.sc.last_attempts, 2);
	x = by_tag(rs, 5, 4);
	assert_int_equal(x->status, SYNC_RETRY);
	assert_int_equal(x->rc, QUAN_ENET);
	assert_int_equal(x->tries, 3);
	x = by_tag(rs, 5, 5);
	assert_int_equal(x->status, SYNC_OK);
	assert_int_equal(x->tries, 2);
	/* the unreachable one took us offline at some point */
	(void)collect(&r, rs, 1, 200);
	assert_true(r.offline_seen);
	rig_stop(&r);
}

static void
test_order_and_parallel(void **state)
{
	struct rig r;
	struct sync_result rs[64];
	char code[16];
	int i, use_end = -1, ret_start = -1;

	(void)state;
	memset(&r, 0, sizeof r);
	sync_cfg_defaults(&r.cfg);
	r.cfg.workers = 4;
	r.cfg.rate_per_s = 0;
	r.sc.sleep_ms = 20;
	rig_start(&r);
	post_job(&r, 100, SYNC_OP_USE, "okSAME");
	post_job(&r, 101, SYNC_OP_RETURN, "okSAME");
	for (i = 0; i < 38; i++) {
		snprintf(code, sizeof code, "ok%d", i);
		post_job(&r, 110 + i, SYNC_OP_USE, code);
	}
	uint64_t t0 = tm_mono_ms();
	assert_int_equal(collect(&r, rs, 40, 10000), 40);
	/* 40 x 20 ms on 4 workers: well under the serial 800 ms */
	assert_true(tm_mono_ms() - t0 < 700);
	assert_true(r.sc.max_cur >= 2);
	assert_true(r.sc.max_cur <= 4);
	for (i = 0; i < r.sc.nlog; i++) {
		if (strcmp(r.sc.log[i], "E okSAME 1") == 0)
			use_end = i;
		if (strcmp(r.sc.log[i], "S okSAME 2") == 0)
			ret_start = i;
	}
	assert_true(use_end >= 0 && ret_start > use_end);
	rig_stop(&r);
}

static void
test_rate_cap(void **state)
{
	struct rig r;
	struct sync_result rs[64];
	char code[16];
	uint64_t t0;
	int i;

	(void)state;
	memset(&r, 0, sizeof r);
	sync_cfg_defaults(&r.cfg);
	r.cfg.workers = 4;
	r.cfg.rate_per_s = 100; /* burst max(100/20, workers) = 5 */
	rig_start(&r);
	t0 = tm_mono_ms();
	for (i = 0; i < 45; i++) {
		snprintf(code, sizeof code, "ok%d", i);
		post_job(&r, i + 1, SYNC_OP_USE, code);
	}
	assert_int_equal(collect(&r, rs, 45, 5000), 45);
	/* 45 sends at 100/s after a burst of 5: >= 0.4 s */
	assert_true(tm_mono_ms() - t0 >= 380);
	rig_stop(&r);
}

static void
test_chunks(void **state)
{
	struct rig r;
	struct sync_result rs[8];
	char whole[1001];
	int got, i;

	(void)state;
	memset(&r, 0, sizeof r);
	sync_cfg_defaults(&r.cfg);
	rig_start(&r);
	post_job(&r, 9, SYNC_OP_STOCK_GET, "def");
	got = collect(&r, rs, 4, 3000);
	assert_int_equal(got, 4); /* 320 + 320 + 320 + 40 */
	memset(whole, 0, sizeof whole);
	for (i = 0; i < got; i++) {
		assert_int_equal(rs[i].tag, 9);
		assert_int_equal(rs[i].chunk_total, 1000);
		assert_true(rs[i].chunk_off + rs[i].chunk_len <= 1000);
		memcpy(whole + rs[i].chunk_off, rs[i].chunk, rs[i].chunk_len);
	}
	assert_int_equal(rs[got - 1].chunk_off + rs[got - 1].chunk_len,
	    1000);
	for (i = 0; i < 1000; i++)
		assert_int_equal(whole[i], 'a' + i % 26);
	rig_stop(&r);
}

static void
test_stop_while_hanging(void **state)
{
	struct rig r;
	struct sync_result rs[8];
	struct ev ev;
	uint64_t t0;
	int n = 0;

	(void)state;
	memset(&r, 0, sizeof r);
	sync_cfg_defaults(&r.cfg);
	r.cfg.workers = 2;
	rig_start(&r);
	post_job(&r, 1, SYNC_OP_USE, "hang1");
	post_job(&r, 2, SYNC_OP_USE, "hang2");
	post_job(&r, 3, SYNC_OP_USE, "hang3"); /* waits: both workers busy */
	(void)poll(NULL, 0, 100);
	t0 = tm_mono_ms();
	sync_stop(r.s);
	assert_true(tm_mono_ms() - t0 < 1000);
	while (evq_get(r.results, &ev))
		if (ev.type == EV_SYNC_DONE) {
			syncmsg_get(&ev, &rs[n], sizeof rs[n]);
			n++;
		}
	/* every held job answered: two aborted sends, one never sent */
	assert_int_equal(n, 3);
	for (int i = 0; i < n; i++)
		assert_true(rs[i].status == SYNC_STOPPED ||
		    rs[i].status == SYNC_RETRY);
	r.s = NULL;
	rig_stop(&r);
}

/* Wait up to ms for the published state to be `online`; a probe never
 * comes back as a result. 1 when seen. */
static int
wait_state(struct rig *r, int online, int ms)
{
	uint64_t end = tm_mono_ms() + (uint64_t)ms;
	struct sync_state st;
	struct ev ev;

	while (tm_mono_ms() < end) {
		if (!evq_wait(r->results, &ev, 20))
			continue;
		assert_int_equal(ev.type, EV_SYNC_STATE);
		syncmsg_get(&ev, &st, sizeof st);
		if (st.online == online)
			return 1;
	}
	return 0;
}

static void
set_down(struct rig *r, int down)
{
	pthread_mutex_lock(&r->sc.mu);
	r->sc.down = down;
	r->sc.probes = 0;
	pthread_mutex_unlock(&r->sc.mu);
}

static int
probes(struct rig *r)
{
	int n;

	pthread_mutex_lock(&r->sc.mu);
	n = r->sc.probes;
	pthread_mutex_unlock(&r->sc.mu);
	return n;
}

/* Idle (nothing to send), the thread probes every probe_every_ms and the
 * state follows: WeChat gone -> offline after two failed probes, back ->
 * online at the next probe (gap at most probe_max_ms); the probes are
 * the thread's own (no result reaches the core) and never closer than
 * probe_every_ms. */
static void
test_idle_probe_follows_wechat(void **state)
{
	struct rig r;
	int n;

	(void)state;
	memset(&r, 0, sizeof r);
	sync_cfg_defaults(&r.cfg);
	r.cfg.workers = 2;
	r.cfg.backoff_base_ms = 5;
	r.cfg.backoff_max_ms = 10;
	r.cfg.state_every_ms = 20;
	r.cfg.probe_every_ms = 100;
	r.cfg.probe_max_ms = 200;
	r.cfg.seed = 3;
	rig_start(&r);
	(void)poll(NULL, 0, 550);
	n = probes(&r);
	assert_true(n >= 2);
	assert_true(n <= 6);        /* at most one per 100 ms */
	assert_true(wait_state(&r, 1, 100));
	set_down(&r, 1);
	assert_true(wait_state(&r, 0, 1000));
	assert_true(probes(&r) >= 2);
	set_down(&r, 0);
	assert_true(wait_state(&r, 1, 1000));
	rig_stop(&r);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_backoff),
		cmocka_unit_test(test_rate),
		cmocka_unit_test(test_outcomes),
		cmocka_unit_test(test_order_and_parallel),
		cmocka_unit_test(test_rate_cap),
		cmocka_unit_test(test_chunks),
		cmocka_unit_test(test_stop_while_hanging),
		cmocka_unit_test(test_idle_probe_follows_wechat),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
