/*
** check_difftest.c -- the differential test of the lsm virtual table
** against native SQLite tables (TESTPLAN E1, and E2: every SELECT runs a
** second time on the lsm side with the planner offering only full scans,
** lsmvtabSetFullScan, and must still equal the native result; no run may
** report "xBestIndex malfunction").  For each seed, one schema
** (test/difftest_gen.c) is created twice in two database files of a fresh
** mkdtemp directory: as "l" (CREATE VIRTUAL TABLE l USING lsm(...)) on one
** connection and as its native twin "n" (WITHOUT ROWID unless the key is
** a rowid) on another.  Two connections, because a statement that fails
** with OR ROLLBACK ends its connection's transaction: on one shared
** connection it would also undo the other side's writes.  Every generated
** statement runs on both sides; after each one the runner compares the
** rows (as (storage class, bytes) per column; in order if the statement
** has a total ORDER BY, else as multisets), the primary result code, the
** UNIQUE / NOT NULL message (table names normalised), sqlite3_changes(),
** sqlite3_get_autocommit() and, for rowid tables, last_insert_rowid().
** Every 20 statements, and at the end, it compares the full contents;
** every 100 it commits any open transaction and reopens both connections.
** On the first mismatch it prints the seed, statement and both results and
** writes difftest-repro-<seed>.sql (lsm side, ".load ./lsmvtab" first) and
** difftest-repro-<seed>-native.sql, then a minimised pair (-min), shrunk
** by replaying subsets of the recorded steps on fresh databases.
** DIFFTEST_SELF=1 replaces the lsm table by a second native table (the
** harness proving itself: 0 mismatches, and an injected difference must be
** caught).  Environment: DIFFTEST_STATEMENTS (total, default 100000;
** 10^7 with LSMV_TEST_PROFILE=soak),
** DIFFTEST_SEED (run one seed), DIFFTEST_SELF, DIFFTEST_REPRO_DIR (default
** $LSMV_RESULTS_DIR/difftest, else test-results/difftest),
** DIFFTEST_LSM_OPTS (options of the lsm CREATE, default by seed),
** DIFFTEST_MINIMIZE (seconds, default 60; 0 disables), DIFFTEST_KEEP_GOING
** (run every seed even after a mismatch), DIFFTEST_TRACE=1 (print every
** statement), DIFFTEST_INJECT=1|2 (with DIFFTEST_SELF: inject a
** difference, to see a report), DIFFTEST_NATIVE_QUIRKS=1 (also generate
** the native quirk described in difftest_gen.c, genInsert()).  Test code; single-threaded.
*/
#include "difftest_gen.h"

#include <check.h>
#include <sqlite3.h>
#include "lsmvtab.h"

#include <ftw.h>
#include <sys/stat.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>


#define DT_PER_SEED   1000   /* Statements per seed in the full run */
#define DT_CHECK_EVERY  20   /* Full-content comparison period */
#define DT_RECONNECT_EVERY 100 /* Reconnect period */
#define DT_NO_ROWID (-7777)  /* last_insert_rowid() set before each side */
#define DT_MAX_SHOW     12   /* Rows shown per side in a report */

typedef struct DtRow DtRow;
typedef struct DtRes DtRes;
typedef struct DtSide DtSide;
typedef struct DtConfig DtConfig;
typedef struct DtTotals DtTotals;
typedef struct DtRun DtRun;

/* One result row: per column a type byte, then 8 bytes or len + bytes. */
struct DtRow {
  int n;                /* Bytes in a */
  unsigned char *a;     /* Serialised row (malloc) */
};

/* Everything observed about one statement on one side. */
struct DtRes {
  int rc;               /* Result code (SQLITE_OK for SQLITE_DONE) */
  char *zErr;           /* Error message, table name normalised, or 0 */
  int nChange;          /* sqlite3_changes() afterwards */
  int bAuto;            /* sqlite3_get_autocommit() afterwards */
  sqlite3_int64 iRowid; /* sqlite3_last_insert_rowid() afterwards */
  int nRow;             /* Rows in aRow */
  int nAlloc;           /* Allocated entries of aRow */
  DtRow *aRow;          /* Result rows, in the order returned */
};

/* One side of the comparison. */
struct DtSide {
  sqlite3 *db;          /* Open connection, or 0 */
  LsmvModule *pMod;     /* The module object of db (test switches) */
  const char *zTab;     /* Table name: "l" or "n" */
  int bLsm;             /* Table is an lsm virtual table */
  char zDb[600];        /* Database file */
};

/* What a run does. */
struct DtConfig {
  int bSelf;            /* Native against native */
  int eInject;          /* Self-check: 1 extra row, 2 storage class */
  int nStmt;            /* Statements per seed */
  const char *zOpts;    /* lsm CREATE options; 0 picks by seed */
  const char *zReproDir;/* Where repro scripts go */
  int nMinSec;          /* Minimisation budget in seconds; 0: none */
  int bQuiet;           /* Do not print mismatch reports */
  int bTrace;           /* Print every statement and its native result */
  int bQuirks;          /* Generate what hits native quirks (DtGen) */
};

/* Counters over a whole run. */
struct DtTotals {
  long nStmt;           /* Statements run (both sides count once) */
  long anSchema[8];     /* Statements per schema */
  long anErr[256];      /* Native-side errors by primary result code */
  long nFullScan;       /* SELECTs rerun with full scans only (E2) */
  long nMismatch;       /* Seeds that ended in a mismatch */
  long nSeed;           /* Seeds run */
  char zRepro[700];     /* Repro script of the last mismatch */
};

/* The state of one seed (or of one replay). */
struct DtRun {
  const DtConfig *pCfg; /* Configuration */
  const DtSchema *pS;   /* Schema of this seed */
  unsigned long long iSeed; /* The seed */
  char zOpts[200];      /* Options of the lsm CREATE */
  char zDir[512];       /* Temporary directory of both databases */
  DtSide aSide[2];      /* 0: lsm (or native stand-in), 1: native */
  DtRes aRes[3];        /* Results of the last compared step; [2]: the
                        ** lsm side again with full scans only (E2) */
  char *zWhy;           /* What differed (sqlite3_malloc), or 0 */
  int bFullScanDiff;    /* zWhy is about the full-scan rerun (aRes[2]) */
  long nFullScan;       /* SELECTs rerun with full scans only */
  DtStmt *aLog;         /* Steps run so far */
  int nLog;             /* Entries in aLog */
  int nLogAlloc;        /* Allocated entries of aLog */
};

