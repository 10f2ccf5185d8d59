/*
 * import.c — all-or-nothing imports of stocks, cards and codes (import.h).
 */
#include <errno.h>
#include <inttypes.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/import.h"
#include "core/rules.h"
#include "store/store.h"
#include "util/err.h"
#include "util/log.h"
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
	{
		/* skip a UTF-8 byte-order mark (files saved on Windows) */
		unsigned char bom[3];

		if (fread(bom, 1, 3, fp) != 3 || bom[0] != 0xef ||
		    bom[1] != 0xbb || bom[2] != 0xbf)
			rewind(fp);
	}
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
		rc = cards ?
		    rules_card_from_json((struct json_t *)obj, &d, &why) :
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

/* Codes are parsed and checked into a chunk, sorted, then staged in one
 * short transaction per chunk (store_stage_put): the B-tree sees
 * ascending keys, and other processes' writers get the lock between
 * chunks. Equal codes keep file order (the last line wins). Once the
 * whole file is good, the staged codes are published into the cache,
 * again a chunk per transaction (store_stage_move). */
#define CHUNK_RECS 65536
#define CHUNK_BYTES (2u << 20)
#define PUBLISH_ROWS 16384      /* codes moved per publish transaction */
#define YIELD_NS 3000000        /* pause between transactions: a waiting
                                   writer polls every 1 ms (store) */

struct rec {                  /* 32 bytes: strings are arena offsets */
	uint32_t code, target, openid;
	int32_t kind;
	int64_t received_at;
	int64_t lineno;
};

struct chunk {
	struct rec *r;
	struct store_code_in *in;
	size_t n;
	char *arena;
	size_t used;
};

static uint32_t
chunk_str(struct chunk *k, const char *s)
{
	size_t l = strlen(s) + 1;
	uint32_t off = (uint32_t)k->used;

	memcpy(k->arena + off, s, l);
	k->used += l;
	return off;
}

static const char *sort_arena; /* qsort has no context argument */

static int
rec_cmp(const void *a, const void *b)
{
	const struct rec *x = a, *y = b;
	int c = strcmp(sort_arena + x->code, sort_arena + y->code);

	if (c != 0)
		return c;
	return x->lineno < y->lineno ? -1 : x->lineno > y->lineno;
}

static void
yield(void)
{
	struct timespec ts = { 0, YIELD_NS };

	nanosleep(&ts, NULL);
}

static int
chunk_flush(struct store *st, struct chunk *k, const char *name,
    struct store_import_counts *cnt, char **cause)
{
	size_t i;
	int rc;

	if (k->n == 0)
		return QUAN_OK;
	sort_arena = k->arena;
	qsort(k->r, k->n, sizeof *k->r, rec_cmp);
	sort_arena = NULL;
	for (i = 0; i < k->n; i++) {
		const struct rec *r = &k->r[i];

		k->in[i].code = k->arena + r->code;
		k->in[i].kind = r->kind == 1 ? STORE_CARD : STORE_MERCHANT;
		k->in[i].target = k->arena + r->target;
		k->in[i].openid = k->arena + r->openid;
		k->in[i].received_at = r->received_at;
	}
	if ((rc = store_begin(st)) != 0 ||
	    (rc = store_stage_put(st, k->in, k->n, cnt)) != 0 ||
	    (rc = store_commit(st)) != 0) {
		store_rollback(st);
		*cause = xasprintf("%s:%" PRId64 "-%" PRId64 ": %s", name,
		    k->r[0].lineno, k->r[k->n - 1].lineno, store_errmsg(st));
		return rc;
	}
	yield();
	k->n = 0;
	k->used = 0;
	return QUAN_OK;
}

static int
set_phase(struct store *st, const char *phase)
{
	int rc;

	if ((rc = store_begin(st)) != 0)
		return rc;
	if ((rc = store_meta_set(st, "import", phase)) != 0) {
		store_rollback(st);
		return rc;
	}
	return store_commit(st);
}

/* Move every staged code into the cache (publish) or drop them all,
 * a chunk per transaction; then the phase is cleared. */
static int
move_all(struct store *st, int publish, struct store_import_counts *cnt)
{
	int more = 1, rc;

	while (more) {
		if ((rc = store_begin(st)) != 0)
			return rc;
		if ((rc = store_stage_move(st, publish ? PUBLISH_ROWS :
		    -4 * PUBLISH_ROWS, cnt, &more)) != 0 ||
		    (rc = store_commit(st)) != 0) {
			store_rollback(st);
			return rc;
		}
		if (more)
			yield();
	}
	return set_phase(st, "");
}

/* An import cut off while publishing is finished (it was all good);
 * one cut off while staging is dropped (it was never published). */
static int
finish_earlier(struct store *st)
{
	struct store_import_counts c;
	char phase[32] = "";
	int rc;

	memset(&c, 0, sizeof c);
	(void)store_meta_get(st, "import", phase, sizeof phase);
	rc = move_all(st, strcmp(phase, "publishing") == 0, &c);
	if (rc == 0 && strcmp(phase, "publishing") == 0)
		log_warn("an import cut off while publishing is finished: "
		    "%" PRId64 " codes added, %" PRId64 " updated", c.added,
		    c.updated);
	return rc;
}

