/*
** destroy.c -- operations on a whole, closed store directory:
** lsmc_destroy() deletes a store (DROP TABLE) and nothing that is not the
** store's; lsmc_rename() moves a store to another directory name (ALTER
** TABLE RENAME of a table whose store path follows its name).
**
** Ownership.  A name in the store directory is deleted only if it parses
** as one of ours (filename.h) AND the store owns it by this rule, decided
** from the live manifest (CURRENT, replayed with lsmcVersionSetRecover):
**     CURRENT, IDENTITY, LOCK   owned (IDENTITY is verified first);
**     NNNNNN.sst                owned if the manifest names it, or if
**                               NNNNNN < NEXT_FILE (an orphan of a flush
**                               or compaction that never reached the
**                               manifest: the number was handed out by
**                               this store, and numbers are never reused);
**     NNNNNN.log, NNNNNN.tmp,   owned if NNNNNN < NEXT_FILE (WAL, temp
**     MANIFEST-NNNNNN           and manifest numbers come from the same
**                               counter; the live manifest is always
**                               below NEXT_FILE).
** Anything else -- a foreign name, or a name of our pattern numbered at or
** above NEXT_FILE and not named by the manifest (TESTPLAN H4) -- is left
** alone, and then the directory stays.  (A WAL created after the last
** manifest edit by a process that then crashed is numbered >= NEXT_FILE
** too: it is kept; opening the store once adopts it, after which destroy
** deletes it.  Keeping a file is the safe mistake.)
**
** Damage.  If IDENTITY, CURRENT or the manifest is damaged, nothing is
** deleted and LSMC_CORRUPT is returned: without a trustworthy NEXT_FILE no
** numbered file can be proved ours.  A store with no manifest (CURRENT
** missing, or naming a manifest that is gone) whose directory holds no
** numbered file of our pattern is an interrupted creation or an
** interrupted destroy: its fixed names are deleted.  With numbered files
** present it is LSMC_CORRUPT (open it, which recovers or reports, first).
**
** Order and crash safety.  The LOCK is taken first (LSMC_BUSY if held, or
** if an engine of this process has the store open), then files go in this
** order: SSTables, WALs, temp files, old manifests, the live manifest,
** CURRENT, IDENTITY, and LOCK last (removed while still held, then
** unlocked, so no other opener can slip in between).  A crash at any point
** leaves either a manifest that still replays (a missing file it names is
** skipped) or only fixed names: running lsmc_destroy again finishes.
** Then the directory is removed if nothing else is in it, and the parent
** (or, if the directory stays, the directory) is synced.
**
** Thread safety: no state outside the call; the lock serialises against
** every opener.
*/
#include "db.h"
#include "env.h"
#include "filename.h"
#include "manifest.h"
#include "options.h"
#include "version.h"
#include "crashpoint.h"

#include <stdlib.h>

/* One name of our pattern found in the directory. */
typedef struct DestroyEntry DestroyEntry;
struct DestroyEntry {
  int eType;             /* LSMC_FILE_* */
  u64 iNum;              /* Its number (0 for the fixed names) */
  int iRank;             /* Deletion order (destroyRank) */
};

/* What the listing of the store directory found. */
typedef struct DestroyScan DestroyScan;
struct DestroyScan {
  lsmc_env *pEnv;        /* Allocator */
  int nForeign;          /* Names that are not of our pattern */
  int nNumbered;         /* Names of ours that carry a number */
  int n;                 /* Entries in a[] */
  int nAlloc;            /* Allocated slots of a[] */
  DestroyEntry *a;       /* Every name of our pattern but LOCK */
};

/* The owner's state, from the manifest (or its absence). */
typedef struct DestroyOwner DestroyOwner;
struct DestroyOwner {
  int bManifest;         /* A manifest was replayed; fields below valid */
  u64 iNextFile;         /* Its NEXT_FILE */
  u64 iManifest;         /* Number of the live manifest */
  Version *v;            /* Live files (owned by the version set) */
  const VersionSet *pVs; /* The recovered set (FOREIGN numbers) */
};

/*
** xList callback: record one name.
*/
static int destroyScanEntry(void *pArg, const char *zName){
  DestroyScan *p = (DestroyScan*)pArg;
  int eType;
  u64 iNum;
  if( !lsmcParseFileName(zName, &eType, &iNum) ){
    p->nForeign++;
    return LSMC_OK;
  }
  if( eType==LSMC_FILE_LOCK ) return LSMC_OK;     /* handled apart */
  if( eType!=LSMC_FILE_CURRENT && eType!=LSMC_FILE_IDENTITY ) p->nNumbered++;
  if( p->n==p->nAlloc ){
    int nNew = p->nAlloc ? p->nAlloc*2 : 32;
    DestroyEntry *aNew = lsmcRealloc(p->pEnv, p->a,
                                     sizeof(DestroyEntry)*(size_t)nNew);
    if( aNew==0 ) return LSMC_NOMEM;
    p->a = aNew;
    p->nAlloc = nNew;
  }
  p->a[p->n].eType = eType;
  p->a[p->n].iNum = iNum;
  p->a[p->n].iRank = 0;
  p->n++;
  return LSMC_OK;
}

