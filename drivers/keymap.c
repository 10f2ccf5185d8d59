/*
 * keymap.c — us, de (QWERTZ) and fr (AZERTY) tables for the keys a barcode
 * scanner types: the main block, space and the keypad (NumLock on).
 * Entries are { plain, shift, altgr } plus flags.
 */
#include <linux/input-event-codes.h>
#include <string.h>

#include "drivers/keymap.h"

#define FL 1  /* letter: CapsLock acts as Shift */
#define FD 2  /* plain form is a dead key */
#define FDS 4 /* shifted form is a dead key */
#define NKEYS 128

struct key {
	const char *k[3];
	int f;
};

struct keymap {
	const char *name;
	const struct key *t;
};

#define LT(c, lo, up) [c] = {{lo, up, NULL}, FL}
#define LTA(c, lo, up, ag) [c] = {{lo, up, ag}, FL}
#define K(c, a, b) [c] = {{a, b, NULL}, 0}
#define KA(c, a, b, ag) [c] = {{a, b, ag}, 0}
#define KPAD \
	K(KEY_KP0, "0", "0"), K(KEY_KP1, "1", "1"), K(KEY_KP2, "2", "2"), \
	K(KEY_KP3, "3", "3"), K(KEY_KP4, "4", "4"), K(KEY_KP5, "5", "5"), \
	K(KEY_KP6, "6", "6"), K(KEY_KP7, "7", "7"), K(KEY_KP8, "8", "8"), \
	K(KEY_KP9, "9", "9"), K(KEY_KPASTERISK, "*", "*"), \
	K(KEY_KPMINUS, "-", "-"), K(KEY_KPPLUS, "+", "+"), \
	K(KEY_KPSLASH, "/", "/"), K(KEY_SPACE, " ", " ")
#define COMMON_LETTERS \
	LT(KEY_B, "b", "B"), LT(KEY_C, "c", "C"), LT(KEY_D, "d", "D"), \
	LT(KEY_F, "f", "F"), LT(KEY_G, "g", "G"), LT(KEY_H, "h", "H"), \
	LT(KEY_I, "i", "I"), LT(KEY_J, "j", "J"), LT(KEY_K, "k", "K"), \
	LT(KEY_L, "l", "L"), LT(KEY_N, "n", "N"), LT(KEY_O, "o", "O"), \
	LT(KEY_P, "p", "P"), LT(KEY_R, "r", "R"), LT(KEY_S, "s", "S"), \
	LT(KEY_T, "t", "T"), LT(KEY_U, "u", "U"), LT(KEY_V, "v", "V"), \
	LT(KEY_X, "x", "X")

static const struct key us_t[NKEYS] = {
	KPAD, COMMON_LETTERS, K(KEY_KPDOT, ".", "."),
	LT(KEY_A, "a", "A"), LT(KEY_E, "e", "E"), LT(KEY_M, "m", "M"),
	LT(KEY_Q, "q", "Q"), LT(KEY_W, "w", "W"), LT(KEY_Y, "y", "Y"),
	LT(KEY_Z, "z", "Z"),
	K(KEY_1, "1", "!"), K(KEY_2, "2", "@"), K(KEY_3, "3", "#"),
	K(KEY_4, "4", "$"), K(KEY_5, "5", "%"), K(KEY_6, "6", "^"),
	K(KEY_7, "7", "&"), K(KEY_8, "8", "*"), K(KEY_9, "9", "("),
	K(KEY_0, "0", ")"), K(KEY_MINUS, "-", "_"), K(KEY_EQUAL, "=", "+"),
	K(KEY_LEFTBRACE, "[", "{"), K(KEY_RIGHTBRACE, "]", "}"),
	K(KEY_SEMICOLON, ";", ":"), K(KEY_APOSTROPHE, "'", "\""),
	K(KEY_GRAVE, "`", "~"), K(KEY_BACKSLASH, "\\", "|"),
	K(KEY_COMMA, ",", "<"), K(KEY_DOT, ".", ">"), K(KEY_SLASH, "/", "?"),
	K(KEY_102ND, "\\", "|"),
};

