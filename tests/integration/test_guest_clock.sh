# The guest's own clock (rdtime, 10 MHz) agrees with instruction time under
# -icount shift=0, 1 and 3 (one instruction = 2^shift ns) to the tick, and at every sync
# the guest's clock, the plugin's time and the instruction count agree.
. "$(dirname "$0")/lib.sh"

readings=12
# Reading j comes after 17 + 50129 j instructions (guests/README.md: counted from the
# source; it includes the rdtime itself, as QEMU charges a block's instructions on entry).
for j in $(seq 0 $((readings - 1))); do echo $((17 + 50129 * j)); done >"$WORK/read_insns"

for shift in 0 1 3; do
	for exact in off on; do
		what="shift=$shift exact=$exact"
		q=$((10000 + 1000 * shift + 7))
		start_peer --quantum-ns $q
		ICOUNT=shift=$shift,sleep=off run_qemu clock $readings \
			"$(pipes_args),TimeInNanoseconds=$q,exact=$exact,trace=$WORK/trace"
		wait_peer
		check_eq "$what: QEMU exit status" 0 "$QEMU_STATUS"
		# The guest's readings, in 100 ns ticks, are its instruction time truncated.
		expected=$(awk -v s=$shift '{ printf "%016x\n", int($1 * 2^s / 100) }' "$WORK/read_insns")
		check_eq "$what: guest clock readings = instructions x 2^shift ns" "$expected" \
			"$(sed -n 's/^t=//p' "$WORK/uart.out")"
		# At each sync: plugin time within one tick (100 ns) of the guest clock, and in
		# exact mode on the first instruction at or after the boundary (less than one
		# instruction, 2^shift ns, late; default mode: at most a block late).
		bad=$(awk -v exact=$exact -v insn_ns=$((1 << shift)) '!/^#/ && $4 != "-" {
			if ($3 < $4 || $3 >= $4 + 100) bad++
			if (exact == "on" && $3 - $2 >= insn_ns) bad++ }
			END { print bad + 0 }' "$WORK/trace")
		check_eq "$what: syncs where plugin time and guest clock disagree" 0 "$bad"
		checked=$(awk '!/^#/ && $4 != "-"' "$WORK/trace" | wc -l)
		if [ "$checked" -ge 5 ]; then
			pass "$what: $checked syncs compared with the guest clock"
		else
			fail "$what: only $checked syncs had a clock reading"
		fi
		n=$(guest_insns clock $readings)
		check_eq "$what: syncs = floor(N x 2^shift / q)" $(((n << shift) / q)) "$(plugin_syncs)"
	done
done
finish
