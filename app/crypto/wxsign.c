/*
 * wxsign.c — WeChat Pay APIv3 cryptography over OpenSSL 3: keys, X.509,
 * SHA256withRSA, the Authorization header, response verification, AES-GCM
 * and certificate generation. See wxsign.h for the contract.
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
#include "util/buf.h"
#include "util/err.h"
#include "util/tm.h"
#include "util/xmem.h"

#define SECRET_FILE_MAX (64 * 1024)
#define PEM_MAX (256 * 1024)

struct wx_key {
	EVP_PKEY *pk;
};

struct wx_pub {
	EVP_PKEY *pk;
};

struct wx_cert {
	X509 *x;
	char serial[WX_SERIAL_MAX];
	char *subject;
	int64_t not_before;
	int64_t not_after;
};

struct trust_ent {
	char serial[WX_SERIAL_MAX];
	EVP_PKEY *pk;
	int64_t not_before; /* 0/INT64_MAX for bare keys */
	int64_t not_after;
};

struct wx_trust {
	pthread_mutex_t mu;
	struct trust_ent *ents;
	size_t n, cap;
};

static void
set_cause(char **cause, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void
set_cause(char **cause, const char *fmt, ...)
{
	va_list ap;
	char tmp[512];

	if (cause == NULL)
		return;
	va_start(ap, fmt);
	vsnprintf(tmp, sizeof tmp, fmt, ap);
	va_end(ap);
	free(*cause);
	*cause = xstrdup(tmp);
}

/* The last OpenSSL error as text (static per thread), queue cleared. */
static const char *
ossl_err(void)
{
	static _Thread_local char tmp[256];
	unsigned long e = ERR_peek_last_error();

	if (e == 0)
		snprintf(tmp, sizeof tmp, "unknown error");
	else
		ERR_error_string_n(e, tmp, sizeof tmp);
	ERR_clear_error();
	return tmp;
}

/* ---- base64 ----------------------------------------------------------- */

static const char b64chars[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

char *
wx_b64_encode(const void *p, size_t n)
{
	const uint8_t *s = p;
	size_t i, o = 0;
	char *out = xmalloc(4 * ((n + 2) / 3) + 1);

	for (i = 0; i + 2 < n; i += 3) {
		uint32_t v = (uint32_t)s[i] << 16 | (uint32_t)s[i + 1] << 8 |
		    s[i + 2];
		out[o++] = b64chars[v >> 18];
		out[o++] = b64chars[(v >> 12) & 63];
		out[o++] = b64chars[(v >> 6) & 63];
		out[o++] = b64chars[v & 63];
	}
	if (i < n) {
		uint32_t v = (uint32_t)s[i] << 16;
		if (i + 1 < n)
			v |= (uint32_t)s[i + 1] << 8;
		out[o++] = b64chars[v >> 18];
		out[o++] = b64chars[(v >> 12) & 63];
		out[o++] = i + 1 < n ? b64chars[(v >> 6) & 63] : '=';
		out[o++] = '=';
	}
	out[o] = '\0';
	return out;
}

static int
b64val(int c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '+')
		return 62;
	if (c == '/')
		return 63;
	return -1;
}

int
wx_b64_decode(const char *s, size_t n, uint8_t **out, size_t *outlen)
{
	size_t i, o = 0, pad = 0;
	uint8_t *d;

	*out = NULL;
	*outlen = 0;
	if (s == NULL || n % 4 != 0)
		return QUAN_EINVAL;
	if (n > 0 && s[n - 1] == '=')
		pad++;
	if (n > 1 && s[n - 2] == '=')
		pad++;
	d = xmalloc(n / 4 * 3 + 1);
	for (i = 0; i < n; i += 4) {
		int v[4], k;
		uint32_t w;
		int last = i + 4 == n;

		for (k = 0; k < 4; k++) {
			int c = (unsigned char)s[i + k];
			if (last && c == '=' && k >= 4 - (int)pad)
				v[k] = 0;
			else if ((v[k] = b64val(c)) < 0)
				goto bad;
		}
		w = (uint32_t)v[0] << 18 | (uint32_t)v[1] << 12 |
		    (uint32_t)v[2] << 6 | (uint32_t)v[3];
		d[o++] = (uint8_t)(w >> 16);
		if (!last || pad < 2)
			d[o++] = (uint8_t)(w >> 8);
		if (!last || pad < 1)
			d[o++] = (uint8_t)w;
		/* Canonical form: the bits under the padding must be zero. */
		if (last && pad == 2 && (v[1] & 15) != 0)
			goto bad;
		if (last && pad == 1 && (v[2] & 3) != 0)
			goto bad;
	}
	d[o] = 0;
	*out = d;
	*outlen = o;
	return QUAN_OK;
bad:
	free(d);
	return QUAN_EINVAL;
}

int
wx_nonce(char out[WX_NONCE_LEN + 1])
{
	static const char hx[] = "0123456789ABCDEF";
	uint8_t r[WX_NONCE_LEN / 2];
	size_t i;

	if (crypto_random(r, sizeof r) != QUAN_OK)
		return QUAN_EIO;
	for (i = 0; i < sizeof r; i++) {
		out[2 * i] = hx[r[i] >> 4];
		out[2 * i + 1] = hx[r[i] & 15];
	}
	out[WX_NONCE_LEN] = '\0';
	return QUAN_OK;
}

/* ---- files ------------------------------------------------------------ */

int
wx_secret_check_mode(const char *path, char **cause)
{
	struct stat st;

	if (stat(path, &st) != 0) {
		set_cause(cause, "%s: %s", path, strerror(errno));
		return errno == ENOENT ? QUAN_ENOTFOUND : QUAN_EIO;
	}
	if (!S_ISREG(st.st_mode)) {
		set_cause(cause, "%s: not a regular file", path);
		return QUAN_EPERM;
	}
	if ((st.st_mode & 077) != 0) {
		set_cause(cause, "%s: secret file is readable by group/other "
		    "(mode %04o); refusing it: run chmod 600 %s", path,
		    (unsigned)(st.st_mode & 07777), path);
		return QUAN_EPERM;
	}
	return QUAN_OK;
}

/* Read a whole file up to max bytes into a new NUL-terminated buffer. */
static int
read_file(const char *path, size_t max, char **out, size_t *len,
    char **cause)
{
	FILE *f;
	char *b;
	size_t n;

	*out = NULL;
	f = fopen(path, "rb");
	if (f == NULL) {
		set_cause(cause, "%s: %s", path, strerror(errno));
		return errno == ENOENT ? QUAN_ENOTFOUND : QUAN_EIO;
	}
	b = xmalloc(max + 2);
	n = fread(b, 1, max + 1, f);
	if (ferror(f)) {
		set_cause(cause, "%s: read error", path);
		fclose(f);
		free(b);
		return QUAN_EIO;
	}
	fclose(f);
	if (n > max) {
		set_cause(cause, "%s: larger than %zu bytes", path, max);
		free(b);
		return QUAN_ETOOBIG;
	}
	b[n] = '\0';
	*out = b;
	*len = n;
	return QUAN_OK;
}

void
wx_wipe_free(char *s)
{
	if (s == NULL)
		return;
	OPENSSL_cleanse(s, strlen(s));
	free(s);
}

int
wx_secret_read(const char *path, size_t max, char **out, char **cause)
{
	char *b;
	size_t n;
	int rc;

	*out = NULL;
	if ((rc = wx_secret_check_mode(path, cause)) != 0)
		return rc;
	if ((rc = read_file(path, max + 64, &b, &n, cause)) != 0)
		return rc;
	while (n > 0 && (b[n - 1] == '\n' || b[n - 1] == '\r' ||
	    b[n - 1] == ' ' || b[n - 1] == '\t'))
		b[--n] = '\0';
	if (n > max) {
		set_cause(cause, "%s: secret longer than %zu bytes", path, max);
		OPENSSL_cleanse(b, n);
		free(b);
		return QUAN_ETOOBIG;
	}
	*out = b;
	return QUAN_OK;
}

int
wx_apiv3_key_load(const char *path, uint8_t key[WX_APIV3_KEY_LEN],
    char **cause)
{
	char *s;
	int rc;

	if ((rc = wx_secret_read(path, 1024, &s, cause)) != 0)
		return rc;
	if (strlen(s) != WX_APIV3_KEY_LEN) {
		set_cause(cause, "%s: the APIv3 key must be exactly %d "
		    "characters (got %zu)", path, WX_APIV3_KEY_LEN, strlen(s));
		wx_wipe_free(s);
		return QUAN_EINVAL;
	}
	memcpy(key, s, WX_APIV3_KEY_LEN);
	wx_wipe_free(s);
	return QUAN_OK;
}

/* Write data to path atomically (temp file in the same folder, fsync,
 * rename) with the given mode. */
static int
write_file(const char *path, const char *data, size_t n, mode_t mode,
    char **cause)
{
	char *tmp = xasprintf("%s.tmp.%ld", path, (long)getpid());
	int fd, rc = QUAN_EIO;
	size_t off = 0;

	unlink(tmp);
	fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);
	if (fd < 0) {
		set_cause(cause, "%s: %s", tmp, strerror(errno));
		free(tmp);
		return QUAN_EIO;
	}
	if (fchmod(fd, mode) != 0)
		goto fail;
	while (off < n) {
		ssize_t w = write(fd, data + off, n - off);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			goto fail;
		}
		off += (size_t)w;
	}
	if (fsync(fd) != 0)
		goto fail;
	if (close(fd) != 0) {
		fd = -1;
		goto fail;
	}
	fd = -1;
	if (rename(tmp, path) != 0)
		goto fail;
	free(tmp);
	return QUAN_OK;
