/*
** check_merge_iter.c -- tests of the k-way merging iterator (merge_iter.c)
** against a model: the sorted union of its children's entries, ordered by
** (internal key, child index).
**
** Children are vec_iters (vec_iter.h) holding random internal keys over a
** tiny alphabet (so user keys repeat, are empty, or are prefixes of each
** other).  Covered: full forward and backward scans for 1..8 children,
** seeks to every key and between keys, random walks of next/prev/seek/
** first/last with direction switches, empty children, equal internal keys
** in several children (the earlier child first in both directions),
** injected child errors (the movement returns the error, the iterator is
** invalid, a repositioning call recovers), no allocation while stepping,
** and the step cost of an 8-way merge (printed).
*/
#include "merge_iter.h"
#include "vec_iter.h"

#include "testutil.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#define T_MAXUKEY 4                       /* Longest generated user key */
#define T_MAXIKEY (T_MAXUKEY + LSMC_TRAILER_SIZE)

/*
** Checks for hot loops: ck_assert records every call through Check's
** context channel, far too slow for millions of checks, so these call
** Check only on failure.
*/
#define CHECK(X, ...) do{ if( !(X) ) ck_abort_msg(__VA_ARGS__); }while(0)
#define CHECK_OK(X) do{ int rc_ = (X); \
  if( rc_!=LSMC_OK ) ck_abort_msg("%s:%d: rc=%d", __FILE__, __LINE__, rc_); \
}while(0)

typedef struct TEnt TEnt;
typedef struct Model Model;

/* One model entry. */
struct TEnt {
  u8 aKey[T_MAXIKEY];  /* Internal key */
  size_t nKey;         /* Bytes in aKey */
  char zVal[24];       /* Value text: "child:serial" */
  int iChild;          /* Child holding the entry */
};

/* The model and the iterator built from it. */
struct Model {
  VecTestEnv env;      /* Counting allocator */
  TEnt *a;             /* Entries sorted by (internal key, child) */
  int n;               /* Entries in a */
  int nChild;          /* Children of the merge */
  LsmIter *pMerge;     /* The iterator under test */
  LsmIter *apChild[8]; /* The children (owned by pMerge) */
};

/* The suite's random numbers: testutil's generator. */
typedef TestRng Rng;
#define rngNext(p)      testRngNext(p)
#define rngInt(p, n)    ((int)testRngBelow((p), (uint32_t)(n)))
#define rngSeed(p, s)   testRngSeed((p), (s))

/*
** A random internal key over the alphabet {00, 'a', 'b', ff}, length
** 0..T_MAXUKEY, sequence 0..nSeq-1, random kind.
*/
static size_t randIKey(Rng *pRng, u8 *a, int nSeq){
  static const u8 aAlpha[4] = { 0x00, 'a', 'b', 0xff };
  u8 aU[T_MAXUKEY];
  int nU = rngInt(pRng, T_MAXUKEY+1);
  int i;
  for(i=0; i<nU; i++) aU[i] = aAlpha[rngInt(pRng, 4)];
  return vecIKey(a, aU, (size_t)nU, (u64)rngInt(pRng, nSeq), rngInt(pRng, 2));
}

static int tentCmp(const void *a, const void *b){
  const TEnt *pA = (const TEnt*)a;
  const TEnt *pB = (const TEnt*)b;
  int c = lsmcIKeyCompare(pA->aKey, pA->nKey, pB->aKey, pB->nKey);
  return c ? c : pA->iChild - pB->iChild;
}

