/*
** arena.c -- the memtable's bump allocator.
**
** An Arena owns a singly linked list of blocks obtained from the env with
** lsmcMalloc().  Small requests are carved, 8-byte aligned, from the
** current block (ARENA_BLOCK bytes including its header); when it cannot
** hold a request, the rest of it is abandoned and a new block becomes
** current.  A request larger than a quarter of a block gets a block of its
** own, sized exactly, and the current block stays current, so a stream of
** big values wastes at most one header each.  Nothing is freed before
** lsmcArenaFree(), which releases every block at once.
**
** The reserve.  lsmcArenaReserve(n) guarantees that later requests
** whose rounded sizes total at most n succeed.  It keeps a second free
** area, pResv..pResv+nResv, besides the current block's pFree..nFree: a
** request is carved from the current block if it fits, else from the
** reserve if it fits there, else from a new block.  A reservation holds if
** either area alone has n bytes: sequential carving from one contiguous
** area of n bytes never fails for requests totalling n, and a request sent
** to the reserve only takes what the other requests left of the n.  So
** lsmcArenaReserve() allocates only when neither area is big enough: a
** normal block that becomes current (the old current tail becomes the
** reserve if it is larger than the reserve's), or, for n beyond a normal
** block, a block of exactly n that becomes the reserve.
**
** Invariants: pFree..pFree+nFree lies inside the current block and pFree
** is 8-byte aligned; likewise pResv..pResv+nResv inside one block; nUsage
** is the sum of every block's malloc size plus sizeof(Arena), and only
** grows.
**
** Thread safety: one thread allocates at a time.  lsmcArenaUsage() may be
** called by any thread concurrently: nUsage is an atomic, updated with a
** relaxed store by the single allocating thread.
*/
#include "arena.h"

#include <stdatomic.h>

#define ARENA_BLOCK   ((size_t)64*1024)  /* Bytes malloc'd per block */
#define ARENA_ALIGN   8                  /* Alignment of every allocation */
#define ARENA_ROUND(n)  (((n) + ARENA_ALIGN - 1) & ~(size_t)(ARENA_ALIGN - 1))

typedef struct ArenaBlock ArenaBlock;

/*
** The header at the start of every block.  The usable bytes start at
** ARENA_HDR bytes from the block start (the header size rounded up to the
** alignment).
*/
struct ArenaBlock {
  ArenaBlock *pNext;          /* Block allocated before this one, or NULL */
};
#define ARENA_HDR  ARENA_ROUND(sizeof(ArenaBlock))

struct Arena {
  lsmc_env *pEnv;             /* Allocator for the blocks */
  ArenaBlock *pBlocks;        /* Most recently allocated block first */
  u8 *pFree;                  /* Next free byte of the current block */
  size_t nFree;               /* Bytes left at pFree */
  u8 *pResv;                  /* Next free byte of the reserve area */
  size_t nResv;               /* Bytes left at pResv */
  atomic_size_t nUsage;       /* Bytes malloc'd: blocks + this struct */
};

/*
** Create a new, empty arena allocating from pEnv.  No block is allocated
** until the first lsmcArenaAlloc().  *ppArena is NULL on failure.
*/
int lsmcArenaNew(lsmc_env *pEnv, Arena **ppArena){
  Arena *p = lsmcMallocZero(pEnv, sizeof(Arena));
  *ppArena = p;
  if( p==0 ) return LSMC_NOMEM;
  p->pEnv = pEnv;
  atomic_init(&p->nUsage, sizeof(Arena));
  return LSMC_OK;
}

/*
** Free the arena and every block it allocated.  Every pointer it returned
** becomes invalid.
*/
void lsmcArenaFree(Arena *p){
  ArenaBlock *pBlock;
  ArenaBlock *pNext;
  if( p==0 ) return;
  for(pBlock=p->pBlocks; pBlock; pBlock=pNext){
    pNext = pBlock->pNext;
    lsmcFree(p->pEnv, pBlock);
  }
  lsmcFree(p->pEnv, p);
}