fail:
	set_cause(cause, "%s: %s", path, strerror(errno));
	if (fd >= 0)
		close(fd);
	unlink(tmp);
	free(tmp);
	return rc;
}

/* ---- keys ------------------------------------------------------------- */

/* Refuse encrypted PEMs instead of prompting on the terminal. */
static int
no_password(char *buf, int size, int rwflag, void *u)
{
	(void)buf;
	(void)size;
	(void)rwflag;
	(void)u;
	return -1;
}

static int
check_rsa(EVP_PKEY *pk, char **cause)
{
	if (!EVP_PKEY_is_a(pk, "RSA")) {
		set_cause(cause, "not an RSA key");
		return QUAN_EINVAL;
	}
	if (EVP_PKEY_get_bits(pk) < 2048) {
		set_cause(cause, "RSA key of %d bits; at least 2048 required",
		    EVP_PKEY_get_bits(pk));
		return QUAN_EINVAL;
	}
	return QUAN_OK;
}

int
wx_key_load_pem(const char *pem, size_t n, struct wx_key **out,
    char **cause)
{
	BIO *b;
	EVP_PKEY *pk;
	int rc;

	*out = NULL;
	if (pem == NULL || n == 0 || n > INT_MAX) {
		set_cause(cause, "empty private key");
		return QUAN_EINVAL;
	}
	b = BIO_new_mem_buf(pem, (int)n);
	if (b == NULL)
		return QUAN_ENOMEM;
	pk = PEM_read_bio_PrivateKey(b, NULL, no_password, NULL);
	BIO_free(b);
	if (pk == NULL) {
		set_cause(cause, "not a PEM private key (PKCS#8 or PKCS#1, "
		    "unencrypted): %s", ossl_err());
		return QUAN_EINVAL;
	}
	if ((rc = check_rsa(pk, cause)) != 0) {
		EVP_PKEY_free(pk);
		return rc;
	}
	*out = xcalloc(1, sizeof **out);
	(*out)->pk = pk;
	return QUAN_OK;
}

