/*
** version.c -- Versions (immutable, refcounted sets of live SSTables per
** level), the FileMeta records they share, lookups and iterators over a
** version, and the VersionSet: recovery from the manifest, new manifests,
** and installing edits.  The rules are in version.h; the edit and
** manifest formats in manifest.h.
*/
#include "version.h"
#include "coding.h"
#include "env.h"
#include "filename.h"
#include "two_level_iter.h"
#include "wal_writer.h"
#include "crashpoint.h"

#include <stdlib.h>

/* Manifests larger than this are rewritten at the next open. */
#define VERSION_MANIFEST_LIMIT (64u*1024*1024)

/* File numbers reserved by each manifest edit ahead of the next one. */
#define LSMC_FILE_RESERVE 1000

/* ------------------------------------------------------------ FileMeta */

/*
** A new FileMeta (one reference) from an edit's description.
*/
static int fileNew(VersionSet *pSet, const EditFile *f, FileMeta **ppFile){
  int rc = LSMC_OK;
  FileMeta *p = lsmcMallocZero(pSet->pEnv, sizeof(FileMeta));
  *ppFile = 0;
  if( p==0 ) return LSMC_NOMEM;
  atomic_init(&p->nRef, 1);
  atomic_init(&p->bObsolete, 0);
  p->pSet = pSet;
  p->iNumber = f->iNumber;
  p->nSize = f->nSize;
  p->iMinSeq = f->iMinSeq;
  p->iMaxSeq = f->iMaxSeq;
  p->nEntries = f->nEntries;
  p->nDeletes = f->nDeletes;
  p->iCreated = f->iCreated;
  lsmcBufInit(&p->smallest, pSet->pEnv);
  lsmcBufInit(&p->largest, pSet->pEnv);
  lsmcBufSet(&rc, &p->smallest, f->pSmallest, f->nSmallest);
  lsmcBufSet(&rc, &p->largest, f->pLargest, f->nLargest);
  if( rc ){
    lsmcFileUnref(p);
    return rc;
  }
  *ppFile = p;
  return LSMC_OK;
}

void lsmcFileRef(FileMeta *p){
  atomic_fetch_add(&p->nRef, 1);
}

/*
** Drop a reference.  The last one closes the reader and, if an edit has
** removed the file from the store, deletes it from disk.
*/
void lsmcFileUnref(FileMeta *p){
  if( p && atomic_fetch_sub(&p->nRef, 1)==1 ){
    lsmc_env *pEnv = p->pSet->pEnv;
    if( atomic_load(&p->bObsolete) ){
      lsmcCacheErase(p->pSet->pTableCache, 0, p->iNumber);
      char *zPath = lsmcFileName(pEnv, p->pSet->zDir, LSMC_FILE_SST,
                                 p->iNumber);
      if( zPath ) LSMC_ENV(pEnv->xRemove(pEnv, zPath));   /* best effort: an orphan
                                                ** is removed at next open */
      CRASHPOINT(OBSOLETE_SST_REMOVED);
      lsmcFree(pEnv, zPath);
    }
    lsmcBufFree(&p->smallest);
    lsmcBufFree(&p->largest);
    lsmcFree(pEnv, p);
  }
}

/* Table-cache deleter: close the reader. */
static void tableCacheDelete(void *pCtx, void *pValue){
  LSMC_UNUSED(pCtx);
  lsmcSstClose((SstReader*)pValue);
}

int lsmcFileReader(FileMeta *p, SstReader **ppReader, CacheHandle **ppHandle){
  VersionSet *pSet = p->pSet;
  CacheHandle *pHandle = lsmcCacheLookup(pSet->pTableCache, 0, p->iNumber);
  int rc = LSMC_OK;
  if( pHandle==0 ){
    SstReader *pReader = 0;
    char *zPath = lsmcFileName(pSet->pEnv, pSet->zDir, LSMC_FILE_SST,
                               p->iNumber);
    if( zPath==0 ){
      rc = LSMC_NOMEM;
    }else{
      rc = lsmcSstOpenCached(pSet->pEnv, zPath, pSet->pBlockCache, &pReader);
      if( rc==LSMC_IOERR_NOENT ) rc = LSMC_CORRUPT_BKPT;  /* named, gone */
      lsmcFree(pSet->pEnv, zPath);
    }
    if( rc==LSMC_OK ){
      rc = lsmcCacheInsert(pSet->pTableCache, 0, p->iNumber, pReader, 1,
                           tableCacheDelete, 0, &pHandle);
    }
  }
  *ppHandle = pHandle;
  *ppReader = pHandle ? (SstReader*)lsmcCacheValue(pHandle) : 0;
  return rc;
}

