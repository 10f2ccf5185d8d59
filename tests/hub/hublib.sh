# hublib.sh — sourced by the hub tests after pglib.sh: a simulator, a hub
# database on cluster "hub", and tills (data dirs) that claim there.
# Needs QUAN, QUAN_SRC, W.
SIM=$W/sim
SIM_SEED=${SIM_SEED:-12}
. "$QUAN_SRC/tests/net/simlib.sh"
trap 'pg_stop_all; [ -n "$SIMPID" ] && kill -9 "$SIMPID" 2>/dev/null' EXIT
trap 'exit 1' TERM INT   # the EXIT trap then stops the clusters

# hub_setup [when_down]: cluster "hub", schema, grants, simulator seeded
# three times ($W/N-seed.json, N-stocks.json, N-codes.csv), started.
hub_setup() {
	HUB_WHEN_DOWN=${1:-offline_ok}
	# the store hub's settings as shipped (toolchain/hub/postgresql.conf)
	local conf
	mapfile -t conf < <(sed 's/[[:space:]]*#.*//' "$QUAN_SRC/toolchain/hub/postgresql.conf" | grep .)
	pg_new hub "${conf[@]}"
	hub_db hub
	"$QUAN" hub init --dsn "$DSN_ADMIN_hub" >"$W/init.out" 2>&1 || fail "hub init: $(cat "$W/init.out")"
	psql_as hub quanhub -f "$QUAN_SRC/toolchain/hub/grants.sql" >/dev/null || fail "grants.sql"
	"$QUAN" sim init "$SIM" >/dev/null || fail "sim init"
	for n in 1 2 3; do
		# a seed names its stocks by the second: one second apart
		[ $n = 1 ] || sleep 1.1
		"$QUAN" sim seed "$SIM" $([ $n = 1 ] || echo --force) >/dev/null || fail "sim seed $n"
		for f in seed.json import/stocks.json import/codes.csv; do
			cp "$SIM/$f" "$W/$n-${f#import/}"
		done
	done
	start_sim 127.0.0.1:0 ""
}

# till_conf NAME TERMINAL: $SIM/NAME.conf = the simulator's config with
# this terminal id, the hub, and offline caps the tests do not reach.
till_conf() {
	sed "s/^id = T01$/id = $2/" "$SIM/quan.conf" >"$SIM/$1.conf"
	cat >>"$SIM/$1.conf" <<EOC

[offline]
default_policy = offline_known_only
max_per_hour = 100000
max_exposure_fen = 100000000

[hub]
dsn = $DSN_TILL_hub
when_down = $HUB_WHEN_DOWN
max_coupon_fen = 100000
max_per_hour = 100000
wait_ms = 3000
poll_s = 1
EOC
}
till() { local n=$1; shift; QUAN_CONFIG=$SIM/$n.conf QUAN_DATA=$W/$n "$QUAN" "$@"; }

# valid_codes N: N valid merchant codes of NORMAL/DISCOUNT stocks the
# tills know (in the seeds' code lists)
valid_codes() {
	python3 - "$W" "$1" <<'PY'
import json, sys
w, want = sys.argv[1], int(sys.argv[2])
out = []
for n in ("1", "2", "3"):
    seed = json.load(open(f"{w}/{n}-seed.json"))
    known = set()
    for line in open(f"{w}/{n}-codes.csv"):
        p = line.strip().split(",")
        if len(p) > 2 and p[1] == "merchant":
            known.add(p[0])
    for c in seed["merchant"]["valid"]:
        if c["code"] in known and c["stock_type"] in ("NORMAL", "DISCOUNT"):
            out.append(c["code"])
print("\n".join(out[:want]))
PY
}
