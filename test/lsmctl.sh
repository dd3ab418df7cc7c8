#!/bin/sh
# lsmctl.sh -- the lsmctl tool (ext/lsmctl/) over stores that the sqlite3
# shell and the module made: info (text and --json, against the directory),
# check (good store, then a copy with a flipped byte in an SSTable), dump
# (exact lines, ranges, limit, hex, escapes), dump --table (round trip into
# a native table of a rowid, a composite-key and a no-key table, compared
# with EXCEPT both ways, storage classes included), sst (good and damaged
# file), wal (records, entries, torn tail, mid-log damage, on a store left
# with an unflushed WAL), compact (fewer files, same entries), the schema
# kept after ALTER TABLE RENAME, every error (missing directory, non-store
# directory, empty directory left untouched, a store held by another
# process, unknown command and option, bad values), help for every command
# and the man page covering each command and option.
# Usage: lsmctl.sh; reads LSMV_BUILDDIR (else the directory of
# $LSMVTAB_MODULE, else .), LSMVTAB_MODULE and SQLITE3_SHELL from the
# environment (make check sets them).  Prints "N passed, N failed"; exit 0
# on success, 1 on a failure, 77 (skip) without a sqlite3 shell.
builddir=${LSMV_BUILDDIR:-$(dirname "${LSMVTAB_MODULE:-./lsmvtab}")}
module=${LSMVTAB_MODULE:-$builddir/lsmvtab}
shell=${SQLITE3_SHELL:-$(command -v sqlite3)}
srcdir=$(cd "$(dirname "$0")/.." && pwd)
L=$builddir/lsmctl
[ -n "$shell" ] || { echo "SKIP: sqlite3 shell not found"; exit 77; }
[ -x "$L" ] || { echo "FAIL: no $L"; exit 1; }
[ -f "$module.so" ] || { echo "FAIL: no $module.so"; exit 1; }
# In the sanitizer build the module needs the ASan runtime in the shell
# (preloaded for the shell only); lsmctl is built with it and runs with
# leak detection on.
asan_preload=""
if [ -n "${SANITIZERS:-}" ]; then
  asan_preload=$(${CC:-cc} -print-file-name=libasan.so)
fi
tmp=$(mktemp -d "${TMPDIR:-/tmp}/lsmctl.XXXXXX")
holder=""
cleanup(){
  exec 3>&- 2>/dev/null
  [ -n "$holder" ] && kill "$holder" 2>/dev/null
  rm -rf "$tmp"
}
trap cleanup EXIT
npass=0
nfail=0

# sql DB SQL... : run the shell with the module loaded.
sql(){
  sqldb=$1; shift
  LD_PRELOAD=$asan_preload ASAN_OPTIONS=detect_leaks=0 \
    "$shell" -batch "$sqldb" ".load $module" "$@"
}
# sql_in DB <SCRIPT: the same, reading SQL from stdin.
sql_in(){
  { echo ".load $module"; cat; } | LD_PRELOAD=$asan_preload \
    ASAN_OPTIONS=detect_leaks=0 "$shell" -batch "$1"
}
pass(){ echo "ok: $1"; npass=$((npass+1)); }
fail(){ echo "FAIL: $1"; nfail=$((nfail+1)); }
# expect NAME EXPECTED ACTUAL
expect(){
  if [ "$2" = "$3" ]; then
    pass "$1"
  else
    fail "$1"
    echo "  expected: $2" | head -20
    echo "  actual:   $3" | head -20
  fi
}
# run ARGS...: lsmctl with stdout in $out, stderr in $err, status in $rc.
run(){
  "$L" "$@" >"$tmp/out" 2>"$tmp/err"
  rc=$?
  out=$(cat "$tmp/out")
  err=$(cat "$tmp/err")
}
# flip FILE OFFSET: invert one byte in place.
flip(){
  python3 -c '
import sys
p, o = sys.argv[1], int(sys.argv[2])
with open(p, "r+b") as f:
    f.seek(o); b = f.read(1); f.seek(o); f.write(bytes([b[0] ^ 0xff]))
' "$1" "$2"
}

