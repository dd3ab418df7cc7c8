/*
** engine_leveldb.c -- the LevelDB backend of db_bench (bench_engine.h),
** through LevelDB's C API (leveldb/c.h).  Compiled only when HAVE_LEVELDB
** is defined (libleveldb-dev installed); otherwise this file is empty.
**
** Settings, from the shared BenchEngineOpts: compression off
** (leveldb_no_compression), a bloom filter of nBloomBits bits per key, an
** LRU block cache of nCache bytes, write_buffer_size = nMemtable,
** block_size = nBlock, max_open_files 1000, and block checksums verified
** on every read (leveldb_readoptions_set_verify_checksums: LevelDB's
** default is off, lsmcore and RocksDB always verify, so all three do the
** same work).  Ordinary writes are synced
** only when eSync is 2 (full); off and normal both mean "written to the
** log with write(), not fsynced", which is what LevelDB does without
** sync.  Every other LevelDB setting keeps its default.
**
** A LevelDB handle is thread-safe, so xAttach returns the main handle and
** xDetach does nothing.  Gets use leveldb_get, which returns a malloc'd
** copy of the value, freed at once with leveldb_free.  An error string of
** the C API is copied into the BenchDb (zErr) and freed; xErrmsg returns
** the copy.  The copy is shared by the threads of one handle, which only
** matters on an error, after which db_bench exits.
*/
#ifdef HAVE_LEVELDB
#include "bench_engine.h"

#include <leveldb/c.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define LDB_MAX_OPEN_FILES 1000    /* max_open_files, as in the brief */

/* An open LevelDB store and the objects its options refer to. */
struct BenchDb {
  leveldb_t *pDb;                  /* The store */
  leveldb_options_t *pOpts;        /* Open options */
  leveldb_cache_t *pCache;         /* Block cache (LRU) */
  leveldb_filterpolicy_t *pFilter; /* Bloom filter policy */
  leveldb_readoptions_t *pRead;    /* Default read options */
  leveldb_writeoptions_t *pWrite;  /* Ordinary writes */
  leveldb_writeoptions_t *pSync;   /* Synced writes */
  char zErr[512];                  /* Last error message */
};

/* An iterator and the store it reads. */
struct BenchIter {
  leveldb_iterator_t *pIter;       /* LevelDB's iterator */
  BenchDb *pDb;                    /* Where errors go */
};

/* "major.minor" of the LevelDB library linked in. */
static void ldbVersion(char *zBuf, size_t nBuf){
  snprintf(zBuf, nBuf, "%d.%d", leveldb_major_version(),
           leveldb_minor_version());
}

/*
** If zApi is an error string of the C API, copy it to p->zErr, free it and
** return 1; else return 0.
*/
static int ldbError(BenchDb *p, char *zApi){
  if( zApi==0 ) return 0;
  snprintf(p->zErr, sizeof(p->zErr), "%s", zApi);
  leveldb_free(zApi);
  return 1;
}

/* Free p and everything it holds (the store closed first).  NULL: no-op. */
static void ldbFree(BenchDb *p){
  if( p==0 ) return;
  if( p->pDb ) leveldb_close(p->pDb);
  if( p->pOpts ) leveldb_options_destroy(p->pOpts);
  if( p->pCache ) leveldb_cache_destroy(p->pCache);
  if( p->pFilter ) leveldb_filterpolicy_destroy(p->pFilter);
  if( p->pRead ) leveldb_readoptions_destroy(p->pRead);
  if( p->pWrite ) leveldb_writeoptions_destroy(p->pWrite);
  if( p->pSync ) leveldb_writeoptions_destroy(p->pSync);
  free(p);
}

