/*
 * settle_int.h — the settle handle and what its files share; private to
 * app/core. Settling is cut by subject:
 *
 * settle.c        the handle, jobs out, the pump (outbox rows to sync
 *                 jobs), the online step of one sale
 * settle_apply.c  sync results to redemption states, the net state
 */
#ifndef QUAN_CORE_SETTLE_INT_H
#define QUAN_CORE_SETTLE_INT_H

#include <stddef.h>
#include <stdint.h>

#include "core/settle.h"
#include "core/syncmsg.h"
#include "store/store.h"

#define REFRESH_TAG_BASE (INT64_C(1) << 62)
#define DEF_MAX (1024 * 1024)
#define SETTLE_FORGET_S 300

/* A job out at the sync thread. */
struct out {
	int64_t tag;
	enum sync_op op;
	int64_t since;        /* epoch s posted */
};

/* A definition being refreshed (kind + id, JSON gathered from chunks). */
struct refresh {
	int64_t tag;
	int card;             /* 0 stock, 1 card */
	char id[SYNC_ID_MAX];
	int64_t last_try;     /* epoch s */
	char *json;           /* chunks land here */
	uint32_t total, have;
	int out;              /* a job is out */
	uint64_t asked_ms;    /* monotonic ms of the last fetch an online
	                         step asked for (0 never) */
};

/* once mode: rounds a row has had in this run */
struct tried {
	int64_t tag;
	int n;
};

struct settle {
	struct tried *tried;
	int ntried, captried, nexhausted;
	struct store *st;
	const struct config *cfg;
	struct settle_opts o;
	struct evq *to_sync;
	struct out *outs;
	int nouts, capouts;
	struct refresh *refs;
	int nrefs;
	int probe;            /* 1: pick a definition to probe with */
	int probe_ref;        /* refs index refreshed whatever its age, -1 */
	uint32_t rng;
	struct settle_status stat;
	int saved_net;        /* enum settle_net last kept in meta, -1 */
	uint64_t applied;     /* results applied since start */
	struct txn_wait {     /* the txn settle_txn_send sent, awaited */
		int active;
		int64_t ids[64];  /* its outbox rows */
		int n;
		uint64_t since, end, def_end;  /* monotonic ms */
		uint64_t applied; /* s->applied when sent */
	} w;
	settle_pay_fn pay_fn; /* payment answers go there (core/payment.c) */
	void *pay_arg;
	settle_pay_fn pc_fn;  /* 商品券 answers (core/pcoupon_sale.c) */
	void *pc_arg;
	settle_pay_fn refund_fn; /* refund answers (core/refund.c) */
	void *refund_arg;
};

/* settle.c */
uint32_t settle_rnd(struct settle *s);
struct tried *settle_tried_get(struct settle *s, int64_t tag, int add);
void settle_out_del(struct settle *s, int64_t tag);
int settle_room_for(struct settle *s);
void settle_post_job(struct settle *s, const struct sync_job *j, int64_t now);

#endif
