/*
** rowcodec.c -- the row record of the "lsm" virtual table (format, call
** order and invariants: rowcodec.h).  The writer appends to an LsmvBuf;
** the reader (LsmvRow) keeps a table of column offsets that it fills
** lazily: column i is validated the first time a column >= i is read, so
** every offset in the table is known to be inside the record and every
** payload it points at is known to be complete.  Integers are varints
** owned by this file (ext/ may use nothing of lsmcore/ but lsmcore.h); they
** are the same LEB128 form as lsmcore/coding.c.  No state: thread safe as
** described in the header.
*/
#include <sqlite3ext.h>
SQLITE_EXTENSION_INIT3

#include "rowcodec.h"

#include <assert.h>
#include <string.h>

typedef uint8_t u8;
typedef sqlite3_int64 i64;
typedef sqlite3_uint64 u64;

#define ROW_MAX_VARINT 10         /* Longest varint (64 bits) */
#define ROW_REAL_BYTES 8          /* Bytes of a REAL payload */

/*
** Write v as a varint to a (room for ROW_MAX_VARINT); return its length.
*/
static int rowPutVarint(u8 *a, u64 v){
  int n = 0;
  while( v>=0x80 ){
    a[n++] = (u8)(v | 0x80);
    v >>= 7;
  }
  a[n++] = (u8)v;
  return n;
}

/*
** Read a varint from a[0..n-1].  Returns the bytes used, or 0 if the input
** ends first, the varint is longer than 10 bytes, or it overflows 64 bits.
*/
static int rowGetVarint(const u8 *a, int n, u64 *pv){
  u64 v = 0;
  int i;
  for(i=0; i<n && i<ROW_MAX_VARINT; i++){
    u64 b = a[i] & 0x7f;
    if( i==ROW_MAX_VARINT-1 && a[i]>1 ) return 0;
    v |= b << (7*i);
    if( (a[i] & 0x80)==0 ){
      *pv = v;
      return i+1;
    }
  }
  return 0;
}

/* 8 bytes little-endian. */
static void rowPut64(u8 *a, u64 v){
  int i;
  for(i=0; i<8; i++){ a[i] = (u8)v; v >>= 8; }
}
static u64 rowGet64(const u8 *a){
  u64 v = 0;
  int i;
  for(i=7; i>=0; i--) v = (v<<8) | a[i];
  return v;
}

/*
** Append the varint v to p.
*/
static void rowAppendVarint(int *pRc, LsmvBuf *p, u64 v){
  u8 a[ROW_MAX_VARINT];
  lsmvBufAppend(pRc, p, a, rowPutVarint(a, v));
}

/*
** Append the record header (see rowcodec.h).
*/
void lsmvRowBegin(int *pRc, LsmvBuf *p, int nCol, int nFix){
  u8 c = LSMV_ROW_VERSION;
  assert( nCol>=0 && nFix>=0 );
  lsmvBufAppend(pRc, p, &c, 1);
  rowAppendVarint(pRc, p, (u64)nCol);
  rowAppendVarint(pRc, p, (u64)nFix);
}

/*
** Append one key-class entry.
*/
void lsmvRowAppendFix(int *pRc, LsmvBuf *p, int iKeyCol, double rVal){
  u8 a[ROW_REAL_BYTES];
  u64 u;
  assert( iKeyCol>=0 );
  memcpy(&u, &rVal, 8);
  rowPut64(a, u);
  rowAppendVarint(pRc, p, (u64)iKeyCol);
  lsmvBufAppend(pRc, p, a, ROW_REAL_BYTES);
}

