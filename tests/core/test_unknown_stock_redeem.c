/* test_online_stock.c — a merchant coupon whose stock the till does not
 * know (a 22-digit WeChat-assigned code missing from the code cache),
 * redeemed through the real chain checkout -> settle -> sync thread with a
 * scripted executor standing in for WeChat: coupons/use is sent without
 * stock_id, the stock the answer names is fetched and cached, the coupon is
 * priced against the basket and granted, or returned at once with the rules
 * reason; unanswered it is never granted offline, and a later confirmation
 * returns it. The terminal's session drives the same chain without
 * waiting on it. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/checkout.h"
#include "core/redeem.h"
#include "core/evq.h"
#include "core/journal.h"
#include "core/session.h"
#include "core/settle.h"
#include "core/syncmsg.h"
#include "net/sync.h"
#include "wx_answer.h"
#include "store/store.h"
#include "util/config.h"
#include "util/err.h"
#include "util/tm.h"
#include "util/xmem.h"

#define STOCK "1288000000001"
#define CODE_A "1561064885545631636606"
#define CODE_B "1800904694217745003105"
#define CODE_C "1473018524688022011755"

static const char stock_json[] =
    "{\"stock_name\":\"NORMAL wx\",\"belong_merchant\":\"1900000001\","
    "\"stock_type\":\"NORMAL\",\"coupon_use_rule\":{"
    "\"coupon_available_time\":{"
    "\"available_begin_time\":\"2025-01-01T00:00:00+08:00\","
    "\"available_end_time\":\"2035-12-31T23:59:59+08:00\"},"
    "\"fixed_normal_coupon\":{\"discount_amount\":500,"
    "\"transaction_minimum\":1000},\"use_method\":\"OFF_LINE\"},"
    "\"coupon_code_mode\":\"WECHATPAY_MODE\",\"stock_state\":\"RUNNING\","
    "\"stock_id\":\"" STOCK "\"}";

/* What "WeChat" does, and what it saw. Written by the test thread while no
 * job runs or read under mu by the workers. */
enum use_mode { USE_OK, USE_NET, USE_UNKNOWN_CODE };

struct wx {
	pthread_mutex_t mu;
	enum use_mode use;
	int use_delay_ms, get_delay_ms;
	int uses, gets, returns;
	char use_body[SYNC_BODY_MAX];
	char return_body[SYNC_BODY_MAX];
	char get_target[SYNC_ID_MAX];
};

static int
x_open(void *arg, const atomic_int *stop, void **ctx, char **cause)
{
	(void)stop;
	(void)cause;
	*ctx = arg;
	return QUAN_OK;
}

static void
x_close(void *ctx)
{
	(void)ctx;
}

static void
x_run(void *ctx, const struct sync_job *job, struct sync_result *res,
    char **blob)
{
	struct wx *w = ctx;
	enum use_mode m;
	int delay;

	pthread_mutex_lock(&w->mu);
	m = w->use;
	delay = job->op == SYNC_OP_USE ? w->use_delay_ms :
	    job->op == SYNC_OP_STOCK_GET ? w->get_delay_ms : 0;
	switch (job->op) {
	case SYNC_OP_USE:
		w->uses++;
		snprintf(w->use_body, sizeof w->use_body, "%.*s",
		    (int)job->body_len, job->body);
		break;
	case SYNC_OP_RETURN:
		w->returns++;
		snprintf(w->return_body, sizeof w->return_body, "%.*s",
		    (int)job->body_len, job->body);
		break;
	case SYNC_OP_STOCK_GET:
		w->gets++;
		snprintf(w->get_target, sizeof w->get_target, "%s",
		    job->target);
		break;
	default:
		break;
	}
	pthread_mutex_unlock(&w->mu);
	if (delay > 0)
		(void)poll(NULL, 0, delay);
	switch (job->op) {
	case SYNC_OP_USE:
		if (m == USE_NET) {
			res->status = SYNC_RETRY;
			res->rc = QUAN_ENET;
			snprintf(res->message, sizeof res->message,
			    "connect refused");
		} else if (m == USE_UNKNOWN_CODE) {
			wx_answer(404, "RESOURCE_NOT_EXISTS", res);
		} else {
			wx_answer(200, "", res);
			snprintf(res->stock_id, sizeof res->stock_id, STOCK);
			res->remote_time = tm_now();
		}
		break;
	case SYNC_OP_RETURN:
		wx_answer(200, "", res);
		break;
	case SYNC_OP_STOCK_GET:
		wx_answer(200, "", res);
		*blob = xstrdup(stock_json);
		break;
	default:
		wx_answer(400, "PARAM_ERROR", res);
		break;
	}
}

