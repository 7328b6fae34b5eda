# SystemC as a participant (examples/systemc): against a real riscv64 guest, over every
# transport and both protocols, sc_time_stamp() equals the guest's time at every sync, the
# syncs match the guest's time, SystemC has simulated up to the guest's last instant, the
# timer ticks at exactly k x period of guest time with the logger right after each tick,
# and the model's lines merge with the guest's output in time order. Then what goes wrong:
# QEMU killed mid-run, no QEMU at all (--timeout), wrong options. Skipped when SystemC is
# not installed.
. "$(dirname "$0")/lib.sh"
pkg-config --exists systemc 2>/dev/null || skip_all "SystemC is not installed (libsystemc-dev)"

SC="$BUILD/examples/systemc/systemc-participant"
INTERLEAVE="$(dirname "$0")/../../scripts/interleave.sh"
if [ ! -x "$SC" ]; then
	fail "SystemC is installed but $SC was not built (meson setup --reconfigure $BUILD)"
	finish
fi

readings=200 # the clock guest: 50129 x 200 + 16 instructions, about 10 ms
q=300000     # does not divide the guest's time
period_us=250
period_ns=$((period_us * 1000))
n=$(guest_insns clock $readings)

# sc_value NAME: a number from the participant's summary ("..., 7 NAME, ...").
sc_value() { sed -n "s/^systemc-participant: .* \([0-9]*\) $1[, ].*/\1/p;s/^systemc-participant: .* \([0-9]*\) $1\$/\1/p" "$WORK/sc.out" | head -n 1; }
# Times of a kind of the model's lines, in ns, one per line: "[t=<ms>.<ns6> ms] TEXT".
line_ns() { sed -n "s/^\[t=\([0-9]*\)\.\([0-9]*\) ms\] $1.*/\1 \2/p" "$WORK/sc.out" | awk '{ printf "%.0f\n", $1 * 1e6 + $2 }'; }

