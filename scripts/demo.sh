#!/usr/bin/env bash
# Installs everything, builds, and runs a riscv64 guest in lockstep with timesync-peer:
# QEMU halts every 1 ms of guest time; the peer answers and prints guest time and syncs.
# Then the same guest kind in lockstep with a SystemC model (examples/systemc/demo.sh).
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/setup.sh >/dev/null
[ -f build/build.ninja ] || meson setup build >/dev/null
meson compile -C build >/dev/null

work=$(mktemp -d /tmp/timesync-demo.XXXXXX)
trap 'rm -rf "$work"' EXIT
h2g="$work/HostToGuestPipe"
g2h="$work/GuestToHostPipe"
iterations=${DEMO_ITERATIONS:-50000000}

echo "demo: riscv64 guest, 2 x $iterations + 394 instructions (1 instruction = 1 ns),"
echo "demo: synchronized every 1000 us of guest time with timesync-peer"
timeout -k 2 120 build/tools/timesync-peer --host-to-guest "$h2g" --guest-to-host "$g2h" \
	--quantum-us 1000 --print-every 10 &
peer=$!
timeout -k 2 120 qemu-system-riscv64 -M virt -bios none -nographic -icount shift=0,sleep=off \
	-kernel build/guests/hello.elf \
	-device "loader,addr=0x80001000,data=$iterations,data-len=8" \
	-plugin "build/plugin/libTimeSyncPlugin.so,HostToGuestPipe=$h2g,GuestToHostPipe=$g2h,TimeinMicroseconds=1000" \
	</dev/null
wait "$peer"

# A real simulator as the participant: a SystemC model in lockstep, its events merged with
# the guest's output in guest-time order (examples/systemc/demo.sh; ns-3's is
# examples/ns3/demo.sh).
echo
DEMO_READINGS=${DEMO_READINGS:-20} bash examples/systemc/demo.sh
