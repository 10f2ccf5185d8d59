/*
 * tm.h — time. quan stores UTC epoch seconds (int64_t) and speaks RFC 3339
 * with the store's offset to WeChat. The store's timezone is configuration
 * (IANA name such as "Asia/Shanghai", or a fixed "+08:00").
 */
#ifndef QUAN_TM_H
#define QUAN_TM_H

#include <stddef.h>
#include <stdint.h>

/* Set the process timezone. Main thread, before other threads start.
 * QUAN_ECONFIG when the name is neither a known zone nor "+HH:MM". */
int tm_set_zone(const char *name);
const char *tm_zone(void);

int64_t tm_now(void);     /* UTC epoch seconds (wall clock) */
int64_t tm_now_ms(void);  /* UTC epoch milliseconds */
uint64_t tm_mono_ms(void);/* monotonic milliseconds, for timeouts */
uint64_t tm_mono_us(void);/* monotonic microseconds, for latency figures */

/* Offset of the store's zone from UTC at `t`, in seconds (+28800 for CST). */
int tm_offset(int64_t t);
/* Local broken-down time in the store's zone. */
struct tm;
void tm_local(int64_t t, struct tm *out);
/* Seconds since local midnight and local weekday (0 = Sunday) at t. */
void tm_local_day(int64_t t, int *sec_of_day, int *wday);

/* t -> "2015-05-20T13:29:35+08:00" in the store's zone. n >= 26. */
char *tm_rfc3339(int64_t t, char *out, size_t n);
/* RFC 3339 ("...Z", "+08:00", optional fraction, ignored) -> epoch.
 * QUAN_EINVAL on anything malformed. */
int tm_parse_rfc3339(const char *s, int64_t *t);
/* The same, seconds optional: "2025-01-01T00:00+08:00" is 00:00:00 (商品券
 * times: WeChat's samples and the simulator accept both forms). A
 * fraction needs the seconds; hours alone are refused. */
int tm_parse_rfc3339_min(const char *s, int64_t *t);

#endif
