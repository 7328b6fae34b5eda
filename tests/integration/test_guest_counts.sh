# The guests' instruction-count formulas, checked against QEMU's own execution trace
# (one instruction per block, every executed block logged): no plugin involved. Only for
# guests without device I/O in their loops: under -icount QEMU logs a block again when
# it re-enters it after an I/O exit, so the trace overcounts there (clock.elf's formula
# is checked through its own clock readings in test_guest_clock.sh instead).
. "$(dirname "$0")/lib.sh"

for guest in loop longblock hello; do
	for iterations in 1 7 50; do
		run_qemu "$guest" "$iterations" "" -accel tcg,one-insn-per-tb=on \
			-d nochain,exec -D "$WORK/trace"
		check_eq "$guest x$iterations powers off" 0 "$QEMU_STATUS"
		n=$(guest_insns "$guest" "$iterations")
		traced=$(grep -c '^Trace' "$WORK/trace")
		if [ "$traced" -ge "$n" ] && [ "$traced" -le $((n + 2)) ]; then
			pass "$guest x$iterations: $traced instructions traced, $n up to the power-off"
		else
			fail "$guest x$iterations: $traced instructions traced, expected $n to $((n + 2))"
		fi
	done
done
finish
