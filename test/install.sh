#!/bin/sh
# install.sh -- make install into a temporary DESTDIR, then use what it
# installed the way a user would (issue 7, README's Install section):
#   a. the installed set is exactly: lsmvtab.so (exporting only
#      sqlite3_lsmvtab_init, no .la, no .a), liblsmcore.so* (soname
#      liblsmcore.so.N, exporting only lsmc_*), lsmcore.h, lsmcore.pc,
#      lsmctl and lsmctl.1;
#   b. ".load lsmvtab" -- no path, no .so -- in the sqlite3 shell and
#      load_extension('lsmvtab') in Debian's python3 find the module through
#      the loader's search path (LD_LIBRARY_PATH standing in for a default
#      directory such as /usr/lib/<multiarch>), and the loader really took
#      it from the installed libdir (LD_DEBUG);
#   c. test/examples/hello_lsmcore.c (README's C example) compiles with
#      "pkg-config --cflags --libs lsmcore" against the installed header and
#      library (PKG_CONFIG_SYSROOT_DIR maps the paths into DESTDIR), links
#      liblsmcore.so.N, and prints "hello = world";
#   d. the installed lsmctl runs: "lsmctl help" names every command, and
#      "lsmctl check" passes on the store the shell made in (b).
# The directories are the build's own (make print-dirs), so it works in a
# plain build and inside make distcheck (prefix = its _inst directory).
# Environment (set by make check): LSMV_BUILDDIR, SQLITE3_SHELL, CC,
# SANITIZERS (the sanitizer build: the ASan runtime is preloaded into the
# uninstrumented shell and python3, and the example is built with it).
# Prints "ok:"/"FAIL:" lines and "N passed, N failed"; exits 1 on a
# failure, 77 (skip) only without pkg-config or a C compiler.
set -u
build=${LSMV_BUILDDIR:?set by make check}
src=$(cd "$(dirname "$0")/.." && pwd)
shell=${SQLITE3_SHELL:-$(command -v sqlite3)}
cc=${CC:-cc}
npass=0
nfail=0
ok(){ echo "ok: $*"; npass=$((npass+1)); }
bad(){ echo "FAIL: $*"; nfail=$((nfail+1)); }
# expect NAME EXPECTED ACTUAL
expect(){
  if [ "$2" = "$3" ]; then
    ok "$1"
  else
    bad "$1"; echo "  expected: $2" | sed '2,$s/^/            /'
    echo "  actual:   $3" | sed '2,$s/^/            /'
  fi
}

if ! command -v pkg-config >/dev/null 2>&1; then
  echo "SKIP: pkg-config not found"; exit 77
fi
if ! command -v "${cc%% *}" >/dev/null 2>&1; then
  echo "SKIP: no C compiler ($cc)"; exit 77
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/lsmv-install-XXXXXX") || exit 1
tmp=$(cd "$tmp" && pwd -P)
trap 'rm -rf "$tmp"' EXIT
root=$tmp/root

# The nested make must not join the jobserver of the make check running us.
submake(){ env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL "${MAKE:-make}" "$@"; }

# ---------------------------------------------------------------- install
dirs=$(submake -s --no-print-directory -C "$build" print-dirs) \
  || { echo "FAIL: make print-dirs"; exit 1; }
dir(){ printf '%s\n' "$dirs" | sed -n "s/^$1=//p"; }
version=$(dir version)
bindir=$(dir bindir)
libdir=$(dir libdir)
includedir=$(dir includedir)
pcdir=$(dir pkgconfigdir)
mandir=$(dir mandir)
L=$root$libdir
if submake -C "$build" install DESTDIR="$root" >"$tmp/install.log" 2>&1; then
  ok "make install DESTDIR=... (libdir $libdir)"
else
  bad "make install DESTDIR=..."; tail -n 30 "$tmp/install.log"
  echo "$npass passed, $nfail failed"; exit 1
fi

