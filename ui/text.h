/*
 * text.h — words for the view model, in the cashier's language (gettext,
 * domain "quan", English msgids), and display-width helpers for CJK. Shared
 * by the curses UI and the headless printer so both say the same things.
 * Main thread.
 */
#ifndef QUAN_UI_TEXT_H
#define QUAN_UI_TEXT_H

#include <stddef.h>
#include <stdint.h>

#include "core/view.h"

#define _(s) ui_tr(s)
#define N_(s) (s)

/* Choose the language: lang ("zh_CN", "en", NULL = from config/LANG).
 * Sets a UTF-8 LC_CTYPE (C.UTF-8 when the environment has none) and binds
 * the catalogue from $QUAN_LOCALEDIR, else <exe dir>/locale, else the
 * install prefix. Returns the language in use ("zh_CN" or "en"). */
const char *ui_text_init(const char *lang);
const char *ui_tr(const char *msgid) __attribute__((format_arg(1)));

/* Words for enums; never NULL. */
const char *ui_cstate_word(enum view_cstate s);
/* A coupon line's state word: ui_cstate_word, except a priced line only
 * WeChat can vouch for ("to be confirmed by WeChat", 待微信确认). */
const char *ui_coupon_word(const struct view_coupon *c);
/* A coupon's kind (view_coupon.kind: NORMAL, CASH, card ...) in the
 * cashier's words (core/coupon.h's table). */
const char *ui_kind_word(const char *kind);
const char *ui_verdict_word(enum view_verdict v);
const char *ui_screen_title(enum view_screen s);
const char *ui_role_word(enum view_role r);
/* The status bar's word for view.online (VIEW_NET_*). */
const char *ui_net_word(int online);
const char *ui_action_word(enum view_action a);
/* The coupon's reason in plain words ("already used at 14:02",
 * "needs ¥100.00, basket ¥80.00") into out; returns out ("" none). */
char *ui_reason(const struct view_coupon *c, char *out, size_t n);
/* The view's message line into out; returns out ("" none). */
char *ui_msg(const struct view *v, char *out, size_t n);
/* The prompt for the current input field; never NULL. */
const char *ui_prompt(const struct view *v);
/* A list line "label\tvalue" with the label translated, into out. */
char *ui_line(const char *line, char *out, size_t n);
/* "¥12.34" into out (n >= 32). */
char *ui_money(int64_t fen, char *out, size_t n);
/* "3m", "2h", "1d", "never" into out. */
char *ui_age(int64_t s, char *out, size_t n);

/* The verdict box (ui/banner.c): a finished sale's banner is derived from
 * its lines' final states; a scan's from its verdict, except a payment
 * code (a masked note) and a code already in the basket (its line). */
enum ui_banner_kind {
	UI_B_NONE = 0,
	UI_B_OK,        /* every coupon confirmed */
	UI_B_OFFLINE,   /* every coupon given, some offline */
	UI_B_WAIT,      /* WeChat has not answered */
	UI_B_BAD,       /* nothing given */
	UI_B_MIXED,     /* some given, some not: head says which, and due */
	UI_B_NOTE       /* neither given nor refused: a neutral note */
};
#define UI_BANNER_REASONS 4
struct ui_banner {
	enum ui_banner_kind kind;
	char word[64];       /* "CONFIRMED"; "" for a mixed result */
	char head[256];      /* coupon name, "2 coupons", or the counts */
	char reasons[UI_BANNER_REASONS][256]; /* "name — reason" each */
	int nreasons;
};
void ui_banner(const struct view *v, struct ui_banner *b);
/* The first and last four characters, '*' between, into out. */
char *ui_mask_code(const char *code, char *out, size_t n);

/* Full-width ASCII forms (U+FF01-FF5E) to ASCII and the ideographic
 * space (U+3000) to a space, in place: what a Chinese input method types
 * for digits and codes. Only these (not all of NFKC): they are what a
 * code or amount can contain. Returns s. */
char *ui_fold_width(char *s);
/* Copy into out the first line of s that fits w columns, broken after a
 * space or a wide (CJK) character when the rest does not fit; *rest gets
 * where the next line starts (spaces skipped). Returns out. */
char *ui_wrap(const char *s, int w, const char **rest, char *out,
    size_t n);

/* Display width of UTF-8 text (wcwidth; invalid bytes count 1). */
int ui_width(const char *s);
/* Copy s into out clipped to at most w columns (no split characters) and
 * padded with spaces to exactly w when pad. Returns out. */
char *ui_fit(const char *s, int w, int pad, char *out, size_t n);

#endif