/*
** Build a model of about nEntry entries spread over nChild children (some
** possibly empty), and the merging iterator over them.  With bDup, about
** a quarter of the keys are also copied into a second child.
*/
static void modelBuild(Model *m, u64 seed, int nChild, int nEntry, int bDup,
                       int nSeq){
  Rng rng;
  int i, j, nOut;
  int nEmpty;
  rngSeed(&rng, seed);
  memset(m, 0, sizeof(*m));
  vecTestEnvInit(&m->env);
  m->nChild = nChild;
  m->a = calloc((size_t)nEntry*2 + 1, sizeof(TEnt));
  ck_assert_ptr_nonnull(m->a);
  nEmpty = nChild>1 ? rngInt(&rng, 2) : 0;     /* children nEmpty.. used */
  for(i=0; i<nEntry; i++){
    TEnt *p = &m->a[m->n++];
    p->nKey = randIKey(&rng, p->aKey, nSeq);
    p->iChild = nEmpty + rngInt(&rng, nChild-nEmpty);
    if( bDup && nChild>1 && rngInt(&rng, 4)==0 ){
      TEnt *p2 = &m->a[m->n++];
      *p2 = *p;
      p2->iChild = rngInt(&rng, nChild);
    }
  }
  qsort(m->a, (size_t)m->n, sizeof(TEnt), tentCmp);
  for(i=0, nOut=0; i<m->n; i++){          /* drop (key, child) repeats */
    if( nOut>0 && tentCmp(&m->a[nOut-1], &m->a[i])==0 ) continue;
    m->a[nOut++] = m->a[i];
  }
  m->n = nOut;
  for(i=0; i<m->n; i++){
    snprintf(m->a[i].zVal, sizeof(m->a[i].zVal), "%d:%d", m->a[i].iChild, i);
  }
  for(j=0; j<nChild; j++){
    VecEntry *aE = calloc((size_t)m->n + 1, sizeof(VecEntry));
    int nE = 0;
    ck_assert_ptr_nonnull(aE);
    for(i=0; i<m->n; i++){
      if( m->a[i].iChild!=j ) continue;
      aE[nE].pKey = m->a[i].aKey;
      aE[nE].nKey = m->a[i].nKey;
      aE[nE].pVal = (const u8*)m->a[i].zVal;
      aE[nE].nVal = strlen(m->a[i].zVal);
      nE++;
    }
    ck_assert_int_eq(vecIterNew(&m->env.base, aE, nE, 0, &m->apChild[j]),
                     LSMC_OK);
    free(aE);
  }
  ck_assert_int_eq(lsmcMergeIterNew(&m->env.base, m->apChild, nChild,
                                    &m->pMerge), LSMC_OK);
}

static void modelFree(Model *m){
  lsmcIterClose(m->pMerge);
  free(m->a);
  ck_assert_int_eq(m->env.nLive, 0);   /* no leak */
}

/*
** Check that the iterator is where the model says (iPos -1: invalid).
*/
static void checkAt(Model *m, int iPos, int iStep){
  LsmIter *p = m->pMerge;
  size_t nKey, nVal;
  const u8 *pKey, *pVal;
  if( iPos<0 ){
    CHECK(!lsmcIterValid(p), "step %d: valid, model at end", iStep);
    return;
  }
  CHECK(lsmcIterValid(p), "step %d: invalid, model at %d", iStep, iPos);
  pKey = lsmcIterKey(p, &nKey);
  pVal = lsmcIterValue(p, &nVal);
  CHECK(nKey==m->a[iPos].nKey && memcmp(pKey, m->a[iPos].aKey, nKey)==0,
                "step %d: key differs at model %d", iStep, iPos);
  CHECK(nVal==strlen(m->a[iPos].zVal)
                && memcmp(pVal, m->a[iPos].zVal, nVal)==0,
                "step %d: value differs at model %d (%s)", iStep, iPos,
                m->a[iPos].zVal);
}

/* First model index with internal key >= a[0..n), or -1. */
static int modelSeek(Model *m, const u8 *a, size_t n){
  int lo = 0, hi = m->n;
  while( lo<hi ){
    int mid = (lo+hi)/2;
    if( lsmcIKeyCompare(m->a[mid].aKey, m->a[mid].nKey, a, n)<0 ) lo = mid+1;
    else hi = mid;
  }
  return lo<m->n ? lo : -1;
}

/*
** Full forward and backward scans.
*/
static void scanBoth(Model *m){
  int i;
  CHECK_OK(lsmcIterFirst(m->pMerge));
  for(i=0; i<m->n; i++){
    checkAt(m, i, i);
    CHECK_OK(lsmcIterNext(m->pMerge));
  }
  checkAt(m, -1, i);
  CHECK_OK(lsmcIterLast(m->pMerge));
  for(i=m->n-1; i>=0; i--){
    checkAt(m, i, i);
    CHECK_OK(lsmcIterPrev(m->pMerge));
  }
  checkAt(m, -1, i);
}

START_TEST(test_scan){
  int nChild, seed;
  for(nChild=1; nChild<=8; nChild++){
    for(seed=0; seed<8; seed++){
      Model m;
      modelBuild(&m, (u64)(seed*100 + nChild), nChild, 50 + seed*60, 0, 1000);
      scanBoth(&m);
      modelFree(&m);
    }
  }
}
END_TEST

