/*
** check_db_iter.c -- tests of the user-visible iterator (db_iter.c) over a
** merging iterator of vec_iters, against a model computed directly from a
** write history.
**
** A history is a list of puts and deletes with increasing sequence
** numbers over user keys of length 0..3 from the alphabet {00, 'a', 'b',
** ff} (so keys repeat, are empty, or are prefixes of one another), split
** at random across several sources.  For a snapshot S and bounds
** [lower, upper), the model is: for each user key, its newest entry with
** seq <= S; keep it if it is a put inside the bounds.  Random walks of
** first/last/seek GE/seek LE/next/prev (with direction switches, seeks to
** the iterator's own key, and invisible entries inserted next to the
** current key while the iterator is open, the LevelDB issue 200 pattern)
** must match the model step by step, with the sources in VOLATILE mode
** half of the time so that AddressSanitizer catches a key or value kept
** past its lifetime.  Plus fixed cases: prefix keys and the empty key,
** every key deleted, bounds that exclude everything or are equal, error
** injection, corrupt entries, NULL handles, cleanup order, and no
** allocation in a steady scan.
*/
#include "db_iter.h"
#include "merge_iter.h"
#include "vec_iter.h"

#include "testutil.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>

#define T_MAXUKEY  4        /* Longest user key used as a seek target */
#define T_MAXSRC   6        /* Most sources in one fixture */

/*
** Checks for hot loops: ck_assert records every call through Check's
** context channel, far too slow for millions of checks, so these call
** Check only on failure.
*/
#define CHECK(X, ...) do{ if( !(X) ) ck_abort_msg(__VA_ARGS__); }while(0)
#define CHECK_OK(X) do{ int rc_ = (X); \
  if( rc_!=LSMC_OK ) ck_abort_msg("%s:%d: rc=%d", __FILE__, __LINE__, rc_); \
}while(0)

typedef struct HOp HOp;
typedef struct Bound Bound;
typedef struct Row Row;
typedef struct Fix Fix;

/* One write of the history. */
struct HOp {
  u8 aKey[T_MAXUKEY];    /* User key */
  size_t nKey;           /* Bytes in aKey */
  u64 iSeq;              /* Sequence number (unique) */
  int eKind;             /* LSMC_KIND_PUT or LSMC_KIND_DELETE */
  char zVal[64];         /* Value (puts) */
  size_t nVal;           /* Bytes of zVal used */
  int iSrc;              /* Source holding the entry */
};

/* An optional bound. */
struct Bound {
  int bSet;              /* Bound present */
  u8 a[T_MAXUKEY];       /* Key */
  size_t n;              /* Bytes in a */
};

/* One visible row of the model. */
struct Row {
  const HOp *pOp;        /* The put that is visible */
};

/* The iterator under test and its sources. */
struct Fix {
  VecTestEnv env;                /* Counting allocator */
  LsmIter *apSrc[T_MAXSRC];      /* Sources (owned through the merge) */
  int nSrc;                      /* Entries in apSrc */
  lsmc_iter *pIter;              /* The iterator under test */
  int bClosed;                   /* Internal iterator closed */
  int nCleanup;                  /* xCleanup calls */
  int bCleanupAfterClose;        /* xCleanup saw the internal iter closed */
};

/* The suite's random numbers: testutil's generator. */
typedef TestRng Rng;
#define rngNext(p)      testRngNext(p)
#define rngInt(p, n)    ((int)testRngBelow((p), (uint32_t)(n)))
#define rngSeed(p, s)   testRngSeed((p), (s))

/* A random user key of length 0..nMax over the 4-letter alphabet. */
static size_t randUKey(Rng *pRng, u8 *a, int nMax){
  static const u8 aAlpha[4] = { 0x00, 'a', 'b', 0xff };
  int n = rngInt(pRng, nMax+1);
  int i;
  for(i=0; i<n; i++) a[i] = aAlpha[rngInt(pRng, 4)];
  return (size_t)n;
}

/* Order ops by user key, then newest first. */
static int hopCmp(const void *a, const void *b){
  const HOp *pA = (const HOp*)a;
  const HOp *pB = (const HOp*)b;
  int c = lsmcUKeyCompare(pA->aKey, pA->nKey, pB->aKey, pB->nKey);
  if( c==0 ) c = pA->iSeq>pB->iSeq ? -1 : (pA->iSeq<pB->iSeq);
  return c;
}

