/*
** sst_inspect.c -- lsmc_sst_inspect(): reads one SSTable file on its own,
** without a store, for tools and tests.  Every block is read and checked
** with the engine's own decoders (sst_format.c for the footer, handles,
** trailers and properties; block.c for data and index blocks; bloom.c for
** the filter): this file decodes nothing itself.
**
** Order of work: the footer, then the index (without them nothing can be
** walked: LSMC_CORRUPT at once, *pzErr says why), the properties and the
** filter, then each data block the index names, in index order, then the
** reports of the filter, properties, index and footer blocks (file
** order).  A damaged data, filter or properties block is reported with
** bOk = 0 and the walk goes on; the call returns LSMC_CORRUPT at the end,
** with *pzErr naming the first fault.  Checks of a data block: handle in
** range, checksum and type, restart array, every entry parses, at least
** one entry, keys strictly ascending (also across blocks), kinds known.
** When every block is whole, the block and entry counts must also match
** the properties.
**
** Memory: blocks come from the options' env (so allocation faults are
** injected like any engine read); *pzErr and the info's keys come from
** the default env, which the caller frees them with.  Thread safety: a
** call is self-contained.
*/
#include "lsmcInt.h"
#include "block.h"
#include "bloom.h"
#include "coding.h"
#include "env.h"
#include "options.h"
#include "sst_builder.h"
#include "sst_format.h"

#include <stdarg.h>
#include <stdio.h>

/* A meta block as it will be reported after the data blocks. */
typedef struct InspectMeta InspectMeta;
struct InspectMeta {
  lsmc_sst_block blk;    /* Report (zError static text, or NULL) */
  int bPresent;          /* The footer names this block */
};

/* State of one lsmc_sst_inspect call. */
typedef struct SstInspect SstInspect;
struct SstInspect {
  lsmc_env *pEnv;        /* Env of the file and of block memory */
  lsmc_file *pFile;      /* The open file */
  u64 nFile;             /* Its size */
  SstFooter footer;      /* Decoded footer */
  u8 *aIndex;            /* Index block (contents + trailer) */
  SstProps props;        /* Decoded properties (when bProps) */
  int bProps;            /* props holds the properties */
  lsmc_sst_info *pInfo;  /* Filled in */
  int (*xBlock)(void*, const lsmc_sst_block*);   /* Report, or NULL */
  void *pArg;            /* Its argument */
  LsmcBuf prevKey;       /* Last internal key of the data walked so far */
  LsmcBuf firstKey;      /* First key of the current data block */
  char *zErr;            /* First fault (default env), or NULL */
  int bDamaged;          /* A block was bad: LSMC_CORRUPT at the end */
  int bStopped;          /* xBlock returned non-zero: its rc is returned */
  u64 nEntrySeen;        /* Entries of the whole data blocks */
};

/*
** Hand one block's report to xBlock (if any); a non-zero return stops the
** walk and is the call's result.
*/
static int inspectReport(SstInspect *p, const lsmc_sst_block *pBlk){
  int rc = p->xBlock ? p->xBlock(p->pArg, pBlk) : LSMC_OK;
  if( rc ) p->bStopped = 1;
  return rc;
}

/*
** Record a fault (the first one becomes *pzErr) and return LSMC_CORRUPT.
*/
static int inspectFault(SstInspect *p, const char *zFmt, ...)
  __attribute__((format(printf, 2, 3)));
static int inspectFault(SstInspect *p, const char *zFmt, ...){
  p->bDamaged = 1;
  if( p->zErr==0 ){
    char z[300];
    va_list ap;
    va_start(ap, zFmt);
    (void)vsnprintf(z, sizeof(z), zFmt, ap);    /* may truncate */
    va_end(ap);
    p->zErr = lsmcStrdup(lsmc_default_env(), z);
  }
  return LSMC_CORRUPT;
}

/*
** Read the block named by *pH (contents and trailer) into *paOut and
** verify its handle, checksum and type.  LSMC_CORRUPT with *pzWhy set for
** a damaged block; an I/O error or LSMC_NOMEM otherwise.
*/
static int inspectRead(SstInspect *p, const SstHandle *pH, u8 **paOut,
                       const char **pzWhy){
  u8 *a;
  int rc;
  *paOut = 0;
  if( lsmcSstHandleCheck(pH, p->nFile - LSMC_SST_FOOTER_SIZE) ){
    *pzWhy = "handle out of the file's range";
    return LSMC_CORRUPT;
  }
  a = lsmcMalloc(p->pEnv, (size_t)pH->nSize + LSMC_SST_TRAILER_SIZE);
  if( a==0 ) return LSMC_NOMEM;
  rc = lsmcEnvReadExact(p->pEnv, p->pFile, pH->iOff, a,
                        (size_t)pH->nSize + LSMC_SST_TRAILER_SIZE);
  if( rc==LSMC_IOERR_SHORT ){
    *pzWhy = "the file ends inside the block";
    rc = LSMC_CORRUPT;
  }else if( rc==LSMC_OK && lsmcSstTrailerCheck(a, (size_t)pH->nSize) ){
    *pzWhy = "checksum or block type mismatch";
    rc = LSMC_CORRUPT;
  }
  if( rc ){
    lsmcFree(p->pEnv, a);
    return rc;
  }
  *paOut = a;
  return LSMC_OK;
}

