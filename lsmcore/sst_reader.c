/*
** sst_reader.c -- reads one SSTable (format in sst_format.h): open with
** full validation of the footer and the meta blocks, point lookups
** through the bloom filter and the index, a two-level iterator, and the
** integrity check.
**
** Open reads the footer, checks magic, checksum and version, checks every
** handle against the file size and LSMC_SST_MAX_BLOCK before allocating,
** then reads the index, filter and properties blocks (checksums verified)
** and keeps them for the reader's life (pinned: never in the block
** cache).  Data blocks come from sstDataBlock: with a block cache, a hit
** is used as it is; a miss (or every read, without a cache) reads the
** block, checks its checksum and its restart array (lsmcBlockIterInit),
** and only then inserts it, charged sizeof(SstBlock) + contents + trailer.
** So every data block a reader hands out has passed the full check once,
** and users attach to it with the O(1) "checked" init.  An SstBlockRef
** says who frees the block: the cache (a handle to release) or its user.
** An iterator's data-block child holds its ref until the two-level
** iterator closes it (moving to another block, or closing), through the
** block iterator's release hook.
**
** Invariants after a successful open: aIndex holds a block whose restart
** array is valid; aFilter, if not NULL, passed lsmcBloomCheck; the filter
** is present exactly when props.nBloomBits > 0; iCacheId!=0 exactly when
** pCache!=0.  The reader is then immutable but for its atomic iterator
** counters, so Get, Iter and Verify may run concurrently.  Two threads
** missing on one block both read it; the later insert replaces the
** earlier, whose holder keeps it valid until release.
*/
#include "sst_reader.h"
#include "block.h"
#include "bloom.h"
#include "coding.h"
#include "env.h"
#include "sst_builder.h"
#include "two_level_iter.h"

#include <stdatomic.h>
#include <stdio.h>

#define SST_LOOKUP_STACK 256      /* Lookup keys built without malloc */

/* A block read from the file: contents, then the trailer. */
typedef struct SstBlock SstBlock;
struct SstBlock {
  lsmc_env *pEnv;        /* Frees this allocation */
  size_t n;              /* Bytes of contents in a[] (trailer excluded) */
  u8 a[];                /* Contents + LSMC_SST_TRAILER_SIZE bytes */
};

/*
** What a two-level iterator's child opener needs: the reader, and whether
** blocks read from the file go into the cache.  Each reader embeds both
** variants (immutable), so opening an iterator allocates no context.
*/
typedef struct SstIterCtx SstIterCtx;
struct SstIterCtx {
  SstReader *pReader;    /* The reader */
  int bFill;             /* Insert blocks read from the file into the cache */
};

struct SstReader {
  lsmc_env *pEnv;        /* Allocator and file methods */
  lsmc_file *pFile;      /* The open file (owned) */
  u64 nFile;             /* File size */
  SstFooter footer;      /* Decoded footer */
  SstBlock *pIndex;      /* Index block */
  SstBlock *pFilter;     /* Filter block, or NULL if none */
  SstProps props;        /* Decoded properties */
  Cache *pCache;         /* Block cache for data blocks, or NULL */
  u64 iCacheId;          /* Our key half in pCache (0 without a cache) */
  _Atomic u64 nIterHit;  /* Iterator block lookups found in pCache */
  _Atomic u64 nIterMiss; /* Iterator block lookups read from the file */
  SstIterCtx ctxFill;    /* Iterator context: cache what is read */
  SstIterCtx ctxNoFill;  /* Iterator context: leave the cache alone */
};

/* A data block in use and who frees it. */
typedef struct SstBlockRef SstBlockRef;
struct SstBlockRef {
  SstBlock *pBlk;        /* The block: checksum and restarts verified */
  CacheHandle *pHandle;  /* Cache handle owning pBlk, or NULL: ours */
};