static const struct sync_exec_ops xops = {
	.open = x_open, .run = x_run, .close = x_close
};

struct rig {
	char dir[64];
	struct store *st;
	struct config *cfg;
	struct evq *to_sync, *results;
	struct settle *se;
	struct sync *sy;
	struct checkout *co;
	struct redeem *rd;        /* NULL: offline engine */
	struct wx wx;
};

/* A consistent copy of what WeChat saw (the mutex itself not copied). */
struct wx_seen {
	int uses, gets, returns;
	char use_body[SYNC_BODY_MAX];
	char return_body[SYNC_BODY_MAX];
	char get_target[SYNC_ID_MAX];
};

static struct wx_seen
seen(struct rig *r)
{
	struct wx_seen w;

	pthread_mutex_lock(&r->wx.mu);
	w.uses = r->wx.uses;
	w.gets = r->wx.gets;
	w.returns = r->wx.returns;
	memcpy(w.use_body, r->wx.use_body, sizeof w.use_body);
	memcpy(w.return_body, r->wx.return_body, sizeof w.return_body);
	memcpy(w.get_target, r->wx.get_target, sizeof w.get_target);
	pthread_mutex_unlock(&r->wx.mu);
	return w;
}

static void
engine(struct rig *r, int online)
{
	struct checkout_opts o;
	char *cause = NULL;

	redeem_free(r->rd);
	r->rd = NULL;
	checkout_free(r->co);
	memset(&o, 0, sizeof o);
	o.cfg = r->cfg;
	o.st = r->st;
	assert_int_equal(checkout_new(&o, &r->co, &cause), 0);
	if (online)
		r->rd = redeem_new(r->co, r->se, r->results,
		    r->cfg->wx_online_wait_ms);
}

static int
setup(void **state)
{
	struct rig *r = xcalloc(1, sizeof *r);
	struct settle_opts so;
	struct sync_cfg sc;
	char path[128], *cause = NULL;

	snprintf(r->dir, sizeof r->dir, "/tmp/quan-ostock-XXXXXX");
	assert_non_null(mkdtemp(r->dir));
	snprintf(path, sizeof path, "%s/quan.db", r->dir);
	assert_int_equal(tm_set_zone("Asia/Shanghai"), 0);
	assert_int_equal(store_open(path, 0, &r->st, &cause), QUAN_OK);
	config_defaults(&r->cfg);
	free(r->cfg->wx_appid);
	r->cfg->wx_appid = xstrdup("wx1234567890abcdef");
	/* the most permissive offline policy: it still must not grant a
	 * coupon whose value is unknown */
	r->cfg->off_default_policy = CONFIG_POLICY_OFFLINE_OK;
	r->cfg->wx_online_wait_ms = 2000;
	pthread_mutex_init(&r->wx.mu, NULL);
	assert_int_equal(evq_new(&r->to_sync, 64), QUAN_OK);
	assert_int_equal(evq_new(&r->results, 256), QUAN_OK);
	settle_opts_defaults(&so);
	so.queue_cap = 64;
	so.refresh_s = 0;
	assert_int_equal(settle_new(&r->se, r->st, r->cfg, &so, r->to_sync),
	    QUAN_OK);
	sync_cfg_defaults(&sc);
	sc.workers = 2;
	sc.rate_per_s = 0;
	sc.backoff_base_ms = 20;
	sc.backoff_max_ms = 40;
	sc.max_tries = 2;
	sc.seed = 7;
	assert_int_equal(sync_start(&r->sy, &sc, r->to_sync, r->results,
	    &xops, &r->wx, &cause), QUAN_OK);
	engine(r, 1);
	*state = r;
	return 0;
}

static int
teardown(void **state)
{
	struct rig *r = *state;
	char cmd[128];

	sync_stop(r->sy);
	redeem_free(r->rd);
	checkout_free(r->co);
	settle_free(r->se);
	evq_free(r->to_sync);
	evq_free(r->results);
	store_close(r->st);
	config_free(r->cfg);
	pthread_mutex_destroy(&r->wx.mu);
	snprintf(cmd, sizeof cmd, "rm -rf %s", r->dir);
	assert_int_equal(system(cmd), 0);
	free(r);
	return 0;
}

