/*
** check_model.c -- the model test: random put / delete / get / scan /
** seek / next / prev / snapshot / reopen against an in-memory sorted map,
** with a tiny memtable so that data spreads over many SSTables.  Each seed
** runs LSMC_MODEL_OPS operations (default 5,000) over a domain of keys
** that includes the empty key, keys that are prefixes of each other and
** bytes above 0x7f; LSMC_MODEL_SEEDS seeds run (default 200).  Any
** mismatch fails with the seed and the step.  Seeds rotate through the
** compaction strategies (leveled, tiered, fifo with a cap larger than the
** data) and between background and inline flushing and compaction; a
** manual compaction of a random range is one of the operations, and the
** integrity check (lsmc_check) runs whenever a compaction has happened
** since the last check.
**
** The store lives under $TMPDIR (the CI sets /dev/shm when it exists, so
** that the thousands of fsyncs of tiny flushes are cheap).
*/
#include "lsmcore.h"
#include "testutil.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MODEL_NKEY   300        /* Keys in the domain */
#define MODEL_NSNAP  3          /* Live snapshots at most */
#define MODEL_MAXVAL 300        /* Value bytes at most (mostly) */

/* One key of the domain and its value in the model (or absent). */
typedef struct ModelEntry ModelEntry;
struct ModelEntry {
  int bPresent;           /* Key is present */
  int nVal;               /* Value bytes */
  unsigned char *aVal;    /* Value (malloc) */
};

/* The model: the domain, sorted, and the state of each key. */
typedef struct Model Model;
struct Model {
  int nKey;                               /* Keys in the domain */
  unsigned char aaKey[MODEL_NKEY][24];    /* Key bytes, sorted (memcmp) */
  int anKey[MODEL_NKEY];                  /* Key lengths */
  ModelEntry aCur[MODEL_NKEY];            /* Current state */
  ModelEntry aaSnap[MODEL_NSNAP][MODEL_NKEY];  /* States at snapshots */
  lsmc_snapshot *apSnap[MODEL_NSNAP];     /* Engine snapshots, or NULL */
};

/*
** Build a sorted domain of distinct keys: the empty key, a chain of
** prefixes, and random keys over a small alphabet with high bytes.
*/
static void modelInit(Model *m, TestRng *pRng){
  static const unsigned char aAlpha[] = { 'a', 'b', 'c', 0x00, 0x7f, 0xff };
  int i;
  memset(m, 0, sizeof(*m));
  m->nKey = 0;
  m->anKey[m->nKey++] = 0;                                    /* "" */
  for(i=1; i<=6; i++){                                        /* prefixes */
    memset(m->aaKey[m->nKey], 'p', (size_t)i);
    m->anKey[m->nKey++] = i;
  }
  m->nKey = testKeyDomain(pRng, &m->aaKey[0][0], (int)sizeof(m->aaKey[0]),
                          m->anKey, m->nKey, MODEL_NKEY, 12,
                          aAlpha, (int)sizeof(aAlpha));
}

static void entryFree(ModelEntry *p){
  free(p->aVal);
  memset(p, 0, sizeof(*p));
}

static void entryCopy(ModelEntry *pTo, const ModelEntry *pFrom){
  entryFree(pTo);
  *pTo = *pFrom;
  if( pFrom->bPresent ){
    pTo->aVal = malloc(pFrom->nVal ? (size_t)pFrom->nVal : 1);
    memcpy(pTo->aVal, pFrom->aVal, (size_t)pFrom->nVal);
  }
}

/* The model state a read sees: current or a snapshot's. */
static ModelEntry *modelState(Model *m, int iSnap){
  return iSnap<0 ? m->aCur : m->aaSnap[iSnap];
}

