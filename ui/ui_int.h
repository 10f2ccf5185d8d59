/*
 * ui_int.h — private to ui/: the state of the curses front-end (the input
 * line, beeps, latency, demo panel page) and the drawing parts shared by
 * ui.c, draw_*.c, kiosk.c and keys.c. Main thread only.
 */
#ifndef QUAN_UI_INT_H
#define QUAN_UI_INT_H

#include <stdint.h>
#include <stdio.h>

#include "core/view.h"
#include "ui/ui.h"

#define INPUT_MAX 240
#define WEDGE_GAP_MS 60   /* keys closer than this came from a scanner */
#define BEEP_GAP_MS 180
#define STRAY_ENTER_MS 300 /* an Enter this soon after a scan is not a
                              redeem: a scanner's CR+LF, a double Enter */

/* Words the ui says on its own (keys.c), on the message line. */
enum ui_hint {
	UI_H_NONE = 0,
	UI_H_ENTER_SOON,   /* Enter right after a scan: not a redeem */
	UI_H_ESC_KEEPS,    /* Esc keeps the basket: F2 twice clears it */
	UI_H_CLEAR,        /* F2 once: F2 again clears the basket */
	UI_H_CLEAR_KIOSK   /* kiosk Esc once: Esc again clears */
};

struct ui {
	struct ui_opts o;
	uint64_t drawn_gen;
	int dirty;
	int rows, cols;

	/* input line */
	char in[INPUT_MAX + 8];
	size_t in_len;
	int in_field;             /* field, or 100 + approval step */
	int submitted;            /* Enter sent, its effect not drawn yet:
	                             keys typed since are type-ahead */
	enum view_screen in_screen;
	uint64_t key_first_us, key_last_us;
	uint32_t key_gap_max_ms;
	uint64_t scan_us;         /* last scan (or redeem) posted by keys */

	/* the ui's own hint, while verdict_seq and screen are unchanged */
	enum ui_hint hint, hint_prev;
	uint64_t hint_seq;
	enum view_screen hint_screen;

	/* list screens: first row shown, rows per page (draw_lines) */
	int list_top, list_page;
	enum view_screen list_screen;

	/* demo panel: first entry shown, entries that fit last time */
	int demo_first, demo_shown;

	/* beeps */
	uint64_t beep_seq;
	int beeps_left;
	uint64_t beep_next_ms;

	/* latency */
	uint64_t lat_seq;
	FILE *lat_fp;

	int minute;           /* clock minute drawn */
};

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

/* keys.c: the hint is still on screen (no key, verdict or screen since) */
int ui_hint_live(const struct ui *u, const struct view *v);

/* draw_bars.c: put s at (y, x) in at most w columns (pad to w when pad) */
void dr_put(int y, int x, int w, const char *s, int attr, int pad);
void dr_fill(int y, int x, int w, int attr);
void dr_center(int y, int x, int w, const char *s, int attr);
int dr_cstate_role(enum view_cstate s);
int dr_verdict_role(enum view_verdict v);
void draw_status(const struct view *v);
void draw_fnbar(const struct view *v, int kiosk);
void draw_input(struct ui *u, const struct view *v, int y, int big);

/* draw_sale.c */
void draw_coupon(int y, int x, int w, int i, const struct view_coupon *c,
    int selected);
#define VERDICT_ROWS_MAX 6
/* Rows the verdict box needs at width w (0: no verdict, else 3..6). */
int verdict_rows(const struct view *v, int w);
void draw_verdict(const struct view *v, int y, int x, int w, int big);
void draw_sale(const struct view *v, int top, int bottom, int w, int kiosk);
void draw_pay_offer(const struct view *v, int y, int w, int kiosk);
void draw_pay(const struct view *v, int top, int bottom, int w, int kiosk);
void draw_approve(const struct view *v, int top, int bottom, int w,
    int kiosk);

/* draw_lists.c; a line of the sales list (not "No sales yet today") */
int ui_sale_line(const char *l);
void draw_demo(struct ui *u, int x, int w, int top, int bottom);
void draw_lines(struct ui *u, const struct view *v, int top, int bottom,
    int w);
void draw_help(int top, int bottom, int w, int kiosk);
void draw_login(const struct view *v, int top, int bottom, int w);

/* kiosk.c: digits, '.' and the yuan sign in block letters, centred */
void dr_big_text(const char *s, int y, int w);

#endif
