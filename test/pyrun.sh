#!/bin/sh
# pyrun.sh -- run one Python client test with Debian's /usr/bin/python3 (the
# one whose sqlite3 module can load extensions).
# Usage (from make check): pyrun.sh MODULE SHELL path/to/test.py
# The test gets MODULE and SHELL as its arguments.  Under
# --enable-sanitizers the module needs the ASan runtime preloaded into the
# (uninstrumented) interpreter.
module=$1
shell=$2
script=$3
[ -x /usr/bin/python3 ] || { echo "/usr/bin/python3 not found"; exit 77; }
if [ -n "${SANITIZERS:-}" ]; then
  LD_PRELOAD=$(${CC:-cc} -print-file-name=libasan.so)
  export LD_PRELOAD
  ASAN_OPTIONS=detect_leaks=0
  export ASAN_OPTIONS
fi
exec /usr/bin/python3 "$script" "$module" "$shell"
