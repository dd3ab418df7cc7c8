/*
** faultenv.c -- the fault-injecting, crash-simulating test env described
** in faultenv.h.
**
** A FaultEnv embeds the lsmc_env it hands out (env.pCtx points back at
** it) and forwards every call to its base env.  Files opened through it
** are FaultFile wrappers around a base handle; files it created also point
** at a FaultTrack, the record of their synced size.  Namespace changes are
** kept in a log of FaultDirOp entries, newest first, pruned by xSyncDir.
** Lock handles are the base env's own (xUnlock is an env method, so no
** wrapper is needed).
**
** Invariants: every FaultTrack with zPath!=NULL names the file's current
** path; nOpen counts the FaultFiles pointing at it; its pWrite list holds
** the appends made since its last xSync, each ending at or below the
** file's size (xTruncate clips them).  A FaultDirOp's zDir is
** normalised (no trailing '/'; "." for a bare name) exactly as xSyncDir
** normalises its argument, so that plain string equality matches them.
**
** Thread safety: one mutex guards counters, fault settings and tracking.
** Data calls (read, append, sync) hold it only for bookkeeping; namespace
** calls (create, rename, remove, mkdir, syncdir) hold it across the base
** call so that their before/after checks are atomic.  The sync hook runs
** with the mutex released.  This is a test tool: clarity over speed.
*/
#include "faultenv.h"

#include <pthread.h>

typedef struct FaultTrack FaultTrack;
typedef struct FaultWrite FaultWrite;
typedef struct FaultDirOp FaultDirOp;
typedef struct FaultFile FaultFile;

/* One append not yet covered by an xSync (for FAULT_SECTOR). */
struct FaultWrite {
  u64 iOff;             /* File offset of its first byte */
  u64 n;                /* Bytes appended */
  FaultWrite *pNext;    /* Next newer unsynced append */
};

/* A file created through the env: what survives a crash. */
struct FaultTrack {
  char *zPath;          /* Current name; NULL once removed or replaced */
  u64 nSynced;          /* File size at the last successful xSync */
  int nOpen;            /* FaultFiles writing it */
  FaultWrite *pWrite;   /* Unsynced appends, oldest first */
  FaultTrack *pNext;    /* Next record, in order of creation */
};

/* Kinds of namespace change. */
#define DIROP_CREATE  1   /* A file that did not exist was created */
#define DIROP_MKDIR   2   /* A directory that did not exist was made */
#define DIROP_RENAME  3   /* zFrom was renamed to zPath */
#define DIROP_REMOVE  4   /* zPath was removed */

/* One namespace change not yet made durable by xSyncDir(zDir). */
struct FaultDirOp {
  int eType;            /* DIROP_* */
  char *zDir;           /* Directory that holds the change (normalised) */
  char *zPath;          /* Created, made or removed name; rename target */
  char *zFrom;          /* Rename source, else NULL */
  u8 *aSaved;           /* Bytes of the removed or replaced file */
  size_t nSaved;        /* Size of aSaved */
  int bSaved;           /* True if aSaved/nSaved hold those bytes */
  FaultDirOp *pPrev;    /* Next older change */
};

/* An open file. */
struct FaultFile {
  FaultEnv *pFault;     /* Owning env */
  lsmc_file *pReal;     /* Base env's handle */
  FaultTrack *pTrack;   /* Crash record if created here, else NULL */
};

struct FaultEnv {
  lsmc_env env;             /* Handed to the engine; env.pCtx == this */
  lsmc_env *pBase;          /* Env doing the real work */
  pthread_mutex_t mutex;    /* Guards everything below */
  u64 aCount[FAULT_N_OP];   /* Calls per operation */
  u64 nInjected;            /* Failures injected */
  u32 failMask;             /* Ops that may fail; 0 when disarmed */
  u64 nFailLeft;            /* Matching calls until the failure */
  int failRc;               /* Code returned by injected failures */
  int bFailPersistent;      /* Keep failing after the first */
  int bFailing;             /* Persistent failure has started */
  i64 nTornPrefix;          /* Bytes written by a failed xAppend; <0: none */
  u64 nMallocLeft;          /* Allocations until a failure; 0: disarmed */
  int bMallocPersistent;    /* Keep failing allocations after the first */
  int bMallocFailing;       /* Persistent allocation failure started */
  int bDead;                /* Refuse every mutating call */
  void (*xHook)(FaultEnv*, void*, u64);  /* Sync hook, or NULL */
  void *pHookArg;           /* Argument of xHook */
  u64 nSync;                /* Successful xSync + xSyncDir calls */
  size_t nUndoMax;          /* Largest file saved for undo */
  FaultTrack *pTrackFirst;  /* Crash records, oldest first */
  FaultTrack *pTrackLast;   /* Newest crash record */
  FaultDirOp *pDirLog;      /* Namespace changes, newest first */
};

#define FAULT_CHUNK  65536   /* Copy buffer of crash damage */

static FaultEnv *faultFromEnv(lsmc_env *pEnv){
  return (FaultEnv*)pEnv->pCtx;
}

/*
** Count a call of eOp and decide whether it fails.  REQUIRES: the mutex
** is held.  *pbInjected is set when the failure is an injected one (not a
** dead-switch refusal).
*/
static int faultEnterLocked(FaultEnv *p, int eOp, int *pbInjected){
  *pbInjected = 0;
  p->aCount[eOp]++;
  if( p->bDead && (FAULT_MASK_WRITE & FAULT_MASK(eOp)) ) return LSMC_IOERR;
  if( (p->failMask & FAULT_MASK(eOp))==0 ) return LSMC_OK;
  if( !p->bFailing ){
    if( --p->nFailLeft>0 ) return LSMC_OK;
    if( p->bFailPersistent ){
      p->bFailing = 1;
    }else{
      p->failMask = 0;
    }
  }
  p->nInjected++;
  *pbInjected = 1;
  return p->failRc;
}

/* faultEnterLocked() taking and releasing the mutex. */
static int faultEnter(FaultEnv *p, int eOp, int *pbInjected){
  int rc;
  pthread_mutex_lock(&p->mutex);
  rc = faultEnterLocked(p, eOp, pbInjected);
  pthread_mutex_unlock(&p->mutex);
  return rc;
}