/*
** An iterator over one file that keeps the file's reader open (its
** table-cache handle) until it is closed: every method forwards.
*/
typedef struct FileIter FileIter;
struct FileIter {
  LsmIter base;            /* Method table */
  LsmIter *pInner;         /* The SSTable iterator */
  CacheHandle *pHandle;    /* Table-cache handle of its reader */
  lsmc_env *pEnv;          /* Allocator */
};

static void fileIterClose(LsmIter *p){
  FileIter *pIter = (FileIter*)p;
  lsmcIterClose(pIter->pInner);
  lsmcCacheRelease(pIter->pHandle);
  lsmcFree(pIter->pEnv, pIter);
}
static int fileIterFirst(LsmIter *p){ return lsmcIterFirst(((FileIter*)p)->pInner); }
static int fileIterLast(LsmIter *p){ return lsmcIterLast(((FileIter*)p)->pInner); }
static int fileIterSeek(LsmIter *p, const u8 *pKey, size_t nKey){
  return lsmcIterSeek(((FileIter*)p)->pInner, pKey, nKey);
}
static int fileIterNext(LsmIter *p){ return lsmcIterNext(((FileIter*)p)->pInner); }
static int fileIterPrev(LsmIter *p){ return lsmcIterPrev(((FileIter*)p)->pInner); }
static int fileIterValid(LsmIter *p){ return lsmcIterValid(((FileIter*)p)->pInner); }
static const u8 *fileIterKey(LsmIter *p, size_t *pn){
  return lsmcIterKey(((FileIter*)p)->pInner, pn);
}
static const u8 *fileIterValue(LsmIter *p, size_t *pn){
  return lsmcIterValue(((FileIter*)p)->pInner, pn);
}

static const LsmIterMethods fileIterMethods = {
  fileIterClose, fileIterFirst, fileIterLast, fileIterSeek, fileIterNext,
  fileIterPrev, fileIterValid, fileIterKey, fileIterValue
};

int lsmcFileIter(FileMeta *p, int bFill, LsmIter **ppIter){
  lsmc_env *pEnv = p->pSet->pEnv;
  SstReader *pReader = 0;
  CacheHandle *pHandle = 0;
  FileIter *pIter = 0;
  int rc = lsmcFileReader(p, &pReader, &pHandle);
  *ppIter = 0;
  if( rc==LSMC_OK ){
    pIter = lsmcMallocZero(pEnv, sizeof(FileIter));
    if( pIter==0 ) rc = LSMC_NOMEM;
  }
  if( rc==LSMC_OK ){
    rc = bFill ? lsmcSstIter(pReader, &pIter->pInner)
               : lsmcSstIterNoFill(pReader, &pIter->pInner);
  }
  if( rc!=LSMC_OK ){
    lsmcFree(pEnv, pIter);
    if( pHandle ) lsmcCacheRelease(pHandle);
    return rc;
  }
  pIter->base.pMethods = &fileIterMethods;
  pIter->pHandle = pHandle;
  pIter->pEnv = pEnv;
  *ppIter = &pIter->base;
  return LSMC_OK;
}

/* User-key part of a FileMeta bound. */
#define fileUKey(pBuf)   ((pBuf)->a)
#define fileUKeyLen(pBuf) ((pBuf)->n - LSMC_TRAILER_SIZE)

/* ------------------------------------------------------------- Version */

static int versionNew(VersionSet *pSet, Version **ppV){
  Version *p = lsmcMallocZero(pSet->pEnv, sizeof(Version));
  *ppV = p;
  if( p==0 ) return LSMC_NOMEM;
  atomic_init(&p->nRef, 1);
  p->pSet = pSet;
  return LSMC_OK;
}

void lsmcVersionRef(Version *p){
  atomic_fetch_add(&p->nRef, 1);
}

void lsmcVersionUnref(Version *p){
  if( p && atomic_fetch_sub(&p->nRef, 1)==1 ){
    lsmc_env *pEnv = p->pSet->pEnv;
    int i, j;
    for(i=0; i<LSMC_NUM_LEVELS; i++){
      for(j=0; j<p->anFile[i]; j++) lsmcFileUnref(p->apFile[i][j]);
      lsmcFree(pEnv, p->apFile[i]);
    }
    lsmcFree(pEnv, p);
  }
}

u64 lsmcVersionLevelBytes(const Version *p, int iLevel){
  u64 n = 0;
  int j;
  for(j=0; j<p->anFile[iLevel]; j++) n += p->apFile[iLevel][j]->nSize;
  return n;
}

