/*
** version.h -- the refcounted set of live SSTables per level (a Version),
** the file metadata they share (FileMeta), and the VersionSet that owns
** the current version and the manifest.
**
** A Version never changes once built.  Level 0 holds files in newest-
** first order (descending largest sequence number); their key ranges may
** overlap.  Levels 1.. hold files in ascending key order with no overlap.
** A reader (a get, an iterator) takes a reference on the current Version
** and so keeps every file in it alive: a file removed by an edit is
** marked obsolete and deleted from disk only when the last Version that
** names it is released (FileMeta refcount reaching zero).
**
** Thread safety: Versions and FileMetas are immutable and refcounted with
** atomics, so any thread may read them.  The VersionSet's fields are
** changed only by the caller holding the db mutex (lsmcVersionSetApply is
** called with it held: the edit is appended and synced, then the new
** version installed).  SSTable readers are opened lazily, under the set's
** table cache: an LRU of open readers bounded by LSMC_OPT_MAX_OPEN_FILES,
** keyed by file number.
*/
#ifndef LSMC_VERSION_H
#define LSMC_VERSION_H

#include "lsmcInt.h"
#include "iter.h"
#include "manifest.h"
#include "sst_reader.h"
#include "cache.h"
#include "meta.h"

#include <pthread.h>
#include <stdatomic.h>

typedef struct FileMeta FileMeta;
typedef struct Version Version;
typedef struct VersionSet VersionSet;
typedef struct WalWriter WalWriter;

struct FileMeta {
  atomic_int nRef;        /* Versions (and others) holding this file */
  VersionSet *pSet;       /* Owner: env, directory, table mutex */
  u64 iNumber;            /* File number (NNNNNN.sst) */
  u64 nSize;              /* Bytes */
  u64 iMinSeq;            /* Smallest sequence number */
  u64 iMaxSeq;            /* Largest sequence number */
  u64 nEntries;           /* Entries */
  u64 nDeletes;           /* Tombstones */
  u64 iCreated;           /* Creation time, microseconds */
  LsmcBuf smallest;       /* Smallest internal key */
  LsmcBuf largest;        /* Largest internal key */
  atomic_int bObsolete;   /* Removed by an edit: delete at last unref */
};

struct Version {
  atomic_int nRef;                      /* References */
  VersionSet *pSet;                     /* Owner */
  int anFile[LSMC_NUM_LEVELS];          /* Files per level */
  FileMeta **apFile[LSMC_NUM_LEVELS];   /* Files per level, ordered */
};

struct VersionSet {
  lsmc_env *pEnv;              /* Env of the store */
  char *zDir;                  /* Store directory (owned) */
  int eRecovery;               /* LSMC_RECOVER_* for logs */
  Cache *pTableCache;          /* Open SstReaders by file number */
  Cache *pBlockCache;          /* Shared block cache, or NULL */
  Version *pCurrent;           /* Current version (one reference) */
  u64 iNextFile;               /* Next file number to hand out */
  u64 iReserved;               /* NEXT_FILE the manifest records: every
                               ** number handed out is below it (numbers
                               ** are reserved before use) */
  u64 iCleanWal;               /* Recovered: the WAL the store was closed
                               ** cleanly with (CLEAN_WAL), 0 if none; kept
                               ** by new manifests until replay is done */
  int bLegacy;                 /* Recovered a FORMAT 1 manifest, whose
                               ** NEXT_FILE was no reservation */
  int nForeign;                /* Entries in aForeign */
  u64 *aForeign;               /* Sorted numbers of files named like ours
                               ** that are not the store's (FOREIGN) */
  u64 iLastSeq;                /* Largest sequence in any SST */
  u64 iLogNumber;              /* WALs below this number are obsolete */
  u64 iManifest;               /* Number of the live manifest, 0: none */
  WalWriter *pManifest;        /* Writer on the live manifest */
  u64 nManifestBytes;          /* Bytes written to it */
  MetaSet meta;                /* Application metadata (META items) */
};

int lsmcVersionSetNew(lsmc_env*, const char *zDir, int eRecovery,
                      u64 nMaxOpen, Cache *pBlockCache, VersionSet **pp);
