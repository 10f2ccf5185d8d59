/* buf.c — capped growable buffer. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/buf.h"
#include "util/err.h"
#include "util/xmem.h"

void
buf_init(struct buf *b, size_t max)
{
	b->b = NULL;
	b->len = 0;
	b->cap = 0;
	b->max = max;
}

void
buf_free(struct buf *b)
{
	if (b == NULL)
		return;
	free(b->b);
	b->b = NULL;
	b->len = b->cap = 0;
}

void
buf_reset(struct buf *b)
{
	b->len = 0;
	if (b->b != NULL)
		b->b[0] = '\0';
}

int
buf_add(struct buf *b, const void *p, size_t n)
{
	size_t need;

	if (n > b->max || b->len > b->max - n)
		return QUAN_ETOOBIG;
	need = b->len + n + 1;
	if (need > b->cap) {
		size_t cap = b->cap ? b->cap : 64;

		while (cap < need)
			cap *= 2;
		b->b = xrealloc(b->b, cap);
		b->cap = cap;
	}
	if (n > 0)
		memcpy(b->b + b->len, p, n);
	b->len += n;
	b->b[b->len] = '\0';
	return QUAN_OK;
}

int
buf_adds(struct buf *b, const char *s)
{
	return buf_add(b, s, strlen(s));
}

int
buf_printf(struct buf *b, const char *fmt, ...)
{
	va_list ap;
	char small[256], *p = small;
	int n, rc;

	va_start(ap, fmt);
	n = vsnprintf(small, sizeof small, fmt, ap);
	va_end(ap);
	if (n < 0)
		return QUAN_EINVAL;
	if ((size_t)n >= sizeof small) {
		p = xmalloc((size_t)n + 1);
		va_start(ap, fmt);
		vsnprintf(p, (size_t)n + 1, fmt, ap);
		va_end(ap);
	}
	rc = buf_add(b, p, (size_t)n);
	if (p != small)
		free(p);
	return rc;
}

const char *
buf_str(const struct buf *b)
{
	return b->b != NULL ? b->b : "";
}

char *
buf_take(struct buf *b)
{
	char *p = b->b != NULL ? b->b : xstrdup("");

	b->b = NULL;
	b->len = b->cap = 0;
	return p;
}
