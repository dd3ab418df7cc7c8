/*
** check_sst.c -- unit tests of the SSTable builder, reader and format
** (sst_builder.c, sst_reader.c, sst_format.c) and of the two-level
** iterator (two_level_iter.c).
**
** Round trips at the edges: one entry; an empty table; blocks filled
** exactly, and to one byte more or less; versions of one key straddling
** block boundaries; keys larger than a block;
** values of 1 and 3 MiB; 10^5 random entries with up to 5 versions per key
** and tombstones, checked against a model (Get as of many sequence
** numbers, full forward and backward scans, a seek to every entry), with
** and without a filter.  The filter: an absent key's Get reads no data
** block (SstGetStat).  Damage: byte flips in every block kind (data,
** filter, properties, index, footer) give LSMC_CORRUPT from open, Get or
** a scan, never a wrong value and never "absent" for a present key; every
** truncation; hostile footer handles (4 GiB, past the end, overflowing)
** give LSMC_CORRUPT before any large allocation.  lsmcSstVerify passes a
** good table and names the fault of each damaged one, including tables
** whose checksums are right but whose properties or filter lie.  The
** two-level iterator skips empty children in both directions.  A fault
** sweep fails every env call and every allocation of a build-and-read
** cycle in turn (faultenv.h), without and with a block cache.
** The block cache (lsmcSstOpenCached): repeated Gets hit (no block read,
** no allocation, no file read); a cache far smaller than the table still
** answers the random model right; two readers of same-layout tables
** share one cache without mixing blocks and closing one drops exactly
** its charge; iterators keep their block while a 1-byte cache evicts
** everything; damaged blocks (bad checksum, bad restarts under a good
** checksum) are LSMC_CORRUPT at every read and never cached; an index
** aliasing two blocks at one offset is LSMC_CORRUPT, never a wrong answer.
*/
#include "block.h"
#include "cache.h"
#include "block_builder.h"
#include "bloom.h"
#include "coding.h"
#include "sst_builder.h"
#include "sst_format.h"
#include "sst_reader.h"
#include "two_level_iter.h"
#include "faultenv.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

static char zTmpDir[64];            /* Per-test temporary directory */
static char zPath[128];             /* The table file in it */

static lsmc_env *tEnv(void){ return lsmc_default_env(); }

static void setupDir(void){
  strcpy(zTmpDir, "/tmp/check_sst_XXXXXX");
  ck_assert_ptr_nonnull(mkdtemp(zTmpDir));
  snprintf(zPath, sizeof(zPath), "%s/000001.sst", zTmpDir);
}
static void teardownDir(void){
  unlink(zPath);
  rmdir(zTmpDir);
}

/* xorshift64*: deterministic test data. */
static u64 rnd(u64 *pS){
  *pS ^= *pS >> 12; *pS ^= *pS << 25; *pS ^= *pS >> 27;
  return *pS * 2685821657736338717ULL;
}

/*
** The model: entries in internal-key order.
*/
typedef struct Ent Ent;
struct Ent {
  u8 *pKey; u32 nKey;     /* User key */
  u64 iSeq;               /* Sequence number */
  int eKind;              /* LSMC_KIND_PUT or _DELETE */
  u8 *pVal; u32 nVal;     /* Value (PUT only) */
};
typedef struct Model Model;
struct Model {
  Ent *a;                 /* Entries, sorted */
  int n;                  /* Number of entries */
};

static void modelFree(Model *p){
  int i;
  for(i=0; i<p->n; i++){ free(p->a[i].pKey); free(p->a[i].pVal); }
  free(p->a);
  p->a = 0;
  p->n = 0;
}

static void modelAdd(Model *p, const void *pKey, u32 nKey, u64 iSeq,
                     int eKind, const void *pVal, u32 nVal){
  Ent *e;
  p->a = realloc(p->a, sizeof(Ent)*(p->n+1));
  e = &p->a[p->n++];
  e->pKey = malloc(nKey ? nKey : 1);
  memcpy(e->pKey, pKey, nKey);
  e->nKey = nKey;
  e->iSeq = iSeq;
  e->eKind = eKind;
  e->pVal = malloc(nVal ? nVal : 1);
  if( nVal ) memcpy(e->pVal, pVal, nVal);
  e->nVal = nVal;
}

/* Internal key of entry e into pBuf. */
static void entIKey(const Ent *e, LsmcBuf *pBuf){
  int rc = LSMC_OK;
  lsmcIKeyBuild(&rc, pBuf, e->pKey, e->nKey, e->iSeq, e->eKind);
  ck_assert_int_eq(rc, LSMC_OK);
}

static int entCmp(const void *a, const void *b){
  const Ent *x = a, *y = b;
  int c = lsmcUKeyCompare(x->pKey, x->nKey, y->pKey, y->nKey);
  if( c==0 ) c = (x->iSeq>y->iSeq) ? -1 : (x->iSeq<y->iSeq);
  return c;
}

/*
** Write the model as a table at zPath.  Returns the file size.
*/
static u64 buildTable(const Model *m, u32 nBlock, u32 nRestart, u32 nBloom,
                      SstProps *pProps){
  SstOptions opt;
  SstBuilder *pB = 0;
  lsmc_file *pFile = 0;
  LsmcBuf k;
  u64 nFile = 0;
  int i;
  opt.nBlockSize = nBlock;
  opt.nRestart = nRestart;
  opt.nBloomBits = nBloom;
  lsmcBufInit(&k, tEnv());
  ck_assert_int_eq(tEnv()->xOpen(tEnv(), zPath, LSMC_OPEN_CREATE, &pFile), 0);
  ck_assert_int_eq(lsmcSstBuilderNew(tEnv(), pFile, &opt, &pB), LSMC_OK);
  for(i=0; i<m->n; i++){
    entIKey(&m->a[i], &k);
    ck_assert_int_eq(lsmcSstBuilderAdd(pB, k.a, k.n, m->a[i].pVal,
                                       m->a[i].nVal), LSMC_OK);
  }
  ck_assert_uint_eq(lsmcSstBuilderCount(pB), (u64)m->n);
  ck_assert_int_eq(lsmcSstBuilderFinish(pB, &nFile, pProps), LSMC_OK);
  ck_assert_uint_eq(lsmcSstBuilderFileSize(pB), nFile);
  lsmcSstBuilderFree(pB);
  ck_assert_int_eq(tEnv()->xClose(pFile), LSMC_OK);
  lsmcBufFree(&k);
  return nFile;
}

/*
** The model's answer for user key pKey as of iSeq: index of the entry,
** or -1.
*/
static int modelGet(const Model *m, const u8 *pKey, u32 nKey, u64 iSeq){
  int lo = 0, hi = m->n;          /* first entry >= (key, iSeq) */
  while( lo<hi ){
    int mid = (lo+hi)/2;
    const Ent *e = &m->a[mid];
    int c = lsmcUKeyCompare(e->pKey, e->nKey, pKey, nKey);
    if( c<0 || (c==0 && e->iSeq>iSeq) ) lo = mid+1; else hi = mid;
  }
  if( lo<m->n && lsmcUKeyCompare(m->a[lo].pKey, m->a[lo].nKey, pKey, nKey)==0 ){
    return lo;
  }
  return -1;
}

/* Get through the reader and compare with the model.  Returns the rc. */
static int checkGet(SstReader *pR, const Model *m, const u8 *pKey, u32 nKey,
                    u64 iSeq, SstGetStat *pStat){
  LsmcBuf v;
  int eKind = -1;
  int iExp = modelGet(m, pKey, nKey, iSeq);
  int rc;
  lsmcBufInit(&v, tEnv());
  rc = lsmcSstGet(pR, pKey, nKey, iSeq, &eKind, &v, pStat);
  if( rc!=LSMC_CORRUPT ){
    if( iExp<0 ){
      ck_assert_int_eq(rc, LSMC_NOTFOUND);
    }else{
      const Ent *e = &m->a[iExp];
      ck_assert_int_eq(rc, LSMC_OK);
      ck_assert_int_eq(eKind, e->eKind);
      if( e->eKind==LSMC_KIND_PUT ){
        ck_assert_uint_eq(v.n, e->nVal);
        ck_assert(v.n==0 || memcmp(v.a, e->pVal, v.n)==0);
      }
    }
  }
  lsmcBufFree(&v);
  return rc;
}

/* Is the iterator on model entry i? */
static int iterIs(LsmIter *pIter, const Ent *e){
  size_t nK, nV;
  const u8 *pK = lsmcIterKey(pIter, &nK);
  const u8 *pV = lsmcIterValue(pIter, &nV);
  u64 t;
  if( nK!=e->nKey+8 || memcmp(pK, e->pKey, e->nKey)!=0 ) return 0;
  t = lsmcIKeyTrailer(pK, nK);
  if( lsmcTrailerSeq(t)!=e->iSeq || lsmcTrailerKind(t)!=e->eKind ) return 0;
  return nV==e->nVal && (nV==0 || memcmp(pV, e->pVal, nV)==0);
}

/*
** Full forward and backward scans.  With bMayCorrupt, a scan may end in
** LSMC_CORRUPT (returned) but must match the model up to there.
*/
static int checkScans(SstReader *pR, const Model *m, int bMayCorrupt){
  LsmIter *pIter = 0;
  int rc, i, rcAll = LSMC_OK;
  ck_assert_int_eq(lsmcSstIter(pR, &pIter), LSMC_OK);
  rc = lsmcIterFirst(pIter);
  for(i=0; rc==LSMC_OK && lsmcIterValid(pIter); i++){
    ck_assert_int_lt(i, m->n);
    ck_assert_msg(iterIs(pIter, &m->a[i]), "forward entry %d", i);
    rc = lsmcIterNext(pIter);
  }
  if( rc==LSMC_OK ) ck_assert_int_eq(i, m->n);
  else{ ck_assert(bMayCorrupt); ck_assert_int_eq(rc, LSMC_CORRUPT); rcAll = rc; }
  ck_assert(!lsmcIterValid(pIter));
  rc = lsmcIterLast(pIter);
  for(i=m->n-1; rc==LSMC_OK && lsmcIterValid(pIter); i--){
    ck_assert_int_ge(i, 0);
    ck_assert_msg(iterIs(pIter, &m->a[i]), "backward entry %d", i);
    rc = lsmcIterPrev(pIter);
  }
  if( rc==LSMC_OK ) ck_assert_int_eq(i, -1);
  else{ ck_assert(bMayCorrupt); ck_assert_int_eq(rc, LSMC_CORRUPT); rcAll = rc; }
  lsmcIterClose(pIter);
  return rcAll;
}

