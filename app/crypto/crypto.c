/* crypto.c — SHA-256, SHA-1, MD5, HMAC-SHA256, hex and randomness over OpenSSL. */
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>

#include "crypto/crypto.h"
#include "util/err.h"

void
crypto_sha256(const void *p, size_t n, uint8_t out[CRYPTO_SHA256_LEN])
{
	unsigned int len = 0;

	EVP_Digest(p, n, out, &len, EVP_sha256(), NULL);
}

void
crypto_sha1(const void *p, size_t n, uint8_t out[CRYPTO_SHA1_LEN])
{
	unsigned int len = 0;

	EVP_Digest(p, n, out, &len, EVP_sha1(), NULL);
}

void
crypto_md5(const void *p, size_t n, uint8_t out[CRYPTO_MD5_LEN])
{
	unsigned int len = 0;

	EVP_Digest(p, n, out, &len, EVP_md5(), NULL);
}

int
crypto_hmac_sha256(const void *key, size_t key_len, const void *p, size_t n,
    uint8_t out[CRYPTO_SHA256_LEN])
{
	unsigned int len = 0;

	if (key == NULL || key_len == 0 || key_len > 1024 ||
	    (p == NULL && n > 0))
		return QUAN_EINVAL;
	if (HMAC(EVP_sha256(), key, (int)key_len, p, n, out, &len) == NULL ||
	    len != CRYPTO_SHA256_LEN)
		return QUAN_EIO;
	return QUAN_OK;
}

char *
crypto_hex(const uint8_t *p, size_t n, char *out)
{
	static const char hx[] = "0123456789abcdef";
	size_t i;

	for (i = 0; i < n; i++) {
		out[2 * i] = hx[p[i] >> 4];
		out[2 * i + 1] = hx[p[i] & 15];
	}
	out[2 * n] = '\0';
	return out;
}

int
crypto_random(void *p, size_t n)
{
	return RAND_bytes(p, (int)n) == 1 ? QUAN_OK : QUAN_EIO;
}

int
crypto_pbkdf2_sha256(const char *pass, size_t pass_len, const uint8_t *salt,
    size_t salt_len, unsigned iter, uint8_t *out, size_t out_len)
{
	if (pass == NULL || salt == NULL || out == NULL || iter == 0 ||
	    out_len == 0 || pass_len > 1024 || salt_len > 1024 ||
	    iter > 100000000u || out_len > 1024)
		return QUAN_EINVAL;
	if (PKCS5_PBKDF2_HMAC(pass, (int)pass_len, salt, (int)salt_len,
	    (int)iter, EVP_sha256(), (int)out_len, out) != 1)
		return QUAN_EIO;
	return QUAN_OK;
}

int
crypto_memeq(const void *a, const void *b, size_t n)
{
	return CRYPTO_memcmp(a, b, n) == 0;
}
