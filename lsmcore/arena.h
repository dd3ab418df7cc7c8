/*
** arena.h -- a bump allocator for the memtable: memory is carved from
** large blocks and freed all at once when the arena is destroyed.
**
** Blocks are 64 KiB, or one block of exactly the requested size for a
** request larger than a quarter of that (so big values waste little).
** Every allocation is aligned to 8 bytes.  lsmcArenaUsage() counts the
** bytes of every block plus bookkeeping; it may be read by other threads
** (an atomic load) while one thread allocates.
**
** Thread safety: one allocating thread at a time (the memtable's writer).
*/
#ifndef LSMC_ARENA_H
#define LSMC_ARENA_H

#include "lsmcInt.h"

typedef struct Arena Arena;

int lsmcArenaNew(lsmc_env*, Arena **ppArena);
void lsmcArenaFree(Arena*);                  /* NULL is a no-op */
void *lsmcArenaAlloc(Arena*, size_t n);      /* NULL on OOM; 8-aligned */
size_t lsmcArenaUsage(const Arena*);

#endif /* LSMC_ARENA_H */
