/*
 * simdb.h — SQLite for the WeChat simulator (DIR/sim.db), jansson-shaped:
 * parameters in as a JSON array, rows out as JSON objects, statements
 * prepared once and cached. It knows none of the simulator's tables: the
 * simulator passes its schema (app/sim/schema.c) and runs its own SQL.
 * It lives in store/ because <sqlite3.h> has one home.
 *
 * One struct simdb is one connection; it is NOT thread-safe: the caller
 * serialises access (the simulator holds one mutex around it).
 */
#ifndef QUAN_SIMDB_H
#define QUAN_SIMDB_H

#include <stdint.h>

#include <jansson.h>

struct simdb;

/* Open (creating) the database at path and run schema (SQL text,
 * idempotent), then each of the NULL-terminated upgrades (may be NULL),
 * whose failures are ignored (a change already made). Errors: QUAN_EIO
 * with *cause (caller frees). */
int simdb_open(const char *path, const char *schema,
	const char *const *upgrades, struct simdb **out, char **cause);
void simdb_close(struct simdb *db); /* NULL-safe */

/* Run one SQL statement. params: a JSON array (borrowed; NULL = none) of
 * strings, integers, booleans (as 0/1) or nulls bound to ?1.. in order.
 * sql must be a string constant (statements are cached by pointer).
 * rows (if not NULL) gets a new JSON array of objects keyed by column name
 * (caller json_decref()s). Returns 0, QUAN_EEXIST on a constraint
 * violation, QUAN_EIO otherwise (logged). */
int simdb_run(struct simdb *db, const char *sql, json_t *params,
	json_t **rows);
/* Convenience: the first row of a query as a new object, or NULL when
 * there is none (or on error). */
json_t *simdb_row(struct simdb *db, const char *sql, json_t *params);
/* Rows changed by the last statement. */
int64_t simdb_changes(struct simdb *db);

int simdb_begin(struct simdb *db);    /* BEGIN IMMEDIATE */
int simdb_commit(struct simdb *db);
void simdb_rollback(struct simdb *db);

#endif