/* Count a call that can never fail. */
static void faultCount(FaultEnv *p, int eOp){
  pthread_mutex_lock(&p->mutex);
  p->aCount[eOp]++;
  pthread_mutex_unlock(&p->mutex);
}

/*
** Count an allocation and decide whether it fails (returns true).
*/
static int faultMallocFails(FaultEnv *p, int eOp){
  int bFail = 0;
  pthread_mutex_lock(&p->mutex);
  p->aCount[eOp]++;
  if( p->bMallocFailing ){
    bFail = 1;
  }else if( p->nMallocLeft>0 && --p->nMallocLeft==0 ){
    bFail = 1;
    p->bMallocFailing = p->bMallocPersistent;
  }
  if( bFail ) p->nInjected++;
  pthread_mutex_unlock(&p->mutex);
  return bFail;
}

/*
** A copy of the directory of zPath, normalised: trailing slashes dropped,
** "." for a bare name, "/" for a name in the root.  NULL on OOM.
*/
static char *faultDirOf(FaultEnv *p, const char *zPath, int bIsDir){
  char *z = lsmcStrdup(p->pBase, zPath);
  size_t n;
  char *zSlash;
  if( z==0 ) return 0;
  n = strlen(z);
  while( n>1 && z[n-1]=='/' ) z[--n] = 0;
  if( bIsDir ) return z;
  zSlash = strrchr(z, '/');
  if( zSlash==0 ){
    strcpy(z, ".");
  }else if( zSlash==z ){
    z[1] = 0;
  }else{
    *zSlash = 0;
  }
  return z;
}

static FaultTrack *faultTrackFind(FaultEnv *p, const char *zPath){
  FaultTrack *pT;
  for(pT=p->pTrackFirst; pT; pT=pT->pNext){
    if( pT->zPath && strcmp(pT->zPath, zPath)==0 ) return pT;
  }
  return 0;
}

/* Forget the name of zPath's crash record: the file is gone. */
static void faultTrackDetach(FaultEnv *p, const char *zPath){
  FaultTrack *pT = faultTrackFind(p, zPath);
  if( pT ){
    lsmcFree(p->pBase, pT->zPath);
    pT->zPath = 0;
  }
}

static void faultDirOpFree(FaultEnv *p, FaultDirOp *pOp){
  if( pOp ){
    lsmcFree(p->pBase, pOp->zDir);
    lsmcFree(p->pBase, pOp->zPath);
    lsmcFree(p->pBase, pOp->zFrom);
    lsmcFree(p->pBase, pOp->aSaved);
    lsmcFree(p->pBase, pOp);
  }
}

/*
** A new, unlinked FaultDirOp for a change of zPath (zFrom for a rename)
** held by the directory of zPath.  NULL on OOM.
*/
static FaultDirOp *faultDirOpNew(FaultEnv *p, int eType, const char *zPath,
                                 const char *zFrom){
  FaultDirOp *pOp = lsmcMallocZero(p->pBase, sizeof(FaultDirOp));
  if( pOp==0 ) return 0;
  pOp->eType = eType;
  pOp->zDir = faultDirOf(p, zPath, 0);
  pOp->zPath = lsmcStrdup(p->pBase, zPath);
  if( zFrom ) pOp->zFrom = lsmcStrdup(p->pBase, zFrom);
  if( pOp->zDir==0 || pOp->zPath==0 || (zFrom && pOp->zFrom==0) ){
    faultDirOpFree(p, pOp);
    return 0;
  }
  return pOp;
}

/*
** Forget the unsynced appends of pT that end at or below nDurable (all of
** them if nDurable is UINT64_MAX); clip the rest to end at nDurable if
** bClip (a truncation).
*/
static void faultWritesForget(FaultEnv *p, FaultTrack *pT, u64 nDurable,
                              int bClip){
  FaultWrite **pp = &pT->pWrite;
  while( *pp ){
    FaultWrite *pW = *pp;
    if( bClip ? pW->iOff>=nDurable : pW->iOff+pW->n<=nDurable ){
      *pp = pW->pNext;
      lsmcFree(p->pBase, pW);
    }else{
      if( bClip && pW->iOff+pW->n>nDurable ) pW->n = nDurable - pW->iOff;
      pp = &pW->pNext;
    }
  }
}

/*
** Record an unsynced append of n bytes at iOff to pT (best effort: on OOM
** the append is simply not tracked, so FAULT_SECTOR treats it as dropped).
*/
static void faultWriteAdd(FaultEnv *p, FaultTrack *pT, u64 iOff, u64 n){
  FaultWrite *pW = lsmcMallocZero(p->pBase, sizeof(FaultWrite));
  FaultWrite **pp;
  if( pW==0 || n==0 ){
    lsmcFree(p->pBase, pW);
    return;
  }
  pW->iOff = iOff;
  pW->n = n;
  pthread_mutex_lock(&p->mutex);
  for(pp=&pT->pWrite; *pp; pp=&(*pp)->pNext);
  *pp = pW;
  pthread_mutex_unlock(&p->mutex);
}

/* Free every crash record and namespace log entry. */
static void faultClearTracking(FaultEnv *p){
  while( p->pTrackFirst ){
    FaultTrack *pT = p->pTrackFirst;
    p->pTrackFirst = pT->pNext;
    faultWritesForget(p, pT, UINT64_MAX, 0);
    lsmcFree(p->pBase, pT->zPath);
    lsmcFree(p->pBase, pT);
  }
  p->pTrackLast = 0;
  while( p->pDirLog ){
    FaultDirOp *pOp = p->pDirLog;
    p->pDirLog = pOp->pPrev;
    faultDirOpFree(p, pOp);
  }
}

