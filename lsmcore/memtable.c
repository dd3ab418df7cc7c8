/*
** memtable.c -- the in-memory write buffer: a refcounted skiplist of
** encoded entries in an arena, and an LsmIter over it.
**
** A MemTable owns an Arena, which holds the SkipList, its nodes and every
** entry.  Each entry lives inside its skiplist node (lsmcSkipNodeNew), so
** one arena allocation holds both, laid out as memtable.h says:
**     varint32 nIKey | internal key (user key + 8-byte trailer) |
**     varint32 nVal  | value bytes
** The skiplist's comparator decodes the internal key of both entries and
** orders them with lsmcIKeyCompare (user key ascending, newest first).  A
** lookup or seek builds a target of the same shape (varint32 + internal
** key, no value) in a stack buffer, or on the heap for a long key.
**
** Invariants: every entry has a trailer with kind LSMC_KIND_PUT or
** LSMC_KIND_DELETE and a sequence <= LSMC_MAX_SEQ; no two entries have
** equal internal keys (the db gives every write its own sequence).
**
** Thread safety: one writer at a time (lsmcMemtableAdd), any number of
** concurrent readers (Get, iterators), as the skiplist allows.  nRef and
** nEntry are atomics; the last lsmcMemtableUnref() frees everything, so a
** reader must hold a reference for as long as it uses a pointer into the
** memtable.  Each iterator holds its own reference, dropped in xClose.
*/
#include "memtable.h"
#include "arena.h"
#include "bloom.h"
#include "coding.h"
#include "skiplist.h"

#include <stdatomic.h>

/* Seek targets up to this size are built on the stack. */
#define MEM_STACK_TARGET  256

/*
** The arena bytes of the largest skiplist node header: an entry pointer,
** a height and a tower of next pointers.  skiplist.c's SKIP_MAX_HEIGHT is
** 12 and is not exported; 16 levels bound it with room to spare, so that
** a reservation (lsmcMemtableAddCost) never undercounts.
*/
#define MEM_NODE_LEVELS   16
#define MEM_NODE_MAX      (sizeof(void*) * (2 + MEM_NODE_LEVELS))

struct MemTable {
  lsmc_env *pEnv;                 /* Allocator for the arena and iterators */
  Arena *pArena;                  /* Holds the list and every entry */
  SkipList *pList;                /* Entries in internal-key order */
  atomic_int nRef;                /* References; freed when it reaches 0 */
  _Atomic(u64) nEntry;            /* Entries added */
  _Atomic(u64) nData;             /* Bytes of encoded entries added */
  _Atomic(u64) *aFilter;          /* Live bloom filter of the user keys, or
                                  ** NULL (lsmcMemtableNewFiltered) */
  u32 nFilterLine;                /* Lines of 8 words in aFilter */
};

/*
** Decode the internal key at the start of entry pEntry: set *pnIKey and
** return a pointer to its first byte.  Entries are written by this file,
** so the varint is known to be well formed and within the allocation.
*/
static inline const u8 *memEntryKey(const u8 *pEntry, size_t *pnIKey){
  u32 nIKey = 0;
  int n = lsmcGetVarint32(pEntry, pEntry+LSMC_MAX_VARINT, &nIKey);
  assert( n>0 && nIKey>=LSMC_TRAILER_SIZE );
  *pnIKey = nIKey;
  return &pEntry[n];
}

/*
** Decode the value of entry pEntry, whose internal key ends at pKeyEnd.
*/
static const u8 *memEntryValue(const u8 *pKeyEnd, size_t *pnVal){
  u32 nVal = 0;
  int n = lsmcGetVarint32(pKeyEnd, pKeyEnd+LSMC_MAX_VARINT, &nVal);
  assert( n>0 );
  *pnVal = nVal;
  return &pKeyEnd[n];
}

/*
** The skiplist comparator: order two entries (or seek targets) by their
** internal keys.
*/
static int memCompare(void *pCtx, const u8 *pA, const u8 *pB){
  size_t nA, nB;
  const u8 *pKeyA = memEntryKey(pA, &nA);
  const u8 *pKeyB = memEntryKey(pB, &nB);
  LSMC_UNUSED(pCtx);
  return lsmcIKeyCompare(pKeyA, nA, pKeyB, nB);
}

