#!/usr/bin/env bash
# bench/run.sh [BUILD_DIR]: builds what the benchmarks need (meson, in BUILD_DIR, default
# build-bench), runs them and writes bench/results/<date>-<host>/ (results.md, CSVs, PNG)
# and the bench/results/latest symlink. See bench/README.md.
#
# Environment: ROUNDS (timing rounds, default 11), MEMORY_ROUNDS (3), LOOP_ITERATIONS,
# COMPUTE_ITERATIONS, MEMORY_PASSES ("small large"), QEMU (qemu-system-riscv64),
# RESULTS (output directory), WORKLOADS ("loop compute linux").
set -euo pipefail

BENCH_NAME=bench
. "$(dirname "$0")/lib.sh" # BUILD, QEMU, ICOUNT, RESULTS, WORK, measure, ...
ROUNDS=${ROUNDS:-11}
MEMORY_ROUNDS=${MEMORY_ROUNDS:-3}
LOOP_ITERATIONS=${LOOP_ITERATIONS:-300000000}    # 2n+14 instructions: 0.6 s guest time
COMPUTE_ITERATIONS=${COMPUTE_ITERATIONS:-12000}  # ~126k instructions each: 1.5 s
read -r -a MEMORY_PASSES <<<"${MEMORY_PASSES:-30 90}" # x 4096 translated blocks
# Guest time between syncs, in us. "none": no sync (NO_SYNC_QUANTUM_US), what counting
# alone costs. A workload may have its own list (QUANTA_US_<workload>).
QUANTA_US=(1000 100 none)
QUANTA_US_linux=(1000 none)
# Participants: "spin" (timesync-peer spins PEER_SPIN_US, default 2000 us, longer than a
# 1 ms quantum takes: it answers at once, and takes a core) at every quantum; "block"
# (it blocks in read like the seed's participant) at the quanta in BLOCK_QUANTA_US.
BLOCK_QUANTA_US=" 1000 "

# Plugin variants: name|plugin .so|extra plugin options. "none" (no plugin) is implicit
# and is the baseline of every ratio. A variant whose options QEMU refuses is skipped.
# The floor (floor_plugin.c: counting only, never syncs) runs at quantum "none" only.
VARIANTS=(
	"floor-empty|$BUILD/bench/libFloorPlugin.so|empty=on"
	"floor|$BUILD/bench/libFloorPlugin.so|"
	"floor-check|$BUILD/bench/libFloorPlugin.so|check=on"
	"seed|$BUILD/bench/libSeedAlgorithmPlugin.so|"
	"ours|$BUILD/plugin/libTimeSyncPlugin.so|"
	"ours-exact|$BUILD/plugin/libTimeSyncPlugin.so|exact=on"
)
# Extra variants for the memory benchmark only: the seed's leak, to show the method sees it.
MEMORY_EXTRA_VARIANTS=(
	"seed-leak|$BUILD/bench/libSeedAlgorithmPlugin.so|leak=on"
)

# Workloads: bench/workloads.sh (a function workload_NAME each); list NAME in WORKLOADS.
. "$BENCH/workloads.sh"
read -r -a WORKLOADS <<<"${WORKLOADS:-loop compute linux}"
require_workloads "${WORKLOADS[@]}"

H2G=$WORK/h2g
G2H=$WORK/g2h

# variant_field VARIANT FIELD(1 name, 2 plugin, 3 options)
variant_field() { cut -d'|' -f"$2" <<<"$1"; }

# plugin_args VARIANT QUANTUM_US: the -plugin arguments of one run.
plugin_args() {
	local plugin options quantum=$2
	plugin=$(variant_field "$1" 2)
	options=$(variant_field "$1" 3)
	[ "$quantum" != none ] || quantum=$NO_SYNC_QUANTUM_US
	echo "$plugin,HostToGuestPipe=$H2G,GuestToHostPipe=$G2H,TimeinMicroseconds=$quantum${options:+,$options}"
}

# run_qemu PREFIX [QEMU ARGS...]: one measured QEMU run (measure: CPU_S is QEMU's, as
# the measured subshell's only children are timeout and QEMU; OTHERS includes the
# participant); QEMU's messages in PREFIX.err, its exit status in QEMU_STATUS.
run_qemu() {
	local prefix=$1
	shift
	measure "$prefix" timed "$prefix" "$QEMU" -display none -monitor none \
		-serial "file:$prefix.uart" -icount "${WORKLOAD_ICOUNT:-$ICOUNT}" "$@"
	QEMU_STATUS=$STATUS
}

