/*
** check_rowcodec.c -- unit tests for ext/rowcodec.c: the exact bytes of a
** known record; round trips of random rows (every type, -0.0 and every
** REAL bit, INT64 edges, NUL bytes and invalid UTF-8 in TEXT, 1 MiB
** blobs) written through both writers (sqlite3_value and LsmvValue, which
** must agree byte for byte) and read lazily in random order, through
** lsmvRowValue and through the SQL function rowcol() that calls
** lsmvRowColumn (copied and static results); missing trailing columns;
** LsmvRow reuse across records of different widths; key-class entries
** (a REAL key column reads back as REAL with its exact bits); and garbage:
** every truncation, random mutations and hand-made bad records return
** SQLITE_CORRUPT (or, for harmless mutations, SQLITE_OK) and never read
** outside the record (exact-size heap copies, run under ASan).
*/
#include <sqlite3ext.h>
#include "keycodec.h"
#include "rowcodec.h"

#include <check.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef uint8_t u8;
typedef sqlite3_int64 i64;
typedef sqlite3_uint64 u64;

/* Assertions for hot loops (ck_assert_* write a mark point per success). */
#define EXPECT(x) do{ \
  if( !(x) ) ck_abort_msg("line %d: assertion %s failed", __LINE__, #x); \
}while(0)
#define EXPECT_EQ(x, y) do{ long long x_ = (x), y_ = (y); \
  if( x_!=y_ ) ck_abort_msg("line %d: %s == %s failed: %lld != %lld", \
                            __LINE__, #x, #y, x_, y_); \
}while(0)

#define MAX_COL 48
#define BIG_BYTES (1<<20)

/* A row of expected values; TEXT/BLOB bytes are owned (malloc). */
typedef struct Row Row;
struct Row {
  int nCol;                       /* Columns in aVal */
  LsmvValue aVal[MAX_COL];        /* Values; z malloc'd for TEXT/BLOB */
};

/* State of one test. */
typedef struct Fix Fix;
struct Fix {
  sqlite3 *db;                    /* In-memory database */
  u64 rng;                        /* PRNG state */
};

static u64 rnd(Fix *p){
  p->rng ^= p->rng >> 12;
  p->rng ^= p->rng << 25;
  p->rng ^= p->rng >> 27;
  return p->rng * 2685821657736338717ULL;
}
static int rndN(Fix *p, int n){ return (int)(rnd(p) % (u64)n); }
static u64 bitsOf(double r){ u64 u; memcpy(&u, &r, 8); return u; }
static double realOf(u64 u){ double r; memcpy(&r, &u, 8); return r; }

/*
** SQL function rowenc(...): the record of its arguments (lsmvRowEncode).
*/
static void rowencFunc(sqlite3_context *pCtx, int nArg, sqlite3_value **ap){
  LsmvBuf buf = {0, 0, 0};
  int rc = lsmvRowEncode(&buf, nArg, ap, 0, 0);
  if( rc==SQLITE_OK ){
    sqlite3_result_blob(pCtx, buf.a, buf.n, SQLITE_TRANSIENT);
  }else{
    sqlite3_result_error_code(pCtx, rc);
  }
  lsmvBufFree(&buf);
}

/*
** SQL function rowcol(R, I, S): column I of record R via lsmvRowColumn,
** with a static result if S.
*/
static void rowcolFunc(sqlite3_context *pCtx, int nArg, sqlite3_value **ap){
  LsmvRow row;
  int rc;
  (void)nArg;
  lsmvRowInit(&row);
  rc = lsmvRowOpen(&row, sqlite3_value_blob(ap[0]),
                   sqlite3_value_bytes(ap[0]));
  if( rc==SQLITE_OK ){
    rc = lsmvRowColumn(&row, sqlite3_value_int(ap[1]), pCtx,
                       sqlite3_value_int(ap[2]));
  }
  if( rc!=SQLITE_OK ) sqlite3_result_error_code(pCtx, rc);
  lsmvRowClose(&row);
}

