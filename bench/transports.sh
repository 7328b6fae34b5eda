#!/usr/bin/env bash
# bench/transports.sh [BUILD_DIR]: the round trip of every transport, from the raw limits
# of the machine up to the sync inside QEMU, and what syncing costs the guest at quanta
# down to 1 us. Builds what it needs (meson, in BUILD_DIR, default build-bench), runs
# everything in interleaved rounds and writes transports.md, transports.csv and
# transports-environment.txt into bench/results/<date>-<host>/, next to run.sh's results
# (the bench/results/latest symlink is left alone, made only when missing).
# See bench/README.md, "Transports".
#
# Environment: ROUNDS (default 12), LOOP_ITERATIONS (guest time per QEMU run),
# LOOP_ITERATIONS_1US (the same for 1 us quanta), PIPE_BLOCK_TRIPS, PIPE_SPIN_TRIPS,
# SHM_SPIN_TRIPS, LINK_TRIPS (round trips per measurement), QEMU, RESULTS.
set -euo pipefail

BENCH_NAME=transports
. "$(dirname "$0")/lib.sh" # BUILD, QEMU, ICOUNT, RESULTS, WORK, measure, ...
ROUNDS=${ROUNDS:-12}
LOOP_ITERATIONS=${LOOP_ITERATIONS:-100000000}        # 2n+14 instructions: 0.2 s guest time
LOOP_ITERATIONS_1US=${LOOP_ITERATIONS_1US:-$LOOP_ITERATIONS}
PIPE_BLOCK_TRIPS=${PIPE_BLOCK_TRIPS:-10000}          # ~25 us each
PIPE_SPIN_TRIPS=${PIPE_SPIN_TRIPS:-100000}           # ~1 us each
SHM_SPIN_TRIPS=${SHM_SPIN_TRIPS:-300000}             # ~0.3 us each
LINK_TRIPS=${LINK_TRIPS:-5000}                       # per transport, size and spin
# Guest time of a run that measures QEMU's start-up and exit alone (no plugin).
STARTUP_ITERATIONS=1000

# QEMU runs: transport|quantum in us (or nosync)|extra plugin options. "none" (no plugin)
# and "startup" (no plugin, no guest time) are the baselines. Protocol 2, timesync-peer
# with its default options as the participant. follow_clock=off at 1 us shows what
# reading the guest's clock register costs per sync.
QEMU_RUNS=(
	"none|-|"
	"startup|-|"
	"shm|nosync|"
	"shm|1000|"
	"shm|100|"
	"shm|10|"
	"shm|1|"
	"shm|1|follow_clock=off"
	"fifo|1000|"
	"fifo|100|"
	"fifo|10|"
	"socket|1000|"
	"socket|100|"
	"socket|10|"
)
# Raw ping-pongs (bench/pingpong.c): mode|round trips.
RAW_RUNS=(
	"pipe-block|$PIPE_BLOCK_TRIPS"
	"pipe-spin|$PIPE_SPIN_TRIPS"
	"socket-spin|$PIPE_SPIN_TRIPS"
	"shm-spin|$SHM_SPIN_TRIPS"
)

SHM_PATH=/dev/shm/timesync-transports-$$
REMOVE_AT_EXIT+=("$SHM_PATH")
CSV=$RESULTS/transports.csv

# transport_setup TRANSPORT: sets TRANSPORT_OPTIONS (the plugin's) and PEER_ARGS
# (timesync-peer's) for it and removes what an earlier run may have left at its paths.
transport_setup() {
	case $1 in
	fifo)
		TRANSPORT_OPTIONS="transport=fifo,HostToGuestPipe=$WORK/h2g,GuestToHostPipe=$WORK/g2h"
		PEER_ARGS=(--transport fifo --host-to-guest "$WORK/h2g" --guest-to-host "$WORK/g2h") ;;
	socket)
		TRANSPORT_OPTIONS="transport=socket,path=$WORK/ts.sock"
		PEER_ARGS=(--transport socket --path "$WORK/ts.sock") ;;
	shm)
		TRANSPORT_OPTIONS="transport=shm,path=$SHM_PATH"
		PEER_ARGS=(--transport shm --path "$SHM_PATH") ;;
	esac
	rm -f "$WORK/h2g" "$WORK/g2h" "$WORK/ts.sock" "$SHM_PATH"
}

