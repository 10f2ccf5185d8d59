/*
 * card.c — the card-coupon (微信卡券) API: access tokens (/cgi-bin/token
 * and /cgi-bin/stable_token with expiry and a grace period for superseded
 * tokens), /card/get, /card/batchget, /card/code/get (check_consume),
 * /card/code/consume and /card/code/decrypt. Answers are HTTP 200 JSON with
 * errcode/errmsg, as WeChat's are; nothing here is signed.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crypto/crypto.h"
#include "net/httpd.h"
#include "sim/sim_int.h"
#include "util/err.h"
#include "util/log.h"
#include "util/xmem.h"

static void
cerr(struct sim_ctx *c, int code, const char *msg)
{
	sim_ok(c, 200, json_pack("{s:i,s:s}", "errcode", code, "errmsg", msg));
}

static json_t *
okobj(void)
{
	return json_pack("{s:i,s:s}", "errcode", 0, "errmsg", "ok");
}

static void
route(struct sim_ctx *c, const char *tmpl)
{
	snprintf(c->route, sizeof c->route, "%s %s", c->method, tmpl);
}

/* ---- tokens ----------------------------------------------------------- */

static void
new_token(char *out, size_t n)
{
	sim_rand_alnum(out, n - 1 > 120 ? 120 : n - 1);
}

/* Issue a token of kind; supersede the current ones (they stay valid for
 * grace seconds, or not at all when grace < 0). Caller holds mu. */
static void
issue(struct sim *s, const char *kind, int64_t now, int grace, char *tok,
	size_t n)
{
	static const char sup[] =
		"UPDATE tokens SET superseded = ?2 WHERE kind = ?1 AND "
		"superseded IS NULL";
	static const char ins[] =
		"INSERT INTO tokens(token, kind, issued, expires) "
		"VALUES (?1, ?2, ?3, ?4)";
	json_t *p;

	p = json_pack("[sI]", kind, (json_int_t)(grace < 0 ? now - 1 :
		now + grace));
	simdb_run(s->db, sup, p, NULL);
	json_decref(p);
	new_token(tok, n);
	p = json_pack("[ssII]", tok, kind, (json_int_t)now,
		(json_int_t)(now + s->token_ttl_s));
	simdb_run(s->db, ins, p, NULL);
	json_decref(p);
}

static int
cred_ok(struct sim_ctx *c, const char *appid, const char *secret)
{
	if (appid == NULL || strcmp(appid, c->s->ids.card_appid) != 0) {
		cerr(c, 40013, "invalid appid");
		return 0;
	}
	if (secret == NULL || strcmp(secret, c->s->card_secret) != 0) {
		cerr(c, 40125, "invalid appsecret");
		return 0;
	}
	return 1;
}

static void
token(struct sim_ctx *c)
{
	struct sim *s = c->s;
	char *gt = httpd_query_get(c->query, "grant_type");
	char *appid = httpd_query_get(c->query, "appid");
	char *secret = httpd_query_get(c->query, "secret");
	char tok[128];

	route(c, "/cgi-bin/token");
	if (strcmp(c->method, "GET") != 0) {
		cerr(c, 43001, "require GET method");
		goto out;
	}
	if (gt == NULL || strcmp(gt, "client_credential") != 0) {
		cerr(c, 40002, "invalid grant_type");
		goto out;
	}
	if (!cred_ok(c, appid, secret))
		goto out;
	pthread_mutex_lock(&s->mu);
	issue(s, "token", c->now, s->token_grace_s, tok, sizeof tok);
	pthread_mutex_unlock(&s->mu);
	sim_ok(c, 200, json_pack("{s:s,s:i}", "access_token", tok,
		"expires_in", s->token_ttl_s));
out:
	free(gt);
	free(appid);
	free(secret);
}

