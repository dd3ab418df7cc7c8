/*
** table.c -- the lifecycle of an "lsm" table: xCreate, xConnect,
** xDisconnect, xDestroy and xRename; the store, opened on first use;
** temporary stores of in-memory and temp databases; and the mapping of
** engine errors to SQLite's result codes and messages.
**
** xConnect only parses and validates (schema.h, storepath.h): it creates,
** opens, locks, writes and deletes nothing, because SQLite calls it while
** merely reading a schema, even one from an untrusted database file.  The
** store is opened by lsmvTabStore() on first use (a cursor, a write, a
** function), and only xCreate may create it (LSMC_OPT_CREATE): a store
** directory that has gone missing later is an error, not a new empty
** table.  xCreate over an existing store of ours adopts its data (a crash
** between creating the store and committing the CREATE leaves a usable
** store; path= may name a store on purpose); a non-empty directory that
** is not a store is refused by the engine.
**
** DROP TABLE (xDestroy) deletes only what lsmc_destroy proves is the
** store's.  It is refused inside an explicit transaction: a ROLLBACK
** would bring the table back but not its deleted files.
**
** ALTER TABLE RENAME (xRename): a store at an explicit path= stays where
** it is; a store at the default path "<db>-<table>.lsm" is renamed with
** the table (lsmc_rename) so that it is found under the new name.  SQLite
** calls xRename outside the vtab's transaction (no xBegin, and no
** xRollback follows), so a directory move could not be undone by a
** ROLLBACK: such a rename is refused inside an explicit transaction.
**
** The declaration kept in the store.  Each time a table opens its store
** (and after xRename), the table's declaration is written into the store
** as the engine's metadata "lsmvtab.schema" (lsmc_meta_put), unless the
** store already holds exactly that value, so that lsmctl can decode the
** store's rows without the database file (lsmctl dump --table).  Value,
** format 1: the ASCII digit "1", the table name, then each argument of
** CREATE VIRTUAL TABLE as SQLite hands it to xCreate (argv[3...]), each of
** these fields followed by a NUL byte; that is what lsmvSchemaParse()
** takes.  A store created before this existed gets it on its next open; a
** declaration larger than LSMC_META_MAX_VALUE is not kept.  Temporary
** stores keep none.
**
** Every table is SQLITE_VTAB_DIRECTONLY and declares
** SQLITE_VTAB_CONSTRAINT_SUPPORT (update.c returns SQLITE_CONSTRAINT
** before changing anything).
*/
#include "lsmvInt.h"
#include "storepath.h"

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/*
** Set the table's error message (sqlite3_mprintf format), replacing any.
*/
void lsmvTabSetError(LsmvTab *p, const char *zFmt, ...){
  va_list ap;
  va_start(ap, zFmt);
  sqlite3_free(p->base.zErrMsg);
  p->base.zErrMsg = sqlite3_vmprintf(zFmt, ap);
  va_end(ap);
}

/*
** Map an engine result code to SQLite's and set a message naming the
** table, what was being done, and the engine's reason.
*/
int lsmvTabError(LsmvTab *p, int rc, const char *zWhat){
  const char *zReason;
  int rcSql;
  if( rc==LSMC_OK ) return SQLITE_OK;
  switch( rc & 0xff ){
    case LSMC_BUSY:     rcSql = SQLITE_BUSY;     break;
    case LSMC_NOMEM:    rcSql = SQLITE_NOMEM;    break;
    case LSMC_IOERR:    rcSql = SQLITE_IOERR;    break;
    case LSMC_CORRUPT:  rcSql = SQLITE_CORRUPT;  break;
    case LSMC_FULL:     rcSql = SQLITE_FULL;     break;
    case LSMC_CANTOPEN: rcSql = SQLITE_CANTOPEN; break;
    case LSMC_MISUSE:   rcSql = SQLITE_MISUSE;   break;
    default:            rcSql = SQLITE_ERROR;    break;
  }
  if( rcSql==SQLITE_NOMEM ) return rcSql;
  zReason = p->pDb ? lsmc_errmsg(p->pDb) : lsmc_errstr(rc);
  if( zReason==0 || strcmp(zReason, "not an error")==0 ) zReason = lsmc_errstr(rc);
  lsmvTabSetError(p, "lsm table %s: %s: %s", p->pSchema->zTable, zWhat,
                  zReason);
  return rcSql;
}