/* A meta block's report for handle *pH (size with trailer). */
static void inspectMetaInit(InspectMeta *m, int eType, const SstHandle *pH){
  memset(m, 0, sizeof(*m));
  m->bPresent = 1;
  m->blk.eType = eType;
  m->blk.iOffset = pH->iOff;
  m->blk.nSize = pH->nSize + LSMC_SST_TRAILER_SIZE;
  m->blk.bOk = 1;
}

/* Mark meta block m damaged, for reason zWhy. */
static void inspectMetaBad(SstInspect *p, InspectMeta *m, const char *zWhy){
  static const char *const azName[] = { "", "data", "filter", "properties",
                                        "index", "footer" };
  m->blk.bOk = 0;
  m->blk.zError = zWhy;
  inspectFault(p, "%s block at offset %llu: %s", azName[m->blk.eType],
               (unsigned long long)m->blk.iOffset, zWhy);
}

/*
** Read the footer and the index block.  Any failure is fatal (nothing
** can be walked): LSMC_CORRUPT with the fault recorded, or an I/O error.
*/
static int inspectFooterIndex(SstInspect *p, InspectMeta *pIndexMeta){
  u8 aFooter[LSMC_SST_FOOTER_SIZE];
  const char *zWhy = 0;
  BlockIter idx;
  int rc;
  if( p->nFile<LSMC_SST_FOOTER_SIZE ){
    return inspectFault(p, "the file is %llu bytes, shorter than an "
                        "SSTable footer (%d bytes)",
                        (unsigned long long)p->nFile, LSMC_SST_FOOTER_SIZE);
  }
  rc = lsmcEnvReadExact(p->pEnv, p->pFile, p->nFile - LSMC_SST_FOOTER_SIZE,
                        aFooter, LSMC_SST_FOOTER_SIZE);
  if( rc==LSMC_IOERR_SHORT ) rc = LSMC_CORRUPT;   /* shrank meanwhile */
  if( rc ) return rc==LSMC_CORRUPT ? inspectFault(p, "file shrank") : rc;
  if( lsmcSstFooterDecode(aFooter, &p->footer) ){
    /* The decoder tests the magic first; tell the two cases apart. */
    if( lsmcGet64(&aFooter[56])!=LSMC_SST_MAGIC ){
      return inspectFault(p, "no SSTable magic in the last 8 bytes (not an "
                          "SSTable, or a truncated one)");
    }
    return inspectFault(p, "footer at offset %llu: bad checksum or format "
                        "version", (unsigned long long)(p->nFile
                                                  - LSMC_SST_FOOTER_SIZE));
  }
  p->pInfo->iFormat = p->footer.iVersion;
  inspectMetaInit(pIndexMeta, LSMC_BLOCK_INDEX, &p->footer.index);
  rc = inspectRead(p, &p->footer.index, &p->aIndex, &zWhy);
  if( rc==LSMC_OK ){
    rc = lsmcBlockIterInit(&idx, p->pEnv, p->aIndex,
                           (size_t)p->footer.index.nSize);
    pIndexMeta->blk.nRestarts = rc==LSMC_OK ? idx.nRestart : 0;
    lsmcBlockIterClear(&idx);
    if( rc ) zWhy = "bad restart array";
  }
  if( rc==LSMC_CORRUPT ){
    inspectMetaBad(p, pIndexMeta, zWhy);
  }
  return rc;
}

