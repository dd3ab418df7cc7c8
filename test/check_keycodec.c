/*
** check_keycodec.c -- unit tests for ext/keycodec.c (TESTPLAN A4): the
** memcmp order of key encodings must equal SQLite's own comparison.  An
** in-memory database answers "SELECT ?1 < ?2, ?1 = ?2" for every pair, and
** the SQL function keyenc() encodes its argument through lsmvKeyEncode, so
** the sqlite3_value path and the explicit-payload path are both checked
** (they must give identical bytes).  Cases: fixed encodings from the
** header's examples; every pair of edge values; 10^6 random pairs with
** heavy edge weighting; composite keys of 2-3 columns; an ORDER BY of all
** edge values; canonical round trips; range bounds against brute force;
** decoder fuzz (truncations, byte flips, garbage: only SQLITE_OK with a
** canonical input, or SQLITE_CORRUPT); and a throughput measurement.
** Random cases use a fixed seed (env KEYCODEC_SEED overrides).
*/
#include <sqlite3ext.h>
#include "keycodec.h"

#include <check.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

typedef uint8_t u8;
typedef sqlite3_int64 i64;
typedef sqlite3_uint64 u64;

/*
** Assertions for hot loops: Check's ck_assert_* record a mark point (a
** write to a pipe) on every success, which would dominate the run time.
*/
#define EXPECT(x) do{ \
  if( !(x) ) ck_abort_msg("line %d: assertion %s failed", __LINE__, #x); \
}while(0)
#define EXPECT_EQ(x, y) do{ long long x_ = (x), y_ = (y); \
  if( x_!=y_ ) ck_abort_msg("line %d: %s == %s failed: %lld != %lld", \
                            __LINE__, #x, #y, x_, y_); \
}while(0)

#define N_RANDOM_PAIRS 1000000
#define TV_MAXBYTES 12

/* A test value: an LsmvValue without pointers, so it can be copied. */
typedef struct TVal TVal;
struct TVal {
  int eType;                      /* SQLITE_NULL, _INTEGER, ... */
  i64 i;                          /* INTEGER value */
  double r;                       /* REAL value */
  u8 aBuf[TV_MAXBYTES];           /* TEXT or BLOB bytes */
  int n;                          /* Bytes in aBuf */
};

/* Shared state of one test: the database and its statements. */
typedef struct Fix Fix;
struct Fix {
  sqlite3 *db;                    /* In-memory database */
  sqlite3_stmt *pCmp;             /* ?1<?2, ?1=?2, keyenc(?1), keyenc(?2) */
  sqlite3_stmt *pIs;              /* ?1 IS ?2, typeof(?2) */
  sqlite3_stmt *pOps;             /* =, IS, >, >=, <, <= of ?1 and ?2 */
  u64 rng;                        /* PRNG state */
};

/*
** xorshift64* PRNG.
*/
static u64 rnd(Fix *p){
  p->rng ^= p->rng >> 12;
  p->rng ^= p->rng << 25;
  p->rng ^= p->rng >> 27;
  return p->rng * 2685821657736338717ULL;
}
static int rndN(Fix *p, int n){ return (int)(rnd(p) % (u64)n); }

static u64 bitsOf(double r){ u64 u; memcpy(&u, &r, 8); return u; }
static double realOf(u64 u){ double r; memcpy(&r, &u, 8); return r; }
/* The next double above / below r (r finite and nonzero). */
static double rUp(double r){ return realOf(bitsOf(r) + (r>0 ? 1 : -1)); }
static double rDown(double r){ return realOf(bitsOf(r) + (r>0 ? -1 : 1)); }

/*
** SQL function keyenc(X): the key encoding of X.
*/
static void keyencFunc(sqlite3_context *pCtx, int nArg, sqlite3_value **ap){
  LsmvBuf buf = {0, 0, 0};
  int rc = SQLITE_OK;
  (void)nArg;
  lsmvKeyEncode(&rc, &buf, ap[0]);
  if( rc==SQLITE_OK ){
    sqlite3_result_blob(pCtx, buf.a, buf.n, SQLITE_TRANSIENT);
  }else{
    sqlite3_result_error_code(pCtx, rc);
  }
  lsmvBufFree(&buf);
}

/*
** SQL function keycol(K, I): column I of key K through lsmvKeyColumn.
*/
static void keycolFunc(sqlite3_context *pCtx, int nArg, sqlite3_value **ap){
  int rc;
  (void)nArg;
  rc = lsmvKeyColumn(sqlite3_value_blob(ap[0]), sqlite3_value_bytes(ap[0]),
                     sqlite3_value_int(ap[1]), pCtx);
  if( rc!=SQLITE_OK ) sqlite3_result_error_code(pCtx, rc);
}

/*
** Open the database and prepare the statements.
*/
static void fixOpen(Fix *p){
  const char *zSeed = getenv("KEYCODEC_SEED");
  memset(p, 0, sizeof(*p));
  p->rng = zSeed ? strtoull(zSeed, 0, 0) : 0x9E3779B97F4A7C15ULL;
  if( p->rng==0 ) p->rng = 1;
  EXPECT_EQ(sqlite3_open(":memory:", &p->db), SQLITE_OK);
  EXPECT_EQ(sqlite3_create_function(p->db, "keyenc", 1, SQLITE_UTF8,
                   0, keyencFunc, 0, 0), SQLITE_OK);
  EXPECT_EQ(sqlite3_create_function(p->db, "keycol", 2, SQLITE_UTF8,
                   0, keycolFunc, 0, 0), SQLITE_OK);
  EXPECT_EQ(sqlite3_prepare_v2(p->db,
      "SELECT ?1 < ?2, ?1 = ?2, keyenc(?1), keyenc(?2)", -1, &p->pCmp, 0),
      SQLITE_OK);
  EXPECT_EQ(sqlite3_prepare_v2(p->db,
      "SELECT ?1 IS ?2, typeof(?2)", -1, &p->pIs, 0), SQLITE_OK);
  EXPECT_EQ(sqlite3_prepare_v2(p->db,
      "SELECT coalesce(?1=?2,0), ?1 IS ?2, coalesce(?1>?2,0),"
      " coalesce(?1>=?2,0), coalesce(?1<?2,0), coalesce(?1<=?2,0)",
      -1, &p->pOps, 0), SQLITE_OK);
}

