# The guest's clock restarts (the guest reboots: system_reset through the virt test device;
# the same as system_reset on the monitor or loadvm): synchronized time never runs back.
# The plugin says so, guest time goes on (syncs = floor(instructions / q) over the whole
# run, none lost, none early), the first HALT after it carries TS_HALT_CLOCK_RESET
# (protocol 2), and the guest's clock is followed again afterwards.
. "$(dirname "$0")/lib.sh"

q=1000000
iterations=5000000 # 10 ms per boot
for protocol in 1 2; do
	what="protocol $protocol"
	start_peer --protocol $protocol --quantum-ns $q --print-every 1
	run_qemu reboot $iterations "$(pipes_args),protocol=$protocol,TimeInNanoseconds=$q,trace=$WORK/trace"
	wait_peer
	check_eq "$what: QEMU exit status" 0 "$QEMU_STATUS"
	check_grep "$what: the plugin says the guest's clock went back" \
		"^timesync: the guest's clock went back by [0-9]+ ns at guest time [0-9]+ ns \(system_reset, a reboot or loadvm\)" "$WORK/qemu.out"
	check_grep "$what: one clock reset in the statistics" "^timesync: exit: .*, 1 clock resets," "$WORK/qemu.out"
	insns=$(plugin_insns)
	check_eq "$what: syncs = floor(instructions / q) over both boots" $((insns / q)) "$(plugin_syncs)"
	check_eq "$what: the participant counted them all" $((insns / q)) "$(peer_syncs)"
	# Guest time in the trace (3rd column) never goes back.
	check_eq "$what: guest time never goes back" "" \
		"$(awk '!/^#/ { if ($3 < last) print "sync " $1 ": " $3 " < " last; last = $3 }' "$WORK/trace")"
done
check_grep "protocol 2: the halt after the reset is flagged" "\(the guest's clock went back\)" "$WORK/peer.out"
finish
