# debian_mirror (scripts/setup-lib.sh) finds the Debian mirror in sample apt source trees:
# deb822 .sources files (several stanzas, security and disabled ones, several URIs),
# one-line sources.list with comments and options, both, the set-up's own files; says so
# and exits 1 when there is none; QEMU_TIMESYNC_MIRROR overrides it. The set-up scripts
# write what it finds instead of a fixed mirror.
. "$(dirname "$0")/lib.sh"

SCRIPTS="$(dirname "$0")/../../scripts"

# mirror TREE [VAR=VALUE...]: runs debian_mirror on the apt tree $WORK/TREE; its output in
# $WORK/TREE.out, its messages in $WORK/TREE.err, its exit status in $STATUS.
mirror() {
	local tree=$1
	shift
	STATUS=0
	env -u QEMU_TIMESYNC_MIRROR APT_SOURCES_DIR="$WORK/$tree" "$@" bash -c \
		'set -euo pipefail; setup_name=test; . "$1/setup-lib.sh"; debian_mirror' _ "$SCRIPTS" \
		>"$WORK/$tree.out" 2>"$WORK/$tree.err" || STATUS=$?
}

# found WHAT TREE EXPECTED [VAR=VALUE...]: debian_mirror prints EXPECTED and succeeds.
found() {
	local what=$1 tree=$2 expected=$3
	shift 3
	mirror "$tree" "$@"
	check_eq "$what: exit status" 0 "$STATUS"
	check_eq "$what: mirror" "$expected" "$(cat "$WORK/$tree.out")"
	[ "$STATUS" -eq 0 ] || show "$WORK/$tree.err"
}

# A tree: TREE/sources.list.d/NAME with the given text.
put() { mkdir -p "$(dirname "$WORK/$1")"; cat >"$WORK/$1"; }

# deb822: a security stanza first, a bookworm-updates-only one, a disabled one, a
# third-party one, then the main archive with two URIs and comment lines.
put deb822/sources.list.d/debian.sources <<'S'
Types: deb
URIs: http://security.example/debian-security
Suites: bookworm-security
Components: main

Types: deb
URIs: http://updates.example/debian
Suites: bookworm-updates
Components: main

Types: deb
URIs: http://disabled.example/debian
Suites: bookworm
Components: main
Enabled: no

Types: deb
URIs: https://third-party.example/node
Suites: nodistro
Components: main

# the main archive
Types: deb deb-src
# http://snapshot.debian.org/archive/debian/20250520T000000Z
URIs: http://one.example/debian/ http://two.example/debian
Suites: bookworm bookworm-updates
Components: main contrib
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
S
printf 'deb http://ignored.example/debian bookworm main\n' |
	put deb822/sources.list.d/old.list.disabled-by-someone
found "deb822" deb822 http://one.example/debian

# One-line: comments, options, deb-src, security, a third-party suite naming bookworm.
put oneline/sources.list <<'S'
# deb http://commented.example/debian bookworm main
deb https://packages.example/apt cloud-sdk-bookworm main
deb http://security.debian.org/debian-security bookworm-security main contrib
deb cdrom:[Debian GNU/Linux 12.0.0 _Bookworm_ - Official amd64 DVD]/ bookworm contrib main

deb [arch=amd64 signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] http://mirror.example/debian/ bookworm main contrib # the mirror
deb-src http://src.example/debian bookworm main
S
found "one-line sources.list" oneline http://mirror.example/debian

# Only deb-src, spaced options.
put debsrc/sources.list <<'S'
deb-src [ arch=amd64 ] http://src.example:3142/debian// bookworm main
S
found "deb-src, spaced options" debsrc http://src.example:3142/debian

# Both: sources.list only comments, the mirror in a .sources file.
put both/sources.list <<'S'
# See /etc/apt/sources.list.d/debian.sources
#deb http://commented.example/debian bookworm main
S
put both/sources.list.d/debian.sources <<'S'
Types: deb
URIs: http://deb822.example/debian
Suites: bookworm
Components: main
S
found "commented sources.list and .sources" both http://deb822.example/debian

# Both active: apt reads sources.list first.
printf 'deb http://list.example/debian bookworm main\n' >>"$WORK/both/sources.list"
found "sources.list and .sources" both http://list.example/debian

# A suite bookworm wins over an earlier bookworm-updates only.
printf 'deb http://updates.example/debian bookworm-updates main\n' | put prefer/sources.list
printf 'deb http://main.example/debian bookworm main\n' | put prefer/sources.list.d/mirror.list
found "bookworm before bookworm-updates" prefer http://main.example/debian

# The set-up's own files: the host's entries win, even a bookworm-updates one.
put own/sources.list.d/qemu-timesync-bookworm-src.sources <<'S'
Types: deb-src
URIs: http://own.example/debian
Suites: bookworm
Components: main
S
found "only the set-up's own files" own http://own.example/debian
printf 'deb http://host.example/debian bookworm-updates main\n' | put own/sources.list.d/zz-host.list
found "the host's before the set-up's own" own http://host.example/debian

# None: an empty tree, and one without a Debian mirror.
mkdir -p "$WORK/empty"
mirror empty
check_eq "no apt sources: exit status" 1 "$STATUS"
check_eq "no apt sources: prints nothing" "" "$(cat "$WORK/empty.out")"
check_grep "no apt sources: names where it looked" "none of .*/empty/sources.list" "$WORK/empty.err"
check_grep "no apt sources: says how to set the mirror" "set QEMU_TIMESYNC_MIRROR" "$WORK/empty.err"
put nodebian/sources.list <<'S'
deb http://security.debian.org/debian-security bookworm-security main
deb https://packages.example/apt cloud-sdk-bookworm main
S
put nodebian/sources.list.d/disabled.sources <<'S'
Types: deb
URIs: http://disabled.example/debian
Suites: bookworm
Components: main
Enabled: no
S
mirror nodebian
check_eq "no Debian mirror: exit status" 1 "$STATUS"
check_eq "no Debian mirror: prints nothing" "" "$(cat "$WORK/nodebian.out")"
check_grep "no Debian mirror: names the files it read" \
	"read .*/nodebian/sources.list .*/nodebian/sources.list.d/disabled.sources" "$WORK/nodebian.err"
check_grep "no Debian mirror: says how to set the mirror" "set QEMU_TIMESYNC_MIRROR" "$WORK/nodebian.err"

# QEMU_TIMESYNC_MIRROR overrides, with or without apt sources.
found "override" deb822 http://override.example/debian QEMU_TIMESYNC_MIRROR=http://override.example/debian/
found "override without apt sources" empty http://override.example/debian QEMU_TIMESYNC_MIRROR=http://override.example/debian

# The set-up scripts write their sources through add_apt_source, which writes the mirror
# debian_mirror found, none of their own.
check_eq "add_apt_source asks debian_mirror" 1 "$(grep -c '^	mirror=$(debian_mirror)$' "$SCRIPTS/setup-lib.sh")"
check_eq "add_apt_source writes that mirror" 1 "$(grep -c '^URIs: \$mirror$' "$SCRIPTS/setup-lib.sh")"
for script in setup.sh setup-qemu72.sh setup-lib.sh; do
	[ $script = setup-lib.sh ] ||
		check_eq "$script: adds its sources with add_apt_source" 1 "$(grep -c '^add_apt_source ' "$SCRIPTS/$script")"
	check_eq "$script: no fixed mirror" 0 "$(grep -Ec '^URIs: [a-z]+:' "$SCRIPTS/$script" || true)"
done
finish