/* Seek to every entry, and to every user key's newest version. */
static void checkSeeks(SstReader *pR, const Model *m){
  LsmIter *pIter = 0;
  LsmcBuf k;
  int i, iNewest;
  lsmcBufInit(&k, tEnv());
  ck_assert_int_eq(lsmcSstIter(pR, &pIter), LSMC_OK);
  for(i=0; i<m->n; i++){
    int rc = LSMC_OK;
    entIKey(&m->a[i], &k);
    ck_assert_int_eq(lsmcIterSeek(pIter, k.a, k.n), LSMC_OK);
    ck_assert_msg(iterIs(pIter, &m->a[i]), "seek %d", i);
    lsmcIKeyBuild(&rc, &k, m->a[i].pKey, m->a[i].nKey, LSMC_MAX_SEQ,
                  LSMC_KIND_SEEK);
    iNewest = modelGet(m, m->a[i].pKey, m->a[i].nKey, LSMC_MAX_SEQ);
    ck_assert_int_eq(lsmcIterSeek(pIter, k.a, k.n), LSMC_OK);
    ck_assert(iterIs(pIter, &m->a[iNewest]));
    if( iNewest>0 ){
      ck_assert_int_eq(lsmcIterPrev(pIter), LSMC_OK);
      ck_assert(iterIs(pIter, &m->a[iNewest-1]));
      ck_assert_int_eq(lsmcIterNext(pIter), LSMC_OK);
      ck_assert(iterIs(pIter, &m->a[iNewest]));
    }
  }
  lsmcIterClose(pIter);
  lsmcBufFree(&k);
}

/*
** Open (with block cache pCache, or none), check everything against the
** model, verify, close.
*/
static void checkTableWith(const Model *m, int bSeeks, Cache *pCache){
  SstReader *pR = 0;
  char *zMsg = 0;
  int i;
  ck_assert_int_eq(lsmcSstOpenCached(tEnv(), zPath, pCache, &pR), LSMC_OK);
  ck_assert_uint_eq(lsmcSstProps(pR)->nEntries, (u64)m->n);
  for(i=0; i<m->n; i++){
    const Ent *e = &m->a[i];
    ck_assert_int_ne(checkGet(pR, m, e->pKey, e->nKey, e->iSeq, 0), LSMC_CORRUPT);
    ck_assert_int_ne(checkGet(pR, m, e->pKey, e->nKey, LSMC_MAX_SEQ, 0), LSMC_CORRUPT);
    if( e->iSeq>0 ){
      ck_assert_int_ne(checkGet(pR, m, e->pKey, e->nKey, e->iSeq-1, 0), LSMC_CORRUPT);
    }
  }
  checkScans(pR, m, 0);
  if( bSeeks ) checkSeeks(pR, m);
  ck_assert_int_eq(lsmcSstVerify(pR, &zMsg), LSMC_OK);
  ck_assert_ptr_null(zMsg);
  lsmcSstClose(pR);
}
static void checkTable(const Model *m, int bSeeks){
  checkTableWith(m, bSeeks, 0);
}

/* A key "k%08d" and a value of nVal bytes derived from i. */
static void addSimple(Model *m, int i, u32 nVal, u64 iSeq){
  char zKey[32];
  u8 *aVal = malloc(nVal ? nVal : 1);
  u32 j;
  int n = snprintf(zKey, sizeof(zKey), "k%08d", i);
  for(j=0; j<nVal; j++) aVal[j] = (u8)(i*7 + j*13);
  modelAdd(m, zKey, (u32)n, iSeq, LSMC_KIND_PUT, aVal, nVal);
  free(aVal);
}

START_TEST(test_one_entry){
  Model m = {0, 0};
  SstProps props;
  SstReader *pR = 0;
  LsmcBuf v;
  u64 nFile;
  int eKind;
  addSimple(&m, 1, 5, 42);
  lsmcSstPropsInit(&props, tEnv());
  nFile = buildTable(&m, 4096, 16, 10, &props);
  ck_assert_uint_eq(props.nEntries, 1);
  ck_assert_uint_eq(props.nDataBlocks, 1);
  ck_assert_uint_eq(props.iMinSeq, 42);
  ck_assert_uint_eq(props.iMaxSeq, 42);
  ck_assert_uint_eq(props.nRawKey, 9+8);
  ck_assert_uint_eq(props.nRawValue, 5);
  ck_assert_uint_eq(props.smallest.n, 17);
  ck_assert_mem_eq(props.smallest.a, props.largest.a, 17);
  checkTable(&m, 1);
  ck_assert_int_eq(lsmcSstOpen(tEnv(), zPath, &pR), LSMC_OK);
  lsmcBufInit(&v, tEnv());
  ck_assert_int_eq(lsmcSstGet(pR, (const u8*)"k00000001", 9, 41, &eKind, &v, 0),
                   LSMC_NOTFOUND);
  ck_assert_int_eq(lsmcSstGet(pR, (const u8*)"k00000001", 9, 42, &eKind, &v, 0),
                   LSMC_OK);
  ck_assert_int_eq(eKind, LSMC_KIND_PUT);
  ck_assert_int_eq(lsmcSstGet(pR, (const u8*)"k0000000", 8, 99, &eKind, &v, 0),
                   LSMC_NOTFOUND);
  ck_assert_int_eq(lsmcSstGet(pR, (const u8*)"k000000011", 10, 99, &eKind, &v, 0),
                   LSMC_NOTFOUND);
  ck_assert_uint_eq(lsmcSstProps(pR)->smallest.n, 17);
  ck_assert_uint_eq(lsmcSstFileSize(pR), nFile);
  lsmcBufFree(&v);
  lsmcSstClose(pR);
  lsmcSstPropsFree(&props);
  modelFree(&m);
}
END_TEST

START_TEST(test_empty_table){
  Model m = {0, 0};
  SstProps props;
  SstReader *pR = 0;
  LsmIter *pIter = 0;
  LsmcBuf v;
  int eKind;
  char *zMsg = 0;
  lsmcSstPropsInit(&props, tEnv());
  buildTable(&m, 4096, 16, 10, &props);
  ck_assert_uint_eq(props.nEntries, 0);
  ck_assert_int_eq(lsmcSstOpen(tEnv(), zPath, &pR), LSMC_OK);
  lsmcBufInit(&v, tEnv());
  ck_assert_int_eq(lsmcSstGet(pR, (const u8*)"a", 1, 9, &eKind, &v, 0),
                   LSMC_NOTFOUND);
  ck_assert_int_eq(lsmcSstIter(pR, &pIter), LSMC_OK);
  ck_assert_int_eq(lsmcIterFirst(pIter), LSMC_OK);
  ck_assert(!lsmcIterValid(pIter));
  ck_assert_int_eq(lsmcIterLast(pIter), LSMC_OK);
  ck_assert(!lsmcIterValid(pIter));
  lsmcIterClose(pIter);
  ck_assert_int_eq(lsmcSstVerify(pR, &zMsg), LSMC_OK);
  lsmcBufFree(&v);
  lsmcSstClose(pR);
  lsmcSstPropsFree(&props);
}
END_TEST

/*
** With restart interval 1 every entry is stored whole: an entry of a
** 9-byte user key (17-byte internal key) and a 20-byte value takes
** 3 + 17 + 20 bytes plus a 4-byte restart slot, and a block of N entries
** is 44*N + 4 bytes.  A block size of 44*10+4 cuts exactly after 10
** entries, one byte less also after 10, one byte more after 11.
*/
START_TEST(test_block_edges){
  static const struct { int dBlock; u64 nBlocks; } aCase[] = {
    { 0, 11 }, { -1, 11 }, { +1, 10 },
  };
  size_t i;
  for(i=0; i<sizeof(aCase)/sizeof(aCase[0]); i++){
    Model m = {0, 0};
    SstProps props;
    u64 nFile;
    int j;
    for(j=0; j<110; j++) addSimple(&m, j, 20, 1000+j);
    lsmcSstPropsInit(&props, tEnv());
    nFile = buildTable(&m, (u32)(44*10 + 4 + aCase[i].dBlock), 1, 0, &props);
    ck_assert_uint_eq(props.nDataBlocks, aCase[i].nBlocks);
    if( aCase[i].dBlock<=0 ){
      SstReader *pR = 0;
      ck_assert_int_eq(lsmcSstOpen(tEnv(), zPath, &pR), LSMC_OK);
      /* 11 data blocks of exactly 444 bytes + trailer come first */
      ck_assert_uint_lt(11*(444+5), nFile);
      lsmcSstClose(pR);
    }
    checkTable(&m, 1);
    lsmcSstPropsFree(&props);
    modelFree(&m);
  }
}
END_TEST

/*
** Versions of one key straddling block boundaries: 40 versions of "k"
** between other keys, 64-byte blocks (two or three entries each).  A Get
** as of every sequence number must find the newest visible version even
** when it is the first entry of the next block.
*/
START_TEST(test_straddle){
  Model m = {0, 0};
  SstProps props;
  int i;
  modelAdd(&m, "a", 1, 1, LSMC_KIND_PUT, "first", 5);
  for(i=0; i<40; i++){
    char zVal[16];
    int n = snprintf(zVal, sizeof(zVal), "v%d", i);
    modelAdd(&m, "k", 1, 10 + 2*(u64)i, i%5==4 ? LSMC_KIND_DELETE : LSMC_KIND_PUT,
             zVal, i%5==4 ? 0 : (u32)n);
  }
  modelAdd(&m, "z", 1, 5, LSMC_KIND_PUT, "last", 4);
  qsort(m.a, m.n, sizeof(Ent), entCmp);
  lsmcSstPropsInit(&props, tEnv());
  buildTable(&m, 64, 2, 10, &props);
  ck_assert_uint_gt(props.nDataBlocks, 10);
  checkTable(&m, 1);
  {
    SstReader *pR = 0;
    u64 iSeq;
    ck_assert_int_eq(lsmcSstOpen(tEnv(), zPath, &pR), LSMC_OK);
    for(iSeq=0; iSeq<100; iSeq++){
      ck_assert_int_ne(checkGet(pR, &m, (const u8*)"k", 1, iSeq, 0), LSMC_CORRUPT);
    }
    lsmcSstClose(pR);
  }
  lsmcSstPropsFree(&props);
  modelFree(&m);
}
END_TEST

