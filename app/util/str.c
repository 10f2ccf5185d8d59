/* str.c — bounded string copy and cleaning of outside text (str.h). */
#include <string.h>

#include "util/str.h"

void
str_copy(char *dst, size_t n, const char *src)
{
	size_t l;

	if (n == 0)
		return;
	l = strnlen(src, n - 1);
	memcpy(dst, src, l);
	dst[l] = '\0';
}

int
str_empty(const char *s)
{
	return s == NULL || *s == '\0';
}

size_t
str_utf8_len(const unsigned char *s, size_t len)
{
	unsigned c = s[0];
	size_t n, i;
	unsigned cp;

	if (len == 0)
		return 0;
	if (c < 0x80)
		return 1;
	if (c >= 0xc2 && c <= 0xdf) {
		n = 2;
		cp = c & 0x1f;
	} else if (c >= 0xe0 && c <= 0xef) {
		n = 3;
		cp = c & 0x0f;
	} else if (c >= 0xf0 && c <= 0xf4) {
		n = 4;
		cp = c & 0x07;
	} else
		return 0;
	if (len < n)
		return 0;
	for (i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (s[i] & 0x3f);
	}
	if ((n == 3 && cp < 0x800) || (n == 4 && cp < 0x10000) ||
	    (cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff)
		return 0;
	return n;
}

/* Length of the printable character at s: as str_utf8_len, but 0 for a
 * control character (C1 controls are two bytes: C2 80 .. C2 9F). */
static size_t
printable_len(const unsigned char *s, size_t len)
{
	size_t k = str_utf8_len(s, len);

	if ((k == 1 && (s[0] < 0x20 || s[0] == 0x7f)) ||
	    (k == 2 && s[0] == 0xc2 && s[1] < 0xa0))
		return 0;
	return k;
}

int
str_is_clean(const char *s)
{
	size_t n = strlen(s), k;

	for (; n > 0; s += k, n -= k)
		if ((k = printable_len((const unsigned char *)s, n)) == 0)
			return 0;
	return 1;
}

char *
str_clean(char *dst, size_t n, const char *src, size_t len)
{
	static const char hx[] = "0123456789abcdef";
	const unsigned char *s = (const unsigned char *)src;
	size_t i = 0, o = 0, k;
	char esc[5];

	if (n == 0)
		return dst;
	while (i < len && s[i] != '\0') {
		k = printable_len(s + i, len - i);
		if (k > 0) {
			if (o + k >= n)
				break;
			memcpy(dst + o, s + i, k);
			o += k;
			i += k;
			continue;
		}
		esc[0] = '\\';
		if (s[i] == '\n' || s[i] == '\r' || s[i] == '\t') {
			esc[1] = s[i] == '\n' ? 'n' : s[i] == '\r' ? 'r' : 't';
			k = 2;
		} else {
			esc[1] = 'x';
			esc[2] = hx[s[i] >> 4];
			esc[3] = hx[s[i] & 15];
			k = 4;
		}
		if (o + k >= n)
			break;
		memcpy(dst + o, esc, k);
		o += k;
		i++;
	}
	dst[o] = '\0';
	return dst;
}
