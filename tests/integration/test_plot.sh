# scripts/plot-trace.sh draws a real timesync-peer trace as a PNG of the asked size, and
# refuses a trace without syncs.
. "$(dirname "$0")/lib.sh"

PLOT="$(dirname "$0")/../../scripts/plot-trace.sh"
q=100000
link_args socket
start_peer "${peer_link[@]}" --protocol 2 --trace "$WORK/trace"
run_qemu loop 10000000 "$plugin_link,protocol=2,TimeInNanoseconds=$q"
wait_peer
check_eq "QEMU exit status" 0 "$QEMU_STATUS"
check_eq "peer exit status" 0 "$PEER_STATUS"
check_eq "trace lines: a header and one per sync" $((1 + $(guest_insns loop 10000000) / q)) \
	"$(wc -l <"$WORK/trace")"

# png_header FILE: the PNG signature, then width and height from the IHDR chunk.
png_header() {
	od -An -tx1 -N8 "$1" | tr -d ' \n'
	echo " $(od -An -tu4 --endian=big -j16 -N8 "$1" | xargs)"
}
status=0
PLOT_SIZE=640x480 bash "$PLOT" "$WORK/trace" "$WORK/trace.png" >"$WORK/plot.out" 2>&1 || status=$?
check_eq "plot-trace.sh exit status" 0 "$status"
[ "$status" -eq 0 ] || show "$WORK/plot.out"
check_eq "a 640x480 PNG" "89504e470d0a1a0a 640 480" "$(png_header "$WORK/trace.png" 2>&1)"

grep '^#' "$WORK/trace" >"$WORK/empty"
status=0
bash "$PLOT" "$WORK/empty" "$WORK/empty.png" >"$WORK/plot.out" 2>&1 || status=$?
check_eq "a trace without syncs: exit status" 1 "$status"
check_grep "a trace without syncs: says so" "has no syncs" "$WORK/plot.out"
[ ! -e "$WORK/empty.png" ] || fail "a trace without syncs left $WORK/empty.png"
finish
