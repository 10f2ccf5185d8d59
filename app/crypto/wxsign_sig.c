/*
 * wxsign_sig.c — SHA256withRSA for wxsign.h: signing and
 * verifying, the messages WeChat signs, the Authorization header (format,
 * parse, verify), response verification and the trust store of platform
 * keys by serial.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/decoder.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "crypto/crypto.h"
#include "crypto/wxsign.h"
#include "crypto/wxsign_int.h"
#include "util/buf.h"
#include "util/err.h"
#include "util/tm.h"
#include "util/xmem.h"

/* ---- SHA256withRSA ---------------------------------------------------- */

int
wx_sign(const struct wx_key *k, const void *msg, size_t n, char **sig_b64)
{
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	unsigned char sig[1024];
	size_t siglen = sizeof sig;
	int ok;

	*sig_b64 = NULL;
	if (ctx == NULL)
		return QUAN_ENOMEM;
	ok = EVP_DigestSignInit(ctx, NULL, EVP_sha256(), NULL, k->pk) == 1 &&
	    EVP_DigestSign(ctx, sig, &siglen, msg, n) == 1;
	EVP_MD_CTX_free(ctx);
	if (!ok) {
		ERR_clear_error();
		return QUAN_EINVAL;
	}
	*sig_b64 = wx_b64_encode(sig, siglen);
	return QUAN_OK;
}

int
wx_is_signtest(const char *sig)
{
	return sig != NULL && strncmp(sig, WX_SIGNTEST_PREFIX,
	    strlen(WX_SIGNTEST_PREFIX)) == 0;
}

static int
verify_pk(EVP_PKEY *pk, const void *msg, size_t n, const char *sig_b64)
{
	EVP_MD_CTX *ctx;
	uint8_t *sig = NULL;
	size_t siglen = 0;
	int ok;

	if (pk == NULL || sig_b64 == NULL || sig_b64[0] == '\0' ||
	    wx_is_signtest(sig_b64))
		return QUAN_EPROTO;
	if (strlen(sig_b64) > 2048 ||
	    wx_b64_decode(sig_b64, strlen(sig_b64), &sig, &siglen) != 0)
		return QUAN_EPROTO;
	if (siglen != (size_t)EVP_PKEY_get_size(pk)) {
		free(sig);
		return QUAN_EPROTO;
	}
	ctx = EVP_MD_CTX_new();
	ok = ctx != NULL &&
	    EVP_DigestVerifyInit(ctx, NULL, EVP_sha256(), NULL, pk) == 1 &&
	    EVP_DigestVerify(ctx, sig, siglen, msg, n) == 1;
	EVP_MD_CTX_free(ctx);
	free(sig);
	ERR_clear_error();
	return ok ? QUAN_OK : QUAN_EPROTO;
}

int
wx_verify(const struct wx_pub *p, const void *msg, size_t n,
    const char *sig_b64)
{
	return verify_pk(p ? p->pk : NULL, msg, n, sig_b64);
}

/* ---- messages --------------------------------------------------------- */

static char *
join_message(const char *const *parts, size_t nparts, const void *body,
    size_t body_len, size_t *len)
{
	size_t i, n = body_len + 1, o = 0;
	char *m;

	for (i = 0; i < nparts; i++)
		n += strlen(parts[i]) + 1;
	m = xmalloc(n + 1);
	for (i = 0; i < nparts; i++) {
		size_t l = strlen(parts[i]);
		memcpy(m + o, parts[i], l);
		o += l;
		m[o++] = '\n';
	}
	if (body_len > 0)
		memcpy(m + o, body, body_len);
	o += body_len;
	m[o++] = '\n';
	m[o] = '\0';
	if (len != NULL)
		*len = o;
	return m;
}

char *
wx_req_message(const char *method, const char *url, const char *ts,
    const char *nonce, const void *body, size_t body_len, size_t *len)
{
	const char *parts[4] = { method, url, ts, nonce };

	return join_message(parts, 4, body, body_len, len);
}

