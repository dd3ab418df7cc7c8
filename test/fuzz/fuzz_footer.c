/*
** fuzz_footer.c -- libFuzzer target for the SSTable footer and the
** properties block (lsmcore/sst_format.c), and the table open that
** trusts them (lsmcore/sst_reader.c), TESTPLAN F1.
**
** Input:
**     byte 0     flags: bit 0 recompute the footer checksum, bit 1
**                recompute every block trailer (fuzzFixSst)
**     byte 1     which real table to graft onto (mod 3): with a filter,
**                without one, empty
**     bytes 2..65  written over the table's real footer (a shorter input
**                changes only its first bytes)
**     the rest   extra bytes placed between the table's blocks and the
**                footer, where the footer's handles may point (a forged
**                properties, filter or index block)
** The target decodes the 64 footer bytes directly (lsmcSstFooterDecode,
** an allocation of exactly 64 bytes), decodes the extra bytes as a
** properties block and re-encodes what decodes, then opens the file and
** scans, seeks, looks up and verifies it (fuzzSstExercise).
**
** Pass bar (abort on violation): no memory error or leak; the footer
** decoder accepts only the magic, version and checksum of the format; a
** decoded properties block re-encodes to bytes that decode to the same
** fields; the reader returns only OK, CORRUPT or NOTFOUND, and a table
** that lsmcSstVerify passes reads back consistently (fuzzutil.c).
*/
#include "fuzzutil.h"
#include "lsmcInt.h"
#include "coding.h"
#include "sst_builder.h"
#include "sst_format.h"

#include <stdlib.h>
#include <string.h>

/* The tables inputs are grafted onto, built on first use. */
static FuzzMem gBase;
static int gbInit = 0;
static const char *const gazBase[3] = {
  "/bloom.sst", "/plain.sst", "/empty.sst"
};

static void footerInit(void){
  if( gbInit ) return;
  gbInit = 1;
  fuzzMemInit(&gBase);
  FUZZ_ASSERT( fuzzSstBuild(&gBase, gazBase[0], 30, 10, 256, 4)==0 );
  FUZZ_ASSERT( fuzzSstBuild(&gBase, gazBase[1], 30, 0, 512, 16)==0 );
  FUZZ_ASSERT( fuzzSstBuild(&gBase, gazBase[2], 0, 10, 4096, 16)==0 );
}

/* Decode a[0..n) as a properties block; re-encode it and compare. */
static void footerProps(const u8 *a, size_t n){
  SstProps p, q;
  LsmcBuf enc;
  int rc = LSMC_OK;
  lsmcSstPropsInit(&p, lsmc_default_env());
  lsmcSstPropsInit(&q, lsmc_default_env());
  lsmcBufInit(&enc, lsmc_default_env());
  if( lsmcSstPropsDecode(a, n, &p)==LSMC_OK ){
    lsmcSstPropsEncode(&rc, &enc, &p);
    FUZZ_ASSERT( rc==LSMC_OK );
    FUZZ_ASSERT( lsmcSstPropsDecode(enc.a, enc.n, &q)==LSMC_OK );
    FUZZ_ASSERT( p.nEntries==q.nEntries && p.nDeletes==q.nDeletes );
    FUZZ_ASSERT( p.nDataBlocks==q.nDataBlocks && p.nRawKey==q.nRawKey );
    FUZZ_ASSERT( p.nRawValue==q.nRawValue && p.iMinSeq==q.iMinSeq );
    FUZZ_ASSERT( p.iMaxSeq==q.iMaxSeq && p.nBloomBits==q.nBloomBits );
    FUZZ_ASSERT( p.smallest.n==q.smallest.n && p.largest.n==q.largest.n );
    FUZZ_ASSERT( p.smallest.n==0
              || memcmp(p.smallest.a, q.smallest.a, p.smallest.n)==0 );
    FUZZ_ASSERT( p.largest.n==0
              || memcmp(p.largest.a, q.largest.a, p.largest.n)==0 );
  }
  lsmcBufFree(&enc);
  lsmcSstPropsFree(&p);
  lsmcSstPropsFree(&q);
}

