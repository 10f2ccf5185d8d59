/*
 * crt.h — the only owner of the curses session (htop's CRT): start and end
 * the terminal, colours (or their monochrome stand-ins), the input mode,
 * key reading, resize and beeps. Main thread only.
 */
#ifndef QUAN_UI_CRT_H
#define QUAN_UI_CRT_H

#include <stdint.h>

/* Colour roles; crt_attr() gives the attribute for each. */
enum crt_role {
	CRT_NORMAL = 0,
	CRT_STATUS,     /* top status bar */
	CRT_OFFLINE,    /* offline badge */
	CRT_OK,         /* confirmed */
	CRT_WARN,       /* accepted offline / pending */
	CRT_BAD,        /* rejected */
	CRT_DEMO,       /* demo banner */
	CRT_KEY,        /* function-key numbers */
	CRT_KEYLABEL,   /* function-key labels */
	CRT_INPUT,      /* the input field */
	CRT_TITLE,
	CRT_DIM,
	CRT_ROLES
};

/* Key classes crt_getkey() returns. */
enum crt_key {
	CRT_K_NONE = 0, /* nothing queued */
	CRT_K_CHAR,     /* a printable character in *wc */
	CRT_K_ENTER, CRT_K_BACKSPACE, CRT_K_ESC, CRT_K_TAB, CRT_K_UP,
	CRT_K_DOWN, CRT_K_LEFT, CRT_K_RIGHT, CRT_K_DELETE, CRT_K_RESIZE,
	CRT_K_FN,       /* function key: *wc = 1..12 */
	CRT_K_CTRL,     /* a control character: *wc = the letter ('C', ...) */
	CRT_K_PGUP, CRT_K_PGDN,
	CRT_K_OTHER
};

/* Start curses on the terminal: raw mode (Ctrl-C, Ctrl-Z, Ctrl-\ arrive as
 * keys, never as signals), keypad, no echo, non-blocking reads. no_color
 * forces monochrome (also when $NO_COLOR is set or the terminal has none).
 * QUAN_EIO when stdin/stdout is not a terminal. */
int crt_init(int no_color);
void crt_end(void);            /* NULL-safe in spirit: no-op when not up */
int crt_active(void);
int crt_attr(enum crt_role r); /* an attr_t as int */
int crt_has_color(void);
void crt_size(int *rows, int *cols);
/* Next key, non-blocking. */
enum crt_key crt_getkey(uint32_t *wc);
void crt_beep(void);

#endif
