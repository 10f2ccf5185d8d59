/*
 * wxsign_cert.c — X.509 certificates for wxsign.h: load, serial,
 * validity and issuer checks, PEM, save, and making a certificate (the
 * simulator's platform certificates, tests).
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

/* ---- certificates ----------------------------------------------------- */

static int64_t
asn1_time_epoch(const ASN1_TIME *t)
{
	struct tm tm;

	memset(&tm, 0, sizeof tm);
	if (t == NULL || !ASN1_TIME_to_tm(t, &tm))
		return 0;
	return (int64_t)timegm(&tm);
}

static int
cert_wrap(X509 *x, struct wx_cert **out, char **cause)
{
	struct wx_cert *c;
	BIGNUM *bn;
	char *hex;
	BIO *b;

	bn = ASN1_INTEGER_to_BN(X509_get0_serialNumber(x), NULL);
	hex = bn ? BN_bn2hex(bn) : NULL;
	BN_free(bn);
	if (hex == NULL || strlen(hex) >= WX_SERIAL_MAX || hex[0] == '-') {
		wx_set_cause(cause, "certificate serial unusable");
		OPENSSL_free(hex);
		X509_free(x);
		return QUAN_EINVAL;
	}
	c = xcalloc(1, sizeof *c);
	c->x = x;
	snprintf(c->serial, sizeof c->serial, "%s", hex);
	OPENSSL_free(hex);
	c->not_before = asn1_time_epoch(X509_get0_notBefore(x));
	c->not_after = asn1_time_epoch(X509_get0_notAfter(x));
	b = BIO_new(BIO_s_mem());
	if (b != NULL && X509_NAME_print_ex(b, X509_get_subject_name(x), 0,
	    XN_FLAG_RFC2253) >= 0)
		c->subject = wx_bio_take(b);
	else {
		BIO_free(b);
		c->subject = xstrdup("");
	}
	*out = c;
	return QUAN_OK;
}

int
wx_cert_load_pem(const char *pem, size_t n, struct wx_cert **out,
    char **cause)
{
	BIO *b;
	X509 *x;

	*out = NULL;
	if (pem == NULL || n == 0 || n > INT_MAX) {
		wx_set_cause(cause, "empty certificate");
		return QUAN_EINVAL;
	}
	b = BIO_new_mem_buf(pem, (int)n);
	if (b == NULL)
		return QUAN_ENOMEM;
	x = PEM_read_bio_X509(b, NULL, wx_no_password, NULL);
	BIO_free(b);
	if (x == NULL) {
		wx_set_cause(cause, "not a PEM certificate: %s", wx_ossl_err());
		return QUAN_EINVAL;
	}
	return cert_wrap(x, out, cause);
}

int
wx_cert_load_file(const char *path, struct wx_cert **out, char **cause)
{
	char *pem = NULL, *c2 = NULL;
	size_t n = 0;
	int rc;

	*out = NULL;
	if ((rc = wx_read_file(path, PEM_MAX, &pem, &n, cause)) != 0)
		return rc;
	rc = wx_cert_load_pem(pem, n, out, &c2);
	free(pem);
	if (rc != 0)
		wx_set_cause(cause, "%s: %s", path,
		    c2 ? c2 : "bad certificate");
	free(c2);
	return rc;
}

void
wx_cert_free(struct wx_cert *c)
{
	if (c == NULL)
		return;
	X509_free(c->x);
	free(c->subject);
	free(c);
}

const char *
wx_cert_serial(const struct wx_cert *c)
{
	return c->serial;
}

int64_t
wx_cert_not_before(const struct wx_cert *c)
{
	return c->not_before;
}

int64_t
wx_cert_not_after(const struct wx_cert *c)
{
	return c->not_after;
}

const char *
wx_cert_subject(const struct wx_cert *c)
{
	return c->subject;
}

int
wx_cert_check_time(const struct wx_cert *c, int64_t now, char **cause)
{
	if (now < c->not_before) {
		wx_set_cause(cause, "certificate %s not valid before %lld",
		    c->serial, (long long)c->not_before);
		return QUAN_EPROTO;
	}
	if (now > c->not_after) {
		wx_set_cause(cause, "certificate %s expired at %lld", c->serial,
		    (long long)c->not_after);
		return QUAN_EPROTO;
	}
	return QUAN_OK;
}

int
wx_cert_check_issuer(const struct wx_cert *c, const struct wx_cert *issuer)
{
	EVP_PKEY *pk = X509_get0_pubkey(issuer->x);
	int ok = pk != NULL && X509_verify(c->x, pk) == 1;

	ERR_clear_error();
	return ok ? QUAN_OK : QUAN_EPROTO;
}

char *
wx_cert_pem(const struct wx_cert *c)
{
	BIO *b = BIO_new(BIO_s_mem());

	if (b == NULL || !PEM_write_bio_X509(b, c->x)) {
		BIO_free(b);
		return NULL;
	}
	return wx_bio_take(b);
}

