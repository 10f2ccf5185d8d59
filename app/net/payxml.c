/*
 * payxml.c — the bounded reader and writer of APIv2's flat XML and the
 * APIv2 signature, behind payxml.h. The reader is a single forward pass
 * over the bytes; it never resolves anything it was not told about (no
 * DTD, no external or general entities), so XXE and entity expansion
 * cannot happen by construction.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crypto/crypto.h"
#include "net/payxml.h"
#include "util/buf.h"
#include "util/err.h"
#include "util/str.h"
#include "util/xmem.h"

static void
set_cause(char **cause, const char *what, size_t at)
{
	if (cause != NULL) {
		free(*cause);
		*cause = xasprintf("bad XML at byte %zu: %s", at, what);
	}
}

static int
name_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9') || c == '_' || c == '.' || c == '-';
}

static int
name_ok(const char *s)
{
	size_t n = strlen(s);

	if (n == 0 || n > PAYXML_NAME_MAX)
		return 0;
	for (; *s; s++)
		if (!name_char(*s))
			return 0;
	return 1;
}

/* UTF-8 without NUL and without control characters except \t \r \n. */
static int
text_ok(const char *s, size_t n)
{
	size_t i = 0, k;

	while (i < n) {
		unsigned char c = (unsigned char)s[i];

		if (c < 0x20 && c != '\t' && c != '\r' && c != '\n')
			return 0;
		if (c == 0x7f)
			return 0;
		k = str_utf8_len((const unsigned char *)s + i, n - i);
		if (k == 0)
			return 0;
		i += k;
	}
	return 1;
}

/* First occurrence of needle (k bytes) in p[0..n), or NULL. */
static const char *
find(const char *p, size_t n, const char *needle, size_t k)
{
	size_t i;

	for (i = 0; i + k <= n; i++)
		if (p[i] == needle[0] && memcmp(p + i, needle, k) == 0)
			return p + i;
	return NULL;
}

