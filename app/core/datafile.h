/*
 * datafile.h — a command's or terminal's store, opened the one way every
 * process opens it: read-only when the medium is (for the reading
 * commands), the whole file checked first (always, or when no process
 * checked it for DATAFILE_CHECK_EVERY_S), damage found by any process
 * refused, the journal key made at the first start, a configuration
 * change journaled, and the conflicts a schema migration made journaled
 * once. The program calls this, not the store. Main thread.
 */
#ifndef QUAN_DATAFILE_H
#define QUAN_DATAFILE_H

#include <stdint.h>

struct config;
struct store;

#define DATAFILE_RO_OK 0x1      /* a read-only file opens read-only; no
                                   journal key is needed */
#define DATAFILE_CHECK 0x2      /* PRAGMA quick_check first */
#define DATAFILE_CHECK_DUE 0x4  /* the same, when the last check of any
                                   process is DATAFILE_CHECK_EVERY_S old */
#define DATAFILE_CHECK_EVERY_S 600

struct datafile_info {
	int readonly;           /* opened read-only (DATAFILE_RO_OK) */
	int migrated;           /* redemptions the migration made conflicts */
};

/* Open db_path for cfg. 0, or QUAN_E* with *cause (caller frees; *out
 * NULL): the store's words, which for a damaged file name the next step.
 * A config change or migration that cannot be journaled is logged, not
 * fatal. */
int datafile_open(const char *db_path, const struct config *cfg, int flags,
    struct store **out, struct datafile_info *info, char **cause);
void datafile_close(struct store *st);  /* NULL-safe */
/* The store's words on its last error; datafile_damage the same when the
 * file is damaged, else NULL. */
const char *datafile_errmsg(struct store *st);
const char *datafile_damage(struct store *st);
/* The database's size in bytes (pages in use and free). */
int datafile_size(struct store *st, int64_t *bytes);

#endif
