# After N guest instructions there are exactly floor(N/q) syncs, for several N and q,
# q not dividing N, and blocks of 62 instructions (where losing the overshoot would drift).
. "$(dirname "$0")/lib.sh"

# guest iterations quantum-option quantum-in-instructions
cases=(
	"loop 1000040 TimeinMicroseconds=100 100000"
	"loop 1234567 TimeinMicroseconds=1000 1000000"
	"loop 500100 TimeInNanoseconds=3333 3333"
	"loop 250000 TimeInMicroSeconds=7 7000"
	"longblock 100001 TimeinMicroseconds=100 100000"
	"longblock 31416 TimeInNanoseconds=1000 1000"
	"longblock 50001 TimeInNanoseconds=197 197"
)
for c in "${cases[@]}"; do
	read -r guest iterations quantum_opt q <<<"$c"
	n=$(guest_insns "$guest" "$iterations")
	# Keep N a block (and the clock's 100 ns resolution) away from a multiple of q: the
	# last sync needs a block start after its boundary.
	if [ $((n % q)) -lt 64 ] || [ $((q - n % q)) -lt 64 ]; then
		fail "bad case: $n instructions is too close to a multiple of $q"
		continue
	fi
	expected=$((n / q))
	start_peer --quantum-ns "$q"
	run_qemu "$guest" "$iterations" "$(pipes_args),$quantum_opt"
	wait_peer
	what="$guest N=$n q=$q"
	check_eq "$what: QEMU exit status" 0 "$QEMU_STATUS"
	check_eq "$what: plugin syncs" "$expected" "$(plugin_syncs)"
	check_eq "$what: peer syncs" "$expected" "$(peer_syncs)"
	check_eq "$what: peer exit status" 0 "$PEER_STATUS"
done
finish
