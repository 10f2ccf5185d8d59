/*
 * test_pay_sim.c — conformance of the payment clients and the state
 * machine against the real `quan sim` over HTTPS, both APIs: every
 * seeded payment-code case driven to its final state (paid with the
 * vouchers the rules give, USERPAYING paid later, USERPAYING for ever →
 * reverse with recall → reversed, NOTENOUGH, AUTH_CODE_INVALID, expired,
 * SYSTEMERROR then paid), a duplicate out_trade_no that never charges
 * twice (the simulator's pay_ledger counts), a reused code, a reverse of
 * a paid order, a dropped answer and a bad v2 signature that the query
 * settles, MD5 signing. Times are scaled down (deadline 6 s, reverse
 * after 2 s) through struct pay_params; the rules are the same.
 * QUAN_BIN is the quan binary.
 */
#include <fcntl.h>
#include <poll.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>

#include <jansson.h>

#include "net/http.h"
#include "core/reconcile.h"
#include "net/pay.h"
#include "net/wxpay.h"
#include "util/config.h"
#include "util/err.h"
#include "util/log.h"
#include "util/tm.h"
#include "util/xmem.h"

static char dir[128];
static char url[128];
static pid_t server = -1;
static struct config *cfg;
static json_t *seed;
static int otn_seq;

/* ---- the simulator process -------------------------------------------- */