/*
** Random history of nOp writes over up to nKeyLen-long keys, with delete
** probability pctDel percent, split over nSrc sources.  Returned sorted
** by hopCmp; *piMaxSeq is the largest sequence used.
*/
static HOp *histBuild(Rng *pRng, int nOp, int nKeyLen, int pctDel, int nSrc,
                      u64 *piMaxSeq){
  HOp *a = calloc((size_t)nOp+1, sizeof(HOp));
  u64 iSeq = 0;
  int i;
  ck_assert_ptr_nonnull(a);
  for(i=0; i<nOp; i++){
    HOp *p = &a[i];
    iSeq += 1 + (u64)(rngInt(pRng, 4)==0 ? rngInt(pRng, 5) : 0);
    p->nKey = randUKey(pRng, p->aKey, nKeyLen);
    p->iSeq = iSeq;
    p->eKind = rngInt(pRng, 100)<pctDel ? LSMC_KIND_DELETE : LSMC_KIND_PUT;
    if( p->eKind==LSMC_KIND_PUT ){
      int n = snprintf(p->zVal, sizeof(p->zVal), "v%llu",
                       (unsigned long long)iSeq);
      int nPad = rngInt(pRng, 5)==0 ? 0 : rngInt(pRng, 40);
      if( rngInt(pRng, 10)==0 ) n = 0;              /* empty values too */
      memset(&p->zVal[n], '.', (size_t)nPad);
      p->nVal = (size_t)(n + nPad);
    }
    p->iSrc = rngInt(pRng, nSrc);
  }
  qsort(a, (size_t)nOp, sizeof(HOp), hopCmp);
  *piMaxSeq = iSeq;
  return a;
}

/* True if key a[0..n) lies inside [lo, hi). */
static int inBounds(const Bound *pLo, const Bound *pHi, const u8 *a, size_t n){
  if( pLo->bSet && lsmcUKeyCompare(a, n, pLo->a, pLo->n)<0 ) return 0;
  if( pHi->bSet && lsmcUKeyCompare(a, n, pHi->a, pHi->n)>=0 ) return 0;
  return 1;
}

/*
** The model: visible rows of history a[0..nOp) (sorted by hopCmp) as of
** iSeq inside the bounds.  Returns the row count; aRow has nOp slots.
*/
static int modelRows(const HOp *a, int nOp, u64 iSeq, const Bound *pLo,
                     const Bound *pHi, Row *aRow){
  int nRow = 0;
  int i = 0;
  while( i<nOp ){
    int j = i;
    const HOp *pVis = 0;
    while( j<nOp && lsmcUKeyCompare(a[j].aKey, a[j].nKey,
                                    a[i].aKey, a[i].nKey)==0 ){
      if( pVis==0 && a[j].iSeq<=iSeq ) pVis = &a[j];
      j++;
    }
    if( pVis && pVis->eKind==LSMC_KIND_PUT
     && inBounds(pLo, pHi, pVis->aKey, pVis->nKey) ){
      aRow[nRow++].pOp = pVis;
    }
    i = j;
  }
  return nRow;
}

static void fixCleanup(void *pArg){
  Fix *pF = (Fix*)pArg;
  pF->nCleanup++;
  pF->bCleanupAfterClose = pF->bClosed;
}

/*
** Build the sources from history a[0..nOp), the merge, and the db
** iterator as of iSeq within the bounds.
*/
static void fixOpen(Fix *pF, const HOp *a, int nOp, int nSrc, int flags,
                    u64 iSeq, const Bound *pLo, const Bound *pHi){
  VecEntry *aE = calloc((size_t)nOp+1, sizeof(VecEntry));
  u8 *aKey = calloc((size_t)nOp+1, T_MAXUKEY + LSMC_TRAILER_SIZE);
  LsmIter *pMerge;
  int i, j;
  ck_assert_ptr_nonnull(aE);
  ck_assert_ptr_nonnull(aKey);
  memset(pF, 0, sizeof(*pF));
  vecTestEnvInit(&pF->env);
  pF->nSrc = nSrc;
  for(j=0; j<nSrc; j++){
    int nE = 0;
    for(i=0; i<nOp; i++){
      u8 *pK = &aKey[i*(T_MAXUKEY + LSMC_TRAILER_SIZE)];
      if( a[i].iSrc!=j ) continue;
      aE[nE].pKey = pK;
      aE[nE].nKey = vecIKey(pK, a[i].aKey, a[i].nKey, a[i].iSeq, a[i].eKind);
      aE[nE].pVal = (const u8*)a[i].zVal;
      aE[nE].nVal = a[i].nVal;
      nE++;
    }
    ck_assert_int_eq(vecIterNew(&pF->env.base, aE, nE, flags, &pF->apSrc[j]),
                     LSMC_OK);
  }
  vecIterSetCloseFlag(pF->apSrc[0], &pF->bClosed);
  ck_assert_int_eq(lsmcMergeIterNew(&pF->env.base, pF->apSrc, nSrc, &pMerge),
                   LSMC_OK);
  ck_assert_int_eq(lsmcDbIterNew(&pF->env.base, pMerge, iSeq,
                                 pLo->bSet ? pLo->a : 0, pLo->n,
                                 pHi->bSet ? pHi->a : 0, pHi->n,
                                 fixCleanup, pF, &pF->pIter), LSMC_OK);
  free(aE);
  free(aKey);
}

