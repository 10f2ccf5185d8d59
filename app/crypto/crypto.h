/*
 * crypto.h — the only home of OpenSSL. Hashes, randomness and encodings used
 * across quan; WeChat Pay signing lives in wxsign.h beside this file.
 * Pure functions, any thread.
 */
#ifndef QUAN_CRYPTO_H
#define QUAN_CRYPTO_H

#include <stddef.h>
#include <stdint.h>

#define CRYPTO_SHA256_LEN 32

void crypto_sha256(const void *p, size_t n, uint8_t out[CRYPTO_SHA256_LEN]);
/* Lower-case hex of n bytes into out (2n+1 bytes). Returns out. */
char *crypto_hex(const uint8_t *p, size_t n, char *out);
/* Cryptographically strong random bytes; QUAN_EIO if the RNG fails. */
int crypto_random(void *p, size_t n);

#endif
