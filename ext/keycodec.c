/*
** keycodec.c -- the order-preserving key codec of the "lsm" virtual table
** (format and invariants: keycodec.h), plus the LsmvBuf and LsmvValue
** helpers that the row codec shares.  Numbers are written as an integer
** part of 0..8 bytes whose length is in the tag, then a fraction marker,
** so small integers (rowids) take 2..4 bytes; TEXT and BLOB escape 0x00.
** The decoder validates by re-encoding: a number is accepted only if
** encoding the decoded value gives back exactly the bytes read, which makes
** every accepted key canonical.  No state: thread safe.
*/
#include <sqlite3ext.h>
SQLITE_EXTENSION_INIT3

#include "keycodec.h"

#include <assert.h>
#include <string.h>

typedef uint8_t u8;
typedef sqlite3_int64 i64;
typedef sqlite3_uint64 u64;

/* 2^63 as a double: numbers in [-TWO63, TWO63) use the integer tags. */
#define TWO63 9223372036854775808.0

/* Largest buffer size (bytes) an LsmvBuf may reach. */
#define LSMV_BUF_MAX 0x7fffffff

/* Value of the byte after the integer part of a number. */
#define KEY_FRAC_NONE 0x00        /* integral: nothing follows */
#define KEY_FRAC_SOME 0x01        /* 8 bytes of fraction follow */

/* The escape and terminator of TEXT and BLOB. */
#define KEY_ESC_ZERO  0xFF        /* 0x00 0xFF is a literal 0x00 byte */
#define KEY_ESC_END   0x00        /* 0x00 0x00 ends the column */

/*
** Make room for nExtra more bytes in p.
*/
void lsmvBufReserve(int *pRc, LsmvBuf *p, int nExtra){
  i64 nNeed;
  i64 nNew;
  u8 *aNew;
  if( *pRc!=SQLITE_OK ) return;
  nNeed = (i64)p->n + nExtra;
  if( nNeed<=p->nAlloc ) return;
  if( nExtra<0 || nNeed>LSMV_BUF_MAX ){
    *pRc = SQLITE_TOOBIG;
    return;
  }
  nNew = p->nAlloc ? 2*(i64)p->nAlloc : 64;
  while( nNew<nNeed ) nNew *= 2;
  if( nNew>LSMV_BUF_MAX ) nNew = LSMV_BUF_MAX;
  aNew = sqlite3_realloc64(p->a, (sqlite3_uint64)nNew);
  if( aNew==0 ){
    *pRc = SQLITE_NOMEM;
    return;
  }
  p->a = aNew;
  p->nAlloc = (int)nNew;
}

/*
** Append nData bytes to p.
*/
void lsmvBufAppend(int *pRc, LsmvBuf *p, const void *pData, int nData){
  lsmvBufReserve(pRc, p, nData);
  if( *pRc==SQLITE_OK && nData>0 ){
    memcpy(&p->a[p->n], pData, (size_t)nData);
    p->n += nData;
  }
}

/*
** Free the memory of p and zero it.
*/
void lsmvBufFree(LsmvBuf *p){
  sqlite3_free(p->a);
  memset(p, 0, sizeof(*p));
}

/*
** Fill *pOut from an sqlite3_value (see keycodec.h).
*/
int lsmvValueFromSqlite(sqlite3_value *pVal, LsmvValue *pOut){
  memset(pOut, 0, sizeof(*pOut));
  pOut->eType = sqlite3_value_type(pVal);
  switch( pOut->eType ){
    case SQLITE_INTEGER:
      pOut->i = sqlite3_value_int64(pVal);
      break;
    case SQLITE_FLOAT:
      pOut->r = sqlite3_value_double(pVal);
      break;
    case SQLITE_TEXT:
      pOut->z = sqlite3_value_text(pVal);
      pOut->n = sqlite3_value_bytes(pVal);
      if( pOut->z==0 ) return SQLITE_NOMEM;
      break;
    case SQLITE_BLOB:
      pOut->z = sqlite3_value_blob(pVal);
      pOut->n = sqlite3_value_bytes(pVal);
      if( pOut->z==0 && pOut->n>0 ) return SQLITE_NOMEM;
      break;
    default:
      pOut->eType = SQLITE_NULL;
      break;
  }
  return SQLITE_OK;
}

