#!/bin/bash
# bench_hub.sh — `quan bench hub` on clusters of its own: claims with 1, 8
# and 32 tills at once, and the chain report over generated rows. As a
# test (no arguments) a small run checks the bench works and prints
# figures; `bench_hub.sh full` runs the issue's sizes (10 million rows
# from 1,000 stores) and prints the figures for the notes.
set -u
QUAN=${QUAN:?QUAN must name the quan binary}
QUAN_SRC=${QUAN_SRC:?}
W=$(mktemp -d /tmp/quan-hubbench-XXXXXX)
fail() { echo "FAIL: $*" >&2; pg_stop_all; echo "work dir kept: $W" >&2; exit 1; }
. "$QUAN_SRC/tests/hub/pglib.sh"
trap 'pg_stop_all' EXIT
trap 'exit 1' TERM INT
PG_TRUST_LOOPBACK=1   # the claims go over loopback TCP, as a lane's would
mapfile -t conf < <(sed 's/[[:space:]]*#.*//' "$QUAN_SRC/toolchain/hub/postgresql.conf" | grep .)
if [ "${1:-}" = full ]; then
	pg_new bench "${conf[@]}" "shared_buffers = 512MB" "work_mem = 64MB" "maintenance_work_mem = 256MB" "max_wal_size = 4GB"
	args=(--claims 8000)
else
	pg_new bench "${conf[@]}"
	args=(--claims 320 --rows 200000 --stores 100)
fi
psql_as bench postgres -c "CREATE DATABASE hub" -c "CREATE DATABASE hq" >/dev/null || fail "createdb"
S="host=127.0.0.1 port=$PGPORT_bench user=postgres"
"$QUAN" bench hub --dsn "$S dbname=hub" --hq-dsn "$S dbname=hq" "${args[@]}" --json >"$W/out.json" 2>"$W/err" ||
	fail "bench: $(cat "$W/err")"
python3 - "$W/out.json" "${1:-}" <<'PY' || fail "bench output: $(cat "$W/out.json")"
import json, sys
r = json.load(open(sys.argv[1]))
assert [c["tills"] for c in r["claims"]] == [1, 8, 32], r
for c in r["claims"]:
    assert 0 < c["p50_us"] <= c["p99_us"] <= c["max_us"], c
    print(f'claims, {c["tills"]:2d} tills at once: p50 {c["p50_us"]/1000:.2f} ms, p99 {c["p99_us"]/1000:.2f} ms, {c["per_s"]} claims/s')
ch = r["chain"]
want = 10000000 if sys.argv[2] == "full" else 200000
assert ch["rows"] == want and ch["sales"] == want and ch["payments"] == want and ch["lanes"] == (10000 if want == 10000000 else 1000), ch
print(f'chain report: {ch["rows"]} redemptions, {ch["sales"]} sales, {ch["payments"]} payments, {ch["stores"]} stores, {ch["lanes"]} lanes: {ch["report_ms"]} ms (generated in {ch["generate_ms"]/1000:.1f} s)')
PY
pg_stop_all
rm -rf "$W"
