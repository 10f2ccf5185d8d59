/*
 * cmd_net_bench.c — `quan bench sync`: against `quan sim` on loopback,
 * mint fresh coupons (a stock created and coupons sent through the real
 * signed API), queue N redemptions offline through the checkout engine,
 * drain them with the sync thread (rate cap off) and time it, then time M
 * online redemptions from scan to confirmed. `--mint N` only mints into the
 * configured store and prints the codes (the fault soak uses it).
 */
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <jansson.h>

#include "cli/bench.h"
#include "cli/cli_common.h"
#include "cli/cmd.h"
#include "cli/cmd_net.h"
#include "core/checkout.h"
#include "core/redeem.h"
#include "core/settle.h"
#include "net/http.h"
#include "net/sync_wx.h"
#include "net/wxpay.h"
#include "sim/sim.h"
#include "store/store.h"
#include "util/config.h"
#include "util/err.h"
#include "util/log.h"
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
bench_mint(struct cli *c, struct sync_wx *x, int n, char (**codes_out)[32],
    char *err, size_t errn)
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
	m.cfg = c->cfg;
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
	    "stock_name", "bench sync", "belong_merchant", c->cfg->wx_mchid,
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
	if (store_begin(c->st) != 0)
		goto store_err;
	memset(&d, 0, sizeof d);
	snprintf(d.id, sizeof d.id, "%s", m.stock_id);
	d.raw = r.body;
	snprintf(d.type, sizeof d.type, "NORMAL");
	snprintf(d.state, sizeof d.state, "%s", r.stock_state[0] ?
	    r.stock_state : "RUNNING");
	snprintf(d.name, sizeof d.name, "bench sync");
	d.fetched_at = now;
	if (store_stock_put(c->st, &d) != 0)
		goto store_rb;
	for (i = 0; i < n; i++) {
		memset(&sc, 0, sizeof sc);
		snprintf(sc.code, sizeof sc.code, "%s", m.codes[i]);
		sc.kind = STORE_MERCHANT;
		snprintf(sc.target, sizeof sc.target, "%s", m.stock_id);
		snprintf(sc.state, sizeof sc.state, "issued");
		snprintf(sc.openid, sizeof sc.openid, "%s", m.openids[i]);
		sc.received_at = now;
		if (store_code_put(c->st, &sc) != 0)
			goto store_rb;
	}
	if (store_commit(c->st) != 0)
		goto store_rb;
	*codes_out = m.codes;
	m.codes = NULL;
	rc = 0;
	goto out;
store_rb:
	store_rollback(c->st);
store_err:
	snprintf(err, errn, "store: %s", store_errmsg(c->st));
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

/* Run `quan sim serve DIR --listen 127.0.0.1:0 --use-qps 0`; wait for
 * its "listening" line. */
pid_t
bench_spawn_sim(const char *dir, char *err, size_t n)
{
	int fd[2];
	pid_t pid;
	char line[256];
	FILE *fp;

	if (pipe(fd) != 0) {
		snprintf(err, n, "pipe: %s", strerror(errno));
		return -1;
	}
	pid = fork();
	if (pid < 0) {
		snprintf(err, n, "fork: %s", strerror(errno));
		return -1;
	}
	if (pid == 0) {
		dup2(fd[1], 1);
		close(fd[0]);
		close(fd[1]);
		execl("/proc/self/exe", "quan", "sim", "serve", dir,
		    "--listen", "127.0.0.1:0", "--use-qps", "0", (char *)NULL);
		_exit(127);
	}
	close(fd[1]);
	fp = fdopen(fd[0], "r");
	if (fp == NULL || fgets(line, sizeof line, fp) == NULL ||
	    strncmp(line, "listening ", 10) != 0) {
		snprintf(err, n, "quan sim serve did not start");
		if (fp != NULL)
			fclose(fp);
		kill(pid, SIGTERM);
		waitpid(pid, NULL, 0);
		return -1;
	}
	fclose(fp); /* the sim may write more; it ignores EPIPE or dies */
	return pid;
}

void
bench_teardown(struct cli *c, struct net_rt *rt, pid_t sim, const char *dir)
{
	if (rt->s != NULL || rt->se != NULL)
		net_rt_stop(rt);
	if (sim > 0) {
		kill(sim, SIGTERM);
		waitpid(sim, NULL, 0);
	}
	cli_done(c);
	if (dir != NULL && getenv("QUAN_BENCH_KEEP") == NULL) {
		char cmd[600];

		snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
		if (system(cmd) != 0)
			fprintf(stderr, "quan bench: could not remove %s\n",
			    dir);
	}
}