/* Monotonic seconds. */
static double dtNow(void){
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (double)t.tv_sec + (double)t.tv_nsec*1e-9;
}

/* nftw callback of dtRemoveTree. */
static int dtRemoveOne(const char *zPath, const struct stat *pSt, int eFlag,
                       struct FTW *pFtw){
  (void)pSt; (void)eFlag; (void)pFtw;
  remove(zPath);
  return 0;
}

/* Remove a directory tree, best effort. */
static void dtRemoveTree(const char *zDir){
  nftw(zDir, dtRemoveOne, 16, FTW_DEPTH | FTW_PHYS);
}

/* The statement template with every "$T" replaced by zTab. */
static char *dtSubst(const char *zTemplate, const char *zTab){
  sqlite3_str *p = sqlite3_str_new(0);
  const char *z = zTemplate;
  const char *zHit;
  while( (zHit = strstr(z, DT_TAB))!=0 ){
    sqlite3_str_append(p, z, (int)(zHit - z));
    sqlite3_str_appendall(p, zTab);
    z = zHit + strlen(DT_TAB);
  }
  sqlite3_str_appendall(p, z);
  return sqlite3_str_finish(p);
}

/*
** Replace "<zTab>." by "T." wherever the table name starts a word, so that
** "UNIQUE constraint failed: l.k" and "... n.k" compare equal.
*/
static char *dtNormaliseErr(const char *zMsg, const char *zTab){
  sqlite3_str *p = sqlite3_str_new(0);
  size_t nTab = strlen(zTab);
  const char *z;
  for(z=zMsg; *z; z++){
    int bWord = z==zMsg || z[-1]==' ' || z[-1]==',' || z[-1]=='(';
    if( bWord && strncmp(z, zTab, nTab)==0 && z[nTab]=='.' ){
      sqlite3_str_appendall(p, "T");
      z += nTab - 1;
    }else{
      sqlite3_str_appendchar(p, 1, *z);
    }
  }
  return sqlite3_str_finish(p);
}

/* Free the contents of *pRes and zero it. */
static void dtResClear(DtRes *pRes){
  int i;
  for(i=0; i<pRes->nRow; i++) free(pRes->aRow[i].a);
  free(pRes->aRow);
  sqlite3_free(pRes->zErr);
  memset(pRes, 0, sizeof(*pRes));
}

/* Append big-endian u64 x to a. */
static unsigned char *dtPut64(unsigned char *a, sqlite3_uint64 x){
  int i;
  for(i=0; i<8; i++) a[i] = (unsigned char)(x >> (56 - 8*i));
  return a + 8;
}

/*
** Serialise the current row of pStmt into pRes: per column its storage
** class, then an INTEGER's 8 bytes, a REAL's bit pattern, or a TEXT/BLOB's
** length and bytes (NUL bytes and invalid UTF-8 included).
*/
static void dtAddRow(DtRes *pRes, sqlite3_stmt *pStmt){
  int nCol = sqlite3_column_count(pStmt);
  int i, n = 0;
  unsigned char *a, *z;
  for(i=0; i<nCol; i++){
    int eType = sqlite3_column_type(pStmt, i);
    n += 1 + (eType==SQLITE_NULL ? 0 : 8);
    if( eType==SQLITE_TEXT || eType==SQLITE_BLOB ){
      n += sqlite3_column_bytes(pStmt, i);
    }
  }
  a = z = malloc(n ? n : 1);
  ck_assert_ptr_nonnull(a);
  for(i=0; i<nCol; i++){
    int eType = sqlite3_column_type(pStmt, i);
    double r;
    sqlite3_uint64 u;
    *z++ = (unsigned char)eType;
    switch( eType ){
      case SQLITE_INTEGER:
        z = dtPut64(z, (sqlite3_uint64)sqlite3_column_int64(pStmt, i));
        break;
      case SQLITE_FLOAT:
        r = sqlite3_column_double(pStmt, i);
        memcpy(&u, &r, 8);
        z = dtPut64(z, u);
        break;
      case SQLITE_TEXT: case SQLITE_BLOB: {
        const void *p = eType==SQLITE_TEXT
            ? (const void*)sqlite3_column_text(pStmt, i)
            : sqlite3_column_blob(pStmt, i);
        int nByte = sqlite3_column_bytes(pStmt, i);
        z = dtPut64(z, (sqlite3_uint64)nByte);
        if( nByte ) memcpy(z, p, nByte);
        z += nByte;
        break;
      }
    }
  }
  if( pRes->nRow==pRes->nAlloc ){
    pRes->nAlloc = pRes->nAlloc ? 2*pRes->nAlloc : 16;
    pRes->aRow = realloc(pRes->aRow, pRes->nAlloc*sizeof(DtRow));
    ck_assert_ptr_nonnull(pRes->aRow);
  }
  pRes->aRow[pRes->nRow].n = n;
  pRes->aRow[pRes->nRow].a = a;
  pRes->nRow++;
}

/* A row as text: (int 5, real 1.5, text 'ab\x00', blob x'00', null). */
static char *dtRowText(const DtRow *pRow){
  sqlite3_str *p = sqlite3_str_new(0);
  const unsigned char *z = pRow->a, *zEnd = pRow->a + pRow->n;
  sqlite3_str_appendall(p, "(");
  while( z<zEnd ){
    int eType = *z++;
    sqlite3_uint64 u = 0;
    int i;
    if( z - 1 > pRow->a ) sqlite3_str_appendall(p, ", ");
    if( eType==SQLITE_NULL ){ sqlite3_str_appendall(p, "null"); continue; }
    for(i=0; i<8; i++) u = (u << 8) | z[i];
    z += 8;
    if( eType==SQLITE_INTEGER ){
      sqlite3_str_appendf(p, "int %lld", (long long)u);
    }else if( eType==SQLITE_FLOAT ){
      double r;
      memcpy(&r, &u, 8);
      sqlite3_str_appendf(p, "real %!.17g", r);
    }else{
      sqlite3_str_appendall(p, eType==SQLITE_TEXT ? "text '" : "blob x'");
      for(i=0; i<(int)u; i++){
        if( eType==SQLITE_BLOB ) sqlite3_str_appendf(p, "%02x", z[i]);
        else if( z[i]>=0x20 && z[i]<0x7f && z[i]!='\\' ){
          sqlite3_str_appendchar(p, 1, (char)z[i]);
        }else sqlite3_str_appendf(p, "\\x%02x", z[i]);
      }
      sqlite3_str_appendall(p, "'");
      z += u;
    }
  }
  sqlite3_str_appendall(p, ")");
  return sqlite3_str_finish(p);
}