/* Free a block (the release hook of block iterators). */
static void sstBlockFree(void *pArg){
  SstBlock *p = (SstBlock*)pArg;
  if( p ) lsmcFree(p->pEnv, p);
}

/* Cache deleter of a data block. */
static void sstCacheDelete(void *pCtx, void *pValue){
  LSMC_UNUSED(pCtx);
  sstBlockFree(pValue);
}

/*
** Read the block named by *pH and verify its checksum.  The handle is
** checked against the area before the footer first, so a hostile size
** fails without being allocated.
*/
static int sstReadBlock(SstReader *p, const SstHandle *pH, SstBlock **ppOut){
  SstBlock *pBlk;
  int rc;
  *ppOut = 0;
  rc = lsmcSstHandleCheck(pH, p->nFile - LSMC_SST_FOOTER_SIZE);
  if( rc ) return rc;
  pBlk = lsmcMalloc(p->pEnv, sizeof(SstBlock) + (size_t)pH->nSize
                             + LSMC_SST_TRAILER_SIZE);
  if( pBlk==0 ) return LSMC_NOMEM;
  pBlk->pEnv = p->pEnv;
  pBlk->n = (size_t)pH->nSize;
  rc = lsmcEnvReadExact(p->pEnv, p->pFile, pH->iOff, pBlk->a,
                        pBlk->n + LSMC_SST_TRAILER_SIZE);
  if( rc==LSMC_IOERR_SHORT ) rc = LSMC_CORRUPT_BKPT;
  if( rc==LSMC_OK ) rc = lsmcSstTrailerCheck(pBlk->a, pBlk->n);
  if( rc ){
    sstBlockFree(pBlk);
    return rc;
  }
  *ppOut = pBlk;
  return LSMC_OK;
}

/*
** Read and check the footer and the meta blocks of an open file.
*/
static int sstLoad(SstReader *p){
  u8 aFooter[LSMC_SST_FOOTER_SIZE];
  BlockIter idx;
  int rc = LSMC_ENV(p->pEnv->xSize(p->pFile, &p->nFile));
  if( rc ) return rc;
  if( p->nFile<LSMC_SST_FOOTER_SIZE ) return LSMC_CORRUPT_BKPT;
  rc = lsmcEnvReadExact(p->pEnv, p->pFile, p->nFile - LSMC_SST_FOOTER_SIZE,
                        aFooter, LSMC_SST_FOOTER_SIZE);
  if( rc==LSMC_OK ) rc = lsmcSstFooterDecode(aFooter, &p->footer);
  if( rc==LSMC_OK ) rc = sstReadBlock(p, &p->footer.index, &p->pIndex);
  if( rc==LSMC_OK ){
    rc = lsmcBlockIterInit(&idx, p->pEnv, p->pIndex->a, p->pIndex->n);
    lsmcBlockIterClear(&idx);
  }
  if( rc==LSMC_OK && p->footer.filter.nSize>0 ){
    rc = sstReadBlock(p, &p->footer.filter, &p->pFilter);
    if( rc==LSMC_OK ) rc = lsmcBloomCheck(p->pFilter->a, p->pFilter->n);
  }
  if( rc==LSMC_OK ){
    SstBlock *pProps = 0;
    rc = sstReadBlock(p, &p->footer.props, &pProps);
    if( rc==LSMC_OK ) rc = lsmcSstPropsDecode(pProps->a, pProps->n, &p->props);
    sstBlockFree(pProps);
  }
  if( rc==LSMC_OK && (p->props.nBloomBits>0)!=(p->pFilter!=0) ){
    rc = LSMC_CORRUPT_BKPT;
  }
  return rc;
}

