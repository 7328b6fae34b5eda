# QEMU's command line is checked at start: no -icount refuses to start (require_icount=off
# turns that into a warning), shift=auto is an error, sleep=on and -rtc clock=host warn once.
. "$(dirname "$0")/lib.sh"

args="$(pipes_args),TimeinMicroseconds=100"
ICOUNT=none QEMU_TIMEOUT=20 run_qemu loop 10 "$args"
refused "no -icount" "^timesync: QEMU runs without -icount.*add -icount shift=0,sleep=off"

start_peer
ICOUNT=none run_qemu loop 100000 "$args,require_icount=off"
wait_peer
check_eq "no -icount, require_icount=off: runs" 0 "$QEMU_STATUS"
check_grep "no -icount, require_icount=off: warns" "^timesync: warning: QEMU runs without -icount" "$WORK/qemu.out"

ICOUNT=shift=auto QEMU_TIMEOUT=20 run_qemu loop 10 "$args"
refused "shift=auto" "^timesync: -icount shift=auto ties guest time to the host"

ICOUNT=sleep=off QEMU_TIMEOUT=20 run_qemu loop 10 "$args"
refused "-icount without a shift (QEMU then counts nothing)" "^timesync: QEMU runs without -icount"

start_peer
ICOUNT=shift=0 run_qemu loop 100000 "$args"
wait_peer
check_eq "sleep=on (default): one warning naming sleep=off" 1 \
	"$(grep -c '^timesync: warning: -icount sleep=on.*add sleep=off' "$WORK/qemu.out")"

# The default ICOUNT: shift=0,sleep=off.
start_peer
run_qemu loop 100000 "$args"
wait_peer
check_eq "sleep=off: no warning at all" 0 "$(grep -c 'warning' "$WORK/qemu.out" || true)"

start_peer
run_qemu loop 100000 "$args" -rtc clock=host
wait_peer
check_eq "-rtc clock=host: one warning" 1 \
	"$(grep -c '^timesync: warning: -rtc clock=host.*use -rtc clock=vm' "$WORK/qemu.out")"
finish
