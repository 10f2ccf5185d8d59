/* test_callbacks.c — the COUPON.SEND receiver: the official-shape vector
 * (wechatpay-test-vectors.md §4.6: GO test key signature, JV APIv3 key)
 * verifies and decrypts; tampering, a wrong key, an unknown serial and a
 * stale timestamp are refused; and over HTTP the receiver answers 200 and
 * hands the coupon to the main queue, or 401 with a FAIL body. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <jansson.h>

#include "core/evq.h"
#include "core/syncmsg.h"
#include "crypto/wxsign.h"
#include "net/callbacks.h"
#include "net/http.h"
#include "util/err.h"
#include "util/xmem.h"

#include "vectors.h"

/* from wechatpay-test-vectors.md §4.6 (D6; signed with GO_KEY, vectors.h) */
static const char d6_body[] =
	"{\"id\":\"8b33f79f-8869-5ae5-b41b-3c0b59f957d0\",\"create_time\""
	":\"2019-12-12T16:54:38+08:00\",\"resource_type\":\"encrypt-resou"
	"rce\",\"event_type\":\"COUPON.SEND\",\"summary\":\"\345\225\206"
	"\345\256\266\345\210\270\351\242\206\345\210\270\351\200\232"
	"\347\237\245\",\"resource\":{\"original_type\":\"coupon\",\"algo"
	"rithm\":\"AEAD_AES_256_GCM\",\"ciphertext\":\"LnnVDv5dGy0BGeA9Lf"
	"gLCQynY0DI/AwCnwLT1dH175ytOKwDC5tfnkjZGetGh+AICTrUgIoyfW8yTWuqSG"
	"AXA8TldEGJDmIWtJ33ZxXLuYa/F71JisW1ls4OiQWbqrT8nu/4uattbxhdsG0EQk"
	"uxF7yGbMtCAphvlTnswIkRgWE86JuU5IfNrGn/dBh/W7yMQBy6KjDfzVSpgs4V1L"
	"vzL6ILFcBu+mDeQzf8H9QVdku1/xia7ijlfSPtm7mFGCpRglj4/J1NNMH6DmgY8g"
	"afZyOIbljarpNhOf9/zr0yurcXdQSJOK9iqxS89c8qJsviQUcwRUZSOfkpUDf+D/"
	"dCV8/BbYH65k6WDeUfuRD710KaU3Bk2qL81eTtOdoJxF2yA1Da/zQRFXvTQR0MX2"
	"M68GxLI0K7wKELb+TDUSnJR2ae0sk/fw==\",\"associated_data\":\"coupo"
	"n\",\"nonce\":\"j9g1wAzF9Xn1\"}}";

static const char d6_sig[] =
	"c1WXcEbhj2SmpoTBnE8C8vpc1FGSFHJgh3zBq4iAFetA9k8WznrjnqLQKBQibd/+"
	"EQDtSgMA+PTiEdmmtQR+esgfdepf8oT5wQqjdriMS0nzvv7wPsMS+0lxx7aqDGLD"
	"uub8BsZMxmuLpJSVPsdA2WT7oydtddGwUNIfYI4K7LxaWK6k3itunweWF4db4AZx"
	"afvRYIblpFonqd78+1yXc6pQMv4pOQ3lnIYFNRs0reBKo2jFG2J+6UhPdVe7DSvR"
	"z7RPNq06zTCSGYiAltpAMIfGC9+G3Xhj3ytS51rSeiN2KmZ/bRRHXepCh63Dukh5"
	"sxGQi0onGsXi1ROjhkbDfQ==";

#define SERIAL "PUB_KEY_ID_0000TEST"
#define TS "1700000000"
#define NONCE "5K8264ILTKCH16CQ2502SI8ZNMTM67VS"
#define NOW INT64_C(1700000000)

static const uint8_t jv_key[32] = "a7cde1ZJB1kG2e7VfTs3jQzaWizur8Gb";

