/*
 * str.h — small string helpers shared by every layer. Plain libc; no
 * allocation.
 */
#ifndef QUAN_STR_H
#define QUAN_STR_H

#include <stddef.h>

/* Copy src into dst (n bytes), truncating; dst is always terminated when
 * n > 0 (n == 0 writes nothing). Used instead of snprintf("%s"), which
 * trips -Wformat-truncation. Borrows both; any thread. */
void str_copy(char *dst, size_t n, const char *src);

#endif
