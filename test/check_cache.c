/*
** check_cache.c -- unit tests of the sharded LRU cache (cache.c).
**
** Covered: hits, misses and the statistics; exact LRU eviction order and
** exact usage accounting within one shard (keys chosen with
** lsmcCacheShardOf); referenced entries surviving eviction pressure and
** being deleted exactly once after their release; insert over an existing
** key; Erase and EraseId; capacity 0; SetCapacity shrinking; NewId; an
** allocation failure in Insert; the shared cache's reference count and
** capacity raise; and 4 threads x 10^5 random lookups, inserts, releases
** and erases, checking that every value read belongs to the key looked up
** and that every inserted value is deleted exactly once.  Every test counts
** deleter calls per value (a second call fails the test).
*/
#include "cache.h"
#include "testutil.h"

#include <check.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>

#define TVAL_MAGIC  0x5ca1ab1e0ddba11ull   /* A live test value */
#define TVAL_DEAD   0xdeadull              /* A deleted heap value */

/* A test value: records its key and how often it was deleted. */
typedef struct TVal TVal;
struct TVal {
  u64 magic;         /* TVAL_MAGIC while live */
  u64 iId;           /* Key it was inserted under */
  u64 iOff;          /* Key it was inserted under */
  _Atomic int nDel;  /* Deleter calls seen (must end at exactly 1) */
  int bHeap;         /* Freed by the deleter (thread test) */
};

/* Deleter context: counts every deletion. */
typedef struct TCtx TCtx;
struct TCtx {
  _Atomic u64 nDel;  /* Deleter calls */
};

static lsmc_env *tEnv(void){ return lsmc_default_env(); }

static void tDelete(void *pCtx, void *pValue){
  TCtx *pC = (TCtx*)pCtx;
  TVal *pV = (TVal*)pValue;
  ck_assert_uint_eq(pV->magic, TVAL_MAGIC);
  ck_assert_int_eq(atomic_fetch_add(&pV->nDel, 1), 0);
  atomic_fetch_add(&pC->nDel, 1);
  if( pV->bHeap ){
    pV->magic = TVAL_DEAD;
    free(pV);
  }
}

static void tValInit(TVal *p, u64 iId, u64 iOff){
  p->magic = TVAL_MAGIC;
  p->iId = iId;
  p->iOff = iOff;
  atomic_init(&p->nDel, 0);
  p->bHeap = 0;
}

/* Insert a test value, keeping (ppH non-NULL) or not a handle. */
static void tInsert(Cache *pCache, TCtx *pC, TVal *pV, u64 iId, u64 iOff,
                    size_t nCharge, CacheHandle **ppH){
  tValInit(pV, iId, iOff);
  ck_assert_int_eq(lsmcCacheInsert(pCache, iId, iOff, pV, nCharge, tDelete,
                                   pC, ppH), LSMC_OK);
  if( ppH ) ck_assert_ptr_eq(lsmcCacheValue(*ppH), pV);
}

/* True if (iId, iOff) is found, and its value is pV. */
static int tHas(Cache *pCache, u64 iId, u64 iOff, TVal *pV){
  CacheHandle *h = lsmcCacheLookup(pCache, iId, iOff);
  int bRet = 0;
  if( h ){
    ck_assert_ptr_eq(lsmcCacheValue(h), pV);
    bRet = 1;
    lsmcCacheRelease(h);
  }
  return bRet;
}

/* Offsets (with id iId) of the first n keys that fall in shard iShard. */
static void tShardKeys(u64 iId, int iShard, u64 *aOff, int n){
  u64 iOff = 0;
  int i = 0;
  while( i<n ){
    if( lsmcCacheShardOf(iId, iOff)==iShard ) aOff[i++] = iOff;
    iOff += 4096;
  }
}