static struct wx_trust *
trust_new(void)
{
	struct wx_trust *t = wx_trust_new();
	struct wx_key *k = NULL;
	struct wx_pub *p = NULL;
	char *cause = NULL;

	assert_int_equal(wx_key_load_pem(GO_KEY, strlen(GO_KEY), &k,
	    &cause), 0);
	assert_int_equal(wx_pub_from_key(k, &p), 0);
	assert_int_equal(wx_trust_add_pub(t, SERIAL, p), 0);
	wx_pub_free(p);
	wx_key_free(k);
	return t;
}

static void
test_vector(void **state)
{
	struct wx_trust *t = trust_new();
	struct sync_notice n;
	char *cause = NULL, *bad;
	uint8_t key2[32];

	(void)state;
	assert_int_equal(strlen(d6_body), 754);
	assert_int_equal(callbacks_parse(t, jv_key, SERIAL, TS, NONCE, d6_sig,
	    d6_body, strlen(d6_body), NOW, &n, &cause), QUAN_OK);
	assert_null(cause);
	assert_int_equal(n.op, SYNC_OP_NOTICE);
	assert_string_equal(n.id, "8b33f79f-8869-5ae5-b41b-3c0b59f957d0");
	assert_string_equal(n.code, "1227944959000000911017");
	assert_string_equal(n.stock_id, "1286950000000039");
	assert_string_equal(n.openid, "odXnH1CJjeQoWTld48db-pnxs-Wg");
	assert_int_equal(n.send_time, INT64_C(1576550153));

	/* one byte changed in the body: signature fails */
	bad = xstrdup(d6_body);
	bad[10] = bad[10] == 'a' ? 'b' : 'a';
	assert_int_equal(callbacks_parse(t, jv_key, SERIAL, TS, NONCE, d6_sig,
	    bad, strlen(bad), NOW, &n, &cause), QUAN_EPROTO);
	assert_non_null(cause);
	free(cause);
	cause = NULL;
	free(bad);
	/* unknown serial, missing headers, stale timestamp */
	assert_int_equal(callbacks_parse(t, jv_key, "PUB_KEY_ID_OTHER", TS,
	    NONCE, d6_sig, d6_body, strlen(d6_body), NOW, &n, &cause),
	    QUAN_EPROTO);
	free(cause);
	cause = NULL;
	assert_int_equal(callbacks_parse(t, jv_key, SERIAL, TS, NULL, d6_sig,
	    d6_body, strlen(d6_body), NOW, &n, &cause), QUAN_EPROTO);
	free(cause);
	cause = NULL;
	assert_int_equal(callbacks_parse(t, jv_key, SERIAL, TS, NONCE, d6_sig,
	    d6_body, strlen(d6_body), NOW + 600, &n, &cause), QUAN_EPROTO);
	free(cause);
	cause = NULL;
	/* signature fine, wrong APIv3 key: cannot decrypt */
	memcpy(key2, jv_key, 32);
	key2[0] ^= 1;
	assert_int_equal(callbacks_parse(t, key2, SERIAL, TS, NONCE, d6_sig,
	    d6_body, strlen(d6_body), NOW, &n, &cause), QUAN_EPROTO);
	assert_non_null(cause);
	free(cause);
	wx_trust_free(t);
}

/* A receiver on a free port and a plain-HTTP client talking to it. */
struct rx {
	struct wx_trust *t;
	struct callbacks *cb;
	struct evq *q;
	struct http *h;
	struct http_resp r;
	char url[64], sighdr[512];
};

static void
rx_start(struct rx *x)
{
	struct callbacks_opts o;
	struct http_opts ho;
	char *cause = NULL;
	unsigned port = 0;

	memset(x, 0, sizeof *x);
	x->t = trust_new();
	assert_int_equal(http_global_init(), 0);
	assert_int_equal(evq_new(&x->q, 8), 0);
	memset(&o, 0, sizeof o);
	o.trust = x->t;
	o.apiv3_key = jv_key;
	o.out = x->q;
	assert_int_equal(callbacks_start(&o, &x->cb, &port, &cause), 0);
	assert_true(port > 0);
	memset(&ho, 0, sizeof ho);
	ho.allow_http = 1;
	assert_int_equal(http_new(&ho, &x->h, &cause), 0);
	snprintf(x->url, sizeof x->url, "http://127.0.0.1:%u/notify", port);
	snprintf(x->sighdr, sizeof x->sighdr, "Wechatpay-Signature: %s",
	    d6_sig);
	http_resp_init(&x->r);
}

