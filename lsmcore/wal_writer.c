/*
** wal_writer.c -- appends records to a log file (a WAL or the manifest) in
** the framing of wal_format.h: 32 KiB blocks, each record cut into
** FULL or FIRST, MIDDLE..., LAST fragments with a 7-byte header
** (checksum, length, type), block tails shorter than a header zero-filled.
**
** The writer owns the open file and one reusable framing buffer.  A record
** is framed whole into that buffer (padding, headers and payload, so that
** each fragment's checksummed bytes, header bytes 4..6 followed by the
** payload, are contiguous) and handed to the env in ONE xAppend: a commit
** group costs one write().  Invariants: iOff is the number of bytes
** appended so far, so iOff % LSMC_WAL_BLOCK_SIZE is the position in the
** current block; once rc is set the writer is dead and every later call
** returns rc without touching the file (after a failed fsync the page
** cache state is unknown, so an fsync is never retried).  An allocation
** failure while framing writes nothing and does not kill the writer.
**
** Thread safety: one thread at a time (the db's write leader).
*/
#include "wal_writer.h"
#include "wal_format.h"
#include "coding.h"

/* A framing buffer larger than this is released after its record. */
#define WAL_KEEP_BUFFER  ((size_t)4*1024*1024)

struct WalWriter {
  lsmc_env *pEnv;     /* Env of the file and of all memory */
  lsmc_file *pFile;   /* The log, opened for appending */
  u64 iOff;           /* Bytes appended so far (the file size) */
  int rc;             /* Sticky error of a failed append or sync */
  LsmcBuf frame;      /* Reusable buffer for one framed record */
};

/*
** Create (or truncate) zPath and return a writer positioned at offset 0.
*/
int lsmcWalWriterOpen(lsmc_env *pEnv, const char *zPath, WalWriter **ppWriter){
  int rc = LSMC_OK;
  WalWriter *p = lsmcMallocZero(pEnv, sizeof(*p));
  if( p==0 ){
    rc = LSMC_NOMEM;
  }else{
    p->pEnv = pEnv;
    lsmcBufInit(&p->frame, pEnv);
    rc = LSMC_ENV(pEnv->xOpen(pEnv, zPath, LSMC_OPEN_CREATE, &p->pFile));
    if( rc!=LSMC_OK ){
      lsmcFree(pEnv, p);
      p = 0;
    }
  }
  *ppWriter = p;
  return rc;
}

/*
** An upper bound on the framed size of an n-byte record: at most 6 bytes
** of padding, and a header per fragment (at most one per block touched,
** plus a possibly empty first fragment at a block's very end).  Sets *pRc
** to LSMC_NOMEM if the size does not fit a size_t.
*/
static size_t walFramedBound(int *pRc, size_t n){
  size_t nFrag = n/(LSMC_WAL_BLOCK_SIZE - LSMC_WAL_HEADER_SIZE) + 3;
  if( n > (SIZE_MAX/2) ){
    *pRc = LSMC_NOMEM;
    return 0;
  }
  return n + (LSMC_WAL_HEADER_SIZE-1) + nFrag*LSMC_WAL_HEADER_SIZE;
}

/*
** Add one fragment of type eType with payload p[0..n) to the framing
** buffer, which has room for it.
*/
static void walPutFragment(LsmcBuf *pBuf, int eType, const u8 *p, size_t n){
  u8 *aFrag = &pBuf->a[pBuf->n];
  assert( n<=LSMC_WAL_BLOCK_SIZE-LSMC_WAL_HEADER_SIZE );
  assert( pBuf->n + LSMC_WAL_HEADER_SIZE + n <= pBuf->nAlloc );
  lsmcPut16(&aFrag[4], (u16)n);
  aFrag[6] = (u8)eType;
  if( n>0 ) memcpy(&aFrag[LSMC_WAL_HEADER_SIZE], p, n);
  lsmcPut32(aFrag, lsmcChecksum32(&aFrag[4], 3 + n, LSMC_WAL_SEED));
  pBuf->n += LSMC_WAL_HEADER_SIZE + n;
}

