/*
 * payxml.h — the flat XML of WeChat Pay APIv2: `<xml><k>v</k>…</xml>`,
 * values as CDATA or escaped text. A small, bounded reader written for
 * exactly this shape (no DTD, no entities beyond the five predefined ones
 * and character references, no nesting, no attributes, no comments or
 * processing instructions except a leading <?xml …?> declaration), and the
 * writer for our requests (CDATA strings, bare integers), plus the APIv2
 * signature (MD5 / HMAC-SHA256 over the sorted fields with "&key=").
 *
 * Pure functions over caller-owned values; any thread. Hostile input gets
 * QUAN_EINVAL with a cause, never a large allocation: at most
 * PAYXML_MAX_BYTES of input, PAYXML_MAX_FIELDS fields, names of at most
 * PAYXML_NAME_MAX bytes.
 */
#ifndef QUAN_PAYXML_H
#define QUAN_PAYXML_H

#include <stddef.h>

#define PAYXML_MAX_BYTES (64 * 1024)
#define PAYXML_MAX_FIELDS 128
#define PAYXML_NAME_MAX 64

struct payxml_field {
	char name[PAYXML_NAME_MAX + 1];
	char *value;         /* unescaped UTF-8, NUL-terminated (malloc'd) */
	int bare;            /* written as escaped text, not CDATA (parsed:
				the value had no CDATA section) */
};

/* Fields in document (or insertion) order. Zero-initialise, then
 * payxml_parse or payxml_add*; payxml_free when done. */
struct payxml {
	struct payxml_field f[PAYXML_MAX_FIELDS];
	size_t n;
};

/* Parse one document. Refused (QUAN_EINVAL, *cause says why): over
 * PAYXML_MAX_BYTES, a DOCTYPE or any other <! other than CDATA, comments,
 * processing instructions after the declaration, a root other than <xml>,
 * attributes, nested elements, an unknown entity, a bad character
 * reference, a duplicate field, a name outside [A-Za-z0-9_.-], text that
 * is not UTF-8 or holds a control character other than tab/CR/LF, and
 * anything after </xml> but whitespace. out is reset first; on error it is
 * left empty. cause may be NULL. */
int payxml_parse(const char *p, size_t n, struct payxml *out, char **cause);
void payxml_free(struct payxml *x);  /* frees values, leaves it empty */

/* The value of field name, or NULL when absent. Borrowed. */
const char *payxml_get(const struct payxml *x, const char *name);

/* Append a field (copies both). Refuses (QUAN_EINVAL) a bad name, a
 * duplicate, more than PAYXML_MAX_FIELDS or a value with control
 * characters / invalid UTF-8. payxml_add_int writes the decimal bare. */
int payxml_add(struct payxml *x, const char *name, const char *value);
int payxml_add_int(struct payxml *x, const char *name, long long v);
/* Replace (or append) a field's value. Same rules. */
int payxml_set(struct payxml *x, const char *name, const char *value);

/* The document: <xml><k><![CDATA[v]]></k>…<n>123</n></xml> in field
 * order (empty values are written too). New string, *len set if non-NULL.
 * A value holding "]]>" is split over two CDATA sections. */
char *payxml_write(const struct payxml *x, size_t *len);

/* ---- APIv2 signature -------------------------------------------------- */

enum payxml_sign { PAYXML_SIGN_MD5 = 0, PAYXML_SIGN_HMAC_SHA256 };

#define PAYXML_SIGN_MAX 65   /* 64 hex + NUL */

/* stringA = k=v&… over every field but "sign" with a non-empty value,
 * sorted by name (byte order), then "&key=" + key; MD5 or HMAC-SHA256
 * (keyed with key) of it as upper-case hex into out. 0 or QUAN_EIO. */
int payxml_sign(const struct payxml *x, const char *key,
    enum payxml_sign how, char out[PAYXML_SIGN_MAX]);
/* The string that is hashed (for tests and SIGNERROR diagnostics); new. */
char *payxml_sign_string(const struct payxml *x, const char *key);
/* 0 when x carries a "sign" equal (constant time) to payxml_sign's;
 * QUAN_EPROTO when missing or different. */
int payxml_verify(const struct payxml *x, const char *key,
    enum payxml_sign how);
/* "MD5" / "HMAC-SHA256" and back (QUAN_EINVAL when neither). */
const char *payxml_sign_name(enum payxml_sign how);
int payxml_sign_parse(const char *s, enum payxml_sign *out);

#endif