static void fixClose(Fix *pF){
  lsmc_iter_close(pF->pIter);
  ck_assert_int_eq(pF->nCleanup, 1);
  ck_assert_int_eq(pF->bCleanupAfterClose, 1);
  ck_assert_int_eq(pF->env.nLive, 0);     /* no leak */
}

/*
** Check the iterator against model row iPos (-1: invalid).
*/
static void checkRow(lsmc_iter *p, const Row *aRow, int iPos, int iStep){
  size_t nKey, nVal;
  const u8 *pKey = lsmc_iter_key(p, &nKey);
  const u8 *pVal = lsmc_iter_value(p, &nVal);
  const HOp *pOp;
  if( iPos<0 ){
    CHECK(!lsmc_iter_valid(p), "step %d: valid, model at end", iStep);
    CHECK(pKey==0, "step %d: non-NULL", iStep);
    CHECK(pVal==0, "step %d: non-NULL", iStep);
    return;
  }
  pOp = aRow[iPos].pOp;
  CHECK(lsmc_iter_valid(p), "step %d: invalid, model at row %d",
                iStep, iPos);
  CHECK(pKey!=0, "step %d: NULL", iStep);
  CHECK(pVal!=0, "step %d: NULL", iStep);
  CHECK(nKey==pOp->nKey && memcmp(pKey, pOp->aKey, nKey)==0,
                "step %d: key differs at row %d", iStep, iPos);
  CHECK(nVal==pOp->nVal && memcmp(pVal, pOp->zVal, nVal)==0,
                "step %d: value differs at row %d (seq %llu)", iStep, iPos,
                (unsigned long long)pOp->iSeq);
}

/* First row with key >= a[0..n), or -1. */
static int rowSeekGE(const Row *aRow, int nRow, const u8 *a, size_t n){
  int i;
  for(i=0; i<nRow; i++){
    if( lsmcUKeyCompare(aRow[i].pOp->aKey, aRow[i].pOp->nKey, a, n)>=0 ){
      return i;
    }
  }
  return -1;
}

/* Last row with key <= a[0..n), or -1. */
static int rowSeekLE(const Row *aRow, int nRow, const u8 *a, size_t n){
  int i;
  for(i=nRow-1; i>=0; i--){
    if( lsmcUKeyCompare(aRow[i].pOp->aKey, aRow[i].pOp->nKey, a, n)<=0 ){
      return i;
    }
  }
  return -1;
}

/* A random optional bound. */
static void randBound(Rng *pRng, Bound *p){
  p->bSet = rngInt(pRng, 3)!=0;
  p->n = randUKey(pRng, p->a, 3);
}

/*
** Insert an invisible entry (sequence *piNext, above every snapshot used)
** into a random source, keyed by the current key half of the time, the
** way a writer adds to a live memtable.
*/
static void insertInvisible(Fix *pF, Rng *pRng, u64 *piNext){
  u8 aU[T_MAXUKEY];
  u8 aK[T_MAXUKEY + LSMC_TRAILER_SIZE];
  size_t nU, nK;
  if( lsmc_iter_valid(pF->pIter) && rngInt(pRng, 2) ){
    const u8 *p = lsmc_iter_key(pF->pIter, &nU);
    memcpy(aU, p, nU);
  }else{
    nU = randUKey(pRng, aU, 3);
  }
  nK = vecIKey(aK, aU, nU, (*piNext)++, rngInt(pRng, 2));
  CHECK_OK(vecIterInsert(pF->apSrc[rngInt(pRng, pF->nSrc)], aK, nK,
                         (const u8*)"new", 3));
}

