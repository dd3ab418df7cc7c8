/*
** cache.c -- the sharded LRU cache of cache.h (LevelDB's util/cache.cc
** design, our own code).
**
** A key (iId, iOff) is mixed into a 64-bit hash; its top 4 bits pick one
** of 16 shards, its low bits a bucket of that shard's hash table (chained,
** doubled when it holds more entries than buckets, so chains average under
** one entry; a lookup never allocates).  Each entry is one CacheHandle and
** lives in exactly one of three states:
**   - in the cache, unreferenced: in the hash table and on the shard's LRU
**     list (nRef==1: the cache's own reference), oldest at lru.pNext;
**   - in the cache, referenced: in the table and on the in-use list
**     (nRef>1);
**   - out of the cache (evicted, erased, replaced, or inserted at capacity
**     0) but still referenced: on no list and not in the table (nRef>=1).
** Invariants, per shard under its mutex: nUsage is the sum of the charges
** of the entries in the cache; nElem counts them; an entry leaves the
** cache only through cacheFinishErase; when nRef reaches 0 the entry is out
** of the cache and goes to a garbage list whose deleters run after the
** mutex is released, so a deleter may call back into the cache.  Eviction
** takes from the LRU head while nUsage > nCapacity, after an insert, a
** release or a capacity change; entries on the in-use list are never
** evicted.  The statistics counters are atomics written under the shard
** mutex and read without it.
**
** Thread safety: one mutex per shard guards everything of that shard; no
** call holds two shard mutexes.  The shared cache is guarded by a static
** mutex: together with the static pointer and reference count it guards,
** it is the one intended mutable global of the engine (a process has one
** block-cache budget for all its stores).
*/
#include "cache.h"

#include <pthread.h>
#include <stdatomic.h>

#define CACHE_INIT_BUCKETS 16   /* Buckets of a new shard (a power of 2) */
#define CACHE_SHARD_PAD    64   /* Bytes keeping shards off shared lines */

typedef struct CacheShard CacheShard;

/* One entry; a CacheHandle* handed out is a pointer to its entry. */
struct CacheHandle {
  u64 iId;                  /* Key, first half */
  u64 iOff;                 /* Key, second half */
  u64 iHash;                /* cacheHash(iId, iOff) */
  void *pValue;             /* The cached value (owned) */
  size_t nCharge;           /* Bytes counted against the capacity */
  CacheDeleter xDelete;     /* Deletes pValue */
  void *pCtx;               /* First argument of xDelete */
  CacheShard *pShard;       /* Shard holding this entry */
  CacheHandle *pHashNext;   /* Next in the bucket chain, or on the garbage
                            ** list once the entry has left the table */
  CacheHandle *pNext;       /* LRU or in-use list: the next newer entry */
  CacheHandle *pPrev;       /* LRU or in-use list: the next older entry */
  u32 nRef;                 /* Handles, plus 1 while in the cache */
  u8 bInCache;              /* True while in the table and on a list */
};

/* One shard: a hash table and two circular lists under one mutex. */
struct CacheShard {
  pthread_mutex_t mutex;    /* Guards every other field but the stats */
  lsmc_env *pEnv;           /* Allocator (the cache's) */
  u64 nCapacity;            /* Bytes of this shard's share */
  u64 nUsage;               /* Charges of the entries in the cache */
  CacheHandle **apBucket;   /* Bucket heads (nBucket of them) */
  u32 nBucket;              /* A power of two */
  u32 nElem;                /* Entries in the table */
  CacheHandle lru;          /* Dummy head: unreferenced, oldest first */
  CacheHandle inUse;        /* Dummy head: referenced entries */
  _Atomic u64 nHit;         /* Lookups that found their key */
  _Atomic u64 nMiss;        /* Lookups that did not */
  _Atomic u64 nInsert;      /* Values stored */
  _Atomic u64 nEvict;       /* Entries evicted for capacity */
  u8 aPad[CACHE_SHARD_PAD]; /* Keeps the next shard's mutex off our line */
};

struct Cache {
  lsmc_env *pEnv;                       /* Allocator */
  _Atomic u64 iNextId;                  /* Next lsmcCacheNewId() result */
  _Atomic u64 nCapacity;                /* Total capacity as last set */
  CacheShard aShard[LSMC_CACHE_NSHARD]; /* The shards */
};

