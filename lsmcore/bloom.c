/*
** bloom.c -- builds and probes the cache-line-blocked bloom filter of an
** SSTable (format in sst_format.h, FILTER BLOCK).
**
** A key's 64-bit hash h picks one 512-bit line from its upper 32 bits by
** "fastrange" (((h >> 32) * nLines) >> 32, a multiply instead of a
** modulo); k bits inside that line come from enhanced double hashing
** (Dillinger and Manolios) of the two 32-bit halves of h, computed mod
** 2^32 and scaled to a bit by taking the top 9 bits.  Plain double hashing
** (x + i*y) was tried first: its probe sets are arithmetic progressions,
** which overlap between keys, and at 20 bits/key it gave 3x the false
** positives of this scheme.  k = round(0.69 * bits per key), the optimum
** ln 2 * m/n for an unblocked filter.
**
** Blocking costs accuracy: the number of keys per line varies (Poisson),
** so the false-positive rate is E[(1 - (1-1/512)^(kX))^k] over the keys
** X of a line, not (1 - e^(-kn/m))^k: 1.0x that at 5 bits/key, 1.17x at
** 10 and 3.3x at 20.
**
** Invariant of a checked filter: n = 64*nLines + 5, nLines >= 1, k in
** [1, 30].  Thread safety: pure functions.
*/
#include "bloom.h"
#include "coding.h"

#define BLOOM_GOLDEN 0x9E3779B9u     /* 2^32 / phi: mixes the upper half */

/*
** Probes per key: round(0.69 * bits per key), at least 1, at most 30.
*/
u32 lsmcBloomProbes(u32 nBitsPerKey){
  u32 k = (u32)((double)nBitsPerKey * 0.69 + 0.5);
  if( k<1 ) k = 1;
  if( k>LSMC_BLOOM_MAX_PROBES ) k = LSMC_BLOOM_MAX_PROBES;
  return k;
}

/* The line of a filter with nLines lines that hash h uses. */
static u32 bloomLine(u64 h, u32 nLines){
  return (u32)(((h>>32) * (u64)nLines) >> 32);
}

/*
** Append the filter for aHash[0..nHash) to pOut: the bit lines, then the
** probe count and the line count.
*/
void lsmcBloomBuild(
  int *pRc,                       /* IN/OUT: error code */
  LsmcBuf *pOut,                  /* Filter appended here */
  const u64 *aHash, size_t nHash, /* Hashes of the distinct user keys */
  u32 nBitsPerKey                 /* Bits per key, >= 1 */
){
  u64 nBits = (u64)nHash * (nBitsPerKey ? nBitsPerKey : 1);
  u64 nLines64 = (nBits + 511)/512;
  u32 nLines, k, i;
  size_t iBase;
  u8 *aBits;

  if( *pRc ) return;
  if( nLines64==0 ) nLines64 = 1;
  if( nLines64>(LSMC_MAX_VALUE/LSMC_BLOOM_LINE) ){
    *pRc = LSMC_MISUSE_BKPT;          /* Filter would exceed a block */
    return;
  }
  nLines = (u32)nLines64;
  k = lsmcBloomProbes(nBitsPerKey);
  iBase = pOut->n;
  lsmcBufReserve(pRc, pOut, (size_t)nLines*LSMC_BLOOM_LINE + LSMC_BLOOM_TAIL);
  if( *pRc ) return;
  aBits = &pOut->a[iBase];
  memset(aBits, 0, (size_t)nLines*LSMC_BLOOM_LINE);
  for(i=0; i<nHash; i++){
    u64 h = aHash[i];
    u8 *aLine = &aBits[(size_t)bloomLine(h, nLines)*LSMC_BLOOM_LINE];
    u32 x = (u32)h;
    u32 y = (u32)(h>>32) * BLOOM_GOLDEN;
    u32 j;
    for(j=0; j<k; j++){
      u32 iBit = x >> 23;
      aLine[iBit>>3] |= (u8)(1 << (iBit & 7));
      x += y;
      y += BLOOM_GOLDEN*(j+1);
    }
  }
  pOut->n += (size_t)nLines*LSMC_BLOOM_LINE;
  pOut->a[pOut->n++] = (u8)k;
  lsmcPut32(&pOut->a[pOut->n], nLines);
  pOut->n += 4;
}

