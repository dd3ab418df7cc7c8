/*
** check_hostile.c -- the module against hostile database files and hostile
** CREATE VIRTUAL TABLE arguments (TESTPLAN H1, H2, H4, H5 at SQL level; H3
** is test/check_storepath.c).  The module is linked statically and
** registered with lsmvtabRegister(); the database files are made by a
** setup connection that writes sqlite_schema rows directly (PRAGMA
** writable_schema=1), as an attacker would.
**
**   H1  risk matrix, trusted_schema OFF and ON: an lsm table used from a
**       view, a trigger (INSERT and SELECT bodies), and the four functions
**       from views and triggers must fail with "unsafe use of ..."; CHECK,
**       DEFAULT, generated columns, partial indexes and index expressions
**       that would reach the table or a function are refused by SQLite's
**       parser (exact messages asserted); top-level use works.  A DIRECTONLY
**       function in a CHECK constraint of the schema is version dependent
**       and asserted per version (see test_h1_check_function).
**   H2  inert xConnect: 19 hostile files whose path= (or default store
**       name) is absolute, "..", a symbolic link, a regular file, a foreign
**       directory, another valid store, empty, NUL-split, 10 KB, or whose
**       options are out of bounds.  Each runs: open, SELECT * FROM
**       sqlite_schema, PRAGMA integrity_check, PRAGMA table_info(x), SELECT
**       through a view (must fail), direct SELECT, INSERT, DROP TABLE.
**       Pass: every failing step's message names the case's reason (and
**       the view fails); a snapshot of the sandbox (path, type, size,
**       mtime, inode, XXH3-128 of the content or the link target), taken
**       outside the database files, is identical before and after.
**       The same code is the driver of test/hostile_strace.sh:
**         check_hostile --h2-setup DIR   build the sandbox in DIR
**         check_hostile --h2-run DIR     run the cases, printing markers
**       A marker is an open() of "/nonexistent/MARK-<case>-<step>", which
**       strace shows; the script checks the syscalls between markers.
**   H4  deletion discipline through SQL: files named like ours (numbered
**       above the store's counter) and foreign names planted in a store
**       directory; writes, lsm_flush, lsm_compact, DROP TABLE: every
**       planted file survives with its bytes and the directory stays; with
**       nothing planted the directory goes.  test_h4_reopen does the same
**       across reconnects (see its comment: a known engine bug, run only
**       with LSMV_TEST_KNOWN_BUGS=1).
**   H5  bounded arguments at SQL level: each out-of-bounds CREATE fails
**       with a message naming the option and its bound, and allocates
**       nothing in the engine; a table at every maximum allocates no more
**       than bounded amounts (engine env peak, largest single request,
**       RSS growth).
**   H3 at SQL level: an in-memory, a temp and an attached "" database get
**       a private temporary store (removed at close) and refuse path=.
** Profile (LSMV_TEST_PROFILE) changes nothing: every case is run once.
** On a failure of H2 the sandbox is kept under
** $LSMV_RESULTS_DIR/check_hostile/ and its path printed.
*/
#include <sqlite3.h>
#include "lsmvtab.h"
#include "lsmcore.h"

#include <xxhash.h>

#include <check.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* ------------------------------------------------------------ helpers */

/* Open zFile (":memory:" or a path) with the module registered over pEnv. */
static sqlite3 *hostOpen(const char *zFile, lsmc_env *pEnv){
  sqlite3 *db = 0;
  int rc = sqlite3_open_v2(zFile, &db,
                           SQLITE_OPEN_READWRITE|SQLITE_OPEN_CREATE, 0);
  ck_assert_msg(rc==SQLITE_OK, "open %s: %d", zFile, rc);
  ck_assert_int_eq(lsmvtabRegister(db, pEnv, 0), SQLITE_OK);
  return db;
}

/*
** Run zSql (one or more statements).  Returns the rc; *pzOut (if not
** NULL) gets the rows, "|"-separated columns and "\n"-terminated rows,
** or on an error the message (sqlite3_mprintf'd; caller frees).
*/
static int hostRun(sqlite3 *db, const char *zSql, char **pzOut){
  sqlite3_str *pStr = sqlite3_str_new(0);
  const char *zTail = zSql;
  int rc = SQLITE_OK;
  while( rc==SQLITE_OK && zTail && zTail[0] ){
    sqlite3_stmt *pStmt = 0;
    rc = sqlite3_prepare_v2(db, zTail, -1, &pStmt, &zTail);
    while( rc==SQLITE_OK && pStmt && sqlite3_step(pStmt)==SQLITE_ROW ){
      int i;
      for(i=0; i<sqlite3_column_count(pStmt); i++){
        const char *z = (const char*)sqlite3_column_text(pStmt, i);
        sqlite3_str_appendf(pStr, "%s%s", i ? "|" : "", z ? z : "NULL");
      }
      sqlite3_str_appendchar(pStr, 1, '\n');
    }
    if( rc==SQLITE_OK && pStmt ) rc = sqlite3_finalize(pStmt);
    else sqlite3_finalize(pStmt);
  }
  if( rc!=SQLITE_OK ){
    sqlite3_str_reset(pStr);
    sqlite3_str_appendall(pStr, sqlite3_errmsg(db));
  }
  if( pzOut ){
    *pzOut = sqlite3_str_finish(pStr);
    if( *pzOut==0 ) *pzOut = sqlite3_mprintf("");
  }else{
    sqlite3_free(sqlite3_str_finish(pStr));
  }
  return rc;
}

/* Assert that zSql succeeds and returns exactly zExpect. */
static void hostExpect(sqlite3 *db, const char *zSql, const char *zExpect){
  char *zOut = 0;
  int rc = hostRun(db, zSql, &zOut);
  ck_assert_msg(rc==SQLITE_OK, "[%s]: rc=%d %s", zSql, rc, zOut);
  ck_assert_msg(strcmp(zOut, zExpect)==0, "[%s]: got [%s] want [%s]", zSql,
                zOut, zExpect);
  sqlite3_free(zOut);
}

/* Assert that zSql fails with an error message containing zPart. */
static void hostExpectErr(sqlite3 *db, const char *zSql, const char *zPart){
  char *zOut = 0;
  int rc = hostRun(db, zSql, &zOut);
  ck_assert_msg(rc!=SQLITE_OK, "[%s]: succeeded with [%s], want error [%s]",
                zSql, zOut, zPart);
  ck_assert_msg(strstr(zOut, zPart)!=0, "[%s]: error [%s] lacks [%s]", zSql,
                zOut, zPart);
  sqlite3_free(zOut);
}

/* A fresh temporary directory under $TMPDIR (or /tmp), into zOut. */
static void hostTempDir(char *zOut, size_t nOut, const char *zTag){
  const char *zTmp = getenv("TMPDIR");
  snprintf(zOut, nOut, "%s/hostile-%s-XXXXXX", zTmp && zTmp[0] ? zTmp : "/tmp",
           zTag);
  ck_assert_ptr_nonnull(mkdtemp(zOut));
}

