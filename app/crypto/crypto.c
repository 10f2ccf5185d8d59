/* crypto.c — SHA-256, hex and randomness over OpenSSL. */
#include <openssl/evp.h>
#include <openssl/rand.h>

#include "crypto/crypto.h"
#include "util/err.h"

void
crypto_sha256(const void *p, size_t n, uint8_t out[CRYPTO_SHA256_LEN])
{
	unsigned int len = 0;

	EVP_Digest(p, n, out, &len, EVP_sha256(), NULL);
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
