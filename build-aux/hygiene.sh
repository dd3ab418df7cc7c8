#!/bin/sh
# hygiene.sh -- static and dynamic hygiene (TESTPLAN J1-J3), run by make check.
# Usage: build-aux/hygiene.sh BUILDDIR
#   BUILDDIR  a configured plain gcc build whose check programs are built
#             (its test/check_* binaries run under valgrind).
# Steps, each one line "PASS: ..." or "FAIL: ...":
#   J1  every source compiles without a warning (-Wall -Wextra -Werror) with
#       gcc and with clang, and with gcc at -O2 -D_FORTIFY_SOURCE=2;
#   J2  cppcheck, clang-tidy (bugprone-*, clang-analyzer-*, cert-*; the
#       checks turned off are listed with their reasons in .clang-tidy) over
#       the engine, the module and lsmctl, once as shipped and once with
#       the test hooks (-DLSMC_TESTHOOKS), and scan-build over a fresh clang
#       build of the library targets and lsmctl (in a temporary directory);
#   J3  valgrind memcheck over every Check program of Makefile.am's
#       UNIT_TESTS and EXT_TESTS (CK_FORK=no), with the iteration counts of
#       the quick profile below: no error, nothing definitely lost.
# Ends with "N passed, N failed"; exits 1 on any failure.  Findings and
# logs go to $LSMV_RESULTS_DIR/hygiene (default BUILDDIR/test-results/
# hygiene); valgrind-NAME.log holds each program's report and its time.
# HYG_JOBS (default 2) clang-tidy processes run at once.
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
build=$(cd "${1:?usage: hygiene.sh BUILDDIR}" && pwd)
res=${LSMV_RESULTS_DIR:-$build/test-results}/hygiene
mkdir -p "$res"
npass=0
nfail=0
pass(){ echo "PASS: $*"; npass=$((npass+1)); }
fail(){ echo "FAIL: $*"; nfail=$((nfail+1)); }

