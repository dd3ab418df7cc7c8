#!/bin/sh
# test.sh -- quick-start command (2): the whole test suite (make check).
# Usage: build-aux/test.sh [--sanitizers]
#   --sanitizers  build in ./build-san with AddressSanitizer and
#                 UndefinedBehaviorSanitizer and run the suite there.
# Installs missing packages, bootstraps and configures as needed.  Stores
# created by the tests go to $LSMC_TEST_TMPDIR, by default /dev/shm when it
# is writable (crash tests simulate power loss themselves, so they need no
# real fsync), else /tmp.
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
make -j"$(nproc)" --no-print-directory check || status=$?
sh "$top/build-aux/ci-summary.sh" .
exit $status
