/*
** fuzzutil.c -- the helpers of fuzzutil.h: an in-memory env for the
** decoder targets, checksum fix-ups that let mutated bytes past the
** checksums, and an input reader.  Test code only; built into every fuzz
** target and replay program.
*/
#include "fuzzutil.h"
#include "lsmcInt.h"
#include "coding.h"
#include "block.h"
#include "sst_format.h"
#include "sst_builder.h"
#include "sst_reader.h"
#include "iter.h"
#include "wal_format.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---------------------------------------------------------- failures */

void fuzzFail(const char *zFile, int iLine, const char *zCond){
  fprintf(stderr, "%s:%d: fuzz invariant failed: %s\n", zFile, iLine, zCond);
  abort();
}

void fuzzTrace(const char *zFmt, ...){
  static int bOn = -1;
  if( bOn<0 ) bOn = getenv("LSMV_FUZZ_TRACE")!=0;
  if( bOn ){
    va_list ap;
    va_start(ap, zFmt);
    vfprintf(stderr, zFmt, ap);
    va_end(ap);
    fputc('\n', stderr);
  }
}

/* ---------------------------------------------------------- memory env */

/* An open file of a FuzzMem: the slot and the name it was opened as. */
typedef struct FuzzMemHandle FuzzMemHandle;
struct FuzzMemHandle {
  FuzzMem *pMem;                  /* Owner */
  char *zName;                    /* Name at open (a removed file fails) */
  int bWrite;                     /* Opened with LSMC_OPEN_CREATE */
};

/* The slot of file zPath, or -1. */
static int memFind(FuzzMem *p, const char *zPath){
  int i;
  for(i=0; i<FUZZ_MEM_MAX_FILES; i++){
    if( p->aFile[i].zName && strcmp(p->aFile[i].zName, zPath)==0 ) return i;
  }
  return -1;
}

/* Free the file in slot i. */
static void memDrop(FuzzMem *p, int i){
  free(p->aFile[i].zName);
  free(p->aFile[i].a);
  memset(&p->aFile[i], 0, sizeof(p->aFile[i]));
}

/* Create (or empty) file zPath; its slot or -1. */
static int memCreate(FuzzMem *p, const char *zPath){
  int i = memFind(p, zPath);
  if( i>=0 ){
    p->aFile[i].n = 0;
    return i;
  }
  for(i=0; i<FUZZ_MEM_MAX_FILES; i++){
    if( p->aFile[i].zName==0 ){
      p->aFile[i].zName = strdup(zPath);
      return p->aFile[i].zName ? i : -1;
    }
  }
  return -1;
}

/* Append a[0..n) to slot i: 0 or -1 on OOM. */
static int memAppend(FuzzMem *p, int i, const void *a, size_t n){
  FuzzMemFile *f = &p->aFile[i];
  if( f->n + n > f->nAlloc ){
    size_t nNew = (f->n + n)*2 + 64;
    uint8_t *aNew = realloc(f->a, nNew);
    if( aNew==0 ) return -1;
    f->a = aNew;
    f->nAlloc = nNew;
  }
  if( n ) memcpy(&f->a[f->n], a, n);
  f->n += n;
  return 0;
}

int fuzzMemPut(FuzzMem *p, const char *zPath, const void *a, size_t n){
  int i = memCreate(p, zPath);
  if( i<0 ) return -1;
  return memAppend(p, i, a, n);
}

const uint8_t *fuzzMemGet(FuzzMem *p, const char *zPath, size_t *pn){
  int i = memFind(p, zPath);
  if( i<0 ) return 0;
  *pn = p->aFile[i].n;
  return p->aFile[i].a ? p->aFile[i].a : (const uint8_t*)"";
}

/* Slot of an open handle, or -1 if its file was removed meanwhile. */
static int memHandleSlot(lsmc_file *pFile){
  FuzzMemHandle *h = (FuzzMemHandle*)pFile;
  return memFind(h->pMem, h->zName);
}