/*
** Set the result of pCtx to *pVal (see keycodec.h).  A zero-length TEXT or
** BLOB is given a non-null pointer, since a null one would make it NULL.
*/
void lsmvValueResult(const LsmvValue *pVal, sqlite3_context *pCtx,
                     int bStatic){
  const void *z = pVal->z ? (const void*)pVal->z : (const void*)"";
  sqlite3_destructor_type xDel = bStatic ? SQLITE_STATIC : SQLITE_TRANSIENT;
  switch( pVal->eType ){
    case SQLITE_INTEGER:
      sqlite3_result_int64(pCtx, pVal->i);
      break;
    case SQLITE_FLOAT:
      sqlite3_result_double(pCtx, pVal->r);
      break;
    case SQLITE_TEXT:
      sqlite3_result_text64(pCtx, z, (u64)pVal->n, xDel, SQLITE_UTF8);
      break;
    case SQLITE_BLOB:
      sqlite3_result_blob64(pCtx, z, (u64)pVal->n, xDel);
      break;
    default:
      sqlite3_result_null(pCtx);
      break;
  }
}

/*
** Write the 8 bytes of v big-endian to a[0..7].
*/
static void keyPutBE64(u8 *a, u64 v){
  int i;
  for(i=7; i>=0; i--){ a[i] = (u8)v; v >>= 8; }
}

/*
** Read 8 bytes big-endian from a[0..7].
*/
static u64 keyGetBE64(const u8 *a){
  u64 v = 0;
  int i;
  for(i=0; i<8; i++) v = (v<<8) | a[i];
  return v;
}

/* IEEE-754 bits of a double and back. */
static u64 keyRealBits(double r){ u64 u; memcpy(&u, &r, 8); return u; }
static double keyBitsReal(u64 u){ double r; memcpy(&r, &u, 8); return r; }

/*
** Write the integer part of a number with floor f, and the fraction marker
** bFrac ? KEY_FRAC_SOME : KEY_FRAC_NONE, to aOut.  Returns the bytes
** written (at most 10).  The format is in keycodec.h.
*/
static int keyPutIntPart(u8 *aOut, i64 f, int bFrac){
  u64 m = f>=0 ? (u64)f : ~(u64)f;  /* Magnitude that sets the length */
  int k = 0;                        /* Bytes of integer part */
  int i;
  while( k<8 && (m>>(8*k))!=0 ) k++;
  aOut[0] = (u8)(f>=0 ? LSMV_KEY_TAG_INT0 + k : LSMV_KEY_TAG_INT0 - 1 - k);
  for(i=0; i<k; i++){
    aOut[1+i] = (u8)((u64)f >> (8*(k-1-i)));
  }
  aOut[1+k] = bFrac ? KEY_FRAC_SOME : KEY_FRAC_NONE;
  return k+2;
}

/*
** Write the encoding of the real number r (never NaN) to aOut; returns
** the bytes written (at most LSMV_KEY_MAX_NUMBER).
*/
static int keyPutReal(u8 *aOut, double r){
  double rFloor;
  i64 f;
  int n;
  assert( r==r );
  if( r<-TWO63 ){
    aOut[0] = LSMV_KEY_TAG_NEGBIG;
    keyPutBE64(&aOut[1], ~keyRealBits(r));
    return 9;
  }
  if( r>=TWO63 ){
    aOut[0] = LSMV_KEY_TAG_POSBIG;
    keyPutBE64(&aOut[1], keyRealBits(r));
    return 9;
  }
  f = (i64)r;                     /* Truncated toward zero: exact */
  if( (double)f>r ) f--;          /* Now the floor; r is not integral */
  rFloor = (double)f;
  if( rFloor==r ) return keyPutIntPart(aOut, f, 0);
  /* Not integral, so |r| < 2^52 and both subtractions below are exact. */
  n = keyPutIntPart(aOut, f, 1);
  if( f>=0 ){
    keyPutBE64(&aOut[n], keyRealBits(r - rFloor));
  }else{
    keyPutBE64(&aOut[n], ~keyRealBits((rFloor + 1.0) - r));
  }
  return n+8;
}

