#!/bin/sh
# coverage.sh -- engine line and branch coverage (TESTPLAN J4).
# Usage: build-aux/coverage.sh [TESTS...]
# Builds ./build-cov with gcc --coverage, runs make check there (every
# test, or only the named ones, e.g. "test/check_model test/check_faults")
# and prints gcovr's summary for lsmcore/*.c (crashpoint.c, test-only
# code, excluded).  The bar is >= 90% of lines
# and >= 80% of branches; the script exits 1 below it.  Not part of make
# check (it rebuilds everything once more); run it before a release.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
sh build-aux/install-deps.sh gcovr
[ -x configure ] || autoreconf -fi
mkdir -p build-cov
cd build-cov
[ -f Makefile ] || ../configure --quiet CFLAGS="-O0 -g --coverage" \
  LDFLAGS="--coverage"
find . -name '*.gcda' -delete
make -j"$(nproc)" --no-print-directory
TMPDIR=${TMPDIR:-/tmp}
if [ $# -gt 0 ]; then
  make -j"$(nproc)" --no-print-directory check TESTS="$*" || true
else
  make -j"$(nproc)" --no-print-directory check || true
fi
# Only the test build of the engine (liblsmcore_test) runs under the tests.
gcovr -r "$top" --object-directory . --filter "$top/lsmcore/" \
  --exclude "$top/lsmcore/crashpoint.c" \
  --print-summary -o "$top/build-cov/coverage.txt" \
  | grep -E '^(lines|functions|branches):' | tee coverage-summary.txt
lines=$(sed -nE 's/^lines: ([0-9.]+)%.*/\1/p' coverage-summary.txt)
branches=$(sed -nE 's/^branches: ([0-9.]+)%.*/\1/p' coverage-summary.txt)
echo "engine coverage: lines ${lines}%, branches ${branches}% (report: build-cov/coverage.txt)"
awk -v l="$lines" -v b="$branches" 'BEGIN{ exit !(l>=90 && b>=80) }'
