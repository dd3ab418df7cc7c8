/*
** check_planner.c -- tests of ext/planner.c (TESTPLAN E2, E5).  The test
** builds its own virtual-table module "ptest": a table is a sorted array of
** rows keyed by the encoded key (keycodec), loaded at CREATE from the
** native table whose name is the vtab's with the leading "v" replaced by
** "n" (v_int reads n_int), declared with the same column list.  Its
** xBestIndex is lsmvBestIndex() and its xFilter reads the ranges of
** lsmvPlanScan(), so every row a query returns went through the planner.
** Every query is run on the native table, on the vtab with the planner,
** and on the vtab with bDisable=1 (full scans only), and the rows must be
** identical (in order when the ORDER BY is total or a LIMIT applies,
** otherwise as sorted lists); any error on the vtab side, such as
** "xBestIndex malfunction", counts as a mismatch.  Cases: E5's boundary
** suite over an INTEGER PRIMARY KEY (rowid), a TEXT key, an untyped key, a
** REAL key, a composite key and a keyless table; EXPLAIN QUERY PLAN
** checks of the idxStr and of ORDER BY without a temp b-tree; xFilter
** unit checks (affinity, argument mismatch); and a random differential of
** 20,000 SELECTs (fixed seed, env PLANNER_SEED overrides).
*/
#include <sqlite3ext.h>
#include "keycodec.h"
#include "planner.h"
#include "schema.h"

#include <check.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef sqlite3_int64 i64;

#define N_RANDOM_QUERIES 20000

/* Shared by the module's tables: the test switches and counters. */
typedef struct Ctx Ctx;
struct Ctx {
  int bDisable;                   /* Pass bDisable=1 to lsmvBestIndex */
  int nFilter;                    /* xFilter calls */
  int nFilterPlanned;             /* xFilter calls with a non-scan plan */
};

/* One row of a test table. */
typedef struct TRow TRow;
struct TRow {
  LsmvBuf key;                    /* Encoded key */
  i64 iRowid;                     /* Rowid (rowid tables) */
  sqlite3_value **apVal;          /* nCol column values (sqlite3_value_dup) */
};

typedef struct TTable TTable;
struct TTable {
  sqlite3_vtab base;              /* Base class */
  Ctx *pCtx;                      /* Switches and counters */
  LsmvSchema *pSchema;            /* Parsed arguments */
  int nRow;                       /* Rows in aRow */
  TRow *aRow;                     /* Rows sorted by key */
};

typedef struct TCursor TCursor;
struct TCursor {
  sqlite3_vtab_cursor base;       /* Base class */
  int *aiRow;                     /* Rows to return, in order */
  int nRow;                       /* Entries in aiRow */
  int iCur;                       /* Current entry */
};

static int rowCmp(const void *a, const void *b){
  const TRow *p = a, *q = b;
  int n = p->key.n<q->key.n ? p->key.n : q->key.n;
  int c = n>0 ? memcmp(p->key.a, q->key.a, (size_t)n) : 0;
  return c ? c : p->key.n - q->key.n;
}

static void tableFree(TTable *p){
  int i, j;
  for(i=0; i<p->nRow; i++){
    for(j=0; j<p->pSchema->nCol; j++) sqlite3_value_free(p->aRow[i].apVal[j]);
    sqlite3_free(p->aRow[i].apVal);
    lsmvBufFree(&p->aRow[i].key);
  }
  sqlite3_free(p->aRow);
  lsmvSchemaFree(p->pSchema);
  sqlite3_free(p);
}

/*
** Load the rows of the native table into p, encoding each key.
*/
static int tableLoad(sqlite3 *db, TTable *p){
  const LsmvSchema *pS = p->pSchema;
  int bRowid = pS->eKey!=LSMV_KEY_WITHOUT_ROWID;
  char *zSql = sqlite3_mprintf("SELECT %s* FROM n%s", bRowid ? "rowid, " : "",
                               pS->zTable+1);
  sqlite3_stmt *pStmt = 0;
  int rc = sqlite3_prepare_v2(db, zSql, -1, &pStmt, 0);
  int nAlloc = 0;
  sqlite3_free(zSql);
  while( rc==SQLITE_OK && sqlite3_step(pStmt)==SQLITE_ROW ){
    TRow *pRow;
    int j;
    if( p->nRow==nAlloc ){
      nAlloc = nAlloc ? 2*nAlloc : 64;
      p->aRow = sqlite3_realloc(p->aRow, nAlloc*(int)sizeof(TRow));
    }
    pRow = &p->aRow[p->nRow++];
    memset(pRow, 0, sizeof(*pRow));
    pRow->apVal = sqlite3_malloc(pS->nCol*(int)sizeof(sqlite3_value*));
    for(j=0; j<pS->nCol; j++){
      pRow->apVal[j] = sqlite3_value_dup(sqlite3_column_value(pStmt, j+bRowid));
    }
    if( bRowid ){
      pRow->iRowid = sqlite3_column_int64(pStmt, 0);
      lsmvKeyEncodeInt(&rc, &pRow->key, pRow->iRowid);
    }else{
      for(j=0; j<pS->nKey; j++){
        lsmvKeyEncode(&rc, &pRow->key, pRow->apVal[pS->aiKey[j]]);
      }
    }
  }
  sqlite3_finalize(pStmt);
  if( p->nRow>1 ) qsort(p->aRow, (size_t)p->nRow, sizeof(TRow), rowCmp);
  return rc;
}

/*
** xCreate/xConnect: parse the arguments as the lsm module does, declare
** the same schema, and load the rows of the native twin.
*/
static int tConnect(sqlite3 *db, void *pAux, int argc, const char *const *argv,
                    sqlite3_vtab **ppVtab, char **pzErr){
  TTable *p = sqlite3_malloc(sizeof(TTable));
  char *zDecl;
  int rc;
  memset(p, 0, sizeof(*p));
  p->pCtx = (Ctx*)pAux;
  rc = lsmvSchemaParse(argc, argv, &p->pSchema, pzErr);
  if( rc==SQLITE_OK ){
    zDecl = lsmvSchemaDeclare(p->pSchema);
    rc = sqlite3_declare_vtab(db, zDecl);
    sqlite3_free(zDecl);
  }
  if( rc==SQLITE_OK ) rc = tableLoad(db, p);
  if( rc!=SQLITE_OK ){
    if( p->pSchema ) tableFree(p); else sqlite3_free(p);
    return rc;
  }
  *ppVtab = &p->base;
  return SQLITE_OK;
}

static int tDisconnect(sqlite3_vtab *pVtab){
  tableFree((TTable*)pVtab);
  return SQLITE_OK;
}

static int tBestIndex(sqlite3_vtab *pVtab, sqlite3_index_info *pInfo){
  TTable *p = (TTable*)pVtab;
  return lsmvBestIndex(p->pSchema, pInfo, p->nRow, p->pCtx->bDisable);
}

static int tOpen(sqlite3_vtab *pVtab, sqlite3_vtab_cursor **ppCur){
  TCursor *pCur = sqlite3_malloc(sizeof(TCursor));
  (void)pVtab;
  memset(pCur, 0, sizeof(*pCur));
  *ppCur = &pCur->base;
  return SQLITE_OK;
}

