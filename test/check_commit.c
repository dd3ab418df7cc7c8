/*
** check_commit.c -- the two-phase commit (lsmc_commit_prepare, _apply,
** _abort) and the memory reservation that makes the apply infallible
** (lsmcArenaReserve, lsmcMemtableReserve).
**
** Directed tests: allocations covered by a reservation succeed while
** every malloc fails (arena and memtable); a prepared batch is invisible
** to readers (other threads, snapshots, iterators) until the apply; an
** abort leaves nothing, also after reopen, and the sequence numbers are
** reused; a crash after the prepare recovers the record (sync=full) or
** loses all of it (sync=normal, power loss); a synced abort marker makes
** recovery skip the record; a marker that cannot be written is a sticky
** error; malloc failure injected at every call of the prepare (which also
** rotates and flushes the memtable) never makes the apply allocate, fail
** or crash; lsmc_write, lsmc_flush and another prepare wait while a commit
** is prepared, and the queued lsmc_write callers are then written as one
** group; the fsyncs and appends of each phase per sync mode; WAL files
** written by hand check the replay rules (a marker drops the record just
** before it, a stray marker is LSMC_CORRUPT).
**
** The model test runs LSMC_COMMIT_SEEDS seeds (default 50) of
** LSMC_COMMIT_TXNS transactions (default 500) mixing prepare+apply,
** prepare+abort and lsmc_write, with reopens, flushes, a 4 KiB memtable
** and both leveled and tiered compaction, and compares gets and full
** scans with a model.
*/
#include "lsmcore.h"
#include "arena.h"
#include "batch.h"
#include "coding.h"
#include "faultenv.h"
#include "memtable.h"
#include "testutil.h"
#include "wal_format.h"
#include "wal_writer.h"

#include <check.h>
#include <dirent.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static TestDir dir;

static void setup(void){ testDirNew(&dir, "commit"); }
static void teardown(void){ testDirFree(&dir); }

/* ------------------------------------------------------------ helpers */

/*
** Open zDir with a memtable of nMem bytes (0: default), an env (NULL:
** default), a sync mode and the background thread on or off.
*/
static lsmc_db *openAt(const char *zDir, lsmc_env *pEnv, int nMem, int eSync,
                       int bBackground, int *pRc){
  lsmc_options *pOpts = 0;
  lsmc_db *pDb = 0;
  ck_assert_int_eq(lsmc_options_new(&pOpts), LSMC_OK);
  if( nMem ) lsmc_options_set(pOpts, LSMC_OPT_MEMTABLE_SIZE, nMem);
  lsmc_options_set(pOpts, LSMC_OPT_SYNC, eSync);
  lsmc_options_set(pOpts, LSMC_OPT_BACKGROUND, bBackground);
  lsmc_options_set(pOpts, LSMC_OPT_BLOCK_SIZE, 512);
  if( pEnv ) lsmc_options_set_env(pOpts, pEnv);
  *pRc = lsmc_open(zDir, pOpts, &pDb);
  lsmc_options_free(pOpts);
  return pDb;
}

/* Open the test store; failure fails the test. */
static lsmc_db *openDb(lsmc_env *pEnv, int nMem, int eSync, int bBackground){
  int rc;
  lsmc_db *pDb = openAt(dir.zPath, pEnv, nMem, eSync, bBackground, &rc);
  ck_assert_msg(rc==LSMC_OK, "open: %s", lsmc_errmsg(pDb));
  return pDb;
}

static void putStr(lsmc_db *pDb, const char *zKey, const char *zVal){
  int rc = lsmc_put(pDb, zKey, strlen(zKey), zVal, strlen(zVal));
  ck_assert_msg(rc==LSMC_OK, "put %s: %s", zKey, lsmc_errmsg(pDb));
}

/* Assert that zKey holds zVal (NULL: absent) as of pSnap. */
static void checkGet(lsmc_db *pDb, const lsmc_snapshot *pSnap,
                     const char *zKey, const char *zVal){
  void *pVal = 0;
  size_t nVal = 0;
  int rc = lsmc_get(pDb, pSnap, zKey, strlen(zKey), &pVal, &nVal);
  if( zVal==0 ){
    ck_assert_msg(rc==LSMC_NOTFOUND, "get %s: rc=%d", zKey, rc);
  }else{
    ck_assert_msg(rc==LSMC_OK, "get %s: rc=%d %s", zKey, rc, lsmc_errmsg(pDb));
    ck_assert_msg(nVal==strlen(zVal) && memcmp(pVal, zVal, nVal)==0,
                  "get %s: wrong value", zKey);
  }
  lsmc_free(pDb, pVal);
}

static u64 lastSeq(lsmc_db *pDb){
  lsmc_stats st;
  ck_assert_int_eq(lsmc_stats_get(pDb, &st), LSMC_OK);
  return st.nLastSeq;
}

static u64 writeGroups(lsmc_db *pDb){
  lsmc_stats st;
  ck_assert_int_eq(lsmc_stats_get(pDb, &st), LSMC_OK);
  return st.nWriteGroup;
}

/* Number of keys an iterator over the whole store shows. */
static int countKeys(lsmc_db *pDb, const lsmc_snapshot *pSnap){
  lsmc_iter *pIter = 0;
  int n = 0;
  ck_assert_int_eq(lsmc_iter_open(pDb, pSnap, 0, 0, 0, 0, &pIter), LSMC_OK);
  ck_assert_int_eq(lsmc_iter_first(pIter), LSMC_OK);
  while( lsmc_iter_valid(pIter) ){
    n++;
    ck_assert_int_eq(lsmc_iter_next(pIter), LSMC_OK);
  }
  lsmc_iter_close(pIter);
  return n;
}

/* A batch of n puts "<zPrefix>NNN" -> "<zVal>NNN". */
static lsmc_batch *makeBatch(const char *zPrefix, const char *zVal, int n){
  lsmc_batch *pBatch = 0;
  int i;
  ck_assert_int_eq(lsmc_batch_new(&pBatch), LSMC_OK);
  for(i=0; i<n; i++){
    char zKey[64], zV[64];
    snprintf(zKey, sizeof(zKey), "%s%03d", zPrefix, i);
    snprintf(zV, sizeof(zV), "%s%03d", zVal, i);
    ck_assert_int_eq(lsmc_batch_put(pBatch, zKey, strlen(zKey), zV,
                                    strlen(zV)), LSMC_OK);
  }
  return pBatch;
}

/* Assert that the n keys of makeBatch(zPrefix, zVal, n) are all present
** (zVal) or all absent (zVal NULL). */
static void checkBatch(lsmc_db *pDb, const char *zPrefix, const char *zVal,
                       int n){
  int i;
  for(i=0; i<n; i++){
    char zKey[64], zV[64];
    snprintf(zKey, sizeof(zKey), "%s%03d", zPrefix, i);
    snprintf(zV, sizeof(zV), "%s%03d", zVal ? zVal : "", i);
    checkGet(pDb, 0, zKey, zVal ? zV : 0);
  }
}

/* How many of the n keys of makeBatch(zPrefix, ...) are present. */
static int countBatch(lsmc_db *pDb, const char *zPrefix, int n){
  int i, nFound = 0;
  for(i=0; i<n; i++){
    char zKey[64];
    void *pVal = 0;
    size_t nVal;
    snprintf(zKey, sizeof(zKey), "%s%03d", zPrefix, i);
    if( lsmc_get(pDb, 0, zKey, strlen(zKey), &pVal, &nVal)==LSMC_OK ) nFound++;
    lsmc_free(pDb, pVal);
  }
  return nFound;
}

static void msleep(int nMs){ usleep((useconds_t)nMs * 1000); }

/* -------------------------------------------------------- reservation */

