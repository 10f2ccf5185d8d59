/* test_scantext.c — text you can trust: charset decoding, control
 * characters, caps, AIM ids, prefix/suffix, spec escapes, the dedupe window
 * (fake clock) and the wedge keyboard layouts. */
#include <linux/input-event-codes.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "drivers/dedupe.h"
#include "drivers/keymap.h"
#include "drivers/scantext.h"
#include "util/err.h"

static int
dec(const char *bytes, size_t n, char *text, size_t tn, char *enc)
{
	return scantext_decode((const uint8_t *)bytes, n, 511, SCANTEXT_GB18030,
		text, tn, enc);
}

static void
test_decode_charsets(void **state)
{
	char text[512], enc[SCANTEXT_ENC_MAX];
	/* 优惠券 in GB18030 */
	static const char gb[] = "\xd3\xc5\xbb\xdd\xc8\xaf 10\xd4\xaa";

	(void)state;
	assert_int_equal(dec("CPN:2024-ZX", 11, text, sizeof text, enc), 0);
	assert_string_equal(text, "CPN:2024-ZX");
	assert_string_equal(enc, "ascii");
	assert_int_equal(dec("\xe4\xbc\x98\xe6\x83\xa0\xe5\x88\xb8", 9, text,
		sizeof text, enc), 0);
	assert_string_equal(text, "优惠券");
	assert_string_equal(enc, "utf-8");
	/* UTF-8 that ZBar would have turned into SJIS mojibake */
	assert_int_equal(dec("Caf\xc3\xa9 5\xe2\x82\xac", 10, text,
		sizeof text, enc), 0);
	assert_string_equal(text, "Café 5€");
	assert_int_equal(dec(gb, sizeof gb - 1, text, sizeof text, enc), 0);
	assert_string_equal(text, "优惠券 10元");
	assert_string_equal(enc, "gb18030");
	/* BOM dropped from the text, kept in raw */
	assert_int_equal(dec("\xef\xbb\xbf" "abc", 6, text, sizeof text, enc),
		0);
	assert_string_equal(text, "abc");
	/* binary: NUL, invalid in both charsets, lone 0x80 / 0xff */
	assert_int_equal(dec("a\0b", 3, text, sizeof text, enc), 0);
	assert_string_equal(text, "");
	assert_string_equal(enc, "binary");
	assert_int_equal(dec("\x80\xff\xfe", 3, text, sizeof text, enc), 0);
	assert_string_equal(enc, "binary");
	/* overlong and surrogates are not UTF-8 (0xc0 0xaf is a valid
	 * GB18030 pair, so decoding falls back to that) */
	assert_false(scantext_utf8_valid((const uint8_t *)"\xc0\xaf", 2));
	assert_false(scantext_utf8_valid((const uint8_t *)"\xed\xa0\x80", 3));
	assert_false(scantext_utf8_valid((const uint8_t *)"\xf4\x90\x80\x80",
		4));
	assert_true(scantext_utf8_valid((const uint8_t *)"\xf4\x8f\xbf\xbf",
		4));
	assert_int_equal(dec("\xc0\xaf", 2, text, sizeof text, enc), 0);
	assert_string_equal(enc, "gb18030");
	assert_int_equal(dec("\xed\xa0\x80", 3, text, sizeof text, enc), 0);
	assert_string_equal(enc, "binary");
}

static void
test_unknown_charset_stays_bytes(void **state)
{
	static const char *const not_utf8[] = {
		"\xd3\xc5\xbb\xdd\xc8\xaf",  /* 优惠券, GB18030 */
		"\xc0\xaf",                      /* a GB18030 pair */
		"Gr\xf6\xdf\x65",                /* Größe, Latin-1 */
		"\xc0\xa5\xb4\x66",            /* Big5 */
		"\x83\x4e\x81\x5b",            /* SJIS */
	};
	char text[512], enc[SCANTEXT_ENC_MAX];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof not_utf8 / sizeof not_utf8[0]; i++) {
		const uint8_t *p = (const uint8_t *)not_utf8[i];

		assert_int_equal(scantext_decode(p, strlen(not_utf8[i]), 511,
			SCANTEXT_UTF8, text, sizeof text, enc), 0);
		assert_string_equal(enc, "binary");
		assert_string_equal(text, "");
	}
	/* Latin-1 read as GB18030 would be Gr + a CJK character + e: with
	 * the charset configured it is GB18030 by definition; unconfigured
	 * (above) it stays bytes */
	assert_int_equal(scantext_decode((const uint8_t *)"abc", 3, 511,
		SCANTEXT_UTF8, text, sizeof text, enc), 0);
	assert_string_equal(text, "abc");
	assert_string_equal(enc, "ascii");
}

