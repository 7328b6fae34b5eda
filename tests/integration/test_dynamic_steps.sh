# Protocol 2: the participant grants steps that change during the run (1, 3 and 7 us in
# turn); every halt lands on the granted time (exact mode: on the instruction; default
# mode: at most a block later).
. "$(dirname "$0")/lib.sh"

for exact in on off; do
	for transport in socket shm; do
		what="$transport exact=$exact"
		link_args $transport
		start_peer "${peer_link[@]}" --protocol 2 --step-ns 1000,3000,7000 --trace "$WORK/peer.trace"
		run_qemu longblock 2000 "$plugin_link,protocol=2,TimeInNanoseconds=5000,exact=$exact"
		wait_peer
		check_eq "$what: QEMU exit status" 0 "$QEMU_STATUS"
		# Halt i+1 comes at grant i = grant i-1 + step i (steps cycle; each grant counts
		# from the previous one, not from the halt); the first at the quantum.
		report=$(awk -v exact=$exact 'BEGIN { split("1000 3000 7000", step, " ") }
			/^#/ { next }
			{ n++; g = $1 }
			n == 1 { expect = 5000 }
			{ late = g - expect; if (late < 0 || (exact == "on" && late > 0) || late >= 62) bad++
			  if (late > maxlate) maxlate = late
			  expect += step[(n - 1) % 3 + 1] }
			END { printf "%d halts, %d off their grant, max late %d ns\n", n, bad, maxlate }' \
			"$WORK/peer.trace")
		case $report in
		*" 0 off their grant"*) pass "$what: $report" ;;
		*) fail "$what: $report" ;;
		esac
		halts=$(grep -vc '^#' "$WORK/peer.trace")
		[ "$halts" -gt 30 ] || fail "$what: only $halts halts"
	done
done
finish
