#!/usr/bin/env bash
# bench/conductor.sh [BUILD_DIR]: what a grant of timesync-conductor costs with 1, 2, 4 and
# 8 QEMUs. Each run: N riscv64 QEMUs running the 2-instruction loop guest (the same guest
# time each), all members of one conductor over Unix sockets, protocol 2, a 10 us quantum
# so that the syncs dominate; and, as the baseline, one QEMU with timesync-peer (protocol
# 2, socket) without a conductor. Rounds interleave the member counts (the order rotates).
# Prints, per member count, the median over rounds of the wall time per grant and of that
# per QEMU, and writes conductor.md into bench/results/<date>-<host>/.
#
# DDS=1: every QEMU over timesync-dds-bridge instead: the QEMUs and the qemu sides of their
# bridges in one network namespace, the conductor and the participant sides in another,
# joined by a veth pair (made here, removed at exit; needs root); writes conductor-dds.md,
# with the mean answer time each QEMU's bridge measured (the round trip over DDS and the
# conductor) beside the wall time. The baseline stays timesync-peer without DDS.
#
# Environment: ROUNDS (default 7), MEMBERS ("1 2 4 8"), QUANTUM_US (10),
# LOOP_ITERATIONS (25000000: 50 ms of guest time, 5000 grants), RESULTS, DDS.
set -euo pipefail

BENCH_NAME=conductor
. "$(dirname "$0")/lib.sh" # BUILD, QEMU, ICOUNT, RESULTS, WORK, measure, ...
ROUNDS=${ROUNDS:-7}
read -r -a MEMBERS <<<"${MEMBERS:-1 2 4 8}"
QUANTUM_US=${QUANTUM_US:-10}
LOOP_ITERATIONS=${LOOP_ITERATIONS:-25000000}

DDS=${DDS:-}
build TimeSyncPlugin timesync-peer timesync-conductor guest-loop ${DDS:+timesync-dds-bridge}
mkdir -p "$RESULTS"

# With DDS: namespaces A (conductor) and B (QEMUs), in_a and in_b run a command in them.
in_a=() in_b=()
if [ -n "$DDS" ]; then
	ns_a=tsbench-a-$$ ns_b=tsbench-b-$$ veth_a=tsba$$ veth_b=tsbb$$
	AT_EXIT+=("ip netns del $ns_a 2>/dev/null; ip netns del $ns_b 2>/dev/null")
	. "$SRC/scripts/netns-lib.sh"
	netns_pair "$ns_a" "$ns_b" "$veth_a" "$veth_b" 10.232.0 || { say "cannot make the namespaces (root?)"; exit 1; }
	in_a=(ip netns exec "$ns_a" env "CYCLONEDDS_URI=$(dds_uri "$veth_a")")
	in_b=(ip netns exec "$ns_b" env "CYCLONEDDS_URI=$(dds_uri "$veth_b")")
fi

# qemu_on PATH: one QEMU of the loop guest on socket PATH, in the background.
qemu_on() {
	timeout -k 5 "$QEMU_TIMEOUT" "${in_b[@]}" "$QEMU" -M virt -bios none -display none -monitor none \
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
			qemu_on "$WORK/ecu$i"
			pids+=($!)
			if [ -n "$DDS" ]; then
				echo "member ecu$i qemu socket $WORK/dds$i" >>"$WORK/conf"
				timeout -k 5 "$QEMU_TIMEOUT" "${in_b[@]}" "$BUILD/tools/timesync-dds-bridge" --side qemu \
					--name "ecu$i" --path "$WORK/ecu$i" </dev/null >/dev/null 2>"$WORK/bridge_b$i.err" &
				pids+=($!)
				timeout -k 5 "$QEMU_TIMEOUT" "${in_a[@]}" "$BUILD/tools/timesync-dds-bridge" --side participant \
					--name "ecu$i" --path "$WORK/dds$i" </dev/null >/dev/null 2>"$WORK/bridge_a$i.err" &
				pids+=($!)
			else
				echo "member ecu$i qemu socket $WORK/ecu$i" >>"$WORK/conf"
			fi
		done
		timeout -k 5 "$QEMU_TIMEOUT" "${in_a[@]}" "$BUILD/tools/timesync-conductor" --grants "$WORK/grants" \
			"$WORK/conf" >/dev/null 2>"$WORK/conductor.err" || { cat "$WORK/conductor.err" >&2; exit 1; }
		grants=$(grep -c '^grant ' "$WORK/grants")
	fi
	wait "${pids[@]}"
	end=$EPOCHREALTIME
	# With DDS, the mean of the QEMUs' bridges' answer times (us); "-" without.
	local answer=-
	[ -z "$DDS" ] || [ "$n" = peer ] ||
		answer=$(sed -n 's/.*answered in mean \([0-9]*\) us.*/\1/p' "$WORK"/bridge_b*.err |
			awk '{ s += $1; k++ } END { printf "%.0f", s / k }')
	rm -f "$WORK"/bridge_*.err
	echo "$n $(awk -v a="$start" -v b="$end" 'BEGIN { printf "%.4f", b - a }') $grants $answer"
}

say "members ${MEMBERS[*]} and peer, quantum $QUANTUM_US us, $ROUNDS rounds"
order=(peer "${MEMBERS[@]}")
: >"$WORK/runs"
for ((r = 0; r < ROUNDS; r++)); do
	for ((i = 0; i < ${#order[@]}; i++)); do
		one "${order[$(((i + r) % ${#order[@]}))]}" >>"$WORK/runs"
	done
done
python3 - "$WORK/runs" "$RESULTS/conductor${DDS:+-dds}.md" "$QUANTUM_US" "$ROUNDS" "$DDS" <<'PY'
import statistics, sys
runs, answers = {}, {}
for line in open(sys.argv[1]):
    n, wall, grants, answer = line.split()
    runs.setdefault(n, []).append((float(wall), int(grants)))
    if answer != "-":
        answers.setdefault(n, []).append(float(answer))
dds = sys.argv[5] != ""
out = [f"# timesync-conductor{' over DDS' if dds else ''}: wall time per grant", "",
       f"Loop guest, {sys.argv[3]} us quantum, Unix sockets, protocol 2, {sys.argv[4]} "
       "interleaved rounds, medians (min-max). Wall time of the whole run (QEMU start-up "
       "included) over its grants; `peer`: one QEMU with timesync-peer, no conductor"
       + (", no DDS. Each QEMU over timesync-dds-bridge, the QEMUs in one network namespace, "
          "the conductor in another, a veth pair between; answer: the mean time from a HALT "
          "to its RUN_UNTIL at the QEMU's bridge (DDS both ways and the conductor's round)."
          if dds else "."), "",
       "| QEMUs | grants | wall per grant us | per grant and QEMU us | vs peer |"
       + (" answer us |" if dds else ""),
       "|---|---:|---:|---:|---:|" + ("---:|" if dds else "")]
peer = statistics.median(w / g for w, g in runs["peer"]) if "peer" in runs else None
for n, rs in runs.items():
    per = [w / g * 1e6 for w, g in rs]
    count = 1 if n == "peer" else int(n)
    med = statistics.median(per)
    row = (f"| {n} | {rs[0][1]} | {med:.1f} ({min(per):.1f}-{max(per):.1f}) | "
           f"{med / count:.1f} | {med / (peer * 1e6):.2f}x |" if peer else "")
    if dds:
        row += f" {statistics.median(answers[n]):.0f} |" if n in answers else " - |"
    out.append(row)
open(sys.argv[2], "w").write("\n".join(out) + "\n")
print("\n".join(out))
PY