/*
** Run one statement template on side pSide, recording everything in
** *pRes (cleared first).
*/
static void dtExec(DtSide *pSide, const char *zTemplate, DtRes *pRes){
  char *zSql = dtSubst(zTemplate, pSide->zTab);
  sqlite3_stmt *pStmt = 0;
  int rc;
  dtResClear(pRes);
  sqlite3_set_last_insert_rowid(pSide->db, DT_NO_ROWID);
  rc = sqlite3_prepare_v2(pSide->db, zSql, -1, &pStmt, 0);
  if( rc==SQLITE_OK && pStmt ){
    while( (rc = sqlite3_step(pStmt))==SQLITE_ROW ) dtAddRow(pRes, pStmt);
    if( rc==SQLITE_DONE ) rc = SQLITE_OK;
  }
  if( rc!=SQLITE_OK ){
    pRes->zErr = dtNormaliseErr(sqlite3_errmsg(pSide->db), pSide->zTab);
  }
  sqlite3_finalize(pStmt);
  pRes->rc = rc;
  pRes->nChange = sqlite3_changes(pSide->db);
  pRes->bAuto = sqlite3_get_autocommit(pSide->db);
  pRes->iRowid = sqlite3_last_insert_rowid(pSide->db);
  sqlite3_free(zSql);
}

/* qsort order of rows: by length, then bytes. */
static int dtRowCmp(const void *pA, const void *pB){
  const DtRow *a = pA, *b = pB;
  if( a->n!=b->n ) return a->n < b->n ? -1 : 1;
  return memcmp(a->a, b->a, a->n);
}

/* True if message z is one whose exact text the lsm side must match. */
static int dtMsgCompared(const char *z){
  return z && (strncmp(z, "UNIQUE constraint failed", 24)==0
            || strncmp(z, "NOT NULL constraint failed", 26)==0);
}

/*
** Compare what both sides returned.  Returns 0 if they agree, else an
** explanation (sqlite3_malloc).  Rows are compared only when both sides
** succeeded; without a total order both lists are sorted first.  With
** bRowsOnly, changes(), autocommit and last_insert_rowid() are ignored
** (a full-content check is no statement of the test).
*/
static char *dtCompare(DtRes *pL, DtRes *pN, int bOrdered, int bRowid,
                       int bRowsOnly){
  int i;
  if( (pL->rc & 0xff)!=(pN->rc & 0xff) ){
    return sqlite3_mprintf("result code %d vs %d", pL->rc, pN->rc);
  }
  if( dtMsgCompared(pN->zErr) && strcmp(pL->zErr, pN->zErr)!=0 ){
    return sqlite3_mprintf("error message differs");
  }
  if( bRowsOnly ){
    /* skip the connection state */
  }else if( pL->nChange!=pN->nChange ){
    return sqlite3_mprintf("changes() %d vs %d", pL->nChange, pN->nChange);
  }
  if( !bRowsOnly && pL->bAuto!=pN->bAuto ){
    return sqlite3_mprintf("autocommit %d vs %d", pL->bAuto, pN->bAuto);
  }
  if( !bRowsOnly && bRowid && pL->iRowid!=pN->iRowid ){
    return sqlite3_mprintf("last_insert_rowid() %lld vs %lld",
                           (long long)pL->iRowid, (long long)pN->iRowid);
  }
  if( pN->rc!=SQLITE_OK ) return 0;
  if( pL->nRow!=pN->nRow ){
    return sqlite3_mprintf("%d rows vs %d", pL->nRow, pN->nRow);
  }
  if( !bOrdered && pL->nRow>0 ){
    qsort(pL->aRow, pL->nRow, sizeof(DtRow), dtRowCmp);
    qsort(pN->aRow, pN->nRow, sizeof(DtRow), dtRowCmp);
  }
  for(i=0; i<pL->nRow; i++){
    if( dtRowCmp(&pL->aRow[i], &pN->aRow[i])!=0 ){
      return sqlite3_mprintf("row %d differs%s", i,
                             bOrdered ? "" : " (both sorted)");
    }
  }
  return 0;
}

/* Open (or reopen) side i of p and register the module. */
static void dtOpen(DtRun *p, int i){
  DtSide *pSide = &p->aSide[i];
  int rc = sqlite3_open_v2(pSide->zDb, &pSide->db,
                           SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, 0);
  ck_assert_msg(rc==SQLITE_OK, "open %s: %d", pSide->zDb, rc);
  rc = lsmvtabRegister(pSide->db, 0, &pSide->pMod);
  ck_assert_msg(rc==SQLITE_OK, "lsmvtabRegister: %d", rc);
  rc = sqlite3_exec(pSide->db, "PRAGMA synchronous=OFF;"
                    "PRAGMA journal_mode=MEMORY", 0, 0, 0);
  ck_assert_int_eq(rc, SQLITE_OK);
}

/* Close both connections. */
static void dtCloseAll(DtRun *p){
  int i;
  for(i=0; i<2; i++){
    if( p->aSide[i].db ){
      int rc = sqlite3_close(p->aSide[i].db);
      ck_assert_msg(rc==SQLITE_OK, "close: %d", rc);
      p->aSide[i].db = 0;
    }
  }
}

/*
** Create the directory, both databases and both tables.  Returns 0, or
** an error message (sqlite3_malloc) if a CREATE failed.
*/
static char *dtSetup(DtRun *p){
  const char *zTmp = getenv("TMPDIR");
  char *zErr = 0;
  int i;
  snprintf(p->zDir, sizeof(p->zDir), "%s/difftest-XXXXXX",
           zTmp && zTmp[0] ? zTmp : "/tmp");
  ck_assert_ptr_nonnull(mkdtemp(p->zDir));
  for(i=0; i<2 && zErr==0; i++){
    DtSide *pSide = &p->aSide[i];
    char *zSql;
    int rc;
    pSide->zTab = i==0 ? "l" : "n";
    pSide->bLsm = i==0 && !p->pCfg->bSelf;
    snprintf(pSide->zDb, sizeof(pSide->zDb), "%s/%s.db", p->zDir,
             pSide->zTab);
    dtOpen(p, i);
    zSql = dtCreateSql(p->pS, pSide->zTab, pSide->bLsm, p->zOpts);
    rc = sqlite3_exec(pSide->db, zSql, 0, 0, 0);
    if( rc!=SQLITE_OK ){
      zErr = sqlite3_mprintf("%s: %s", zSql, sqlite3_errmsg(pSide->db));
    }
    sqlite3_free(zSql);
  }
  return zErr;
}