/*
** Allocate from pArena random sizes (small, and now and then one beyond a
** quarter block) whose lsmcArenaCost() totals at most nTotal, filling each
** with a pattern; then check every pattern.  Every allocation must
** succeed (the caller made malloc fail).
*/
static void arenaFill(Arena *pArena, TestRng *pRng, size_t nTotal){
  u8 *ap[4096];
  size_t an[4096];
  size_t nUsed = 0;
  int n = 0, i;
  while( n<4096 ){
    size_t nReq = testRngBelow(pRng, 8)==0 ? 17000 + testRngBelow(pRng, 9000)
                                            : testRngBelow(pRng, 300);
    if( nUsed + lsmcArenaCost(nReq) > nTotal ){
      nReq = nTotal - nUsed;            /* the exact remainder, once */
      if( nReq==0 || lsmcArenaCost(nReq)!=nReq ) break;
    }
    ap[n] = lsmcArenaAlloc(pArena, nReq);
    ck_assert_msg(ap[n]!=0, "alloc of %zu failed after %zu of %zu reserved",
                  nReq, nUsed, nTotal);
    ck_assert_uint_eq((uintptr_t)ap[n] % 8, 0);
    an[n] = nReq;
    memset(ap[n], n & 0xff, nReq);
    nUsed += lsmcArenaCost(nReq);
    n++;
  }
  for(i=0; i<n; i++){
    size_t j = 0;                       /* one check per allocation: fast */
    while( j<an[i] && ap[i][j]==(u8)(i & 0xff) ) j++;
    ck_assert_msg(j==an[i], "allocation %d: byte %zu overwritten", i, j);
  }
}

START_TEST(test_arena_reserve){
  static const size_t aReserve[] = { 8, 1000, 16384, 60000, 65528, 65536,
                                     200000, 1000000 };
  FaultEnv *pFault = 0;
  TestRng rng;
  unsigned i;
  int iPre;
  ck_assert_int_eq(faultenvNew(lsmc_default_env(), &pFault), LSMC_OK);
  testRngSeed(&rng, 7);
  ck_assert_uint_eq(lsmcArenaCost(0), 8);
  ck_assert_uint_eq(lsmcArenaCost(1), 8);
  ck_assert_uint_eq(lsmcArenaCost(9), 16);
  for(i=0; i<sizeof(aReserve)/sizeof(aReserve[0]); i++){
    /* Before the reservation: an empty arena, a current block nearly full,
    ** a current block half full. */
    for(iPre=0; iPre<3; iPre++){
      Arena *pArena = 0;
      size_t nBefore;
      ck_assert_int_eq(lsmcArenaNew(faultenvEnv(pFault), &pArena), LSMC_OK);
      if( iPre==1 ) ck_assert_ptr_nonnull(lsmcArenaAlloc(pArena, 65000));
      if( iPre==1 ) ck_assert_ptr_nonnull(lsmcArenaAlloc(pArena, 16000));
      if( iPre==2 ) ck_assert_ptr_nonnull(lsmcArenaAlloc(pArena, 30000));
      /* A reservation that cannot get memory fails and changes nothing. */
      faultenvMallocFail(pFault, 1, 1);
      nBefore = lsmcArenaUsage(pArena);
      if( aReserve[i]>65536 ){
        ck_assert_int_eq(lsmcArenaReserve(pArena, aReserve[i]), LSMC_NOMEM);
        ck_assert_uint_eq(lsmcArenaUsage(pArena), nBefore);
      }
      faultenvClearFaults(pFault);
      ck_assert_int_eq(lsmcArenaReserve(pArena, aReserve[i]), LSMC_OK);
      faultenvMallocFail(pFault, 1, 1);
      arenaFill(pArena, &rng, aReserve[i]);
      faultenvClearFaults(pFault);
      lsmcArenaFree(pArena);
    }
  }
  /* The current block and a leftover reserve together hold 32,528 bytes,
  ** neither alone 25,000: a reservation of 25,000 must allocate, or two
  ** requests of 12,000 would find no room. */
  {
    Arena *pArena = 0;
    ck_assert_int_eq(lsmcArenaNew(faultenvEnv(pFault), &pArena), LSMC_OK);
    ck_assert_int_eq(lsmcArenaReserve(pArena, 100000), LSMC_OK);
    ck_assert_ptr_nonnull(lsmcArenaAlloc(pArena, 75000));   /* reserve */
    ck_assert_ptr_nonnull(lsmcArenaAlloc(pArena, 16000));   /* reserve */
    ck_assert_ptr_nonnull(lsmcArenaAlloc(pArena, 10000));   /* new block */
    ck_assert_ptr_nonnull(lsmcArenaAlloc(pArena, 16000));
    ck_assert_ptr_nonnull(lsmcArenaAlloc(pArena, 16000));
    ck_assert_int_eq(lsmcArenaReserve(pArena, 25000), LSMC_OK);
    faultenvMallocFail(pFault, 1, 1);
    ck_assert_ptr_nonnull(lsmcArenaAlloc(pArena, 12000));
    ck_assert_ptr_nonnull(lsmcArenaAlloc(pArena, 12000));
    faultenvClearFaults(pFault);
    lsmcArenaFree(pArena);
  }
  /* A reservation the current block already covers allocates nothing. */
  {
    Arena *pArena = 0;
    u64 nMalloc;
    ck_assert_int_eq(lsmcArenaNew(faultenvEnv(pFault), &pArena), LSMC_OK);
    ck_assert_ptr_nonnull(lsmcArenaAlloc(pArena, 100));
    nMalloc = faultenvCount(pFault, FAULT_OP_MALLOC);
    ck_assert_int_eq(lsmcArenaReserve(pArena, 1000), LSMC_OK);
    ck_assert_uint_eq(faultenvCount(pFault, FAULT_OP_MALLOC), nMalloc);
    lsmcArenaFree(pArena);
  }
  faultenvFree(pFault);
}
END_TEST

START_TEST(test_memtable_reserve){
  FaultEnv *pFault = 0;
  MemTable *pMem = 0;
  TestRng rng;
  int iRound, i;
  ck_assert_int_eq(faultenvNew(lsmc_default_env(), &pFault), LSMC_OK);
  ck_assert_int_eq(lsmcMemtableNew(faultenvEnv(pFault), &pMem), LSMC_OK);
  testRngSeed(&rng, 11);
  /* The cost covers the entry and the tallest node, rounded. */
  ck_assert_uint_ge(lsmcMemtableAddCost(3, 5), 8 + 8*13);
  for(iRound=0; iRound<20; iRound++){
    static u8 aVal[40000];
    int nEntry = 1 + (int)testRngBelow(&rng, 300);
    size_t anVal[300];
    size_t nCost = 0;
    for(i=0; i<nEntry; i++){
      anVal[i] = testRngBelow(&rng, 10)==0 ? 20000 + testRngBelow(&rng, 20000)
                                           : testRngBelow(&rng, 200);
      nCost += lsmcMemtableAddCost(10, anVal[i]);
    }
    ck_assert_int_eq(lsmcMemtableReserve(pMem, nCost), LSMC_OK);
    faultenvMallocFail(pFault, 1, 1);
    for(i=0; i<nEntry; i++){
      char zKey[16];
      snprintf(zKey, sizeof(zKey), "r%02dk%06d", iRound, i);
      memset(aVal, i & 0xff, anVal[i]);
      ck_assert_int_eq(lsmcMemtableAdd(pMem, (u64)(iRound*1000 + i + 1),
                                       LSMC_KIND_PUT, (const u8*)zKey, 10,
                                       aVal, anVal[i]), LSMC_OK);
    }
    faultenvClearFaults(pFault);
    for(i=0; i<nEntry; i++){
      char zKey[16];
      int eKind = -1;
      const u8 *pVal = 0;
      size_t nVal = 0;
      snprintf(zKey, sizeof(zKey), "r%02dk%06d", iRound, i);
      ck_assert_int_eq(lsmcMemtableGet(pMem, (const u8*)zKey, 10, 1u<<30,
                                       &eKind, &pVal, &nVal), LSMC_OK);
      ck_assert_int_eq(eKind, LSMC_KIND_PUT);
      ck_assert_uint_eq(nVal, anVal[i]);
      ck_assert(nVal==0 || (pVal[0]==(u8)(i & 0xff)
                            && pVal[nVal-1]==(u8)(i & 0xff)));
    }
  }
  lsmcMemtableUnref(pMem);
  faultenvFree(pFault);
}
END_TEST