/* xOpen: the settings of the file comment, then leveldb_open. */
static int ldbOpen(const BenchEngineOpts *pOpts, const char *zDir,
                   BenchDb **ppDb, char *zErr, size_t nErr){
  BenchDb *p = calloc(1, sizeof(*p));
  char *zApi = 0;
  *ppDb = 0;
  if( p==0 ){
    snprintf(zErr, nErr, "out of memory");
    return 1;
  }
  p->pOpts = leveldb_options_create();
  p->pCache = leveldb_cache_create_lru((size_t)pOpts->nCache);
  p->pFilter = leveldb_filterpolicy_create_bloom(pOpts->nBloomBits);
  p->pRead = leveldb_readoptions_create();
  leveldb_readoptions_set_verify_checksums(p->pRead, 1);
  p->pWrite = leveldb_writeoptions_create();
  p->pSync = leveldb_writeoptions_create();
  leveldb_options_set_create_if_missing(p->pOpts, 1);
  leveldb_options_set_compression(p->pOpts, leveldb_no_compression);
  leveldb_options_set_filter_policy(p->pOpts, p->pFilter);
  leveldb_options_set_cache(p->pOpts, p->pCache);
  leveldb_options_set_write_buffer_size(p->pOpts, (size_t)pOpts->nMemtable);
  leveldb_options_set_block_size(p->pOpts, (size_t)pOpts->nBlock);
  leveldb_options_set_max_open_files(p->pOpts, LDB_MAX_OPEN_FILES);
  leveldb_writeoptions_set_sync(p->pWrite, pOpts->eSync==2);
  leveldb_writeoptions_set_sync(p->pSync, 1);

  p->pDb = leveldb_open(p->pOpts, zDir, &zApi);
  if( ldbError(p, zApi) ){
    snprintf(zErr, nErr, "leveldb_open(%s): %s", zDir, p->zErr);
    p->pDb = 0;
    ldbFree(p);
    return 1;
  }
  *ppDb = p;
  return 0;
}

/* xAttach: the handle is thread-safe; share it. */
static int ldbAttach(BenchDb *pMain, BenchDb **ppThread){
  *ppThread = pMain;
  return 0;
}

/* xDetach: nothing to undo. */
static void ldbDetach(BenchDb *pMain, BenchDb *pThread){
  (void)pMain;
  (void)pThread;
}

/* xClose */
static int ldbClose(BenchDb *p){
  ldbFree(p);
  return 0;
}

/* xErrmsg */
static const char *ldbErrmsg(BenchDb *p){
  return p->zErr;
}

/* xPut: synced only if eSync is full. */
static int ldbPut(BenchDb *p, const void *pKey, size_t nKey,
                  const void *pVal, size_t nVal){
  char *zApi = 0;
  leveldb_put(p->pDb, p->pWrite, pKey, nKey, pVal, nVal, &zApi);
  return ldbError(p, zApi);
}

/* xDelete */
static int ldbDelete(BenchDb *p, const void *pKey, size_t nKey){
  char *zApi = 0;
  leveldb_delete(p->pDb, p->pWrite, pKey, nKey, &zApi);
  return ldbError(p, zApi);
}

/* xGet: leveldb_get returns a malloc'd copy; free it at once. */
static int ldbGet(BenchDb *p, const void *pKey, size_t nKey, size_t *pnVal){
  char *zApi = 0;
  char *pVal = leveldb_get(p->pDb, p->pRead, pKey, nKey, pnVal, &zApi);
  if( ldbError(p, zApi) ) return -1;
  if( pVal==0 ) return BENCH_MISSING;
  leveldb_free(pVal);
  return BENCH_FOUND;
}

/* xBatchNew */
static int ldbBatchNew(BenchDb *p, BenchBatch **ppBatch){
  (void)p;
  *ppBatch = (BenchBatch*)leveldb_writebatch_create();
  return *ppBatch==0;
}

/* xBatchPut */
static int ldbBatchPut(BenchBatch *pBatch, const void *pKey, size_t nKey,
                       const void *pVal, size_t nVal){
  leveldb_writebatch_put((leveldb_writebatch_t*)pBatch, pKey, nKey,
                         pVal, nVal);
  return 0;
}

/* xBatchClear */
static void ldbBatchClear(BenchBatch *pBatch){
  leveldb_writebatch_clear((leveldb_writebatch_t*)pBatch);
}

