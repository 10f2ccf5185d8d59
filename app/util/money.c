/* money.c — yuan <-> fen, exact. */
#include <stdio.h>

#include "util/err.h"
#include "util/money.h"

int
money_parse_yuan(const char *s, int64_t *fen)
{
	int64_t yuan = 0, frac = 0;
	int digits = 0, fdigits = 0;
	const char *p = s;

	if (s == NULL)
		return QUAN_EINVAL;
	for (; *p >= '0' && *p <= '9'; p++, digits++) {
		if (yuan > MONEY_MAX_FEN / 100)
			return QUAN_EINVAL;
		yuan = yuan * 10 + (*p - '0');
	}
	if (digits == 0)
		return QUAN_EINVAL;
	if (*p == '.') {
		for (p++; *p >= '0' && *p <= '9'; p++, fdigits++) {
			if (fdigits == 2)
				return QUAN_EINVAL;
			frac = frac * 10 + (*p - '0');
		}
		if (fdigits == 0)
			return QUAN_EINVAL;
		if (fdigits == 1)
			frac *= 10;
	}
	if (*p != '\0')
		return QUAN_EINVAL;
	if (yuan > MONEY_MAX_FEN / 100 || yuan * 100 + frac > MONEY_MAX_FEN)
		return QUAN_EINVAL;
	*fen = yuan * 100 + frac;
	return QUAN_OK;
}

char *
money_format(int64_t fen, char *out, size_t n)
{
	uint64_t a = fen < 0 ? (uint64_t)0 - (uint64_t)fen : (uint64_t)fen;

	snprintf(out, n, "%s%llu.%02llu", fen < 0 ? "-" : "",
		(unsigned long long)(a / 100), (unsigned long long)(a % 100));
	return out;
}
