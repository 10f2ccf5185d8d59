/*
 * callbacks_store.c — a received COUPON.SEND into the store (callbacks.h):
 * deduplicated by notification id, the code into the cache as issued,
 * in one transaction.
 */
#include <stdio.h>
#include <string.h>

#include "core/syncmsg.h"
#include "net/callbacks.h"
#include "store/store.h"
#include "util/err.h"
#include "util/tm.h"
#include "util/xmem.h"

int
callbacks_store_notice(struct store *st, const struct sync_notice *n,
    char **cause)
{
	struct store_code sc;
	int rc;

	*cause = NULL;
	if ((rc = store_begin(st)) != 0)
		goto fail;
	rc = store_notify_seen(st, n->id, tm_now());
	if (rc == QUAN_EEXIST) {
		store_rollback(st);
		return 1;
	}
	if (rc != 0)
		goto fail_tx;
	memset(&sc, 0, sizeof sc);
	snprintf(sc.code, sizeof sc.code, "%s", n->code);
	sc.kind = STORE_MERCHANT;
	snprintf(sc.target, sizeof sc.target, "%s", n->stock_id);
	snprintf(sc.state, sizeof sc.state, "issued");
	snprintf(sc.openid, sizeof sc.openid, "%s", n->openid);
	sc.received_at = n->send_time;
	if ((rc = store_code_put(st, &sc)) != 0)
		goto fail_tx;
	if ((rc = store_commit(st)) != 0)
		goto fail_tx;
	return 0;
fail_tx:
	*cause = xstrdup(store_errmsg(st));
	store_rollback(st);
	return rc;
fail:
	*cause = xstrdup(store_errmsg(st));
	return rc;
}
