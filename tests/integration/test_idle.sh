# Idle time. The sleeping guest computes, sleeps 10 ms on the timer in wfi, computes again.
# Following the guest's clock (riscv64's time register, the default), the boundaries
# passed while idle are still delivered, one sync each, marked idle in the trace, and the
# sync count is floor(guest clock at the end / q), the same as for the busy-idle twin.
# With follow_clock=off (instruction time, as the seed's plugin) idle time is lost and
# the plugin warns once.
. "$(dirname "$0")/lib.sh"

q=1000000
iterations=1000000 # 2 ms of computing before and after the sleep
for sleep in off on; do
	for guest in sleep busyidle; do
		what="$guest sleep=$sleep"
		start_peer --quantum-ns $q
		ICOUNT=shift=0,sleep=$sleep run_qemu $guest $iterations \
			"$(pipes_args),TimeInNanoseconds=$q,trace=$WORK/trace"
		wait_peer
		check_eq "$what: QEMU exit status" 0 "$QEMU_STATUS"
		# Time zero is the guest's clock at its first instruction (0 under sleep=off).
		origin=$(plugin_clock_origin)
		[ $sleep = on ] || check_eq "$what: clock origin" 0 "$origin"
		last_ns=$((0x$(sed -n 's/^t=//p' "$WORK/uart.out" | tail -n 1) * 100 - origin))
		check_eq "$what: syncs = floor(guest clock at the end / q)" $((last_ns / q)) "$(plugin_syncs)"
		# Every sync's time agrees with the guest's clock read at that sync.
		bad=$(awk '!/^#/ && $4 != "-" && ($3 < $4 || $3 >= $4 + 100) { n++ } END { print n + 0 }' "$WORK/trace")
		check_eq "$what: syncs whose time disagrees with the guest clock" 0 "$bad"
		idle=$(grep -c ' idle$' "$WORK/trace" || true)
		if [ $guest = sleep ] && [ "$idle" -ge 9 ]; then
			pass "$what: $idle boundaries passed while idle, each synced"
		elif [ $guest = busyidle ] && [ "$idle" -eq 0 ]; then
			pass "$what: no idle boundaries"
		else
			fail "$what: $idle idle boundaries"
		fi
		if grep -q "the guest executed wfi" "$WORK/qemu.out"; then
			fail "$what: idle warning although idle time is followed"
		else
			pass "$what: no idle warning"
		fi
		[ $sleep = off ] && [ $guest = sleep ] && syncs_sleep=$(plugin_syncs)
		[ $sleep = off ] && [ $guest = busyidle ] && syncs_busy=$(plugin_syncs)
	done
done
check_eq "sleep=off: idle and busy-idle guests give the same syncs" "$syncs_sleep" "$syncs_busy"

# Instruction time only: the 10 ms of idle are lost, and the plugin says so once.
start_peer --quantum-ns $q
run_qemu sleep $iterations "$(pipes_args),TimeInNanoseconds=$q,follow_clock=off"
wait_peer
check_eq "follow_clock=off: syncs count instructions only" 4 "$(plugin_syncs)"
check_eq "follow_clock=off: one idle warning" 1 "$(grep -c 'the guest executed wfi' "$WORK/qemu.out")"
check_grep "follow_clock=off: the warning names the remedies" "idle=poll.*sleep=off" "$WORK/qemu.out"
check_grep "follow_clock=off: halt instructions counted at exit" "^timesync: exit: .*, 1 halt instructions" "$WORK/qemu.out"
start_peer --quantum-ns $q
run_qemu busyidle $iterations "$(pipes_args),TimeInNanoseconds=$q,follow_clock=off"
wait_peer
check_eq "follow_clock=off busy-idle twin: no idle warning" 0 "$(grep -c 'the guest executed wfi' "$WORK/qemu.out" || true)"
finish
