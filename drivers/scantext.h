/*
 * scantext.h — turning scanner bytes into text the core can trust: AIM
 * symbology identifiers, prefix/suffix stripping, charset decoding (UTF-8,
 * else GB18030 when configured, else "binary"), control-character
 * rejection and length caps.
 * Pure functions on caller buffers: no state, any thread, fuzzed by
 * tests/fuzz/fuzz_scantext.c.
 */
#ifndef QUAN_SCANTEXT_H
#define QUAN_SCANTEXT_H

#include <stddef.h>
#include <stdint.h>

#define SCANTEXT_ENC_MAX 12

/*
 * If p starts with an AIM id ("]" code-char modifier, ISO/IEC 15424), copy
 * it to id (NUL-terminated, 4 bytes) and return 3; otherwise id = "" and 0.
 * Only code characters of known symbologies are accepted, so data that
 * merely starts with ']' is left alone.
 */
size_t scantext_aim(const uint8_t *p, size_t n, char id[4]);

/*
 * ZBar-style symbology name for an AIM id ("]Q1" -> "QR-Code", "]E0" with a
 * 13-digit payload -> "EAN-13"); "" when unknown. *gs1 (may be NULL) is set
 * to 1 for GS1 modifiers (]C1, ]Q3, ]e0...). Returns a static string.
 */
const char *scantext_aim_symbology(const char *id, size_t payload_len,
	int *gs1);

/* AIM id synthesised from a ZBar-style symbology name (camera/image); ""
 * when there is none. Static string. */
const char *scantext_aim_for(const char *symbology, int gs1);

/*
 * Strip prefix and suffix (both may be NULL or "") from [*p, *p + *n).
 * A configured prefix that is missing is an error (QUAN_EPROTO): it is how
 * the tail of a split scan is told from a real one. A missing suffix is
 * fine (framing may already have consumed it).
 */
int scantext_strip(const uint8_t **p, size_t *n, const char *prefix,
	const char *suffix);

/* The charset bytes that are not UTF-8 are known to be in. */
enum scantext_cs {
	SCANTEXT_UTF8,    /* nothing else known: not UTF-8 = binary */
	SCANTEXT_GB18030, /* configured (charset=gb18030): GB18030 */
};

/*
 * Decode n bytes into NUL-terminated UTF-8 text (text_size bytes room).
 * Valid UTF-8 is text; other bytes are text only in a charset that is
 * known (cs), never guessed: a guess turns Latin-1, Big5 or SJIS into
 * plausible-looking wrong characters. enc receives "ascii", "utf-8",
 * "gb18030" or "binary". Binary means: not clean text (not valid in the
 * known charset, a control character C0/DEL/C1, a private-use or
 * replacement character); then text is "" and the caller shows the raw
 * bytes. A leading UTF-8 BOM is dropped from the text.
 * Errors: QUAN_EINVAL for n == 0, QUAN_ETOOBIG when n > max_len or the text
 * does not fit text_size. Any thread.
 */
int scantext_decode(const uint8_t *p, size_t n, size_t max_len,
	enum scantext_cs cs, char *text, size_t text_size,
	char enc[SCANTEXT_ENC_MAX]);

/* 1 when [p, p+n) is valid UTF-8 (no overlongs, surrogates, > U+10FFFF). */
int scantext_utf8_valid(const uint8_t *p, size_t n);

/*
 * Parse C-style escapes used in specs (\r \n \t \\ \xHH) from s into out
 * (NUL-terminated, size n). QUAN_EINVAL on a bad escape, QUAN_ETOOBIG when
 * it does not fit. "\x00" is refused.
 */
int scantext_unescape(const char *s, char *out, size_t n);

/* Lower-case hex of p into out (size >= 2n+1); truncated to fit. */
void scantext_hex(const uint8_t *p, size_t n, char *out, size_t size);

#endif