static int rmOne(const char *zPath, const struct stat *pSt, int eFlag,
                 struct FTW *pFtw){
  (void)pSt; (void)eFlag; (void)pFtw;
  return remove(zPath);
}

/* Remove a directory tree (best effort). */
static void hostRemoveTree(const char *zDir){
  nftw(zDir, rmOne, 16, FTW_DEPTH|FTW_PHYS);
}

/* Write zText to zDir/zName (created or truncated). */
static void hostPlant(const char *zDir, const char *zName, const char *zText){
  char zPath[1024];
  FILE *f;
  snprintf(zPath, sizeof(zPath), "%s/%s", zDir, zName);
  f = fopen(zPath, "w");
  ck_assert_msg(f!=0, "cannot create %s", zPath);
  fputs(zText, f);
  ck_assert_int_eq(fclose(f), 0);
}

/* The content of zDir/zName as an sqlite3_malloc'd string, or NULL. */
static char *hostSlurp(const char *zDir, const char *zName){
  char zPath[1024], aBuf[4096];
  size_t n;
  FILE *f;
  snprintf(zPath, sizeof(zPath), "%s/%s", zDir, zName);
  f = fopen(zPath, "r");
  if( f==0 ) return 0;
  n = fread(aBuf, 1, sizeof(aBuf)-1, f);
  fclose(f);
  aBuf[n] = 0;
  return sqlite3_mprintf("%s", aBuf);
}

/* ------------------------------------------------------------------ H1 */

/*
** The H1 database in zDir/h1.db: an lsm table t with one row, a native
** table n, and the schema objects that reach t or its functions from a
** view or a trigger.
*/
static void h1Build(const char *zDir){
  char zDb[600];
  sqlite3 *db;
  snprintf(zDb, sizeof(zDb), "%s/h1.db", zDir);
  db = hostOpen(zDb, 0);
  hostExpect(db,
    "CREATE VIRTUAL TABLE t USING lsm(k PRIMARY KEY, v);"
    "INSERT INTO t VALUES(1, 'a');"
    "CREATE TABLE n(x);"
    "CREATE TABLE log(x);"
    "CREATE VIEW v AS SELECT * FROM t;"
    "CREATE VIEW vj AS SELECT n.x FROM n JOIN t ON t.k=n.x;"
    "CREATE VIEW fv_flush AS SELECT lsm_flush('t');"
    "CREATE VIEW fv_compact AS SELECT lsm_compact('t');"
    "CREATE VIEW fv_check AS SELECT lsm_check('t');"
    "CREATE VIEW fv_stats AS SELECT lsm_stats('t');"
    "CREATE TRIGGER tr_ins AFTER INSERT ON n BEGIN"
    "  INSERT INTO t VALUES(new.x, 'trig'); END;"
    "CREATE TRIGGER tr_sel AFTER UPDATE ON n BEGIN"
    "  INSERT INTO log SELECT k FROM t; END;"
    "CREATE TRIGGER tr_fn AFTER DELETE ON n BEGIN"
    "  INSERT INTO log VALUES(lsm_compact('t')); END;"
    "CREATE TABLE d(x DEFAULT (lsm_stats('t')), y);", "");
  sqlite3_close(db);
}

/*
** H1 under trusted_schema = _i: every indirect use is refused with
** "unsafe use of ...", nothing the refused statements would have written
** is there, and top-level use works.
*/
START_TEST(test_h1_matrix){
  char zDir[512], zDb[600];
  sqlite3 *db;
  char *zSql;
  hostTempDir(zDir, sizeof(zDir), "h1");
  h1Build(zDir);
  snprintf(zDb, sizeof(zDb), "%s/h1.db", zDir);
  db = hostOpen(zDb, 0);
  zSql = sqlite3_mprintf("PRAGMA trusted_schema=%d", _i);
  hostExpect(db, zSql, "");
  sqlite3_free(zSql);
  hostExpect(db, "PRAGMA trusted_schema", _i ? "1\n" : "0\n");
  hostExpectErr(db, "SELECT * FROM v", "unsafe use of virtual table \"t\"");
  hostExpectErr(db, "SELECT * FROM vj", "unsafe use of virtual table \"t\"");
  hostExpectErr(db, "SELECT * FROM fv_flush", "unsafe use of lsm_flush()");
  hostExpectErr(db, "SELECT * FROM fv_compact", "unsafe use of lsm_compact()");
  hostExpectErr(db, "SELECT * FROM fv_check", "unsafe use of lsm_check()");
  hostExpectErr(db, "SELECT * FROM fv_stats", "unsafe use of lsm_stats()");
  hostExpectErr(db, "INSERT INTO n VALUES(5)",
                "unsafe use of virtual table \"t\"");
  hostExpect(db, "INSERT INTO log VALUES(0); DROP TRIGGER tr_ins;"
                 "INSERT INTO n VALUES(5)", "");
  hostExpectErr(db, "UPDATE n SET x=6", "unsafe use of virtual table \"t\"");
  hostExpectErr(db, "DELETE FROM n", "unsafe use of lsm_compact()");
  hostExpectErr(db, "INSERT INTO d(y) VALUES(1)", "unsafe use of lsm_stats()");
  /* Nothing the refused statements would have done happened. */
  hostExpect(db, "SELECT group_concat(x) FROM log", "0\n");
  hostExpect(db, "SELECT count(*) FROM d", "0\n");
  /* Top-level use works. */
  hostExpect(db, "SELECT k, v FROM t", "1|a\n");
  hostExpect(db, "INSERT INTO t VALUES(2, 'b'); SELECT count(*) FROM t", "2\n");
  hostExpect(db, "SELECT lsm_flush('t'), lsm_compact('t'), lsm_check('t')",
             "ok|ok|ok\n");
  hostExpect(db, "SELECT json_extract(lsm_stats('t'), '$.puts')>=1", "1\n");
  hostExpect(db, "SELECT count(*) FROM t JOIN n ON t.k=n.x", "0\n");
  sqlite3_close(db);
  hostRemoveTree(zDir);
}
END_TEST

/*
** H1, the forms SQLite's parser refuses whatever the module does: a
** subquery (the only way to reach a table) or a non-deterministic function
** in a CHECK, DEFAULT, generated column, partial index or index
** expression.  Asserted with SQLite's exact messages.
*/
START_TEST(test_h1_parse_refusals){
  static const char *const az[][2] = {
    { "CREATE TABLE c1(x CHECK (x IN (SELECT k FROM t)))",
      "subqueries prohibited in CHECK constraints" },
    { "CREATE TABLE d1(x DEFAULT ((SELECT count(*) FROM t)))",
      "default value of column [x] is not constant" },
    { "CREATE TABLE g1(x, y AS ((SELECT count(*) FROM t)))",
      "subqueries prohibited in generated columns" },
    { "CREATE TABLE g2(x, y AS (lsm_stats('t')))",
      "non-deterministic functions prohibited in generated columns" },
    { "CREATE INDEX i1 ON n(x) WHERE x IN (SELECT k FROM t)",
      "subqueries prohibited in partial index WHERE clauses" },
    { "CREATE INDEX i2 ON n(x) WHERE lsm_check('t')='ok'",
      "non-deterministic functions prohibited in partial index WHERE" },
    { "CREATE INDEX i3 ON n(lsm_check('t'))",
      "non-deterministic functions prohibited in index expressions" },
    { "CREATE INDEX i4 ON t(v)", "virtual tables may not be indexed" },
  };
  char zDir[512], zDb[600];
  sqlite3 *db;
  size_t i;
  hostTempDir(zDir, sizeof(zDir), "h1p");
  h1Build(zDir);
  snprintf(zDb, sizeof(zDb), "%s/h1.db", zDir);
  db = hostOpen(zDb, 0);
  for(i=0; i<sizeof(az)/sizeof(az[0]); i++) hostExpectErr(db, az[i][0], az[i][1]);
  sqlite3_close(db);
  hostRemoveTree(zDir);
}
END_TEST

