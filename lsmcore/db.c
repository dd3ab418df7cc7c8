/*
** db.c -- the engine's orchestration: open and recovery, the write path
** with group commit, point lookups, iterators, snapshots, statistics and
** close.  The engine object and its locking rules are in db.h; the flush
** in flush.c.
**
** The write path (group commit, two-phase commit, flush and manual
** compaction requests) is in db_write.c; the read path and snapshots in
** db_read.c.
**
** Writes.  Writers queue (DbWriter, db.h); the head leads: it makes room
** in the memtable, writes its own and the queued followers' batches as one
** WAL record (group commit), inserts them, publishes iLastSeq and hands
** the lead to the next writer.  A two-phase commit (lsmc_commit_prepare)
** is a leader that writes its batch alone and keeps the lead, with the
** memtable memory for its entries reserved, until lsmc_commit_apply
** inserts and publishes the batch (it cannot fail) or lsmc_commit_abort
** appends an abort marker; writers queued meanwhile wait.
**
** Open (engineOpen):
**   1. The directory is created if missing.  A directory that exists, is
**      not empty and has no IDENTITY file is never adopted (nothing in it
**      is created, locked or written).
**   2. LOCK is locked (LSMC_BUSY if another process holds it), IDENTITY is
**      written for a new store and verified for an existing one.
**   3. The version set is recovered from CURRENT and its manifest (a store
**      with data files but no CURRENT is LSMC_CORRUPT, never an empty
**      store), every SSTable it names must exist, and so must the WAL
**      its LOG names (else an edit was lost), and the next file number
**      is moved past every file of ours in the directory (never reused).
**   4. A new manifest is written and CURRENT pointed at it.
**   5. WALs numbered >= the manifest's LOG are replayed in order into a
**      memtable, which is flushed to level 0 as it fills and at the end.
**      A torn tail of the last WAL is dropped; damage before valid data is
**      LSMC_CORRUPT (unless LSMC_OPT_RECOVERY asks for point in time).
**      A batch record followed by an abort marker naming it is skipped
**      (wal_format.h), so each record is applied only once the next one
**      has been read.
**   6. A new WAL is created, the manifest's LOG moved to it, and obsolete
**      files that are provably the store's (older WALs and manifests,
**      orphan SSTables, temp files numbered below the recovered NEXT_FILE,
**      and the WALs just replayed) are deleted; a file named like ours
**      but numbered higher is kept (see Sweep).
**
** The process-wide registry (the one mutable global of the engine, by
** design: one engine per store per process) maps a directory's device and
** inode to its open engine.
*/
#include "db.h"
#include "coding.h"
#include "env.h"
#include "filename.h"
#include "wal_format.h"
#include "wal_reader.h"
#include "wal_writer.h"
#include "crashpoint.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>


/* The IDENTITY file: magic, version, creation time, checksum. */
#define DB_IDENTITY_MAGIC    0x544e4449636d736cULL   /* "lsmcIDNT" */
#define DB_IDENTITY_VERSION  1
#define DB_IDENTITY_SIZE     24
#define DB_IDENTITY_SEED     0x6c736d632d696400ULL

static pthread_mutex_t registryMu = PTHREAD_MUTEX_INITIALIZER;
static LsmEngine *pRegistry = 0;      /* Open engines (registryMu) */

/* ---------------------------------------------------------- messages */

/*
** Record the message of a failed call on pDb and return rc.  zFmt may be
** NULL for lsmc_errstr(rc) alone.
*/
int lsmcDbError(lsmc_db *pDb, int rc, const char *zFmt, ...){
  char *zMsg = 0;
  if( pDb==0 ) return rc;
  lsmcFree(pDb->pEnv, pDb->zErrMsg);
  pDb->zErrMsg = 0;
  if( zFmt ){
    char zBuf[512];
    va_list ap;
    va_start(ap, zFmt);
    (void)vsnprintf(zBuf, sizeof(zBuf), zFmt, ap);   /* may truncate */
    va_end(ap);
    zMsg = lsmcMprintf(pDb->pEnv, "%s (%s)", zBuf, lsmc_errstr(rc));
  }else{
    zMsg = lsmcStrdup(pDb->pEnv, lsmc_errstr(rc));
  }
  pDb->zErrMsg = zMsg;
  return rc;
}

const char *lsmc_errmsg(lsmc_db *pDb){
  if( pDb==0 ) return lsmc_errstr(LSMC_NOMEM);
  return pDb->zErrMsg ? pDb->zErrMsg : "not an error";
}

void lsmc_free(lsmc_db *pDb, void *p){
  lsmc_env *pEnv = (pDb && pDb->pEnv) ? pDb->pEnv : lsmc_default_env();
  lsmcFree(pEnv, p);
}

/* ---------------------------------------------------------- identity */