static void fixClose(Fix *p){
  sqlite3_finalize(p->pCmp);
  sqlite3_finalize(p->pIs);
  sqlite3_finalize(p->pOps);
  EXPECT_EQ(sqlite3_close(p->db), SQLITE_OK);
}

/*
** Bind *pV to parameter i of pStmt.  Empty TEXT and BLOB get a non-null
** pointer so they do not become NULL.
*/
static void tvBind(sqlite3_stmt *pStmt, int i, const TVal *pV){
  int rc = SQLITE_OK;
  switch( pV->eType ){
    case SQLITE_NULL:    rc = sqlite3_bind_null(pStmt, i);            break;
    case SQLITE_INTEGER: rc = sqlite3_bind_int64(pStmt, i, pV->i);    break;
    case SQLITE_FLOAT:   rc = sqlite3_bind_double(pStmt, i, pV->r);   break;
    case SQLITE_TEXT:
      rc = sqlite3_bind_text(pStmt, i, (const char*)pV->aBuf, pV->n,
                             SQLITE_TRANSIENT);
      break;
    default:
      rc = sqlite3_bind_blob(pStmt, i, pV->aBuf, pV->n, SQLITE_TRANSIENT);
      break;
  }
  EXPECT_EQ(rc, SQLITE_OK);
}

/* View a TVal as an LsmvValue (pointing into the TVal). */
static LsmvValue tvValue(const TVal *pV){
  LsmvValue v;
  v.eType = pV->eType;
  v.i = pV->i;
  v.r = pV->r;
  v.z = pV->aBuf;
  v.n = pV->n;
  return v;
}

/* Encode *pV, appending to *pBuf, through the explicit-payload path. */
static void tvEncode(LsmvBuf *pBuf, const TVal *pV){
  int rc = SQLITE_OK;
  LsmvValue v = tvValue(pV);
  lsmvKeyEncodeValue(&rc, pBuf, &v);
  EXPECT_EQ(rc, SQLITE_OK);
}

static TVal tvNull(void){
  TVal v; memset(&v, 0, sizeof(v)); v.eType = SQLITE_NULL; return v;
}
static TVal tvInt(i64 i){
  TVal v = tvNull(); v.eType = SQLITE_INTEGER; v.i = i; return v;
}
static TVal tvReal(double r){
  TVal v = tvNull(); v.eType = SQLITE_FLOAT; v.r = r; return v;
}
static TVal tvBytes(int eType, const char *z, int n){
  TVal v = tvNull();
  ck_assert_int_le(n, TV_MAXBYTES);
  v.eType = eType; v.n = n;
  memcpy(v.aBuf, z, (size_t)n);
  return v;
}

/* Byte strings used as TEXT and as BLOB edges: prefixes, NULs, bad UTF-8. */
static const struct { const char *z; int n; } aEdgeBytes[] = {
  {"", 0}, {"\0", 1}, {"\0\0", 2}, {"\0\xff", 2}, {"\x01", 1}, {"a", 1},
  {"a\0", 2}, {"a\0a", 3}, {"a\0\0", 3}, {"ab", 2}, {"abc", 3},
  {"a\x01", 2}, {"a\xff", 2}, {"\x7f", 1}, {"\x80", 1}, {"\xff", 1},
  {"\xff\xff", 2}, {"\xff\0", 2}, {"\xc3\x28", 2}, {"\xe2\x82", 2},
  {"\xc3\xa9", 2}
};
#define N_EDGE_BYTES ((int)(sizeof(aEdgeBytes)/sizeof(aEdgeBytes[0])))

#define TWO52 4503599627370496.0
#define TWO53 9007199254740992.0
#define TWO63 9223372036854775808.0

