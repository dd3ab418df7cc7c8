/*
** check_meta.c -- tests of application metadata (lsmcore/meta.c,
** lsmc_meta_put / lsmc_meta_get, and the manifest's META item): put, get
** and replace; a zero-length value; LSMC_NOTFOUND; every bound (name
** empty, too long, not printable; value too big; a 17th name), none of
** which writes anything; values surviving close and reopen (which starts
** a new manifest: the first record carries them), flushes and a full
** compaction; a failed manifest write (the old value stays, the error is
** sticky); and power loss after a synced and after an unsynced put (the
** value after reopen is the old or the new one, never damage).
*/
#include "lsmcore.h"
#include "faultenv.h"
#include "testutil.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static TestDir dir;

static void setup(void){ testDirNew(&dir, "meta"); }
static void teardown(void){ testDirFree(&dir); }

/* Open the test store with pEnv (NULL: default), a 64 KiB memtable and no
** background thread; *pRc gets the result when pRc is not NULL. */
static lsmc_db *openDbRc(lsmc_env *pEnv, int *pRc){
  lsmc_options *pOpts = 0;
  lsmc_db *pDb = 0;
  int rc;
  ck_assert_int_eq(lsmc_options_new(&pOpts), LSMC_OK);
  ck_assert_int_eq(lsmc_options_set(pOpts, LSMC_OPT_MEMTABLE_SIZE, 65536),
                   LSMC_OK);
  ck_assert_int_eq(lsmc_options_set(pOpts, LSMC_OPT_BACKGROUND, 0), LSMC_OK);
  if( pEnv ) lsmc_options_set_env(pOpts, pEnv);
  rc = lsmc_open(dir.zPath, pOpts, &pDb);
  lsmc_options_free(pOpts);
  if( pRc ){
    *pRc = rc;
  }else{
    ck_assert_msg(rc==LSMC_OK, "open: %s", lsmc_errmsg(pDb));
  }
  return pDb;
}
static lsmc_db *openDb(lsmc_env *pEnv){ return openDbRc(pEnv, 0); }

/* Assert that meta zName holds exactly zVal (NULL: LSMC_NOTFOUND). */
static void checkMeta(lsmc_db *pDb, const char *zName, const char *zVal){
  void *pVal = (void*)1;
  size_t nVal = 99;
  int rc = lsmc_meta_get(pDb, zName, &pVal, &nVal);
  if( zVal==0 ){
    ck_assert_int_eq(rc, LSMC_NOTFOUND);
    ck_assert_ptr_null(pVal);
    ck_assert_uint_eq(nVal, 0);
    return;
  }
  ck_assert_msg(rc==LSMC_OK, "meta_get(%s): %d", zName, rc);
  ck_assert_ptr_nonnull(pVal);
  ck_assert_uint_eq(nVal, strlen(zVal));
  ck_assert(memcmp(pVal, zVal, nVal)==0);
  lsmc_free(pDb, pVal);
}

/* Put zVal under zName (must succeed). */
static void putMeta(lsmc_db *pDb, const char *zName, const char *zVal){
  int rc = lsmc_meta_put(pDb, zName, zVal, strlen(zVal));
  ck_assert_msg(rc==LSMC_OK, "meta_put(%s): %d %s", zName, rc,
                lsmc_errmsg(pDb));
}

/* Name ("MANIFEST-NNNNNN") and size of the store's only manifest. */
static void manifestOf(char *zName, size_t nName, long long *pnSize){
  char zPath[600];
  ck_assert_int_eq(testFindFile(dir.zPath, "MANIFEST-", "", zPath,
                                sizeof(zPath)), 1);
  *pnSize = testFileSize(zPath);
  ck_assert_int_ge(*pnSize, 0);
  ck_assert_uint_lt(strlen(zPath) - strlen(dir.zPath) - 1, nName);
  memcpy(zName, &zPath[strlen(dir.zPath)+1], strlen(zPath) - strlen(dir.zPath));
}

