#!/bin/sh
# client_shell.sh -- the sqlite3 shell loads the module as DESIGN.md says
# it can after make: ".load ./lsmvtab" with the build root as the working
# directory.  A small round trip over two shell processes on a file
# database in a temporary directory: create and fill a table, read it back
# in a second process, check and drop it.
# Usage: client_shell.sh [BUILDDIR [SHELL]]; defaults: the directory of
# $LSMVTAB_MODULE (else .) and $SQLITE3_SHELL (else sqlite3 from PATH).
# Exit 0 on success, 1 on a failure, 77 (skip) without a sqlite3 shell.
builddir=${1:-$(dirname "${LSMVTAB_MODULE:-./lsmvtab}")}
shell=${2:-${SQLITE3_SHELL:-$(command -v sqlite3)}}
[ -n "$shell" ] || { echo "SKIP: sqlite3 shell not found"; exit 77; }
[ -f "$builddir/lsmvtab.so" ] || { echo "FAIL: no $builddir/lsmvtab.so"; exit 1; }
if [ -n "${SANITIZERS:-}" ]; then
  LD_PRELOAD=$(${CC:-cc} -print-file-name=libasan.so)
  export LD_PRELOAD
  ASAN_OPTIONS=detect_leaks=0
  export ASAN_OPTIONS
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
db=$tmp/client.db
status=0

# expect NAME EXPECTED ACTUAL
expect(){
  if [ "$2" = "$3" ]; then
    echo "ok: $1"
  else
    echo "FAIL: $1"
    echo "  expected: $2"
    echo "  actual:   $3"
    status=1
  fi
}

out=$(cd "$builddir" && "$shell" -batch "$db" ".load ./lsmvtab" \
  "SELECT lsm_version() <> '';" \
  "CREATE VIRTUAL TABLE kv USING lsm;" \
  "INSERT INTO kv VALUES ('b', 2), ('a', 1.5), ('c', x'00ff');" \
  "SELECT key, quote(value) FROM kv;" 2>&1)
expect "create, insert, select in one process" "1
a|1.5
b|2
c|X'00FF'" "$out"

out=$(cd "$builddir" && "$shell" -batch "$db" ".load ./lsmvtab" \
  "SELECT group_concat(key || '=' || quote(value), ' ') FROM kv;" \
  "UPDATE kv SET value = value * 10 WHERE key = 'b';" \
  "SELECT value FROM kv WHERE key = 'b';" \
  "SELECT lsm_check('kv');" 2>&1)
expect "read back, update and check in a second process" "a=1.5 b=2 c=X'00FF'
20
ok" "$out"

out=$(cd "$builddir" && "$shell" -batch "$db" ".load ./lsmvtab" \
  "DROP TABLE kv;" "SELECT count(*) FROM sqlite_schema;" 2>&1)
expect "drop in a third process" "0" "$out"
expect "the store directory is gone" "" "$(ls -d "$db-kv.lsm" 2>/dev/null)"

# Without the "./", dlopen does not look in the working directory (DESIGN).
out=$(cd "$builddir" && "$shell" -batch :memory: ".load lsmvtab" 2>&1 \
  "SELECT 'loaded';")
case $out in
  *loaded*) echo "note: .load lsmvtab found an installed module" ;;
  *) echo "ok: .load lsmvtab without ./ is not found in the build root" ;;
esac
exit $status