static int tClose(sqlite3_vtab_cursor *pCur){
  sqlite3_free(((TCursor*)pCur)->aiRow);
  sqlite3_free(pCur);
  return SQLITE_OK;
}

/* Index of the first row whose key is >= the key in pBuf. */
static int tableSeek(TTable *p, const LsmvBuf *pBuf){
  int lo = 0, hi = p->nRow;
  TRow probe;
  probe.key = *pBuf;
  while( lo<hi ){
    int mid = (lo+hi)/2;
    if( rowCmp(&p->aRow[mid], &probe)<0 ) lo = mid+1; else hi = mid;
  }
  return lo;
}

/*
** xFilter: ask lsmvPlanScan() for the ranges and collect the rows they
** hold, in scan order, applying OFFSET and LIMIT.
*/
static int tFilter(sqlite3_vtab_cursor *pCursor, int idxNum,
                   const char *idxStr, int argc, sqlite3_value **argv){
  TCursor *pCur = (TCursor*)pCursor;
  TTable *p = (TTable*)pCursor->pVtab;
  LsmvScan scan;
  int rc;
  int r;
  i64 nSkip;
  memset(&scan, 0, sizeof(scan));
  p->pCtx->nFilter++;
  if( argc>0 || (idxNum & LSMV_PLAN_EMPTY) ) p->pCtx->nFilterPlanned++;
  rc = lsmvPlanScan(p->pSchema, idxNum, idxStr, pCursor->pVtab, argc, argv,
                    &scan);
  sqlite3_free(pCur->aiRow);
  pCur->aiRow = sqlite3_malloc((p->nRow+1)*(int)sizeof(int));
  pCur->nRow = pCur->iCur = 0;
  nSkip = scan.iOffset;
  for(r=0; rc==SQLITE_OK && !scan.bEmpty && r<scan.nRange; r++){
    const LsmvScanRange *pR = &scan.aRange[r];
    int iLo = tableSeek(p, &pR->lo);
    int iHi = pR->hi.n ? tableSeek(p, &pR->hi) : p->nRow;
    int i;
    for(i=0; i<iHi-iLo; i++){
      int iRow = scan.bDesc ? iHi-1-i : iLo+i;
      if( scan.iLimit>=0 && pCur->nRow>=scan.iLimit ) break;
      if( nSkip>0 ){ nSkip--; continue; }
      pCur->aiRow[pCur->nRow++] = iRow;
    }
  }
  lsmvScanFree(&scan);
  return rc;
}

static int tNext(sqlite3_vtab_cursor *pCur){
  ((TCursor*)pCur)->iCur++;
  return SQLITE_OK;
}

static int tEof(sqlite3_vtab_cursor *pCur){
  TCursor *p = (TCursor*)pCur;
  return p->iCur>=p->nRow;
}

static int tColumn(sqlite3_vtab_cursor *pCursor, sqlite3_context *pCtx, int i){
  TCursor *pCur = (TCursor*)pCursor;
  TTable *p = (TTable*)pCursor->pVtab;
  TRow *pRow = &p->aRow[pCur->aiRow[pCur->iCur]];
  if( i<p->pSchema->nCol ){
    sqlite3_result_value(pCtx, pRow->apVal[i]);
  }else{
    sqlite3_result_blob(pCtx, pRow->key.a, pRow->key.n, SQLITE_TRANSIENT);
  }
  return SQLITE_OK;
}

static int tRowid(sqlite3_vtab_cursor *pCursor, sqlite3_int64 *piRowid){
  TCursor *pCur = (TCursor*)pCursor;
  TTable *p = (TTable*)pCursor->pVtab;
  *piRowid = p->aRow[pCur->aiRow[pCur->iCur]].iRowid;
  return SQLITE_OK;
}

static sqlite3_module tModule = {
  /* iVersion    */ 0,
  /* xCreate     */ tConnect,
  /* xConnect    */ tConnect,
  /* xBestIndex  */ tBestIndex,
  /* xDisconnect */ tDisconnect,
  /* xDestroy    */ tDisconnect,
  /* xOpen       */ tOpen,
  /* xClose      */ tClose,
  /* xFilter     */ tFilter,
  /* xNext       */ tNext,
  /* xEof        */ tEof,
  /* xColumn     */ tColumn,
  /* xRowid      */ tRowid,
  /* xUpdate     */ 0,
  /* xBegin      */ 0,
  /* xSync       */ 0,
  /* xCommit     */ 0,
  /* xRollback   */ 0,
  /* xFindMethod */ 0,
  /* xRename     */ 0,
  /* xSavepoint  */ 0,
  /* xRelease    */ 0,
  /* xRollbackTo */ 0,
  /* xShadowName */ 0
};

/****************************************************************************
** Fixture: the native tables, their data, and the vtabs over them.
*/

/* name suffix, native column list, native suffix, vtab arguments */
static const char *const aTableDef[][3] = {
  { "int", "k INTEGER PRIMARY KEY, v", "" },
  { "txt", "k TEXT PRIMARY KEY, v", " WITHOUT ROWID" },
  { "any", "k PRIMARY KEY, v", " WITHOUT ROWID" },
  { "real", "k REAL PRIMARY KEY, v", " WITHOUT ROWID" },
  { "cmp", "a, b INTEGER, v, PRIMARY KEY(a, b)", " WITHOUT ROWID" },
  { "nokey", "k, v", "" },
};
#define N_TABLE ((int)(sizeof(aTableDef)/sizeof(aTableDef[0])))

/* Key values inserted (as SQL literals) into every single-key table. */
static const char *const azKeyLit[] = {
  "-9223372036854775808", "-9223372036854775807", "-9007199254740993",
  "-1", "0", "1", "2", "3", "5", "10", "100", "2147483648",
  "9007199254740992", "9007199254740993", "9223372036854775806",
  "9223372036854775807", "1.5", "-0.5", "2.5", "1e19", "-1e19", "9e999",
  "-9e999", "'a'", "'A'", "'abc'", "'b'", "''", "'5'", "'05'", "' 7'",
  "'1.5'", "'x'||char(0)||'y'", "'é'", "X''", "X'00'", "X'61'", "X'ff01'",
  "4.0", "'7'",
};
#define N_KEYLIT ((int)(sizeof(azKeyLit)/sizeof(azKeyLit[0])))

/* Generated rows: c(x) counts from iFirst to iLast. */
static const struct { int iFirst; int iLast; const char *zSql; } aFill[] = {
  { -40, 40, "INSERT OR IGNORE INTO n_int SELECT x*3, x FROM c" },
  { -40, 40, "INSERT OR IGNORE INTO n_any SELECT x*2, x FROM c" },
  { -40, 40, "INSERT OR IGNORE INTO n_real SELECT x/4.0, x FROM c" },
  { -40, 40, "INSERT OR IGNORE INTO n_txt SELECT char(97+abs(x)%26)||x, x "
             "FROM c" },
  { -40, 40, "INSERT INTO n_nokey SELECT x%7, x FROM c" },
  { 0, 0, "INSERT INTO n_nokey(rowid, k, v) "
          "VALUES(9223372036854775807, 'max', 0)" },
  { 0, 299, "INSERT OR IGNORE INTO n_cmp SELECT CASE x%5 WHEN 0 THEN x%4 "
            "WHEN 1 THEN 'k'||(x%3) WHEN 2 THEN (x%4)+0.5 WHEN 3 THEN x%4 "
            "ELSE X'01' END, CASE WHEN x%17=0 THEN 'b'||x ELSE x%11-3 END, x "
            "FROM c" },
};
#define N_FILL ((int)(sizeof(aFill)/sizeof(aFill[0])))

