/*
** fuzz_keycodec.c -- libFuzzer target for the key codec of the lsm
** virtual table (ext/keycodec.c), TESTPLAN F1 (the A4 property, fuzzed).
**
** Input: byte 0 selects the mode and byte 1 the number of columns
** (1 + byte1 % 3).
**   mode even (encode): the rest is a list of values, each a type byte
**     (mod 5: NULL, INTEGER from 8 bytes, REAL from 8 bytes, TEXT or BLOB
**     of a length byte's worth of bytes); the first nCol values make key
**     A, the next nCol key B.  Each key is encoded (lsmvKeyEncodeValue),
**     decoded back (lsmvKeyDecode), and skipped column by column.
**   mode odd (decode): the rest is split at byte 2 (a fraction of it)
**     into two byte strings, each decoded as an nCol-column key from an
**     allocation of exactly its size; a key that decodes is re-encoded.
** For every pair of keys that are both valid, the sign of memcmp (shorter
** prefix first) of the encodings is compared with SQLite's own ordering
** of the decoded values, column by column (an in-memory database answers
** "?1 IS ?2" and "?1 < ?2", NULL first).
**
** Pass bar (abort on violation): no memory error or leak; the decoder
** returns only OK or CORRUPT; encode then decode gives each value's
** canonical form (INTEGER for an integral number in int64 range, NULL for
** NaN, same bytes for TEXT and BLOB); decode then encode gives the same
** bytes (the decoder accepts only canonical encodings); the byte order of
** two encodings equals SQLite's order of their values.
*/
#include <sqlite3.h>
#include "keycodec.h"
#include "fuzzutil.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define KC_MAX_COL 3

typedef uint8_t u8;

/* The comparison statement, prepared on first use and kept. */
static sqlite3 *gDb = 0;
static sqlite3_stmt *gCmp = 0;

static void kcInit(void){
  if( gDb ) return;
  FUZZ_ASSERT( sqlite3_open(":memory:", &gDb)==SQLITE_OK );
  FUZZ_ASSERT( sqlite3_prepare_v2(gDb,
      "SELECT CASE WHEN ?1 IS ?2 THEN 0 WHEN ?1 IS NULL THEN -1"
      " WHEN ?2 IS NULL THEN 1 WHEN ?1 < ?2 THEN -1 ELSE 1 END",
      -1, &gCmp, 0)==SQLITE_OK );
}

/* Bind value *p to parameter i of gCmp. */
static void kcBind(int i, const LsmvValue *p){
  switch( p->eType ){
    case SQLITE_INTEGER: sqlite3_bind_int64(gCmp, i, p->i); break;
    case SQLITE_FLOAT:   sqlite3_bind_double(gCmp, i, p->r); break;
    case SQLITE_TEXT:
      sqlite3_bind_text(gCmp, i, p->n ? (const char*)p->z : "", p->n,
                        SQLITE_STATIC);
      break;
    case SQLITE_BLOB:
      sqlite3_bind_blob(gCmp, i, p->n ? (const void*)p->z : "", p->n,
                        SQLITE_STATIC);
      break;
    default:             sqlite3_bind_null(gCmp, i); break;
  }
}

/* SQLite's order of two values: -1, 0 or 1. */
static int kcSqlCompare(const LsmvValue *a, const LsmvValue *b){
  int r;
  kcBind(1, a);
  kcBind(2, b);
  FUZZ_ASSERT( sqlite3_step(gCmp)==SQLITE_ROW );
  r = sqlite3_column_int(gCmp, 0);
  sqlite3_reset(gCmp);
  sqlite3_clear_bindings(gCmp);
  return r;
}

/* memcmp order of byte strings, a shorter prefix first: -1, 0 or 1. */
static int kcByteCompare(const u8 *a, int na, const u8 *b, int nb){
  int n = na<nb ? na : nb;
  int c = n ? memcmp(a, b, (size_t)n) : 0;
  if( c==0 ) c = na - nb;
  return (c>0) - (c<0);
}

/* A decoded key: its bytes and its values. */
typedef struct KcKey KcKey;
struct KcKey {
  u8 *a;                          /* Encoding (exact allocation) */
  int n;                          /* Bytes in a */
  LsmvValue aVal[KC_MAX_COL];     /* Decoded values */
  LsmvBuf scratch;                /* Unescaped text/blob bytes */
  int bOk;                        /* Decoded without error */
};