/*
** Append the encoding of NULL.
*/
void lsmvKeyEncodeNull(int *pRc, LsmvBuf *p){
  u8 c = LSMV_KEY_TAG_NULL;
  lsmvBufAppend(pRc, p, &c, 1);
}

/*
** Append the encoding of an INTEGER.
*/
void lsmvKeyEncodeInt(int *pRc, LsmvBuf *p, i64 iVal){
  u8 a[LSMV_KEY_MAX_NUMBER];
  lsmvBufAppend(pRc, p, a, keyPutIntPart(a, iVal, 0));
}

/*
** Append the encoding of a REAL (NaN encodes as NULL).
*/
void lsmvKeyEncodeReal(int *pRc, LsmvBuf *p, double rVal){
  u8 a[LSMV_KEY_MAX_NUMBER];
  if( rVal!=rVal ){
    lsmvKeyEncodeNull(pRc, p);
  }else{
    lsmvBufAppend(pRc, p, a, keyPutReal(a, rVal));
  }
}

/*
** Append tag, then z[0..n-1] with each 0x00 escaped, then the terminator.
*/
static void keyPutBytes(int *pRc, LsmvBuf *p, u8 tag, const u8 *z, int n){
  int nZero = 0;
  int i;
  u8 *aOut;
  for(i=0; i<n; i++) nZero += (z[i]==0);
  lsmvBufReserve(pRc, p, 1 + n + nZero + 2);
  if( *pRc!=SQLITE_OK ) return;
  aOut = &p->a[p->n];
  *aOut++ = tag;
  if( nZero==0 ){
    if( n>0 ) memcpy(aOut, z, (size_t)n);
    aOut += n;
  }else{
    for(i=0; i<n; i++){
      *aOut++ = z[i];
      if( z[i]==0 ) *aOut++ = KEY_ESC_ZERO;
    }
  }
  *aOut++ = 0x00;
  *aOut++ = KEY_ESC_END;
  p->n = (int)(aOut - p->a);
}

/*
** Append the encoding of a TEXT value of n bytes (UTF-8, may hold NULs).
*/
void lsmvKeyEncodeText(int *pRc, LsmvBuf *p, const void *z, int n){
  keyPutBytes(pRc, p, LSMV_KEY_TAG_TEXT, (const u8*)z, n);
}

/*
** Append the encoding of a BLOB of n bytes.
*/
void lsmvKeyEncodeBlob(int *pRc, LsmvBuf *p, const void *z, int n){
  keyPutBytes(pRc, p, LSMV_KEY_TAG_BLOB, (const u8*)z, n);
}

/*
** Append the encoding of *pVal (a NULL pVal is an SQL NULL).
*/
void lsmvKeyEncodeValue(int *pRc, LsmvBuf *p, const LsmvValue *pVal){
  switch( pVal ? pVal->eType : SQLITE_NULL ){
    case SQLITE_INTEGER: lsmvKeyEncodeInt(pRc, p, pVal->i);             break;
    case SQLITE_FLOAT:   lsmvKeyEncodeReal(pRc, p, pVal->r);            break;
    case SQLITE_TEXT:    lsmvKeyEncodeText(pRc, p, pVal->z, pVal->n);   break;
    case SQLITE_BLOB:    lsmvKeyEncodeBlob(pRc, p, pVal->z, pVal->n);   break;
    default:             lsmvKeyEncodeNull(pRc, p);                     break;
  }
}

/*
** Append the encoding of an sqlite3_value.
*/
void lsmvKeyEncode(int *pRc, LsmvBuf *p, sqlite3_value *pVal){
  LsmvValue v;
  if( *pRc!=SQLITE_OK ) return;
  *pRc = lsmvValueFromSqlite(pVal, &v);
  lsmvKeyEncodeValue(pRc, p, &v);
}

