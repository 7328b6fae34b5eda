# timesync-conductor: three riscv64 QEMUs and ns-3 in conservative lockstep. Every member
# stands at the same guest time at every grant (exact=on: to the instruction), a guest
# that powers off leaves and the others go on, ns-3 ends at the last guest's end. A QEMU
# killed mid-run stops everyone with a message naming it (or, --on-crash continue, the
# others run to their end); two sleeping guests cross their idle time in one grant with
# lookahead, one step at a time without; a member that holds a halt past --sync-timeout is taken for
# hung; a member that never joins ends the start after --join-timeout; a bad
# configuration is refused naming its line.
. "$(dirname "$0")/lib.sh"

CONDUCTOR="$BUILD/tools/timesync-conductor"
NS3="$BUILD/examples/ns3/ns3-participant"
q_us=300
q=$((q_us * 1000))

# ecu N READINGS TRANSPORT [GUEST]: QEMU N (the clock guest, READINGS x 50129 + 16
# instructions; or GUEST with READINGS as its parameter) on $WORK/ecuN, in the background
# ($ecuN_pid: its timeout's); output in $WORK/qN.out.
ecu() {
	timeout -k 2 60 "${QEMU_ENV[@]}" "$QEMU_RISCV64" -M virt -bios none -display none \
		-monitor none -serial "file:$WORK/uart$1.out" -icount shift=0,sleep=off \
		-kernel "$BUILD/guests/${4:-clock}.elf" -device "loader,addr=0x80001000,data=$2,data-len=8" \
		-plugin "$PLUGIN,transport=$3,path=$WORK/ecu$1,protocol=2,TimeInMicroseconds=$q_us,exact=on" \
		</dev/null >"$WORK/q$1.out" 2>&1 &
	eval "ecu$1_pid=$!"
}
# conductor [OPTIONS...]: the conductor on $WORK/conf in the background ($cond_pid).
conductor() {
	rm -f "$WORK/grants"
	timeout -k 2 60 "$CONDUCTOR" --grants "$WORK/grants" "$@" "$WORK/conf" \
		>"$WORK/cond.out" 2>"$WORK/cond.err" &
	cond_pid=$!
}

# --- Three QEMUs (socket, shm, socket) and ns-3, to the end -------------------------
if [ -x "$NS3" ]; then
	{
		echo "# three ECUs and a network"
		echo "member ecu1 qemu socket $WORK/ecu1"
		echo "member ecu2 qemu shm $WORK/ecu2"
		echo "member ecu3 qemu socket $WORK/ecu3   # the longest"
		echo "member net participant socket $WORK/net $q_us"
	} >"$WORK/conf"
	ecu 1 100 socket
	ecu 2 200 shm
	ecu 3 300 socket
	conductor
	ns3_status=0
	timeout -k 2 60 "$NS3" --transport=socket --path="$WORK/net" --period-us=1000 \
		>"$WORK/ns3.out" 2>"$WORK/ns3.err" || ns3_status=$?
	check_exit "lockstep: conductor exit status" 0 $cond_pid || show "$WORK/cond.err"
	check_exit "lockstep: QEMU 1 exit status" 0 "$ecu1_pid"
	check_exit "lockstep: QEMU 2 exit status" 0 "$ecu2_pid"
	check_exit "lockstep: QEMU 3 exit status" 0 "$ecu3_pid"
	check_eq "lockstep: ns-3 exit status" 0 "$ns3_status" || show "$WORK/ns3.err"
	check_grep "lockstep: ns-3 saw no mismatch" '^ns3-participant: .* 0 mismatches' "$WORK/ns3.out"
	# The clock guest's power-off store after 50129 x readings + 16 instructions; QEMU may
	# run 2 more before it acts on it: the guest's end is the plugin's.
	end1=$(guest_end 1) end2=$(guest_end 2) end3=$(guest_end 3)
	check_eq "lockstep: grants = floor(longest guest / q)" $((end3 / q)) "$(grants)"
	check_grants_lockstep lockstep $q
	check_eq "lockstep: grants with all four members" $((end1 / q)) "$(awk 'NF == 10' "$WORK/grants" | wc -l)"
	check_eq "lockstep: grants with ecu2, ecu3 and ns-3" $((end2 / q - end1 / q)) \
		"$(grep -c '^grant [0-9]* at [0-9]* until [0-9]* ecu2=[0-9]* ecu3=[0-9]* net=[0-9]*$' "$WORK/grants")"
	check_grep "lockstep: ecu1 leaves at its power-off, the others go on" \
		"^timesync-conductor: member 'ecu1' \(qemu, socket $WORK/ecu1\) left at guest time $end1 ns \(guest powered off\); the others go on" "$WORK/cond.err"
	check_eq "lockstep: ns-3 ran to the last guest's end" "$end3" \
		"$(sed -n 's/^ns3-participant: .* ns-3 time \([0-9]*\) ns.*/\1/p' "$WORK/ns3.out")"
	check_eq "lockstep: statistics: ecu2's syncs" $((end2 / q)) "$(member_stat ecu2 4)"
	check_eq "lockstep: statistics: ecu3's guest time" "$end3" "$(member_stat ecu3 5)"
	check_eq "lockstep: statistics: net's syncs" $((end3 / q)) "$(member_stat net 4)"