/* Let the jobs still out land (what `quan redeem` does before exiting). */
static void
settle_out(struct rig *r)
{
	uint64_t end = tm_mono_ms() + 3000;
	struct ev ev;

	while (settle_inflight(r->se) > 0 && tm_mono_ms() < end) {
		if (evq_wait(r->results, &ev, 50))
			assert_int_equal(settle_apply(r->se, &ev, tm_now()), 0);
		assert_int_equal(settle_drain(r->se, r->results, tm_now(),
		    NULL), 0);
	}
	assert_int_equal(settle_inflight(r->se), 0);
}

static const struct checkout_txn *
redeem(struct rig *r, int64_t amount, const char **codes, int n)
{
	const struct checkout_txn *t;
	int i;

	assert_int_equal(checkout_open(r->co, amount), 0);
	for (i = 0; i < n; i++)
		assert_int_equal(checkout_add(r->co, codes[i],
		    strlen(codes[i]), -1, NULL), 0);
	t = checkout_current(r->co);
	for (i = 0; i < n; i++)
		if (t->lines[i].needs_answer) {
			/* provisional: nothing off until WeChat answers */
			assert_int_equal(t->lines[i].state, CHECKOUT_PRICED);
			assert_string_equal(checkout_line_reason(&t->lines[i]),
			    "needs_online");
			assert_int_equal(t->lines[i].discount_fen, 0);
			assert_string_equal(t->lines[i].target, "");
		}
	assert_int_equal(r->rd != NULL ? redeem_run(r->rd) :
	    checkout_redeem(r->co), 0);
	t = checkout_current(r->co);
	assert_int_equal(checkout_close(r->co), 0);
	return t;
}

static void
red_of(struct rig *r, int64_t id, struct store_red *out)
{
	assert_int_equal(store_red_get(r->st, id, out), QUAN_OK);
}

static void
journal_ok(struct rig *r)
{
	char *cause = NULL;
	int64_t n = 0;

	if (journal_verify(r->st, &n, &cause) != 0)
		fail_msg("journal: %s", cause);
}

static void
test_above_minimum_granted(void **state)
{
	struct rig *r = *state;
	const char *codes[] = {CODE_A};
	const struct checkout_txn *t;
	struct store_red red;
	int64_t fetched, p, u;
	char *raw = NULL;

	t = redeem(r, 5000, codes, 1);
	assert_int_equal(t->lines[0].state, CHECKOUT_CONFIRMED);
	assert_string_equal(checkout_line_reason(&t->lines[0]), "ok");
	assert_int_equal(t->lines[0].discount_fen, 500);
	assert_string_equal(t->lines[0].target, STOCK);
	assert_string_equal(t->lines[0].coupon_type, "NORMAL");
	assert_int_equal(t->discount_fen, 500);
	assert_int_equal(t->due_fen, 4500);
	/* coupons/use without stock_id; the stock fetched once, cached */
	assert_int_equal(seen(r).uses, 1);
	assert_null(strstr(seen(r).use_body, "stock_id"));
	assert_non_null(strstr(seen(r).use_body, "\"coupon_code\":\"" CODE_A));
	assert_int_equal(seen(r).gets, 1);
	assert_string_equal(seen(r).get_target, STOCK);
	assert_int_equal(store_stock_get(r->st, STOCK, &raw, &fetched), 0);
	assert_non_null(strstr(raw, "WECHATPAY_MODE"));
	free(raw);
	red_of(r, t->lines[0].red_id, &red);
	assert_int_equal(red.state, CHECKOUT_CONFIRMED);
	assert_string_equal(red.target, STOCK);
	assert_string_equal(red.coupon_type, "NORMAL");
	assert_int_equal(red.discount_fen, 500);
	settle_out(r);
	assert_int_equal(seen(r).returns, 0);
	assert_int_equal(store_outbox_depth(r->st, &p, &u), 0);
	assert_int_equal(p + u, 0);
	journal_ok(r);
}

