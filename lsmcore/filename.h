/*
** filename.h -- every file name of a store, in one place.
**
** A store directory holds only these names (NNNNNN: a decimal file number
** of at least six digits; file numbers are never reused):
**     NNNNNN.log       a write-ahead log (wal_format.h)
**     NNNNNN.sst       an SSTable (sst_format.h)
**     MANIFEST-NNNNNN  a manifest: the log of version edits (manifest.h)
**     CURRENT          names the live manifest; replaced by rename
**     IDENTITY         marks the directory as a store of ours
**     LOCK             held with an exclusive lock while the store is open
**     NNNNNN.tmp       a file being written, renamed into place when done
** The engine deletes only files whose names parse here, and only when its
** manifest no longer names them (see db.c).
*/
#ifndef LSMC_FILENAME_H
#define LSMC_FILENAME_H

#include "lsmcInt.h"

#define LSMC_FILE_WAL       1
#define LSMC_FILE_SST       2
#define LSMC_FILE_MANIFEST  3
#define LSMC_FILE_CURRENT   4
#define LSMC_FILE_IDENTITY  5
#define LSMC_FILE_LOCK      6
#define LSMC_FILE_TEMP      7

/* "zDir/<name>" for a file of kind eType and number iNum (ignored for the
** unnumbered kinds).  NULL on OOM; free with lsmcFree. */
char *lsmcFileName(lsmc_env*, const char *zDir, int eType, u64 iNum);

/* If zName (a bare name, no directory) is one of ours, set *peType and
** *piNum (0 for unnumbered kinds) and return 1; otherwise return 0. */
int lsmcParseFileName(const char *zName, int *peType, u64 *piNum);

#endif /* LSMC_FILENAME_H */
