/*
** cache.h -- a sharded LRU cache sized in bytes (cache.c), used as the
** block cache (decoded data and index blocks of SSTables) and as a table
** cache (open SSTable readers).  The design follows LevelDB's
** util/cache.cc: 16 shards, each with its own mutex, hash table, LRU list
** of unreferenced entries and in-use list of referenced ones.
**
** Keys and values.  A key is a pair of u64: (iId, iOff).  For a block
** cache iId is a number from lsmcCacheNewId() taken by each SSTable reader
** (unique for the cache's lifetime) and iOff is the block's file offset;
** for a table cache iId is a store id and iOff a file number.  A value is
** an opaque pointer with a charge (its cost in bytes, counted against the
** capacity) and a deleter xDelete(pCtx, pValue).
**
** Ownership.  lsmcCacheInsert takes ownership of the value: the cache
** calls xDelete exactly once, when the entry has left the cache (evicted,
** erased, replaced by a newer insert of the same key, or the cache freed)
** AND no handle on it remains; if the insert fails, before it returns.
** Insert and Lookup return a referenced handle: the caller releases every
** handle with lsmcCacheRelease(), and lsmcCacheValue(handle) stays valid
** until then, even if the entry is evicted or erased meanwhile.  A
** referenced entry is never freed; its charge still counts against the
** capacity while it is in the cache.
**
** Capacity.  Each shard holds at most ceil(capacity/16) bytes of
** unreferenced entries: an insert, a release or a SetCapacity evicts
** least-recently-used unreferenced entries of that shard while its usage
** exceeds its share.  Usage can exceed the capacity only by entries that
** are referenced.  Capacity 0 disables caching: an insert still returns a
** handle, but the entry is never findable and is deleted at its release.
**
** Thread safety: every function may be called from any thread at once,
** except lsmcCacheFree, which REQUIRES that no other call on the cache is
** running and no handle is outstanding.  A deleter runs in whichever
** thread drops the entry (an inserter, a releaser, an eraser), never while
** a shard lock is held, so it may call back into the cache.
**
** The process-wide shared cache (lsmcCacheShared) is the one intended
** mutable global of the engine; see its comment below.
*/
#ifndef LSMC_CACHE_H
#define LSMC_CACHE_H

#include "lsmcInt.h"

#define LSMC_CACHE_NSHARD_BITS  4                      /* log2(shards) */
#define LSMC_CACHE_NSHARD       (1<<LSMC_CACHE_NSHARD_BITS)   /* 16 */

typedef struct Cache Cache;               /* A sharded LRU cache */
typedef struct CacheHandle CacheHandle;   /* A referenced entry */
typedef struct CacheStats CacheStats;     /* Counters since creation */

/* Deletes a value: called once with the pCtx given to lsmcCacheInsert. */
typedef void (*CacheDeleter)(void *pCtx, void *pValue);

/*
** Counters, summed over the shards (each is read atomically, but the four
** are not one consistent snapshot while other threads work).
*/
struct CacheStats {
  u64 nHit;       /* Lookups that found the key */
  u64 nMiss;      /* Lookups that did not */
  u64 nInsert;    /* Calls to lsmcCacheInsert that stored a value */
  u64 nEvict;     /* Entries dropped to respect the capacity */
};

/*
** Create a cache of nCapacity bytes allocating from pEnv (which must
** outlive it).  *ppCache is set to the new cache, or NULL with
** LSMC_NOMEM.  Free it with lsmcCacheFree.
*/
int lsmcCacheNew(lsmc_env *pEnv, u64 nCapacity, Cache **ppCache);

/*
** Delete every entry (calling its deleter) and free the cache.  NULL is a
** no-op.  REQUIRES: no handle is outstanding, no other call is running.
*/
void lsmcCacheFree(Cache*);

/*
** Store pValue under (iId, iOff), replacing any entry with that key (the
** old value is deleted once its last handle is released).  The cache takes
** ownership of pValue: xDelete(pCtx, pValue) is called exactly once, when
** the entry is gone from the cache and unreferenced.  nCharge is its cost
** in bytes.  On success *ppHandle (if ppHandle is not NULL) is a handle on
** the new entry, which the caller releases with lsmcCacheRelease; with
** ppHandle NULL the entry is inserted unreferenced.  On LSMC_NOMEM
** xDelete has already been called and *ppHandle is NULL.
*/
int lsmcCacheInsert(Cache*, u64 iId, u64 iOff, void *pValue, size_t nCharge,
                    CacheDeleter xDelete, void *pCtx, CacheHandle **ppHandle);

/*
** A handle on the entry (iId, iOff), or NULL if there is none.  The caller
** releases a non-NULL handle with lsmcCacheRelease.  Marks it most
** recently used.
*/
CacheHandle *lsmcCacheLookup(Cache*, u64 iId, u64 iOff);

/* The value of a handle: valid until the handle is released. */
void *lsmcCacheValue(CacheHandle*);

/*
** Release a handle returned by Insert or Lookup.  REQUIRES: not already
** released.  May run the value's deleter (in this thread).
*/
void lsmcCacheRelease(CacheHandle*);

/*
** Remove the entry (iId, iOff) if present; its value is deleted once its
** last handle is released (now, if it has none).
*/
void lsmcCacheErase(Cache*, u64 iId, u64 iOff);

/*
** Remove every entry whose key has this iId (a deleted table's blocks).
** Costs a walk over every entry of the cache.
*/
void lsmcCacheEraseId(Cache*, u64 iId);

/* A fresh iId, never returned before by this cache; never 0. */
u64 lsmcCacheNewId(Cache*);

/* Bytes charged by the entries now in the cache (referenced or not). */
u64 lsmcCacheTotalCharge(Cache*);

/* The capacity in bytes (as last set). */
u64 lsmcCacheCapacity(Cache*);

/* Change the capacity; shrinking evicts unreferenced entries at once. */
void lsmcCacheSetCapacity(Cache*, u64 nCapacity);

/* Copy the counters into *pStats. */
void lsmcCacheStats(Cache*, CacheStats *pStats);

/*
** The shard (0..LSMC_CACHE_NSHARD-1) that holds key (iId, iOff).  For
** tests and diagnostics: LRU order is exact within one shard only.
*/
int lsmcCacheShardOf(u64 iId, u64 iOff);

/*
** The process-wide shared cache, so that every store of a process shares
** one block-cache budget.  The first call creates it (allocating from
** lsmc_default_env()) with capacity nCapacity; each call adds a reference
** and raises the capacity to nCapacity if that is larger.  The capacity is
** thus the largest asked for by any user since the cache was created: it
** is not lowered when a user leaves, only reset when the last reference is
** dropped (lsmcCacheSharedRelease frees the cache, and the next call
** creates a fresh one).  Returns LSMC_OK, or LSMC_NOMEM with *ppCache
** NULL.  Thread-safe (a static mutex guards the static pointer and count).
*/
int lsmcCacheShared(u64 nCapacity, Cache **ppCache);

/*
** Drop one reference taken by lsmcCacheShared.  The last one frees the
** cache.  REQUIRES: every handle of this user has been released; pCache is
** the pointer lsmcCacheShared returned.
*/
void lsmcCacheSharedRelease(Cache *pCache);

#endif /* LSMC_CACHE_H */
