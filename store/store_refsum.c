/*
 * store_refsum.c — a period's refunds, grouped for the reports (the
 * figures themselves are defined once, in core/report.c's
 * report_refund_add): one row per (tender of the refunded payment,
 * refund state), of the refunds created in [from, to).
 */
#include <sqlite3.h>

#include "store/store_int.h"
#include "store/store_pay.h"
#include "util/err.h"

int
store_refund_groups(struct store *s, int64_t from, int64_t to,
    store_refund_group_fn fn, void *arg)
{
	sqlite3_stmt *st;
	int rc, stop = 0;

	if ((rc = store_pc_prep(s, "SELECT p.tender, r.state, count(*),"
	    " sum(r.amount_fen), sum(CASE WHEN r.payer_fen > 0 THEN"
	    " r.payer_fen ELSE 0 END) FROM refunds r JOIN payments p ON"
	    " p.id = r.payment_id WHERE r.created_at >= ?1 AND"
	    " r.created_at < ?2 GROUP BY p.tender, r.state"
	    " ORDER BY p.tender, r.state", &st)) != 0)
		return rc;
	sqlite3_bind_int64(st, 1, from);
	sqlite3_bind_int64(st, 2, to);
	while (!stop && (rc = sqlite3_step(st)) == SQLITE_ROW)
		stop = fn(arg, (const char *)sqlite3_column_text(st, 0),
		    (const char *)sqlite3_column_text(st, 1),
		    sqlite3_column_int64(st, 2), sqlite3_column_int64(st, 3),
		    sqlite3_column_int64(st, 4));
	rc = stop ? stop : rc == SQLITE_DONE ? QUAN_OK : store_sqlfail(s,
	    sqlite3_extended_errcode(store_handle(s)), "sum refunds");
	sqlite3_finalize(st);
	return rc;
}