int
wx_cert_save(const struct wx_cert *c, const char *path, char **cause)
{
	char *pem = wx_cert_pem(c);
	int rc;

	if (pem == NULL) {
		wx_set_cause(cause, "cannot encode certificate");
		return QUAN_EIO;
	}
	rc = wx_write_file(path, pem, strlen(pem), 0644, cause);
	free(pem);
	return rc;
}

static int
add_ext(X509 *x, X509V3_CTX *ctx, int nid, const char *value)
{
	X509_EXTENSION *e = X509V3_EXT_conf_nid(NULL, ctx, nid, value);
	int ok;

	if (e == NULL)
		return 0;
	ok = X509_add_ext(x, e, -1);
	X509_EXTENSION_free(e);
	return ok;
}

int
wx_cert_make(const struct wx_cert_spec *spec,
    const struct wx_key *subject_key, const struct wx_cert *issuer,
    const struct wx_key *issuer_key, struct wx_cert **out, char **cause)
{
	X509 *x = NULL;
	X509_NAME *name;
	BIGNUM *bn = NULL;
	X509V3_CTX ctx;
	struct buf san;
	int64_t nb, na;
	size_t i;

	*out = NULL;
	buf_init(&san, 4096);
	if (spec == NULL || spec->cn == NULL || subject_key == NULL ||
	    (issuer == NULL) != (issuer_key == NULL)) {
		wx_set_cause(cause, "wx_cert_make: bad arguments");
		return QUAN_EINVAL;
	}
	x = X509_new();
	if (x == NULL || !X509_set_version(x, 2))
		goto ossl;
	if (spec->serial_hex != NULL) {
		int l = BN_hex2bn(&bn, spec->serial_hex);
		if (l <= 0 || strlen(spec->serial_hex) != (size_t)l) {
			wx_set_cause(cause, "bad serial hex '%s'",
			    spec->serial_hex);
			goto fail;
		}
	} else {
		uint8_t r[20];
		if (crypto_random(r, sizeof r) != 0)
			goto ossl;
		r[0] &= 0x7f;
		r[0] |= 0x10;
		bn = BN_bin2bn(r, sizeof r, NULL);
	}
	if (bn == NULL ||
	    BN_to_ASN1_INTEGER(bn, X509_get_serialNumber(x)) == NULL)
		goto ossl;
	nb = spec->not_before ? spec->not_before : tm_now() - 86400;
	na = spec->not_after ? spec->not_after : nb + 10LL * 366 * 86400;
	if (ASN1_TIME_set(X509_getm_notBefore(x), (time_t)nb) == NULL ||
	    ASN1_TIME_set(X509_getm_notAfter(x), (time_t)na) == NULL)
		goto ossl;
	name = X509_get_subject_name(x);
	if (!X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8,
	    (const unsigned char *)spec->cn, -1, -1, 0))
		goto ossl;
	if (spec->org != NULL && !X509_NAME_add_entry_by_txt(name, "O",
	    MBSTRING_UTF8, (const unsigned char *)spec->org, -1, -1, 0))
		goto ossl;
	if (!X509_set_issuer_name(x, issuer ? X509_get_subject_name(issuer->x)
	    : name))
		goto ossl;
	if (!X509_set_pubkey(x, subject_key->pk))
		goto ossl;
	X509V3_set_ctx(&ctx, issuer ? issuer->x : x, x, NULL, NULL, 0);
	if (!add_ext(x, &ctx, NID_basic_constraints,
	    spec->is_ca ? "critical,CA:TRUE" : "critical,CA:FALSE"))
		goto ossl;
	if (!add_ext(x, &ctx, NID_key_usage, spec->is_ca ?
	    "critical,keyCertSign,cRLSign,digitalSignature" :
	    "critical,digitalSignature,keyEncipherment"))
		goto ossl;
	if (!add_ext(x, &ctx, NID_subject_key_identifier, "hash"))
		goto ossl;
	if (issuer != NULL &&
	    !add_ext(x, &ctx, NID_authority_key_identifier, "keyid:always"))
		goto ossl;
	if (spec->server &&
	    !add_ext(x, &ctx, NID_ext_key_usage, "serverAuth"))
		goto ossl;
	for (i = 0; spec->dns != NULL && spec->dns[i] != NULL; i++)
		buf_printf(&san, "%sDNS:%s", san.len ? "," : "", spec->dns[i]);
	for (i = 0; spec->ip != NULL && spec->ip[i] != NULL; i++)
		buf_printf(&san, "%sIP:%s", san.len ? "," : "", spec->ip[i]);
	if (san.len > 0 && !add_ext(x, &ctx, NID_subject_alt_name,
	    buf_str(&san)))
		goto ossl;
	if (X509_sign(x, issuer_key ? issuer_key->pk : subject_key->pk,
	    EVP_sha256()) <= 0)
		goto ossl;
	BN_free(bn);
	buf_free(&san);
	return cert_wrap(x, out, cause);
ossl:
	wx_set_cause(cause, "certificate generation failed: %s", wx_ossl_err());
fail:
	BN_free(bn);
	X509_free(x);
	buf_free(&san);
	return QUAN_EINVAL;
}
