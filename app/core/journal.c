/*
 * journal.c — hash-chained audit entries (see journal.h). The canonical
 * entry is "seq\nat\nkind\ntxn\nred\ndata" with data as compact, key-sorted,
 * ASCII JSON; hash = SHA-256(prev_hex || "\n" || canonical), lower-case hex.
 * The first entry's prev is 64 zeros. meta "journal_head" = "seq:hash".
 */
#include <inttypes.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/journal.h"
#include "crypto/crypto.h"
#include "store/store.h"
#include "util/buf.h"
#include "util/err.h"
#include "util/xmem.h"

static const char zero_hash[] =
    "0000000000000000000000000000000000000000000000000000000000000000";

static void
chain_hash(const char *prev, const struct store_jrow *j, char out[65])
{
	struct buf b;
	uint8_t h[CRYPTO_SHA256_LEN];

	buf_init(&b, 1u << 24);
	buf_printf(&b, "%s\n%" PRId64 "\n%" PRId64 "\n%s\n%" PRId64 "\n%"
	    PRId64 "\n", prev, j->seq, j->at, j->kind, j->txn_id, j->red_id);
	buf_adds(&b, j->data);
	crypto_sha256(buf_str(&b), b.len, h);
	crypto_hex(h, sizeof h, out);
	buf_free(&b);
}

int
journal_append(struct store *st, int64_t now, const char *kind,
    int64_t txn_id, int64_t red_id, const struct json_t *data)
{
	struct store_jrow j;
	char *text = NULL, head[96];
	int64_t last;
	int rc;

	memset(&j, 0, sizeof j);
	if ((rc = store_journal_last(st, &last, j.prev)) != 0)
		return rc;
	if (j.prev[0] == '\0')
		snprintf(j.prev, sizeof j.prev, "%s", zero_hash);
	if (data != NULL)
		text = json_dumps(data, JSON_COMPACT | JSON_SORT_KEYS |
		    JSON_ENSURE_ASCII);
	j.seq = last + 1;
	j.at = now;
	snprintf(j.kind, sizeof j.kind, "%s", kind);
	j.txn_id = txn_id;
	j.red_id = red_id;
	j.data = text != NULL ? text : "{}";
	chain_hash(j.prev, &j, j.hash);
	if ((rc = store_journal_insert(st, &j)) != 0)
		goto out;
	snprintf(head, sizeof head, "%" PRId64 ":%s", j.seq, j.hash);
	rc = store_meta_set(st, "journal_head", head);
out:
	free(text);
	return rc;
}

/* One journal walked: a live store's, or an archive file's. Its first
 * entry's prev is taken as given (the chain may start after a cut); the
 * archive anchors in it are kept for the cut checks. */
struct anchor {
	int64_t last_seq;
	char head[65];
};

struct seg {
	const char *name;         /* for messages: "live" or the file */
	int64_t first, last;      /* 0 when empty */
	char first_prev[65], last_hash[65];
	struct anchor *anchors;
	size_t nanchors;
	char *cause;
};

static void
take_anchor(struct seg *g, const struct store_jrow *j)
{
	json_t *d;
	const char *head;

	if (strcmp(j->kind, JOURNAL_ANCHOR) != 0)
		return;
	d = json_loads(j->data, 0, NULL);
	head = json_string_value(json_object_get(d, "head"));
	if (head != NULL) {
		g->anchors = xrealloc(g->anchors, (g->nanchors + 1) *
		    sizeof *g->anchors);
		g->anchors[g->nanchors].last_seq = json_integer_value(
		    json_object_get(d, "last_seq"));
		snprintf(g->anchors[g->nanchors].head, 65, "%s", head);
		g->nanchors++;
	}
	json_decref(d);
}

static int
verify_row(void *arg, const struct store_jrow *j)
{
	struct seg *g = arg;
	char want[65];

	if (g->first == 0) {
		g->first = j->seq;
		g->last = j->seq - 1;
		snprintf(g->first_prev, sizeof g->first_prev, "%s", j->prev);
		snprintf(g->last_hash, sizeof g->last_hash, "%s", j->prev);
	}
	if (j->seq != g->last + 1) {
		g->cause = xasprintf("%s journal entry %" PRId64 " follows %"
		    PRId64 ": entries deleted or reordered", g->name, j->seq,
		    g->last);
		return QUAN_ECORRUPT;
	}
	if (strcmp(j->prev, g->last_hash) != 0) {
		g->cause = xasprintf("%s journal entry %" PRId64 ": previous "
		    "hash does not match entry %" PRId64 " (deleted, "
		    "reordered or edited)", g->name, j->seq, g->last);
		return QUAN_ECORRUPT;
	}
	chain_hash(j->prev, j, want);
	if (strcmp(want, j->hash) != 0) {
		g->cause = xasprintf("%s journal entry %" PRId64 " (%s): hash "
		    "mismatch: the entry was edited", g->name, j->seq,
		    j->kind);
		return QUAN_ECORRUPT;
	}
	take_anchor(g, j);
	snprintf(g->last_hash, sizeof g->last_hash, "%s", j->hash);
	g->last = j->seq;
	return 0;
}

static int
walk_seg(struct store *st, struct seg *g, char **cause)
{
	int rc = store_journal_walk(st, verify_row, g);

	if (rc != 0) {
		*cause = g->cause != NULL ? g->cause :
		    xasprintf("%s", store_errmsg(st));
		g->cause = NULL;
	}
	return rc;
}