/* Leading and trailing blanks (spaces, tabs) of a CSV field. */
static char *
trim(char *s)
{
	size_t n;

	while (*s == ' ' || *s == '\t')
		s++;
	n = strlen(s);
	while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t'))
		s[--n] = '\0';
	return s;
}

int
import_codes(struct store *st, FILE *fp, const char *name, int64_t now,
    int64_t *n, struct store_import_counts *counts, char **cause)
{
	char line[IMPORT_LINE_MAX + 2];
	struct store_import_counts cnt;
	struct chunk k;
	struct rec r;
	int64_t lineno = 0;
	int rc, lock = -1, staged = 0;

	(void)now;
	*n = 0;
	memset(&cnt, 0, sizeof cnt);
	k.r = xcalloc(CHUNK_RECS, sizeof *k.r);
	k.in = xcalloc(CHUNK_RECS, sizeof *k.in);
	k.arena = xmalloc(CHUNK_BYTES);
	k.n = k.used = 0;
	if ((rc = store_import_lock(st, &lock)) != 0) {
		*cause = xasprintf("%s: %s", name, rc == QUAN_EBUSY ?
		    "another import is running on this data dir" :
		    "cannot take the import lock");
		goto done;
	}
	store_set_cache_kb(st, IMPORT_CACHE_KB);
	if ((rc = finish_earlier(st)) != 0 ||
	    (rc = set_phase(st, "staging")) != 0) {
		*cause = xasprintf("%s", store_errmsg(st));
		goto bad;
	}
	staged = 1;
	while (fgets(line, sizeof line, fp) != NULL) {
		char *f[6] = {NULL, NULL, NULL, NULL, NULL, NULL};
		size_t len = strlen(line);
		enum store_kind kind;
		int nf, i;

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
		/* "CSV UTF-8" from Excel starts with a byte-order mark */
		if (lineno == 1 && len >= 3 &&
		    memcmp(line, "\xef\xbb\xbf", 3) == 0) {
			memmove(line, line + 3, len - 3 + 1);
			len -= 3;
		}
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
		/* " QA001 , merchant" from a spreadsheet: the blanks around
		 * a field are not part of it (a code may hold inner ones) */
		for (i = 0; i < nf; i++)
			f[i] = trim(f[i]);
		memset(&r, 0, sizeof r);
		r.lineno = lineno;
		if (!import_code_ok(f[0], strlen(f[0]))) {
			*cause = xasprintf("%s:%" PRId64 ": bad code (1-%d "
			    "characters of 0-9 a-z A-Z space - _ \\ / = |)",
			    name, lineno, STORE_CODE_MAX);
			rc = QUAN_EINVAL;
			goto bad;
		}
		if (store_kind_parse(f[1], &kind) != 0) {
			*cause = xasprintf("%s:%" PRId64 ": kind must be "
			    "merchant or card", name, lineno);
			rc = QUAN_EINVAL;
			goto bad;
		}
		r.kind = kind == STORE_CARD ? 1 : 0;
		if (f[2][0] == '\0' || strlen(f[2]) > STORE_ID_MAX ||
		    !import_code_ok(f[2], strlen(f[2]))) {
			*cause = xasprintf("%s:%" PRId64 ": bad stock/card id",
			    name, lineno);
			rc = QUAN_EINVAL;
			goto bad;
		}
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
			if (f[4][0] != '\0') {
				errno = 0;
				r.received_at = strtoll(f[4], &end, 10);
				if (errno != 0 || *end != '\0' ||
				    r.received_at < 0) {
					if (tm_parse_rfc3339(f[4],
					    &r.received_at) != 0) {
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
		if (k.n == CHUNK_RECS || k.used + len + 3 > CHUNK_BYTES) {
			if ((rc = chunk_flush(st, &k, name, &cnt, cause)) != 0)
				goto bad;
		}
		r.code = chunk_str(&k, f[0]);
		r.target = chunk_str(&k, f[2]);
		r.openid = chunk_str(&k, nf == 5 ? f[3] : "");
		k.r[k.n++] = r;
	}
	if (ferror(fp)) {
		*cause = xasprintf("%s: read error", name);
		rc = QUAN_EIO;
		goto bad;
	}
	if ((rc = chunk_flush(st, &k, name, &cnt, cause)) != 0)
		goto bad;
	/* the whole file is good: publish. From here on it is finished,
	 * by the next import if this one is cut off. */
	if ((rc = set_phase(st, "publishing")) != 0 ||
	    (rc = move_all(st, 1, &cnt)) != 0) {
		*cause = xasprintf("%s: %s (an import cut off while "
		    "publishing is finished by the next quan import)", name,
		    store_errmsg(st));
		staged = 0;
		goto bad;
	}
	*n = cnt.added + cnt.updated;
	if (counts != NULL)
		*counts = cnt;
	rc = QUAN_OK;
	goto done;
bad:
	/* nothing of this file becomes visible */
	if (staged && move_all(st, 0, &cnt) != 0)
		log_warn("%s: staged codes left: %s (dropped by the next "
		    "import)", name, store_errmsg(st));
done:
	store_set_cache_kb(st, 0);
	store_import_unlock(lock);
	free(k.r);
	free(k.in);
	free(k.arena);
	return rc;
}