static int dbWriteIdentity(LsmEngine *e){
  lsmc_env *pEnv = e->pEnv;
  char *zPath = lsmcFileName(pEnv, e->zDir, LSMC_FILE_IDENTITY, 0);
  lsmc_file *pFile = 0;
  u8 a[DB_IDENTITY_SIZE];
  int rc = zPath ? LSMC_OK : LSMC_NOMEM;
  lsmcPut64(&a[0], DB_IDENTITY_MAGIC);
  lsmcPut32(&a[8], DB_IDENTITY_VERSION);
  lsmcPut64(&a[12], pEnv->xNowMicros(pEnv));
  lsmcPut32(&a[20], lsmcChecksum32(a, 20, DB_IDENTITY_SEED));
  if( rc==LSMC_OK ) rc = LSMC_ENV(pEnv->xOpen(pEnv, zPath, LSMC_OPEN_CREATE, &pFile));
  if( rc==LSMC_OK ) rc = LSMC_ENV(pEnv->xAppend(pFile, a, sizeof(a)));
  if( rc==LSMC_OK ) rc = LSMC_ENV(pEnv->xSync(pFile));
  CRASHPOINT(IDENTITY_WRITTEN);
  if( pFile ){
    int rc2 = LSMC_ENV(pEnv->xClose(pFile));
    if( rc==LSMC_OK ) rc = rc2;
  }
  if( rc==LSMC_OK ) rc = LSMC_ENV(pEnv->xSyncDir(pEnv, e->zDir));
  CRASHPOINT(IDENTITY_DIRSYNCED);
  lsmcFree(pEnv, zPath);
  return rc;
}

/* LSMC_OK if zDir's IDENTITY is whole and ours, LSMC_CORRUPT if damaged. */
int lsmcDbCheckIdentity(lsmc_env *pEnv, const char *zDir){
  char *zPath = lsmcFileName(pEnv, zDir, LSMC_FILE_IDENTITY, 0);
  LsmcBuf buf;
  int rc = zPath ? LSMC_OK : LSMC_NOMEM;
  lsmcBufInit(&buf, pEnv);
  if( rc==LSMC_OK ) rc = lsmcEnvReadFile(pEnv, zPath, 4096, &buf);
  if( rc==LSMC_OK ){
    if( buf.n!=DB_IDENTITY_SIZE
     || lsmcGet64(buf.a)!=DB_IDENTITY_MAGIC
     || lsmcGet32(&buf.a[8])!=DB_IDENTITY_VERSION
     || lsmcGet32(&buf.a[20])!=lsmcChecksum32(buf.a, 20, DB_IDENTITY_SEED) ){
      rc = LSMC_CORRUPT_BKPT;
    }
  }
  lsmcBufFree(&buf);
  lsmcFree(pEnv, zPath);
  return rc;
}

static int dbCheckIdentity(LsmEngine *e){
  return lsmcDbCheckIdentity(e->pEnv, e->zDir);
}

/* ------------------------------------------------------- dir listing */

/* What a listing of the store directory found. */
typedef struct DirScan DirScan;
struct DirScan {
  int nEntry;            /* Names other than LOCK */
  int bIdentity;         /* IDENTITY present */
  int bCurrent;          /* CURRENT present */
  int nData;             /* .sst and .log files */
  u64 iMaxNumber;        /* Largest file number of ours */
};

static int dbScanEntry(void *pArg, const char *zName){
  DirScan *p = (DirScan*)pArg;
  int eType;
  u64 iNum;
  if( strcmp(zName, "LOCK")==0 ) return 0;
  p->nEntry++;
  if( lsmcParseFileName(zName, &eType, &iNum) ){
    if( eType==LSMC_FILE_IDENTITY ) p->bIdentity = 1;
    if( eType==LSMC_FILE_CURRENT ) p->bCurrent = 1;
    if( eType==LSMC_FILE_SST || eType==LSMC_FILE_WAL ) p->nData++;
    if( iNum>p->iMaxNumber ) p->iMaxNumber = iNum;
  }
  return 0;
}

static int dbScan(LsmEngine *e, DirScan *pScan){
  memset(pScan, 0, sizeof(*pScan));
  return LSMC_ENV(e->pEnv->xList(e->pEnv, e->zDir, dbScanEntry, pScan));
}

/* A growable list of file numbers of one kind, found in the directory. */
typedef struct NumList NumList;
struct NumList {
  int eType;             /* LSMC_FILE_* collected */
  int n;                 /* Numbers found */
  int nAlloc;            /* Allocated slots */
  u64 *a;                /* The numbers */
  lsmc_env *pEnv;        /* Allocator */
};

static int dbCollectEntry(void *pArg, const char *zName){
  NumList *p = (NumList*)pArg;
  int eType;
  u64 iNum;
  if( lsmcParseFileName(zName, &eType, &iNum) && eType==p->eType ){
    if( p->n==p->nAlloc ){
      int nNew = p->nAlloc ? p->nAlloc*2 : 16;
      u64 *aNew = lsmcRealloc(p->pEnv, p->a, sizeof(u64)*(size_t)nNew);
      if( aNew==0 ) return LSMC_NOMEM;
      p->a = aNew;
      p->nAlloc = nNew;
    }
    p->a[p->n++] = iNum;
  }
  return 0;
}

static int dbCmpU64(const void *a, const void *b){
  u64 x = *(const u64*)a, y = *(const u64*)b;
  return x<y ? -1 : x>y;
}

