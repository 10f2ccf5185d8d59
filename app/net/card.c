/*
 * card.c — the WeChat card API client behind card.h: a shared, mutex-held
 * access_token cache (one fetch at a time), one refresh-and-retry on
 * 40001/42001/40014, tolerant parsing of code/get answers.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "crypto/wxsign.h"
#include "net/card.h"
#include "net/http.h"
#include "util/config.h"
#include "util/err.h"
#include "util/log.h"
#include "util/str.h"
#include "util/tm.h"
#include "util/xmem.h"

#define TOKEN_MAX 1024
#define TOKEN_MARGIN_MS (60 * 1000) /* refresh this long before expiry */

struct card_ctx {
	char *base_url;
	char *appid;
	char *secret;     /* wiped on free */
	char *token_url;
	char *ca_file;
	long connect_ms, total_ms;
	int classic;
	pthread_mutex_t mu; /* guards token, expires_ms, fetches */
	char *token;
	uint64_t expires_ms; /* monotonic */
	long fetches;
};

struct card {
	struct card_ctx *c;
	struct http *h;
	int fresh;    /* the next call's POST on a new connection */
};

int
card_ctx_new(const struct card_cfg *cfg, struct card_ctx **out,
    char **cause)
{
	struct card_ctx *c;
	char *c2 = NULL;
	int rc;

	*out = NULL;
	if (str_empty(cfg->appid) || str_empty(cfg->base_url)) {
		err_set_cause(cause, xstrdup("[card] needs appid and base_url"));
		return QUAN_ECONFIG;
	}
	if (str_empty(cfg->secret) && str_empty(cfg->token_url)) {
		err_set_cause(cause, xstrdup("[card] needs token_url (central "
		    "token service) or secret (AppSecret file)"));
		return QUAN_ECONFIG;
	}
	if ((rc = config_check_trust_file(cfg->ca_file, &c2)) != 0) {
		err_set_cause(cause, xasprintf("[card] %s", c2));
		free(c2);
		return QUAN_ECONFIG;
	}
	c = xcalloc(1, sizeof *c);
	pthread_mutex_init(&c->mu, NULL);
	c->base_url = xstrdup(cfg->base_url);
	while (strlen(c->base_url) > 0 &&
	    c->base_url[strlen(c->base_url) - 1] == '/')
		c->base_url[strlen(c->base_url) - 1] = '\0';
	c->appid = xstrdup(cfg->appid);
	c->token_url = str_empty(cfg->token_url) ? NULL : xstrdup(cfg->token_url);
	c->ca_file = str_empty(cfg->ca_file) ? NULL : xstrdup(cfg->ca_file);
	c->connect_ms = cfg->connect_timeout_ms;
	c->total_ms = cfg->timeout_ms;
	c->classic = cfg->classic_token;
	if (c->token_url == NULL) {
		rc = wx_secret_read(cfg->secret, 128, &c->secret, &c2);
		if (rc != 0) {
			err_set_cause(cause, xasprintf("[card] %s", c2 ? c2 : "?"));
			free(c2);
			card_ctx_free(c);
			return rc;
		}
	}
	*out = c;
	return QUAN_OK;
}

void
card_ctx_free(struct card_ctx *c)
{
	if (c == NULL)
		return;
	free(c->base_url);
	free(c->appid);
	wx_wipe_free(c->secret);
	free(c->token_url);
	free(c->ca_file);
	wx_wipe_free(c->token);
	pthread_mutex_destroy(&c->mu);
	free(c);
}

void
card_ctx_forget_token(struct card_ctx *c)
{
	pthread_mutex_lock(&c->mu);
	wx_wipe_free(c->token);
	c->token = NULL;
	pthread_mutex_unlock(&c->mu);
}

long
card_ctx_token_fetches(struct card_ctx *c)
{
	long n;

	pthread_mutex_lock(&c->mu);
	n = c->fetches;
	pthread_mutex_unlock(&c->mu);
	return n;
}

