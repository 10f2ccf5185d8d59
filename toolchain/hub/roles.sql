-- roles.sql — the store hub's roles (run once per cluster as a
-- superuser: psql -f roles.sql; passwords or certificates are set apart).
--   quan_admin  owns the hub database; runs `quan hub init` and
--               `quan hub import`
--   quan_till   what a till's [hub] dsn logs in as: claims and pushes
--               its redemptions, reads imports; no DELETE, no DDL
--   quan_hq     headquarters' subscription logs in as it (replication)
DO $$
BEGIN
	IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'quan_admin') THEN
		CREATE ROLE quan_admin LOGIN;
	END IF;
	IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'quan_till') THEN
		CREATE ROLE quan_till LOGIN CONNECTION LIMIT 64;
	END IF;
	IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'quan_hq') THEN
		CREATE ROLE quan_hq LOGIN REPLICATION CONNECTION LIMIT 4;
	END IF;
END
$$;
