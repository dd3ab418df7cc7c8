/*
** rows.c -- "lsmctl dump --table": the entries of a store written by the
** SQLite module, decoded as rows of its lsm table and printed as SQL that
** recreates them in a native table:
**
**   -- CREATE VIRTUAL TABLE "t" USING lsm(k INTEGER PRIMARY KEY, v)
**   BEGIN TRANSACTION;
**   CREATE TABLE "t"("k" INTEGER PRIMARY KEY,"v");
**   INSERT INTO "t" VALUES(1,'one');
**   COMMIT;
**
** so "lsmctl dump --table DIR | sqlite3 copy.db" gives a native table
** with the same columns (names and declared types), the same key
** (INTEGER PRIMARY KEY, or a PRIMARY KEY(...) constraint over the key
** columns of a WITHOUT ROWID lsm table, whose hidden _key column is left
** out) and the same rows.  A table without a key keeps its rowids:
** INSERT INTO "t"(rowid,"a",...) VALUES(...).
**
** The declaration comes from the store's metadata (lsmc_meta_get of
** CTL_SCHEMA_KEY, "lsmvtab.schema"), which the module writes when it
** opens the store (ext/table.c says when).  Its value, format 1: the
** ASCII digit "1", then the table name, then each argument of the CREATE
** VIRTUAL TABLE as SQLite handed it to xCreate (argv[3...]), every one of
** these fields followed by a NUL byte.  That is exactly what
** lsmvSchemaParse() needs, so the keys and records are decoded by the
** module's own codecs (keycodec.h, rowcodec.h) with the module's own
** column mapping.
**
** Values are SQL literals as the sqlite3 shell's .dump writes them: NULL,
** integers, reals with "%lld.0" when integral and "%!.20g" otherwise
** (enough digits to read back the same double; infinities as 9.0e+999),
** text quoted with '' doubled (text holding a NUL byte as
** CAST(X'...' AS TEXT)), blobs as X'...'.  An entry that does not decode
** is reported in a comment line and on stderr; the dump goes on and
** exits with CTL_EXIT_DAMAGED.
*/
#ifndef SQLITE_CORE
# define SQLITE_CORE 1  /* lsmctl links libsqlite3: no extension API table */
#endif
#include "lsmctl.h"
#include "schema.h"
#include "keycodec.h"
#include "rowcodec.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* The fields of a schema value, split (pointers into a copy). */
typedef struct RowsDecl RowsDecl;
struct RowsDecl {
  char *zCopy;                /* The value, NUL-terminated copy (owned) */
  int nArg;                   /* Entries in azArg */
  const char **azArg;         /* "lsm", "main", name, arguments (owned) */
};

/*
** Split the schema value pVal[0..nVal) (format 1, see the header) into
** p->azArg as xCreate's argv.  Returns 0, or -1 if the value is not a
** format-1 declaration (or on NOMEM).
*/
static int rowsDeclSplit(const void *pVal, size_t nVal, RowsDecl *p){
  const char *z;
  size_t i;
  int nField = 0;
  memset(p, 0, sizeof(*p));
  if( nVal<4 || ((const char*)pVal)[nVal-1]!='\0' ) return -1;
  if( memcmp(pVal, "1", 2)!=0 ) return -1;
  p->zCopy = malloc(nVal);
  if( p->zCopy==0 ) return -1;
  memcpy(p->zCopy, pVal, nVal);
  for(i=0; i<nVal; i++) nField += p->zCopy[i]=='\0';
  /* nField fields: the version, the name, nField-2 arguments */
  p->azArg = malloc(sizeof(char*)*(size_t)(nField + 1));
  if( p->azArg==0 ){
    free(p->zCopy);
    p->zCopy = 0;
    return -1;
  }
  p->azArg[0] = "lsm";
  p->azArg[1] = "main";
  p->nArg = 2;
  z = p->zCopy + 2;
  while( z < p->zCopy + nVal ){
    p->azArg[p->nArg++] = z;
    z += strlen(z) + 1;
  }
  if( p->azArg[2][0]=='\0' ){
    free(p->azArg);
    free(p->zCopy);
    memset(p, 0, sizeof(*p));
    return -1;
  }
  return 0;
}

