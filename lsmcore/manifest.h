/*
** manifest.h -- version edits, their encoding, and the MANIFEST and
** CURRENT files.
**
** The set of live SSTables is changed only by appending a version edit to
** the live manifest and syncing it.  A manifest is a log in the record
** framing of wal_format.h; each record is one edit, encoded as a sequence
** of (varint tag, fields) items:
**
**     tag 6  FORMAT     varint version (= 2; 1 is still read, see
**                       below); first item of a manifest's first record,
**                       and only there
**     tag 1  LOG        varint: WALs numbered below this are obsolete
**     tag 2  NEXT_FILE  varint: every file number the store has handed
**                       out, or may hand out before its next edit, is
**                       below it (numbers are reserved in the manifest
**                       before use: version.c).  A file named like ours
**                       and numbered at or above it is not the store's.
**     tag 8  CLEAN_WAL  varint number: the store was closed cleanly with
**                       this WAL synced (the last edit of a session; any
**                       later edit clears it)
**     tag 7  FOREIGN    varint number: a file named like ours with this
**                       number was found in the directory but is not the
**                       store's; the store never hands the number out,
**                       never replays nor deletes that file
**     tag 3  LAST_SEQ   varint: the largest sequence number in any SST
**     tag 4  ADD_FILE   varint level, number, size, min seq, max seq,
**                       entries, tombstones, creation time (microseconds
**                       since the epoch); varint-prefixed smallest and
**                       largest internal keys
**     tag 5  DEL_FILE   varint level, number
**     tag 9  META       varint-prefixed name, varint-prefixed value: the
**                       application metadata value of that name
**                       (lsmc_meta_put) is now this one.  A name is 1 to
**                       LSMC_META_MAX_NAME printable ASCII bytes, a value
**                       at most LSMC_META_MAX_VALUE bytes; an edit holds
**                       at most LSMC_META_MAX_COUNT of them, and a store
**                       at most LSMC_META_MAX_COUNT distinct names (more
**                       is LSMC_CORRUPT).  A later META of a name replaces
**                       the earlier value.
**
** A new manifest starts with one record holding the whole current state
** (FORMAT, LOG, NEXT_FILE, LAST_SEQ, one ADD_FILE per live file and one
** META per metadata name), so metadata survives manifest rewrites.
** CURRENT holds the name of the live manifest followed by a newline
** ("MANIFEST-000007\n"); it is replaced atomically (write CURRENT's temp
** file, sync, rename, sync the directory) only after the new manifest is
** synced.  A torn tail of the manifest (an edit whose sync never returned)
** is dropped; damage followed by valid records is LSMC_CORRUPT.
*/
#ifndef LSMC_MANIFEST_H
#define LSMC_MANIFEST_H

#include "lsmcInt.h"

/* FORMAT 2: NEXT_FILE is a reservation, FOREIGN exists.  A FORMAT 1
** manifest (NEXT_FILE was only the next number, so WALs created after
** the last edit carried higher numbers) is still recovered the old way. */
#define LSMC_MANIFEST_FORMAT     2
#define LSMC_MANIFEST_FORMAT_V1  1
#define LSMC_NUM_LEVELS      7       /* L0 .. L6 */

/* A file added by an edit. */
typedef struct EditFile EditFile;
struct EditFile {
  int iLevel;            /* Level the file joins */
  u64 iNumber;           /* File number (NNNNNN.sst) */
  u64 nSize;             /* File size in bytes */
  u64 iMinSeq;           /* Smallest sequence number in the file */
  u64 iMaxSeq;           /* Largest sequence number in the file */
  u64 nEntries;          /* Entries */
  u64 nDeletes;          /* Tombstones */
  u64 iCreated;          /* Creation time, microseconds since the epoch */
  const u8 *pSmallest;   /* Smallest internal key (not owned) */
  size_t nSmallest;      /* Bytes in pSmallest */
  const u8 *pLargest;    /* Largest internal key (not owned) */
  size_t nLargest;       /* Bytes in pLargest */
};

