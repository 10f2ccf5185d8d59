/*
 * config.c — the INI loader (inih) behind config.h. A table maps each
 * section/key to a field and a parser; unknown names are errors because a
 * typo in a POS config must not be silently ignored.
 */
#include <errno.h>
#include <ini.h>
#include <limits.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/config.h"
#include "util/err.h"
#include "util/log.h"
#include "util/tm.h"
#include "util/xmem.h"

enum vtype {
	V_STR,      /* free text */
	V_PATH,     /* resolved against the config's folder */
	V_URL,      /* https:// (or empty when optional) */
	V_DIGITS,   /* [0-9]+ */
	V_INT,      /* int within [min,max] */
	V_I64,      /* int64 within [min,max] */
	V_TERMID,
	V_ZONE,
	V_LANG,
	V_LEVEL,
	V_POLICY,
	V_SOURCE,   /* [scanner] source: appended, repeatable */
	V_SECRET,   /* a path to a key file: must be mode 0600 (checked at
		       load, so the error names file:line) */
	V_PAYAPI,   /* [pay] api: v3 | v2 */
	V_PCORDER,  /* [product_coupon] order: pay_first | use_first */
	V_SIGNTYPE, /* [pay] v2_sign_type: HMAC-SHA256 | MD5 */
	V_PRINTER,  /* [printer] device: /dev/... | tcp:H:P | file:PATH */
	V_WIDTH,    /* [printer] width_mm: 58 | 80 */
	V_PCMODE    /* [product_coupon] mode: partner | brand */
};

struct key {
	const char *section;
	const char *name;
	enum vtype type;
	size_t off;
	int64_t min, max;
};