int
wx_key_load_file(const char *path, struct wx_key **out, char **cause)
{
	char *pem = NULL, *c2 = NULL;
	size_t n = 0;
	int rc;

	*out = NULL;
	if ((rc = wx_secret_check_mode(path, cause)) != 0)
		return rc;
	if ((rc = read_file(path, PEM_MAX, &pem, &n, cause)) != 0)
		return rc;
	rc = wx_key_load_pem(pem, n, out, &c2);
	OPENSSL_cleanse(pem, n);
	free(pem);
	if (rc != 0)
		set_cause(cause, "%s: %s", path, c2 ? c2 : "bad key");
	free(c2);
	return rc;
}

int
wx_key_generate(int bits, struct wx_key **out)
{
	EVP_PKEY *pk;

	*out = NULL;
	if (bits < 2048)
		return QUAN_EINVAL;
	pk = EVP_RSA_gen((unsigned int)bits);
	if (pk == NULL)
		return QUAN_EIO;
	*out = xcalloc(1, sizeof **out);
	(*out)->pk = pk;
	return QUAN_OK;
}

void
wx_key_free(struct wx_key *k)
{
	if (k == NULL)
		return;
	EVP_PKEY_free(k->pk);
	free(k);
}

/* The content of a memory BIO as a new string; frees the BIO. */
static char *
bio_take(BIO *b)
{
	char *p, *s;
	long n = BIO_get_mem_data(b, &p);

	s = xstrndup(p, n > 0 ? (size_t)n : 0);
	BIO_free(b);
	return s;
}

