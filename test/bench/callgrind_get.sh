#!/bin/sh
# callgrind_get.sh -- instructions per point lookup (get) of each engine
# db_bench was built with (lsmcore, and LevelDB and RocksDB if compiled in),
# counted by valgrind's callgrind, which is free of timing noise.
#
# For each engine: fill NUM keys natively (db_bench --benchmarks=fillrandom
# --keep=1 --db=DIR), then run db_bench under
#   valgrind --tool=callgrind --collect-atstart=no --toggle-collect=benchGetLoop
# twice on that store (--use_existing_db=1, --fork=0 so that the gets run in
# the process valgrind watches): once with readhit (an untimed warm-up scan,
# outside the collected function, fills the block cache and collects the keys
# present; then GETS gets of random present keys) and once with readmissing
# (GETS gets of keys never written).  benchGetLoop is the noinline loop of
# db_bench.c that does the gets and nothing else, so the count is the
# engine's get plus a few dozen instructions of key generation per call.
# Prints the total Ir (the "totals:" line of the callgrind output) divided by
# GETS, for hit and miss, one line per engine.
#
# Usage: test/bench/callgrind_get.sh [path/to/db_bench]
# Environment: NUM (default 1000000) keys to fill, GETS (default 100000)
# gets per case, TMPDIR for the stores (removed at the end).
# Cost at NUM=1000000: about 2-4 minutes of CPU per engine.

set -u
DB_BENCH=${1:-./test/bench/db_bench}
NUM=${NUM:-1000000}
GETS=${GETS:-100000}

if [ ! -x "$DB_BENCH" ]; then
  echo "callgrind_get.sh: $DB_BENCH is not an executable (give its path)" >&2
  exit 1
fi
if ! command -v valgrind >/dev/null 2>&1; then
  echo "callgrind_get.sh: valgrind not found: apt-get install valgrind" >&2
  exit 1
fi

WORK=$(mktemp -d "${TMPDIR:-/tmp}/callgrind_get-XXXXXX") || exit 1
trap 'rm -rf "$WORK"' EXIT INT TERM

# The "totals:" (else "summary:") Ir count of callgrind output file $1.
totals() {
  awk '/^totals:/ { t = $2 } /^summary:/ { s = $2 }
       END { if (t != "") print t; else if (s != "") print s; else print 0 }' "$1"
}

# Run the gets of workload $2 on the store of engine $1 under callgrind and
# print Ir per get; $3 names the case in messages.
count() {
  out="$WORK/callgrind.$1.$2"
  valgrind --tool=callgrind --collect-atstart=no \
      --toggle-collect=benchGetLoop --callgrind-out-file="$out" \
      "$DB_BENCH" --engines="$1" --fork=0 --benchmarks="$2" \
      --num="$NUM" --reads="$GETS" --use_existing_db=1 --db="$WORK/db" \
      >"$WORK/log.$1.$2" 2>&1
  if [ $? -ne 0 ] || [ ! -s "$out" ]; then
    echo "callgrind_get.sh: $1 $3 failed; see below" >&2
    tail -5 "$WORK/log.$1.$2" >&2
    echo "-"
    return
  fi
  grep "^$1 .* $2 " "$WORK/log.$1.$2" | sed 's/^/  /' >&2
  awk -v ir="$(totals "$out")" -v n="$GETS" 'BEGIN { printf "%.0f", ir / n }'
}

echo "instructions per get: $NUM keys written by fillrandom, $GETS gets per case"
printf '%-10s %14s %14s\n' engine "hit Ir/get" "miss Ir/get"
for engine in lsmcore leveldb rocksdb; do
  rm -rf "$WORK/db"
  if ! "$DB_BENCH" --engines="$engine" --benchmarks=fillrandom --num="$NUM" \
       --keep=1 --db="$WORK/db" >"$WORK/fill.$engine" 2>&1; then
    if grep -q "not built" "$WORK/fill.$engine"; then
      printf '%-10s %s\n' "$engine" "not built: skipped"
    else
      echo "callgrind_get.sh: fill of $engine failed:" >&2
      tail -5 "$WORK/fill.$engine" >&2
    fi
    continue
  fi
  hit=$(count "$engine" readhit hit)
  miss=$(count "$engine" readmissing miss)
  printf '%-10s %14s %14s\n' "$engine" "$hit" "$miss"
done
