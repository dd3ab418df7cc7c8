/*
** lsmvtab.c -- the SQLite loadable extension: registers the virtual-table
** module "lsm" and the SQL function lsm_version().  Entry point:
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
  return rc;
}