/* L0 order: newest first (largest sequence, then largest number). */
static int versionCmpL0(const void *a, const void *b){
  const FileMeta *pA = *(FileMeta*const*)a;
  const FileMeta *pB = *(FileMeta*const*)b;
  if( pA->iMaxSeq!=pB->iMaxSeq ) return pA->iMaxSeq > pB->iMaxSeq ? -1 : 1;
  if( pA->iNumber!=pB->iNumber ) return pA->iNumber > pB->iNumber ? -1 : 1;
  return 0;
}

/* Deeper levels: ascending smallest key. */
static int versionCmpLevel(const void *a, const void *b){
  const FileMeta *pA = *(FileMeta*const*)a;
  const FileMeta *pB = *(FileMeta*const*)b;
  return lsmcIKeyCompare(pA->smallest.a, pA->smallest.n,
                         pB->smallest.a, pB->smallest.n);
}

static int versionIsDeleted(const VersionEdit *pEdit, int iLevel, u64 iNum){
  int i;
  for(i=0; i<pEdit->nDel; i++){
    if( pEdit->aDel[i].iLevel==iLevel && pEdit->aDel[i].iNumber==iNum ){
      return 1;
    }
  }
  return 0;
}

/* True if pEdit deletes file iNum (from any level). */
static int versionEditDeletes(const VersionEdit *pEdit, u64 iNum){
  int i;
  for(i=0; i<pEdit->nDel; i++){
    if( pEdit->aDel[i].iNumber==iNum ) return 1;
  }
  return 0;
}

/* True if pEdit adds file iNum (to any level). */
static int versionEditAdds(const VersionEdit *pEdit, u64 iNum){
  int i;
  for(i=0; i<pEdit->nAdd; i++){
    if( pEdit->aAdd[i].iNumber==iNum ) return 1;
  }
  return 0;
}

/*
** Find file iNum anywhere in p; return it or NULL.
*/
static FileMeta *versionFind(const Version *p, u64 iNum, int *piLevel){
  int i, j;
  for(i=0; i<LSMC_NUM_LEVELS; i++){
    for(j=0; j<p->anFile[i]; j++){
      if( p->apFile[i][j]->iNumber==iNum ){
        if( piLevel ) *piLevel = i;
        return p->apFile[i][j];
      }
    }
  }
  return 0;
}

/*
** Build the version that results from applying pEdit to pBase.  Returns
** LSMC_CORRUPT if the edit deletes a file pBase lacks, adds a number that
** is already live, or leaves overlapping files in a level >= 1.
*/
static int versionApply(VersionSet *pSet, const Version *pBase,
                        const VersionEdit *pEdit, Version **ppNew){
  lsmc_env *pEnv = pSet->pEnv;
  Version *pNew = 0;
  int rc = versionNew(pSet, &pNew);
  int i, j;

  for(i=0; rc==LSMC_OK && i<pEdit->nDel; i++){
    int iLevel = -1;
    if( versionFind(pBase, pEdit->aDel[i].iNumber, &iLevel)==0
     || iLevel!=pEdit->aDel[i].iLevel ){
      rc = LSMC_CORRUPT_BKPT;
    }
  }
  for(i=0; rc==LSMC_OK && i<pEdit->nAdd; i++){
    /* A live number may be added only if the edit also deletes it: a
    ** file moved from one level to another. */
    u64 iNum = pEdit->aAdd[i].iNumber;
    if( versionFind(pBase, iNum, 0) && !versionEditDeletes(pEdit, iNum) ){
      rc = LSMC_CORRUPT_BKPT;
    }
    for(j=0; rc==LSMC_OK && j<i; j++){
      if( pEdit->aAdd[j].iNumber==pEdit->aAdd[i].iNumber ){
        rc = LSMC_CORRUPT_BKPT;
      }
    }
  }

  for(i=0; rc==LSMC_OK && i<LSMC_NUM_LEVELS; i++){
    int nMax = pBase->anFile[i];
    int n = 0;
    for(j=0; j<pEdit->nAdd; j++) nMax += (pEdit->aAdd[j].iLevel==i);
    if( nMax==0 ) continue;
    pNew->apFile[i] = lsmcMalloc(pEnv, sizeof(FileMeta*) * (size_t)nMax);
    if( pNew->apFile[i]==0 ){ rc = LSMC_NOMEM; break; }
    for(j=0; j<pBase->anFile[i]; j++){
      FileMeta *pFile = pBase->apFile[i][j];
      if( versionIsDeleted(pEdit, i, pFile->iNumber) ) continue;
      lsmcFileRef(pFile);
      pNew->apFile[i][n++] = pFile;
      pNew->anFile[i] = n;
    }
    for(j=0; rc==LSMC_OK && j<pEdit->nAdd; j++){
      if( pEdit->aAdd[j].iLevel!=i ) continue;
      rc = fileNew(pSet, &pEdit->aAdd[j], &pNew->apFile[i][n]);
      if( rc==LSMC_OK ) pNew->anFile[i] = ++n;
    }
    if( rc==LSMC_OK ){
      qsort(pNew->apFile[i], (size_t)n, sizeof(FileMeta*),
            i==0 ? versionCmpL0 : versionCmpLevel);
    }
    for(j=1; rc==LSMC_OK && i>0 && j<n; j++){
      const FileMeta *pPrev = pNew->apFile[i][j-1];
      const FileMeta *pThis = pNew->apFile[i][j];
      if( lsmcUKeyCompare(fileUKey(&pPrev->largest), fileUKeyLen(&pPrev->largest),
                          fileUKey(&pThis->smallest), fileUKeyLen(&pThis->smallest))>=0 ){
        rc = LSMC_CORRUPT_BKPT;                 /* overlap in level >= 1 */
      }
    }
  }

  if( rc!=LSMC_OK ){
    lsmcVersionUnref(pNew);
    pNew = 0;
  }
  *ppNew = pNew;
  return rc;
}

