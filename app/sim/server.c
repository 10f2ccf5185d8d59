/*
 * server.c — `quan sim serve`: loads DIR, starts the HTTPS server and turns
 * every request into an answer. The order of work per request mirrors what
 * WeChat does: injected faults that pre-empt the request (latency, 5xx, 429
 * bursts), header checks, the Authorization signature, JSON parsing, the
 * endpoint, then the signed answer (and faults that hit the answer: bad or
 * probe signatures, clock skew, truncation, dropping after applying).
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "crypto/crypto.h"
#include "sim/sim_int.h"
#include "util/err.h"
#include "util/log.h"
#include "util/str.h"
#include "util/tm.h"
#include "util/xmem.h"

#define SIM_BODY_MAX (64 * 1024)


/* ---- path ------------------------------------------------------------- */

/* Split the raw path into decoded segments; refuse empty, ".", "..",
 * segments that decode to '/' or control bytes. */
static int
split_path(struct sim_ctx *c, const char *path)
{
	const char *p = path;

	if (*p != '/')
		return -1;
	p++;
	while (*p != '\0') {
		const char *slash = strchr(p, '/');
		size_t n = slash ? (size_t)(slash - p) : strlen(p);
		char *seg;
		const char *q;
		size_t k;

		if (c->nseg >= (int)(sizeof c->seg / sizeof c->seg[0]))
			return -1;
		if (n == 0 && slash == NULL)
			break; /* trailing slash */
		seg = httpd_pct_decode(p, n);
		if (seg == NULL || seg[0] == '\0' || strcmp(seg, ".") == 0 ||
		    strcmp(seg, "..") == 0 || strchr(seg, '/') != NULL ||
		    strlen(seg) > SIM_ID_MAX) {
			free(seg);
			return -1;
		}
		/* ids go into JSON and SQL: UTF-8 without control
		 * characters, or the path is refused */
		for (q = seg; *q; q += k) {
			k = str_utf8_len((const unsigned char *)q, strlen(q));
			if (k == 0 || (unsigned char)*q < 0x20 || *q == 0x7f) {
				free(seg);
				return -1;
			}
		}
		c->seg[c->nseg++] = seg;
		p += n;
		if (*p == '/')
			p++;
	}
	return 0;
}

/* ---- response signing ------------------------------------------------- */

static void
sign_response(struct sim *s, struct sim_ctx *c, struct httpd_resp *rs,
	const char *body, size_t len, uint64_t seq, int pub_mode)
{
	char ts[24], nonce[WX_NONCE_LEN + 1], *msg, *sig = NULL;
	size_t mlen;
	const struct sim_faults *f = &s->faults;
	struct wx_key *k = c->brand ? s->brand_pubkey_key : pub_mode ?
		s->pubkey_key : s->platform_key;
	const char *path = httpd_req_path(c->req);
	/* the signature faults honour only= like the others */
	int faulty = f->only[0] == '\0' ||
		strncmp(path, f->only, strlen(f->only)) == 0;

	snprintf(ts, sizeof ts, "%lld",
		(long long)(tm_now() + f->skew_s));
	if (wx_nonce(nonce) != 0)
		snprintf(nonce, sizeof nonce, "%016llx%016llx",
			(unsigned long long)sim_rnd64(),
			(unsigned long long)sim_rnd64());
	msg = wx_resp_message(ts, nonce, body, len, &mlen);
	if (wx_sign(k, msg, mlen, &sig) != 0)
		sig = xstrdup("");
	free(msg);
	if (faulty && f->psigntest &&
	    sim_draw(s->seed, seq, 4) < f->psigntest) {
		char junk[48];

		sim_rand_alnum(junk, 40);
		free(sig);
		sig = xasprintf("%s%s", WX_SIGNTEST_PREFIX, junk);
	} else if (faulty && f->pbadsig &&
	    sim_draw(s->seed, seq, 3) < f->pbadsig && sig[0] != '\0') {
		sig[5] = sig[5] == 'A' ? 'B' : 'A';
	}
	httpd_resp_header(rs, "Wechatpay-Timestamp", ts);
	httpd_resp_header(rs, "Wechatpay-Nonce", nonce);
	httpd_resp_header(rs, "Wechatpay-Signature", sig);
	httpd_resp_header(rs, "Wechatpay-Serial", c->brand ?
		s->ids.brand_pub_key_id : pub_mode ? s->ids.pub_key_id :
		s->ids.platform_serial);
	httpd_resp_header(rs, "Wechatpay-Signature-Type", c->brand ?
		WX_BRAND_AUTH_SCHEMA : WX_AUTH_SCHEMA);
	free(sig);
}

