# Bar plot of wall time relative to no plugin, one cluster per workload and quantum.
# gnuplot -e "datafile='ratios.dat'; outfile='ratios.png'" ratios.gp
# datafile: a header line "group VARIANT...", then one line per cluster ("?" = missing).
if (strstrt(GPVAL_TERMINALS, "pngcairo") > 0) {
	set terminal pngcairo size 1000,560 font "sans,10"
} else {
	set terminal png size 1000,560
}
set output outfile
set datafile missing "?"
set key autotitle columnheader top left
set style data histograms
set style histogram clustered gap 1
set style fill solid 0.8 border -1
set boxwidth 1
set ylabel "wall time / wall time without plugin (median of per-round ratios)"
set title "qemu-timesync: cost of the plugin (1.00 = no plugin; dashed: targets 1.03 and 1.10)"
set grid ytics
set bmargin 4
# From just below the smallest ratio (at most 0.95), so that no bar disappears.
ymin = real(system("awk -F'\"' 'BEGIN { m = 0.95 } NR > 1 { n = split($3, v, \" \"); " . \
	"for (i = 1; i <= n; i++) if (v[i] != \"?\" && v[i] + 0 < m) m = v[i] + 0 } " . \
	"END { print m - 0.02 }' '" . datafile . "'"))
set yrange [ymin:*]
set xtics nomirror
set arrow 1 from graph 0, first 1.03 to graph 1, first 1.03 nohead dt 2 lc rgb "#2a9d2a"
set arrow 2 from graph 0, first 1.10 to graph 1, first 1.10 nohead dt 2 lc rgb "#d08000"
ncols = int(system("head -n1 '" . datafile . "' | wc -w"))
nvariants = ncols - 1
# x of bar i (0-based) in cluster j: clusters at 0, 1, ..., bars 1/(nvariants+1) wide.
barx(j, i) = j - 0.5 + (i + 1.0) / (nvariants + 1)
plot for [i=2:ncols] datafile using i:xtic(1), \
     for [i=2:ncols] datafile using (barx($0, i - 2)):i:(sprintf("%.3f", column(i))) \
         with labels offset 0,0.6 font ",8" notitle
