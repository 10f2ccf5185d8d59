/*
 * journal_files.c — `quan journal verify` over files (journal.h): the
 * live store and the archive files checked page by page first, then the
 * chain walked across them.
 */
#include <stdlib.h>

#include "core/journal.h"
#include "store/store.h"
#include "util/err.h"
#include "util/xmem.h"

int
journal_check_files(struct store *live, const char *const *paths,
    size_t n, struct journal_check *out, char **cause)
{
	struct store **arcs = xcalloc(n > 0 ? n : 1, sizeof *arcs);
	char *why = NULL;
	size_t i, opened = 0;
	int rc;

	*cause = NULL;
	for (i = 0; i < n; i++, opened++)
		if ((rc = store_open(paths[i], STORE_O_READONLY |
		    STORE_O_OLDER_OK, &arcs[i], &why)) != 0) {
			*cause = why;
			goto out;
		}
	/* a chain that verifies says nothing about the other pages: the
	 * whole file is checked first (the store's words say what to do
	 * next) */
	if ((rc = store_check(live)) != 0) {
		*cause = xstrdup(store_errmsg(live));
		goto out;
	}
	for (i = 0; i < n; i++)
		if ((rc = store_check(arcs[i])) != 0) {
			*cause = xasprintf("archive damaged: %s",
			    store_errmsg(arcs[i]));
			goto out;
		}
	if ((rc = journal_check(live, arcs, paths, n, out, &why)) != 0) {
		*cause = xasprintf("verify FAILED: %s", why != NULL ? why :
		    quan_strerror(rc));
		free(why);
	}
out:
	for (i = 0; i < opened; i++)
		store_close(arcs[i]);
	free(arcs);
	return rc;
}
