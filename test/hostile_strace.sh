#!/bin/sh
# hostile_strace.sh -- TESTPLAN H2 under strace: hostile database files
# must not make the module touch the file system outside the database
# directory, and must make it write nothing at all while SQLite merely
# opens the file, reads sqlite_schema, runs PRAGMA integrity_check or
# PRAGMA table_info.  Run on SQLite 3.40.1 (the system library, the
# driver make check builds) and on a current SQLite (3.53.x, whose
# integrity_check calls xConnect: TESTPLAN V2).
#
# Usage: hostile_strace.sh [BUILDDIR [SRCDIR]]
#   BUILDDIR  the build tree holding test/check_hostile (make check builds
#             it); default: the directory of $LSMVTAB_MODULE, else "."
#   SRCDIR    the source tree; default: this script's directory's parent
# Environment: CC and SANITIZERS (set by make check) build the 3.53 driver
# like the rest; HOSTILE_SQLITE_DIR names a directory holding sqlite3.c,
# sqlite3.h and sqlite3ext.h to use instead of fetching them;
# LSMV_RESULTS_DIR (default ./test-results) receives the traces of a
# failure under hostile_strace/.
#
# The current SQLite comes from the npm package better-sqlite3 (its
# deps/sqlite3 is the amalgamation), fetched once with "npm pack" into
# BUILDDIR/test/sqlite-current/ and never committed; the driver is built
# there against it once (and again when a source is newer).  Without npm
# or the registry, that half prints a SKIP line and counts as neither
# passed nor failed.
#
# For each SQLite: "check_hostile --h2-setup" builds a sandbox (tree in
# test/check_hostile.c: root/ is the database directory, the allowed root;
# outside/, foreign/ and otherstore/ lie outside it), the tree is
# snapshotted (path, type, size, mtime, inode, link target, sha256 of
# every file; the case databases and root/ itself excluded), then
# "check_hostile --h2-run" runs every case under
#   strace -f -y -e trace=openat,open,mkdir,mkdirat,unlink,unlinkat,rename,
#          renameat,renameat2,truncate,ftruncate,link,linkat,symlink,symlinkat
# and the tree is snapshotted again.  Checks, each one "ok:" or "FAIL:":
#   1. the driver passes its own checks (every refusal names its reason);
#   2. the snapshots are identical;
#   3. the trace shows no write-mode open (O_WRONLY, O_RDWR, O_CREAT,
#      O_TRUNC) and no other traced call on a path outside root/;
#   4. between the driver's markers (an open of /nonexistent/MARK-<case>-
#      <step>) of the open, schema, integrity and tableinfo steps, no such
#      call at all except on the case's own database file and journal,
#      which SQLite itself opens read-write;
#   5. the trace holds the final marker (strace really traced the run);
#   and once, before the runs: the audit of rules 3 and 4 flags exactly the
#   four forbidden calls of a planted trace.
# Prints "N passed, N failed"; exits 1 on any failure, 77 (skip) if
# strace cannot run here.

builddir=${1:-$(dirname "${LSMVTAB_MODULE:-./lsmvtab}")}
srcdir=${2:-$(dirname "$0")/..}
builddir=$(cd "$builddir" && pwd) || exit 1
srcdir=$(cd "$srcdir" && pwd) || exit 1
driver=$builddir/test/check_hostile
results=${LSMV_RESULTS_DIR:-test-results}/hostile_strace
calls=openat,open,mkdir,mkdirat,unlink,unlinkat,rename,renameat,renameat2
calls=$calls,truncate,ftruncate,link,linkat,symlink,symlinkat
npass=0
nfail=0

ok(){ echo "ok: $*"; npass=$((npass+1)); }
bad(){ echo "FAIL: $*"; nfail=$((nfail+1)); }

command -v strace >/dev/null 2>&1 || { echo "SKIP: strace not found"; exit 77; }
strace -f -qq -o /dev/null true 2>/dev/null \
  || { echo "SKIP: strace cannot trace here (ptrace refused)"; exit 77; }
