#!/usr/bin/env bash
# Builds the Linux test guest (scripts/setup.sh installs its packages, then runs it):
# into $cache (outside git) a copy of the kernel of linux-image-cloud-amd64 and the
# initramfs that guests/linux/build-initramfs.sh packs (busybox-static, clang, lld),
# and guest.env naming both.
# Idempotent and quick the second time: the initramfs is rebuilt only when its inputs
# (the files in guests/linux, the busybox binary, clang) changed, the kernel copied only
# when the package brought another one. Prints guest.env (LINUX_KERNEL=, LINUX_INITRD=).
set -euo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
cache=${QEMU_TIMESYNC_CACHE:-/var/cache/qemu-timesync}/linux
busybox=/bin/busybox

log() { printf 'setup-linux-guest: %s\n' "$*" >&2; }

# The kernel the metapackage currently depends on (it moves on with Debian's updates).
kernel_package=$(dpkg-query -W -f='${Depends}' linux-image-cloud-amd64 |
	grep -o 'linux-image-[0-9][^ ,]*-cloud-amd64' | head -n 1 || true)
kernel_version=${kernel_package#linux-image-}
kernel_source=/boot/vmlinuz-$kernel_version
if [ -z "$kernel_package" ] || [ ! -f "$kernel_source" ]; then
	log "no kernel image for linux-image-cloud-amd64 (expected $kernel_source)"
	exit 1
fi

mkdir -p "$cache"
kernel=$cache/vmlinuz-$kernel_version
if ! cmp -s "$kernel_source" "$kernel"; then
	log "copying $kernel_source -> $kernel"
	install -m 0644 "$kernel_source" "$kernel.tmp"
	mv "$kernel.tmp" "$kernel"
	find "$cache" -maxdepth 1 -name 'vmlinuz-*' ! -name "vmlinuz-$kernel_version" -delete
fi

initrd=$cache/initramfs.cpio.gz
inputs=$(cd "$repo/guests/linux" &&
	{ cat init guest-clock.c build-initramfs.sh "$busybox"; clang --version; } | sha256sum)
inputs=${inputs%% *}
if [ ! -f "$initrd" ] || [ "$(cat "$cache/initramfs.inputs" 2>/dev/null)" != "$inputs" ]; then
	log "building $initrd"
	bash "$repo/guests/linux/build-initramfs.sh" "$initrd.tmp" "$busybox"
	chmod 0644 "$initrd.tmp"
	mv "$initrd.tmp" "$initrd"
	printf '%s\n' "$inputs" >"$cache/initramfs.inputs"
fi

guest_env=$(printf 'LINUX_KERNEL=%s\nLINUX_INITRD=%s' "$kernel" "$initrd")
if [ "$(cat "$cache/guest.env" 2>/dev/null)" != "$guest_env" ]; then
	printf '%s\n' "$guest_env" >"$cache/guest.env.tmp"
	mv "$cache/guest.env.tmp" "$cache/guest.env"
fi
printf '%s\n' "$guest_env"
