/*
 * import_check.c — an import file checked without storing it (import.h):
 * the store hub keeps a file only after it passed the till's own checks
 * here, so every till can apply it (quan hub import).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/import.h"
#include "core/pcoupon_import.h"
#include "store/store.h"
#include "util/err.h"
#include "util/tm.h"
#include "util/xmem.h"

int
import_list_parse(const char *s, enum import_list *out)
{
	static const char *const names[] = {"stocks", "cards", "codes",
	    "product"};
	size_t i;

	for (i = 0; i < sizeof names / sizeof names[0]; i++)
		if (strcmp(s, names[i]) == 0) {
			*out = (enum import_list)i;
			return 0;
		}
	return -1;
}

static int
import_into(struct store *st, enum import_list l, const char *path,
    int64_t *n, char **cause)
{
	struct pc_import_counts k;
	FILE *fp;
	int rc;

	if (l == IMPORT_PRODUCT) {
		rc = import_product(st, path, tm_now(), &k, cause);
		*n = k.products + k.stocks + k.coupons;
		return rc;
	}
	if (l != IMPORT_CODES)
		return (l == IMPORT_STOCKS ? import_stocks : import_cards)(st,
		    path, tm_now(), n, cause);
	if ((fp = fopen(path, "re")) == NULL) {
		*cause = xasprintf("%s: cannot open: %s", path,
		    strerror(errno));
		return QUAN_ENOTFOUND;
	}
	rc = import_codes(st, fp, path, tm_now(), n, NULL, cause);
	fclose(fp);
	return rc;
}

int
import_check(enum import_list l, const char *path, int64_t *n, char **cause)
{
	static const char *const files[] = {"", "-wal", "-shm", ".import"};
	char dir[] = "/tmp/quan-importcheck-XXXXXX", db[96];
	struct store *st = NULL;
	size_t i;
	int rc;

	*n = 0;
	if (mkdtemp(dir) == NULL) {
		*cause = xasprintf("scratch store: %s", strerror(errno));
		return QUAN_EIO;
	}
	snprintf(db, sizeof db, "%s/check.db", dir);
	if ((rc = store_open(db, 0, &st, cause)) == 0) {
		rc = import_into(st, l, path, n, cause);
		store_close(st);
	}
	for (i = 0; i < sizeof files / sizeof files[0]; i++) {
		snprintf(db, sizeof db, "%s/check.db%s", dir, files[i]);
		unlink(db);
	}
	rmdir(dir);
	return rc;
}