#define F(field) offsetof(struct config, field)
static const struct key keys[] = {
	{"terminal", "id", V_TERMID, F(term_id), 0, 0},
	{"terminal", "store_id", V_STR, F(store_id), 0, 0},
	{"terminal", "timezone", V_ZONE, F(timezone), 0, 0},
	{"terminal", "language", V_LANG, F(language), 0, 0},
	{"terminal", "log_file", V_PATH, F(log_file), 0, 0},
	{"terminal", "log_level", V_LEVEL, F(log_level), 0, 0},
	{"wechatpay", "mchid", V_DIGITS, F(wx_mchid), 0, 0},
	{"wechatpay", "appid", V_STR, F(wx_appid), 0, 0},
	{"wechatpay", "merchant_serial", V_STR, F(wx_merchant_serial), 0, 0},
	{"wechatpay", "private_key", V_PATH, F(wx_private_key), 0, 0},
	{"wechatpay", "apiv3_key", V_PATH, F(wx_apiv3_key), 0, 0},
	{"wechatpay", "platform_cert", V_PATH, F(wx_platform_cert), 0, 0},
	{"wechatpay", "public_key_id", V_STR, F(wx_public_key_id), 0, 0},
	{"wechatpay", "public_key", V_PATH, F(wx_public_key), 0, 0},
	{"wechatpay", "base_url", V_URL, F(wx_base_url), 0, 0},
	{"wechatpay", "ca_file", V_PATH, F(wx_ca_file), 0, 0},
	{"wechatpay", "connect_timeout_ms", V_INT, F(wx_connect_timeout_ms),
	    1, 600000},
	{"wechatpay", "timeout_ms", V_INT, F(wx_timeout_ms), 1, 600000},
	{"wechatpay", "online_wait_ms", V_INT, F(wx_online_wait_ms), 0, 600000},
	{"wechatpay", "rate_per_s", V_INT, F(wx_rate_per_s), 0, 100000},
	{"card", "appid", V_STR, F(card_appid), 0, 0},
	{"card", "secret", V_PATH, F(card_secret), 0, 0},
	{"card", "token_url", V_URL, F(card_token_url), 0, 0},
	{"card", "base_url", V_URL, F(card_base_url), 0, 0},
	{"card", "ca_file", V_PATH, F(card_ca_file), 0, 0},
	{"offline", "max_coupon_fen", V_I64, F(off_max_coupon_fen), 0,
	    10000000000LL},
	{"offline", "max_per_hour", V_INT, F(off_max_per_hour), 0, 1000000},
	{"offline", "max_exposure_fen", V_I64, F(off_max_exposure_fen), 0,
	    100000000000LL},
	{"offline", "max_cache_age_s", V_I64, F(off_max_cache_age_s), 0,
	    100LL * 365 * 86400},
	{"offline", "default_policy", V_POLICY, F(off_default_policy), 0, 0},
	{"scanner", "source", V_SOURCE, 0, 0, 0},
	{"scanner", "dedupe_ms", V_INT, F(scan_dedupe_ms), -1, 600000},
	{"scanner", "max_len", V_INT, F(scan_max_len), 0, 65536},
	{"store", "keep_days", V_INT, F(store_keep_days), 0, 36500},
	{"store", "archive_dir", V_PATH, F(store_archive_dir), 0, 0},
	{"hub", "dsn", V_STR, F(hub_dsn), 0, 0},
	{"hub", "when_down", V_POLICY, F(hub_when_down), 0, 0},
	{"hub", "max_coupon_fen", V_I64, F(hub_max_coupon_fen), 0,
	    10000000000LL},
	{"hub", "max_per_hour", V_INT, F(hub_max_per_hour), 0, 1000000},
	{"hub", "wait_ms", V_INT, F(hub_wait_ms), 50, 60000},
	{"hub", "poll_s", V_INT, F(hub_poll_s), 1, 3600},
	{"pay", "api", V_PAYAPI, F(pay_api), 0, 0},
	{"pay", "v2_key_file", V_SECRET, F(pay_v2_key_file), 0, 0},
	{"pay", "v2_cert", V_PATH, F(pay_v2_cert), 0, 0},
	{"pay", "v2_sign_type", V_SIGNTYPE, F(pay_v2_md5), 0, 0},
	{"pay", "deadline_s", V_INT, F(pay_deadline_s), 15, 600},
	{"pay", "query_interval_ms", V_INT, F(pay_query_interval_ms), 500,
	    60000},
	{"product_coupon", "mode", V_PCMODE, F(pc_mode), 0, 0},
	{"product_coupon", "brand_id", V_DIGITS, F(pc_brand_id), 0, 0},
	{"product_coupon", "appid", V_STR, F(pc_appid), 0, 0},
	{"product_coupon", "brand_serial", V_STR, F(pc_brand_serial), 0, 0},
	{"product_coupon", "private_key", V_SECRET, F(pc_private_key), 0, 0},
	{"product_coupon", "public_key_id", V_STR, F(pc_public_key_id), 0, 0},
	{"product_coupon", "public_key", V_PATH, F(pc_public_key), 0, 0},
	{"product_coupon", "api_key", V_SECRET, F(pc_api_key), 0, 0},
	{"product_coupon", "base_url", V_URL, F(pc_base_url), 0, 0},
	{"product_coupon", "ca_file", V_PATH, F(pc_ca_file), 0, 0},
	{"product_coupon", "order", V_PCORDER, F(pc_order), 0, 0},
	{"product_coupon", "store_id", V_STR, F(pc_store_id), 0, 0},
	{"product_coupon", "brands", V_STR, F(pc_brands), 0, 0},
	{"printer", "device", V_PRINTER, F(printer_device), 0, 0},
	{"printer", "width_mm", V_WIDTH, F(printer_width_mm), 0, 0},
	{"printer", "header", V_STR, F(printer_header), 0, 0},
	{"printer", "timeout_ms", V_INT, F(printer_timeout_ms), 100, 60000},
	{"printer", "status_ms", V_INT, F(printer_status_ms), 0, 10000},
};
#undef F

struct ctx {
	struct config *c;
	const char *file;
	char *dir;        /* config's folder, for relative paths */
	int line;         /* line being parsed (counted by the reader) */
	char *cause;      /* first error */
	FILE *fp;
};

static void
set_str(char **field, const char *v)
{
	free(*field);
	*field = xstrdup(v);
}

