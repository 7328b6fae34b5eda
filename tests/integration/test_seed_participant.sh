# The seed's participant, as written (fixed /tmp paths, blocking opens of
# HostToGuestPipe then GuestToHostPipe, a 1 ms sleep per sync), drives the plugin
# with the seed's exact command line. Runs alone: the seed's paths are fixed, so a test
# of another build or tree on this machine (the plugin refuses a second QEMU on a pair:
# test_shared_pair) waits for this one's lock, and this one for theirs.
. "$(dirname "$0")/lib.sh"

exec 9>/tmp/qemu-timesync-seed-paths.lock
if ! flock -w 240 9; then
	fail "another run holds /tmp/qemu-timesync-seed-paths.lock (the seed's fixed /tmp paths) for 240 s"
	finish || exit
fi

SEED="$BUILD/examples/seed_participant"
ICOUNT=shift=0 # the seed's -icount
rm -f /tmp/HostToGuestPipe /tmp/GuestToHostPipe
seed_args="HostToGuestPipe=/tmp/HostToGuestPipe,GuestToHostPipe=/tmp/GuestToHostPipe,TimeinMicroseconds=1000"

# Participant first: it creates the FIFOs and blocks in open() until QEMU comes.
timeout -k 2 60 "$SEED" >"$WORK/seed.out" 2>&1 &
seed_pid=$!
wait_until "participant first: the seed made its FIFOs" test -p /tmp/GuestToHostPipe
n=$(guest_insns loop 12000123)
run_qemu loop 12000123 "$seed_args"
seed_status=0
wait "$seed_pid" || seed_status=$?
check_eq "participant first: QEMU exit status" 0 "$QEMU_STATUS"
check_eq "participant first: plugin syncs" $((n / 1000000)) "$(plugin_syncs)"
check_eq "participant first: seed exit status" 0 "$seed_status"
check_grep "participant first: seed answered every sync" "^seed participant: $((n / 1000000)) steps" "$WORK/seed.out"

# QEMU first: the plugin finds the FIFOs (left by the run above) and waits at its first
# boundary; the seed participant started later connects and the run completes.
rm -f /tmp/HostToGuestPipe /tmp/GuestToHostPipe
run_qemu loop 3000100 "$seed_args" &
qemu_pid=$!
wait_line "$WORK/qemu.out" "waiting for a participant"
timeout -k 2 60 "$SEED" >"$WORK/seed.out" 2>&1 &
seed_pid=$!
wait "$qemu_pid" || true
wait "$seed_pid" || true
check_grep "QEMU first: plugin syncs" "^timesync: exit: 6 syncs" "$WORK/qemu.out"
check_grep "QEMU first: seed answered every sync" "^seed participant: 6 steps" "$WORK/seed.out"
check_grep "QEMU first: plugin said it was waiting" "waiting for a participant on HostToGuestPipe=/tmp/HostToGuestPipe and GuestToHostPipe=/tmp/GuestToHostPipe" "$WORK/qemu.out"
rm -f /tmp/HostToGuestPipe /tmp/GuestToHostPipe
finish
