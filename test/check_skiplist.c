/*
** check_skiplist.c -- unit tests of the arena skiplist (skiplist.c).
**
** Entries are 16 bytes in the arena: a u64 key and a u64 check word
** derived from the key (native order; the list never looks inside).  The
** comparator orders by key.  Covered: the empty list; 10^5 random keys
** inserted in random order and compared with a sorted array by forward
** and backward iteration, Seek to every key, between keys and beyond both
** ends, First/Last and Contains; OOM from the arena; and a concurrent test
** in the spirit of LevelDB's ConcurrentTest: one writer inserts while two
** readers iterate, and every reader pass checks strict ordering, that each
** entry it reaches is fully written (its check word matches), and that
** every key published before the pass began is found.
*/
#include "skiplist.h"

#include "testutil.h"

#include <check.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>

/* The check word stored after each key. */
static u64 checkWord(u64 iKey){
  return (iKey * 0x9e3779b97f4a7c15ULL) ^ 0x5bd1e995ULL;
}

static u64 entryKey(const u8 *pEntry){
  u64 iKey;
  memcpy(&iKey, pEntry, sizeof(iKey));
  return iKey;
}

static int entryCompare(void *pCtx, const u8 *pA, const u8 *pB){
  u64 a = entryKey(pA);
  u64 b = entryKey(pB);
  LSMC_UNUSED(pCtx);
  return (a<b) ? -1 : (a>b);
}

/* A stack entry to seek to or look up (no check word needed). */
static const u8 *probe(u8 *aBuf, u64 iKey){
  memcpy(aBuf, &iKey, sizeof(iKey));
  return aBuf;
}

/* Allocate an entry for iKey in the arena; NULL on OOM. */
static const u8 *entryNew(Arena *pArena, u64 iKey){
  u8 *p = lsmcArenaAlloc(pArena, 16);
  u64 iCheck = checkWord(iKey);
  if( p ){
    memcpy(p, &iKey, 8);
    memcpy(p+8, &iCheck, 8);
  }
  return p;
}

static u64 rngNext(u64 *pState){
  u64 x = *pState;
  x ^= x << 13;
  x ^= x >> 7;
  x ^= x << 17;
  return *pState = x;
}

static int u64Cmp(const void *a, const void *b){
  u64 x = *(const u64*)a, y = *(const u64*)b;
  return (x<y) ? -1 : (x>y);
}

/*
** Fill a[0..n) with distinct even keys in [2, 2^41], in random order;
** return how many (duplicates are dropped).  aSorted gets them sorted.
*/
static int makeKeys(u64 *a, u64 *aSorted, int n, u64 iSeed){
  u64 s = iSeed;
  int i, j, nOut = 0;
  for(i=0; i<n; i++) a[i] = 2 + 2*(rngNext(&s) % ((u64)1<<40));
  memcpy(aSorted, a, sizeof(u64)*n);
  qsort(aSorted, n, sizeof(u64), u64Cmp);
  for(i=0; i<n; i++){
    if( i==0 || aSorted[i]!=aSorted[i-1] ) aSorted[nOut++] = aSorted[i];
  }
  memcpy(a, aSorted, sizeof(u64)*nOut);
  for(i=nOut-1; i>0; i--){                /* Fisher-Yates shuffle */
    u64 t;
    j = (int)(rngNext(&s) % (u64)(i+1));
    t = a[i]; a[i] = a[j]; a[j] = t;
  }
  return nOut;
}

START_TEST(test_empty){
  TestMem tm;
  Arena *pArena;
  SkipList *pList;
  SkipIter it;
  u8 aBuf[8];
  testMemInit(&tm);
  ck_assert_int_eq(lsmcArenaNew(&tm.base, &pArena), LSMC_OK);
  ck_assert_int_eq(lsmcSkipNew(pArena, entryCompare, 0, &pList), LSMC_OK);
  ck_assert_int_eq(lsmcSkipContains(pList, probe(aBuf, 7)), 0);
  lsmcSkipIterInit(&it, pList);
  ck_assert_int_eq(lsmcSkipIterValid(&it), 0);
  lsmcSkipIterFirst(&it);
  ck_assert_int_eq(lsmcSkipIterValid(&it), 0);
  lsmcSkipIterLast(&it);
  ck_assert_int_eq(lsmcSkipIterValid(&it), 0);
  lsmcSkipIterSeek(&it, probe(aBuf, 0));
  ck_assert_int_eq(lsmcSkipIterValid(&it), 0);
  lsmcArenaFree(pArena);
  ck_assert_int_eq(tm.nLive, 0);
}
END_TEST

