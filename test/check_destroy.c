/*
** check_destroy.c -- tests of lsmc_destroy() (destroy.c): a whole store
** over several levels is deleted with its directory; foreign files, and
** files of our pattern the store does not own, survive with the directory
** (TESTPLAN H4); an open store (this process or another) is LSMC_BUSY; a
** directory that is not a store is LSMC_CANTOPEN; damage is LSMC_CORRUPT;
** in every refusal nothing is deleted.
*/
#include "lsmcore.h"
#include "testutil.h"

#include <check.h>
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

static TestDir dir;            /* Fixture: parent of the store */
static char zStore[300];       /* The store directory, dir/store */

static void setup(void){
  testDirNew(&dir, "destroy");
  testDirPath(&dir, "store", zStore, sizeof(zStore));
}
static void teardown(void){ testDirFree(&dir); }

/* Open the store with a small memtable (so data spreads over files). */
static lsmc_db *openStore(void){
  lsmc_options *pOpts = 0;
  lsmc_db *pDb = 0;
  int rc;
  ck_assert_int_eq(lsmc_options_new(&pOpts), LSMC_OK);
  ck_assert_int_eq(lsmc_options_set(pOpts, LSMC_OPT_MEMTABLE_SIZE, 4096),
                   LSMC_OK);
  rc = lsmc_open(zStore, pOpts, &pDb);
  lsmc_options_free(pOpts);
  ck_assert_msg(rc==LSMC_OK, "open: %s", lsmc_errmsg(pDb));
  return pDb;
}

static void fillKeys(lsmc_db *pDb, int n, int iRound){
  int i;
  for(i=0; i<n; i++){
    char zKey[32], zVal[64];
    snprintf(zKey, sizeof(zKey), "key%06d", i);
    snprintf(zVal, sizeof(zVal), "val%d-%d", i, iRound);
    ck_assert_int_eq(lsmc_put(pDb, zKey, strlen(zKey), zVal, strlen(zVal)),
                     LSMC_OK);
  }
}

/*
** Build a closed store with SSTables on level 0 and on a deeper level,
** and return the number of non-empty levels it had.
*/
static int buildStore(void){
  lsmc_db *pDb = openStore();
  lsmc_stats st;
  int i, nLevel = 0;
  fillKeys(pDb, 2000, 1);
  ck_assert_int_eq(lsmc_compact_range(pDb, 0, 0, 0, 0), LSMC_OK);
  fillKeys(pDb, 300, 2);
  ck_assert_int_eq(lsmc_flush(pDb), LSMC_OK);
  fillKeys(pDb, 10, 3);                       /* left in the WAL */
  ck_assert_int_eq(lsmc_stats_get(pDb, &st), LSMC_OK);
  for(i=0; i<LSMC_STATS_LEVELS; i++) nLevel += (st.anFile[i]>0);
  lsmc_close(pDb);
  return nLevel;
}

/* Sorted, comma-joined names in zDir, into z (size n). */
static void listDir(const char *zDir, char *z, size_t n){
  char *az[256];
  int nName = 0, i, j;
  struct dirent *p;
  DIR *d = opendir(zDir);
  ck_assert_ptr_nonnull(d);
  while( (p = readdir(d))!=0 ){
    if( strcmp(p->d_name, ".")==0 || strcmp(p->d_name, "..")==0 ) continue;
    ck_assert_int_lt(nName, 256);
    az[nName++] = strdup(p->d_name);
  }
  closedir(d);
  for(i=1; i<nName; i++){                     /* insertion sort */
    for(j=i; j>0 && strcmp(az[j-1], az[j])>0; j--){
      char *t = az[j]; az[j] = az[j-1]; az[j-1] = t;
    }
  }
  z[0] = '\0';
  for(i=0; i<nName; i++){
    size_t nz = strlen(z);
    snprintf(&z[nz], n-nz, "%s%s", i ? "," : "", az[i]);
    free(az[i]);
  }
}

/* Create file zName in zDir holding zText. */
static void plant(const char *zDir, const char *zName, const char *zText){
  char zPath[512];
  FILE *f;
  snprintf(zPath, sizeof(zPath), "%s/%s", zDir, zName);
  f = fopen(zPath, "w");
  ck_assert_ptr_nonnull(f);
  fputs(zText, f);
  fclose(f);
}

/* Assert that zDir/zName exists and holds exactly zText. */
static void checkFile(const char *zDir, const char *zName, const char *zText){
  char zPath[512], zBuf[128] = {0};
  FILE *f;
  snprintf(zPath, sizeof(zPath), "%s/%s", zDir, zName);
  f = fopen(zPath, "r");
  ck_assert_msg(f!=0, "%s was deleted", zName);
  ck_assert_ptr_nonnull(fgets(zBuf, sizeof(zBuf), f));
  fclose(f);
  ck_assert_str_eq(zBuf, zText);
}

