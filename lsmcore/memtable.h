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
/* The same, with a live bloom filter of about nFilter bytes over the user
** keys (0: none); lookups of keys it rules out skip the skiplist. */
int lsmcMemtableNewFiltered(lsmc_env*, size_t nFilter, MemTable **ppMem);
void lsmcMemtableRef(MemTable*);
void lsmcMemtableUnref(MemTable*);            /* NULL is a no-op */

/*
** Add one entry.  LSMC_NOMEM if the arena cannot grow; LSMC_MISUSE if
** nKey, nVal or iSeq exceed LSMC_MAX_KEY, LSMC_MAX_VALUE, LSMC_MAX_SEQ.
** REQUIRES: eKind is LSMC_KIND_PUT or LSMC_KIND_DELETE (with nVal==0);
** no entry with the same key, iSeq and eKind was added before.
*/
int lsmcMemtableAdd(MemTable*, u64 iSeq, int eKind,
                    const u8 *pKey, size_t nKey, const u8 *pVal, size_t nVal);

/*
** Reservation, for a commit that must not fail once prepared.  The arena
** bytes one lsmcMemtableAdd() of a key of nKey bytes and a value of nVal
** bytes can take at most (the entry and a skiplist node of the tallest
** height) is lsmcMemtableAddCost(); after lsmcMemtableReserve(p, n)
** returns LSMC_OK, adds whose costs total at most n cannot fail with
** LSMC_NOMEM (they may still return LSMC_MISUSE for the limits above,
** which a caller checks first).  A later reservation replaces an earlier
** one.  REQUIRES: called by the memtable's one writer.
*/
size_t lsmcMemtableAddCost(size_t nKey, size_t nVal);
int lsmcMemtableReserve(MemTable*, size_t nByte);

/*
** Look up the newest version of user key pKey with sequence <= iSeq.
** Returns LSMC_OK with *peKind set to LSMC_KIND_PUT (*ppVal and *pnVal point
** into the memtable, valid while the caller holds a reference) or
** LSMC_KIND_DELETE; LSMC_NOTFOUND if no version is visible.
** For a tombstone *ppVal is set to NULL and *pnVal to 0; ppVal and pnVal
** may be NULL.  An iSeq above LSMC_MAX_SEQ reads as LSMC_MAX_SEQ.  May
** return LSMC_NOMEM (a key longer than ~240 bytes needs a temporary copy).
*/
int lsmcMemtableGet(MemTable*, const u8 *pKey, size_t nKey, u64 iSeq,
                    int *peKind, const u8 **ppVal, size_t *pnVal);

/* Bytes of the encoded entries added (what the memtable-size option
** limits: flushed when it is reached). */
size_t lsmcMemtableBytes(const MemTable*);
/* Memory held by the memtable's arena (blocks and bookkeeping). */
size_t lsmcMemtableMemory(const MemTable*);
/* Number of entries added. */
u64 lsmcMemtableCount(const MemTable*);

/* An iterator over every entry (takes a reference; see iter.h). */
int lsmcMemtableIter(MemTable*, LsmIter **ppIter);

#endif /* LSMC_MEMTABLE_H */