/* Close everything, remove the directory, free the results. */
static void dtTeardown(DtRun *p){
  dtCloseAll(p);
  dtRemoveTree(p->zDir);
  dtResClear(&p->aRes[0]);
  dtResClear(&p->aRes[1]);
  dtResClear(&p->aRes[2]);
  sqlite3_free(p->zWhy);
  p->zWhy = 0;
}

/* Prepare p for seed iSeed under pCfg (nothing opened yet). */
static void dtRunInit(DtRun *p, const DtConfig *pCfg,
                      unsigned long long iSeed){
  memset(p, 0, sizeof(*p));
  p->pCfg = pCfg;
  p->iSeed = iSeed;
  p->pS = dtSchema((int)(iSeed % (unsigned)dtSchemaCount()));
  snprintf(p->zOpts, sizeof(p->zOpts), "%s", pCfg->zOpts ? pCfg->zOpts
           : ((iSeed / (unsigned)dtSchemaCount()) & 1)
             ? "sync=off, memtable_size=4096" : "sync=off");
}

/* True if a result carries SQLite's complaint about a bad xBestIndex. */
static int dtMalfunction(const DtRes *pRes){
  return pRes->zErr && strstr(pRes->zErr, "xBestIndex malfunction")!=0;
}

/*
** TESTPLAN E2, the disabled-index differential: run a SELECT once more on
** the lsm side with the planner offering only full scans, and compare it
** with the native result.  No run may report an xBestIndex malfunction.
** Returns 0 or an explanation (sqlite3_malloc).
*/
static char *dtFullScanAgain(DtRun *p, const DtStmt *pStmt){
  DtSide *pL = &p->aSide[0];
  char *zWhy = 0;
  if( dtMalfunction(&p->aRes[0]) ){
    return sqlite3_mprintf("xBestIndex malfunction");
  }
  if( pL->pMod==0 || !pL->bLsm
   || sqlite3_strnicmp(pStmt->zSql, "SELECT", 6)!=0 ){
    return 0;
  }
  lsmvtabSetFullScan(pL->pMod, 1);
  dtExec(pL, pStmt->zSql, &p->aRes[2]);
  lsmvtabSetFullScan(pL->pMod, 0);
  p->nFullScan++;
  if( dtMalfunction(&p->aRes[2]) ){
    return sqlite3_mprintf("xBestIndex malfunction with full scans only");
  }
  zWhy = dtCompare(&p->aRes[2], &p->aRes[1], pStmt->bOrdered,
                   p->pS->bRowid, 0);
  if( zWhy ){
    char *z = sqlite3_mprintf("with full scans only (E2): %s", zWhy);
    p->bFullScanDiff = 1;
    sqlite3_free(zWhy);
    zWhy = z;
  }
  return zWhy;
}

/*
** Run one step on both sides (or as its kind says).  Returns 0 if both
** sides agree, 1 (with p->zWhy set) on a mismatch.
*/
static int dtStep(DtRun *p, const DtStmt *pStmt){
  sqlite3_free(p->zWhy);
  p->zWhy = 0;
  p->bFullScanDiff = 0;
  switch( pStmt->eKind ){
    case DT_RECONNECT:
      dtCloseAll(p);
      dtOpen(p, 0);
      dtOpen(p, 1);
      return 0;
    case DT_LSMONLY:
      dtExec(&p->aSide[0], pStmt->zSql, &p->aRes[0]);
      if( p->aRes[0].rc!=SQLITE_OK ){
        p->zWhy = sqlite3_mprintf("lsm-only statement failed: %s",
                                  p->aRes[0].zErr);
      }
      break;
    case DT_CHECK: {
      char *zSql = sqlite3_mprintf("SELECT %s FROM $T ORDER BY %s",
                                   p->pS->zFull, p->pS->zKey);
      dtExec(&p->aSide[0], zSql, &p->aRes[0]);
      dtExec(&p->aSide[1], zSql, &p->aRes[1]);
      p->zWhy = dtCompare(&p->aRes[0], &p->aRes[1], 1, 0, 1);
      if( p->zWhy==0 && p->aRes[1].rc!=SQLITE_OK ){
        p->zWhy = sqlite3_mprintf("full-content query failed: %s",
                                  p->aRes[1].zErr);
      }
      sqlite3_free(zSql);
      break;
    }
    default:
      dtExec(&p->aSide[0], pStmt->zSql, &p->aRes[0]);
      dtExec(&p->aSide[1], pStmt->zSql, &p->aRes[1]);
      p->zWhy = dtCompare(&p->aRes[0], &p->aRes[1], pStmt->bOrdered,
                          p->pS->bRowid, 0);
      if( p->zWhy==0 ) p->zWhy = dtFullScanAgain(p, pStmt);
      break;
  }
  return p->zWhy!=0;
}

/* Append a step to the log (taking ownership of its zSql). */
static void dtLog(DtRun *p, const DtStmt *pStmt){
  if( p->nLog==p->nLogAlloc ){
    p->nLogAlloc = p->nLogAlloc ? 2*p->nLogAlloc : 256;
    p->aLog = realloc(p->aLog, p->nLogAlloc*sizeof(DtStmt));
    ck_assert_ptr_nonnull(p->aLog);
  }
  p->aLog[p->nLog++] = *pStmt;
}

/* Free the log. */
static void dtLogFree(DtRun *p){
  int i;
  for(i=0; i<p->nLog; i++) sqlite3_free(p->aLog[i].zSql);
  free(p->aLog);
  p->aLog = 0;
  p->nLog = p->nLogAlloc = 0;
}