static void
usage_bench(void)
{
	fprintf(stderr, "usage: quan bench sync [--n N] [--online M] "
	    "[--workers W] [--json]\n"
	    "       quan bench sync --mint N   (mint into the configured "
	    "store; codes on stdout)\n");
}

int
bench_sync(int argc, char **argv)
{
	struct cli c;
	struct checkout_opts copts;
	struct checkout *co = NULL;
	struct redeem *rd = NULL;
	struct net_rt rt;
	struct net_rt_opts o;
	struct settle_status st;
	char tmpl[] = "/tmp/quan-bench-sync-XXXXXX", *dir = NULL;
	char path[512], err[512], *cause = NULL;
	char (*codes)[32] = NULL;
	uint64_t *lat = NULL, t0, t_queue, t_drain, t_online;
	enum checkout_cstate cs;
	pid_t sim = -1;
	int64_t pend = 0, unk = 0;
	int i, rc = EXIT_FAIL, n = 10000, m = 200, workers, json = 0;
	int mint_only = 0, ok_online = 0, own = 0;
	struct sync_cfg dflt;
	double drain_rate;

	memset(&c, 0, sizeof c);
	memset(&rt, 0, sizeof rt);
	sync_cfg_defaults(&dflt);
	workers = dflt.workers;
	if (cli_parse_globals(&c, &argc, argv) != 0)
		return EXIT_USAGE;
	for (i = 1; i < argc; i++) {
		char *end;
		long v = 0;

		if (i + 1 < argc)
			v = strtol(argv[i + 1], &end, 10);
		if (strcmp(argv[i], "--json") == 0) {
			json = 1;
		} else if (strcmp(argv[i], "--n") == 0 && i + 1 < argc &&
		    *end == '\0' && v >= 1 && v <= 1000000) {
			n = (int)v;
			i++;
		} else if (strcmp(argv[i], "--mint") == 0 && i + 1 < argc &&
		    *end == '\0' && v >= 1 && v <= 1000000) {
			n = (int)v;
			mint_only = 1;
			i++;
		} else if (strcmp(argv[i], "--online") == 0 && i + 1 < argc &&
		    *end == '\0' && v >= 0 && v <= 100000) {
			m = (int)v;
			i++;
		} else if (strcmp(argv[i], "--workers") == 0 && i + 1 < argc &&
		    *end == '\0' && v >= 1 && v <= 16) {
			workers = (int)v;
			i++;
		} else {
			usage_bench();
			return EXIT_USAGE;
		}
	}
	(void)http_global_init();
	if (mint_only) {
		struct sync_wx *x = NULL;

		if ((rc = cli_setup(&c, "bench")) != 0 ||
		    (rc = cli_open_store(&c, "bench", 0)) != 0)
			goto out;
		rc = EXIT_FAIL;
		if (sync_wx_new(c.cfg, &x, &cause) != 0 ||
		    bench_mint(&c, x, n, &codes, err, sizeof err) != 0) {
			fprintf(stderr, "quan bench sync --mint: %s\n", err);
			sync_wx_free(x);
			goto out;
		}
		sync_wx_free(x);
		for (i = 0; i < n; i++)
			printf("%s\n", codes[i]);
		rc = EXIT_OK;
		goto out;
	}
	/* our own simulator and data under a temporary folder */
	if ((dir = mkdtemp(tmpl)) == NULL) {
		fprintf(stderr, "quan bench sync: mkdtemp: %s\n",
		    strerror(errno));
		goto out;
	}
	own = 1;
	if (sim_init(dir, 18443, 0, &cause) != 0) {
		fprintf(stderr, "quan bench sync: sim init: %s\n", cause);
		goto out;
	}
	if ((sim = bench_spawn_sim(dir, err, sizeof err)) < 0) {
		fprintf(stderr, "quan bench sync: %s\n", err);
		goto out;
	}
	snprintf(path, sizeof path, "%s/quan.conf", dir);
	c.config_opt = path;
	snprintf(err, sizeof err, "%s/data", dir);
	c.data_opt = err;
	if ((rc = cli_setup(&c, "bench")) != 0 ||
	    (rc = cli_open_store(&c, "bench", 0)) != 0)
		goto out;
	rc = EXIT_FAIL;
	/* offline acceptance must not be capped for the queueing phase */
	c.cfg->off_default_policy = CONFIG_POLICY_OFFLINE_OK;
	c.cfg->off_max_per_hour = INT_MAX;
	c.cfg->off_max_coupon_fen = INT64_MAX / 4;
	c.cfg->off_max_exposure_fen = INT64_MAX / 4;
	c.cfg->off_max_cache_age_s = INT64_MAX / 4;
	c.cfg->wx_rate_per_s = 0;
	net_rt_defaults(c.cfg, &o);
	o.sync.rate_per_s = 0;
	o.sync.workers = workers;
	o.settle.refresh_s = 0;
	o.settle.once = 3;
	o.settle.max_inflight = NET_TO_SYNC_CAP;
	if (net_rt_start(&rt, &c, &o, "bench") != 0)
		goto out;
	t0 = tm_mono_us();
	if (bench_mint(&c, rt.x, n + m, &codes, err, sizeof err) != 0) {
		fprintf(stderr, "quan bench sync: mint: %s\n", err);
		goto out;
	}
	if (!json)
		fprintf(stderr, "minted %d coupons in %.1f s\n", n + m,
		    (double)(tm_mono_us() - t0) / 1e6);
	memset(&copts, 0, sizeof copts);
	copts.cfg = c.cfg;
	copts.st = c.st;
	if (checkout_new(&copts, &co, &cause) != 0) {
		fprintf(stderr, "quan bench sync: %s\n", cause);
		goto out;
	}
	/* 1. queue n redemptions offline (no online step installed) */
	t0 = tm_mono_us();
	for (i = 0; i < n; i++) {
		if (redeem_one(co, NULL, codes[i], &cs) != 0 ||
		    cs != CHECKOUT_ACCEPTED_OFFLINE) {
			fprintf(stderr, "quan bench sync: offline redeem of "
			    "%s: state %s\n", codes[i],
			    checkout_cstate_name(cs));
			goto out;
		}
	}
	t_queue = tm_mono_us() - t0;
	/* 2. drain them */
	t0 = tm_mono_us();
	if (net_rt_run(&rt, 1, 0) != 0)
		goto out;
	t_drain = tm_mono_us() - t0;
	settle_status(rt.se, &st);
	(void)store_outbox_depth(c.st, &pend, &unk);
	drain_rate = (double)st.confirmed * 1e6 / (double)t_drain;
	/* 3. online redemptions, scan to confirmed */
	lat = xcalloc((size_t)(m > 0 ? m : 1), sizeof *lat);
	/* the same step quan redeem installs, on this runtime */
	rd = redeem_new(co, rt.se, rt.results, c.cfg->wx_online_wait_ms);
	t0 = tm_mono_us();
	for (i = 0; i < m; i++) {
		uint64_t s = tm_mono_us();

		if (redeem_one(co, rd, codes[n + i], &cs) != 0)
			goto out;
		lat[i] = tm_mono_us() - s;
		if (cs == CHECKOUT_CONFIRMED)
			ok_online++;
	}
	t_online = tm_mono_us() - t0;
	qsort(lat, (size_t)m, sizeof *lat, cmp_u64);
	if (json) {
		printf("{\"n\":%d,\"confirmed\":%" PRIu64 ",\"left_pending\":%"
		    PRId64 ",\"left_unknown\":%" PRId64 ",\"workers\":%d,"
		    "\"queue_per_s\":%.0f,\"drain_s\":%.3f,\"drain_per_s\":%.0f,"
		    "\"online_n\":%d,\"online_confirmed\":%d,"
		    "\"online_p50_ms\":%.2f,\"online_p99_ms\":%.2f,"
		    "\"online_per_s\":%.0f}\n",
		    n, st.confirmed, pend, unk, workers,
		    (double)n * 1e6 / (double)t_queue, (double)t_drain / 1e6,
		    drain_rate, m, ok_online,
		    m ? (double)lat[m / 2] / 1000 : 0.0,
		    m ? (double)lat[(m * 99) / 100 < m ? (m * 99) / 100 :
		    m - 1] / 1000 : 0.0,
		    m ? (double)m * 1e6 / (double)t_online : 0.0);
	} else {
		printf("queued %d offline redemptions at %.0f/s\n", n,
		    (double)n * 1e6 / (double)t_queue);
		printf("drained %" PRIu64 " in %.2f s: %.0f/s (%d workers, "
		    "rate cap off); left %" PRId64 " pending, %" PRId64
		    " unknown\n", st.confirmed, (double)t_drain / 1e6,
		    drain_rate, workers, pend, unk);
		if (m > 0)
			printf("online: %d/%d confirmed, scan->confirmed p50 "
			    "%.2f ms, p99 %.2f ms\n", ok_online, m,
			    (double)lat[m / 2] / 1000,
			    (double)lat[(m * 99) / 100] / 1000);
	}
	rc = (int64_t)st.confirmed == n && pend + unk == 0 && ok_online == m ?
	    EXIT_OK : EXIT_FAIL;
out:
	redeem_free(rd);
	checkout_free(co);
	bench_teardown(&c, &rt, sim, own ? dir : NULL);
	free(codes);
	free(lat);
	free(cause);
	return rc;
}