/* ---- the v3 pre-checks ------------------------------------------------ */

static int
has_4byte_utf8(const char *p, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if ((unsigned char)p[i] >= 0xF0)
			return 1;
	return 0;
}

/* Header, signature and body checks of an APIv3 request (scheme
 * merchant) or a 品牌API one (scheme brand: brand_id, the brand
 * certificate, and Wechatpay-Serial naming the brand's public key id);
 * 0 to go on, -1 with c's answer set. */
static int
v3_checks(struct sim_ctx *c, const char *body, size_t len,
	enum wx_scheme scheme)
{
	struct sim *s = c->s;
	const struct httpd_req *r = c->req;
	const char *auth, *accept, *ua;
	struct wx_auth a;
	char *cause = NULL, *message = NULL, sn[sizeof a.serial * 4];
	int rc;

	accept = httpd_req_header(r, "Accept");
	ua = httpd_req_header(r, "User-Agent");
	if (accept == NULL || *accept == '\0' || ua == NULL || *ua == '\0') {
		sim_err(c, 400, "INVALID_REQUEST",
			"Http头缺少Accept或User-Agent");
		return -1;
	}
	auth = httpd_req_header(r, "Authorization");
	if (auth == NULL || *auth == '\0') {
		sim_err(c, 401, "SIGN_ERROR",
			"Http头Authorization值格式错误，请参考《微信支付商户REST"
			"API签名规则》: Authorization header missing");
		return -1;
	}
	if (wx_auth_parse(auth, &a, &cause) != 0) {
		char *m = xasprintf("Http头Authorization值格式错误，请参考《微信"
			"支付商户REST API签名规则》: %s", cause ? cause : "");
		sim_err(c, 401, "SIGN_ERROR", m);
		free(m);
		free(cause);
		return -1;
	}
	if (scheme == WX_SCHEME_BRAND) {
		const char *ws = httpd_req_header(r, "Wechatpay-Serial");

		if (s->brand_pub == NULL || strcmp(a.brand_id,
		    s->ids.brand_id) != 0) {
			sim_err(c, 401, "SIGN_ERROR",
				"Authorization中brand_id有误或品牌不存在");
			return -1;
		}
		if (ws == NULL || strcmp(ws, s->ids.brand_pub_key_id) != 0) {
			sim_err(c, 401, "SIGN_ERROR", "Http头Wechatpay-Serial须"
				"为brand_id对应的微信支付公钥ID");
			return -1;
		}
		if (strcmp(a.serial, s->ids.brand_serial) != 0) {
			sim_err(c, 401, "SIGN_ERROR", "品牌API证书序列号有误");
			return -1;
		}
	} else if (strcmp(a.mchid, s->ids.mchid) != 0) {
		sim_err(c, 400, "MCH_NOT_EXISTS", "商户号不存在");
		return -1;
	}
	if (scheme == WX_SCHEME_MERCHANT &&
	    strcmp(a.serial, s->ids.merchant_serial) != 0) {
		sim_err(c, 401, "SIGN_ERROR",
			"商户证书序列号有误。请使用签名私钥匹配的证书序列号");
		json_object_set_new(c->resp, "detail", json_pack("{s:s}",
			"serial_no", str_clean(sn, sizeof sn, a.serial,
			strlen(a.serial))));
		return -1;
	}
	rc = wx_auth_verify_as(scheme, auth, scheme == WX_SCHEME_BRAND ?
		s->brand_pub : s->merchant_pub, c->method,
		httpd_req_target(r), body, len, tm_now(), &a, &message,
		&cause);
	if (rc != 0) {
		if (message != NULL) {
			size_t ml = strlen(message);
			size_t keep = ml > 4096 ? 4096 : ml;
			json_t *si;

			sim_err(c, 401, "SIGN_ERROR",
				"签名错误，请检查后再试");
			si = json_pack("{s:s,s:s,s:I,s:s%}",
				"method", c->method,
				"url", httpd_req_target(r),
				"sign_message_length", (json_int_t)ml,
				"truncated_sign_message", message, keep);
			json_object_set_new(c->resp, "detail",
				json_pack("{s:s,s:o}", "detail",
				"signature mismatch", "sign_information", si));
		} else {
			char *m = xasprintf("签名错误: %s",
				cause ? cause : "invalid");
			sim_err(c, 401, "SIGN_ERROR", m);
			free(m);
		}
		free(message);
		free(cause);
		return -1;
	}
	free(message);
	free(cause);
	if (len > 0) {
		json_error_t je;

		if (has_4byte_utf8(body, len)) {
			sim_err(c, 400, "PARAM_ERROR",
				"请求体含有4字节UTF-8字符（如emoji）");
			json_object_set_new(c->resp, "detail",
				json_pack("{s:s}", "location", "body"));
			return -1;
		}
		c->body = json_loadb(body, len, JSON_REJECT_DUPLICATES, &je);
		if (c->body == NULL || !json_is_object(c->body)) {
			sim_err(c, 400, "PARAM_ERROR",
				"请求体不是合法的JSON对象");
			json_object_set_new(c->resp, "detail", json_pack(
				"{s:s,s:s}", "location", "body", "issue",
				c->body ? "not an object" : je.text));
			return -1;
		}
	} else if (strcmp(c->method, "POST") == 0 ||
	    strcmp(c->method, "PATCH") == 0) {
		sim_err(c, 400, "PARAM_ERROR", "请求体为空");
		return -1;
	}
	return 0;
}

