/*
** check_crash.c -- crash recovery through the whole engine.
**
** test_torn_wal_tail: a store whose WAL holds N one-record writes (the
**   last three straddling a 32 KiB WAL block boundary) is copied and its
**   WAL truncated at EVERY byte offset inside the last three records, and
**   separately zero-filled over them; every copy must open without error
**   and hold exactly the writes wholly before the cut.
**
** test_crash_every_sync: a deterministic workload (batches of puts and
**   deletes, a 4 KiB memtable so flushes, manifest edits and WAL rotations
**   and compactions happen: leveled for the sync=full sweep, tiered for
**   sync=normal) runs through the fault-injecting env, which "kills the
**   process" right after the k-th sync (for every k, including the syncs
**   of the store's creation) and then simulates power loss in each of
**   three damage modes (drop unsynced bytes, tear them, zero them).  The
**   store must reopen, and its contents must equal the model after some
**   prefix of the writes; with sync=full the prefix includes every
**   acknowledged write.  After recovery a new write and a reopen must
**   work too (sequence numbers continue above the recovered ones).
*/
#include "lsmcore.h"
#include "faultenv.h"
#include "testutil.h"

#include <check.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define CRASH_NKEY   40        /* Keys of the crash workload */

/*
** Every crash point and every cut is tried by default; env
** LSMC_CRASH_STRIDE=s tries every s-th only (the quick profile under
** valgrind, hygiene.sh).
*/
static unsigned crashStride(void){
  const char *z = getenv("LSMC_CRASH_STRIDE");
  return (z && atoi(z)>0) ? (unsigned)atoi(z) : 1;
}
#define CRASH_NWRITE 120       /* Writes (batches) of the crash workload */

static lsmc_db *crashOpenMem(const char *zDir, lsmc_env *pEnv, int eSync,
                             int nMem, int *pRc){
  lsmc_options *pOpts = 0;
  lsmc_db *pDb = 0;
  lsmc_options_new(&pOpts);
  lsmc_options_set(pOpts, LSMC_OPT_MEMTABLE_SIZE, nMem);
  lsmc_options_set(pOpts, LSMC_OPT_BLOCK_SIZE, 512);
  lsmc_options_set(pOpts, LSMC_OPT_SYNC, eSync);
  lsmc_options_set(pOpts, LSMC_OPT_BACKGROUND, 0);
  lsmc_options_set(pOpts, LSMC_OPT_L0_TRIGGER, 2);
  /* sync=full sweeps leveled compaction, sync=normal sweeps tiered. */
  lsmc_options_set(pOpts, LSMC_OPT_COMPACTION, eSync==LSMC_SYNC_FULL
                   ? LSMC_COMPACTION_LEVELED : LSMC_COMPACTION_TIERED);
  if( pEnv ) lsmc_options_set_env(pOpts, pEnv);
  *pRc = lsmc_open(zDir, pOpts, &pDb);
  lsmc_options_free(pOpts);
  return pDb;
}

/* The crash workload's store: a 4 KiB memtable, so that flushes happen. */
static lsmc_db *crashOpen(const char *zDir, lsmc_env *pEnv, int eSync,
                          int *pRc){
  return crashOpenMem(zDir, pEnv, eSync, 4096, pRc);
}

/* Copy every file of zFrom into the (existing, empty) directory zTo. */
static void copyDir(const char *zFrom, const char *zTo){
  char zCmd[1200];
  snprintf(zCmd, sizeof(zCmd), "cp -a '%s'/. '%s'/", zFrom, zTo);
  ck_assert_int_eq(system(zCmd), 0);
}

/* The path of the only .log file in zDir. */
static void findWal(const char *zDir, char *zOut, size_t nOut){
  char zCmd[600];
  FILE *p;
  snprintf(zCmd, sizeof(zCmd), "ls '%s'/*.log", zDir);
  p = popen(zCmd, "r");
  ck_assert_ptr_nonnull(fgets(zOut, (int)nOut, p));
  pclose(p);
  zOut[strcspn(zOut, "\n")] = 0;
}

static size_t fileSize(const char *zPath){
  struct stat st;
  ck_assert_int_eq(stat(zPath, &st), 0);
  return (size_t)st.st_size;
}

/* Value of write i of the torn-tail test: sizes that cross a WAL block. */
static size_t tornValueSize(int i, int n){
  return i>=n-3 ? 700 : 100 + (size_t)(i*37 % 900);
}

