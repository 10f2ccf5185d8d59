/*
 * hub_sync.h — one pass of the till's exchange with its store hub (the
 * loop of `quan hub sync`, a process of its own beside `quan sync`):
 *   1. imports made at the hub (quan hub import) applied to the till's
 *      cache, each version once, stocks and cards before codes;
 *   2. every redemption whose state changed since the last pass pushed:
 *      its claim follows its state (released on a return, a void or a
 *      refusal; claimed after the fact when it was granted while the hub
 *      was down — a code another lane holds then is a conflict at the
 *      hub);
 *   3. every sale whose state changed since the last pass pushed with
 *      its payments (tenders, WeChat vouchers) and the lane's journal
 *      head, for the chain view at headquarters;
 *   4. the hub's conflicts naming this lane journaled here
 *      ("hub_conflict"), so both lanes' reports show them.
 * Main thread of its process; the store must not be inside a transaction.
 */
#ifndef QUAN_HUB_SYNC_H
#define QUAN_HUB_SYNC_H

#include <stdint.h>

struct hub;
struct store;

struct config_hub_ids {
	const char *store_id;
	const char *terminal;
};

struct hub_sync_counts {
	int64_t imported;    /* stocks, cards, codes, 商品券 rows applied */
	int64_t pushed;      /* redemptions sent */
	int64_t sales;       /* sales sent (with their payments) */
	int64_t clashes;     /* conflicts this pass found */
	int64_t conflicts;   /* conflicts journaled here */
	int64_t registry;    /* 商品券 rows this lane was sent, passed on */
};

/* 0 or QUAN_E* with *cause; cursors kept up to what the hub accepted. */
int hub_sync_pass(struct hub *h, struct store *st, const char *data_dir,
    const struct config_hub_ids *id, int64_t now, struct hub_sync_counts *c,
    char **cause);

#endif