/*
** Open the SSTable at zPath, with pCache as its block cache (or NULL).
** The cache id is taken last, so a failed open leaves nothing to erase.
*/
int lsmcSstOpenCached(lsmc_env *pEnv, const char *zPath, Cache *pCache,
                      SstReader **ppReader){
  SstReader *p = lsmcMallocZero(pEnv, sizeof(*p));
  int rc;
  *ppReader = 0;
  if( p==0 ) return LSMC_NOMEM;
  p->pEnv = pEnv;
  p->ctxFill.pReader = p;
  p->ctxFill.bFill = 1;
  p->ctxNoFill.pReader = p;
  p->ctxNoFill.bFill = 0;
  lsmcSstPropsInit(&p->props, pEnv);
  rc = LSMC_ENV(pEnv->xOpen(pEnv, zPath, LSMC_OPEN_READONLY, &p->pFile));
  if( rc ) p->pFile = 0;
  if( rc==LSMC_OK ) rc = sstLoad(p);
  if( rc ){
    lsmcSstClose(p);
    return rc;
  }
  atomic_init(&p->nIterHit, 0);
  atomic_init(&p->nIterMiss, 0);
  if( pCache ){
    p->pCache = pCache;
    p->iCacheId = lsmcCacheNewId(pCache);
  }
  *ppReader = p;
  return LSMC_OK;
}

int lsmcSstOpen(lsmc_env *pEnv, const char *zPath, SstReader **ppReader){
  return lsmcSstOpenCached(pEnv, zPath, 0, ppReader);
}

/*
** Close the file, drop our blocks from the cache, free the reader.
** REQUIRES: no iterator of it open (so no handle of ours is held).
*/
void lsmcSstClose(SstReader *p){
  if( p==0 ) return;
  if( p->pCache ) lsmcCacheEraseId(p->pCache, p->iCacheId);
  if( p->pFile ) LSMC_ENV(p->pEnv->xClose(p->pFile));
  sstBlockFree(p->pIndex);
  sstBlockFree(p->pFilter);
  lsmcSstPropsFree(&p->props);
  lsmcFree(p->pEnv, p);
}

const SstProps *lsmcSstProps(const SstReader *p){ return &p->props; }
u64 lsmcSstFileSize(const SstReader *p){ return p->nFile; }

void lsmcSstCacheCounters(SstReader *p, u64 *pnHit, u64 *pnMiss){
  *pnHit = atomic_load_explicit(&p->nIterHit, memory_order_relaxed);
  *pnMiss = atomic_load_explicit(&p->nIterMiss, memory_order_relaxed);
}

/*
** Read the data block *pH from the file and verify it whole: checksum
** and restart array.  Entries are checked as they are parsed.
*/
static int sstReadDataBlock(SstReader *p, const SstHandle *pH,
                            SstBlock **ppBlk){
  int rc = sstReadBlock(p, pH, ppBlk);
  if( rc==LSMC_OK ){
    BlockIter blk;
    rc = lsmcBlockIterInit(&blk, p->pEnv, (*ppBlk)->a, (*ppBlk)->n);
    lsmcBlockIterClear(&blk);
    if( rc ){
      sstBlockFree(*ppBlk);
      *ppBlk = 0;
    }
  }
  return rc;
}

/*
** Get the data block *pH into *pRef: from the cache if it is there (then
** *pbHit is set), else from the file (inserted into the cache, if any,
** when bFill; else owned by *pRef alone).
** On success the caller ends with sstBlockRelease.  A cached block of
** another size than *pH names is a damaged index (two handles at one
** offset), not a reason to hand out the wrong bytes.
*/
static int sstDataBlock(SstReader *p, const SstHandle *pH, SstBlockRef *pRef,
                        int bFill, int *pbHit){
  int rc;
  pRef->pBlk = 0;
  pRef->pHandle = 0;
  *pbHit = 0;
  if( p->pCache ){
    CacheHandle *pHandle = lsmcCacheLookup(p->pCache, p->iCacheId, pH->iOff);
    if( pHandle ){
      SstBlock *pBlk = (SstBlock*)lsmcCacheValue(pHandle);
      if( pBlk->n!=pH->nSize ){
        lsmcCacheRelease(pHandle);
        return LSMC_CORRUPT_BKPT;
      }
      pRef->pBlk = pBlk;
      pRef->pHandle = pHandle;
      *pbHit = 1;
      return LSMC_OK;
    }
  }
  rc = sstReadDataBlock(p, pH, &pRef->pBlk);
  if( rc==LSMC_OK && p->pCache && bFill ){
    size_t nCharge = sizeof(SstBlock) + pRef->pBlk->n + LSMC_SST_TRAILER_SIZE;
    rc = lsmcCacheInsert(p->pCache, p->iCacheId, pH->iOff, pRef->pBlk,
                         nCharge, sstCacheDelete, 0, &pRef->pHandle);
    if( rc ) pRef->pBlk = 0;            /* the cache has freed it */
  }
  return rc;
}

