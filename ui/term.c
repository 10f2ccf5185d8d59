/*
 * term.c — the terminal's main loop (one process, main thread): poll()
 * over the keys (stdin), the to-core queue's eventfd and the sync results
 * queue's eventfd, with the timeout of the next session/beep/clock timer;
 * drain, dispatch, redraw when the view's generation changed. Only this
 * thread draws. Scanner threads post to the to-core queue; the sync
 * thread has its own job/result queues, read by the session. Idle, the
 * loop wakes once a minute for the clock, or sooner for a session timer.
 *
 * Kiosk watchdog: READY=1 at start, WATCHDOG=1 every half WatchdogSec
 * only while the loop runs and the sync thread has published its state
 * within 15 s.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#ifdef QUAN_HAVE_SYSTEMD
#include <systemd/sd-daemon.h>
#else
#define sd_notify(u, s) ((void)(u), (void)(s), 0)
#define sd_watchdog_enabled(u, p) ((void)(u), (void)(p), 0)
#endif

#include "core/evq.h"
#include "core/session.h"
#include "ui/ui.h"
#include "ui/ui_int.h"
#include "util/err.h"
#include "util/log.h"
#include "util/tm.h"
#include "util/xmem.h"

#define SYNC_HEALTH_MS 15000

struct loop {
	const struct ui_run_opts *o;
	struct ui *u;
	uint64_t last_results_ms;
};

static void
drain_core(struct loop *l)
{
	struct ev *ev = xmalloc(sizeof *ev);

	while (evq_get(l->o->to_core, ev))
		session_dispatch(l->o->s, ev);
	free(ev);
}

/* Feed the watchdog only while the loop runs (we are in it) and the sync
 * thread answers (it publishes its state every few seconds). */
static void
watchdog(struct loop *l, uint64_t *next_ms, uint64_t period_ms)
{
	uint64_t now = tm_mono_ms();

	if (period_ms == 0 || now < *next_ms)
		return;
	*next_ms = now + period_ms;
	if (l->o->results != NULL &&
	    now - l->last_results_ms > SYNC_HEALTH_MS) {
		log_warn("sync thread silent for %llu ms: watchdog not fed",
		    (unsigned long long)(now - l->last_results_ms));
		return;
	}
	sd_notify(0, "WATCHDOG=1");
}

static void
loop(struct loop *l)
{
	const struct ui_run_opts *o = l->o;
	struct pollfd p[3];
	struct ev tick;
	int n, timeout, ui_to, rc;
	uint64_t wd_usec = 0, wd_next = 0, wd_period = 0;

	memset(&tick, 0, offsetof(struct ev, u));
	tick.type = EV_TICK;
	if (sd_watchdog_enabled(0, &wd_usec) > 0)
		wd_period = wd_usec / 2000; /* half the interval, in ms */
	sd_notify(0, "READY=1");
	l->last_results_ms = tm_mono_ms();
	ui_render(l->u, session_view(o->s));
	while (!session_done(o->s) && !(o->stop != NULL && *o->stop)) {
		n = 0;
		p[n].fd = STDIN_FILENO;
		p[n++].events = POLLIN;
		p[n].fd = evq_fd(o->to_core);
		p[n++].events = POLLIN;
		if (o->results != NULL) {
			p[n].fd = evq_fd(o->results);
			p[n++].events = POLLIN;
		}
		timeout = session_timeout_ms(o->s);
		ui_to = ui_timeout_ms(l->u);
		if (ui_to >= 0 && (timeout < 0 || ui_to < timeout))
			timeout = ui_to;
		if (wd_period > 0 && (timeout < 0 ||
		    (uint64_t)timeout > wd_period))
			timeout = (int)wd_period;
		rc = poll(p, (nfds_t)n, timeout);
		if (rc < 0 && errno != EINTR)
			break;
		if (rc > 0 && (p[0].revents & (POLLHUP | POLLERR)) != 0 &&
		    (p[0].revents & POLLIN) == 0)
			break; /* the terminal went away */
		/* keys, and KEY_RESIZE after a SIGWINCH cut the poll short */
		if (rc != 0)
			ui_keys(l->u, session_view(o->s), o->to_core);
		drain_core(l);
		if (n == 3 && rc > 0 && (p[2].revents & POLLIN) != 0) {
			l->last_results_ms = tm_mono_ms();
			session_sync(o->s);
		}
		session_dispatch(o->s, &tick);
		ui_tick(l->u, session_view(o->s));
		watchdog(l, &wd_next, wd_period);
	}
	sd_notify(0, "STOPPING=1");
}

int
ui_run(const struct ui_opts *uo, const struct ui_run_opts *o, char **cause)
{
	struct loop l;
	int errfd, saved_err = -1, rc;

	memset(&l, 0, sizeof l);
	l.o = o;
	if ((rc = ui_new(&l.u, uo, cause)) != 0)
		return rc;
	/* stray stderr writes (any layer) would tear the screen: send them
	 * to the log file while curses owns the terminal */
	if (o->err_log != NULL && isatty(STDERR_FILENO)) {
		errfd = open(o->err_log, O_WRONLY | O_CREAT | O_APPEND |
		    O_CLOEXEC, 0600);
		if (errfd >= 0) {
			saved_err = dup(STDERR_FILENO);
			dup2(errfd, STDERR_FILENO);
			close(errfd);
		}
	}
	loop(&l);
	ui_free(l.u);
	if (saved_err >= 0) {
		dup2(saved_err, STDERR_FILENO);
		close(saved_err);
	}
	return QUAN_OK;
}
