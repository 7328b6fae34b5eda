#!/usr/bin/env bash
# bench/ab.sh PLUGIN_A PLUGIN_B [BUILD_DIR]: two builds of the plugin side by side (e.g. the
# tree before and after a change), and no plugin, on one workload, in interleaved rounds
# (the order rotates every round), with a participant that blocks like the seed's
# (timesync-peer over FIFOs, protocol 1) or one that spins (SPIN_US). Prints the median
# wall time of each and the median and range of the per-round ratios A/none, B/none, B/A.
#
# Environment: PAIRS (rounds, default 11), QUANTUM_US (1000), SPIN_US (0: block),
# WORKLOAD (compute: the bare-metal riscv64 mixed C guest; linux: the x86_64 Linux boot of
# tests/integration/test_linux.sh, without idle=poll), COMPUTE_ITERATIONS (12000).
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

build timesync-peer bench-guest-compute
case $WORKLOAD in
compute)
	machine=("$QEMU" -M virt -bios none -kernel "$BUILD/bench/compute.elf"
		-device "loader,addr=0x80001000,data=$COMPUTE_ITERATIONS,data-len=8") ;;
linux)
	guest_env="${QEMU_TIMESYNC_CACHE:-/var/cache/qemu-timesync}/linux/guest.env"
	. "$guest_env"
	machine=(qemu-system-x86_64 -M q35 -m 256 -rtc base=2025-01-01T00:00:00,clock=vm -nic none
		-no-reboot -kernel "$LINUX_KERNEL" -initrd "$LINUX_INITRD"
		-append "console=ttyS0 quiet panic=-1") ;;
*) say "unknown WORKLOAD $WORKLOAD (compute, linux)"; exit 2 ;;
esac

# run VARIANT PLUGIN ("" for none): one timed QEMU run, with its participant.
run() {
	local variant=$1 plugin=$2 peer=""
	local args=("${machine[@]}" -icount "$ICOUNT" -display none -monitor none -serial null)
	rm -f "$WORK/h2g" "$WORK/g2h"
	if [ -n "$plugin" ]; then
		args+=(-plugin "$plugin,HostToGuestPipe=$WORK/h2g,GuestToHostPipe=$WORK/g2h,TimeInMicroseconds=$QUANTUM_US")
		timeout -k 5 "$QEMU_TIMEOUT" "$BUILD/tools/timesync-peer" --host-to-guest "$WORK/h2g" \
			--guest-to-host "$WORK/g2h" --quantum-us "$QUANTUM_US" --spin-us "$SPIN_US" \
			>/dev/null 2>&1 &
		peer=$!
	fi
	measure "$WORK/$variant" timed "$WORK/$variant" "${args[@]}"
	[ -z "$peer" ] || wait "$peer" || true
	[ "$STATUS" -eq 0 ] || { say "$variant: QEMU status $STATUS"; cat "$WORK/$variant.err" >&2; exit 1; }
	printf '%s %s\n' "$variant" "$WALL_S" >>"$WORK/walls"
}

say "$WORKLOAD, quantum $QUANTUM_US us, participant $([ "$SPIN_US" = 0 ] && echo blocking || echo "spinning $SPIN_US us"), $PAIRS rounds"
order=(none a b)
for ((round = 0; round < PAIRS; round++)); do
	for ((i = 0; i < 3; i++)); do
		variant=${order[$(((i + round) % 3))]}
		case $variant in
		none) run none "" ;;
		a) run a "$plugin_a" ;;
		b) run b "$plugin_b" ;;
		esac
	done
done
python3 - "$WORK/walls" <<'PY'
import statistics, sys
walls = {"none": [], "a": [], "b": []}
for line in open(sys.argv[1]):
    variant, wall = line.split()
    walls[variant].append(float(wall))
for v in ("none", "a", "b"):
    print(f"{v:5} median wall {statistics.median(walls[v]):.3f} s")
for num, den in (("a", "none"), ("b", "none"), ("b", "a")):
    r = [x / y for x, y in zip(walls[num], walls[den])]
    print(f"{num}/{den}: median {statistics.median(r):.3f}x (range {min(r):.3f}-{max(r):.3f}, {len(r)} rounds)")
PY
