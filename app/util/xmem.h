/*
 * xmem.h — allocation that cannot fail. quan is a supervised appliance whose
 * durable state lives in SQLite, so running out of memory logs and aborts
 * (tmux/htop style); restart is the recovery. Sizes that come from outside
 * (HTTP bodies, scans, files) must be capped before they get here: see buf.h.
 */
#ifndef QUAN_XMEM_H
#define QUAN_XMEM_H

#include <stddef.h>

void *xmalloc(size_t n);                 /* n > 0 */
void *xcalloc(size_t nmemb, size_t n);   /* nmemb * n > 0, overflow-checked */
void *xrealloc(void *p, size_t n);       /* n > 0 */
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);
/* printf into a new string the caller frees. */
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