char *
wx_resp_message(const char *ts, const char *nonce, const void *body,
    size_t body_len, size_t *len)
{
	const char *parts[2] = { ts, nonce };

	return join_message(parts, 2, body, body_len, len);
}

int
wx_check_timestamp(const char *ts, int64_t now, char **cause)
{
	int64_t v = 0, d;
	size_t i, n;

	if (ts == NULL || (n = strlen(ts)) == 0 || n > 18) {
		wx_set_cause(cause, "timestamp missing or too long");
		return QUAN_EPROTO;
	}
	for (i = 0; i < n; i++) {
		if (ts[i] < '0' || ts[i] > '9') {
			wx_set_cause(cause, "timestamp '%.24s' is not a number",
			    ts);
			return QUAN_EPROTO;
		}
		v = v * 10 + (ts[i] - '0');
	}
	d = now > v ? now - v : v - now;
	if (d >= WX_MAX_SKEW_S) {
		wx_set_cause(cause,
		    "timestamp %lld is %lld s away from our clock "
		    "%lld (limit %d s): stale or clock skew", (long long)v,
		    (long long)d, (long long)now, WX_MAX_SKEW_S - 1);
		return QUAN_ECLOCK;
	}
	return QUAN_OK;
}

/* ---- Authorization ---------------------------------------------------- */

const char *
wx_scheme_schema(enum wx_scheme s)
{
	return s == WX_SCHEME_BRAND ? WX_BRAND_AUTH_SCHEMA : WX_AUTH_SCHEMA;
}

const char *
wx_scheme_id_key(enum wx_scheme s)
{
	return s == WX_SCHEME_BRAND ? "brand_id" : "mchid";
}

static char *
format_auth(const char *schema, const char *id_key, const char *id,
    const char *nonce, const char *ts, const char *serial, const char *sig)
{
	return xasprintf("%s %s=\"%s\",nonce_str=\"%s\",timestamp=\"%s\","
	    "serial_no=\"%s\",signature=\"%s\"", schema, id_key, id, nonce,
	    ts, serial, sig);
}

char *
wx_auth_format(const char *schema, const char *mchid, const char *nonce,
    const char *ts, const char *serial, const char *sig)
{
	return format_auth(schema, "mchid", mchid, nonce, ts, serial, sig);
}

char *
wx_auth_format_as(enum wx_scheme scheme, const char *id, const char *nonce,
    const char *ts, const char *serial, const char *sig)
{
	return format_auth(wx_scheme_schema(scheme), wx_scheme_id_key(scheme),
	    id, nonce, ts, serial, sig);
}

int
wx_auth_header_as(enum wx_scheme scheme, const struct wx_key *k,
    const char *id, const char *serial, const char *method, const char *url,
    const void *body, size_t body_len, const char *ts, const char *nonce,
    char **out)
{
	char tsbuf[24], nbuf[WX_NONCE_LEN + 1], *msg, *sig = NULL;
	size_t mlen;
	int rc;

	*out = NULL;
	if (ts == NULL) {
		snprintf(tsbuf, sizeof tsbuf, "%lld", (long long)tm_now());
		ts = tsbuf;
	}
	if (nonce == NULL) {
		if (wx_nonce(nbuf) != 0)
			return QUAN_EIO;
		nonce = nbuf;
	}
	msg = wx_req_message(method, url, ts, nonce, body, body_len, &mlen);
	rc = wx_sign(k, msg, mlen, &sig);
	free(msg);
	if (rc != 0)
		return rc;
	*out = wx_auth_format_as(scheme, id, nonce, ts, serial, sig);
	free(sig);
	return QUAN_OK;
}

int
wx_auth_header(const struct wx_key *k, const char *mchid,
    const char *serial, const char *method, const char *url,
    const void *body, size_t body_len, const char *ts, const char *nonce,
    char **out)
{
	return wx_auth_header_as(WX_SCHEME_MERCHANT, k, mchid, serial, method,
	    url, body, body_len, ts, nonce, out);
}

