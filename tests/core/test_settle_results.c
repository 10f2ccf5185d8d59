/* test_settle.c — settle.c against a real store with scripted sync results:
 * sent is committed before a job leaves, room is respected, every result
 * kind moves the redemption to the right state, resends carry the identical
 * body, "used by another request" is resolved by a query or becomes a
 * conflict, a void's return waits for its use, definitions arrive in
 * chunks. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "core/evq.h"
#include "core/settle.h"
#include "core/syncmsg.h"
#include "store/store.h"
#include "util/config.h"
#include "util/err.h"
#include "util/tm.h"
#include "util/xmem.h"

struct rig {
	char dir[64];
	struct store *st;
	struct config *cfg;
	struct evq *to_sync, *results;
	struct settle *se;
	int64_t txn;
	int64_t now;
};

static int
setup(void **state)
{
	struct rig *r = xcalloc(1, sizeof *r);
	struct settle_opts o;
	struct store_txn t;
	char path[128], *cause = NULL;

	snprintf(r->dir, sizeof r->dir, "/tmp/quan-settle-XXXXXX");
	assert_non_null(mkdtemp(r->dir));
	snprintf(path, sizeof path, "%s/quan.db", r->dir);
	assert_int_equal(store_open(path, 0, &r->st, &cause), QUAN_OK);
	config_defaults(&r->cfg);
	free(r->cfg->wx_appid);
	r->cfg->wx_appid = xstrdup("wx1234567890abcdef");
	assert_int_equal(evq_new(&r->to_sync, 16), QUAN_OK);
	assert_int_equal(evq_new(&r->results, 64), QUAN_OK);
	settle_opts_defaults(&o);
	o.max_inflight = 3;
	o.queue_cap = 16;
	o.refresh_s = 0;
	assert_int_equal(settle_new(&r->se, r->st, r->cfg, &o, r->to_sync),
	    QUAN_OK);
	memset(&t, 0, sizeof t);
	t.amount_fen = 10000;
	t.state = TXN_REDEEMED;
	r->now = 1764500000;
	t.opened_at = r->now;
	assert_int_equal(store_txn_insert(r->st, &t), QUAN_OK);
	r->txn = t.id;
	*state = r;
	return 0;
}

static int
teardown(void **state)
{
	struct rig *r = *state;
	char cmd[128];

	settle_free(r->se);
	evq_free(r->to_sync);
	evq_free(r->results);
	store_close(r->st);
	config_free(r->cfg);
	snprintf(cmd, sizeof cmd, "rm -rf %s", r->dir);
	assert_int_equal(system(cmd), 0);
	free(r);
	return 0;
}

/* A redeemed coupon with its USE row. Returns the outbox id. */
static int64_t
add_coupon(struct rig *r, int line, const char *code, const char *openid,
    const char *state, int64_t *red_id)
{
	struct store_red red;
	struct store_outbox o;

	memset(&red, 0, sizeof red);
	red.txn_id = r->txn;
	red.line = line;
	snprintf(red.code, sizeof red.code, "%s", code);
	red.kind = STORE_MERCHANT;
	snprintf(red.target, sizeof red.target, "1212");
	snprintf(red.coupon_type, sizeof red.coupon_type, "NORMAL");
	snprintf(red.idem_key, sizeof red.idem_key, "T01U%06d", line);
	red.state = checkout_cstate_parse(state);
	snprintf(red.openid, sizeof red.openid, "%s", openid);
	red.discount_fen = 500;
	red.use_time = r->now;
	red.created_at = red.updated_at = r->now;
	assert_int_equal(store_red_insert(r->st, &red), QUAN_OK);
	memset(&o, 0, sizeof o);
	o.red_id = red.id;
	o.op = STORE_OP_USE;
	o.kind = STORE_MERCHANT;
	snprintf(o.request_no, sizeof o.request_no, "%s", red.idem_key);
	o.next_at = r->now;
	o.created_at = r->now;
	assert_int_equal(store_outbox_insert(r->st, &o), QUAN_OK);
	if (red_id != NULL)
		*red_id = red.id;
	return o.id;
}

