/*
** batch.c -- the write batch: an ordered list of puts and deletes kept in
** its encoded form (batch.h), which is also the payload of one WAL record,
** so that committing a batch never re-encodes it.
**
** A batch owns one growable buffer, rep.  Invariants: rep.n >= the 12-byte
** header; the u32 count at offset 8 equals the number of entries that
** follow; every entry is well formed (kind PUT or DELETE, key at most
** LSMC_MAX_KEY bytes, value at most LSMC_MAX_VALUE bytes).  A failed append
** (LSMC_NOMEM, LSMC_MISUSE) leaves the batch exactly as it was.  A mark is
** a byte offset of rep that lies on an entry boundary.
**
** The index.  Reads through a batch need its entries by key, so the
** batch keeps pIndex, a MemTable built on the first read (batchIndex)
** in which entry i (1-based, in batch order) is added with sequence i.
** The newest entry for a key as of count n is then the memtable's newest
** version at sequence n.  Invariant: if pIndex is set it holds exactly
** the batch's entries 1..count.  lsmc_batch_put/delete extend it (if that
** fails the index is dropped, not the put: the index is only a cache);
** lsmc_batch_truncate (when it drops entries), lsmc_batch_clear and
** lsmcBatchAppend drop it, so the next read rebuilds it.  Dropping only
** releases the batch's reference: an iterator that pinned the old index
** keeps reading it, at the count it opened with, unchanged.
**
** lsmcBatchIterate() reads encodings that may come from disk (a WAL
** record), so it trusts nothing: the whole encoding is checked before the
** first callback, and any defect is LSMC_CORRUPT.
**
** Thread safety: a batch is used by one thread at a time.  An iterator
** that pinned the index may read it from another thread while the batch
** extends it: a memtable allows one writer and concurrent readers.
** Nothing here does I/O; memory (the index's too) comes from the env the
** batch was created with.
*/
#include "batch.h"
#include "coding.h"

#define BATCH_COUNT_OFFSET 8         /* Offset of the u32 entry count */

/*
** One decoded entry: pointers into the encoding.
*/
typedef struct BatchEntry BatchEntry;
struct BatchEntry {
  int eKind;                         /* LSMC_KIND_PUT or LSMC_KIND_DELETE */
  const u8 *pKey;                    /* Key bytes */
  size_t nKey;                       /* Size of pKey in bytes */
  const u8 *pVal;                    /* Value bytes (NULL for a delete) */
  size_t nVal;                       /* Size of pVal (0 for a delete) */
};

/*
** Decode a length-prefixed byte string at p, never reading at or past
** pEnd.  The length must not exceed nMax.  Return the bytes consumed, or
** 0 if the string is malformed or does not fit.
*/
static size_t batchGetBlob(const u8 *p, const u8 *pEnd, u64 nMax,
                           const u8 **ppData, size_t *pnData){
  u64 nData = 0;
  int nHdr = lsmcGetVarint64(p, pEnd, &nData);
  if( nHdr==0 || nData>nMax ) return 0;
  if( nData > (u64)(pEnd - (p + nHdr)) ) return 0;
  *ppData = p + nHdr;
  *pnData = (size_t)nData;
  return (size_t)nHdr + (size_t)nData;
}

/*
** Decode the entry that starts at p (p < pEnd) into *pEntry.  Return the
** size of the entry in bytes, or 0 if it is malformed.
*/
static size_t batchEntryParse(const u8 *p, const u8 *pEnd, BatchEntry *pEntry){
  size_t nUsed = 1;
  size_t n;
  assert( p<pEnd );
  pEntry->eKind = p[0];
  pEntry->pVal = 0;
  pEntry->nVal = 0;
  if( p[0]!=LSMC_KIND_PUT && p[0]!=LSMC_KIND_DELETE ) return 0;
  n = batchGetBlob(&p[nUsed], pEnd, LSMC_MAX_KEY, &pEntry->pKey, &pEntry->nKey);
  if( n==0 ) return 0;
  nUsed += n;
  if( pEntry->eKind==LSMC_KIND_PUT ){
    n = batchGetBlob(&p[nUsed], pEnd, LSMC_MAX_VALUE,
                     &pEntry->pVal, &pEntry->nVal);
    if( n==0 ) return 0;
    nUsed += n;
  }
  return nUsed;
}