/*
** Save, in pOp, the bytes of zPath that would survive a crash (its synced
** prefix if this env wrote it, else all of it), if it is no larger than
** the undo limit.  A file that is missing or cannot be read (a
** directory, say) saves nothing; only LSMC_NOMEM is returned.
*/
static int faultSaveFile(FaultEnv *p, const char *zPath, FaultDirOp *pOp){
  lsmc_env *pBase = p->pBase;
  lsmc_file *pFile = 0;
  FaultTrack *pT = faultTrackFind(p, zPath);
  u64 nSize = 0;
  int rc = pBase->xOpen(pBase, zPath, LSMC_OPEN_READONLY, &pFile);
  if( rc==LSMC_OK ) rc = pBase->xSize(pFile, &nSize);
  if( rc==LSMC_OK && nSize<=p->nUndoMax ){
    size_t nRead = 0;
    if( pT && pT->nSynced<nSize ) nSize = pT->nSynced;
    pOp->aSaved = lsmcMalloc(pBase, (size_t)nSize);
    if( pOp->aSaved==0 ) rc = LSMC_NOMEM;
    if( rc==LSMC_OK ){
      rc = pBase->xRead(pFile, 0, pOp->aSaved, (size_t)nSize, &nRead);
    }
    if( rc==LSMC_OK && nRead!=nSize ) rc = LSMC_IOERR_SHORT;
    if( rc==LSMC_OK ){
      pOp->nSaved = (size_t)nSize;
      pOp->bSaved = 1;
    }
  }
  if( pFile ) pBase->xClose(pFile);
  if( rc!=LSMC_OK && rc!=LSMC_NOMEM ){
    lsmcFree(pBase, pOp->aSaved);
    pOp->aSaved = 0;
    rc = LSMC_OK;
  }
  return rc;
}

/* Write file zPath with a[0..n) through the base env, synced. */
static int faultWriteFile(FaultEnv *p, const char *zPath,
                          const u8 *a, size_t n){
  lsmc_env *pBase = p->pBase;
  lsmc_file *pFile = 0;
  int rc = pBase->xOpen(pBase, zPath, LSMC_OPEN_CREATE, &pFile);
  if( rc!=LSMC_OK ) return rc;
  if( n>0 ) rc = pBase->xAppend(pFile, a, n);
  if( rc==LSMC_OK ) rc = pBase->xSync(pFile);
  pBase->xClose(pFile);
  return rc;
}

/* ------------------------------------------------------------------ */
/* File methods                                                       */

static int faultOpen(lsmc_env *pEnv, const char *zPath, int flags,
                     lsmc_file **ppFile){
  FaultEnv *p = faultFromEnv(pEnv);
  lsmc_env *pBase = p->pBase;
  int bCreate = (flags & LSMC_OPEN_CREATE)!=0;
  int bInj;
  int bExisted = 1;
  FaultFile *pF = 0;
  FaultTrack *pNew = 0;
  FaultDirOp *pOp = 0;
  int rc;

  *ppFile = 0;
  pthread_mutex_lock(&p->mutex);
  rc = faultEnterLocked(p, bCreate ? FAULT_OP_CREATE : FAULT_OP_OPEN, &bInj);
  if( rc==LSMC_OK ){
    pF = lsmcMallocZero(pBase, sizeof(FaultFile));
    if( pF==0 ) rc = LSMC_NOMEM;
  }
  if( rc==LSMC_OK && bCreate ){
    rc = pBase->xExists(pBase, zPath, &bExisted);
    if( rc==LSMC_OK && !bExisted ){
      pOp = faultDirOpNew(p, DIROP_CREATE, zPath, 0);
      if( pOp==0 ) rc = LSMC_NOMEM;
    }
    if( rc==LSMC_OK && (pF->pTrack = faultTrackFind(p, zPath))==0 ){
      pNew = lsmcMallocZero(pBase, sizeof(FaultTrack));
      if( pNew ) pNew->zPath = lsmcStrdup(pBase, zPath);
      if( pNew==0 || pNew->zPath==0 ) rc = LSMC_NOMEM;
    }
  }
  if( rc==LSMC_OK ) rc = pBase->xOpen(pBase, zPath, flags, &pF->pReal);
  if( rc==LSMC_OK && bCreate ){
    if( pNew ){
      if( p->pTrackLast ) p->pTrackLast->pNext = pNew;
      else p->pTrackFirst = pNew;
      p->pTrackLast = pNew;
      pF->pTrack = pNew;
      pNew = 0;
    }
    pF->pTrack->nSynced = 0;
    faultWritesForget(p, pF->pTrack, 0, 1);
    pF->pTrack->nOpen++;
    if( pOp ){
      pOp->pPrev = p->pDirLog;
      p->pDirLog = pOp;
      pOp = 0;
    }
  }
  pthread_mutex_unlock(&p->mutex);

  if( pNew ) lsmcFree(pBase, pNew->zPath);
  lsmcFree(pBase, pNew);
  faultDirOpFree(p, pOp);
  if( rc!=LSMC_OK ){
    lsmcFree(pBase, pF);
    return rc;
  }
  pF->pFault = p;
  *ppFile = (lsmc_file*)pF;
  return LSMC_OK;
}

static int faultRead(lsmc_file *pFile, u64 iOff, void *pBuf, size_t nBuf,
                     size_t *pnRead){
  FaultFile *pF = (FaultFile*)pFile;
  int bInj;
  int rc = faultEnter(pF->pFault, FAULT_OP_READ, &bInj);
  *pnRead = 0;
  if( rc!=LSMC_OK ) return rc;
  return pF->pFault->pBase->xRead(pF->pReal, iOff, pBuf, nBuf, pnRead);
}

/*
** Append, or fail; an injected failure may first write a torn prefix.
*/
static int faultAppend(lsmc_file *pFile, const void *pData, size_t nData){
  FaultFile *pF = (FaultFile*)pFile;
  FaultEnv *p = pF->pFault;
  u64 iOff = 0;
  i64 nTorn;
  int bInj;
  int rc;
  pthread_mutex_lock(&p->mutex);
  rc = faultEnterLocked(p, FAULT_OP_APPEND, &bInj);
  nTorn = p->nTornPrefix;
  pthread_mutex_unlock(&p->mutex);
  /* Where the append lands, for FAULT_SECTOR (created files only). */
  if( pF->pTrack && (rc==LSMC_OK || (bInj && nTorn>0)) ){
    if( p->pBase->xSize(pF->pReal, &iOff)!=LSMC_OK ) iOff = 0;
  }
  if( rc!=LSMC_OK ){
    if( bInj && nTorn>0 ){
      size_t n = (u64)nTorn<nData ? (size_t)nTorn : nData;
      if( p->pBase->xAppend(pF->pReal, pData, n)==LSMC_OK && pF->pTrack ){
        faultWriteAdd(p, pF->pTrack, iOff, n);
      }
    }
    return rc;
  }
  rc = p->pBase->xAppend(pF->pReal, pData, nData);
  if( rc==LSMC_OK && pF->pTrack ) faultWriteAdd(p, pF->pTrack, iOff, nData);
  return rc;
}

