/*
 * keys.c — keys to session commands. The input line is the only state
 * kept here: a code typed at the scan field becomes an EV_SCAN (keyboard
 * wedge when the keys came in a burst, manual otherwise).
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <wchar.h>

#include <ncursesw/curses.h>

#include "core/evq.h"
#include "core/session.h"
#include "ui/crt.h"
#include "ui/text.h"
#include "ui/ui.h"
#include "ui/ui_int.h"
#include "util/err.h"
#include "util/log.h"
#include "util/str.h"
#include "util/tm.h"
#include "util/xmem.h"

/* ---- keys ----------------------------------------------------------- */

static void
post_cmd(struct evq *q, enum session_cmd cmd, const char *text)
{
	struct ev ev;

	memset(&ev, 0, offsetof(struct ev, u) + sizeof ev.u.key);
	ev.type = EV_KEY;
	ev.t_mono_us = tm_mono_us();
	ev.u.key.cmd = (int)cmd;
	if (text != NULL) {
		str_copy(ev.u.key.text, sizeof ev.u.key.text, text);
		ui_fold_width(ev.u.key.text); /* "１００" is 100 */
	}
	if (evq_post(q, &ev) != 0)
		log_warn("event queue full: key dropped");
}

static void
post_scan(struct ui *u, struct evq *q)
{
	struct ev *ev = xcalloc(1, sizeof *ev);
	int wedge = u->key_gap_max_ms <= WEDGE_GAP_MS && u->in_len >= 4;

	ev->type = EV_SCAN;
	ev->t_mono_us = tm_mono_us();
	ev->u.scan.source = wedge ? SCAN_SRC_KEYBOARD : SCAN_SRC_MANUAL;
	str_copy(ev->u.scan.source_name, sizeof ev->u.scan.source_name,
	    wedge ? "keyboard" : "manual");
	memcpy(ev->u.scan.raw, u->in, u->in_len);
	ev->u.scan.raw_len = u->in_len;
	/* the raw bytes as typed (diagnostics), the text folded: a code
	 * typed with a Chinese input method's full-width digits is the
	 * same code */
	str_copy(ev->u.scan.text, sizeof ev->u.scan.text, u->in);
	ui_fold_width(ev->u.scan.text);
	ev->u.scan.t_mono_us = ev->t_mono_us;
	ev->u.scan.ikt_max_ms = u->key_gap_max_ms;
	ev->u.scan.dur_ms = (uint32_t)((u->key_last_us - u->key_first_us) /
	    1000);
	snprintf(ev->u.scan.encoding, sizeof ev->u.scan.encoding, "utf-8");
	if (evq_post(q, ev) != 0)
		log_warn("event queue full: scan dropped");
	free(ev);
	u->scan_us = tm_mono_us();
}

/* A hint of the ui's own on the message line, until the next key or
 * verdict, or another screen. */
static void
hint(struct ui *u, const struct view *v, enum ui_hint h)
{
	u->hint = h;
	u->hint_seq = v->verdict_seq;
	u->hint_screen = v->screen;
	u->dirty = 1;
}

int
ui_hint_live(const struct ui *u, const struct view *v)
{
	return u->hint != UI_H_NONE && u->hint_seq == v->verdict_seq &&
	    u->hint_screen == v->screen;
}

static void
add_char(struct ui *u, uint32_t wc)
{
	char mb[MB_LEN_MAX + 1];
	mbstate_t st;
	size_t k;
	uint64_t now = tm_mono_us();
	uint32_t gap;

	memset(&st, 0, sizeof st);
	k = wcrtomb(mb, (wchar_t)wc, &st);
	if (k == (size_t)-1 || u->in_len + k > INPUT_MAX)
		return;
	if (u->in_len == 0) {
		u->key_first_us = now;
		u->key_gap_max_ms = 0;
	} else {
		gap = (uint32_t)((now - u->key_last_us) / 1000);
		if (gap > u->key_gap_max_ms)
			u->key_gap_max_ms = gap;
	}
	u->key_last_us = now;
	memcpy(u->in + u->in_len, mb, k);
	u->in_len += k;
	u->in[u->in_len] = '\0';
}

static void
backspace(struct ui *u)
{
	while (u->in_len > 0) {
		u->in_len--;
		if (((unsigned char)u->in[u->in_len] & 0xc0) != 0x80)
			break;
	}
	u->in[u->in_len] = '\0';
}

