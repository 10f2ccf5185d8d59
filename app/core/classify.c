/*
 * classify.c — scan classification (see classify.h for the decision order).
 * Everything works on bounded stack buffers; the only outside call is the
 * caller's cache lookup.
 */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/classify.h"
#include "util/err.h"
#include "util/xmem.h"

#define PREFIX_MAX 64

struct cpat {
	enum classify_kind kind;
	char id[CLASSIFY_ID_MAX + 1];
	char prefix[PREFIX_MAX + 1];
	size_t plen;
	size_t min_len;
	size_t max_len;         /* 0 = no bound */
	enum classify_charset charset;
	int index;              /* position in the caller's array */
};

struct classify {
	size_t n;
	struct cpat *p;
};

static int
is_digit(unsigned char c)
{
	return c >= '0' && c <= '9';
}

static int
is_alnum(unsigned char c)
{
	return is_digit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static int
in_charset(unsigned char c, enum classify_charset cs)
{
	switch (cs) {
	case CLASSIFY_CS_DIGITS:
		return is_digit(c);
	case CLASSIFY_CS_ALNUM:
		return is_alnum(c);
	case CLASSIFY_CS_WECHAT:
		return is_alnum(c) || c == ' ' || c == '-' || c == '_' ||
		    c == '\\' || c == '/' || c == '=' || c == '|';
	}
	return 0;
}

static int
all_digits(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!is_digit((unsigned char)s[i]))
			return 0;
	return n > 0;
}

/* Valid UTF-8 (no overlongs, no surrogates, <= U+10FFFF). */
static int
utf8_ok(const unsigned char *s, size_t n)
{
	size_t i = 0;

	while (i < n) {
		unsigned char c = s[i];
		size_t k;
		unsigned int cp, min;

		if (c < 0x80) {
			i++;
			continue;
		}
		if (c >= 0xc2 && c <= 0xdf) {
			k = 1;
			cp = c & 0x1f;
			min = 0x80;
		} else if (c >= 0xe0 && c <= 0xef) {
			k = 2;
			cp = c & 0x0f;
			min = 0x800;
		} else if (c >= 0xf0 && c <= 0xf4) {
			k = 3;
			cp = c & 0x07;
			min = 0x10000;
		} else {
			return 0;
		}
		if (n - i <= k)
			return 0;
		for (size_t j = 1; j <= k; j++) {
			if ((s[i + j] & 0xc0) != 0x80)
				return 0;
			cp = (cp << 6) | (s[i + j] & 0x3f);
		}
		if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
			return 0;
		i += k + 1;
	}
	return 1;
}

const char *
classify_kind_id(enum classify_kind k)
{
	switch (k) {
	case CLASSIFY_UNKNOWN: return "unknown";
	case CLASSIFY_PAYMENT_CODE: return "payment_code";
	case CLASSIFY_OTHER_WALLET: return "other_wallet";
	case CLASSIFY_CLAIM_QR: return "claim_qr";
	case CLASSIFY_MERCHANT: return "merchant";
	case CLASSIFY_CARD: return "card";
	case CLASSIFY_ENCRYPTED_CARD: return "encrypted_card";
	case CLASSIFY_INVALID: return "invalid";
	}
	return "invalid";
}

const char *
classify_via_id(enum classify_via v)
{
	switch (v) {
	case CLASSIFY_VIA_NONE: return "none";
	case CLASSIFY_VIA_CACHE: return "cache";
	case CLASSIFY_VIA_PATTERN: return "pattern";
	case CLASSIFY_VIA_FORMAT: return "format";
	}
	return "none";
}

const char *
classify_reason_id(enum classify_reason r)
{
	switch (r) {
	case CLASSIFY_R_NONE: return "none";
	case CLASSIFY_R_EMPTY: return "empty";
	case CLASSIFY_R_TOO_LONG: return "too_long";
	case CLASSIFY_R_CONTROL_CHAR: return "control_char";
	case CLASSIFY_R_BAD_UTF8: return "bad_utf8";
	case CLASSIFY_R_BAD_ENCRYPT_CODE: return "bad_encrypt_code";
	case CLASSIFY_R_NO_MATCH: return "no_match";
	}
	return "none";
}