/*
** Fill aOut with every edge value; returns the count (at most nMax).
*/
static int edgeValues(TVal *aOut, int nMax){
  static const i64 aInt[] = {
    0, 1, -1, 2, -2, 3, 127, 128, 255, 256, -127, -128, -129, -255, -256,
    -257, 65535, 65536, -65536, -65537, 2147483647LL, 2147483648LL,
    -2147483648LL, 4294967296LL, 9007199254740991LL, 9007199254740992LL,
    9007199254740993LL, -9007199254740991LL, -9007199254740992LL,
    -9007199254740993LL, 72057594037927935LL, 72057594037927936LL,
    -72057594037927936LL, -72057594037927937LL, 4611686018427387904LL,
    INT64_MAX, INT64_MAX-1, INT64_MIN, INT64_MIN+1, 4503599627370496LL,
    -4503599627370496LL, 1000000000000000LL, -1000000000000001LL
  };
  const double aReal[] = {
    0.0, -0.0, 1.0, -1.0, 0.5, -0.5, 1.5, -1.5, 2.0, -2.0, 3.0, 255.0,
    256.5, -256.5, 0.1, -0.1, 1e-5, 1e-300, -1e-300, realOf(1),
    -realOf(1), 2.2250738585072014e-308, -2.2250738585072014e-308, 1e300,
    -1e300, 1.7976931348623157e308, -1.7976931348623157e308,
    realOf(0x7FF0000000000000ULL), -realOf(0x7FF0000000000000ULL),
    TWO52, TWO52-0.5, -TWO52+0.5, -TWO52-1.0, TWO53, TWO53+2.0, -TWO53,
    4611686018427387904.0, TWO63, -TWO63, rDown(TWO63), rUp(TWO63),
    rUp(-TWO63), rDown(-TWO63), 18446744073709551616.0,
    -18446744073709551616.0, 9.223372036854776e18, rDown(1.0), rUp(1.0),
    rUp(-1.0), rDown(-1.0), rUp(0.5), rDown(3.0), rUp(3.0),
    1e15+0.3, -1e15-0.3, rDown(TWO52), rUp(-TWO52), 1e-20, -1e-20,
    rDown(256.0), rUp(-256.0), 127.99999999999999, -128.00000000000003
  };
  int n = 0;
  size_t i;
  int j;
  aOut[n++] = tvNull();
  for(i=0; i<sizeof(aInt)/sizeof(aInt[0]); i++) aOut[n++] = tvInt(aInt[i]);
  for(i=0; i<sizeof(aReal)/sizeof(aReal[0]); i++){
    aOut[n++] = tvReal(aReal[i]);
  }
  for(j=0; j<N_EDGE_BYTES; j++){
    aOut[n++] = tvBytes(SQLITE_TEXT, aEdgeBytes[j].z, aEdgeBytes[j].n);
    aOut[n++] = tvBytes(SQLITE_BLOB, aEdgeBytes[j].z, aEdgeBytes[j].n);
  }
  ck_assert_int_le(n, nMax);
  return n;
}

/*
** A random value with heavy edge weighting.  aEdge/nEdge are the edges.
*/
static TVal randomValue(Fix *p, const TVal *aEdge, int nEdge){
  static const u8 aAlpha[] = {0x00, 0x01, 'a', 'b', 0x7f, 0x80, 0xff};
  int x = rndN(p, 100);
  if( x<8 ) return tvNull();
  if( x<25 ) return aEdge[rndN(p, nEdge)];
  if( x<50 ){                                   /* INTEGER */
    int y = rndN(p, 4);
    if( y==0 ) return tvInt(rndN(p, 601) - 300);
    if( y==1 ){
      TVal v = aEdge[rndN(p, nEdge)];
      if( v.eType==SQLITE_INTEGER ){
        v.i = (i64)((u64)v.i + (u64)(rndN(p, 5) - 2));     /* may wrap */
      }else{
        v = tvInt((i64)rnd(p));
      }
      return v;
    }
    return tvInt((i64)(rnd(p) >> rndN(p, 64)) * (rndN(p, 2) ? 1 : -1));
  }
  if( x<80 ){                                   /* REAL */
    int y = rndN(p, 7);
    double r;
    i64 k = (i64)(rnd(p) >> (rndN(p, 64) | 1)) * (rndN(p, 2) ? 1 : -1);
    if( y==0 ) return tvReal((double)k);
    if( y==1 ){
      static const double aFrac[] = {0.5, 0.25, 0.75, 1e-9, 0.1, 0.9999};
      k >>= 12;
      r = (double)k + aFrac[rndN(p, 6)] * (rndN(p, 2) ? 1 : -1);
      return tvReal(r);
    }
    if( y==2 ){
      do{ r = realOf(rnd(p)); }while( r!=r );
      return tvReal(r);
    }
    if( y==3 ){
      r = (double)k;
      if( r!=0.0 ) r = rndN(p, 2) ? rUp(r) : rDown(r);
      return tvReal(r);
    }
    if( y==4 ) return tvReal((double)(rndN(p, 2000001) - 1000000) / 1000.0);
    if( y==5 ) return tvReal((double)(rndN(p, 601) - 300));
    r = realOf(rnd(p) & 0x43FFFFFFFFFFFFFFULL);   /* |r| < 2^64-ish */
    return tvReal(rndN(p, 2) ? -r : r);
  }
  {                                             /* TEXT or BLOB */
    TVal v = tvNull();
    int i;
    v.eType = x<90 ? SQLITE_TEXT : SQLITE_BLOB;
    v.n = rndN(p, 7);
    for(i=0; i<v.n; i++) v.aBuf[i] = aAlpha[rndN(p, (int)sizeof(aAlpha))];
    return v;
  }
}

/*
** A value for the second element of a pair: often equal to a, or the
** same number in the other storage class, else independent.
*/
static TVal randomPartner(Fix *p, const TVal *pA, const TVal *aEdge,
                          int nEdge){
  int x = rndN(p, 100);
  if( x<15 ) return *pA;
  if( x<25 ){
    if( pA->eType==SQLITE_INTEGER ) return tvReal((double)pA->i);
    if( pA->eType==SQLITE_FLOAT && pA->r>=-TWO63 && pA->r<TWO63 ){
      return tvInt((i64)pA->r);
    }
  }
  return randomValue(p, aEdge, nEdge);
}

/*
** Memcmp order of two byte strings (shorter first on a common prefix).
*/
static int bytesCmp(const u8 *a, int na, const u8 *b, int nb){
  int n = na<nb ? na : nb;
  int c = n>0 ? memcmp(a, b, (size_t)n) : 0;
  if( c==0 ) c = na - nb;
  return (c>0) - (c<0);
}

/* NULL sorts first and equals NULL (datatype3.html, "Sort Order"). */
static int nullCmp(const TVal *pA, const TVal *pB){
  return (pA->eType!=SQLITE_NULL) - (pB->eType!=SQLITE_NULL);
}

