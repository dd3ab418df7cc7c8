/*
** check_crashpoints.c -- TESTPLAN B3: white-box crash points (RocksDB's
** kill points).  For every crash point compiled into the engine
** (lsmcore/crashpoint.h) and every hit number h in {1, 2, 3}, a forked
** child arms "point:h" and runs the workload below through the "lsm"
** module over the POSIX env, reporting every step to the parent over a
** pipe (killutil.h); at the h-th hit of the point the child _exits
** (LSMC_CRASHPOINT_EXIT), as if killed there.  The parent then reopens
** everything and checks it:
**   - table t: TESTPLAN VERIFY (sqlworkVerify: lsm_check 'ok', the
**     present transactions are a prefix holding every acked one -- a
**     process crash keeps them all in every sync mode -- and the pending
**     one all or nothing; scans and lookups equal the oracle), then step 7
**     (a probe write, reopen, probe found); if the child died inside the
**     CREATE of t, a new CREATE must adopt the store and it must be empty;
**   - tables aux1..3 (created, filled, given an aborted transaction and
**     dropped in turn): acked rows present, rows of a transaction rolled
**     back after its xSync (lsmc_commit_abort) absent once the ROLLBACK
**     returned and all-or-nothing before, a DROP TABLE that the crash
**     interrupted must finish when repeated (no IDENTITY, CURRENT, LOCK,
**     SSTable or WAL left; the directory may stay, empty or with files of
**     an interrupted creation that no manifest proves the store's), a
**     finished one left nothing, and a store of an interrupted CREATE is
**     adopted by a new CREATE;
**   - store raw, written with lsmc_put (the lsmc_write path): opens, every
**     acked key present, keys never written absent, lsmc_check ok.
**
** The child's workload: CREATE t (sqlwork, 4 KiB memtable, sync=full), a
** native table, then CP_NTXN sqlwork transactions with, in between: three
** times CREATE + fill + aborted commit of an aux table (a second
** connection holds a read lock, so COMMIT returns SQLITE_BUSY after xSync,
** and the ROLLBACK aborts the prepared commit), three DROP TABLEs, two
** lsm_compact('t'), the raw store's puts, and two closes and reopens of
** the connection (engine close, recovery, the obsolete-file sweep).  The
** background thread flushes and compacts meanwhile.
**
** Pass bar: every (point, hit) case passes; every point is reached at hit
** 1, and any unreached point fails the test, named; hits 2 and 3 of a
** point reached fewer times in a whole run are reported, not failed.  A
** first run with no point armed counts the hits of every point (printed)
** and must pass the same checks (a clean close).  Output: one line per
** failure, the list of points with their hits and results, and the final
** line "N passed, N failed".  On failure the seed, point, hit and a copy
** of the store are left in $LSMV_RESULTS_DIR/crashpoints/<point>-<hit>/.
** Environment: CRASHPOINTS_SEED (default fixed), CRASHPOINTS_ONLY=name
** (run one point), LSMV_TEST_PROFILE=soak (hits 1..6 instead of 1..3).
*/
#include "crashpoint.h"
#include "killutil.h"
#include "lsmcore.h"
#include "sqlwork.h"
#include "testutil.h"

#include <sqlite3.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#define CP_NTXN        90      /* sqlwork transactions of the child */
#define CP_NAUX         3      /* aux tables */
#define CP_AUX_ROWS    30      /* Acked rows of an aux table (k < 1000) */
#define CP_ABORT_ROWS   3      /* Rows of the aborted transaction (k>=1000) */
#define CP_NRAW         5      /* lsmc_put calls on the raw store */
#define CP_HITS_CI      3      /* Hit numbers 1..CP_HITS_CI (ci) */
#define CP_HITS_SOAK    6      /* ... (soak) */
#define CP_SEED   0x43505431ull  /* Default workload seed */

/* Options of table t, aux tables and the raw store: flushes happen. */
#define CP_T_OPTS   "memtable_size='4K', sync=full"
#define CP_AUX_DECL "k INTEGER PRIMARY KEY, v BLOB, memtable_size='4K', sync=full"

