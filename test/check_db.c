/*
** check_db.c -- tests of the engine through its public API (lsmcore.h):
** put/get/delete, persistence across close, flush to SSTables, many L0
** files, iterators with bounds and seeks, snapshots stable through
** flushes, the LOCK file (another process gets LSMC_BUSY; the same process
** shares one engine), refusal of foreign directories, a damaged or
** incomplete file set never opening as an empty store, orphan removal,
** sticky WAL errors, and concurrent writers (group commit).
*/
#include "lsmcore.h"
#include "faultenv.h"
#include "testutil.h"

#include <check.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

static TestDir dir;

static void setup(void){ testDirNew(&dir, "db"); }
static void teardown(void){ testDirFree(&dir); }

/*
** Open the test store with a memtable of nMem bytes (0: default), an env
** (NULL: default) and option overrides: pairs (LSMC_OPT_*, value) ended by
** a 0.
*/
static lsmc_db *openDbOpts(size_t nMem, lsmc_env *pEnv, const int64_t *aOpt){
  lsmc_options *pOpts = 0;
  lsmc_db *pDb = 0;
  int rc;
  ck_assert_int_eq(lsmc_options_new(&pOpts), LSMC_OK);
  while( aOpt && aOpt[0] ){
    ck_assert_int_eq(lsmc_options_set(pOpts, (int)aOpt[0], aOpt[1]), LSMC_OK);
    aOpt += 2;
  }
  if( nMem ) ck_assert_int_eq(lsmc_options_set(pOpts, LSMC_OPT_MEMTABLE_SIZE,
                                               (int64_t)nMem), LSMC_OK);
  if( pEnv ) lsmc_options_set_env(pOpts, pEnv);
  rc = lsmc_open(dir.zPath, pOpts, &pDb);
  lsmc_options_free(pOpts);
  ck_assert_msg(rc==LSMC_OK, "open: %s", lsmc_errmsg(pDb));
  return pDb;
}

static lsmc_db *openDb(size_t nMem, lsmc_env *pEnv){
  return openDbOpts(nMem, pEnv, 0);
}

/* Options that keep every flushed file on level 0 (no compaction). */
static const int64_t aNoCompaction[] = {
  LSMC_OPT_L0_TRIGGER, 1000, LSMC_OPT_L0_SLOWDOWN, 10000,
  LSMC_OPT_L0_STOP, 10000, 0
};

static void putStr(lsmc_db *pDb, const char *zKey, const char *zVal){
  int rc = lsmc_put(pDb, zKey, strlen(zKey), zVal, strlen(zVal));
  ck_assert_msg(rc==LSMC_OK, "put %s: %s", zKey, lsmc_errmsg(pDb));
}

/* Assert that zKey holds zVal (NULL: absent). */
static void checkGet(lsmc_db *pDb, const lsmc_snapshot *pSnap,
                     const char *zKey, const char *zVal){
  void *pVal = 0;
  size_t nVal = 0;
  int rc = lsmc_get(pDb, pSnap, zKey, strlen(zKey), &pVal, &nVal);
  if( zVal==0 ){
    ck_assert_msg(rc==LSMC_NOTFOUND, "get %s: rc=%d", zKey, rc);
  }else{
    ck_assert_msg(rc==LSMC_OK, "get %s: rc=%d %s", zKey, rc, lsmc_errmsg(pDb));
    ck_assert_uint_eq(nVal, strlen(zVal));
    ck_assert(memcmp(pVal, zVal, nVal)==0);
  }
  lsmc_free(pDb, pVal);
}

START_TEST(test_put_get_delete){
  lsmc_db *pDb = openDb(0, 0);
  putStr(pDb, "apple", "red");
  putStr(pDb, "banana", "yellow");
  putStr(pDb, "apple", "green");
  checkGet(pDb, 0, "apple", "green");
  checkGet(pDb, 0, "banana", "yellow");
  checkGet(pDb, 0, "cherry", 0);
  ck_assert_int_eq(lsmc_delete(pDb, "banana", 6), LSMC_OK);
  checkGet(pDb, 0, "banana", 0);
  putStr(pDb, "", "empty key");
  putStr(pDb, "zero", "");
  checkGet(pDb, 0, "", "empty key");
  checkGet(pDb, 0, "zero", "");
  ck_assert_int_eq(lsmc_close(pDb), LSMC_OK);

  /* Everything survives a close (WAL replay), then a flush. */
  pDb = openDb(0, 0);
  checkGet(pDb, 0, "apple", "green");
  checkGet(pDb, 0, "banana", 0);
  checkGet(pDb, 0, "", "empty key");
  checkGet(pDb, 0, "zero", "");
  ck_assert_int_eq(lsmc_flush(pDb), LSMC_OK);
  checkGet(pDb, 0, "apple", "green");
  lsmc_close(pDb);
  pDb = openDb(0, 0);
  checkGet(pDb, 0, "apple", "green");
  checkGet(pDb, 0, "banana", 0);
  ck_assert_int_ge(testCountFiles(dir.zPath, ".sst"), 1);
  lsmc_close(pDb);
}
END_TEST

