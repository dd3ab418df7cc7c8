/*
** db_bench.c -- a LevelDB-style benchmark of lsmcore and, side by side in
** one run, of the peers LevelDB and RocksDB, each through its C API and
** the backend layer of bench_engine.h.
**
** It runs named workloads in order (--benchmarks=a,b,c) against each
** engine of --engines (default: every engine compiled in), each engine in
** a store directory of its own (<base>/<engine name>), with the same
** options, the same key sequences and the same values.  Each engine's whole
** workload list runs in a child process (fork), so that engines share
** neither a heap nor a page of cache; the child prints one line per
** workload and sends a fixed-size BenchRecord per workload to the parent
** through a pipe; the parent takes the child's peak RSS from wait4() and
** goes on if a child crashes.  With --runs=R the engines take turns R
** times and the comparison shows medians.  At the end the parent prints a
** Markdown comparison table (ops/s per engine and the ratios lsmcore/peer,
** then write amplification, space amplification and peak RSS), and can
** write it to --report, the ratios to --dat for gnuplot, and a chart to
** --png (plot_ratios.gp).
**
** Keys are 16 bytes, the key number as 16 decimal digits; readmissing uses
** keys of 15 digits and a '.', which no workload writes.  Values are
** value_size bytes taken from a pool of pseudo-random bytes (fixed seed).
** Random key numbers come from a per-thread splitmix64 generator seeded by
** (workload position, thread), the same for every engine.  A fill* workload
** starts from an empty store (unless --use_existing_db=1); the others use
** what the previous workloads left.  Threads: fillrandom and fillsync
** honour --threads=T, fillsync4 always uses 4; each thread gets a handle
** from the engine's xAttach and writes its own slice of the key range.
**
** Write amplification is measured the same way for every engine: the delta
** of wchar in /proc/self/io (bytes the process passed to write and pwrite,
** background threads included) around a workload, divided by the
** workload's user bytes.  For lsmcore the engine's own counters are printed
** too.  Space amplification: after overwrite (or after the last workload
** if the list has no overwrite, and only if the list writes), once the
** store's size has held for 2 s (background work done), the key and value
** bytes of a full scan against the store directory's size after close.
**
** --benchmarks=strategies is a mode of its own (lsmcore only), in
** bench_strategies.c.  State lives in one Bench object passed around: no
** mutable globals.  Any engine error prints the engine's message and exits
** 1 (in a child: the parent reports that engine as failed).  The stores'
** parent directory is a fresh directory under $TMPDIR (default /tmp),
** removed at the end unless --keep=1; one given with --db is never
** removed, but fill* workloads do empty the store in it (only if it is
** empty or looks like a store: it holds an IDENTITY or a CURRENT file).
** The helpers shared with sql_bench (clock, splitmix64 and value pool,
** directory sizes, argument parsing, medians, Markdown tables, machine
** description, gnuplot) are in bench_util.c.
*/
#ifndef _GNU_SOURCE
# define _GNU_SOURCE     /* asprintf, unlinkat, wait4 */
#endif
#include "bench.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <pthread.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#define BENCH_DEFAULT_LIST "fillseq,fillrandom,overwrite,readrandom," \
  "readmissing,seekrandom,readseq,readcold,deleterandom,fillseqbatch," \
  "fillrandombatch,fillsync,fillsync4"
#define BENCH_MIB            (1LL<<20)
#define BENCH_DEF_MEMTABLE   (32*BENCH_MIB)  /* lsmcore's default */
#define BENCH_MIN_CACHE      (32*BENCH_MIB)  /* Floor of the hot cache */
#define BENCH_DEF_COLD_CACHE (8*BENCH_MIB)   /* --cold_cache_size */
#define BENCH_DEF_BLOCK      4096
#define BENCH_DEF_BLOOM      10
#define BENCH_RATIO_SCRIPT   "plot_ratios.gp"
#define BENCH_CELL           64              /* Bytes per table cell */

/* An engine db_bench knows, compiled in (pEngine) or not. */
typedef struct BenchEngineReg BenchEngineReg;
struct BenchEngineReg {
  const char *zName;           /* Name in --engines */
  const BenchEngine *pEngine;  /* NULL if not compiled in */
  const char *zPackage;        /* Debian package that provides it */
};

static const BenchEngineReg aEngineReg[] = {
  { "lsmcore", &benchEngineLsmcore, 0 },
#ifdef HAVE_LEVELDB
  { "leveldb", &benchEngineLeveldb, "libleveldb-dev" },
#else
  { "leveldb", 0,                   "libleveldb-dev" },
#endif
#ifdef HAVE_ROCKSDB
  { "rocksdb", &benchEngineRocksdb, "librocksdb-dev" },
#else
  { "rocksdb", 0,                   "librocksdb-dev" },
#endif
};
#define BENCH_N_REG ((int)(sizeof(aEngineReg)/sizeof(aEngineReg[0])))

/* ---------------------------------------------------------- helpers */

/*
** Write the key of key number i to a (BENCH_KEY_SIZE+1 bytes): 16 digits,
** or 15 digits and a '.' if bMissing.  Hand-rolled rather than snprintf, so
** that the instruction counts of the get loops are the engines' own.
*/
static void benchKey(char *a, long long i, int bMissing){
  unsigned long long u = (unsigned long long)i;
  int k = BENCH_KEY_SIZE-1;
  if( bMissing ) a[k--] = '.';
  for(; k>=0; k--){
    a[k] = (char)('0' + u%10);
    u /= 10;
  }
  a[BENCH_KEY_SIZE] = 0;
}

/* The key number of a 16-digit key, or -1 if pKey is not one. */
static long long benchKeyNumber(const void *pKey, size_t nKey){
  const unsigned char *a = (const unsigned char*)pKey;
  long long i = 0;
  size_t k;
  if( nKey!=BENCH_KEY_SIZE ) return -1;
  for(k=0; k<nKey; k++){
    if( a[k]<'0' || a[k]>'9' ) return -1;
    i = i*10 + (a[k]-'0');
  }
  return i;
}

/* The next value of thread p: nValue bytes of the shared random pool. */
static const unsigned char *benchValue(BenchThread *p){
  const unsigned char *a = &p->pBench->aPool[p->iPool];
  benchPoolNext(&p->iPool, p->pBench->cfg.nValue);
  return a;
}

/* A random key number in thread p's range. */
static long long benchRandomKey(BenchThread *p){
  return p->iFirst + (long long)(benchRandom(&p->iRand)
                                 % (unsigned long long)p->nRange);
}

/*
** A call of engine pE on handle pDb failed: print zWhat and the engine's
** message, and exit 1 (the whole process: in a child, the parent reports
** the engine as failed).
*/
static void benchFatal(const BenchEngine *pE, BenchDb *pDb,
                       const char *zWhat){
  fprintf(stderr, "db_bench: %s: %s failed: %s\n", pE->zName, zWhat,
          pDb ? pE->xErrmsg(pDb) : "?");
  fflush(stdout);
  exit(1);
}

/* benchFatal for thread p. */
static void benchFail(BenchThread *p, const char *zWhat){
  benchFatal(p->pBench->pEngine, p->pDb, zWhat);
}

/*
** The "wchar" counter of /proc/self/io: bytes this process (every thread)
** passed to write(), pwrite() and friends.  0 if unreadable.
*/
static unsigned long long benchWchar(void){
  char zLine[128];
  unsigned long long n = 0;
  FILE *pIn = fopen("/proc/self/io", "r");
  while( pIn && fgets(zLine, sizeof(zLine), pIn) ){
    if( strncmp(zLine, "wchar:", 6)==0 ){
      n = strtoull(&zLine[6], 0, 10);
      break;
    }
  }
  if( pIn ) fclose(pIn);
  return n;
}

/* True if d_name is "." or "..". */
static int benchIsDot(const char *z){
  return strcmp(z, ".")==0 || strcmp(z, "..")==0;
}

/*
** Remove the store directory zDir and its files.  A missing directory is
** fine.  A directory with files but neither IDENTITY (lsmcore, RocksDB)
** nor CURRENT (all three engines) is not a store and is left alone
** (returns non-zero).  Returns 0 on success.
*/
int benchDestroy(const char *zDir){
  DIR *pDir;
  struct dirent *pEnt;
  int nFile = 0;
  int bStore = 0;
  int rc = 0;

  pDir = opendir(zDir);
  if( pDir==0 ) return errno==ENOENT ? 0 : -1;
  while( (pEnt = readdir(pDir))!=0 ){
    if( benchIsDot(pEnt->d_name) ) continue;
    nFile++;
    if( strcmp(pEnt->d_name, "IDENTITY")==0
     || strcmp(pEnt->d_name, "CURRENT")==0 ) bStore = 1;
  }
  if( nFile>0 && !bStore ){
    closedir(pDir);
    fprintf(stderr, "db_bench: %s is not a store; not removing it\n", zDir);
    return -1;
  }
  rewinddir(pDir);
  while( rc==0 && (pEnt = readdir(pDir))!=0 ){
    if( benchIsDot(pEnt->d_name) ) continue;
    if( unlinkat(dirfd(pDir), pEnt->d_name, 0)!=0 ) rc = -1;
  }
  closedir(pDir);
  if( rc==0 && rmdir(zDir)!=0 ) rc = -1;
  if( rc!=0 ) fprintf(stderr, "db_bench: cannot remove %s\n", zDir);
  return rc;
}