/*
** Open zDir and check that exactly the first nWhole writes are present.
*/
static void tornCheck(const char *zDir, int nWrite, int nWhole, size_t iCut){
  int rc, i;
  lsmc_db *pDb = crashOpenMem(zDir, 0, LSMC_SYNC_NORMAL, 1<<20, &rc);
  ck_assert_msg(rc==LSMC_OK, "cut %zu: open failed: %s", iCut, lsmc_errmsg(pDb));
  for(i=0; i<nWrite; i++){
    char zKey[16];
    void *pVal = 0;
    size_t nVal = 0;
    snprintf(zKey, sizeof(zKey), "w%04d", i);
    rc = lsmc_get(pDb, 0, zKey, strlen(zKey), &pVal, &nVal);
    if( i<nWhole ){
      ck_assert_msg(rc==LSMC_OK && nVal==tornValueSize(i, nWrite),
                    "cut %zu: write %d lost (rc=%d)", iCut, i, rc);
    }else{
      ck_assert_msg(rc==LSMC_NOTFOUND, "cut %zu: write %d present", iCut, i);
    }
    lsmc_free(pDb, pVal);
  }
  lsmc_close(pDb);
}

START_TEST(test_torn_wal_tail){
  TestDir src, work;
  char zWal[512], zWork[512];
  size_t aEnd[64];
  int nWrite = 0;
  int rc, i;
  lsmc_db *pDb;
  char aVal[1000];

  testDirNew(&src, "torn");
  memset(aVal, 'v', sizeof(aVal));
  pDb = crashOpenMem(src.zPath, 0, LSMC_SYNC_NORMAL, 1<<20, &rc);
  ck_assert_int_eq(rc, LSMC_OK);
  findWal(src.zPath, zWal, sizeof(zWal));
  /* Fill until the WAL is just short of one 32 KiB block, then three
  ** writes of 700 bytes: the last three records straddle the boundary. */
  while( fileSize(zWal) < 32768 - 1500 ){
    char zKey[16];
    snprintf(zKey, sizeof(zKey), "w%04d", nWrite);
    ck_assert_int_lt(nWrite, 60);
    ck_assert_int_eq(lsmc_put(pDb, zKey, 5, aVal, tornValueSize(nWrite, 1<<30)), LSMC_OK);
    aEnd[nWrite++] = fileSize(zWal);
  }
  for(i=0; i<3; i++){
    char zKey[16];
    snprintf(zKey, sizeof(zKey), "w%04d", nWrite);
    ck_assert_int_eq(lsmc_put(pDb, zKey, 5, aVal, 700), LSMC_OK);
    aEnd[nWrite++] = fileSize(zWal);
  }
  ck_assert_uint_gt(aEnd[nWrite-1], 32768);
  lsmc_close(pDb);
  ck_assert_uint_eq(fileSize(zWal), aEnd[nWrite-1]);

  {
    size_t iStart = aEnd[nWrite-4];
    size_t iEnd = aEnd[nWrite-1];
    size_t iCut;
    int nCase = 0;
    for(iCut=iStart; iCut<=iEnd; iCut+=crashStride()){
      int nWhole = 0;
      testDirNew(&work, "tornw");
      copyDir(src.zPath, work.zPath);
      snprintf(zWork, sizeof(zWork), "%s/%s", work.zPath, strrchr(zWal, '/')+1);
      ck_assert_int_eq(truncate(zWork, (off_t)iCut), 0);
      while( nWhole<nWrite && aEnd[nWhole]<=iCut ) nWhole++;
      tornCheck(work.zPath, nWrite, nWhole, iCut);
      testDirFree(&work);
      nCase++;
    }
    /* Zero-filled tail: the last three records overwritten with zeros. */
    {
      int fd;
      char *aZero = calloc(1, iEnd - iStart);
      testDirNew(&work, "tornz");
      copyDir(src.zPath, work.zPath);
      snprintf(zWork, sizeof(zWork), "%s/%s", work.zPath, strrchr(zWal, '/')+1);
      fd = open(zWork, O_WRONLY);
      ck_assert_int_eq(pwrite(fd, aZero, iEnd-iStart, (off_t)iStart),
                       (ssize_t)(iEnd-iStart));
      close(fd);
      free(aZero);
      tornCheck(work.zPath, nWrite, nWrite-3, iStart);
      testDirFree(&work);
      nCase++;
    }
    printf("torn WAL tail: %d cuts, all recovered to the last whole record\n",
           nCase);
  }
  testDirFree(&src);
}
END_TEST

/* ------------------------------------------------- crash at every sync */

/* One write of the workload: up to 3 entries. */
typedef struct CrashOp CrashOp;
struct CrashOp {
  int n;                   /* Entries */
  int aKey[3];             /* Key index */
  int aVal[3];             /* Value tag, or -1 for a delete */
};