/*
** Open an in-memory database with the native tables filled and a "ptest"
** vtab over each.
*/
static sqlite3 *fixOpen(Ctx *pCtx){
  sqlite3 *db = 0;
  int i, j;
  char *zErr = 0;
  ck_assert_int_eq(sqlite3_open(":memory:", &db), SQLITE_OK);
  ck_assert_int_eq(sqlite3_create_module(db, "ptest", &tModule, pCtx),
                   SQLITE_OK);
  for(i=0; i<N_TABLE; i++){
    char *z = sqlite3_mprintf("CREATE TABLE n_%s(%s)%s",
                              aTableDef[i][0], aTableDef[i][1],
                              aTableDef[i][2]);
    ck_assert_int_eq(sqlite3_exec(db, z, 0, 0, 0), SQLITE_OK);
    sqlite3_free(z);
  }
  for(j=0; j<N_KEYLIT; j++){
    for(i=0; i<4; i++){
      char *z = sqlite3_mprintf("INSERT OR IGNORE INTO n_%s VALUES(%s, %d)",
                                aTableDef[i][0], azKeyLit[j], j);
      sqlite3_exec(db, z, 0, 0, 0);       /* datatype mismatch is fine */
      sqlite3_free(z);
    }
  }
  for(i=0; i<N_FILL; i++){
    char *z = sqlite3_mprintf("WITH RECURSIVE c(x) AS (SELECT %d UNION ALL "
                              "SELECT x+1 FROM c WHERE x<%d) %s",
                              aFill[i].iFirst, aFill[i].iLast, aFill[i].zSql);
    int rc = sqlite3_exec(db, z, 0, 0, &zErr);
    if( rc!=SQLITE_OK ) ck_abort_msg("%s: %s", z, zErr);
    sqlite3_free(z);
  }
  for(i=0; i<N_TABLE; i++){
    char *z = sqlite3_mprintf("CREATE VIRTUAL TABLE v_%s USING ptest(%s)",
                              aTableDef[i][0], aTableDef[i][1]);
    int rc = sqlite3_exec(db, z, 0, 0, &zErr);
    if( rc!=SQLITE_OK ) ck_abort_msg("%s: %s", z, zErr);
    sqlite3_free(z);
  }
  return db;
}

/****************************************************************************
** Running a query and rendering its rows.
*/

/* Append a rendering of one value (type and exact value) to pStr. */
static void renderValue(sqlite3_str *pStr, sqlite3_stmt *pStmt, int i){
  int n, j;
  const unsigned char *z;
  switch( sqlite3_column_type(pStmt, i) ){
    case SQLITE_NULL:    sqlite3_str_appendall(pStr, "N"); break;
    case SQLITE_INTEGER:
      sqlite3_str_appendf(pStr, "I%lld", sqlite3_column_int64(pStmt, i));
      break;
    case SQLITE_FLOAT:
      sqlite3_str_appendf(pStr, "R%!.17g", sqlite3_column_double(pStmt, i));
      break;
    default:
      z = sqlite3_column_type(pStmt, i)==SQLITE_TEXT
          ? sqlite3_column_text(pStmt, i) : sqlite3_column_blob(pStmt, i);
      n = sqlite3_column_bytes(pStmt, i);
      sqlite3_str_appendall(pStr,
                  sqlite3_column_type(pStmt, i)==SQLITE_TEXT ? "T" : "B");
      for(j=0; j<n; j++) sqlite3_str_appendf(pStr, "%02x", z[j]);
      break;
  }
}

static int strPtrCmp(const void *a, const void *b){
  return strcmp(*(char*const*)a, *(char*const*)b);
}

/*
** Run zSql with "$" replaced by zTab; return the rows, one per line
** (sorted unless bOrdered), or "ERROR: ..." (caller sqlite3_free()s).
*/
static char *runQuery(sqlite3 *db, const char *zSql, const char *zTab,
                      int bOrdered){
  sqlite3_str *pSql = sqlite3_str_new(db);
  sqlite3_str *pOut = sqlite3_str_new(db);
  sqlite3_stmt *pStmt = 0;
  char **azRow = 0;
  int nRow = 0, nAlloc = 0;
  const char *z;
  char *zQ;
  int rc, i;
  for(z=zSql; *z; z++){
    if( *z=='$' ) sqlite3_str_appendall(pSql, zTab);
    else sqlite3_str_appendchar(pSql, 1, *z);
  }
  zQ = sqlite3_str_finish(pSql);
  rc = sqlite3_prepare_v2(db, zQ, -1, &pStmt, 0);
  if( rc==SQLITE_OK && sqlite3_bind_parameter_count(pStmt)>=1 ){
    sqlite3_bind_int(pStmt, 1, 5);        /* ?1 is 5, ?2 is 'b' */
    if( sqlite3_bind_parameter_count(pStmt)>=2 ){
      sqlite3_bind_text(pStmt, 2, "b", -1, SQLITE_STATIC);
    }
  }
  while( rc==SQLITE_OK && (rc = sqlite3_step(pStmt))==SQLITE_ROW ){
    sqlite3_str *pRow = sqlite3_str_new(db);
    for(i=0; i<sqlite3_column_count(pStmt); i++){
      if( i ) sqlite3_str_appendall(pRow, ",");
      renderValue(pRow, pStmt, i);
    }
    if( nRow==nAlloc ){
      nAlloc = nAlloc ? 2*nAlloc : 16;
      azRow = sqlite3_realloc(azRow, nAlloc*(int)sizeof(char*));
    }
    azRow[nRow++] = sqlite3_str_finish(pRow);
    rc = SQLITE_OK;
  }
  if( rc==SQLITE_DONE ) rc = SQLITE_OK;
  if( rc!=SQLITE_OK ){
    sqlite3_str_appendf(pOut, "ERROR: %s", sqlite3_errmsg(db));
  }else{
    if( !bOrdered && nRow>1 ){
      qsort(azRow, (size_t)nRow, sizeof(char*), strPtrCmp);
    }
    for(i=0; i<nRow; i++) sqlite3_str_appendf(pOut, "%s\n", azRow[i]);
  }
  for(i=0; i<nRow; i++) sqlite3_free(azRow[i]);
  sqlite3_free(azRow);
  sqlite3_finalize(pStmt);
  sqlite3_free(zQ);
  zQ = sqlite3_str_finish(pOut);
  return zQ ? zQ : sqlite3_mprintf("");   /* finish gives NULL for "" */
}

/* Counters of one differential run. */
typedef struct Diff Diff;
struct Diff {
  int nQuery;                     /* Queries compared */
  int nRows;                      /* Native rows seen in total */
  int nNonEmpty;                  /* Queries with at least one row */
  int nMismatch;                  /* Queries where a side differed */
  int nVtabError;                 /* ... of which the vtab side failed */
};