START_TEST(test_big_values){
  lsmc_db *pDb = openDb(64*1024, 0);
  size_t nBig = 3*1024*1024 + 17;
  char *aBig = malloc(nBig);
  char aKey[9000];
  void *pVal = 0;
  size_t nVal = 0;
  size_t i;
  for(i=0; i<nBig; i++) aBig[i] = (char)(i*7 + i/5000);
  memset(aKey, 'k', sizeof(aKey));                  /* key > a block */
  ck_assert_int_eq(lsmc_put(pDb, aKey, sizeof(aKey), aBig, nBig), LSMC_OK);
  ck_assert_int_eq(lsmc_put(pDb, "small", 5, "v", 1), LSMC_OK);
  ck_assert_int_eq(lsmc_flush(pDb), LSMC_OK);
  ck_assert_int_eq(lsmc_get(pDb, 0, aKey, sizeof(aKey), &pVal, &nVal), LSMC_OK);
  ck_assert_uint_eq(nVal, nBig);
  ck_assert(memcmp(pVal, aBig, nBig)==0);
  lsmc_free(pDb, pVal);
  lsmc_close(pDb);
  pDb = openDb(64*1024, 0);
  ck_assert_int_eq(lsmc_get(pDb, 0, aKey, sizeof(aKey), &pVal, &nVal), LSMC_OK);
  ck_assert_uint_eq(nVal, nBig);
  ck_assert(memcmp(pVal, aBig, nBig)==0);
  lsmc_free(pDb, pVal);
  checkGet(pDb, 0, "small", "v");
  lsmc_close(pDb);
  free(aBig);
}
END_TEST

/* Keys "key%06d" for i in [0, n) with value "val%d-%d" (i, round). */
static void fillKeys(lsmc_db *pDb, int n, int iRound){
  int i;
  for(i=0; i<n; i++){
    char zKey[32], zVal[64];
    snprintf(zKey, sizeof(zKey), "key%06d", i);
    snprintf(zVal, sizeof(zVal), "val%d-%d", i, iRound);
    putStr(pDb, zKey, zVal);
  }
}

START_TEST(test_many_l0_files){
  lsmc_db *pDb = openDbOpts(4096, 0, aNoCompaction);
  int i;
  fillKeys(pDb, 3000, 1);
  for(i=0; i<3000; i+=3){
    char zKey[32];
    snprintf(zKey, sizeof(zKey), "key%06d", i);
    ck_assert_int_eq(lsmc_delete(pDb, zKey, strlen(zKey)), LSMC_OK);
  }
  fillKeys(pDb, 1000, 2);
  ck_assert_int_eq(lsmc_flush(pDb), LSMC_OK);
  ck_assert_int_gt(testCountFiles(dir.zPath, ".sst"), 20);
  for(i=0; i<3000; i++){
    char zKey[32], zVal[64];
    snprintf(zKey, sizeof(zKey), "key%06d", i);
    snprintf(zVal, sizeof(zVal), "val%d-%d", i, i<1000 ? 2 : 1);
    checkGet(pDb, 0, zKey, (i>=1000 && i%3==0) ? 0 : zVal);
  }
  lsmc_close(pDb);
  /* After a reopen, the same answers, and a full scan in order. */
  pDb = openDbOpts(4096, 0, aNoCompaction);
  {
    lsmc_iter *pIter = 0;
    int nSeen = 0, iPrev = -1;
    ck_assert_int_eq(lsmc_iter_open(pDb, 0, 0, 0, 0, 0, &pIter), LSMC_OK);
    ck_assert_int_eq(lsmc_iter_first(pIter), LSMC_OK);
    while( lsmc_iter_valid(pIter) ){
      size_t nKey;
      const char *zKey = lsmc_iter_key(pIter, &nKey);
      int iKey = atoi(&zKey[3]);
      ck_assert_int_gt(iKey, iPrev);
      ck_assert(iKey<1000 || iKey%3!=0);
      iPrev = iKey;
      nSeen++;
      ck_assert_int_eq(lsmc_iter_next(pIter), LSMC_OK);
    }
    ck_assert_int_eq(nSeen, 1000 + 2000 - 666);  /* 666 multiples of 3
                                                 ** in [1000, 2999] */
    lsmc_iter_close(pIter);
  }
  lsmc_close(pDb);
}
END_TEST