/*
** 10^5 random keys against a sorted array.
*/
START_TEST(test_random){
  enum { N = 100000 };
  TestMem tm;
  Arena *pArena;
  SkipList *pList;
  SkipIter it;
  u8 aBuf[8];
  u64 *aKey = malloc(sizeof(u64)*N);
  u64 *aSorted = malloc(sizeof(u64)*N);
  int n, i;

  testMemInit(&tm);
  n = makeKeys(aKey, aSorted, N, 0x1234567ULL);
  ck_assert_int_gt(n, N-10);
  ck_assert_int_eq(lsmcArenaNew(&tm.base, &pArena), LSMC_OK);
  ck_assert_int_eq(lsmcSkipNew(pArena, entryCompare, 0, &pList), LSMC_OK);
  for(i=0; i<n; i++){
    ck_assert_int_eq(lsmcSkipInsert(pList, entryNew(pArena, aKey[i])), LSMC_OK);
  }
  lsmcSkipIterInit(&it, pList);

  /* Forward. */
  lsmcSkipIterFirst(&it);
  for(i=0; i<n; i++){
    ck_assert(lsmcSkipIterValid(&it));
    ck_assert_uint_eq(entryKey(lsmcSkipIterEntry(&it)), aSorted[i]);
    lsmcSkipIterNext(&it);
  }
  ck_assert_int_eq(lsmcSkipIterValid(&it), 0);

  /* Backward. */
  lsmcSkipIterLast(&it);
  for(i=n-1; i>=0; i--){
    ck_assert(lsmcSkipIterValid(&it));
    ck_assert_uint_eq(entryKey(lsmcSkipIterEntry(&it)), aSorted[i]);
    lsmcSkipIterPrev(&it);
  }
  ck_assert_int_eq(lsmcSkipIterValid(&it), 0);

  /* Seek to every key, and just past it (between two keys, or beyond
  ** the last); the keys are even, so key+1 and key-1 are absent. */
  for(i=0; i<n; i++){
    lsmcSkipIterSeek(&it, probe(aBuf, aSorted[i]));
    ck_assert(lsmcSkipIterValid(&it));
    ck_assert_uint_eq(entryKey(lsmcSkipIterEntry(&it)), aSorted[i]);
    lsmcSkipIterSeek(&it, probe(aBuf, aSorted[i]-1));
    ck_assert(lsmcSkipIterValid(&it));
    ck_assert_uint_eq(entryKey(lsmcSkipIterEntry(&it)), aSorted[i]);
    lsmcSkipIterSeek(&it, probe(aBuf, aSorted[i]+1));
    if( i+1<n ){
      ck_assert(lsmcSkipIterValid(&it));
      ck_assert_uint_eq(entryKey(lsmcSkipIterEntry(&it)), aSorted[i+1]);
    }else{
      ck_assert_int_eq(lsmcSkipIterValid(&it), 0);
    }
    ck_assert_int_eq(lsmcSkipContains(pList, probe(aBuf, aSorted[i])), 1);
    ck_assert_int_eq(lsmcSkipContains(pList, probe(aBuf, aSorted[i]+1)), 0);
  }
  lsmcSkipIterSeek(&it, probe(aBuf, 0));
  ck_assert_uint_eq(entryKey(lsmcSkipIterEntry(&it)), aSorted[0]);

  /* First and Last; Prev from First and Next from Last fall off. */
  lsmcSkipIterFirst(&it);
  ck_assert_uint_eq(entryKey(lsmcSkipIterEntry(&it)), aSorted[0]);
  lsmcSkipIterPrev(&it);
  ck_assert_int_eq(lsmcSkipIterValid(&it), 0);
  lsmcSkipIterLast(&it);
  ck_assert_uint_eq(entryKey(lsmcSkipIterEntry(&it)), aSorted[n-1]);
  lsmcSkipIterNext(&it);
  ck_assert_int_eq(lsmcSkipIterValid(&it), 0);

  lsmcArenaFree(pArena);
  ck_assert_int_eq(tm.nLive, 0);
  free(aKey);
  free(aSorted);
}
END_TEST