/* True if SSTable iNum is named by version v. */
static int destroyInVersion(const Version *v, u64 iNum){
  int i, j;
  for(i=0; i<LSMC_NUM_LEVELS; i++){
    for(j=0; j<v->anFile[i]; j++){
      if( v->apFile[i][j]->iNumber==iNum ) return 1;
    }
  }
  return 0;
}

/*
** True if the store owns pEntry (the rule of the header comment).
*/
static int destroyOwned(const DestroyOwner *pOwn, const DestroyEntry *pEntry){
  switch( pEntry->eType ){
    case LSMC_FILE_CURRENT:
    case LSMC_FILE_IDENTITY:
      return 1;
    case LSMC_FILE_SST:
      if( !pOwn->bManifest ) return 0;
      return (pEntry->iNum<pOwn->iNextFile
              && !lsmcVersionSetIsForeign(pOwn->pVs, pEntry->iNum))
          || destroyInVersion(pOwn->v, pEntry->iNum);
    case LSMC_FILE_WAL:
    case LSMC_FILE_TEMP:
    case LSMC_FILE_MANIFEST:
      return pOwn->bManifest && pEntry->iNum<pOwn->iNextFile
          && !lsmcVersionSetIsForeign(pOwn->pVs, pEntry->iNum);
  }
  return 0;
}

/* Deletion rank: the evidence of ownership goes last. */
static int destroyRank(const DestroyOwner *pOwn, const DestroyEntry *p){
  switch( p->eType ){
    case LSMC_FILE_SST:      return 0;
    case LSMC_FILE_WAL:      return 1;
    case LSMC_FILE_TEMP:     return 2;
    case LSMC_FILE_MANIFEST: return p->iNum==pOwn->iManifest ? 4 : 3;
    case LSMC_FILE_CURRENT:  return 5;
  }
  return 6;                                       /* IDENTITY */
}

/*
** Read CURRENT and replay the manifest into a version set (returned in
** *ppVs, NULL if there is no manifest).  A missing CURRENT, or a CURRENT
** naming a manifest that does not exist, is "no manifest" (LSMC_OK with
** pOwn->bManifest clear); damage is LSMC_CORRUPT.
*/
static int destroyReadOwner(lsmc_env *pEnv, const char *zDir,
                            DestroyOwner *pOwn, VersionSet **ppVs){
  u64 iManifest = 0;
  int bExists = 0;
  int rc = lsmcCurrentRead(pEnv, zDir, &iManifest);
  memset(pOwn, 0, sizeof(*pOwn));
  *ppVs = 0;
  if( rc==LSMC_IOERR_NOENT ) return LSMC_OK;
  if( rc==LSMC_OK ){
    char *zPath = lsmcFileName(pEnv, zDir, LSMC_FILE_MANIFEST, iManifest);
    rc = zPath ? LSMC_ENV(pEnv->xExists(pEnv, zPath, &bExists)) : LSMC_NOMEM;
    lsmcFree(pEnv, zPath);
  }
  if( rc!=LSMC_OK || !bExists ) return rc;
  rc = lsmcVersionSetNew(pEnv, zDir, LSMC_RECOVER_STRICT, 16, 0, ppVs);
  if( rc==LSMC_OK ) rc = lsmcVersionSetRecover(*ppVs);
  if( rc==LSMC_IOERR_NOENT ) rc = LSMC_CORRUPT_BKPT;   /* CURRENT vanished */
  if( rc==LSMC_OK ){
    pOwn->bManifest = 1;
    pOwn->iNextFile = (*ppVs)->iNextFile;
    pOwn->iManifest = (*ppVs)->iManifest;
    pOwn->v = (*ppVs)->pCurrent;
    pOwn->pVs = *ppVs;
  }
  return rc;
}

/* qsort comparator: by rank (destroyRank), then by number. */
static int destroyCmp(const void *a, const void *b){
  const DestroyEntry *x = (const DestroyEntry*)a;
  const DestroyEntry *y = (const DestroyEntry*)b;
  if( x->iRank!=y->iRank ) return x->iRank<y->iRank ? -1 : 1;
  return x->iNum<y->iNum ? -1 : x->iNum>y->iNum;
}

