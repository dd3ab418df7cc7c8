/*
** two_level_iter.h -- an iterator over a sequence of iterators: an index
** iterator whose values each open a child iterator (an SSTable's index
** block over its data blocks; a level's file list over its SSTables).
** Entries come out in the index's order; empty children are skipped in
** both directions.
**
** The two-level iterator owns the index iterator and each child it opens
** (one child at a time).
*/
#ifndef LSMC_TWO_LEVEL_ITER_H
#define LSMC_TWO_LEVEL_ITER_H

#include "iter.h"

/* Open the child named by the index entry's value. */
typedef int (*TwoLevelOpenFn)(void *pCtx, const u8 *pIndexVal, size_t nVal,
                              LsmIter **ppChild);

/* Takes ownership of pIndex (also on failure). */
int lsmcTwoLevelIterNew(lsmc_env*, LsmIter *pIndex, TwoLevelOpenFn xOpen,
                        void *pCtx, LsmIter **ppIter);

#endif /* LSMC_TWO_LEVEL_ITER_H */
