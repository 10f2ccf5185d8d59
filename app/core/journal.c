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

struct vctx {
	int64_t n;
	char prev[65];
	char *cause;
};

static int
verify_row(void *arg, const struct store_jrow *j)
{
	struct vctx *v = arg;
	char want[65];

	if (j->seq != v->n + 1) {
		v->cause = xasprintf("journal entry %" PRId64 " follows %"
		    PRId64 ": entries deleted or reordered", j->seq, v->n);
		return QUAN_ECORRUPT;
	}
	if (strcmp(j->prev, v->prev) != 0) {
		v->cause = xasprintf("journal entry %" PRId64 ": previous "
		    "hash does not match entry %" PRId64 " (deleted, "
		    "reordered or edited)", j->seq, v->n);
		return QUAN_ECORRUPT;
	}
	chain_hash(j->prev, j, want);
	if (strcmp(want, j->hash) != 0) {
		v->cause = xasprintf("journal entry %" PRId64 " (%s): hash "
		    "mismatch: the entry was edited", j->seq, j->kind);
		return QUAN_ECORRUPT;
	}
	snprintf(v->prev, sizeof v->prev, "%s", j->hash);
	v->n++;
	return 0;
}

int
journal_verify(struct store *st, int64_t *n, char **cause)
{
	struct vctx v;
	char head[96], want[96];
	int rc;

	memset(&v, 0, sizeof v);
	snprintf(v.prev, sizeof v.prev, "%s", zero_hash);
	rc = store_journal_walk(st, verify_row, &v);
	*n = v.n;
	if (rc != 0) {
		*cause = v.cause != NULL ? v.cause :
		    xasprintf("%s", store_errmsg(st));
		return rc == QUAN_ECORRUPT ? rc : rc;
	}
	rc = store_meta_get(st, "journal_head", head, sizeof head);
	if (rc == QUAN_ENOTFOUND) {
		if (v.n == 0)
			return QUAN_OK;
		*cause = xasprintf("journal head record missing");
		return QUAN_ECORRUPT;
	}
	if (rc != 0) {
		*cause = xasprintf("%s", store_errmsg(st));
		return rc;
	}
	snprintf(want, sizeof want, "%" PRId64 ":%s", v.n, v.prev);
	if (strcmp(head, want) != 0) {
		*cause = xasprintf("journal ends at entry %" PRId64 " but its "
		    "head says %s: entries deleted at the end", v.n, head);
		return QUAN_ECORRUPT;
	}
	return QUAN_OK;
}