static void
handle(void *arg, const struct httpd_req *req, struct httpd_resp *rs)
{
	struct sim *s = arg;
	struct sim_ctx c;
	const struct sim_faults *f = &s->faults;
	uint64_t seq = atomic_fetch_add(&s->seq, 1);
	const char *path = httpd_req_path(req);
	const char *body, *ws;
	size_t len;
	int v3 = strncmp(path, "/v3/", 4) == 0;
	int brand = strncmp(path, "/brand/", 7) == 0;
	int card = strncmp(path, "/cgi-bin/", 9) == 0 ||
		strncmp(path, "/card/", 6) == 0;
	int v2 = strncmp(path, "/pay/", 5) == 0 ||
		strncmp(path, "/secapi/", 8) == 0;
	int faulty = f->only[0] == '\0' ||
		strncmp(path, f->only, strlen(f->only)) == 0;
	int pub_mode, drop = 0, trunc = 0, rc;
	char *out = NULL, reqid[56];
	size_t outlen = 0;
	int i;

	memset(&c, 0, sizeof c);
	c.s = s;
	c.req = req;
	c.method = httpd_req_method(req);
	c.query = httpd_req_query(req);
	c.now = tm_now();
	c.seq = seq;
	c.status = 500;
	c.brand = brand;
	snprintf(c.route, sizeof c.route, "%s OTHER", c.method);
	body = httpd_req_body(req, &len);
	ws = httpd_req_header(req, "Wechatpay-Serial");
	pub_mode = ws != NULL && strncmp(ws, WX_PUBKEY_ID_PREFIX,
		strlen(WX_PUBKEY_ID_PREFIX)) == 0;

	if (faulty && f->lat_max_ms > 0) {
		unsigned ms = f->lat_min_ms;

		if (f->lat_max_ms > f->lat_min_ms)
			ms += sim_draw(s->seed, seq, 0) %
				(f->lat_max_ms - f->lat_min_ms + 1);
		usleep((useconds_t)ms * 1000);
	}
	if (split_path(&c, path) != 0) {
		if (card) {
			sim_ok(&c, 200, json_pack("{s:i,s:s}", "errcode",
				40097, "errmsg", "invalid args: bad path"));
		} else {
			sim_err(&c, 400, "PARAM_ERROR",
				"请求路径不合法（非法的路径参数）");
			json_object_set_new(c.resp, "detail",
				json_pack("{s:s}", "location", "path"));
		}
		goto answer;
	}
	if (faulty && f->burst_every > 0 &&
	    seq % f->burst_every < f->burst_n) {
		if (card)
			sim_ok(&c, 200, json_pack("{s:i,s:s}", "errcode",
				45011, "errmsg", "api minute-quota reach "
				"limit, mustslower retry next minute"));
		else
			sim_err(&c, 429, "FREQUENCY_LIMITED",
				"请求频率超过限制，请稍后再试");
		goto answer;
	}
	if (faulty && f->p5xx && sim_draw(s->seed, seq, 1) < f->p5xx) {
		if (card)
			sim_ok(&c, 200, json_pack("{s:i,s:s}", "errcode", -1,
				"errmsg", "system error"));
		else if (sim_draw(s->seed, seq, 6) % 2 == 0)
			sim_err(&c, 500, "SYSTEM_ERROR",
				"系统错误，请使用相同参数稍后重新调用");
		else
			sim_err(&c, 503, "SERVICE_UNAVAILABLE",
				"服务不可用，请稍后重试");
		goto answer;
	}
	if (v3) {
		if (v3_checks(&c, body, len, WX_SCHEME_MERCHANT) != 0)
			goto answer;
		rc = sim_pay_v3_route(&c);
		if (rc == QUAN_ENOTFOUND)
			rc = sim_pc_route(&c, 0);
		if (rc == QUAN_ENOTFOUND)
			rc = sim_v3_route(&c);
	} else if (brand) {
		if (v3_checks(&c, body, len, WX_SCHEME_BRAND) != 0)
			goto answer;
		rc = sim_pc_route(&c, 1);
	} else if (v2) {
		rc = sim_pay_v2_route(&c, body, len);
	} else if (card) {
		rc = sim_card_route(&c);
	} else {
		rc = QUAN_ENOTFOUND;
	}
	if (rc == QUAN_ENOTFOUND) {
		if (card)
			sim_ok(&c, 404, json_pack("{s:i,s:s}", "errcode", 404,
				"errmsg", "not found"));
		else
			sim_err(&c, 404, "NOT_FOUND", "请求的资源不存在");
	}
	if (faulty && f->pdrop && sim_draw(s->seed, seq, 2) < f->pdrop)
		drop = 1;
	if (faulty && f->ptrunc && sim_draw(s->seed, seq, 5) < f->ptrunc)
		trunc = 1;

answer:
	sim_stats_count(s, c.route, c.status);
	log_debug("%s %s -> %d%s%s", httpd_req_peer(req), c.route, c.status,
		drop ? " (dropped)" : "", trunc ? " (truncated)" : "");
	if (drop) {
		httpd_resp_drop(rs);
		goto out;
	}
	httpd_resp_status(rs, c.status);
	if (c.raw != NULL) {
		/* APIv2: XML, its own sign inside, no v3 headers */
		outlen = strlen(c.raw);
		httpd_resp_header(rs, "Content-Type", "text/plain");
		httpd_resp_body(rs, c.raw, outlen);
		if (trunc && outlen > 1)
			httpd_resp_truncate(rs, outlen / 2);
		goto out;
	}
	if (c.resp != NULL) {
		out = json_dumps(c.resp, JSON_COMPACT);
		outlen = out ? strlen(out) : 0;
		httpd_resp_header(rs, "Content-Type",
			"application/json; charset=utf-8");
	}
	/* 商品券 errors carry their number after the last '-' (doc §2) */
	if (c.numeric > 0)
		snprintf(reqid, sizeof reqid, "%016llX%016llX-%ld",
			(unsigned long long)sim_rnd64(),
			(unsigned long long)seq, c.numeric);
	else
		snprintf(reqid, sizeof reqid, "%016llX%016llX",
			(unsigned long long)sim_rnd64(),
			(unsigned long long)seq);
	httpd_resp_header(rs, "Request-ID", reqid);
	httpd_resp_header(rs, "Server", "quan-sim");
	if (!card)
		sign_response(s, &c, rs, out ? out : "", outlen, seq,
			pub_mode);
	httpd_resp_body(rs, out ? out : "", outlen);
	if (trunc && outlen > 1)
		httpd_resp_truncate(rs, outlen / 2);
out:
	free(out);
	free(c.raw);
	json_decref(c.resp);
	json_decref(c.body);
	for (i = 0; i < c.nseg; i++)
		free(c.seg[i]);
}

