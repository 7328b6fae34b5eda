#!/usr/bin/env bash
# bench/ab.sh PLUGIN_A PLUGIN_B [BUILD_DIR]: two builds of the plugin side by side (e.g. the
# tree before and after a change), and no plugin, on one workload, in interleaved rounds
# (the order rotates every round), with a participant that blocks like the seed's
# (timesync-peer over FIFOs, protocol 1) or one that spins (SPIN_US). Prints the median
# wall time and QEMU's CPU time (user + system) of each and the median and range of the
# per-round ratios A/none, B/none, B/A.
#
# Environment: PAIRS (rounds, default 11), QUANTUM_US (1000), SPIN_US (0: block),
# PLUGIN_OPTS (more options for both plugins, e.g. exact=on), PLUGIN_OPTS_A, PLUGIN_OPTS_B
# (for one of them: the same plugin twice, with and without an option), DELAY_US (0: the participant
# answers at once; N: it holds every halt N us, a slow participant: then compare the CPU),
# WORKLOAD (compute: the bare-metal riscv64 mixed C guest; linux: the x86_64 Linux boot of
# tests/integration/test_linux.sh, without idle=poll; linux-riscv64: the riscv64 Linux boot
# of test_linux_riscv64.sh), COMPUTE_ITERATIONS (12000),
# QEMU_DIR_A, QEMU_DIR_B (the directories of the QEMU binaries that run A and B, e.g. the
# one setup-qemu-sid.sh prints, for two builds for two QEMUs; default: the one on PATH).
# With two QEMUs each has its own run without plugin (none_a, none_b), and the ratios
# are A/none_a, B/none_b, B/A and (B/none_b)/(A/none_a): what B costs its QEMU against
# what A costs its own.
set -euo pipefail

if [ $# -lt 2 ]; then
	echo "usage: $0 PLUGIN_A PLUGIN_B [BUILD_DIR]" >&2
	exit 2
fi
plugin_a=$(realpath "$1")
plugin_b=$(realpath "$2")
shift 2
BENCH_NAME=ab
. "$(dirname "$0")/lib.sh"
PAIRS=${PAIRS:-11}
QUANTUM_US=${QUANTUM_US:-1000}
SPIN_US=${SPIN_US:-0}
WORKLOAD=${WORKLOAD:-compute}
COMPUTE_ITERATIONS=${COMPUTE_ITERATIONS:-12000}
QEMU_TIMEOUT=300
QEMU_DIR_A=${QEMU_DIR_A:-}
QEMU_DIR_B=${QEMU_DIR_B:-}

build timesync-peer bench-guest-compute
case $WORKLOAD in
compute) ;;
linux | linux-riscv64)
	guest_env="${QEMU_TIMESYNC_CACHE:-/var/cache/qemu-timesync}/$WORKLOAD/guest.env"
	. "$guest_env" ;;
*) say "unknown WORKLOAD $WORKLOAD (compute, linux, linux-riscv64)"; exit 2 ;;
esac

# machine QEMU_DIR: the workload's QEMU command line, in machine_args; QEMU_DIR empty:
# the QEMU on PATH ($QEMU for compute).
machine() {
	local dir=$1
	case $WORKLOAD in
	compute)
		local qemu=$QEMU
		[ -z "$dir" ] || qemu=$dir/qemu-system-riscv64
		machine_args=("$qemu" -M virt -bios none -kernel "$BUILD/bench/compute.elf"
			-device "loader,addr=0x80001000,data=$COMPUTE_ITERATIONS,data-len=8") ;;
	linux)
		machine_args=("${dir:+$dir/}qemu-system-x86_64" -M q35 -m 256 -rtc base=2025-01-01T00:00:00,clock=vm
			-nic none -no-reboot -kernel "$LINUX_KERNEL" -initrd "$LINUX_INITRD"
			-append "console=ttyS0 quiet panic=-1") ;;
	linux-riscv64)
		machine_args=("${dir:+$dir/}qemu-system-riscv64" -M virt -m 256 -rtc base=2025-01-01T00:00:00,clock=vm
			-seed 1 -nic none -no-reboot -kernel "$LINUX_KERNEL" -initrd "$LINUX_INITRD"
			-append "console=ttyS0 quiet panic=-1") ;;
	esac
}

