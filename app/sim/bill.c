/*
 * bill.c — the trade bill (交易账单) in `quan sim`: v3 GET
 * /v3/bill/tradebill?bill_date=YYYY-MM-DD[&bill_type=ALL] answers
 * {hash_type SHA1, hash_value, download_url}; GET
 * /v3/billdownload/file?token= (signed request, unsigned answer, like
 * WeChat's) gives the text; v2 POST /pay/downloadbill gives the text
 * directly (or return_code=FAIL "No Bill Exist").
 *
 * The bill of a day (Beijing time) is made from the ledger: a SUCCESS
 * row per payment and a REVOKED row per reversed payment (pay_ledger
 * 'pay' / 'reverse' rows of that day), a REFUND row per refund created
 * that day (pay_refunds), the merchant's export format of
 * app/core/bill.c with the 0.60% fee half up, then the summary. The sim
 * does not keep the device of a charge: 设备号 is empty. Compressed
 * (tar_type=GZIP) bills are refused; any date is served, today's too.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crypto/crypto.h"
#include "net/payxml.h"
#include "sim/sim_int.h"
#include "util/buf.h"
#include "util/err.h"
#include "util/money.h"
#include "util/xmem.h"

#define CST (8 * 3600)

static const char header[] = "交易时间,公众账号ID,商户号,特约商户号,"
	"设备号,微信订单号,商户订单号,用户标识,交易类型,交易状态,付款银行,"
	"货币种类,应结订单金额,代金券金额,微信退款单号,商户退款单号,退款金额,"
	"充值券退款金额,退款类型,退款状态,商品名称,商户数据包,手续费,费率,"
	"订单金额,申请退款金额,费率备注\r\n";

static const char *
s_(json_t *row, const char *k)
{
	const char *v = json_string_value(json_object_get(row, k));

	return v ? v : "";
}

static int64_t
i_(json_t *row, const char *k)
{
	return json_integer_value(json_object_get(row, k));
}

/* "YYYY-MM-DD" → the day's first second (UTC epoch of 00:00 +08:00). */
static int
day_start(const char *d, int64_t *out)
{
	int y, m, dd;
	char tail;
	int64_t days;

	if (d == NULL || strlen(d) != 10 || sscanf(d, "%4d-%2d-%2d%c", &y, &m,
	    &dd, &tail) != 3 || m < 1 || m > 12 || dd < 1 || dd > 31 ||
	    y < 2000 || y > 2200)
		return -1;
	/* days from civil (Howard Hinnant) */
	y -= m <= 2;
	{
		int64_t era = y / 400, yoe = y - era * 400;
		int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + dd - 1;
		int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;

		days = era * 146097 + doe - 719468;
	}
	*out = days * 86400 - CST;
	return 0;
}

static void
when(int64_t t, char *out, size_t n)
{
	time_t tt = (time_t)(t + CST);
	struct tm tmv;

	gmtime_r(&tt, &tmv);
	strftime(out, n, "%Y-%m-%d %H:%M:%S", &tmv);
}

static void
money(struct buf *b, int64_t fen)
{
	char m[32];

	buf_printf(b, ",`%s", money_format(fen, m, sizeof m));
}

static int64_t
fee(int64_t settle)
{
	int64_t a = settle < 0 ? -settle : settle, f = (a * 6 + 500) / 1000;

	return settle < 0 ? -f : f;
}

/* Σ vouchers of an order (type NULL: all). */
static int64_t
vsum(json_t *order, const char *type)
{
	json_t *v = json_loads(s_(order, "vouchers"), 0, NULL), *e;
	int64_t sum = 0;
	size_t i;

	json_array_foreach(v, i, e)
		if (type == NULL || strcmp(s_(e, "type"), type) == 0)
			sum += i_(e, "amount");
	json_decref(v);
	return sum;
}

struct sums {
	int64_t rows, settle, refund, vrefund, fee, total, req;
};

static void
row_head(struct sim *s, struct buf *b, int64_t at, json_t *o,
    const char *state)
{
	char t[24];

	when(at, t, sizeof t);
	buf_printf(b, "`%s,`%s,`%s,`0,`,`%s,`%s,`%s,`MICROPAY,`%s,`OTHERS,"
	    "`CNY", t, s->ids.appid, s->ids.mchid, s_(o, "transaction_id"),
	    s_(o, "out_trade_no"), s_(o, "openid"), state);
}

