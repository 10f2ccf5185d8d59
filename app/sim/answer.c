/*
 * answer.c — what every endpoint handler shares to read a request and
 * write its answer: random ids and nonces, WeChat's time format, the
 * APIv3 error and success answers, the JSON field validators.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "crypto/crypto.h"
#include "sim/sim_int.h"
#include "util/err.h"
#include "util/log.h"
#include "util/str.h"
#include "util/tm.h"
#include "util/xmem.h"

uint64_t
sim_rnd64(void)
{
	uint64_t v = 0;

	if (crypto_random(&v, sizeof v) != 0)
		v = (uint64_t)tm_mono_us() * 0x9E3779B97F4A7C15ull;
	return v;
}

void
sim_rand_digits(char *out, size_t n)
{
	size_t i;
	uint8_t b[64];

	if (n > sizeof b)
		n = sizeof b;
	if (crypto_random(b, n) != 0)
		memset(b, 7, n);
	for (i = 0; i < n; i++)
		out[i] = (char)('0' + b[i] % 10);
	out[n] = '\0';
}

void
sim_rand_alnum(char *out, size_t n)
{
	static const char al[] = "0123456789"
		"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
	size_t i;
	uint8_t b[64];

	if (n > sizeof b)
		n = sizeof b;
	if (crypto_random(b, n) != 0)
		memset(b, 3, n);
	for (i = 0; i < n; i++)
		out[i] = al[b[i] % 62];
	out[n] = '\0';
}

char *
sim_rfc3339(int64_t t, char *out, size_t n)
{
	time_t tt = (time_t)(t + 8 * 3600);
	struct tm tmv;

	gmtime_r(&tt, &tmv);
	strftime(out, n, "%Y-%m-%dT%H:%M:%S+08:00", &tmv);
	return out;
}

size_t
sim_utf8_len(const char *s)
{
	size_t n = 0;

	for (; *s; s++)
		if (((unsigned char)*s & 0xC0) != 0x80)
			n++;
	return n;
}

void
sim_err(struct sim_ctx *c, int status, const char *code, const char *message)
{
	char clean[1024];

	/* messages may quote request text (a header, a path): jansson
	 * refuses what is not UTF-8, so it is cleaned first */
	json_decref(c->resp);
	c->status = status;
	c->resp = json_pack("{s:s,s:s}", "code", code, "message",
		str_clean(clean, sizeof clean, message, strlen(message)));
}

void
sim_err_field(struct sim_ctx *c, const char *field, const char *issue)
{
	char *msg = xasprintf("参数错误: %s %s", field, issue);

	sim_err(c, 400, "PARAM_ERROR", msg);
	json_object_set_new(c->resp, "detail", json_pack("{s:s,s:s,s:s}",
		"field", field, "location", c->loc ? c->loc : "body",
		"issue", issue));
	free(msg);
}

void
sim_ok(struct sim_ctx *c, int status, json_t *body)
{
	json_decref(c->resp);
	c->status = status;
	c->resp = body;
}

int
sim_str(struct sim_ctx *c, json_t *o, const char *key, int req, size_t max,
	const char **out)
{
	json_t *v = o ? json_object_get(o, key) : NULL;

	*out = NULL;
	if (v == NULL || json_is_null(v)) {
		if (req) {
			sim_err_field(c, key, "is required");
			return -1;
		}
		return 0;
	}
	if (!json_is_string(v)) {
		sim_err_field(c, key, "must be a string");
		return -1;
	}
	if (json_string_length(v) == 0 && req) {
		sim_err_field(c, key, "must not be empty");
		return -1;
	}
	if (strlen(json_string_value(v)) != json_string_length(v) ||
	    sim_utf8_len(json_string_value(v)) > max) {
		char issue[64];

		snprintf(issue, sizeof issue, "is longer than %zu", max);
		sim_err_field(c, key, issue);
		return -1;
	}
	*out = json_string_value(v);
	return 0;
}

int
sim_int(struct sim_ctx *c, json_t *o, const char *key, int req, int64_t min,
	int64_t max, int64_t *out)
{
	json_t *v = o ? json_object_get(o, key) : NULL;

	if (v == NULL || json_is_null(v)) {
		if (req) {
			sim_err_field(c, key, "is required");
			return -1;
		}
		return 0;
	}
	if (!json_is_integer(v)) {
		sim_err_field(c, key, "must be an integer");
		return -1;
	}
	if (json_integer_value(v) < min || json_integer_value(v) > max) {
		char issue[96];

		snprintf(issue, sizeof issue, "must be in %lld..%lld",
			(long long)min, (long long)max);
		sim_err_field(c, key, issue);
		return -1;
	}
	*out = json_integer_value(v);
	return 0;
}

int
sim_time(struct sim_ctx *c, json_t *o, const char *key, int req,
	int64_t *out)
{
	const char *s;

	if (sim_str(c, o, key, req, 64, &s) != 0)
		return -1;
	if (s == NULL)
		return 0;
	if (tm_parse_rfc3339(s, out) != 0) {
		sim_err_field(c, key, "is not an RFC 3339 time");
		return -1;
	}
	return 0;
}
