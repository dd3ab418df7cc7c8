/*
** db_read.c -- the engine's read side: point lookups (memtables, then the
** version's SSTables newest first), iterators (a merging iterator over
** every source under a db_iter) and snapshots.  Each read may also go
** through an uncommitted lsmc_batch (a transaction reading its own
** writes): the batch's newest entry for a key wins over the store.
**
** A reader pins what it reads -- the active and immutable memtables and
** the current version -- under the engine mutex (a ReadView), then reads
** without any lock; a flush or compaction that happens meanwhile changes
** neither the pinned memtables nor the pinned files, so the reader's
** answers stay those of its sequence number.
*/
#include "db.h"
#include "batch.h"
#include "coding.h"
#include "db_iter.h"
#include "merge_iter.h"

#include <stdio.h>

/* What a reader pins: the memtables and the version, as of one moment. */
typedef struct ReadView ReadView;
struct ReadView {
  LsmEngine *e;          /* Engine */
  MemTable *pMem;        /* Active memtable (referenced) */
  MemTable *pImm;        /* Immutable memtable or NULL (referenced) */
  Version *v;            /* Current version (referenced) */
  u64 iSeq;              /* Sequence number read at */
};

static void dbViewAcquire(LsmEngine *e, const lsmc_snapshot *pSnap,
                          ReadView *p){
  pthread_mutex_lock(&e->mu);
  p->e = e;
  p->pMem = e->pMem;
  lsmcMemtableRef(p->pMem);
  p->pImm = e->pImm;
  if( p->pImm ) lsmcMemtableRef(p->pImm);
  p->v = e->pVs->pCurrent;
  lsmcVersionRef(p->v);
  p->iSeq = pSnap ? pSnap->iSeq : e->iLastSeq;
  pthread_mutex_unlock(&e->mu);
}

static void dbViewRelease(void *pArg){
  ReadView *p = (ReadView*)pArg;
  lsmcMemtableUnref(p->pMem);
  lsmcMemtableUnref(p->pImm);
  lsmcVersionUnref(p->v);
}

/* Copy p[0..n) into a caller-owned buffer (never NULL). */
static int dbCopyOut(lsmc_env *pEnv, const u8 *p, size_t n, void **ppVal,
                     size_t *pnVal){
  u8 *pCopy = lsmcMalloc(pEnv, n ? n : 1);
  if( pCopy==0 ) return LSMC_NOMEM;
  if( n ) memcpy(pCopy, p, n);
  *ppVal = pCopy;
  *pnVal = n;
  return LSMC_OK;
}

/*
** Look pKey up in pBatch.  If the batch has no entry for it, return
** LSMC_NOTFOUND with *pbHit clear (read the store).  Otherwise set *pbHit
** and return the answer: LSMC_OK with a copy of the value, LSMC_NOTFOUND
** for a delete, or an error.
*/
static int dbGetBatch(lsmc_db *pDb, lsmc_batch *pBatch, const void *pKey,
                      size_t nKey, void **ppVal, size_t *pnVal, int *pbHit){
  int eKind = 0;
  const u8 *pVal = 0;
  size_t nVal = 0;
  int rc = lsmcBatchGet(pBatch, (const u8*)pKey, nKey, &eKind, &pVal, &nVal);
  *pbHit = rc!=LSMC_NOTFOUND;
  if( rc==LSMC_OK ){
    rc = LSMC_NOTFOUND;
    if( eKind==LSMC_KIND_PUT ){
      rc = dbCopyOut(pDb->pEnv, pVal, nVal, ppVal, pnVal);
    }
  }
  if( rc!=LSMC_OK && rc!=LSMC_NOTFOUND ) rc = lsmcDbError(pDb, rc, 0);
  return rc;
}

