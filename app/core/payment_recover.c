/*
 * payment_recover.c — what `quan sync` settles for processes that are
 * gone (payment.h): their payments taken over and driven to the end,
 * sales redeemed to be paid here that never got a payment voided; the
 * card coupon line's state for the sale's JSON; the blocking runner of
 * headless commands.
 */
#include <errno.h>
#include <inttypes.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/checkout.h"
#include "core/coupon.h"
#include "core/evq.h"
#include "core/payment_int.h"
#include "core/settle.h"
#include "store/store.h"
#include "store/store_pay.h"
#include "util/err.h"
#include "util/log.h"
#include "util/tm.h"
#include "util/xmem.h"

/* ---- adoption by `quan sync` ------------------------------------------ */

int
payment_owner_gone(int64_t owner, int64_t updated_at, int64_t now)
{
	pid_t pid = (pid_t)owner;

	if (pid == getpid())
		return 0;
	if (pid <= 0 || now - updated_at > ADOPT_SILENT_S)
		return 1;
	return kill(pid, 0) != 0 && errno == ESRCH;
}

int
payment_adopt(struct payment *pm, int *n)
{
	int64_t ids[PAYMENTS_MAX], now = tm_now();
	struct store_pay p;
	struct entry *e;
	int k, i, rc, took = 0;

	if (n != NULL)
		*n = 0;
	if ((rc = store_pay_list_open(pm->st, ids, PAYMENTS_MAX, &k)) != 0)
		return rc;
	for (i = 0; i < k && pm->n < PAYMENTS_MAX; i++) {
		if (payment_find(pm, ids[i]) != NULL)
			continue;
		if ((rc = store_begin(pm->st)) != 0)
			return rc;
		if ((rc = store_pay_get(pm->st, ids[i], &p)) != 0 ||
		    !payment_owner_gone(p.owner, p.updated_at, now)) {
			store_rollback(pm->st);
			if (rc != 0)
				return rc;
			continue;
		}
		p.owner = (int64_t)getpid();
		p.updated_at = now;
		if ((rc = store_pay_update(pm->st, &p)) != 0 ||
		    (rc = store_commit(pm->st)) != 0) {
			store_rollback(pm->st);
			return rc;
		}
		e = xcalloc(1, sizeof *e);
		e->id = p.id;
		e->row = p;
		/* resume: what was out is unknown; query it (then reverse
		 * past the deadline); a reverse under way goes on */
		pay_machine_start(&e->m, p.t0_ms);
		e->m.t0_ms = p.t0_ms;
		/* a fresh budget of reverses for each taking over: an
		 * alarm left by the till is tried again */
		e->m.reverses = 0;
		if (payment_phase_parse(p.phase) == PAY_PH_REVERSE) {
			e->m.phase = PAY_PH_REVERSE;
			e->m.next_op = PAY_OP_REVERSE;
		} else {
			e->m.phase = PAY_PH_QUERY;
			e->m.next_op = PAY_OP_QUERY;
		}
		e->m.next_at_ms = tm_now_ms();
		e->adopted = 1;
		pm->e[pm->n++] = e;
		took++;
		log_warn("sync: payment %s of sale %" PRId64 " taken over "
		    "(its process is gone)", p.out_trade_no, p.txn_id);
	}
	if (n != NULL)
		*n = took;
	return QUAN_OK;
}

const char *
payment_card_state(struct store *st, int64_t red_id)
{
	struct store_red r;
	char ob[16] = "";
	int held = 0, rs;

	if (store_red_get(st, red_id, &r) != 0 || r.kind != STORE_CARD)
		return "";
	rs = r.state;
	if (reason_parse(r.reason) == REASON_CARD_CONSUME_REFUSED)
		return "consume_refused";
	if (reason_parse(r.reason) == REASON_CARD_NOT_CONSUMED)
		return "not_consumed";
	if (store_card_consume_of(st, red_id, ob, sizeof ob, &held) != 0)
		return "";
	if (rs == CHECKOUT_REJECTED)
		return "refused";
	if (rs != CHECKOUT_CONFIRMED && rs != CHECKOUT_ACCEPTED_OFFLINE)
		return "";
	if (held)
		return rs == CHECKOUT_CONFIRMED ? "checked" : "";
	switch (outbox_state_parse(ob)) {
	case OUTBOX_DONE:
		return "consumed";
	case OUTBOX_PENDING:
	case OUTBOX_UNKNOWN:
		return "consume_pending";
	default:
		return "";
	}
}

int
payment_recover_unpaid(struct checkout *co, struct store *st,
    int64_t older_than_s, int *n)
{
	int64_t ids[64], owners[64], now = tm_now();
	char *cause;
	int k, i, rc;

	*n = 0;
	if ((rc = store_txn_list_unpaid(st, now - older_than_s, ids, owners,
	    64, &k)) != 0)
		return rc;
	for (i = 0; i < k; i++) {
		if (!payment_owner_gone(owners[i], now, now))
			continue; /* its till is still on it (the DUE screen) */
		cause = NULL;
		rc = checkout_void(co, ids[i], "unpaid", &cause);
		if (rc == QUAN_EINVAL) {
			/* settled meanwhile by another process */
			free(cause);
			continue;
		}
		if (rc != 0) {
			log_error("sync: voiding unpaid sale %" PRId64 ": %s",
			    ids[i], cause != NULL ? cause : quan_strerror(rc));
			free(cause);
			return rc;
		}
		free(cause);
		log_warn("sync: sale %" PRId64 " was redeemed but never paid "
		    "(its process %" PRId64 " is gone): voided, merchant "
		    "coupons returned, card coupons left unconsumed", ids[i],
		    owners[i]);
		(*n)++;
	}
	return QUAN_OK;
}

enum pay_outcome
payment_run(struct payment *pm, struct evq *results, int64_t id)
{
	struct payment_view v;
	struct pollfd pf;
	int ms, rc;

	for (;;) {
		(void)payment_step(pm);
		if (payment_view(pm, id, &v) != 0)
			return PAY_UNKNOWN;
		if (v.outcome != PAY_PENDING)
			return v.outcome;
		ms = payment_timeout_ms(pm);
		pf.fd = evq_fd(results);
		pf.events = POLLIN;
		rc = poll(&pf, 1, ms >= 0 ? ms : 1000);
		if (rc < 0 && errno != EINTR)
			log_error("payment: poll: %s", strerror(errno));
		if (pm->se != NULL && (rc = settle_drain(pm->se, results,
		    tm_now(), NULL)) != 0)
			log_error("payment: applying results: %s",
			    quan_strerror(rc));
	}
}

int
payment_open_count(struct store *st)
{
	int64_t ids[1];
	int n = 0;

	return store_pay_list_open(st, ids, 1, &n) == 0 ? n : 0;
}
