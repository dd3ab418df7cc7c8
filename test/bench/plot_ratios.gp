# plot_ratios.gp -- draws a PNG bar chart of the speed ratios of lsmcore to its
# peers from the data file db_bench writes with --dat=FILE (or, with --png
# alone, PNG.dat): one group per workload, in the order of the run, and in each
# group one bar for lsmcore/leveldb and one for lsmcore/rocksdb (ops/s of
# lsmcore divided by ops/s of the peer), with the value on top.  A dashed line
# marks 1.0: above it lsmcore is faster.  The y axis turns logarithmic when the
# largest ratio is more than 20 times the smallest.  A peer that did not run
# has NaN in its column and no bars.
#
# db_bench runs it as
#   gnuplot -e "datafile='r.dat'; outfile='r.png'; num=N; date='YYYY-MM-DD HH:MM'" \
#           plot_ratios.gp
# and it can be run by hand the same way (num and date are optional: they only
# go into the title).  Data file columns: 1 workload, 2 lsmcore/leveldb,
# 3 lsmcore/rocksdb; lines starting with # are comments.

if (!exists("datafile")) datafile = "ratios.dat"
if (!exists("outfile")) outfile = "ratios.png"

if (strstrt(GPVAL_TERMINALS, "pngcairo") > 0) {
  set terminal pngcairo size 1100,600 font "sans,11"
} else {
  set terminal png size 1100,600
}
set output outfile

# The range of the ratios (NaN entries are skipped), to choose the scale.
vmin = 1e300
vmax = 0
nrow = 0
do for [c=2:3] {
  stats datafile using c nooutput
  if (STATS_records > 0) {
    vmin = (STATS_min < vmin) ? STATS_min : vmin
    vmax = (STATS_max > vmax) ? STATS_max : vmax
  }
  nrow = (STATS_records + STATS_invalid > nrow) ? STATS_records + STATS_invalid : nrow
}
if (vmax == 0) { vmin = 1; vmax = 1 }
vmin = (vmin > 1) ? 1 : vmin     # keep the 1.0 line in view
vmax = (vmax < 1) ? 1 : vmax
if (vmin > 0 && vmax/vmin > 20) {
  set logscale y
  set yrange [vmin/1.5 : vmax*1.8]
  set ylabel "ops/s of lsmcore / ops/s of the peer (log scale)"
} else {
  set yrange [0 : vmax*1.15]
  set ylabel "ops/s of lsmcore / ops/s of the peer"
}

ttl = "lsmcore against its peers: speed ratio per workload (higher is better for lsmcore)"
sub = ""
if (exists("num")) { sub = sprintf("%d keys", num) }
if (exists("date")) { sub = sub . (strlen(sub) > 0 ? ", " : "") . date }
if (strlen(sub) > 0) { ttl = ttl . "\n" . sub }
set title ttl
set style fill solid 0.85 border -1
set boxwidth 0.38
set grid ytics lc rgb "#dddddd"
set key top left
set xrange [-0.7 : nrow - 0.3]
set xtics nomirror rotate by -30 scale 0 font ",10"
set bmargin 6
set arrow 1 from graph 0, first 1 to graph 1, first 1 nohead dt 2 lc rgb "#555555"

plot datafile using ($0 - 0.2):2:xtic(1) with boxes lc rgb "#3b6fb6" title "lsmcore / leveldb", \
     datafile using ($0 + 0.2):3 with boxes lc rgb "#e08a2c" title "lsmcore / rocksdb", \
     datafile using ($0 - 0.2):2:(sprintf("%.2f", $2)) with labels offset 0,0.6 font ",8" notitle, \
     datafile using ($0 + 0.2):3:(sprintf("%.2f", $3)) with labels offset 0,0.6 font ",8" notitle
