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
** Reservation.  lsmcArenaReserve(p, n) makes sure that the allocations
** that follow it, as long as their costs (lsmcArenaCost: the size rounded
** up to the alignment) total at most n, cannot fail: it obtains the memory
** now (or finds it already free), so that a caller can do every fallible
** step first and then insert into a memtable without an error path (a
** prepared commit).  A later reservation replaces an earlier one.
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

/* Bytes of the arena an allocation of n bytes consumes: n rounded up to
** the alignment of 8 (a 0-byte request costs 8). */
size_t lsmcArenaCost(size_t n);
/* After LSMC_OK, allocations whose lsmcArenaCost() total at most n cannot
** fail.  LSMC_NOMEM (nothing changed) if the memory is not available. */
int lsmcArenaReserve(Arena*, size_t n);

#endif /* LSMC_ARENA_H */
