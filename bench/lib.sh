# What bench/run.sh and bench/transports.sh share: paths and defaults, the work
# directory, building, timing a command with the load of the rest of the machine, and the
# environment file. A script sets BENCH_NAME (its name in messages and temporary files),
# then sources this with its own arguments ([BUILD_DIR]).
# shellcheck shell=bash disable=SC2034 # the scripts use the variables set here
BENCH=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
SRC=$(dirname "$BENCH")
BUILD=$(realpath -m "${1:-$SRC/build-bench}")
QEMU=${QEMU:-qemu-system-riscv64}
QEMU_TIMEOUT=120
# Every run: one instruction = 1 ns. sleep=off only matters when the guest idles, and
# none of these guests does; it keeps idle time deterministic for workloads that will.
ICOUNT=shift=0,sleep=off
# "no sync": a quantum far longer than the run, and no participant: counting alone.
NO_SYNC_QUANTUM_US=1000000000

STAMP=$(date +%Y-%m-%d)-$(hostname -s)
RESULTS=${RESULTS:-$BENCH/results/$STAMP}
WORK=$(mktemp -d "${TMPDIR:-/tmp}/timesync-$BENCH_NAME.XXXXXX")
# Removed at exit, with WORK; a script adds what it makes elsewhere.
REMOVE_AT_EXIT=("$WORK")
# Commands run at exit (e.g. removing network namespaces a script made).
AT_EXIT=()

cleanup() {
	local pids hook
	mapfile -t pids < <(jobs -p)
	[ ${#pids[@]} -eq 0 ] || kill "${pids[@]}" 2>/dev/null || true
	for hook in "${AT_EXIT[@]}"; do eval "$hook" || true; done
	rm -rf "${REMOVE_AT_EXIT[@]}"
}
trap cleanup EXIT

say() { echo "$BENCH_NAME: $*" >&2; }

# build TARGET...: configures BUILD if needed and compiles the targets. A build directory
# configured before a target existed learns about it first (ninja build.ninja).
build() {
	if [ ! -f "$BUILD/build.ninja" ]; then
		meson setup "$BUILD" "$SRC" -Dwerror=true >"$WORK/setup.log" 2>&1 ||
			{ cat "$WORK/setup.log" >&2; exit 1; }
	fi
	if ! ninja -C "$BUILD" build.ninja >"$WORK/build.log" 2>&1 ||
		! meson compile -C "$BUILD" "$@" nothp >>"$WORK/build.log" 2>&1; then
		cat "$WORK/build.log" >&2
		exit 1
	fi
}

# busy_jiffies: CPU time used on the whole machine so far (user, nice, system, irq,
# softirq, steal), in clock ticks.
busy_jiffies() { awk '/^cpu / { print $2 + $3 + $4 + $7 + $8 + $9 }' /proc/stat; }
CLOCK_TICKS=$(getconf CLK_TCK)

# measure PREFIX COMMAND...: runs COMMAND in a subshell and sets WALL_S (from PREFIX.wall,
# which COMMAND writes around what it times: see timed), CPU_S (user + system of every
# process it ran and waited for), OTHERS (cores kept busy by every other process
# meanwhile) and STATUS. Removes PREFIX.* first.
measure() {
	local prefix=$1 busy_start
	shift
	STATUS=0
	rm -f "$prefix".*
	busy_start=$(busy_jiffies)
	(
		status=0
		"$@" || status=$?
		times >"$prefix.times"
		exit $status
	) || STATUS=$?
	WALL_S=$(cat "$prefix.wall" 2>/dev/null || echo 0)
	CPU_S=$(awk 'NR == 2 { for (i = 1; i <= 2; i++) {
		split($i, t, /[ms]/); s += t[1] * 60 + t[2] } printf "%.3f", s }' "$prefix.times")
	OTHERS=$(awk -v busy=$(($(busy_jiffies) - busy_start)) -v hz="$CLOCK_TICKS" \
		-v cpu="$CPU_S" -v wall="$WALL_S" 'BEGIN { x = wall > 0 ? (busy / hz - cpu) / wall : 0
		printf "%.2f", x < 0 ? 0 : x }')
}

# timed PREFIX COMMAND...: runs COMMAND (stdout to PREFIX.out, stderr to PREFIX.err) under
# timeout and writes its wall time in seconds to PREFIX.wall. Without transparent huge
# pages (nothp.c; THP=on keeps them): with them the Linux boot's system time is 0.1 or
# 0.35 s from run to run, as the kernel finds huge pages for the guest's memory or not
# (bench/README.md).
timed() {
	local prefix=$1 start status=0 nothp=("$BUILD/bench/nothp")
	shift
	[ "${THP:-off}" = off ] || nothp=()
	start=$EPOCHREALTIME
	timeout -k 5 "$QEMU_TIMEOUT" "${nothp[@]}" "$@" </dev/null >"$prefix.out" 2>"$prefix.err" || status=$?
	awk -v a="$start" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.4f\n", b - a }' >"$prefix.wall"
	return $status
}

# environment_start FILE: what a result depends on, outside the benchmark's own settings
# (which the script appends); environment_end FILE DURATION_S: the load at the end and
# how long the benchmark took.
environment_start() {
	{
		echo "qemu=$("$QEMU" --version | head -n1)"
		echo "commit=$(git -C "$SRC" rev-parse --short HEAD 2>/dev/null || echo unknown)$(git -C "$SRC" status --porcelain -- plugin lib include 2>/dev/null | grep -q . && echo ' with uncommitted changes in plugin/, lib/ or include/')"
		echo "cpu=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n1)"
		echo "cores=$(nproc)"
		echo "kernel=$(uname -srm)"
		echo "clocksource=$(cat /sys/devices/system/clocksource/clocksource0/current_clocksource 2>/dev/null || echo unknown)"
		echo "date=$(date -u '+%Y-%m-%d %H:%M UTC')"
		echo "host=$(hostname -s)"
		echo "load_start=$(cut -d' ' -f1-3 /proc/loadavg)"
	} >"$1"
}
environment_end() {
	echo "load_end=$(cut -d' ' -f1-3 /proc/loadavg)" >>"$1"
	echo "duration_s=$2" >>"$1"
}
