/*
 * syncmsg.h — the plain-value messages between the core (settle.c, main
 * thread) and the sync thread (net/sync.c): a job to run one remote
 * operation, its result, and the sync thread's online/offline state. They
 * travel inside struct ev's opaque union (core/ev.h), so they hold fixed
 * arrays only, no pointers, and each fits in 1024 bytes.
 */
#ifndef QUAN_SYNCMSG_H
#define QUAN_SYNCMSG_H

#include <stdint.h>
#include <string.h>

#include "core/ev.h"
#include "core/paysm.h"

#define SYNC_CODE_MAX 128   /* coupon code (busifavor <= 32, card <= 20) */
#define SYNC_ID_MAX 64      /* stock id / card id */
#define SYNC_REQNO_MAX 64   /* idempotency key (<= 32 chars used) */
#define SYNC_OPENID_MAX 128
#define SYNC_BODY_MAX 448   /* the exact request body, stored by the core */
#define SYNC_WXCODE_MAX 48  /* "RESOURCE_ALREADY_EXISTS", "40099" ... */
#define SYNC_MSG_MAX 160    /* WeChat's message / transport error text */
#define SYNC_REASON_MAX 96  /* cashier-facing reason key */
#define SYNC_CHUNK_MAX 320  /* a slice of a refreshed definition's JSON */

/* The remote operations the sync thread runs. */
enum sync_op {
	SYNC_OP_NONE = 0,
	SYNC_OP_USE,          /* busifavor coupons/use (body stored) */
	SYNC_OP_RETURN,       /* busifavor coupons/return (body stored) */
	SYNC_OP_QUERY,        /* busifavor query one user coupon (openid) */
	SYNC_OP_CARD_CONSUME, /* card code/get check_consume, then consume */
	SYNC_OP_STOCK_GET,    /* refresh a stock definition */
	SYNC_OP_CARD_GET,     /* refresh a card definition */
	SYNC_OP_NOTICE,       /* callbacks -> main: a COUPON.SEND (below) */
	/* 付款码支付 (core/payment.h): one request each, never resent by the
	 * sync thread (SYNC_F_ONCE): the core's pay_machine decides what
	 * follows. code = out_trade_no (so one order's requests keep their
	 * order); the answer comes back in sync_result.pay. */
	SYNC_OP_PAY,          /* the charge: auth_code, amount_fen */
	SYNC_OP_PAY_QUERY,
	SYNC_OP_PAY_REVERSE,
	/* the sync thread's own: a cheap signed request while idle, so the
	 * online state stays true with nothing to send; never a result */
	SYNC_OP_PROBE,
	/* 商品券 product coupons (core/pcoupon.h; the executor is app/net's,
	 * in the mode of [product_coupon] mode = partner|brand). code =
	 * coupon_code, target = stock_id, request_no = out_request_no,
	 * openid = the holder; the rest in sync_job.pc. Retried by the sync
	 * thread like USE/RETURN, with the same out_request_no and the same
	 * body (built from these fields only: use_time is fixed in pc). */
	SYNC_OP_PC_USE,       /* POST …/users/{openid}/coupons/{code}/use */
	SYNC_OP_PC_RETURN,    /* POST …/users/{openid}/coupons/{code}/return */
	SYNC_OP_PC_QUERY,     /* GET …/users/{openid}/coupons/{code}?… */
	SYNC_OP_PC_NOTICE,    /* callbacks -> main: a PRODUCT_COUPON(_SP).SEND
				 (struct pc_notice, net/callbacks.h) */
	/* refunds (core/refund.h), sent once each like the payment ops:
	 * code = out_trade_no, request_no = out_refund_no (committed before
	 * the first request, the same on every retry), amount_fen = the
	 * refund, total_fen = the order's total; the answer comes back in
	 * sync_result.refund */
	SYNC_OP_REFUND,
	SYNC_OP_REFUND_QUERY,
	/* a card coupon of a sale paid at this till, at its redeem (doc
	 * §11, card doc §1.10): code/get with check_consume only — usable
	 * (can_consume, NORMAL, in its dates) and, when the code list names
	 * the holder (openid), held by that user. Nothing is consumed: tag
	 * = the held consume row, sent after the payment. Read-only, so
	 * retried freely; SYNC_OK usable, SYNC_REJECTED with the reason,
	 * SYNC_ALREADY consumed already. */
	SYNC_OP_CARD_CHECK
};

/* 1 for the three product coupon ops. */
static inline int
sync_op_is_pc(int op)
{
	return op == SYNC_OP_PC_USE || op == SYNC_OP_PC_RETURN ||
	    op == SYNC_OP_PC_QUERY;
}

/* A product coupon job's plain values (SYNC_OP_PC_*): everything the
 * request carries besides code/target/request_no/openid. Strings are ""
 * when absent (and then not sent). */
