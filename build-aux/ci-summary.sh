#!/bin/sh
# ci-summary.sh -- sum the results of every test run in the given build
# directories and print one line "N passed, N failed".  A Check program
# counts its checks (Checks - Failures - Errors passed); a harness that
# prints "N passed, N failed" counts those; any other test (SQL scripts)
# counts as one, from its .trs result.  A skipped test counts as neither.
# make distcheck counts as one test (distcheck.trs, written by test.sh):
# the results of its own make check, left in <tarball>/_build when it
# fails, are not counted again.
n_pass=0
n_fail=0
for d in "$@"; do
  for trs in $(find "$d" -name '*.trs' ! -path '*/_build/*' 2>/dev/null | sort); do
    log="${trs%.trs}.log"
    line=$(grep -E '^[0-9]+%: Checks: [0-9]+, Failures: [0-9]+, Errors: [0-9]+' "$log" 2>/dev/null | tail -1)
    if [ -n "$line" ]; then
      c=$(echo "$line" | sed -E 's/.*Checks: ([0-9]+).*/\1/')
      f=$(echo "$line" | sed -E 's/.*Failures: ([0-9]+).*/\1/')
      e=$(echo "$line" | sed -E 's/.*Errors: ([0-9]+).*/\1/')
      n_pass=$((n_pass + c - f - e))
      n_fail=$((n_fail + f + e))
      # A program that crashed after its summary still fails.
      if grep -q '^:test-result: \(FAIL\|ERROR\)' "$trs" && [ "$((f + e))" -eq 0 ]; then
        n_fail=$((n_fail + 1))
      fi
    elif grep -q -E '^[0-9]+ passed, [0-9]+ failed' "$log" 2>/dev/null; then
      line=$(grep -E '^[0-9]+ passed, [0-9]+ failed' "$log" | tail -1)
      p=$(echo "$line" | sed -E 's/^([0-9]+) passed.*/\1/')
      f=$(echo "$line" | sed -E 's/.* ([0-9]+) failed.*/\1/')
      n_pass=$((n_pass + p))
      n_fail=$((n_fail + f))
      if grep -q '^:test-result: \(FAIL\|ERROR\)' "$trs" && [ "$f" -eq 0 ]; then
        n_fail=$((n_fail + 1))
      fi
    elif grep -q '^:test-result: PASS' "$trs"; then
      n_pass=$((n_pass + 1))
    elif grep -q '^:test-result: SKIP' "$trs"; then
      :
    else
      n_fail=$((n_fail + 1))
    fi
  done
done
echo "$n_pass passed, $n_fail failed"
