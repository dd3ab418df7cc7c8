/*
** fuzz_sql.c -- libFuzzer target for the lsm virtual table driven by SQL
** (the ext/ sources over lsmcore), in the spirit of SQLite's dbsqlfuzz,
** TESTPLAN F3.
**
** For each input: a fresh in-memory database (the module gives each lsm
** table a private temporary store directory under $TMPDIR, removed at
** close), the module registered with lsmvtabRegister (linked statically,
** POSIX env), two small lsm tables created and filled, then the input run
** as SQL (sqlite3_exec: every statement until the first error, then the
** rest after it, statement by statement), and the database closed.
** Limits keep each input cheap: tight sqlite3_limit values, a progress
** handler that interrupts after a fixed number of VM steps, and an
** authorizer that refuses ATTACH (no file outside the
** temporary directories may be created).  test/fuzz/sql.dict lists the
** module's keywords, options and functions for -dict.
**
** Pass bar: no crash, sanitizer report or leak (LSan) for any input; the
** setup statements succeed; after close no temporary store directory is
** left behind (the process's $TMPDIR is pointed at a private directory
** that must be empty again).  The SQL itself may fail in any way.
*/
#include <sqlite3.h>
#include "lsmvtab.h"
#include "fuzzutil.h"

#include "testutil.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SQL_MAX_STEPS   (50*1000)      /* VM ops between progress calls */
#define SQL_MAX_CALLS   40             /* Progress calls before interrupt */

/* A private $TMPDIR for the module's temporary stores (see sqlTmpDir). */
static char gzTmp[512];

/* Remove the private temporary directory at exit. */
static void sqlTmpRemove(void){
  if( gzTmp[0] ) testRemoveTree(gzTmp);
}

/*
** On first use, point $TMPDIR at a fresh directory of our own, so that
** every private store the module creates lands there and a store left
** behind after close is seen (sqlTmpCount).
*/
static void sqlTmpDir(void){
  const char *zBase;
  if( gzTmp[0] ) return;
  zBase = getenv("TMPDIR");
  if( zBase==0 || zBase[0]==0 ) zBase = "/tmp";
  snprintf(gzTmp, sizeof(gzTmp), "%s/lsmv-fuzz-sql-XXXXXX", zBase);
  FUZZ_ASSERT( mkdtemp(gzTmp)!=0 );
  FUZZ_ASSERT( setenv("TMPDIR", gzTmp, 1)==0 );
  atexit(sqlTmpRemove);
}

/* Entries in the private temporary directory. */
static int sqlTmpCount(void){
  DIR *pDir = opendir(gzTmp);
  struct dirent *pEnt;
  int n = 0;
  FUZZ_ASSERT( pDir!=0 );
  while( (pEnt = readdir(pDir))!=0 ){
    if( strcmp(pEnt->d_name, ".") && strcmp(pEnt->d_name, "..") ) n++;
  }
  closedir(pDir);
  return n;
}

/* Progress handler: interrupt once the budget is spent. */
static int sqlProgress(void *pArg){
  int *pn = (int*)pArg;
  return ++(*pn) > SQL_MAX_CALLS;
}

/* Authorizer: no ATTACH or DETACH (they name files). */
static int sqlAuth(void *pArg, int eAction, const char *z1, const char *z2,
                   const char *z3, const char *z4){
  (void)pArg; (void)z1; (void)z2; (void)z3; (void)z4;
  if( eAction==SQLITE_ATTACH || eAction==SQLITE_DETACH ) return SQLITE_DENY;
  return SQLITE_OK;
}

/* The table setup every input starts from. */
static const char zSetup[] =
  "CREATE VIRTUAL TABLE t USING lsm(k PRIMARY KEY, v, memtable_size='4K');"
  "CREATE VIRTUAL TABLE c USING lsm(a INTEGER, b TEXT, c, PRIMARY KEY(a, b));"
  "INSERT INTO t VALUES(1,'one'),(2.5,x'00ff'),('k','text'),(x'01',3),"
  "  (-7,zeroblob(40));"
  "INSERT INTO c VALUES(1,'x',1.5),(1,'y',NULL),(2,'x','z');";