/*
** The temporary store record of (zDb, zTable), created if bCreate.
** Returns NULL if absent (or on NOMEM when bCreate).
*/
static LsmvTemp *tabTempFind(LsmvModule *pMod, const char *zDb,
                             const char *zTable, int bCreate){
  LsmvTemp *pT;
  for(pT=pMod->pTempList; pT; pT=pT->pNext){
    if( sqlite3_stricmp(pT->zDb, zDb)==0
     && sqlite3_stricmp(pT->zTable, zTable)==0 ){
      return pT;
    }
  }
  if( !bCreate ) return 0;
  pT = sqlite3_malloc(sizeof(*pT));
  if( pT==0 ) return 0;
  memset(pT, 0, sizeof(*pT));
  pT->zDb = sqlite3_mprintf("%s", zDb);
  pT->zTable = sqlite3_mprintf("%s", zTable);
  if( pT->zDb==0 || pT->zTable==0 ){
    sqlite3_free(pT->zDb);
    sqlite3_free(pT->zTable);
    sqlite3_free(pT);
    return 0;
  }
  pT->pNext = pMod->pTempList;
  pMod->pTempList = pT;
  return pT;
}

/*
** lsmc_destroy of store zDir (zNewDir NULL), or lsmc_rename to zNewDir, through the
** module's env.
*/
static int tabStoreRemove(LsmvModule *pMod, const char *zDir,
                          const char *zNewDir){
  lsmc_options *pOpts = 0;
  int rc = LSMC_OK;
  if( pMod->pEnv ){
    rc = lsmc_options_new(&pOpts);
    if( rc==LSMC_OK ) lsmc_options_set_env(pOpts, pMod->pEnv);
  }
  if( rc==LSMC_OK ){
    rc = zNewDir ? lsmc_rename(zDir, zNewDir, pOpts)
                 : lsmc_destroy(zDir, pOpts);
  }
  lsmc_options_free(pOpts);
  return rc;
}

/*
** Delete a temporary store's directory (its files first) and unlink and
** free its record.  If the store is still open through another engine
** handle: return LSMC_BUSY and keep the record, or, if bForce (the
** connection is closing), leave the directory behind and free the record.
*/
static int tabTempDrop(LsmvModule *pMod, LsmvTemp *pT, int bForce){
  LsmvTemp **pp;
  int rc = LSMC_OK;
  if( pT->zDir ){
    rc = tabStoreRemove(pMod, pT->zDir, 0);
    if( rc==LSMC_CANTOPEN ){
      rc = rmdir(pT->zDir)==0 || errno==ENOENT ? LSMC_OK : LSMC_IOERR;
    }
    if( rc==LSMC_BUSY ){
      if( !bForce ) return rc;
      sqlite3_log(SQLITE_WARNING, "lsm: temporary store %s left behind",
                  pT->zDir);
    }
  }
  for(pp=&pMod->pTempList; *pp; pp=&(*pp)->pNext){
    if( *pp==pT ){ *pp = pT->pNext; break; }
  }
  sqlite3_free(pT->zDb);
  sqlite3_free(pT->zTable);
  sqlite3_free(pT->zDir);
  sqlite3_free(pT);
  return rc;
}

/*
** The module's client data destructor: the connection is closing (every
** table is disconnected by now).  Temporary stores go with it.
*/
void lsmvModuleFree(void *pArg){
  LsmvModule *pMod = (LsmvModule*)pArg;
  while( pMod->pTempList ) tabTempDrop(pMod, pMod->pTempList, 1);
  sqlite3_free(pMod);
}

/*
** The connected table of this connection named zTable in schema zDb (any
** schema if zDb is NULL), or NULL.
*/
LsmvTab *lsmvTabFind(LsmvModule *pMod, const char *zDb, const char *zTable){
  LsmvTab *p;
  for(p=pMod->pTabList; p; p=p->pNext){
    if( sqlite3_stricmp(p->pSchema->zTable, zTable)==0
     && (zDb==0 || sqlite3_stricmp(p->pSchema->zDb, zDb)==0) ){
      return p;
    }
  }
  return 0;
}