/*
** A random walk of nStep movements compared with the model rows.  With
** bInsert, invisible entries are inserted into the sources as it goes.
** iPos is the row the iterator is on at the start (-1: invalid).
*/
static void walk(Fix *pF, Rng *pRng, const Row *aRow, int nRow, int iPos,
                 int nStep, int bInsert, u64 iInsertSeq){
  lsmc_iter *p = pF->pIter;
  int nInsert = 0;               /* Invisible entries inserted so far */
  int i;
  for(i=0; i<nStep; i++){
    int eOp = rngInt(pRng, 24);
    int bValid = lsmc_iter_valid(p);
    if( bInsert && nInsert<300 && rngInt(pRng, 8)==0 ){
      insertInvisible(pF, pRng, &iInsertSeq);
      nInsert++;
    }
    if( !bValid && eOp>=5 ) eOp = rngInt(pRng, 5);
    if( eOp==0 ){
      CHECK_OK(lsmc_iter_first(p));
      iPos = nRow>0 ? 0 : -1;
    }else if( eOp==1 ){
      CHECK_OK(lsmc_iter_last(p));
      iPos = nRow-1;
    }else if( eOp<=4 ){
      u8 aT[T_MAXUKEY];
      const u8 *pT = aT;
      size_t nT;
      int eSeek = (eOp==2) ? LSMC_SEEK_GE : LSMC_SEEK_LE;
      if( eOp==4 ) eSeek = rngInt(pRng, 2) ? LSMC_SEEK_GE : LSMC_SEEK_LE;
      if( bValid && rngInt(pRng, 4)==0 ){
        pT = lsmc_iter_key(p, &nT);         /* the iterator's own key */
        iPos = eSeek==LSMC_SEEK_GE ? rowSeekGE(aRow, nRow, pT, nT)
                                   : rowSeekLE(aRow, nRow, pT, nT);
      }else{
        nT = randUKey(pRng, aT, T_MAXUKEY);
        iPos = eSeek==LSMC_SEEK_GE ? rowSeekGE(aRow, nRow, aT, nT)
                                   : rowSeekLE(aRow, nRow, aT, nT);
      }
      CHECK_OK(lsmc_iter_seek(p, pT, nT, eSeek));
    }else if( eOp<15 ){
      CHECK_OK(lsmc_iter_next(p));
      iPos = iPos+1<nRow ? iPos+1 : -1;
    }else{
      CHECK_OK(lsmc_iter_prev(p));
      iPos--;
    }
    checkRow(p, aRow, iPos, i);
  }
}

/*
** The main model test: 200 seeds (env LSMC_DBITER_SEEDS: fewer for the
** quick profile under valgrind); each builds a history and runs two
** (snapshot, bounds) configurations with a 10^4-step walk.
*/
START_TEST(test_model){
  const char *zSeeds = getenv("LSMC_DBITER_SEEDS");
  int nSeed = (zSeeds && atoi(zSeeds)>0) ? atoi(zSeeds) : 200;
  int seed;
  for(seed=0; seed<nSeed; seed++){
    Rng rng;
    u64 iMaxSeq;
    int nOp, nSrc, iCfg;
    HOp *a;
    Row *aRow;
    rngSeed(&rng, (u64)seed);
    nOp = 1 + rngInt(&rng, seed%4==0 ? 40 : 600);
    nSrc = 1 + rngInt(&rng, 5);
    a = histBuild(&rng, nOp, 3, 10 + rngInt(&rng, 50), nSrc, &iMaxSeq);
    aRow = calloc((size_t)nOp, sizeof(Row));
    ck_assert_ptr_nonnull(aRow);
    for(iCfg=0; iCfg<2; iCfg++){
      Fix f;
      Bound lo, hi;
      u64 iSeq;
      int nRow;
      int flags = (seed+iCfg)%2 ? VEC_ITER_VOLATILE : 0;
      switch( rngInt(&rng, 4) ){
        case 0:  iSeq = iMaxSeq; break;
        case 1:  iSeq = (u64)rngInt(&rng, 3); break;
        default: iSeq = (u64)rngInt(&rng, (int)iMaxSeq + 2); break;
      }
      randBound(&rng, &lo);
      randBound(&rng, &hi);
      if( rngInt(&rng, 10)==0 ) hi = lo;               /* equal bounds */
      nRow = modelRows(a, nOp, iSeq, &lo, &hi, aRow);
      fixOpen(&f, a, nOp, nSrc, flags, iSeq, &lo, &hi);
      walk(&f, &rng, aRow, nRow, -1, 10000, iCfg==1, iMaxSeq + 10);
      fixClose(&f);
    }
    free(aRow);
    free(a);
  }
}
END_TEST