char *
wx_key_pem(const struct wx_key *k)
{
	BIO *b = BIO_new(BIO_s_mem());
	BUF_MEM *bm;
	char *s;

	if (b == NULL || !PEM_write_bio_PrivateKey(b, k->pk, NULL, NULL, 0,
	    NULL, NULL)) {
		BIO_free(b);
		return NULL;
	}
	BIO_get_mem_ptr(b, &bm);
	s = xstrndup(bm->data, bm->length);
	OPENSSL_cleanse(bm->data, bm->length);
	BIO_free(b);
	return s;
}

int
wx_key_save(const struct wx_key *k, const char *path, char **cause)
{
	char *pem = wx_key_pem(k);
	int rc;

	if (pem == NULL) {
		set_cause(cause, "cannot encode key: %s", ossl_err());
		return QUAN_EIO;
	}
	rc = write_file(path, pem, strlen(pem), 0600, cause);
	wx_wipe_free(pem);
	return rc;
}

/* ---- public keys ------------------------------------------------------ */

static struct wx_pub *
pub_wrap(EVP_PKEY *pk)
{
	struct wx_pub *p = xcalloc(1, sizeof *p);

	p->pk = pk;
	return p;
}

int
wx_pub_load_pem(const char *pem, size_t n, struct wx_pub **out,
    char **cause)
{
	BIO *b;
	EVP_PKEY *pk;
	int rc;

	*out = NULL;
	if (pem == NULL || n == 0 || n > INT_MAX) {
		set_cause(cause, "empty public key");
		return QUAN_EINVAL;
	}
	b = BIO_new_mem_buf(pem, (int)n);
	if (b == NULL)
		return QUAN_ENOMEM;
	pk = PEM_read_bio_PUBKEY(b, NULL, no_password, NULL);
	if (pk == NULL) {
		/* PKCS#1 "RSA PUBLIC KEY" through the generic decoder. */
		OSSL_DECODER_CTX *dc;

		ERR_clear_error();
		(void)BIO_reset(b);
		dc = OSSL_DECODER_CTX_new_for_pkey(&pk, "PEM", NULL, "RSA",
		    EVP_PKEY_PUBLIC_KEY, NULL, NULL);
		if (dc == NULL || !OSSL_DECODER_from_bio(dc, b))
			pk = NULL;
		OSSL_DECODER_CTX_free(dc);
	}
	BIO_free(b);
	if (pk == NULL) {
		set_cause(cause, "not a PEM public key: %s", ossl_err());
		return QUAN_EINVAL;
	}
	if ((rc = check_rsa(pk, cause)) != 0) {
		EVP_PKEY_free(pk);
		return rc;
	}
	*out = pub_wrap(pk);
	return QUAN_OK;
}

int
wx_pub_load_file(const char *path, struct wx_pub **out, char **cause)
{
	char *pem = NULL, *c2 = NULL;
	size_t n = 0;
	int rc;

	*out = NULL;
	if ((rc = read_file(path, PEM_MAX, &pem, &n, cause)) != 0)
		return rc;
	rc = wx_pub_load_pem(pem, n, out, &c2);
	free(pem);
	if (rc != 0)
		set_cause(cause, "%s: %s", path, c2 ? c2 : "bad public key");
	free(c2);
	return rc;
}

/* A public-only copy of pk (DER round trip strips private parts). */
static EVP_PKEY *
pub_copy(EVP_PKEY *pk)
{
	unsigned char *der = NULL;
	const unsigned char *q;
	EVP_PKEY *r;
	int n = i2d_PUBKEY(pk, &der);

	if (n <= 0)
		return NULL;
	q = der;
	r = d2i_PUBKEY(NULL, &q, n);
	OPENSSL_free(der);
	return r;
}

int
wx_pub_from_key(const struct wx_key *k, struct wx_pub **out)
{
	EVP_PKEY *pk = pub_copy(k->pk);

	*out = NULL;
	if (pk == NULL)
		return QUAN_EINVAL;
	*out = pub_wrap(pk);
	return QUAN_OK;
}