static void
stable_token(struct sim_ctx *c)
{
	static const char cur[] =
		"SELECT token, expires FROM tokens WHERE kind = 'stable' AND "
		"superseded IS NULL ORDER BY issued DESC LIMIT 1";
	static const char forced[] =
		"SELECT count(*) AS n, max(issued) AS last FROM tokens WHERE "
		"kind = 'stable' AND issued >= ?1 AND token LIKE '-%'";
	struct sim *s = c->s;
	const char *gt, *appid, *secret;
	json_t *fr, *r, *p;
	char tok[128];
	int force;
	int64_t left;

	route(c, "/cgi-bin/stable_token");
	if (strcmp(c->method, "POST") != 0 || c->body == NULL) {
		cerr(c, 44002, "empty post data");
		return;
	}
	gt = json_string_value(json_object_get(c->body, "grant_type"));
	appid = json_string_value(json_object_get(c->body, "appid"));
	secret = json_string_value(json_object_get(c->body, "secret"));
	fr = json_object_get(c->body, "force_refresh");
	force = json_is_true(fr);
	if (gt == NULL || strcmp(gt, "client_credential") != 0) {
		cerr(c, 40002, "invalid grant_type");
		return;
	}
	if (!cred_ok(c, appid, secret))
		return;
	pthread_mutex_lock(&s->mu);
	if (force) {
		/* at most 20 a day, 30 s apart */
		p = json_pack("[I]", (json_int_t)(c->now - 86400));
		r = simdb_row(s->db, forced, p);
		json_decref(p);
		if (json_integer_value(json_object_get(r, "n")) >= 20 ||
		    (json_is_integer(json_object_get(r, "last")) &&
		    c->now - json_integer_value(json_object_get(r, "last")) <
		    30)) {
			json_decref(r);
			pthread_mutex_unlock(&s->mu);
			cerr(c, 45009, "reach max api daily quota limit");
			return;
		}
		json_decref(r);
		issue(s, "stable", c->now, -1, tok, sizeof tok);
		/* mark forced refreshes for the limit with a character
		 * sim_rand_alnum never draws: a random token may start
		 * with any letter */
		tok[0] = '-';
		{
			static const char fix[] =
				"UPDATE tokens SET token = ?1 WHERE kind = "
				"'stable' AND superseded IS NULL";
			p = json_pack("[s]", tok);
			simdb_run(s->db, fix, p, NULL);
			json_decref(p);
		}
		left = s->token_ttl_s;
	} else {
		r = simdb_row(s->db, cur, NULL);
		left = r ? json_integer_value(json_object_get(r, "expires")) -
			c->now : 0;
		if (r == NULL || left < (s->token_grace_s > 0 ?
		    s->token_grace_s : 1)) {
			/* rotate: the old one keeps its own expiry */
			if (r != NULL) {
				issue(s, "stable", c->now, (int)left, tok,
					sizeof tok);
			} else {
				issue(s, "stable", c->now, 0, tok, sizeof tok);
			}
			left = s->token_ttl_s;
		} else {
			snprintf(tok, sizeof tok, "%s", json_string_value(
				json_object_get(r, "token")));
		}
		json_decref(r);
	}
	pthread_mutex_unlock(&s->mu);
	sim_ok(c, 200, json_pack("{s:s,s:I}", "access_token", tok,
		"expires_in", (json_int_t)left));
}

/* Check ?access_token=; 0 if good, else the errcode answer is set. */
static int
check_token(struct sim_ctx *c)
{
	static const char sql[] =
		"SELECT expires, superseded FROM tokens WHERE token = ?1";
	struct sim *s = c->s;
	char *tok = httpd_query_get(c->query, "access_token");
	json_t *p, *r;
	int rc = -1;

	if (tok == NULL || *tok == '\0') {
		cerr(c, 41001, "access_token missing");
		free(tok);
		return -1;
	}
	p = json_pack("[s]", tok);
	pthread_mutex_lock(&s->mu);
	r = simdb_row(s->db, sql, p);
	pthread_mutex_unlock(&s->mu);
	json_decref(p);
	if (r == NULL) {
		cerr(c, 40001, "invalid credential, access_token is invalid "
			"or not latest");
	} else if (c->now >= json_integer_value(json_object_get(r,
	    "expires"))) {
		cerr(c, 42001, "access_token expired");
	} else if (json_is_integer(json_object_get(r, "superseded")) &&
	    c->now >= json_integer_value(json_object_get(r, "superseded"))) {
		cerr(c, 40001, "invalid credential, access_token is invalid "
			"or not latest");
	} else {
		rc = 0;
	}
	json_decref(r);
	free(tok);
	return rc;
}