START_TEST(test_put_get_replace){
  lsmc_db *pDb = openDb(0);
  void *pVal = 0;
  size_t nVal = 1;
  checkMeta(pDb, "lsmvtab.schema", 0);
  putMeta(pDb, "lsmvtab.schema", "CREATE TABLE t(a PRIMARY KEY, b)");
  putMeta(pDb, "other", "x");
  checkMeta(pDb, "lsmvtab.schema", "CREATE TABLE t(a PRIMARY KEY, b)");
  putMeta(pDb, "lsmvtab.schema", "v2");
  checkMeta(pDb, "lsmvtab.schema", "v2");
  checkMeta(pDb, "other", "x");
  checkMeta(pDb, "lsmvtab.schem", 0);          /* a prefix is another name */
  /* A zero-length value: OK, a non-NULL pointer, size 0. */
  ck_assert_int_eq(lsmc_meta_put(pDb, "empty", 0, 0), LSMC_OK);
  ck_assert_int_eq(lsmc_meta_get(pDb, "empty", &pVal, &nVal), LSMC_OK);
  ck_assert_ptr_nonnull(pVal);
  ck_assert_uint_eq(nVal, 0);
  lsmc_free(pDb, pVal);
  /* Binary bytes survive as they are. */
  ck_assert_int_eq(lsmc_meta_put(pDb, "bin", "a\0b\xff", 4), LSMC_OK);
  ck_assert_int_eq(lsmc_meta_get(pDb, "bin", &pVal, &nVal), LSMC_OK);
  ck_assert_uint_eq(nVal, 4);
  ck_assert(memcmp(pVal, "a\0b\xff", 4)==0);
  lsmc_free(pDb, pVal);
  lsmc_close(pDb);
}
END_TEST

START_TEST(test_bounds){
  lsmc_db *pDb = openDb(0);
  char zLong[LSMC_META_MAX_NAME+2];
  char zName[32];
  char *aBig = calloc(1, LSMC_META_MAX_VALUE+1);
  char zManifest[64], zManifest2[64];
  long long nBefore = 0, nAfter = 0;
  void *pVal = 0;
  size_t nVal = 0;
  int i;

  ck_assert_ptr_nonnull(aBig);
  memset(zLong, 'n', sizeof(zLong));
  zLong[LSMC_META_MAX_NAME] = '\0';               /* 64 bytes: the limit */
  putMeta(pDb, zLong, "max name");
  ck_assert_int_eq(lsmc_meta_put(pDb, "maxval", aBig, LSMC_META_MAX_VALUE),
                   LSMC_OK);
  ck_assert_int_eq(lsmc_meta_get(pDb, "maxval", &pVal, &nVal), LSMC_OK);
  ck_assert_uint_eq(nVal, LSMC_META_MAX_VALUE);
  lsmc_free(pDb, pVal);
  for(i=3; i<=LSMC_META_MAX_COUNT; i++){
    snprintf(zName, sizeof(zName), "name%02d", i);
    putMeta(pDb, zName, zName);
  }

  /* Every bad call is LSMC_MISUSE and writes nothing. */
  manifestOf(zManifest, sizeof(zManifest), &nBefore);
  zLong[LSMC_META_MAX_NAME] = 'n';                /* 65 bytes */
  zLong[LSMC_META_MAX_NAME+1] = '\0';
  ck_assert_int_eq(lsmc_meta_put(pDb, zLong, "x", 1), LSMC_MISUSE);
  ck_assert_int_eq(lsmc_meta_put(pDb, "", "x", 1), LSMC_MISUSE);
  ck_assert_int_eq(lsmc_meta_put(pDb, 0, "x", 1), LSMC_MISUSE);
  ck_assert_int_eq(lsmc_meta_put(pDb, "tab\there", "x", 1), LSMC_MISUSE);
  ck_assert_int_eq(lsmc_meta_put(pDb, "\x01" "a", "x", 1), LSMC_MISUSE);
  ck_assert_int_eq(lsmc_meta_put(pDb, "caf\xc3\xa9", "x", 1), LSMC_MISUSE);
  ck_assert_int_eq(lsmc_meta_put(pDb, "big", aBig, LSMC_META_MAX_VALUE+1),
                   LSMC_MISUSE);
  ck_assert_int_eq(lsmc_meta_put(pDb, "name17", "x", 1), LSMC_MISUSE);
  ck_assert_ptr_nonnull(strstr(lsmc_errmsg(pDb), "at most 16"));
  ck_assert_int_eq(lsmc_meta_get(pDb, "", &pVal, &nVal), LSMC_MISUSE);
  manifestOf(zManifest2, sizeof(zManifest2), &nAfter);
  ck_assert_str_eq(zManifest, zManifest2);
  ck_assert_int_eq(nBefore, nAfter);
  checkMeta(pDb, "name17", 0);
  checkMeta(pDb, "big", 0);

  /* A full set still takes replacements. */
  putMeta(pDb, "name16", "replaced");
  checkMeta(pDb, "name16", "replaced");
  /* Writes still work: no misuse was sticky. */
  ck_assert_int_eq(lsmc_put(pDb, "k", 1, "v", 1), LSMC_OK);
  lsmc_close(pDb);

  /* All 16 survive a reopen, the 17th was never written. */
  pDb = openDb(0);
  zLong[LSMC_META_MAX_NAME] = '\0';
  checkMeta(pDb, zLong, "max name");
  checkMeta(pDb, "name03", "name03");
  checkMeta(pDb, "name16", "replaced");
  checkMeta(pDb, "name17", 0);
  ck_assert_int_eq(lsmc_meta_get(pDb, "maxval", &pVal, &nVal), LSMC_OK);
  ck_assert_uint_eq(nVal, LSMC_META_MAX_VALUE);
  lsmc_free(pDb, pVal);
  ck_assert_int_eq(lsmc_meta_put(pDb, "name17", "x", 1), LSMC_MISUSE);
  lsmc_close(pDb);
  free(aBig);
}
END_TEST