int
wx_pub_from_cert(const struct wx_cert *c, struct wx_pub **out)
{
	EVP_PKEY *pk = X509_get_pubkey(c->x);

	*out = NULL;
	if (pk == NULL) {
		ERR_clear_error();
		return QUAN_EINVAL;
	}
	if (check_rsa(pk, NULL) != 0) {
		EVP_PKEY_free(pk);
		return QUAN_EINVAL;
	}
	*out = pub_wrap(pk);
	return QUAN_OK;
}

void
wx_pub_free(struct wx_pub *p)
{
	if (p == NULL)
		return;
	EVP_PKEY_free(p->pk);
	free(p);
}

char *
wx_pub_pem(const struct wx_pub *p)
{
	BIO *b = BIO_new(BIO_s_mem());

	if (b == NULL || !PEM_write_bio_PUBKEY(b, p->pk)) {
		BIO_free(b);
		return NULL;
	}
	return bio_take(b);
}

int
wx_pub_save(const struct wx_pub *p, const char *path, char **cause)
{
	char *pem = wx_pub_pem(p);
	int rc;

	if (pem == NULL) {
		set_cause(cause, "cannot encode public key");
		return QUAN_EIO;
	}
	rc = write_file(path, pem, strlen(pem), 0644, cause);
	free(pem);
	return rc;
}

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
		set_cause(cause, "certificate serial unusable");
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
		c->subject = bio_take(b);
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
		set_cause(cause, "empty certificate");
		return QUAN_EINVAL;
	}
	b = BIO_new_mem_buf(pem, (int)n);
	if (b == NULL)
		return QUAN_ENOMEM;
	x = PEM_read_bio_X509(b, NULL, no_password, NULL);
	BIO_free(b);
	if (x == NULL) {
		set_cause(cause, "not a PEM certificate: %s", ossl_err());
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
	if ((rc = read_file(path, PEM_MAX, &pem, &n, cause)) != 0)
		return rc;
	rc = wx_cert_load_pem(pem, n, out, &c2);
	free(pem);
	if (rc != 0)
		set_cause(cause, "%s: %s", path, c2 ? c2 : "bad certificate");
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
		set_cause(cause, "certificate %s not valid before %lld",
		    c->serial, (long long)c->not_before);
		return QUAN_EPROTO;
	}
	if (now > c->not_after) {
		set_cause(cause, "certificate %s expired at %lld", c->serial,
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
	return bio_take(b);
}

int
wx_cert_save(const struct wx_cert *c, const char *path, char **cause)
{
	char *pem = wx_cert_pem(c);
	int rc;

	if (pem == NULL) {
		set_cause(cause, "cannot encode certificate");
		return QUAN_EIO;
	}
	rc = write_file(path, pem, strlen(pem), 0644, cause);
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
		set_cause(cause, "wx_cert_make: bad arguments");
		return QUAN_EINVAL;
	}
	x = X509_new();
	if (x == NULL || !X509_set_version(x, 2))
		goto ossl;
	if (spec->serial_hex != NULL) {
		int l = BN_hex2bn(&bn, spec->serial_hex);
		if (l <= 0 || strlen(spec->serial_hex) != (size_t)l) {
			set_cause(cause, "bad serial hex '%s'",
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
	set_cause(cause, "certificate generation failed: %s", ossl_err());
fail:
	BN_free(bn);
	X509_free(x);
	buf_free(&san);
	return QUAN_EINVAL;
}

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
		set_cause(cause, "timestamp missing or too long");
		return QUAN_EPROTO;
	}
	for (i = 0; i < n; i++) {
		if (ts[i] < '0' || ts[i] > '9') {
			set_cause(cause, "timestamp '%.24s' is not a number",
			    ts);
			return QUAN_EPROTO;
		}
		v = v * 10 + (ts[i] - '0');
	}
	d = now > v ? now - v : v - now;
	if (d >= WX_MAX_SKEW_S) {
		set_cause(cause, "timestamp %lld is %lld s away from our clock "
		    "%lld (limit %d s): stale or clock skew", (long long)v,
		    (long long)d, (long long)now, WX_MAX_SKEW_S - 1);
		return QUAN_ECLOCK;
	}
	return QUAN_OK;
}

/* ---- Authorization ---------------------------------------------------- */

char *
wx_auth_format(const char *schema, const char *mchid, const char *nonce,
    const char *ts, const char *serial, const char *sig)
{
	return xasprintf("%s mchid=\"%s\",nonce_str=\"%s\",timestamp=\"%s\","
	    "serial_no=\"%s\",signature=\"%s\"", schema, mchid, nonce, ts,
	    serial, sig);
}

int
wx_auth_header(const struct wx_key *k, const char *mchid,
    const char *serial, const char *method, const char *url,
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
	*out = wx_auth_format(WX_AUTH_SCHEMA, mchid, nonce, ts, serial, sig);
	free(sig);
	return QUAN_OK;
}

static int
put_field(char *dst, size_t cap, const char *v, size_t n, int *seen,
    const char *key, char **cause)
{
	if (*seen) {
		set_cause(cause, "Authorization: duplicate %s", key);
		return QUAN_EINVAL;
	}
	if (n >= cap) {
		set_cause(cause, "Authorization: %s too long", key);
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
	int seen[5] = { 0 };
	const char *p, *sp;
	size_t n;
	int rc;

	memset(out, 0, sizeof *out);
	if (hdr == NULL || *hdr == '\0') {
		set_cause(cause, "Authorization header missing");
		return QUAN_EINVAL;
	}
	if (strlen(hdr) > 4096) {
		set_cause(cause, "Authorization header too long");
		return QUAN_EINVAL;
	}
	sp = strchr(hdr, ' ');
	if (sp == NULL || sp == hdr) {
		set_cause(cause, "Authorization: no schema");
		return QUAN_EINVAL;
	}
	if ((size_t)(sp - hdr) >= sizeof out->schema) {
		set_cause(cause, "Authorization: schema too long");
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
			set_cause(cause,
			    "Authorization: expected key=\"value\"");
			return QUAN_EINVAL;
		}
		v = p + 2;
		e = strchr(v, '"');
		if (e == NULL) {
			set_cause(cause, "Authorization: unterminated value");
			return QUAN_EINVAL;
		}
		n = (size_t)(e - v);
#define KEY(s) (kl == sizeof(s) - 1 && memcmp(k, s, kl) == 0)
		if (KEY("mchid"))
			rc = put_field(out->mchid, sizeof out->mchid, v, n,
			    &seen[0], "mchid", cause);
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
			set_cause(cause, "Authorization: unknown key '%.*s'",
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
			set_cause(cause, "Authorization: expected ','");
			return QUAN_EINVAL;
		}
		p++;
	}
	if (!seen[0] || !seen[1] || !seen[2] || !seen[3] || !seen[4]) {
		set_cause(cause, "Authorization: missing %s", !seen[0] ?
		    "mchid" : !seen[1] ? "nonce_str" : !seen[2] ? "timestamp" :
		    !seen[3] ? "serial_no" : "signature");
		return QUAN_EINVAL;
	}
	return QUAN_OK;
}

int
wx_auth_verify(const char *hdr, const struct wx_pub *p, const char *method,
    const char *url, const void *body, size_t body_len, int64_t now,
    struct wx_auth *out, char **message, char **cause)
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
	if (strcmp(out->schema, WX_AUTH_SCHEMA) != 0) {
		set_cause(cause, "Authorization: unsupported schema '%s'",
		    out->schema);
		return QUAN_EINVAL;
	}
	if ((rc = wx_check_timestamp(out->timestamp, now, cause)) != 0)
		return rc;
	msg = wx_req_message(method, url, out->timestamp, out->nonce, body,
	    body_len, &mlen);
	rc = wx_verify(p, msg, mlen, out->signature);
	if (rc != 0) {
		set_cause(cause, "signature does not verify against the "
		    "merchant certificate");
		if (message != NULL)
			*message = msg;
		else
			free(msg);
		return QUAN_EPROTO;
	}
	free(msg);
	return QUAN_OK;
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
		set_cause(cause, "missing Wechatpay-Timestamp");
		return QUAN_EPROTO;
	}
	if (nonce == NULL || *nonce == '\0') {
		set_cause(cause, "missing Wechatpay-Nonce");
		return QUAN_EPROTO;
	}
	if (sig == NULL || *sig == '\0') {
		set_cause(cause, "missing Wechatpay-Signature");
		return QUAN_EPROTO;
	}
	if ((rc = wx_check_timestamp(ts, now, cause)) != 0)
		return rc;
	if (wx_is_signtest(sig)) {
		set_cause(cause, "WECHATPAY/SIGNTEST/ probe signature: treated "
		    "as a verification failure");
		return QUAN_EPROTO;
	}
	msg = wx_resp_message(ts, nonce, body, body_len, &mlen);
	rc = verify_pk(pk, msg, mlen, sig);
	free(msg);
	if (rc != 0) {
		set_cause(cause, "Wechatpay-Signature does not verify");
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
		set_cause(cause, "missing Wechatpay-Serial");
		return QUAN_EPROTO;
	}
	pk = trust_get(t, serial, now);
	if (pk == NULL) {
		set_cause(cause, "unknown or expired Wechatpay-Serial '%.64s'",
		    serial);
		return QUAN_ENOTFOUND;
	}
	rc = verify_resp_pk(pk, ts, nonce, sig, body, body_len, now, cause);
	EVP_PKEY_free(pk);
	return rc;
}