# run VARIANT PLUGIN ("" for none) QEMU_DIR [OPTIONS]: one timed QEMU run, with its
# participant.
run() {
	local variant=$1 plugin=$2 machine_args opts=${PLUGIN_OPTS:-}${4:+,$4}
	local peer=""
	machine "$3"
	local args=("${machine_args[@]}" -icount "$ICOUNT" -display none -monitor none -serial null)
	rm -f "$WORK/h2g" "$WORK/g2h"
	if [ -n "$plugin" ]; then
		args+=(-plugin "$plugin,HostToGuestPipe=$WORK/h2g,GuestToHostPipe=$WORK/g2h,TimeInMicroseconds=$QUANTUM_US${opts:+,${opts#,}}")
		timeout -k 5 "$QEMU_TIMEOUT" "$BUILD/tools/timesync-peer" --host-to-guest "$WORK/h2g" \
			--guest-to-host "$WORK/g2h" --quantum-us "$QUANTUM_US" --spin-us "$SPIN_US" --delay-us "${DELAY_US:-0}" \
			>/dev/null 2>&1 &
		peer=$!
	fi
	measure "$WORK/$variant" timed "$WORK/$variant" "${args[@]}"
	[ -z "$peer" ] || wait "$peer" || true
	[ "$STATUS" -eq 0 ] || { say "$variant: QEMU status $STATUS"; cat "$WORK/$variant.err" >&2; exit 1; }
	printf '%s %s %s\n' "$variant" "$WALL_S" "$CPU_S" >>"$WORK/walls"
}

say "$WORKLOAD, quantum $QUANTUM_US us${PLUGIN_OPTS:+, $PLUGIN_OPTS}${PLUGIN_OPTS_A:+, A: $PLUGIN_OPTS_A}${PLUGIN_OPTS_B:+, B: $PLUGIN_OPTS_B}, participant $([ "$SPIN_US" = 0 ] && echo blocking || echo "spinning $SPIN_US us"), $PAIRS rounds"
if [ "$QEMU_DIR_A" = "$QEMU_DIR_B" ]; then
	order=(none a b)
else
	order=(none_a a none_b b)
	for dir in "$QEMU_DIR_A" "$QEMU_DIR_B"; do
		machine "$dir"
		say "${dir:-PATH}: $("${machine_args[0]}" --version | head -n 1)"
	done
fi
for ((round = 0; round < PAIRS; round++)); do
	for ((i = 0; i < ${#order[@]}; i++)); do
		variant=${order[$(((i + round) % ${#order[@]}))]}
		case $variant in
		none | none_a) run "$variant" "" "$QEMU_DIR_A" ;;
		none_b) run none_b "" "$QEMU_DIR_B" ;;
		a) run a "$plugin_a" "$QEMU_DIR_A" "${PLUGIN_OPTS_A:-}" ;;
		b) run b "$plugin_b" "$QEMU_DIR_B" "${PLUGIN_OPTS_B:-}" ;;
		esac
	done
done
python3 - "$WORK/walls" <<'PY'
import statistics, sys
walls, cpus = {}, {}
for line in open(sys.argv[1]):
    variant, wall, cpu = line.split()
    walls.setdefault(variant, []).append(float(wall))
    cpus.setdefault(variant, []).append(float(cpu))
for v, w in walls.items():
    print(f"{v:6} median wall {statistics.median(w):.3f} s, QEMU CPU {statistics.median(cpus[v]):.3f} s")
def ratio(name, r):
    print(f"{name}: median {statistics.median(r):.3f}x (range {min(r):.3f}-{max(r):.3f}, {len(r)} rounds)")
def per_round(num, den):
    return [x / y for x, y in zip(walls[num], walls[den])]
if "none" in walls:
    for num, den in (("a", "none"), ("b", "none"), ("b", "a")):
        ratio(f"{num}/{den}", per_round(num, den))
    ratio("b/a QEMU CPU", [y / x if x else 0 for x, y in zip(cpus["a"], cpus["b"])])
else:
    a, b = per_round("a", "none_a"), per_round("b", "none_b")
    ratio("a/none_a", a)
    ratio("b/none_b", b)
    ratio("b/a", per_round("b", "a"))
    ratio("(b/none_b)/(a/none_a)", [y / x for x, y in zip(a, b)])
PY