/* Reports from the child (KillEv.eKind). */
#define EV_READY        1     /* t and the native table created */
#define EV_START        2     /* sqlwork transaction iVal started */
#define EV_ACK          3     /* ... and its COMMIT returned SQLITE_OK */
#define EV_AUX_CREATED  4     /* CREATE of aux<iVal> returned OK */
#define EV_AUX_FILLED   5     /* its CP_AUX_ROWS rows committed */
#define EV_ABORT_START  6     /* its aborted transaction began */
#define EV_ABORTED      7     /* ... and its ROLLBACK returned OK */
#define EV_DROP_START   8     /* DROP TABLE aux<iVal> began */
#define EV_DROPPED      9     /* ... and returned OK */
#define EV_RAW_START   10     /* lsmc_put of raw key iVal began */
#define EV_RAW_ACK     11     /* ... and returned LSMC_OK */
#define EV_DONE        12     /* the whole workload ran */
#define EV_HITS        13     /* hits of the next point (EV_HITS2 value) */
#define EV_NKIND       14

/* What the parent learnt from one child's reports. */
typedef struct CpLog CpLog;
struct CpLog {
  int bReady;                  /* EV_READY seen */
  int nStart, nAck;            /* Last started / acked sqlwork txn */
  unsigned mCreated, mFilled;  /* Bit k: aux<k> created / filled */
  unsigned mAbortStart, mAborted;  /* Bit k: abort began / finished */
  unsigned mDropStart, mDropped;   /* Bit k: DROP began / finished */
  int nRawStart, nRawAck;      /* raw keys started / acked (count) */
  int bDone;                   /* EV_DONE seen */
  int iHitNext;                /* Next point index of EV_HITS reports */
  unsigned long aHits[LSMC_CP_COUNT];  /* Hits per point (EV_HITS) */
};

/* The harness: where it works and what it has found. */
typedef struct CpRun CpRun;
struct CpRun {
  uint64_t seed;               /* Workload seed */
  SqlWork *pWork;              /* The workload and its oracle */
  char zResults[512];          /* Results directory */
  int nPass, nFail;            /* Cases */
  int nNotReached;             /* Cases h>1 beyond the point's hits */
  int nLeftover;               /* DROPs that left a non-store directory */
  int aReached[LSMC_CP_COUNT]; /* Point i crashed at hit 1 */
  int aFailed[LSMC_CP_COUNT];  /* Point i failed some case */
};

/* ------------------------------------------------------------ child */

/* Child: a fatal problem.  Prints it and exits with status 3. */
static void cpDie(sqlite3 *db, const char *zWhat, int rc){
  fprintf(stderr, "crashpoints child: %s: rc=%d (%s)\n", zWhat, rc,
          db ? sqlite3_errmsg(db) : "");
  _exit(3);
}

/* Child: run zSql, which must succeed. */
static void cpExec(sqlite3 *db, const char *zSql){
  int rc = sqlite3_exec(db, zSql, 0, 0, 0);
  if( rc!=SQLITE_OK ) cpDie(db, zSql, rc);
}

/* Child: open the workload's connection. */
static sqlite3 *cpOpen(const char *zDir){
  char zDb[600];
  sqlite3 *db = 0;
  int rc;
  snprintf(zDb, sizeof(zDb), "%s/cp.db", zDir);
  rc = killOpenDb(zDb, &db);
  if( rc!=SQLITE_OK ) cpDie(0, "open", rc);
  return db;
}

