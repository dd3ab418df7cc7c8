/*
** check_powerloss.c -- simulated power loss through the SQL module
** (TESTPLAN B1, B4, B5).  Every case runs the sqlwork workload (sqlwork.h)
** on the table lsm(k INTEGER PRIMARY KEY, v BLOB, memtable_size=65536,
** sync=<mode>) of a database file in a fresh temporary directory, with the
** module registered over a FaultEnv (faultenv.h).  A "crash" is made in
** process: the env's sync hook turns the dead switch on right after the
** chosen xSync/xSyncDir (every later mutating call fails, as if the
** process had died there), the workload stops at its first failed
** transaction, the connection is closed, and faultenvCrash() simulates
** the power loss in one damage mode: (a) FAULT_DROP_UNSYNCED, (b)
** FAULT_TEAR, (c) FAULT_SECTOR.  Then a fresh connection reopens the table
** and runs VERIFY: sqlworkVerify() (lsm_check is 'ok'; the marker names
** the last present transaction j; scans and point lookups equal the
** oracle after exactly j transactions), then the probe write, a reopen
** and the probe check (step 7).  A crash inside the CREATE (the table was
** never committed) must leave a directory in which the CREATE can be
** run again.
**
** test_b1_*: a counting run enumerates every sync point of the workload
**   (and asserts through lsm_stats that it flushed and compacted); then
**   for EVERY sync point s and each damage mode a case crashes at s.
**   Pass bar: every case passes VERIFY; sync=full loses no acked
**   transaction; normal and off recover a prefix.  Points past the
**   counted ones are tried while the workload still reaches them (the
**   background thread makes the count vary a little).
** test_b4_compound: a store crashed as in B1 at a sample of points (CI)
**   or every point (soak) is recovered with a crash at each sync point of
**   the recovery (counted first), then recovered again and VERIFYed.
** test_b5_clean_close: part of the workload, a clean close (no flush, no
**   checkpoint), then mode (a): every acked transaction is present, in
**   every sync mode (the WAL is synced on close).
** test_verify_detects, test_sector_mode: the harness proves itself:
**   VERIFY rejects a lost acked transaction, a foreign oracle, a row
**   deleted behind its back and a missing probe; FAULT_SECTOR produces
**   exactly the image faultenvSectorAction() predicts.
**
** Profiles (LSMV_TEST_PROFILE): ci (default) runs sync=full and normal in
** B1 and B4 with 1 seed per (point, mode) and a workload of PL_CI_TXN
** transactions, and B4 at PL_CI_B4_POINTS points; soak runs full, normal
** and off with the full 300 transactions, 20 seeds of mode (c), and B4
** at every point.  Each test prints its counts and "N passed, N failed".
** On a failure the seed, sync mode, damage mode, sync point, message and
** a copy of the crashed directory (database file + store) go to
** $LSMV_RESULTS_DIR/powerloss/<case>/ (default ./test-results/...).
*/
#include "sqlwork.h"
#include "faultenv.h"
#include "testutil.h"
#include "lsmvtab.h"

#include <check.h>
#include <sqlite3.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define PL_TABLE          "lsm"
#define PL_SOAK_TXN       300   /* Workload size in soak (TESTPLAN B1) */
#define PL_CI_TXN         300   /* Workload size in CI */
#define PL_CI_B4_POINTS   12    /* B4 first-crash points sampled in CI */
#define PL_SOAK_SECTOR    20    /* Seeds of mode (c) per point in soak */
#define PL_MAX_REPORTS    5     /* Reproducers written per test */
#define PL_ERR            1024  /* Message buffer size */

typedef struct PlCfg PlCfg;
typedef struct PlHarness PlHarness;
typedef struct PlHook PlHook;
typedef struct PlRun PlRun;

/* What the profile asks for. */
struct PlCfg {
  int bSoak;            /* LSMV_TEST_PROFILE=soak */
  int nTxn;             /* Transactions of the workload */
  int nSectorSeeds;     /* Seeds of mode (c) per sync point */
  int nB4Points;        /* B4 first-crash points; 0: every one */
};

/* The sync hook's target: kill the "process" after sync iTarget. */
struct PlHook {
  u64 iTarget;          /* Sync number to die after; 0: never */
  atomic_int bHit;      /* Set once the hook killed it */
  FaultEnv *pInside;    /* Env whose sync iTarget itself fails, or 0 */
};

/* One test's directories and tallies. */
struct PlHarness {
  const char *zTest;    /* Test name, for reports */
  char zRoot[300];      /* mkdtemp directory of the test */
  char zWork[340];      /* Directory of the database and its store */
  char zDb[360];        /* The database file */
  char zSnap[340];      /* Copy of the crashed directory */
  char zSnap2[340];     /* Copy after a second (compound) crash */
  int nPass;            /* Cases passed */
  int nFail;            /* Cases failed */
  int nReport;          /* Reproducers written */
  char zFirstErr[PL_ERR];   /* Message of the first failure */
};

/* Outcome of running the workload up to a crash. */
struct PlRun {
  int bCreated;         /* CREATE VIRTUAL TABLE succeeded */
  int nAcked;           /* Transactions whose COMMIT returned OK */
  int nTried;           /* Transactions started */
  int bHit;             /* The crash point was reached */
  u64 nSync;            /* Syncs seen by the env over the run */
};

static const char *const azPlMode[] = { "drop", "tear", "zero", "sector" };

