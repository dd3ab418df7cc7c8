/*
** db_iter.h -- the user-visible iterator (struct lsmc_iter): turns an
** internal iterator over every version into a view of user keys as of one
** sequence number: versions newer than the snapshot are skipped, only the
** newest visible version of each key is returned, tombstones hide their
** key, and keys outside [lower, upper) are never returned.  Optionally a
** second internal iterator -- an uncommitted batch's index -- is merged
** on top: its newest entry for a key wins over the store's, and its
** tombstones hide the store's keys.
**
** The public lsmc_iter_* functions of lsmcore.h are implemented in
** db_iter.c over this object.
*/
#ifndef LSMC_DB_ITER_H
#define LSMC_DB_ITER_H

#include "iter.h"

/*
** Create an lsmc_iter over pInternal (owned from now on, also on failure)
** reading as of sequence iSeq, bounded by [pLower, pUpper) (either may be
** NULL; both are copied).  xCleanup(pCleanupArg) is called once when the
** iterator is closed, after pInternal is closed (the db uses it to release
** the memtables and version it pinned).
*/
int lsmcDbIterNew(lsmc_env*, LsmIter *pInternal, u64 iSeq,
                  const u8 *pLower, size_t nLower,
                  const u8 *pUpper, size_t nUpper,
                  void (*xCleanup)(void*), void *pCleanupArg,
                  lsmc_iter **ppIter);

/*
** Merge pBatch (owned from now on) over the store: an internal iterator
** over a batch's entries, read as of sequence iSeq (lsmcBatchIter).  Its
** newest visible entry for a key replaces the store's version (a DELETE
** hides the key).  REQUIRES: p comes fresh from lsmcDbIterNew (not yet
** positioned, no batch attached).  Cannot fail.
*/
void lsmcDbIterSetBatch(lsmc_iter *p, LsmIter *pBatch, u64 iSeq);

#endif /* LSMC_DB_ITER_H */
