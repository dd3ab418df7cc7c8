/*
** check_sqlsem.c -- SQL semantics of the "lsm" module against native
** tables (TESTPLAN E3 and E4).  The module is linked statically and
** registered with lsmvtabRegister(); each test creates, in one database
** file of a fresh mkdtemp directory, an lsm table "l" and its native twin
** "n" (WITHOUT ROWID unless the key is a rowid) in the same connection, for
** three key types: none (the rowid), INTEGER PRIMARY KEY, TEXT PRIMARY
** KEY.  Statements are templates ("$T" the table, "$K" the key column)
** run on l and then on n; transaction control (BEGIN, SAVEPOINT, ...) runs
** once, so both tables share every transaction.  After each statement the
** harness compares the primary result code, the constraint message (table
** names normalised), sqlite3_changes() and the rows (each value with its
** storage class); the whole tables are compared at checkpoints and again
** after a restart (close and reopen of the connection, so the engine
** recovers from its files).
**
** E3: the V3 cases (multi-row INSERT failing on its third row, in
** autocommit and inside BEGIN), 3-deep savepoint ladders with ROLLBACK TO
** and RELEASE, UPDATE/INSERT OR FAIL keeping earlier rows, ROLLBACK of a
** transaction larger than a 4 KiB memtable, ROLLBACK (and a close with a
** transaction open) followed by a restart, reads of a transaction's own
** writes, and a second connection that must not see uncommitted data.
** E4: (1) UPDATE key=key+1 over 10,000 rows fails unchanged as natively
** (and OR FAIL/IGNORE/REPLACE and shifts that succeed match too);
** (2) UPDATE v=v+1 (also together with a key move) touches each row once;
** (3) INSERT .. SELECT from the table itself doubles it exactly; (4) a
** SELECT stepped while other statements insert, update and delete, with
** lsm_flush and lsm_compact between steps, returns exactly the rows of
** the native twin at its first step, in key order, and leaves no file
** descriptor of a deleted file behind (and none at all after close);
** (5) an equality UPDATE on the key runs one-pass (EXPLAIN: no
** OpenEphemeral) and a key collision leaves the data untouched.
**
** Pass bar: every comparison equal, the asserted result codes and counts
** exact, lsm_check('l') 'ok'.  E4 (4) runs 3 seeds per scan kind and
** key type (LSMV_TEST_PROFILE=soak: 30, and E3's large transaction grows
** from 3,000 to 30,000 rows).  On a failure the statements run so far
** (a sqlite3 shell script) are written to
** $LSMV_RESULTS_DIR/check_sqlsem/<test>-<schema>.sql (default
** ./test-results/check_sqlsem/) and the path is printed.
*/
#include <check.h>
#include <sqlite3.h>
#include "lsmvtab.h"
#include "testutil.h"

#include <dirent.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define SS_NROW_BIG   10000      /* Rows of the E4 (1)-(3) tables */
#define SS_NROW_SCAN   1500      /* Rows of the E4 (4) tables */

/* A key type: how l and n are declared and how the key is named. */
typedef struct SsSchema SsSchema;
struct SsSchema {
  const char *zName;          /* "none", "integer", "text" */
  const char *zCols;          /* Column list of both tables */
  const char *zNativeTail;    /* Appended to the native CREATE */
  const char *zKey;           /* The key in SQL: "rowid" or "k" */
  int bText;                  /* Key values are TEXT ('k00042') */
};

static const SsSchema aSchema[] = {
  { "none",    "k INTEGER, v, w",             "",               "rowid", 0 },
  { "integer", "k INTEGER PRIMARY KEY, v, w", "",               "k",     0 },
  { "text",    "k TEXT PRIMARY KEY, v, w",    " WITHOUT ROWID", "k",     1 },
};
#define SS_NSCHEMA ((int)(sizeof(aSchema)/sizeof(aSchema[0])))

/* What one statement did on one table. */
typedef struct SsRes SsRes;
struct SsRes {
  int rc;                     /* Primary result code (OK for DONE) */
  char *zErr;                 /* Message, table name normalised, or 0 */
  int nChange;                /* sqlite3_changes() afterwards */
  int nRow;                   /* Rows returned */
  char *zRows;                /* Rows serialised by ssAddRow */
};

/* One test's databases and log. */
typedef struct SsCtx SsCtx;
struct SsCtx {
  const SsSchema *pS;         /* Key type of this run */
  const char *zTest;          /* Test name, for the reproducer's name */
  char zDir[512];             /* Temporary directory */
  char zDb[600];              /* Database file in zDir */
  sqlite3 *db;                /* The connection */
  int bPad;                   /* TEXT keys are 'k00042', not '42' */
  sqlite3_str *pLog;          /* Every statement run so far (a script) */
  SsRes resL;                 /* Last result on l */
  SsRes resN;                 /* Last result on n */
};

/****************************************************************************
** Running and comparing statements.
*/

/* True if the test profile is "soak" (LSMV_TEST_PROFILE). */
static int ssSoak(void){
  const char *z = getenv("LSMV_TEST_PROFILE");
  return z && strcmp(z, "soak")==0;
}

/* Free the contents of *p and zero it. */
static void ssResClear(SsRes *p){
  sqlite3_free(p->zErr);
  sqlite3_free(p->zRows);
  memset(p, 0, sizeof(*p));
}

/*
** Append the current row of pStmt to p: each value as its storage class
** and contents (i:5 r:1.5 t:'a\x00' b:x'00' n), then a newline.
*/
static void ssAddRow(sqlite3_str *p, sqlite3_stmt *pStmt){
  int i, j;
  for(i=0; i<sqlite3_column_count(pStmt); i++){
    int n = sqlite3_column_bytes(pStmt, i);
    const unsigned char *z;
    if( i ) sqlite3_str_appendchar(p, 1, '|');
    switch( sqlite3_column_type(pStmt, i) ){
      case SQLITE_INTEGER:
        sqlite3_str_appendf(p, "i:%lld", sqlite3_column_int64(pStmt, i));
        break;
      case SQLITE_FLOAT:
        sqlite3_str_appendf(p, "r:%!.17g", sqlite3_column_double(pStmt, i));
        break;
      case SQLITE_TEXT:
        z = sqlite3_column_text(pStmt, i);
        sqlite3_str_appendall(p, "t:'");
        for(j=0; j<n; j++){
          if( z[j]>=0x20 && z[j]<0x7f && z[j]!='\\' ){
            sqlite3_str_appendchar(p, 1, (char)z[j]);
          }else{
            sqlite3_str_appendf(p, "\\x%02x", z[j]);
          }
        }
        sqlite3_str_appendchar(p, 1, '\'');
        break;
      case SQLITE_BLOB:
        z = sqlite3_column_blob(pStmt, i);
        sqlite3_str_appendall(p, "b:x'");
        for(j=0; j<n; j++) sqlite3_str_appendf(p, "%02x", z[j]);
        sqlite3_str_appendchar(p, 1, '\'');
        break;
      default:
        sqlite3_str_appendchar(p, 1, 'n');
        break;
    }
  }
  sqlite3_str_appendchar(p, 1, '\n');
}

/*
** "l.k" and "n.k" both become "T.k" wherever the table name starts a
** word, so that constraint messages of the two tables compare equal.
*/
static char *ssNormErr(const char *zMsg, const char *zTab){
  sqlite3_str *p = sqlite3_str_new(0);
  size_t nTab = strlen(zTab);
  const char *z;
  for(z=zMsg; *z; z++){
    int bWord = z==zMsg || z[-1]==' ' || z[-1]==',';
    if( bWord && strncmp(z, zTab, nTab)==0 && z[nTab]=='.' ){
      sqlite3_str_appendchar(p, 1, 'T');
      z += nTab - 1;
    }else{
      sqlite3_str_appendchar(p, 1, *z);
    }
  }
  return sqlite3_str_finish(p);
}