/* The profile's configuration. */
static PlCfg plConfig(void){
  PlCfg c;
  const char *z = getenv("LSMV_TEST_PROFILE");
  c.bSoak = z && strcmp(z, "soak")==0;
  c.nTxn = c.bSoak ? PL_SOAK_TXN : PL_CI_TXN;
  c.nSectorSeeds = c.bSoak ? PL_SOAK_SECTOR : 1;
  c.nB4Points = c.bSoak ? 0 : PL_CI_B4_POINTS;
  return c;
}

/* ------------------------------------------------------------------ */
/* Directories                                                        */

/* mkdir -p zPath (best effort). */
static void plMkdirs(const char *zPath){
  char z[1024];
  size_t i;
  snprintf(z, sizeof(z), "%s", zPath);
  for(i=1; z[i]; i++){
    if( z[i]=='/' ){
      z[i] = 0;
      mkdir(z, 0755);
      z[i] = '/';
    }
  }
  mkdir(z, 0755);
}

/* Copy regular file zFrom to zTo. 0 on success. */
static int plCopyFile(const char *zFrom, const char *zTo){
  char aBuf[65536];
  int fdIn = open(zFrom, O_RDONLY);
  int fdOut = fdIn<0 ? -1 : open(zTo, O_WRONLY|O_CREAT|O_TRUNC, 0644);
  int rc = (fdIn<0 || fdOut<0) ? -1 : 0;
  while( rc==0 ){
    ssize_t n = read(fdIn, aBuf, sizeof(aBuf));
    if( n<=0 ){
      if( n<0 ) rc = -1;
      break;
    }
    if( write(fdOut, aBuf, (size_t)n)!=n ) rc = -1;
  }
  if( fdIn>=0 ) close(fdIn);
  if( fdOut>=0 ) close(fdOut);
  return rc;
}

/* Copy the tree zFrom (directories and regular files) into zTo, which is
** created.  0 on success. */
static int plCopyTree(const char *zFrom, const char *zTo){
  DIR *d = opendir(zFrom);
  struct dirent *pEnt;
  int rc = d ? 0 : -1;
  mkdir(zTo, 0755);
  while( rc==0 && (pEnt = readdir(d))!=0 ){
    char zA[1024], zB[1024];
    struct stat st;
    if( strcmp(pEnt->d_name, ".")==0 || strcmp(pEnt->d_name, "..")==0 ){
      continue;
    }
    snprintf(zA, sizeof(zA), "%s/%s", zFrom, pEnt->d_name);
    snprintf(zB, sizeof(zB), "%s/%s", zTo, pEnt->d_name);
    if( lstat(zA, &st)!=0 ) rc = -1;
    else if( S_ISDIR(st.st_mode) ) rc = plCopyTree(zA, zB);
    else if( S_ISREG(st.st_mode) ) rc = plCopyFile(zA, zB);
  }
  if( d ) closedir(d);
  return rc;
}

/* Replace the tree zDir by a copy of zFrom, or by an empty directory if
** zFrom is NULL. */
static void plReset(const char *zDir, const char *zFrom){
  testRemoveTree(zDir);
  if( zFrom ){
    ck_assert_msg(plCopyTree(zFrom, zDir)==0, "cannot copy %s", zFrom);
  }else{
    ck_assert_int_eq(mkdir(zDir, 0755), 0);
  }
}

/* Set up the harness of test zTest: a fresh temporary root. */
static void plHarnessInit(PlHarness *h, const char *zTest){
  TestDir d;
  memset(h, 0, sizeof(*h));
  h->zTest = zTest;
  testDirNew(&d, "powerloss");
  snprintf(h->zRoot, sizeof(h->zRoot), "%s", d.zPath);
  snprintf(h->zWork, sizeof(h->zWork), "%s/work", h->zRoot);
  snprintf(h->zDb, sizeof(h->zDb), "%s/t.db", h->zWork);
  snprintf(h->zSnap, sizeof(h->zSnap), "%s/snap", h->zRoot);
  snprintf(h->zSnap2, sizeof(h->zSnap2), "%s/snap2", h->zRoot);
}

/* Remove the harness's directories and print its tally. */
static void plHarnessDone(PlHarness *h){
  testRemoveTree(h->zRoot);
  printf("%s: %d passed, %d failed\n", h->zTest, h->nPass, h->nFail);
  fflush(stdout);
}

/*
** Record a failed case: its message, and (for the first PL_MAX_REPORTS)
** a reproducer directory with info.txt and copies of the crashed trees.
*/
static void plFail(PlHarness *h, const char *zCase, const char *zInfo,
                   const char *zMsg){
  h->nFail++;
  if( h->nFail==1 ){
    snprintf(h->zFirstErr, sizeof(h->zFirstErr), "%s: %s", zCase, zMsg);
  }
  fprintf(stderr, "FAIL %s %s: %s\n", h->zTest, zCase, zMsg);
  if( h->nReport<PL_MAX_REPORTS ){
    const char *zRes = getenv("LSMV_RESULTS_DIR");
    char zDir[1024], zPath[1100];
    FILE *f;
    snprintf(zDir, sizeof(zDir), "%s/powerloss/%s-%s",
             zRes && zRes[0] ? zRes : "./test-results", h->zTest, zCase);
    plMkdirs(zDir);
    snprintf(zPath, sizeof(zPath), "%s/info.txt", zDir);
    f = fopen(zPath, "w");
    if( f ){
      fprintf(f, "test: %s\ncase: %s\n%s\nfailure: %s\n"
              "crashed/: the directory (database + store) right after the "
              "crash, before recovery\n", h->zTest, zCase, zInfo, zMsg);
      fclose(f);
    }
    snprintf(zPath, sizeof(zPath), "%s/crashed", zDir);
    testRemoveTree(zPath);
    plCopyTree(h->zSnap, zPath);
    if( access(h->zSnap2, F_OK)==0 ){
      snprintf(zPath, sizeof(zPath), "%s/crashed-again", zDir);
      testRemoveTree(zPath);
      plCopyTree(h->zSnap2, zPath);
    }
    fprintf(stderr, "  reproducer: %s\n", zDir);
    h->nReport++;
  }
}