/* The number of files in zDir whose names end in zSuffix. */
static int hostCount(const char *zDir, const char *zSuffix){
  DIR *d = opendir(zDir);
  struct dirent *e;
  int n = 0;
  size_t nSuf = strlen(zSuffix);
  if( d==0 ) return -1;
  while( (e = readdir(d))!=0 ){
    size_t nName = strlen(e->d_name);
    if( nName>=nSuf && strcmp(&e->d_name[nName-nSuf], zSuffix)==0 ) n++;
  }
  closedir(d);
  return n;
}

/* The number of entries in zDir whose names start with zPrefix. */
static int hostCountPrefix(const char *zDir, const char *zPrefix){
  DIR *d = opendir(zDir);
  struct dirent *e;
  int n = 0;
  if( d==0 ) return -1;
  while( (e = readdir(d))!=0 ){
    if( strncmp(e->d_name, zPrefix, strlen(zPrefix))==0 ) n++;
  }
  closedir(d);
  return n;
}

/*
** H1, a DIRECTONLY function in a CHECK constraint of the schema (written
** by a hostile file; 3.40 also accepts it in CREATE TABLE).  Recorded
** behaviour, asserted per version: SQLite 3.40.x evaluates the CHECK and
** so RUNS lsm_flush() (an SQLite gap: DIRECTONLY is not enforced in CHECK
** constraints there; the flush stays confined to the table's checked
** store path); SQLite 3.53.x refuses the schema ("malformed database
** schema (c) - unsafe use of lsm_flush()").  Other versions: only printed.
*/
START_TEST(test_h1_check_function){
  int v = sqlite3_libversion_number();
  char zDir[512], zDb[600], zStore[700];
  sqlite3 *db;
  char *zOut = 0;
  int rc, nSst;
  hostTempDir(zDir, sizeof(zDir), "h1c");
  snprintf(zDb, sizeof(zDb), "%s/h1.db", zDir);
  snprintf(zStore, sizeof(zStore), "%s/h1.db-t.lsm", zDir);
  db = hostOpen(zDb, 0);
  hostExpect(db, "CREATE VIRTUAL TABLE t USING lsm(k PRIMARY KEY, v);"
                 "INSERT INTO t VALUES(1, 'a'); CREATE TABLE c(x);"
                 "PRAGMA writable_schema=1;"
                 "UPDATE sqlite_schema SET sql='CREATE TABLE c(x CHECK "
                 "(lsm_flush(''t'')=''ok''))' WHERE name='c'", "");
  sqlite3_close(db);
  ck_assert_int_eq(hostCount(zStore, ".sst"), 0);
  db = hostOpen(zDb, 0);
  hostExpect(db, "PRAGMA trusted_schema=0", "");
  rc = hostRun(db, "INSERT INTO c VALUES(1)", &zOut);
  nSst = hostCount(zStore, ".sst");
  if( v>=3040000 && v<3041000 ){
    ck_assert_msg(rc==SQLITE_OK && nSst==1, "3.40: rc=%d [%s] sst=%d", rc,
                  zOut, nSst);
  }else if( v>=3053000 ){
    ck_assert_msg(rc==SQLITE_CORRUPT && nSst==0, "rc=%d sst=%d", rc, nSst);
    ck_assert_str_eq(zOut, "malformed database schema (c) - unsafe use of "
                     "lsm_flush()");
  }else{
    printf("NOTE: SQLite %s, DIRECTONLY in a schema CHECK: rc=%d [%s], "
           "flush %s\n", sqlite3_libversion(), rc, zOut, nSst ? "ran" : "refused");
  }
  sqlite3_free(zOut);
  sqlite3_close(db);
  hostRemoveTree(zDir);
}
END_TEST

/* ------------------------------------------------------------------ H2 */

/*
** One hostile database file.  zArgs is the lsm(...) argument text of the
** CREATE VIRTUAL TABLE row written into sqlite_schema ("@" expands to the
** sandbox, "#10K" to a 10 KB name, "\x01" to a NUL byte).  zReason is the
** text every refusal of the table must contain.  bConnect: the arguments
** are valid and confined, so xConnect succeeds and the store is refused
** only on direct use (table_info works, DROP TABLE drops the table and
** deletes nothing).
*/
typedef struct H2Case H2Case;
struct H2Case {
  const char *zName;          /* Case name: root/<name>.db, markers */
  const char *zArgs;          /* lsm(...) arguments */
  const char *zReason;        /* Substring of every refusal */
  int bConnect;               /* xConnect accepts the arguments */
};

static const H2Case aH2[] = {
  { "abs",          "k PRIMARY KEY, v, path='@/outside/store'", "is absolute", 0 },
  { "abs_file",     "k PRIMARY KEY, v, path='@/outside/canary'", "is absolute", 0 },
  { "abs_root",     "k PRIMARY KEY, v, path='@/root/sub'", "is absolute", 0 },
  { "dotdot",       "k PRIMARY KEY, v, path='../outside/store'",
                    "has a \"..\" component", 0 },
  { "dotdot_mid",   "k PRIMARY KEY, v, path='sub/../../outside'",
                    "has a \"..\" component", 0 },
  { "link",         "k PRIMARY KEY, v, path='link/store'", "is a symbolic link", 0 },
  { "link_last",    "k PRIMARY KEY, v, path='link'", "is a symbolic link", 0 },
  { "default_link", "k PRIMARY KEY, v", "is a symbolic link", 0 },
  { "regfile",      "k PRIMARY KEY, v, path='regfile'",
                    "exists and is not a directory", 0 },
  { "foreign_abs",  "k PRIMARY KEY, v, path='@/foreign'", "is absolute", 0 },
  { "foreign_in",   "k PRIMARY KEY, v, path='foreign'", "not an lsmvtab store", 1 },
  { "foreign_id_in", "k PRIMARY KEY, v, path='foreign_id'", "IDENTITY", 1 },
  { "store_abs",    "k PRIMARY KEY, v, path='@/otherstore'", "is absolute", 0 },
  { "store_dotdot", "k PRIMARY KEY, v, path='../otherstore'",
                    "has a \"..\" component", 0 },
  { "store_link",   "k PRIMARY KEY, v, path='storelink'", "is a symbolic link", 0 },
  { "empty",        "k PRIMARY KEY, v, path=''", "empty path", 0 },
  { "nul",          "k PRIMARY KEY, v, path='sub\x01/../../outside'",
                    "malformed database schema", 0 },
  { "long",         "k PRIMARY KEY, v, path='#10K'", "longer than 512 bytes", 0 },
  { "memtable",     "k PRIMARY KEY, v, memtable_size=1e15",
                    "option memtable_size", 0 },
  { "threads",      "k PRIMARY KEY, v, threads=100000",
                    "unknown option \"threads\"", 0 },
};
#define N_H2 ((int)(sizeof(aH2)/sizeof(aH2[0])))