# ------------------------------------------------------------- the stores
cd "$tmp" || exit 1
db=$tmp/t.db
{
  echo "CREATE VIRTUAL TABLE kv USING lsm(k INTEGER PRIMARY KEY, v, memtable_size='4K');"
  echo "CREATE VIRTUAL TABLE comp USING lsm(a TEXT, b, r REAL, x BLOB, n, PRIMARY KEY(a, b), memtable_size='4K');"
  echo "CREATE VIRTUAL TABLE norow USING lsm(a, b);"
  i=0
  while [ $i -lt 60 ]; do
    echo "WITH RECURSIVE c(i) AS (SELECT $((i*50+1)) UNION ALL SELECT i+1 FROM c WHERE i<$((i*50+50))) INSERT INTO kv SELECT i, 'value-' || i FROM c;"
    i=$((i+1))
  done
  i=0
  while [ $i -lt 10 ]; do
    echo "WITH RECURSIVE c(i) AS (SELECT $((i*60+1)) UNION ALL SELECT i+1 FROM c WHERE i<$((i*60+60))) INSERT INTO comp SELECT 'k' || (i % 7), i, i * 0.1, CASE WHEN i % 5 = 0 THEN NULL ELSE CAST(printf('b%05d', i) AS BLOB) END, CASE i % 4 WHEN 0 THEN NULL WHEN 1 THEN i WHEN 2 THEN 'txt' || i ELSE i / 3.0 END FROM c;"
    i=$((i+1))
  done
  echo "INSERT INTO comp VALUES ('q', 1, 1e300, x'00ff00', 'it''s'), ('q', 2.0, -2.5e-300, x'', 'line1' || char(10) || 'line2'), ('q', 2.5, 0.1, NULL, 'a' || char(0) || 'b'), ('ünï', -7, 1.0/3, x'ff', 1e-5), ('', 0, -0.0, NULL, NULL), ('q', 3, 9e999, NULL, -9e999), ('q', 4, 123456789.125, zeroblob(3), 4.0);"
  echo "INSERT INTO norow VALUES (1, 'one'), (2.5, x'0102'), (NULL, 'three'), ('four', 4);"
  echo "DELETE FROM norow WHERE a = 2.5;"
  echo "INSERT INTO norow VALUES ('five', NULL);"
  echo "DELETE FROM comp WHERE a = 'k3' AND b < 100;"
} >fill.sql
sql_in "$db" <fill.sql >fill.out 2>&1
expect "the stores are made" "" "$(cat fill.out)"
kv=$tmp/t.db-kv.lsm
comp=$tmp/t.db-comp.lsm
norow=$tmp/t.db-norow.lsm

# A store left with an unflushed WAL (nothing opens it before wal runs).
sql "$tmp/w.db" "CREATE VIRTUAL TABLE wl USING lsm(k TEXT PRIMARY KEY, v);" \
  "INSERT INTO wl VALUES ('a', 1), ('b', 'x');" \
  "INSERT INTO wl VALUES ('c', 2.5);" \
  "DELETE FROM wl WHERE k = 'a';" >/dev/null 2>&1
wal=$(ls "$tmp/w.db-wl.lsm/"*.log 2>/dev/null)
expect "the WAL store has one log" "1" "$(echo "$wal" | grep -c '\.log$')"

# ------------------------------------------------------------------ wal
run wal "$wal"
expect "wal: exit 0" "0" "$rc"
expect "wal: one line per record" "      offset  type    first seq  entries      bytes  fragments
           0  batch           1        2         37          1
          44  batch           3        1         31          1
          82  batch           4        1         18          1
3 records, 4 entries, torn tail 0 bytes" "$out"
run wal --entries "$wal"
expect "wal --entries: entries under their records" "      offset  type    first seq  entries      bytes  fragments
           0  batch           1        2         37          1
    seq 1	put	0a\\x00\\x00	\\x01\\x01\\x00\\x01\\x02
    seq 2	put	0b\\x00\\x00	\\x01\\x01\\x00\\x03\\x01x
          44  batch           3        1         31          1
    seq 3	put	0c\\x00\\x00	\\x01\\x01\\x00\\x02\\x00\\x00\\x00\\x00\\x00\\x00\\x04@
          82  batch           4        1         18          1
    seq 4	del	0a\\x00\\x00
