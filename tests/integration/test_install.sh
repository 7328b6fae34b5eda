# `meson install` (into a DESTDIR) gives a usable libtimesync: examples/participant.c builds
# against the installed headers with the installed timesync.pc, linked to the shared and
# to the static library, and runs against real QEMU with the installed plugin; the man
# pages are installed, render, and name every option of timesync-peer and of the plugin.
. "$(dirname "$0")/lib.sh"

SOURCE="$(dirname "$0")/../.."
ROOT="$WORK/root"
status=0
meson install -C "$BUILD" --destdir "$ROOT" --no-rebuild --quiet >"$WORK/install.out" 2>&1 || status=$?
check_eq "meson install exit status (run meson compile first)" 0 "$status"
[ "$status" -eq 0 ] || { show "$WORK/install.out"; finish; }

# The build's directories and sanitizer, from meson: opt_prefix, opt_libdir, ...
eval "$(meson introspect --buildoptions "$BUILD" | python3 -c '
import json, shlex, sys
for o in json.load(sys.stdin):
    if o["name"] in ("prefix", "bindir", "libdir", "includedir", "mandir", "b_sanitize"):
        print("opt_%s=%s" % (o["name"], shlex.quote(str(o["value"]))))')"
libdir="$ROOT$opt_prefix/$opt_libdir"
mandir="$ROOT$opt_prefix/$opt_mandir"
for file in "$opt_includedir/timesync.h" "$opt_includedir/timesync_proto.h" \
	"$opt_bindir/timesync-peer" "$opt_libdir/libtimesync.so" "$opt_libdir/libtimesync.a" \
	"$opt_libdir/pkgconfig/timesync.pc" "$opt_libdir/qemu-timesync/libTimeSyncPlugin.so"; do
	if [ -e "$ROOT$opt_prefix/$file" ]; then pass "installed: $file"; else fail "not installed: $file"; fi
done

# Compile and link the way a user would, against the installed copy only.
export PKG_CONFIG_PATH="$libdir/pkgconfig" PKG_CONFIG_SYSROOT_DIR="$ROOT"
cflags=(-std=c11 -Wall -Wextra -Werror)
[ "$opt_b_sanitize" = none ] || cflags+=("-fsanitize=$opt_b_sanitize")
# shellcheck disable=SC2046 # pkg-config's output is meant to be split
cc "${cflags[@]}" -o "$WORK/participant" "$SOURCE/examples/participant.c" \
	$(pkg-config --cflags --libs timesync) >"$WORK/cc.out" 2>&1 && status=0 || status=$?
check_eq "participant.c builds with pkg-config --cflags --libs timesync" 0 "$status"
# shellcheck disable=SC2046
cc "${cflags[@]}" -o "$WORK/participant-static" "$SOURCE/examples/participant.c" \
	$(pkg-config --cflags timesync) "$(pkg-config --variable=libdir timesync)/libtimesync.a" \
	>>"$WORK/cc.out" 2>&1 && status=0 || status=$?
check_eq "participant.c builds with the static libtimesync.a" 0 "$status"
[ -s "$WORK/cc.out" ] && show "$WORK/cc.out"
export LD_LIBRARY_PATH="$libdir"
ldd "$WORK/participant" >"$WORK/ldd.out" 2>&1 || true
check_grep "the shared build uses the installed libtimesync.so" "libtimesync\.so\.0 => $libdir/" \
	"$WORK/ldd.out"
if ldd "$WORK/participant-static" | grep -q libtimesync; then
	fail "the static build still needs libtimesync.so"
else
	pass "the static build needs no libtimesync.so"
fi

# Both against real QEMU with the installed plugin.
PLUGIN="$libdir/qemu-timesync/libTimeSyncPlugin.so"
iterations=1000000 # 2000014 instructions
q=100000
n=$(guest_insns loop $iterations)
for run in "participant socket" "participant-static fifo"; do
	read -r program transport <<<"$run"
	link_args "$transport"
	timeout -k 2 60 "$WORK/$program" "$transport" "${link_paths[@]}" >"$WORK/participant.out" 2>&1 &
	participant_pid=$!
	run_qemu loop $iterations "$plugin_link,protocol=2,TimeInNanoseconds=$q"
	status=0
	wait "$participant_pid" || status=$?
	check_eq "$program over $transport: QEMU exit status" 0 "$QEMU_STATUS"
	check_eq "$program over $transport: exit status" 0 "$status"
	check_grep "$program over $transport: floor(N/q) syncs, the guest powered off" \
		"^participant: $((n / q)) syncs, last halt at guest time $((n / q * q)) ns, QEMU said goodbye: QEMU exits at guest time" \
		"$WORK/participant.out"
	check_eq "$program over $transport: plugin syncs" $((n / q)) "$(plugin_syncs)"
done

# The man pages render without warnings, and name every option there is.
"$ROOT$opt_prefix/$opt_bindir/timesync-peer" --help | grep -o -- '--[a-z-]*' | sort -u \
	>"$WORK/peer-options"
run_qemu loop 1 "$(pipes_args),TimeInNanoseconds=$q,no_such_option=1"
sed -n 's/.*(known: \(.*\)).*/\1/p' "$WORK/qemu.out" | tr -d ' ' | tr ',' '\n' >"$WORK/plugin-options"
check_eq "QEMU listed the plugin's options" yes "$([ -s "$WORK/plugin-options" ] && echo yes)"
for page in man1/timesync-peer.1:peer-options man7/libTimeSyncPlugin.7:plugin-options; do
	file="$mandir/${page%%:*}"
	if [ ! -f "$file" ]; then
		fail "not installed: $file"
		continue
	fi
	if command -v man >/dev/null; then
		MANWIDTH=80 MANPAGER=cat man -l "$file" >"$WORK/page.txt" 2>"$WORK/page.err" || true
	else
		groff -man -Tutf8 "$file" >"$WORK/page.txt" 2>"$WORK/page.err" || true
	fi
	groff -man -ww -z "$file" >>"$WORK/page.err" 2>&1 || echo "groff failed" >>"$WORK/page.err"
	check_eq "${page%%:*}: renders without warnings" "" "$(cat "$WORK/page.err")"
	check_grep "${page%%:*}: has a NAME section" "^NAME" "$WORK/page.txt"
	missing=$(while read -r option; do
		grep -qiF -- "$option" "$WORK/page.txt" || echo "$option"
	done <"$WORK/${page##*:}" | xargs)
	check_eq "${page%%:*}: options it does not describe" "" "$missing"
done
finish