/*
** Full scans both ways and seeks to every key of the alphabet, on a
** store of prefix-related keys including the empty key.
*/
static void scanAndSeekAll(const HOp *a, int nOp, u64 iSeq, const Bound *pLo,
                           const Bound *pHi, int nExpect){
  Row aRow[128];
  Fix f;
  int nRow = modelRows(a, nOp, iSeq, pLo, pHi, aRow);
  int i, k;
  ck_assert_int_eq(nRow, nExpect);
  fixOpen(&f, a, nOp, 2, VEC_ITER_VOLATILE, iSeq, pLo, pHi);
  CHECK_OK(lsmc_iter_first(f.pIter));
  for(i=0; i<nRow; i++){
    checkRow(f.pIter, aRow, i, i);
    CHECK_OK(lsmc_iter_next(f.pIter));
  }
  checkRow(f.pIter, aRow, -1, i);
  CHECK_OK(lsmc_iter_last(f.pIter));
  for(i=nRow-1; i>=0; i--){
    checkRow(f.pIter, aRow, i, i);
    CHECK_OK(lsmc_iter_prev(f.pIter));
  }
  checkRow(f.pIter, aRow, -1, i);
  for(k=0; k<341; k++){              /* every key of length 0..4 */
    static const u8 aAlpha[4] = { 0x00, 'a', 'b', 0xff };
    u8 aT[4];
    size_t nT = 0;
    int x = k, nLen = 0, nBase = 1;
    while( x>=nBase ){ x -= nBase; nBase *= 4; nLen++; }
    for(nT=0; nT<(size_t)nLen; nT++){ aT[nT] = aAlpha[x%4]; x /= 4; }
    CHECK_OK(lsmc_iter_seek(f.pIter, aT, nT, LSMC_SEEK_GE));
    checkRow(f.pIter, aRow, rowSeekGE(aRow, nRow, aT, nT), k);
    CHECK_OK(lsmc_iter_seek(f.pIter, aT, nT, LSMC_SEEK_LE));
    checkRow(f.pIter, aRow, rowSeekLE(aRow, nRow, aT, nT), k);
  }
  fixClose(&f);
}

/* Append one write to a fixed history. */
static void hopAdd(HOp *a, int *pn, const char *zKey, size_t nKey, u64 iSeq,
                   int eKind, int iSrc){
  HOp *p = &a[(*pn)++];
  memset(p, 0, sizeof(*p));
  memcpy(p->aKey, zKey, nKey);
  p->nKey = nKey;
  p->iSeq = iSeq;
  p->eKind = eKind;
  p->iSrc = iSrc;
  if( eKind==LSMC_KIND_PUT ){
    p->nVal = (size_t)snprintf(p->zVal, sizeof(p->zVal), "v%d", (int)iSeq);
  }
}

START_TEST(test_prefix_keys){
  HOp a[32];
  int n = 0;
  Bound none = {0, {0}, 0};
  Bound lo = {1, {'a'}, 1}, hi = {1, {'a', 'b'}, 2};
  Bound emptyLo = {1, {0}, 0};
  hopAdd(a, &n, "", 0, 1, LSMC_KIND_PUT, 0);
  hopAdd(a, &n, "\0", 1, 2, LSMC_KIND_PUT, 1);
  hopAdd(a, &n, "a", 1, 3, LSMC_KIND_PUT, 0);
  hopAdd(a, &n, "a\0", 2, 4, LSMC_KIND_PUT, 1);
  hopAdd(a, &n, "aa", 2, 5, LSMC_KIND_PUT, 0);
  hopAdd(a, &n, "ab", 2, 6, LSMC_KIND_PUT, 1);
  hopAdd(a, &n, "abb", 3, 7, LSMC_KIND_PUT, 0);
  hopAdd(a, &n, "b", 1, 8, LSMC_KIND_PUT, 1);
  hopAdd(a, &n, "a", 1, 9, LSMC_KIND_DELETE, 1);      /* hides "a" */
  hopAdd(a, &n, "", 0, 10, LSMC_KIND_PUT, 1);         /* new "" */
  qsort(a, (size_t)n, sizeof(HOp), hopCmp);
  scanAndSeekAll(a, n, 10, &none, &none, 7);
  scanAndSeekAll(a, n, 8, &none, &none, 8);
  scanAndSeekAll(a, n, 10, &lo, &hi, 2);              /* "a\0", "aa" */
  scanAndSeekAll(a, n, 8, &lo, &hi, 3);               /* "a", "a\0", "aa" */
  scanAndSeekAll(a, n, 10, &emptyLo, &none, 7);       /* lower "" */
  scanAndSeekAll(a, n, 10, &none, &emptyLo, 0);       /* upper "" */
}
END_TEST