/* xWrite: the sync write options if bSync, else the ordinary ones. */
static int ldbWrite(BenchDb *p, BenchBatch *pBatch, int bSync){
  char *zApi = 0;
  leveldb_write(p->pDb, bSync ? p->pSync : p->pWrite,
                (leveldb_writebatch_t*)pBatch, &zApi);
  return ldbError(p, zApi);
}

/* xBatchFree */
static void ldbBatchFree(BenchBatch *pBatch){
  if( pBatch ) leveldb_writebatch_destroy((leveldb_writebatch_t*)pBatch);
}

/* xIterNew */
static int ldbIterNew(BenchDb *p, BenchIter **ppIter){
  BenchIter *pIter = calloc(1, sizeof(*pIter));
  *ppIter = pIter;
  if( pIter==0 ){
    snprintf(p->zErr, sizeof(p->zErr), "out of memory");
    return 1;
  }
  pIter->pDb = p;
  pIter->pIter = leveldb_create_iterator(p->pDb, p->pRead);
  return 0;
}

/* After a move: non-zero, with the message, if the iterator failed. */
static int ldbIterStatus(BenchIter *pIter){
  char *zApi = 0;
  if( leveldb_iter_valid(pIter->pIter) ) return 0;
  leveldb_iter_get_error(pIter->pIter, &zApi);
  return ldbError(pIter->pDb, zApi);
}

/* xIterFirst */
static int ldbIterFirst(BenchIter *pIter){
  leveldb_iter_seek_to_first(pIter->pIter);
  return ldbIterStatus(pIter);
}

/* xIterSeek: the first key >= pKey. */
static int ldbIterSeek(BenchIter *pIter, const void *pKey, size_t nKey){
  leveldb_iter_seek(pIter->pIter, pKey, nKey);
  return ldbIterStatus(pIter);
}

/* xIterValid */
static int ldbIterValid(BenchIter *pIter){
  return leveldb_iter_valid(pIter->pIter);
}

/* xIterNext */
static int ldbIterNext(BenchIter *pIter){
  leveldb_iter_next(pIter->pIter);
  return ldbIterStatus(pIter);
}

/* xIterKey */
static const void *ldbIterKey(BenchIter *pIter, size_t *pnKey){
  return leveldb_iter_key(pIter->pIter, pnKey);
}

/* xIterValue */
static const void *ldbIterValue(BenchIter *pIter, size_t *pnVal){
  return leveldb_iter_value(pIter->pIter, pnVal);
}

/* xIterClose */
static void ldbIterClose(BenchIter *pIter){
  if( pIter==0 ) return;
  leveldb_iter_destroy(pIter->pIter);
  free(pIter);
}

const BenchEngine benchEngineLeveldb = {
  "leveldb",         /* zName */
  ldbVersion,        /* xVersion */
  ldbOpen,           /* xOpen */
  ldbAttach,         /* xAttach */
  ldbDetach,         /* xDetach */
  ldbClose,          /* xClose */
  ldbErrmsg,         /* xErrmsg */
  ldbPut,            /* xPut */
  ldbDelete,         /* xDelete */
  ldbGet,            /* xGet */
  ldbBatchNew,       /* xBatchNew */
  ldbBatchPut,       /* xBatchPut */
  ldbBatchClear,     /* xBatchClear */
  ldbWrite,          /* xWrite */
  ldbBatchFree,      /* xBatchFree */
  ldbIterNew,        /* xIterNew */
  ldbIterFirst,      /* xIterFirst */
  ldbIterSeek,       /* xIterSeek */
  ldbIterValid,      /* xIterValid */
  ldbIterNext,       /* xIterNext */
  ldbIterKey,        /* xIterKey */
  ldbIterValue,      /* xIterValue */
  ldbIterClose,      /* xIterClose */
  0,                 /* xCounters: none */
};

#else
/* ISO C forbids an empty translation unit. */
typedef int benchNoLeveldb;
#endif /* HAVE_LEVELDB */