static u32 batchCount(const lsmc_batch *p){
  return lsmcGet32(&p->rep.a[BATCH_COUNT_OFFSET]);
}
static void batchSetCount(lsmc_batch *p, u32 nCount){
  lsmcPut32(&p->rep.a[BATCH_COUNT_OFFSET], nCount);
}

/* Release the batch's reference on its index (if any). */
static void batchDropIndex(lsmc_batch *p){
  lsmcMemtableUnref(p->pIndex);
  p->pIndex = 0;
}

int lsmcBatchInit(lsmc_batch *p, lsmc_env *pEnv){
  int rc = LSMC_OK;
  p->pIndex = 0;
  lsmcBufInit(&p->rep, pEnv);
  lsmcBufReserve(&rc, &p->rep, LSMC_BATCH_HEADER);
  if( rc==LSMC_OK ){
    memset(p->rep.a, 0, LSMC_BATCH_HEADER);
    p->rep.n = LSMC_BATCH_HEADER;
  }
  return rc;
}

void lsmcBatchFinish(lsmc_batch *p){
  batchDropIndex(p);
  lsmcBufFree(&p->rep);
}

u64 lsmcBatchSeq(const lsmc_batch *p){
  return lsmcGet64(p->rep.a);
}

void lsmcBatchSetSeq(lsmc_batch *p, u64 iSeq){
  lsmcPut64(p->rep.a, iSeq);
}

/*
** Append the entries of pSrc to pDst and add the counts.  pSrc may be
** pDst.  The count may not pass 2^32-1 (LSMC_MISUSE).  On failure pDst is
** unchanged.  pDst's index is dropped (group commit never reads it).
*/
int lsmcBatchAppend(lsmc_batch *pDst, const lsmc_batch *pSrc){
  int rc = LSMC_OK;
  size_t nBody = pSrc->rep.n - LSMC_BATCH_HEADER;
  u64 nCount = (u64)batchCount(pDst) + batchCount(pSrc);
  if( nCount>0xffffffffu ) return LSMC_MISUSE_BKPT;
  lsmcBufReserve(&rc, &pDst->rep, nBody);
  if( rc==LSMC_OK ){
    /* Read pSrc->rep.a only now: if pSrc==pDst the reserve moved it. */
    if( nBody>0 ){
      memcpy(&pDst->rep.a[pDst->rep.n], &pSrc->rep.a[LSMC_BATCH_HEADER], nBody);
    }
    pDst->rep.n += nBody;
    batchSetCount(pDst, (u32)nCount);
    batchDropIndex(pDst);
  }
  return rc;
}

/*
** Check the whole encoding p[0..n): returns LSMC_OK or LSMC_CORRUPT.  The
** sequence numbers of the entries must also stay within LSMC_MAX_SEQ.
*/
static int batchValidate(const u8 *p, size_t n){
  const u8 *pEnd = p + n;
  const u8 *pAt;
  u64 iSeq;
  u32 nCount;
  u32 i;
  if( n<LSMC_BATCH_HEADER ) return LSMC_CORRUPT_BKPT;
  iSeq = lsmcGet64(p);
  nCount = lsmcGet32(&p[BATCH_COUNT_OFFSET]);
  if( nCount>0 && (iSeq>LSMC_MAX_SEQ || nCount-1 > LSMC_MAX_SEQ-iSeq) ){
    return LSMC_CORRUPT_BKPT;
  }
  pAt = &p[LSMC_BATCH_HEADER];
  for(i=0; i<nCount; i++){
    BatchEntry e;
    size_t nEntry;
    if( pAt>=pEnd ) return LSMC_CORRUPT_BKPT;      /* count too large */
    nEntry = batchEntryParse(pAt, pEnd, &e);
    if( nEntry==0 ) return LSMC_CORRUPT_BKPT;      /* malformed entry */
    pAt += nEntry;
  }
  if( pAt!=pEnd ) return LSMC_CORRUPT_BKPT;        /* trailing bytes */
  return LSMC_OK;
}

