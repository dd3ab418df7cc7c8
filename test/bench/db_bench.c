/*
** db_bench.c -- a LevelDB-style benchmark of lsmcore through its public C
** API (lsmcore.h) only.
**
** It runs named workloads in order (--benchmarks=a,b,c) against one store
** directory and prints one line per workload: microseconds per operation,
** operations per second, MB/s of user data (key + value), the bytes the
** engine wrote (WAL + flush + compaction, from lsmc_stats_json) and the
** change of the store directory's size.  At the end it prints the write
** amplification of the whole run ((wal + flush + compaction bytes) / user
** bytes) and the space amplification of the final store (its size on disk
** after close / the key and value bytes of its live entries).
**
** Keys are 16 bytes, the key number printed as %016llu; readmissing uses
** keys "%015llu." that no workload ever writes.  Values are value_size
** bytes taken from a pool of pseudo-random bytes (fixed seed), so every run
** writes the same data.  Random key numbers come from a per-thread
** splitmix64 generator with a fixed seed per (workload position, thread),
** so a read workload does not replay the key sequence of the fill before
** it.  A fill* workload starts from an
** empty store (unless --use_existing_db=1); the read workloads use what the
** previous workloads left.
**
** Threads: fillrandom and fillsync honour --threads=T.  Each thread opens
** its own handle on the store (the engine is shared, so their writes meet
** in one group commit), writes its own slice of the key range and does
** its share of the operations.  micros/op is per thread (elapsed * T /
** ops, as LevelDB reports it); ops/s and MB/s use the elapsed wall time.
**
** --benchmarks=strategies is a mode of its own, in bench_strategies.c: it
** runs fillrandom, overwrite, readrandom and seekrandom of this file once
** per compaction strategy and compares their amplifications.  The types
** both files share are in bench.h.
**
** State lives in one Bench object passed around: no mutable globals.  Any
** engine error prints lsmc_errmsg() and makes the program exit with 1.
** The default store is a fresh directory under /tmp, removed at the end
** unless --keep=1; a store named with --db is never removed at the end,
** but fill* workloads do empty it (only if it is empty or holds an
** IDENTITY file, that is, if it is a store of ours).
*/
#ifndef _GNU_SOURCE
# define _GNU_SOURCE     /* mkdtemp, asprintf, fstatat, unlinkat */
#endif
#include "bench.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define BENCH_DEFAULT_LIST "fillseq,fillrandom,overwrite,readrandom," \
  "readmissing,seekrandom,readseq,deleterandom,fillsync,fillbatch"

/* ---------------------------------------------------------- helpers */

/* Microseconds on the monotonic clock. */
double benchNowMicros(void){
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (double)t.tv_sec*1e6 + (double)t.tv_nsec/1e3;
}

/* splitmix64: the next pseudo-random number of *pState. */
static unsigned long long benchRandom(unsigned long long *pState){
  unsigned long long z = (*pState += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z>>30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z>>27)) * 0x94d049bb133111ebULL;
  return z ^ (z>>31);
}

/* Write the key of key number i to a (BENCH_KEY_SIZE+1 bytes). */
static void benchKey(char *a, long long i, int bMissing){
  if( bMissing ){
    snprintf(a, BENCH_KEY_SIZE+1, "%015llu.", (unsigned long long)i);
  }else{
    snprintf(a, BENCH_KEY_SIZE+1, "%016llu", (unsigned long long)i);
  }
}

/* The next value of thread p: nValue bytes of the shared random pool. */
static const unsigned char *benchValue(BenchThread *p){
  const unsigned char *a = &p->pBench->aPool[p->iPool];
  p->iPool += (unsigned)p->pBench->cfg.nValue + 7;
  if( p->iPool>=BENCH_POOL_SIZE ) p->iPool -= BENCH_POOL_SIZE;
  return a;
}

/* A random key number in thread p's range. */
static long long benchRandomKey(BenchThread *p){
  return p->iFirst + (long long)(benchRandom(&p->iRand)
                                 % (unsigned long long)p->nRange);
}

/*
** Record a failed call of thread p (rc != LSMC_OK and != LSMC_NOTFOUND):
** zWhat and the handle's message.  Returns rc.
*/
static int benchFail(BenchThread *p, int rc, const char *zWhat){
  p->rc = rc;
  snprintf(p->zErr, sizeof(p->zErr), "%s: rc=%d %s", zWhat, rc,
           p->pDb ? lsmc_errmsg(p->pDb) : lsmc_errstr(rc));
  return rc;
}

/*
** The value of "zName": in the JSON object zJson, or 0 if absent.  The
** engine's JSON is flat enough that a search for the quoted name works.
*/
static unsigned long long benchJsonU64(const char *zJson, const char *zName){
  char zPat[64];
  const char *z;
  snprintf(zPat, sizeof(zPat), "\"%s\":", zName);
  z = strstr(zJson, zPat);
  if( z==0 ) return 0;
  return strtoull(z + strlen(zPat), 0, 10);
}

