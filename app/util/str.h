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

/* 1 when s is NULL or "". */
int str_empty(const char *s);

/* Copy text that came from outside (a network header, a reply, a file)
 * into dst (n bytes) so it is safe in a log line, on a terminal and in a
 * JSON string: valid UTF-8 is kept, except control characters (C0, DEL,
 * C1), which become "\n" "\r" "\t" or "\xNN" as do bytes that are not
 * valid UTF-8 (stray, overlong, surrogate, above U+10FFFF). Stops at the
 * first NUL or after len bytes, truncates on a character boundary; dst is
 * always terminated when n > 0. Returns dst. Any thread. */
char *str_clean(char *dst, size_t n, const char *src, size_t len);

/* Length of the valid UTF-8 sequence at s (at most len bytes): 1-4, or 0
 * when s does not start one. */
size_t str_utf8_len(const unsigned char *s, size_t len);

/* 1 when s is what str_clean makes: valid UTF-8 without control
 * characters (C0, DEL, C1); else 0. */
int str_is_clean(const char *s);

#endif
