#!/bin/sh
# tsan.sh -- make check's step for TESTPLAN G1-G3 under ThreadSanitizer:
# runs build-aux/tsan.sh (a clang -fsanitize=thread build of the engine,
# the module and test/check_concurrency.c, in <builddir>/build-tsan) for
# the durations of LSMV_TEST_PROFILE (ci: 3 seeds x 60 s).  It makes its
# own build, so it runs in the plain build only (skipped, 77, in the
# sanitizer build, and with LSMV_SKIP_HEAVY set, as make distcheck
# does).  Environment: LSMV_BUILDDIR (set by make check).
if [ -n "${SANITIZERS:-}" ]; then
  echo "SKIP: runs in the plain build only"; exit 77
fi
if [ -n "${LSMV_SKIP_HEAVY:-}" ]; then
  echo "SKIP: LSMV_SKIP_HEAVY is set (make distcheck: the plain build ran it)"
  exit 77
fi
unset LSMV_CONC_SECONDS CC   # make check shortens the plain run; tsan.sh picks clang
exec sh "$(dirname "$0")/../build-aux/tsan.sh" "${LSMV_BUILDDIR:?}/build-tsan"