/* ---- serve ------------------------------------------------------------ */

/* Point every base_url of DIR/quan.conf at the port we listen on. */
static void
rewrite_conf(const char *dir, const char *host, unsigned port)
{
	char *path = sim_path(dir, "quan.conf");
	char *tmp = xasprintf("%s.tmp", path);
	char *cause = NULL, *txt = sim_read_file(path, 1 << 16, &cause);
	FILE *fp;
	char *line, *next;

	if (txt == NULL) {
		free(cause);
		goto out;
	}
	fp = fopen(tmp, "w");
	if (fp == NULL)
		goto out;
	/* quan refuses a config others can write, whatever the umask */
	(void)fchmod(fileno(fp), 0644);
	for (line = txt; line != NULL && *line != '\0'; line = next) {
		next = strchr(line, '\n');
		if (next != NULL)
			*next++ = '\0';
		if (strncmp(line, "base_url", 8) == 0)
			fprintf(fp, "base_url = https://%s:%u\n", host, port);
		else
			fprintf(fp, "%s\n", line);
	}
	if (fclose(fp) == 0 && rename(tmp, path) == 0)
		log_info("base_url in %s now uses port %u", path, port);
out:
	free(txt);
	free(tmp);
	free(path);
}

static int
load_state(struct sim *s, const char *dir, char **cause)
{
	char *p;
	int rc;

	if ((rc = sim_ids_load(dir, &s->ids, cause)) != 0)
		return rc;
	p = sim_path(dir, "platform/key.pem");
	rc = wx_key_load_file(p, &s->platform_key, cause);
	free(p);
	if (rc != 0)
		return rc;
	p = sim_path(dir, "platform/pub_key_private.pem");
	rc = wx_key_load_file(p, &s->pubkey_key, cause);
	free(p);
	if (rc != 0)
		return rc;
	p = sim_path(dir, "merchant/apiclient_cert.pem");
	{
		struct wx_cert *mc = NULL;

		rc = wx_cert_load_file(p, &mc, cause);
		if (rc == 0)
			rc = wx_pub_from_cert(mc, &s->merchant_pub);
		wx_cert_free(mc);
	}
	free(p);
	if (rc != 0)
		return rc;
	p = sim_path(dir, "platform/cert.pem");
	s->platform_cert_pem = sim_read_file(p, 1 << 16, cause);
	free(p);
	if (s->platform_cert_pem == NULL)
		return QUAN_EIO;
	p = sim_path(dir, "apiv3.key");
	rc = wx_apiv3_key_load(p, s->apiv3, cause);
	free(p);
	if (rc != 0)
		return rc;
	p = sim_path(dir, "card.secret");
	rc = wx_secret_read(p, 128, &s->card_secret, cause);
	free(p);
	if (rc != 0)
		return rc;
	p = sim_path(dir, "apiv2.key");
	if (access(p, F_OK) == 0) {
		rc = wx_secret_read(p, 128, &s->apiv2_key, cause);
		if (rc != 0) {
			free(p);
			return rc;
		}
	}
	free(p);
	if (s->ids.brand_id[0] != '\0') {
		struct wx_cert *bc = NULL;

		p = sim_path(dir, "brand/apiclient_cert.pem");
		rc = wx_cert_load_file(p, &bc, cause);
		free(p);
		if (rc == 0)
			rc = wx_pub_from_cert(bc, &s->brand_pub);
		wx_cert_free(bc);
		if (rc != 0)
			return rc;
		p = sim_path(dir, "brand/pub_key_private.pem");
		rc = wx_key_load_file(p, &s->brand_pubkey_key, cause);
		free(p);
		if (rc != 0)
			return rc;
		p = sim_path(dir, "brand/api.key");
		rc = wx_apiv3_key_load(p, s->brand_apikey, cause);
		free(p);
		if (rc != 0)
			return rc;
	}
	s->ca_file = sim_path(dir, "ca.pem");
	p = sim_path(dir, "sim.db");
	rc = sim_db_open(p, &s->db, cause);
	free(p);
	return rc;
}