static int
put_field(char *dst, size_t cap, const char *v, size_t n, int *seen,
    const char *key, char **cause)
{
	if (*seen) {
		wx_set_cause(cause, "Authorization: duplicate %s", key);
		return QUAN_EINVAL;
	}
	if (n >= cap) {
		wx_set_cause(cause, "Authorization: %s too long", key);
		return QUAN_EINVAL;
	}
	memcpy(dst, v, n);
	dst[n] = '\0';
	*seen = 1;
	return QUAN_OK;
}

int
wx_auth_parse(const char *hdr, struct wx_auth *out, char **cause)
{
	int seen[6] = { 0 };
	const char *p, *sp;
	size_t n;
	int rc;

	memset(out, 0, sizeof *out);
	if (hdr == NULL || *hdr == '\0') {
		wx_set_cause(cause, "Authorization header missing");
		return QUAN_EINVAL;
	}
	if (strlen(hdr) > 4096) {
		wx_set_cause(cause, "Authorization header too long");
		return QUAN_EINVAL;
	}
	sp = strchr(hdr, ' ');
	if (sp == NULL || sp == hdr) {
		wx_set_cause(cause, "Authorization: no schema");
		return QUAN_EINVAL;
	}
	if ((size_t)(sp - hdr) >= sizeof out->schema) {
		wx_set_cause(cause, "Authorization: schema too long");
		return QUAN_EINVAL;
	}
	memcpy(out->schema, hdr, (size_t)(sp - hdr));
	p = sp;
	for (;;) {
		const char *k, *v, *e;
		size_t kl;

		while (*p == ' ')
			p++;
		k = p;
		while (*p != '\0' && *p != '=' && *p != ',' && *p != ' ')
			p++;
		kl = (size_t)(p - k);
		if (*p != '=' || p[1] != '"' || kl == 0) {
			wx_set_cause(cause,
			    "Authorization: expected key=\"value\"");
			return QUAN_EINVAL;
		}
		v = p + 2;
		e = strchr(v, '"');
		if (e == NULL) {
			wx_set_cause(cause,
			    "Authorization: unterminated value");
			return QUAN_EINVAL;
		}
		n = (size_t)(e - v);
#define KEY(s) (kl == sizeof(s) - 1 && memcmp(k, s, kl) == 0)
		if (KEY("mchid"))
			rc = put_field(out->mchid, sizeof out->mchid, v, n,
			    &seen[0], "mchid", cause);
		else if (KEY("brand_id"))
			rc = put_field(out->brand_id, sizeof out->brand_id, v,
			    n, &seen[5], "brand_id", cause);
		else if (KEY("nonce_str"))
			rc = put_field(out->nonce, sizeof out->nonce, v, n,
			    &seen[1], "nonce_str", cause);
		else if (KEY("timestamp"))
			rc = put_field(out->timestamp, sizeof out->timestamp, v,
			    n, &seen[2], "timestamp", cause);
		else if (KEY("serial_no"))
			rc = put_field(out->serial, sizeof out->serial, v, n,
			    &seen[3], "serial_no", cause);
		else if (KEY("signature"))
			rc = put_field(out->signature, sizeof out->signature, v,
			    n, &seen[4], "signature", cause);
		else {
			wx_set_cause(cause, "Authorization: unknown key '%.*s'",
			    (int)(kl > 32 ? 32 : kl), k);
			rc = QUAN_EINVAL;
		}
#undef KEY
		if (rc != 0)
			return rc;
		p = e + 1;
		while (*p == ' ')
			p++;
		if (*p == '\0')
			break;
		if (*p != ',') {
			wx_set_cause(cause, "Authorization: expected ','");
			return QUAN_EINVAL;
		}
		p++;
	}
	if (seen[0] && seen[5]) {
		wx_set_cause(cause, "Authorization: both mchid and brand_id");
		return QUAN_EINVAL;
	}
	if (seen[5])
		seen[0] = 1; /* the identity is there */
	if (!seen[0] || !seen[1] || !seen[2] || !seen[3] || !seen[4]) {
		wx_set_cause(cause, "Authorization: missing %s", !seen[0] ?
		    "mchid" : !seen[1] ? "nonce_str" : !seen[2] ? "timestamp" :
		    !seen[3] ? "serial_no" : "signature");
		return QUAN_EINVAL;
	}
	return QUAN_OK;
}