/* ------------------------------------------------------------------ */
/* Connections, workload, VERIFY                                      */

/*
** Whether the "process" has died: the hook fired, or (a crash inside a
** sync) the armed sync failure was injected.
*/
static int plDied(PlHook *pHook){
  if( atomic_load(&pHook->bHit) ) return 1;
  return pHook->pInside && faultenvInjected(pHook->pInside)>0;
}

/* The sync hook: the process "dies" right after sync iTarget. */
static void plHookFn(FaultEnv *pFault, void *pArg, u64 iSync){
  PlHook *pHook = (PlHook*)pArg;
  if( pHook->iTarget!=0 && iSync==pHook->iTarget ){
    faultenvSetDead(pFault, 1);
    atomic_store(&pHook->bHit, 1);
  }
}

/* Open zDb with the module over pFault.  SQLITE_OK or the error. */
static int plOpen(const char *zDb, FaultEnv *pFault, sqlite3 **pDb){
  int rc = sqlite3_open_v2(zDb, pDb, SQLITE_OPEN_READWRITE|SQLITE_OPEN_CREATE,
                           0);
  if( rc==SQLITE_OK ) rc = lsmvtabRegister(*pDb, faultenvEnv(pFault), 0);
  return rc;
}

/* Close db; a failure here is a harness failure. */
static void plClose(sqlite3 *db){
  ck_assert_int_eq(sqlite3_close(db), SQLITE_OK);
}

/* The value of "zField": N in lsm_stats(PL_TABLE), or -1. */
static long plStat(sqlite3 *db, const char *zField){
  sqlite3_stmt *pStmt = 0;
  long iVal = -1;
  if( sqlite3_prepare_v2(db, "SELECT lsm_stats('" PL_TABLE "')", -1, &pStmt,
                         0)==SQLITE_OK
   && sqlite3_step(pStmt)==SQLITE_ROW ){
    char zPat[64];
    const char *z = (const char*)sqlite3_column_text(pStmt, 0);
    const char *zHit;
    snprintf(zPat, sizeof(zPat), "\"%s\":", zField);
    zHit = z ? strstr(z, zPat) : 0;
    if( zHit ) iVal = strtol(zHit + strlen(zPat), 0, 10);
  }
  sqlite3_finalize(pStmt);
  return iVal;
}

/*
** Run transactions 1..nRun of pWork on a new table of sync mode zSync in
** h->zDb through pFault, stopping at the first failure, and close the
** connection.  A failure while the env is not dead is a harness failure
** (message in zErr, returns -1).  With pnFlush/pnCompact, lsm_stats is
** read before the close.
*/
static int plWorkload(PlHarness *h, FaultEnv *pFault, PlHook *pHook,
                      SqlWork *pWork, const char *zSync, int nRun,
                      PlRun *pRun, long *pnFlush, long *pnCompact,
                      char *zErr){
  char zOpts[100];
  sqlite3 *db = 0;
  int rc, i;
  memset(pRun, 0, sizeof(*pRun));
  zErr[0] = 0;
  snprintf(zOpts, sizeof(zOpts), "memtable_size=65536, sync=%s", zSync);
  ck_assert_int_eq(plOpen(h->zDb, pFault, &db), SQLITE_OK);
  rc = sqlworkCreate(pWork, db, PL_TABLE, zOpts);
  if( rc==SQLITE_OK ){
    pRun->bCreated = 1;
  }else if( !plDied(pHook) ){
    snprintf(zErr, PL_ERR, "CREATE failed before the crash: %d %s", rc,
             sqlite3_errmsg(db));
  }
  for(i=1; pRun->bCreated && i<=nRun; i++){
    pRun->nTried = i;
    rc = sqlworkRunTxn(pWork, db, PL_TABLE, i);
    if( rc!=SQLITE_OK ){
      if( !plDied(pHook) ){
        snprintf(zErr, PL_ERR, "transaction %d failed before the crash: "
                 "%d %s", i, rc, sqlite3_errmsg(db));
      }
      break;
    }
    pRun->nAcked = i;
  }
  if( pnFlush ) *pnFlush = plStat(db, "flushes");
  if( pnCompact ) *pnCompact = plStat(db, "compactions");
  plClose(db);
  pRun->bHit = plDied(pHook);
  pRun->nSync = faultenvSyncCount(pFault);
  return zErr[0] ? -1 : 0;
}

