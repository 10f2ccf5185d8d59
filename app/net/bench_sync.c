/*
 * bench_sync.c — what `quan bench sync` measures (bench_sync.h): coupons
 * minted through the real signed API, N redemptions queued offline and
 * drained by the sync runtime, M online redemptions timed from scan to
 * confirmed.
 */
#include <inttypes.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "core/checkout.h"
#include "core/redeem.h"
#include "core/settle.h"
#include "net/bench_sync.h"
#include "net/runtime.h"
#include "net/sync_wx.h"
#include "net/wxpay.h"
#include "store/store.h"
#include "util/config.h"
#include "util/err.h"
#include "util/tm.h"
#include "util/xmem.h"

#define BF "/v3/marketing/busifavor"
#define MINT_THREADS 4

struct mint {
	struct wxpay_ctx *wx;
	const struct config *cfg;
	char stock_id[STORE_ID_MAX + 1];
	char tag[9];
	int n;
	char (*codes)[32];
	char (*openids)[40];
	int next;             /* next index to send (under mu) */
	int failed;
	pthread_mutex_t mu;   /* guards next and failed (bench only) */
	char err[256];
};

static int
call_ok(struct wxpay *w, const char *method, const char *path,
    const char *body, struct wxpay_result *r, char *err, size_t n)
{
	(void)wxpay_call(w, method, path, body, body ? strlen(body) : 0, r);
	if (r->rc == 0 && r->http >= 200 && r->http < 300)
		return 0;
	snprintf(err, n, "%.8s %.60s: %.40s %ld %.40s %.80s", method, path,
	    quan_strerror(r->rc), r->http, r->code, r->message);
	return -1;
}

static void *
mint_main(void *p)
{
	struct mint *m = p;
	struct wxpay *w = NULL;
	struct wxpay_result r;
	char *cause = NULL, *body, orn[48], err[256];
	json_t *j;
	int i, tries;

	if (wxpay_new(m->wx, NULL, &w, &cause) != 0) {
		pthread_mutex_lock(&m->mu);
		m->failed++;
		snprintf(m->err, sizeof m->err, "%s", cause ? cause : "?");
		pthread_mutex_unlock(&m->mu);
		free(cause);
		return NULL;
	}
	wxpay_result_init(&r);
	for (;;) {
		pthread_mutex_lock(&m->mu);
		i = m->next < m->n && m->failed == 0 ? m->next++ : -1;
		pthread_mutex_unlock(&m->mu);
		if (i < 0)
			break;
		snprintf(orn, sizeof orn, "MINT%s%06d", m->tag, i);
		j = json_pack("{s:s, s:s, s:s, s:s, s:s}", "openid",
		    m->openids[i], "appid", m->cfg->wx_appid, "stock_id",
		    m->stock_id, "out_request_no", orn, "coupon_code",
		    m->codes[i]);
		body = json_dumps(j, JSON_COMPACT);
		json_decref(j);
		for (tries = 0; tries < 5; tries++) {
			wxpay_result_free(&r);
			wxpay_result_init(&r);
			if (call_ok(w, "POST", BF "/coupons/send", body, &r,
			    err, sizeof err) == 0)
				break;
		}
		free(body);
		if (tries == 5) {
			pthread_mutex_lock(&m->mu);
			m->failed++;
			snprintf(m->err, sizeof m->err, "%s", err);
			pthread_mutex_unlock(&m->mu);
			break;
		}
	}
	wxpay_result_free(&r);
	wxpay_free(w);
	return NULL;
}

/* Create a running NORMAL stock (MERCHANT_API, 1.00 off, minimum 0.01)
 * and send n coupons to n/50 users; put the stock and codes into the
 * store. *codes_out is new (n entries of 32). */