void
config_defaults(struct config **out)
{
	struct config *c = xcalloc(1, sizeof *c);

	c->path = xstrdup("");
	memcpy(c->term_id, "T01", 4);
	c->store_id = xstrdup("S001");
	c->timezone = xstrdup("Asia/Shanghai");
	c->language = xstrdup("");
	c->log_file = xstrdup("");
	c->log_level = LOG_WARN;
	c->wx_mchid = xstrdup("");
	c->wx_appid = xstrdup("");
	c->wx_merchant_serial = xstrdup("");
	c->wx_private_key = xstrdup("");
	c->wx_apiv3_key = xstrdup("");
	c->wx_platform_cert = xstrdup("");
	c->wx_public_key_id = xstrdup("");
	c->wx_public_key = xstrdup("");
	c->wx_base_url = xstrdup("https://api.mch.weixin.qq.com");
	c->wx_ca_file = xstrdup("");
	c->wx_connect_timeout_ms = 2000;
	c->wx_timeout_ms = 5000;
	c->wx_online_wait_ms = 3000;
	c->wx_rate_per_s = 500;
	c->card_appid = xstrdup("");
	c->card_secret = xstrdup("");
	c->card_token_url = xstrdup("");
	c->card_base_url = xstrdup("https://api.weixin.qq.com");
	c->card_ca_file = xstrdup("");
	c->store_archive_dir = xstrdup("");
	c->off_max_coupon_fen = 10000;
	c->off_max_per_hour = 30;
	c->off_max_exposure_fen = 100000;
	c->off_max_cache_age_s = 86400;
	c->off_default_policy = CONFIG_POLICY_OFFLINE_KNOWN_ONLY;
	c->scan_dedupe_ms = -1;
	c->scan_max_len = 0;
	c->hub_dsn = xstrdup("");
	c->hub_when_down = CONFIG_POLICY_ONLINE_ONLY;
	c->hub_max_coupon_fen = 5000;
	c->hub_max_per_hour = 10;
	c->hub_wait_ms = 1000;
	c->hub_poll_s = 5;
	c->pay_api = CONFIG_PAY_V3;
	c->pc_brand_id = xstrdup("");
	c->pc_appid = xstrdup("");
	c->pc_brand_serial = xstrdup("");
	c->pc_private_key = xstrdup("");
	c->pc_public_key_id = xstrdup("");
	c->pc_public_key = xstrdup("");
	c->pc_api_key = xstrdup("");
	c->pc_base_url = xstrdup("");
	c->pc_ca_file = xstrdup("");
	c->pay_v2_key_file = xstrdup("");
	c->pay_v2_cert = xstrdup("");
	c->pay_v2_md5 = 0;
	c->pay_deadline_s = 45;
	c->pay_query_interval_ms = 5000;
	c->pc_order = CONFIG_PC_PAY_FIRST;
	c->pc_store_id = xstrdup("");
	c->pc_brands = xstrdup("");
	c->printer_device = xstrdup("");
	c->printer_width_mm = 58;
	c->printer_header = xstrdup("");
	c->printer_timeout_ms = 3000;
	c->printer_status_ms = 500;
	*out = c;
}

void
config_free(struct config *c)
{
	if (c == NULL)
		return;
	free(c->path);
	free(c->store_id);
	free(c->timezone);
	free(c->language);
	free(c->log_file);
	free(c->wx_mchid);
	free(c->wx_appid);
	free(c->wx_merchant_serial);
	free(c->wx_private_key);
	free(c->wx_apiv3_key);
	free(c->wx_platform_cert);
	free(c->wx_public_key_id);
	free(c->wx_public_key);
	free(c->wx_base_url);
	free(c->wx_ca_file);
	free(c->card_appid);
	free(c->card_secret);
	free(c->card_token_url);
	free(c->card_base_url);
	free(c->card_ca_file);
	free(c->store_archive_dir);
	free(c->pay_v2_key_file);
	free(c->pc_brand_id);
	free(c->pc_appid);
	free(c->pc_brand_serial);
	free(c->pc_private_key);
	free(c->pc_public_key_id);
	free(c->pc_public_key);
	free(c->pc_api_key);
	free(c->pc_base_url);
	free(c->pc_ca_file);
	free(c->pay_v2_cert);
	free(c->pc_store_id);
	free(c->pc_brands);
	free(c->printer_device);
	free(c->printer_header);
	free(c->hub_dsn);
	for (int i = 0; i < c->nscan_sources; i++)
		free(c->scan_sources[i]);
	free(c->targets);
	free(c);
}

