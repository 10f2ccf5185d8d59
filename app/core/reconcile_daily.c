/*
 * reconcile_daily.c — the sync daemon's daily 对账 (reconcile.h): when
 * it is due, and what it found, kept in the store (meta
 * "reconcile_daily") so a restart never repeats it and the manager sees
 * a difference on `quan status` and the X/Z reports.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include "core/reconcile.h"
#include "store/store.h"
#include "util/err.h"
#include "util/log.h"
#include "util/tm.h"

#define META_KEY "reconcile_daily"

json_t *
recon_daily_json(struct store *st)
{
	char b[512];

	if (store_meta_get(st, META_KEY, b, sizeof b) != 0)
		return NULL;
	return json_loads(b, 0, NULL);
}

int
recon_daily_due(struct store *st, int64_t now, char date[16],
    int64_t *from, int *hour)
{
	struct tm lt;
	json_t *j;
	const char *last;
	int sec, wday, due;

	tm_local_day(now, &sec, &wday);
	*hour = sec / 3600;
	*from = now - sec - 86400;
	tm_local(*from + 43200, &lt);
	strftime(date, 16, "%Y-%m-%d", &lt);
	if (*hour < RECON_DAILY_HOUR)
		return 0;
	j = recon_daily_json(st);
	last = json_string_value(json_object_get(j, "date"));
	due = last == NULL || strcmp(last, date) < 0;
	json_decref(j);
	return due;
}

int
recon_daily_record(struct store *st, const char *date,
    const struct recon_result *r, int no_bill, int64_t now)
{
	json_t *j = json_pack("{s:s, s:i, s:i, s:b, s:I, s:I, s:I}",
	    "date", date, "differences", r->n, "matched", r->matched,
	    "no_bill", no_bill, "wx_paid_fen", (json_int_t)r->wx_paid_fen,
	    "till_paid_fen", (json_int_t)r->till_paid_fen,
	    "at", (json_int_t)now);
	char *t = json_dumps(j, JSON_COMPACT);
	int rc;

	json_decref(j);
	if ((rc = store_begin(st)) == 0) {
		if ((rc = store_meta_set(st, META_KEY, t)) == 0)
			rc = store_commit(st);
		else
			store_rollback(st);
	}
	free(t);
	return rc;
}