/*
** Decode the number whose tag is at a[0] (n bytes available).  Sets *pOut
** and returns the bytes used, or 0 if they are not a canonical encoding.
** The candidate value is re-encoded and must give back the same bytes.
*/
static int keyGetNumber(const u8 *a, int n, LsmvValue *pOut){
  u8 aCheck[LSMV_KEY_MAX_NUMBER];  /* Re-encoding of the decoded value */
  int nUsed;                       /* Bytes of the input used */
  int nCheck;                      /* Bytes of aCheck used */
  u8 tag = a[0];
  if( tag==LSMV_KEY_TAG_NEGBIG || tag==LSMV_KEY_TAG_POSBIG ){
    u64 u;
    if( n<9 ) return 0;
    u = keyGetBE64(&a[1]);
    pOut->eType = SQLITE_FLOAT;
    pOut->r = keyBitsReal(tag==LSMV_KEY_TAG_NEGBIG ? ~u : u);
    if( pOut->r!=pOut->r ) return 0;
    nUsed = 9;
    nCheck = keyPutReal(aCheck, pOut->r);
  }else{
    int bNeg = tag<LSMV_KEY_TAG_INT0;
    int k = bNeg ? LSMV_KEY_TAG_INT0 - 1 - tag : tag - LSMV_KEY_TAG_INT0;
    u64 u = bNeg ? ~(u64)0 : 0;    /* Floor, sign-extended */
    int i;
    assert( k>=0 && k<=8 );
    if( n<k+2 ) return 0;
    for(i=0; i<k; i++) u = (u<<8) | a[1+i];
    nUsed = k+2;
    if( a[1+k]==KEY_FRAC_NONE ){
      pOut->eType = SQLITE_INTEGER;
      pOut->i = (i64)u;
      nCheck = keyPutIntPart(aCheck, pOut->i, 0);
    }else if( a[1+k]==KEY_FRAC_SOME && n>=k+10 ){
      double rFrac = keyBitsReal(keyGetBE64(&a[k+2]) ^ (bNeg ? ~(u64)0 : 0));
      if( !(rFrac>0.0 && rFrac<1.0) ) return 0;
      pOut->eType = SQLITE_FLOAT;
      if( bNeg ){
        pOut->r = (double)((i64)u + 1) - rFrac;
      }else{
        pOut->r = (double)(i64)u + rFrac;
      }
      nUsed = k+10;
      nCheck = keyPutReal(aCheck, pOut->r);
    }else{
      return 0;
    }
  }
  if( nCheck!=nUsed || memcmp(aCheck, a, (size_t)nUsed)!=0 ) return 0;
  return nUsed;
}

/*
** Decode the TEXT or BLOB whose tag is at a[0] (n bytes available).
** Returns the bytes used, or 0 if the escapes are bad or the terminator is
** missing.  If pScratch is not 0, the value goes to *pOut as described for
** lsmvKeyDecodeOne; *pRc is set on allocation failure.
*/
static int keyGetBytes(int *pRc, const u8 *a, int n, LsmvValue *pOut,
                       LsmvBuf *pScratch){
  int i = 1;                      /* Read offset */
  int nZero = 0;                  /* Escaped 0x00 bytes seen */
  int nUsed;                      /* Bytes used, terminator included */
  int nData;                      /* Bytes of the decoded value */
  while( 1 ){
    const u8 *pZero = i<n ? memchr(&a[i], 0, (size_t)(n-i)) : 0;
    if( pZero==0 ) return 0;
    i = (int)(pZero - a) + 1;
    if( i>=n ) return 0;
    if( a[i]==KEY_ESC_END ) break;
    if( a[i]!=KEY_ESC_ZERO ) return 0;
    nZero++;
    i++;
  }
  nUsed = i+1;
  nData = nUsed - 3 - nZero;
  if( pScratch==0 ) return nUsed;
  pOut->eType = a[0]==LSMV_KEY_TAG_TEXT ? SQLITE_TEXT : SQLITE_BLOB;
  pOut->n = nData;
  if( nZero==0 ){
    pOut->z = &a[1];
  }else{
    int j;
    u8 *aOut;
    lsmvBufReserve(pRc, pScratch, nData);
    if( *pRc!=SQLITE_OK ) return nUsed;
    pOut->z = 0;
    pOut->i = pScratch->n;
    aOut = &pScratch->a[pScratch->n];
    for(j=1; j<nUsed-2; j++){
      *aOut++ = a[j];
      if( a[j]==0 ) j++;
    }
    assert( aOut==&pScratch->a[pScratch->n + nData] );
    pScratch->n += nData;
  }
  return nUsed;
}

