#!/usr/bin/env bash
# Makes Debian sid's QEMU (11.1 at the time of writing, plugin API 7) runnable beside the
# installed 10.0, for building and testing the plugin against it (run as root;
# scripts/setup.sh runs it). Idempotent: a second run finds everything in place.
#   - a minimal sid root, $cache_dir/sid-root (Debian's debootstrap, on the mirror
#     debian_mirror finds, see setup-lib.sh), with qemu-system-riscv, -x86 and -arm of sid
#     inside: its binaries need sid's glibc, so they run only with sid's libraries
#   - wrappers $cache_dir/sid-root-bin/qemu-system-{riscv64,x86_64,aarch64} that run them
#     on the host through the root's own dynamic loader and libraries (no chroot: the
#     host's paths, the plugin, the FIFOs, stay valid)
#   - qemu-plugin.h of that QEMU from Debian's source package, tried on every run (a
#     private deb-src list for sid, never the host's apt sources). Where it cannot be had
#     (sid's 11.1 orig tarballs answer 404 today), the build uses the project's own API-7
#     declarations, plugin/qemu-plugin-api7.h (-Dqemu_plugin_include=own-api7)
#   - qemu-plugin.h of another QEMU release those source lists offer (10.2.2 today,
#     plugin API 5), for a build check only
# Prints the meson options of a build for sid's QEMU, one a line: its header (or
# own-api7) and the wrappers' directory; with --other, the header of the newest other QEMU
# source package sid or experimental offers whose orig tarball downloads, for a build
# check (10.2.2, plugin API 5, today: it is in sid's source index, not experimental's),
# one line, or nothing when there is none.
set -euo pipefail

cache_dir=${QEMU_TIMESYNC_CACHE:-/var/cache/qemu-timesync}
root=$cache_dir/sid-root
bin_dir=$cache_dir/sid-root-bin
apt_dir=$cache_dir/sid-apt
root_packages=(qemu-system-riscv qemu-system-x86 qemu-system-arm)
wrapped=(qemu-system-riscv64 qemu-system-x86_64 qemu-system-aarch64)

setup_name=setup-qemu-sid
. "$(dirname "$0")/setup-lib.sh"
require_root

install_missing debootstrap
mirror=$(debian_mirror)
mkdir -p "$cache_dir"

# The root, made once; a half-made one (no .complete) is made again.
if [ ! -f "$root/.complete" ]; then
	log "debootstrap --variant=minbase sid from $mirror into $root"
	rm -rf "$root" "$root.tmp"
	if ! debootstrap --variant=minbase sid "$root.tmp" "$mirror" >"$cache_dir/sid-debootstrap.log" 2>&1; then
		log "debootstrap failed; the end of $cache_dir/sid-debootstrap.log:"
		tail -n 20 "$cache_dir/sid-debootstrap.log" >&2
		exit 1
	fi
	touch "$root.tmp/.complete"
	mv "$root.tmp" "$root"
fi

# apt inside the root. The archive serves sid as a dated snapshot: its Release file has
# expired, so apt is told not to check that.
in_root() { chroot "$root" env DEBIAN_FRONTEND=noninteractive LC_ALL=C "$@"; }
root_apt=(apt-get -o Acquire::Check-Valid-Until=false -qq)
root_missing() {
	local p
	for p in "$@"; do
		dpkg-query --admindir="$root/var/lib/dpkg" -W -f='${Status}\n' "$p" 2>/dev/null |
			grep -q 'install ok installed' || printf '%s\n' "$p"
	done
}
mapfile -t need < <(root_missing "${root_packages[@]}")
if [ "${#need[@]}" -gt 0 ]; then
	log "installing ${need[*]} in $root"
	cp /etc/resolv.conf "$root/etc/resolv.conf" 2>/dev/null || true
	in_root "${root_apt[@]}" update
	in_root "${root_apt[@]}" install -y --no-install-recommends "${need[@]}" >/dev/null
	in_root apt-get clean
fi