[ -x "$driver" ] || { echo "FAIL: no driver $driver (make check builds it)"; exit 1; }

tmp=$(mktemp -d "${TMPDIR:-/tmp}/hostile_strace-XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT

# snap DIR OUT: the sandbox's entries and file hashes into OUT.meta/.sha.
snap(){
  (cd "$1" && find . -mindepth 1 ! -path ./root ! -path './root/*.db' \
      ! -path './root/*.db-journal' -printf '%p %y %s %T@ %i %l\n' | sort) \
    > "$2.meta"
  (cd "$1" && find . -mindepth 1 -type f ! -path './root/*.db' \
      ! -path './root/*.db-journal' -print0 | sort -z \
    | xargs -0 -r sha256sum) > "$2.sha"
}

# audit TRACE ROOT: print one line per forbidden call (rules 3 and 4).
audit(){
  awk -v root="$2" '
    # Resolve path p (dirfd path d, "" for none) against the cwd, root.
    function resolve(d, p){
      if( substr(p, 1, 1)=="/" ) return p
      if( d=="" ) d = root
      return d "/" p
    }
    function inside(p){
      if( p ~ /\/\.\.(\/|$)/ ) return 0
      return p==root || substr(p, 1, length(root)+1)==root "/"
    }
    function isdb(p, n){
      n = length(root) + 1
      if( substr(p, 1, n)!=root "/" ) return 0
      p = substr(p, n+1)
      return p ~ /^[^\/]*\.db(-journal)?$/
    }
    function judge(p){
      if( !inside(p) ){
        printf "%s: outside the root: %s\n", step, line
      }else if( inspect && !isdb(p) ){
        printf "%s: during an inspect step: %s\n", step, line
      }
    }
    BEGIN { step = "startup"; inspect = 1 }
    {
      line = $0
      sub(/^[0-9]+ +/, "", line)
      if( line ~ /^<\.\.\. / || line ~ /^\+\+\+ / || line ~ /^--- / ) next
      if( match(line, /MARK-[^"]*/) ){
        step = substr(line, RSTART+5, RLENGTH-5)
        inspect = (step ~ /-(open|schema|integrity|tableinfo)$/)
        next
      }
      call = line
      sub(/\(.*/, "", call)
      if( call ~ /^open(at)?$/ && line !~ /O_WRONLY|O_RDWR|O_CREAT|O_TRUNC/ ) next
      args = line
      sub(/\) += .*$/, "", args)
      sub(/^[a-z0-9]+\(/, "", args)
      n = 0
      # dirfd + name pairs (the *at calls), then lone names, then fds.
      while( match(args, /[A-Z_0-9]+<[^>]*>, "[^"]*"/) ){
        pair = substr(args, RSTART, RLENGTH)
        args = substr(args, 1, RSTART-1) substr(args, RSTART+RLENGTH)
        d = pair; sub(/^[A-Z_0-9]+</, "", d); sub(/>, ".*$/, "", d)
        p = pair; sub(/^[^"]*"/, "", p); sub(/"$/, "", p)
        judge(resolve(d, p)); n++
      }
      nq = 0
      while( match(args, /"[^"]*"/) ){
        p = substr(args, RSTART+1, RLENGTH-2)
        args = substr(args, 1, RSTART-1) substr(args, RSTART+RLENGTH)
        # The target of a symlink is its content, not a path it touches.
        if( !((call=="symlink" && nq==0) || call=="symlinkat") ){
          judge(resolve("", p))
        }
        n++; nq++
      }
      while( match(args, /[0-9]+<[^>]*>/) ){
        p = substr(args, RSTART, RLENGTH)
        args = substr(args, 1, RSTART-1) substr(args, RSTART+RLENGTH)
        sub(/^[0-9]+</, "", p); sub(/>$/, "", p)
        judge(p); n++
      }
      if( n==0 ) printf "%s: unresolved call: %s\n", step, line
    }
  ' "$1"
}

# h2run LABEL DRIVER: run the H2 cases under strace and judge them.
h2run(){
  label=$1
  drv=$2
  sb=$(mktemp -d "$tmp/sb-XXXXXX")
  if ! "$drv" --h2-setup "$sb" > "$tmp/$label.setup" 2>&1; then
    bad "$label: sandbox setup"; sed 's/^/  /' "$tmp/$label.setup"; return
  fi
  snap "$sb" "$tmp/$label.before"
  (cd "$sb/root" && ASAN_OPTIONS=detect_leaks=0 \
     strace -f -y -qq -s 65536 -o "$tmp/$label.trace" -e trace=$calls \
       "$drv" --h2-run "$sb") > "$tmp/$label.out" 2>&1
  rc=$?
  ver=$(head -n 1 "$tmp/$label.out")
  last=$(tail -n 1 "$tmp/$label.out")
  if [ $rc -eq 0 ]; then
    ok "$label ($ver): driver checks: $last"
  else
    bad "$label ($ver): driver checks (rc=$rc): $last"
    grep 'FAIL' "$tmp/$label.out" | head -20 | sed 's/^/  /'
  fi
  snap "$sb" "$tmp/$label.after"
  if cmp -s "$tmp/$label.before.meta" "$tmp/$label.after.meta" \
     && cmp -s "$tmp/$label.before.sha" "$tmp/$label.after.sha"; then
    ok "$label: sandbox snapshot unchanged ($(wc -l < "$tmp/$label.before.meta") entries)"
  else
    bad "$label: sandbox snapshot changed"
    diff "$tmp/$label.before.meta" "$tmp/$label.after.meta" | sed 's/^/  /'
    diff "$tmp/$label.before.sha" "$tmp/$label.after.sha" | sed 's/^/  /'
  fi
  audit "$tmp/$label.trace" "$sb/root" > "$tmp/$label.audit"
  if [ -s "$tmp/$label.audit" ]; then
    bad "$label: strace shows forbidden calls"
    head -20 "$tmp/$label.audit" | sed 's/^/  /'
  else
    ok "$label: strace: no write or namespace change outside the root, none during inspect steps ($(grep -c . "$tmp/$label.trace") calls)"
  fi
  if grep -q 'MARK-all-done' "$tmp/$label.trace"; then
    ok "$label: strace saw the whole run ($(grep -c 'MARK-' "$tmp/$label.trace") markers)"
  else
    bad "$label: the trace lacks the final marker"
  fi
  if [ $nfail -gt 0 ]; then
    mkdir -p "$results" && cp "$tmp/$label".* "$results/" 2>/dev/null \
      && echo "  traces kept in $results/"
  fi
}

# current_driver: print the path of a driver built against a current
# SQLite, fetching and building it if needed; print nothing if it cannot.
current_driver(){
  cur=$builddir/test/sqlite-current
  mkdir -p "$cur" || return
  amal=${HOSTILE_SQLITE_DIR:-$cur/amalgamation}
  if [ ! -f "$amal/sqlite3.c" ]; then
    command -v npm >/dev/null 2>&1 || { echo "npm not found" >&2; return; }
    ( cd "$cur" && rm -rf package better-sqlite3-*.tgz \
      && timeout 300 npm pack better-sqlite3 --silent >/dev/null 2>&1 \
      && tar xzf better-sqlite3-*.tgz package/deps/sqlite3 \
      && rm -rf amalgamation && mv package/deps/sqlite3 amalgamation \
      && rm -rf package better-sqlite3-*.tgz ) \
      || { echo "npm pack better-sqlite3 failed" >&2; return; }
  fi
  cc=${CC:-cc}
  flags="-std=c11 -D_GNU_SOURCE -DLSMC_TESTHOOKS -DSQLITE_CORE -g -O2 ${SANITIZERS:-}"
  if [ ! -f "$cur/sqlite3.o" ] \
     || [ -n "$(find "$amal/sqlite3.c" -newer "$cur/sqlite3.o")" ]; then
    # shellcheck disable=SC2086  # SANITIZERS is a list of flags
    $cc -g -O2 ${SANITIZERS:-} -DSQLITE_THREADSAFE=1 -c "$amal/sqlite3.c" \
      -o "$cur/sqlite3.o" >&2 || return
  fi
  srcs="$srcdir/lsmcore/*.c $srcdir/test/faultenv.c $srcdir/test/testutil.c
        $srcdir/ext/*.c $srcdir/test/check_hostile.c"
  # shellcheck disable=SC2086  # srcs is a list of globs
  newer=$(find $srcs "$cur/sqlite3.o" -newer "$cur/check_hostile" 2>/dev/null | head -n 1)
  if [ ! -x "$cur/check_hostile" ] || [ -n "$newer" ]; then
    # shellcheck disable=SC2086,SC2046  # lists of flags and files
    $cc $flags -I"$amal" -I"$srcdir/lsmcore" -I"$srcdir/test" -I"$srcdir/ext" \
      $srcs "$cur/sqlite3.o" $(pkg-config --cflags --libs check libxxhash) \
      -lm -lpthread -ldl -o "$cur/check_hostile" >&2 || return
  fi
  echo "$cur/check_hostile"
}

# The audit itself must catch what it is for: a planted trace with four
# forbidden calls and three allowed ones gives exactly four lines.
R=/sb/root
cat > "$tmp/planted.trace" <<EOF
1 openat(AT_FDCWD<$R>, "/nonexistent/MARK-c-integrity", O_RDONLY) = -1 ENOENT
1 openat(AT_FDCWD<$R>, "$R/c.db", O_RDWR|O_NOFOLLOW|O_CLOEXEC) = 3<$R/c.db>
1 mkdir("$R/c.db-x.lsm", 0755) = 0
1 openat(3<$R/sub>, "x", O_RDONLY|O_PATH) = 4<$R/sub/x>
1 openat(AT_FDCWD<$R>, "/nonexistent/MARK-c-select", O_RDONLY) = -1 ENOENT
2 openat(AT_FDCWD<$R>, "$R/st/LOCK", O_RDWR|O_CREAT|O_CLOEXEC, 0644) = 5<$R/st/LOCK>
2 unlinkat(5<$R/../outside>, "canary", 0) = 0
2 renameat2(AT_FDCWD<$R>, "$R/a", AT_FDCWD<$R>, "/sb/b", 0) = 0
2 ftruncate(6</sb/outside/f>, 0) = 0
EOF
audit "$tmp/planted.trace" "$R" > "$tmp/planted.audit"
if [ "$(wc -l < "$tmp/planted.audit")" -eq 4 ] \
   && grep -q 'c-integrity: during an inspect step: mkdir' "$tmp/planted.audit" \
   && grep -q 'outside the root: unlinkat' "$tmp/planted.audit" \
   && grep -q 'outside the root: renameat2' "$tmp/planted.audit" \
   && grep -q 'outside the root: ftruncate' "$tmp/planted.audit"; then
  ok "the audit flags a planted trace (4 of 4 forbidden calls)"
else
  bad "the audit misjudges a planted trace:"; sed 's/^/  /' "$tmp/planted.audit"
fi

h2run sqlite-system "$driver"
drv353=$(current_driver)
if [ -n "$drv353" ]; then
  h2run sqlite-current "$drv353"
  case $(head -n 1 "$tmp/sqlite-current.out") in
    "SQLite 3.5"*|"SQLite 3.6"*) ;;
    *) bad "sqlite-current is not 3.5x: $(head -n 1 "$tmp/sqlite-current.out")";;
  esac
else
  echo "SKIP: the current-SQLite (3.53) half did not run: no amalgamation" \
       "(npm or the registry unreachable); set HOSTILE_SQLITE_DIR to run it"
fi
echo "$npass passed, $nfail failed"
[ $nfail -eq 0 ]
