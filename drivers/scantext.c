/*
 * scantext.c — AIM ids, prefix/suffix, charset decoding and control
 * character rejection for scanned bytes (see scantext.h).
 */
#include <stdio.h>
#include <errno.h>
#include <iconv.h>
#include <string.h>

#include "drivers/scantext.h"
#include "util/err.h"

static const struct {
	char code;
	const char *name;
} aim_codes[] = {
	{'A', "CODE-39"}, {'C', "CODE-128"}, {'E', "EAN-13"},
	{'e', "DataBar"}, {'F', "CODABAR"}, {'G', "CODE-93"},
	{'I', "I2/5"}, {'L', "PDF417"}, {'Q', "QR-Code"},
	{'d', "DataMatrix"}, {'z', "Aztec"}, {'X', ""},
};

size_t
scantext_aim(const uint8_t *p, size_t n, char id[4])
{
	size_t i;
	uint8_t m;

	id[0] = '\0';
	if (p == NULL || n < 3 || p[0] != ']')
		return 0;
	m = p[2];
	if (!((m >= '0' && m <= '9') || (m >= 'A' && m <= 'Z') ||
	    (m >= 'a' && m <= 'z')))
		return 0;
	for (i = 0; i < sizeof aim_codes / sizeof aim_codes[0]; i++)
		if (aim_codes[i].code == (char)p[1]) {
			id[0] = ']';
			id[1] = (char)p[1];
			id[2] = (char)m;
			id[3] = '\0';
			return 3;
		}
	return 0;
}

const char *
scantext_aim_symbology(const char *id, size_t payload_len, int *gs1)
{
	size_t i;
	int g = 0;
	const char *name = "";

	if (id == NULL || id[0] != ']' || id[1] == '\0' || id[2] == '\0')
		goto out;
	switch (id[1]) {
	case 'C':
		g = id[2] == '1';
		name = g ? "GS1-128" : "CODE-128";
		goto out;
	case 'Q':
		g = id[2] == '3' || id[2] == '4';
		name = "QR-Code";
		goto out;
	case 'e':
		g = 1;
		name = "DataBar";
		goto out;
	case 'd':
		g = id[2] == '2' || id[2] == '5';
		name = "DataMatrix";
		goto out;
	case 'E':
		if (id[2] == '4')
			name = "EAN-8";
		else if (payload_len == 12)
			name = "UPC-A";
		else if (payload_len == 8)
			name = "UPC-E";
		else
			name = "EAN-13";
		goto out;
	default:
		break;
	}
	for (i = 0; i < sizeof aim_codes / sizeof aim_codes[0]; i++)
		if (aim_codes[i].code == id[1])
			name = aim_codes[i].name;
out:
	if (gs1 != NULL)
		*gs1 = g;
	return name;
}

const char *
scantext_aim_for(const char *sym, int gs1)
{
	if (sym == NULL)
		return "";
	if (strcmp(sym, "QR-Code") == 0)
		return gs1 ? "]Q3" : "]Q1";
	if (strcmp(sym, "CODE-128") == 0 || strcmp(sym, "GS1-128") == 0)
		return gs1 ? "]C1" : "]C0";
	if (strcmp(sym, "EAN-13") == 0 || strcmp(sym, "UPC-A") == 0 ||
	    strcmp(sym, "UPC-E") == 0 || strcmp(sym, "ISBN-13") == 0)
		return "]E0";
	if (strcmp(sym, "EAN-8") == 0)
		return "]E4";
	if (strncmp(sym, "DataBar", 7) == 0)
		return "]e0";
	if (strcmp(sym, "CODE-39") == 0)
		return "]A0";
	if (strcmp(sym, "CODE-93") == 0)
		return "]G0";
	if (strcmp(sym, "I2/5") == 0)
		return "]I0";
	if (strcmp(sym, "CODABAR") == 0)
		return "]F0";
	return "";
}