/* Daily quota per path; 0 ok, else 45009 set. */
static int
quota_ok(struct sim_ctx *c)
{
	struct sim *s = c->s;
	int64_t day = (c->now + 8 * 3600) / 86400;
	json_t *v;
	json_int_t n;
	int ok;

	if (s->card_quota <= 0)
		return 1;
	pthread_mutex_lock(&s->mu);
	if (s->quota_day != day) {
		json_object_clear(s->quota);
		s->quota_day = day;
	}
	v = json_object_get(s->quota, c->route);
	n = v ? json_integer_value(v) : 0;
	ok = n < s->card_quota;
	if (ok)
		json_object_set_new(s->quota, c->route, json_integer(n + 1));
	pthread_mutex_unlock(&s->mu);
	if (!ok)
		cerr(c, 45009, "reach max api daily quota limit");
	return ok;
}

/* ---- cards ------------------------------------------------------------ */

static void
card_get(struct sim_ctx *c)
{
	static const char sql[] = "SELECT body FROM cards WHERE card_id = ?1";
	struct sim *s = c->s;
	const char *id = json_string_value(json_object_get(c->body,
		"card_id"));
	json_t *p, *r, *o;

	if (id == NULL) {
		cerr(c, 41012, "missing card_id");
		return;
	}
	p = json_pack("[s]", id);
	pthread_mutex_lock(&s->mu);
	r = simdb_row(s->db, sql, p);
	pthread_mutex_unlock(&s->mu);
	json_decref(p);
	if (r == NULL) {
		cerr(c, 40073, "invalid card id");
		return;
	}
	o = okobj();
	json_object_set_new(o, "card", json_loads(json_string_value(
		json_object_get(r, "body")), 0, NULL));
	sim_ok(c, 200, o);
	json_decref(r);
}

static void
card_batchget(struct sim_ctx *c)
{
	static const char sql[] =
		"SELECT card_id, status FROM cards ORDER BY card_id";
	struct sim *s = c->s;
	json_t *off = json_object_get(c->body, "offset");
	json_t *cnt = json_object_get(c->body, "count");
	json_t *sl = json_object_get(c->body, "status_list");
	json_t *rows = NULL, *ids, *x, *o;
	json_int_t offset = json_integer_value(off);
	json_int_t count = json_integer_value(cnt);
	json_int_t i = 0, total = 0;
	size_t k;

	if ((off && !json_is_integer(off)) || !json_is_integer(cnt) ||
	    offset < 0 || count < 1 || count > 50 ||
	    (sl != NULL && !json_is_array(sl))) {
		cerr(c, 40097, "invalid args: offset >= 0, 1 <= count <= 50");
		return;
	}
	pthread_mutex_lock(&s->mu);
	simdb_run(s->db, sql, NULL, &rows);
	pthread_mutex_unlock(&s->mu);
	ids = json_array();
	json_array_foreach(rows, k, x) {
		const char *st = json_string_value(json_object_get(x,
			"status"));

		if (sl != NULL && json_array_size(sl) > 0) {
			size_t m;
			json_t *y;
			int hit = 0;

			json_array_foreach(sl, m, y)
				if (json_is_string(y) && strcmp(st,
				    json_string_value(y)) == 0)
					hit = 1;
			if (!hit)
				continue;
		}
		total++;
		if (i++ < offset || (json_int_t)json_array_size(ids) >= count)
			continue;
		json_array_append(ids, json_object_get(x, "card_id"));
	}
	o = okobj();
	json_object_set_new(o, "card_id_list", ids);
	json_object_set_new(o, "total_num", json_integer(total));
	sim_ok(c, 200, o);
	json_decref(rows);
}

/* Find a user card code: by (card_id, code), or by code among cards with
 * WeChat-generated codes (custom codes need their card_id). */