static void fixOpen(Fix *p){
  const char *zSeed = getenv("ROWCODEC_SEED");
  memset(p, 0, sizeof(*p));
  p->rng = zSeed ? strtoull(zSeed, 0, 0) : 0x2545F4914F6CDD1DULL;
  if( p->rng==0 ) p->rng = 1;
  ck_assert_int_eq(sqlite3_open(":memory:", &p->db), SQLITE_OK);
  ck_assert_int_eq(sqlite3_create_function(p->db, "rowenc", -1, SQLITE_UTF8,
                   0, rowencFunc, 0, 0), SQLITE_OK);
  ck_assert_int_eq(sqlite3_create_function(p->db, "rowcol", 3, SQLITE_UTF8,
                   0, rowcolFunc, 0, 0), SQLITE_OK);
}

static void fixClose(Fix *p){
  ck_assert_int_eq(sqlite3_close(p->db), SQLITE_OK);
}

/*
** A random value, weighted to edges; TEXT/BLOB bytes are malloc'd.
*/
static LsmvValue randomValue(Fix *p, int bAllowBig){
  static const i64 aInt[] = {0, 1, -1, 63, -64, 64, -65, INT64_MAX,
                             INT64_MIN, INT64_MIN+1, 4294967296LL};
  static const u8 aAlpha[] = {0x00, 0x01, 'a', 0x7f, 0x80, 0xc3, 0xff};
  LsmvValue v;
  int x = rndN(p, 100);
  memset(&v, 0, sizeof(v));
  if( x<10 ){
    v.eType = SQLITE_NULL;
  }else if( x<35 ){
    v.eType = SQLITE_INTEGER;
    v.i = rndN(p, 3)==0 ? aInt[rndN(p, 11)]
                        : (i64)(rnd(p) >> rndN(p, 64)) * (rndN(p, 2)?1:-1);
  }else if( x<60 ){
    static const double aReal[] = {0.0, -0.0, 1.0, -1.0, 0.5, 1e308,
                                   4.9406564584124654e-324, -1e-310};
    v.eType = SQLITE_FLOAT;
    if( rndN(p, 3)==0 ){
      v.r = aReal[rndN(p, 8)];
    }else{
      do{ v.r = realOf(rnd(p)); }while( v.r!=v.r );
    }
    if( rndN(p, 20)==0 ) v.r = realOf(0x7FF0000000000000ULL);   /* Inf */
  }else{
    int i;
    u8 *z;
    v.eType = x<80 ? SQLITE_TEXT : SQLITE_BLOB;
    v.n = rndN(p, 3)==0 ? 0 : rndN(p, 200);
    if( bAllowBig && rndN(p, 50)==0 ) v.n = BIG_BYTES + rndN(p, 3) - 1;
    z = malloc((size_t)v.n + 1);
    for(i=0; i<v.n; i++) z[i] = aAlpha[rndN(p, (int)sizeof(aAlpha))];
    if( v.n>1000 ) memset(z + 10, 0x5a, (size_t)v.n - 20);
    v.z = z;
  }
  return v;
}

static void rowFree(Row *p){
  int i;
  for(i=0; i<p->nCol; i++) free((void*)p->aVal[i].z);
  p->nCol = 0;
}

/*
** Fail unless *pGot is exactly *pWant (type, all REAL bits, all bytes).
*/
static void expectSame(const LsmvValue *pGot, const LsmvValue *pWant){
  EXPECT_EQ(pGot->eType, pWant->eType);
  switch( pWant->eType ){
    case SQLITE_INTEGER: EXPECT(pGot->i==pWant->i); break;
    case SQLITE_FLOAT:   EXPECT(bitsOf(pGot->r)==bitsOf(pWant->r)); break;
    case SQLITE_TEXT:
    case SQLITE_BLOB:
      EXPECT_EQ(pGot->n, pWant->n);
      EXPECT(pWant->n==0 || memcmp(pGot->z, pWant->z, (size_t)pWant->n)==0);
      break;
  }
}

