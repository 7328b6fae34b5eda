#!/usr/bin/env bash
# bench/python_vs_c.sh [BUILD_DIR]: what a sync costs with a Python participant (the
# timesync package: bench/python_participant.py, which grants one quantum at every halt
# and does nothing else) against the C one (timesync-peer --protocol 2, the same loop in
# C), on the same guest (the loop guest) at the same quantum, protocol 2, per transport,
# with QEMU alone (no plugin) as the baseline, in interleaved rounds whose order rotates.
# Prints per transport and participant the medians over rounds of: QEMU's wall time, the
# plugin's mean wait per sync (from writing its HALT to reading the grant: the
# participant's whole turn, transport included) and the participant's CPU time per sync
# (C: the whole process; Python: its loop over halts, without the interpreter's start-up);
# and what Python adds per sync: wall, wait and CPU of Python - those of C. The same, with
# what the result depends on (bench/lib.sh's environment file), goes to
# bench/results/<date>-<host>/python-vs-c-spin<SPIN_US>.txt.
#
# Both participants spin SPIN_US before they block: default 50 (what both do by default); 0:
# they block at once (their CPU time is then what each sync costs them); 2000: longer than
# the guest takes per quantum, so that a halt finds them spinning and the wait is the bare
# round trip (this needs a core each: on a busy 2-core machine it measures the scheduler).
#
# Environment: ROUNDS (default 7), QUANTUM_US (100), LOOP_ITERATIONS (250000000: 0.5 s
# of guest time, 5000 syncs at 100 us), TRANSPORTS ("shm fifo"; socket too), SPIN_US,
# PYTHON (python3), RESULTS.
set -euo pipefail

BENCH_NAME=python-vs-c
. "$(dirname "$0")/lib.sh" # BUILD, QEMU, ICOUNT, WORK, measure, timed, ...
ROUNDS=${ROUNDS:-7}
QUANTUM_US=${QUANTUM_US:-100}
LOOP_ITERATIONS=${LOOP_ITERATIONS:-250000000}
TRANSPORTS=${TRANSPORTS:-shm fifo}
SPIN_US=${SPIN_US:-50}
PYTHON=${PYTHON:-python3}
SHM_PATH=/dev/shm/timesync-python-vs-c-$$
REMOVE_AT_EXIT+=("$SHM_PATH")

build TimeSyncPlugin timesync-peer guest-loop
started=$SECONDS
mkdir -p "$RESULTS"
OUT=$RESULTS/python-vs-c-spin$SPIN_US.txt

# participant PREFIX c|python TRANSPORT: the participant, its CPU time (user, system) in
# PREFIX.peer-times (bash's `times` of the subshell that waited for it).
participant() {
	local prefix=$1 kind=$2 transport=$3 links=() status=0
	case $transport in
	fifo) links=("$WORK/h2g" "$WORK/g2h") ;;
	socket) links=("$WORK/ts.sock") ;;
	shm) links=("$SHM_PATH") ;;
	esac
	if [ "$kind" = c ]; then
		if [ "$transport" = fifo ]; then
			links=(--host-to-guest "${links[0]}" --guest-to-host "${links[1]}")
		else
			links=(--path "${links[0]}")
		fi
		timeout -k 5 "$QEMU_TIMEOUT" "$BUILD/tools/timesync-peer" --protocol 2 \
			--transport "$transport" "${links[@]}" --spin-us "$SPIN_US" || status=$?
	else
		PYTHONPATH="$SRC/python" TIMESYNC_LIBRARY="$BUILD/libtimesync.so" \
			timeout -k 5 "$QEMU_TIMEOUT" "$PYTHON" "$BENCH/python_participant.py" \
			"$SPIN_US" "$transport" "${links[@]}" || status=$?
	fi
	times >"$prefix.peer-times"
	return $status
}

# run PREFIX TRANSPORT c|python|none: one timed QEMU run (none: without plugin), the
# participant started first and waited for.
run() {
	local prefix=$1 transport=$2 kind=$3 plugin=() options peer=""
	case $transport in
	fifo) options="HostToGuestPipe=$WORK/h2g,GuestToHostPipe=$WORK/g2h" ;;
	socket) options="transport=socket,path=$WORK/ts.sock" ;;
	shm) options="transport=shm,path=$SHM_PATH" ;;
	esac
	rm -f "$WORK/h2g" "$WORK/g2h" "$WORK/ts.sock" "$SHM_PATH" "$prefix".{json,peer,peer-times}
	if [ "$kind" != none ]; then
		participant "$prefix" "$kind" "$transport" >"$prefix.peer" 2>&1 &
		peer=$!
		plugin=(-plugin "$BUILD/plugin/libTimeSyncPlugin.so,$options,protocol=2,TimeInMicroseconds=$QUANTUM_US,stats=$prefix.json")
	fi
	timed "$prefix" "$QEMU" -M virt -bios none -display none -monitor none -serial null \
		-icount "$ICOUNT" -kernel "$BUILD/guests/loop.elf" \
		-device "loader,addr=0x80001000,data=$LOOP_ITERATIONS,data-len=8" "${plugin[@]}" || return
	[ -z "$peer" ] || wait "$peer" || { say "$kind over $transport failed:"; cat "$prefix.peer" >&2; return 1; }
}

