/*
 * store_fixture.h — a fresh store in a temporary folder for the store's
 * unit tests (and tests/core/test_ledger.c), and rows to fill it.
 * Header-only, test code.
 */
#ifndef QUAN_TEST_STORE_FIXTURE_H
#define QUAN_TEST_STORE_FIXTURE_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "store/store.h"

struct fx {
	char dir[64];
	char path[96];
	struct store *st;
};

static inline int
fx_setup(void **state)
{
	struct fx *f = calloc(1, sizeof *f);
	char *cause = NULL;

	if (f == NULL)
		return -1;
	snprintf(f->dir, sizeof f->dir, "/tmp/quan-store-XXXXXX");
	if (mkdtemp(f->dir) == NULL)
		return -1;
	snprintf(f->path, sizeof f->path, "%s/quan.db", f->dir);
	if (store_open(f->path, 0, &f->st, &cause) != 0) {
		fprintf(stderr, "store_open: %s\n", cause ? cause : "?");
		free(cause);
		return -1;
	}
	*state = f;
	return 0;
}

static inline int
fx_teardown(void **state)
{
	struct fx *f = *state;
	char cmd[160];

	store_close(f->st);
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", f->dir);
	if (system(cmd) != 0)
		return -1;
	free(f);
	return 0;
}

/* A txn in state (open|redeemed|closed|voided) opened at t. */
static inline int64_t
fx_txn(struct store *st, const char *state, int64_t t)
{
	struct store_txn x;

	memset(&x, 0, sizeof x);
	x.amount_fen = 10000;
	x.due_fen = 10000;
	x.state = txn_state_parse(state);
	x.opened_at = t;
	snprintf(x.cashier, sizeof x.cashier, "1001");
	if (store_txn_insert(st, &x) != 0)
		return -1;
	return x.id;
}

/* A merchant-coupon redemption of code in txn, in state, keyed key. */
static inline int
fx_red(struct store *st, int64_t txn, int line, const char *code,
    const char *state, const char *key, int64_t t, struct store_red *out)
{
	struct store_red r;
	int rc;

	memset(&r, 0, sizeof r);
	r.txn_id = txn;
	r.line = line;
	snprintf(r.code, sizeof r.code, "%s", code);
	r.kind = STORE_MERCHANT;
	snprintf(r.target, sizeof r.target, "1212");
	snprintf(r.coupon_type, sizeof r.coupon_type, "NORMAL");
	snprintf(r.idem_key, sizeof r.idem_key, "%s", key);
	r.state = checkout_cstate_parse(state);
	r.discount_fen = 500;
	r.use_time = t;
	r.created_at = t;
	r.updated_at = t;
	rc = store_red_insert(st, &r);
	if (out != NULL)
		*out = r;
	return rc;
}

#endif