int
bench_mint(struct store *st, const struct config *cfg, struct sync_wx *x,
    int n, char (**codes_out)[32], char *err, size_t errn)
{
	struct mint m;
	struct wxpay *w = NULL;
	struct wxpay_result r;
	struct store_def d;
	struct store_code sc;
	pthread_t th[MINT_THREADS];
	char b[40], e[40], *body = NULL, *cause = NULL;
	json_t *j;
	int64_t now = tm_now();
	int i, rc = -1;
	uint32_t rnd = (uint32_t)tm_mono_us() ^ (uint32_t)getpid();

	memset(&m, 0, sizeof m);
	wxpay_result_init(&r);
	m.wx = sync_wx_wxpay(x);
	m.cfg = cfg;
	m.n = n;
	if (m.wx == NULL) {
		snprintf(err, errn, "[wechatpay] is not configured");
		return -1;
	}
	for (i = 0; i < 8; i++) {
		static const char al[] = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789";

		rnd = rnd * 1103515245u + 12345u;
		m.tag[i] = al[(rnd >> 16) % 32];
	}
	m.codes = xcalloc((size_t)n, sizeof *m.codes);
	m.openids = xcalloc((size_t)n, sizeof *m.openids);
	for (i = 0; i < n; i++) {
		snprintf(m.codes[i], sizeof m.codes[i], "QB%.8s%06d", m.tag,
		    i % 1000000);
		snprintf(m.openids[i], sizeof m.openids[i], "oBENCH%.8s%05d",
		    m.tag, (i / 50) % 100000);
	}
	if (wxpay_new(m.wx, NULL, &w, &cause) != 0) {
		snprintf(err, errn, "%s", cause ? cause : "client");
		goto out;
	}
	tm_rfc3339(now - 86400, b, sizeof b);
	tm_rfc3339(now + 300 * 86400, e, sizeof e);
	j = json_pack("{s:s, s:s, s:s, s:s, s:s, s:{s:{s:s, s:s}, "
	    "s:{s:i, s:i}, s:s}, s:{s:i, s:i}, s:s, s:s}",
	    "stock_name", "bench sync", "belong_merchant", cfg->wx_mchid,
	    "comment", "quan bench", "goods_name", "bench",
	    "stock_type", "NORMAL",
	    "coupon_use_rule",
	    "coupon_available_time", "available_begin_time", b,
	    "available_end_time", e,
	    "fixed_normal_coupon", "discount_amount", 100,
	    "transaction_minimum", 1, "use_method", "OFF_LINE",
	    "stock_send_rule", "max_coupons", n + 10,
	    "max_coupons_per_user", 100,
	    "out_request_no", m.tag, "coupon_code_mode", "MERCHANT_API");
	body = json_dumps(j, JSON_COMPACT);
	json_decref(j);
	if (call_ok(w, "POST", BF "/stocks", body, &r, err, errn) != 0)
		goto out;
	if (strlen(r.stock_id) >= sizeof m.stock_id)
		r.stock_id[0] = '\0';
	snprintf(m.stock_id, sizeof m.stock_id, "%.64s", r.stock_id);
	if (m.stock_id[0] == '\0') {
		snprintf(err, errn, "create stock: no stock_id in answer");
		goto out;
	}
	pthread_mutex_init(&m.mu, NULL);
	for (i = 0; i < MINT_THREADS; i++)
		pthread_create(&th[i], NULL, mint_main, &m);
	for (i = 0; i < MINT_THREADS; i++)
		pthread_join(th[i], NULL);
	pthread_mutex_destroy(&m.mu);
	if (m.failed) {
		snprintf(err, errn, "send coupons: %s", m.err);
		goto out;
	}
	/* the stock definition, as WeChat returns it, into the cache */
	wxpay_result_free(&r);
	wxpay_result_init(&r);
	(void)wxpay_get_stock(w, m.stock_id, &r);
	if (r.rc != 0 || r.http != 200 || r.body == NULL) {
		snprintf(err, errn, "get stock %s: %s %s", m.stock_id,
		    quan_strerror(r.rc), r.message);
		goto out;
	}
	if (store_begin(st) != 0)
		goto store_err;
	memset(&d, 0, sizeof d);
	snprintf(d.id, sizeof d.id, "%s", m.stock_id);
	d.raw = r.body;
	snprintf(d.type, sizeof d.type, "NORMAL");
	snprintf(d.state, sizeof d.state, "%s", r.stock_state[0] ?
	    r.stock_state : "RUNNING");
	snprintf(d.name, sizeof d.name, "bench sync");
	d.fetched_at = now;
	if (store_stock_put(st, &d) != 0)
		goto store_rb;
	for (i = 0; i < n; i++) {
		memset(&sc, 0, sizeof sc);
		snprintf(sc.code, sizeof sc.code, "%s", m.codes[i]);
		sc.kind = STORE_MERCHANT;
		snprintf(sc.target, sizeof sc.target, "%s", m.stock_id);
		snprintf(sc.state, sizeof sc.state, "issued");
		snprintf(sc.openid, sizeof sc.openid, "%s", m.openids[i]);
		sc.received_at = now;
		if (store_code_put(st, &sc) != 0)
			goto store_rb;
	}
	if (store_commit(st) != 0)
		goto store_rb;
	*codes_out = m.codes;
	m.codes = NULL;
	rc = 0;
	goto out;
store_rb:
	store_rollback(st);
store_err:
	snprintf(err, errn, "store: %s", store_errmsg(st));
out:
	wxpay_result_free(&r);
	wxpay_free(w);
	free(body);
	free(cause);
	free(m.codes);
	free(m.openids);
	return rc;
}

/* Redeem one code in its own sale (online through rd, else offline); the
 * line's final state. */
static int
redeem_one(struct checkout *co, struct redeem *rd, const char *code,
    enum checkout_cstate *st)
{
	const struct checkout_txn *t;
	int rc;

