/*
** block.c -- the block reader: a cursor over the prefix-compressed
** entries of one data or index block (format in sst_format.h), and its
** LsmIter adaptor.
**
** Seek binary-searches the restart points (whose keys are stored whole),
** then scans forward.  Prev re-scans from the last restart point before
** the current entry, as LevelDB's block reader does.  Init checks the
** restart array (count in range, first offset 0, offsets strictly
** increasing and inside the entry area); blockParse checks every entry it
** decodes (varints inside the entry area, shared prefix no longer than
** the previous key, shared 0 where there is no previous key or at a
** restart point, key and value inside the entry area, key >= 8 bytes, no
** entry straddling a restart point).  Each parsed entry is at least 3
** bytes and every scan moves strictly forward, so no input loops forever.
**
** Invariants: iCur <= iRestartOff; iCur==iRestartOff means "not on an
** entry"; when on an entry, iCur < iNext <= iRestartOff.  Thread safety:
** one thread at a time per iterator; the block bytes are only read.
*/
#include "block.h"
#include "coding.h"

/* Offset stored in restart slot i.  REQUIRES: i < nRestart. */
static u32 blockRestart(const BlockIter *p, u32 i){
  assert( i<p->nRestart );
  return lsmcGet32(&p->aData[p->iRestartOff + 4*(size_t)i]);
}

/*
** Attach p to block a[0..n), checking the restart count and the first
** offset, and with bAll every restart offset as well.
*/
static int blockInit(BlockIter *p, lsmc_env *pEnv, const u8 *a, size_t n,
                     int bAll){
  u32 i;
  u32 iPrev = 0;
  memset(p, 0, offsetof(BlockIter, aKeyInline));
  p->pEnv = pEnv;
  p->aData = a;
  p->rc = LSMC_CORRUPT;          /* Until validated: no movement works */
  p->bBroken = 1;
  if( n<8 || n>=0xffffffffu ) return LSMC_CORRUPT_BKPT;
  p->nData = (u32)n;
  p->nRestart = lsmcGet32(&a[n-4]);
  if( p->nRestart==0 || p->nRestart>(n-4)/4 ) return LSMC_CORRUPT_BKPT;
  p->iRestartOff = (u32)(n - 4 - 4*(size_t)p->nRestart);
  p->iCur = p->iNext = p->iRestartOff;
  if( blockRestart(p, 0)!=0 ) return LSMC_CORRUPT_BKPT;
  if( p->iRestartOff==0 && p->nRestart!=1 ) return LSMC_CORRUPT_BKPT;
  for(i=1; bAll && i<p->nRestart; i++){
    u32 iOff = blockRestart(p, i);
    if( iOff<=iPrev || iOff>=p->iRestartOff ) return LSMC_CORRUPT_BKPT;
    iPrev = iOff;
  }
  p->rc = LSMC_OK;
  p->bBroken = 0;
  return LSMC_OK;
}

int lsmcBlockIterInit(BlockIter *p, lsmc_env *pEnv, const u8 *a, size_t n){
  return blockInit(p, pEnv, a, n, 1);
}

/*
** As lsmcBlockIterInit, for a block that passed it before: the restart
** offsets are not checked again (O(1) instead of O(restarts), which
** matters for an index block consulted by every lookup).
*/
int lsmcBlockIterInitChecked(BlockIter *p, lsmc_env *pEnv, const u8 *a,
                             size_t n){
  return blockInit(p, pEnv, a, n, 0);
}

void lsmcBlockIterClear(BlockIter *p){
  lsmcFree(p->pEnv, p->aKeyHeap);
  p->aKeyHeap = 0;
  p->nKeyHeap = 0;
  p->pKey = 0;
  p->nKey = 0;
}

/*
** Make the iterator "not on an entry" after error rc (LSMC_OK for the
** plain end of the block).  Returns rc.
*/
static int blockSetEnd(BlockIter *p, int rc){
  p->iCur = p->iNext = p->iRestartOff;
  p->rc = rc;
  return rc;
}