/* Whether table PL_TABLE exists in db's schema. */
static int plTableExists(sqlite3 *db){
  sqlite3_stmt *pStmt = 0;
  int bExists;
  ck_assert_int_eq(sqlite3_prepare_v2(db, "SELECT 1 FROM sqlite_schema "
                   "WHERE name='" PL_TABLE "'", -1, &pStmt, 0), SQLITE_OK);
  bExists = sqlite3_step(pStmt)==SQLITE_ROW;
  sqlite3_finalize(pStmt);
  return bExists;
}

/*
** VERIFY after a crash of run pRun: reopen, check (sqlworkVerify), probe
** write, reopen, probe check.  If the table was never created, the CREATE
** must work now (and the table is then empty).  Returns j, or -1 with a
** message in zErr.
*/
static int plVerify(PlHarness *h, FaultEnv *pFault, SqlWork *pWork,
                    const char *zSync, const PlRun *pRun, char *zErr){
  sqlite3 *db = 0;
  int nAcked = pRun->nAcked;
  int nTried = pRun->nTried;
  int j;
  ck_assert_int_eq(plOpen(h->zDb, pFault, &db), SQLITE_OK);
  if( !plTableExists(db) ){
    char zOpts[100];
    int rc;
    if( pRun->bCreated ){
      plClose(db);
      snprintf(zErr, PL_ERR, "the table vanished from the schema");
      return -1;
    }
    snprintf(zOpts, sizeof(zOpts), "memtable_size=65536, sync=%s", zSync);
    rc = sqlworkCreate(pWork, db, PL_TABLE, zOpts);
    if( rc!=SQLITE_OK ){
      snprintf(zErr, PL_ERR, "CREATE after a crash inside CREATE failed: "
               "%d %s", rc, sqlite3_errmsg(db));
      plClose(db);
      return -1;
    }
    nAcked = nTried = 0;
  }
  j = sqlworkVerify(pWork, db, PL_TABLE, nAcked, nTried,
                    strcmp(zSync, "full")==0, zErr, PL_ERR);
  if( j>=0 && sqlworkProbeWrite(pWork, db, PL_TABLE)!=SQLITE_OK ){
    snprintf(zErr, PL_ERR, "probe write failed: %s", sqlite3_errmsg(db));
    j = -1;
  }
  plClose(db);
  if( j>=0 ){
    ck_assert_int_eq(plOpen(h->zDb, pFault, &db), SQLITE_OK);
    if( sqlworkProbeCheck(pWork, db, PL_TABLE)!=0 ){
      snprintf(zErr, PL_ERR, "probe write not visible after reopen: %s",
               sqlite3_errmsg(db));
      j = -1;
    }
    plClose(db);
  }
  return j;
}

/* A new FaultEnv over the POSIX env with the hook installed. */
static FaultEnv *plFaultNew(PlHook *pHook, u64 iTarget){
  FaultEnv *pFault = 0;
  ck_assert_int_eq(faultenvNew(lsmc_default_env(), &pFault), LSMC_OK);
  pHook->iTarget = iTarget;
  pHook->pInside = 0;
  atomic_store(&pHook->bHit, 0);
  faultenvSetSyncHook(pFault, plHookFn, pHook);
  return pFault;
}

/*
** Crash the workload (nRun transactions) at sync point iPoint (0: never;
** the run then ends with a clean close) in mode eMode, and snapshot the
** crashed directory into h->zSnap.  bInside: the crash happens inside
** sync iPoint instead of after it (that sync and every later one fails,
** so the bytes it should have made durable are not).  Returns 0, or -1
** with zErr set.
*/
static int plCrashRun(PlHarness *h, SqlWork *pWork, const char *zSync,
                      int nRun, u64 iPoint, int bInside, int eMode,
                      u32 seed, PlRun *pRun, char *zErr){
  PlHook hook;
  FaultEnv *pFault;
  int rc;
  plReset(h->zWork, 0);
  testRemoveTree(h->zSnap2);
  pFault = plFaultNew(&hook, bInside ? 0 : iPoint);
  if( bInside ){
    hook.pInside = pFault;
    faultenvFailNth(pFault, FAULT_MASK(FAULT_OP_SYNC)
                    |FAULT_MASK(FAULT_OP_SYNCDIR), iPoint, LSMC_IOERR, 1);
  }
  rc = plWorkload(h, pFault, &hook, pWork, zSync, nRun, pRun, 0, 0, zErr);
  faultenvSetSyncHook(pFault, 0, 0);
  if( faultenvCrash(pFault, eMode, seed)!=LSMC_OK ){
    snprintf(zErr, PL_ERR, "faultenvCrash failed");
    rc = -1;
  }
  faultenvFree(pFault);
  testRemoveTree(h->zSnap);
  ck_assert_int_eq(plCopyTree(h->zWork, h->zSnap), 0);
  return rc;
}

/* "seed=... sync=... mode=... point=..." for info.txt. */
static void plInfo(char *zInfo, int nInfo, SqlWork *pWork, uint64_t wseed,
                   const char *zSync, int eMode, u64 iPoint, u32 seed,
                   const PlRun *pRun){
  snprintf(zInfo, (size_t)nInfo, "workload seed: %llu (%d transactions)\n"
           "sync mode: %s\ndamage mode: %s (%d)\nsync point: %llu\n"
           "damage seed: %u\nacked: %d, tried: %d, created: %d",
           (unsigned long long)wseed, sqlworkCount(pWork), zSync,
           azPlMode[eMode], eMode, (unsigned long long)iPoint, seed,
           pRun->nAcked, pRun->nTried, pRun->bCreated);
}

