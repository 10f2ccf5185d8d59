/*
 * bench_sale.h — the measurements behind `quan bench sale --history N`
 * (the program only parses, wires the simulator and prints): a store
 * filled with N past sales in mixed states, then the cost of one more
 * sale (scan -> verdict -> redeem -> commit), of settling it, and of the
 * X report, which must not grow with N.
 */
#ifndef QUAN_BENCH_SALE_H
#define QUAN_BENCH_SALE_H

#include <stdint.h>

struct checkout;
struct config;
struct store;

#define BENCH_SALE_STOCK "8001"       /* the bench's stock id */

/* Put the bench stock (10 off, minimum 0.01) into the cache. */
int bench_sale_stock(struct store *st, int64_t now);

/* Add n past sales ending at `end`, spread over n/1000 days (at least
 * one), in bulk transactions through the store and journal (the chain is
 * real): 85 % confirmed, 7 % rejected, 5 % voided and returned, card
 * coupons voided but not returnable, 0.1 % conflicts; each with its
 * outbox rows (done), code (used) and four journal entries. */
int bench_sale_history(struct store *st, int64_t n, int64_t end,
    char **cause);

/* n issued codes of the bench stock for the timed sales ("HS" + tag +
 * number, 31 chars max each); codes[i] must hold 32 bytes. */
int bench_sale_codes(struct store *st, const char *tag, int n,
    char (*codes)[32], int64_t now);

/* Time n sales of one coupon each (amount 120.00) through co:
 * lat_us[i] = open -> scan -> verdict -> redeem (its commits, and the
 * online step when rd, a redeem engine over co, is not NULL) -> close. With settle = 1, each sale's
 * outbox rows are then confirmed as the sync thread would (ledger_settle,
 * timed into settle_us[i]). cpu (may be NULL) gets the sale's CPU time
 * (this thread), the part the disk's fsync latency does not blur.
 * *granted = coupons confirmed or accepted. */
struct redeem;
int bench_sale_run(struct checkout *co, struct redeem *rd, struct store *st,
    char (*codes)[32], int n, int settle, uint64_t *lat_us,
    uint64_t *settle_us, uint64_t *cpu, int *granted);

/* Time the terminal's X report (the session's, over today) k times into
 * us[] (data_dir: the staff file's folder; none is needed). */
int bench_sale_xreport(const struct config *cfg, struct store *st,
    struct checkout *co, const char *data_dir, int k, uint64_t *us);

/* Sort v (n values) and return the q-th permille (500 = median). */
uint64_t bench_sale_pct(uint64_t *v, int n, int permille);

#endif
