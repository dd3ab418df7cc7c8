/*
** coding.c -- little-endian integers, varints, checksums and the growable
** byte buffer.  The formats are described in coding.h; this is the only
** place in the engine that encodes an integer for disk.
*/
#include "coding.h"

#include <xxhash.h>

void lsmcPut16(u8 *p, u16 v){
  p[0] = (u8)v;
  p[1] = (u8)(v>>8);
}
void lsmcPut32(u8 *p, u32 v){
  p[0] = (u8)v;
  p[1] = (u8)(v>>8);
  p[2] = (u8)(v>>16);
  p[3] = (u8)(v>>24);
}
void lsmcPut64(u8 *p, u64 v){
  lsmcPut32(p, (u32)v);
  lsmcPut32(p+4, (u32)(v>>32));
}
u16 lsmcGet16(const u8 *p){
  return (u16)(p[0] | (p[1]<<8));
}

/*
** Write v as a varint at p; return the number of bytes written (1..10).
*/
int lsmcPutVarint(u8 *p, u64 v){
  int i = 0;
  while( v>=0x80 ){
    p[i++] = (u8)(v | 0x80);
    v >>= 7;
  }
  p[i++] = (u8)v;
  return i;
}

int lsmcVarintLen(u64 v){
  int n = 1;
  while( v>=0x80 ){ v >>= 7; n++; }
  return n;
}

u32 lsmcGet32(const u8 *p){
  return (u32)p[0] | ((u32)p[1]<<8) | ((u32)p[2]<<16) | ((u32)p[3]<<24);
}

u64 lsmcGet64(const u8 *p){
  return (u64)lsmcGet32(p) | ((u64)lsmcGet32(p+4)<<32);
}

/*
** Decode a varint from p, never reading at or past pEnd.  Return the bytes
** consumed, or 0 if the input ends first or the value overflows 64 bits.
*/
int lsmcGetVarint64Slow(const u8 *p, const u8 *pEnd, u64 *pv){
  u64 v = 0;
  int i;
  for(i=0; i<LSMC_MAX_VARINT && p+i<pEnd; i++){
    u64 b = p[i];
    if( i==9 && b>1 ) return 0;            /* more than 64 bits */
    v |= (b & 0x7f) << (7*i);
    if( (b & 0x80)==0 ){
      *pv = v;
      return i+1;
    }
  }
  return 0;
}

int lsmcGetVarint32Slow(const u8 *p, const u8 *pEnd, u32 *pv){
  u64 v;
  int n = lsmcGetVarint64Slow(p, pEnd, &v);
  if( n==0 || v>0xffffffffu ) return 0;
  *pv = (u32)v;
  return n;
}

u64 lsmcChecksum64(const void *p, size_t n, u64 seed){
  return XXH3_64bits_withSeed(p, n, seed);
}
u32 lsmcChecksum32(const void *p, size_t n, u64 seed){
  return (u32)XXH3_64bits_withSeed(p, n, seed);
}
u64 lsmcHash64(const void *p, size_t n){
  return XXH3_64bits(p, n);
}

u64 lsmcTrailerPack(u64 iSeq, int eKind){
  assert( iSeq<=LSMC_MAX_SEQ );
  return (iSeq<<8) | (u64)(eKind & 0xff);
}

void lsmcIKeyBuild(int *pRc, LsmcBuf *pBuf, const u8 *pKey, size_t nKey,
                   u64 iSeq, int eKind){
  if( *pRc ) return;
  pBuf->n = 0;
  lsmcBufAppend(pRc, pBuf, pKey, nKey);
  lsmcBufAppend64(pRc, pBuf, lsmcTrailerPack(iSeq, eKind));
}

/*
** LsmcBuf.
*/
void lsmcBufInit(LsmcBuf *p, lsmc_env *pEnv){
  memset(p, 0, sizeof(*p));
  p->pEnv = pEnv;
}

void lsmcBufFree(LsmcBuf *p){
  lsmcFree(p->pEnv, p->a);
  p->a = 0;
  p->n = 0;
  p->nAlloc = 0;
}

/*
** Make room for nExtra more bytes, growing geometrically.
*/
void lsmcBufReserve(int *pRc, LsmcBuf *p, size_t nExtra){
  size_t nNeed;
  if( *pRc ) return;
  nNeed = p->n + nExtra;
  if( nNeed<p->n ){ *pRc = LSMC_NOMEM; return; }     /* overflow */
  if( nNeed>p->nAlloc ){
    size_t nNew = p->nAlloc ? p->nAlloc*2 : 64;
    u8 *aNew;
    while( nNew<nNeed ) nNew *= 2;
    aNew = lsmcRealloc(p->pEnv, p->a, nNew);
    if( aNew==0 ){ *pRc = LSMC_NOMEM; return; }
    p->a = aNew;
    p->nAlloc = nNew;
  }
}

void lsmcBufAppend(int *pRc, LsmcBuf *p, const void *pData, size_t n){
  lsmcBufReserve(pRc, p, n);
  if( *pRc==LSMC_OK && n>0 ){
    memcpy(&p->a[p->n], pData, n);
    p->n += n;
  }
}

void lsmcBufAppendVarint(int *pRc, LsmcBuf *p, u64 v){
  lsmcBufReserve(pRc, p, LSMC_MAX_VARINT);
  if( *pRc==LSMC_OK ) p->n += lsmcPutVarint(&p->a[p->n], v);
}

void lsmcBufAppend32(int *pRc, LsmcBuf *p, u32 v){
  lsmcBufReserve(pRc, p, 4);
  if( *pRc==LSMC_OK ){ lsmcPut32(&p->a[p->n], v); p->n += 4; }
}

void lsmcBufAppend64(int *pRc, LsmcBuf *p, u64 v){
  lsmcBufReserve(pRc, p, 8);
  if( *pRc==LSMC_OK ){ lsmcPut64(&p->a[p->n], v); p->n += 8; }
}

void lsmcBufAppendBlob(int *pRc, LsmcBuf *p, const void *pData, size_t n){
  lsmcBufAppendVarint(pRc, p, n);
  lsmcBufAppend(pRc, p, pData, n);
}

void lsmcBufSet(int *pRc, LsmcBuf *p, const void *pData, size_t n){
  if( *pRc ) return;
  p->n = 0;
  lsmcBufAppend(pRc, p, pData, n);
}
