/*
** check_schema.c -- unit tests of ext/schema.c: the arguments of CREATE
** VIRTUAL TABLE ... USING lsm(...).
**
** Covered: a table of CREATE argument lists (aCase), each run through a
** real "CREATE VIRTUAL TABLE t USING probe(...)" so that SQLite itself
** splits the arguments; the probe module's xCreate calls lsmvSchemaParse,
** then declares lsmvSchemaDeclare's text with sqlite3_declare_vtab.  A
** valid case must give an exact summary of the parsed schema, be accepted
** by sqlite3_declare_vtab, and show in PRAGMA table_xinfo the intended
** columns (names, types, NOT NULL, PK, the composite key's column hidden);
** an invalid case must fail with a message containing an expected
** substring.  Then: the exact declarations of DESIGN.md's examples; facts
** of SQLite's vtab interface the design depends on (DEFAULT dropped, NOT
** NULL not enforced, a composite WITHOUT ROWID key refused, the hidden key
** column left out of INSERT); malformed arguments passed directly (no
** SQLite splitting); lsmvPathCheck over a table of paths; a 10 KB path;
** and a mutation fuzz whose accepted schemas must declare exactly the
** columns that were parsed.
*/
#include "schema.h"

#include <check.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- probe module: xCreate = lsmvSchemaParse + sqlite3_declare_vtab ---- */

typedef struct Probe Probe;
typedef struct ProbeVtab ProbeVtab;

struct Probe {
  char *zSummary;           /* Summary of the last schema parsed */
  char *zDecl;              /* Last declaration produced */
  const char *zForceDecl;   /* If set: declare this instead of zDecl */
  const LsmvSchema *pLast;  /* Schema of the last table created */
  int nUpd;                 /* argc of the last xUpdate */
  char zUpd[256];           /* Its values, "|"-separated, NULL as "null" */
};

struct ProbeVtab {
  sqlite3_vtab base;        /* Base class */
  LsmvSchema *pSchema;      /* Parsed arguments */
  Probe *pProbe;            /* Where xUpdate records what it was given */
};

/*
** A one-line summary of a schema: key kind and columns, then each column
** "name|type|affinity" with |nn<conflict>, |d=<default>, |u; then the
** hidden key column and the options that differ from the defaults.
*/
static char *schemaSummary(const LsmvSchema *pS){
  static const char *azKind[] = { "NONE", "ROWID", "WR" };
  static const char *azAff[] = { "BLOB", "TEXT", "NUM", "INT", "REAL" };
  sqlite3_str *p = sqlite3_str_new(0);
  int i;
  sqlite3_str_appendall(p, azKind[pS->eKey]);
  for(i=0; i<pS->nKey; i++){
    sqlite3_str_appendf(p, "%s%s", i ? "," : "(", pS->aCol[pS->aiKey[i]].zName);
  }
  if( pS->nKey ) sqlite3_str_appendall(p, ")");
  if( pS->bAutoincrement ) sqlite3_str_appendall(p, "+ai");
  if( pS->eKeyConflict ) sqlite3_str_appendf(p, "/oc%d", pS->eKeyConflict);
  for(i=0; i<pS->nCol; i++){
    const LsmvColumn *c = &pS->aCol[i];
    sqlite3_str_appendf(p, "%s%s|%s|%s", i ? ", " : " ", c->zName,
                        c->zType ? c->zType : "", azAff[c->eAffinity-'A']);
    if( c->bNotNull ) sqlite3_str_appendall(p, "|nn");
    if( c->eNotNullConflict ) sqlite3_str_appendf(p, "%d", c->eNotNullConflict);
    if( c->zDefault ) sqlite3_str_appendf(p, "|d=%s", c->zDefault);
    if( c->bUnique ) sqlite3_str_appendall(p, "|u");
  }
  if( pS->zKeyCol ) sqlite3_str_appendf(p, " hidden=%s", pS->zKeyCol);
  if( pS->opt.zPath ) sqlite3_str_appendf(p, " path=%s", pS->opt.zPath);
  if( pS->opt.eSync!=LSMC_SYNC_NORMAL ){
    sqlite3_str_appendf(p, " sync=%d", pS->opt.eSync);
  }
  if( pS->opt.eCompaction!=LSMC_COMPACTION_LEVELED ){
    sqlite3_str_appendf(p, " compaction=%d", pS->opt.eCompaction);
  }
#define OPTDIFF(f, name, dflt) \
  if( pS->opt.f!=(dflt) ) sqlite3_str_appendf(p, " " name "=%lld", \
                                              (long long)pS->opt.f)
  OPTDIFF(nMemtable, "memtable", (int64_t)32<<20);
  OPTDIFF(nBlock, "block", 4096);
  OPTDIFF(nBloomBits, "bloom", 10);
  OPTDIFF(nCache, "cache", (int64_t)32<<20);
  OPTDIFF(nFifoMax, "fifo", (int64_t)1<<30);
#undef OPTDIFF
  return sqlite3_str_finish(p);
}

static int probeCreate(sqlite3 *db, void *pAux, int argc,
                       const char *const *argv, sqlite3_vtab **ppVtab,
                       char **pzErr){
  Probe *pProbe = (Probe*)pAux;
  LsmvSchema *pSchema = 0;
  ProbeVtab *pTab;
  int rc = lsmvSchemaParse(argc, argv, &pSchema, pzErr);
  if( rc!=SQLITE_OK ) return rc;
  sqlite3_free(pProbe->zDecl);
  sqlite3_free(pProbe->zSummary);
  pProbe->zDecl = lsmvSchemaDeclare(pSchema);
  pProbe->zSummary = schemaSummary(pSchema);
  rc = sqlite3_declare_vtab(db, pProbe->zForceDecl ? pProbe->zForceDecl
                                                   : pProbe->zDecl);
  if( rc!=SQLITE_OK ){
    *pzErr = sqlite3_mprintf("declare: %s", sqlite3_errmsg(db));
    lsmvSchemaFree(pSchema);
    return rc;
  }
  pTab = sqlite3_malloc(sizeof(ProbeVtab));
  ck_assert_ptr_nonnull(pTab);
  memset(pTab, 0, sizeof(*pTab));
  pTab->pSchema = pSchema;
  pTab->pProbe = pProbe;
  pProbe->pLast = pSchema;
  *ppVtab = &pTab->base;
  return SQLITE_OK;
}

static int probeDisconnect(sqlite3_vtab *pVtab){
  ProbeVtab *pTab = (ProbeVtab*)pVtab;
  lsmvSchemaFree(pTab->pSchema);
  sqlite3_free(pTab);
  return SQLITE_OK;
}

static int probeBestIndex(sqlite3_vtab *pVtab, sqlite3_index_info *pInfo){
  (void)pVtab;
  pInfo->estimatedCost = 1e6;
  return SQLITE_OK;
}

static int probeOpen(sqlite3_vtab *pVtab, sqlite3_vtab_cursor **ppCsr){
  (void)pVtab;
  *ppCsr = sqlite3_malloc(sizeof(sqlite3_vtab_cursor));
  return *ppCsr ? SQLITE_OK : SQLITE_NOMEM;
}

