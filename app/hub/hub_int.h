/*
 * hub_int.h — what hub.c lends the other files of the hub layer: the
 * statement helpers over the one connection and the migrations. Private
 * to app/hub.
 */
#ifndef QUAN_HUB_INT_H
#define QUAN_HUB_INT_H

#include <libpq-fe.h>

#include "hub/hub.h"

/* Migration i takes the schema from version i to i + 1 (hub_schema.c). */
extern const char *const hub_migrations[HUB_SCHEMA_VERSION];

/* PQexecParams with text parameters; want: 1 rows, 0 a command. */
int hub_q(struct hub *h, const char *sql, int n, const char *const *vals,
    int want, PGresult **out, char **cause);
void hub_rollback(struct hub *h);
/* The claim statement with the claim's state ("claimed", "granted"). */
int hub_claim_as(struct hub *h, const struct hub_job *j, const char *state,
    struct hub_answer *a, char **cause);

#endif