static int
is_ws(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

struct rd {
	const char *p;
	size_t n, i;
	char **cause;
};

static void
skip_ws(struct rd *r)
{
	while (r->i < r->n && is_ws(r->p[r->i]))
		r->i++;
}

static int
starts(const struct rd *r, const char *s)
{
	size_t k = strlen(s);

	return r->n - r->i >= k && memcmp(r->p + r->i, s, k) == 0;
}

/* Read "<name>" (after '<'); name into out. 0, or -1 (cause set). Sets
 * *empty for "<name/>". */
static int
read_open(struct rd *r, char out[PAYXML_NAME_MAX + 1], int *empty)
{
	size_t k = 0;

	*empty = 0;
	while (r->i < r->n && name_char(r->p[r->i])) {
		if (k >= PAYXML_NAME_MAX) {
			set_cause(r->cause, "element name too long", r->i);
			return -1;
		}
		out[k++] = r->p[r->i++];
	}
	out[k] = '\0';
	if (k == 0) {
		set_cause(r->cause, "bad element name", r->i);
		return -1;
	}
	if (starts(r, "/>")) {
		r->i += 2;
		*empty = 1;
		return 0;
	}
	if (r->i < r->n && r->p[r->i] == '>') {
		r->i++;
		return 0;
	}
	set_cause(r->cause, "attributes or junk in a tag are not accepted",
	    r->i);
	return -1;
}

/* "&...;" at r->i: append the character to b. */
static int
read_ref(struct rd *r, struct buf *b)
{
	static const struct { const char *e; char c; } pre[] = {
		{ "&amp;", '&' }, { "&lt;", '<' }, { "&gt;", '>' },
		{ "&quot;", '"' }, { "&apos;", '\'' } };
	size_t i;
	unsigned long cp = 0;
	int digits = 0, hex;
	char u[4];
	size_t un;

	for (i = 0; i < sizeof pre / sizeof pre[0]; i++)
		if (starts(r, pre[i].e)) {
			r->i += strlen(pre[i].e);
			return buf_add(b, &pre[i].c, 1);
		}
	if (!starts(r, "&#")) {
		set_cause(r->cause, "entity references are not accepted",
		    r->i);
		return -1;
	}
	r->i += 2;
	hex = r->i < r->n && r->p[r->i] == 'x';
	if (hex)
		r->i++;
	while (r->i < r->n && r->p[r->i] != ';') {
		char c = r->p[r->i++];
		int v;

		if (c >= '0' && c <= '9')
			v = c - '0';
		else if (hex && c >= 'a' && c <= 'f')
			v = c - 'a' + 10;
		else if (hex && c >= 'A' && c <= 'F')
			v = c - 'A' + 10;
		else
			goto bad;
		cp = cp * (hex ? 16 : 10) + (unsigned long)v;
		if (++digits > 8 || cp > 0x10FFFF)
			goto bad;
	}
	if (r->i >= r->n || digits == 0)
		goto bad;
	r->i++; /* ';' */
	if ((cp < 0x20 && cp != 9 && cp != 10 && cp != 13) || cp == 0x7f ||
	    (cp >= 0xD800 && cp <= 0xDFFF))
		goto bad;
	if (cp < 0x80) {
		u[0] = (char)cp;
		un = 1;
	} else if (cp < 0x800) {
		u[0] = (char)(0xC0 | (cp >> 6));
		u[1] = (char)(0x80 | (cp & 0x3F));
		un = 2;
	} else if (cp < 0x10000) {
		u[0] = (char)(0xE0 | (cp >> 12));
		u[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
		u[2] = (char)(0x80 | (cp & 0x3F));
		un = 3;
	} else {
		u[0] = (char)(0xF0 | (cp >> 18));
		u[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
		u[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
		u[3] = (char)(0x80 | (cp & 0x3F));
		un = 4;
	}
	return buf_add(b, u, un);
bad:
	set_cause(r->cause, "bad character reference", r->i);
	return -1;
}

/* The content of one field up to "</name>": text, references, CDATA. */
static int
read_value(struct rd *r, const char *name, struct buf *b, int *cdata)
{
	*cdata = 0;
	for (;;) {
		if (r->i >= r->n) {
			set_cause(r->cause, "document ends inside a field",
			    r->i);
			return -1;
		}
		if (starts(r, "<![CDATA[")) {
			const char *end;
			size_t at;

			r->i += 9;
			*cdata = 1;
			end = find(r->p + r->i, r->n - r->i, "]]>", 3);
			if (end == NULL) {
				set_cause(r->cause, "unterminated CDATA", r->i);
				return -1;
			}
			at = (size_t)(end - r->p);
			if (buf_add(b, r->p + r->i, at - r->i) != 0)
				return -1;
			r->i = at + 3;
			continue;
		}
		if (starts(r, "</")) {
			size_t k = strlen(name);

			r->i += 2;
			if (r->n - r->i < k + 1 ||
			    memcmp(r->p + r->i, name, k) != 0 ||
			    r->p[r->i + k] != '>') {
				set_cause(r->cause, "mismatched end tag", r->i);
				return -1;
			}
			r->i += k + 1;
			return 0;
		}
		if (r->p[r->i] == '<') {
			set_cause(r->cause, "nested elements, comments or "
			    "declarations are not accepted", r->i);
			return -1;
		}
		if (r->p[r->i] == '&') {
			if (read_ref(r, b) != 0)
				return -1;
			continue;
		}
		if (r->p[r->i] == '\0') {
			set_cause(r->cause, "NUL byte", r->i);
			return -1;
		}
		if (buf_add(b, r->p + r->i, 1) != 0)
			return -1;
		r->i++;
	}
}

int
payxml_parse(const char *p, size_t n, struct payxml *out, char **cause)
{
	struct rd r = { p, n, 0, cause };
	char name[PAYXML_NAME_MAX + 1];
	struct buf b;
	int empty, cdata = 0;

	payxml_free(out);
	if (p == NULL || n == 0) {
		set_cause(cause, "empty document", 0);
		return QUAN_EINVAL;
	}
	if (n > PAYXML_MAX_BYTES) {
		set_cause(cause, "document larger than 64 KiB", 0);
		return QUAN_EINVAL;
	}
	if (n >= 3 && memcmp(p, "\xEF\xBB\xBF", 3) == 0)
		r.i = 3; /* UTF-8 byte order mark */
	skip_ws(&r);
	if (starts(&r, "<?xml")) {
		const char *end = find(p + r.i, n - r.i, "?>", 2);

		if (end == NULL) {
			set_cause(cause, "unterminated XML declaration", r.i);
			return QUAN_EINVAL;
		}
		r.i = (size_t)(end - p) + 2;
		skip_ws(&r);
	}
	if (starts(&r, "<!")) {
		set_cause(cause, "DOCTYPE and declarations are refused", r.i);
		return QUAN_EINVAL;
	}
	if (!starts(&r, "<xml>")) {
		set_cause(cause, "root element must be <xml>", r.i);
		return QUAN_EINVAL;
	}
	r.i += 5;
	buf_init(&b, PAYXML_MAX_BYTES);
	for (;;) {
		skip_ws(&r);
		if (starts(&r, "</xml>")) {
			r.i += 6;
			break;
		}
		if (r.i >= n || p[r.i] != '<' || starts(&r, "<!") ||
		    starts(&r, "<?") || starts(&r, "</")) {
			set_cause(cause, r.i >= n ? "document ends before "
			    "</xml>" : "expected a field element", r.i);
			goto fail;
		}
		r.i++;
		if (read_open(&r, name, &empty) != 0)
			goto fail;
		buf_reset(&b);
		cdata = 0;
		if (!empty && read_value(&r, name, &b, &cdata) != 0) {
			if (cause != NULL && *cause == NULL)
				set_cause(cause, "field too large", r.i);
			goto fail;
		}
		if (!text_ok(b.b ? b.b : "", b.len) ||
		    (b.len > 0 && memchr(b.b, '\0', b.len) != NULL)) {
			set_cause(cause, "field value is not clean UTF-8",
			    r.i);
			goto fail;
		}
		if (payxml_get(out, name) != NULL) {
			set_cause(cause, "duplicate field", r.i);
			goto fail;
		}
		if (out->n >= PAYXML_MAX_FIELDS) {
			set_cause(cause, "too many fields", r.i);
			goto fail;
		}
		memcpy(out->f[out->n].name, name, strlen(name) + 1);
		out->f[out->n].value = xstrndup(b.b ? b.b : "", b.len);
		out->f[out->n].bare = !cdata; /* written back as it came */
		out->n++;
	}
	skip_ws(&r);
	if (r.i != n) {
		set_cause(cause, "content after </xml>", r.i);
		goto fail;
	}
	buf_free(&b);
	return QUAN_OK;
fail:
	buf_free(&b);
	payxml_free(out);
	return QUAN_EINVAL;
}

void
payxml_free(struct payxml *x)
{
	size_t i;

	if (x == NULL)
		return;
	for (i = 0; i < x->n; i++)
		free(x->f[i].value);
	x->n = 0;
}

const char *
payxml_get(const struct payxml *x, const char *name)
{
	size_t i;

	for (i = 0; i < x->n; i++)
		if (strcmp(x->f[i].name, name) == 0)
			return x->f[i].value;
	return NULL;
}

static int
add(struct payxml *x, const char *name, const char *value, int bare)
{
	if (name == NULL || value == NULL || !name_ok(name) ||
	    payxml_get(x, name) != NULL || x->n >= PAYXML_MAX_FIELDS ||
	    !text_ok(value, strlen(value)))
		return QUAN_EINVAL;
	memcpy(x->f[x->n].name, name, strlen(name) + 1);
	x->f[x->n].value = xstrdup(value);
	x->f[x->n].bare = bare;
	x->n++;
	return QUAN_OK;
}

int
payxml_add(struct payxml *x, const char *name, const char *value)
{
	return add(x, name, value, 0);
}

int
payxml_add_int(struct payxml *x, const char *name, long long v)
{
	char s[32];

	snprintf(s, sizeof s, "%lld", v);
	return add(x, name, s, 1);
}

int
payxml_set(struct payxml *x, const char *name, const char *value)
{
	size_t i;

	for (i = 0; i < x->n; i++)
		if (strcmp(x->f[i].name, name) == 0) {
			if (value == NULL || !text_ok(value, strlen(value)))
				return QUAN_EINVAL;
			free(x->f[i].value);
			x->f[i].value = xstrdup(value);
			return QUAN_OK;
		}
	return add(x, name, value, 0);
}

char *
payxml_write(const struct payxml *x, size_t *len)
{
	struct buf b;
	size_t i;
	char *out;

	buf_init(&b, 4 * PAYXML_MAX_BYTES);
	buf_adds(&b, "<xml>");
	for (i = 0; i < x->n; i++) {
		const char *v = x->f[i].value, *cut;

		buf_printf(&b, "<%s>", x->f[i].name);
		if (x->f[i].bare) {
			for (; *v; v++) {
				if (*v == '&')
					buf_adds(&b, "&amp;");
				else if (*v == '<')
					buf_adds(&b, "&lt;");
				else if (*v == '>')
					buf_adds(&b, "&gt;");
				else
					buf_add(&b, v, 1);
			}
		} else {
			buf_adds(&b, "<![CDATA[");
			while ((cut = strstr(v, "]]>")) != NULL) {
				/* "]]" closes this section, ">" opens the next */
				buf_add(&b, v, (size_t)(cut - v) + 2);
				buf_adds(&b, "]]><![CDATA[");
				v = cut + 2;
			}
			buf_adds(&b, v);
			buf_adds(&b, "]]>");
		}
		buf_printf(&b, "</%s>", x->f[i].name);
	}
	buf_adds(&b, "</xml>");
	if (len != NULL)
		*len = b.len;
	out = buf_take(&b);
	return out ? out : xstrdup("");
}

/* ---- signature -------------------------------------------------------- */

char *
payxml_sign_string(const struct payxml *x, const char *key)
{
	size_t idx[PAYXML_MAX_FIELDS], n = 0, i, j;
	struct buf b;
	char *out;

	for (i = 0; i < x->n; i++)
		if (strcmp(x->f[i].name, "sign") != 0 &&
		    x->f[i].value[0] != '\0')
			idx[n++] = i;
	/* insertion sort: at most PAYXML_MAX_FIELDS names */
	for (i = 1; i < n; i++)
		for (j = i; j > 0 && strcmp(x->f[idx[j - 1]].name,
		    x->f[idx[j]].name) > 0; j--) {
			size_t t = idx[j];
			idx[j] = idx[j - 1];
			idx[j - 1] = t;
		}
	buf_init(&b, 8 * PAYXML_MAX_BYTES);
	for (i = 0; i < n; i++)
		buf_printf(&b, "%s%s=%s", i ? "&" : "", x->f[idx[i]].name,
		    x->f[idx[i]].value);
	buf_printf(&b, "%skey=%s", n ? "&" : "", key);
	out = buf_take(&b);
	return out ? out : xstrdup("");
}

int
payxml_sign(const struct payxml *x, const char *key, enum payxml_sign how,
    char out[PAYXML_SIGN_MAX])
{
	uint8_t d[CRYPTO_SHA256_LEN];
	char *s = payxml_sign_string(x, key);
	size_t i, dl;
	int rc = QUAN_OK;

	if (how == PAYXML_SIGN_MD5) {
		crypto_md5(s, strlen(s), d);
		dl = CRYPTO_MD5_LEN;
	} else {
		rc = crypto_hmac_sha256(key, strlen(key), s, strlen(s), d);
		dl = CRYPTO_SHA256_LEN;
	}
	memset(s, 0, strlen(s)); /* it ends with the key */
	free(s);
	if (rc != QUAN_OK)
		return rc;
	crypto_hex(d, dl, out);
	for (i = 0; out[i]; i++)
		if (out[i] >= 'a' && out[i] <= 'f')
			out[i] = (char)(out[i] - 'a' + 'A');
	return QUAN_OK;
}

int
payxml_verify(const struct payxml *x, const char *key, enum payxml_sign how)
{
	const char *got = payxml_get(x, "sign");
	char want[PAYXML_SIGN_MAX];

	if (got == NULL || payxml_sign(x, key, how, want) != QUAN_OK ||
	    strlen(got) != strlen(want) ||
	    !crypto_memeq(got, want, strlen(want)))
		return QUAN_EPROTO;
	return QUAN_OK;
}

const char *
payxml_sign_name(enum payxml_sign how)
{
	return how == PAYXML_SIGN_MD5 ? "MD5" : "HMAC-SHA256";
}

int
payxml_sign_parse(const char *s, enum payxml_sign *out)
{
	if (s != NULL && strcmp(s, "MD5") == 0)
		*out = PAYXML_SIGN_MD5;
	else if (s != NULL && strcmp(s, "HMAC-SHA256") == 0)
		*out = PAYXML_SIGN_HMAC_SHA256;
	else
		return QUAN_EINVAL;
	return QUAN_OK;
}