/*
** Hash of a key.  The id is spread by a multiply by an odd constant
** before the offset is added (block offsets are small multiples of the
** block size and ids are small counters, so adding them raw would
** collide), then the sum goes through the murmur3 64-bit finalizer so that
** both the top bits (shard) and the low bits (bucket) depend on every
** input bit.  A collision costs only a longer chain: keys are compared in
** full.
*/
static u64 cacheHash(u64 iId, u64 iOff){
  u64 h = iOff + iId*0x9e3779b97f4a7c15ull;
  h ^= h >> 33;
  h *= 0xff51afd7ed558ccdull;
  h ^= h >> 33;
  h *= 0xc4ceb9fe1a85ec53ull;
  h ^= h >> 33;
  return h;
}

static int cacheShardIndex(u64 iHash){
  return (int)(iHash >> (64 - LSMC_CACHE_NSHARD_BITS));
}

int lsmcCacheShardOf(u64 iId, u64 iOff){
  return cacheShardIndex(cacheHash(iId, iOff));
}

/* Add 1 to a counter; the caller holds the shard mutex (no other writer). */
static void cacheStatInc(_Atomic u64 *p){
  atomic_store_explicit(p, atomic_load_explicit(p, memory_order_relaxed)+1,
                        memory_order_relaxed);
}

/*
** The chain slot that points at the entry with key (iId, iOff), or at
** the NULL ending its chain if there is none.
*/
static CacheHandle **cacheTableSlot(CacheShard *pShard, u64 iId, u64 iOff,
                                    u64 iHash){
  CacheHandle **pp = &pShard->apBucket[iHash & (pShard->nBucket-1)];
  while( *pp && ((*pp)->iId!=iId || (*pp)->iOff!=iOff) ){
    pp = &(*pp)->pHashNext;
  }
  return pp;
}

/*
** Double the bucket array once it holds more entries than buckets.  If
** the allocation fails the table keeps its size: chains grow longer, but
** nothing is lost.
*/
static void cacheTableMaybeGrow(CacheShard *pShard){
  CacheHandle **apNew;
  u32 nNew, i;
  if( pShard->nElem<=pShard->nBucket || pShard->nBucket>=(1u<<30) ) return;
  nNew = pShard->nBucket*2;
  apNew = lsmcMallocZero(pShard->pEnv, sizeof(CacheHandle*)*nNew);
  if( apNew==0 ) return;
  for(i=0; i<pShard->nBucket; i++){
    CacheHandle *p = pShard->apBucket[i];
    while( p ){
      CacheHandle *pNext = p->pHashNext;
      CacheHandle **ppHead = &apNew[p->iHash & (nNew-1)];
      p->pHashNext = *ppHead;
      *ppHead = p;
      p = pNext;
    }
  }
  lsmcFree(pShard->pEnv, pShard->apBucket);
  pShard->apBucket = apNew;
  pShard->nBucket = nNew;
}

/*
** Put p in the table.  Returns the entry with the same key that p
** replaces (now out of the table), or NULL.
*/
static CacheHandle *cacheTableInsert(CacheShard *pShard, CacheHandle *p){
  CacheHandle **pp = cacheTableSlot(pShard, p->iId, p->iOff, p->iHash);
  CacheHandle *pOld = *pp;
  p->pHashNext = pOld ? pOld->pHashNext : 0;
  *pp = p;
  if( pOld==0 ) pShard->nElem++;
  return pOld;
}

/* Take the entry with this key out of the table; return it or NULL. */
static CacheHandle *cacheTableRemove(CacheShard *pShard, u64 iId, u64 iOff,
                                     u64 iHash){
  CacheHandle **pp = cacheTableSlot(pShard, iId, iOff, iHash);
  CacheHandle *p = *pp;
  if( p ){
    *pp = p->pHashNext;
    pShard->nElem--;
  }
  return p;
}

static void cacheListRemove(CacheHandle *p){
  p->pNext->pPrev = p->pPrev;
  p->pPrev->pNext = p->pNext;
}

/* Link p as the newest entry of the list headed by pHead. */
static void cacheListAppend(CacheHandle *pHead, CacheHandle *p){
  p->pNext = pHead;
  p->pPrev = pHead->pPrev;
  p->pPrev->pNext = p;
  p->pNext->pPrev = p;
}

/* Add a reference; an unreferenced entry moves to the in-use list. */
static void cacheRef(CacheShard *pShard, CacheHandle *p){
  if( p->nRef==1 && p->bInCache ){
    cacheListRemove(p);
    cacheListAppend(&pShard->inUse, p);
  }
  p->nRef++;
}

