/*
 * callback.c — COUPON.SEND notifications. A sent coupon queues one row in
 * the callbacks table (the envelope with the AEAD_AES_256_GCM resource is
 * built once, so every retry carries the same id and body); a delivery
 * thread POSTs due rows, signing each attempt with the platform key, and
 * retries every callback_retry_s seconds up to callback_attempts times in
 * total (WeChat: 60 s x 11). Answers 200/204 count as delivered.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "net/http.h"
#include "sim/sim_int.h"
#include "util/err.h"
#include "util/log.h"
#include "util/tm.h"
#include "util/xmem.h"

void
sim_callback_queue_env(struct sim *s, const char *url, const char *event_type,
	const char *summary, const char *original_type, const uint8_t *key,
	const char *aad, const char *ptxt, const char *code,
	const char *stock_id, int brand)
{
	static const char ins[] =
		"INSERT INTO callbacks(id, created, url, body, coupon_code, "
		"stock_id, attempts, next_at, state, signer) "
		"VALUES (?1, ?2, ?3, ?4, ?5, ?6, 0, ?7, 'pending', ?8)";
	json_t *env, *p;
	char id[40], hex[33], nonce[16], t[40], *ct = NULL, *body;

	sim_rand_alnum(nonce, 12);
	if (wx_aead_encrypt(key, nonce, aad, ptxt, strlen(ptxt), &ct) != 0) {
		log_error("cannot encrypt a callback");
		return;
	}
	if (wx_nonce(hex) != 0)
		sim_rand_alnum(hex, 32);
	for (char *q = hex; *q; q++)
		if (*q >= 'A' && *q <= 'Z')
			*q = (char)(*q - 'A' + 'a');
	snprintf(id, sizeof id, "%.8s-%.4s-%.4s-%.4s-%.12s", hex, hex + 8,
		hex + 12, hex + 16, hex + 20);
	env = json_pack("{s:s,s:s,s:s,s:s,s:s,s:{s:s,s:s,s:s,s:s,s:s}}",
		"id", id, "create_time", sim_rfc3339(tm_now(), t, sizeof t),
		"resource_type", "encrypt-resource", "event_type",
		event_type, "summary", summary, "resource",
		"original_type", original_type, "algorithm",
		"AEAD_AES_256_GCM", "ciphertext", ct, "associated_data", aad,
		"nonce", nonce);
	body = json_dumps(env, JSON_COMPACT);
	p = json_pack("[sIssssI]", id, (json_int_t)tm_now(), url, body, code,
		stock_id, (json_int_t)tm_now_ms());
	json_array_append_new(p, brand ? json_string("brand") : json_null());
	if (simdb_run(s->db, ins, p, NULL) != 0)
		log_error("cannot queue a callback");
	json_decref(p);
	json_decref(env);
	free(body);
	free(ct);
	pthread_cond_signal(&s->cb_cond);
}

void
sim_callback_queue(struct sim *s, const char *code, const char *stock_id,
	const char *openid, int64_t send_time, const char *channel)
{
	static const char url_sql[] =
		"SELECT v FROM meta WHERE k = 'notify_url'";
	json_t *u = simdb_row(s->db, url_sql, NULL), *pt;
	char t[40], *ptxt;

	if (u == NULL)
		return;
	pt = json_pack("{s:s,s:s,s:s,s:s,s:s,s:s,s:s}", "event_type",
		"EVENT_TYPE_BUSICOUPON_SEND", "coupon_code", code, "stock_id",
		stock_id, "send_time", sim_rfc3339(send_time, t, sizeof t),
		"openid", openid, "send_channel", channel, "send_merchant",
		s->ids.mchid);
	ptxt = json_dumps(pt, JSON_COMPACT);
	json_decref(pt);
	sim_callback_queue_env(s, json_string_value(json_object_get(u, "v")),
		"COUPON.SEND", "商家券领券通知", "coupon", s->apiv3, "coupon",
		ptxt, code, stock_id, 0);
	free(ptxt);
	json_decref(u);
}

/* One attempt; returns the HTTP status or 0 with *err set. Signed with
 * the platform key, the public-key pair, or alternately (attempt parity),
 * as --callback-sign says. */
static int
deliver(struct sim *s, struct http *h, const char *url, const char *body,
	int attempt, int brand, char **err)
{
	int pub = s->callback_sign == 1 ||
		(s->callback_sign == 2 && attempt % 2 == 1);
	struct wx_key *k = brand ? s->brand_pubkey_key : pub ? s->pubkey_key :
		s->platform_key;
	const char *serial = brand ? s->ids.brand_pub_key_id : pub ?
		s->ids.pub_key_id : s->ids.platform_serial;
	char ts[24], nonce[WX_NONCE_LEN + 1], *msg, *sig = NULL;
	char *hv[8];
	const char *hdrs[9];
	size_t mlen, i, n = 0;
	struct http_resp r;
	int rc, status = 0;

	snprintf(ts, sizeof ts, "%lld", (long long)(tm_now() +
		s->faults.skew_s));
	if (wx_nonce(nonce) != 0)
		sim_rand_alnum(nonce, 32);
	msg = wx_resp_message(ts, nonce, body, strlen(body), &mlen);
	if (wx_sign(k, msg, mlen, &sig) != 0)
		sig = xstrdup("");
	free(msg);
	hv[n++] = xstrdup("Content-Type: application/json");
	hv[n++] = xstrdup("Accept: */*");
	hv[n++] = xasprintf("Wechatpay-Timestamp: %s", ts);
	hv[n++] = xasprintf("Wechatpay-Nonce: %s", nonce);
	hv[n++] = xasprintf("Wechatpay-Signature: %s", sig);
	hv[n++] = xasprintf("Wechatpay-Serial: %s", serial);
	hv[n++] = xasprintf("Wechatpay-Signature-Type: %s", brand ?
		WX_BRAND_AUTH_SCHEMA : WX_AUTH_SCHEMA);
	hv[n++] = xasprintf("Request-ID: %s", nonce);
	for (i = 0; i < n; i++)
		hdrs[i] = hv[i];
	hdrs[n] = NULL;
	http_resp_init(&r);
	rc = http_request(h, "POST", url, hdrs, body, strlen(body), &r, err);
	if (rc == 0)
		status = (int)r.status;
	http_resp_free(&r);
	for (i = 0; i < n; i++)
		free(hv[i]);
	free(sig);
	return status;
}

