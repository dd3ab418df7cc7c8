/*
** sst_format.h -- the byte layout of an SSTable file (NNNNNN.sst), its
** block handles, block trailers, properties and footer.
**
** (The byte-by-byte description of the format goes here; see the SST
** helper's brief.  Everything is little-endian, with a versioned magic.)
*/
#ifndef LSMC_SST_FORMAT_H
#define LSMC_SST_FORMAT_H

#include "lsmcInt.h"

/*
** The properties of one SSTable, written in its properties block and
** returned by the reader.  smallest/largest are internal keys.
*/
typedef struct SstProps SstProps;
struct SstProps {
  u64 nEntries;        /* Entries (puts + tombstones) */
  u64 nDeletes;        /* Tombstones */
  u64 nDataBlocks;     /* Data blocks */
  u64 nRawKey;         /* Sum of internal key sizes */
  u64 nRawValue;       /* Sum of value sizes */
  u64 iMinSeq;         /* Smallest sequence number */
  u64 iMaxSeq;         /* Largest sequence number */
  u32 nBloomBits;      /* Bits per key of the filter (0: no filter) */
  LsmcBuf smallest;    /* Smallest internal key */
  LsmcBuf largest;     /* Largest internal key */
};

/* Settings of an SSTable being built. */
typedef struct SstOptions SstOptions;
struct SstOptions {
  u32 nBlockSize;      /* Target data block size in bytes (4096) */
  u32 nRestart;        /* Keys between restart points (16) */
  u32 nBloomBits;      /* Bloom bits per key, 0 for no filter (10) */
};

#endif /* LSMC_SST_FORMAT_H */