struct sync_pc {
	char product_coupon_id[33];
	char appid[33];
	char brand_id[33];          /* partner mode: sent in body/query */
	char store_id[33];          /* use: "" = not sent */
	int64_t use_time;           /* use: epoch, fixed when the row was
	                               made (the same on every retry) */
	/* use: associated_order_info — transaction_id (pay first), or
	 * out_trade_no + mchid (use first); never both empty */
	char transaction_id[33];
	char out_trade_no[33];
	char mchid[33];
	char sub_mchid[33];
	/* figures for the journal and the answer check (not sent unless
	 * the executor sends saved_amount): the sale's total, the discount
	 * this coupon gave, and what the payment code was charged */
	int64_t order_fen, discount_fen, paid_fen;
	int32_t bundle_index;       /* this code's round (0 single) */
};

/* 1 for the three payment ops. */
static inline int
sync_op_is_pay(int op)
{
	return op == SYNC_OP_PAY || op == SYNC_OP_PAY_QUERY ||
	    op == SYNC_OP_PAY_REVERSE;
}

/* 1 for the two refund ops. */
static inline int
sync_op_is_refund(int op)
{
	return op == SYNC_OP_REFUND || op == SYNC_OP_REFUND_QUERY;
}

/* What came of a job. The sync thread retries transient failures itself
 * (backoff with jitter) and reports SYNC_RETRY only when it gives up for
 * now; the row then stays to be resent with the same body later. */
enum sync_status {
	SYNC_OK = 0,      /* applied / answered (confirmed) */
	SYNC_REJECTED,    /* definite business rejection: wx_code + reason */
	SYNC_ALREADY,     /* used by a request: RESOURCE_ALREADY_EXISTS;
	                     card 40099 when no send of ours may have
	                     landed (the core decides: rejected, or a
	                     conflict when the till had granted it) */
	SYNC_RETRY,       /* outcome unknown / transient / bad reply: resend */
	SYNC_STOPPED      /* the thread stopped before an answer */
};

#define SYNC_F_ONLINE 0x1 /* a till is waiting: dispatch before backlog */
#define SYNC_F_ONCE 0x2   /* one send, whatever comes of it (payments) */

/* core -> sync: EV_SYNC_JOB. */
struct sync_job {
	int64_t tag;          /* outbox id, or the core's own tag (> 0) */
	enum sync_op op;
	uint32_t flags;       /* SYNC_F_* */
	int32_t attempts;     /* earlier sends of this request (store) */
	int32_t landed;       /* of those, the ones that may have reached
	                         WeChat (attempts - unreached; the sync
	                         thread adds its own tries that may have):
	                         0 = none of ours can have been applied */
	char code[SYNC_CODE_MAX];
	char target[SYNC_ID_MAX];     /* stock_id or card_id ("" unknown) */
	char request_no[SYNC_REQNO_MAX];
	char openid[SYNC_OPENID_MAX]; /* "" when not known */
	union {
		struct {
			uint32_t body_len;    /* bytes of body used (no NUL) */
			char body[SYNC_BODY_MAX]; /* exact JSON body for
						     USE/RETURN */
		};
		struct sync_pc pc;    /* SYNC_OP_PC_* */
	};
	/* SYNC_OP_PAY: the charge (code = out_trade_no). The payment code
	 * is a bearer instrument: never stored, never logged. */
	int64_t amount_fen;
	char auth_code[24];
	int64_t total_fen;    /* SYNC_OP_REFUND: the order's total */
};

/* A payment answer as it crosses the threads (a struct pay_answer cut to
 * fit: at most SYNC_PAY_VOUCHERS voucher lines; voucher_fen is the whole
 * deduction whatever their number, nv_all how many there were). */
#define SYNC_PAY_VOUCHERS 4
struct sync_pay_voucher {
	char id[32];
	char name[64];               /* cut on a UTF-8 boundary */
	int32_t type;                /* enum pay_voucher_type */
	int32_t single;
	int64_t amount_fen;
};
struct sync_pay {
	int32_t rc;                  /* pay_answer.rc */
	int32_t trusted;
	int32_t err;                 /* enum pay_err */
	int32_t trade;               /* enum pay_trade */
	int32_t recall;
	int32_t nv, nv_all;
	int64_t total_fen, payer_fen, voucher_fen, settlement_fen;
	char transaction_id[36];
	char out_trade_no[36];
	struct sync_pay_voucher v[SYNC_PAY_VOUCHERS];
};

/* A product coupon answer (UserProductCouponEntity, §4.0) as it crosses
 * the threads: status SYNC_OK for 200; SYNC_REJECTED with wx_code (the
 * `code` string) and message, and the numeric suffix of Request-ID in
 * wx_num (268578927, 272756745 …) for a definite refusal; SYNC_ALREADY
 * for 272756745 (used by another request: the core queries and compares
 * use_request_no); SYNC_RETRY otherwise. */