/*
** Sync.  The size measured just before the base sync is what is durable
** afterwards.  Then run the hook.
*/
static int faultSync(lsmc_file *pFile){
  FaultFile *pF = (FaultFile*)pFile;
  FaultEnv *p = pF->pFault;
  void (*xHook)(FaultEnv*, void*, u64) = 0;
  void *pArg = 0;
  u64 nSize = 0;
  u64 iSync = 0;
  int bInj;
  int rc = faultEnter(p, FAULT_OP_SYNC, &bInj);
  if( rc==LSMC_OK ) rc = p->pBase->xSize(pF->pReal, &nSize);
  if( rc==LSMC_OK ) rc = p->pBase->xSync(pF->pReal);
  if( rc==LSMC_OK ){
    pthread_mutex_lock(&p->mutex);
    if( pF->pTrack ){
      pF->pTrack->nSynced = nSize;
      faultWritesForget(p, pF->pTrack, nSize, 0);
    }
    iSync = ++p->nSync;
    xHook = p->xHook;
    pArg = p->pHookArg;
    pthread_mutex_unlock(&p->mutex);
    if( xHook ) xHook(p, pArg, iSync);
  }
  return rc;
}

static int faultSize(lsmc_file *pFile, u64 *pnByte){
  FaultFile *pF = (FaultFile*)pFile;
  int bInj;
  int rc = faultEnter(pF->pFault, FAULT_OP_SIZE, &bInj);
  *pnByte = 0;
  if( rc!=LSMC_OK ) return rc;
  return pF->pFault->pBase->xSize(pF->pReal, pnByte);
}

static int faultTruncate(lsmc_file *pFile, u64 nByte){
  FaultFile *pF = (FaultFile*)pFile;
  FaultEnv *p = pF->pFault;
  int bInj;
  int rc = faultEnter(p, FAULT_OP_TRUNCATE, &bInj);
  if( rc==LSMC_OK ) rc = p->pBase->xTruncate(pF->pReal, nByte);
  if( rc==LSMC_OK && pF->pTrack ){
    pthread_mutex_lock(&p->mutex);
    if( pF->pTrack->nSynced>nByte ) pF->pTrack->nSynced = nByte;
    faultWritesForget(p, pF->pTrack, nByte, 1);
    pthread_mutex_unlock(&p->mutex);
  }
  return rc;
}

/*
** Close: always closes the base handle and frees the wrapper, even when
** a failure is injected (which is then the return value).
*/
static int faultClose(lsmc_file *pFile){
  FaultFile *pF = (FaultFile*)pFile;
  FaultEnv *p;
  int bInj;
  int rc;
  int rc2;
  if( pF==0 ) return LSMC_OK;
  p = pF->pFault;
  rc = faultEnter(p, FAULT_OP_CLOSE, &bInj);
  rc2 = p->pBase->xClose(pF->pReal);
  if( pF->pTrack ){
    pthread_mutex_lock(&p->mutex);
    pF->pTrack->nOpen--;
    pthread_mutex_unlock(&p->mutex);
  }
  lsmcFree(p->pBase, pF);
  return rc!=LSMC_OK ? rc : rc2;
}

/* ------------------------------------------------------------------ */
/* Namespace methods                                                  */

/*
** Make a directory; one that did not exist is logged in its parent.
*/
static int faultMkdir(lsmc_env *pEnv, const char *zDir){
  FaultEnv *p = faultFromEnv(pEnv);
  FaultDirOp *pOp = 0;
  int bExisted = 1;
  int bInj;
  int rc;
  char *zNorm = faultDirOf(p, zDir, 1);
  pthread_mutex_lock(&p->mutex);
  rc = faultEnterLocked(p, FAULT_OP_MKDIR, &bInj);
  if( rc==LSMC_OK && zNorm==0 ) rc = LSMC_NOMEM;
  if( rc==LSMC_OK ) rc = p->pBase->xExists(p->pBase, zDir, &bExisted);
  if( rc==LSMC_OK && !bExisted ){
    pOp = faultDirOpNew(p, DIROP_MKDIR, zNorm, 0);
    if( pOp==0 ) rc = LSMC_NOMEM;
  }
  if( rc==LSMC_OK ) rc = p->pBase->xMkdir(p->pBase, zDir);
  if( rc==LSMC_OK && pOp ){
    pOp->pPrev = p->pDirLog;
    p->pDirLog = pOp;
    pOp = 0;
  }
  pthread_mutex_unlock(&p->mutex);
  faultDirOpFree(p, pOp);
  lsmcFree(p->pBase, zNorm);
  return rc;
}

static int faultRmdir(lsmc_env *pEnv, const char *zDir){
  FaultEnv *p = faultFromEnv(pEnv);
  int bInj;
  int rc = faultEnter(p, FAULT_OP_RMDIR, &bInj);
  if( rc!=LSMC_OK ) return rc;
  return p->pBase->xRmdir(p->pBase, zDir);
}

/*
** Sync a directory: its logged changes become durable.  Then the hook.
*/
static int faultSyncDir(lsmc_env *pEnv, const char *zDir){
  FaultEnv *p = faultFromEnv(pEnv);
  void (*xHook)(FaultEnv*, void*, u64) = 0;
  void *pArg = 0;
  u64 iSync = 0;
  int bInj;
  int rc;
  char *zNorm = faultDirOf(p, zDir, 1);
  pthread_mutex_lock(&p->mutex);
  rc = faultEnterLocked(p, FAULT_OP_SYNCDIR, &bInj);
  if( rc==LSMC_OK && zNorm==0 ) rc = LSMC_NOMEM;
  if( rc==LSMC_OK ) rc = p->pBase->xSyncDir(p->pBase, zDir);
  if( rc==LSMC_OK ){
    FaultDirOp **pp = &p->pDirLog;
    while( *pp ){
      FaultDirOp *pOp = *pp;
      if( strcmp(pOp->zDir, zNorm)==0 ){
        *pp = pOp->pPrev;
        faultDirOpFree(p, pOp);
      }else{
        pp = &pOp->pPrev;
      }
    }
    iSync = ++p->nSync;
    xHook = p->xHook;
    pArg = p->pHookArg;
  }
  pthread_mutex_unlock(&p->mutex);
  lsmcFree(p->pBase, zNorm);
  if( xHook ) xHook(p, pArg, iSync);
  return rc;
}

