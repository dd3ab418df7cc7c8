/*
** fuzz_index.c -- libFuzzer target for the SSTable index block: block
** handles (lsmcore/sst_format.c) read through the index (lsmcore/block.c)
** by the table reader (lsmcore/sst_reader.c), TESTPLAN F1.
**
** A real table (60 entries in 256-byte data blocks, with a filter) is
** built once.  Each input replaces its index block: the file becomes the
** table's data, filter and properties blocks, then the input as the index
** block with a valid trailer, then a valid footer naming it.  So every
** handle the fuzzer writes is checked by the reader against real blocks.
** The target decodes every index entry's handle as the reader does
** (lsmcSstHandleDecode, lsmcSstHandleCheck), then opens the table and
** scans, seeks, looks up and verifies it (fuzzSstExercise).
**
** Pass bar (abort on violation): no memory error or leak; handle checks
** accept only blocks that lie inside the data area; the reader returns
** only OK, CORRUPT or NOTFOUND; a table that lsmcSstVerify passes scans
** cleanly in both directions and every key of the scan is found by a
** lookup with the scan's kind and value (fuzzutil.c).
*/
#include "fuzzutil.h"
#include "lsmcInt.h"
#include "block.h"
#include "coding.h"
#include "sst_format.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The table the inputs are grafted onto, built on first use. */
static FuzzMem gBase;
static const u8 *gaBase = 0;     /* Its bytes */
static SstFooter gFoot;          /* Its footer */

/* Build the base table once. */
static void indexInit(void){
  size_t n = 0;
  if( gaBase ) return;
  fuzzMemInit(&gBase);
  FUZZ_ASSERT( fuzzSstBuild(&gBase, "/base.sst", 60, 10, 256, 4)==0 );
  gaBase = fuzzMemGet(&gBase, "/base.sst", &n);
  FUZZ_ASSERT( gaBase && n>LSMC_SST_FOOTER_SIZE );
  FUZZ_ASSERT( lsmcSstFooterDecode(&gaBase[n-LSMC_SST_FOOTER_SIZE],
                                   &gFoot)==LSMC_OK );
  /* The index is the last block: everything before it is kept. */
  FUZZ_ASSERT( gFoot.index.iOff > gFoot.props.iOff );
}

/* Decode every index entry's handle, as the reader does on a lookup. */
static void indexHandles(const u8 *a, size_t n){
  BlockIter it;
  int rc = lsmcBlockIterInit(&it, lsmc_default_env(), a, n);
  int nEnt = 0;
  FUZZ_ASSERT( rc==LSMC_OK || rc==LSMC_CORRUPT );
  if( rc==LSMC_OK ) rc = lsmcBlockIterFirst(&it);
  while( rc==LSMC_OK && lsmcBlockIterValid(&it) && nEnt++<4096 ){
    size_t nVal;
    const u8 *pVal = lsmcBlockIterValue(&it, &nVal);
    SstHandle h;
    if( lsmcSstHandleDecode(pVal, nVal, &h)==LSMC_OK
     && lsmcSstHandleCheck(&h, gFoot.index.iOff)==LSMC_OK ){
      FUZZ_ASSERT( h.iOff + h.nSize + LSMC_SST_TRAILER_SIZE
                   <= gFoot.index.iOff );
    }
    rc = lsmcBlockIterNext(&it);
  }
  FUZZ_ASSERT( rc==LSMC_OK || rc==LSMC_CORRUPT );
  lsmcBlockIterClear(&it);
}

int LLVMFuzzerTestOneInput(const uint8_t *aData, size_t nData){
  FuzzMem mem;
  LsmcBuf file;
  SstFooter f;
  u8 aFoot[LSMC_SST_FOOTER_SIZE];
  int rc = LSMC_OK;
  u8 *a;

  indexInit();
  a = malloc(nData ? nData : 1);
  if( a==0 ) return 0;
  memcpy(a, aData, nData);
  indexHandles(a, nData);

  /* Graft the input as the index block. */
  lsmcBufInit(&file, lsmc_default_env());
  lsmcBufAppend(&rc, &file, gaBase, (size_t)gFoot.index.iOff);
  lsmcBufAppend(&rc, &file, a, nData);
  f = gFoot;
  f.index.nSize = nData;
  {
    LsmcBuf blk;
    lsmcBufInit(&blk, lsmc_default_env());
    lsmcBufAppend(&rc, &blk, a, nData);
    lsmcSstTrailerAppend(&rc, &blk);
    if( rc==LSMC_OK ){
      lsmcBufAppend(&rc, &file, &blk.a[nData], LSMC_SST_TRAILER_SIZE);
    }
    lsmcBufFree(&blk);
  }
  lsmcSstFooterEncode(aFoot, &f);
  lsmcBufAppend(&rc, &file, aFoot, sizeof(aFoot));
  fuzzMemInit(&mem);
  if( rc==LSMC_OK && fuzzMemPut(&mem, "/t/000001.sst", file.a, file.n)==0 ){
    fuzzSstExercise(&mem.base, "/t/000001.sst", a, nData);
  }
  fuzzMemFree(&mem);
  lsmcBufFree(&file);
  free(a);
  return 0;
}

/* ---------------------------------------------------------- seeds */

/* Write the index block of a table built with these settings. */
static int indexSeed(const char *zDir, const char *zName, int nEntry,
                     unsigned nBlock, unsigned nRestart){
  FuzzMem mem;
  SstFooter ft;
  size_t n = 0;
  const u8 *a;
  int rc = 1;
  fuzzMemInit(&mem);
  if( fuzzSstBuild(&mem, "/s.sst", nEntry, 10, nBlock, nRestart)==0 ){
    a = fuzzMemGet(&mem, "/s.sst", &n);
    if( lsmcSstFooterDecode(&a[n-LSMC_SST_FOOTER_SIZE], &ft)==LSMC_OK ){
      rc = fuzzSeedWrite(zDir, zName, &a[ft.index.iOff],
                         (size_t)ft.index.nSize);
    }
  }
  fuzzMemFree(&mem);
  return rc;
}

int fuzzMakeSeeds(const char *zDir);
int fuzzMakeSeeds(const char *zDir){
  int rc = 0;
  /* The base table's own index (the handles match its blocks). */
  rc |= indexSeed(zDir, "base", 60, 256, 4);
  rc |= indexSeed(zDir, "coarse", 60, 1024, 4);
  rc |= indexSeed(zDir, "one-block", 5, 4096, 16);
  rc |= indexSeed(zDir, "empty", 0, 256, 4);
  return rc;
}