static json_t *
find_code(struct sim *s, const char *card_id, const char *code)
{
	static const char both[] =
		"SELECT k.*, c.custom_code FROM card_codes k JOIN cards c ON "
		"c.card_id = k.card_id WHERE k.card_id = ?1 AND k.code = ?2";
	static const char one[] =
		"SELECT k.*, c.custom_code FROM card_codes k JOIN cards c ON "
		"c.card_id = k.card_id WHERE k.code = ?1 AND "
		"c.custom_code = 0 LIMIT 1";
	json_t *p, *r;

	if (card_id != NULL) {
		p = json_pack("[ss]", card_id, code);
		r = simdb_row(s->db, both, p);
	} else {
		p = json_pack("[s]", code);
		r = simdb_row(s->db, one, p);
	}
	json_decref(p);
	return r;
}

static const char *
code_status(json_t *r, int64_t now)
{
	const char *st = json_string_value(json_object_get(r, "status"));

	if (strcmp(st, "NORMAL") == 0 &&
	    now > json_integer_value(json_object_get(r, "end_time")))
		return "EXPIRE";
	return st;
}

static int
code_args(struct sim_ctx *c, const char **card_id, const char **code)
{
	json_t *ci = json_object_get(c->body, "card_id");
	json_t *co = json_object_get(c->body, "code");

	*card_id = NULL;
	if (ci != NULL && !json_is_null(ci)) {
		if (!json_is_string(ci) || json_string_length(ci) == 0 ||
		    json_string_length(ci) > 64) {
			cerr(c, 40073, "invalid card id");
			return -1;
		}
		*card_id = json_string_value(ci);
	}
	if (!json_is_string(co) || json_string_length(co) == 0 ||
	    json_string_length(co) > 64) {
		cerr(c, 40056, "invalid serial code");
		return -1;
	}
	*code = json_string_value(co);
	return 0;
}

static void
code_get(struct sim_ctx *c)
{
	struct sim *s = c->s;
	const char *card_id, *code, *st;
	json_t *cc = json_object_get(c->body, "check_consume"), *r, *o;
	int check = cc == NULL || json_is_true(cc) ||
		(json_is_string(cc) && strcmp(json_string_value(cc),
		"true") == 0);
	int can;
	int64_t b, e;

	if (code_args(c, &card_id, &code) != 0)
		return;
	pthread_mutex_lock(&s->mu);
	r = find_code(s, card_id, code);
	pthread_mutex_unlock(&s->mu);
	if (r == NULL) {
		cerr(c, 40056, "invalid serial code");
		return;
	}
	st = code_status(r, c->now);
	b = json_integer_value(json_object_get(r, "begin_time"));
	e = json_integer_value(json_object_get(r, "end_time"));
	can = strcmp(st, "NORMAL") == 0 && c->now >= b && c->now <= e;
	if (check && strcmp(st, "CONSUMED") == 0) {
		cerr(c, 40099, "invalid code, this code has consumed.");
		goto out;
	}
	if (check && strcmp(st, "NORMAL") != 0) {
		cerr(c, 40127, "invalid user-card status! Hint: the card was "
			"given to user, but may be deleted or expired or set "
			"unavailable");
		goto out;
	}
	o = okobj();
	json_object_set_new(o, "card", json_pack("{s:O,s:I,s:I}", "card_id",
		json_object_get(r, "card_id"), "begin_time", (json_int_t)b,
		"end_time", (json_int_t)e));
	json_object_set(o, "openid", json_object_get(r, "openid"));
	json_object_set_new(o, "can_consume", json_boolean(can));
	json_object_set_new(o, "user_card_status", json_string(st));
	if (json_is_string(json_object_get(r, "outer_str")))
		json_object_set(o, "outer_str", json_object_get(r,
			"outer_str"));
	sim_ok(c, 200, o);
out:
	json_decref(r);
}