/* Keys of 1000 bytes with 256-byte blocks: one entry per block. */
START_TEST(test_big_keys){
  Model m = {0, 0};
  SstProps props;
  u8 aKey[1000];
  int i;
  for(i=0; i<60; i++){
    memset(aKey, 'a' + i%26, sizeof(aKey));
    snprintf((char*)&aKey[990], 10, "%09u", (unsigned)i % 1000000000u);
    aKey[999] = 'z';
    modelAdd(&m, aKey, sizeof(aKey), 7, LSMC_KIND_PUT, "v", 1);
  }
  qsort(m.a, m.n, sizeof(Ent), entCmp);
  lsmcSstPropsInit(&props, tEnv());
  buildTable(&m, 256, 16, 10, &props);
  ck_assert_uint_eq(props.nDataBlocks, 60);
  checkTable(&m, 1);
  lsmcSstPropsFree(&props);
  modelFree(&m);
}
END_TEST

START_TEST(test_big_values){
  Model m = {0, 0};
  SstProps props;
  addSimple(&m, 1, 10, 5);
  addSimple(&m, 2, 1<<20, 6);
  addSimple(&m, 3, 3<<20, 7);
  addSimple(&m, 4, 0, 8);
  addSimple(&m, 5, (1<<20) + 1, 9);
  lsmcSstPropsInit(&props, tEnv());
  buildTable(&m, 4096, 16, 10, &props);
  ck_assert_uint_eq(props.nRawValue, 10 + (1<<20) + (3<<20) + (1<<20) + 1);
  checkTable(&m, 1);
  lsmcSstPropsFree(&props);
  modelFree(&m);
}
END_TEST

/*
** A random model: about nTarget entries, 1-5 versions per user key,
** 20% tombstones, globally distinct sequence numbers.
*/
static void randomModel(Model *m, int nTarget, u64 seed){
  u64 s = seed;
  u64 iSeq = 1;
  while( m->n<nTarget ){
    u8 aKey[32], aVal[100];
    u32 nKey = 4 + (u32)(rnd(&s) % 20);
    int nVer = 1 + (int)(rnd(&s) % 5);
    int j;
    u32 q;
    for(q=0; q<nKey; q++) aKey[q] = (u8)('a' + rnd(&s) % 4);  /* prefixes */
    for(j=0; j<nVer; j++){
      int eKind = (rnd(&s) % 5)==0 ? LSMC_KIND_DELETE : LSMC_KIND_PUT;
      u32 nVal = eKind==LSMC_KIND_PUT ? (u32)(rnd(&s) % 100) : 0;
      for(q=0; q<nVal; q++) aVal[q] = (u8)rnd(&s);
      iSeq += 1 + rnd(&s) % 3;
      modelAdd(m, aKey, nKey, iSeq, eKind, aVal, nVal);
    }
  }
  qsort(m->a, m->n, sizeof(Ent), entCmp);
  {                               /* drop duplicate (key, seq) pairs */
    int i, o = 0;
    for(i=0; i<m->n; i++){
      if( o>0 && entCmp(&m->a[o-1], &m->a[i])==0 ){
        free(m->a[i].pKey); free(m->a[i].pVal);
      }else{
        m->a[o++] = m->a[i];
      }
    }
    m->n = o;
  }
}

START_TEST(test_random_model){
  Model m = {0, 0};
  SstProps props;
  SstReader *pR = 0;
  SstGetStat st;
  u64 s = 99;
  int i, nAbsent = 20000;
  randomModel(&m, 100000, 12345);
  lsmcSstPropsInit(&props, tEnv());
  buildTable(&m, 4096, 16, 10, &props);
  ck_assert_uint_eq(props.nEntries, (u64)m.n);
  ck_assert_uint_gt(props.nDataBlocks, 100);
  checkTable(&m, 1);

  /* Absent keys: the filter keeps almost all of them from a block read */
  ck_assert_int_eq(lsmcSstOpen(tEnv(), zPath, &pR), LSMC_OK);
  memset(&st, 0, sizeof(st));
  for(i=0; i<nAbsent; i++){
    u8 aKey[40];
    u32 q, nKey = 4 + (u32)(rnd(&s) % 20);
    for(q=0; q<nKey; q++) aKey[q] = (u8)('a' + rnd(&s) % 4);
    aKey[nKey-1] = 'x';                   /* never in the model */
    ck_assert_int_eq(checkGet(pR, &m, aKey, nKey, LSMC_MAX_SEQ, &st),
                     LSMC_NOTFOUND);
  }
  ck_assert_uint_eq(st.nBloomCheck, (u64)nAbsent);
  /* a key past the last index entry passes the filter but reads nothing */
  ck_assert_uint_le(st.nBloomNegative + st.nBlockRead, (u64)nAbsent);
  ck_assert_uint_gt(st.nBloomNegative, (u64)nAbsent*97/100);
  ck_assert_uint_gt(st.nBlockRead, 0);
  ck_assert_uint_lt(st.nBlockRead, nAbsent/50);      /* < 2% */
  printf("random model: %d entries, %llu blocks; %d absent gets read %llu "
         "blocks\n", m.n, (unsigned long long)props.nDataBlocks, nAbsent,
         (unsigned long long)st.nBlockRead);
  lsmcSstClose(pR);

  /* The same data with no filter and other restart intervals */
  buildTable(&m, 1024, 1, 0, 0);
  checkTable(&m, 0);
  buildTable(&m, 16384, 3, 20, 0);
  checkTable(&m, 0);
  lsmcSstPropsFree(&props);
  modelFree(&m);
}
END_TEST

/* A key whose filter probe is negative costs no block read. */
START_TEST(test_bloom_skip){
  Model m = {0, 0};
  SstReader *pR = 0;
  LsmcBuf v;
  int i, eKind, nNeg = 0;
  for(i=0; i<1000; i++) addSimple(&m, 2*i, 10, 5);
  buildTable(&m, 4096, 16, 10, 0);
  ck_assert_int_eq(lsmcSstOpen(tEnv(), zPath, &pR), LSMC_OK);
  lsmcBufInit(&v, tEnv());
  for(i=0; i<1000; i++){
    SstGetStat st = {0, 0, 0, 0, 0};
    char zKey[32];
    int n = snprintf(zKey, sizeof(zKey), "k%08d", 2*i+1);
    ck_assert_int_eq(lsmcSstGet(pR, (u8*)zKey, (size_t)n, 99, &eKind, &v, &st),
                     LSMC_NOTFOUND);
    ck_assert_uint_eq(st.nBloomCheck, 1);
    if( st.nBloomNegative ){
      ck_assert_uint_eq(st.nBlockRead, 0);
      nNeg++;
    }else{
      ck_assert_uint_eq(st.nBlockRead, 1);
    }
  }
  ck_assert_int_gt(nNeg, 950);
  {
    SstGetStat st = {0, 0, 0, 0, 0};
    ck_assert_int_eq(lsmcSstGet(pR, m.a[7].pKey, m.a[7].nKey, 99, &eKind, &v,
                                &st), LSMC_OK);
    ck_assert_uint_eq(st.nBloomNegative, 0);
    ck_assert_uint_eq(st.nBlockRead, 1);
  }
  lsmcBufFree(&v);
  lsmcSstClose(pR);
  modelFree(&m);
}
END_TEST

/* Read / write the whole table file. */
static u8 *readAll(size_t *pn){
  FILE *f = fopen(zPath, "rb");
  u8 *a;
  long n;
  ck_assert_ptr_nonnull(f);
  fseek(f, 0, SEEK_END);
  n = ftell(f);
  fseek(f, 0, SEEK_SET);
  a = malloc((size_t)n);
  ck_assert_uint_eq(fread(a, 1, (size_t)n, f), (size_t)n);
  fclose(f);
  *pn = (size_t)n;
  return a;
}
static void writeAll(const u8 *a, size_t n){
  FILE *f = fopen(zPath, "wb");
  ck_assert_ptr_nonnull(f);
  ck_assert_uint_eq(fwrite(a, 1, n, f), n);
  fclose(f);
}

/*
** Open the damaged file at zPath and use it: every outcome must be
** LSMC_CORRUPT or right.  Returns a bitmask: 1 open failed, 2 a Get
** failed, 4 a scan failed, 8 Verify failed (with a message).
*/
static int useDamaged(const Model *m){
  SstReader *pR = 0;
  char *zMsg = 0;
  int i, mask = 0;
  int rc = lsmcSstOpen(tEnv(), zPath, &pR);
  if( rc ){
    ck_assert_int_eq(rc, LSMC_CORRUPT);
    return 1;
  }
  for(i=0; i<m->n; i++){
    rc = checkGet(pR, m, m->a[i].pKey, m->a[i].nKey, m->a[i].iSeq, 0);
    if( rc==LSMC_CORRUPT ) mask |= 2;
  }
  if( checkScans(pR, m, 1) ) mask |= 4;
  rc = lsmcSstVerify(pR, &zMsg);
  if( rc ){
    ck_assert_int_eq(rc, LSMC_CORRUPT);
    ck_assert_ptr_nonnull(zMsg);
    ck_assert_int_gt(strlen(zMsg), 5);
    mask |= 8;
  }
  lsmcFree(tEnv(), zMsg);
  lsmcSstClose(pR);
  return mask;
}

