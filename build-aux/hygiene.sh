#!/bin/sh
# hygiene.sh -- static and dynamic hygiene (TESTPLAN J1-J3), run by make check.
# Usage: build-aux/hygiene.sh BUILDDIR
#   BUILDDIR  a configured plain gcc build whose check programs are built
#             (its test/check_* binaries run under valgrind).
# Steps, each one line "PASS: ..." or "FAIL: ...":
#   J1  every source compiles without a warning (-Wall -Wextra -Werror) with
#       gcc and with clang, and with gcc at -O2 -D_FORTIFY_SOURCE=2;
#   J2  cppcheck, clang-tidy (bugprone-*, clang-analyzer-*, cert-*; the
#       checks turned off are listed with their reasons in .clang-tidy) and
#       scan-build over the engine and the module;
#   J3  valgrind memcheck over every Check program (CK_FORK=no), with the
#       iteration counts of the quick profile: no error, nothing definitely
#       lost.
# Ends with "N passed, N failed"; exits 1 on any failure.  Findings and
# logs go to $LSMV_RESULTS_DIR/hygiene (default test-results/hygiene).
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
TESTS=$(ls test/*.c)
# The module's sources also compile as part of a test program (SQLITE_CORE).
compile_all(){  # compile_all CC FLAGS... ; prints failing files
  cc=$1; shift
  for f in $ENGINE $EXT $TESTS; do
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
# clang-tidy reads its checks from .clang-tidy at the top of the tree.
if clang-tidy-14 --quiet $ENGINE $EXT -- -std=c11 -D_GNU_SOURCE $INC \
     >"$res/clang-tidy.log" 2>&1 \
   && ! grep -q -E "warning:|error:" "$res/clang-tidy.log"; then
  pass "J2 clang-tidy"
else
  fail "J2 clang-tidy (see $res/clang-tidy.log)"
  grep -E "warning:|error:" "$res/clang-tidy.log" | head -40
fi
# scan-build: the clang static analyzer over a fresh build of the engine
# and the module (the library targets only).
sb="$build/scan-build"
rm -rf "$sb"; mkdir -p "$sb"
if (cd "$sb" && "$top/configure" --quiet CC=clang >/dev/null 2>&1 \
    && scan-build-14 --status-bugs -o "$res/scan-build" \
         make -j2 liblsmcore.la lsmvtab.la >"$res/scan-build.log" 2>&1); then
  pass "J2 scan-build"
else
  fail "J2 scan-build (see $res/scan-build.log)"
  grep -E "warning:|bugs found" "$res/scan-build.log" | head -40
fi
rm -rf "$sb"

# ------------------------------------------------------------------ J3
# The quick profile: the long model tests run a few seeds under valgrind.
export LSMC_MODEL_SEEDS=3 LSMC_TXN_SEEDS=3 LSMC_COMMIT_SEEDS=3
export DIFFTEST_STATEMENTS=3000 LSMV_TEST_PROFILE=quick CK_FORK=no
export CK_DEFAULT_TIMEOUT=3000 TMPDIR=${TMPDIR:-/tmp}
vbad=""
for t in "$build"/test/check_*; do
  [ -x "$t" ] || continue
  name=$(basename "$t")
  case $name in *.*) continue;; esac
  if ! valgrind -q --error-exitcode=99 --leak-check=full \
       --errors-for-leak-kinds=definite --track-fds=no \
       "$t" >"$res/valgrind-$name.log" 2>&1; then
    vbad="$vbad $name"
  fi
done
[ -z "$vbad" ] && pass "J3 valgrind memcheck over every Check program" \
  || fail "J3 valgrind:$vbad (see $res/valgrind-*.log)"

echo "$npass passed, $nfail failed"
[ "$nfail" -eq 0 ]
