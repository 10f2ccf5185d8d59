/* fuzz_scantext.c — libFuzzer target for the scanner text path: AIM id
 * parsing, prefix/suffix stripping, charset decoding (UTF-8, GB18030,
 * binary), spec escapes, hex, and the keyboard layouts. Checks invariants
 * (the decoded text is valid UTF-8 without control characters and fits;
 * caps hold), not just "no crash". */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "drivers/keymap.h"
#include "drivers/scantext.h"
#include "util/err.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char id[4], text[512], enc[SCANTEXT_ENC_MAX], esc[64], hex[129];
	char pre[4] = "", suf[4] = "";
	const uint8_t *p = data;
	size_t n = size, k, i, tl;
	int rc, gs1;
	char *z;

	/* AIM id */
	k = scantext_aim(p, n, id);
	if (k != 0 && (k != 3 || id[0] != ']' || strlen(id) != 3))
		abort();
	if (k == 0 && id[0] != '\0')
		abort();
	(void)scantext_aim_symbology(id, n - k, &gs1);
	(void)scantext_aim_for((const char *)id, gs1);
	/* prefix/suffix from the first bytes */
	if (n >= 2) {
		pre[0] = (char)(data[0] ? data[0] : 1);
		suf[0] = (char)(data[1] ? data[1] : 1);
	}
	rc = scantext_strip(&p, &n, pre, suf);
	if (rc != QUAN_OK && rc != QUAN_EPROTO)
		abort();
	if (p < data || p + n > data + size)
		abort();
	/* decode */
	rc = scantext_decode(data, size, 511, size > 0 && data[0] & 1 ?
		SCANTEXT_GB18030 : SCANTEXT_UTF8, text, sizeof text, enc);
	if (size == 0 && rc != QUAN_EINVAL)
		abort();
	if (size > 511 && rc != QUAN_ETOOBIG)
		abort();
	tl = strlen(text);
	if (tl >= sizeof text)
		abort();
	if (rc == QUAN_OK && strcmp(enc, "binary") != 0) {
		if (!scantext_utf8_valid((const uint8_t *)text, tl))
			abort();
		for (i = 0; i < tl; i++)
			if ((unsigned char)text[i] < 0x20 || text[i] == 0x7f)
				abort();
		if (tl == 0 && !(size == 3 && data[0] == 0xef))
			abort();
	} else if (text[0] != '\0') {
		abort();
	}
	if (strcmp(enc, "ascii") == 0 && (tl != size ||
	    memcmp(text, data, size) != 0))
		abort();
	/* spec escapes on a NUL-terminated copy */
	z = malloc(size + 1);
	if (z == NULL)
		return 0;
	memcpy(z, data, size);
	z[size] = '\0';
	rc = scantext_unescape(z, esc, sizeof esc);
	if (rc == QUAN_OK && strlen(esc) >= sizeof esc)
		abort();
	free(z);
	scantext_hex(data, size, hex, sizeof hex);
	if (strlen(hex) != (size * 2 < sizeof hex - 1 ? size * 2 :
	    (sizeof hex - 1) / 2 * 2))
		abort();
	/* key codes and modifier bits, two bytes at a time */
	for (i = 0; i + 1 < size && i < 64; i += 2) {
		char out[8];
		int dead;
		static const char *const lay[] = {"us", "de", "fr"};
		size_t l = keymap_char(keymap_find(lay[i / 2 % 3]), data[i],
			data[i + 1] & 0x0f, out, &dead);

		if (l > 7 || strlen(out) != l)
			abort();
	}
	return 0;
}
