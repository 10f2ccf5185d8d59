/*
 * dedupe.h — "the same physical scan arrives twice" filter: a (source,
 * symbology, bytes) key seen again within a window is dropped. The clock is
 * passed in (monotonic microseconds), so tests control time. Not locked:
 * the owner serialises calls (scan.c holds its mutex).
 */
#ifndef QUAN_DEDUPE_H
#define QUAN_DEDUPE_H

#include <stddef.h>
#include <stdint.h>

struct dedupe;

/* A filter remembering up to `slots` recent keys (> 0). Never fails. */
struct dedupe *dedupe_new(size_t slots);
void dedupe_free(struct dedupe *d); /* NULL-safe */

/*
 * 1 when the key was seen within window_ms before now_us (a duplicate: drop
 * it; the window slides, so a code held in front of a camera stays one
 * scan), else 0 and the key is remembered. window_ms == 0 disables.
 */
int dedupe_seen(struct dedupe *d, const char *source, const char *symbology,
	const uint8_t *p, size_t n, uint64_t now_us, uint32_t window_ms);

#endif
