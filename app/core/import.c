/*
 * import.c — all-or-nothing imports of stocks, cards and codes (import.h).
 */
#include <errno.h>
#include <inttypes.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "core/import.h"
#include "core/rules.h"
#include "store/store.h"
#include "util/err.h"
#include "util/tm.h"
#include "util/xmem.h"

static int
load_array(const char *path, json_t **out, char **cause)
{
	json_error_t e;
	FILE *fp;
	json_t *a;
	long sz;

	if ((fp = fopen(path, "re")) == NULL) {
		*cause = xasprintf("%s: %s", path, strerror(errno));
		return QUAN_ENOTFOUND;
	}
	if (fseek(fp, 0, SEEK_END) == 0 && (sz = ftell(fp)) > IMPORT_FILE_MAX) {
		fclose(fp);
		*cause = xasprintf("%s: file larger than %ld bytes", path,
		    IMPORT_FILE_MAX);
		return QUAN_ETOOBIG;
	}
	rewind(fp);
	a = json_loadf(fp, JSON_REJECT_DUPLICATES, &e);
	fclose(fp);
	if (a == NULL) {
		*cause = xasprintf("%s:%d:%d: bad JSON: %s", path, e.line,
		    e.column, e.text);
		return QUAN_EINVAL;
	}
	if (!json_is_array(a)) {
		json_decref(a);
		*cause = xasprintf("%s: expected a JSON array of objects",
		    path);
		return QUAN_EINVAL;
	}
	*out = a;
	return QUAN_OK;
}

static void
set_name(char *out, size_t n, const char *s)
{
	snprintf(out, n, "%s", s != NULL ? s : "");
}

static int
import_defs(struct store *st, const char *path, int64_t now, int64_t *n,
    char **cause, int cards)
{
	json_t *a = NULL, *el;
	struct store_def *defs = NULL;
	char **raws = NULL;
	size_t i, cnt = 0;
	int rc;

	*n = 0;
	if ((rc = load_array(path, &a, cause)) != 0)
		return rc;
	cnt = json_array_size(a);
	if (cnt > 0) {
		defs = xcalloc(cnt, sizeof *defs);
		raws = xcalloc(cnt, sizeof *raws);
	}
	json_array_foreach(a, i, el) {
		struct rules_def d;
		char *why = NULL;
		json_t *obj = el;

		if (!json_is_object(el)) {
			*cause = xasprintf("%s: record %zu: not an object",
			    path, i + 1);
			rc = QUAN_EINVAL;
			goto out;
		}
		if (cards && json_object_get(el, "card") != NULL)
			obj = json_object_get(el, "card"); /* card/get reply */
		rc = cards ? rules_card_from_json((struct json_t *)obj, &d, &why) :
		    rules_stock_from_json((struct json_t *)obj, &d, &why);
		if (rc != 0) {
			json_t *idv = json_object_get(el, "stock_id");

			*cause = xasprintf("%s: record %zu%s%s%s: %s", path,
			    i + 1, json_is_string(idv) ? " (stock_id " : "",
			    json_is_string(idv) ? json_string_value(idv) : "",
			    json_is_string(idv) ? ")" : "",
			    why != NULL ? why : quan_strerror(rc));
			free(why);
			rc = QUAN_EINVAL;
			goto out;
		}
		free(why);
		if (d.id[0] == '\0' || strlen(d.id) > STORE_ID_MAX) {
			*cause = xasprintf("%s: record %zu: missing or "
			    "over-long id", path, i + 1);
			rc = QUAN_EINVAL;
			goto out;
		}
		set_name(defs[i].id, sizeof defs[i].id, d.id);
		set_name(defs[i].type, sizeof defs[i].type,
		    rules_type_id(d.type));
		set_name(defs[i].state, sizeof defs[i].state, d.state);
		set_name(defs[i].name, sizeof defs[i].name, d.name);
		defs[i].fetched_at = now;
		raws[i] = json_dumps(obj, JSON_COMPACT | JSON_PRESERVE_ORDER);
		if (raws[i] == NULL) {
			*cause = xasprintf("%s: record %zu: cannot encode",
			    path, i + 1);
			rc = QUAN_EINVAL;
			goto out;
		}
		defs[i].raw = raws[i];
	}
	if ((rc = store_begin(st)) != 0)
		goto store_err;
	for (i = 0; i < cnt; i++) {
		rc = cards ? store_card_put(st, &defs[i]) :
		    store_stock_put(st, &defs[i]);
		if (rc != 0) {
			store_rollback(st);
			goto store_err;
		}
	}
	if ((rc = store_commit(st)) != 0)
		goto store_err;
	*n = (int64_t)cnt;
	goto out;
store_err:
	*cause = xasprintf("%s", store_errmsg(st));
out:
	for (i = 0; i < cnt; i++)
		free(raws[i]);
	free(raws);
	free(defs);
	json_decref(a);
	return rc;
}

int
import_stocks(struct store *st, const char *path, int64_t now, int64_t *n,
    char **cause)
{
	return import_defs(st, path, now, n, cause, 0);
}

int
import_cards(struct store *st, const char *path, int64_t now, int64_t *n,
    char **cause)
{
	return import_defs(st, path, now, n, cause, 1);
}