/* The steps of a case, in order (names used in the markers). */
static const char *const azStep[] = {
  "open", "schema", "integrity", "tableinfo", "view", "select", "insert", "drop"
};
#define N_STEP 8

/* Expand zArgs's markers into (*pn bytes of) an sqlite3_malloc'd string. */
static char *h2Expand(const char *zSandbox, const char *zArgs, int *pn){
  sqlite3_str *p = sqlite3_str_new(0);
  const char *z;
  char *zOut;
  for(z=zArgs; *z; z++){
    if( *z=='@' ){
      sqlite3_str_appendall(p, zSandbox);
    }else if( strncmp(z, "#10K", 4)==0 ){
      sqlite3_str_appendchar(p, 10240, 'a');
      z += 3;
    }else{
      sqlite3_str_appendchar(p, 1, *z=='\x01' ? 'X' : *z);
    }
  }
  *pn = sqlite3_str_length(p);
  zOut = sqlite3_str_finish(p);
  for(z=zArgs; *z && zOut; z++){         /* the NUL goes in after the fact */
    if( *z=='\x01' ) *strchr(zOut, 'X') = 0;
  }
  return zOut;
}

/* Create zSandbox/zRel as a directory, a file (zText), or a symlink. */
static void h2Mkdir(const char *zSandbox, const char *zRel){
  char z[1024];
  snprintf(z, sizeof(z), "%s/%s", zSandbox, zRel);
  ck_assert_msg(mkdir(z, 0755)==0, "mkdir %s: %s", z, strerror(errno));
}
static void h2Link(const char *zSandbox, const char *zRel, const char *zTo){
  char z[1024], zT[1024];
  snprintf(z, sizeof(z), "%s/%s", zSandbox, zRel);
  snprintf(zT, sizeof(zT), "%s/%s", zSandbox, zTo);
  ck_assert_msg(symlink(zT, z)==0, "symlink %s: %s", z, strerror(errno));
}

/* Fill zDir with canary files named like a store's. */
static void h2Canaries(const char *zDir, int bIdentity){
  hostPlant(zDir, "000001.sst", "canary sst\n");
  hostPlant(zDir, "000002.log", "canary log\n");
  hostPlant(zDir, "MANIFEST-000001", "canary manifest\n");
  hostPlant(zDir, "CURRENT", "MANIFEST-000001\n");
  hostPlant(zDir, "LOG", "canary LOG\n");
  if( bIdentity ) hostPlant(zDir, "IDENTITY", "canary identity\n");
}

/* A valid store with one key at zDir, made through the engine's API. */
static void h2Store(const char *zDir){
  lsmc_db *pDb = 0;
  ck_assert_int_eq(lsmc_open(zDir, 0, &pDb), LSMC_OK);
  ck_assert_int_eq(lsmc_put(pDb, "key", 3, "value", 5), LSMC_OK);
  lsmc_close(pDb);
}

/*
** Write the hostile database root/<case>.db: a native table, the lsm
** table x with the case's arguments and a view vx over it, all as rows of
** sqlite_schema.  No module is registered here.
*/
static void h2WriteDb(const char *zSandbox, const H2Case *pCase){
  char zDb[1024];
  sqlite3 *db = 0;
  sqlite3_stmt *pStmt = 0;
  char *zArgs, *zSql;
  int nArgs, nSql;
  snprintf(zDb, sizeof(zDb), "%s/root/%s.db", zSandbox, pCase->zName);
  ck_assert_int_eq(sqlite3_open(zDb, &db), SQLITE_OK);
  hostExpect(db, "CREATE TABLE n(a); PRAGMA writable_schema=1", "");
  zArgs = h2Expand(zSandbox, pCase->zArgs, &nArgs);
  ck_assert_ptr_nonnull(zArgs);
  /* Build the CREATE text by hand: zArgs may hold a NUL. */
  nSql = nArgs + 100;
  zSql = sqlite3_malloc(nSql);
  ck_assert_ptr_nonnull(zSql);
  nSql = snprintf(zSql, (size_t)nSql, "CREATE VIRTUAL TABLE x USING lsm(");
  memcpy(&zSql[nSql], zArgs, (size_t)nArgs);
  nSql += nArgs;
  memcpy(&zSql[nSql], ")", 2);
  nSql += 1;
  ck_assert_int_eq(sqlite3_prepare_v2(db, "INSERT INTO sqlite_schema "
                   "VALUES('table', 'x', 'x', 0, ?1)", -1, &pStmt, 0), SQLITE_OK);
  sqlite3_bind_text(pStmt, 1, zSql, nSql, SQLITE_TRANSIENT);
  ck_assert_int_eq(sqlite3_step(pStmt), SQLITE_DONE);
  sqlite3_finalize(pStmt);
  hostExpect(db, "INSERT INTO sqlite_schema VALUES('view', 'vx', 'vx', 0,"
                 " 'CREATE VIEW vx AS SELECT * FROM x')", "");
  sqlite3_close(db);
  sqlite3_free(zArgs);
  sqlite3_free(zSql);
}

/*
** Build the H2 sandbox in the existing empty directory zSandbox:
**   root/            the database directory (the allowed root): the case
**                    databases; sub/; regfile; link -> outside;
**                    storelink -> otherstore; foreign/ (canaries named like
**                    ours, no IDENTITY); foreign_id/ (the same with a
**                    garbage IDENTITY); default_link.db-x.lsm -> outside
**   outside/         canary, store/ (empty)
**   foreign/         canaries named like ours, with a garbage IDENTITY
**   otherstore/      a valid store holding one key
*/
static void h2Setup(const char *zSandbox){
  char z[1024];
  int i;
  h2Mkdir(zSandbox, "root");
  h2Mkdir(zSandbox, "root/sub");
  h2Mkdir(zSandbox, "root/foreign");
  h2Mkdir(zSandbox, "root/foreign_id");
  h2Mkdir(zSandbox, "outside");
  h2Mkdir(zSandbox, "outside/store");
  h2Mkdir(zSandbox, "foreign");
  snprintf(z, sizeof(z), "%s/root", zSandbox);
  hostPlant(z, "regfile", "a regular file\n");
  snprintf(z, sizeof(z), "%s/root/foreign", zSandbox);
  h2Canaries(z, 0);
  snprintf(z, sizeof(z), "%s/root/foreign_id", zSandbox);
  h2Canaries(z, 1);
  snprintf(z, sizeof(z), "%s/outside", zSandbox);
  hostPlant(z, "canary", "outside canary\n");
  snprintf(z, sizeof(z), "%s/foreign", zSandbox);
  h2Canaries(z, 1);
  snprintf(z, sizeof(z), "%s/otherstore", zSandbox);
  h2Store(z);
  h2Link(zSandbox, "root/link", "outside");
  h2Link(zSandbox, "root/storelink", "otherstore");
  h2Link(zSandbox, "root/default_link.db-x.lsm", "outside");
  for(i=0; i<N_H2; i++) h2WriteDb(zSandbox, &aH2[i]);
}