3 records, 4 entries, torn tail 0 bytes" "$out"
cp "$wal" torn.log && printf 'torn-tail' >>torn.log
run wal torn.log
expect "wal: a torn tail is reported, exit 0" "0|3 records, 4 entries, torn tail 9 bytes" \
  "$rc|$(printf '%s\n' "$out" | tail -1)"
cp "$wal" bad.log && flip bad.log 12
run wal bad.log
expect "wal: mid-log damage exits 1" "1" "$rc"
expect "wal: the damage is named once, with its offset" \
  "lsmctl: bad.log: damaged: bad fragment at offset 0, and valid records follow (0 bytes valid before it)" \
  "$err"
run wal "$tmp/nope.log"
expect "wal: missing file" "2|lsmctl: $tmp/nope.log: no such file" "$rc|$err"
run wal "$tmp"
expect "wal: a directory" "2|lsmctl: $tmp: not a regular file" "$rc|$err"

# ----------------------------------------------------------------- info
run info "$kv"
expect "info: exit 0" "0" "$rc"
expect "info: the schema line" \
  "schema               CREATE VIRTUAL TABLE \"kv\" USING lsm(k INTEGER PRIMARY KEY, v, memtable_size='4K')" \
  "$(printf '%s\n' "$out" | grep '^schema')"
# The store is opened with the table's own options (compaction=tiered).
sql "$tmp/tier.db" "CREATE VIRTUAL TABLE tt USING lsm(k INTEGER PRIMARY KEY, v, compaction=tiered);" \
  "INSERT INTO tt VALUES (1, 'a');"
run info "$tmp/tier.db-tt.lsm"
expect "info: a tiered table's store is opened tiered" "0|compaction           tiered" \
  "$rc|$(printf '%s\n' "$out" | grep '^compaction')"
run info "$kv"
expect "info: last sequence" "last sequence        3000" "$(printf '%s\n' "$out" | grep '^last sequence')"
expect "info: write amplification needs writes" \
  "write amplification  - (nothing written since this open)" \
  "$(printf '%s\n' "$out" | grep '^write amplification')"