START_TEST(test_hit_miss){
  Cache *pCache;
  TCtx c = {0};
  TVal v1, v2;
  CacheHandle *h;
  CacheStats st;
  ck_assert_int_eq(lsmcCacheNew(tEnv(), 1<<20, &pCache), LSMC_OK);
  ck_assert_ptr_null(lsmcCacheLookup(pCache, 1, 0));
  tInsert(pCache, &c, &v1, 1, 0, 100, &h);
  lsmcCacheRelease(h);
  tInsert(pCache, &c, &v2, 2, 0, 50, 0);
  ck_assert(tHas(pCache, 1, 0, &v1));
  ck_assert(tHas(pCache, 2, 0, &v2));
  ck_assert(!tHas(pCache, 1, 4096, 0));
  ck_assert(!tHas(pCache, 3, 0, 0));
  ck_assert_uint_eq(lsmcCacheTotalCharge(pCache), 150);
  lsmcCacheStats(pCache, &st);
  ck_assert_uint_eq(st.nHit, 2);
  ck_assert_uint_eq(st.nMiss, 3);
  ck_assert_uint_eq(st.nInsert, 2);
  ck_assert_uint_eq(st.nEvict, 0);
  ck_assert_uint_eq(c.nDel, 0);
  lsmcCacheFree(pCache);
  ck_assert_uint_eq(c.nDel, 2);
  ck_assert_int_eq(v1.nDel, 1);
  ck_assert_int_eq(v2.nDel, 1);
}
END_TEST

/*
** Capacity 16*100: shard 3 holds 100 bytes.  Ten entries of 10 fill it;
** each further insert evicts exactly the least recently used.
*/
START_TEST(test_lru_order){
  Cache *pCache;
  TCtx c = {0};
  TVal a[16], vOther;
  u64 aOff[16];
  CacheStats st;
  int i;
  tShardKeys(7, 3, aOff, 16);
  ck_assert_int_eq(lsmcCacheNew(tEnv(), 16*100, &pCache), LSMC_OK);
  for(i=0; i<10; i++) tInsert(pCache, &c, &a[i], 7, aOff[i], 10, 0);
  ck_assert_uint_eq(lsmcCacheTotalCharge(pCache), 100);
  ck_assert_uint_eq(c.nDel, 0);

  /* Touch entry 0: now entry 1 is the oldest. */
  ck_assert(tHas(pCache, 7, aOff[0], &a[0]));
  tInsert(pCache, &c, &a[10], 7, aOff[10], 10, 0);
  ck_assert_uint_eq(c.nDel, 1);
  ck_assert_int_eq(a[1].nDel, 1);
  ck_assert(!tHas(pCache, 7, aOff[1], 0));
  ck_assert(tHas(pCache, 7, aOff[0], &a[0]));
  ck_assert_uint_eq(lsmcCacheTotalCharge(pCache), 100);

  /* 25 bytes more: 2, 3 and 4 go (usage 125 -> 95). */
  tInsert(pCache, &c, &a[11], 7, aOff[11], 25, 0);
  ck_assert_uint_eq(c.nDel, 4);
  for(i=2; i<=4; i++){
    ck_assert_int_eq(a[i].nDel, 1);
    ck_assert(!tHas(pCache, 7, aOff[i], 0));
  }
  for(i=5; i<=11; i++) ck_assert(tHas(pCache, 7, aOff[i], &a[i]));
  ck_assert(tHas(pCache, 7, aOff[0], &a[0]));
  ck_assert_uint_eq(lsmcCacheTotalCharge(pCache), 95);

  /* Another shard has its own budget. */
  {
    u64 iOther;
    tShardKeys(7, 9, &iOther, 1);
    tInsert(pCache, &c, &vOther, 7, iOther, 100, 0);
    ck_assert_uint_eq(lsmcCacheTotalCharge(pCache), 195);
    ck_assert_uint_eq(c.nDel, 4);
  }
  /* An unreferenced entry larger than the shard's share: nothing stays. */
  tInsert(pCache, &c, &a[12], 7, aOff[12], 101, 0);
  ck_assert_int_eq(a[12].nDel, 1);
  ck_assert_uint_eq(lsmcCacheTotalCharge(pCache), 100);   /* Shard 3 empty */
  ck_assert_uint_eq(c.nDel, 4+9);      /* It pushed out all 8 others too */
  lsmcCacheStats(pCache, &st);
  ck_assert_uint_eq(st.nEvict, 13);
  ck_assert_uint_eq(st.nInsert, 14);
  lsmcCacheFree(pCache);
  ck_assert_uint_eq(c.nDel, 14);
  for(i=0; i<13; i++) ck_assert_int_eq(a[i].nDel, 1);
}
END_TEST

