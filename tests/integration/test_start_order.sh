# Either start order works with timesync-peer: peer first, or QEMU first (the plugin
# creates the FIFOs, halts at its first boundary and says it is waiting).
. "$(dirname "$0")/lib.sh"

n=$(guest_insns loop 2500200)

start_peer --quantum-us 500
wait_line "$WORK/peer.out" "^timesync-peer: waiting for QEMU"
run_qemu loop 2500200 "$(pipes_args),TimeinMicroseconds=500"
wait_peer
check_eq "peer first: QEMU exit status" 0 "$QEMU_STATUS"
check_eq "peer first: plugin syncs" $((n / 500000)) "$(plugin_syncs)"
check_eq "peer first: peer syncs" $((n / 500000)) "$(peer_syncs)"

rm -f "$H2G" "$G2H"
run_qemu loop 2500200 "$(pipes_args),TimeinMicroseconds=500" &
qemu_pid=$!
wait_line "$WORK/qemu.out" "waiting for a participant"
check_eq "QEMU first: the plugin created $H2G as a FIFO with owner-only access" "prw-------" \
	"$(stat -c %A "$H2G")"
check_eq "QEMU first: the plugin created $G2H as a FIFO with owner-only access" "prw-------" \
	"$(stat -c %A "$G2H")"
start_peer --quantum-us 500
wait "$qemu_pid" || true
wait_peer
check_grep "QEMU first: plugin said it was waiting, naming the paths" "waiting for a participant on HostToGuestPipe=$H2G and GuestToHostPipe=$G2H" "$WORK/qemu.out"
check_eq "QEMU first: plugin syncs" $((n / 500000)) "$(plugin_syncs)"
check_eq "QEMU first: peer syncs" $((n / 500000)) "$(peer_syncs)"
check_eq "QEMU first: peer exit status" 0 "$PEER_STATUS"
finish
