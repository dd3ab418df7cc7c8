#!/bin/sh
# sqltest.sh -- run one SQL test script in the sqlite3 shell with the module
# loaded and compare its output with the script's .expected file.
# Usage (from make check): sqltest.sh MODULE SHELL path/to/test_x.sql
# The script runs in a fresh temporary directory (its working directory)
# on an in-memory database with the module loaded.  ./lsmvtab.so there is a
# link to the module, so a script that opens another database (".open
# test.db") loads it again with ".load ./lsmvtab".  The directory's
# absolute path prints as TESTDIR, so messages naming a file are stable.
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
root=$(mktemp -d)
root=$(cd "$root" && pwd -P)
dir=$root/cwd
mkdir "$dir" "$root/tmp"
ln -s "$module.so" "$dir/lsmvtab.so"
# Temporary stores (in-memory databases) go to $root/tmp: the shell exits
# without closing its database after an error in a command-line argument,
# which would leave them behind in /tmp.  Messages that name a file show
# the working directory as TESTDIR.
(cd "$dir" && TMPDIR=$root/tmp "$shell" -batch :memory: ".load $module" \
   ".read $script") 2>&1 | sed "s|$dir|TESTDIR|g" >"$out"
if diff -u "$expected" "$out"; then
  rm -rf "$out" "$root"
  exit 0
fi
rm -rf "$out" "$root"
exit 1