/*
** Seek to every model key, to the same user key with neighbouring
** sequences (between keys), and to random keys; from each seek step once
** forward or backward (a direction switch half of the time).
*/
START_TEST(test_seek_every_key){
  int nChild;
  for(nChild=1; nChild<=8; nChild++){
    Model m;
    Rng rng;
    int i, iStep = 0;
    rngSeed(&rng, (u64)nChild);
    modelBuild(&m, (u64)(77 + nChild), nChild, 400, 0, 50);
    for(i=0; i<m.n*3; i++){
      u8 aT[T_MAXIKEY];
      size_t nT;
      int iPos;
      if( i<m.n ){
        memcpy(aT, m.a[i].aKey, m.a[i].nKey);
        nT = m.a[i].nKey;
      }else if( i<2*m.n ){
        const TEnt *pE = &m.a[i - m.n];
        u64 t = lsmcIKeyTrailer(pE->aKey, pE->nKey);
        u64 iSeq = lsmcTrailerSeq(t) + (u64)rngInt(&rng, 3) - 1;
        if( iSeq>LSMC_MAX_SEQ ) iSeq = 0;
        nT = vecIKey(aT, pE->aKey, pE->nKey-LSMC_TRAILER_SIZE, iSeq,
                     rngInt(&rng, 2));
      }else{
        nT = randIKey(&rng, aT, 60);
      }
      iPos = modelSeek(&m, aT, nT);
      CHECK_OK(lsmcIterSeek(m.pMerge, aT, nT));
      checkAt(&m, iPos, iStep++);
      if( iPos>=0 ){
        if( rngInt(&rng, 2) ){
          CHECK_OK(lsmcIterPrev(m.pMerge));
          iPos--;
        }else{
          CHECK_OK(lsmcIterNext(m.pMerge));
          iPos = iPos+1<m.n ? iPos+1 : -1;
        }
        checkAt(&m, iPos, iStep++);
      }
    }
    modelFree(&m);
  }
}
END_TEST

/*
** A random walk of nStep movements compared with the model.  Returns the
** model position at the end.  next/prev dominate so that long runs and
** frequent direction switches both occur.
*/
static int randomWalk(Model *m, Rng *pRng, int nStep){
  int iPos = -1;
  int i;
  for(i=0; i<nStep; i++){
    int eOp = rngInt(pRng, 20);
    if( iPos<0 && eOp>=3 ) eOp = rngInt(pRng, 3);
    if( eOp==0 ){
      CHECK_OK(lsmcIterFirst(m->pMerge));
      iPos = m->n>0 ? 0 : -1;
    }else if( eOp==1 ){
      CHECK_OK(lsmcIterLast(m->pMerge));
      iPos = m->n-1;
    }else if( eOp==2 ){
      u8 aT[T_MAXIKEY];
      size_t nT;
      if( m->n>0 && rngInt(pRng, 2) ){
        const TEnt *pE = &m->a[rngInt(pRng, m->n)];
        memcpy(aT, pE->aKey, pE->nKey);
        nT = pE->nKey;
      }else{
        nT = randIKey(pRng, aT, 1000);
      }
      CHECK_OK(lsmcIterSeek(m->pMerge, aT, nT));
      iPos = modelSeek(m, aT, nT);
    }else if( eOp<12 ){
      CHECK_OK(lsmcIterNext(m->pMerge));
      iPos = iPos+1<m->n ? iPos+1 : -1;
    }else{
      CHECK_OK(lsmcIterPrev(m->pMerge));
      iPos--;
    }
    checkAt(m, iPos, i);
  }
  return iPos;
}

START_TEST(test_random_walk){
  int nChild;
  for(nChild=1; nChild<=8; nChild++){
    Model m;
    Rng rng;
    rngSeed(&rng, (u64)(1000 + nChild));
    modelBuild(&m, (u64)(555 + nChild), nChild, 300*nChild, 0, 1000);
    randomWalk(&m, &rng, 100000);
    modelFree(&m);
  }
}
END_TEST

/*
** Equal internal keys in two children: the earlier child comes first
** going forward and last going backward, across direction switches.
*/
START_TEST(test_ties){
  int nChild, seed;
  for(nChild=2; nChild<=8; nChild++){
    for(seed=0; seed<4; seed++){
      Model m;
      Rng rng;
      rngSeed(&rng, (u64)(seed*31 + nChild));
      modelBuild(&m, (u64)(900 + seed*8 + nChild), nChild, 200, 1, 30);
      scanBoth(&m);
      randomWalk(&m, &rng, 20000);
      modelFree(&m);
    }
  }
}
END_TEST