/* Collect and sort the numbers of every file of kind eType. */
static int dbCollect(LsmEngine *e, int eType, NumList *pList){
  int rc;
  memset(pList, 0, sizeof(*pList));
  pList->eType = eType;
  pList->pEnv = e->pEnv;
  rc = LSMC_ENV(e->pEnv->xList(e->pEnv, e->zDir, dbCollectEntry, pList));
  if( rc==LSMC_OK && pList->n>1 ){
    qsort(pList->a, (size_t)pList->n, sizeof(u64), dbCmpU64);
  }
  return rc;
}

/* ----------------------------------------------------------- recovery */

/* Context of WAL replay at open. */
typedef struct Replay Replay;
struct Replay {
  LsmEngine *e;          /* Engine being opened */
  MemTable *pMem;        /* Memtable receiving entries */
  u64 iMaxSeq;           /* Largest sequence number replayed */
  u64 iWal;              /* WAL being replayed (for messages) */
  LsmcBuf pending;       /* Last batch record read, not yet applied */
  int bPending;          /* True if pending holds a record */
  int bCountOnly;        /* Past the end of the log: apply nothing */
  int bAnySeq;           /* iMaxSeq holds an entry's sequence number */
};

static int replayEntry(void *pArg, u64 iSeq, int eKind, const u8 *pKey,
                       size_t nKey, const u8 *pVal, size_t nVal){
  Replay *p = (Replay*)pArg;
  if( iSeq>LSMC_MAX_SEQ ) return LSMC_CORRUPT_BKPT;
  /* Sequence numbers rise strictly through the log (records are written
  ** in the order their numbers were given); a record that goes back would
  ** collide with entries already replayed. */
  if( p->bAnySeq && iSeq<=p->iMaxSeq ) return LSMC_CORRUPT_BKPT;
  p->bAnySeq = 1;
  p->iMaxSeq = iSeq;
  return lsmcMemtableAdd(p->pMem, iSeq, eKind, pKey, nKey, pVal, nVal);
}

/*
** Flush the replay memtable to a new L0 file and start a fresh one.
*/
static int replayFlush(Replay *p){
  LsmEngine *e = p->e;
  MemTable *pNew = 0;
  LsmcBuf smallest, largest;
  EditFile file;
  int rc = LSMC_OK;
  if( lsmcMemtableCount(p->pMem)==0 ) return LSMC_OK;
  lsmcBufInit(&smallest, e->pEnv);
  lsmcBufInit(&largest, e->pEnv);
  {
    u64 iNum = 0;
    rc = lsmcVersionSetNewFileNumber(e->pVs, &iNum);
    if( rc==LSMC_OK ){
      rc = lsmcWriteLevel0(e, p->pMem, iNum, &file, &smallest, &largest);
    }
  }
  if( rc==LSMC_OK ){
    VersionEdit edit;
    lsmcEditInit(&edit, e->pEnv);
    rc = lsmcEditAddFile(&edit, &file);
    if( p->iMaxSeq>e->pVs->iLastSeq ) e->pVs->iLastSeq = p->iMaxSeq;
    if( rc==LSMC_OK ) rc = lsmcVersionSetApply(e->pVs, &edit);
    lsmcEditClear(&edit);
  }
  if( rc==LSMC_OK ) rc = lsmcDbMemtableNew(e, &pNew);
  if( rc==LSMC_OK ){
    lsmcMemtableUnref(p->pMem);
    p->pMem = pNew;
  }
  lsmcBufFree(&smallest);
  lsmcBufFree(&largest);
  return rc;
}

/*
** Apply the pending batch record, if any, to the replay memtable, and
** flush the memtable when it is full.
*/
static int replayPending(Replay *p){
  int rc = LSMC_OK;
  if( !p->bPending ) return LSMC_OK;
  p->bPending = 0;
  rc = lsmcBatchIterate(p->pending.a, p->pending.n, replayEntry, p);
  if( rc==LSMC_OK && lsmcMemtableBytes(p->pMem)
      >= (size_t)p->e->opts.aVal[LSMC_OPT_MEMTABLE_SIZE] ){
    rc = replayFlush(p);
  }
  return rc;
}

/* True if record pData[0..nData) is an abort marker (wal_format.h). */
static int replayIsAbort(const u8 *pData, size_t nData){
  return nData==LSMC_WAL_ABORT_SIZE && lsmcGet64(pData)==LSMC_WAL_ABORT_TAG;
}

/*
** One WAL record.  A batch record is held back until the next record
** shows whether it was aborted: an abort marker naming it drops it; any
** other record, or the end of the WAL, applies it.
*/
static int replayRecord(void *pArg, const u8 *pData, size_t nData){
  Replay *p = (Replay*)pArg;
  int rc = LSMC_OK;
  if( p->bCountOnly ) return LSMC_OK;     /* counted by the WAL reader */
  if( replayIsAbort(pData, nData) ){
    if( !p->bPending || p->pending.n<LSMC_BATCH_HEADER
     || lsmcGet64(p->pending.a)!=lsmcGet64(&pData[8])
     || lsmcGet32(&p->pending.a[8])!=lsmcGet32(&pData[16]) ){
      return LSMC_CORRUPT_BKPT;      /* names no record just before it */
    }
    p->bPending = 0;
    return LSMC_OK;
  }
  rc = replayPending(p);
  lsmcBufSet(&rc, &p->pending, pData, nData);
  if( rc==LSMC_OK ) p->bPending = 1;
  return rc;
}