/*
** Frame the record p[0..n) into p->frame as it will lie in the file
** starting at offset p->iOff: padding, then fragments.
*/
static int walFrameRecord(WalWriter *pW, const u8 *p, size_t n){
  int rc = LSMC_OK;
  size_t nBound = walFramedBound(&rc, n);
  size_t iBlk = (size_t)(pW->iOff % LSMC_WAL_BLOCK_SIZE);   /* In block */
  size_t nLeft = n;                                       /* Unframed */
  int bFirst = 1;                                         /* None yet */
  pW->frame.n = 0;
  lsmcBufReserve(&rc, &pW->frame, nBound);
  while( rc==LSMC_OK ){
    size_t nAvail = LSMC_WAL_BLOCK_SIZE - iBlk;
    size_t nFrag;
    int eType;
    if( nAvail<LSMC_WAL_HEADER_SIZE ){
      /* Too small for a header: zero-fill the block tail. */
      memset(&pW->frame.a[pW->frame.n], 0, nAvail);
      pW->frame.n += nAvail;
      iBlk = 0;
      continue;
    }
    nFrag = LSMC_MIN(nLeft, nAvail - LSMC_WAL_HEADER_SIZE);
    if( nFrag==nLeft ){
      eType = bFirst ? LSMC_WAL_FULL : LSMC_WAL_LAST;
    }else{
      eType = bFirst ? LSMC_WAL_FIRST : LSMC_WAL_MIDDLE;
    }
    walPutFragment(&pW->frame, eType, &p[n-nLeft], nFrag);
    nLeft -= nFrag;
    iBlk = (iBlk + LSMC_WAL_HEADER_SIZE + nFrag) % LSMC_WAL_BLOCK_SIZE;
    bFirst = 0;
    if( eType==LSMC_WAL_FULL || eType==LSMC_WAL_LAST ) break;
  }
  assert( rc!=LSMC_OK || pW->frame.n<=nBound );
  return rc;
}

/*
** Append the record p[0..n) (n may be 0) with one xAppend.
*/
int lsmcWalAddRecord(WalWriter *pW, const u8 *p, size_t n){
  int rc = pW->rc;
  if( rc==LSMC_OK ) rc = walFrameRecord(pW, p, n);
  if( rc==LSMC_OK ){
    rc = LSMC_ENV(pW->pEnv->xAppend(pW->pFile, pW->frame.a, pW->frame.n));
    if( rc==LSMC_OK ){
      pW->iOff += pW->frame.n;
    }else{
      pW->rc = rc;
    }
  }
  if( pW->frame.nAlloc>WAL_KEEP_BUFFER ) lsmcBufFree(&pW->frame);
  return rc;
}

/*
** Make everything appended so far durable.  A failure is sticky.
*/
int lsmcWalSync(WalWriter *pW){
  int rc = pW->rc;
  if( rc==LSMC_OK ){
    rc = LSMC_ENV(pW->pEnv->xSync(pW->pFile));
    if( rc!=LSMC_OK ) pW->rc = rc;
  }
  return rc;
}

u64 lsmcWalSize(const WalWriter *pW){
  return pW->iOff;
}

/*
** Cut the log back to iOff bytes, the size before a record whose append
** or sync failed.  The record's bytes may sit in the page cache after a
** failed fsync, and a reopen would replay a commit that was reported as
** failed (TESTPLAN C4).  The writer stays dead.
*/
int lsmcWalDropTail(WalWriter *pW, u64 iOff){
  int rc = LSMC_ENV(pW->pEnv->xTruncate(pW->pFile, iOff));
  if( rc==LSMC_OK ) pW->iOff = iOff;
  return rc;
}

/*
** Close the file without syncing and free the writer.  Returns the
** result of closing the file.
*/
int lsmcWalWriterClose(WalWriter *pW){
  int rc = LSMC_OK;
  if( pW ){
    lsmc_env *pEnv = pW->pEnv;
    rc = LSMC_ENV(pEnv->xClose(pW->pFile));
    lsmcBufFree(&pW->frame);
    lsmcFree(pEnv, pW);
  }
  return rc;
}