const char *
config_policy_name(enum config_policy p)
{
	switch (p) {
	case CONFIG_POLICY_ONLINE_ONLY:
		return "online_only";
	case CONFIG_POLICY_OFFLINE_KNOWN_ONLY:
		return "offline_known_only";
	case CONFIG_POLICY_OFFLINE_OK:
		return "offline_ok";
	}
	return "?";
}

int
config_policy_parse(const char *s, enum config_policy *out)
{
	if (strcmp(s, "online_only") == 0)
		*out = CONFIG_POLICY_ONLINE_ONLY;
	else if (strcmp(s, "offline_known_only") == 0)
		*out = CONFIG_POLICY_OFFLINE_KNOWN_ONLY;
	else if (strcmp(s, "offline_ok") == 0)
		*out = CONFIG_POLICY_OFFLINE_OK;
	else
		return QUAN_EINVAL;
	return QUAN_OK;
}

static int
parse_i64(const char *v, int64_t min, int64_t max, int64_t *out)
{
	char *end;
	long long n;

	if (*v == '\0' || *v == ' ' || *v == '+')
		return QUAN_EINVAL;
	errno = 0;
	n = strtoll(v, &end, 10);
	if (errno != 0 || *end != '\0' || n < min || n > max)
		return QUAN_EINVAL;
	*out = n;
	return QUAN_OK;
}

static int fail(struct ctx *x, const char *key, const char *fmt,
    const char *v) __attribute__((format(printf, 3, 0)));

static int
fail(struct ctx *x, const char *key, const char *fmt, const char *v)
{
	if (x->cause == NULL) {
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
		char *what = xasprintf(fmt, v);
#pragma GCC diagnostic pop

		x->cause = xasprintf("%s:%d: %s: %s", x->file, x->line, key,
		    what);
		free(what);
	}
	return 0;
}

static int
all_in(const char *s, const char *set)
{
	for (; *s != '\0'; s++)
		if (strchr(set, *s) == NULL)
			return 0;
	return 1;
}

#define ALNUM "0123456789abcdefghijklmnopqrstuvwxyz" \
	"ABCDEFGHIJKLMNOPQRSTUVWXYZ"