/*
** Decode k->a as nCol columns; if valid, check skip and re-encoding.
*/
static void kcDecode(KcKey *k, int nCol){
  LsmvBuf again;
  int rc, i, iSkip = 0;
  memset(&again, 0, sizeof(again));
  rc = lsmvKeyDecode(k->a, k->n, nCol, k->aVal, &k->scratch);
  FUZZ_ASSERT( rc==SQLITE_OK || rc==SQLITE_CORRUPT );
  k->bOk = rc==SQLITE_OK;
  if( !k->bOk ) return;
  rc = SQLITE_OK;
  for(i=0; i<nCol; i++){
    FUZZ_ASSERT( lsmvKeySkip(k->a, k->n, &iSkip)==SQLITE_OK );
    lsmvKeyEncodeValue(&rc, &again, &k->aVal[i]);
    FUZZ_ASSERT( rc==SQLITE_OK );
    FUZZ_ASSERT( again.n==iSkip );
  }
  FUZZ_ASSERT( again.n==k->n && memcmp(again.a, k->a, (size_t)k->n)==0 );
  lsmvBufFree(&again);
}

/* The canonical form of a value given to the encoder. */
static LsmvValue kcCanonical(const LsmvValue *p){
  LsmvValue v = *p;
  if( v.eType==SQLITE_FLOAT ){
    if( isnan(v.r) ){
      v.eType = SQLITE_NULL;
    }else if( v.r>=-9223372036854775808.0 && v.r<9223372036854775808.0
           && v.r==floor(v.r) ){
      v.eType = SQLITE_INTEGER;
      v.i = (sqlite3_int64)v.r;
    }
  }
  return v;
}

/* Read one value from the input into *p (bytes point into the input). */
static void kcReadValue(FuzzIn *pIn, LsmvValue *p){
  u8 aNum[8];
  size_t n, i;
  const u8 *z;
  memset(p, 0, sizeof(*p));
  switch( fuzzInByte(pIn) % 5 ){
    case 1:
    case 2: {
      sqlite3_uint64 u = 0;
      for(i=0; i<8; i++) aNum[i] = fuzzInByte(pIn);
      for(i=0; i<8; i++) u |= (sqlite3_uint64)aNum[i] << (8*i);
      if( aNum[0] & 0x80 ){          /* Small numbers, often */
        u = (sqlite3_uint64)(sqlite3_int64)(signed char)aNum[1];
      }
      if( (pIn->i & 1)==0 ){
        p->eType = SQLITE_INTEGER;
        p->i = (sqlite3_int64)u;
      }else{
        p->eType = SQLITE_FLOAT;
        memcpy(&p->r, &u, 8);
      }
      break;
    }
    case 3:
    case 4:
      z = fuzzInBytes(pIn, fuzzInByte(pIn) % 24, &n);
      p->eType = (pIn->i & 1) ? SQLITE_TEXT : SQLITE_BLOB;
      p->z = z;
      p->n = (int)n;
      break;
    default:
      p->eType = SQLITE_NULL;
      break;
  }
}

/* Check the byte order of two valid keys against SQLite's. */
static void kcOrder(const KcKey *a, const KcKey *b, int nCol){
  int i, cSql = 0;
  for(i=0; i<nCol && cSql==0; i++){
    cSql = kcSqlCompare(&a->aVal[i], &b->aVal[i]);
  }
  if( kcByteCompare(a->a, a->n, b->a, b->n)!=cSql ){
    fprintf(stderr, "order mismatch: bytes %d, sqlite %d\n",
            kcByteCompare(a->a, a->n, b->a, b->n), cSql);
    FUZZ_ASSERT( 0 );
  }
}

/* Encode nCol values from the input as key k, then decode it. */
static void kcEncodeKey(FuzzIn *pIn, KcKey *k, int nCol){
  LsmvValue aIn[KC_MAX_COL];
  LsmvBuf enc;
  int rc = SQLITE_OK, i;
  memset(&enc, 0, sizeof(enc));
  for(i=0; i<nCol; i++){
    kcReadValue(pIn, &aIn[i]);
    lsmvKeyEncodeValue(&rc, &enc, &aIn[i]);
  }
  FUZZ_ASSERT( rc==SQLITE_OK );
  k->n = enc.n;
  k->a = malloc(enc.n ? (size_t)enc.n : 1);
  FUZZ_ASSERT( k->a!=0 );
  if( enc.n ) memcpy(k->a, enc.a, (size_t)enc.n);
  lsmvBufFree(&enc);
  kcDecode(k, nCol);
  FUZZ_ASSERT( k->bOk );
  for(i=0; i<nCol; i++){
    LsmvValue c = kcCanonical(&aIn[i]);
    const LsmvValue *d = &k->aVal[i];
    FUZZ_ASSERT( c.eType==d->eType );
    if( c.eType==SQLITE_INTEGER ) FUZZ_ASSERT( c.i==d->i );
    if( c.eType==SQLITE_FLOAT ) FUZZ_ASSERT( memcmp(&c.r, &d->r, 8)==0 );
    if( c.eType==SQLITE_TEXT || c.eType==SQLITE_BLOB ){
      FUZZ_ASSERT( c.n==d->n );
      FUZZ_ASSERT( c.n==0 || memcmp(c.z, d->z, (size_t)c.n)==0 );
    }
  }
}