/*
** Compare a and b with SQLite and with the codec; fail on a mismatch.
** Returns SQLite's answer (-1, 0, 1).
*/
static int checkPair(Fix *p, const TVal *pA, const TVal *pB){
  LsmvBuf ea = {0, 0, 0};
  LsmvBuf eb = {0, 0, 0};
  int eSql;
  int eEnc;
  tvBind(p->pCmp, 1, pA);
  tvBind(p->pCmp, 2, pB);
  EXPECT_EQ(sqlite3_step(p->pCmp), SQLITE_ROW);
  if( pA->eType==SQLITE_NULL || pB->eType==SQLITE_NULL ){
    eSql = nullCmp(pA, pB);
  }else if( sqlite3_column_int(p->pCmp, 0) ){
    eSql = -1;
  }else{
    eSql = sqlite3_column_int(p->pCmp, 1) ? 0 : 1;
  }
  tvEncode(&ea, pA);
  tvEncode(&eb, pB);
  /* The sqlite3_value path gives the same bytes. */
  EXPECT_EQ(sqlite3_column_bytes(p->pCmp, 2), ea.n);
  EXPECT(memcmp(sqlite3_column_blob(p->pCmp, 2), ea.a, (size_t)ea.n)==0);
  EXPECT_EQ(sqlite3_column_bytes(p->pCmp, 3), eb.n);
  EXPECT(memcmp(sqlite3_column_blob(p->pCmp, 3), eb.a, (size_t)eb.n)==0);
  sqlite3_reset(p->pCmp);
  eEnc = bytesCmp(ea.a, ea.n, eb.a, eb.n);
  if( eEnc!=eSql ){
    fprintf(stderr, "mismatch: types %d %d i %lld %lld r %.17g %.17g "
            "sql %d enc %d\n", pA->eType, pB->eType, pA->i, pB->i, pA->r,
            pB->r, eSql, eEnc);
  }
  EXPECT_EQ(eEnc, eSql);
  lsmvBufFree(&ea);
  lsmvBufFree(&eb);
  return eSql;
}

START_TEST(test_fixed_bytes){
  static const struct { double r; int bReal; i64 i; const char *zHex; } a[] = {
    {0, 0, 0, "2000"}, {-0.0, 1, 0, "2000"}, {0, 0, 1, "210100"},
    {1.0, 1, 0, "210100"}, {-1.0, 1, 0, "1f00"}, {0, 0, -1, "1f00"},
    {0, 0, -256, "1e0000"}, {0, 0, 256, "22010000"},
    {1.5, 1, 0, "2101013fe0000000000000"},
    {-0.5, 1, 0, "1f01c01fffffffffffff"},
    {0, 0, INT64_MAX, "287fffffffffffffff00"},
    {0, 0, INT64_MIN, "17800000000000000000"},
    {-TWO63, 1, 0, "17800000000000000000"},
    {TWO63, 1, 0, "2943e0000000000000"},
  };
  size_t i;
  for(i=0; i<sizeof(a)/sizeof(a[0]); i++){
    LsmvBuf b = {0, 0, 0};
    char zHex[64];
    int rc = SQLITE_OK;
    int j;
    if( a[i].bReal ) lsmvKeyEncodeReal(&rc, &b, a[i].r);
    else lsmvKeyEncodeInt(&rc, &b, a[i].i);
    EXPECT_EQ(rc, SQLITE_OK);
    for(j=0; j<b.n; j++) sprintf(&zHex[2*j], "%02x", b.a[j]);
    zHex[2*b.n] = 0;
    ck_assert_str_eq(zHex, a[i].zHex);
    lsmvBufFree(&b);
  }
  {
    LsmvBuf b = {0, 0, 0};
    int rc = SQLITE_OK;
    lsmvKeyEncodeText(&rc, &b, "a\0b", 3);
    lsmvKeyEncodeBlob(&rc, &b, "", 0);
    lsmvKeyEncodeReal(&rc, &b, realOf(0x7FF8000000000000ULL));   /* NaN */
    EXPECT_EQ(rc, SQLITE_OK);
    EXPECT_EQ(b.n, 11);
    EXPECT(memcmp(b.a, "\x30" "a\0\xff" "b\0\0" "\x40\0\0" "\x05",
                     11)==0);
    lsmvBufFree(&b);
  }
}
END_TEST

START_TEST(test_edge_pairs){
  Fix f;
  TVal aEdge[256];
  int nEdge;
  int i, j;
  int nPair = 0;
  fixOpen(&f);
  nEdge = edgeValues(aEdge, 256);
  for(i=0; i<nEdge; i++){
    for(j=0; j<nEdge; j++){
      checkPair(&f, &aEdge[i], &aEdge[j]);
      nPair++;
    }
  }
  EXPECT_EQ(nPair, nEdge*nEdge);
  fprintf(stderr, "keycodec: %d edge values, %d edge pairs: 0 mismatches\n",
          nEdge, nPair);
  fixClose(&f);
}
END_TEST

