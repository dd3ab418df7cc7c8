/*
** lsmvtab.c -- the SQLite loadable extension: registers the virtual-table
** module "lsm" and the SQL function lsm_version().  In this release the
** module's tables are not yet available: CREATE VIRTUAL TABLE ... USING lsm
** fails with a message saying so (the engine, lsmcore, is complete and
** usable from C).  Entry point:
** sqlite3_lsmvtab_init, the only symbol the module exports.  The module
** links no libsqlite3: it calls SQLite through the routine table that
** SQLite hands to the entry point (sqlite3ext.h), so it runs inside
** whatever SQLite loads it.
*/
#include <sqlite3ext.h>
SQLITE_EXTENSION_INIT1

#include "lsmcore.h"

#include <string.h>

#define LSMVTAB_VERSION "0.1.0"

/*
** lsm_version(): the extension's version.
*/
static void lsmVersionFunc(sqlite3_context *pCtx, int nArg,
                           sqlite3_value **apArg){
  (void)nArg;
  (void)apArg;
  sqlite3_result_text(pCtx, LSMVTAB_VERSION, -1, SQLITE_STATIC);
}

/*
** xCreate and xConnect: tables are not available in this release.
*/
static int lsmUnavailable(sqlite3 *db, void *pAux, int argc,
                          const char *const *argv, sqlite3_vtab **ppVtab,
                          char **pzErr){
  (void)db; (void)pAux; (void)argc; (void)argv;
  *ppVtab = 0;
  *pzErr = sqlite3_mprintf("lsm: tables are not available in lsmvtab %s",
                           LSMVTAB_VERSION);
  return SQLITE_ERROR;
}

/*
** xDisconnect and xDestroy: never reached while xCreate always fails, but
** SQLite requires a creatable module to have them.
*/
static int lsmDisconnect(sqlite3_vtab *pVtab){
  sqlite3_free(pVtab);
  return SQLITE_OK;
}

static sqlite3_module lsmModule = {
  /* iVersion    */ 0,
  /* xCreate     */ lsmUnavailable,
  /* xConnect    */ lsmUnavailable,
  /* xBestIndex  */ 0,
  /* xDisconnect */ lsmDisconnect,
  /* xDestroy    */ lsmDisconnect,
  /* xOpen       */ 0,
  /* xClose      */ 0,
  /* xFilter     */ 0,
  /* xNext       */ 0,
  /* xEof        */ 0,
  /* xColumn     */ 0,
  /* xRowid      */ 0,
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

#ifdef _WIN32
__declspec(dllexport)
#endif
__attribute__((visibility("default")))
int sqlite3_lsmvtab_init(sqlite3 *db, char **pzErrMsg,
                         const sqlite3_api_routines *pApi){
  int rc;
  SQLITE_EXTENSION_INIT2(pApi);
  (void)pzErrMsg;
  rc = sqlite3_create_function(db, "lsm_version", 0,
                               SQLITE_UTF8|SQLITE_DETERMINISTIC|SQLITE_INNOCUOUS,
                               0, lsmVersionFunc, 0, 0);
  if( rc==SQLITE_OK ) rc = sqlite3_create_module(db, "lsm", &lsmModule, 0);
  return rc;
}