/*
** Byte flips in each kind of block.  Meta blocks and the footer are read
** at open, so open must fail; a damaged data block must fail Verify and
** every Get or scan that reads it.
*/
START_TEST(test_damage){
  Model m = {0, 0};
  SstFooter f;
  u8 *aGood;
  size_t n;
  int i, k;
  struct { const char *zName; u64 iOff; u64 nLen; int mustMask; } aArea[5];
  for(i=0; i<3000; i++) addSimple(&m, i, 8 + i%30, 100+i);
  buildTable(&m, 4096, 16, 10, 0);
  aGood = readAll(&n);
  ck_assert_int_eq(lsmcSstFooterDecode(&aGood[n-64], &f), LSMC_OK);
  aArea[0].zName = "data";   aArea[0].iOff = 0; aArea[0].nLen = f.filter.iOff;
  aArea[1].zName = "filter"; aArea[1].iOff = f.filter.iOff;
  aArea[1].nLen = f.filter.nSize + 5;
  aArea[2].zName = "props";  aArea[2].iOff = f.props.iOff;
  aArea[2].nLen = f.props.nSize + 5;
  aArea[3].zName = "index";  aArea[3].iOff = f.index.iOff;
  aArea[3].nLen = f.index.nSize + 5;
  aArea[4].zName = "footer"; aArea[4].iOff = n-64; aArea[4].nLen = 64;
  ck_assert_uint_eq(f.props.iOff, f.filter.iOff + f.filter.nSize + 5);
  ck_assert_uint_eq(f.index.iOff, f.props.iOff + f.props.nSize + 5);
  ck_assert_uint_eq(f.index.iOff + f.index.nSize + 5, n - 64);
  for(k=0; k<5; k++){
    u64 nStep = aArea[k].nLen>200 ? aArea[k].nLen/97 : 1;
    u64 j;
    int nCase = 0;
    for(j=0; j<aArea[k].nLen; j+=nStep){
      u8 *a = malloc(n);
      int mask;
      memcpy(a, aGood, n);
      a[aArea[k].iOff + j] ^= (u8)(1 << (j%8));
      writeAll(a, n);
      mask = useDamaged(&m);
      if( k==0 ){
        ck_assert_msg(mask==(2|4|8), "data flip at %llu: mask %d",
                      (unsigned long long)j, mask);
      }else{
        ck_assert_msg(mask==1, "%s flip at %llu: opened",
                      aArea[k].zName, (unsigned long long)j);
      }
      nCase++;
      free(a);
    }
    printf("damage in %s block(s): %d flips, all detected\n",
           aArea[k].zName, nCase);
  }
  writeAll(aGood, n);
  checkTable(&m, 0);
  free(aGood);
  modelFree(&m);
}
END_TEST

/* Every truncation is LSMC_CORRUPT at open. */
START_TEST(test_truncated){
  Model m = {0, 0};
  u8 *aGood;
  size_t n, nCut;
  int i;
  for(i=0; i<300; i++) addSimple(&m, i, 20, 100+i);
  buildTable(&m, 1024, 16, 10, 0);
  aGood = readAll(&n);
  for(nCut=0; nCut<n; nCut++){
    SstReader *pR = 0;
    writeAll(aGood, nCut);
    ck_assert_int_eq(lsmcSstOpen(tEnv(), zPath, &pR), LSMC_CORRUPT);
    ck_assert_ptr_null(pR);
  }
  free(aGood);
  modelFree(&m);
}
END_TEST

/*
** Footers with a valid checksum but hostile handles.
*/
START_TEST(test_hostile_footer){
  Model m = {0, 0};
  SstFooter good, f;
  u8 *a;
  size_t n;
  int i, iCase;
  for(i=0; i<100; i++) addSimple(&m, i, 20, 100+i);
  buildTable(&m, 1024, 16, 10, 0);
  a = readAll(&n);
  ck_assert_int_eq(lsmcSstFooterDecode(&a[n-64], &good), LSMC_OK);
  for(iCase=0; iCase<15; iCase++){
    SstReader *pR = 0;
    SstHandle *aH[3];
    SstHandle *pH;
    f = good;
    aH[0] = &f.index; aH[1] = &f.filter; aH[2] = &f.props;
    pH = aH[iCase%3];
    switch( iCase/3 ){
      case 0: pH->nSize = 4ULL<<30; break;                 /* 4 GiB */
      case 1: pH->iOff = n; break;                         /* past the end */
      case 2: pH->nSize = ~0ULL; break;                    /* overflow */
      case 3: pH->iOff = ~0ULL - 2; pH->nSize = 10; break; /* overflow */
      case 4: pH->nSize = n - 64 - pH->iOff - 4; break;    /* into footer */
    }
    lsmcSstFooterEncode(&a[n-64], &f);
    writeAll(a, n);
    ck_assert_int_eq(lsmcSstOpen(tEnv(), zPath, &pR), LSMC_CORRUPT);
  }
  /* wrong version with a valid checksum */
  f = good;
  f.iVersion = 2;
  lsmcSstFooterEncode(&a[n-64], &f);
  writeAll(a, n);
  {
    SstReader *pR = 0;
    ck_assert_int_eq(lsmcSstOpen(tEnv(), zPath, &pR), LSMC_CORRUPT);
  }
  /* the handle check itself, at the limits */
  {
    SstHandle h;
    h.iOff = 0; h.nSize = LSMC_SST_MAX_BLOCK;
    ck_assert_int_eq(lsmcSstHandleCheck(&h, ~0ULL), LSMC_OK);
    h.nSize = LSMC_SST_MAX_BLOCK + 1;
    ck_assert_int_eq(lsmcSstHandleCheck(&h, ~0ULL), LSMC_CORRUPT);
    h.iOff = 10; h.nSize = 85;
    ck_assert_int_eq(lsmcSstHandleCheck(&h, 100), LSMC_OK);
    h.nSize = 86;
    ck_assert_int_eq(lsmcSstHandleCheck(&h, 100), LSMC_CORRUPT);
    ck_assert_int_eq(lsmcSstHandleCheck(&h, 3), LSMC_CORRUPT);
  }
  free(a);
  modelFree(&m);
}
END_TEST

/*
** Tables whose checksums are right but whose content lies: a new
** properties or filter block is appended after the old footer and a new
** footer points at it.  Verify must name the fault.
*/
static void appendMeta(const u8 *aOld, size_t nOld, LsmcBuf *pBlock,
                       int bFilter){
  SstFooter f;
  int rc = LSMC_OK;
  u8 aFooter[64];
  u8 *a;
  size_t nBlock;
  ck_assert_int_eq(lsmcSstFooterDecode(&aOld[nOld-64], &f), LSMC_OK);
  nBlock = pBlock->n;
  lsmcSstTrailerAppend(&rc, pBlock);
  ck_assert_int_eq(rc, LSMC_OK);
  if( bFilter ){
    f.filter.iOff = nOld; f.filter.nSize = nBlock;
  }else{
    f.props.iOff = nOld; f.props.nSize = nBlock;
  }
  lsmcSstFooterEncode(aFooter, &f);
  a = malloc(nOld + pBlock->n + 64);
  memcpy(a, aOld, nOld);
  memcpy(&a[nOld], pBlock->a, pBlock->n);
  memcpy(&a[nOld + pBlock->n], aFooter, 64);
  writeAll(a, nOld + pBlock->n + 64);
  free(a);
}

static void expectVerifyFails(const char *zWant){
  SstReader *pR = 0;
  char *zMsg = 0;
  ck_assert_int_eq(lsmcSstOpen(tEnv(), zPath, &pR), LSMC_OK);
  ck_assert_int_eq(lsmcSstVerify(pR, &zMsg), LSMC_CORRUPT);
  ck_assert_ptr_nonnull(zMsg);
  ck_assert_msg(strstr(zMsg, zWant)!=0, "message '%s'", zMsg);
  lsmcFree(tEnv(), zMsg);
  lsmcSstClose(pR);
}

START_TEST(test_verify_lies){
  Model m = {0, 0};
  SstProps props;
  LsmcBuf blk;
  u64 aHash[500];
  u8 *aGood;
  size_t n;
  int rc = LSMC_OK;
  int i;
  for(i=0; i<500; i++) addSimple(&m, i, 20, 100+i);
  lsmcSstPropsInit(&props, tEnv());
  buildTable(&m, 1024, 16, 10, &props);
  aGood = readAll(&n);
  lsmcBufInit(&blk, tEnv());

  /* properties claiming one entry more */
  props.nEntries++;
  lsmcSstPropsEncode(&rc, &blk, &props);
  appendMeta(aGood, n, &blk, 0);
  expectVerifyFails("properties");
  props.nEntries--;

  /* a filter that lacks every odd key */
  for(i=0; i<500; i++) aHash[i] = lsmcHash64(m.a[i&~1].pKey, m.a[i&~1].nKey);
  blk.n = 0;
  lsmcBloomBuild(&rc, &blk, aHash, 500, 10);
  appendMeta(aGood, n, &blk, 1);
  expectVerifyFails("filter");

  /* the layout check: the good file with a copy of its props appended */
  blk.n = 0;
  lsmcSstPropsEncode(&rc, &blk, &props);
  appendMeta(aGood, n, &blk, 0);
  expectVerifyFails("laid out");
  ck_assert_int_eq(rc, LSMC_OK);

  lsmcBufFree(&blk);
  lsmcSstPropsFree(&props);
  free(aGood);
  modelFree(&m);
}
END_TEST

START_TEST(test_builder_misuse){
  SstOptions opt = {4096, 16, 10};
  SstBuilder *pB = 0;
  lsmc_file *pFile = 0;
  LsmcBuf k;
  int rc = LSMC_OK;
  lsmcBufInit(&k, tEnv());
  ck_assert_int_eq(tEnv()->xOpen(tEnv(), zPath, LSMC_OPEN_CREATE, &pFile), 0);
  ck_assert_int_eq(lsmcSstBuilderNew(tEnv(), pFile, &opt, &pB), LSMC_OK);
  lsmcIKeyBuild(&rc, &k, (const u8*)"b", 1, 5, LSMC_KIND_PUT);
  ck_assert_int_eq(lsmcSstBuilderAdd(pB, k.a, k.n, 0, 0), LSMC_OK);
  ck_assert_int_eq(lsmcSstBuilderAdd(pB, k.a, k.n, 0, 0), LSMC_MISUSE);
  lsmcIKeyBuild(&rc, &k, (const u8*)"a", 1, 5, LSMC_KIND_PUT);
  ck_assert_int_eq(lsmcSstBuilderAdd(pB, k.a, k.n, 0, 0), LSMC_MISUSE);
  lsmcIKeyBuild(&rc, &k, (const u8*)"b", 1, 6, LSMC_KIND_PUT);
  ck_assert_int_eq(lsmcSstBuilderAdd(pB, k.a, k.n, 0, 0), LSMC_MISUSE);
  ck_assert_int_eq(lsmcSstBuilderAdd(pB, k.a, 7, 0, 0), LSMC_MISUSE);
  lsmcIKeyBuild(&rc, &k, (const u8*)"b", 1, 4, LSMC_KIND_DELETE);
  ck_assert_int_eq(lsmcSstBuilderAdd(pB, k.a, k.n, 0, 0), LSMC_OK);
  ck_assert_int_eq(lsmcSstBuilderFinish(pB, 0, 0), LSMC_OK);
  ck_assert_int_eq(lsmcSstBuilderAdd(pB, k.a, k.n, 0, 0), LSMC_MISUSE);
  lsmcSstBuilderFree(pB);
  tEnv()->xClose(pFile);
  lsmcBufFree(&k);
}
END_TEST

