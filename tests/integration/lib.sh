# Helpers for the integration tests: real qemu-system-riscv64, real FIFOs, real peers.
# Every process runs under `timeout -k` so that a hang fails the test instead of CI.
# Each check is one TAP result on stdout (https://testanything.org): "ok N - WHAT" or
# "not ok N - WHAT"; finish prints the plan "1..N". meson test (protocol 'tap') counts them.
set -euo pipefail

: "${BUILD:?BUILD must name the meson build directory}"
PLUGIN="$BUILD/plugin/libTimeSyncPlugin.so"
PEER="$BUILD/tools/timesync-peer"
QEMU_RISCV64="${QEMU_RISCV64:-qemu-system-riscv64}"
# The -icount value of start_qemu: the recommended one. A test may set it ("none": no
# -icount), e.g. ICOUNT=shift=0 for the seed's command line.
ICOUNT="${ICOUNT:-shift=0,sleep=off}"
# In a sanitizer build the plugin needs the ASan runtime loaded first into QEMU.
QEMU_ENV=()
[ -z "${QEMU_PRELOAD:-}" ] || QEMU_ENV=(env "LD_PRELOAD=$QEMU_PRELOAD" "ASAN_OPTIONS=detect_leaks=0:halt_on_error=1")
WORK=$(mktemp -d "${TMPDIR:-/tmp}/timesync-test.XXXXXX")
H2G="$WORK/h2g"
G2H="$WORK/g2h"
failures=0
checks=0
finished=
# at_exit COMMAND: cleanup runs COMMAND (e.g. removing what the test made outside $WORK).
exit_hooks=()
at_exit() { exit_hooks+=("$*"); }

