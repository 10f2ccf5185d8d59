/* fuzz_callbacks.c — libFuzzer target for the COUPON.SEND receiver's
 * handling of one request (callbacks_answer: method, the four Wechatpay-*
 * headers, the body), exactly what the HTTP handler runs on its threads.
 *
 * Input: one flags byte, then "serial\nts\nnonce\nsig\nbody". Flag 1 sends
 * a method other than POST. Flag 4 hands the request to the 商品券
 * receiver (callbacks_pc_answer: PRODUCT_COUPON(_SP).SEND into a registry
 * row), as the server does for an event_type PRODUCT_COUPON…. Flag 2 makes the signature check and the
 * AES-GCM step pass-throughs (linked with --wrap): the "ciphertext" is
 * taken as the plaintext, so the fuzzer reaches the envelope and payload
 * parsing and the field checks that a real signature guards (the crypto
 * itself is proven by the vector tests). Without it the real verification
 * runs against a trust store holding one test key, with the clock at
 * 1700000000.
 *
 * Checks the receiver's promises, not only "no crash": a status of 200,
 * 400, 401 or 405; a FAIL body that is a JSON object for every refusal;
 * reply and log cause valid UTF-8 without control characters; a notice
 * only with fields inside their character sets. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "crypto/wxsign.h"
#include "net/callbacks.h"
#include "util/err.h"
#include "util/str.h"
#include "util/xmem.h"

#include "../net/vectors.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int __real_wx_trust_verify(struct wx_trust *t, const char *serial,
    const char *ts, const char *nonce, const char *sig, const void *body,
    size_t body_len, int64_t now, char **cause);
int __wrap_wx_trust_verify(struct wx_trust *t, const char *serial,
    const char *ts, const char *nonce, const char *sig, const void *body,
    size_t body_len, int64_t now, char **cause);
int __real_wx_aead_decrypt(const uint8_t key[WX_APIV3_KEY_LEN],
    const char *nonce, const char *aad, const char *ct_b64, char **pt,
    size_t *pt_len, char **cause);
int __wrap_wx_aead_decrypt(const uint8_t key[WX_APIV3_KEY_LEN],
    const char *nonce, const char *aad, const char *ct_b64, char **pt,
    size_t *pt_len, char **cause);

static int pass; /* flag 2 of the current input */

int
__wrap_wx_trust_verify(struct wx_trust *t, const char *serial,
    const char *ts, const char *nonce, const char *sig, const void *body,
    size_t body_len, int64_t now, char **cause)
{
	if (pass)
		return QUAN_OK;
	return __real_wx_trust_verify(t, serial, ts, nonce, sig, body,
	    body_len, now, cause);
}

int
__wrap_wx_aead_decrypt(const uint8_t key[WX_APIV3_KEY_LEN],
    const char *nonce, const char *aad, const char *ct_b64, char **pt,
    size_t *pt_len, char **cause)
{
	if (pass) {
		*pt_len = strlen(ct_b64);
		*pt = xstrdup(ct_b64);
		return QUAN_OK;
	}
	return __real_wx_aead_decrypt(key, nonce, aad, ct_b64, pt, pt_len,
	    cause);
}


static const uint8_t apiv3[32] = "a7cde1ZJB1kG2e7VfTs3jQzaWizur8Gb";

/* the GO test public key (wechatpay-test-vectors.md §1.3) */
static struct wx_trust *
trust(void)
{
	static struct wx_trust *t;
	struct wx_pub *p = NULL;
	char *cause = NULL;

	if (t != NULL)
		return t;
	t = wx_trust_new();
	if (wx_pub_load_pem(GO_PUB, strlen(GO_PUB), &p, &cause) != 0 ||
	    wx_trust_add_pub(t, "PUB_KEY_ID_0000TEST", p) != 0)
		abort();
	wx_pub_free(p);
	return t;
}