/*
** Child: create aux<k>, commit its rows, then a transaction that is
** prepared (xSync) and aborted: the reader connection pRd holds a read
** lock on the database file, so COMMIT fails with SQLITE_BUSY after the
** lsm table's xSync, and ROLLBACK calls lsmc_commit_abort.
*/
static void cpAuxCreate(sqlite3 *db, sqlite3 *pRd, int k, int fd){
  char zSql[300];
  int rc, i;
  snprintf(zSql, sizeof(zSql),
           "CREATE VIRTUAL TABLE aux%d USING lsm(" CP_AUX_DECL ")", k);
  cpExec(db, zSql);
  killEvSend(fd, EV_AUX_CREATED, k);
  cpExec(db, "BEGIN");
  for(i=0; i<CP_AUX_ROWS; i++){
    snprintf(zSql, sizeof(zSql), "INSERT INTO aux%d VALUES(%d, "
             "randomblob(200))", k, i);
    cpExec(db, zSql);
  }
  cpExec(db, "COMMIT");
  killEvSend(fd, EV_AUX_FILLED, k);

  cpExec(pRd, "BEGIN");
  cpExec(pRd, "SELECT count(*) FROM nat");
  killEvSend(fd, EV_ABORT_START, k);
  cpExec(db, "BEGIN");
  for(i=0; i<CP_ABORT_ROWS; i++){
    snprintf(zSql, sizeof(zSql), "INSERT INTO aux%d VALUES(%d, "
             "randomblob(100))", k, 1000+i);
    cpExec(db, zSql);
  }
  cpExec(db, "INSERT INTO nat VALUES(1)");
  rc = sqlite3_exec(db, "COMMIT", 0, 0, 0);
  if( rc!=SQLITE_BUSY ) cpDie(db, "COMMIT under a read lock (want BUSY)", rc);
  cpExec(db, "ROLLBACK");
  killEvSend(fd, EV_ABORTED, k);
  cpExec(pRd, "COMMIT");
}

/* Child: DROP TABLE aux<k>. */
static void cpAuxDrop(sqlite3 *db, int k, int fd){
  char zSql[64];
  snprintf(zSql, sizeof(zSql), "DROP TABLE aux%d", k);
  killEvSend(fd, EV_DROP_START, k);
  cpExec(db, zSql);
  killEvSend(fd, EV_DROPPED, k);
}

/* Key and value of raw entry i. */
static void cpRawKV(int i, char *zKey, char *zVal){
  sprintf(zKey, "raw%04d", i);
  sprintf(zVal, "value-of-raw-%d", i*7919);
}

/* Options of the raw store. */
static lsmc_options *cpRawOptions(int bCreate){
  lsmc_options *pOpts = 0;
  if( lsmc_options_new(&pOpts)!=LSMC_OK ) return 0;
  lsmc_options_set(pOpts, LSMC_OPT_MEMTABLE_SIZE, 4096);
  lsmc_options_set(pOpts, LSMC_OPT_SYNC, LSMC_SYNC_FULL);
  lsmc_options_set(pOpts, LSMC_OPT_CREATE, bCreate);
  return pOpts;
}

/* Child: the raw store, written through lsmc_put (lsmc_write). */
static void cpRaw(const char *zDir, int fd){
  char zPath[600], zKey[32], zVal[64];
  lsmc_options *pOpts = cpRawOptions(1);
  lsmc_db *pDb = 0;
  int rc, i;
  snprintf(zPath, sizeof(zPath), "%s/raw", zDir);
  rc = pOpts ? lsmc_open(zPath, pOpts, &pDb) : LSMC_NOMEM;
  lsmc_options_free(pOpts);
  if( rc!=LSMC_OK ) cpDie(0, "lsmc_open raw", rc);
  for(i=0; i<CP_NRAW; i++){
    cpRawKV(i, zKey, zVal);
    killEvSend(fd, EV_RAW_START, i);
    rc = lsmc_put(pDb, zKey, strlen(zKey), zVal, strlen(zVal));
    if( rc!=LSMC_OK ) cpDie(0, "lsmc_put raw", rc);
    killEvSend(fd, EV_RAW_ACK, i);
  }
  lsmc_close(pDb);
}

