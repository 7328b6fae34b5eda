#!/usr/bin/env bash
# Installs everything qemu-timesync needs on Debian bookworm (run as root). Idempotent:
# a second run checks, finds everything in place and changes nothing.
#   - QEMU 10.0 from bookworm-backports (qemu-system-misc for riscv64, qemu-system-x86,
#     qemu-system-arm)
#     (its apt sources name the Debian mirror the machine's apt sources already name, see
#     debian_mirror in setup-lib.sh; QEMU_TIMESYNC_MIRROR=URI overrides it)
#   - build tools (meson, ninja, clang, lld, pkg-config), python3-pytest for the Python tests
#   - qemu-plugin.h, extracted from Debian's QEMU source package into a cache outside git
#   - ns-3 (libns3-dev), SystemC (libsystemc-dev), Cyclone DDS (cyclonedds-dev, its idlc in
#     cyclonedds-tools; iproute2 for the DDS test's network namespaces), and the Linux test
#     guests (scripts/setup-linux-guest.sh for x86_64, scripts/setup-foreign-guest.sh for
#     arm64 and riscv64)
#   - QEMU 7.2 (bookworm's own) unpacked into that cache with its qemu-plugin.h, for the
#     plugin API 1 build (scripts/setup-qemu72.sh)
#   - QEMU 11.1 (Debian sid's) in a sid root in that cache, for the plugin API 7 build
#     (scripts/setup-qemu-sid.sh)
set -euo pipefail

cache_dir=${QEMU_TIMESYNC_CACHE:-/var/cache/qemu-timesync}
backports_list=/etc/apt/sources.list.d/qemu-timesync-backports.sources
packages_main=(meson ninja-build clang lld pkg-config gcc dpkg-dev xz-utils libglib2.0-dev
               python3 python3-pytest gnuplot-nox libclang-rt-14-dev llvm libns3-dev libgsl-dev libsystemc-dev g++ man-db
               cyclonedds-dev cyclonedds-tools iproute2
               linux-image-cloud-amd64 busybox-static cpio gzip)
packages_backports=(qemu-system-misc qemu-system-x86 qemu-system-arm)

setup_name=setup
. "$(dirname "$0")/setup-lib.sh"
require_root

add_apt_source "$backports_list" "deb deb-src" bookworm-backports "bookworm-backports (deb and deb-src)"

install_missing "${packages_main[@]}"

qemu_major() { qemu-system-riscv64 --version 2>/dev/null | sed -n 's/^QEMU emulator version \([0-9]*\)\..*/\1/p'; }
install_missing -t bookworm-backports "${packages_backports[@]}"
if [ "$(qemu_major)" != 10 ]; then
	apt_update_once
	log "upgrading ${packages_backports[*]} to QEMU 10 from bookworm-backports"
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
		-t bookworm-backports "${packages_backports[@]}" >/dev/null
fi

# qemu-plugin.h matching the installed QEMU.
qemu_version=$(dpkg-query -W -f='${Version}' qemu-system-misc | sed 's/^[0-9]*://; s/-.*//')
header_dir="$cache_dir/qemu-$qemu_version/include"
fetch_plugin_header qemu/bookworm-backports "$cache_dir/qemu_${qemu_version%%+*}*.orig.tar.xz" "$header_dir"
[ "$(readlink "$cache_dir/current")" = "qemu-$qemu_version" ] || ln -sfn "qemu-$qemu_version" "$cache_dir/current"
bash "$(dirname "$0")/setup-linux-guest.sh" >/dev/null
bash "$(dirname "$0")/setup-foreign-guest.sh" arm64 >/dev/null
bash "$(dirname "$0")/setup-foreign-guest.sh" riscv64 >/dev/null
bash "$(dirname "$0")/setup-qemu72.sh" >/dev/null
bash "$(dirname "$0")/setup-qemu-sid.sh" >/dev/null
printf '%s\n' "$header_dir"