/* Free what rowsDeclSplit allocated. */
static void rowsDeclFree(RowsDecl *p){
  free(p->azArg);
  free(p->zCopy);
}

/*
** A split declaration as a one-line CREATE VIRTUAL TABLE statement
** (control characters of the arguments shown as spaces), for people;
** caller frees with free().  NULL on NOMEM.
*/
static char *rowsDeclText(const RowsDecl *p){
  sqlite3_str *pStr = sqlite3_str_new(0);
  char *zSql, *zOut = 0;
  int i;
  sqlite3_str_appendf(pStr, "CREATE VIRTUAL TABLE \"%w\" USING lsm(",
                      p->azArg[2]);
  for(i=3; i<p->nArg; i++){
    sqlite3_str_appendf(pStr, "%s%s", i>3 ? ", " : "", p->azArg[i]);
  }
  sqlite3_str_appendall(pStr, ")");
  zSql = sqlite3_str_finish(pStr);
  if( zSql ){
    for(i=0; zSql[i]; i++){
      if( (unsigned char)zSql[i]<0x20 ) zSql[i] = ' ';
    }
    zOut = strdup(zSql);
    sqlite3_free(zSql);
  }
  return zOut;
}

/*
** The kept declaration pVal[0..nVal) as rowsDeclText() writes it; NULL if
** the value is not a declaration (or on NOMEM).
*/
char *ctlSchemaText(const void *pVal, size_t nVal){
  RowsDecl decl;
  char *zOut;
  if( rowsDeclSplit(pVal, nVal, &decl) ) return 0;
  zOut = rowsDeclText(&decl);
  rowsDeclFree(&decl);
  return zOut;
}

/* Append the value *pVal to pStr as an SQL literal (see the header). */
static void rowsLiteral(sqlite3_str *pStr, const LsmvValue *pVal){
  int i;
  switch( pVal->eType ){
    case SQLITE_INTEGER:
      sqlite3_str_appendf(pStr, "%lld", pVal->i);
      break;
    case SQLITE_FLOAT: {
      double r = pVal->r;
      if( isinf(r) ){
        sqlite3_str_appendall(pStr, r>0 ? "9.0e+999" : "-9.0e+999");
      }else if( r>=-9.2e18 && r<=9.2e18 && r==(double)(sqlite3_int64)r ){
        sqlite3_str_appendf(pStr, "%lld.0", (sqlite3_int64)r);
      }else{
        sqlite3_str_appendf(pStr, "%!.20g", r);
      }
      break;
    }
    case SQLITE_TEXT:
      if( pVal->n>0 && memchr(pVal->z, 0, (size_t)pVal->n)==0 ){
        sqlite3_str_appendf(pStr, "%.*Q", pVal->n, (const char*)pVal->z);
        break;
      }
      if( pVal->n==0 ){
        sqlite3_str_appendall(pStr, "''");
        break;
      }
      sqlite3_str_appendall(pStr, "CAST(X'");
      for(i=0; i<pVal->n; i++) sqlite3_str_appendf(pStr, "%02X", pVal->z[i]);
      sqlite3_str_appendall(pStr, "' AS TEXT)");
      break;
    case SQLITE_BLOB:
      sqlite3_str_appendall(pStr, "X'");
      for(i=0; i<pVal->n; i++) sqlite3_str_appendf(pStr, "%02X", pVal->z[i]);
      sqlite3_str_appendall(pStr, "'");
      break;
    default:
      sqlite3_str_appendall(pStr, "NULL");
      break;
  }
}