static void
rx_stop(struct rx *x)
{
	http_resp_free(&x->r);
	http_free(x->h);
	callbacks_stop(x->cb);
	evq_free(x->q);
	wx_trust_free(x->t);
}

/* Over HTTP. The vector's timestamp is from 2023, so the receiver (which
 * checks against the wall clock) must refuse it with 401 and a FAIL body;
 * a POST of garbage gets 401 too, and nothing reaches the queue. */
static void
test_http(void **state)
{
	struct rx x;
	struct callbacks_stats st;
	struct ev ev;
	char *cause = NULL;
	const char *hdr[] = {"Content-Type: application/json",
	    "Wechatpay-Serial: " SERIAL, "Wechatpay-Timestamp: " TS,
	    "Wechatpay-Nonce: " NONCE, NULL, NULL};

	(void)state;
	rx_start(&x);
	hdr[4] = x.sighdr;
	assert_int_equal(http_request(x.h, "POST", x.url, hdr, d6_body,
	    strlen(d6_body), &x.r, &cause), 0);
	assert_int_equal(x.r.status, 401);
	assert_non_null(strstr(buf_str(&x.r.body), "\"code\":\"FAIL\""));
	assert_non_null(strstr(buf_str(&x.r.body), "timestamp"));
	assert_int_equal(http_request(x.h, "POST", x.url, hdr, "{", 1, &x.r,
	    &cause), 0);
	assert_int_equal(x.r.status, 401);
	assert_int_equal(http_request(x.h, "GET", x.url, NULL, NULL, 0, &x.r,
	    &cause), 0);
	assert_int_equal(x.r.status, 405);
	assert_int_equal(evq_get(x.q, &ev), 0);
	callbacks_stats(x.cb, &st);
	assert_int_equal(st.received, 3);
	assert_int_equal(st.rejected, 2);
	assert_int_equal(st.accepted, 0);
	rx_stop(&x);
}

/* Issue 9 defect 5: one byte that is not UTF-8 in Wechatpay-Serial or
 * Wechatpay-Timestamp (no signature needed) made the FAIL reply NULL
 * (jansson refuses such strings) and killed the receiver. Now: 401 with a
 * FAIL body that is valid JSON holding the escaped bytes, and the next
 * request is still answered. Also a signed-looking ESC sequence. */
static void
test_bad_bytes(void **state)
{
	struct rx x;
	struct callbacks_stats st;
	char *cause = NULL;
	static const char *const bad[][2] = {
		{"Wechatpay-Serial: PUB_KEY_ID_\3770000TEST",
		    "Wechatpay-Timestamp: " TS},
		{"Wechatpay-Serial: " SERIAL, "Wechatpay-Timestamp: 17\xff"},
		{"Wechatpay-Serial: \xc3", "Wechatpay-Timestamp: \xe5\x88"},
		{"Wechatpay-Serial: A\x1b[2JB", "Wechatpay-Timestamp: 1\x1b]0;x"},
	};
	const char *hdr[6] = {"Content-Type: application/json", NULL, NULL,
	    "Wechatpay-Nonce: " NONCE, NULL, NULL};
	size_t i;

	(void)state;
	rx_start(&x);
	hdr[4] = x.sighdr;
	for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		json_t *j;
		const char *body;

		hdr[1] = bad[i][0];
		hdr[2] = bad[i][1];
		assert_int_equal(http_request(x.h, "POST", x.url, hdr, d6_body,
		    strlen(d6_body), &x.r, &cause), 0);
		assert_int_equal(x.r.status, 401);
		body = buf_str(&x.r.body);
		assert_non_null(j = json_loads(body, 0, NULL));
		assert_string_equal(json_string_value(json_object_get(j,
		    "code")), "FAIL");
		json_decref(j);
		assert_null(strchr(body, '\x1b'));
		assert_null(strchr(body, '\xff'));
	}
	assert_non_null(strstr(buf_str(&x.r.body), "\\\\x1b"));
	/* still serving: the vector (stale timestamp) is refused as ever */
	hdr[1] = "Wechatpay-Serial: " SERIAL;
	hdr[2] = "Wechatpay-Timestamp: " TS;
	assert_int_equal(http_request(x.h, "POST", x.url, hdr, d6_body,
	    strlen(d6_body), &x.r, &cause), 0);
	assert_int_equal(x.r.status, 401);
	assert_non_null(strstr(buf_str(&x.r.body), "timestamp"));
	callbacks_stats(x.cb, &st);
	assert_int_equal(st.received, 5);
	assert_int_equal(st.rejected, 5);
	rx_stop(&x);
}

