#!/usr/bin/env bash
# Merges a guest's UART output and a participant's output (examples/ns3, examples/systemc)
# into one listing in guest-time order, every line starting with its time "[t=<ms> ms]".
#   interleave.sh UART_FILE PARTICIPANT_OUTPUT
# Guest lines "t=<hex>" (guests/clock.S: the guest's clock in 100 ns ticks) carry their
# time; other guest lines take the time of the guest line before them. The participant's
# lines start with their time already; its lines without one (the summary) come last.
set -euo pipefail
if [ $# -ne 2 ]; then
	echo "usage: $0 UART_FILE PARTICIPANT_OUTPUT" >&2
	exit 2
fi
# Each line becomes "ns <TAB> order <TAB> text"; a stable numeric sort on ns keeps the
# order of lines with the same time.
awk '
function hex(s,    v, i) {
	v = 0
	for (i = 1; i <= length(s); i++)
		v = v * 16 + index("0123456789abcdef", substr(s, i, 1)) - 1
	return v
}
function stamp(ns) { return sprintf("[t=%.0f.%06.0f ms]", int(ns / 1e6), ns % 1e6) }
FNR == NR {
	if ($0 ~ /^t=[0-9a-f]+$/)
		guest_ns = hex(substr($0, 3)) * 100
	printf "%.0f\t%d\t%s guest: %s\n", guest_ns, NR, stamp(guest_ns), $0
	next
}
/^\[t=[0-9]+\.[0-9]+ ms\] / {
	split(substr($1, 4), ms, ".")
	printf "%.0f\t%d\t%s\n", ms[1] * 1e6 + ms[2], NR, $0
	next
}
{ printf "%.0f\t%d\t%s\n", 2^62, NR, $0 }
' "$1" "$2" | sort -s -t "$(printf '\t')" -k1,1n -k2,2n | cut -f3-
