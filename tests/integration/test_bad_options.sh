# Bad plugin options make QEMU refuse to start, promptly, with a message naming the option.
. "$(dirname "$0")/lib.sh"

pipes="HostToGuestPipe=$H2G,GuestToHostPipe=$G2H"
# plugin arguments | part of the expected message
cases=(
	"$pipes,TimeinMicroseconds=1000,Frobnicate=1|unknown option 'Frobnicate'"
	"$pipes,TimeinMicroseconds=fast|TimeInMicroseconds=fast: not a whole number"
	"$pipes,TimeinMicroseconds=0|TimeInMicroseconds=0: the quantum must be at least 1"
	"$pipes,TimeinMicroseconds=-1000|TimeInMicroseconds=-1000: not a whole number"
	"$pipes,TimeInNanoseconds=99999999999999999999|TimeInNanoseconds=99999999999999999999"
	"GuestToHostPipe=$G2H,TimeinMicroseconds=1000|HostToGuestPipe= is missing"
	"HostToGuestPipe=$H2G,TimeinMicroseconds=1000|GuestToHostPipe= is missing"
	"$pipes|TimeInMicroseconds= \(or TimeInNanoseconds=\) is missing"
	"$pipes,TimeinMicroseconds=10,TimeinMicroseconds=20|TimeInMicroseconds given twice"
	"HostToGuestPipe=$WORK/regular,GuestToHostPipe=$G2H,TimeinMicroseconds=1|HostToGuestPipe=$WORK/regular: exists but is not a FIFO"
	"HostToGuestPipe=$H2G,GuestToHostPipe=$WORK,TimeinMicroseconds=1|GuestToHostPipe=$WORK: exists but is not a FIFO"
	"HostToGuestPipe=$WORK/no/such/dir/h2g,GuestToHostPipe=$G2H,TimeinMicroseconds=1|HostToGuestPipe=$WORK/no/such/dir/h2g: No such file or directory"
)
echo "keep me" >"$WORK/regular"
for c in "${cases[@]}"; do
	args=${c%%|*}
	message=${c#*|}
	QEMU_TIMEOUT=20 run_qemu loop 10 "$args"
	refused "'$args'" "^timesync: $message"
done
check_eq "the regular file was left alone" "keep me" "$(cat "$WORK/regular")"
finish