static int memOpen(lsmc_env *pEnv, const char *zPath, int flags,
                   lsmc_file **ppFile){
  FuzzMem *p = (FuzzMem*)pEnv;
  FuzzMemHandle *h;
  int i = (flags & LSMC_OPEN_CREATE) ? memCreate(p, zPath) : memFind(p, zPath);
  *ppFile = 0;
  if( i<0 ) return (flags & LSMC_OPEN_CREATE) ? LSMC_FULL : LSMC_IOERR_NOENT;
  h = calloc(1, sizeof(*h));
  if( h ) h->zName = strdup(zPath);
  if( h==0 || h->zName==0 ){
    free(h);
    return LSMC_NOMEM;
  }
  h->pMem = p;
  h->bWrite = (flags & LSMC_OPEN_CREATE)!=0;
  *ppFile = (lsmc_file*)h;
  return LSMC_OK;
}

static int memRead(lsmc_file *pFile, uint64_t iOff, void *pBuf, size_t nBuf,
                   size_t *pnRead){
  FuzzMemHandle *h = (FuzzMemHandle*)pFile;
  int i = memHandleSlot(pFile);
  size_t n = 0;
  if( i<0 ) return LSMC_IOERR;
  if( iOff<h->pMem->aFile[i].n ){
    n = h->pMem->aFile[i].n - (size_t)iOff;
    if( n>nBuf ) n = nBuf;
    memcpy(pBuf, &h->pMem->aFile[i].a[iOff], n);
  }
  *pnRead = n;
  return LSMC_OK;
}

static int memAppendM(lsmc_file *pFile, const void *pData, size_t nData){
  FuzzMemHandle *h = (FuzzMemHandle*)pFile;
  int i = memHandleSlot(pFile);
  if( i<0 || !h->bWrite ) return LSMC_IOERR;
  return memAppend(h->pMem, i, pData, nData) ? LSMC_NOMEM : LSMC_OK;
}

static int memSync(lsmc_file *pFile){
  return memHandleSlot(pFile)<0 ? LSMC_IOERR : LSMC_OK;
}

static int memSize(lsmc_file *pFile, uint64_t *pnByte){
  FuzzMemHandle *h = (FuzzMemHandle*)pFile;
  int i = memHandleSlot(pFile);
  if( i<0 ) return LSMC_IOERR;
  *pnByte = h->pMem->aFile[i].n;
  return LSMC_OK;
}

static int memTruncate(lsmc_file *pFile, uint64_t nByte){
  FuzzMemHandle *h = (FuzzMemHandle*)pFile;
  int i = memHandleSlot(pFile);
  if( i<0 ) return LSMC_IOERR;
  if( nByte<h->pMem->aFile[i].n ) h->pMem->aFile[i].n = (size_t)nByte;
  return LSMC_OK;
}

static int memClose(lsmc_file *pFile){
  FuzzMemHandle *h = (FuzzMemHandle*)pFile;
  if( h ){
    free(h->zName);
    free(h);
  }
  return LSMC_OK;
}

static int memMkdir(lsmc_env *pEnv, const char *zDir){
  LSMC_UNUSED(pEnv); LSMC_UNUSED(zDir);
  return LSMC_OK;
}
static int memRmdir(lsmc_env *pEnv, const char *zDir){
  LSMC_UNUSED(pEnv); LSMC_UNUSED(zDir);
  return LSMC_OK;
}
static int memSyncDir(lsmc_env *pEnv, const char *zDir){
  LSMC_UNUSED(pEnv); LSMC_UNUSED(zDir);
  return LSMC_OK;
}

static int memRename(lsmc_env *pEnv, const char *zFrom, const char *zTo){
  FuzzMem *p = (FuzzMem*)pEnv;
  int i = memFind(p, zFrom);
  int j = memFind(p, zTo);
  char *zNew;
  if( i<0 ) return LSMC_IOERR_NOENT;
  if( i==j ) return LSMC_OK;
  zNew = strdup(zTo);
  if( zNew==0 ) return LSMC_NOMEM;
  if( j>=0 ) memDrop(p, j);
  free(p->aFile[i].zName);
  p->aFile[i].zName = zNew;
  return LSMC_OK;
}

static int memRemove(lsmc_env *pEnv, const char *zPath){
  FuzzMem *p = (FuzzMem*)pEnv;
  int i = memFind(p, zPath);
  if( i<0 ) return LSMC_IOERR_NOENT;
  memDrop(p, i);
  return LSMC_OK;
}

