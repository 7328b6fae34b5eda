# Every transport (fifo, socket, shm) with both protocols against real QEMU: floor(N/q)
# syncs, a normal end on both sides; protocol 2 says goodbye with the reason.
. "$(dirname "$0")/lib.sh"

iterations=1000040 # N = 2000094 instructions
q=100000
n=$(guest_insns loop $iterations)
for transport in fifo socket shm; do
	for protocol in 1 2; do
		what="$transport protocol $protocol"
		link_args $transport
		start_peer "${peer_link[@]}" --protocol $protocol --quantum-ns $q
		run_qemu loop $iterations "$plugin_link,protocol=$protocol,TimeInNanoseconds=$q"
		wait_peer
		check_eq "$what: QEMU exit status" 0 "$QEMU_STATUS"
		check_eq "$what: peer exit status" 0 "$PEER_STATUS"
		check_eq "$what: plugin syncs" $((n / q)) "$(plugin_syncs)"
		check_eq "$what: peer syncs" $((n / q)) "$(peer_syncs)"
		if [ $protocol = 2 ]; then
			check_grep "$what: the peer was told the guest powered off" \
				"^timesync-peer: QEMU said goodbye \(guest powered off: QEMU exits at guest time [0-9]+ ns\): $((n / q)) syncs, guest time 0\.00$((n / q))" \
				"$WORK/peer.out"
		fi
		[ $transport = fifo ] || [ ! -e "$WORK/link" ] || fail "$what: $WORK/link left behind"
	done
done

# The peer's step limit in protocol 2 ends QEMU cleanly (GOODBYE "done": exit 0).
link_args socket
start_peer "${peer_link[@]}" --protocol 2 --steps 3
run_qemu loop $iterations "$plugin_link,protocol=2,TimeInNanoseconds=$q"
wait_peer
check_eq "protocol 2 step limit: QEMU exit status" 0 "$QEMU_STATUS"
check_grep "protocol 2 step limit: QEMU names the reason" "^timesync: the participant said goodbye \(participant done: step limit reached\)" "$WORK/qemu.out"
check_eq "protocol 2 step limit: peer exit status" 0 "$PEER_STATUS"
finish