int
import_code_ok(const char *s, size_t len)
{
	size_t i;

	if (len == 0 || len > STORE_CODE_MAX)
		return 0;
	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];

		if ((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') ||
		    (c >= 'A' && c <= 'Z'))
			continue;
		if (strchr(" -_\\/=|", c) == NULL || c == '\0')
			return 0;
	}
	return 1;
}

/* Split a CSV line (no quoting: codes never contain commas) into at most
 * max fields; returns the count. */
static int
split(char *line, char **f, int max)
{
	int n = 0;
	char *p = line;

	for (;;) {
		char *comma = strchr(p, ',');

		if (n == max)
			return max + 1;
		f[n++] = p;
		if (comma == NULL)
			break;
		*comma = '\0';
		p = comma + 1;
	}
	return n;
}

int
import_codes(struct store *st, FILE *fp, const char *name, int64_t now,
    int64_t *n, char **cause)
{
	char line[IMPORT_LINE_MAX + 2];
	struct store_code c;
	int64_t lineno = 0, cnt = 0;
	int rc;

	(void)now;
	*n = 0;
	store_set_cache_kb(st, IMPORT_CACHE_KB);
	if ((rc = store_begin(st)) != 0) {
		store_set_cache_kb(st, 0);
		*cause = xasprintf("%s", store_errmsg(st));
		return rc;
	}
	while (fgets(line, sizeof line, fp) != NULL) {
		char *f[6] = {NULL, NULL, NULL, NULL, NULL, NULL};
		size_t len = strlen(line);
		int nf;

		lineno++;
		if (len > IMPORT_LINE_MAX) {
			*cause = xasprintf("%s:%" PRId64 ": line longer than "
			    "%d bytes", name, lineno, IMPORT_LINE_MAX);
			rc = QUAN_ETOOBIG;
			goto bad;
		}
		while (len > 0 && (line[len - 1] == '\n' ||
		    line[len - 1] == '\r'))
			line[--len] = '\0';
		if (len == 0 || line[0] == '#')
			continue;
		if (lineno == 1 && strncmp(line, "code,", 5) == 0)
			continue;
		nf = split(line, f, 5);
		if (nf != 3 && nf != 5) {
			*cause = xasprintf("%s:%" PRId64 ": expected code,kind,"
			    "stock_or_card_id[,openid,received_at]", name,
			    lineno);
			rc = QUAN_EINVAL;
			goto bad;
		}
		memset(&c, 0, sizeof c);
		if (!import_code_ok(f[0], strlen(f[0]))) {
			*cause = xasprintf("%s:%" PRId64 ": bad code (1-%d "
			    "characters of 0-9 a-z A-Z space - _ \\ / = |)",
			    name, lineno, STORE_CODE_MAX);
			rc = QUAN_EINVAL;
			goto bad;
		}
		memcpy(c.code, f[0], strlen(f[0]) + 1);
		if (store_kind_parse(f[1], &c.kind) != 0) {
			*cause = xasprintf("%s:%" PRId64 ": kind must be "
			    "merchant or card", name, lineno);
			rc = QUAN_EINVAL;
			goto bad;
		}
		if (f[2][0] == '\0' || strlen(f[2]) > STORE_ID_MAX ||
		    !import_code_ok(f[2], strlen(f[2]))) {
			*cause = xasprintf("%s:%" PRId64 ": bad stock/card id",
			    name, lineno);
			rc = QUAN_EINVAL;
			goto bad;
		}
		memcpy(c.target, f[2], strlen(f[2]) + 1);
		memcpy(c.state, "issued", 7);
		if (nf == 5) {
			char *end;

			if (strlen(f[3]) > STORE_OPENID_MAX ||
			    (f[3][0] != '\0' &&
			    !import_code_ok(f[3], strlen(f[3])))) {
				*cause = xasprintf("%s:%" PRId64 ": bad openid",
				    name, lineno);
				rc = QUAN_EINVAL;
				goto bad;
			}
			memcpy(c.openid, f[3], strlen(f[3]) + 1);
			if (f[4][0] != '\0') {
				errno = 0;
				c.received_at = strtoll(f[4], &end, 10);
				if (errno != 0 || *end != '\0' ||
				    c.received_at < 0) {
					if (tm_parse_rfc3339(f[4],
					    &c.received_at) != 0) {
						*cause = xasprintf("%s:%" PRId64
						    ": bad received_at (epoch "
						    "s or RFC 3339)", name,
						    lineno);
						rc = QUAN_EINVAL;
						goto bad;
					}
				}
			}
		}
		if ((rc = store_code_put(st, &c)) != 0) {
			*cause = xasprintf("%s:%" PRId64 ": %s", name, lineno,
			    store_errmsg(st));
			goto bad;
		}
		cnt++;
	}
	if (ferror(fp)) {
		*cause = xasprintf("%s: read error", name);
		rc = QUAN_EIO;
		goto bad;
	}
	if ((rc = store_commit(st)) != 0) {
		*cause = xasprintf("%s", store_errmsg(st));
		store_set_cache_kb(st, 0);
		return rc;
	}
	store_set_cache_kb(st, 0);
	*n = cnt;
	return QUAN_OK;
bad:
	store_rollback(st);
	store_set_cache_kb(st, 0);
	return rc;
}
