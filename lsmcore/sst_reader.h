/*
** sst_reader.h -- reads one SSTable: point lookups through the bloom
** filter and the sparse index, and a two-level iterator over every entry.
**
** Opening reads and verifies the footer, the index, the filter and the
** properties blocks and keeps them in memory: filters and indexes are
** pinned per open table; the table cache bounds open tables.  Data blocks
** are read on demand.  A reader opened with lsmcSstOpenCached shares a
** block cache (cache.h): each data block is read from the file, its
** checksum and restart array verified, and inserted under (the reader's
** cache id, the block's file offset) with a charge of its allocated bytes;
** a block found in the cache is used without any further check.  A
** damaged block is never inserted, so it is reported as LSMC_CORRUPT at
** every read.  Without a cache (lsmcSstOpen) every read verifies a fresh
** copy that its user frees.  Closing a cached reader erases its blocks
** from the cache.  lsmcSstVerify always reads the file, never the cache.
**
** Cache counters: a Get adds its hits and misses to its SstGetStat; the
** iterators of a reader add theirs to two atomic counters of the reader,
** read with lsmcSstCacheCounters (Gets are not counted there, so summing
** both never counts a lookup twice).  The cache's own CacheStats counts
** every lookup of every table sharing it.
**
** Thread safety: after open returns, a reader is immutable apart from
** those atomic counters; any number of threads may call Get and create
** iterators concurrently.  REQUIRES: the reader outlives every iterator
** made from it, and the cache outlives the reader.
*/
#ifndef LSMC_SST_READER_H
#define LSMC_SST_READER_H

#include "lsmcInt.h"
#include "iter.h"
#include "sst_format.h"
#include "cache.h"

typedef struct SstReader SstReader;

/*
** Open zPath.  Returns LSMC_CORRUPT for any malformed or mismatched block
** (bad magic, version, checksum, handle out of range, ...), an I/O error,
** or LSMC_NOMEM.  The reader owns the open file.
*/
int lsmcSstOpen(lsmc_env*, const char *zPath, SstReader **ppReader);

/*
** As lsmcSstOpen, with data blocks looked up in and inserted into pCache
** (NULL: no cache, the same as lsmcSstOpen).  The reader takes a fresh id
** from lsmcCacheNewId() once the table is known good; pCache is not owned
** and must outlive the reader.
*/
int lsmcSstOpenCached(lsmc_env*, const char *zPath, Cache *pCache,
                      SstReader **ppReader);

/* Close the file, erase this reader's blocks from its cache (if any) and
** free the reader.  REQUIRES: no iterator of it is open.  NULL: no-op. */
void lsmcSstClose(SstReader*);

/* Counters a lookup adds to (the caller sums them into its statistics). */
typedef struct SstGetStat SstGetStat;
struct SstGetStat {
  u64 nBloomCheck;     /* Filter probes */
  u64 nBloomNegative;  /* Probes that proved the key absent */
  u64 nBlockRead;      /* Data blocks read from the file */
  u64 nCacheHit;       /* Data blocks found in the block cache */
  u64 nCacheMiss;      /* Data blocks looked up and not found there */
};

/*
** Newest version of user key pKey with sequence <= iSeq.  LSMC_OK with
** *peKind = LSMC_KIND_PUT (value copied into pVal, replacing its content)
** or LSMC_KIND_DELETE; LSMC_NOTFOUND if this table has no visible version.
** The filter is consulted before any data block is read.  pStat may be
** NULL.
*/
int lsmcSstGet(SstReader*, const u8 *pKey, size_t nKey, u64 iSeq,
               int *peKind, LsmcBuf *pVal, SstGetStat *pStat);

/* An iterator over every entry (see iter.h). */
int lsmcSstIter(SstReader*, LsmIter **ppIter);
/* The same, but blocks it reads from the file stay out of the cache. */
int lsmcSstIterNoFill(SstReader*, LsmIter **ppIter);

/*
** Block-cache lookups made by this reader's iterators since it opened:
** *pnHit found, *pnMiss read from the file.  Both 0 without a cache.
*/
void lsmcSstCacheCounters(SstReader*, u64 *pnHit, u64 *pnMiss);

const SstProps *lsmcSstProps(const SstReader*);
u64 lsmcSstFileSize(const SstReader*);

/*
** Verify the whole table: every block's checksum, key order within and
** across blocks, index entries consistent with their blocks, every user
** key present in the filter, properties consistent with the data.
** LSMC_OK, or LSMC_CORRUPT with *pzMsg (caller frees with lsmcFree) naming
** the block and the fault.
*/
int lsmcSstVerify(SstReader*, char **pzMsg);

#endif /* LSMC_SST_READER_H */