int
wx_auth_verify_as(enum wx_scheme scheme, const char *hdr,
    const struct wx_pub *p, const char *method, const char *url,
    const void *body, size_t body_len, int64_t now, struct wx_auth *out,
    char **message, char **cause)
{
	struct wx_auth a;
	char *msg;
	size_t mlen;
	int rc;

	if (message != NULL)
		*message = NULL;
	if (out == NULL)
		out = &a;
	if ((rc = wx_auth_parse(hdr, out, cause)) != 0)
		return rc;
	if (strcmp(out->schema, wx_scheme_schema(scheme)) != 0) {
		wx_set_cause(cause, "Authorization: unsupported schema '%s'",
		    out->schema);
		return QUAN_EINVAL;
	}
	if ((scheme == WX_SCHEME_BRAND ? out->brand_id : out->mchid)[0] ==
	    '\0') {
		wx_set_cause(cause, "Authorization: %s wants %s=",
		    out->schema, wx_scheme_id_key(scheme));
		return QUAN_EINVAL;
	}
	if ((rc = wx_check_timestamp(out->timestamp, now, cause)) != 0)
		return rc;
	msg = wx_req_message(method, url, out->timestamp, out->nonce, body,
	    body_len, &mlen);
	rc = wx_verify(p, msg, mlen, out->signature);
	if (rc != 0) {
		wx_set_cause(cause, "signature does not verify against the "
		    "%s certificate", scheme == WX_SCHEME_BRAND ? "brand" :
		    "merchant");
		if (message != NULL)
			*message = msg;
		else
			free(msg);
		return QUAN_EPROTO;
	}
	free(msg);
	return QUAN_OK;
}

int
wx_auth_verify(const char *hdr, const struct wx_pub *p, const char *method,
    const char *url, const void *body, size_t body_len, int64_t now,
    struct wx_auth *out, char **message, char **cause)
{
	return wx_auth_verify_as(WX_SCHEME_MERCHANT, hdr, p, method, url, body,
	    body_len, now, out, message, cause);
}

/* ---- response verification -------------------------------------------- */

static int
verify_resp_pk(EVP_PKEY *pk, const char *ts, const char *nonce,
    const char *sig, const void *body, size_t body_len, int64_t now,
    char **cause)
{
	char *msg;
	size_t mlen;
	int rc;

	if (ts == NULL || *ts == '\0') {
		wx_set_cause(cause, "missing Wechatpay-Timestamp");
		return QUAN_EPROTO;
	}
	if (nonce == NULL || *nonce == '\0') {
		wx_set_cause(cause, "missing Wechatpay-Nonce");
		return QUAN_EPROTO;
	}
	if (sig == NULL || *sig == '\0') {
		wx_set_cause(cause, "missing Wechatpay-Signature");
		return QUAN_EPROTO;
	}
	if ((rc = wx_check_timestamp(ts, now, cause)) != 0)
		return rc;
	if (wx_is_signtest(sig)) {
		wx_set_cause(cause,
		    "WECHATPAY/SIGNTEST/ probe signature: treated "
		    "as a verification failure");
		return QUAN_EPROTO;
	}
	msg = wx_resp_message(ts, nonce, body, body_len, &mlen);
	rc = verify_pk(pk, msg, mlen, sig);
	free(msg);
	if (rc != 0) {
		wx_set_cause(cause, "Wechatpay-Signature does not verify");
		return QUAN_EPROTO;
	}
	return QUAN_OK;
}

int
wx_verify_response(const struct wx_pub *p, const char *ts, const char *nonce,
    const char *sig, const void *body, size_t body_len, int64_t now,
    char **cause)
{
	return verify_resp_pk(p ? p->pk : NULL, ts, nonce, sig, body,
	    body_len, now, cause);
}

struct wx_trust *
wx_trust_new(void)
{
	struct wx_trust *t = xcalloc(1, sizeof *t);

	pthread_mutex_init(&t->mu, NULL);
	return t;
}

