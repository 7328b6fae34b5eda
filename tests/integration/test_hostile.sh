# Hostile paths and participants that talk nonsense: a clear error, QEMU refuses or ends
# promptly, and nothing is overwritten or deleted.
. "$(dirname "$0")/lib.sh"

ROGUE="$BUILD/tests/rogue_peer"
q=1000000
echo precious >"$WORK/file"
mkdir "$WORK/dir"
ln -s "$WORK/nothing/there" "$WORK/dangling"
long="$WORK/$(printf 'x%.0s' $(seq 1 300))/$(printf 'y%.0s' $(seq 1 300))/$(printf 'z%.0s' $(seq 1 300))/$(printf 'w%.0s' $(seq 1 300))/$(printf 'v%.0s' $(seq 1 300))/$(printf 'u%.0s' $(seq 1 300))/$(printf 't%.0s' $(seq 1 300))/$(printf 's%.0s' $(seq 1 300))/$(printf 'r%.0s' $(seq 1 300))/$(printf 'q%.0s' $(seq 1 300))/$(printf 'p%.0s' $(seq 1 300))/$(printf 'o%.0s' $(seq 1 300))/$(printf 'n%.0s' $(seq 1 300))/$(printf 'm%.0s' $(seq 1 300))/pipe"

# FIFO paths
for c in "file|exists but is not a FIFO" "dir|exists but is not a FIFO" \
	"dangling|is a symbolic link to nothing"; do
	name=${c%%|*}
	QEMU_TIMEOUT=20 run_qemu loop 10 "HostToGuestPipe=$WORK/$name,GuestToHostPipe=$G2H,TimeInNanoseconds=$q"
	refused "HostToGuestPipe is a $name" "^timesync: HostToGuestPipe=$WORK/$name: ${c#*|}"
done
QEMU_TIMEOUT=20 run_qemu loop 10 "HostToGuestPipe=$H2G,GuestToHostPipe=$long,TimeInNanoseconds=$q"
refused "GuestToHostPipe too long" "^timesync: GuestToHostPipe=.*: File name too long"

# Socket and shared-memory paths
for transport in socket shm; do
	QEMU_TIMEOUT=20 run_qemu loop 10 "transport=$transport,path=$WORK/file,TimeInNanoseconds=$q"
	refused "$transport path is a regular file" "^timesync: transport=$transport path=$WORK/file: "
	QEMU_TIMEOUT=20 run_qemu loop 10 "transport=$transport,path=$WORK/dir,TimeInNanoseconds=$q"
	refused "$transport path is a directory" "^timesync: transport=$transport path=$WORK/dir: "
	QEMU_TIMEOUT=20 run_qemu loop 10 "transport=$transport,path=$long,TimeInNanoseconds=$q"
	refused "$transport path too long" "^timesync: transport=$transport path=.*: "
done
QEMU_TIMEOUT=20 run_qemu loop 10 "transport=socket,path=$WORK/$(printf 'k%.0s' $(seq 1 120)),TimeInNanoseconds=$q"
refused "socket path longer than a socket address holds" "^timesync: transport=socket path=.*: File name too long"

# A directory we may not write to (as an unprivileged user; root may write anywhere).
if command -v setpriv >/dev/null && id nobody >/dev/null 2>&1; then
	mkdir "$WORK/locked" && chmod 755 "$WORK" && chmod 555 "$WORK/locked"
	QEMU_STATUS=0
	timeout -k 2 20 setpriv --reuid=nobody --regid=nogroup --clear-groups \
		"${QEMU_ENV[@]}" "$QEMU_RISCV64" -M virt -bios none -display none -monitor none -serial null \
		-icount shift=0,sleep=off -kernel "$BUILD/guests/loop.elf" \
		-plugin "$PLUGIN,HostToGuestPipe=$WORK/locked/h2g,GuestToHostPipe=$WORK/locked/g2h,TimeInNanoseconds=$q" \
		</dev/null >"$WORK/qemu.out" 2>&1 || QEMU_STATUS=$?
	refused "pipe in a directory without write permission" "^timesync: HostToGuestPipe=$WORK/locked/h2g: Permission denied"
fi

check_eq "the regular file is intact" precious "$(cat "$WORK/file")"
check_eq "the directory is intact" "" "$(ls -A "$WORK/dir")"
if [ -L "$WORK/dangling" ] && [ ! -e "$WORK/nothing" ]; then
	pass "the dangling symlink is intact and nothing was created behind it"
else
	fail "the dangling symlink was changed or followed"
fi

# Participants that talk nonsense (protocol 2): junk instead of HELLO, junk instead of a
# grant, a grant in the past. QEMU ends with a message naming the problem.
for mode in garbage junk past; do
	timeout -k 2 30 "$ROGUE" participant socket "$WORK/link" $mode >"$WORK/rogue.out" 2>&1 &
	rogue=$!
	QEMU_TIMEOUT=30 run_qemu loop 10000000 "transport=socket,path=$WORK/link,protocol=2,TimeInNanoseconds=$q"
	wait $rogue || true
	case $mode in
	garbage) message="^timesync: cannot connect on transport=socket path=$WORK/link: the other end broke the protocol \(undecodable record" ;;
	junk) message="^timesync: no answer on transport=socket path=$WORK/link: the other end broke the protocol \(undecodable record" ;;
	past) message="^timesync: the participant on transport=socket path=$WORK/link broke the protocol: RUN_UNTIL [0-9]+ is not after [0-9]+$" ;;
	esac
	if [ "$QEMU_STATUS" -eq 1 ]; then pass "$mode: QEMU ends with status 1"; else fail "$mode: QEMU status $QEMU_STATUS"; fi
	check_grep "$mode: message" "$message" "$WORK/qemu.out"
done
check_grep "a grant in the past: the participant is told" "^rogue_peer: got GOODBYE \(error: RUN_UNTIL [0-9]+ is not after [0-9]+\)" "$WORK/rogue.out"
finish