# On exit: ends what the test left running, and a test that ends before finish (set -e,
# a crash, a signal) counts as one more failed check.
cleanup() {
	local status=$? pids hook
	mapfile -t pids < <(jobs -p)
	[ ${#pids[@]} -eq 0 ] || kill -9 "${pids[@]}" 2>/dev/null || true
	for hook in "${exit_hooks[@]}"; do eval "$hook" || true; done
	rm -rf "$WORK"
	[ -z "$finished" ] || return 0
	fail "the test script ended before finish (status $status)"
	echo "1..$checks"
	exit $((status == 0 ? 1 : status))
}
trap cleanup EXIT
# A signal (meson's timeout sends SIGTERM) ends the test through cleanup with its status.
trap 'exit 129' HUP
trap 'exit 130' INT
trap 'exit 143' TERM

# note TEXT: TAP comment lines on stdout. diag TEXT: the same on stderr, which is what
# `meson test --print-errorlogs` shows of a failed TAP test (with its "not ok" lines).
note() { printf '# %s\n' "${*//$'\n'/$'\n'# }"; }
diag() { note "$@" >&2; }
# show [FILE...]: the files' lines (or standard input's) as diagnostics, indented.
show() { sed 's/^/#     | /' "$@" >&2; }

# pass WHAT, fail WHAT: one check's result, its line break written as \n (a TAP result is
# one line); fail repeats WHAT as it is on stderr.
pass() {
	checks=$((checks + 1))
	echo "ok $checks - ${*//$'\n'/\\n}"
}
fail() {
	checks=$((checks + 1))
	failures=$((failures + 1))
	echo "not ok $checks - ${*//$'\n'/\\n}"
	diag "failed check $checks: $*"
}

# check_eq WHAT EXPECTED ACTUAL
check_eq() {
	if [ "$2" = "$3" ]; then pass "$1: $3"; else fail "$1: expected '$2', got '$3'"; fi
}

# check_grep WHAT PATTERN FILE: FILE has a line matching PATTERN (extended regex)
check_grep() {
	if grep -Eq -- "$2" "$3"; then
		pass "$1"
	else
		fail "$1: no line matching '$2' in $(basename "$3"):"
		show "$3"
	fi
}

# check_qemu_failed WHAT: QEMU ended with an error of its own (not 0, not a timeout's kill).
check_qemu_failed() {
	if [ "$QEMU_STATUS" -ne 0 ] && [ "$QEMU_STATUS" -lt 124 ]; then
		pass "$1: QEMU ended with status $QEMU_STATUS"
	else
		fail "$1: QEMU status $QEMU_STATUS, expected an error exit"
	fi
}

# refused WHAT PATTERN: QEMU refused (or stopped) with an error and a message matching PATTERN.
refused() {
	check_qemu_failed "$1"
	check_grep "$1: message" "$2" "$WORK/qemu.out"
}

# finish: the plan; fails (status 1) when a check failed.
finish() {
	finished=yes
	note "$checks checks, $failures failed"
	echo "1..$checks"
	[ "$failures" -eq 0 ]
}

# skip_all REASON: the whole test does not apply here; ends it as skipped.
skip_all() {
	finished=yes
	echo "1..0 # SKIP $*"
	exit 0
}

# start_qemu GUEST ITERATIONS PLUGIN_ARGS [QEMU ARGS...]
# Starts the guest in the background ($QEMU_PID); stdout+stderr in $WORK/qemu.out, UART in
# $WORK/uart.out. PLUGIN_ARGS empty: no plugin. ICOUNT: the -icount value (above).
# LAUNCH: words to run the whole command under (start_peer too), e.g. a program that
# measures it.
start_qemu() {
	local guest=$1 iterations=$2 plugin_args=$3
	shift 3
	local plugin=() icount=(-icount "$ICOUNT")
	[ -z "$plugin_args" ] || plugin=(-plugin "$PLUGIN,$plugin_args")
	[ "$ICOUNT" != none ] || icount=()
	${LAUNCH:-} timeout -k 2 "${QEMU_TIMEOUT:-60}" "${QEMU_ENV[@]}" "$QEMU_RISCV64" -M virt -bios none -display none \
		-monitor none -serial "file:$WORK/uart.out" "${icount[@]}" \
		-kernel "$BUILD/guests/$guest.elf" \
		-device "loader,addr=0x80001000,data=$iterations,data-len=8" \
		"${plugin[@]}" "$@" </dev/null >"$WORK/qemu.out" 2>&1 &
	QEMU_PID=$!
}

# wait_qemu: waits for the QEMU started last; its exit status in $QEMU_STATUS.
wait_qemu() {
	QEMU_STATUS=0
	wait "$QEMU_PID" || QEMU_STATUS=$?
}

# run_qemu: start_qemu, then wait_qemu.
run_qemu() {
	start_qemu "$@"
	wait_qemu
}

# The main process of a `timeout` job: its child.
child_of() { pgrep -P "$1" | head -n 1 || true; }

now_ms() { echo $(($(date +%s%N) / 1000000)); }

# snapshot_tree PID: what PID and its descendants are doing (each thread's state, kernel
# wait channel and system call), for a diagnosis of a process that should have ended.
snapshot_tree() {
	local pid=$1 task child
	for task in /proc/"$pid"/task/*; do
		[ -d "$task" ] || continue
		echo "$pid/${task##*/} $(cat "$task/comm" 2>/dev/null): state $(awk '{print $3}' "$task/stat" 2>/dev/null)," \
			"wchan $(cat "$task/wchan" 2>/dev/null), syscall $(cut -d' ' -f1-3 "$task/syscall" 2>/dev/null)"
	done
	for child in $(pgrep -P "$pid"); do snapshot_tree "$child"; done
}

# running PID: PID runs (a zombie, ended but not yet reaped by this shell, does not: a
# wait_gone in $(...) runs in a subshell, and the shell may reap only after it).
running() {
	local state
	kill -0 "$1" 2>/dev/null || return 1
	state=$(sed -n 's/^.*) \([A-Za-z]\).*/\1/p' "/proc/$1/stat" 2>/dev/null) || return 1
	[ -n "$state" ] && [ "$state" != Z ]
}

# wait_gone PID MS: waits up to MS milliseconds for PID to end; prints how long it took.
# A PID still there after 1 s leaves snapshot_tree's picture in $WORK/stall.txt.
wait_gone() {
	local pid=$1 limit=$2 start took=0
	start=$(now_ms)
	rm -f "$WORK/stall.txt"
	while running "$pid" && [ "$took" -lt "$limit" ]; do
		sleep 0.02
		took=$(($(now_ms) - start))
		if [ "$took" -ge 1000 ] && [ ! -e "$WORK/stall.txt" ]; then
			snapshot_tree "$pid" >"$WORK/stall.txt" 2>&1
		fi
	done
	echo $(($(now_ms) - start))
}

# show_stall: after a wait_gone that took too long, what the processes were doing at 1 s.
show_stall() {
	[ ! -s "$WORK/stall.txt" ] || { diag "still running after 1 s:"; show "$WORK/stall.txt"; }
}

# within WHAT MS LIMIT [FILE...]: passes when MS <= LIMIT (a wait_gone's result); a
# failure shows show_stall's picture and the last lines of each FILE.
within() {
	local what=$1 took=$2 limit=$3 file
	shift 3
	if [ "$took" -le "$limit" ]; then
		pass "$what (${took} ms)"
		return
	fi
	fail "$what: took ${took} ms, limit $limit ms"
	show_stall
	for file in "$@"; do
		diag "$(basename "$file"):"
		tail -n 5 "$file" | show
	done
}

# reap PID: waits for a background job of this shell; its exit status in $rc.
reap() {
	rc=0
	wait "$1" || rc=$?
}
# check_exit WHAT EXPECTED PID: reap, then check_eq of its status.
check_exit() {
	reap "$3"
	check_eq "$1" "$2" "$rc"
}

# For tests of timesync-conductor, whose QEMU N writes $WORK/qN.out and which runs with
# --grants $WORK/grants and its statistics in $WORK/cond.out:
# guest_end N: QEMU N's guest time at its exit (the plugin's exit line).
guest_end() { sed -n 's/^timesync: exit: .*, guest time \([0-9]*\) ns.*/\1/p' "$WORK/q$1.out"; }
# member_stat NAME FIELD: a field of NAME's line in the conductor's statistics.
member_stat() { awk -v m="$1" -v f="$2" '$2 == m { print $f }' "$WORK/cond.out"; }
# grants: how many the conductor made so far; five_grants: at least five.
grants() {
	local n=0
	[ ! -f "$WORK/grants" ] || n=$(grep -c '^grant ' "$WORK/grants" || true)
	echo "$n"
}
five_grants() { [ "$(grants)" -ge 5 ]; }
# check_grants_at_common_time WHAT: every member at the common time at every grant
# ("grant K at T until NEXT NAME=TIME...").
check_grants_at_common_time() {
	check_eq "$1: member times different from the common time at a grant" 0 \
		"$(awk '/^grant / { for (i = 7; i <= NF; i++) { split($i, kv, "="); if (kv[2] != $4) bad++ } }
			END { print bad + 0 }' "$WORK/grants")"
}
# check_grants_lockstep WHAT Q: check_grants_at_common_time, and the grants on the grid of
# Q, one step on (T = K x Q, NEXT = T + Q).
check_grants_lockstep() {
	check_grants_at_common_time "$1"
	check_eq "$1: grants not at k x q, one step on" 0 \
		"$(awk -v q="$2" '/^grant / && ($6 - $4 != q || $4 != $2 * q) { bad++ } END { print bad + 0 }' "$WORK/grants")"
}

# start_peer [PEER ARGS...]: timesync-peer on $H2G/$G2H in the background ($PEER_PID).
start_peer() {
	${LAUNCH:-} timeout -k 2 "${PEER_TIMEOUT:-60}" "$PEER" --host-to-guest "$H2G" --guest-to-host "$G2H" \
		"$@" </dev/null >"$WORK/peer.out" 2>&1 &
	PEER_PID=$!
}

# wait_peer: waits for the peer; its exit status in $PEER_STATUS.
# shellcheck disable=SC2034 # the tests use it
wait_peer() {
	PEER_STATUS=0
	wait "$PEER_PID" || PEER_STATUS=$?
}

# wait_until WHAT COMMAND...: runs COMMAND every 20 ms until it succeeds, at most
# WAIT_TIMEOUT seconds (default 30); if it never does, a failed check "WHAT". For what a
# test must wait for, instead of a sleep that a slower machine outlasts.
wait_until() {
	local what=$1 limit=$(($(now_ms) + ${WAIT_TIMEOUT:-30} * 1000))
	shift
	until "$@"; do
		if [ "$(now_ms)" -ge "$limit" ]; then
			fail "$what, within ${WAIT_TIMEOUT:-30} s"
			return 0
		fi
		sleep 0.02
	done
}

# wait_line FILE PATTERN: waits until FILE has a line matching PATTERN (extended regex),
# e.g. the peer's "connected" in $WORK/peer.out.
wait_line() { wait_until "a line matching '$2' in $(basename "$1")" grep -Eqs -- "$2" "$1"; }

pipes_args() { echo "HostToGuestPipe=$H2G,GuestToHostPipe=$G2H"; }

# link_args TRANSPORT (fifo, socket or shm): sets plugin_link (the plugin's options for
# it), peer_link (timesync-peer's, next to start_peer's FIFO paths) and link_paths (the
# paths after the transport's name, as rogue_peer and examples/participant take them).
# shellcheck disable=SC2034 # the tests use them
link_args() {
	if [ "$1" = fifo ]; then
		plugin_link=$(pipes_args)
		peer_link=(--transport fifo)
		link_paths=("$H2G" "$G2H")
	else
		plugin_link="transport=$1,path=$WORK/link"
		peer_link=(--transport "$1" --path "$WORK/link")
		link_paths=("$WORK/link")
	fi
}

# Numbers from the plugin's exit line and the peer's summary.
plugin_syncs() { sed -n 's/^timesync: exit: \([0-9]*\) syncs.*/\1/p' "$WORK/qemu.out"; }
plugin_insns() { sed -n 's/^timesync: exit: [0-9]* syncs, guest time [0-9]* ns, \([0-9]*\) instructions,.*/\1/p' "$WORK/qemu.out"; }
plugin_clock_origin() { sed -n 's/^timesync: exit: .*, clock origin \([0-9]*\) ns.*/\1/p' "$WORK/qemu.out"; }
peer_syncs() { sed -n 's/^timesync-peer: .*: \([0-9]*\) syncs.*/\1/p' "$WORK/peer.out"; }

# Instructions each guest executes up to and including its power-off store, for a given
# iteration count (guests/README.md). The 2 after the store run or not, depending on how
# fast QEMU's main loop acts on the power-off.
guest_insns() {
	case $1 in
	loop) echo $((2 * $2 + 14)) ;;
	longblock) echo $((62 * $2 + 14)) ;;
	hello) echo $((2 * $2 + 394)) ;;
	clock) echo $((50129 * $2 + 16)) ;;
	*) echo "unknown guest $1" >&2; return 1 ;;
	esac
}
