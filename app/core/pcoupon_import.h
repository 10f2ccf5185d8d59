/*
 * pcoupon_import.h — `quan import product FILE`: 商品券 definitions and
 * registry rows from one JSON document (format: app/core/RULES.md
 * "商品券 import"), checked whole before anything is written, then
 * written in one store transaction: all or nothing. Main thread.
 */
#ifndef QUAN_PCOUPON_IMPORT_H
#define QUAN_PCOUPON_IMPORT_H

#include <stdint.h>

struct store;
struct pc_coupon;

struct pc_import_counts {
	int64_t products, stocks, coupons;
};

/* QUAN_EINVAL / QUAN_ETOOBIG / QUAN_ENOTFOUND / store errors with *cause
 * (caller frees) naming the file, the array, the record and the key. */
int import_product(struct store *st, const char *path, int64_t now,
    struct pc_import_counts *n, char **cause);

/* The same document from memory (len bytes; name is used in messages).
 * PC_IMPORT_FORWARD: what another lane learnt (the store hub) — each
 * coupon's state only moves forward in the lifecycle and the row is
 * marked PC_SRC_HUB; without it a coupon's state is taken as given (a
 * file states what the back office knows now). */
#define PC_IMPORT_FORWARD 1
int import_product_text(struct store *st, const char *text, size_t len,
    const char *name, int64_t now, int flags, struct pc_import_counts *n,
    char **cause);

/* n registry rows as an import document {"coupons":[…]} (the format
 * import_product reads; app/core/RULES.md): the ids, openid, appid,
 * state, validity, receive time, bundle round and the send/confirm
 * request numbers. Caller frees; NULL only when out of memory. */
char *pc_coupons_export(const struct pc_coupon *c, size_t n);

#endif
