/* str.c — bounded string copy (see str.h). */
#include <string.h>

#include "util/str.h"

void
str_copy(char *dst, size_t n, const char *src)
{
	size_t l;

	if (n == 0)
		return;
	l = strnlen(src, n - 1);
	memcpy(dst, src, l);
	dst[l] = '\0';
}