int LLVMFuzzerTestOneInput(const uint8_t *aData, size_t nData){
  FuzzIn in = { aData, nData, 0 };
  u8 flags, *aFoot, *aFile;
  const u8 *aBase, *pOver, *pExtra;
  size_t nBase = 0, nOver, nExtra, nBody, nFile;
  SstFooter f;
  FuzzMem mem;
  int rc;

  footerInit();
  flags = fuzzInByte(&in);
  aBase = fuzzMemGet(&gBase, gazBase[fuzzInByte(&in) % 3], &nBase);
  pOver = fuzzInBytes(&in, LSMC_SST_FOOTER_SIZE, &nOver);
  pExtra = fuzzInBytes(&in, nData, &nExtra);
  nBody = nBase - LSMC_SST_FOOTER_SIZE;

  /* The footer alone, in an exact allocation. */
  aFoot = malloc(LSMC_SST_FOOTER_SIZE);
  if( aFoot==0 ) return 0;
  memcpy(aFoot, &aBase[nBody], LSMC_SST_FOOTER_SIZE);
  memcpy(aFoot, pOver, nOver);
  if( flags & 0x01 ){
    lsmcPut32(&aFoot[52], lsmcChecksum32(aFoot, 52, LSMC_SST_FOOTER_SEED));
  }
  rc = lsmcSstFooterDecode(aFoot, &f);
  FUZZ_ASSERT( rc==LSMC_OK || rc==LSMC_CORRUPT );
  if( rc==LSMC_OK ){
    FUZZ_ASSERT( lsmcGet64(&aFoot[56])==LSMC_SST_MAGIC );
    FUZZ_ASSERT( f.iVersion==LSMC_SST_VERSION );
    FUZZ_ASSERT( lsmcGet32(&aFoot[52])
                 ==lsmcChecksum32(aFoot, 52, LSMC_SST_FOOTER_SEED) );
  }
  footerProps(pExtra, nExtra);

  /* The whole file: body, extra bytes, footer. */
  nFile = nBody + nExtra + LSMC_SST_FOOTER_SIZE;
  aFile = malloc(nFile);
  if( aFile ){
    memcpy(aFile, aBase, nBody);
    if( nExtra ) memcpy(&aFile[nBody], pExtra, nExtra);
    memcpy(&aFile[nBody+nExtra], aFoot, LSMC_SST_FOOTER_SIZE);
    if( flags & 0x02 ) fuzzFixSst(aFile, nFile);
    fuzzMemInit(&mem);
    if( fuzzMemPut(&mem, "/t/000001.sst", aFile, nFile)==0 ){
      fuzzSstExercise(&mem.base, "/t/000001.sst", pExtra, nExtra);
    }
    fuzzMemFree(&mem);
    free(aFile);
  }
  free(aFoot);
  return 0;
}

/* ---------------------------------------------------------- seeds */

int fuzzMakeSeeds(const char *zDir);
int fuzzMakeSeeds(const char *zDir){
  static const struct { const char *zName; u8 flags, iBase; int eMod; } a[] = {
    { "bloom-as-is",     0x00, 0, 0 },
    { "plain-as-is",     0x00, 1, 0 },
    { "empty-as-is",     0x00, 2, 0 },
    { "bloom-nofilter",  0x01, 0, 1 },  /* filter handle cleared */
    { "plain-props",     0x03, 1, 2 },  /* props moved to extra bytes */
    { "bloom-index",     0x03, 0, 3 },  /* index copied to extra bytes */
  };
  int rc = 0;
  size_t i;
  footerInit();
  for(i=0; i<sizeof(a)/sizeof(a[0]); i++){
    size_t nBase = 0, nBody, nSeed = 2 + LSMC_SST_FOOTER_SIZE;
    const u8 *aBase = fuzzMemGet(&gBase, gazBase[a[i].iBase], &nBase);
    u8 aSeed[2 + LSMC_SST_FOOTER_SIZE + 1024];
    SstFooter f;
    nBody = nBase - LSMC_SST_FOOTER_SIZE;
    lsmcSstFooterDecode(&aBase[nBody], &f);
    aSeed[0] = a[i].flags;
    aSeed[1] = a[i].iBase;
    if( a[i].eMod==1 ){
      f.filter.iOff = f.filter.nSize = 0;
    }else if( a[i].eMod>=2 ){
      SstHandle *pH = a[i].eMod==2 ? &f.props : &f.index;
      size_t nBlk = (size_t)pH->nSize + LSMC_SST_TRAILER_SIZE;
      if( nBlk<=1024 ){
        memcpy(&aSeed[nSeed], &aBase[pH->iOff], nBlk);
        pH->iOff = nBody;
        nSeed += nBlk;
      }
    }
    lsmcSstFooterEncode(&aSeed[2], &f);
    rc |= fuzzSeedWrite(zDir, a[i].zName, aSeed, nSeed);
  }
  return rc;
}
