/*
** memtable.h -- the in-memory write buffer: a refcounted skiplist of
** internal-key entries in an arena.
**
** Entry layout in the arena (opaque to the skiplist):
**     varint32 nIKey | internal key (user key + 8-byte trailer) |
**     varint32 nVal  | value bytes
** Entries order by lsmcIKeyCompare.  A tombstone has an empty value.
**
** Lifetime: lsmcMemtableNew returns a memtable with one reference;
** lsmcMemtableUnref frees it when the count reaches zero.  Iterators hold
** a reference of their own.
** Thread safety: one writer at a time (the db's write leader), any number
** of concurrent readers; the refcount is atomic.
*/
#ifndef LSMC_MEMTABLE_H
#define LSMC_MEMTABLE_H

#include "lsmcInt.h"
#include "iter.h"

typedef struct MemTable MemTable;

int lsmcMemtableNew(lsmc_env*, MemTable **ppMem);
void lsmcMemtableRef(MemTable*);
void lsmcMemtableUnref(MemTable*);            /* NULL is a no-op */

/* Add one entry.  LSMC_NOMEM if the arena cannot grow. */
int lsmcMemtableAdd(MemTable*, u64 iSeq, int eKind,
                    const u8 *pKey, size_t nKey, const u8 *pVal, size_t nVal);

/*
** Look up the newest version of user key pKey with sequence <= iSeq.
** Returns LSMC_OK with *peKind set to LSMC_KIND_PUT (*ppVal/*pnVal point
** into the memtable, valid while the caller holds a reference) or
** LSMC_KIND_DELETE; LSMC_NOTFOUND if no version is visible.
*/
int lsmcMemtableGet(MemTable*, const u8 *pKey, size_t nKey, u64 iSeq,
                    int *peKind, const u8 **ppVal, size_t *pnVal);

/* Approximate bytes of memory used (arena usage). */
size_t lsmcMemtableBytes(const MemTable*);
/* Number of entries added. */
u64 lsmcMemtableCount(const MemTable*);

/* An iterator over every entry (takes a reference; see iter.h). */
int lsmcMemtableIter(MemTable*, LsmIter **ppIter);

#endif /* LSMC_MEMTABLE_H */