static int
take_jobs(struct rig *r, struct sync_job *jobs, int max)
{
	struct ev ev;
	int n = 0;

	while (n < max && evq_get(r->to_sync, &ev)) {
		assert_int_equal(ev.type, EV_SYNC_JOB);
		syncmsg_get(&ev, &jobs[n], sizeof jobs[n]);
		n++;
	}
	return n;
}

static void
answer(struct rig *r, const struct sync_job *j, enum sync_status st,
    const char *wx_code, const char *reason)
{
	struct sync_result res;
	struct ev ev;

	memset(&res, 0, sizeof res);
	res.tag = j->tag;
	res.op = j->op;
	res.status = st;
	res.rc = st == SYNC_OK ? 0 : QUAN_EREJECTED;
	snprintf(res.wx_code, sizeof res.wx_code, "%s", wx_code);
	snprintf(res.reason, sizeof res.reason, "%s", reason);
	snprintf(res.stock_id, sizeof res.stock_id, "1212");
	syncmsg_put(&ev, EV_SYNC_DONE, &res, sizeof res);
	assert_int_equal(evq_post(r->results, &ev), QUAN_OK);
}

static void
red_state(struct rig *r, int64_t red_id, const char *want)
{
	struct store_red red;

	assert_int_equal(store_red_get(r->st, red_id, &red), QUAN_OK);
	assert_string_equal(checkout_cstate_name(red.state), want);
}

static void
test_pump_room_and_sent(void **state)
{
	struct rig *r = *state;
	struct sync_job jobs[8];
	struct store_outbox o;
	int64_t ob[5], red[5];
	int i, n, posted;
	char code[16];

	for (i = 0; i < 5; i++) {
		snprintf(code, sizeof code, "QA%08d", i);
		ob[i] = add_coupon(r, i + 1, code, "", "pending", &red[i]);
	}
	assert_int_equal(settle_pump(r->se, r->now, &posted), QUAN_OK);
	assert_int_equal(posted, 3); /* max_inflight */
	n = take_jobs(r, jobs, 8);
	assert_int_equal(n, 3);
	for (i = 0; i < 3; i++) {
		/* committed as sent, with the exact body, before it left */
		assert_int_equal(store_outbox_get(r->st, jobs[i].tag, &o), 0);
		assert_int_equal(o.state, OUTBOX_UNKNOWN);
		assert_int_equal(o.attempts, 1);
		assert_string_equal(o.body, jobs[i].body);
		assert_int_equal(jobs[i].attempts, 0);
		assert_int_equal(jobs[i].op, SYNC_OP_USE);
		assert_non_null(strstr(jobs[i].body, "\"use_request_no\":\""));
		assert_non_null(strstr(jobs[i].body,
		    "\"appid\":\"wx1234567890abcdef\""));
		assert_non_null(strstr(jobs[i].body,
		    "\"use_time\":\"2025-11-30T"));
		red_state(r, o.red_id, "unknown");
	}
	assert_string_equal(jobs[0].body, "{\"coupon_code\":\"QA00000000\","
	    "\"stock_id\":\"1212\",\"appid\":\"wx1234567890abcdef\","
	    "\"use_time\":\"2025-11-30T18:53:20+08:00\","
	    "\"use_request_no\":\"T01U000001\"}");
	/* nothing more while they are out */
	assert_int_equal(settle_pump(r->se, r->now, &posted), QUAN_OK);
	assert_int_equal(posted, 0);
	assert_int_equal(settle_inflight(r->se), 3);
	/* answers free room */
	answer(r, &jobs[0], SYNC_OK, "", "ok");
	answer(r, &jobs[1], SYNC_REJECTED, "RULELIMIT", "not_usable_now");
	answer(r, &jobs[2], SYNC_OK, "", "ok");
	assert_int_equal(settle_drain(r->se, r->results, r->now, &n), 0);
	assert_int_equal(n, 3);
	red_state(r, red[0], "confirmed");
	red_state(r, red[1], "rejected");
	{
		struct store_red x;

		assert_int_equal(store_red_get(r->st, red[1], &x), 0);
		assert_string_equal(x.wx_code, "RULELIMIT");
		assert_string_equal(x.reason, "not_usable_now");
	}
	assert_int_equal(store_outbox_get(r->st, ob[0], &o), 0);
	assert_int_equal(o.state, OUTBOX_DONE);
	assert_int_equal(settle_pump(r->se, r->now, &posted), QUAN_OK);
	assert_int_equal(posted, 2);
	n = take_jobs(r, jobs, 8);
	assert_int_equal(n, 2);
	assert_int_equal(jobs[0].tag, ob[3]);
	assert_int_equal(jobs[1].tag, ob[4]);
}