int
scantext_strip(const uint8_t **p, size_t *n, const char *prefix,
	const char *suffix)
{
	size_t pl = prefix != NULL ? strlen(prefix) : 0;
	size_t sl = suffix != NULL ? strlen(suffix) : 0;

	if (pl > 0) {
		if (*n < pl || memcmp(*p, prefix, pl) != 0)
			return QUAN_EPROTO;
		*p += pl;
		*n -= pl;
	}
	if (sl > 0 && *n >= sl && memcmp(*p + *n - sl, suffix, sl) == 0)
		*n -= sl;
	return QUAN_OK;
}

/* Decode one UTF-8 sequence at p (n bytes left); returns its length and
 * the code point, or 0 when invalid. */
static size_t
utf8_one(const uint8_t *p, size_t n, uint32_t *cp)
{
	uint32_t c = p[0], min;
	size_t len, i;

	if (c < 0x80) {
		*cp = c;
		return 1;
	} else if (c >= 0xC2 && c <= 0xDF) {
		len = 2;
		c &= 0x1F;
		min = 0x80;
	} else if (c >= 0xE0 && c <= 0xEF) {
		len = 3;
		c &= 0x0F;
		min = 0x800;
	} else if (c >= 0xF0 && c <= 0xF4) {
		len = 4;
		c &= 0x07;
		min = 0x10000;
	} else {
		return 0;
	}
	if (n < len)
		return 0;
	for (i = 1; i < len; i++) {
		if ((p[i] & 0xC0) != 0x80)
			return 0;
		c = (c << 6) | (p[i] & 0x3F);
	}
	if (c < min || c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF))
		return 0;
	*cp = c;
	return len;
}

int
scantext_utf8_valid(const uint8_t *p, size_t n)
{
	size_t i = 0, l;
	uint32_t cp;

	while (i < n) {
		if ((l = utf8_one(p + i, n - i, &cp)) == 0)
			return 0;
		i += l;
	}
	return 1;
}

/* Clean text: valid UTF-8 without control, private-use, replacement or
 * non-character code points. */
static int
utf8_clean(const uint8_t *p, size_t n, int *ascii)
{
	size_t i = 0, l;
	uint32_t cp;

	*ascii = 1;
	while (i < n) {
		if ((l = utf8_one(p + i, n - i, &cp)) == 0)
			return 0;
		if (cp < 0x20 || cp == 0x7F || (cp >= 0x80 && cp <= 0x9F))
			return 0;
		if ((cp >= 0xE000 && cp <= 0xF8FF) || cp >= 0xF0000 ||
		    cp == 0xFFFD || (cp & 0xFFFE) == 0xFFFE ||
		    (cp >= 0xFDD0 && cp <= 0xFDEF) ||
		    cp == 0x2028 || cp == 0x2029 || (cp >= 0x202A &&
		    cp <= 0x202E) || (cp >= 0x2066 && cp <= 0x2069))
			return 0;
		/* a BOM is only allowed first (dropped by the caller) */
		if (cp == 0xFEFF && i != 0)
			return 0;
		if (cp >= 0x80)
			*ascii = 0;
		i += l;
	}
	return 1;
}

/* GB18030 -> UTF-8 with iconv; 0 and *outlen on success. */
static int
gb18030_to_utf8(const uint8_t *p, size_t n, char *out, size_t size,
	size_t *outlen)
{
	iconv_t cd;
	char *in = (char *)(uintptr_t)p, *o = out;
	size_t inleft = n, oleft = size, r;
	int rc = QUAN_EINVAL;

	cd = iconv_open("UTF-8", "GB18030");
	if (cd == (iconv_t)-1)
		return QUAN_ENOTSUP;
	r = iconv(cd, &in, &inleft, &o, &oleft);
	if (r == (size_t)-1) {
		rc = errno == E2BIG ? QUAN_ETOOBIG : QUAN_EINVAL;
		goto out;
	}
	/* flush shift state (none for GB18030, but be exact) */
	if (iconv(cd, NULL, NULL, &o, &oleft) == (size_t)-1)
		goto out;
	*outlen = size - oleft;
	rc = QUAN_OK;
out:
	iconv_close(cd);
	return rc;
}

