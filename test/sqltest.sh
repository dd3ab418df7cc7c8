#!/bin/sh
# sqltest.sh -- run one SQL test script in the sqlite3 shell with the module
# loaded and compare its output with the script's .expected file.
# Usage (from make check): sqltest.sh MODULE SHELL path/to/test_x.sql
# The script runs in a fresh temporary directory (its working directory)
# on an in-memory database with the module loaded.  ./lsmvtab.so there is a
# link to the module, so a script that opens another database (".open
# test.db") loads it again with ".load ./lsmvtab".
# Under --enable-sanitizers the module needs the ASan runtime preloaded
# into the (uninstrumented) shell.
module=$1
shell=$2
script=$3
expected="${script%.sql}.expected"
[ -n "$shell" ] || { echo "sqlite3 shell not found"; exit 77; }
if [ -n "${SANITIZERS:-}" ]; then
  LD_PRELOAD=$(${CC:-cc} -print-file-name=libasan.so)
  export LD_PRELOAD
  ASAN_OPTIONS=detect_leaks=0
  export ASAN_OPTIONS
fi
module=$(cd "$(dirname "$module")" && pwd)/$(basename "$module")
script=$(cd "$(dirname "$script")" && pwd)/$(basename "$script")
expected=$(cd "$(dirname "$expected")" && pwd)/$(basename "$expected")
out=$(mktemp)
dir=$(mktemp -d)
ln -s "$module.so" "$dir/lsmvtab.so"
(cd "$dir" && "$shell" -batch :memory: ".load $module" ".read $script") >"$out" 2>&1
if diff -u "$expected" "$out"; then
  rm -rf "$out" "$dir"
  exit 0
fi
rm -rf "$out" "$dir"
exit 1