/* ---- AES-GCM ---------------------------------------------------------- */

static const EVP_CIPHER *
gcm_cipher(size_t key_len)
{
	switch (key_len) {
	case 16:
		return EVP_aes_128_gcm();
	case 24:
		return EVP_aes_192_gcm();
	case 32:
		return EVP_aes_256_gcm();
	default:
		return NULL;
	}
}

int
wx_gcm_encrypt(const uint8_t *key, size_t key_len, const void *iv,
    size_t iv_len, const void *aad, size_t aad_len, const void *pt,
    size_t pt_len, uint8_t **out, size_t *out_len)
{
	const EVP_CIPHER *c = gcm_cipher(key_len);
	EVP_CIPHER_CTX *ctx;
	uint8_t *o;
	int l1 = 0, l2 = 0, ok;

	*out = NULL;
	*out_len = 0;
	if (c == NULL || iv_len == 0 || iv_len > 256 || pt_len > INT_MAX - 64 ||
	    aad_len > INT_MAX)
		return QUAN_EINVAL;
	ctx = EVP_CIPHER_CTX_new();
	if (ctx == NULL)
		return QUAN_ENOMEM;
	o = xmalloc(pt_len + WX_GCM_TAG_LEN + 1);
	ok = EVP_EncryptInit_ex(ctx, c, NULL, NULL, NULL) == 1 &&
	    EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_IVLEN, (int)iv_len,
	    NULL) == 1 &&
	    EVP_EncryptInit_ex(ctx, NULL, NULL, key, iv) == 1 &&
	    (aad_len == 0 || EVP_EncryptUpdate(ctx, NULL, &l1, aad,
	    (int)aad_len) == 1) &&
	    EVP_EncryptUpdate(ctx, o, &l1, pt, (int)pt_len) == 1 &&
	    EVP_EncryptFinal_ex(ctx, o + l1, &l2) == 1 &&
	    EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_GET_TAG, WX_GCM_TAG_LEN,
	    o + l1 + l2) == 1;
	EVP_CIPHER_CTX_free(ctx);
	if (!ok) {
		ERR_clear_error();
		free(o);
		return QUAN_EINVAL;
	}
	*out = o;
	*out_len = (size_t)(l1 + l2) + WX_GCM_TAG_LEN;
	return QUAN_OK;
}