/*
** One B1 case.  Returns whether the crash point was reached.
*/
static int plB1Case(PlHarness *h, SqlWork *pWork, uint64_t wseed,
                    const char *zSync, u64 iPoint, int bInside, int eMode,
                    u32 seed){
  char zErr[PL_ERR];
  char zCase[128];
  char zInfo[512];
  PlRun run;
  int j = -1;
  int rc = plCrashRun(h, pWork, zSync, sqlworkCount(pWork), iPoint,
                      bInside, eMode, seed, &run, zErr);
  if( rc==0 ){
    PlHook hook;
    FaultEnv *pFault = plFaultNew(&hook, 0);
    j = plVerify(h, pFault, pWork, zSync, &run, zErr);
    faultenvFree(pFault);
  }
  snprintf(zCase, sizeof(zCase), "sync_%s-%s-%s%llu-seed%u", zSync,
           azPlMode[eMode], bInside ? "in" : "s", (unsigned long long)iPoint,
           seed);
  if( j<0 ){
    plInfo(zInfo, sizeof(zInfo), pWork, wseed, zSync, eMode, iPoint, seed,
           &run);
    if( bInside ){
      snprintf(zInfo + strlen(zInfo), sizeof(zInfo) - strlen(zInfo),
               "\ncrash inside the sync (it and every later sync fail)");
    }
    plFail(h, zCase, zInfo, zErr);
  }else{
    h->nPass++;
  }
  return run.bHit;
}

/*
** The counting run: the workload of pWork without a crash.  Returns the
** number of sync points (xSync + xSyncDir, the close included) and
** asserts that the run flushed and compacted and that its result
** verifies.
*/
static u64 plCount(PlHarness *h, SqlWork *pWork, const char *zSync){
  char zErr[PL_ERR];
  PlHook hook;
  FaultEnv *pFault = plFaultNew(&hook, 0);
  long nFlush = 0, nCompact = 0;
  PlRun run;
  u64 nSync;
  int j;
  plReset(h->zWork, 0);
  ck_assert_msg(plWorkload(h, pFault, &hook, pWork, zSync,
                sqlworkCount(pWork), &run, &nFlush, &nCompact, zErr)==0,
                "counting run: %s", zErr);
  nSync = run.nSync;
  faultenvFree(pFault);
  ck_assert_int_eq(run.nAcked, sqlworkCount(pWork));
  ck_assert_msg(nFlush>0 && nCompact>0, "the workload must flush and "
                "compact: %ld flushes, %ld compactions", nFlush, nCompact);
  pFault = plFaultNew(&hook, 0);
  j = plVerify(h, pFault, pWork, zSync, &run, zErr);
  faultenvFree(pFault);
  ck_assert_msg(j==sqlworkCount(pWork), "counting run: %s", zErr);
  ck_assert_uint_ge(nSync, 1);
  printf("%s: sync=%s: %d transactions, %llu sync points, %ld flushes, "
         "%ld compactions\n", h->zTest, zSync, sqlworkCount(pWork),
         (unsigned long long)nSync, nFlush, nCompact);
  return nSync;
}

/* ------------------------------------------------------------------ */
/* B1                                                                 */

/*
** B1 for one sync mode: every sync point x every damage mode (x seeds of
** mode (c) in soak).
*/
static void plB1(const char *zTest, const char *zSync, uint64_t wseed){
  /* Passes: each mode after the sync; tear and sector inside it. */
  static const int aMode[5] = { FAULT_DROP_UNSYNCED, FAULT_TEAR, FAULT_SECTOR,
                                FAULT_TEAR, FAULT_SECTOR };
  PlCfg cfg = plConfig();
  PlHarness h;
  SqlWork *pWork = 0;
  int anCase[5] = {0, 0, 0, 0, 0};
  u64 nPoint, nMax = 0;
  int i;

  plHarnessInit(&h, zTest);
  ck_assert_int_eq(sqlworkNew(wseed, cfg.nTxn, &pWork), SQLITE_OK);
  nPoint = plCount(&h, pWork, zSync);
  for(i=0; i<5; i++){
    int nSeed = aMode[i]==FAULT_SECTOR ? cfg.nSectorSeeds : 1;
    u64 s;
    int bReached = 1;
    for(s=1; s<=nPoint || bReached; s++){
      int iSeed;
      bReached = 0;
      for(iSeed=0; iSeed<nSeed; iSeed++){
        u32 seed = (u32)(s*7919 + (u64)iSeed*104729 + (u64)i);
        if( plB1Case(&h, pWork, wseed, zSync, s, i>=3, aMode[i], seed) ){
          bReached = 1;
        }
        anCase[i]++;
      }
      if( bReached && s>nMax ) nMax = s;
    }
  }
  printf("%s: sync=%s: %llu sync points enumerated (up to %llu reached); "
         "cases after the sync: drop %d, tear %d, sector %d; inside the "
         "sync: tear %d, sector %d\n", zTest, zSync,
         (unsigned long long)nPoint, (unsigned long long)nMax, anCase[0],
         anCase[1], anCase[2], anCase[3], anCase[4]);
  sqlworkFree(pWork);
  plHarnessDone(&h);
  ck_assert_msg(h.nFail==0, "%d of %d cases failed; first: %s", h.nFail,
                h.nFail + h.nPass, h.zFirstErr);
  ck_assert(anCase[0]>0 && anCase[1]>0 && anCase[2]>0);
}

