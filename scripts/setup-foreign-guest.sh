#!/usr/bin/env bash
# setup-foreign-guest.sh ARCH (arm64 or riscv64): builds the Linux test guest of another
# architecture (scripts/setup.sh runs it, as root) into $cache (outside git): the kernel
# Image of Debian's metapackage linux-image-ARCH, busybox-static's ARCH binary, the
# initramfs that guests/linux/build-initramfs.sh packs, and guest.env naming them.
#   arm64:   bookworm's 6.1 kernel; its /boot/vmlinuz-* is an uncompressed Image, what
#            `qemu-system-aarch64 -kernel` takes (guests/linux/AARCH64.md)
#   riscv64: trixie's 6.12 kernel (riscv64 is official from trixie on); its /boot/vmlinux-*
#            is a plain Image, what `qemu-system-riscv64 -M virt -kernel` takes with QEMU's
#            default firmware OpenSBI (guests/linux/RISCV64.md)
# The packages come from the Debian mirror the host's apt sources name, through a private
# apt configuration in $cache/apt (its own sources.list, lists and cache): the host's apt
# sources, lists and installed packages stay as they are, and no foreign package is
# installed. trixie's Release file has no Valid-Until (unlike sid's): no
# Acquire::Check-Valid-Until=false needed.
# Idempotent and quick the second time: the packages are fetched only when the kernel or
# busybox is missing from $cache (remove $cache to fetch Debian's newest), the initramfs
# rebuilt only when its inputs changed. Prints guest.env (LINUX_KERNEL=, LINUX_INITRD=,
# LINUX_BUSYBOX=).
set -euo pipefail

arch=${1:-}
# Per architecture: Debian suite, kernel image file prefix, the dependency of
# linux-image-ARCH that names the kernel (sed regex), the architecture build-initramfs.sh
# takes, and the Image's magic at byte 56 in hex.
case $arch in
arm64)
	suite=bookworm image_prefix=vmlinuz kernel_re='linux-image-6\.1\.0-[0-9]*-arm64'
	initramfs_arch=aarch64 magic=41524d64 # "ARM\x64" (Documentation/arch/arm64/booting.rst)
	;;
riscv64)
	suite=trixie image_prefix=vmlinux kernel_re='linux-image-6\.12\.[^ ,]*-riscv64'
	initramfs_arch=riscv64 magic=52534305 # "RSC\x05" (Documentation/arch/riscv/boot-image-header.rst)
	;;
*)
	echo "usage: $0 arm64|riscv64" >&2
	exit 2
	;;
esac

repo=$(cd "$(dirname "$0")/.." && pwd)
cache=${QEMU_TIMESYNC_CACHE:-/var/cache/qemu-timesync}/linux-$arch
apt_dir=$cache/apt
keyring=/usr/share/keyrings/debian-archive-keyring.gpg

setup_name=setup-$arch-guest
. "$(dirname "$0")/setup-lib.sh" # log, require_root, debian_mirror

# apt's options for the private configuration: of the host's apt files only the dpkg
# status is read (apt-get download installs nothing).
apt_options=(-o "Dir::Etc::sourcelist=$apt_dir/sources.list" -o Dir::Etc::sourceparts=/dev/null
	-o "Dir::State::lists=$apt_dir/lists" -o "Dir::Cache=$apt_dir/cache"
	-o "APT::Architectures::=$arch")

# fetch_packages: downloads the kernel linux-image-ARCH depends on and busybox-static for
# ARCH, and puts the kernel's Image and busybox into $cache.
fetch_packages() {
	local mirror sources kernel_package deb image busybox_binary=
	require_root
	mirror=$(debian_mirror)
	mkdir -p "$apt_dir/lists/partial" "$apt_dir/cache/archives/partial"
	sources="deb [arch=$arch signed-by=$keyring] $mirror $suite main"
	[ "$(cat "$apt_dir/sources.list" 2>/dev/null)" = "$sources" ] ||
		printf '%s\n' "$sources" >"$apt_dir/sources.list"
	log "apt-get update (private: $apt_dir/sources.list: $mirror $suite, $arch)"
	apt-get "${apt_options[@]}" -qq update
	kernel_package=$(apt-cache "${apt_options[@]}" show --no-all-versions "linux-image-$arch:$arch" |
		sed -n "s/^Depends:.*\\($kernel_re\\).*/\\1/p" | head -n 1)
	if [ -z "$kernel_package" ]; then
		log "linux-image-$arch in $suite depends on no kernel matching $kernel_re"
		exit 1
	fi
	debs=$(mktemp -d "$cache/debs.XXXXXX") # global: the trap removes it at exit
	trap 'rm -rf "$debs"' EXIT
	chown _apt "$debs" 2>/dev/null || true # apt downloads as _apt where it may
	log "downloading $kernel_package:$arch and busybox-static:$arch"
	(cd "$debs" && apt-get "${apt_options[@]}" -qq download "$kernel_package:$arch" "busybox-static:$arch")
	for deb in "$debs"/*.deb; do
		dpkg-deb -x "$deb" "$debs/root"
	done
	image=$debs/root/boot/$image_prefix-${kernel_package#linux-image-}
	if [ "$(od -A n -t x1 -j 56 -N 4 "$image" 2>/dev/null | tr -d ' ')" != "$magic" ]; then
		log "$image from $kernel_package is not an uncompressed $arch Image"
		exit 1
	fi
	# trixie's busybox-static has it in /usr/bin (merged /usr), bookworm's in /bin.
	for busybox_binary in "$debs/root/usr/bin/busybox" "$debs/root/bin/busybox" ""; do
		[ ! -f "$busybox_binary" ] || break
	done
	if [ -z "$busybox_binary" ]; then
		log "busybox-static:$arch has no /usr/bin/busybox nor /bin/busybox"
		exit 1
	fi
	install -m 0644 "$image" "$cache/${image##*/}"
	install -m 0755 "$busybox_binary" "$cache/busybox"
	find "$cache" -maxdepth 1 -name "$image_prefix-*" ! -name "${image##*/}" -delete
	log "kernel -> $cache/${image##*/}, busybox -> $cache/busybox"
}

mkdir -p "$cache"
kernel=$(find "$cache" -maxdepth 1 -name "$image_prefix-*-$arch" | head -n 1)
busybox=$cache/busybox
if [ -z "$kernel" ] || [ ! -f "$busybox" ]; then
	fetch_packages
	kernel=$(find "$cache" -maxdepth 1 -name "$image_prefix-*-$arch" | head -n 1)
fi

initrd=$cache/initramfs.cpio.gz
inputs=$(cd "$repo/guests/linux" &&
	{ cat init guest-clock.c build-initramfs.sh "$busybox"; clang --version; } | sha256sum)
inputs=${inputs%% *}
if [ ! -f "$initrd" ] || [ "$(cat "$cache/initramfs.inputs" 2>/dev/null)" != "$inputs" ]; then
	log "building $initrd"
	bash "$repo/guests/linux/build-initramfs.sh" "$initrd.tmp" "$busybox" "$initramfs_arch"
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