/*
** Create the missing directories above the store directory zDir (the
** store creates zDir itself).  Existing components were checked by
** lsmvStorePath (no symbolic links in confined mode).
*/
static int tabMakeParents(LsmvTab *p, const char *zDir){
  char *z = sqlite3_mprintf("%s", zDir);
  char *zSlash;
  int rc = SQLITE_OK;
  if( z==0 ) return SQLITE_NOMEM;
  for(zSlash=strchr(z+1, '/'); zSlash && rc==SQLITE_OK;
      zSlash=strchr(zSlash+1, '/')){
    *zSlash = '\0';
    if( mkdir(z, 0755)!=0 && errno!=EEXIST ){
      lsmvTabSetError(p, "lsm table %s: cannot create directory %s: %s",
                      p->pSchema->zTable, z, strerror(errno));
      rc = SQLITE_CANTOPEN;
    }
    *zSlash = '/';
  }
  sqlite3_free(z);
  return rc;
}

/*
** The engine options of the table's schema.  bCreate: LSMC_OPT_CREATE.
*/
static int tabOptions(LsmvTab *p, int bCreate, lsmc_options **ppOpts){
  return lsmvEngineOptions(&p->pSchema->opt, p->pMod->pEnv, bCreate, ppOpts);
}

/*
** Keep the table's declaration, under the table name zName, in its open
** store (see the header comment); nothing is written if the store holds
** that value already.  Returns an LSMC_* code.
*/
static int tabSchemaKeep(LsmvTab *p, const char *zName){
  size_t nName = strlen(zName);
  size_t nVal = 2 + nName + 1 + (size_t)p->nDeclArg;
  void *pOld = 0;
  size_t nOld = 0;
  char *aVal;
  int rc;
  if( nVal>LSMC_META_MAX_VALUE ) return LSMC_OK;
  aVal = sqlite3_malloc64(nVal);
  if( aVal==0 ) return LSMC_NOMEM;
  memcpy(aVal, "1", 2);
  memcpy(&aVal[2], zName, nName + 1);
  if( p->nDeclArg ) memcpy(&aVal[3+nName], p->aDeclArg, (size_t)p->nDeclArg);
  rc = lsmc_meta_get(p->pDb, "lsmvtab.schema", &pOld, &nOld);
  if( rc==LSMC_NOTFOUND || (rc==LSMC_OK
       && (nOld!=nVal || memcmp(pOld, aVal, nVal)!=0)) ){
    rc = lsmc_meta_put(p->pDb, "lsmvtab.schema", aVal, nVal);
  }
  lsmc_free(p->pDb, pOld);
  sqlite3_free(aVal);
  return rc;
}

/*
** Open the table's store (creating it if bCreate).  A no-op once open.
*/
static int tabStoreOpen(LsmvTab *p, int bCreate){
  lsmc_options *pOpts = 0;
  const char *zDir = p->zDir;
  int rc;
  if( p->pDb ) return SQLITE_OK;
  if( p->bTemp ){
    LsmvTemp *pT = tabTempFind(p->pMod, p->pSchema->zDb,
                               p->pSchema->zTable, 1);
    if( pT==0 ) return SQLITE_NOMEM;
    if( pT->zDir==0 ){
      const char *zTmp = getenv("TMPDIR");
      char *zTemplate = sqlite3_mprintf("%s/lsmvtab-XXXXXX",
                                        zTmp && zTmp[0] ? zTmp : "/tmp");
      if( zTemplate==0 ) return SQLITE_NOMEM;
      if( mkdtemp(zTemplate)==0 ){
        lsmvTabSetError(p, "lsm table %s: cannot create a temporary "
                        "directory %s: %s", p->pSchema->zTable, zTemplate,
                        strerror(errno));
        sqlite3_free(zTemplate);
        return SQLITE_CANTOPEN;
      }
      pT->zDir = zTemplate;
    }
    zDir = pT->zDir;
    bCreate = 1;
  }
  rc = tabOptions(p, bCreate, &pOpts);
  if( rc==LSMC_OK ) rc = lsmc_open(zDir, pOpts, &p->pDb);
  lsmc_options_free(pOpts);
  if( rc==LSMC_OK && !p->bTemp ){
    rc = tabSchemaKeep(p, p->pSchema->zTable);
    if( rc!=LSMC_OK ){
      int rcSql = lsmvTabError(p, rc, "cannot keep the table declaration "
                                      "in the store");
      lsmc_close(p->pDb);
      p->pDb = 0;
      return rcSql;
    }
  }
  if( rc!=LSMC_OK ){
    int rcSql = lsmvTabError(p, rc, bCreate ? "cannot create the store"
                                            : "cannot open the store");
    if( (rc & 0xff)==LSMC_CANTOPEN && !bCreate ){
      lsmvTabSetError(p, "lsm table %s: cannot open the store %s: %s",
                      p->pSchema->zTable, zDir,
                      p->pDb ? lsmc_errmsg(p->pDb) : lsmc_errstr(rc));
    }
    lsmc_close(p->pDb);
    p->pDb = 0;
    return rcSql;
  }
  return SQLITE_OK;
}

