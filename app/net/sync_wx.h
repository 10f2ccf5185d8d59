/*
 * sync_wx.h — the sync thread's real executor: runs each job against the
 * WeChat Pay APIv3 client (merchant coupons) and the card API client, one
 * client pair per worker thread, and turns their answers into sync results
 * with cashier reasons.
 */
#ifndef QUAN_SYNC_WX_H
#define QUAN_SYNC_WX_H

#include "net/sync.h"

struct config;
struct sync_wx;

/* Load keys and shared client state from the configuration (main thread).
 * Borrows cfg for its life. A section that is not configured (no mchid, or
 * no card appid/token_url) makes jobs of that kind answer SYNC_RETRY with
 * a config error instead of failing here. 0 or QUAN_E* with *cause. */
int sync_wx_new(const struct config *cfg, struct sync_wx **out,
    char **cause);
void sync_wx_free(struct sync_wx *x); /* NULL-safe, after sync_stop */

/* A configured client that could not be built (a refused key file, a bad
 * key or certificate, ...): QUAN_ECONFIG with *cause = "wechatpay: why"
 * and/or "card: why" (caller frees); 0 when every configured client is
 * ready (a section not configured is not an error). Main thread. */
int sync_wx_config_error(const struct sync_wx *x, char **cause);

/* The executor ops; their arg is the struct sync_wx. */
extern const struct sync_exec_ops sync_wx_ops;

/* The shared WeChat Pay context (for `quan callbacks`), or NULL when the
 * [wechatpay] section is not configured. Borrowed. */
struct wxpay_ctx *sync_wx_wxpay(struct sync_wx *x);
/* The shared 商品券 context (callbacks, back office), or NULL when
 * [product_coupon] is not configured (or its keys were refused). */
struct pcoupon_ctx *sync_wx_pcoupon(struct sync_wx *x);

#endif