START_TEST(test_referenced_survive){
  Cache *pCache;
  TCtx c = {0};
  TVal vA, a[10];
  u64 aOff[11];
  CacheHandle *hA, *hA2;
  int i;
  tShardKeys(1, 0, aOff, 11);
  ck_assert_int_eq(lsmcCacheNew(tEnv(), 16*100, &pCache), LSMC_OK);
  tInsert(pCache, &c, &vA, 1, aOff[10], 50, &hA);
  for(i=0; i<10; i++) tInsert(pCache, &c, &a[i], 1, aOff[i], 30, 0);
  /* A (50, in use) stays; only one 30-byte entry fits beside it. */
  ck_assert_uint_eq(lsmcCacheTotalCharge(pCache), 80);
  ck_assert_uint_eq(c.nDel, 9);
  ck_assert_int_eq(vA.nDel, 0);
  ck_assert(tHas(pCache, 1, aOff[10], &vA));
  ck_assert(tHas(pCache, 1, aOff[9], &a[9]));

  /* Erased while referenced: gone from lookups, alive until released. */
  hA2 = lsmcCacheLookup(pCache, 1, aOff[10]);
  ck_assert_ptr_nonnull(hA2);
  lsmcCacheErase(pCache, 1, aOff[10]);
  ck_assert(!tHas(pCache, 1, aOff[10], 0));
  ck_assert_uint_eq(lsmcCacheTotalCharge(pCache), 30);
  ck_assert_int_eq(vA.nDel, 0);
  ck_assert_ptr_eq(lsmcCacheValue(hA), &vA);
  lsmcCacheRelease(hA);
  ck_assert_int_eq(vA.nDel, 0);
  lsmcCacheRelease(hA2);
  ck_assert_int_eq(vA.nDel, 1);
  ck_assert_uint_eq(c.nDel, 10);

  /* Over capacity while referenced: evicted when the handle goes. */
  tInsert(pCache, &c, &vA, 1, aOff[10], 90, &hA);
  ck_assert_uint_eq(lsmcCacheTotalCharge(pCache), 90);   /* a[9] evicted */
  ck_assert_int_eq(a[9].nDel, 1);
  lsmcCacheSetCapacity(pCache, 16*50);
  ck_assert_int_eq(vA.nDel, 0);
  ck_assert(tHas(pCache, 1, aOff[10], &vA));
  lsmcCacheRelease(hA);
  ck_assert_int_eq(vA.nDel, 1);
  ck_assert_uint_eq(lsmcCacheTotalCharge(pCache), 0);
  ck_assert_uint_eq(c.nDel, 12);
  lsmcCacheFree(pCache);
  ck_assert_uint_eq(c.nDel, 12);
}
END_TEST

START_TEST(test_replace){
  Cache *pCache;
  TCtx c = {0};
  TVal v1, v2, v3;
  CacheHandle *h1, *h2;
  ck_assert_int_eq(lsmcCacheNew(tEnv(), 1<<20, &pCache), LSMC_OK);
  tInsert(pCache, &c, &v1, 5, 8192, 100, &h1);
  tInsert(pCache, &c, &v2, 5, 8192, 40, &h2);
  ck_assert(tHas(pCache, 5, 8192, &v2));
  ck_assert_ptr_eq(lsmcCacheValue(h1), &v1);
  ck_assert_uint_eq(lsmcCacheTotalCharge(pCache), 40);
  ck_assert_int_eq(v1.nDel, 0);
  lsmcCacheRelease(h1);
  ck_assert_int_eq(v1.nDel, 1);
  lsmcCacheRelease(h2);
  ck_assert_int_eq(v2.nDel, 0);
  ck_assert(tHas(pCache, 5, 8192, &v2));
  /* Replacing an unreferenced entry deletes it at once. */
  tInsert(pCache, &c, &v3, 5, 8192, 7, 0);
  ck_assert_int_eq(v2.nDel, 1);
  ck_assert(tHas(pCache, 5, 8192, &v3));
  ck_assert_uint_eq(lsmcCacheTotalCharge(pCache), 7);
  ck_assert_uint_eq(c.nDel, 2);
  lsmcCacheFree(pCache);
  ck_assert_uint_eq(c.nDel, 3);
}
END_TEST