/* ---------------------------------------------------------- VersionSet */

int lsmcVersionSetNew(lsmc_env *pEnv, const char *zDir, int eRecovery,
                      u64 nMaxOpen, Cache *pBlockCache, VersionSet **pp){
  VersionSet *p = lsmcMallocZero(pEnv, sizeof(VersionSet));
  int rc = LSMC_NOMEM;
  *pp = 0;
  if( p ){
    p->pEnv = pEnv;
    p->eRecovery = eRecovery;
    p->iNextFile = 1;
    p->zDir = lsmcStrdup(pEnv, zDir);
    p->pBlockCache = pBlockCache;
    lsmcMetaSetInit(&p->meta, pEnv);
    if( p->zDir ) rc = lsmcCacheNew(pEnv, nMaxOpen, &p->pTableCache);
    if( rc==LSMC_OK ) rc = versionNew(p, &p->pCurrent);
    if( rc ){
      lsmcVersionSetFree(p);
      p = 0;
    }
  }
  *pp = p;
  return rc;
}

void lsmcVersionSetFree(VersionSet *p){
  if( p ){
    lsmcWalWriterClose(p->pManifest);
    lsmcVersionUnref(p->pCurrent);
    if( p->pTableCache ) lsmcCacheFree(p->pTableCache);
    lsmcFree(p->pEnv, p->aForeign);
    lsmcMetaSetClear(&p->meta);
    lsmcFree(p->pEnv, p->zDir);
    lsmcFree(p->pEnv, p);
  }
}

/* Index of the first entry of p->aForeign >= iNum. */
static int versionForeignFind(const VersionSet *p, u64 iNum){
  int lo = 0, hi = p->nForeign;
  while( lo<hi ){
    int mid = (lo+hi)/2;
    if( p->aForeign[mid]<iNum ) lo = mid+1; else hi = mid;
  }
  return lo;
}

int lsmcVersionSetIsForeign(const VersionSet *p, u64 iNum){
  int i = versionForeignFind(p, iNum);
  return i<p->nForeign && p->aForeign[i]==iNum;
}

int lsmcVersionSetAddForeign(VersionSet *p, u64 iNum){
  int i = versionForeignFind(p, iNum);
  u64 *aNew;
  if( i<p->nForeign && p->aForeign[i]==iNum ) return LSMC_OK;
  if( p->nForeign>=LSMC_EDIT_MAX_FILES ) return LSMC_CORRUPT_BKPT;
  aNew = lsmcRealloc(p->pEnv, p->aForeign,
                     sizeof(u64)*(size_t)(p->nForeign+1));
  if( aNew==0 ) return LSMC_NOMEM;
  memmove(&aNew[i+1], &aNew[i], sizeof(u64)*(size_t)(p->nForeign-i));
  aNew[i] = iNum;
  p->aForeign = aNew;
  p->nForeign++;
  return LSMC_OK;
}

int lsmcVersionSetNewFileNumber(VersionSet *p, u64 *piNum){
  int rc = LSMC_OK;
  int i;
  /* Skip the numbers of foreign files (aForeign is sorted). */
  for(i=versionForeignFind(p, p->iNextFile);
      i<p->nForeign && p->aForeign[i]==p->iNextFile; i++){
    p->iNextFile++;
  }
  if( p->pManifest && p->iNextFile>=p->iReserved ){
    VersionEdit edit;                  /* reserve more numbers first */
    lsmcEditInit(&edit, p->pEnv);
    rc = lsmcVersionSetApply(p, &edit);
    lsmcEditClear(&edit);
  }
  *piNum = rc==LSMC_OK ? p->iNextFile++ : 0;
  return rc;
}