/*
** Append one column value (a NaN REAL is written as NULL, as SQLite
** would store it).
*/
void lsmvRowAppendValue(int *pRc, LsmvBuf *p, const LsmvValue *pVal){
  u8 a[1 + ROW_MAX_VARINT];
  int n = 1;
  switch( pVal->eType ){
    case SQLITE_INTEGER: {
      u64 u = pVal->i<0 ? ~((u64)pVal->i << 1) : (u64)pVal->i << 1;
      a[0] = LSMV_ROW_INTEGER;
      n += rowPutVarint(&a[1], u);
      lsmvBufAppend(pRc, p, a, n);
      break;
    }
    case SQLITE_FLOAT: {
      u64 u;
      if( pVal->r!=pVal->r ){
        a[0] = LSMV_ROW_NULL;
        lsmvBufAppend(pRc, p, a, 1);
        break;
      }
      memcpy(&u, &pVal->r, 8);
      a[0] = LSMV_ROW_REAL;
      rowPut64(&a[1], u);
      lsmvBufAppend(pRc, p, a, 1 + ROW_REAL_BYTES);
      break;
    }
    case SQLITE_TEXT:
    case SQLITE_BLOB:
      a[0] = pVal->eType==SQLITE_TEXT ? LSMV_ROW_TEXT : LSMV_ROW_BLOB;
      n += rowPutVarint(&a[1], (u64)pVal->n);
      lsmvBufReserve(pRc, p, n + pVal->n);
      lsmvBufAppend(pRc, p, a, n);
      lsmvBufAppend(pRc, p, pVal->z, pVal->n);
      break;
    default:
      a[0] = LSMV_ROW_NULL;
      lsmvBufAppend(pRc, p, a, 1);
      break;
  }
}

/*
** Append one column value from an sqlite3_value.
*/
void lsmvRowAppend(int *pRc, LsmvBuf *p, sqlite3_value *pVal){
  LsmvValue v;
  if( *pRc!=SQLITE_OK ) return;
  *pRc = lsmvValueFromSqlite(pVal, &v);
  lsmvRowAppendValue(pRc, p, &v);
}

/*
** True if a key column holding *pVal needs a key-class entry.
*/
int lsmvRowKeyNeedsFix(const LsmvValue *pVal){
  double r = pVal->r;
  if( pVal->eType!=SQLITE_FLOAT ) return 0;
  if( !(r>=-9223372036854775808.0 && r<9223372036854775808.0) ) return 0;
  return (double)(i64)r==r;
}

/*
** Append a whole record (see rowcodec.h).
*/
int lsmvRowEncode(LsmvBuf *p, int nCol, sqlite3_value **apCol,
                  int nKey, sqlite3_value **apKey){
  int rc = SQLITE_OK;
  int nFix = 0;
  int i;
  for(i=0; i<nKey; i++){
    LsmvValue v;
    if( sqlite3_value_type(apKey[i])!=SQLITE_FLOAT ) continue;
    lsmvValueFromSqlite(apKey[i], &v);
    nFix += lsmvRowKeyNeedsFix(&v);
  }
  lsmvRowBegin(&rc, p, nCol, nFix);
  for(i=0; i<nKey && nFix>0; i++){
    LsmvValue v;
    if( sqlite3_value_type(apKey[i])!=SQLITE_FLOAT ) continue;
    lsmvValueFromSqlite(apKey[i], &v);
    if( lsmvRowKeyNeedsFix(&v) ) lsmvRowAppendFix(&rc, p, i, v.r);
  }
  for(i=0; i<nCol; i++) lsmvRowAppend(&rc, p, apCol[i]);
  return rc;
}

/*
** Prepare an LsmvRow (see rowcodec.h).
*/
void lsmvRowInit(LsmvRow *p){
  memset(p, 0, sizeof(*p));
}

/*
** Release the memory of p.
*/
void lsmvRowClose(LsmvRow *p){
  sqlite3_free(p->aOffHeap);
  lsmvRowInit(p);
}

/*
** The offset table of p: nCol+1 entries once lsmvRowOpen succeeded.
*/
static int *rowOffsets(LsmvRow *p){
  return p->nCol+1<=LSMV_ROW_NSMALL ? p->aOffSmall : p->aOffHeap;
}

/*
** Mark p as holding no record and return rc.
*/
static int rowFail(LsmvRow *p, int rc){
  p->a = 0;
  p->n = 0;
  p->nCol = 0;
  p->nFix = 0;
  p->nKnown = 0;
  p->aOffSmall[0] = 0;
  return rc;
}