START_TEST(test_erase){
  Cache *pCache;
  TCtx c = {0};
  TVal a[3][50];
  CacheStats st;
  u64 iId;
  int i;
  ck_assert_int_eq(lsmcCacheNew(tEnv(), 1<<20, &pCache), LSMC_OK);
  for(iId=1; iId<=3; iId++){
    for(i=0; i<50; i++){
      tInsert(pCache, &c, &a[iId-1][i], iId, (u64)i*4096, iId, 0);
    }
  }
  ck_assert_uint_eq(lsmcCacheTotalCharge(pCache), 50*(1+2+3));
  lsmcCacheEraseId(pCache, 2);
  ck_assert_uint_eq(c.nDel, 50);
  ck_assert_uint_eq(lsmcCacheTotalCharge(pCache), 50*(1+3));
  for(i=0; i<50; i++){
    ck_assert(tHas(pCache, 1, (u64)i*4096, &a[0][i]));
    ck_assert(!tHas(pCache, 2, (u64)i*4096, 0));
    ck_assert(tHas(pCache, 3, (u64)i*4096, &a[2][i]));
    ck_assert_int_eq(a[1][i].nDel, 1);
  }
  lsmcCacheEraseId(pCache, 2);          /* Nothing left of id 2 */
  lsmcCacheEraseId(pCache, 99);
  ck_assert_uint_eq(c.nDel, 50);
  lsmcCacheErase(pCache, 3, 4096);
  ck_assert_int_eq(a[2][1].nDel, 1);
  ck_assert(!tHas(pCache, 3, 4096, 0));
  lsmcCacheErase(pCache, 3, 4096);      /* Absent: no-op */
  lsmcCacheErase(pCache, 3, 4097);
  ck_assert_uint_eq(c.nDel, 51);
  ck_assert_uint_eq(lsmcCacheTotalCharge(pCache), 50*(1+3) - 3);
  lsmcCacheStats(pCache, &st);
  ck_assert_uint_eq(st.nEvict, 0);     /* Erasure is not eviction */
  lsmcCacheFree(pCache);
  ck_assert_uint_eq(c.nDel, 150);
}
END_TEST

START_TEST(test_capacity_zero){
  Cache *pCache;
  TCtx c = {0};
  TVal v1, v2, v3;
  CacheHandle *h1, *h3;
  ck_assert_int_eq(lsmcCacheNew(tEnv(), 0, &pCache), LSMC_OK);
  tInsert(pCache, &c, &v1, 1, 0, 10, &h1);
  ck_assert(!tHas(pCache, 1, 0, 0));
  ck_assert_uint_eq(lsmcCacheTotalCharge(pCache), 0);
  ck_assert_int_eq(v1.nDel, 0);
  ck_assert_ptr_eq(lsmcCacheValue(h1), &v1);
  lsmcCacheRelease(h1);
  ck_assert_int_eq(v1.nDel, 1);
  tInsert(pCache, &c, &v2, 1, 0, 10, 0);    /* No handle: deleted at once */
  ck_assert_int_eq(v2.nDel, 1);
  /* Raised later: caching works again. */
  lsmcCacheSetCapacity(pCache, 1000);
  tInsert(pCache, &c, &v3, 1, 0, 10, &h3);
  lsmcCacheRelease(h3);
  ck_assert(tHas(pCache, 1, 0, &v3));
  ck_assert_uint_eq(c.nDel, 2);
  /* Dropped to 0 while v3 is referenced: an insert at capacity 0 of the
  ** same key must not leave the stale v3 findable. */
  h3 = lsmcCacheLookup(pCache, 1, 0);
  lsmcCacheSetCapacity(pCache, 0);
  ck_assert(tHas(pCache, 1, 0, &v3));
  tInsert(pCache, &c, &v1, 1, 0, 10, &h1);
  ck_assert(!tHas(pCache, 1, 0, 0));
  ck_assert_uint_eq(lsmcCacheTotalCharge(pCache), 0);
  lsmcCacheRelease(h1);
  lsmcCacheRelease(h3);
  ck_assert_int_eq(v1.nDel, 1);
  ck_assert_int_eq(v3.nDel, 1);
  ck_assert_uint_eq(c.nDel, 4);
  lsmcCacheFree(pCache);
  ck_assert_uint_eq(c.nDel, 4);
}
END_TEST

