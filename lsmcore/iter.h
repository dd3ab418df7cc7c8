/*
** iter.h -- the internal iterator: one method table that every sorted
** source implements (memtable, data block, SSTable, merging iterator,
** level concatenation), so that they can be stacked.
**
** An LsmIter walks entries in internal-key order (lsmcInt.h): ascending
** user key, newest version first.  It yields every version and every
** tombstone; hiding old versions and tombstones is db_iter's job.
**
** Allowed calls, as a regular expression over one iterator's life:
**     (xFirst | xLast | xSeek) (xValid | xKey | xValue | xNext | xPrev |
**      xFirst | xLast | xSeek)* xClose
** xNext, xPrev, xKey and xValue REQUIRE xValid.
**
** Movement returns LSMC_OK, after which xValid tells whether the iterator
** is on an entry, or an error (LSMC_CORRUPT, LSMC_IOERR, LSMC_NOMEM),
** after which xValid is false and the error is sticky until the next
** xFirst/xLast/xSeek.  xSeek positions on the first entry whose internal
** key is >= the target.  xKey returns the internal key; xKey and xValue
** pointers stay valid until the next movement or xClose.
**
** Thread safety: one thread at a time per iterator.  An iterator holds
** references on whatever it reads (a memtable, an SSTable reader), so the
** source stays alive until xClose.
*/
#ifndef LSMC_ITER_H
#define LSMC_ITER_H

#include "lsmcInt.h"

typedef struct LsmIter LsmIter;
typedef struct LsmIterMethods LsmIterMethods;

struct LsmIterMethods {
  void (*xClose)(LsmIter*);                        /* Frees the iterator */
  int (*xFirst)(LsmIter*);
  int (*xLast)(LsmIter*);
  int (*xSeek)(LsmIter*, const u8 *pIKey, size_t nIKey);
  int (*xNext)(LsmIter*);
  int (*xPrev)(LsmIter*);
  int (*xValid)(LsmIter*);
  const u8 *(*xKey)(LsmIter*, size_t *pnIKey);     /* Internal key */
  const u8 *(*xValue)(LsmIter*, size_t *pnVal);
};

/* Every iterator struct begins with this. */
struct LsmIter {
  const LsmIterMethods *pMethods;
};

/* Shorthands. */
#define lsmcIterClose(p)        ((p) ? (p)->pMethods->xClose(p) : (void)0)
#define lsmcIterFirst(p)        ((p)->pMethods->xFirst(p))
#define lsmcIterLast(p)         ((p)->pMethods->xLast(p))
#define lsmcIterSeek(p,k,n)     ((p)->pMethods->xSeek((p),(k),(n)))
#define lsmcIterNext(p)         ((p)->pMethods->xNext(p))
#define lsmcIterPrev(p)         ((p)->pMethods->xPrev(p))
#define lsmcIterValid(p)        ((p)->pMethods->xValid(p))
#define lsmcIterKey(p,pn)       ((p)->pMethods->xKey((p),(pn)))
#define lsmcIterValue(p,pn)     ((p)->pMethods->xValue((p),(pn)))

#endif /* LSMC_ITER_H */