int
wx_gcm_decrypt(const uint8_t *key, size_t key_len, const void *iv,
    size_t iv_len, const void *aad, size_t aad_len, const void *ct,
    size_t ct_len, uint8_t **out, size_t *out_len)
{
	const EVP_CIPHER *c = gcm_cipher(key_len);
	EVP_CIPHER_CTX *ctx;
	const uint8_t *in = ct;
	uint8_t tag[WX_GCM_TAG_LEN], *o;
	size_t n;
	int l1 = 0, l2 = 0, ok;

	*out = NULL;
	*out_len = 0;
	if (c == NULL || iv_len == 0 || iv_len > 256 || aad_len > INT_MAX)
		return QUAN_EINVAL;
	if (ct_len < WX_GCM_TAG_LEN || ct_len > INT_MAX)
		return QUAN_EPROTO;
	n = ct_len - WX_GCM_TAG_LEN;
	memcpy(tag, in + n, WX_GCM_TAG_LEN);
	ctx = EVP_CIPHER_CTX_new();
	if (ctx == NULL)
		return QUAN_ENOMEM;
	o = xmalloc(n + 1);
	ok = EVP_DecryptInit_ex(ctx, c, NULL, NULL, NULL) == 1 &&
	    EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_IVLEN, (int)iv_len,
	    NULL) == 1 &&
	    EVP_DecryptInit_ex(ctx, NULL, NULL, key, iv) == 1 &&
	    (aad_len == 0 || EVP_DecryptUpdate(ctx, NULL, &l1, aad,
	    (int)aad_len) == 1) &&
	    EVP_DecryptUpdate(ctx, o, &l1, in, (int)n) == 1 &&
	    EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_TAG, WX_GCM_TAG_LEN,
	    tag) == 1 &&
	    EVP_DecryptFinal_ex(ctx, o + l1, &l2) == 1;
	EVP_CIPHER_CTX_free(ctx);
	if (!ok) {
		ERR_clear_error();
		OPENSSL_cleanse(o, n);
		free(o);
		return QUAN_EPROTO;
	}
	o[l1 + l2] = 0;
	*out = o;
	*out_len = (size_t)(l1 + l2);
	return QUAN_OK;
}