for setup in "fifo 2 off" "socket 2 on" "shm 2 off" "fifo 1 on"; do
	read -r transport protocol exact <<<"$setup"
	what="$transport protocol $protocol exact=$exact"
	link_args "$transport"
	sc_link=("${peer_link[@]}")
	[ "$transport" != fifo ] || sc_link+=(--host-to-guest "$H2G" --guest-to-host "$G2H")
	timeout -k 2 60 "$SC" "${sc_link[@]}" --protocol $protocol --quantum-ns $q \
		--period-us $period_us --print-syncs >"$WORK/sc.out" 2>"$WORK/sc.err" &
	sc_pid=$!
	run_qemu clock $readings "$plugin_link,protocol=$protocol,TimeInNanoseconds=$q,exact=$exact"
	sc_status=0
	wait "$sc_pid" || sc_status=$?
	check_eq "$what: QEMU exit status" 0 "$QEMU_STATUS"
	check_eq "$what: systemc-participant exit status" 0 "$sc_status" || show "$WORK/sc.err"
	check_eq "$what: syncs where sc_time_stamp() differed from the guest's time" 0 "$(sc_value mismatches)"
	check_eq "$what: SystemC syncs = floor(guest instructions / q)" $((n / q)) "$(sc_value syncs)"
	check_eq "$what: plugin syncs" $((n / q)) "$(plugin_syncs)"
	# Each sync k at k x q: exactly with exact=on, at most a block late without.
	late_max=$([ "$exact" = on ] && echo 1 || echo 512)
	off=$(awk -v q=$q -v late=$late_max '/^\[t=[0-9.]+ ms\] sync [0-9]+: / {
		k = $4 + 0; sub(/^.*SystemC time /, ""); t = $1 + 0
		if (t < k * q || t >= k * q + late) off++ } END { print off + 0 }' "$WORK/sc.out")
	check_eq "$what: syncs away from their boundary k x q" 0 "$off"
	sc_end=$(sed -n 's/^systemc-participant: .* SystemC time \([0-9]*\) ns.*/\1/p' "$WORK/sc.out")
	if [ "$protocol" = 2 ]; then
		guest_end=$(sed -n 's/^timesync: exit: .*, guest time \([0-9]*\) ns.*/\1/p' "$WORK/qemu.out")
		check_eq "$what: SystemC ran to the guest's last instant" "$guest_end" "$sc_end"
	else
		# The seed's protocol carries no time: SystemC counts quanta, and ends at the last.
		check_eq "$what: SystemC ran to the last boundary" $((n / q * q)) "$sc_end"
	fi
	# sc_start(t) stops before the evaluation at t: a tick on the end instant does not run.
	ticks=$(((sc_end - 1) / period_ns))
	check_eq "$what: timer ticks = ticks before SystemC's end" $ticks "$(sc_value "timer ticks")"
	check_eq "$what: logged ticks = timer ticks" $ticks "$(sc_value logged)"
	check_eq "$what: timer ticks away from k x period" 0 \
		"$(line_ns 'systemc: timer tick' | awk -v p=$period_ns '$1 != NR * p { bad++ } END { print bad + 0 }')"
	check_eq "$what: logger lines away from their tick's time" 0 \
		"$(line_ns 'systemc: logger saw tick' | awk -v p=$period_ns '$1 != NR * p { bad++ } END { print bad + 0 }')"
	order=$(awk '/systemc: timer tick/ { pending = $NF } /systemc: logger saw tick/ {
		if ($NF != pending) bad++; pending = "" } END { print bad + 0 }' "$WORK/sc.out")
	check_eq "$what: each logger line right after its tick" 0 "$order"

	bash "$INTERLEAVE" "$WORK/uart.out" "$WORK/sc.out" >"$WORK/merged.out"
	check_eq "$what: merged output: guest lines" $readings "$(grep -c '] guest: t=' "$WORK/merged.out")"
	check_eq "$what: merged output: SystemC lines" "$(grep -c '] systemc: ' "$WORK/sc.out")" \
		"$(grep -c '] systemc: ' "$WORK/merged.out")"
	unordered=$(awk -F'[][=]| ms' '/^\[t=/ { t = $3 + 0; if (t < last) bad++; last = t }
		END { print bad + 0 }' "$WORK/merged.out")
	check_eq "$what: merged lines out of time order" 0 "$unordered"
done

# QEMU killed mid-run (no goodbye): the participant says so and exits 1.
timeout -k 2 60 "$SC" --transport socket --path "$WORK/link" --print-syncs \
	>"$WORK/sc.out" 2>"$WORK/sc.err" &
sc_pid=$!
start_qemu clock 100000 "transport=socket,path=$WORK/link,protocol=2,TimeInMicroseconds=100"
wait_line "$WORK/sc.out" '\] sync 5: '
kill -9 "$(child_of "$QEMU_PID")" 2>/dev/null || true
wait_qemu
sc_status=0
wait "$sc_pid" || sc_status=$?
check_eq "QEMU killed: systemc-participant exit status" 1 "$sc_status"
check_grep "QEMU killed: the participant says QEMU went away" \
	'^systemc-participant: QEMU went away without a goodbye: ' "$WORK/sc.out"

# No QEMU at all: --timeout ends the wait with a message.
sc_status=0
timeout -k 2 30 "$SC" --transport socket --path "$WORK/nobody" --timeout 1 \
	>"$WORK/sc.out" 2>"$WORK/sc.err" || sc_status=$?
check_eq "no QEMU: exit status with --timeout 1" 1 "$sc_status"
check_grep "no QEMU: the message names the timeout" 'no QEMU came within the --timeout' "$WORK/sc.err"

# Wrong options: usage status 2 and a message naming the option.
bad() {
	local expect=$1 status=0
	shift
	timeout -k 2 10 "$SC" "$@" >"$WORK/sc.out" 2>"$WORK/sc.err" || status=$?
	check_eq "bad usage '$*': exit status" 2 "$status"
	check_grep "bad usage '$*': the message names it" "$expect" "$WORK/sc.err"
}
bad "--protocol: '3' is not 1 or 2" --protocol 3
bad "--transport: 'carrier' is not fifo, socket or shm" --transport carrier
bad "--transport socket needs --path" --transport socket
bad "--protocol 1 needs --quantum-us" --protocol 1 --transport fifo
bad "--period-us: '0' is not a positive" --period-us 0 --path "$WORK/link"
bad "--quantum-us: 'x' is not" --quantum-us x
bad "unknown option or missing value: '--bogus'" --bogus
bad "unexpected argument 'extra'" --path "$WORK/link" extra
finish