# qemu_run PREFIX TRANSPORT QUANTUM OPTIONS: one QEMU run on the loop guest; TRANSPORT
# none or startup: no plugin. With a quantum, timesync-peer answers (protocol 2); it is
# started first and waited for, so its CPU time counts as the run's (measure).
qemu_run() {
	local prefix=$1 transport=$2 quantum=$3 options=$4 iterations=$LOOP_ITERATIONS plugin=()
	local peer_pid='' status=0 quantum_option
	[ "$quantum" != 1 ] || iterations=$LOOP_ITERATIONS_1US
	[ "$transport" != startup ] || iterations=$STARTUP_ITERATIONS
	if [ "$transport" != none ] && [ "$transport" != startup ]; then
		quantum_option=TimeInMicroseconds=$quantum
		[ "$quantum" != nosync ] || quantum_option=TimeInMicroseconds=$NO_SYNC_QUANTUM_US
		transport_setup "$transport"
		plugin=(-plugin "$BUILD/plugin/libTimeSyncPlugin.so,$TRANSPORT_OPTIONS,protocol=2,$quantum_option,stats=$prefix.json${options:+,$options}")
		if [ "$quantum" != nosync ]; then
			timeout -k 5 "$QEMU_TIMEOUT" "$BUILD/tools/timesync-peer" --protocol 2 \
				"${PEER_ARGS[@]}" </dev/null >"$prefix.peer" 2>&1 &
			peer_pid=$!
		fi
	fi
	timed "$prefix" "$QEMU" -display none -monitor none -serial "file:$prefix.uart" \
		-icount "$ICOUNT" -M virt -bios none -kernel "$BUILD/guests/loop.elf" \
		-device "loader,addr=0x80001000,data=$iterations,data-len=8" "${plugin[@]}" ||
		status=$?
	if [ -n "$peer_pid" ]; then
		# QEMU said goodbye: the peer ends at once; if QEMU failed first, end it.
		[ "$status" -eq 0 ] || kill "$peer_pid" 2>/dev/null || true
		wait "$peer_pid" || true
	fi
	return $status
}

# json_field PREFIX NAME: a number from the plugin's stats=FILE JSON.
json_field() {
	[ -f "$1.json" ] || return 0
	grep -oE "\"$2\": [0-9]+" "$1.json" | grep -oE '[0-9]+$' || true
}

CSV_HEADER="round,position,kind,variant,quantum_us,options,record_bytes,spin_ns,wall_s,cpu_s,others_cores,status,round_trip_ns,syncs,wait_mean_ns,wait_p99_ns,guest_ns"

# csv_row KIND VARIANT QUANTUM OPTIONS RECORD_BYTES SPIN_NS ROUND_TRIP SYNCS WAIT_MEAN
# WAIT_P99 GUEST_NS: one line of transports.csv for the run just measured.
csv_row() {
	echo "$ROUND,$POSITION,$1,$2,$3,$4,$5,$6,$WALL_S,$CPU_S,$OTHERS,$STATUS,$7,$8,$9,${10},${11}" >>"$CSV"
}

