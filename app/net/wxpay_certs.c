/*
 * wxpay_certs.c — the platform certificates behind wxpay.h: GET
 * /v3/certificates, each entry decrypted with the APIv3 key, checked
 * (validity, issuer) and added to the context's trust store.
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "crypto/wxsign.h"
#include "net/wxpay.h"
#include "net/wxpay_int.h"
#include "util/config.h"
#include "util/err.h"
#include "util/log.h"
#include "util/str.h"
#include "util/tm.h"
#include "util/xmem.h"

/* ---- platform certificates -------------------------------------------- */

static const char *
jstr(json_t *o, const char *k)
{
	json_t *v = json_object_get(o, k);

	return json_is_string(v) ? json_string_value(v) : NULL;
}

int
wxpay_refresh_certs(struct wxpay *w, char **cause)
{
	struct wxpay_ctx *c = w->c;
	struct wxpay_result res;
	struct wx_cert *certs[CERTS_MAX];
	struct wx_trust *tmp = NULL;
	struct http_resp r;
	char *auth = NULL, *url, *ah, *c2 = NULL;
	const char *hdrs[3];
	json_t *o = NULL, *data;
	size_t n = 0, i;
	int rc;

	if (!c->have_apiv3) {
		err_set_cause(cause,
		    xstrdup("no APIv3 key configured: platform "
		    "certificates cannot be decrypted"));
		return QUAN_ECONFIG;
	}
	wxpay_result_init(&res);
	http_resp_init(&r);
	rc = wx_auth_header(c->key, c->mchid, c->serial, "GET",
	    "/v3/certificates", NULL, 0, NULL, NULL, &auth);
	if (rc != 0) {
		err_set_cause(cause, xstrdup("cannot sign"));
		return rc;
	}
	url = xasprintf("%s/v3/certificates", c->base_url);
	ah = xasprintf("Authorization: %s", auth);
	free(auth);
	hdrs[0] = ah;
	hdrs[1] = "Accept: application/json";
	hdrs[2] = NULL;
	rc = http_request(w->h, "GET", url, hdrs, NULL, 0, &r, &c2);
	free(url);
	free(ah);
	if (rc != 0) {
		err_set_cause(cause, xasprintf("GET /v3/certificates: %s",
		    c2 ? c2 : quan_strerror(rc)));
		free(c2);
		goto out;
	}
	if (r.status != 200) {
		rc = QUAN_EPROTO;
		err_set_cause(cause, xasprintf("GET /v3/certificates: HTTP %ld",
		    r.status));
		goto out;
	}
	o = json_loadb(buf_str(&r.body), r.body.len, 0, NULL);
	data = o ? json_object_get(o, "data") : NULL;
	if (!json_is_array(data) || json_array_size(data) == 0 ||
	    json_array_size(data) > CERTS_MAX) {
		rc = QUAN_EPROTO;
		err_set_cause(cause,
		    xstrdup("GET /v3/certificates: no data[]"));
		goto out;
	}
	for (i = 0; i < json_array_size(data); i++) {
		json_t *e = json_array_get(data, i);
		json_t *ec = json_object_get(e, "encrypt_certificate");

		if (!json_is_object(ec)) {
			rc = QUAN_EPROTO;
			err_set_cause(cause,
			    xstrdup("certificate entry without "
			    "encrypt_certificate"));
			goto out;
		}
		rc = wx_cert_decrypt(c->apiv3, jstr(ec, "algorithm"),
		    jstr(ec, "nonce"), jstr(ec, "associated_data"),
		    jstr(ec, "ciphertext"), jstr(e, "serial_no"), &certs[n],
		    &c2);
		if (rc != 0) {
			err_set_cause(cause, xasprintf("certificate %zu: %s", i,
			    c2 ? c2 : "?"));
			free(c2);
			goto out;
		}
		n++;
	}
	/* The answer must verify under a known or a just-decrypted cert. */
	tmp = wx_trust_new();
	for (i = 0; i < n; i++)
		wx_trust_add_cert(tmp, certs[i]);
	rc = wxpay_process(c, &r, NULL, &res);
	if (rc == QUAN_ENOTFOUND) {
		const char *sn = http_resp_header(&r, "Wechatpay-Serial");
		rc = wx_trust_verify(tmp, sn,
		    http_resp_header(&r, "Wechatpay-Timestamp"),
		    http_resp_header(&r, "Wechatpay-Nonce"),
		    http_resp_header(&r, "Wechatpay-Signature"),
		    buf_str(&r.body), r.body.len, wxpay_ctx_now(c), &c2);
		if (rc != 0) {
			err_set_cause(cause, xasprintf("certificate list not "
			    "trusted: %s", c2 ? c2 : "?"));
			free(c2);
			rc = QUAN_EPROTO;
			goto out;
		}
	} else if (rc != 0) {
		err_set_cause(cause,
		    xasprintf("certificate list not trusted: %s",
		    res.message));
		goto out;
	}
	for (i = 0; i < n; i++) {
		if (wx_cert_check_time(certs[i], wxpay_ctx_now(c), NULL) != 0)
			continue; /* expired or not yet valid: keep out */
		wx_trust_add_cert(c->trust, certs[i]);
	}
	log_info("platform certificates: %zu received, %zu trusted in all", n,
	    wx_trust_count(c->trust));
	rc = 0;
out:
	for (i = 0; i < n; i++)
		wx_cert_free(certs[i]);
	wx_trust_free(tmp);
	json_decref(o);
	wxpay_result_free(&res);
	http_resp_free(&r);
	return rc;
}
