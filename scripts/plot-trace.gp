# Draws a timesync-peer --trace file; scripts/plot-trace.sh runs it:
#   gnuplot -c plot-trace.gp TRACE OUT.png TERMINAL WIDTH HEIGHT NAME
# The trace: a "#" header, then per sync "guest_ns instructions wall_ns wait_ns".
trace = ARG1
width = int(ARG4)
height = int(ARG5)
set encoding utf8
if (ARG3 eq "pngcairo") {
	set terminal pngcairo size width,height font "Sans,10"
} else {
	set terminal png size width,height
}
set output ARG2
set grid
set key top left

stats trace using ($3 / 1e6):($1 / 1e6) name "T" nooutput
stats trace using ($4 / 1e3) name "W" nooutput

set multiplot layout 2,1 title sprintf("%s: %d syncs, %.3f ms of guest time in %.3f ms", \
	ARG6, T_records, T_max_y, T_max_x) noenhanced

set title "Guest time against wall time"
set xlabel "wall time since the participant connected (ms)"
set ylabel "guest time (ms)"
plot trace using ($3 / 1e6):($1 / 1e6) with linespoints pt 7 ps 0.4 lc rgb "#1f77b4" \
	title (T_records > 1 ? sprintf("syncs (guest runs at %.3g x real time)", T_slope) : "syncs")

set title "How long the participant held the guest at each sync"
set xlabel "sync"
set ylabel "wait (µs)"
set logscale y
set key top right opaque box
plot trace using ($0 + 1):($4 > 0 ? $4 / 1e3 : 1e-3) with impulses lc rgb "#ff7f0e" \
	title sprintf("wait per sync (mean %.1f µs, median %.1f µs, max %.1f µs)", \
		W_mean, W_median, W_max), \
	W_mean with lines dt 2 lc rgb "#444444" title "mean"
unset multiplot
