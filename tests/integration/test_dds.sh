# timesync-dds-bridge: two riscv64 QEMUs in two network namespaces joined by a veth pair
# (made here, removed at the end), in lockstep under timesync-conductor, one of them over
# Eclipse Cyclone DDS. Every grant finds both at the common time (exact=on: to the
# instruction), the DDS traffic crossed the veth pair, a remote guest's power-off reaches
# the conductor as a leave. A remote QEMU killed, or its bridge killed, ends the
# conductor (--on-crash stop) or lets the local QEMU run on (continue) within 1 s; a
# bridge whose far side or QEMU never comes gives up after --join-timeout; bad options
# exit 2.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/../../scripts/netns-lib.sh"

BRIDGE="$BUILD/tools/timesync-dds-bridge"
CONDUCTOR="$BUILD/tools/timesync-conductor"
q_us=300
q=$((q_us * 1000))

if [ ! -x "$BRIDGE" ]; then
	fail "the DDS bridge $BRIDGE was not built (cyclonedds-dev, cyclonedds-tools: scripts/setup.sh, then meson setup --reconfigure)"
	finish
fi

# Namespace A holds the conductor, QEMU ecu1 and the participant side of ecu2's bridge;
# namespace B holds QEMU ecu2 and its bridge's qemu side. Only lo and the veth pair are
# in them, so DDS can only go over the veth pair.
ns_a=tsdds-a-$$ ns_b=tsdds-b-$$ veth_a=tsda$$ veth_b=tsdb$$
at_exit "ip netns del $ns_a 2>/dev/null; ip netns del $ns_b 2>/dev/null"
if ! netns_pair "$ns_a" "$ns_b" "$veth_a" "$veth_b" 10.231.0 >"$WORK/netns.err" 2>&1; then
	fail "cannot make the network namespaces and veth pair (root, iproute2): $(cat "$WORK/netns.err")"
	finish
fi
pass "two network namespaces joined by a veth pair"
uri_a=$(dds_uri "$veth_a") uri_b=$(dds_uri "$veth_b")
rx_bytes() { ip netns exec "$1" cat "/sys/class/net/$2/statistics/rx_bytes"; }

# ecu NS N READINGS: QEMU N in namespace NS (the clock guest, READINGS x 50129 + 16
# instructions) on the socket $WORK/qemuN, in the background ($ecuN_pid: its timeout's);
# output in $WORK/qN.out.
ecu() {
	timeout -k 2 60 ip netns exec "$1" "${QEMU_ENV[@]}" "$QEMU_RISCV64" -M virt -bios none \
		-display none -monitor none -serial "file:$WORK/uart$2.out" -icount shift=0,sleep=off \
		-kernel "$BUILD/guests/clock.elf" -device "loader,addr=0x80001000,data=$3,data-len=8" \
		-plugin "$PLUGIN,transport=socket,path=$WORK/qemu$2,protocol=2,TimeInMicroseconds=$q_us,exact=on" \
		</dev/null >"$WORK/q$2.out" 2>&1 &
	eval "ecu$2_pid=$!"
}
# bridges [OPTIONS...]: ecu2's bridge pair: the qemu side in B on $WORK/qemu2 ($bridge_b_pid,
# $WORK/bridge_b.err), the participant side in A listening on $WORK/ecu2 ($bridge_a_pid).
bridges() {
	timeout -k 2 60 ip netns exec "$ns_b" env CYCLONEDDS_URI="$uri_b" "$BRIDGE" --side qemu \
		--name ecu2 --path "$WORK/qemu2" "$@" </dev/null >/dev/null 2>"$WORK/bridge_b.err" &
	bridge_b_pid=$!
	timeout -k 2 60 ip netns exec "$ns_a" env CYCLONEDDS_URI="$uri_a" "$BRIDGE" --side participant \
		--name ecu2 --path "$WORK/ecu2" "$@" </dev/null >/dev/null 2>"$WORK/bridge_a.err" &
	bridge_a_pid=$!
}
# conductor [OPTIONS...]: in A, ecu1 direct and ecu2 through the bridge ($cond_pid).
conductor() {
	printf 'member ecu1 qemu socket %s\nmember ecu2 qemu socket %s\n' "$WORK/qemu1" "$WORK/ecu2" >"$WORK/conf"
	rm -f "$WORK/grants"
	timeout -k 2 60 ip netns exec "$ns_a" "$CONDUCTOR" --grants "$WORK/grants" "$@" "$WORK/conf" \
		</dev/null >"$WORK/cond.out" 2>"$WORK/cond.err" &
	cond_pid=$!
}