/* Give back a block obtained by sstDataBlock. */
static void sstBlockRelease(SstBlockRef *pRef){
  if( pRef->pHandle ){
    lsmcCacheRelease(pRef->pHandle);
  }else{
    sstBlockFree(pRef->pBlk);
  }
  pRef->pBlk = 0;
  pRef->pHandle = 0;
}

/*
** Get the data block named by the index entry pIdx is on, counting the
** cache hit or the miss and file read into *pStat.
*/
static int sstGetDataBlock(SstReader *p, const BlockIter *pIdx,
                           SstBlockRef *pRef, SstGetStat *pStat){
  SstHandle h;
  size_t nVal;
  int bHit = 0;
  const u8 *pVal = lsmcBlockIterValue(pIdx, &nVal);
  int rc = lsmcSstHandleDecode(pVal, nVal, &h);
  pRef->pBlk = 0;
  pRef->pHandle = 0;
  if( rc==LSMC_OK ){
    rc = sstDataBlock(p, &h, pRef, 1, &bHit);
    if( bHit ){
      pStat->nCacheHit++;
    }else{
      if( p->pCache ) pStat->nCacheMiss++;
      if( rc==LSMC_OK ) pStat->nBlockRead++;
    }
  }
  return rc;
}

/*
** Examine the first entry >= the lookup key in one data block: *pbDone
** is set if the block held such an entry (found or proven absent).
*/
static int sstGetInBlock(
  SstReader *p, const SstBlock *pBlk, /* Reader and a verified data block */
  const u8 *pLookup, size_t nLookup,  /* Lookup internal key */
  int *peKind, LsmcBuf *pVal,     /* OUT: result */
  int *pbDone                     /* OUT: true if decided */
){
  BlockIter blk;
  int rc = lsmcBlockIterInitChecked(&blk, p->pEnv, pBlk->a, pBlk->n);
  if( rc==LSMC_OK ) rc = lsmcBlockIterSeek(&blk, pLookup, nLookup);
  if( rc==LSMC_OK && lsmcBlockIterValid(&blk) ){
    size_t nKey, nV;
    const u8 *pKey = lsmcBlockIterKey(&blk, &nKey);
    size_t nUser = nLookup - LSMC_TRAILER_SIZE;
    *pbDone = 1;
    if( lsmcUKeyCompare(pKey, nKey-LSMC_TRAILER_SIZE, pLookup, nUser)!=0 ){
      rc = LSMC_NOTFOUND;
    }else{
      int eKind = lsmcTrailerKind(lsmcIKeyTrailer(pKey, nKey));
      const u8 *pV = lsmcBlockIterValue(&blk, &nV);
      if( eKind==LSMC_KIND_PUT ){
        lsmcBufSet(&rc, pVal, pV, nV);
      }else if( eKind!=LSMC_KIND_DELETE ){
        rc = LSMC_CORRUPT_BKPT;
      }
      *peKind = eKind;
    }
  }
  lsmcBlockIterClear(&blk);
  return rc;
}