START_TEST(test_b1_full){
  plB1("b1_full", "full", 1001);
}
END_TEST

START_TEST(test_b1_normal){
  plB1("b1_normal", "normal", 1002);
}
END_TEST

START_TEST(test_b1_off){
  plB1("b1_off", "off", 1003);
}
END_TEST

/* ------------------------------------------------------------------ */
/* B4                                                                 */

/*
** Recover the crashed store in h->zSnap, with a crash after recovery
** sync iPoint (0: none) of mode eMode.  The recovery is: open the
** database, run one statement on the table (which opens the store and
** replays its WAL), close.  Returns the syncs it made; *pbHit: whether it
** reached iPoint.
*/
static u64 plRecover(PlHarness *h, u64 iPoint, int eMode, u32 seed,
                     int *pbHit){
  PlHook hook;
  FaultEnv *pFault = plFaultNew(&hook, iPoint);
  sqlite3 *db = 0;
  u64 nSync;
  plReset(h->zWork, h->zSnap);
  ck_assert_int_eq(plOpen(h->zDb, pFault, &db), SQLITE_OK);
  if( plTableExists(db) ){
    sqlite3_exec(db, "SELECT count(*) FROM " PL_TABLE, 0, 0, 0);
  }
  plClose(db);
  faultenvSetSyncHook(pFault, 0, 0);
  nSync = faultenvSyncCount(pFault);
  *pbHit = atomic_load(&hook.bHit);
  ck_assert_int_eq(faultenvCrash(pFault, eMode, seed), LSMC_OK);
  faultenvFree(pFault);
  return nSync;
}

/*
** B4 for one sync mode: first crashes at a sample of points, each
** followed by a crash at every sync point of its recovery.
*/
static void plB4(PlHarness *h, const char *zSync, uint64_t wseed,
                 int *pnCase){
  static const int aMode[3] = { FAULT_DROP_UNSYNCED, FAULT_TEAR, FAULT_SECTOR };
  PlCfg cfg = plConfig();
  SqlWork *pWork = 0;
  u64 nPoint, iStep, s;
  int nRecoverySyncs = 0;
  ck_assert_int_eq(sqlworkNew(wseed, cfg.nTxn, &pWork), SQLITE_OK);
  nPoint = plCount(h, pWork, zSync);
  iStep = (cfg.nB4Points==0 || nPoint<=(u64)cfg.nB4Points)
        ? 1 : (nPoint + (u64)cfg.nB4Points - 1)/(u64)cfg.nB4Points;
  for(s=1; s<=nPoint; s+=iStep){
    int i;
    for(i=0; i<3; i++){
      char zErr[PL_ERR];
      PlRun run;
      u32 seed = (u32)(s*31 + (u64)i);
      int bHit = 0;
      u64 r, nRec;
      if( plCrashRun(h, pWork, zSync, sqlworkCount(pWork), s, 0, aMode[i],
                     seed, &run, zErr) ){
        char zInfo[512], zCase[128];
        plInfo(zInfo, sizeof(zInfo), pWork, wseed, zSync, aMode[i], s, seed,
               &run);
        snprintf(zCase, sizeof(zCase), "sync_%s-%s-s%llu", zSync,
                 azPlMode[aMode[i]], (unsigned long long)s);
        plFail(h, zCase, zInfo, zErr);
        continue;
      }
      nRec = plRecover(h, 0, aMode[i], seed, &bHit);
      nRecoverySyncs += (int)nRec;
      for(r=1; r<=nRec || bHit; r++){
        PlHook hook;
        FaultEnv *pFault;
        int j;
        plRecover(h, r, aMode[i], seed + (u32)r, &bHit);
        testRemoveTree(h->zSnap2);
        ck_assert_int_eq(plCopyTree(h->zWork, h->zSnap2), 0);
        pFault = plFaultNew(&hook, 0);
        j = plVerify(h, pFault, pWork, zSync, &run, zErr);
        faultenvFree(pFault);
        (*pnCase)++;
        if( j<0 ){
          char zInfo[600], zCase[128];
          plInfo(zInfo, sizeof(zInfo), pWork, wseed, zSync, aMode[i], s,
                 seed, &run);
          snprintf(zInfo + strlen(zInfo), sizeof(zInfo) - strlen(zInfo),
                   "\nrecovery sync point: %llu (damage seed %u, same mode)",
                   (unsigned long long)r, seed + (u32)r);
          snprintf(zCase, sizeof(zCase), "sync_%s-%s-s%llu-r%llu", zSync,
                   azPlMode[aMode[i]], (unsigned long long)s,
                   (unsigned long long)r);
          plFail(h, zCase, zInfo, zErr);
        }else{
          h->nPass++;
        }
      }
    }
  }
  printf("%s: sync=%s: first crash at every %llu-th of %llu points, "
         "%d recovery sync points in all\n", h->zTest, zSync,
         (unsigned long long)iStep, (unsigned long long)nPoint,
         nRecoverySyncs);
  sqlworkFree(pWork);
}

