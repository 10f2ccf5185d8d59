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
	/* a day's rows, for a time zone off whole hours */
	"CREATE INDEX redemptions_day ON redemptions(created_at);"
	"CREATE TABLE conflicts(id bigint NOT NULL, store_id text NOT NULL,"
	" code text NOT NULL, holder_terminal text NOT NULL,"
	" holder_request_no text NOT NULL, terminal text NOT NULL,"
	" request_no text NOT NULL, found_at timestamptz NOT NULL,"
	" PRIMARY KEY(store_id, id));"
	/* the report reads hourly sums per lane, kept by a trigger as the
	 * subscriptions apply rows (ENABLE ALWAYS: it fires for replicated
	 * rows too): a day is 24 buckets a lane, not every redemption */
	"CREATE TABLE lane_hours(store_id text NOT NULL,"
	" terminal text NOT NULL, hour bigint NOT NULL, state text NOT NULL,"
	" reason text NOT NULL, n bigint NOT NULL, fen bigint NOT NULL,"
	" offline_n bigint NOT NULL,"
	" PRIMARY KEY(hour, store_id, terminal, state, reason));"
	"CREATE FUNCTION quan_lane_hours() RETURNS trigger LANGUAGE plpgsql"
	" SET search_path = public"   /* apply workers run with none */
	" AS $$ BEGIN"
	" IF TG_OP IN ('UPDATE', 'DELETE') THEN"
	"  UPDATE lane_hours SET n = n - 1, fen = fen - OLD.discount_fen,"
	"   offline_n = offline_n - (OLD.offline_at > 0)::int"
	"   WHERE hour = OLD.created_at / 3600 AND store_id = OLD.store_id"
	"   AND terminal = OLD.terminal AND state = OLD.state"
	"   AND reason = OLD.reason;"
	" END IF;"
	" IF TG_OP IN ('INSERT', 'UPDATE') THEN"
	"  INSERT INTO lane_hours VALUES(NEW.store_id, NEW.terminal,"
	"   NEW.created_at / 3600, NEW.state, NEW.reason, 1,"
	"   NEW.discount_fen, (NEW.offline_at > 0)::int)"
	"   ON CONFLICT (hour, store_id, terminal, state, reason) DO UPDATE"
	"   SET n = lane_hours.n + 1, fen = lane_hours.fen + EXCLUDED.fen,"
	"   offline_n = lane_hours.offline_n + EXCLUDED.offline_n;"
	" END IF;"
	" RETURN NULL; END $$;"
	"CREATE TRIGGER quan_lane_hours AFTER INSERT OR UPDATE OR DELETE"
	" ON redemptions FOR EACH ROW EXECUTE FUNCTION quan_lane_hours();"
	"ALTER TABLE redemptions ENABLE ALWAYS TRIGGER quan_lane_hours;",
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
	/* whole hours (a time zone at whole hours from UTC): the hourly
	 * sums; else every row of the day */
	if ((rc = hub_q(h, from % 3600 == 0 && to % 3600 == 0 ?
	    "SELECT store_id, terminal, state, reason, sum(n), sum(fen),"
	    " sum(offline_n) FROM lane_hours"
	    " WHERE hour >= $1::bigint / 3600 AND hour < $2::bigint / 3600"
	    " GROUP BY 1, 2, 3, 4 ORDER BY store_id COLLATE \"C\","
	    " terminal COLLATE \"C\"" :
	    "SELECT store_id, terminal, state, reason,"
	    " count(*), sum(discount_fen),"
	    " count(*) FILTER (WHERE offline_at > 0)"
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
	if ((rc = hub_q(h, "SELECT store_id, terminal, sum(fen)"
	    " FROM lane_hours WHERE state = 'accepted_offline'"
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