/*
** Return room for a key of nNeed bytes whose first bytes are to be the
** current key's first nShared bytes (copied if the room changes).  NULL
** on OOM.
*/
static u8 *blockKeyRoom(BlockIter *p, u32 nNeed, u32 nShared){
  u8 *aDst;
  if( nNeed<=BLOCK_KEY_INLINE ){
    aDst = p->aKeyInline;
  }else{
    if( nNeed>p->nKeyHeap ){
      int bInHeap = (p->pKey==p->aKeyHeap && p->aKeyHeap!=0);
      u8 *aNew = lsmcRealloc(p->pEnv, p->aKeyHeap, nNeed);
      if( aNew==0 ) return 0;
      p->aKeyHeap = aNew;
      p->nKeyHeap = nNeed;
      if( bInHeap ) p->pKey = aNew;
    }
    aDst = p->aKeyHeap;
  }
  if( aDst!=p->pKey && nShared>0 ) memmove(aDst, p->pKey, nShared);
  return aDst;
}

/*
** Decode the entry at offset iNext, taking the current key as the
** previous one (nKey==0: none, as at a restart point).  At the end of
** the entry area, become "not on an entry".  Returns LSMC_OK or the error
** (then sticky).
*/
static int blockParseNext(BlockIter *p){
  const u8 *pEnd = &p->aData[p->iRestartOff];
  const u8 *pCsr;
  u32 nShared, nNonShared, nValue, nAvail;
  int n1, n2, n3;

  if( p->iNext>=p->iRestartOff ) return blockSetEnd(p, LSMC_OK);
  pCsr = &p->aData[p->iNext];
  n1 = lsmcGetVarint32(pCsr, pEnd, &nShared);
  n2 = n1 ? lsmcGetVarint32(&pCsr[n1], pEnd, &nNonShared) : 0;
  n3 = n2 ? lsmcGetVarint32(&pCsr[n1+n2], pEnd, &nValue) : 0;
  if( n3==0 ) return blockSetEnd(p, LSMC_CORRUPT_BKPT);
  pCsr += n1+n2+n3;
  nAvail = (u32)(pEnd - pCsr);
  if( nShared>p->nKey
   || nNonShared>nAvail
   || nValue>nAvail-nNonShared
   || (u64)nShared+nNonShared<LSMC_TRAILER_SIZE
  ){
    return blockSetEnd(p, LSMC_CORRUPT_BKPT);
  }

#if defined(LSMV_FUZZ_CANARY) && LSMV_FUZZ_CANARY==2
  /* TEST CANARY (TESTPLAN F4), compiled only by build-aux/fuzz.sh's
  ** canary build of fuzz_block: a planted out-of-bounds read that the
  ** fuzzer must reach, proving the target gets here.  Never active
  ** otherwise. */
  if( nValue>=4 && lsmcGet32(&pCsr[nNonShared])==0xCAFEF00Du ){
    static const u8 aCanary[4] = {0};
    const volatile u8 *pCanary = aCanary;
    volatile int iCanary = 4;
    (void)pCanary[iCanary];
  }
#endif
#if defined(LSMV_FUZZ_CANARY) && LSMV_FUZZ_CANARY==8
  /* TEST CANARY (TESTPLAN F4), compiled only by build-aux/fuzz.sh's
  ** canary build of fuzz_store (a data block of a store's SSTable): a
  ** planted out-of-bounds read that the fuzzer must reach, proving the
  ** target gets here.  Never active otherwise. */
  if( memchr(&pCsr[nNonShared], 0xCA, nValue) ){
    static const u8 aCanary[4] = {0};
    const volatile u8 *pCanary = aCanary;
    volatile int iCanary = 4;
    (void)pCanary[iCanary];
  }
#endif
  if( nShared==0 ){
    p->pKey = pCsr;                     /* Whole key: no copy */
  }else{
    u8 *aKey = blockKeyRoom(p, nShared+nNonShared, nShared);
    if( aKey==0 ) return blockSetEnd(p, LSMC_NOMEM);
    memcpy(&aKey[nShared], pCsr, nNonShared);
    p->pKey = aKey;
  }
  p->nKey = nShared + nNonShared;
  p->pVal = &pCsr[nNonShared];
  p->nVal = nValue;
  p->iCur = p->iNext;
  p->iNext = (u32)(&pCsr[nNonShared+nValue] - p->aData);

  /* Every restart point must start an entry, and that entry's key must be
  ** stored whole.  Checking it here makes a scan from a restart point
  ** catch a restart offset that points into the middle of an entry. */
  while( p->iRestart+1<p->nRestart ){
    u32 iR = blockRestart(p, p->iRestart+1);
    if( iR>p->iCur ){
      if( iR<p->iNext ) return blockSetEnd(p, LSMC_CORRUPT_BKPT);
      break;
    }
    if( iR<p->iCur || nShared!=0 ) return blockSetEnd(p, LSMC_CORRUPT_BKPT);
    p->iRestart++;
  }
  return LSMC_OK;
}