/* The NEXT_FILE to record in the next edit: room for LSMC_FILE_RESERVE
** more numbers, never less than already recorded. */
static u64 versionReservation(const VersionSet *p){
  u64 iWant = p->iNextFile + LSMC_FILE_RESERVE;
  return iWant>p->iReserved ? iWant : p->iReserved;
}

/* State accumulated while replaying a manifest. */
typedef struct RecoverState RecoverState;
struct RecoverState {
  VersionSet *pSet;      /* Set being recovered */
  Version *pVersion;     /* Version so far */
  int bLog, bNextFile, bLastSeq;   /* Fields seen at least once */
};

static int versionRecoverEdit(void *pArg, VersionEdit *pEdit){
  RecoverState *p = (RecoverState*)pArg;
  VersionSet *pSet = p->pSet;
  Version *pNew = 0;
  int rc = versionApply(pSet, p->pVersion, pEdit, &pNew);
  if( rc==LSMC_OK ){
    lsmcVersionUnref(p->pVersion);
    p->pVersion = pNew;
    if( pEdit->bLog ){ pSet->iLogNumber = pEdit->iLog; p->bLog = 1; }
    if( pEdit->bFormat ) pSet->bLegacy = pEdit->iFormat==LSMC_MANIFEST_FORMAT_V1;
    pSet->iCleanWal = pEdit->bCleanWal ? pEdit->iCleanWal : 0;
    if( pEdit->bNextFile ){
      pSet->iNextFile = pSet->iReserved = pEdit->iNextFile;
      p->bNextFile = 1;
    }
  }
  if( rc==LSMC_OK ){
    int i;
    for(i=0; rc==LSMC_OK && i<pEdit->nForeign; i++){
      rc = lsmcVersionSetAddForeign(pSet, pEdit->aForeign[i]);
    }
    if( pEdit->bLastSeq ){ pSet->iLastSeq = pEdit->iLastSeq; p->bLastSeq = 1; }
  }
  if( rc==LSMC_OK ) rc = lsmcMetaSetApply(&pSet->meta, pEdit);
  return rc;
}

int lsmcVersionSetRecover(VersionSet *pSet){
  RecoverState st;
  u64 iManifest = 0;
  int rc = lsmcCurrentRead(pSet->pEnv, pSet->zDir, &iManifest);
  if( rc ) return rc;
  memset(&st, 0, sizeof(st));
  st.pSet = pSet;
  rc = versionNew(pSet, &st.pVersion);
  if( rc==LSMC_OK ){
    rc = lsmcManifestReplay(pSet->pEnv, pSet->zDir, iManifest,
                            versionRecoverEdit, &st);
  }
  if( rc==LSMC_OK && (!st.bLog || !st.bNextFile || !st.bLastSeq) ){
    rc = LSMC_CORRUPT_BKPT;
  }
  if( rc==LSMC_OK ){
    /* Every live file number must be below the next file number. */
    int i, j;
    for(i=0; i<LSMC_NUM_LEVELS; i++){
      for(j=0; j<st.pVersion->anFile[i]; j++){
        FileMeta *pFile = st.pVersion->apFile[i][j];
        if( pFile->iNumber>=pSet->iNextFile
         || pFile->iMaxSeq>pSet->iLastSeq ){
          rc = LSMC_CORRUPT_BKPT;
        }
      }
    }
  }
  if( rc==LSMC_OK ){
    lsmcVersionUnref(pSet->pCurrent);
    pSet->pCurrent = st.pVersion;
    pSet->iManifest = iManifest;
  }else{
    lsmcVersionUnref(st.pVersion);
  }
  return rc;
}

void lsmcFileToEdit(const FileMeta *f, int iLevel, EditFile *e){
  e->iLevel = iLevel;
  e->iNumber = f->iNumber;
  e->nSize = f->nSize;
  e->iMinSeq = f->iMinSeq;
  e->iMaxSeq = f->iMaxSeq;
  e->nEntries = f->nEntries;
  e->nDeletes = f->nDeletes;
  e->iCreated = f->iCreated;
  e->pSmallest = f->smallest.a;
  e->nSmallest = f->smallest.n;
  e->pLargest = f->largest.a;
  e->nLargest = f->largest.n;
}

