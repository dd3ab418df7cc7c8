#!/bin/bash
# fuzz.sh -- builds and runs the libFuzzer targets of test/fuzz/ (TESTPLAN
# F1-F4) with clang, ASan and UBSan (-fno-sanitize-recover=all).
#
# Usage: build-aux/fuzz.sh [SECONDS]     (run from anywhere in the tree)
#
#   1. Builds every target (test/fuzz/fuzz_<name>.c) into build-fuzz/, and
#      once more as a canary build (-DLSMV_FUZZ_CANARY=<id>: the source
#      file holding that target's canary is recompiled with it, which plants
#      an out-of-bounds read inside the decoder the target fuzzes).
#   2. Runs each target for SECONDS (default 60; LSMV_TEST_PROFILE=soak:
#      1800) with -timeout=5 -rss_limit_mb=1024 (and -dict for sql) on a
#      COPY of its committed corpus (the committed corpus never grows), two
#      targets at a time.  A target passes if libFuzzer exits 0 and leaves
#      no crash-/leak-/oom-/timeout- artifact.
#   3. Runs each canary build for up to 60 s, two at a time.  A canary
#      passes if it crashes with an AddressSanitizer report: if it does not,
#      the target is not reaching the code it claims to fuzz.
#   Artifacts of failures are copied to $LSMV_RESULTS_DIR/fuzz/ (default
#   ./test-results/fuzz/).  Prints one line per target and canary (exec/s
#   and cov: of the run), then "N passed, N failed"; exits 1 on a failure.
#
# Environment: CLANG (default clang-14, else clang), TMPDIR (default
# /dev/shm when writable: the store and sql targets create directories,
# under a private subdirectory removed at exit).
set -u

cd "$(dirname "$0")/.." || exit 1
TOP=$(pwd)
OUT=$TOP/build-fuzz
RESULTS=${LSMV_RESULTS_DIR:-$TOP/test-results}/fuzz

SECS=${1:-}
if [ -z "$SECS" ]; then
  if [ "${LSMV_TEST_PROFILE:-ci}" = soak ]; then SECS=1800; else SECS=60; fi
fi
CANARY_SECS=60

CLANG=${CLANG:-}
if [ -z "$CLANG" ]; then
  if command -v clang-14 >/dev/null; then CLANG=clang-14; else CLANG=clang; fi
fi
if [ -z "${TMPDIR:-}" ] && [ -d /dev/shm ] && [ -w /dev/shm ]; then
  export TMPDIR=/dev/shm
fi
# The targets' directories go to a private TMPDIR, removed at exit (a
# crashing canary cannot clean up after itself).
FUZZ_TMP=$(mktemp -d "${TMPDIR:-/tmp}/lsmv-fuzz.XXXXXX") || exit 1
export TMPDIR=$FUZZ_TMP
trap 'rm -rf "$FUZZ_TMP"' EXIT

# name:canary-id:canary-source:max_len
TARGETS="
wal:1:lsmcore/wal_reader.c:8192
block:2:lsmcore/block.c:4096
index:3:lsmcore/sst_reader.c:4096
filter:4:lsmcore/bloom.c:4096
footer:5:lsmcore/sst_format.c:4096
manifest:6:lsmcore/manifest.c:4096
keycodec:7:ext/keycodec.c:1024
store:8:lsmcore/block.c:16384
sql:9:ext/rowcodec.c:4096
"

SAN="-fsanitize=address,undefined -fno-sanitize-recover=all"
CFLAGS="-std=c11 -D_GNU_SOURCE -g -O1 -fno-omit-frame-pointer -Wall -Wextra -Werror $SAN"
INC="-I$TOP/lsmcore -I$TOP/test -I$TOP/test/fuzz -I$TOP/ext -DSQLITE_CORE"
PKG_CFLAGS=$(pkg-config --cflags libxxhash sqlite3)
PKG_LIBS="$(pkg-config --libs libxxhash sqlite3) -lm -lpthread"
EXT_SOURCES="ext/lsmvtab.c ext/table.c ext/cursor.c ext/update.c ext/txn.c
  ext/functions.c ext/keycodec.c ext/rowcodec.c ext/schema.c ext/sqltoken.c
  ext/planner.c ext/storepath.c ext/engineopts.c"

# Compile one source to an object: cc SRC OBJ EXTRA-FLAGS...
cc1(){
  local src=$1 obj=$2; shift 2
  $CLANG $CFLAGS -fsanitize=fuzzer-no-link $INC $PKG_CFLAGS "$@" \
    -c "$TOP/$src" -o "$obj"
}