/*
** Bind *pV to parameter i (empty TEXT/BLOB kept non-NULL).
*/
static void bindValue(sqlite3_stmt *pStmt, int i, const LsmvValue *pV){
  const void *z = pV->z ? (const void*)pV->z : (const void*)"";
  switch( pV->eType ){
    case SQLITE_INTEGER: sqlite3_bind_int64(pStmt, i, pV->i); break;
    case SQLITE_FLOAT:   sqlite3_bind_double(pStmt, i, pV->r); break;
    case SQLITE_TEXT:
      sqlite3_bind_text(pStmt, i, z, pV->n, SQLITE_TRANSIENT);
      break;
    case SQLITE_BLOB:
      sqlite3_bind_blob(pStmt, i, z, pV->n, SQLITE_TRANSIENT);
      break;
    default: sqlite3_bind_null(pStmt, i); break;
  }
}

/*
** Encode *pRow through rowenc() (the sqlite3_value writer) into *pOut, and
** check that the LsmvValue writer gives the same bytes.
*/
static void encodeRow(Fix *p, const Row *pRow, LsmvBuf *pOut){
  sqlite3_str *pSql = sqlite3_str_new(p->db);
  sqlite3_stmt *pStmt = 0;
  char *zSql;
  LsmvBuf direct = {0, 0, 0};
  int rc = SQLITE_OK;
  int i;
  sqlite3_str_appendall(pSql, "SELECT rowenc(");
  for(i=0; i<pRow->nCol; i++) sqlite3_str_appendf(pSql, "%s?", i ? "," : "");
  sqlite3_str_appendall(pSql, ")");
  zSql = sqlite3_str_finish(pSql);
  EXPECT_EQ(sqlite3_prepare_v2(p->db, zSql, -1, &pStmt, 0), SQLITE_OK);
  for(i=0; i<pRow->nCol; i++) bindValue(pStmt, i+1, &pRow->aVal[i]);
  EXPECT_EQ(sqlite3_step(pStmt), SQLITE_ROW);
  pOut->n = 0;
  lsmvBufAppend(&rc, pOut, sqlite3_column_blob(pStmt, 0),
                sqlite3_column_bytes(pStmt, 0));
  lsmvRowBegin(&rc, &direct, pRow->nCol, 0);
  for(i=0; i<pRow->nCol; i++) lsmvRowAppendValue(&rc, &direct, &pRow->aVal[i]);
  EXPECT_EQ(rc, SQLITE_OK);
  EXPECT_EQ(direct.n, pOut->n);
  EXPECT(memcmp(direct.a, pOut->a, (size_t)direct.n)==0);
  sqlite3_finalize(pStmt);
  sqlite3_free(zSql);
  lsmvBufFree(&direct);
}