START_TEST(test_iter_bounds_seek){
  lsmc_db *pDb = openDb(4096, 0);
  lsmc_iter *pIter = 0;
  size_t n;
  const char *z;
  fillKeys(pDb, 100, 0);                 /* key000000 .. key000099 */
  ck_assert_int_eq(lsmc_iter_open(pDb, 0, "key000010", 9, "key000020", 9,
                                  &pIter), LSMC_OK);
  ck_assert_int_eq(lsmc_iter_first(pIter), LSMC_OK);
  z = lsmc_iter_key(pIter, &n);
  ck_assert(n==9 && memcmp(z, "key000010", 9)==0);
  ck_assert_int_eq(lsmc_iter_last(pIter), LSMC_OK);
  z = lsmc_iter_key(pIter, &n);
  ck_assert(memcmp(z, "key000019", 9)==0);          /* upper is exclusive */
  ck_assert_int_eq(lsmc_iter_next(pIter), LSMC_OK);
  ck_assert(!lsmc_iter_valid(pIter));
  ck_assert_int_eq(lsmc_iter_seek(pIter, "key000015x", 10, LSMC_SEEK_GE),
                   LSMC_OK);
  z = lsmc_iter_key(pIter, &n);
  ck_assert(memcmp(z, "key000016", 9)==0);
  ck_assert_int_eq(lsmc_iter_seek(pIter, "key000015x", 10, LSMC_SEEK_LE),
                   LSMC_OK);
  z = lsmc_iter_key(pIter, &n);
  ck_assert(memcmp(z, "key000015", 9)==0);
  ck_assert_int_eq(lsmc_iter_prev(pIter), LSMC_OK);
  z = lsmc_iter_key(pIter, &n);
  ck_assert(memcmp(z, "key000014", 9)==0);
  ck_assert_int_eq(lsmc_iter_seek(pIter, "a", 1, LSMC_SEEK_LE), LSMC_OK);
  ck_assert(!lsmc_iter_valid(pIter));
  ck_assert_int_eq(lsmc_iter_seek(pIter, "z", 1, LSMC_SEEK_GE), LSMC_OK);
  ck_assert(!lsmc_iter_valid(pIter));
  lsmc_iter_close(pIter);
  lsmc_close(pDb);
}
END_TEST

START_TEST(test_snapshot_through_flush){
  lsmc_db *pDb = openDb(4096, 0);
  lsmc_snapshot *pSnap = 0;
  lsmc_iter *pIter = 0;
  int nSeen = 0;
  fillKeys(pDb, 200, 1);
  ck_assert_int_eq(lsmc_snapshot_get(pDb, &pSnap), LSMC_OK);
  ck_assert_int_eq(lsmc_iter_open(pDb, 0, 0, 0, 0, 0, &pIter), LSMC_OK);
  ck_assert_int_eq(lsmc_iter_first(pIter), LSMC_OK);
  /* Overwrite, delete and flush while the snapshot and iterator live. */
  fillKeys(pDb, 200, 2);
  ck_assert_int_eq(lsmc_delete(pDb, "key000007", 9), LSMC_OK);
  ck_assert_int_eq(lsmc_flush(pDb), LSMC_OK);
  checkGet(pDb, pSnap, "key000007", "val7-1");
  checkGet(pDb, 0, "key000007", 0);
  checkGet(pDb, 0, "key000008", "val8-2");
  while( lsmc_iter_valid(pIter) ){
    size_t nVal;
    const char *zVal = lsmc_iter_value(pIter, &nVal);
    ck_assert(nVal>=2 && memcmp(&zVal[nVal-2], "-1", 2)==0);
    nSeen++;
    ck_assert_int_eq(lsmc_iter_next(pIter), LSMC_OK);
  }
  ck_assert_int_eq(nSeen, 200);
  lsmc_iter_close(pIter);
  lsmc_snapshot_release(pDb, pSnap);
  lsmc_close(pDb);
}
END_TEST