START_TEST(test_b4_compound){
  PlCfg cfg = plConfig();
  PlHarness h;
  int nCase = 0;
  plHarnessInit(&h, "b4");
  plB4(&h, "full", 2001, &nCase);
  plB4(&h, "normal", 2002, &nCase);
  if( cfg.bSoak ) plB4(&h, "off", 2003, &nCase);
  plHarnessDone(&h);
  ck_assert_msg(h.nFail==0, "%d of %d cases failed; first: %s", h.nFail,
                h.nFail + h.nPass, h.zFirstErr);
  ck_assert_int_gt(nCase, 0);
}
END_TEST

/* ------------------------------------------------------------------ */
/* B5                                                                 */

START_TEST(test_b5_clean_close){
  static const char *const azSync[] = { "full", "normal", "off" };
  PlCfg cfg = plConfig();
  PlHarness h;
  SqlWork *pWork = 0;
  int i, k;
  plHarnessInit(&h, "b5");
  ck_assert_int_eq(sqlworkNew(3001, cfg.nTxn, &pWork), SQLITE_OK);
  for(i=0; i<3; i++){
    const int aCut[] = { 1, 2, 17, cfg.nTxn/3, cfg.nTxn/2 + 1, cfg.nTxn };
    for(k=0; k<(int)(sizeof(aCut)/sizeof(aCut[0])); k++){
      char zErr[PL_ERR], zInfo[512], zCase[128];
      PlRun run;
      int j = -1;
      if( plCrashRun(&h, pWork, azSync[i], aCut[k], 0, 0, FAULT_DROP_UNSYNCED,
                     (u32)k, &run, zErr)==0 ){
        PlHook hook;
        FaultEnv *pFault = plFaultNew(&hook, 0);
        j = plVerify(&h, pFault, pWork, azSync[i], &run, zErr);
        faultenvFree(pFault);
        if( j>=0 && j!=aCut[k] ){
          snprintf(zErr, PL_ERR, "after a clean close of %d acked "
                   "transactions, %d are present", aCut[k], j);
          j = -1;
        }
      }
      if( j<0 ){
        plInfo(zInfo, sizeof(zInfo), pWork, 3001, azSync[i],
               FAULT_DROP_UNSYNCED, 0, (u32)k, &run);
        snprintf(zCase, sizeof(zCase), "sync_%s-cut%d", azSync[i], aCut[k]);
        plFail(&h, zCase, zInfo, zErr);
      }else{
        h.nPass++;
      }
    }
  }
  sqlworkFree(pWork);
  plHarnessDone(&h);
  ck_assert_msg(h.nFail==0, "%d of %d cases failed; first: %s", h.nFail,
                h.nFail + h.nPass, h.zFirstErr);
}
END_TEST

/* ------------------------------------------------------------------ */
/* The harness proves itself                                          */

/* Run zSql on db, expecting success. */
static void plExec(sqlite3 *db, const char *zSql){
  ck_assert_msg(sqlite3_exec(db, zSql, 0, 0, 0)==SQLITE_OK, "%s: %s", zSql,
                sqlite3_errmsg(db));
}

/*
** VERIFY must reject: an acked transaction missing under
** bMustKeepAcked; more present than tried; a foreign oracle; a row
** deleted behind the oracle's back; a probe check without a probe write.
*/
START_TEST(test_verify_detects){
  char zErr[PL_ERR];
  PlHarness h;
  SqlWork *pWork = 0, *pOther = 0;
  sqlite3 *db = 0;
  PlHook hook;
  FaultEnv *pFault;
  int i;
  plHarnessInit(&h, "verify");
  plReset(h.zWork, 0);
  pFault = plFaultNew(&hook, 0);
  ck_assert_int_eq(sqlworkNew(77, 40, &pWork), SQLITE_OK);
  ck_assert_int_eq(sqlworkNew(78, 40, &pOther), SQLITE_OK);
  ck_assert_int_eq(plOpen(h.zDb, pFault, &db), SQLITE_OK);
  ck_assert_int_eq(sqlworkCreate(pWork, db, PL_TABLE, "memtable_size=65536"),
                   SQLITE_OK);
  for(i=1; i<=30; i++){
    ck_assert_int_eq(sqlworkRunTxn(pWork, db, PL_TABLE, i), SQLITE_OK);
  }
  ck_assert_int_eq(sqlworkRunTxn(pWork, db, PL_TABLE, 41), SQLITE_MISUSE);
  ck_assert_int_eq(sqlworkVerify(pWork, db, PL_TABLE, 30, 30, 1, zErr,
                                 PL_ERR), 30);
  ck_assert_int_eq(sqlworkVerify(pWork, db, PL_TABLE, 31, 31, 1, zErr,
                                 PL_ERR), -1);
  ck_assert_ptr_nonnull(strstr(zErr, "acked transactions lost"));
  ck_assert_int_eq(sqlworkVerify(pWork, db, PL_TABLE, 31, 31, 0, zErr,
                                 PL_ERR), 30);
  ck_assert_int_eq(sqlworkVerify(pWork, db, PL_TABLE, 0, 29, 0, zErr,
                                 PL_ERR), -1);
  ck_assert_int_eq(sqlworkVerify(pOther, db, PL_TABLE, 0, 30, 0, zErr,
                                 PL_ERR), -1);
  ck_assert_int_eq(sqlworkProbeCheck(pWork, db, PL_TABLE), -1);
  /* A probe round trip leaves the oracle state. */
  ck_assert_int_eq(sqlworkProbeWrite(pWork, db, PL_TABLE), SQLITE_OK);
  ck_assert_int_eq(sqlworkProbeCheck(pWork, db, PL_TABLE), 0);
  ck_assert_int_eq(sqlworkVerify(pWork, db, PL_TABLE, 30, 30, 1, zErr,
                                 PL_ERR), 30);
  /* One row less than the oracle says. */
  plExec(db, "DELETE FROM " PL_TABLE " WHERE k=(SELECT max(k) FROM "
         PL_TABLE ")");
  ck_assert_int_eq(sqlworkVerify(pWork, db, PL_TABLE, 0, 30, 0, zErr,
                                 PL_ERR), -1);
  plClose(db);
  sqlworkFree(pWork);
  sqlworkFree(pOther);
  faultenvFree(pFault);
  h.nPass++;
  plHarnessDone(&h);
}
END_TEST