/*
** SQLite's sorter (ORDER BY, a different comparison routine from the one
** behind "<") orders all edge values in the same way as their encodings.
*/
START_TEST(test_order_by){
  Fix f;
  TVal aEdge[256];
  int nEdge;
  int i;
  int iPrev = -1;
  LsmvBuf prev = {0, 0, 0};
  sqlite3_stmt *pIns;
  sqlite3_stmt *pSel;
  fixOpen(&f);
  nEdge = edgeValues(aEdge, 256);
  EXPECT_EQ(sqlite3_exec(f.db, "CREATE TABLE t(i INTEGER, v)", 0, 0, 0),
                   SQLITE_OK);
  EXPECT_EQ(sqlite3_prepare_v2(f.db, "INSERT INTO t VALUES(?1, ?2)",
                                      -1, &pIns, 0), SQLITE_OK);
  for(i=0; i<nEdge; i++){
    sqlite3_bind_int(pIns, 1, i);
    tvBind(pIns, 2, &aEdge[i]);
    EXPECT_EQ(sqlite3_step(pIns), SQLITE_DONE);
    sqlite3_reset(pIns);
  }
  sqlite3_finalize(pIns);
  EXPECT_EQ(sqlite3_prepare_v2(f.db, "SELECT i FROM t ORDER BY v",
                                      -1, &pSel, 0), SQLITE_OK);
  i = 0;
  while( sqlite3_step(pSel)==SQLITE_ROW ){
    int iVal = sqlite3_column_int(pSel, 0);
    LsmvBuf cur = {0, 0, 0};
    tvEncode(&cur, &aEdge[iVal]);
    if( iPrev>=0 ){
      int c = bytesCmp(prev.a, prev.n, cur.a, cur.n);
      ck_assert_int_le(c, 0);
      /* Equal encodings exactly when SQLite says the values are equal. */
      EXPECT_EQ(c==0, checkPair(&f, &aEdge[iPrev], &aEdge[iVal])==0);
    }
    lsmvBufFree(&prev);
    prev = cur;
    iPrev = iVal;
    i++;
  }
  EXPECT_EQ(i, nEdge);
  sqlite3_finalize(pSel);
  lsmvBufFree(&prev);
  fixClose(&f);
}
END_TEST

START_TEST(test_random_pairs){
  Fix f;
  TVal aEdge[256];
  int nEdge;
  int i;
  int aRes[3] = {0, 0, 0};
  fixOpen(&f);
  nEdge = edgeValues(aEdge, 256);
  for(i=0; i<N_RANDOM_PAIRS; i++){
    TVal a = randomValue(&f, aEdge, nEdge);
    TVal b = randomPartner(&f, &a, aEdge, nEdge);
    aRes[1 + checkPair(&f, &a, &b)]++;
  }
  /* The generator exercises all three outcomes heavily. */
  ck_assert_int_gt(aRes[0], N_RANDOM_PAIRS/5);
  ck_assert_int_gt(aRes[1], N_RANDOM_PAIRS/10);
  ck_assert_int_gt(aRes[2], N_RANDOM_PAIRS/5);
  fprintf(stderr, "keycodec: %d random pairs (%d <, %d =, %d >): "
          "0 mismatches\n", N_RANDOM_PAIRS, aRes[0], aRes[1], aRes[2]);
  fixClose(&f);
}
END_TEST

/*
** Composite keys of 2 or 3 columns: memcmp of the concatenations equals the
** lexicographic order of SQLite's column comparisons.
*/
START_TEST(test_composite){
  Fix f;
  TVal aEdge[256];
  int nEdge;
  int iter;
  int nEqual = 0;
  fixOpen(&f);
  nEdge = edgeValues(aEdge, 256);
  for(iter=0; iter<200000; iter++){
    TVal a[3], b[3];
    LsmvBuf ea = {0, 0, 0};
    LsmvBuf eb = {0, 0, 0};
    int nCol = 2 + rndN(&f, 2);
    int eSql = 0;
    int i;
    for(i=0; i<nCol; i++){
      a[i] = randomValue(&f, aEdge, nEdge);
      b[i] = rndN(&f, 2) ? randomPartner(&f, &a[i], aEdge, nEdge) : a[i];
      tvEncode(&ea, &a[i]);
      tvEncode(&eb, &b[i]);
    }
    for(i=0; i<nCol && eSql==0; i++) eSql = checkPair(&f, &a[i], &b[i]);
    nEqual += (eSql==0);
    EXPECT_EQ(bytesCmp(ea.a, ea.n, eb.a, eb.n), eSql);
    lsmvBufFree(&ea);
    lsmvBufFree(&eb);
  }
  ck_assert_int_gt(nEqual, 1000);
  fixClose(&f);
}
END_TEST

/*
** The canonical value of *pV: INTEGER for integral numbers in int64 range,
** NULL for NaN.
*/
static TVal tvCanonical(const TVal *pV){
  if( pV->eType==SQLITE_FLOAT ){
    double r = pV->r;
    if( r!=r ) return tvNull();
    if( r>=-TWO63 && r<TWO63 && (double)(i64)r==r ) return tvInt((i64)r);
  }
  return *pV;
}

