#!/usr/bin/env bash
# Installs everything qemu-timesync needs on Debian bookworm (run as root). Idempotent:
# a second run checks, finds everything in place and changes nothing.
#   - QEMU 10.0 from bookworm-backports (qemu-system-misc for riscv64, qemu-system-x86)
#   - build tools (meson, ninja, clang, lld, pkg-config)
#   - qemu-plugin.h, extracted from Debian's QEMU source package into a cache outside git
#   - ns-3 (libns3-dev), and the Linux test guest (scripts/setup-linux-guest.sh)
#   - QEMU 7.2 (bookworm's own) unpacked into that cache with its qemu-plugin.h, for the
#     plugin API 1 build (scripts/setup-qemu72.sh)
set -euo pipefail

cache_dir=${QEMU_TIMESYNC_CACHE:-/var/cache/qemu-timesync}
backports_list=/etc/apt/sources.list.d/qemu-timesync-backports.sources
packages_main=(meson ninja-build clang lld pkg-config gcc dpkg-dev xz-utils libglib2.0-dev
               python3 gnuplot-nox libclang-rt-14-dev llvm libns3-dev libgsl-dev g++ man-db
               linux-image-cloud-amd64 busybox-static cpio gzip)
packages_backports=(qemu-system-misc qemu-system-x86)

log() { printf 'setup: %s\n' "$*" >&2; }

if [ "$(id -u)" -ne 0 ]; then
	log "run as root (it installs Debian packages)"
	exit 1
fi

apt_updated=0
apt_update_once() {
	if [ "$apt_updated" -eq 0 ]; then
		log "apt-get update"
		apt-get update -qq
		apt_updated=1
	fi
}

if [ ! -f "$backports_list" ]; then
	log "adding bookworm-backports (deb and deb-src) to $backports_list"
	cat >"$backports_list" <<LIST
Types: deb deb-src
URIs: http://deb.debian.org/debian
Suites: bookworm-backports
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
LIST
	apt_updated=0
	apt_update_once
fi

missing() {
	local p
	for p in "$@"; do
		dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null | grep -q 'install ok installed' ||
			printf '%s\n' "$p"
	done
}

mapfile -t need_main < <(missing "${packages_main[@]}")
if [ "${#need_main[@]}" -gt 0 ]; then
	apt_update_once
	log "installing ${need_main[*]}"
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need_main[@]}" >/dev/null
fi

qemu_major() { qemu-system-riscv64 --version 2>/dev/null | sed -n 's/^QEMU emulator version \([0-9]*\)\..*/\1/p'; }
if [ "$(missing "${packages_backports[@]}")" != "" ] || [ "$(qemu_major)" != 10 ]; then
	apt_update_once
	log "installing ${packages_backports[*]} from bookworm-backports"
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
		-t bookworm-backports "${packages_backports[@]}" >/dev/null
fi

# qemu-plugin.h matching the installed QEMU. The .dsc of the backports version may answer
# 404 while the orig tarball arrives, so check for the file, not apt's exit code.
qemu_version=$(dpkg-query -W -f='${Version}' qemu-system-misc | sed 's/^[0-9]*://; s/-.*//')
header_dir="$cache_dir/qemu-$qemu_version/include"
if [ ! -f "$header_dir/qemu/qemu-plugin.h" ]; then
	mkdir -p "$cache_dir"
	apt_update_once
	log "fetching QEMU $qemu_version source to extract qemu-plugin.h"
	(cd "$cache_dir" && apt-get source --download-only -qq "qemu=1:$qemu_version*" >/dev/null 2>&1 ||
		apt-get source --download-only -qq qemu/bookworm-backports >/dev/null 2>&1 || true)
	tarball=$(ls "$cache_dir"/qemu_"${qemu_version%%+*}"*.orig.tar.xz 2>/dev/null | head -n 1)
	if [ -z "$tarball" ]; then
		log "could not download QEMU's source package for $qemu_version (no orig tarball in $cache_dir)"
		exit 1
	fi
	tmp=$(mktemp -d)
	tar -xJf "$tarball" -C "$tmp" --wildcards '*/include/qemu/qemu-plugin.h'
	mkdir -p "$header_dir/qemu"
	mv "$tmp"/*/include/qemu/qemu-plugin.h "$header_dir/qemu/qemu-plugin.h"
	rm -rf "$tmp"
	log "qemu-plugin.h -> $header_dir/qemu/qemu-plugin.h"
fi
ln -sfn "qemu-$qemu_version" "$cache_dir/current"
bash "$(dirname "$0")/setup-linux-guest.sh" >/dev/null
bash "$(dirname "$0")/setup-qemu72.sh" >/dev/null
printf '%s\n' "$header_dir"
