/* fuzz_callbacks.c — libFuzzer target for the COUPON.SEND receiver's
 * handling of one request (callbacks_answer: method, the four Wechatpay-*
 * headers, the body), exactly what the HTTP handler runs on its threads.
 *
 * Input: one flags byte, then "serial\nts\nnonce\nsig\nbody". Flag 1 sends
 * a method other than POST. Flag 2 makes the signature check and the
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

/* the GO test key of wechatpay-test-vectors.md §1.3 (public half used) */
static const char key_pem[] =
"-----BEGIN PRIVATE KEY-----\n"
"MIIEvgIBADANBgkqhkiG9w0BAQEFAASCBKgwggSkAgEAAoIBAQDZUJN33V+dSfvd\n"
"fL0Mu+39XrZNXFFMQSy1V15FpncHeV47SmV0TzTqZc7hHB0ddqAdDi8Z5k3TKqb7\n"
"6sOwYr5TcAfuR6PIPaleyE0/0KrljBum2Isa2Nyq7Dgc3ElBQ6YN4l/a+DpvKaz1\n"
"FSKmKrhLNskqokWVSlu4g8OlKlbPXQ9ibII14MZRQrrkTmHYHzfi7GXXM0thAKuR\n"
"0HNvyhTHBh4/lrYM3GaMvmWwkwvsMavnOex6+eioZHBOb1/EIZ/LzC6zuHArPpyW\n"
"3daGaZ1rtQB1vVzTyERAVVFsXXgBHvfFud3w3ShsJYk8JvMwK2RpJ5/gV0QSARcm\n"
"LDRUAlPzAgMBAAECggEBAMc7rDeUaXiWv6bMGbZ3BTXpg1FhdddnWUnYE8HfX/km\n"
"OFI7XtBHXcgYFpcjYz4D5787pcsk7ezPidAj58zqenuclmjKnUmT3pfbI5eCA2v4\n"
"C9HnbYDrmUPK1ZcADtka4D6ScDccpNYNa1g2TFHzkIrEa6H+q7S3O2fqxY/DRVtN\n"
"0JIXalBb8daaqL5QVzSmM2BMVnHy+YITJWIkP2a3pKs9C0W65JGDsnG0wVrHinHF\n"
"+cnhFZIbaPEI//DAFMc9NkrWOKVRTEgcCUxCFaHOZVNxDWZD7A2ZfJB2rK6eg//y\n"
"gEiFDR2h6mTaDowMB4YF2n2dsIO4/dCG8vPHI20jn4ECgYEA/ZGu6lEMlO0XZnam\n"
"AZGtiNgLcCfM/C2ZERZE7QTRPZH1WdK92Al9ndldsswFw4baJrJLCmghjF/iG4zi\n"
"hhBvLnOLksnZUfjdumxoHDWXo2QBWbI5QsWIE7AuTiWgWj1I7X4fCXSQf6i+M/y2\n"
"6TogQ7d0ANpZFyOkTNMn/tiJvLECgYEA22XqlamG/yfAGWery5KNH2DGlTIyd6xJ\n"
"WtJ9j3jU99lZ0bCQ5xhiBbU9ImxCi3zgTsoqLWgA/p00HhNFNoUcTl9ofc0G3zwT\n"
"D1y0ZzcnVKxGJdZ6ohW52V0hJStAigtjYAsUgjm7//FH7PiQDBDP1Wa6xSRkDQU/\n"
"aSbQxvEE8+MCgYEA3bb8krW7opyM0XL9RHH0oqsFlVO30Oit5lrqebS0oHl3Zsr2\n"
"ZGgoBlWBsEzk3UqUhTFwm/DhJLTSJ/TQPRkxnhQ5/mewNhS9C7yua7wQkzVmWN+V\n"
"YeUGTvDGDF6qDz12/vJAgSwDDRym8x4NcXD5tTw7mmNRcwIfL22SkysThIECgYAV\n"
"BgccoEoXWS/HP2/u6fQr9ZIR6eV8Ij5FPbZacTG3LlS1Cz5XZra95UgebFFUHHtC\n"
"EY1JHJY7z8SWvTH8r3Su7eWNaIAoFBGffzqqSVazfm6aYZsOvRY6BfqPHT3p/H1h\n"
"Tq6AbBffxrcltgvXnCTORjHPglU0CjSxVs7awW3AEQKBgB5WtaC8VLROM7rkfVIq\n"
"+RXqE5vtJfa3e3N7W3RqxKp4zHFAPfr82FK5CX2bppEaxY7SEZVvVInKDc5gKdG/\n"
"jWNRBmvvftZhY59PILHO2X5vO4FXh7suEjy6VIh0gsnK36mmRboYIBGsNuDHjXLe\n"
"BDa+8mDLkWu5nHEhOxy2JJZl\n"
"-----END PRIVATE KEY-----\n";

static const uint8_t apiv3[32] = "a7cde1ZJB1kG2e7VfTs3jQzaWizur8Gb";

static struct wx_trust *
trust(void)
{
	static struct wx_trust *t;
	struct wx_key *k = NULL;
	struct wx_pub *p = NULL;
	char *cause = NULL;

	if (t != NULL)
		return t;
	t = wx_trust_new();
	if (wx_key_load_pem(key_pem, strlen(key_pem), &k, &cause) != 0 ||
	    wx_pub_from_key(k, &p) != 0 ||
	    wx_trust_add_pub(t, "PUB_KEY_ID_0000TEST", p) != 0)
		abort();
	wx_pub_free(p);
	wx_key_free(k);
	return t;
}

/* valid UTF-8 without C0, DEL or C1 controls */
static void
check_clean(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t n = strlen(s), k;

	while (n > 0) {
		k = str_utf8_len(p, n);
		if (k == 0 || (k == 1 && (*p < 0x20 || *p == 0x7f)) ||
		    (k == 2 && p[0] == 0xc2 && p[1] < 0xa0))
			abort();
		p += k;
		n -= k;
	}
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
	rc = callbacks_answer(trust(), apiv3, (data[0] & 1) ? "GET" : "POST",
	    hdr, p, blen - (size_t)(p - buf), 1700000000, &n, &status, &reply,
	    &why);
	if (reply == NULL)
		abort();
	if (why != NULL)
		check_clean(why);
	check_clean(reply);
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
	if (rc == QUAN_OK) {
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