START_TEST(test_all_deleted){
  HOp a[40];
  int n = 0, i;
  Bound none = {0, {0}, 0};
  const char *azKey[] = { "", "a", "ab", "b", "\xff" };
  for(i=0; i<5; i++){
    hopAdd(a, &n, azKey[i], strlen(azKey[i]), (u64)(1+i), LSMC_KIND_PUT, i%2);
  }
  for(i=0; i<5; i++){
    hopAdd(a, &n, azKey[i], strlen(azKey[i]), (u64)(10+i), LSMC_KIND_DELETE,
           (i+1)%2);
  }
  qsort(a, (size_t)n, sizeof(HOp), hopCmp);
  scanAndSeekAll(a, n, 100, &none, &none, 0);
  scanAndSeekAll(a, n, 12, &none, &none, 2);          /* "ab", "b" remain */
  scanAndSeekAll(a, n, 5, &none, &none, 5);
  scanAndSeekAll(a, n, 0, &none, &none, 0);           /* before any write */
}
END_TEST

START_TEST(test_bounds_exclude_all){
  HOp a[8];
  int n = 0;
  Bound none = {0, {0}, 0};
  Bound above = {1, {'c'}, 1};
  Bound below = {1, {'a'}, 1};
  Bound eq = {1, {'a', 'b'}, 2};
  Bound b = {1, {'b'}, 1};
  hopAdd(a, &n, "ab", 2, 1, LSMC_KIND_PUT, 0);
  hopAdd(a, &n, "b", 1, 2, LSMC_KIND_PUT, 1);
  hopAdd(a, &n, "bb", 2, 3, LSMC_KIND_PUT, 0);
  qsort(a, (size_t)n, sizeof(HOp), hopCmp);
  scanAndSeekAll(a, n, 9, &above, &none, 0);          /* lower past all */
  scanAndSeekAll(a, n, 9, &none, &below, 0);          /* upper before all */
  scanAndSeekAll(a, n, 9, &eq, &eq, 0);               /* equal bounds */
  scanAndSeekAll(a, n, 9, &b, &b, 0);
  scanAndSeekAll(a, n, 9, &above, &below, 0);         /* lower > upper */
  scanAndSeekAll(a, n, 9, &eq, &b, 1);                /* just "ab" */
  scanAndSeekAll(a, n, 9, &b, &above, 2);
}
END_TEST