/*
** Check that a[0..n) is a well-formed filter: the tail's counts are in
** range and agree with n.
*/
int lsmcBloomCheck(const u8 *a, size_t n){
  u32 k, nLines;
  if( n<LSMC_BLOOM_LINE+LSMC_BLOOM_TAIL ) return LSMC_CORRUPT_BKPT;
  k = a[n-5];
  nLines = lsmcGet32(&a[n-4]);
  if( k<1 || k>LSMC_BLOOM_MAX_PROBES ) return LSMC_CORRUPT_BKPT;
  if( nLines==0 ) return LSMC_CORRUPT_BKPT;
  if( (u64)nLines*LSMC_BLOOM_LINE + LSMC_BLOOM_TAIL != (u64)n ){
    return LSMC_CORRUPT_BKPT;
  }
  return LSMC_OK;
}

/*
** Shape, fill and expected false-positive rate of a filter (bloom.h).
*/
void lsmcBloomStats(const u8 *a, size_t n, BloomStats *p){
  u32 iLine, j;
  double fSum = 0.0;
  assert( lsmcBloomCheck(a, n)==LSMC_OK );
  p->nProbes = a[n-5];
  p->nLines = lsmcGet32(&a[n-4]);
  p->nBitsSet = 0;
  for(iLine=0; iLine<p->nLines; iLine++){
    const u8 *aLine = &a[(size_t)iLine*LSMC_BLOOM_LINE];
    u32 nSet = 0;
    double fHit = 1.0;
    for(j=0; j<LSMC_BLOOM_LINE; j++) nSet += (u32)__builtin_popcount(aLine[j]);
    p->nBitsSet += nSet;
    for(j=0; j<p->nProbes; j++) fHit *= (double)nSet / (LSMC_BLOOM_LINE*8);
    fSum += fHit;
  }
  p->fFpr = fSum / (double)p->nLines;
}

/*
** Probe: true unless one of the key's k bits is clear.
*/
int lsmcBloomMayContain(const u8 *a, size_t n, u64 h){
  u32 k = a[n-5];
  u32 nLines = lsmcGet32(&a[n-4]);
  const u8 *aLine = &a[(size_t)bloomLine(h, nLines)*LSMC_BLOOM_LINE];
  u32 x = (u32)h;
  u32 y = (u32)(h>>32) * BLOOM_GOLDEN;
  u32 j;
  assert( lsmcBloomCheck(a, n)==LSMC_OK );
#if defined(LSMV_FUZZ_CANARY) && LSMV_FUZZ_CANARY==4
  /* TEST CANARY (TESTPLAN F4), compiled only by build-aux/fuzz.sh's
  ** canary build of fuzz_filter: a planted out-of-bounds read that the
  ** fuzzer must reach, proving the target gets here.  Never active
  ** otherwise. */
  if( k==29 ){
    static const u8 aCanary[4] = {0};
    const volatile u8 *pCanary = aCanary;
    volatile int iCanary = 4;
    (void)pCanary[iCanary];
  }
#endif
  for(j=0; j<k; j++){
    u32 iBit = x >> 23;
    if( (aLine[iBit>>3] & (1 << (iBit & 7)))==0 ) return 0;
    x += y;
    y += BLOOM_GOLDEN*(j+1);
  }
  return 1;
}

/*
** The live filter (bloom.h).  Bit i of a line is bit (i & 63) of word
** i >> 6; the probe sequence is the one above.
*/
void lsmcBloomLiveAdd(_Atomic(u64) *aWord, u32 nLines, u64 h){
  _Atomic(u64) *aLine = &aWord[(size_t)bloomLine(h, nLines)*8];
  u32 x = (u32)h;
  u32 y = (u32)(h>>32) * BLOOM_GOLDEN;
  u32 j;
  for(j=0; j<LSMC_BLOOM_LIVE_PROBES; j++){
    u32 iBit = x >> 23;
    atomic_fetch_or_explicit(&aLine[iBit>>6], (u64)1 << (iBit & 63),
                             memory_order_relaxed);
    x += y;
    y += BLOOM_GOLDEN*(j+1);
  }
}

void lsmcBloomLivePrefetch(_Atomic(u64) *aWord, u32 nLines, u64 h){
  __builtin_prefetch((const void*)&aWord[(size_t)bloomLine(h, nLines)*8], 1);
}

int lsmcBloomLiveMayContain(_Atomic(u64) *aWord, u32 nLines, u64 h){
  _Atomic(u64) *aLine = &aWord[(size_t)bloomLine(h, nLines)*8];
  u32 x = (u32)h;
  u32 y = (u32)(h>>32) * BLOOM_GOLDEN;
  u32 j;
  for(j=0; j<LSMC_BLOOM_LIVE_PROBES; j++){
    u32 iBit = x >> 23;
    u64 w = atomic_load_explicit(&aLine[iBit>>6], memory_order_relaxed);
    if( (w & ((u64)1 << (iBit & 63)))==0 ) return 0;
    x += y;
    y += BLOOM_GOLDEN*(j+1);
  }
  return 1;
}