void
wx_trust_free(struct wx_trust *t)
{
	size_t i;

	if (t == NULL)
		return;
	for (i = 0; i < t->n; i++)
		EVP_PKEY_free(t->ents[i].pk);
	free(t->ents);
	pthread_mutex_destroy(&t->mu);
	free(t);
}

static int
trust_put(struct wx_trust *t, const char *serial, EVP_PKEY *pk, int64_t nb,
    int64_t na)
{
	struct trust_ent *e = NULL;
	size_t i;

	if (serial == NULL || *serial == '\0' ||
	    strlen(serial) >= WX_SERIAL_MAX) {
		EVP_PKEY_free(pk);
		return QUAN_EINVAL;
	}
	pthread_mutex_lock(&t->mu);
	for (i = 0; i < t->n; i++)
		if (strcmp(t->ents[i].serial, serial) == 0) {
			e = &t->ents[i];
			EVP_PKEY_free(e->pk);
			break;
		}
	if (e == NULL) {
		if (t->n == t->cap) {
			t->cap = t->cap ? 2 * t->cap : 4;
			t->ents = xrealloc(t->ents, t->cap * sizeof *t->ents);
		}
		e = &t->ents[t->n++];
		snprintf(e->serial, sizeof e->serial, "%s", serial);
	}
	e->pk = pk;
	e->not_before = nb;
	e->not_after = na;
	pthread_mutex_unlock(&t->mu);
	return QUAN_OK;
}

int
wx_trust_add_pub(struct wx_trust *t, const char *serial,
    const struct wx_pub *p)
{
	if (p == NULL || !EVP_PKEY_up_ref(p->pk))
		return QUAN_EINVAL;
	return trust_put(t, serial, p->pk, INT64_MIN, INT64_MAX);
}

int
wx_trust_add_cert(struct wx_trust *t, const struct wx_cert *c)
{
	EVP_PKEY *pk = X509_get_pubkey(c->x);

	if (pk == NULL) {
		ERR_clear_error();
		return QUAN_EINVAL;
	}
	return trust_put(t, c->serial, pk, c->not_before, c->not_after);
}

/* The key for serial, referenced (caller frees), or NULL. */
static EVP_PKEY *
trust_get(struct wx_trust *t, const char *serial, int64_t now)
{
	EVP_PKEY *pk = NULL;
	size_t i;

	if (serial == NULL)
		return NULL;
	pthread_mutex_lock(&t->mu);
	for (i = 0; i < t->n; i++) {
		struct trust_ent *e = &t->ents[i];
		if (strcmp(e->serial, serial) != 0)
			continue;
		if (now >= e->not_before && now <= e->not_after &&
		    EVP_PKEY_up_ref(e->pk))
			pk = e->pk;
		break;
	}
	pthread_mutex_unlock(&t->mu);
	return pk;
}

int
wx_trust_has(struct wx_trust *t, const char *serial, int64_t now)
{
	EVP_PKEY *pk = trust_get(t, serial, now);

	EVP_PKEY_free(pk);
	return pk != NULL;
}

size_t
wx_trust_count(struct wx_trust *t)
{
	size_t n;

	pthread_mutex_lock(&t->mu);
	n = t->n;
	pthread_mutex_unlock(&t->mu);
	return n;
}

int
wx_trust_verify(struct wx_trust *t, const char *serial, const char *ts,
    const char *nonce, const char *sig, const void *body, size_t body_len,
    int64_t now, char **cause)
{
	EVP_PKEY *pk;
	int rc;

	if (serial == NULL || *serial == '\0') {
		wx_set_cause(cause, "missing Wechatpay-Serial");
		return QUAN_EPROTO;
	}
	pk = trust_get(t, serial, now);
	if (pk == NULL) {
		wx_set_cause(cause,
		    "unknown or expired Wechatpay-Serial '%.64s'",
		    serial);
		return QUAN_ENOTFOUND;
	}
	rc = verify_resp_pk(pk, ts, nonce, sig, body, body_len, now, cause);
	EVP_PKEY_free(pk);
	return rc;
}
