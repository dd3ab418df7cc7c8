# plot_strategies.gp -- draws strategies.png from strategies.dat, the output of
# `db_bench --benchmarks=strategies`: a grouped bar chart, one group per
# amplification (write amp, write amp without the WAL, read amp in SSTables
# consulted per get, space amp) and, in each group, one bar per compaction
# strategy (the rows of the data file, in order: leveled, tiered, fifo), with
# its value on top.  The y axis turns logarithmic when the largest value is
# more than 20 times the smallest.
#
# db_bench runs it as
#   gnuplot -e "datafile='DIR/strategies.dat'; outfile='DIR/strategies.png';
#               num=N; reads=R" plot_strategies.gp
# and it can be run by hand the same way (num and reads are optional: they
# only go into the title).  Data file columns: 1 strategy, 2 write_amp,
# 3 write_amp_without_wal, 4 read_amp_sst_per_get, 6 space_amp (db_bench
# documents the rest in the file's comment lines).

if (!exists("datafile")) datafile = "strategies.dat"
if (!exists("outfile")) outfile = "strategies.png"

if (strstrt(GPVAL_TERMINALS, "pngcairo") > 0) {
  set terminal pngcairo size 1000,600 font "sans,11"
} else {
  set terminal png size 1000,600
}
set output outfile

# The groups: data column and label of each.
array acol[4] = [2, 3, 4, 6]
array aname[4] = ["write amp", "write amp without WAL", "read amp (SSTables/get)", "space amp"]
gap = 4                          # x distance between two groups (3 bars + 1)

# The range of the values, to choose the scale.
vmin = 1e300
vmax = 0
do for [g=1:4] {
  stats datafile using acol[g] nooutput
  vmin = (STATS_min < vmin) ? STATS_min : vmin
  vmax = (STATS_max > vmax) ? STATS_max : vmax
}
if (vmin > 0 && vmax/vmin > 20) {
  set logscale y
  set yrange [vmin/1.5 : vmax*1.6]
  set ylabel "amplification (x, log scale)"
} else {
  set yrange [0 : vmax*1.18]
  set ylabel "amplification (x)"
}

ttl = "lsmcore compaction strategies: write, read and space amplification"
if (exists("num") && exists("reads")) {
  ttl = ttl . sprintf("\n%d random keys written twice (fillrandom + overwrite), %d random gets", num, reads)
}
set title ttl
set style fill solid 0.85 border -1
set boxwidth 0.9
set grid ytics lc rgb "#dddddd"
set key off
set xrange [-0.8 : 4*gap - 1.2]
set xtics nomirror scale 0 font ",10"
set bmargin 5

# One colour per strategy (row 0, 1, 2).
set linetype 1 lc rgb "#3b6fb6"
set linetype 2 lc rgb "#e08a2c"
set linetype 3 lc rgb "#4a9a4a"

# Group names under the strategy names; a dashed line at 1 (no amplification).
do for [g=1:4] {
  set label g aname[g] at first (g-1)*gap + 1, graph -0.09 center font ",11"
}
set arrow 1 from graph 0, first 1 to graph 1, first 1 nohead dt 2 lc rgb "#888888"

plot for [g=1:4] datafile using ((g-1)*gap + $0):(column(acol[g])):($0+1):xtic(1) \
       with boxes lc variable, \
     for [g=1:4] datafile using ((g-1)*gap + $0):(column(acol[g])): \
       (sprintf("%.2f", column(acol[g]))) with labels offset 0,0.7 font ",9"