/*
** Error injection: source iSrc fails at its iNth movement.  The lsmc_iter
** movement returns the code, the iterator is invalid with NULL key and
** value, next/prev return the same code, and first recovers.
*/
START_TEST(test_errors){
  int iCase;
  int nHit = 0;
  for(iCase=0; iCase<300; iCase++){
    Rng rng;
    u64 iMaxSeq;
    int nOp = 200, nSrc = 1 + iCase%4, nRow, i, bHit = 0;
    int rcFail = (iCase&1) ? LSMC_IOERR : LSMC_CORRUPT;
    HOp *a;
    Row *aRow;
    Fix f;
    Bound none = {0, {0}, 0};
    rngSeed(&rng, (u64)(iCase + 999));
    a = histBuild(&rng, nOp, 3, 30, nSrc, &iMaxSeq);
    aRow = calloc((size_t)nOp, sizeof(Row));
    ck_assert_ptr_nonnull(aRow);
    nRow = modelRows(a, nOp, iMaxSeq, &none, &none, aRow);
    fixOpen(&f, a, nOp, nSrc, 0, iMaxSeq, &none, &none);
    vecIterFailAt(f.apSrc[iCase%nSrc], 1 + (iCase*13)%60, rcFail);
    for(i=0; i<200 && !bHit; i++){
      int rc, eOp = rngInt(&rng, 8);
      if( !lsmc_iter_valid(f.pIter) && eOp>=4 ) eOp = rngInt(&rng, 4);
      switch( eOp ){
        case 0:  rc = lsmc_iter_first(f.pIter); break;
        case 1:  rc = lsmc_iter_last(f.pIter); break;
        case 2:  rc = lsmc_iter_seek(f.pIter, "a", 1, LSMC_SEEK_GE); break;
        case 3:  rc = lsmc_iter_seek(f.pIter, "b", 1, LSMC_SEEK_LE); break;
        case 4: case 5: rc = lsmc_iter_prev(f.pIter); break;
        default: rc = lsmc_iter_next(f.pIter); break;
      }
      if( rc!=LSMC_OK ){
        size_t nKey = 99, nVal = 99;
        ck_assert_int_eq(rc, rcFail);
        ck_assert_int_eq(lsmc_iter_valid(f.pIter), 0);
        ck_assert_ptr_null(lsmc_iter_key(f.pIter, &nKey));
        ck_assert_ptr_null(lsmc_iter_value(f.pIter, &nVal));
        ck_assert_uint_eq(nKey, 0);
        ck_assert_uint_eq(nVal, 0);
        ck_assert_int_eq(lsmc_iter_next(f.pIter), rcFail);
        ck_assert_int_eq(lsmc_iter_prev(f.pIter), rcFail);
        bHit = 1;
      }
    }
    if( bHit ){
      nHit++;
      ck_assert_int_eq(lsmc_iter_first(f.pIter), LSMC_OK);   /* recovers */
      checkRow(f.pIter, aRow, nRow>0 ? 0 : -1, -1);
      walk(&f, &rng, aRow, nRow, nRow>0 ? 0 : -1, 500, 0, 0);
    }
    fixClose(&f);
    free(aRow);
    free(a);
  }
  ck_assert_int_ge(nHit, 250);
}
END_TEST

/*
** An entry with an unknown kind is reported as corruption.
*/
START_TEST(test_corrupt_kind){
  VecTestEnv env;
  VecEntry aE[2];
  u8 aK1[16], aK2[16];
  LsmIter *pSrc;
  lsmc_iter *pIter;
  vecTestEnvInit(&env);
  aE[0].pKey = aK1;
  aE[0].nKey = vecIKey(aK1, "a", 1, 1, LSMC_KIND_PUT);
  aE[0].pVal = (const u8*)"x";
  aE[0].nVal = 1;
  aE[1].pKey = aK2;
  aE[1].nKey = vecIKey(aK2, "b", 1, 2, 7);            /* bad kind */
  aE[1].pVal = 0;
  aE[1].nVal = 0;
  ck_assert_int_eq(vecIterNew(&env.base, aE, 2, 0, &pSrc), LSMC_OK);
  ck_assert_int_eq(lsmcDbIterNew(&env.base, pSrc, 100, 0, 0, 0, 0, 0, 0,
                                 &pIter), LSMC_OK);
  ck_assert_int_eq(lsmc_iter_first(pIter), LSMC_OK);     /* "a" */
  ck_assert_int_eq(lsmc_iter_valid(pIter), 1);
  ck_assert_int_eq(lsmc_iter_next(pIter), LSMC_CORRUPT);
  ck_assert_int_eq(lsmc_iter_valid(pIter), 0);
  ck_assert_int_eq(lsmc_iter_last(pIter), LSMC_CORRUPT);
  ck_assert_int_eq(lsmc_iter_seek(pIter, "a", 1, LSMC_SEEK_LE), LSMC_OK);
  ck_assert_int_eq(lsmc_iter_valid(pIter), 1);
  lsmc_iter_close(pIter);
  ck_assert_int_eq(env.nLive, 0);
}
END_TEST

