/*
 * test_sync_pc_sim.c — the sync thread's 商品券 executor (sync_wx_pc.c)
 * with the real sync thread against `quan sim`: the job's fields make the
 * doc's use body byte for byte (both modes); PC_USE / PC_RETURN /
 * PC_QUERY answers become the results the core acts on (OK with the
 * coupon's state and our use_request_no, ALREADY for a coupon used by
 * another order, REJECTED with WeChat's number for CONFIRMING or another
 * user's coupon); under 5xx and dropped answers the thread's retries send
 * the same bytes and the coupon is used exactly once.
 */
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <unistd.h>
#include <cmocka.h>

#include <jansson.h>

#include "core/evq.h"
#include "core/syncmsg.h"
#include "net/http.h"
#include "net/pcoupon.h"
#include "net/sync.h"
#include "net/sync_wx.h"
#include "net/sync_wx_int.h"
#include "util/config.h"
#include "util/err.h"
#include "util/log.h"
#include "util/tm.h"
#include "util/xmem.h"

#include "pc_vectors.h"
#include "simproc.h"

static char dir[128];
static char url[128];
static pid_t server = -1;
static struct config *cfg;
static json_t *seed;
static int seq;

static int
setup(void **state)
{
	(void)state;
	if (simproc_fixture(QUAN_BIN, "test_sync_pc_sim", dir, sizeof dir,
	    &cfg, &seed) != 0 || simproc_start(QUAN_BIN, dir, NULL, url,
	    sizeof url, &server) != 0)
		return -1;
	free(cfg->wx_base_url);
	cfg->wx_base_url = xstrdup(url);
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	simproc_free_fixture(dir, &server, cfg, seed);
	return 0;
}

static json_t *
entry(const char *cas, size_t i)
{
	return json_array_get(json_object_get(json_object_get(
	    json_object_get(seed, "product"), "cases"), cas), i);
}

static const char *
f(json_t *e, const char *k)
{
	return json_string_value(json_object_get(e, k));
}

/* A job for entry e (use: pay-first, a transaction id). */
static void
job_of(struct sync_job *j, enum sync_op op, json_t *e, const char *rn)
{
	memset(j, 0, sizeof *j);
	j->tag = ++seq;
	j->op = op;
	snprintf(j->code, sizeof j->code, "%s", f(e, "code"));
	snprintf(j->target, sizeof j->target, "%s", f(e, "stock_id"));
	snprintf(j->openid, sizeof j->openid, "%s", f(e, "openid"));
	snprintf(j->request_no, sizeof j->request_no, "%s", rn);
	snprintf(j->pc.product_coupon_id, sizeof j->pc.product_coupon_id,
	    "%s", f(e, "product_coupon_id"));
	snprintf(j->pc.appid, sizeof j->pc.appid, "%s", f(e, "appid"));
	snprintf(j->pc.brand_id, sizeof j->pc.brand_id, "%s",
	    f(e, "brand_id"));
	j->pc.use_time = tm_now();
	snprintf(j->pc.transaction_id, sizeof j->pc.transaction_id,
	    "42000000019%017d", seq);
}

struct rig {
	struct evq *jobs, *results;
	struct sync_wx *x;
	struct sync *s;
};

static void
rig_start(struct rig *r, enum config_pc_mode mode, int tries)
{
	struct sync_cfg sc;
	char *cause = NULL;

	cfg->pc_mode = mode;
	assert_int_equal(evq_new(&r->jobs, 64), 0);
	assert_int_equal(evq_new(&r->results, 256), 0);
	assert_int_equal(sync_wx_new(cfg, &r->x, &cause), 0);
	assert_int_equal(sync_wx_config_error(r->x, &cause), 0);
	sync_cfg_defaults(&sc);
	sc.workers = 2;
	sc.max_tries = tries;
	sc.backoff_base_ms = 20;
	sc.backoff_max_ms = 200;
	assert_int_equal(sync_start(&r->s, &sc, r->jobs, r->results,
	    &sync_wx_ops, r->x, &cause), 0);
}

static void
rig_stop(struct rig *r)
{
	sync_stop(r->s);
	sync_wx_free(r->x);
	evq_free(r->jobs);
	evq_free(r->results);
}

