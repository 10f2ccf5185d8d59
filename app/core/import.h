/*
 * import.h — loading the definitions cache and the known-codes cache from
 * files: stocks (JSON array of busifavor stock objects, §5.2 shape), cards
 * (JSON array of card objects, /card/get `card` shape, or whole replies)
 * and codes (CSV code,kind,stock_or_card_id[,openid,received_at]). Each
 * import is all-or-nothing (one store transaction) and each error names the
 * record (JSON: index and id) or line (CSV). Main thread.
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
 * too. received_at is epoch seconds or RFC 3339; empty = unknown. */
int import_codes(struct store *st, FILE *fp, const char *name, int64_t now,
    int64_t *n, char **cause);

/* 1 when s (len bytes) is a code quan can store: 1..128 bytes of the
 * busifavor §5.8 set (0-9 a-z A-Z space - _ \ / = |). */
int import_code_ok(const char *s, size_t len);

#endif