/*
** decode(encode(v)) is the canonical v, exactly, for single values and
** composite keys, through lsmvKeyDecode, lsmvKeyDecodeOne and SQL IS.
*/
START_TEST(test_round_trip){
  Fix f;
  TVal aEdge[256];
  int nEdge;
  int iter;
  LsmvBuf scratch = {0, 0, 0};
  sqlite3_stmt *pCol;
  fixOpen(&f);
  nEdge = edgeValues(aEdge, 256);
  EXPECT_EQ(sqlite3_prepare_v2(f.db, "SELECT keycol(?1, ?2)", -1,
                                      &pCol, 0), SQLITE_OK);
  for(iter=0; iter<100000; iter++){
    TVal a[3];
    LsmvValue aDec[4];              /* One extra for the nCol+1 decode */
    LsmvBuf key = {0, 0, 0};
    int nCol = iter<nEdge ? 1 : 1 + rndN(&f, 3);
    int i;
    int iOff = 0;
    for(i=0; i<nCol; i++){
      a[i] = iter<nEdge ? aEdge[iter] : randomValue(&f, aEdge, nEdge);
      tvEncode(&key, &a[i]);
    }
    EXPECT_EQ(lsmvKeyDecode(key.a, key.n, nCol, aDec, &scratch),
                     SQLITE_OK);
    /* One column too many or too few: corrupt. */
    EXPECT_EQ(lsmvKeyDecode(key.a, key.n, nCol+1, aDec, &scratch),
                     SQLITE_CORRUPT);
    EXPECT_EQ(lsmvKeyDecode(key.a, key.n, nCol-1, aDec, &scratch),
                     SQLITE_CORRUPT);
    EXPECT_EQ(lsmvKeyDecode(key.a, key.n, nCol, aDec, &scratch),
                     SQLITE_OK);
    for(i=0; i<nCol; i++){
      TVal c = tvCanonical(&a[i]);
      EXPECT_EQ(aDec[i].eType, c.eType);
      if( c.eType==SQLITE_INTEGER ) EXPECT(aDec[i].i==c.i);
      if( c.eType==SQLITE_FLOAT ) EXPECT(bitsOf(aDec[i].r)==bitsOf(c.r));
      if( c.eType==SQLITE_TEXT || c.eType==SQLITE_BLOB ){
        EXPECT_EQ(aDec[i].n, c.n);
        EXPECT(c.n==0 || memcmp(aDec[i].z, c.aBuf, (size_t)c.n)==0);
      }
      /* Through SQL: keycol() IS the original, with the canonical type. */
      if( (iter & 7)==0 || iter<nEdge ){
        static const char *azType[] = {"", "integer", "real", "text",
                                       "blob", "null"};
        sqlite3_bind_blob(pCol, 1, key.a, key.n, SQLITE_STATIC);
        sqlite3_bind_int(pCol, 2, i);
        EXPECT_EQ(sqlite3_step(pCol), SQLITE_ROW);
        tvBind(f.pIs, 1, &a[i]);
        EXPECT_EQ(sqlite3_bind_value(f.pIs, 2,
                         sqlite3_column_value(pCol, 0)), SQLITE_OK);
        EXPECT_EQ(sqlite3_step(f.pIs), SQLITE_ROW);
        EXPECT_EQ(sqlite3_column_int(f.pIs, 0), 1);
        ck_assert_str_eq((const char*)sqlite3_column_text(f.pIs, 1),
                         azType[c.eType]);
        sqlite3_reset(f.pIs);
        sqlite3_reset(pCol);
      }
      {
        LsmvValue one;
        LsmvBuf s1 = {0, 0, 0};
        EXPECT_EQ(lsmvKeyDecodeOne(key.a, key.n, &iOff, &one, &s1),
                         SQLITE_OK);
        EXPECT_EQ(one.eType, c.eType);
        lsmvBufFree(&s1);
      }
    }
    EXPECT_EQ(iOff, key.n);
    /* keycol() of a missing column is an error (SQLITE_CORRUPT). */
    sqlite3_bind_blob(pCol, 1, key.a, key.n, SQLITE_STATIC);
    sqlite3_bind_int(pCol, 2, nCol);
    EXPECT_EQ(sqlite3_step(pCol), SQLITE_CORRUPT);
    sqlite3_reset(pCol);
    lsmvBufFree(&key);
  }
  sqlite3_finalize(pCol);
  lsmvBufFree(&scratch);
  fixClose(&f);
}
END_TEST

/*
** Decode input (copied to an exact-size heap block so that ASan sees any
** read past its end) column by column until it ends.  Returns SQLITE_OK
** or SQLITE_CORRUPT; on SQLITE_OK, re-encoding the values must give the
** input back byte for byte (the decoder accepts canonical input only).
*/
static int fuzzOne(const u8 *aIn, int nIn){
  u8 *a = malloc(nIn>0 ? (size_t)nIn : 1);
  LsmvBuf scratch = {0, 0, 0};
  LsmvBuf again = {0, 0, 0};
  int rc = SQLITE_OK;
  int iOff = 0;
  int nCol = 0;
  memcpy(a, aIn, (size_t)nIn);
  while( rc==SQLITE_OK && iOff<nIn ){
    LsmvValue v;
    int iStart = iOff;
    int iSkip = iOff;
    rc = lsmvKeyDecodeOne(a, nIn, &iOff, &v, &scratch);
    EXPECT_EQ(lsmvKeySkip(a, nIn, &iSkip), rc);
    if( rc==SQLITE_OK ){
      int rc2 = SQLITE_OK;
      EXPECT_EQ(iSkip, iOff);
      if( v.z==0 && v.n>0 ) v.z = &scratch.a[v.i];
      lsmvKeyEncodeValue(&rc2, &again, &v);
      EXPECT_EQ(rc2, SQLITE_OK);
      EXPECT_EQ(again.n, iOff);
      EXPECT(memcmp(again.a + iStart, a + iStart,
                       (size_t)(iOff-iStart))==0);
      nCol++;
    }
  }
  EXPECT(rc==SQLITE_OK || rc==SQLITE_CORRUPT);
  if( rc==SQLITE_OK && nCol>0 ){
    LsmvValue aVal[64];
    if( nCol<=64 ){
      EXPECT_EQ(lsmvKeyDecode(a, nIn, nCol, aVal, &scratch),
                       SQLITE_OK);
    }
  }
  lsmvBufFree(&scratch);
  lsmvBufFree(&again);
  free(a);
  return rc;
}