/*
** Remove file "zDir/<name of pEntry>".  A file already gone is not an
** error (an earlier, interrupted destroy).
*/
static int destroyRemove(lsmc_env *pEnv, const char *zDir, int eType, u64 iNum){
  char *zPath = lsmcFileName(pEnv, zDir, eType, iNum);
  int rc = zPath ? LSMC_ENV(pEnv->xRemove(pEnv, zPath)) : LSMC_NOMEM;
  CRASHPOINT(DESTROY_FILE_REMOVED);
  if( rc==LSMC_IOERR_NOENT ) rc = LSMC_OK;
  lsmcFree(pEnv, zPath);
  return rc;
}

/*
** Sync the directory that holds zDir (after zDir was removed).
*/
static int destroySyncParent(lsmc_env *pEnv, const char *zDir){
  size_t n = strlen(zDir);
  char *zParent;
  int rc;
  while( n>1 && zDir[n-1]=='/' ) n--;              /* "a/b/" is "a/b" */
  while( n>0 && zDir[n-1]!='/' ) n--;              /* drop the last part */
  while( n>1 && zDir[n-1]=='/' ) n--;              /* "a//b": "a" */
  if( n==0 ){
    zParent = lsmcStrdup(pEnv, ".");
  }else{
    zParent = lsmcMprintf(pEnv, "%.*s", (int)n, zDir);
  }
  rc = zParent ? LSMC_ENV(pEnv->xSyncDir(pEnv, zParent)) : LSMC_NOMEM;
  lsmcFree(pEnv, zParent);
  return rc;
}

/*
** With the lock held: verify IDENTITY, find the owner, list the directory
** and delete every owned file but LOCK.  *pbKeepDir is set if a name that
** is not the store's stays.
*/
static int destroyFiles(lsmc_env *pEnv, const char *zDir, int *pbKeepDir){
  DestroyScan scan;
  DestroyOwner own;
  VersionSet *pVs = 0;
  int rc;
  int i;

  memset(&scan, 0, sizeof(scan));
  memset(&own, 0, sizeof(own));
  scan.pEnv = pEnv;
  rc = lsmcDbCheckIdentity(pEnv, zDir);
  if( rc==LSMC_IOERR_NOENT ) rc = LSMC_CANTOPEN;    /* vanished meanwhile */
  if( rc==LSMC_OK ) rc = destroyReadOwner(pEnv, zDir, &own, &pVs);
  if( rc==LSMC_OK ) rc = LSMC_ENV(pEnv->xList(pEnv, zDir, destroyScanEntry, &scan));
  if( rc==LSMC_OK && !own.bManifest && scan.nNumbered>0 ){
    rc = LSMC_CORRUPT_BKPT;    /* files of ours that no manifest explains */
  }
  if( rc==LSMC_OK ){
    int nKeep = 0;
    for(i=0; i<scan.n; i++){
      if( destroyOwned(&own, &scan.a[i]) ){
        scan.a[i].iRank = destroyRank(&own, &scan.a[i]);
        scan.a[i-nKeep] = scan.a[i];
      }else{
        nKeep++;
      }
    }
    scan.n -= nKeep;
    *pbKeepDir = (nKeep>0 || scan.nForeign>0);
    qsort(scan.a, (size_t)scan.n, sizeof(DestroyEntry), destroyCmp);
    for(i=0; rc==LSMC_OK && i<scan.n; i++){
      rc = destroyRemove(pEnv, zDir, scan.a[i].eType, scan.a[i].iNum);
    }
  }
  lsmcVersionSetFree(pVs);
  lsmcFree(pEnv, scan.a);
  return rc;
}