static int probeClose(sqlite3_vtab_cursor *pCsr){
  sqlite3_free(pCsr);
  return SQLITE_OK;
}

static int probeFilter(sqlite3_vtab_cursor *pCsr, int idxNum,
                       const char *idxStr, int argc, sqlite3_value **argv){
  (void)pCsr; (void)idxNum; (void)idxStr; (void)argc; (void)argv;
  return SQLITE_OK;
}

static int probeEof(sqlite3_vtab_cursor *pCsr){ (void)pCsr; return 1; }
static int probeNext(sqlite3_vtab_cursor *pCsr){ (void)pCsr; return 0; }
static int probeColumn(sqlite3_vtab_cursor *pCsr, sqlite3_context *pCtx,
                       int i){
  (void)pCsr; (void)pCtx; (void)i;
  return SQLITE_OK;
}
static int probeRowid(sqlite3_vtab_cursor *pCsr, sqlite3_int64 *piRowid){
  (void)pCsr;
  *piRowid = 0;
  return SQLITE_OK;
}

/* Record what an INSERT hands over. */
static int probeUpdate(sqlite3_vtab *pVtab, int argc, sqlite3_value **argv,
                       sqlite3_int64 *piRowid){
  Probe *pProbe = ((ProbeVtab*)pVtab)->pProbe;
  size_t n = 0;
  int i;
  pProbe->nUpd = argc;
  pProbe->zUpd[0] = 0;
  for(i=0; i<argc; i++){
    const char *z = (const char*)sqlite3_value_text(argv[i]);
    n += (size_t)snprintf(&pProbe->zUpd[n], sizeof(pProbe->zUpd)-n, "%s%s",
                          i ? "|" : "", z ? z : "null");
    ck_assert_uint_lt(n, sizeof(pProbe->zUpd));
  }
  *piRowid = 1;
  return SQLITE_OK;
}

