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

struct pc_import_counts {
	int64_t products, stocks, coupons;
};

/* QUAN_EINVAL / QUAN_ETOOBIG / QUAN_ENOTFOUND / store errors with *cause
 * (caller frees) naming the file, the array, the record and the key. */
int import_product(struct store *st, const char *path, int64_t now,
    struct pc_import_counts *n, char **cause);

#endif
