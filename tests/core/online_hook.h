/*
 * online_hook.h — a redeem as core/redeem.c drives it (checkout_commit,
 * WeChat asked, checkout_decide, the returns sent), with WeChat replaced
 * by a test's hook that acts on the committed rows (marks them sent,
 * settles them with ledger_settle, or leaves them unanswered). For the
 * core's tests, which run without a sync thread.
 */
#ifndef QUAN_TEST_ONLINE_HOOK_H
#define QUAN_TEST_ONLINE_HOOK_H

#include <stdint.h>

#include "core/checkout.h"

struct store;

/* What WeChat did with txn's rows within wait_ms (0: the returns the
 * decision queued, sent and not awaited). */
typedef int (*online_hook_fn)(void *arg, struct store *st, int64_t txn,
    int wait_ms);

/* Redeem the open basket of co; fn NULL: no network (checkout_redeem). */
static inline int
redeem_with(struct checkout *co, struct store *st, online_hook_fn fn,
    void *arg)
{
	int rc, nret = 0;

	if (fn == NULL)
		return checkout_redeem(co);
	if ((rc = checkout_commit(co)) != 0)
		return rc;
	(void)fn(arg, st, checkout_current(co)->id, 3000);
	if ((rc = checkout_decide(co, &nret)) != 0)
		return rc;
	if (nret > 0)
		(void)fn(arg, st, checkout_current(co)->id, 0);
	return 0;
}

#endif