/*
** The child: the workload of the header comment.  Returns only by
** _exit: 0 when the whole workload ran (the armed hit never came),
** LSMC_CRASHPOINT_EXIT from a crash point, 3 on an unexpected error.
*/
static void cpChild(CpRun *p, const char *zDir, int fd, int bReportHits){
  sqlite3 *db = cpOpen(zDir);
  sqlite3 *pRd = 0;
  char zOut[64];
  int rc, i;

  rc = sqlworkCreate(p->pWork, db, "t", CP_T_OPTS);
  if( rc!=SQLITE_OK ) cpDie(db, "CREATE t", rc);
  cpExec(db, "CREATE TABLE nat(x)");
  killEvSend(fd, EV_READY, 0);
  pRd = cpOpen(zDir);
  for(i=1; i<=CP_NTXN; i++){
    switch( i ){
      case 8: case 28: case 48:
        cpAuxCreate(db, pRd, 1 + (i-8)/20, fd);
        break;
      case 18: case 38: case 58:
        cpAuxDrop(db, 1 + (i-18)/20, fd);
        break;
      case 25: case 55:
        rc = killQueryText(db, "SELECT lsm_compact('t')", zOut, sizeof(zOut));
        if( rc!=SQLITE_OK || strcmp(zOut, "ok")!=0 ) cpDie(db, "lsm_compact", rc);
        break;
      case 35:
        cpRaw(zDir, fd);
        break;
      case 45: case 75:
        sqlite3_close(pRd);
        sqlite3_close(db);
        db = cpOpen(zDir);
        pRd = cpOpen(zDir);
        break;
    }
    killEvSend(fd, EV_START, i);
    rc = sqlworkRunTxn(p->pWork, db, "t", i);
    if( rc!=SQLITE_OK ) cpDie(db, "sqlwork transaction", rc);
    killEvSend(fd, EV_ACK, i);
  }
  sqlite3_close(pRd);
  sqlite3_close(db);
  killEvSend(fd, EV_DONE, 0);
  if( bReportHits ){
    for(i=0; i<LSMC_CP_COUNT; i++){
      killEvSend(fd, EV_HITS, (int)lsmcCrashPointHits(i));
    }
  }
  _exit(0);
}

/* ----------------------------------------------------------- parent */

/* Parent: fold one report into the log. */
static void cpOnEvent(void *pArg, const KillEv *pEv){
  CpLog *p = (CpLog*)pArg;
  unsigned m = (pEv->iVal>=0 && pEv->iVal<32) ? 1u<<pEv->iVal : 0;
  switch( pEv->eKind ){
    case EV_READY:       p->bReady = 1; break;
    case EV_START:       p->nStart = pEv->iVal; break;
    case EV_ACK:         p->nAck = pEv->iVal; break;
    case EV_AUX_CREATED: p->mCreated |= m; break;
    case EV_AUX_FILLED:  p->mFilled |= m; break;
    case EV_ABORT_START: p->mAbortStart |= m; break;
    case EV_ABORTED:     p->mAborted |= m; break;
    case EV_DROP_START:  p->mDropStart |= m; break;
    case EV_DROPPED:     p->mDropped |= m; break;
    case EV_RAW_START:   p->nRawStart = pEv->iVal+1; break;
    case EV_RAW_ACK:     p->nRawAck = pEv->iVal+1; break;
    case EV_DONE:        p->bDone = 1; break;
    case EV_HITS:
      if( p->iHitNext<LSMC_CP_COUNT ){
        p->aHits[p->iHitNext++] = (unsigned long)pEv->iVal;
      }
      break;
  }
}

/* Format a failure message into zErr; returns -1. */
static int cpFail(char *zErr, int nErr, const char *zFmt, ...)
  __attribute__((format(printf, 3, 4)));
static int cpFail(char *zErr, int nErr, const char *zFmt, ...){
  va_list ap;
  va_start(ap, zFmt);
  vsnprintf(zErr, (size_t)nErr, zFmt, ap);
  va_end(ap);
  return -1;
}

/* count(*) of aux<k> rows with k in [iLo, iHi]; -1 on error. */
static int cpAuxCount(sqlite3 *db, int k, int iLo, int iHi){
  char zSql[128], zOut[32];
  snprintf(zSql, sizeof(zSql), "SELECT count(*) FROM aux%d WHERE k BETWEEN "
           "%d AND %d", k, iLo, iHi);
  if( killQueryText(db, zSql, zOut, sizeof(zOut))!=SQLITE_OK ) return -1;
  return atoi(zOut);
}