/* The model state after each prefix of the workload. */
typedef struct CrashModel CrashModel;
struct CrashModel {
  CrashOp aOp[CRASH_NWRITE];                 /* The workload */
  int aaState[CRASH_NWRITE+1][CRASH_NKEY];   /* Value tag per key, -1 absent */
};

static void crashModelInit(CrashModel *p, uint64_t seed){
  TestRng rng;
  int i, j;
  testRngSeed(&rng, seed);
  for(j=0; j<CRASH_NKEY; j++) p->aaState[0][j] = -1;
  for(i=0; i<CRASH_NWRITE; i++){
    CrashOp *pOp = &p->aOp[i];
    memcpy(p->aaState[i+1], p->aaState[i], sizeof(p->aaState[i]));
    pOp->n = 1 + (int)testRngBelow(&rng, 3);
    for(j=0; j<pOp->n; j++){
      pOp->aKey[j] = (int)testRngBelow(&rng, CRASH_NKEY);
      pOp->aVal[j] = testRngBelow(&rng, 5)==0 ? -1 : i*3 + j;
      p->aaState[i+1][pOp->aKey[j]] = pOp->aVal[j];
    }
  }
}

static void crashKey(int iKey, char *z){ snprintf(z, 16, "key%03d", iKey); }

/* Values are long enough (~150 bytes) that the memtable fills often. */
static size_t crashValue(int iTag, char *z){
  int n = snprintf(z, 200, "value-%d-", iTag);
  memset(&z[n], 'a' + iTag%26, 140);
  return (size_t)n + 140;
}

/* Run the workload; return how many writes were acknowledged. */
static int crashRunWorkload(lsmc_db *pDb, CrashModel *p, int eSync){
  lsmc_batch *pBatch = 0;
  int i, j;
  lsmc_batch_new(&pBatch);
  for(i=0; i<CRASH_NWRITE; i++){
    lsmc_batch_clear(pBatch);
    for(j=0; j<p->aOp[i].n; j++){
      char zKey[16], zVal[200];
      crashKey(p->aOp[i].aKey[j], zKey);
      if( p->aOp[i].aVal[j]<0 ){
        lsmc_batch_delete(pBatch, zKey, strlen(zKey));
      }else{
        size_t nVal = crashValue(p->aOp[i].aVal[j], zVal);
        lsmc_batch_put(pBatch, zKey, strlen(zKey), zVal, nVal);
      }
    }
    if( lsmc_write(pDb, pBatch, eSync)!=LSMC_OK ) break;
  }
  lsmc_batch_free(pBatch);
  return i;
}

/* Read the whole store into aState (value tag per key, -1 absent). */
static void crashReadState(lsmc_db *pDb, int *aState){
  lsmc_iter *pIter = 0;
  int j;
  for(j=0; j<CRASH_NKEY; j++) aState[j] = -1;
  ck_assert_int_eq(lsmc_iter_open(pDb, 0, 0, 0, 0, 0, &pIter), LSMC_OK);
  ck_assert_int_eq(lsmc_iter_first(pIter), LSMC_OK);
  while( lsmc_iter_valid(pIter) ){
    size_t nKey, nVal;
    const char *zKey = lsmc_iter_key(pIter, &nKey);
    const char *zVal = lsmc_iter_value(pIter, &nVal);
    char zExpect[200];
    int iKey = atoi(&zKey[3]);
    int iTag = atoi(&zVal[6]);
    ck_assert(nKey==6 && iKey>=0 && iKey<CRASH_NKEY);
    ck_assert_uint_eq(nVal, crashValue(iTag, zExpect));
    ck_assert(memcmp(zVal, zExpect, nVal)==0);            /* never garbage */
    aState[iKey] = iTag;
    ck_assert_int_eq(lsmc_iter_next(pIter), LSMC_OK);
  }
  lsmc_iter_close(pIter);
}

/* Sync hook: kill the "process" right after sync number iDeadAt. */
static void crashHook(FaultEnv *pFault, void *pArg, u64 iSync){
  if( iSync==*(u64*)pArg ) faultenvSetDead(pFault, 1);
}

/* Where the simulated process dies. */
#define CRASH_AFTER_SYNC  0    /* right after the k-th successful sync */
#define CRASH_BEFORE_OP   1    /* at the k-th mutating call (it fails) */

