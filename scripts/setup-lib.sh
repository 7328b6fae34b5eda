# Shared by the set-up scripts (sourced): messages, root check, apt, the Debian mirror,
# QEMU's plugin header.
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

# add_apt_source FILE TYPES SUITE WHAT: once, a deb822 sources file for SUITE (main) on the
# machine's own Debian mirror (debian_mirror), then an apt-get update on the next need.
add_apt_source() {
	local file=$1 types=$2 suite=$3 what=$4 mirror
	[ ! -f "$file" ] || return 0
	mirror=$(debian_mirror)
	log "adding $what from $mirror to $file"
	cat >"$file" <<LIST
Types: $types
URIs: $mirror
Suites: $suite
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
LIST
	apt_updated=0
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

# fetch_plugin_header SOURCE TARBALL HEADER_DIR [APT-GET OPTION...]: extracts only
# qemu-plugin.h (include/qemu/ up to QEMU 10, include/plugins/ since) of QEMU's Debian
# source package SOURCE (e.g. qemu/bookworm) into HEADER_DIR/qemu/. With apt-get options
# (a private apt configuration, updated by the caller) apt-get uses them; without, the
# machine's apt sources. apt may exit non-zero although the orig tarball arrived (a .dsc
# answering 404): check for the TARBALL (a path, may be a glob), not apt's exit code.
# Returns 1 (and says so) when the tarball cannot be had.
fetch_plugin_header() {
	local source=$1 tarball=$2 header_dir=$3 cache tmp
	shift 3
	[ ! -f "$header_dir/qemu/qemu-plugin.h" ] || return 0
	cache=$(dirname "$tarball")
	mkdir -p "$cache"
	[ "$#" -gt 0 ] || apt_update_once
	log "fetching $source's source to extract qemu-plugin.h"
	(cd "$cache" && apt-get "$@" source --download-only -qq "$source") >/dev/null 2>&1 || true
	tarball=$(ls $tarball 2>/dev/null | head -n 1)
	if [ -z "$tarball" ]; then
		log "could not download QEMU's source package $source (no orig tarball in $cache)"
		return 1
	fi
	tmp=$(mktemp -d)
	if ! tar -xJf "$tarball" -C "$tmp" --wildcards '*/include/*/qemu-plugin.h'; then
		rm -rf "$tmp"
		log "no qemu-plugin.h in $tarball"
		return 1
	fi
	mkdir -p "$header_dir/qemu"
	mv "$tmp"/*/include/*/qemu-plugin.h "$header_dir/qemu/qemu-plugin.h"
	rm -rf "$tmp"
	log "qemu-plugin.h -> $header_dir/qemu/qemu-plugin.h"
}

# debian_mirror: prints the URI (no trailing slash) of the Debian mirror the machine's apt
# sources already name, for the apt sources the set-up writes: users sit behind their own
# mirrors, proxies and apt caches, so none is hard-coded. QEMU_TIMESYNC_MIRROR, when set,
# is printed instead. Reads, in apt's order, $APT_SOURCES_DIR (default /etc/apt)/sources.list
# and sources.list.d/*.list (one-line: `deb [options] URI suite components...`) and
# sources.list.d/*.sources (deb822 stanzas; `Enabled: no` ones skipped). Takes deb and
# deb-src entries, never security ones (a URI or suite containing "security") nor cdrom:
# ones; prefers the suite bookworm, else bookworm-updates/-backports/-proposed-updates; the
# first in apt's order wins. Files the set-up wrote itself (qemu-timesync-*) count only when
# no other file names a mirror. None found: says which files it read and exits 1.
debian_mirror() {
	local root=${APT_SOURCES_DIR:-/etc/apt} f mirror
	local files=()
	if [ -n "${QEMU_TIMESYNC_MIRROR:-}" ]; then
		mirror=$QEMU_TIMESYNC_MIRROR
		while [ "${mirror%/}" != "$mirror" ]; do mirror=${mirror%/}; done
		printf '%s\n' "$mirror"
		return 0
	fi
	for f in "$root/sources.list" "$root"/sources.list.d/*; do
		case $f in
		"$root/sources.list" | *.list | *.sources) [ -f "$f" ] && files+=("$f") ;;
		esac
	done
	if [ "${#files[@]}" -gt 0 ]; then
		mirror=$(awk '
			function rank(suite) {
				if (suite == "bookworm") return 1
				if (suite ~ /^bookworm-(updates|backports|proposed-updates)$/) return 2
				return 0
			}
			function consider(type, uri, suite,   r) {
				if (type != "deb" && type != "deb-src") return
				if (uri ~ /security/ || suite ~ /security/ || uri ~ /^cdrom:/) return
				if (!(r = rank(suite))) return
				sub(/\/+$/, "", uri)
				if (uri == "") return
				if (own) r += 10
				if (best == "" || r < best) { best = r; found = uri }
			}
			function flush(   nt, nu, ns, t, u, s, i, j, k) {
				if (enabled != "no") {
					nt = split(types, t, " "); nu = split(uris, u, " "); ns = split(suites, s, " ")
					for (i = 1; i <= nt; i++)
						for (j = 1; j <= nu; j++)
							for (k = 1; k <= ns; k++) consider(t[i], u[j], s[k])
				}
				types = uris = suites = enabled = field = ""
			}
			FNR == 1 {
				flush()
				deb822 = FILENAME ~ /\.sources$/
				own = FILENAME ~ /(^|\/)qemu-timesync-[^\/]*$/
			}
			{ sub(/\r$/, "") }
			deb822 {
				if ($0 ~ /^[ \t]*$/) { flush(); next }
				if ($0 ~ /^#/) next
				if ($0 ~ /^[ \t]/) {
					if (field == "types") types = types " " $0
					else if (field == "uris") uris = uris " " $0
					else if (field == "suites") suites = suites " " $0
					next
				}
				if ((colon = index($0, ":")) == 0) next
				field = tolower(substr($0, 1, colon - 1))
				value = substr($0, colon + 1)
				if (field == "types") types = value
				else if (field == "uris") uris = value
				else if (field == "suites") suites = value
				else if (field == "enabled") { enabled = tolower(value); gsub(/[ \t]/, "", enabled) }
				next
			}
			{
				sub(/#.*/, "")
				if (NF < 3) next
				i = 2
				if ($i ~ /^\[/) {
					while (i < NF && $i !~ /\]$/) i++
					i++
				}
				if (i + 1 <= NF) consider($1, $i, $(i + 1))
			}
			END { flush(); if (found != "") print found }
		' "${files[@]}")
	fi
	if [ -n "${mirror:-}" ]; then
		printf '%s\n' "$mirror"
		return 0
	fi
	if [ "${#files[@]}" -gt 0 ]; then
		log "no Debian mirror for bookworm (a deb or deb-src entry for suite bookworm or bookworm-updates/-backports, not security) in the apt sources: read ${files[*]}"
	else
		log "no apt sources to read the Debian mirror from: none of $root/sources.list, $root/sources.list.d/*.list, $root/sources.list.d/*.sources exists"
	fi
	log "set QEMU_TIMESYNC_MIRROR to the URI of your Debian mirror, e.g. QEMU_TIMESYNC_MIRROR=http://deb.debian.org/debian bash scripts/setup.sh"
	exit 1
}
