/*
** engine_lsmcore.c -- the lsmcore backend of db_bench (bench_engine.h),
** through the public API of lsmcore.h only.
**
** A BenchDb owns one lsmc_db handle and, for the main handle, the
** lsmc_options every handle of the store is opened with.  xAttach opens a
** second lsmc_db on the same directory: it shares the engine of the first
** (one memtable, one WAL), so the writes of several threads meet in one
** group commit.  Gets use lsmc_get, which returns a copy of the value that
** is freed at once with lsmc_free.  Batches and iterators are the lsmc_
** objects themselves, cast to the opaque bench types.  xCounters reads the
** engine's write counters from lsmc_stats_json.
**
** The strategies mode of db_bench reaches the lsmc_db and lsmc_options
** under a BenchDb with benchLsmcDb() and benchLsmcOptions() (bench.h).
*/
#include "bench.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* An open lsmcore handle. */
struct BenchDb {
  lsmc_db *pDb;            /* The handle */
  lsmc_options *pOpts;     /* Options of every open (owned by the main) */
  int bMain;               /* 1 for the handle of xOpen, 0 for xAttach */
  char *zDir;              /* Store directory (owned by the main) */
};

/* lsmcore's version: it has no version call; the library is in-tree. */
static void lsmcVersion(char *zBuf, size_t nBuf){
  snprintf(zBuf, nBuf, "in-tree");
}

/*
** Build the lsmc_options of pOpts (every field is set explicitly, so
** lsmcore's own defaults do not matter).  Returns LSMC_OK or an rc, with
** the option's name in zErr.
*/
static int lsmcOptions(const BenchEngineOpts *pOpts, lsmc_options **ppOut,
                       char *zErr, size_t nErr){
  const struct { long long n; int eOpt; const char *zName; } a[] = {
    { pOpts->nMemtable,   LSMC_OPT_MEMTABLE_SIZE, "memtable_size" },
    { pOpts->nBlock,      LSMC_OPT_BLOCK_SIZE,    "block_size" },
    { pOpts->nBloomBits,  LSMC_OPT_BLOOM_BITS,    "bloom_bits" },
    { pOpts->nCache,      LSMC_OPT_CACHE_SIZE,    "cache_size" },
    { pOpts->eSync,       LSMC_OPT_SYNC,          "sync" },
    { pOpts->eCompaction, LSMC_OPT_COMPACTION,    "compaction" },
    { pOpts->nFifoMax,    LSMC_OPT_FIFO_MAX_SIZE, "fifo_max_size" },
  };
  size_t i;
  int rc = lsmc_options_new(ppOut);
  for(i=0; rc==LSMC_OK && i<sizeof(a)/sizeof(a[0]); i++){
    if( a[i].n<0 ) continue;
    rc = lsmc_options_set(*ppOut, a[i].eOpt, a[i].n);
    if( rc!=LSMC_OK ){
      snprintf(zErr, nErr, "option %s=%lld rejected: %s", a[i].zName,
               a[i].n, lsmc_errstr(rc));
    }
  }
  return rc;
}

/* xOpen: options, then lsmc_open of zDir. */
static int lsmcOpen(const BenchEngineOpts *pOpts, const char *zDir,
                    BenchDb **ppDb, char *zErr, size_t nErr){
  BenchDb *p = calloc(1, sizeof(*p));
  int rc;
  *ppDb = 0;
  if( p==0 || (p->zDir = strdup(zDir))==0 ){
    free(p);
    snprintf(zErr, nErr, "out of memory");
    return LSMC_NOMEM;
  }
  p->bMain = 1;
  rc = lsmcOptions(pOpts, &p->pOpts, zErr, nErr);
  if( rc==LSMC_OK ){
    rc = lsmc_open(zDir, p->pOpts, &p->pDb);
    if( rc!=LSMC_OK ){
      snprintf(zErr, nErr, "lsmc_open(%s): %s", zDir,
               p->pDb ? lsmc_errmsg(p->pDb) : lsmc_errstr(rc));
    }
  }
  if( rc!=LSMC_OK ){
    lsmc_close(p->pDb);
    lsmc_options_free(p->pOpts);
    free(p->zDir);
    free(p);
    return rc;
  }
  *ppDb = p;
  return LSMC_OK;
}