int
card_new(struct card_ctx *c, const atomic_int *stop, struct card **out,
    char **cause)
{
	struct card *k;
	int rc;

	*out = NULL;
	k = xcalloc(1, sizeof *k);
	k->c = c;
	if ((rc = http_new_timed(c->ca_file, c->connect_ms, c->total_ms, stop,
	    &k->h, cause)) != 0) {
		free(k);
		return rc;
	}
	*out = k;
	return QUAN_OK;
}

void
card_free(struct card *k)
{
	if (k == NULL)
		return;
	http_free(k->h);
	free(k);
}

long
card_connections(const struct card *k)
{
	return http_connections(k->h);
}

void
card_result_init(struct card_result *r)
{
	memset(r, 0, sizeof *r);
	r->can_consume = -1;
}

void
card_result_free(struct card_result *r)
{
	if (r == NULL)
		return;
	free(r->body);
	card_result_init(r);
}

/* ---- parsing ---------------------------------------------------------- */

static int
take_str(json_t *o, const char *k, char *dst, size_t n,
    struct card_result *res)
{
	json_t *v = o ? json_object_get(o, k) : NULL;

	if (v == NULL || json_is_null(v))
		return 1;
	if (!json_is_string(v) || json_string_length(v) >= n) {
		snprintf(res->errmsg, sizeof res->errmsg,
		    "reply field %s is not a string of < %zu bytes", k, n);
		return 0;
	}
	snprintf(dst, n, "%s", json_string_value(v));
	return 1;
}

static int
take_int(json_t *o, const char *k, int64_t *dst, struct card_result *res)
{
	json_t *v = o ? json_object_get(o, k) : NULL;

	if (v == NULL || json_is_null(v))
		return 1;
	if (json_is_integer(v)) {
		*dst = json_integer_value(v);
		return 1;
	}
	if (json_is_string(v)) { /* tolerate "1457452800" */
		char *e;
		long long x = strtoll(json_string_value(v), &e, 10);
		if (*e == '\0' && e != json_string_value(v)) {
			*dst = x;
			return 1;
		}
	}
	snprintf(res->errmsg, sizeof res->errmsg,
	    "reply field %s is not an integer", k);
	return 0;
}

/* can_consume as bool or "true"/"false"; -1 absent, -2 malformed. */
static int
bool_of(json_t *v)
{
	if (v == NULL || json_is_null(v))
		return -1;
	if (json_is_boolean(v))
		return json_is_true(v);
	if (json_is_string(v)) {
		if (strcmp(json_string_value(v), "true") == 0)
			return 1;
		if (strcmp(json_string_value(v), "false") == 0)
			return 0;
	}
	return -2;
}

int
card_parse(const char *body, size_t len, struct card_result *res)
{
	json_error_t jerr;
	json_t *o, *card, *v;
	int64_t ec = 0;
	int b;

	o = json_loadb(body, len, JSON_REJECT_DUPLICATES, &jerr);
	if (o == NULL || !json_is_object(o)) {
		json_decref(o);
		snprintf(res->errmsg, sizeof res->errmsg,
		    "reply is not a JSON object: %s", o ? "" : jerr.text);
		return res->rc = QUAN_EPROTO;
	}
	card = json_object_get(o, "card");
	if (card != NULL && !json_is_object(card)) {
		snprintf(res->errmsg, sizeof res->errmsg,
		    "reply field card is not an object");
		goto bad;
	}
	if (!take_int(o, "errcode", &ec, res) ||
	    !take_str(o, "errmsg", res->errmsg, sizeof res->errmsg, res) ||
	    !take_str(o, "openid", res->openid, sizeof res->openid, res) ||
	    !take_str(o, "code", res->code, sizeof res->code, res) ||
	    !take_str(o, "user_card_status", res->user_card_status,
	    sizeof res->user_card_status, res) ||
	    !take_str(card, "card_id", res->card_id, sizeof res->card_id,
	    res) ||
	    !take_str(card, "card_type", res->card_type,
	    sizeof res->card_type, res) ||
	    !take_int(card, "begin_time", &res->begin_time, res) ||
	    !take_int(card, "end_time", &res->end_time, res))
		goto bad;
	/* Older docs put the state inside "card". */
	if (res->user_card_status[0] == '\0' &&
	    !take_str(card, "user_card_status", res->user_card_status,
	    sizeof res->user_card_status, res))
		goto bad;
	v = json_object_get(o, "can_consume");
	if (v == NULL && card != NULL)
		v = json_object_get(card, "can_consume");
	b = bool_of(v);
	if (b == -2) {
		snprintf(res->errmsg, sizeof res->errmsg,
		    "reply field can_consume is not a boolean");
		goto bad;
	}
	res->can_consume = b;
	res->errcode = (long)ec;
	json_decref(o);
	return res->rc = 0;
bad:
	json_decref(o);
	return res->rc = QUAN_EPROTO;
}

