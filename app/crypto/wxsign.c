/*
 * wxsign.c — WeChat Pay APIv3 cryptography over OpenSSL 3 (wxsign.h is
 * the contract): base64, nonces, secret files, RSA private and public
 * keys. Certificates, signatures and AES-GCM are in the other wxsign_*
 * files (wxsign_int.h lists them).
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



void
wx_set_cause(char **cause, const char *fmt, ...)
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
const char *
wx_ossl_err(void)
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
		wx_set_cause(cause, "%s: %s", path, strerror(errno));
		return errno == ENOENT ? QUAN_ENOTFOUND : QUAN_EIO;
	}
	if (!S_ISREG(st.st_mode)) {
		wx_set_cause(cause, "%s: not a regular file", path);
		return QUAN_EPERM;
	}
	if ((st.st_mode & 077) != 0) {
		wx_set_cause(cause,
		    "%s: secret file is readable by group/other "
		    "(mode %04o); refusing it: run chmod 600 %s", path,
		    (unsigned)(st.st_mode & 07777), path);
		return QUAN_EPERM;
	}
	return QUAN_OK;
}

/* Read a whole file up to max bytes into a new NUL-terminated buffer. */
int
wx_read_file(const char *path, size_t max, char **out, size_t *len,
    char **cause)
{
	FILE *f;
	char *b;
	size_t n;

	*out = NULL;
	f = fopen(path, "rb");
	if (f == NULL) {
		wx_set_cause(cause, "%s: %s", path, strerror(errno));
		return errno == ENOENT ? QUAN_ENOTFOUND : QUAN_EIO;
	}
	b = xmalloc(max + 2);
	n = fread(b, 1, max + 1, f);
	if (ferror(f)) {
		wx_set_cause(cause, "%s: read error", path);
		fclose(f);
		free(b);
		return QUAN_EIO;
	}
	fclose(f);
	if (n > max) {
		wx_set_cause(cause, "%s: larger than %zu bytes", path, max);
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
	if ((rc = wx_read_file(path, max + 64, &b, &n, cause)) != 0)
		return rc;
	while (n > 0 && (b[n - 1] == '\n' || b[n - 1] == '\r' ||
	    b[n - 1] == ' ' || b[n - 1] == '\t'))
		b[--n] = '\0';
	if (n > max) {
		wx_set_cause(cause, "%s: secret longer than %zu bytes", path,
		    max);
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
		wx_set_cause(cause, "%s: the APIv3 key must be exactly %d "
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
int
wx_write_file(const char *path, const char *data, size_t n, mode_t mode,
    char **cause)
{
	char *tmp = xasprintf("%s.tmp.%ld", path, (long)getpid());
	int fd, rc = QUAN_EIO;
	size_t off = 0;

	unlink(tmp);
	fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);
	if (fd < 0) {
		wx_set_cause(cause, "%s: %s", tmp, strerror(errno));
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
	wx_set_cause(cause, "%s: %s", path, strerror(errno));
	if (fd >= 0)
		close(fd);
	unlink(tmp);
	free(tmp);
	return rc;
}

/* ---- keys ------------------------------------------------------------- */

/* Refuse encrypted PEMs instead of prompting on the terminal. */
int
wx_no_password(char *buf, int size, int rwflag, void *u)
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
		wx_set_cause(cause, "not an RSA key");
		return QUAN_EINVAL;
	}
	if (EVP_PKEY_get_bits(pk) < 2048) {
		wx_set_cause(cause,
		    "RSA key of %d bits; at least 2048 required",
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
		wx_set_cause(cause, "empty private key");
		return QUAN_EINVAL;
	}
	b = BIO_new_mem_buf(pem, (int)n);
	if (b == NULL)
		return QUAN_ENOMEM;
	pk = PEM_read_bio_PrivateKey(b, NULL, wx_no_password, NULL);
	BIO_free(b);
	if (pk == NULL) {
		wx_set_cause(cause, "not a PEM private key (PKCS#8 or PKCS#1, "
		    "unencrypted): %s", wx_ossl_err());
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
	if ((rc = wx_read_file(path, PEM_MAX, &pem, &n, cause)) != 0)
		return rc;
	rc = wx_key_load_pem(pem, n, out, &c2);
	OPENSSL_cleanse(pem, n);
	free(pem);
	if (rc != 0)
		wx_set_cause(cause, "%s: %s", path, c2 ? c2 : "bad key");
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
char *
wx_bio_take(BIO *b)
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
		wx_set_cause(cause, "cannot encode key: %s", wx_ossl_err());
		return QUAN_EIO;
	}
	rc = wx_write_file(path, pem, strlen(pem), 0600, cause);
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
		wx_set_cause(cause, "empty public key");
		return QUAN_EINVAL;
	}
	b = BIO_new_mem_buf(pem, (int)n);
	if (b == NULL)
		return QUAN_ENOMEM;
	pk = PEM_read_bio_PUBKEY(b, NULL, wx_no_password, NULL);
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
		wx_set_cause(cause, "not a PEM public key: %s", wx_ossl_err());
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
	if ((rc = wx_read_file(path, PEM_MAX, &pem, &n, cause)) != 0)
		return rc;
	rc = wx_pub_load_pem(pem, n, out, &c2);
	free(pem);
	if (rc != 0)
		wx_set_cause(cause, "%s: %s", path, c2 ? c2 : "bad public key");
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
	return wx_bio_take(b);
}

int
wx_pub_save(const struct wx_pub *p, const char *path, char **cause)
{
	char *pem = wx_pub_pem(p);
	int rc;

	if (pem == NULL) {
		wx_set_cause(cause, "cannot encode public key");
		return QUAN_EIO;
	}
	rc = wx_write_file(path, pem, strlen(pem), 0644, cause);
	free(pem);
	return rc;
}