START_TEST(test_fixed_format){
  LsmvBuf b = {0, 0, 0};
  LsmvValue v;
  int rc = SQLITE_OK;
  static const u8 aWant[] = {
    0x01, 0x07, 0x01,                       /* version, nCol=7, nFix=1 */
    0x02, 0, 0, 0, 0, 0, 0, 0xf0, 0x3f,     /* key col 2 is REAL 1.0 */
    0x00,                                   /* NULL */
    0x01, 0x02,                             /* 1 */
    0x01, 0x01,                             /* -1 */
    0x01, 0x80, 0x01,                       /* 64 */
    0x02, 0, 0, 0, 0, 0, 0, 0, 0x80,        /* -0.0 */
    0x03, 0x02, 'a', 0x00,                  /* TEXT 'a\0' */
    0x04, 0x00                              /* empty BLOB */
  };
  lsmvRowBegin(&rc, &b, 7, 1);
  lsmvRowAppendFix(&rc, &b, 2, 1.0);
  memset(&v, 0, sizeof(v));
  v.eType = SQLITE_NULL;     lsmvRowAppendValue(&rc, &b, &v);
  v.eType = SQLITE_INTEGER;  v.i = 1;  lsmvRowAppendValue(&rc, &b, &v);
  v.i = -1;                  lsmvRowAppendValue(&rc, &b, &v);
  v.i = 64;                  lsmvRowAppendValue(&rc, &b, &v);
  v.eType = SQLITE_FLOAT;    v.r = -0.0; lsmvRowAppendValue(&rc, &b, &v);
  v.eType = SQLITE_TEXT;     v.z = (const u8*)"a"; v.n = 2;
  lsmvRowAppendValue(&rc, &b, &v);
  v.eType = SQLITE_BLOB;     v.z = 0; v.n = 0;
  lsmvRowAppendValue(&rc, &b, &v);
  ck_assert_int_eq(rc, SQLITE_OK);
  ck_assert_int_eq(b.n, (int)sizeof(aWant));
  ck_assert(memcmp(b.a, aWant, sizeof(aWant))==0);
  {
    LsmvRow row;
    lsmvRowInit(&row);
    ck_assert_int_eq(lsmvRowOpen(&row, b.a, b.n), SQLITE_OK);
    ck_assert_int_eq(lsmvRowColumnCount(&row), 7);
    ck_assert_int_eq(lsmvRowCheck(&row), SQLITE_OK);
    ck_assert_int_eq(lsmvRowValue(&row, 6, &v), SQLITE_OK);
    ck_assert_int_eq(v.eType, SQLITE_BLOB);
    ck_assert_int_eq(v.n, 0);
    ck_assert_int_eq(lsmvRowValue(&row, 4, &v), SQLITE_OK);
    ck_assert(bitsOf(v.r)==0x8000000000000000ULL);
    ck_assert_int_eq(lsmvRowValue(&row, 3, &v), SQLITE_OK);
    ck_assert(v.eType==SQLITE_INTEGER && v.i==64);
    lsmvRowClose(&row);
  }
  lsmvBufFree(&b);
}
END_TEST

/*
** Random rows: encode both ways, read every column in random order (some
** twice), through lsmvRowValue and through SQL rowcol().
*/
START_TEST(test_round_trip){
  Fix f;
  LsmvRow row;
  LsmvBuf rec = {0, 0, 0};
  sqlite3_stmt *pCol;
  int iter;
  int nBig = 0;
  int nVal = 0;
  fixOpen(&f);
  lsmvRowInit(&row);
  ck_assert_int_eq(sqlite3_prepare_v2(f.db, "SELECT rowcol(?1, ?2, ?3)", -1,
                                      &pCol, 0), SQLITE_OK);
  for(iter=0; iter<3000; iter++){
    Row r;
    int aOrder[MAX_COL + 8];
    int nRead;
    int i;
    r.nCol = rndN(&f, 4)==0 ? rndN(&f, MAX_COL+1) : rndN(&f, 8);
    for(i=0; i<r.nCol; i++){
      r.aVal[i] = randomValue(&f, 1);
      nBig += r.aVal[i].n>=BIG_BYTES-1;
    }
    encodeRow(&f, &r, &rec);
    EXPECT_EQ(lsmvRowOpen(&row, rec.a, rec.n), SQLITE_OK);
    EXPECT_EQ(lsmvRowColumnCount(&row), r.nCol);
    /* A random order over the columns and a few past the end, with
    ** repeats. */
    nRead = r.nCol + 4;
    for(i=0; i<nRead; i++) aOrder[i] = rndN(&f, 3)==0 ? rndN(&f, nRead) : i;
    for(i=nRead-1; i>0; i--){
      int j = rndN(&f, i+1);
      int t = aOrder[i]; aOrder[i] = aOrder[j]; aOrder[j] = t;
    }
    for(i=0; i<nRead; i++){
      LsmvValue got;
      int iCol = aOrder[i];
      EXPECT_EQ(lsmvRowValue(&row, iCol, &got), SQLITE_OK);
      if( iCol<r.nCol ){
        expectSame(&got, &r.aVal[iCol]);
      }else{
        EXPECT_EQ(got.eType, SQLITE_NULL);
      }
      nVal++;
    }
    EXPECT_EQ(lsmvRowCheck(&row), SQLITE_OK);
    /* Through SQL, copied and static, for one random column. */
    if( r.nCol>0 ){
      int iCol = rndN(&f, r.nCol);
      LsmvValue got;
      const LsmvValue *pWant = &r.aVal[iCol];
      memset(&got, 0, sizeof(got));
      sqlite3_bind_blob(pCol, 1, rec.a, rec.n, SQLITE_STATIC);
      sqlite3_bind_int(pCol, 2, iCol);
      sqlite3_bind_int(pCol, 3, iter & 1);
      EXPECT_EQ(sqlite3_step(pCol), SQLITE_ROW);
      got.eType = sqlite3_column_type(pCol, 0);
      got.i = sqlite3_column_int64(pCol, 0);
      got.r = sqlite3_column_double(pCol, 0);
      if( got.eType==SQLITE_TEXT || got.eType==SQLITE_BLOB ){
        got.z = sqlite3_column_blob(pCol, 0);
        got.n = sqlite3_column_bytes(pCol, 0);
      }
      expectSame(&got, pWant);
      sqlite3_reset(pCol);
    }
    rowFree(&r);
  }
  ck_assert_int_gt(nBig, 10);
  fprintf(stderr, "rowcodec: 3000 random rows, %d column reads, %d values "
          ">= 1 MiB: all exact\n", nVal, nBig);
  sqlite3_finalize(pCol);
  lsmvRowClose(&row);
  lsmvBufFree(&rec);
  fixClose(&f);
}
END_TEST

