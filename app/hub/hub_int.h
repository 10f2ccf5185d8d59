/*
 * hub_int.h — what hub.c lends the other files of the hub layer: the
 * statement helpers over the one connection and the migrations. Private
 * to app/hub.
 */
#ifndef QUAN_HUB_INT_H
#define QUAN_HUB_INT_H

#include <libpq-fe.h>

#include "hub/hub.h"

/* Migration i takes the schema from version i to i + 1 (hub_schema.c,
 * headquarters' hub_hq_schema.c). */
extern const char *const hub_migrations[HUB_SCHEMA_VERSION];
extern const char *const hub_hq_migrations[];

/* A versioned schema: the hub's, headquarters'. */
struct hub_schema {
	const char *table;        /* its versions: "quan_schema" */
	const char *what;         /* "hub", "headquarters" for messages */
	long lock_key;            /* advisory lock serialising migrations */
	int version;              /* this quan's */
	const char *const *steps; /* version i -> i + 1 */
};
/* Create / migrate in one transaction; newer refused (QUAN_ENOTSUP). */
int hub_migrate(struct hub *h, const struct hub_schema *sc, int *from,
    char **cause);

/* The columns of a redemption as the hub keeps it and headquarters gets
 * it (the publication matches them by name). */
#define HUB_REDEMPTION_COLS \
	" store_id text NOT NULL, request_no text NOT NULL," \
	" terminal text NOT NULL, txn_id bigint NOT NULL," \
	" code text NOT NULL, kind text NOT NULL, state text NOT NULL," \
	" reason text NOT NULL, discount_fen bigint NOT NULL," \
	" offline_at bigint NOT NULL, created_at bigint NOT NULL," \
	" updated_at bigint NOT NULL, PRIMARY KEY(store_id, request_no)"

/* A sale, a payment and a lane's journal head, the same way (hub_sales.c
 * writes them; the chain report reads them at headquarters). */
#define HUB_SALE_COLS \
	" store_id text NOT NULL, terminal text NOT NULL," \
	" txn_id bigint NOT NULL, state text NOT NULL," \
	" cashier text NOT NULL, amount_fen bigint NOT NULL," \
	" discount_fen bigint NOT NULL, due_fen bigint NOT NULL," \
	" opened_at bigint NOT NULL, closed_at bigint NOT NULL," \
	" voided_at bigint NOT NULL, voided_by text NOT NULL," \
	" PRIMARY KEY(store_id, terminal, txn_id)"
#define HUB_PAYMENT_COLS \
	" store_id text NOT NULL, terminal text NOT NULL," \
	" out_trade_no text NOT NULL, txn_id bigint NOT NULL," \
	" tender text NOT NULL, state text NOT NULL," \
	" amount_fen bigint NOT NULL, payer_fen bigint NOT NULL," \
	" voucher_fen bigint NOT NULL, voucher_lines bigint NOT NULL," \
	" created_at bigint NOT NULL, updated_at bigint NOT NULL," \
	" PRIMARY KEY(store_id, terminal, out_trade_no)"
#define HUB_HEAD_COLS \
	" store_id text NOT NULL, terminal text NOT NULL," \
	" seq bigint NOT NULL, hash text NOT NULL, at bigint NOT NULL," \
	" PRIMARY KEY(store_id, terminal)"

/* PQexecParams with text parameters; want: 1 rows, 0 a command. */
int hub_q(struct hub *h, const char *sql, int n, const char *const *vals,
    int want, PGresult **out, char **cause);
void hub_rollback(struct hub *h);
/* The claim statement with the claim's state ("claimed", "granted"). */
int hub_claim_as(struct hub *h, const struct hub_job *j, const char *state,
    struct hub_answer *a, char **cause);

#endif