START_TEST(test_set_capacity){
  Cache *pCache;
  TCtx c = {0};
  TVal a[256];
  CacheStats st;
  u64 nTotal;
  int i, nLive;
  ck_assert_int_eq(lsmcCacheNew(tEnv(), 16*1000, &pCache), LSMC_OK);
  ck_assert_uint_eq(lsmcCacheCapacity(pCache), 16000);
  for(i=0; i<256; i++) tInsert(pCache, &c, &a[i], 4, (u64)i*4096, 10, 0);
  ck_assert_uint_eq(lsmcCacheTotalCharge(pCache), 2560);
  ck_assert_uint_eq(c.nDel, 0);
  lsmcCacheSetCapacity(pCache, 16*50);
  ck_assert_uint_eq(lsmcCacheCapacity(pCache), 800);
  nTotal = lsmcCacheTotalCharge(pCache);
  ck_assert_uint_le(nTotal, 800);
  ck_assert_uint_eq(nTotal, 2560 - 10*c.nDel);
  lsmcCacheStats(pCache, &st);
  ck_assert_uint_eq(st.nEvict, c.nDel);
  nLive = 0;
  for(i=0; i<256; i++){
    int bHas = tHas(pCache, 4, (u64)i*4096, &a[i]);
    ck_assert_int_eq(bHas, a[i].nDel==0);
    nLive += bHas;
  }
  ck_assert_uint_eq(nTotal, 10*(u64)nLive);
  lsmcCacheSetCapacity(pCache, 0);
  ck_assert_uint_eq(lsmcCacheTotalCharge(pCache), 0);
  ck_assert_uint_eq(c.nDel, 256);
  lsmcCacheFree(pCache);
  ck_assert_uint_eq(c.nDel, 256);
}
END_TEST

START_TEST(test_new_id){
  Cache *pCache;
  u64 i1, i2, i3;
  ck_assert_int_eq(lsmcCacheNew(tEnv(), 100, &pCache), LSMC_OK);
  i1 = lsmcCacheNewId(pCache);
  i2 = lsmcCacheNewId(pCache);
  i3 = lsmcCacheNewId(pCache);
  ck_assert_uint_ne(i1, 0);
  ck_assert_uint_gt(i2, i1);
  ck_assert_uint_gt(i3, i2);
  lsmcCacheFree(pCache);
}
END_TEST

/* An env whose xMalloc fails after nOk successful calls. */
typedef struct FailEnv FailEnv;
struct FailEnv {
  lsmc_env base;     /* Copy of the default env; must be first */
  int nOk;           /* Allocations still allowed */
};

static void *failMalloc(lsmc_env *pEnv, size_t n){
  FailEnv *p = (FailEnv*)pEnv;
  if( p->nOk<=0 ) return 0;
  p->nOk--;
  return lsmc_default_env()->xMalloc(lsmc_default_env(), n);
}

START_TEST(test_nomem){
  FailEnv e;
  Cache *pCache = 0;
  TCtx c = {0};
  TVal v;
  CacheHandle *h = (CacheHandle*)&v;
  int n;
  e.base = *lsmc_default_env();
  e.base.xMalloc = failMalloc;
  /* Every failure point of lsmcCacheNew returns NOMEM and leaks nothing. */
  for(n=0; n<=LSMC_CACHE_NSHARD; n++){
    e.nOk = n;
    ck_assert_int_eq(lsmcCacheNew(&e.base, 100, &pCache), LSMC_NOMEM);
    ck_assert_ptr_null(pCache);
  }
  e.nOk = LSMC_CACHE_NSHARD+1;
  ck_assert_int_eq(lsmcCacheNew(&e.base, 100, &pCache), LSMC_OK);
  tValInit(&v, 1, 1);
  ck_assert_int_eq(lsmcCacheInsert(pCache, 1, 1, &v, 1, tDelete, &c, &h),
                   LSMC_NOMEM);
  ck_assert_ptr_null(h);
  ck_assert_int_eq(v.nDel, 1);
  ck_assert(!tHas(pCache, 1, 1, 0));
  lsmcCacheFree(pCache);
  ck_assert_uint_eq(c.nDel, 1);
}
END_TEST