/* xAttach: a second lsmc_db on the store (shares the engine). */
static int lsmcAttach(BenchDb *pMain, BenchDb **ppThread){
  BenchDb *p = calloc(1, sizeof(*p));
  int rc;
  *ppThread = 0;
  if( p==0 ) return LSMC_NOMEM;
  p->pOpts = pMain->pOpts;
  p->zDir = pMain->zDir;
  rc = lsmc_open(pMain->zDir, pMain->pOpts, &p->pDb);
  if( rc!=LSMC_OK ){
    lsmc_close(p->pDb);
    free(p);
    return rc;
  }
  *ppThread = p;
  return LSMC_OK;
}

/* xClose: close the handle; the main handle also frees the options. */
static int lsmcClose(BenchDb *p){
  int rc;
  if( p==0 ) return LSMC_OK;
  rc = lsmc_close(p->pDb);
  if( p->bMain ){
    lsmc_options_free(p->pOpts);
    free(p->zDir);
  }
  free(p);
  return rc;
}

/* xDetach: close a handle of xAttach. */
static void lsmcDetach(BenchDb *pMain, BenchDb *pThread){
  (void)pMain;
  if( pThread && pThread!=pMain ) lsmcClose(pThread);
}

/* xErrmsg */
static const char *lsmcErrmsg(BenchDb *p){
  return lsmc_errmsg(p->pDb);
}

/* xPut: lsmc_put with the store's sync mode. */
static int lsmcPut(BenchDb *p, const void *pKey, size_t nKey,
                   const void *pVal, size_t nVal){
  return lsmc_put(p->pDb, pKey, nKey, pVal, nVal);
}

/* xDelete */
static int lsmcDelete(BenchDb *p, const void *pKey, size_t nKey){
  return lsmc_delete(p->pDb, pKey, nKey);
}

/* xGet: lsmc_get, then lsmc_free of the copy. */
static int lsmcGet(BenchDb *p, const void *pKey, size_t nKey, size_t *pnVal){
  void *pVal = 0;
  int rc = lsmc_get(p->pDb, 0, pKey, nKey, &pVal, pnVal);
  if( rc==LSMC_OK ){
    lsmc_free(p->pDb, pVal);
    return BENCH_FOUND;
  }
  return rc==LSMC_NOTFOUND ? BENCH_MISSING : rc;
}

/* xBatchNew: an lsmc_batch (the store is not needed). */
static int lsmcBatchNew(BenchDb *p, BenchBatch **ppBatch){
  lsmc_batch *pBatch = 0;
  int rc = lsmc_batch_new(&pBatch);
  (void)p;
  *ppBatch = (BenchBatch*)pBatch;
  return rc;
}

/* xBatchPut */
static int lsmcBatchPut(BenchBatch *pBatch, const void *pKey, size_t nKey,
                        const void *pVal, size_t nVal){
  return lsmc_batch_put((lsmc_batch*)pBatch, pKey, nKey, pVal, nVal);
}

/* xBatchClear */
static void lsmcBatchClear(BenchBatch *pBatch){
  lsmc_batch_clear((lsmc_batch*)pBatch);
}

/* xWrite: LSMC_SYNC_FULL if bSync, else the store's mode. */
static int lsmcWrite(BenchDb *p, BenchBatch *pBatch, int bSync){
  return lsmc_write(p->pDb, (lsmc_batch*)pBatch,
                    bSync ? LSMC_SYNC_FULL : LSMC_SYNC_DEFAULT);
}

/* xBatchFree */
static void lsmcBatchFree(BenchBatch *pBatch){
  lsmc_batch_free((lsmc_batch*)pBatch);
}

/* xIterNew: an unbounded iterator over the latest state. */
static int lsmcIterNew(BenchDb *p, BenchIter **ppIter){
  lsmc_iter *pIter = 0;
  int rc = lsmc_iter_open(p->pDb, 0, 0, 0, 0, 0, &pIter);
  *ppIter = (BenchIter*)pIter;
  return rc;
}

/* xIterFirst */
static int lsmcIterFirst(BenchIter *pIter){
  return lsmc_iter_first((lsmc_iter*)pIter);
}