/* ------------------------------------------------------- visibility */

/* A reader thread: what it saw while a commit was prepared. */
typedef struct ReaderArg ReaderArg;
struct ReaderArg {
  lsmc_db *pDb;          /* Shared handle */
  int rcOld;             /* lsmc_get of "k0" */
  char zOld[16];         /* ... its value */
  int rcNew;             /* lsmc_get of "k1" */
  int nKey;              /* Keys an iterator showed */
};

static void *readerThread(void *pArg){
  ReaderArg *p = (ReaderArg*)pArg;
  void *pVal = 0;
  size_t nVal = 0;
  lsmc_iter *pIter = 0;
  p->rcOld = lsmc_get(p->pDb, 0, "k0", 2, &pVal, &nVal);
  if( p->rcOld==LSMC_OK && nVal<sizeof(p->zOld) ){
    memcpy(p->zOld, pVal, nVal);
  }
  lsmc_free(p->pDb, pVal);
  pVal = 0;
  p->rcNew = lsmc_get(p->pDb, 0, "k1", 2, &pVal, &nVal);
  lsmc_free(p->pDb, pVal);
  if( lsmc_iter_open(p->pDb, 0, 0, 0, 0, 0, &pIter)==LSMC_OK
   && lsmc_iter_first(pIter)==LSMC_OK ){
    while( lsmc_iter_valid(pIter) ){
      p->nKey++;
      if( lsmc_iter_next(pIter) ) break;
    }
  }
  lsmc_iter_close(pIter);
  return 0;
}

START_TEST(test_apply_visibility){
  lsmc_db *pDb = openDb(0, 0, LSMC_SYNC_NORMAL, 1);
  lsmc_snapshot *pSnap = 0;
  lsmc_batch *pBatch = 0;
  lsmc_commit *pCommit = 0;
  ReaderArg arg;
  pthread_t thread;
  u64 iSeq;
  putStr(pDb, "k0", "old");
  putStr(pDb, "k2", "x");
  iSeq = lastSeq(pDb);
  ck_assert_int_eq(lsmc_snapshot_get(pDb, &pSnap), LSMC_OK);
  ck_assert_int_eq(lsmc_batch_new(&pBatch), LSMC_OK);
  ck_assert_int_eq(lsmc_batch_put(pBatch, "k0", 2, "new", 3), LSMC_OK);
  ck_assert_int_eq(lsmc_batch_put(pBatch, "k1", 2, "v1", 2), LSMC_OK);
  ck_assert_int_eq(lsmc_batch_delete(pBatch, "k2", 2), LSMC_OK);

  ck_assert_int_eq(lsmc_commit_prepare(pDb, pBatch, LSMC_SYNC_DEFAULT,
                                       &pCommit), LSMC_OK);
  ck_assert_ptr_nonnull(pCommit);
  /* Readers, in this thread and another, do not wait and see nothing. */
  memset(&arg, 0, sizeof(arg));
  arg.pDb = pDb;
  pthread_create(&thread, 0, readerThread, &arg);
  pthread_join(thread, 0);
  ck_assert_int_eq(arg.rcOld, LSMC_OK);
  ck_assert_str_eq(arg.zOld, "old");
  ck_assert_int_eq(arg.rcNew, LSMC_NOTFOUND);
  ck_assert_int_eq(arg.nKey, 2);
  checkGet(pDb, 0, "k2", "x");
  ck_assert_uint_eq(lastSeq(pDb), iSeq);

  lsmc_commit_apply(pCommit);
  checkGet(pDb, 0, "k0", "new");
  checkGet(pDb, 0, "k1", "v1");
  checkGet(pDb, 0, "k2", 0);
  ck_assert_uint_eq(lastSeq(pDb), iSeq+3);
  ck_assert_int_eq(countKeys(pDb, 0), 2);
  /* The snapshot taken before still sees the old state. */
  checkGet(pDb, pSnap, "k0", "old");
  checkGet(pDb, pSnap, "k1", 0);
  checkGet(pDb, pSnap, "k2", "x");
  lsmc_snapshot_release(pDb, pSnap);
  lsmc_close(pDb);

  pDb = openDb(0, 0, LSMC_SYNC_NORMAL, 1);
  checkGet(pDb, 0, "k0", "new");
  checkGet(pDb, 0, "k1", "v1");
  checkGet(pDb, 0, "k2", 0);
  ck_assert_uint_eq(lastSeq(pDb), iSeq+3);
  lsmc_close(pDb);
  lsmc_batch_free(pBatch);

  /* NULL is a no-op; bad arguments are misuse. */
  lsmc_commit_apply(0);
  ck_assert_int_eq(lsmc_commit_abort(0), LSMC_OK);
}
END_TEST

START_TEST(test_abort_leaves_nothing){
  lsmc_db *pDb = openDb(0, 0, LSMC_SYNC_NORMAL, 1);
  lsmc_batch *pBatch = makeBatch("ab", "v", 20);
  lsmc_batch *pEmpty = 0;
  lsmc_commit *pCommit = 0;
  u64 iSeq;
  putStr(pDb, "ab000", "base");
  iSeq = lastSeq(pDb);

  ck_assert_int_eq(lsmc_commit_prepare(pDb, pBatch, LSMC_SYNC_NORMAL,
                                       &pCommit), LSMC_OK);
  ck_assert_int_eq(lsmc_commit_abort(pCommit), LSMC_OK);
  checkGet(pDb, 0, "ab000", "base");
  ck_assert_int_eq(countBatch(pDb, "ab", 20), 1);
  ck_assert_uint_eq(lastSeq(pDb), iSeq);
  /* The next write reuses the sequence numbers. */
  putStr(pDb, "after", "1");
  ck_assert_uint_eq(lastSeq(pDb), iSeq+1);
  checkGet(pDb, 0, "after", "1");
  /* And an abort as the last record of the WAL. */
  ck_assert_int_eq(lsmc_commit_prepare(pDb, pBatch, LSMC_SYNC_FULL,
                                       &pCommit), LSMC_OK);
  ck_assert_int_eq(lsmc_commit_abort(pCommit), LSMC_OK);
  lsmc_close(pDb);

  pDb = openDb(0, 0, LSMC_SYNC_NORMAL, 1);
  checkGet(pDb, 0, "ab000", "base");
  ck_assert_int_eq(countBatch(pDb, "ab", 20), 1);
  checkGet(pDb, 0, "after", "1");
  ck_assert_uint_eq(lastSeq(pDb), iSeq+1);
  ck_assert_int_eq(countKeys(pDb, 0), 2);

  /* An empty batch: the lock is taken and released, nothing written. */
  ck_assert_int_eq(lsmc_batch_new(&pEmpty), LSMC_OK);
  ck_assert_int_eq(lsmc_commit_prepare(pDb, pEmpty, LSMC_SYNC_FULL,
                                       &pCommit), LSMC_OK);
  lsmc_commit_apply(pCommit);
  ck_assert_int_eq(lsmc_commit_prepare(pDb, pEmpty, LSMC_SYNC_FULL,
                                       &pCommit), LSMC_OK);
  ck_assert_int_eq(lsmc_commit_abort(pCommit), LSMC_OK);
  ck_assert_uint_eq(lastSeq(pDb), iSeq+1);
  /* Misuse. */
  pCommit = (lsmc_commit*)pDb;
  ck_assert_int_eq(lsmc_commit_prepare(pDb, 0, LSMC_SYNC_FULL, &pCommit),
                   LSMC_MISUSE);
  ck_assert_ptr_null(pCommit);
  ck_assert_int_eq(lsmc_commit_prepare(pDb, pBatch, 7, &pCommit),
                   LSMC_MISUSE);
  ck_assert_int_eq(lsmc_commit_prepare(pDb, pBatch, LSMC_SYNC_FULL, 0),
                   LSMC_MISUSE);
  lsmc_close(pDb);
  lsmc_batch_free(pEmpty);
  lsmc_batch_free(pBatch);
}
END_TEST