int LLVMFuzzerTestOneInput(const uint8_t *aData, size_t nData){
  sqlite3 *db = 0;
  char *zSql;
  const char *zTail;
  int nProgress = 0;
  int nStmt = 0;

  if( nData>16384 ) return 0;
  unsetenv("LSMVTAB_ALLOW_ANY_PATH");     /* never widen the root */
  sqlTmpDir();
  zSql = malloc(nData + 1);
  if( zSql==0 ) return 0;
  memcpy(zSql, aData, nData);
  zSql[nData] = 0;

  FUZZ_ASSERT( sqlite3_open(":memory:", &db)==SQLITE_OK );
  FUZZ_ASSERT( lsmvtabRegister(db, 0, 0)==SQLITE_OK );
  sqlite3_limit(db, SQLITE_LIMIT_LENGTH, 100000);
  sqlite3_limit(db, SQLITE_LIMIT_SQL_LENGTH, 20000);
  sqlite3_limit(db, SQLITE_LIMIT_COLUMN, 100);
  sqlite3_limit(db, SQLITE_LIMIT_EXPR_DEPTH, 50);
  sqlite3_limit(db, SQLITE_LIMIT_COMPOUND_SELECT, 10);
  sqlite3_limit(db, SQLITE_LIMIT_VDBE_OP, 25000);
  sqlite3_limit(db, SQLITE_LIMIT_FUNCTION_ARG, 8);
  sqlite3_limit(db, SQLITE_LIMIT_ATTACHED, 0);
  sqlite3_limit(db, SQLITE_LIMIT_LIKE_PATTERN_LENGTH, 100);
  sqlite3_limit(db, SQLITE_LIMIT_VARIABLE_NUMBER, 10);
  sqlite3_limit(db, SQLITE_LIMIT_TRIGGER_DEPTH, 5);
  sqlite3_db_config(db, SQLITE_DBCONFIG_DEFENSIVE, 1, 0);
  sqlite3_db_config(db, SQLITE_DBCONFIG_ENABLE_LOAD_EXTENSION, 0, 0);
  FUZZ_ASSERT( sqlite3_exec(db, zSetup, 0, 0, 0)==SQLITE_OK );
  sqlite3_set_authorizer(db, sqlAuth, 0);
  sqlite3_progress_handler(db, SQL_MAX_STEPS, sqlProgress, &nProgress);

  /* Run every statement, continuing after errors. */
  zTail = zSql;
  while( zTail && zTail[0] && nStmt++<64 && nProgress<=SQL_MAX_CALLS ){
    sqlite3_stmt *pStmt = 0;
    const char *zNext = 0;
    int rc = sqlite3_prepare_v2(db, zTail, -1, &pStmt, &zNext);
    if( rc==SQLITE_OK && pStmt ){
      int nRow = 0;
      while( sqlite3_step(pStmt)==SQLITE_ROW && nRow++<1000 ){
        int i, nCol = sqlite3_column_count(pStmt);
        for(i=0; i<nCol; i++){
          (void)sqlite3_column_bytes(pStmt, i);
          (void)sqlite3_column_text(pStmt, i);
        }
      }
    }
    sqlite3_finalize(pStmt);
    if( zNext==0 || zNext==zTail ) break;
    zTail = zNext;
  }
  /* Leave no transaction open across the close. */
  sqlite3_progress_handler(db, 0, 0, 0);
  sqlite3_exec(db, "ROLLBACK", 0, 0, 0);
  FUZZ_ASSERT( sqlite3_close(db)==SQLITE_OK );
  /* Every private store is removed when the connection closes. */
  FUZZ_ASSERT( sqlTmpCount()==0 );
  free(zSql);
  return 0;
}

/* ---------------------------------------------------------- seeds */

int fuzzMakeSeeds(const char *zDir);
int fuzzMakeSeeds(const char *zDir){
  static const char *const azSeed[] = {
    "select", "SELECT * FROM t ORDER BY k DESC;",
    "range", "SELECT k, v FROM t WHERE k > 1 AND k <= 'z' LIMIT 3 OFFSET 1;",
    "dml",
      "INSERT INTO t VALUES(10,'ten');UPDATE t SET v=v||'!' WHERE k=10;"
      "DELETE FROM t WHERE k<2;SELECT count(*) FROM t;",
    "conflict",
      "INSERT OR REPLACE INTO t VALUES(1,'uno');"
      "INSERT OR IGNORE INTO t VALUES(1,'x');INSERT INTO t VALUES(1,'y');"
      "UPDATE OR FAIL t SET k=k+1;SELECT * FROM t;",
    "txn",
      "BEGIN;INSERT INTO t VALUES(20,'a');SAVEPOINT s1;"
      "INSERT INTO t VALUES(21,'b');ROLLBACK TO s1;RELEASE s1;COMMIT;"
      "SELECT * FROM t WHERE k IN (20,21);",
    "composite",
      "SELECT * FROM c WHERE a=1 AND b>'x';SELECT _key FROM c;"
      "UPDATE c SET c=c*2 WHERE a=1;DELETE FROM c WHERE b='x';",
    "functions",
      "SELECT lsm_flush('t');SELECT lsm_compact('t');SELECT lsm_check('t');"
      "SELECT lsm_stats('t');SELECT lsm_version();",
    "create",
      "CREATE VIRTUAL TABLE u USING lsm(id INTEGER PRIMARY KEY,"
      " s TEXT NOT NULL,"
      " compaction=tiered, sync=off, block_size='1K', bloom_bits=5);"
      "INSERT INTO u(s) VALUES('a'),('b');SELECT rowid,* FROM u;DROP TABLE u;",
    "bigrows",
      "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i+1 FROM n"
      " WHERE i<300)"
      " INSERT INTO t SELECT i, randomblob(50) FROM n;"
      "SELECT lsm_flush('t');SELECT count(*), sum(length(v)) FROM t;",
    "selfinsert",
      "INSERT INTO t SELECT k||'x', v FROM t;"
      "SELECT * FROM t WHERE k BETWEEN 'a' AND 'kz' ORDER BY k;",
    "errors",
      "CREATE VIRTUAL TABLE bad USING lsm(k, path='/etc');"
      "CREATE VIRTUAL TABLE bad2 USING lsm(k PRIMARY KEY, v COLLATE NOCASE);"
      "INSERT INTO c VALUES(NULL,NULL,NULL);SELECT * FROM t WHERE k IS NULL;",
    "rollback",
      "BEGIN;DELETE FROM t;INSERT INTO c VALUES(9,'q',0);ROLLBACK;"
      "SELECT count(*) FROM t;SELECT count(*) FROM c;",
  };
  size_t i;
  int rc = 0;
  for(i=0; i<sizeof(azSeed)/sizeof(azSeed[0]); i+=2){
    rc |= fuzzSeedWrite(zDir, azSeed[i], azSeed[i+1], strlen(azSeed[i+1]));
  }
  return rc;
}
