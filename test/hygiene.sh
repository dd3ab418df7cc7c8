#!/bin/sh
# hygiene.sh -- make check's step for TESTPLAN J1-J3: runs
# build-aux/hygiene.sh (warnings with gcc and clang, cppcheck, clang-tidy,
# scan-build, valgrind) against this build.  It makes builds of its own, so
# it runs once per CI run: in the plain build, skipped (77) in the
# sanitizer build and with LSMV_SKIP_HEAVY set (make distcheck).
# Environment: LSMV_BUILDDIR (set by make check).
if [ -n "${SANITIZERS:-}" ]; then
  echo "SKIP: runs in the plain build only"; exit 77
fi
if [ -n "${LSMV_SKIP_HEAVY:-}" ]; then
  echo "SKIP: LSMV_SKIP_HEAVY is set (make distcheck: the plain build ran it)"
  exit 77
fi
exec sh "$(dirname "$0")/../build-aux/hygiene.sh" "${LSMV_BUILDDIR:?}"