/* Post one job and wait for its result. */
static void
run(struct rig *r, const struct sync_job *j, struct sync_result *out)
{
	uint64_t end = tm_mono_ms() + 60000;
	struct ev ev;

	syncmsg_put(&ev, EV_SYNC_JOB, j, sizeof *j);
	assert_int_equal(evq_post(r->jobs, &ev), QUAN_OK);
	while (tm_mono_ms() < end) {
		if (!evq_wait(r->results, &ev, 100) ||
		    ev.type != EV_SYNC_DONE)
			continue;
		syncmsg_get(&ev, out, sizeof *out);
		if (out->tag == j->tag) {
			printf("    %-11s %s -> status %d rc %d HTTP %d %s "
			    "[%lld] %s\n", j->op == SYNC_OP_PC_USE ? "PC_USE" :
			    j->op == SYNC_OP_PC_RETURN ? "PC_RETURN" :
			    "PC_QUERY", j->code, out->status, out->rc,
			    out->http, out->wx_code,
			    (long long)out->pcr.wx_num, out->reason);
			return;
		}
	}
	fail_msg("no result for job %lld", (long long)j->tag);
}

/* The job's fields make the doc's use body (§11.1) byte for byte. */
static void
test_job_makes_the_doc_body(void **state)
{
	struct sync_job j;
	struct pcoupon_ctx *x = NULL;
	char *b, *cause = NULL;
	int64_t t;

	(void)state;
	memset(&j, 0, sizeof j);
	j.op = SYNC_OP_PC_USE;
	snprintf(j.code, sizeof j.code, "Code_123456");
	snprintf(j.target, sizeof j.target, "1000000013001");
	snprintf(j.request_no, sizeof j.request_no, "MCHUSE202003101234");
	snprintf(j.pc.product_coupon_id, sizeof j.pc.product_coupon_id,
	    "1000000013");
	snprintf(j.pc.appid, sizeof j.pc.appid, "wx233544546545989");
	snprintf(j.pc.brand_id, sizeof j.pc.brand_id, "120344");
	snprintf(j.pc.transaction_id, sizeof j.pc.transaction_id,
	    "4200000000123456789123456789");
	assert_int_equal(tm_parse_rfc3339("2025-08-03T12:00:00+08:00", &t), 0);
	j.pc.use_time = t;
	cfg->pc_mode = CONFIG_PC_PARTNER;
	assert_int_equal(pcoupon_ctx_new(cfg, &x, &cause), 0);
	b = sync_wx_pc_body(&j, x, &cause);
	assert_string_equal(b, PC_PARTNER_USE_BODY);
	free(b);
	pcoupon_ctx_free(x);
	cfg->pc_mode = CONFIG_PC_BRAND;
	assert_int_equal(pcoupon_ctx_new(cfg, &x, &cause), 0);
	b = sync_wx_pc_body(&j, x, &cause);
	assert_string_equal(b, PC_BRAND_USE_BODY);
	free(b);
	/* no order at all: refused before any send */
	j.pc.transaction_id[0] = '\0';
	assert_null(sync_wx_pc_body(&j, x, &cause));
	assert_non_null(strstr(cause, "associated_order_info"));
	free(cause);
	pcoupon_ctx_free(x);
}