/*
** Allocate a block of nByte bytes (header included), link it in and return
** a pointer to its first usable byte, or NULL on OOM.
*/
static u8 *arenaNewBlock(Arena *p, size_t nByte){
  ArenaBlock *pBlock = lsmcMalloc(p->pEnv, nByte);
  size_t nUsage;
  if( pBlock==0 ) return 0;
  pBlock->pNext = p->pBlocks;
  p->pBlocks = pBlock;
  /* Only this thread writes nUsage, so load + store is not a race. */
  nUsage = atomic_load_explicit(&p->nUsage, memory_order_relaxed);
  atomic_store_explicit(&p->nUsage, nUsage + nByte, memory_order_relaxed);
  return ((u8*)pBlock) + ARENA_HDR;
}

/*
** Return n bytes aligned to 8, or NULL if the env cannot supply a block.
** A request for 0 bytes returns a valid, distinct pointer (it uses 8).
*/
void *lsmcArenaAlloc(Arena *p, size_t n){
  size_t nNeed;
  u8 *pRet;
  if( n>(size_t)-1 - ARENA_HDR - ARENA_ALIGN ) return 0;   /* overflow */
  nNeed = n ? ARENA_ROUND(n) : ARENA_ALIGN;

  if( nNeed<=p->nFree ){
    pRet = p->pFree;
  }else if( nNeed<=p->nResv ){
    /* The current block is too small but the reserve holds it. */
    pRet = p->pResv;
    p->pResv += nNeed;
    p->nResv -= nNeed;
    return pRet;
  }else if( nNeed>(ARENA_BLOCK/4) ){
    /* Big request: a block of its own; the current block stays current. */
    return arenaNewBlock(p, ARENA_HDR + nNeed);
  }else{
    pRet = arenaNewBlock(p, ARENA_BLOCK);
    if( pRet==0 ) return 0;
    p->nFree = ARENA_BLOCK - ARENA_HDR;
  }
  assert( ((uintptr_t)pRet % ARENA_ALIGN)==0 );
  p->pFree = pRet + nNeed;
  p->nFree -= nNeed;
  return pRet;
}

/*
** Bytes obtained from the env so far (blocks plus the Arena itself).
** Safe to call from any thread.
*/
size_t lsmcArenaUsage(const Arena *p){
  return atomic_load_explicit(&((Arena*)p)->nUsage, memory_order_relaxed);
}

/*
** The bytes of the arena a request for n bytes consumes.
*/
size_t lsmcArenaCost(size_t n){
  if( n>(size_t)-1 - ARENA_HDR - ARENA_ALIGN ) return (size_t)-1;
  return n ? ARENA_ROUND(n) : ARENA_ALIGN;
}

/*
** Make sure that the next requests, whose lsmcArenaCost() total at most
** n, cannot fail (see the header comment for why one area of n bytes is
** enough).  LSMC_NOMEM, with nothing changed, if a block is needed and the
** env cannot supply it.
*/
int lsmcArenaReserve(Arena *p, size_t n){
  size_t nNeed;
  u8 *pBlock;
  if( n==0 ) return LSMC_OK;
  if( n>(size_t)-1 - ARENA_HDR - ARENA_ALIGN ) return LSMC_NOMEM;
  nNeed = ARENA_ROUND(n);
  if( nNeed<=p->nFree || nNeed<=p->nResv ) return LSMC_OK;
  if( nNeed<=ARENA_BLOCK - ARENA_HDR ){
    /* A normal block becomes current; keep the larger leftover area. */
    pBlock = arenaNewBlock(p, ARENA_BLOCK);
    if( pBlock==0 ) return LSMC_NOMEM;
    if( p->nFree>p->nResv ){
      p->pResv = p->pFree;
      p->nResv = p->nFree;
    }
    p->pFree = pBlock;
    p->nFree = ARENA_BLOCK - ARENA_HDR;
  }else{
    pBlock = arenaNewBlock(p, ARENA_HDR + nNeed);
    if( pBlock==0 ) return LSMC_NOMEM;
    p->pResv = pBlock;
    p->nResv = nNeed;
  }
  return LSMC_OK;
}