# ---------------------------------------------------------------- a. files
# liblsmcore's file names as libtool made them (-version-info in
# Makefile.am): the real file, the soname link, the link-time link.
libnames=$(sed -n "s/^library_names='\(.*\)'$/\1/p" "$build/liblsmcore.la")
want=$( (for f in $libnames lsmvtab.so; do echo "$libdir/$f"; done
         echo "$includedir/lsmcore.h"; echo "$pcdir/lsmcore.pc"
         echo "$bindir/lsmctl"; echo "$mandir/man1/lsmctl.1") | sort)
have=$(cd "$root" && find . ! -type d | sed 's/^\.//' | sort)
expect "the installed files are exactly the expected set" "$want" "$have"
soname=$(readelf -d "$L/liblsmcore.so" 2>/dev/null \
         | sed -n 's/.*(SONAME).*\[\(.*\)\]/\1/p')
case $soname in
  liblsmcore.so.[0-9]*)
    if [ -e "$L/$soname" ]; then ok "liblsmcore soname $soname is installed"
    else bad "liblsmcore soname $soname is not installed"; fi;;
  *) bad "liblsmcore has no versioned soname: '$soname'";;
esac
expect "lsmvtab.so exports exactly sqlite3_lsmvtab_init" "sqlite3_lsmvtab_init" \
  "$(nm -D --defined-only "$L/lsmvtab.so" | awk '{print $3}' | grep -v '^$')"
exports=$(nm -D --defined-only "$L/liblsmcore.so" | awk '{print $3}' | grep -v '^$')
expect "liblsmcore.so exports only lsmc_* symbols, lsmc_open among them" \
  "|lsmc_open" \
  "$(printf '%s\n' "$exports" | grep -v '^lsmc_')|$(printf '%s\n' "$exports" | grep -x lsmc_open)"
if cmp -s "$src/lsmcore/lsmcore.h" "$root$includedir/lsmcore.h"; then
  ok "lsmcore.h is the source's"; else bad "lsmcore.h differs from the source's"; fi
if [ -f "$src/ext/lsmctl/lsmctl.1" ] && cmp -s "$src/ext/lsmctl/lsmctl.1" \
     "$root$mandir/man1/lsmctl.1"; then
  ok "lsmctl.1 is the source's"; else bad "lsmctl.1 missing or not the source's"; fi

# ---------------------------------------------------------------- b. .load
# host CMD...: run an uninstrumented host of the module (the shell,
# python3); under the sanitizer build with the ASan runtime preloaded.
asan=""
[ -n "${SANITIZERS:-}" ] && asan=$($cc -print-file-name=libasan.so)
host(){
  if [ -n "$asan" ]; then
    LD_PRELOAD=$asan ASAN_OPTIONS=detect_leaks=0 "$@"
  else
    "$@"
  fi
}
mkdir "$tmp/cwd" "$tmp/ld"
db=$tmp/t.db
if [ -z "$shell" ]; then
  bad "no sqlite3 shell (apt-get install sqlite3)"
else
  out=$(cd "$tmp/cwd" && LD_LIBRARY_PATH=$L LD_DEBUG=files \
        LD_DEBUG_OUTPUT=$tmp/ld/shell host "$shell" -batch "$db" ".load lsmvtab" \
        "CREATE VIRTUAL TABLE t USING lsm;" \
        "INSERT INTO t VALUES ('b', 2), ('a', 'one'), ('c', x'00ff');" \
        "SELECT key, quote(value) FROM t;" \
        "SELECT lsm_check('t');" 2>&1)
  expect "sqlite3: .load lsmvtab (no path) creates, fills and reads a table" \
"a|'one'
b|2
c|X'00FF'
ok" "$out"
  if grep -q "calling init: $L/lsmvtab.so\$" "$tmp"/ld/shell.* 2>/dev/null; then
    ok "sqlite3 took lsmvtab.so from DESTDIR$libdir"
  else
    bad "the loader did not take lsmvtab.so from $libdir:"
    grep 'lsmvtab' "$tmp"/ld/shell.* | head -5
  fi