enum card_class
card_classify(const struct card_result *r, int64_t now, const char **reason)
{
	const char *why = "rejected";
	enum card_class k = CARD_REJECTED;

	if (r->rc != 0) {
		k = r->rc == QUAN_ECONFIG ? CARD_CONFIG : CARD_RETRY;
		why = r->rc == QUAN_ECONFIG ? "config_error" :
		    r->rc == QUAN_EPROTO || r->rc == QUAN_ETOOBIG ?
		    "bad_reply" : r->rc == QUAN_EIO ? "wechat_busy" :
		    r->rc == QUAN_EBUSY ? "quota_minute" : "network";
		goto out;
	}
	if (r->http != 200) {
		k = CARD_RETRY;
		why = r->http >= 500 ? "wechat_busy" : "bad_reply";
		goto out;
	}
	switch (r->errcode) {
	case 0:
		k = CARD_OK;
		why = "ok";
		if (strcmp(r->user_card_status, "CONSUMED") == 0) {
			k = CARD_ALREADY;
			why = "already_used";
		} else if (r->begin_time > 0 && now < r->begin_time) {
			k = CARD_REJECTED;
			why = "not_yet_valid";
		} else if ((r->end_time > 0 && now > r->end_time) ||
		    strcmp(r->user_card_status, "EXPIRE") == 0) {
			k = CARD_REJECTED;
			why = "expired";
		} else if (r->can_consume == 0 ||
		    (r->user_card_status[0] != '\0' &&
		    strcmp(r->user_card_status, "NORMAL") != 0)) {
			k = CARD_REJECTED;
			if (strcmp(r->user_card_status, "DELETE") == 0 ||
			    strcmp(r->user_card_status, "GIFTING") == 0 ||
			    strcmp(r->user_card_status, "GIFT_TIMEOUT") == 0)
				why = "deleted_or_gifting";
			else
				why = "not_usable";
		}
		break;
	case -1:
		k = CARD_RETRY;
		why = "wechat_busy";
		break;
	case 40001:
	case 42001:
	case 40014:
		k = CARD_RETRY;
		why = "token_invalid";
		break;
	case 45011:
		k = CARD_RETRY;
		why = "quota_minute";
		break;
	case 45009:
		k = CARD_CONFIG;
		why = "quota_exceeded";
		break;
	case 48001:
	case 45030:
	case 40164:
	case 40013:
	case 40125:
		k = CARD_CONFIG;
		why = "config_error";
		break;
	case 40099:
		k = CARD_ALREADY;
		why = "already_used";
		break;
	case 40056:
	case 40116:
		why = "invalid_code";
		break;
	case 40127:
		/* Refined by card_code_get's follow-up query when it could. */
		if (strcmp(r->user_card_status, "EXPIRE") == 0 ||
		    (r->end_time > 0 && now > r->end_time))
			why = "expired";
		else if (strcmp(r->user_card_status, "UNAVAILABLE") == 0)
			why = "not_usable";
		else
			why = "deleted_or_gifting";
		break;
	case 40078:
		why = "card_invalid";
		break;
	case 41012:
		why = "card_id_missing";
		break;
	default:
		why = "rejected";
		break;
	}
out:
	if (reason != NULL)
		*reason = why;
	return k;
}