/*
** Parent: the checks of aux<k> (header comment).  0 or -1 with zErr.
*/
static int cpVerifyAux(CpRun *p, sqlite3 *db, const char *zDir,
                       const CpLog *pLog, int k, char *zErr, int nErr){
  unsigned m = 1u<<k;
  char zAuxDir[600], zSql[300], zName[16];
  int bTable, rc, n;
  snprintf(zName, sizeof(zName), "aux%d", k);
  snprintf(zAuxDir, sizeof(zAuxDir), "%s/cp.db-%s.lsm", zDir, zName);
  bTable = killTableExists(db, zName);
  if( bTable<0 ) return cpFail(zErr, nErr, "%s: schema read failed", zName);
  if( pLog->mDropped & m ){
    if( bTable || killExists(zAuxDir) ){
      return cpFail(zErr, nErr, "%s: dropped, but %s", zName,
                    bTable ? "still in the schema" : "its directory is left");
    }
    return 0;
  }
  if( !bTable ){
    if( (pLog->mCreated & m) && !(pLog->mDropStart & m) ){
      return cpFail(zErr, nErr, "%s: created, but not in the schema", zName);
    }
    if( !killExists(zAuxDir) ) return 0;
    if( pLog->mDropStart & m ){
      return cpFail(zErr, nErr, "%s: DROP committed, directory left", zName);
    }
    /* An interrupted CREATE left a store: a new CREATE adopts it. */
    snprintf(zSql, sizeof(zSql), "CREATE VIRTUAL TABLE %s USING lsm("
             CP_AUX_DECL ")", zName);
    rc = sqlite3_exec(db, zSql, 0, 0, 0);
    if( rc!=SQLITE_OK ){
      return cpFail(zErr, nErr, "%s: CREATE over the store of an interrupted "
                    "CREATE: rc=%d (%s)", zName, rc, sqlite3_errmsg(db));
    }
    if( (n = cpAuxCount(db, k, -1000000, 1000000))!=0 ){
      return cpFail(zErr, nErr, "%s: adopted store holds %d rows", zName, n);
    }
  }else if( !(pLog->mDropStart & m) ){
    /* Filled: all its rows; else the filling transaction was pending. */
    n = cpAuxCount(db, k, 0, 999);
    if( n!=CP_AUX_ROWS && (n!=0 || (pLog->mFilled & m)) ){
      return cpFail(zErr, nErr, "%s: %d rows of the filling transaction, "
                    "expected %s%d", zName, n,
                    (pLog->mFilled & m) ? "" : "0 or ", CP_AUX_ROWS);
    }
    n = cpAuxCount(db, k, 1000, 1999);
    if( n<0 || (n!=0 && n!=CP_ABORT_ROWS) || (n!=0 && (pLog->mAborted & m)) ){
      return cpFail(zErr, nErr, "%s: %d rows of the aborted transaction "
                    "(%s)", zName, n, (pLog->mAborted & m)
                    ? "its ROLLBACK had returned" : "must be all or none");
    }
  }
  /* DROP TABLE finishes, also one that the crash interrupted. */
  snprintf(zSql, sizeof(zSql), "DROP TABLE %s", zName);
  rc = sqlite3_exec(db, zSql, 0, 0, 0);
  if( rc!=SQLITE_OK ){
    return cpFail(zErr, nErr, "%s: DROP TABLE after the crash: rc=%d (%s)",
                  zName, rc, sqlite3_errmsg(db));
  }
  /* The directory may stay, without any file of the store: empty after a
  ** crash between the removal of the last file (LOCK) and the rmdir
  ** (lsmc_destroy never touches a directory without IDENTITY), or holding
  ** what an interrupted creation wrote before any manifest could name it
  ** (a MANIFEST or temp file: not provably ours, so kept). */
  if( killExists(zAuxDir) ){
    char zLeft[300];
    if( killStoreLeft(zAuxDir, zLeft, sizeof(zLeft)) ){
      return cpFail(zErr, nErr, "%s: DROP TABLE after the crash left %s/%s",
                    zName, zAuxDir, zLeft);
    }
    if( rmdir(zAuxDir)!=0 ) p->nLeftover++;
  }
  return 0;
}