/*
** Replay steps a[0..n) for the seed of pTmpl on fresh databases.  Returns
** the index of the first mismatching step, or -1.  If pKeep is not 0, the
** results and explanation of the last step run move to it.
*/
static int dtReplay(const DtRun *pTmpl, const DtStmt *a, int n,
                    DtRun *pKeep){
  DtRun r;
  int i, iFail = -1;
  char *zErr;
  dtRunInit(&r, pTmpl->pCfg, pTmpl->iSeed);
  zErr = dtSetup(&r);
  if( zErr ) iFail = 0;
  for(i=0; i<n && iFail<0; i++){
    if( dtStep(&r, &a[i]) ) iFail = i;
  }
  sqlite3_free(zErr);
  if( pKeep ){
    int j;
    for(j=0; j<2; j++){
      dtResClear(&pKeep->aRes[j]);
      pKeep->aRes[j] = r.aRes[j];
      memset(&r.aRes[j], 0, sizeof(DtRes));
    }
    sqlite3_free(pKeep->zWhy);
    pKeep->zWhy = r.zWhy;
    r.zWhy = 0;
  }
  dtTeardown(&r);
  return iFail;
}

/*
** Shrink a[0..*pn) in place (the last step is kept): remove chunks of
** steps, halving the chunk size, as long as the replay still fails at the
** last step; stop after nSec seconds.  Returns 1 if the full sequence
** reproduced on replay.
*/
static int dtMinimise(const DtRun *p, DtStmt *a, int *pn, int nSec){
  double tEnd = dtNow() + nSec;
  DtStmt *aTry = malloc(sizeof(DtStmt) * (*pn));
  int n = *pn, nChunk, i;
  ck_assert_ptr_nonnull(aTry);
  if( dtReplay(p, a, n, 0)!=n-1 ){ free(aTry); return 0; }
  for(nChunk=(n-1)/2; nChunk>=1 && dtNow()<tEnd; nChunk/=2){
    for(i=0; i+nChunk<=n-1 && dtNow()<tEnd; ){
      int nTry = n - nChunk;
      memcpy(aTry, a, i*sizeof(DtStmt));
      memcpy(&aTry[i], &a[i+nChunk], (n-i-nChunk)*sizeof(DtStmt));
      if( dtReplay(p, aTry, nTry, 0)==nTry-1 ){
        memcpy(a, aTry, nTry*sizeof(DtStmt));
        n = nTry;
      }else{
        i += nChunk;
      }
    }
  }
  free(aTry);
  *pn = n;
  return 1;
}

/* Write one step of a repro script for side iSide to pOut. */
static void dtWriteStep(FILE *pOut, const DtRun *p, const DtStmt *pStmt,
                        int iSide){
  const char *zTab = p->aSide[iSide].zTab;
  char *zSql = 0;
  switch( pStmt->eKind ){
    case DT_RECONNECT:
      fprintf(pOut, "-- reconnect: close and reopen the database here\n");
      return;
    case DT_LSMONLY:
      if( iSide==1 ) return;
      zSql = dtSubst(pStmt->zSql, zTab);
      break;
    case DT_CHECK: {
      char *zT = sqlite3_mprintf("SELECT %s FROM $T ORDER BY %s",
                                 p->pS->zFull, p->pS->zKey);
      zSql = dtSubst(zT, zTab);
      sqlite3_free(zT);
      break;
    }
    default:
      zSql = dtSubst(pStmt->zSql, zTab);
      break;
  }
  fprintf(pOut, "%s;\n", zSql);
  sqlite3_free(zSql);
}

/* Print the results of side i of p as "-- "-prefixed lines (or plain). */
static void dtPrintRes(FILE *pOut, const char *zPrefix, const char *zName,
                       const DtRes *pRes){
  int i;
  fprintf(pOut, "%s%s: rc=%d changes=%d autocommit=%d last_rowid=%lld "
          "rows=%d%s%s\n", zPrefix, zName, pRes->rc, pRes->nChange,
          pRes->bAuto, (long long)pRes->iRowid, pRes->nRow,
          pRes->zErr ? " error=" : "", pRes->zErr ? pRes->zErr : "");
  for(i=0; i<pRes->nRow && i<DT_MAX_SHOW; i++){
    char *z = dtRowText(&pRes->aRow[i]);
    fprintf(pOut, "%s    %s\n", zPrefix, z);
    sqlite3_free(z);
  }
  if( pRes->nRow>DT_MAX_SHOW ) fprintf(pOut, "%s    ...\n", zPrefix);
}

/*
** Write the repro pair for steps a[0..n) (the last one failed) into the
** repro directory: <base>.sql for the lsm side, <base>-native.sql.  The
** lsm file's name goes to zPath (size nPath).
*/
static void dtWriteRepro(const DtRun *p, const DtStmt *a, int n,
                         const char *zSuffix, char *zPath, int nPath){
  const char *zDir = p->pCfg->zReproDir;
  int iSide, i;
  char zDefault[600];
  if( zDir==0 ) zDir = getenv("DIFFTEST_REPRO_DIR");
  if( zDir==0 || zDir[0]==0 ){
    const char *zRes = getenv("LSMV_RESULTS_DIR");
    snprintf(zDefault, sizeof(zDefault), "%s/difftest",
             zRes && zRes[0] ? zRes : "test-results");
    mkdir(zRes && zRes[0] ? zRes : "test-results", 0755);
    mkdir(zDefault, 0755);
    zDir = zDefault;
  }
  for(iSide=0; iSide<2; iSide++){
    char zFile[700];
    FILE *pOut;
    char *zCreate = dtCreateSql(p->pS, p->aSide[iSide].zTab,
                                p->aSide[iSide].bLsm, p->zOpts);
    snprintf(zFile, sizeof(zFile), "%s/difftest-repro-%llu%s%s.sql", zDir,
             p->iSeed, zSuffix, iSide ? "-native" : "");
    if( iSide==0 ) snprintf(zPath, nPath, "%s", zFile);
    pOut = fopen(zFile, "w");
    ck_assert_msg(pOut!=0, "cannot write %s", zFile);
    if( p->aSide[iSide].bLsm ) fprintf(pOut, ".load ./lsmvtab\n");
    fprintf(pOut, "-- difftest seed %llu, schema %s, %s side (%d steps; "
            "compare the output with difftest-repro-%llu%s%s.sql)\n"
            ".mode quote\n%s;\n", p->iSeed, p->pS->zName,
            iSide ? "native" : "lsm", n, p->iSeed, zSuffix,
            iSide ? "" : "-native", zCreate);
    for(i=0; i<n; i++){
      if( i==n-1 ) fprintf(pOut, "-- the mismatching step: %s\n", p->zWhy);
      dtWriteStep(pOut, p, &a[i], iSide);
    }
    dtPrintRes(pOut, "-- ", "lsm", &p->aRes[0]);
    dtPrintRes(pOut, "-- ", "native", &p->aRes[1]);
    if( p->bFullScanDiff ){
      dtPrintRes(pOut, "-- ", "lsm, full scans only", &p->aRes[2]);
    }
    fclose(pOut);
    sqlite3_free(zCreate);
  }
}

