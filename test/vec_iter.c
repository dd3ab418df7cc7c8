/*
** vec_iter.c -- test-only LsmIter over a sorted array of (internal key,
** value) entries, with one-shot error injection, volatile key memory and
** live insertion (see vec_iter.h), plus the counting test env.
**
** Each entry lives in its own allocation (key bytes then value bytes), and
** the sorted array holds pointers to them, so an insertion moves slots but
** never the bytes a caller may be holding.  Invariant: aSlot[0..nSlot) is
** strictly increasing by lsmcIKeyCompare; iPos is -1 (invalid) or an index
** into it, and rc!=LSMC_OK implies iPos==-1.
*/
#include "vec_iter.h"
#include "coding.h"

#include <stdlib.h>

typedef struct VecSlot VecSlot;
typedef struct VecIter VecIter;

/* One stored entry; pKey and pVal point into one allocation. */
struct VecSlot {
  u8 *pKey;            /* Internal key (start of the allocation) */
  size_t nKey;         /* Bytes in pKey */
  u8 *pVal;            /* Value, right after the key */
  size_t nVal;         /* Bytes in pVal */
};

struct VecIter {
  LsmIter base;        /* Method table; must be first */
  lsmc_env *pEnv;      /* Allocator */
  VecSlot *aSlot;      /* Sorted entries */
  int nSlot;           /* Entries in aSlot */
  int nAlloc;          /* Slots allocated */
  int iPos;            /* Current entry, or -1 when invalid */
  int rc;              /* Sticky error from an injected failure */
  int flags;           /* VEC_ITER_* */
  u64 nMove;           /* Movement calls so far */
  int iFailAt;         /* Movements until the failure (0: none armed) */
  int rcFail;          /* Code the armed failure returns */
  int *pbClosed;       /* Set to 1 by xClose, if not NULL */
  u8 *pVolKey;         /* VOLATILE: copy of the current key, or NULL */
  u8 *pVolVal;         /* VOLATILE: copy of the current value, or NULL */
};

/*
** The counting env's memory methods.
*/
static void *vecEnvMalloc(lsmc_env *pEnv, size_t n){
  void *pNew = malloc(n);
  ((VecTestEnv*)pEnv)->nMalloc++;
  if( pNew ) ((VecTestEnv*)pEnv)->nLive++;
  return pNew;
}
static void *vecEnvRealloc(lsmc_env *pEnv, void *p, size_t n){
  void *pNew = realloc(p, n);
  ((VecTestEnv*)pEnv)->nMalloc++;
  if( pNew && p==0 ) ((VecTestEnv*)pEnv)->nLive++;
  return pNew;
}
static void vecEnvFree(lsmc_env *pEnv, void *p){
  if( p ) ((VecTestEnv*)pEnv)->nLive--;
  free(p);
}

void vecTestEnvInit(VecTestEnv *p){
  memset(p, 0, sizeof(*p));
  p->base.iVersion = 1;
  p->base.pCtx = p;
  p->base.xMalloc = vecEnvMalloc;
  p->base.xRealloc = vecEnvRealloc;
  p->base.xFree = vecEnvFree;
}

size_t vecIKey(u8 *a, const void *pUKey, size_t nUKey, u64 iSeq, int eKind){
  if( nUKey ) memcpy(a, pUKey, nUKey);
  lsmcPut64(&a[nUKey], lsmcTrailerPack(iSeq, eKind));
  return nUKey + LSMC_TRAILER_SIZE;
}

/*
** Free the volatile copies (called by every movement).
*/
static void vecDropVolatile(VecIter *p){
  lsmcFree(p->pEnv, p->pVolKey);
  lsmcFree(p->pEnv, p->pVolVal);
  p->pVolKey = 0;
  p->pVolVal = 0;
}

/*
** Common start of every movement: count it, drop volatile copies, clear
** a sticky error (only repositioning calls may), and fire an armed
** failure.  Returns the injected code, or LSMC_OK to go on.
*/
static int vecMoveBegin(VecIter *p, int bReposition){
  p->nMove++;
  vecDropVolatile(p);
  if( bReposition ) p->rc = LSMC_OK;
  if( p->iFailAt>0 && --p->iFailAt==0 ){
    p->rc = p->rcFail;
  }
  if( p->rc ) p->iPos = -1;
  return p->rc;
}