/*
** An insert whose node cannot be allocated fails with LSMC_NOMEM and
** leaves the list as it was; so does lsmcSkipNew.
*/
START_TEST(test_oom){
  TestMem tm;
  Arena *pArena;
  SkipList *pList;
  SkipIter it;
  u8 aBuf[8];
  const u8 *pEntry;
  int i, nOdd;
  testMemInit(&tm);
  ck_assert_int_eq(lsmcArenaNew(&tm.base, &pArena), LSMC_OK);
  tm.nFailAt = 1;
  ck_assert_int_eq(lsmcSkipNew(pArena, entryCompare, 0, &pList), LSMC_NOMEM);
  ck_assert_ptr_null(pList);
  ck_assert_int_eq(lsmcSkipNew(pArena, entryCompare, 0, &pList), LSMC_OK);
  for(i=0; i<10; i++){
    ck_assert_int_eq(lsmcSkipInsert(pList, entryNew(pArena, 2*i)), LSMC_OK);
  }
  /* Insert odd keys with every new block failing, until a node does not
  ** fit in the current block; that insert must change nothing. */
  for(i=0; i<100000; i++){
    int rc;
    pEntry = entryNew(pArena, 1001 + 2*(u64)i);
    ck_assert_ptr_nonnull(pEntry);
    tm.nFailAt = 1;
    rc = lsmcSkipInsert(pList, pEntry);
    tm.nFailAt = 0;
    if( rc==LSMC_NOMEM ) break;
    ck_assert_int_eq(rc, LSMC_OK);
  }
  ck_assert_int_lt(i, 100000);
  nOdd = i;
  ck_assert_int_eq(lsmcSkipContains(pList, probe(aBuf, 1001 + 2*(u64)i)), 0);
  lsmcSkipIterInit(&it, pList);
  lsmcSkipIterFirst(&it);
  for(i=0; i<10; i++){
    ck_assert_uint_eq(entryKey(lsmcSkipIterEntry(&it)), 2*i);
    lsmcSkipIterNext(&it);
  }
  for(i=0; i<nOdd; i++){
    ck_assert_uint_eq(entryKey(lsmcSkipIterEntry(&it)), 1001 + 2*(u64)i);
    lsmcSkipIterNext(&it);
  }
  ck_assert_int_eq(lsmcSkipIterValid(&it), 0);
  lsmcArenaFree(pArena);
  ck_assert_int_eq(tm.nLive, 0);
}
END_TEST

/*
** Concurrent test.  The writer inserts aKey[0..nKey) in order and, after
** each insert, publishes the count with a release store.  A reader pass
** reads the count n0 first; then a full forward scan must be strictly
** ascending, see only fully written entries, and see at least n0; a Seek
** to a random published key must find exactly it; a few Prev steps from
** there must descend.  Failures are counted, not asserted, off the main
** thread.
*/
typedef struct Shared Shared;
struct Shared {
  SkipList *pList;                /* List under test */
  const u64 *aKey;                /* Keys in insertion order */
  int nKey;                       /* Size of aKey */
  Arena *pArena;                  /* Where the writer allocates */
  atomic_int nDone;               /* Keys inserted and published */
  atomic_int nFail;               /* Failed reader checks */
  atomic_int nPass;               /* Reader passes completed */
  int nWriterFail;                /* Failed writer inserts */
};

static void *writerMain(void *pArg){
  Shared *p = pArg;
  int i;
  for(i=0; i<p->nKey; i++){
    const u8 *pEntry = entryNew(p->pArena, p->aKey[i]);
    if( pEntry==0 || lsmcSkipInsert(p->pList, pEntry)!=LSMC_OK ){
      p->nWriterFail++;
      break;
    }
    atomic_store_explicit(&p->nDone, i+1, memory_order_release);
  }
  return 0;
}