# --- Lockstep over DDS, to the end ------------------------------------------------------
rx_before=$(rx_bytes "$ns_a" "$veth_a")
bridges
ecu "$ns_a" 1 100
ecu "$ns_b" 2 200
conductor
check_exit "lockstep: conductor exit status" 0 $cond_pid || show "$WORK/cond.err"
check_exit "lockstep: local QEMU exit status" 0 "$ecu1_pid"
check_exit "lockstep: remote QEMU exit status" 0 "$ecu2_pid"
check_exit "lockstep: qemu-side bridge exit status" 0 "$bridge_b_pid" || show "$WORK/bridge_b.err"
check_exit "lockstep: participant-side bridge exit status" 0 "$bridge_a_pid" || show "$WORK/bridge_a.err"
end1=$(guest_end 1) end2=$(guest_end 2)
check_eq "lockstep: grants = floor(remote guest / q)" $((end2 / q)) "$(grants)"
check_grants_lockstep lockstep $q
check_eq "lockstep: grants with both QEMUs" $((end1 / q)) "$(awk 'NF == 8' "$WORK/grants" | wc -l)"
check_eq "lockstep: grants with the remote QEMU alone, after the local one left" $((end2 / q - end1 / q)) \
	"$(grep -c '^grant [0-9]* at [0-9]* until [0-9]* ecu2=[0-9]*$' "$WORK/grants")"
check_grep "lockstep: the remote guest's power-off reaches the conductor as a leave" \
	"^timesync-conductor: member 'ecu2' \(qemu, socket $WORK/ecu2\) left at guest time $end2 ns \(guest powered off\)" "$WORK/cond.err"
check_eq "lockstep: statistics: ecu2's syncs" $((end2 / q)) "$(member_stat ecu2 4)"
check_grep "lockstep: the qemu-side bridge relayed every halt" "^timesync-dds-bridge: ecu2: $((end2 / q)) halts; the far side answered in mean [0-9]+ us" "$WORK/bridge_b.err"
check_grep "lockstep: the participant-side bridge too" "^timesync-dds-bridge: ecu2: $((end2 / q)) halts$" "$WORK/bridge_a.err"
rx_after=$(rx_bytes "$ns_a" "$veth_a")
# At least ecu2's HELLO, HALTs and GOODBYE came into A over it: 64 bytes each.
if [ $((rx_after - rx_before)) -ge $(((end2 / q + 2) * 64)) ]; then
	pass "lockstep: DDS went over the veth pair ($((rx_after - rx_before)) bytes into A)"
else
	fail "lockstep: DDS went over the veth pair: only $((rx_after - rx_before)) bytes into A"
fi

# --- A remote QEMU killed: everyone stops -------------------------------------------------
bridges
ecu "$ns_a" 1 100000
ecu "$ns_b" 2 100000
conductor --on-crash stop
wait_until "five grants" five_grants
kill -9 "$(child_of "$ecu2_pid")" 2>/dev/null || true
took=$(wait_gone "$cond_pid" 3000)
within "remote QEMU killed: the conductor ends" "$took" 1000 "$WORK/cond.err" "$WORK/bridge_a.err" "$WORK/bridge_b.err"
check_exit "remote QEMU killed: conductor exit status" 1 $cond_pid
check_grep "remote QEMU killed: the message names the member" \
	"^timesync-conductor: member 'ecu2' \(qemu, socket $WORK/ecu2\) went away at guest time [0-9]+ ns without a goodbye" "$WORK/cond.err"
check_exit "remote QEMU killed: the local QEMU is stopped (status 1)" 1 "$ecu1_pid"
check_grep "remote QEMU killed: and told why" "a member of the co-simulation went away" "$WORK/q1.out"
reap "$ecu2_pid"
check_exit "remote QEMU killed: the qemu-side bridge ends (status 1)" 1 "$bridge_b_pid"
check_grep "remote QEMU killed: saying why" "^timesync-dds-bridge: QEMU on $WORK/qemu2 went away" "$WORK/bridge_b.err"
check_exit "remote QEMU killed: the participant-side bridge ends (status 1)" 1 "$bridge_a_pid"

