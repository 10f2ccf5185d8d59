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
#include <stdio.h>

#include "core/report.h"

#define HUB_HQ_SCHEMA_VERSION 2

struct hub;
struct json_t;

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
	int64_t sales_n;          /* sales opened in [from, to), any state */
	int64_t sales_fen;        /* their basket amounts */
	int64_t voids_n;          /* voided in [from, to), as X/Z counts */
	int64_t voids_fen;        /* their coupon value (discount) */
	struct store_pay_sums pay; /* payments made in [from, to), folded
	                            by report_pay_add */
	int64_t journal_seq;      /* the lane's journal head as last pushed */
	char journal_hash[65];
	int64_t journal_at;       /* when it was pushed */
};

struct chain_report {
	struct chain_lane *lanes; /* sorted by store, terminal */
	size_t nlanes, cap;
	int64_t rows;             /* redemptions counted */
};

int hub_chain_report(struct hub *h, int64_t from, int64_t to,
    struct chain_report *out, char **cause);
/* `quan report --chain --json`: {from, to, stores [{store_id, terminals
 * [lane], lane's figures summed}], total}, a lane being {terminal,
 * figures {redeemed|open|kept|returned|rejected|conflict: {count, fen}},
 * offline {accepted_today, unsettled_exposure_fen}, hub_conflicts,
 * sales {count, amount_fen}, voids {count, fen}, payments (as
 * report_payments_json), journal {seq, head, pushed_at} (lanes only)}.
 * New reference. */
struct json_t *hub_chain_json(const struct chain_report *r, int64_t from,
    int64_t to);
/* The same as text: a line per store, one per lane under it, a total. */
void hub_chain_text(const struct chain_report *r, int64_t from, int64_t to,
    FILE *fp);
void hub_chain_free(struct chain_report *r);

#endif
