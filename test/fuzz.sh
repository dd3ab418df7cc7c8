#!/bin/sh
# fuzz.sh -- make check's step for TESTPLAN F1-F4: runs build-aux/fuzz.sh,
# which builds every libFuzzer target and its canary with clang, fuzzes
# each target for 60 s (30 minutes with LSMV_TEST_PROFILE=soak) on a copy
# of its committed corpus and requires every canary to crash.  It makes
# its own build, so it runs in the plain build only (skipped, 77, in the
# sanitizer build, and with LSMV_SKIP_HEAVY set, as make distcheck
# does).  The committed corpora are also replayed by the
# test/fuzz/replay_* programs of make check, in both builds.
if [ -n "${SANITIZERS:-}" ]; then
  echo "SKIP: runs in the plain build only"; exit 77
fi
if [ -n "${LSMV_SKIP_HEAVY:-}" ]; then
  echo "SKIP: LSMV_SKIP_HEAVY is set (make distcheck: the plain build ran it)"
  exit 77
fi
unset CC
secs=60
[ "${LSMV_TEST_PROFILE:-ci}" = soak ] && secs=1800
exec bash "$(dirname "$0")/../build-aux/fuzz.sh" "$secs"
