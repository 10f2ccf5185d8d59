/*
 * redeem.h — a sale's redeem, asked of WeChat without waiting on it:
 *
 *   redeem_start:  checkout_commit (pending rows, keys, outbox: the first
 *                  commit), then the rows sent (settle_txn_send)
 *   ... the owner's loop applies sync results (settle_drain) and ticks,
 *   calling redeem_step after each; redeem_timeout_ms is its deadline ...
 *   redeem_step:   once every answer is in, WeChat is known unreachable
 *                  or the deadline passed: checkout_decide (the second
 *                  commit), and the returns it queued are sent
 *
 * The terminal's session drives it from its event loop, which never
 * blocks; a one-shot command (`quan redeem`, benches) calls redeem_run,
 * the same steps with a poll on the results queue in between. Without a
 * settle (no network) redeem_start decides at once. Main thread.
 */
#ifndef QUAN_REDEEM_H
#define QUAN_REDEEM_H

#include <stdint.h>

struct checkout;
struct evq;
struct settle;

struct redeem;

/* se and results NULL: no network. wait_ms: how long a redeem waits for
 * WeChat's answers (config online_wait_ms). Borrows all three; also
 * checkout_set_online(co, se != NULL). */
struct redeem *redeem_new(struct checkout *co, struct settle *se,
    struct evq *results, int wait_ms);
/* A store hub (app/hub/hub_thread.h): every line with a row is claimed
 * there (EV_HUB_JOB to jobs, answers read from answers, this redeem
 * being their only reader) after the first commit and before the send;
 * the claims' deadline is wait_ms, then unanswered ones count as "hub
 * down" (checkout_hub_verdict). Borrows the queues. */
void redeem_set_hub(struct redeem *r, struct evq *jobs, struct evq *answers,
    int wait_ms, const char *terminal, const char *store_id);
/* Frees; a redeem still out is decided first (offline policy for what
 * is unanswered). NULL-safe. */
void redeem_free(struct redeem *r);

/* Commit the open basket and send it. 0: out (redeem_active), or already
 * decided without network (redeem_rc says how); else the first commit's
 * QUAN_E* (nothing written, the basket stays open). */
int redeem_start(struct redeem *r);
/* 1 while a redeem is out (committed, not decided). */
int redeem_active(const struct redeem *r);
/* Decide if the wait is over. Returns 1 when the redeem was decided by
 * this call (or by redeem_start without network and not reported yet),
 * 0 otherwise; redeem_rc then tells checkout_decide's result. */
int redeem_step(struct redeem *r);
/* checkout_decide's result of the last decided redeem (0 or QUAN_E*). */
int redeem_rc(const struct redeem *r);
/* ms until redeem_step must be called at the latest (-1: none out). */
int redeem_timeout_ms(const struct redeem *r);
/* ms since the redeem out was started (0 when none). */
uint64_t redeem_elapsed_ms(const struct redeem *r);

/* One-shot commands: redeem_start, then apply results from the queue
 * (the only reader of it meanwhile) and step until decided. The first
 * commit's QUAN_E*, else redeem_rc. */
int redeem_run(struct redeem *r);

#endif