/*
** Run zSql (one statement) on db and record it in *pRes (cleared first).
** zTab names the table for message normalisation.
*/
static void ssRun(sqlite3 *db, const char *zSql, const char *zTab,
                  SsRes *pRes){
  sqlite3_str *pRows = sqlite3_str_new(0);
  sqlite3_stmt *pStmt = 0;
  int rc;
  ssResClear(pRes);
  rc = sqlite3_prepare_v2(db, zSql, -1, &pStmt, 0);
  if( rc==SQLITE_OK && pStmt ){
    while( (rc = sqlite3_step(pStmt))==SQLITE_ROW ){
      ssAddRow(pRows, pStmt);
      pRes->nRow++;
    }
    if( rc==SQLITE_DONE ) rc = SQLITE_OK;
  }
  if( rc!=SQLITE_OK ) pRes->zErr = ssNormErr(sqlite3_errmsg(db), zTab);
  sqlite3_finalize(pStmt);
  pRes->rc = rc & 0xff;
  pRes->nChange = sqlite3_changes(db);
  pRes->zRows = sqlite3_str_finish(pRows);
  if( pRes->zRows==0 ) pRes->zRows = sqlite3_mprintf("%s", "");
}

/* zTemplate with "$T" replaced by zTab and "$K" by zKey. */
static char *ssSubst(const char *zTemplate, const char *zTab,
                     const char *zKey){
  sqlite3_str *p = sqlite3_str_new(0);
  const char *z;
  for(z=zTemplate; *z; z++){
    if( z[0]=='$' && z[1]=='T' ){
      sqlite3_str_appendall(p, zTab);
      z++;
    }else if( z[0]=='$' && z[1]=='K' ){
      sqlite3_str_appendall(p, zKey);
      z++;
    }else{
      sqlite3_str_appendchar(p, 1, *z);
    }
  }
  return sqlite3_str_finish(p);
}

/*
** Write the log of p to the results directory and return the file's path
** (static storage), or "(not written)".
*/
static const char *ssWriteRepro(SsCtx *p){
  static char zPath[1024];
  const char *zRoot = getenv("LSMV_RESULTS_DIR");
  char zDir[900];
  FILE *pOut;
  if( zRoot==0 || zRoot[0]==0 ) zRoot = "./test-results";
  mkdir(zRoot, 0777);
  snprintf(zDir, sizeof(zDir), "%s/check_sqlsem", zRoot);
  mkdir(zDir, 0777);
  snprintf(zPath, sizeof(zPath), "%s/%s-%s.sql", zDir, p->zTest,
           p->pS->zName);
  pOut = fopen(zPath, "w");
  if( pOut==0 ) return "(not written)";
  fprintf(pOut, "-- check_sqlsem %s, key type %s: the statements run, "
          "in order (l: lsm, n: native)\n.load ./lsmvtab\n%s", p->zTest,
          p->pS->zName, sqlite3_str_value(p->pLog));
  fclose(pOut);
  return zPath;
}

/* Report a failure: write the reproducer, print, and fail the test. */
static void ssFail(SsCtx *p, const char *zFormat, ...){
  va_list ap;
  char *zMsg;
  const char *zRepro;
  va_start(ap, zFormat);
  zMsg = sqlite3_vmprintf(zFormat, ap);
  va_end(ap);
  zRepro = ssWriteRepro(p);
  testRemoveTree(p->zDir);          /* the test stops here: no teardown */
  printf("check_sqlsem %s (%s): %s\n  reproducer: %s\n", p->zTest,
         p->pS->zName, zMsg, zRepro);
  fflush(stdout);
  ck_abort_msg("%s (%s): %s; reproducer %s", p->zTest, p->pS->zName, zMsg,
               zRepro);
  sqlite3_free(zMsg);
}

/* Log zSql (on its own line, with a terminating semicolon). */
static void ssLog(SsCtx *p, const char *zSql){
  sqlite3_str_appendf(p->pLog, "%s;\n", zSql);
}

/*
** Run template zTemplate on l and then on n; compare result code,
** constraint message, changes() and rows.  The results stay in p->resL
** and p->resN for the caller's own assertions.
*/
static void ssBoth(SsCtx *p, const char *zTemplate){
  char *zL = ssSubst(zTemplate, "l", p->pS->zKey);
  char *zN = ssSubst(zTemplate, "n", p->pS->zKey);
  const char *zWhy = 0;
  ssLog(p, zL);
  ssLog(p, zN);
  ssRun(p->db, zL, "l", &p->resL);
  ssRun(p->db, zN, "n", &p->resN);
  if( p->resL.rc!=p->resN.rc ){
    zWhy = "result code";
  }else if( (p->resL.zErr==0)!=(p->resN.zErr==0)
         || (p->resL.zErr && strstr(p->resN.zErr, "constraint failed")
             && strcmp(p->resL.zErr, p->resN.zErr)!=0) ){
    zWhy = "error message";
  }else if( p->resL.nChange!=p->resN.nChange ){
    zWhy = "changes()";
  }else if( p->resL.nRow!=p->resN.nRow
         || strcmp(p->resL.zRows, p->resN.zRows)!=0 ){
    zWhy = "rows";
  }
  if( zWhy ){
    ssFail(p, "%s differs for: %s\n  lsm: rc=%d changes=%d rows=%d err=%s\n"
           "%.2000s  native: rc=%d changes=%d rows=%d err=%s\n%.2000s", zWhy,
           zL, p->resL.rc, p->resL.nChange, p->resL.nRow,
           p->resL.zErr ? p->resL.zErr : "-", p->resL.zRows, p->resN.rc,
           p->resN.nChange, p->resN.nRow, p->resN.zErr ? p->resN.zErr : "-",
           p->resN.zRows);
  }
  sqlite3_free(zL);
  sqlite3_free(zN);
}

/* ssBoth, and the native side must end with result code rcWant. */
static void ssBothRc(SsCtx *p, const char *zTemplate, int rcWant){
  ssBoth(p, zTemplate);
  if( p->resN.rc!=rcWant ){
    ssFail(p, "native rc %d (%s), expected %d, for: %s", p->resN.rc,
           p->resN.zErr ? p->resN.zErr : "-", rcWant, zTemplate);
  }
}

/* ssBoth of a printf-formatted template. */
static void ssBothF(SsCtx *p, const char *zFormat, ...){
  va_list ap;
  char *z;
  va_start(ap, zFormat);
  z = sqlite3_vmprintf(zFormat, ap);
  va_end(ap);
  ssBoth(p, z);
  sqlite3_free(z);
}

/* Run zSql once (transaction control); its result code must be rcWant. */
static void ssOnce(SsCtx *p, const char *zSql, int rcWant){
  SsRes r;
  memset(&r, 0, sizeof(r));
  ssLog(p, zSql);
  ssRun(p->db, zSql, "l", &r);
  if( r.rc!=rcWant ){
    ssFail(p, "%s: rc %d (%s), expected %d", zSql, r.rc,
           r.zErr ? r.zErr : "-", rcWant);
  }
  ssResClear(&r);
}

/* First column of the first row of zSql on db (sqlite3_malloc'd text). */
static char *ssScalar(sqlite3 *db, const char *zSql){
  sqlite3_stmt *pStmt = 0;
  char *z = 0;
  if( sqlite3_prepare_v2(db, zSql, -1, &pStmt, 0)==SQLITE_OK
   && sqlite3_step(pStmt)==SQLITE_ROW ){
    z = sqlite3_mprintf("%s", (const char*)sqlite3_column_text(pStmt, 0));
  }else{
    z = sqlite3_mprintf("error: %s", sqlite3_errmsg(db));
  }
  sqlite3_finalize(pStmt);
  return z;
}

/* Run zSql once; its first value must be the text zWant. */
static void ssExpect(SsCtx *p, const char *zSql, const char *zWant){
  char *z = ssScalar(p->db, zSql);
  ssLog(p, zSql);
  if( strcmp(z, zWant)!=0 ){
    ssFail(p, "%s gave '%s', expected '%s'", zSql, z, zWant);
  }
  sqlite3_free(z);
}

/*
** The whole tables compared (every column and the key, in key order) and
** the store's integrity check.
*/
static void ssCheckTables(SsCtx *p){
  ssBoth(p, "SELECT $K, * FROM $T ORDER BY $K");
  ssExpect(p, "SELECT lsm_check('l')", "ok");
}

/*
** Open the connection on p->zDb, register the module, and use a WAL
** journal (a second connection may read while a write is open).
*/
static void ssOpen(SsCtx *p){
  int rc = sqlite3_open(p->zDb, &p->db);
  ck_assert_int_eq(rc, SQLITE_OK);
  ck_assert_int_eq(lsmvtabRegister(p->db, 0, 0), SQLITE_OK);
  rc = sqlite3_exec(p->db, "PRAGMA journal_mode=WAL; PRAGMA synchronous=OFF",
                    0, 0, 0);
  ck_assert_int_eq(rc, SQLITE_OK);
}

