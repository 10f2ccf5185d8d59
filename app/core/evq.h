/*
 * evq.h — bounded thread-safe FIFO of struct ev values with a pollable wake
 * fd (redis bio.c / libuv async). Any thread may post; exactly one thread
 * reads. A wake is only a hint: the reader always drains everything.
 * Posting to a full queue returns QUAN_EFULL and never blocks.
 */
#ifndef QUAN_EVQ_H
#define QUAN_EVQ_H

#include <stddef.h>

#include "core/ev.h"

struct evq;

int evq_new(struct evq **out, size_t cap); /* cap > 0 */
void evq_free(struct evq *q);              /* NULL-safe; drops queued items */
/* Copy *ev in. Any thread. QUAN_EFULL when full, QUAN_ECLOSED after close. */
int evq_post(struct evq *q, const struct ev *ev);
/* Readable when items may be queued (eventfd). */
int evq_fd(const struct evq *q);
/* Take one item; returns 1 when *ev was filled, 0 when empty. Reader only. */
int evq_get(struct evq *q, struct ev *ev);
/* Block up to timeout_ms (-1 = forever) for an item. 1 got, 0 timed out. */
int evq_wait(struct evq *q, struct ev *ev, int timeout_ms);
size_t evq_len(struct evq *q);
/* After close, posts fail with QUAN_ECLOSED; queued items can still be read. */
void evq_close(struct evq *q);

#endif