START_TEST(test_shared){
  Cache *p1, *p2, *p3, *p4;
  TCtx c = {0};
  TVal v;
  ck_assert_int_eq(lsmcCacheShared(1000, &p1), LSMC_OK);
  ck_assert_uint_eq(lsmcCacheCapacity(p1), 1000);
  ck_assert_int_eq(lsmcCacheShared(5000, &p2), LSMC_OK);
  ck_assert_ptr_eq(p1, p2);
  ck_assert_uint_eq(lsmcCacheCapacity(p1), 5000);
  ck_assert_int_eq(lsmcCacheShared(2000, &p3), LSMC_OK);
  ck_assert_ptr_eq(p1, p3);
  ck_assert_uint_eq(lsmcCacheCapacity(p1), 5000);
  tInsert(p1, &c, &v, 1, 0, 10, 0);
  ck_assert(tHas(p2, 1, 0, &v));
  lsmcCacheSharedRelease(p2);
  lsmcCacheSharedRelease(p1);
  ck_assert(tHas(p3, 1, 0, &v));         /* Still alive: one user left */
  ck_assert_int_eq(v.nDel, 0);
  lsmcCacheSharedRelease(p3);
  ck_assert_int_eq(v.nDel, 1);           /* Last release freed it */
  ck_assert_int_eq(lsmcCacheShared(300, &p4), LSMC_OK);
  ck_assert_uint_eq(lsmcCacheCapacity(p4), 300);   /* A fresh cache */
  ck_assert(!tHas(p4, 1, 0, 0));
  lsmcCacheSharedRelease(p4);
  ck_assert_uint_eq(c.nDel, 1);
}
END_TEST

/* ---- Concurrency ---- */

#define MT_THREADS   4
#define MT_OPS       100000
#define MT_IDS       4
#define MT_OFFS      400
#define MT_HOLD      4        /* Handles a thread may hold at once */

/* Shared by the worker threads of one run. */
typedef struct MtShared MtShared;
struct MtShared {
  Cache *pCache;            /* Cache under test */
  TCtx ctx;                 /* Deletion counter */
  _Atomic u64 nInsert;      /* Successful inserts */
  _Atomic u64 nLookup;      /* Lookups */
  _Atomic u64 nBad;         /* Values that did not match their key */
};

/* One worker's arguments. */
typedef struct MtArg MtArg;
struct MtArg {
  MtShared *pS;             /* Shared state */
  u64 iSeed;                /* Generator seed */
};

/* Check a held handle's value against its key. */
static void mtCheck(MtShared *pS, CacheHandle *h, u64 iId, u64 iOff){
  TVal *pV = (TVal*)lsmcCacheValue(h);
  if( pV->magic!=TVAL_MAGIC || pV->iId!=iId || pV->iOff!=iOff
   || atomic_load(&pV->nDel)!=0 ){
    atomic_fetch_add(&pS->nBad, 1);
  }
}