/*
** One case: die at point k (of kind eWhere), crash with eMode, reopen and
** check.  Returns 0 once k is past the last such point of the workload.
*/
static int crashCase(CrashModel *p, int eSync, u64 k, int eMode, int eWhere){
  TestDir dir;
  FaultEnv *pFault = 0;
  lsmc_db *pDb;
  int aState[CRASH_NKEY];
  int nAck = 0, rc, j;
  int iMatch = -1;
  u64 nSync;

  testDirNew(&dir, "crash");
  ck_assert_int_eq(faultenvNew(lsmc_default_env(), &pFault), LSMC_OK);
  if( eWhere==CRASH_AFTER_SYNC ){
    faultenvSetSyncHook(pFault, crashHook, &k);
  }else{
    faultenvFailNth(pFault, FAULT_MASK_WRITE, k, LSMC_IOERR, 1);
  }
  pDb = crashOpen(dir.zPath, faultenvEnv(pFault), eSync, &rc);
  if( rc==LSMC_OK ) nAck = crashRunWorkload(pDb, p, eSync);
  lsmc_close(pDb);
  nSync = faultenvSyncCount(pFault);
  if( eWhere==CRASH_BEFORE_OP ) nSync = faultenvInjected(pFault) ? k : 0;
  faultenvSetSyncHook(pFault, 0, 0);
  faultenvClearFaults(pFault);
  ck_assert_int_eq(faultenvCrash(pFault, eMode, (u32)k), LSMC_OK);

  pDb = crashOpen(dir.zPath, faultenvEnv(pFault), eSync, &rc);
  ck_assert_msg(rc==LSMC_OK, "sync %llu mode %d: reopen failed: %s",
                (unsigned long long)k, eMode, lsmc_errmsg(pDb));
  crashReadState(pDb, aState);
  for(j=nAck+1 < CRASH_NWRITE ? nAck+1 : CRASH_NWRITE; j>=0; j--){
    if( memcmp(aState, p->aaState[j], sizeof(aState))==0 ){ iMatch = j; break; }
  }
  ck_assert_msg(iMatch>=0, "sync %llu mode %d: state is not a prefix",
                (unsigned long long)k, eMode);
  if( eSync==LSMC_SYNC_FULL ){
    ck_assert_msg(iMatch>=nAck, "sync %llu mode %d: acknowledged write lost "
                  "(%d acked, state after %d)", (unsigned long long)k, eMode,
                  nAck, iMatch);
  }
  /* Life goes on: a new write is durable and newest. */
  {
    char zVal[200];
    size_t nVal = crashValue(9999, zVal);
    ck_assert_int_eq(lsmc_put(pDb, "key000", 6, zVal, nVal), LSMC_OK);
    lsmc_close(pDb);
    pDb = crashOpen(dir.zPath, faultenvEnv(pFault), eSync, &rc);
    ck_assert_int_eq(rc, LSMC_OK);
    crashReadState(pDb, aState);
    ck_assert_int_eq(aState[0], 9999);
    lsmc_close(pDb);
  }
  faultenvFree(pFault);
  testDirFree(&dir);
  return k<=nSync;
}

static void crashSweep(int eSync){
  CrashModel *p = malloc(sizeof(CrashModel));
  int anCase[2] = {0, 0};
  int eMode, eWhere;
  crashModelInit(p, 42 + (uint64_t)eSync);
  for(eWhere=CRASH_AFTER_SYNC; eWhere<=CRASH_BEFORE_OP; eWhere++){
    for(eMode=FAULT_DROP_UNSYNCED; eMode<=FAULT_ZERO; eMode++){
      u64 k;
      for(k=1; crashCase(p, eSync, k, eMode, eWhere); k+=crashStride()){
        anCase[eWhere]++;
      }
    }
  }
  printf("crash simulation (sync=%s): %d cases (crash after each sync) + %d "
         "(before each mutating call), over 3 damage modes; all recovered to "
         "a prefix\n",
         eSync==LSMC_SYNC_FULL ? "full" : "normal", anCase[0], anCase[1]);
  free(p);
}

START_TEST(test_crash_every_sync_full){
  crashSweep(LSMC_SYNC_FULL);
}
END_TEST

START_TEST(test_crash_every_sync_normal){
  crashSweep(LSMC_SYNC_NORMAL);
}
END_TEST

int main(void){
  Suite *s = suite_create("crash");
  TCase *tc = tcase_create("crash");
  SRunner *sr;
  int nFail;
  tcase_set_timeout(tc, 1800);
  tcase_add_test(tc, test_torn_wal_tail);
  tcase_add_test(tc, test_crash_every_sync_full);
  tcase_add_test(tc, test_crash_every_sync_normal);
  suite_add_tcase(s, tc);
  sr = srunner_create(s);
  srunner_run_all(sr, CK_NORMAL);
  nFail = srunner_ntests_failed(sr);
  srunner_free(sr);
  return nFail ? EXIT_FAILURE : EXIT_SUCCESS;
}
