/*
** check_txn.c -- transactions that read their own writes: lsmc_get_batch
** and lsmc_iter_open_batch, which read an uncommitted lsmc_batch merged
** over the store.
**
** The model test runs random puts and deletes into the store (committed)
** and into a batch (uncommitted), marks, truncations, clears, commits
** (lsmc_write + clear), snapshots, flushes and compactions (a 4 KiB
** memtable), and compares every lookup and every iterator position with a
** model: the store's state overlaid with the batch's newest entry per key.
** An iterator walk takes a copy of the model when it opens and keeps
** changing the store and the batch while it walks: the iterator must keep
** showing what it saw at open.  LSMC_TXN_SEEDS (default 100) seeds run
** LSMC_TXN_OPS operations each (default 2,000); a mismatch fails with the
** seed and the step.  Directed tests cover iterator stability across
** append / truncate / clear / free of the batch, reads after a commit,
** keys that are prefixes of each other, a batch that deletes every store
** key, 1 MiB values, and no allocation in a warm iterator's steps.
*/
#include "lsmcore.h"
#include "testutil.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define TXN_NKEY     120        /* Keys in the model's domain */
#define TXN_MAXVAL   40         /* Value bytes at most */
#define TXN_NMARK    4          /* Batch marks kept at most */
#define TXN_MAXSEEK  24         /* Seek target bytes at most */

#define SLOT_ABSENT  0          /* No value (store) / no entry (batch) */
#define SLOT_PUT     1          /* A value */
#define SLOT_DELETE  2          /* Batch only: a delete entry */

/* The state of one key in the store or in the batch. */
typedef struct Slot Slot;
struct Slot {
  int e;                          /* SLOT_ABSENT, _PUT or _DELETE */
  int n;                          /* Value bytes */
  unsigned char a[TXN_MAXVAL];    /* Value */
};

/* The model of one store and one open transaction. */
typedef struct Txn Txn;
struct Txn {
  int nKey;                              /* Keys in the domain */
  unsigned char aaKey[TXN_NKEY][16];     /* Keys, sorted by memcmp */
  int anKey[TXN_NKEY];                   /* Key lengths */
  Slot aStore[TXN_NKEY];                 /* Committed state */
  Slot aBatch[TXN_NKEY];                 /* Newest batch entry per key */
  Slot aSnap[TXN_NKEY];                  /* Store state at pSnap */
  lsmc_snapshot *pSnap;                  /* Live snapshot or NULL */
  int nMark;                             /* Marks in aMark */
  size_t aMark[TXN_NMARK];               /* lsmc_batch_mark() values */
  Slot aaMark[TXN_NMARK][TXN_NKEY];      /* aBatch at each mark */
  lsmc_db *pDb;                          /* The store */
  lsmc_batch *pBatch;                    /* The transaction's writes */
  TestRng rng;                           /* Random source */
  uint64_t seed;                         /* For messages */
  int iStep;                             /* For messages */
};

/* Totals over every seed, for the summary line. */
typedef struct TxnTotals TxnTotals;
struct TxnTotals {
  long nGet;                      /* Lookups compared */
  long nWalk;                     /* Iterator walks */
  long nMove;                     /* Iterator positions compared */
  long nCommit;                   /* lsmc_write of the batch */
  long nTruncate;                 /* Truncations to a mark */
};