/*
** The store, opened on first use (never created here: see the header).
*/
int lsmvTabStore(LsmvTab *p){
  return tabStoreOpen(p, 0);
}

/*
** Free a table object (its store handle must be closed or unused).
*/
static void tabFree(LsmvTab *p){
  LsmvTab **pp;
  if( p==0 ) return;
  for(pp=&p->pMod->pTabList; *pp; pp=&(*pp)->pNext){
    if( *pp==p ){ *pp = p->pNext; break; }
  }
  lsmvTxnFree(p);
  lsmvCursorFreeSpare(p);
  lsmvUpdateFree(p);
  if( p->pDb ) lsmc_close(p->pDb);
  lsmvSchemaFree(p->pSchema);
  sqlite3_free(p->zDir);
  sqlite3_free(p->aDeclArg);
  sqlite3_free(p->aiRec);
  sqlite3_free(p->base.zErrMsg);
  sqlite3_free(p);
}

/*
** xCreate and xConnect: parse and validate the arguments, declare the
** schema, resolve the store path; xCreate (bCreate) also creates the
** store.
*/
static int tabInit(sqlite3 *db, void *pAux, int argc, const char *const *argv,
                   sqlite3_vtab **ppVtab, char **pzErr, int bCreate){
  LsmvModule *pMod = (LsmvModule*)pAux;
  LsmvTab *p;
  char *zDecl = 0;
  char *zErr = 0;
  int rc;
  int i;

  *ppVtab = 0;
  p = sqlite3_malloc(sizeof(*p));
  if( p==0 ) return SQLITE_NOMEM;
  memset(p, 0, sizeof(*p));
  p->pMod = pMod;
  p->db = db;
  rc = lsmvSchemaParse(argc, argv, &p->pSchema, &zErr);
  for(i=3; rc==SQLITE_OK && i<argc; i++){
    p->nDeclArg += (int)strlen(argv[i]) + 1;
  }
  if( rc==SQLITE_OK && p->nDeclArg>0 ){
    char *z = p->aDeclArg = sqlite3_malloc(p->nDeclArg);
    if( z==0 ) rc = SQLITE_NOMEM;
    for(i=3; rc==SQLITE_OK && i<argc; i++){
      size_t n = strlen(argv[i]) + 1;
      memcpy(z, argv[i], n);
      z += n;
    }
  }
  if( rc==SQLITE_OK ){
    LsmvSchema *pS = p->pSchema;
    int nAll = pS->nCol + 1;
    p->aiRec = sqlite3_malloc64(sizeof(int)*2*(size_t)nAll);
    if( p->aiRec==0 ) rc = SQLITE_NOMEM;
    if( rc==SQLITE_OK ){
      p->aiKeyPos = &p->aiRec[nAll];
      p->nRec = lsmvSchemaColumnMap(pS, p->aiKeyPos, p->aiRec);
    }
  }
  if( rc==SQLITE_OK ){
    zDecl = lsmvSchemaDeclare(p->pSchema);
    if( zDecl==0 ) rc = SQLITE_NOMEM;
  }
  if( rc==SQLITE_OK ) rc = sqlite3_declare_vtab(db, zDecl);
  if( rc==SQLITE_OK ){
    sqlite3_vtab_config(db, SQLITE_VTAB_CONSTRAINT_SUPPORT, 1);
    sqlite3_vtab_config(db, SQLITE_VTAB_DIRECTONLY);
  }
  if( rc==SQLITE_OK ){
    const char *zFile = sqlite3_db_filename(db, p->pSchema->zDb);
    rc = lsmvStorePath(zFile, p->pSchema->zTable, p->pSchema->opt.zPath,
                       pMod->bAllowOutside, &p->zDir, &zErr);
    if( rc==LSMV_STOREPATH_TEMP ){
      p->bTemp = 1;
      rc = SQLITE_OK;
    }
  }
  if( rc==SQLITE_OK ){
    p->pNext = pMod->pTabList;
    pMod->pTabList = p;
  }
  if( rc==SQLITE_OK && bCreate ){
    if( !p->bTemp ) rc = tabMakeParents(p, p->zDir);
    if( rc==SQLITE_OK ) rc = tabStoreOpen(p, 1);
    if( rc!=SQLITE_OK ){
      zErr = p->base.zErrMsg;
      p->base.zErrMsg = 0;
    }
  }
  sqlite3_free(zDecl);
  if( rc!=SQLITE_OK ){
    if( zErr ){
      *pzErr = zErr;                 /* already names "lsm" and the fault */
    }else if( rc!=SQLITE_NOMEM ){
      *pzErr = sqlite3_mprintf("lsm: %s", sqlite3_errstr(rc));
    }
    tabFree(p);
    return rc==SQLITE_NOMEM ? rc : SQLITE_ERROR;
  }
  *ppVtab = &p->base;
  return SQLITE_OK;
}