static int
set_key(struct ctx *x, const struct key *k, const char *v)
{
	char *base = (char *)x->c;
	char **sp = (char **)(base + k->off);
	int64_t n;

	switch (k->type) {
	case V_STR:
		if (strlen(v) > 256)
			return fail(x, k->name, "value too long (%s)",
			    "max 256");
		set_str(sp, v);
		break;
	case V_PATH:
		if (strlen(v) > PATH_MAX)
			return fail(x, k->name, "path too long%s", "");
		if (v[0] == '\0' || v[0] == '/' || x->dir == NULL)
			set_str(sp, v);
		else {
			free(*sp);
			*sp = xasprintf("%s/%s", x->dir, v);
		}
		break;
	case V_URL:
		/* plain http would be refused by every request (quan speaks
		 * to WeChat only over verified TLS) and the till would run
		 * offline for ever: say so now */
		if (v[0] != '\0' && strncmp(v, "https://", 8) != 0)
			return fail(x, k->name, "'%s' is not an https:// URL "
			    "(WeChat is only reached over verified TLS)", v);
		if (strlen(v) > 1024)
			return fail(x, k->name, "URL too long%s", "");
		set_str(sp, v);
		break;
	case V_DIGITS:
		if (v[0] != '\0' && (!all_in(v, "0123456789") ||
		    strlen(v) > 32))
			return fail(x, k->name, "'%s' is not a number", v);
		set_str(sp, v);
		break;
	case V_INT:
		if (parse_i64(v, k->min, k->max, &n) != 0)
			return fail(x, k->name,
			    "'%s' is not an integer in range", v);
		*(int *)(base + k->off) = (int)n;
		break;
	case V_I64:
		if (parse_i64(v, k->min, k->max, &n) != 0)
			return fail(x, k->name,
			    "'%s' is not an integer in range", v);
		*(int64_t *)(base + k->off) = n;
		break;
	case V_TERMID:
		if (v[0] == '\0' || strlen(v) > CONFIG_TERMINAL_ID_MAX ||
		    !all_in(v, ALNUM))
			return fail(x, k->name,
			    "'%s' must be 1-8 of [0-9A-Za-z]", v);
		memcpy(x->c->term_id, v, strlen(v) + 1);
		break;
	case V_ZONE:
		if (tm_set_zone(v) != 0)
			return fail(x, k->name,
			    "unknown timezone '%s' (IANA name or +HH:MM)", v);
		set_str(sp, v);
		break;
	case V_LANG:
		if (strcmp(v, "zh_CN") != 0 && strcmp(v, "en") != 0)
			return fail(x, k->name, "'%s' is not zh_CN or en", v);
		set_str(sp, v);
		break;
	case V_LEVEL: {
		static const char *names[] = {"error", "warn", "info", "debug"};
		int i;

		for (i = 0; i < 4; i++)
			if (strcmp(v, names[i]) == 0)
				break;
		if (i == 4)
			return fail(x, k->name,
			    "'%s' is not error|warn|info|debug", v);
		x->c->log_level = (enum log_level)i;
		break;
	}
	case V_SOURCE:
		if (v[0] == '\0' || strlen(v) > 256)
			return fail(x, k->name, "scanner source '%s' is empty "
			    "or longer than 256", v);
		if (x->c->nscan_sources >= CONFIG_SCAN_SOURCES_MAX)
			return fail(x, k->name, "more than 8 scanner sources%s",
			    "");
		x->c->scan_sources[x->c->nscan_sources++] = xstrdup(v);
		break;
	case V_SECRET: {
		char *why = NULL;
		int r;

		if (set_key(x, &(struct key){ k->section, k->name, V_PATH,
		    k->off, 0, 0 }, v) == 0)
			return 0;
		if ((*sp)[0] == '\0')
			break;
		if (config_check_key_file(*sp, &why) != QUAN_OK) {
			r = fail(x, k->name, "%s", why);
			free(why);
			return r;
		}
		break;
	}
	case V_PAYAPI:
		if (strcmp(v, "v3") == 0)
			x->c->pay_api = CONFIG_PAY_V3;
		else if (strcmp(v, "v2") == 0)
			x->c->pay_api = CONFIG_PAY_V2;
		else
			return fail(x, k->name, "'%s' is not v3 or v2", v);
		break;
	case V_PCORDER:
		if (strcmp(v, "pay_first") == 0)
			x->c->pc_order = CONFIG_PC_PAY_FIRST;
		else if (strcmp(v, "use_first") == 0)
			x->c->pc_order = CONFIG_PC_USE_FIRST;
		else
			return fail(x, k->name,
			    "'%s' is not pay_first or use_first", v);
		break;
	case V_SIGNTYPE:
		if (strcmp(v, "HMAC-SHA256") == 0)
			x->c->pay_v2_md5 = 0;
		else if (strcmp(v, "MD5") == 0)
			x->c->pay_v2_md5 = 1;
		else
			return fail(x, k->name,
			    "'%s' is not HMAC-SHA256 or MD5", v);
		break;
	case V_PRINTER:
		/* the same grammar as drivers/printer.h's printer_spec_parse
		 * (util cannot call drivers): checked again when printing */
		if (strncmp(v, "file:", 5) == 0 ? v[5] == '\0' :
		    strncmp(v, "tcp:", 4) == 0 ? v[4] == '\0' : v[0] != '/')
			return fail(x, k->name, "'%s' is not /dev/... | "
			    "tcp:HOST[:PORT] | file:PATH", v);
		set_str(sp, v);
		break;
	case V_PCMODE:
		if (strcmp(v, "partner") == 0)
			x->c->pc_mode = CONFIG_PC_PARTNER;
		else if (strcmp(v, "brand") == 0)
			x->c->pc_mode = CONFIG_PC_BRAND;
		else
			return fail(x, k->name, "'%s' is not partner or brand",
			    v);
		break;
	case V_WIDTH:
		if (strcmp(v, "58") == 0)
			x->c->printer_width_mm = 58;
		else if (strcmp(v, "80") == 0)
			x->c->printer_width_mm = 80;
		else
			return fail(x, k->name, "'%s' is not 58 or 80", v);
		break;
	case V_POLICY:
		if (config_policy_parse(v, (enum config_policy *)
		    ((char *)x->c + k->off)) != 0)
			return fail(x, k->name, "'%s' is not online_only|"
			    "offline_known_only|offline_ok", v);
		break;
	}
	return 1;
}

