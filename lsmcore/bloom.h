/*
** bloom.h -- the SSTable's filter: one cache-line-blocked bloom filter
** over the table's distinct user keys (format in sst_format.h, FILTER
** BLOCK).  Each key touches one 64-byte line, so a probe costs one cache
** miss.  The builder hands in the 64-bit hashes (lsmcHash64 of each user
** key); a reader validates the block once (lsmcBloomCheck) and then
** probes it with the hash of the key it looks up.
**
** Thread safety: the functions are pure, or append to the buffer given.
*/
#ifndef LSMC_BLOOM_H
#define LSMC_BLOOM_H

#include "lsmcInt.h"

#include <stdatomic.h>

#define LSMC_BLOOM_LINE   64      /* Bytes in one cache line */
#define LSMC_BLOOM_TAIL   5       /* u8 probes + u32 line count */
#define LSMC_BLOOM_MAX_PROBES 30

/* Probes per key for nBitsPerKey: round(bits * 0.69) in [1, 30]. */
u32 lsmcBloomProbes(u32 nBitsPerKey);

/* Append a filter over aHash[0..nHash) at nBitsPerKey (>= 1) to pOut. */
void lsmcBloomBuild(int *pRc, LsmcBuf *pOut, const u64 *aHash, size_t nHash,
                    u32 nBitsPerKey);

/* LSMC_OK if a[0..n) is a well-formed filter, else LSMC_CORRUPT. */
int lsmcBloomCheck(const u8 *a, size_t n);

/* False if the key whose hash is h is certainly absent.
** REQUIRES: lsmcBloomCheck(a, n) returned LSMC_OK. */
int lsmcBloomMayContain(const u8 *a, size_t n, u64 h);

/*
** The shape and fill of a checked filter a[0..n): its lines, probes per
** key, bits set, and the false-positive rate expected of a key that is
** not in it at this fill: the mean over the lines of (bits set in the
** line / 512)^k, since an absent key probes one line chosen uniformly and
** each probe lands on a set bit with that line's fill.  REQUIRES:
** lsmcBloomCheck(a, n) returned LSMC_OK.
*/
typedef struct BloomStats BloomStats;
struct BloomStats {
  u32 nLines;          /* 512-bit lines */
  u32 nProbes;         /* k */
  u64 nBitsSet;        /* Bits set over all lines */
  double fFpr;         /* Expected false-positive rate */
};
void lsmcBloomStats(const u8 *a, size_t n, BloomStats *pStats);

/*
** A live filter: built while keys arrive, for the memtable.  nLines lines
** of 512 bits (8 words each), LSMC_BLOOM_LIVE_PROBES probes per key, the
** same line and probe scheme as the SSTable filter.  The one writer sets
** bits with atomic ORs, so lock-free readers may probe concurrently; a key
** whose insertion a reader is entitled to see (published before the
** reader's sequence number) has all its bits visible to that reader.
*/
#define LSMC_BLOOM_LIVE_PROBES 6
void lsmcBloomLiveAdd(_Atomic(u64) *aWord, u32 nLines, u64 h);
int lsmcBloomLiveMayContain(_Atomic(u64) *aWord, u32 nLines, u64 h);
/* Start loading the line of h (lsmcBloomLiveAdd of it comes later). */
void lsmcBloomLivePrefetch(_Atomic(u64) *aWord, u32 nLines, u64 h);

#endif /* LSMC_BLOOM_H */