/* Print a marker: an open() of a path that cannot exist, for strace. */
static void h2Mark(const char *zCase, const char *zStep){
  char z[256];
  int fd;
  snprintf(z, sizeof(z), "/nonexistent/MARK-%s-%s", zCase, zStep);
  fd = open(z, O_RDONLY);
  if( fd>=0 ) close(fd);
}

/*
** Judge step iStep's outcome (rc, message zOut) for pCase; return 1 if it
** passes.  A step that fails must name the case's reason (the view may
** instead say "unsafe use"); steps that must fail: the view, the direct
** SELECT and INSERT, and (unless bConnect) table_info and DROP TABLE.
*/
static int h2Judge(const H2Case *p, int iStep, int rc, const char *zOut){
  int bNamed = strstr(zOut, p->zReason)!=0;
  switch( iStep ){
    case 1: case 2:      /* sqlite_schema, integrity_check: ok or named */
      return rc==SQLITE_OK || bNamed;
    case 3:              /* table_info */
      return p->bConnect ? rc==SQLITE_OK : (rc!=SQLITE_OK && bNamed);
    case 4:              /* the view */
      return rc!=SQLITE_OK
          && (bNamed || strstr(zOut, "unsafe use of virtual table \"x\""));
    case 5: case 6:      /* direct SELECT, INSERT */
      return rc!=SQLITE_OK && bNamed;
    default:             /* DROP TABLE */
      return p->bConnect ? rc==SQLITE_OK : (rc!=SQLITE_OK && bNamed);
  }
}

/*
** Run every case on the sandbox zSandbox (built by h2Setup), printing one
** line per step ("<case> <step> rc=<rc> ok|FAIL: <message>") if bVerbose.
** Returns the number of failed steps.
*/
static int h2Run(const char *zSandbox, int bVerbose){
  static const char *const azSql[] = {
    0, "SELECT type, name FROM sqlite_schema", "PRAGMA integrity_check",
    "PRAGMA table_info(x)", "SELECT * FROM vx", "SELECT * FROM x",
    "INSERT INTO x VALUES(1, 'v')", "DROP TABLE x"
  };
  int nFail = 0;
  int i, iStep;
  for(i=0; i<N_H2; i++){
    const H2Case *p = &aH2[i];
    char zDb[1024];
    sqlite3 *db = 0;
    snprintf(zDb, sizeof(zDb), "%s/root/%s.db", zSandbox, p->zName);
    for(iStep=0; iStep<N_STEP; iStep++){
      char *zOut = 0;
      int rc, bOk;
      h2Mark(p->zName, azStep[iStep]);
      if( iStep==0 ){
        rc = sqlite3_open_v2(zDb, &db, SQLITE_OPEN_READWRITE, 0);
        if( rc==SQLITE_OK ) rc = lsmvtabRegister(db, 0, 0);
        zOut = sqlite3_mprintf("%s", sqlite3_errmsg(db));
        bOk = rc==SQLITE_OK;
      }else{
        rc = hostRun(db, azSql[iStep], &zOut);
        bOk = h2Judge(p, iStep, rc, zOut);
      }
      if( !bOk ) nFail++;
      if( bVerbose || !bOk ){
        printf("%s %s rc=%d %s: %.200s\n", p->zName, azStep[iStep], rc,
               bOk ? "ok" : "FAIL", zOut);
      }
      sqlite3_free(zOut);
    }
    h2Mark(p->zName, "close");
    sqlite3_close(db);
  }
  h2Mark("all", "done");
  return nFail;
}

/* ---- snapshot of the sandbox ---- */

static sqlite3_str *pSnap;     /* nftw accumulator (one test at a time) */
static size_t nSnapRoot;       /* strlen of the sandbox path */

/* True if zRel (relative to the sandbox) is a case database or journal. */
static int snapIsDb(const char *zRel){
  size_t n = strlen(zRel);
  if( strncmp(zRel, "root/", 5)!=0 || strchr(zRel+5, '/') ) return 0;
  return (n>3 && strcmp(&zRel[n-3], ".db")==0)
      || (n>11 && strcmp(&zRel[n-11], ".db-journal")==0);
}

static int snapOne(const char *zPath, const struct stat *pSt, int eFlag,
                   struct FTW *pFtw){
  const char *zRel = zPath[nSnapRoot] ? &zPath[nSnapRoot+1] : ".";
  XXH128_hash_t h;
  (void)eFlag; (void)pFtw;
  if( snapIsDb(zRel) ) return 0;
  if( strcmp(zRel, "root")==0 ){
    /* The database directory: SQLite's journals come and go in it. */
    sqlite3_str_appendf(pSnap, "root %o %llu\n", (unsigned)pSt->st_mode,
                        (unsigned long long)pSt->st_ino);
    return 0;
  }
  memset(&h, 0, sizeof(h));
  if( S_ISREG(pSt->st_mode) ){
    FILE *f = fopen(zPath, "rb");
    char aBuf[8192];
    size_t n;
    XXH3_state_t *pState = XXH3_createState();
    XXH3_128bits_reset(pState);
    while( f && (n = fread(aBuf, 1, sizeof(aBuf), f))>0 ){
      XXH3_128bits_update(pState, aBuf, n);
    }
    if( f ) fclose(f);
    h = XXH3_128bits_digest(pState);
    XXH3_freeState(pState);
  }else if( S_ISLNK(pSt->st_mode) ){
    char zTo[1024];
    ssize_t n = readlink(zPath, zTo, sizeof(zTo));
    h = XXH3_128bits(zTo, n>0 ? (size_t)n : 0);
  }
  sqlite3_str_appendf(pSnap, "%s %o %lld %lld.%09ld %llu %016llx%016llx\n",
      zRel, (unsigned)pSt->st_mode, (long long)pSt->st_size,
      (long long)pSt->st_mtim.tv_sec, pSt->st_mtim.tv_nsec,
      (unsigned long long)pSt->st_ino, (unsigned long long)h.high64,
      (unsigned long long)h.low64);
  return 0;
}

/* The sandbox except the case databases: one line per entry. */
static char *h2Snapshot(const char *zSandbox){
  pSnap = sqlite3_str_new(0);
  nSnapRoot = strlen(zSandbox);
  ck_assert_int_eq(nftw(zSandbox, snapOne, 16, FTW_PHYS), 0);
  return sqlite3_str_finish(pSnap);
}

