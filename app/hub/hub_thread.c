/*
 * hub_thread.c — a till's claims, asked of the hub on a thread of their
 * own (hub_thread.h): the core never waits on PostgreSQL.
 */
#include <poll.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "core/evq.h"
#include "core/syncmsg.h"
#include "hub/hub.h"
#include "hub/hub_thread.h"
#include "util/err.h"
#include "util/log.h"
#include "util/str.h"
#include "util/tm.h"
#include "util/xmem.h"

#define RECONNECT_MS 1000

struct hubthr {
	pthread_t th;
	char *dsn;
	int stmt_ms;
	struct evq *jobs, *answers, *wake;
	struct hub *h;
	uint64_t last_try_ms;
	char down[HUB_MSG_MAX];  /* why the hub is not usable now */
	int down_rc;
};

/* Connect when there is no usable connection, at most once a second. */
static void
ensure(struct hubthr *t, int force)
{
	char *cause = NULL;
	int rc;

	if (hub_ok(t->h))
		return;
	hub_close(t->h);
	t->h = NULL;
	if (!force && tm_mono_ms() - t->last_try_ms < RECONNECT_MS)
		return;
	t->last_try_ms = tm_mono_ms();
	rc = hub_open(t->dsn, 2, t->stmt_ms, &t->h, &cause);
	if (rc == 0 && (rc = hub_check_schema(t->h, &cause)) != 0) {
		hub_close(t->h);
		t->h = NULL;
	}
	if (rc != 0) {
		if (t->down_rc != rc)
			log_warn("hub: %s", cause != NULL ? cause :
			    quan_strerror(rc));
		t->down_rc = rc;
		str_copy(t->down, sizeof t->down, cause != NULL ? cause :
		    quan_strerror(rc));
	} else {
		if (t->down_rc != 0)
			log_info("hub: connected again");
		t->down_rc = 0;
	}
	free(cause);
}

static void
answer(struct hubthr *t, const struct hub_answer *a)
{
	struct ev ev;

	syncmsg_put(&ev, EV_HUB_DONE, a, sizeof *a);
	ev.t_mono_us = tm_mono_ms() * 1000;
	if (evq_post(t->answers, &ev) != 0)
		log_error("hub: answers queue full: claim %lld dropped "
		    "(decided as hub down)", (long long)a->tag);
	if (t->wake != NULL) {
		memset(&ev, 0, sizeof ev);
		ev.type = EV_TICK;
		(void)evq_post(t->wake, &ev); /* a hint: a full queue wakes */
	}
}

static void *
hubthr_main(void *arg)
{
	struct hubthr *t = arg;
	struct hub_job j;
	struct hub_answer a;
	struct ev ev;

	ensure(t, 1);
	for (;;) {
		if (!evq_wait(t->jobs, &ev, 1000))
			continue;
		if (ev.type == EV_STOP)
			break;
		if (ev.type != EV_HUB_JOB)
			continue;
		memcpy(&j, ev.u.opaque, sizeof j);
		ensure(t, 0);
		if (t->h == NULL) {
			memset(&a, 0, sizeof a);
			a.tag = j.tag;
			a.verdict = HUB_V_DOWN;
			a.rc = t->down_rc != 0 ? t->down_rc : QUAN_ENET;
			str_copy(a.error, sizeof a.error, t->down);
		} else {
			hub_claim(t->h, &j, &a);
			if (a.verdict == HUB_V_DOWN)
				log_warn("hub: claim: %s", a.error);
		}
		answer(t, &a);
	}
	hub_close(t->h);
	t->h = NULL;
	return NULL;
}

int
hubthr_start(const char *dsn, int stmt_timeout_ms, struct evq *wake,
    struct hubthr **out, char **cause)
{
	struct hubthr *t;
	int rc;

	*out = NULL;
	if ((rc = hub_dsn_check(dsn, cause)) != 0)
		return rc;
	t = xcalloc(1, sizeof *t);
	t->dsn = xstrdup(dsn);
	t->stmt_ms = stmt_timeout_ms;
	t->wake = wake;
	if (evq_new(&t->jobs, 256) != 0 || evq_new(&t->answers, 256) != 0) {
		*cause = xstrdup("hub: cannot create its queues");
		rc = QUAN_ENOMEM;
		goto bad;
	}
	if (pthread_create(&t->th, NULL, hubthr_main, t) != 0) {
		*cause = xstrdup("hub: cannot start its thread");
		rc = QUAN_ENOMEM;
		goto bad;
	}
	*out = t;
	return QUAN_OK;
bad:
	evq_free(t->jobs);
	evq_free(t->answers);
	free(t->dsn);
	free(t);
	return rc;
}

struct evq *
hubthr_jobs(struct hubthr *t)
{
	return t->jobs;
}

struct evq *
hubthr_answers(struct hubthr *t)
{
	return t->answers;
}

void
hubthr_stop(struct hubthr *t)
{
	struct ev ev;

	if (t == NULL)
		return;
	memset(&ev, 0, sizeof ev);
	ev.type = EV_STOP;
	/* a full queue drains: the thread answers every claim first */
	while (evq_post(t->jobs, &ev) == QUAN_EFULL)
		poll(NULL, 0, 10);
	pthread_join(t->th, NULL);
	evq_free(t->jobs);
	evq_free(t->answers);
	free(t->dsn);
	free(t);
}