int
classify_charset_parse(const char *s, enum classify_charset *out)
{
	if (s == NULL)
		return QUAN_EINVAL;
	if (strcmp(s, "digits") == 0)
		*out = CLASSIFY_CS_DIGITS;
	else if (strcmp(s, "alnum") == 0)
		*out = CLASSIFY_CS_ALNUM;
	else if (strcmp(s, "wechat") == 0)
		*out = CLASSIFY_CS_WECHAT;
	else
		return QUAN_EINVAL;
	return QUAN_OK;
}

static int
pattern_error(char **cause, size_t i, const char *what)
{
	if (cause != NULL)
		*cause = xasprintf("classifier pattern %zu: %s", i, what);
	return QUAN_EINVAL;
}

int
classify_new(const struct classify_pattern *p, size_t n,
    struct classify **out, char **cause)
{
	struct classify *c;
	size_t i, k;

	if (cause != NULL)
		*cause = NULL;
	*out = NULL;
	if (n > 0 && p == NULL)
		return pattern_error(cause, 0, "no pattern array");
	if (n > 4096)
		return pattern_error(cause, n, "too many patterns (max 4096)");
	c = xcalloc(1, sizeof *c);
	if (n > 0)
		c->p = xcalloc(n, sizeof *c->p);
	for (i = 0; i < n; i++) {
		const struct classify_pattern *s = &p[i];
		struct cpat *d = &c->p[c->n];
		size_t idl, pl;
		const char *why = NULL;

		idl = s->id != NULL ? strlen(s->id) : 0;
		pl = s->prefix != NULL ? strlen(s->prefix) : 0;
		if (s->kind != CLASSIFY_MERCHANT && s->kind != CLASSIFY_CARD)
			why = "kind must be merchant or card";
		else if (idl == 0 || idl > CLASSIFY_ID_MAX)
			why = "id missing or longer than 64 bytes";
		else if (pl > PREFIX_MAX)
			why = "prefix longer than 64 bytes";
		else if (s->min_len < 0 || s->max_len < 0 ||
		    s->min_len > CLASSIFY_CODE_MAX ||
		    s->max_len > CLASSIFY_CODE_MAX)
			why = "min_len/max_len outside 0..128";
		else if (s->kind == CLASSIFY_MERCHANT &&
		    (s->max_len > CLASSIFY_COUPON_MAX ||
		    s->min_len > CLASSIFY_COUPON_MAX ||
		    pl > CLASSIFY_COUPON_MAX))
			why = "merchant coupon codes are at most 32 bytes";
		else if (s->max_len > 0 && s->min_len > s->max_len)
			why = "min_len greater than max_len";
		else if (s->max_len > 0 && pl > (size_t)s->max_len)
			why = "prefix longer than max_len";
		else if (s->charset != CLASSIFY_CS_WECHAT &&
		    s->charset != CLASSIFY_CS_DIGITS &&
		    s->charset != CLASSIFY_CS_ALNUM)
			why = "unknown charset";
		for (k = 0; why == NULL && k < pl; k++)
			if (!in_charset((unsigned char)s->prefix[k],
			    s->charset))
				why = "prefix has characters outside charset";
		if (why != NULL) {
			classify_free(c);
			return pattern_error(cause, i, why);
		}
		if (pl == 0 && s->min_len == 0 && s->max_len == 0)
			continue; /* would claim every scan: not a hint */
		d->kind = s->kind;
		memcpy(d->id, s->id, idl + 1);
		if (pl > 0)
			memcpy(d->prefix, s->prefix, pl + 1);
		d->plen = pl;
		d->min_len = (size_t)s->min_len;
		d->max_len = (size_t)s->max_len;
		d->charset = s->charset;
		d->index = (int)i;
		c->n++;
	}
	*out = c;
	return QUAN_OK;
}

void
classify_free(struct classify *c)
{
	if (c == NULL)
		return;
	free(c->p);
	free(c);
}

static int
pattern_match(const struct cpat *p, const char *s, size_t n)
{
	size_t i;

	if (n == 0 || (p->kind == CLASSIFY_MERCHANT && n > CLASSIFY_COUPON_MAX))
		return 0;
	if (n < p->min_len || (p->max_len > 0 && n > p->max_len))
		return 0;
	if (n < p->plen || memcmp(s, p->prefix, p->plen) != 0)
		return 0;
	for (i = 0; i < n; i++)
		if (!in_charset((unsigned char)s[i], p->charset))
			return 0;
	return 1;
}

