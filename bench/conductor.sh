#!/usr/bin/env bash
# bench/conductor.sh [BUILD_DIR]: what a grant of timesync-conductor costs with 1, 2, 4 and
# 8 QEMUs. Each run: N riscv64 QEMUs running the 2-instruction loop guest (the same guest
# time each), all members of one conductor over Unix sockets, protocol 2, a 10 us quantum
# so that the syncs dominate; and, as the baseline, one QEMU with timesync-peer (protocol
# 2, socket) without a conductor. Rounds interleave the member counts (the order rotates).
# Prints, per member count, the median over rounds of the wall time per grant and of that
# per QEMU, and writes conductor.md into bench/results/<date>-<host>/.
#
# Environment: ROUNDS (default 7), MEMBERS ("1 2 4 8"), QUANTUM_US (10),
# LOOP_ITERATIONS (25000000: 50 ms of guest time, 5000 grants), RESULTS.
set -euo pipefail

BENCH_NAME=conductor
. "$(dirname "$0")/lib.sh" # BUILD, QEMU, ICOUNT, RESULTS, WORK, measure, ...
ROUNDS=${ROUNDS:-7}
read -r -a MEMBERS <<<"${MEMBERS:-1 2 4 8}"
QUANTUM_US=${QUANTUM_US:-10}
LOOP_ITERATIONS=${LOOP_ITERATIONS:-25000000}

build TimeSyncPlugin timesync-peer timesync-conductor guest-loop
mkdir -p "$RESULTS"

# qemu_on PATH: one QEMU of the loop guest on socket PATH, in the background.
qemu_on() {
	timeout -k 5 "$QEMU_TIMEOUT" "$QEMU" -M virt -bios none -display none -monitor none \
		-serial null -icount "$ICOUNT" -kernel "$BUILD/guests/loop.elf" \
		-device "loader,addr=0x80001000,data=$LOOP_ITERATIONS,data-len=8" \
		-plugin "$BUILD/plugin/libTimeSyncPlugin.so,transport=socket,path=$1,protocol=2,TimeInMicroseconds=$QUANTUM_US" \
		</dev/null >/dev/null 2>&1 &
}

# one N: a run with N QEMUs under the conductor (N = "peer": one QEMU, timesync-peer);
# prints "N wall_s grants".
one() {
	local n=$1 start end grants pids=()
	rm -f "$WORK"/ecu* "$WORK/conf" "$WORK/grants"
	start=$EPOCHREALTIME
	if [ "$n" = peer ]; then
		qemu_on "$WORK/ecu0"
		pids+=($!)
		timeout -k 5 "$QEMU_TIMEOUT" "$BUILD/tools/timesync-peer" --protocol 2 --transport socket \
			--path "$WORK/ecu0" >"$WORK/peer.out" 2>&1
		grants=$(sed -n 's/^timesync-peer: .*: \([0-9]*\) syncs.*/\1/p' "$WORK/peer.out")
	else
		for ((i = 0; i < n; i++)); do
			echo "member ecu$i qemu socket $WORK/ecu$i" >>"$WORK/conf"
			qemu_on "$WORK/ecu$i"
			pids+=($!)
		done
		timeout -k 5 "$QEMU_TIMEOUT" "$BUILD/tools/timesync-conductor" --grants "$WORK/grants" \
			"$WORK/conf" >/dev/null 2>"$WORK/conductor.err" || { cat "$WORK/conductor.err" >&2; exit 1; }
		grants=$(grep -c '^grant ' "$WORK/grants")
	fi
	wait "${pids[@]}"
	end=$EPOCHREALTIME
	echo "$n $(awk -v a="$start" -v b="$end" 'BEGIN { printf "%.4f", b - a }') $grants"
}

say "members ${MEMBERS[*]} and peer, quantum $QUANTUM_US us, $ROUNDS rounds"
order=(peer "${MEMBERS[@]}")
: >"$WORK/runs"
for ((r = 0; r < ROUNDS; r++)); do
	for ((i = 0; i < ${#order[@]}; i++)); do
		one "${order[$(((i + r) % ${#order[@]}))]}" >>"$WORK/runs"
	done
done
python3 - "$WORK/runs" "$RESULTS/conductor.md" "$QUANTUM_US" "$ROUNDS" <<'PY'
import statistics, sys
runs = {}
for line in open(sys.argv[1]):
    n, wall, grants = line.split()
    runs.setdefault(n, []).append((float(wall), int(grants)))
out = [f"# timesync-conductor: wall time per grant", "",
       f"Loop guest, {sys.argv[3]} us quantum, Unix sockets, protocol 2, {sys.argv[4]} "
       "interleaved rounds, medians (min-max). Wall time of the whole run (QEMU start-up "
       "included) over its grants; `peer`: one QEMU with timesync-peer, no conductor.", "",
       "| QEMUs | grants | wall per grant us | per grant and QEMU us | vs peer |",
       "|---|---:|---:|---:|---:|"]
peer = statistics.median(w / g for w, g in runs["peer"]) if "peer" in runs else None
for n, rs in runs.items():
    per = [w / g * 1e6 for w, g in rs]
    count = 1 if n == "peer" else int(n)
    med = statistics.median(per)
    out.append(f"| {n} | {rs[0][1]} | {med:.1f} ({min(per):.1f}-{max(per):.1f}) | "
               f"{med / count:.1f} | {med / (peer * 1e6):.2f}x |" if peer else "")
open(sys.argv[2], "w").write("\n".join(out) + "\n")
print("\n".join(out))
PY