/*
** Compare zSql on n_<zSuffix> (native) with v_<zSuffix>, planned and
** with the planner disabled.  Records into pDiff; prints the first few
** mismatches.
*/
static void diffQuery(sqlite3 *db, Ctx *pCtx, Diff *pDiff, const char *zSql,
                      const char *zSuffix, int bOrdered){
  char zN[32], zV[32];
  char *zNat, *zPlan, *zScan;
  snprintf(zN, sizeof(zN), "n_%s", zSuffix);
  snprintf(zV, sizeof(zV), "v_%s", zSuffix);
  zNat = runQuery(db, zSql, zN, bOrdered);
  pCtx->bDisable = 0;
  zPlan = runQuery(db, zSql, zV, bOrdered);
  pCtx->bDisable = 1;
  zScan = runQuery(db, zSql, zV, bOrdered);
  pCtx->bDisable = 0;
  pDiff->nQuery++;
  if( zNat[0] && strncmp(zNat, "ERROR", 5) ){
    const char *z;
    pDiff->nNonEmpty++;
    for(z=zNat; *z; z++) pDiff->nRows += (*z=='\n');
  }
  if( strcmp(zNat, zPlan) || strcmp(zNat, zScan) ){
    if( pDiff->nMismatch<8 ){
      fprintf(stderr, "MISMATCH on %s: %s\n native:\n%s planned:\n%s "
              "scan:\n%s\n", zSuffix, zSql, zNat, zPlan, zScan);
    }
    pDiff->nMismatch++;
    if( !strncmp(zPlan, "ERROR", 5) || !strncmp(zScan, "ERROR", 5) ){
      pDiff->nVtabError++;
    }
  }
  sqlite3_free(zNat);
  sqlite3_free(zPlan);
  sqlite3_free(zScan);
}

/****************************************************************************
** E5: the boundary suite.
*/

/* Queries on a single key "k" (every single-key table). 1: ordered. */
static const struct { const char *zSql; int bOrdered; } aSingle[] = {
  { "SELECT * FROM $ WHERE k = NULL", 0 },
  { "SELECT * FROM $ WHERE k > NULL", 0 },
  { "SELECT * FROM $ WHERE k <= NULL", 0 },
  { "SELECT * FROM $ WHERE k IS NULL", 0 },
  { "SELECT * FROM $ WHERE k IS NOT NULL", 0 },
  { "SELECT * FROM $ WHERE k IS 5", 0 },
  { "SELECT * FROM $ WHERE k IS '5'", 0 },
  { "SELECT * FROM $ WHERE k > 1", 0 },
  { "SELECT * FROM $ WHERE k >= 1 ORDER BY k", 1 },
  { "SELECT * FROM $ WHERE k < 'a'", 0 },
  { "SELECT * FROM $ WHERE k <= 'a' ORDER BY k DESC", 1 },
  { "SELECT * FROM $ WHERE k > 'a'", 0 },
  { "SELECT * FROM $ WHERE k < X'00'", 0 },
  { "SELECT * FROM $ WHERE k >= X'00'", 0 },
  { "SELECT * FROM $ WHERE k = 1.0", 0 },
  { "SELECT * FROM $ WHERE k = 4", 0 },
  { "SELECT * FROM $ WHERE k = 1.5", 0 },
  { "SELECT * FROM $ WHERE k > 1.5 AND k < 5.5", 0 },
  { "SELECT * FROM $ WHERE k = '1'", 0 },
  { "SELECT * FROM $ WHERE k = '1.0'", 0 },
  { "SELECT * FROM $ WHERE k = ' 7'", 0 },
  { "SELECT * FROM $ WHERE k = '05'", 0 },
  { "SELECT * FROM $ WHERE k = 5", 0 },
  { "SELECT * FROM $ WHERE k = -0.0", 0 },
  { "SELECT * FROM $ WHERE k > '2' AND k < '9'", 0 },
  { "SELECT * FROM $ WHERE k = 9223372036854775807", 0 },
  { "SELECT * FROM $ WHERE k > 9223372036854775806", 0 },
  { "SELECT * FROM $ WHERE k >= 9223372036854775807.0", 0 },
  { "SELECT * FROM $ WHERE k = 9223372036854775807.0", 0 },
  { "SELECT * FROM $ WHERE k < -9223372036854775808", 0 },
  { "SELECT * FROM $ WHERE k <= -9223372036854775808.0", 0 },
  { "SELECT * FROM $ WHERE k > 9.3e18", 0 },
  { "SELECT * FROM $ WHERE k < -9.3e18", 0 },
  { "SELECT * FROM $ WHERE k = 9007199254740993", 0 },
  { "SELECT * FROM $ WHERE k = 9007199254740992.0", 0 },
  { "SELECT * FROM $ WHERE k > 9e999", 0 },
  { "SELECT * FROM $ WHERE k >= -9e999 AND k < -1", 0 },
  { "SELECT * FROM $ WHERE k IN (1, 1, 2, NULL, '3', 2.0, 'a', 'a')", 0 },
  { "SELECT * FROM $ WHERE k IN (NULL)", 0 },
  { "SELECT * FROM $ WHERE k IN (5, 1, 3) ORDER BY k DESC", 1 },
  { "SELECT * FROM $ WHERE k IN (5, 1, 3) ORDER BY k", 1 },
  { "SELECT * FROM $ WHERE k IN (SELECT k FROM $ WHERE v%3=0)", 0 },
  { "SELECT * FROM $ WHERE k NOT IN (1, 2)", 0 },
  { "SELECT * FROM $ WHERE k IN ('1', ' 7', 1.5) AND k > 1", 0 },
  { "SELECT * FROM $ WHERE k BETWEEN 5 AND 1", 0 },
  { "SELECT * FROM $ WHERE k BETWEEN 1 AND 5", 0 },
  { "SELECT * FROM $ WHERE k BETWEEN 'a' AND 1", 0 },
  { "SELECT * FROM $ WHERE k BETWEEN 1 AND 'b'", 0 },
  { "SELECT * FROM $ WHERE k > 3 AND k > 10 AND k < 100", 0 },
  { "SELECT * FROM $ WHERE k = 5 AND k = 6", 0 },
  { "SELECT * FROM $ LIMIT 3", 1 },
  { "SELECT * FROM $ LIMIT 3 OFFSET 2", 1 },
  { "SELECT * FROM $ LIMIT -1 OFFSET 3", 1 },
  { "SELECT * FROM $ LIMIT 0", 1 },
  { "SELECT * FROM $ LIMIT 2 OFFSET -3", 1 },
  { "SELECT * FROM $ WHERE k > 1 LIMIT 2 OFFSET 1", 1 },
  { "SELECT * FROM $ WHERE k > 1 ORDER BY k DESC LIMIT 3 OFFSET 1", 1 },
  { "SELECT * FROM $ WHERE v > 3 LIMIT 2", 1 },
  { "SELECT * FROM $ WHERE k > 1 AND v > 3 LIMIT 2 OFFSET 1", 1 },
  { "SELECT * FROM $ WHERE k > 1 ORDER BY v LIMIT 2 OFFSET 2", 1 },
  { "SELECT * FROM $ ORDER BY k DESC LIMIT 4 OFFSET 2", 1 },
  { "SELECT * FROM $ WHERE k IN (1, 2, 3, 5) LIMIT 2 OFFSET 1", 1 },
  { "SELECT * FROM $ WHERE k = 5 LIMIT 1 OFFSET 0", 1 },
  { "SELECT * FROM $ ORDER BY k DESC", 1 },
  { "SELECT * FROM $ ORDER BY k", 1 },
  { "SELECT * FROM $ ORDER BY k COLLATE NOCASE, k", 1 },
  { "SELECT * FROM $ ORDER BY k COLLATE NOCASE DESC, v", 1 },
  { "SELECT * FROM $ WHERE k = 'a' COLLATE NOCASE", 0 },
  { "SELECT * FROM $ WHERE k > 'a' COLLATE NOCASE", 0 },
  { "SELECT * FROM $ WHERE k IN ('A', 'B') COLLATE NOCASE", 0 },
  { "SELECT * FROM $ WHERE k COLLATE NOCASE < 'B' ORDER BY k", 1 },
  { "SELECT k, count(*) FROM $ WHERE k > 0 GROUP BY k", 1 },
  { "SELECT DISTINCT k FROM $ WHERE k < 100 ORDER BY k DESC", 1 },
  { "SELECT * FROM $ WHERE rowid = 5", 0 },
  { "SELECT * FROM $ WHERE rowid > 3 AND k < 10 ORDER BY rowid", 0 },
  { "SELECT a.k, b.v FROM $ a, $ b WHERE a.k = b.k + 1", 0 },
  { "SELECT a.k FROM $ a JOIN $ b ON b.k = a.v", 0 },
  { "SELECT a.k, b.k FROM $ a JOIN $ b ON b.k > a.v WHERE a.k = 5", 0 },
  { "SELECT a.k, b.k FROM $ a JOIN $ b ON b.k < a.v WHERE a.k = 5", 0 },
  { "SELECT a.k, b.k FROM $ a JOIN $ b ON b.k >= a.v WHERE a.k < 3", 0 },
  { "SELECT a.k, b.k FROM $ a JOIN $ b ON b.k = a.k||'' WHERE a.k < 3", 0 },
  { "SELECT a.k, b.k FROM $ a JOIN $ b ON b.k IN (a.v, a.k)", 0 },
  { "SELECT * FROM $ WHERE k = CAST(5 AS TEXT)", 0 },
  { "SELECT * FROM $ WHERE k > ?1 AND k < ?2", 0 },
  { "SELECT * FROM $ WHERE k = ?1", 0 },
};
#define N_SINGLE ((int)(sizeof(aSingle)/sizeof(aSingle[0])))