/* Context of the search for foreign files at open. */
typedef struct Foreign Foreign;
struct Foreign {
  LsmEngine *e;          /* Engine */
  u64 iOwnedBelow;       /* The recovered NEXT_FILE */
  int rc;                /* First error */
};

static int dbForeignEntry(void *pArg, const char *zName){
  Foreign *p = (Foreign*)pArg;
  int eType;
  u64 iNum;
  if( lsmcParseFileName(zName, &eType, &iNum) && iNum>=p->iOwnedBelow ){
    p->rc = lsmcVersionSetAddForeign(p->e->pVs, iNum);
  }
  return p->rc;
}

/*
** Record as FOREIGN every file named like ours but numbered at or above
** the recovered NEXT_FILE: the store never handed that number out, so the
** file is not its own (TESTPLAN H4).  It is never replayed or deleted, and
** its number is never handed out; the new manifest records it.
*/
static int dbFindForeign(lsmc_db *pDb, LsmEngine *e, u64 iOwnedBelow){
  Foreign f;
  int rc;
  f.e = e;
  f.iOwnedBelow = iOwnedBelow;
  f.rc = LSMC_OK;
  rc = LSMC_ENV(e->pEnv->xList(e->pEnv, e->zDir, dbForeignEntry, &f));
  if( LSMC_PRIMARY(rc)==LSMC_CORRUPT ){
    rc = lsmcDbError(pDb, rc, "%s: too many foreign files named like the "
                     "store's", e->zDir);
  }
  return rc;
}

/*
** Replay every WAL numbered >= the manifest's LOG and below iOwnedBelow
** (the recovered NEXT_FILE; higher numbers and FOREIGN ones are not the
** store's).  A torn tail (or, under point in time, damage) ends the log:
** the later WALs must hold no record, else there would be a hole, which
** is LSMC_CORRUPT unless LSMC_RECOVER_POINT_IN_TIME asked for the prefix.
** Under LSMC_RECOVER_UNCLEAN_TAIL damage ends the log like a torn tail,
** except in the WAL a clean close synced (CLEAN_WAL), where it is
** LSMC_CORRUPT.
*/
static int dbReplayWals(lsmc_db *pDb, LsmEngine *e, u64 iOwnedBelow,
                        u64 *piMaxReplayed){
  int eOpt = (int)e->opts.aVal[LSMC_OPT_RECOVERY];
  int eRecovery = eOpt;
  NumList wals;
  Replay r;
  int rc;
  int i;
  int bStop = 0;          /* Point in time: damage seen, replay no more */
  int iTorn = -1;         /* Index of a WAL that ended in a torn tail */

  memset(&r, 0, sizeof(r));
  r.e = e;
  lsmcBufInit(&r.pending, e->pEnv);
  rc = dbCollect(e, LSMC_FILE_WAL, &wals);
  if( rc==LSMC_OK ) rc = lsmcDbMemtableNew(e, &r.pMem);
  for(i=0; rc==LSMC_OK && !bStop && i<wals.n; i++){
    WalReplayStat st;
    char *zPath;
    if( wals.a[i]<e->pVs->iLogNumber ) continue;
    if( wals.a[i]>=iOwnedBelow || lsmcVersionSetIsForeign(e->pVs, wals.a[i]) ){
      continue;                            /* not the store's: never read */
    }
    zPath = lsmcFileName(e->pEnv, e->zDir, LSMC_FILE_WAL, wals.a[i]);
    if( zPath==0 ){ rc = LSMC_NOMEM; break; }
    memset(&st, 0, sizeof(st));
    r.iWal = wals.a[i];
    *piMaxReplayed = wals.a[i];
    if( eOpt==LSMC_RECOVER_UNCLEAN_TAIL ){
      /* Damage may end the log (point in time), unless this WAL was
      ** synced by a clean close; a later WAL holding records then shows
      ** that it was not the end (below). */
      eRecovery = wals.a[i]==e->pVs->iCleanWal ? LSMC_RECOVER_STRICT
                                              : LSMC_RECOVER_POINT_IN_TIME;
    }
    /* After the end of the log (a torn tail or, point in time, damage) the
    ** later WALs are only read to see whether they hold records: nothing
    ** after the end is ever applied (no hole). */
    r.bCountOnly = iTorn>=0;
    rc = lsmcWalReplay(e->pEnv, zPath, eRecovery, replayRecord, &r, &st);
    if( rc==LSMC_OK && !r.bCountOnly ){
      rc = replayPending(&r);   /* a marker never crosses into the next WAL */
    }
    lsmcFree(e->pEnv, zPath);
    if( rc==LSMC_OK && iTorn>=0 && st.nRecord>0 ){
      if( eOpt!=LSMC_RECOVER_POINT_IN_TIME ){
        rc = lsmcDbError(pDb, LSMC_CORRUPT_BKPT, "%s: WAL %06llu ends early but "
            "WAL %06llu holds later records", e->zDir,
            (unsigned long long)wals.a[iTorn], (unsigned long long)wals.a[i]);
      }
      bStop = 1;
    }else if( rc==LSMC_OK ){
      if( iTorn<0 && (st.bTail || st.bDamaged) ) iTorn = i;
    }else if( LSMC_PRIMARY(rc)==LSMC_CORRUPT ){
      lsmcDbError(pDb, rc, "%s: WAL %06llu is damaged before its end", e->zDir,
              (unsigned long long)wals.a[i]);
    }
  }
  if( rc==LSMC_OK ) rc = replayFlush(&r);
  if( r.iMaxSeq>e->pVs->iLastSeq ) e->pVs->iLastSeq = r.iMaxSeq;
  lsmcMemtableUnref(r.pMem);
  lsmcBufFree(&r.pending);
  lsmcFree(e->pEnv, wals.a);
  return rc;
}