/* Close the connection (it must close cleanly). */
static void ssClose(SsCtx *p){
  if( p->db ){
    int rc = sqlite3_close(p->db);
    ck_assert_msg(rc==SQLITE_OK, "sqlite3_close: %d", rc);
    p->db = 0;
  }
}

/* Close and reopen: the engine recovers the tables from its files. */
static void ssRestart(SsCtx *p){
  ssClose(p);
  sqlite3_str_appendall(p->pLog, "-- restart: close and reopen\n"
                        ".open test.db\n.load ./lsmvtab\n");
  ssOpen(p);
}

/*
** Make the directory, the database and both tables for key type iSchema;
** zOpts (or NULL) are extra options of the lsm table.
*/
static void ssSetup(SsCtx *p, const char *zTest, int iSchema,
                    const char *zOpts){
  const char *zTmp = getenv("TMPDIR");
  char *zSql;
  memset(p, 0, sizeof(*p));
  p->pS = &aSchema[iSchema];
  p->zTest = zTest;
  p->pLog = sqlite3_str_new(0);
  snprintf(p->zDir, sizeof(p->zDir), "%s/sqlsem-XXXXXX",
           zTmp && zTmp[0] ? zTmp : "/tmp");
  ck_assert_ptr_nonnull(mkdtemp(p->zDir));
  snprintf(p->zDb, sizeof(p->zDb), "%s/test.db", p->zDir);
  ssOpen(p);
  zSql = sqlite3_mprintf("CREATE VIRTUAL TABLE l USING lsm(%s, sync=off%s%s)",
                         p->pS->zCols, zOpts ? ", " : "", zOpts ? zOpts : "");
  ssOnce(p, zSql, SQLITE_OK);
  sqlite3_free(zSql);
  zSql = sqlite3_mprintf("CREATE TABLE n(%s)%s", p->pS->zCols,
                         p->pS->zNativeTail);
  ssOnce(p, zSql, SQLITE_OK);
  sqlite3_free(zSql);
}

/* Close, remove the directory, free everything. */
static void ssTeardown(SsCtx *p){
  ssClose(p);
  testRemoveTree(p->zDir);
  ssResClear(&p->resL);
  ssResClear(&p->resN);
  sqlite3_free(sqlite3_str_finish(p->pLog));
  p->pLog = 0;
}

/*
** The SQL literal of key number i: 42, which a TEXT key stores as '42',
** or 'k00042' for a TEXT key with bPad (key order = number order).
*/
static char *ssKey(const SsCtx *p, int i){
  if( p->pS->bText && p->bPad ) return sqlite3_mprintf("'k%05d'", i);
  return sqlite3_mprintf("%d", i);
}

/* The key number of a key expression: $K itself, or its digits. */
static const char *ssKeyNum(const SsCtx *p){
  return p->pS->bText && p->bPad ? "CAST(substr($K, 2) AS INTEGER)" : "$K";
}

/* SQL expression for the key of number zNum ("i+1", ...). */
static char *ssKeyOf(const SsCtx *p, const char *zNum){
  if( p->pS->bText && p->bPad ){
    return sqlite3_mprintf("printf('k%%05d', %s)", zNum);
  }
  return sqlite3_mprintf("%s", zNum);
}

/*
** Fill both tables with keys 1..nRow (value v = 'v<i>', w = i) in one
** statement each.
*/
static void ssFill(SsCtx *p, int iFirst, int nRow){
  char *zKey = ssKeyOf(p, "i");
  ssBothF(p, "WITH RECURSIVE c(i) AS (SELECT %d UNION ALL SELECT i+1 FROM c "
          "WHERE i<%d) INSERT INTO $T($K, v, w) SELECT %s, 'v'||i, i FROM c",
          iFirst, iFirst + nRow - 1, zKey);
  sqlite3_free(zKey);
  if( p->resN.rc!=SQLITE_OK || p->resN.nChange!=nRow ){
    ssFail(p, "fill: rc %d, %d rows", p->resN.rc, p->resN.nChange);
  }
}

/* Assert that the native side changed exactly n rows. */
static void ssChanges(SsCtx *p, int n){
  if( p->resN.nChange!=n ){
    ssFail(p, "changes() is %d, expected %d", p->resN.nChange, n);
  }
}

/****************************************************************************
** E3: transactions and savepoints.
*/

/*
** V3: a multi-row INSERT failing on its third row leaves nothing, in
** autocommit and inside BEGIN (where the earlier statement stays); the
** same for an UPDATE and an INSERT .. SELECT failing late.
*/
START_TEST(test_e3_v3){
  SsCtx c;
  ssSetup(&c, "e3_v3", _i, 0);
  ssBothRc(&c, "INSERT INTO $T($K, v) VALUES (1, 'a'), (2, 'b'), (3, 'c')",
           SQLITE_OK);
  ssChanges(&c, 3);
  ssBothRc(&c, "INSERT INTO $T($K, v) VALUES (10, 'x'), (11, 'y'), "
           "(2, 'dup'), (12, 'z')", SQLITE_CONSTRAINT);
  ssCheckTables(&c);
  ssBothRc(&c, "SELECT count(*) FROM $T", SQLITE_OK);
  if( strcmp(c.resN.zRows, "i:3\n")!=0 ) ssFail(&c, "autocommit: partial");

  ssOnce(&c, "BEGIN", SQLITE_OK);
  ssBothRc(&c, "INSERT INTO $T($K, v) VALUES (20, 'p')", SQLITE_OK);
  ssBothRc(&c, "INSERT INTO $T($K, v) VALUES (21, 'q'), (22, 'r'), "
           "(20, 'dup'), (23, 's')", SQLITE_CONSTRAINT);
  ssBothRc(&c, "SELECT $K, v FROM $T ORDER BY $K", SQLITE_OK);
  ssChanges(&c, 0);      /* a failed statement counts no change */
  if( c.resN.nRow!=4 ) ssFail(&c, "in BEGIN: %d rows", c.resN.nRow);
  ssBothRc(&c, "UPDATE $T SET v = v || '!', $K = CASE $K WHEN 3 THEN 1 "
           "ELSE $K END WHERE $K IN (1, 2, 3)", SQLITE_CONSTRAINT);
  ssBothRc(&c, "INSERT INTO $T($K, v) SELECT $K + 100, v FROM $T "
           "UNION ALL SELECT 20, 'late'", SQLITE_CONSTRAINT);
  ssBothRc(&c, "SELECT $K, v FROM $T ORDER BY $K", SQLITE_OK);
  ssOnce(&c, "COMMIT", SQLITE_OK);
  ssCheckTables(&c);

  /* The same UPDATE and INSERT .. SELECT in autocommit. */
  ssBothRc(&c, "UPDATE $T SET v = v || '!', $K = CASE $K WHEN 3 THEN 1 "
           "ELSE $K END WHERE $K IN (1, 2, 3)", SQLITE_CONSTRAINT);
  ssBothRc(&c, "INSERT INTO $T($K, v) SELECT $K + 100, v FROM $T "
           "UNION ALL SELECT 20, 'late'", SQLITE_CONSTRAINT);
  ssCheckTables(&c);
  ssRestart(&c);
  ssCheckTables(&c);
  ssTeardown(&c);
}
END_TEST

/* Contents of both tables after each step of a ladder. */
static void ssRows(SsCtx *p){
  ssBothRc(p, "SELECT $K, v, w FROM $T ORDER BY $K", SQLITE_OK);
}