/* Queries on the composite key (a, b) of n_cmp. */
static const struct { const char *zSql; int bOrdered; } aComposite[] = {
  { "SELECT * FROM $ WHERE a = 1 AND b > 2", 0 },
  { "SELECT * FROM $ WHERE a = 1 AND b BETWEEN 1 AND 3", 0 },
  { "SELECT * FROM $ WHERE a = 1 AND b BETWEEN 3 AND 1", 0 },
  { "SELECT * FROM $ WHERE a IN (1, 'k1', 'k1', NULL) AND b >= 2", 0 },
  { "SELECT * FROM $ WHERE a IN (2, 1, 'k1') AND b > 0 ORDER BY a, b", 1 },
  { "SELECT * FROM $ WHERE a IN (2, 1) AND b > 0 ORDER BY a DESC, b DESC", 1 },
  { "SELECT * FROM $ WHERE a = 1 ORDER BY b DESC", 1 },
  { "SELECT * FROM $ WHERE a = 1 ORDER BY a, b", 1 },
  { "SELECT * FROM $ WHERE a > 1", 0 },
  { "SELECT * FROM $ WHERE a > 1 AND a < 'k2'", 0 },
  { "SELECT * FROM $ WHERE a = 1 AND b = 2", 0 },
  { "SELECT * FROM $ WHERE a = '1' AND b = '2'", 0 },
  { "SELECT * FROM $ WHERE a = 1.0 AND b = 2.0", 0 },
  { "SELECT * FROM $ WHERE a IS 1 AND b IS NULL", 0 },
  { "SELECT * FROM $ WHERE a IS NULL", 0 },
  { "SELECT * FROM $ WHERE a = 1 AND b IN (1, 2, 2, '3')", 0 },
  { "SELECT * FROM $ WHERE a IN (1, 2) AND b IN (3, 4)", 0 },
  { "SELECT * FROM $ WHERE a IN (1, 2) AND b IN (3, 4) ORDER BY a, b", 1 },
  { "SELECT * FROM $ WHERE b = 2", 0 },
  { "SELECT * FROM $ WHERE b > 'b'", 0 },
  { "SELECT * FROM $ WHERE a = X'01' AND b > 'b'", 0 },
  { "SELECT * FROM $ WHERE a = 0.5 AND b < 0", 0 },
  { "SELECT * FROM $ WHERE a = 'k1' COLLATE NOCASE AND b > 2", 0 },
  { "SELECT * FROM $ ORDER BY a, b", 1 },
  { "SELECT * FROM $ ORDER BY a DESC, b DESC", 1 },
  { "SELECT * FROM $ ORDER BY a, b DESC", 1 },
  { "SELECT * FROM $ ORDER BY a DESC, b, v", 1 },
  { "SELECT * FROM $ ORDER BY b, a", 1 },
  { "SELECT * FROM $ WHERE a = 1 AND b > 0 LIMIT 3 OFFSET 1", 1 },
  { "SELECT * FROM $ WHERE a = 2 ORDER BY b DESC LIMIT 3 OFFSET 2", 1 },
  { "SELECT * FROM $ ORDER BY a DESC, b DESC LIMIT 5 OFFSET 7", 1 },
  { "SELECT * FROM $ WHERE a > 1 AND b = 2", 0 },
  { "SELECT a, b, count(*) FROM $ GROUP BY a, b", 1 },
  { "SELECT DISTINCT a FROM $ ORDER BY a", 1 },
};
#define N_COMPOSITE ((int)(sizeof(aComposite)/sizeof(aComposite[0])))

/* Queries on the keyless table (key = rowid). */
static const struct { const char *zSql; int bOrdered; } aNokey[] = {
  { "SELECT rowid, * FROM $ WHERE rowid = 5", 0 },
  { "SELECT rowid, * FROM $ WHERE rowid = '5'", 0 },
  { "SELECT rowid, * FROM $ WHERE rowid = 5.0", 0 },
  { "SELECT rowid, * FROM $ WHERE rowid = 5.5", 0 },
  { "SELECT rowid, * FROM $ WHERE rowid > 5.5 AND rowid < 'x'", 0 },
  { "SELECT rowid, * FROM $ WHERE rowid > 'x'", 0 },
  { "SELECT rowid, * FROM $ WHERE rowid IS NULL", 0 },
  { "SELECT rowid, * FROM $ WHERE rowid = NULL", 0 },
  { "SELECT rowid, * FROM $ WHERE rowid IN (3, 3, 70, NULL, '4')", 0 },
  { "SELECT rowid, * FROM $ WHERE rowid >= 9223372036854775807", 0 },
  { "SELECT rowid, * FROM $ WHERE rowid > 9223372036854775806.0", 0 },
  { "SELECT rowid, * FROM $ ORDER BY rowid DESC LIMIT 3 OFFSET 1", 1 },
  { "SELECT rowid, * FROM $ WHERE k = 3 ORDER BY rowid", 1 },
  { "SELECT rowid, * FROM $ WHERE rowid BETWEEN 40 AND 10", 0 },
};
#define N_NOKEY ((int)(sizeof(aNokey)/sizeof(aNokey[0])))

