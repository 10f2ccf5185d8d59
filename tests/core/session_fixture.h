/* session_fixture.h — for the core tests that need the whole till in a
 * temp dir: a store with tests/core/data's stocks and codes imported
 * (default policy offline_ok), staff 1001 and 1002 (cashiers, PINs 1234
 * and 5678) and 9001 (manager, 9999), a checkout engine and a terminal
 * session over them. The test defines DATA_DIR. */
#ifndef QUAN_TEST_SESSION_FIXTURE_H
#define QUAN_TEST_SESSION_FIXTURE_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/checkout.h"
#include "core/import.h"
#include "core/session.h"
#include "store/store.h"
#include "util/config.h"
#include "util/tm.h"
#include "util/xmem.h"

struct fx {
	char dir[64];
	struct config *cfg;
	struct store *st;
	struct checkout *co;
	struct session *s;
};

static int
setup(void **state)
{
	struct fx *f = xcalloc(1, sizeof *f);
	struct checkout_opts co;
	struct session_opts so;
	char *db, *cause = NULL;
	int64_t n;
	FILE *fp;

	snprintf(f->dir, sizeof f->dir, "/tmp/quan-core-XXXXXX");
	assert_non_null(mkdtemp(f->dir));
	assert_int_equal(tm_set_zone("Asia/Shanghai"), 0);
	config_defaults(&f->cfg);
	f->cfg->off_default_policy = CONFIG_POLICY_OFFLINE_OK;
	db = xasprintf("%s/quan.db", f->dir);
	assert_int_equal(store_open(db, 0, &f->st, &cause), 0);
	free(db);
	assert_int_equal(import_stocks(f->st, DATA_DIR "/stocks.json",
	    tm_now(), &n, &cause), 0);
	fp = fopen(DATA_DIR "/codes.csv", "r");
	assert_non_null(fp);
	assert_int_equal(import_codes(f->st, fp, "codes.csv", tm_now(), &n,
	    NULL, &cause), 0);
	fclose(fp);
	assert_int_equal(staff_set(f->dir, "1001", STAFF_CASHIER, "1234",
	    &cause), 0);
	assert_int_equal(staff_set(f->dir, "1002", STAFF_CASHIER, "5678",
	    &cause), 0);
	assert_int_equal(staff_set(f->dir, "9001", STAFF_MANAGER, "9999",
	    &cause), 0);
	memset(&co, 0, sizeof co);
	co.cfg = f->cfg;
	co.st = f->st;
	assert_int_equal(checkout_new(&co, &f->co, &cause), 0);
	memset(&so, 0, sizeof so);
	so.cfg = f->cfg;
	so.data_dir = f->dir;
	so.st = f->st;
	so.co = f->co;
	assert_int_equal(session_new(&f->s, &so, &cause), 0);
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fx *f = *state;
	char *cmd;

	session_free(f->s);
	checkout_free(f->co);
	store_close(f->st);
	config_free(f->cfg);
	cmd = xasprintf("rm -rf '%s'", f->dir);
	assert_int_equal(system(cmd), 0);
	free(cmd);
	free(f);
	return 0;
}

#endif
