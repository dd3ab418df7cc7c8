/*
** merge_iter.c -- the k-way merging iterator: one LsmIter over the union
** of nChild sorted children, ordered by internal key, with a binary heap
** of child indices (a min-heap while moving forward, a max-heap while
** moving backward).
**
** Order.  Forward order is (internal key ascending, child index
** ascending): children are given newest source first, so on an equal
** internal key the earlier child comes first.  Backward order is the exact
** reverse, so that any mix of xNext and xPrev walks one sequence.
**
** Invariants, outside a call:
**   - rc!=LSMC_OK implies nHeap==0 (the error is sticky until the next
**     xFirst/xLast/xSeek, and xValid is false meanwhile).
**   - aHeap[0..nHeap) holds exactly the valid children, in heap order for
**     eDir; the current entry is the one of child aHeap[0].
**   - Forward: every other valid child is on its first entry after the
**     current one in forward order.  Backward: on its last entry before it.
**   - aChild[i].pKey caches child i's key while it is valid, so heap
**     comparisons make no virtual calls.
** Switching direction re-seeks every other child to the current key (as
** LevelDB's MergingIterator does), so each switch costs nChild seeks;
** steady stepping costs one child step and O(log nChild) comparisons,
** and never allocates.
**
** Thread safety: one thread at a time, as for every LsmIter.
*/
#include "merge_iter.h"

#define MERGE_FORWARD  0      /* Min-heap; xNext moves without a switch */
#define MERGE_REVERSE  1      /* Max-heap; xPrev moves without a switch */

typedef struct MergeChild MergeChild;
typedef struct MergeIter MergeIter;

/* One child and its cached position. */
struct MergeChild {
  LsmIter *pIter;       /* The child (owned) */
  const u8 *pKey;       /* Its current internal key, while bValid */
  size_t nKey;          /* Bytes in pKey */
  int bValid;           /* Child is on an entry */
};

struct MergeIter {
  LsmIter base;         /* Method table; must be first */
  lsmc_env *pEnv;       /* Allocator of this object */
  int nChild;           /* Entries in aChild */
  MergeChild *aChild;   /* Children, newest source first */
  int *aHeap;           /* Heap of indices of the valid children */
  int nHeap;            /* Entries in aHeap */
  int eDir;             /* MERGE_FORWARD or MERGE_REVERSE */
  int rc;               /* Sticky error, or LSMC_OK */
};

/*
** Record child i's position after a movement that returned rc.  A key
** shorter than a trailer is corruption in the child's source.
*/
static int mergeRefresh(MergeIter *p, int i, int rc){
  MergeChild *pC = &p->aChild[i];
  pC->bValid = 0;
  if( rc==LSMC_OK && lsmcIterValid(pC->pIter) ){
    pC->pKey = lsmcIterKey(pC->pIter, &pC->nKey);
    if( pC->nKey<LSMC_TRAILER_SIZE ) return LSMC_CORRUPT_BKPT;
    pC->bValid = 1;
  }
  return rc;
}

/*
** True if child a's entry comes before child b's entry in direction eDir
** (both children valid).
*/
static int mergeBefore(const MergeIter *p, int a, int b){
  const MergeChild *pA = &p->aChild[a];
  const MergeChild *pB = &p->aChild[b];
  int c = lsmcIKeyCompare(pA->pKey, pA->nKey, pB->pKey, pB->nKey);
  if( c==0 ) c = a - b;
  return p->eDir==MERGE_FORWARD ? c<0 : c>0;
}

/*
** Restore heap order below slot i, assuming only aHeap[i] is misplaced.
*/
static void mergeSiftDown(MergeIter *p, int i){
  int *aHeap = p->aHeap;
  int n = p->nHeap;
  int x = aHeap[i];
  for(;;){
    int iChild = 2*i + 1;
    if( iChild>=n ) break;
    if( iChild+1<n && mergeBefore(p, aHeap[iChild+1], aHeap[iChild]) ){
      iChild++;
    }
    if( !mergeBefore(p, aHeap[iChild], x) ) break;
    aHeap[i] = aHeap[iChild];
    i = iChild;
  }
  aHeap[i] = x;
}