static void
test_decode_controls_caps(void **state)
{
	char text[512], enc[SCANTEXT_ENC_MAX], big[600];

	(void)state;
	/* control characters are never text: C0, DEL, C1, GS, CR, bidi */
	assert_int_equal(dec("abc\r", 4, text, sizeof text, enc), 0);
	assert_string_equal(enc, "binary");
	assert_int_equal(dec("01\x1d" "10", 5, text, sizeof text, enc), 0);
	assert_string_equal(enc, "binary");
	assert_int_equal(dec("a\x7f", 2, text, sizeof text, enc), 0);
	assert_string_equal(enc, "binary");
	assert_int_equal(dec("a\xc2\x85", 3, text, sizeof text, enc), 0);
	assert_string_equal(enc, "binary");
	assert_int_equal(dec("a\xe2\x80\xae" "b", 5, text, sizeof text,
		enc), 0);
	assert_string_equal(enc, "binary");
	/* private use area is not clean text either */
	assert_int_equal(dec("\xee\x80\x80", 3, text, sizeof text, enc), 0);
	assert_string_equal(enc, "binary");
	/* caps: over max_len, text buffer too small, empty */
	memset(big, 'A', sizeof big);
	assert_int_equal(dec(big, 511, text, sizeof text, enc), 0);
	assert_int_equal(strlen(text), 511);
	assert_int_equal(dec(big, 512, text, sizeof text, enc), QUAN_ETOOBIG);
	assert_int_equal(dec(big, 20, text, 10, enc), QUAN_ETOOBIG);
	assert_int_equal(dec("", 0, text, sizeof text, enc), QUAN_EINVAL);
}

static void
test_aim(void **state)
{
	char id[4];
	int gs1;

	(void)state;
	assert_int_equal(scantext_aim((const uint8_t *)"]Q1CPN", 6, id), 3);
	assert_string_equal(id, "]Q1");
	assert_string_equal(scantext_aim_symbology(id, 3, &gs1), "QR-Code");
	assert_int_equal(gs1, 0);
	assert_string_equal(scantext_aim_symbology("]C1", 10, &gs1),
		"GS1-128");
	assert_int_equal(gs1, 1);
	assert_string_equal(scantext_aim_symbology("]C0", 10, &gs1),
		"CODE-128");
	assert_string_equal(scantext_aim_symbology("]E0", 13, NULL), "EAN-13");
	assert_string_equal(scantext_aim_symbology("]E0", 12, NULL), "UPC-A");
	assert_string_equal(scantext_aim_symbology("]E4", 8, NULL), "EAN-8");
	assert_string_equal(scantext_aim_symbology("]e0", 16, &gs1),
		"DataBar");
	assert_int_equal(gs1, 1);
	/* not AIM: unknown code char, bad modifier, too short */
	assert_int_equal(scantext_aim((const uint8_t *)"]#1abc", 6, id), 0);
	assert_string_equal(id, "");
	assert_int_equal(scantext_aim((const uint8_t *)"]Q!abc", 6, id), 0);
	assert_int_equal(scantext_aim((const uint8_t *)"]Q", 2, id), 0);
	assert_string_equal(scantext_aim_for("QR-Code", 0), "]Q1");
	assert_string_equal(scantext_aim_for("CODE-128", 1), "]C1");
	assert_string_equal(scantext_aim_for("EAN-8", 0), "]E4");
	assert_string_equal(scantext_aim_for("bogus", 0), "");
}

static void
test_strip_unescape(void **state)
{
	const uint8_t *p = (const uint8_t *)"\x02" "ABC\r\n";
	size_t n = 6;
	char out[16];

	(void)state;
	assert_int_equal(scantext_strip(&p, &n, "\x02", "\r\n"), 0);
	assert_int_equal(n, 3);
	assert_memory_equal(p, "ABC", 3);
	p = (const uint8_t *)"ABC";
	n = 3;
	assert_int_equal(scantext_strip(&p, &n, "\x02", NULL), QUAN_EPROTO);
	assert_int_equal(scantext_strip(&p, &n, NULL, "\r"), 0);
	assert_int_equal(n, 3);
	assert_int_equal(scantext_unescape("\\x02a\\r\\n\\\\", out,
		sizeof out), 0);
	assert_string_equal(out, "\x02" "a\r\n\\");
	assert_int_equal(scantext_unescape("\\x0", out, sizeof out),
		QUAN_EINVAL);
	assert_int_equal(scantext_unescape("\\x00", out, sizeof out),
		QUAN_EINVAL);
	assert_int_equal(scantext_unescape("\\q", out, sizeof out),
		QUAN_EINVAL);
	assert_int_equal(scantext_unescape("0123456789abcdefg", out,
		sizeof out), QUAN_ETOOBIG);
	scantext_hex((const uint8_t *)"\x00\xff", 2, out, sizeof out);
	assert_string_equal(out, "00ff");
}

