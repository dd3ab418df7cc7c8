/*
** sst_builder.h -- writes one SSTable (format in sst_format.h) from
** internal-key entries given in ascending order.
**
** Allowed calls:  New Add* (Finish | Abandon)
** Finish writes the filter, properties, index and footer blocks; it does
** not sync: the caller syncs the file before a manifest names it.
** The builder does not own the file; the caller closes it.
*/
#ifndef LSMC_SST_BUILDER_H
#define LSMC_SST_BUILDER_H

#include "lsmcInt.h"
#include "sst_format.h"

typedef struct SstBuilder SstBuilder;

/* pFile is an env file opened with LSMC_OPEN_CREATE (empty). */
int lsmcSstBuilderNew(lsmc_env*, lsmc_file *pFile, const SstOptions*,
                      SstBuilder **ppBuilder);
/* REQUIRES: pIKey greater than every key added before (lsmcIKeyCompare). */
int lsmcSstBuilderAdd(SstBuilder*, const u8 *pIKey, size_t nIKey,
                      const u8 *pVal, size_t nVal);
u64 lsmcSstBuilderFileSize(const SstBuilder*); /* Bytes written so far */
u64 lsmcSstBuilderCount(const SstBuilder*);    /* Entries added */
/* Write the trailing blocks; *pnFile is the final file size.  pProps, if
** not NULL, receives a copy of the properties (free with lsmcSstPropsFree). */
int lsmcSstBuilderFinish(SstBuilder*, u64 *pnFile, SstProps *pProps);
void lsmcSstBuilderFree(SstBuilder*);          /* NULL is a no-op */

void lsmcSstPropsInit(SstProps*, lsmc_env*);
void lsmcSstPropsFree(SstProps*);

#endif /* LSMC_SST_BUILDER_H */
