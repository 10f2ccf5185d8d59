/*
 * buf.h — a growable byte buffer with a hard cap (curl's dynbuf). Anything
 * sized by outside data goes here, so a hostile peer gets QUAN_ETOOBIG, not
 * a huge allocation. The content is always NUL-terminated for convenience.
 * Fields are module use only; read them through the accessors.
 */
#ifndef QUAN_BUF_H
#define QUAN_BUF_H

#include <stddef.h>

struct buf {
	char *b;    /* data, NUL-terminated; NULL while empty */
	size_t len; /* bytes used, NUL excluded */
	size_t cap; /* bytes allocated */
	size_t max; /* hard cap on len */
};

void buf_init(struct buf *b, size_t max);
void buf_free(struct buf *b); /* NULL-safe; leaves an empty buffer */
void buf_reset(struct buf *b);
/* Append; QUAN_ETOOBIG (buffer unchanged) when len would pass max. */
int buf_add(struct buf *b, const void *p, size_t n);
int buf_adds(struct buf *b, const char *s);
int buf_printf(struct buf *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* The content ("" when empty); valid until the next change. */
const char *buf_str(const struct buf *b);
/* Hand the content to the caller (free() it); the buffer becomes empty. */
char *buf_take(struct buf *b);

#endif