/*
** Context of the obsolete-file sweep at open.  A file of our naming is
** provably the store's only if its number is below the NEXT_FILE the
** manifest recorded (numbers are handed out in order and never reused),
** or if it is a WAL this open replayed.  Anything else -- a crash
** leftover written after the last manifest edit, or a foreign file named
** like ours -- is kept (and its number never reused): deleting it could
** destroy what is not ours (TESTPLAN H4).
*/
typedef struct Sweep Sweep;
struct Sweep {
  LsmEngine *e;          /* Engine */
  Version *v;            /* Current version */
  u64 iOwnedBelow;       /* NEXT_FILE recorded by the recovered manifest */
  u64 iMaxReplayed;      /* Largest WAL number replayed (0: none) */
};

static int dbSweepEntry(void *pArg, const char *zName){
  Sweep *p = (Sweep*)pArg;
  LsmEngine *e = p->e;
  VersionSet *pVs = e->pVs;
  int eType;
  u64 iNum;
  int bKeep = 1;
  if( !lsmcParseFileName(zName, &eType, &iNum) ) return 0;  /* not ours */
  if( (iNum>=p->iOwnedBelow
       && !(eType==LSMC_FILE_WAL && iNum<=p->iMaxReplayed))
   || lsmcVersionSetIsForeign(pVs, iNum) ){
    return 0;                              /* not provably the store's */
  }
  switch( eType ){
    case LSMC_FILE_WAL:      bKeep = (iNum>=pVs->iLogNumber); break;
    case LSMC_FILE_MANIFEST: bKeep = (iNum==pVs->iManifest); break;
    case LSMC_FILE_TEMP:     bKeep = 0; break;
    case LSMC_FILE_SST: {
      int i, j;
      bKeep = 0;
      for(i=0; i<LSMC_NUM_LEVELS && !bKeep; i++){
        for(j=0; j<p->v->anFile[i]; j++){
          if( p->v->apFile[i][j]->iNumber==iNum ){ bKeep = 1; break; }
        }
      }
      break;
    }
  }
  if( !bKeep ){
    char *zPath = lsmcMprintf(e->pEnv, "%s/%s", e->zDir, zName);
    if( zPath ) LSMC_ENV(e->pEnv->xRemove(e->pEnv, zPath));
    CRASHPOINT(SWEEP_REMOVED);
    lsmcFree(e->pEnv, zPath);
  }
  return 0;
}

/*
** Check that every SSTable the current version names exists, and the WAL
** its LOG names.
*/
static int dbCheckFiles(lsmc_db *pDb, LsmEngine *e){
  Version *v = e->pVs->pCurrent;
  int rc = LSMC_OK;
  int i, j;
  for(i=0; rc==LSMC_OK && i<LSMC_NUM_LEVELS; i++){
    for(j=0; rc==LSMC_OK && j<v->anFile[i]; j++){
      u64 iNum = v->apFile[i][j]->iNumber;
      char *zPath = lsmcFileName(e->pEnv, e->zDir, LSMC_FILE_SST, iNum);
      int bExists = 0;
      rc = zPath ? LSMC_ENV(e->pEnv->xExists(e->pEnv, zPath, &bExists)) : LSMC_NOMEM;
      if( rc==LSMC_OK && !bExists ){
        rc = lsmcDbError(pDb, LSMC_CORRUPT_BKPT, "%s: %06llu.sst named by the "
                     "manifest is missing", e->zDir, (unsigned long long)iNum);
      }
      lsmcFree(e->pEnv, zPath);
    }
  }
  /* The WAL the manifest's LOG names is created (and its name synced)
  ** before the edit that names it, and deleted only after a later edit
  ** moved LOG past it.  If it is missing, the manifest lost that later
  ** edit (a damaged last record reads as a torn tail), and what the lost
  ** edit recorded -- a flush of that WAL -- would silently vanish. */
  if( rc==LSMC_OK && e->pVs->iLogNumber>0 ){
    u64 iLog = e->pVs->iLogNumber;
    char *zPath = lsmcFileName(e->pEnv, e->zDir, LSMC_FILE_WAL, iLog);
    int bExists = 0;
    rc = zPath ? LSMC_ENV(e->pEnv->xExists(e->pEnv, zPath, &bExists)) : LSMC_NOMEM;
    if( rc==LSMC_OK && !bExists ){
      rc = lsmcDbError(pDb, LSMC_CORRUPT_BKPT, "%s: %06llu.log named by the "
                   "manifest is missing (a manifest edit was lost)", e->zDir,
                   (unsigned long long)iLog);
    }
    lsmcFree(e->pEnv, zPath);
  }
  return rc;
}

