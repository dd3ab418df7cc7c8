#!/bin/sh
# run_bench.sh -- what `make bench` runs, from the build directory: the
# engine against its peers (db_bench), the lsm table against native tables
# (sql_bench) and the instructions per get (callgrind_get.sh), each in one
# run so that the ratios compare numbers taken minutes apart on the same
# machine.  Every number printed is the median of BENCH_RUNS runs.
#
# Writes bench-results/ in the current directory:
#   engines.md, engines.png   db_bench at N = BENCH_NUM, all engines built in
#   sql.md, sql.png           sql_bench at N = BENCH_NUM (lsm, rowid, worowid)
#   callgrind.txt             instructions per get, hit and miss, per engine
#   engines-10m.md, sql-10m.md  with BENCH_LARGE=1: N = 10,000,000, one run
#   REPORT.md                 all of the above, in one page (README's table
#                             comes from it)
#   *.out                     the full output of each program
#
# Environment: BENCH_RUNS (3), BENCH_NUM (1000000), BENCH_LARGE (0),
# BENCH_SRCDIR (the source tree, for the gnuplot scripts; default: the
# directory above this script), TMPDIR (where the stores go).  It installs
# nothing: without gnuplot the tables are written and the charts skipped.
# Cost on a 2-core machine: about 25 minutes; BENCH_LARGE=1 adds about an
# hour.  Run it on a quiet machine: every other process skews the ratios.

set -u
RUNS=${BENCH_RUNS:-3}
NUM=${BENCH_NUM:-1000000}
LARGE=${BENCH_LARGE:-0}
SRC=${BENCH_SRCDIR:-$(dirname "$0")/../..}
OUT=bench-results
BENCH=test/bench
EXT=.libs/lsmvtab.so

mkdir -p "$OUT" || exit 1
status=0

# run NAME CMD...: run a step, keep its output in $OUT/NAME.out, and note a
# failure without stopping the others.
run() {
  name=$1; shift
  echo "== $name: $*"
  if "$@" >"$OUT/$name.out" 2>&1; then
    tail -n 40 "$OUT/$name.out"
  else
    echo "run_bench.sh: $name failed (see $OUT/$name.out)" >&2
    tail -n 20 "$OUT/$name.out" >&2
    status=1
  fi
}

run engines $BENCH/db_bench --num="$NUM" --runs="$RUNS" \
  --report="$OUT/engines.md" --dat="$OUT/engines.dat" \
  --png="$OUT/engines.png" --plot="$SRC/test/bench/plot_ratios.gp"
run sql $BENCH/sql_bench --num="$NUM" --runs="$RUNS" --ext="$EXT" \
  --report="$OUT/sql.md" --dat="$OUT/sql.dat" \
  --png="$OUT/sql.png" --plot="$SRC/test/bench/plot_sql.gp"
run callgrind env NUM="$NUM" sh "$SRC/test/bench/callgrind_get.sh" $BENCH/db_bench
cp "$OUT/callgrind.out" "$OUT/callgrind.txt" 2>/dev/null

if [ "$LARGE" = 1 ]; then
  run engines-10m $BENCH/db_bench --num=10000000 --runs=1 \
    --report="$OUT/engines-10m.md"
  run sql-10m $BENCH/sql_bench --num=10000000 --runs=1 --ext="$EXT" \
    --benchmarks=fillrandom,overwrite --report="$OUT/sql-10m.md"
fi

{
  echo "# lsmvtab benchmarks"
  echo
  for f in engines sql engines-10m sql-10m; do
    [ -f "$OUT/$f.md" ] && { cat "$OUT/$f.md"; echo; }
  done
  if [ -f "$OUT/callgrind.txt" ]; then
    echo "## Instructions per get (callgrind)"
    echo
    echo '```'
    cat "$OUT/callgrind.txt"
    echo '```'
  fi
} >"$OUT/REPORT.md"
echo "== wrote $OUT/REPORT.md"
exit $status