/*
** Open a record: parse the header and validate the key-class entries.
*/
int lsmvRowOpen(LsmvRow *p, const uint8_t *a, int n){
  u64 nCol, nFix;                 /* Counts from the header */
  u64 iPrev = 0;                  /* Previous key-class entry's column */
  int iOff = 1;                   /* Read offset */
  int nUsed;                      /* Bytes of the last varint */
  u64 i;
  if( n<1 || a[0]!=LSMV_ROW_VERSION ) return rowFail(p, SQLITE_CORRUPT);
  nUsed = rowGetVarint(&a[iOff], n-iOff, &nCol);
  iOff += nUsed;
  if( nUsed==0 || nCol>(u64)(n-iOff) ) return rowFail(p, SQLITE_CORRUPT);
  nUsed = rowGetVarint(&a[iOff], n-iOff, &nFix);
  iOff += nUsed;
  if( nUsed==0 || nFix>(u64)(n-iOff)/(1+ROW_REAL_BYTES) ){
    return rowFail(p, SQLITE_CORRUPT);
  }
  p->iFix = iOff;
  for(i=0; i<nFix; i++){
    u64 iKeyCol;
    nUsed = rowGetVarint(&a[iOff], n-iOff, &iKeyCol);
    if( nUsed==0 || iKeyCol>0x7fffffff || (i>0 && iKeyCol<=iPrev)
     || n-iOff-nUsed<ROW_REAL_BYTES
    ){
      return rowFail(p, SQLITE_CORRUPT);
    }
    iPrev = iKeyCol;
    iOff += nUsed + ROW_REAL_BYTES;
  }
  if( nCol+1>LSMV_ROW_NSMALL && nCol+1>(u64)p->nOffHeap ){
    int *aNew = sqlite3_realloc64(p->aOffHeap, (nCol+1)*sizeof(int));
    if( aNew==0 ) return rowFail(p, SQLITE_NOMEM);
    p->aOffHeap = aNew;
    p->nOffHeap = (int)nCol+1;
  }
  p->a = a;
  p->n = n;
  p->nCol = (int)nCol;
  p->nFix = (int)nFix;
  p->nKnown = 0;
  rowOffsets(p)[0] = iOff;
  return SQLITE_OK;
}

/*
** Number of column values in the open record.
*/
int lsmvRowColumnCount(const LsmvRow *p){
  return p->nCol;
}

/*
** Validate column p->nKnown (whose offset is known) and record the offset
** of the next one.  Returns SQLITE_OK or SQLITE_CORRUPT.
*/
static int rowParseNext(LsmvRow *p){
  int *aOff = rowOffsets(p);
  int iOff = aOff[p->nKnown];
  const u8 *a = p->a;
  int nLeft = p->n - iOff;        /* Bytes from the type byte to the end */
  int nCol = 1;                   /* Bytes of this column */
  u64 v;
  int nUsed;
  if( nLeft<1 ) return SQLITE_CORRUPT;
  switch( a[iOff] ){
    case LSMV_ROW_NULL:
      break;
    case LSMV_ROW_INTEGER:
      nUsed = rowGetVarint(&a[iOff+1], nLeft-1, &v);
      if( nUsed==0 ) return SQLITE_CORRUPT;
      nCol += nUsed;
      break;
    case LSMV_ROW_REAL: {
      double r;
      if( nLeft-1<ROW_REAL_BYTES ) return SQLITE_CORRUPT;
      v = rowGet64(&a[iOff+1]);
      memcpy(&r, &v, 8);
      if( r!=r ) return SQLITE_CORRUPT;
      nCol += ROW_REAL_BYTES;
      break;
    }
    case LSMV_ROW_TEXT:
    case LSMV_ROW_BLOB:
      nUsed = rowGetVarint(&a[iOff+1], nLeft-1, &v);
      if( nUsed==0 || v>(u64)(nLeft-1-nUsed) ) return SQLITE_CORRUPT;
      nCol += nUsed + (int)v;
      break;
    default:
      return SQLITE_CORRUPT;
  }
  aOff[p->nKnown+1] = iOff + nCol;
  p->nKnown++;
  return SQLITE_OK;
}

