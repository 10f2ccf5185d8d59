/*
 * money.h — money is integer fen (int64_t), never floating point.
 * Parsing and printing of yuan amounts as cashiers and scripts write them.
 */
#ifndef QUAN_MONEY_H
#define QUAN_MONEY_H

#include <stddef.h>
#include <stdint.h>

#define MONEY_MAX_FEN ((int64_t)100000000000) /* ¥1,000,000,000.00 */

/* "12", "12.3", "12.34", "0.05" -> fen. Rejects signs, spaces, more than two
 * decimals, empty parts ("12.", ".5"), exponents and values over
 * MONEY_MAX_FEN: QUAN_EINVAL. */
int money_parse_yuan(const char *s, int64_t *fen);
/* fen -> "12.34" (negative as "-12.34"). Returns out. n >= 24 suffices. */
char *money_format(int64_t fen, char *out, size_t n);

#endif
