/*
** engine_rocksdb.c -- the RocksDB backend of db_bench (bench_engine.h),
** through RocksDB's C API (rocksdb/c.h).  Compiled only when HAVE_ROCKSDB
** is defined (librocksdb-dev installed); otherwise this file is empty.
**
** Settings, from the shared BenchEngineOpts, and nothing else: compression
** off (rocksdb_no_compression), a block-based table with an LRU block
** cache of nCache bytes, a full bloom filter of nBloomBits bits per key
** and blocks of nBlock bytes, write_buffer_size = nMemtable,
** max_open_files 1000.  Every other RocksDB option keeps its default
** (leveled compaction, two memtables, its own background job count): the
** point is RocksDB as shipped, not a tuned RocksDB.  Ordinary writes are
** synced only when eSync is 2 (full).
**
** The C API hands out objects with these owners: the filter policy given
** to rocksdb_block_based_options_set_filter_policy belongs to the table
** options from then on; the block cache is shared (our handle is freed at
** close, the cache lives while RocksDB holds it).  A RocksDB handle is
** thread-safe, so xAttach returns the main handle.  Gets use
** rocksdb_get_pinned, RocksDB's cheapest point read (no copy when the
** block is cached); the pinned slice is released at once.  Error strings
** of the C API are copied into the BenchDb and freed.
*/
#ifdef HAVE_ROCKSDB
#include "bench_engine.h"

#include <rocksdb/c.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define RDB_MAX_OPEN_FILES 1000    /* max_open_files, as for LevelDB */

#ifndef ROCKSDB_VERSION_STR
# define ROCKSDB_VERSION_STR "unknown (build without -DROCKSDB_VERSION_STR)"
#endif

/* An open RocksDB store and the objects its options refer to. */
struct BenchDb {
  rocksdb_t *pDb;                            /* The store */
  rocksdb_options_t *pOpts;                  /* Open options */
  rocksdb_block_based_table_options_t *pTable; /* Table options */
  rocksdb_cache_t *pCache;                   /* Block cache (LRU) */
  rocksdb_readoptions_t *pRead;              /* Default read options */
  rocksdb_writeoptions_t *pWrite;            /* Ordinary writes */
  rocksdb_writeoptions_t *pSync;             /* Synced writes */
  char zErr[512];                            /* Last error message */
};

/* An iterator and the store it reads. */
struct BenchIter {
  rocksdb_iterator_t *pIter;       /* RocksDB's iterator */
  BenchDb *pDb;                    /* Where errors go */
};

/* The version: the C API has none; the build passes the package's. */
static void rdbVersion(char *zBuf, size_t nBuf){
  snprintf(zBuf, nBuf, "%s", ROCKSDB_VERSION_STR);
}

/*
** If zApi is an error string of the C API, copy it to p->zErr, free it and
** return 1; else return 0.
*/
static int rdbError(BenchDb *p, char *zApi){
  if( zApi==0 ) return 0;
  snprintf(p->zErr, sizeof(p->zErr), "%s", zApi);
  rocksdb_free(zApi);
  return 1;
}

/* Free p and everything it holds (the store closed first).  NULL: no-op. */
static void rdbFree(BenchDb *p){
  if( p==0 ) return;
  if( p->pDb ) rocksdb_close(p->pDb);
  if( p->pOpts ) rocksdb_options_destroy(p->pOpts);
  if( p->pTable ) rocksdb_block_based_options_destroy(p->pTable);
  if( p->pCache ) rocksdb_cache_destroy(p->pCache);
  if( p->pRead ) rocksdb_readoptions_destroy(p->pRead);
  if( p->pWrite ) rocksdb_writeoptions_destroy(p->pWrite);
  if( p->pSync ) rocksdb_writeoptions_destroy(p->pSync);
  free(p);
}

