/*
 * wxbody.h — the bodies of the WeChat coupon calls quan makes, built in
 * one place. A body is built once, committed with its idempotency key
 * (the outbox row) before any network call, and resent byte for byte on
 * every retry: nothing here may change the bytes of a body already
 * stored. Compact JSON, fields in WeChat's documented order, non-ASCII
 * escaped (\uXXXX). Each returns a new string (caller frees), or NULL
 * for a string that is not UTF-8 or an argument named below. Any thread.
 */
#ifndef QUAN_CORE_WXBODY_H
#define QUAN_CORE_WXBODY_H

#include <stdint.h>

/* POST /v3/marketing/busifavor/coupons/use: {"coupon_code", "stock_id"
 * (when not empty: a WECHATPAY_MODE code whose stock is unknown is found
 * by its code, busifavor §5.5), "appid", "use_time" (RFC 3339 with the
 * store's offset), "use_request_no", "openid" (when not empty)}. NULL
 * for an empty coupon_code or use_time <= 0. */
char *wxbody_use(const char *coupon_code, const char *stock_id,
    const char *appid, int64_t use_time, const char *use_request_no,
    const char *openid);

/* POST /v3/marketing/busifavor/coupons/return: {"coupon_code",
 * "stock_id", "return_request_no"}. stock_id is sent even when empty (a
 * return WeChat refuses is closed as such, never held back). NULL for an
 * empty coupon_code. */
char *wxbody_return(const char *coupon_code, const char *stock_id,
    const char *return_request_no);

/* POST /v3/marketing/busifavor/coupons/deactivate: {"coupon_code",
 * "stock_id", "deactivate_request_no", "deactivate_reason" (when not
 * empty)}. NULL unless code (<= 128), stock_id (<= 64) and request number
 * (<= 128) are given, or for a reason over 192 bytes. */
char *wxbody_deactivate(const char *coupon_code, const char *stock_id,
    const char *deactivate_request_no, const char *reason);

/* POST /card/code/consume (member cards): {"code", "card_id" (when not
 * empty)}. NULL for an empty code. */
char *wxbody_consume(const char *code, const char *card_id);

#endif