static void
test_below_minimum_returned(void **state)
{
	struct rig *r = *state;
	const char *codes[] = {CODE_B};
	const struct checkout_txn *t;
	struct store_red red;
	int64_t p, u, red_id;

	t = redeem(r, 500, codes, 1);
	red_id = t->lines[0].red_id;
	/* for the cashier: refused, with the figures */
	assert_int_equal(t->lines[0].state, CHECKOUT_REJECTED);
	assert_string_equal(checkout_line_reason(&t->lines[0]), "below_minimum");
	assert_int_equal(t->lines[0].verdict.need_fen, 1000);
	assert_int_equal(t->lines[0].verdict.have_fen, 500);
	assert_int_equal(t->lines[0].discount_fen, 0);
	assert_int_equal(t->discount_fen, 0);
	assert_int_equal(t->due_fen, 500);
	red_of(r, red_id, &red);
	assert_string_equal(red.return_key, "T01R000000000001");
	assert_int_equal(red.discount_fen, 0);
	/* the return went at once, with its own request number and the
	 * stock the use answer named */
	settle_out(r);
	assert_int_equal(seen(r).uses, 1);
	assert_int_equal(seen(r).returns, 1);
	assert_non_null(strstr(seen(r).return_body,
	    "\"stock_id\":\"" STOCK "\""));
	assert_non_null(strstr(seen(r).return_body,
	    "\"return_request_no\":\"T01R000000000001\""));
	red_of(r, red_id, &red);
	assert_int_equal(red.state, CHECKOUT_RETURNED);
	assert_string_equal(red.reason, "below_minimum");
	assert_int_equal(red.discount_fen, 0);
	assert_int_equal(store_outbox_depth(r->st, &p, &u), 0);
	assert_int_equal(p + u, 0);
	/* a second settle of anything changes nothing: no second return */
	assert_int_equal(settle_pump(r->se, tm_now(), NULL), 0);
	settle_out(r);
	assert_int_equal(seen(r).returns, 1);
	journal_ok(r);
}

static void
test_per_txn_second_returned(void **state)
{
	struct rig *r = *state;
	const char *codes[] = {CODE_A, CODE_B};
	const struct checkout_txn *t;
	struct store_red red;

	/* two unknown codes of one stock (per_txn 1): the first is
	 * granted, the second is refused by the basket rules and returned */
	t = redeem(r, 5000, codes, 2);
	assert_int_equal(t->lines[0].state, CHECKOUT_CONFIRMED);
	assert_int_equal(t->lines[0].discount_fen, 500);
	assert_int_equal(t->lines[1].state, CHECKOUT_REJECTED);
	assert_string_equal(checkout_line_reason(&t->lines[1]), "per_txn_limit");
	assert_int_equal(t->discount_fen, 500);
	assert_int_equal(t->due_fen, 4500);
	assert_int_equal(seen(r).gets, 1); /* one fetch for both */
	settle_out(r);
	assert_int_equal(seen(r).returns, 1);
	red_of(r, t->lines[1].red_id, &red);
	assert_int_equal(red.state, CHECKOUT_RETURNED);
	assert_string_equal(red.reason, "per_txn_limit");
	/* the same code twice in a basket is refused at once */
	assert_int_equal(checkout_open(r->co, 5000), 0);
	assert_int_equal(checkout_add(r->co, CODE_C, strlen(CODE_C), -1,
	    NULL), 0);
	assert_int_equal(checkout_add(r->co, CODE_C, strlen(CODE_C), -1,
	    NULL), 0);
	t = checkout_current(r->co);
	assert_int_equal(t->lines[0].state, CHECKOUT_PRICED);
	assert_int_equal(t->lines[1].state, CHECKOUT_REFUSED);
	assert_string_equal(checkout_line_reason(&t->lines[1]), "duplicate_code");
	assert_int_equal(checkout_cancel(r->co), 0);
	journal_ok(r);
}