/*
** Read and decode the properties block into p->props and the info.
** Damage marks the block bad; only an I/O error or OOM is returned.
*/
static int inspectProps(SstInspect *p, InspectMeta *m){
  lsmc_env *pDef = lsmc_default_env();
  lsmc_sst_info *pInfo = p->pInfo;
  const char *zWhy = 0;
  u8 *a = 0;
  int rc;
  inspectMetaInit(m, LSMC_BLOCK_PROPERTIES, &p->footer.props);
  rc = inspectRead(p, &p->footer.props, &a, &zWhy);
  if( rc==LSMC_OK ){
    rc = lsmcSstPropsDecode(a, (size_t)p->footer.props.nSize, &p->props);
    if( rc==LSMC_CORRUPT ) zWhy = "malformed properties";
  }
  lsmcFree(p->pEnv, a);
  if( rc==LSMC_CORRUPT ){
    inspectMetaBad(p, m, zWhy);
    return LSMC_OK;
  }
  if( rc ) return rc;
  p->bProps = 1;
  pInfo->nEntries = p->props.nEntries;
  pInfo->nDeletes = p->props.nDeletes;
  pInfo->nDataBlocks = p->props.nDataBlocks;
  pInfo->nRawKey = p->props.nRawKey;
  pInfo->nRawValue = p->props.nRawValue;
  pInfo->iMinSeq = p->props.iMinSeq;
  pInfo->iMaxSeq = p->props.iMaxSeq;
  pInfo->nBloomBits = p->props.nBloomBits;
  if( p->props.nEntries>0 ){
    size_t nS = p->props.smallest.n - LSMC_TRAILER_SIZE;
    size_t nL = p->props.largest.n - LSMC_TRAILER_SIZE;
    pInfo->pSmallest = lsmcMalloc(pDef, nS ? nS : 1);
    pInfo->pLargest = lsmcMalloc(pDef, nL ? nL : 1);
    if( pInfo->pSmallest==0 || pInfo->pLargest==0 ) return LSMC_NOMEM;
    memcpy(pInfo->pSmallest, p->props.smallest.a, nS);
    memcpy(pInfo->pLargest, p->props.largest.a, nL);
    pInfo->nSmallest = nS;
    pInfo->nLargest = nL;
  }
  return LSMC_OK;
}

/*
** Read and check the filter block (if the footer names one) and fill the
** info's filter fields.  Damage marks the block bad.
*/
static int inspectFilter(SstInspect *p, InspectMeta *m){
  const SstHandle *pH = &p->footer.filter;
  const char *zWhy = 0;
  u8 *a = 0;
  int rc;
  if( pH->nSize==0 ){
    if( p->bProps && p->props.nBloomBits>0 ){
      inspectFault(p, "the properties name %u bloom bits per key but there "
                   "is no filter", (unsigned)p->props.nBloomBits);
    }
    return LSMC_OK;
  }
  inspectMetaInit(m, LSMC_BLOCK_FILTER, pH);
  p->pInfo->nFilterBytes = m->blk.nSize;
  rc = inspectRead(p, pH, &a, &zWhy);
  if( rc==LSMC_OK && lsmcBloomCheck(a, (size_t)pH->nSize) ){
    rc = LSMC_CORRUPT;
    zWhy = "malformed filter (line or probe count)";
  }
  if( rc==LSMC_OK ){
    BloomStats st;
    lsmcBloomStats(a, (size_t)pH->nSize, &st);
    p->pInfo->nFilterLines = st.nLines;
    p->pInfo->nFilterProbes = st.nProbes;
    p->pInfo->nFilterBitsSet = st.nBitsSet;
    p->pInfo->fFilterFpr = st.fFpr;
    if( p->bProps && p->props.nBloomBits==0 ){
      inspectFault(p, "a filter is present but the properties say 0 bloom "
                   "bits per key");
    }
  }
  lsmcFree(p->pEnv, a);
  if( rc==LSMC_CORRUPT ){
    inspectMetaBad(p, m, zWhy);
    rc = LSMC_OK;
  }
  return rc;
}