/*
** The native CREATE TABLE with the lsm table's columns and key.  Caller
** frees with sqlite3_free().
*/
static char *rowsCreateTable(const LsmvSchema *pS){
  sqlite3_str *pStr = sqlite3_str_new(0);
  int i;
  sqlite3_str_appendf(pStr, "CREATE TABLE \"%w\"(", pS->zTable);
  for(i=0; i<pS->nCol; i++){
    const LsmvColumn *pC = &pS->aCol[i];
    sqlite3_str_appendf(pStr, "%s\"%w\"", i ? "," : "", pC->zName);
    if( pS->eKey==LSMV_KEY_ROWID_ALIAS && pS->aiKey[0]==i ){
      sqlite3_str_appendall(pStr, " INTEGER PRIMARY KEY");
    }else if( pC->zType ){
      sqlite3_str_appendf(pStr, " %s", pC->zType);
    }
  }
  if( pS->eKey==LSMV_KEY_WITHOUT_ROWID ){
    sqlite3_str_appendall(pStr, ",PRIMARY KEY(");
    for(i=0; i<pS->nKey; i++){
      sqlite3_str_appendf(pStr, "%s\"%w\"", i ? "," : "",
                          pS->aCol[pS->aiKey[i]].zName);
    }
    sqlite3_str_appendall(pStr, ")");
  }
  sqlite3_str_appendall(pStr, ");");
  return sqlite3_str_finish(pStr);
}

/* What a row decoder needs, set up once per dump. */
typedef struct RowsCtx RowsCtx;
struct RowsCtx {
  const LsmvSchema *pS;       /* The parsed declaration */
  int nPos;                   /* Values in a key (1 for a rowid) */
  int *aiKeyPos;              /* aiKeyPos[iCol]: key position, or -1 */
  int *aiRec;                 /* aiRec[iCol]: record index, or -1 */
  LsmvValue *aKey;            /* Decoded key values, nPos of them */
  LsmvBuf scratch;            /* Unescaped key text and blobs */
  LsmvRow row;                /* The record decoder */
  char *zInsert;              /* "INSERT INTO "t"... VALUES(" */
};

/*
** Append the INSERT statement of the entry (aKey, aRec) to pStr.  Returns
** SQLITE_OK, or SQLITE_CORRUPT if the entry does not decode (pStr may
** hold part of a statement then), or SQLITE_NOMEM.
*/
static int rowsInsert(RowsCtx *p, sqlite3_str *pStr,
                      const uint8_t *aKey, int nKey,
                      const uint8_t *aRec, int nRec){
  const LsmvSchema *pS = p->pS;
  int rc = lsmvKeyDecode(aKey, nKey, p->nPos, p->aKey, &p->scratch);
  int i;
  if( rc==SQLITE_OK ) rc = lsmvRowOpen(&p->row, aRec, nRec);
  if( rc==SQLITE_OK ) rc = lsmvRowCheck(&p->row);
  if( rc==SQLITE_OK && pS->eKey!=LSMV_KEY_WITHOUT_ROWID
   && p->aKey[0].eType!=SQLITE_INTEGER ){
    rc = SQLITE_CORRUPT;                /* a rowid is always an integer */
  }
  for(i=0; rc==SQLITE_OK && i<p->nPos && pS->eKey==LSMV_KEY_WITHOUT_ROWID; i++){
    rc = lsmvRowKeyFix(&p->row, i, &p->aKey[i]);
  }
  if( rc!=SQLITE_OK ) return rc;
  sqlite3_str_appendall(pStr, p->zInsert);
  if( pS->eKey==LSMV_KEY_NONE ){
    rowsLiteral(pStr, &p->aKey[0]);
  }
  for(i=0; rc==SQLITE_OK && i<pS->nCol; i++){
    LsmvValue v;
    const LsmvValue *pV = &v;
    if( i>0 || pS->eKey==LSMV_KEY_NONE ) sqlite3_str_appendchar(pStr, 1, ',');
    if( p->aiKeyPos[i]>=0 ){
      pV = &p->aKey[p->aiKeyPos[i]];
    }else{
      rc = lsmvRowValue(&p->row, p->aiRec[i], &v);
    }
    if( rc==SQLITE_OK ) rowsLiteral(pStr, pV);
  }
  sqlite3_str_appendall(pStr, ");\n");
  return rc;
}

