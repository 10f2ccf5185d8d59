/*
 * frames.h — the camera frame pipeline, also fed from files in tests: a
 * decoder (dec.h) plus what a live video stream needs on top. A frame is
 * looked at in a cascade that stops at the first read: the centre quarter
 * at half scale (1/16 of the work), the whole frame at half scale (a code
 * held up to a camera has modules that survive it; these two look for
 * inverted, dark-mode codes on every other frame), then full resolution
 * while the frame budget lasts (720p and larger: only the centre crop),
 * skipped on up to two frames in a row when it would not fit the budget.
 * EAN/UPC reads must repeat in a second frame within 500 ms before they
 * count (weak 1-D checks misread; QR and Code 128 carry strong checks and
 * count at once). Repeats of the
 * same code while it stays in view are left to the dedupe window of
 * drv_emit. One pipeline per thread.
 */
#ifndef QUAN_FRAMES_H
#define QUAN_FRAMES_H

#include <stddef.h>
#include <stdint.h>

#include "drivers/dec.h"

#define FRAMES_CONFIRM_US 500000ULL

struct frames;

typedef void (*frames_emit_fn)(void *ctx, const struct dec_result *r,
	uint64_t t_us);

/* QUAN_EINVAL with *cause for bad symbology names (dec_new). */
int frames_new(struct frames **out, const char *syms, int budget_ms,
	char **cause);
void frames_free(struct frames *f); /* NULL-safe */

/* Decode one frame taken at t_us (monotonic); confirmed results go to
 * emit. Returns how many were emitted. */
size_t frames_feed(struct frames *f, const uint8_t *px, int w, int h,
	uint64_t t_us, frames_emit_fn emit, void *ctx);

const struct dec_stats *frames_stats(const struct frames *f);

#endif