/* Open the main handle with the run's options; print why if it fails. */
int benchOpen(Bench *p){
  char zErr[600];
  if( p->pEngine->xOpen(&p->opts, p->zDir, &p->pDb, zErr, sizeof(zErr)) ){
    fprintf(stderr, "db_bench: %s: %s\n", p->pEngine->zName, zErr);
    p->pDb = 0;
    return 1;
  }
  return 0;
}

/* Close the main handle, if open; print the error if the close fails. */
int benchClose(Bench *p){
  int rc = 0;
  if( p->pDb ){
    rc = p->pEngine->xClose(p->pDb);
    if( rc ) fprintf(stderr, "db_bench: %s: close failed (rc=%d)\n",
                     p->pEngine->zName, rc);
    p->pDb = 0;
  }
  return rc!=0;
}

/* ---------------------------------------------------------- workloads */

/* Put key number iKey with the next value (the store's sync mode). */
static void benchPut(BenchThread *p, long long iKey){
  const BenchEngine *pE = p->pBench->pEngine;
  char zKey[BENCH_KEY_SIZE+1];
  size_t nVal = (size_t)p->pBench->cfg.nValue;
  benchKey(zKey, iKey, 0);
  if( pE->xPut(p->pDb, zKey, BENCH_KEY_SIZE, benchValue(p), nVal) ){
    benchFail(p, "put");
  }
  p->nBytes += BENCH_KEY_SIZE + nVal;
  p->nDone++;
}

/* fillseq: put key numbers iFirst, iFirst+1, ... in order. */
static void benchFillSeq(BenchThread *p){
  long long i;
  for(i=0; i<p->nOps; i++) benchPut(p, p->iFirst + i%p->nRange);
}

/* fillrandom, overwrite: put random key numbers of the range. */
static void benchFillRandom(BenchThread *p){
  long long i;
  for(i=0; i<p->nOps; i++) benchPut(p, benchRandomKey(p));
}

/*
** Write batches of nPer entries, in key order (bSeq) or random, each
** batch fsynced if bSync, else with the store's sync mode.
*/
static void benchFillBatches(BenchThread *p, long long nPer, int bSeq,
                             int bSync){
  const BenchEngine *pE = p->pBench->pEngine;
  BenchBatch *pBatch = 0;
  char zKey[BENCH_KEY_SIZE+1];
  size_t nVal = (size_t)p->pBench->cfg.nValue;
  long long i = 0;
  long long j;

  if( pE->xBatchNew(p->pDb, &pBatch) ) benchFail(p, "batch new");
  while( i<p->nOps ){
    pE->xBatchClear(pBatch);
    for(j=0; j<nPer && i+j<p->nOps; j++){
      long long iKey = bSeq ? p->iFirst + (i+j)%p->nRange
                            : benchRandomKey(p);
      benchKey(zKey, iKey, 0);
      if( pE->xBatchPut(pBatch, zKey, BENCH_KEY_SIZE, benchValue(p), nVal) ){
        benchFail(p, "batch put");
      }
    }
    if( pE->xWrite(p->pDb, pBatch, bSync) ) benchFail(p, "write");
    i += j;
    p->nDone += j;
    p->nBytes += (unsigned long long)j * (BENCH_KEY_SIZE + nVal);
  }
  pE->xBatchFree(pBatch);
}

/* fillsync, fillsync4: one-entry writes, each fsynced. */
static void benchFillSync(BenchThread *p){
  benchFillBatches(p, 1, 0, 1);
}

/* fillseqbatch: batches of BENCH_BATCH_SIZE in key order. */
static void benchFillSeqBatch(BenchThread *p){
  benchFillBatches(p, BENCH_BATCH_SIZE, 1, 0);
}

/* fillrandombatch: batches of BENCH_BATCH_SIZE random keys. */
static void benchFillRandomBatch(BenchThread *p){
  benchFillBatches(p, BENCH_BATCH_SIZE, 0, 0);
}

#define BENCH_KEYS_RANDOM  0   /* benchGetLoop: random written-form keys */
#define BENCH_KEYS_MISSING 1   /* ... keys never written */
#define BENCH_KEYS_HITS    2   /* ... random keys of p->pBench->aHit */

/*
** The timed loop of the point reads: nOps gets of keys chosen as eKeys
** says, counting those found.  noinline, so that
** valgrind --toggle-collect=benchGetLoop counts these gets and nothing
** else (callgrind_get.sh).
*/
static __attribute__((noinline)) void benchGetLoop(BenchThread *p,
                                                   int eKeys){
  const BenchEngine *pE = p->pBench->pEngine;
  const long long *aHit = p->pBench->aHit;
  unsigned long long nHit = (unsigned long long)p->pBench->nHit;
  char zKey[BENCH_KEY_SIZE+1];
  long long i;
  for(i=0; i<p->nOps; i++){
    size_t nVal = 0;
    int rc;
    if( eKeys==BENCH_KEYS_HITS ){
      benchKey(zKey, aHit[benchRandom(&p->iRand) % nHit], 0);
    }else{
      benchKey(zKey, benchRandomKey(p), eKeys==BENCH_KEYS_MISSING);
    }
    rc = pE->xGet(p->pDb, zKey, BENCH_KEY_SIZE, &nVal);
    if( rc==BENCH_FOUND ){
      p->nFound++;
      p->nBytes += BENCH_KEY_SIZE + nVal;
    }else if( rc!=BENCH_MISSING ){
      benchFail(p, "get");
    }
  }
  p->nDone += p->nOps;
}

/* readrandom, readcold: lookups of random written-form keys. */
static void benchReadRandom(BenchThread *p){
  benchGetLoop(p, BENCH_KEYS_RANDOM);
}

/* readmissing: lookups of keys that are never written. */
static void benchReadMissing(BenchThread *p){
  benchGetLoop(p, BENCH_KEYS_MISSING);
}

/* readhit: lookups of keys present (found by the warm-up scan). */
static void benchReadHit(BenchThread *p){
  if( p->pBench->nHit==0 ){
    fprintf(stderr, "db_bench: readhit: the store is empty\n");
    exit(1);
  }
  benchGetLoop(p, BENCH_KEYS_HITS);
}

/*
** seekrandom: per operation, a new iterator, a seek to a random key
** (found if the first key >= target is the target itself) and up to
** BENCH_SEEK_NEXT steps forward.  noinline for callgrind, as benchGetLoop.
*/
static __attribute__((noinline)) void benchSeekRandom(BenchThread *p){
  const BenchEngine *pE = p->pBench->pEngine;
  char zKey[BENCH_KEY_SIZE+1];
  long long i;
  int j;
  for(i=0; i<p->nOps; i++){
    BenchIter *pIter = 0;
    benchKey(zKey, benchRandomKey(p), 0);
    if( pE->xIterNew(p->pDb, &pIter)
     || pE->xIterSeek(pIter, zKey, BENCH_KEY_SIZE) ) benchFail(p, "seek");
    for(j=0; pE->xIterValid(pIter); j++){
      size_t nKey = 0, nVal = 0;
      const void *pKey = pE->xIterKey(pIter, &nKey);
      pE->xIterValue(pIter, &nVal);
      if( j==0 && nKey==BENCH_KEY_SIZE
       && memcmp(pKey, zKey, BENCH_KEY_SIZE)==0 ){
        p->nFound++;
      }
      p->nBytes += nKey + nVal;
      if( j==BENCH_SEEK_NEXT ) break;
      if( pE->xIterNext(pIter) ) benchFail(p, "next");
    }
    pE->xIterClose(pIter);
    p->nDone++;
  }
}

/* readseq: a forward scan from the first key, at most nOps entries. */
static void benchReadSeq(BenchThread *p){
  const BenchEngine *pE = p->pBench->pEngine;
  BenchIter *pIter = 0;
  if( pE->xIterNew(p->pDb, &pIter) || pE->xIterFirst(pIter) ){
    benchFail(p, "scan");
  }
  while( p->nDone<p->nOps && pE->xIterValid(pIter) ){
    size_t nKey = 0, nVal = 0;
    pE->xIterKey(pIter, &nKey);
    pE->xIterValue(pIter, &nVal);
    p->nBytes += nKey + nVal;
    p->nDone++;
    if( pE->xIterNext(pIter) ) benchFail(p, "scan");
  }
  p->nFound = p->nDone;
  pE->xIterClose(pIter);
}

/* deleterandom: delete random key numbers of the range. */
static void benchDeleteRandom(BenchThread *p){
  const BenchEngine *pE = p->pBench->pEngine;
  char zKey[BENCH_KEY_SIZE+1];
  long long i;
  for(i=0; i<p->nOps; i++){
    benchKey(zKey, benchRandomKey(p), 0);
    if( pE->xDelete(p->pDb, zKey, BENCH_KEY_SIZE) ) benchFail(p, "delete");
    p->nBytes += BENCH_KEY_SIZE;
    p->nDone++;
  }
}