START_TEST(test_lock_and_sharing){
  lsmc_db *pDb = openDb(0, 0);
  lsmc_db *pDb2 = openDb(0, 0);            /* same process: shared engine */
  pid_t pid;
  int status = 0;
  putStr(pDb, "a", "1");
  checkGet(pDb2, 0, "a", "1");
  lsmc_close(pDb2);
  checkGet(pDb, 0, "a", "1");
  /* Another process (this test binary, re-executed: a fork would share
  ** the parent's in-process registry) must get LSMC_BUSY. */
  pid = fork();
  if( pid==0 ){
    setenv("LSMC_TEST_OPEN_BUSY", dir.zPath, 1);
    /* Under valgrind, /proc/self/exe is valgrind's tool; readlink()
    ** (which valgrind answers) names this program in both cases. */
    char zExe[4096];
    ssize_t nExe = readlink("/proc/self/exe", zExe, sizeof(zExe)-1);
    if( nExe>0 ){
      zExe[nExe] = '\0';
      execl(zExe, "check_db", (char*)0);
    }
    _exit(2);
  }
  ck_assert_int_eq(waitpid(pid, &status, 0), pid);
  ck_assert(WIFEXITED(status) && WEXITSTATUS(status)==0);
  lsmc_close(pDb);
}
END_TEST

START_TEST(test_foreign_directory){
  char zPath[512];
  lsmc_db *pDb = 0;
  FILE *f;
  testDirPath(&dir, "notes.txt", zPath, sizeof(zPath));
  f = fopen(zPath, "w");
  fputs("mine", f);
  fclose(f);
  ck_assert_int_eq(lsmc_open(dir.zPath, 0, &pDb), LSMC_CANTOPEN);
  ck_assert_ptr_nonnull(strstr(lsmc_errmsg(pDb), "IDENTITY"));
  lsmc_close(pDb);
  ck_assert_int_eq(testCountFiles(dir.zPath, ""), 1);  /* nothing created */
}
END_TEST

START_TEST(test_missing_files_never_empty){
  char zPath[512];
  lsmc_db *pDb = openDb(4096, 0);
  fillKeys(pDb, 500, 1);
  ck_assert_int_eq(lsmc_flush(pDb), LSMC_OK);
  lsmc_close(pDb);

  /* No CURRENT, but data files: corrupt, not a new empty store. */
  testDirPath(&dir, "CURRENT", zPath, sizeof(zPath));
  {
    char zSave[512];
    testDirPath(&dir, "CURRENT.save", zSave, sizeof(zSave));
    ck_assert_int_eq(rename(zPath, zSave), 0);
    ck_assert_int_eq(lsmc_open(dir.zPath, 0, &pDb), LSMC_CORRUPT);
    ck_assert_ptr_nonnull(strstr(lsmc_errmsg(pDb), "CURRENT"));
    lsmc_close(pDb);
    ck_assert_int_eq(rename(zSave, zPath), 0);
  }
  /* CURRENT naming garbage. */
  {
    FILE *f;
    char zSave[64] = {0};
    f = fopen(zPath, "r");
    ck_assert_ptr_nonnull(fgets(zSave, sizeof(zSave), f));
    fclose(f);
    f = fopen(zPath, "w");
    fputs("MANIFEST-xyz\n", f);
    fclose(f);
    ck_assert_int_eq(lsmc_open(dir.zPath, 0, &pDb), LSMC_CORRUPT);
    lsmc_close(pDb);
    f = fopen(zPath, "w");
    fputs(zSave, f);
    fclose(f);
  }
  /* An SSTable named by the manifest is gone. */
  {
    pDb = openDb(4096, 0);
    lsmc_close(pDb);
    char zCmd[600];
    snprintf(zCmd, sizeof(zCmd), "ls %s/*.sst | head -1 | xargs rm", dir.zPath);
    ck_assert_int_eq(system(zCmd), 0);
    ck_assert_int_eq(lsmc_open(dir.zPath, 0, &pDb), LSMC_CORRUPT);
    ck_assert_ptr_nonnull(strstr(lsmc_errmsg(pDb), ".sst"));
    lsmc_close(pDb);
  }
}
END_TEST