/*
** Read column iCol (see rowcodec.h).
*/
int lsmvRowValue(LsmvRow *p, int iCol, LsmvValue *pOut){
  int rc = SQLITE_OK;
  const u8 *a;
  u64 v;
  int iOff;
  int nUsed;
  assert( iCol>=0 );
  memset(pOut, 0, sizeof(*pOut));
  pOut->eType = SQLITE_NULL;
  if( iCol>=p->nCol ) return SQLITE_OK;
  while( rc==SQLITE_OK && p->nKnown<=iCol ) rc = rowParseNext(p);
  if( rc!=SQLITE_OK ) return rc;
  a = p->a;
  iOff = rowOffsets(p)[iCol];
  switch( a[iOff] ){
    case LSMV_ROW_INTEGER:
      rowGetVarint(&a[iOff+1], p->n-iOff-1, &v);
      pOut->eType = SQLITE_INTEGER;
      pOut->i = (i64)((v>>1) ^ (~(v&1) + 1));
      break;
    case LSMV_ROW_REAL:
      v = rowGet64(&a[iOff+1]);
      pOut->eType = SQLITE_FLOAT;
      memcpy(&pOut->r, &v, 8);
      break;
    case LSMV_ROW_TEXT:
    case LSMV_ROW_BLOB:
      nUsed = rowGetVarint(&a[iOff+1], p->n-iOff-1, &v);
      pOut->eType = a[iOff]==LSMV_ROW_TEXT ? SQLITE_TEXT : SQLITE_BLOB;
      pOut->z = &a[iOff+1+nUsed];
      pOut->n = (int)v;
#if defined(LSMV_FUZZ_CANARY) && LSMV_FUZZ_CANARY==9
      /* TEST CANARY (TESTPLAN F4), compiled only by build-aux/fuzz.sh's
      ** canary build of fuzz_sql: a planted out-of-bounds read that the
      ** fuzzer must reach, proving the target gets here.  Never active
      ** otherwise. */
      if( pOut->eType==SQLITE_TEXT && pOut->n>=1
       && (pOut->z[0]>=0x7E || pOut->z[pOut->n-1]>=0x7E
           || pOut->z[pOut->n-1]=='!') ){
        static const u8 aCanary[4] = {0};
        const volatile u8 *pCanary = aCanary;
        volatile int iCanary = 4;
        (void)pCanary[iCanary];
      }
#endif
      break;
    default:
      assert( a[iOff]==LSMV_ROW_NULL );
      break;
  }
  return SQLITE_OK;
}

/*
** Set the result of pCtx to column iCol (see rowcodec.h).
*/
int lsmvRowColumn(LsmvRow *p, int iCol, sqlite3_context *pCtx, int bStatic){
  LsmvValue v;
  int rc = lsmvRowValue(p, iCol, &v);
  if( rc==SQLITE_OK ) lsmvValueResult(&v, pCtx, bStatic);
  return rc;
}

/*
** Validate the whole record (see rowcodec.h).
*/
int lsmvRowCheck(LsmvRow *p){
  int rc = SQLITE_OK;
  if( p->a==0 ) return SQLITE_CORRUPT;
  while( rc==SQLITE_OK && p->nKnown<p->nCol ) rc = rowParseNext(p);
  if( rc==SQLITE_OK && rowOffsets(p)[p->nCol]!=p->n ) rc = SQLITE_CORRUPT;
  return rc;
}

/*
** Apply the key-class entry of key column iKeyCol, if any, to *pKey (see
** rowcodec.h).  The entries were validated by lsmvRowOpen.
*/
int lsmvRowKeyFix(LsmvRow *p, int iKeyCol, LsmvValue *pKey){
  int iOff = p->iFix;
  int i;
  for(i=0; i<p->nFix; i++){
    u64 iEntry = 0;
    int nVarint = rowGetVarint(&p->a[iOff], p->n-iOff, &iEntry);
    if( nVarint==0 ) return SQLITE_CORRUPT;
    iOff += nVarint;
    if( iEntry==(u64)iKeyCol ){
      LsmvValue fix;
      u64 u = rowGet64(&p->a[iOff]);
      memset(&fix, 0, sizeof(fix));
      fix.eType = SQLITE_FLOAT;
      memcpy(&fix.r, &u, 8);
      if( !lsmvRowKeyNeedsFix(&fix) || pKey->eType!=SQLITE_INTEGER
       || (i64)fix.r!=pKey->i
      ){
        return SQLITE_CORRUPT;
      }
      *pKey = fix;
      return SQLITE_OK;
    }
    iOff += ROW_REAL_BYTES;
  }
  return SQLITE_OK;
}
