# Protocol 2 grants do not drift. A halt comes up to a block after the boundary it was
# granted, so a participant that granted "halt time + step" would move every later
# boundary by that lateness; timesync-peer grants from its previous grant instead
# (ts_session_run_for), so after 10^5 syncs on the long-block guest the last boundary is
# exactly 10^5 quanta.
. "$(dirname "$0")/lib.sh"

syncs=100000
q=1000 # not a multiple of the 62-instruction block: most halts come late
# Instructions for every sync, even if each one lost a whole block to drift.
iterations=$(((syncs + 2) * (q + 62) / 62))

PEER_TIMEOUT=240 start_peer --transport shm --path "$WORK/link" --protocol 2 --steps $syncs
QEMU_TIMEOUT=240 run_qemu longblock $iterations \
	"transport=shm,path=$WORK/link,protocol=2,TimeInNanoseconds=$q,trace=$WORK/trace"
wait_peer
check_eq "QEMU exit status" 0 "$QEMU_STATUS"
check_eq "peer exit status" 0 "$PEER_STATUS"
check_eq "syncs" $syncs "$(plugin_syncs)"
# Trace lines: sync boundary_ns guest_ns ...; a halt's lateness is guest_ns - boundary_ns.
check_eq "the last boundary is exactly $syncs quanta" "$syncs $((syncs * q))" \
	"$(awk '!/^#/ { last = $1 " " $2 } END { print last }' "$WORK/trace")"
check_eq "boundaries off the k*q grid" 0 \
	"$(awk '!/^#/ && $2 != $1 * '$q' { n++ } END { print n + 0 }' "$WORK/trace")"
late=$(awk '!/^#/ && $3 > $2 { n++ } END { print n + 0 }' "$WORK/trace")
if [ "$late" -ge $((syncs / 2)) ]; then
	pass "$late of $syncs halts came late: the guest tests drift"
else
	fail "only $late of $syncs halts came late: the guest does not test drift"
fi
finish
