/*
** meta.h -- application metadata: a few small named values kept in the
** store's manifest (tag META, manifest.h), and the in-memory set that
** mirrors them (MetaSet, owned by the VersionSet).
**
** The set holds at most LSMC_META_MAX_COUNT names, each with its value
** (a private copy).  It changes in two ways only: recovery applies the
** META items of every replayed edit (lsmcMetaSetApply), and lsmc_meta_put
** installs a value after the edit naming it is synced (lsmcMetaSetPut,
** which cannot fail: the copy is made before the edit is written).  A
** new manifest's first record carries every entry (lsmcMetaSetToEdit).
**
** Thread safety: the set is guarded by the db mutex, like the rest of the
** VersionSet.
*/
#ifndef LSMC_META_H
#define LSMC_META_H

#include "lsmcInt.h"
#include "manifest.h"

/* One name and its value. */
typedef struct MetaEntry MetaEntry;
struct MetaEntry {
  char zName[LSMC_META_MAX_NAME+1];  /* NUL-terminated name */
  u8 *pVal;                          /* Value (owned; never NULL) */
  size_t nVal;                       /* Bytes in pVal */
};

typedef struct MetaSet MetaSet;
struct MetaSet {
  lsmc_env *pEnv;                    /* Allocator of the values */
  int n;                             /* Entries in a[] */
  MetaEntry a[LSMC_META_MAX_COUNT];  /* Entries, in order of first put */
};

void lsmcMetaSetInit(MetaSet*, lsmc_env*);
void lsmcMetaSetClear(MetaSet*);        /* Frees every value */

/* Index of name zName[0..nName) in the set, or -1. */
int lsmcMetaSetFind(const MetaSet*, const u8 *zName, size_t nName);

/*
** Set every META item of pEdit (recovery).  LSMC_CORRUPT if the set
** would hold more than LSMC_META_MAX_COUNT names; LSMC_NOMEM.  On error
** the set may hold some of the edit's items (recovery then fails).
*/
int lsmcMetaSetApply(MetaSet*, const VersionEdit *pEdit);

/*
** Install value pVal (allocated from the set's env, of nVal bytes; the
** set takes ownership) under zName, replacing the old value.  REQUIRES:
** zName is valid and either present or the set is not full.
*/
void lsmcMetaSetPut(MetaSet*, const u8 *zName, size_t nName,
                    u8 *pVal, size_t nVal);

/* Add one META item per entry to pEdit (a new manifest's first record;
** the items point into the set, which must not change until encoded). */
int lsmcMetaSetToEdit(const MetaSet*, VersionEdit *pEdit);

#endif /* LSMC_META_H */