/* Every workload; the default list is BENCH_DEFAULT_LIST. */
static const BenchWorkload aWorkload[] = {
  /* zName            xRun                bFresh nThread eOps eSetup bWrite */
  { "fillseq",        benchFillSeq,         1, 1, BENCH_OPS_NUM,
    BENCH_SETUP_NONE, 1 },
  { "fillrandom",     benchFillRandom,      1, 0, BENCH_OPS_NUM,
    BENCH_SETUP_NONE, 1 },
  { "overwrite",      benchFillRandom,      0, 1, BENCH_OPS_NUM,
    BENCH_SETUP_NONE, 1 },
  { "readrandom",     benchReadRandom,      0, 1, BENCH_OPS_READS,
    BENCH_SETUP_WARM, 0 },
  { "readmissing",    benchReadMissing,     0, 1, BENCH_OPS_READS,
    BENCH_SETUP_NONE, 0 },
  { "seekrandom",     benchSeekRandom,      0, 1, BENCH_OPS_READS,
    BENCH_SETUP_NONE, 0 },
  { "readseq",        benchReadSeq,         0, 1, BENCH_OPS_READS,
    BENCH_SETUP_NONE, 0 },
  { "readcold",       benchReadRandom,      0, 1, BENCH_OPS_READS,
    BENCH_SETUP_COLD, 0 },
  { "deleterandom",   benchDeleteRandom,    0, 1, BENCH_OPS_NUM,
    BENCH_SETUP_NONE, 1 },
  { "fillseqbatch",   benchFillSeqBatch,    1, 1, BENCH_OPS_NUM,
    BENCH_SETUP_NONE, 1 },
  { "fillrandombatch", benchFillRandomBatch, 1, 1, BENCH_OPS_NUM,
    BENCH_SETUP_NONE, 1 },
  { "fillsync",       benchFillSync,        1, 0, BENCH_OPS_SYNC,
    BENCH_SETUP_NONE, 1 },
  { "fillsync4",      benchFillSync,        1, 4, BENCH_OPS_SYNC,
    BENCH_SETUP_NONE, 1 },
  { "readhit",        benchReadHit,         0, 1, BENCH_OPS_READS,
    BENCH_SETUP_HITS, 0 },
};

/* The workload named by the n bytes at z, or NULL. */
const BenchWorkload *benchFind(const char *z, size_t n){
  size_t i;
  for(i=0; i<sizeof(aWorkload)/sizeof(aWorkload[0]); i++){
    if( benchIsName(aWorkload[i].zName, z, n) ) return &aWorkload[i];
  }
  return 0;
}

/* ---------------------------------------------------------- driver */

/* pthread entry point: run thread p's share of its workload. */
static void *benchThreadMain(void *pArg){
  BenchThread *p = (BenchThread*)pArg;
  p->pW->xRun(p);
  return 0;
}

/*
** Scan the whole store through an iterator, reading every key and value
** (this warms the block cache).  *pnEntry and *pnLive get the live entries
** and their key+value bytes.  If bCollect, the key numbers of the keys
** found go to p->aHit (for readhit).
*/
static void benchScan(Bench *p, int bCollect, unsigned long long *pnEntry,
                      unsigned long long *pnLive){
  const BenchEngine *pE = p->pEngine;
  BenchIter *pIter = 0;
  long long nAlloc = 0;
  *pnEntry = *pnLive = 0;
  if( bCollect ) p->nHit = 0;
  if( pE->xIterNew(p->pDb, &pIter) || pE->xIterFirst(pIter) ){
    benchFatal(pE, p->pDb, "full scan");
  }
  while( pE->xIterValid(pIter) ){
    size_t nKey = 0, nVal = 0;
    const void *pKey = pE->xIterKey(pIter, &nKey);
    pE->xIterValue(pIter, &nVal);
    *pnLive += nKey + nVal;
    (*pnEntry)++;
    if( bCollect && benchKeyNumber(pKey, nKey)>=0 ){
      if( p->nHit>=nAlloc ){
        nAlloc = nAlloc ? nAlloc*2 : 65536;
        p->aHit = realloc(p->aHit, (size_t)nAlloc*sizeof(long long));
        if( p->aHit==0 ){
          fprintf(stderr, "db_bench: out of memory\n");
          exit(1);
        }
      }
      p->aHit[p->nHit++] = benchKeyNumber(pKey, nKey);
    }
    if( pE->xIterNext(pIter) ) benchFatal(pE, p->pDb, "full scan");
  }
  pE->xIterClose(pIter);
}

/*
** readcold's preparation: close the store, drop the OS cache of each of
** its files (fsync, then POSIX_FADV_DONTNEED), then, if permitted, sync()
** and "1" to /proc/sys/vm/drop_caches; reopen with the cold block cache.
** zNote (nNote bytes) says which drops were done.
*/
static void benchColdOpen(Bench *p, char *zNote, size_t nNote){
  BenchEngineOpts cold = p->opts;
  char zErr[600];
  DIR *pDir;
  struct dirent *pEnt;
  int nFile = 0, bFail = 0, bDrop = 0;
  int fd;

  if( benchClose(p) ) exit(1);
  pDir = opendir(p->zDir);
  while( pDir && (pEnt = readdir(pDir))!=0 ){
    if( benchIsDot(pEnt->d_name) ) continue;
    fd = openat(dirfd(pDir), pEnt->d_name, O_RDONLY);
    if( fd<0 ){
      bFail = 1;
      continue;
    }
    if( fsync(fd)!=0 || posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED)!=0 ){
      bFail = 1;
    }
    close(fd);
    nFile++;
  }
  if( pDir ) closedir(pDir);
  sync();
  fd = open("/proc/sys/vm/drop_caches", O_WRONLY);
  if( fd>=0 ){
    bDrop = write(fd, "1", 1)==1;
    close(fd);
  }
  snprintf(zNote, nNote, "fadvise %d files%s%s", nFile,
           bFail ? " (errors)" : "", bDrop ? " + drop_caches" : "");
  cold.nCache = p->cfg.nColdCache;
  if( p->pEngine->xOpen(&cold, p->zDir, &p->pDb, zErr, sizeof(zErr)) ){
    fprintf(stderr, "db_bench: %s: %s\n", p->pEngine->zName, zErr);
    exit(1);
  }
}

/*
** Print the result line of workload pW of record *pRec, done by nThread
** threads; pA and pB are the engine's own counters before and after (NULL
** if it has none); nDirA and nDirB the store's size.
*/
static void benchReport(Bench *p, const BenchWorkload *pW, int nThread,
                        const BenchRecord *pRec, unsigned long long nBytes,
                        const BenchCounters *pA, const BenchCounters *pB,
                        unsigned long long nDirA, unsigned long long nDirB){
  double rSec = pRec->rMicros/1e6;
  char zExtra[256];
  size_t k = 0;

  if( rSec<=0.0 ) rSec = 1e-9;
  zExtra[0] = 0;
  if( pW->eOps==BENCH_OPS_READS && pW->xRun!=benchReadSeq ){
    k += (size_t)snprintf(&zExtra[k], sizeof(zExtra)-k,
                          " (%lld of %lld found)", pRec->nFound, pRec->nDone);
  }
  if( pW->bWrite && pRec->nUser>0 ){
    k += (size_t)snprintf(&zExtra[k], sizeof(zExtra)-k,
                          "; wchar %.1f MB, wamp %.2f",
                          (double)pRec->nWchar/BENCH_MB,
                          (double)pRec->nWchar/(double)pRec->nUser);
  }
  if( pA && pB && pB->nUser>pA->nUser && k<sizeof(zExtra) ){
    k += (size_t)snprintf(&zExtra[k], sizeof(zExtra)-k,
        "; engine wrote %.1f MB (wal %.1f, flush %.1f, compact %.1f), "
        "%llu groups, %llu syncs",
        (double)(pB->nWal+pB->nFlush+pB->nCompact
                 -pA->nWal-pA->nFlush-pA->nCompact)/BENCH_MB,
        (double)(pB->nWal-pA->nWal)/BENCH_MB,
        (double)(pB->nFlush-pA->nFlush)/BENCH_MB,
        (double)(pB->nCompact-pA->nCompact)/BENCH_MB,
        pB->nGroup-pA->nGroup, pB->nSync-pA->nSync);
  }
  if( pRec->zNote[0] && k<sizeof(zExtra) ){
    snprintf(&zExtra[k], sizeof(zExtra)-k, "; cache %.0f MB, OS cache: %s",
             (double)p->cfg.nColdCache/BENCH_MB, pRec->zNote);
  }
  printf("%-8s %-15s : %10.3f micros/op %9.0f ops/s %7.1f MB/s;"
         " disk %+.1f MB%s\n", p->pEngine->zName, pW->zName,
         pRec->nDone ? pRec->rMicros*nThread/(double)pRec->nDone : 0.0,
         (double)pRec->nDone/rSec, (double)nBytes/BENCH_MB/rSec,
         ((double)nDirB - (double)nDirA)/BENCH_MB, zExtra);
  fflush(stdout);
  if( pA && pB ){
    p->total.nUser += pB->nUser - pA->nUser;
    p->total.nWal += pB->nWal - pA->nWal;
    p->total.nFlush += pB->nFlush - pA->nFlush;
    p->total.nCompact += pB->nCompact - pA->nCompact;
  }
}