# start_peer QUANTUM_US [PARTICIPANT]: a participant that answers at once, in the
# background: spinning up to PEER_SPIN_US (default 2000 us, longer than a 1 ms quantum
# takes: no wake-up latency) or, PARTICIPANT "block", blocking in read like the seed's.
start_peer() {
	local spin_us=${PEER_SPIN_US:-2000}
	[ "${2:-spin}" != block ] || spin_us=0
	rm -f "$H2G" "$G2H"
	timeout -k 5 "$QEMU_TIMEOUT" "$BUILD/tools/timesync-peer" --host-to-guest "$H2G" \
		--guest-to-host "$G2H" --quantum-us "$1" --spin-us "$spin_us" \
		</dev/null >"$WORK/peer.out" 2>&1 &
	PEER_PID=$!
}

# stop_peer: QEMU has exited, so the peer reads EOF and ends; if it never connected
# (QEMU failed first), end it.
stop_peer() {
	local tries=50
	while kill -0 "$PEER_PID" 2>/dev/null && [ $tries -gt 0 ]; do
		sleep 0.1
		tries=$((tries - 1))
	done
	kill "$PEER_PID" 2>/dev/null || true
	wait "$PEER_PID" 2>/dev/null || true
}

# run_one WORKLOAD QUANTUM_US VARIANT PREFIX [PARTICIPANT]: one timed run (VARIANT
# "none": no plugin).
run_one() {
	local workload=$1 quantum=$2 variant=$3 prefix=$4 participant=${5:-spin} plugin=()
	WORKLOAD_ICOUNT=
	"workload_$workload"
	if [ "$variant" != none ]; then
		plugin=(-plugin "$(plugin_args "$variant" "$quantum")")
		[ "$quantum" = none ] || start_peer "$quantum" "$participant"
	fi
	run_qemu "$prefix" "${WORKLOAD_ARGS[@]}" "${plugin[@]}"
	[ "$variant" = none ] || [ "$quantum" = none ] || stop_peer
}

# exit_field PREFIX REGEX: the number in the text REGEX matches in a plugin's exit line.
exit_field() {
	grep -E 'exit: ' "$1.err" | grep -oE "$2" | head -n1 | grep -oE '[0-9]+' || true
}

# memprobe_field PREFIX FIELD: VmHWM or VmRSS in kB, as libMemProbePlugin.so printed it.
memprobe_field() { sed -n "s/^memprobe: $2:[[:space:]]*\([0-9]*\) kB/\1/p" "$1.err"; }

# Drops variants whose plugin QEMU refuses (e.g. an option it does not know yet).
check_variants() {
	local accepted=() variant name
	WORKLOAD_ICOUNT=
	workload_loop
	for variant in "${VARIANTS[@]}"; do
		name=$(variant_field "$variant" 1)
		# 2014 instructions: ends before the first boundary, no participant needed.
		run_qemu "$WORK/check" -M virt -bios none -kernel "$BUILD/guests/loop.elf" \
			-device loader,addr=0x80001000,data=1000,data-len=8 \
			-plugin "$(plugin_args "$variant" 1000)"
		if [ "$QEMU_STATUS" -eq 0 ]; then
			accepted+=("$variant")
		else
			say "skipping variant $name: QEMU refused it: $(head -n1 "$WORK/check.err")"
			echo "$name: $(head -n1 "$WORK/check.err")" >>"$RESULTS/skipped.txt"
		fi
	done
	VARIANTS=("${accepted[@]}")
}

