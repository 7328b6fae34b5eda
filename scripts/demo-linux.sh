#!/usr/bin/env bash
# Installs everything, builds, and boots Linux (Debian's cloud kernel with the busybox
# initramfs of guests/linux) on qemu-system-x86_64 in lockstep with timesync-peer: QEMU
# halts every 1 ms of guest time, the peer answers and prints every 100th sync. The
# guest's console and the peer's sync lines share the terminal, in guest-time order (the
# peer prints while the guest is halted). Run as root, like scripts/demo.sh.
#   DEMO_APPEND="quiet"  extra kernel arguments (quiet: only the guest's own lines)
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/setup.sh >/dev/null
guest_env=$(bash scripts/setup-linux-guest.sh)
kernel=$(sed -n 's/^LINUX_KERNEL=//p' <<<"$guest_env")
initrd=$(sed -n 's/^LINUX_INITRD=//p' <<<"$guest_env")
[ -f build/build.ninja ] || meson setup build >/dev/null
meson compile -C build >/dev/null

work=$(mktemp -d /tmp/timesync-demo-linux.XXXXXX)
trap 'rm -rf "$work"' EXIT
h2g="$work/HostToGuestPipe"
g2h="$work/GuestToHostPipe"

echo "demo-linux: $(basename "$kernel") with a busybox initramfs, 1 instruction = 1 ns,"
echo "demo-linux: synchronized every 1000 us of guest time with timesync-peer"
timeout -k 2 300 build/tools/timesync-peer --host-to-guest "$h2g" --guest-to-host "$g2h" \
	--quantum-us 1000 --print-every 100 &
peer=$!
timeout -k 2 300 qemu-system-x86_64 -M q35 -m 256 -icount shift=0,sleep=off \
	-rtc base=2025-01-01T00:00:00,clock=vm -display none -monitor none -serial stdio \
	-nic none -no-reboot -kernel "$kernel" -initrd "$initrd" \
	-append "console=ttyS0 panic=-1 ${DEMO_APPEND:-}" \
	-plugin "build/plugin/libTimeSyncPlugin.so,HostToGuestPipe=$h2g,GuestToHostPipe=$g2h,TimeinMicroseconds=1000" \
	</dev/null
wait "$peer"