static void
test_unanswered_never_granted(void **state)
{
	struct rig *r = *state;
	const char *codes[] = {CODE_B};
	const struct checkout_txn *t;
	struct store_red red;
	uint64_t end;
	int64_t red_id, p, u;

	r->cfg->wx_online_wait_ms = 300;
	pthread_mutex_lock(&r->wx.mu);
	r->wx.use = USE_NET;
	pthread_mutex_unlock(&r->wx.mu);
	t = redeem(r, 5000, codes, 1);
	red_id = t->lines[0].red_id;
	/* sent, no answer: unknown, nothing off, whatever the policy */
	assert_int_equal(t->lines[0].state, CHECKOUT_UNKNOWN);
	assert_string_equal(checkout_line_reason(&t->lines[0]), "needs_online");
	assert_int_equal(t->lines[0].discount_fen, 0);
	assert_int_equal(t->due_fen, 5000);
	red_of(r, red_id, &red);
	assert_int_equal(red.state, CHECKOUT_UNKNOWN);
	assert_int_equal(red.offline_at, 0);
	/* WeChat answers later (the sync resends the identical body): the
	 * use landed for a coupon the customer did not get: returned */
	settle_out(r);
	pthread_mutex_lock(&r->wx.mu);
	r->wx.use = USE_OK;
	pthread_mutex_unlock(&r->wx.mu);
	end = tm_mono_ms() + 5000;
	for (;;) {
		red_of(r, red_id, &red);
		if (red.state == CHECKOUT_RETURNED || tm_mono_ms() > end)
			break;
		assert_int_equal(settle_pump(r->se, tm_now() + 600, NULL), 0);
		(void)poll(NULL, 0, 20);
		assert_int_equal(settle_drain(r->se, r->results, tm_now(),
		    NULL), 0);
	}
	assert_int_equal(red.state, CHECKOUT_RETURNED);
	assert_string_equal(red.target, STOCK);
	assert_int_equal(red.discount_fen, 0);
	assert_int_equal(seen(r).returns, 1);
	assert_non_null(strstr(seen(r).return_body,
	    "\"stock_id\":\"" STOCK "\""));
	assert_int_equal(store_outbox_depth(r->st, &p, &u), 0);
	assert_int_equal(p + u, 0);
	journal_ok(r);
}

static void
test_rejected_and_offline(void **state)
{
	struct rig *r = *state;
	const char *codes[] = {CODE_C};
	const struct checkout_txn *t;

	/* WeChat does not know the code: rejected with its reason */
	pthread_mutex_lock(&r->wx.mu);
	r->wx.use = USE_UNKNOWN_CODE;
	pthread_mutex_unlock(&r->wx.mu);
	t = redeem(r, 5000, codes, 1);
	assert_int_equal(t->lines[0].state, CHECKOUT_REJECTED);
	assert_string_equal(checkout_line_reason(&t->lines[0]), "coupon_unknown");
	assert_int_equal(t->due_fen, 5000);
	assert_int_equal(seen(r).gets, 0);
	settle_out(r);
	assert_int_equal(seen(r).returns, 0);
	/* no online step: cannot be priced, refused before anything */
	engine(r, 0);
	assert_int_equal(checkout_open(r->co, 5000), 0);
	assert_int_equal(checkout_add(r->co, CODE_A, strlen(CODE_A), -1,
	    NULL), 0);
	t = checkout_current(r->co);
	assert_int_equal(t->lines[0].state, CHECKOUT_REFUSED);
	assert_string_equal(checkout_line_reason(&t->lines[0]), "no_definition");
	assert_int_equal(t->lines[0].needs_answer, 0);
	assert_int_equal(checkout_cancel(r->co), 0);
	journal_ok(r);
}

static void
test_late_answer_grace(void **state)
{
	struct rig *r = *state;
	const char *codes[] = {CODE_A};
	const struct checkout_txn *t;
	uint64_t t0;

	/* the use answer comes just before the wait ends and the stock
	 * takes a while: the fetch gets its short grace, the coupon is
	 * priced and granted instead of being given back */
	r->cfg->wx_online_wait_ms = 400;
	pthread_mutex_lock(&r->wx.mu);
	r->wx.use_delay_ms = 300;
	r->wx.get_delay_ms = 250;
	pthread_mutex_unlock(&r->wx.mu);
	t0 = tm_mono_ms();
	t = redeem(r, 5000, codes, 1);
	assert_true(tm_mono_ms() - t0 < 400 + 400 + 1000);
	assert_int_equal(t->lines[0].state, CHECKOUT_CONFIRMED);
	assert_int_equal(t->lines[0].discount_fen, 500);
	assert_int_equal(seen(r).gets, 1);
	settle_out(r);
	assert_int_equal(seen(r).returns, 0);
	journal_ok(r);
}