/*
** Validate p[0..n), then call xEntry for each entry in order with
** sequence iSeq + index.  See batch.h.
*/
int lsmcBatchIterate(const u8 *p, size_t n, BatchEntryFn xEntry, void *pArg){
  int rc = batchValidate(p, n);
  if( rc==LSMC_OK ){
    const u8 *pEnd = p + n;
    const u8 *pAt = &p[LSMC_BATCH_HEADER];
    u64 iSeq = lsmcGet64(p);
    u32 nCount = lsmcGet32(&p[BATCH_COUNT_OFFSET]);
    u32 i;
    for(i=0; rc==LSMC_OK && i<nCount; i++){
      BatchEntry e;
      size_t nEntry = batchEntryParse(pAt, pEnd, &e);
      assert( nEntry>0 );                          /* validated above */
      pAt += nEntry;
      rc = xEntry(pArg, iSeq+i, e.eKind, e.pKey, e.nKey, e.pVal, e.nVal);
    }
  }
  return rc;
}

/*
** Append one entry.  pVal is ignored for a delete.  The batch is
** unchanged on failure: LSMC_MISUSE for a key or value beyond the limits
** of lsmcInt.h or a full count, LSMC_NOMEM.
*/
static int batchAdd(lsmc_batch *p, int eKind, const void *pKey, size_t nKey,
                    const void *pVal, size_t nVal){
  int rc = LSMC_OK;
  u32 nCount = batchCount(p);
  if( nKey>LSMC_MAX_KEY || nVal>LSMC_MAX_VALUE || nCount==0xffffffffu ){
    return LSMC_MISUSE_BKPT;
  }
  /* Reserve the whole entry first so that no append below can fail. */
  lsmcBufReserve(&rc, &p->rep, 1 + 2*LSMC_MAX_VARINT + nKey + nVal);
  if( rc==LSMC_OK ){
    u8 eByte = (u8)eKind;
    lsmcBufAppend(&rc, &p->rep, &eByte, 1);
    lsmcBufAppendBlob(&rc, &p->rep, pKey, nKey);
    if( eKind==LSMC_KIND_PUT ) lsmcBufAppendBlob(&rc, &p->rep, pVal, nVal);
    assert( rc==LSMC_OK );
    batchSetCount(p, nCount+1);
    if( p->pIndex && lsmcMemtableAdd(p->pIndex, (u64)nCount+1, eKind,
                                     pKey, nKey, pVal, nVal)!=LSMC_OK ){
      batchDropIndex(p);              /* rebuilt by the next read */
    }
  }
  return rc;
}

/*
** Make sure p->pIndex holds every entry of p (see the header comment),
** building it if needed.  LSMC_NOMEM leaves p->pIndex NULL.
*/
static int batchIndex(lsmc_batch *p){
  int rc = LSMC_OK;
  if( p->pIndex==0 ){
    const u8 *pEnd = &p->rep.a[p->rep.n];
    const u8 *pAt = &p->rep.a[LSMC_BATCH_HEADER];
    u64 iSeq = 0;
    rc = lsmcMemtableNew(p->rep.pEnv, &p->pIndex);
    while( rc==LSMC_OK && pAt<pEnd ){
      BatchEntry e;
      size_t nEntry = batchEntryParse(pAt, pEnd, &e);
      if( NEVER(nEntry==0) ) break;     /* our own encoding is valid */
      pAt += nEntry;
      rc = lsmcMemtableAdd(p->pIndex, ++iSeq, e.eKind,
                           e.pKey, e.nKey, e.pVal, e.nVal);
    }
    assert( rc!=LSMC_OK || iSeq==batchCount(p) );
    if( rc!=LSMC_OK ) batchDropIndex(p);
  }
  return rc;
}

