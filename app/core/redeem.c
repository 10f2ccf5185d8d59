/*
 * redeem.c — a sale's redeem in two commits with WeChat asked in between,
 * driven by its owner's loop (see redeem.h).
 */
#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>

#include "core/checkout.h"
#include "core/evq.h"
#include "core/redeem.h"
#include "core/settle.h"
#include "util/err.h"
#include "util/log.h"
#include "util/tm.h"
#include "util/xmem.h"

struct redeem {
	struct checkout *co;
	struct settle *se;       /* NULL: no network */
	struct evq *results;
	int wait_ms;
	int active;              /* committed, not decided */
	int decided;             /* decided, not reported by redeem_step */
	int rc;                  /* checkout_decide's */
	uint64_t started_ms;
};

struct redeem *
redeem_new(struct checkout *co, struct settle *se, struct evq *results,
    int wait_ms)
{
	struct redeem *r = xcalloc(1, sizeof *r);

	r->co = co;
	r->se = se;
	r->results = results;
	r->wait_ms = wait_ms;
	checkout_set_online(co, se != NULL);
	return r;
}

/* The second commit, then the returns it queued sent (not awaited: the
 * sync goes on with them). */
static void
decide(struct redeem *r)
{
	int nret = 0, rc;

	r->active = 0;
	r->decided = 1;
	r->rc = checkout_decide(r->co, &nret);
	if (r->rc != 0 || nret == 0 || r->se == NULL)
		return;
	if ((rc = settle_txn_send(r->se, checkout_current(r->co)->id,
	    0)) != 0)
		log_warn("redeem: sending returns: %s", quan_strerror(rc));
}

/* Decide if the wait is over (not reported yet). */
static void
check(struct redeem *r)
{
	if (r->active && settle_txn_wait(r->se, NULL, NULL) == 0)
		decide(r);
}

void
redeem_free(struct redeem *r)
{
	if (r == NULL)
		return;
	if (r->active)
		decide(r);
	free(r);
}

int
redeem_start(struct redeem *r)
{
	int rc;

	r->decided = 0;
	r->rc = 0;
	if ((rc = checkout_commit(r->co)) != 0)
		return rc;
	r->active = 1;
	if (r->se == NULL) {
		decide(r);
		return QUAN_OK;
	}
	/* a send that fails (store error) leaves the rows to the sync
	 * pump: the offline policy decides at once */
	if ((rc = settle_txn_send(r->se, checkout_current(r->co)->id,
	    r->wait_ms)) != 0)
		log_warn("redeem: online step: %s", quan_strerror(rc));
	/* after the send: never before settle's own deadline */
	r->started_ms = tm_mono_ms();
	check(r);
	return QUAN_OK;
}

int
redeem_active(const struct redeem *r)
{
	return r->active;
}

int
redeem_step(struct redeem *r)
{
	check(r);
	if (!r->decided)
		return 0;
	r->decided = 0;
	return 1;
}

int
redeem_rc(const struct redeem *r)
{
	return r->rc;
}

int
redeem_timeout_ms(const struct redeem *r)
{
	uint64_t now = tm_mono_ms(), end;

	if (!r->active)
		return -1;
	/* the deadline, then the grace settle_txn_wait may give a stock
	 * fetched after a late answer (at most 1 s) */
	end = r->started_ms + (uint64_t)(r->wait_ms > 0 ? r->wait_ms : 0);
	if (now >= end)
		end += (uint64_t)(r->wait_ms > 1000 ? 1000 :
		    r->wait_ms > 0 ? r->wait_ms : 0);
	return now >= end ? 0 : (int)(end - now);
}

uint64_t
redeem_elapsed_ms(const struct redeem *r)
{
	return r->active ? tm_mono_ms() - r->started_ms : 0;
}

int
redeem_run(struct redeem *r)
{
	struct pollfd p;
	int rc, ms;

	if ((rc = redeem_start(r)) != 0)
		return rc;
	while (!redeem_step(r)) {
		ms = redeem_timeout_ms(r);
		p.fd = evq_fd(r->results);
		p.events = POLLIN;
		rc = poll(&p, 1, ms > 0 ? ms : 0);
		if (rc < 0 && errno != EINTR)
			log_error("redeem: poll: %s", strerror(errno));
		/* past the deadline (a late wake-up included) the till
		 * decides with what it has; answers after it are applied
		 * after the decision */
		if (redeem_step(r))
			break;
		if (rc > 0 && (rc = settle_drain(r->se, r->results, tm_now(),
		    NULL)) != 0)
			log_error("redeem: applying results: %s",
			    quan_strerror(rc));
	}
	return r->rc;
}