/*
** Build a seek target: varint32(nA+nB) | pA[0..nA) | pB[0..nB), in aSpace
** (MEM_STACK_TARGET bytes) if it fits, else in memory from lsmcMalloc that
** the caller frees when the result is not aSpace.  Returns NULL on OOM.
*/
static u8 *memTargetBuild(MemTable *p, u8 *aSpace, const u8 *pA, size_t nA,
                          const u8 *pB, size_t nB){
  size_t nIKey = nA + nB;
  size_t nByte = LSMC_MAX_VARINT + nIKey;
  u8 *aTarget = aSpace;
  int nHdr;
  if( nByte>MEM_STACK_TARGET ){
    aTarget = lsmcMalloc(p->pEnv, nByte);
    if( aTarget==0 ) return 0;
  }
  nHdr = lsmcPutVarint(aTarget, nIKey);
  if( nA ) memcpy(&aTarget[nHdr], pA, nA);
  if( nB ) memcpy(&aTarget[nHdr+nA], pB, nB);
  return aTarget;
}

/*
** Create an empty memtable holding one reference, with a live bloom
** filter of about nFilter bytes over its user keys (none if 0), which
** lets a lookup of a key the memtable lacks skip the skiplist search.
*/
int lsmcMemtableNewFiltered(lsmc_env *pEnv, size_t nFilter, MemTable **ppMem){
  int rc;
  MemTable *p = lsmcMallocZero(pEnv, sizeof(MemTable));
  *ppMem = 0;
  if( p==0 ) return LSMC_NOMEM;
  if( nFilter>0 ){
    size_t nLine = (nFilter + LSMC_BLOOM_LINE - 1)/LSMC_BLOOM_LINE;
    if( nLine>0xffffffffu ) nLine = 0xffffffffu;
    p->nFilterLine = (u32)nLine;
    p->aFilter = lsmcMallocZero(pEnv, nLine*LSMC_BLOOM_LINE);
    if( p->aFilter==0 ){
      lsmcFree(pEnv, p);
      return LSMC_NOMEM;
    }
  }
  p->pEnv = pEnv;
  atomic_init(&p->nRef, 1);
  atomic_init(&p->nEntry, 0);
  atomic_init(&p->nData, 0);
  rc = lsmcArenaNew(pEnv, &p->pArena);
  if( rc==LSMC_OK ) rc = lsmcSkipNew(p->pArena, memCompare, p, &p->pList);
  if( rc!=LSMC_OK ){
    lsmcArenaFree(p->pArena);
    lsmcFree(pEnv, p->aFilter);
    lsmcFree(pEnv, p);
    return rc;
  }
  *ppMem = p;
  return LSMC_OK;
}

int lsmcMemtableNew(lsmc_env *pEnv, MemTable **ppMem){
  return lsmcMemtableNewFiltered(pEnv, 0, ppMem);
}

void lsmcMemtableRef(MemTable *p){
  atomic_fetch_add_explicit(&p->nRef, 1, memory_order_relaxed);
}

/*
** Drop a reference; the last one frees the arena (list and entries) and
** the memtable.  The acq_rel ordering makes every use of the memtable by
** other reference holders happen before the free.
*/
void lsmcMemtableUnref(MemTable *p){
  if( p==0 ) return;
  if( atomic_fetch_sub_explicit(&p->nRef, 1, memory_order_acq_rel)==1 ){
    lsmcArenaFree(p->pArena);
    lsmcFree(p->pEnv, p->aFilter);
    lsmcFree(p->pEnv, p);
  }
}

/* Bytes of the encoded entry for (nKey, nVal): see memtable.h. */
static size_t memEntrySize(size_t nKey, size_t nVal){
  size_t nIKey = nKey + LSMC_TRAILER_SIZE;
  return (size_t)lsmcVarintLen(nIKey) + nIKey
       + (size_t)lsmcVarintLen(nVal) + nVal;
}

/*
** The most arena memory one lsmcMemtableAdd(nKey, nVal) can allocate:
** a node of the tallest height holding the entry, as the arena rounds.
*/
size_t lsmcMemtableAddCost(size_t nKey, size_t nVal){
  return lsmcArenaCost(MEM_NODE_MAX + memEntrySize(nKey, nVal));
}

/*
** Make sure adds costing at most nByte in total cannot run out of memory.
*/
int lsmcMemtableReserve(MemTable *p, size_t nByte){
  return lsmcArenaReserve(p->pArena, nByte);
}

