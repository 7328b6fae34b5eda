# Shared by the set-up scripts (sourced): messages, root check, apt, QEMU's plugin header.
# The sourcing script sets setup_name (the prefix of its messages) first.

log() { printf '%s: %s\n' "$setup_name" "$*" >&2; }

require_root() {
	if [ "$(id -u)" -ne 0 ]; then
		log "run as root (it installs Debian packages)"
		exit 1
	fi
}

apt_updated=0
apt_update_once() {
	if [ "$apt_updated" -eq 0 ]; then
		log "apt-get update"
		apt-get update -qq
		apt_updated=1
	fi
}

# missing PACKAGE...: prints the packages that are not installed, one a line.
missing() {
	local p
	for p in "$@"; do
		dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null | grep -q 'install ok installed' ||
			printf '%s\n' "$p"
	done
}

# install_missing [-t SUITE] PACKAGE...: installs those not installed yet.
install_missing() {
	local suite=()
	if [ "$1" = -t ]; then
		suite=(-t "$2")
		shift 2
	fi
	local need
	mapfile -t need < <(missing "$@")
	[ "${#need[@]}" -gt 0 ] || return 0
	apt_update_once
	log "installing ${need[*]}${suite[*]:+ from ${suite[1]}}"
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
		"${suite[@]}" "${need[@]}" >/dev/null
}

# fetch_plugin_header SOURCE TARBALL HEADER_DIR: extracts only include/qemu/qemu-plugin.h
# of QEMU's Debian source package SOURCE (e.g. qemu/bookworm) into HEADER_DIR/qemu/.
# apt may exit non-zero although the orig tarball arrived (a .dsc answering 404): check
# for the TARBALL (a path, may be a glob), not apt's exit code.
fetch_plugin_header() {
	local source=$1 tarball=$2 header_dir=$3 cache tmp
	[ ! -f "$header_dir/qemu/qemu-plugin.h" ] || return 0
	cache=$(dirname "$tarball")
	mkdir -p "$cache"
	apt_update_once
	log "fetching $source's source to extract qemu-plugin.h"
	(cd "$cache" && apt-get source --download-only -qq "$source") >/dev/null 2>&1 || true
	tarball=$(ls $tarball 2>/dev/null | head -n 1)
	if [ -z "$tarball" ]; then
		log "could not download QEMU's source package $source (no orig tarball in $cache)"
		exit 1
	fi
	tmp=$(mktemp -d)
	tar -xJf "$tarball" -C "$tmp" --wildcards '*/include/qemu/qemu-plugin.h'
	mkdir -p "$header_dir/qemu"
	mv "$tmp"/*/include/qemu/qemu-plugin.h "$header_dir/qemu/qemu-plugin.h"
	rm -rf "$tmp"
	log "qemu-plugin.h -> $header_dir/qemu/qemu-plugin.h"
}