/*
** Point lookup: filter, then index seek, then the data block.  If the
** block runs out before an entry >= the lookup key (possible when an
** index key is a separator larger than its block's last key), the next
** block holds the answer.  On a cache hit nothing is allocated (the
** lookup key is on the stack unless longer than SST_LOOKUP_STACK) except
** the growth of pVal.
*/
int lsmcSstGet(
  SstReader *p,                   /* Reader */
  const u8 *pKey, size_t nKey,    /* User key */
  u64 iSeq,                       /* Newest sequence visible */
  int *peKind,                    /* OUT: LSMC_KIND_PUT or _DELETE */
  LsmcBuf *pVal,                  /* OUT: value of a PUT */
  SstGetStat *pStat               /* IN/OUT: counters, or NULL */
){
  SstGetStat dummy = {0};        /* pStat when the caller passes none */
  LsmcBuf lookup;                 /* Lookup key, if too long for aStack */
  u8 aStack[SST_LOOKUP_STACK];    /* Lookup key, usually */
  const u8 *pLookup;
  size_t nLookup = nKey + LSMC_TRAILER_SIZE;
  u64 iTrailer = lsmcTrailerPack(LSMC_MIN(iSeq, LSMC_MAX_SEQ), LSMC_KIND_SEEK);
  BlockIter idx;
  int bDone = 0;
  int rc = LSMC_OK;

  if( pStat==0 ) pStat = &dummy;
  if( p->pFilter ){
    pStat->nBloomCheck++;
    if( !lsmcBloomMayContain(p->pFilter->a, p->pFilter->n,
                             lsmcHash64(pKey, nKey)) ){
      pStat->nBloomNegative++;
      return LSMC_NOTFOUND;
    }
  }
  memset(&idx, 0, sizeof(idx));     /* cleared below even if never set */
  lsmcBufInit(&lookup, p->pEnv);
  if( nLookup<=sizeof(aStack) ){
    memcpy(aStack, pKey, nKey);
    lsmcPut64(&aStack[nKey], iTrailer);
    pLookup = aStack;
  }else{
    lsmcIKeyBuild(&rc, &lookup, pKey, nKey, lsmcTrailerSeq(iTrailer),
                  LSMC_KIND_SEEK);
    pLookup = lookup.a;
  }
  if( rc==LSMC_OK ) rc = lsmcBlockIterInitChecked(&idx, p->pEnv,
                                                  p->pIndex->a, p->pIndex->n);
  if( rc==LSMC_OK ) rc = lsmcBlockIterSeek(&idx, pLookup, nLookup);
  while( rc==LSMC_OK && !bDone && lsmcBlockIterValid(&idx) ){
    SstBlockRef ref;
    rc = sstGetDataBlock(p, &idx, &ref, pStat);
    if( rc==LSMC_OK ){
      rc = sstGetInBlock(p, ref.pBlk, pLookup, nLookup, peKind, pVal, &bDone);
      sstBlockRelease(&ref);
    }
    if( rc==LSMC_OK && !bDone ) rc = lsmcBlockIterNext(&idx);
  }
  lsmcBlockIterClear(&idx);
  lsmcBufFree(&lookup);
  if( rc==LSMC_OK && !bDone ) rc = LSMC_NOTFOUND;
  return rc;
}

/* Release hook of a block iterator over a cached block. */
static void sstHandleRelease(void *pArg){
  lsmcCacheRelease((CacheHandle*)pArg);
}

