/*
** merge_iter.h -- a k-way merging iterator: the union of several sorted
** internal iterators, in internal-key order, with a binary heap (a
** min-heap going forward, a max-heap going backward).
**
** Children are given newest source first.  Since internal keys are unique
** (every version has its own sequence number), ties do not arise between
** well-formed sources; should two children hold an equal internal key,
** the one given first comes first.  Switching direction re-seeks every
** child around the current key (LevelDB's MergingIterator does the same).
*/
#ifndef LSMC_MERGE_ITER_H
#define LSMC_MERGE_ITER_H

#include "iter.h"

/* Takes ownership of every child (also on failure); apChild is copied. */
int lsmcMergeIterNew(lsmc_env*, LsmIter **apChild, int nChild,
                     LsmIter **ppIter);

#endif /* LSMC_MERGE_ITER_H */