/*
** Decode (or, if pScratch is 0, only validate) the column at aKey[*piOff].
*/
static int keyDecode(const u8 *aKey, int nKey, int *piOff, LsmvValue *pOut,
                     LsmvBuf *pScratch){
  int rc = SQLITE_OK;
  int iOff = *piOff;              /* Offset of the column's tag */
  const u8 *a;                    /* The column's first byte */
  int n;                          /* Bytes from a to the end of the key */
  int nUsed = 0;                  /* Bytes of the column, 0 if invalid */
  LsmvValue dummy;                /* Output when only validating */
  if( pOut==0 ) pOut = &dummy;
  memset(pOut, 0, sizeof(*pOut));
  if( iOff<0 || iOff>=nKey ) return SQLITE_CORRUPT;
  a = &aKey[iOff];
  n = nKey - iOff;
  if( a[0]==LSMV_KEY_TAG_NULL ){
    pOut->eType = SQLITE_NULL;
    nUsed = 1;
  }else if( a[0]>=LSMV_KEY_TAG_NEGBIG && a[0]<=LSMV_KEY_TAG_POSBIG ){
    nUsed = keyGetNumber(a, n, pOut);
  }else if( a[0]==LSMV_KEY_TAG_TEXT || a[0]==LSMV_KEY_TAG_BLOB ){
#if defined(LSMV_FUZZ_CANARY) && LSMV_FUZZ_CANARY==7
    /* TEST CANARY (TESTPLAN F4), compiled only by build-aux/fuzz.sh's
    ** canary build of fuzz_keycodec: a planted out-of-bounds read that the
    ** fuzzer must reach, proving the target gets here.  Never active
    ** otherwise. */
    if( a[0]==LSMV_KEY_TAG_TEXT && n>=2 && a[1]==0xCA ){
      static const u8 aCanary[4] = {0};
      const volatile u8 *pCanary = aCanary;
      volatile int iCanary = 4;
      (void)pCanary[iCanary];
    }
#endif
    nUsed = keyGetBytes(&rc, a, n, pOut, pScratch);
  }
  if( rc==SQLITE_OK && nUsed==0 ) rc = SQLITE_CORRUPT;
  if( rc==SQLITE_OK ) *piOff = iOff + nUsed;
  return rc;
}

/*
** Decode one column (see keycodec.h).
*/
int lsmvKeyDecodeOne(const uint8_t *aKey, int nKey, int *piOff,
                     LsmvValue *pOut, LsmvBuf *pScratch){
  assert( pScratch!=0 && pOut!=0 );
  return keyDecode(aKey, nKey, piOff, pOut, pScratch);
}

/*
** Skip and validate one column (see keycodec.h).
*/
int lsmvKeySkip(const uint8_t *aKey, int nKey, int *piOff){
  return keyDecode(aKey, nKey, piOff, 0, 0);
}

