/*
** two_level_iter.c -- an iterator over the concatenation of child
** iterators named by the entries of an index iterator (an SSTable's index
** block over its data blocks; a level's file list over its SSTables).
**
** The current child is the one opened from the index entry the index
** iterator is on; its index value is remembered so that a seek landing on
** the same entry reuses the open child.  A child that is empty, or runs
** off its end, is closed and the index steps on (forward or backward)
** until a child has an entry or the index ends.  The index keys are only
** used by seeks: a child opened for index entry E holds keys <= E's key
** and > the previous entry's key.
**
** Errors: the first error of the index, of xOpen or of a child is kept in
** rc; the iterator is then invalid until the next First/Last/Seek (as
** iter.h says).  Thread safety: one thread at a time.
*/
#include "two_level_iter.h"
#include "coding.h"

typedef struct TwoLevelIter TwoLevelIter;
struct TwoLevelIter {
  LsmIter base;             /* Method table; must be first */
  lsmc_env *pEnv;           /* Allocator */
  LsmIter *pIndex;          /* Index iterator (owned) */
  TwoLevelOpenFn xOpen;     /* Opens a child from an index value */
  void *pCtx;               /* First argument of xOpen */
  LsmIter *pChild;          /* Current child (owned), or NULL */
  LsmcBuf childVal;         /* Index value pChild was opened from */
  int rc;                   /* Sticky error, or LSMC_OK */
};

/* Close the current child, if any. */
static void tliCloseChild(TwoLevelIter *p){
  lsmcIterClose(p->pChild);
  p->pChild = 0;
}

/* Record the first error; return it. */
static int tliError(TwoLevelIter *p, int rc){
  if( rc && p->rc==LSMC_OK ){
    p->rc = rc;
    tliCloseChild(p);
  }
  return p->rc;
}

/*
** Make pChild the child of the index's current entry (none if the index
** is not valid).  Keeps the open child if its index value is unchanged.
*/
static int tliInitChild(TwoLevelIter *p){
  const u8 *pVal;
  size_t nVal;
  int rc = LSMC_OK;
  if( !lsmcIterValid(p->pIndex) ){
    tliCloseChild(p);
    return LSMC_OK;
  }
  pVal = lsmcIterValue(p->pIndex, &nVal);
  if( p->pChild && nVal==p->childVal.n
   && (nVal==0 || memcmp(pVal, p->childVal.a, nVal)==0)
  ){
    return LSMC_OK;
  }
  tliCloseChild(p);
  lsmcBufSet(&rc, &p->childVal, pVal, nVal);
  if( rc==LSMC_OK ) rc = p->xOpen(p->pCtx, pVal, nVal, &p->pChild);
  if( rc ) p->pChild = 0;
  return tliError(p, rc);
}

/*
** While the child is missing or exhausted, move the index forward
** (bForward) or backward and position a new child at its first (last)
** entry.
*/
static int tliSkip(TwoLevelIter *p, int bForward){
  while( p->rc==LSMC_OK && (p->pChild==0 || !lsmcIterValid(p->pChild)) ){
    int rc;
    if( !lsmcIterValid(p->pIndex) ){
      tliCloseChild(p);
      break;
    }
    rc = bForward ? lsmcIterNext(p->pIndex) : lsmcIterPrev(p->pIndex);
    if( rc==LSMC_OK ) rc = tliInitChild(p);
    if( rc==LSMC_OK && p->pChild ){
      rc = bForward ? lsmcIterFirst(p->pChild) : lsmcIterLast(p->pChild);
    }
    tliError(p, rc);
  }
  return p->rc;
}

/*
** Start a movement from scratch: forget the old error, position the index
** with rc from the index's own movement, open its child.
*/
static int tliStart(TwoLevelIter *p, int rcIndex){
  p->rc = LSMC_OK;
  if( tliError(p, rcIndex) ) return p->rc;
  return tliInitChild(p);
}