/*
** Create the active WAL (number from the version set), sync the directory
** so its name survives a crash, and make it the engine's.
*/
int lsmcDbNewWal(LsmEngine *e, WalWriter **ppWal, u64 *piWal){
  u64 iNum = 0;
  char *zPath = 0;
  int rc = lsmcVersionSetNewFileNumber(e->pVs, &iNum);
  *ppWal = 0;
  if( rc==LSMC_OK ){
    zPath = lsmcFileName(e->pEnv, e->zDir, LSMC_FILE_WAL, iNum);
    if( zPath==0 ) rc = LSMC_NOMEM;
  }
  if( rc==LSMC_OK ) rc = lsmcWalWriterOpen(e->pEnv, zPath, ppWal);
  CRASHPOINT(WAL_CREATED);
  if( rc==LSMC_OK ) rc = LSMC_ENV(e->pEnv->xSyncDir(e->pEnv, e->zDir));
  CRASHPOINT(WAL_DIRSYNCED);
  if( rc!=LSMC_OK ){
    lsmcWalWriterClose(*ppWal);
    *ppWal = 0;
    if( zPath ) LSMC_ENV(e->pEnv->xRemove(e->pEnv, zPath));
  }
  *piWal = iNum;
  lsmcFree(e->pEnv, zPath);
  return rc;
}

/*
** Recover the store (steps 3-6 of the header comment).  REQUIRES: the
** lock is held and IDENTITY verified.
*/
static int dbRecover(lsmc_db *pDb, LsmEngine *e, const DirScan *pScan){
  u64 iOwnedBelow = 0;      /* Manifest's NEXT_FILE: lower numbers are ours */
  int bLegacy = 0;          /* A FORMAT 1 manifest was recovered */
  u64 iMaxReplayed = 0;     /* Largest WAL number replayed */
  int rc = lsmcVersionSetNew(e->pEnv, e->zDir,
                             (int)e->opts.aVal[LSMC_OPT_RECOVERY],
                             (u64)e->opts.aVal[LSMC_OPT_MAX_OPEN_FILES],
                             e->pBlockCache, &e->pVs);
  if( rc==LSMC_OK ){
    rc = lsmcVersionSetRecover(e->pVs);
    if( rc==LSMC_IOERR_NOENT ){
      rc = LSMC_OK;
      if( pScan->nData>0 ){
        rc = lsmcDbError(pDb, LSMC_CORRUPT_BKPT, "%s: CURRENT is missing but the "
                     "store holds data files", e->zDir);
      }
    }else if( LSMC_PRIMARY(rc)==LSMC_CORRUPT ){
      lsmcDbError(pDb, rc, "%s: CURRENT or the manifest is damaged", e->zDir);
    }
  }
  if( rc==LSMC_OK ) rc = dbCheckFiles(pDb, e);
  if( e->pVs ){                                    /* NULL after NOMEM */
    iOwnedBelow = e->pVs->iReserved;
    bLegacy = e->pVs->bLegacy;
  }
  if( rc==LSMC_OK && bLegacy ){
    /* FORMAT 1: NEXT_FILE was no reservation; a WAL made after the last
    ** edit is numbered above it.  Move past every number (the old rule). */
    if( e->pVs->iNextFile<=pScan->iMaxNumber ){
      e->pVs->iNextFile = pScan->iMaxNumber + 1;
    }
  }else if( rc==LSMC_OK ){
    rc = dbFindForeign(pDb, e, iOwnedBelow);
  }
  if( rc==LSMC_OK ) rc = lsmcVersionSetNewManifest(e->pVs);
  if( rc==LSMC_OK ){
    rc = dbReplayWals(pDb, e, bLegacy ? UINT64_MAX : iOwnedBelow,
                      &iMaxReplayed);
  }
  if( rc==LSMC_OK ) e->pVs->iCleanWal = 0;   /* replayed: the next edit
                                             ** (LOG) ends the clean state */
  if( rc==LSMC_OK ) rc = lsmcDbMemtableNew(e, &e->pMem);
  if( rc==LSMC_OK ){
    WalWriter *pWal = 0;
    rc = lsmcDbNewWal(e, &pWal, &e->iWal);
    e->pWal = pWal;
  }
  if( rc==LSMC_OK ){
    VersionEdit edit;
    lsmcEditInit(&edit, e->pEnv);
    edit.bLog = 1;
    edit.iLog = e->iWal;
    rc = lsmcVersionSetApply(e->pVs, &edit);
    lsmcEditClear(&edit);
  }
  if( rc==LSMC_OK ){
    Sweep sweep;
    e->iLastSeq = e->pVs->iLastSeq;
    sweep.e = e;
    sweep.v = e->pVs->pCurrent;
    sweep.iOwnedBelow = iOwnedBelow;
    sweep.iMaxReplayed = iMaxReplayed;
    LSMC_ENV(e->pEnv->xList(e->pEnv, e->zDir, dbSweepEntry, &sweep));
  }
  return rc;
}

