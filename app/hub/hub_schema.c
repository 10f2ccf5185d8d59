/*
 * hub_schema.c — the store hub's schema, one migration per version (the
 * till's store does the same with its SQLite file). quan_schema holds the
 * versions applied; a hub newer than this quan is refused (hub.c).
 *
 * claims       one row per coupon code: who holds it (terminal, request
 *              number, sale) and its state; the primary key is the
 *              single-use rule across lanes
 * redemptions  every till's redemptions as they are now (pushed by quan
 *              hub sync): the chain view reads them at headquarters
 * conflicts    a code held live by two lanes, found when a till replays
 *              what it granted while the hub was down
 * imports      stock / card definitions and code lists imported at the
 *              hub, each import one version every till applies once
 * sales        (2) every till's sales as they are now, voids with who
 * payments     (2) their charges and tenders, WeChat vouchers summed
 * journal_heads (2) each lane's last journal entry (seq, hash)
 * imports      (3) also 'product': 商品券 definitions and registry rows,
 *              from `quan hub import product` and from the coupons a
 *              lane's callback receiver was sent and confirmed
 * The publication quan_chain carries all but claims and imports to
 * headquarters (logical replication; toolchain/hub/README.md). A
 * subscription made before version 2 picks the new tables up with
 * ALTER SUBSCRIPTION … REFRESH PUBLICATION once headquarters has them
 * (quan hub init --hq).
 */
#include "hub/hub_int.h"

const char *const hub_migrations[HUB_SCHEMA_VERSION] = {
	/* 0 -> 1 */
	"CREATE TABLE quan_schema(version integer PRIMARY KEY,"
	" applied_at timestamptz NOT NULL DEFAULT now());"
	"CREATE TABLE claims(code text PRIMARY KEY,"
	" kind text NOT NULL, store_id text NOT NULL, terminal text NOT NULL,"
	" request_no text NOT NULL, txn_id bigint NOT NULL,"
	" state text NOT NULL CHECK (state IN ('claimed','granted',"
	"'released')),"
	" claimed_at timestamptz NOT NULL DEFAULT now(),"
	" updated_at timestamptz NOT NULL DEFAULT now());"
	"CREATE TABLE redemptions(" HUB_REDEMPTION_COLS ");"
	"CREATE INDEX redemptions_created ON redemptions(created_at);"
	"CREATE TABLE conflicts(id bigserial PRIMARY KEY,"
	" store_id text NOT NULL, code text NOT NULL,"
	" holder_terminal text NOT NULL, holder_request_no text NOT NULL,"
	" terminal text NOT NULL, request_no text NOT NULL,"
	" found_at timestamptz NOT NULL DEFAULT now(),"
	" UNIQUE(code, holder_request_no, request_no));"
	"CREATE TABLE imports(version bigserial PRIMARY KEY,"
	" list text NOT NULL CHECK (list IN ('stocks','cards','codes')),"
	" data text NOT NULL, imported_at timestamptz NOT NULL DEFAULT now());"
	"CREATE PUBLICATION quan_chain FOR TABLE redemptions, conflicts;",
	/* 1 -> 2: the sales and payments behind the redemptions, and each
	 * lane's journal head, for the chain view */
	"CREATE TABLE sales(" HUB_SALE_COLS ");"
	"CREATE INDEX sales_opened ON sales(opened_at);"
	"CREATE TABLE payments(" HUB_PAYMENT_COLS ");"
	"CREATE INDEX payments_created ON payments(created_at);"
	"CREATE TABLE journal_heads(" HUB_HEAD_COLS ");"
	"ALTER PUBLICATION quan_chain ADD TABLE sales, payments,"
	" journal_heads;",
	/* 2 -> 3: 商品券 registry rows travel between lanes as imports; a
	 * lane may add those and nothing else (grants.sql gives it INSERT;
	 * the owner, who imports every list, is not bound by the policies) */
	"ALTER TABLE imports DROP CONSTRAINT imports_list_check;"
	"ALTER TABLE imports ADD CONSTRAINT imports_list_check"
	" CHECK (list IN ('stocks','cards','codes','product'));"
	"ALTER TABLE imports ENABLE ROW LEVEL SECURITY;"
	"CREATE POLICY imports_read ON imports FOR SELECT USING (true);"
	"CREATE POLICY imports_lane_product ON imports FOR INSERT"
	" WITH CHECK (list = 'product');",
};