static void
code_consume(struct sim_ctx *c)
{
	static const char upd[] =
		"UPDATE card_codes SET status = 'CONSUMED', consumed_at = ?3 "
		"WHERE card_id = ?1 AND code = ?2 AND status = 'NORMAL'";
	static const char led[] =
		"INSERT INTO ledger(at, kind, code, ref, request_no) "
		"VALUES (?1, 'card_consume', ?2, ?3, NULL)";
	struct sim *s = c->s;
	const char *card_id, *code, *st;
	json_t *r, *p, *o;
	int64_t b;

	if (code_args(c, &card_id, &code) != 0)
		return;
	pthread_mutex_lock(&s->mu);
	r = NULL;
	if (simdb_begin(s->db) != 0) {
		cerr(c, -1, "system error");
		goto out;
	}
	r = find_code(s, card_id, code);
	if (r == NULL) {
		cerr(c, 40056, "invalid serial code");
		goto out;
	}
	st = code_status(r, c->now);
	b = json_integer_value(json_object_get(r, "begin_time"));
	if (strcmp(st, "CONSUMED") == 0) {
		cerr(c, 40099, "invalid code, this code has consumed.");
		goto out;
	}
	if (strcmp(st, "NORMAL") != 0) {
		cerr(c, 40127, "invalid user-card status! Hint: the card was "
			"given to user, but may be deleted or expired or set "
			"unavailable");
		goto out;
	}
	if (c->now < b) {
		cerr(c, 40079, "invalid time: the code is not valid yet");
		goto out;
	}
	p = json_pack("[OsI]", json_object_get(r, "card_id"), code,
		(json_int_t)c->now);
	simdb_run(s->db, upd, p, NULL);
	json_decref(p);
	p = json_pack("[IsO]", (json_int_t)c->now, code,
		json_object_get(r, "card_id"));
	simdb_run(s->db, led, p, NULL);
	json_decref(p);
	o = okobj();
	json_object_set_new(o, "card", json_pack("{s:O}", "card_id",
		json_object_get(r, "card_id")));
	json_object_set(o, "openid", json_object_get(r, "openid"));
	sim_ok(c, 200, o);
out:
	if (c->status == 200 && json_integer_value(json_object_get(c->resp,
	    "errcode")) == 0)
		simdb_commit(s->db);
	else
		simdb_rollback(s->db);
	pthread_mutex_unlock(&s->mu);
	json_decref(r);
}

/* POST /card/code/unavailable: the merchant kills a code for good. */
static void
code_unavailable(struct sim_ctx *c)
{
	static const char upd[] =
		"UPDATE card_codes SET status = 'UNAVAILABLE' WHERE "
		"card_id = ?1 AND code = ?2";
	struct sim *s = c->s;
	const char *card_id, *code, *st;
	json_t *r, *p;

	if (code_args(c, &card_id, &code) != 0)
		return;
	pthread_mutex_lock(&s->mu);
	r = find_code(s, card_id, code);
	if (r == NULL) {
		cerr(c, 40056, "invalid serial code");
		goto out;
	}
	st = json_string_value(json_object_get(r, "status"));
	if (strcmp(st, "CONSUMED") == 0) {
		cerr(c, 40099, "invalid code, this code has consumed.");
		goto out;
	}
	if (strcmp(st, "NORMAL") != 0) {
		cerr(c, 40127, "invalid user-card status! Hint: the card was "
			"given to user, but may be deleted or set unavailable");
		goto out;
	}
	p = json_pack("[Os]", json_object_get(r, "card_id"), code);
	simdb_run(s->db, upd, p, NULL);
	json_decref(p);
	sim_ok(c, 200, okobj());
out:
	pthread_mutex_unlock(&s->mu);
	json_decref(r);
}

/* encrypt_code = base64(iv[12] || AES-256-GCM(code) || tag) under
 * SHA-256("quan-sim-card:" + secret): a stand-in for WeChat's private
 * scheme with the same shape (opaque base64, ~64 chars). */
static void
card_key(const char *secret, uint8_t key[32])
{
	char *m = xasprintf("quan-sim-card:%s", secret);

	crypto_sha256(m, strlen(m), key);
	free(m);
}