/*
** A record with fewer columns than the table reads NULL for the rest;
** an LsmvRow is reused across records of 40, 3 and 20 columns.
*/
START_TEST(test_missing_and_reuse){
  static const int aWidth[] = {40, 3, 20, 0, 17, 16, 15, 48};
  Fix f;
  LsmvRow row;
  LsmvBuf rec = {0, 0, 0};
  size_t k;
  fixOpen(&f);
  lsmvRowInit(&row);
  for(k=0; k<sizeof(aWidth)/sizeof(aWidth[0]); k++){
    Row r;
    int i;
    r.nCol = aWidth[k];
    for(i=0; i<r.nCol; i++) r.aVal[i] = randomValue(&f, 0);
    encodeRow(&f, &r, &rec);
    ck_assert_int_eq(lsmvRowOpen(&row, rec.a, rec.n), SQLITE_OK);
    /* Backwards, including 10 columns past the end. */
    for(i=r.nCol+9; i>=0; i--){
      LsmvValue got;
      ck_assert_int_eq(lsmvRowValue(&row, i, &got), SQLITE_OK);
      if( i<r.nCol ) expectSame(&got, &r.aVal[i]);
      else ck_assert_int_eq(got.eType, SQLITE_NULL);
    }
    ck_assert_int_eq(lsmvRowCheck(&row), SQLITE_OK);
    rowFree(&r);
  }
  lsmvRowClose(&row);
  lsmvBufFree(&rec);
  fixClose(&f);
}
END_TEST

