/*
** sst_format.h -- the byte layout of an SSTable file (NNNNNN.sst), its
** block handles, block trailers, properties and footer.  sst_format.c holds
** the only encoders and decoders of handles, trailers, properties and the
** footer; block.c / block_builder.c own the data-block entry format and
** bloom.c the filter.  Every integer is little-endian (coding.h); "varint"
** is coding.h's LEB128 varint.
**
** FILE LAYOUT
**
**     data block 0 | data block 1 | ... | data block N-1
**     filter block (absent when bits per key is 0)
**     properties block
**     index block
**     footer (LSMC_SST_FOOTER_SIZE = 64 bytes, always the last bytes)
**
** Data blocks are written back to back from offset 0.  Every block (data,
** filter, properties, index) is stored as its contents followed by a
** 5-byte BLOCK TRAILER:
**
**     offset  size  field
**     0       n     contents
**     n       1     type: 0 = uncompressed (the only type defined)
**     n+1     4     checksum: lsmcChecksum32(contents and the type byte,
**                   n+1 bytes, seed LSMC_SST_BLOCK_SEED)
**
** The checksum is verified on every read of a block.  A BLOCK HANDLE names
** a block by the offset of its first byte and the size of its contents
** (trailer excluded).  In the index block a handle is two varints
** (offset, size), nothing after them; in the footer it is two u64.
**
** DATA BLOCK (block.c reads it, block_builder.c writes it).  A sequence of
** entries sorted by internal key (lsmcInt.h: user key + 8-byte trailer),
** then the restart array:
**
**     entry:    varint shared      bytes shared with the previous key
**               varint non_shared  bytes of key that follow
**               varint value_len
**               key[shared..shared+non_shared)   the key delta
**               value[value_len]
**     restarts: u32 offset[nRestart]   offset of each restart entry
**               u32 nRestart           >= 1
**
** Entry 0 and every R-th entry after it (R = the restart interval,
** SstOptions.nRestart; a reader does not need R) is a restart point: its
** shared is 0 and its offset is listed in the restart array.  The
** offsets are strictly increasing, the first is 0, and every one is below
** the start of the restart array (an empty block is exactly the 8 bytes
** offset[0]=0, nRestart=1).  Every key is at least 8 bytes (an internal
** key).  A block is smaller than 4 GiB.
**
** INDEX BLOCK.  A data block's format with restart interval 1; one entry
** per data block, in file order.  Key: an internal key >= the last key of
** its data block and < the first key of the next data block (the writer
** uses the last key itself).  Value: the data block's handle (varint
** offset, varint size).  A table with no entries has an empty index.
**
** FILTER BLOCK (bloom.h).  One cache-line-blocked bloom filter over every
** distinct user key of the table:
**
**     offset     size  field
**     0          64*L  L cache lines of 512 bits; bit b of a line is
**                      bit (b & 7) of byte (b >> 3)
**     64*L       1     k: probes per key, 1..30
**     64*L+1     4     L: number of lines, >= 1
**
** A key with hash h = lsmcHash64(user key) (XXH3-64) uses line
** ((h >> 32) * L) >> 32 and sets/tests k bits of it, by enhanced double
** hashing in 32-bit arithmetic (all sums mod 2^32, G = 0x9E3779B9):
**     x = (u32)h;  y = (u32)(h >> 32) * G;
**     for i in 0..k-1:  bit (x >> 23) of the line;  x += y;  y += G*(i+1)
** k = round(bits_per_key * 0.69) clamped to [1, 30];
** L = ceil(keys * bits_per_key / 512), at least 1.
**
** PROPERTIES BLOCK.  The SstProps fields, in this order:
**
**     u8      format version of this block (LSMC_SST_PROPS_VERSION = 1)
**     varint  nEntries, nDeletes, nDataBlocks, nRawKey, nRawValue,
**             iMinSeq, iMaxSeq, nBloomBits
**     varint  length of smallest, then its bytes (an internal key)
**     varint  length of largest, then its bytes
**
** Nothing follows.  With nEntries = 0 both keys are empty and the
** sequence numbers 0; otherwise both keys are internal keys (>= 8 bytes).
**
** FOOTER (64 bytes, the end of the file):
**
**     offset  size  field
**     0       8     index block offset        (u64)
**     8       8     index block size          (u64)
**     16      8     filter block offset       (u64; 0 with no filter)
**     24      8     filter block size         (u64; 0 means no filter)
**     32      8     properties block offset   (u64)
**     40      8     properties block size     (u64)
**     48      4     format version            (u32, LSMC_SST_VERSION = 1)
**     52      4     lsmcChecksum32(bytes 0..51, seed LSMC_SST_FOOTER_SEED)
**     56      8     magic LSMC_SST_MAGIC: the bytes "lsmcSST1"
**
** A reader rejects (LSMC_CORRUPT) a file shorter than the footer, a wrong
** magic, version or checksum, and any handle whose block plus trailer does
** not lie before the footer or whose size exceeds LSMC_SST_MAX_BLOCK,
** before it allocates anything for that block.
**
** Thread safety: every function here is pure or changes only its
** arguments.
*/
#ifndef LSMC_SST_FORMAT_H
#define LSMC_SST_FORMAT_H