/*
** Index of the first slot whose key is >= (pKey, nKey); *pbEq is set if
** that slot's key is equal.
*/
static int vecLowerBound(VecIter *p, const u8 *pKey, size_t nKey, int *pbEq){
  int lo = 0, hi = p->nSlot;
  while( lo<hi ){
    int mid = lo + (hi-lo)/2;
    VecSlot *pS = &p->aSlot[mid];
    if( lsmcIKeyCompare(pS->pKey, pS->nKey, pKey, nKey)<0 ){
      lo = mid+1;
    }else{
      hi = mid;
    }
  }
  *pbEq = lo<p->nSlot
       && lsmcIKeyCompare(p->aSlot[lo].pKey, p->aSlot[lo].nKey, pKey, nKey)==0;
  return lo;
}

static int vecFirst(LsmIter *pIter){
  VecIter *p = (VecIter*)pIter;
  int rc = vecMoveBegin(p, 1);
  if( rc==LSMC_OK ) p->iPos = p->nSlot>0 ? 0 : -1;
  return rc;
}

static int vecLast(LsmIter *pIter){
  VecIter *p = (VecIter*)pIter;
  int rc = vecMoveBegin(p, 1);
  if( rc==LSMC_OK ) p->iPos = p->nSlot-1;
  return rc;
}

static int vecSeek(LsmIter *pIter, const u8 *pKey, size_t nKey){
  VecIter *p = (VecIter*)pIter;
  int rc = vecMoveBegin(p, 1);
  if( rc==LSMC_OK ){
    int bEq;
    int i = vecLowerBound(p, pKey, nKey, &bEq);
    p->iPos = i<p->nSlot ? i : -1;
  }
  return rc;
}

static int vecNext(LsmIter *pIter){
  VecIter *p = (VecIter*)pIter;
  int rc = vecMoveBegin(p, 0);
  if( rc==LSMC_OK ){
    assert( p->iPos>=0 );
    p->iPos++;
    if( p->iPos>=p->nSlot ) p->iPos = -1;
  }
  return rc;
}

static int vecPrev(LsmIter *pIter){
  VecIter *p = (VecIter*)pIter;
  int rc = vecMoveBegin(p, 0);
  if( rc==LSMC_OK ){
    assert( p->iPos>=0 );
    p->iPos--;
  }
  return rc;
}

static int vecValid(LsmIter *pIter){
  VecIter *p = (VecIter*)pIter;
  return p->iPos>=0;
}

/*
** Return a copy of n bytes at a (VOLATILE mode), cached in *pp until the
** next movement.  A failed allocation aborts the test: the harness has no
** way to report it through xKey.
*/
static const u8 *vecVolatile(VecIter *p, u8 **pp, const u8 *a, size_t n){
  if( *pp==0 ){
    *pp = lsmcMalloc(p->pEnv, n);
    if( *pp==0 ) abort();
    if( n ) memcpy(*pp, a, n);
  }
  return *pp;
}

static const u8 *vecKey(LsmIter *pIter, size_t *pnKey){
  VecIter *p = (VecIter*)pIter;
  VecSlot *pS;
  assert( p->iPos>=0 );
  pS = &p->aSlot[p->iPos];
  *pnKey = pS->nKey;
  if( p->flags & VEC_ITER_VOLATILE ){
    return vecVolatile(p, &p->pVolKey, pS->pKey, pS->nKey);
  }
  return pS->pKey;
}

static const u8 *vecValue(LsmIter *pIter, size_t *pnVal){
  VecIter *p = (VecIter*)pIter;
  VecSlot *pS;
  assert( p->iPos>=0 );
  pS = &p->aSlot[p->iPos];
  *pnVal = pS->nVal;
  if( p->flags & VEC_ITER_VOLATILE ){
    return vecVolatile(p, &p->pVolVal, pS->pVal, pS->nVal);
  }
  return pS->pVal;
}

static void vecClose(LsmIter *pIter){
  VecIter *p = (VecIter*)pIter;
  int i;
  if( p->pbClosed ) *p->pbClosed = 1;
  vecDropVolatile(p);
  for(i=0; i<p->nSlot; i++) lsmcFree(p->pEnv, p->aSlot[i].pKey);
  lsmcFree(p->pEnv, p->aSlot);
  lsmcFree(p->pEnv, p);
}

static const LsmIterMethods vecMethods = {
  vecClose,                 /* xClose */
  vecFirst,                 /* xFirst */
  vecLast,                  /* xLast */
  vecSeek,                  /* xSeek */
  vecNext,                  /* xNext */
  vecPrev,                  /* xPrev */
  vecValid,                 /* xValid */
  vecKey,                   /* xKey */
  vecValue                  /* xValue */
};