static int tabCreate(sqlite3 *db, void *pAux, int argc,
                     const char *const *argv, sqlite3_vtab **ppVtab,
                     char **pzErr){
  return tabInit(db, pAux, argc, argv, ppVtab, pzErr, 1);
}

static int tabConnect(sqlite3 *db, void *pAux, int argc,
                      const char *const *argv, sqlite3_vtab **ppVtab,
                      char **pzErr){
  return tabInit(db, pAux, argc, argv, ppVtab, pzErr, 0);
}

static int tabDisconnect(sqlite3_vtab *pVtab){
  tabFree((LsmvTab*)pVtab);
  return SQLITE_OK;
}

/*
** xDestroy (DROP TABLE): close the store and delete it.
*/
static int tabDestroy(sqlite3_vtab *pVtab){
  LsmvTab *p = (LsmvTab*)pVtab;
  int rc = LSMC_OK;
  if( !sqlite3_get_autocommit(p->db) ){
    lsmvTabSetError(p, "lsm table %s: DROP TABLE inside a transaction is "
                    "not supported (ROLLBACK could not restore the store); "
                    "drop it outside a transaction", p->pSchema->zTable);
    return SQLITE_ERROR;
  }
  if( p->pDb ){
    lsmc_close(p->pDb);
    p->pDb = 0;
  }
  if( p->bTemp ){
    LsmvTemp *pT = tabTempFind(p->pMod, p->pSchema->zDb,
                               p->pSchema->zTable, 0);
    if( pT ) rc = tabTempDrop(p->pMod, pT, 0);
  }else{
    rc = tabStoreRemove(p->pMod, p->zDir, 0);
    if( (rc & 0xff)==LSMC_CANTOPEN || (rc & 0xff)==LSMC_CORRUPT ){
      /* Not provably ours, or damaged: delete nothing, drop the table. */
      sqlite3_log(SQLITE_WARNING, "lsm: DROP TABLE %s left %s in place (%s)",
                  p->pSchema->zTable, p->zDir, lsmc_errstr(rc));
      rc = LSMC_OK;
    }
  }
  if( rc!=LSMC_OK ){
    return lsmvTabError(p, rc, "cannot delete the store");
  }
  tabFree(p);
  return SQLITE_OK;
}

