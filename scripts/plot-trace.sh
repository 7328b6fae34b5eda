#!/usr/bin/env bash
# Draws a trace of timesync-peer (--trace FILE) as a PNG with gnuplot: guest time against
# wall time, and how long the guest waited at each sync.
#   scripts/plot-trace.sh TRACE OUT.png
# PLOT_SIZE=WIDTHxHEIGHT sets the size in pixels (default 900x700).
set -euo pipefail

if [ $# -ne 2 ]; then
	echo "usage: $0 TRACE OUT.png" >&2
	exit 2
fi
trace=$1 out=$2
if ! command -v gnuplot >/dev/null; then
	echo "plot-trace: gnuplot is not installed (Debian: gnuplot-nox)" >&2
	exit 1
fi
if [ ! -r "$trace" ]; then
	echo "plot-trace: cannot read $trace" >&2
	exit 1
fi
if ! grep -qv '^#' "$trace"; then
	echo "plot-trace: $trace has no syncs" >&2
	exit 1
fi
size=${PLOT_SIZE:-900x700}
if ! [[ $size =~ ^([0-9]+)x([0-9]+)$ ]]; then
	echo "plot-trace: PLOT_SIZE=$size: expected WIDTHxHEIGHT, e.g. 900x700" >&2
	exit 2
fi
width=${BASH_REMATCH[1]} height=${BASH_REMATCH[2]}
terminal=png
if gnuplot -e 'set terminal pngcairo' >/dev/null 2>&1; then
	terminal=pngcairo
fi
gnuplot -c "$(dirname "$0")/plot-trace.gp" "$trace" "$out" "$terminal" \
	"$width" "$height" "$(basename "$trace")"
