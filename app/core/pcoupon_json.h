/*
 * pcoupon_json.h — 商品券 definitions and user coupons from WeChat's JSON
 * (reference §4.0: ProductCouponEntity, StockEntity,
 * UserProductCouponEntity) into core/pcoupon.h's plain structs, checked:
 * each key the till needs is checked for type and range, and an error
 * names the key (*cause, caller frees). Unknown keys are ignored. Used by
 * `quan import product` (pcoupon_import.c); any reader of the outside
 * world may call it. Never aborts on hostile input (fuzz_pcoupon).
 */
#ifndef QUAN_PCOUPON_JSON_H
#define QUAN_PCOUPON_JSON_H

#include <stddef.h>
#include <stdint.h>

#include "core/pcoupon.h"

struct json_t; /* jansson */

/* A ProductCouponEntity (§4.0.1). QUAN_EINVAL with *cause. */
int pc_product_from_json(const struct json_t *o, struct pc_product *out,
    char **cause);
/* A StockEntity (§4.0.2), with quan's own optional key "stores" (array
 * of brand store ids: the batch's associated stores, which WeChat gives
 * by a separate call). p (may be NULL) is its product: the rule must be
 * of the product's type. */
int pc_stock_from_json(const struct json_t *o, const struct pc_product *p,
    struct pc_stock *out, char **cause);
/* A user coupon: a UserProductCouponEntity (coupon_code, coupon_state,
 * valid_*_time, receive_time, user_product_coupon_bundle_info, and the
 * ids from its product_coupon / stock objects), or the flat shape of a
 * SEND notification (product_coupon_id, stock_id at the top); openid and
 * appid at the top (required: the path of every call needs them). */
int pc_coupon_from_json(const struct json_t *o, struct pc_coupon *out,
    char **cause);

/* A whole import document: {"product_coupons":[…], "stocks":[…],
 * "coupons":[…]} (each optional, at least one present). Each stock's
 * product must be in the document or in `known` (NULL: any product_coupon
 * id is accepted, the rule's type is then not cross-checked). Errors name
 * the array, the record (1-based) and its id. */
struct pc_doc {
	struct pc_product *products;
	size_t nproducts;
	struct pc_stock *stocks;
	size_t nstocks;
	struct pc_coupon *coupons;
	size_t ncoupons;
};
typedef int (*pc_known_fn)(void *arg, const char *product_coupon_id,
    struct pc_product *out);   /* QUAN_OK when known */
int pc_doc_parse(const struct json_t *root, pc_known_fn known, void *arg,
    struct pc_doc *out, char **cause);
void pc_doc_free(struct pc_doc *d);

/* pc_doc_parse of a text (len bytes, at most 64 MiB): for the fuzzer and
 * tests; nothing is kept. */
int pc_parse_text(const char *text, size_t len, char **cause);

#endif