/*
** Key-class entries: a key column's REAL value survives the key codec's
** canonical decoding, with every bit (-0.0 included).
*/
START_TEST(test_key_fix){
  Fix f;
  sqlite3_stmt *pSel;
  LsmvBuf key = {0, 0, 0};
  LsmvBuf rec = {0, 0, 0};
  LsmvBuf scratch = {0, 0, 0};
  LsmvRow row;
  int nFixed = 0;
  int iRow = 0;
  fixOpen(&f);
  lsmvRowInit(&row);
  /* Rows of 3 key columns and one value column. */
  ck_assert_int_eq(sqlite3_prepare_v2(f.db,
      "SELECT column1, column2, column3, 'v' FROM (VALUES"
      " (1.0, -0.0, 'x'), (1, 0, 2.5), (4611686018427387904.0, 0.0, -7.0),"
      " (9223372036854775808.0, -9223372036854775808.0, x'00'),"
      " (-1e300, 1e-300, NULL), (3, 3.0, -3.0), (-0.0, -0.0, -0.0))",
      -1, &pSel, 0), SQLITE_OK);
  while( sqlite3_step(pSel)==SQLITE_ROW ){
    sqlite3_value *apKey[3];
    sqlite3_value *apVal[1];
    LsmvValue aDec[3];
    int rc = SQLITE_OK;
    int i;
    for(i=0; i<3; i++) apKey[i] = sqlite3_column_value(pSel, i);
    apVal[0] = sqlite3_column_value(pSel, 3);
    key.n = 0;
    rec.n = 0;
    for(i=0; i<3; i++) lsmvKeyEncode(&rc, &key, apKey[i]);
    ck_assert_int_eq(rc, SQLITE_OK);
    ck_assert_int_eq(lsmvRowEncode(&rec, 1, apVal, 3, apKey), SQLITE_OK);
    ck_assert_int_eq(lsmvRowOpen(&row, rec.a, rec.n), SQLITE_OK);
    ck_assert_int_eq(lsmvKeyDecode(key.a, key.n, 3, aDec, &scratch),
                     SQLITE_OK);
    for(i=0; i<3; i++){
      LsmvValue want;
      ck_assert_int_eq(lsmvValueFromSqlite(apKey[i], &want), SQLITE_OK);
      nFixed += (aDec[i].eType!=want.eType);
      ck_assert_int_eq(lsmvRowKeyFix(&row, i, &aDec[i]), SQLITE_OK);
      expectSame(&aDec[i], &want);
    }
    ck_assert_int_eq(lsmvRowCheck(&row), SQLITE_OK);
    iRow++;
  }
  ck_assert_int_eq(iRow, 7);
  /* 1.0, -0.0; 2^62, 0.0, -7.0; -2^63; 3.0, -3.0; -0.0 three times. */
  ck_assert_int_eq(nFixed, 11);
  sqlite3_finalize(pSel);
  /* An entry that disagrees with the key is corruption. */
  {
    LsmvValue k;
    int rc = SQLITE_OK;
    rec.n = 0;
    lsmvRowBegin(&rc, &rec, 0, 2);
    lsmvRowAppendFix(&rc, &rec, 0, 2.0);
    lsmvRowAppendFix(&rc, &rec, 1, 0.5);
    ck_assert_int_eq(rc, SQLITE_OK);
    ck_assert_int_eq(lsmvRowOpen(&row, rec.a, rec.n), SQLITE_OK);
    memset(&k, 0, sizeof(k));
    k.eType = SQLITE_INTEGER; k.i = 3;
    ck_assert_int_eq(lsmvRowKeyFix(&row, 0, &k), SQLITE_CORRUPT);
    k.i = 2;
    ck_assert_int_eq(lsmvRowKeyFix(&row, 0, &k), SQLITE_OK);
    ck_assert_int_eq(k.eType, SQLITE_FLOAT);
    k.eType = SQLITE_INTEGER; k.i = 0;
    ck_assert_int_eq(lsmvRowKeyFix(&row, 1, &k), SQLITE_CORRUPT);
    ck_assert_int_eq(lsmvRowKeyFix(&row, 2, &k), SQLITE_OK);
    ck_assert_int_eq(k.eType, SQLITE_INTEGER);
  }
  lsmvRowClose(&row);
  lsmvBufFree(&key);
  lsmvBufFree(&rec);
  lsmvBufFree(&scratch);
  fixClose(&f);
}
END_TEST