START_TEST(test_orphans_and_numbers){
  char zPath[512];
  lsmc_db *pDb = openDb(4096, 0);
  FILE *f;
  fillKeys(pDb, 300, 1);
  lsmc_close(pDb);
  /* An SSTable numbered below the manifest's NEXT_FILE (numbers are
  ** reserved there before use) that the manifest does not name is the
  ** store's own orphan: removed at open.  One numbered at or above it was
  ** never handed out: foreign, kept (TESTPLAN H4).  A foreign name is
  ** always kept. */
  testDirPath(&dir, "000002.sst", zPath, sizeof(zPath));
  f = fopen(zPath, "w"); fputs("orphan", f); fclose(f);
  testDirPath(&dir, "009000.sst", zPath, sizeof(zPath));
  f = fopen(zPath, "w"); fputs("planted", f); fclose(f);
  testDirPath(&dir, "README.txt", zPath, sizeof(zPath));
  f = fopen(zPath, "w"); fputs("foreign", f); fclose(f);
  pDb = openDb(4096, 0);
  testDirPath(&dir, "000002.sst", zPath, sizeof(zPath));
  ck_assert_int_ne(access(zPath, F_OK), 0);
  testDirPath(&dir, "009000.sst", zPath, sizeof(zPath));
  ck_assert_int_eq(access(zPath, F_OK), 0);
  testDirPath(&dir, "README.txt", zPath, sizeof(zPath));
  ck_assert_int_eq(access(zPath, F_OK), 0);
  /* The manifest records 009000 as FOREIGN: the file survives further
  ** flushes and opens, and the store never hands its number out. */
  fillKeys(pDb, 300, 2);
  ck_assert_int_eq(lsmc_flush(pDb), LSMC_OK);
  ck_assert_int_ge(testCountFiles(dir.zPath, ".sst"), 1);
  lsmc_close(pDb);
  pDb = openDb(4096, 0);
  lsmc_close(pDb);
  pDb = openDb(4096, 0);
  testDirPath(&dir, "009000.sst", zPath, sizeof(zPath));
  f = fopen(zPath, "r");
  ck_assert_ptr_nonnull(f);
  {
    char zBuf[16] = {0};
    ck_assert_ptr_nonnull(fgets(zBuf, sizeof(zBuf), f));
    ck_assert_str_eq(zBuf, "planted");
  }
  fclose(f);
  checkGet(pDb, 0, "key000001", "val1-2");
  lsmc_close(pDb);
}
END_TEST

START_TEST(test_sticky_wal_error){
  FaultEnv *pFault = 0;
  lsmc_db *pDb;
  int i, rc;
  ck_assert_int_eq(faultenvNew(lsmc_default_env(), &pFault), LSMC_OK);
  pDb = openDb(0, faultenvEnv(pFault));
  putStr(pDb, "before", "1");
  faultenvFailNth(pFault, FAULT_MASK(FAULT_OP_APPEND), 1, LSMC_IOERR, 0);
  rc = lsmc_put(pDb, "failed", 6, "x", 1);
  ck_assert_int_eq(rc, LSMC_IOERR);
  /* Transient fault, but the error sticks: no write succeeds after it. */
  for(i=0; i<10; i++){
    ck_assert_int_eq(lsmc_put(pDb, "later", 5, "y", 1), LSMC_IOERR);
  }
  ck_assert_ptr_nonnull(strstr(lsmc_errmsg(pDb), "WAL"));
  checkGet(pDb, 0, "before", "1");
  lsmc_close(pDb);
  faultenvClearFaults(pFault);
  pDb = openDb(0, faultenvEnv(pFault));
  checkGet(pDb, 0, "before", "1");
  checkGet(pDb, 0, "later", 0);
  putStr(pDb, "after", "2");
  checkGet(pDb, 0, "after", "2");
  lsmc_close(pDb);
  faultenvFree(pFault);
}
END_TEST

/*
** A stop threshold below the compaction trigger must not make writers
** wait for a compaction the strategy would never pick.
*/
START_TEST(test_stop_below_trigger_no_deadlock){
  static const int64_t aOpt[] = {
    LSMC_OPT_L0_TRIGGER, 30, LSMC_OPT_L0_SLOWDOWN, 3, LSMC_OPT_L0_STOP, 4, 0
  };
  lsmc_db *pDb = openDbOpts(4096, 0, aOpt);
  lsmc_stats st;
  fillKeys(pDb, 3000, 1);
  ck_assert_int_eq(lsmc_stats_get(pDb, &st), LSMC_OK);
  ck_assert_uint_gt(st.anFile[0] + st.anFile[1], 4);
  checkGet(pDb, 0, "key002999", "val2999-1");
  lsmc_close(pDb);
}
END_TEST

/* Arguments of one writer thread of the group-commit test. */
typedef struct WriterArg WriterArg;
struct WriterArg {
  lsmc_db *pDb;          /* Shared handle */
  int iThread;           /* Thread number, for its keys */
  int nWrite;            /* Writes to make */
  int rc;                /* First error */
};