/*
** Rebuild the heap from scratch over every valid child, for eDir.
*/
static void mergeHeapBuild(MergeIter *p){
  int i;
  p->nHeap = 0;
  for(i=0; i<p->nChild; i++){
    if( p->aChild[i].bValid ) p->aHeap[p->nHeap++] = i;
  }
  for(i=p->nHeap/2 - 1; i>=0; i--) mergeSiftDown(p, i);
}

/*
** The top child has just moved: sink it, or drop it if it ran out.
*/
static void mergeHeapFixTop(MergeIter *p){
  assert( p->nHeap>0 );
  if( !p->aChild[p->aHeap[0]].bValid ){
    p->aHeap[0] = p->aHeap[--p->nHeap];
  }
  if( p->nHeap>0 ) mergeSiftDown(p, 0);
}

/*
** Record the outcome of a movement: on error the iterator becomes invalid
** and keeps the code until the next xFirst/xLast/xSeek.
*/
static int mergeSetRc(MergeIter *p, int rc){
  if( rc!=LSMC_OK ){
    p->rc = rc;
    p->nHeap = 0;
  }
  return rc;
}

/*
** Position every child with xFirst (bLast==0) or xLast (bLast!=0) and
** build the heap.  The first error wins; the others are dropped.
*/
static int mergeEnds(MergeIter *p, int bLast){
  int rc = LSMC_OK;
  int i;
  p->rc = LSMC_OK;
  p->eDir = bLast ? MERGE_REVERSE : MERGE_FORWARD;
  for(i=0; i<p->nChild; i++){
    LsmIter *pC = p->aChild[i].pIter;
    int rc2 = mergeRefresh(p, i, bLast ? lsmcIterLast(pC) : lsmcIterFirst(pC));
    if( rc==LSMC_OK ) rc = rc2;
  }
  if( rc==LSMC_OK ) mergeHeapBuild(p);
  return mergeSetRc(p, rc);
}

static int mergeFirst(LsmIter *pIter){
  return mergeEnds((MergeIter*)pIter, 0);
}

static int mergeLast(LsmIter *pIter){
  return mergeEnds((MergeIter*)pIter, 1);
}

static int mergeSeek(LsmIter *pIter, const u8 *pIKey, size_t nIKey){
  MergeIter *p = (MergeIter*)pIter;
  int rc = LSMC_OK;
  int i;
  p->rc = LSMC_OK;
  p->eDir = MERGE_FORWARD;
  for(i=0; i<p->nChild; i++){
    LsmIter *pC = p->aChild[i].pIter;
    int rc2 = mergeRefresh(p, i, lsmcIterSeek(pC, pIKey, nIKey));
    if( rc==LSMC_OK ) rc = rc2;
  }
  if( rc==LSMC_OK ) mergeHeapBuild(p);
  return mergeSetRc(p, rc);
}

/*
** Switch direction to eDir around the current entry, which is child
** iCur's.  Every other child is sought to the current key, then placed on
** its first entry after the current one (forward) or its last entry
** before it (reverse), ties resolved by child index as in mergeBefore.
** The heap is left stale: the caller steps iCur and rebuilds it.
*/
static int mergeSwitch(MergeIter *p, int iCur, int eDir){
  const u8 *pKey = p->aChild[iCur].pKey;   /* iCur does not move below */
  size_t nKey = p->aChild[iCur].nKey;
  int rc = LSMC_OK;
  int i;
  p->eDir = eDir;
  for(i=0; rc==LSMC_OK && i<p->nChild; i++){
    MergeChild *pC = &p->aChild[i];
    int bEqBefore;              /* pC sits on the current key, ahead of iCur */
    if( i==iCur ) continue;
    rc = mergeRefresh(p, i, lsmcIterSeek(pC->pIter, pKey, nKey));
    if( rc!=LSMC_OK ) break;
    bEqBefore = pC->bValid && i<iCur
             && lsmcIKeyCompare(pC->pKey, pC->nKey, pKey, nKey)==0;
    if( eDir==MERGE_FORWARD ){
      if( bEqBefore ) rc = mergeRefresh(p, i, lsmcIterNext(pC->pIter));
    }else if( !pC->bValid ){
      rc = mergeRefresh(p, i, lsmcIterLast(pC->pIter));
    }else if( !bEqBefore ){
      rc = mergeRefresh(p, i, lsmcIterPrev(pC->pIter));
    }
  }
  return rc;
}

