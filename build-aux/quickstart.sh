#!/bin/sh
# quickstart.sh -- quick-start command (1): install what is missing, bootstrap,
# configure, build in ./build, and run sql/demo.sql in the sqlite3 shell.
set -e
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
sh build-aux/install-deps.sh
[ -x configure ] || autoreconf -fi
mkdir -p build
cd build
[ -f Makefile ] || ../configure --quiet
make -j"$(nproc)" --no-print-directory
echo "--- sql/demo.sql ---"
sqlite3 -batch -bail :memory: ".load ./lsmvtab" ".read ../sql/demo.sql"
