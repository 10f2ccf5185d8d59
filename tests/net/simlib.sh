# simlib.sh — sourced by kill9.sh and soak.sh: run `quan sim serve` in the
# background and fail with the work dir kept. The caller sets QUAN, W (work
# dir), SIM (simulator dir) and SIM_SEED before sourcing.
SIMPID=
fail() { echo "FAIL: $*" >&2; [ -n "$SIMPID" ] && kill -9 "$SIMPID" 2>/dev/null; echo "work dir kept: $W" >&2; exit 1; }

start_sim() { # $1 = listen, $2 = faults ("" none)
	local args=(sim serve "$SIM" --listen "$1" --seed "$SIM_SEED")
	[ -n "$2" ] && args+=(--faults "$2")
	"$QUAN" "${args[@]}" >"$W/sim.out" 2>>"$W/sim.err" &
	SIMPID=$!
	for _ in $(seq 1 100); do
		grep -q '^listening' "$W/sim.out" 2>/dev/null && return 0
		sleep 0.1
	done
	fail "sim did not start"
}
kill_sim() { kill -9 "$SIMPID" 2>/dev/null; wait "$SIMPID" 2>/dev/null; SIMPID=; }
