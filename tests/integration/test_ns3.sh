# ns-3 as a participant (examples/ns3): against a real riscv64 guest, ns-3's clock equals
# the guest's time at every sync, the syncs match the guest's time, ns-3 has simulated up
# to the guest's last instant, and its events merge with the guest's output in time order.
# Skipped when ns-3 is not installed.
. "$(dirname "$0")/lib.sh"
pkg-config --exists ns3-core 2>/dev/null || skip_all "ns-3 is not installed (libns3-dev, libgsl-dev)"

NS3="$BUILD/examples/ns3/ns3-participant"
INTERLEAVE="$(dirname "$0")/../../scripts/interleave.sh"
if [ ! -x "$NS3" ]; then
	fail "ns-3 is installed but $NS3 was not built (meson setup --reconfigure $BUILD)"
	finish
fi

readings=200 # the clock guest: 50129 x 200 + 16 instructions, about 10 ms
q=300000     # does not divide the guest's time
period_us=2500
n=$(guest_insns clock $readings)

# ns3_value NAME: a number from the participant's summary ("..., 7 NAME, ...").
ns3_value() { sed -n "s/^ns3-participant: .* \([0-9]*\) $1[, ].*/\1/p" "$WORK/ns3.out"; }

for setup in "socket off" "shm on"; do
	read -r transport exact <<<"$setup"
	what="$transport exact=$exact"
	timeout -k 2 60 "$NS3" --transport="$transport" --path="$WORK/link" --period-us=$period_us \
		--echo-us=1000 --print-syncs=true >"$WORK/ns3.out" 2>"$WORK/ns3.err" &
	ns3_pid=$!
	run_qemu clock $readings \
		"transport=$transport,path=$WORK/link,protocol=2,TimeInNanoseconds=$q,exact=$exact"
	ns3_status=0
	wait "$ns3_pid" || ns3_status=$?
	check_eq "$what: QEMU exit status" 0 "$QEMU_STATUS"
	check_eq "$what: ns3-participant exit status" 0 "$ns3_status"
	check_eq "$what: syncs where ns-3's clock differed from the guest's time" 0 "$(ns3_value mismatches)"
	check_eq "$what: ns-3 syncs = floor(guest instructions / q)" $((n / q)) "$(ns3_value syncs)"
	check_eq "$what: plugin syncs" $((n / q)) "$(plugin_syncs)"
	# Granting the next multiple of q: sync k lands on k x q (a block late at most), no drift.
	off=$(awk -v q=$q '/^\[t=[0-9.]+ ms\] sync [0-9]+: / {
		k = $4 + 0; sub(/^.*ns-3 clock /, ""); t = $1 + 0
		if (t < k * q || t >= k * q + 512) off++ } END { print off + 0 }' "$WORK/ns3.out")
	check_eq "$what: syncs away from their boundary k x q" 0 "$off"
	guest_end=$(sed -n 's/^timesync: exit: .*, guest time \([0-9]*\) ns.*/\1/p' "$WORK/qemu.out")
	check_eq "$what: ns-3 ran to the guest's last instant" "$guest_end" \
		"$(sed -n 's/^ns3-participant: .* ns-3 time \([0-9]*\) ns.*/\1/p' "$WORK/ns3.out")"
	check_eq "$what: periodic events = floor(guest time / period)" \
		$((guest_end / (period_us * 1000))) "$(ns3_value "periodic events")"
	check_grep "$what: ns-3 printed its events" '^\[t=2\.500000 ms\] ns-3: periodic event 1$' "$WORK/ns3.out"
	check_grep "$what: the UDP echo came back" '^\[t=[0-9.]+ ms\] ns-3: node 0 receives the echo' "$WORK/ns3.out"

	bash "$INTERLEAVE" "$WORK/uart.out" "$WORK/ns3.out" >"$WORK/merged.out"
	check_eq "$what: merged output: guest lines" $readings "$(grep -c '] guest: t=' "$WORK/merged.out")"
	check_eq "$what: merged output: ns-3 lines" "$(grep -c '] ns-3: ' "$WORK/ns3.out")" \
		"$(grep -c '] ns-3: ' "$WORK/merged.out")"
	unordered=$(awk -F'[][=]| ms' '/^\[t=/ { t = $3 + 0; if (t < last) bad++; last = t }
		END { print bad + 0 }' "$WORK/merged.out")
	check_eq "$what: merged lines out of time order" 0 "$unordered"
done

"$NS3" --transport=fifo --path="$WORK/link" >"$WORK/ns3.out" 2>&1 && bad_status=0 || bad_status=$?
check_eq "transport fifo refused with usage status" 2 "$bad_status"
finish