static void
cases(enum config_pc_mode mode, size_t vi)
{
	struct rig r;
	struct sync_job j;
	struct sync_result res;
	char rn[40];

	rig_start(&r, mode, 4);
	snprintf(rn, sizeof rn, "U_T01_%d_%lld", (int)mode,
	    (long long)tm_now());
	job_of(&j, SYNC_OP_PC_USE, entry("valid", vi), rn);
	run(&r, &j, &res);
	assert_int_equal(res.status, SYNC_OK);
	assert_string_equal(res.pcr.coupon_state, "USED");
	assert_string_equal(res.pcr.use_request_no, rn);
	assert_string_equal(res.pcr.transaction_id, j.pc.transaction_id);
	assert_true(res.reached >= 1);
	/* the row resent (a crash before the answer was kept): same answer */
	j.tag = ++seq;
	run(&r, &j, &res);
	assert_int_equal(res.status, SYNC_OK);
	assert_string_equal(res.pcr.use_request_no, rn);
	/* return it, then ask */
	snprintf(rn, sizeof rn, "R_T01_%d_%lld", (int)mode,
	    (long long)tm_now());
	job_of(&j, SYNC_OP_PC_RETURN, entry("valid", vi), rn);
	run(&r, &j, &res);
	assert_int_equal(res.status, SYNC_OK);
	assert_string_equal(res.pcr.coupon_state, "EFFECTIVE");
	assert_string_equal(res.pcr.return_request_no, rn);
	job_of(&j, SYNC_OP_PC_QUERY, entry("valid", vi), "");
	run(&r, &j, &res);
	assert_int_equal(res.status, SYNC_OK);
	assert_string_equal(res.pcr.coupon_state, "EFFECTIVE");
	/* used by another order: ALREADY (the core queries) */
	snprintf(rn, sizeof rn, "U_T01_%d_u%lld", (int)mode,
	    (long long)tm_now());
	job_of(&j, SYNC_OP_PC_USE, entry("used", 0), rn);
	run(&r, &j, &res);
	assert_int_equal(res.status, SYNC_ALREADY);
	assert_int_equal(res.pcr.wx_num, 272756745);
	/* CONFIRMING: a definite refusal with WeChat's number */
	snprintf(rn, sizeof rn, "U_T01_%d_c%lld", (int)mode,
	    (long long)tm_now());
	job_of(&j, SYNC_OP_PC_USE, entry("confirming", 0), rn);
	run(&r, &j, &res);
	assert_int_equal(res.status, SYNC_REJECTED);
	assert_int_equal(res.pcr.wx_num, 268578367);
	assert_string_equal(res.reason, "coupon_state_invalid");
	/* another user's coupon */
	snprintf(rn, sizeof rn, "U_T01_%d_o%lld", (int)mode,
	    (long long)tm_now());
	job_of(&j, SYNC_OP_PC_USE, entry("other_user", 0), rn);
	snprintf(j.openid, sizeof j.openid, "%s",
	    f(entry("other_user", 0), "wrong_openid"));
	run(&r, &j, &res);
	assert_int_equal(res.status, SYNC_REJECTED);
	assert_int_equal(res.pcr.wx_num, 268578851);
	rig_stop(&r);
}

static void
test_partner_jobs(void **state)
{
	(void)state;
	cases(CONFIG_PC_PARTNER, 0);
}

static void
test_brand_jobs(void **state)
{
	(void)state;
	cases(CONFIG_PC_BRAND, 1);
}

/* 5xx and dropped answers: the thread resends the same bytes until an
 * answer; one use in the simulator's ledger. */
static void
test_faults_use_exactly_once(void **state)
{
	static const char *const faults[] = { "--faults",
	    "5xx=0.5,drop=0.4", "--seed", "4", NULL };
	struct rig r;
	struct sync_job j;
	struct sync_result res;
	char rn[40], line[32] = "", *cmd;
	FILE *pp;
	int i;

	(void)state;
	simproc_stop(&server);
	assert_int_equal(simproc_start(QUAN_BIN, dir, faults, url,
	    sizeof url, &server), 0);
	free(cfg->wx_base_url);
	cfg->wx_base_url = xstrdup(url);
	rig_start(&r, CONFIG_PC_BRAND, 30);
	snprintf(rn, sizeof rn, "U_T01_f%lld", (long long)tm_now());
	job_of(&j, SYNC_OP_PC_USE, entry("valid", 2), rn);
	for (i = 0; i < 5; i++) {
		run(&r, &j, &res);
		if (res.status == SYNC_OK)
			break;
		j.tag = ++seq;
	}
	assert_int_equal(res.status, SYNC_OK);
	assert_string_equal(res.pcr.use_request_no, rn);
	printf("    tries %d, reached %d\n", res.tries, res.reached);
	assert_true(res.tries >= 2); /* seed 4: the first sends fail */
	rig_stop(&r);
	cmd = xasprintf("sqlite3 %s/sim.db \"SELECT count(*) FROM pc_ledger "
	    "WHERE kind = 'use' AND code = '%s'\"", dir,
	    f(entry("valid", 2), "code"));
	pp = popen(cmd, "r");
	free(cmd);
	assert_non_null(pp);
	assert_non_null(fgets(line, sizeof line, pp));
	pclose(pp);
	assert_int_equal(atoi(line), 1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_job_makes_the_doc_body),
		cmocka_unit_test(test_partner_jobs),
		cmocka_unit_test(test_brand_jobs),
		cmocka_unit_test(test_faults_use_exactly_once),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