START_TEST(test_decoder_fuzz){
  Fix f;
  TVal aEdge[256];
  int nEdge;
  int iter;
  int aRc[2] = {0, 0};
  int nTrunc = 0;
  fixOpen(&f);
  nEdge = edgeValues(aEdge, 256);
  for(iter=0; iter<20000; iter++){
    LsmvBuf key = {0, 0, 0};
    LsmvValue aVal[3];
    LsmvBuf scratch = {0, 0, 0};
    int nCol = 1 + rndN(&f, 3);
    int i, n;
    for(i=0; i<nCol; i++){
      TVal v = randomValue(&f, aEdge, nEdge);
      tvEncode(&key, &v);
    }
    /* Every truncation: corrupt as a key of nCol columns. */
    for(n=0; n<key.n; n++){
      u8 *aCopy = malloc((size_t)n + 1);
      memcpy(aCopy, key.a, (size_t)n);
      EXPECT_EQ(lsmvKeyDecode(aCopy, n, nCol, aVal, &scratch),
                       SQLITE_CORRUPT);
      fuzzOne(aCopy, n);
      free(aCopy);
      nTrunc++;
    }
    EXPECT_EQ(fuzzOne(key.a, key.n), SQLITE_OK);
    /* Random byte flips, insertions and deletions. */
    for(i=0; i<8; i++){
      u8 aMut[256];
      int nMut = key.n<250 ? key.n : 250;
      int j, nEdit = 1 + rndN(&f, 3);
      memcpy(aMut, key.a, (size_t)nMut);
      for(j=0; j<nEdit && nMut>0; j++){
        int k = rndN(&f, nMut);
        switch( rndN(&f, 4) ){
          case 0: aMut[k] ^= (u8)(1 << rndN(&f, 8)); break;
          case 1: aMut[k] = (u8)rnd(&f); break;
          case 2:
            memmove(&aMut[k], &aMut[k+1], (size_t)(nMut-k-1));
            nMut--;
            break;
          default:
            memmove(&aMut[k+1], &aMut[k], (size_t)(nMut-k));
            aMut[k] = (u8)rnd(&f);
            nMut++;
            break;
        }
      }
      aRc[fuzzOne(aMut, nMut)==SQLITE_OK]++;
    }
    /* Pure garbage, biased to valid tags. */
    {
      static const u8 aTag[] = {0x05, 0x16, 0x17, 0x1f, 0x20, 0x21, 0x28,
                                0x29, 0x30, 0x40, 0x00, 0xff};
      u8 aG[24];
      int nG = rndN(&f, 24);
      for(i=0; i<nG; i++){
        aG[i] = rndN(&f, 3) ? (u8)rnd(&f) : aTag[rndN(&f, 12)];
      }
      aRc[fuzzOne(aG, nG)==SQLITE_OK]++;
    }
    lsmvBufFree(&key);
    lsmvBufFree(&scratch);
  }
  /* Both outcomes occur. */
  ck_assert_int_gt(aRc[0], 1000);
  ck_assert_int_gt(aRc[1], 1000);
  fprintf(stderr, "keycodec: fuzz %d truncations, %d mutants corrupt, "
          "%d decoded canonically\n", nTrunc, aRc[0], aRc[1]);
  fixClose(&f);
}
END_TEST

/*
** Evaluate "a eOp b" with SQLite (NULL counts as false).
*/
static int sqlOp(Fix *p, const TVal *pA, int eOp, const TVal *pB){
  static const int aCol[] = {0, 0, 1, 2, 3, 4, 5};  /* by LSMV_KEY_xxx */
  int r;
  tvBind(p->pOps, 1, pA);
  tvBind(p->pOps, 2, pB);
  EXPECT_EQ(sqlite3_step(p->pOps), SQLITE_ROW);
  r = sqlite3_column_int(p->pOps, aCol[eOp]);
  sqlite3_reset(p->pOps);
  return r;
}

/*
** lsmvKeyRange against brute force over a set of 2-column keys, the
** first column drawn from a few values so that prefixes repeat.
*/
START_TEST(test_range){
  Fix f;
  TVal aEdge[256];
  int nEdge;
  enum { N_KEY = 1500, N_QUERY = 300 };
  TVal (*aKeyVal)[2] = malloc(sizeof(TVal[2]) * N_KEY);
  LsmvBuf *aKey = calloc(N_KEY, sizeof(LsmvBuf));
  TVal aFirst[6];
  int i, q;
  int nMatch = 0;
  fixOpen(&f);
  nEdge = edgeValues(aEdge, 256);
  aFirst[0] = tvInt(1);
  aFirst[1] = tvReal(-0.5);
  aFirst[2] = tvBytes(SQLITE_TEXT, "a", 1);
  aFirst[3] = tvBytes(SQLITE_TEXT, "a\0", 2);
  aFirst[4] = tvBytes(SQLITE_BLOB, "\xff", 1);
  aFirst[5] = tvNull();
  for(i=0; i<N_KEY; i++){
    aKeyVal[i][0] = aFirst[rndN(&f, 6)];
    aKeyVal[i][1] = randomValue(&f, aEdge, nEdge);
    tvEncode(&aKey[i], &aKeyVal[i][0]);
    tvEncode(&aKey[i], &aKeyVal[i][1]);
  }
  for(q=0; q<N_QUERY; q++){
    TVal first = aFirst[rndN(&f, 6)];
    TVal v = q<nEdge ? aEdge[q] : randomValue(&f, aEdge, nEdge);
    int eOp = rndN(&f, 7);
    int nPrefix = rndN(&f, 8)==0 ? 0 : 1;
    LsmvBuf pre = {0, 0, 0};
    LsmvBuf lo = {0, 0, 0};
    LsmvBuf hi = {0, 0, 0};
    LsmvValue lv = tvValue(&v);
    int bEmpty = 0;
    if( nPrefix ) tvEncode(&pre, &first);
    if( nPrefix==0 ) eOp = LSMV_KEY_PREFIX;
    EXPECT_EQ(lsmvKeyRange(pre.a, pre.n, eOp, &lv, &lo, &hi, &bEmpty),
                     SQLITE_OK);
    for(i=0; i<N_KEY; i++){
      int bIn = !bEmpty
             && bytesCmp(aKey[i].a, aKey[i].n, lo.a, lo.n)>=0
             && (hi.n==0 || bytesCmp(aKey[i].a, aKey[i].n, hi.a, hi.n)<0);
      int bWant = 1;
      if( nPrefix ) bWant = sqlOp(&f, &aKeyVal[i][0], LSMV_KEY_IS, &first);
      if( bWant && eOp!=LSMV_KEY_PREFIX ){
        bWant = sqlOp(&f, &aKeyVal[i][1], eOp, &v);
      }
      EXPECT_EQ(bIn, bWant);
      nMatch += bIn;
    }
    lsmvBufFree(&pre);
    lsmvBufFree(&lo);
    lsmvBufFree(&hi);
  }
  ck_assert_int_gt(nMatch, N_QUERY*10);
  for(i=0; i<N_KEY; i++) lsmvBufFree(&aKey[i]);
  free(aKey);
  free(aKeyVal);
  fixClose(&f);
}
END_TEST