/* ------------------------------------------------------------ crashes */

static const int aMode[3] = { FAULT_DROP_UNSYNCED, FAULT_TEAR, FAULT_ZERO };

/*
** Prepare a 30-entry batch with eSync, "kill the process" (dead switch),
** end the commit with bApply (apply, or abort, which then fails), close,
** simulate power loss in eMode, reopen and return how many of the batch's
** keys are present.  The base key, written with sync=full, must survive.
*/
static int crashAfterPrepare(int eSync, int bApply, int eMode, u32 seed){
  FaultEnv *pFault = 0;
  lsmc_db *pDb;
  lsmc_batch *pBatch = makeBatch("cr", "v", 30);
  lsmc_commit *pCommit = 0;
  int rc, nFound;
  TestDir d;
  testDirNew(&d, "commitcrash");
  ck_assert_int_eq(faultenvNew(lsmc_default_env(), &pFault), LSMC_OK);
  pDb = openAt(d.zPath, faultenvEnv(pFault), 0, eSync, 1, &rc);
  ck_assert_int_eq(rc, LSMC_OK);
  ck_assert_int_eq(lsmc_put(pDb, "base", 4, "b", 1), LSMC_OK);
  ck_assert_int_eq(lsmc_flush(pDb), LSMC_OK);
  ck_assert_int_eq(lsmc_commit_prepare(pDb, pBatch, eSync, &pCommit), LSMC_OK);
  faultenvSetDead(pFault, 1);
  if( bApply ){
    lsmc_commit_apply(pCommit);
    checkBatch(pDb, "cr", "v", 30);
  }else{
    ck_assert_int_eq(lsmc_commit_abort(pCommit), LSMC_IOERR);
  }
  lsmc_close(pDb);
  ck_assert_int_eq(faultenvCrash(pFault, eMode, seed), LSMC_OK);
  pDb = openAt(d.zPath, faultenvEnv(pFault), 0, eSync, 1, &rc);
  ck_assert_msg(rc==LSMC_OK, "reopen: %s", lsmc_errmsg(pDb));
  checkGet(pDb, 0, "base", "b");
  nFound = countBatch(pDb, "cr", 30);
  ck_assert_msg(nFound==0 || nFound==30, "partial batch: %d of 30", nFound);
  if( nFound ) checkBatch(pDb, "cr", "v", 30);
  lsmc_close(pDb);
  faultenvFree(pFault);
  testDirFree(&d);
  lsmc_batch_free(pBatch);
  return nFound;
}

START_TEST(test_crash_after_prepare){
  int i;
  for(i=0; i<3; i++){
    /* sync=full: the record was durable when prepare returned. */
    ck_assert_int_eq(crashAfterPrepare(LSMC_SYNC_FULL, 1, aMode[i], 1), 30);
    /* A dead process cannot write the marker: the record stays. */
    ck_assert_int_eq(crashAfterPrepare(LSMC_SYNC_FULL, 0, aMode[i], 2), 30);
  }
  /* sync=normal survives a process crash only: power loss drops it whole
  ** (dropped or zeroed bytes), or keeps it whole or not at all (torn). */
  ck_assert_int_eq(crashAfterPrepare(LSMC_SYNC_NORMAL, 1, FAULT_DROP_UNSYNCED,
                                     3), 0);
  ck_assert_int_eq(crashAfterPrepare(LSMC_SYNC_NORMAL, 1, FAULT_ZERO, 3), 0);
  for(i=0; i<8; i++){
    crashAfterPrepare(LSMC_SYNC_NORMAL, 1, FAULT_TEAR, (u32)i);
  }
}
END_TEST

START_TEST(test_abort_marker_synced){
  int i;
  for(i=0; i<3; i++){
    FaultEnv *pFault = 0;
    lsmc_db *pDb;
    lsmc_batch *pBatch = makeBatch("mk", "v", 25);
    lsmc_batch *pAfter = makeBatch("af", "w", 5);
    lsmc_commit *pCommit = 0;
    u64 nSync;
    ck_assert_int_eq(faultenvNew(lsmc_default_env(), &pFault), LSMC_OK);
    pDb = openDb(faultenvEnv(pFault), 0, LSMC_SYNC_FULL, 1);
    putStr(pDb, "base", "b");
    ck_assert_int_eq(lsmc_commit_prepare(pDb, pBatch, LSMC_SYNC_FULL,
                                         &pCommit), LSMC_OK);
    nSync = faultenvCount(pFault, FAULT_OP_SYNC);
    ck_assert_int_eq(lsmc_commit_abort(pCommit), LSMC_OK);
    ck_assert_uint_eq(faultenvCount(pFault, FAULT_OP_SYNC), nSync+1);
    if( i==1 ){
      /* A later synced write reuses the aborted sequence numbers. */
      ck_assert_int_eq(lsmc_write(pDb, pAfter, LSMC_SYNC_FULL), LSMC_OK);
    }
    faultenvSetDead(pFault, 1);
    lsmc_close(pDb);
    ck_assert_int_eq(faultenvCrash(pFault, aMode[i], 5), LSMC_OK);
    pDb = openDb(faultenvEnv(pFault), 0, LSMC_SYNC_FULL, 1);
    checkGet(pDb, 0, "base", "b");
    ck_assert_int_eq(countBatch(pDb, "mk", 25), 0);
    if( i==1 ) checkBatch(pDb, "af", "w", 5);
    ck_assert_int_eq(countKeys(pDb, 0), i==1 ? 6 : 1);
    lsmc_close(pDb);
    faultenvFree(pFault);
    lsmc_batch_free(pBatch);
    lsmc_batch_free(pAfter);
    testDirFree(&dir);
    testDirNew(&dir, "commit");
  }
}
END_TEST

START_TEST(test_abort_marker_fails_sticky){
  FaultEnv *pFault = 0;
  lsmc_db *pDb;
  lsmc_batch *pBatch = makeBatch("st", "v", 10);
  lsmc_commit *pCommit = 0;
  int i;
  ck_assert_int_eq(faultenvNew(lsmc_default_env(), &pFault), LSMC_OK);
  pDb = openDb(faultenvEnv(pFault), 0, LSMC_SYNC_NORMAL, 1);
  putStr(pDb, "base", "b");
  ck_assert_int_eq(lsmc_commit_prepare(pDb, pBatch, LSMC_SYNC_NORMAL,
                                       &pCommit), LSMC_OK);
  faultenvFailNth(pFault, FAULT_MASK(FAULT_OP_APPEND), 1, LSMC_IOERR, 0);
  ck_assert_int_eq(lsmc_commit_abort(pCommit), LSMC_IOERR);
  ck_assert_ptr_nonnull(strstr(lsmc_errmsg(pDb), "abort"));
  /* The fault was transient, the error sticks. */
  for(i=0; i<10; i++){
    ck_assert_int_eq(lsmc_put(pDb, "later", 5, "x", 1), LSMC_IOERR);
  }
  pCommit = (lsmc_commit*)pDb;
  ck_assert_int_eq(lsmc_commit_prepare(pDb, pBatch, LSMC_SYNC_NORMAL,
                                       &pCommit), LSMC_IOERR);
  ck_assert_ptr_null(pCommit);
  /* Nothing of the batch is visible in this process. */
  ck_assert_int_eq(countBatch(pDb, "st", 10), 0);
  checkGet(pDb, 0, "base", "b");
  lsmc_close(pDb);
  /* The record reached the file (write() succeeded) but no marker could
  ** follow it: the abort cut the WAL back to before the record
  ** (lsmcWalDropTail), so a reopen does not replay the aborted batch. */
  faultenvClearFaults(pFault);
  pDb = openDb(faultenvEnv(pFault), 0, LSMC_SYNC_NORMAL, 1);
  ck_assert_int_eq(countBatch(pDb, "st", 10), 0);
  checkGet(pDb, 0, "base", "b");
  checkGet(pDb, 0, "later", 0);
  putStr(pDb, "after", "a");
  lsmc_close(pDb);
  faultenvFree(pFault);
  lsmc_batch_free(pBatch);
}
END_TEST

