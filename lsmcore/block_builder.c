/*
** block_builder.c -- writes one block in the entry format of
** sst_format.h.  Each entry stores the length of the prefix it shares with
** the previous key, the rest of the key and the value; every nInterval-th
** entry is a restart point that stores its whole key (shared = 0), and the
** offsets of the restart points close the block so that a reader can
** binary-search them.
**
** Invariants: buf holds whole entries only (until Finish appends the
** restart array); restart holds the offset of every restart entry, the
** first being 0, so even an empty block has one restart.  Block offsets
** fit in a u32.  One thread at a time per builder.
*/
#include "block_builder.h"
#include "coding.h"

#define BLOCK_DEFAULT_INTERVAL 16

void lsmcBlockBuilderInit(BlockBuilder *p, lsmc_env *pEnv, u32 nInterval){
  memset(p, 0, sizeof(*p));
  lsmcBufInit(&p->buf, pEnv);
  lsmcBufInit(&p->restart, pEnv);
  lsmcBufInit(&p->lastKey, pEnv);
  p->nInterval = nInterval ? nInterval : BLOCK_DEFAULT_INTERVAL;
  lsmcBlockBuilderReset(p);
}

/*
** Empty the builder for the next block.  The restart at offset 0 is
** recorded when the first entry arrives, or by Finish for an empty block.
*/
void lsmcBlockBuilderReset(BlockBuilder *p){
  p->buf.n = 0;
  p->restart.n = 0;
  p->lastKey.n = 0;
  p->nSinceRestart = 0;
  p->nEntry = 0;
  p->bFinished = 0;
}

void lsmcBlockBuilderFree(BlockBuilder *p){
  lsmcBufFree(&p->buf);
  lsmcBufFree(&p->restart);
  lsmcBufFree(&p->lastKey);
}

/*
** Append one entry: a restart point if nInterval entries have passed
** since the last one (or this is the first), else prefix-compressed
** against the previous key.
*/
void lsmcBlockBuilderAdd(
  int *pRc,                       /* IN/OUT: error code */
  BlockBuilder *p,                /* Builder */
  const u8 *pKey, size_t nKey,    /* Key of the new entry */
  const u8 *pVal, size_t nVal     /* Its value */
){
  size_t nShared = 0;
  u64 nAfter;
  if( *pRc ) return;
  assert( !p->bFinished && nKey>=LSMC_TRAILER_SIZE );

  if( p->nEntry==0 || p->nSinceRestart>=p->nInterval ){
    lsmcBufAppend32(pRc, &p->restart, (u32)p->buf.n);
    p->nSinceRestart = 0;
  }else{
    size_t nMax = LSMC_MIN(nKey, p->lastKey.n);
    while( nShared<nMax && p->lastKey.a[nShared]==pKey[nShared] ) nShared++;
  }

  /* The whole block, restart array included, must stay below 4 GiB. */
  nAfter = (u64)p->buf.n + (u64)3*LSMC_MAX_VARINT + nKey + nVal
         + p->restart.n + 8;
  if( nAfter>=0xffffffffu ){
    if( *pRc==LSMC_OK ) *pRc = LSMC_MISUSE_BKPT;
    return;
  }

  lsmcBufAppendVarint(pRc, &p->buf, nShared);
  lsmcBufAppendVarint(pRc, &p->buf, nKey - nShared);
  lsmcBufAppendVarint(pRc, &p->buf, nVal);
  lsmcBufAppend(pRc, &p->buf, &pKey[nShared], nKey - nShared);
  lsmcBufAppend(pRc, &p->buf, pVal, nVal);
  lsmcBufSet(pRc, &p->lastKey, pKey, nKey);
  if( *pRc==LSMC_OK ){
    p->nSinceRestart++;
    p->nEntry++;
  }
}

size_t lsmcBlockBuilderSize(const BlockBuilder *p){
  size_t nRestart = p->restart.n ? p->restart.n : 4;
  return p->buf.n + nRestart + 4;
}

/*
** Close the block: append the restart offsets and their count.
*/
LsmcBuf *lsmcBlockBuilderFinish(int *pRc, BlockBuilder *p){
  if( *pRc ) return 0;
  assert( !p->bFinished );
  if( p->restart.n==0 ) lsmcBufAppend32(pRc, &p->restart, 0);
  lsmcBufAppend(pRc, &p->buf, p->restart.a, p->restart.n);
  lsmcBufAppend32(pRc, &p->buf, (u32)(p->restart.n/4));
  if( *pRc ) return 0;
  p->bFinished = 1;
  return &p->buf;
}