/*
** Build, open, look up every entry, scan and verify the model through
** pEnv, with bCache through a small block cache allocating from pEnv.
** Returns the first error; every answer given before it is right.
*/
static int runWithEnv(lsmc_env *pEnv, const Model *m, int bCache){
  SstOptions opt = {256, 4, 10};
  SstBuilder *pB = 0;
  SstReader *pR = 0;
  lsmc_file *pFile = 0;
  LsmIter *pIter = 0;
  Cache *pCache = 0;
  LsmcBuf k, v;
  char *zMsg = 0;
  int rc, i, eKind;
  lsmcBufInit(&k, pEnv);
  lsmcBufInit(&v, pEnv);
  rc = pEnv->xOpen(pEnv, zPath, LSMC_OPEN_CREATE, &pFile);
  if( rc==LSMC_OK ){
    rc = lsmcSstBuilderNew(pEnv, pFile, &opt, &pB);
    for(i=0; rc==LSMC_OK && i<m->n; i++){
      lsmcIKeyBuild(&rc, &k, m->a[i].pKey, m->a[i].nKey, m->a[i].iSeq,
                    m->a[i].eKind);
      if( rc==LSMC_OK ){
        rc = lsmcSstBuilderAdd(pB, k.a, k.n, m->a[i].pVal, m->a[i].nVal);
      }
    }
    if( rc==LSMC_OK ) rc = lsmcSstBuilderFinish(pB, 0, 0);
    lsmcSstBuilderFree(pB);
    if( pEnv->xClose(pFile) && rc==LSMC_OK ) rc = LSMC_IOERR;
  }
  if( rc==LSMC_OK && bCache ) rc = lsmcCacheNew(pEnv, 2048, &pCache);
  if( rc==LSMC_OK ) rc = lsmcSstOpenCached(pEnv, zPath, pCache, &pR);
  for(i=0; rc==LSMC_OK && i<m->n; i++){
    const Ent *e = &m->a[modelGet(m, m->a[i].pKey, m->a[i].nKey, LSMC_MAX_SEQ)];
    rc = lsmcSstGet(pR, m->a[i].pKey, m->a[i].nKey, LSMC_MAX_SEQ, &eKind, &v, 0);
    if( rc==LSMC_OK ){
      ck_assert_int_eq(eKind, e->eKind);
      ck_assert_uint_eq(v.n, e->nVal);
    }
  }
  if( rc==LSMC_OK ) rc = lsmcSstIter(pR, &pIter);
  if( rc==LSMC_OK ) rc = lsmcIterFirst(pIter);
  for(i=0; rc==LSMC_OK && lsmcIterValid(pIter); i++){
    ck_assert(iterIs(pIter, &m->a[i]));
    rc = lsmcIterNext(pIter);
  }
  if( rc==LSMC_OK ) ck_assert_int_eq(i, m->n);
  lsmcIterClose(pIter);
  if( rc==LSMC_OK ) rc = lsmcSstVerify(pR, &zMsg);
  lsmcFree(pEnv, zMsg);
  lsmcSstClose(pR);
  if( pCache ) ck_assert_uint_eq(lsmcCacheTotalCharge(pCache), 0);
  lsmcCacheFree(pCache);
  lsmcBufFree(&k);
  lsmcBufFree(&v);
  return rc;
}

/*
** Fail each env call, then each allocation, of a whole build-and-read
** cycle in turn: the error comes back (LSMC_IOERR or LSMC_NOMEM), never
** a wrong answer, and nothing leaks (LeakSanitizer in the ASan build).
*/
START_TEST(test_faults){
  Model m = {0, 0};
  FaultEnv *pF = 0;
  int i, iMode;
  for(i=0; i<120; i++) addSimple(&m, i, 5 + i%40, 100+i);
  ck_assert_int_eq(faultenvNew(lsmc_default_env(), &pF), LSMC_OK);
  for(iMode=0; iMode<4; iMode++){     /* 2, 3: through a block cache */
    u64 n;
    for(n=1; ; n++){
      u64 nBefore = faultenvInjected(pF);
      int rc;
      if( (iMode&1)==0 ){
        /* xClose is left out: lsmcSstClose cannot report its failure */
        faultenvFailNth(pF, FAULT_MASK_ALL & ~FAULT_MASK(FAULT_OP_CLOSE), n,
                        LSMC_IOERR, 0);
      }else{
        faultenvMallocFail(pF, n, 0);
      }
      rc = runWithEnv(faultenvEnv(pF), &m, iMode>=2);
      faultenvClearFaults(pF);
      if( faultenvInjected(pF)==nBefore ){
        ck_assert_int_eq(rc, LSMC_OK);
        break;
      }
      ck_assert_msg(rc==((iMode&1)==0 ? LSMC_IOERR : LSMC_NOMEM),
                    "mode %d call %llu: rc %d", iMode, (unsigned long long)n, rc);
    }
    printf("fault sweep: %llu %s failed in turn%s\n", (unsigned long long)n-1,
           (iMode&1)==0 ? "env calls" : "allocations",
           iMode>=2 ? " (block cache)" : "");
    ck_assert_uint_gt(n, 10);
  }
  faultenvFree(pF);
  modelFree(&m);
}
END_TEST

/*
** Two-level iterator over hand-made children, some empty: the index
** block's values are child numbers.
*/
typedef struct Kids Kids;
struct Kids {
  LsmcBuf a[6];            /* Child blocks */
};
static int kidOpen(void *pCtx, const u8 *pVal, size_t nVal, LsmIter **pp){
  Kids *p = (Kids*)pCtx;
  ck_assert_uint_eq(nVal, 1);
  return lsmcBlockIterNew(tEnv(), p->a[pVal[0]].a, p->a[pVal[0]].n, 0, 0, pp);
}

START_TEST(test_two_level){
  /* children 0, 2, 3, 5 are empty; 1 holds keys 0..2, 4 holds 3..4 */
  static const int aFirst[6] = {0, 0, 3, 3, 3, 5};
  static const int aCount[6] = {0, 3, 0, 0, 2, 0};
  Kids kids;
  BlockBuilder idx;
  LsmcBuf key, *pIdx;
  LsmIter *pIndex = 0, *pIter = 0;
  int rc = LSMC_OK, i, j;
  lsmcBufInit(&key, tEnv());
  lsmcBlockBuilderInit(&idx, tEnv(), 1);
  for(i=0; i<6; i++){
    BlockBuilder b;
    LsmcBuf *pB;
    u8 v = (u8)i;
    char z[16];
    lsmcBlockBuilderInit(&b, tEnv(), 2);
    for(j=aFirst[i]; j<aFirst[i]+aCount[i]; j++){
      snprintf(z, sizeof(z), "k%d", j);
      lsmcIKeyBuild(&rc, &key, (u8*)z, 2, 1, LSMC_KIND_PUT);
      lsmcBlockBuilderAdd(&rc, &b, key.a, key.n, (u8*)z, 2);
    }
    pB = lsmcBlockBuilderFinish(&rc, &b);
    lsmcBufInit(&kids.a[i], tEnv());
    lsmcBufSet(&rc, &kids.a[i], pB->a, pB->n);
    lsmcBlockBuilderFree(&b);
    /* index key: "k<last>" (or the previous one for an empty child) */
    snprintf(z, sizeof(z), "k%d", aFirst[i] + aCount[i] - (aCount[i]>0));
    lsmcIKeyBuild(&rc, &key, (u8*)z, 2, i<5 ? 1 : 0, LSMC_KIND_PUT);
    if( aCount[i]==0 ) lsmcPut64(&key.a[2], lsmcTrailerPack(0, 0));
    lsmcBlockBuilderAdd(&rc, &idx, key.a, key.n, &v, 1);
  }
  pIdx = lsmcBlockBuilderFinish(&rc, &idx);
  ck_assert_int_eq(rc, LSMC_OK);
  ck_assert_int_eq(lsmcBlockIterNew(tEnv(), pIdx->a, pIdx->n, 0, 0, &pIndex),
                   LSMC_OK);
  ck_assert_int_eq(lsmcTwoLevelIterNew(tEnv(), pIndex, kidOpen, &kids, &pIter),
                   LSMC_OK);
  ck_assert_int_eq(lsmcIterFirst(pIter), LSMC_OK);
  for(i=0; i<5; i++){
    size_t nK;
    char z[16];
    snprintf(z, sizeof(z), "k%d", i);
    ck_assert(lsmcIterValid(pIter));
    ck_assert_mem_eq(lsmcIterKey(pIter, &nK), z, 2);
    ck_assert_int_eq(lsmcIterNext(pIter), LSMC_OK);
  }
  ck_assert(!lsmcIterValid(pIter));
  ck_assert_int_eq(lsmcIterLast(pIter), LSMC_OK);
  for(i=4; i>=0; i--){
    size_t nK;
    char z[16];
    snprintf(z, sizeof(z), "k%d", i);
    ck_assert(lsmcIterValid(pIter));
    ck_assert_mem_eq(lsmcIterKey(pIter, &nK), z, 2);
    ck_assert_int_eq(lsmcIterPrev(pIter), LSMC_OK);
  }
  ck_assert(!lsmcIterValid(pIter));
  /* seek into the gap after child 1: lands on k3 in child 4 */
  lsmcIKeyBuild(&rc, &key, (u8*)"k2a", 3, 1, LSMC_KIND_PUT);
  ck_assert_int_eq(lsmcIterSeek(pIter, key.a, key.n), LSMC_OK);
  {
    size_t nK;
    ck_assert(lsmcIterValid(pIter));
    ck_assert_mem_eq(lsmcIterKey(pIter, &nK), "k3", 2);
    ck_assert_int_eq(lsmcIterPrev(pIter), LSMC_OK);
    ck_assert_mem_eq(lsmcIterKey(pIter, &nK), "k2", 2);
  }
  lsmcIKeyBuild(&rc, &key, (u8*)"k9", 2, 1, LSMC_KIND_PUT);
  ck_assert_int_eq(lsmcIterSeek(pIter, key.a, key.n), LSMC_OK);
  ck_assert(!lsmcIterValid(pIter));
  lsmcIterClose(pIter);
  for(i=0; i<6; i++) lsmcBufFree(&kids.a[i]);
  lsmcBlockBuilderFree(&idx);
  lsmcBufFree(&key);
}
END_TEST

