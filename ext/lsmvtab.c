/*
** lsmvtab.c -- the SQLite loadable extension's entry point,
** sqlite3_lsmvtab_init, the only symbol the module exports.  Per
** connection it registers the virtual-table module "lsm" (table.c) with
** an LsmvModule as client data (freed when the connection closes), the
** functions of functions.c, and lsm_version().
**
** The application's opt-in to store paths outside the database's
** directory (storepath.h) is read here, once per load, from the
** environment variable LSMVTAB_ALLOW_ANY_PATH: exactly "1" enables it.
** Nothing a database file or SQL statement contains can change it.  The
** test switch LSMVTAB_TEST_FULL_SCAN=1 (read the same way) makes the
** planner offer only full scans, for the disabled-index differential test.
**
** The module links no libsqlite3: it calls SQLite through the routine
** table SQLite hands to the entry point (sqlite3ext.h), so it runs inside
** whatever SQLite loads it.  lsmvtabRegister() (lsmvtab.h) is the same
** registration for programs that link the sources, with an env of their
** choice.
*/
#include <sqlite3ext.h>
SQLITE_EXTENSION_INIT1

#include "lsmvInt.h"
#include "storepath.h"

#include <stdlib.h>
#include <string.h>

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
** Register the module on db (lsmvtab.h).
*/
int lsmvtabRegister(sqlite3 *db, lsmc_env *pEnv, LsmvModule **ppMod){
  LsmvModule *pMod;
  const char *zEnv;
  int rc;
  pMod = sqlite3_malloc(sizeof(*pMod));
  if( ppMod ) *ppMod = 0;
  if( pMod==0 ) return SQLITE_NOMEM;
  memset(pMod, 0, sizeof(*pMod));
  pMod->db = db;
  pMod->pEnv = pEnv;
  zEnv = getenv(LSMV_STOREPATH_ENV);
  pMod->bAllowOutside = zEnv && strcmp(zEnv, "1")==0;
  zEnv = getenv("LSMVTAB_TEST_FULL_SCAN");
  pMod->bFullScanOnly = zEnv && strcmp(zEnv, "1")==0;
  /* On failure create_module_v2 calls the destructor itself. */
  rc = sqlite3_create_module_v2(db, "lsm", &lsmvModule, pMod, lsmvModuleFree);
  if( rc!=SQLITE_OK ) return rc;
  if( ppMod ) *ppMod = pMod;
  rc = lsmvFunctionsRegister(db, pMod);
  if( rc==SQLITE_OK ){
    rc = sqlite3_create_function(db, "lsm_version", 0,
                                 SQLITE_UTF8|SQLITE_DETERMINISTIC|SQLITE_INNOCUOUS,
                                 0, lsmVersionFunc, 0, 0);
  }
  return rc;
}

#ifdef _WIN32
__declspec(dllexport)
#endif
__attribute__((visibility("default")))
int sqlite3_lsmvtab_init(sqlite3 *db, char **pzErrMsg,
                         const sqlite3_api_routines *pApi){
  SQLITE_EXTENSION_INIT2(pApi);
  (void)pzErrMsg;
  return lsmvtabRegister(db, 0, 0);
}

/*
** Test switch of the planner (lsmvtab.h).
*/
void lsmvtabSetFullScan(LsmvModule *pMod, int bOn){
  pMod->bFullScanOnly = bOn!=0;
}
