# The guest powering off ends the run: the peer sees QEMU close the pipe, prints its
# summary and exits 0; the guest's UART output is complete.
. "$(dirname "$0")/lib.sh"

n=$(guest_insns hello 2000000)
start_peer --quantum-us 1000 --delay-us 100
run_qemu hello 2000000 "$(pipes_args),TimeinMicroseconds=1000,stats=$WORK/stats.json"
wait_peer
check_eq "QEMU exit status" 0 "$QEMU_STATUS"
# guest_ns follows the guest's clock: N instructions, give or take the clock's 100 ns.
check_eq "exit statistics as JSON: syncs, guest time near N ns" "$((n / 1000000)) True" \
	"$(python3 -c 'import json, sys; s = json.load(open(sys.argv[1])); n = int(sys.argv[2]); print(s["syncs"], n - 100 <= s["guest_ns"] <= n + 200)' "$WORK/stats.json" "$n" 2>&1)"
check_grep "exit line: mean, p99 and max wait, total halted" "^timesync: exit: .* waited for participant mean [0-9]+ ns p99 [0-9]+ ns max [0-9]+ ns total [0-9]+ ns" "$WORK/qemu.out"
check_eq "peer exit status" 0 "$PEER_STATUS"
check_grep "peer summary" "^timesync-peer: QEMU closed the connection: $((n / 1000000)) syncs, guest time 0\.00$((n / 1000000))000000 s, QEMU waited mean [0-9.]+ us, max [0-9.]+ us" "$WORK/peer.out"
check_grep "guest greeting over the UART" "^guest: hello from riscv64, running in lockstep" "$WORK/uart.out"
check_grep "guest farewell over the UART" "^guest: done, powering off" "$WORK/uart.out"

# A step limit: the peer answers 2 syncs, then closes; QEMU stops with a message.
start_peer --quantum-us 1000 --steps 2
run_qemu hello 2000000 "$(pipes_args),TimeinMicroseconds=1000"
wait_peer
check_eq "step limit: peer exit status" 0 "$PEER_STATUS"
check_grep "step limit: peer summary" "^timesync-peer: step limit reached, closing the pipes: 2 syncs" "$WORK/peer.out"
check_qemu_failed "step limit"
check_grep "step limit: QEMU says the participant went away" "^timesync: the participant closed HostToGuestPipe=$WORK/h2g and GuestToHostPipe=$WORK/g2h$" "$WORK/qemu.out"
check_grep "step limit: QEMU says it stops" "^timesync: stopping QEMU$" "$WORK/qemu.out"
check_grep "step limit: QEMU says where it stopped" "^timesync: exit: 2 syncs, guest time [0-9]+ ns" "$WORK/qemu.out"
finish
