/*
** vec_iter.h -- test-only: an LsmIter (iter.h) over a sorted in-memory
** array of (internal key, value) entries, the model harness that the
** iterator tests drive and compare against.
**
** vecIterNew() copies and sorts the entries it is given (internal-key
** order, lsmcInt.h); two entries with an equal internal key are refused
** (LSMC_MISUSE), since a well-formed source never holds them.  The
** iterator owns its copy until xClose.
**
** Fault and hazard injection, for the layers stacked on top:
**   - vecIterFailAt(p, iNth, rc): the iNth movement call from now (1 is
**     the very next xFirst/xLast/xSeek/xNext/xPrev) returns rc and leaves
**     the iterator invalid, sticky until the next xFirst/xLast/xSeek, as
**     iter.h requires.  It fires once.
**   - VEC_ITER_VOLATILE: xKey and xValue return a fresh heap copy that is
**     freed by the next movement, so that AddressSanitizer catches a
**     caller that keeps a key or value past the movement that ends its
**     lifetime.
**   - vecIterInsert(): add an entry while the iterator is open, the way a
**     memtable gains entries under a live iterator: the iterator stays on
**     the entry it was on (like a skiplist node), so a later xNext/xPrev
**     may land on the new entry.
**
** The test env (VecTestEnv) is a plain malloc-based lsmc_env that counts
** allocations, so tests can check that a loop does not allocate (nMalloc)
** and that nothing leaks (nLive back to 0).  It implements only the
** memory methods; the others are NULL.
**
** Thread safety: none; one thread per iterator and per env.
*/
#ifndef LSMC_VEC_ITER_H
#define LSMC_VEC_ITER_H

#include "iter.h"

typedef struct VecEntry VecEntry;
typedef struct VecTestEnv VecTestEnv;

/* One entry handed to vecIterNew (the bytes are copied). */
struct VecEntry {
  const u8 *pKey;      /* Internal key: user key + 8-byte trailer */
  size_t nKey;         /* Bytes in pKey (>= LSMC_TRAILER_SIZE) */
  const u8 *pVal;      /* Value bytes (may be NULL if nVal==0) */
  size_t nVal;         /* Bytes in pVal */
};

/* A counting malloc env for tests.  base must stay the first field. */
struct VecTestEnv {
  lsmc_env base;       /* The method table handed to the engine */
  u64 nMalloc;         /* xMalloc calls plus xRealloc calls */
  i64 nLive;           /* Blocks allocated and not yet freed */
};

/* Flags for vecIterNew. */
#define VEC_ITER_VOLATILE  0x01   /* xKey/xValue memory dies on each move */

/* Fill *p with the counting env (counters zeroed). */
void vecTestEnvInit(VecTestEnv *p);

/*
** Create an iterator over a copy of aEntry[0..nEntry), sorted.  Returns
** LSMC_OK, LSMC_NOMEM, or LSMC_MISUSE (an entry shorter than a trailer, or
** two equal internal keys).  *ppIter is NULL on failure.
*/
int vecIterNew(lsmc_env *pEnv, const VecEntry *aEntry, int nEntry,
               int flags, LsmIter **ppIter);

/* Arm a one-shot failure: the iNth movement from now returns rc. */
void vecIterFailAt(LsmIter *pIter, int iNth, int rc);

/* Movement calls made so far (xFirst/xLast/xSeek/xNext/xPrev). */
u64 vecIterMoves(LsmIter *pIter);

/* Set *pbClosed to 1 when the iterator is closed (before it is freed). */
void vecIterSetCloseFlag(LsmIter *pIter, int *pbClosed);

/*
** Insert one entry into an open iterator, keeping its current position
** on the same entry.  LSMC_MISUSE if the internal key is already present
** or too short, LSMC_NOMEM on allocation failure.
*/
int vecIterInsert(LsmIter *pIter, const u8 *pKey, size_t nKey,
                  const u8 *pVal, size_t nVal);

/* Number of entries the iterator holds. */
int vecIterCount(LsmIter *pIter);

/* Build an internal key into a[] (REQUIRES room for nUKey+8 bytes);
** returns its length. */
size_t vecIKey(u8 *a, const void *pUKey, size_t nUKey, u64 iSeq, int eKind);

#endif /* LSMC_VEC_ITER_H */