static const struct key de_t[NKEYS] = {
	KPAD, COMMON_LETTERS, K(KEY_KPDOT, ",", ","),
	LT(KEY_A, "a", "A"), LTA(KEY_E, "e", "E", "\xe2\x82\xac"),
	LTA(KEY_M, "m", "M", "\xc2\xb5"), LTA(KEY_Q, "q", "Q", "@"),
	LT(KEY_W, "w", "W"), LT(KEY_Y, "z", "Z"), LT(KEY_Z, "y", "Y"),
	K(KEY_1, "1", "!"), KA(KEY_2, "2", "\"", "\xc2\xb2"),
	KA(KEY_3, "3", "\xc2\xa7", "\xc2\xb3"), K(KEY_4, "4", "$"),
	K(KEY_5, "5", "%"), K(KEY_6, "6", "&"), KA(KEY_7, "7", "/", "{"),
	KA(KEY_8, "8", "(", "["), KA(KEY_9, "9", ")", "]"),
	KA(KEY_0, "0", "=", "}"), KA(KEY_MINUS, "\xc3\x9f", "?", "\\"),
	[KEY_EQUAL] = {{"\xc2\xb4", "`", NULL}, FD | FDS},
	LT(KEY_LEFTBRACE, "\xc3\xbc", "\xc3\x9c"),
	KA(KEY_RIGHTBRACE, "+", "*", "~"),
	LT(KEY_SEMICOLON, "\xc3\xb6", "\xc3\x96"),
	LT(KEY_APOSTROPHE, "\xc3\xa4", "\xc3\x84"),
	[KEY_GRAVE] = {{"^", "\xc2\xb0", NULL}, FD},
	K(KEY_BACKSLASH, "#", "'"), K(KEY_COMMA, ",", ";"),
	K(KEY_DOT, ".", ":"), K(KEY_SLASH, "-", "_"),
	KA(KEY_102ND, "<", ">", "|"),
};

static const struct key fr_t[NKEYS] = {
	KPAD, COMMON_LETTERS, K(KEY_KPDOT, ".", "."),
	LT(KEY_Q, "a", "A"), LTA(KEY_E, "e", "E", "\xe2\x82\xac"),
	LT(KEY_W, "z", "Z"), LT(KEY_Y, "y", "Y"), LT(KEY_A, "q", "Q"),
	LT(KEY_SEMICOLON, "m", "M"), LT(KEY_Z, "w", "W"),
	K(KEY_1, "&", "1"), KA(KEY_2, "\xc3\xa9", "2", "~"),
	KA(KEY_3, "\"", "3", "#"), KA(KEY_4, "'", "4", "{"),
	KA(KEY_5, "(", "5", "["), KA(KEY_6, "-", "6", "|"),
	KA(KEY_7, "\xc3\xa8", "7", "`"), KA(KEY_8, "_", "8", "\\"),
	KA(KEY_9, "\xc3\xa7", "9", "^"), KA(KEY_0, "\xc3\xa0", "0", "@"),
	KA(KEY_MINUS, ")", "\xc2\xb0", "]"), KA(KEY_EQUAL, "=", "+", "}"),
	[KEY_LEFTBRACE] = {{"^", "\xc2\xa8", NULL}, FD | FDS},
	KA(KEY_RIGHTBRACE, "$", "\xc2\xa3", "\xc2\xa4"),
	K(KEY_APOSTROPHE, "\xc3\xb9", "%"), K(KEY_GRAVE, "\xc2\xb2", ""),
	K(KEY_BACKSLASH, "*", "\xc2\xb5"), K(KEY_M, ",", "?"),
	K(KEY_COMMA, ";", "."), K(KEY_DOT, ":", "/"),
	K(KEY_SLASH, "!", "\xc2\xa7"), K(KEY_102ND, "<", ">"),
};

static const struct keymap maps[] = {
	{"us", us_t}, {"de", de_t}, {"fr", fr_t},
};

const struct keymap *
keymap_find(const char *name)
{
	size_t i;

	for (i = 0; i < sizeof maps / sizeof maps[0]; i++)
		if (name != NULL && strcmp(maps[i].name, name) == 0)
			return &maps[i];
	return NULL;
}

const char *
keymap_names(void)
{
	return "us, de, fr";
}

size_t
keymap_char(const struct keymap *km, unsigned code, unsigned mods,
	char out[8], int *dead)
{
	const struct key *k;
	const char *s;
	int shift = (mods & KEYMAP_SHIFT) != 0, lvl;
	size_t l;

	out[0] = '\0';
	if (dead != NULL)
		*dead = 0;
	if (km == NULL || code >= NKEYS)
		return 0;
	k = &km->t[code];
	if (k->k[0] == NULL)
		return 0;
	if ((k->f & FL) && (mods & KEYMAP_CAPS))
		shift = !shift;
	lvl = (mods & KEYMAP_ALTGR) ? 2 : shift ? 1 : 0;
	s = k->k[lvl];
	if (s == NULL || *s == '\0')
		return 0;
	if (dead != NULL)
		*dead = (lvl == 0 && (k->f & FD)) || (lvl == 1 && (k->f & FDS));
	l = strlen(s);
	if (l > 7)
		return 0;
	memcpy(out, s, l + 1);
	if ((mods & KEYMAP_CTRL) && l == 1) {
		unsigned char c = (unsigned char)out[0];

		if (c >= 'a' && c <= 'z')
			c = (unsigned char)(c - 'a' + 'A');
		if (c == '@') {
			out[0] = '\0'; /* Ctrl+@ would type NUL: never data */
			return 0;
		}
		if (c > '@' && c <= '_') {
			out[0] = (char)(c & 0x1F);
			if (dead != NULL)
				*dead = 0;
		}
	}
	return l;
}
