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
** A batch is used by one thread at a time.
*/
#ifndef LSMC_BATCH_H
#define LSMC_BATCH_H

#include "lsmcInt.h"

#define LSMC_BATCH_HEADER 12          /* u64 seq + u32 count */

struct lsmc_batch {
  LsmcBuf rep;                        /* Encoding above; n>=HEADER */
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

#endif /* LSMC_BATCH_H */