/*
** Drop a reference.  The last one puts the entry on *ppGarbage (its
** deleter runs once the mutex is released); the last handle of an entry
** still in the cache moves it to the newest end of the LRU list.
*/
static void cacheUnref(CacheShard *pShard, CacheHandle *p,
                       CacheHandle **ppGarbage){
  assert( p->nRef>0 );
  p->nRef--;
  if( p->nRef==0 ){
    assert( !p->bInCache );
    p->pHashNext = *ppGarbage;
    *ppGarbage = p;
  }else if( p->bInCache && p->nRef==1 ){
    cacheListRemove(p);
    cacheListAppend(&pShard->lru, p);
  }
}

/*
** Finish removing p, already taken out of the table, from the cache: off
** its list, its charge off the usage, the cache's reference dropped.
*/
static void cacheFinishErase(CacheShard *pShard, CacheHandle *p,
                             CacheHandle **ppGarbage){
  assert( p->bInCache );
  cacheListRemove(p);
  p->bInCache = 0;
  assert( pShard->nUsage>=p->nCharge );
  pShard->nUsage -= p->nCharge;
  cacheUnref(pShard, p, ppGarbage);
}

/* Evict the oldest unreferenced entries while usage exceeds capacity. */
static void cacheEvict(CacheShard *pShard, CacheHandle **ppGarbage){
  while( pShard->nUsage>pShard->nCapacity && pShard->lru.pNext!=&pShard->lru ){
    CacheHandle *pOld = pShard->lru.pNext;
    CacheHandle *pGone;
    assert( pOld->nRef==1 );
    pGone = cacheTableRemove(pShard, pOld->iId, pOld->iOff, pOld->iHash);
    assert( pGone==pOld );
    LSMC_UNUSED(pGone);
    cacheFinishErase(pShard, pOld, ppGarbage);
    cacheStatInc(&pShard->nEvict);
  }
}

/* Run the deleters of the garbage list and free its entries. */
static void cacheFreeGarbage(lsmc_env *pEnv, CacheHandle *p){
  while( p ){
    CacheHandle *pNext = p->pHashNext;
    p->xDelete(p->pCtx, p->pValue);
    lsmcFree(pEnv, p);
    p = pNext;
  }
}

/* A shard's share of a total capacity: ceil(n / shards). */
static u64 cacheShardCapacity(u64 n){
  return n/LSMC_CACHE_NSHARD + (n%LSMC_CACHE_NSHARD!=0);
}

/*
** Free pCache whose first nInit shards have an initialised mutex,
** deleting every entry left in the cache.
*/
static void cacheDestroy(Cache *pCache, int nInit){
  int i;
  for(i=0; i<nInit; i++){
    CacheShard *pShard = &pCache->aShard[i];
    CacheHandle *p = pShard->lru.pNext;
    assert( pShard->inUse.pNext==&pShard->inUse );
    while( p!=&pShard->lru ){
      CacheHandle *pNext = p->pNext;
      assert( p->bInCache && p->nRef==1 );
      p->xDelete(p->pCtx, p->pValue);
      lsmcFree(pCache->pEnv, p);
      p = pNext;
    }
    lsmcFree(pCache->pEnv, pShard->apBucket);
    pthread_mutex_destroy(&pShard->mutex);
  }
  lsmcFree(pCache->pEnv, pCache);
}

int lsmcCacheNew(lsmc_env *pEnv, u64 nCapacity, Cache **ppCache){
  int rc = LSMC_OK;
  int nInit = 0;
  Cache *pCache = lsmcMallocZero(pEnv, sizeof(Cache));
  *ppCache = 0;
  if( pCache==0 ) return LSMC_NOMEM;
  pCache->pEnv = pEnv;
  atomic_init(&pCache->iNextId, 1);
  atomic_init(&pCache->nCapacity, nCapacity);
  for(nInit=0; rc==LSMC_OK && nInit<LSMC_CACHE_NSHARD; nInit++){
    CacheShard *pShard = &pCache->aShard[nInit];
    if( pthread_mutex_init(&pShard->mutex, 0) ){ rc = LSMC_NOMEM; break; }
    pShard->pEnv = pEnv;
    pShard->nCapacity = cacheShardCapacity(nCapacity);
    pShard->lru.pNext = pShard->lru.pPrev = &pShard->lru;
    pShard->inUse.pNext = pShard->inUse.pPrev = &pShard->inUse;
    atomic_init(&pShard->nHit, 0);
    atomic_init(&pShard->nMiss, 0);
    atomic_init(&pShard->nInsert, 0);
    atomic_init(&pShard->nEvict, 0);
    pShard->nBucket = CACHE_INIT_BUCKETS;
    pShard->apBucket = lsmcMallocZero(pEnv,
                                      sizeof(CacheHandle*)*CACHE_INIT_BUCKETS);
    if( pShard->apBucket==0 ) rc = LSMC_NOMEM;
  }
  if( rc!=LSMC_OK ){
    cacheDestroy(pCache, nInit);
    return rc;
  }
  *ppCache = pCache;
  return LSMC_OK;
}