/* A row of an interrupted txn ('open', the redeem killed between the
 * online step and the decision). */
static int64_t
crashed_row(struct rig *r, int64_t txn, int line, const char *code,
    const char *state, int64_t disc, int use_done)
{
	struct store_red red;
	struct store_outbox o;

	memset(&red, 0, sizeof red);
	red.txn_id = txn;
	red.line = line;
	snprintf(red.code, sizeof red.code, "%s", code);
	red.kind = STORE_MERCHANT;
	snprintf(red.target, sizeof red.target, STOCK);
	snprintf(red.idem_key, sizeof red.idem_key, "T01U%012d", 90 + line);
	red.state = checkout_cstate_parse(state);
	snprintf(red.reason, sizeof red.reason, "needs_online");
	red.discount_fen = disc;
	red.use_time = red.created_at = red.updated_at = tm_now() - 1000;
	assert_int_equal(store_red_insert(r->st, &red), QUAN_OK);
	memset(&o, 0, sizeof o);
	o.red_id = red.id;
	o.op = STORE_OP_USE;
	snprintf(o.request_no, sizeof o.request_no, "%s", red.idem_key);
	snprintf(o.body, sizeof o.body, "{\"coupon_code\":\"%s\","
	    "\"appid\":\"wx1234567890abcdef\",\"use_time\":"
	    "\"2026-11-30T10:00:00+08:00\",\"use_request_no\":\"%s\"}",
	    code, red.idem_key);
	o.next_at = o.created_at = red.created_at;
	assert_int_equal(store_outbox_insert(r->st, &o), QUAN_OK);
	assert_int_equal(store_outbox_sent(r->st, o.id, red.created_at),
	    QUAN_OK);
	if (use_done)
		assert_int_equal(store_outbox_close(r->st, o.id, OUTBOX_DONE, "",
		    red.created_at), QUAN_OK);
	return red.id;
}

static void
test_recover_returns(void **state)
{
	struct rig *r = *state;
	struct store_txn t;
	struct store_red red;
	uint64_t end;
	int64_t conf, unk, p, u;
	int n = 0;

	/* killed after WeChat confirmed one coupon and while another was
	 * out: the cashier never saw a verdict and the sale is voided, so
	 * both must end given back, each with its own return number */
	memset(&t, 0, sizeof t);
	t.amount_fen = 5000;
	t.due_fen = 5000;
	t.state = TXN_OPEN;
	t.opened_at = tm_now() - 1000;
	assert_int_equal(store_txn_insert(r->st, &t), QUAN_OK);
	conf = crashed_row(r, t.id, 0, CODE_A, "confirmed", 0, 1);
	unk = crashed_row(r, t.id, 1, CODE_B, "unknown", 500, 0);
	assert_int_equal(checkout_recover(r->co, 60, &n), 0);
	assert_int_equal(n, 1);
	assert_int_equal(store_txn_get(r->st, t.id, &t), 0);
	assert_int_equal(t.state, TXN_VOIDED);
	red_of(r, conf, &red);
	assert_int_equal(red.state, CHECKOUT_RETURN_PENDING);
	assert_string_equal(red.return_key, "T01R000000000090");
	red_of(r, unk, &red);
	assert_int_equal(red.state, CHECKOUT_UNKNOWN);
	assert_int_equal(red.discount_fen, 0);
	end = tm_mono_ms() + 5000;
	for (;;) {
		struct store_red a, b;

		red_of(r, conf, &a);
		red_of(r, unk, &b);
		if ((a.state == CHECKOUT_RETURNED &&
		    b.state == CHECKOUT_RETURNED) || tm_mono_ms() > end)
			break;
		assert_int_equal(settle_pump(r->se, tm_now(), NULL), 0);
		(void)poll(NULL, 0, 20);
		assert_int_equal(settle_drain(r->se, r->results, tm_now(),
		    NULL), 0);
	}
	settle_out(r);
	red_of(r, conf, &red);
	assert_int_equal(red.state, CHECKOUT_RETURNED);
	red_of(r, unk, &red);
	assert_int_equal(red.state, CHECKOUT_RETURNED);
	assert_int_equal(seen(r).uses, 1);
	assert_int_equal(seen(r).returns, 2);
	assert_int_equal(store_outbox_depth(r->st, &p, &u), 0);
	assert_int_equal(p + u, 0);
	journal_ok(r);
}