int lsmc_destroy(const char *zDir, const lsmc_options *pOpts){
  lsmc_env *pEnv = (pOpts && pOpts->pEnv) ? pOpts->pEnv : lsmc_default_env();
  lsmc_file *pLock = 0;
  char *zIdentity = 0;
  char *zLock = 0;
  int bExists = 0;
  int bKeepDir = 1;
  int rc;

  if( zDir==0 || zDir[0]=='\0' ) return LSMC_MISUSE_BKPT;
  rc = LSMC_ENV(pEnv->xExists(pEnv, zDir, &bExists));
  if( rc!=LSMC_OK || !bExists ) return rc;

  /* A directory without IDENTITY is not a store: touch nothing (not even
  ** LOCK, which xLock would create). */
  zIdentity = lsmcFileName(pEnv, zDir, LSMC_FILE_IDENTITY, 0);
  zLock = lsmcFileName(pEnv, zDir, LSMC_FILE_LOCK, 0);
  rc = (zIdentity && zLock) ? LSMC_OK : LSMC_NOMEM;
  if( rc==LSMC_OK ) rc = LSMC_ENV(pEnv->xExists(pEnv, zIdentity, &bExists));
  if( rc==LSMC_OK && !bExists ) rc = LSMC_CANTOPEN;
  if( rc==LSMC_OK && lsmcDbIsOpen(pEnv, zDir) ) rc = LSMC_BUSY;
  /* A damaged or foreign IDENTITY: refuse before xLock creates LOCK (H2). */
  if( rc==LSMC_OK ) rc = lsmcDbCheckIdentity(pEnv, zDir);
  if( rc==LSMC_IOERR_NOENT ) rc = LSMC_CANTOPEN;
  if( rc==LSMC_OK ) rc = LSMC_ENV(pEnv->xLock(pEnv, zLock, &pLock));
  if( rc==LSMC_OK ) CRASHPOINT(DESTROY_LOCKED);

  if( rc==LSMC_OK ) rc = destroyFiles(pEnv, zDir, &bKeepDir);
  if( pLock ){
    int rc2 = LSMC_OK;
    if( rc==LSMC_OK ) rc2 = destroyRemove(pEnv, zDir, LSMC_FILE_LOCK, 0);
    LSMC_ENV(pEnv->xUnlock(pEnv, pLock));
    if( rc==LSMC_OK ) rc = rc2;
    if( rc==LSMC_OK ) CRASHPOINT(DESTROY_UNLOCKED);
    if( rc==LSMC_OK && !bKeepDir ){
      rc = LSMC_ENV(pEnv->xRmdir(pEnv, zDir));
      if( rc==LSMC_OK ) CRASHPOINT(DESTROY_RMDIR);
      if( rc==LSMC_OK ) rc = destroySyncParent(pEnv, zDir);
    }else if( rc==LSMC_OK ){
      rc = LSMC_ENV(pEnv->xSyncDir(pEnv, zDir));
    }
  }
  lsmcFree(pEnv, zIdentity);
  lsmcFree(pEnv, zLock);
  return rc;
}

/*
** Move the closed store zFrom to the new directory name zTo with one
** rename(2) (see lsmcore.h).  The LOCK is held across the rename so no
** opener can slip in; the lock file moves with the directory.
*/
int lsmc_rename(const char *zFrom, const char *zTo, const lsmc_options *pOpts){
  lsmc_env *pEnv = (pOpts && pOpts->pEnv) ? pOpts->pEnv : lsmc_default_env();
  lsmc_file *pLock = 0;
  char *zIdentity = 0;
  char *zLock = 0;
  int bExists = 0;
  int rc;

  if( zFrom==0 || zFrom[0]=='\0' || zTo==0 || zTo[0]=='\0' ){
    return LSMC_MISUSE_BKPT;
  }
  zIdentity = lsmcFileName(pEnv, zFrom, LSMC_FILE_IDENTITY, 0);
  zLock = lsmcFileName(pEnv, zFrom, LSMC_FILE_LOCK, 0);
  rc = (zIdentity && zLock) ? LSMC_OK : LSMC_NOMEM;
  if( rc==LSMC_OK ) rc = LSMC_ENV(pEnv->xExists(pEnv, zIdentity, &bExists));
  if( rc==LSMC_OK && !bExists ) rc = LSMC_CANTOPEN;
  if( rc==LSMC_OK ) rc = LSMC_ENV(pEnv->xExists(pEnv, zTo, &bExists));
  if( rc==LSMC_OK && bExists ) rc = LSMC_CANTOPEN;
  if( rc==LSMC_OK && lsmcDbIsOpen(pEnv, zFrom) ) rc = LSMC_BUSY;
  if( rc==LSMC_OK ) rc = LSMC_ENV(pEnv->xLock(pEnv, zLock, &pLock));
  if( rc==LSMC_OK ){
    rc = LSMC_ENV(pEnv->xRename(pEnv, zFrom, zTo));
    if( rc==LSMC_OK ){
      rc = destroySyncParent(pEnv, zTo);
      if( rc==LSMC_OK ) rc = destroySyncParent(pEnv, zFrom);
      /* Nothing changes on error: a caller that reports the rename as
      ** failed (ALTER TABLE) keeps looking for the store at zFrom. */
      if( rc!=LSMC_OK ) LSMC_ENV(pEnv->xRename(pEnv, zTo, zFrom));
    }
  }
  if( pLock ) LSMC_ENV(pEnv->xUnlock(pEnv, pLock));
  lsmcFree(pEnv, zIdentity);
  lsmcFree(pEnv, zLock);
  return rc;
}
