# Faults: a participant killed while the guest runs or while it is halted, QEMU killed,
# QEMU asked to quit while halted (monitor quit, SIGTERM, SIGINT), a participant that
# never comes. Never a hang: every end within a second, with a message.
. "$(dirname "$0")/lib.sh"

ROGUE="$BUILD/tests/rogue_peer"
q=1000000
for transport in fifo socket shm; do
	link_args $transport
	# Killed while halted: the peer holds the guest 30 s at every sync; it prints the
	# first sync before it holds it.
	start_peer "${peer_link[@]}" --quantum-ns $q --delay-us 30000000 --print-every 1
	start_qemu loop 100000000 "$plugin_link,TimeInNanoseconds=$q"
	wait_line "$WORK/peer.out" "^sync 1: "
	kill -9 "$(child_of "$PEER_PID")"
	took=$(wait_gone "$QEMU_PID" 3000)
	wait_qemu
	within "$transport: participant killed while the guest is halted: QEMU ends" "$took" 1000 "$WORK/qemu.out" "$WORK/peer.out"
	check_eq "$transport: ... with an error status" 1 "$QEMU_STATUS"
	check_grep "$transport: ... saying why" "^timesync: the participant closed" "$WORK/qemu.out"
	wait_peer

	# Killed while the guest runs: 50 ms of guest time per quantum, peer answers at once.
	start_peer "${peer_link[@]}" --quantum-ns 50000000 --print-every 1
	start_qemu loop 2000000000 "$plugin_link,TimeInNanoseconds=50000000"
	wait_line "$WORK/peer.out" "^sync 1: "
	kill -9 "$(child_of "$PEER_PID")"
	took=$(wait_gone "$QEMU_PID" 3000)
	wait_qemu
	within "$transport: participant killed while the guest runs: QEMU ends" "$took" 1000 "$WORK/qemu.out" "$WORK/peer.out"
	check_eq "$transport: ... with an error status" 1 "$QEMU_STATUS"
	wait_peer

	# QEMU killed: the peer (protocol 2) reports it and returns.
	start_peer "${peer_link[@]}" --protocol 2
	start_qemu loop 2000000000 "$plugin_link,protocol=2,TimeInNanoseconds=$q"
	wait_line "$WORK/peer.out" "^timesync-peer: connected$"
	kill -9 "$(child_of "$QEMU_PID")"
	took=$(wait_gone "$PEER_PID" 3000)
	wait_peer
	within "$transport: QEMU killed: the peer returns" "$took" 1000 "$WORK/qemu.out" "$WORK/peer.out"
	check_eq "$transport: ... with an error status" 1 "$PEER_STATUS"
	check_grep "$transport: ... saying why" "^timesync-peer: QEMU went away without a goodbye \(killed or crashed\)" "$WORK/peer.out"
	wait_qemu
done

# participant_lost=run: the guest runs on to its end, unsynchronized.
link_args socket
start_peer "${peer_link[@]}" --quantum-ns $q --delay-us 30000000
start_qemu loop 5000000 "$plugin_link,TimeInNanoseconds=$q,participant_lost=run"
wait_line "$WORK/peer.out" "^timesync-peer: connected$"
kill -9 "$(child_of "$PEER_PID")"
wait_qemu
wait_peer
check_eq "participant_lost=run: the guest ran to its end" 0 "$QEMU_STATUS"
check_grep "participant_lost=run: QEMU says so" "^timesync: the guest runs on without synchronization" "$WORK/qemu.out"

# Asked to quit while halted: the participant holds the guest and never answers.
for how in monitor SIGTERM SIGINT; do
	for protocol in 1 2; do
		what="$how while halted, protocol $protocol"
		link_args socket
		timeout -k 2 30 "$ROGUE" participant socket "${link_paths[@]}" hold$protocol >"$WORK/rogue.out" 2>&1 &
		rogue=$!
		rm -f "$WORK/mon.in" "$WORK/mon.out"
		mkfifo "$WORK/mon.in" "$WORK/mon.out"
		start_qemu loop 100000000 "$plugin_link,protocol=$protocol,TimeInNanoseconds=$q" \
			-chardev "pipe,id=mon,path=$WORK/mon" -mon chardev=mon
		exec 7<>"$WORK/mon.out" # keep QEMU's monitor output flowing
		# The guest's first halt has come (protocol 1: its byte; 2: a HALT record).
		wait_line "$WORK/rogue.out" "^rogue_peer: got (a byte|HALT)"
		case $how in
		monitor) echo quit >"$WORK/mon.in" ;;
		*) kill -s ${how#SIG} "$(child_of "$QEMU_PID")" ;;
		esac
		took=$(wait_gone "$QEMU_PID" 3000)
		wait_qemu
		exec 7<&-
		within "$what: QEMU exits" "$took" 1000 "$WORK/qemu.out" "$WORK/peer.out"
		wait $rogue || true
		if [ $protocol = 2 ]; then
			check_grep "$what: the participant is told" "^rogue_peer: got GOODBYE \(QEMU is quitting: QEMU exits at guest time [0-9]+ ns\)" "$WORK/rogue.out"
		else
			check_grep "$what: the participant sees the end" "^rogue_peer: then: the other end closed the connection" "$WORK/rogue.out"
		fi
	done
done

# The participant never comes: QEMU says what it waits for; connect_timeout ends the wait.
start_qemu loop 100000000 "$(pipes_args),TimeInNanoseconds=$q,connect_timeout=2"
took=$(wait_gone "$QEMU_PID" 6000)
wait_qemu
check_grep "no participant: QEMU says what it waits for" "^timesync: guest halted at its first boundary; waiting for a participant on HostToGuestPipe=$H2G and GuestToHostPipe=$G2H" "$WORK/qemu.out"
check_grep "no participant: connect_timeout ends the wait" "^timesync: no participant came on HostToGuestPipe=$H2G and GuestToHostPipe=$G2H within connect_timeout" "$WORK/qemu.out"
check_eq "no participant: error status" 1 "$QEMU_STATUS"
within "no participant: QEMU ends after connect_timeout=2" "$took" 3500
finish