# The wrappers: sid's loader, sid's libraries, sid's firmware (-L: QEMU's own data, then
# SeaBIOS, before the host's /usr/share/qemu and /usr/share/seabios) and modules. The loader
# is run through a link named like the QEMU it runs, so that the process is called that
# (its comm, which the plugin names when a link is in use by another QEMU), not ld-linux.
loader=$root/lib64/ld-linux-x86-64.so.2
mkdir -p "$bin_dir/.loader"
for name in "${wrapped[@]}"; do
	[ -x "$root/usr/bin/$name" ] || continue
	[ "$(readlink "$bin_dir/.loader/$name")" = "$loader" ] || ln -sfn "$loader" "$bin_dir/.loader/$name"
	wrapper=$(printf '#!/bin/sh\n# %s of Debian sid, run with its own loader and libraries (setup-qemu-sid.sh).\n' "$name"
		printf 'QEMU_MODULE_DIR=%q exec %q \\\n' "$root/usr/lib/x86_64-linux-gnu/qemu" "$bin_dir/.loader/$name"
		printf '\t--library-path %q \\\n' "$root/lib/x86_64-linux-gnu:$root/usr/lib/x86_64-linux-gnu"
		printf '\t%q -L %q -L %q "$@"\n' "$root/usr/bin/$name" "$root/usr/share/qemu" \
			"$root/usr/share/seabios")
	if [ "$(cat "$bin_dir/$name" 2>/dev/null)" != "$wrapper" ]; then
		printf '%s\n' "$wrapper" >"$bin_dir/$name"
		chmod 755 "$bin_dir/$name"
	fi
done
qemu_version=$("$bin_dir/qemu-system-riscv64" --version 2>&1 | head -n 1) || {
	log "sid's qemu-system-riscv64 does not run: $qemu_version"
	exit 1
}
case $qemu_version in
"QEMU emulator version "*) ;;
*)
	log "sid's qemu-system-riscv64 does not run: $qemu_version"
	exit 1
	;;
esac

# A private apt for QEMU's source packages in sid and experimental: its sources list and
# lists in the cache, never the machine's apt sources.
mkdir -p "$apt_dir/lists/partial" "$apt_dir/cache/archives/partial" "$apt_dir/src"
for suite in sid experimental; do
	printf 'deb-src [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] %s %s main\n' \
		"$mirror" "$suite"
done >"$apt_dir/sources.list"
private_apt=(-o "Dir::Etc::sourcelist=$apt_dir/sources.list" -o Dir::Etc::sourceparts=/dev/null
	-o "Dir::State::lists=$apt_dir/lists" -o "Dir::Cache=$apt_dir/cache"
	-o Acquire::Check-Valid-Until=false)
if ! apt-get "${private_apt[@]}" -qq update >/dev/null 2>"$apt_dir/update.err"; then
	log "apt-get update of sid's and experimental's source lists failed:"
	cat "$apt_dir/update.err" >&2
fi

# header_for VERSION: the include directory of QEMU's source package of that version, once
# its qemu-plugin.h is extracted; nothing (and a message) when it cannot be had.
header_for() {
	local upstream=${1#*:} dir
	upstream=${upstream%-*}
	dir=$cache_dir/qemu-$upstream/include
	if (fetch_plugin_header "qemu=$1" "$apt_dir/src/qemu_$upstream.orig.tar.xz" "$dir" \
		"${private_apt[@]}"); then
		printf '%s\n' "$dir"
	fi
}

# sid's: the source of exactly the QEMU in the root.
sid_version=$(dpkg-query --admindir="$root/var/lib/dpkg" -W -f='${source:Version}' qemu-system-riscv)
sid_header=$(header_for "$sid_version")

if [ "${1:-}" = --other ]; then
	# The newest other QEMU release whose source downloads (10.2.2 today, plugin API 5).
	mapfile -t versions < <(apt-cache "${private_apt[@]}" showsrc qemu 2>/dev/null |
		sed -n 's/^Version: //p' | sort -Vru)
	for version in "${versions[@]}"; do
		[ "$version" != "$sid_version" ] || continue
		header=$(header_for "$version")
		if [ -n "$header" ]; then
			log "QEMU $version's header for a build check: $header"
			printf -- '-Dqemu_plugin_include=%s\n' "$header"
			break
		fi
	done
	exit 0
fi
if [ -n "$sid_header" ]; then
	log "$qemu_version, its header from Debian's source: $sid_header"
	printf -- '-Dqemu_plugin_include=%s\n' "$sid_header"
else
	log "$qemu_version, built with the project's own API-7 declarations"
	printf -- '-Dqemu_plugin_include=own-api7\n'
fi
printf -- '-Dqemu_binary_dir=%s\n' "$bin_dir"