else
	fail "ns-3's participant $NS3 was not built (libns3-dev: scripts/setup.sh, then meson setup --reconfigure)"
fi

# --- Lookahead: two guests that sleep 10 ms between 2 ms of computing ------------------
printf 'member ecu1 qemu socket %s\nmember ecu2 qemu socket %s\n' "$WORK/ecu1" "$WORK/ecu2" >"$WORK/conf"
for lookahead in off on; do
	ecu 1 1000000 socket sleep
	ecu 2 1000000 socket sleep
	conductor --lookahead $lookahead
	check_exit "lookahead $lookahead: conductor exit status" 0 $cond_pid || show "$WORK/cond.err"
	check_exit "lookahead $lookahead: QEMU 1 exit status" 0 "$ecu1_pid"
	check_exit "lookahead $lookahead: QEMU 2 exit status" 0 "$ecu2_pid"
	check_grants_at_common_time "lookahead $lookahead"
	cp "$WORK/grants" "$WORK/grants-$lookahead"
	cp "$WORK/uart1.out" "$WORK/uart1-$lookahead.out"
done
end1=$(guest_end 1)
check_eq "lookahead off: one grant per step, floor(guest end / q)" $((end1 / q)) "$(grep -c '^grant ' "$WORK/grants-off")"
# On: one grant takes both over the idle time, to the first step after their wake-up.
read -r at until < <(awk -v q=$q '/^grant / && $6 - $4 > q { print $4, $6 }' "$WORK/grants-on")
check_eq "lookahead on: grants past the idle time in one" 1 "$(awk -v q=$q '/^grant / && $6 - $4 > q' "$WORK/grants-on" | wc -l)"
check_eq "lookahead on: the rest one step each" $((end1 / q - (until - at) / q + 1)) "$(grep -c '^grant ' "$WORK/grants-on")"
if [ "$at" -ge 2000000 ] && [ "$until" -gt 12000000 ] && [ "$until" -le $((12000000 + q)) ]; then
	pass "lookahead on: from the first step of the sleep ($at ns) to the first after its 10 ms ($until ns)"
else
	fail "lookahead on: the long grant goes from $at to $until ns, expected from about 2 ms to the first step after 12 ms"
fi
check_eq "lookahead on: each QEMU said it once" "1 1" "$(member_stat ecu1 8) $(member_stat ecu2 8)"
check_eq "lookahead on: QEMU 1's guest output as without" "$(cat "$WORK/uart1-off.out")" "$(cat "$WORK/uart1-on.out")"
note "lookahead: $(grep -c '^grant ' "$WORK/grants-off") grants without, $(grep -c '^grant ' "$WORK/grants-on") with"

# --- A QEMU killed mid-run -----------------------------------------------------------
printf 'member ecu1 qemu socket %s\nmember ecu2 qemu socket %s\n' "$WORK/ecu1" "$WORK/ecu2" >"$WORK/conf"
for policy in stop continue; do
	ecu 1 100000 socket
	# With continue the other guest ends by itself, later than the kill.
	ecu 2 $([ $policy = stop ] && echo 100000 || echo 200) socket
	conductor --on-crash $policy
	wait_until "five grants" five_grants
	kill -9 "$(child_of "$ecu1_pid")" 2>/dev/null || true
	reap "$ecu1_pid"
	check_exit "killed, --on-crash $policy: conductor exit status" 1 $cond_pid
	check_grep "killed, --on-crash $policy: the message names the member" \
		"^timesync-conductor: member 'ecu1' \(qemu, socket $WORK/ecu1\) went away at guest time [0-9]+ ns without a goodbye" "$WORK/cond.err"
	if [ $policy = stop ]; then
		check_exit "killed, --on-crash stop: the other QEMU is stopped (status 1)" 1 "$ecu2_pid"
		check_grep "killed, --on-crash stop: and told why" "a member of the co-simulation went away" "$WORK/q2.out"
	else
		check_exit "killed, --on-crash continue: the other QEMU runs to its end" 0 "$ecu2_pid"
		check_grep "killed, --on-crash continue: it left at its power-off" \
			"member 'ecu2' .* left at guest time $(guest_end 2) ns" "$WORK/cond.err"
	fi