/*
** Read all of a record given as an exact-size heap copy: open, every
** column in order, check, every key-class entry.  Returns the first error
** (SQLITE_OK or SQLITE_CORRUPT only).
*/
static int readAll(const u8 *aIn, int nIn){
  u8 *a = malloc(nIn>0 ? (size_t)nIn : 1);
  LsmvRow row;
  int rc;
  int i;
  memcpy(a, aIn, (size_t)nIn);
  lsmvRowInit(&row);
  rc = lsmvRowOpen(&row, a, nIn);
  for(i=0; rc==SQLITE_OK && i<=lsmvRowColumnCount(&row); i++){
    LsmvValue v;
    rc = lsmvRowValue(&row, i, &v);
    if( rc==SQLITE_OK && (v.eType==SQLITE_TEXT || v.eType==SQLITE_BLOB) ){
      EXPECT(v.n>=0 && v.z>=a && v.z+v.n<=a+nIn);
    }
  }
  if( rc==SQLITE_OK ) rc = lsmvRowCheck(&row);
  for(i=0; rc==SQLITE_OK && i<4; i++){
    LsmvValue k;
    int rc2;
    memset(&k, 0, sizeof(k));
    k.eType = SQLITE_INTEGER;
    rc2 = lsmvRowKeyFix(&row, i, &k);
    EXPECT(rc2==SQLITE_OK || rc2==SQLITE_CORRUPT);
  }
  EXPECT(rc==SQLITE_OK || rc==SQLITE_CORRUPT);
  lsmvRowClose(&row);
  free(a);
  return rc;
}

START_TEST(test_garbage){
  Fix f;
  LsmvBuf rec = {0, 0, 0};
  int iter;
  int aRc[2] = {0, 0};
  int nTrunc = 0;
  fixOpen(&f);
  for(iter=0; iter<3000; iter++){
    Row r;
    int i, n;
    int rc = SQLITE_OK;
    r.nCol = rndN(&f, 6);
    for(i=0; i<r.nCol; i++){
      r.aVal[i] = randomValue(&f, 0);
      if( r.aVal[i].n>40 ) r.aVal[i].n = 40;
    }
    rec.n = 0;
    lsmvRowBegin(&rc, &rec, r.nCol, iter & 1);
    if( iter & 1 ) lsmvRowAppendFix(&rc, &rec, 0, 1.0);
    for(i=0; i<r.nCol; i++) lsmvRowAppendValue(&rc, &rec, &r.aVal[i]);
    EXPECT_EQ(rc, SQLITE_OK);
    EXPECT_EQ(readAll(rec.a, rec.n), SQLITE_OK);
    /* Every truncation is corrupt. */
    for(n=0; n<rec.n; n++){
      EXPECT_EQ(readAll(rec.a, n), SQLITE_CORRUPT);
      nTrunc++;
    }
    /* Trailing garbage is caught by lsmvRowCheck. */
    {
      u8 aLong[512];
      memcpy(aLong, rec.a, (size_t)rec.n);
      aLong[rec.n] = 0;
      EXPECT_EQ(readAll(aLong, rec.n+1), SQLITE_CORRUPT);
    }
    /* Random mutations. */
    for(i=0; i<10; i++){
      u8 aMut[512];
      int nMut = rec.n;
      int j, nEdit = 1 + rndN(&f, 3);
      memcpy(aMut, rec.a, (size_t)rec.n);
      for(j=0; j<nEdit && nMut>0; j++){
        int k = rndN(&f, nMut);
        switch( rndN(&f, 3) ){
          case 0: aMut[k] ^= (u8)(1 << rndN(&f, 8)); break;
          case 1: aMut[k] = (u8)rnd(&f); break;
          default:
            memmove(&aMut[k], &aMut[k+1], (size_t)(nMut-k-1));
            nMut--;
            break;
        }
      }
      aRc[readAll(aMut, nMut)==SQLITE_OK]++;
    }
    /* Pure garbage after a valid version byte. */
    {
      u8 aG[32];
      int nG = 1 + rndN(&f, 32);
      aG[0] = LSMV_ROW_VERSION;
      for(i=1; i<nG; i++) aG[i] = rndN(&f, 2) ? (u8)rndN(&f, 6) : (u8)rnd(&f);
      aRc[readAll(aG, nG)==SQLITE_OK]++;
    }
    rowFree(&r);
  }
  ck_assert_int_gt(aRc[0], 1000);
  ck_assert_int_gt(aRc[1], 1000);
  fprintf(stderr, "rowcodec: garbage: %d truncations corrupt, %d mutants "
          "corrupt, %d harmless\n", nTrunc, aRc[0], aRc[1]);
  lsmvBufFree(&rec);
  fixClose(&f);
}
END_TEST