/*
** A new memtable with its live bloom filter (db.h).
*/
int lsmcDbMemtableNew(LsmEngine *e, MemTable **ppMem){
  size_t nFilter = (size_t)e->opts.aVal[LSMC_OPT_MEMTABLE_SIZE]
                  / LSMC_MEMTABLE_FILTER_RATIO;
  if( nFilter>LSMC_MEMTABLE_FILTER_MAX ) nFilter = LSMC_MEMTABLE_FILTER_MAX;
  return lsmcMemtableNewFiltered(e->pEnv, nFilter, ppMem);
}

/* ------------------------------------------------------- open / close */

static void engineFree(LsmEngine *e){
  lsmc_env *pEnv = e->pEnv;
  lsmcBgStop(e);
  if( e->pWal ){
    int rc = lsmcWalSync(e->pWal);   /* the WAL is synced on close */
    lsmcWalWriterClose(e->pWal);
    if( rc==LSMC_OK && e->bgError==LSMC_OK && e->pVs && e->pVs->pManifest ){
      /* Record the clean close: damage in this WAL is then corruption,
      ** not an interrupted write (LSMC_RECOVER_UNCLEAN_TAIL).  Best
      ** effort: without it the next open is only less strict. */
      VersionEdit edit;
      lsmcEditInit(&edit, pEnv);
      edit.bCleanWal = 1;
      edit.iCleanWal = e->iWal;
      pthread_mutex_lock(&e->mu);
      lsmcVersionSetApply(e->pVs, &edit);
      pthread_mutex_unlock(&e->mu);
      lsmcEditClear(&edit);
    }
  }
  lsmcMemtableUnref(e->pMem);
  lsmcMemtableUnref(e->pImm);
  lsmcVersionSetFree(e->pVs);
  if( e->pBlockCache ) lsmcCacheSharedRelease(e->pBlockCache);
  if( e->pLock ) LSMC_ENV(pEnv->xUnlock(pEnv, e->pLock));
  pthread_mutex_destroy(&e->mu);
  pthread_cond_destroy(&e->cvWork);
  pthread_cond_destroy(&e->cvDone);
  lsmcFree(pEnv, e->zBgError);
  lsmcFree(pEnv, e->zDir);
  lsmcFree(pEnv, e);
}

static int engineOpen(lsmc_db *pDb, const char *zDir, const lsmc_options *pOpts,
                      LsmEngine **ppEng){
  lsmc_env *pEnv = pDb->pEnv;
  LsmEngine *e;
  DirScan scan;
  int bExists = 0;
  int rc;

  *ppEng = 0;
  e = lsmcMallocZero(pEnv, sizeof(LsmEngine));
  if( e==0 ) return LSMC_NOMEM;
  e->pEnv = pEnv;
  if( pOpts ) e->opts = *pOpts; else lsmcOptionsDefault(&e->opts);
  e->snapList.pNext = e->snapList.pPrev = &e->snapList;
  pthread_mutex_init(&e->mu, 0);
  pthread_cond_init(&e->cvWork, 0);
  pthread_cond_init(&e->cvDone, 0);
  switch( e->opts.aVal[LSMC_OPT_COMPACTION] ){
    case LSMC_COMPACTION_TIERED: e->pStrategy = &lsmcTiered;  break;
    case LSMC_COMPACTION_FIFO:   e->pStrategy = &lsmcFifo;    break;
    default:                     e->pStrategy = &lsmcLeveled; break;
  }
  e->zDir = lsmcStrdup(pEnv, zDir);
  rc = e->zDir ? LSMC_ENV(pEnv->xExists(pEnv, zDir, &bExists)) : LSMC_NOMEM;
  if( rc==LSMC_OK && e->opts.aVal[LSMC_OPT_CACHE_SIZE]>0 ){
    rc = lsmcCacheShared((u64)e->opts.aVal[LSMC_OPT_CACHE_SIZE],
                         &e->pBlockCache);
  }

  if( rc==LSMC_OK && !bExists ){
    if( e->opts.aVal[LSMC_OPT_CREATE]==0 ){
      rc = lsmcDbError(pDb, LSMC_CANTOPEN, "%s: no such store", zDir);
    }else{
      rc = LSMC_ENV(pEnv->xMkdir(pEnv, zDir));
      if( rc ) lsmcDbError(pDb, rc, "%s: cannot create the directory", zDir);
    }
  }
  if( rc==LSMC_OK ){
    rc = dbScan(e, &scan);
    if( rc ) lsmcDbError(pDb, rc, "%s: cannot list the directory", zDir);
  }
  if( rc==LSMC_OK && !scan.bIdentity && scan.nEntry>0 ){
    rc = lsmcDbError(pDb, LSMC_CANTOPEN, "%s: not an lsmvtab store (the directory "
                 "is not empty and has no IDENTITY file)", zDir);
  }
  if( rc==LSMC_OK && scan.bIdentity && (scan.bCurrent || scan.nData>0) ){
    /* Verify IDENTITY before LOCK is created: a damaged or foreign one is
    ** refused with nothing written in the directory (TESTPLAN H2). */
    rc = dbCheckIdentity(e);
    if( rc ) lsmcDbError(pDb, rc, "%s: IDENTITY is damaged", zDir);
  }
  if( rc==LSMC_OK ){
    char *zLock = lsmcFileName(pEnv, zDir, LSMC_FILE_LOCK, 0);
    rc = zLock ? LSMC_ENV(pEnv->xLock(pEnv, zLock, &e->pLock)) : LSMC_NOMEM;
    lsmcFree(pEnv, zLock);
    if( rc==LSMC_BUSY ){
      lsmcDbError(pDb, rc, "%s: the store is open in another process", zDir);
    }else if( rc ){
      lsmcDbError(pDb, rc, "%s: cannot lock the store", zDir);
    }
  }
  if( rc==LSMC_OK ){
    if( scan.bIdentity ){
      rc = dbCheckIdentity(e);
      if( rc==LSMC_CORRUPT && !scan.bCurrent && scan.nData==0 ){
        rc = dbWriteIdentity(e);        /* creation was interrupted */
      }else if( rc ){
        lsmcDbError(pDb, rc, "%s: IDENTITY is damaged", zDir);
      }
    }else{
      rc = dbWriteIdentity(e);
    }
  }
  if( rc==LSMC_OK ) rc = dbRecover(pDb, e, &scan);
  if( rc==LSMC_OK ){
    rc = LSMC_ENV(pEnv->xFileId(pEnv, zDir, &e->iDev, &e->iIno));
  }
  if( rc==LSMC_OK ) rc = lsmcBgStart(e);
  if( rc!=LSMC_OK ){
    if( pDb->zErrMsg==0 ) lsmcDbError(pDb, rc, "%s: cannot open the store", zDir);
    engineFree(e);
    return rc;
  }
  *ppEng = e;
  return LSMC_OK;
}

