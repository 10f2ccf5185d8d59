/* xmem.c — abort-on-failure allocators (see xmem.h for why). */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/xmem.h"

static void
oom(const char *what, size_t n)
{
	fprintf(stderr, "quan: fatal: %s(%zu): out of memory\n", what, n);
	abort();
}

void *
xmalloc(size_t n)
{
	void *p;

	if (n == 0)
		oom("xmalloc zero", n);
	if ((p = malloc(n)) == NULL)
		oom("xmalloc", n);
	return p;
}

void *
xcalloc(size_t nmemb, size_t n)
{
	void *p;

	if (nmemb == 0 || n == 0 || nmemb > SIZE_MAX / n)
		oom("xcalloc bad size", n);
	if ((p = calloc(nmemb, n)) == NULL)
		oom("xcalloc", nmemb * n);
	return p;
}

void *
xrealloc(void *old, size_t n)
{
	void *p;

	if (n == 0)
		oom("xrealloc zero", n);
	if ((p = realloc(old, n)) == NULL)
		oom("xrealloc", n);
	return p;
}

char *
xstrdup(const char *s)
{
	return xstrndup(s, strlen(s));
}

char *
xstrndup(const char *s, size_t n)
{
	size_t len = strnlen(s, n);
	char *p = xmalloc(len + 1);

	memcpy(p, s, len);
	p[len] = '\0';
	return p;
}

char *
xasprintf(const char *fmt, ...)
{
	va_list ap;
	int n;
	char *p;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0)
		oom("xasprintf format", 0);
	p = xmalloc((size_t)n + 1);
	va_start(ap, fmt);
	vsnprintf(p, (size_t)n + 1, fmt, ap);
	va_end(ap);
	return p;
}
