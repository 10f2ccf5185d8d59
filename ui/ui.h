/*
 * ui.h — the curses front-end of the terminal session and its loop: draws
 * a struct view (core/view.h) and turns keys into semantic events (EV_KEY
 * with a session_cmd, or EV_SCAN for a code typed at the scan field). It
 * reads the view and posts events; it never reaches into the session.
 * Main thread only (curses is not thread-safe).
 */
#ifndef QUAN_UI_H
#define QUAN_UI_H

#include <signal.h>
#include <stdint.h>

#include "core/view.h"

struct evq;
struct session;

struct ui_opts {
	int no_color;          /* monochrome even on a colour terminal */
	int quiet;             /* no beeps */
	int kiosk;             /* big prompt/verdict, only F10 opens exit */
	const char *const *demo_lines; /* "label\tcode" lines or NULL */
	int ndemo;
	const char *latency_file; /* append scan->verdict-drawn us, or NULL */
};

/* What the terminal's loop runs on; borrowed for ui_run's duration. */
struct ui_run_opts {
	struct session *s;
	struct evq *to_core;     /* keys' and scanners' events */
	struct evq *results;     /* the sync results queue, NULL: no sync */
	const char *err_log;     /* stderr goes here while curses draws */
	volatile sig_atomic_t *stop; /* set by a signal: leave the loop */
};

/* Start curses, run the terminal until the session is done, *stop is set
 * or the terminal goes away, then restore the terminal (ui/term.c).
 * QUAN_EIO with *cause when there is no terminal; else QUAN_OK. */
int ui_run(const struct ui_opts *uo, const struct ui_run_opts *o,
    char **cause);

#endif