/* First present index in [lo, hi) whose key is >= p[0..n), or -1. */
static int modelSeekGE(Model *m, ModelEntry *aState, const unsigned char *p,
                       int n, int lo, int hi){
  int i;
  for(i=lo; i<hi; i++){
    if( aState[i].bPresent && testKeyCmp(m->aaKey[i], m->anKey[i], p, n)>=0 ) return i;
  }
  return -1;
}

/* Last present index in [lo, hi) whose key is <= p[0..n), or -1. */
static int modelSeekLE(Model *m, ModelEntry *aState, const unsigned char *p,
                       int n, int lo, int hi){
  int i;
  for(i=hi-1; i>=lo; i--){
    if( aState[i].bPresent && testKeyCmp(m->aaKey[i], m->anKey[i], p, n)<=0 ) return i;
  }
  return -1;
}

static lsmc_db *modelOpen(const char *zDir, int bBackground, int eStrategy){
  lsmc_options *pOpts = 0;
  lsmc_db *pDb = 0;
  int rc;
  lsmc_options_new(&pOpts);
  lsmc_options_set(pOpts, LSMC_OPT_MEMTABLE_SIZE, 4096);
  lsmc_options_set(pOpts, LSMC_OPT_BLOCK_SIZE, 256);
  lsmc_options_set(pOpts, LSMC_OPT_SYNC, LSMC_SYNC_OFF);
  lsmc_options_set(pOpts, LSMC_OPT_BACKGROUND, bBackground);
  lsmc_options_set(pOpts, LSMC_OPT_COMPACTION, eStrategy);
  rc = lsmc_open(zDir, pOpts, &pDb);
  lsmc_options_free(pOpts);
  ck_assert_msg(rc==LSMC_OK, "open: %s", lsmc_errmsg(pDb));
  return pDb;
}

/* Check the iterator's position against model entry i (or the end). */
static void checkPos(lsmc_iter *pIter, Model *m, ModelEntry *aState, int i,
                     uint64_t seed, int iStep){
  if( i<0 || i>=m->nKey ){
    ck_assert_msg(!lsmc_iter_valid(pIter), "seed %llu step %d: expected end",
                  (unsigned long long)seed, iStep);
  }else{
    size_t nKey, nVal;
    const void *pKey, *pVal;
    ck_assert_msg(lsmc_iter_valid(pIter), "seed %llu step %d: expected key %d",
                  (unsigned long long)seed, iStep, i);
    pKey = lsmc_iter_key(pIter, &nKey);
    pVal = lsmc_iter_value(pIter, &nVal);
    ck_assert_msg(testKeyCmp(pKey, (int)nKey, m->aaKey[i], m->anKey[i])==0,
                  "seed %llu step %d: wrong key", (unsigned long long)seed, iStep);
    ck_assert_msg((int)nVal==aState[i].nVal
                  && memcmp(pVal, aState[i].aVal, nVal)==0,
                  "seed %llu step %d: wrong value", (unsigned long long)seed, iStep);
  }
}

/* Next present index after i in direction d (+1/-1), within [lo, hi). */
static int modelStep(ModelEntry *aState, int i, int d, int lo, int hi){
  for(i+=d; i>=lo && i<hi && !aState[i].bPresent; i+=d);
  return (i<lo || i>=hi) ? -1 : i;
}