/* Copy n input bytes into key k (exact allocation) and decode it. */
static void kcDecodeKey(const u8 *p, size_t n, KcKey *k, int nCol){
  k->n = (int)n;
  k->a = malloc(n ? n : 1);
  FUZZ_ASSERT( k->a!=0 );
  if( n ) memcpy(k->a, p, n);
  kcDecode(k, nCol);
}

int LLVMFuzzerTestOneInput(const uint8_t *aData, size_t nData){
  FuzzIn in = { aData, nData, 0 };
  KcKey a, b;
  u8 eMode = fuzzInByte(&in);
  int nCol = 1 + fuzzInByte(&in) % KC_MAX_COL;
  kcInit();
  memset(&a, 0, sizeof(a));
  memset(&b, 0, sizeof(b));
  if( nData>4096 ) return 0;
  if( eMode & 1 ){
    size_t nRest = fuzzInLeft(&in), nA, nB;
    size_t iSplit = (size_t)fuzzInByte(&in) * nRest / 256;
    const u8 *pA = fuzzInBytes(&in, iSplit, &nA);
    const u8 *pB = fuzzInBytes(&in, nData, &nB);
    kcDecodeKey(pA, nA, &a, nCol);
    kcDecodeKey(pB, nB, &b, nCol);
  }else{
    kcEncodeKey(&in, &a, nCol);
    kcEncodeKey(&in, &b, nCol);
  }
  if( a.bOk && b.bOk ){
    kcOrder(&a, &b, nCol);
    kcOrder(&b, &a, nCol);
    kcOrder(&a, &a, nCol);
  }
  lsmvBufFree(&a.scratch);
  lsmvBufFree(&b.scratch);
  free(a.a);
  free(b.a);
  return 0;
}

/* ---------------------------------------------------------- seeds */

int fuzzMakeSeeds(const char *zDir);
int fuzzMakeSeeds(const char *zDir){
  /* Encode mode: value lists (type byte, payload). */
  static const u8 aInts[] = { 0, 0, 1, 0x80,5,0,0,0,0,0,0,
                              1, 0x80,0xfb,0,0,0,0,0,0 };
  static const u8 aEdge[] = { 0, 0, 1, 0xff,0xff,0xff,0xff,0xff,0xff,0xff,0x7f,
                              2, 0,0,0,0,0,0,0xe0,0x43 };     /* 2^63 real */
  static const u8 aText[] = { 2, 1, 3, 3, 'a', 0, 'b', 0, 4, 2, 'x', 'y',
                              4, 0, 3, 0 };
  static const u8 aMix[] = { 4, 2, 0, 1, 0x80,1,0,0,0,0,0,0, 3, 1, 'z',
                             1, 0x80,1,0,0,0,0,0,0, 2, 0,0,0,0,0,0,0xf0,0x3f,
                             0 };
  static const u8 aReal[] = { 6, 0, 2, 0,0,0,0,0,0,0xf8,0x3f,
                              2, 0,0,0,0,0,0,0,0x80 };         /* 1.5, -0.0 */
  /* Decode mode: two canonical encodings. */
  static const u8 aDec[] = { 1, 0, 128, 0x21, 0x01, 0x00,
                             0x30, 'h', 'i', 0x00, 0x00 };
  static const u8 aDec2[] = { 3, 1, 100, 0x05, 0x1f, 0x00, 0x40, 0x00, 0xff,
                              0x00, 0x00, 0x21, 0x01, 0x01, 0x3f, 0xe0,
                              0, 0, 0, 0, 0, 0 };
  int rc = 0;
  rc |= fuzzSeedWrite(zDir, "ints", aInts, sizeof(aInts));
  rc |= fuzzSeedWrite(zDir, "edge", aEdge, sizeof(aEdge));
  rc |= fuzzSeedWrite(zDir, "text", aText, sizeof(aText));
  rc |= fuzzSeedWrite(zDir, "mix", aMix, sizeof(aMix));
  rc |= fuzzSeedWrite(zDir, "real", aReal, sizeof(aReal));
  rc |= fuzzSeedWrite(zDir, "decode", aDec, sizeof(aDec));
  rc |= fuzzSeedWrite(zDir, "decode2", aDec2, sizeof(aDec2));
  return rc;
}
