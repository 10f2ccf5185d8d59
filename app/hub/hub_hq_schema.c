/*
 * hub_hq_schema.c — headquarters' schema (quan hub init --hq), one
 * migration per version: the tables every store hub's publication
 * quan_chain fills, keyed by store, and the hourly sums per lane the
 * chain report reads (hub_chain.c), kept by triggers that also fire for
 * rows the subscriptions apply (ENABLE ALWAYS).
 */
#include "hub/hub_chain.h"
#include "hub/hub_int.h"

/* HQ's own versions (quan_hq_schema): the tables the subscriptions fill,
 * keyed by store, as the hubs publish them. */
const char *const hub_hq_migrations[HUB_HQ_SCHEMA_VERSION] = {
	"CREATE TABLE quan_hq_schema(version integer PRIMARY KEY,"
	" applied_at timestamptz NOT NULL DEFAULT now());"
	"CREATE TABLE redemptions(" HUB_REDEMPTION_COLS ");"
	/* a day's rows, for a time zone off whole hours */
	"CREATE INDEX redemptions_day ON redemptions(created_at);"
	"CREATE TABLE conflicts(id bigint NOT NULL, store_id text NOT NULL,"
	" code text NOT NULL, holder_terminal text NOT NULL,"
	" holder_request_no text NOT NULL, terminal text NOT NULL,"
	" request_no text NOT NULL, found_at timestamptz NOT NULL,"
	" PRIMARY KEY(store_id, id));"
	/* the report reads hourly sums per lane, kept by a trigger as the
	 * subscriptions apply rows (ENABLE ALWAYS: it fires for replicated
	 * rows too): a day is 24 buckets a lane, not every redemption */
	"CREATE TABLE lane_hours(store_id text NOT NULL,"
	" terminal text NOT NULL, hour bigint NOT NULL, state text NOT NULL,"
	" reason text NOT NULL, n bigint NOT NULL, fen bigint NOT NULL,"
	" offline_n bigint NOT NULL,"
	" PRIMARY KEY(hour, store_id, terminal, state, reason));"
	"CREATE FUNCTION quan_lane_hours() RETURNS trigger LANGUAGE plpgsql"
	" SET search_path = public"   /* apply workers run with none */
	" AS $$ BEGIN"
	" IF TG_OP IN ('UPDATE', 'DELETE') THEN"
	"  UPDATE lane_hours SET n = n - 1, fen = fen - OLD.discount_fen,"
	"   offline_n = offline_n - (OLD.offline_at > 0)::int"
	"   WHERE hour = OLD.created_at / 3600 AND store_id = OLD.store_id"
	"   AND terminal = OLD.terminal AND state = OLD.state"
	"   AND reason = OLD.reason;"
	" END IF;"
	" IF TG_OP IN ('INSERT', 'UPDATE') THEN"
	"  INSERT INTO lane_hours VALUES(NEW.store_id, NEW.terminal,"
	"   NEW.created_at / 3600, NEW.state, NEW.reason, 1,"
	"   NEW.discount_fen, (NEW.offline_at > 0)::int)"
	"   ON CONFLICT (hour, store_id, terminal, state, reason) DO UPDATE"
	"   SET n = lane_hours.n + 1, fen = lane_hours.fen + EXCLUDED.fen,"
	"   offline_n = lane_hours.offline_n + EXCLUDED.offline_n;"
	" END IF;"
	" RETURN NULL; END $$;"
	"CREATE TRIGGER quan_lane_hours AFTER INSERT OR UPDATE OR DELETE"
	" ON redemptions FOR EACH ROW EXECUTE FUNCTION quan_lane_hours();"
	"ALTER TABLE redemptions ENABLE ALWAYS TRIGGER quan_lane_hours;",
	/* 1 -> 2: the hubs' sales, payments and lanes' journal heads (hub
	 * schema 2); a subscription made before takes them with ALTER
	 * SUBSCRIPTION … REFRESH PUBLICATION. Sums per lane and hour kept
	 * by triggers, as lane_hours: sales by the hour opened, voids by
	 * the hour voided, payments by the hour made */
	"CREATE TABLE sales(" HUB_SALE_COLS ");"
	"CREATE INDEX sales_opened ON sales(opened_at);"
	"CREATE INDEX sales_voided ON sales(voided_at) WHERE voided_at > 0;"
	"CREATE TABLE payments(" HUB_PAYMENT_COLS ");"
	"CREATE INDEX payments_created ON payments(created_at);"
	"CREATE TABLE journal_heads(" HUB_HEAD_COLS ");"
	/* the unsettled exposure reads only buckets still holding offline
	 * grants: without it, every hour of every lane since the start */
	"CREATE INDEX lane_hours_exposure ON lane_hours(store_id, terminal)"
	" INCLUDE (fen) WHERE state = 'accepted_offline' AND n > 0;"
	"CREATE TABLE sale_hours(store_id text NOT NULL,"
	" terminal text NOT NULL, hour bigint NOT NULL,"
	" what text NOT NULL CHECK (what IN ('opened','voided')),"
	" n bigint NOT NULL, fen bigint NOT NULL,"
	" PRIMARY KEY(hour, store_id, terminal, what));"
	"CREATE FUNCTION quan_sale_hour(s text, t text, h bigint, w text,"
	" dn bigint, df bigint) RETURNS void LANGUAGE sql"
	" SET search_path = public AS $$"
	" INSERT INTO sale_hours VALUES(s, t, h, w, dn, df)"
	" ON CONFLICT (hour, store_id, terminal, what) DO UPDATE"
	" SET n = sale_hours.n + EXCLUDED.n,"
	" fen = sale_hours.fen + EXCLUDED.fen $$;"
	"CREATE FUNCTION quan_sale_hours() RETURNS trigger LANGUAGE plpgsql"
	" SET search_path = public AS $$ BEGIN"
	" IF TG_OP IN ('UPDATE', 'DELETE') THEN"
	"  PERFORM quan_sale_hour(OLD.store_id, OLD.terminal,"
	"   OLD.opened_at / 3600, 'opened', -1, -OLD.amount_fen);"
	"  IF OLD.voided_at > 0 THEN"
	"   PERFORM quan_sale_hour(OLD.store_id, OLD.terminal,"
	"    OLD.voided_at / 3600, 'voided', -1, -OLD.discount_fen);"
	"  END IF;"
	" END IF;"
	" IF TG_OP IN ('INSERT', 'UPDATE') THEN"
	"  PERFORM quan_sale_hour(NEW.store_id, NEW.terminal,"
	"   NEW.opened_at / 3600, 'opened', 1, NEW.amount_fen);"
	"  IF NEW.voided_at > 0 THEN"
	"   PERFORM quan_sale_hour(NEW.store_id, NEW.terminal,"
	"    NEW.voided_at / 3600, 'voided', 1, NEW.discount_fen);"
	"  END IF;"
	" END IF;"
	" RETURN NULL; END $$;"
	"CREATE TRIGGER quan_sale_hours AFTER INSERT OR UPDATE OR DELETE"
	" ON sales FOR EACH ROW EXECUTE FUNCTION quan_sale_hours();"
	"ALTER TABLE sales ENABLE ALWAYS TRIGGER quan_sale_hours;"
	"CREATE TABLE pay_hours(store_id text NOT NULL,"
	" terminal text NOT NULL, hour bigint NOT NULL, tender text NOT NULL,"
	" state text NOT NULL, n bigint NOT NULL, amount_fen bigint NOT NULL,"
	" payer_fen bigint NOT NULL, voucher_fen bigint NOT NULL,"
	" voucher_lines bigint NOT NULL,"
	" PRIMARY KEY(hour, store_id, terminal, tender, state));"
	"CREATE FUNCTION quan_pay_hours() RETURNS trigger LANGUAGE plpgsql"
	" SET search_path = public AS $$ BEGIN"
	" IF TG_OP IN ('UPDATE', 'DELETE') THEN"
	"  UPDATE pay_hours SET n = n - 1,"
	"   amount_fen = amount_fen - OLD.amount_fen,"
	"   payer_fen = payer_fen - OLD.payer_fen,"
	"   voucher_fen = voucher_fen - OLD.voucher_fen,"
	"   voucher_lines = voucher_lines - OLD.voucher_lines"
	"   WHERE hour = OLD.created_at / 3600 AND store_id = OLD.store_id"
	"   AND terminal = OLD.terminal AND tender = OLD.tender"
	"   AND state = OLD.state;"
	" END IF;"
	" IF TG_OP IN ('INSERT', 'UPDATE') THEN"
	"  INSERT INTO pay_hours VALUES(NEW.store_id, NEW.terminal,"
	"   NEW.created_at / 3600, NEW.tender, NEW.state, 1, NEW.amount_fen,"
	"   NEW.payer_fen, NEW.voucher_fen, NEW.voucher_lines)"
	"   ON CONFLICT (hour, store_id, terminal, tender, state) DO UPDATE"
	"   SET n = pay_hours.n + 1,"
	"   amount_fen = pay_hours.amount_fen + EXCLUDED.amount_fen,"
	"   payer_fen = pay_hours.payer_fen + EXCLUDED.payer_fen,"
	"   voucher_fen = pay_hours.voucher_fen + EXCLUDED.voucher_fen,"
	"   voucher_lines = pay_hours.voucher_lines + EXCLUDED.voucher_lines;"
	" END IF;"
	" RETURN NULL; END $$;"
	"CREATE TRIGGER quan_pay_hours AFTER INSERT OR UPDATE OR DELETE"
	" ON payments FOR EACH ROW EXECUTE FUNCTION quan_pay_hours();"
	"ALTER TABLE payments ENABLE ALWAYS TRIGGER quan_pay_hours;",
};

