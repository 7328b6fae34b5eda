# A participant that stops answering (here: SIGSTOPped after it connected) must not hang
# QEMU: after 10 s of waiting QEMU says it still waits (with the guest time), and
# sync_timeout=SECONDS ends the wait with a message naming the transport, GOODBYE to the
# participant (protocol 2) and exit status 1. FIFOs with protocol 1, a socket with 2.
. "$(dirname "$0")/lib.sh"

timeout_s=11
hang() { # WHAT PROTOCOL PLUGIN_LINK PEER_LINK...
	local what=$1 protocol=$2 plugin_link=$3 where
	shift 3
	where=$(sed 's/,/ and /' <<<"$plugin_link" | sed 's/^transport=socket and path=/transport=socket path=/')
	PEER_TIMEOUT=60 start_peer "$@" --protocol "$protocol" --quantum-us 1000
	QEMU_TIMEOUT=60 start_qemu loop 100000000 "$plugin_link,protocol=$protocol,TimeInMicroseconds=1000,sync_timeout=$timeout_s"
	wait_line "$WORK/peer.out" '^timesync-peer: connected'
	if ! grep -Eq -- '^timesync-peer: connected' "$WORK/peer.out"; then
		fail "$what: the peer never connected"
		show "$WORK/peer.out" "$WORK/qemu.out"
		return
	fi
	local peer
	peer=$(child_of "$PEER_PID")
	kill -STOP "$peer"
	wait_qemu
	kill -CONT "$peer"
	wait_peer
	check_eq "$what: QEMU exit status" 1 "$QEMU_STATUS"
	check_grep "$what: QEMU says it still waits after 10 s, with the guest time" \
		"^timesync: still waiting for the participant on $where to answer the halt at guest time [0-9]+ ns \(10 s so far\)" "$WORK/qemu.out"
	check_grep "$what: sync_timeout ends the wait, naming the transport" \
		"^timesync: the participant on $where did not answer the halt at guest time [0-9]+ ns within sync_timeout=$timeout_s s" "$WORK/qemu.out"
	check_grep "$what: QEMU says it stops" "^timesync: stopping QEMU" "$WORK/qemu.out"
}

hang "fifo, protocol 1" 1 "HostToGuestPipe=$H2G,GuestToHostPipe=$G2H" --transport fifo
check_grep "fifo, protocol 1: the participant sees QEMU gone" "^timesync-peer: .*syncs" "$WORK/peer.out"
hang "socket, protocol 2" 2 "transport=socket,path=$WORK/sock" --transport socket --path "$WORK/sock"
check_grep "socket, protocol 2: the participant gets GOODBYE with the reason" \
	"QEMU said goodbye \(.*no answer within sync_timeout=$timeout_s s\)" "$WORK/peer.out"

# The option's bad values are refused (as every option's, in the unit tests).
run_qemu loop 1000 "$(pipes_args),TimeInMicroseconds=1000,sync_timeout=soon"
refused "sync_timeout=soon" "sync_timeout=soon: expected a whole number"
finish