/*
** A random walk of an iterator with random bounds, comparing every
** position with the model.
*/
static void modelWalk(lsmc_db *pDb, Model *m, int iSnap, TestRng *pRng,
                      uint64_t seed, int iStep){
  ModelEntry *aState = modelState(m, iSnap);
  lsmc_iter *pIter = 0;
  int lo = 0, hi = m->nKey;             /* domain indexes inside bounds */
  int iLo = -1, iHi = -1;               /* bound keys, -1 for none */
  int i = -1, k, rc;
  if( testRngBelow(pRng, 2) ){ iLo = (int)testRngBelow(pRng, (uint32_t)m->nKey); lo = iLo; }
  if( testRngBelow(pRng, 2) ){ iHi = (int)testRngBelow(pRng, (uint32_t)m->nKey); hi = iHi; }
  rc = lsmc_iter_open(pDb, iSnap<0 ? 0 : m->apSnap[iSnap],
                      iLo<0 ? 0 : m->aaKey[iLo], iLo<0 ? 0 : (size_t)m->anKey[iLo],
                      iHi<0 ? 0 : m->aaKey[iHi], iHi<0 ? 0 : (size_t)m->anKey[iHi],
                      &pIter);
  ck_assert_int_eq(rc, LSMC_OK);
  for(k=0; k<30; k++){
    int eOp = (int)testRngBelow(pRng, 8);
    if( k==0 || eOp<2 ){
      int t = (int)testRngBelow(pRng, 4);
      if( t==0 ){
        rc = lsmc_iter_first(pIter);
        i = modelStep(aState, lo-1, +1, lo, hi);
      }else if( t==1 ){
        rc = lsmc_iter_last(pIter);
        i = modelStep(aState, hi, -1, lo, hi);
      }else{
        int iKey = (int)testRngBelow(pRng, (uint32_t)m->nKey);
        unsigned char aKey[32];
        int nKey = m->anKey[iKey];
        int bLe = (t==3);
        memcpy(aKey, m->aaKey[iKey], (size_t)nKey);
        if( testRngBelow(pRng, 2) ) aKey[nKey++] = 0x01;  /* between keys */
        rc = lsmc_iter_seek(pIter, aKey, (size_t)nKey,
                            bLe ? LSMC_SEEK_LE : LSMC_SEEK_GE);
        i = bLe ? modelSeekLE(m, aState, aKey, nKey, lo, hi)
                : modelSeekGE(m, aState, aKey, nKey, lo, hi);
      }
    }else if( i<0 ){
      break;
    }else if( eOp<5 ){
      rc = lsmc_iter_next(pIter);
      i = modelStep(aState, i, +1, lo, hi);
    }else{
      rc = lsmc_iter_prev(pIter);
      i = modelStep(aState, i, -1, lo, hi);
    }
    ck_assert_msg(rc==LSMC_OK, "seed %llu step %d: iter rc=%d %s",
                  (unsigned long long)seed, iStep, rc, lsmc_errmsg(pDb));
    checkPos(pIter, m, aState, i, seed, iStep);
  }
  lsmc_iter_close(pIter);
}

/*
** If a compaction ran since the last call, run the integrity check: it
** must find nothing wrong.
*/
static int nModelCheck = 0;           /* lsmc_check calls, for the summary */
static uint64_t nModelCompaction = 0; /* compactions seen, for the summary */

static void modelCheckAfterCompaction(lsmc_db *pDb, uint64_t *pnSeen,
                                      uint64_t seed, int iStep){
  lsmc_stats st;
  ck_assert_int_eq(lsmc_stats_get(pDb, &st), LSMC_OK);
  if( st.nCompaction!=*pnSeen ){
    char *zReport = 0;
    int rc = lsmc_check(pDb, &zReport);
    ck_assert_msg(rc==LSMC_OK && strncmp(zReport, "ok", 2)==0,
                  "seed %llu step %d: lsmc_check: %s",
                  (unsigned long long)seed, iStep, zReport ? zReport : "?");
    lsmc_free(pDb, zReport);
    nModelCheck++;
    nModelCompaction += st.nCompaction - (*pnSeen < st.nCompaction ? *pnSeen : 0);
    *pnSeen = st.nCompaction;
  }
}

