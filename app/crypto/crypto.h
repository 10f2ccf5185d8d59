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
#define CRYPTO_MD5_LEN 16
#define CRYPTO_SHA1_LEN 20

void crypto_sha256(const void *p, size_t n, uint8_t out[CRYPTO_SHA256_LEN]);
/* SHA-1: only to check WeChat Pay's bill downloads (hash_type SHA1). */
void crypto_sha1(const void *p, size_t n, uint8_t out[CRYPTO_SHA1_LEN]);
/* MD5: only for WeChat Pay APIv2's sign_type=MD5 (a legacy signature the
 * API still defines), never for anything quan chooses itself. */
void crypto_md5(const void *p, size_t n, uint8_t out[CRYPTO_MD5_LEN]);
/* HMAC-SHA256 of p (n bytes) under key (key_len bytes, 1..1024).
 * QUAN_EINVAL on bad arguments, QUAN_EIO when OpenSSL fails. */
int crypto_hmac_sha256(const void *key, size_t key_len, const void *p,
    size_t n, uint8_t out[CRYPTO_SHA256_LEN]);
/* Lower-case hex of n bytes into out (2n+1 bytes). Returns out. */
char *crypto_hex(const uint8_t *p, size_t n, char *out);
/* Cryptographically strong random bytes; QUAN_EIO if the RNG fails. */
int crypto_random(void *p, size_t n);

/* PBKDF2-HMAC-SHA256 (a salted slow hash, for cashier PINs): derive out_len
 * bytes from pass and salt with iter rounds (>= 1). QUAN_EINVAL on bad
 * arguments, QUAN_EIO when OpenSSL fails. Borrows everything. Any thread. */
int crypto_pbkdf2_sha256(const char *pass, size_t pass_len,
    const uint8_t *salt, size_t salt_len, unsigned iter,
    uint8_t *out, size_t out_len);
/* Constant-time compare of n bytes: 1 equal, 0 different. Any thread. */
int crypto_memeq(const void *a, const void *b, size_t n);

#endif