char *
sim_card_encrypt_code(const char *secret, const char *code)
{
	uint8_t key[32], iv[12], *ct = NULL, *all;
	size_t ctlen = 0;
	char *out;

	card_key(secret, key);
	if (crypto_random(iv, sizeof iv) != 0)
		memset(iv, 9, sizeof iv);
	if (wx_gcm_encrypt(key, 32, iv, sizeof iv, NULL, 0, code,
	    strlen(code), &ct, &ctlen) != 0)
		return NULL;
	all = xmalloc(sizeof iv + ctlen);
	memcpy(all, iv, sizeof iv);
	memcpy(all + sizeof iv, ct, ctlen);
	out = wx_b64_encode(all, sizeof iv + ctlen);
	free(all);
	free(ct);
	return out;
}

static void
code_decrypt(struct sim_ctx *c)
{
	struct sim *s = c->s;
	const char *ec = json_string_value(json_object_get(c->body,
		"encrypt_code"));
	uint8_t key[32], *raw = NULL, *pt = NULL;
	size_t rlen = 0, plen = 0;
	json_t *o;

	if (ec == NULL || strlen(ec) > 512 ||
	    wx_b64_decode(ec, strlen(ec), &raw, &rlen) != 0 || rlen < 12 + 16) {
		free(raw);
		cerr(c, 40075, "invalid encrypt code");
		return;
	}
	card_key(s->card_secret, key);
	if (wx_gcm_decrypt(key, 32, raw, 12, NULL, 0, raw + 12, rlen - 12,
	    &pt, &plen) != 0) {
		free(raw);
		cerr(c, 40075, "invalid encrypt code");
		return;
	}
	o = okobj();
	json_object_set_new(o, "code", json_stringn((const char *)pt, plen));
	sim_ok(c, 200, o);
	free(raw);
	free(pt);
}

int
sim_card_route(struct sim_ctx *c)
{
	const char *p = httpd_req_path(c->req);
	size_t len;
	const char *body;
	json_error_t je;

	if (strcmp(p, "/cgi-bin/token") == 0) {
		token(c);
		return 0;
	}
	if (strcmp(c->method, "POST") != 0) {
		if (strncmp(p, "/card/", 6) == 0 ||
		    strcmp(p, "/cgi-bin/stable_token") == 0) {
			snprintf(c->route, sizeof c->route, "%s %s", c->method,
				p);
			cerr(c, 43002, "require POST method");
			return 0;
		}
		return QUAN_ENOTFOUND;
	}
	body = httpd_req_body(c->req, &len);
	c->body = json_loadb(body, len, JSON_REJECT_DUPLICATES, &je);
	if (c->body == NULL || !json_is_object(c->body)) {
		json_decref(c->body);
		c->body = NULL;
		snprintf(c->route, sizeof c->route, "POST %.80s", p);
		if (strcmp(p, "/cgi-bin/stable_token") == 0 ||
		    strncmp(p, "/card/", 6) == 0) {
			cerr(c, 47001, "data format error");
			return 0;
		}
		return QUAN_ENOTFOUND;
	}
	if (strcmp(p, "/cgi-bin/stable_token") == 0) {
		stable_token(c);
		return 0;
	}
	if (strcmp(p, "/card/get") == 0)
		route(c, "/card/get");
	else if (strcmp(p, "/card/batchget") == 0)
		route(c, "/card/batchget");
	else if (strcmp(p, "/card/code/get") == 0)
		route(c, "/card/code/get");
	else if (strcmp(p, "/card/code/consume") == 0)
		route(c, "/card/code/consume");
	else if (strcmp(p, "/card/code/decrypt") == 0)
		route(c, "/card/code/decrypt");
	else if (strcmp(p, "/card/code/unavailable") == 0)
		route(c, "/card/code/unavailable");
	else
		return QUAN_ENOTFOUND;
	if (check_token(c) != 0 || !quota_ok(c))
		return 0;
	if (strcmp(p, "/card/get") == 0)
		card_get(c);
	else if (strcmp(p, "/card/batchget") == 0)
		card_batchget(c);
	else if (strcmp(p, "/card/code/get") == 0)
		code_get(c);
	else if (strcmp(p, "/card/code/consume") == 0)
		code_consume(c);
	else if (strcmp(p, "/card/code/unavailable") == 0)
		code_unavailable(c);
	else
		code_decrypt(c);
	return 0;
}
