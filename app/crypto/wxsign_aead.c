/*
 * wxsign_aead.c — AES-256-GCM for wxsign.h: the raw cipher and
 * the APIv3 AEAD of callbacks and platform certificates.
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
		wx_set_cause(cause, "AEAD nonce must be %d bytes",
		    WX_GCM_NONCE_LEN);
		return QUAN_EINVAL;
	}
	if (aad == NULL)
		aad = "";
	if (ct_b64 == NULL ||
	    wx_b64_decode(ct_b64, strlen(ct_b64), &ct, &n) != 0) {
		wx_set_cause(cause, "AEAD ciphertext is not valid base64");
		return QUAN_EINVAL;
	}
	rc = wx_gcm_decrypt(key, WX_APIV3_KEY_LEN, nonce, WX_GCM_NONCE_LEN,
	    aad, strlen(aad), ct, n, &o, &on);
	free(ct);
	if (rc != 0) {
		wx_set_cause(cause, "AEAD_AES_256_GCM decryption failed (wrong "
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
		wx_set_cause(cause,
		    "certificate algorithm '%.32s' not supported",
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
		wx_set_cause(cause, "certificate serial %s does not match "
		    "serial_no %.64s", (*out)->serial, serial_no);
		wx_cert_free(*out);
		*out = NULL;
		return QUAN_EPROTO;
	}
	return QUAN_OK;
}