/*
** Copy one entry into a fresh allocation described by *pS.
*/
static int vecSlotFill(lsmc_env *pEnv, VecSlot *pS, const u8 *pKey,
                       size_t nKey, const u8 *pVal, size_t nVal){
  if( nKey<LSMC_TRAILER_SIZE ) return LSMC_MISUSE_BKPT;
  pS->pKey = lsmcMalloc(pEnv, nKey+nVal);
  if( pS->pKey==0 ) return LSMC_NOMEM;
  memcpy(pS->pKey, pKey, nKey);
  pS->nKey = nKey;
  pS->pVal = &pS->pKey[nKey];
  if( nVal ) memcpy(pS->pVal, pVal, nVal);
  pS->nVal = nVal;
  return LSMC_OK;
}

static int vecSlotCmp(const void *a, const void *b){
  const VecSlot *pA = (const VecSlot*)a;
  const VecSlot *pB = (const VecSlot*)b;
  return lsmcIKeyCompare(pA->pKey, pA->nKey, pB->pKey, pB->nKey);
}

int vecIterNew(lsmc_env *pEnv, const VecEntry *aEntry, int nEntry,
               int flags, LsmIter **ppIter){
  int rc = LSMC_OK;
  int i;
  VecIter *p = lsmcMallocZero(pEnv, sizeof(VecIter));
  *ppIter = 0;
  if( p==0 ) return LSMC_NOMEM;
  p->base.pMethods = &vecMethods;
  p->pEnv = pEnv;
  p->iPos = -1;
  p->flags = flags;
  p->nAlloc = nEntry>0 ? nEntry : 1;
  p->aSlot = lsmcMallocZero(pEnv, sizeof(VecSlot)*(size_t)p->nAlloc);
  if( p->aSlot==0 ) rc = LSMC_NOMEM;
  for(i=0; rc==LSMC_OK && i<nEntry; i++){
    const VecEntry *pE = &aEntry[i];
    rc = vecSlotFill(pEnv, &p->aSlot[i], pE->pKey, pE->nKey,
                     pE->pVal, pE->nVal);
    if( rc==LSMC_OK ) p->nSlot++;
  }
  if( rc==LSMC_OK && p->nSlot>1 ){
    qsort(p->aSlot, (size_t)p->nSlot, sizeof(VecSlot), vecSlotCmp);
    for(i=1; rc==LSMC_OK && i<p->nSlot; i++){
      if( vecSlotCmp(&p->aSlot[i-1], &p->aSlot[i])==0 ) rc = LSMC_MISUSE_BKPT;
    }
  }
  if( rc!=LSMC_OK ){
    vecClose(&p->base);
    return rc;
  }
  *ppIter = &p->base;
  return LSMC_OK;
}

void vecIterFailAt(LsmIter *pIter, int iNth, int rc){
  VecIter *p = (VecIter*)pIter;
  p->iFailAt = iNth;
  p->rcFail = rc;
}

u64 vecIterMoves(LsmIter *pIter){
  return ((VecIter*)pIter)->nMove;
}

void vecIterSetCloseFlag(LsmIter *pIter, int *pbClosed){
  ((VecIter*)pIter)->pbClosed = pbClosed;
}

int vecIterCount(LsmIter *pIter){
  return ((VecIter*)pIter)->nSlot;
}

int vecIterInsert(LsmIter *pIter, const u8 *pKey, size_t nKey,
                  const u8 *pVal, size_t nVal){
  VecIter *p = (VecIter*)pIter;
  VecSlot slot;
  int bEq, i, rc;
  if( nKey<LSMC_TRAILER_SIZE ) return LSMC_MISUSE_BKPT;
  i = vecLowerBound(p, pKey, nKey, &bEq);
  if( bEq ) return LSMC_MISUSE_BKPT;
  if( p->nSlot==p->nAlloc ){
    int nNew = p->nAlloc*2;
    VecSlot *aNew = lsmcRealloc(p->pEnv, p->aSlot, sizeof(VecSlot)*(size_t)nNew);
    if( aNew==0 ) return LSMC_NOMEM;
    p->aSlot = aNew;
    p->nAlloc = nNew;
  }
  rc = vecSlotFill(p->pEnv, &slot, pKey, nKey, pVal, nVal);
  if( rc!=LSMC_OK ) return rc;
  memmove(&p->aSlot[i+1], &p->aSlot[i], sizeof(VecSlot)*(size_t)(p->nSlot-i));
  p->aSlot[i] = slot;
  p->nSlot++;
  if( p->iPos>=i ) p->iPos++;      /* stay on the same entry */
  return LSMC_OK;
}
