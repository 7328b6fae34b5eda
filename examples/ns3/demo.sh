#!/usr/bin/env bash
# ns-3 in lockstep with a riscv64 guest: the guest (guests/clock.S) prints its clock every
# ~50 us of guest time, ns-3 runs a periodic event and a UDP echo between two nodes, and
# QEMU halts every 500 us of guest time for ns-3 to catch up. Prints both outputs merged
# in guest-time order. Installs nothing: run scripts/setup.sh first (it installs ns-3).
#   DEMO_READINGS=N   clock readings the guest prints (default 60: 3 ms of guest time)
#   DEMO_TRANSPORT=T  socket (default) or shm
#   BUILD=DIR         the meson build directory (default build)
set -euo pipefail
cd "$(dirname "$0")/../.."

build=${BUILD:-build}
readings=${DEMO_READINGS:-60}
transport=${DEMO_TRANSPORT:-socket}
participant="$build/examples/ns3/ns3-participant"

. scripts/demo-lib.sh
demo_build "$build" "$participant" ns3-core "ns-3 (libns3-dev, libgsl-dev)"

work=$(mktemp -d /tmp/timesync-ns3-demo.XXXXXX)
trap 'rm -rf "$work"' EXIT
link="$work/link"

echo "demo: riscv64 guest printing its clock every ~50 us, ns-3 with a periodic event and a"
echo "demo: UDP echo every 1 ms; QEMU halts every 500 us of guest time (protocol 2, $transport)"
timeout -k 2 120 "$participant" --transport="$transport" --path="$link" \
	--period-us=1000 --echo-us=1000 --print-syncs=true >"$work/ns3.out" 2>"$work/ns3.err" &
participant_pid=$!
timeout -k 2 120 qemu-system-riscv64 -M virt -bios none -display none -monitor none \
	-serial "file:$work/uart.out" -icount shift=0,sleep=off \
	-kernel "$build/guests/clock.elf" \
	-device "loader,addr=0x80001000,data=$readings,data-len=8" \
	-plugin "$build/plugin/libTimeSyncPlugin.so,transport=$transport,path=$link,protocol=2,TimeInMicroseconds=500" \
	</dev/null 2>"$work/qemu.err" || { cat "$work/qemu.err" >&2; exit 1; }
status=0
wait "$participant_pid" || status=$?
bash scripts/interleave.sh "$work/uart.out" "$work/ns3.out"
sed -n 's/^timesync: exit: \([^,]*, [^,]*\),.*/QEMU: \1/p' "$work/qemu.err"
[ "$status" -eq 0 ] || { cat "$work/ns3.err" >&2; exit "$status"; }
