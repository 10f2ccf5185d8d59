/*
 * cli_pcoupon.h — 商品券 lines of the headless `quan sale` (cli_pcoupon.c).
 * The order of calls in a sale:
 *   cli_pc_sort       before the basket: registry codes become 商品券
 *                     lines, the rest stay for the other kinds;
 *   cli_pc_tender_ok  a 商品券 needs a WeChat payment code: refused before
 *                     any cash is taken;
 *   cli_pc_price      after the other coupons: priced on what remains,
 *                     the sale's stored discount/due include them;
 *   cli_pc_charged    the payment row exists (its out_trade_no), the
 *                     charge has not left: the uses are committed; use
 *                     first: sent and awaited (QUAN_EREJECTED when one
 *                     was refused: do not charge);
 *   cli_pc_settle     the payment is final: pay first → use with the
 *                     transaction_id; failed → withdraw / return;
 *   cli_pc_json / cli_pc_print, cli_pc_done.
 */
#ifndef QUAN_CLI_PCOUPON_H
#define QUAN_CLI_PCOUPON_H

#include <stdint.h>

#include "core/paysm.h"
#include "core/pcoupon_sale.h"

struct cli;
struct evq;
struct json_t;
struct payment;
struct settle;
struct store;

struct cli_pc {
	struct store *st;
	struct pcsale *ps;
	int use_first;
	struct pc_line lines[PCSALE_LINES_MAX];
	int n;
	int64_t discount_fen;
	int64_t txn_id;               /* once the uses are committed */
	struct pc_use uses[PCSALE_LINES_MAX];
	int nuses;
};

/* 0, or an exit code with the message printed. */
int cli_pc_sort(struct cli_pc *p, struct cli *c, struct settle *se,
    char **codes, int *ncodes);
/* 1 when the tender may take the sale's 商品券 (none, or a payment code). */
int cli_pc_tender_ok(const struct cli_pc *p, int wechat);
int cli_pc_price(struct cli_pc *p, struct store *st, int64_t txn_id);
int cli_pc_charged(struct cli_pc *p, struct payment *pm, int64_t txn_id,
    int64_t pay_id, struct evq *results);
void cli_pc_settle(struct cli_pc *p, struct store *st, enum pay_outcome out,
    const char *transaction_id, struct evq *results);
/* Pay first: the fen of discounts WeChat refused after the payment (the
 * customer owes them), 0 none. */
int64_t cli_pc_shortfall(const struct cli_pc *p);
void cli_pc_journal_shortfall(const struct cli_pc *p, const char *who);
struct json_t *cli_pc_json(const struct cli_pc *p);
void cli_pc_print(const struct cli_pc *p);
void cli_pc_done(struct cli_pc *p);
/* `quan import product --fetch`: every product coupon and stock the
 * registry names, fetched from WeChat ([product_coupon], either mode) and
 * stored. Counts; *cause (caller frees) on failure. */
int cli_pc_fetch(struct cli *c, int64_t now, int *nprod, int *nstock,
    char **cause);

#endif
