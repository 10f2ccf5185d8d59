/*
 * bench.c — `quan sim bench DIR`: how many redemptions per second the
 * simulator serves on loopback. Creates a stock through the API, writes n
 * coupons into sim.db, then redeems them over `conns` keep-alive
 * connections, each request signed with the merchant key and each answer's
 * signature verified with the platform certificate (the full client cost).
 */
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "net/http.h"
#include "sim/sim_int.h"
#include "util/err.h"
#include "util/tm.h"
#include "util/xmem.h"

struct bench {
	const char *base;
	const char *ca;
	struct sim_ids ids;
	struct wx_key *mkey;
	struct wx_pub *ppub;
	char stock[32];
	char prefix[24];
	int n;
	atomic_int next;
	atomic_int ok, bad, verify_fail;
};

static int
post(struct bench *b, struct http *h, const char *path, const char *body,
	struct http_resp *r, int verify, char **cause)
{
	char *auth = NULL, *url = xasprintf("%s%s", b->base, path);
	char *ah = NULL;
	const char *hdrs[4];
	int rc;

	rc = wx_auth_header(b->mkey, b->ids.mchid, b->ids.merchant_serial,
		"POST", path, body, strlen(body), NULL, NULL, &auth);
	if (rc != 0) {
		free(url);
		*cause = xstrdup("signing failed");
		return rc;
	}
	ah = xasprintf("Authorization: %s", auth);
	hdrs[0] = "Accept: application/json";
	hdrs[1] = "Content-Type: application/json";
	hdrs[2] = ah;
	hdrs[3] = NULL;
	rc = http_request(h, "POST", url, hdrs, body, strlen(body), r, cause);
	if (rc == 0 && verify && wx_verify_response(b->ppub,
	    http_resp_header(r, "Wechatpay-Timestamp"),
	    http_resp_header(r, "Wechatpay-Nonce"),
	    http_resp_header(r, "Wechatpay-Signature"), r->body.b ?
	    r->body.b : "", r->body.len, tm_now(), NULL) != 0)
		rc = QUAN_EPROTO;
	free(auth);
	free(ah);
	free(url);
	return rc;
}

static int
client(struct bench *b, struct http **h, char **cause)
{
	struct http_opts o;

	memset(&o, 0, sizeof o);
	o.ca_file = b->ca;
	o.timeout_ms = 10000;
	o.user_agent = "quan-sim-bench/1.0";
	return http_new(&o, h, cause);
}

static void *
worker(void *arg)
{
	struct bench *b = arg;
	struct http *h = NULL;
	char *cause = NULL, t[40];
	int i;

	if (client(b, &h, &cause) != 0) {
		free(cause);
		return NULL;
	}
	sim_rfc3339(tm_now(), t, sizeof t);
	while ((i = atomic_fetch_add(&b->next, 1)) < b->n) {
		struct http_resp r;
		char body[512];
		int rc;

		snprintf(body, sizeof body, "{\"coupon_code\":\"%s%07d\","
			"\"stock_id\":\"%s\",\"appid\":\"%s\",\"use_time\":"
			"\"%s\",\"use_request_no\":\"B%s%07d\"}", b->prefix, i,
			b->stock, b->ids.appid, t, b->prefix, i);
		http_resp_init(&r);
		rc = post(b, h, "/v3/marketing/busifavor/coupons/use", body,
			&r, 1, &cause);
		if (rc == 0 && r.status == 200)
			atomic_fetch_add(&b->ok, 1);
		else if (rc == QUAN_EPROTO)
			atomic_fetch_add(&b->verify_fail, 1);
		else
			atomic_fetch_add(&b->bad, 1);
		free(cause);
		cause = NULL;
		http_resp_free(&r);
	}
	http_free(h);
	return NULL;
}