static void
free_state(struct sim *s)
{
	simdb_close(s->db);
	wx_key_free(s->platform_key);
	wx_key_free(s->pubkey_key);
	wx_pub_free(s->merchant_pub);
	wx_pub_free(s->brand_pub);
	wx_key_free(s->brand_pubkey_key);
	memset(s->brand_apikey, 0, sizeof s->brand_apikey);
	free(s->platform_cert_pem);
	wx_wipe_free(s->card_secret);
	wx_wipe_free(s->apiv2_key);
	free(s->ca_file);
	json_decref(s->quota);
	memset(s->apiv3, 0, sizeof s->apiv3);
}

int
sim_serve(const char *dir, const struct sim_serve_opts *o, char **cause)
{
	struct sim s;
	struct httpd_opts ho;
	struct httpd *h = NULL;
	char host[64] = "127.0.0.1", *cert = NULL, *key = NULL, *p;
	char *mcert = NULL;
	unsigned port = 0, bound = 0;
	sigset_t set;
	int rc, sig = 0;

	memset(&s, 0, sizeof s);
	pthread_mutex_init(&s.mu, NULL);
	pthread_cond_init(&s.cb_cond, NULL);
	s.dir = (char *)dir;
	s.seed = o->seed;
	s.callback_retry_s = o->callback_retry_s > 0 ? o->callback_retry_s : 60;
	s.callback_attempts = o->callback_attempts > 0 ?
		o->callback_attempts : 11;
	s.use_qps = o->use_qps;
	s.callback_sign = o->callback_sign;
	s.token_ttl_s = o->token_ttl_s > 0 ? o->token_ttl_s : 7200;
	s.token_grace_s = o->token_grace_s >= 0 ? o->token_grace_s : 300;
	s.card_quota = o->card_quota;
	s.pc_order = o->pc_order;
	s.quota = json_object();
	s.stats = json_object();
	if (o->faults != NULL &&
	    (rc = sim_faults_parse(o->faults, &s.faults, cause)) != 0)
		goto out;
	if ((rc = load_state(&s, dir, cause)) != 0)
		goto out;
	port = s.ids.port;
	if (o->listen != NULL) {
		const char *colon = strrchr(o->listen, ':');
		char *end;
		unsigned long v;

		if (colon == NULL || colon == o->listen ||
		    (size_t)(colon - o->listen) >= sizeof host) {
			*cause = xasprintf("--listen wants ADDR:PORT, got '%s'",
				o->listen);
			rc = QUAN_EINVAL;
			goto out;
		}
		memcpy(host, o->listen, (size_t)(colon - o->listen));
		host[colon - o->listen] = '\0';
		if (host[0] == '[' && host[strlen(host) - 1] == ']') {
			memmove(host, host + 1, strlen(host));
			host[strlen(host) - 1] = '\0';
		}
		errno = 0;
		v = strtoul(colon + 1, &end, 10);
		if (errno != 0 || *end != '\0' || end == colon + 1 ||
		    v > 65535) {
			*cause = xasprintf("bad port in --listen '%s'",
				o->listen);
			rc = QUAN_EINVAL;
			goto out;
		}
		port = (unsigned)v;
	}
	p = sim_path(dir, "server/cert.pem");
	cert = sim_read_file(p, 1 << 16, cause);
	free(p);
	if (cert == NULL) {
		rc = QUAN_EIO;
		goto out;
	}
	p = sim_path(dir, "server/key.pem");
	if (wx_secret_check_mode(p, cause) != 0 ||
	    (key = sim_read_file(p, 1 << 16, cause)) == NULL) {
		free(p);
		rc = QUAN_EPERM;
		goto out;
	}
	free(p);
	/* /secapi/ wants the merchant's certificate (mutual TLS) */
	p = sim_path(dir, "merchant/apiclient_cert.pem");
	mcert = sim_read_file(p, 1 << 16, cause);
	free(p);
	if (mcert == NULL) {
		rc = QUAN_EIO;
		goto out;
	}

	/* Block the stop signals before any thread starts; we sigwait. */
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGHUP);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	signal(SIGPIPE, SIG_IGN);

	memset(&ho, 0, sizeof ho);
	ho.addr = host;
	ho.port = port;
	ho.cert_pem = cert;
	ho.key_pem = key;
	ho.client_trust_pem = mcert;
	ho.max_body = SIM_BODY_MAX;
	ho.timeout_s = 60;
	ho.handler = handle;
	ho.arg = &s;
	if ((rc = httpd_start(&ho, &h, &bound, cause)) != 0)
		goto out;
	if ((rc = sim_callback_start(&s)) != 0) {
		*cause = xstrdup("cannot start the callback thread");
		goto out;
	}
	if (!o->no_rewrite_conf && bound != s.ids.port) {
		char shown[80];

		/* a wildcard bind is reached through loopback */
		if (strcmp(host, "0.0.0.0") == 0)
			snprintf(shown, sizeof shown, "127.0.0.1");
		else if (strcmp(host, "::") == 0)
			snprintf(shown, sizeof shown, "[::1]");
		else if (strchr(host, ':') != NULL)
			snprintf(shown, sizeof shown, "[%s]", host);
		else
			snprintf(shown, sizeof shown, "%s", host);
		rewrite_conf(dir, shown, bound);
	}
	if (strchr(host, ':') != NULL)
		printf("listening https://[%s]:%u\n", host, bound);
	else
		printf("listening https://%s:%u\n", host, bound);
	fflush(stdout);
	log_info("serving %s (faults: %s, seed %llu)", dir,
		o->faults ? o->faults : "none", (unsigned long long)o->seed);

	sigwait(&set, &sig);
	log_info("signal %d: stopping", sig);
	rc = 0;
out:
	httpd_stop(h);
	sim_callback_stop(&s);
	if (s.db != NULL)
		sim_stats_flush(&s);
	json_decref(s.stats);
	free_state(&s);
	if (key != NULL) {
		memset(key, 0, strlen(key));
		free(key);
	}
	free(cert);
	free(mcert);
	pthread_cond_destroy(&s.cb_cond);
	pthread_mutex_destroy(&s.mu);
	return rc;
}