static lsmc_db *txnOpen(const char *zDir, int bBackground, int eStrategy){
  lsmc_options *pOpts = 0;
  lsmc_db *pDb = 0;
  int rc;
  ck_assert_int_eq(lsmc_options_new(&pOpts), LSMC_OK);
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

/*
** A sorted domain of distinct keys: the empty key, a chain of prefixes
** ("q", "qq", ... and "q\0"), and random keys over a small alphabet with
** 0x00 and 0xff.
*/
static void txnDomain(Txn *t){
  static const unsigned char aAlpha[] = { 'a', 'b', 'q', 0x00, 0xff };
  int i;
  t->nKey = 0;
  t->anKey[t->nKey++] = 0;
  for(i=1; i<=6; i++){
    memset(t->aaKey[t->nKey], 'q', (size_t)i);
    t->anKey[t->nKey++] = i;
  }
  t->aaKey[t->nKey][0] = 'q';
  t->aaKey[t->nKey][1] = 0x00;
  t->anKey[t->nKey++] = 2;
  t->nKey = testKeyDomain(&t->rng, &t->aaKey[0][0], (int)sizeof(t->aaKey[0]),
                          t->anKey, t->nKey, TXN_NKEY, 8,
                          aAlpha, (int)sizeof(aAlpha));
}

/* A random value of 0..TXN_MAXVAL bytes into *p, with state SLOT_PUT. */
static void txnRandomValue(Txn *t, Slot *p){
  int i;
  p->e = SLOT_PUT;
  p->n = (int)testRngBelow(&t->rng, TXN_MAXVAL+1);
  for(i=0; i<p->n; i++) p->a[i] = (unsigned char)testRngNext(&t->rng);
}

/* What a read through the batch sees: aOut = aStore overlaid by aBatch. */
static void txnOverlay(const Slot *aStore, const Slot *aBatch, Slot *aOut,
                       int nKey){
  int i;
  for(i=0; i<nKey; i++){
    if( aBatch[i].e==SLOT_PUT ) aOut[i] = aBatch[i];
    else if( aBatch[i].e==SLOT_DELETE ) aOut[i].e = SLOT_ABSENT;
    else aOut[i] = aStore[i];
  }
}

#define TXN_CHECK(t, cond) \
  ck_assert_msg((cond), "seed %llu step %d: %s", \
                (unsigned long long)(t)->seed, (t)->iStep, #cond)

/* ------------------------------------------------------ store / batch */

static void txnStorePut(Txn *t, int i){
  Slot s;
  txnRandomValue(t, &s);
  TXN_CHECK(t, lsmc_put(t->pDb, t->aaKey[i], (size_t)t->anKey[i],
                        s.a, (size_t)s.n)==LSMC_OK);
  t->aStore[i] = s;
}

static void txnStoreDelete(Txn *t, int i){
  TXN_CHECK(t, lsmc_delete(t->pDb, t->aaKey[i], (size_t)t->anKey[i])==LSMC_OK);
  t->aStore[i].e = SLOT_ABSENT;
}

static void txnBatchPut(Txn *t, int i){
  Slot s;
  txnRandomValue(t, &s);
  TXN_CHECK(t, lsmc_batch_put(t->pBatch, t->aaKey[i], (size_t)t->anKey[i],
                              s.a, (size_t)s.n)==LSMC_OK);
  t->aBatch[i] = s;
}

static void txnBatchDelete(Txn *t, int i){
  TXN_CHECK(t, lsmc_batch_delete(t->pBatch, t->aaKey[i],
                                 (size_t)t->anKey[i])==LSMC_OK);
  t->aBatch[i].e = SLOT_DELETE;
}

static void txnBatchClear(Txn *t){
  lsmc_batch_clear(t->pBatch);
  memset(t->aBatch, 0, sizeof(t->aBatch));
  t->nMark = 0;
}

/* Push a mark, or truncate to a random one (dropping the later marks). */
static void txnMarkOrTruncate(Txn *t, TxnTotals *pTot){
  if( t->nMark<TXN_NMARK && (t->nMark==0 || testRngBelow(&t->rng, 2)) ){
    t->aMark[t->nMark] = lsmc_batch_mark(t->pBatch);
    memcpy(t->aaMark[t->nMark], t->aBatch, sizeof(t->aBatch));
    t->nMark++;
  }else{
    int iMark = (int)testRngBelow(&t->rng, (uint32_t)t->nMark);
    lsmc_batch_truncate(t->pBatch, t->aMark[iMark]);
    TXN_CHECK(t, lsmc_batch_mark(t->pBatch)==t->aMark[iMark]);
    memcpy(t->aBatch, t->aaMark[iMark], sizeof(t->aBatch));
    t->nMark = iMark+1;
    pTot->nTruncate++;
  }
}

/* COMMIT: write the batch, then clear it. */
static void txnCommit(Txn *t, TxnTotals *pTot){
  int rc = lsmc_write(t->pDb, t->pBatch, LSMC_SYNC_DEFAULT);
  ck_assert_msg(rc==LSMC_OK, "seed %llu step %d: write: %s",
                (unsigned long long)t->seed, t->iStep, lsmc_errmsg(t->pDb));
  txnOverlay(t->aStore, t->aBatch, t->aStore, t->nKey);
  txnBatchClear(t);
  pTot->nCommit++;
}

/* --------------------------------------------------------------- reads */

/* A lookup through the batch (or none), latest or at the snapshot. */
static void txnGet(Txn *t, TxnTotals *pTot){
  int i = (int)testRngBelow(&t->rng, (uint32_t)t->nKey);
  int bSnap = t->pSnap && testRngBelow(&t->rng, 3)==0;
  int bNoBatch = testRngBelow(&t->rng, 8)==0;
  Slot aView[TXN_NKEY];
  void *pVal = (void*)1;
  size_t nVal = 99;
  int rc;
  txnOverlay(bSnap ? t->aSnap : t->aStore, t->aBatch, aView, t->nKey);
  if( bNoBatch ) memcpy(aView, bSnap ? t->aSnap : t->aStore, sizeof(aView));
  rc = lsmc_get_batch(t->pDb, bSnap ? t->pSnap : 0,
                      bNoBatch ? 0 : t->pBatch,
                      t->aaKey[i], (size_t)t->anKey[i], &pVal, &nVal);
  if( aView[i].e==SLOT_PUT ){
    ck_assert_msg(rc==LSMC_OK, "seed %llu step %d: get rc=%d (%s)",
                  (unsigned long long)t->seed, t->iStep, rc,
                  lsmc_errmsg(t->pDb));
    TXN_CHECK(t, pVal!=0 && (int)nVal==aView[i].n
                 && memcmp(pVal, aView[i].a, nVal)==0);
  }else{
    ck_assert_msg(rc==LSMC_NOTFOUND, "seed %llu step %d: get absent rc=%d",
                  (unsigned long long)t->seed, t->iStep, rc);
    TXN_CHECK(t, pVal==0 && nVal==0);
  }
  lsmc_free(t->pDb, rc==LSMC_OK ? pVal : 0);
  pTot->nGet++;
}

/* A random seek target: a domain key, perhaps lengthened or shortened. */
static int txnTarget(Txn *t, unsigned char *aOut){
  int i = (int)testRngBelow(&t->rng, (uint32_t)t->nKey);
  int n = t->anKey[i];
  memcpy(aOut, t->aaKey[i], (size_t)n);
  switch( testRngBelow(&t->rng, 4) ){
    case 0: aOut[n++] = 0x00; break;
    case 1: aOut[n++] = 0x80; break;
    case 2: if( n>0 ) n--; break;
    default: break;
  }
  return n;
}

/* One iterator walk: the model as of its open, and its bounds. */
typedef struct Walk Walk;
struct Walk {
  Slot aView[TXN_NKEY];                   /* The model as of the open */
  int bLower, bUpper;                     /* Bounds set */
  unsigned char aLower[TXN_MAXSEEK];      /* Lower bound */
  int nLower;                             /* Bytes in aLower */
  unsigned char aUpper[TXN_MAXSEEK];      /* Upper bound */
  int nUpper;                             /* Bytes in aUpper */
};

/* Is domain key i present in the walk's view and inside its bounds? */
static int walkHas(const Txn *t, const Walk *w, int i){
  if( i<0 || i>=t->nKey || w->aView[i].e!=SLOT_PUT ) return 0;
  if( w->bLower && testKeyCmp(t->aaKey[i], t->anKey[i], w->aLower, w->nLower)<0 ){
    return 0;
  }
  if( w->bUpper && testKeyCmp(t->aaKey[i], t->anKey[i], w->aUpper, w->nUpper)>=0 ){
    return 0;
  }
  return 1;
}

/* The model position after a step from i in direction d (-1: the end). */
static int walkStep(const Txn *t, const Walk *w, int i, int d){
  for(i+=d; i>=0 && i<t->nKey && !walkHas(t, w, i); i+=d);
  return (i<0 || i>=t->nKey) ? -1 : i;
}

/* First (d>0) or last (d<0) model key >= / <= target a[0..n). */
static int walkSeek(const Txn *t, const Walk *w, const unsigned char *a,
                    int n, int d){
  int i = d>0 ? 0 : t->nKey-1;
  for(; i>=0 && i<t->nKey; i+=d){
    int c = testKeyCmp(t->aaKey[i], t->anKey[i], a, n);
    if( walkHas(t, w, i) && (d>0 ? c>=0 : c<=0) ) return i;
  }
  return -1;
}

static void walkCheck(Txn *t, const Walk *w, lsmc_iter *pIter, int i){
  if( i<0 ){
    TXN_CHECK(t, !lsmc_iter_valid(pIter));
    TXN_CHECK(t, lsmc_iter_key(pIter, 0)==0);
  }else{
    size_t nKey = 0, nVal = 0;
    const void *pKey, *pVal;
    ck_assert_msg(lsmc_iter_valid(pIter), "seed %llu step %d: expected key %d",
                  (unsigned long long)t->seed, t->iStep, i);
    pKey = lsmc_iter_key(pIter, &nKey);
    pVal = lsmc_iter_value(pIter, &nVal);
    ck_assert_msg(testKeyCmp(pKey, (int)nKey, t->aaKey[i], t->anKey[i])==0,
                  "seed %llu step %d: wrong key (want %d)",
                  (unsigned long long)t->seed, t->iStep, i);
    TXN_CHECK(t, (int)nVal==w->aView[i].n
                 && memcmp(pVal, w->aView[i].a, nVal)==0);
  }
}

/*
** Change the store or the batch in the middle of a walk (the iterator
** must not see it): a write, a mark or truncation, a clear, a commit, or
** a flush.
*/
static void walkDisturb(Txn *t, TxnTotals *pTot){
  int i = (int)testRngBelow(&t->rng, (uint32_t)t->nKey);
  switch( testRngBelow(&t->rng, 8) ){
    case 0: txnStorePut(t, i); break;
    case 1: txnStoreDelete(t, i); break;
    case 2: txnBatchPut(t, i); break;
    case 3: txnBatchDelete(t, i); break;
    case 4: txnMarkOrTruncate(t, pTot); break;
    case 5: if( testRngBelow(&t->rng, 4)==0 ) txnBatchClear(t); break;
    case 6: if( testRngBelow(&t->rng, 4)==0 ) txnCommit(t, pTot); break;
    default:
      if( testRngBelow(&t->rng, 4)==0 ){
        TXN_CHECK(t, lsmc_flush(t->pDb)==LSMC_OK);
      }
      break;
  }
}

/*
** A random walk through the batch with random bounds: first, last, seeks,
** next and prev with direction switches, compared with the model as of
** the open while the store and the batch keep changing.
*/
static void txnWalk(Txn *t, TxnTotals *pTot){
  Walk *w = calloc(1, sizeof(Walk));
  int bSnap = t->pSnap && testRngBelow(&t->rng, 3)==0;
  int bNoBatch = testRngBelow(&t->rng, 10)==0;
  lsmc_iter *pIter = 0;
  int i = -1, k, rc;
  txnOverlay(bSnap ? t->aSnap : t->aStore, t->aBatch, w->aView, t->nKey);
  if( bNoBatch ){
    memcpy(w->aView, bSnap ? t->aSnap : t->aStore, sizeof(w->aView));
  }
  if( testRngBelow(&t->rng, 2) ){
    w->bLower = 1;
    w->nLower = txnTarget(t, w->aLower);
  }
  if( testRngBelow(&t->rng, 2) ){
    w->bUpper = 1;
    w->nUpper = txnTarget(t, w->aUpper);
  }
  rc = lsmc_iter_open_batch(t->pDb, bSnap ? t->pSnap : 0,
                            bNoBatch ? 0 : t->pBatch,
                            w->bLower ? w->aLower : 0, (size_t)w->nLower,
                            w->bUpper ? w->aUpper : 0, (size_t)w->nUpper,
                            &pIter);
  TXN_CHECK(t, rc==LSMC_OK);
  for(k=0; k<40; k++){
    int eOp = (int)testRngBelow(&t->rng, 10);
    if( testRngBelow(&t->rng, 4)==0 ) walkDisturb(t, pTot);
    if( k==0 || eOp<2 || i<0 ){
      unsigned char aKey[TXN_MAXSEEK];
      int nKey;
      switch( testRngBelow(&t->rng, 4) ){
        case 0:
          rc = lsmc_iter_first(pIter);
          i = walkStep(t, w, -1, +1);
          break;
        case 1:
          rc = lsmc_iter_last(pIter);
          i = walkStep(t, w, t->nKey, -1);
          break;
        case 2:
          nKey = txnTarget(t, aKey);
          rc = lsmc_iter_seek(pIter, aKey, (size_t)nKey, LSMC_SEEK_GE);
          i = walkSeek(t, w, aKey, nKey, +1);
          break;
        default:
          nKey = txnTarget(t, aKey);
          rc = lsmc_iter_seek(pIter, aKey, (size_t)nKey, LSMC_SEEK_LE);
          i = walkSeek(t, w, aKey, nKey, -1);
          break;
      }
    }else if( eOp<6 ){
      rc = lsmc_iter_next(pIter);
      i = walkStep(t, w, i, +1);
    }else{
      rc = lsmc_iter_prev(pIter);
      i = walkStep(t, w, i, -1);
    }
    ck_assert_msg(rc==LSMC_OK, "seed %llu step %d: iter rc=%d (%s)",
                  (unsigned long long)t->seed, t->iStep, rc,
                  lsmc_errmsg(t->pDb));
    walkCheck(t, w, pIter, i);
    pTot->nMove++;
  }
  lsmc_iter_close(pIter);
  free(w);
  pTot->nWalk++;
}

/* ------------------------------------------------------------ the run */

static void txnRunSeed(uint64_t seed, int nOp, TxnTotals *pTot){
  Txn *t = calloc(1, sizeof(Txn));
  TestDir dir;
  int i;
  t->seed = seed;
  testRngSeed(&t->rng, seed);
  txnDomain(t);
  testDirNew(&dir, "txn");
  t->pDb = txnOpen(dir.zPath, (int)(seed & 1), (int)((seed/2) % 3));
  ck_assert_int_eq(lsmc_batch_new(&t->pBatch), LSMC_OK);
  for(t->iStep=0; t->iStep<nOp; t->iStep++){
    int r = (int)testRngBelow(&t->rng, 100);
    i = (int)testRngBelow(&t->rng, (uint32_t)t->nKey);
    if( r<18 ) txnStorePut(t, i);
    else if( r<25 ) txnStoreDelete(t, i);
    else if( r<42 ) txnBatchPut(t, i);
    else if( r<50 ) txnBatchDelete(t, i);
    else if( r<55 ) txnMarkOrTruncate(t, pTot);
    else if( r<56 ) txnBatchClear(t);
    else if( r<58 ) txnCommit(t, pTot);
    else if( r<78 ) txnGet(t, pTot);
    else if( r<94 ) txnWalk(t, pTot);
    else if( r<96 ){
      TXN_CHECK(t, lsmc_flush(t->pDb)==LSMC_OK);
    }else if( r<97 ){
      TXN_CHECK(t, lsmc_compact_range(t->pDb, 0, 0, 0, 0)==LSMC_OK);
    }else if( t->pSnap ){
      lsmc_snapshot_release(t->pDb, t->pSnap);
      t->pSnap = 0;
    }else{
      TXN_CHECK(t, lsmc_snapshot_get(t->pDb, &t->pSnap)==LSMC_OK);
      memcpy(t->aSnap, t->aStore, sizeof(t->aSnap));
    }
  }
  if( t->pSnap ) lsmc_snapshot_release(t->pDb, t->pSnap);
  lsmc_batch_free(t->pBatch);
  ck_assert_int_eq(lsmc_close(t->pDb), LSMC_OK);
  testDirFree(&dir);
  free(t);
}

static int envInt(const char *zName, int iDefault){
  const char *z = getenv(zName);
  return (z && z[0]) ? atoi(z) : iDefault;
}

START_TEST(test_txn_model){
  int nSeed = envInt("LSMC_TXN_SEEDS", 100);
  int nOp = envInt("LSMC_TXN_OPS", 2000);
  int iFirst = envInt("LSMC_TXN_FIRST_SEED", 1);
  TxnTotals tot;
  int i;
  memset(&tot, 0, sizeof(tot));
  for(i=0; i<nSeed; i++) txnRunSeed((uint64_t)(iFirst + i), nOp, &tot);
  printf("txn model: %d seeds x %d operations, 0 mismatches; %ld gets, "
         "%ld walks (%ld positions), %ld commits, %ld truncations\n",
         nSeed, nOp, tot.nGet, tot.nWalk, tot.nMove, tot.nCommit,
         tot.nTruncate);
}
END_TEST

/* ---------------------------------------------------- directed tests */

/*
** Every "key=value;" of the iterator, from first to last (bReverse: from
** last to first), into z.
*/
static void scanAll(lsmc_iter *pIter, int bReverse, char *z, size_t nz){
  int rc = bReverse ? lsmc_iter_last(pIter) : lsmc_iter_first(pIter);
  size_t n = 0;
  z[0] = 0;
  while( rc==LSMC_OK && lsmc_iter_valid(pIter) ){
    size_t nKey, nVal, j;
    const char *pKey = lsmc_iter_key(pIter, &nKey);
    const char *pVal = lsmc_iter_value(pIter, &nVal);
    for(j=0; j<nKey && n+2<nz; j++) z[n++] = pKey[j] ? pKey[j] : '0';
    if( n+2<nz ) z[n++] = '=';
    for(j=0; j<nVal && n+2<nz; j++) z[n++] = pVal[j];
    if( n+2<nz ) z[n++] = ';';
    z[n] = 0;
    rc = bReverse ? lsmc_iter_prev(pIter) : lsmc_iter_next(pIter);
  }
  ck_assert_int_eq(rc, LSMC_OK);
}

/* Reverse the order of the "k=v;" items of z (for the backward scans). */
static void reverseItems(const char *z, char *zOut){
  size_t n = strlen(z), nOut = 0;
  while( n>0 ){
    size_t iStart = n-1;
    while( iStart>0 && z[iStart-1]!=';' ) iStart--;
    memcpy(&zOut[nOut], &z[iStart], n-iStart);
    nOut += n-iStart;
    n = iStart;
  }
  zOut[nOut] = 0;
}

/* Scan both ways and compare with zExpect (forward order). */
static void scanExpect(lsmc_iter *pIter, const char *zExpect){
  char zGot[4096], zRev[4096];
  scanAll(pIter, 0, zGot, sizeof(zGot));
  ck_assert_str_eq(zGot, zExpect);
  scanAll(pIter, 1, zGot, sizeof(zGot));
  reverseItems(zGot, zRev);
  ck_assert_str_eq(zRev, zExpect);
}

static void putStr(lsmc_db *pDb, const char *zKey, const char *zVal){
  ck_assert_int_eq(lsmc_put(pDb, zKey, strlen(zKey), zVal, strlen(zVal)),
                   LSMC_OK);
}
static void bputStr(lsmc_batch *p, const char *zKey, const char *zVal){
  ck_assert_int_eq(lsmc_batch_put(p, zKey, strlen(zKey), zVal, strlen(zVal)),
                   LSMC_OK);
}
static void bdelStr(lsmc_batch *p, const char *zKey){
  ck_assert_int_eq(lsmc_batch_delete(p, zKey, strlen(zKey)), LSMC_OK);
}

/* lsmc_get_batch of zKey: its value as a string, or "-" if absent. */
static const char *getStr(lsmc_db *pDb, lsmc_batch *p, const char *zKey,
                          char *zBuf){
  void *pVal = 0;
  size_t nVal = 0;
  int rc = lsmc_get_batch(pDb, 0, p, zKey, strlen(zKey), &pVal, &nVal);
  if( rc==LSMC_NOTFOUND ) return "-";
  ck_assert_int_eq(rc, LSMC_OK);
  memcpy(zBuf, pVal, nVal);
  zBuf[nVal] = 0;
  lsmc_free(pDb, pVal);
  return zBuf;
}

/*
** An iterator shows its batch as of its open, whatever happens to the
** batch later: appends, truncation to an earlier mark, clear, commit and
** even lsmc_batch_free.
*/
START_TEST(test_txn_stability){
  TestDir dir;
  lsmc_db *pDb;
  lsmc_batch *p = 0;
  lsmc_iter *pA = 0, *pB = 0, *pC = 0;
  size_t iMark;
  char z[64];
  const char *zA = "a=s;b=B;d=D;e=s;";
  testDirNew(&dir, "txnstab");
  pDb = txnOpen(dir.zPath, 0, LSMC_COMPACTION_LEVELED);
  putStr(pDb, "a", "s"); putStr(pDb, "b", "s");
  putStr(pDb, "c", "s"); putStr(pDb, "e", "s");
  ck_assert_int_eq(lsmc_batch_new(&p), LSMC_OK);
  bputStr(p, "b", "B"); bdelStr(p, "c"); bputStr(p, "d", "D");
  ck_assert_int_eq(lsmc_iter_open_batch(pDb, 0, p, 0, 0, 0, 0, &pA), LSMC_OK);
  scanExpect(pA, zA);

  /* Appends: a new key, an overwrite, a delete of a store key. */
  iMark = lsmc_batch_mark(p);
  bputStr(p, "a", "A2"); bputStr(p, "bb", "N"); bdelStr(p, "e");
  bputStr(p, "d", "D2");
  ck_assert_str_eq(getStr(pDb, p, "a", z), "A2");
  ck_assert_str_eq(getStr(pDb, p, "e", z), "-");
  ck_assert_int_eq(lsmc_iter_open_batch(pDb, 0, p, 0, 0, 0, 0, &pB), LSMC_OK);
  scanExpect(pA, zA);
  scanExpect(pB, "a=A2;b=B;bb=N;d=D2;");

  /* Truncate to the mark: A and B keep their views, reads see the mark. */
  lsmc_batch_truncate(p, iMark);
  ck_assert_uint_eq(lsmc_batch_count(p), 3);
  ck_assert_str_eq(getStr(pDb, p, "a", z), "s");
  ck_assert_str_eq(getStr(pDb, p, "d", z), "D");
  bputStr(p, "c", "C3");                  /* the index is rebuilt */
  ck_assert_int_eq(lsmc_iter_open_batch(pDb, 0, p, 0, 0, 0, 0, &pC), LSMC_OK);
  scanExpect(pA, zA);
  scanExpect(pB, "a=A2;b=B;bb=N;d=D2;");
  scanExpect(pC, "a=s;b=B;c=C3;d=D;e=s;");

  /* Clear, commit and free: still the same views. */
  lsmc_batch_clear(p);
  ck_assert_str_eq(getStr(pDb, p, "c", z), "s");
  ck_assert_str_eq(getStr(pDb, p, "b", z), "s");
  bputStr(p, "z", "Z");
  ck_assert_int_eq(lsmc_write(pDb, p, LSMC_SYNC_DEFAULT), LSMC_OK);
  lsmc_batch_free(p);
  ck_assert_int_eq(lsmc_flush(pDb), LSMC_OK);
  scanExpect(pA, zA);
  scanExpect(pB, "a=A2;b=B;bb=N;d=D2;");
  scanExpect(pC, "a=s;b=B;c=C3;d=D;e=s;");
  lsmc_iter_close(pA);
  lsmc_iter_close(pB);
  lsmc_iter_close(pC);
  ck_assert_int_eq(lsmc_close(pDb), LSMC_OK);
  testDirFree(&dir);
}
END_TEST

/*
** After lsmc_write and lsmc_batch_clear, reads through the (empty) batch
** are reads of the store.
*/
START_TEST(test_txn_commit){
  TestDir dir;
  lsmc_db *pDb;
  lsmc_batch *p = 0;
  lsmc_iter *pIter = 0;
  char z[64];
  testDirNew(&dir, "txncommit");
  pDb = txnOpen(dir.zPath, 1, LSMC_COMPACTION_LEVELED);
  putStr(pDb, "a", "1"); putStr(pDb, "b", "2");
  ck_assert_int_eq(lsmc_batch_new(&p), LSMC_OK);
  bputStr(p, "c", "3"); bdelStr(p, "a"); bputStr(p, "b", "B");
  ck_assert_str_eq(getStr(pDb, p, "b", z), "B");
  ck_assert_str_eq(getStr(pDb, 0, "b", z), "2");
  ck_assert_int_eq(lsmc_write(pDb, p, LSMC_SYNC_DEFAULT), LSMC_OK);
  lsmc_batch_clear(p);
  ck_assert_str_eq(getStr(pDb, p, "a", z), "-");
  ck_assert_str_eq(getStr(pDb, p, "b", z), "B");
  ck_assert_str_eq(getStr(pDb, p, "c", z), "3");
  putStr(pDb, "d", "4");                  /* a later commit by anyone */
  ck_assert_int_eq(lsmc_iter_open_batch(pDb, 0, p, 0, 0, 0, 0, &pIter),
                   LSMC_OK);
  scanExpect(pIter, "b=B;c=3;d=4;");
  lsmc_iter_close(pIter);
  /* The batch is reusable: a new transaction on top of the store. */
  bdelStr(p, "d"); bputStr(p, "a", "again");
  ck_assert_int_eq(lsmc_iter_open_batch(pDb, 0, p, 0, 0, 0, 0, &pIter),
                   LSMC_OK);
  scanExpect(pIter, "a=again;b=B;c=3;");
  lsmc_iter_close(pIter);
  /* MISUSE without a store. */
  {
    void *pVal = 0;
    size_t nVal = 0;
    ck_assert_int_eq(lsmc_get_batch(0, 0, p, "a", 1, &pVal, &nVal),
                     LSMC_MISUSE);
    ck_assert_int_eq(lsmc_iter_open_batch(0, 0, p, 0, 0, 0, 0, &pIter),
                     LSMC_MISUSE);
    ck_assert_ptr_null(pIter);
  }
  lsmc_batch_free(p);
  ck_assert_int_eq(lsmc_close(pDb), LSMC_OK);
  testDirFree(&dir);
}
END_TEST

/*
** Keys that are prefixes of each other (and the empty key), in the store
** and in the batch, with seeks and bounds between them.
*/
START_TEST(test_txn_prefix){
  TestDir dir;
  lsmc_db *pDb;
  lsmc_batch *p = 0;
  lsmc_iter *pIter = 0;
  char z[64];
  size_t n;
  testDirNew(&dir, "txnprefix");
  pDb = txnOpen(dir.zPath, 0, LSMC_COMPACTION_LEVELED);
  putStr(pDb, "a", "s1"); putStr(pDb, "ab", "s2"); putStr(pDb, "abc", "s3");
  putStr(pDb, "abcd", "s4");
  ck_assert_int_eq(lsmc_flush(pDb), LSMC_OK);
  ck_assert_int_eq(lsmc_batch_new(&p), LSMC_OK);
  bdelStr(p, "ab");
  ck_assert_int_eq(lsmc_batch_put(p, "a\0", 2, "b1", 2), LSMC_OK);
  bputStr(p, "", "b0");
  bputStr(p, "abc", "b3");
  bdelStr(p, "abcde");                    /* deletes nothing */
  ck_assert_str_eq(getStr(pDb, p, "", z), "b0");
  ck_assert_str_eq(getStr(pDb, p, "ab", z), "-");
  ck_assert_str_eq(getStr(pDb, p, "abcd", z), "s4");
  ck_assert_int_eq(lsmc_iter_open_batch(pDb, 0, p, 0, 0, 0, 0, &pIter),
                   LSMC_OK);
  scanExpect(pIter, "=b0;a=s1;a0=b1;abc=b3;abcd=s4;");
  ck_assert_int_eq(lsmc_iter_seek(pIter, "ab", 2, LSMC_SEEK_GE), LSMC_OK);
  ck_assert_int_eq(memcmp(lsmc_iter_key(pIter, &n), "abc", 3), 0);
  ck_assert_uint_eq(n, 3);
  ck_assert_int_eq(lsmc_iter_seek(pIter, "ab", 2, LSMC_SEEK_LE), LSMC_OK);
  ck_assert_int_eq(memcmp(lsmc_iter_key(pIter, &n), "a\0", 2), 0);
  ck_assert_uint_eq(n, 2);
  ck_assert_int_eq(lsmc_iter_next(pIter), LSMC_OK);      /* switch */
  ck_assert_int_eq(memcmp(lsmc_iter_key(pIter, &n), "abc", 3), 0);
  ck_assert_int_eq(lsmc_iter_prev(pIter), LSMC_OK);      /* switch back */
  ck_assert_int_eq(memcmp(lsmc_iter_key(pIter, &n), "a\0", 2), 0);
  ck_assert_int_eq(lsmc_iter_prev(pIter), LSMC_OK);
  ck_assert_int_eq(memcmp(lsmc_iter_key(pIter, &n), "a", 1), 0);
  ck_assert_uint_eq(n, 1);
  ck_assert_int_eq(lsmc_iter_prev(pIter), LSMC_OK);
  lsmc_iter_key(pIter, &n);
  ck_assert_uint_eq(n, 0);
  ck_assert_int_eq(lsmc_iter_prev(pIter), LSMC_OK);
  ck_assert(!lsmc_iter_valid(pIter));
  lsmc_iter_close(pIter);
  /* Bounds ["a\0", "abcd"): the batch's "a\0" and "abc" only. */
  ck_assert_int_eq(lsmc_iter_open_batch(pDb, 0, p, "a\0", 2, "abcd", 4,
                                        &pIter), LSMC_OK);
  scanExpect(pIter, "a0=b1;abc=b3;");
  lsmc_iter_close(pIter);
  /* Bounds ["", "a"): the empty key from the batch. */
  ck_assert_int_eq(lsmc_iter_open_batch(pDb, 0, p, "", 0, "a", 1, &pIter),
                   LSMC_OK);
  scanExpect(pIter, "=b0;");
  lsmc_iter_close(pIter);
  lsmc_batch_free(p);
  ck_assert_int_eq(lsmc_close(pDb), LSMC_OK);
  testDirFree(&dir);
}
END_TEST

/*
** A batch that deletes every key of the store (spread over memtable and
** SSTables): nothing is visible from either end or any seek; putting
** every third key back shows exactly those.
*/
START_TEST(test_txn_delete_all){
  TestDir dir;
  lsmc_db *pDb;
  lsmc_batch *p = 0;
  lsmc_iter *pIter = 0;
  char zKey[16], zExpect[4096], z[64];
  int i, nExpect = 0;
  testDirNew(&dir, "txndelall");
  pDb = txnOpen(dir.zPath, 1, LSMC_COMPACTION_LEVELED);
  for(i=0; i<500; i++){
    snprintf(zKey, sizeof(zKey), "k%04d", i);
    putStr(pDb, zKey, "store-value");
  }
  ck_assert_int_eq(lsmc_batch_new(&p), LSMC_OK);
  for(i=499; i>=0; i--){
    snprintf(zKey, sizeof(zKey), "k%04d", i);
    bdelStr(p, zKey);
  }
  for(i=0; i<500; i+=37){
    snprintf(zKey, sizeof(zKey), "k%04d", i);
    ck_assert_str_eq(getStr(pDb, p, zKey, z), "-");
  }
  ck_assert_int_eq(lsmc_iter_open_batch(pDb, 0, p, 0, 0, 0, 0, &pIter),
                   LSMC_OK);
  scanExpect(pIter, "");
  ck_assert_int_eq(lsmc_iter_seek(pIter, "k0250", 5, LSMC_SEEK_GE), LSMC_OK);
  ck_assert(!lsmc_iter_valid(pIter));
  ck_assert_int_eq(lsmc_iter_seek(pIter, "k0250", 5, LSMC_SEEK_LE), LSMC_OK);
  ck_assert(!lsmc_iter_valid(pIter));
  lsmc_iter_close(pIter);
  zExpect[0] = 0;
  for(i=0; i<500; i+=3){
    snprintf(zKey, sizeof(zKey), "k%04d", i);
    bputStr(p, zKey, "V");
    nExpect += snprintf(&zExpect[nExpect], sizeof(zExpect)-(size_t)nExpect,
                        "%s=V;", zKey);
  }
  ck_assert_int_eq(lsmc_iter_open_batch(pDb, 0, p, 0, 0, 0, 0, &pIter),
                   LSMC_OK);
  scanExpect(pIter, zExpect);
  lsmc_iter_close(pIter);
  lsmc_batch_free(p);
  ck_assert_int_eq(lsmc_close(pDb), LSMC_OK);
  testDirFree(&dir);
}
END_TEST

/* Fill a[0..n) with a pattern derived from c. */
static void fillPattern(unsigned char *a, size_t n, unsigned c){
  size_t i;
  for(i=0; i<n; i++) a[i] = (unsigned char)(c*31u + i*7u + (i>>12));
}

/*
** 1 MiB values, in the store and in the batch, through get and iterator
** in both directions.
*/
START_TEST(test_txn_big_values){
  const size_t nBig = 1024*1024;
  unsigned char *aA = malloc(nBig), *aB = malloc(nBig), *aC = malloc(nBig);
  TestDir dir;
  lsmc_db *pDb;
  lsmc_batch *p = 0;
  lsmc_iter *pIter = 0;
  void *pVal = 0;
  size_t nVal = 0, nKey = 0;
  const void *pIt;
  testDirNew(&dir, "txnbig");
  pDb = txnOpen(dir.zPath, 1, LSMC_COMPACTION_LEVELED);
  fillPattern(aA, nBig, 1);
  fillPattern(aB, nBig, 2);
  fillPattern(aC, nBig, 3);
  ck_assert_int_eq(lsmc_put(pDb, "k1", 2, aA, nBig), LSMC_OK);
  ck_assert_int_eq(lsmc_put(pDb, "k3", 2, aA, nBig), LSMC_OK);
  ck_assert_int_eq(lsmc_batch_new(&p), LSMC_OK);
  ck_assert_int_eq(lsmc_batch_put(p, "k2", 2, aB, nBig), LSMC_OK);
  ck_assert_int_eq(lsmc_batch_put(p, "k1", 2, aC, nBig), LSMC_OK);
  ck_assert_int_eq(lsmc_get_batch(pDb, 0, p, "k1", 2, &pVal, &nVal), LSMC_OK);
  ck_assert(nVal==nBig && memcmp(pVal, aC, nBig)==0);
  lsmc_free(pDb, pVal);
  ck_assert_int_eq(lsmc_get_batch(pDb, 0, p, "k3", 2, &pVal, &nVal), LSMC_OK);
  ck_assert(nVal==nBig && memcmp(pVal, aA, nBig)==0);
  lsmc_free(pDb, pVal);
  ck_assert_int_eq(lsmc_iter_open_batch(pDb, 0, p, 0, 0, 0, 0, &pIter),
                   LSMC_OK);
  ck_assert_int_eq(lsmc_iter_first(pIter), LSMC_OK);
  pIt = lsmc_iter_value(pIter, &nVal);
  ck_assert(nVal==nBig && memcmp(pIt, aC, nBig)==0);
  ck_assert_int_eq(lsmc_iter_next(pIter), LSMC_OK);
  pIt = lsmc_iter_value(pIter, &nVal);
  ck_assert(nVal==nBig && memcmp(pIt, aB, nBig)==0);
  ck_assert_int_eq(lsmc_iter_next(pIter), LSMC_OK);
  pIt = lsmc_iter_value(pIter, &nVal);
  ck_assert(nVal==nBig && memcmp(pIt, aA, nBig)==0);
  ck_assert_int_eq(lsmc_iter_prev(pIter), LSMC_OK);
  pIt = lsmc_iter_value(pIter, &nVal);
  ck_assert(nVal==nBig && memcmp(pIt, aB, nBig)==0);
  ck_assert_int_eq(lsmc_iter_prev(pIter), LSMC_OK);
  ck_assert_int_eq(memcmp(lsmc_iter_key(pIter, &nKey), "k1", 2), 0);
  pIt = lsmc_iter_value(pIter, &nVal);
  ck_assert(nVal==nBig && memcmp(pIt, aC, nBig)==0);
  lsmc_iter_close(pIter);
  ck_assert_int_eq(lsmc_write(pDb, p, LSMC_SYNC_DEFAULT), LSMC_OK);
  lsmc_batch_clear(p);
  ck_assert_int_eq(lsmc_get_batch(pDb, 0, p, "k2", 2, &pVal, &nVal), LSMC_OK);
  ck_assert(nVal==nBig && memcmp(pVal, aB, nBig)==0);
  lsmc_free(pDb, pVal);
  lsmc_batch_free(p);
  ck_assert_int_eq(lsmc_close(pDb), LSMC_OK);
  testDirFree(&dir);
  free(aA); free(aB); free(aC);
}
END_TEST

/* An env that counts allocations (the default env otherwise). */
typedef struct CountEnv CountEnv;
struct CountEnv {
  lsmc_env base;                  /* Must be first: handed to the engine */
  long nAlloc;                    /* xMalloc and xRealloc calls */
};
static void *countMalloc(lsmc_env *pEnv, size_t n){
  ((CountEnv*)pEnv)->nAlloc++;
  return lsmc_default_env()->xMalloc(lsmc_default_env(), n);
}
static void *countRealloc(lsmc_env *pEnv, void *p, size_t n){
  ((CountEnv*)pEnv)->nAlloc++;
  return lsmc_default_env()->xRealloc(lsmc_default_env(), p, n);
}
static void countFree(lsmc_env *pEnv, void *p){
  (void)pEnv;
  lsmc_default_env()->xFree(lsmc_default_env(), p);
}

/* One pass: forward, backward, seeks and direction switches. */
static long allocPass(lsmc_iter *pIter){
  long nStep = 0;
  int k;
  ck_assert_int_eq(lsmc_iter_first(pIter), LSMC_OK);
  while( lsmc_iter_valid(pIter) ){
    ck_assert_int_eq(lsmc_iter_next(pIter), LSMC_OK);
    nStep++;
  }
  ck_assert_int_eq(lsmc_iter_last(pIter), LSMC_OK);
  while( lsmc_iter_valid(pIter) ){
    ck_assert_int_eq(lsmc_iter_prev(pIter), LSMC_OK);
    nStep++;
  }
  ck_assert_int_eq(lsmc_iter_seek(pIter, "k0100", 5, LSMC_SEEK_GE), LSMC_OK);
  for(k=0; k<100 && lsmc_iter_valid(pIter); k++){
    ck_assert_int_eq((k%3)==2 ? lsmc_iter_prev(pIter) : lsmc_iter_next(pIter),
                     LSMC_OK);
    nStep++;
  }
  return nStep;
}

/*
** Steady state allocates nothing: once the iterator's buffers have grown,
** a second pass of the same walk (with direction switches) through a
** batch makes no allocation.
*/
START_TEST(test_txn_no_alloc){
  CountEnv env;
  TestDir dir;
  lsmc_options *pOpts = 0;
  lsmc_db *pDb = 0;
  lsmc_batch *p = 0;
  lsmc_iter *pIter = 0;
  char zKey[16];
  long nBefore, nStep;
  int i;
  env.base = *lsmc_default_env();
  env.base.xMalloc = countMalloc;
  env.base.xRealloc = countRealloc;
  env.base.xFree = countFree;
  env.nAlloc = 0;
  testDirNew(&dir, "txnalloc");
  ck_assert_int_eq(lsmc_options_new(&pOpts), LSMC_OK);
  lsmc_options_set(pOpts, LSMC_OPT_BACKGROUND, 0);
  lsmc_options_set_env(pOpts, &env.base);
  ck_assert_int_eq(lsmc_open(dir.zPath, pOpts, &pDb), LSMC_OK);
  lsmc_options_free(pOpts);
  ck_assert_int_eq(lsmc_batch_new(&p), LSMC_OK);
  for(i=0; i<400; i++){
    snprintf(zKey, sizeof(zKey), "k%04d", i);
    if( i%2==0 ) putStr(pDb, zKey, "store");
    if( i%3==0 ) bputStr(p, zKey, "batch");
    if( i%5==0 ) bdelStr(p, zKey);
  }
  ck_assert_int_eq(lsmc_iter_open_batch(pDb, 0, p, 0, 0, 0, 0, &pIter),
                   LSMC_OK);
  allocPass(pIter);
  nBefore = env.nAlloc;
  nStep = allocPass(pIter);
  printf("txn: %ld steps of a warm iterator through a batch made %ld "
         "allocations\n", nStep, env.nAlloc - nBefore);
  ck_assert_int_eq(env.nAlloc - nBefore, 0);
  ck_assert_int_gt(nStep, 300);
  lsmc_iter_close(pIter);
  lsmc_batch_free(p);
  ck_assert_int_eq(lsmc_close(pDb), LSMC_OK);
  testDirFree(&dir);
}
END_TEST

int main(void){
  Suite *s = suite_create("txn");
  TCase *tcDirected = tcase_create("directed");
  TCase *tcModel = tcase_create("model");
  SRunner *sr;
  int nFail;
  tcase_add_test(tcDirected, test_txn_stability);
  tcase_add_test(tcDirected, test_txn_commit);
  tcase_add_test(tcDirected, test_txn_prefix);
  tcase_add_test(tcDirected, test_txn_delete_all);
  tcase_add_test(tcDirected, test_txn_big_values);
  tcase_add_test(tcDirected, test_txn_no_alloc);
  tcase_set_timeout(tcDirected, 120);
  tcase_add_test(tcModel, test_txn_model);
  tcase_set_timeout(tcModel, 3000);
  suite_add_tcase(s, tcDirected);
  suite_add_tcase(s, tcModel);
  sr = srunner_create(s);
  srunner_run_all(sr, CK_NORMAL);
  nFail = srunner_ntests_failed(sr);
  srunner_free(sr);
  return nFail==0 ? 0 : 1;
}
