#!/bin/sh
# test.sh -- quick-start command (2): the whole test suite (make check).
# Usage: build-aux/test.sh [--sanitizers]
#   --sanitizers  build in ./build-san with AddressSanitizer and
#                 UndefinedBehaviorSanitizer and run the suite there.
# Installs missing packages, bootstraps and configures as needed.  Stores
# created by the tests go to $LSMC_TEST_TMPDIR, by default /dev/shm when it
# is writable (crash tests simulate power loss themselves, so they need no
# real fsync), else /tmp.
# The plain run then runs make distcheck (the tarball builds out of tree
# from a read-only source, passes make check without the fuzz, TSan and
# hygiene steps just run, installs, uninstalls and cleans completely): its
# output goes to build/make-distcheck.log, and it counts as one test in the
# summary (build/distcheck.trs).  LSMV_SKIP_DISTCHECK=1 leaves it out.
set -e
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
dir=build
flags=""
if [ "${1:-}" = "--sanitizers" ]; then
  dir=build-san
  flags="--enable-sanitizers"
fi
# The suite also builds with clang (fuzzing, TSan) and runs valgrind,
# cppcheck, clang-tidy, scan-build and strace.
sh build-aux/install-deps.sh clang libclang-rt-14-dev valgrind cppcheck \
  clang-tidy clang-tools strace
[ -x configure ] || autoreconf -fi
mkdir -p "$dir"
cd "$dir"
[ -f Makefile ] || ../configure --quiet $flags
make -j"$(nproc)" --no-print-directory
if [ -z "${LSMC_TEST_TMPDIR:-}" ]; then
  if [ -d /dev/shm ] && [ -w /dev/shm ]; then LSMC_TEST_TMPDIR=/dev/shm; else LSMC_TEST_TMPDIR=/tmp; fi
fi
TMPDIR=$LSMC_TEST_TMPDIR
export TMPDIR
status=0
rm -f distcheck.trs distcheck.log
make -j"$(nproc)" --no-print-directory check || status=$?
if [ "$dir" = build ] && [ -z "${LSMV_SKIP_DISTCHECK:-}" ]; then
  t0=$(date +%s)
  if make -j"$(nproc)" --no-print-directory distcheck >make-distcheck.log 2>&1
  then
    res=PASS
  else
    res=FAIL
    status=1
  fi
  echo "$res: make distcheck ($(($(date +%s) - t0)) s, log in $dir/make-distcheck.log)" \
    | tee distcheck.log
  [ "$res" = PASS ] || tail -n 30 make-distcheck.log
  echo ":test-result: $res" >distcheck.trs
fi
sh "$top/build-aux/ci-summary.sh" .
exit $status
