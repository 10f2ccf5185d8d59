/*
 * dec.h — the frame decoder shared by camera and image sources: ZBar with
 * binary QR, only the symbologies a till needs, no ZBar cache, then cheap
 * preprocessing passes (inversion, contrast stretch, half scale, adaptive
 * threshold, 2x upscale, rotations) while a time budget lasts. The scanner
 * object is recreated every DEC_RECREATE scans (ZBar 0.23.92 leaks on QR).
 * One decoder per thread; not locked.
 */
#ifndef QUAN_DEC_H
#define QUAN_DEC_H

#include <stddef.h>
#include <stdint.h>

#include "core/ev.h"

struct dec;

#define DEC_RECREATE 10000
#define DEC_MAX_RESULTS 8
#define DEC_CREDIT 4      /* camera: frame budgets that can be saved up */

struct dec_result {
	char symbology[16];      /* ZBar's name: "QR-Code", "CODE-128" ... */
	uint8_t data[EV_CODE_MAX];
	size_t len;              /* longer results are dropped */
	int gs1;
	uint32_t flags;          /* SCAN_F_INVERTED, SCAN_F_PREPROC */
	const char *pass;        /* which pass read it (static) */
};

struct dec_stats {
	uint64_t scans;          /* zbar_scan_image calls, all passes */
	uint64_t recreated;      /* scanner re-creations */
	int last_passes;         /* passes run for the last frame */
	uint64_t plain_us;       /* CPU time of the last frame's plain scan */
};

/* A decoder for the symbologies in syms (NULL = "qr,code128,ean13,ean8";
 * names: qr code128 ean13 ean8 upca upce databar databar-exp code39
 * code93 i25 codabar). QUAN_EINVAL with *cause for an unknown name. */
int dec_new(struct dec **out, const char *syms, char **cause);
void dec_free(struct dec *d); /* NULL-safe */

/*
 * Decode one w x h luma frame (stride w; borrowed). The plain pass always
 * runs and is all when budget_ms < 0; the inverted one too when budget_ms
 * is 0; else the preprocessing passes run while budget_ms lasts (one
 * starts only when its usual cost fits what is left; the first always
 * runs). Stops at the first pass that reads anything. Returns the number
 * of results written to out (at most max).
 */
size_t dec_frame(struct dec *d, const uint8_t *px, int w, int h,
	int budget_ms, struct dec_result *out, size_t max);

const struct dec_stats *dec_stats(const struct dec *d);

/* CPU time of the calling thread (us): the clock of every budget here. A
 * budget is work, not wall time: on a till the decoder has its core; on a
 * shared machine it then still gets through its passes, only later. */
uint64_t dec_cpu_us(void);

/* Camera mode: a frame's preprocessing passes start where the previous
 * frame's stopped (the budget cuts them), so a code held in view for a few
 * frames gets all of them at full frame rate. Off: every frame starts at
 * the first pass (still images, tests). */
void dec_set_resume(struct dec *d, int on);

#endif