static void modelRunSeed(uint64_t seed, int nOp){
  TestDir dir;
  TestRng rng;
  Model *m = calloc(1, sizeof(Model));
  int bBg = (int)(seed & 1);
  int eStrategy = (int)((seed/2) % 3);
  uint64_t nCompactionSeen = 0;
  lsmc_db *pDb;
  int iStep, i, s;

  testRngSeed(&rng, seed);
  testDirNew(&dir, "model");
  modelInit(m, &rng);
  pDb = modelOpen(dir.zPath, bBg, eStrategy);
  for(iStep=0; iStep<nOp; iStep++){
    int r = (int)testRngBelow(&rng, 1000);
    int iKey = (int)testRngBelow(&rng, (uint32_t)m->nKey);
    int rc;
    if( r<400 ){                                       /* put */
      ModelEntry *p = &m->aCur[iKey];
      int nVal = (int)testRngBelow(&rng, MODEL_MAXVAL);
      if( testRngBelow(&rng, 100)==0 ) nVal = 5000 + (int)testRngBelow(&rng, 5000);
      entryFree(p);
      p->bPresent = 1;
      p->nVal = nVal;
      p->aVal = malloc(nVal ? (size_t)nVal : 1);
      for(i=0; i<nVal; i++) p->aVal[i] = (unsigned char)testRngNext(&rng);
      rc = lsmc_put(pDb, m->aaKey[iKey], (size_t)m->anKey[iKey], p->aVal, (size_t)nVal);
      ck_assert_msg(rc==LSMC_OK, "seed %llu step %d: put %s",
                    (unsigned long long)seed, iStep, lsmc_errmsg(pDb));
    }else if( r<550 ){                                 /* delete */
      entryFree(&m->aCur[iKey]);
      rc = lsmc_delete(pDb, m->aaKey[iKey], (size_t)m->anKey[iKey]);
      ck_assert_int_eq(rc, LSMC_OK);
    }else if( r<570 ){                                 /* batch */
      lsmc_batch *pBatch = 0;
      int n = 1 + (int)testRngBelow(&rng, 20);
      lsmc_batch_new(&pBatch);
      for(i=0; i<n; i++){
        int k = (int)testRngBelow(&rng, (uint32_t)m->nKey);
        if( testRngBelow(&rng, 3)==0 ){
          entryFree(&m->aCur[k]);
          lsmc_batch_delete(pBatch, m->aaKey[k], (size_t)m->anKey[k]);
        }else{
          ModelEntry *p = &m->aCur[k];
          entryFree(p);
          p->bPresent = 1;
          p->nVal = 4;
          p->aVal = malloc(4);
          memcpy(p->aVal, &iStep, 4);
          lsmc_batch_put(pBatch, m->aaKey[k], (size_t)m->anKey[k], p->aVal, 4);
        }
      }
      ck_assert_int_eq(lsmc_write(pDb, pBatch, LSMC_SYNC_DEFAULT), LSMC_OK);
      lsmc_batch_free(pBatch);
    }else if( r<820 ){                                 /* get */
      int iSnap = -1;
      ModelEntry *p;
      void *pVal = 0;
      size_t nVal = 0;
      s = (int)testRngBelow(&rng, MODEL_NSNAP);
      if( m->apSnap[s] && testRngBelow(&rng, 3)==0 ) iSnap = s;
      p = &modelState(m, iSnap)[iKey];
      rc = lsmc_get(pDb, iSnap<0 ? 0 : m->apSnap[iSnap],
                    m->aaKey[iKey], (size_t)m->anKey[iKey], &pVal, &nVal);
      if( p->bPresent ){
        ck_assert_msg(rc==LSMC_OK, "seed %llu step %d: get rc=%d %s",
                      (unsigned long long)seed, iStep, rc, lsmc_errmsg(pDb));
        ck_assert_msg((int)nVal==p->nVal && memcmp(pVal, p->aVal, nVal)==0,
                      "seed %llu step %d: get wrong value",
                      (unsigned long long)seed, iStep);
      }else{
        ck_assert_msg(rc==LSMC_NOTFOUND, "seed %llu step %d: get absent rc=%d",
                      (unsigned long long)seed, iStep, rc);
      }
      lsmc_free(pDb, pVal);
    }else if( r<900 ){                                 /* iterator walk */
      int iSnap = -1;
      s = (int)testRngBelow(&rng, MODEL_NSNAP);
      if( m->apSnap[s] && testRngBelow(&rng, 2)==0 ) iSnap = s;
      modelWalk(pDb, m, iSnap, &rng, seed, iStep);
    }else if( r<960 ){                                 /* snapshot */
      s = (int)testRngBelow(&rng, MODEL_NSNAP);
      if( m->apSnap[s] ){
        lsmc_snapshot_release(pDb, m->apSnap[s]);
        m->apSnap[s] = 0;
      }else{
        ck_assert_int_eq(lsmc_snapshot_get(pDb, &m->apSnap[s]), LSMC_OK);
        for(i=0; i<m->nKey; i++) entryCopy(&m->aaSnap[s][i], &m->aCur[i]);
      }
    }else if( r<980 ){                                 /* flush */
      ck_assert_int_eq(lsmc_flush(pDb), LSMC_OK);
    }else if( r<988 ){                                 /* compact a range */
      int iLo = (int)testRngBelow(&rng, (uint32_t)m->nKey);
      int iHi = iLo + (int)testRngBelow(&rng, (uint32_t)(m->nKey - iLo));
      int bAll = testRngBelow(&rng, 4)==0;
      rc = lsmc_compact_range(pDb, bAll ? 0 : m->aaKey[iLo],
                              bAll ? 0 : (size_t)m->anKey[iLo],
                              bAll ? 0 : m->aaKey[iHi],
                              bAll ? 0 : (size_t)m->anKey[iHi]);
      ck_assert_msg(rc==LSMC_OK, "seed %llu step %d: compact: %s",
                    (unsigned long long)seed, iStep, lsmc_errmsg(pDb));
    }else{                                             /* reopen */
      for(s=0; s<MODEL_NSNAP; s++){
        if( m->apSnap[s] ) lsmc_snapshot_release(pDb, m->apSnap[s]);
        m->apSnap[s] = 0;
      }
      lsmc_close(pDb);
      pDb = modelOpen(dir.zPath, bBg, eStrategy);
      nCompactionSeen = 0;
    }
    modelCheckAfterCompaction(pDb, &nCompactionSeen, seed, iStep);
  }
  for(s=0; s<MODEL_NSNAP; s++){
    if( m->apSnap[s] ) lsmc_snapshot_release(pDb, m->apSnap[s]);
    for(i=0; i<m->nKey; i++) entryFree(&m->aaSnap[s][i]);
  }
  for(i=0; i<m->nKey; i++) entryFree(&m->aCur[i]);
  lsmc_close(pDb);
  testDirFree(&dir);
  free(m);
}

static int envInt(const char *zName, int iDefault){
  const char *z = getenv(zName);
  return (z && z[0]) ? atoi(z) : iDefault;
}

START_TEST(test_model){
  int nSeed = envInt("LSMC_MODEL_SEEDS", 200);
  int nOp = envInt("LSMC_MODEL_OPS", 5000);
  int iFirst = envInt("LSMC_MODEL_FIRST_SEED", 1);
  int i;
  for(i=0; i<nSeed; i++) modelRunSeed((uint64_t)(iFirst + i), nOp);
  printf("model: %d seeds x %d operations, 0 mismatches; %llu compactions, "
         "%d integrity checks passed\n", nSeed, nOp,
         (unsigned long long)nModelCompaction, nModelCheck);
}
END_TEST

int main(void){
  Suite *s = suite_create("model");
  TCase *tc = tcase_create("model");
  SRunner *sr;
  int nFail;
  tcase_set_timeout(tc, 3000);
  tcase_add_test(tc, test_model);
  suite_add_tcase(s, tc);
  sr = srunner_create(s);
  srunner_run_all(sr, CK_NORMAL);
  nFail = srunner_ntests_failed(sr);
  srunner_free(sr);
  return nFail ? EXIT_FAILURE : EXIT_SUCCESS;
}
