/*
 * keymap.h — evdev key codes to characters for the layout a keyboard-wedge
 * scanner is set to (us, de, fr), independent of the system's layout and
 * of any input method. Static tables; any thread.
 */
#ifndef QUAN_KEYMAP_H
#define QUAN_KEYMAP_H

#include <stddef.h>

struct keymap;

/* The named layout ("us", "de", "fr") or NULL. */
const struct keymap *keymap_find(const char *name);
/* "us, de, fr": for messages. */
const char *keymap_names(void);

#define KEYMAP_SHIFT 0x1
#define KEYMAP_ALTGR 0x2
#define KEYMAP_CAPS 0x4
#define KEYMAP_CTRL 0x8

/*
 * The UTF-8 bytes typed by key `code` with modifier bits mods into out
 * (NUL-terminated, 8 bytes). Returns the length; 0 when the key types
 * nothing in this layout. *dead (may be NULL) is set to 1 for a dead key
 * (de ^ ´ `, fr ^ ¨): out then holds the spacing form, and the scanner's
 * following space must be swallowed by the caller. Ctrl+letter types the
 * control character (Ctrl+] = GS 0x1D, used by GS1 scanners).
 */
size_t keymap_char(const struct keymap *k, unsigned code, unsigned mods,
	char out[8], int *dead);

#endif