/*
** Report the mismatch at the last logged step of p: print it, write the
** repro pair, then minimise and write the -min pair.
*/
static void dtReport(DtRun *p, DtTotals *pTot){
  const DtStmt *pLast = &p->aLog[p->nLog-1];
  FILE *pOut = p->pCfg->bQuiet ? 0 : stdout;
  char zMin[700];
  if( pOut ){
    char *zSql = pLast->zSql ? dtSubst(pLast->zSql, "l") : 0;
    fprintf(pOut, "difftest MISMATCH: seed %llu schema %s step %d: %s\n"
            "  statement: %s\n", p->iSeed, p->pS->zName, p->nLog,
            p->zWhy, zSql ? zSql : pLast->eKind==DT_CHECK
            ? "(full-content check)" : "(reconnect)");
    dtPrintRes(pOut, "  ", "lsm", &p->aRes[0]);
    dtPrintRes(pOut, "  ", "native", &p->aRes[1]);
    if( p->bFullScanDiff ){
      dtPrintRes(pOut, "  ", "lsm, full scans only", &p->aRes[2]);
    }
    sqlite3_free(zSql);
  }
  dtWriteRepro(p, p->aLog, p->nLog, "", pTot->zRepro, sizeof(pTot->zRepro));
  if( pOut ) fprintf(pOut, "  repro: %s\n", pTot->zRepro);
  if( p->pCfg->nMinSec>0 ){
    DtStmt *aMin = malloc(sizeof(DtStmt) * p->nLog);
    int nMin = p->nLog;
    ck_assert_ptr_nonnull(aMin);
    memcpy(aMin, p->aLog, sizeof(DtStmt) * p->nLog);
    if( dtMinimise(p, aMin, &nMin, p->pCfg->nMinSec) ){
      /* the -min pair shows the results of the minimised replay */
      dtReplay(p, aMin, nMin, p);
      dtWriteRepro(p, aMin, nMin, "-min", zMin, sizeof(zMin));
      if( pOut ) fprintf(pOut, "  minimised to %d steps: %s\n", nMin, zMin);
    }else if( pOut ){
      fprintf(pOut, "  (replay did not reproduce it: not minimised)\n");
    }
    free(aMin);
  }
  if( pOut ) fflush(pOut);
}

/*
** Self-check only: make side 0 differ from side 1 (kind 1: an extra row
** with a key outside the domain; kind 2: INTEGERs of one column become
** REALs).  Logged as an lsm-only step so repro and replay include it.
*/
static void dtInject(DtRun *p){
  static const char *const azRow[] = {
    "INSERT OR REPLACE INTO $T(k, a, b) VALUES(1000, 'inj', 'inj')",
    "INSERT OR REPLACE INTO $T(k, i) VALUES('zz-injected', 1)",
    "INSERT OR REPLACE INTO $T(k, v) VALUES(x'ffff', 1)",
    "INSERT OR REPLACE INTO $T(a, b, c) VALUES('zz', 99, 1)",
    "INSERT OR REPLACE INTO $T(rowid, x, y) VALUES(1000, 1, 1)",
    "INSERT OR REPLACE INTO $T(k, name, v) VALUES(1000, 'inj', 1)",
  };
  DtStmt s;
  memset(&s, 0, sizeof(s));
  s.eKind = DT_LSMONLY;
  if( p->pCfg->eInject==1 ){
    s.zSql = sqlite3_mprintf("%s", azRow[p->iSeed % dtSchemaCount()]);
  }else{
    s.zSql = sqlite3_mprintf("UPDATE $T SET %s = %s + 0.5 - 0.5 "
                             "WHERE typeof(%s) = 'integer'", p->pS->zInject,
                             p->pS->zInject, p->pS->zInject);
  }
  dtStep(p, &s);
  dtLog(p, &s);
}

/* A step of kind eKind with SQL z (0 or a literal) into the log. */
static int dtStepLog(DtRun *p, int eKind, const char *z){
  DtStmt s;
  memset(&s, 0, sizeof(s));
  s.eKind = eKind;
  s.bOrdered = 1;
  s.zSql = z ? sqlite3_mprintf("%s", z) : 0;
  dtLog(p, &s);
  return dtStep(p, &s);
}

/*
** Run seed iSeed: pCfg->nStmt generated statements with periodic checks
** and reconnects.  Adds to *pTot; returns 1 on a mismatch (reported).
*/
static int dtRunSeed(const DtConfig *pCfg, unsigned long long iSeed,
                     DtTotals *pTot){
  DtRun r;
  DtGen g;
  int i, bFail = 0;
  int iSchema = (int)(iSeed % (unsigned)dtSchemaCount());
  char *zErr;
  dtRunInit(&r, pCfg, iSeed);
  dtGenInit(&g, r.pS, iSeed);
  g.bQuirks = pCfg->bQuirks;
  zErr = dtSetup(&r);
  pTot->nSeed++;
  if( zErr ){
    printf("difftest: seed %llu: setup failed: %s\n", iSeed, zErr);
    sqlite3_free(zErr);
    dtTeardown(&r);
    pTot->nMismatch++;
    return 1;
  }
  for(i=0; i<pCfg->nStmt && !bFail; i++){
    DtStmt s;
    if( i>0 && i%DT_RECONNECT_EVERY==0 ){
      if( !sqlite3_get_autocommit(r.aSide[0].db)
       || !sqlite3_get_autocommit(r.aSide[1].db) ){
        bFail = dtStepLog(&r, DT_SQL, "COMMIT");
      }
      if( !bFail ) bFail = dtStepLog(&r, DT_RECONNECT, 0);
      dtGenNote(&g, SQLITE_OK, sqlite3_get_autocommit(r.aSide[1].db));
      if( bFail ) break;
    }
    dtGenNext(&g, &s);
    if( s.eKind==DT_LSMONLY && pCfg->bSelf ){
      sqlite3_free(s.zSql);
      continue;
    }
    dtLog(&r, &s);
    bFail = dtStep(&r, &s);
    if( pCfg->bTrace ){
      printf("%d rc=%d changes=%d rows=%d: %s\n", i, r.aRes[1].rc,
             r.aRes[1].nChange, r.aRes[1].nRow, s.zSql);
    }
    pTot->nStmt++;
    pTot->anSchema[iSchema]++;
    if( s.eKind==DT_SQL ){
      pTot->anErr[r.aRes[1].rc & 0xff]++;
      dtGenNote(&g, r.aRes[1].rc & 0xff, r.aRes[1].bAuto);
    }
    if( !bFail && i%DT_CHECK_EVERY==DT_CHECK_EVERY-1 ){
      bFail = dtStepLog(&r, DT_CHECK, 0);
      if( pCfg->bTrace ) printf("check: %d rows\n", r.aRes[1].nRow);
    }
    if( !bFail && pCfg->eInject && i%50==49 ){
      dtInject(&r);
      bFail = dtStepLog(&r, DT_CHECK, 0);
    }
  }
  if( !bFail ) bFail = dtStepLog(&r, DT_CHECK, 0);
  pTot->nFullScan += r.nFullScan;
  if( bFail ){
    pTot->nMismatch++;
    dtReport(&r, pTot);
  }
  dtTeardown(&r);
  dtLogFree(&r);
  return bFail;
}