/*
** Read the engine counters of pDb into *pC.  If bPrint, also print the
** whole JSON object.
*/
static int benchCounters(lsmc_db *pDb, BenchCounters *pC, int bPrint){
  char *zJson = 0;
  int rc = lsmc_stats_json(pDb, &zJson);
  memset(pC, 0, sizeof(*pC));
  if( rc==LSMC_OK ){
    pC->nUser = benchJsonU64(zJson, "user_bytes");
    pC->nWal = benchJsonU64(zJson, "wal_bytes");
    pC->nFlush = benchJsonU64(zJson, "flush_bytes");
    pC->nCompact = benchJsonU64(zJson, "compaction_write_bytes");
    pC->nGroup = benchJsonU64(zJson, "write_groups");
    pC->nSync = benchJsonU64(zJson, "wal_syncs");
    if( bPrint ) printf("stats        : %s\n", zJson);
  }
  lsmc_free(pDb, zJson);
  return rc;
}

/*
** Total st_size of the entries of directory zDir (0 if it is missing).
** An entry that disappears while we look (a WAL deleted by a flush) is
** skipped.
*/
unsigned long long benchDirSize(const char *zDir){
  unsigned long long n = 0;
  DIR *pDir = opendir(zDir);
  struct dirent *pEnt;
  struct stat st;
  if( pDir==0 ) return 0;
  while( (pEnt = readdir(pDir))!=0 ){
    if( fstatat(dirfd(pDir), pEnt->d_name, &st, AT_SYMLINK_NOFOLLOW)==0
     && S_ISREG(st.st_mode) ){
      n += (unsigned long long)st.st_size;
    }
  }
  closedir(pDir);
  return n;
}

/*
** Remove the store directory zDir and its files.  A missing directory is
** fine.  A directory with files but no IDENTITY is not a store of ours and
** is left alone (returns non-zero).  Returns 0 on success.
*/
int benchDestroy(const char *zDir){
  DIR *pDir;
  struct dirent *pEnt;
  int nFile = 0;
  int bOurs = 0;
  int rc = 0;

  pDir = opendir(zDir);
  if( pDir==0 ) return errno==ENOENT ? 0 : -1;
  while( (pEnt = readdir(pDir))!=0 ){
    if( strcmp(pEnt->d_name, ".")==0 || strcmp(pEnt->d_name, "..")==0 ){
      continue;
    }
    nFile++;
    if( strcmp(pEnt->d_name, "IDENTITY")==0 ) bOurs = 1;
  }
  if( nFile>0 && !bOurs ){
    closedir(pDir);
    fprintf(stderr, "db_bench: %s is not an lsmcore store; not removing it\n",
            zDir);
    return -1;
  }else{
    rewinddir(pDir);
    while( rc==0 && (pEnt = readdir(pDir))!=0 ){
      if( strcmp(pEnt->d_name, ".")==0 || strcmp(pEnt->d_name, "..")==0 ){
        continue;
      }
      if( unlinkat(dirfd(pDir), pEnt->d_name, 0)!=0 ) rc = -1;
    }
  }
  closedir(pDir);
  if( rc==0 && rmdir(zDir)!=0 ) rc = -1;
  if( rc!=0 ) fprintf(stderr, "db_bench: cannot remove %s\n", zDir);
  return rc;
}

/* Open the main handle on the store; print the error and fail if not. */
int benchOpen(Bench *p){
  int rc = lsmc_open(p->zDir, p->pOpts, &p->pDb);
  if( rc!=LSMC_OK ){
    fprintf(stderr, "db_bench: lsmc_open(%s): rc=%d %s\n", p->zDir, rc,
            p->pDb ? lsmc_errmsg(p->pDb) : lsmc_errstr(rc));
    lsmc_close(p->pDb);
    p->pDb = 0;
  }
  return rc;
}

/* Close the main handle, if open; print the error if the close fails. */
int benchClose(Bench *p){
  int rc = LSMC_OK;
  if( p->pDb ){
    rc = lsmc_close(p->pDb);
    if( rc!=LSMC_OK ) fprintf(stderr, "db_bench: lsmc_close: rc=%d %s\n",
                              rc, lsmc_errstr(rc));
    p->pDb = 0;
  }
  return rc;
}

/* ---------------------------------------------------------- workloads */

/* Put key number iKey with the next value. */
static int benchPut(BenchThread *p, long long iKey){
  char zKey[BENCH_KEY_SIZE+1];
  size_t nVal = (size_t)p->pBench->cfg.nValue;
  int rc;
  benchKey(zKey, iKey, 0);
  rc = lsmc_put(p->pDb, zKey, BENCH_KEY_SIZE, benchValue(p), nVal);
  if( rc!=LSMC_OK ) return benchFail(p, rc, "lsmc_put");
  p->nBytes += BENCH_KEY_SIZE + nVal;
  p->nDone++;
  return LSMC_OK;
}

/* fillseq: put key numbers iFirst, iFirst+1, ... in order. */
static int benchFillSeq(BenchThread *p){
  int rc = LSMC_OK;
  long long i;
  for(i=0; rc==LSMC_OK && i<p->nOps; i++){
    rc = benchPut(p, p->iFirst + i%p->nRange);
  }
  return rc;
}