nsst=$(ls "$kv" | grep -c '\.sst$')
sstbytes=$(cat "$kv"/*.sst | wc -c)
expect "info: the total line is the directory's SSTables" \
  "$nsst $sstbytes" "$(printf '%s\n' "$out" | awk '$1=="total" { print $2, $3 }')"
nlevels=$(printf '%s\n' "$out" | grep -c '^L[0-9]')
if [ "$nlevels" -ge 2 ]; then pass "info: several levels ($nlevels)"
else fail "info: several levels ($nlevels)"; fi
nfilelines=$(printf '%s\n' "$out" | grep -c '^[0-9]*\.sst ')
expect "info: one line per file" "$nsst" "$nfilelines"
expect "info: one file ends at key 3000" "1" \
  "$(printf '%s\n' "$out" | grep -c '^[0-9]*\.sst .* \.\. "\\x0b\\xb8\\x00$')"

run info --json "$kv"
cp "$tmp/out" info.json
if python3 -m json.tool info.json >/dev/null 2>&1; then
  pass "info --json: valid JSON"
else
  fail "info --json: valid JSON"
fi
jsonck=$(python3 - "$kv" "$nsst" "$sstbytes" <<'EOF'
import json, os, sys
d = json.load(open("info.json"))
kv, nsst, nbytes = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
bad = []
files, levels = d["files"], d["levels"]
if d["total_files"] != sum(l["files"] for l in levels): bad.append("total_files != sum of levels")
if d["total_files"] != len(files): bad.append("total_files != files")
if d["total_files"] != nsst: bad.append("total_files != directory")
if d["total_bytes"] != sum(l["bytes"] for l in levels): bad.append("total_bytes != sum of levels")
if d["total_bytes"] != sum(f["bytes"] for f in files): bad.append("total_bytes != files")
if d["total_bytes"] != nbytes: bad.append("total_bytes != directory")
for l in levels:
    fs = [f for f in files if f["level"] == l["level"]]
    if len(fs) != l["files"] or sum(f["bytes"] for f in fs) != l["bytes"]:
        bad.append("level %d disagrees with its files" % l["level"])
for f in files:
    p = os.path.join(kv, "%06d.sst" % f["number"])
    if not os.path.exists(p) or os.path.getsize(p) != f["bytes"]:
        bad.append("file %d size" % f["number"])
if sum(f["entries"] for f in files) < 3000: bad.append("entries")
if d["last_seq"] != 3000: bad.append("last_seq")
if d["write_amp"] is not None: bad.append("write_amp")
if not isinstance(d["space_amp"], float): bad.append("space_amp")
if d["schema"] != "CREATE VIRTUAL TABLE \"kv\" USING lsm(k INTEGER PRIMARY KEY, v, memtable_size='4K')":
    bad.append("schema")
if max(f["largest_hex"] for f in files) != "220bb800": bad.append("largest key")
if min(f["smallest"] for f in files) != "!\\x01\\x00": bad.append("smallest key")
print(" ".join(bad) if bad else "ok")
EOF
)
expect "info --json: levels, files, totals and the directory agree" "ok" "$jsonck"
run info --json "$norow"
expect "info --json: the no-key table's schema" \
  '"CREATE VIRTUAL TABLE \"norow\" USING lsm(a, b)"' \
  "$(python3 -c 'import json,sys; print(json.dumps(json.load(sys.stdin)["schema"]))' <"$tmp/out")"

# ---------------------------------------------------------------- check
run check "$kv"
expect "check: a good store" "0|ok|" "$rc|$out|$err"
cp -r "$kv" bad.lsm
big=$(ls -S bad.lsm/*.sst | head -1)
flip "$big" 100
run check bad.lsm
expect "check: a flipped byte exits 1" "1" "$rc"
case $out in
  *$(basename "$big")*) pass "check: the report names the damaged file" ;;
  *) fail "check: the report names the damaged file: $out" ;;
esac
# The progress line, on a pseudo-terminal made by script(1) (bsdutils,
# essential on Debian).
tty_out=$(script -qec "$L check '$kv'" /dev/null 2>/dev/null | tr '\r' '\n')
case $tty_out in
  *"checking "*"(100%)"*) pass "check: a progress line on a terminal" ;;
  *) fail "check: a progress line on a terminal: $tty_out" ;;
esac

# ------------------------------------------------------------------ sst
good=$(ls -S "$kv"/*.sst | head -1)
gnum=$(basename "$good" .sst)
run sst "$good"
expect "sst: a good file exits 0" "0|" "$rc|$err"
entries=$(python3 -c 'import json,sys; d=json.load(open("info.json")); print([f["entries"] for f in d["files"] if f["number"]==int(sys.argv[1])][0])' "$gnum")
expect "sst: entries agree with info" "entries              $entries" \
  "$(printf '%s\n' "$out" | grep '^entries')"
ndata=$(printf '%s\n' "$out" | grep -c '^ *[0-9]* *[0-9]*  data ')
expect "sst: one line per data block" \
  "data blocks          $ndata" "$(printf '%s\n' "$out" | grep '^data blocks')"
expect "sst: every block ok, one of each other kind" "filter footer index properties" \
  "$(printf '%s\n' "$out" | awk '$3 != "data" && $NF == "ok" && $1 ~ /^[0-9]+$/ { print $3 }' | sort | tr '\n' ' ' | sed 's/ $//')"
nnotok=$(printf '%s\n' "$out" | awk '$1 ~ /^[0-9]+$/ && $NF != "ok"' | wc -l)
expect "sst: no damaged block" "0" "$nnotok"
case $(printf '%s\n' "$out" | grep '^filter  ') in
  "filter               10 bits/key, k="*", "*" lines, "*"% bits set, expected FPR "*%) pass "sst: filter stats" ;;
  *) fail "sst: filter stats: $(printf '%s\n' "$out" | grep '^filter')" ;;
esac
run sst "$big"
expect "sst: a damaged file exits 1" "1" "$rc"
case $out in
  *DAMAGED*) pass "sst: the damaged block is marked" ;;
  *) fail "sst: the damaged block is marked: $out" ;;
esac
case $err in
  *"$big"*"$big"*) fail "sst: the damage is on stderr, the path once: $err" ;;
  "lsmctl: $big: damaged: data block "*" at offset "*": checksum or block type mismatch")
    pass "sst: the damage is on stderr, the path once" ;;
  *) fail "sst: the damage is on stderr, the path once: $err" ;;
esac
run sst "$tmp/none.sst"
expect "sst: missing file" "2|lsmctl: $tmp/none.sst: no such file" "$rc|$err"

# ----------------------------------------------------------------- dump
run dump "$kv" --limit 3
expect "dump: first lines, printable" "!\\x01\\x00	\\x01\\x01\\x00\\x03\\x07value-1
!\\x02\\x00	\\x01\\x01\\x00\\x03\\x07value-2
!\\x03\\x00	\\x01\\x01\\x00\\x03\\x07value-3" "$out"
run dump "$kv" --from 0x210500 --to=0x210800
expect "dump: --from inclusive, --to exclusive" "!\\x05\\x00	\\x01\\x01\\x00\\x03\\x07value-5
!\\x06\\x00	\\x01\\x01\\x00\\x03\\x07value-6
!\\x07\\x00	\\x01\\x01\\x00\\x03\\x07value-7" "$out"
run dump "$kv" --from '"\x0b\xb7\x00'
expect "dump: a printable --from finds the key dump printed" "2|\"\\x0b\\xb8\\x00" \
  "$(printf '%s\n' "$out" | wc -l)|$(printf '%s\n' "$out" | tail -1 | cut -f1)"
run dump "$kv" --to '!\x03\x00'
expect "dump: --to alone, printable, exclusive" "0|2|!\\x02\\x00" \
  "$rc|$(printf '%s\n' "$out" | wc -l)|$(printf '%s\n' "$out" | tail -1 | cut -f1)"
run dump "$kv" --from 0x210500 --limit 2
expect "dump: --from with --limit" "!\\x05\\x00|!\\x06\\x00" \
  "$(printf '%s\n' "$out" | cut -f1 | tr '\n' '|' | sed 's/|$//')"
run dump --hex "$kv" --from 0x210500 --to 0x210700
expect "dump: --hex with bounds" "210500	010100030776616c75652d35
210600	010100030776616c75652d36" "$out"
run dump --hex --limit 2 "$kv"
expect "dump --hex" "210100	010100030776616c75652d31
210200	010100030776616c75652d32" "$out"
run dump "$kv"
expect "dump: every entry" "3000" "$(printf '%s\n' "$out" | wc -l)"
run dump "$kv" --limit 0
expect "dump --limit 0" "0|" "$rc|$out"
run dump "$kv" --from 0x123
expect "dump: a bad key" \
  "2|lsmctl: --from 0x123: not a key (text with \\xNN escapes, or 0x and hex digits)" \
  "$rc|$err"

# --------------------------------------------------------- dump --table
for t in kv comp norow; do
  rm -f "copy-$t.db"
  "$L" dump --table "$tmp/t.db-$t.lsm" >"dump-$t.sql" 2>"dump-$t.err"
  expect "dump --table $t: exit 0" "0|" "$?|$(cat "dump-$t.err")"
  "$shell" -batch "copy-$t.db" <"dump-$t.sql" >"load-$t.out" 2>&1
  expect "dump --table $t: loads into sqlite3" "" "$(cat "load-$t.out")"
done
expect "dump --table: the declaration, then a native CREATE TABLE" \
  "-- CREATE VIRTUAL TABLE \"comp\" USING lsm(a TEXT, b, r REAL, x BLOB, n, PRIMARY KEY(a, b), memtable_size='4K')
BEGIN TRANSACTION;
CREATE TABLE \"comp\"(\"a\" TEXT,\"b\",\"r\" REAL,\"x\" BLOB,\"n\",PRIMARY KEY(\"a\",\"b\"));" \
  "$(head -3 dump-comp.sql)"
expect "dump --table: INSERT lines" "INSERT INTO \"kv\" VALUES(1,'value-1');
INSERT INTO \"kv\" VALUES(2,'value-2');" "$(sed -n 4,5p dump-kv.sql)"
expect "dump --table: a no-key table keeps its rowids" \
  "INSERT INTO \"norow\"(rowid,\"a\",\"b\") VALUES(1,1,'one');" "$(sed -n 4p dump-norow.sql)"
cmp=$(sql "$db" "ATTACH 'copy-kv.db' AS ckv;" "ATTACH 'copy-comp.db' AS ccomp;" \
  "ATTACH 'copy-norow.db' AS cnorow;" \
  "SELECT count(*) FROM (SELECT k, v, typeof(v) FROM main.kv EXCEPT SELECT k, v, typeof(v) FROM ckv.kv);" \
  "SELECT count(*) FROM (SELECT k, v, typeof(v) FROM ckv.kv EXCEPT SELECT k, v, typeof(v) FROM main.kv);" \
  "SELECT (SELECT count(*) FROM main.kv) = (SELECT count(*) FROM ckv.kv), (SELECT count(*) FROM main.kv);" \
  "SELECT count(*) FROM (SELECT a, b, r, x, n, typeof(a), typeof(b), typeof(r), typeof(x), typeof(n) FROM main.comp EXCEPT SELECT a, b, r, x, n, typeof(a), typeof(b), typeof(r), typeof(x), typeof(n) FROM ccomp.comp);" \
  "SELECT count(*) FROM (SELECT a, b, r, x, n, typeof(a), typeof(b), typeof(r), typeof(x), typeof(n) FROM ccomp.comp EXCEPT SELECT a, b, r, x, n, typeof(a), typeof(b), typeof(r), typeof(x), typeof(n) FROM main.comp);" \
  "SELECT (SELECT count(*) FROM main.comp) = (SELECT count(*) FROM ccomp.comp), (SELECT count(*) FROM main.comp);" \
  "SELECT count(*) FROM (SELECT rowid, a, b, typeof(a), typeof(b) FROM main.norow EXCEPT SELECT rowid, a, b, typeof(a), typeof(b) FROM cnorow.norow);" \
  "SELECT count(*) FROM (SELECT rowid, a, b, typeof(a), typeof(b) FROM cnorow.norow EXCEPT SELECT rowid, a, b, typeof(a), typeof(b) FROM main.norow);" \
  "SELECT (SELECT count(*) FROM main.norow) = (SELECT count(*) FROM cnorow.norow), (SELECT count(*) FROM main.norow);" 2>&1)
expect "dump --table: the native copies equal the lsm tables (EXCEPT both ways, counts)" \
  "0
0
1|3000
0
0
1|593
0
0
1|4" "$cmp"
expect "dump --table: special values" "q|2.0|real|-2.5e-300|line1
line2
q|3|integer|Inf|-Inf
q|4|integer|123456789.125|4.0" \
  "$("$shell" -batch copy-comp.db "SELECT a, b, typeof(b), r, n FROM comp WHERE a = 'q' AND b >= 2 AND b <> 2.5;")"
run dump --table "$kv" --limit 1
expect "dump --table --limit" "5|INSERT INTO \"kv\" VALUES(1,'value-1');" \
  "$(printf '%s\n' "$out" | wc -l)|$(printf '%s\n' "$out" | sed -n 4p)"
run dump --table --from 0x21 "$kv"
case $rc:$err in
  "2:lsmctl: --table cannot be combined with --from, --to or --hex"*) pass "dump --table refuses --from" ;;
  *) fail "dump --table refuses --from: $rc $err" ;;
esac

# A store that keeps no declaration (made through the engine's C API).
lib=$builddir/.libs/liblsmcore.so
[ -f "$lib" ] || fail "the engine library $lib was built"
if [ -f "$lib" ]; then
  LD_PRELOAD=$asan_preload ASAN_OPTIONS=detect_leaks=0 python3 - "$lib" "$tmp/raw.lsm" <<'EOF'
import ctypes, sys
lib = ctypes.CDLL(sys.argv[1])
db = ctypes.c_void_p()
assert lib.lsmc_open(sys.argv[2].encode(), None, ctypes.byref(db)) == 0
assert lib.lsmc_put(db, b"k", ctypes.c_size_t(1), b"v", ctypes.c_size_t(1)) == 0
assert lib.lsmc_close(db) == 0
EOF
  run dump --table "$tmp/raw.lsm"
  case $rc:$err in
    "2:lsmctl: $tmp/raw.lsm: the store keeps no table declaration"*) pass "dump --table: a store without a declaration" ;;
    *) fail "dump --table: a store without a declaration: $rc $err" ;;
  esac
  run info "$tmp/raw.lsm"
  expect "info: no schema" "schema               (none)" "$(printf '%s\n' "$out" | grep '^schema')"
  run dump "$tmp/raw.lsm"
  expect "dump: the raw store" "k	v" "$out"
fi

# The declaration follows ALTER TABLE RENAME.
sql "$tmp/r.db" "CREATE VIRTUAL TABLE old USING lsm(id INTEGER PRIMARY KEY, s);" \
  "INSERT INTO old VALUES (1, 'x');" "ALTER TABLE old RENAME TO new;" >/dev/null 2>&1
run info --json "$tmp/r.db-new.lsm"
expect "rename: the store keeps the new name" \
  '"CREATE VIRTUAL TABLE \"new\" USING lsm(id INTEGER PRIMARY KEY, s)"' \
  "$(python3 -c 'import json,sys; print(json.dumps(json.load(sys.stdin)["schema"]))' <"$tmp/out")"

# -------------------------------------------------------------- compact
cp -r "$kv" c.lsm
"$L" info --json c.lsm >info-before.json
before=$(python3 -c 'import json; print(json.load(open("info-before.json"))["total_files"])')
run dump c.lsm
expect "compact: the dump before" "0|3000" "$rc|$(wc -l <"$tmp/out")"
cp "$tmp/out" dump-before.txt
run compact c.lsm
expect "compact: exit 0" "0|" "$rc|$err"
"$L" info --json c.lsm >info-after.json
after=$(python3 -c 'import json; print(json.load(open("info-after.json"))["total_files"])')
if [ "$after" -lt "$before" ]; then pass "compact: $before files became $after"
else fail "compact: $before files became $after"; fi
expect "compact: the levels before and after" \
  "before $before after $after" \
  "$(printf '%s\n' "$out" | awk '$1=="before"||$1=="after" { w = $1 } $1=="total" { printf "%s %s ", w, $2 }' | sed 's/ $//')"
run dump c.lsm
expect "compact: the dump after" "0" "$rc"
if cmp -s dump-before.txt "$tmp/out"; then pass "compact: the same entries"
else fail "compact: the same entries"; fi
run check c.lsm
expect "compact: the result checks ok" "0|ok" "$rc|$out"

# --------------------------------------------------------------- errors
for c in info check dump compact; do
  run $c "$tmp/nope"
  expect "$c: missing directory" "2|lsmctl: $tmp/nope: no such directory" "$rc|$err"
done
# A damaged store: each command refuses it with the engine's message,
# exits 1, and leaves every file as it was.
for f in CURRENT MANIFEST IDENTITY; do
  rm -rf dmg.lsm && cp -r "$kv" dmg.lsm
  victim=$(ls dmg.lsm | grep "^$f" | head -1)
  printf 'garbage' | dd of="dmg.lsm/$victim" bs=1 seek=3 conv=notrunc 2>/dev/null
  sums=$(cd dmg.lsm && md5sum * | sort)
  case $f in
    IDENTITY) msg="lsmctl: dmg.lsm: IDENTITY is damaged (store is damaged)" ;;
    *) msg="lsmctl: dmg.lsm: CURRENT or the manifest is damaged (store is damaged)" ;;
  esac
  for c in info check dump compact; do
    run $c dmg.lsm
    expect "$c: a damaged $f" "1|$msg" "$rc|$err"
  done
  expect "a damaged $f: no file changed" "$sums" "$(cd dmg.lsm && md5sum * | sort)"
done
mkdir plain && echo hello >plain/notes.txt
run info "$tmp/plain"
expect "a directory that is not a store" \
  "2|lsmctl: $tmp/plain: not an lsmvtab store (no IDENTITY file)" "$rc|$err"
mkdir empty
run check "$tmp/empty"
expect "an empty directory is not a store, and stays empty" \
  "2|lsmctl: $tmp/empty: not an lsmvtab store (no IDENTITY file)|" \
  "$rc|$err|$(ls -A empty)"
run info "$tmp/fill.sql"
expect "a file is not a store" \
  "2|lsmctl: $tmp/fill.sql: not a directory (a store is a directory)" "$rc|$err"

# Busy: a shell holds the store open (reading from a fifo) while lsmctl
# tries it.
mkfifo fifo
LD_PRELOAD=$asan_preload ASAN_OPTIONS=detect_leaks=0 \
  "$shell" -batch "$db" <fifo >holder.out 2>&1 &
holder=$!
exec 3>fifo
echo ".load $module" >&3
echo "SELECT 'held', count(*) FROM kv;" >&3
n=0
while [ $n -lt 100 ] && ! grep -q held holder.out; do sleep 0.1; n=$((n+1)); done
sums=$(cd "$kv" && md5sum * | sort)
for c in info check dump compact; do
  run $c "$kv"
  expect "$c: busy, a store in use by another process" \
    "2|lsmctl: $kv: store is in use by another process|" "$rc|$err|$out"
done
expect "busy: no file changed" "$sums" "$(cd "$kv" && md5sum * | sort)"
exec 3>&-
wait "$holder"
holder=""
expect "busy: the holder read the table" "held|3000" "$(cat holder.out)"
run info "$kv"
expect "busy: free again once the holder exits" "0" "$rc"

run frob
case $rc:$err in
  "2:lsmctl: unknown command: frob
usage: lsmctl COMMAND"*) pass "unknown command: exit 2 and the usage" ;;
  *) fail "unknown command: $rc $err" ;;
esac
run info --bogus "$kv"
expect "unknown option: exit 2 and the command's usage" "2|lsmctl: unknown option: --bogus
usage: lsmctl info DIR [--json]
(lsmctl help info for details)" "$rc|$err"
run sst --json "$good"
expect "an option of another command" "2|lsmctl: unknown option: --json" \
  "$rc|$(printf '%s\n' "$err" | head -1)"
run info
expect "a missing operand" "2|lsmctl: info needs an argument" "$rc|$(printf '%s\n' "$err" | head -1)"
run info "$kv" "$kv"
expect "two operands" "2|lsmctl: unexpected argument: $kv" "$rc|$(printf '%s\n' "$err" | head -1)"
run dump --limit x "$kv"
expect "a bad --limit" "2|lsmctl: --limit needs a number >= 0, not x" \
  "$rc|$(printf '%s\n' "$err" | head -1)"
run dump --limit
expect "an option without its value" "2|lsmctl: option --limit needs a value" \
  "$rc|$(printf '%s\n' "$err" | head -1)"
run
expect "no command" "2|lsmctl: no command given" "$rc|$(printf '%s\n' "$err" | head -1)"

# ----------------------------------------------------------------- help
run help
expect "help: exit 0" "0|" "$rc|$err"
help=$out
run --help
expect "--help is help" "$help" "$out"
run --version
# One version number: lsmctl's (configure's) is the module's lsm_version().
expect "--version equals lsm_version()" \
  "0:lsmctl $(sql :memory: 'SELECT lsm_version();')" "$rc:$out"
man1=$srcdir/ext/lsmctl/lsmctl.1
for c in info check dump sst wal compact help; do
  case $help in
    *"lsmctl $c "*) pass "help lists $c" ;;
    *) fail "help lists $c" ;;
  esac
  run help $c
  case $rc:$out in
    "0:usage: lsmctl $c "*) pass "help $c" ;;
    *) fail "help $c: $rc $out" ;;
  esac
  h=$out
  run $c --help
  expect "$c --help is help $c" "0|$h" "$rc|$out"
  if grep -q "^\.BI\{0,1\} \"\{0,1\}$c[ \"]" "$man1"; then pass "the man page describes $c"
  else fail "the man page describes $c"; fi
  for o in $(printf '%s\n' "$h" | grep -o -- '--[a-z]*' | sort -u); do
    m=$(echo "$o" | sed 's/-/\\\\-/g')
    if grep -q -- "^\.BI\{0,1\} $m" "$man1"; then pass "the man page describes $c $o"
    else fail "the man page describes $c $o"; fi
  done
done
run help nosuch
expect "help of an unknown command" "2|lsmctl: no such command: nosuch" \
  "$rc|$(printf '%s\n' "$err" | head -1)"
for s in 0 1 2; do
  if grep -q "^\.B $s$" "$man1"; then pass "the man page gives exit status $s"
  else fail "the man page gives exit status $s"; fi
done

echo "$npass passed, $nfail failed"
[ "$nfail" -eq 0 ]