/*
** Two-level iterator child: open the data block an index value names.
** The child owns the block (a cache handle, or the block itself) and
** gives it back when the two-level iterator closes it.
*/
static int sstOpenChild(void *pCtx, const u8 *pVal, size_t nVal,
                        LsmIter **ppChild){
  const SstIterCtx *pIterCtx = (const SstIterCtx*)pCtx;
  SstReader *p = pIterCtx->pReader;
  SstHandle h;
  SstBlockRef ref;
  int bHit = 0;
  int rc = lsmcSstHandleDecode(pVal, nVal, &h);
  *ppChild = 0;
#if defined(LSMV_FUZZ_CANARY) && LSMV_FUZZ_CANARY==3
  /* TEST CANARY (TESTPLAN F4), compiled only by build-aux/fuzz.sh's
  ** canary build of fuzz_index: a planted out-of-bounds read that the
  ** fuzzer must reach, proving the target gets here.  Never active
  ** otherwise. */
  if( nVal>=1 && pVal[0]==0xCA ){
    static const u8 aCanary[4] = {0};
    const volatile u8 *pCanary = aCanary;
    volatile int iCanary = 4;
    (void)pCanary[iCanary];
  }
#endif
  if( rc==LSMC_OK ){
    rc = sstDataBlock(p, &h, &ref, pIterCtx->bFill, &bHit);
    if( p->pCache ){
      atomic_fetch_add_explicit(bHit ? &p->nIterHit : &p->nIterMiss, 1,
                                memory_order_relaxed);
    }
  }
  if( rc==LSMC_OK ){
    const SstBlock *pBlk = ref.pBlk;
    if( ref.pHandle ){
      rc = lsmcBlockIterNewChecked(p->pEnv, pBlk->a, pBlk->n,
                                   sstHandleRelease, ref.pHandle, ppChild);
    }else{
      rc = lsmcBlockIterNewChecked(p->pEnv, pBlk->a, pBlk->n,
                                   sstBlockFree, ref.pBlk, ppChild);
    }
  }
  return rc;
}

/*
** A two-level iterator: the index block (held by the reader and checked
** at open, so no release hook and no new check) over data blocks got on
** demand by sstOpenChild.
*/
static int sstIterNew(SstReader *p, const SstIterCtx *pCtx,
                      LsmIter **ppIter){
  LsmIter *pIndex = 0;
  int rc = lsmcBlockIterNewChecked(p->pEnv, p->pIndex->a, p->pIndex->n, 0, 0,
                                   &pIndex);
  *ppIter = 0;
  if( rc==LSMC_OK ){
    rc = lsmcTwoLevelIterNew(p->pEnv, pIndex, sstOpenChild, (void*)pCtx,
                             ppIter);
  }
  return rc;
}

int lsmcSstIter(SstReader *p, LsmIter **ppIter){
  return sstIterNew(p, &p->ctxFill, ppIter);
}

/*
** An iterator whose misses do not go into the block cache: a compaction
** reads every block of its inputs once, and caching them would only evict
** the blocks readers use (LevelDB and RocksDB compact with fill_cache off).
*/
int lsmcSstIterNoFill(SstReader *p, LsmIter **ppIter){
  return sstIterNew(p, &p->ctxNoFill, ppIter);
}

/*
** State of one lsmcSstVerify run.
*/
typedef struct SstVerify SstVerify;
struct SstVerify {
  SstReader *p;          /* Table being checked */
  SstProps seen;         /* Properties recomputed from the data */
  LsmcBuf prevKey;       /* Last key seen (empty before the first) */
  LsmcBuf indexKey;      /* Index key of the previous data block */
  u64 iBlock;            /* Number of the data block being checked */
  u64 iNextOff;          /* Where the next data block must start */
  char zMsg[200];        /* The first fault found, or "" */
};

/* Record the first fault; return LSMC_CORRUPT. */
static int verifyFail(SstVerify *pV, const char *zWhat){
  if( pV->zMsg[0]==0 ){
    (void)snprintf(pV->zMsg, sizeof(pV->zMsg), "data block %llu: %s",
                   (unsigned long long)pV->iBlock, zWhat);   /* may truncate */
  }
  return LSMC_CORRUPT_BKPT;
}