/* fillrandom, overwrite: put random key numbers of the range. */
static int benchFillRandom(BenchThread *p){
  int rc = LSMC_OK;
  long long i;
  for(i=0; rc==LSMC_OK && i<p->nOps; i++){
    rc = benchPut(p, benchRandomKey(p));
  }
  return rc;
}

/*
** Write random keys in batches of nPer entries with sync mode eSync
** (fillsync: batches of one, LSMC_SYNC_FULL; fillbatch: of 1,000).
*/
static int benchFillBatches(BenchThread *p, long long nPer, int eSync){
  lsmc_batch *pBatch = 0;
  char zKey[BENCH_KEY_SIZE+1];
  size_t nVal = (size_t)p->pBench->cfg.nValue;
  long long i = 0;
  long long j;
  int rc = lsmc_batch_new(&pBatch);

  if( rc!=LSMC_OK ) return benchFail(p, rc, "lsmc_batch_new");
  while( rc==LSMC_OK && i<p->nOps ){
    lsmc_batch_clear(pBatch);
    for(j=0; rc==LSMC_OK && j<nPer && i+j<p->nOps; j++){
      benchKey(zKey, benchRandomKey(p), 0);
      rc = lsmc_batch_put(pBatch, zKey, BENCH_KEY_SIZE, benchValue(p), nVal);
      if( rc!=LSMC_OK ) benchFail(p, rc, "lsmc_batch_put");
    }
    if( rc==LSMC_OK ){
      rc = lsmc_write(p->pDb, pBatch, eSync);
      if( rc!=LSMC_OK ) benchFail(p, rc, "lsmc_write");
    }
    if( rc==LSMC_OK ){
      i += j;
      p->nDone += j;
      p->nBytes += (unsigned long long)j * (BENCH_KEY_SIZE + nVal);
    }
  }
  lsmc_batch_free(pBatch);
  return rc;
}

/* fillsync: one-entry writes, each fsynced (LSMC_SYNC_FULL). */
static int benchFillSync(BenchThread *p){
  return benchFillBatches(p, 1, LSMC_SYNC_FULL);
}

/* fillbatch: batches of BENCH_BATCH_SIZE, the store's sync mode. */
static int benchFillBatch(BenchThread *p){
  return benchFillBatches(p, BENCH_BATCH_SIZE, LSMC_SYNC_DEFAULT);
}

/*
** Look up nOps random keys (of the written form unless bMissing), counting
** those found in nFound.
*/
static int benchReadKeys(BenchThread *p, int bMissing){
  char zKey[BENCH_KEY_SIZE+1];
  long long i;
  int rc = LSMC_OK;
  for(i=0; rc==LSMC_OK && i<p->nOps; i++){
    void *pVal = 0;
    size_t nVal = 0;
    benchKey(zKey, benchRandomKey(p), bMissing);
    rc = lsmc_get(p->pDb, 0, zKey, BENCH_KEY_SIZE, &pVal, &nVal);
    if( rc==LSMC_OK ){
      p->nFound++;
      p->nBytes += BENCH_KEY_SIZE + nVal;
      lsmc_free(p->pDb, pVal);
    }else if( rc==LSMC_NOTFOUND ){
      rc = LSMC_OK;
    }else{
      benchFail(p, rc, "lsmc_get");
    }
    p->nDone++;
  }
  return rc;
}

/* readrandom: lookups of random written-form keys. */
static int benchReadRandom(BenchThread *p){
  return benchReadKeys(p, 0);
}

/* readmissing: lookups of keys that are never written. */
static int benchReadMissing(BenchThread *p){
  return benchReadKeys(p, 1);
}

/*
** seekrandom: per operation, a new iterator, a seek to a random key
** (found if the first key >= target is the target itself) and up to
** BENCH_SEEK_NEXT steps forward.
*/
static int benchSeekRandom(BenchThread *p){
  char zKey[BENCH_KEY_SIZE+1];
  long long i;
  int j;
  int rc = LSMC_OK;
  for(i=0; rc==LSMC_OK && i<p->nOps; i++){
    lsmc_iter *pIter = 0;
    benchKey(zKey, benchRandomKey(p), 0);
    rc = lsmc_iter_open(p->pDb, 0, 0, 0, 0, 0, &pIter);
    if( rc==LSMC_OK ) rc = lsmc_iter_seek(pIter, zKey, BENCH_KEY_SIZE,
                                          LSMC_SEEK_GE);
    for(j=0; rc==LSMC_OK && lsmc_iter_valid(pIter); j++){
      size_t nKey = 0, nVal = 0;
      const void *pKey = lsmc_iter_key(pIter, &nKey);
      lsmc_iter_value(pIter, &nVal);
      if( j==0 && nKey==BENCH_KEY_SIZE
       && memcmp(pKey, zKey, BENCH_KEY_SIZE)==0 ){
        p->nFound++;
      }
      p->nBytes += nKey + nVal;
      if( j==BENCH_SEEK_NEXT ) break;
      rc = lsmc_iter_next(pIter);
    }
    lsmc_iter_close(pIter);
    if( rc!=LSMC_OK ) benchFail(p, rc, "seek");
    p->nDone++;
  }
  return rc;
}