/*
** Hand-made bad records, each corrupt for one reason.
*/
START_TEST(test_bad_records){
  static const struct { const char *z; int n; } a[] = {
    {"", 0},                                        /* empty */
    {"\x02\x00\x00", 3},                            /* unknown version */
    {"\x01\x05\x00\x00", 4},                        /* nCol > bytes left */
    {"\x01\x01\x00\x07", 4},                        /* unknown type */
    {"\x01\x01\x00\x03\x05" "abcd", 9},             /* TEXT past the end */
    {"\x01\x01\x00\x04\xff\xff\xff\xff\x0f", 9},    /* BLOB length 2^32-1 */
    {"\x01\x01\x00\x01\x80\x80\x80\x80\x80\x80\x80\x80\x80\x80\x01", 15},
                                                    /* 11-byte varint */
    {"\x01\x01\x00\x01\xff\xff\xff\xff\xff\xff\xff\xff\xff\x02", 14},
                                                    /* > 64 bits */
    {"\x01\x01\x00\x02\x00\x00\x00\x00\x00\x00\xf8\x7f", 12},   /* NaN */
    {"\x01\x01\x00\x02\x00\x00\x00", 7},            /* short REAL */
    {"\x01\x00\x02\x01" "\0\0\0\0\0\0\xf0\x3f" "\x01" "\0\0\0\0\0\0\0\x40",
     21},                                           /* entries not increasing */
    {"\x01\x00\x01\x00" "\0\0\0\0\0\0\xf0", 11},    /* short entry */
    {"\x01\x00\x00\x00", 4},                        /* trailing byte */
    {"\x01\x02\x00\x00", 4},                        /* second column missing */
  };
  size_t i;
  for(i=0; i<sizeof(a)/sizeof(a[0]); i++){
    int rc = readAll((const u8*)a[i].z, a[i].n);
    if( rc!=SQLITE_CORRUPT ) fprintf(stderr, "bad record %d\n", (int)i);
    ck_assert_int_eq(rc, SQLITE_CORRUPT);
  }
  /* And the nearest good ones are accepted. */
  ck_assert_int_eq(readAll((const u8*)"\x01\x00\x00", 3), SQLITE_OK);
  ck_assert_int_eq(readAll((const u8*)"\x01\x01\x00\x03\x04" "abcd", 9),
                   SQLITE_OK);
  ck_assert_int_eq(readAll((const u8*)
      "\x01\x01\x00\x01\xff\xff\xff\xff\xff\xff\xff\xff\xff\x01", 14),
      SQLITE_OK);
}
END_TEST

static Suite *rowcodecSuite(void){
  Suite *s = suite_create("rowcodec");
  TCase *tc = tcase_create("core");
  tcase_set_timeout(tc, 600);
  tcase_add_test(tc, test_fixed_format);
  tcase_add_test(tc, test_round_trip);
  tcase_add_test(tc, test_missing_and_reuse);
  tcase_add_test(tc, test_key_fix);
  tcase_add_test(tc, test_garbage);
  tcase_add_test(tc, test_bad_records);
  suite_add_tcase(s, tc);
  return s;
}

int main(void){
  SRunner *sr = srunner_create(rowcodecSuite());
  int nFail;
  srunner_run_all(sr, CK_NORMAL);
  nFail = srunner_ntests_failed(sr);
  srunner_free(sr);
  return nFail==0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