/*
** Fill pEdit with the whole state of pSet: the first record of a new
** manifest.
*/
static int versionSnapshotEdit(VersionSet *pSet, VersionEdit *pEdit){
  Version *v = pSet->pCurrent;
  int rc = LSMC_OK;
  int i, j;
  pEdit->bFormat = 1;
  pEdit->iFormat = LSMC_MANIFEST_FORMAT;
  pEdit->bLog = 1;
  pEdit->iLog = pSet->iLogNumber;
  pEdit->bNextFile = 1;
  pEdit->iNextFile = versionReservation(pSet);
  pEdit->bLastSeq = 1;
  pEdit->iLastSeq = pSet->iLastSeq;
  if( pSet->iCleanWal ){       /* still recovering: keep the clean close */
    pEdit->bCleanWal = 1;
    pEdit->iCleanWal = pSet->iCleanWal;
  }
  for(i=0; rc==LSMC_OK && i<pSet->nForeign; i++){
    rc = lsmcEditAddForeign(pEdit, pSet->aForeign[i]);
  }
  if( rc==LSMC_OK ) rc = lsmcMetaSetToEdit(&pSet->meta, pEdit);
  for(i=0; i<LSMC_NUM_LEVELS; i++){
    for(j=0; rc==LSMC_OK && j<v->anFile[i]; j++){
      EditFile e;
      lsmcFileToEdit(v->apFile[i][j], i, &e);
      rc = lsmcEditAddFile(pEdit, &e);
    }
  }
  return rc;
}

int lsmcVersionSetNewManifest(VersionSet *pSet){
  lsmc_env *pEnv = pSet->pEnv;
  u64 iManifest = 0, iTmp = 0;
  char *zPath = 0;
  WalWriter *pWriter = 0;
  VersionEdit edit;
  LsmcBuf buf;
  int bCurrent = 0;              /* CURRENT may name the new manifest */
  int rc = lsmcVersionSetNewFileNumber(pSet, &iManifest);
  if( rc==LSMC_OK ) rc = lsmcVersionSetNewFileNumber(pSet, &iTmp);
  if( rc==LSMC_OK ){
    zPath = lsmcFileName(pEnv, pSet->zDir, LSMC_FILE_MANIFEST, iManifest);
    if( zPath==0 ) rc = LSMC_NOMEM;
  }

  lsmcEditInit(&edit, pEnv);
  lsmcBufInit(&buf, pEnv);
  if( rc==LSMC_OK ) rc = versionSnapshotEdit(pSet, &edit);
  lsmcEditEncode(&rc, &edit, &buf);
  if( rc==LSMC_OK ) rc = lsmcWalWriterOpen(pEnv, zPath, &pWriter);
  if( rc==LSMC_OK ) rc = lsmcWalAddRecord(pWriter, buf.a, buf.n);
  if( rc==LSMC_OK ) rc = lsmcWalSync(pWriter);
  CRASHPOINT(MANIFEST_NEW_SYNCED);
  /* CURRENT's replacement syncs the directory, making the new manifest's
  ** name durable too. */
  if( rc==LSMC_OK ){
    bCurrent = 1;
    rc = lsmcCurrentWrite(pEnv, pSet->zDir, iManifest, iTmp);
  }
  if( rc==LSMC_OK ){
    lsmcWalWriterClose(pSet->pManifest);
    pSet->pManifest = pWriter;
    pSet->iManifest = iManifest;
    pSet->iReserved = edit.iNextFile;
    pSet->bLegacy = 0;
    pSet->nManifestBytes = lsmcWalSize(pWriter);
  }else{
    lsmcWalWriterClose(pWriter);
    /* A failed CURRENT write may have renamed CURRENT over (only its
    ** directory sync failed): then CURRENT names this manifest, which
    ** must stay (TESTPLAN C1). */
    if( zPath && !bCurrent ) LSMC_ENV(pEnv->xRemove(pEnv, zPath));
  }
  lsmcBufFree(&buf);
  lsmcEditClear(&edit);
  lsmcFree(pEnv, zPath);
  return rc;
}