/*
** Check one entry: key order, kind, the filter; add it to the counts.
*/
static int verifyEntry(SstVerify *pV, const u8 *pKey, size_t nKey,
                       size_t nVal){
  int rc = LSMC_OK;
  u64 t = lsmcIKeyTrailer(pKey, nKey);
  size_t nUser = nKey - LSMC_TRAILER_SIZE;
  int bNewUser = 1;
  if( pV->prevKey.n>0 ){
    if( lsmcIKeyCompare(pV->prevKey.a, pV->prevKey.n, pKey, nKey)>=0 ){
      return verifyFail(pV, "keys out of order");
    }
    bNewUser = lsmcUKeyCompare(pV->prevKey.a, pV->prevKey.n-LSMC_TRAILER_SIZE,
                               pKey, nUser)!=0;
  }
  if( lsmcTrailerKind(t)>LSMC_KIND_PUT ) return verifyFail(pV, "bad kind");
  if( bNewUser && pV->p->pFilter
   && !lsmcBloomMayContain(pV->p->pFilter->a, pV->p->pFilter->n,
                           lsmcHash64(pKey, nUser))
  ){
    return verifyFail(pV, "key missing from the filter");
  }
  if( pV->seen.nEntries==0 ){
    lsmcBufSet(&rc, &pV->seen.smallest, pKey, nKey);
    pV->seen.iMinSeq = pV->seen.iMaxSeq = lsmcTrailerSeq(t);
  }
  pV->seen.iMinSeq = LSMC_MIN(pV->seen.iMinSeq, lsmcTrailerSeq(t));
  pV->seen.iMaxSeq = LSMC_MAX(pV->seen.iMaxSeq, lsmcTrailerSeq(t));
  pV->seen.nEntries++;
  pV->seen.nDeletes += (lsmcTrailerKind(t)==LSMC_KIND_DELETE);
  pV->seen.nRawKey += nKey;
  pV->seen.nRawValue += nVal;
  lsmcBufSet(&rc, &pV->prevKey, pKey, nKey);
  return rc;
}

/*
** Check the data block the index iterator is on: its place in the file,
** checksum, entries, and the index key against its first and last keys.
*/
static int verifyBlock(SstVerify *pV, const BlockIter *pIdx){
  SstReader *p = pV->p;
  SstBlock *pBlk = 0;
  BlockIter blk;
  SstHandle h;
  size_t nVal, nIdxKey;
  const u8 *pVal = lsmcBlockIterValue(pIdx, &nVal);
  const u8 *pIdxKey = lsmcBlockIterKey(pIdx, &nIdxKey);
  int bFirst = 1;
  int rc;

  if( lsmcSstHandleDecode(pVal, nVal, &h) ) return verifyFail(pV, "bad handle");
  if( h.iOff!=pV->iNextOff ) return verifyFail(pV, "not where expected");
  rc = sstReadBlock(p, &h, &pBlk);
  if( rc==LSMC_CORRUPT ) return verifyFail(pV, "checksum or size mismatch");
  if( rc ) return rc;                       /* I/O error or OOM */
  pV->iNextOff = h.iOff + h.nSize + LSMC_SST_TRAILER_SIZE;
  rc = lsmcBlockIterInit(&blk, p->pEnv, pBlk->a, pBlk->n);
  if( rc==LSMC_OK ) rc = lsmcBlockIterFirst(&blk);
  if( rc==LSMC_OK && !lsmcBlockIterValid(&blk) ) rc = LSMC_CORRUPT_BKPT;
  while( rc==LSMC_OK && lsmcBlockIterValid(&blk) ){
    size_t nKey, nV;
    const u8 *pKey = lsmcBlockIterKey(&blk, &nKey);
    lsmcBlockIterValue(&blk, &nV);
    if( bFirst && pV->indexKey.n>0
     && lsmcIKeyCompare(pV->indexKey.a, pV->indexKey.n, pKey, nKey)>=0
    ){
      rc = verifyFail(pV, "previous index key >= first key");
    }
    bFirst = 0;
    if( rc==LSMC_OK ) rc = verifyEntry(pV, pKey, nKey, nV);
    if( rc==LSMC_OK ) rc = lsmcBlockIterNext(&blk);
  }
  if( rc==LSMC_OK
   && lsmcIKeyCompare(pIdxKey, nIdxKey, pV->prevKey.a, pV->prevKey.n)<0
  ){
    rc = verifyFail(pV, "index key < last key");
  }
  if( rc==LSMC_CORRUPT ) rc = verifyFail(pV, "damaged entries");
  if( rc==LSMC_OK ) lsmcBufSet(&rc, &pV->indexKey, pIdxKey, nIdxKey);
  lsmcBlockIterClear(&blk);
  sstBlockFree(pBlk);
  return rc;
}