/*
** Add entry (pKey, iSeq, eKind) -> pVal.  A tombstone (LSMC_KIND_DELETE)
** must have nVal==0.  REQUIRES: no entry with the same user key and
** sequence and kind exists; one writer at a time.
*/
int lsmcMemtableAdd(MemTable *p, u64 iSeq, int eKind,
                    const u8 *pKey, size_t nKey, const u8 *pVal, size_t nVal){
  size_t nIKey = nKey + LSMC_TRAILER_SIZE;
  size_t nByte;
  SkipNode *pNode;
  u8 *pEntry;
  u8 *pOut;
  u64 h = 0;                      /* Hash of the user key, for the filter */

  assert( eKind==LSMC_KIND_PUT || eKind==LSMC_KIND_DELETE );
  assert( eKind==LSMC_KIND_PUT || nVal==0 );
  if( nKey>LSMC_MAX_KEY || nVal>LSMC_MAX_VALUE || iSeq>LSMC_MAX_SEQ ){
    return LSMC_MISUSE_BKPT;
  }
  if( p->aFilter ){
    h = lsmcHash64(pKey, nKey);
    lsmcBloomLivePrefetch(p->aFilter, p->nFilterLine, h);
  }
  nByte = memEntrySize(nKey, nVal);
  pNode = lsmcSkipNodeNew(p->pList, nByte, &pEntry);
  if( pNode==0 ) return LSMC_NOMEM;

  pOut = pEntry;
  pOut += lsmcPutVarint(pOut, nIKey);
  if( nKey ) memcpy(pOut, pKey, nKey);
  pOut += nKey;
  lsmcPut64(pOut, lsmcTrailerPack(iSeq, eKind));
  pOut += LSMC_TRAILER_SIZE;
  pOut += lsmcPutVarint(pOut, nVal);
  if( nVal ) memcpy(pOut, pVal, nVal);
  assert( pOut+nVal==pEntry+nByte );

  lsmcSkipInsertNode(p->pList, pNode);
  /* The filter bits may follow the node: a lookup only looks for entries
  ** whose sequence the db published after this call returned (under its
  ** mutex), so no reader can miss an entry for want of its bits.  The
  ** line was prefetched above; the search hid the miss. */
  if( p->aFilter ) lsmcBloomLiveAdd(p->aFilter, p->nFilterLine, h);
  {
    u64 n = atomic_load_explicit(&p->nEntry, memory_order_relaxed);
    u64 nData = atomic_load_explicit(&p->nData, memory_order_relaxed);
    atomic_store_explicit(&p->nEntry, n+1, memory_order_relaxed);
    atomic_store_explicit(&p->nData, nData+nByte, memory_order_relaxed);
  }
  return LSMC_OK;
}

/*
** Point lookup: seek to pKey + trailer(iSeq, LSMC_KIND_SEEK), the first
** entry at or after which is the newest version of pKey with a sequence
** <= iSeq, if the entry found has user key pKey.  A sequence above
** LSMC_MAX_SEQ reads as LSMC_MAX_SEQ (everything visible).
*/
int lsmcMemtableGet(MemTable *p, const u8 *pKey, size_t nKey, u64 iSeq,
                    int *peKind, const u8 **ppVal, size_t *pnVal){
  u8 aSpace[MEM_STACK_TARGET];
  u8 aTrailer[LSMC_TRAILER_SIZE];
  u8 *aTarget;
  SkipIter cur;
  int rc = LSMC_NOTFOUND;

  if( p->aFilter && !lsmcBloomLiveMayContain(p->aFilter, p->nFilterLine,
                                             lsmcHash64(pKey, nKey)) ){
    return LSMC_NOTFOUND;
  }
  lsmcPut64(aTrailer, lsmcTrailerPack(LSMC_MIN(iSeq, LSMC_MAX_SEQ),
                                      LSMC_KIND_SEEK));
  aTarget = memTargetBuild(p, aSpace, pKey, nKey, aTrailer, sizeof(aTrailer));
  if( aTarget==0 ) return LSMC_NOMEM;

  lsmcSkipIterInit(&cur, p->pList);
  lsmcSkipIterSeek(&cur, aTarget);
  if( lsmcSkipIterValid(&cur) ){
    size_t nIKey;
    const u8 *pIKey = memEntryKey(lsmcSkipIterEntry(&cur), &nIKey);
    size_t nUKey = nIKey - LSMC_TRAILER_SIZE;
    if( lsmcUKeyCompare(pIKey, nUKey, pKey, nKey)==0 ){
      int eKind = lsmcTrailerKind(lsmcIKeyTrailer(pIKey, nIKey));
      size_t nVal = 0;
      const u8 *pVal = 0;
      if( eKind==LSMC_KIND_PUT ) pVal = memEntryValue(&pIKey[nIKey], &nVal);
      *peKind = eKind;
      if( ppVal ) *ppVal = pVal;
      if( pnVal ) *pnVal = nVal;
      rc = LSMC_OK;
    }
  }
  if( aTarget!=aSpace ) lsmcFree(p->pEnv, aTarget);
  return rc;
}

