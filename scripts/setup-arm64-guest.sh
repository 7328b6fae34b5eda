#!/usr/bin/env bash
# Builds the aarch64 Linux test guest (scripts/setup.sh runs it, as root): into $cache
# (outside git) bookworm's arm64 kernel (the one linux-image-arm64 depends on; its vmlinuz
# is an uncompressed Image, what `qemu-system-aarch64 -kernel` takes), busybox-static's
# arm64 binary, the initramfs that guests/linux/build-initramfs.sh packs for aarch64, and
# guest.env naming them.
# The packages come from the Debian mirror the host's apt sources name, through a private
# apt configuration in $cache/apt (its own sources.list, lists and cache): the host's apt
# sources, lists and installed packages stay as they are, and no arm64 package is installed.
# Idempotent and quick the second time: the packages are fetched only when the kernel or
# busybox is missing from $cache (remove $cache to fetch Debian's newest), the initramfs
# rebuilt only when its inputs changed. Prints guest.env (LINUX_KERNEL=, LINUX_INITRD=,
# LINUX_BUSYBOX=).
set -euo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
cache=${QEMU_TIMESYNC_CACHE:-/var/cache/qemu-timesync}/linux-arm64
apt_dir=$cache/apt
suite=bookworm
keyring=/usr/share/keyrings/debian-archive-keyring.gpg

setup_name=setup-arm64-guest
. "$(dirname "$0")/setup-lib.sh" # log, debian_mirror

# apt's options for the private configuration: of the host's apt files only the dpkg
# status is read (apt-get download installs nothing).
apt_options=(-o "Dir::Etc::sourcelist=$apt_dir/sources.list" -o Dir::Etc::sourceparts=/dev/null
	-o "Dir::State::lists=$apt_dir/lists" -o "Dir::Cache=$apt_dir/cache"
	-o APT::Architectures::=arm64)

# fetch_packages: downloads the kernel linux-image-arm64 depends on and busybox-static for
# arm64, and puts the kernel's Image and busybox into $cache.
fetch_packages() {
	local mirror sources kernel_package deb image
	require_root
	mirror=$(debian_mirror)
	mkdir -p "$apt_dir/lists/partial" "$apt_dir/cache/archives/partial"
	sources="deb [arch=arm64 signed-by=$keyring] $mirror $suite main"
	[ "$(cat "$apt_dir/sources.list" 2>/dev/null)" = "$sources" ] ||
		printf '%s\n' "$sources" >"$apt_dir/sources.list"
	log "apt-get update (private: $apt_dir/sources.list: $mirror $suite, arm64)"
	apt-get "${apt_options[@]}" -qq update
	kernel_package=$(apt-cache "${apt_options[@]}" show --no-all-versions linux-image-arm64:arm64 |
		sed -n 's/^Depends:.*\(linux-image-6\.1\.0-[0-9]*-arm64\).*/\1/p' | head -n 1)
	if [ -z "$kernel_package" ]; then
		log "linux-image-arm64 in $suite depends on no linux-image-6.1.0-*-arm64"
		exit 1
	fi
	debs=$(mktemp -d "$cache/debs.XXXXXX") # global: the trap removes it at exit
	trap 'rm -rf "$debs"' EXIT
	chown _apt "$debs" 2>/dev/null || true # apt downloads as _apt where it may
	log "downloading $kernel_package:arm64 and busybox-static:arm64"
	(cd "$debs" && apt-get "${apt_options[@]}" -qq download "$kernel_package:arm64" busybox-static:arm64)
	for deb in "$debs"/*.deb; do
		dpkg-deb -x "$deb" "$debs/root"
	done
	image=$debs/root/boot/vmlinuz-${kernel_package#linux-image-}
	# An arm64 Image has the magic "ARM\x64" at byte 56 (Documentation/arch/arm64/booting.rst).
	if [ "$(od -A n -t c -j 56 -N 4 "$image" 2>/dev/null | tr -d ' ')" != ARMd ]; then
		log "$image from $kernel_package is not an uncompressed arm64 Image"
		exit 1
	fi
	install -m 0644 "$image" "$cache/${image##*/}"
	install -m 0755 "$debs/root/bin/busybox" "$cache/busybox"
	find "$cache" -maxdepth 1 -name 'vmlinuz-*' ! -name "${image##*/}" -delete
	log "kernel -> $cache/${image##*/}, busybox -> $cache/busybox"
}

mkdir -p "$cache"
kernel=$(find "$cache" -maxdepth 1 -name 'vmlinuz-*-arm64' | head -n 1)
busybox=$cache/busybox
if [ -z "$kernel" ] || [ ! -f "$busybox" ]; then
	fetch_packages
	kernel=$(find "$cache" -maxdepth 1 -name 'vmlinuz-*-arm64' | head -n 1)
fi

initrd=$cache/initramfs.cpio.gz
inputs=$(cd "$repo/guests/linux" &&
	{ cat init guest-clock.c build-initramfs.sh "$busybox"; clang --version; } | sha256sum)
inputs=${inputs%% *}
if [ ! -f "$initrd" ] || [ "$(cat "$cache/initramfs.inputs" 2>/dev/null)" != "$inputs" ]; then
	log "building $initrd"
	bash "$repo/guests/linux/build-initramfs.sh" "$initrd.tmp" "$busybox" aarch64
	chmod 0644 "$initrd.tmp"
	mv "$initrd.tmp" "$initrd"
	printf '%s\n' "$inputs" >"$cache/initramfs.inputs"
fi

guest_env=$(printf 'LINUX_KERNEL=%s\nLINUX_INITRD=%s\nLINUX_BUSYBOX=%s' "$kernel" "$initrd" "$busybox")
if [ "$(cat "$cache/guest.env" 2>/dev/null)" != "$guest_env" ]; then
	printf '%s\n' "$guest_env" >"$cache/guest.env.tmp"
	mv "$cache/guest.env.tmp" "$cache/guest.env"
fi
printf '%s\n' "$guest_env"