/*
** NULL handles and misuse do not crash and return LSMC_MISUSE.
*/
START_TEST(test_null_and_misuse){
  VecTestEnv env;
  LsmIter *pSrc;
  lsmc_iter *pIter;
  size_t n = 5;
  vecTestEnvInit(&env);
  ck_assert_int_eq(lsmc_iter_first(0), LSMC_MISUSE);
  ck_assert_int_eq(lsmc_iter_last(0), LSMC_MISUSE);
  ck_assert_int_eq(lsmc_iter_seek(0, "a", 1, LSMC_SEEK_GE), LSMC_MISUSE);
  ck_assert_int_eq(lsmc_iter_next(0), LSMC_MISUSE);
  ck_assert_int_eq(lsmc_iter_prev(0), LSMC_MISUSE);
  ck_assert_int_eq(lsmc_iter_valid(0), 0);
  ck_assert_ptr_null(lsmc_iter_key(0, &n));
  ck_assert_uint_eq(n, 0);
  ck_assert_ptr_null(lsmc_iter_value(0, 0));
  lsmc_iter_close(0);
  ck_assert_int_eq(vecIterNew(&env.base, 0, 0, 0, &pSrc), LSMC_OK);
  ck_assert_int_eq(lsmcDbIterNew(&env.base, pSrc, 1, 0, 0, 0, 0, 0, 0,
                                 &pIter), LSMC_OK);
  ck_assert_int_eq(lsmc_iter_next(pIter), LSMC_MISUSE);  /* not positioned */
  ck_assert_int_eq(lsmc_iter_prev(pIter), LSMC_MISUSE);
  ck_assert_int_eq(lsmc_iter_seek(pIter, "a", 1, 7), LSMC_MISUSE);
  ck_assert_int_eq(lsmc_iter_seek(pIter, 0, 1, LSMC_SEEK_GE), LSMC_MISUSE);
  ck_assert_int_eq(lsmc_iter_seek(pIter, 0, 0, LSMC_SEEK_GE), LSMC_OK);
  ck_assert_int_eq(lsmc_iter_valid(pIter), 0);
  lsmc_iter_close(pIter);
  ck_assert_int_eq(env.nLive, 0);
}
END_TEST

/*
** Once the buffers have grown, forward and backward scans (including
** direction switches) allocate nothing.
*/
START_TEST(test_no_alloc){
  Rng rng;
  u64 iMaxSeq, nBefore;
  int nOp = 3000, nRow, i;
  HOp *a;
  Row *aRow;
  Fix f;
  Bound none = {0, {0}, 0};
  rngSeed(&rng, 31337);
  a = histBuild(&rng, nOp, 3, 30, 4, &iMaxSeq);
  aRow = calloc((size_t)nOp, sizeof(Row));
  ck_assert_ptr_nonnull(aRow);
  nRow = modelRows(a, nOp, iMaxSeq - 100, &none, &none, aRow);
  fixOpen(&f, a, nOp, 4, 0, iMaxSeq - 100, &none, &none);
  walk(&f, &rng, aRow, nRow, -1, 2000, 0, 0);                /* warm up */
  ck_assert_int_eq(lsmc_iter_first(f.pIter), LSMC_OK);
  while( lsmc_iter_valid(f.pIter) ) lsmc_iter_next(f.pIter);
  ck_assert_int_eq(lsmc_iter_last(f.pIter), LSMC_OK);
  while( lsmc_iter_valid(f.pIter) ) lsmc_iter_prev(f.pIter);
  nBefore = f.env.nMalloc;
  for(i=0; i<3; i++){
    ck_assert_int_eq(lsmc_iter_first(f.pIter), LSMC_OK);
    while( lsmc_iter_valid(f.pIter) ) lsmc_iter_next(f.pIter);
    ck_assert_int_eq(lsmc_iter_last(f.pIter), LSMC_OK);
    while( lsmc_iter_valid(f.pIter) ) lsmc_iter_prev(f.pIter);
  }
  walk(&f, &rng, aRow, nRow, -1, 5000, 0, 0);
  ck_assert_uint_eq(f.env.nMalloc, nBefore);
  fixClose(&f);
  free(aRow);
  free(a);
}
END_TEST

static Suite *dbIterSuite(void){
  Suite *s = suite_create("db_iter");
  TCase *tc = tcase_create("core");
  tcase_set_timeout(tc, 900);
  tcase_add_test(tc, test_model);
  tcase_add_test(tc, test_prefix_keys);
  tcase_add_test(tc, test_all_deleted);
  tcase_add_test(tc, test_bounds_exclude_all);
  tcase_add_test(tc, test_errors);
  tcase_add_test(tc, test_corrupt_kind);
  tcase_add_test(tc, test_null_and_misuse);
  tcase_add_test(tc, test_no_alloc);
  suite_add_tcase(s, tc);
  return s;
}

int main(void){
  SRunner *sr = srunner_create(dbIterSuite());
  int nFail;
  srunner_run_all(sr, CK_NORMAL);
  nFail = srunner_ntests_failed(sr);
  srunner_free(sr);
  return nFail==0 ? 0 : 1;
}