static int memExists(lsmc_env *pEnv, const char *zPath, int *pbExists){
  *pbExists = memFind((FuzzMem*)pEnv, zPath)>=0;
  return LSMC_OK;
}

/* List the files directly in zDir ("zDir/name" with no further '/'). */
static int memList(lsmc_env *pEnv, const char *zDir,
                   int (*xEntry)(void*, const char*), void *pArg){
  FuzzMem *p = (FuzzMem*)pEnv;
  size_t nDir = strlen(zDir);
  int i, rc = LSMC_OK;
  for(i=0; rc==LSMC_OK && i<FUZZ_MEM_MAX_FILES; i++){
    const char *z = p->aFile[i].zName;
    if( z && strncmp(z, zDir, nDir)==0 && z[nDir]=='/'
     && strchr(&z[nDir+1], '/')==0 ){
      rc = xEntry(pArg, &z[nDir+1]);
    }
  }
  return rc;
}

static int memFileId(lsmc_env *pEnv, const char *zPath, uint64_t *pDev,
                     uint64_t *pIno){
  LSMC_UNUSED(pEnv);
  *pDev = 0xf022;
  *pIno = lsmcHash64(zPath, strlen(zPath));
  return LSMC_OK;
}

static int memLock(lsmc_env *pEnv, const char *zPath, lsmc_file **ppLock){
  return memOpen(pEnv, zPath, LSMC_OPEN_CREATE, ppLock);
}
static int memUnlock(lsmc_env *pEnv, lsmc_file *pLock){
  LSMC_UNUSED(pEnv);
  return memClose(pLock);
}

static void *memMalloc(lsmc_env *pEnv, size_t n){
  LSMC_UNUSED(pEnv);
  return malloc(n ? n : 1);
}
static void *memRealloc(lsmc_env *pEnv, void *p, size_t n){
  LSMC_UNUSED(pEnv);
  return realloc(p, n ? n : 1);
}
static void memFree(lsmc_env *pEnv, void *p){
  LSMC_UNUSED(pEnv);
  free(p);
}
static uint64_t memNow(lsmc_env *pEnv){
  LSMC_UNUSED(pEnv);
  return 1700000000000000ULL;
}
static void memSleep(lsmc_env *pEnv, uint64_t n){
  LSMC_UNUSED(pEnv); LSMC_UNUSED(n);
}

void fuzzMemInit(FuzzMem *p){
  static const lsmc_env methods = {
    1, 0,
    memOpen, memRead, memAppendM, memSync, memSize, memTruncate, memClose,
    memMkdir, memRmdir, memSyncDir, memRename, memRemove, memExists,
    memList, memFileId, memLock, memUnlock,
    memMalloc, memRealloc, memFree, memNow, memSleep
  };
  memset(p, 0, sizeof(*p));
  p->base = methods;
}

void fuzzMemFree(FuzzMem *p){
  int i;
  for(i=0; i<FUZZ_MEM_MAX_FILES; i++) memDrop(p, i);
}

/* ---------------------------------------------------------- SSTables */

int fuzzSstBuild(FuzzMem *pMem, const char *zPath, int nEntry,
                 unsigned nBloomBits, unsigned nBlockSize, unsigned nRestart){
  lsmc_env *pEnv = &pMem->base;
  lsmc_file *pFile = 0;
  SstBuilder *pB = 0;
  SstOptions o;
  LsmcBuf key;
  u8 aVal[64];
  u64 nFile = 0;
  int rc, i;
  o.nBlockSize = nBlockSize;
  o.nRestart = nRestart;
  o.nBloomBits = nBloomBits;
  memset(aVal, 'v', sizeof(aVal));
  lsmcBufInit(&key, pEnv);
  rc = pEnv->xOpen(pEnv, zPath, LSMC_OPEN_CREATE, &pFile);
  if( rc==LSMC_OK ) rc = lsmcSstBuilderNew(pEnv, pFile, &o, &pB);
  for(i=0; rc==LSMC_OK && i<nEntry; i++){
    char z[32];
    int n = snprintf(z, sizeof(z), "key%05d", i*3);
    int eKind = (i%7)==6 ? LSMC_KIND_DELETE : LSMC_KIND_PUT;
    lsmcIKeyBuild(&rc, &key, (const u8*)z, (size_t)n, 100 + (u64)i, eKind);
    if( rc==LSMC_OK ){
      rc = lsmcSstBuilderAdd(pB, key.a, key.n, aVal,
                             eKind==LSMC_KIND_PUT ? (size_t)(i%50) : 0);
    }
  }
  if( rc==LSMC_OK ) rc = lsmcSstBuilderFinish(pB, &nFile, 0);
  lsmcSstBuilderFree(pB);
  if( pFile ) pEnv->xClose(pFile);
  lsmcBufFree(&key);
  return rc!=LSMC_OK;
}