static const sqlite3_module probeModule = {
  /* iVersion    */ 0,
  /* xCreate     */ probeCreate,
  /* xConnect    */ probeCreate,
  /* xBestIndex  */ probeBestIndex,
  /* xDisconnect */ probeDisconnect,
  /* xDestroy    */ probeDisconnect,
  /* xOpen       */ probeOpen,
  /* xClose      */ probeClose,
  /* xFilter     */ probeFilter,
  /* xNext       */ probeNext,
  /* xEof        */ probeEof,
  /* xColumn     */ probeColumn,
  /* xRowid      */ probeRowid,
  /* xUpdate     */ probeUpdate,
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

/* ---- helpers ---- */

static sqlite3 *openDb(Probe *pProbe){
  sqlite3 *db = 0;
  ck_assert_int_eq(sqlite3_open(":memory:", &db), SQLITE_OK);
  ck_assert_int_eq(sqlite3_create_module(db, "probe", &probeModule, pProbe),
                   SQLITE_OK);
  return db;
}

static void probeReset(Probe *pProbe){
  sqlite3_free(pProbe->zSummary);
  sqlite3_free(pProbe->zDecl);
  memset(pProbe, 0, sizeof(*pProbe));
}

/* CREATE VIRTUAL TABLE t USING probe(zArgs); *pzErr: SQLite's message. */
static int createTable(sqlite3 *db, const char *zArgs, char **pzErr){
  char *zSql = zArgs
      ? sqlite3_mprintf("CREATE VIRTUAL TABLE t USING probe(%s)", zArgs)
      : sqlite3_mprintf("CREATE VIRTUAL TABLE t USING probe");
  int rc;
  ck_assert_ptr_nonnull(zSql);
  *pzErr = 0;
  rc = sqlite3_exec(db, zSql, 0, 0, pzErr);
  sqlite3_free(zSql);
  return rc;
}

/* The rows of zSql, columns joined by "|", rows by "\n", NULL as "null". */
static char *queryText(sqlite3 *db, const char *zSql){
  sqlite3_stmt *pStmt = 0;
  sqlite3_str *p = sqlite3_str_new(0);
  int nRow = 0;
  ck_assert_int_eq(sqlite3_prepare_v2(db, zSql, -1, &pStmt, 0), SQLITE_OK);
  while( sqlite3_step(pStmt)==SQLITE_ROW ){
    int i;
    for(i=0; i<sqlite3_column_count(pStmt); i++){
      const char *z = (const char*)sqlite3_column_text(pStmt, i);
      sqlite3_str_appendf(p, "%s%s", i ? "|" : nRow ? "\n" : "",
                          z ? z : "null");
    }
    nRow++;
  }
  ck_assert_int_eq(sqlite3_finalize(pStmt), SQLITE_OK);
  return sqlite3_str_finish(p);
}

/*
** PRAGMA table_xinfo of table t must show exactly the parsed columns:
** names, types (SQLite upper-cases the standard names), NOT NULL (implied for a WITHOUT ROWID key), the declared
** PK, nothing hidden; then the composite key's column, hidden.
*/
static void checkDeclared(sqlite3 *db, const LsmvSchema *pS, const char *zCtx){
  sqlite3_stmt *pStmt = 0;
  int i = 0;
  ck_assert_int_eq(sqlite3_prepare_v2(db, "SELECT name, type, \"notnull\", pk,"
                   " hidden FROM pragma_table_xinfo('t')", -1, &pStmt, 0),
                   SQLITE_OK);
  while( sqlite3_step(pStmt)==SQLITE_ROW ){
    const char *zName = (const char*)sqlite3_column_text(pStmt, 0);
    const char *zType = (const char*)sqlite3_column_text(pStmt, 1);
    int bNotNull = sqlite3_column_int(pStmt, 2);
    int iPk = sqlite3_column_int(pStmt, 3);
    int bHidden = sqlite3_column_int(pStmt, 4);
    ck_assert_msg(i<=pS->nCol, "%s: extra column %s", zCtx, zName);
    if( i<pS->nCol ){
      const LsmvColumn *c = &pS->aCol[i];
      int bPk = pS->eKey==LSMV_KEY_WITHOUT_ROWID && pS->nKey==1 && c->bKey;
      ck_assert_msg(strcmp(zName, c->zName)==0, "%s: column %d is %s, not %s",
                    zCtx, i, zName, c->zName);
      if( c->zType==0 || strchr("'\"[`", c->zType[0])==0 ){
        ck_assert_msg(sqlite3_stricmp(zType, c->zType ? c->zType : "")==0,
                      "%s: type %s, not %s", zCtx, zType, c->zType);
      }
      ck_assert_msg(bNotNull==(c->bNotNull || bPk), "%s: notnull of %s",
                    zCtx, zName);
      ck_assert_msg(iPk==bPk && bHidden==0, "%s: pk/hidden of %s", zCtx, zName);
    }else{
      ck_assert_msg(pS->zKeyCol && strcmp(zName, pS->zKeyCol)==0,
                    "%s: extra column %s", zCtx, zName);
      ck_assert_str_eq(zType, "");
      ck_assert_int_eq(bNotNull, 1);
      ck_assert_int_eq(iPk, 1);
      ck_assert_int_eq(bHidden, 1);
    }
    i++;
  }
  ck_assert_int_eq(sqlite3_finalize(pStmt), SQLITE_OK);
  ck_assert_msg(i==pS->nCol + (pS->zKeyCol ? 1 : 0), "%s: %d columns", zCtx, i);
}

/* ---- the case table ---- */

typedef struct Case Case;
struct Case {
  const char *zArgs;        /* Text inside USING probe(...); NULL: no ( ) */
  const char *zExpect;      /* Summary, or "!" + expected error substring */
};

static const Case aCase[] = {
  /* DESIGN.md's four examples */
  { 0, "WR(key) key||BLOB, value||BLOB" },
  { "id INTEGER PRIMARY KEY, name TEXT NOT NULL, email TEXT",
    "ROWID(id) id|INTEGER|INT, name|TEXT|TEXT|nn, email|TEXT|TEXT" },
  { "host TEXT, ts INTEGER, v REAL, PRIMARY KEY(host, ts),\n"
    "  compaction=tiered, sync=full",
    "WR(host,ts) host|TEXT|TEXT, ts|INTEGER|INT, v|REAL|REAL hidden=_key"
    " sync=2 compaction=1" },
  { "ts INTEGER, line TEXT", "NONE ts|INTEGER|INT, line|TEXT|TEXT" },
  /* names */
  { "\"my col\" TEXT, [b c] INT, `d` REAL, 'e' BLOB",
    "NONE my col|TEXT|TEXT, b c|INT|INT, d|REAL|REAL, e|BLOB|BLOB" },
  { "\"a\"\"b\" TEXT, `c``d`, 'e''f', [g\"h]",
    "NONE a\"b|TEXT|TEXT, c`d||BLOB, e'f||BLOB, g\"h||BLOB" },
  { "\"select\" TEXT, \"from\", \"_key\", left, key KEY",
    "NONE select|TEXT|TEXT, from||BLOB, _key||BLOB, left||BLOB,"
    " key|KEY|NUM" },
  /* types and affinity */
  { "name VARCHAR(10), price DECIMAL(10, 2)",
    "NONE name|VARCHAR(10)|TEXT, price|DECIMAL(10, 2)|NUM" },
  { "a DOUBLE PRECISION, b FLOATING POINT, c CHARINT",
    "NONE a|DOUBLE PRECISION|REAL, b|FLOATING POINT|INT, c|CHARINT|INT" },
  { "a CLOB, b NATIVE CHARACTER(70), c text, d NVARCHAR(+100)",
    "NONE a|CLOB|TEXT, b|NATIVE CHARACTER(70)|TEXT, c|text|TEXT,"
    " d|NVARCHAR(+100)|TEXT" },
  { "a BLOB, b, c REALBLOB, d BLOBTEXT",
    "NONE a|BLOB|BLOB, b||BLOB, c|REALBLOB|BLOB, d|BLOBTEXT|TEXT" },
  { "a NUMERIC, b BOOLEAN, c DATETIME, d DECIMAL(10,5), e STRING",
    "NONE a|NUMERIC|NUM, b|BOOLEAN|NUM, c|DATETIME|NUM, d|DECIMAL(10,5)|NUM,"
    " e|STRING|NUM" },
  { "a REAL, b FLOAT, c DOUBLE, d FLOAT(-1.5)",
    "NONE a|REAL|REAL, b|FLOAT|REAL, c|DOUBLE|REAL, d|FLOAT(-1.5)|REAL" },
  { "a BIGINT, b TINYINT, c INT2, d UNSIGNED BIG INT, e MEDIUMINT, f INT8",
    "NONE a|BIGINT|INT, b|TINYINT|INT, c|INT2|INT, d|UNSIGNED BIG INT|INT,"
    " e|MEDIUMINT|INT, f|INT8|INT" },
  { "a INT /* comment */ NOT NULL, b VAR/*x*/CHAR -- trailing\n",
    "NONE a|INT|INT|nn, b|VAR/*x*/CHAR|TEXT" },
  /* keys */
  { "id INT PRIMARY KEY, v", "WR(id) id|INT|INT, v||BLOB" },
  { "ID integer primary key", "ROWID(ID) ID|integer|INT" },
  { "v TEXT, id INTEGER, PRIMARY KEY(id)",
    "ROWID(id) v|TEXT|TEXT, id|INTEGER|INT" },
  { "id 'INTEGER' PRIMARY KEY", "ROWID(id) id|'INTEGER'|INT" },
  { "id INTEGER(8) PRIMARY KEY", "WR(id) id|INTEGER(8)|INT" },
  { "k TEXT PRIMARY KEY ASC ON CONFLICT ABORT, v",
    "WR(k)/oc4 k|TEXT|TEXT, v||BLOB" },
  { "a, b, c, PRIMARY KEY(c, a) ON CONFLICT ABORT",
    "WR(c,a)/oc4 a||BLOB, b||BLOB, c||BLOB hidden=_key" },
  { "_key TEXT, \"_KEY_1\" INT, PRIMARY KEY(_key, _key_1)",
    "WR(_key,_KEY_1) _key|TEXT|TEXT, _KEY_1|INT|INT hidden=_key_2" },
  { "a TEXT, b, PRIMARY KEY(a COLLATE BiNaRy ASC, b) CONSTRAINT x",
    "WR(a,b) a|TEXT|TEXT, b||BLOB hidden=_key" },
  { "CONSTRAINT pk PRIMARY KEY(a), a TEXT CONSTRAINT nn NOT NULL"
    " CONSTRAINT dangling", "WR(a) a|TEXT|TEXT|nn" },
  { "id INTEGER PRIMARY KEY UNIQUE", "ROWID(id) id|INTEGER|INT|u" },
  /* column constraints */
  { "a TEXT NOT NULL, b INT NOT NULL ON CONFLICT ABORT",
    "NONE a|TEXT|TEXT|nn, b|INT|INT|nn4" },
  { "a INT DEFAULT 5, b DEFAULT -1.5, c DEFAULT +7, d DEFAULT 'x''y',"
    " e DEFAULT X'00ff', f DEFAULT 1e3",
    "NONE a|INT|INT|d=5, b||BLOB|d=-1.5, c||BLOB|d=+7, d||BLOB|d='x''y',"
    " e||BLOB|d=X'00ff', f||BLOB|d=1e3" },
  { "a DEFAULT NULL, b DEFAULT TRUE, c DEFAULT false,"
    " d DEFAULT CURRENT_TIMESTAMP, e DEFAULT current_date,"
    " f DEFAULT CURRENT_TIME, g TEXT NOT NULL DEFAULT (1 + abs(-2) * 3)",
    "NONE a||BLOB|d=NULL, b||BLOB|d=TRUE, c||BLOB|d=false,"
    " d||BLOB|d=CURRENT_TIMESTAMP, e||BLOB|d=current_date,"
    " f||BLOB|d=CURRENT_TIME, g|TEXT|TEXT|nn|d=(1 + abs(-2) * 3)" },
  { "a TEXT COLLATE BINARY, b COLLATE \"binary\" NULL, c INT NULL",
    "NONE a|TEXT|TEXT, b||BLOB, c|INT|INT" },
  /* options */
  { "sync=full", "WR(key) key||BLOB, value||BLOB sync=2" },
  { "a, path=data", "NONE a||BLOB path=data" },
  { "a, path='dir/sub.lsm'", "NONE a||BLOB path=dir/sub.lsm" },
  { "a, PATH=\"x y\"", "NONE a||BLOB path=x y" },
  { "a, path='ünïcode/データ'", "NONE a||BLOB path=ünïcode/データ" },
  { "a, sync=off", "NONE a||BLOB sync=0" },
  { "a, sync=NORMAL", "NONE a||BLOB" },
  { "a, Sync='full'", "NONE a||BLOB sync=2" },
  { "a, compaction=leveled", "NONE a||BLOB" },
  { "a, compaction=TIERED", "NONE a||BLOB compaction=1" },
  { "a, compaction='fifo'", "NONE a||BLOB compaction=2" },
  { "a, memtable_size=4096", "NONE a||BLOB memtable=4096" },
  { "a, memtable_size='4K'", "NONE a||BLOB memtable=4096" },
  { "a, memtable_size=1073741824", "NONE a||BLOB memtable=1073741824" },
  { "a, memtable_size='1G'", "NONE a||BLOB memtable=1073741824" },
  { "a, memtable_size='31m'", "NONE a||BLOB memtable=32505856" },
  { "a, memtable_size='65536'", "NONE a||BLOB memtable=65536" },
  { "a, block_size=256", "NONE a||BLOB block=256" },
  { "a, block_size='1M'", "NONE a||BLOB block=1048576" },
  { "a, block_size=1048576", "NONE a||BLOB block=1048576" },
  { "a, block_size='8k'", "NONE a||BLOB block=8192" },
  { "a, bloom_bits=0", "NONE a||BLOB bloom=0" },
  { "a, bloom_bits=32", "NONE a||BLOB bloom=32" },
  { "a, bloom_bits='7'", "NONE a||BLOB bloom=7" },
  { "a, cache_size=0", "NONE a||BLOB cache=0" },
  { "a, cache_size='64G'", "NONE a||BLOB cache=68719476736" },
  { "a, cache_size=68719476736", "NONE a||BLOB cache=68719476736" },
  { "a, compaction=fifo, fifo_max_size='64K'",
    "NONE a||BLOB compaction=2 fifo=65536" },
  { "a, fifo_max_size=1125899906842624, compaction=fifo",
    "NONE a||BLOB compaction=2 fifo=1125899906842624" },
  { "a, compaction=fifo, fifo_max_size='1048576G'",
    "NONE a||BLOB compaction=2 fifo=1125899906842624" },
  { "a, path=p, sync=off, compaction=fifo, memtable_size='8M',"
    " block_size='16K', bloom_bits=12, cache_size='1G', fifo_max_size='2G'",
    "NONE a||BLOB path=p sync=0 compaction=2 memtable=8388608 block=16384"
    " bloom=12 cache=1073741824 fifo=2147483648" },
  /* rejected constraints */
  { "a CHECK(a>0)", "!lsm: CHECK constraints are not supported (column a)" },
  { "a, CHECK(a>0)", "!lsm: CHECK constraints are not supported" },
  { "a UNIQUE", "!lsm: UNIQUE constraint on column a is not supported" },
  { "a, b INT UNIQUE, PRIMARY KEY(a)",
    "!UNIQUE constraint on column b is not supported" },
  { "a UNIQUE, b, PRIMARY KEY(a, b)",
    "!UNIQUE constraint on column a is not supported" },
  { "a, b, PRIMARY KEY(a), CONSTRAINT u UNIQUE(b)",
    "!UNIQUE table constraints are not supported" },
  { "a REFERENCES p(x)",
    "!REFERENCES (foreign keys) are not supported (column a)" },
  { "a, FOREIGN KEY(a) REFERENCES p(x)",
    "!FOREIGN KEY constraints are not supported" },
  { "a INT GENERATED ALWAYS AS (1)",
    "!generated columns are not supported (column a)" },
  { "a INT DEFERRABLE INITIALLY DEFERRED",
    "!DEFERRABLE (of foreign keys) is not supported (column a)" },
  { "a AS (1)", "!generated columns are not supported (column a)" },
  { "a INT HIDDEN", "!HIDDEN columns are not supported (column a)" },
  { "a 'hidden text'", "!HIDDEN columns are not supported (column a)" },
  { "a COLLATE NOCASE", "!COLLATE NOCASE is not supported (column a)" },
  { "a, PRIMARY KEY(a COLLATE rtrim)",
    "!COLLATE rtrim is not supported (column a)" },
  { "a PRIMARY KEY DESC", "!PRIMARY KEY DESC is not supported (column a)" },
  { "a, PRIMARY KEY(a DESC)", "!PRIMARY KEY DESC is not supported (column a)" },
  { "a PRIMARY KEY, b PRIMARY KEY",
    "!table t has more than one PRIMARY KEY (column b)" },
  { "a PRIMARY KEY, PRIMARY KEY(a)", "!table t has more than one PRIMARY KEY" },
  { "PRIMARY KEY(a), a PRIMARY KEY", "!table t has more than one PRIMARY KEY" },
  { "a, PRIMARY KEY(b)", "!PRIMARY KEY names unknown column \"b\"" },
  { "PRIMARY KEY(a)", "!PRIMARY KEY names unknown column \"a\"" },
  { "a, PRIMARY KEY(a, A)", "!column \"a\" appears twice in the PRIMARY KEY" },
  { "a, A", "!duplicate column name: A" },
  { "a TEXT PRIMARY KEY AUTOINCREMENT",
    "!AUTOINCREMENT is only allowed on an INTEGER PRIMARY KEY" },
  { "id INTEGER PRIMARY KEY AUTOINCREMENT, v",
    "!AUTOINCREMENT is not supported (table t)" },
  { "id INTEGER, PRIMARY KEY(id AUTOINCREMENT)",
    "!AUTOINCREMENT is not supported (table t)" },
  { "k TEXT PRIMARY KEY ON CONFLICT REPLACE, v",
    "!ON CONFLICT REPLACE in \"k TEXT PRIMARY KEY ON CONFLICT REPLACE\" is"
    " not supported: use INSERT OR REPLACE" },
  { "a, b, PRIMARY KEY(a, b) ON CONFLICT IGNORE",
    "!ON CONFLICT IGNORE in" },
  { "a NOT NULL ON CONFLICT FAIL", "!ON CONFLICT FAIL in" },
  { "a NOT NULL ON CONFLICT ROLLBACK", "!ON CONFLICT ROLLBACK in" },
  { "a INT PRIMARY KEY AUTOINCREMENT",
    "!AUTOINCREMENT is only allowed on an INTEGER PRIMARY KEY" },
  { "a INTEGER, b, PRIMARY KEY(a, b AUTOINCREMENT)",
    "!AUTOINCREMENT is only allowed on an INTEGER PRIMARY KEY" },
  { "a DEFAULT 1 DEFAULT 2", "!column a has more than one DEFAULT" },
  { "a DEFAULT abc", "!DEFAULT of column a must be a literal" },
  { "a DEFAULT -'x'", "!DEFAULT of column a must be a literal" },
  { "a DEFAULT (b + 1), b",
    "!declare: default value of column [a] is not constant" },
  { "a INT PRIMARY", "!expected KEY after PRIMARY" },
  { "a INT NOT", "!expected NULL after NOT" },
  { "a NOT NULL ON CONFLICT sometimes",
    "!bad conflict resolution \"sometimes\"" },
  { "a VARCHAR(ten)", "!bad type size \"ten\" (column a)" },
  { "a INT, 5", "!expected a column name, found \"5\"" },
  { "select TEXT", "!\"select\" is a reserved word: quote it" },
  { "k TEXT ON CONFLICT REPLACE", "!unexpected \"ON\" in the definition of"
    " column k" },
  { "a INT NOTNULL", "!unexpected \"NOTNULL\" in the definition of column a" },
  { "id INTEGER AUTOINCREMENT", "!unexpected \"AUTOINCREMENT\"" },
  /* rejected options */
  { "a, memtble_size=1", "!lsm: unknown option \"memtble_size\"" },
  { "a, threads=100000", "!lsm: unknown option \"threads\"" },
  { "a, sync=full, SYNC=off", "!option \"sync\" given twice" },
  { "a, sync=", "!empty value for option \"sync\"" },
  { "a, sync=''", "!empty value for option \"sync\"" },
  { "a, path=", "!empty value for option \"path\"" },
  { "a, path=''", "!lsm: empty path" },
  { "a, path='/etc/x'", "!path \"/etc/x\" is not allowed: it is absolute" },
  { "a, path='a/../b'",
    "!path \"a/../b\" is not allowed: it has a \"..\" component" },
  { "a, path='..'", "!it has a \"..\" component" },
  { "a, path=a/b", "!bad value for option path: \"a/b\"" },
  { "a, memtable_size=1e15", "!bad value for option memtable_size: \"1e15\"" },
  { "a, memtable_size=1073741825",
    "!option memtable_size=1073741825 is out of range [4K, 1G]" },
  { "a, memtable_size=4095", "!option memtable_size=4095 is out of range" },
  { "a, memtable_size='2G'", "!option memtable_size=2G is out of range" },
  { "a, memtable_size=99999999999999999999999",
    "!option memtable_size=99999999999999999999999 is out of range" },
  { "a, memtable_size='64KB'", "!bad value for option memtable_size: \"64KB\"" },
  { "a, memtable_size=' 64K'", "!bad value for option memtable_size: \" 64K\"" },
  { "a, memtable_size=0x10000", "!bad value for option memtable_size" },
  { "a, block_size=0", "!option block_size=0 is out of range [256, 1M]" },
  { "a, block_size=255", "!option block_size=255 is out of range" },
  { "a, block_size='1025K'", "!option block_size=1025K is out of range" },
  { "a, bloom_bits=33", "!option bloom_bits=33 is out of range [0, 32]" },
  { "a, bloom_bits=-1", "!bad value for option bloom_bits: \"-1\"" },
  { "a, bloom_bits='1K'",
    "!bad value for option bloom_bits: \"1K\" (expected an integer)" },
  { "a, cache_size='65G'", "!option cache_size=65G is out of range [0, 64G]" },
  { "a, cache_size=68719476737", "!option cache_size=68719476737 is out of" },
  { "a, fifo_max_size='1M'", "!option fifo_max_size requires compaction=fifo" },
  { "a, compaction=tiered, fifo_max_size='1G'",
    "!option fifo_max_size requires compaction=fifo" },
  { "a, compaction=fifo, fifo_max_size='63K'",
    "!option fifo_max_size=63K is out of range [64K, 2^50]" },
  { "a, compaction=fifo, fifo_max_size=1125899906842625",
    "!option fifo_max_size=1125899906842625 is out of range" },
  { "a, sync=sometimes",
    "!bad value for option sync: \"sometimes\" (expected off, normal or full)" },
  { "a, compaction=universal", "!bad value for option compaction: \"universal\"" },
  { "a, compaction=fifo extra",
    "!bad value for option compaction: \"fifo extra\"" },
  /* H5: negative, wrapping and overflowing numbers (a value that wraps
  ** modulo 2^32 or 2^64 into the range must still be refused). */
  { "a, memtable_size=-1", "!bad value for option memtable_size: \"-1\"" },
  { "a, memtable_size='-4K'", "!bad value for option memtable_size: \"-4K\"" },
  { "a, memtable_size=+4096", "!bad value for option memtable_size" },
  { "a, memtable_size=4096.0", "!bad value for option memtable_size: \"4096.0\"" },
  { "a, memtable_size='99999999999999999999G'",
    "!option memtable_size=99999999999999999999G is out of range [4K, 1G]" },
  { "a, memtable_size='17179869184G'",
    "!option memtable_size=17179869184G is out of range [4K, 1G]" },
  { "a, block_size=4294967552",
    "!option block_size=4294967552 is out of range [256, 1M]" },
  { "a, block_size=18446744073709551872",
    "!option block_size=18446744073709551872 is out of range [256, 1M]" },
  { "a, bloom_bits=4294967306",
    "!option bloom_bits=4294967306 is out of range [0, 32]" },
  { "a, cache_size=18446744073709551616",
    "!option cache_size=18446744073709551616 is out of range [0, 64G]" },
  { "a, cache_size=-1", "!bad value for option cache_size: \"-1\"" },
  { "a, compaction=fifo, fifo_max_size=-65536",
    "!bad value for option fifo_max_size: \"-65536\"" },
  { "a, compaction=fifo, fifo_max_size='1099511627777K'",
    "!option fifo_max_size=1099511627777K is out of range [64K, 2^50]" },
};
#define N_CASE ((int)(sizeof(aCase)/sizeof(aCase[0])))

/*
** One case through a real CREATE VIRTUAL TABLE.
*/
START_TEST(test_case){
  const Case *pCase = &aCase[_i];
  Probe probe;
  sqlite3 *db;
  char *zErr = 0;
  int rc;
  memset(&probe, 0, sizeof(probe));
  db = openDb(&probe);
  rc = createTable(db, pCase->zArgs, &zErr);
  if( pCase->zExpect[0]=='!' ){
    ck_assert_msg(rc==SQLITE_ERROR, "case %d (%s): rc=%d, summary %s", _i,
                  pCase->zArgs, rc, probe.zSummary);
    ck_assert_msg(zErr && strstr(zErr, pCase->zExpect+1),
                  "case %d (%s): error \"%s\", expected \"%s\"", _i,
                  pCase->zArgs, zErr, pCase->zExpect+1);
  }else{
    ck_assert_msg(rc==SQLITE_OK, "case %d (%s): %s", _i, pCase->zArgs, zErr);
    ck_assert_msg(strcmp(probe.zSummary, pCase->zExpect)==0,
                  "case %d (%s):\n  got    %s\n  expect %s", _i, pCase->zArgs,
                  probe.zSummary, pCase->zExpect);
    checkDeclared(db, probe.pLast, pCase->zArgs ? pCase->zArgs : "(none)");
  }
  sqlite3_free(zErr);
  ck_assert_int_eq(sqlite3_close(db), SQLITE_OK);
  probeReset(&probe);
}
END_TEST

/* Parse one argument list given directly (no SQLite splitting). */
static int parseArgs(int nArg, const char *const *azArg, LsmvSchema **ppS,
                     char **pzErr){
  const char *azArgv[16] = { "lsm", "main", "t" };
  int i;
  ck_assert_int_le(nArg, 13);
  for(i=0; i<nArg; i++) azArgv[3+i] = azArg[i];
  return lsmvSchemaParse(3+nArg, azArgv, ppS, pzErr);
}

/*
** The exact declarations of DESIGN.md's four examples, and of columns
** with NOT NULL, DEFAULT and a name needing quotes.
*/
START_TEST(test_declare_text){
  static const struct {
    int nArg;
    const char *azArg[6];
    const char *zDecl;
  } aT[] = {
    { 0, {0}, "CREATE TABLE x(\"key\", \"value\", PRIMARY KEY(\"key\"))"
              " WITHOUT ROWID" },
    { 3, { "id INTEGER PRIMARY KEY", "name TEXT NOT NULL", "email TEXT" },
      "CREATE TABLE x(\"id\" INTEGER, \"name\" TEXT NOT NULL, \"email\" TEXT)" },
    { 6, { "host TEXT", "ts INTEGER", "v REAL", "PRIMARY KEY(host, ts)",
           "compaction=tiered", "sync=full" },
      "CREATE TABLE x(\"host\" TEXT, \"ts\" INTEGER, \"v\" REAL,"
      " \"_key\" HIDDEN, PRIMARY KEY(\"_key\")) WITHOUT ROWID" },
    { 2, { "ts INTEGER", "line TEXT" },
      "CREATE TABLE x(\"ts\" INTEGER, \"line\" TEXT)" },
    { 3, { "a INT NOT NULL ON CONFLICT ABORT DEFAULT -5",
           "\"b\"\"c\" DEFAULT (1+2)", "PRIMARY KEY(\"b\"\"c\")" },
      "CREATE TABLE x(\"a\" INT NOT NULL DEFAULT -5, \"b\"\"c\" DEFAULT (1+2),"
      " PRIMARY KEY(\"b\"\"c\")) WITHOUT ROWID" },
    { 2, { "", "  /* nothing */  " },
      "CREATE TABLE x(\"key\", \"value\", PRIMARY KEY(\"key\")) WITHOUT ROWID" },
  };
  size_t i;
  for(i=0; i<sizeof(aT)/sizeof(aT[0]); i++){
    LsmvSchema *pS = 0;
    char *zErr = 0;
    char *zDecl;
    ck_assert_int_eq(parseArgs(aT[i].nArg, aT[i].azArg, &pS, &zErr),
                     SQLITE_OK);
    ck_assert_ptr_null(zErr);
    ck_assert_str_eq(pS->zDb, "main");
    ck_assert_str_eq(pS->zTable, "t");
    zDecl = lsmvSchemaDeclare(pS);
    ck_assert_str_eq(zDecl, aT[i].zDecl);
    sqlite3_free(zDecl);
    lsmvSchemaFree(pS);
  }
}
END_TEST

/*
** Facts of SQLite's vtab declarations that schema.h documents: NOT NULL is
** shown but not enforced, DEFAULT is dropped (an omitted column arrives as
** NULL), a composite WITHOUT ROWID key is refused for a writable vtab,
** and the hidden key column is left out of SELECT * and INSERT.
*/
START_TEST(test_vtab_facts){
  Probe probe;
  sqlite3 *db;
  sqlite3_stmt *pStmt = 0;
  char *zErr = 0;
  char *z;
  memset(&probe, 0, sizeof(probe));
  db = openDb(&probe);
  ck_assert_int_eq(createTable(db, "a INT NOT NULL DEFAULT 5, b", &zErr),
                   SQLITE_OK);
  z = queryText(db, "SELECT name, \"notnull\", dflt_value"
                    " FROM pragma_table_xinfo('t')");
  ck_assert_str_eq(z, "a|1|null\nb|0|null");
  sqlite3_free(z);
  ck_assert_int_eq(sqlite3_exec(db, "INSERT INTO t(b) VALUES(7)", 0, 0, 0),
                   SQLITE_OK);
  ck_assert_int_eq(probe.nUpd, 4);
  ck_assert_str_eq(probe.zUpd, "null|null|null|7");   /* a: NULL, not 5 */
  ck_assert_int_eq(sqlite3_exec(db, "DROP TABLE t", 0, 0, 0), SQLITE_OK);

  probe.zForceDecl = "CREATE TABLE x(a, b, PRIMARY KEY(a, b)) WITHOUT ROWID";
  ck_assert_int_eq(createTable(db, "a, b, PRIMARY KEY(a, b)", &zErr),
                   SQLITE_ERROR);
  ck_assert_ptr_nonnull(strstr(zErr, "declare:"));
  sqlite3_free(zErr);
  probe.zForceDecl = 0;
  ck_assert_int_eq(createTable(db, "a, b, c, PRIMARY KEY(a, b)", &zErr),
                   SQLITE_OK);
  ck_assert_int_eq(sqlite3_exec(db, "INSERT INTO t VALUES(1, 2, 3)", 0, 0, 0),
                   SQLITE_OK);
  ck_assert_int_eq(probe.nUpd, 6);
  ck_assert_str_eq(probe.zUpd, "null|null|1|2|3|null");
  ck_assert_int_eq(sqlite3_prepare_v2(db, "SELECT * FROM t", -1, &pStmt, 0),
                   SQLITE_OK);
  ck_assert_int_eq(sqlite3_column_count(pStmt), 3);
  sqlite3_finalize(pStmt);
  ck_assert_int_eq(sqlite3_prepare_v2(db, "SELECT _key FROM t", -1, &pStmt,
                                      0), SQLITE_OK);
  sqlite3_finalize(pStmt);
  ck_assert_int_eq(sqlite3_close(db), SQLITE_OK);
  probeReset(&probe);
}
END_TEST

/*
** Arguments SQLite's splitter would never produce, given directly: each
** must fail cleanly with its message.
*/
START_TEST(test_malformed){
  static const struct { const char *zArg; const char *zErr; } aT[] = {
    { "a VARCHAR(10", "expected ) in the type of column a" },
    { "'abc", "expected a column name, found \"'abc\"" },
    { "\"unterminated", "expected a column name" },
    { "a DEFAULT (1", "DEFAULT of column a must be" },
    { "a DEFAULT ()", "DEFAULT of column a must be" },
    { "a DEFAULT (1))", "unexpected \")\" in the definition of column a" },
    { "a DEFAULT x'0g'", "DEFAULT of column a must be" },
    { "a DEFAULT 12abc", "DEFAULT of column a must be" },
    { "a, b", "unexpected \",\" in the definition of column a" },
    { "a INT)", "unexpected \")\" in the definition of column a" },
    { "a INT(1)(2)", "unexpected \"(\" in the definition of column a" },
    { "a INT(10,)", "bad type size \")\" (column a)" },
    { "PRIMARY KEY(a", "unterminated PRIMARY KEY(...)" },
    { "PRIMARY KEY a", "expected ( after PRIMARY KEY" },
    { "PRIMARY KEY(a,)", "expected a column name in PRIMARY KEY(...)" },
    { "PRIMARY KEY(a) UNIQUE(a)", "UNIQUE table constraints are not supported" },
    { "PRIMARY KEY(a) x", "unexpected \"x\" in table constraint" },
    { "CONSTRAINT", "expected a name after CONSTRAINT" },
    { "a CONSTRAINT", "expected a name after CONSTRAINT (column a)" },
    { "a NOT NULL ON", "expected CONFLICT after ON" },
    { "sync==full", "unexpected \"==\" in the definition of column sync" },
  };
  size_t i;
  LsmvSchema *pS = (LsmvSchema*)&i;
  char *zErr = 0;
  const char *azTwo[2] = { "lsm", "main" };
  for(i=0; i<sizeof(aT)/sizeof(aT[0]); i++){
    ck_assert_int_eq(parseArgs(1, &aT[i].zArg, &pS, &zErr), SQLITE_ERROR);
    ck_assert_ptr_null(pS);
    ck_assert_msg(zErr && strstr(zErr, aT[i].zErr), "%s: got \"%s\"",
                  aT[i].zArg, zErr);
    sqlite3_free(zErr);
  }
  ck_assert_int_eq(lsmvSchemaParse(2, azTwo, &pS, &zErr), SQLITE_ERROR);
  ck_assert_str_eq(zErr, "lsm: expected at least 3 arguments, got 2");
  sqlite3_free(zErr);
}
END_TEST

/*
** lsmvPathCheck over a table of paths: accepted relative paths, and every
** rule that rejects one, with its reason.
*/
START_TEST(test_path_check){
  static const struct { const char *zPath; const char *zWhy; } aT[] = {
    { "data", 0 }, { "data.lsm", 0 }, { "a/b/c", 0 }, { "dir/sub.lsm", 0 },
    { "x y", 0 }, { "ünïcode", 0 }, { "データ/ストア", 0 }, { "a-b_c.d", 0 },
    { "...", 0 }, { "..a", 0 }, { "a..", 0 }, { ".hidden", 0 },
    { "a/.b", 0 }, { "a\\b", 0 }, { "~", 0 }, { "C:x", 0 }, { "-", 0 },
    { "$HOME", 0 }, { "\xf0\x9f\x98\x80", 0 },
    { "", "it is empty" },
    { "/", "it is absolute" }, { "/etc/x", "it is absolute" },
    { "//x", "it is absolute" },
    { "..", "it has a \"..\" component" },
    { "../x", "it has a \"..\" component" },
    { "a/..", "it has a \"..\" component" },
    { "a/../b", "it has a \"..\" component" },
    { "a//b", "it has an empty component" },
    { "a/", "it has an empty component" },
    { ".", "it has a \".\" component" },
    { "./a", "it has a \".\" component" },
    { "a/./b", "it has a \".\" component" },
    { "a\tb", "it contains a control character" },
    { "a\nb", "it contains a control character" },
    { "a\x7f", "it contains a control character" },
    { "\xff", "it is not valid UTF-8" },
    { "\xc0\xaf", "it is not valid UTF-8" },             /* overlong '/' */
    { "\xe0\x80\xaf", "it is not valid UTF-8" },         /* overlong '/' */
    { "\xed\xa0\x80", "it is not valid UTF-8" },         /* surrogate */
    { "\xf4\x90\x80\x80", "it is not valid UTF-8" },     /* > U+10FFFF */
    { "a\xe3\x81", "it is not valid UTF-8" },            /* truncated */
  };
  char zLong[LSMV_MAX_PATH + 2];
  size_t i;
  for(i=0; i<sizeof(aT)/sizeof(aT[0]); i++){
    char *zErr = 0;
    int rc = lsmvPathCheck(aT[i].zPath, &zErr);
    if( aT[i].zWhy==0 ){
      ck_assert_msg(rc==SQLITE_OK, "%s: %s", aT[i].zPath, zErr);
      ck_assert_ptr_null(zErr);
    }else{
      ck_assert_msg(rc==SQLITE_ERROR && zErr && strstr(zErr, aT[i].zWhy),
                    "path %zu: got %s", i, zErr);
      sqlite3_free(zErr);
    }
  }
  memset(zLong, 'a', sizeof(zLong));
  zLong[LSMV_MAX_PATH] = 0;
  ck_assert_int_eq(lsmvPathCheck(zLong, 0), SQLITE_OK);
  zLong[LSMV_MAX_PATH] = 'a';
  zLong[LSMV_MAX_PATH+1] = 0;
  {
    char *zErr = 0;
    ck_assert_int_eq(lsmvPathCheck(zLong, &zErr), SQLITE_ERROR);
    ck_assert_ptr_nonnull(strstr(zErr, "it is longer than 512 bytes"));
    sqlite3_free(zErr);
  }
  printf("check_schema: %zu paths checked\n", sizeof(aT)/sizeof(aT[0]) + 2);
}
END_TEST

/*
** Reserved words against the SQLite we run with: "a <kw>" and "<kw> INT"
** must be accepted by lsmvSchemaParse exactly when a native CREATE TABLE
** accepts them (after a first column x0); the only exceptions are
** GENERATED, UNIQUE and DEFERRABLE, which the lsm module rejects on
** purpose (generated columns, UNIQUE on a non-key, foreign-key clauses).
*/
START_TEST(test_reserved){
  sqlite3 *db;
  int i, nKw = sqlite3_keyword_count();
  ck_assert_int_eq(sqlite3_open(":memory:", &db), SQLITE_OK);
  for(i=0; i<nKw; i++){
    const char *zKw;
    int nKwLen, bType;
    ck_assert_int_eq(sqlite3_keyword_name(i, &zKw, &nKwLen), SQLITE_OK);
    for(bType=0; bType<2; bType++){
      char *zArg = bType ? sqlite3_mprintf("a %.*s", nKwLen, zKw)
                         : sqlite3_mprintf("%.*s INT", nKwLen, zKw);
      char *zSql = sqlite3_mprintf("CREATE TABLE t(x0, %s)", zArg);
      LsmvSchema *pS = 0;
      char *zErr = 0;
      const char *azArg[2] = { "x0" };
      int bNative = sqlite3_exec(db, zSql, 0, 0, 0)==SQLITE_OK;
      int bOurs;
      azArg[1] = zArg;
      bOurs = parseArgs(2, azArg, &pS, &zErr)==SQLITE_OK;
      if( bNative ) sqlite3_exec(db, "DROP TABLE t", 0, 0, 0);
      if( bType && (sqlite3_stricmp(zArg, "a GENERATED")==0
                 || sqlite3_stricmp(zArg, "a UNIQUE")==0
                 || sqlite3_stricmp(zArg, "a DEFERRABLE")==0) ){
        ck_assert_msg(bNative && !bOurs, "%s", zArg);
      }else{
        ck_assert_msg(bOurs==bNative, "%s: native %d, lsm %d (%s)", zArg,
                      bNative, bOurs, zErr);
      }
      lsmvSchemaFree(pS);
      sqlite3_free(zErr);
      sqlite3_free(zArg);
      sqlite3_free(zSql);
    }
  }
  ck_assert_int_eq(sqlite3_close(db), SQLITE_OK);
  printf("check_schema: %d keywords checked as names and as types\n", nKw);
}
END_TEST

/* A 10 KB path through CREATE: rejected, and the message stays short. */
START_TEST(test_long_path){
  Probe probe;
  sqlite3 *db;
  char *zArgs = malloc(10300);
  char *zErr = 0;
  ck_assert_ptr_nonnull(zArgs);
  memset(&probe, 0, sizeof(probe));
  db = openDb(&probe);
  strcpy(zArgs, "a, path='");
  memset(zArgs+9, 'p', 10240);
  strcpy(zArgs+9+10240, "'");
  ck_assert_int_eq(createTable(db, zArgs, &zErr), SQLITE_ERROR);
  ck_assert_ptr_nonnull(strstr(zErr, "it is longer than 512 bytes"));
  ck_assert_int_lt((int)strlen(zErr), 200);
  sqlite3_free(zErr);
  ck_assert_int_eq(sqlite3_close(db), SQLITE_OK);
  probeReset(&probe);
  free(zArgs);
}
END_TEST

/*
** Mutation fuzz: random byte edits of the valid cases, run through CREATE.
** Whatever is accepted must declare exactly the columns that were parsed
** (checkDeclared): a parsed text can never smuggle a different table into
** the declaration.  sqlite3_declare_vtab may refuse an accepted schema
** only over a parenthesised DEFAULT expression, which the parser keeps
** opaque.  Counts are printed.
*/
START_TEST(test_fuzz){
  static const char aChar[] = " ,()'\"[]`=-+/*x09aZ_.\n";
  Probe probe;
  sqlite3 *db;
  unsigned rnd = 12345;
  int nRun = 0, nOk = 0, nParseErr = 0, nDeclErr = 0, nSqlErr = 0;
  int i;
  memset(&probe, 0, sizeof(probe));
  db = openDb(&probe);
  for(i=0; i<40000; i++){
    const Case *pCase = &aCase[(rnd = rnd*1103515245u + 12345u)/16 % N_CASE];
    char zBuf[512];
    char *zErr = 0;
    int n, k, rc;
    if( pCase->zArgs==0 || pCase->zExpect[0]=='!' ) continue;
    n = (int)strlen(pCase->zArgs);
    if( n>=(int)sizeof(zBuf)-8 ) continue;
    memcpy(zBuf, pCase->zArgs, (size_t)n+1);
    for(k=0; k<1 + (int)(rnd>>28)%3; k++){
      int iPos;
      rnd = rnd*1103515245u + 12345u;
      iPos = (int)((rnd>>8) % (unsigned)(n ? n : 1));
      switch( (rnd>>4)%3 ){
        case 0:                                       /* replace */
          if( n ) zBuf[iPos] = aChar[(rnd>>20) % (sizeof(aChar)-1)];
          break;
        case 1:                                       /* insert */
          memmove(&zBuf[iPos+1], &zBuf[iPos], (size_t)(n-iPos+1));
          zBuf[iPos] = aChar[(rnd>>20) % (sizeof(aChar)-1)];
          n++;
          break;
        default:                                      /* delete */
          if( n ){ memmove(&zBuf[iPos], &zBuf[iPos+1], (size_t)(n-iPos)); n--; }
          break;
      }
    }
    nRun++;
    sqlite3_free(probe.zSummary);
    probe.zSummary = 0;
    rc = createTable(db, zBuf, &zErr);
    if( rc==SQLITE_OK ){
      nOk++;
      checkDeclared(db, probe.pLast, zBuf);
      ck_assert_int_eq(sqlite3_exec(db, "DROP TABLE t", 0, 0, 0), SQLITE_OK);
    }else if( zErr && strncmp(zErr, "lsm: ", 5)==0 ){
      nParseErr++;
    }else if( zErr && strncmp(zErr, "declare: ", 9)==0 ){
      /* Only a parenthesised DEFAULT is left for SQLite to validate */
      ck_assert_msg(strstr(probe.zDecl, " DEFAULT (")!=0, "%s: %s", zBuf, zErr);
      nDeclErr++;
    }else{
      nSqlErr++;                /* SQLite's own parser refused the CREATE */
    }
    sqlite3_free(zErr);
  }
  printf("check_schema: fuzz %d CREATEs: %d accepted and declared as parsed, "
         "%d rejected by lsmvSchemaParse, %d by sqlite3_declare_vtab, "
         "%d by SQLite's parser\n", nRun, nOk, nParseErr, nDeclErr, nSqlErr);
  ck_assert_int_gt(nOk, 1000);
  ck_assert_int_gt(nParseErr, 1000);
  ck_assert_int_eq(sqlite3_close(db), SQLITE_OK);
  probeReset(&probe);
}
END_TEST

static Suite *schemaSuite(void){
  Suite *s = suite_create("schema");
  TCase *tc = tcase_create("schema");
  tcase_set_timeout(tc, 60);
  tcase_add_loop_test(tc, test_case, 0, N_CASE);
  tcase_add_test(tc, test_declare_text);
  tcase_add_test(tc, test_vtab_facts);
  tcase_add_test(tc, test_malformed);
  tcase_add_test(tc, test_path_check);
  tcase_add_test(tc, test_long_path);
  tcase_add_test(tc, test_reserved);
  tcase_add_test(tc, test_fuzz);
  suite_add_tcase(s, tc);
  return s;
}

int main(void){
  SRunner *sr = srunner_create(schemaSuite());
  int nFail;
  int i, nValid = 0;
  for(i=0; i<N_CASE; i++) nValid += aCase[i].zExpect[0]!='!';
  printf("check_schema: %d CREATE cases (%d valid, %d invalid)\n",
         N_CASE, nValid, N_CASE-nValid);
  srunner_run_all(sr, CK_NORMAL);
  nFail = srunner_ntests_failed(sr);
  srunner_free(sr);
  return nFail==0 ? 0 : 1;
}
