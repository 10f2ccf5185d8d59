/*
 * test_brand_sign.c — the 商品券 signing of both access modes against the
 * vectors of ../shared/docs/wechatpay-product-coupon.md §11.4, byte for
 * byte: the brand-direct WECHATPAY-BRAND-SHA256-RSA2048 use request (its
 * message, hash, signature and whole Authorization header), the partner
 * use and GET requests (APIv3 scheme), and the SEND callback resource
 * under AEAD_AES_256_GCM with the partner and brand associated data. Plus
 * the server side: a brand header verifies only as a brand header, a
 * merchant header only as a merchant one, and one carrying both
 * identities is refused.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "crypto/crypto.h"
#include "crypto/wxsign.h"
#include "util/err.h"

#include "vectors.h"
#include "pc_vectors.h"

#define TS "1554208460"
#define NONCE "593BEC0C930BF1AFEB40B4A08C8FB242"
#define SERIAL "408B07E79B8269FEC3D5D3E6AB8ED163A6A380DB"
#define BRAND_USE_URL "/brand/marketing/product-coupon/users/" \
	"oh-394z-6CGkNoJrsDLTTUKiAnp4/coupons/Code_123456/use"
#define PARTNER_USE_URL "/v3/marketing/partner/product-coupon/users/" \
	"oh-394z-6CGkNoJrsDLTTUKiAnp4/coupons/Code_123456/use"
#define PARTNER_GET_URL "/v3/marketing/partner/product-coupon/users/" \
	"oh-394z-6CGkNoJrsDLTTUKiAnp4/coupons/Code_123456?product_coupon_id=" \
	"1000000013&stock_id=1000000013001&appid=wx233544546545989&" \
	"brand_id=120344"
#define GCM_KEY "a7cde1ZJB1kG2e7VfTs3jQzaWizur8Gb"

static struct wx_key *
doc_key(void)
{
	struct wx_key *k = NULL;
	char *cause = NULL;

	assert_int_equal(wx_key_load_pem(DOC_KEY, strlen(DOC_KEY), &k,
	    &cause), QUAN_OK);
	free(cause);
	return k;
}

/* The request message of a vector: its length and SHA-256 as the doc
 * gives them, and the signature over it byte for byte. */
static void
check_vector(const char *method, const char *url, const char *body,
    size_t want_len, const char *want_sha, const char *want_sig)
{
	struct wx_key *k = doc_key();
	uint8_t h[CRYPTO_SHA256_LEN];
	char hex[2 * CRYPTO_SHA256_LEN + 1], *msg, *sig = NULL;
	size_t len;

	msg = wx_req_message(method, url, TS, NONCE, body, strlen(body),
	    &len);
	assert_int_equal(len, want_len);
	crypto_sha256(msg, len, h);
	assert_string_equal(crypto_hex(h, sizeof h, hex), want_sha);
	assert_int_equal(wx_sign(k, msg, len, &sig), QUAN_OK);
	assert_string_equal(sig, want_sig);
	free(sig);
	free(msg);
	wx_key_free(k);
}

static void
test_brand_use_signs_the_doc_vector(void **state)
{
	(void)state;
	assert_int_equal(strlen(PC_BRAND_USE_BODY), 240);
	check_vector("POST", BRAND_USE_URL, PC_BRAND_USE_BODY, 381,
	    "03e9127cdd269bd767cc6ff0ae4f702e8a3119fc7e9d1fb486afa735d4457ac1",
	    PC_BRAND_SIG);
}

static void
test_partner_use_signs_the_doc_vector(void **state)
{
	(void)state;
	assert_int_equal(strlen(PC_PARTNER_USE_BODY), 260);
	check_vector("POST", PARTNER_USE_URL, PC_PARTNER_USE_BODY, 406,
	    "82968f9e1cb9fe4a7759ed160b4d4f44c5200bcbc98950007d4d051539b32b01",
	    PC_PARTNER_SIG);
}