/*
** Prepare to parse the entry of restart point i (it has no previous key).
*/
static void blockToRestart(BlockIter *p, u32 i){
  p->iRestart = i;
  p->nKey = 0;
  p->pKey = 0;
  p->iNext = blockRestart(p, i);
}

/*
** Start a new movement: clears a sticky error, unless the block itself
** failed validation (then nRestart is not to be trusted).
*/
static int blockReset(BlockIter *p){
  if( p->bBroken ) return p->rc;
  p->rc = LSMC_OK;
  return LSMC_OK;
}

int lsmcBlockIterFirst(BlockIter *p){
  if( blockReset(p) ) return p->rc;
  blockToRestart(p, 0);
  return blockParseNext(p);
}

/*
** Position on the last entry: parse forward from the last restart point.
*/
int lsmcBlockIterLast(BlockIter *p){
  if( blockReset(p) ) return p->rc;
  blockToRestart(p, p->nRestart-1);
  do{
    if( blockParseNext(p) ) return p->rc;
  }while( p->iNext<p->iRestartOff );
  return LSMC_OK;
}

/*
** Binary search for the last restart point whose key is < the target,
** then scan forward to the first key >= the target.
*/
int lsmcBlockIterSeek(BlockIter *p, const u8 *pIKey, size_t nIKey){
  u32 iLo = 0;
  u32 iHi;
  assert( nIKey>=LSMC_TRAILER_SIZE );
  if( blockReset(p) ) return p->rc;
  iHi = p->nRestart - 1;
  while( iLo<iHi ){
    u32 iMid = iLo + (iHi - iLo + 1)/2;
    blockToRestart(p, iMid);
    if( blockParseNext(p) ) return p->rc;
    if( p->iCur==p->iRestartOff ) return blockSetEnd(p, LSMC_CORRUPT_BKPT);
    if( lsmcIKeyCompare(p->pKey, p->nKey, pIKey, nIKey)<0 ){
      iLo = iMid;
    }else{
      iHi = iMid - 1;
    }
  }
  blockToRestart(p, iLo);
  while( 1 ){
    if( blockParseNext(p) ) return p->rc;
    if( p->iCur==p->iRestartOff ) return LSMC_OK;
    if( lsmcIKeyCompare(p->pKey, p->nKey, pIKey, nIKey)>=0 ) return LSMC_OK;
  }
}

int lsmcBlockIterNext(BlockIter *p){
  assert( lsmcBlockIterValid(p) );
  return blockParseNext(p);
}

/*
** Step back: re-scan from the last restart point before the current
** entry up to the entry that ends where the current one starts.
*/
int lsmcBlockIterPrev(BlockIter *p){
  u32 iOrig = p->iCur;
  u32 r = p->iRestart;
  assert( lsmcBlockIterValid(p) );
  while( blockRestart(p, r)>=iOrig ){
    if( r==0 ) return blockSetEnd(p, LSMC_OK);      /* Before the first */
    r--;
  }
  blockToRestart(p, r);
  do{
    if( blockParseNext(p) ) return p->rc;
    if( p->iCur==p->iRestartOff ) return blockSetEnd(p, LSMC_CORRUPT_BKPT);
  }while( p->iNext<iOrig );
  if( p->iNext!=iOrig ) return blockSetEnd(p, LSMC_CORRUPT_BKPT);
  return LSMC_OK;
}

int lsmcBlockIterValid(const BlockIter *p){
  return p->rc==LSMC_OK && p->iCur<p->iRestartOff;
}

const u8 *lsmcBlockIterKey(const BlockIter *p, size_t *pnKey){
  assert( lsmcBlockIterValid(p) );
  *pnKey = p->nKey;
  return p->pKey;
}