/*
** Parent: the raw store: it opens, every acked key is there with its
** value, no key never written is, lsmc_check says ok.
*/
static int cpVerifyRaw(const char *zDir, const CpLog *pLog,
                       char *zErr, int nErr){
  char zPath[600], zKey[32], zVal[64];
  lsmc_options *pOpts;
  lsmc_db *pDb = 0;
  char *zReport = 0;
  int rc, i, iRet = 0;
  snprintf(zPath, sizeof(zPath), "%s/raw", zDir);
  if( !killExists(zPath) ){
    if( pLog->nRawStart>0 ) return cpFail(zErr, nErr, "raw: directory gone");
    return 0;
  }
  pOpts = cpRawOptions(1);
  rc = pOpts ? lsmc_open(zPath, pOpts, &pDb) : LSMC_NOMEM;
  lsmc_options_free(pOpts);
  if( rc!=LSMC_OK ){
    iRet = cpFail(zErr, nErr, "raw: lsmc_open: %s", lsmc_errmsg(pDb));
  }
  for(i=0; iRet==0 && i<CP_NRAW+1; i++){
    void *pVal = 0;
    size_t nVal = 0;
    cpRawKV(i, zKey, zVal);
    rc = lsmc_get(pDb, 0, zKey, strlen(zKey), &pVal, &nVal);
    if( rc==LSMC_OK && i>=pLog->nRawStart ){
      iRet = cpFail(zErr, nErr, "raw: key %s present, never written", zKey);
    }else if( rc==LSMC_NOTFOUND && i<pLog->nRawAck ){
      iRet = cpFail(zErr, nErr, "raw: acked key %s lost", zKey);
    }else if( rc==LSMC_OK && (nVal!=strlen(zVal) || memcmp(pVal, zVal, nVal)) ){
      iRet = cpFail(zErr, nErr, "raw: key %s has a wrong value", zKey);
    }else if( rc!=LSMC_OK && rc!=LSMC_NOTFOUND ){
      iRet = cpFail(zErr, nErr, "raw: lsmc_get: %s", lsmc_errmsg(pDb));
    }
    lsmc_free(pDb, pVal);
  }
  if( iRet==0 ){
    rc = lsmc_check(pDb, &zReport);
    if( rc!=LSMC_OK || zReport==0 || strcmp(zReport, "ok")!=0 ){
      iRet = cpFail(zErr, nErr, "raw: lsmc_check: %s",
                    zReport ? zReport : lsmc_errstr(rc));
    }
    lsmc_free(pDb, zReport);
  }
  lsmc_close(pDb);
  return iRet;
}