static int
run(const char *const *argv)
{
	pid_t p = fork();
	int st = 0;

	if (p == 0) {
		int fd = open("/dev/null", O_WRONLY);
		if (fd >= 0)
			dup2(fd, 1);
		execv(argv[0], (char *const *)argv);
		_exit(127);
	}
	if (p < 0 || waitpid(p, &st, 0) < 0)
		return -1;
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static int
start_server(const char *faults)
{
	int pfd[2];
	char line[256], *lp;
	struct pollfd pl;
	FILE *f;

	if (pipe(pfd) != 0)
		return -1;
	server = fork();
	if (server == 0) {
		char *log = xasprintf("%s/serve.log", dir);
		int fd = open(log, O_WRONLY | O_CREAT | O_APPEND, 0644);
		const char *argv[] = { QUAN_BIN, "sim", "serve", dir,
		    "--listen", "127.0.0.1:0", "--no-rewrite-conf",
		    faults ? "--faults" : NULL, faults, NULL };

		dup2(pfd[1], 1);
		if (fd >= 0)
			dup2(fd, 2);
		close(pfd[0]);
		execv(argv[0], (char *const *)argv);
		_exit(127);
	}
	close(pfd[1]);
	if (server < 0)
		return -1;
	pl.fd = pfd[0];
	pl.events = POLLIN;
	if (poll(&pl, 1, 30000) != 1 || (f = fdopen(pfd[0], "r")) == NULL) {
		close(pfd[0]);
		return -1;
	}
	if (fgets(line, sizeof line, f) == NULL) {
		fclose(f);
		return -1;
	}
	fclose(f);
	line[strcspn(line, "\r\n")] = '\0';
	lp = strstr(line, "https://");
	if (lp == NULL)
		return -1;
	snprintf(url, sizeof url, "%s", lp);
	return 0;
}

/* Stop the server: 0 when it exited cleanly (under ASan that also
 * means no leak or error report). */
static int
stop_server(void)
{
	int st = 0;

	if (server > 0) {
		kill(server, SIGTERM);
		waitpid(server, &st, 0);
		server = -1;
		if (!WIFEXITED(st) || WEXITSTATUS(st) != 0) {
			fprintf(stderr, "quan sim serve ended badly (status "
			    "%d): see %s/serve.log\n", st, dir);
			return -1;
		}
	}
	return 0;
}

/* Rows of the simulator's pay_ledger for out_trade_no and kind. */
static int
ledger_count(const char *otn, const char *kind)
{
	char *cmd = xasprintf("sqlite3 '%s/sim.db' \"SELECT count(*) FROM "
	    "pay_ledger WHERE out_trade_no = '%s' AND kind = '%s'\"", dir,
	    otn, kind);
	FILE *p = popen(cmd, "r");
	int n = -1;

	free(cmd);
	assert_non_null(p);
	if (fscanf(p, "%d", &n) != 1)
		n = -1;
	pclose(p);
	return n;
}

/* ---- clients ---------------------------------------------------------- */

struct env {
	struct wxpay_ctx *wx;
	struct pay_ctx *v3, *v2, *v2md5;
};

static struct env env;

static struct pay_ctx *
pay_ctx(enum pay_api api, int md5)
{
	struct pay_cfg pc;
	struct pay_ctx *c = NULL;
	char *cause = NULL;

	memset(&pc, 0, sizeof pc);
	pc.api = api;
	pc.appid = cfg->wx_appid;
	pc.mchid = cfg->wx_mchid;
	pc.v3 = env.wx;
	pc.base_url = url;
	pc.v2_key_file = cfg->pay_v2_key_file;
	pc.v2_sign_md5 = md5;
	pc.client_cert = cfg->pay_v2_cert;
	pc.client_key = cfg->wx_private_key;
	pc.ca_file = cfg->wx_ca_file;
	pc.timeout_ms = 5000;
	if (pay_ctx_new(&pc, &c, &cause) != 0)
		fail_msg("pay ctx: %s", cause ? cause : "?");
	return c;
}

static void
make_clients(void)
{
	struct wxpay_cfg c;
	char *cause = NULL;

	memset(&c, 0, sizeof c);
	c.base_url = url;
	c.mchid = cfg->wx_mchid;
	c.merchant_serial = cfg->wx_merchant_serial;
	c.private_key = cfg->wx_private_key;
	c.apiv3_key = cfg->wx_apiv3_key;
	c.public_key_id = cfg->wx_public_key_id;
	c.public_key = cfg->wx_public_key;
	c.ca_file = cfg->wx_ca_file;
	c.timeout_ms = 5000;
	if (wxpay_ctx_new(&c, &env.wx, &cause) != 0)
		fail_msg("wxpay ctx: %s", cause ? cause : "?");
	env.v3 = pay_ctx(PAY_API_V3, 0);
	env.v2 = pay_ctx(PAY_API_V2, 0);
	env.v2md5 = pay_ctx(PAY_API_V2, 1);
}

static void
free_clients(void)
{
	pay_ctx_free(env.v3);
	pay_ctx_free(env.v2);
	pay_ctx_free(env.v2md5);
	wxpay_ctx_free(env.wx);
	memset(&env, 0, sizeof env);
}

static int
setup(void **state)
{
	const char *init[] = { QUAN_BIN, "sim", "init", dir, NULL };
	const char *sd[] = { QUAN_BIN, "sim", "seed", dir, NULL };
	char *cause = NULL, *p;

	(void)state;
	signal(SIGPIPE, SIG_IGN);
	log_set_level(LOG_ERROR);
	if (http_global_init() != 0)
		return -1;
	snprintf(dir, sizeof dir, "/tmp/test_pay_sim.XXXXXX");
	if (mkdtemp(dir) == NULL || run(init) != 0 || run(sd) != 0)
		return -1;
	p = xasprintf("%s/quan.conf", dir);
	if (config_load(p, &cfg, &cause) != 0) {
		fprintf(stderr, "config: %s\n", cause ? cause : "?");
		return -1;
	}
	free(p);
	p = xasprintf("%s/seed.json", dir);
	seed = json_load_file(p, 0, NULL);
	free(p);
	if (seed == NULL || start_server(NULL) != 0)
		return -1;
	make_clients();
	return 0;
}

static int
teardown(void **state)
{
	const char *rm[] = { "/bin/rm", "-rf", dir, NULL };

	int rc;

	(void)state;
	free_clients();
	rc = stop_server();
	json_decref(seed);
	config_free(cfg);
	if (getenv("QUAN_KEEP_TMP") == NULL && rc == 0)
		run(rm);
	return rc;
}

/* ---- driving the machine ---------------------------------------------- */

static void
scaled(struct pay_params *p)
{
	pay_params_default(p);
	p->deadline_ms = 6000;
	p->query_interval_ms = 500;
	p->reverse_after_ms = 2000;
	p->reverse_backoff_ms = 200;
}

/* The code of a seeded case; variant > 0 gives another code of the same
 * case and payer (the last digits changed), for a second order. */
static char *
code_of(const char *cas, int variant)
{
	json_t *v = json_object_get(json_object_get(seed, "pay"), cas);
	char *c;

	assert_true(json_is_string(v));
	c = xstrdup(json_string_value(v));
	if (variant > 0 && strlen(c) == 18)
		snprintf(c + 14, 5, "%04u", (unsigned)variant % 10000u);
	return c;
}

static char *
new_otn(void)
{
	return xasprintf("QTSIM%08d%05d", (int)(tm_now() % 100000000),
	    ++otn_seq);
}

struct run {
	struct pay_machine m;
	int sent[4];          /* requests per op */
};

/* Drive one charge to its final state as the core will (here blocking:
 * wait for next_at_ms, send, feed). */
static void
drive(struct pay_ctx *ctx, const char *otn, const char *code, int64_t fen,
    const char *tag, struct run *r)
{
	struct pay_order o = { .out_trade_no = otn, .auth_code = code,
	    .description = "quan测试店-商品", .total_fen = fen,
	    .goods_tag = tag, .device_id = "POS01",
	    .device_ip = "127.0.0.1", .store_id = "S001" };
	struct pay_params p;
	struct pay_client *cl = NULL;
	char *body, *cause = NULL;
	int guard = 0;

	scaled(&p);
	memset(r, 0, sizeof *r);
	body = pay_pay_body(ctx, &o, &cause);
	assert_non_null(body);
	assert_int_equal(pay_client_new(ctx, NULL, &cl, &cause), 0);
	pay_machine_start(&r->m, (int64_t)tm_mono_ms());
	while (r->m.outcome == PAY_PENDING && guard++ < 200) {
		struct pay_answer a;
		int64_t now = (int64_t)tm_mono_ms();

		if (r->m.next_at_ms > now)
			usleep((useconds_t)(r->m.next_at_ms - now) * 1000);
		r->sent[r->m.next_op]++;
		switch (r->m.next_op) {
		case PAY_OP_PAY:
			pay_send_pay(cl, body, strlen(body), &a);
			break;
		case PAY_OP_QUERY:
			pay_query(cl, otn, &a);
			break;
		case PAY_OP_REVERSE:
			pay_reverse(cl, otn, &a);
			break;
		default:
			fail_msg("no next op while pending");
		}
		pay_machine_feed(&r->m, &p, &a, (int64_t)tm_mono_ms());
	}
	assert_int_not_equal(r->m.outcome, PAY_PENDING);
	pay_client_free(cl);
	free(body);
}

static struct pay_ctx *
api_ctx(int v2)
{
	return v2 ? env.v2 : env.v3;
}

/* ---- cases ------------------------------------------------------------ */

static void
paid_with_vouchers(int v2)
{
	struct run r;
	char *otn, *code = code_of("success", v2 ? 1 : 0);

	/* ¥10: 满10减2 (NOCASH 200) applies */
	otn = new_otn();
	drive(api_ctx(v2), otn, code, 1000, NULL, &r);
	assert_int_equal(r.m.outcome, PAY_PAID);
	assert_int_equal(r.sent[PAY_OP_PAY], 1);
	assert_int_equal(r.sent[PAY_OP_QUERY], 0);
	assert_int_equal(r.m.paid.total_fen, 1000);
	assert_int_equal(r.m.paid.payer_fen, 800);
	assert_int_equal(r.m.paid.voucher_fen, 200);
	assert_true(r.m.paid.transaction_id[0] != '\0');
	if (!v2) {
		/* v3 names the voucher in the charge's answer */
		assert_int_equal(r.m.paid.nv, 1);
		assert_string_equal(r.m.paid.v[0].name, "满10减2");
		assert_int_equal(r.m.paid.v[0].type, PAY_VT_NOCASH);
		assert_int_equal(r.m.paid.settlement_fen, 800);
	} else {
		/* classic micropay: only coupon_fee; orderquery lists it */
		struct pay_client *cl = NULL;
		struct pay_answer a;

		assert_int_equal(r.m.paid.nv, 0);
		assert_int_equal(pay_client_new(env.v2, NULL, &cl, NULL), 0);
		pay_query(cl, otn, &a);
		assert_true(pay_answer_paid(&a));
		assert_int_equal(a.nv, 1);
		assert_string_equal(a.v[0].id, "SIMV0001");
		assert_int_equal(a.v[0].type, PAY_VT_NOCASH);
		assert_int_equal(a.v[0].amount_fen, 200);
		assert_int_equal(a.settlement_fen, 800);
		pay_client_free(cl);
	}
	assert_int_equal(ledger_count(otn, "pay"), 1);
	free(otn);
	free(code);
	/* ¥60: both activities (NOCASH 200 + CASH 500) */
	code = code_of("success", v2 ? 3 : 2);
	otn = new_otn();
	drive(api_ctx(v2), otn, code, 6000, NULL, &r);
	assert_int_equal(r.m.outcome, PAY_PAID);
	assert_int_equal(r.m.paid.payer_fen, 5300);
	assert_int_equal(r.m.paid.voucher_fen, 700);
	assert_int_equal(r.m.paid.settlement_fen, 5800);
	free(otn);
	free(code);
	/* ¥4.99: below every minimum, no voucher */
	code = code_of("success", v2 ? 5 : 4);
	otn = new_otn();
	drive(api_ctx(v2), otn, code, 499, NULL, &r);
	assert_int_equal(r.m.outcome, PAY_PAID);
	assert_int_equal(r.m.paid.payer_fen, 499);
	assert_int_equal(r.m.paid.voucher_fen, 0);
	assert_int_equal(r.m.paid.nv, 0);
	free(otn);
	free(code);
	/* payer 2 with goods_tag WXG: the tagged activity only */
	code = code_of("success_user2", v2 ? 1 : 0);
	otn = new_otn();
	drive(api_ctx(v2), otn, code, 600, "WXG", &r);
	assert_int_equal(r.m.outcome, PAY_PAID);
	assert_int_equal(r.m.paid.voucher_fen, 100);
	free(otn);
	free(code);
}

static void
test_v3_paid_with_vouchers(void **state)
{
	(void)state;
	paid_with_vouchers(0);
}

static void
test_v2_paid_with_vouchers(void **state)
{
	(void)state;
	paid_with_vouchers(1);
}

static void
unknown_cases(int v2)
{
	struct run r;
	char *otn, *code;

	/* USERPAYING, paid 3 s later: found by a query */
	code = code_of("userpaying_then_success", v2);
	otn = new_otn();
	drive(api_ctx(v2), otn, code, 1200, NULL, &r);
	assert_int_equal(r.m.outcome, PAY_PAID);
	assert_true(r.sent[PAY_OP_QUERY] >= 1);
	assert_int_equal(r.sent[PAY_OP_REVERSE], 0);
	assert_int_equal(ledger_count(otn, "pay"), 1);
	free(otn);
	free(code);
	/* SYSTEMERROR on the charge, taken all the same */
	code = code_of("systemerror_then_success", v2);
	otn = new_otn();
	drive(api_ctx(v2), otn, code, 300, NULL, &r);
	assert_int_equal(r.m.outcome, PAY_PAID);
	assert_int_equal(r.sent[PAY_OP_QUERY], 1);
	assert_int_equal(ledger_count(otn, "pay"), 1);
	free(otn);
	free(code);
	/* USERPAYING for ever: queried to the deadline, reversed (the
	 * first reverse answers recall / SYSTEMERROR), confirmed REVOKED */
	code = code_of("userpaying_never", v2);
	otn = new_otn();
	drive(api_ctx(v2), otn, code, 1500, NULL, &r);
	assert_int_equal(r.m.outcome, PAY_REVERSED);
	assert_true(r.sent[PAY_OP_QUERY] >= 5);
	assert_int_equal(r.sent[PAY_OP_REVERSE], 2);
	assert_int_equal(ledger_count(otn, "pay"), 0);
	free(otn);
	free(code);
}

static void
test_v3_unknown_outcomes(void **state)
{
	(void)state;
	unknown_cases(0);
}

static void
test_v2_unknown_outcomes(void **state)
{
	(void)state;
	unknown_cases(1);
}

static void
failures(int v2)
{
	static const struct {
		const char *cas;
		enum pay_err err;
	} rows[] = {
		{ "notenough", PAY_E_NOTENOUGH },
		{ "auth_code_invalid", PAY_E_AUTH_CODE_INVALID },
		{ "expired", PAY_E_AUTHCODEEXPIRE },
	};
	size_t i;

	for (i = 0; i < sizeof rows / sizeof rows[0]; i++) {
		struct run r;
		char *otn = new_otn(), *code = code_of(rows[i].cas, v2);

		drive(api_ctx(v2), otn, code, 1000, NULL, &r);
		assert_int_equal(r.m.outcome, PAY_FAILED);
		assert_int_equal(r.m.err, rows[i].err);
		assert_int_equal(r.sent[PAY_OP_QUERY], 0);
		assert_int_equal(ledger_count(otn, "pay"), 0);
		free(otn);
		free(code);
	}
}

static void
test_v3_failures(void **state)
{
	(void)state;
	failures(0);
}

static void
test_v2_failures(void **state)
{
	(void)state;
	failures(1);
}

/* The same out_trade_no again never charges twice; a code is one order's. */
static void
duplicates(int v2)
{
	struct pay_ctx *ctx = api_ctx(v2);
	struct pay_client *cl = NULL;
	struct pay_order o;
	struct pay_answer a;
	struct run r;
	char *otn = new_otn(), *code = code_of("success", 10 + v2), *body;
	char *otn2 = new_otn(), txn[40];

	drive(ctx, otn, code, 2000, NULL, &r);
	assert_int_equal(r.m.outcome, PAY_PAID);
	snprintf(txn, sizeof txn, "%s", r.m.paid.transaction_id);
	assert_int_equal(pay_client_new(ctx, NULL, &cl, NULL), 0);
	memset(&o, 0, sizeof o);
	o.out_trade_no = otn;
	o.auth_code = code;
	o.description = "quan测试店-商品";
	o.total_fen = 2000;
	o.device_ip = "127.0.0.1";
	/* the identical charge again: the same payment, not a second */
	body = pay_pay_body(ctx, &o, NULL);
	pay_send_pay(cl, body, strlen(body), &a);
	assert_true(pay_answer_paid(&a));
	assert_string_equal(a.transaction_id, txn);
	free(body);
	/* the same order number with another amount: refused */
	o.total_fen = 2500;
	body = pay_pay_body(ctx, &o, NULL);
	pay_send_pay(cl, body, strlen(body), &a);
	assert_false(pay_answer_paid(&a));
	assert_int_equal(a.err, PAY_E_OUT_TRADE_NO_USED);
	free(body);
	assert_int_equal(ledger_count(otn, "pay"), 1);
	/* the code again in a new order: AUTH_CODE_ERROR, nothing taken */
	drive(ctx, otn2, code, 2000, NULL, &r);
	assert_int_equal(r.m.outcome, PAY_FAILED);
	assert_int_equal(r.m.err, PAY_E_AUTH_CODE_ERROR);
	assert_int_equal(ledger_count(otn2, "pay"), 0);
	/* the paid order reversed: the money goes back (REVOKED) */
	pay_reverse(cl, otn, &a);
	assert_true(a.trusted);
	assert_int_equal(a.err, PAY_E_NONE);
	assert_int_equal(a.recall, 0);
	pay_query(cl, otn, &a);
	assert_int_equal(a.trade, PAY_TS_REVOKED);
	assert_int_equal(ledger_count(otn, "reverse"), 1);
	/* a reverse again is harmless; a query of nothing is ORDERNOTEXIST */
	pay_reverse(cl, otn, &a);
	assert_int_equal(a.err, PAY_E_NONE);
	assert_int_equal(ledger_count(otn, "reverse"), 1);
	pay_query(cl, "QTNOSUCHORDER1", &a);
	assert_true(a.trusted);
	assert_int_equal(a.err, PAY_E_ORDERNOTEXIST);
	pay_client_free(cl);
	free(otn);
	free(otn2);
	free(code);
}

static void
test_v3_duplicates(void **state)
{
	(void)state;
	duplicates(0);
}

static void
test_v2_duplicates(void **state)
{
	(void)state;
	duplicates(1);
}

static void
test_v2_md5(void **state)
{
	struct run r;
	char *otn = new_otn(), *code = code_of("success", 20);

	(void)state;
	drive(env.v2md5, otn, code, 100, NULL, &r);
	assert_int_equal(r.m.outcome, PAY_PAID);
	free(otn);
	free(code);
}

static void
restart(const char *faults)
{
	free_clients();
	assert_int_equal(stop_server(), 0);
	assert_int_equal(start_server(faults), 0);
	make_clients();
}

/* The answer to the charge is lost after WeChat took it; an answer whose
 * sign is wrong: neither is believed, the query settles it, one charge. */
static void
test_lost_and_forged_answers(void **state)
{
	struct run r;
	char *otn, *code;

	(void)state;
	restart("drop=100%,only=/v3/pay/transactions/codepay");
	code = code_of("success", 30);
	otn = new_otn();
	drive(env.v3, otn, code, 1000, NULL, &r);
	if (r.m.outcome != PAY_PAID)
		fail_msg("%s: pay %d query %d reverse %d, err %s", otn,
		    r.sent[PAY_OP_PAY], r.sent[PAY_OP_QUERY],
		    r.sent[PAY_OP_REVERSE], pay_err_name(r.m.err));
	assert_int_equal(r.sent[PAY_OP_QUERY], 1);
	assert_int_equal(ledger_count(otn, "pay"), 1);
	free(otn);
	free(code);
	restart("badsig=100%,only=/pay/micropay");
	code = code_of("success", 31);
	otn = new_otn();
	drive(env.v2, otn, code, 1000, NULL, &r);
	assert_int_equal(r.m.outcome, PAY_PAID);
	assert_int_equal(r.sent[PAY_OP_QUERY], 1);
	assert_int_equal(ledger_count(otn, "pay"), 1);
	free(otn);
	free(code);
	restart(NULL);
}

/* Refunds of a paid ¥60 order (customer paid ¥53, vouchers ¥7): a
 * partial refund gives back its share (half up), a repeat with the same
 * out_refund_no is the same refund, other amounts under it are refused,
 * more than is left is refused, the last refund takes the exact rest;
 * PROCESSING, then SUCCESS; every answer signed and checked. */
static char refunded_otn[40]; /* the v3 refunds' order, for the bill */

static void
refunds(int v2)
{
	struct pay_client *cl = NULL;
	struct pay_refund_answer a, b;
	struct pay_refund_req rq;
	struct run r;
	char *otn = new_otn(), *code = code_of("success", v2 ? 41 : 40);
	char *r1 = xasprintf("R1%s", otn), *r2 = xasprintf("R2%s", otn);

	drive(api_ctx(v2), otn, code, 6000, NULL, &r);
	assert_int_equal(r.m.outcome, PAY_PAID);
	assert_int_equal(r.m.paid.payer_fen, 5300);
	if (!v2)
		snprintf(refunded_otn, sizeof refunded_otn, "%s", otn);
	assert_int_equal(pay_client_new(api_ctx(v2), NULL, &cl, NULL), 0);
	rq = (struct pay_refund_req){ otn, r1, 6000, 1000, "退货" };
	assert_int_equal(pay_refund(cl, &rq, &a), 0);
	assert_true(a.trusted);
	assert_int_equal(a.err, PAY_E_NONE);
	assert_int_equal(a.state, PAY_RS_PROCESSING);
	assert_int_equal(a.refund_fen, 1000);
	assert_int_equal(a.payer_refund_fen, 883);   /* 1000 × 53/60 */
	assert_string_equal(a.out_refund_no, r1);
	/* the same request again: the same refund, not a second one */
	assert_int_equal(pay_refund(cl, &rq, &b), 0);
	assert_int_equal(b.err, PAY_E_NONE);
	assert_string_equal(b.refund_id, a.refund_id);
	assert_int_equal(ledger_count(otn, "refund"), 1);
	/* the same out_refund_no with another amount: refused */
	rq.refund_fen = 1200;
	assert_int_equal(pay_refund(cl, &rq, &b), 0);
	assert_int_equal(b.err, v2 ? PAY_E_PARAM_ERROR : PAY_E_INVALID_REQUEST);
	/* more than is left (5000): refused, nothing moves */
	rq = (struct pay_refund_req){ otn, r2, 6000, 5001, NULL };
	assert_int_equal(pay_refund(cl, &rq, &b), 0);
	assert_int_equal(b.err, v2 ? PAY_E_ERROR : PAY_E_INVALID_REQUEST);
	assert_int_equal(pay_err_class(b.err), v2 ? PAY_EC_FAILED :
	    PAY_EC_CONFIRM);
	assert_int_equal(ledger_count(otn, "refund"), 1);
	/* the rest: exactly what the customer has not had back */
	rq.refund_fen = 5000;
	assert_int_equal(pay_refund(cl, &rq, &b), 0);
	assert_int_equal(b.err, PAY_E_NONE);
	assert_int_equal(b.payer_refund_fen, 5300 - 883);
	assert_int_equal(ledger_count(otn, "refund"), 2);
	/* followed to the end */
	assert_int_equal(pay_refund_query(cl, r1, &b), 0);
	assert_true(b.trusted);
	assert_true(b.state == PAY_RS_PROCESSING || b.state == PAY_RS_SUCCESS);
	usleep(1200 * 1000);
	assert_int_equal(pay_refund_query(cl, r1, &b), 0);
	assert_int_equal(b.state, PAY_RS_SUCCESS);
	assert_int_equal(b.refund_fen, 1000);
	assert_int_equal(pay_refund_query(cl, "R9NOSUCHREFUND", &b), 0);
	assert_int_equal(b.err, PAY_E_REFUNDNOTEXIST);
	/* an order that was never paid cannot be refunded */
	rq = (struct pay_refund_req){ "QTNEVERPAID01", r2, 6000, 100, NULL };
	rq.out_refund_no = "R3NEVERPAID";
	assert_int_equal(pay_refund(cl, &rq, &b), 0);
	assert_int_not_equal(b.err, PAY_E_NONE);
	assert_int_equal(pay_err_class(b.err), PAY_EC_FAILED);
	pay_client_free(cl);
	free(r1);
	free(r2);
	free(otn);
	free(code);
}

static void
test_v3_refunds(void **state)
{
	(void)state;
	refunds(0);
}

static void
test_v2_refunds(void **state)
{
	(void)state;
	refunds(1);
}

/* /secapi/ is mutual TLS: a client certificate that is not the
 * merchant's (here the simulator's platform certificate, a real one) is
 * refused before anything is done; /pay/ paths do not ask. */
static void
test_secapi_needs_the_merchant_certificate(void **state)
{
	struct pay_cfg pc;
	struct pay_ctx *wrong = NULL;
	struct pay_client *cl = NULL;
	struct pay_refund_req rq = { "QTSECAPI0001", "RSECAPI0001", 100, 100,
	    NULL };
	struct pay_refund_answer a;
	struct pay_answer pa;
	char *cert = xasprintf("%s/platform/cert.pem", dir);
	char *key = xasprintf("%s/platform/key.pem", dir);
	char *cause = NULL;

	(void)state;
	memset(&pc, 0, sizeof pc);
	pc.api = PAY_API_V2;
	pc.appid = cfg->wx_appid;
	pc.mchid = cfg->wx_mchid;
	pc.base_url = url;
	pc.v2_key_file = cfg->pay_v2_key_file;
	pc.client_cert = cert;
	pc.client_key = key;
	pc.ca_file = cfg->wx_ca_file;
	if (pay_ctx_new(&pc, &wrong, &cause) != 0)
		fail_msg("ctx: %s", cause);
	assert_int_equal(pay_client_new(wrong, NULL, &cl, NULL), 0);
	assert_int_equal(pay_refund(cl, &rq, &a), 0);
	assert_int_equal(a.err, PAY_E_RETURN_FAIL);
	assert_non_null(strstr(a.text, "证书错误"));
	pay_reverse(cl, "QTSECAPI0001", &pa);
	assert_int_equal(pa.err, PAY_E_RETURN_FAIL);
	/* the same client on a /pay/ path: served (no such order) */
	pay_query(cl, "QTSECAPI0001", &pa);
	assert_int_equal(pa.err, PAY_E_ORDERNOTEXIST);
	pay_client_free(cl);
	pay_ctx_free(wrong);
	free(cert);
	free(key);
}

/* The day's trade bill, both APIs: the same text, SHA1 checked (a cut
 * download is refused), and the order refunded above reconciles with the
 * till's view of it: paid ¥60 with ¥7 vouchers, refunds ¥10 and ¥50. */
static void
test_trade_bill_reconciles(void **state)
{
	struct recon_till_pay pay = { refunded_otn, RECON_TILL_PAID, 6000,
	    700 };
	struct recon_till_refund rf[2];
	struct pay_client *c3 = NULL, *c2 = NULL;
	struct recon_result res;
	struct recon_bill b;
	char date[16], *t3 = NULL, *t2 = NULL, *cause = NULL, r1[48], r2[48];
	size_t n3 = 0, n2 = 0;
	time_t now = (time_t)(tm_now() + 8 * 3600);
	struct tm tmv;
	int i, refunds_seen = 0;

	(void)state;
	assert_true(refunded_otn[0] != '\0');
	gmtime_r(&now, &tmv);
	strftime(date, sizeof date, "%Y-%m-%d", &tmv);
	assert_int_equal(pay_client_new(env.v3, NULL, &c3, NULL), 0);
	assert_int_equal(pay_client_new(env.v2, NULL, &c2, NULL), 0);
	if (pay_bill(c3, date, &t3, &n3, &cause) != 0)
		fail_msg("v3 bill: %s", cause);
	if (pay_bill(c2, date, &t2, &n2, &cause) != 0)
		fail_msg("v2 bill: %s", cause);
	assert_int_equal(n3, n2);
	assert_memory_equal(t3, t2, n3);
	assert_int_equal(recon_bill_parse(t3, n3, &b, &cause), 0);
	for (i = 0; i < b.n; i++)
		if (strcmp(b.rows[i].out_trade_no, refunded_otn) == 0 &&
		    b.rows[i].state == RECON_WX_REFUND)
			refunds_seen++;
	assert_int_equal(refunds_seen, 2);
	snprintf(r1, sizeof r1, "R1%s", refunded_otn);
	snprintf(r2, sizeof r2, "R2%s", refunded_otn);
	rf[0] = (struct recon_till_refund){ refunded_otn, r1, 1000, 1 };
	rf[1] = (struct recon_till_refund){ refunded_otn, r2, 5000, 1 };
	/* a device no row has: only the orders the till knows count */
	recon_diff(&b, "NO-SUCH-TILL", &pay, 1, rf, 2, &res);
	if (res.n != 0)
		fail_msg("%s", recon_text(&res, date));
	assert_int_equal(res.matched, 1);
	assert_int_equal(res.wx_refund_fen, 6000);
	recon_result_free(&res);
	/* the till thinks it got ¥61: found */
	pay.total_fen = 6100;
	recon_diff(&b, "NO-SUCH-TILL", &pay, 1, rf, 2, &res);
	assert_int_equal(res.n, 1);
	assert_int_equal(res.d[0].kind, RECON_AMOUNT);
	recon_result_free(&res);
	recon_bill_free(&b);
	free(t3);
	free(t2);
	/* no bill for a day without sales */
	assert_int_equal(pay_bill(c3, "2001-01-01", &t3, &n3, &cause),
	    QUAN_ENOTFOUND);
	free(cause);
	cause = NULL;
	assert_int_equal(pay_bill(c2, "2001-01-01", &t2, &n2, &cause),
	    QUAN_ENOTFOUND);
	free(cause);
	cause = NULL;
	assert_int_equal(pay_bill(c3, "20011301", &t3, &n3, &cause),
	    QUAN_EINVAL);
	free(cause);
	cause = NULL;
	pay_client_free(c3);
	pay_client_free(c2);
	/* a download cut short is never a bill (the transfer fails here;
	 * a complete transfer of other bytes fails the SHA1: test_pay) */
	restart("trunc=100%,only=/v3/billdownload");
	assert_int_equal(pay_client_new(env.v3, NULL, &c3, NULL), 0);
	assert_int_not_equal(pay_bill(c3, date, &t3, &n3, &cause), 0);
	assert_null(t3);
	free(cause);
	pay_client_free(c3);
	restart(NULL);
}

/* What the simulator's inspector says after all of the above: no order
 * charged twice, and the customers' money is what the ledger holds. */
static void
test_inspect_no_double_charge(void **state)
{
	char *cmd = xasprintf("%s sim inspect '%s' --json", QUAN_BIN, dir);
	FILE *p = popen(cmd, "r");
	json_t *o, *pay;
	int st;

	(void)state;
	free(cmd);
	assert_non_null(p);
	o = json_loadf(p, 0, NULL);
	st = pclose(p);
	assert_non_null(o);
	assert_int_equal(WEXITSTATUS(st), 0);
	assert_int_equal(json_integer_value(json_object_get(o, "defects")), 0);
	pay = json_object_get(o, "payments");
	assert_int_equal(json_integer_value(json_object_get(pay, "charges")),
	    19);
	assert_int_equal(json_integer_value(json_object_get(pay,
	    "reverses")), 2);
	assert_int_equal(json_array_size(json_object_get(pay,
	    "charged_twice")), 0);
	json_decref(o);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_v3_paid_with_vouchers),
		cmocka_unit_test(test_v2_paid_with_vouchers),
		cmocka_unit_test(test_v3_unknown_outcomes),
		cmocka_unit_test(test_v2_unknown_outcomes),
		cmocka_unit_test(test_v3_failures),
		cmocka_unit_test(test_v2_failures),
		cmocka_unit_test(test_v3_duplicates),
		cmocka_unit_test(test_v2_duplicates),
		cmocka_unit_test(test_v2_md5),
		cmocka_unit_test(test_lost_and_forged_answers),
		cmocka_unit_test(test_v3_refunds),
		cmocka_unit_test(test_v2_refunds),
		cmocka_unit_test(test_trade_bill_reconciles),
		cmocka_unit_test(test_secapi_needs_the_merchant_certificate),
		cmocka_unit_test(test_inspect_no_double_charge),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