/* xOpen: the settings of the file comment, then rocksdb_open. */
static int rdbOpen(const BenchEngineOpts *pOpts, const char *zDir,
                   BenchDb **ppDb, char *zErr, size_t nErr){
  BenchDb *p = calloc(1, sizeof(*p));
  char *zApi = 0;
  *ppDb = 0;
  if( p==0 ){
    snprintf(zErr, nErr, "out of memory");
    return 1;
  }
  p->pOpts = rocksdb_options_create();
  p->pTable = rocksdb_block_based_options_create();
  p->pCache = rocksdb_cache_create_lru((size_t)pOpts->nCache);
  p->pRead = rocksdb_readoptions_create();
  p->pWrite = rocksdb_writeoptions_create();
  p->pSync = rocksdb_writeoptions_create();

  rocksdb_block_based_options_set_block_cache(p->pTable, p->pCache);
  rocksdb_block_based_options_set_filter_policy(p->pTable,
      rocksdb_filterpolicy_create_bloom_full(pOpts->nBloomBits));
  rocksdb_block_based_options_set_block_size(p->pTable,
                                             (size_t)pOpts->nBlock);
  rocksdb_options_set_block_based_table_factory(p->pOpts, p->pTable);
  rocksdb_options_set_create_if_missing(p->pOpts, 1);
  rocksdb_options_set_compression(p->pOpts, rocksdb_no_compression);
  rocksdb_options_set_write_buffer_size(p->pOpts, (size_t)pOpts->nMemtable);
  rocksdb_options_set_max_open_files(p->pOpts, RDB_MAX_OPEN_FILES);
  rocksdb_writeoptions_set_sync(p->pWrite, pOpts->eSync==2);
  rocksdb_writeoptions_set_sync(p->pSync, 1);

  p->pDb = rocksdb_open(p->pOpts, zDir, &zApi);
  if( rdbError(p, zApi) ){
    snprintf(zErr, nErr, "rocksdb_open(%s): %s", zDir, p->zErr);
    p->pDb = 0;
    rdbFree(p);
    return 1;
  }
  *ppDb = p;
  return 0;
}

/* xAttach: the handle is thread-safe; share it. */
static int rdbAttach(BenchDb *pMain, BenchDb **ppThread){
  *ppThread = pMain;
  return 0;
}

/* xDetach: nothing to undo. */
static void rdbDetach(BenchDb *pMain, BenchDb *pThread){
  (void)pMain;
  (void)pThread;
}

/* xClose */
static int rdbClose(BenchDb *p){
  rdbFree(p);
  return 0;
}

/* xErrmsg */
static const char *rdbErrmsg(BenchDb *p){
  return p->zErr;
}

/* xPut: synced only if eSync is full. */
static int rdbPut(BenchDb *p, const void *pKey, size_t nKey,
                  const void *pVal, size_t nVal){
  char *zApi = 0;
  rocksdb_put(p->pDb, p->pWrite, pKey, nKey, pVal, nVal, &zApi);
  return rdbError(p, zApi);
}

/* xDelete */
static int rdbDelete(BenchDb *p, const void *pKey, size_t nKey){
  char *zApi = 0;
  rocksdb_delete(p->pDb, p->pWrite, pKey, nKey, &zApi);
  return rdbError(p, zApi);
}

/* xGet: rocksdb_get_pinned (NULL when absent), released at once. */
static int rdbGet(BenchDb *p, const void *pKey, size_t nKey, size_t *pnVal){
  char *zApi = 0;
  rocksdb_pinnableslice_t *pVal;
  pVal = rocksdb_get_pinned(p->pDb, p->pRead, pKey, nKey, &zApi);
  if( rdbError(p, zApi) ) return -1;
  if( pVal==0 ) return BENCH_MISSING;
  rocksdb_pinnableslice_value(pVal, pnVal);
  rocksdb_pinnableslice_destroy(pVal);
  return BENCH_FOUND;
}

/* xBatchNew */
static int rdbBatchNew(BenchDb *p, BenchBatch **ppBatch){
  (void)p;
  *ppBatch = (BenchBatch*)rocksdb_writebatch_create();
  return *ppBatch==0;
}

/* xBatchPut */
static int rdbBatchPut(BenchBatch *pBatch, const void *pKey, size_t nKey,
                       const void *pVal, size_t nVal){
  rocksdb_writebatch_put((rocksdb_writebatch_t*)pBatch, pKey, nKey,
                         pVal, nVal);
  return 0;
}