/* readseq: a forward scan from the first key, at most nOps entries. */
static int benchReadSeq(BenchThread *p){
  lsmc_iter *pIter = 0;
  int rc = lsmc_iter_open(p->pDb, 0, 0, 0, 0, 0, &pIter);
  if( rc==LSMC_OK ) rc = lsmc_iter_first(pIter);
  while( rc==LSMC_OK && p->nDone<p->nOps && lsmc_iter_valid(pIter) ){
    size_t nKey = 0, nVal = 0;
    lsmc_iter_key(pIter, &nKey);
    lsmc_iter_value(pIter, &nVal);
    p->nBytes += nKey + nVal;
    p->nDone++;
    rc = lsmc_iter_next(pIter);
  }
  p->nFound = p->nDone;
  lsmc_iter_close(pIter);
  if( rc!=LSMC_OK ) benchFail(p, rc, "scan");
  return rc;
}

/* deleterandom: delete random key numbers of the range. */
static int benchDeleteRandom(BenchThread *p){
  char zKey[BENCH_KEY_SIZE+1];
  long long i;
  int rc = LSMC_OK;
  for(i=0; rc==LSMC_OK && i<p->nOps; i++){
    benchKey(zKey, benchRandomKey(p), 0);
    rc = lsmc_delete(p->pDb, zKey, BENCH_KEY_SIZE);
    if( rc!=LSMC_OK ) return benchFail(p, rc, "lsmc_delete");
    p->nBytes += BENCH_KEY_SIZE;
    p->nDone++;
  }
  return rc;
}

/* Every workload, in the default order. */
static const BenchWorkload aWorkload[] = {
  /* zName          xRun               bFresh bThreads eOps */
  { "fillseq",      benchFillSeq,      1, 0, BENCH_OPS_NUM   },
  { "fillrandom",   benchFillRandom,   1, 1, BENCH_OPS_NUM   },
  { "overwrite",    benchFillRandom,   0, 0, BENCH_OPS_NUM   },
  { "readrandom",   benchReadRandom,   0, 0, BENCH_OPS_READS },
  { "readmissing",  benchReadMissing,  0, 0, BENCH_OPS_READS },
  { "seekrandom",   benchSeekRandom,   0, 0, BENCH_OPS_READS },
  { "readseq",      benchReadSeq,      0, 0, BENCH_OPS_READS },
  { "deleterandom", benchDeleteRandom, 0, 0, BENCH_OPS_NUM   },
  { "fillsync",     benchFillSync,     1, 1, BENCH_OPS_SYNC  },
  { "fillbatch",    benchFillBatch,    1, 0, BENCH_OPS_NUM   },
};