/*
** The point lookup behind lsmc_get and lsmc_get_batch: the batch first
** (if any), then the memtables, then the version's SSTables.  Statistics
** count only lookups that reach the store.
*/
static int dbGet(lsmc_db *pDb, const lsmc_snapshot *pSnap, lsmc_batch *pBatch,
                 const void *pKey, size_t nKey, void **ppVal, size_t *pnVal){
  LsmEngine *e;
  ReadView view;
  const u8 *pVal = 0;
  size_t nVal = 0;
  int eKind = 0;
  int rc;
  MemTable *apMem[2];
  int i;

  *ppVal = 0;
  *pnVal = 0;
  if( pDb==0 || pDb->pEng==0 ) return LSMC_MISUSE_BKPT;
  if( pBatch ){
    int bHit = 0;
    rc = dbGetBatch(pDb, pBatch, pKey, nKey, ppVal, pnVal, &bHit);
    if( bHit ) return rc;
  }
  e = pDb->pEng;
  atomic_fetch_add_explicit(&e->stats.nGet, 1, memory_order_relaxed);
  dbViewAcquire(e, pSnap, &view);
  apMem[0] = view.pMem;
  apMem[1] = view.pImm;
  rc = LSMC_NOTFOUND;
  for(i=0; rc==LSMC_NOTFOUND && i<2; i++){
    if( apMem[i]==0 ) continue;
    rc = lsmcMemtableGet(apMem[i], pKey, nKey, view.iSeq, &eKind, &pVal, &nVal);
  }
  if( rc==LSMC_OK ){
    atomic_fetch_add_explicit(&e->stats.nGetMem, 1, memory_order_relaxed);
    if( eKind==LSMC_KIND_PUT ){
      rc = dbCopyOut(pDb->pEnv, pVal, nVal, ppVal, pnVal);
    }else{
      rc = LSMC_NOTFOUND;
    }
  }else if( rc==LSMC_NOTFOUND ){
    VersionGetStat st;
    LsmcBuf buf;
    u64 iBad = 0;
    memset(&st, 0, sizeof(st));
    lsmcBufInit(&buf, pDb->pEnv);
    rc = lsmcVersionGet(view.v, pKey, nKey, view.iSeq, &eKind, &buf, &st, &iBad);
    if( rc==LSMC_OK && eKind==LSMC_KIND_PUT ){
      if( buf.a==0 ) rc = dbCopyOut(pDb->pEnv, 0, 0, ppVal, pnVal);
      else{ *ppVal = buf.a; *pnVal = buf.n; buf.a = 0; }
    }else if( rc==LSMC_OK ){
      rc = LSMC_NOTFOUND;
    }
    lsmcBufFree(&buf);
    if( st.iLevelFound>=0 ){
      atomic_fetch_add_explicit(&e->stats.anGetLevel[st.iLevelFound], 1,
                                memory_order_relaxed);
    }
    atomic_fetch_add_explicit(&e->stats.nSstConsulted, st.nSstConsulted,
                              memory_order_relaxed);
    atomic_fetch_add_explicit(&e->stats.nBloomCheck, st.sst.nBloomCheck,
                              memory_order_relaxed);
    atomic_fetch_add_explicit(&e->stats.nBloomNegative, st.sst.nBloomNegative,
                              memory_order_relaxed);
    atomic_fetch_add_explicit(&e->stats.nBlockRead, st.sst.nBlockRead,
                              memory_order_relaxed);
    atomic_fetch_add_explicit(&e->stats.nCacheHit, st.sst.nCacheHit,
                              memory_order_relaxed);
    atomic_fetch_add_explicit(&e->stats.nCacheMiss, st.sst.nCacheMiss,
                              memory_order_relaxed);
    if( LSMC_PRIMARY(rc)==LSMC_CORRUPT ){
      lsmcDbError(pDb, rc, "%s: %06llu.sst is damaged", e->zDir,
              (unsigned long long)iBad);
    }else if( rc!=LSMC_OK && rc!=LSMC_NOTFOUND ){
      lsmcDbError(pDb, rc, "%s: read failed", e->zDir);
    }
  }
  if( rc==LSMC_NOTFOUND ){
    atomic_fetch_add_explicit(&e->stats.nGetMiss, 1, memory_order_relaxed);
  }
  dbViewRelease(&view);
  return rc;
}

int lsmc_get(lsmc_db *pDb, const lsmc_snapshot *pSnap,
             const void *pKey, size_t nKey, void **ppVal, size_t *pnVal){
  return dbGet(pDb, pSnap, 0, pKey, nKey, ppVal, pnVal);
}

int lsmc_get_batch(lsmc_db *pDb, const lsmc_snapshot *pSnap,
                   lsmc_batch *pBatch, const void *pKey, size_t nKey,
                   void **ppVal, size_t *pnVal){
  return dbGet(pDb, pSnap, pBatch, pKey, nKey, ppVal, pnVal);
}

/* The cleanup context of an iterator: its view, freed at close. */
static void dbIterCleanup(void *pArg){
  ReadView *p = (ReadView*)pArg;
  lsmc_env *pEnv = p->e->pEnv;
  dbViewRelease(p);
  lsmcFree(pEnv, p);
}