json_field() { grep -oE "\"$2\": [0-9]+" "$1" 2>/dev/null | grep -oE '[0-9]+$' || echo 0; }
# cpu_s PREFIX: the participant's CPU seconds: the loop CPU python_participant.py
# printed, else user + system from its `times` (second line).
cpu_s() {
	local loop
	loop=$(sed -n 's/.*, loop CPU \([0-9.]*\) s,.*/\1/p' "$1.peer" 2>/dev/null)
	[ -z "$loop" ] || { echo "$loop"; return; }
	[ -f "$1.peer-times" ] || { echo 0; return; }
	awk 'NR == 2 { for (i = 1; i <= 2; i++) { split($i, t, /[ms]/); s += t[1] * 60 + t[2] }
		printf "%.3f", s }' "$1.peer-times"
}

environment_start "$OUT"
{
	echo "rounds=$ROUNDS"
	echo "quantum_us=$QUANTUM_US"
	echo "loop_iterations=$LOOP_ITERATIONS"
	echo "spin_us=$SPIN_US"
	echo "python=$("$PYTHON" --version)"
	echo "icount=$ICOUNT"
} >>"$OUT"
say "loop guest, $LOOP_ITERATIONS iterations, quantum $QUANTUM_US us, participants spin $SPIN_US us, transports $TRANSPORTS, $ROUNDS rounds, $("$PYTHON" --version)"
variants=("${TRANSPORTS%% *} none")
for transport in $TRANSPORTS; do
	variants+=("$transport c" "$transport python")
done
n=${#variants[@]}
# One line per run: round transport participant wall_s syncs wait_mean_ns participant_cpu_s others
for ((round = 0; round < ROUNDS; round++)); do
	for ((i = 0; i < n; i++)); do
		read -r transport kind <<<"${variants[$(((i + round) % n))]}"
		measure "$WORK/run" run "$WORK/run" "$transport" "$kind"
		[ "$STATUS" -eq 0 ] || { say "$transport $kind: status $STATUS"; cat "$WORK/run.err" >&2; exit 1; }
		echo "$round $transport $kind $WALL_S $(json_field "$WORK/run.json" syncs)" \
			"$(json_field "$WORK/run.json" wait_mean_ns) $(cpu_s "$WORK/run") $OTHERS" >>"$WORK/runs"
	done
done
environment_end "$OUT" $((SECONDS - started))
"$PYTHON" - "$WORK/runs" <<'PY' | tee -a "$OUT"
import collections, statistics, sys
runs = collections.defaultdict(dict)  # (transport, participant) -> round -> (wall, syncs, wait, cpu)
others = []
for line in open(sys.argv[1]):
    rnd, transport, kind, wall, syncs, wait, cpu, busy = line.split()
    runs[transport, kind][rnd] = (float(wall), int(syncs), int(wait) / 1e3, float(cpu))
    others.append(float(busy))
med = statistics.median
none = next(v for (_, kind), v in runs.items() if kind == "none")
print(f"QEMU alone: median wall {med(w for w, _, _, _ in none.values()):.3f} s; other processes "
      f"kept {med(others):.2f} cores busy (median of all runs)")
for transport in dict.fromkeys(t for t, kind in runs if kind != "none"):
    c, py = runs[transport, "c"], runs[transport, "python"]
    rounds = sorted(set(c) & set(py))
    syncs = c[rounds[0]][1]
    for name, v in (("C", c), ("Python", py)):
        print(f"{transport} {name:6}: {syncs} syncs, median wall {med(v[r][0] for r in rounds):.3f} s, "
              f"plugin's wait per sync {med(v[r][2] for r in rounds):.1f} us, participant CPU "
              f"per sync {med(v[r][3] for r in rounds) / syncs * 1e6:.1f} us")
    print(f"{transport} Python - C per sync: wall {med(py[r][0] - c[r][0] for r in rounds) / syncs * 1e6:+.1f} us, "
          f"wait {med(py[r][2] - c[r][2] for r in rounds):+.1f} us, participant CPU "
          f"{med(py[r][3] - c[r][3] for r in rounds) / syncs * 1e6:+.1f} us "
          f"(medians of {len(rounds)} per-round differences)")
PY
say "written to $OUT"
