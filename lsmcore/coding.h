/*
** coding.h -- the engine's only encoders and decoders of integers, the
** checksum, and the growable byte buffer (LsmcBuf, declared in lsmcInt.h).
**
** Every on-disk integer is little-endian, either fixed width (16, 32, 64
** bits) or a LEB128-style varint (7 bits a byte, low group first, high bit
** set on every byte but the last; at most 10 bytes for 64 bits).  The
** checksum is XXH3-64 from the system libxxhash; on disk we keep its low
** 32 bits (lsmcChecksum32) unless a format says otherwise.
**
** Decoders never read past the end they are given: lsmcGetVarint* returns
** the number of bytes consumed, or 0 if the input ends early or the varint
** is longer than its type allows (the caller treats 0 as corruption).
**
** Thread safety: all functions are pure, except the LsmcBuf helpers, which
** change the buffer they are given.
*/
#ifndef LSMC_CODING_H
#define LSMC_CODING_H

#include "lsmcInt.h"

/* Fixed-width little-endian. */
void lsmcPut16(u8 *p, u16 v);
void lsmcPut32(u8 *p, u32 v);
void lsmcPut64(u8 *p, u64 v);
u16 lsmcGet16(const u8 *p);
u32 lsmcGet32(const u8 *p);
u64 lsmcGet64(const u8 *p);

/* Varints.  Put returns the bytes written (p needs room for 10). */
#define LSMC_MAX_VARINT 10
int lsmcPutVarint(u8 *p, u64 v);
int lsmcVarintLen(u64 v);
int lsmcGetVarint64Slow(const u8 *p, const u8 *pEnd, u64 *pv);
int lsmcGetVarint32Slow(const u8 *p, const u8 *pEnd, u32 *pv);
/* Inline for the common one-byte varint; longer ones call the above. */
static inline int lsmcGetVarint64(const u8 *p, const u8 *pEnd, u64 *pv){
  if( p<pEnd && p[0]<0x80 ){
    *pv = p[0];
    return 1;
  }
  return lsmcGetVarint64Slow(p, pEnd, pv);
}
static inline int lsmcGetVarint32(const u8 *p, const u8 *pEnd, u32 *pv){
  if( p<pEnd && p[0]<0x80 ){
    *pv = p[0];
    return 1;
  }
  return lsmcGetVarint32Slow(p, pEnd, pv);
}

/* Checksums: XXH3-64 (seeded) and its low 32 bits. */
u64 lsmcChecksum64(const void *p, size_t n, u64 seed);
u32 lsmcChecksum32(const void *p, size_t n, u64 seed);
/* The 64-bit hash used by the bloom filter (XXH3-64, seed 0). */
u64 lsmcHash64(const void *p, size_t n);

/*
** LsmcBuf.  lsmcBufInit sets an empty buffer on pEnv; lsmcBufFree releases
** it (and leaves it empty and reusable).  The append helpers do nothing if
** *pRc is already an error and set it to LSMC_NOMEM on a failed growth.
*/
void lsmcBufInit(LsmcBuf*, lsmc_env *pEnv);
void lsmcBufFree(LsmcBuf*);
void lsmcBufReserve(int *pRc, LsmcBuf*, size_t nExtra);  /* room for more */
void lsmcBufAppend(int *pRc, LsmcBuf*, const void *pData, size_t n);
void lsmcBufAppendVarint(int *pRc, LsmcBuf*, u64 v);
void lsmcBufAppend32(int *pRc, LsmcBuf*, u32 v);
void lsmcBufAppend64(int *pRc, LsmcBuf*, u64 v);
/* Append a varint length then the bytes. */
void lsmcBufAppendBlob(int *pRc, LsmcBuf*, const void *pData, size_t n);
/* Make the buffer exactly a copy of pData[0..n). */
void lsmcBufSet(int *pRc, LsmcBuf*, const void *pData, size_t n);

#endif /* LSMC_CODING_H */
