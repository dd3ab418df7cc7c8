# plot_sql.gp -- draws the PNG bar chart of sql_bench: per workload (one
# group on the x axis, in the order of the data file), two bars: the lsm
# table's ops/s over the native WITHOUT ROWID table's (lsm/worowid) and over
# the native rowid table's (lsm/rowid), each with its value on top.  A dashed
# line marks 1.0 (as fast as native); above it the lsm table is faster.  The
# y axis turns logarithmic when the largest ratio is more than 20 times the
# smallest.  A ratio written as NaN (a table that did not run) draws no bar.
#
# sql_bench runs it when given --png=FILE, as
#   gnuplot -e "datafile='DAT'; outfile='PNG'; num=N; runs=R" plot_sql.gp
# and it can be run by hand the same way on a file from --dat=FILE (num and
# runs are optional: they only go into the title).  Data file columns:
# 1 workload, 2 lsm/worowid, 3 lsm/rowid, 4-6 the ops/s of lsm, rowid and
# worowid (sql_bench names them in the file's comment lines).

if (!exists("datafile")) datafile = "sql.dat"
if (!exists("outfile")) outfile = "sql.png"

if (strstrt(GPVAL_TERMINALS, "pngcairo") > 0) {
  set terminal pngcairo size 1000,600 font "sans,11"
} else {
  set terminal png size 1000,600
}
set output outfile

# The range of the ratios and 1.0, to choose the scale.  NaN is no data
# point to stats, which leaves STATS_min unset for a column of NaN only.
vmin = 1
vmax = 1
do for [c=2:3] {
  undefine STATS_*
  stats datafile using (column(c) > 0 ? column(c) : NaN) nooutput
  if (exists("STATS_min")) {
    vmin = (STATS_min < vmin) ? STATS_min : vmin
    vmax = (STATS_max > vmax) ? STATS_max : vmax
  }
}
if (vmax/vmin > 20) {
  set logscale y
  set yrange [vmin/1.6 : vmax*1.8]
  set ylabel "lsm ops/s / native ops/s (log scale)"
} else {
  set yrange [0 : vmax*1.18]
  set ylabel "lsm ops/s / native ops/s"
}

ttl = "sql\\_bench: the lsm table against native SQLite tables at equal memory"
if (exists("num")) {
  ttl = ttl . sprintf("\n%d rows", num)
  if (exists("runs")) {
    ttl = ttl . sprintf(", median of %d run%s", runs, runs > 1 ? "s" : "")
  }
  ttl = ttl . "; above 1: lsm faster"
}
set title ttl
set style fill solid 0.85 border -1
set boxwidth 0.38
set grid ytics lc rgb "#dddddd"
set key tmargin center horizontal
set xtics nomirror scale 0 rotate by -30 font ",10"
set xrange [-0.7 : *]
set offsets 0, 0.7, 0, 0
set bmargin 5

# A bar's label: two decimals, three below 0.1.
fmt(v) = (v < 0.1) ? sprintf("%.3f", v) : sprintf("%.2f", v)

# The dashed line at 1.0.
set arrow 1 from graph 0, first 1 to graph 1, first 1 nohead dt 2 lw 1.5 \
    lc rgb "#555555" back

plot datafile using ($0 - 0.2):2:xtic(1) with boxes lc rgb "#3b6fb6" \
       title "lsm / native WITHOUT ROWID", \
     datafile using ($0 + 0.2):3 with boxes lc rgb "#e08a2c" \
       title "lsm / native rowid", \
     datafile using ($0 - 0.2):2:(fmt($2)) with labels \
       offset 0,0.7 font ",8" notitle, \
     datafile using ($0 + 0.2):3:(fmt($3)) with labels \
       offset 0,0.7 font ",8" notitle