const char *
card_class_name(enum card_class c)
{
	switch (c) {
	case CARD_OK:
		return "ok";
	case CARD_RETRY:
		return "retry";
	case CARD_ALREADY:
		return "already";
	case CARD_REJECTED:
		return "rejected";
	case CARD_CONFIG:
		return "config";
	}
	return "?";
}

/* ---- tokens ----------------------------------------------------------- */

/* Fetch a token (ctx locked by the caller). 0 and c->token set, or an
 * error with cause: QUAN_ECONFIG (WeChat refused our credentials),
 * QUAN_ENET/ETIMEDOUT/EPROTO/EIO. */
static int
fetch_token(struct card *k, int refresh, char **cause)
{
	struct card_ctx *c = k->c;
	struct http_resp r;
	const char *hdrs[3] = { "Accept: application/json", NULL, NULL };
	char *url, *body = NULL, *c2 = NULL;
	json_t *o = NULL, *at, *ei, *ec;
	int rc;

	http_resp_init(&r);
	if (c->token_url != NULL) {
		url = xasprintf("%s%sappid=%s%s", c->token_url,
		    strchr(c->token_url, '?') ? "&" : "?", c->appid,
		    refresh ? "&refresh=1" : "");
		rc = http_request(k->h, "GET", url, hdrs, NULL, 0, &r, &c2);
	} else if (c->classic) {
		url = xasprintf("%s/cgi-bin/token?grant_type=client_credential"
		    "&appid=%s&secret=%s", c->base_url, c->appid, c->secret);
		rc = http_request(k->h, "GET", url, hdrs, NULL, 0, &r, &c2);
	} else {
		json_t *b = json_pack("{s:s,s:s,s:s,s:b}", "grant_type",
		    "client_credential", "appid", c->appid, "secret", c->secret,
		    "force_refresh", 0);
		char *s = b ? json_dumps(b, JSON_COMPACT) : NULL;

		json_decref(b);
		body = s ? xstrdup(s) : xstrdup("{}");
		if (s != NULL) {
			memset(s, 0, strlen(s));
			free(s);
		}
		url = xasprintf("%s/cgi-bin/stable_token", c->base_url);
		hdrs[1] = "Content-Type: application/json";
		rc = http_request(k->h, "POST", url, hdrs, body, strlen(body),
		    &r, &c2);
	}
	/* The URL or body may hold the secret: wipe before freeing. */
	memset(url, 0, strlen(url));
	free(url);
	wx_wipe_free(body);
	if (rc != 0) {
		err_set_cause(cause, xasprintf("access_token: %s", c2 ? c2 :
		    quan_strerror(rc)));
		free(c2);
		goto out;
	}
	if (r.status != 200) {
		rc = r.status >= 500 ? QUAN_EIO : QUAN_EPROTO;
		err_set_cause(cause, xasprintf("access_token: HTTP %ld", r.status));
		goto out;
	}
	o = json_loadb(buf_str(&r.body), r.body.len, 0, NULL);
	at = o ? json_object_get(o, "access_token") : NULL;
	ei = o ? json_object_get(o, "expires_in") : NULL;
	ec = o ? json_object_get(o, "errcode") : NULL;
	if (json_is_integer(ec) && json_integer_value(ec) != 0) {
		json_int_t e = json_integer_value(ec);
		json_t *em = json_object_get(o, "errmsg");

		rc = e == -1 ? QUAN_EIO : e == 45011 ? QUAN_EBUSY :
		    QUAN_ECONFIG;
		err_set_cause(cause, xasprintf("access_token refused: errcode "
		    "%lld %.100s", (long long)e, json_is_string(em) ?
		    json_string_value(em) : ""));
		goto out;
	}
	if (!json_is_string(at) || json_string_length(at) == 0 ||
	    json_string_length(at) > TOKEN_MAX || !json_is_integer(ei) ||
	    json_integer_value(ei) <= 0 || json_integer_value(ei) > 86400) {
		rc = QUAN_EPROTO;
		err_set_cause(cause, xstrdup("access_token: malformed answer"));
		goto out;
	}
	wx_wipe_free(c->token);
	c->token = xstrdup(json_string_value(at));
	c->expires_ms = tm_mono_ms() +
	    (uint64_t)json_integer_value(ei) * 1000;
	c->fetches++;
	log_info("card access_token fetched (%s), valid %lld s",
	    c->token_url ? "token service" : c->classic ? "cgi-bin/token" :
	    "stable_token", (long long)json_integer_value(ei));
	rc = 0;
out:
	json_decref(o);
	http_resp_free(&r);
	return rc;
}

