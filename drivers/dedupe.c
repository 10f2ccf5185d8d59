/* dedupe.c — sliding-window duplicate filter over a small ring of hashes. */
#include <stdlib.h>
#include <string.h>

#include "drivers/dedupe.h"
#include "util/xmem.h"

struct slot {
	uint64_t h;
	uint64_t last_us;
	int used;
};

struct dedupe {
	struct slot *s;
	size_t n;
	size_t next;
};

struct dedupe *
dedupe_new(size_t slots)
{
	struct dedupe *d = xcalloc(1, sizeof *d);

	d->n = slots > 0 ? slots : 1;
	d->s = xcalloc(d->n, sizeof *d->s);
	return d;
}

void
dedupe_free(struct dedupe *d)
{
	if (d == NULL)
		return;
	free(d->s);
	free(d);
}

static uint64_t
fnv(uint64_t h, const void *p, size_t n)
{
	const uint8_t *b = p;
	size_t i;

	for (i = 0; i < n; i++) {
		h ^= b[i];
		h *= 1099511628211ULL;
	}
	return h;
}

int
dedupe_seen(struct dedupe *d, const char *source, const char *sym,
	const uint8_t *p, size_t n, uint64_t now_us, uint32_t window_ms)
{
	uint64_t h = 14695981039346656037ULL;
	size_t i;

	if (window_ms == 0)
		return 0;
	h = fnv(h, source, strlen(source) + 1);
	h = fnv(h, sym, strlen(sym) + 1);
	h = fnv(h, p, n);
	for (i = 0; i < d->n; i++) {
		struct slot *s = &d->s[i];

		if (!s->used || s->h != h)
			continue;
		if (now_us >= s->last_us &&
		    now_us - s->last_us < (uint64_t)window_ms * 1000) {
			s->last_us = now_us;
			return 1;
		}
		s->last_us = now_us;
		return 0;
	}
	d->s[d->next].h = h;
	d->s[d->next].last_us = now_us;
	d->s[d->next].used = 1;
	d->next = (d->next + 1) % d->n;
	return 0;
}