static void
test_partner_get_signs_an_empty_body(void **state)
{
	(void)state;
	check_vector("GET", PARTNER_GET_URL, "", 233,
	    "8c8035760821da63dcf1e4512558d70131dabef2e1894af92aa563ea748c6eb9",
	    PC_GET_SIG);
}

/* The whole header as §11.4 writes it: schema, brand_id first. */
static void
test_brand_header_is_the_doc_header(void **state)
{
	struct wx_key *k = doc_key();
	struct wx_pub *p = NULL;
	struct wx_auth a;
	char *hdr = NULL, *want, *cause = NULL;

	(void)state;
	assert_int_equal(wx_auth_header_as(WX_SCHEME_BRAND, k, "120344",
	    SERIAL, "POST", BRAND_USE_URL, PC_BRAND_USE_BODY,
	    strlen(PC_BRAND_USE_BODY), TS, NONCE, &hdr), QUAN_OK);
	want = malloc(1024);
	snprintf(want, 1024, "WECHATPAY-BRAND-SHA256-RSA2048 "
	    "brand_id=\"120344\",nonce_str=\"" NONCE "\",timestamp=\"" TS
	    "\",serial_no=\"" SERIAL "\",signature=\"%s\"", PC_BRAND_SIG);
	assert_string_equal(hdr, want);

	/* the simulator's side: verifies as a brand request */
	assert_int_equal(wx_pub_from_key(k, &p), QUAN_OK);
	assert_int_equal(wx_auth_verify_as(WX_SCHEME_BRAND, hdr, p, "POST",
	    BRAND_USE_URL, PC_BRAND_USE_BODY, strlen(PC_BRAND_USE_BODY),
	    1554208460, &a, NULL, &cause), QUAN_OK);
	assert_string_equal(a.brand_id, "120344");
	assert_string_equal(a.mchid, "");
	/* ... and never as an APIv3 merchant request */
	assert_int_equal(wx_auth_verify(hdr, p, "POST", BRAND_USE_URL,
	    PC_BRAND_USE_BODY, strlen(PC_BRAND_USE_BODY), 1554208460, NULL,
	    NULL, &cause), QUAN_EINVAL);
	assert_non_null(strstr(cause, "schema"));
	/* one changed body byte: the signature fails */
	{
		char *b = strdup(PC_BRAND_USE_BODY);

		b[10] ^= 1;
		assert_int_equal(wx_auth_verify_as(WX_SCHEME_BRAND, hdr, p,
		    "POST", BRAND_USE_URL, b, strlen(b), 1554208460, NULL,
		    NULL, &cause), QUAN_EPROTO);
		free(b);
	}
	free(cause);
	free(want);
	free(hdr);
	wx_pub_free(p);
	wx_key_free(k);
}

