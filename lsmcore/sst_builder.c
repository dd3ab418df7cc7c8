/*
** sst_builder.c -- writes one SSTable (format in sst_format.h) from
** entries added in ascending internal-key order.
**
** Entries go into the current data block; when its size reaches
** nBlockSize the block is closed: its trailer is appended in place, the
** block is written with one xAppend, and an index entry (key = the block's
** last key, value = its handle) is added.  An entry larger than a block
** simply makes a larger block.  The builder collects the hash of every
** distinct user key for the filter and keeps the properties (counts, key
** range, sequence range).  Finish writes the last data block, then the
** filter, properties and index blocks and the footer; it never syncs.
**
** Invariants: iOff is the number of bytes written to the file; lastKey is
** the last key added (empty before the first); rc is sticky: after any
** failure every later call returns it.  One thread at a time.
*/
#include "sst_builder.h"
#include "block_builder.h"
#include "bloom.h"
#include "coding.h"

#define SST_DEFAULT_BLOCK    4096
#define SST_DEFAULT_RESTART  16

struct SstBuilder {
  lsmc_env *pEnv;        /* Allocator and file methods */
  lsmc_file *pFile;      /* Output (not owned) */
  SstOptions opt;        /* Settings, defaults filled in */
  BlockBuilder data;     /* Data block being filled */
  BlockBuilder index;    /* The index block */
  LsmcBuf lastKey;       /* Last internal key added */
  LsmcBuf meta;          /* Scratch for filter/properties/index writes */
  u64 *aHash;            /* Hashes of the distinct user keys */
  size_t nHash;          /* Entries used in aHash */
  size_t nHashAlloc;     /* Entries allocated in aHash */
  u64 iOff;              /* Bytes written so far */
  SstProps props;        /* Properties so far */
  int bFinished;         /* Finish was called */
  int rc;                /* Sticky error */
};

/*
** Create a builder writing to pFile (empty, opened for appending).
*/
int lsmcSstBuilderNew(
  lsmc_env *pEnv,                 /* Allocator and file methods */
  lsmc_file *pFile,               /* Output file (not owned) */
  const SstOptions *pOpt,         /* Settings (0 fields: defaults) */
  SstBuilder **ppBuilder          /* OUT: the new builder */
){
  SstBuilder *p = lsmcMallocZero(pEnv, sizeof(*p));
  *ppBuilder = 0;
  if( p==0 ) return LSMC_NOMEM;
  p->pEnv = pEnv;
  p->pFile = pFile;
  p->opt = *pOpt;
  if( p->opt.nBlockSize==0 ) p->opt.nBlockSize = SST_DEFAULT_BLOCK;
  if( p->opt.nBlockSize>LSMC_MAX_KEY ) p->opt.nBlockSize = LSMC_MAX_KEY;
  if( p->opt.nRestart==0 ) p->opt.nRestart = SST_DEFAULT_RESTART;
  lsmcBlockBuilderInit(&p->data, pEnv, p->opt.nRestart);
  lsmcBlockBuilderInit(&p->index, pEnv, 1);
  lsmcBufInit(&p->lastKey, pEnv);
  lsmcBufInit(&p->meta, pEnv);
  lsmcSstPropsInit(&p->props, pEnv);
  p->props.nBloomBits = p->opt.nBloomBits;
  *ppBuilder = p;
  return LSMC_OK;
}

void lsmcSstBuilderFree(SstBuilder *p){
  if( p==0 ) return;
  lsmcBlockBuilderFree(&p->data);
  lsmcBlockBuilderFree(&p->index);
  lsmcBufFree(&p->lastKey);
  lsmcBufFree(&p->meta);
  lsmcFree(p->pEnv, p->aHash);
  lsmcSstPropsFree(&p->props);
  lsmcFree(p->pEnv, p);
}

/*
** Append the trailer to the block contents in pBlock and write both with
** one xAppend.  *pH receives the block's handle.
*/
static void sstWriteBlock(int *pRc, SstBuilder *p, LsmcBuf *pBlock,
                          SstHandle *pH){
  size_t nContents;
  if( *pRc ) return;
  nContents = pBlock->n;
  lsmcSstTrailerAppend(pRc, pBlock);
  if( *pRc==LSMC_OK ){
    *pRc = LSMC_ENV(p->pEnv->xAppend(p->pFile, pBlock->a, pBlock->n));
  }
  if( *pRc==LSMC_OK ){
    pH->iOff = p->iOff;
    pH->nSize = nContents;
    p->iOff += pBlock->n;
  }
}

/*
** Close the current data block (if it has entries): write it and add its
** index entry, keyed by its last key.
*/
static void sstFlushData(int *pRc, SstBuilder *p){
  SstHandle h = {0, 0};
  LsmcBuf *pBlock;
  if( *pRc || p->data.nEntry==0 ) return;
  pBlock = lsmcBlockBuilderFinish(pRc, &p->data);
  sstWriteBlock(pRc, p, pBlock, &h);
  p->meta.n = 0;
  lsmcSstHandleEncode(pRc, &p->meta, &h);
  if( *pRc==LSMC_OK ){
    lsmcBlockBuilderAdd(pRc, &p->index, p->lastKey.a, p->lastKey.n,
                        p->meta.a, p->meta.n);
  }
  lsmcBlockBuilderReset(&p->data);
  if( *pRc==LSMC_OK ) p->props.nDataBlocks++;
}