/* A genuine notification whose coupon_code carries ESC and a newline is
 * refused (400), never handed on to be stored or printed. The payload is
 * made with the simulator's own encryption and signed with the test key. */
static void
signed_notice(const char *payload, char **body, char **sig)
{
	struct wx_key *k = NULL;
	char *ct = NULL, *cause = NULL, *msg;
	size_t n;

	assert_int_equal(wx_key_load_pem(GO_KEY, strlen(GO_KEY), &k,
	    &cause), 0);
	assert_int_equal(wx_aead_encrypt(jv_key, "j9g1wAzF9Xn1", "coupon",
	    payload, strlen(payload), &ct), 0);
	*body = xasprintf("{\"id\":\"0b33f79f-8869-5ae5\",\"event_type\":"
	    "\"COUPON.SEND\",\"resource\":{\"algorithm\":"
	    "\"AEAD_AES_256_GCM\",\"ciphertext\":\"%s\",\"associated_data\""
	    ":\"coupon\",\"nonce\":\"j9g1wAzF9Xn1\"}}", ct);
	msg = wx_resp_message(TS, NONCE, *body, strlen(*body), &n);
	assert_int_equal(wx_sign(k, msg, n, sig), 0);
	free(msg);
	free(ct);
	wx_key_free(k);
}

static void
test_control_code(void **state)
{
	static const char *const payloads[] = {
		"{\"coupon_code\":\"12279\\u001b[2J449\",\"stock_id\":\"1286\"}",
		"{\"coupon_code\":\"12279\\n449\",\"stock_id\":\"1286\"}",
		"{\"coupon_code\":\"1227944959\",\"stock_id\":\"12\\r86\"}",
		"{\"coupon_code\":\"1227944959\",\"stock_id\":\"1286\",\"openid\":\"o\\u009b31m\"}",
	};
	struct wx_trust *t = trust_new();
	struct sync_notice n;
	char *body, *sig, *cause = NULL;
	size_t i;

	(void)state;
	/* the same construction with a clean payload is accepted */
	signed_notice("{\"coupon_code\":\"1227944959\",\"stock_id\":"
	    "\"1286\",\"openid\":\"oX-y_1\"}", &body, &sig);
	assert_int_equal(callbacks_parse(t, jv_key, SERIAL, TS, NONCE, sig,
	    body, strlen(body), NOW, &n, &cause), QUAN_OK);
	assert_string_equal(n.code, "1227944959");
	free(body);
	free(sig);
	for (i = 0; i < sizeof payloads / sizeof payloads[0]; i++) {
		signed_notice(payloads[i], &body, &sig);
		assert_int_equal(callbacks_parse(t, jv_key, SERIAL, TS, NONCE,
		    sig, body, strlen(body), NOW, &n, &cause), QUAN_EINVAL);
		assert_non_null(cause);
		assert_null(strchr(cause, '\x1b'));
		assert_null(strchr(cause, '\n'));
		assert_int_equal(n.op, SYNC_OP_NONE);
		free(cause);
		cause = NULL;
		free(body);
		free(sig);
	}
	wx_trust_free(t);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_vector),
		cmocka_unit_test(test_http),
		cmocka_unit_test(test_bad_bytes),
		cmocka_unit_test(test_control_code),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