static int dirExists(const char *zDir){
  struct stat st;
  if( stat(zDir, &st)==0 ) return 1;
  ck_assert_int_eq(errno, ENOENT);
  return 0;
}

START_TEST(test_destroy_levels){
  char zBefore[4096];
  ck_assert_int_ge(buildStore(), 2);
  listDir(zStore, zBefore, sizeof(zBefore));
  ck_assert_ptr_nonnull(strstr(zBefore, ".log"));
  ck_assert_ptr_nonnull(strstr(zBefore, "MANIFEST-"));
  ck_assert_int_ge(testCountFiles(zStore, ".sst"), 2);
  ck_assert_int_eq(lsmc_destroy(zStore, 0), LSMC_OK);
  ck_assert_int_eq(dirExists(zStore), 0);
  ck_assert_int_eq(dirExists(dir.zPath), 1);    /* the parent stays */
  /* Destroying what is gone is LSMC_OK; a new store can be made there. */
  ck_assert_int_eq(lsmc_destroy(zStore, 0), LSMC_OK);
  lsmc_close(openStore());
  ck_assert_int_eq(lsmc_destroy(zStore, 0), LSMC_OK);
  ck_assert_int_eq(dirExists(zStore), 0);
}
END_TEST

START_TEST(test_destroy_keeps_foreign){
  char zAfter[4096];
  buildStore();
  /* Our pattern, numbered far above NEXT_FILE, named by no manifest. */
  plant(zStore, "notes.txt", "mine");
  plant(zStore, "999999.sst", "not an sstable");
  plant(zStore, "999999.log", "not a wal");
  plant(zStore, "MANIFEST-999999", "not a manifest");
  plant(zStore, "999998.tmp", "not a temp file");
  ck_assert_int_eq(lsmc_destroy(zStore, 0), LSMC_OK);
  listDir(zStore, zAfter, sizeof(zAfter));
  ck_assert_str_eq(zAfter,
      "999998.tmp,999999.log,999999.sst,MANIFEST-999999,notes.txt");
  checkFile(zStore, "notes.txt", "mine");
  checkFile(zStore, "999999.sst", "not an sstable");
  checkFile(zStore, "999999.log", "not a wal");
  checkFile(zStore, "MANIFEST-999999", "not a manifest");
  checkFile(zStore, "999998.tmp", "not a temp file");
  /* No IDENTITY left: a second destroy refuses and deletes nothing. */
  ck_assert_int_eq(lsmc_destroy(zStore, 0), LSMC_CANTOPEN);
  listDir(zStore, zAfter, sizeof(zAfter));
  ck_assert_str_eq(zAfter,
      "999998.tmp,999999.log,999999.sst,MANIFEST-999999,notes.txt");
}
END_TEST

START_TEST(test_destroy_orphan_below_next_file){
  char zNames[4096];
  buildStore();
  listDir(zStore, zNames, sizeof(zNames));
  ck_assert_ptr_null(strstr(zNames, "000002.sst"));
  /* Number 2 was handed out by the store (never reused): an orphan SST
  ** of an interrupted flush is the store's and goes with it. */
  plant(zStore, "000002.sst", "orphan");
  ck_assert_int_eq(lsmc_destroy(zStore, 0), LSMC_OK);
  ck_assert_int_eq(dirExists(zStore), 0);
}
END_TEST

START_TEST(test_destroy_busy_in_process){
  char zBefore[4096], zAfter[4096];
  lsmc_db *pDb;
  lsmc_db *pDb2;
  buildStore();
  pDb = openStore();
  pDb2 = openStore();                         /* shares the engine */
  listDir(zStore, zBefore, sizeof(zBefore));
  ck_assert_int_eq(lsmc_destroy(zStore, 0), LSMC_BUSY);
  lsmc_close(pDb2);
  ck_assert_int_eq(lsmc_destroy(zStore, 0), LSMC_BUSY);
  listDir(zStore, zAfter, sizeof(zAfter));
  ck_assert_str_eq(zAfter, zBefore);
  fillKeys(pDb, 5, 9);                        /* the store still works */
  lsmc_close(pDb);
  ck_assert_int_eq(lsmc_destroy(zStore, 0), LSMC_OK);
  ck_assert_int_eq(dirExists(zStore), 0);
}
END_TEST

