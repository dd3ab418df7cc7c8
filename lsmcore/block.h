/*
** block.h -- reads one data or index block (format in sst_format.h):
** validation of the restart array, binary search on restart points for a
** seek, forward and backward iteration.
**
** Two forms: BlockIter, a struct the caller embeds (on the stack for a
** point lookup: no allocation unless a key exceeds BLOCK_KEY_INLINE
** bytes), driven by the lsmcBlockIter* functions; and an LsmIter adaptor
** (iter.h) for stacking under a two-level or merging iterator.
**
** The block bytes are not copied: they must stay unchanged and alive for
** the life of the iterator (the adaptor calls its release hook at close,
** so that a block cache or a read buffer can own them).  The input is
** untrusted: every decoded length is checked and a damaged block yields
** LSMC_CORRUPT, never a read outside the block or an endless loop.  Keys
** are internal keys, compared with lsmcIKeyCompare.
**
** Allowed calls on a BlockIter, as a regexp:
**     Init (First | Last | Seek) (Valid | Key | Value | Next | Prev |
**     First | Last | Seek)* Clear
** Next, Prev, Key and Value REQUIRE Valid.  A movement returns LSMC_OK
** (then Valid tells whether an entry is current) or LSMC_CORRUPT (then
** Valid is false until the next First/Last/Seek).  A positioned BlockIter
** may point into itself: do not copy the struct while it is in use.
** Thread safety: one thread at a time per iterator.
*/
#ifndef LSMC_BLOCK_H
#define LSMC_BLOCK_H

#include "lsmcInt.h"
#include "iter.h"

#define BLOCK_KEY_INLINE 128    /* Key bytes held without allocation */

typedef struct BlockIter BlockIter;
struct BlockIter {
  lsmc_env *pEnv;      /* Allocator for keys longer than the inline room */
  const u8 *aData;     /* Block contents (not owned) */
  u32 nData;           /* Bytes in aData */
  u32 iRestartOff;     /* Offset of the restart array: end of entries */
  u32 nRestart;        /* Number of restart points (>= 1) */
  u32 iCur;            /* Offset of the current entry; iRestartOff: none */
  u32 iNext;           /* Offset of the entry after the current one */
  u32 iRestart;        /* Index of the last restart point <= iCur */
  const u8 *pKey;      /* Current key: in aData, aKeyInline or aKeyHeap */
  u32 nKey;            /* Bytes in pKey (0: no previous key) */
  const u8 *pVal;      /* Current value, in aData */
  u32 nVal;            /* Bytes in pVal */
  u8 *aKeyHeap;        /* Room for a long key (allocated on demand) */
  u32 nKeyHeap;        /* Bytes allocated at aKeyHeap */
  int rc;              /* Sticky error until the next First/Last/Seek */
  int bBroken;         /* Init failed: every movement is LSMC_CORRUPT */
  u8 aKeyInline[BLOCK_KEY_INLINE];   /* Room for a short key */
};

/* Attach to block a[0..n) and validate its restart array (LSMC_CORRUPT
** if damaged; Clear is still required).  The iterator is not positioned. */
int lsmcBlockIterInit(BlockIter*, lsmc_env*, const u8 *a, size_t n);
/* The same for bytes that passed lsmcBlockIterInit before and have not
** changed since (the restart offsets are not checked again). */
int lsmcBlockIterInitChecked(BlockIter*, lsmc_env*, const u8 *a, size_t n);
void lsmcBlockIterClear(BlockIter*);          /* Frees the key room */

int lsmcBlockIterFirst(BlockIter*);
int lsmcBlockIterLast(BlockIter*);
/* First entry whose internal key is >= pIKey (REQUIRES nIKey >= 8). */
int lsmcBlockIterSeek(BlockIter*, const u8 *pIKey, size_t nIKey);
int lsmcBlockIterNext(BlockIter*);
int lsmcBlockIterPrev(BlockIter*);
int lsmcBlockIterValid(const BlockIter*);
const u8 *lsmcBlockIterKey(const BlockIter*, size_t *pnKey);
const u8 *lsmcBlockIterValue(const BlockIter*, size_t *pnVal);

/*
** An LsmIter over block a[0..n).  xRelease(pArg), if not NULL, is called
** when the iterator closes, or at once if this call fails (it takes
** ownership of the block's memory in every case).
*/
int lsmcBlockIterNew(lsmc_env*, const u8 *a, size_t n,
                     void (*xRelease)(void*), void *pArg, LsmIter **ppIter);
/* The same for bytes that passed lsmcBlockIterInit before and have not
** changed since (a block cache's verified blocks). */
int lsmcBlockIterNewChecked(lsmc_env*, const u8 *a, size_t n,
                            void (*xRelease)(void*), void *pArg,
                            LsmIter **ppIter);

#endif /* LSMC_BLOCK_H */