/* xIterSeek: the first key >= pKey. */
static int lsmcIterSeek(BenchIter *pIter, const void *pKey, size_t nKey){
  return lsmc_iter_seek((lsmc_iter*)pIter, pKey, nKey, LSMC_SEEK_GE);
}

/* xIterValid */
static int lsmcIterValid(BenchIter *pIter){
  return lsmc_iter_valid((lsmc_iter*)pIter);
}

/* xIterNext */
static int lsmcIterNext(BenchIter *pIter){
  return lsmc_iter_next((lsmc_iter*)pIter);
}

/* xIterKey */
static const void *lsmcIterKey(BenchIter *pIter, size_t *pnKey){
  return lsmc_iter_key((lsmc_iter*)pIter, pnKey);
}

/* xIterValue */
static const void *lsmcIterValue(BenchIter *pIter, size_t *pnVal){
  return lsmc_iter_value((lsmc_iter*)pIter, pnVal);
}

/* xIterClose */
static void lsmcIterClose(BenchIter *pIter){
  lsmc_iter_close((lsmc_iter*)pIter);
}

/*
** The value of "zName": in the JSON object zJson, or 0 if absent.  The
** engine's JSON is flat enough that a search for the quoted name works.
*/
static unsigned long long lsmcJsonU64(const char *zJson, const char *zName){
  char zPat[64];
  const char *z;
  snprintf(zPat, sizeof(zPat), "\"%s\":", zName);
  z = strstr(zJson, zPat);
  if( z==0 ) return 0;
  return strtoull(z + strlen(zPat), 0, 10);
}

/*
** xCounters: the engine's write counters from lsmc_stats_json; if bPrint,
** also print the whole JSON object.
*/
static int lsmcCounters(BenchDb *p, BenchCounters *pC, int bPrint){
  char *zJson = 0;
  int rc = lsmc_stats_json(p->pDb, &zJson);
  memset(pC, 0, sizeof(*pC));
  if( rc==LSMC_OK ){
    pC->nUser = lsmcJsonU64(zJson, "user_bytes");
    pC->nWal = lsmcJsonU64(zJson, "wal_bytes");
    pC->nFlush = lsmcJsonU64(zJson, "flush_bytes");
    pC->nCompact = lsmcJsonU64(zJson, "compaction_write_bytes");
    pC->nGroup = lsmcJsonU64(zJson, "write_groups");
    pC->nSync = lsmcJsonU64(zJson, "wal_syncs");
    if( bPrint ) printf("stats        : %s\n", zJson);
  }
  lsmc_free(p->pDb, zJson);
  return rc;
}

/* The lsmc_db under a BenchDb of this backend (strategies mode). */
lsmc_db *benchLsmcDb(BenchDb *p){
  return p->pDb;
}

/* The options a BenchDb of this backend was opened with. */
const lsmc_options *benchLsmcOptions(BenchDb *p){
  return p->pOpts;
}

const BenchEngine benchEngineLsmcore = {
  "lsmcore",         /* zName */
  lsmcVersion,       /* xVersion */
  lsmcOpen,          /* xOpen */
  lsmcAttach,        /* xAttach */
  lsmcDetach,        /* xDetach */
  lsmcClose,         /* xClose */
  lsmcErrmsg,        /* xErrmsg */
  lsmcPut,           /* xPut */
  lsmcDelete,        /* xDelete */
  lsmcGet,           /* xGet */
  lsmcBatchNew,      /* xBatchNew */
  lsmcBatchPut,      /* xBatchPut */
  lsmcBatchClear,    /* xBatchClear */
  lsmcWrite,         /* xWrite */
  lsmcBatchFree,     /* xBatchFree */
  lsmcIterNew,       /* xIterNew */
  lsmcIterFirst,     /* xIterFirst */
  lsmcIterSeek,      /* xIterSeek */
  lsmcIterValid,     /* xIterValid */
  lsmcIterNext,      /* xIterNext */
  lsmcIterKey,       /* xIterKey */
  lsmcIterValue,     /* xIterValue */
  lsmcIterClose,     /* xIterClose */
  lsmcCounters,      /* xCounters */
};