/*
** The engine's own counters into *pC, if it has any; else return NULL.
** With --stats=1 and bPrint, the engine also prints its statistics.
*/
static BenchCounters *benchCounters(Bench *p, BenchCounters *pC,
                                    int bPrint){
  if( p->pEngine->xCounters==0 ) return 0;
  if( p->pEngine->xCounters(p->pDb, pC, bPrint && p->cfg.bStats) ){
    benchFatal(p->pEngine, p->pDb, "statistics");
  }
  return pC;
}

/*
** Run workload pW: empty the store first if it is a fill, do the untimed
** preparation (warm-up scan, cold reopen), split the work between the
** threads, time it, print its line and fill *pRec.  Returns 0 (every
** error exits).
*/
int benchRun(Bench *p, const BenchWorkload *pW, BenchRecord *pRec){
  const BenchEngine *pE = p->pEngine;
  BenchThread aT[BENCH_MAX_THREAD];
  pthread_t aId[BENCH_MAX_THREAD];
  BenchCounters cA, cB, *pA, *pB;
  unsigned long long nDirA, nDirB, nWcharA, nBytes = 0, nEntry, nLive;
  long long nOps, nNum = p->cfg.nNum;
  int nThread = pW->nThread ? pW->nThread : p->cfg.nThread;
  int i;
  double rStart;

  memset(pRec, 0, sizeof(*pRec));
  pRec->eType = BENCH_REC_WORKLOAD;
  if( pW->bFresh && !p->cfg.bUseExisting ){
    if( benchClose(p) || benchDestroy(p->zDir) ) exit(1);
  }
  if( p->pDb==0 && benchOpen(p) ) exit(1);
  nOps = pW->eOps==BENCH_OPS_READS ? p->cfg.nReads : nNum;
  if( pW->eOps==BENCH_OPS_SYNC ) nOps = nNum/100>0 ? nNum/100 : 1;
  if( nThread>nOps ) nThread = (int)nOps;
  if( nThread<1 ) nThread = 1;

  if( pW->eSetup==BENCH_SETUP_WARM || pW->eSetup==BENCH_SETUP_HITS ){
    benchScan(p, pW->eSetup==BENCH_SETUP_HITS, &nEntry, &nLive);
  }else if( pW->eSetup==BENCH_SETUP_COLD ){
    benchColdOpen(p, pRec->zNote, sizeof(pRec->zNote));
  }

  memset(aT, 0, sizeof(aT));
  p->nRun++;
  for(i=0; i<nThread; i++){
    BenchThread *pT = &aT[i];
    pT->pBench = p;
    pT->pW = pW;
    pT->iFirst = nNum*i/nThread;
    pT->nRange = nNum*(i+1)/nThread - pT->iFirst;
    if( pT->nRange<1 ) pT->nRange = 1;
    pT->nOps = nOps*(i+1)/nThread - nOps*i/nThread;
    pT->iRand = BENCH_SEED + 1000ULL*(unsigned long long)p->nRun + i;
    pT->iPool = (unsigned)(benchRandom(&pT->iRand) % BENCH_POOL_SIZE);
    pT->pDb = p->pDb;
    if( i>0 && pE->xAttach(p->pDb, &pT->pDb) ){
      benchFatal(pE, p->pDb, "open of a thread's handle");
    }
  }

  pA = benchCounters(p, &cA, 0);
  nDirA = benchDirSize(p->zDir);
  nWcharA = benchWchar();
  rStart = benchNowMicros();
  if( nThread==1 ){
    pW->xRun(&aT[0]);
  }else{
    for(i=0; i<nThread; i++){
      if( pthread_create(&aId[i], 0, benchThreadMain, &aT[i])!=0 ){
        fprintf(stderr, "db_bench: pthread_create failed\n");
        exit(1);
      }
    }
    for(i=0; i<nThread; i++) pthread_join(aId[i], 0);
  }
  pRec->rMicros = benchNowMicros() - rStart;
  pRec->nWchar = benchWchar() - nWcharA;
  nDirB = benchDirSize(p->zDir);
  pB = benchCounters(p, &cB, 1);
  for(i=0; i<nThread; i++){
    pRec->nDone += aT[i].nDone;
    pRec->nFound += aT[i].nFound;
    nBytes += aT[i].nBytes;
    if( i>0 ) pE->xDetach(p->pDb, aT[i].pDb);
  }
  if( pW->bWrite ) pRec->nUser = nBytes;
  benchReport(p, pW, nThread, pRec, nBytes, pA, pB, nDirA, nDirB);

  if( pW->eSetup==BENCH_SETUP_COLD ){
    if( benchClose(p) || benchOpen(p) ) exit(1);   /* Back to the hot cache */
  }
  return 0;
}

/* Settling: the store's size must hold this long, polled this often. */
#define BENCH_SETTLE_QUIET   2000000.0   /* 2 s */
#define BENCH_SETTLE_POLL     200000     /* 0.2 s */
#define BENCH_SETTLE_MAX   120000000.0   /* give up after 2 minutes */

/*
** Wait for the engine's background work (flushes, compactions) after the
** writes to finish: until the store directory's size has not changed for
** BENCH_SETTLE_QUIET, or BENCH_SETTLE_MAX passed.  The same test for every
** engine, since none of the C APIs says "compaction idle" the same way.
** Returns the microseconds waited.
*/
static double benchSettle(Bench *p){
  double rStart = benchNowMicros();
  double rQuiet = rStart;
  unsigned long long nLast = benchDirSize(p->zDir);
  for(;;){
    double rNow;
    unsigned long long n;
    usleep(BENCH_SETTLE_POLL);
    rNow = benchNowMicros();
    n = benchDirSize(p->zDir);
    if( n!=nLast ){
      nLast = n;
      rQuiet = rNow;
    }
    if( rNow - rQuiet >= BENCH_SETTLE_QUIET ) break;
    if( rNow - rStart >= BENCH_SETTLE_MAX ) break;
  }
  return benchNowMicros() - rStart;
}

/*
** Measure the space amplification of the store into *pRec, once its
** background work settled (benchSettle): a full scan
** (live entries and their key+value bytes), close, the directory's size;
** then reopen if bReopen.
*/
static void benchSpace(Bench *p, BenchRecord *pRec, int bReopen){
  double rSettle;
  memset(pRec, 0, sizeof(*pRec));
  pRec->eType = BENCH_REC_SPACE;
  if( p->pDb==0 && benchOpen(p) ) exit(1);
  rSettle = benchSettle(p);
  printf("%-8s %-15s : store settled after %.1f s\n", p->pEngine->zName,
         "settle", rSettle/1e6);
  benchScan(p, 0, &pRec->nEntry, &pRec->nLive);
  if( benchClose(p) ) exit(1);
  pRec->nDisk = benchDirSize(p->zDir);
  printf("%-8s %-15s : %.3f (on disk after close %.1f MB / live %.1f MB,"
         " %llu live entries)\n", p->pEngine->zName, "space amp",
         pRec->nLive ? (double)pRec->nDisk/(double)pRec->nLive : 0.0,
         (double)pRec->nDisk/BENCH_MB, (double)pRec->nLive/BENCH_MB,
         pRec->nEntry);
  fflush(stdout);
  if( bReopen && benchOpen(p) ) exit(1);
}

/* Send record *pRec to the parent (one write: it is < PIPE_BUF). */
static void benchSend(Bench *p, const BenchRecord *pRec){
  if( write(p->fdOut, pRec, sizeof(*pRec))!=(ssize_t)sizeof(*pRec) ){
    fprintf(stderr, "db_bench: write to the parent failed\n");
    exit(1);
  }
}

/*
** The whole workload list of engine p->pEngine in its store, each
** workload's record sent to p->fdOut; the space amplification after
** fillseq and after overwrite (or at the end).  Exits on any error.
*/
static void benchEngineMain(Bench *p){
  BenchRecord rec;
  int bWrites = 0, bSpace = 0;
  int i;

  p->nRun = 0;                    /* Same key sequences for every engine */
  memset(&p->total, 0, sizeof(p->total));
  for(i=0; i<p->nList; i++) bWrites |= p->aList[i]->bWrite;
  if( !p->cfg.bUseExisting && benchDestroy(p->zDir) ) exit(1);
  if( benchOpen(p) ) exit(1);
  for(i=0; i<p->nList; i++){
    const BenchWorkload *pW = p->aList[i];
    benchRun(p, pW, &rec);
    rec.iPos = i;
    benchSend(p, &rec);
    if( strcmp(pW->zName, "fillseq")==0 && i<p->nList-1 ){
      /* Space after a fill of unique keys: the format's own overhead. */
      benchSpace(p, &rec, 1);
      rec.eType = BENCH_REC_SPACEFILL;
      rec.iPos = i;
      benchSend(p, &rec);
    }
    if( bWrites && !bSpace
     && (strcmp(pW->zName, "overwrite")==0 || i==p->nList-1) ){
      benchSpace(p, &rec, i<p->nList-1);
      rec.iPos = i;
      benchSend(p, &rec);
      bSpace = 1;
    }
  }
  if( benchClose(p) ) exit(1);
  if( p->total.nUser>0 ){
    const BenchCounters *pT = &p->total;
    printf("%-8s %-15s : %.2f  (wal %.1f MB + flush %.1f MB + compact "
           "%.1f MB) / user %.1f MB, engine counters of the whole run\n",
           p->pEngine->zName, "write amp",
           (double)(pT->nWal+pT->nFlush+pT->nCompact)/(double)pT->nUser,
           (double)pT->nWal/BENCH_MB, (double)pT->nFlush/BENCH_MB,
           (double)pT->nCompact/BENCH_MB, (double)pT->nUser/BENCH_MB);
  }
  fflush(stdout);
}