/*
** Savepoint ladders 3 deep: ROLLBACK TO each level, RELEASE of inner
** levels, a ladder opened by SAVEPOINT outside BEGIN, a reused name, a
** failing statement inside a savepoint, and a ladder ended by ROLLBACK.
*/
START_TEST(test_e3_ladder){
  SsCtx c;
  ssSetup(&c, "e3_ladder", _i, 0);
  ssFill(&c, 1, 5);
  ssOnce(&c, "BEGIN", SQLITE_OK);
  ssBothRc(&c, "UPDATE $T SET v = 'B1' WHERE $K = 1", SQLITE_OK);
  ssOnce(&c, "SAVEPOINT a", SQLITE_OK);
  ssBothRc(&c, "INSERT INTO $T($K, v) VALUES (6, 'a6')", SQLITE_OK);
  ssOnce(&c, "SAVEPOINT b", SQLITE_OK);
  ssBothRc(&c, "DELETE FROM $T WHERE $K = 2", SQLITE_OK);
  ssBothRc(&c, "UPDATE $T SET $K = 7 WHERE $K = 3", SQLITE_OK);
  ssOnce(&c, "SAVEPOINT c", SQLITE_OK);
  ssBothRc(&c, "INSERT INTO $T($K, v) VALUES (8, 'c8')", SQLITE_OK);
  ssBothRc(&c, "UPDATE $T SET w = 66 WHERE $K = 6", SQLITE_OK);
  ssRows(&c);
  ssOnce(&c, "ROLLBACK TO c", SQLITE_OK);
  ssRows(&c);
  ssBothRc(&c, "INSERT INTO $T($K, v) VALUES (9, 'c9')", SQLITE_OK);
  ssOnce(&c, "ROLLBACK TO b", SQLITE_OK);
  ssRows(&c);
  if( c.resN.nRow!=6 ) ssFail(&c, "after ROLLBACK TO b: %d rows", c.resN.nRow);
  ssBothRc(&c, "INSERT INTO $T($K, v) VALUES (10, 'b10')", SQLITE_OK);
  ssOnce(&c, "RELEASE b", SQLITE_OK);
  ssOnce(&c, "ROLLBACK TO c", SQLITE_ERROR);       /* released with b */
  ssRows(&c);
  ssOnce(&c, "ROLLBACK TO a", SQLITE_OK);
  ssRows(&c);
  if( c.resN.nRow!=5 ) ssFail(&c, "after ROLLBACK TO a: %d rows", c.resN.nRow);
  ssBothRc(&c, "INSERT INTO $T($K, v) VALUES (11, 'a11')", SQLITE_OK);
  ssOnce(&c, "RELEASE a", SQLITE_OK);
  ssOnce(&c, "COMMIT", SQLITE_OK);
  ssCheckTables(&c);

  /* Opened by SAVEPOINT; RELEASE of the outermost commits. */
  ssOnce(&c, "SAVEPOINT s1", SQLITE_OK);
  ssBothRc(&c, "INSERT INTO $T($K, v) VALUES (20, 's1')", SQLITE_OK);
  ssOnce(&c, "SAVEPOINT s2", SQLITE_OK);
  ssBothRc(&c, "UPDATE $T SET v = 's2' WHERE $K <= 20", SQLITE_OK);
  ssOnce(&c, "SAVEPOINT s3", SQLITE_OK);
  ssBothRc(&c, "DELETE FROM $T WHERE $K = 20", SQLITE_OK);
  ssOnce(&c, "RELEASE s3", SQLITE_OK);
  ssRows(&c);
  ssOnce(&c, "ROLLBACK TO s2", SQLITE_OK);
  ssRows(&c);
  ssBothRc(&c, "INSERT INTO $T($K, v) VALUES (21, 's1b')", SQLITE_OK);
  ssOnce(&c, "RELEASE s1", SQLITE_OK);
  ssCheckTables(&c);

  /* A reused name, a failed statement inside, then ROLLBACK of it all. */
  ssOnce(&c, "BEGIN", SQLITE_OK);
  ssOnce(&c, "SAVEPOINT x", SQLITE_OK);
  ssBothRc(&c, "INSERT INTO $T($K, v) VALUES (30, 'x1')", SQLITE_OK);
  ssOnce(&c, "SAVEPOINT x", SQLITE_OK);
  ssBothRc(&c, "INSERT INTO $T($K, v) VALUES (31, 'x2')", SQLITE_OK);
  ssOnce(&c, "SAVEPOINT y", SQLITE_OK);
  ssBothRc(&c, "INSERT INTO $T($K, v) VALUES (32, 'y'), (33, 'y'), (30, 'd')",
           SQLITE_CONSTRAINT);
  ssRows(&c);
  ssOnce(&c, "ROLLBACK TO x", SQLITE_OK);          /* the inner x */
  ssRows(&c);
  ssOnce(&c, "ROLLBACK TO x", SQLITE_OK);          /* again: a no-op */
  ssBothRc(&c, "UPDATE $T SET w = -1", SQLITE_OK);
  ssOnce(&c, "RELEASE x", SQLITE_OK);              /* the inner x */
  ssRows(&c);
  ssOnce(&c, "ROLLBACK", SQLITE_OK);
  ssCheckTables(&c);
  ssRestart(&c);
  ssCheckTables(&c);
  ssTeardown(&c);
}
END_TEST

/*
** OR FAIL keeps the rows a statement changed before its failure, in
** autocommit and in a transaction (then committed or rolled back).
*/
START_TEST(test_e3_fail){
  SsCtx c;
  char *zNext;
  char *zSql;
  ssSetup(&c, "e3_fail", _i, 0);
  ssFill(&c, 1, 5);
  zNext = ssKeyOf(&c, "$K + 10");
  {
    /* 2 -> 12, 3 -> 13, then 4 -> 1 collides: rows 2 and 3 stay moved */
    char *k1 = ssKey(&c, 1), *k2 = ssKey(&c, 2), *k4 = ssKey(&c, 4);
    zSql = sqlite3_mprintf("UPDATE OR FAIL $T SET $K = CASE $K WHEN %s "
                           "THEN %s ELSE %s END, v = v || 'f' WHERE $K >= %s",
                           k4, k1, zNext, k2);
    sqlite3_free(k1);
    sqlite3_free(k2);
    sqlite3_free(k4);
  }
  ssBothRc(&c, zSql, SQLITE_CONSTRAINT);
  ssChanges(&c, 2);                          /* rows 2 and 3 moved */
  ssCheckTables(&c);
  ssBothRc(&c, "INSERT OR FAIL INTO $T($K, v) VALUES (30, 'a'), (31, 'b'), "
           "(1, 'dup'), (32, 'c')", SQLITE_CONSTRAINT);
  ssChanges(&c, 2);
  ssCheckTables(&c);

  /* In a transaction: kept by the statement, then rolled back. */
  ssOnce(&c, "BEGIN", SQLITE_OK);
  ssBothRc(&c, "INSERT OR FAIL INTO $T($K, v) VALUES (40, 'a'), (41, 'b'), "
           "(1, 'dup'), (42, 'c')", SQLITE_CONSTRAINT);
  ssBothRc(&c, "UPDATE OR FAIL $T SET $K = CASE $K WHEN 41 THEN 1 ELSE 50 END "
           "WHERE $K IN (40, 41)", SQLITE_CONSTRAINT);
  ssRows(&c);
  ssOnce(&c, "ROLLBACK", SQLITE_OK);
  ssCheckTables(&c);
  /* ... and committed. */
  ssOnce(&c, "BEGIN", SQLITE_OK);
  ssBothRc(&c, "INSERT OR FAIL INTO $T($K, v) VALUES (40, 'a'), (41, 'b'), "
           "(1, 'dup'), (42, 'c')", SQLITE_CONSTRAINT);
  ssBothRc(&c, "UPDATE OR FAIL $T SET $K = CASE $K WHEN 41 THEN 1 ELSE 50 END "
           "WHERE $K IN (40, 41)", SQLITE_CONSTRAINT);
  ssChanges(&c, 1);
  ssOnce(&c, "COMMIT", SQLITE_OK);
  ssCheckTables(&c);
  ssRestart(&c);
  ssCheckTables(&c);
  sqlite3_free(zSql);
  sqlite3_free(zNext);
  ssTeardown(&c);
}
END_TEST