/* A copy of a usable token in *tok. bad: the token WeChat just refused
 * (forces a fetch unless another thread already replaced it). */
static int
get_token(struct card *k, const char *bad, char **tok, char **cause)
{
	struct card_ctx *c = k->c;
	uint64_t now;
	int rc = 0;

	*tok = NULL;
	pthread_mutex_lock(&c->mu);
	now = tm_mono_ms();
	if (c->token == NULL || now + TOKEN_MARGIN_MS >= c->expires_ms ||
	    (bad != NULL && strcmp(bad, c->token) == 0))
		rc = fetch_token(k, bad != NULL, cause);
	if (rc == 0)
		*tok = xstrdup(c->token);
	pthread_mutex_unlock(&c->mu);
	return rc;
}

/* ---- calls ------------------------------------------------------------ */

static int
token_error(long e)
{
	return e == 40001 || e == 42001 || e == 40014;
}

static int
call(struct card *k, const char *label, const char *path, json_t *req,
    struct card_result *res)
{
	struct card_ctx *c = k->c;
	const char *hdrs[] = { "Accept: application/json",
	    "Content-Type: application/json", NULL };
	char *body, *s, *tok = NULL, *bad = NULL, *cause = NULL, *url;
	struct http_resp r;
	int attempt, rc = 0;

	card_result_free(res);
	s = req ? json_dumps(req, JSON_COMPACT) : NULL;
	json_decref(req);
	if (s == NULL) {
		res->rc = QUAN_EINVAL;
		snprintf(res->errmsg, sizeof res->errmsg, "bad arguments");
		return res->rc;
	}
	body = xstrdup(s);
	free(s);
	http_resp_init(&r);
	for (attempt = 0; attempt < 2; attempt++) {
		/* this attempt's request has not left (yet) */
		res->sent = 0;
		rc = get_token(k, bad, &tok, &cause);
		if (rc != 0) {
			res->rc = rc == QUAN_ECONFIG ? QUAN_ECONFIG : rc;
			snprintf(res->errmsg, sizeof res->errmsg, "%s",
			    cause ? cause : "no access_token");
			log_warn("%s: %s", label, res->errmsg);
			break;
		}
		url = xasprintf("%s%s?access_token=%s", c->base_url, path, tok);
		if (k->fresh)
			http_fresh_next(k->h);
		rc = http_request(k->h, "POST", url, hdrs, body, strlen(body),
		    &r, &cause);
		res->sent = http_request_sent(k->h);
		free(url);
		res->elapsed_us = r.elapsed_us;
		if (rc != 0) {
			res->rc = rc;
			snprintf(res->errmsg, sizeof res->errmsg, "%s",
			    cause ? cause : quan_strerror(rc));
			log_info("%s: no answer (%s)", label, res->errmsg);
			break;
		}
		res->http = r.status;
		free(res->body);
		res->body = xstrndup(buf_str(&r.body), r.body.len);
		res->body_len = r.body.len;
		if (r.status != 200) {
			res->rc = 0;
			snprintf(res->errmsg, sizeof res->errmsg, "HTTP %ld",
			    r.status);
			log_warn("%s: HTTP %ld", label, r.status);
			break;
		}
		card_parse(res->body, res->body_len, res);
		if (res->rc == 0 && token_error(res->errcode) &&
		    attempt == 0) {
			log_info("%s: errcode %ld, refreshing access_token "
			    "once", label, res->errcode);
			wx_wipe_free(bad);
			bad = tok;
			tok = NULL;
			res->token_retried = 1;
			continue;
		}
		log_info("%s: errcode %ld %.1f ms", label, res->errcode,
		    (double)r.elapsed_us / 1000.0);
		break;
	}
	free(cause);
	wx_wipe_free(tok);
	wx_wipe_free(bad);
	free(body);
	http_resp_free(&r);
	return res->rc;
}

