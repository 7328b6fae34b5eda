#!/usr/bin/env bash
# bench/lookahead.sh [BUILD_DIR]: what timesync-conductor's lookahead saves on an idle-heavy
# guest. Each run: two riscv64 QEMUs running the sleeping guest (2 ms of computing, 10 ms
# asleep in wfi, 2 ms of computing) as members of one conductor over Unix sockets,
# protocol 2, with --lookahead on or off; rounds interleave the two (the order alternates).
# Prints, and writes into lookahead.md next to the other results, the median wall time of
# a run (QEMU start-up included) and the grants of each, and the ratio on/off.
#
# Environment: ROUNDS (default 11), QUANTUM_US (10: the idle time is 1000 steps), RESULTS.
set -euo pipefail

BENCH_NAME=lookahead
. "$(dirname "$0")/lib.sh" # BUILD, QEMU, ICOUNT, RESULTS, WORK, ...
ROUNDS=${ROUNDS:-11}
QUANTUM_US=${QUANTUM_US:-10}

build TimeSyncPlugin timesync-conductor guest-sleep
mkdir -p "$RESULTS"

# one on|off: prints "on|off wall_s grants".
one() {
	local pids=() start end
	rm -f "$WORK"/ecu* "$WORK/grants"
	printf 'member ecu1 qemu socket %s\nmember ecu2 qemu socket %s\n' "$WORK/ecu1" "$WORK/ecu2" >"$WORK/conf"
	start=$EPOCHREALTIME
	for i in 1 2; do
		timeout -k 5 "$QEMU_TIMEOUT" "$QEMU" -M virt -bios none -display none -monitor none \
			-serial null -icount "$ICOUNT" -kernel "$BUILD/guests/sleep.elf" \
			-device "loader,addr=0x80001000,data=1000000,data-len=8" \
			-plugin "$BUILD/plugin/libTimeSyncPlugin.so,transport=socket,path=$WORK/ecu$i,protocol=2,TimeInMicroseconds=$QUANTUM_US" \
			</dev/null >/dev/null 2>&1 &
		pids+=($!)
	done
	timeout -k 5 "$QEMU_TIMEOUT" "$BUILD/tools/timesync-conductor" --lookahead "$1" \
		--grants "$WORK/grants" "$WORK/conf" >/dev/null 2>"$WORK/conductor.err" ||
		{ cat "$WORK/conductor.err" >&2; exit 1; }
	wait "${pids[@]}"
	end=$EPOCHREALTIME
	echo "$1 $(awk -v a="$start" -v b="$end" 'BEGIN { printf "%.4f", b - a }') $(grep -c '^grant ' "$WORK/grants")"
}

say "two sleeping guests, quantum $QUANTUM_US us, $ROUNDS rounds"
: >"$WORK/runs"
for ((r = 0; r < ROUNDS; r++)); do
	if ((r % 2)); then one on; one off; else one off; one on; fi >>"$WORK/runs"
done
python3 - "$WORK/runs" "$RESULTS/lookahead.md" "$QUANTUM_US" "$ROUNDS" <<'PY'
import statistics, sys
runs = {}
for line in open(sys.argv[1]):
    mode, wall, grants = line.split()
    runs.setdefault(mode, []).append((float(wall), int(grants)))
med = {m: statistics.median(w for w, _ in rs) for m, rs in runs.items()}
out = ["# timesync-conductor: lookahead on an idle-heavy guest", "",
       f"Two QEMUs, the sleeping guest (2 ms computing, 10 ms in wfi, 2 ms computing), "
       f"{sys.argv[3]} us steps, Unix sockets, protocol 2, {sys.argv[4]} interleaved rounds, "
       "medians (min-max) of the wall time of a whole run, QEMU start-up included.", "",
       "| lookahead | grants | wall ms | on / off |", "|---|---:|---:|---:|"]
for m in ("off", "on"):
    walls = [w * 1e3 for w, _ in runs[m]]
    out.append(f"| {m} | {runs[m][0][1]} | {med[m] * 1e3:.1f} ({min(walls):.1f}-{max(walls):.1f}) | "
               f"{med[m] / med['off']:.2f}x |")
open(sys.argv[2], "w").write("\n".join(out) + "\n")
print("\n".join(out))
PY