/* Enter on the empty scan field redeems, but not an Enter that follows a
 * scan within STRAY_ENTER_MS: the LF of a scanner's CR+LF suffix, or a
 * double Enter. The scan may have come from the keys (scan_us) or from a
 * scanner driver (the view's verdict_scan_us). */
static int
stray_enter(const struct ui *u, const struct view *v, uint64_t now)
{
	uint64_t last = u->scan_us > v->verdict_scan_us ? u->scan_us :
	    v->verdict_scan_us;

	return last != 0 && now >= last && now - last < STRAY_ENTER_MS * 1000;
}

static void
enter(struct ui *u, const struct view *v, struct evq *q)
{
	uint64_t now = tm_mono_us(), last;

	if (v->field == VIEW_FIELD_CODE && v->screen != VIEW_APPROVE) {
		if (u->in_len == 0) {
			if (stray_enter(u, v, now)) {
				/* a person's double Enter gets a word; a
				 * scanner's suffix (within a wedge gap) is
				 * silent */
				last = u->scan_us > v->verdict_scan_us ?
				    u->scan_us : v->verdict_scan_us;
				if (now - last > WEDGE_GAP_MS * 1000)
					hint(u, v, UI_H_ENTER_SOON);
				return;
			}
			post_cmd(q, SC_CONFIRM, NULL);
			u->scan_us = now; /* a second Enter is stray too */
		} else
			post_scan(u, q);
	} else if (v->screen == VIEW_TXNS && u->in_len == 0 &&
	    v->nlines > 0 && ui_sale_line(v->lines[0])) {
		/* Enter on the sales list opens the selected sale */
		post_cmd(q, SC_DETAIL, NULL);
	} else if (v->field == VIEW_FIELD_NONE && v->screen != VIEW_APPROVE) {
		post_cmd(q, v->screen == VIEW_RESULT ? SC_NEW : SC_DETAIL,
		    NULL);
	} else {
		post_cmd(q, SC_SUBMIT, u->in);
	}
	u->in_len = 0;
	u->in[0] = '\0';
	u->submitted = 1;
}

/* '+' on the empty scan field of a basket with coupons redeems: a
 * deliberate key (no scanner sends it, no code holds it), so unlike Enter
 * it is taken right after a scan too. 1 when taken. */
static int
redeem_key(struct ui *u, const struct view *v, struct evq *q)
{
	if (v->screen != VIEW_BASKET || v->field != VIEW_FIELD_CODE ||
	    u->in_len != 0 || v->ncoupons == 0)
		return 0;
	post_cmd(q, SC_CONFIRM, NULL);
	u->scan_us = tm_mono_us(); /* an Enter right after it is stray */
	u->submitted = 1;
	return 1;
}

/* Esc dismisses the prompt (clears what is typed, closes a screen); it
 * never drops a basket. Clearing a basket is F2 twice (kiosk: Esc twice,
 * the kiosk has no F-keys), the first press saying what the second does. */
static void
escape(struct ui *u, const struct view *v, struct evq *q)
{
	if (u->in_len > 0) {
		u->in_len = 0;
		u->in[0] = '\0';
		return;
	}
	if (v->screen == VIEW_BASKET && v->field == VIEW_FIELD_CODE &&
	    v->ncoupons > 0) {
		if (u->o.kiosk && u->hint_prev == UI_H_CLEAR_KIOSK) {
			post_cmd(q, SC_CANCEL, NULL);
			u->submitted = 1;
			return;
		}
		hint(u, v, u->o.kiosk ? UI_H_CLEAR_KIOSK : UI_H_ESC_KEEPS);
		return;
	}
	post_cmd(q, SC_CANCEL, NULL);
	/* keys typed right after Esc belong to the field it goes back to */
	u->submitted = 1;
}

/* F2: a new sale; with coupons in the basket, only when pressed again */
static int
clear_basket(struct ui *u, const struct view *v, struct evq *q)
{
	if (v->screen != VIEW_BASKET || v->ncoupons == 0)
		return 0;
	if (u->hint_prev == UI_H_CLEAR) {
		post_cmd(q, v->field == VIEW_FIELD_CODE ? SC_CANCEL : SC_NEW,
		    NULL);
		u->submitted = 1;
		return 1;
	}
	hint(u, v, UI_H_CLEAR);
	return 1;
}