/* ^1[0-5][0-9]{16}$ */
static int
is_payment_code(const char *s, size_t n)
{
	return n == 18 && all_digits(s, n) && s[0] == '1' && s[1] <= '5';
}

/* ^(2[5-9]|30)[0-9]{14,22}$ (Alipay) or ^62[0-9]{17}$ (UnionPay). */
static int
is_other_wallet(const char *s, size_t n)
{
	if (!all_digits(s, n))
		return 0;
	if (n >= 16 && n <= 24 &&
	    ((s[0] == '2' && s[1] >= '5') || (s[0] == '3' && s[1] == '0')))
		return 1;
	return n == 19 && s[0] == '6' && s[1] == '2';
}

/* ^[A-Za-z0-9+/]{40,}={0,2}$ that is not plainly a number or a word:
 * contains + or / or =, or mixes upper and lower case. */
static int
is_bare_encrypted(const char *s, size_t n)
{
	size_t i, body = n;
	int special = 0, upper = 0, lower = 0;

	while (body > 0 && s[body - 1] == '=' && n - body < 2)
		body--;
	if (body < 40)
		return 0;
	if (body < n)
		special = 1;
	for (i = 0; i < body; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == '+' || c == '/')
			special = 1;
		else if (c >= 'A' && c <= 'Z')
			upper = 1;
		else if (c >= 'a' && c <= 'z')
			lower = 1;
		else if (!is_digit(c))
			return 0;
	}
	return special || (upper && lower);
}

static int
hexval(unsigned char c)
{
	if (is_digit(c))
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Percent-decode s[0..n) once into out (size cap), '+' kept as '+'.
 * Returns the length, or -1 when malformed, over cap, or the result has a
 * byte outside printable ASCII (an encrypt_code / card_id never does). */
static long
pct_decode(const char *s, size_t n, char *out, size_t cap)
{
	size_t i, o = 0;

	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == '%') {
			int h, l;

			if (n - i < 3)
				return -1;
			h = hexval((unsigned char)s[i + 1]);
			l = hexval((unsigned char)s[i + 2]);
			if (h < 0 || l < 0)
				return -1;
			c = (unsigned char)(h * 16 + l);
			i += 2;
		}
		if (c <= 0x20 || c >= 0x7f)
			return -1;
		if (o + 1 >= cap)
			return -1;
		out[o++] = (char)c;
	}
	out[o] = '\0';
	return (long)o;
}

static int
ascii_prefix_ci(const char *s, size_t n, const char *p)
{
	size_t i, pl = strlen(p);

	if (n < pl)
		return 0;
	for (i = 0; i < pl; i++) {
		unsigned char a = (unsigned char)s[i];

		if (a >= 'A' && a <= 'Z')
			a = (unsigned char)(a - 'A' + 'a');
		if (a != (unsigned char)p[i])
			return 0;
	}
	return 1;
}

static int
set_invalid(struct classify_result *out, enum classify_reason r, int rc)
{
	out->kind = CLASSIFY_INVALID;
	out->via = CLASSIFY_VIA_NONE;
	out->reason = r;
	out->code[0] = '\0';
	out->code_len = 0;
	out->id[0] = '\0';
	return rc;
}

static void
set_code(struct classify_result *out, const char *s, size_t n)
{
	if (n > CLASSIFY_URL_MAX)
		n = CLASSIFY_URL_MAX;
	memcpy(out->code, s, n);
	out->code[n] = '\0';
	out->code_len = n;
}

/* Look for encrypt_code= (and card_id=) in the query of s. Returns 1 and
 * fills out when found and well-formed, -1 when found but malformed, 0
 * when there is no encrypt_code parameter. */