/*
** Block cache tests.  cacheStats() reads the cache's counters; getAll()
** looks up every model entry's newest version (all present), adding to
** *pSt.
*/
static CacheStats cacheStats(Cache *pCache){
  CacheStats st;
  lsmcCacheStats(pCache, &st);
  return st;
}
static void getAll(SstReader *pR, const Model *m, SstGetStat *pSt){
  int i;
  for(i=0; i<m->n; i++){
    ck_assert_int_eq(checkGet(pR, m, m->a[i].pKey, m->a[i].nKey,
                              LSMC_MAX_SEQ, pSt), LSMC_OK);
  }
}

/* Walk pR forward, checking every entry; returns the number seen. */
static int scanAll(SstReader *pR, const Model *m){
  LsmIter *pIter = 0;
  int i = 0;
  ck_assert_int_eq(lsmcSstIter(pR, &pIter), LSMC_OK);
  ck_assert_int_eq(lsmcIterFirst(pIter), LSMC_OK);
  while( lsmcIterValid(pIter) ){
    ck_assert(iterIs(pIter, &m->a[i]));
    ck_assert_int_eq(lsmcIterNext(pIter), LSMC_OK);
    i++;
  }
  lsmcIterClose(pIter);
  return i;
}

/*
** Repeated Gets hit the cache: the first pass reads each data block once
** (one miss per block, every other lookup a hit), the second reads none
** and allocates nothing; a warm scan hits every block.  The uncached
** reader counts no cache traffic and reads a block per Get.  The charge
** is the blocks' bytes plus a small fixed header each, and goes at close.
*/
START_TEST(test_cache_hits){
  Model m = {0, 0};
  SstProps props;
  SstFooter f;
  SstReader *pR = 0;
  Cache *pCache = 0;
  FaultEnv *pF = 0;
  SstGetStat st;
  u8 *aFile;
  size_t nFile;
  u64 nBlk, nHit, nMiss, nCharge, nHdr;
  int i, N = 2000, eKind, rc = LSMC_OK;
  LsmcBuf v;
  for(i=0; i<N; i++) addSimple(&m, i, 20, 100+i);
  lsmcSstPropsInit(&props, tEnv());
  buildTable(&m, 1024, 16, 10, &props);
  nBlk = props.nDataBlocks;
  ck_assert_uint_gt(nBlk, 40);
  aFile = readAll(&nFile);
  ck_assert_int_eq(lsmcSstFooterDecode(&aFile[nFile-64], &f), LSMC_OK);

  ck_assert_int_eq(faultenvNew(tEnv(), &pF), LSMC_OK);
  ck_assert_int_eq(lsmcCacheNew(faultenvEnv(pF), 1<<20, &pCache), LSMC_OK);
  ck_assert_int_eq(lsmcSstOpenCached(faultenvEnv(pF), zPath, pCache, &pR),
                   LSMC_OK);
  memset(&st, 0, sizeof(st));
  getAll(pR, &m, &st);
  ck_assert_uint_eq(st.nBlockRead, nBlk);
  ck_assert_uint_eq(st.nCacheMiss, nBlk);
  ck_assert_uint_eq(st.nCacheHit, (u64)N - nBlk);
  ck_assert_uint_eq(cacheStats(pCache).nInsert, nBlk);
  ck_assert_uint_eq(cacheStats(pCache).nEvict, 0);
  /* charge: each block's contents and trailer (the whole data area, which
  ** ends where the filter starts) plus one fixed header per block */
  nCharge = lsmcCacheTotalCharge(pCache);
  ck_assert_uint_gt(nCharge, f.filter.iOff);
  nHdr = (nCharge - f.filter.iOff) / nBlk;
  ck_assert_uint_eq(nCharge, f.filter.iOff + nHdr*nBlk);
  ck_assert_uint_le(nHdr, 64);

  /* warm: no block read, no allocation, no file read */
  memset(&st, 0, sizeof(st));
  lsmcBufInit(&v, tEnv());
  lsmcBufSet(&rc, &v, "0123456789012345678901234567890123456789", 40);
  ck_assert_int_eq(rc, LSMC_OK);
  faultenvResetCounts(pF);
  for(i=0; i<N; i++){
    ck_assert_int_eq(lsmcSstGet(pR, m.a[i].pKey, m.a[i].nKey, LSMC_MAX_SEQ,
                                &eKind, &v, &st), LSMC_OK);
    ck_assert_uint_eq(v.n, 20);
    ck_assert_mem_eq(v.a, m.a[i].pVal, 20);
  }
  ck_assert_uint_eq(faultenvCount(pF, FAULT_OP_MALLOC), 0);
  ck_assert_uint_eq(faultenvCount(pF, FAULT_OP_REALLOC), 0);
  ck_assert_uint_eq(faultenvCount(pF, FAULT_OP_READ), 0);
  lsmcBufFree(&v);
  ck_assert_uint_eq(st.nBlockRead, 0);
  ck_assert_uint_eq(st.nCacheMiss, 0);
  ck_assert_uint_eq(st.nCacheHit, (u64)N);
  ck_assert_uint_eq(lsmcCacheTotalCharge(pCache), nCharge);

  /* a warm scan: one hit per block, no miss */
  lsmcSstCacheCounters(pR, &nHit, &nMiss);
  ck_assert_uint_eq(nHit + nMiss, 0);
  ck_assert_int_eq(scanAll(pR, &m), N);
  lsmcSstCacheCounters(pR, &nHit, &nMiss);
  ck_assert_uint_eq(nHit, nBlk);
  ck_assert_uint_eq(nMiss, 0);
  lsmcSstClose(pR);
  ck_assert_uint_eq(lsmcCacheTotalCharge(pCache), 0);

  /* no cache: a block read per Get, no cache counts */
  ck_assert_int_eq(lsmcSstOpen(tEnv(), zPath, &pR), LSMC_OK);
  memset(&st, 0, sizeof(st));
  getAll(pR, &m, &st);
  getAll(pR, &m, &st);
  ck_assert_uint_eq(st.nBlockRead, 2*(u64)N);
  ck_assert_uint_eq(st.nCacheHit + st.nCacheMiss, 0);
  ck_assert_int_eq(scanAll(pR, &m), N);
  lsmcSstCacheCounters(pR, &nHit, &nMiss);
  ck_assert_uint_eq(nHit + nMiss, 0);
  lsmcSstClose(pR);

  lsmcCacheFree(pCache);
  faultenvFree(pF);
  free(aFile);
  lsmcSstPropsFree(&props);
  modelFree(&m);
}
END_TEST

/*
** A cache far smaller than the table (64 KiB, 4 KiB a shard, for some
** 2 MiB of 1 KiB blocks) evicts all the time and still answers every Get, scan and seek
** of the random model right; what it keeps stays within its capacity.
*/
START_TEST(test_cache_small){
  Model m = {0, 0};
  SstProps props;
  SstReader *pR = 0;
  Cache *pCache = 0;
  SstGetStat st;
  u64 s = 5;
  int i;
  randomModel(&m, 10000, 777);
  lsmcSstPropsInit(&props, tEnv());
  buildTable(&m, 1024, 16, 10, &props);
  ck_assert_uint_gt(props.nDataBlocks, 200);
  ck_assert_int_eq(lsmcCacheNew(tEnv(), 65536, &pCache), LSMC_OK);
  checkTableWith(&m, 1, pCache);
  ck_assert_uint_gt(cacheStats(pCache).nEvict, props.nDataBlocks);
  ck_assert_uint_eq(lsmcCacheTotalCharge(pCache), 0);

  /* random Gets: a mix of hits and misses, every answer right */
  ck_assert_int_eq(lsmcSstOpenCached(tEnv(), zPath, pCache, &pR), LSMC_OK);
  memset(&st, 0, sizeof(st));
  for(i=0; i<20000; i++){
    const Ent *e = &m.a[rnd(&s) % (u64)m.n];
    ck_assert_int_eq(checkGet(pR, &m, e->pKey, e->nKey, e->iSeq, &st),
                     LSMC_OK);
    ck_assert_uint_le(lsmcCacheTotalCharge(pCache), 65536);
  }
  ck_assert_uint_eq(st.nCacheMiss, st.nBlockRead);
  ck_assert_uint_gt(st.nCacheHit, 0);
  ck_assert_uint_gt(st.nCacheMiss, 20000/2);
  lsmcSstClose(pR);
  ck_assert_uint_eq(lsmcCacheTotalCharge(pCache), 0);
  lsmcCacheFree(pCache);
  lsmcSstPropsFree(&props);
  modelFree(&m);
}
END_TEST

/*
** Two tables with the same keys and layout (so their blocks sit at the
** same offsets) but different values share one cache: each reader gets
** its own blocks; closing one drops exactly its half of the charge.
*/
START_TEST(test_cache_two_readers){
  Model mA = {0, 0}, mB = {0, 0};
  SstProps props;
  SstReader *pA = 0, *pB = 0;
  Cache *pCache = 0;
  SstGetStat st;
  char zPathA[160];
  u64 nFileA, nFileB, nBlk, nBoth;
  int i;
  for(i=0; i<2000; i++){
    addSimple(&mA, i, 24, 100+i);
    addSimple(&mB, i, 24, 100+i);
    mB.a[i].pVal[i%24] ^= 0x5a;           /* same size, other bytes */
  }
  lsmcSstPropsInit(&props, tEnv());
  snprintf(zPathA, sizeof(zPathA), "%s/000002.sst", zTmpDir);
  nFileA = buildTable(&mA, 1024, 16, 10, 0);
  ck_assert_int_eq(rename(zPath, zPathA), 0);
  nFileB = buildTable(&mB, 1024, 16, 10, &props);
  ck_assert_uint_eq(nFileA, nFileB);
  nBlk = props.nDataBlocks;

  ck_assert_int_eq(lsmcCacheNew(tEnv(), 1<<20, &pCache), LSMC_OK);
  ck_assert_int_eq(lsmcSstOpenCached(tEnv(), zPathA, pCache, &pA), LSMC_OK);
  ck_assert_int_eq(lsmcSstOpenCached(tEnv(), zPath, pCache, &pB), LSMC_OK);
  memset(&st, 0, sizeof(st));
  for(i=0; i<2000; i++){
    const Ent *e = &mA.a[(i*7919) % 2000];
    ck_assert_int_eq(checkGet(pA, &mA, e->pKey, e->nKey, LSMC_MAX_SEQ, &st),
                     LSMC_OK);
    ck_assert_int_eq(checkGet(pB, &mB, e->pKey, e->nKey, LSMC_MAX_SEQ, &st),
                     LSMC_OK);
  }
  ck_assert_uint_eq(st.nCacheMiss, 2*nBlk);
  ck_assert_uint_eq(cacheStats(pCache).nInsert, 2*nBlk);
  ck_assert_int_eq(scanAll(pA, &mA), 2000);
  ck_assert_int_eq(scanAll(pB, &mB), 2000);
  nBoth = lsmcCacheTotalCharge(pCache);
  ck_assert_uint_eq(nBoth % 2, 0);

  lsmcSstClose(pA);
  ck_assert_uint_eq(lsmcCacheTotalCharge(pCache), nBoth/2);
  memset(&st, 0, sizeof(st));
  getAll(pB, &mB, &st);                 /* B's blocks are all still there */
  ck_assert_uint_eq(st.nBlockRead, 0);
  ck_assert_uint_eq(st.nCacheHit, 2000);
  lsmcSstClose(pB);
  ck_assert_uint_eq(lsmcCacheTotalCharge(pCache), 0);
  lsmcCacheFree(pCache);
  unlink(zPathA);
  lsmcSstPropsFree(&props);
  modelFree(&mA);
  modelFree(&mB);
}
END_TEST

