/*
 * scan.h — quan's scanner layer: every source (camera, image files,
 * keyboard-wedge evdev, serial, stdin) is opened from a spec string and
 * delivers EV_SCAN events (core/ev.h) to one evq; device faults arrive as
 * EV_DRIVER_FAULT. One driver thread polls the fd sources and retries gone
 * devices with backoff; camera and image sources run their own thread.
 * Nothing here blocks the caller: the UI/core loop only polls evq_fd().
 *
 * Specs (options after commas; values take \r \n \t \\ \xHH escapes):
 *   camera:/dev/videoN[,width=W,height=H,budget=MS,dedupe=MS]
 *   image:PATH[,budget=MS]           a file or a directory of them
 *   evdev:/dev/input/eventN[,layout=us|de|fr,gap=MS,minlen=N,prefix=S,
 *        suffix=S,dedupe=MS]
 *   serial:/dev/ttyX[,baud=9600,prefix=S,suffix=S,idle=MS,aim=auto|off,
 *        dedupe=MS]
 *   stdin[,prefix=S,suffix=S,aim=auto|off,dedupe=MS]
 */
#ifndef QUAN_SCAN_H
#define QUAN_SCAN_H

#include <stddef.h>
#include <stdint.h>

#include "core/ev.h"
#include "core/evq.h"

/* ev_scan.flags */
#define SCAN_F_GS1 0x01u      /* GS1 data (FNC1 first): GS kept as 0x1D */
#define SCAN_F_BINARY 0x02u   /* not clean text: text is "", see raw */
#define SCAN_F_INVERTED 0x04u /* camera/image: read on the negated frame */
#define SCAN_F_PREPROC 0x08u  /* camera/image: needed preprocessing */

/* The longest code let through (bytes after prefix/suffix/AIM removal). */
#define SCAN_MAX_LEN (EV_CODE_MAX - 1)

struct scan_opts {
	int dedupe_ms;     /* -1: per-source default (camera 1500, image 0,
	                      others 500) */
	size_t max_len;    /* 0: SCAN_MAX_LEN; larger values are clamped */
};

/* Called (from driver threads) for scans that were refused, for --diag. */
typedef void (*scan_reject_fn)(void *ctx, const char *source,
	const char *why, const uint8_t *p, size_t n);

struct scan_mgr;

/* A manager posting to q (borrowed; must outlive the manager). opts may
 * be NULL. Main thread. Never fails. */
struct scan_mgr *scan_mgr_new(struct evq *q, const struct scan_opts *opts);

/*
 * Add a source from its spec. QUAN_EINVAL/QUAN_ECONFIG with *cause set
 * (caller frees) for a malformed spec or an image path that does not exist.
 * A device that is absent is not an error: it is reported as a fault and
 * retried. Main thread, before scan_mgr_start().
 */
int scan_mgr_add(struct scan_mgr *m, const char *spec, char **cause);

/* Reject callback (optional; before start). */
void scan_mgr_on_reject(struct scan_mgr *m, scan_reject_fn fn, void *ctx);

/* Start the driver threads. QUAN_EIO with *cause when a thread cannot be
 * created. Main thread, once. */
int scan_mgr_start(struct scan_mgr *m, char **cause);

/* 1 when every source is finite (image, stdin) and has finished; all its
 * events are then already in the queue. Any thread. */
int scan_mgr_done(struct scan_mgr *m);

/* Copy up to n of the most recent scans, newest first (for a diagnostics
 * screen). Returns how many. Any thread. */
size_t scan_mgr_recent(struct scan_mgr *m, struct ev_scan *out, size_t n);

/* Stop and join all threads, close devices (releasing grabs), free.
 * NULL-safe. Main thread. */
void scan_mgr_free(struct scan_mgr *m);

#endif