/*
** True if an engine of this process has directory zDir open (the registry
** matches by device and inode).  A directory that cannot be identified
** (missing) is not open.
*/
int lsmcDbIsOpen(lsmc_env *pEnv, const char *zDir){
  LsmEngine *e = 0;
  u64 iDev = 0, iIno = 0;
  pthread_mutex_lock(&registryMu);
  if( LSMC_ENV(pEnv->xFileId(pEnv, zDir, &iDev, &iIno))==LSMC_OK ){
    for(e=pRegistry; e; e=e->pNextEngine){
      if( e->iDev==iDev && e->iIno==iIno ) break;
    }
  }
  pthread_mutex_unlock(&registryMu);
  return e!=0;
}

int lsmc_open(const char *zDir, const lsmc_options *pOpts, lsmc_db **ppDb){
  lsmc_env *pEnv = (pOpts && pOpts->pEnv) ? pOpts->pEnv : lsmc_default_env();
  lsmc_db *pDb;
  LsmEngine *e = 0;
  u64 iDev = 0, iIno = 0;
  int rc = LSMC_OK;

  *ppDb = 0;
  if( zDir==0 || zDir[0]=='\0' ) return LSMC_MISUSE_BKPT;
  pDb = lsmcMallocZero(pEnv, sizeof(lsmc_db));
  if( pDb==0 ) return LSMC_NOMEM;
  pDb->pEnv = pEnv;
  *ppDb = pDb;

  pthread_mutex_lock(&registryMu);
  if( LSMC_ENV(pEnv->xFileId(pEnv, zDir, &iDev, &iIno))==LSMC_OK ){
    for(e=pRegistry; e; e=e->pNextEngine){
      if( e->iDev==iDev && e->iIno==iIno ) break;
    }
  }
  if( e==0 ){
    rc = engineOpen(pDb, zDir, pOpts, &e);
    if( rc==LSMC_OK ){
      e->pNextEngine = pRegistry;
      pRegistry = e;
    }
  }
  if( rc==LSMC_OK ){
    e->nHandle++;
    pDb->pEng = e;
  }
  pthread_mutex_unlock(&registryMu);
  return rc;
}

int lsmc_close(lsmc_db *pDb){
  LsmEngine *e;
  if( pDb==0 ) return LSMC_OK;
  e = pDb->pEng;
  if( e ){
    int bLast;
    pthread_mutex_lock(&registryMu);
    bLast = (--e->nHandle==0);
    if( bLast ){
      LsmEngine **pp;
      for(pp=&pRegistry; *pp; pp=&(*pp)->pNextEngine){
        if( *pp==e ){ *pp = e->pNextEngine; break; }
      }
    }
    pthread_mutex_unlock(&registryMu);
    if( bLast ) engineFree(e);
  }
  lsmc_batch_free(atomic_load(&pDb->pOne));
  lsmcFree(pDb->pEnv, pDb->zErrMsg);
  lsmcFree(pDb->pEnv, pDb);
  return LSMC_OK;
}

