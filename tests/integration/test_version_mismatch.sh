# A HELLO of another protocol version makes both ends stop with a clear error.
. "$(dirname "$0")/lib.sh"

ROGUE="$BUILD/tests/rogue_peer"

# A participant of version 3 against the plugin: QEMU stops, naming both versions.
timeout -k 2 30 "$ROGUE" participant socket "$WORK/link" version >"$WORK/rogue.out" 2>&1 &
rogue=$!
QEMU_TIMEOUT=30 run_qemu loop 1000000 "transport=socket,path=$WORK/link,protocol=2,TimeinMicroseconds=100"
wait $rogue || true
check_qemu_failed "version 3 participant"
check_grep "QEMU names both versions" "^timesync: cannot connect on transport=socket path=$WORK/link: the other end speaks another protocol version \(.*3.*2.*\)" "$WORK/qemu.out"
check_grep "the participant was told why" "^rogue_peer: got GOODBYE \(protocol version mismatch" "$WORK/rogue.out"

# A guest end of version 3 against timesync-peer: the peer stops, naming both versions.
start_peer --transport shm --path "$WORK/shm" --protocol 2
timeout -k 2 30 "$ROGUE" guest shm "$WORK/shm" version >"$WORK/rogue.out" 2>&1 || true
wait_peer
check_eq "timesync-peer exit status" 1 "$PEER_STATUS"
check_grep "timesync-peer names both versions" "^timesync-peer: cannot connect: the other end speaks another protocol version: .*3.*2" "$WORK/peer.out"
check_grep "the guest end was told why" "^rogue_peer: got GOODBYE \(protocol version mismatch" "$WORK/rogue.out"
finish