/* --------------------------------------------------------------- OOM */

/*
** One run of the OOM sweep: a store whose memtable is full (the prepare
** rotates it and, without a background thread, flushes it inline), the
** nth malloc of the prepare failing.  Returns 1 if nothing was injected
** (the sweep is done).
*/
static int oomRun(FaultEnv *pFault, lsmc_batch *pBatch, u64 nth,
                  int *pnFailed){
  lsmc_db *pDb;
  lsmc_commit *pCommit = 0;
  lsmc_stats st;
  char aVal[1000];
  int rc, i = 0;
  int bApplied = 0;
  u64 nInjected;
  TestDir d;
  testDirNew(&d, "commitoom");
  memset(aVal, 'o', sizeof(aVal));
  pDb = openAt(d.zPath, faultenvEnv(pFault), 64*1024, LSMC_SYNC_NORMAL, 0, &rc);
  ck_assert_int_eq(rc, LSMC_OK);
  do{
    char zKey[16];
    snprintf(zKey, sizeof(zKey), "base%03d", i++);
    ck_assert_int_eq(lsmc_put(pDb, zKey, strlen(zKey), aVal, sizeof(aVal)),
                     LSMC_OK);
    ck_assert_int_eq(lsmc_stats_get(pDb, &st), LSMC_OK);
  }while( st.nMemtableBytes<64*1024 );

  nInjected = faultenvInjected(pFault);
  faultenvMallocFail(pFault, nth, 0);
  rc = lsmc_commit_prepare(pDb, pBatch, LSMC_SYNC_NORMAL, &pCommit);
  faultenvClearFaults(pFault);
  if( rc==LSMC_OK ){
    u64 nMalloc = faultenvCount(pFault, FAULT_OP_MALLOC);
    u64 nRealloc = faultenvCount(pFault, FAULT_OP_REALLOC);
    /* Every allocation fails now: the apply must not even try one. */
    faultenvMallocFail(pFault, 1, 1);
    lsmc_commit_apply(pCommit);
    faultenvClearFaults(pFault);
    ck_assert_uint_eq(faultenvCount(pFault, FAULT_OP_MALLOC), nMalloc);
    ck_assert_uint_eq(faultenvCount(pFault, FAULT_OP_REALLOC), nRealloc);
    ck_assert_int_eq(countBatch(pDb, "oom", 40), 40);
    bApplied = 1;
  }else{
    ck_assert_msg(rc==LSMC_NOMEM, "nth %llu: prepare rc=%d",
                  (unsigned long long)nth, rc);
    ck_assert_ptr_null(pCommit);
    ck_assert_int_eq(countBatch(pDb, "oom", 40), 0);
    (*pnFailed)++;
  }
  lsmc_close(pDb);
  pDb = openAt(d.zPath, faultenvEnv(pFault), 64*1024, LSMC_SYNC_NORMAL, 0, &rc);
  ck_assert_msg(rc==LSMC_OK, "nth %llu: reopen: %s", (unsigned long long)nth,
                lsmc_errmsg(pDb));
  ck_assert_int_eq(countBatch(pDb, "oom", 40), bApplied ? 40 : 0);
  ck_assert_int_eq(countBatch(pDb, "base", i), i);
  lsmc_close(pDb);
  testDirFree(&d);
  return faultenvInjected(pFault)==nInjected;
}

START_TEST(test_oom_apply_never_fails){
  FaultEnv *pFault = 0;
  lsmc_batch *pBatch = 0;
  static char aBig[30000];
  u64 nth;
  int nFailed = 0;
  int i;
  ck_assert_int_eq(faultenvNew(lsmc_default_env(), &pFault), LSMC_OK);
  ck_assert_int_eq(lsmc_batch_new(&pBatch), LSMC_OK);
  memset(aBig, 'B', sizeof(aBig));
  for(i=0; i<40; i++){
    char zKey[16];
    snprintf(zKey, sizeof(zKey), "oom%03d", i);
    /* Sizes that need a block of their own and many small entries. */
    ck_assert_int_eq(lsmc_batch_put(pBatch, zKey, strlen(zKey), aBig,
                                    i%10==0 ? sizeof(aBig) : (size_t)(i*37)),
                     LSMC_OK);
  }
  for(nth=1; nth<5000; nth++){
    if( oomRun(pFault, pBatch, nth, &nFailed) ) break;
  }
  ck_assert_uint_lt(nth, 5000);
  ck_assert_int_gt(nFailed, 10);
  printf("check_commit: OOM sweep: %d of %llu prepares failed cleanly, "
         "every apply made no allocation\n", nFailed, (unsigned long long)nth);
  lsmc_batch_free(pBatch);
  faultenvFree(pFault);
}
END_TEST

/* ------------------------------------------------------ other writers */

/* A thread making one call that must wait for a prepared commit. */
typedef struct WaitArg WaitArg;
struct WaitArg {
  lsmc_db *pDb;          /* Shared handle */
  int eCall;             /* WAIT_WRITE, WAIT_FLUSH, WAIT_PREPARE */
  int iThread;           /* Its number, for its keys */
  atomic_int *pnStarted; /* Incremented just before the call */
  atomic_int bDone;      /* Set when the call returned */
  int rc;                /* What it returned */
};
#define WAIT_WRITE    0
#define WAIT_FLUSH    1
#define WAIT_PREPARE  2

static void *waitThread(void *pArg){
  WaitArg *p = (WaitArg*)pArg;
  lsmc_batch *pBatch = 0;
  char zKey[16], zVal[16];
  snprintf(zKey, sizeof(zKey), "t%d", p->iThread);
  snprintf(zVal, sizeof(zVal), "thread %d", p->iThread);
  lsmc_batch_new(&pBatch);
  lsmc_batch_put(pBatch, zKey, strlen(zKey), zVal, strlen(zVal));
  lsmc_batch_put(pBatch, "w", 1, zVal, strlen(zVal));
  atomic_fetch_add(p->pnStarted, 1);
  switch( p->eCall ){
    case WAIT_WRITE:
      p->rc = lsmc_write(p->pDb, pBatch, LSMC_SYNC_NORMAL);
      break;
    case WAIT_FLUSH:
      p->rc = lsmc_flush(p->pDb);
      break;
    default: {
      lsmc_commit *pCommit = 0;
      p->rc = lsmc_commit_prepare(p->pDb, pBatch, LSMC_SYNC_NORMAL, &pCommit);
      atomic_store(&p->bDone, 1);
      if( p->rc==LSMC_OK ) lsmc_commit_apply(pCommit);
      break;
    }
  }
  atomic_store(&p->bDone, 1);
  lsmc_batch_free(pBatch);
  return 0;
}

/* Start n threads making eCall; return when all are about to call. */
static void waitStart(lsmc_db *pDb, WaitArg *aArg, pthread_t *aThread,
                      int n, int eCall, int iFirst, atomic_int *pnStarted){
  int i;
  for(i=0; i<n; i++){
    memset(&aArg[i], 0, sizeof(aArg[i]));
    aArg[i].pDb = pDb;
    aArg[i].eCall = eCall;
    aArg[i].iThread = iFirst + i;
    aArg[i].pnStarted = pnStarted;
    atomic_init(&aArg[i].bDone, 0);
    pthread_create(&aThread[i], 0, waitThread, &aArg[i]);
  }
  while( atomic_load(pnStarted)<iFirst+n ) msleep(1);
  msleep(200);                        /* let them reach the queue */
}