/*
** Compare the recomputed properties and the layout with what the table
** claims.
*/
static int verifyTotals(SstVerify *pV){
  const SstProps *a = &pV->p->props;
  const SstProps *b = &pV->seen;
  const SstFooter *f = &pV->p->footer;
  u64 iMeta = f->filter.nSize ? f->filter.iOff : f->props.iOff;
  if( a->nEntries!=b->nEntries || a->nDeletes!=b->nDeletes
   || a->nDataBlocks!=pV->iBlock || a->nRawKey!=b->nRawKey
   || a->nRawValue!=b->nRawValue || a->iMinSeq!=b->iMinSeq
   || a->iMaxSeq!=b->iMaxSeq
   || lsmcUKeyCompare(a->smallest.a, a->smallest.n,
                      b->smallest.a, b->smallest.n)!=0
   || lsmcUKeyCompare(a->largest.a, a->largest.n,
                      pV->prevKey.a, pV->prevKey.n)!=0
  ){
    (void)snprintf(pV->zMsg, sizeof(pV->zMsg),
                   "properties block disagrees with the data");
    return LSMC_CORRUPT_BKPT;
  }
  if( iMeta!=pV->iNextOff
   || f->index.iOff + f->index.nSize + LSMC_SST_TRAILER_SIZE
      != pV->p->nFile - LSMC_SST_FOOTER_SIZE
  ){
    (void)snprintf(pV->zMsg, sizeof(pV->zMsg), "blocks not laid out in order");
    return LSMC_CORRUPT_BKPT;
  }
  return LSMC_OK;
}

/*
** The integrity check (sst_reader.h).
*/
int lsmcSstVerify(SstReader *p, char **pzMsg){
  SstVerify v;
  BlockIter idx;
  int rc;
  memset(&v, 0, sizeof(v));
  v.p = p;
  lsmcSstPropsInit(&v.seen, p->pEnv);
  lsmcBufInit(&v.prevKey, p->pEnv);
  lsmcBufInit(&v.indexKey, p->pEnv);
  *pzMsg = 0;
  rc = lsmcBlockIterInit(&idx, p->pEnv, p->pIndex->a, p->pIndex->n);
  if( rc==LSMC_OK ) rc = lsmcBlockIterFirst(&idx);
  while( rc==LSMC_OK && lsmcBlockIterValid(&idx) ){
    rc = verifyBlock(&v, &idx);
    v.iBlock++;
    if( rc==LSMC_OK ) rc = lsmcBlockIterNext(&idx);
  }
  if( rc==LSMC_CORRUPT && v.zMsg[0]==0 ){
    (void)snprintf(v.zMsg, sizeof(v.zMsg), "index block damaged");
  }
  if( rc==LSMC_OK ) rc = verifyTotals(&v);
  if( rc==LSMC_CORRUPT ){
    *pzMsg = lsmcStrdup(p->pEnv, v.zMsg);
  }
  lsmcBlockIterClear(&idx);
  lsmcBufFree(&v.prevKey);
  lsmcBufFree(&v.indexKey);
  lsmcSstPropsFree(&v.seen);
  return rc;
}