static void
test_scheme_and_identity_must_agree(void **state)
{
	struct wx_key *k = doc_key();
	struct wx_pub *p = NULL;
	struct wx_auth a;
	char *hdr = NULL, *cause = NULL, *odd;

	(void)state;
	assert_int_equal(wx_pub_from_key(k, &p), QUAN_OK);
	/* the partner mode's header is the APIv3 one, byte for byte */
	assert_int_equal(wx_auth_header_as(WX_SCHEME_MERCHANT, k, "1900007291",
	    SERIAL, "POST", PARTNER_USE_URL, PC_PARTNER_USE_BODY,
	    strlen(PC_PARTNER_USE_BODY), TS, NONCE, &hdr), QUAN_OK);
	assert_non_null(strstr(hdr, "WECHATPAY2-SHA256-RSA2048 mchid="
	    "\"1900007291\""));
	assert_non_null(strstr(hdr, PC_PARTNER_SIG));
	assert_int_equal(wx_auth_verify_as(WX_SCHEME_BRAND, hdr, p, "POST",
	    PARTNER_USE_URL, PC_PARTNER_USE_BODY, strlen(PC_PARTNER_USE_BODY),
	    1554208460, NULL, NULL, &cause), QUAN_EINVAL);
	/* brand schema with a mchid identity: refused */
	odd = wx_auth_format("WECHATPAY-BRAND-SHA256-RSA2048", "1900007291",
	    NONCE, TS, SERIAL, PC_BRAND_SIG);
	assert_int_equal(wx_auth_verify_as(WX_SCHEME_BRAND, odd, p, "POST",
	    BRAND_USE_URL, PC_BRAND_USE_BODY, strlen(PC_BRAND_USE_BODY),
	    1554208460, NULL, NULL, &cause), QUAN_EINVAL);
	assert_non_null(strstr(cause, "brand_id"));
	free(odd);
	/* both identities: refused by the parser */
	odd = strdup("WECHATPAY-BRAND-SHA256-RSA2048 brand_id=\"1\","
	    "mchid=\"2\",nonce_str=\"n\",timestamp=\"1\",serial_no=\"s\","
	    "signature=\"x\"");
	assert_int_equal(wx_auth_parse(odd, &a, &cause), QUAN_EINVAL);
	free(odd);
	/* a stale brand request: the clock code */
	free(hdr);
	assert_int_equal(wx_auth_header_as(WX_SCHEME_BRAND, k, "120344",
	    SERIAL, "POST", BRAND_USE_URL, PC_BRAND_USE_BODY,
	    strlen(PC_BRAND_USE_BODY), TS, NONCE, &hdr), QUAN_OK);
	assert_int_equal(wx_auth_verify_as(WX_SCHEME_BRAND, hdr, p, "POST",
	    BRAND_USE_URL, PC_BRAND_USE_BODY, strlen(PC_BRAND_USE_BODY),
	    1554208460 + WX_MAX_SKEW_S, NULL, NULL, &cause), QUAN_ECLOCK);
	free(hdr);
	free(cause);
	wx_pub_free(p);
	wx_key_free(k);
}

static void
check_gcm(const char *aad, const char *want_ct, const char *other_aad)
{
	const uint8_t *key = (const uint8_t *)GCM_KEY;
	char *ct = NULL, *pt = NULL, *cause = NULL;
	size_t n = 0;

	assert_int_equal(strlen(PC_PLAIN), 440);
	assert_int_equal(wx_aead_encrypt(key, "j9g1wAzF9Xn1", aad, PC_PLAIN,
	    strlen(PC_PLAIN), &ct), QUAN_OK);
	assert_string_equal(ct, want_ct);
	assert_int_equal(wx_aead_decrypt(key, "j9g1wAzF9Xn1", aad, want_ct,
	    &pt, &n, &cause), QUAN_OK);
	assert_int_equal(n, strlen(PC_PLAIN));
	assert_memory_equal(pt, PC_PLAIN, n);
	free(pt);
	pt = NULL;
	/* the other mode's associated data does not open it */
	assert_int_equal(wx_aead_decrypt(key, "j9g1wAzF9Xn1", other_aad,
	    want_ct, &pt, &n, &cause), QUAN_EPROTO);
	assert_null(pt);
	free(cause);
	free(ct);
}

static void
test_partner_send_resource_decrypts(void **state)
{
	(void)state;
	check_gcm("product_coupon_sp", PC_CT_PARTNER, "product_coupon");
}

static void
test_brand_send_resource_decrypts(void **state)
{
	(void)state;
	check_gcm("product_coupon", PC_CT_BRAND, "product_coupon_sp");
	/* same ciphertext bytes, different tag (§11.4) */
	assert_int_equal(strlen(PC_CT_BRAND), strlen(PC_CT_PARTNER));
	assert_memory_equal(PC_CT_BRAND, PC_CT_PARTNER, 580);
	assert_string_not_equal(PC_CT_BRAND, PC_CT_PARTNER);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_brand_use_signs_the_doc_vector),
		cmocka_unit_test(test_partner_use_signs_the_doc_vector),
		cmocka_unit_test(test_partner_get_signs_an_empty_body),
		cmocka_unit_test(test_brand_header_is_the_doc_header),
		cmocka_unit_test(test_scheme_and_identity_must_agree),
		cmocka_unit_test(test_partner_send_resource_decrypts),
		cmocka_unit_test(test_brand_send_resource_decrypts),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
