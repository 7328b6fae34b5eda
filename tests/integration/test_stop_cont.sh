# stop/cont on the monitor while the guest is halted at a boundary: QEMU takes the vCPU
# back (the plugin's wait gives way, so the monitor answers), and a plugin callback cannot
# keep the rest of the halted block from running: bounded to that block, said, counted.
# Then the participant's grant still releases the same halt: one sync, exact time.
# The guest's blocks are 62 instructions (longblock); default and exact mode.
. "$(dirname "$0")/lib.sh"

q=1000000
iterations=24000 # 62 x 24000 = 1.49 M instructions: one boundary, then power-off

for mode in default exact; do
	what="$mode mode"
	exact=off
	[ $mode = default ] || exact=on
	rm -f "$WORK/mon.in" "$WORK/mon.out" "$WORK/mon.log"
	mkfifo "$WORK/mon.in" "$WORK/mon.out"
	# The peer holds each halt 2 s; the test stops it within that time, so the halt
	# lasts as long as the test needs, whatever the machine's speed.
	start_peer --transport socket --path "$WORK/sock" --protocol 2 --quantum-ns $q --delay-us 2000000
	start_qemu longblock $iterations "transport=socket,path=$WORK/sock,protocol=2,TimeInNanoseconds=$q,exact=$exact" \
		-chardev "pipe,id=mon,path=$WORK/mon" -mon chardev=mon
	exec 7<>"$WORK/mon.out"
	cat <&7 >"$WORK/mon.log" &
	reader=$!
	wait_line "$WORK/peer.out" '^timesync-peer: connected'
	if ! grep -Eq -- '^timesync-peer: connected' "$WORK/peer.out"; then
		fail "$what: the peer never connected"
		exec 7<&-
		continue
	fi
	peer=$(child_of "$PEER_PID")
	kill -STOP "$peer"
	echo stop >"$WORK/mon.in"
	echo "info status" >"$WORK/mon.in"
	wait_line "$WORK/mon.log" 'VM status: paused'
	if grep -Eq -- 'VM status: paused' "$WORK/mon.log"; then
		pass "$what: the monitor's stop completes while the guest is halted"
	else
		fail "$what: the VM never paused"
	fi
	echo cont >"$WORK/mon.in"
	kill -CONT "$peer"
	wait_qemu
	wait_peer
	kill "$reader" 2>/dev/null || true
	exec 7<&-
	check_eq "$what: QEMU exit status" 0 "$QEMU_STATUS"
	check_eq "$what: one sync" 1 "$(plugin_syncs)"
	check_eq "$what: the participant's one sync" 1 "$(peer_syncs)"
	overrun=$(sed -n 's/^timesync: QEMU stopped the vCPU while the guest was halted at guest time [0-9]* ns: the rest of its block, \([0-9]*\) instructions, ran before the participant.s grant$/\1/p' "$WORK/qemu.out")
	if [ -n "$overrun" ] && [ "$overrun" -ge 1 ] && [ "$overrun" -le 62 ]; then
		pass "$what: the plugin says the rest of the block ran meanwhile: $overrun instructions (1..62)"
	else
		fail "$what: no message on the block run past the halt, or not 1..62 instructions: '$overrun'"
		show "$WORK/qemu.out"
	fi
	check_grep "$what: counted in the statistics" "^timesync: exit: .*, $overrun instructions run past a halt while QEMU stopped the vCPU," "$WORK/qemu.out"
	# Default mode halts at the first block start at or after the boundary (up to 61
	# instructions late in 62-instruction blocks), exact mode on it; the run-past block
	# does not count as lateness.
	late='([0-9]|[1-5][0-9]|6[01])'
	[ $mode = default ] || late=0
	check_grep "$what: the halt was on time" "^timesync: exit: .*max late $late ns" "$WORK/qemu.out"
done
finish
