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

#endif