/* ---------------------------------------------------------- comparison */

typedef struct BenchCompare BenchCompare;

/* Everything the parent gathers from the children of all runs. */
struct BenchCompare {
  int nEngine;                                   /* Engines compared */
  const BenchEngine *apEngine[BENCH_MAX_ENGINE]; /* Them, in turn order */
  BenchRecord aRec[BENCH_MAX_ENGINE][BENCH_MAX_RUNS][BENCH_MAX_LIST];
  BenchRecord aSpace[BENCH_MAX_ENGINE][BENCH_MAX_RUNS];  /* Space amp */
  BenchRecord aSpaceFill[BENCH_MAX_ENGINE][BENCH_MAX_RUNS]; /* ... fillseq */
  double aRss[BENCH_MAX_ENGINE][BENCH_MAX_RUNS]; /* Peak RSS MiB, <0: none */
  int anFail[BENCH_MAX_ENGINE];                  /* Runs that failed */
  char zDate[64];                                /* When the run started */
  char zCold[64];                                /* readcold's drop note */
};

/* File the records of engine e, run r, that arrive on fd until EOF. */
static void benchCollect(BenchCompare *pC, int fd, int e, int r){
  BenchRecord rec;
  while( benchReadFull(fd, &rec, sizeof(rec))>0 ){
    if( rec.iPos<0 || rec.iPos>=BENCH_MAX_LIST ) continue;
    if( rec.eType==BENCH_REC_WORKLOAD ){
      pC->aRec[e][r][rec.iPos] = rec;
      if( rec.zNote[0] && pC->zCold[0]==0 ){
        memcpy(pC->zCold, rec.zNote, sizeof(pC->zCold));
      }
    }else if( rec.eType==BENCH_REC_SPACE ){
      pC->aSpace[e][r] = rec;
    }else if( rec.eType==BENCH_REC_SPACEFILL ){
      pC->aSpaceFill[e][r] = rec;
    }
  }
}

/*
** Run the whole workload list of engine e (run r): in a child process if
** --fork=1 (peak RSS from wait4), else in this process (peak RSS of the
** process so far).  A failed child is reported; the run goes on.
*/
static void benchEngineOnce(Bench *p, BenchCompare *pC, int e, int r){
  const BenchEngine *pE = pC->apEngine[e];
  struct rusage ru;
  int aFd[2];
  int status = 0;
  pid_t pid;

  free(p->zDir);
  p->pEngine = pE;
  if( asprintf(&p->zDir, "%s/%s", p->zBase, pE->zName)<0 ) exit(1);
  pC->aRss[e][r] = -1.0;
  if( pipe(aFd)!=0 ){
    perror("db_bench: pipe");
    exit(1);
  }
  fflush(stdout);
  fflush(stderr);
  if( !p->cfg.bFork ){
    p->fdOut = aFd[1];
    benchEngineMain(p);
    close(aFd[1]);
    benchCollect(pC, aFd[0], e, r);
    close(aFd[0]);
    if( getrusage(RUSAGE_SELF, &ru)==0 ){
      pC->aRss[e][r] = (double)ru.ru_maxrss/1024.0;
    }
    return;
  }
  pid = fork();
  if( pid==0 ){
    close(aFd[0]);
    p->fdOut = aFd[1];
    benchEngineMain(p);
    fflush(stdout);
    _exit(0);
  }
  close(aFd[1]);
  if( pid<0 ){
    perror("db_bench: fork");
    exit(1);
  }
  benchCollect(pC, aFd[0], e, r);
  close(aFd[0]);
  while( wait4(pid, &status, 0, &ru)<0 && errno==EINTR ){}
  if( WIFEXITED(status) && WEXITSTATUS(status)==0 ){
    pC->aRss[e][r] = (double)ru.ru_maxrss/1024.0;
  }else{
    pC->anFail[e]++;
    if( WIFSIGNALED(status) ){
      printf("db_bench: %s (run %d) was killed by signal %d (%s); the "
             "workloads it did not finish are missing\n", pE->zName, r+1,
             WTERMSIG(status), strsignal(WTERMSIG(status)));
    }else{
      printf("db_bench: %s (run %d) failed (exit status %d); the workloads "
             "it did not finish are missing\n", pE->zName, r+1,
             WEXITSTATUS(status));
    }
  }
}

/* Median ops/s of engine e at list position iPos over the runs. */
static double benchOps(const Bench *p, const BenchCompare *pC, int e,
                       int iPos){
  double a[BENCH_MAX_RUNS];
  int r, n = 0;
  for(r=0; r<p->cfg.nRuns; r++){
    const BenchRecord *pR = &pC->aRec[e][r][iPos];
    if( pR->eType==BENCH_REC_WORKLOAD && pR->rMicros>0.0 ){
      a[n++] = (double)pR->nDone/(pR->rMicros/1e6);
    }
  }
  return benchMedian(a, n);
}

/*
** Median write amplification of engine e over the runs: the wchar of the
** fillrandom and overwrite workloads / their user bytes.
*/
static double benchWamp(const Bench *p, const BenchCompare *pC, int e){
  double a[BENCH_MAX_RUNS];
  int r, i, n = 0;
  for(r=0; r<p->cfg.nRuns; r++){
    unsigned long long nW = 0, nU = 0;
    for(i=0; i<p->nList; i++){
      const BenchRecord *pR = &pC->aRec[e][r][i];
      const char *z = p->aList[i]->zName;
      if( pR->eType!=BENCH_REC_WORKLOAD ) continue;
      if( strcmp(z, "fillrandom")==0 || strcmp(z, "overwrite")==0 ){
        nW += pR->nWchar;
        nU += pR->nUser;
      }
    }
    if( nU>0 ) a[n++] = (double)nW/(double)nU;
  }
  return benchMedian(a, n);
}

/*
** Median space amplification over the runs of one engine's records aRec
** (pC->aSpace[e] or pC->aSpaceFill[e]).
*/
static double benchSpaceAmp(const Bench *p, const BenchRecord *aRec){
  double a[BENCH_MAX_RUNS];
  int r, n = 0;
  for(r=0; r<p->cfg.nRuns; r++){
    const BenchRecord *pR = &aRec[r];
    if( pR->eType!=0 && pR->nLive>0 ){
      a[n++] = (double)pR->nDisk/(double)pR->nLive;
    }
  }
  return benchMedian(a, n);
}

/* Median peak RSS (MiB) of engine e over the runs. */
static double benchRss(const Bench *p, const BenchCompare *pC, int e){
  double a[BENCH_MAX_RUNS];
  int r, n = 0;
  for(r=0; r<p->cfg.nRuns; r++){
    if( pC->aRss[e][r]>=0.0 ) a[n++] = pC->aRss[e][r];
  }
  return benchMedian(a, n);
}

/* Index of the engine named zName in pC, or -1. */
static int benchEngineIndex(const BenchCompare *pC, const char *zName){
  int e;
  for(e=0; e<pC->nEngine; e++){
    if( strcmp(pC->apEngine[e]->zName, zName)==0 ) return e;
  }
  return -1;
}

/* x formatted with zFmt into z, or "-" if x is NAN. */
static void benchCell(char *z, const char *zFmt, double x){
  if( isnan(x) ){
    snprintf(z, BENCH_CELL, "-");
  }else{
    snprintf(z, BENCH_CELL, zFmt, x);
  }
}

/*
** The comparison table: a row per workload (ops/s per engine, then the
** ratios lsmcore/peer if lsmcore ran), then write amplification, space
** amplification (after fillseq and after overwrite) and peak RSS per
** engine.
*/
static void benchCompareTable(FILE *pOut, const Bench *p,
                              const BenchCompare *pC){
  int iL = benchEngineIndex(pC, "lsmcore");
  int nRatio = iL>=0 ? pC->nEngine-1 : 0;
  int nCol = 1 + pC->nEngine + nRatio;
  int nRow = 1 + p->nList + 4;
  char (*aCell)[BENCH_CELL] = calloc((size_t)(nRow*nCol), BENCH_CELL);
  const char **azCell = calloc((size_t)(nRow*nCol), sizeof(char*));
  int i, e, k;

  if( aCell==0 || azCell==0 ){
    fprintf(stderr, "db_bench: out of memory\n");
    exit(1);
  }
  for(i=0; i<nRow*nCol; i++) azCell[i] = aCell[i];
  snprintf(aCell[0], BENCH_CELL, "workload (ops/s)");
  for(e=0; e<pC->nEngine; e++){
    snprintf(aCell[1+e], BENCH_CELL, "%s", pC->apEngine[e]->zName);
  }
  for(e=0, k=0; nRatio && e<pC->nEngine; e++){
    if( e==iL ) continue;
    snprintf(aCell[1+pC->nEngine+k++], BENCH_CELL, "lsmcore/%s",
             pC->apEngine[e]->zName);
  }
  for(i=0; i<p->nList; i++){
    char (*aRow)[BENCH_CELL] = &aCell[(1+i)*nCol];
    snprintf(aRow[0], BENCH_CELL, "%s", p->aList[i]->zName);
    for(e=0; e<pC->nEngine; e++){
      benchCell(aRow[1+e], "%.0f", benchOps(p, pC, e, i));
    }
    for(e=0, k=0; nRatio && e<pC->nEngine; e++){
      if( e==iL ) continue;
      benchCell(aRow[1+pC->nEngine+k++], "%.2fx",
                benchOps(p, pC, iL, i)/benchOps(p, pC, e, i));
    }
  }
  i = (1+p->nList)*nCol;
  snprintf(aCell[i], BENCH_CELL, "write amp (fillrandom+overwrite, wchar)");
  snprintf(aCell[i+nCol], BENCH_CELL, "space amp (after fillseq, settled)");
  snprintf(aCell[i+2*nCol], BENCH_CELL, "space amp (after overwrite, settled)");
  snprintf(aCell[i+3*nCol], BENCH_CELL, "peak RSS (MiB)");
  for(e=0; e<pC->nEngine; e++){
    benchCell(aCell[i+1+e], "%.2f", benchWamp(p, pC, e));
    benchCell(aCell[i+nCol+1+e], "%.3f", benchSpaceAmp(p, pC->aSpaceFill[e]));
    benchCell(aCell[i+2*nCol+1+e], "%.3f", benchSpaceAmp(p, pC->aSpace[e]));
    benchCell(aCell[i+3*nCol+1+e], "%.0f", benchRss(p, pC, e));
  }
  benchTable(pOut, nRow, nCol, azCell, 1);
  free(aCell);
  free(azCell);
}

