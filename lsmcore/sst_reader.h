/*
** sst_reader.h -- reads one SSTable: point lookups through the bloom
** filter and the sparse index, and a two-level iterator over every entry.
**
** Opening reads and verifies the footer, the index, the filter and the
** properties blocks and keeps them in memory.  Data blocks are read on
** demand and their checksums verified on every read.
**
** Thread safety: after lsmcSstOpen returns, a reader is immutable; any
** number of threads may call Get and create iterators concurrently.
** REQUIRES: the reader outlives every iterator made from it.
*/
#ifndef LSMC_SST_READER_H
#define LSMC_SST_READER_H

#include "lsmcInt.h"
#include "iter.h"
#include "sst_format.h"

typedef struct SstReader SstReader;

/*
** Open zPath.  Returns LSMC_CORRUPT for any malformed or mismatched block
** (bad magic, version, checksum, handle out of range, ...), an I/O error,
** or LSMC_NOMEM.  The reader owns the open file.
*/
int lsmcSstOpen(lsmc_env*, const char *zPath, SstReader **ppReader);
void lsmcSstClose(SstReader*);                 /* NULL is a no-op */

/* Counters a lookup adds to (the caller sums them into its statistics). */
typedef struct SstGetStat SstGetStat;
struct SstGetStat {
  u64 nBloomCheck;     /* Filter probes */
  u64 nBloomNegative;  /* Probes that proved the key absent */
  u64 nBlockRead;      /* Data blocks read from the file */
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