#define SST_MAX_SCAN 4096          /* Entries a scan visits at most */
#define SST_MAX_GETS 64            /* Lookups checked against the scan */

/* One entry of a scan, for comparing with lookups. */
typedef struct SstSeen SstSeen;
struct SstSeen {
  LsmcBuf key;                     /* Internal key */
  LsmcBuf val;                     /* Value */
};

/* Look up pKey (a user key) and return the code; checks the result. */
static int sstGet(SstReader *pR, const u8 *pKey, size_t nKey, int *peKind,
                  LsmcBuf *pVal){
  SstGetStat st;
  int rc;
  memset(&st, 0, sizeof(st));
  rc = lsmcSstGet(pR, pKey, nKey, LSMC_MAX_SEQ, peKind, pVal, &st);
  FUZZ_ASSERT( rc==LSMC_OK || rc==LSMC_NOTFOUND || rc==LSMC_CORRUPT );
  if( rc==LSMC_OK ){
    FUZZ_ASSERT( *peKind==LSMC_KIND_PUT || *peKind==LSMC_KIND_DELETE );
  }
  return rc;
}

int fuzzSstExercise(lsmc_env *pEnv, const char *zPath,
                    const uint8_t *aProbe, size_t nProbe){
  SstReader *pR = 0;
  LsmIter *pIt = 0;
  SstSeen *aSeen = 0;
  char *zMsg = 0;
  LsmcBuf val;
  int nSeen = 0, nFwd = 0, nBack = 0, i, eKind;
  int rcOpen, rcFwd = LSMC_OK, rcBack = LSMC_OK, rcVerify, rc;

  rcOpen = lsmcSstOpen(pEnv, zPath, &pR);
  FUZZ_ASSERT( rcOpen==LSMC_OK || rcOpen==LSMC_CORRUPT
            || rcOpen==LSMC_IOERR_NOENT );
  if( rcOpen ){
    fuzzTrace("sst: open rc %d", rcOpen);
    return rcOpen;
  }
  lsmcBufInit(&val, pEnv);
  aSeen = calloc(SST_MAX_GETS, sizeof(SstSeen));
  FUZZ_ASSERT( aSeen!=0 );

  /* Forward scan, remembering the first version of the first keys. */
  rc = lsmcSstIter(pR, &pIt);
  FUZZ_ASSERT( rc==LSMC_OK );
  for(rcFwd=lsmcIterFirst(pIt); rcFwd==LSMC_OK && lsmcIterValid(pIt)
      && nFwd<SST_MAX_SCAN; rcFwd=lsmcIterNext(pIt)){
    size_t nKey, nVal;
    const u8 *pKey = lsmcIterKey(pIt, &nKey);
    const u8 *pVal = lsmcIterValue(pIt, &nVal);
    FUZZ_ASSERT( nKey>=LSMC_TRAILER_SIZE );
    if( nSeen<SST_MAX_GETS && (nSeen==0
     || lsmcUKeyCompare(aSeen[nSeen-1].key.a, aSeen[nSeen-1].key.n - 8,
                        pKey, nKey - 8)!=0) ){
      int rc2 = LSMC_OK;
      lsmcBufInit(&aSeen[nSeen].key, pEnv);
      lsmcBufInit(&aSeen[nSeen].val, pEnv);
      lsmcBufSet(&rc2, &aSeen[nSeen].key, pKey, nKey);
      lsmcBufSet(&rc2, &aSeen[nSeen].val, pVal, nVal);
      FUZZ_ASSERT( rc2==LSMC_OK );
      nSeen++;
    }
    nFwd++;
  }
  FUZZ_ASSERT( rcFwd==LSMC_OK || rcFwd==LSMC_CORRUPT );

  /* Backward scan. */
  for(rcBack=lsmcIterLast(pIt); rcBack==LSMC_OK && lsmcIterValid(pIt)
      && nBack<SST_MAX_SCAN; rcBack=lsmcIterPrev(pIt)){
    nBack++;
  }
  FUZZ_ASSERT( rcBack==LSMC_OK || rcBack==LSMC_CORRUPT );

  /* Seeks and lookups with bytes of the probe. */
  for(i=0; nProbe>=LSMC_TRAILER_SIZE && i<8; i++){
    size_t n = LSMC_TRAILER_SIZE + (size_t)i*(nProbe-LSMC_TRAILER_SIZE)/8;
    rc = lsmcIterSeek(pIt, aProbe, n);
    FUZZ_ASSERT( rc==LSMC_OK || rc==LSMC_CORRUPT );
    rc = sstGet(pR, aProbe, n - LSMC_TRAILER_SIZE, &eKind, &val);
  }
  lsmcIterClose(pIt);

  /* A table the integrity check passes must read back consistently. */
  rcVerify = lsmcSstVerify(pR, &zMsg);
  fuzzTrace("sst: open ok, %d forward (rc %d), %d back (rc %d), verify %d %s",
            nFwd, rcFwd, nBack, rcBack, rcVerify, zMsg ? zMsg : "");
  FUZZ_ASSERT( rcVerify==LSMC_OK || rcVerify==LSMC_CORRUPT );
  FUZZ_ASSERT( (rcVerify==LSMC_OK)==(zMsg==0) );
  lsmcFree(pEnv, zMsg);
  if( rcVerify==LSMC_OK ){
    FUZZ_ASSERT( rcFwd==LSMC_OK && rcBack==LSMC_OK );
    FUZZ_ASSERT( nFwd==nBack || nFwd==SST_MAX_SCAN );
  }
  for(i=0; i<nSeen; i++){
    const SstSeen *e = &aSeen[i];
    u64 t = lsmcIKeyTrailer(e->key.a, e->key.n);
    rc = sstGet(pR, e->key.a, e->key.n - LSMC_TRAILER_SIZE, &eKind, &val);
    if( rcVerify==LSMC_OK ){
      FUZZ_ASSERT( rc==LSMC_OK && eKind==lsmcTrailerKind(t) );
      if( eKind==LSMC_KIND_PUT ){
        FUZZ_ASSERT( val.n==e->val.n
                  && (val.n==0 || memcmp(val.a, e->val.a, val.n)==0) );
      }
    }
    lsmcBufFree(&aSeen[i].key);
    lsmcBufFree(&aSeen[i].val);
  }
  free(aSeen);
  lsmcBufFree(&val);
  lsmcSstClose(pR);
  return rcOpen;
}