/* A file removed by an edit. */
typedef struct EditDel EditDel;
struct EditDel {
  int iLevel;            /* Level the file leaves */
  u64 iNumber;           /* Its number */
};

#define LSMC_EDIT_MAX_FILES 4096   /* Bound on files one edit may name */

/* A metadata value set by an edit (tag META).  Name and value are not
** owned: they point into the decoded record or the caller's memory. */
typedef struct EditMeta EditMeta;
struct EditMeta {
  const u8 *zName;       /* Name bytes (no NUL) */
  size_t nName;          /* 1..LSMC_META_MAX_NAME */
  const u8 *pVal;        /* Value bytes (not NULL, even when empty) */
  size_t nVal;           /* 0..LSMC_META_MAX_VALUE */
};

/*
** One version edit.  Decoded edits point into the record they came from
** (valid during the replay callback only).
*/
typedef struct VersionEdit VersionEdit;
struct VersionEdit {
  int bFormat;  u64 iFormat;       /* FORMAT present, and its value */
  int bLog;     u64 iLog;          /* LOG present, and its value */
  int bNextFile; u64 iNextFile;    /* NEXT_FILE present, and its value */
  int bLastSeq; u64 iLastSeq;      /* LAST_SEQ present, and its value */
  int bCleanWal; u64 iCleanWal;    /* CLEAN_WAL present, and its value */
  int nAdd;                        /* Files added */
  EditFile *aAdd;                  /* nAdd entries (owned: lsmcEditClear) */
  int nDel;                        /* Files removed */
  EditDel *aDel;                   /* nDel entries (owned: lsmcEditClear) */
  int nForeign;                    /* FOREIGN numbers */
  u64 *aForeign;                   /* nForeign entries (owned) */
  int nMeta;                       /* META items */
  EditMeta *aMeta;                 /* nMeta entries (owned; the bytes
                                   ** they point to are not) */
  lsmc_env *pEnv;                  /* Allocator of aAdd/aDel */
};

void lsmcEditInit(VersionEdit*, lsmc_env*);
void lsmcEditClear(VersionEdit*);          /* Frees the arrays */
int lsmcEditAddFile(VersionEdit*, const EditFile*);
int lsmcEditDelFile(VersionEdit*, int iLevel, u64 iNumber);
int lsmcEditAddForeign(VersionEdit*, u64 iNumber);
/* Add a META item (pointers kept, not copied).  LSMC_MISUSE for a bad
** name or size, or past LSMC_META_MAX_COUNT items. */
int lsmcEditAddMeta(VersionEdit*, const u8 *zName, size_t nName,
                    const u8 *pVal, size_t nVal);
/* True if zName[0..nName) is a valid metadata name: 1 to
** LSMC_META_MAX_NAME bytes, each printable ASCII (0x20..0x7e). */
int lsmcMetaNameValid(const u8 *zName, size_t nName);

/* Append the encoding of pEdit to pBuf. */
void lsmcEditEncode(int *pRc, const VersionEdit *pEdit, LsmcBuf *pBuf);
/* Decode p[0..n) into pEdit (which must be freshly initialised).
** LSMC_CORRUPT for an unknown tag, a bad level, or a short field. */
int lsmcEditDecode(VersionEdit *pEdit, const u8 *p, size_t n);

/*
** Read CURRENT in zDir and return the live manifest's number.
** LSMC_IOERR_NOENT if there is no CURRENT; LSMC_CORRUPT if it does not
** name a manifest.
*/
int lsmcCurrentRead(lsmc_env*, const char *zDir, u64 *piManifest);
/* Point CURRENT at MANIFEST-iManifest (atomically; syncs the directory). */
int lsmcCurrentWrite(lsmc_env*, const char *zDir, u64 iManifest, u64 iTmp);

/*
** Replay the manifest iManifest: call xEdit for each edit, in order.
** LSMC_CORRUPT if a record does not decode or damage precedes valid
** records.
*/
int lsmcManifestReplay(lsmc_env*, const char *zDir, u64 iManifest,
                       int (*xEdit)(void *pArg, VersionEdit *pEdit),
                       void *pArg);

#endif /* LSMC_MANIFEST_H */
