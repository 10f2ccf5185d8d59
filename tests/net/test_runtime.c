/*
 * test_runtime.c — the sync runtime (app/net/runtime.h) as every process
 * starts it: recovery takes every sale a crash left open, in as many
 * batches as it needs, and none a till may still be deciding; a start,
 * a one-pass run and a stop leave the sync state published for other
 * processes and nothing running; the online step stays out of the way
 * when no WeChat client is configured.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/checkout.h"
#include "core/evq.h"
#include "net/runtime.h"
#include "store/store.h"
#include "util/config.h"
#include "util/err.h"
#include "util/tm.h"
#include "util/xmem.h"

struct fx {
	char dir[64];
	char *db;
	struct config *cfg;
	struct store *st;
	struct checkout *co;
};

static int
setup(void **state)
{
	struct fx *f = xcalloc(1, sizeof *f);
	struct checkout_opts o;
	char *cause = NULL;

	snprintf(f->dir, sizeof f->dir, "/tmp/quan-rt-XXXXXX");
	assert_non_null(mkdtemp(f->dir));
	f->db = xasprintf("%s/quan.db", f->dir);
	config_defaults(&f->cfg);
	assert_int_equal(store_open(f->db, 0, &f->st, &cause), 0);
	memset(&o, 0, sizeof o);
	o.cfg = f->cfg;
	o.st = f->st;
	assert_int_equal(checkout_new(&o, &f->co, &cause), 0);
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fx *f = *state;
	char *cmd = xasprintf("rm -rf '%s'", f->dir);

	checkout_free(f->co);
	store_close(f->st);
	config_free(f->cfg);
	assert_int_equal(system(cmd), 0);
	free(cmd);
	free(f->db);
	free(f);
	return 0;
}

/* A sale cut off between its two commits: txn open, one pending row
 * with its outbox row, opened `age` seconds ago. */
static int64_t
open_sale(struct fx *f, int i, int64_t age)
{
	struct store_txn t;
	struct store_red r;
	struct store_outbox o;

	assert_int_equal(store_begin(f->st), 0);
	memset(&t, 0, sizeof t);
	t.amount_fen = 100;
	t.due_fen = 100;
	t.state = TXN_OPEN;
	t.opened_at = tm_now() - age;
	assert_int_equal(store_txn_insert(f->st, &t), 0);
	memset(&r, 0, sizeof r);
	r.txn_id = t.id;
	snprintf(r.code, sizeof r.code, "QR%014d", i);
	snprintf(r.target, sizeof r.target, "1212");
	snprintf(r.idem_key, sizeof r.idem_key, "T01U%09d", i);
	r.state = CHECKOUT_PENDING;
	assert_int_equal(store_red_insert(f->st, &r), 0);
	memset(&o, 0, sizeof o);
	o.red_id = r.id;
	snprintf(o.request_no, sizeof o.request_no, "%s", r.idem_key);
	assert_int_equal(store_outbox_insert(f->st, &o), 0);
	assert_int_equal(store_commit(f->st), 0);
	return t.id;
}

static void
txn_state(struct fx *f, int64_t id, const char *want)
{
	struct store_txn t;

	assert_int_equal(store_txn_get(f->st, id, &t), 0);
	assert_string_equal(txn_state_name(t.state), want);
}

/* 150 sales a crash left open: more than one batch of checkout_recover
 * (64), all taken in one call. */
static void
recovery_takes_every_batch(void **state)
{
	struct fx *f = *state;
	int64_t first = 0, last = 0;
	int i, n = -1;

	for (i = 0; i < 150; i++) {
		last = open_sale(f, i, 3600);
		if (i == 0)
			first = last;
	}
	assert_int_equal(net_recover(f->co, f->cfg, &n), 0);
	assert_int_equal(n, 150);
	txn_state(f, first, "voided");
	txn_state(f, last, "voided");
	assert_int_equal(net_recover(f->co, f->cfg, &n), 0);
	assert_int_equal(n, 0);
}

/* A sale younger than 60 s + online_wait_ms may still be in a till's
 * online step: left alone; older, it is recovered. */
static void
recovery_spares_a_sale_still_being_decided(void **state)
{
	struct fx *f = *state;
	int64_t young, old;
	int n = -1;

	f->cfg->wx_online_wait_ms = 30000;
	assert_int_equal(net_recover_age_s(f->cfg), 90);
	young = open_sale(f, 1, 80);
	old = open_sale(f, 2, 100);
	assert_int_equal(net_recover(f->co, f->cfg, &n), 0);
	assert_int_equal(n, 1);
	txn_state(f, young, "open");
	txn_state(f, old, "voided");
}

/* Start, one pass with nothing to settle, stop: the pass ends by itself,
 * the sync state is in meta for `quan status`, the final figures say
 * nothing is left. */
static void
one_pass_publishes_state_and_stops(void **state)
{
	struct fx *f = *state;
	struct net_rt *rt = NULL;
	struct net_rt_opts o;
	struct net_rt_run_opts ro;
	struct settle_status st;
	char *cause = NULL, v[64];

	net_rt_defaults(f->cfg, &o);
	assert_int_equal(o.sync.backoff_max_ms, 5000);
	o.settle.refresh_s = 0;
	assert_int_equal(net_rt_start(&rt, f->st, f->cfg, &o, &cause), 0);
	assert_null(cause);
	assert_non_null(net_rt_settle(rt));
	assert_non_null(net_rt_results(rt));
	memset(&ro, 0, sizeof ro);
	ro.once = 1;
	ro.max_ms = 10000;
	assert_int_equal(net_rt_run(rt, &ro), 0);
	assert_int_equal(store_meta_get(f->st, "sync.updated_at", v,
	    sizeof v), 0);
	assert_true(strtoll(v, NULL, 10) >= tm_now() - 60);
	memset(&st, 0xff, sizeof st);
	net_rt_stop_status(rt, &st);
	assert_int_equal(st.pending, 0);
	assert_int_equal(st.unknown, 0);
	net_rt_stop(NULL);
}

/* Without [wechatpay] or [card] there is no online step: the redeem is
 * decided by the offline policy, and nothing needs stopping. */
static void
no_client_no_online_step(void **state)
{
	struct fx *f = *state;
	struct net_online *on = (struct net_online *)1;
	char *cause = NULL;

	assert_false(net_rt_configured(f->cfg));
	assert_int_equal(net_rt_check(f->cfg, &cause), 1);
	assert_null(cause);
	assert_int_equal(net_online_new(&on, f->co, f->st, f->cfg, &cause),
	    0);
	assert_null(on);
	assert_null(net_online_warning(on));
	net_online_free(on);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(recovery_takes_every_batch,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(
		    recovery_spares_a_sale_still_being_decided, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(
		    one_pass_publishes_state_and_stops, setup, teardown),
		cmocka_unit_test_setup_teardown(no_client_no_online_step,
		    setup, teardown),
	};

	tm_set_zone("Asia/Shanghai");
	return cmocka_run_group_tests(tests, NULL, NULL);
}