# Timing: round r runs every (workload, quantum, variant) once, in an order shuffled anew
# each round (seeded by r: reproducible) so that no run always follows the same one (a
# Linux boot right after the compute guest took 3% more CPU time than one after another
# boot); raw numbers in timing.csv.
timing() {
	local runs=() order=() workload quantum variant participant participants r i n prefix
	local quanta=()
	for workload in "${WORKLOADS[@]}"; do
		runs+=("$workload|-|none|-")
		if declare -p "QUANTA_US_$workload" >/dev/null 2>&1; then
			eval "quanta=(\"\${QUANTA_US_$workload[@]}\")"
		else
			quanta=("${QUANTA_US[@]}")
		fi
		for quantum in "${quanta[@]}"; do
			participants=(spin)
			[ "$quantum" != none ] || participants=(-)
			[[ "$BLOCK_QUANTA_US" != *" $quantum "* ]] || participants+=(block)
			for participant in "${participants[@]}"; do
				for variant in "${VARIANTS[@]}"; do
					[[ $quantum == none || $variant != floor* ]] || continue
					runs+=("$workload|$quantum|$(variant_field "$variant" 1)|$participant")
				done
			done
		done
	done
	n=${#runs[@]}
	echo "round,position,workload,quantum_us,variant,participant,wall_s,cpu_s,others_cores,status,syncs,wait_mean_ns,guest_output" \
		>"$RESULTS/timing.csv"
	for ((r = 0; r < ROUNDS; r++)); do
		mapfile -t order < <(seq 0 $((n - 1)) | shuf --random-source=<(yes "$(md5sum <<<"round $r")"))
		say "timing round $((r + 1))/$ROUNDS ($n runs)"
		for ((i = 0; i < n; i++)); do
			IFS='|' read -r workload quantum variant participant <<<"${runs[${order[i]}]}"
			prefix=$WORK/run
			run_one "$workload" "$quantum" "$(variant_line "$variant")" "$prefix" "$participant"
			[ "$QEMU_STATUS" -eq 0 ] || say "$workload $quantum $variant $participant: QEMU exit status $QEMU_STATUS: $(tail -n1 "$prefix.err")"
			echo "$((r + 1)),$((i + 1)),$workload,$quantum,$variant,$participant,$WALL_S,$CPU_S,$OTHERS,$QEMU_STATUS,$(exit_field "$prefix" '[0-9]+ syncs'),$(exit_field "$prefix" 'mean [0-9]+ ns'),$(md5sum <"$prefix.uart" | cut -c1-12)" \
				>>"$RESULTS/timing.csv"
		done
	done
}

# variant_line NAME: the VARIANTS (or memory) entry of NAME, "none" for none.
variant_line() {
	local variant
	[ "$1" != none ] || { echo none; return; }
	for variant in "${VARIANTS[@]}" "${MEMORY_EXTRA_VARIANTS[@]}"; do
		[ "$(variant_field "$variant" 1)" != "$1" ] || { echo "$variant"; return; }
	done
	return 1
}

# Memory: QEMU's VmHWM/VmRSS at exit (libMemProbePlugin.so) on a guest that makes QEMU
# translate passes x 4096 blocks, for two pass counts: the growth between them, divided
# by the extra blocks translated, is what each variant keeps per translated block. The
# translation cache is limited to 16 MiB (tb-size) so that QEMU's own generated code
# stops growing once the cache is full.
memory() {
	local names=(none) variant name passes r prefix plugin
	for variant in "${VARIANTS[@]}" "${MEMORY_EXTRA_VARIANTS[@]}"; do
		[[ $variant != floor* ]] || continue
		names+=("$(variant_field "$variant" 1)")
	done
	echo "round,variant,passes,status,vmhwm_kb,vmrss_kb,translated" >"$RESULTS/memory.csv"
	for ((r = 0; r < MEMORY_ROUNDS; r++)); do
		say "memory round $((r + 1))/$MEMORY_ROUNDS"
		for passes in "${MEMORY_PASSES[@]}"; do
			for name in "${names[@]:r % ${#names[@]}}" "${names[@]:0:r % ${#names[@]}}"; do
				prefix=$WORK/mem
				plugin=()
				if [ "$name" != none ]; then
					plugin=(-plugin "$(plugin_args "$(variant_line "$name")" 100)")
					start_peer 100
				fi
				run_qemu "$prefix" -M virt -bios none -accel tcg,tb-size=16 \
					-kernel "$BUILD/bench/retranslate.elf" \
					-device "loader,addr=0x80001000,data=$passes,data-len=8" \
					"${plugin[@]}" -plugin "$BUILD/bench/libMemProbePlugin.so"
				[ "$name" = none ] || stop_peer
				echo "$((r + 1)),$name,$passes,$QEMU_STATUS,$(memprobe_field "$prefix" VmHWM),$(memprobe_field "$prefix" VmRSS),$(exit_field "$prefix" '[0-9]+ blocks translated')" \
					>>"$RESULTS/memory.csv"
			done
		done
	done
}

write_environment() {
	environment_start "$RESULTS/environment.txt"
	{
		echo "rounds=$ROUNDS"
		echo "memory_rounds=$MEMORY_ROUNDS"
		echo "loop_iterations=$LOOP_ITERATIONS"
		echo "compute_iterations=$COMPUTE_ITERATIONS"
		echo "workloads=${WORKLOADS[*]}"
		echo "icount=$ICOUNT"
	} >>"$RESULTS/environment.txt"
}

main() {
	local started=$SECONDS
	say "building in $BUILD"
	build TimeSyncPlugin SeedAlgorithmPlugin FloorPlugin MemProbePlugin timesync-peer guest-loop \
		bench-guest-compute bench-guest-retranslate
	mkdir -p "$RESULTS"
	(cd "$RESULTS" && rm -f results.md timing.csv memory.csv environment.txt skipped.txt \
		ratios.dat ratios.png)
	write_environment
	check_variants
	timing
	memory
	environment_end "$RESULTS/environment.txt" $((SECONDS - started))
	python3 "$BENCH/summarize.py" "$RESULTS"
	gnuplot -e "datafile='$RESULTS/ratios.dat'; outfile='$RESULTS/ratios.png'" \
		"$BENCH/ratios.gp"
	if [ "$(dirname "$RESULTS")" = "$BENCH/results" ]; then
		ln -sfn "$(basename "$RESULTS")" "$BENCH/results/latest"
	fi
	say "done in $((SECONDS - started)) s: $RESULTS/results.md"
}

main