/*
** FAULT_SECTOR: a file with a synced prefix that ends inside a sector and
** several unsynced appends straddling sectors is crashed with many seeds;
** each result must equal the image computed here from
** faultenvSectorAction(), and across the seeds every fate must occur.
*/
START_TEST(test_sector_mode){
  static const size_t aLen[] = { 700, 1, 300, 2048, 511, 1500 };
  enum { NSYNCED = 1000 };
  unsigned char aData[8192], aWant[8192], aGot[8192];
  unsigned char abAny[8192];          /* Garbage: any byte value */
  int anFate[3] = {0, 0, 0};
  PlHarness h;
  char zFile[400];
  u32 seed;
  size_t i;
  plHarnessInit(&h, "sector");
  snprintf(zFile, sizeof(zFile), "%s/f", h.zRoot);
  for(i=0; i<sizeof(aData); i++) aData[i] = (unsigned char)(1 + i%251);
  for(seed=1; seed<=40; seed++){
    FaultEnv *pFault = 0;
    lsmc_env *pEnv;
    lsmc_file *pFile = 0;
    size_t iOff = NSYNCED, nWant = NSYNCED, nGot;
    FILE *f;
    ck_assert_int_eq(faultenvNew(lsmc_default_env(), &pFault), LSMC_OK);
    pEnv = faultenvEnv(pFault);
    ck_assert_int_eq(pEnv->xOpen(pEnv, zFile, LSMC_OPEN_CREATE, &pFile), 0);
    ck_assert_int_eq(pEnv->xSyncDir(pEnv, h.zRoot), LSMC_OK);
    ck_assert_int_eq(pEnv->xAppend(pFile, aData, NSYNCED), LSMC_OK);
    ck_assert_int_eq(pEnv->xSync(pFile), LSMC_OK);
    memset(aWant, 0, sizeof(aWant));
    memset(abAny, 0, sizeof(abAny));
    memcpy(aWant, aData, NSYNCED);
    for(i=0; i<sizeof(aLen)/sizeof(aLen[0]); i++){
      size_t o;
      ck_assert_int_eq(pEnv->xAppend(pFile, aData + iOff, aLen[i]), LSMC_OK);
      for(o=iOff; o<iOff+aLen[i]; o++){
        int e = faultenvSectorAction(seed, 0, (u32)i, o/FAULT_SECTOR_SIZE);
        if( o==iOff || o%FAULT_SECTOR_SIZE==0 ) anFate[e]++;
        if( e==FAULT_SECTOR_APPLY ) aWant[o] = aData[o];
        if( e==FAULT_SECTOR_GARBAGE ) abAny[o] = 1;
        if( e!=FAULT_SECTOR_DROP && o+1>nWant ) nWant = o+1;
      }
      iOff += aLen[i];
    }
    pEnv->xClose(pFile);
    ck_assert_int_eq(faultenvCrash(pFault, FAULT_SECTOR, seed), LSMC_OK);
    faultenvFree(pFault);
    f = fopen(zFile, "rb");
    ck_assert_ptr_nonnull(f);
    nGot = fread(aGot, 1, sizeof(aGot), f);
    fclose(f);
    ck_assert_uint_eq(nGot, nWant);
    for(i=0; i<nGot; i++){
      ck_assert_msg(abAny[i] || aGot[i]==aWant[i], "seed %u byte %zu: %d, "
                    "expected %d", seed, i, aGot[i], aWant[i]);
    }
  }
  ck_assert(anFate[0]>0 && anFate[1]>0 && anFate[2]>0);
  h.nPass = 40;
  plHarnessDone(&h);
}
END_TEST

int main(void){
  PlCfg cfg = plConfig();
  Suite *s = suite_create("powerloss");
  TCase *tc = tcase_create("powerloss");
  SRunner *sr;
  int nFail;
  tcase_set_timeout(tc, cfg.bSoak ? 86400 : 1800);
  tcase_add_test(tc, test_verify_detects);
  tcase_add_test(tc, test_sector_mode);
  tcase_add_test(tc, test_b5_clean_close);
  tcase_add_test(tc, test_b1_full);
  tcase_add_test(tc, test_b1_normal);
  if( cfg.bSoak ) tcase_add_test(tc, test_b1_off);
  tcase_add_test(tc, test_b4_compound);
  suite_add_tcase(s, tc);
  sr = srunner_create(s);
  srunner_run_all(sr, CK_NORMAL);
  nFail = srunner_ntests_failed(sr);
  srunner_free(sr);
  return nFail ? EXIT_FAILURE : EXIT_SUCCESS;
}