START_TEST(test_boundary){
  Ctx ctx;
  Diff diff;
  sqlite3 *db;
  int t, i;
  memset(&ctx, 0, sizeof(ctx));
  memset(&diff, 0, sizeof(diff));
  db = fixOpen(&ctx);
  for(t=0; t<4; t++){
    for(i=0; i<N_SINGLE; i++){
      diffQuery(db, &ctx, &diff, aSingle[i].zSql, aTableDef[t][0],
                aSingle[i].bOrdered);
    }
  }
  for(i=0; i<N_COMPOSITE; i++){
    diffQuery(db, &ctx, &diff, aComposite[i].zSql, "cmp",
              aComposite[i].bOrdered);
  }
  for(i=0; i<N_NOKEY; i++){
    diffQuery(db, &ctx, &diff, aNokey[i].zSql, "nokey", aNokey[i].bOrdered);
  }
  printf("boundary: %d queries x 3 runs, %d with rows, %d rows, "
         "%d mismatches (%d vtab errors), %d/%d filters planned\n",
         diff.nQuery, diff.nNonEmpty, diff.nRows, diff.nMismatch,
         diff.nVtabError, ctx.nFilterPlanned, ctx.nFilter);
  ck_assert_int_eq(diff.nQuery, 4*N_SINGLE + N_COMPOSITE + N_NOKEY);
  ck_assert_int_eq(diff.nMismatch, 0);
  ck_assert_int_gt(diff.nNonEmpty, diff.nQuery/2);
  sqlite3_close(db);
}
END_TEST

/****************************************************************************
** EXPLAIN QUERY PLAN.
*/

/* The EXPLAIN QUERY PLAN details of zSql, joined by "|". */
static char *eqp(sqlite3 *db, const char *zSql){
  sqlite3_str *pOut = sqlite3_str_new(db);
  char *zQ = sqlite3_mprintf("EXPLAIN QUERY PLAN %s", zSql);
  sqlite3_stmt *pStmt = 0;
  int rc = sqlite3_prepare_v2(db, zQ, -1, &pStmt, 0);
  if( rc!=SQLITE_OK ) sqlite3_str_appendf(pOut, "ERROR %s", sqlite3_errmsg(db));
  while( rc==SQLITE_OK && sqlite3_step(pStmt)==SQLITE_ROW ){
    sqlite3_str_appendf(pOut, "%s|", sqlite3_column_text(pStmt, 3));
  }
  sqlite3_finalize(pStmt);
  sqlite3_free(zQ);
  zQ = sqlite3_str_finish(pOut);
  return zQ ? zQ : sqlite3_mprintf("");   /* finish gives NULL for "" */
}

/* SQL, a substring the plan must hold, a substring it must not hold. */
static const char *const aEqp[][3] = {
  { "SELECT * FROM v_int WHERE k = 5", ":k=?|", "TEMP" },
  { "SELECT * FROM v_int WHERE rowid = 5", ":k=?|", "TEMP" },
  { "SELECT * FROM v_nokey WHERE rowid = 5", ":rowid=?|", "TEMP" },
  { "SELECT * FROM v_txt WHERE k IN ('a', 'b')", ":k IN (...)|", "TEMP" },
  { "SELECT * FROM v_any WHERE k > 1 AND k < 9", ":k>? AND k<?|", "TEMP" },
  { "SELECT * FROM v_any WHERE k BETWEEN 1 AND 9", ":k>=? AND k<=?|", 0 },
  { "SELECT * FROM v_any WHERE k IS 3", ":k IS ?|", 0 },
  { "SELECT * FROM v_int WHERE k IS NULL", ":empty (k IS NULL)|", 0 },
  { "SELECT * FROM v_int ORDER BY k DESC", ":scan desc|", "TEMP B-TREE" },
  { "SELECT * FROM v_int ORDER BY k", ":scan|", "TEMP B-TREE" },
  { "SELECT * FROM v_txt ORDER BY k COLLATE NOCASE", ":scan|",
    "QQQ" },
  { "SELECT * FROM v_txt ORDER BY k COLLATE NOCASE",
    "USE TEMP B-TREE FOR ORDER BY", 0 },
  { "SELECT * FROM v_txt WHERE k = 'a' COLLATE NOCASE", ":scan|", 0 },
  { "SELECT * FROM v_any WHERE k > 1 ORDER BY k DESC", ":k>? desc|",
    "TEMP B-TREE" },
  { "SELECT * FROM v_int LIMIT 5 OFFSET 2", ":scan, limit ?, offset ?|", 0 },
  { "SELECT * FROM v_int WHERE k > 5 LIMIT 5",
    ":k>?, limit ?|", 0 },
  { "SELECT * FROM v_int ORDER BY k DESC LIMIT 5",
    ":scan desc, limit ?|", "TEMP B-TREE" },
  { "SELECT * FROM v_int WHERE v > 5 LIMIT 5", ":scan|", "limit" },
  { "SELECT * FROM v_int ORDER BY v LIMIT 5", ":scan|", "limit" },
  { "SELECT * FROM v_cmp WHERE a = 1 AND b >= 2", ":a=? AND b>=?|", "TEMP" },
  { "SELECT * FROM v_cmp WHERE a = 1 AND b = 2", ":a=? AND b=?|", "TEMP" },
  { "SELECT * FROM v_cmp WHERE a IN (1, 2) AND b < 2",
    ":a IN (...) AND b<?|", "TEMP" },
  { "SELECT * FROM v_cmp WHERE b = 2", ":scan|", 0 },
  { "SELECT * FROM v_cmp WHERE a = 1 ORDER BY b DESC", ":a=? desc|",
    "TEMP B-TREE" },
  { "SELECT * FROM v_cmp ORDER BY a, b", ":scan|", "TEMP B-TREE" },
  { "SELECT * FROM v_cmp ORDER BY _key DESC", ":scan desc|", "TEMP B-TREE" },
  { "SELECT * FROM v_cmp ORDER BY a, b DESC", ":scan|",
    "QQQ" },
  { "SELECT * FROM v_cmp ORDER BY a, b DESC", "TEMP B-TREE", 0 },
  { "SELECT * FROM v_cmp ORDER BY b", "TEMP B-TREE", 0 },
};
#define N_EQP ((int)(sizeof(aEqp)/sizeof(aEqp[0])))

START_TEST(test_eqp){
  Ctx ctx;
  sqlite3 *db;
  int i;
  memset(&ctx, 0, sizeof(ctx));
  db = fixOpen(&ctx);
  for(i=0; i<N_EQP; i++){
    char *z = eqp(db, aEqp[i][0]);
    if( strstr(z, aEqp[i][1])==0
     || (aEqp[i][2] && strstr(z, aEqp[i][2])!=0) ){
      ck_abort_msg("plan of %s is %s (want %s, not %s)", aEqp[i][0], z,
                   aEqp[i][1], aEqp[i][2] ? aEqp[i][2] : "-");
    }
    sqlite3_free(z);
  }
  /* With the switch on, only full scans. */
  ctx.bDisable = 1;
  for(i=0; i<N_EQP; i++){
    char *z = eqp(db, aEqp[i][0]);
    if( strstr(z, "VIRTUAL TABLE INDEX 0:scan|")==0 ){
      ck_abort_msg("disabled plan of %s is %s", aEqp[i][0], z);
    }
    sqlite3_free(z);
  }
  printf("eqp: %d plans checked, planned and disabled\n", N_EQP);
  sqlite3_close(db);
}
END_TEST