build(){
  local src obj t name id csrc maxlen
  rm -rf "$OUT/obj" && mkdir -p "$OUT/obj" || return 1
  # Engine and module objects once, two compilers at a time.
  export -f cc1; export CLANG CFLAGS INC PKG_CFLAGS TOP
  for src in lsmcore/*.c $EXT_SOURCES test/fuzz/fuzzutil.c test/testutil.c; do
    echo "$src $OUT/obj/$(echo "$src" | tr / _).o"
  done | xargs -P 2 -n 2 bash -c 'cc1 "$0" "$1"' || return 1
  ar rcs "$OUT/libcore.a" $(ls "$OUT"/obj/lsmcore_*.o) || return 1
  ar rcs "$OUT/libext.a" $(ls "$OUT"/obj/ext_*.o) || return 1
  for t in $TARGETS; do
    IFS=: read -r name id csrc maxlen <<<"$t"
    cc1 "test/fuzz/fuzz_$name.c" "$OUT/obj/fuzz_$name.o" || return 1
    cc1 "$csrc" "$OUT/obj/canary_$name.o" -DLSMV_FUZZ_CANARY="$id" || return 1
    $CLANG $SAN -fsanitize=fuzzer "$OUT/obj/fuzz_$name.o" \
      "$OUT/obj/test_fuzz_fuzzutil.c.o" "$OUT/obj/test_testutil.c.o" \
      "$OUT/libext.a" "$OUT/libcore.a" \
      $PKG_LIBS -o "$OUT/fuzz_$name" || return 1
    $CLANG $SAN -fsanitize=fuzzer "$OUT/obj/fuzz_$name.o" \
      "$OUT/obj/canary_$name.o" \
      "$OUT/obj/test_fuzz_fuzzutil.c.o" "$OUT/obj/test_testutil.c.o" \
      "$OUT/libext.a" "$OUT/libcore.a" \
      $PKG_LIBS -o "$OUT/fuzz_${name}_canary" || return 1
  done
}

# Run one target: run NAME BINARY SECONDS MAXLEN KIND (KIND: target|canary).
# Writes $OUT/run/<bin>/result: "pass|fail <summary>".
run(){
  local name=$1 bin=$2 secs=$3 maxlen=$4 kind=$5
  local dir=$OUT/run/$bin
  local dict=""
  rm -rf "$dir" && mkdir -p "$dir/corpus" "$dir/artifacts" || return 1
  cp -r "$TOP/test/fuzz/corpus/$name/." "$dir/corpus/" 2>/dev/null
  if [ -f "$TOP/test/fuzz/$name.dict" ]; then
    dict="-dict=$TOP/test/fuzz/$name.dict"
  fi
  # The committed corpus is only read: new units go to the copy.
  ( cd "$dir" && "$OUT/$bin" -max_total_time="$secs" -timeout=5 \
      -rss_limit_mb=1024 -max_len="$maxlen" -print_final_stats=1 $dict \
      -artifact_prefix="$dir/artifacts/" "$dir/corpus" \
      >"$dir/log" 2>&1 )
  local rc=$?
  local stats
  stats=$(grep -E '^#[0-9]+[[:space:]]+(DONE|pulse|NEW|REDUCE|INITED)' "$dir/log" | tail -1 |
          sed -E 's/.*(cov: [0-9]+).*(exec\/s: [0-9]+).*/\1 \2/')
  local nart
  nart=$(find "$dir/artifacts" -type f | wc -l)
  if [ "$kind" = target ]; then
    if [ $rc -eq 0 ] && [ "$nart" -eq 0 ]; then
      echo "pass $stats" >"$dir/result"
    else
      mkdir -p "$RESULTS/$bin"
      cp "$dir"/artifacts/* "$dir/log" "$RESULTS/$bin/" 2>/dev/null
      echo "fail (exit $rc, $nart artifacts; see $RESULTS/$bin) $stats" \
        >"$dir/result"
    fi
  else
    if [ $rc -ne 0 ] && grep -q 'ERROR: AddressSanitizer' "$dir/log" \
       && [ "$nart" -gt 0 ]; then
      local t
      t=$(grep -oE '^#[0-9]+' "$dir/log" | tail -1)
      echo "pass (crashed as planted, last status line ${t:-#0}) $stats" \
        >"$dir/result"
    else
      mkdir -p "$RESULTS/$bin"
      cp "$dir/log" "$RESULTS/$bin/" 2>/dev/null
      echo "fail (canary not found in ${secs}s: the target does not reach it; see $RESULTS/$bin/log) $stats" \
        >"$dir/result"
    fi
  fi
}

# Run a list of "name bin secs maxlen kind" jobs two at a time.
run_all(){
  local n=0 line
  while read -r line; do
    [ -z "$line" ] && continue
    # shellcheck disable=SC2086
    run $line &
    n=$((n+1))
    if [ $n -ge 2 ]; then wait -n; n=$((n-1)); fi
  done
  wait
}

echo "fuzz.sh: building with $CLANG into $OUT"
mkdir -p "$OUT" || exit 1
if ! build >"$OUT/build.log" 2>&1; then
  cat "$OUT/build.log"
  echo "fuzz.sh: build failed"
  echo "0 passed, 1 failed"
  exit 1
fi

JOBS=""
CJOBS=""
for t in $TARGETS; do
  IFS=: read -r name id csrc maxlen <<<"$t"
  JOBS="$JOBS$name fuzz_$name $SECS $maxlen target
"
  CJOBS="$CJOBS$name fuzz_${name}_canary $CANARY_SECS $maxlen canary
"
done
echo "fuzz.sh: running each target for ${SECS}s, two at a time"
printf '%s' "$JOBS" | run_all
echo "fuzz.sh: running the canaries (up to ${CANARY_SECS}s each)"
printf '%s' "$CJOBS" | run_all

npass=0; nfail=0
for t in $TARGETS; do
  IFS=: read -r name id csrc maxlen <<<"$t"
  for bin in "fuzz_$name" "fuzz_${name}_canary"; do
    res=$(cat "$OUT/run/$bin/result" 2>/dev/null || echo "fail (no result)")
    printf '%-22s %s\n' "$bin" "$res"
    case $res in pass*) npass=$((npass+1));; *) nfail=$((nfail+1));; esac
  done
done
echo "$npass passed, $nfail failed"
[ $nfail -eq 0 ]
