# With -smp 2 and 4 the quantum is guest time, and guest time is the sum of all vCPUs'
# instructions (under -icount they run in turn): the syncs follow the guest's clock, not
# one vCPU's count.
. "$(dirname "$0")/lib.sh"

q=10000
for harts in 1 2 4; do
	for exact in off on; do
		what="-smp $harts exact=$exact"
		start_peer --quantum-ns $q
		run_qemu smp 100000 \
			"$(pipes_args),TimeInNanoseconds=$q,exact=$exact" -smp $harts \
			-device loader,addr=0x80001008,data=$harts,data-len=8
		wait_peer
		check_eq "$what: QEMU exit status" 0 "$QEMU_STATUS"
		# Hart 0 reads its clock just before powering off (under 200 instructions later; the
		# other harts halt in wfi once done).
		clock_ns=$((0x$(sed -n 's/^t=//p' "$WORK/uart.out") * 100))
		syncs=$(plugin_syncs)
		if [ "$clock_ns" -gt 0 ] && [ "$syncs" -ge $((clock_ns / q)) ] &&
			[ "$syncs" -le $(((clock_ns + 200) / q)) ]; then
			pass "$what: $syncs syncs for a guest clock of $clock_ns ns"
		else
			fail "$what: $syncs syncs, expected floor($clock_ns / $q) = $((clock_ns / q))"
		fi
		check_eq "$what: peer syncs" "$syncs" "$(peer_syncs)"
	done
done
finish