START_TEST(test_destroy_busy_other_process){
  char zBefore[4096], zAfter[4096];
  lsmc_db *pDb;
  pid_t pid;
  int status = 0;
  buildStore();
  pDb = openStore();
  listDir(zStore, zBefore, sizeof(zBefore));
  /* Re-execute this binary (a fork would share this process's registry,
  ** so only the LOCK would be tested by a fresh process). */
  pid = fork();
  if( pid==0 ){
    setenv("LSMC_TEST_DESTROY_BUSY", zStore, 1);
    /* Under valgrind, /proc/self/exe is valgrind's tool; readlink()
    ** (which valgrind answers) names this program in both cases. */
    char zExe[4096];
    ssize_t nExe = readlink("/proc/self/exe", zExe, sizeof(zExe)-1);
    if( nExe>0 ){
      zExe[nExe] = '\0';
      execl(zExe, "check_destroy", (char*)0);
    }
    _exit(2);
  }
  ck_assert_int_eq(waitpid(pid, &status, 0), pid);
  ck_assert(WIFEXITED(status) && WEXITSTATUS(status)==0);
  listDir(zStore, zAfter, sizeof(zAfter));
  ck_assert_str_eq(zAfter, zBefore);
  lsmc_close(pDb);
}
END_TEST

START_TEST(test_destroy_not_a_store){
  char zAfter[4096];
  ck_assert_int_eq(mkdir(zStore, 0755), 0);
  ck_assert_int_eq(lsmc_destroy(zStore, 0), LSMC_CANTOPEN);   /* empty */
  ck_assert_int_eq(dirExists(zStore), 1);
  plant(zStore, "notes.txt", "mine");
  plant(zStore, "000001.sst", "x");
  plant(zStore, "CURRENT", "MANIFEST-000001\n");
  ck_assert_int_eq(lsmc_destroy(zStore, 0), LSMC_CANTOPEN);
  listDir(zStore, zAfter, sizeof(zAfter));
  ck_assert_str_eq(zAfter, "000001.sst,CURRENT,notes.txt");   /* no LOCK */
}
END_TEST

START_TEST(test_destroy_missing){
  lsmc_options *pOpts = 0;
  char zDeep[400];
  ck_assert_int_eq(lsmc_destroy(zStore, 0), LSMC_OK);
  snprintf(zDeep, sizeof(zDeep), "%s/a/b", zStore);
  ck_assert_int_eq(lsmc_options_new(&pOpts), LSMC_OK);
  ck_assert_int_eq(lsmc_destroy(zDeep, pOpts), LSMC_OK);
  lsmc_options_free(pOpts);
  ck_assert_int_eq(lsmc_destroy("", 0), LSMC_MISUSE);
  ck_assert_int_eq(dirExists(zStore), 0);
}
END_TEST

START_TEST(test_destroy_damaged){
  char zBefore[4096], zAfter[4096], zPath[512], zCur[64] = {0};
  FILE *f;
  buildStore();
  /* CURRENT naming garbage. */
  snprintf(zPath, sizeof(zPath), "%s/CURRENT", zStore);
  f = fopen(zPath, "r");
  ck_assert_ptr_nonnull(fgets(zCur, sizeof(zCur), f));
  fclose(f);
  plant(zStore, "CURRENT", "MANIFEST-xyz\n");
  listDir(zStore, zBefore, sizeof(zBefore));
  ck_assert_int_eq(lsmc_destroy(zStore, 0), LSMC_CORRUPT);
  listDir(zStore, zAfter, sizeof(zAfter));
  ck_assert_str_eq(zAfter, zBefore);
  /* A damaged manifest. */
  plant(zStore, "CURRENT", zCur);
  zCur[strlen(zCur)-1] = '\0';
  plant(zStore, zCur, "garbage that is no manifest record at all");
  ck_assert_int_eq(lsmc_destroy(zStore, 0), LSMC_CORRUPT);
  listDir(zStore, zAfter, sizeof(zAfter));
  ck_assert_str_eq(zAfter, zBefore);
  /* A damaged IDENTITY. */
  plant(zStore, "IDENTITY", "not ours");
  ck_assert_int_eq(lsmc_destroy(zStore, 0), LSMC_CORRUPT);
  listDir(zStore, zAfter, sizeof(zAfter));
  ck_assert_str_eq(zAfter, zBefore);
}
END_TEST

START_TEST(test_destroy_interrupted){
  char zNames[4096], zPath[4608];
  char *z, *zNext;
  buildStore();
  /* A destroy that crashed after the live manifest: every numbered file
  ** is gone, CURRENT names a missing manifest.  Destroy finishes it. */
  listDir(zStore, zNames, sizeof(zNames));
  for(z=zNames; z; z=zNext){
    zNext = strchr(z, ',');
    if( zNext ) *zNext++ = '\0';
    if( strcmp(z, "CURRENT")==0 || strcmp(z, "IDENTITY")==0 ) continue;
    snprintf(zPath, sizeof(zPath), "%s/%s", zStore, z);
    ck_assert_int_eq(unlink(zPath), 0);
  }
  ck_assert_int_eq(lsmc_destroy(zStore, 0), LSMC_OK);
  ck_assert_int_eq(dirExists(zStore), 0);

  /* The same with an unexplained file of ours left: refused. */
  lsmc_close(openStore());
  snprintf(zPath, sizeof(zPath), "%s/CURRENT", zStore);
  ck_assert_int_eq(unlink(zPath), 0);
  plant(zStore, "000077.sst", "x");
  listDir(zStore, zNames, sizeof(zNames));
  ck_assert_int_eq(lsmc_destroy(zStore, 0), LSMC_CORRUPT);
  {
    char zAfter[4096];
    listDir(zStore, zAfter, sizeof(zAfter));
    ck_assert_str_eq(zAfter, zNames);
  }
}
END_TEST