/* Print the counters of a run. */
static void dtPrintTotals(const char *zWhat, const DtTotals *pTot){
  int i;
  printf("difftest %s: %ld seeds, %ld statements (", zWhat, pTot->nSeed,
         pTot->nStmt);
  for(i=0; i<dtSchemaCount(); i++){
    printf("%s%s %ld", i ? ", " : "", dtSchema(i)->zName, pTot->anSchema[i]);
  }
  printf("); native errors:");
  for(i=1; i<256; i++){
    if( pTot->anErr[i] ) printf(" %s %ld;", sqlite3_errstr(i), pTot->anErr[i]);
  }
  printf(" SELECTs rerun with full scans only (E2) %ld; mismatches %ld\n",
         pTot->nFullScan, pTot->nMismatch);
  fflush(stdout);
}

/* Integer from environment variable zName, or iDefault. */
static long dtEnvInt(const char *zName, long iDefault){
  const char *z = getenv(zName);
  return (z && z[0]) ? strtol(z, 0, 10) : iDefault;
}

/* Run seeds i0 .. i0+nSeed-1 (stopping at a mismatch unless bAll). */
static void dtRunSeeds(const DtConfig *pCfg, unsigned long long i0,
                       long nSeed, int bAll, DtTotals *pTot){
  long i;
  for(i=0; i<nSeed; i++){
    if( dtRunSeed(pCfg, i0 + (unsigned long long)i, pTot) && !bAll ) break;
  }
}

/*
** The comparator itself: results taken from real statements that differ
** in storage class (1 vs 1.0, 'a' vs x'61', NUL inside TEXT), order,
** row count, result code and changes(), and ones that agree.
*/
START_TEST(test_compare){
  static const struct { const char *zA, *zB; int bOrd, bSame; } aCase[] = {
    { "SELECT 1", "SELECT 1", 1, 1 },
    { "SELECT 1", "SELECT 1.0", 1, 0 },
    { "SELECT 'a'", "SELECT x'61'", 1, 0 },
    { "SELECT CAST(x'610062' AS TEXT)", "SELECT 'a'", 1, 0 },
    { "SELECT CAST(x'610062' AS TEXT)", "SELECT CAST(x'610063' AS TEXT)", 1, 0},
    { "VALUES(1),(2)", "VALUES(2),(1)", 1, 0 },
    { "VALUES(1),(2)", "VALUES(2),(1)", 0, 1 },
    { "VALUES(1),(2)", "VALUES(1)", 0, 0 },
    { "VALUES(1, NULL)", "VALUES(1, '')", 1, 0 },
    { "SELECT 1", "SELECT * FROM nosuch", 1, 0 },
    { "INSERT INTO $T VALUES(1),(2)", "INSERT INTO $T VALUES(3)", 1, 0 },
    { "SELECT 9223372036854775807", "SELECT 9223372036854775807", 1, 1 },
  };
  DtSide side;
  DtRes aRes[2];
  int i;
  memset(&side, 0, sizeof(side));
  memset(aRes, 0, sizeof(aRes));
  side.zTab = "n";
  ck_assert_int_eq(sqlite3_open(":memory:", &side.db), SQLITE_OK);
  ck_assert_int_eq(sqlite3_exec(side.db, "CREATE TABLE n(x)", 0, 0, 0), 0);
  for(i=0; i<(int)(sizeof(aCase)/sizeof(aCase[0])); i++){
    char *zWhy;
    dtExec(&side, aCase[i].zA, &aRes[0]);
    dtExec(&side, aCase[i].zB, &aRes[1]);
    zWhy = dtCompare(&aRes[0], &aRes[1], aCase[i].bOrd, 1, 0);
    ck_assert_msg((zWhy==0)==aCase[i].bSame, "case %d: %s", i,
                  zWhy ? zWhy : "same");
    sqlite3_free(zWhy);
  }
  /* Error messages: table names are normalised, other text compared. */
  ck_assert_int_eq(sqlite3_exec(side.db, "CREATE TABLE l(k PRIMARY KEY);"
                   "CREATE TABLE m(k PRIMARY KEY);"
                   "INSERT INTO l VALUES(1); INSERT INTO m VALUES(1)",
                   0, 0, 0), SQLITE_OK);
  side.zTab = "l";
  dtExec(&side, "INSERT INTO $T VALUES(1)", &aRes[0]);
  side.zTab = "m";
  dtExec(&side, "INSERT INTO $T VALUES(1)", &aRes[1]);
  ck_assert_str_eq(aRes[0].zErr, "UNIQUE constraint failed: T.k");
  ck_assert_ptr_null(dtCompare(&aRes[0], &aRes[1], 1, 0, 0));
  sqlite3_free(aRes[1].zErr);
  aRes[1].zErr = sqlite3_mprintf("UNIQUE constraint failed: T.v");
  {
    char *zWhy = dtCompare(&aRes[0], &aRes[1], 1, 0, 0);
    ck_assert_ptr_nonnull(zWhy);
    sqlite3_free(zWhy);
  }
  dtResClear(&aRes[0]);
  dtResClear(&aRes[1]);
  sqlite3_close(side.db);
}
END_TEST

