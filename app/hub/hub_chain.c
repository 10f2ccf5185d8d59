/*
 * hub_chain.c — headquarters: the database each store hub's publication
 * quan_chain replicates into (logical replication; a WAN outage only
 * delays it), and the chain report read from it (hub_chain.h). The
 * figures are the till's: each (state, reason) group is counted by
 * core/report.h's definitions, offline figures as store_offline_stats
 * defines them, conflicts as the hubs record them.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/report.h"
#include "hub/hub_chain.h"
#include "hub/hub_int.h"
#include "util/err.h"
#include "util/str.h"
#include "util/xmem.h"

/* HQ's own versions (quan_hq_schema): the tables the subscriptions fill,
 * keyed by store, as the hubs publish them. */
static const char *const hq_migrations[HUB_HQ_SCHEMA_VERSION] = {
	"CREATE TABLE quan_hq_schema(version integer PRIMARY KEY,"
	" applied_at timestamptz NOT NULL DEFAULT now());"
	"CREATE TABLE redemptions(" HUB_REDEMPTION_COLS ");"
	/* the report's scan: one day's rows, every column it reads */
	"CREATE INDEX redemptions_day ON redemptions(created_at)"
	" INCLUDE (store_id, terminal, state, reason, discount_fen);"
	"CREATE INDEX redemptions_offline ON redemptions(store_id)"
	" INCLUDE (discount_fen) WHERE state = 'accepted_offline';"
	"CREATE TABLE conflicts(id bigint NOT NULL, store_id text NOT NULL,"
	" code text NOT NULL, holder_terminal text NOT NULL,"
	" holder_request_no text NOT NULL, terminal text NOT NULL,"
	" request_no text NOT NULL, found_at timestamptz NOT NULL,"
	" PRIMARY KEY(store_id, id));",
};

int
hub_hq_init(struct hub *h, int *from, char **cause)
{
	const struct hub_schema sc = {"quan_hq_schema", "headquarters",
	    7239120002L, HUB_HQ_SCHEMA_VERSION, hq_migrations};

	return hub_migrate(h, &sc, from, cause);
}

static int
lane_cmp(const void *x, const void *y)
{
	const struct chain_lane *a = x, *b = y;
	int c = strcmp(a->store_id, b->store_id);

	return c != 0 ? c : strcmp(a->terminal, b->terminal);
}

/* The lane's figures: found by binary search (lanes kept sorted), else
 * added in its place. */
static struct chain_lane *
lane_of(struct chain_report *r, const char *store, const char *terminal)
{
	struct chain_lane key, *l;
	size_t lo = 0, hi = r->nlanes, mid;
	int c;

	memset(&key, 0, sizeof key);
	str_copy(key.store_id, sizeof key.store_id, store);
	str_copy(key.terminal, sizeof key.terminal, terminal);
	while (lo < hi) {
		mid = (lo + hi) / 2;
		if ((c = lane_cmp(&key, &r->lanes[mid])) == 0)
			return &r->lanes[mid];
		if (c < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	if (r->nlanes == r->cap) {
		r->cap = r->cap ? r->cap * 2 : 256;
		r->lanes = xrealloc(r->lanes, r->cap * sizeof *r->lanes);
	}
	l = &r->lanes[lo];
	memmove(l + 1, l, (r->nlanes - lo) * sizeof *l);
	r->nlanes++;
	*l = key;
	return l;
}

int
hub_chain_report(struct hub *h, int64_t from, int64_t to,
    struct chain_report *out, char **cause)
{
	char a[24], b[24];
	const char *v[2] = {a, b};
	PGresult *res;
	int rc, i;

	memset(out, 0, sizeof *out);
	snprintf(a, sizeof a, "%" PRId64, from);
	snprintf(b, sizeof b, "%" PRId64, to);
	if ((rc = hub_q(h, "SELECT store_id, terminal, state, reason,"
	    " count(*), sum(discount_fen),"
	    " count(*) FILTER (WHERE offline_at >= $1)"
	    " FROM redemptions WHERE created_at >= $1 AND created_at < $2"
	    " GROUP BY 1, 2, 3, 4 ORDER BY store_id COLLATE \"C\","
	    " terminal COLLATE \"C\"", 2, v, 1, &res, cause)) != 0)
		return rc;
	for (i = 0; i < PQntuples(res); i++) {
		struct chain_lane *l = lane_of(out, PQgetvalue(res, i, 0),
		    PQgetvalue(res, i, 1));

		report_add(&l->f, PQgetvalue(res, i, 2),
		    PQgetvalue(res, i, 3), strtoll(PQgetvalue(res, i, 4),
		    NULL, 10), strtoll(PQgetvalue(res, i, 5), NULL, 10));
		l->offline_today += strtoll(PQgetvalue(res, i, 6), NULL, 10);
		out->rows += strtoll(PQgetvalue(res, i, 4), NULL, 10);
	}
	PQclear(res);
	/* unsettled offline value: every day's, as the till shows it */
	if ((rc = hub_q(h, "SELECT store_id, terminal, sum(discount_fen)"
	    " FROM redemptions WHERE state = 'accepted_offline'"
	    " GROUP BY 1, 2", 0, NULL, 1, &res, cause)) != 0)
		return rc;
	for (i = 0; i < PQntuples(res); i++)
		lane_of(out, PQgetvalue(res, i, 0),
		    PQgetvalue(res, i, 1))->exposure_fen =
		    strtoll(PQgetvalue(res, i, 2), NULL, 10);
	PQclear(res);
	/* conflicts the hubs found that day, on the lane that clashed */
	if ((rc = hub_q(h, "SELECT store_id, terminal, count(*) FROM conflicts"
	    " WHERE found_at >= to_timestamp($1) AND found_at <"
	    " to_timestamp($2) GROUP BY 1, 2", 2, v, 1, &res,
	    cause)) != 0)
		return rc;
	for (i = 0; i < PQntuples(res); i++)
		lane_of(out, PQgetvalue(res, i, 0),
		    PQgetvalue(res, i, 1))->hub_conflicts =
		    strtoll(PQgetvalue(res, i, 2), NULL, 10);
	PQclear(res);
	return QUAN_OK;
}

void
hub_chain_free(struct chain_report *r)
{
	free(r->lanes);
	memset(r, 0, sizeof *r);
}
