#!/bin/sh
# tsan.sh -- the ThreadSanitizer run of the concurrency tests (TESTPLAN G1-G3).
#
# Builds the engine (with its test hooks), the SQLite module's sources and
# test/check_concurrency.c with clang -fsanitize=thread -g -O1 into
# build-tsan/ by direct clang commands (one object per source, rebuilt when
# the source is newer), links the system libsqlite3, libxxhash and check,
# then runs the test with TSAN_OPTIONS="halt_on_error=1
# second_deadlock_stack=1" and Check's timeouts raised.  Prints the test's
# summary.  Exits non-zero if the build fails, a test fails, or TSan
# reports anything (its log lines are searched too, since a report in a
# forked Check child must not go unnoticed).
#
# Usage: build-aux/tsan.sh [build-dir]     (default: build-tsan beside
# this script's parent).  Environment: LSMV_TEST_PROFILE (ci: 3 seeds x
# 60 s of G1, about 4 minutes in all; soak: 1 hour), LSMV_CONC_SECONDS
# (override the seconds per run), CC (default clang-14, else clang),
# TMPDIR (stores; default /dev/shm when writable).
# Needs: clang with the TSan runtime (Debian: clang libclang-rt-14-dev),
# libsqlite3-dev, libxxhash-dev, check, pkg-config.
set -eu

SRC=$(cd "$(dirname "$0")/.." && pwd)
OUT=${1:-$SRC/build-tsan}
if [ -z "${CC:-}" ]; then
  if command -v clang-14 >/dev/null 2>&1; then CC=clang-14; else CC=clang; fi
fi
command -v "$CC" >/dev/null 2>&1 || {
  echo "tsan.sh: $CC not found (apt-get install clang libclang-rt-14-dev)" >&2
  exit 2
}
PKG=$(pkg-config --cflags check libxxhash sqlite3)
LIBS=$(pkg-config --libs check libxxhash sqlite3)
CFLAGS="-std=c11 -D_GNU_SOURCE -DLSMC_TESTHOOKS -DSQLITE_CORE -fsanitize=thread
  -g -O1 -Wall -Wextra -Werror -I$SRC/lsmcore -I$SRC/test -I$SRC/ext $PKG"

SOURCES="$(cd "$SRC" && ls lsmcore/*.c) test/testutil.c
  ext/lsmvtab.c ext/table.c ext/cursor.c ext/update.c ext/txn.c
  ext/functions.c ext/keycodec.c ext/rowcodec.c ext/schema.c ext/sqltoken.c
  ext/planner.c ext/storepath.c ext/engineopts.c test/check_concurrency.c"

mkdir -p "$OUT/obj"
echo "tsan.sh: compiling with $CC -fsanitize=thread into $OUT"
OBJS=""
for s in $SOURCES; do
  o="$OUT/obj/$(echo "$s" | tr / _ | sed 's/\.c$/.o/')"
  OBJS="$OBJS $o"
  # Headers change rarely; any header newer than the object rebuilds it.
  if [ ! -f "$o" ] || [ "$SRC/$s" -nt "$o" ] \
     || [ -n "$(find "$SRC/lsmcore" "$SRC/ext" "$SRC/test" -name '*.h' \
                 -newer "$o" 2>/dev/null | head -1)" ]; then
    # shellcheck disable=SC2086
    $CC $CFLAGS -c "$SRC/$s" -o "$o"
  fi
done
# shellcheck disable=SC2086
$CC -fsanitize=thread -g $OBJS $LIBS -lm -lpthread -o "$OUT/check_concurrency"

if [ -z "${TMPDIR:-}" ] && [ -w /dev/shm ]; then TMPDIR=/dev/shm; fi
export TMPDIR
export TSAN_OPTIONS="halt_on_error=1 second_deadlock_stack=1 ${TSAN_OPTIONS:-}"
export CK_DEFAULT_TIMEOUT=${CK_DEFAULT_TIMEOUT:-1800}
export LSMV_RESULTS_DIR=${LSMV_RESULTS_DIR:-$OUT/test-results}
LOG="$OUT/check_concurrency.log"

echo "tsan.sh: running check_concurrency (profile ${LSMV_TEST_PROFILE:-ci}${LSMV_CONC_SECONDS:+, $LSMV_CONC_SECONDS s per run})"
set +e
"$OUT/check_concurrency" >"$LOG" 2>&1
rc=$?
set -e
cat "$LOG"
if grep -q "ThreadSanitizer" "$LOG"; then
  echo "tsan.sh: FAILED: ThreadSanitizer reported a problem (see $LOG)" >&2
  exit 1
fi
if [ "$rc" -ne 0 ]; then
  echo "tsan.sh: FAILED: check_concurrency exited $rc (see $LOG)" >&2
  exit 1
fi
echo "tsan.sh: passed, no ThreadSanitizer report"