/*
** Decode a whole key of nCol columns (see keycodec.h).  Values unescaped
** into pScratch (marked by z==0) get their pointers once all columns are
** decoded, because pScratch may move while it grows.
*/
int lsmvKeyDecode(const uint8_t *aKey, int nKey, int nCol,
                  LsmvValue *aVal, LsmvBuf *pScratch){
  int rc = SQLITE_OK;
  int iOff = 0;
  int i;
  pScratch->n = 0;
  for(i=0; rc==SQLITE_OK && i<nCol; i++){
    rc = keyDecode(aKey, nKey, &iOff, &aVal[i], pScratch);
  }
  if( rc==SQLITE_OK && iOff!=nKey ) rc = SQLITE_CORRUPT;
  for(i=0; rc==SQLITE_OK && i<nCol; i++){
    if( aVal[i].z==0 && aVal[i].n>0 ){
      aVal[i].z = &pScratch->a[aVal[i].i];
      aVal[i].i = 0;
    }
  }
  return rc;
}

/*
** Set the result of pCtx to column iCol of the key (see keycodec.h).
*/
int lsmvKeyColumn(const uint8_t *aKey, int nKey, int iCol,
                  sqlite3_context *pCtx){
  LsmvBuf scratch = {0, 0, 0};
  LsmvValue v;
  int rc = SQLITE_OK;
  int iOff = 0;
  int i;
  memset(&v, 0, sizeof(v));
  for(i=0; rc==SQLITE_OK && i<iCol; i++){
    rc = lsmvKeySkip(aKey, nKey, &iOff);
  }
  if( rc==SQLITE_OK ){
    rc = keyDecode(aKey, nKey, &iOff, &v, &scratch);
  }
  if( rc==SQLITE_OK ){
    if( v.z==0 && v.n>0 ) v.z = &scratch.a[v.i];
    lsmvValueResult(&v, pCtx, 0);
  }
  lsmvBufFree(&scratch);
  return rc;
}

/*
** Replace p by its prefix successor (see keycodec.h).
*/
int lsmvKeyPrefixSuccessor(LsmvBuf *p){
  while( p->n>0 && p->a[p->n-1]==0xFF ) p->n--;
  if( p->n==0 ) return 0;
  p->a[p->n-1]++;
  return 1;
}

/*
** Build the range of keys matching a prefix and an operator on the next
** column (see the table in keycodec.h).  P.E ends in a byte of the column
** encoding and no column starts with 0xFF, so the successors of the lower
** bound always exist.
*/
int lsmvKeyRange(const uint8_t *aPrefix, int nPrefix, int eOp,
                 const LsmvValue *pVal, LsmvBuf *pLo, LsmvBuf *pHi,
                 int *pbEmpty){
  int rc = SQLITE_OK;
  int bNull = (pVal==0 || pVal->eType==SQLITE_NULL);
  pLo->n = 0;
  pHi->n = 0;
  *pbEmpty = 0;
  if( eOp!=LSMV_KEY_PREFIX && eOp!=LSMV_KEY_IS && bNull ){
    *pbEmpty = 1;
    return SQLITE_OK;
  }
  lsmvBufAppend(&rc, pLo, aPrefix, nPrefix);
  lsmvBufAppend(&rc, pHi, aPrefix, nPrefix);

  /* Lower bound: P, P.E, succ(P.E) or succ(P.NULL). */
  if( eOp==LSMV_KEY_LT || eOp==LSMV_KEY_LE ){
    lsmvKeyEncodeNull(&rc, pLo);
  }else if( eOp!=LSMV_KEY_PREFIX ){
    lsmvKeyEncodeValue(&rc, pLo, pVal);
  }
  if( rc==SQLITE_OK
   && (eOp==LSMV_KEY_GT || eOp==LSMV_KEY_LT || eOp==LSMV_KEY_LE)
  ){
    if( !lsmvKeyPrefixSuccessor(pLo) ) *pbEmpty = 1;
  }

  /* Upper bound: succ(P), succ(P.E) or P.E. */
  if( eOp!=LSMV_KEY_PREFIX && eOp!=LSMV_KEY_GT && eOp!=LSMV_KEY_GE ){
    lsmvKeyEncodeValue(&rc, pHi, pVal);
  }
  if( rc==SQLITE_OK && eOp!=LSMV_KEY_LT ){
    lsmvKeyPrefixSuccessor(pHi);
  }
  return rc;
}