/*
** Native against native over every schema: the harness must see no
** difference, and the generator must reach constraint errors, datatype
** mismatches and transaction-state errors.
*/
START_TEST(test_self){
  DtConfig cfg;
  DtTotals tot;
  memset(&cfg, 0, sizeof(cfg));
  memset(&tot, 0, sizeof(tot));
  cfg.bSelf = 1;
  cfg.nStmt = 600;
  dtRunSeeds(&cfg, 1000, 2*dtSchemaCount(), 1, &tot);
  dtPrintTotals("self-check", &tot);
  ck_assert_int_eq(tot.nMismatch, 0);
  ck_assert_int_gt(tot.nStmt, 600*2*dtSchemaCount()*95/100);
  ck_assert_int_gt(tot.anErr[SQLITE_CONSTRAINT], 100);
  ck_assert_int_gt(tot.anErr[SQLITE_MISMATCH], 5);
  ck_assert_int_gt(tot.anErr[SQLITE_ERROR], 5);
}
END_TEST

/*
** Deliberately injected differences must be caught, on every schema, and
** the repro files written (and minimised, by replay, to a short script).
*/
START_TEST(test_inject){
  DtConfig cfg;
  char zDir[512];
  int iSchema = _i / 2;
  const char *zTmp = getenv("TMPDIR");
  memset(&cfg, 0, sizeof(cfg));
  snprintf(zDir, sizeof(zDir), "%s/difftest-repro-XXXXXX",
           zTmp && zTmp[0] ? zTmp : "/tmp");
  ck_assert_ptr_nonnull(mkdtemp(zDir));
  cfg.bSelf = 1;
  cfg.eInject = 1 + _i % 2;
  cfg.nStmt = 400;
  cfg.zReproDir = zDir;
  cfg.nMinSec = 20;
  cfg.bQuiet = 1;
  {
    DtTotals tot;
    char zMin[800];
    FILE *pIn;
    char zLine[200];
    int nLine = 0;
    memset(&tot, 0, sizeof(tot));
    dtRunSeeds(&cfg, (unsigned long long)iSchema, 1, 0, &tot);
    ck_assert_msg(tot.nMismatch==1, "schema %d inject %d: not caught",
                  iSchema, cfg.eInject);
    ck_assert_ptr_nonnull(strstr(tot.zRepro, "difftest-repro-"));
    ck_assert_int_eq(access(tot.zRepro, R_OK), 0);
    snprintf(zMin, sizeof(zMin), "%s/difftest-repro-%d-min.sql", zDir,
             iSchema);
    pIn = fopen(zMin, "r");
    ck_assert_msg(pIn!=0, "no minimised repro %s", zMin);
    while( fgets(zLine, sizeof(zLine), pIn) ){
      if( strncmp(zLine, "--", 2)!=0 ) nLine++;
    }
    fclose(pIn);
    /* .mode, CREATE, at most a few steps, the injection, the check */
    ck_assert_msg(nLine<=8, "minimised repro has %d statements", nLine);
  }
  dtRemoveTree(zDir);
}
END_TEST

/*
** The differential run itself (lsm against native, or native against
** native with DIFFTEST_SELF=1).  DIFFTEST_STATEMENTS statements in all,
** 1000 per seed, seeds spread over the schemas; or DIFFTEST_SEED alone.
*/
START_TEST(test_difftest){
  DtConfig cfg;
  DtTotals tot;
  const char *zProfile = getenv("LSMV_TEST_PROFILE");
  long nTotal = dtEnvInt("DIFFTEST_STATEMENTS",
                         zProfile && strcmp(zProfile, "soak")==0
                           ? 10000000 : 100000);
  const char *zSeed = getenv("DIFFTEST_SEED");
  memset(&cfg, 0, sizeof(cfg));
  memset(&tot, 0, sizeof(tot));
  cfg.bSelf = dtEnvInt("DIFFTEST_SELF", 0)!=0;
  cfg.zOpts = getenv("DIFFTEST_LSM_OPTS");
  cfg.nMinSec = (int)dtEnvInt("DIFFTEST_MINIMIZE", 60);
  cfg.bTrace = dtEnvInt("DIFFTEST_TRACE", 0)!=0;
  cfg.bQuirks = dtEnvInt("DIFFTEST_NATIVE_QUIRKS", 0)!=0;
  if( cfg.bSelf ) cfg.eInject = (int)dtEnvInt("DIFFTEST_INJECT", 0);
  if( zSeed && zSeed[0] ){
    cfg.nStmt = (int)dtEnvInt("DIFFTEST_STATEMENTS", DT_PER_SEED);
    dtRunSeeds(&cfg, strtoull(zSeed, 0, 10), 1, 0, &tot);
  }else{
    long nSeed;
    cfg.nStmt = nTotal>=6*DT_PER_SEED ? DT_PER_SEED
              : (int)(nTotal/6 > 0 ? nTotal/6 : 1);
    nSeed = nTotal / cfg.nStmt;
    dtRunSeeds(&cfg, 0, nSeed, dtEnvInt("DIFFTEST_KEEP_GOING", 0)!=0, &tot);
  }
  dtPrintTotals(cfg.bSelf ? "native-vs-native" : "lsm-vs-native", &tot);
  ck_assert_msg(tot.nMismatch==0, "%ld mismatching seed(s); repro %s",
                tot.nMismatch, tot.zRepro);
}
END_TEST

/* The suite: comparator, self-check, injection, the differential run. */
static Suite *difftestSuite(void){
  Suite *s = suite_create("difftest");
  TCase *tc = tcase_create("harness");
  tcase_add_test(tc, test_compare);
  tcase_add_test(tc, test_self);
  tcase_add_loop_test(tc, test_inject, 0, 2*dtSchemaCount());
  tcase_set_timeout(tc, 120);
  suite_add_tcase(s, tc);
  tc = tcase_create("differential");
  tcase_add_test(tc, test_difftest);
  tcase_set_timeout(tc, 900);
  suite_add_tcase(s, tc);
  return s;
}

int main(void){
  SRunner *sr = srunner_create(difftestSuite());
  int nFail;
  srunner_run_all(sr, CK_NORMAL);
  nFail = srunner_ntests_failed(sr);
  srunner_free(sr);
  return nFail==0 ? 0 : 1;
}