/****************************************************************************
** lsmvPlanScan directly.
*/

/* A protected copy of the value of SQL expression zExpr. */
static sqlite3_value *sqlValue(sqlite3 *db, const char *zExpr){
  char *zSql = sqlite3_mprintf("SELECT %s", zExpr);
  sqlite3_stmt *pStmt = 0;
  sqlite3_value *pVal;
  ck_assert_int_eq(sqlite3_prepare_v2(db, zSql, -1, &pStmt, 0), SQLITE_OK);
  ck_assert_int_eq(sqlite3_step(pStmt), SQLITE_ROW);
  pVal = sqlite3_value_dup(sqlite3_column_value(pStmt, 0));
  sqlite3_finalize(pStmt);
  sqlite3_free(zSql);
  return pVal;
}

/* Parse a schema from a CREATE argument list. */
static LsmvSchema *parseSchema(const char *zArg1, const char *zArg2){
  const char *azArgv[5] = { "ptest", "main", "t", zArg1, zArg2 };
  LsmvSchema *pS = 0;
  char *zErr = 0;
  ck_assert_int_eq(lsmvSchemaParse(zArg2 ? 5 : 4, azArgv, &pS, &zErr),
                   SQLITE_OK);
  return pS;
}

/* True if buffer p holds exactly the key encoding of pVal (+ succ if bSucc). */
static int isEncoding(const LsmvBuf *p, sqlite3_value *pVal, int bSucc){
  LsmvBuf b;
  int rc = SQLITE_OK;
  int bEq;
  memset(&b, 0, sizeof(b));
  lsmvKeyEncode(&rc, &b, pVal);
  if( bSucc ) lsmvKeyPrefixSuccessor(&b);
  bEq = (rc==SQLITE_OK && b.n==p->n && memcmp(b.a, p->a, (size_t)b.n)==0);
  lsmvBufFree(&b);
  return bEq;
}

START_TEST(test_planscan){
  sqlite3 *db = 0;
  LsmvSchema *pInt = parseSchema("k INTEGER PRIMARY KEY", "v");
  LsmvSchema *pTxt = parseSchema("k TEXT PRIMARY KEY", "v");
  LsmvScan scan;
  sqlite3_value *apArg[3];
  sqlite3_value *p5, *pT5, *pT15, *pR15;
  sqlite3_vtab vtab;
  memset(&scan, 0, sizeof(scan));
  memset(&vtab, 0, sizeof(vtab));
  ck_assert_int_eq(sqlite3_open(":memory:", &db), SQLITE_OK);
  p5 = sqlValue(db, "5");
  pT5 = sqlValue(db, "'5'");
  pT15 = sqlValue(db, "'1.5'");
  pR15 = sqlValue(db, "1.5");

  /* '5' against an INTEGER key is 5: one point range. */
  apArg[0] = pT5;
  ck_assert_int_eq(lsmvPlanScan(pInt, 1, "k=?", &vtab, 1, apArg, &scan),
                   SQLITE_OK);
  ck_assert_int_eq(scan.bEmpty, 0);
  ck_assert_int_eq(scan.nRange, 1);
  ck_assert(isEncoding(&scan.aRange[0].lo, p5, 0));
  ck_assert(isEncoding(&scan.aRange[0].hi, p5, 1));
  ck_assert_int_eq((int)scan.iLimit, -1);

  /* 1.5 against a TEXT key is '1.5' for an operand without affinity,
  ** but from a REAL column SQLite reads the key as a number ('01.50'
  ** matches): the scan covers every TEXT key that could read as a number
  ** (white space, '+' to '.', digits first), which holds '1.5'. */
  apArg[0] = pR15;
  ck_assert_int_eq(lsmvPlanScan(pTxt, 1|LSMV_PLAN_WIDE, "k=?", &vtab, 1,
                                apArg, &scan), SQLITE_OK);
  ck_assert_int_eq(scan.nRange, 4);
  ck_assert_int_eq(scan.aRange[3].lo.n, 2);
  ck_assert_int_eq(scan.aRange[3].lo.a[0], LSMV_KEY_TAG_TEXT);
  ck_assert_int_eq(scan.aRange[3].lo.a[1], '0');
  ck_assert_int_eq(scan.aRange[3].hi.a[1], ':');
  ck_assert_int_eq(scan.aRange[0].lo.a[1], 0x09);
  /* A literal 1.5 (not wide) is the text '1.5'; so is the text itself. */
  ck_assert_int_eq(lsmvPlanScan(pTxt, 1, "k=?", &vtab, 1, apArg, &scan),
                   SQLITE_OK);
  ck_assert_int_eq(scan.nRange, 1);
  ck_assert(isEncoding(&scan.aRange[0].lo, pT15, 0));
  apArg[0] = pT15;
  ck_assert_int_eq(lsmvPlanScan(pTxt, 1, "k=?", &vtab, 1, apArg, &scan),
                   SQLITE_OK);
  ck_assert_int_eq(scan.nRange, 1);
  ck_assert(isEncoding(&scan.aRange[0].lo, pT15, 0));

  /* k > 5 AND k < '5' on INTEGER: '5' is 5, so the range is empty. */
  apArg[0] = p5;
  apArg[1] = pT5;
  ck_assert_int_eq(lsmvPlanScan(pInt, LSMV_PLAN_GT|LSMV_PLAN_LT, "",
                                &vtab, 2, apArg, &scan), SQLITE_OK);
  ck_assert_int_eq(scan.bEmpty, 1);
  ck_assert_int_eq(scan.nRange, 0);

  /* Descending, LIMIT 5 OFFSET '5' (numeric), k >= 5: hi unbounded. */
  apArg[0] = p5;
  apArg[1] = p5;
  apArg[2] = pT5;
  ck_assert_int_eq(lsmvPlanScan(pInt, LSMV_PLAN_GE|LSMV_PLAN_DESC
                                |LSMV_PLAN_LIMIT|LSMV_PLAN_OFFSET, "",
                                &vtab, 3, apArg, &scan), SQLITE_OK);
  ck_assert_int_eq(scan.bDesc, 1);
  ck_assert_int_eq(scan.nRange, 1);
  ck_assert_int_eq(scan.aRange[0].hi.n, 0);
  ck_assert(isEncoding(&scan.aRange[0].lo, p5, 0));
  ck_assert_int_eq((int)scan.iLimit, 5);
  ck_assert_int_eq((int)scan.iOffset, 5);

  /* A plan that does not match argc is an error with a message. */
  ck_assert_int_eq(lsmvPlanScan(pInt, 1, "k=?", &vtab, 2, apArg, &scan),
                   SQLITE_ERROR);
  ck_assert_ptr_nonnull(vtab.zErrMsg);
  ck_assert_int_eq(lsmvPlanScan(pInt, 2, "", &vtab, 2, apArg, &scan),
                   SQLITE_ERROR);

  /* The empty plan. */
  ck_assert_int_eq(lsmvPlanScan(pInt, LSMV_PLAN_EMPTY, "", &vtab, 0, apArg,
                                &scan), SQLITE_OK);
  ck_assert_int_eq(scan.bEmpty, 1);

  lsmvScanFree(&scan);
  sqlite3_free(vtab.zErrMsg);
  sqlite3_value_free(p5);
  sqlite3_value_free(pT5);
  sqlite3_value_free(pT15);
  sqlite3_value_free(pR15);
  lsmvSchemaFree(pInt);
  lsmvSchemaFree(pTxt);
  sqlite3_close(db);
}
END_TEST