/*
** Rename, logging enough to revert it: the bytes of a replaced target
** are saved, and the source's crash record follows the new name.
*/
static int faultRename(lsmc_env *pEnv, const char *zFrom, const char *zTo){
  FaultEnv *p = faultFromEnv(pEnv);
  FaultDirOp *pOp = 0;
  char *zNew = 0;
  int bInj;
  int rc;
  pthread_mutex_lock(&p->mutex);
  rc = faultEnterLocked(p, FAULT_OP_RENAME, &bInj);
  if( rc==LSMC_OK ){
    pOp = faultDirOpNew(p, DIROP_RENAME, zTo, zFrom);
    zNew = lsmcStrdup(p->pBase, zTo);
    if( pOp==0 || zNew==0 ) rc = LSMC_NOMEM;
  }
  if( rc==LSMC_OK ) rc = faultSaveFile(p, zTo, pOp);
  if( rc==LSMC_OK ) rc = p->pBase->xRename(p->pBase, zFrom, zTo);
  if( rc==LSMC_OK ){
    FaultTrack *pT = faultTrackFind(p, zFrom);
    faultTrackDetach(p, zTo);
    if( pT ){
      lsmcFree(p->pBase, pT->zPath);
      pT->zPath = zNew;
      zNew = 0;
    }
    pOp->pPrev = p->pDirLog;
    p->pDirLog = pOp;
    pOp = 0;
  }
  pthread_mutex_unlock(&p->mutex);
  lsmcFree(p->pBase, zNew);
  faultDirOpFree(p, pOp);
  return rc;
}

/*
** Remove a file, saving its durable bytes so that a crash can restore it.
*/
static int faultRemove(lsmc_env *pEnv, const char *zPath){
  FaultEnv *p = faultFromEnv(pEnv);
  FaultDirOp *pOp = 0;
  int bInj;
  int rc;
  pthread_mutex_lock(&p->mutex);
  rc = faultEnterLocked(p, FAULT_OP_REMOVE, &bInj);
  if( rc==LSMC_OK ){
    pOp = faultDirOpNew(p, DIROP_REMOVE, zPath, 0);
    if( pOp==0 ) rc = LSMC_NOMEM;
  }
  if( rc==LSMC_OK ) rc = faultSaveFile(p, zPath, pOp);
  if( rc==LSMC_OK ) rc = p->pBase->xRemove(p->pBase, zPath);
  if( rc==LSMC_OK ){
    faultTrackDetach(p, zPath);
    pOp->pPrev = p->pDirLog;
    p->pDirLog = pOp;
    pOp = 0;
  }
  pthread_mutex_unlock(&p->mutex);
  faultDirOpFree(p, pOp);
  return rc;
}

static int faultExists(lsmc_env *pEnv, const char *zPath, int *pbExists){
  FaultEnv *p = faultFromEnv(pEnv);
  int bInj;
  int rc = faultEnter(p, FAULT_OP_EXISTS, &bInj);
  *pbExists = 0;
  if( rc!=LSMC_OK ) return rc;
  return p->pBase->xExists(p->pBase, zPath, pbExists);
}

static int faultList(lsmc_env *pEnv, const char *zDir,
                     int (*xEntry)(void*, const char*), void *pArg){
  FaultEnv *p = faultFromEnv(pEnv);
  int bInj;
  int rc = faultEnter(p, FAULT_OP_LIST, &bInj);
  if( rc!=LSMC_OK ) return rc;
  return p->pBase->xList(p->pBase, zDir, xEntry, pArg);
}

static int faultFileId(lsmc_env *pEnv, const char *zPath,
                       u64 *pDev, u64 *pIno){
  FaultEnv *p = faultFromEnv(pEnv);
  int bInj;
  int rc = faultEnter(p, FAULT_OP_FILEID, &bInj);
  if( rc!=LSMC_OK ) return rc;
  return p->pBase->xFileId(p->pBase, zPath, pDev, pIno);
}

static int faultLock(lsmc_env *pEnv, const char *zPath, lsmc_file **ppLock){
  FaultEnv *p = faultFromEnv(pEnv);
  int bInj;
  int rc = faultEnter(p, FAULT_OP_LOCK, &bInj);
  *ppLock = 0;
  if( rc!=LSMC_OK ) return rc;
  return p->pBase->xLock(p->pBase, zPath, ppLock);
}

/* Unlock: always releases the lock, even when a failure is injected. */
static int faultUnlock(lsmc_env *pEnv, lsmc_file *pLock){
  FaultEnv *p = faultFromEnv(pEnv);
  int bInj;
  int rc = faultEnter(p, FAULT_OP_UNLOCK, &bInj);
  int rc2 = p->pBase->xUnlock(p->pBase, pLock);
  return rc!=LSMC_OK ? rc : rc2;
}

/* ------------------------------------------------------------------ */
/* Memory and time                                                    */

static void *faultMalloc(lsmc_env *pEnv, size_t n){
  FaultEnv *p = faultFromEnv(pEnv);
  if( faultMallocFails(p, FAULT_OP_MALLOC) ) return 0;
  return p->pBase->xMalloc(p->pBase, n);
}

static void *faultRealloc(lsmc_env *pEnv, void *pOld, size_t n){
  FaultEnv *p = faultFromEnv(pEnv);
  if( faultMallocFails(p, FAULT_OP_REALLOC) ) return 0;
  return p->pBase->xRealloc(p->pBase, pOld, n);
}

