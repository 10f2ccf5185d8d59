/*
 * hubmsg.h — the plain-value messages between the core (redeem.c, main
 * thread) and the store hub's thread (app/hub/hub_thread.c): a claim of a
 * coupon code at the store's PostgreSQL hub, and its verdict. They travel
 * inside struct ev's opaque union (core/ev.h) like the sync messages, packed
 * with syncmsg_put (core/syncmsg.h): fixed arrays only, no pointers.
 */
#ifndef QUAN_HUBMSG_H
#define QUAN_HUBMSG_H

#include <stdint.h>

#include "core/ev.h"

#define HUB_CODE_MAX 136   /* a code (<= 128 bytes) and its NUL */
#define HUB_TERM_MAX 16
#define HUB_REQNO_MAX 40
#define HUB_MSG_MAX 160

/* What the hub said of a claim. */
enum hub_verdict {
	HUB_V_NONE = 0,
	HUB_V_CLAIMED,   /* the code is ours (new, re-claimed, or ours already) */
	HUB_V_TAKEN,     /* another lane's live claim holds it: holder named */
	HUB_V_DOWN       /* no answer: hub unreachable, locked, refused */
};

/* core -> hub thread: EV_HUB_JOB. */
struct hub_job {
	int64_t tag;                     /* the redemption row id */
	int64_t txn_id;
	char code[HUB_CODE_MAX];
	char kind[12];                   /* merchant | card */
	char terminal[HUB_TERM_MAX];
	char store_id[32];
	char request_no[HUB_REQNO_MAX];  /* the redemption's use key */
};

/* hub thread -> core: EV_HUB_DONE. */
struct hub_answer {
	int64_t tag;
	enum hub_verdict verdict;
	int32_t rc;                      /* QUAN_E* when DOWN */
	char terminal[HUB_TERM_MAX];     /* TAKEN: the holder's lane */
	char request_no[HUB_REQNO_MAX];
	int64_t claimed_at;              /* TAKEN: epoch s of its claim */
	char error[HUB_MSG_MAX];         /* DOWN: why (no secrets) */
};

_Static_assert(sizeof(struct hub_job) <= 1024, "hub_job > ev opaque");
_Static_assert(sizeof(struct hub_answer) <= 1024, "hub_answer > opaque");

#endif