/*
** The found counts of the point and seek reads, per engine (first run),
** and whether every engine and run found the same number: the same data
** and the same key sequences must give the same counts.  Returns the
** number of mismatches.
*/
static int benchFoundCheck(FILE *pOut, const Bench *p,
                           const BenchCompare *pC){
  int nBad = 0;
  int i, e, r;
  for(i=0; i<p->nList; i++){
    const BenchWorkload *pW = p->aList[i];
    long long nRef = -1;
    int bSame = 1;
    if( pW->eOps!=BENCH_OPS_READS || pW->xRun==benchReadSeq ) continue;
    fprintf(pOut, "- found by %s:", pW->zName);
    for(e=0; e<pC->nEngine; e++){
      for(r=0; r<p->cfg.nRuns; r++){
        const BenchRecord *pR = &pC->aRec[e][r][i];
        if( pR->eType!=BENCH_REC_WORKLOAD ) continue;
        if( r==0 || nRef<0 ){
          fprintf(pOut, " %s %lld of %lld;", pC->apEngine[e]->zName,
                  pR->nFound, pR->nDone);
        }
        if( nRef<0 ) nRef = pR->nFound;
        if( pR->nFound!=nRef ) bSame = 0;
      }
    }
    fprintf(pOut, " %s\n", bSame ? "the same for every engine"
                                 : "MISMATCH (a backend bug?)");
    nBad += !bSame;
  }
  return nBad;
}

/*
** The description of the run (machine, date, data, shared options,
** versions) to pOut, as Markdown list items if bMd, else as plain lines.
*/
static void benchInfo(FILE *pOut, const Bench *p, const BenchCompare *pC,
                      int bMd){
  static const char *azSync[] = { "off", "normal", "full" };
  const char *zPre = bMd ? "- " : "";
  BenchMachine m;
  int e;

  benchMachine(&m);
  fprintf(pOut, "%sMachine  : %s, %ld cores, RAM %.1f GiB, Linux %s\n", zPre,
          m.zCpu, m.nCore, m.rRamGiB, m.zRelease);
  fprintf(pOut, "%sDate     : %s\n", zPre, pC->zDate);
  fprintf(pOut, "%sData     : num %lld keys of %d bytes, values of %lld "
          "bytes (%.1f MB raw), reads %lld; %d run%s%s\n", zPre,
          p->cfg.nNum, BENCH_KEY_SIZE, p->cfg.nValue,
          (double)p->cfg.nNum*(double)(BENCH_KEY_SIZE+p->cfg.nValue)/BENCH_MB,
          p->cfg.nReads, p->cfg.nRuns, p->cfg.nRuns>1 ? "s" : "",
          p->cfg.nRuns>1 ? ", every number is the median" : "");
  fprintf(pOut, "%sOptions  : the same for every engine: memtable %.0f MiB,"
          " block cache %.0f MiB (readcold: %.0f MiB), block %lld bytes, "
          "bloom %d bits/key, compression off, max_open_files 1000, "
          "sync %s\n", zPre, (double)p->opts.nMemtable/BENCH_MB,
          (double)p->opts.nCache/BENCH_MB,
          (double)p->cfg.nColdCache/BENCH_MB, p->opts.nBlock,
          p->opts.nBloomBits,
          p->opts.eSync>=0 && p->opts.eSync<=2 ? azSync[p->opts.eSync] : "?");
  fprintf(pOut, "%sVersions :", zPre);
  for(e=0; e<pC->nEngine; e++){
    char zVer[128];
    pC->apEngine[e]->xVersion(zVer, sizeof(zVer));
    fprintf(pOut, "%s %s %s", e ? "," : "", pC->apEngine[e]->zName, zVer);
  }
  fprintf(pOut, "\n");
  if( pC->zCold[0] ){
    fprintf(pOut, "%sreadcold : OS cache dropped by %s\n", zPre, pC->zCold);
  }
}

/* The ratio of the engines named zA and zB at position i, or NAN. */
static double benchRatio(const Bench *p, const BenchCompare *pC,
                         const char *zA, const char *zB, int i){
  int a = benchEngineIndex(pC, zA), b = benchEngineIndex(pC, zB);
  if( a<0 || b<0 ) return NAN;
  return benchOps(p, pC, a, i)/benchOps(p, pC, b, i);
}

/*
** Write the ratios lsmcore/leveldb and lsmcore/rocksdb per workload to
** zPath for plot_ratios.gp ("NaN" where one is missing).  0 on success.
*/
static int benchWriteDat(const Bench *p, const BenchCompare *pC,
                         const char *zPath){
  FILE *pOut = fopen(zPath, "w");
  int i;
  if( pOut==0 ){
    fprintf(stderr, "db_bench: cannot write %s\n", zPath);
    return 1;
  }
  fprintf(pOut, "# db_bench ratios (ops/s of lsmcore / ops/s of the peer), "
          "num=%lld value_size=%lld runs=%d, %s\n", p->cfg.nNum,
          p->cfg.nValue, p->cfg.nRuns, pC->zDate);
  fprintf(pOut, "# 1 workload, 2 lsmcore/leveldb, 3 lsmcore/rocksdb\n");
  for(i=0; i<p->nList; i++){
    fprintf(pOut, "%s %.4f %.4f\n", p->aList[i]->zName,
            benchRatio(p, pC, "lsmcore", "leveldb", i),
            benchRatio(p, pC, "lsmcore", "rocksdb", i));
  }
  return fclose(pOut)!=0;
}

/*
** --report, --dat and --png: the Markdown file, the data file and the
** chart (gnuplot plot_ratios.gp, if gnuplot is on the PATH).
*/
static int benchOutputs(const Bench *p, const BenchCompare *pC){
  char *zDat = 0, *zScript = 0;
  int rc = 0;

  if( p->cfg.zReport ){
    FILE *pOut = fopen(p->cfg.zReport, "w");
    if( pOut==0 ){
      fprintf(stderr, "db_bench: cannot write %s\n", p->cfg.zReport);
      return 1;
    }
    fprintf(pOut, "## db_bench: lsmcore and its peers\n\n");
    benchInfo(pOut, p, pC, 1);
    fprintf(pOut, "\n");
    benchCompareTable(pOut, p, pC);
    fprintf(pOut, "\n");
    benchFoundCheck(pOut, p, pC);
    rc = fclose(pOut)!=0;
    printf("wrote %s\n", p->cfg.zReport);
  }
  if( p->cfg.zDat ){
    zDat = strdup(p->cfg.zDat);
  }else if( p->cfg.zPng && asprintf(&zDat, "%s.dat", p->cfg.zPng)<0 ){
    zDat = 0;
  }
  if( rc==0 && zDat ){
    rc = benchWriteDat(p, pC, zDat);
    if( rc==0 ) printf("wrote %s\n", zDat);
  }
  if( rc==0 && p->cfg.zPng ){
    if( !benchOnPath("gnuplot") ){
      printf("gnuplot not found: apt-get install gnuplot-nox to draw %s\n",
             p->cfg.zPng);
    }else if( (zScript = benchFindScript(p->cfg.zPlot, p->cfg.zArgv0,
                                         BENCH_RATIO_SCRIPT))==0 ){
      printf("%s not found (give --plot=PATH): %s not drawn\n",
             BENCH_RATIO_SCRIPT, p->cfg.zPng);
    }else{
      switch( benchRunGnuplot(zScript, zDat, p->cfg.zPng,
                              "num=%lld; date='%s'", p->cfg.nNum, pC->zDate) ){
        case BENCH_PLOT_OK:
          printf("drew  %s (gnuplot %s)\n", p->cfg.zPng, zScript);
          break;
        case BENCH_PLOT_QUOTE:
          printf("a quote in --dat or --png: %s not drawn\n", p->cfg.zPng);
          break;
        case BENCH_PLOT_NOMEM:
          rc = 1;
          break;
        default:
          printf("gnuplot %s failed: %s not drawn\n", zScript, p->cfg.zPng);
          break;
      }
    }
  }
  free(zDat);
  free(zScript);
  return rc;
}

