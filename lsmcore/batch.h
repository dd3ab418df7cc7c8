/*
** batch.h -- the write batch (struct lsmc_batch) and its encoding, which
** is also the payload of one WAL record.
**
** Encoding (all integers little-endian):
**     u64 iSeq       sequence number of the first entry (set by the db)
**     u32 nCount     number of entries
**     nCount times:
**        u8 kind     LSMC_KIND_PUT or LSMC_KIND_DELETE
**        varint nKey, key bytes
**        (PUT only) varint nVal, value bytes
** Entry i gets sequence iSeq + i.  A later entry for the same key wins.
**
** Reading through a batch (lsmc_get_batch, lsmc_iter_open_batch) uses an
** index built on first use: a MemTable in which the i-th entry (1-based)
** has sequence number i, so the batch as of count n is the memtable read
** at sequence n.  Appends extend the index; truncate, clear and append of
** another batch drop it (readers that pinned it keep their copy).
**
** A batch is used by one thread at a time.
*/
#ifndef LSMC_BATCH_H
#define LSMC_BATCH_H

#include "lsmcInt.h"
#include "iter.h"
#include "memtable.h"

#define LSMC_BATCH_HEADER 12          /* u64 seq + u32 count */

struct lsmc_batch {
  LsmcBuf rep;                        /* Encoding above; n>=HEADER */
  MemTable *pIndex;                   /* Entries by key (see above) or NULL;
                                      ** one reference owned by the batch */
};

/* Initialise an embedded batch (the header is written).  LSMC_NOMEM. */
int lsmcBatchInit(lsmc_batch*, lsmc_env *pEnv);
void lsmcBatchFinish(lsmc_batch*);    /* Frees the rep */

u64 lsmcBatchSeq(const lsmc_batch*);
void lsmcBatchSetSeq(lsmc_batch*, u64 iSeq);
/* Append every entry of pSrc to pDst (group commit).  LSMC_NOMEM. */
int lsmcBatchAppend(lsmc_batch *pDst, const lsmc_batch *pSrc);

/*
** Walk the entries of an encoded batch p[0..n), calling xEntry for each
** with its sequence number.  Returns LSMC_CORRUPT if the encoding is
** malformed (too short, a length past the end, a bad kind, trailing
** bytes, or a count mismatch) before calling xEntry at all: the whole
** encoding is validated first.  A non-zero return from xEntry stops the
** walk and is returned.
*/
typedef int (*BatchEntryFn)(void *pArg, u64 iSeq, int eKind,
                            const u8 *pKey, size_t nKey,
                            const u8 *pVal, size_t nVal);
int lsmcBatchIterate(const u8 *p, size_t n, BatchEntryFn xEntry, void *pArg);

/*
** Look up the batch's newest entry for user key pKey.  LSMC_OK with
** *peKind LSMC_KIND_PUT (*ppVal and *pnVal point into the batch's index,
** valid until the batch is next changed or freed) or LSMC_KIND_DELETE;
** LSMC_NOTFOUND if the batch has no entry for the key; LSMC_NOMEM.
*/
int lsmcBatchGet(lsmc_batch*, const u8 *pKey, size_t nKey, int *peKind,
                 const u8 **ppVal, size_t *pnVal);

/*
** Open an internal iterator (iter.h) over every entry of the batch as it
** is now, to be read at sequence *piSeq (the count now): entries added
** later have larger sequences, and a truncate or clear replaces the index
** instead of changing it, so what the iterator shows never changes.  The
** iterator holds its own reference on the index; it may outlive the
** batch.  *ppIter is NULL (and LSMC_OK returned) if the batch is empty.
** LSMC_NOMEM.
*/
int lsmcBatchIter(lsmc_batch*, LsmIter **ppIter, u64 *piSeq);

#endif /* LSMC_BATCH_H */