/* Keep a failed sandbox for the record; print where. */
static void h2KeepSandbox(const char *zSandbox){
  const char *zRes = getenv("LSMV_RESULTS_DIR");
  char *zDir = sqlite3_mprintf("%s/check_hostile",
                               zRes && zRes[0] ? zRes : "test-results");
  char *zCmd = sqlite3_mprintf("mkdir -p '%s' && cp -a '%s' '%s/'", zDir,
                               zSandbox, zDir);
  if( zCmd && system(zCmd)==0 ){
    printf("H2 sandbox kept in %s/%s\n", zDir, strrchr(zSandbox, '/')+1);
  }
  sqlite3_free(zDir);
  sqlite3_free(zCmd);
}

/*
** H2 in process: build the sandbox, snapshot it, run every case, snapshot
** again.  Pass: no failed step and identical snapshots (everything but the
** case databases, i.e. also the foreign directory inside the root).
*/
START_TEST(test_h2_inert){
  char zSandbox[512];
  char *zBefore, *zAfter;
  int nFail;
  hostTempDir(zSandbox, sizeof(zSandbox), "h2");
  h2Setup(zSandbox);
  zBefore = h2Snapshot(zSandbox);
  ck_assert_ptr_nonnull(strstr(zBefore, "otherstore/IDENTITY "));
  ck_assert_ptr_nonnull(strstr(zBefore, "root/foreign/000001.sst "));
  nFail = h2Run(zSandbox, 0);
  zAfter = h2Snapshot(zSandbox);
  if( nFail || strcmp(zBefore, zAfter) ){
    h2KeepSandbox(zSandbox);
    if( strcmp(zBefore, zAfter) ){
      printf("before:\n%s\nafter:\n%s\n", zBefore, zAfter);
    }
  }
  ck_assert_msg(nFail==0, "%d H2 steps failed (lines above)", nFail);
  ck_assert_msg(strcmp(zBefore, zAfter)==0, "the sandbox changed");
  sqlite3_free(zBefore);
  sqlite3_free(zAfter);
  hostRemoveTree(zSandbox);
}
END_TEST

/* ------------------------------------------------------------------ H4 */

/* The planted files of H4: names of our pattern numbered far above the
** store's counter, and names of no pattern of ours. */
static const char *const azPlant[] = {
  "900000.sst", "900001.log", "MANIFEST-900002", "900003.tmp",
  "LOG", "notes.txt", "000001.sst.bak", "CURRENT.old", "IDENTITY~",
};
#define N_PLANT ((int)(sizeof(azPlant)/sizeof(azPlant[0])))

/* Plant azPlant[] in zStore, each holding "planted <name>\n". */
static void h4Plant(const char *zStore){
  int i;
  for(i=0; i<N_PLANT; i++){
    char zText[64];
    snprintf(zText, sizeof(zText), "planted %s\n", azPlant[i]);
    hostPlant(zStore, azPlant[i], zText);
  }
}

/* Assert that every planted file is there with its bytes. */
static void h4CheckPlanted(const char *zStore, const char *zWhen){
  int i;
  for(i=0; i<N_PLANT; i++){
    char zText[64];
    char *z = hostSlurp(zStore, azPlant[i]);
    snprintf(zText, sizeof(zText), "planted %s\n", azPlant[i]);
    ck_assert_msg(z!=0, "%s: planted %s was deleted", zWhen, azPlant[i]);
    ck_assert_msg(strcmp(z, zText)==0, "%s: planted %s was changed", zWhen,
                  azPlant[i]);
    sqlite3_free(z);
  }
}

/* Rows [iFirst, iFirst+n) with 200-byte values: several 4 KB memtables. */
static void h4Write(sqlite3 *db, int iFirst, int n){
  char *zSql = sqlite3_mprintf(
      "WITH RECURSIVE s(i) AS (SELECT %d UNION ALL SELECT i+1 FROM s "
      "WHERE i<%d) INSERT OR REPLACE INTO t SELECT i, randomblob(200) FROM s",
      iFirst, iFirst+n-1);
  hostExpect(db, zSql, "");
  sqlite3_free(zSql);
}

/*
** The H4 scenario on a fresh database; bPlant: plant the files;
** bReopen: reconnect (so the engine reopens the store) after planting and
** between the rounds.
*/
static void h4Scenario(int bPlant, int bReopen){
  char zDir[512], zDb[600], zStore[700];
  sqlite3 *db;
  struct stat st;
  int iRound;
  hostTempDir(zDir, sizeof(zDir), "h4");
  snprintf(zDb, sizeof(zDb), "%s/h4.db", zDir);
  snprintf(zStore, sizeof(zStore), "%s/store", zDir);
  db = hostOpen(zDb, 0);
  hostExpect(db, "CREATE VIRTUAL TABLE t USING lsm(k INTEGER PRIMARY KEY, v,"
                 " memtable_size='4K', path=store)", "");
  h4Write(db, 0, 50);
  hostExpect(db, "SELECT lsm_flush('t')", "ok\n");
  if( bPlant ) h4Plant(zStore);
  for(iRound=0; iRound<3; iRound++){
    if( bReopen ){
      sqlite3_close(db);
      db = hostOpen(zDb, 0);
    }
    h4Write(db, iRound*40, 120);
    hostExpect(db, "SELECT lsm_flush('t'), lsm_compact('t'),"
                   " substr(lsm_check('t'), 1, 2)", "ok|ok|ok\n");
    hostExpect(db, "SELECT count(*) FROM t", iRound==0 ? "120\n"
                                           : iRound==1 ? "160\n" : "200\n");
    if( bPlant ) h4CheckPlanted(zStore, "after compaction");
  }
  hostExpect(db, "DROP TABLE t", "");
  if( bPlant ){
    h4CheckPlanted(zStore, "after DROP TABLE");
    ck_assert_int_eq(hostCount(zStore, ""), N_PLANT + 2);  /* . and .. */
    ck_assert_int_eq(hostCount(zStore, "IDENTITY"), 0);
  }else{
    ck_assert_msg(stat(zStore, &st)!=0 && errno==ENOENT,
                  "the empty store directory was left behind");
  }
  sqlite3_close(db);
  hostRemoveTree(zDir);
}

/* H4 in one connection, with (_i=1) and without (_i=0) planted files. */
START_TEST(test_h4_gc){
  h4Scenario(_i, 0);
}
END_TEST

/*
** H4 across reconnects.  KNOWN BUG (lsmcore/db.c dbRecover, reported):
** at the first reopen the engine replays the planted 900001.log as a WAL
** and deletes it, and moves NEXT_FILE past the planted numbers, so the
** next open (or DROP TABLE) treats them as its own orphans and deletes
** them.  Run only with LSMV_TEST_KNOWN_BUGS=1 until the ownership rule
** is fixed.
*/
START_TEST(test_h4_reopen){
  const char *z = getenv("LSMV_TEST_KNOWN_BUGS");
  if( z==0 || strcmp(z, "1")!=0 ){
    printf("SKIP: test_h4_reopen (known bug; LSMV_TEST_KNOWN_BUGS=1 runs it)\n");
    return;
  }
  h4Scenario(_i, 1);
}
END_TEST