/* "stock \"1212\"" or "stock:1212" -> kind + id; 0 when not a target. */
static int
split_target(const char *sec, enum config_target_kind *kind, char *id,
    int *bad)
{
	const char *rest;
	size_t n;

	*bad = 0;
	if (strncmp(sec, "stock", 5) == 0) {
		*kind = CONFIG_STOCK;
		rest = sec + 5;
	} else if (strncmp(sec, "card", 4) == 0) {
		*kind = CONFIG_CARD;
		rest = sec + 4;
	} else
		return 0;
	if (*rest == ':')
		rest++;
	else if (*rest == ' ') {
		while (*rest == ' ')
			rest++;
		if (*rest != '"')
			return (*bad = 1);
		rest++;
		n = strlen(rest);
		if (n < 2 || rest[n - 1] != '"')
			return (*bad = 1);
		n--;
		goto copy;
	} else
		return 0;
	n = strlen(rest);
copy:
	if (n == 0 || n > CONFIG_ID_MAX)
		return (*bad = 1);
	memcpy(id, rest, n);
	id[n] = '\0';
	if (!all_in(id, ALNUM "_-"))
		return (*bad = 1);
	return 1;
}

static struct config_target *
target_get(struct config *c, enum config_target_kind kind, const char *id)
{
	struct config_target *t;
	int i;

	for (i = 0; i < c->ntargets; i++)
		if (c->targets[i].kind == kind &&
		    strcmp(c->targets[i].id, id) == 0)
			return &c->targets[i];
	if (c->ntargets >= CONFIG_TARGETS_MAX)
		return NULL;
	c->targets = xrealloc(c->targets, (c->ntargets + 1) * sizeof *t);
	t = &c->targets[c->ntargets++];
	memset(t, 0, sizeof *t);
	t->kind = kind;
	memcpy(t->id, id, strlen(id) + 1);
	t->per_txn = 1;
	return t;
}

static int
target_key(struct ctx *x, struct config_target *t, const char *name,
    const char *v)
{
	int64_t n;

	if (strcmp(name, "policy") == 0) {
		if (config_policy_parse(v, &t->policy) != 0)
			return fail(x, name, "'%s' is not online_only|"
			    "offline_known_only|offline_ok", v);
		t->has_policy = 1;
	} else if (strcmp(name, "prefix") == 0) {
		if (strlen(v) > CONFIG_PREFIX_MAX)
			return fail(x, name, "'%s' is longer than 32", v);
		memcpy(t->prefix, v, strlen(v) + 1);
	} else if (strcmp(name, "min_len") == 0) {
		if (parse_i64(v, 1, 128, &n) != 0)
			return fail(x, name, "'%s' is not in 1..128", v);
		t->min_len = (int)n;
	} else if (strcmp(name, "max_len") == 0) {
		if (parse_i64(v, 1, 128, &n) != 0)
			return fail(x, name, "'%s' is not in 1..128", v);
		t->max_len = (int)n;
	} else if (strcmp(name, "charset") == 0) {
		if (strcmp(v, "digits") == 0)
			t->charset = CONFIG_CHARSET_DIGITS;
		else if (strcmp(v, "alnum") == 0)
			t->charset = CONFIG_CHARSET_ALNUM;
		else if (strcmp(v, "wechat") == 0)
			t->charset = CONFIG_CHARSET_WECHAT;
		else
			return fail(x, name,
			    "'%s' is not digits|alnum|wechat", v);
	} else if (strcmp(name, "per_txn") == 0) {
		if (parse_i64(v, 1, 100, &n) != 0)
			return fail(x, name, "'%s' is not in 1..100", v);
		t->per_txn = (int)n;
	} else
		return fail(x, name, "unknown key%s", "");
	if (t->min_len != 0 && t->max_len != 0 && t->min_len > t->max_len)
		return fail(x, name, "min_len is above max_len%s", "");
	return 1;
}