size_t lsmcMemtableBytes(const MemTable *p){
  return (size_t)atomic_load_explicit(&((MemTable*)p)->nData,
                                      memory_order_relaxed);
}

size_t lsmcMemtableMemory(const MemTable *p){
  return lsmcArenaUsage(p->pArena);
}

u64 lsmcMemtableCount(const MemTable *p){
  return atomic_load_explicit(&((MemTable*)p)->nEntry, memory_order_relaxed);
}

/*
** The LsmIter over a memtable.  It holds a reference on pMem, so the
** entries stay alive until xClose.  An error (only OOM from xSeek) leaves
** the cursor unpositioned, which is how iter.h's sticky error reads here:
** xValid is false until the next xFirst/xLast/xSeek.
*/
typedef struct MemIter MemIter;
struct MemIter {
  LsmIter base;                   /* Method table; must be first */
  MemTable *pMem;                 /* Referenced memtable */
  SkipIter cur;                   /* Cursor on the skiplist */
};

static void memIterClose(LsmIter *pIter){
  MemIter *p = (MemIter*)pIter;
  MemTable *pMem = p->pMem;
  lsmc_env *pEnv = pMem->pEnv;
  lsmcFree(pEnv, p);
  lsmcMemtableUnref(pMem);
}

static int memIterFirst(LsmIter *pIter){
  lsmcSkipIterFirst(&((MemIter*)pIter)->cur);
  return LSMC_OK;
}

static int memIterLast(LsmIter *pIter){
  lsmcSkipIterLast(&((MemIter*)pIter)->cur);
  return LSMC_OK;
}

/*
** Position on the first entry whose internal key is >= pIKey.
*/
static int memIterSeek(LsmIter *pIter, const u8 *pIKey, size_t nIKey){
  MemIter *p = (MemIter*)pIter;
  u8 aSpace[MEM_STACK_TARGET];
  u8 *aTarget;
  p->cur.pNode = 0;
  if( nIKey<LSMC_TRAILER_SIZE ) return LSMC_MISUSE_BKPT;
  aTarget = memTargetBuild(p->pMem, aSpace, pIKey, nIKey, 0, 0);
  if( aTarget==0 ) return LSMC_NOMEM;
  lsmcSkipIterSeek(&p->cur, aTarget);
  if( aTarget!=aSpace ) lsmcFree(p->pMem->pEnv, aTarget);
  return LSMC_OK;
}

static int memIterNext(LsmIter *pIter){
  lsmcSkipIterNext(&((MemIter*)pIter)->cur);
  return LSMC_OK;
}

static int memIterPrev(LsmIter *pIter){
  lsmcSkipIterPrev(&((MemIter*)pIter)->cur);
  return LSMC_OK;
}

static int memIterValid(LsmIter *pIter){
  return lsmcSkipIterValid(&((MemIter*)pIter)->cur);
}

static const u8 *memIterKey(LsmIter *pIter, size_t *pnIKey){
  return memEntryKey(lsmcSkipIterEntry(&((MemIter*)pIter)->cur), pnIKey);
}

static const u8 *memIterValue(LsmIter *pIter, size_t *pnVal){
  size_t nIKey;
  const u8 *pIKey = memIterKey(pIter, &nIKey);
  return memEntryValue(&pIKey[nIKey], pnVal);
}

static const LsmIterMethods memIterMethods = {
  memIterClose,                   /* xClose */
  memIterFirst,                   /* xFirst */
  memIterLast,                    /* xLast */
  memIterSeek,                    /* xSeek */
  memIterNext,                    /* xNext */
  memIterPrev,                    /* xPrev */
  memIterValid,                   /* xValid */
  memIterKey,                     /* xKey */
  memIterValue,                   /* xValue */
};

/*
** Open an unpositioned iterator over every entry of p.  It takes a
** reference on p, released by xClose.  *ppIter is NULL on failure.
*/
int lsmcMemtableIter(MemTable *p, LsmIter **ppIter){
  MemIter *pIter = lsmcMallocZero(p->pEnv, sizeof(MemIter));
  *ppIter = 0;
  if( pIter==0 ) return LSMC_NOMEM;
  pIter->base.pMethods = &memIterMethods;
  pIter->pMem = p;
  lsmcSkipIterInit(&pIter->cur, p->pList);
  lsmcMemtableRef(p);
  *ppIter = &pIter->base;
  return LSMC_OK;
}