const u8 *lsmcBlockIterValue(const BlockIter *p, size_t *pnVal){
  assert( lsmcBlockIterValid(p) );
  *pnVal = p->nVal;
  return p->pVal;
}

/*
** The LsmIter adaptor.
*/
typedef struct BlockLsmIter BlockLsmIter;
struct BlockLsmIter {
  LsmIter base;              /* Method table; must be first */
  lsmc_env *pEnv;            /* Allocator of this struct */
  void (*xRelease)(void*);   /* Called at close (may be NULL) */
  void *pReleaseArg;         /* Argument of xRelease */
  BlockIter blk;             /* The cursor */
};

static void blkClose(LsmIter *pIter){
  BlockLsmIter *p = (BlockLsmIter*)pIter;
  lsmcBlockIterClear(&p->blk);
  if( p->xRelease ) p->xRelease(p->pReleaseArg);
  lsmcFree(p->pEnv, p);
}
static int blkFirst(LsmIter *p){ return lsmcBlockIterFirst(&((BlockLsmIter*)p)->blk); }
static int blkLast(LsmIter *p){ return lsmcBlockIterLast(&((BlockLsmIter*)p)->blk); }
static int blkSeek(LsmIter *p, const u8 *pKey, size_t nKey){
  return lsmcBlockIterSeek(&((BlockLsmIter*)p)->blk, pKey, nKey);
}
static int blkNext(LsmIter *p){ return lsmcBlockIterNext(&((BlockLsmIter*)p)->blk); }
static int blkPrev(LsmIter *p){ return lsmcBlockIterPrev(&((BlockLsmIter*)p)->blk); }
static int blkValid(LsmIter *p){ return lsmcBlockIterValid(&((BlockLsmIter*)p)->blk); }
static const u8 *blkKey(LsmIter *p, size_t *pn){
  return lsmcBlockIterKey(&((BlockLsmIter*)p)->blk, pn);
}
static const u8 *blkValue(LsmIter *p, size_t *pn){
  return lsmcBlockIterValue(&((BlockLsmIter*)p)->blk, pn);
}

static const LsmIterMethods blockIterMethods = {
  blkClose,       /* xClose */
  blkFirst,       /* xFirst */
  blkLast,        /* xLast */
  blkSeek,        /* xSeek */
  blkNext,        /* xNext */
  blkPrev,        /* xPrev */
  blkValid,       /* xValid */
  blkKey,         /* xKey */
  blkValue,       /* xValue */
};

/*
** Allocate an LsmIter over a[0..n), validating the restart array fully
** unless bChecked says the bytes passed lsmcBlockIterInit before.  The
** release hook owns the block memory from now on, whatever the outcome.
*/
static int blockIterNew(
  lsmc_env *pEnv,                 /* Allocator */
  const u8 *a, size_t n,          /* Block contents */
  int bChecked,                   /* True: a[] passed a full Init before */
  void (*xRelease)(void*),        /* Releases a[] at close, or NULL */
  void *pArg,                     /* Argument of xRelease */
  LsmIter **ppIter                /* OUT: the new iterator */
){
  BlockLsmIter *p;
  int rc;
  *ppIter = 0;
  p = lsmcMalloc(pEnv, sizeof(*p));
  if( p==0 ){
    if( xRelease ) xRelease(pArg);
    return LSMC_NOMEM;
  }
  p->base.pMethods = &blockIterMethods;
  p->pEnv = pEnv;
  p->xRelease = xRelease;
  p->pReleaseArg = pArg;
  rc = blockInit(&p->blk, pEnv, a, n, !bChecked);
  if( rc ){
    blkClose(&p->base);
    return rc;
  }
  *ppIter = &p->base;
  return LSMC_OK;
}

int lsmcBlockIterNew(lsmc_env *pEnv, const u8 *a, size_t n,
                     void (*xRelease)(void*), void *pArg, LsmIter **ppIter){
  return blockIterNew(pEnv, a, n, 0, xRelease, pArg, ppIter);
}

int lsmcBlockIterNewChecked(lsmc_env *pEnv, const u8 *a, size_t n,
                            void (*xRelease)(void*), void *pArg,
                            LsmIter **ppIter){
  return blockIterNew(pEnv, a, n, 1, xRelease, pArg, ppIter);
}
