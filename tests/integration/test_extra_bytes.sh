# Protocol 1 is exactly one byte per halt, but a participant written in shell answers
# with `echo c`, which writes "c" and a newline. Each extra byte must not release one more
# quantum (the guest would run ahead of the participant without anybody noticing): the
# plugin drops what came before its halt, warns once naming the byte count, and counts
# such halts at exit. The participant here is the seed's, in bash: it opens
# HostToGuestPipe for writing, then GuestToHostPipe for reading, and for every halt byte it
# reads it answers with echo.
. "$(dirname "$0")/lib.sh"

q=1000000
iterations=10000000 # 20 ms: 20 syncs
mkfifo "$H2G" "$G2H"
timeout -k 2 60 bash -c '
	exec 3>"$1" 4<"$2"
	halts=0
	while IFS= read -r -n 1 -d "" -u 4 _; do
		halts=$((halts + 1))
		echo c >&3
	done
	echo "echo participant: $halts halts"' _ "$H2G" "$G2H" >"$WORK/peer.out" 2>&1 &
peer=$!
run_qemu loop $iterations "$(pipes_args),TimeInNanoseconds=$q"
wait $peer || true
check_eq "QEMU exit status" 0 "$QEMU_STATUS"
check_eq "syncs" 20 "$(plugin_syncs)"
check_grep "the participant saw every halt" "^echo participant: 20 halts" "$WORK/peer.out"
check_grep "one warning naming the extra byte and what it does" \
	"^timesync: warning: the participant on HostToGuestPipe=$H2G and GuestToHostPipe=$G2H answered a halt with more than one byte \(1 extra; .*each extra byte would let the guest run one quantum ahead; they are dropped" "$WORK/qemu.out"
check_eq "warned once" 1 "$(grep -c 'answered a halt with more than one byte' "$WORK/qemu.out")"
# Every halt but the first finds the newline of the answer before it.
check_grep "counted at exit" "^timesync: exit: .*, 19 halts answered with extra bytes$" "$WORK/qemu.out"
finish