/*
** Parent: everything after the child has died (header comment).  0 if
** it all holds, else -1 with a message in zErr.
*/
static int cpVerify(CpRun *p, const char *zDir, const CpLog *pLog,
                    char *zErr, int nErr){
  char zDb[600], zMsg[400];
  sqlite3 *db = 0;
  int rc, j, k, bTable;
  snprintf(zDb, sizeof(zDb), "%s/cp.db", zDir);
  rc = killOpenDb(zDb, &db);
  if( rc!=SQLITE_OK ) return cpFail(zErr, nErr, "open: rc=%d", rc);
  bTable = killTableExists(db, "t");
  if( bTable==0 && !pLog->bReady ){
    /* The child died inside CREATE t: a new CREATE adopts the store. */
    rc = sqlworkCreate(p->pWork, db, "t", CP_T_OPTS);
    if( rc!=SQLITE_OK ){
      cpFail(zErr, nErr, "CREATE t over an interrupted CREATE: rc=%d (%s)",
             rc, sqlite3_errmsg(db));
      sqlite3_close(db);
      return -1;
    }
    bTable = 1;
  }
  if( bTable!=1 ){
    sqlite3_close(db);
    return cpFail(zErr, nErr, "table t missing after its CREATE returned");
  }
  j = sqlworkVerify(p->pWork, db, "t", pLog->nAck, pLog->nStart, 1,
                    zMsg, sizeof(zMsg));
  if( j<0 ){
    sqlite3_close(db);
    return cpFail(zErr, nErr, "VERIFY t (acked %d, started %d): %s",
                  pLog->nAck, pLog->nStart, zMsg);
  }
  rc = sqlworkProbeWrite(p->pWork, db, "t");
  sqlite3_close(db);
  db = 0;
  if( rc!=SQLITE_OK ) return cpFail(zErr, nErr, "probe write: rc=%d", rc);
  rc = killOpenDb(zDb, &db);
  if( rc!=SQLITE_OK ) return cpFail(zErr, nErr, "reopen: rc=%d", rc);
  if( sqlworkProbeCheck(p->pWork, db, "t") ){
    sqlite3_close(db);
    return cpFail(zErr, nErr, "probe write lost across a reopen");
  }
  for(k=1; k<=CP_NAUX; k++){
    if( cpVerifyAux(p, db, zDir, pLog, k, zErr, nErr) ){
      sqlite3_close(db);
      return -1;
    }
  }
  sqlite3_close(db);
  return cpVerifyRaw(zDir, pLog, zErr, nErr);
}

/*
** Parent: keep the evidence of a failed case: a copy of the directory
** and a note with the seed, point, hit and message.
*/
static void cpSaveRepro(CpRun *p, const char *zDir, const char *zPoint,
                        int iHit, const char *zWhy){
  char zCase[800], zNote[900];
  FILE *pOut;
  snprintf(zCase, sizeof(zCase), "%s/%s-%d", p->zResults, zPoint, iHit);
  testRemoveTree(zCase);
  killCopyTree(zDir, zCase);
  snprintf(zNote, sizeof(zNote), "%s/README.txt", zCase);
  pOut = fopen(zNote, "w");
  if( pOut ){
    fprintf(pOut, "check_crashpoints failure\nseed: %llu\ncrash point: %s\n"
            "hit: %d\nreproduce: CRASHPOINTS_SEED=%llu CRASHPOINTS_ONLY=%s "
            "test/check_crashpoints\nerror: %s\n", (unsigned long long)p->seed,
            zPoint, iHit, (unsigned long long)p->seed, zPoint, zWhy);
    fclose(pOut);
  }
  printf("  reproducer: %s\n", zCase);
}

/*
** Run one case: point iPoint (-1: none armed) at hit iHit.  Returns 1 if
** the child crashed at the point, 0 if it ran to the end, -1 on failure
** (reported).  pLog receives the reports.
*/
static int cpCase(CpRun *p, int iPoint, int iHit, CpLog *pLog){
  const char *zPoint = iPoint>=0 ? lsmcCrashPointName(iPoint) : "none";
  char zErr[600];
  TestDir dir;
  int aFd[2];
  int status = 0;
  pid_t pid;
  int iRet;

  memset(pLog, 0, sizeof(*pLog));
  testDirNew(&dir, "crashpoints");
  if( pipe(aFd) ){
    perror("pipe");
    exit(2);
  }
  fflush(0);
  pid = fork();
  if( pid<0 ){
    perror("fork");
    exit(2);
  }
  if( pid==0 ){
    char zSpec[128];
    close(aFd[0]);
    snprintf(zSpec, sizeof(zSpec), "%s:%d", zPoint, iHit);
    if( iPoint>=0 ) setenv("LSMC_CRASHPOINT", zSpec, 1);
    if( lsmcCrashPointSet(iPoint>=0 ? zSpec : "") ) _exit(4);
    cpChild(p, dir.zPath, aFd[1], iPoint<0);
  }
  close(aFd[1]);
  killEvPump(aFd[0], 0, cpOnEvent, pLog);
  close(aFd[0]);
  while( waitpid(pid, &status, 0)<0 ){}

  if( WIFEXITED(status) && WEXITSTATUS(status)==LSMC_CRASHPOINT_EXIT ){
    iRet = 1;
  }else if( WIFEXITED(status) && WEXITSTATUS(status)==0 && pLog->bDone ){
    iRet = 0;
  }else{
    snprintf(zErr, sizeof(zErr), "child failed (status 0x%x) before the "
             "crash point", status);
    iRet = -1;
  }
  if( iRet>=0 && cpVerify(p, dir.zPath, pLog, zErr, sizeof(zErr)) ) iRet = -1;
  if( iRet<0 ){
    printf("FAIL %s:%d: %s\n", zPoint, iHit, zErr);
    cpSaveRepro(p, dir.zPath, zPoint, iHit, zErr);
  }
  testDirFree(&dir);
  return iRet;
}

