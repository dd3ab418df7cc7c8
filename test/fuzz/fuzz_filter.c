/*
** fuzz_filter.c -- libFuzzer target for the SSTable filter block, the
** cache-line-blocked bloom filter (lsmcore/bloom.c, TESTPLAN F1).
**
** Two uses of the input:
**   1. As a filter block read from a file (an allocation of exactly its
**      size): lsmcBloomCheck validates it and, if it passes, the reader
**      probes it as a lookup does (lsmcBloomMayContain) with the hashes of
**      every 1..8-byte window of the input and with raw 64-bit values.
**   2. As keys: byte 0 picks the bits per key (1..32), the rest is split
**      into keys at every 0x00 byte; a filter built from their hashes
**      (lsmcBloomBuild) is checked and probed again for every key.
**
** Pass bar (abort on violation): no memory error or leak; the checker
** answers only OK or CORRUPT, and OK only for a block whose size agrees
** with its line count; a filter built by the builder passes the checker;
** no false negative: every key added is reported as possibly present.
*/
#include "fuzzutil.h"
#include "lsmcInt.h"
#include "bloom.h"
#include "coding.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define FILTER_MAX_KEYS 4096     /* Keys of the round trip */

/* Use 1: the input as a filter block. */
static void filterProbeRaw(const u8 *aData, size_t nData){
  u8 *a = malloc(nData ? nData : 1);
  size_t i, w;
  int rc;
  if( a==0 ) return;
  memcpy(a, aData, nData);
  rc = lsmcBloomCheck(a, nData);
  FUZZ_ASSERT( rc==LSMC_OK || rc==LSMC_CORRUPT );
  if( rc==LSMC_OK ){
    u64 nLines = lsmcGet32(&a[nData-4]);
    FUZZ_ASSERT( nLines*LSMC_BLOOM_LINE + LSMC_BLOOM_TAIL==nData );
    for(i=0; i<nData && i<512; i++){
      for(w=1; w<=8 && i+w<=nData; w++){
        int b = lsmcBloomMayContain(a, nData, lsmcHash64(&a[i], w));
        FUZZ_ASSERT( b==0 || b==1 );
      }
      if( i+8<=nData ) (void)lsmcBloomMayContain(a, nData, lsmcGet64(&a[i]));
    }
    (void)lsmcBloomMayContain(a, nData, 0);
    (void)lsmcBloomMayContain(a, nData, ~(u64)0);
  }
  free(a);
}

/* Use 2: build a filter over keys from the input and probe every key. */
static void filterRoundTrip(const u8 *aData, size_t nData){
  u64 *aHash;
  size_t nHash = 0, i, iStart = 1;
  u32 nBits;
  LsmcBuf out;
  int rc = LSMC_OK;
  if( nData<1 ) return;
  nBits = 1 + aData[0] % 32;
  aHash = malloc(sizeof(u64)*FILTER_MAX_KEYS);
  if( aHash==0 ) return;
  for(i=1; i<=nData && nHash<FILTER_MAX_KEYS; i++){
    if( i==nData || aData[i]==0 ){
      aHash[nHash++] = lsmcHash64(&aData[iStart], i - iStart);
      iStart = i + 1;
    }
  }
  lsmcBufInit(&out, lsmc_default_env());
  lsmcBloomBuild(&rc, &out, aHash, nHash, nBits);
  FUZZ_ASSERT( rc==LSMC_OK );
  FUZZ_ASSERT( lsmcBloomCheck(out.a, out.n)==LSMC_OK );
  FUZZ_ASSERT( out.a[out.n-5]==lsmcBloomProbes(nBits) );
  for(i=0; i<nHash; i++){
    FUZZ_ASSERT( lsmcBloomMayContain(out.a, out.n, aHash[i])==1 );
  }
  lsmcBufFree(&out);
  free(aHash);
}

int LLVMFuzzerTestOneInput(const uint8_t *aData, size_t nData){
  filterProbeRaw(aData, nData);
  filterRoundTrip(aData, nData);
  return 0;
}

/* ---------------------------------------------------------- seeds */

/* Write a filter over keys "k<i>" at nBits bits per key. */
static int filterSeed(const char *zDir, const char *zName, int nKey,
                      u32 nBits){
  u64 *aHash = malloc(sizeof(u64)*(size_t)(nKey + 1));
  LsmcBuf out;
  int rc = LSMC_OK, i, bad;
  if( aHash==0 ) return 1;
  for(i=0; i<nKey; i++){
    char z[32];
    int n = snprintf(z, sizeof(z), "k%d", i);
    aHash[i] = lsmcHash64(z, (size_t)n);
  }
  lsmcBufInit(&out, lsmc_default_env());
  lsmcBloomBuild(&rc, &out, aHash, (size_t)nKey, nBits);
  bad = rc!=LSMC_OK || fuzzSeedWrite(zDir, zName, out.a, out.n);
  lsmcBufFree(&out);
  free(aHash);
  return bad;
}

int fuzzMakeSeeds(const char *zDir);
int fuzzMakeSeeds(const char *zDir){
  static const u8 aKeys[] = "\x0a" "alpha\0beta\0gamma\0\0delta";
  int rc = 0;
  rc |= filterSeed(zDir, "none", 0, 10);
  rc |= filterSeed(zDir, "ten", 10, 10);
  rc |= filterSeed(zDir, "k1", 100, 1);
  rc |= filterSeed(zDir, "k32", 40, 32);
  rc |= filterSeed(zDir, "lines", 300, 10);
  rc |= fuzzSeedWrite(zDir, "keys", aKeys, sizeof(aKeys) - 1);
  return rc;
}