fi
if [ -x /usr/bin/python3 ]; then
  out=$(cd "$tmp/cwd" && LD_LIBRARY_PATH=$L host /usr/bin/python3 -c '
import sqlite3, sys
conn = sqlite3.connect(sys.argv[1])
conn.enable_load_extension(True)
conn.load_extension("lsmvtab")
print(conn.execute("SELECT key, value FROM t WHERE key = ?", ("b",)).fetchall())
conn.execute("INSERT INTO t VALUES (?, ?)", ("d", 4.5))
conn.commit()
print(conn.execute("SELECT count(*), sum(key = ?) FROM t", ("d",)).fetchall())
' "$db" 2>&1)
  expect "python3: load_extension('lsmvtab') reads and writes the table" \
"[('b', 2)]
[(4, 1)]" "$out"
else
  bad "no /usr/bin/python3 (Debian's, whose sqlite3 module loads extensions)"
fi

# ---------------------------------------------------------------- c. pkg-config
PKG_CONFIG_PATH=$root$pcdir
PKG_CONFIG_SYSROOT_DIR=$root
export PKG_CONFIG_PATH PKG_CONFIG_SYSROOT_DIR
expect "pkg-config --modversion lsmcore" "$version" \
  "$(pkg-config --modversion lsmcore 2>&1)"
flags=$(pkg-config --cflags --libs lsmcore 2>&1)
case " $flags " in
  *" -I$root$includedir "*" -L$L "*|*" -L$L "*" -I$root$includedir "*)
    case " $flags " in
      *" -llsmcore "*) ok "pkg-config --cflags --libs lsmcore: $flags";;
      *) bad "pkg-config --libs lsmcore lacks -llsmcore: $flags";;
    esac;;
  *) bad "pkg-config --cflags --libs lsmcore lacks the installed dirs: $flags";;
esac
case " $(pkg-config --static --libs lsmcore 2>&1) " in
  *" -lxxhash "*) ok "pkg-config --static --libs lsmcore names libxxhash";;
  *) bad "pkg-config --static --libs lsmcore lacks -lxxhash";;
esac
# shellcheck disable=SC2086  # lists of flags
if $cc -std=c11 -Wall -Wextra -Werror ${SANITIZERS:-} \
     -o "$tmp/hello" "$src/test/examples/hello_lsmcore.c" $flags \
     >"$tmp/cc.log" 2>&1; then
  ok "hello_lsmcore.c compiles and links with pkg-config's flags"
  needed=$(readelf -d "$tmp/hello" \
           | sed -n 's/.*(NEEDED).*\[\(liblsmcore[^]]*\)\]/\1/p')
  expect "hello links liblsmcore's soname" "$soname" "$needed"
  out=$(LD_LIBRARY_PATH=$L "$tmp/hello" "$tmp/hello.lsm" 2>&1; echo "exit $?")
  expect "hello_lsmcore prints what it stored" "hello = world
apple = red
banana = yellow
exit 0" "$out"
  res=$(LD_LIBRARY_PATH=$L ldd "$tmp/hello" \
        | sed -n 's/.*liblsmcore[^ ]* => \([^ ]*\).*/\1/p')
  expect "hello resolves liblsmcore in the installed libdir" "$L/$soname" "$res"
else
  bad "hello_lsmcore.c does not build with pkg-config's flags"; cat "$tmp/cc.log"
fi

# ---------------------------------------------------------------- d. lsmctl
if [ -x "$root$bindir/lsmctl" ]; then
  out=$(LD_LIBRARY_PATH=$L "$root$bindir/lsmctl" help 2>&1)
  rc=$?
  expect "lsmctl help exits 0" 0 "$rc"
  missing=""
  for c in info check dump sst wal compact help; do
    printf '%s\n' "$out" | grep -q -E "lsmctl $c( |\$)" || missing="$missing $c"
  done
  expect "lsmctl help names every command" "" "$missing"
  LD_LIBRARY_PATH=$L "$root$bindir/lsmctl" check "$db-t.lsm" >"$tmp/check.out" 2>&1
  rc=$?
  if [ $rc -eq 0 ]; then ok "lsmctl check on the shell's store exits 0"
  else bad "lsmctl check on the shell's store exits $rc"; cat "$tmp/check.out"; fi
else
  bad "no installed lsmctl in $bindir"
fi

echo "$npass passed, $nfail failed"
[ "$nfail" -eq 0 ]