	if ((rc = checkout_open(co, 10000)) != 0)
		return rc;
	if ((rc = checkout_add(co, code, strlen(code), -1, NULL)) != 0 ||
	    (rc = rd != NULL ? redeem_run(rd) : checkout_redeem(co)) != 0) {
		(void)checkout_cancel(co);
		return rc;
	}
	t = checkout_current(co);
	*st = t->nlines > 0 ? t->lines[0].state : CHECKOUT_REJECTED;
	return checkout_close(co);
}

static int
cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

int
bench_sync_run(struct store *st, struct config *cfg, int n, int m,
    int workers, struct bench_sync_fig *f, char *err, size_t errn)
{
	struct checkout_opts copts;
	struct checkout *co = NULL;
	struct redeem *rd = NULL;
	struct net_rt *rt = NULL;
	struct net_rt_opts o;
	struct net_rt_run_opts ro;
	struct settle_status ss;
	char (*codes)[32] = NULL, *cause = NULL;
	uint64_t *lat = NULL, t0, t_queue, t_drain, t_online;
	enum checkout_cstate cs;
	int i, rc = -1;

	memset(f, 0, sizeof *f);
	f->n = n;
	f->online_n = m;
	f->workers = workers;
	/* offline acceptance must not be capped for the queueing phase */
	cfg->off_default_policy = CONFIG_POLICY_OFFLINE_OK;
	cfg->off_max_per_hour = INT_MAX;
	cfg->off_max_coupon_fen = INT64_MAX / 4;
	cfg->off_max_exposure_fen = INT64_MAX / 4;
	cfg->off_max_cache_age_s = INT64_MAX / 4;
	cfg->wx_rate_per_s = 0;
	net_rt_defaults(cfg, &o);
	o.sync.rate_per_s = 0;
	o.sync.workers = workers;
	o.settle.refresh_s = 0;
	o.settle.once = 3;
	o.settle.max_inflight = o.settle.queue_cap;
	if (net_rt_start(&rt, st, cfg, &o, &cause) != 0) {
		snprintf(err, errn, "%s", cause);
		goto out;
	}
	t0 = tm_mono_us();
	if (bench_mint(st, cfg, net_rt_wx(rt), n + m, &codes, err,
	    errn) != 0)
		goto out;
	f->mint_s = (double)(tm_mono_us() - t0) / 1e6;
	memset(&copts, 0, sizeof copts);
	copts.cfg = cfg;
	copts.st = st;
	if (checkout_new(&copts, &co, &cause) != 0) {
		snprintf(err, errn, "%s", cause);
		goto out;
	}
	/* 1. queue n redemptions offline (no online step installed) */
	t0 = tm_mono_us();
	for (i = 0; i < n; i++) {
		if (redeem_one(co, NULL, codes[i], &cs) != 0 ||
		    cs != CHECKOUT_ACCEPTED_OFFLINE) {
			snprintf(err, errn, "offline redeem of %s: state %s",
			    codes[i], checkout_cstate_name(cs));
			goto out;
		}
	}
	t_queue = tm_mono_us() - t0;
	/* 2. drain them */
	t0 = tm_mono_us();
	memset(&ro, 0, sizeof ro);
	ro.once = 1;
	if (net_rt_run(rt, &ro) != 0) {
		snprintf(err, errn, "drain: %s", store_errmsg(st));
		goto out;
	}
	t_drain = tm_mono_us() - t0;
	settle_status(net_rt_settle(rt), &ss);
	(void)store_outbox_depth(st, &f->left_pending, &f->left_unknown);
	f->confirmed = ss.confirmed;
	f->queue_per_s = (double)n * 1e6 / (double)t_queue;
	f->drain_s = (double)t_drain / 1e6;
	f->drain_per_s = (double)ss.confirmed * 1e6 / (double)t_drain;
	/* 3. online redemptions, scan to confirmed */
	lat = xcalloc((size_t)(m > 0 ? m : 1), sizeof *lat);
	/* the same step quan redeem installs, on this runtime */
	rd = redeem_new(co, net_rt_settle(rt), net_rt_results(rt),
	    cfg->wx_online_wait_ms);
	t0 = tm_mono_us();
	for (i = 0; i < m; i++) {
		uint64_t s = tm_mono_us();

		if (redeem_one(co, rd, codes[n + i], &cs) != 0) {
			snprintf(err, errn, "online redeem of %s failed",
			    codes[n + i]);
			goto out;
		}
		lat[i] = tm_mono_us() - s;
		if (cs == CHECKOUT_CONFIRMED)
			f->online_confirmed++;
	}
	t_online = tm_mono_us() - t0;
	qsort(lat, (size_t)m, sizeof *lat, cmp_u64);
	if (m > 0) {
		f->online_p50_ms = (double)lat[m / 2] / 1000;
		f->online_p99_ms = (double)lat[(m * 99) / 100] / 1000;
		f->online_per_s = (double)m * 1e6 / (double)t_online;
	}
	rc = 0;
out:
	redeem_free(rd);
	checkout_free(co);
	net_rt_stop(rt);
	free(codes);
	free(lat);
	free(cause);
	return rc;
}
