# exact=on halts the guest on exactly the k*q-th instruction; the default mode halts at
# the first block start at or after it (62-instruction blocks: up to 61 late), and both
# give floor(N/q) syncs.
. "$(dirname "$0")/lib.sh"

iterations=1601
n=$(guest_insns longblock $iterations)
for q in 1000 97; do
	for exact in on off; do
		start_peer --quantum-ns $q
		run_qemu longblock $iterations \
			"$(pipes_args),TimeInNanoseconds=$q,exact=$exact,trace=$WORK/trace"
		wait_peer
		what="q=$q exact=$exact"
		check_eq "$what: QEMU exit status" 0 "$QEMU_STATUS"
		check_eq "$what: syncs" $((n / q)) "$(plugin_syncs)"
		late=$(awk '!/^#/ { d = $3 - $2; if (d > m) m = d } END { print m + 0 }' "$WORK/trace")
		if [ $exact = on ]; then
			check_eq "$what: largest lateness of a halt (ns)" 0 "$late"
		elif [ "$late" -gt 0 ] && [ "$late" -lt 62 ]; then
			pass "$what: halts at most a block late ($late ns)"
		else
			fail "$what: lateness $late ns, expected 1..61"
		fi
	done
done
finish