START_TEST(test_writers_wait){
  lsmc_db *pDb = openDb(0, 0, LSMC_SYNC_NORMAL, 1);
  lsmc_batch *pBatch = 0;
  lsmc_commit *pCommit = 0;
  WaitArg aArg[4];
  pthread_t aThread[4];
  atomic_int nStarted;
  u64 nGroup;
  int i;
  atomic_init(&nStarted, 0);
  ck_assert_int_eq(lsmc_batch_new(&pBatch), LSMC_OK);
  ck_assert_int_eq(lsmc_batch_put(pBatch, "w", 1, "prepared", 8), LSMC_OK);
  ck_assert_int_eq(lsmc_batch_put(pBatch, "p", 1, "1", 1), LSMC_OK);

  /* Four lsmc_write callers wait behind a prepared commit... */
  ck_assert_int_eq(lsmc_commit_prepare(pDb, pBatch, LSMC_SYNC_NORMAL,
                                       &pCommit), LSMC_OK);
  waitStart(pDb, aArg, aThread, 4, WAIT_WRITE, 0, &nStarted);
  for(i=0; i<4; i++) ck_assert_int_eq(atomic_load(&aArg[i].bDone), 0);
  checkGet(pDb, 0, "t0", 0);
  checkGet(pDb, 0, "w", 0);
  nGroup = writeGroups(pDb);
  /* ... and proceed after the apply, after it, as one commit group. */
  lsmc_commit_apply(pCommit);
  for(i=0; i<4; i++){
    pthread_join(aThread[i], 0);
    ck_assert_int_eq(aArg[i].rc, LSMC_OK);
    checkGet(pDb, 0, i==0 ? "t0" : i==1 ? "t1" : i==2 ? "t2" : "t3",
             i==0 ? "thread 0" : i==1 ? "thread 1" : i==2 ? "thread 2"
                                                       : "thread 3");
  }
  checkGet(pDb, 0, "p", "1");
  ck_assert_uint_eq(writeGroups(pDb), nGroup+1);
  {
    void *pVal = 0;
    size_t nVal = 0;
    ck_assert_int_eq(lsmc_get(pDb, 0, "w", 1, &pVal, &nVal), LSMC_OK);
    ck_assert(nVal==8 && memcmp(pVal, "thread ", 7)==0);
    lsmc_free(pDb, pVal);
  }

  /* lsmc_flush waits too, and then flushes the applied batch. */
  ck_assert_int_eq(lsmc_batch_put(pBatch, "q", 1, "2", 1), LSMC_OK);
  ck_assert_int_eq(lsmc_commit_prepare(pDb, pBatch, LSMC_SYNC_NORMAL,
                                       &pCommit), LSMC_OK);
  waitStart(pDb, aArg, aThread, 1, WAIT_FLUSH, 4, &nStarted);
  ck_assert_int_eq(atomic_load(&aArg[0].bDone), 0);
  lsmc_commit_apply(pCommit);
  pthread_join(aThread[0], 0);
  ck_assert_int_eq(aArg[0].rc, LSMC_OK);
  {
    lsmc_stats st;
    ck_assert_int_eq(lsmc_stats_get(pDb, &st), LSMC_OK);
    ck_assert_uint_eq(st.nMemtableBytes, 0);
    ck_assert_uint_ge(st.nFlush, 1);
  }
  checkGet(pDb, 0, "q", "2");

  /* Another prepare waits for the abort of the first. */
  ck_assert_int_eq(lsmc_commit_prepare(pDb, pBatch, LSMC_SYNC_NORMAL,
                                       &pCommit), LSMC_OK);
  waitStart(pDb, aArg, aThread, 1, WAIT_PREPARE, 5, &nStarted);
  ck_assert_int_eq(atomic_load(&aArg[0].bDone), 0);
  ck_assert_int_eq(lsmc_commit_abort(pCommit), LSMC_OK);
  pthread_join(aThread[0], 0);
  ck_assert_int_eq(aArg[0].rc, LSMC_OK);
  checkGet(pDb, 0, "t5", "thread 5");
  checkGet(pDb, 0, "w", "thread 5");
  lsmc_close(pDb);
  lsmc_batch_free(pBatch);
}
END_TEST

/* -------------------------------------------------------- sync modes */

START_TEST(test_sync_modes){
  static const int aSync[4] = { LSMC_SYNC_OFF, LSMC_SYNC_NORMAL,
                                LSMC_SYNC_FULL, LSMC_SYNC_DEFAULT };
  FaultEnv *pFault = 0;
  lsmc_db *pDb;
  lsmc_batch *pBatch = makeBatch("sy", "v", 5);
  int i, bApply;
  ck_assert_int_eq(faultenvNew(lsmc_default_env(), &pFault), LSMC_OK);
  /* The store's own mode is full: DEFAULT syncs. */
  pDb = openDb(faultenvEnv(pFault), 0, LSMC_SYNC_FULL, 1);
  for(i=0; i<4; i++){
    for(bApply=0; bApply<2; bApply++){
      int bSync = (aSync[i]==LSMC_SYNC_FULL || aSync[i]==LSMC_SYNC_DEFAULT);
      lsmc_commit *pCommit = 0;
      lsmc_stats st0, st1;
      u64 nSync = faultenvCount(pFault, FAULT_OP_SYNC);
      u64 nAppend = faultenvCount(pFault, FAULT_OP_APPEND);
      ck_assert_int_eq(lsmc_stats_get(pDb, &st0), LSMC_OK);
      ck_assert_int_eq(lsmc_commit_prepare(pDb, pBatch, aSync[i], &pCommit),
                       LSMC_OK);
      ck_assert_uint_eq(faultenvCount(pFault, FAULT_OP_SYNC), nSync+bSync);
      ck_assert_uint_eq(faultenvCount(pFault, FAULT_OP_APPEND), nAppend+1);
      if( bApply ){
        lsmc_commit_apply(pCommit);
        ck_assert_uint_eq(faultenvCount(pFault, FAULT_OP_SYNC), nSync+bSync);
        ck_assert_uint_eq(faultenvCount(pFault, FAULT_OP_APPEND), nAppend+1);
      }else{
        ck_assert_int_eq(lsmc_commit_abort(pCommit), LSMC_OK);
        ck_assert_uint_eq(faultenvCount(pFault, FAULT_OP_SYNC),
                          nSync+2*bSync);
        ck_assert_uint_eq(faultenvCount(pFault, FAULT_OP_APPEND), nAppend+2);
      }
      ck_assert_int_eq(lsmc_stats_get(pDb, &st1), LSMC_OK);
      ck_assert_uint_eq(st1.nWalSync - st0.nWalSync,
                        (u64)(bApply ? bSync : 2*bSync));
      ck_assert_uint_eq(st1.nPut - st0.nPut, bApply ? 5 : 0);
    }
  }
  lsmc_close(pDb);
  faultenvFree(pFault);
  lsmc_batch_free(pBatch);
}
END_TEST

/* ----------------------------------------------------- replay rules */

/* Find the largest-numbered .log file of zDir; its path into zOut. */
static void lastWal(const char *zDir, char *zOut, size_t nOut){
  DIR *d = opendir(zDir);
  struct dirent *pEnt;
  char zBest[64] = "";
  ck_assert_ptr_nonnull(d);
  while( (pEnt = readdir(d))!=0 ){
    size_t n = strlen(pEnt->d_name);
    if( n>4 && strcmp(&pEnt->d_name[n-4], ".log")==0
     && strcmp(pEnt->d_name, zBest)>0 && n<sizeof(zBest) ){
      strcpy(zBest, pEnt->d_name);
    }
  }
  closedir(d);
  ck_assert(zBest[0]!=0);
  snprintf(zOut, nOut, "%s/%s", zDir, zBest);
}

/* One record of a hand-made WAL: a batch of puts of its keys, or (zKeys
** NULL) an abort marker for (iSeq, nCount). */
typedef struct HandRecord HandRecord;
struct HandRecord {
  u64 iSeq;              /* Sequence of the first entry */
  const char *zKeys;     /* One-letter keys, or NULL for a marker */
  u32 nCount;            /* Marker: the count it names */
};

