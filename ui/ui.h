/*
 * ui.h — the curses front-end of the terminal session: draws a struct view
 * (core/view.h) and turns keys into semantic events (EV_KEY with a
 * session_cmd, or EV_SCAN for a code typed at the scan field). It reads the
 * view and posts events; it never reaches into the session. Main thread
 * only (curses is not thread-safe).
 */
#ifndef QUAN_UI_H
#define QUAN_UI_H

#include <stdint.h>

#include "core/view.h"

struct evq;

struct ui_opts {
	int no_color;          /* monochrome even on a colour terminal */
	int quiet;             /* no beeps */
	int kiosk;             /* big prompt/verdict, only F10 opens exit */
	const char *const *demo_lines; /* "label\tcode" lines or NULL */
	int ndemo;
	const char *latency_file; /* append scan->verdict-drawn us, or NULL */
};

struct ui;

/* Start curses. QUAN_EIO with *cause when there is no terminal. Borrows
 * opts' strings for the ui's lifetime. */
int ui_new(struct ui **out, const struct ui_opts *opts, char **cause);
void ui_free(struct ui *u); /* NULL-safe; restores the terminal */

/* Read every queued key; post the events they make to q. v is the view on
 * screen (which field is being edited). Returns 1 when something needs a
 * redraw of the input line. */
int ui_keys(struct ui *u, const struct view *v, struct evq *q);
/* Redraw when v->gen differs from the last drawn, or the ui is dirty. */
void ui_render(struct ui *u, const struct view *v);
/* Milliseconds until ui_tick wants to run (beeps, clock), -1 none. */
int ui_timeout_ms(const struct ui *u);
/* Play due beeps, refresh the clock. */
void ui_tick(struct ui *u, const struct view *v);

/* Latency figures gathered so far (scan event -> verdict drawn). */
struct ui_lat {
	uint64_t n;
	uint64_t max_us;
};
void ui_latency(const struct ui *u, struct ui_lat *out);

#endif