/*
** Iterators keep their block while the cache evicts it: with a 1-byte
** cache every block leaves as soon as it is released, so a scan holds
** exactly one block; an iterator parked on an entry stays readable while
** other scans, Gets and a capacity drop to 0 churn the cache (ASan would
** see a freed block).
*/
START_TEST(test_cache_iter_evict){
  Model m = {0, 0};
  SstProps props;
  SstReader *pR = 0;
  Cache *pCache = 0;
  LsmIter *pPark = 0, *pIter = 0;
  SstGetStat st;
  u64 nHit, nMiss, nHeld;
  int i;
  for(i=0; i<3000; i++) addSimple(&m, i, 8 + i%30, 100+i);
  lsmcSstPropsInit(&props, tEnv());
  buildTable(&m, 1024, 16, 10, &props);
  ck_assert_int_eq(lsmcCacheNew(tEnv(), 1, &pCache), LSMC_OK);
  ck_assert_int_eq(lsmcSstOpenCached(tEnv(), zPath, pCache, &pR), LSMC_OK);

  /* a forward scan: one miss per block, one block held at a time */
  ck_assert_int_eq(lsmcSstIter(pR, &pIter), LSMC_OK);
  ck_assert_int_eq(lsmcIterFirst(pIter), LSMC_OK);
  for(i=0; lsmcIterValid(pIter); i++){
    ck_assert(iterIs(pIter, &m.a[i]));
    ck_assert_uint_gt(lsmcCacheTotalCharge(pCache), 0);
    ck_assert_uint_le(lsmcCacheTotalCharge(pCache), 2048);
    ck_assert_int_eq(lsmcIterNext(pIter), LSMC_OK);
  }
  ck_assert_int_eq(i, m.n);
  lsmcIterClose(pIter);
  ck_assert_uint_eq(lsmcCacheTotalCharge(pCache), 0);
  lsmcSstCacheCounters(pR, &nHit, &nMiss);
  ck_assert_uint_eq(nMiss, props.nDataBlocks);
  ck_assert_uint_eq(nHit, 0);

  /* park an iterator in the middle, then churn */
  ck_assert_int_eq(lsmcSstIter(pR, &pPark), LSMC_OK);
  ck_assert_int_eq(lsmcIterFirst(pPark), LSMC_OK);
  for(i=0; i<1234; i++) ck_assert_int_eq(lsmcIterNext(pPark), LSMC_OK);
  ck_assert(iterIs(pPark, &m.a[1234]));
  nHeld = lsmcCacheTotalCharge(pCache);
  ck_assert_uint_gt(nHeld, 0);
  ck_assert_int_eq(checkScans(pR, &m, 0), LSMC_OK);
  checkSeeks(pR, &m);
  memset(&st, 0, sizeof(st));
  getAll(pR, &m, &st);
  ck_assert_uint_eq(st.nCacheHit + st.nCacheMiss, (u64)m.n);
  lsmcCacheSetCapacity(pCache, 0);
  ck_assert_uint_eq(lsmcCacheTotalCharge(pCache), nHeld);
  getAll(pR, &m, &st);
  ck_assert(iterIs(pPark, &m.a[1234]));
  for(i=1234; lsmcIterValid(pPark); i++){
    ck_assert(iterIs(pPark, &m.a[i]));
    ck_assert_int_eq(lsmcIterNext(pPark), LSMC_OK);
  }
  ck_assert_int_eq(i, m.n);
  lsmcIterClose(pPark);
  ck_assert_uint_eq(lsmcCacheTotalCharge(pCache), 0);
  lsmcSstClose(pR);
  lsmcCacheFree(pCache);
  lsmcSstPropsFree(&props);
  modelFree(&m);
}
END_TEST

/* The handle of the table's first data block (from its index). */
static SstHandle firstDataBlock(const u8 *a, size_t n){
  SstFooter f;
  SstHandle h;
  BlockIter idx;
  size_t nVal;
  const u8 *pVal;
  ck_assert_int_eq(lsmcSstFooterDecode(&a[n-64], &f), LSMC_OK);
  ck_assert_int_eq(lsmcBlockIterInit(&idx, tEnv(), &a[f.index.iOff],
                                     f.index.nSize), LSMC_OK);
  ck_assert_int_eq(lsmcBlockIterFirst(&idx), LSMC_OK);
  pVal = lsmcBlockIterValue(&idx, &nVal);
  ck_assert_int_eq(lsmcSstHandleDecode(pVal, nVal, &h), LSMC_OK);
  lsmcBlockIterClear(&idx);
  ck_assert_uint_eq(h.iOff, 0);
  return h;
}

/*
** A damaged first data block is LSMC_CORRUPT through the cached path, at
** every read (it is never cached), while other blocks are served and
** cached.  Three damages: a flipped byte (bad checksum); a restart count
** too large, and restart offsets out of order, both under a recomputed
** (valid) checksum, which only the full check at insertion catches.
*/
START_TEST(test_cache_corrupt){
  Model m = {0, 0};
  Cache *pCache = 0;
  SstHandle h;
  u8 *aGood;
  size_t n;
  int i, iCase;
  for(i=0; i<3000; i++) addSimple(&m, i, 8 + i%30, 100+i);
  buildTable(&m, 4096, 4, 10, 0);
  aGood = readAll(&n);
  h = firstDataBlock(aGood, n);
  ck_assert_int_eq(lsmcCacheNew(tEnv(), 1<<20, &pCache), LSMC_OK);
  for(iCase=0; iCase<3; iCase++){
    SstReader *pR = 0;
    SstGetStat st;
    LsmIter *pIter = 0;
    u8 *a = malloc(n);
    u8 *aRestart;
    u32 nRestart = lsmcGet32(&aGood[h.nSize-4]);
    u64 nInsert0 = cacheStats(pCache).nInsert;
    int k;
    memcpy(a, aGood, n);
    aRestart = &a[h.nSize - 4 - 4*(size_t)nRestart];
    ck_assert_uint_ge(nRestart, 3);
    if( iCase==0 ){
      a[h.nSize/2] ^= 0x10;
    }else{
      LsmcBuf blk;
      int rc = LSMC_OK;
      if( iCase==1 ){
        lsmcPut32(&a[h.nSize-4], (u32)(h.nSize/4));
      }else{
        memcpy(&aRestart[4], &aRestart[8], 4);      /* restart 1 == 2 */
      }
      lsmcBufInit(&blk, tEnv());
      lsmcBufAppend(&rc, &blk, a, h.nSize);
      lsmcSstTrailerAppend(&rc, &blk);
      ck_assert_int_eq(rc, LSMC_OK);
      ck_assert_int_eq(lsmcSstTrailerCheck(blk.a, h.nSize), LSMC_OK);
      memcpy(a, blk.a, blk.n);
      lsmcBufFree(&blk);
    }
    writeAll(a, n);
    ck_assert_int_eq(lsmcSstOpenCached(tEnv(), zPath, pCache, &pR), LSMC_OK);
    memset(&st, 0, sizeof(st));
    for(k=0; k<3; k++){
      ck_assert_int_eq(checkGet(pR, &m, m.a[0].pKey, m.a[0].nKey,
                                LSMC_MAX_SEQ, &st), LSMC_CORRUPT);
    }
    ck_assert_uint_eq(st.nCacheMiss, 3);
    ck_assert_uint_eq(st.nCacheHit, 0);
    ck_assert_uint_eq(cacheStats(pCache).nInsert, nInsert0);
    ck_assert_uint_eq(lsmcCacheTotalCharge(pCache), 0);
    ck_assert_int_eq(lsmcSstIter(pR, &pIter), LSMC_OK);
    ck_assert_int_eq(lsmcIterFirst(pIter), LSMC_CORRUPT);
    ck_assert(!lsmcIterValid(pIter));
    lsmcIterClose(pIter);
    ck_assert_uint_eq(lsmcCacheTotalCharge(pCache), 0);
    /* the last key lives in a good block: served, then cached */
    ck_assert_int_eq(checkGet(pR, &m, m.a[m.n-1].pKey, m.a[m.n-1].nKey,
                              LSMC_MAX_SEQ, &st), LSMC_OK);
    ck_assert_int_eq(checkGet(pR, &m, m.a[m.n-1].pKey, m.a[m.n-1].nKey,
                              LSMC_MAX_SEQ, &st), LSMC_OK);
    ck_assert_uint_eq(st.nCacheHit, 1);
    ck_assert_uint_eq(cacheStats(pCache).nInsert, nInsert0 + 1);
    lsmcSstClose(pR);
    ck_assert_uint_eq(lsmcCacheTotalCharge(pCache), 0);
    free(a);
  }
  lsmcCacheFree(pCache);
  free(aGood);
  modelFree(&m);
}
END_TEST

