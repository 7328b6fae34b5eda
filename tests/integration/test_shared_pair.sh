# One FIFO pair (or socket, or shared-memory file) is one guest and one participant. A
# second QEMU started with a copied command line must not share the participant's syncs
# silently: it refuses to start, naming the path and, for FIFOs, the QEMU that has them;
# a second participant on a pair another participant holds refuses the same way. The
# first pair goes on undisturbed.
. "$(dirname "$0")/lib.sh"

q=1000000
iterations=10000000 # 20 ms: 20 syncs

# second_qemu PLUGIN_LINK: a second QEMU on the same link, while the first one runs.
second_qemu() {
	timeout -k 2 60 "${QEMU_ENV[@]}" "$QEMU_RISCV64" -M virt -bios none -display none \
		-monitor none -serial null -icount shift=0,sleep=off -kernel "$BUILD/guests/loop.elf" \
		-plugin "$PLUGIN,$1,TimeInNanoseconds=$q" </dev/null >"$WORK/second.out" 2>&1
}

# FIFOs: the pair stays where it is, the first QEMU's claim on it too.
start_peer --transport fifo --protocol 2 --quantum-ns $q --delay-us 100000
start_qemu loop $iterations "$(pipes_args),protocol=2,TimeInNanoseconds=$q"
wait_line "$WORK/peer.out" '^timesync-peer: connected'
if grep -Eq -- '^timesync-peer: connected' "$WORK/peer.out"; then
	status=0
	second_qemu "$(pipes_args),protocol=2" || status=$?
	check_eq "fifo: the second QEMU refuses to start (status 1)" 1 "$status"
	check_grep "fifo: it names the pipes and the QEMU that has them" \
		"^timesync: HostToGuestPipe=$H2G and GuestToHostPipe=$G2H: in use by another QEMU, process $(child_of "$QEMU_PID") \(qemu-system-ris" "$WORK/second.out"
else
	fail "fifo: the first pair never connected"
fi
wait_qemu
wait_peer
check_eq "fifo: the first QEMU runs to its end" 0 "$QEMU_STATUS"
check_eq "fifo: the first pair's syncs" 20 "$(peer_syncs)"

# A socket path is claimed like a FIFO pair. A shared-memory file is the first QEMU's
# until its participant comes (a second QEMU is refused), then the file goes and a second
# QEMU waits for a participant of its own (here until connect_timeout): it never shares
# the first one's.
for transport in socket shm; do
	link="transport=$transport,path=$WORK/link"
	where="transport=$transport path=$WORK/link"
	start_qemu loop $iterations "$link,protocol=2,TimeInNanoseconds=$q"
	wait_line "$WORK/qemu.out" "^timesync: guest halted at its first boundary; waiting for a participant"
	# Only now is QEMU surely started under its timeout (right after start_qemu it may not be).
	refusal="^timesync: $where: in use by another QEMU, process $(child_of "$QEMU_PID") \(qemu-system-ris"
	[ $transport = socket ] || refusal="^timesync: $where: in use by another QEMU that is running"
	if grep -Eq -- "^timesync: guest halted at its first boundary; waiting for a participant" "$WORK/qemu.out"; then
		status=0
		second_qemu "$link,protocol=2" || status=$?
		check_eq "$transport: before the participant, a second QEMU refuses (status 1)" 1 "$status"
		check_grep "$transport: it names the path (and the QEMU that has it)" "$refusal" "$WORK/second.out"
	else
		fail "$transport: the first QEMU never waited for its participant"
	fi
	start_peer --transport $transport --path "$WORK/link" --protocol 2 --quantum-ns $q --delay-us 100000
	wait_line "$WORK/peer.out" '^timesync-peer: connected'
	if ! grep -Eq -- '^timesync-peer: connected' "$WORK/peer.out"; then
		fail "$transport: the first pair never connected"
		show "$WORK/peer.out" "$WORK/qemu.out"
	elif [ $transport = socket ]; then
		status=0
		second_qemu "$link,protocol=2" || status=$?
		check_eq "$transport: with the participant there, a second QEMU refuses (status 1)" 1 "$status"
		check_grep "$transport: it names the path and the QEMU that has it" "$refusal" "$WORK/second.out"
	else
		status=0
		second_qemu "$link,protocol=2,connect_timeout=2" || status=$?
		check_eq "$transport: with the participant there, a second QEMU waits for its own (status 1 at connect_timeout)" 1 "$status"
		check_grep "$transport: and says so" "^timesync: no participant came on $where within connect_timeout" "$WORK/second.out"
	fi
	wait_qemu
	wait_peer
	check_eq "$transport: the first QEMU runs to its end" 0 "$QEMU_STATUS"
	check_eq "$transport: the first pair's syncs" 20 "$(peer_syncs)"
done

# A second participant on a FIFO pair or socket path that a participant holds.
for transport in fifo socket; do
	if [ $transport = fifo ]; then
		peer_link=(--transport fifo)
		plugin_link=$(pipes_args)
		named="$H2G and $G2H"
	else
		peer_link=(--transport socket --path "$WORK/link")
		plugin_link="transport=socket,path=$WORK/link"
		named="$WORK/link"
	fi
	start_peer "${peer_link[@]}" --protocol 1 --quantum-ns $q
	wait_line "$WORK/peer.out" '^timesync-peer: waiting for QEMU'
	if ! grep -Eq -- '^timesync-peer: waiting for QEMU' "$WORK/peer.out"; then
		fail "$transport, second participant: the first never started"
		continue
	fi
	status=0
	timeout -k 2 30 "$PEER" --host-to-guest "$H2G" --guest-to-host "$G2H" "${peer_link[@]}" \
		--quantum-ns $q </dev/null >"$WORK/peer2.out" 2>&1 || status=$?
	check_eq "$transport, second participant: refuses (status 1)" 1 "$status"
	check_grep "$transport, second participant: names the link and the participant that has it" \
		"^timesync-peer: $named: in use by another participant, process $(child_of "$PEER_PID") \(timesync-peer\)" "$WORK/peer2.out"
	run_qemu loop $iterations "$plugin_link,TimeInNanoseconds=$q"
	wait_peer
	check_eq "$transport, second participant: the first one still syncs with QEMU" 20 "$(peer_syncs)"
done
finish
