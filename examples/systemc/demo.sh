#!/usr/bin/env bash
# SystemC in lockstep with a riscv64 guest: the guest (guests/clock.S) prints its clock every
# ~50 us of guest time, the SystemC model's timer ticks every 250 us and a logger module
# prints each tick, and QEMU halts every 500 us of guest time for SystemC to catch up.
# Prints both outputs merged in guest-time order. Installs nothing: run scripts/setup.sh
# first (it installs SystemC).
#   DEMO_READINGS=N   clock readings the guest prints (default 40: 2 ms of guest time)
#   DEMO_TRANSPORT=T  socket (default), shm or fifo
#   BUILD=DIR         the meson build directory (default build)
set -euo pipefail
cd "$(dirname "$0")/../.."

build=${BUILD:-build}
readings=${DEMO_READINGS:-40}
transport=${DEMO_TRANSPORT:-socket}
participant="$build/examples/systemc/systemc-participant"

. scripts/demo-lib.sh
demo_build "$build" "$participant" systemc "SystemC (libsystemc-dev)"

work=$(mktemp -d /tmp/timesync-systemc-demo.XXXXXX)
trap 'rm -rf "$work"' EXIT
if [ "$transport" = fifo ]; then
	link=(--transport fifo --host-to-guest "$work/h2g" --guest-to-host "$work/g2h")
	plugin_link="HostToGuestPipe=$work/h2g,GuestToHostPipe=$work/g2h"
else
	link=(--transport "$transport" --path "$work/link")
	plugin_link="transport=$transport,path=$work/link"
fi

echo "demo: riscv64 guest printing its clock every ~50 us, a SystemC timer ticking every"
echo "demo: 250 us with a logger module; QEMU halts every 500 us of guest time (protocol 2, $transport)"
timeout -k 2 120 "$participant" "${link[@]}" --period-us 250 --print-syncs --timeout 60 \
	>"$work/sc.out" 2>"$work/sc.err" &
participant_pid=$!
timeout -k 2 120 qemu-system-riscv64 -M virt -bios none -display none -monitor none \
	-serial "file:$work/uart.out" -icount shift=0,sleep=off \
	-kernel "$build/guests/clock.elf" \
	-device "loader,addr=0x80001000,data=$readings,data-len=8" \
	-plugin "$build/plugin/libTimeSyncPlugin.so,$plugin_link,protocol=2,TimeInMicroseconds=500" \
	</dev/null 2>"$work/qemu.err" || { cat "$work/qemu.err" >&2; exit 1; }
status=0
wait "$participant_pid" || status=$?
bash scripts/interleave.sh "$work/uart.out" "$work/sc.out"
sed -n 's/^timesync: exit: \([^,]*, [^,]*\),.*/QEMU: \1/p' "$work/qemu.err"
[ "$status" -eq 0 ] || { cat "$work/sc.err" >&2; exit "$status"; }
