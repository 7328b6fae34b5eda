#!/usr/bin/env bash
# Builds the riscv64 Linux test guest (scripts/setup.sh runs it, as root): into $cache
# (outside git) trixie's riscv64 kernel (the one linux-image-riscv64 depends on; its
# /boot/vmlinux-* is a plain riscv64 Image, what `qemu-system-riscv64 -M virt -kernel` takes
# as is, with QEMU's default firmware OpenSBI), busybox-static's riscv64 binary, the
# initramfs that guests/linux/build-initramfs.sh packs for riscv64, and guest.env naming
# them. riscv64 is an official Debian architecture from trixie (13) on, so the packages
# come from trixie, not bookworm.
# The packages come from the Debian mirror the host's apt sources name, through a private
# apt configuration in $cache/apt (its own sources.list, lists and cache): the host's apt
# sources, lists and installed packages stay as they are, and no riscv64 package is
# installed. trixie's Release file has no Valid-Until (unlike sid's), so apt needs no
# Acquire::Check-Valid-Until=false for it.
# Idempotent and quick the second time: the packages are fetched only when the kernel or
# busybox is missing from $cache (remove $cache to fetch Debian's newest), the initramfs
# rebuilt only when its inputs changed. Prints guest.env (LINUX_KERNEL=, LINUX_INITRD=,
# LINUX_BUSYBOX=).
set -euo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
cache=${QEMU_TIMESYNC_CACHE:-/var/cache/qemu-timesync}/linux-riscv64
apt_dir=$cache/apt
suite=trixie
keyring=/usr/share/keyrings/debian-archive-keyring.gpg

setup_name=setup-riscv64-guest
. "$(dirname "$0")/setup-lib.sh" # log, debian_mirror

# apt's options for the private configuration: of the host's apt files only the dpkg
# status is read (apt-get download installs nothing).
apt_options=(-o "Dir::Etc::sourcelist=$apt_dir/sources.list" -o Dir::Etc::sourceparts=/dev/null
	-o "Dir::State::lists=$apt_dir/lists" -o "Dir::Cache=$apt_dir/cache"
	-o APT::Architectures::=riscv64)

# fetch_packages: downloads the kernel linux-image-riscv64 depends on and busybox-static
# for riscv64, and puts the kernel's Image and busybox into $cache.
fetch_packages() {
	local mirror sources kernel_package deb image busybox_binary=
	require_root
	mirror=$(debian_mirror)
	mkdir -p "$apt_dir/lists/partial" "$apt_dir/cache/archives/partial"
	sources="deb [arch=riscv64 signed-by=$keyring] $mirror $suite main"
	[ "$(cat "$apt_dir/sources.list" 2>/dev/null)" = "$sources" ] ||
		printf '%s\n' "$sources" >"$apt_dir/sources.list"
	log "apt-get update (private: $apt_dir/sources.list: $mirror $suite, riscv64)"
	apt-get "${apt_options[@]}" -qq update
	kernel_package=$(apt-cache "${apt_options[@]}" show --no-all-versions linux-image-riscv64:riscv64 |
		sed -n 's/^Depends:.*\(linux-image-6\.12\.[^ ,]*-riscv64\).*/\1/p' | head -n 1)
	if [ -z "$kernel_package" ]; then
		log "linux-image-riscv64 in $suite depends on no linux-image-6.12.*-riscv64"
		exit 1
	fi
	debs=$(mktemp -d "$cache/debs.XXXXXX") # global: the trap removes it at exit
	trap 'rm -rf "$debs"' EXIT
	chown _apt "$debs" 2>/dev/null || true # apt downloads as _apt where it may
	log "downloading $kernel_package:riscv64 and busybox-static:riscv64"
	(cd "$debs" && apt-get "${apt_options[@]}" -qq download "$kernel_package:riscv64" busybox-static:riscv64)
	for deb in "$debs"/*.deb; do
		dpkg-deb -x "$deb" "$debs/root"
	done
	image=$debs/root/boot/vmlinux-${kernel_package#linux-image-}
	# A riscv64 Image has the magic "RSC\x05" at byte 56 (Documentation/arch/riscv/boot-image-header.rst).
	if [ "$(od -A n -t x1 -j 56 -N 4 "$image" 2>/dev/null | tr -d ' ')" != 52534305 ]; then
		log "$image from $kernel_package is not a riscv64 Image"
		exit 1
	fi
	# trixie's busybox-static has it in /usr/bin (merged /usr), bookworm's in /bin.
	for busybox_binary in "$debs/root/usr/bin/busybox" "$debs/root/bin/busybox" ""; do
		[ ! -f "$busybox_binary" ] || break
	done
	if [ -z "$busybox_binary" ]; then
		log "busybox-static:riscv64 has no /usr/bin/busybox nor /bin/busybox"
		exit 1
	fi
	install -m 0644 "$image" "$cache/${image##*/}"
	install -m 0755 "$busybox_binary" "$cache/busybox"
	find "$cache" -maxdepth 1 -name 'vmlinux-*' ! -name "${image##*/}" -delete
	log "kernel -> $cache/${image##*/}, busybox -> $cache/busybox"
}

mkdir -p "$cache"
kernel=$(find "$cache" -maxdepth 1 -name 'vmlinux-*-riscv64' | head -n 1)
busybox=$cache/busybox
if [ -z "$kernel" ] || [ ! -f "$busybox" ]; then
	fetch_packages
	kernel=$(find "$cache" -maxdepth 1 -name 'vmlinux-*-riscv64' | head -n 1)
fi

initrd=$cache/initramfs.cpio.gz
inputs=$(cd "$repo/guests/linux" &&
	{ cat init guest-clock.c build-initramfs.sh "$busybox"; clang --version; } | sha256sum)
inputs=${inputs%% *}
if [ ! -f "$initrd" ] || [ "$(cat "$cache/initramfs.inputs" 2>/dev/null)" != "$inputs" ]; then
	log "building $initrd"
	bash "$repo/guests/linux/build-initramfs.sh" "$initrd.tmp" "$busybox" riscv64
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