static void
set_enc(char enc[SCANTEXT_ENC_MAX], const char *s)
{
	size_t l = strlen(s);

	if (l >= SCANTEXT_ENC_MAX)
		l = SCANTEXT_ENC_MAX - 1;
	memcpy(enc, s, l);
	enc[l] = '\0';
}

int
scantext_decode(const uint8_t *p, size_t n, size_t max_len,
	enum scantext_cs cs, char *text, size_t text_size,
	char enc[SCANTEXT_ENC_MAX])
{
	int ascii = 0, rc;
	size_t skip = 0, len = 0;

	if (text_size > 0)
		text[0] = '\0';
	set_enc(enc, "binary");
	if (p == NULL || n == 0)
		return QUAN_EINVAL;
	if (n > max_len || text_size == 0)
		return QUAN_ETOOBIG;
	if (scantext_utf8_valid(p, n)) {
		if (!utf8_clean(p, n, &ascii))
			return QUAN_OK; /* binary: control characters */
		if (n >= 3 && p[0] == 0xEF && p[1] == 0xBB && p[2] == 0xBF)
			skip = 3;
		if (n - skip + 1 > text_size)
			return QUAN_ETOOBIG;
		memcpy(text, p + skip, n - skip);
		text[n - skip] = '\0';
		set_enc(enc, ascii ? "ascii" : "utf-8");
		return QUAN_OK;
	}
	if (cs != SCANTEXT_GB18030)
		return QUAN_OK; /* binary: the charset is not known */
	rc = gb18030_to_utf8(p, n, text, text_size - 1, &len);
	if (rc == QUAN_ETOOBIG) {
		text[0] = '\0';
		return rc;
	}
	if (rc != QUAN_OK) {
		text[0] = '\0';
		return QUAN_OK; /* binary */
	}
	text[len] = '\0';
	if (!utf8_clean((const uint8_t *)text, len, &ascii)) {
		text[0] = '\0';
		return QUAN_OK;
	}
	set_enc(enc, "gb18030");
	return QUAN_OK;
}

int
scantext_unescape(const char *s, char *out, size_t n)
{
	size_t j = 0;
	int v, k;
	char c;

	if (n == 0)
		return QUAN_ETOOBIG;
	while (*s != '\0') {
		c = *s++;
		if (c == '\\') {
			switch (*s++) {
			case 'r': c = '\r'; break;
			case 'n': c = '\n'; break;
			case 't': c = '\t'; break;
			case '\\': c = '\\'; break;
			case 'x':
				v = 0;
				for (k = 0; k < 2; k++, s++) {
					if (*s >= '0' && *s <= '9')
						v = v * 16 + (*s - '0');
					else if (*s >= 'a' && *s <= 'f')
						v = v * 16 + (*s - 'a' + 10);
					else if (*s >= 'A' && *s <= 'F')
						v = v * 16 + (*s - 'A' + 10);
					else
						return QUAN_EINVAL;
				}
				if (v == 0)
					return QUAN_EINVAL;
				c = (char)v;
				break;
			default:
				return QUAN_EINVAL;
			}
		}
		if (j + 1 >= n)
			return QUAN_ETOOBIG;
		out[j++] = c;
	}
	out[j] = '\0';
	return QUAN_OK;
}

void
scantext_hex(const uint8_t *p, size_t n, char *out, size_t size)
{
	static const char hx[] = "0123456789abcdef";
	size_t i, j = 0;

	if (size == 0)
		return;
	for (i = 0; i < n && j + 2 < size; i++) {
		out[j++] = hx[p[i] >> 4];
		out[j++] = hx[p[i] & 15];
	}
	out[j] = '\0';
}