/* Is the cut before entry seq (whose prev is prev) vouched for by an
 * anchor in one of the n journals? */
static int
anchored(const struct seg *g, size_t n, int64_t seq, const char *prev)
{
	size_t i, k;

	for (i = 0; i < n; i++)
		for (k = 0; k < g[i].nanchors; k++)
			if (g[i].anchors[k].last_seq == seq - 1 &&
			    strcmp(g[i].anchors[k].head, prev) == 0)
				return 1;
	return 0;
}

/* The start of journal i: entry 1 after the zero hash, the entry after
 * the journal before it, or a cut an anchor vouches for. */
static int
check_start(const struct seg *g, size_t n, size_t i, char **cause)
{
	const struct seg *s = &g[i];

	if (s->first == 1) {
		if (strcmp(s->first_prev, zero_hash) == 0)
			return 0;
		*cause = xasprintf("%s journal entry 1: previous hash is not "
		    "the start of a chain", s->name);
		return QUAN_ECORRUPT;
	}
	if (i > 0 && g[i - 1].last + 1 == s->first) {
		if (strcmp(g[i - 1].last_hash, s->first_prev) == 0)
			return 0;
		*cause = xasprintf("%s journal entry %" PRId64 " does not "
		    "follow entry %" PRId64 " of %s (edited or replaced)",
		    s->name, s->first, g[i - 1].last, g[i - 1].name);
		return QUAN_ECORRUPT;
	}
	if (anchored(g, n, s->first, s->first_prev))
		return 0;
	*cause = xasprintf("%s journal starts at entry %" PRId64 " and no "
	    "archive anchor says where entries up to %" PRId64 " went "
	    "(deleted?%s)", s->name, s->first, s->first - 1, i > 0 ? "" :
	    " or give the archive that holds them, or the one after it, "
	    "with --archive");
	return QUAN_ECORRUPT;
}

static void
seg_free(struct seg *g)
{
	free(g->anchors);
	free(g->cause);
}

/* The live journal's end against meta "journal_head" (a deleted tail). */
static int
check_head(struct store *st, const struct seg *g, char **cause)
{
	char head[96], want[96];
	int rc = store_meta_get(st, "journal_head", head, sizeof head);

	if (rc == QUAN_ENOTFOUND) {
		if (g->last == 0)
			return QUAN_OK;
		*cause = xasprintf("journal head record missing");
		return QUAN_ECORRUPT;
	}
	if (rc != 0) {
		*cause = xasprintf("%s", store_errmsg(st));
		return rc;
	}
	snprintf(want, sizeof want, "%" PRId64 ":%s", g->last, g->last_hash);
	if (strcmp(head, want) != 0) {
		*cause = xasprintf("journal ends at entry %" PRId64 " but its "
		    "head says %s: entries deleted at the end", g->last, head);
		return QUAN_ECORRUPT;
	}
	return QUAN_OK;
}

int
journal_verify(struct store *st, int64_t *n, char **cause)
{
	return journal_verify_archives(st, NULL, NULL, 0, n, cause);
}

int
journal_verify_archives(struct store *live, struct store *const *arcs,
    const char *const *names, size_t narcs, int64_t *n, char **cause)
{
	struct seg *g = xcalloc(narcs + 1, sizeof *g);
	size_t i, k, m = narcs + 1;
	int rc = 0;

	*n = 0;
	for (i = 0; i < narcs && rc == 0; i++) {
		g[i].name = names[i];
		rc = walk_seg(arcs[i], &g[i], cause);
	}
	g[narcs].name = "live";
	if (rc == 0)
		rc = walk_seg(live, &g[narcs], cause);
	if (rc != 0)
		goto out;
	/* in chain order: archives by their first entry, live last */
	for (i = 1; i < narcs; i++)
		for (k = i; k > 0 && g[k].first < g[k - 1].first; k--) {
			struct seg t = g[k];

			g[k] = g[k - 1];
			g[k - 1] = t;
		}
	for (i = 0; i < m && rc == 0; i++) {
		if (g[i].last == 0)
			continue; /* an archive of sales only, an empty live */
		if (i > 0 && g[i - 1].last >= g[i].first) {
			*cause = xasprintf("%s and %s both hold journal entry "
			    "%" PRId64, g[i - 1].name, g[i].name, g[i].first);
			rc = QUAN_ECORRUPT;
			break;
		}
		rc = check_start(g, m, i, cause);
		/* an archive's last entry: followed by the next journal, or
		 * its cut vouched for by an anchor */
		if (rc == 0 && i + 1 < m && !(g[i + 1].first ==
		    g[i].last + 1) && !anchored(g, m, g[i].last + 1,
		    g[i].last_hash)) {
			*cause = xasprintf("%s ends at journal entry %" PRId64
			    " and no anchor names that cut (its anchor may be "
			    "in a later archive: give that one too)",
			    g[i].name, g[i].last);
			rc = QUAN_ECORRUPT;
		}
	}
	if (rc == 0)
		rc = check_head(live, &g[narcs], cause);
	for (i = 0; i < m; i++)
		*n += g[i].last != 0 ? g[i].last - g[i].first + 1 : 0;
out:
	for (i = 0; i < m; i++)
		seg_free(&g[i]);
	free(g);
	return rc;
}
