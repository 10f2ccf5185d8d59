# pglib.sh — sourced by the hub tests: PostgreSQL clusters of their own in
# the work dir, on free loopback ports, stopped on exit whatever happens.
# The caller sets W (work dir, made traversable here) before sourcing and
# defines fail(). initdb refuses root: as root (CI), the server runs as
# the unprivileged user `nobody`, owning only its cluster directory.
PGBIN=${PGBIN:-/usr/lib/postgresql/15/bin}
PG_CLUSTERS=""
[ -x "$PGBIN/initdb" ] || { echo "FAIL: no PostgreSQL 15 in $PGBIN (toolchain/install-deps.sh installs postgresql-15)" >&2; exit 1; }

as_pg() { # run a server-side program as the cluster's owner
	if [ "$(id -u)" = 0 ]; then
		setpriv --reuid=nobody --regid=nogroup --clear-groups -- "$@"
	else
		"$@"
	fi
}

free_port() {
	python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

# pg_new NAME [postgresql.conf lines...]: init and start a cluster;
# sets PGPORT_<NAME> and PGDIR_<NAME>. Host connections need a password
# (scram), the Unix socket in the cluster dir is trusted (test setup).
pg_new() {
	local name=$1 dir port; shift
	dir=$W/pg-$name
	port=$(free_port)
	chmod 711 "$W"
	mkdir -p "$dir"
	[ "$(id -u)" = 0 ] && chown nobody:nogroup "$dir"
	as_pg "$PGBIN/initdb" -D "$dir/data" -U postgres --auth-local=trust \
		--auth-host=scram-sha-256 -E UTF8 --locale=C.UTF-8 >"$W/initdb-$name.log" 2>&1 ||
		fail "initdb $name: $(tail -3 "$W/initdb-$name.log")"
	{
		echo "port = $port"
		echo "listen_addresses = '127.0.0.1'"
		echo "unix_socket_directories = '$dir'"
		echo "fsync = off"
		echo "shared_buffers = 32MB"
		for l in "$@"; do echo "$l"; done
	} | as_pg sh -c "cat >> '$dir/data/postgresql.conf'"
	# PG_TRUST_LOOPBACK=1: TCP on 127.0.0.1 needs no password (benches)
	if [ "${PG_TRUST_LOOPBACK:-0}" = 1 ]; then
		as_pg sh -c "{ echo 'host all all 127.0.0.1/32 trust'; cat '$dir/data/pg_hba.conf'; } >'$dir/data/hba.new' && mv '$dir/data/hba.new' '$dir/data/pg_hba.conf'"
	fi
	eval "PGPORT_$name=$port PGDIR_$name=$dir"
	PG_CLUSTERS="$PG_CLUSTERS $name"
	pg_start "$name"
}

pg_start() {
	local dir=$W/pg-$1
	as_pg "$PGBIN/pg_ctl" -D "$dir/data" -l "$dir/log" -w -t 30 start >/dev/null 2>&1 ||
		fail "pg_ctl start $1: $(tail -5 "$dir/log")"
}

# pg_kill NAME: the server dies at once (no shutdown checkpoint)
pg_kill() {
	as_pg "$PGBIN/pg_ctl" -D "$W/pg-$1/data" -m immediate -w stop >/dev/null 2>&1
}

pg_stop_all() {
	local n pid
	for n in $PG_CLUSTERS; do
		pid=$(head -1 "$W/pg-$n/data/postmaster.pid" 2>/dev/null)
		as_pg "$PGBIN/pg_ctl" -D "$W/pg-$n/data" -m immediate -w stop >/dev/null 2>&1 ||
			{ [ -n "$pid" ] && kill -9 "$pid" 2>/dev/null; }
	done
	PG_CLUSTERS=""
}

# pg_done: stop every cluster and remove the work dir (a test's success)
pg_done() {
	pg_stop_all
	rm -rf "$W"
}

# psql_as NAME DB SQL...: as the superuser over the cluster's socket
psql_as() {
	local name=$1 db=$2; shift 2
	"$PGBIN/psql" -X -q -v ON_ERROR_STOP=1 -At -h "$W/pg-$name" \
		-p "$(eval echo \$PGPORT_"$name")" -U postgres -d "$db" "$@"
}

# hub_db NAME: database quanhub with the roles of toolchain/hub/roles.sql
# (quan_admin owns it, quan_till claims), passwords in 0600 passfiles
# $W/pass-admin and $W/pass-till; DSN_ADMIN_<NAME>, DSN_TILL_<NAME>.
hub_db() {
	local name=$1 port
	port=$(eval echo \$PGPORT_"$name")
	psql_as "$name" postgres -f "$QUAN_SRC/toolchain/hub/roles.sql" >/dev/null ||
		fail "roles.sql"
	psql_as "$name" postgres -c "ALTER ROLE quan_admin PASSWORD 'adminpw'" \
		-c "ALTER ROLE quan_till PASSWORD 'tillpw'" \
		-c "CREATE DATABASE quanhub OWNER quan_admin" >/dev/null || fail "createdb"
	psql_as "$name" quanhub -c "REVOKE CREATE ON SCHEMA public FROM PUBLIC" \
		-c "ALTER SCHEMA public OWNER TO quan_admin" >/dev/null || fail "schema owner"
	printf '127.0.0.1:%s:*:quan_admin:adminpw\n' "$port" >"$W/pass-admin-$name"
	printf '127.0.0.1:%s:*:quan_till:tillpw\n' "$port" >"$W/pass-till-$name"
	chmod 600 "$W/pass-admin-$name" "$W/pass-till-$name"
	eval "DSN_ADMIN_$name='host=127.0.0.1 port=$port dbname=quanhub user=quan_admin passfile=$W/pass-admin-$name'"
	eval "DSN_TILL_$name='host=127.0.0.1 port=$port dbname=quanhub user=quan_till passfile=$W/pass-till-$name'"
}