/* One reader pass; returns the number of failed checks. */
static int readerPass(Shared *p, u64 *pRand){
  SkipIter it;
  u8 aBuf[8];
  int nFail = 0;
  int nSeen = 0;
  u64 iPrev = 0;
  int n0 = atomic_load_explicit(&p->nDone, memory_order_acquire);
  int i;

  lsmcSkipIterInit(&it, p->pList);
  for(lsmcSkipIterFirst(&it); lsmcSkipIterValid(&it); lsmcSkipIterNext(&it)){
    const u8 *pEntry = lsmcSkipIterEntry(&it);
    u64 iKey = entryKey(pEntry);
    u64 iCheck;
    memcpy(&iCheck, pEntry+8, 8);
    if( iCheck!=checkWord(iKey) ) nFail++;
    if( nSeen>0 && iKey<=iPrev ) nFail++;
    iPrev = iKey;
    nSeen++;
  }
  if( nSeen<n0 ) nFail++;

  if( n0>0 ){
    u64 iKey = p->aKey[rngNext(pRand) % (u64)n0];
    lsmcSkipIterSeek(&it, probe(aBuf, iKey));
    if( !lsmcSkipIterValid(&it) || entryKey(lsmcSkipIterEntry(&it))!=iKey ){
      nFail++;
    }else{
      for(i=0; i<5 && lsmcSkipIterValid(&it); i++){
        lsmcSkipIterPrev(&it);
        if( lsmcSkipIterValid(&it) && entryKey(lsmcSkipIterEntry(&it))>=iKey ){
          nFail++;
        }
      }
    }
    if( !lsmcSkipContains(p->pList, probe(aBuf, iKey)) ) nFail++;
  }
  return nFail;
}

static void *readerMain(void *pArg){
  Shared *p = pArg;
  u64 iRand = 0xabcdef12345ULL + (u64)(uintptr_t)&iRand;
  int bLast = 0;
  while( !bLast ){
    /* One more pass after the writer finishes sees the final list. */
    bLast = atomic_load_explicit(&p->nDone, memory_order_acquire)==p->nKey;
    atomic_fetch_add(&p->nFail, readerPass(p, &iRand));
    atomic_fetch_add(&p->nPass, 1);
  }
  return 0;
}

START_TEST(test_concurrent){
  enum { N = 30000, NREADER = 2 };
  TestMem tm;
  Shared s;
  pthread_t aReader[NREADER];
  pthread_t writer;
  u64 *aKey = malloc(sizeof(u64)*N);
  u64 *aSorted = malloc(sizeof(u64)*N);
  SkipIter it;
  int i, nFail, nPass;

  testMemInit(&tm);
  memset(&s, 0, sizeof(s));
  s.nKey = makeKeys(aKey, aSorted, N, 0x77777ULL);
  s.aKey = aKey;
  atomic_init(&s.nDone, 0);
  atomic_init(&s.nFail, 0);
  atomic_init(&s.nPass, 0);
  ck_assert_int_eq(lsmcArenaNew(&tm.base, &s.pArena), LSMC_OK);
  ck_assert_int_eq(lsmcSkipNew(s.pArena, entryCompare, 0, &s.pList), LSMC_OK);

  for(i=0; i<NREADER; i++){
    ck_assert_int_eq(pthread_create(&aReader[i], 0, readerMain, &s), 0);
  }
  ck_assert_int_eq(pthread_create(&writer, 0, writerMain, &s), 0);
  pthread_join(writer, 0);
  for(i=0; i<NREADER; i++) pthread_join(aReader[i], 0);

  nFail = atomic_load(&s.nFail);
  nPass = atomic_load(&s.nPass);
  ck_assert_int_eq(s.nWriterFail, 0);
  ck_assert_int_eq(nFail, 0);
  ck_assert_int_ge(nPass, NREADER);
  /* The final list is exactly the sorted keys. */
  lsmcSkipIterInit(&it, s.pList);
  lsmcSkipIterFirst(&it);
  for(i=0; i<s.nKey; i++){
    ck_assert_uint_eq(entryKey(lsmcSkipIterEntry(&it)), aSorted[i]);
    lsmcSkipIterNext(&it);
  }
  ck_assert_int_eq(lsmcSkipIterValid(&it), 0);
  lsmcArenaFree(s.pArena);
  free(aKey);
  free(aSorted);
}
END_TEST

static Suite *skiplistSuite(void){
  Suite *s = suite_create("skiplist");
  TCase *tc = tcase_create("core");
  tcase_set_timeout(tc, 120);
  tcase_add_test(tc, test_empty);
  tcase_add_test(tc, test_random);
  tcase_add_test(tc, test_oom);
  tcase_add_test(tc, test_concurrent);
  suite_add_tcase(s, tc);
  return s;
}

int main(void){
  SRunner *sr = srunner_create(skiplistSuite());
  int nFail;
  srunner_run_all(sr, CK_NORMAL);
  nFail = srunner_ntests_failed(sr);
  srunner_free(sr);
  return nFail==0 ? 0 : 1;
}