static int tliFirst(LsmIter *pIter){
  TwoLevelIter *p = (TwoLevelIter*)pIter;
  if( tliStart(p, lsmcIterFirst(p->pIndex)) ) return p->rc;
  if( p->pChild ) tliError(p, lsmcIterFirst(p->pChild));
  return tliSkip(p, 1);
}

static int tliLast(LsmIter *pIter){
  TwoLevelIter *p = (TwoLevelIter*)pIter;
  if( tliStart(p, lsmcIterLast(p->pIndex)) ) return p->rc;
  if( p->pChild ) tliError(p, lsmcIterLast(p->pChild));
  return tliSkip(p, 0);
}

static int tliSeek(LsmIter *pIter, const u8 *pKey, size_t nKey){
  TwoLevelIter *p = (TwoLevelIter*)pIter;
  if( tliStart(p, lsmcIterSeek(p->pIndex, pKey, nKey)) ) return p->rc;
  if( p->pChild ) tliError(p, lsmcIterSeek(p->pChild, pKey, nKey));
  return tliSkip(p, 1);
}

static int tliValid(LsmIter *pIter){
  TwoLevelIter *p = (TwoLevelIter*)pIter;
  return p->rc==LSMC_OK && p->pChild && lsmcIterValid(p->pChild);
}

static int tliNext(LsmIter *pIter){
  TwoLevelIter *p = (TwoLevelIter*)pIter;
  assert( tliValid(pIter) );
  if( tliError(p, lsmcIterNext(p->pChild)) ) return p->rc;
  return tliSkip(p, 1);
}

static int tliPrev(LsmIter *pIter){
  TwoLevelIter *p = (TwoLevelIter*)pIter;
  assert( tliValid(pIter) );
  if( tliError(p, lsmcIterPrev(p->pChild)) ) return p->rc;
  return tliSkip(p, 0);
}

static const u8 *tliKey(LsmIter *pIter, size_t *pn){
  TwoLevelIter *p = (TwoLevelIter*)pIter;
  assert( tliValid(pIter) );
  return lsmcIterKey(p->pChild, pn);
}

static const u8 *tliValue(LsmIter *pIter, size_t *pn){
  TwoLevelIter *p = (TwoLevelIter*)pIter;
  assert( tliValid(pIter) );
  return lsmcIterValue(p->pChild, pn);
}

static void tliClose(LsmIter *pIter){
  TwoLevelIter *p = (TwoLevelIter*)pIter;
  tliCloseChild(p);
  lsmcIterClose(p->pIndex);
  lsmcBufFree(&p->childVal);
  lsmcFree(p->pEnv, p);
}

static const LsmIterMethods twoLevelMethods = {
  tliClose,       /* xClose */
  tliFirst,       /* xFirst */
  tliLast,        /* xLast */
  tliSeek,        /* xSeek */
  tliNext,        /* xNext */
  tliPrev,        /* xPrev */
  tliValid,       /* xValid */
  tliKey,         /* xKey */
  tliValue,       /* xValue */
};

/*
** Allocate a two-level iterator.  Takes ownership of pIndex, also on
** failure.
*/
int lsmcTwoLevelIterNew(
  lsmc_env *pEnv,                 /* Allocator */
  LsmIter *pIndex,                /* Index iterator (ownership taken) */
  TwoLevelOpenFn xOpen,           /* Opens the child of an index value */
  void *pCtx,                     /* First argument of xOpen */
  LsmIter **ppIter                /* OUT: the new iterator */
){
  TwoLevelIter *p = lsmcMallocZero(pEnv, sizeof(*p));
  *ppIter = 0;
  if( p==0 ){
    lsmcIterClose(pIndex);
    return LSMC_NOMEM;
  }
  p->base.pMethods = &twoLevelMethods;
  p->pEnv = pEnv;
  p->pIndex = pIndex;
  p->xOpen = xOpen;
  p->pCtx = pCtx;
  lsmcBufInit(&p->childVal, pEnv);
  *ppIter = &p->base;
  return LSMC_OK;
}
