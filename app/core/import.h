/*
 * import.h — loading the definitions cache and the known-codes cache from
 * files: stocks (JSON array of busifavor stock objects, §5.2 shape), cards
 * (JSON array of card objects, /card/get `card` shape, or whole replies)
 * and codes (CSV code,kind,stock_or_card_id[,openid,received_at]). Each
 * import is all-or-nothing and each error names the record (JSON: index
 * and id) or line (CSV). Stocks and cards: one store transaction. Codes
 * (millions): staged and published in bounded transactions (store.h), so
 * a redeem on the same data dir waits a moment instead of failing.
 * Main thread.
 */
#ifndef QUAN_IMPORT_H
#define QUAN_IMPORT_H

#include <stdint.h>
#include <stdio.h>

struct store;

#define IMPORT_FILE_MAX (64L * 1024 * 1024) /* JSON files */
#define IMPORT_LINE_MAX 1024                /* CSV line */
#define IMPORT_CACHE_KB 6000                /* page cache while importing */

/* Import a JSON array file. Every record is validated by the rules parser
 * before anything is written. *n = records imported. QUAN_EINVAL /
 * QUAN_ETOOBIG / QUAN_ENOTFOUND / store errors with *cause (caller
 * frees) naming file and record. */
int import_stocks(struct store *st, const char *path, int64_t now,
    int64_t *n, char **cause);
int import_cards(struct store *st, const char *path, int64_t now,
    int64_t *n, char **cause);
/* Import codes CSV from fp (name is used in messages). An optional header
 * line starting "code," is skipped; blank lines and lines starting '#'
 * too; blanks around a field are dropped. received_at is epoch seconds or
 * RFC 3339; empty = unknown. A line repeating a code counts once (the
 * last wins); a known code keeps its state (a used one is not made
 * issued again) and its openid/received_at when the file has none.
 * *n = codes stored (added or updated); *counts (may be NULL) says what
 * happened to each. Nothing is published unless the whole file is good;
 * QUAN_EBUSY while another import runs on the data dir. */
struct store_import_counts;
int import_codes(struct store *st, FILE *fp, const char *name, int64_t now,
    int64_t *n, struct store_import_counts *counts, char **cause);

/* The lists, for callers that pick one by name (product: 商品券
 * definitions and registry rows, core/pcoupon_import.h). */
enum import_list {
	IMPORT_STOCKS = 0, IMPORT_CARDS, IMPORT_CODES, IMPORT_PRODUCT
};
/* "stocks" | "cards" | "codes" | "product" -> 0 and *out; -1 for anything
 * else. */
int import_list_parse(const char *s, enum import_list *out);
/* Check a file as `quan import` would, into a scratch store of its own
 * (removed after): nothing is stored anywhere. *n = records it holds. 0,
 * or the importer's QUAN_E* with *cause (import_check.c). */
int import_check(enum import_list l, const char *path, int64_t *n,
    char **cause);

/* 1 when s (len bytes) is a code quan can store: 1..128 bytes of the
 * busifavor §5.8 set (0-9 a-z A-Z space - _ \ / = |). */
int import_code_ok(const char *s, size_t len);

#endif
