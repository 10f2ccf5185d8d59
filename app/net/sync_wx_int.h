/*
 * sync_wx_int.h — the reply → sync result mappings of sync_wx.c, the ones
 * production runs, lent to the net layer's tests (tests/net/
 * test_sync_wx.c). Private to app/net. Pure; any thread.
 */
#ifndef QUAN_SYNC_WX_INT_H
#define QUAN_SYNC_WX_INT_H

#include <stdint.h>

#include "net/card.h"
#include "net/pay.h"
#include "net/sync.h"
#include "net/wxpay.h"

/* An APIv3 answer (wxpay_classify) → status, rc and cashier reason, with
 * WeChat's words cleaned. first_send: no earlier send of this request
 * (RESOURCE_ALREADY_EXISTS is then somebody else's use: SYNC_REJECTED;
 * after an earlier send it may be ours: SYNC_ALREADY, the caller asks). */
void sync_wx_from_wxpay(const struct wxpay_result *r, int first_send,
    struct sync_result *res);

/* The common part: transport fields, words (cleaned) and status of an
 * APIv3 answer of class c (already: WXPAY_ALREADY is SYNC_ALREADY, else
 * SYNC_REJECTED). Shared with the 商品券 mapping. */
void sync_wx_status(const struct wxpay_result *r, enum wxpay_class c,
    const char *reason, int already, struct sync_result *res);

/* A card API answer (card_classify at now) → status, rc and reason.
 * A code consumed (40099, or code/get's CONSUMED) is ours (SYNC_OK) when
 * landed > 0 — a send of ours may have reached WeChat before — else
 * someone else's (SYNC_ALREADY). */
void sync_wx_from_card(const struct card_result *r, int landed, int64_t now,
    struct sync_result *res);

/* A payment answer → the result that carries it to the core (vouchers cut
 * to SYNC_PAY_VOUCHERS, words cleaned); status OK when an answer came
 * (trusted or not: the core's machine judges), RETRY when none did. */
void sync_wx_from_pay(const struct pay_answer *a, struct sync_result *res);

/* ---- 商品券 jobs (sync_wx_pc.c) -------------------------------------- */
struct config;
struct pcoupon;
struct pcoupon_ctx;
struct pc_result;
/* The product-coupon context of [product_coupon] (main thread): NULL with
 * *cause "not configured" (QUAN_OK) when mode is off, NULL with *cause
 * and the error when its keys are refused. */
int sync_wx_pc_ctx(const struct config *cfg, struct pcoupon_ctx **out,
    char **cause);
/* The body of a PC_USE / PC_RETURN job, from its fields only (new), or
 * NULL with *cause. Partner mode adds brand_id (the job's, else the
 * configured one). Pure. */
char *sync_wx_pc_body(const struct sync_job *job,
    const struct pcoupon_ctx *c, char **cause);
/* A product-coupon answer → status, rc, reason and res->pcr: 2xx SYNC_OK;
 * 272756745 on use SYNC_ALREADY; other business refusals SYNC_REJECTED
 * (wx_num = the Request-ID number); configuration (NO_AUTH, appid,
 * SIGN_ERROR, 268578927) SYNC_RETRY + QUAN_ECONFIG; 5xx, 429, locked,
 * no or an untrusted answer SYNC_RETRY. Pure. */
void sync_wx_from_pc(const struct pc_result *r, enum sync_op op,
    struct sync_result *res);
/* Run one PC job on a worker's client p (NULL: why_not says why). */
void sync_wx_run_pc(struct pcoupon *p, const struct pcoupon_ctx *c,
    const char *why_not, const struct sync_job *job,
    struct sync_result *res);

#endif