/*
** Values survive close and reopen (each reopen writes a new manifest whose
** first record must carry them), flushes and a full compaction.
*/
START_TEST(test_survives){
  lsmc_db *pDb = openDb(0);
  char zMan1[64], zMan2[64], zMan3[64];
  long long n;
  char *zReport = 0;
  int i;

  putMeta(pDb, "schema", "s1");
  putMeta(pDb, "gone", "first");
  putMeta(pDb, "gone", "second");
  manifestOf(zMan1, sizeof(zMan1), &n);
  lsmc_close(pDb);

  pDb = openDb(0);
  manifestOf(zMan2, sizeof(zMan2), &n);
  ck_assert_str_ne(zMan1, zMan2);                 /* a manifest rewrite */
  checkMeta(pDb, "schema", "s1");
  checkMeta(pDb, "gone", "second");
  /* Enough data for several flushes (64 KiB memtable), then a full
  ** compaction; a put in between. */
  for(i=0; i<3000; i++){
    char zKey[32], zVal[64];
    snprintf(zKey, sizeof(zKey), "key%06d", i);
    snprintf(zVal, sizeof(zVal), "value-%d-%040d", i, i);
    ck_assert_int_eq(lsmc_put(pDb, zKey, strlen(zKey), zVal, strlen(zVal)),
                     LSMC_OK);
    if( i==1500 ) putMeta(pDb, "mid", "during writes");
  }
  ck_assert_int_eq(lsmc_flush(pDb), LSMC_OK);
  checkMeta(pDb, "schema", "s1");
  checkMeta(pDb, "mid", "during writes");
  ck_assert_int_eq(lsmc_compact_range(pDb, 0, 0, 0, 0), LSMC_OK);
  checkMeta(pDb, "schema", "s1");
  putMeta(pDb, "schema", "s2");
  ck_assert_int_eq(lsmc_check(pDb, &zReport), LSMC_OK);
  ck_assert_str_eq(zReport, "ok");
  lsmc_free(pDb, zReport);
  lsmc_close(pDb);

  pDb = openDb(0);
  manifestOf(zMan3, sizeof(zMan3), &n);
  ck_assert_str_ne(zMan2, zMan3);
  checkMeta(pDb, "schema", "s2");
  checkMeta(pDb, "gone", "second");
  checkMeta(pDb, "mid", "during writes");
  lsmc_close(pDb);
}
END_TEST

/*
** A failed manifest write: the old value stays, the error is sticky (the
** next put and the next data write fail), and a reopen shows the old or
** the new value (the append may have reached the disk).
*/
START_TEST(test_failed_write){
  FaultEnv *pFault = 0;
  lsmc_db *pDb;
  void *pVal = 0;
  size_t nVal = 0;
  int rc;
  ck_assert_int_eq(faultenvNew(lsmc_default_env(), &pFault), LSMC_OK);
  pDb = openDb(faultenvEnv(pFault));
  putMeta(pDb, "v", "old");
  faultenvFailNth(pFault, FAULT_MASK(FAULT_OP_SYNC), 1, LSMC_IOERR, 0);
  ck_assert_int_eq(lsmc_meta_put(pDb, "v", "new", 3), LSMC_IOERR);
  faultenvClearFaults(pFault);
  checkMeta(pDb, "v", "old");
  ck_assert_int_eq(lsmc_meta_put(pDb, "w", "x", 1), LSMC_IOERR);   /* sticky */
  ck_assert_int_eq(lsmc_put(pDb, "k", 1, "v", 1), LSMC_IOERR);
  lsmc_close(pDb);
  pDb = openDb(0);
  rc = lsmc_meta_get(pDb, "v", &pVal, &nVal);
  ck_assert_int_eq(rc, LSMC_OK);
  ck_assert_uint_eq(nVal, 3);
  ck_assert(memcmp(pVal, "old", 3)==0 || memcmp(pVal, "new", 3)==0);
  lsmc_free(pDb, pVal);
  checkMeta(pDb, "w", 0);
  lsmc_close(pDb);
  faultenvFree(pFault);
}
END_TEST