/*
** After xRename: keep the declaration under the new name zNew at once.
** Best effort: the rename is done and stands; if the store cannot be
** opened now (in use elsewhere, or missing) its next open keeps it.
*/
static void tabSchemaRenamed(LsmvTab *p, const char *zNew){
  if( tabStoreOpen(p, 0)==SQLITE_OK ){
    tabSchemaKeep(p, zNew);
  }
  sqlite3_free(p->base.zErrMsg);
  p->base.zErrMsg = 0;
}

/*
** xRename: see the header comment.
*/
static int tabRename(sqlite3_vtab *pVtab, const char *zNew){
  LsmvTab *p = (LsmvTab*)pVtab;
  LsmvSchema *pS = p->pSchema;
  char *zNewDir = 0;
  char *zErr = 0;
  struct stat st;
  int rc;

  if( p->bTemp ){
    LsmvTemp *pT = tabTempFind(p->pMod, pS->zDb, pS->zTable, 0);
    char *zName = sqlite3_mprintf("%s", zNew);
    if( zName==0 ) return SQLITE_NOMEM;
    if( pT ){
      sqlite3_free(pT->zTable);
      pT->zTable = zName;
    }else{
      sqlite3_free(zName);
    }
    return SQLITE_OK;
  }
  if( pS->opt.zPath ){                   /* explicit path: it stays */
    tabSchemaRenamed(p, zNew);
    return SQLITE_OK;
  }
  if( !sqlite3_get_autocommit(p->db) ){
    lsmvTabSetError(p, "lsm table %s: ALTER TABLE RENAME inside a transaction "
                    "is not supported for a store at the default path "
                    "(ROLLBACK could not move it back); rename outside a "
                    "transaction, or give the table a path= option",
                    pS->zTable);
    return SQLITE_ERROR;
  }
  rc = lsmvStorePath(sqlite3_db_filename(p->db, pS->zDb), zNew, 0,
                     p->pMod->bAllowOutside, &zNewDir, &zErr);
  if( rc!=SQLITE_OK ){
    lsmvTabSetError(p, "lsm table %s: %s", pS->zTable,
                    zErr ? zErr : "cannot compute the new store path");
    sqlite3_free(zErr);
    return rc==SQLITE_NOMEM ? rc : SQLITE_ERROR;
  }
  if( p->pDb ){
    lsmc_close(p->pDb);
    p->pDb = 0;
  }
  if( stat(p->zDir, &st)!=0 && errno==ENOENT ){
    rc = LSMC_OK;                        /* nothing to move */
  }else{
    rc = tabStoreRemove(p->pMod, p->zDir, zNewDir);
  }
  if( rc!=LSMC_OK ){
    sqlite3_free(zNewDir);
    return lsmvTabError(p, rc, "cannot rename the store directory");
  }
  sqlite3_free(p->zDir);
  p->zDir = zNewDir;
  tabSchemaRenamed(p, zNew);
  return SQLITE_OK;
}

sqlite3_module lsmvModule = {
  /* iVersion    */ 3,
  /* xCreate     */ tabCreate,
  /* xConnect    */ tabConnect,
  /* xBestIndex  */ lsmvXBestIndex,
  /* xDisconnect */ tabDisconnect,
  /* xDestroy    */ tabDestroy,
  /* xOpen       */ lsmvXOpen,
  /* xClose      */ lsmvXClose,
  /* xFilter     */ lsmvXFilter,
  /* xNext       */ lsmvXNext,
  /* xEof        */ lsmvXEof,
  /* xColumn     */ lsmvXColumn,
  /* xRowid      */ lsmvXRowid,
  /* xUpdate     */ lsmvXUpdate,
  /* xBegin      */ lsmvXBegin,
  /* xSync       */ lsmvXSync,
  /* xCommit     */ lsmvXCommit,
  /* xRollback   */ lsmvXRollback,
  /* xFindMethod */ 0,
  /* xRename     */ tabRename,
  /* xSavepoint  */ lsmvXSavepoint,
  /* xRelease    */ lsmvXRelease,
  /* xRollbackTo */ lsmvXRollbackTo,
  /* xShadowName */ 0
};