/*
** Set up *p for schema pS: the column mapping (lsmvSchemaColumnMap, as
** the module uses) and the INSERT prefix.  Returns SQLITE_OK or SQLITE_NOMEM.
*/
static int rowsCtxInit(RowsCtx *p, const LsmvSchema *pS){
  sqlite3_str *pStr;
  int i;
  memset(p, 0, sizeof(*p));
  p->pS = pS;
  p->nPos = pS->nKey>0 ? pS->nKey : 1;
  p->aiKeyPos = calloc((size_t)pS->nCol + 1, sizeof(int));
  p->aiRec = calloc((size_t)pS->nCol + 1, sizeof(int));
  p->aKey = calloc((size_t)p->nPos, sizeof(LsmvValue));
  lsmvRowInit(&p->row);
  if( p->aiKeyPos==0 || p->aiRec==0 || p->aKey==0 ) return SQLITE_NOMEM;
  (void)lsmvSchemaColumnMap(pS, p->aiKeyPos, p->aiRec);
  pStr = sqlite3_str_new(0);
  sqlite3_str_appendf(pStr, "INSERT INTO \"%w\"", pS->zTable);
  if( pS->eKey==LSMV_KEY_NONE ){
    sqlite3_str_appendall(pStr, "(rowid");
    for(i=0; i<pS->nCol; i++){
      sqlite3_str_appendf(pStr, ",\"%w\"", pS->aCol[i].zName);
    }
    sqlite3_str_appendall(pStr, ")");
  }
  sqlite3_str_appendall(pStr, " VALUES(");
  p->zInsert = sqlite3_str_finish(pStr);
  return p->zInsert ? SQLITE_OK : SQLITE_NOMEM;
}

/* Release what rowsCtxInit and the decoders allocated. */
static void rowsCtxFree(RowsCtx *p){
  free(p->aiKeyPos);
  free(p->aiRec);
  free(p->aKey);
  lsmvBufFree(&p->scratch);
  lsmvRowClose(&p->row);
  sqlite3_free(p->zInsert);
}

/*
** Read and parse the declaration pDb keeps.  Returns LSMC_OK with *ppS
** the schema (free with lsmvSchemaFree) and, if pzText, *pzText its
** one-line form (free with free(); NULL on NOMEM); LSMC_NOTFOUND if the
** store keeps none; LSMC_CORRUPT if the value is not a declaration;
** LSMC_ERROR if it does not parse, with *pzErr the parser's message
** (sqlite3_free; NULL on NOMEM); or the engine's error.
*/
static int rowsSchemaLoad(lsmc_db *pDb, LsmvSchema **ppS, char **pzText,
                          char **pzErr){
  void *pVal = 0;
  size_t nVal = 0;
  RowsDecl decl;
  int rc = lsmc_meta_get(pDb, CTL_SCHEMA_KEY, &pVal, &nVal);
  *ppS = 0;
  *pzErr = 0;
  if( pzText ) *pzText = 0;
  if( rc!=LSMC_OK ) return rc;
  if( rowsDeclSplit(pVal, nVal, &decl) ){
    rc = LSMC_CORRUPT;
  }else{
    if( lsmvSchemaParse(decl.nArg, decl.azArg, ppS, pzErr)!=SQLITE_OK
     || *ppS==0 ){
      lsmvSchemaFree(*ppS);
      *ppS = 0;
      rc = LSMC_ERROR;
    }else if( pzText ){
      *pzText = rowsDeclText(&decl);
    }
    rowsDeclFree(&decl);
  }
  lsmc_free(pDb, pVal);
  return rc;
}

/*
** The engine options of the table whose declaration pDb keeps (the
** compaction strategy, sizes and recovery rule the module opens it with),
** with LSMC_OPT_CREATE off.  *ppOpts is NULL when the store keeps no
** declaration that parses (dump --table reports why); free it with
** lsmc_options_free().  Returns LSMC_OK or an engine error code.
*/
int ctlTableOptions(lsmc_db *pDb, lsmc_options **ppOpts){
  LsmvSchema *pS = 0;
  char *zErr = 0;
  int rc = rowsSchemaLoad(pDb, &pS, 0, &zErr);
  *ppOpts = 0;
  sqlite3_free(zErr);
  if( rc==LSMC_OK ){
    rc = lsmvEngineOptions(&pS->opt, 0, 0, ppOpts);
    lsmvSchemaFree(pS);
  }else if( rc==LSMC_NOTFOUND || rc==LSMC_CORRUPT || rc==LSMC_ERROR ){
    rc = LSMC_OK;
  }
  return rc;
}