static void faultFreeMem(lsmc_env *pEnv, void *pMem){
  FaultEnv *p = faultFromEnv(pEnv);
  faultCount(p, FAULT_OP_FREE);
  p->pBase->xFree(p->pBase, pMem);
}

static u64 faultNowMicros(lsmc_env *pEnv){
  FaultEnv *p = faultFromEnv(pEnv);
  faultCount(p, FAULT_OP_NOW);
  return p->pBase->xNowMicros(p->pBase);
}

static void faultSleep(lsmc_env *pEnv, u64 nMicros){
  FaultEnv *p = faultFromEnv(pEnv);
  faultCount(p, FAULT_OP_SLEEP);
  p->pBase->xSleep(p->pBase, nMicros);
}

static const lsmc_env faultMethods = {
  1,                  /* iVersion */
  0,                  /* pCtx (set per FaultEnv) */
  faultOpen,          /* xOpen */
  faultRead,          /* xRead */
  faultAppend,        /* xAppend */
  faultSync,          /* xSync */
  faultSize,          /* xSize */
  faultTruncate,      /* xTruncate */
  faultClose,         /* xClose */
  faultMkdir,         /* xMkdir */
  faultRmdir,         /* xRmdir */
  faultSyncDir,       /* xSyncDir */
  faultRename,        /* xRename */
  faultRemove,        /* xRemove */
  faultExists,        /* xExists */
  faultList,          /* xList */
  faultFileId,        /* xFileId */
  faultLock,          /* xLock */
  faultUnlock,        /* xUnlock */
  faultMalloc,        /* xMalloc */
  faultRealloc,       /* xRealloc */
  faultFreeMem,       /* xFree */
  faultNowMicros,     /* xNowMicros */
  faultSleep,         /* xSleep */
};

/* ------------------------------------------------------------------ */
/* Crash simulation                                                   */

/*
** Undo one logged namespace change.  Missing files are skipped (the
** change is undone "where possible"); other errors are returned.
*/
static int faultUndo(FaultEnv *p, FaultDirOp *pOp){
  lsmc_env *pBase = p->pBase;
  int bExists = 0;
  int rc = LSMC_OK;
  switch( pOp->eType ){
    case DIROP_CREATE:
      faultTrackDetach(p, pOp->zPath);
      rc = pBase->xRemove(pBase, pOp->zPath);
      if( rc==LSMC_IOERR_NOENT ) rc = LSMC_OK;
      break;
    case DIROP_MKDIR:
      pBase->xRmdir(pBase, pOp->zPath);      /* fails if not empty: kept */
      break;
    case DIROP_RENAME:
      rc = pBase->xExists(pBase, pOp->zPath, &bExists);
      if( rc==LSMC_OK && bExists ){
        FaultTrack *pT = faultTrackFind(p, pOp->zPath);
        rc = pBase->xRename(pBase, pOp->zPath, pOp->zFrom);
        if( rc==LSMC_OK && pT ){
          faultTrackDetach(p, pOp->zFrom);
          lsmcFree(pBase, pT->zPath);
          pT->zPath = pOp->zFrom;
          pOp->zFrom = 0;
        }
      }
      if( rc==LSMC_OK && pOp->bSaved ){
        rc = faultWriteFile(p, pOp->zPath, pOp->aSaved, pOp->nSaved);
      }
      break;
    default:
      assert( pOp->eType==DIROP_REMOVE );
      if( pOp->bSaved ){
        faultTrackDetach(p, pOp->zPath);
        rc = faultWriteFile(p, pOp->zPath, pOp->aSaved, pOp->nSaved);
      }
      break;
  }
  return rc;
}

/*
** Copy the first nKeep bytes of zPath, then nZero bytes of aTail (zeros
** if aTail is NULL), to a temporary file renamed over zPath.  All through
** the base env.
*/
static int faultRewrite(FaultEnv *p, const char *zPath, lsmc_file *pSrc,
                        u64 nKeep, u64 nZero, const u8 *aTail){
  lsmc_env *pBase = p->pBase;
  lsmc_file *pDst = 0;
  char *zTmp = lsmcMprintf(pBase, "%s.faultcrash", zPath);
  u8 *aBuf = lsmcMallocZero(pBase, FAULT_CHUNK);
  u64 iOff = 0;
  int rc = (zTmp && aBuf) ? LSMC_OK : LSMC_NOMEM;

  if( rc==LSMC_OK ) rc = pBase->xOpen(pBase, zTmp, LSMC_OPEN_CREATE, &pDst);
  while( rc==LSMC_OK && iOff<nKeep ){
    size_t n = (size_t)LSMC_MIN((u64)FAULT_CHUNK, nKeep - iOff);
    size_t nRead = 0;
    rc = pBase->xRead(pSrc, iOff, aBuf, n, &nRead);
    if( rc==LSMC_OK && nRead!=n ) rc = LSMC_IOERR_SHORT;
    if( rc==LSMC_OK ) rc = pBase->xAppend(pDst, aBuf, n);
    iOff += n;
  }
  if( rc==LSMC_OK ) memset(aBuf, 0, FAULT_CHUNK);
  while( rc==LSMC_OK && nZero>0 ){
    size_t n = (size_t)LSMC_MIN((u64)FAULT_CHUNK, nZero);
    rc = pBase->xAppend(pDst, aTail ? aTail : aBuf, n);
    if( aTail ) aTail += n;
    nZero -= n;
  }
  if( rc==LSMC_OK ) rc = pBase->xSync(pDst);
  if( pDst ) pBase->xClose(pDst);
  if( rc==LSMC_OK ) rc = pBase->xRename(pBase, zTmp, zPath);
  lsmcFree(pBase, zTmp);
  lsmcFree(pBase, aBuf);
  return rc;
}