/* ------------------------------------------------------------------ H5 */

/*
** An env over the default one that measures the engine's memory: each
** block carries a 16-byte header with its size.  Counters are atomic (the
** background thread allocates too).
*/
typedef struct MemEnv MemEnv;
struct MemEnv {
  lsmc_env base;              /* Must be first: the engine's env */
  size_t nLive;               /* Bytes allocated and not freed */
  size_t nPeak;               /* Largest nLive seen */
  size_t nMaxReq;             /* Largest single request */
  size_t nCalls;              /* Allocation calls */
};
#define MEM_HDR 16

static void memNote(MemEnv *p, size_t nAdd, size_t nSub, size_t nReq){
  size_t nLive = __atomic_add_fetch(&p->nLive, nAdd, __ATOMIC_SEQ_CST);
  size_t nOld;
  nLive = __atomic_sub_fetch(&p->nLive, nSub, __ATOMIC_SEQ_CST);
  nOld = __atomic_load_n(&p->nPeak, __ATOMIC_SEQ_CST);
  while( nLive+nSub>nOld && !__atomic_compare_exchange_n(&p->nPeak, &nOld,
         nLive+nSub, 0, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST) ){}
  nOld = __atomic_load_n(&p->nMaxReq, __ATOMIC_SEQ_CST);
  while( nReq>nOld && !__atomic_compare_exchange_n(&p->nMaxReq, &nOld, nReq,
         0, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST) ){}
  __atomic_add_fetch(&p->nCalls, 1, __ATOMIC_SEQ_CST);
}

static void *memMalloc(lsmc_env *pEnv, size_t n){
  char *p = malloc(n + MEM_HDR);
  if( p==0 ) return 0;
  memcpy(p, &n, sizeof(n));
  memNote((MemEnv*)pEnv, n, 0, n);
  return p + MEM_HDR;
}

static void memFree(lsmc_env *pEnv, void *pArg){
  size_t n;
  char *p = (char*)pArg;
  if( p==0 ) return;
  memcpy(&n, p - MEM_HDR, sizeof(n));
  __atomic_sub_fetch(&((MemEnv*)pEnv)->nLive, n, __ATOMIC_SEQ_CST);
  free(p - MEM_HDR);
}

static void *memRealloc(lsmc_env *pEnv, void *pArg, size_t n){
  size_t nOld = 0;
  char *p = (char*)pArg;
  char *pNew;
  if( p==0 ) return memMalloc(pEnv, n);
  memcpy(&nOld, p - MEM_HDR, sizeof(nOld));
  pNew = realloc(p - MEM_HDR, n + MEM_HDR);
  if( pNew==0 ) return 0;
  memcpy(pNew, &n, sizeof(n));
  memNote((MemEnv*)pEnv, n, nOld, n);
  return pNew + MEM_HDR;
}

static void memEnvInit(MemEnv *p){
  memset(p, 0, sizeof(*p));
  p->base = *lsmc_default_env();
  p->base.xMalloc = memMalloc;
  p->base.xRealloc = memRealloc;
  p->base.xFree = memFree;
}

/* Resident set size of the process in bytes (/proc/self/statm). */
static long long hostRss(void){
  long long nPages = 0, nRes = 0;
  FILE *f = fopen("/proc/self/statm", "r");
  if( f ){
    if( fscanf(f, "%lld %lld", &nPages, &nRes)!=2 ) nRes = 0;
    fclose(f);
  }
  return nRes * sysconf(_SC_PAGESIZE);
}

/*
** H5 at SQL level: every out-of-bounds CREATE fails with a message naming
** the option and its bound; the engine is not called (no allocation, no
** store directory).
*/
START_TEST(test_h5_create_refused){
  static const char *const az[][2] = {
    { "memtable_size=1e15", "bad value for option memtable_size: \"1e15\"" },
    { "memtable_size=1000000000000000",
      "option memtable_size=1000000000000000 is out of range [4K, 1G]" },
    { "memtable_size='1048576G'", "option memtable_size=1048576G is out of range [4K, 1G]" },
    { "memtable_size=-1", "bad value for option memtable_size: \"-1\"" },
    { "memtable_size=18446744073709551617",
      "option memtable_size=18446744073709551617 is out of range [4K, 1G]" },
    { "memtable_size='99999999999999999999G'",
      "option memtable_size=99999999999999999999G is out of range [4K, 1G]" },
    { "threads=100000", "unknown option \"threads\"" },
    { "block_size=0", "option block_size=0 is out of range [256, 1M]" },
    { "block_size=-4096", "bad value for option block_size: \"-4096\"" },
    { "block_size='4294967296K'", "option block_size=4294967296K is out of range [256, 1M]" },
    { "bloom_bits=4294967306", "option bloom_bits=4294967306 is out of range [0, 32]" },
    { "bloom_bits=-1", "bad value for option bloom_bits: \"-1\"" },
    { "cache_size='65G'", "option cache_size=65G is out of range [0, 64G]" },
    { "cache_size=9223372036854775807",
      "option cache_size=9223372036854775807 is out of range [0, 64G]" },
    { "compaction=fifo, fifo_max_size=9223372036854775808",
      "option fifo_max_size=9223372036854775808 is out of range [64K, 2^50]" },
    { "no_such_option=1", "unknown option \"no_such_option\"" },
    { "sync=paranoid", "bad value for option sync: \"paranoid\"" },
  };
  char zDir[512], zDb[600];
  MemEnv mem;
  sqlite3 *db;
  size_t i;
  memEnvInit(&mem);
  hostTempDir(zDir, sizeof(zDir), "h5");
  snprintf(zDb, sizeof(zDb), "%s/h5.db", zDir);
  db = hostOpen(zDb, &mem.base);
  for(i=0; i<sizeof(az)/sizeof(az[0]); i++){
    char *zSql = sqlite3_mprintf("CREATE VIRTUAL TABLE x USING lsm(k, v, %s)",
                                 az[i][0]);
    sqlite3_int64 nCur = 0, nHigh = 0, nBase;
    sqlite3_status64(SQLITE_STATUS_MEMORY_USED, &nCur, &nHigh, 1);
    nBase = nCur;
    hostExpectErr(db, zSql, az[i][1]);
    sqlite3_status64(SQLITE_STATUS_MEMORY_USED, &nCur, &nHigh, 0);
    ck_assert_msg(nHigh - nBase < (1<<20), "%s: SQLite memory peaked %lld "
                  "bytes above its base", az[i][0], (long long)(nHigh-nBase));
    sqlite3_free(zSql);
  }
  ck_assert_int_eq(mem.nCalls, 0);
  ck_assert_int_eq(hostCount(zDir, ".lsm"), 0);
  sqlite3_close(db);
  hostRemoveTree(zDir);
}
END_TEST