static void *writerThread(void *pArg){
  WriterArg *p = (WriterArg*)pArg;
  lsmc_batch *pBatch = 0;
  int i;
  p->rc = lsmc_batch_new(&pBatch);
  for(i=0; p->rc==LSMC_OK && i<p->nWrite; i++){
    char zKey[32];
    snprintf(zKey, sizeof(zKey), "t%d-%05d", p->iThread, i);
    lsmc_batch_clear(pBatch);
    p->rc = lsmc_batch_put(pBatch, zKey, strlen(zKey), zKey, strlen(zKey));
    if( p->rc==LSMC_OK ) p->rc = lsmc_write(p->pDb, pBatch, LSMC_SYNC_FULL);
  }
  lsmc_batch_free(pBatch);
  return 0;
}

START_TEST(test_group_commit){
  lsmc_db *pDb = openDb(16*1024, 0);
  pthread_t aThread[4];
  WriterArg aArg[4];
  char *zJson = 0;
  unsigned long long nGroup = 0;
  int i, j;
  for(i=0; i<4; i++){
    aArg[i].pDb = pDb;
    aArg[i].iThread = i;
    aArg[i].nWrite = 300;
    aArg[i].rc = LSMC_OK;
    pthread_create(&aThread[i], 0, writerThread, &aArg[i]);
  }
  for(i=0; i<4; i++){
    pthread_join(aThread[i], 0);
    ck_assert_int_eq(aArg[i].rc, LSMC_OK);
  }
  ck_assert_int_eq(lsmc_stats_json(pDb, &zJson), LSMC_OK);
  ck_assert_ptr_nonnull(strstr(zJson, "\"write_groups\":"));
  nGroup = strtoull(strstr(zJson, "\"write_groups\":")+15, 0, 10);
  ck_assert(nGroup>0 && nGroup<=1200);
  lsmc_free(pDb, zJson);
  lsmc_close(pDb);
  pDb = openDb(16*1024, 0);
  for(i=0; i<4; i++){
    for(j=0; j<300; j++){
      char zKey[32];
      snprintf(zKey, sizeof(zKey), "t%d-%05d", i, j);
      checkGet(pDb, 0, zKey, zKey);
    }
  }
  lsmc_close(pDb);
}
END_TEST

/*
** When re-executed by test_lock_and_sharing: open the store named by
** LSMC_TEST_OPEN_BUSY and exit 0 if that fails with LSMC_BUSY and a
** message saying another process holds it.
*/
static int openBusyChild(const char *zDir){
  lsmc_db *pOther = 0;
  int rc = lsmc_open(zDir, 0, &pOther);
  int bOk = (rc==LSMC_BUSY && strstr(lsmc_errmsg(pOther), "another process"));
  if( !bOk ) fprintf(stderr, "child open: rc=%d %s\n", rc, lsmc_errmsg(pOther));
  lsmc_close(pOther);
  return bOk ? 0 : 1;
}

int main(void){
  Suite *s;
  TCase *tc;
  SRunner *sr;
  int nFail;
  if( getenv("LSMC_TEST_OPEN_BUSY") ){
    return openBusyChild(getenv("LSMC_TEST_OPEN_BUSY"));
  }
  s = suite_create("db");
  tc = tcase_create("api");
  tcase_add_checked_fixture(tc, setup, teardown);
  tcase_set_timeout(tc, 120);
  tcase_add_test(tc, test_put_get_delete);
  tcase_add_test(tc, test_big_values);
  tcase_add_test(tc, test_many_l0_files);
  tcase_add_test(tc, test_iter_bounds_seek);
  tcase_add_test(tc, test_snapshot_through_flush);
  tcase_add_test(tc, test_lock_and_sharing);
  tcase_add_test(tc, test_foreign_directory);
  tcase_add_test(tc, test_missing_files_never_empty);
  tcase_add_test(tc, test_orphans_and_numbers);
  tcase_add_test(tc, test_sticky_wal_error);
  tcase_add_test(tc, test_group_commit);
  tcase_add_test(tc, test_stop_below_trigger_no_deadlock);
  suite_add_tcase(s, tc);
  sr = srunner_create(s);
  srunner_run_all(sr, CK_NORMAL);
  nFail = srunner_ntests_failed(sr);
  srunner_free(sr);
  return nFail ? EXIT_FAILURE : EXIT_SUCCESS;
}