static void *mtWorker(void *pArg){
  MtArg *pA = (MtArg*)pArg;
  MtShared *pS = pA->pS;
  CacheHandle *aHold[MT_HOLD] = {0};
  u64 aKey[MT_HOLD][2];
  TestRng rng;
  int i, j;
  testRngSeed(&rng, pA->iSeed);
  for(i=0; i<MT_OPS; i++){
    u32 r = testRngBelow(&rng, 10000);
    u64 iId = 1 + testRngBelow(&rng, MT_IDS);
    u64 iOff = 4096*(u64)testRngBelow(&rng, MT_OFFS);
    int iSlot = (int)testRngBelow(&rng, MT_HOLD);
    CacheHandle *h = 0;
    if( r<5500 ){
      atomic_fetch_add(&pS->nLookup, 1);
      h = lsmcCacheLookup(pS->pCache, iId, iOff);
    }else if( r<9500 ){
      TVal *pV = malloc(sizeof(TVal));
      ck_assert_ptr_nonnull(pV);
      tValInit(pV, iId, iOff);
      pV->bHeap = 1;
      ck_assert_int_eq(lsmcCacheInsert(pS->pCache, iId, iOff, pV,
                       1 + testRngBelow(&rng, 100), tDelete, &pS->ctx, &h),
                       LSMC_OK);
      atomic_fetch_add(&pS->nInsert, 1);
    }else if( r<9990 ){
      lsmcCacheErase(pS->pCache, iId, iOff);
    }else if( r<9995 ){
      lsmcCacheEraseId(pS->pCache, iId);
    }else{
      lsmcCacheSetCapacity(pS->pCache, r&1 ? 16*2000 : 16*500);
    }
    if( h ){
      mtCheck(pS, h, iId, iOff);
      /* Keep it a while in a random slot, checking it again on release. */
      if( aHold[iSlot] ){
        mtCheck(pS, aHold[iSlot], aKey[iSlot][0], aKey[iSlot][1]);
        lsmcCacheRelease(aHold[iSlot]);
      }
      aHold[iSlot] = h;
      aKey[iSlot][0] = iId;
      aKey[iSlot][1] = iOff;
    }
  }
  for(j=0; j<MT_HOLD; j++){
    if( aHold[j] ){
      mtCheck(pS, aHold[j], aKey[j][0], aKey[j][1]);
      lsmcCacheRelease(aHold[j]);
    }
  }
  return 0;
}

START_TEST(test_threads){
  MtShared s;
  MtArg aArg[MT_THREADS];
  pthread_t aThread[MT_THREADS];
  CacheStats st;
  u64 nDelBefore;
  int i;
  memset(&s, 0, sizeof(s));
  ck_assert_int_eq(lsmcCacheNew(tEnv(), 16*2000, &s.pCache), LSMC_OK);
  for(i=0; i<MT_THREADS; i++){
    aArg[i].pS = &s;
    aArg[i].iSeed = 0x1234 + (u64)i;
    ck_assert_int_eq(pthread_create(&aThread[i], 0, mtWorker, &aArg[i]), 0);
  }
  for(i=0; i<MT_THREADS; i++) pthread_join(aThread[i], 0);
  ck_assert_uint_eq(s.nBad, 0);
  lsmcCacheStats(s.pCache, &st);
  ck_assert_uint_eq(st.nInsert, s.nInsert);
  ck_assert_uint_eq(st.nHit + st.nMiss, s.nLookup);
  ck_assert_uint_gt(st.nHit, 0);
  ck_assert_uint_gt(st.nEvict, 0);
  ck_assert_uint_le(lsmcCacheTotalCharge(s.pCache), 16*2000);
  nDelBefore = s.ctx.nDel;
  ck_assert_uint_lt(nDelBefore, s.nInsert);
  lsmcCacheFree(s.pCache);
  ck_assert_uint_eq(s.ctx.nDel, s.nInsert);
  printf("cache threads: %d x %d ops: %llu inserts, %llu hits, %llu misses, "
         "%llu evictions\n", MT_THREADS, MT_OPS,
         (unsigned long long)st.nInsert, (unsigned long long)st.nHit,
         (unsigned long long)st.nMiss, (unsigned long long)st.nEvict);
}
END_TEST

static Suite *cacheSuite(void){
  Suite *s = suite_create("cache");
  TCase *tc = tcase_create("basic");
  TCase *tcMt = tcase_create("threads");
  tcase_add_test(tc, test_hit_miss);
  tcase_add_test(tc, test_lru_order);
  tcase_add_test(tc, test_referenced_survive);
  tcase_add_test(tc, test_replace);
  tcase_add_test(tc, test_erase);
  tcase_add_test(tc, test_capacity_zero);
  tcase_add_test(tc, test_set_capacity);
  tcase_add_test(tc, test_new_id);
  tcase_add_test(tc, test_nomem);
  tcase_add_test(tc, test_shared);
  suite_add_tcase(s, tc);
  tcase_set_timeout(tcMt, 300);
  tcase_add_test(tcMt, test_threads);
  suite_add_tcase(s, tcMt);
  return s;
}

int main(void){
  SRunner *sr = srunner_create(cacheSuite());
  int nFail;
  srunner_run_all(sr, CK_NORMAL);
  nFail = srunner_ntests_failed(sr);
  srunner_free(sr);
  return nFail==0 ? 0 : 1;
}