/*
** Walk the entries of data block a[0..n): structure, key order (after
** p->prevKey), kinds.  Fills the report's counts and keys.  Returns
** LSMC_OK, LSMC_CORRUPT with *pzWhy, or LSMC_NOMEM.
*/
static int inspectDataEntries(SstInspect *p, const u8 *a, size_t n,
                              lsmc_sst_block *pBlk, const char **pzWhy){
  BlockIter blk;
  int rc = lsmcBlockIterInit(&blk, p->pEnv, a, n);
  if( rc ){
    *pzWhy = "bad restart array";
  }else{
    pBlk->nRestarts = blk.nRestart;
    rc = lsmcBlockIterFirst(&blk);
    if( rc==LSMC_OK && !lsmcBlockIterValid(&blk) ){
      rc = LSMC_CORRUPT;
      *pzWhy = "no entries";
    }
  }
  while( rc==LSMC_OK && lsmcBlockIterValid(&blk) ){
    size_t nKey;
    const u8 *pKey = lsmcBlockIterKey(&blk, &nKey);
    if( p->prevKey.n>0
     && lsmcIKeyCompare(p->prevKey.a, p->prevKey.n, pKey, nKey)>=0 ){
      rc = LSMC_CORRUPT;
      *pzWhy = "keys out of order";
    }else if( lsmcTrailerKind(lsmcIKeyTrailer(pKey, nKey))>LSMC_KIND_PUT ){
      rc = LSMC_CORRUPT;
      *pzWhy = "unknown entry kind";
    }else{
      if( pBlk->nEntries==0 ) lsmcBufSet(&rc, &p->firstKey, pKey, nKey);
      lsmcBufSet(&rc, &p->prevKey, pKey, nKey);
      pBlk->nEntries++;
    }
    if( rc==LSMC_OK ){
      rc = lsmcBlockIterNext(&blk);
      if( rc==LSMC_CORRUPT ) *pzWhy = "damaged entry";
    }
  }
  if( rc==LSMC_CORRUPT && *pzWhy==0 ) *pzWhy = "damaged entry";
  lsmcBlockIterClear(&blk);
  return rc;
}

/*
** Check and report the data block whose handle is the value of the index
** entry pIdx is on (block number iBlock).  Damage is reported, not
** returned; returns an I/O error, LSMC_NOMEM, or xBlock's non-zero
** return.
*/
static int inspectDataBlock(SstInspect *p, const BlockIter *pIdx, u64 iBlock){
  lsmc_sst_block blk;
  const char *zWhy = 0;
  SstHandle h;
  size_t nVal;
  const u8 *pVal = lsmcBlockIterValue(pIdx, &nVal);
  u8 *a = 0;
  int rc = LSMC_OK;

  memset(&blk, 0, sizeof(blk));
  blk.eType = LSMC_BLOCK_DATA;
  if( lsmcSstHandleDecode(pVal, nVal, &h) ){
    rc = LSMC_CORRUPT;
    zWhy = "the index holds a malformed handle for it";
  }else{
    blk.iOffset = h.iOff;
    blk.nSize = h.nSize + LSMC_SST_TRAILER_SIZE;
    p->pInfo->nDataBytes += blk.nSize;
    rc = inspectRead(p, &h, &a, &zWhy);
  }
  if( rc==LSMC_OK ) rc = inspectDataEntries(p, a, (size_t)h.nSize, &blk, &zWhy);
  lsmcFree(p->pEnv, a);
  if( rc==LSMC_CORRUPT ){
    blk.bOk = 0;
    blk.zError = zWhy;
    blk.nEntries = 0;
    inspectFault(p, "data block %llu at offset %llu: %s",
                 (unsigned long long)iBlock, (unsigned long long)blk.iOffset,
                 zWhy);
    rc = LSMC_OK;
  }else if( rc==LSMC_OK ){
    p->nEntrySeen += blk.nEntries;
    blk.bOk = 1;
    blk.pFirstKey = p->firstKey.a;
    blk.nFirstKey = p->firstKey.n - LSMC_TRAILER_SIZE;
    blk.pLastKey = p->prevKey.a;
    blk.nLastKey = p->prevKey.n - LSMC_TRAILER_SIZE;
  }
  if( rc==LSMC_OK ) rc = inspectReport(p, &blk);
  return rc;
}

/*
** Walk every data block the index names; *pnBlock counts them.
*/
static int inspectData(SstInspect *p, InspectMeta *pIndexMeta, u64 *pnBlock){
  BlockIter idx;
  int rc = lsmcBlockIterInit(&idx, p->pEnv, p->aIndex,
                             (size_t)p->footer.index.nSize);
  *pnBlock = 0;
  if( rc==LSMC_OK ) rc = lsmcBlockIterFirst(&idx);
  while( rc==LSMC_OK && lsmcBlockIterValid(&idx) ){
    rc = inspectDataBlock(p, &idx, *pnBlock);
    (*pnBlock)++;
    pIndexMeta->blk.nEntries++;
    if( rc==LSMC_OK ) rc = lsmcBlockIterNext(&idx);
  }
  lsmcBlockIterClear(&idx);
  if( rc==LSMC_CORRUPT && !p->bStopped ){
    inspectMetaBad(p, pIndexMeta, "damaged entry");
  }
  return rc;
}