/*
** A transaction many times larger than the 4 KiB memtable: its reads see
** it, ROLLBACK TO and ROLLBACK discard it (before and after a restart),
** and the same transaction committed is all there after a restart.
*/
START_TEST(test_e3_big){
  SsCtx c;
  int nBig = ssSoak() ? 30000 : 3000;
  int nDel;
  char *zKey = 0;
  char *zIns = 0;
  ssSetup(&c, "e3_big", _i, "memtable_size=4096");
  ssFill(&c, 1, 100);
  ssExpect(&c, "SELECT lsm_flush('l')", "ok");
  zKey = ssKeyOf(&c, "i");
  zIns = sqlite3_mprintf("WITH RECURSIVE c(i) AS (SELECT 1000 UNION ALL "
                         "SELECT i+1 FROM c WHERE i<%d) "
                         "INSERT INTO $T($K, v, w) "
                         "SELECT %s, printf('%%0100d', i), i FROM c",
                         999 + nBig, zKey);
  ssOnce(&c, "BEGIN", SQLITE_OK);
  ssBothRc(&c, zIns, SQLITE_OK);
  ssChanges(&c, nBig);
  ssBothRc(&c, "UPDATE $T SET w = w + 1 WHERE $K < 50", SQLITE_OK);
  ssBothRc(&c, "DELETE FROM $T WHERE $K < 10", SQLITE_OK);
  ssBothRc(&c, "SELECT count(*), sum(w), min($K), max($K) FROM $T", SQLITE_OK);
  ssOnce(&c, "SAVEPOINT s", SQLITE_OK);
  ssBothRc(&c, "UPDATE $T SET v = v || v", SQLITE_OK);
  ssBothRc(&c, "SELECT count(*), sum(length(v)) FROM $T", SQLITE_OK);
  ssOnce(&c, "ROLLBACK TO s", SQLITE_OK);
  ssBothRc(&c, "SELECT count(*), sum(length(v)) FROM $T", SQLITE_OK);
  ssOnce(&c, "ROLLBACK", SQLITE_OK);
  ssCheckTables(&c);
  ssBothRc(&c, "SELECT count(*) FROM $T", SQLITE_OK);
  if( strcmp(c.resN.zRows, "i:100\n")!=0 ) ssFail(&c, "rollback left rows");
  ssRestart(&c);
  ssCheckTables(&c);

  ssOnce(&c, "BEGIN", SQLITE_OK);
  ssBothRc(&c, zIns, SQLITE_OK);
  ssBothRc(&c, "DELETE FROM $T WHERE $K < 10", SQLITE_OK);
  nDel = c.resN.nChange;
  ssOnce(&c, "COMMIT", SQLITE_OK);
  ssCheckTables(&c);
  ssRestart(&c);
  ssCheckTables(&c);
  ssBothRc(&c, "SELECT count(*) FROM $T", SQLITE_OK);
  {
    char *zWant = sqlite3_mprintf("i:%d\n", 100 + nBig - nDel);
    if( strcmp(c.resN.zRows, zWant)!=0 ) ssFail(&c, "commit: %s", c.resN.zRows);
    sqlite3_free(zWant);
  }
  sqlite3_free(zKey);
  sqlite3_free(zIns);
  ssTeardown(&c);
}
END_TEST

/*
** ROLLBACK then restart; a connection closed with its transaction open
** (an implicit rollback) then restart; rollbacks after a flush.
*/
START_TEST(test_e3_rollback_restart){
  SsCtx c;
  int i;
  ssSetup(&c, "e3_rollback_restart", _i, 0);
  ssFill(&c, 1, 20);
  ssOnce(&c, "BEGIN", SQLITE_OK);
  ssBothRc(&c, "INSERT INTO $T($K, v) VALUES (100, 'gone')", SQLITE_OK);
  ssBothRc(&c, "UPDATE $T SET v = 'gone' WHERE $K < 5", SQLITE_OK);
  ssBothRc(&c, "DELETE FROM $T WHERE $K > 15", SQLITE_OK);
  ssOnce(&c, "ROLLBACK", SQLITE_OK);
  ssRestart(&c);
  ssCheckTables(&c);

  ssOnce(&c, "BEGIN", SQLITE_OK);
  ssBothRc(&c, "INSERT INTO $T($K, v) VALUES (101, 'gone')", SQLITE_OK);
  ssBothRc(&c, "DELETE FROM $T WHERE $K = 1", SQLITE_OK);
  ssRestart(&c);                             /* closed with BEGIN open */
  ssCheckTables(&c);
  ssBothRc(&c, "SELECT count(*) FROM $T", SQLITE_OK);
  if( strcmp(c.resN.zRows, "i:20\n")!=0 ) ssFail(&c, "close kept writes");

  for(i=0; i<3; i++){
    ssBothF(&c, "INSERT INTO $T($K, v) VALUES (%d, 'kept')", 200 + i);
    ssExpect(&c, "SELECT lsm_flush('l')", "ok");
    ssOnce(&c, "SAVEPOINT r", SQLITE_OK);
    ssBothF(&c, "INSERT INTO $T($K, v) VALUES (%d, 'gone')", 300 + i);
    ssBothRc(&c, "UPDATE $T SET w = -w", SQLITE_OK);
    ssOnce(&c, "ROLLBACK TO r", SQLITE_OK);
    ssOnce(&c, "RELEASE r", SQLITE_OK);
    ssCheckTables(&c);
  }
  ssRestart(&c);
  ssCheckTables(&c);
  ssTeardown(&c);
}
END_TEST

/*
** Reads inside a transaction see its writes: point lookups, IN, ranges in
** both directions, LIMIT/OFFSET, aggregates, a moved key, a deleted key,
** and again inside a savepoint and after ROLLBACK TO.
*/
START_TEST(test_e3_own_writes){
  static const char *const azRead[] = {
    "SELECT $K, v, w FROM $T ORDER BY $K",
    "SELECT $K, v FROM $T WHERE $K = 25",
    "SELECT $K, v FROM $T WHERE $K = 7",
    "SELECT $K, v FROM $T WHERE $K = 40",
    "SELECT $K, v FROM $T WHERE $K IN (5, 6, 7, 40, 30) ORDER BY $K",
    "SELECT $K, v FROM $T WHERE $K > 4 AND $K <= 30 ORDER BY $K",
    "SELECT $K, v FROM $T WHERE $K >= 3 ORDER BY $K DESC",
    "SELECT $K FROM $T ORDER BY $K LIMIT 3 OFFSET 4",
    "SELECT $K FROM $T ORDER BY $K DESC LIMIT 2 OFFSET 1",
    "SELECT count(*), sum(w), group_concat(v) FROM $T",
  };
  SsCtx c;
  int i;
  ssSetup(&c, "e3_own_writes", _i, 0);
  ssFill(&c, 1, 20);
  ssOnce(&c, "BEGIN", SQLITE_OK);
  ssBothRc(&c, "INSERT INTO $T($K, v, w) VALUES (25, 'new', 0), (30, 'new', 0)",
           SQLITE_OK);
  ssBothRc(&c, "UPDATE $T SET v = 'upd' WHERE $K = 5", SQLITE_OK);
  ssBothRc(&c, "DELETE FROM $T WHERE $K = 6", SQLITE_OK);
  ssBothRc(&c, "UPDATE $T SET $K = 40 WHERE $K = 7", SQLITE_OK);
  for(i=0; i<(int)(sizeof(azRead)/sizeof(azRead[0])); i++){
    ssBothRc(&c, azRead[i], SQLITE_OK);
  }
  ssBothRc(&c, "SELECT v FROM $T WHERE $K = 40", SQLITE_OK);
  if( strcmp(c.resN.zRows, "t:'v7'\n")!=0 ) ssFail(&c, "moved key not read");
  ssOnce(&c, "SAVEPOINT s", SQLITE_OK);
  ssBothRc(&c, "DELETE FROM $T WHERE $K > 10", SQLITE_OK);
  ssBothRc(&c, "INSERT INTO $T($K, v) VALUES (6, 'back')", SQLITE_OK);
  for(i=0; i<(int)(sizeof(azRead)/sizeof(azRead[0])); i++){
    ssBothRc(&c, azRead[i], SQLITE_OK);
  }
  ssOnce(&c, "ROLLBACK TO s", SQLITE_OK);
  for(i=0; i<(int)(sizeof(azRead)/sizeof(azRead[0])); i++){
    ssBothRc(&c, azRead[i], SQLITE_OK);
  }
  ssOnce(&c, "COMMIT", SQLITE_OK);
  ssCheckTables(&c);
  ssRestart(&c);
  ssCheckTables(&c);
  ssTeardown(&c);
}
END_TEST

/* The whole table zTab as read by connection db, serialised. */
static char *ssTableOn(SsCtx *p, sqlite3 *db, const char *zTab){
  char *zSql = ssSubst("SELECT $K, * FROM $T ORDER BY $K", zTab, p->pS->zKey);
  SsRes r;
  char *z;
  memset(&r, 0, sizeof(r));
  ssRun(db, zSql, zTab, &r);
  if( r.rc!=SQLITE_OK ) ssFail(p, "%s on a connection: %s", zSql, r.zErr);
  z = r.zRows;
  r.zRows = 0;
  ssResClear(&r);
  sqlite3_free(zSql);
  return z;
}

