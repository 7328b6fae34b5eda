# Soak: 10^6 syncs over shared memory and 10^5 over FIFOs with no error and no growth in
# memory (QEMU with the plugin, and the peer); and valgrind memcheck clean on timesync-peer.
# In the sanitizer build (slower QEMU) the counts are 10x smaller and valgrind is left out.
. "$(dirname "$0")/lib.sh"

scale=1
[ -z "${QEMU_PRELOAD:-}" ] || scale=10

rss_kb() { sed -n "s/^VmRSS:[[:space:]]*\([0-9]*\) kB/\1/p" "/proc/$1/status" 2>/dev/null || true; }

soak() { # WHAT SYNCS PLUGIN_LINK PEER_LINK...
	local what=$1 syncs=$2 plugin_link=$3
	shift 3
	local q=1000
	local iterations=$((syncs * q / 2 + 100)) # 2 instructions per iteration, 1 ns each
	PEER_TIMEOUT=240 start_peer "$@" --protocol 2 --quantum-ns $q
	QEMU_TIMEOUT=240 ICOUNT=shift=0,sleep=off start_qemu loop $iterations \
		"$plugin_link,protocol=2,TimeInNanoseconds=$q"
	local qemu peer early_qemu="" early_peer="" late_qemu="" late_peer="" start
	start=$(now_ms)
	while kill -0 "$QEMU_PID" 2>/dev/null; do
		qemu=$(child_of "$QEMU_PID")
		peer=$(child_of "$PEER_PID")
		if [ -n "$qemu" ] && [ -n "$peer" ]; then
			# The first sample after 0.5 s (set-up done), the last one before the end.
			if [ -z "$early_qemu" ] && [ $(($(now_ms) - start)) -ge 500 ]; then
				early_qemu=$(rss_kb "$qemu")
				early_peer=$(rss_kb "$peer")
			fi
			q_rss=$(rss_kb "$qemu")
			p_rss=$(rss_kb "$peer")
			[ -z "$q_rss" ] || late_qemu=$q_rss
			[ -z "$p_rss" ] || late_peer=$p_rss
		fi
		sleep 0.2
	done
	wait_qemu
	wait_peer
	check_eq "$what: QEMU exit status" 0 "$QEMU_STATUS"
	check_eq "$what: peer exit status" 0 "$PEER_STATUS"
	check_eq "$what: syncs" "$syncs" "$(plugin_syncs)"
	if [ -n "$early_qemu" ] && [ -n "$late_qemu" ] &&
		[ $((late_qemu - early_qemu)) -lt 1024 ] && [ $((late_peer - early_peer)) -lt 256 ]; then
		pass "$what: no memory growth (QEMU $early_qemu -> $late_qemu kB, peer $early_peer -> $late_peer kB, $(($(now_ms) - start)) ms)"
	else
		fail "$what: memory QEMU '$early_qemu' -> '$late_qemu' kB, peer '$early_peer' -> '$late_peer' kB"
	fi
}

soak "shm, $((1000000 / scale)) syncs" $((1000000 / scale)) "transport=shm,path=$WORK/shm" \
	--transport shm --path "$WORK/shm"
soak "fifo, $((100000 / scale)) syncs" $((100000 / scale)) "HostToGuestPipe=$H2G,GuestToHostPipe=$G2H" \
	--transport fifo

# valgrind memcheck on timesync-peer, against real QEMU, every transport (not in the
# sanitizer build: valgrind cannot run an ASan binary).
[ -n "${QEMU_PRELOAD:-}" ] && { echo "valgrind: skipped in the sanitizer build"; finish; exit; }
for transport in fifo socket shm; do
	if [ $transport = fifo ]; then
		plugin_link="HostToGuestPipe=$H2G,GuestToHostPipe=$G2H"
		peer_link=(--host-to-guest "$H2G" --guest-to-host "$G2H")
	else
		plugin_link="transport=$transport,path=$WORK/link"
		peer_link=(--transport $transport --path "$WORK/link")
	fi
	timeout -k 2 120 valgrind --leak-check=full --show-leak-kinds=definite,indirect \
		--errors-for-leak-kinds=definite,indirect --error-exitcode=99 \
		"$PEER" "${peer_link[@]}" --protocol 2 --step-ns 10000,30000 --trace "$WORK/trace" \
		>"$WORK/valgrind.out" 2>&1 &
	vg=$!
	ICOUNT=shift=0,sleep=off run_qemu loop 1000000 "$plugin_link,protocol=2,TimeInNanoseconds=10000"
	vg_status=0
	wait $vg || vg_status=$?
	check_eq "valgrind $transport: peer exit status" 0 "$vg_status"
	check_grep "valgrind $transport: no errors" "ERROR SUMMARY: 0 errors" "$WORK/valgrind.out"
	check_eq "valgrind $transport: QEMU exit status" 0 "$QEMU_STATUS"
done
finish
