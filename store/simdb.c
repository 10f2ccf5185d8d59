/*
 * simdb.c — SQLite behind simdb.h: a cached-statement runner that speaks
 * jansson (parameters in, rows out). The simulator's schema and statements
 * are its own (app/sim/schema.c and the endpoint files); this file knows
 * none of its tables.
 */
#include "store/simdb.h"

#include <string.h>

#include <sqlite3.h>

#include "util/err.h"
#include "util/log.h"
#include "util/xmem.h"

#define SIMDB_CACHE 64

struct simdb {
	sqlite3 *db;
	struct {
		const char *sql;
		sqlite3_stmt *st;
	} cache[SIMDB_CACHE];
	int ncache;
};

int
simdb_open(const char *path, const char *schema,
	const char *const *upgrades, struct simdb **out, char **cause)
{
	struct simdb *s;
	char *err = NULL;

	*out = NULL;
	s = xcalloc(1, sizeof *s);
	if (sqlite3_open_v2(path, &s->db, SQLITE_OPEN_READWRITE |
	    SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK) {
		*cause = xasprintf("%s: %s", path, s->db ?
			sqlite3_errmsg(s->db) : "cannot open");
		goto fail;
	}
	sqlite3_busy_timeout(s->db, 5000);
	if (sqlite3_exec(s->db, schema, NULL, NULL, &err) != SQLITE_OK) {
		*cause = xasprintf("%s: schema: %s", path,
			err ? err : "error");
		sqlite3_free(err);
		goto fail;
	}
	/* changes after the first schema: a failure means the change is
	 * there already ("duplicate column") */
	for (; upgrades != NULL && *upgrades != NULL; upgrades++)
		sqlite3_exec(s->db, *upgrades, NULL, NULL, NULL);
	*out = s;
	return 0;
fail:
	sqlite3_close(s->db);
	free(s);
	return QUAN_EIO;
}

void
simdb_close(struct simdb *s)
{
	int i;

	if (s == NULL)
		return;
	for (i = 0; i < s->ncache; i++)
		sqlite3_finalize(s->cache[i].st);
	sqlite3_close(s->db);
	free(s);
}

static sqlite3_stmt *
prepare(struct simdb *s, const char *sql, int *transient)
{
	sqlite3_stmt *st = NULL;
	int i;

	*transient = 0;
	for (i = 0; i < s->ncache; i++)
		if (s->cache[i].sql == sql)
			return s->cache[i].st;
	if (sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) != SQLITE_OK) {
		log_error("prepare: %s: %s", sqlite3_errmsg(s->db), sql);
		return NULL;
	}
	if (s->ncache < SIMDB_CACHE) {
		s->cache[s->ncache].sql = sql;
		s->cache[s->ncache].st = st;
		s->ncache++;
	} else {
		*transient = 1;
	}
	return st;
}

static int
bind_params(sqlite3_stmt *st, json_t *params)
{
	size_t i;
	json_t *v;

	if (params == NULL)
		return 0;
	json_array_foreach(params, i, v) {
		int rc, idx = (int)i + 1;

		switch (json_typeof(v)) {
		case JSON_STRING:
			rc = sqlite3_bind_text(st, idx, json_string_value(v),
				(int)json_string_length(v), SQLITE_TRANSIENT);
			break;
		case JSON_INTEGER:
			rc = sqlite3_bind_int64(st, idx,
				json_integer_value(v));
			break;
		case JSON_TRUE:
			rc = sqlite3_bind_int(st, idx, 1);
			break;
		case JSON_FALSE:
			rc = sqlite3_bind_int(st, idx, 0);
			break;
		case JSON_NULL:
			rc = sqlite3_bind_null(st, idx);
			break;
		default:
			return QUAN_EINVAL;
		}
		if (rc != SQLITE_OK)
			return QUAN_EIO;
	}
	return 0;
}

static json_t *
column(sqlite3_stmt *st, int i)
{
	switch (sqlite3_column_type(st, i)) {
	case SQLITE_INTEGER:
		return json_integer(sqlite3_column_int64(st, i));
	case SQLITE_FLOAT:
		return json_integer((json_int_t)sqlite3_column_int64(st, i));
	case SQLITE_TEXT:
	case SQLITE_BLOB:
		return json_stringn((const char *)sqlite3_column_text(st, i),
			(size_t)sqlite3_column_bytes(st, i));
	default:
		return json_null();
	}
}

int
simdb_run(struct simdb *s, const char *sql, json_t *params, json_t **rows)
{
	sqlite3_stmt *st;
	int transient, rc, ret = 0;

	if (rows != NULL)
		*rows = NULL;
	st = prepare(s, sql, &transient);
	if (st == NULL)
		return QUAN_EIO;
	if (bind_params(st, params) != 0) {
		ret = QUAN_EINVAL;
		goto out;
	}
	if (rows != NULL)
		*rows = json_array();
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		int i, n = sqlite3_column_count(st);
		json_t *o;

		if (rows == NULL)
			continue;
		o = json_object();
		for (i = 0; i < n; i++)
			json_object_set_new(o, sqlite3_column_name(st, i),
				column(st, i));
		json_array_append_new(*rows, o);
	}
	if (rc != SQLITE_DONE) {
		if ((rc & 0xff) == SQLITE_CONSTRAINT) {
			ret = QUAN_EEXIST;
		} else {
			log_error("step: %s", sqlite3_errmsg(s->db));
			ret = QUAN_EIO;
		}
		if (rows != NULL) {
			json_decref(*rows);
			*rows = NULL;
		}
	}
out:
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	if (transient)
		sqlite3_finalize(st);
	return ret;
}

json_t *
simdb_row(struct simdb *s, const char *sql, json_t *params)
{
	json_t *rows, *r;

	if (simdb_run(s, sql, params, &rows) != 0)
		return NULL;
	r = json_array_get(rows, 0);
	json_incref(r);
	json_decref(rows);
	return r;
}

int64_t
simdb_changes(struct simdb *s)
{
	return sqlite3_changes(s->db);
}

static int
exec(struct simdb *s, const char *sql)
{
	char *err = NULL;

	if (sqlite3_exec(s->db, sql, NULL, NULL, &err) != SQLITE_OK) {
		log_error("%s: %s", sql, err ? err : "error");
		sqlite3_free(err);
		return QUAN_EIO;
	}
	return 0;
}

int
simdb_begin(struct simdb *s)
{
	return exec(s, "BEGIN IMMEDIATE");
}

int
simdb_commit(struct simdb *s)
{
	return exec(s, "COMMIT");
}

void
simdb_rollback(struct simdb *s)
{
	if (!sqlite3_get_autocommit(s->db))
		exec(s, "ROLLBACK");
}