/*
** The engines side by side: nRuns rounds in which each engine runs the
** whole workload list in turn, then the comparison.  Returns 0 on success
** (a failed engine is reported, not fatal) and 1 if the found counts of
** the engines disagree.
*/
static int benchCompare(Bench *p, const BenchEngine *const *apEngine,
                        int nEngine){
  BenchCompare *pC = calloc(1, sizeof(*pC));
  int e, r, nBad, rc;

  if( pC==0 ){
    fprintf(stderr, "db_bench: out of memory\n");
    return 1;
  }
  pC->nEngine = nEngine;
  memcpy(pC->apEngine, apEngine, sizeof(apEngine[0])*(size_t)nEngine);
  benchDate(pC->zDate, sizeof(pC->zDate), "%Y-%m-%d %H:%M");
  benchInfo(stdout, p, pC, 0);
  printf("Stores   : %s/<engine>\n", p->zBase);
  printf("------------------------------------------------\n");
  for(r=0; r<p->cfg.nRuns; r++){
    if( p->cfg.nRuns>1 ) printf("--- run %d of %d\n", r+1, p->cfg.nRuns);
    for(e=0; e<nEngine; e++) benchEngineOnce(p, pC, e, r);
  }

  printf("\n## Comparison: %lld keys, values of %lld bytes%s\n\n",
         p->cfg.nNum, p->cfg.nValue,
         p->cfg.nRuns>1 ? ", medians of the runs" : "");
  benchCompareTable(stdout, p, pC);
  printf("\n");
  nBad = benchFoundCheck(stdout, p, pC);
  rc = benchOutputs(p, pC);
  for(e=0; e<nEngine; e++){
    if( pC->anFail[e] ){
      printf("db_bench: %s failed in %d of %d runs\n",
             pC->apEngine[e]->zName, pC->anFail[e], p->cfg.nRuns);
    }
  }
  free(pC);
  return rc || nBad>0;
}

/* ---------------------------------------------------------- setup */

/* Print the usage text to stdout. */
static void benchUsage(void){
  printf(
"usage: db_bench [--option=value]...\n"
"  --engines=a,b,c     engines, each in turn (default: every engine\n"
"                      compiled in: lsmcore, leveldb, rocksdb)\n"
"  --benchmarks=a,b,c  workloads to run, in order; default:\n"
"                      " BENCH_DEFAULT_LIST "\n"
"      fillseq         put num keys in key order (empty store)\n"
"      fillrandom      put num random keys (empty store; --threads)\n"
"      overwrite       put num random keys over the existing ones\n"
"      readrandom      full scan to warm the cache (untimed), then reads\n"
"                      gets of random keys; reports found/total\n"
"      readmissing     reads gets of keys never written (0 found)\n"
"      seekrandom      reads x (new iterator, seek, %d next)\n"
"      readseq         scan at most reads entries from the first key\n"
"      readcold        close, drop the OS cache, reopen with\n"
"                      --cold_cache_size, reads random gets\n"
"      deleterandom    delete num random keys\n"
"      fillseqbatch    put num keys in key order, batches of %d\n"
"      fillrandombatch put num random keys, batches of %d\n"
"      fillsync        put num/100 random keys, each fsynced (--threads)\n"
"      fillsync4       the same with 4 threads (group commit)\n"
"      readhit         (not in the default list) warm-up scan collecting\n"
"                      the keys present, then reads gets of them\n"
"      strategies      alone, lsmcore only: per compaction strategy\n"
"                      (leveled, tiered, fifo) fillrandom + overwrite,\n"
"                      wait for compaction, readrandom + seekrandom;\n"
"                      prints the write/read/space amplification table\n"
"  --num=N             entries / key range (1000000; strategies: %d)\n"
"  --reads=N           read operations (num; strategies: num/10)\n"
"  --value_size=N      bytes per value (100); keys are 16 bytes\n"
"  --runs=R            rounds of every engine; medians are shown (1)\n"
"  --fork=0|1          each engine's list in a child process (1)\n"
"  --db=DIR            parent of the stores, one per engine (DIR/lsmcore,\n"
"                      ...); default: a new directory under $TMPDIR,\n"
"                      removed at the end unless --keep=1\n"
"  --keep=0|1          keep the temporary stores (0)\n"
"  --use_existing_db=0|1  fill* keep the existing data (0)\n"
"  --memtable_size=N   write buffer of every engine (32m)\n"
"  --cache_size=N      block cache (1.5 x num x (16+value_size), >= 32m;\n"
"                      strategies: 32m)\n"
"  --cold_cache_size=N block cache of readcold (8m)\n"
"  --block_size=N --bloom_bits=N   (4096, 10); k/m/g suffixes\n"
"  --sync=off|normal|full  sync mode of ordinary writes (normal)\n"
"  --threads=T         writer threads for fillrandom and fillsync (1)\n"
"  --stats=0|1         lsmcore: print its statistics JSON after each (0)\n"
"  --report=FILE       also write the comparison as Markdown to FILE\n"
"  --dat=FILE          write the ratios lsmcore/peer for gnuplot\n"
"  --png=FILE          draw the ratios with gnuplot (plot_ratios.gp)\n"
"  --out=DIR           strategies: where strategies.dat/.png go (.)\n"
"  --plot=PATH         the gnuplot script (default: found in\n"
"                      test/bench/, ../test/bench/ or near the binary)\n",
    BENCH_SEEK_NEXT, BENCH_BATCH_SIZE, BENCH_BATCH_SIZE,
    BENCH_STRATEGIES_NUM);
}

/* True if zList asks for the strategies mode. */
static int benchIsStrategies(const char *zList){
  return strcmp(zList, "strategies")==0;
}

/*
** Set the small integer flag named by the nName bytes at z to n.  Returns
** 0 if it is one of them and n is in range.
*/
static int benchSetFlag(BenchConfig *pCfg, const char *z, size_t nName,
                        long long n){
#define BENCH_IS(zFlag) benchIsName(zFlag, z, nName)
  if( BENCH_IS("keep") ) pCfg->bKeep = n!=0;
  else if( BENCH_IS("use_existing_db") ) pCfg->bUseExisting = n!=0;
  else if( BENCH_IS("stats") ) pCfg->bStats = n!=0;
  else if( BENCH_IS("fork") ) pCfg->bFork = n!=0;
  else if( BENCH_IS("threads") && n>=1 && n<=BENCH_MAX_THREAD ){
    pCfg->nThread = (int)n;
  }else if( BENCH_IS("runs") && n>=1 && n<=BENCH_MAX_RUNS ){
    pCfg->nRuns = (int)n;
  }else return 1;
  return 0;
#undef BENCH_IS
}

/*
** Parse argv into *pCfg.  Returns 0 to run, 1 on a bad argument (after
** printing why), 2 for --help.
*/
static int benchParseArgs(int argc, char **argv, BenchConfig *pCfg){
  static const BenchArg aInt[] = {
    { "num",             offsetof(BenchConfig, nNum) },
    { "reads",           offsetof(BenchConfig, nReads) },
    { "value_size",      offsetof(BenchConfig, nValue) },
    { "memtable_size",   offsetof(BenchConfig, nMemtable) },
    { "block_size",      offsetof(BenchConfig, nBlock) },
    { "bloom_bits",      offsetof(BenchConfig, nBloom) },
    { "cache_size",      offsetof(BenchConfig, nCache) },
    { "cold_cache_size", offsetof(BenchConfig, nColdCache) },
  };
  static const BenchArg aStr[] = {
    { "benchmarks", offsetof(BenchConfig, zList) },
    { "engines",    offsetof(BenchConfig, zEngines) },
    { "db",         offsetof(BenchConfig, zDb) },
    { "out",        offsetof(BenchConfig, zOut) },
    { "plot",       offsetof(BenchConfig, zPlot) },
    { "report",     offsetof(BenchConfig, zReport) },
    { "dat",        offsetof(BenchConfig, zDat) },
    { "png",        offsetof(BenchConfig, zPng) },
  };
  int i, j, k;
  for(i=1; i<argc; i++){
    const char *z = argv[i];
    const char *zVal = strchr(z, '=');
    long long n = 0;
    size_t nName;
    if( strcmp(z, "--help")==0 || strcmp(z, "-h")==0 ) return 2;
    if( strncmp(z, "--", 2)!=0 || zVal==0 ) goto bad_arg;
    z += 2;
    nName = (size_t)(zVal - z);
    zVal++;
    j = benchArgFind(aInt, BENCH_COUNT(aInt), z, nName);
    k = benchArgFind(aStr, BENCH_COUNT(aStr), z, nName);
    if( j>=0 ){
      if( benchParseSize(zVal, &n) ) goto bad_arg;
      *(long long*)((char*)pCfg + aInt[j].iOff) = n;
    }else if( k>=0 ){
      if( *zVal==0 ) goto bad_arg;
      *(const char**)((char*)pCfg + aStr[k].iOff) = zVal;
    }else if( benchIsName("sync", z, nName) ){
      if( strcmp(zVal, "off")==0 ) pCfg->eSync = 0;
      else if( strcmp(zVal, "normal")==0 ) pCfg->eSync = 1;
      else if( strcmp(zVal, "full")==0 ) pCfg->eSync = 2;
      else goto bad_arg;
    }else if( benchParseSize(zVal, &n) || benchSetFlag(pCfg, z, nName, n) ){
      goto bad_arg;
    }
  }
  if( pCfg->nNum<0 ){
    pCfg->nNum = benchIsStrategies(pCfg->zList) ? BENCH_STRATEGIES_NUM
                                                : 1000000;
  }
  if( pCfg->nNum<1 || pCfg->nValue<0 || pCfg->nValue>(1<<24) ){
    fprintf(stderr, "db_bench: --num must be >= 1 and --value_size <= 16M\n");
    return 1;
  }
  if( pCfg->nReads<0 ){
    pCfg->nReads = pCfg->nNum;
    if( benchIsStrategies(pCfg->zList) ){
      pCfg->nReads = pCfg->nNum/10>0 ? pCfg->nNum/10 : 1;
    }
  }
  return 0;

bad_arg:
  fprintf(stderr, "db_bench: bad argument '%s' (try --help)\n", argv[i]);
  return 1;
}