static int
handler(void *user, const char *section, const char *name, const char *value)
{
	struct ctx *x = user;
	enum config_target_kind kind;
	char id[CONFIG_ID_MAX + 1];
	struct config_target *t;
	size_t i;
	int bad;

	if (x->cause != NULL)
		return 1; /* report only the first error */
	if (split_target(section, &kind, id, &bad)) {
		if (bad)
			return fail(x, section, "bad section name "
			    "(use [stock \"ID\"] with ID of [0-9A-Za-z_-]%s)",
			    "");
		if ((t = target_get(x->c, kind, id)) == NULL)
			return fail(x, section, "too many stock/card "
			    "sections%s", "");
		if (name == NULL)
			return 1;
		return target_key(x, t, name, value);
	}
	for (i = 0; i < sizeof keys / sizeof keys[0]; i++) {
		if (strcmp(keys[i].section, section) != 0)
			continue;
		if (name == NULL)
			return 1; /* known section, new-section call */
		if (strcmp(keys[i].name, name) == 0)
			return set_key(x, &keys[i], value);
	}
	if (name == NULL) {
		if (strcmp(section, "terminal") == 0 ||
		    strcmp(section, "wechatpay") == 0 ||
		    strcmp(section, "card") == 0 ||
		    strcmp(section, "offline") == 0 ||
		    strcmp(section, "scanner") == 0 ||
		    strcmp(section, "store") == 0 ||
		    strcmp(section, "printer") == 0 ||
		    strcmp(section, "hub") == 0)
			return 1;
		return fail(x, section, "unknown section [%s]", section);
	}
	for (i = 0; i < sizeof keys / sizeof keys[0]; i++)
		if (strcmp(keys[i].section, section) == 0)
			return fail(x, name, "unknown key in [%s]", section);
	return fail(x, name, "unknown section [%s]", section);
}

/* A section header seen by the reader: this inih build does not call the
 * handler for a section without keys, yet a bare [stock "1212"] must
 * still declare that stock (and a bare unknown section is an error). */
static void
section_seen(struct ctx *x, const char *line)
{
	const char *p = line, *end;
	char name[CONFIG_ID_MAX + 16];
	size_t n;

	while (*p == ' ' || *p == '\t')
		p++;
	if (*p != '[' || (end = strchr(p, ']')) == NULL)
		return;
	p++;
	while (*p == ' ' || *p == '\t')
		p++;
	n = (size_t)(end - p);
	while (n > 0 && (p[n - 1] == ' ' || p[n - 1] == '\t'))
		n--;
	if (n == 0 || n >= sizeof name) {
		if (n >= sizeof name && x->cause == NULL)
			fail(x, "section", "section name too long%s", "");
		return;
	}
	memcpy(name, p, n);
	name[n] = '\0';
	handler(x, name, NULL, NULL);
}

/* The reader counts lines so errors can name them. */
static char *
reader(char *str, int num, void *stream)
{
	struct ctx *x = stream;
	char *r = fgets(str, num, x->fp);

	if (r != NULL) {
		x->line++;
		section_seen(x, r);
	}
	return r;
}

static char *
dirname_of(const char *path)
{
	const char *slash = strrchr(path, '/');

	if (slash == NULL)
		return xstrdup(".");
	if (slash == path)
		return xstrdup("/");
	return xstrndup(path, (size_t)(slash - path));
}