/****************************************************************************
** Random differential (E2 on the planner's share).
*/

/* xorshift64* PRNG; the state lives in the test. */
static uint64_t rnd(uint64_t *pS){
  *pS ^= *pS >> 12;
  *pS ^= *pS << 25;
  *pS ^= *pS >> 27;
  return *pS * 2685821657736338717ULL;
}
static int rndInt(uint64_t *pS, int n){ return (int)(rnd(pS) % (uint64_t)n); }

static const char *const azVal[] = {
  "NULL", "-1", "0", "1", "2", "3", "5", "7", "10", "-3", "1.5", "2.0",
  "-0.0", "0.5", "1e19", "-1e19", "9223372036854775807",
  "-9223372036854775808", "9223372036854775807.0", "'a'", "'A'", "'b'",
  "''", "'1'", "'05'", "' 7'", "'1.5'", "'abc'", "'k1'", "'k2'", "X''",
  "X'00'", "X'01'", "X'61'", "'2'", "100", "-40", "'b4'", "'a3'",
};
#define N_VAL ((int)(sizeof(azVal)/sizeof(azVal[0])))

/* Append a random comparison on column zCol to pStr. */
static void rndTerm(uint64_t *pS, sqlite3_str *pStr, const char *zCol){
  static const char *const azOp[] = {
    "=", "<", "<=", ">", ">=", "IS", "IS NOT", "!=", "=", ">", "<",
  };
  int e = rndInt(pS, 14);
  const char *zColl = rndInt(pS, 12)==0 ? " COLLATE NOCASE" : "";
  if( e<11 ){
    sqlite3_str_appendf(pStr, "%s %s %s%s", zCol, azOp[e],
                        azVal[rndInt(pS, N_VAL)], zColl);
  }else if( e==11 || e==12 ){
    int n = 1 + rndInt(pS, 5), i;
    sqlite3_str_appendf(pStr, "%s %sIN (", zCol,
                        rndInt(pS, 6)==0 ? "NOT " : "");
    for(i=0; i<n; i++){
      sqlite3_str_appendf(pStr, "%s%s", i ? ", " : "", azVal[rndInt(pS, N_VAL)]);
    }
    sqlite3_str_appendf(pStr, ")%s", zColl);
  }else{
    const char *zLo = azVal[rndInt(pS, N_VAL)];   /* sequenced: the same */
    const char *zHi = azVal[rndInt(pS, N_VAL)];   /* queries everywhere */
    sqlite3_str_appendf(pStr, "%s BETWEEN %s AND %s", zCol, zLo, zHi);
  }
}

/*
** Build a random SELECT on table suffix zSuffix; *pbOrdered is set if the
** rows' order is determined.
*/
static char *rndQuery(uint64_t *pS, int bComposite, int *pbOrdered){
  sqlite3_str *pStr = sqlite3_str_new(0);
  int nTerm = rndInt(pS, 4);
  int i;
  int eOrder = rndInt(pS, 6);
  static const char *const azKeyCol[] = { "a", "b" };
  sqlite3_str_appendall(pStr, "SELECT * FROM $");
  for(i=0; i<nTerm; i++){
    const char *zCol = bComposite ? azKeyCol[rndInt(pS, 2)] : "k";
    if( rndInt(pS, 8)==0 ) zCol = "v";
    sqlite3_str_appendall(pStr, i ? (rndInt(pS, 10)==0 ? " OR " : " AND ")
                                   : " WHERE ");
    rndTerm(pS, pStr, zCol);
  }
  *pbOrdered = 0;
  if( eOrder==1 || eOrder==2 ){
    const char *zDir = eOrder==2 ? " DESC" : "";
    if( bComposite ){
      sqlite3_str_appendf(pStr, " ORDER BY a%s, b%s", zDir, zDir);
    }else{
      sqlite3_str_appendf(pStr, " ORDER BY k%s", zDir);
    }
    *pbOrdered = 1;
  }else if( eOrder==3 ){
    sqlite3_str_appendall(pStr, bComposite ? " ORDER BY b, a" :
                          " ORDER BY k COLLATE NOCASE, v");
    *pbOrdered = 1;
  }
  if( *pbOrdered && rndInt(pS, 3)==0 ){
    sqlite3_str_appendf(pStr, " LIMIT %d", rndInt(pS, 8) - 1);
    if( rndInt(pS, 2) ) sqlite3_str_appendf(pStr, " OFFSET %d", rndInt(pS, 6));
  }
  return sqlite3_str_finish(pStr);
}

START_TEST(test_random){
  static const char *const azTab[] = { "int", "txt", "any", "cmp" };
  Ctx ctx;
  Diff diff;
  sqlite3 *db;
  uint64_t s = 0x9e3779b97f4a7c15ULL;
  const char *zSeed = getenv("PLANNER_SEED");
  int i;
  if( zSeed ) s = strtoull(zSeed, 0, 0) | 1;
  memset(&ctx, 0, sizeof(ctx));
  memset(&diff, 0, sizeof(diff));
  db = fixOpen(&ctx);
  for(i=0; i<N_RANDOM_QUERIES; i++){
    int t = i%4;
    int bOrdered;
    char *zSql = rndQuery(&s, t==3, &bOrdered);
    diffQuery(db, &ctx, &diff, zSql, azTab[t], bOrdered);
    sqlite3_free(zSql);
  }
  printf("random: %d queries x 3 runs, %d with rows, %d rows, "
         "%d mismatches (%d vtab errors), %d/%d filters planned\n",
         diff.nQuery, diff.nNonEmpty, diff.nRows, diff.nMismatch,
         diff.nVtabError, ctx.nFilterPlanned, ctx.nFilter);
  ck_assert_int_eq(diff.nQuery, N_RANDOM_QUERIES);
  ck_assert_int_eq(diff.nMismatch, 0);
  ck_assert_int_gt(diff.nNonEmpty, N_RANDOM_QUERIES/4);
  sqlite3_close(db);
}
END_TEST

static Suite *plannerSuite(void){
  Suite *s = suite_create("planner");
  TCase *tc = tcase_create("planner");
  tcase_set_timeout(tc, 600);
  tcase_add_test(tc, test_planscan);
  tcase_add_test(tc, test_boundary);
  tcase_add_test(tc, test_eqp);
  tcase_add_test(tc, test_random);
  suite_add_tcase(s, tc);
  return s;
}

int main(void){
  SRunner *sr = srunner_create(plannerSuite());
  int nFail;
  srunner_run_all(sr, CK_NORMAL);
  nFail = srunner_ntests_failed(sr);
  srunner_free(sr);
  return nFail ? 1 : 0;
}