/*
** A second connection must read both tables as zWant (the committed
** state) while the first has a transaction open.
*/
static void ssSecondSees(SsCtx *p, sqlite3 *db2, const char *zWant,
                         const char *zWhen){
  int i;
  for(i=0; i<2; i++){
    char *z = ssTableOn(p, db2, i ? "n" : "l");
    if( strcmp(z, zWant)!=0 ){
      ssFail(p, "%s: the second connection reads %s as\n%.1500s\nexpected\n"
             "%.1500s", zWhen, i ? "n" : "l", z, zWant);
    }
    sqlite3_free(z);
  }
}

/*
** A second connection does not see uncommitted writes, in a transaction or
** a savepoint, after ROLLBACK either; it sees them after COMMIT.
*/
START_TEST(test_e3_isolation){
  SsCtx c;
  sqlite3 *db2 = 0;
  char *zBefore, *zAfter;
  ssSetup(&c, "e3_isolation", _i, 0);
  ssFill(&c, 1, 30);
  ck_assert_int_eq(sqlite3_open(c.zDb, &db2), SQLITE_OK);
  ck_assert_int_eq(lsmvtabRegister(db2, 0, 0), SQLITE_OK);
  zBefore = ssTableOn(&c, c.db, "n");
  ssSecondSees(&c, db2, zBefore, "before");

  ssOnce(&c, "BEGIN", SQLITE_OK);
  ssBothRc(&c, "INSERT INTO $T($K, v) VALUES (100, 'new'), (0, 'new')",
           SQLITE_OK);
  ssBothRc(&c, "UPDATE $T SET v = 'upd' WHERE $K > 20", SQLITE_OK);
  ssBothRc(&c, "DELETE FROM $T WHERE $K < 5", SQLITE_OK);
  ssSecondSees(&c, db2, zBefore, "open transaction");
  ssOnce(&c, "SAVEPOINT s", SQLITE_OK);
  ssBothRc(&c, "UPDATE $T SET $K = 200 WHERE $K = 10", SQLITE_OK);
  ssSecondSees(&c, db2, zBefore, "open savepoint");
  ssOnce(&c, "ROLLBACK", SQLITE_OK);
  ssSecondSees(&c, db2, zBefore, "after ROLLBACK");

  ssOnce(&c, "BEGIN", SQLITE_OK);
  ssBothRc(&c, "INSERT INTO $T($K, v) VALUES (100, 'new')", SQLITE_OK);
  ssBothRc(&c, "DELETE FROM $T WHERE $K < 5", SQLITE_OK);
  ssSecondSees(&c, db2, zBefore, "second transaction");
  ssOnce(&c, "COMMIT", SQLITE_OK);
  zAfter = ssTableOn(&c, c.db, "n");
  if( strcmp(zAfter, zBefore)==0 ) ssFail(&c, "COMMIT changed nothing");
  ssSecondSees(&c, db2, zAfter, "after COMMIT");
  ck_assert_int_eq(sqlite3_close(db2), SQLITE_OK);
  ssCheckTables(&c);
  sqlite3_free(zBefore);
  sqlite3_free(zAfter);
  ssTeardown(&c);
}
END_TEST

/****************************************************************************
** E4: Halloween and mutation during a scan.
*/

/* "UPDATE[ OR x] $T SET $K = <key number + iDelta>" for this key type. */
static char *ssShiftSql(const SsCtx *p, const char *zOr, int iDelta){
  char *zNum = sqlite3_mprintf("%s + (%d)", ssKeyNum(p), iDelta);
  char *zKey = ssKeyOf(p, zNum);
  char *z = sqlite3_mprintf("UPDATE %s$T SET $K = %s", zOr, zKey);
  sqlite3_free(zNum);
  sqlite3_free(zKey);
  return z;
}

/* Both tables must hold exactly n rows. */
static void ssCount(SsCtx *p, int n){
  char zWant[40];
  ssBothRc(p, "SELECT count(*) FROM $T", SQLITE_OK);
  snprintf(zWant, sizeof(zWant), "i:%d\n", n);
  if( strcmp(p->resN.zRows, zWant)!=0 ){
    ssFail(p, "count is %s, expected %d", p->resN.zRows, n);
  }
}

/*
** (1) key = key+1 over 10,000 rows: fails on both with nothing changed
** (in autocommit and inside a transaction, whose earlier write stays);
** OR FAIL fails on the first row; shifts that never collide succeed; OR
** IGNORE and OR REPLACE end as the native table does.
*/
START_TEST(test_e4_shift){
  SsCtx c;
  char *z;
  ssSetup(&c, "e4_shift", _i, 0);
  c.bPad = 1;
  ssFill(&c, 1, SS_NROW_BIG);
  z = ssShiftSql(&c, "", 1);
  ssBothRc(&c, z, SQLITE_CONSTRAINT);
  ssCheckTables(&c);
  ssCount(&c, SS_NROW_BIG);
  ssOnce(&c, "BEGIN", SQLITE_OK);
  ssBothRc(&c, "UPDATE $T SET v = 'first' WHERE w = 5", SQLITE_OK);
  ssBothRc(&c, z, SQLITE_CONSTRAINT);
  ssOnce(&c, "COMMIT", SQLITE_OK);
  ssCheckTables(&c);
  sqlite3_free(z);
  z = ssShiftSql(&c, "OR FAIL ", 1);
  ssBothRc(&c, z, SQLITE_CONSTRAINT);
  ssChanges(&c, 0);
  sqlite3_free(z);
  z = ssShiftSql(&c, "", -1);                /* 1->0, 2->1, ...: no clash */
  ssBothRc(&c, z, SQLITE_OK);
  ssChanges(&c, SS_NROW_BIG);
  sqlite3_free(z);
  z = ssShiftSql(&c, "", SS_NROW_BIG);       /* beyond the last: no clash */
  ssBothRc(&c, z, SQLITE_OK);
  ssChanges(&c, SS_NROW_BIG);
  ssCheckTables(&c);
  ssCount(&c, SS_NROW_BIG);
  sqlite3_free(z);
  z = ssShiftSql(&c, "OR IGNORE ", 1);       /* only the last row moves */
  ssBothRc(&c, z, SQLITE_OK);
  ssChanges(&c, 1);
  ssCheckTables(&c);
  sqlite3_free(z);
  z = ssShiftSql(&c, "OR REPLACE ", 1);
  ssBothRc(&c, z, SQLITE_OK);
  ssCheckTables(&c);
  sqlite3_free(z);
  ssRestart(&c);
  ssCheckTables(&c);
  ssTeardown(&c);
}
END_TEST

/*
** (2) v = v+1 increments each of 10,000 rows once, also when the same
** UPDATE moves every key past the end of the scan; a ranged increment.
*/
START_TEST(test_e4_incr){
  SsCtx c;
  char *z, *zWant;
  long long n = SS_NROW_BIG;
  ssSetup(&c, "e4_incr", _i, 0);
  c.bPad = 1;
  ssFill(&c, 1, SS_NROW_BIG);
  ssBothRc(&c, "UPDATE $T SET w = w + 1", SQLITE_OK);
  ssChanges(&c, SS_NROW_BIG);
  ssBothRc(&c, "SELECT sum(w), count(*) FROM $T", SQLITE_OK);
  zWant = sqlite3_mprintf("i:%lld|i:%lld\n", n*(n+1)/2 + n, n);
  if( strcmp(c.resL.zRows, zWant)!=0 ) ssFail(&c, "sum %s", c.resL.zRows);
  sqlite3_free(zWant);
  z = ssShiftSql(&c, "", SS_NROW_BIG);
  {
    char *z2 = sqlite3_mprintf("%s, w = w + 1", z);
    ssBothRc(&c, z2, SQLITE_OK);
    ssChanges(&c, SS_NROW_BIG);
    sqlite3_free(z2);
  }
  ssBothRc(&c, "SELECT sum(w), count(*), min(w), max(w) FROM $T", SQLITE_OK);
  zWant = sqlite3_mprintf("i:%lld|i:%lld|i:3|i:%lld\n", n*(n+1)/2 + 2*n, n,
                          n + 2);
  if( strcmp(c.resL.zRows, zWant)!=0 ) ssFail(&c, "sum %s", c.resL.zRows);
  sqlite3_free(zWant);
  sqlite3_free(z);
  ssBothF(&c, "UPDATE $T SET w = w + 1 WHERE $K > %s%d%s",
          c.pS->bText ? "'k" : "", SS_NROW_BIG + 5000,
          c.pS->bText ? "'" : "");
  ssChanges(&c, SS_NROW_BIG - 5000);
  ssCheckTables(&c);
  ssTeardown(&c);
}
END_TEST