void lsmcCacheFree(Cache *pCache){
  if( pCache ) cacheDestroy(pCache, LSMC_CACHE_NSHARD);
}

int lsmcCacheInsert(Cache *pCache, u64 iId, u64 iOff, void *pValue,
                    size_t nCharge, CacheDeleter xDelete, void *pCtx,
                    CacheHandle **ppHandle){
  CacheHandle *pGarbage = 0;
  CacheHandle *pOld;
  CacheShard *pShard;
  CacheHandle *p = lsmcMalloc(pCache->pEnv, sizeof(CacheHandle));

  if( ppHandle ) *ppHandle = 0;
  if( p==0 ){
    xDelete(pCtx, pValue);
    return LSMC_NOMEM;
  }
  p->iId = iId;
  p->iOff = iOff;
  p->iHash = cacheHash(iId, iOff);
  p->pValue = pValue;
  p->nCharge = nCharge;
  p->xDelete = xDelete;
  p->pCtx = pCtx;
  p->pShard = pShard = &pCache->aShard[cacheShardIndex(p->iHash)];
  p->pHashNext = p->pNext = p->pPrev = 0;
  p->nRef = ppHandle ? 1 : 0;
  p->bInCache = 0;

  pthread_mutex_lock(&pShard->mutex);
  cacheStatInc(&pShard->nInsert);
  if( pShard->nCapacity>0 ){
    p->nRef++;
    p->bInCache = 1;
    cacheListAppend(p->nRef==1 ? &pShard->lru : &pShard->inUse, p);
    pShard->nUsage += nCharge;
    pOld = cacheTableInsert(pShard, p);
    if( pOld ) cacheFinishErase(pShard, pOld, &pGarbage);
    cacheEvict(pShard, &pGarbage);
    cacheTableMaybeGrow(pShard);
  }else{
    /* Caching is off: the handle alone keeps p; a stale older value of
    ** the key (cached before the capacity dropped) must not stay findable */
    pOld = cacheTableRemove(pShard, iId, iOff, p->iHash);
    if( pOld ) cacheFinishErase(pShard, pOld, &pGarbage);
    if( p->nRef==0 ){
      p->pHashNext = pGarbage;
      pGarbage = p;
    }
  }
  pthread_mutex_unlock(&pShard->mutex);

  cacheFreeGarbage(pCache->pEnv, pGarbage);
  if( ppHandle ) *ppHandle = p;
  return LSMC_OK;
}

CacheHandle *lsmcCacheLookup(Cache *pCache, u64 iId, u64 iOff){
  u64 iHash = cacheHash(iId, iOff);
  CacheShard *pShard = &pCache->aShard[cacheShardIndex(iHash)];
  CacheHandle *p;
  pthread_mutex_lock(&pShard->mutex);
  p = *cacheTableSlot(pShard, iId, iOff, iHash);
  if( p ){
    cacheRef(pShard, p);
    cacheStatInc(&pShard->nHit);
  }else{
    cacheStatInc(&pShard->nMiss);
  }
  pthread_mutex_unlock(&pShard->mutex);
  return p;
}

void *lsmcCacheValue(CacheHandle *p){
  return p->pValue;
}

void lsmcCacheRelease(CacheHandle *p){
  CacheShard *pShard = p->pShard;
  CacheHandle *pGarbage = 0;
  pthread_mutex_lock(&pShard->mutex);
  cacheUnref(pShard, p, &pGarbage);
  cacheEvict(pShard, &pGarbage);
  pthread_mutex_unlock(&pShard->mutex);
  cacheFreeGarbage(pShard->pEnv, pGarbage);
}

void lsmcCacheErase(Cache *pCache, u64 iId, u64 iOff){
  u64 iHash = cacheHash(iId, iOff);
  CacheShard *pShard = &pCache->aShard[cacheShardIndex(iHash)];
  CacheHandle *pGarbage = 0;
  CacheHandle *p;
  pthread_mutex_lock(&pShard->mutex);
  p = cacheTableRemove(pShard, iId, iOff, iHash);
  if( p ) cacheFinishErase(pShard, p, &pGarbage);
  pthread_mutex_unlock(&pShard->mutex);
  cacheFreeGarbage(pCache->pEnv, pGarbage);
}