int main(void){
  static CpRun run;
  CpRun *p = &run;
  CpLog log;
  const char *zSeed = getenv("CRASHPOINTS_SEED");
  const char *zOnly = getenv("CRASHPOINTS_ONLY");
  unsigned long aFull[LSMC_CP_COUNT];
  int nHit = killIsSoak() ? CP_HITS_SOAK : CP_HITS_CI;
  int i, h, rc;

  setvbuf(stdout, 0, _IOLBF, 0);
  lsmcCrashPointSet("");                /* never crash the parent */
  p->seed = zSeed ? strtoull(zSeed, 0, 0) : CP_SEED;
  killResultsDir("crashpoints", p->zResults, sizeof(p->zResults));
  rc = sqlworkNew(p->seed, CP_NTXN, &p->pWork);
  if( rc!=SQLITE_OK ){
    printf("sqlworkNew: rc=%d\n0 passed, 1 failed\n", rc);
    return 1;
  }
  if( zOnly && lsmcCrashPointFind(zOnly)<0 ){
    printf("CRASHPOINTS_ONLY=%s names no crash point\n0 passed, 1 failed\n",
           zOnly);
    return 1;
  }
  printf("check_crashpoints: seed %llu, %d points compiled in, hits 1..%d\n",
         (unsigned long long)p->seed, LSMC_CP_COUNT, nHit);

  /* A run with no point armed: a clean close, and the hit counts. */
  rc = cpCase(p, -1, 1, &log);
  if( rc<0 ) p->nFail++; else p->nPass++;
  memcpy(aFull, log.aHits, sizeof(aFull));

  for(i=0; i<LSMC_CP_COUNT; i++){
    if( zOnly && i!=lsmcCrashPointFind(zOnly) ) continue;
    for(h=1; h<=nHit; h++){
      rc = cpCase(p, i, h, &log);
      if( rc<0 ){
        p->nFail++;
        p->aFailed[i] = 1;
      }else{
        p->nPass++;
        if( rc==1 && h==1 ) p->aReached[i] = 1;
        if( rc==0 && h==1 ){
          printf("FAIL %s: not reached\n", lsmcCrashPointName(i));
          p->nFail++;
          p->nPass--;
          p->aFailed[i] = 1;
        }
        if( rc==0 && h>1 ) p->nNotReached++;
      }
    }
  }

  printf("crash points (hits in a full run; result):\n");
  for(i=0; i<LSMC_CP_COUNT; i++){
    if( zOnly && i!=lsmcCrashPointFind(zOnly) ) continue;
    printf("  %-26s %4lu  %s\n", lsmcCrashPointName(i), aFull[i],
           p->aFailed[i] ? "FAILED" : p->aReached[i] ? "ok" : "UNREACHED");
  }
  printf("%d cases with a hit number beyond the point's hits (ran to the "
         "end, verified)\n", p->nNotReached);
  printf("%d cases where the repeated DROP TABLE kept the directory with "
         "files no manifest proves the store's (an interrupted creation)\n",
         p->nLeftover);
  printf("%d passed, %d failed\n", p->nPass, p->nFail);
  sqlworkFree(p->pWork);
  return p->nFail ? 1 : 0;
}
