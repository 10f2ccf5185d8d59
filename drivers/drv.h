/*
 * drv.h — the driver interface inside drivers/ (scan.h is the outside).
 * A driver is an ops table plus private state. Fd drivers are polled by the
 * manager's thread (open/fd/read/tick/close); threaded drivers (camera,
 * image) provide run(), which loops until drv_stopping(). Drivers hand raw
 * scans to drv_emit(), which does the common part once for all sources:
 * prefix/suffix, AIM id, charset, caps, dedupe, queueing.
 */
#ifndef QUAN_DRV_H
#define QUAN_DRV_H

#include <stddef.h>
#include <stdint.h>

#include "core/ev.h"

#define DRV_OPT_MAX 16

struct drv_spec {
	char kind[16];      /* "serial" */
	char path[256];     /* "/dev/ttyACM0" ("" for stdin) */
	char name[64];      /* spec as given, truncated: ev source_name */
	size_t nopt;
	struct {
		char key[16];
		char val[64]; /* unescaped */
	} opt[DRV_OPT_MAX];
};

struct drv;

struct drv_ops {
	const char *kind;
	enum scan_source source;
	int finite;     /* ends by itself (image, stdin EOF) */
	int dedupe_ms;  /* default duplicate window */
	/* Parse options into d->priv. QUAN_EINVAL with *cause. */
	int (*setup)(struct drv *d, char **cause);
	/* (Re)open the device. 0, or an error with *cause (retried later). */
	int (*open)(struct drv *d, char **cause);
	int (*fd)(struct drv *d);
	/* fd readable/hung up: 0 ok, 1 finished (finite source), QUAN_EIO
	 * device gone (*cause set; the manager closes and retries). */
	int (*read)(struct drv *d, char **cause);
	/* Timers (serial idle flush); optional. */
	void (*tick)(struct drv *d, uint64_t now_us);
	void (*close)(struct drv *d);
	/* Optional: release what priv points to; the manager then frees priv
	 * itself (so a plain malloc'd priv needs no free). */
	void (*free)(struct drv *d);
	/* Threaded drivers: the whole life of the source. */
	void (*run)(struct drv *d);
};

struct scan_mgr;

struct drv {
	const struct drv_ops *ops;
	struct drv_spec spec;
	struct scan_mgr *mgr;
	void *priv;
	int dedupe_ms;
	int gb18030;        /* charset=gb18030: non-UTF-8 bytes are GB18030 */
	/* manager state (manager thread only) */
	int is_open;
	int down_reported;
	int done;
	uint32_t backoff_ms;
	uint64_t next_try_us;
};

/* A raw scan as a driver saw it. */
struct drv_raw {
	const uint8_t *p;
	size_t n;
	const char *symbology; /* known (camera) or NULL: from the AIM id */
	const char *aim;       /* known AIM id or NULL */
	int parse_aim;         /* look for an AIM id at the start */
	int strip;             /* apply the spec's prefix/suffix */
	uint32_t flags;
	uint64_t t_mono_us;
	uint32_t dur_ms;
	uint32_t ikt_max_ms;
	const uint16_t *ikt_ms;
	size_t ikt_n;
	const char *source_name; /* NULL: the spec name */
};

/* Normalise, dedupe and post one scan. Any thread. Returns 0 posted, 1
 * dropped as duplicate, or a negative status when rejected (reported to
 * the reject callback and the log). */
int drv_emit(struct drv *d, const struct drv_raw *r);
struct dec_result;
/* A ZBar result (camera, image): drv_emit with its symbology, AIM id and
 * flags, read at t0 (monotonic us) in dur_ms; source_name NULL = the
 * spec's name. Borrows res and source_name; the driver's thread. */
void drv_emit_decoded(struct drv *d, const struct dec_result *res,
	uint64_t t0, uint32_t dur_ms, const char *source_name);
/* A line-framed scan (serial frame, stdin line) of n bytes read from t0
 * to t_end (monotonic us): drv_emit with the spec's prefix/suffix
 * stripped and an AIM id parsed when parse_aim. n == 0 is ignored.
 * Borrows p; the driver's thread. */
void drv_emit_line(struct drv *d, const uint8_t *p, size_t n, int parse_aim,
	uint64_t t0, uint64_t t_end);
/* Report a rejected input from a driver (e.g. human typing). */
void drv_reject(struct drv *d, const char *why, const uint8_t *p, size_t n);
/* Post an EV_DRIVER_FAULT (up = 0 gone, 1 back). Any thread. */
void drv_fault(struct drv *d, int up, const char *what);
/* Threaded drivers: 1 once the manager is stopping. */
int drv_stopping(struct drv *d);
/* Threaded drivers: sleep up to ms, returning early (1) when stopping. */
int drv_sleep(struct drv *d, uint32_t ms);
/* Mark a threaded finite driver finished. */
void drv_finish(struct drv *d);

/* Option lookup: value or NULL / parsed integer in [min, max]. */
const char *drv_opt(const struct drv *d, const char *key);
int drv_opt_int(const struct drv *d, const char *key, long def, long min,
	long max, long *out, char **cause);
/* QUAN_EINVAL with *cause when an option not in `known` (NULL-ended) is
 * present. */
int drv_opts_check(const struct drv *d, const char *const *known,
	char **cause);

/* Parse "kind:path,k=v,..." into *s. QUAN_EINVAL with *cause. */
int drv_spec_parse(const char *spec, struct drv_spec *s, char **cause);

extern const struct drv_ops drv_stdin_ops;
extern const struct drv_ops drv_serial_ops;
extern const struct drv_ops drv_evdev_ops;
extern const struct drv_ops drv_image_ops;
extern const struct drv_ops drv_camera_ops;

#endif