/* SplitMix64 of x. */
static u64 faultMix(u64 x){
  u64 z = x + 0x9E3779B97F4A7C15ull;
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

/*
** The FAULT_SECTOR image of the unsynced bytes of pT, whose current bytes
** [nSynced, nSize) are in aCur: into aOut (nSize-nSynced bytes, zeroed
** here), each sector piece of each unsynced append applied, dropped or
** filled with garbage as faultenvSectorAction() says.  Returns the length
** of the image (the end of the last piece not dropped, minus nSynced).
*/
static u64 faultSectorImage(FaultTrack *pT, u64 nSize, const u8 *aCur,
                            u8 *aOut, u32 seed, u32 iFile){
  u64 nSynced = pT->nSynced;
  u64 nEnd = nSynced;
  FaultWrite *pW;
  u32 iWrite = 0;
  memset(aOut, 0, (size_t)(nSize - nSynced));
  for(pW=pT->pWrite; pW; pW=pW->pNext, iWrite++){
    u64 iOff = LSMC_MAX(pW->iOff, nSynced);
    u64 iLast = LSMC_MIN(pW->iOff + pW->n, nSize);
    while( iOff<iLast ){
      u64 iSector = iOff / FAULT_SECTOR_SIZE;
      u64 iNext = LSMC_MIN((iSector+1)*FAULT_SECTOR_SIZE, iLast);
      int eAct = faultenvSectorAction(seed, iFile, iWrite, iSector);
      u64 i;
      if( eAct==FAULT_SECTOR_APPLY ){
        memcpy(&aOut[iOff-nSynced], &aCur[iOff-nSynced], (size_t)(iNext-iOff));
      }else if( eAct==FAULT_SECTOR_GARBAGE ){
        for(i=iOff; i<iNext; i++){
          aOut[i-nSynced] = (u8)(faultMix(((u64)seed<<32 ^ iFile) + (i>>3)*0x10001)
                                 >> (8*(i&7)));
        }
      }
      if( eAct!=FAULT_SECTOR_DROP && iNext>nEnd ) nEnd = iNext;
      iOff = iNext;
    }
  }
  return nEnd - nSynced;
}

/*
** FAULT_SECTOR damage of pT (open as pSrc, nSize bytes): the synced
** prefix, then the image of faultSectorImage().
*/
static int faultDamageSectors(FaultEnv *p, FaultTrack *pT, lsmc_file *pSrc,
                              u64 nSize, u32 seed, u32 iFile){
  lsmc_env *pBase = p->pBase;
  size_t nUnsynced = (size_t)(nSize - pT->nSynced);
  u8 *aCur = lsmcMalloc(pBase, nUnsynced);
  u8 *aOut = lsmcMalloc(pBase, nUnsynced);
  size_t nRead = 0;
  int rc = (aCur && aOut) ? LSMC_OK : LSMC_NOMEM;
  if( rc==LSMC_OK ) rc = pBase->xRead(pSrc, pT->nSynced, aCur, nUnsynced, &nRead);
  if( rc==LSMC_OK && nRead!=nUnsynced ) rc = LSMC_IOERR_SHORT;
  if( rc==LSMC_OK ){
    u64 nImage = faultSectorImage(pT, nSize, aCur, aOut, seed, iFile);
    rc = faultRewrite(p, pT->zPath, pSrc, pT->nSynced, nImage, aOut);
  }
  lsmcFree(pBase, aCur);
  lsmcFree(pBase, aOut);
  return rc;
}

/*
** Apply crash damage of mode eMode to the file of record pT, if it has
** unsynced bytes.  *piFile counts the files damaged so far.
*/
static int faultDamage(FaultEnv *p, FaultTrack *pT, int eMode, u32 seed,
                       u32 *piFile){
  lsmc_env *pBase = p->pBase;
  lsmc_file *pSrc = 0;
  u64 nSize = 0;
  int rc = pBase->xOpen(pBase, pT->zPath, LSMC_OPEN_READONLY, &pSrc);
  if( rc==LSMC_IOERR_NOENT ) return LSMC_OK;
  if( rc==LSMC_OK ) rc = pBase->xSize(pSrc, &nSize);
  if( rc==LSMC_OK && nSize>pT->nSynced ){
    u64 nUnsynced = nSize - pT->nSynced;
    u64 nKeep = pT->nSynced;
    u64 nZero = 0;
    if( eMode==FAULT_TEAR ){
      nKeep += faultenvTearKeep(seed, *piFile, nUnsynced);
    }else if( eMode==FAULT_ZERO ){
      nZero = nUnsynced;
    }
    if( eMode==FAULT_SECTOR ){
      rc = faultDamageSectors(p, pT, pSrc, nSize, seed, *piFile);
    }else{
      rc = faultRewrite(p, pT->zPath, pSrc, nKeep, nZero, 0);
    }
    (*piFile)++;
  }
  if( pSrc ) pBase->xClose(pSrc);
  return rc;
}

/* LSMC_MISUSE if a file created through p is still open. */
static int faultCheckClosed(FaultEnv *p){
  FaultTrack *pT;
  for(pT=p->pTrackFirst; pT; pT=pT->pNext){
    if( pT->nOpen>0 ) return LSMC_MISUSE;
  }
  return LSMC_OK;
}

int faultenvCrash(FaultEnv *p, int eMode, u32 seed){
  FaultDirOp *pOp;
  FaultTrack *pT;
  u32 iFile = 0;
  int rc;
  if( eMode<FAULT_DROP_UNSYNCED || eMode>FAULT_SECTOR ) return LSMC_MISUSE;
  pthread_mutex_lock(&p->mutex);
  rc = faultCheckClosed(p);
  if( rc==LSMC_OK ){
    for(pOp=p->pDirLog; pOp && rc==LSMC_OK; pOp=pOp->pPrev){
      rc = faultUndo(p, pOp);
    }
    for(pT=p->pTrackFirst; pT && rc==LSMC_OK; pT=pT->pNext){
      if( pT->zPath ) rc = faultDamage(p, pT, eMode, seed, &iFile);
    }
    faultClearTracking(p);
    p->bDead = 0;
    p->failMask = 0;
    p->bFailing = 0;
    p->nMallocLeft = 0;
    p->bMallocFailing = 0;
  }
  pthread_mutex_unlock(&p->mutex);
  return rc;
}

int faultenvMarkDurable(FaultEnv *p){
  int rc;
  pthread_mutex_lock(&p->mutex);
  rc = faultCheckClosed(p);
  if( rc==LSMC_OK ) faultClearTracking(p);
  pthread_mutex_unlock(&p->mutex);
  return rc;
}

/*
** SplitMix64 finaliser over (seed, iFile), reduced to [0, nUnsynced].
*/
u64 faultenvTearKeep(u32 seed, u32 iFile, u64 nUnsynced){
  u64 z = (((u64)seed << 32) | iFile) + 0x9E3779B97F4A7C15ull;
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  z ^= z >> 31;
  return nUnsynced==UINT64_MAX ? z : z % (nUnsynced + 1);
}

/*
** The fate of sector iSector of unsynced append iWrite of the iFile-th
** damaged file under FAULT_SECTOR: APPLY half of the time, DROP and
** GARBAGE a quarter each.
*/
int faultenvSectorAction(u32 seed, u32 iFile, u32 iWrite, u64 iSector){
  u64 z = faultMix(((u64)seed << 32) ^ ((u64)iFile << 20) ^ iWrite);
  z = faultMix(z ^ iSector);
  switch( z & 3 ){
    case 0:  return FAULT_SECTOR_DROP;
    case 1:  return FAULT_SECTOR_GARBAGE;
    default: return FAULT_SECTOR_APPLY;
  }
}

/* ------------------------------------------------------------------ */
/* Construction and settings                                          */

int faultenvNew(lsmc_env *pBase, FaultEnv **ppFault){
  FaultEnv *p = lsmcMallocZero(pBase, sizeof(FaultEnv));
  *ppFault = 0;
  if( p==0 ) return LSMC_NOMEM;
  if( pthread_mutex_init(&p->mutex, 0)!=0 ){
    lsmcFree(pBase, p);
    return LSMC_NOMEM;
  }
  p->env = faultMethods;
  p->env.pCtx = p;
  p->pBase = pBase;
  p->nTornPrefix = -1;
  p->nUndoMax = 1024*1024;
  *ppFault = p;
  return LSMC_OK;
}

void faultenvFree(FaultEnv *p){
  if( p ){
    faultClearTracking(p);
    pthread_mutex_destroy(&p->mutex);
    lsmcFree(p->pBase, p);
  }
}

lsmc_env *faultenvEnv(FaultEnv *p){
  return &p->env;
}

u64 faultenvCount(FaultEnv *p, int eOp){
  u64 n = 0;
  if( eOp<0 || eOp>=FAULT_N_OP ) return 0;
  pthread_mutex_lock(&p->mutex);
  n = p->aCount[eOp];
  pthread_mutex_unlock(&p->mutex);
  return n;
}

u64 faultenvTotal(FaultEnv *p){
  u64 n = 0;
  int i;
  pthread_mutex_lock(&p->mutex);
  for(i=0; i<FAULT_N_OP; i++) n += p->aCount[i];
  pthread_mutex_unlock(&p->mutex);
  return n;
}

u32 faultenvHitMask(FaultEnv *p){
  u32 mask = 0;
  int i;
  pthread_mutex_lock(&p->mutex);
  for(i=0; i<FAULT_N_OP; i++){
    if( p->aCount[i] ) mask |= FAULT_MASK(i);
  }
  pthread_mutex_unlock(&p->mutex);
  return mask;
}

u64 faultenvInjected(FaultEnv *p){
  u64 n;
  pthread_mutex_lock(&p->mutex);
  n = p->nInjected;
  pthread_mutex_unlock(&p->mutex);
  return n;
}

void faultenvResetCounts(FaultEnv *p){
  pthread_mutex_lock(&p->mutex);
  memset(p->aCount, 0, sizeof(p->aCount));
  p->nInjected = 0;
  pthread_mutex_unlock(&p->mutex);
}

const char *faultenvOpName(int eOp){
  static const char *const azName[FAULT_N_OP] = {
    "xOpen", "xOpen(CREATE)", "xRead", "xAppend", "xSync", "xSize",
    "xTruncate", "xClose", "xMkdir", "xRmdir", "xSyncDir", "xRename",
    "xRemove", "xExists", "xList", "xFileId", "xLock", "xUnlock",
    "xMalloc", "xRealloc", "xFree", "xNowMicros", "xSleep",
  };
  if( eOp<0 || eOp>=FAULT_N_OP ) return "?";
  return azName[eOp];
}

void faultenvFailNth(FaultEnv *p, u32 mask, u64 nth, int rc,
                     int bPersistent){
  pthread_mutex_lock(&p->mutex);
  p->failMask = nth>0 ? (mask & FAULT_MASK_ALL) : 0;
  p->nFailLeft = nth;
  p->failRc = rc;
  p->bFailPersistent = bPersistent;
  p->bFailing = 0;
  pthread_mutex_unlock(&p->mutex);
}

void faultenvSetTornAppend(FaultEnv *p, i64 nPrefix){
  pthread_mutex_lock(&p->mutex);
  p->nTornPrefix = nPrefix;
  pthread_mutex_unlock(&p->mutex);
}

void faultenvMallocFail(FaultEnv *p, u64 nth, int bPersistent){
  pthread_mutex_lock(&p->mutex);
  p->nMallocLeft = nth;
  p->bMallocPersistent = bPersistent;
  p->bMallocFailing = 0;
  pthread_mutex_unlock(&p->mutex);
}

void faultenvClearFaults(FaultEnv *p){
  faultenvFailNth(p, 0, 0, LSMC_OK, 0);
  faultenvMallocFail(p, 0, 0);
}

void faultenvSetDead(FaultEnv *p, int bDead){
  pthread_mutex_lock(&p->mutex);
  p->bDead = bDead;
  pthread_mutex_unlock(&p->mutex);
}

void faultenvSetSyncHook(FaultEnv *p,
                         void (*xHook)(FaultEnv*, void*, u64), void *pArg){
  pthread_mutex_lock(&p->mutex);
  p->xHook = xHook;
  p->pHookArg = pArg;
  pthread_mutex_unlock(&p->mutex);
}

u64 faultenvSyncCount(FaultEnv *p){
  u64 n;
  pthread_mutex_lock(&p->mutex);
  n = p->nSync;
  pthread_mutex_unlock(&p->mutex);
  return n;
}

void faultenvSetUndoLimit(FaultEnv *p, size_t nMax){
  pthread_mutex_lock(&p->mutex);
  p->nUndoMax = nMax;
  pthread_mutex_unlock(&p->mutex);
}