/*
** Report the meta blocks in file order (by offset), then the footer.
*/
static int inspectReportMeta(SstInspect *p, InspectMeta *aMeta, int nMeta){
  lsmc_sst_block footer;
  int rc = LSMC_OK;
  int i, j;
  for(i=1; i<nMeta; i++){                 /* insertion sort: 3 entries */
    for(j=i; j>0 && aMeta[j-1].blk.iOffset>aMeta[j].blk.iOffset; j--){
      InspectMeta t = aMeta[j];
      aMeta[j] = aMeta[j-1];
      aMeta[j-1] = t;
    }
  }
  for(i=0; rc==LSMC_OK && i<nMeta; i++){
    if( aMeta[i].bPresent ) rc = inspectReport(p, &aMeta[i].blk);
  }
  memset(&footer, 0, sizeof(footer));
  footer.eType = LSMC_BLOCK_FOOTER;
  footer.iOffset = p->nFile - LSMC_SST_FOOTER_SIZE;
  footer.nSize = LSMC_SST_FOOTER_SIZE;
  footer.bOk = 1;
  if( rc==LSMC_OK ) rc = inspectReport(p, &footer);
  return rc;
}

int lsmc_sst_inspect(const char *zPath, const lsmc_options *pOpts,
                     int (*xBlock)(void *pArg, const lsmc_sst_block*),
                     void *pArg, lsmc_sst_info *pInfo, char **pzErr){
  SstInspect s;
  InspectMeta aMeta[3];          /* filter, properties, index */
  u64 nBlock = 0;
  int rc;

  if( pzErr ) *pzErr = 0;
  if( zPath==0 || pInfo==0 ) return LSMC_MISUSE_BKPT;
  memset(pInfo, 0, sizeof(*pInfo));
  memset(&s, 0, sizeof(s));
  memset(aMeta, 0, sizeof(aMeta));
  s.pEnv = (pOpts && pOpts->pEnv) ? pOpts->pEnv : lsmc_default_env();
  s.pInfo = pInfo;
  s.xBlock = xBlock;
  s.pArg = pArg;
  lsmcSstPropsInit(&s.props, s.pEnv);
  lsmcBufInit(&s.prevKey, s.pEnv);
  lsmcBufInit(&s.firstKey, s.pEnv);

  rc = LSMC_ENV(s.pEnv->xOpen(s.pEnv, zPath, LSMC_OPEN_READONLY, &s.pFile));
  if( rc ) s.pFile = 0;
  if( rc==LSMC_OK ) rc = LSMC_ENV(s.pEnv->xSize(s.pFile, &s.nFile));
  if( rc==LSMC_OK ){
    pInfo->nFileSize = s.nFile;
    rc = inspectFooterIndex(&s, &aMeta[2]);
  }
  if( rc==LSMC_OK ){
    pInfo->nIndexBytes = aMeta[2].blk.nSize;
    pInfo->nPropsBytes = s.footer.props.nSize + LSMC_SST_TRAILER_SIZE;
    rc = inspectProps(&s, &aMeta[1]);
  }
  if( rc==LSMC_OK ) rc = inspectFilter(&s, &aMeta[0]);
  if( rc==LSMC_OK ) rc = inspectData(&s, &aMeta[2], &nBlock);
  if( rc==LSMC_OK && !s.bDamaged && s.bProps
   && (nBlock!=s.props.nDataBlocks || s.nEntrySeen!=s.props.nEntries) ){
    inspectFault(&s, "the properties name %llu data blocks and %llu "
                 "entries, the data holds %llu and %llu",
                 (unsigned long long)s.props.nDataBlocks,
                 (unsigned long long)s.props.nEntries,
                 (unsigned long long)nBlock,
                 (unsigned long long)s.nEntrySeen);
  }
  if( rc==LSMC_OK ) rc = inspectReportMeta(&s, aMeta, 3);
  if( rc==LSMC_OK && s.bDamaged ) rc = LSMC_CORRUPT_BKPT;

  if( s.pFile ) LSMC_ENV(s.pEnv->xClose(s.pFile));
  lsmcFree(s.pEnv, s.aIndex);
  lsmcSstPropsFree(&s.props);
  lsmcBufFree(&s.prevKey);
  lsmcBufFree(&s.firstKey);
  if( rc!=LSMC_OK && !s.bStopped && s.zErr==0 ){
    s.zErr = lsmcStrdup(lsmc_default_env(), lsmc_errstr(rc));
  }
  if( pzErr && rc!=LSMC_OK && !s.bStopped ){
    *pzErr = s.zErr;
  }else{
    lsmcFree(lsmc_default_env(), s.zErr);
  }
  return rc;
}

void lsmc_sst_info_clear(lsmc_sst_info *pInfo){
  if( pInfo ){
    lsmcFree(lsmc_default_env(), pInfo->pSmallest);
    lsmcFree(lsmc_default_env(), pInfo->pLargest);
    memset(pInfo, 0, sizeof(*pInfo));
  }
}