# run_entry ENTRY: one measurement (an entry of the round's list), into transports.csv.
run_entry() {
	local kind rest prefix=$WORK/run
	IFS=':' read -r kind rest <<<"$1"
	case $kind in
	raw)
		local mode trips
		IFS='|' read -r mode trips <<<"$rest"
		measure "$prefix" timed "$prefix" "$BUILD/bench/pingpong" "$mode" "$trips"
		[ "$STATUS" -eq 0 ] || say "pingpong $mode: status $STATUS: $(tail -n1 "$prefix.err")"
		csv_row raw "$mode" - - "$([ "$mode" = shm-spin ] && echo 4 || echo 1)" \
			"$([ "$mode" = pipe-block ] && echo 0 || echo forever)" \
			"$(awk 'NF == 3 { print $3 }' "$prefix.out" 2>/dev/null)" "" "" "" ""
		;;
	link)
		# test_link --latency: per transport and spin, the mean round trip of 1-byte
		# and TS_LINK_RECORD_MAX-byte records, both ends spinning, then both sleeping.
		measure "$prefix" timed "$prefix" "$BUILD/tests/test_link" --latency "$LINK_TRIPS"
		[ "$STATUS" -eq 0 ] || say "test_link --latency: status $STATUS: $(tail -n1 "$prefix.err")"
		local transport spin one full
		while read -r transport spin one _ full _; do
			csv_row link "$transport" - - 1 "$spin" "$one" "" "" "" ""
			csv_row link "$transport" - - 64 "$spin" "$full" "" "" "" ""
		done < <(awk '$1 ~ /^(fifo|socket|shm)$/ && $4 == "ns" && $6 == "ns"' "$prefix.out" 2>/dev/null)
		;;
	qemu)
		local transport quantum options
		IFS='|' read -r transport quantum options <<<"$rest"
		measure "$prefix" qemu_run "$prefix" "$transport" "$quantum" "$options"
		[ "$STATUS" -eq 0 ] || say "QEMU $transport $quantum $options: status $STATUS: $(tail -n1 "$prefix.err")"
		csv_row qemu "$transport" "$quantum" "$options" \
			"$([ "$transport" = none ] || [ "$transport" = startup ] && echo - || echo 64)" \
			"$([ "$transport" = none ] || [ "$transport" = startup ] && echo - || echo 50000)" \
			"" "$(json_field "$prefix" syncs)" "$(json_field "$prefix" wait_mean_ns)" \
			"$(json_field "$prefix" wait_p99_ns)" "$(json_field "$prefix" guest_ns)"
		;;
	esac
}

# Round r runs every entry once, the list rotated by a different offset each round (as
# in run.sh), so that slow phases of a shared machine hit every measurement.
rounds() {
	local entries=() entry i n offset
	for entry in "${RAW_RUNS[@]}"; do entries+=("raw:$entry"); done
	entries+=("link:")
	for entry in "${QEMU_RUNS[@]}"; do entries+=("qemu:$entry"); done
	n=${#entries[@]}
	echo "$CSV_HEADER" >"$CSV"
	for ((ROUND = 1; ROUND <= ROUNDS; ROUND++)); do
		offset=$((((ROUND - 1) * (n / ROUNDS + 1)) % n))
		say "round $ROUND/$ROUNDS ($n measurements)"
		for ((i = 0; i < n; i++)); do
			POSITION=$((i + 1))
			run_entry "${entries[(i + offset) % n]}"
		done
	done
}

write_environment() {
	environment_start "$RESULTS/transports-environment.txt"
	{
		echo "rounds=$ROUNDS"
		echo "loop_iterations=$LOOP_ITERATIONS"
		echo "loop_iterations_1us=$LOOP_ITERATIONS_1US"
		echo "startup_iterations=$STARTUP_ITERATIONS"
		echo "pipe_block_trips=$PIPE_BLOCK_TRIPS"
		echo "pipe_spin_trips=$PIPE_SPIN_TRIPS"
		echo "shm_spin_trips=$SHM_SPIN_TRIPS"
		echo "link_trips=$LINK_TRIPS"
		echo "icount=$ICOUNT"
	} >>"$RESULTS/transports-environment.txt"
}

main() {
	local started=$SECONDS
	say "building in $BUILD"
	build TimeSyncPlugin timesync-peer guest-loop test_link pingpong
	mkdir -p "$RESULTS"
	rm -f "$RESULTS/transports.md" "$CSV" "$RESULTS/transports-environment.txt"
	write_environment
	rounds
	environment_end "$RESULTS/transports-environment.txt" $((SECONDS - started))
	python3 "$BENCH/summarize_transports.py" "$RESULTS"
	if [ "$(dirname "$RESULTS")" = "$BENCH/results" ] && [ ! -e "$BENCH/results/latest" ]; then
		ln -sfn "$(basename "$RESULTS")" "$BENCH/results/latest"
	fi
	say "done in $((SECONDS - started)) s: $RESULTS/transports.md"
}

main