void lsmcVersionSetFree(VersionSet*);   /* Closes the manifest writer */

/*
** Recover the file set from CURRENT and the manifest it names.
** LSMC_IOERR_NOENT if there is no CURRENT (a new store).
*/
int lsmcVersionSetRecover(VersionSet*);

/*
** Start a new manifest holding the current state (plus iLogNumber etc.),
** sync it, and point CURRENT at it.  The old manifest file is left for the
** caller's obsolete-file sweep.
*/
int lsmcVersionSetNewManifest(VersionSet*);

/*
** Append pEdit to the manifest, sync it, and install the resulting
** version as current.  Files deleted by the edit are marked obsolete.
** REQUIRES: the db mutex is held.  On error nothing changes.
*/
int lsmcVersionSetApply(VersionSet*, VersionEdit *pEdit);

/* Describe file f, as it would sit on level iLevel, for a version edit
** (the keys point into f, which must outlive the edit's encoding). */
void lsmcFileToEdit(const FileMeta *f, int iLevel, EditFile *pOut);

/*
** Hand out a file number that is never used again, skipping the foreign
** ones.  When the manifest's reservation is used up, first append and
** sync an edit reserving LSMC_FILE_RESERVE more (so a file of the store
** is always numbered below the NEXT_FILE of its manifest, even after a
** crash).  Before the first manifest is written (recovery) nothing can be
** reserved; the new manifest's first record covers those numbers.
** REQUIRES: the db mutex is held (as for lsmcVersionSetApply).
*/
int lsmcVersionSetNewFileNumber(VersionSet*, u64 *piNum);

/* True if iNum is a FOREIGN number (a file named like ours that is not
** the store's). */
int lsmcVersionSetIsForeign(const VersionSet*, u64 iNum);

/* Record iNum as foreign (a file named like ours found in the directory
** at open, numbered at or above NEXT_FILE).  It is written to the next
** manifest.  LSMC_CORRUPT past LSMC_EDIT_MAX_FILES foreign files. */
int lsmcVersionSetAddForeign(VersionSet*, u64 iNum);

void lsmcVersionRef(Version*);
void lsmcVersionUnref(Version*);        /* NULL is a no-op */
void lsmcFileRef(FileMeta*);
void lsmcFileUnref(FileMeta*);          /* Deletes an obsolete file */

/*
** The open SSTable reader of a file, from the table cache (opened on a
** miss).  The caller releases *ppHandle with lsmcCacheRelease() when done
** with the reader.
*/
int lsmcFileReader(FileMeta*, SstReader **ppReader, CacheHandle **ppHandle);
/* An iterator over a file that holds its table-cache handle until closed. */
int lsmcFileIter(FileMeta*, int bFill, LsmIter **ppIter);   /* bFill: cache
                                               ** the blocks read (0: compaction) */

/* Counters of one lookup in a version. */
typedef struct VersionGetStat VersionGetStat;
struct VersionGetStat {
  u64 nSstConsulted;          /* SSTables whose key range held the key */
  int iLevelFound;            /* Level answered (-1: none) */
  SstGetStat sst;             /* Filter and block counters */
};

/*
** Newest version of pKey with sequence <= iSeq in v's files: LSMC_OK with
** *peKind PUT (value in pVal) or DELETE; LSMC_NOTFOUND; or an error.  On
** LSMC_CORRUPT, *pzFile (if not NULL) gets the file number at fault.
*/
int lsmcVersionGet(Version*, const u8 *pKey, size_t nKey, u64 iSeq,
                   int *peKind, LsmcBuf *pVal, VersionGetStat *pStat,
                   u64 *piBadFile);

/* Number of iterators lsmcVersionIters appends. */
int lsmcVersionIterCount(const Version*);
/* Append one iterator per L0 file and one per non-empty deeper level to
** apIter (room for lsmcVersionIterCount).  *pn is advanced.  The version
** must stay referenced while they live.  On error, the iterators already
** appended stay in apIter for the caller to close. */
int lsmcVersionIters(Version*, LsmIter **apIter, int *pn);

/* Total bytes of level i. */
u64 lsmcVersionLevelBytes(const Version*, int iLevel);

#endif /* LSMC_VERSION_H */