/*
** Open the iterator behind lsmc_iter_open and lsmc_iter_open_batch: a
** merging iterator over every source of a pinned view under a db_iter,
** with pBatch's index (as of now) merged on top when pBatch has entries.
*/
static int dbIterOpen(lsmc_db *pDb, const lsmc_snapshot *pSnap,
                      lsmc_batch *pBatch,
                      const void *pLower, size_t nLower,
                      const void *pUpper, size_t nUpper, lsmc_iter **ppIter){
  LsmEngine *e;
  ReadView *pView;
  LsmIter **apChild = 0;
  LsmIter *pMerge = 0;
  int nChild = 0;
  int rc = LSMC_OK;
  int i;

  *ppIter = 0;
  if( pDb==0 || pDb->pEng==0 ) return LSMC_MISUSE_BKPT;
  e = pDb->pEng;
  pView = lsmcMallocZero(pDb->pEnv, sizeof(ReadView));
  if( pView==0 ) return lsmcDbError(pDb, LSMC_NOMEM, 0);
  dbViewAcquire(e, pSnap, pView);
  apChild = lsmcMallocZero(e->pEnv, sizeof(LsmIter*)
                           * (size_t)(2 + lsmcVersionIterCount(pView->v)));
  if( apChild==0 ) rc = LSMC_NOMEM;
  if( rc==LSMC_OK ) rc = lsmcMemtableIter(pView->pMem, &apChild[nChild]);
  if( rc==LSMC_OK ) nChild++;
  if( rc==LSMC_OK && pView->pImm ){
    rc = lsmcMemtableIter(pView->pImm, &apChild[nChild]);
    if( rc==LSMC_OK ) nChild++;
  }
  if( rc==LSMC_OK ) rc = lsmcVersionIters(pView->v, apChild, &nChild);
  if( rc==LSMC_OK ){
    rc = lsmcMergeIterNew(e->pEnv, apChild, nChild, &pMerge);
    nChild = 0;                        /* owned by the merge, even on error */
  }
  for(i=0; i<nChild; i++) lsmcIterClose(apChild[i]);
  lsmcFree(e->pEnv, apChild);
  if( rc==LSMC_OK ){
    rc = lsmcDbIterNew(e->pEnv, pMerge, pView->iSeq, pLower, nLower,
                       pUpper, nUpper, dbIterCleanup, pView, ppIter);
    pView = 0;                       /* owned by the iterator, even on error */
  }
  if( rc==LSMC_OK && pBatch ){
    LsmIter *pBatchIter = 0;
    u64 iBatchSeq = 0;
    rc = lsmcBatchIter(pBatch, &pBatchIter, &iBatchSeq);
    if( pBatchIter ) lsmcDbIterSetBatch(*ppIter, pBatchIter, iBatchSeq);
    if( rc!=LSMC_OK ){
      lsmc_iter_close(*ppIter);
      *ppIter = 0;
    }
  }
  if( pView ) dbIterCleanup(pView);
  if( rc==LSMC_OK ) return LSMC_OK;
  return lsmcDbError(pDb, rc, "%s: cannot open an iterator", e->zDir);
}

int lsmc_iter_open(lsmc_db *pDb, const lsmc_snapshot *pSnap,
                   const void *pLower, size_t nLower,
                   const void *pUpper, size_t nUpper, lsmc_iter **ppIter){
  return dbIterOpen(pDb, pSnap, 0, pLower, nLower, pUpper, nUpper, ppIter);
}

int lsmc_iter_open_batch(lsmc_db *pDb, const lsmc_snapshot *pSnap,
                         lsmc_batch *pBatch,
                         const void *pLower, size_t nLower,
                         const void *pUpper, size_t nUpper,
                         lsmc_iter **ppIter){
  return dbIterOpen(pDb, pSnap, pBatch, pLower, nLower, pUpper, nUpper,
                    ppIter);
}

/* ----------------------------------------------------------- snapshots */

int lsmc_snapshot_get(lsmc_db *pDb, lsmc_snapshot **ppSnap){
  LsmEngine *e;
  lsmc_snapshot *p;
  *ppSnap = 0;
  if( pDb==0 || pDb->pEng==0 ) return LSMC_MISUSE_BKPT;
  e = pDb->pEng;
  p = lsmcMallocZero(pDb->pEnv, sizeof(lsmc_snapshot));
  if( p==0 ) return lsmcDbError(pDb, LSMC_NOMEM, 0);
  pthread_mutex_lock(&e->mu);
  p->iSeq = e->iLastSeq;
  p->pNext = &e->snapList;
  p->pPrev = e->snapList.pPrev;
  p->pPrev->pNext = p;
  e->snapList.pPrev = p;
  pthread_mutex_unlock(&e->mu);
  *ppSnap = p;
  return LSMC_OK;
}

void lsmc_snapshot_release(lsmc_db *pDb, lsmc_snapshot *p){
  LsmEngine *e;
  if( pDb==0 || pDb->pEng==0 || p==0 ) return;
  e = pDb->pEng;
  pthread_mutex_lock(&e->mu);
  p->pPrev->pNext = p->pNext;
  p->pNext->pPrev = p->pPrev;
  pthread_mutex_unlock(&e->mu);
  lsmcFree(pDb->pEnv, p);
}

