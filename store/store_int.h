/*
 * store_int.h — what store.c lends the other files of the store layer
 * (store_import.c, store_archive.c): the SQLite handle, the mapping of a
 * SQLite result code to QUAN_E* with its message (a damaged database
 * marks the handle), and plain SQL run with that mapping. Private to
 * store/.
 */
#ifndef QUAN_STORE_INT_H
#define QUAN_STORE_INT_H

#include <sqlite3.h>

#include "store/store.h"

sqlite3 *store_handle(struct store *s);
int store_sqlfail(struct store *s, int rc, const char *what);
/* sqlite3_exec of sql; errors mapped as store_sqlfail. */
int store_sqlexec(struct store *s, const char *sql, const char *what);

#endif