/*
** (3) INSERT INTO t SELECT <key+N>, v, w FROM t doubles the table
** exactly; for rowid tables, again with new rowids.
*/
START_TEST(test_e4_double){
  SsCtx c;
  char *zNum, *zKey;
  ssSetup(&c, "e4_double", _i, 0);
  c.bPad = 1;
  ssFill(&c, 1, SS_NROW_BIG);
  zNum = sqlite3_mprintf("%s + %d", ssKeyNum(&c), SS_NROW_BIG);
  zKey = ssKeyOf(&c, zNum);
  ssBothF(&c, "INSERT INTO $T($K, v, w) SELECT %s, v, w FROM $T", zKey);
  ssChanges(&c, SS_NROW_BIG);
  ssCount(&c, 2*SS_NROW_BIG);
  ssCheckTables(&c);
  if( !c.pS->bText ){
    ssBothRc(&c, "INSERT INTO $T(v, w) SELECT v, w FROM $T", SQLITE_OK);
    ssChanges(&c, 2*SS_NROW_BIG);
    ssCount(&c, 4*SS_NROW_BIG);
  }else{
    ssBothRc(&c, "INSERT INTO $T(k, v, w) SELECT k || '+', v, w FROM $T",
             SQLITE_OK);
    ssChanges(&c, 2*SS_NROW_BIG);
    ssCount(&c, 4*SS_NROW_BIG);
  }
  ssCheckTables(&c);
  sqlite3_free(zNum);
  sqlite3_free(zKey);
  ssTeardown(&c);
}
END_TEST

/* Open descriptors of this process; *pnDeleted: those of deleted files. */
static int ssFdCount(int *pnDeleted){
  DIR *d = opendir("/proc/self/fd");
  struct dirent *pEnt;
  int n = 0;
  *pnDeleted = 0;
  ck_assert_ptr_nonnull(d);
  while( (pEnt = readdir(d))!=0 ){
    char zPath[300], zLink[1024];
    ssize_t nLink;
    if( pEnt->d_name[0]=='.' ) continue;
    n++;
    snprintf(zPath, sizeof(zPath), "/proc/self/fd/%s", pEnt->d_name);
    nLink = readlink(zPath, zLink, sizeof(zLink)-1);
    if( nLink>0 ){
      zLink[nLink] = 0;
      if( strstr(zLink, " (deleted)") ) (*pnDeleted)++;
    }
  }
  closedir(d);
  return n - 1;                  /* the descriptor of the listing itself */
}

/* Scans of E4 (4): the lsm query and the native oracle query. */
static const struct {
  const char *zName;          /* For messages */
  const char *zLsm;           /* Stepped on l */
  const char *zOracle;        /* Run on n at the first step */
  int bTxn;                   /* Inside BEGIN ... COMMIT */
} aScan[] = {
  { "asc", "SELECT $K, v, w FROM $T",
           "SELECT $K, v, w FROM $T ORDER BY $K", 0 },
  { "desc", "SELECT $K, v, w FROM $T ORDER BY $K DESC",
            "SELECT $K, v, w FROM $T ORDER BY $K DESC", 0 },
  { "range", "SELECT $K, v, w FROM $T WHERE $K >= $LO AND $K < $HI",
             "SELECT $K, v, w FROM $T WHERE $K >= $LO AND $K < $HI "
             "ORDER BY $K", 0 },
  { "txn", "SELECT $K, v, w FROM $T",
           "SELECT $K, v, w FROM $T ORDER BY $K", 1 },
};
#define SS_NSCAN ((int)(sizeof(aScan)/sizeof(aScan[0])))

/* zSql with "$LO" and "$HI" replaced by the keys of 200 and 1200. */
static char *ssRangeSql(const SsCtx *p, const char *zSql){
  char *zLo = ssKey(p, 200), *zHi = ssKey(p, 1200);
  sqlite3_str *pStr = sqlite3_str_new(0);
  const char *z;
  for(z=zSql; *z; z++){
    if( strncmp(z, "$LO", 3)==0 ){
      sqlite3_str_appendall(pStr, zLo);
      z += 2;
    }else if( strncmp(z, "$HI", 3)==0 ){
      sqlite3_str_appendall(pStr, zHi);
      z += 2;
    }else{
      sqlite3_str_appendchar(pStr, 1, *z);
    }
  }
  sqlite3_free(zLo);
  sqlite3_free(zHi);
  return sqlite3_str_finish(pStr);
}

/*
** One write between two steps of the scan, on both tables: insert,
** update, delete, key move, range delete; a flush or a full compaction
** now and then; a count through another cursor.
*/
static void ssMutate(SsCtx *p, TestRng *pRng, int iStep){
  int iKey = (int)testRngBelow(pRng, 2*SS_NROW_SCAN);
  char *zKey = ssKey(p, iKey);
  char *zKey2 = ssKey(p, (int)testRngBelow(pRng, 2*SS_NROW_SCAN));
  char *zKey3 = ssKey(p, iKey + 5);
  switch( testRngBelow(pRng, 5) ){
    case 0:
      ssBothF(p, "INSERT OR REPLACE INTO $T($K, v, w) VALUES (%s, 'new', %d)",
              zKey, iStep);
      break;
    case 1:
      ssBothF(p, "UPDATE $T SET v = v || '+', w = %d WHERE $K = %s", iStep,
              zKey);
      break;
    case 2:
      ssBothF(p, "DELETE FROM $T WHERE $K = %s", zKey);
      break;
    case 3:
      ssBothF(p, "UPDATE OR REPLACE $T SET $K = %s WHERE $K = %s", zKey2,
              zKey);
      break;
    default:
      ssBothF(p, "DELETE FROM $T WHERE $K BETWEEN %s AND %s", zKey, zKey3);
      break;
  }
  if( p->resN.rc!=SQLITE_OK ) ssFail(p, "a write during the scan failed");
  if( iStep%50==49 ) ssExpect(p, "SELECT lsm_flush('l')", "ok");
  if( iStep%300==299 ) ssExpect(p, "SELECT lsm_compact('l')", "ok");
  if( iStep%100==0 ) ssBothRc(p, "SELECT count(*), sum(w) FROM $T", SQLITE_OK);
  sqlite3_free(zKey);
  sqlite3_free(zKey2);
  sqlite3_free(zKey3);
}