static void
payment_row(struct sim *s, struct buf *b, json_t *l, struct sums *z)
{
	int revoked = strcmp(s_(l, "kind"), "reverse") == 0;
	int64_t total = i_(l, "total"), settle = total - vsum(l, "NOCASH");

	row_head(s, b, i_(l, "at"), l, revoked ? "REVOKED" : "SUCCESS");
	money(b, settle);
	money(b, vsum(l, NULL));
	buf_adds(b, ",`0,`0,`0.00,`0.00,`,`,`商品,`");
	money(b, fee(revoked ? -settle : settle));
	buf_adds(b, ",`0.60%");
	money(b, total);
	buf_adds(b, ",`0.00,`\r\n");
	z->rows++;
	if (!revoked) {
		z->settle += settle;
		z->total += total;
	}
	z->fee += fee(revoked ? -settle : settle);
}

static void
refund_row(struct sim *s, struct buf *b, json_t *r, struct sums *z)
{
	int64_t total = i_(r, "total"), refund = i_(r, "refund");
	int64_t nocash = vsum(r, "NOCASH"), share, settle_refund, vrefund;

	share = total ? (refund * nocash * 2 + total) / (2 * total) : 0;
	settle_refund = refund - share;
	vrefund = refund - i_(r, "payer_refund") - share;
	if (vrefund < 0)
		vrefund = 0;
	row_head(s, b, i_(r, "created"), r, "REFUND");
	buf_adds(b, ",`0.00,`0.00");
	buf_printf(b, ",`%s,`%s", s_(r, "refund_id"), s_(r, "out_refund_no"));
	money(b, settle_refund);
	money(b, vrefund);
	buf_printf(b, ",`ORIGINAL,`%s,`商品,`", s_(r, "state"));
	money(b, fee(-settle_refund));
	buf_adds(b, ",`0.60%,`0.00");
	money(b, refund);
	buf_adds(b, ",`\r\n");
	z->rows++;
	z->refund += settle_refund;
	z->vrefund += vrefund;
	z->fee += fee(-settle_refund);
	z->req += refund;
}

/* The bill text of date (new), or NULL when the day has no rows.
 * Caller holds mu and a transaction. */
static char *
bill_text(struct sim *s, int64_t from)
{
	static const char pays[] = "SELECT l.at, l.kind, o.* FROM pay_ledger l "
		"JOIN pay_orders o ON o.out_trade_no = l.out_trade_no "
		"WHERE l.kind IN ('pay', 'reverse') AND l.at >= ?1 AND "
		"l.at < ?2 ORDER BY l.at, l.id";
	static const char refunds[] = "SELECT r.*, o.transaction_id, "
		"o.openid, o.vouchers FROM pay_refunds r JOIN pay_orders o ON "
		"o.out_trade_no = r.out_trade_no WHERE r.created >= ?1 AND "
		"r.created < ?2 ORDER BY r.created, r.out_refund_no";
	json_t *rows = NULL, *e, *span = json_pack("[II]", (json_int_t)from,
	    (json_int_t)(from + 86400));
	struct sums z;
	struct buf b;
	size_t i;

	memset(&z, 0, sizeof z);
	buf_init(&b, 64u * 1024 * 1024);
	buf_adds(&b, header);
	simdb_run(s->db, pays, span, &rows); /* borrows span */
	json_array_foreach(rows, i, e)
		payment_row(s, &b, e, &z);
	json_decref(rows);
	rows = NULL;
	simdb_run(s->db, refunds, span, &rows);
	json_decref(span);
	json_array_foreach(rows, i, e)
		refund_row(s, &b, e, &z);
	json_decref(rows);
	if (z.rows == 0) {
		buf_free(&b);
		return NULL;
	}
	buf_adds(&b, "总交易单数,应结订单总金额,退款总金额,充值券退款总金额,"
	    "手续费总金额,订单总金额,申请退款总金额\r\n");
	buf_printf(&b, "`%lld", (long long)z.rows);
	money(&b, z.settle);
	money(&b, z.refund);
	money(&b, z.vrefund);
	money(&b, z.fee);
	money(&b, z.total);
	money(&b, z.req);
	buf_adds(&b, "\r\n");
	return buf_take(&b);
}

static char *
bill_for(struct sim *s, int64_t from)
{
	char *t;

	pthread_mutex_lock(&s->mu);
	simdb_begin(s->db);
	t = bill_text(s, from);
	simdb_commit(s->db);
	pthread_mutex_unlock(&s->mu);
	return t;
}

