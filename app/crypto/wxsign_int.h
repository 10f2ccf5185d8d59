/*
 * wxsign_int.h — what the files of wxsign.h share; private to app/crypto.
 * WeChat Pay's cryptography is cut by subject:
 *
 * wxsign.c       base64, nonces, key files (mode checks), RSA private
 *                and public keys
 * wxsign_cert.c  X.509 certificates: load, check, save, make
 * wxsign_sig.c   SHA256withRSA, the signed messages, the Authorization
 *                header, response verification, the trust store
 * wxsign_aead.c  AES-256-GCM (callbacks, platform certificates)
 */
#ifndef QUAN_CRYPTO_WXSIGN_INT_H
#define QUAN_CRYPTO_WXSIGN_INT_H

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/x509.h>

#include "crypto/wxsign.h"

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

/* wxsign.c */
/* *cause = the formatted words (freeing what was there); none when NULL. */
void wx_set_cause(char **cause, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* The last OpenSSL error as text (static per thread), queue cleared. */
const char *wx_ossl_err(void);
/* Read a whole file up to max bytes into a new NUL-terminated buffer. */
int wx_read_file(const char *path, size_t max, char **out, size_t *len,
    char **cause);
/* Write data to path atomically (temp file in the same folder, fsync,
 * rename) with the given mode. */
int wx_write_file(const char *path, const char *data, size_t n, mode_t mode,
    char **cause);
/* Refuse encrypted PEMs instead of prompting on the terminal. */
int wx_no_password(char *buf, int size, int rwflag, void *u);
/* The content of a memory BIO as a new string; frees the BIO. */
char *wx_bio_take(BIO *b);

#endif