/*
** (4) Step scan iScan of l while ssMutate() writes between steps.  The
** rows must equal the native twin's at the first step (xFilter), in
** order; afterwards no descriptor of a deleted file may stay open, and
** after close the process's descriptor count is back at its baseline.
*/
static void ssScanRun(int iSchema, int iScan, unsigned iSeed){
  SsCtx c;
  TestRng rng;
  char *zL, *zN, *zLsm, *zOracle;
  sqlite3_stmt *pStmt = 0;
  sqlite3_str *pGot = sqlite3_str_new(0);
  SsRes want;
  int nFd0, nFd1, nDel0, nDel1, nRow = 0, rc;
  char *zGot;
  char zTest[64];

  nFd0 = ssFdCount(&nDel0);
  snprintf(zTest, sizeof(zTest), "e4_scan_%s_seed%u", aScan[iScan].zName,
           iSeed);
  ssSetup(&c, zTest, iSchema, "memtable_size=4096");
  c.bPad = 1;
  testRngSeed(&rng, iSeed);
  ssFill(&c, 1, SS_NROW_SCAN);
  ssExpect(&c, "SELECT lsm_compact('l')", "ok");
  zLsm = ssRangeSql(&c, aScan[iScan].zLsm);
  zOracle = ssRangeSql(&c, aScan[iScan].zOracle);
  zL = ssSubst(zLsm, "l", c.pS->zKey);
  zN = ssSubst(zOracle, "n", c.pS->zKey);
  if( aScan[iScan].bTxn ){
    ssOnce(&c, "BEGIN", SQLITE_OK);
    ssBothRc(&c, "UPDATE $T SET w = -w WHERE w % 7 = 0", SQLITE_OK);
  }
  memset(&want, 0, sizeof(want));
  ssRun(c.db, zN, "n", &want);
  ck_assert_int_eq(want.rc, SQLITE_OK);
  sqlite3_str_appendf(c.pLog, "-- stepped while the writes below run: %s;\n",
                      zL);
  rc = sqlite3_prepare_v2(c.db, zL, -1, &pStmt, 0);
  ck_assert_int_eq(rc, SQLITE_OK);
  while( (rc = sqlite3_step(pStmt))==SQLITE_ROW ){
    ssAddRow(pGot, pStmt);
    ssMutate(&c, &rng, nRow++);
  }
  if( rc!=SQLITE_DONE ){
    ssFail(&c, "scan step %d: rc %d: %s", nRow, rc, sqlite3_errmsg(c.db));
  }
  ck_assert_int_eq(sqlite3_finalize(pStmt), SQLITE_OK);
  zGot = sqlite3_str_finish(pGot);
  if( strcmp(zGot ? zGot : "", want.zRows)!=0 ){
    ssFail(&c, "scan %s returned %d rows, not the %d of its snapshot:\n"
           "%.1500s\nexpected\n%.1500s", aScan[iScan].zName, nRow, want.nRow,
           zGot, want.zRows);
  }
  if( want.nRow<500 ) ssFail(&c, "scan too short: %d rows", want.nRow);
  {
    /* The writes did change what the scan covers (else it proves nothing). */
    SsRes now;
    memset(&now, 0, sizeof(now));
    ssRun(c.db, zN, "n", &now);
    if( strcmp(now.zRows, want.zRows)==0 ) ssFail(&c, "the writes missed");
    ssResClear(&now);
  }
  if( aScan[iScan].bTxn ) ssOnce(&c, "COMMIT", SQLITE_OK);
  nFd1 = ssFdCount(&nDel1);
  if( nDel1!=nDel0 ){
    ssFail(&c, "%d descriptors of deleted files open after finalize",
           nDel1 - nDel0);
  }
  ssCheckTables(&c);
  ssRestart(&c);
  ssCheckTables(&c);
  ssClose(&c);
  nFd1 = ssFdCount(&nDel1);
  if( nFd1!=nFd0 ){
    ssFail(&c, "%d descriptors open after close, %d before open", nFd1, nFd0);
  }
  sqlite3_free(zGot);
  sqlite3_free(zL);
  sqlite3_free(zN);
  sqlite3_free(zLsm);
  sqlite3_free(zOracle);
  ssResClear(&want);
  ssTeardown(&c);
}

/* (4) for every scan kind; 3 seeds each (soak: 30). */
START_TEST(test_e4_scan){
  int nSeed = ssSoak() ? 30 : 3;
  int iScan, iSeed;
  for(iScan=0; iScan<SS_NSCAN; iScan++){
    for(iSeed=0; iSeed<nSeed; iSeed++){
      ssScanRun(_i, iScan, (unsigned)(1000*_i + 100*iScan + iSeed + 1));
    }
  }
}
END_TEST

/* True if the program of zSql (EXPLAIN) has an OpenEphemeral opcode. */
static int ssEphemeral(SsCtx *p, const char *zSql){
  char *zExplain = sqlite3_mprintf("EXPLAIN %s", zSql);
  sqlite3_stmt *pStmt = 0;
  int bEph = 0;
  int rc = sqlite3_prepare_v2(p->db, zExplain, -1, &pStmt, 0);
  if( rc!=SQLITE_OK ) ssFail(p, "%s: %s", zExplain, sqlite3_errmsg(p->db));
  while( sqlite3_step(pStmt)==SQLITE_ROW ){
    const char *zOp = (const char*)sqlite3_column_text(pStmt, 1);
    if( zOp && strcmp(zOp, "OpenEphemeral")==0 ) bEph = 1;
  }
  sqlite3_finalize(pStmt);
  sqlite3_free(zExplain);
  return bEph;
}

/*
** (5) An UPDATE with equality on the key is one-pass (no OpenEphemeral;
** a range UPDATE does use one), and when its new key collides the data
** is untouched: in autocommit, in a transaction after other writes, and
** with OR FAIL; OR REPLACE and a non-colliding one-pass UPDATE succeed.
*/
START_TEST(test_e4_onepass){
  SsCtx c;
  char *k3, *k5, *k7, *k99, *zSql, *zL;
  ssSetup(&c, "e4_onepass", _i, 0);
  c.bPad = 1;
  ssFill(&c, 1, 10);
  k3 = ssKey(&c, 3); k5 = ssKey(&c, 5); k7 = ssKey(&c, 7); k99 = ssKey(&c, 99);
  zSql = sqlite3_mprintf("UPDATE $T SET $K = %s, v = 'lost', w = -1 "
                         "WHERE $K = %s", k5, k3);
  zL = ssSubst(zSql, "l", c.pS->zKey);
  if( ssEphemeral(&c, zL) ) ssFail(&c, "not one-pass: %s", zL);
  sqlite3_free(zL);
  zL = ssSubst("UPDATE $T SET v = 'x' WHERE $K > 3", "l", c.pS->zKey);
  if( !ssEphemeral(&c, zL) ) ssFail(&c, "range UPDATE one-pass: %s", zL);
  sqlite3_free(zL);

  ssBothRc(&c, zSql, SQLITE_CONSTRAINT);
  ssCheckTables(&c);
  ssOnce(&c, "BEGIN", SQLITE_OK);
  ssBothRc(&c, "UPDATE $T SET v = 'kept' WHERE $K = 1", SQLITE_OK);
  ssBothRc(&c, zSql, SQLITE_CONSTRAINT);
  ssBothF(&c, "UPDATE OR FAIL $T SET $K = %s, v = 'lost' WHERE $K = %s", k7,
          k3);
  if( c.resN.rc!=SQLITE_CONSTRAINT ) ssFail(&c, "OR FAIL did not fail");
  ssBothRc(&c, "SELECT $K, v, w FROM $T ORDER BY $K", SQLITE_OK);
  ssOnce(&c, "COMMIT", SQLITE_OK);
  ssCheckTables(&c);
  ssBothF(&c, "UPDATE $T SET $K = %s, v = 'moved' WHERE $K = %s", k99, k3);
  ssChanges(&c, 1);
  ssBothF(&c, "UPDATE OR REPLACE $T SET $K = %s, v = 'replaced' "
          "WHERE $K = %s", k5, k99);
  ssChanges(&c, 1);
  ssCheckTables(&c);
  ssCount(&c, 9);
  ssRestart(&c);
  ssCheckTables(&c);
  sqlite3_free(zSql);
  sqlite3_free(k3); sqlite3_free(k5); sqlite3_free(k7); sqlite3_free(k99);
  ssTeardown(&c);
}
END_TEST

/****************************************************************************
** The suite.
*/
static Suite *sqlsemSuite(void){
  Suite *s = suite_create("sqlsem");
  TCase *tc = tcase_create("e3");
  tcase_set_timeout(tc, 60);
  tcase_add_loop_test(tc, test_e3_v3, 0, SS_NSCHEMA);
  tcase_add_loop_test(tc, test_e3_ladder, 0, SS_NSCHEMA);
  tcase_add_loop_test(tc, test_e3_fail, 0, SS_NSCHEMA);
  tcase_add_loop_test(tc, test_e3_big, 0, SS_NSCHEMA);
  tcase_add_loop_test(tc, test_e3_rollback_restart, 0, SS_NSCHEMA);
  tcase_add_loop_test(tc, test_e3_own_writes, 0, SS_NSCHEMA);
  tcase_add_loop_test(tc, test_e3_isolation, 0, SS_NSCHEMA);
  suite_add_tcase(s, tc);
  tc = tcase_create("e4");
  tcase_set_timeout(tc, 120);
  tcase_add_loop_test(tc, test_e4_shift, 0, SS_NSCHEMA);
  tcase_add_loop_test(tc, test_e4_incr, 0, SS_NSCHEMA);
  tcase_add_loop_test(tc, test_e4_double, 0, SS_NSCHEMA);
  tcase_add_loop_test(tc, test_e4_scan, 0, SS_NSCHEMA);
  tcase_add_loop_test(tc, test_e4_onepass, 0, SS_NSCHEMA);
  suite_add_tcase(s, tc);
  return s;
}

int main(void){
  SRunner *sr = srunner_create(sqlsemSuite());
  int nFail;
  srunner_run_all(sr, CK_NORMAL);
  nFail = srunner_ntests_failed(sr);
  srunner_free(sr);
  return nFail==0 ? 0 : 1;
}