/* ---------------------------------------------------------- fix-ups */

void fuzzFixWal(uint8_t *a, size_t n){
  size_t iBlk;
  for(iBlk=0; iBlk<n; iBlk+=LSMC_WAL_BLOCK_SIZE){
    size_t nBlk = LSMC_MIN((size_t)LSMC_WAL_BLOCK_SIZE, n - iBlk);
    size_t i = 0;
    while( i + LSMC_WAL_HEADER_SIZE <= nBlk ){
      uint8_t *aHdr = &a[iBlk + i];
      size_t nPay = lsmcGet16(&aHdr[4]);
      if( i + LSMC_WAL_HEADER_SIZE + nPay > nBlk ) break;
      if( aHdr[6]==LSMC_WAL_ZERO && nPay==0 ) break;       /* Padding */
      lsmcPut32(aHdr, lsmcChecksum32(&aHdr[4], 3 + nPay, LSMC_WAL_SEED));
      i += LSMC_WAL_HEADER_SIZE + nPay;
    }
  }
}

/* Recompute the trailer checksum of the block pH names, if it is in
** range of a file whose blocks end at nLimit. */
static void fixSstBlock(uint8_t *a, u64 nLimit, const SstHandle *pH){
  if( lsmcSstHandleCheck(pH, nLimit)==LSMC_OK ){
    uint8_t *p = &a[pH->iOff];
    size_t nb = (size_t)pH->nSize;
    lsmcPut32(&p[nb+1], lsmcChecksum32(p, nb+1, LSMC_SST_BLOCK_SEED));
  }
}