static void
test_retry_same_body(void **state)
{
	struct rig *r = *state;
	struct sync_job j1, j2;
	struct store_outbox o;
	int64_t ob, red;
	int posted;

	ob = add_coupon(r, 1, "QA11111111", "", "accepted_offline", &red);
	assert_int_equal(settle_pump(r->se, r->now, &posted), 0);
	assert_int_equal(take_jobs(r, &j1, 1), 1);
	/* offline acceptance is kept while the answer is unknown */
	red_state(r, red, "accepted_offline");
	answer(r, &j1, SYNC_RETRY, "", "");
	assert_int_equal(settle_drain(r->se, r->results, r->now, NULL), 0);
	assert_int_equal(store_outbox_get(r->st, ob, &o), 0);
	assert_int_equal(o.state, OUTBOX_UNKNOWN);
	assert_true(o.next_at > r->now);
	/* not due yet */
	assert_int_equal(settle_pump(r->se, r->now, &posted), 0);
	assert_int_equal(posted, 0);
	assert_int_equal(settle_pump(r->se, r->now + 1000, &posted), 0);
	assert_int_equal(posted, 1);
	assert_int_equal(take_jobs(r, &j2, 1), 1);
	assert_int_equal(j2.tag, ob);
	assert_int_equal(j2.attempts, 1);
	assert_string_equal(j2.body, j1.body);
	assert_string_equal(j2.request_no, j1.request_no);
	answer(r, &j2, SYNC_OK, "", "ok");
	assert_int_equal(settle_drain(r->se, r->results, r->now, NULL), 0);
	red_state(r, red, "confirmed");
}

static void
test_already(void **state)
{
	struct rig *r = *state;
	struct sync_job j[4], q;
	struct sync_result res;
	struct ev ev;
	int64_t red1, red2, red3;
	int posted;

	(void)add_coupon(r, 1, "QA22222222", "", "unknown", &red1);
	(void)add_coupon(r, 2, "QA33333333", "oUser1", "unknown", &red2);
	(void)add_coupon(r, 3, "QA44444444", "oUser2", "unknown", &red3);
	assert_int_equal(settle_pump(r->se, r->now, &posted), 0);
	assert_int_equal(take_jobs(r, j, 4), 3);
	answer(r, &j[0], SYNC_ALREADY, "RESOURCE_ALREADY_EXISTS",
	    "already_used");
	answer(r, &j[1], SYNC_ALREADY, "RESOURCE_ALREADY_EXISTS",
	    "already_used");
	answer(r, &j[2], SYNC_ALREADY, "RESOURCE_ALREADY_EXISTS",
	    "already_used");
	assert_int_equal(settle_drain(r->se, r->results, r->now, NULL), 0);
	/* no openid: conflict for a manager */
	red_state(r, red1, "conflict");
	/* openid known: a query each */
	assert_int_equal(take_jobs(r, j, 4), 2);
	assert_int_equal(j[0].op, SYNC_OP_QUERY);
	assert_string_equal(j[0].openid, "oUser1");
	/* ours */
	q = j[0];
	memset(&res, 0, sizeof res);
	res.tag = q.tag;
	res.op = SYNC_OP_QUERY;
	res.status = SYNC_OK;
	snprintf(res.use_request_no, sizeof res.use_request_no, "%s",
	    q.request_no);
	snprintf(res.coupon_state, sizeof res.coupon_state, "USED");
	syncmsg_put(&ev, EV_SYNC_DONE, &res, sizeof res);
	assert_int_equal(evq_post(r->results, &ev), 0);
	/* someone else's */
	res.tag = j[1].tag;
	snprintf(res.use_request_no, sizeof res.use_request_no, "OTHER01");
	syncmsg_put(&ev, EV_SYNC_DONE, &res, sizeof res);
	assert_int_equal(evq_post(r->results, &ev), 0);
	assert_int_equal(settle_drain(r->se, r->results, r->now, NULL), 0);
	red_state(r, red2, "confirmed");
	red_state(r, red3, "rejected");
}