done

# --- A member that never joins ---------------------------------------------------------
ecu 1 100 socket
conductor --join-timeout 1
check_exit "never joins: conductor exit status" 1 $cond_pid
check_grep "never joins: the message names it" \
	"^timesync-conductor: member 'ecu2' \(qemu, socket $WORK/ecu2\) did not join within --join-timeout \(1 s\): stopping" "$WORK/cond.err"
check_exit "never joins: the QEMU that came is stopped (status 1)" 1 "$ecu1_pid"

# --- A hung member: --sync-timeout ------------------------------------------------------
# timesync-peer as a participant member that holds its first halt for 30 s.
printf 'member ecu1 qemu socket %s\nmember slow participant socket %s 300\n' "$WORK/ecu1" "$WORK/slow" >"$WORK/conf"
ecu 1 100000 socket
conductor --sync-timeout 1
timeout -k 2 60 "$PEER" --protocol 2 --transport socket --path "$WORK/slow" --delay-us 30000000 \
	</dev/null >"$WORK/slow.out" 2>&1 &
slow_pid=$!
wait_line "$WORK/cond.err" "member 'slow' .* joined"
took=$(wait_gone "$cond_pid" 5000)
if [ "$took" -ge 500 ] && [ "$took" -le 3000 ]; then
	pass "hung: the conductor gives up after --sync-timeout 1 ($took ms)"
else
	fail "hung: the conductor gives up after --sync-timeout 1: took $took ms (500-3000 expected: 1 s from the wait's start, which comes before we saw the join)"
fi
check_exit "hung: conductor exit status" 1 $cond_pid
check_grep "hung: the message names it" \
	"^timesync-conductor: member 'slow' \(participant, socket $WORK/slow\) did not answer within --sync-timeout \(1 s\) at guest time [0-9]+ ns: taken for hung" "$WORK/cond.err"
check_exit "hung: the QEMU is stopped (status 1)" 1 "$ecu1_pid"
kill -9 "$(child_of "$slow_pid")" 2>/dev/null || true
reap "$slow_pid"

# --- Bad configurations and options ----------------------------------------------------
# bad MESSAGE CONFIG_TEXT [OPTIONS...]: refused with status 2 and MESSAGE.
bad() {
	local expect=$1 status=0
	printf '%s\n' "$2" >"$WORK/bad.conf"
	shift 2
	timeout -k 2 10 "$CONDUCTOR" "$@" "$WORK/bad.conf" >"$WORK/cond.out" 2>"$WORK/cond.err" || status=$?
	check_eq "bad: $expect: exit status" 2 "$status"
	check_grep "bad: $expect: the message" "$expect" "$WORK/cond.err"
}
bad "bad.conf:1: member 'a': kind 'bus' is not qemu or participant" "member a bus socket /x"
bad "bad.conf:1: member 'a': transport 'fifo' is not socket or shm" "member a qemu fifo /x"
bad "bad.conf:1: member 'a': step '0' is not a positive" "member a qemu socket /x 0"
bad "bad.conf:2: member 'a' named twice \(line 1\)" "member a qemu socket /x
member a qemu socket /y"
bad "bad.conf:1: expected 'member NAME" "ecu a qemu socket /x"
bad "bad.conf: no members" "# nothing"
bad "no qemu member" "member n participant socket /x"
bad "--on-crash: 'maybe' is not stop or continue" "member a qemu socket /x" --on-crash maybe
bad "--join-timeout: 'soon' is not a whole number" "member a qemu socket /x" --join-timeout soon
bad "--sync-timeout: '-1' is not a whole number" "member a qemu socket /x" --sync-timeout -1
bad "--lookahead: 'maybe' is not on or off" "member a qemu socket /x" --lookahead maybe
status=0
"$CONDUCTOR" "$WORK/missing.conf" >"$WORK/cond.out" 2>"$WORK/cond.err" || status=$?
check_eq "missing configuration: exit status" 2 "$status"
check_grep "missing configuration: the message names it" "missing.conf: No such file" "$WORK/cond.err"
finish