/*
** The newest entry of pKey in the batch: the index read at sequence
** count.  An empty batch answers without building an index.
*/
int lsmcBatchGet(lsmc_batch *p, const u8 *pKey, size_t nKey, int *peKind,
                 const u8 **ppVal, size_t *pnVal){
  int rc;
  if( batchCount(p)==0 ) return LSMC_NOTFOUND;
  rc = batchIndex(p);
  if( rc==LSMC_OK ){
    rc = lsmcMemtableGet(p->pIndex, pKey, nKey, batchCount(p),
                         peKind, ppVal, pnVal);
  }
  return rc;
}

/*
** An iterator over the index, read at the current count.  The memtable
** iterator takes its own reference on the index.
*/
int lsmcBatchIter(lsmc_batch *p, LsmIter **ppIter, u64 *piSeq){
  int rc = LSMC_OK;
  *ppIter = 0;
  *piSeq = batchCount(p);
  if( *piSeq>0 ){
    rc = batchIndex(p);
    if( rc==LSMC_OK ) rc = lsmcMemtableIter(p->pIndex, ppIter);
  }
  return rc;
}

/*
** Public API (lsmcore.h).
*/
int lsmc_batch_new(lsmc_batch **ppBatch){
  lsmc_env *pEnv = lsmc_default_env();
  lsmc_batch *p = lsmcMalloc(pEnv, sizeof(*p));
  int rc = p ? lsmcBatchInit(p, pEnv) : LSMC_NOMEM;
  if( rc!=LSMC_OK ){
    lsmcFree(pEnv, p);
    p = 0;
  }
  *ppBatch = p;
  return rc;
}

/* Free the batch (and drop its reference on the index). */
void lsmc_batch_free(lsmc_batch *p){
  if( p ){
    lsmc_env *pEnv = p->rep.pEnv;
    lsmcBatchFinish(p);
    lsmcFree(pEnv, p);
  }
}

int lsmc_batch_put(lsmc_batch *p, const void *pKey, size_t nKey,
                   const void *pVal, size_t nVal){
  return batchAdd(p, LSMC_KIND_PUT, pKey, nKey, pVal, nVal);
}

int lsmc_batch_delete(lsmc_batch *p, const void *pKey, size_t nKey){
  return batchAdd(p, LSMC_KIND_DELETE, pKey, nKey, 0, 0);
}

/*
** Drop every entry and the index, and reset the sequence to 0; the
** encoding's memory is kept.
*/
void lsmc_batch_clear(lsmc_batch *p){
  batchDropIndex(p);
  memset(p->rep.a, 0, LSMC_BATCH_HEADER);
  p->rep.n = LSMC_BATCH_HEADER;
}

uint32_t lsmc_batch_count(const lsmc_batch *p){
  return batchCount(p);
}

size_t lsmc_batch_mark(const lsmc_batch *p){
  return p->rep.n;
}

/*
** Drop the entries added after iMark (a value of lsmc_batch_mark()), and
** the index if that drops any entry.  The
** entries before the mark are walked to count them and to check that
** iMark is an entry boundary.  A mark that is not (or lies past the end)
** breaks the REQUIRES: it asserts in a debug build and is ignored in a
** release build.
*/
void lsmc_batch_truncate(lsmc_batch *p, size_t iMark){
  const u8 *pEnd = &p->rep.a[p->rep.n];
  const u8 *pAt = &p->rep.a[LSMC_BATCH_HEADER];
  const u8 *pMark;
  u32 nCount = 0;
  if( iMark<LSMC_BATCH_HEADER || iMark>p->rep.n ){
    assert( !"lsmc_batch_truncate: mark out of range" );
    return;
  }
  pMark = &p->rep.a[iMark];
  while( pAt<pMark ){
    BatchEntry e;
    size_t nEntry = batchEntryParse(pAt, pEnd, &e);
    if( NEVER(nEntry==0) ) return;      /* our own encoding is valid */
    pAt += nEntry;
    nCount++;
  }
  if( pAt!=pMark ){
    assert( !"lsmc_batch_truncate: mark is not an entry boundary" );
    return;
  }
  if( iMark<p->rep.n ) batchDropIndex(p);
  p->rep.n = iMark;
  batchSetCount(p, nCount);
}