int lsmcVersionSetApply(VersionSet *pSet, VersionEdit *pEdit){
  Version *pNew = 0;
  LsmcBuf buf;
  int rc;
  int i;

  assert( pSet->pManifest );
  pEdit->bNextFile = 1;
  pEdit->iNextFile = versionReservation(pSet);
  pEdit->bLastSeq = 1;
  pEdit->iLastSeq = pSet->iLastSeq;
  rc = versionApply(pSet, pSet->pCurrent, pEdit, &pNew);
  lsmcBufInit(&buf, pSet->pEnv);
  lsmcEditEncode(&rc, pEdit, &buf);
  if( rc==LSMC_OK ) rc = lsmcWalAddRecord(pSet->pManifest, buf.a, buf.n);
  CRASHPOINT(MANIFEST_EDIT_APPENDED);
  if( rc==LSMC_OK ) rc = lsmcWalSync(pSet->pManifest);
  CRASHPOINT(MANIFEST_EDIT_SYNCED);
  lsmcBufFree(&buf);
  if( rc!=LSMC_OK ){
    lsmcVersionUnref(pNew);
    return rc;
  }
  pSet->nManifestBytes = lsmcWalSize(pSet->pManifest);
  pSet->iReserved = pEdit->iNextFile;
  if( pEdit->bLog ) pSet->iLogNumber = pEdit->iLog;
  for(i=0; i<pEdit->nDel; i++){
    /* A file deleted and added again was moved: it stays on disk. */
    u64 iNum = pEdit->aDel[i].iNumber;
    FileMeta *pGone = versionFind(pSet->pCurrent, iNum, 0);
    if( ALWAYS(pGone) && !versionEditAdds(pEdit, iNum) ){
      atomic_store(&pGone->bObsolete, 1);
    }
  }
  lsmcVersionUnref(pSet->pCurrent);
  pSet->pCurrent = pNew;
  return LSMC_OK;
}

/* ------------------------------------------------------------- lookups */

/*
** True if user key pKey lies within f's key range.
*/
static int fileCovers(const FileMeta *f, const u8 *pKey, size_t nKey){
  return lsmcUKeyCompare(pKey, nKey, fileUKey(&f->smallest),
                         fileUKeyLen(&f->smallest))>=0
      && lsmcUKeyCompare(pKey, nKey, fileUKey(&f->largest),
                         fileUKeyLen(&f->largest))<=0;
}

/*
** Index of the first file in a level >= 1 whose largest user key is >=
** pKey (anFile if none).
*/
static int levelFindFile(FileMeta **aFile, int nFile,
                         const u8 *pKey, size_t nKey){
  int lo = 0, hi = nFile;
  while( lo<hi ){
    int mid = lo + (hi-lo)/2;
    const FileMeta *f = aFile[mid];
    if( lsmcUKeyCompare(fileUKey(&f->largest), fileUKeyLen(&f->largest),
                        pKey, nKey)<0 ){
      lo = mid+1;
    }else{
      hi = mid;
    }
  }
  return lo;
}

/*
** Look pKey up in one file.  LSMC_NOTFOUND if the file has no visible
** version of it.
*/
static int versionGetFile(FileMeta *f, const u8 *pKey, size_t nKey, u64 iSeq,
                          int *peKind, LsmcBuf *pVal, VersionGetStat *pStat,
                          u64 *piBadFile){
  SstReader *pReader = 0;
  CacheHandle *pHandle = 0;
  int rc = lsmcFileReader(f, &pReader, &pHandle);
  pStat->nSstConsulted++;
  if( rc==LSMC_OK ){
    rc = lsmcSstGet(pReader, pKey, nKey, iSeq, peKind, pVal, &pStat->sst);
    lsmcCacheRelease(pHandle);
  }
  if( LSMC_PRIMARY(rc)==LSMC_CORRUPT && piBadFile ) *piBadFile = f->iNumber;
  return rc;
}

int lsmcVersionGet(Version *v, const u8 *pKey, size_t nKey, u64 iSeq,
                   int *peKind, LsmcBuf *pVal, VersionGetStat *pStat,
                   u64 *piBadFile){
  int i, j;
  int rc = LSMC_NOTFOUND;
  pStat->iLevelFound = -1;
  for(j=0; rc==LSMC_NOTFOUND && j<v->anFile[0]; j++){
    FileMeta *f = v->apFile[0][j];
    if( f->iMinSeq>iSeq || !fileCovers(f, pKey, nKey) ) continue;
    rc = versionGetFile(f, pKey, nKey, iSeq, peKind, pVal, pStat, piBadFile);
    if( rc==LSMC_OK ) pStat->iLevelFound = 0;
  }
  for(i=1; rc==LSMC_NOTFOUND && i<LSMC_NUM_LEVELS; i++){
    int n = v->anFile[i];
    j = levelFindFile(v->apFile[i], n, pKey, nKey);
    if( j<n && fileCovers(v->apFile[i][j], pKey, nKey) ){
      rc = versionGetFile(v->apFile[i][j], pKey, nKey, iSeq, peKind, pVal,
                          pStat, piBadFile);
      if( rc==LSMC_OK ) pStat->iLevelFound = i;
    }
  }
  return rc;
}

/* ----------------------------------------------------------- iterators */