void fuzzFixSst(uint8_t *a, size_t n){
  uint8_t *aFoot;
  SstFooter f;
  BlockIter it;
  u64 nLimit;
  if( n<LSMC_SST_FOOTER_SIZE ) return;
  aFoot = &a[n - LSMC_SST_FOOTER_SIZE];
  nLimit = n - LSMC_SST_FOOTER_SIZE;
  lsmcPut32(&aFoot[52], lsmcChecksum32(aFoot, 52, LSMC_SST_FOOTER_SEED));
  if( lsmcSstFooterDecode(aFoot, &f)!=LSMC_OK ) return;
  memset(&it, 0, sizeof(it));
  if( lsmcSstHandleCheck(&f.index, nLimit)==LSMC_OK
   && lsmcBlockIterInit(&it, lsmc_default_env(), &a[f.index.iOff],
                        (size_t)f.index.nSize)==LSMC_OK
  ){
    int nBlk = 0;
    int rc = lsmcBlockIterFirst(&it);
    while( rc==LSMC_OK && lsmcBlockIterValid(&it) && nBlk++<4096 ){
      size_t nVal;
      const uint8_t *pVal = lsmcBlockIterValue(&it, &nVal);
      SstHandle h;
      if( lsmcSstHandleDecode(pVal, nVal, &h)==LSMC_OK ){
        fixSstBlock(a, nLimit, &h);
      }
      rc = lsmcBlockIterNext(&it);
    }
  }
  if( it.pEnv ) lsmcBlockIterClear(&it);
  if( f.filter.nSize ) fixSstBlock(a, nLimit, &f.filter);
  fixSstBlock(a, nLimit, &f.props);
  fixSstBlock(a, nLimit, &f.index);
}

void fuzzFixIdentity(uint8_t *a, size_t n){
  if( n==24 ) lsmcPut32(&a[20], lsmcChecksum32(a, 20, 0x6c736d632d696400ULL));
}

/* ---------------------------------------------------------- input */

uint8_t fuzzInByte(FuzzIn *p){
  return p->i<p->n ? p->a[p->i++] : 0;
}

uint16_t fuzzInU16(FuzzIn *p){
  uint16_t lo = fuzzInByte(p);
  return (uint16_t)(lo | (fuzzInByte(p) << 8));
}

const uint8_t *fuzzInBytes(FuzzIn *p, size_t n, size_t *pn){
  const uint8_t *pRet = &p->a[p->i];
  if( n>p->n - p->i ) n = p->n - p->i;
  p->i += n;
  *pn = n;
  return pRet;
}

size_t fuzzInLeft(const FuzzIn *p){
  return p->n - p->i;
}

/* ---------------------------------------------------------- container */

void fuzzStoreName(int eKind, unsigned iNum, char *z, size_t nz){
  switch( eKind ){
    case FUZZ_KIND_MANIFEST: snprintf(z, nz, "MANIFEST-%06u", iNum); break;
    case FUZZ_KIND_CURRENT:  snprintf(z, nz, "CURRENT"); break;
    case FUZZ_KIND_IDENTITY: snprintf(z, nz, "IDENTITY"); break;
    case FUZZ_KIND_SST:      snprintf(z, nz, "%06u.sst", iNum); break;
    default:                 snprintf(z, nz, "%06u.log", iNum); break;
  }
}

/* ---------------------------------------------------------- seeds */

int fuzzSeedWrite(const char *zDir, const char *zName, const void *a,
                  size_t n){
  char zPath[4096];
  FILE *f;
  snprintf(zPath, sizeof(zPath), "%s/%s", zDir, zName);
  f = fopen(zPath, "wb");
  if( f==0 || fwrite(a, 1, n, f)!=n ){
    fprintf(stderr, "cannot write %s\n", zPath);
    if( f ) fclose(f);
    return 1;
  }
  return fclose(f)!=0;
}