/* The workload named by the n bytes at z, or NULL. */
const BenchWorkload *benchFind(const char *z, size_t n){
  size_t i;
  for(i=0; i<sizeof(aWorkload)/sizeof(aWorkload[0]); i++){
    if( strlen(aWorkload[i].zName)==n && memcmp(aWorkload[i].zName, z, n)==0 ){
      return &aWorkload[i];
    }
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
** Print the result line of workload pW: nOps operations by nThread threads
** in rElapsed microseconds, counters before (*pA) and after (*pB), store
** size before and after.
*/
static void benchReport(Bench *p, const BenchWorkload *pW,
                        const BenchThread *aT, int nThread, double rElapsed,
                        const BenchCounters *pA, const BenchCounters *pB,
                        unsigned long long nDirA, unsigned long long nDirB){
  long long nDone = 0, nFound = 0;
  unsigned long long nBytes = 0;
  unsigned long long nUser = pB->nUser - pA->nUser;
  unsigned long long nWal = pB->nWal - pA->nWal;
  unsigned long long nFlush = pB->nFlush - pA->nFlush;
  unsigned long long nCompact = pB->nCompact - pA->nCompact;
  double rSec = rElapsed/1e6;
  char zExtra[128];
  int i;

  for(i=0; i<nThread; i++){
    nDone += aT[i].nDone;
    nFound += aT[i].nFound;
    nBytes += aT[i].nBytes;
  }
  if( rSec<=0.0 ) rSec = 1e-9;
  zExtra[0] = 0;
  if( pW->eOps==BENCH_OPS_READS && pW->xRun!=benchReadSeq ){
    snprintf(zExtra, sizeof(zExtra), " (%lld of %lld found)", nFound, nDone);
  }else if( nUser>0 ){
    snprintf(zExtra, sizeof(zExtra), " wamp %.2f; %llu groups, %llu syncs",
             (double)(nWal+nFlush+nCompact)/(double)nUser,
             pB->nGroup - pA->nGroup, pB->nSync - pA->nSync);
  }
  printf("%-12s : %11.3f micros/op %9.0f ops/s %7.1f MB/s;"
         " wrote %.1f MB (wal %.1f, flush %.1f, compact %.1f);"
         " disk %+.1f MB%s\n",
         pW->zName, nDone ? rElapsed*nThread/(double)nDone : 0.0,
         (double)nDone/rSec, (double)nBytes/BENCH_MB/rSec,
         (double)(nWal+nFlush+nCompact)/BENCH_MB, (double)nWal/BENCH_MB,
         (double)nFlush/BENCH_MB, (double)nCompact/BENCH_MB,
         ((double)nDirB - (double)nDirA)/BENCH_MB, zExtra);
  fflush(stdout);
  p->total.nUser += nUser;
  p->total.nWal += nWal;
  p->total.nFlush += nFlush;
  p->total.nCompact += nCompact;
}

/*
** Run workload pW: empty the store first if it is a fill, split the work
** between the threads, time it and print its line.  If pRes is not NULL,
** it gets the operations done and the elapsed time.  Returns 0 on success.
*/
int benchRun(Bench *p, const BenchWorkload *pW, BenchResult *pRes){
  BenchThread aT[BENCH_MAX_THREAD];
  pthread_t aId[BENCH_MAX_THREAD];
  BenchCounters cA, cB;
  unsigned long long nDirA, nDirB;
  long long nOps, nNum = p->cfg.nNum;
  int nThread = pW->bThreads ? p->cfg.nThread : 1;
  int nOpen = 0;
  int i, rc = LSMC_OK;
  double rStart, rElapsed;

  if( pW->bFresh && !p->cfg.bUseExisting ){
    if( benchClose(p) || benchDestroy(p->zDir) ) return 1;
  }
  if( p->pDb==0 && benchOpen(p) ) return 1;
  nOps = pW->eOps==BENCH_OPS_READS ? p->cfg.nReads : nNum;
  if( pW->eOps==BENCH_OPS_SYNC ) nOps = nNum/100>0 ? nNum/100 : 1;
  if( nThread>nOps ) nThread = (int)nOps;
  if( nThread<1 ) nThread = 1;

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
    if( i>0 ){
      /* A handle of its own on the shared engine, opened before timing. */
      rc = lsmc_open(p->zDir, p->pOpts, &pT->pDb);
      if( rc!=LSMC_OK ){
        benchFail(pT, rc, "lsmc_open (thread)");
        lsmc_close(pT->pDb);
        pT->pDb = 0;
        break;
      }
      nOpen = i;
    }
  }

  if( rc==LSMC_OK ) rc = benchCounters(p->pDb, &cA, 0);
  nDirA = benchDirSize(p->zDir);
  if( rc==LSMC_OK ){
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
    rElapsed = benchNowMicros() - rStart;
    for(i=0; i<nThread && rc==LSMC_OK; i++) rc = aT[i].rc;
    nDirB = benchDirSize(p->zDir);
    if( rc==LSMC_OK ) rc = benchCounters(p->pDb, &cB, p->cfg.bStats);
    if( rc==LSMC_OK ){
      benchReport(p, pW, aT, nThread, rElapsed, &cA, &cB, nDirA, nDirB);
    }
    if( pRes ){
      memset(pRes, 0, sizeof(*pRes));
      pRes->rMicros = rElapsed;
      for(i=0; i<nThread; i++){
        pRes->nDone += aT[i].nDone;
        pRes->nFound += aT[i].nFound;
      }
    }
  }

  for(i=0; i<nThread; i++){
    if( aT[i].rc ) fprintf(stderr, "db_bench: %s: %s\n", pW->zName, aT[i].zErr);
  }
  if( rc!=LSMC_OK && aT[0].rc==LSMC_OK ){
    fprintf(stderr, "db_bench: %s: rc=%d %s\n", pW->zName, rc,
            lsmc_errmsg(p->pDb));
  }
  for(i=1; i<=nOpen; i++) lsmc_close(aT[i].pDb);
  return rc!=LSMC_OK;
}

/*
** Print the totals of the run and measure the final store: the key and
** value bytes of its live entries (a full scan) against its size on disk
** after lsmc_close().  Closes the main handle.
*/
static int benchSummary(Bench *p){
  BenchCounters *pT = &p->total;
  unsigned long long nLogical = 0, nLive = 0, nDisk;
  lsmc_iter *pIter = 0;
  int rc = LSMC_OK;

  if( p->pDb ){
    rc = lsmc_iter_open(p->pDb, 0, 0, 0, 0, 0, &pIter);
    if( rc==LSMC_OK ) rc = lsmc_iter_first(pIter);
    while( rc==LSMC_OK && lsmc_iter_valid(pIter) ){
      size_t nKey = 0, nVal = 0;
      lsmc_iter_key(pIter, &nKey);
      lsmc_iter_value(pIter, &nVal);
      nLogical += nKey + nVal;
      nLive++;
      rc = lsmc_iter_next(pIter);
    }
    lsmc_iter_close(pIter);
    if( rc!=LSMC_OK ){
      fprintf(stderr, "db_bench: final scan: rc=%d %s\n", rc,
              lsmc_errmsg(p->pDb));
      return 1;
    }
  }
  if( benchClose(p) ) return 1;
  nDisk = benchDirSize(p->zDir);

  printf("------------------------------------------------\n");
  printf("write amp    : %.2f  (wal %.1f MB + flush %.1f MB + compact %.1f MB)"
         " / user %.1f MB\n",
         pT->nUser ? (double)(pT->nWal+pT->nFlush+pT->nCompact)
                     / (double)pT->nUser : 0.0,
         (double)pT->nWal/BENCH_MB, (double)pT->nFlush/BENCH_MB,
         (double)pT->nCompact/BENCH_MB, (double)pT->nUser/BENCH_MB);
  printf("space amp    : %.2f  (on disk after close %.1f MB / logical %.1f MB,"
         " %llu live entries)\n",
         nLogical ? (double)nDisk/(double)nLogical : 0.0,
         (double)nDisk/BENCH_MB, (double)nLogical/BENCH_MB, nLive);
  return 0;
}

/* ---------------------------------------------------------- setup */

/* Print the usage text to stdout. */
static void benchUsage(void){
  printf(
"usage: db_bench [--option=value]...\n"
"  --benchmarks=a,b,c  workloads to run, in order; default:\n"
"                      " BENCH_DEFAULT_LIST "\n"
"      fillseq       put num keys in key order (empty store)\n"
"      fillrandom    put num random keys (empty store; --threads)\n"
"      overwrite     put num random keys over the existing ones\n"
"      readrandom    get reads random keys; reports found/total\n"
"      readmissing   get reads keys never written (0 found)\n"
"      seekrandom    reads x (new iterator, seek, %d next)\n"
"      readseq       scan at most reads entries from the first key\n"
"      deleterandom  delete num random keys\n"
"      fillsync      put num/100 random keys, each fsynced (empty store;\n"
"                    --threads)\n"
"      fillbatch     put num random keys in batches of %d (empty store)\n"
"      strategies    alone: per compaction strategy (leveled, tiered,\n"
"                    fifo), a fresh store, fillrandom + overwrite, wait\n"
"                    for compaction, readrandom + seekrandom; prints the\n"
"                    write/read/space amplification table, writes\n"
"                    strategies.dat and, with gnuplot, strategies.png\n"
"  --num=N             entries / key range (1000000; strategies: %d)\n"
"  --reads=N           read operations (num; strategies: num/10)\n"
"  --value_size=N      bytes per value (100); keys are 16 bytes\n"
"  --db=DIR            store directory (default: a new directory under\n"
"                      /tmp, removed at the end unless --keep=1)\n"
"  --keep=0|1          keep the temporary store (0)\n"
"  --use_existing_db=0|1  fill* keep the existing data (0)\n"
"  --memtable_size=N --block_size=N --bloom_bits=N --cache_size=N\n"
"                      engine options (engine defaults; k/m/g suffixes)\n"
"  --sync=off|normal|full  sync mode of ordinary writes (normal)\n"
"  --threads=T         writer threads for fillrandom and fillsync (1)\n"
"  --stats=0|1         print the engine's statistics JSON after each (0)\n"
"  --out=DIR           strategies: where strategies.dat/.png go (.)\n"
"  --plot=PATH         strategies: the gnuplot script (default: the first\n"
"                      of test/bench/plot_strategies.gp,\n"
"                      ../test/bench/plot_strategies.gp, or near the binary)\n",
    BENCH_SEEK_NEXT, BENCH_BATCH_SIZE, BENCH_STRATEGIES_NUM);
}

/*
** Parse z as a non-negative integer with an optional k, m or g suffix
** (powers of 1024) into *pN.  Returns 0 on success.
*/
static int benchParseInt(const char *z, long long *pN){
  char *zEnd = 0;
  long long n;
  errno = 0;
  n = strtoll(z, &zEnd, 10);
  if( errno || zEnd==z || n<0 ) return 1;
  switch( *zEnd ){
    case 'k': case 'K': n <<= 10; zEnd++; break;
    case 'm': case 'M': n <<= 20; zEnd++; break;
    case 'g': case 'G': n <<= 30; zEnd++; break;
    default: break;
  }
  if( *zEnd ) return 1;
  *pN = n;
  return 0;
}

/* True if zList asks for the strategies mode. */
static int benchIsStrategies(const char *zList){
  return strcmp(zList, "strategies")==0;
}

/*
** Parse argv into *pCfg.  Returns 0 to run, 1 on a bad argument (after
** printing why), 2 for --help.
*/
static int benchParseArgs(int argc, char **argv, BenchConfig *pCfg){
  static const struct { const char *zName; size_t iOff; } aInt[] = {
    { "num",           offsetof(BenchConfig, nNum) },
    { "reads",         offsetof(BenchConfig, nReads) },
    { "value_size",    offsetof(BenchConfig, nValue) },
    { "memtable_size", offsetof(BenchConfig, nMemtable) },
    { "block_size",    offsetof(BenchConfig, nBlock) },
    { "bloom_bits",    offsetof(BenchConfig, nBloom) },
    { "cache_size",    offsetof(BenchConfig, nCache) },
  };
  int i;
  size_t j;
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
#define BENCH_IS(zFlag) (nName==strlen(zFlag) && memcmp(z, zFlag, nName)==0)
    for(j=0; j<sizeof(aInt)/sizeof(aInt[0]); j++){
      if( BENCH_IS(aInt[j].zName) ) break;
    }
    if( j<sizeof(aInt)/sizeof(aInt[0]) ){
      if( benchParseInt(zVal, &n) ) goto bad_arg;
      *(long long*)((char*)pCfg + aInt[j].iOff) = n;
    }else if( BENCH_IS("benchmarks") ){
      pCfg->zList = zVal;
    }else if( BENCH_IS("db") ){
      pCfg->zDb = zVal;
    }else if( BENCH_IS("out") && *zVal ){
      pCfg->zOut = zVal;
    }else if( BENCH_IS("plot") && *zVal ){
      pCfg->zPlot = zVal;
    }else if( BENCH_IS("sync") ){
      if( strcmp(zVal, "off")==0 ) pCfg->eSync = LSMC_SYNC_OFF;
      else if( strcmp(zVal, "normal")==0 ) pCfg->eSync = LSMC_SYNC_NORMAL;
      else if( strcmp(zVal, "full")==0 ) pCfg->eSync = LSMC_SYNC_FULL;
      else goto bad_arg;
    }else if( BENCH_IS("keep") || BENCH_IS("use_existing_db")
           || BENCH_IS("threads") || BENCH_IS("stats") ){
      if( benchParseInt(zVal, &n) || n>BENCH_MAX_THREAD ) goto bad_arg;
      if( BENCH_IS("keep") ) pCfg->bKeep = n!=0;
      else if( BENCH_IS("use_existing_db") ) pCfg->bUseExisting = n!=0;
      else if( BENCH_IS("stats") ) pCfg->bStats = n!=0;
      else if( n<1 ) goto bad_arg;
      else pCfg->nThread = (int)n;
    }else{
      goto bad_arg;
    }
#undef BENCH_IS
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
** Build the options object from the configuration.  An engine option not
** given on the command line keeps the engine default.
*/
static int benchOptions(Bench *p){
  const BenchConfig *c = &p->cfg;
  const struct { long long n; int eOpt; const char *zName; } a[] = {
    { c->nMemtable, LSMC_OPT_MEMTABLE_SIZE, "memtable_size" },
    { c->nBlock,    LSMC_OPT_BLOCK_SIZE,    "block_size" },
    { c->nBloom,    LSMC_OPT_BLOOM_BITS,    "bloom_bits" },
    { c->nCache,    LSMC_OPT_CACHE_SIZE,    "cache_size" },
    { c->eSync,     LSMC_OPT_SYNC,          "sync" },
  };
  size_t i;
  int rc = lsmc_options_new(&p->pOpts);
  for(i=0; rc==LSMC_OK && i<sizeof(a)/sizeof(a[0]); i++){
    if( a[i].n<0 ) continue;
    rc = lsmc_options_set(p->pOpts, a[i].eOpt, a[i].n);
    if( rc!=LSMC_OK ){
      fprintf(stderr, "db_bench: --%s=%lld rejected: %s\n", a[i].zName,
              a[i].n, lsmc_errstr(rc));
    }
  }
  return rc;
}

/* The first "model name" of /proc/cpuinfo into z, or "unknown". */
static void benchCpuModel(char *z, size_t n){
  char zLine[512];
  FILE *pIn = fopen("/proc/cpuinfo", "r");
  snprintf(z, n, "unknown");
  while( pIn && fgets(zLine, sizeof(zLine), pIn) ){
    char *zColon = strchr(zLine, ':');
    if( strncmp(zLine, "model name", 10)==0 && zColon ){
      zColon += 1 + (zColon[1]==' ');
      zColon[strcspn(zColon, "\n")] = 0;
      snprintf(z, n, "%s", zColon);
      break;
    }
  }
  if( pIn ) fclose(pIn);
}

/* Print the header: machine, date, data sizes and effective options. */
static void benchHeader(const Bench *p){
  const BenchConfig *c = &p->cfg;
  const lsmc_options *o = p->pOpts;
  static const char *azSync[] = { "off", "normal", "full" };
  char zCpu[256];
  char zDate[64];
  time_t t = time(0);
  struct tm tm;
  int eSync = (int)lsmc_options_get(o, LSMC_OPT_SYNC);
  double rEntry = (double)(BENCH_KEY_SIZE + c->nValue);

  benchCpuModel(zCpu, sizeof(zCpu));
  localtime_r(&t, &tm);
  strftime(zDate, sizeof(zDate), "%Y-%m-%d %H:%M:%S", &tm);
  printf("db_bench     : lsmcore on %s, %ld cores; num=%lld reads=%lld "
         "value_size=%lld threads=%d sync=%s\n",
         zCpu, sysconf(_SC_NPROCESSORS_ONLN), c->nNum, c->nReads, c->nValue,
         c->nThread, (eSync>=0 && eSync<=2) ? azSync[eSync] : "?");
  printf("Date         : %s\n", zDate);
  printf("Keys         : %d bytes each\n", BENCH_KEY_SIZE);
  printf("Values       : %lld bytes each\n", c->nValue);
  printf("Entries      : %lld\n", c->nNum);
  printf("RawSize      : %.1f MB (estimated)\n",
         rEntry*(double)c->nNum/BENCH_MB);
  printf("Options      : memtable %lld, block %lld, bloom %lld bits/key, "
         "cache %lld\n",
         (long long)lsmc_options_get(o, LSMC_OPT_MEMTABLE_SIZE),
         (long long)lsmc_options_get(o, LSMC_OPT_BLOCK_SIZE),
         (long long)lsmc_options_get(o, LSMC_OPT_BLOOM_BITS),
         (long long)lsmc_options_get(o, LSMC_OPT_CACHE_SIZE));
  printf("Store        : %s\n", p->zDir);
  printf("------------------------------------------------\n");
  fflush(stdout);
}

/*
** Set up the run: options, store directory, value pool.  Returns 0 on
** success.
*/
static int benchSetup(Bench *p){
  unsigned long long iRand = BENCH_SEED;
  size_t nPool = BENCH_POOL_SIZE + (size_t)p->cfg.nValue + 8;
  size_t i;

  if( benchOptions(p) ) return 1;
  if( p->cfg.zDb ){
    p->zDir = strdup(p->cfg.zDb);
  }else{
    char zTmp[] = "/tmp/db_bench-XXXXXX";
    if( mkdtemp(zTmp)==0 ){
      perror("db_bench: mkdtemp");
      return 1;
    }
    p->zTmp = strdup(zTmp);
    if( p->zTmp && asprintf(&p->zDir, "%s/db", zTmp)<0 ) p->zDir = 0;
  }
  p->aPool = malloc(nPool);
  if( p->zDir==0 || p->aPool==0 ){
    fprintf(stderr, "db_bench: out of memory\n");
    return 1;
  }
  for(i=0; i<nPool; i++) p->aPool[i] = (unsigned char)benchRandom(&iRand);
  return 0;
}

/*
** Check that every name of zList is a workload (before any runs).
** Returns 0 if so.
*/
static int benchCheckList(const char *zList){
  const char *z = zList;
  if( benchIsStrategies(zList) ) return 0;
  while( *z ){
    size_t n = strcspn(z, ",");
    if( n==10 && memcmp(z, "strategies", 10)==0 ){
      fprintf(stderr, "db_bench: strategies runs alone\n");
      return 1;
    }
    if( n>0 && benchFind(z, n)==0 ){
      fprintf(stderr, "db_bench: unknown benchmark '%.*s'\n", (int)n, z);
      return 1;
    }
    z += n + (z[n]==',');
  }
  return 0;
}

/*
** Parse the arguments, run the workloads in order, print the summary and
** clean up.  Exits 0 on success, 1 on a bad argument or any engine error.
*/
int main(int argc, char **argv){
  Bench b;
  const char *z;
  int rc;

  memset(&b, 0, sizeof(b));
  b.cfg.zList = BENCH_DEFAULT_LIST;
  b.cfg.nNum = -1;
  b.cfg.nReads = -1;
  b.cfg.nValue = 100;
  b.cfg.nMemtable = b.cfg.nBlock = b.cfg.nBloom = b.cfg.nCache = -1;
  b.cfg.eSync = LSMC_SYNC_NORMAL;
  b.cfg.nThread = 1;
  b.cfg.zOut = ".";
  b.cfg.zArgv0 = argv[0];

  rc = benchParseArgs(argc, argv, &b.cfg);
  if( rc==2 ){
    benchUsage();
    return 0;
  }
  if( rc==0 ) rc = benchCheckList(b.cfg.zList);
  if( rc==0 ) rc = benchSetup(&b);
  if( rc==0 ){
    benchHeader(&b);
    if( !b.cfg.bUseExisting ) rc = benchDestroy(b.zDir);
  }
  if( rc==0 && benchIsStrategies(b.cfg.zList) ){
    rc = benchStrategies(&b);
  }else{
    if( rc==0 ) rc = benchOpen(&b)!=LSMC_OK;
    for(z=b.cfg.zList; rc==0 && *z; ){
      size_t n = strcspn(z, ",");
      if( n>0 ) rc = benchRun(&b, benchFind(z, n), 0);
      z += n + (z[n]==',');
    }
    if( rc==0 ) rc = benchSummary(&b);
  }
  if( benchClose(&b) ) rc = 1;

  if( b.zTmp ){
    if( b.cfg.bKeep ){
      printf("kept store   : %s\n", b.zDir);
    }else if( benchDestroy(b.zDir)==0 ){
      rmdir(b.zTmp);
    }
  }
  lsmc_options_free(b.pOpts);
  free(b.aPool);
  free(b.zDir);
  free(b.zTmp);
  return rc ? 1 : 0;
}
