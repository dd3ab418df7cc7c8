/*
** functions.c -- the SQL functions of an "lsm" table, each taking the
** table's name ("t" or "schema.t"):
**   lsm_stats(t)    the engine's statistics as JSON (lsmc_stats_json)
**   lsm_flush(t)    flush the memtable, return 'ok' when it is on disk
**   lsm_compact(t)  flush and compact everything, return 'ok' when done
**   lsm_check(t)    the integrity check: 'ok', or one line per problem
** All four are SQLITE_DIRECTONLY (a schema's views and triggers cannot
** call them: they do I/O and change files) and work on a table of this
** connection, connecting it first if no statement has used it yet.
** lsm_version() is registered by lsmvtab.c.
*/
#include "lsmvInt.h"

#include <string.h>

#define FN_STATS    0
#define FN_FLUSH    1
#define FN_COMPACT  2
#define FN_CHECK    3

static const char *const azFnName[] = {
  "lsm_stats", "lsm_flush", "lsm_compact", "lsm_check"
};

/*
** The lsm table named by apArg[0], with its store open, or NULL after
** setting an error on pCtx.
*/
static LsmvTab *fnTable(sqlite3_context *pCtx, sqlite3_value *pArg,
                        const char *zFunc){
  LsmvModule *pMod = (LsmvModule*)sqlite3_user_data(pCtx);
  const char *zArg = (const char*)sqlite3_value_text(pArg);
  const char *zDot;
  char *zDb = 0;
  const char *zTable;
  LsmvTab *p;
  int rc;

  if( zArg==0 ){
    sqlite3_result_error(pCtx, "lsm: the argument must be a table name", -1);
    return 0;
  }
  zDot = strchr(zArg, '.');
  zTable = zDot ? zDot+1 : zArg;
  if( zDot ){
    zDb = sqlite3_mprintf("%.*s", (int)(zDot-zArg), zArg);
    if( zDb==0 ){ sqlite3_result_error_nomem(pCtx); return 0; }
  }
  p = lsmvTabFind(pMod, zDb, zTable);
  if( p==0 ){
    /* Not connected yet: preparing a statement that names it connects
    ** it (or fails if it is not a table). */
    sqlite3_stmt *pStmt = 0;
    char *zSql = zDb ? sqlite3_mprintf("SELECT 0 FROM \"%w\".\"%w\"", zDb,
                                       zTable)
                     : sqlite3_mprintf("SELECT 0 FROM \"%w\"", zTable);
    if( zSql ){
      sqlite3_prepare_v2(pMod->db, zSql, -1, &pStmt, 0);
      sqlite3_finalize(pStmt);
      sqlite3_free(zSql);
    }
    p = lsmvTabFind(pMod, zDb, zTable);
  }
  sqlite3_free(zDb);
  if( p==0 ){
    char *zErr = sqlite3_mprintf("%s: no lsm table named %s", zFunc, zArg);
    sqlite3_result_error(pCtx, zErr ? zErr : "out of memory", -1);
    sqlite3_free(zErr);
    return 0;
  }
  rc = lsmvTabStore(p);
  if( rc!=SQLITE_OK ){
    sqlite3_result_error(pCtx, p->base.zErrMsg ? p->base.zErrMsg
                                               : sqlite3_errstr(rc), -1);
    sqlite3_result_error_code(pCtx, rc);
    return 0;
  }
  return p;
}

/* Report an engine error of a function call. */
static void fnError(sqlite3_context *pCtx, LsmvTab *p, int rc,
                    const char *zWhat){
  int rcSql = lsmvTabError(p, rc, zWhat);
  if( rcSql==SQLITE_NOMEM ){
    sqlite3_result_error_nomem(pCtx);
    return;
  }
  sqlite3_result_error(pCtx, p->base.zErrMsg ? p->base.zErrMsg : zWhat, -1);
  sqlite3_result_error_code(pCtx, rcSql);
}

/* The four functions, told apart by iFn (registered per function). */
static void fnRun(sqlite3_context *pCtx, int iFn, sqlite3_value *pArg){
  LsmvTab *p = fnTable(pCtx, pArg, azFnName[iFn]);
  char *z = 0;
  int rc = LSMC_OK;
  if( p==0 ) return;
  switch( iFn ){
    case FN_STATS:
      rc = lsmc_stats_json(p->pDb, &z);
      break;
    case FN_FLUSH:
      rc = lsmc_flush(p->pDb);
      break;
    case FN_COMPACT:
      rc = lsmc_compact_range(p->pDb, 0, 0, 0, 0);
      break;
    default:
      rc = lsmc_check(p->pDb, &z);
      if( rc==LSMC_CORRUPT && z ) rc = LSMC_OK;   /* the report says it */
      break;
  }
  if( rc!=LSMC_OK ){
    fnError(pCtx, p, rc, azFnName[iFn]);
  }else if( z ){
    sqlite3_result_text(pCtx, z, -1, SQLITE_TRANSIENT);
  }else{
    sqlite3_result_text(pCtx, "ok", 2, SQLITE_STATIC);
  }
  lsmc_free(p->pDb, z);
}

static void fnStats(sqlite3_context *c, int n, sqlite3_value **a){
  (void)n; fnRun(c, FN_STATS, a[0]);
}
static void fnFlush(sqlite3_context *c, int n, sqlite3_value **a){
  (void)n; fnRun(c, FN_FLUSH, a[0]);
}
static void fnCompact(sqlite3_context *c, int n, sqlite3_value **a){
  (void)n; fnRun(c, FN_COMPACT, a[0]);
}
static void fnCheck(sqlite3_context *c, int n, sqlite3_value **a){
  (void)n; fnRun(c, FN_CHECK, a[0]);
}

/*
** Register the four functions on db with pMod as their user data.
*/
int lsmvFunctionsRegister(sqlite3 *db, LsmvModule *pMod){
  static void (*const axFunc[])(sqlite3_context*, int, sqlite3_value**) = {
    fnStats, fnFlush, fnCompact, fnCheck
  };
  int rc = SQLITE_OK;
  int i;
  for(i=0; rc==SQLITE_OK && i<4; i++){
    rc = sqlite3_create_function(db, azFnName[i], 1,
                                 SQLITE_UTF8|SQLITE_DIRECTONLY, pMod,
                                 axFunc[i], 0, 0);
  }
  return rc;
}