static void
test_dedupe_clock(void **state)
{
	struct dedupe *d = dedupe_new(4);
	const uint8_t *c = (const uint8_t *)"CPN1";
	uint64_t t = 1000000;

	(void)state;
	assert_int_equal(dedupe_seen(d, "cam", "QR-Code", c, 4, t, 1500), 0);
	/* held in view: every frame within the window is a duplicate, and
	 * the window slides with it */
	assert_int_equal(dedupe_seen(d, "cam", "QR-Code", c, 4, t + 1000000,
		1500), 1);
	assert_int_equal(dedupe_seen(d, "cam", "QR-Code", c, 4, t + 2000000,
		1500), 1);
	/* other source, other symbology, other bytes: new */
	assert_int_equal(dedupe_seen(d, "ser", "QR-Code", c, 4, t + 2000000,
		1500), 0);
	assert_int_equal(dedupe_seen(d, "cam", "CODE-128", c, 4, t + 2000000,
		1500), 0);
	/* gone for longer than the window: a new scan */
	assert_int_equal(dedupe_seen(d, "cam", "QR-Code", c, 4, t + 3600000,
		1500), 0);
	/* window 0 = off */
	assert_int_equal(dedupe_seen(d, "cam", "QR-Code", c, 4, t + 3600001,
		0), 0);
	dedupe_free(d);
}

static const char *
key(const char *layout, unsigned code, unsigned mods)
{
	static char out[8];
	int dead;

	keymap_char(keymap_find(layout), code, mods, out, &dead);
	return out;
}

static void
test_keymaps(void **state)
{
	char out[8];
	int dead = 0;

	(void)state;
	assert_null(keymap_find("xx"));
	assert_string_equal(key("us", KEY_A, 0), "a");
	assert_string_equal(key("us", KEY_A, KEYMAP_SHIFT), "A");
	assert_string_equal(key("us", KEY_A, KEYMAP_CAPS), "A");
	assert_string_equal(key("us", KEY_A, KEYMAP_CAPS | KEYMAP_SHIFT), "a");
	assert_string_equal(key("us", KEY_1, KEYMAP_CAPS), "1");
	assert_string_equal(key("us", KEY_SEMICOLON, KEYMAP_SHIFT), ":");
	assert_string_equal(key("us", KEY_2, KEYMAP_SHIFT), "@");
	/* German: Y/Z swapped, shifted digits differ, AltGr */
	assert_string_equal(key("de", KEY_Y, KEYMAP_SHIFT), "Z");
	assert_string_equal(key("de", KEY_Z, 0), "y");
	assert_string_equal(key("de", KEY_2, KEYMAP_SHIFT), "\"");
	assert_string_equal(key("de", KEY_Q, KEYMAP_ALTGR), "@");
	assert_string_equal(key("de", KEY_SLASH, 0), "-");
	assert_string_equal(key("de", KEY_DOT, KEYMAP_SHIFT), ":");
	assert_string_equal(key("de", KEY_MINUS, 0), "ß");
	/* French AZERTY: digits need Shift */
	assert_string_equal(key("fr", KEY_1, 0), "&");
	assert_string_equal(key("fr", KEY_1, KEYMAP_SHIFT), "1");
	assert_string_equal(key("fr", KEY_Q, 0), "a");
	assert_string_equal(key("fr", KEY_SEMICOLON, KEYMAP_SHIFT), "M");
	assert_string_equal(key("fr", KEY_0, KEYMAP_ALTGR), "@");
	assert_string_equal(key("fr", KEY_2, 0), "é");
	/* keypad is layout independent (NumLock on) */
	assert_string_equal(key("fr", KEY_KP7, 0), "7");
	/* Ctrl+] is GS, the GS1 separator */
	assert_string_equal(key("us", KEY_RIGHTBRACE, KEYMAP_CTRL), "\x1d");
	/* dead keys report themselves */
	assert_int_equal(keymap_char(keymap_find("de"), KEY_GRAVE, 0, out,
		&dead), 1);
	assert_int_equal(dead, 1);
	assert_string_equal(out, "^");
	/* keys that type nothing */
	assert_int_equal(keymap_char(keymap_find("us"), KEY_F1, 0, out, &dead),
		0);
	assert_int_equal(keymap_char(keymap_find("us"), 500, 0, out, &dead), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_decode_charsets),
		cmocka_unit_test(test_unknown_charset_stays_bytes),
		cmocka_unit_test(test_decode_controls_caps),
		cmocka_unit_test(test_aim),
		cmocka_unit_test(test_strip_unescape),
		cmocka_unit_test(test_dedupe_clock),
		cmocka_unit_test(test_keymaps),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
