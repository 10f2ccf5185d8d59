/*
 * hub_chain.h — the chain view at headquarters: a database into which
 * every store hub's publication quan_chain is subscribed (logical
 * replication; toolchain/hub/README.md), and `quan report --chain`'s
 * figures per store and terminal, defined as the till's report defines
 * them (core/report.h).
 */
#ifndef QUAN_HUB_CHAIN_H
#define QUAN_HUB_CHAIN_H

#include <stddef.h>
#include <stdint.h>

#include "core/report.h"

#define HUB_HQ_SCHEMA_VERSION 1

struct hub;

/* Create / migrate headquarters' tables (quan hub init --hq); a newer
 * one is refused (QUAN_ENOTSUP). */
int hub_hq_init(struct hub *h, int *from, char **cause);

struct chain_lane {
	char store_id[32];
	char terminal[16];
	struct report_figs f;     /* rows created in [from, to), by figure */
	int64_t offline_today;    /* accepted offline since from */
	int64_t exposure_fen;     /* accepted offline, not yet settled */
	int64_t hub_conflicts;    /* found by its hub in [from, to) */
};

struct chain_report {
	struct chain_lane *lanes; /* sorted by store, terminal */
	size_t nlanes, cap;
	int64_t rows;             /* redemptions counted */
};

int hub_chain_report(struct hub *h, int64_t from, int64_t to,
    struct chain_report *out, char **cause);
void hub_chain_free(struct chain_report *r);

#endif