static void
key(struct session *s, enum session_cmd cmd, const char *text)
{
	struct ev ev;

	memset(&ev, 0, sizeof ev);
	ev.type = EV_KEY;
	ev.t_mono_us = tm_mono_us();
	ev.u.key.cmd = (int)cmd;
	snprintf(ev.u.key.text, sizeof ev.u.key.text, "%s", text);
	session_dispatch(s, &ev);
}

/* The terminal's session sends the redeem and goes back to its loop: the
 * confirm returns at once while WeChat takes 400 ms, the view says the
 * sale is out with its time ticking, a key pressed meanwhile waits for
 * the verdict and is handled after it, and the sync results (one reader:
 * the session) decide the sale. */
static void
test_session_redeem_never_waits(void **state)
{
	struct rig *r = *state;
	struct session_opts so;
	struct session *s = NULL;
	const struct view *v;
	struct pollfd p;
	struct ev ev;
	char *cause = NULL;
	uint64_t t0, end, took, gap = 0, last;
	uint32_t shown = 0;
	int ms;

	engine(r, 0);              /* the session makes its own redeem */
	r->wx.use_delay_ms = 400;
	memset(&so, 0, sizeof so);
	so.cfg = r->cfg;
	so.data_dir = r->dir;
	so.st = r->st;
	so.co = r->co;
	so.settle = r->se;
	so.results = r->results;
	so.autologin = "1001";
	assert_int_equal(session_new(&s, &so, &cause), 0);
	v = session_view(s);
	key(s, SC_SUBMIT, "50");
	assert_int_equal(v->screen, VIEW_BASKET);
	memset(&ev, 0, sizeof ev);
	ev.type = EV_SCAN;
	ev.t_mono_us = tm_mono_us();
	snprintf(ev.u.scan.text, sizeof ev.u.scan.text, "%s", CODE_A);
	ev.u.scan.raw_len = strlen(CODE_A);
	memcpy(ev.u.scan.raw, CODE_A, ev.u.scan.raw_len);
	session_dispatch(s, &ev);
	assert_int_equal(v->ncoupons, 1);

	t0 = tm_mono_ms();
	key(s, SC_CONFIRM, "");
	took = tm_mono_ms() - t0;
	assert_true(took < 200);   /* not the 400 ms WeChat takes */
	assert_true(session_busy(s));
	assert_int_equal(v->redeeming, 1);
	assert_int_equal(v->screen, VIEW_BASKET);
	key(s, SC_TXNS, "");        /* held until the verdict */
	assert_int_equal(v->screen, VIEW_BASKET);

	/* the loop: results and ticks, never a wait past the session's
	 * own timeout (at most 100 ms while the sale is out) */
	end = tm_mono_ms() + 5000;
	last = tm_mono_ms();
	memset(&ev, 0, sizeof ev);
	ev.type = EV_TICK;
	while (session_busy(s) && tm_mono_ms() < end) {
		ms = session_timeout_ms(s);
		assert_true(ms >= 0 && ms <= 100);
		p.fd = evq_fd(r->results);
		p.events = POLLIN;
		if (poll(&p, 1, ms) > 0)
			session_sync(s);
		session_dispatch(s, &ev);
		if (tm_mono_ms() - last > gap)
			gap = tm_mono_ms() - last;
		last = tm_mono_ms();
		if (v->redeeming && v->redeem_ms > shown)
			shown = v->redeem_ms;
	}
	assert_false(session_busy(s));
	assert_true(shown >= 200);  /* the waiting time went up on screen */
	assert_true(gap < 300);
	assert_int_equal(v->redeeming, 0);
	assert_int_equal(v->verdict, VIEW_V_CONFIRMED);
	assert_int_equal(v->coupons[0].state, VIEW_C_CONFIRMED);
	assert_int_equal(v->discount_fen, 500);
	assert_int_equal(seen(r).uses, 1);
	/* then the key held back: the sales list */
	assert_int_equal(v->screen, VIEW_TXNS);
	session_free(s);
	settle_out(r);
	journal_ok(r);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_above_minimum_granted,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_below_minimum_returned,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_per_txn_second_returned,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_unanswered_never_granted,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_rejected_and_offline,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_recover_returns,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_late_answer_grace,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_session_redeem_never_waits, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