/*
** Move one entry in direction eDir (xNext or xPrev).
*/
static int mergeStep(MergeIter *p, int eDir){
  int iCur;
  int rc;
  MergeChild *pC;
  if( p->rc ) return p->rc;
  assert( p->nHeap>0 );
  iCur = p->aHeap[0];
  pC = &p->aChild[iCur];
  if( p->eDir!=eDir ){
    rc = mergeSwitch(p, iCur, eDir);
    if( rc==LSMC_OK ){
      rc = eDir==MERGE_FORWARD ? lsmcIterNext(pC->pIter)
                               : lsmcIterPrev(pC->pIter);
      rc = mergeRefresh(p, iCur, rc);
    }
    if( rc==LSMC_OK ) mergeHeapBuild(p);
  }else{
    rc = eDir==MERGE_FORWARD ? lsmcIterNext(pC->pIter)
                             : lsmcIterPrev(pC->pIter);
    rc = mergeRefresh(p, iCur, rc);
    if( rc==LSMC_OK ) mergeHeapFixTop(p);
  }
  return mergeSetRc(p, rc);
}

static int mergeNext(LsmIter *pIter){
  return mergeStep((MergeIter*)pIter, MERGE_FORWARD);
}

static int mergePrev(LsmIter *pIter){
  return mergeStep((MergeIter*)pIter, MERGE_REVERSE);
}

static int mergeValid(LsmIter *pIter){
  return ((MergeIter*)pIter)->nHeap>0;
}

static const u8 *mergeKey(LsmIter *pIter, size_t *pnIKey){
  MergeIter *p = (MergeIter*)pIter;
  MergeChild *pC;
  assert( p->nHeap>0 );
  pC = &p->aChild[p->aHeap[0]];
  *pnIKey = pC->nKey;
  return pC->pKey;
}

static const u8 *mergeValue(LsmIter *pIter, size_t *pnVal){
  MergeIter *p = (MergeIter*)pIter;
  assert( p->nHeap>0 );
  return lsmcIterValue(p->aChild[p->aHeap[0]].pIter, pnVal);
}

static void mergeClose(LsmIter *pIter){
  MergeIter *p = (MergeIter*)pIter;
  int i;
  for(i=0; i<p->nChild; i++) lsmcIterClose(p->aChild[i].pIter);
  lsmcFree(p->pEnv, p);
}

static const LsmIterMethods mergeMethods = {
  mergeClose,               /* xClose */
  mergeFirst,               /* xFirst */
  mergeLast,                /* xLast */
  mergeSeek,                /* xSeek */
  mergeNext,                /* xNext */
  mergePrev,                /* xPrev */
  mergeValid,               /* xValid */
  mergeKey,                 /* xKey */
  mergeValue                /* xValue */
};

/*
** Create the merging iterator.  The object, its children array and its
** heap are one allocation, made here once.
*/
int lsmcMergeIterNew(lsmc_env *pEnv, LsmIter **apChild, int nChild,
                     LsmIter **ppIter){
  MergeIter *p = 0;
  int i;
  *ppIter = 0;
  if( nChild>=0 ){
    size_t nByte = sizeof(MergeIter)
                 + (size_t)nChild*(sizeof(MergeChild) + sizeof(int));
    p = lsmcMallocZero(pEnv, nByte);
  }
  if( p==0 ){
    for(i=0; i<nChild; i++) lsmcIterClose(apChild[i]);
    return nChild<0 ? LSMC_MISUSE_BKPT : LSMC_NOMEM;
  }
  p->base.pMethods = &mergeMethods;
  p->pEnv = pEnv;
  p->nChild = nChild;
  p->aChild = (MergeChild*)&p[1];
  p->aHeap = (int*)&p->aChild[nChild];
  for(i=0; i<nChild; i++) p->aChild[i].pIter = apChild[i];
  *ppIter = &p->base;
  return LSMC_OK;
}