/*
** Every shard may hold entries of iId (the hash spreads one id's offsets
** over all shards), so each shard's buckets are walked under its mutex,
** unlinking matches in place.
*/
void lsmcCacheEraseId(Cache *pCache, u64 iId){
  int iShard;
  for(iShard=0; iShard<LSMC_CACHE_NSHARD; iShard++){
    CacheShard *pShard = &pCache->aShard[iShard];
    CacheHandle *pGarbage = 0;
    u32 i;
    pthread_mutex_lock(&pShard->mutex);
    for(i=0; i<pShard->nBucket; i++){
      CacheHandle **pp = &pShard->apBucket[i];
      while( *pp ){
        CacheHandle *p = *pp;
        if( p->iId==iId ){
          *pp = p->pHashNext;
          pShard->nElem--;
          cacheFinishErase(pShard, p, &pGarbage);
        }else{
          pp = &p->pHashNext;
        }
      }
    }
    pthread_mutex_unlock(&pShard->mutex);
    cacheFreeGarbage(pCache->pEnv, pGarbage);
  }
}

u64 lsmcCacheNewId(Cache *pCache){
  return atomic_fetch_add_explicit(&pCache->iNextId, 1, memory_order_relaxed);
}

u64 lsmcCacheTotalCharge(Cache *pCache){
  u64 nTotal = 0;
  int i;
  for(i=0; i<LSMC_CACHE_NSHARD; i++){
    CacheShard *pShard = &pCache->aShard[i];
    pthread_mutex_lock(&pShard->mutex);
    nTotal += pShard->nUsage;
    pthread_mutex_unlock(&pShard->mutex);
  }
  return nTotal;
}

u64 lsmcCacheCapacity(Cache *pCache){
  return atomic_load_explicit(&pCache->nCapacity, memory_order_relaxed);
}

void lsmcCacheSetCapacity(Cache *pCache, u64 nCapacity){
  u64 nShardCap = cacheShardCapacity(nCapacity);
  int i;
  atomic_store_explicit(&pCache->nCapacity, nCapacity, memory_order_relaxed);
  for(i=0; i<LSMC_CACHE_NSHARD; i++){
    CacheShard *pShard = &pCache->aShard[i];
    CacheHandle *pGarbage = 0;
    pthread_mutex_lock(&pShard->mutex);
    pShard->nCapacity = nShardCap;
    cacheEvict(pShard, &pGarbage);
    pthread_mutex_unlock(&pShard->mutex);
    cacheFreeGarbage(pCache->pEnv, pGarbage);
  }
}

void lsmcCacheStats(Cache *pCache, CacheStats *pStats){
  int i;
  memset(pStats, 0, sizeof(*pStats));
  for(i=0; i<LSMC_CACHE_NSHARD; i++){
    CacheShard *pShard = &pCache->aShard[i];
    pStats->nHit += atomic_load_explicit(&pShard->nHit, memory_order_relaxed);
    pStats->nMiss += atomic_load_explicit(&pShard->nMiss, memory_order_relaxed);
    pStats->nInsert += atomic_load_explicit(&pShard->nInsert,
                                            memory_order_relaxed);
    pStats->nEvict += atomic_load_explicit(&pShard->nEvict,
                                           memory_order_relaxed);
  }
}

/*
** The process-wide shared cache.  These three statics are the engine's one
** intended mutable global state (see the header comment): the mutex guards
** the pointer and the count of users.
*/
static pthread_mutex_t sharedMutex = PTHREAD_MUTEX_INITIALIZER;
static Cache *pSharedCache = 0;     /* The shared cache, or NULL */
static u64 nSharedRef = 0;          /* References from lsmcCacheShared */

int lsmcCacheShared(u64 nCapacity, Cache **ppCache){
  int rc = LSMC_OK;
  pthread_mutex_lock(&sharedMutex);
  if( pSharedCache==0 ){
    rc = lsmcCacheNew(lsmc_default_env(), nCapacity, &pSharedCache);
  }else if( nCapacity>lsmcCacheCapacity(pSharedCache) ){
    lsmcCacheSetCapacity(pSharedCache, nCapacity);
  }
  if( rc==LSMC_OK ) nSharedRef++;
  *ppCache = pSharedCache;
  pthread_mutex_unlock(&sharedMutex);
  return rc;
}

void lsmcCacheSharedRelease(Cache *pCache){
  Cache *pFree = 0;
  if( pCache==0 ) return;
  pthread_mutex_lock(&sharedMutex);
  assert( pCache==pSharedCache && nSharedRef>0 );
  nSharedRef--;
  if( nSharedRef==0 ){
    pFree = pSharedCache;
    pSharedCache = 0;
  }
  pthread_mutex_unlock(&sharedMutex);
  lsmcCacheFree(pFree);
}
