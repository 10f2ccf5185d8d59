/* settle_fixture.h — for the core tests that drive a money path against
 * settle.c with scripted sync results: a temp dir (/tmp/quan-NAME-XXXXXX)
 * with a fresh store, the default config, the queue jobs go out on and a
 * settle engine over them (no definition refresh). The test's fixture
 * keeps the pieces; settle_fixture_close frees them and removes the dir. */
#ifndef QUAN_TEST_SETTLE_FIXTURE_H
#define QUAN_TEST_SETTLE_FIXTURE_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/checkout.h"
#include "core/evq.h"
#include "core/payment.h"
#include "core/settle.h"
#include "store/store.h"
#include "util/config.h"
#include "util/xmem.h"

static inline void
settle_fixture_open(const char *name, char *dir, size_t n,
    struct config **cfg, struct store **st, struct evq **to_sync,
    struct settle **se)
{
	struct settle_opts so;
	char *cause = NULL, *db;

	snprintf(dir, n, "/tmp/quan-%s-XXXXXX", name);
	assert_non_null(mkdtemp(dir));
	db = xasprintf("%s/quan.db", dir);
	config_defaults(cfg);
	assert_int_equal(store_open(db, 0, st, &cause), 0);
	free(db);
	assert_int_equal(evq_new(to_sync, 64), 0);
	settle_opts_defaults(&so);
	so.refresh_s = 0;
	assert_int_equal(settle_new(se, *st, *cfg, &so, *to_sync), 0);
}

static inline void
settle_fixture_close(const char *dir, struct config *cfg, struct store *st,
    struct evq *to_sync, struct settle *se)
{
	char *cmd = xasprintf("rm -rf %s", dir);

	settle_free(se);
	evq_free(to_sync);
	store_close(st);
	config_free(cfg);
	if (system(cmd) != 0)
		fprintf(stderr, "cannot remove %s\n", dir);
	free(cmd);
}

/* The money rig on top: a checkout over the store (pay_after: card
 * consumes held until the sale is paid), the queue results come back on
 * and the payment engine. pay_fixture_close frees them. */
static inline void
pay_fixture_open(struct config *cfg, struct store *st, struct settle *se,
    int pay_after, struct checkout **co, struct evq **results,
    struct payment **pm)
{
	struct checkout_opts o;
	char *cause = NULL;

	memset(&o, 0, sizeof o);
	o.cfg = cfg;
	o.st = st;
	o.pay_after = pay_after;
	assert_int_equal(checkout_new(&o, co, &cause), 0);
	assert_int_equal(evq_new(results, 64), 0);
	*pm = payment_new(*co, st, cfg, se);
}

static inline void
pay_fixture_close(struct checkout *co, struct evq *results,
    struct payment *pm)
{
	payment_free(pm);
	evq_free(results);
	checkout_free(co);
}

#endif
