/*
 * hub_chain.c — headquarters: the database each store hub's publication
 * quan_chain replicates into (logical replication; a WAN outage only
 * delays it), and the chain report read from it (hub_chain.h). The
 * figures are the till's: each (state, reason) group is counted by
 * core/report.h's definitions, offline figures as store_offline_stats
 * defines them, conflicts as the hubs record them, payments folded by
 * report_pay_add, voids by their void entry's time as X/Z counts them.
 */
#include <inttypes.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/report.h"
#include "hub/hub_chain.h"
#include "hub/hub_int.h"
#include "util/err.h"
#include "util/money.h"
#include "util/str.h"
#include "util/tm.h"
#include "util/xmem.h"

int
hub_hq_init(struct hub *h, int *from, char **cause)
{
	const struct hub_schema sc = {"quan_hq_schema", "headquarters",
	    7239120002L, HUB_HQ_SCHEMA_VERSION, hub_hq_migrations};

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

/* Sales, voids, payments of [from, to) and the lanes' journal heads
 * (v: from, to as text); hourly: read the hourly sums. */
static int
chain_sales(struct hub *h, const char *const *v, int hourly,
    struct chain_report *out, char **cause)
{
	PGresult *res;
	int rc, i;

	if ((rc = hub_q(h, hourly ?
	    "SELECT store_id, terminal,"
	    " coalesce(sum(n) FILTER (WHERE what = 'opened'), 0),"
	    " coalesce(sum(fen) FILTER (WHERE what = 'opened'), 0),"
	    " coalesce(sum(n) FILTER (WHERE what = 'voided'), 0),"
	    " coalesce(sum(fen) FILTER (WHERE what = 'voided'), 0)"
	    " FROM sale_hours WHERE hour >= $1::bigint / 3600"
	    " AND hour < $2::bigint / 3600 GROUP BY 1, 2" :
	    "SELECT store_id, terminal,"
	    " count(*) FILTER (WHERE opened_at >= $1 AND opened_at < $2),"
	    " coalesce(sum(amount_fen) FILTER (WHERE opened_at >= $1 AND"
	    "  opened_at < $2), 0),"
	    " count(*) FILTER (WHERE voided_at >= $1 AND voided_at < $2),"
	    " coalesce(sum(discount_fen) FILTER (WHERE voided_at >= $1 AND"
	    "  voided_at < $2), 0)"
	    " FROM sales WHERE (opened_at >= $1 AND opened_at < $2) OR"
	    " (voided_at >= $1 AND voided_at < $2) GROUP BY 1, 2", 2, v, 1,
	    &res, cause)) != 0)
		return rc;
	for (i = 0; i < PQntuples(res); i++) {
		struct chain_lane *l = lane_of(out, PQgetvalue(res, i, 0),
		    PQgetvalue(res, i, 1));

		l->sales_n = strtoll(PQgetvalue(res, i, 2), NULL, 10);
		l->sales_fen = strtoll(PQgetvalue(res, i, 3), NULL, 10);
		l->voids_n = strtoll(PQgetvalue(res, i, 4), NULL, 10);
		l->voids_fen = strtoll(PQgetvalue(res, i, 5), NULL, 10);
	}
	PQclear(res);
	/* payments by (tender, state), folded by the till's own rules */
	if ((rc = hub_q(h, hourly ?
	    "SELECT store_id, terminal, tender, state, sum(n),"
	    " sum(amount_fen), sum(payer_fen), sum(voucher_fen),"
	    " sum(voucher_lines) FROM pay_hours"
	    " WHERE hour >= $1::bigint / 3600 AND hour < $2::bigint / 3600"
	    " GROUP BY 1, 2, 3, 4" :
	    "SELECT store_id, terminal, tender, state,"
	    " count(*), sum(amount_fen), sum(payer_fen), sum(voucher_fen),"
	    " sum(voucher_lines) FROM payments"
	    " WHERE created_at >= $1 AND created_at < $2"
	    " GROUP BY 1, 2, 3, 4", 2, v, 1, &res, cause)) != 0)
		return rc;
	for (i = 0; i < PQntuples(res); i++)
		report_pay_add(&lane_of(out, PQgetvalue(res, i, 0),
		    PQgetvalue(res, i, 1))->pay, PQgetvalue(res, i, 2),
		    PQgetvalue(res, i, 3),
		    strtoll(PQgetvalue(res, i, 4), NULL, 10),
		    strtoll(PQgetvalue(res, i, 5), NULL, 10),
		    strtoll(PQgetvalue(res, i, 6), NULL, 10),
		    strtoll(PQgetvalue(res, i, 7), NULL, 10),
		    strtoll(PQgetvalue(res, i, 8), NULL, 10));
	PQclear(res);
	/* every lane's head, also of a lane quiet in the period */
	if ((rc = hub_q(h, "SELECT store_id, terminal, seq, hash, at"
	    " FROM journal_heads", 0, NULL, 1, &res, cause)) != 0)
		return rc;
	for (i = 0; i < PQntuples(res); i++) {
		struct chain_lane *l = lane_of(out, PQgetvalue(res, i, 0),
		    PQgetvalue(res, i, 1));

		l->journal_seq = strtoll(PQgetvalue(res, i, 2), NULL, 10);
		str_copy(l->journal_hash, sizeof l->journal_hash,
		    PQgetvalue(res, i, 3));
		l->journal_at = strtoll(PQgetvalue(res, i, 4), NULL, 10);
	}
	PQclear(res);
	return QUAN_OK;
}

int
hub_chain_report(struct hub *h, int64_t from, int64_t to,
    struct chain_report *out, char **cause)
{
	char a[24], b[24];
	const char *v[2] = {a, b};
	PGresult *res;
	int rc, i, hourly = from % 3600 == 0 && to % 3600 == 0;

	memset(out, 0, sizeof *out);
	snprintf(a, sizeof a, "%" PRId64, from);
	snprintf(b, sizeof b, "%" PRId64, to);
	/* whole hours (a time zone at whole hours from UTC): the hourly
	 * sums; else every row of the day */
	if ((rc = hub_q(h, hourly ?
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
	    " FROM lane_hours WHERE state = 'accepted_offline' AND n > 0"
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
	return chain_sales(h, v, hourly, out, cause);
}

void
hub_chain_free(struct chain_report *r)
{
	free(r->lanes);
	memset(r, 0, sizeof *r);
}

/* --- the report as JSON and text ---------------------------------------- */

static json_t *
lane_json(const struct chain_lane *l, int head)
{
	json_t *o = json_object(), *f = json_object();
	int k;

	for (k = 0; k < REPORT_FIG_COUNT; k++)
		json_object_set_new(f, report_fig_id((enum report_fig)k),
		    json_pack("{s:I, s:I}", "count", (json_int_t)l->f.n[k],
		    "fen", (json_int_t)l->f.fen[k]));
	json_object_set_new(o, "figures", f);
	json_object_set_new(o, "offline", json_pack("{s:I, s:I}",
	    "accepted_today", (json_int_t)l->offline_today,
	    "unsettled_exposure_fen", (json_int_t)l->exposure_fen));
	json_object_set_new(o, "hub_conflicts",
	    json_integer((json_int_t)l->hub_conflicts));
	json_object_set_new(o, "sales", json_pack("{s:I, s:I}", "count",
	    (json_int_t)l->sales_n, "amount_fen", (json_int_t)l->sales_fen));
	json_object_set_new(o, "voids", json_pack("{s:I, s:I}", "count",
	    (json_int_t)l->voids_n, "fen", (json_int_t)l->voids_fen));
	json_object_set_new(o, "payments", report_payments_json(&l->pay));
	if (head)
		json_object_set_new(o, "journal", json_pack("{s:I, s:s, s:I}",
		    "seq", (json_int_t)l->journal_seq, "head",
		    l->journal_hash, "pushed_at", (json_int_t)l->journal_at));
	return o;
}

static void
pay_add(struct store_pay_sums *to, const struct store_pay_sums *p)
{
	to->paid_count += p->paid_count;
	to->wechat_count += p->wechat_count;
	to->wechat_fen += p->wechat_fen;
	to->payer_fen += p->payer_fen;
	to->voucher_count += p->voucher_count;
	to->voucher_fen += p->voucher_fen;
	to->cash_count += p->cash_count;
	to->cash_fen += p->cash_fen;
	to->other_count += p->other_count;
	to->other_fen += p->other_fen;
	to->failed_count += p->failed_count;
	to->unknown_count += p->unknown_count;
}

static void
lane_add(struct chain_lane *to, const struct chain_lane *l)
{
	int k;

	for (k = 0; k < REPORT_FIG_COUNT; k++) {
		to->f.n[k] += l->f.n[k];
		to->f.fen[k] += l->f.fen[k];
	}
	to->offline_today += l->offline_today;
	to->exposure_fen += l->exposure_fen;
	to->hub_conflicts += l->hub_conflicts;
	to->sales_n += l->sales_n;
	to->sales_fen += l->sales_fen;
	to->voids_n += l->voids_n;
	to->voids_fen += l->voids_fen;
	pay_add(&to->pay, &l->pay);
}

static void
lane_text(FILE *fp, const char *indent, const char *name,
    const struct chain_lane *l, int head)
{
	char m[32], v[32];
	int k;

	fprintf(fp, "%s%s: redeemed %" PRId64 " (%s)", indent, name,
	    l->f.n[REPORT_REDEEMED], money_format(l->f.fen[REPORT_REDEEMED],
	    m, sizeof m));
	for (k = 1; k < REPORT_FIG_COUNT; k++)
		if (l->f.n[k] > 0)
			fprintf(fp, ", %s %" PRId64, report_fig_id(
			    (enum report_fig)k), l->f.n[k]);
	fprintf(fp, "; offline %" PRId64 " today, unsettled %s; hub "
	    "conflicts %" PRId64 "\n", l->offline_today,
	    money_format(l->exposure_fen, m, sizeof m), l->hub_conflicts);
	fprintf(fp, "%s  sales %" PRId64 " (%s), voids %" PRId64 " (%s)",
	    indent, l->sales_n, money_format(l->sales_fen, m, sizeof m),
	    l->voids_n, money_format(l->voids_fen, v, sizeof v));
	fprintf(fp, "; WeChat Pay %" PRId64 " (%s", l->pay.wechat_count,
	    money_format(l->pay.wechat_fen, m, sizeof m));
	fprintf(fp, ", vouchers %s), cash %" PRId64,
	    money_format(l->pay.voucher_fen, v, sizeof v), l->pay.cash_count);
	fprintf(fp, " (%s), other %" PRId64,
	    money_format(l->pay.cash_fen, m, sizeof m), l->pay.other_count);
	fprintf(fp, " (%s); charges failed %" PRId64 ", open %" PRId64,
	    money_format(l->pay.other_fen, m, sizeof m),
	    l->pay.failed_count, l->pay.unknown_count);
	if (head)
		fprintf(fp, "; journal #%" PRId64 " %.16s", l->journal_seq,
		    l->journal_hash);
	fputc('\n', fp);
}

/* Calls fn for each store (its lanes [a, b) and their sum). */
typedef void (*store_fn)(void *arg, const struct chain_report *r, size_t a,
    size_t b, const struct chain_lane *sum);

static void
each_store(const struct chain_report *r, store_fn fn, void *arg,
    struct chain_lane *total)
{
	struct chain_lane sum;
	size_t a = 0, i;

	memset(total, 0, sizeof *total);
	while (a < r->nlanes) {
		memset(&sum, 0, sizeof sum);
		str_copy(sum.store_id, sizeof sum.store_id,
		    r->lanes[a].store_id);
		for (i = a; i < r->nlanes && strcmp(r->lanes[i].store_id,
		    sum.store_id) == 0; i++)
			lane_add(&sum, &r->lanes[i]);
		lane_add(total, &sum);
		fn(arg, r, a, i, &sum);
		a = i;
	}
}

static void
store_json(void *arg, const struct chain_report *r, size_t a, size_t b,
    const struct chain_lane *sum)
{
	json_t *lanes = json_array(), *st = lane_json(sum, 0);
	size_t i;

	for (i = a; i < b; i++) {
		json_t *lj = lane_json(&r->lanes[i], 1);

		json_object_set_new(lj, "terminal",
		    json_string(r->lanes[i].terminal));
		json_array_append_new(lanes, lj);
	}
	json_object_set_new(st, "store_id", json_string(sum->store_id));
	json_object_set_new(st, "terminals", lanes);
	json_array_append_new(arg, st);
}

json_t *
hub_chain_json(const struct chain_report *r, int64_t from, int64_t to)
{
	struct chain_lane total;
	char a[40], b[40];
	json_t *stores = json_array();

	each_store(r, store_json, stores, &total);
	tm_rfc3339(from, a, sizeof a);
	tm_rfc3339(to, b, sizeof b);
	return json_pack("{s:s, s:s, s:o, s:o}", "from", a, "to", b,
	    "stores", stores, "total", lane_json(&total, 0));
}

static void
store_text(void *arg, const struct chain_report *r, size_t a, size_t b,
    const struct chain_lane *sum)
{
	size_t i;

	lane_text(arg, "", sum->store_id, sum, 0);
	for (i = a; i < b; i++)
		lane_text(arg, "  ", r->lanes[i].terminal, &r->lanes[i], 1);
}

void
hub_chain_text(const struct chain_report *r, int64_t from, int64_t to,
    FILE *fp)
{
	struct chain_lane total;
	char a[40], b[40];

	tm_rfc3339(from, a, sizeof a);
	tm_rfc3339(to, b, sizeof b);
	fprintf(fp, "chain report %s .. %s: %zu lanes\n", a, b, r->nlanes);
	each_store(r, store_text, fp, &total);
	lane_text(fp, "", "chain", &total, 0);
}