static int
find_encrypt_code(const char *s, size_t n, struct classify_result *out)
{
	const char *q = memchr(s, '?', n);
	const char *end = s + n;
	const char *hash;
	char card[CLASSIFY_ID_MAX + 1];
	char code[CLASSIFY_CODE_MAX + 1];
	int have_code = 0, have_card = 0;
	long cl = 0;

	if (q == NULL)
		return 0;
	hash = memchr(q, '#', (size_t)(end - q));
	if (hash != NULL)
		end = hash;
	q++;
	while (q < end) {
		const char *amp = memchr(q, '&', (size_t)(end - q));
		const char *pe = amp != NULL ? amp : end;
		const char *eq = memchr(q, '=', (size_t)(pe - q));

		if (eq != NULL) {
			size_t kl = (size_t)(eq - q);
			size_t vl = (size_t)(pe - eq - 1);

			if (kl == 12 && memcmp(q, "encrypt_code", 12) == 0) {
				if (have_code)
					return -1; /* ambiguous: two codes */
				have_code = 1;
				cl = pct_decode(eq + 1, vl, code, sizeof code);
				if (cl <= 0)
					return -1;
			} else if (kl == 7 && memcmp(q, "card_id", 7) == 0) {
				long l = pct_decode(eq + 1, vl, card,
				    sizeof card);
				size_t i;

				if (have_card || l <= 0)
					return -1;
				for (i = 0; i < (size_t)l; i++)
					if (!is_alnum((unsigned char)card[i]) &&
					    card[i] != '_' && card[i] != '-')
						return -1;
				have_card = 1;
			}
		}
		q = pe + 1;
	}
	if (!have_code)
		return 0;
	memcpy(out->code, code, (size_t)cl + 1);
	out->code_len = (size_t)cl;
	if (have_card)
		memcpy(out->id, card, strlen(card) + 1);
	return 1;
}

static void
set_hit(struct classify_result *out, enum classify_kind kind,
    enum classify_via via, const char *code, size_t n, const char *id)
{
	out->kind = kind;
	out->via = via;
	out->reason = CLASSIFY_R_NONE;
	set_code(out, code, n);
	if (id != NULL)
		snprintf(out->id, sizeof out->id, "%s", id);
}