START_TEST(test_successor){
  LsmvBuf b = {0, 0, 0};
  int rc = SQLITE_OK;
  EXPECT_EQ(lsmvKeyPrefixSuccessor(&b), 0);
  lsmvBufAppend(&rc, &b, "\x21\xff\xff", 3);
  EXPECT_EQ(lsmvKeyPrefixSuccessor(&b), 1);
  EXPECT_EQ(b.n, 1);
  EXPECT_EQ(b.a[0], 0x22);
  b.n = 0;
  lsmvBufAppend(&rc, &b, "\xff\xff", 2);
  EXPECT_EQ(lsmvKeyPrefixSuccessor(&b), 0);
  EXPECT_EQ(b.n, 0);
  EXPECT_EQ(rc, SQLITE_OK);
  lsmvBufFree(&b);
}
END_TEST

static double nowSec(void){
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec*1e-9;
}

/*
** Throughput of encode, memcmp compare and decode (printed, not asserted
** beyond sanity; meaningful at -O2 without sanitizers).
*/
START_TEST(test_throughput){
  Fix f;
  TVal aEdge[256];
  int nEdge;
  enum { N = 200000, ROUNDS = 10 };
  TVal *aV = malloc(sizeof(TVal)*N);
  LsmvValue *aL = malloc(sizeof(LsmvValue)*N);
  int *aOff = malloc(sizeof(int)*(N+1));
  LsmvBuf all = {0, 0, 0};
  LsmvBuf scratch = {0, 0, 0};
  double t0, tEnc, tCmp, tDec;
  long nSum = 0;
  int i, r;
  int rc = SQLITE_OK;
  fixOpen(&f);
  nEdge = edgeValues(aEdge, 256);
  for(i=0; i<N; i++){ aV[i] = randomValue(&f, aEdge, nEdge); }
  for(i=0; i<N; i++){ aL[i] = tvValue(&aV[i]); }
  t0 = nowSec();
  for(r=0; r<ROUNDS; r++){
    all.n = 0;
    for(i=0; i<N; i++){
      aOff[i] = all.n;
      lsmvKeyEncodeValue(&rc, &all, &aL[i]);
    }
    aOff[N] = all.n;
  }
  tEnc = nowSec() - t0;
  EXPECT_EQ(rc, SQLITE_OK);
  t0 = nowSec();
  for(r=0; r<ROUNDS; r++){
    for(i=0; i+1<N; i++){
      nSum += bytesCmp(&all.a[aOff[i]], aOff[i+1]-aOff[i],
                       &all.a[aOff[i+1]], aOff[i+2]-aOff[i+1]);
    }
  }
  tCmp = nowSec() - t0;
  t0 = nowSec();
  for(r=0; r<ROUNDS; r++){
    int iOff = 0;
    scratch.n = 0;
    for(i=0; i<N; i++){
      LsmvValue v;
      EXPECT(lsmvKeyDecodeOne(all.a, all.n, &iOff, &v, &scratch)==0);
    }
  }
  tDec = nowSec() - t0;
  fprintf(stderr, "keycodec: encode %.1f M values/s (%.1f bytes avg), "
          "compare %.1f M/s, decode %.1f M/s (checksum %ld)\n",
          N*ROUNDS/tEnc/1e6, (double)all.n/N, (N-1)*ROUNDS/tCmp/1e6,
          N*ROUNDS/tDec/1e6, nSum);
  lsmvBufFree(&all);
  lsmvBufFree(&scratch);
  free(aV); free(aL); free(aOff);
  fixClose(&f);
}
END_TEST

static Suite *keycodecSuite(void){
  Suite *s = suite_create("keycodec");
  TCase *tc = tcase_create("core");
  tcase_set_timeout(tc, 600);
  tcase_add_test(tc, test_fixed_bytes);
  tcase_add_test(tc, test_successor);
  tcase_add_test(tc, test_edge_pairs);
  tcase_add_test(tc, test_order_by);
  tcase_add_test(tc, test_random_pairs);
  tcase_add_test(tc, test_composite);
  tcase_add_test(tc, test_round_trip);
  tcase_add_test(tc, test_range);
  tcase_add_test(tc, test_decoder_fuzz);
  tcase_add_test(tc, test_throughput);
  suite_add_tcase(s, tc);
  return s;
}

int main(void){
  SRunner *sr = srunner_create(keycodecSuite());
  int nFail;
  srunner_run_all(sr, CK_NORMAL);
  nFail = srunner_ntests_failed(sr);
  srunner_free(sr);
  return nFail==0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
