/*
 * faults.c — the --faults SPEC grammar and the deterministic draws behind
 * it: every decision is a hash of (seed, request sequence number, fault
 * kind), so the same seed and the same request order give the same faults.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "sim/sim_int.h"
#include "util/err.h"
#include "util/xmem.h"

static const char help[] =
	"FAULT SPEC (--faults, deterministic under --seed N): comma-separated\n"
	"items, e.g. 'latency=20-200,5xx=0.05,drop=1%'\n"
	"  latency=MS | latency=MIN-MAX  add a fixed / uniform random delay\n"
	"  5xx=F       answer 500 SYSTEM_ERROR or 503 SERVICE_UNAVAILABLE,\n"
	"              not applied (card API: errcode -1)\n"
	"  drop=F      apply the request, then close the connection\n"
	"              without an answer\n"
	"  badsig=F    corrupt the Wechatpay-Signature of the answer\n"
	"  signtest=F  answer with a WECHATPAY/SIGNTEST/ probe signature\n"
	"  skew=S      Wechatpay-Timestamp off by S seconds (may be negative)\n"
	"  429=N/M     the first N of every M requests get 429\n"
	"              FREQUENCY_LIMITED (card API: errcode 45011)\n"
	"  trunc=F     send only half of the body, then close\n"
	"  only=PREFIX faults only for request paths starting with PREFIX\n"
	"  F is a fraction 0..1 (0.05) or a percentage (5%).\n";

const char *
sim_faults_help(void)
{
	return help;
}

static uint64_t
mix(uint64_t x)
{
	x += 0x9E3779B97F4A7C15ull;
	x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ull;
	x = (x ^ (x >> 27)) * 0x94D049BB133111EBull;
	return x ^ (x >> 31);
}

uint32_t
sim_draw(uint64_t seed, uint64_t seq, unsigned k)
{
	return (uint32_t)(mix(mix(seed) ^ mix(seq * 16 + k)) % 1000000u);
}

/* "0.05", "1", "5%", "0.5%" -> per million. */
static int
parse_frac(const char *v, uint32_t *out)
{
	uint64_t ip = 0, fp = 0, scale = 1;
	const char *p = v;
	int pct, digits = 0;

	if (*p == '\0')
		return -1;
	while (*p >= '0' && *p <= '9') {
		ip = ip * 10 + (uint64_t)(*p++ - '0');
		if (ip > 100)
			return -1;
		digits++;
	}
	if (*p == '.') {
		p++;
		while (*p >= '0' && *p <= '9') {
			if (scale < 1000000000ull) {
				fp = fp * 10 + (uint64_t)(*p - '0');
				scale *= 10;
			}
			p++;
			digits++;
		}
	}
	pct = *p == '%';
	if (pct)
		p++;
	if (*p != '\0' || digits == 0)
		return -1;
	/* value = ip + fp/scale; per million */
	{
		uint64_t pm = ip * 1000000ull + fp * 1000000ull / scale;

		if (pct)
			pm /= 100;
		if (pm > 1000000ull)
			return -1;
		*out = (uint32_t)pm;
	}
	return 0;
}

static int
parse_uint(const char *v, unsigned long max, unsigned *out, char **end)
{
	unsigned long x;

	errno = 0;
	x = strtoul(v, end, 10);
	if (errno != 0 || *end == v || x > max || *v == '-')
		return -1;
	*out = (unsigned)x;
	return 0;
}

int
sim_faults_parse(const char *spec, struct sim_faults *f, char **cause)
{
	char *copy = xstrdup(spec), *item, *save = NULL;
	int rc = 0;

	memset(f, 0, sizeof *f);
	for (item = strtok_r(copy, ",", &save); item != NULL;
	    item = strtok_r(NULL, ",", &save)) {
		char *eq = strchr(item, '='), *v, *end;
		int bad = 0;

		if (eq == NULL) {
			bad = 1;
			goto check;
		}
		*eq = '\0';
		v = eq + 1;
		if (strcmp(item, "latency") == 0) {
			if (parse_uint(v, 60000, &f->lat_min_ms, &end) != 0)
				bad = 1;
			else if (*end == '-') {
				if (parse_uint(end + 1, 60000, &f->lat_max_ms,
				    &end) != 0 || *end != '\0' ||
				    f->lat_max_ms < f->lat_min_ms)
					bad = 1;
			} else if (*end != '\0') {
				bad = 1;
			} else {
				f->lat_max_ms = f->lat_min_ms;
			}
		} else if (strcmp(item, "5xx") == 0) {
			bad = parse_frac(v, &f->p5xx);
		} else if (strcmp(item, "drop") == 0) {
			bad = parse_frac(v, &f->pdrop);
		} else if (strcmp(item, "badsig") == 0) {
			bad = parse_frac(v, &f->pbadsig);
		} else if (strcmp(item, "signtest") == 0) {
			bad = parse_frac(v, &f->psigntest);
		} else if (strcmp(item, "trunc") == 0) {
			bad = parse_frac(v, &f->ptrunc);
		} else if (strcmp(item, "skew") == 0) {
			long x;

			errno = 0;
			x = strtol(v, &end, 10);
			if (errno != 0 || end == v || *end != '\0' ||
			    x < -86400 * 365 || x > 86400 * 365)
				bad = 1;
			else
				f->skew_s = (int)x;
		} else if (strcmp(item, "429") == 0) {
			if (parse_uint(v, 1000000, &f->burst_n, &end) != 0 ||
			    *end != '/' ||
			    parse_uint(end + 1, 1000000, &f->burst_every,
			    &end) != 0 || *end != '\0' ||
			    f->burst_every == 0 ||
			    f->burst_n > f->burst_every)
				bad = 1;
		} else if (strcmp(item, "only") == 0) {
			if (*v != '/' || strlen(v) >= sizeof f->only)
				bad = 1;
			else
				memcpy(f->only, v, strlen(v) + 1);
		} else {
			bad = 1;
		}
check:
		if (bad) {
			*cause = xasprintf("bad fault item '%s%s%s'\n%s", item,
				eq ? "=" : "", eq ? eq + 1 : "", help);
			rc = QUAN_EINVAL;
			break;
		}
	}
	free(copy);
	return rc;
}