# --- The remote bridge killed (its machine lost): the local QEMU runs on -------------------
bridges
ecu "$ns_a" 1 200
ecu "$ns_b" 2 100000
conductor --on-crash continue
wait_until "five grants" five_grants
kill -9 "$(child_of "$bridge_b_pid")" 2>/dev/null || true
took=$(wait_gone "$bridge_a_pid" 3000)
within "remote bridge killed: the participant side notices" "$took" 1000 "$WORK/bridge_a.err"
check_exit "remote bridge killed: participant-side bridge exit status" 1 "$bridge_a_pid"
check_grep "remote bridge killed: saying so" \
	"^timesync-dds-bridge: the qemu side of 'ecu2' went away without a goodbye" "$WORK/bridge_a.err"
check_exit "remote bridge killed, --on-crash continue: the local QEMU runs to its end" 0 "$ecu1_pid"
check_exit "remote bridge killed: the conductor ends with status 1" 1 $cond_pid
check_grep "remote bridge killed: the conductor names the member" \
	"^timesync-conductor: member 'ecu2' .* went away at guest time [0-9]+ ns without a goodbye" "$WORK/cond.err"
check_exit "remote bridge killed: the remote QEMU loses its participant (status 1)" 1 "$ecu2_pid"
reap "$bridge_b_pid"

# ends WHAT STATUS MESSAGE COMMAND...: COMMAND (under timeout) exits with STATUS and says
# MESSAGE (an extended regular expression) on stderr.
ends() {
	local what=$1 expect=$2 message=$3 status=0
	shift 3
	timeout -k 2 20 "$@" </dev/null >/dev/null 2>"$WORK/ends.err" || status=$?
	check_eq "$what: exit status" "$expect" "$status"
	check_grep "$what: the message" "$message" "$WORK/ends.err"
}

# --- A far side, a QEMU that never comes --------------------------------------------------
ends "never joins" 1 \
	"^timesync-dds-bridge: no bridge on the qemu side named 'ecu9' in DDS domain 0 within --join-timeout \(1 s\): stopping" \
	ip netns exec "$ns_a" env CYCLONEDDS_URI="$uri_a" "$BRIDGE" --side participant --name ecu9 \
	--path "$WORK/ecu9" --join-timeout 1
ends "no QEMU comes" 1 "^timesync-dds-bridge: no QEMU came within --join-timeout \(1 s\): stopping" \
	ip netns exec "$ns_b" env CYCLONEDDS_URI="$uri_b" "$BRIDGE" --side qemu --name ecu9 \
	--path "$WORK/qemu9" --join-timeout 1
ends "a path in no directory" 1 "^timesync-dds-bridge: $WORK/no/such/dir/q: No such file or directory" \
	ip netns exec "$ns_b" "$BRIDGE" --side qemu --name ecu9 --path "$WORK/no/such/dir/q"

# --- Bad options ------------------------------------------------------------------------------
# bad MESSAGE OPTIONS...: refused with status 2 and MESSAGE.
bad() {
	local message=$1
	shift
	ends "bad: $message" 2 "$message" "$BRIDGE" "$@"
}
bad "--side: 'both' is not qemu or participant" --side both --name a --path /x
bad "--name: 'a-b' is not 1 to 32 letters, digits or _" --side qemu --name a-b --path /x
bad "--transport: 'fifo' is not socket or shm" --side qemu --name a --path /x --transport fifo
bad "--domain: '230' is not a DDS domain \(0 to 229\)" --side qemu --name a --path /x --domain 230
bad "--join-timeout: 'soon' is not a whole number of seconds" --side qemu --name a --path /x --join-timeout soon
bad "--side, --name and --path are needed" --side qemu --name a
bad "unknown option '--fast'" --fast
"$BRIDGE" --help >"$WORK/help.out" 2>&1 || true
check_grep "--help says what it does" "Carries one QEMU's protocol-2 link over Eclipse Cyclone DDS" "$WORK/help.out"
finish
