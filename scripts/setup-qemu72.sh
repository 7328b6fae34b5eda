#!/usr/bin/env bash
# Fetches bookworm's own QEMU 7.2 next to the installed 10.0, for building and testing the
# plugin against plugin API version 1 (run as root; scripts/setup.sh runs it). Idempotent.
#   - qemu-plugin.h of 7.2, extracted from Debian's QEMU source package
#     (a deb-src entry for bookworm on the mirror debian_mirror finds, see setup-lib.sh)
#   - qemu-system-misc 7.2 unpacked (apt-get download + dpkg -x) into a cache: it cannot
#     be installed beside 10.0, and it runs from any directory (-bios none needs no ROM)
#   - the shared libraries it needs, from bookworm
# Prints the meson options of a build for QEMU 7.2, one a line: its header directory and
# the directory of its qemu-system-riscv64 (for the integration tests).
set -euo pipefail

cache_dir=${QEMU_TIMESYNC_CACHE:-/var/cache/qemu-timesync}
src_list=/etc/apt/sources.list.d/qemu-timesync-bookworm-src.sources
root_dir="$cache_dir/qemu-7.2-root"

setup_name=setup-qemu72
. "$(dirname "$0")/setup-lib.sh"
require_root

add_apt_source "$src_list" deb-src bookworm "bookworm source packages (deb-src)"

# The .deb bookworm currently offers, e.g. qemu-system-misc_1%3a7.2+dfsg-7+deb12u18+b3_amd64.deb
deb_name() { apt-get download --print-uris qemu-system-misc/bookworm 2>/dev/null | awk '{ print $2 }'; }
deb=$(deb_name)
if [ -z "$deb" ]; then
	apt_update_once
	deb=$(deb_name)
fi
if [ -z "$deb" ]; then
	log "apt knows no qemu-system-misc in bookworm: is bookworm main in the apt sources?"
	exit 1
fi

mkdir -p "$cache_dir"
if [ "$(cat "$root_dir/.deb" 2>/dev/null)" != "$deb" ]; then
	log "unpacking $deb into $root_dir"
	tmp=$(mktemp -d "$cache_dir/.qemu72.XXXXXX")
	(cd "$tmp" && apt-get download -qq qemu-system-misc/bookworm >/dev/null 2>&1) || true
	if [ ! -f "$tmp/$deb" ]; then
		rm -rf "$tmp"
		log "could not download $deb"
		exit 1
	fi
	dpkg-deb -f "$tmp/$deb" Depends >"$tmp/depends"
	dpkg -x "$tmp/$deb" "$tmp/root"
	mv "$tmp/depends" "$tmp/root/.depends"
	printf '%s\n' "$deb" >"$tmp/root/.deb"
	rm -rf "$root_dir"
	mv "$tmp/root" "$root_dir"
	rm -rf "$tmp"
fi
qemu="$root_dir/usr/bin/qemu-system-riscv64"
# Debian version without epoch and revision, e.g. 7.2+dfsg
version=$(sed 's/^qemu-system-misc_[0-9]*%3a//; s/-.*//' "$root_dir/.deb")

# Its shared libraries: the library packages it depends on (qemu-system-common and
# -data it does not need for a bare-metal guest with -bios none).
mapfile -t libraries < <(tr ',' '\n' <"$root_dir/.depends" |
	sed -n 's/^ *\(lib[^ ]*\|zlib[^ ]*\).*/\1/p')
install_missing "${libraries[@]}"
if ldd "$qemu" | grep -q 'not found'; then
	log "$qemu misses shared libraries:"
	ldd "$qemu" | grep 'not found' >&2
	exit 1
fi

# qemu-plugin.h of that version.
fetch_plugin_header qemu/bookworm "$cache_dir/qemu_$version.orig.tar.xz" "$cache_dir/qemu-$version/include"
[ "$(readlink "$cache_dir/qemu-7.2")" = "qemu-$version" ] || ln -sfn "qemu-$version" "$cache_dir/qemu-7.2"

if ! "$qemu" --version | grep -q '^QEMU emulator version 7\.2\.'; then
	log "$qemu does not run as QEMU 7.2:"
	"$qemu" --version >&2 || true
	exit 1
fi
printf -- '-Dqemu_plugin_include=%s\n' "$cache_dir/qemu-7.2/include"
printf -- '-Dqemu_binary_dir=%s\n' "$root_dir/usr/bin"
