/* tm.c — clocks and RFC 3339. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "util/err.h"
#include "util/tm.h"

static char tm_zone_name[64] = "UTC";
static int tm_fixed = 1;      /* zone is a fixed offset */
static int tm_fixed_off = 0;  /* seconds east of UTC when fixed */

static int digits(const char *s, int n, int *v);

/* "Z", "UTC" or [+-]HH:MM, digits only (sscanf's %2d took " 8" and
 * "-8" after the sign) */
static int
parse_offset(const char *s, int *off)
{
	int hh, mm;

	if (strcmp(s, "Z") == 0 || strcmp(s, "UTC") == 0) {
		*off = 0;
		return QUAN_OK;
	}
	if ((s[0] != '+' && s[0] != '-') || digits(s + 1, 2, &hh) ||
	    s[3] != ':' || digits(s + 4, 2, &mm) || s[6] != '\0' ||
	    hh > 14 || mm > 59)
		return QUAN_EINVAL;
	*off = (hh * 3600 + mm * 60) * (s[0] == '-' ? -1 : 1);
	return QUAN_OK;
}

int
tm_set_zone(const char *name)
{
	char path[256];
	int off;

	if (name == NULL || strlen(name) >= sizeof tm_zone_name)
		return QUAN_ECONFIG;
	if (parse_offset(name, &off) == QUAN_OK) {
		tm_fixed = 1;
		tm_fixed_off = off;
		snprintf(tm_zone_name, sizeof tm_zone_name, "%s", name);
		return QUAN_OK;
	}
	if (strstr(name, "..") != NULL || name[0] == '/')
		return QUAN_ECONFIG;
	snprintf(path, sizeof path, "/usr/share/zoneinfo/%s", name);
	if (access(path, R_OK) != 0) {
		/* Without tzdata, keep China working: it has no DST. */
		if (strcmp(name, "Asia/Shanghai") == 0 ||
		    strcmp(name, "PRC") == 0) {
			tm_fixed = 1;
			tm_fixed_off = 8 * 3600;
			snprintf(tm_zone_name, sizeof tm_zone_name, "%s", name);
			return QUAN_OK;
		}
		return QUAN_ECONFIG;
	}
	setenv("TZ", name, 1);
	tzset();
	tm_fixed = 0;
	snprintf(tm_zone_name, sizeof tm_zone_name, "%s", name);
	return QUAN_OK;
}

const char *
tm_zone(void)
{
	return tm_zone_name;
}

int64_t
tm_now(void)
{
	return (int64_t)time(NULL);
}

int64_t
tm_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

uint64_t
tm_mono_ms(void)
{
	return tm_mono_us() / 1000;
}

uint64_t
tm_mono_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000 + (uint64_t)ts.tv_nsec / 1000;
}

void
tm_local(int64_t t, struct tm *out)
{
	time_t tt;

	if (tm_fixed) {
		tt = (time_t)(t + tm_fixed_off);
		gmtime_r(&tt, out);
		out->tm_gmtoff = tm_fixed_off;
		return;
	}
	tt = (time_t)t;
	localtime_r(&tt, out);
}

int
tm_offset(int64_t t)
{
	struct tm tm;

	tm_local(t, &tm);
	return (int)tm.tm_gmtoff;
}

void
tm_local_day(int64_t t, int *sec_of_day, int *wday)
{
	struct tm tm;

	tm_local(t, &tm);
	*sec_of_day = tm.tm_hour * 3600 + tm.tm_min * 60 + tm.tm_sec;
	*wday = tm.tm_wday;
}

char *
tm_rfc3339(int64_t t, char *out, size_t n)
{
	struct tm tm;
	int off;

	tm_local(t, &tm);
	off = (int)tm.tm_gmtoff;
	snprintf(out, n, "%04d-%02d-%02dT%02d:%02d:%02d%c%02d:%02d",
		tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
		tm.tm_min, tm.tm_sec, off < 0 ? '-' : '+',
		abs(off) / 3600, abs(off) % 3600 / 60);
	return out;
}

static int
digits(const char *s, int n, int *v)
{
	int i;

	*v = 0;
	for (i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		*v = *v * 10 + (s[i] - '0');
	}
	return 0;
}

/* seconds: 1 required, 0 optional ("YYYY-MM-DDTHH:MM" + zone = :00) */
static int
parse_rfc3339(const char *s, int seconds, int64_t *t)
{
	static const int mdays[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31,
		30, 31};
	int y, mo, d, h, mi, sec = 0, off;
	struct tm tm;
	const char *p;

	/* each check stops at the first byte that is wrong (a '\0' too):
	 * nothing past the end is read */
	if (s == NULL || digits(s, 4, &y) ||
	    s[4] != '-' || digits(s + 5, 2, &mo) || s[7] != '-' ||
	    digits(s + 8, 2, &d) || (s[10] != 'T' && s[10] != 't') ||
	    digits(s + 11, 2, &h) || s[13] != ':' || digits(s + 14, 2, &mi))
		return QUAN_EINVAL;
	p = s + 16;
	if (*p == ':') {
		if (digits(s + 17, 2, &sec))
			return QUAN_EINVAL;
		p = s + 19;
		if (*p == '.') {
			for (p++; *p >= '0' && *p <= '9'; p++)
				;
			if (p == s + 20)
				return QUAN_EINVAL;
		}
	} else if (seconds) {
		return QUAN_EINVAL;
	}
	if (mo < 1 || mo > 12 || d < 1 || d > mdays[mo - 1] || h > 23 ||
	    mi > 59 || sec > 60)
		return QUAN_EINVAL;
	if (*p == 'z')
		p = "Z";
	if (parse_offset(p, &off) != QUAN_OK)
		return QUAN_EINVAL;
	memset(&tm, 0, sizeof tm);
	tm.tm_year = y - 1900;
	tm.tm_mon = mo - 1;
	tm.tm_mday = d;
	tm.tm_hour = h;
	tm.tm_min = mi;
	tm.tm_sec = sec == 60 ? 59 : sec;
	*t = (int64_t)timegm(&tm) - off;
	return QUAN_OK;
}

int
tm_parse_rfc3339(const char *s, int64_t *t)
{
	return parse_rfc3339(s, 1, t);
}

int
tm_parse_rfc3339_min(const char *s, int64_t *t)
{
	return parse_rfc3339(s, 0, t);
}