/*
** Read the store's kept declaration and parse it.  Returns the schema
** (free with lsmvSchemaFree) and sets *pzText to its one-line form (free
** with free(); NULL on NOMEM); or returns NULL, after printing why, with
** *peExit the exit code.
*/
static LsmvSchema *rowsSchema(lsmc_db *pDb, const char *zDir, char **pzText,
                              int *peExit){
  LsmvSchema *pS = 0;
  char *zErr = 0;
  int rc = rowsSchemaLoad(pDb, &pS, pzText, &zErr);
  *peExit = CTL_EXIT_ERROR;
  if( rc==LSMC_OK ){
    *peExit = CTL_EXIT_OK;
  }else if( rc==LSMC_NOTFOUND ){
    ctlError("%s: the store keeps no table declaration (not written by "
             "the SQLite module, or by an older one and not opened by a "
             "table since); dump without --table shows the raw entries",
             zDir);
  }else if( rc==LSMC_CORRUPT ){
    ctlError("%s: the kept table declaration (%s) is damaged", zDir,
             CTL_SCHEMA_KEY);
    *peExit = CTL_EXIT_DAMAGED;
  }else if( rc==LSMC_ERROR ){
    ctlError("%s: the kept table declaration does not parse: %s", zDir,
             zErr ? zErr : "out of memory");
  }else{
    *peExit = ctlEngineError(pDb, rc, zDir);
  }
  sqlite3_free(zErr);
  return pS;
}

/*
** Print the entries of pDb as the rows of the table its declaration
** describes (see the header), at most nLimit rows if nLimit>=0.  Returns
** the exit code.
*/
int ctlRowsDump(lsmc_db *pDb, const char *zDir, int64_t nLimit){
  LsmvSchema *pS;
  char *zText = 0;
  char *zCreate = 0;
  lsmc_iter *pIter = 0;
  RowsCtx ctx;
  int64_t nBad = 0;
  int rc;
  int eExit = CTL_EXIT_OK;
  pS = rowsSchema(pDb, zDir, &zText, &eExit);
  if( pS==0 ) return eExit;
  rc = rowsCtxInit(&ctx, pS);
  zCreate = rowsCreateTable(pS);
  if( rc==SQLITE_OK && zCreate==0 ) rc = SQLITE_NOMEM;
  if( rc==SQLITE_OK ){
    printf("-- %s\nBEGIN TRANSACTION;\n%s\n", zText ? zText : "", zCreate);
    rc = lsmc_iter_open(pDb, 0, 0, 0, 0, 0, &pIter);
    if( rc==LSMC_OK ) rc = lsmc_iter_first(pIter);
    while( rc==LSMC_OK && lsmc_iter_valid(pIter) && nLimit!=0 ){
      size_t nKey = 0, nRec = 0;
      const uint8_t *aKey = lsmc_iter_key(pIter, &nKey);
      const uint8_t *aRec = lsmc_iter_value(pIter, &nRec);
      sqlite3_str *pStr = sqlite3_str_new(0);
      int rcRow = rowsInsert(&ctx, pStr, aKey, (int)nKey, aRec, (int)nRec);
      char *zSql = sqlite3_str_finish(pStr);
      if( rcRow==SQLITE_OK && zSql ){
        fputs(zSql, stdout);
      }else{
        char *zKey = ctlKeyText(aKey, nKey, 1, 0);
        printf("-- damaged row, key %s\n", zKey ? zKey : "?");
        ctlError("%s: the row of key %s does not decode", zDir,
                 zKey ? zKey : "?");
        free(zKey);
        nBad++;
      }
      sqlite3_free(zSql);
      if( nLimit>0 ) nLimit--;
      rc = lsmc_iter_next(pIter);
    }
    lsmc_iter_close(pIter);
    printf("COMMIT;\n");
    if( rc!=LSMC_OK ) eExit = ctlEngineError(pDb, rc, zDir);
  }else{
    ctlError("out of memory");
    eExit = CTL_EXIT_ERROR;
  }
  if( eExit==CTL_EXIT_OK && nBad>0 ) eExit = CTL_EXIT_DAMAGED;
  rowsCtxFree(&ctx);
  sqlite3_free(zCreate);
  free(zText);
  lsmvSchemaFree(pS);
  return eExit;
}
