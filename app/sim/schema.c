/*
 * schema.c — the simulator's database (DIR/sim.db): its tables, the
 * changes made to them since the first schema, and opening it through
 * store/simdb.h (SQLite's one home is store/; the simulator's SQL is its
 * own: this schema here, each statement in the file that runs it).
 */
#include <stddef.h>

#include "sim/sim_int.h"

/* Run at every open (idempotent). */
static const char sim_schema[] =
	"PRAGMA journal_mode=WAL;"
	"PRAGMA synchronous=NORMAL;"
	"CREATE TABLE IF NOT EXISTS meta(k TEXT PRIMARY KEY, v TEXT NOT NULL);"
	/* body: the stock object as created/patched, without counters */
	"CREATE TABLE IF NOT EXISTS stocks("
	" stock_id TEXT PRIMARY KEY,"
	" out_request_no TEXT NOT NULL UNIQUE,"
	" code_mode TEXT NOT NULL,"
	" state TEXT NOT NULL,"
	" body TEXT NOT NULL,"
	" created INTEGER NOT NULL);"
	"CREATE TABLE IF NOT EXISTS coupons("
	" code TEXT NOT NULL, stock_id TEXT NOT NULL,"
	" openid TEXT NOT NULL, appid TEXT,"
	" state TEXT NOT NULL, send_request_no TEXT,"
	" receive_time INTEGER NOT NULL, start_time INTEGER NOT NULL,"
	" expire_time INTEGER NOT NULL,"
	" use_request_no TEXT, use_time TEXT, use_key TEXT, use_resp TEXT,"
	" used_at INTEGER,"
	" return_request_no TEXT, return_time INTEGER,"
	" deactivate_request_no TEXT, deactivate_time INTEGER,"
	" deactivate_reason TEXT,"
	" PRIMARY KEY(stock_id, code));"
	"CREATE INDEX IF NOT EXISTS coupons_code ON coupons(code);"
	"CREATE INDEX IF NOT EXISTS coupons_openid ON coupons(openid);"
	"CREATE TABLE IF NOT EXISTS ledger("
	" id INTEGER PRIMARY KEY, at INTEGER NOT NULL, kind TEXT NOT NULL,"
	" code TEXT NOT NULL, ref TEXT NOT NULL, request_no TEXT);"
	"CREATE INDEX IF NOT EXISTS ledger_code ON ledger(code, ref);"
	"CREATE TABLE IF NOT EXISTS upload_codes("
	" stock_id TEXT NOT NULL, code TEXT NOT NULL, status TEXT NOT NULL,"
	" upload_time INTEGER NOT NULL, dispatched_time INTEGER, openid TEXT,"
	" PRIMARY KEY(stock_id, code));"
	"CREATE TABLE IF NOT EXISTS upload_reqs("
	" stock_id TEXT NOT NULL, request_no TEXT NOT NULL, resp TEXT NOT NULL,"
	" PRIMARY KEY(stock_id, request_no));"
	"CREATE TABLE IF NOT EXISTS cards("
	" card_id TEXT PRIMARY KEY, card_type TEXT NOT NULL,"
	" status TEXT NOT NULL, custom_code INTEGER NOT NULL,"
	" body TEXT NOT NULL);"
	"CREATE TABLE IF NOT EXISTS card_codes("
	" card_id TEXT NOT NULL, code TEXT NOT NULL, openid TEXT NOT NULL,"
	" status TEXT NOT NULL, begin_time INTEGER NOT NULL,"
	" end_time INTEGER NOT NULL, consumed_at INTEGER, outer_str TEXT,"
	" PRIMARY KEY(card_id, code));"
	"CREATE INDEX IF NOT EXISTS card_codes_code ON card_codes(code);"
	"CREATE TABLE IF NOT EXISTS tokens("
	" token TEXT PRIMARY KEY, kind TEXT NOT NULL, issued INTEGER NOT NULL,"
	" expires INTEGER NOT NULL, superseded INTEGER);"
	"CREATE TABLE IF NOT EXISTS stats("
	" endpoint TEXT NOT NULL, status INTEGER NOT NULL,"
	" n INTEGER NOT NULL, PRIMARY KEY(endpoint, status));"
	"CREATE TABLE IF NOT EXISTS callbacks("
	" id TEXT PRIMARY KEY, created INTEGER NOT NULL, url TEXT NOT NULL,"
	" body TEXT NOT NULL, coupon_code TEXT, stock_id TEXT,"
	" attempts INTEGER NOT NULL DEFAULT 0, next_at INTEGER NOT NULL,"
	" state TEXT NOT NULL, last_status INTEGER, last_error TEXT,"
	" delivered_at INTEGER);"
	/* 付款码支付: one row per out_trade_no; vouchers as the JSON the
	 * answers carry; resolve_at: when a USERPAYING order is paid
	 * (NULL = never) */
	"CREATE TABLE IF NOT EXISTS pay_orders("
	" out_trade_no TEXT PRIMARY KEY, api TEXT NOT NULL,"
	" auth_code TEXT NOT NULL, openid TEXT NOT NULL,"
	" total INTEGER NOT NULL, goods_tag TEXT NOT NULL,"
	" state TEXT NOT NULL, created INTEGER NOT NULL,"
	" resolve_at INTEGER, transaction_id TEXT NOT NULL,"
	" success_time INTEGER, vouchers TEXT NOT NULL,"
	" pay_calls INTEGER NOT NULL DEFAULT 0,"
	" reverse_calls INTEGER NOT NULL DEFAULT 0);"
	"CREATE INDEX IF NOT EXISTS pay_orders_code ON pay_orders(auth_code);"
	/* money movements: 'pay' when an order becomes paid, 'reverse'
	 * when a paid order is reversed (money back) */
	"CREATE TABLE IF NOT EXISTS pay_ledger("
	" id INTEGER PRIMARY KEY, at INTEGER NOT NULL, kind TEXT NOT NULL,"
	" out_trade_no TEXT NOT NULL, transaction_id TEXT NOT NULL,"
	" total INTEGER NOT NULL, payer INTEGER NOT NULL);"
	/* refunds: one row per out_refund_no; PROCESSING until success_at */
	"CREATE TABLE IF NOT EXISTS pay_refunds("
	" out_refund_no TEXT PRIMARY KEY, out_trade_no TEXT NOT NULL,"
	" refund_id TEXT NOT NULL, api TEXT NOT NULL,"
	" total INTEGER NOT NULL, refund INTEGER NOT NULL,"
	" payer_refund INTEGER NOT NULL, state TEXT NOT NULL,"
	" created INTEGER NOT NULL, success_at INTEGER NOT NULL);"
	"CREATE INDEX IF NOT EXISTS pay_refunds_otn ON pay_refunds(out_trade_no);"
	/* voucher activities per payer: applied by rule, not used up */
	"CREATE TABLE IF NOT EXISTS pay_vouchers("
	" id TEXT PRIMARY KEY, openid TEXT NOT NULL, stock_id TEXT NOT NULL,"
	" name TEXT NOT NULL, type TEXT NOT NULL, amount INTEGER NOT NULL,"
	" minimum INTEGER NOT NULL, goods_tag TEXT NOT NULL);"
	/* 商品券 (pcoupon*.c): definitions as the JSON WeChat answers
	 * (product: ProductCouponEntity; stock: StockEntity, bundle rounds
	 * by stock_bundle_id + index) */
	"CREATE TABLE IF NOT EXISTS pc_products("
	" product_coupon_id TEXT PRIMARY KEY, body TEXT NOT NULL);"
	"CREATE TABLE IF NOT EXISTS pc_stocks("
	" stock_id TEXT PRIMARY KEY, product_coupon_id TEXT NOT NULL,"
	" state TEXT NOT NULL, body TEXT NOT NULL);"
	/* user coupons; a bundle's rounds share bundle_id, index from 0 */
	"CREATE TABLE IF NOT EXISTS pc_coupons("
	" code TEXT NOT NULL, stock_id TEXT NOT NULL,"
	" product_coupon_id TEXT NOT NULL, openid TEXT NOT NULL,"
	" appid TEXT NOT NULL, state TEXT NOT NULL,"
	" send_request_no TEXT NOT NULL, send_channel TEXT NOT NULL,"
	" receive_time INTEGER NOT NULL, valid_begin INTEGER NOT NULL,"
	" valid_end INTEGER NOT NULL, confirm_request_no TEXT,"
	" confirm_time INTEGER, use_request_no TEXT, use_time TEXT,"
	" use_order TEXT, return_request_no TEXT, return_time INTEGER,"
	" deactivate_request_no TEXT, deactivate_time INTEGER,"
	" deactivate_reason TEXT, bundle_id TEXT, bundle_index INTEGER,"
	" bundle_total INTEGER, attach TEXT,"
	" PRIMARY KEY(stock_id, code));"
	"CREATE INDEX IF NOT EXISTS pc_coupons_user ON pc_coupons(openid);"
	/* idempotency: (operation, brand, request number) -> the hash of
	 * the first body and its answer */
	"CREATE TABLE IF NOT EXISTS pc_requests("
	" op TEXT NOT NULL, brand_id TEXT NOT NULL, request_no TEXT NOT NULL,"
	" hash TEXT NOT NULL, status INTEGER NOT NULL, resp TEXT NOT NULL,"
	" PRIMARY KEY(op, brand_id, request_no));"
	/* uses and returns in order: inspect counts redemptions from it */
	"CREATE TABLE IF NOT EXISTS pc_ledger("
	" id INTEGER PRIMARY KEY, at INTEGER NOT NULL, kind TEXT NOT NULL,"
	" code TEXT NOT NULL, stock_id TEXT NOT NULL,"
	" request_no TEXT NOT NULL, order_ref TEXT);"
	"CREATE TABLE IF NOT EXISTS callback_attempts("
	" id INTEGER PRIMARY KEY, callback_id TEXT NOT NULL,"
	" at INTEGER NOT NULL, status INTEGER, error TEXT);";

/* Run after the schema at every open; each fails harmlessly once done
 * ("duplicate column"). Append only. */
static const char *const sim_schema_upgrades[] = {
	"ALTER TABLE coupons ADD COLUMN associate_out_trade_no TEXT",
	/* 'brand': a 商品券 brand-mode notification, signed with the
	 * brand's WeChat Pay key */
	"ALTER TABLE callbacks ADD COLUMN signer TEXT",
	NULL
};

int
sim_db_open(const char *path, struct simdb **out, char **cause)
{
	return simdb_open(path, sim_schema, sim_schema_upgrades, out, cause);
}