/*
** An LsmIter over the file list of one level >= 1: the key of entry i is
** file i's largest internal key and its value is i as a u32, which
** levelOpenFile() turns into that file's SSTable iterator.
*/
typedef struct LevelIter LevelIter;
struct LevelIter {
  LsmIter base;          /* Method table */
  lsmc_env *pEnv;        /* Allocator */
  FileMeta **aFile;      /* Files of the level (the version pins them) */
  int nFile;             /* Entries in aFile */
  int iPos;              /* Current entry, or -1/nFile when invalid */
  u8 aVal[4];            /* Encoded iPos */
};

static void levelClose(LsmIter *p){
  LevelIter *pIter = (LevelIter*)p;
  lsmcFree(pIter->pEnv, pIter);
}
static int levelFirst(LsmIter *p){
  ((LevelIter*)p)->iPos = 0;
  return LSMC_OK;
}
static int levelLast(LsmIter *p){
  LevelIter *pIter = (LevelIter*)p;
  pIter->iPos = pIter->nFile - 1;
  return LSMC_OK;
}
static int levelSeek(LsmIter *p, const u8 *pKey, size_t nKey){
  LevelIter *pIter = (LevelIter*)p;
  int lo = 0, hi = pIter->nFile;
  while( lo<hi ){
    int mid = lo + (hi-lo)/2;
    const LsmcBuf *pLargest = &pIter->aFile[mid]->largest;
    if( lsmcIKeyCompare(pLargest->a, pLargest->n, pKey, nKey)<0 ){
      lo = mid+1;
    }else{
      hi = mid;
    }
  }
  pIter->iPos = lo;
  return LSMC_OK;
}
static int levelNext(LsmIter *p){
  ((LevelIter*)p)->iPos++;
  return LSMC_OK;
}
static int levelPrev(LsmIter *p){
  ((LevelIter*)p)->iPos--;
  return LSMC_OK;
}
static int levelValid(LsmIter *p){
  LevelIter *pIter = (LevelIter*)p;
  return pIter->iPos>=0 && pIter->iPos<pIter->nFile;
}
static const u8 *levelKey(LsmIter *p, size_t *pn){
  LevelIter *pIter = (LevelIter*)p;
  const LsmcBuf *pLargest = &pIter->aFile[pIter->iPos]->largest;
  *pn = pLargest->n;
  return pLargest->a;
}
static const u8 *levelValue(LsmIter *p, size_t *pn){
  LevelIter *pIter = (LevelIter*)p;
  lsmcPut32(pIter->aVal, (u32)pIter->iPos);
  *pn = sizeof(pIter->aVal);
  return pIter->aVal;
}

static const LsmIterMethods levelMethods = {
  levelClose, levelFirst, levelLast, levelSeek, levelNext, levelPrev,
  levelValid, levelKey, levelValue
};


static int levelOpenFile(void *pCtx, const u8 *pVal, size_t nVal,
                         LsmIter **ppChild){
  LevelIter *pLevel = (LevelIter*)pCtx;
  u32 i;
  *ppChild = 0;
  if( NEVER(nVal!=4) ) return LSMC_CORRUPT_BKPT;
  i = lsmcGet32(pVal);
  if( NEVER(i>=(u32)pLevel->nFile) ) return LSMC_CORRUPT_BKPT;
  return lsmcFileIter(pLevel->aFile[i], 1, ppChild);
}

int lsmcVersionIterCount(const Version *v){
  int n = v->anFile[0];
  int i;
  for(i=1; i<LSMC_NUM_LEVELS; i++) n += (v->anFile[i]>0);
  return n;
}

int lsmcVersionIters(Version *v, LsmIter **apIter, int *pn){
  lsmc_env *pEnv = v->pSet->pEnv;
  int rc = LSMC_OK;
  int i, j;
  for(j=0; rc==LSMC_OK && j<v->anFile[0]; j++){
    rc = lsmcFileIter(v->apFile[0][j], 1, &apIter[*pn]);
    if( rc==LSMC_OK ) (*pn)++;
  }
  for(i=1; rc==LSMC_OK && i<LSMC_NUM_LEVELS; i++){
    LevelIter *pLevel;
    if( v->anFile[i]==0 ) continue;
    pLevel = lsmcMallocZero(pEnv, sizeof(LevelIter));
    if( pLevel==0 ){ rc = LSMC_NOMEM; break; }
    pLevel->base.pMethods = &levelMethods;
    pLevel->pEnv = pEnv;
    pLevel->aFile = v->apFile[i];
    pLevel->nFile = v->anFile[i];
    pLevel->iPos = -1;
    /* The two-level iterator owns pLevel and passes it back as context. */
    rc = lsmcTwoLevelIterNew(pEnv, &pLevel->base, levelOpenFile, pLevel,
                             &apIter[*pn]);
    if( rc==LSMC_OK ) (*pn)++;
  }
  return rc;
}
