-- grants.sql — run in the hub database as quan_admin after each
-- `quan hub init` (psql -d quanhub -f grants.sql): what the roles of
-- roles.sql may do with the hub's tables.
GRANT USAGE ON SCHEMA public TO quan_till, quan_hq;
GRANT SELECT ON quan_schema, imports TO quan_till;
-- a lane passes on the 商品券 it was sent: 'product' rows only (the
-- table's row policy, hub schema 3)
GRANT INSERT ON imports TO quan_till;
GRANT USAGE ON SEQUENCE imports_version_seq TO quan_till;
GRANT SELECT, INSERT, UPDATE ON claims, redemptions TO quan_till;
GRANT SELECT, INSERT ON conflicts TO quan_till;
GRANT USAGE ON SEQUENCE conflicts_id_seq TO quan_till;
GRANT SELECT, INSERT, UPDATE ON sales, payments, journal_heads TO quan_till;
-- the subscription's initial copy reads the published tables
GRANT SELECT ON redemptions, conflicts, sales, payments, journal_heads
  TO quan_hq;