struct sync_pc_answer {
	int64_t wx_num;              /* Request-ID's numeric suffix, 0 none */
	char coupon_state[16];       /* "USED", "EFFECTIVE" … */
	char stock_id[33];
	char use_request_no[41];     /* single/progressive usage_detail */
	char return_request_no[41];
	char transaction_id[33];     /* associated_order_info */
	char out_trade_no[33];
	int64_t use_time, return_time, valid_begin, valid_end; /* epoch */
	int32_t bundle_index, bundle_total, bundle_used;
};

/* A refund answer as it crosses the threads. */
struct sync_refund {
	int32_t rc;                  /* pay_refund_answer.rc */
	int32_t trusted;
	int32_t err;                 /* enum pay_err */
	int32_t state;               /* enum pay_refund_state */
	int64_t refund_fen, payer_refund_fen, voucher_refund_fen; /* -1 */
	char out_refund_no[65];
	char refund_id[72];
};

/* sync -> core: EV_SYNC_DONE. For STOCK_GET / CARD_GET the definition's
 * JSON arrives in chunks (chunk_off/chunk_total); the last one has
 * chunk_off + chunk_len == chunk_total. */
struct sync_result {
	int64_t tag;
	enum sync_op op;
	enum sync_status status;
	int32_t rc;           /* QUAN_E* of the last attempt (0 ok) */
	int32_t http;         /* HTTP status of the last answer (0 none) */
	int32_t tries;        /* sends made by the sync thread for this job */
	int32_t reached;      /* of those, tries that may have reached WeChat
	                         (the executor sets 0/1 per try; the result
	                         carries the count): 0 = the job never left
	                         (no connection, no TLS, no token) */
	uint32_t latency_ms;  /* job received -> answered */
	int64_t remote_time;  /* wechatpay_use_time etc., epoch s (0 none) */
	char wx_code[SYNC_WXCODE_MAX];
	char message[SYNC_MSG_MAX];
	char reason[SYNC_REASON_MAX];   /* cashier reason key */
	union {
		struct {
			char stock_id[SYNC_ID_MAX]; /* use answer / query */
			char openid[SYNC_OPENID_MAX];
			char use_request_no[SYNC_REQNO_MAX]; /* QUERY */
			char coupon_state[24];  /* QUERY: SENDED, USED */
			uint32_t chunk_off, chunk_len, chunk_total;
			char chunk[SYNC_CHUNK_MAX];
		};
		struct sync_pay pay;    /* the SYNC_OP_PAY* ops */
		struct sync_pc_answer pcr; /* the SYNC_OP_PC_* ops */
		struct sync_refund refund; /* the SYNC_OP_REFUND* ops */
	};
};

/* sync -> core: EV_SYNC_STATE, on every change and every few seconds. */
struct sync_state {
	int online;           /* 1 last call reached WeChat, 0 not */
	uint32_t inflight;    /* jobs held by the thread (queued + sending) */
	uint64_t sent, ok, failed;
	int64_t last_ok;      /* epoch s of the last answer (0 never) */
	int64_t last_err_at;  /* epoch s of the last error (0 never) */
	int32_t last_rc;      /* QUAN_E* of the last error (QUAN_ETLS: the
	                         TLS state, a code, not the words) */
	char last_error[SYNC_MSG_MAX];
};

/* callback receiver -> main thread: EV_SYNC_DONE whose first two fields
 * (tag 0, op SYNC_OP_NOTICE) tell it from a sync_result. A verified and
 * decrypted COUPON.SEND notification. */
struct sync_notice {
	int64_t tag;                  /* 0 */
	enum sync_op op;              /* SYNC_OP_NOTICE */
	char id[64];                  /* notification id (dedupe key) */
	char code[SYNC_CODE_MAX];
	char stock_id[SYNC_ID_MAX];
	char openid[SYNC_OPENID_MAX]; /* "" when WeChat sent none */
	int64_t send_time;            /* epoch s (0 unknown) */
};

_Static_assert(sizeof(struct sync_notice) <= 1024, "notice > opaque");
_Static_assert(sizeof(struct sync_job) <= 1024, "sync_job > ev opaque");
_Static_assert(sizeof(struct sync_result) <= 1024, "sync_result > opaque");
_Static_assert(sizeof(struct sync_state) <= 1024, "sync_state > opaque");

/* Pack / unpack a message into / out of an event. The copy is a value copy
 * (memcpy into the opaque bytes): no pointers cross threads. */
static inline void
syncmsg_put(struct ev *ev, enum ev_type type, const void *msg, size_t n)
{
	memset(ev, 0, offsetof(struct ev, u));
	ev->type = type;
	memcpy(ev->u.opaque, msg, n);
}

static inline void
syncmsg_get(const struct ev *ev, void *msg, size_t n)
{
	memcpy(msg, ev->u.opaque, n);
}

#endif