/* xBatchClear */
static void rdbBatchClear(BenchBatch *pBatch){
  rocksdb_writebatch_clear((rocksdb_writebatch_t*)pBatch);
}

/* xWrite: the sync write options if bSync, else the ordinary ones. */
static int rdbWrite(BenchDb *p, BenchBatch *pBatch, int bSync){
  char *zApi = 0;
  rocksdb_write(p->pDb, bSync ? p->pSync : p->pWrite,
                (rocksdb_writebatch_t*)pBatch, &zApi);
  return rdbError(p, zApi);
}

/* xBatchFree */
static void rdbBatchFree(BenchBatch *pBatch){
  if( pBatch ) rocksdb_writebatch_destroy((rocksdb_writebatch_t*)pBatch);
}

/* xIterNew */
static int rdbIterNew(BenchDb *p, BenchIter **ppIter){
  BenchIter *pIter = calloc(1, sizeof(*pIter));
  *ppIter = pIter;
  if( pIter==0 ){
    snprintf(p->zErr, sizeof(p->zErr), "out of memory");
    return 1;
  }
  pIter->pDb = p;
  pIter->pIter = rocksdb_create_iterator(p->pDb, p->pRead);
  return 0;
}

/* After a move: non-zero, with the message, if the iterator failed. */
static int rdbIterStatus(BenchIter *pIter){
  char *zApi = 0;
  if( rocksdb_iter_valid(pIter->pIter) ) return 0;
  rocksdb_iter_get_error(pIter->pIter, &zApi);
  return rdbError(pIter->pDb, zApi);
}

/* xIterFirst */
static int rdbIterFirst(BenchIter *pIter){
  rocksdb_iter_seek_to_first(pIter->pIter);
  return rdbIterStatus(pIter);
}

/* xIterSeek: the first key >= pKey. */
static int rdbIterSeek(BenchIter *pIter, const void *pKey, size_t nKey){
  rocksdb_iter_seek(pIter->pIter, pKey, nKey);
  return rdbIterStatus(pIter);
}

/* xIterValid */
static int rdbIterValid(BenchIter *pIter){
  return rocksdb_iter_valid(pIter->pIter);
}

/* xIterNext */
static int rdbIterNext(BenchIter *pIter){
  rocksdb_iter_next(pIter->pIter);
  return rdbIterStatus(pIter);
}

/* xIterKey */
static const void *rdbIterKey(BenchIter *pIter, size_t *pnKey){
  return rocksdb_iter_key(pIter->pIter, pnKey);
}

/* xIterValue */
static const void *rdbIterValue(BenchIter *pIter, size_t *pnVal){
  return rocksdb_iter_value(pIter->pIter, pnVal);
}

/* xIterClose */
static void rdbIterClose(BenchIter *pIter){
  if( pIter==0 ) return;
  rocksdb_iter_destroy(pIter->pIter);
  free(pIter);
}

const BenchEngine benchEngineRocksdb = {
  "rocksdb",         /* zName */
  rdbVersion,        /* xVersion */
  rdbOpen,           /* xOpen */
  rdbAttach,         /* xAttach */
  rdbDetach,         /* xDetach */
  rdbClose,          /* xClose */
  rdbErrmsg,         /* xErrmsg */
  rdbPut,            /* xPut */
  rdbDelete,         /* xDelete */
  rdbGet,            /* xGet */
  rdbBatchNew,       /* xBatchNew */
  rdbBatchPut,       /* xBatchPut */
  rdbBatchClear,     /* xBatchClear */
  rdbWrite,          /* xWrite */
  rdbBatchFree,      /* xBatchFree */
  rdbIterNew,        /* xIterNew */
  rdbIterFirst,      /* xIterFirst */
  rdbIterSeek,       /* xIterSeek */
  rdbIterValid,      /* xIterValid */
  rdbIterNext,       /* xIterNext */
  rdbIterKey,        /* xIterKey */
  rdbIterValue,      /* xIterValue */
  rdbIterClose,      /* xIterClose */
  0,                 /* xCounters: none */
};

#else
/* ISO C forbids an empty translation unit. */
typedef int benchNoRocksdb;
#endif /* HAVE_ROCKSDB */
