/*
 * cli_refund.h — the refund family shared by `quan refund` and `quan
 * void` (a paid sale is voided by refunding it): the manager's PIN, the
 * refund run to its end (or a bounded wait), its JSON.
 */
#ifndef QUAN_CLI_REFUND_H
#define QUAN_CLI_REFUND_H

#include <jansson.h>
#include <stdint.h>

#include "core/refund.h"

struct checkout;
struct cli;

/* The manager's PIN for CMD --by: 0 when it is a manager's; else a
 * message and EXIT_FAIL. Counted and journaled as at the till. */
int cli_manager_pin(struct cli *c, const char *cmd, const char *by,
    const char *pin, int64_t txn);

/* 1 when sale txn has a paid payment (its money must be given back
 * before it is voided), 0 when not, -1 on a store error. */
int cli_sale_paid(struct cli *c, int64_t txn);

/* Refund amount_fen (0: all that is left) of the paid sale txn, approved
 * by `by`; void_sale: the sale is voided once the money is back. Waits
 * for the end at most [pay] deadline_s; a refund still under way is
 * settled by `quan sync`. *v how it stands (v->id 0: nothing was left to
 * refund). Exit code: 0 refunded, 3 refused/failed, 4 still under way,
 * 1 error (message printed). */
int cli_refund(struct cli *c, struct checkout *co, const char *cmd,
    int64_t txn, int64_t amount_fen, int void_sale, const char *by,
    struct refund_view *v);
json_t *cli_refund_json(const struct refund_view *v);

#endif
