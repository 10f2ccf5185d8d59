/*
 * crt.c — curses session: the only place that calls initscr/endwin, picks
 * colours and the input mode. raw() keeps Ctrl-C/Ctrl-Z/Ctrl-\ from turning
 * into signals, so a kiosk cannot be left by them (the caller decides what a
 * control key means).
 */
#include <stdlib.h>
#include <unistd.h>

#include <ncursesw/curses.h>

#include "ui/crt.h"
#include "util/err.h"

static int up;
static int color;
static int attrs[CRT_ROLES];

int
crt_init(int no_color)
{
	const char *nc = getenv("NO_COLOR");
	SCREEN *sc;

	if (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO))
		return QUAN_EIO;
	if (getenv("ESCDELAY") == NULL)
		set_escdelay(25);
	sc = newterm(NULL, stdout, stdin);
	if (sc == NULL)
		return QUAN_EIO;
	set_term(sc);
	up = 1;
	raw();
	noecho();
	nonl();
	keypad(stdscr, TRUE);
	nodelay(stdscr, TRUE);
	curs_set(1);
	color = !no_color && (nc == NULL || *nc == '\0') && has_colors();
	if (color) {
		start_color();
		use_default_colors();
		init_pair(1, COLOR_WHITE, COLOR_BLUE);   /* status */
		init_pair(2, COLOR_WHITE, COLOR_RED);    /* offline badge */
		init_pair(3, COLOR_BLACK, COLOR_GREEN);  /* ok */
		init_pair(4, COLOR_BLACK, COLOR_YELLOW); /* warn */
		init_pair(5, COLOR_WHITE, COLOR_RED);    /* bad */
		init_pair(6, COLOR_BLACK, COLOR_MAGENTA);/* demo */
		init_pair(7, COLOR_BLACK, COLOR_CYAN);   /* key label */
		init_pair(8, COLOR_CYAN, -1);            /* title */
		attrs[CRT_NORMAL] = A_NORMAL;
		attrs[CRT_STATUS] = (int)COLOR_PAIR(1);
		attrs[CRT_OFFLINE] = (int)(COLOR_PAIR(2) | A_BOLD);
		attrs[CRT_OK] = (int)(COLOR_PAIR(3) | A_BOLD);
		attrs[CRT_WARN] = (int)(COLOR_PAIR(4) | A_BOLD);
		attrs[CRT_BAD] = (int)(COLOR_PAIR(5) | A_BOLD);
		attrs[CRT_DEMO] = (int)(COLOR_PAIR(6) | A_BOLD);
		attrs[CRT_KEY] = A_BOLD;
		attrs[CRT_KEYLABEL] = (int)COLOR_PAIR(7);
		attrs[CRT_INPUT] = A_UNDERLINE;
		attrs[CRT_TITLE] = (int)(COLOR_PAIR(8) | A_BOLD);
		attrs[CRT_DIM] = A_DIM;
	} else {
		/* Monochrome: the words carry the meaning; attributes help. */
		attrs[CRT_NORMAL] = A_NORMAL;
		attrs[CRT_STATUS] = A_REVERSE;
		attrs[CRT_OFFLINE] = A_BOLD | A_BLINK;
		attrs[CRT_OK] = A_BOLD | A_REVERSE;
		attrs[CRT_WARN] = A_BOLD | A_UNDERLINE;
		attrs[CRT_BAD] = A_BOLD | A_REVERSE | A_BLINK;
		attrs[CRT_DEMO] = A_REVERSE;
		attrs[CRT_KEY] = A_BOLD;
		attrs[CRT_KEYLABEL] = A_REVERSE;
		attrs[CRT_INPUT] = A_UNDERLINE;
		attrs[CRT_TITLE] = A_BOLD;
		attrs[CRT_DIM] = A_DIM;
	}
	return QUAN_OK;
}

void
crt_end(void)
{
	if (!up)
		return;
	endwin();
	up = 0;
}

int
crt_active(void)
{
	return up;
}

int
crt_attr(enum crt_role r)
{
	return r < CRT_ROLES ? attrs[r] : (int)A_NORMAL;
}

int
crt_has_color(void)
{
	return color;
}

void
crt_size(int *rows, int *cols)
{
	getmaxyx(stdscr, *rows, *cols);
}

void
crt_beep(void)
{
	beep();
}

enum crt_key
crt_getkey(uint32_t *wc)
{
	wint_t k;
	int r = get_wch(&k);

	*wc = 0;
	if (r == ERR)
		return CRT_K_NONE;
	if (r == KEY_CODE_YES) {
		switch (k) {
		case KEY_ENTER: return CRT_K_ENTER;
		case KEY_BACKSPACE: return CRT_K_BACKSPACE;
		case KEY_DC: return CRT_K_DELETE;
		case KEY_UP: return CRT_K_UP;
		case KEY_DOWN: return CRT_K_DOWN;
		case KEY_LEFT: return CRT_K_LEFT;
		case KEY_RIGHT: return CRT_K_RIGHT;
		case KEY_RESIZE: return CRT_K_RESIZE;
		case KEY_PPAGE: return CRT_K_PGUP;
		case KEY_NPAGE: return CRT_K_PGDN;
		default:
			if (k >= KEY_F(1) && k <= KEY_F(12)) {
				*wc = (uint32_t)(k - KEY_F0);
				return CRT_K_FN;
			}
			return CRT_K_OTHER;
		}
	}
	switch (k) {
	case '\r':
	case '\n':
		return CRT_K_ENTER;
	case 27:
		return CRT_K_ESC;
	case '\t':
		return CRT_K_TAB;
	case 127:
	case 8:
		return CRT_K_BACKSPACE;
	default:
		break;
	}
	if (k < 32) {
		*wc = (uint32_t)('A' + k - 1);
		return CRT_K_CTRL;
	}
	*wc = (uint32_t)k;
	return CRT_K_CHAR;
}