int
classify_scan(const struct classify *c, const char *text, size_t len,
    classify_lookup_fn lookup, void *arg, struct classify_result *out)
{
	char cand[2][CLASSIFY_CODE_MAX + 1];
	size_t clen[2];
	int ncand = 0, only_groups = 1, is_url;
	size_t b = 0, e = len, i, k;
	const char *s;
	size_t n;

	memset(out, 0, offsetof(struct classify_result, code));
	out->code[0] = '\0';
	out->id[0] = '\0';
	out->code_len = 0;
	out->pattern = -1;
	if (text == NULL)
		return set_invalid(out, CLASSIFY_R_EMPTY, QUAN_EINVAL);

	/* 0. Normalise. */
	while (b < e && (text[b] == ' ' || text[b] == '\t' ||
	    text[b] == '\r' || text[b] == '\n'))
		b++;
	while (e > b && (text[e - 1] == ' ' || text[e - 1] == '\t' ||
	    text[e - 1] == '\r' || text[e - 1] == '\n'))
		e--;
	s = text + b;
	n = e - b;
	if (n == 0)
		return set_invalid(out, CLASSIFY_R_EMPTY, QUAN_EINVAL);
	if (n > CLASSIFY_URL_MAX)
		return set_invalid(out, CLASSIFY_R_TOO_LONG, QUAN_ETOOBIG);
	for (i = 0; i < n; i++) {
		unsigned char ch = (unsigned char)s[i];

		if (ch < 0x20 || ch == 0x7f)
			return set_invalid(out, CLASSIFY_R_CONTROL_CHAR,
			    QUAN_EINVAL);
		if (ch != ' ' && !is_alnum(ch))
			only_groups = 0;
	}
	if (!utf8_ok((const unsigned char *)s, n))
		return set_invalid(out, CLASSIFY_R_BAD_UTF8, QUAN_EINVAL);
	is_url = ascii_prefix_ci(s, n, "http://") ||
	    ascii_prefix_ci(s, n, "https://");
	if (!is_url && memchr(s, '?', n) == NULL && n > CLASSIFY_CODE_MAX)
		return set_invalid(out, CLASSIFY_R_TOO_LONG, QUAN_ETOOBIG);

	if (n <= CLASSIFY_CODE_MAX) {
		memcpy(cand[0], s, n);
		cand[0][n] = '\0';
		clen[0] = n;
		ncand = 1;
		if (only_groups && memchr(s, ' ', n) != NULL) {
			for (i = 0, k = 0; i < n; i++)
				if (s[i] != ' ')
					cand[1][k++] = s[i];
			cand[1][k] = '\0';
			clen[1] = k;
			ncand = 2;
		}
	}

	/* 1. The code cache. */
	for (i = 0; lookup != NULL && i < (size_t)ncand; i++) {
		struct classify_hit hit;
		int rc;

		memset(&hit, 0, sizeof hit);
		rc = lookup(arg, cand[i], &hit);
		if (rc < 0) {
			out->flags |= CLASSIFY_F_CACHE_ERR;
			break;
		}
		if (rc > 0 && hit.kind != CLASSIFY_UNKNOWN &&
		    hit.kind != CLASSIFY_INVALID) {
			hit.id[CLASSIFY_ID_MAX] = '\0';
			set_hit(out, hit.kind, CLASSIFY_VIA_CACHE, cand[i],
			    clen[i], hit.id);
			if (i == 1)
				out->flags |= CLASSIFY_F_JOINED;
			goto done;
		}
	}

	/* 2. Configured patterns, in order. */
	for (k = 0; c != NULL && k < c->n; k++) {
		for (i = 0; i < (size_t)ncand; i++) {
			if (!pattern_match(&c->p[k], cand[i], clen[i]))
				continue;
			set_hit(out, c->p[k].kind, CLASSIFY_VIA_PATTERN,
			    cand[i], clen[i], c->p[k].id);
			out->pattern = c->p[k].index;
			if (i == 1)
				out->flags |= CLASSIFY_F_JOINED;
			goto done;
		}
	}

	/* 3. Documented formats. */
	if (ascii_prefix_ci(s, n, "http://weixin.qq.com/q/") ||
	    ascii_prefix_ci(s, n, "https://weixin.qq.com/q/")) {
		set_hit(out, CLASSIFY_CLAIM_QR, CLASSIFY_VIA_FORMAT, s, n,
		    NULL);
		return QUAN_OK;
	}
	switch (find_encrypt_code(s, n, out)) {
	case 1:
		out->kind = CLASSIFY_ENCRYPTED_CARD;
		out->via = CLASSIFY_VIA_FORMAT;
		out->reason = CLASSIFY_R_NONE;
		return QUAN_OK;
	case -1:
		return set_invalid(out, CLASSIFY_R_BAD_ENCRYPT_CODE,
		    QUAN_EINVAL);
	default:
		break;
	}
	if (ncand == 0) {
		if (!is_url)
			return set_invalid(out, CLASSIFY_R_TOO_LONG,
			    QUAN_ETOOBIG);
		/* A long URL without encrypt_code: nothing we redeem. */
		set_code(out, s, n);
		out->kind = CLASSIFY_UNKNOWN;
		out->reason = CLASSIFY_R_NO_MATCH;
		return QUAN_OK;
	}
	{
		const char *j = cand[ncand - 1];
		size_t jl = clen[ncand - 1];
		enum classify_kind kind = CLASSIFY_UNKNOWN;

		if (is_payment_code(j, jl))
			kind = CLASSIFY_PAYMENT_CODE;
		else if (is_other_wallet(j, jl))
			kind = CLASSIFY_OTHER_WALLET;
		else if (jl == 22 && all_digits(j, jl))
			kind = CLASSIFY_MERCHANT; /* WECHATPAY_MODE */
		else if (is_bare_encrypted(j, jl))
			kind = CLASSIFY_ENCRYPTED_CARD;
		else if (jl >= 8 && jl <= 20 && all_digits(j, jl))
			kind = CLASSIFY_CARD;
		if (kind == CLASSIFY_UNKNOWN) {
			set_code(out, j, jl);
			out->kind = CLASSIFY_UNKNOWN;
			out->reason = CLASSIFY_R_NO_MATCH;
			return QUAN_OK;
		}
		set_hit(out, kind, CLASSIFY_VIA_FORMAT, j, jl, NULL);
		if (ncand == 2)
			out->flags |= CLASSIFY_F_JOINED;
		return QUAN_OK;
	}

done:
	/* Ambiguity §4.3: a cached/configured code with a payment shape. */
	if (is_payment_code(cand[ncand - 1], clen[ncand - 1]))
		out->flags |= CLASSIFY_F_LOOKS_PAY;
	return QUAN_OK;
}