/*
** Make a store, close it, replace its active WAL by the records aRec,
** and reopen it: return the rc of the open and, through zSeen, the keys
** the store then holds (in order).
*/
static int replayHand(const HandRecord *aRec, int nRec, char *zSeen){
  lsmc_db *pDb;
  WalWriter *pWal = 0;
  char zWal[600];
  int rc, i;
  TestDir d;
  testDirNew(&d, "commitwal");
  pDb = openAt(d.zPath, 0, 0, LSMC_SYNC_NORMAL, 1, &rc);
  ck_assert_int_eq(rc, LSMC_OK);
  lsmc_close(pDb);
  lastWal(d.zPath, zWal, sizeof(zWal));
  ck_assert_int_eq(lsmcWalWriterOpen(lsmc_default_env(), zWal, &pWal), LSMC_OK);
  for(i=0; i<nRec; i++){
    if( aRec[i].zKeys ){
      lsmc_batch batch;
      const char *z;
      ck_assert_int_eq(lsmcBatchInit(&batch, lsmc_default_env()), LSMC_OK);
      for(z=aRec[i].zKeys; *z; z++){
        ck_assert_int_eq(lsmc_batch_put(&batch, z, 1, "v", 1), LSMC_OK);
      }
      lsmcBatchSetSeq(&batch, aRec[i].iSeq);
      ck_assert_int_eq(lsmcWalAddRecord(pWal, batch.rep.a, batch.rep.n),
                       LSMC_OK);
      lsmcBatchFinish(&batch);
    }else{
      u8 aMark[LSMC_WAL_ABORT_SIZE];
      lsmcPut64(aMark, LSMC_WAL_ABORT_TAG);
      lsmcPut64(&aMark[8], aRec[i].iSeq);
      lsmcPut32(&aMark[16], aRec[i].nCount);
      ck_assert_int_eq(lsmcWalAddRecord(pWal, aMark, sizeof(aMark)), LSMC_OK);
    }
  }
  ck_assert_int_eq(lsmcWalSync(pWal), LSMC_OK);
  lsmcWalWriterClose(pWal);

  zSeen[0] = 0;
  pDb = openAt(d.zPath, 0, 0, LSMC_SYNC_NORMAL, 1, &rc);
  if( rc==LSMC_OK ){
    lsmc_iter *pIter = 0;
    int n = 0;
    ck_assert_int_eq(lsmc_iter_open(pDb, 0, 0, 0, 0, 0, &pIter), LSMC_OK);
    ck_assert_int_eq(lsmc_iter_first(pIter), LSMC_OK);
    while( lsmc_iter_valid(pIter) ){
      size_t nKey;
      const char *zKey = lsmc_iter_key(pIter, &nKey);
      zSeen[n++] = zKey[0];
      ck_assert_int_eq(lsmc_iter_next(pIter), LSMC_OK);
    }
    zSeen[n] = 0;
    lsmc_iter_close(pIter);
  }
  lsmc_close(pDb);
  testDirFree(&d);
  return rc;
}

START_TEST(test_replay_markers){
  char zSeen[64];
  {
    /* A marker drops the record before it; its numbers are reused. */
    HandRecord a[] = {
      { 1, "ab", 0 }, { 1, 0, 2 }, { 1, "c", 0 }, { 2, "d", 0 },
      { 2, 0, 1 }, { 2, "e", 0 }, { 3, "fg", 0 }, { 3, 0, 2 },
    };
    ck_assert_int_eq(replayHand(a, 8, zSeen), LSMC_OK);
    ck_assert_str_eq(zSeen, "ce");
  }
  {
    HandRecord a[] = { { 1, "ab", 0 }, { 3, "c", 0 } };
    ck_assert_int_eq(replayHand(a, 2, zSeen), LSMC_OK);
    ck_assert_str_eq(zSeen, "abc");
  }
  {
    /* Stray markers: wrong sequence, wrong count, no record, twice. */
    HandRecord a1[] = { { 1, "ab", 0 }, { 2, 0, 2 } };
    HandRecord a2[] = { { 1, "ab", 0 }, { 1, 0, 1 } };
    HandRecord a3[] = { { 1, 0, 1 } };
    HandRecord a4[] = { { 1, "ab", 0 }, { 1, 0, 2 }, { 1, 0, 2 } };
    ck_assert_int_eq(replayHand(a1, 2, zSeen), LSMC_CORRUPT);
    ck_assert_int_eq(replayHand(a2, 2, zSeen), LSMC_CORRUPT);
    ck_assert_int_eq(replayHand(a3, 1, zSeen), LSMC_CORRUPT);
    ck_assert_int_eq(replayHand(a4, 3, zSeen), LSMC_CORRUPT);
  }
}
END_TEST

/* ------------------------------------------------------------- model */

#define MODEL_NKEY  64          /* Keys in the model's domain */

/* The model: the committed value of every key, or NULL. */
typedef struct Model Model;
struct Model {
  char *az[MODEL_NKEY];  /* Committed values (malloc'd) */
};

static void modelSet(Model *p, int iKey, const char *zVal){
  free(p->az[iKey]);
  p->az[iKey] = zVal ? strdup(zVal) : 0;
}

static void modelKey(int iKey, char *zKey){
  snprintf(zKey, 16, "key%03d", iKey);
}

/* Compare lsmc_get of key iKey with the model; return 0 if equal. */
static int modelCheckKey(lsmc_db *pDb, const Model *p, int iKey){
  char zKey[16];
  void *pVal = 0;
  size_t nVal = 0;
  int rc, bOk;
  modelKey(iKey, zKey);
  rc = lsmc_get(pDb, 0, zKey, strlen(zKey), &pVal, &nVal);
  if( p->az[iKey]==0 ){
    bOk = (rc==LSMC_NOTFOUND);
  }else{
    bOk = rc==LSMC_OK && nVal==strlen(p->az[iKey])
       && memcmp(pVal, p->az[iKey], nVal)==0;
  }
  lsmc_free(pDb, pVal);
  return bOk ? 0 : 1;
}

/* Compare a full scan with the model; return 0 if equal. */
static int modelCheckScan(lsmc_db *pDb, const Model *p){
  lsmc_iter *pIter = 0;
  int iKey = 0;
  int nBad = 0;
  ck_assert_int_eq(lsmc_iter_open(pDb, 0, 0, 0, 0, 0, &pIter), LSMC_OK);
  ck_assert_int_eq(lsmc_iter_first(pIter), LSMC_OK);
  while( lsmc_iter_valid(pIter) ){
    size_t nKey, nVal;
    const void *pKey = lsmc_iter_key(pIter, &nKey);
    const void *pVal = lsmc_iter_value(pIter, &nVal);
    char zKey[16];
    while( iKey<MODEL_NKEY && p->az[iKey]==0 ) iKey++;
    if( iKey>=MODEL_NKEY ){ nBad++; break; }
    modelKey(iKey, zKey);
    if( nKey!=strlen(zKey) || memcmp(pKey, zKey, nKey)!=0
     || nVal!=strlen(p->az[iKey]) || memcmp(pVal, p->az[iKey], nVal)!=0 ){
      nBad++;
      break;
    }
    iKey++;
    ck_assert_int_eq(lsmc_iter_next(pIter), LSMC_OK);
  }
  while( iKey<MODEL_NKEY && p->az[iKey]==0 ) iKey++;
  if( iKey<MODEL_NKEY ) nBad++;
  lsmc_iter_close(pIter);
  return nBad;
}

/* Counts of one model run. */
typedef struct ModelStat ModelStat;
struct ModelStat {
  int nApply, nAbort, nWrite, nReopen, nFlush;  /* Actions */
  int nCheck;                                   /* Comparisons made */
};