static void
test_void_return_after_use(void **state)
{
	struct rig *r = *state;
	struct sync_job j[4];
	struct store_outbox o;
	struct store_red red;
	int64_t ob, red_id;
	int posted;

	ob = add_coupon(r, 1, "QA55555555", "", "accepted_offline", &red_id);
	/* voided before the use went out */
	assert_int_equal(store_red_get(r->st, red_id, &red), 0);
	red.state = CHECKOUT_RETURN_PENDING;
	snprintf(red.return_key, sizeof red.return_key, "T01R000001");
	assert_int_equal(store_red_update(r->st, &red), 0);
	memset(&o, 0, sizeof o);
	o.red_id = red_id;
	o.op = STORE_OP_RETURN;
	o.kind = STORE_MERCHANT;
	snprintf(o.request_no, sizeof o.request_no, "T01R000001");
	o.next_at = r->now;
	o.created_at = r->now;
	assert_int_equal(store_outbox_insert(r->st, &o), 0);
	assert_int_equal(settle_pump(r->se, r->now, &posted), 0);
	/* only the use goes */
	assert_int_equal(take_jobs(r, j, 4), 1);
	assert_int_equal(j[0].tag, ob);
	assert_int_equal(j[0].op, SYNC_OP_USE);
	answer(r, &j[0], SYNC_OK, "", "ok");
	assert_int_equal(settle_drain(r->se, r->results, r->now, NULL), 0);
	red_state(r, red_id, "return_pending");
	assert_int_equal(settle_pump(r->se, r->now, &posted), 0);
	assert_int_equal(take_jobs(r, j, 4), 1);
	assert_int_equal(j[0].op, SYNC_OP_RETURN);
	assert_string_equal(j[0].body, "{\"coupon_code\":\"QA55555555\","
	    "\"stock_id\":\"1212\",\"return_request_no\":\"T01R000001\"}");
	answer(r, &j[0], SYNC_OK, "", "ok");
	assert_int_equal(settle_drain(r->se, r->results, r->now, NULL), 0);
	red_state(r, red_id, "returned");
}

static void
test_stopped_and_dup(void **state)
{
	struct rig *r = *state;
	struct sync_job j;
	struct store_outbox o;
	int64_t ob, red;
	int posted;

	ob = add_coupon(r, 1, "QA66666666", "", "pending", &red);
	assert_int_equal(settle_pump(r->se, r->now, &posted), 0);
	assert_int_equal(take_jobs(r, &j, 1), 1);
	answer(r, &j, SYNC_STOPPED, "", "");
	assert_int_equal(settle_drain(r->se, r->results, r->now, NULL), 0);
	assert_int_equal(store_outbox_get(r->st, ob, &o), 0);
	assert_int_equal(o.state, OUTBOX_UNKNOWN); /* may have been applied */
	assert_true(o.next_at <= r->now);        /* due again at once */
	answer(r, &j, SYNC_OK, "", "ok");
	answer(r, &j, SYNC_REJECTED, "RULELIMIT", "x"); /* late duplicate */
	assert_int_equal(settle_drain(r->se, r->results, r->now, NULL), 0);
	red_state(r, red, "confirmed");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_pump_room_and_sent,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_retry_same_body, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_already, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_void_return_after_use,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_stopped_and_dup, setup,
		    teardown),
	};

	tm_set_zone("Asia/Shanghai");
	return cmocka_run_group_tests(tests, NULL, NULL);
}