static void *
cb_main(void *arg)
{
	static const char due[] =
		"SELECT id, url, body, attempts, signer FROM callbacks WHERE "
		"state = 'pending' AND next_at <= ?1 ORDER BY next_at LIMIT 8";
	static const char upd[] =
		"UPDATE callbacks SET attempts = attempts + 1, next_at = ?2, "
		"state = ?3, last_status = ?4, last_error = ?5, "
		"delivered_at = ?6 WHERE id = ?1";
	static const char att[] =
		"INSERT INTO callback_attempts(callback_id, at, status, error) "
		"VALUES (?1, ?2, ?3, ?4)";
	struct sim *s = arg;
	struct http *h = NULL;
	struct http_opts ho;
	char *cause = NULL;

	memset(&ho, 0, sizeof ho);
	ho.ca_file = s->ca_file;
	ho.connect_timeout_ms = 2000;
	ho.timeout_ms = 5000;
	ho.max_body = 64 * 1024;
	ho.user_agent = "Mozilla/4.0";
	if (http_new(&ho, &h, &cause) != 0) {
		log_error("callbacks disabled: %s", cause ? cause : "");
		free(cause);
		h = NULL;
	}
	pthread_mutex_lock(&s->mu);
	while (!s->stopping) {
		json_t *p = json_pack("[I]", (json_int_t)tm_now_ms());
		json_t *rows = NULL, *x;
		size_t i;

		if (tm_now_ms() - s->stats_flushed_ms >= 1000) {
			sim_stats_flush(s);
			s->stats_flushed_ms = tm_now_ms();
		}
		if (h != NULL)
			simdb_run(s->db, due, p, &rows);
		json_decref(p);
		if (rows == NULL || json_array_size(rows) == 0) {
			struct timespec ts;

			json_decref(rows);
			clock_gettime(CLOCK_REALTIME, &ts);
			ts.tv_nsec += 200 * 1000000L;
			if (ts.tv_nsec >= 1000000000L) {
				ts.tv_sec++;
				ts.tv_nsec -= 1000000000L;
			}
			pthread_cond_timedwait(&s->cb_cond, &s->mu, &ts);
			continue;
		}
		pthread_mutex_unlock(&s->mu);
		json_array_foreach(rows, i, x) {
			const char *id = json_string_value(json_object_get(x,
				"id"));
			char *err = NULL;
			int st = deliver(s, h, json_string_value(
				json_object_get(x, "url")), json_string_value(
				json_object_get(x, "body")),
				(int)json_integer_value(json_object_get(x,
				"attempts")), json_is_string(json_object_get(x,
				"signer")), &err);
			int ok = st == 200 || st == 204;
			json_int_t n = json_integer_value(json_object_get(x,
				"attempts")) + 1;
			const char *state = ok ? "delivered" :
				n >= s->callback_attempts ? "failed" :
				"pending";
			char e[160];

			if (err == NULL && !ok)
				snprintf(e, sizeof e, "HTTP %d", st);
			else
				snprintf(e, sizeof e, "%s", err ? err : "");
			log_info("callback %s attempt %d: %s", id, (int)n,
				ok ? "delivered" : e);
			pthread_mutex_lock(&s->mu);
			p = json_pack("[sIsiso]", id, (json_int_t)(tm_now_ms() +
				(int64_t)s->callback_retry_s * 1000), state, st,
				e, ok ? json_integer(tm_now()) : json_null());
			simdb_run(s->db, upd, p, NULL);
			json_decref(p);
			p = json_pack("[sIis]", id, (json_int_t)tm_now(), st,
				e);
			simdb_run(s->db, att, p, NULL);
			json_decref(p);
			pthread_mutex_unlock(&s->mu);
			free(err);
		}
		json_decref(rows);
		pthread_mutex_lock(&s->mu);
	}
	pthread_mutex_unlock(&s->mu);
	http_free(h);
	return NULL;
}

int
sim_callback_start(struct sim *s)
{
	if (http_global_init() != 0)
		return QUAN_EIO;
	if (pthread_create(&s->cb_thread, NULL, cb_main, s) != 0)
		return QUAN_EIO;
	s->cb_started = 1;
	return 0;
}

void
sim_callback_stop(struct sim *s)
{
	if (!s->cb_started)
		return;
	pthread_mutex_lock(&s->mu);
	s->stopping = 1;
	pthread_cond_signal(&s->cb_cond);
	pthread_mutex_unlock(&s->mu);
	pthread_join(s->cb_thread, NULL);
	s->cb_started = 0;
}