/* [product_coupon]: what each mode cannot work without, said at load. */
static int
pc_check(const struct config *c, char **cause)
{
	const char *miss = NULL;

	if (c->pc_mode == CONFIG_PC_OFF)
		return 0;
	if (c->pc_brand_id[0] == '\0')
		miss = "brand_id";
	else if (c->pc_appid[0] == '\0')
		miss = "appid";
	else if (c->pc_mode == CONFIG_PC_BRAND) {
		if (c->pc_brand_serial[0] == '\0')
			miss = "brand_serial";
		else if (c->pc_private_key[0] == '\0')
			miss = "private_key";
		else if (c->pc_public_key_id[0] == '\0')
			miss = "public_key_id";
		else if (c->pc_public_key[0] == '\0')
			miss = "public_key";
	} else if (c->wx_mchid[0] == '\0' || c->wx_private_key[0] == '\0')
		miss = "[wechatpay] mchid and private_key (partner mode)";
	if (miss == NULL)
		return 0;
	*cause = xasprintf("%s: [product_coupon] mode = %s needs %s", c->path,
	    c->pc_mode == CONFIG_PC_BRAND ? "brand" : "partner", miss);
	return -1;
}

int
config_load(const char *path, struct config **out, char **cause)
{
	struct ctx x;
	struct config *c = NULL;
	struct stat st;
	int rc = QUAN_ECONFIG, r;

	memset(&x, 0, sizeof x);
	if ((x.fp = fopen(path, "re")) == NULL) {
		*cause = xasprintf("%s: cannot open config: %s", path,
		    strerror(errno));
		return QUAN_ECONFIG;
	}
	/* whoever can write the config chooses the WeChat URL, the CA and
	 * the offline caps: refused like a key file others can read */
	if (fstat(fileno(x.fp), &st) == 0 && (st.st_mode & 022) != 0) {
		*cause = xasprintf("%s: config file is writable by group/other "
		    "(mode %03o); refused: run chmod go-w %s", path,
		    (unsigned)(st.st_mode & 0777), path);
		fclose(x.fp);
		return QUAN_ECONFIG;
	}
	config_defaults(&c);
	set_str(&c->path, path);
	x.c = c;
	x.file = path;
	x.dir = dirname_of(path);
	r = ini_parse_stream(reader, &x, handler, &x);
	if (x.cause != NULL) {
		*cause = x.cause;
		x.cause = NULL;
		goto out;
	}
	if (r > 0) {
		*cause = xasprintf("%s:%d: syntax error (expected [section] "
		    "or key = value)", path, r);
		goto out;
	}
	if (r < 0) {
		*cause = xasprintf("%s: cannot read config", path);
		goto out;
	}
	if (c->pay_api == CONFIG_PAY_V2 && (c->pay_v2_key_file[0] == '\0' ||
	    c->pay_v2_cert[0] == '\0')) {
		*cause = xasprintf("%s: [pay] api = v2 needs v2_key_file (the "
		    "APIv2 key) and v2_cert (apiclient_cert.pem, for "
		    "/secapi/)", path);
		goto out;
	}
	if (pc_check(c, cause) != 0)
		goto out;
	*out = c;
	c = NULL;
	rc = QUAN_OK;
out:
	fclose(x.fp);
	free(x.dir);
	free(x.cause);
	config_free(c);
	return rc;
}

int
config_load_default(const char *opt, struct config **out, char **cause)
{
	const char *p = opt;

	if (p == NULL || *p == '\0')
		p = getenv("QUAN_CONFIG");
	if (p == NULL || *p == '\0') {
		config_defaults(out);
		return QUAN_OK;
	}
	return config_load(p, out, cause);
}

const struct config_target *
config_target_find(const struct config *c, enum config_target_kind kind,
    const char *id)
{
	int i;

	for (i = 0; i < c->ntargets; i++)
		if (c->targets[i].kind == kind &&
		    strcmp(c->targets[i].id, id) == 0)
			return &c->targets[i];
	return NULL;
}

enum config_policy
config_policy_of(const struct config *c, enum config_target_kind kind,
    const char *id)
{
	const struct config_target *t = config_target_find(c, kind, id);

	if (t != NULL && t->has_policy)
		return t->policy;
	return c->off_default_policy;
}
