/* evq.c — ring buffer + one mutex + eventfd. The fd stays readable while
 * items are queued; the reader clears it when it takes the last one. */
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "core/evq.h"
#include "util/err.h"
#include "util/xmem.h"

struct evq {
	pthread_mutex_t mu; /* guards everything below except fd */
	struct ev *ring;
	size_t cap, head, len;
	int closed;
	int fd;             /* eventfd, non-blocking, close-on-exec */
};

int
evq_new(struct evq **out, size_t cap)
{
	struct evq *q;

	if (cap == 0)
		return QUAN_EINVAL;
	q = xcalloc(1, sizeof *q);
	q->fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (q->fd < 0) {
		free(q);
		return QUAN_EIO;
	}
	q->ring = xcalloc(cap, sizeof *q->ring);
	q->cap = cap;
	pthread_mutex_init(&q->mu, NULL);
	*out = q;
	return QUAN_OK;
}

void
evq_free(struct evq *q)
{
	if (q == NULL)
		return;
	close(q->fd);
	pthread_mutex_destroy(&q->mu);
	free(q->ring);
	free(q);
}

int
evq_post(struct evq *q, const struct ev *ev)
{
	uint64_t one = 1;
	int rc = QUAN_OK;

	pthread_mutex_lock(&q->mu);
	if (q->closed)
		rc = QUAN_ECLOSED;
	else if (q->len == q->cap)
		rc = QUAN_EFULL;
	else {
		q->ring[(q->head + q->len) % q->cap] = *ev;
		q->len++;
	}
	pthread_mutex_unlock(&q->mu);
	if (rc == QUAN_OK) {
		/* EAGAIN means the counter is saturated: still readable. */
		while (write(q->fd, &one, sizeof one) < 0 && errno == EINTR)
			;
	}
	return rc;
}

int
evq_fd(const struct evq *q)
{
	return q->fd;
}

int
evq_get(struct evq *q, struct ev *ev)
{
	uint64_t v;
	int got = 0;

	pthread_mutex_lock(&q->mu);
	if (q->len > 0) {
		*ev = q->ring[q->head];
		q->head = (q->head + 1) % q->cap;
		q->len--;
		got = 1;
	}
	/* Empty now: clear the wake. A post racing with us writes the fd
	 * after its item is in, so it can only cause a spurious wake. */
	if (q->len == 0)
		while (read(q->fd, &v, sizeof v) < 0 && errno == EINTR)
			;
	pthread_mutex_unlock(&q->mu);
	return got;
}

int
evq_wait(struct evq *q, struct ev *ev, int timeout_ms)
{
	struct pollfd pfd = {.fd = q->fd, .events = POLLIN};

	if (evq_get(q, ev))
		return 1;
	if (poll(&pfd, 1, timeout_ms) <= 0)
		return 0;
	return evq_get(q, ev);
}

size_t
evq_len(struct evq *q)
{
	size_t n;

	pthread_mutex_lock(&q->mu);
	n = q->len;
	pthread_mutex_unlock(&q->mu);
	return n;
}

void
evq_close(struct evq *q)
{
	uint64_t one = 1;

	pthread_mutex_lock(&q->mu);
	q->closed = 1;
	pthread_mutex_unlock(&q->mu);
	while (write(q->fd, &one, sizeof one) < 0 && errno == EINTR)
		;
}