cd "$top"
INC="-Ilsmcore -Iext -Itest $(pkg-config --cflags sqlite3 libxxhash check)"
ENGINE=$(ls lsmcore/*.c)
EXT=$(ls ext/*.c)
CTL=$(ls ext/lsmctl/*.c)   # the lsmctl tool
TESTS="$(ls test/*.c) $(ls test/examples/*.c)"   # tests, README's C example
# The module's sources also compile as part of a test program (SQLITE_CORE).
compile_all(){  # compile_all CC FLAGS... ; prints failing files
  cc=$1; shift
  for f in $ENGINE $EXT $CTL $TESTS; do
    extra=""
    case $f in test/*) extra="-DSQLITE_CORE -DLSMC_TESTHOOKS";; esac
    $cc -std=c11 -D_GNU_SOURCE -Wall -Wextra -Werror "$@" $extra $INC \
      -c "$f" -o /dev/null >>"$res/j1-$cc.log" 2>&1 || echo "$f"
  done
}

# ------------------------------------------------------------------ J1
: >"$res/j1-gcc.log"; : >"$res/j1-clang.log"
bad=$(compile_all gcc -g -O0)
[ -z "$bad" ] && pass "J1 gcc -Wall -Wextra -Werror" || fail "J1 gcc: $bad (see $res/j1-gcc.log)"
bad=$(compile_all gcc -O2 -D_FORTIFY_SOURCE=2)
[ -z "$bad" ] && pass "J1 gcc -O2 -D_FORTIFY_SOURCE=2" || fail "J1 gcc -O2 fortify: $bad"
bad=$(compile_all clang -g -O1)
[ -z "$bad" ] && pass "J1 clang -Wall -Wextra -Werror" || fail "J1 clang: $bad (see $res/j1-clang.log)"
bad=$(compile_all clang -g -O1 -DLSMC_TESTHOOKS)
[ -z "$bad" ] && pass "J1 clang with test hooks" || fail "J1 clang test hooks: $bad"

# ------------------------------------------------------------------ J2
if cppcheck --error-exitcode=1 --enable=warning,portability --std=c11 \
     -D_GNU_SOURCE -q --inline-suppr -Ilsmcore -Iext lsmcore ext \
     >"$res/cppcheck.log" 2>&1; then
  pass "J2 cppcheck"
else
  fail "J2 cppcheck (see $res/cppcheck.log)"; cat "$res/cppcheck.log"
fi
# clang-tidy reads its checks from .clang-tidy at the top of the tree.  One
# process per file: clang-tidy-14 given several files carries analyzer
# state from one file into the next (it reported an uninitialized va_list
# after every va_start in error.c, db.c and check.c when run on them after
# another file, and nothing when run on them alone).
tidy_all(){  # tidy_all NAME FLAGS... ; logs to $res/NAME.log
  rm -rf "$res/$1.d"; mkdir -p "$res/$1.d"
  d=$res/$1.d; shift
  TIDY_FLAGS="-std=c11 -D_GNU_SOURCE $* $INC" TIDY_DIR=$d; export TIDY_FLAGS TIDY_DIR
  printf '%s\n' $ENGINE $EXT $CTL | xargs -P "${HYG_JOBS:-2}" -I{} sh -c \
    'clang-tidy-14 --quiet "$1" -- $TIDY_FLAGS >"$TIDY_DIR/$(echo "$1" | tr / _).log" 2>&1' _ {}
  cat "$d"/*.log
  rm -rf "$d"
}
tidy_all clang-tidy >"$res/clang-tidy.log" 2>&1
tidy_all clang-tidy-hooks -DLSMC_TESTHOOKS >"$res/clang-tidy-hooks.log" 2>&1
if ! grep -q -E "warning:|error:" "$res/clang-tidy.log" "$res/clang-tidy-hooks.log"
then
  pass "J2 clang-tidy (as shipped and with -DLSMC_TESTHOOKS)"
else
  fail "J2 clang-tidy (see $res/clang-tidy.log, $res/clang-tidy-hooks.log)"
  grep -h -E "warning:|error:" "$res/clang-tidy.log" "$res/clang-tidy-hooks.log" \
    | sort -u | head -40
fi
# scan-build: the clang static analyzer over a fresh clang build of the
# engine (as shipped and with the test hooks) and the module.
sb=$(mktemp -d "${TMPDIR:-/tmp}/hyg-scan.XXXXXX")
rm -rf "$res/scan-build"
if (cd "$sb" && "$top/configure" --quiet CC=clang >"$res/scan-build.log" 2>&1 \
    && scan-build-14 --status-bugs -o "$res/scan-build" \
         make -j"${HYG_JOBS:-2}" liblsmcore.la liblsmcore_test.la lsmvtab.la lsmctl \
         >>"$res/scan-build.log" 2>&1); then
  pass "J2 scan-build"
else
  fail "J2 scan-build (see $res/scan-build.log)"
  grep -E "warning:|error:|bugs found" "$res/scan-build.log" | head -40
fi
rm -rf "$sb"

# ------------------------------------------------------------------ J3
# The unit-test Check programs: Makefile.am's UNIT_TESTS and the module's
# part tests.  Left out, each for its reason (they run under ASan, UBSan
# and LSan in the sanitizer build instead): check_compaction, check_wal
# and check_sst (their every-offset and large-value loops), and the fault,
# crash, kill, corruption, differential, concurrency and SQL harnesses
# (tens of minutes under valgrind even at small counts), and
# check_keycodec (valgrind computes x87 long double at 64 bits, so
# SQLite's own exact int/real comparison, which the test uses as its
# oracle, answers differently there).
progs=$(awk '/^UNIT_TESTS *=/ { f = 1 }
             f { print; if( $0 !~ /\\$/ ) f = 0 }' "$top/Makefile.am" \
        | tr -s ' \t\\' '\n\n\n' | grep '^test/check_' \
        | grep -v -E 'check_(compaction|faults|crash|wal|sst)$')
progs="$progs test/check_rowcodec test/check_schema test/check_storepath"
# The quick profile: the long tests run a few seeds / fewer keys / every
# tenth crash point under valgrind (each variable is read by one test
# program; defaults unchanged without it).
export LSMC_MODEL_SEEDS=3 LSMC_TXN_SEEDS=3 LSMC_COMMIT_SEEDS=3
export DIFFTEST_STATEMENTS=3000 LSMC_BLOOM_KEYS=100000 LSMC_DBITER_SEEDS=5
export LSMC_CRASH_STRIDE=10
export LSMV_TEST_PROFILE=quick CK_FORK=no
export CK_DEFAULT_TIMEOUT=3000 TMPDIR=${TMPDIR:-/tmp}
vbad=""
vn=0
t0=$(date +%s)
for p in $progs; do
  t=$build/$p
  name=$(basename "$p")
  if [ ! -x "$t" ]; then
    vbad="$vbad $name(not built)"; continue
  fi
  vn=$((vn+1))
  ts=$(date +%s)
  if ! valgrind -q --error-exitcode=99 --leak-check=full \
       --errors-for-leak-kinds=definite --track-fds=no \
       "$t" >"$res/valgrind-$name.log" 2>&1; then
    vbad="$vbad $name"
  fi
  echo "hygiene: $name took $(($(date +%s)-ts)) s under valgrind" \
    >>"$res/valgrind-$name.log"
done
t1=$(date +%s)
[ -z "$vbad" ] \
  && pass "J3 valgrind memcheck over $vn Check programs ($((t1-t0)) s)" \
  || fail "J3 valgrind:$vbad (see $res/valgrind-*.log)"

echo "$npass passed, $nfail failed"
[ "$nfail" -eq 0 ]