/*
** When re-executed by test_destroy_busy_other_process: destroy the store
** named by LSMC_TEST_DESTROY_BUSY and exit 0 if that is LSMC_BUSY.
*/
/*
** lsmc_rename: a closed store moves with its data; an open one, a missing
** one, a foreign directory or an existing target change nothing.
*/
START_TEST(test_rename){
  char zNew[400], zBefore[4096], zAfter[4096];
  lsmc_db *pDb;
  void *pVal = 0;
  size_t nVal = 0;
  snprintf(zNew, sizeof(zNew), "%s.renamed", zStore);
  buildStore();
  pDb = openStore();
  ck_assert_int_eq(lsmc_rename(zStore, zNew, 0), LSMC_BUSY);
  lsmc_close(pDb);
  listDir(zStore, zBefore, sizeof(zBefore));
  ck_assert_int_eq(mkdir(zNew, 0755), 0);
  ck_assert_int_eq(lsmc_rename(zStore, zNew, 0), LSMC_CANTOPEN); /* exists */
  ck_assert_int_eq(rmdir(zNew), 0);
  ck_assert_int_eq(lsmc_rename(zNew, zStore, 0), LSMC_CANTOPEN); /* missing */
  ck_assert_int_eq(lsmc_rename(zStore, "", 0), LSMC_MISUSE);
  ck_assert_int_eq(lsmc_rename(zStore, zNew, 0), LSMC_OK);
  ck_assert_int_eq(dirExists(zStore), 0);
  listDir(zNew, zAfter, sizeof(zAfter));
  ck_assert_str_eq(zAfter, zBefore);
  /* The data is there under the new name, WAL tail included. */
  ck_assert(strlen(zNew)<sizeof(zStore));
  memcpy(zStore, zNew, strlen(zNew)+1);
  pDb = openStore();
  ck_assert_int_eq(lsmc_get(pDb, 0, "key000005", 9, &pVal, &nVal), LSMC_OK);
  ck_assert_int_eq((int)nVal, 6);
  ck_assert_int_eq(memcmp(pVal, "val5-3", 6), 0);
  lsmc_free(pDb, pVal);
  lsmc_close(pDb);
  /* A directory that is not a store is never moved. */
  snprintf(zNew, sizeof(zNew), "%s.foreign", zStore);
  ck_assert_int_eq(mkdir(zNew, 0755), 0);
  plant(zNew, "000001.sst", "x");
  ck_assert_int_eq(lsmc_rename(zNew, zStore, 0), LSMC_CANTOPEN);
  checkFile(zNew, "000001.sst", "x");
}
END_TEST

static int destroyBusyChild(const char *zDir){
  int rc = lsmc_destroy(zDir, 0);
  if( rc!=LSMC_BUSY ) fprintf(stderr, "child destroy: rc=%d\n", rc);
  return rc==LSMC_BUSY ? 0 : 1;
}

int main(void){
  Suite *s;
  TCase *tc;
  SRunner *sr;
  int nFail;
  if( getenv("LSMC_TEST_DESTROY_BUSY") ){
    return destroyBusyChild(getenv("LSMC_TEST_DESTROY_BUSY"));
  }
  s = suite_create("destroy");
  tc = tcase_create("destroy");
  tcase_add_checked_fixture(tc, setup, teardown);
  tcase_set_timeout(tc, 120);
  tcase_add_test(tc, test_destroy_levels);
  tcase_add_test(tc, test_destroy_keeps_foreign);
  tcase_add_test(tc, test_destroy_orphan_below_next_file);
  tcase_add_test(tc, test_destroy_busy_in_process);
  tcase_add_test(tc, test_destroy_busy_other_process);
  tcase_add_test(tc, test_destroy_not_a_store);
  tcase_add_test(tc, test_destroy_missing);
  tcase_add_test(tc, test_destroy_damaged);
  tcase_add_test(tc, test_destroy_interrupted);
  tcase_add_test(tc, test_rename);
  suite_add_tcase(s, tc);
  sr = srunner_create(s);
  srunner_run_all(sr, CK_NORMAL);
  nFail = srunner_ntests_failed(sr);
  srunner_free(sr);
  return nFail ? EXIT_FAILURE : EXIT_SUCCESS;
}