int
sim_bench(const char *dir, const char *url, int n, int conns, int json,
	char **cause)
{
	static const char ins[] =
		"INSERT INTO coupons(code, stock_id, openid, appid, state, "
		"send_request_no, receive_time, start_time, expire_time) "
		"VALUES (?1, ?2, 'oSIMbench', ?3, 'SENDED', ?1, ?4, ?4, ?5)";
	struct bench b;
	struct http *h = NULL;
	struct http_resp r;
	struct simdb *db = NULL;
	struct wx_cert *pc = NULL;
	pthread_t th[64];
	char *p, *base = NULL, tb[40], te[40], body[1024];
	json_t *j;
	uint64_t t0, t1;
	double secs, rate;
	int rc, i, nth = 0;

	memset(&b, 0, sizeof b);
	http_resp_init(&r);
	if ((rc = sim_ids_load(dir, &b.ids, cause)) != 0)
		return rc;
	p = sim_path(dir, "merchant/apiclient_key.pem");
	rc = wx_key_load_file(p, &b.mkey, cause);
	free(p);
	if (rc != 0)
		return rc;
	p = sim_path(dir, "platform/cert.pem");
	rc = wx_cert_load_file(p, &pc, cause);
	free(p);
	if (rc == 0)
		rc = wx_pub_from_cert(pc, &b.ppub);
	wx_cert_free(pc);
	if (rc != 0)
		goto out;
	base = url ? xstrdup(url) : xasprintf("https://127.0.0.1:%u",
		b.ids.port);
	b.base = base;
	p = sim_path(dir, "ca.pem");
	b.ca = p;
	b.n = n;
	http_global_init();
	if ((rc = client(&b, &h, cause)) != 0)
		goto out;
	snprintf(body, sizeof body, "{\"stock_name\":\"bench\","
		"\"belong_merchant\":\"%s\",\"goods_name\":\"bench\","
		"\"stock_type\":\"NORMAL\",\"coupon_use_rule\":{"
		"\"coupon_available_time\":{\"available_begin_time\":\"%s\","
		"\"available_end_time\":\"%s\"},\"fixed_normal_coupon\":{"
		"\"discount_amount\":100,\"transaction_minimum\":100},"
		"\"use_method\":\"OFF_LINE\"},\"stock_send_rule\":{"
		"\"max_coupons\":10000000,\"max_coupons_per_user\":100},"
		"\"out_request_no\":\"bench%lld\",\"coupon_code_mode\":"
		"\"MERCHANT_API\"}", b.ids.mchid,
		sim_rfc3339(tm_now() - 86400, tb, sizeof tb),
		sim_rfc3339(tm_now() + 86400 * 30, te, sizeof te),
		(long long)tm_now_ms());
	rc = post(&b, h, "/v3/marketing/busifavor/stocks", body, &r, 1,
		cause);
	if (rc != 0 || r.status != 200) {
		if (rc == 0) {
			*cause = xasprintf("create stock: HTTP %ld %s",
				r.status, buf_str(&r.body));
			rc = QUAN_EPROTO;
		}
		goto out;
	}
	j = json_loads(buf_str(&r.body), 0, NULL);
	snprintf(b.stock, sizeof b.stock, "%s", json_string_value(
		json_object_get(j, "stock_id")) ?: "");
	json_decref(j);
	snprintf(b.prefix, sizeof b.prefix, "BN%lld",
		(long long)(tm_now_ms() % 100000000));
	p = sim_path(dir, "sim.db");
	rc = sim_db_open(p, &db, cause);
	free(p);
	if (rc != 0)
		goto out;
	simdb_begin(db);
	for (i = 0; i < n; i++) {
		char code[40];
		json_t *pp;

		snprintf(code, sizeof code, "%s%07d", b.prefix, i);
		pp = json_pack("[sssII]", code, b.stock, b.ids.appid,
			(json_int_t)(tm_now() - 86400),
			(json_int_t)(tm_now() + 86400 * 30));
		simdb_run(db, ins, pp, NULL);
		json_decref(pp);
	}
	if (simdb_commit(db) != 0) {
		*cause = xstrdup("cannot write bench coupons into sim.db");
		rc = QUAN_EIO;
		goto out;
	}
	simdb_close(db);
	db = NULL;

	t0 = tm_mono_us();
	for (i = 0; i < conns && i < 64; i++)
		if (pthread_create(&th[nth], NULL, worker, &b) == 0)
			nth++;
	for (i = 0; i < nth; i++)
		pthread_join(th[i], NULL);
	t1 = tm_mono_us();
	secs = (double)(t1 - t0) / 1e6;
	rate = secs > 0 ? (double)atomic_load(&b.ok) / secs : 0;
	if (json)
		printf("{\"redemptions\":%d,\"failed\":%d,\"verify_failed\":%d,"
			"\"conns\":%d,\"seconds\":%.3f,\"per_second\":%.1f}\n",
			atomic_load(&b.ok), atomic_load(&b.bad),
			atomic_load(&b.verify_fail), nth, secs, rate);
	else
		printf("%d redemptions (%d failed, %d unverified) over %d "
			"keep-alive connections in %.3f s: %.1f/s\n",
			atomic_load(&b.ok), atomic_load(&b.bad),
			atomic_load(&b.verify_fail), nth, secs, rate);
	rc = atomic_load(&b.ok) == n ? 0 : QUAN_EPROTO;
	if (rc != 0)
		*cause = xasprintf("%d of %d redemptions failed (server run "
			"with --use-qps 0?)", n - atomic_load(&b.ok), n);
out:
	http_resp_free(&r);
	http_free(h);
	simdb_close(db);
	wx_key_free(b.mkey);
	wx_pub_free(b.ppub);
	free((char *)b.ca);
	free(base);
	return rc;
}
