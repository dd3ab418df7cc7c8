/*
** block_builder.h -- builds the contents of one data or index block
** (format in sst_format.h): prefix-compressed entries with a restart
** point every nInterval entries, then the restart array.
**
** Allowed calls:  Init (Add* Finish Reset)* Free
** Keys are added in the order they must be read back; the builder does not
** compare them (the SSTable builder checks the order).  The buffer
** returned by Finish stays valid until Reset or Free, and the caller may
** append to it (the SSTable builder adds the block trailer in place).
**
** Thread safety: one thread at a time per builder.
*/
#ifndef LSMC_BLOCK_BUILDER_H
#define LSMC_BLOCK_BUILDER_H

#include "lsmcInt.h"

typedef struct BlockBuilder BlockBuilder;
struct BlockBuilder {
  LsmcBuf buf;         /* Entries, then the restart array after Finish */
  LsmcBuf restart;     /* Restart offsets, already encoded as u32 LE */
  LsmcBuf lastKey;     /* Key of the last entry added */
  u32 nInterval;       /* Entries between restart points (>= 1) */
  u32 nSinceRestart;   /* Entries added since the last restart point */
  u32 nEntry;          /* Entries in the block */
  int bFinished;       /* True after Finish, until Reset */
};

/* Prepare an empty builder; nInterval 0 means 16. */
void lsmcBlockBuilderInit(BlockBuilder*, lsmc_env*, u32 nInterval);
/* Append one entry.  Sets *pRc to LSMC_NOMEM, or LSMC_MISUSE if the block
** would reach 4 GiB.  REQUIRES: not finished; nKey >= 8. */
void lsmcBlockBuilderAdd(int *pRc, BlockBuilder*, const u8 *pKey,
                         size_t nKey, const u8 *pVal, size_t nVal);
/* Size of the block if it were finished now. */
size_t lsmcBlockBuilderSize(const BlockBuilder*);
/* Append the restart array; return the block contents (NULL on error). */
LsmcBuf *lsmcBlockBuilderFinish(int *pRc, BlockBuilder*);
/* Empty the builder for the next block (keeps its memory). */
void lsmcBlockBuilderReset(BlockBuilder*);
void lsmcBlockBuilderFree(BlockBuilder*);

#endif /* LSMC_BLOCK_BUILDER_H */
