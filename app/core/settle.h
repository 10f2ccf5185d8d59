/*
 * settle.h — the core side of settling redemptions with WeChat. It reads
 * due outbox rows through the store API, commits "sent" before a job
 * leaves, posts EV_SYNC_JOB values to the sync thread (never more than it
 * has room for), and applies EV_SYNC_DONE results: confirmed, rejected
 * with WeChat's code and a cashier reason, resend later (same body, same
 * request number), "used by another request" resolved by a coupon query or
 * made a `conflict`, voids returned after the use is confirmed. It also
 * refreshes stock/card definitions and keeps the online/offline state, the
 * outbox depth and the last error for the UI. Main thread only.
 */
#ifndef QUAN_SETTLE_H
#define QUAN_SETTLE_H

#include <stdint.h>

#include "core/evq.h"
#include "core/syncmsg.h"

struct settle;
struct store;
struct config;

struct settle_opts {
	int max_inflight;  /* jobs out at once (default 128) */
	int queue_cap;     /* capacity of the to_sync queue (default 256) */
	int retry_base_s;  /* first delay after SYNC_RETRY (default 2) */
	int retry_max_s;   /* cap of that delay (default 300) */
	int lease_s;       /* a sent row is not picked again by another
	                      process for (10 s): the till's online
	                      step and a `quan sync` do not race; within
	                      one process the jobs out are known */
	int refresh_s;     /* refresh definitions older than this (3600);
	                      0 = never */
	int once;          /* `sync --once`: every open row is due now,
	                      whatever its backoff, and each row is sent at
	                      most `once` rounds (each round = the sync
	                      thread's own retries); 0 = normal */
	int probe;         /* 1: the first pump refreshes one definition
	                      (a configured one, else the first cached
	                      stock, else card) whatever its age, so the
	                      terminal knows online/offline before the
	                      first sale; 0 = no (default) */
};
void settle_opts_defaults(struct settle_opts *o);

struct settle_status {
	int online;               /* 1 online, 0 offline, -1 not known yet:
	                             nothing was answered or failed since
	                             start (as published by the sync thread) */
	int64_t pending, unknown; /* outbox depth */
	int inflight;             /* jobs out now */
	uint64_t confirmed, rejected, conflicts, returned, retries;
	int64_t last_ok;          /* epoch s */
	int64_t last_error_at;    /* epoch s, 0 never */
	int last_rc;              /* QUAN_E* of last_error */
	char last_error[SYNC_MSG_MAX];
};

/* The network as a cashier or a manager should see it, decided in one
 * place for the terminal, quan redeem and quan status. TLS: the last
 * failure (within 2 minutes, not online since) was QUAN_ETLS — WeChat's
 * certificate untrusted, expired or for another host — which no amount of
 * waiting fixes, unlike OFFLINE. */
enum settle_net {
	SETTLE_NET_CONNECTING = 0, /* nothing answered or failed yet */
	SETTLE_NET_ONLINE,
	SETTLE_NET_OFFLINE,
	SETTLE_NET_TLS
};
enum settle_net settle_net_state(const struct settle_status *st,
    int64_t now);
/* "connecting", "online", "offline", "tls_error" (status, meta). */
const char *settle_net_name(enum settle_net n);
/* The last state a settle of any process on this data dir saw (kept in
 * the store's meta "net_state" whenever it changes, so `quan status` can
 * tell it without the network): *state as settle_net_name, *since epoch
 * s, error (n bytes) the words. QUAN_ENOTFOUND when no sync ran yet. */
int settle_net_saved(struct store *st, char *state, size_t sn,
    int64_t *since, char *error, size_t en);

/* Borrows st, cfg and to_sync for the life of the settle. Main thread. */
int settle_new(struct settle **out, struct store *st,
    const struct config *cfg, const struct settle_opts *o,
    struct evq *to_sync);
void settle_free(struct settle *s); /* NULL-safe */

/* Post jobs for due rows (and stale definitions), as many as there is
 * room for. "Sent" is committed before any job is posted. *posted (may be
 * NULL) counts them. QUAN_E* on a store error (nothing posted). */
int settle_pump(struct settle *s, int64_t now, int *posted);

/* Apply every event waiting in `results` (EV_SYNC_DONE, EV_SYNC_STATE) in
 * one store transaction; other event types are ignored. *n (may be NULL)
 * counts results applied. QUAN_E* on a store error (the rows then stay to
 * retry after their lease). */
int settle_drain(struct settle *s, struct evq *results, int64_t now,
    int *n);
/* Apply one event (opens its own transaction). */
int settle_apply(struct settle *s, const struct ev *ev, int64_t now);

/* Payment answers (SYNC_OP_PAY*, core/payment.h): applied by fn inside
 * the drain's transaction (fn writes through the store, opens none and
 * sends nothing; its owner acts after the drain). 0 or QUAN_E* (the
 * batch is then rolled back). */
typedef int (*settle_pay_fn)(void *arg, const struct sync_result *r,
    int64_t now);
void settle_set_pay(struct settle *s, settle_pay_fn fn, void *arg);
/* 商品券 answers (SYNC_OP_PC_*, core/pcoupon_sale.h): the same way. */
void settle_set_pc(struct settle *s, settle_pay_fn fn, void *arg);
/* Refund answers (SYNC_OP_REFUND*, core/refund.h), the same way. */
void settle_set_refund(struct settle *s, settle_pay_fn fn, void *arg);
/* Post one job that has no outbox row (a payment request) to the sync
 * thread. QUAN_EFULL when its queue is full. */
int settle_post(struct settle *s, const struct sync_job *job);

/* Jobs out and not answered yet. */
int settle_inflight(const struct settle *s);
/* A copy of the status; refreshes the outbox depth from the store. */
void settle_status(struct settle *s, struct settle_status *out);

/* Forget jobs posted more than 5 minutes ago (their answer was dropped or
 * the thread stopped); their rows become due again. */
void settle_expire(struct settle *s, int64_t now);

/* The online step of a redeem (core/redeem.h), without waiting: post the
 * open rows of txn with SYNC_F_ONLINE (uses, and the returns the checkout
 * queued after its decision) and start awaiting their answers, for at
 * most wait_ms (0: send only). Replaces the txn awaited before. QUAN_E*
 * on a store error (nothing posted). */
int settle_txn_send(struct settle *s, int64_t txn_id, int wait_ms);
/* Is the txn sent last still awaited? Call after applying results and on
 * ticks. A merchant coupon WeChat confirmed whose stock (named by the
 * answer) is not cached has that stock fetched, with a grace of at most
 * 1 s past the deadline when the answer came late. Returns the ms left
 * (> 0) while some row has a job out and the deadline has not passed;
 * 0 once the wait is over (every row answered, WeChat known unreachable,
 * or the deadline passed; also when nothing is awaited). *answered /
 * *unanswered (may be NULL) count the txn's rows. Unanswered rows stay
 * sent and the sync thread goes on with the same request number. */
int settle_txn_wait(struct settle *s, int *answered, int *unanswered);

/* The exact JSON body of a USE (coupons/use) or RETURN (coupons/return)
 * row, compact, fixed key order; card rows get {"code","card_id"}.
 * *out is new (caller frees). QUAN_ETOOBIG past SYNC_BODY_MAX. */
struct store_outbox;
int settle_body(const struct config *cfg, const struct store_outbox *o,
    char **out);

#endif