START_TEST(test_empty){
  VecTestEnv env;
  LsmIter *apChild[3];
  LsmIter *pMerge;
  u8 aT[T_MAXIKEY];
  size_t nT = vecIKey(aT, "a", 1, 5, LSMC_KIND_PUT);
  int nChild;
  vecTestEnvInit(&env);
  for(nChild=0; nChild<=3; nChild++){
    int i;
    for(i=0; i<nChild; i++){
      ck_assert_int_eq(vecIterNew(&env.base, 0, 0, 0, &apChild[i]), LSMC_OK);
    }
    ck_assert_int_eq(lsmcMergeIterNew(&env.base, apChild, nChild, &pMerge),
                     LSMC_OK);
    ck_assert_int_eq(lsmcIterFirst(pMerge), LSMC_OK);
    ck_assert_int_eq(lsmcIterValid(pMerge), 0);
    ck_assert_int_eq(lsmcIterLast(pMerge), LSMC_OK);
    ck_assert_int_eq(lsmcIterValid(pMerge), 0);
    ck_assert_int_eq(lsmcIterSeek(pMerge, aT, nT), LSMC_OK);
    ck_assert_int_eq(lsmcIterValid(pMerge), 0);
    lsmcIterClose(pMerge);
  }
  ck_assert_int_eq(lsmcMergeIterNew(&env.base, 0, -1, &pMerge), LSMC_MISUSE);
  ck_assert_ptr_null(pMerge);
  ck_assert_int_eq(env.nLive, 0);
}
END_TEST

/*
** Some children empty, others not: scans and walks still match.
*/
START_TEST(test_some_empty){
  int seed;
  for(seed=0; seed<20; seed++){
    Model m;
    Rng rng;
    rngSeed(&rng, (u64)seed);
    modelBuild(&m, (u64)(3000 + seed), 8, 1 + seed, 0, 1000);
    scanBoth(&m);
    randomWalk(&m, &rng, 2000);
    modelFree(&m);
  }
}
END_TEST

/*
** Arm a failure on child iFail at its iNth movement, then walk.  The
** movement that hits it must return the code and leave the iterator
** invalid; next/prev keep returning nothing new (not called: REQUIRES
** valid); xFirst then recovers and the walk matches the model again.
*/
START_TEST(test_error_injection){
  int iCase;
  int nHit = 0;
  for(iCase=0; iCase<200; iCase++){
    Model m;
    Rng rng;
    int nChild = 1 + iCase%8;
    int iFail = iCase%nChild;
    int iNth = 1 + (iCase*7)%40;
    int rcFail = (iCase&1) ? LSMC_IOERR : LSMC_CORRUPT;
    int iPos = -1;
    int i, bHit = 0;
    rngSeed(&rng, (u64)(iCase + 17));
    modelBuild(&m, (u64)(7000 + iCase), nChild, 60*nChild, 0, 1000);
    vecIterFailAt(m.apChild[iFail], iNth, rcFail);
    for(i=0; i<400 && !bHit; i++){
      int eOp = rngInt(&rng, 10);
      int rc;
      if( iPos<0 && eOp>=3 ) eOp = rngInt(&rng, 3);
      switch( eOp ){
        case 0:  rc = lsmcIterFirst(m.pMerge); iPos = m.n>0 ? 0 : -1; break;
        case 1:  rc = lsmcIterLast(m.pMerge); iPos = m.n-1; break;
        case 2: {
          const TEnt *pE = &m.a[rngInt(&rng, m.n)];
          rc = lsmcIterSeek(m.pMerge, pE->aKey, pE->nKey);
          iPos = modelSeek(&m, pE->aKey, pE->nKey);
          break;
        }
        case 3: case 4: case 5:
          rc = lsmcIterPrev(m.pMerge); iPos--; break;
        default:
          rc = lsmcIterNext(m.pMerge); iPos = iPos+1<m.n ? iPos+1 : -1; break;
      }
      if( rc==LSMC_OK ){
        checkAt(&m, iPos, i);
      }else{
        ck_assert_int_eq(rc, rcFail);
        ck_assert_int_eq(lsmcIterValid(m.pMerge), 0);
        bHit = 1;
      }
    }
    if( bHit ){
      nHit++;
      ck_assert_int_eq(vecIterMoves(m.apChild[iFail])>=(u64)iNth, 1);
      randomWalk(&m, &rng, 300);     /* starts with a repositioning call */
    }
    modelFree(&m);
  }
  ck_assert_int_ge(nHit, 150);       /* the injection really fired */
}
END_TEST

