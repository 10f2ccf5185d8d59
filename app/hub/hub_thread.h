/*
 * hub_thread.h — the thread that holds a till's hub connection and runs
 * its claims: EV_HUB_JOB in (core/hubmsg.h), EV_HUB_DONE out, one answer
 * per job: CLAIMED, TAKEN (by whom), or DOWN at once when the hub is not
 * reachable now (reconnecting at most once a second), so the core's
 * deadline is a bound, not the usual wait. After each answer an EV_TICK
 * is posted to `wake` (the owner loop's queue, may be NULL): the owner
 * wakes and reads the answers queue (it is its only reader).
 */
#ifndef QUAN_HUB_THREAD_H
#define QUAN_HUB_THREAD_H

struct evq;
struct hubthr;

/* Start it: the dsn is checked first (hub_dsn_check); connecting happens
 * on the thread. stmt_timeout_ms: lock/statement timeout at the hub. */
int hubthr_start(const char *dsn, int stmt_timeout_ms, struct evq *wake,
    struct hubthr **out, char **cause);
struct evq *hubthr_jobs(struct hubthr *t);     /* post EV_HUB_JOB here */
struct evq *hubthr_answers(struct hubthr *t);  /* read EV_HUB_DONE here */
/* Stop after the queued claims are answered; frees. NULL-safe. */
void hubthr_stop(struct hubthr *t);

#endif