/* ---- v3 --------------------------------------------------------------- */

static void
v3_tradebill(struct sim_ctx *c)
{
	char *date = httpd_query_get(c->query, "bill_date");
	char *type = httpd_query_get(c->query, "bill_type");
	char *tar = httpd_query_get(c->query, "tar_type");
	const char *host = httpd_req_header(c->req, "Host");
	uint8_t h[CRYPTO_SHA1_LEN];
	char hex[2 * CRYPTO_SHA1_LEN + 1], *text, *url;
	int64_t from;
	size_t i;

	c->loc = "query";
	if (day_start(date, &from) != 0) {
		sim_err_field(c, "bill_date", "must be YYYY-MM-DD");
		goto out;
	}
	if (type != NULL && strcmp(type, "ALL") != 0) {
		sim_err_field(c, "bill_type", "the simulator serves ALL");
		goto out;
	}
	if (tar != NULL) {
		sim_err_field(c, "tar_type", "the simulator serves plain text");
		goto out;
	}
	text = bill_for(c->s, from);
	if (text == NULL) {
		sim_err(c, 400, "NO_STATEMENT_EXIST", "账单不存在");
		goto out;
	}
	crypto_sha1(text, strlen(text), h);
	for (i = 0; i < sizeof h; i++)
		snprintf(hex + 2 * i, 3, "%02x", h[i]);
	free(text);
	url = xasprintf("https://%s/v3/billdownload/file?token=T%s",
	    host ? host : "127.0.0.1", date);
	sim_ok(c, 200, json_pack("{s:s,s:s,s:s}", "hash_type", "SHA1",
	    "hash_value", hex, "download_url", url));
	free(url);
out:
	free(date);
	free(type);
	free(tar);
}

static void
v3_download(struct sim_ctx *c)
{
	char *tok = httpd_query_get(c->query, "token");
	int64_t from;

	if (tok == NULL || tok[0] != 'T' || day_start(tok + 1, &from) != 0) {
		c->loc = "query";
		sim_err_field(c, "token", "is not one of ours");
	} else if ((c->raw = bill_for(c->s, from)) == NULL) {
		sim_err(c, 400, "NO_STATEMENT_EXIST", "账单不存在");
	} else {
		c->status = 200; /* the file itself: no v3 signature */
	}
	free(tok);
}

int
sim_bill_v3_route(struct sim_ctx *c)
{
	if (strcmp(c->method, "GET") != 0)
		return QUAN_ENOTFOUND;
	if (c->nseg == 3 && strcmp(c->seg[1], "bill") == 0 &&
	    strcmp(c->seg[2], "tradebill") == 0) {
		snprintf(c->route, sizeof c->route, "GET /v3/bill/tradebill");
		v3_tradebill(c);
		return 0;
	}
	if (c->nseg == 3 && strcmp(c->seg[1], "billdownload") == 0 &&
	    strcmp(c->seg[2], "file") == 0) {
		snprintf(c->route, sizeof c->route,
		    "GET /v3/billdownload/file");
		v3_download(c);
		return 0;
	}
	return QUAN_ENOTFOUND;
}

/* ---- v2 --------------------------------------------------------------- */

void
sim_bill_v2(struct sim_ctx *c, struct payxml *in, struct payxml *out,
    int md5)
{
	const char *d = payxml_get(in, "bill_date");
	const char *type = payxml_get(in, "bill_type");
	char iso[16];
	int64_t from;

	(void)out;
	(void)md5;
	c->status = 200;
	if (d == NULL || strlen(d) != 8 || (type != NULL &&
	    strcmp(type, "ALL") != 0) || payxml_get(in, "tar_type") != NULL) {
		c->raw = xstrdup("<xml><return_code><![CDATA[FAIL]]>"
		    "</return_code><return_msg><![CDATA[invalid bill_date or "
		    "bill_type]]></return_msg><error_code>20001</error_code>"
		    "</xml>");
		return;
	}
	snprintf(iso, sizeof iso, "%.4s-%.2s-%.2s", d, d + 4, d + 6);
	if (day_start(iso, &from) != 0 ||
	    (c->raw = bill_for(c->s, from)) == NULL)
		c->raw = xstrdup("<xml><return_code><![CDATA[FAIL]]>"
		    "</return_code><return_msg><![CDATA[No Bill Exist]]>"
		    "</return_msg><error_code>20002</error_code></xml>");
}