/*
** H5: a table at every maximum (1G memtable, 1M blocks, 64G cache, 32
** bloom bits) written with 2,000 rows, flushed and compacted: the engine's
** live memory peaks below 32 MiB, no single request exceeds 4 MiB, and
** the process grows by less than 128 MiB -- nothing is sized by the caps
** up front.
*/
START_TEST(test_h5_caps_lazy){
  char zDir[512], zDb[600];
  MemEnv mem;
  sqlite3 *db;
  long long nRss0, nRss1;
  memEnvInit(&mem);
  hostTempDir(zDir, sizeof(zDir), "h5c");
  snprintf(zDb, sizeof(zDb), "%s/h5.db", zDir);
  nRss0 = hostRss();
  db = hostOpen(zDb, &mem.base);
  hostExpect(db, "CREATE VIRTUAL TABLE t USING lsm(k INTEGER PRIMARY KEY, v,"
                 " memtable_size='1G', block_size='1M', cache_size='64G',"
                 " bloom_bits=32)", "");
  hostExpect(db, "WITH RECURSIVE s(i) AS (SELECT 1 UNION ALL SELECT i+1 FROM s"
                 " WHERE i<2000) INSERT INTO t SELECT i, randomblob(100) FROM s",
                 "");
  hostExpect(db, "SELECT lsm_flush('t'), lsm_compact('t'), count(*) FROM t",
             "ok|ok|2000\n");
  nRss1 = hostRss();
  ck_assert_msg(mem.nPeak < ((size_t)32<<20), "engine peak %zu", mem.nPeak);
  ck_assert_msg(mem.nMaxReq <= ((size_t)4<<20), "largest request %zu",
                mem.nMaxReq);
  ck_assert_msg(nRss1 - nRss0 < (128LL<<20), "RSS grew by %lld",
                nRss1 - nRss0);
  hostExpect(db, "DROP TABLE t", "");
  sqlite3_close(db);
  hostRemoveTree(zDir);
}
END_TEST

/* ------------------------------------------------------- H3 at SQL level */

/*
** In-memory, temp and attached "" databases: no path= gives a private
** temporary store under $TMPDIR named lsmvtab-XXXXXX, removed when the
** connection closes; path= is refused (no directory to confine it to).
*/
START_TEST(test_h3_memory){
  char zTmp[512], zOld[600];
  const char *zEnvTmp = getenv("TMPDIR");
  sqlite3 *db;
  hostTempDir(zTmp, sizeof(zTmp), "h3");
  snprintf(zOld, sizeof(zOld), "%s", zEnvTmp ? zEnvTmp : "");
  setenv("TMPDIR", zTmp, 1);
  db = hostOpen(":memory:", 0);
  hostExpect(db, "ATTACH '' AS tmpdb", "");
  hostExpectErr(db, "CREATE VIRTUAL TABLE p USING lsm(k, path=store)",
                "an in-memory or temporary database has no directory");
  hostExpectErr(db, "CREATE VIRTUAL TABLE temp.p USING lsm(k, path='a/b')",
                "an in-memory or temporary database has no directory");
  hostExpectErr(db, "CREATE VIRTUAL TABLE tmpdb.p USING lsm(k, path='/tmp/x')",
                "is absolute");
  ck_assert_int_eq(hostCount(zTmp, ""), 2);
  hostExpect(db, "CREATE VIRTUAL TABLE m USING lsm(k PRIMARY KEY, v);"
                 "CREATE VIRTUAL TABLE temp.tt USING lsm(k PRIMARY KEY, v);"
                 "CREATE VIRTUAL TABLE tmpdb.a USING lsm(k PRIMARY KEY, v);"
                 "INSERT INTO m VALUES(1, 'm'); INSERT INTO tt VALUES(2, 't');"
                 "INSERT INTO a VALUES(3, 'a');"
                 "SELECT (SELECT v FROM m)||(SELECT v FROM tt)||(SELECT v FROM a)",
             "mta\n");
  ck_assert_int_eq(hostCount(zTmp, ""), 2 + 3);
  ck_assert_int_eq(hostCountPrefix(zTmp, "lsmvtab-"), 3);
  sqlite3_close(db);
  ck_assert_int_eq(hostCount(zTmp, ""), 2);
  if( zEnvTmp ) setenv("TMPDIR", zOld, 1); else unsetenv("TMPDIR");
  hostRemoveTree(zTmp);
}
END_TEST

/* ---------------------------------------------------------------- main */

/* The sandbox directory of --h2-setup (driver mode only). */
static const char *zSetupDir;

/* Driver mode: build the sandbox (inside a runner: it uses ck_assert). */
START_TEST(test_h2_setup_only){
  h2Setup(zSetupDir);
}
END_TEST

static Suite *hostileSuite(void){
  Suite *s = suite_create("hostile");
  TCase *tc = tcase_create("h1");
  tcase_add_loop_test(tc, test_h1_matrix, 0, 2);
  tcase_add_test(tc, test_h1_parse_refusals);
  tcase_add_test(tc, test_h1_check_function);
  suite_add_tcase(s, tc);
  tc = tcase_create("h2");
  tcase_set_timeout(tc, 60);
  tcase_add_test(tc, test_h2_inert);
  suite_add_tcase(s, tc);
  tc = tcase_create("h4");
  tcase_set_timeout(tc, 60);
  tcase_add_loop_test(tc, test_h4_gc, 0, 2);
  tcase_add_loop_test(tc, test_h4_reopen, 0, 2);
  suite_add_tcase(s, tc);
  tc = tcase_create("h5");
  tcase_set_timeout(tc, 60);
  tcase_add_test(tc, test_h5_create_refused);
  tcase_add_test(tc, test_h5_caps_lazy);
  tcase_add_test(tc, test_h3_memory);
  suite_add_tcase(s, tc);
  return s;
}

/*
** Driver modes for test/hostile_strace.sh (see the header comment), else
** the Check suite.
*/
int main(int argc, char **argv){
  SRunner *sr;
  int nFail;
  if( argc==3 && strcmp(argv[1], "--h2-setup")==0 ){
    Suite *s = suite_create("h2-setup");
    TCase *tc = tcase_create("setup");
    zSetupDir = argv[2];
    tcase_add_test(tc, test_h2_setup_only);
    suite_add_tcase(s, tc);
    sr = srunner_create(s);
    srunner_set_fork_status(sr, CK_NOFORK);
    srunner_run_all(sr, CK_SILENT);
    nFail = srunner_ntests_failed(sr);
    srunner_free(sr);
    if( nFail ) fprintf(stderr, "--h2-setup %s failed\n", argv[2]);
    return nFail ? 1 : 0;
  }
  if( argc==3 && strcmp(argv[1], "--h2-run")==0 ){
    printf("SQLite %s\n", sqlite3_libversion());
    nFail = h2Run(argv[2], 1);
    printf("%d passed, %d failed\n", N_H2*N_STEP - nFail, nFail);
    return nFail ? 1 : 0;
  }
  sr = srunner_create(hostileSuite());
  srunner_run_all(sr, CK_NORMAL);
  nFail = srunner_ntests_failed(sr);
  srunner_free(sr);
  return nFail ? 1 : 0;
}