static json_t *
code_req(const char *card_id, const char *code)
{
	json_t *o;

	if (str_empty(code) || strlen(code) > 128 ||
	    (card_id != NULL && strlen(card_id) > 64))
		return NULL;
	o = json_object();
	if (json_object_set_new(o, "code", json_string(code)) != 0 ||
	    (!str_empty(card_id) && json_object_set_new(o, "card_id",
	    json_string(card_id)) != 0)) {
		json_decref(o);
		return NULL;
	}
	return o;
}

int
card_code_get(struct card *k, const char *card_id, const char *code,
    int check_consume, struct card_result *res)
{
	json_t *o = code_req(card_id, code);

	struct card_result d;

	if (o != NULL)
		json_object_set_new(o, "check_consume",
		    json_boolean(check_consume));
	call(k, "card/code/get", "/card/code/get", o, res);
	if (res->rc != 0 || res->errcode != 40127 || !check_consume)
		return res->rc;
	/* 40127 covers expired, deleted, unavailable and gifting codes:
	 * ask once more without check_consume to tell the cashier which. */
	card_result_init(&d);
	o = code_req(card_id, code);
	if (o != NULL)
		json_object_set_new(o, "check_consume", json_false());
	if (call(k, "card/code/get", "/card/code/get", o, &d) == 0 &&
	    d.errcode == 0) {
		snprintf(res->user_card_status, sizeof res->user_card_status,
		    "%s", d.user_card_status);
		res->can_consume = d.can_consume;
		res->begin_time = d.begin_time;
		res->end_time = d.end_time;
	}
	card_result_free(&d);
	return res->rc;
}

int
card_code_consume(struct card *k, const char *card_id, const char *code,
    struct card_result *res)
{
	int rc;

	/* not idempotent: libcurl must never resend it on its own (a
	 * dropped reused connection), or the resend reads 40099 and our own
	 * consume looks like another till's; sync's retry checks first */
	k->fresh = 1;
	rc = call(k, "card/code/consume", "/card/code/consume",
	    code_req(card_id, code), res);
	k->fresh = 0;
	return rc;
}

int
card_code_decrypt(struct card *k, const char *encrypt_code,
    struct card_result *res)
{
	json_t *o = NULL;

	if (!str_empty(encrypt_code) && strlen(encrypt_code) <= 512)
		o = json_pack("{s:s}", "encrypt_code", encrypt_code);
	return call(k, "card/code/decrypt", "/card/code/decrypt", o, res);
}

int
card_get(struct card *k, const char *card_id, struct card_result *res)
{
	json_t *o = NULL;

	if (!str_empty(card_id) && strlen(card_id) <= 64)
		o = json_pack("{s:s}", "card_id", card_id);
	return call(k, "card/get", "/card/get", o, res);
}