#include "lsmcInt.h"

#define LSMC_SST_MAGIC        0x31545353636d736cULL  /* "lsmcSST1" LE */
#define LSMC_SST_VERSION      1            /* Footer format version */
#define LSMC_SST_PROPS_VERSION 1           /* Properties block version */
#define LSMC_SST_FOOTER_SIZE  64           /* Bytes in the footer */
#define LSMC_SST_TRAILER_SIZE 5            /* Type byte + checksum */
#define LSMC_SST_BLOCK_SEED   0x6c736d632d73626bULL  /* "lsmc-sbk" */
#define LSMC_SST_FOOTER_SEED  0x6c736d632d736674ULL  /* "lsmc-sft" */
#define LSMC_SST_TYPE_RAW     0            /* Block type: uncompressed */

/* Largest block contents accepted (one maximal entry plus slack).  The
** builder never writes a larger block; a reader refuses one. */
#define LSMC_SST_MAX_BLOCK \
  ((u64)LSMC_MAX_VALUE + 4*(u64)LSMC_MAX_KEY)

/* Largest varint-encoded handle: two 10-byte varints. */
#define LSMC_SST_MAX_HANDLE   20

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

/* Where a block lies in the file: contents only, trailer excluded. */
typedef struct SstHandle SstHandle;
struct SstHandle {
  u64 iOff;            /* Offset of the block's first byte */
  u64 nSize;           /* Bytes of contents (the trailer follows) */
};

/* The decoded footer. */
typedef struct SstFooter SstFooter;
struct SstFooter {
  SstHandle index;     /* Index block */
  SstHandle filter;    /* Filter block (nSize 0: no filter) */
  SstHandle props;     /* Properties block */
  u32 iVersion;        /* Format version (LSMC_SST_VERSION) */
};

/* Index-block handle value: append two varints / decode exactly them. */
void lsmcSstHandleEncode(int *pRc, LsmcBuf *pOut, const SstHandle *pH);
int lsmcSstHandleDecode(const u8 *p, size_t n, SstHandle *pH);
/* LSMC_OK if block+trailer lies in [0, nLimit) and nSize is sane. */
int lsmcSstHandleCheck(const SstHandle *pH, u64 nLimit);

/* Footer: encode into a[LSMC_SST_FOOTER_SIZE]; decode and verify it. */
void lsmcSstFooterEncode(u8 *a, const SstFooter *pF);
int lsmcSstFooterDecode(const u8 *a, SstFooter *pF);

/* Append the block trailer to the contents held in pBlock. */
void lsmcSstTrailerAppend(int *pRc, LsmcBuf *pBlock);
/* Verify the trailer that follows a[0..n) (a holds n+5 bytes). */
int lsmcSstTrailerCheck(const u8 *a, size_t n);

/* Properties block contents (SstProps is initialised by the caller with
** lsmcSstPropsInit, declared in sst_builder.h). */
void lsmcSstPropsEncode(int *pRc, LsmcBuf *pOut, const SstProps *pProps);
int lsmcSstPropsDecode(const u8 *a, size_t n, SstProps *pProps);
void lsmcSstPropsCopy(int *pRc, SstProps *pTo, const SstProps *pFrom);

#endif /* LSMC_SST_FORMAT_H */