/*
** A damaged index whose entry for a later block names the first block's
** offset with its own (different) size: once the first block is cached,
** a lookup of that later block must not be served the first block's bytes (which would
** make present keys look absent): it is LSMC_CORRUPT, as it is without
** a cache (bad checksum).
*/
START_TEST(test_cache_alias_index){
  Model m = {0, 0};
  Cache *pCache = 0;
  SstReader *pR = 0;
  SstFooter f;
  SstHandle h0, h;
  BlockIter idx;
  BlockBuilder bb;
  LsmcBuf val, *pIdx;
  u8 *a, *aNew;
  size_t n, nVal, nNew;
  int i, rc = LSMC_OK, nCorrupt = 0, iPass, iAlias = -1;
  for(i=0; i<500; i++) addSimple(&m, i, 8 + i%30, 100+i);
  buildTable(&m, 1024, 16, 10, 0);
  a = readAll(&n);
  ck_assert_int_eq(lsmcSstFooterDecode(&a[n-64], &f), LSMC_OK);
  lsmcBufInit(&val, tEnv());
  lsmcBlockBuilderInit(&bb, tEnv(), 1);
  ck_assert_int_eq(lsmcBlockIterInit(&idx, tEnv(), &a[f.index.iOff],
                                     f.index.nSize), LSMC_OK);
  ck_assert_int_eq(lsmcBlockIterFirst(&idx), LSMC_OK);
  for(i=0; lsmcBlockIterValid(&idx); i++){
    size_t nKey;
    const u8 *pKey = lsmcBlockIterKey(&idx, &nKey);
    const u8 *pVal = lsmcBlockIterValue(&idx, &nVal);
    ck_assert_int_eq(lsmcSstHandleDecode(pVal, nVal, &h), LSMC_OK);
    if( i==0 ) h0 = h;
    if( i>0 && iAlias<0 && h.nSize!=h0.nSize ){
      iAlias = i;
      h.iOff = h0.iOff;
    }
    val.n = 0;
    lsmcSstHandleEncode(&rc, &val, &h);
    lsmcBlockBuilderAdd(&rc, &bb, pKey, nKey, val.a, val.n);
    ck_assert_int_eq(lsmcBlockIterNext(&idx), LSMC_OK);
  }
  ck_assert_int_gt(iAlias, 0);
  ck_assert_int_gt(i, iAlias+1);
  lsmcBlockIterClear(&idx);
  pIdx = lsmcBlockBuilderFinish(&rc, &bb);
  ck_assert_int_eq(rc, LSMC_OK);
  f.index.iOff = n;
  f.index.nSize = pIdx->n;
  lsmcSstTrailerAppend(&rc, pIdx);
  ck_assert_int_eq(rc, LSMC_OK);
  nNew = n + pIdx->n + 64;
  aNew = malloc(nNew);
  memcpy(aNew, a, n);
  memcpy(&aNew[n], pIdx->a, pIdx->n);
  lsmcSstFooterEncode(&aNew[n + pIdx->n], &f);
  writeAll(aNew, nNew);
  lsmcBlockBuilderFree(&bb);
  lsmcBufFree(&val);

  ck_assert_int_eq(lsmcCacheNew(tEnv(), 1<<20, &pCache), LSMC_OK);
  for(iPass=0; iPass<2; iPass++){        /* 0: no cache, 1: cached */
    ck_assert_int_eq(lsmcSstOpenCached(tEnv(), zPath, iPass ? pCache : 0, &pR),
                     LSMC_OK);
    nCorrupt = 0;
    for(i=0; i<m.n; i++){
      rc = checkGet(pR, &m, m.a[i].pKey, m.a[i].nKey, LSMC_MAX_SEQ, 0);
      if( rc==LSMC_CORRUPT ) nCorrupt++;
    }
    ck_assert_int_gt(nCorrupt, 0);
    ck_assert_int_lt(nCorrupt, m.n/2);
    ck_assert_int_eq(checkScans(pR, &m, 1), LSMC_CORRUPT);
    lsmcSstClose(pR);
  }
  lsmcCacheFree(pCache);
  free(a);
  free(aNew);
  modelFree(&m);
}
END_TEST

/*
** nGet random Gets of "user%012d" keys below N through pR; seconds taken.
*/
static double timeGets(SstReader *pR, int N, int nGet, LsmcBuf *pV){
  struct timespec t0, t1;
  u64 s = 7;
  int i, eKind;
  clock_gettime(CLOCK_MONOTONIC, &t0);
  for(i=0; i<nGet; i++){
    char z[20];
    snprintf(z, sizeof(z), "user%012d", (int)(rnd(&s) % (u64)N));
    ck_assert_int_eq(lsmcSstGet(pR, (u8*)z, 16, LSMC_MAX_SEQ, &eKind, pV, 0),
                     LSMC_OK);
  }
  clock_gettime(CLOCK_MONOTONIC, &t1);
  return (double)(t1.tv_sec-t0.tv_sec) + (t1.tv_nsec-t0.tv_nsec)/1e9;
}

/*
** Speed: 10^6 entries (16-byte keys, 100-byte values), build and random
** Gets without a cache and through a hot cache that holds the whole
** table; printed, not asserted.
*/
START_TEST(test_speed){
  SstOptions opt = {4096, 16, 10};
  SstBuilder *pB = 0;
  SstReader *pR = 0;
  Cache *pCache = 0;
  LsmIter *pIter = 0;
  lsmc_file *pFile = 0;
  LsmcBuf k, v;
  u8 aVal[100];
  u64 nFile = 0;
  int rc = LSMC_OK, i, N = 1000000, nGet = 1000000;
  struct timespec t0, t1;
  double dBuild, dGet, dHot;
  lsmcBufInit(&k, tEnv());
  lsmcBufInit(&v, tEnv());
  for(i=0; i<100; i++) aVal[i] = (u8)(i*31);
  clock_gettime(CLOCK_MONOTONIC, &t0);
  ck_assert_int_eq(tEnv()->xOpen(tEnv(), zPath, LSMC_OPEN_CREATE, &pFile), 0);
  ck_assert_int_eq(lsmcSstBuilderNew(tEnv(), pFile, &opt, &pB), LSMC_OK);
  for(i=0; i<N; i++){
    char z[20];
    snprintf(z, sizeof(z), "user%012d", i);
    lsmcIKeyBuild(&rc, &k, (u8*)z, 16, (u64)i+1, LSMC_KIND_PUT);
    ck_assert_int_eq(lsmcSstBuilderAdd(pB, k.a, k.n, aVal, 100), LSMC_OK);
  }
  ck_assert_int_eq(lsmcSstBuilderFinish(pB, &nFile, 0), LSMC_OK);
  lsmcSstBuilderFree(pB);
  tEnv()->xClose(pFile);
  clock_gettime(CLOCK_MONOTONIC, &t1);
  dBuild = (double)(t1.tv_sec-t0.tv_sec) + (t1.tv_nsec-t0.tv_nsec)/1e9;

  ck_assert_int_eq(lsmcSstOpen(tEnv(), zPath, &pR), LSMC_OK);
  dGet = timeGets(pR, N, nGet, &v);
  lsmcSstClose(pR);

  /* a cache twice the file, warmed by a full scan */
  ck_assert_int_eq(lsmcCacheNew(tEnv(), 2*nFile, &pCache), LSMC_OK);
  ck_assert_int_eq(lsmcSstOpenCached(tEnv(), zPath, pCache, &pR), LSMC_OK);
  ck_assert_int_eq(lsmcSstIter(pR, &pIter), LSMC_OK);
  ck_assert_int_eq(lsmcIterFirst(pIter), LSMC_OK);
  for(i=0; lsmcIterValid(pIter); i++){
    ck_assert_int_eq(lsmcIterNext(pIter), LSMC_OK);
  }
  ck_assert_int_eq(i, N);
  lsmcIterClose(pIter);
  dHot = timeGets(pR, N, nGet, &v);
  ck_assert_uint_eq(cacheStats(pCache).nEvict, 0);
  lsmcSstClose(pR);
  lsmcCacheFree(pCache);

  printf("speed: build %.0f entries/s; get %.0f lookups/s without a cache, "
         "%.0f with a hot cache; file %llu bytes for %llu raw bytes (%.3f)\n",
         N/dBuild, nGet/dGet, nGet/dHot,
         (unsigned long long)nFile, (unsigned long long)N*(24+100),
         (double)nFile/((double)N*(24+100)));
  lsmcBufFree(&k);
  lsmcBufFree(&v);
}
END_TEST

/* Add a test case named zName with the fixture and a long timeout. */
static TCase *sstCase(Suite *s, const char *zName){
  TCase *tc = tcase_create(zName);
  tcase_set_timeout(tc, 900);
  tcase_add_checked_fixture(tc, setupDir, teardownDir);
  suite_add_tcase(s, tc);
  return tc;
}

static Suite *sstSuite(void){
  Suite *s = suite_create("sst");
  TCase *tc = sstCase(s, "edges");
  tcase_add_test(tc, test_one_entry);
  tcase_add_test(tc, test_empty_table);
  tcase_add_test(tc, test_block_edges);
  tcase_add_test(tc, test_straddle);
  tcase_add_test(tc, test_big_keys);
  tcase_add_test(tc, test_big_values);
  tc = sstCase(s, "model");
  tcase_add_test(tc, test_random_model);
  tcase_add_test(tc, test_bloom_skip);
  tc = sstCase(s, "damage");
  tcase_add_test(tc, test_damage);
  tcase_add_test(tc, test_truncated);
  tcase_add_test(tc, test_hostile_footer);
  tcase_add_test(tc, test_verify_lies);
  tcase_add_test(tc, test_builder_misuse);
  tcase_add_test(tc, test_faults);
  tc = sstCase(s, "cache");
  tcase_add_test(tc, test_cache_hits);
  tcase_add_test(tc, test_cache_small);
  tcase_add_test(tc, test_cache_two_readers);
  tcase_add_test(tc, test_cache_iter_evict);
  tcase_add_test(tc, test_cache_corrupt);
  tcase_add_test(tc, test_cache_alias_index);
  tc = sstCase(s, "two_level");
  tcase_add_test(tc, test_two_level);
  if( getenv("LSMC_SPEED") ){          /* benchmark, printed only */
    tc = sstCase(s, "speed");
    tcase_add_test(tc, test_speed);
  }
  return s;
}

int main(void){
  SRunner *sr = srunner_create(sstSuite());
  int nFail;
  srunner_run_all(sr, CK_NORMAL);
  nFail = srunner_ntests_failed(sr);
  srunner_free(sr);
  return nFail ? 1 : 0;
}