static void
fkey(struct ui *u, const struct view *v, int n, struct evq *q)
{
	static const enum session_cmd map[13] = {
		SC_NONE, SC_HELP, SC_NEW, SC_TXNS, SC_XREPORT, SC_ZREPORT,
		SC_DIAG, SC_SETTINGS, SC_VOID, SC_LOGOUT, SC_QUIT, SC_NONE,
		SC_OVERRIDE
	};

	if (u->o.kiosk) {
		/* only F10 (ask for a manager to leave) does anything */
		if (n == 10)
			post_cmd(q, SC_QUIT, NULL);
		return;
	}
	if (n == 11 && u->o.ndemo > 0) {
		/* the demo panel's next page (back to the first at the end) */
		u->demo_first += u->demo_shown > 0 ? u->demo_shown : 1;
		if (u->demo_first >= u->o.ndemo)
			u->demo_first = 0;
		u->dirty = 1;
		return;
	}
	if (n == 2 && clear_basket(u, v, q))
		return;
	if (n == 11) { /* the last receipt again; a report on paper */
		post_cmd(q, SC_PRINT, NULL);
		return;
	}
	if (n >= 1 && n <= 12 && map[n] != SC_NONE)
		post_cmd(q, map[n], NULL);
}

/* Up/Down move the selection (basket, sales list); on the other list
 * screens (reports, scans, settings, detail) they scroll, as PgUp/PgDn
 * do by a page. */
static void
move_key(struct ui *u, const struct view *v, enum crt_key k,
    struct evq *q)
{
	int page = u->list_page > 1 ? u->list_page - 1 : 1, i;
	int up = k == CRT_K_UP || k == CRT_K_PGUP;
	int n = k == CRT_K_UP || k == CRT_K_DOWN ? 1 : page;

	switch (v->screen) {
	case VIEW_REPORT:
	case VIEW_DIAG:
	case VIEW_SETTINGS:
	case VIEW_DETAIL:
		u->list_top += up ? -n : n;
		if (u->list_top < 0)
			u->list_top = 0;  /* draw_lines clamps the end */
		u->dirty = 1;
		return;
	default:
		break;
	}
	for (i = 0; i < n; i++)
		post_cmd(q, up ? SC_UP : SC_DOWN, NULL);
}

int
ui_keys(struct ui *u, const struct view *v, struct evq *q)
{
	uint32_t wc;
	enum crt_key k;
	int changed = 0;

	while ((k = crt_getkey(&wc)) != CRT_K_NONE) {
		changed = 1;
		/* a hint lasts until the next key (which may renew it);
		 * F2 and Esc look at the one that was on screen */
		u->hint_prev = ui_hint_live(u, v) ? u->hint : UI_H_NONE;
		u->hint = UI_H_NONE;
		switch (k) {
		case CRT_K_CHAR:
			if (wc == '+' && redeem_key(u, v, q))
				break;
			add_char(u, wc);
			break;
		case CRT_K_BACKSPACE:
			backspace(u);
			break;
		case CRT_K_ENTER:
			enter(u, v, q);
			break;
		case CRT_K_ESC:
			escape(u, v, q);
			break;
		case CRT_K_UP:
		case CRT_K_DOWN:
		case CRT_K_PGUP:
		case CRT_K_PGDN:
			move_key(u, v, k, q);
			break;
		case CRT_K_TAB:
		case CRT_K_RIGHT:
			if (!u->o.kiosk)
				post_cmd(q, SC_DETAIL, NULL);
			break;
		case CRT_K_DELETE:
			if (!u->o.kiosk)
				post_cmd(q, SC_REMOVE, NULL);
			break;
		case CRT_K_FN:
			fkey(u, v, (int)wc, q);
			break;
		case CRT_K_CTRL:
			if (wc == 'L') {
				clearok(curscr, TRUE);
			} else if ((wc == 'T' || wc == 'O') && !u->o.kiosk) {
				/* the due in cash / another tender */
				post_cmd(q, wc == 'T' ? SC_CASH : SC_OTHER,
				    NULL);
			} else if (wc == 'P' && !u->o.kiosk) {
				post_cmd(q, SC_PRINT, NULL);
			} else if (wc == 'C' && !u->o.kiosk) {
				post_cmd(q, SC_QUIT, NULL);
			}
			/* kiosk: Ctrl-C, Ctrl-Z, Ctrl-\ do nothing */
			break;
		case CRT_K_RESIZE:
			clearok(curscr, TRUE);
			break;
		default:
			break;
		}
	}
	if (changed) {
		u->dirty = 1;
		ui_render(u, v);
	}
	return changed;
}
