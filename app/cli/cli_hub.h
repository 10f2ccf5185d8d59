/*
 * cli_hub.h — a till's claims thread for the commands that redeem
 * (app/cli/cmd_hub.c): with [hub] dsn set, the redeem engine claims each
 * coupon at the store hub before it is granted. Main thread.
 */
#ifndef QUAN_CLI_HUB_H
#define QUAN_CLI_HUB_H

#include <stdint.h>

struct config;
struct json_t;
struct store;
struct evq;
struct hubthr;
struct redeem;

/* Start the hub thread and give rd its queues (wake: the owner loop's
 * results queue, or NULL). NULL when no hub is configured (or its dsn is
 * refused: said on stderr, and the till works without claims). */
struct hubthr *cli_hub_attach(const struct config *cfg, struct redeem *rd,
    struct evq *wake);
void cli_hub_detach(struct hubthr *t);   /* NULL-safe */

/* `quan report --chain --dsn HQ [--date D] [--json]` (cmd_report hands
 * its arguments over when it sees --chain): per store and terminal. */
int cli_hub_chain_report(int argc, char **argv);

#endif
