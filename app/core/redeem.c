/*
 * redeem.c — a sale's redeem in two commits with WeChat asked in between,
 * driven by its owner's loop (see redeem.h).
 */
#include <errno.h>
#include <stdio.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>

#include "core/checkout.h"
#include "core/evq.h"
#include "core/hubmsg.h"
#include "core/syncmsg.h"
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
	/* the store hub (NULL: none): claims out before the send */
	struct evq *hjobs, *hans;
	int hub_wait_ms;
	char term[HUB_TERM_MAX], store_id[32];
	int claiming;              /* claims out, not all answered */
	uint64_t claim_ms;
	int nclaim;
	struct claim {
		int line;
		int64_t tag;
		struct hub_answer a;   /* verdict NONE: not answered yet */
	} claims[CHECKOUT_LINES_MAX];
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
static void claims_done(struct redeem *r);
static int claims_in(struct redeem *r);

static void
check(struct redeem *r)
{
	if (r->active && r->claiming) {
		if (claims_in(r) || tm_mono_ms() >= r->claim_ms +
		    (uint64_t)r->hub_wait_ms)
			claims_done(r);
		return;
	}
	if (r->active && settle_txn_wait(r->se, NULL, NULL) == 0)
		decide(r);
}

void
redeem_free(struct redeem *r)
{
	if (r == NULL)
		return;
	if (r->active && r->claiming) {
		(void)claims_in(r);
		r->claiming = 0;
		for (int i = 0; i < r->nclaim; i++)
			(void)checkout_hub_verdict(r->co, r->claims[i].line,
			    r->claims[i].a.verdict != HUB_V_NONE ?
			    (int)r->claims[i].a.verdict : HUB_V_DOWN,
			    r->claims[i].a.terminal,
			    r->claims[i].a.claimed_at);
	}
	if (r->active)
		decide(r);
	free(r);
}

void
redeem_set_hub(struct redeem *r, struct evq *jobs, struct evq *answers,
    int wait_ms, const char *terminal, const char *store_id)
{
	r->hjobs = jobs;
	r->hans = answers;
	r->hub_wait_ms = wait_ms;
	snprintf(r->term, sizeof r->term, "%s", terminal);
	snprintf(r->store_id, sizeof r->store_id, "%s", store_id);
}

static int send_out(struct redeem *r);

/* Post one claim per line that has a row (lines refused at pricing have
 * none). A claim the queue refuses is answered DOWN at once. */
static int
claims_out(struct redeem *r)
{
	const struct checkout_txn *t = checkout_current(r->co);
	struct hub_job j;
	struct ev ev;
	int i;

	r->nclaim = 0;
	for (i = 0; i < t->nlines; i++) {
		const struct checkout_line *l = &t->lines[i];
		struct claim *c;

		if (l->red_id == 0 || l->request_no[0] == '\0')
			continue;
		c = &r->claims[r->nclaim++];
		memset(c, 0, sizeof *c);
		c->line = i;
		c->tag = l->red_id;
		memset(&j, 0, sizeof j);
		j.tag = l->red_id;
		j.txn_id = t->id;
		snprintf(j.code, sizeof j.code, "%s", l->code);
		snprintf(j.kind, sizeof j.kind, "%s",
		    l->kind == CLASSIFY_CARD ? "card" : "merchant");
		snprintf(j.terminal, sizeof j.terminal, "%s", r->term);
		snprintf(j.store_id, sizeof j.store_id, "%s", r->store_id);
		snprintf(j.request_no, sizeof j.request_no, "%s",
		    l->request_no);
		syncmsg_put(&ev, EV_HUB_JOB, &j, sizeof j);
		ev.t_mono_us = tm_mono_ms() * 1000;
		if (evq_post(r->hjobs, &ev) != 0) {
			c->a.verdict = HUB_V_DOWN;
			c->a.rc = QUAN_EFULL;
		}
	}
	return r->nclaim;
}

/* Answers in; 1 when every claim is answered. Answers of earlier
 * redeems (late, past their deadline) are dropped: their rows' state
 * reaches the hub with quan hub sync. */
static int
claims_in(struct redeem *r)
{
	struct hub_answer a;
	struct ev ev;
	int i, left = 0;

	while (evq_get(r->hans, &ev)) {
		if (ev.type != EV_HUB_DONE)
			continue;
		memcpy(&a, ev.u.opaque, sizeof a);
		for (i = 0; i < r->nclaim; i++)
			if (r->claims[i].tag == a.tag &&
			    r->claims[i].a.verdict == HUB_V_NONE)
				r->claims[i].a = a;
	}
	for (i = 0; i < r->nclaim; i++)
		left += r->claims[i].a.verdict == HUB_V_NONE;
	return left == 0;
}

/* The claims' verdicts to the checkout, then the send. */
static void
claims_done(struct redeem *r)
{
	int i, rc;

	r->claiming = 0;
	for (i = 0; i < r->nclaim; i++) {
		struct claim *c = &r->claims[i];

		if (c->a.verdict == HUB_V_NONE) {
			c->a.verdict = HUB_V_DOWN;
			log_warn("redeem: no claim answer from the store hub "
			    "within %d ms", r->hub_wait_ms);
		}
		if ((rc = checkout_hub_verdict(r->co, c->line, c->a.verdict,
		    c->a.terminal, c->a.claimed_at)) != 0)
			log_error("redeem: hub verdict: %s",
			    quan_strerror(rc));
	}
	(void)send_out(r);
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
	if (r->hjobs != NULL && claims_out(r) > 0) {
		/* the claims first: a code another lane holds is never
		 * sent to WeChat from here */
		r->claiming = 1;
		r->claim_ms = tm_mono_ms();
		r->started_ms = r->claim_ms;
		check(r);
		return QUAN_OK;
	}
	return send_out(r);
}

/* The WeChat step: sent, or decided at once without network. */
static int
send_out(struct redeem *r)
{
	int rc;

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
	if (r->claiming) {
		end = r->claim_ms + (uint64_t)r->hub_wait_ms;
		return now >= end ? 0 : (int)(end - now);
	}
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
	struct pollfd p[2];
	int rc, ms, np;

	if ((rc = redeem_start(r)) != 0)
		return rc;
	while (!redeem_step(r)) {
		ms = redeem_timeout_ms(r);
		np = 0;
		if (r->results != NULL) {
			p[np].fd = evq_fd(r->results);
			p[np++].events = POLLIN;
		}
		if (r->hans != NULL) {
			p[np].fd = evq_fd(r->hans);
			p[np++].events = POLLIN;
		}
		rc = poll(p, (nfds_t)np, ms > 0 ? ms : 0);
		if (rc < 0 && errno != EINTR)
			log_error("redeem: poll: %s", strerror(errno));
		/* past the deadline (a late wake-up included) the till
		 * decides with what it has; answers after it are applied
		 * after the decision */
		if (redeem_step(r))
			break;
		if (rc > 0 && r->se != NULL && (rc = settle_drain(r->se, r->results, tm_now(),
		    NULL)) != 0)
			log_error("redeem: applying results: %s",
			    quan_strerror(rc));
	}
	return r->rc;
}