/*
** Remember the hash of user key pKey for the filter.
*/
static void sstAddHash(int *pRc, SstBuilder *p, const u8 *pKey, size_t nKey){
  if( *pRc ) return;
  if( p->nHash==p->nHashAlloc ){
    size_t nNew = p->nHashAlloc ? p->nHashAlloc*2 : 1024;
    u64 *aNew = lsmcRealloc(p->pEnv, p->aHash, nNew*sizeof(u64));
    if( aNew==0 ){
      *pRc = LSMC_NOMEM;
      return;
    }
    p->aHash = aNew;
    p->nHashAlloc = nNew;
  }
  p->aHash[p->nHash++] = lsmcHash64(pKey, nKey);
}

/*
** Update the properties for one more entry.
*/
static void sstAddProps(int *pRc, SstBuilder *p, const u8 *pIKey,
                        size_t nIKey, size_t nVal){
  u64 t = lsmcIKeyTrailer(pIKey, nIKey);
  u64 iSeq = lsmcTrailerSeq(t);
  SstProps *pP = &p->props;
  if( *pRc ) return;
  if( pP->nEntries==0 ){
    lsmcBufSet(pRc, &pP->smallest, pIKey, nIKey);
    pP->iMinSeq = pP->iMaxSeq = iSeq;
  }
  pP->iMinSeq = LSMC_MIN(pP->iMinSeq, iSeq);
  pP->iMaxSeq = LSMC_MAX(pP->iMaxSeq, iSeq);
  pP->nEntries++;
  if( lsmcTrailerKind(t)==LSMC_KIND_DELETE ) pP->nDeletes++;
  pP->nRawKey += nIKey;
  pP->nRawValue += nVal;
}

/*
** Add one entry.  Returns LSMC_MISUSE if the key is not an internal key
** greater than the last one, or if key or value exceed the engine limits.
*/
int lsmcSstBuilderAdd(
  SstBuilder *p,                  /* Builder */
  const u8 *pIKey, size_t nIKey,  /* Internal key */
  const u8 *pVal, size_t nVal     /* Value */
){
  int rc = p->rc;
  if( rc ) return rc;
  if( p->bFinished
   || nIKey<LSMC_TRAILER_SIZE
   || nIKey>LSMC_MAX_KEY+LSMC_TRAILER_SIZE
   || nVal>LSMC_MAX_VALUE
   || lsmcTrailerKind(lsmcIKeyTrailer(pIKey, nIKey))>LSMC_KIND_PUT
   || (p->lastKey.n>0
       && lsmcIKeyCompare(p->lastKey.a, p->lastKey.n, pIKey, nIKey)>=0)
  ){
    return LSMC_MISUSE_BKPT;
  }
  if( p->opt.nBloomBits>0
   && (p->lastKey.n==0
       || lsmcUKeyCompare(p->lastKey.a, p->lastKey.n-LSMC_TRAILER_SIZE,
                          pIKey, nIKey-LSMC_TRAILER_SIZE)!=0)
  ){
    sstAddHash(&rc, p, pIKey, nIKey-LSMC_TRAILER_SIZE);
  }
  sstAddProps(&rc, p, pIKey, nIKey, nVal);
  lsmcBlockBuilderAdd(&rc, &p->data, pIKey, nIKey, pVal, nVal);
  lsmcBufSet(&rc, &p->lastKey, pIKey, nIKey);
  if( rc==LSMC_OK && lsmcBlockBuilderSize(&p->data)>=p->opt.nBlockSize ){
    sstFlushData(&rc, p);
  }
  p->rc = rc;
  return rc;
}

u64 lsmcSstBuilderFileSize(const SstBuilder *p){ return p->iOff; }
u64 lsmcSstBuilderCount(const SstBuilder *p){ return p->props.nEntries; }

/*
** Write the last data block, the filter, properties and index blocks and
** the footer.  *pnFile receives the file size; pProps (if not NULL, and
** initialised with lsmcSstPropsInit) a copy of the properties.
*/
int lsmcSstBuilderFinish(SstBuilder *p, u64 *pnFile, SstProps *pProps){
  SstFooter f;
  u8 aFooter[LSMC_SST_FOOTER_SIZE];
  int rc = p->rc;
  LsmcBuf *pIndex;

  if( rc ) return rc;
  if( p->bFinished ) return LSMC_MISUSE_BKPT;
  p->bFinished = 1;
  memset(&f, 0, sizeof(f));
  f.iVersion = LSMC_SST_VERSION;
  sstFlushData(&rc, p);
  if( rc==LSMC_OK ) lsmcBufSet(&rc, &p->props.largest, p->lastKey.a, p->lastKey.n);

  if( p->opt.nBloomBits>0 ){
    p->meta.n = 0;
    lsmcBloomBuild(&rc, &p->meta, p->aHash, p->nHash, p->opt.nBloomBits);
    sstWriteBlock(&rc, p, &p->meta, &f.filter);
  }
  p->meta.n = 0;
  lsmcSstPropsEncode(&rc, &p->meta, &p->props);
  sstWriteBlock(&rc, p, &p->meta, &f.props);
  pIndex = lsmcBlockBuilderFinish(&rc, &p->index);
  sstWriteBlock(&rc, p, pIndex, &f.index);

  if( rc==LSMC_OK ){
    lsmcSstFooterEncode(aFooter, &f);
    rc = LSMC_ENV(p->pEnv->xAppend(p->pFile, aFooter, sizeof(aFooter)));
  }
  if( rc==LSMC_OK ){
    p->iOff += sizeof(aFooter);
    if( pnFile ) *pnFile = p->iOff;
    if( pProps ) lsmcSstPropsCopy(&rc, pProps, &p->props);
  }
  p->rc = rc;
  return rc;
}