/*
** Power loss.  bSynced: the put of "new" returned OK, then the process
** dies; after the crash the value must be "new".  Otherwise the put's
** manifest sync fails (its record is appended but not synced), the
** process dies, and the crash damages or drops the unsynced bytes as
** eMode says: the value must be "old" or "new" and the store whole.
** Returns 1 if "new" was found.
*/
static int crashAfterPut(int bSynced, int eMode, u32 seed){
  FaultEnv *pFault = 0;
  lsmc_db *pDb;
  char *zReport = 0;
  void *pVal = 0;
  size_t nVal = 0;
  int rc, bNew;
  ck_assert_int_eq(faultenvNew(lsmc_default_env(), &pFault), LSMC_OK);
  pDb = openDb(faultenvEnv(pFault));
  putMeta(pDb, "v", "old-value");
  ck_assert_int_eq(lsmc_put(pDb, "k", 1, "v", 1), LSMC_OK);
  ck_assert_int_eq(lsmc_flush(pDb), LSMC_OK);
  if( bSynced ){
    putMeta(pDb, "v", "new-value");
  }else{
    faultenvFailNth(pFault, FAULT_MASK(FAULT_OP_SYNC), 1, LSMC_IOERR, 0);
    ck_assert_int_eq(lsmc_meta_put(pDb, "v", "new-value", 9), LSMC_IOERR);
    faultenvClearFaults(pFault);
  }
  faultenvSetDead(pFault, 1);
  lsmc_close(pDb);
  ck_assert_int_eq(faultenvCrash(pFault, eMode, seed), LSMC_OK);

  pDb = openDbRc(0, &rc);
  ck_assert_msg(rc==LSMC_OK, "reopen after crash (mode %d seed %u): %s",
                eMode, (unsigned)seed, lsmc_errmsg(pDb));
  ck_assert_int_eq(lsmc_meta_get(pDb, "v", &pVal, &nVal), LSMC_OK);
  ck_assert_uint_eq(nVal, 9);
  bNew = memcmp(pVal, "new-value", 9)==0;
  ck_assert(bNew || memcmp(pVal, "old-value", 9)==0);
  lsmc_free(pDb, pVal);
  ck_assert_int_eq(lsmc_check(pDb, &zReport), LSMC_OK);
  ck_assert_str_eq(zReport, "ok");
  lsmc_free(pDb, zReport);
  lsmc_close(pDb);
  faultenvFree(pFault);
  testRemoveTree(dir.zPath);
  return bNew;
}

START_TEST(test_power_loss){
  static const int aMode[] = { FAULT_DROP_UNSYNCED, FAULT_TEAR, FAULT_ZERO,
                               FAULT_SECTOR };
  int i;
  u32 seed;
  for(i=0; i<4; i++){
    for(seed=1; seed<=6; seed++){
      ck_assert_int_eq(crashAfterPut(1, aMode[i], seed), 1);
      crashAfterPut(0, aMode[i], seed);
    }
  }
  /* Dropping every unsynced byte loses the unsynced put for certain. */
  ck_assert_int_eq(crashAfterPut(0, FAULT_DROP_UNSYNCED, 1), 0);
  ck_assert_int_eq(crashAfterPut(0, FAULT_ZERO, 1), 0);
}
END_TEST

int main(void){
  Suite *s = suite_create("meta");
  TCase *tc = tcase_create("meta");
  SRunner *sr;
  int nFail;
  tcase_add_checked_fixture(tc, setup, teardown);
  tcase_set_timeout(tc, 120);
  tcase_add_test(tc, test_put_get_replace);
  tcase_add_test(tc, test_bounds);
  tcase_add_test(tc, test_survives);
  tcase_add_test(tc, test_failed_write);
  tcase_add_test(tc, test_power_loss);
  suite_add_tcase(s, tc);
  sr = srunner_create(s);
  srunner_run_all(sr, CK_NORMAL);
  nFail = srunner_ntests_failed(sr);
  srunner_free(sr);
  return nFail==0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