static void
check_set(const char *s, const char *set, int may_be_empty)
{
	if (s[0] == '\0' && !may_be_empty)
		abort();
	for (; *s != '\0'; s++)
		if (strchr(set, *s) == NULL)
			abort();
}

#define ALNUM "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *buf, *f[5], *p;
	const char *hdr[4];
	struct sync_notice n;
	struct pc_notice pn;
	char *reply = NULL, *why = NULL;
	size_t blen;
	int rc, status, i;
	json_t *j;

	if (size < 1)
		return 0;
	pass = (data[0] & 2) != 0;
	buf = xmalloc(size);
	memcpy(buf, data + 1, size - 1);
	buf[size - 1] = '\0';
	blen = size - 1;
	/* four header lines (NULL when missing: a header not sent), then
	 * the body, which keeps any NUL bytes */
	p = buf;
	for (i = 0; i < 4; i++) {
		char *nl = memchr(p, '\n', blen - (size_t)(p - buf));

		f[i] = NULL;
		if (nl == NULL)
			break;
		*nl = '\0';
		f[i] = p;
		p = nl + 1;
	}
	for (; i < 4; i++)
		f[i] = NULL;
	for (i = 0; i < 4; i++)
		hdr[i] = f[i];
	if (data[0] & 4) {
		rc = callbacks_pc_answer(trust(), apiv3, hdr, p,
		    blen - (size_t)(p - buf), 1700000000, &pn, &status, &reply,
		    &why);
		n.op = rc == QUAN_OK ? SYNC_OP_NOTICE : SYNC_OP_NONE;
	} else {
		rc = callbacks_answer(trust(), apiv3, (data[0] & 1) ? "GET" :
		    "POST", hdr, p, blen - (size_t)(p - buf), 1700000000, &n,
		    &status, &reply, &why);
	}
	if (reply == NULL)
		abort();
	if ((why != NULL && !str_is_clean(why)) || !str_is_clean(reply))
		abort();
	switch (status) {
	case 200:
		if (reply[0] != '\0' || (rc != QUAN_OK && rc != QUAN_ENOTFOUND))
			abort();
		break;
	case 400:
	case 401:
	case 405:
		if (rc == QUAN_OK || rc == QUAN_ENOTFOUND || why == NULL)
			abort();
		j = json_loads(reply, 0, NULL);
		if (!json_is_object(j) || !json_is_string(json_object_get(j,
		    "message")) || strcmp(json_string_value(json_object_get(j,
		    "code")), "FAIL") != 0)
			abort();
		json_decref(j);
		break;
	default:
		abort();
	}
	if (rc == QUAN_OK && (data[0] & 4)) {
		/* every id of the row inside [0-9A-Za-z_-], the times read */
		if (pn.op != SYNC_OP_PC_NOTICE || pn.c.source != PC_SRC_NOTIFY)
			abort();
		check_set(pn.c.code, ALNUM "-_", 0);
		check_set(pn.c.stock_id, ALNUM "-_", 0);
		check_set(pn.c.product_coupon_id, ALNUM "-_", 0);
		check_set(pn.c.brand_id, ALNUM "-_", 0);
		check_set(pn.c.appid, ALNUM "-_", 0);
		check_set(pn.c.openid, ALNUM "-_", 0);
		check_set(pn.c.notify_id, ALNUM "-_", 0);
		check_set(pn.c.user_coupon_bundle_id, ALNUM "-_", 1);
		check_set(pn.c.send_request_no, ALNUM "-_", 1);
	} else if (rc == QUAN_OK) {
		if (n.op != SYNC_OP_NOTICE)
			abort();
		check_set(n.code, ALNUM " -_\\/=|", 0);
		check_set(n.stock_id, ALNUM "-_", 0);
		check_set(n.id, ALNUM "-_", 0);
		check_set(n.openid, ALNUM "-_", 1);
	}
	free(reply);
	free(why);
	free(buf);
	return 0;
}