/*
** The shared engine options: what the command line gave, else the
** defaults (the hot block cache holds 1.5x the raw data, at least 32 MiB;
** in the strategies mode it is lsmcore's default of 32 MiB).
*/
static void benchOptions(Bench *p){
  const BenchConfig *c = &p->cfg;
  double rCache = 1.5*(double)c->nNum*(double)(BENCH_KEY_SIZE + c->nValue);
  p->opts.nMemtable = c->nMemtable>=0 ? c->nMemtable : BENCH_DEF_MEMTABLE;
  p->opts.nBlock = c->nBlock>=0 ? c->nBlock : BENCH_DEF_BLOCK;
  p->opts.nBloomBits = c->nBloom>=0 ? (int)c->nBloom : BENCH_DEF_BLOOM;
  if( c->nCache>=0 ){
    p->opts.nCache = c->nCache;
  }else if( benchIsStrategies(c->zList) || rCache<(double)BENCH_MIN_CACHE ){
    p->opts.nCache = BENCH_MIN_CACHE;
  }else{
    p->opts.nCache = (long long)rCache;
  }
  p->opts.eSync = c->eSync;
  p->opts.eCompaction = -1;
  p->opts.nFifoMax = -1;
}

/*
** Set up the run: options, the stores' parent directory, the value pool.
** Returns 0 on success.
*/
static int benchSetup(Bench *p){
  size_t nPool = BENCH_POOL_SIZE + (size_t)p->cfg.nValue + 8;

  benchOptions(p);
  if( p->cfg.zDb ){
    p->zBase = strdup(p->cfg.zDb);
    if( p->zBase && mkdir(p->zBase, 0755)!=0 && errno!=EEXIST ){
      fprintf(stderr, "db_bench: cannot create %s\n", p->zBase);
      return 1;
    }
  }else{
    if( benchTempDir("db_bench", &p->zBase) && p->zBase ){
      perror("db_bench: mkdtemp");
      return 1;
    }
    p->bTmpBase = 1;
  }
  p->aPool = malloc(nPool);
  if( p->zBase==0 || p->aPool==0 ){
    fprintf(stderr, "db_bench: out of memory\n");
    return 1;
  }
  benchPoolFill(p->aPool, nPool, BENCH_SEED);
  return 0;
}

/*
** Check every name of the workload list and fill p->aList (unless this
** is the strategies mode).  Returns 0 if every name is a workload.
*/
static int benchCheckList(Bench *p){
  const char *z = p->cfg.zList;
  if( benchIsStrategies(z) ) return 0;
  while( *z ){
    size_t n = strcspn(z, ",");
    const BenchWorkload *pW = benchFind(z, n);
    if( n==10 && memcmp(z, "strategies", 10)==0 ){
      fprintf(stderr, "db_bench: strategies runs alone\n");
      return 1;
    }
    if( n>0 && pW==0 ){
      fprintf(stderr, "db_bench: unknown benchmark '%.*s'\n", (int)n, z);
      return 1;
    }
    if( n>0 ){
      if( p->nList>=BENCH_MAX_LIST ){
        fprintf(stderr, "db_bench: more than %d workloads\n",
                BENCH_MAX_LIST);
        return 1;
      }
      p->aList[p->nList++] = pW;
    }
    z += n + (z[n]==',');
  }
  if( p->nList==0 ){
    fprintf(stderr, "db_bench: no workload to run\n");
    return 1;
  }
  return 0;
}

/*
** The engines of --engines (default: every engine compiled in) into
** apEngine, *pnEngine of them.  An engine not compiled in is skipped with
** a message; an unknown name is an error (returns 1).
*/
static int benchEngines(const Bench *p, const BenchEngine **apEngine,
                        int *pnEngine){
  const char *z = p->cfg.zEngines;
  int i;
  *pnEngine = 0;
  if( z==0 ){
    for(i=0; i<BENCH_N_REG; i++){
      if( aEngineReg[i].pEngine ) apEngine[(*pnEngine)++] = aEngineReg[i].pEngine;
    }
    return 0;
  }
  while( *z ){
    size_t n = strcspn(z, ",");
    for(i=0; n>0 && i<BENCH_N_REG; i++){
      if( benchIsName(aEngineReg[i].zName, z, n) ) break;
    }
    if( n>0 && i==BENCH_N_REG ){
      fprintf(stderr, "db_bench: unknown engine '%.*s' (lsmcore, leveldb, "
              "rocksdb)\n", (int)n, z);
      return 1;
    }
    if( n>0 && aEngineReg[i].pEngine==0 ){
      printf("db_bench: %s not built (apt-get install %s, then re-run "
             "configure)\n", aEngineReg[i].zName, aEngineReg[i].zPackage);
    }else if( n>0 && *pnEngine<BENCH_MAX_ENGINE ){
      apEngine[(*pnEngine)++] = aEngineReg[i].pEngine;
    }
    z += n + (z[n]==',');
  }
  if( *pnEngine==0 ){
    fprintf(stderr, "db_bench: no engine to run\n");
    return 1;
  }
  return 0;
}

/* Remove the temporary parent directory and every store in it. */
static void benchCleanup(Bench *p){
  int i;
  if( !p->bTmpBase || p->zBase==0 ) return;
  if( p->cfg.bKeep ){
    printf("kept stores  : %s\n", p->zBase);
    return;
  }
  for(i=0; i<BENCH_N_REG; i++){
    char *zDir = 0;
    if( asprintf(&zDir, "%s/%s", p->zBase, aEngineReg[i].zName)<0 ) continue;
    benchDestroy(zDir);
    free(zDir);
  }
  rmdir(p->zBase);
}

/*
** Parse the arguments, run the engines side by side (or the strategies
** mode), print the comparison and clean up.  Exits 0 on success, 1 on a
** bad argument, an error of the strategies mode, or engines whose found
** counts disagree.
*/
int main(int argc, char **argv){
  const BenchEngine *apEngine[BENCH_MAX_ENGINE];
  int nEngine = 0;
  Bench b;
  int rc;

  memset(&b, 0, sizeof(b));
  b.cfg.zList = BENCH_DEFAULT_LIST;
  b.cfg.nNum = -1;
  b.cfg.nReads = -1;
  b.cfg.nValue = 100;
  b.cfg.nMemtable = b.cfg.nBlock = b.cfg.nBloom = b.cfg.nCache = -1;
  b.cfg.nColdCache = BENCH_DEF_COLD_CACHE;
  b.cfg.eSync = 1;
  b.cfg.nThread = 1;
  b.cfg.nRuns = 1;
  b.cfg.bFork = 1;
  b.cfg.zOut = ".";
  b.cfg.zArgv0 = argv[0];
  b.fdOut = -1;

  rc = benchParseArgs(argc, argv, &b.cfg);
  if( rc==2 ){
    benchUsage();
    return 0;
  }
  if( rc==0 ) rc = benchCheckList(&b);
  if( rc==0 && !benchIsStrategies(b.cfg.zList) ){
    rc = benchEngines(&b, apEngine, &nEngine);
  }
  if( rc==0 ) rc = benchSetup(&b);
  if( rc==0 && benchIsStrategies(b.cfg.zList) ){
    b.pEngine = &benchEngineLsmcore;
    if( asprintf(&b.zDir, "%s/lsmcore", b.zBase)<0 ) b.zDir = 0;
    printf("db_bench     : lsmcore strategies, num=%lld reads=%lld "
           "value_size=%lld, memtable %lld, cache %lld, stores in %s\n",
           b.cfg.nNum, b.cfg.nReads, b.cfg.nValue, b.opts.nMemtable,
           b.opts.nCache, b.zBase);
    rc = b.zDir==0 || benchDestroy(b.zDir) || benchStrategies(&b);
    if( benchClose(&b) ) rc = 1;
  }else if( rc==0 ){
    rc = benchCompare(&b, apEngine, nEngine);
  }
  benchCleanup(&b);
  free(b.aPool);
  free(b.aHit);
  free(b.zDir);
  free(b.zBase);
  return rc ? 1 : 0;
}