int
wx_aead_encrypt(const uint8_t key[WX_APIV3_KEY_LEN], const char *nonce,
    const char *aad, const void *pt, size_t pt_len, char **ct_b64)
{
	uint8_t *ct;
	size_t n;
	int rc;

	*ct_b64 = NULL;
	if (nonce == NULL || strlen(nonce) != WX_GCM_NONCE_LEN)
		return QUAN_EINVAL;
	if (aad == NULL)
		aad = "";
	rc = wx_gcm_encrypt(key, WX_APIV3_KEY_LEN, nonce, WX_GCM_NONCE_LEN,
	    aad, strlen(aad), pt, pt_len, &ct, &n);
	if (rc != 0)
		return rc;
	*ct_b64 = wx_b64_encode(ct, n);
	free(ct);
	return QUAN_OK;
}

int
wx_aead_decrypt(const uint8_t key[WX_APIV3_KEY_LEN], const char *nonce,
    const char *aad, const char *ct_b64, char **pt, size_t *pt_len,
    char **cause)
{
	uint8_t *ct, *o;
	size_t n, on;
	int rc;

	*pt = NULL;
	if (pt_len != NULL)
		*pt_len = 0;
	if (nonce == NULL || strlen(nonce) != WX_GCM_NONCE_LEN) {
		set_cause(cause, "AEAD nonce must be %d bytes",
		    WX_GCM_NONCE_LEN);
		return QUAN_EINVAL;
	}
	if (aad == NULL)
		aad = "";
	if (ct_b64 == NULL ||
	    wx_b64_decode(ct_b64, strlen(ct_b64), &ct, &n) != 0) {
		set_cause(cause, "AEAD ciphertext is not valid base64");
		return QUAN_EINVAL;
	}
	rc = wx_gcm_decrypt(key, WX_APIV3_KEY_LEN, nonce, WX_GCM_NONCE_LEN,
	    aad, strlen(aad), ct, n, &o, &on);
	free(ct);
	if (rc != 0) {
		set_cause(cause, "AEAD_AES_256_GCM decryption failed (wrong "
		    "APIv3 key, nonce, associated data, or tampered data)");
		return rc;
	}
	*pt = (char *)o;
	if (pt_len != NULL)
		*pt_len = on;
	return QUAN_OK;
}

int
wx_cert_decrypt(const uint8_t key[WX_APIV3_KEY_LEN], const char *algorithm,
    const char *nonce, const char *aad, const char *ct_b64,
    const char *serial_no, struct wx_cert **out, char **cause)
{
	char *pem = NULL;
	size_t n = 0;
	int rc;

	*out = NULL;
	if (algorithm == NULL || strcmp(algorithm, "AEAD_AES_256_GCM") != 0) {
		set_cause(cause, "certificate algorithm '%.32s' not supported",
		    algorithm ? algorithm : "(none)");
		return QUAN_EPROTO;
	}
	if ((rc = wx_aead_decrypt(key, nonce, aad, ct_b64, &pem, &n,
	    cause)) != 0)
		return rc;
	rc = wx_cert_load_pem(pem, n, out, cause);
	free(pem);
	if (rc != 0)
		return QUAN_EPROTO;
	if (serial_no != NULL && strcmp(serial_no, (*out)->serial) != 0) {
		set_cause(cause, "certificate serial %s does not match "
		    "serial_no %.64s", (*out)->serial, serial_no);
		wx_cert_free(*out);
		*out = NULL;
		return QUAN_EPROTO;
	}
	return QUAN_OK;
}