/*
** Once positioned, stepping (with direction switches and seeks) makes no
** allocation at all.
*/
START_TEST(test_no_alloc){
  Model m;
  Rng rng;
  u64 nBefore;
  rngSeed(&rng, 4242);
  modelBuild(&m, 4242, 8, 4000, 0, 1000);
  ck_assert_int_eq(lsmcIterFirst(m.pMerge), LSMC_OK);
  nBefore = m.env.nMalloc;
  randomWalk(&m, &rng, 20000);
  ck_assert_uint_eq(m.env.nMalloc, nBefore);
  modelFree(&m);
}
END_TEST

/*
** Step cost of an 8-way merge of 10^5 entries each (printed; the test
** itself checks only that every entry was visited in order).
*/
START_TEST(test_bench){
  enum { N_CHILD = 8, N_PER = 100000 };
  VecTestEnv env;
  LsmIter *apChild[N_CHILD];
  LsmIter *pMerge;
  VecEntry *aE = calloc(N_PER, sizeof(VecEntry));
  u8 *aKey = calloc(N_PER, 16);
  struct timespec t0, t1;
  int i, j, nSeen = 0, nRound;
  double ns = 0;
  ck_assert_ptr_nonnull(aE);
  ck_assert_ptr_nonnull(aKey);
  vecTestEnvInit(&env);
  for(j=0; j<N_CHILD; j++){
    for(i=0; i<N_PER; i++){
      u8 aU[8];
      u32 k = (u32)(i*N_CHILD + j);          /* interleaved user keys */
      aU[0] = 'k'; aU[1] = (u8)(k>>24); aU[2] = (u8)(k>>16);
      aU[3] = (u8)(k>>8); aU[4] = (u8)k;
      aE[i].pKey = &aKey[i*16];
      aE[i].nKey = vecIKey(&aKey[i*16], aU, 5, (u64)k+1, LSMC_KIND_PUT);
      aE[i].pVal = 0;
      aE[i].nVal = 0;
    }
    ck_assert_int_eq(vecIterNew(&env.base, aE, N_PER, 0, &apChild[j]), LSMC_OK);
  }
  ck_assert_int_eq(lsmcMergeIterNew(&env.base, apChild, N_CHILD, &pMerge),
                   LSMC_OK);
  for(nRound=0; nRound<3; nRound++){
    const u8 *pPrev = 0;
    size_t nPrev = 0;
    nSeen = 0;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    lsmcIterFirst(pMerge);
    while( lsmcIterValid(pMerge) ){
      size_t n;
      const u8 *p = lsmcIterKey(pMerge, &n);
      if( nRound==0 && pPrev ){
        ck_assert_int_lt(lsmcIKeyCompare(pPrev, nPrev, p, n), 0);
      }
      pPrev = p;
      nPrev = n;
      nSeen++;
      lsmcIterNext(pMerge);
    }
    clock_gettime(CLOCK_MONOTONIC, &t1);
    if( nRound>0 ){
      double x = ((double)(t1.tv_sec - t0.tv_sec)*1e9
                  + (double)(t1.tv_nsec - t0.tv_nsec)) / nSeen;
      if( ns==0 || x<ns ) ns = x;
    }
    ck_assert_int_eq(nSeen, N_CHILD*N_PER);
  }
  printf("merge_iter: %d sources x %d entries: %.1f ns per next\n",
         N_CHILD, N_PER, ns);
  lsmcIterClose(pMerge);
  free(aE);
  free(aKey);
  ck_assert_int_eq(env.nLive, 0);
}
END_TEST

static Suite *mergeSuite(void){
  Suite *s = suite_create("merge_iter");
  TCase *tc = tcase_create("core");
  tcase_set_timeout(tc, 600);
  tcase_add_test(tc, test_scan);
  tcase_add_test(tc, test_seek_every_key);
  tcase_add_test(tc, test_random_walk);
  tcase_add_test(tc, test_ties);
  tcase_add_test(tc, test_empty);
  tcase_add_test(tc, test_some_empty);
  tcase_add_test(tc, test_error_injection);
  tcase_add_test(tc, test_no_alloc);
  tcase_add_test(tc, test_bench);
  suite_add_tcase(s, tc);
  return s;
}

int main(void){
  SRunner *sr = srunner_create(mergeSuite());
  int nFail;
  srunner_run_all(sr, CK_NORMAL);
  nFail = srunner_ntests_failed(sr);
  srunner_free(sr);
  return nFail==0 ? 0 : 1;
}