static lsmc_db *modelOpen(const char *zDir, int iSeed){
  lsmc_options *pOpts = 0;
  lsmc_db *pDb = 0;
  int rc;
  lsmc_options_new(&pOpts);
  lsmc_options_set(pOpts, LSMC_OPT_MEMTABLE_SIZE, 4096);
  lsmc_options_set(pOpts, LSMC_OPT_BLOCK_SIZE, 256);
  lsmc_options_set(pOpts, LSMC_OPT_L0_TRIGGER, 2);
  lsmc_options_set(pOpts, LSMC_OPT_BACKGROUND, iSeed%2);
  lsmc_options_set(pOpts, LSMC_OPT_COMPACTION, (iSeed/2)%2
                   ? LSMC_COMPACTION_TIERED : LSMC_COMPACTION_LEVELED);
  rc = lsmc_open(zDir, pOpts, &pDb);
  lsmc_options_free(pOpts);
  ck_assert_msg(rc==LSMC_OK, "seed %d: open: %s", iSeed, lsmc_errmsg(pDb));
  return pDb;
}

/*
** One seed: nTxn random transactions.  Each builds a batch of 1..8 puts
** and deletes (a key may repeat: the later entry wins) and commits it by
** prepare+apply, prepare+abort or lsmc_write; now and then the store is
** flushed or closed and reopened.  While a commit is prepared the keys
** must still read as committed.
*/
static void modelRun(int iSeed, int nTxn, ModelStat *pStat){
  Model m;
  TestRng rng;
  lsmc_db *pDb;
  lsmc_batch *pBatch = 0;
  TestDir d;
  int iTxn, i;
  memset(&m, 0, sizeof(m));
  testRngSeed(&rng, (u64)iSeed*7919 + 1);
  testDirNew(&d, "commitmodel");
  pDb = modelOpen(d.zPath, iSeed);
  ck_assert_int_eq(lsmc_batch_new(&pBatch), LSMC_OK);
  for(iTxn=0; iTxn<nTxn; iTxn++){
    char *azNew[MODEL_NKEY];
    int abSet[MODEL_NKEY];
    int nOp = 1 + (int)testRngBelow(&rng, 8);
    int eAction = (int)testRngBelow(&rng, 100);
    int eSync = testRngBelow(&rng, 20)==0 ? LSMC_SYNC_FULL
              : (int)testRngBelow(&rng, 2);
    memset(abSet, 0, sizeof(abSet));
    lsmc_batch_clear(pBatch);
    for(i=0; i<nOp; i++){
      int iKey = (int)testRngBelow(&rng, MODEL_NKEY);
      char zKey[16];
      modelKey(iKey, zKey);
      if( abSet[iKey] ) free(azNew[iKey]);
      abSet[iKey] = 1;
      if( testRngBelow(&rng, 4)==0 ){
        azNew[iKey] = 0;
        ck_assert_int_eq(lsmc_batch_delete(pBatch, zKey, strlen(zKey)),
                         LSMC_OK);
      }else{
        char zVal[300];
        int nPad = (int)testRngBelow(&rng, 200);
        int n = snprintf(zVal, sizeof(zVal), "s%d-t%d-%d-", iSeed, iTxn, i);
        memset(&zVal[n], 'a' + (iTxn % 26), (size_t)nPad);
        zVal[n+nPad] = 0;
        azNew[iKey] = strdup(zVal);
        ck_assert_int_eq(lsmc_batch_put(pBatch, zKey, strlen(zKey), zVal,
                                        strlen(zVal)), LSMC_OK);
      }
    }

    if( eAction<65 ){
      lsmc_commit *pCommit = 0;
      int rc = lsmc_commit_prepare(pDb, pBatch, eSync, &pCommit);
      ck_assert_msg(rc==LSMC_OK, "seed %d txn %d: prepare: %s", iSeed, iTxn,
                    lsmc_errmsg(pDb));
      for(i=0; i<2; i++){
        int iKey = (int)testRngBelow(&rng, MODEL_NKEY);
        ck_assert_msg(modelCheckKey(pDb, &m, iKey)==0,
                      "seed %d txn %d: prepared batch visible", iSeed, iTxn);
        pStat->nCheck++;
      }
      if( eAction<40 ){
        lsmc_commit_apply(pCommit);
        pStat->nApply++;
      }else{
        ck_assert_int_eq(lsmc_commit_abort(pCommit), LSMC_OK);
        pStat->nAbort++;
      }
    }else{
      ck_assert_int_eq(lsmc_write(pDb, pBatch, eSync), LSMC_OK);
      pStat->nWrite++;
    }
    for(i=0; i<MODEL_NKEY; i++){
      if( !abSet[i] ) continue;
      if( eAction<65 && eAction>=40 ){
        free(azNew[i]);
      }else{
        free(m.az[i]);
        m.az[i] = azNew[i];
      }
    }

    if( testRngBelow(&rng, 100)<4 ){
      lsmc_close(pDb);
      pDb = modelOpen(d.zPath, iSeed);
      pStat->nReopen++;
      ck_assert_msg(modelCheckScan(pDb, &m)==0, "seed %d txn %d: scan after "
                    "reopen differs", iSeed, iTxn);
      pStat->nCheck++;
    }else if( testRngBelow(&rng, 100)<2 ){
      ck_assert_int_eq(lsmc_flush(pDb), LSMC_OK);
      pStat->nFlush++;
    }
    for(i=0; i<3; i++){
      int iKey = (int)testRngBelow(&rng, MODEL_NKEY);
      ck_assert_msg(modelCheckKey(pDb, &m, iKey)==0,
                    "seed %d txn %d: key %d differs", iSeed, iTxn, iKey);
      pStat->nCheck++;
    }
    if( iTxn%50==49 ){
      ck_assert_msg(modelCheckScan(pDb, &m)==0, "seed %d txn %d: scan differs",
                    iSeed, iTxn);
      pStat->nCheck++;
    }
  }
  lsmc_close(pDb);
  pDb = modelOpen(d.zPath, iSeed);
  ck_assert_msg(modelCheckScan(pDb, &m)==0, "seed %d: final scan differs",
                iSeed);
  pStat->nCheck++;
  lsmc_close(pDb);
  lsmc_batch_free(pBatch);
  for(i=0; i<MODEL_NKEY; i++) modelSet(&m, i, 0);
  testDirFree(&d);
}

static int envInt(const char *zName, int iDefault){
  const char *z = getenv(zName);
  return (z && z[0]) ? atoi(z) : iDefault;
}

START_TEST(test_model){
  int nSeed = envInt("LSMC_COMMIT_SEEDS", 50);
  int nTxn = envInt("LSMC_COMMIT_TXNS", 500);
  ModelStat st;
  int iSeed;
  memset(&st, 0, sizeof(st));
  for(iSeed=1; iSeed<=nSeed; iSeed++) modelRun(iSeed, nTxn, &st);
  printf("check_commit: model: %d seeds x %d txns: %d applied, %d aborted, "
         "%d lsmc_write, %d reopens, %d flushes, %d checks, 0 mismatches\n",
         nSeed, nTxn, st.nApply, st.nAbort, st.nWrite, st.nReopen, st.nFlush,
         st.nCheck);
}
END_TEST

int main(void){
  Suite *s = suite_create("commit");
  TCase *tc = tcase_create("commit");
  SRunner *sr;
  int nFail;
  tcase_add_checked_fixture(tc, setup, teardown);
  tcase_set_timeout(tc, 600);
  tcase_add_test(tc, test_arena_reserve);
  tcase_add_test(tc, test_memtable_reserve);
  tcase_add_test(tc, test_apply_visibility);
  tcase_add_test(tc, test_abort_leaves_nothing);
  tcase_add_test(tc, test_crash_after_prepare);
  tcase_add_test(tc, test_abort_marker_synced);
  tcase_add_test(tc, test_abort_marker_fails_sticky);
  tcase_add_test(tc, test_oom_apply_never_fails);
  tcase_add_test(tc, test_writers_wait);
  tcase_add_test(tc, test_sync_modes);
  tcase_add_test(tc, test_replay_markers);
  tcase_add_test(tc, test_model);
  suite_add_tcase(s, tc);
  sr = srunner_create(s);
  srunner_run_all(sr, CK_NORMAL);
  nFail = srunner_ntests_failed(sr);
  srunner_free(sr);
  return nFail ? EXIT_FAILURE : EXIT_SUCCESS;
}
