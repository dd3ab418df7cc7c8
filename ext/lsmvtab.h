/*
** lsmvtab.h -- the module's interface for programs that link its sources
** instead of loading lsmvtab.so (the tests).  The loadable extension
** exports only sqlite3_lsmvtab_init, which calls lsmvtabRegister(db, 0, 0).
**
** lsmvtabRegister registers the virtual-table module "lsm", its SQL
** functions and lsm_version() on db.  The engine reaches the file system
** through pEnv (NULL: the POSIX default); pEnv is not owned and must
** outlive the connection, which lets a test run the module over a
** fault-injecting env.  If ppMod is not NULL it receives the connection's
** module object (owned by the connection, freed when it closes), for the
** test switches below.
**
** lsmvtabSetFullScan: while on, the planner of that connection offers
** only full scans (TESTPLAN E2, the disabled-index differential).  It
** takes effect for statements prepared afterwards.  The environment
** variable LSMVTAB_TEST_FULL_SCAN=1 at registration turns it on too.
*/
#ifndef LSMVTAB_H
#define LSMVTAB_H

#include "lsmcore.h"

typedef struct LsmvModule LsmvModule;

int lsmvtabRegister(sqlite3 *db, lsmc_env *pEnv, LsmvModule **ppMod);
void lsmvtabSetFullScan(LsmvModule *pMod, int bOn);

#endif /* LSMVTAB_H */
