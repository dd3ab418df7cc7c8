/*
** lsmcore.h -- the whole public face of the lsmcore storage engine.
**
** lsmcore is a log-structured merge tree: writes are appended to a
** write-ahead log (WAL) and inserted into an in-memory skiplist (the
** memtable); a full memtable is flushed by a background thread into an
** immutable sorted file (an SSTable) on level 0; reads merge the memtables
** and every SSTable, newest version first.  Keys and values are byte
** strings; keys are ordered by memcmp() (a shorter key that is a prefix of
** a longer one sorts first).
**
** Naming: every public symbol starts with lsmc_ / LSMC_ (SQLite's own lsm1
** extension exports lsm_*, and SQLite loads extensions with global symbol
** binding, so lsm_ would clash).
**
** Ownership and lifetimes, in LevelDB's words:
**   - Handles (lsmc_db, lsmc_iter, lsmc_batch, lsmc_snapshot, lsmc_options)
**     are opaque.  Whoever creates one frees it with the matching function.
**   - "caller frees with lsmc_free()" marks memory handed to the caller.
**   - A pointer returned by an iterator accessor is valid until the next
**     call that moves or closes that iterator.
**   - lsmc_errmsg(db) is valid until the next call on that db handle.
**   - REQUIRES: names a precondition; breaking it is LSMC_MISUSE at best.
**
** Thread safety: one lsmc_db handle may be used from several threads at
** once (writers are serialised inside and share WAL writes: group commit).
** An lsmc_iter, lsmc_batch or lsmc_options is used by one thread at a time.
** A store directory is opened by one process at a time (an exclusive lock
** on its LOCK file); within one process, opening the same directory twice
** returns two handles on one shared engine instance.
*/
#ifndef LSMCORE_H
#define LSMCORE_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/*
** Return codes.  The values follow SQLite's primary result codes so that a
** SQL binding can map them one to one.  A function returns an int so that
** an extended code may carry a subcode in its upper bits; the primary code
** is (rc & 0xff).
*/
#define LSMC_OK         0   /* Success */
#define LSMC_ERROR      1   /* Generic error (see lsmc_errmsg) */
#define LSMC_BUSY       5   /* Store locked by another process */
#define LSMC_NOMEM      7   /* An allocation failed */
#define LSMC_IOERR     10   /* An I/O call failed */
#define LSMC_CORRUPT   11   /* A file is damaged; nothing was changed */
#define LSMC_NOTFOUND  12   /* Not an error: the key is absent */
#define LSMC_FULL      13   /* The disk is full */
#define LSMC_CANTOPEN  14   /* Cannot open or create the store */
#define LSMC_MISUSE    21   /* An API call broke its REQUIRES: contract */

#define LSMC_IOERR_NOENT   (LSMC_IOERR | (1<<8))   /* File does not exist */
#define LSMC_IOERR_SHORT   (LSMC_IOERR | (2<<8))   /* Read ended before EOF */

/* Sync modes, per store (lsmc_options) or per write (lsmc_write). */
#define LSMC_SYNC_DEFAULT  (-1) /* lsmc_write only: use the store's mode */
#define LSMC_SYNC_OFF       0   /* WAL write buffered: may be lost by any crash */
#define LSMC_SYNC_NORMAL    1   /* write() before returning: survives a
                                ** process crash, not a power loss */
#define LSMC_SYNC_FULL      2   /* fdatasync before returning: survives
                                ** power loss */

/* Compaction strategies (lsmc_options, LSMC_OPT_COMPACTION). */
#define LSMC_COMPACTION_LEVELED  0
#define LSMC_COMPACTION_TIERED   1
#define LSMC_COMPACTION_FIFO     2

/* WAL recovery policy (LSMC_OPT_RECOVERY). */
#define LSMC_RECOVER_STRICT          0  /* damage before valid records: CORRUPT */
#define LSMC_RECOVER_POINT_IN_TIME   1  /* keep the prefix before the damage */
/* Damage ends the log, as a torn tail does, if no later WAL holds a
** record and the damaged WAL is not the one a clean close synced: what a
** power loss can leave when commits are not fsynced (damaged sectors
** anywhere in the unsynced WAL).  Otherwise LSMC_CORRUPT.  For stores
** written with LSMC_SYNC_NORMAL or OFF. */
#define LSMC_RECOVER_UNCLEAN_TAIL    2

typedef struct lsmc_db lsmc_db;             /* An open store */
typedef struct lsmc_options lsmc_options;   /* Settings for lsmc_open() */
typedef struct lsmc_batch lsmc_batch;       /* Atomic group of writes */
typedef struct lsmc_iter lsmc_iter;         /* Cursor over a snapshot */
typedef struct lsmc_snapshot lsmc_snapshot; /* A consistent read point */
typedef struct lsmc_env lsmc_env;           /* File-system seam, below */
typedef struct lsmc_file lsmc_file;         /* An open file of an env */

/*
** The file-system and allocation seam.  Every system call the engine makes
** goes through one of these methods; lsmc_default_env() returns the POSIX
** implementation (a const object: it holds no state).  Tests wrap it to
** inject faults and simulate crashes.
**
** A method returns LSMC_OK or an error code (LSMC_IOERR, LSMC_IOERR_NOENT,
** LSMC_FULL for ENOSPC, LSMC_BUSY from xLock, LSMC_NOMEM).  Paths are
** NUL-terminated; an lsmc_file is whatever the env's own struct is, cast.
** Files are written only by appending; data is durable only after xSync.
*/
#define LSMC_OPEN_READONLY   0x01   /* Open an existing file for reading */
#define LSMC_OPEN_CREATE     0x02   /* Create (or truncate) for appending */

struct lsmc_env {
  int iVersion;                  /* Structure version: 1 */
  void *pCtx;                    /* Owned by the env implementation */

  /* Files.  xOpen stores a new handle in *ppFile (freed by xClose). */
  int (*xOpen)(lsmc_env*, const char *zPath, int flags, lsmc_file **ppFile);
  int (*xRead)(lsmc_file*, uint64_t iOff, void *pBuf, size_t nBuf,
               size_t *pnRead);  /* pread; *pnRead < nBuf only at EOF */
  int (*xAppend)(lsmc_file*, const void *pData, size_t nData);
  int (*xSync)(lsmc_file*);      /* fdatasync: data durable on return */
  int (*xSize)(lsmc_file*, uint64_t *pnByte);
  int (*xTruncate)(lsmc_file*, uint64_t nByte);
  int (*xClose)(lsmc_file*);     /* Always frees the handle */

  /* The namespace. */
  int (*xMkdir)(lsmc_env*, const char *zDir);     /* LSMC_OK if it exists */
  int (*xRmdir)(lsmc_env*, const char *zDir);     /* Only an empty dir */
  int (*xSyncDir)(lsmc_env*, const char *zDir);   /* After create/rename */
  int (*xRename)(lsmc_env*, const char *zFrom, const char *zTo);
  int (*xRemove)(lsmc_env*, const char *zPath);
  int (*xExists)(lsmc_env*, const char *zPath, int *pbExists);
  /* Call xEntry once per name in zDir (not "." or ".."); a non-zero
  ** return from xEntry stops the listing and is returned. */
  int (*xList)(lsmc_env*, const char *zDir,
               int (*xEntry)(void *pArg, const char *zName), void *pArg);
  /* Identity of a directory (device and inode), for the store registry. */
  int (*xFileId)(lsmc_env*, const char *zPath, uint64_t *pDev, uint64_t *pIno);

  /* The exclusive, non-blocking lock on a store's LOCK file.  Held by one
  ** open file description: a second xLock, even in this process, gets
  ** LSMC_BUSY.  xUnlock releases and frees *pLock's handle. */
  int (*xLock)(lsmc_env*, const char *zPath, lsmc_file **ppLock);
  int (*xUnlock)(lsmc_env*, lsmc_file *pLock);

  /* Memory.  xMalloc returns NULL on failure; xFree(NULL) is a no-op. */
  void *(*xMalloc)(lsmc_env*, size_t n);
  void *(*xRealloc)(lsmc_env*, void *p, size_t n);
  void (*xFree)(lsmc_env*, void *p);

  /* Time. */
  uint64_t (*xNowMicros)(lsmc_env*);   /* Wall clock, microseconds */
  void (*xSleep)(lsmc_env*, uint64_t nMicros);
};

/* The POSIX env.  Never NULL; the object is const and shared. */
lsmc_env *lsmc_default_env(void);

/*
** Options.  lsmc_options_new() returns an object holding every default;
** lsmc_options_set() changes one value (LSMC_MISUSE if the option is
** unknown or the value out of its bounds).
*/
int lsmc_options_new(lsmc_options **ppOpts);          /* free: _free() */
void lsmc_options_free(lsmc_options *pOpts);          /* NULL is a no-op */
int lsmc_options_set(lsmc_options*, int eOpt, int64_t iValue);
int64_t lsmc_options_get(const lsmc_options*, int eOpt);
/* The env used by stores opened with these options (NULL: the default).
** The env must outlive every store opened with it. */
void lsmc_options_set_env(lsmc_options*, lsmc_env *pEnv);

/*                      option                   default   bounds         */
#define LSMC_OPT_MEMTABLE_SIZE    1   /* 32 MiB     [4 KiB, 1 GiB]        */
#define LSMC_OPT_BLOCK_SIZE       2   /* 4 KiB      [256, 1 MiB]          */
#define LSMC_OPT_BLOOM_BITS       3   /* 10         [0, 32]; 0 disables   */
#define LSMC_OPT_CACHE_SIZE       4   /* 32 MiB     [0, 64 GiB]           */
#define LSMC_OPT_SYNC             5   /* NORMAL     LSMC_SYNC_*           */
#define LSMC_OPT_COMPACTION       6   /* LEVELED    LSMC_COMPACTION_*     */
#define LSMC_OPT_FIFO_MAX_SIZE    7   /* 1 GiB      [64 KiB, 2^50]        */
#define LSMC_OPT_CREATE           8   /* 1          create if missing     */
#define LSMC_OPT_RECOVERY         9   /* STRICT     LSMC_RECOVER_*        */
#define LSMC_OPT_RESTART_INTERVAL 10  /* 16         [1, 1024] keys        */
#define LSMC_OPT_BACKGROUND       11  /* 1          0: flush and compact in
                                      **            the writing thread */
#define LSMC_OPT_FIFO_TTL         12  /* 0          fifo: seconds a file is
                                      **            kept, 0 = no limit     */
#define LSMC_OPT_MAX_OPEN_FILES   13  /* 1000       [16, 1000000] SSTables
                                      **            kept open (table cache) */
#define LSMC_OPT_L0_TRIGGER       14  /* 4          [2, 1000] L0 files (runs)
                                      **            that start a compaction */
#define LSMC_OPT_L0_SLOWDOWN      15  /* 12         [2, 10000] L0 files (runs)
                                      **            at which writes slow down */
#define LSMC_OPT_L0_STOP          16  /* 20         [2, 10000] ... and stop
                                      **            until compaction catches up */
#define LSMC_OPT_TARGET_FILE_SIZE 17  /* 0 (auto)   [0, 1 GiB] size at which
                                      **            compaction output is split;
                                      **            0: memtable size, at least
                                      **            64 KiB, at most 64 MiB  */

/*
** Open the store in directory zDir, creating it when it does not exist
** (and LSMC_OPT_CREATE is set).  A directory that exists, is not empty and
** has no IDENTITY file of ours is never adopted (LSMC_CANTOPEN).  pOpts
** may be NULL for the defaults; it is copied, so the caller may free it
** at once.  On success *ppDb is a new handle (close with lsmc_close());
** on failure *ppDb is a handle that only carries the error message for
** lsmc_errmsg() (still closed with lsmc_close()), or NULL for LSMC_NOMEM.
** If the store is already open in this process, the new handle shares
** that engine, and the options of the first open stay in force.
*/
int lsmc_open(const char *zDir, const lsmc_options *pOpts, lsmc_db **ppDb);

/*
** Delete the store in zDir: every file the store's manifest and identity
** name (its SSTables, WALs, manifests, CURRENT, IDENTITY, LOCK, temp files of
** its own numbering), then the directory itself if that leaves it empty.
** Files that are not the store's (any other name, or a name of our pattern
** that the store does not own) are left alone, and then the directory stays.
** LSMC_BUSY if the store is open (in this process or another);
** LSMC_CANTOPEN if zDir holds no store (no IDENTITY): nothing is deleted;
** LSMC_OK if zDir does not exist.  pOpts may be NULL (it supplies the env).
** LSMC_CORRUPT if IDENTITY, CURRENT or the manifest is damaged (or files of
** ours are present but no manifest names them): nothing is deleted.  The
** exact ownership rule is in destroy.c.
*/
int lsmc_destroy(const char *zDir, const lsmc_options *pOpts);

/*
** Rename the closed store in zFrom to the directory name zTo (one
** rename(2), so both must be on one filesystem), then sync the parent
** directories.  LSMC_BUSY if the store is open (in this process or
** another); LSMC_CANTOPEN if zFrom holds no store (no IDENTITY) or zTo
** exists already.  Nothing changes on error.  pOpts may be NULL.
*/
int lsmc_rename(const char *zFrom, const char *zTo, const lsmc_options *pOpts);

/*
** Close a handle.  The last handle on an engine waits for background work,
** syncs the WAL, and releases the lock.  REQUIRES: every iterator and
** snapshot of this handle is closed.  NULL is a no-op.
*/
int lsmc_close(lsmc_db *pDb);

/* The message of the last failed call on pDb, or "not an error". */
const char *lsmc_errmsg(lsmc_db *pDb);
/* A static English text for a return code (like mdb_strerror). */
const char *lsmc_errstr(int rc);
/* Free memory that lsmcore handed to the caller.  NULL is a no-op. */
void lsmc_free(lsmc_db *pDb, void *p);

/*
** Writes.  lsmc_put and lsmc_delete are one-entry batches written with the
** store's sync mode.  lsmc_write applies a whole batch atomically: after a
** crash either all of it or none of it is present.  eSync is one of
** LSMC_SYNC_*.  After a WAL or manifest I/O error every later write fails
** with that error until the store is reopened (the error is sticky).
*/
int lsmc_put(lsmc_db*, const void *pKey, size_t nKey,
             const void *pVal, size_t nVal);
int lsmc_delete(lsmc_db*, const void *pKey, size_t nKey);
int lsmc_write(lsmc_db*, lsmc_batch *pBatch, int eSync);

/*
** Two-phase commit, for a caller that must learn of every failure before
** it commits elsewhere (SQLite's xSync, then xCommit, which must not fail).
**
** lsmc_commit_prepare (phase 1): write pBatch to the WAL as one record,
** synced as eSync says (LSMC_SYNC_*, DEFAULT: the store's mode), and
** reserve every byte of memory the apply will need.  On LSMC_OK *ppCommit
** is a new commit object and the store's write lock is held until
** lsmc_commit_apply() or lsmc_commit_abort() is called on it: other
** writers (lsmc_write, lsmc_flush, another prepare) wait; readers do not,
** and see nothing of the batch yet.  On error *ppCommit is NULL, nothing
** was written (or, for a WAL I/O error, the error is sticky as for
** lsmc_write) and no lock is held.  The record is durable on LSMC_OK as a
** lsmc_write with the same eSync would be: a crash before the apply
** recovers it, and only lsmc_commit_abort() undoes it.
** REQUIRES: pBatch is neither changed nor freed, and pDb stays open,
** until the apply or abort; the thread holding a prepared commit makes no
** write, flush or compaction call on the store before then (it would wait
** for itself); one of the two is called exactly once.
**
** lsmc_commit_apply (phase 2): insert the batch into the memtable, make it
** visible to readers, release the lock, and free pCommit.  It cannot fail.
**
** lsmc_commit_abort: undo phase 1.  Append an abort marker naming the
** prepared record to the WAL (synced like the record) so that recovery
** skips the record, release the lock, and free pCommit.  Nothing of the
** batch ever becomes visible.  Returns the I/O error if the marker cannot
** be written; the store's sticky error is then set (the record might
** otherwise be replayed by a later open).  pCommit is freed in either case.
** Both accept NULL as a no-op.
*/
typedef struct lsmc_commit lsmc_commit;     /* A prepared batch */
int lsmc_commit_prepare(lsmc_db*, lsmc_batch *pBatch, int eSync,
                        lsmc_commit **ppCommit);
void lsmc_commit_apply(lsmc_commit *pCommit);
int lsmc_commit_abort(lsmc_commit *pCommit);

/*
** Point lookup.  On LSMC_OK, *ppVal is a copy of the value (caller frees
** with lsmc_free(); a zero-length value is a non-NULL pointer) and *pnVal
** its size.  Returns LSMC_NOTFOUND, not an error, if the key is absent.
** pSnap may be NULL for the latest committed state.
*/
int lsmc_get(lsmc_db*, const lsmc_snapshot *pSnap,
             const void *pKey, size_t nKey, void **ppVal, size_t *pnVal);

/*
** Batches: an ordered list of puts and deletes, applied by lsmc_write().
** A batch does not belong to a store and may be reused after a write.
** lsmc_batch_mark() returns a position; lsmc_batch_truncate() drops every
** entry added after it (savepoints).
*/
int lsmc_batch_new(lsmc_batch **ppBatch);   /* free with _free() */
void lsmc_batch_free(lsmc_batch*);          /* NULL is a no-op */
int lsmc_batch_put(lsmc_batch*, const void *pKey, size_t nKey,
                   const void *pVal, size_t nVal);
int lsmc_batch_delete(lsmc_batch*, const void *pKey, size_t nKey);
void lsmc_batch_clear(lsmc_batch*);
uint32_t lsmc_batch_count(const lsmc_batch*);
size_t lsmc_batch_mark(const lsmc_batch*);
void lsmc_batch_truncate(lsmc_batch*, size_t iMark);

/*
** Point lookup through a batch (a transaction reading its own writes):
** the batch's newest entry for the key wins (a put: its value; a delete:
** LSMC_NOTFOUND); otherwise the store as of pSnap (NULL: latest) answers,
** as lsmc_get.  On LSMC_OK *ppVal is a copy (caller frees with
** lsmc_free()).  pBatch may be NULL (then this is lsmc_get).  The batch is
** not changed, except that its first read builds an index of its entries
** (LSMC_NOMEM possible), kept until the batch is truncated or cleared.
*/
int lsmc_get_batch(lsmc_db*, const lsmc_snapshot *pSnap, lsmc_batch *pBatch,
                   const void *pKey, size_t nKey, void **ppVal, size_t *pnVal);

/*
** Snapshots: reads through a snapshot see the store as it was when the
** snapshot was taken, whatever is written, flushed or compacted later.
** REQUIRES: released before the handle closes.
*/
int lsmc_snapshot_get(lsmc_db*, lsmc_snapshot **ppSnap);
void lsmc_snapshot_release(lsmc_db*, lsmc_snapshot*);

/*
** Iterators.  An iterator reads from pSnap (or, if NULL, from an implicit
** snapshot taken when it opens) and is bounded to keys in [pLower, pUpper):
** pLower inclusive, pUpper exclusive, either NULL for unbounded.  The
** bound keys are copied.  A new iterator is not positioned: call
** lsmc_iter_first(), _last() or _seek().  Movement returns LSMC_OK (check
** lsmc_iter_valid() for the end) or an error, after which the iterator is
** invalid.  Keys and values returned are valid until the next call that
** moves or closes the iterator.  REQUIRES: closed before the handle.
*/
#define LSMC_SEEK_GE  0   /* First key >= target */
#define LSMC_SEEK_LE  1   /* Last key <= target */
int lsmc_iter_open(lsmc_db*, const lsmc_snapshot *pSnap,
                   const void *pLower, size_t nLower,
                   const void *pUpper, size_t nUpper, lsmc_iter **ppIter);
/*
** lsmc_iter_open that also sees pBatch's entries as they are when the
** iterator opens, as the newest version of their keys (a put shows its
** value, a delete hides the key); bounds apply to them too.  Later
** changes to the batch (more entries, lsmc_batch_truncate,
** lsmc_batch_clear, lsmc_write) are not seen by this iterator and do not
** invalidate it; the iterator may even outlive the batch (it holds its own
** reference on the batch's index).  pBatch may be NULL (then this is
** lsmc_iter_open).  REQUIRES: as lsmc_iter_open.
*/
int lsmc_iter_open_batch(lsmc_db*, const lsmc_snapshot *pSnap,
                         lsmc_batch *pBatch,
                         const void *pLower, size_t nLower,
                         const void *pUpper, size_t nUpper,
                         lsmc_iter **ppIter);
int lsmc_iter_first(lsmc_iter*);
int lsmc_iter_last(lsmc_iter*);
int lsmc_iter_seek(lsmc_iter*, const void *pKey, size_t nKey, int eSeek);
int lsmc_iter_next(lsmc_iter*);
int lsmc_iter_prev(lsmc_iter*);
int lsmc_iter_valid(const lsmc_iter*);
const void *lsmc_iter_key(const lsmc_iter*, size_t *pnKey);
const void *lsmc_iter_value(const lsmc_iter*, size_t *pnVal);
void lsmc_iter_close(lsmc_iter*);             /* NULL is a no-op */

/*
** Flush the active memtable to an SSTable and wait until it is on disk
** and named by the manifest.  LSMC_OK if there was nothing to flush.
*/
int lsmc_flush(lsmc_db*);

/*
** Compact every file holding keys in [pBegin, pEnd] (both inclusive, either
** NULL for unbounded) and wait until it is done.  The memtable is flushed
** first.  leveled: the range is pushed down level by level into the
** deepest non-empty level (at least L1), dropping overwritten versions and
** tombstones that no snapshot needs; tiered: every run is merged into one;
** fifo: only the flush (fifo never merges).
*/
int lsmc_compact_range(lsmc_db*, const void *pBegin, size_t nBegin,
                       const void *pEnd, size_t nEnd);

/*
** The integrity check: every checksum of every SSTable, key order within
** and across blocks, no overlap between files of levels >= 1, every key of
** an SSTable present in its filter, sequence numbers not above the last
** one, and the manifest in agreement with the directory (every live file
** present with its size; orphan files of ours reported).  *pzReport gets
** "ok", or one line per fault naming the file and what is wrong (and per
** orphan file, a note); caller frees it with lsmc_free().  Returns LSMC_OK
** when nothing is damaged (orphans are not damage), LSMC_CORRUPT
** otherwise, or an I/O or memory error.  Reads only; safe while the store
** is in use.
*/
int lsmc_check(lsmc_db*, char **pzReport);

/*
** Statistics, read with lsmc_stats_get().  Counters run from the open of
** the engine.  This is a plain struct (its size may grow at the end in a
** later version; iVersion tells).
*/
#define LSMC_STATS_LEVELS 7
typedef struct lsmc_stats lsmc_stats;
struct lsmc_stats {
  int iVersion;                       /* 1 */
  int eCompaction;                    /* LSMC_COMPACTION_* of the store */
  uint64_t anFile[LSMC_STATS_LEVELS]; /* SSTables per level */
  uint64_t anByte[LSMC_STATS_LEVELS]; /* Bytes per level */
  uint64_t nSstBytes;                 /* Bytes of all live SSTables */
  uint64_t nMemtableBytes;            /* Entry bytes in memtables */
  uint64_t nMemtableMemory;           /* Memory held by memtables */
  uint64_t nLastSeq;                  /* Last sequence number */
  uint64_t nPut, nDelete;             /* Entries written by users */
  uint64_t nUserBytes;                /* Key + value bytes written by users */
  uint64_t nWalBytes;                 /* Bytes appended to WALs */
  uint64_t nWalSync;                  /* WAL fsyncs */
  uint64_t nWriteGroup;               /* WAL records (commit groups) */
  uint64_t nFlush, nFlushBytes;       /* Flushes and bytes they wrote */
  uint64_t nCompaction;               /* Compactions (merges and deletes) */
  uint64_t nCompactReadBytes;         /* Bytes read by compactions */
  uint64_t nCompactWriteBytes;        /* Bytes written by compactions */
  uint64_t nFifoDeletedBytes;         /* fifo: bytes of files dropped */
  uint64_t nGet;                      /* Point lookups */
  uint64_t nGetMemtable;              /* ... answered by a memtable */
  uint64_t anGetLevel[LSMC_STATS_LEVELS]; /* ... answered by level i */
  uint64_t nGetMiss;                  /* ... key absent */
  uint64_t nSstConsulted;             /* SSTables consulted by lookups */
  uint64_t nBloomCheck;               /* Bloom filter probes */
  uint64_t nBloomNegative;            /* Probes that proved absence */
  uint64_t nBlockRead;                /* Data blocks read from files */
  uint64_t nCacheHit, nCacheMiss;     /* Block cache lookups of gets */
  uint64_t nStallSlow;                /* Writes delayed by backpressure */
  uint64_t nStallStop;                /* Writes stopped until compaction */
  uint64_t nStallMicros;              /* Time writers spent delayed */
  double fWriteAmp;    /* (WAL + flush + compaction bytes) / user bytes */
  double fReadAmp;     /* SSTables consulted per lookup */
  double fSpaceAmp;    /* nSstBytes / a rough estimate of the live bytes
                       ** (the largest level, leveled; the largest run,
                       ** tiered; all files, fifo), computed without
                       ** reading data: a guess, far off after heavy
                       ** overwrites; the exact figure needs a full scan
                       ** (db_bench --benchmarks=strategies measures it) */
};
int lsmc_stats_get(lsmc_db*, lsmc_stats *pStats);

/*
** The same statistics as a JSON object (with per-level files and bytes).
** Caller frees *pzJson with lsmc_free().
*/
int lsmc_stats_json(lsmc_db*, char **pzJson);

/*
** Application metadata: a few small named values kept with the store, in
** its manifest (so they are written atomically and synced, and survive
** every flush, compaction and crash).  The SQLite module keeps the
** table's declaration here ("lsmvtab.schema"), which is how lsmctl
** decodes rows.  zName is 1 to LSMC_META_MAX_NAME bytes of printable
** ASCII; a value is at most LSMC_META_MAX_VALUE bytes (zero-length
** allowed); a store holds at most LSMC_META_MAX_COUNT names.  Putting a
** name that exists replaces its value.  lsmc_meta_put returns LSMC_MISUSE
** for a bad name, size or count (nothing is written), or the manifest's
** I/O error (sticky, as for writes; the old value stays in force, and
** after a crash the store holds the old or the new value).
** lsmc_meta_get: on LSMC_OK *ppVal is a copy (caller frees with
** lsmc_free(); non-NULL even when empty) and *pnVal its size;
** LSMC_NOTFOUND if the name was never put (*ppVal NULL); LSMC_MISUSE for
** a bad name.  Values cannot be deleted (put an empty one).
*/
#define LSMC_META_MAX_NAME   64
#define LSMC_META_MAX_VALUE  65536
#define LSMC_META_MAX_COUNT  16
int lsmc_meta_put(lsmc_db*, const char *zName, const void *pVal, size_t nVal);
int lsmc_meta_get(lsmc_db*, const char *zName, void **ppVal, size_t *pnVal);

/*
** Inspection, for tools (lsmctl) and tests.
**
** lsmc_files: call xFile once per live SSTable of the current version:
** L0 newest first, then each deeper level in key order.  The info and
** the keys it points to are valid during the call only.  A non-zero
** return from xFile stops the listing and is returned.
*/
typedef struct lsmc_file_info lsmc_file_info;
struct lsmc_file_info {
  int iLevel;                 /* 0 .. LSMC_STATS_LEVELS-1 */
  uint64_t iNumber;           /* The file is NNNNNN.sst (6+ digits) */
  uint64_t nSize;             /* Bytes */
  uint64_t nEntries;          /* Entries, tombstones included */
  uint64_t nDeletes;          /* Tombstones */
  uint64_t iMinSeq, iMaxSeq;  /* Sequence number range */
  uint64_t iCreated;          /* Microseconds since the epoch */
  const void *pSmallest;      /* Smallest user key */
  size_t nSmallest;
  const void *pLargest;       /* Largest user key */
  size_t nLargest;
};
int lsmc_files(lsmc_db*, int (*xFile)(void *pArg, const lsmc_file_info*),
               void *pArg);

/*
** lsmc_check with progress: xProgress (may be NULL) is called after each
** SSTable is checked with the bytes of SSTables checked so far and the
** total, both counted over the version being checked.  Otherwise exactly
** lsmc_check().
*/
int lsmc_check_progress(lsmc_db*,
                        void (*xProgress)(void *pArg, uint64_t nDone,
                                          uint64_t nTotal),
                        void *pArg, char **pzReport);

/*
** Read one SSTable file on its own (no store is opened, no lock taken: it
** may be a file of a store in use, or a copy).  pOpts may be NULL; it
** supplies the env.  Every block is read and its checksum verified.
** *pInfo is filled from the footer, the properties and the filter; its
** keys are owned by it until lsmc_sst_info_clear() (call it after every
** lsmc_sst_inspect, whatever it returned; a zeroed info is a no-op).
** xBlock (may be NULL) is called once per block in file order: each data
** block, the filter, the properties, the index, and the footer.  A block
** whose checksum or structure is bad is still reported (bOk = 0, zError
** says what, valid during the call); the call then returns LSMC_CORRUPT
** after the walk, with *pzErr naming the first fault.  A file too damaged
** to walk (no footer, a bad index) gives LSMC_CORRUPT with *pzErr saying
** where, and no xBlock call.  An I/O error is returned with *pzErr its
** text.  *pzErr (may be NULL) is set only on error; it says what is wrong
** and where in the file, not the file's path (the caller has it); caller
** frees it with lsmc_free(NULL, ...).  A non-zero return from xBlock stops the walk
** and is returned (no *pzErr).  fFilterFpr is the mean over the filter's
** lines of (bits set in the line / 512)^k: what an absent key, which
** probes one line, meets at this fill.
*/
#define LSMC_BLOCK_DATA        1
#define LSMC_BLOCK_FILTER      2
#define LSMC_BLOCK_PROPERTIES  3
#define LSMC_BLOCK_INDEX       4
#define LSMC_BLOCK_FOOTER      5
typedef struct lsmc_sst_block lsmc_sst_block;
struct lsmc_sst_block {
  int eType;                  /* LSMC_BLOCK_* */
  uint64_t iOffset;           /* Offset of the block in the file */
  uint64_t nSize;             /* Bytes, trailer included */
  uint32_t nEntries;          /* Entries (data, index); 0 otherwise */
  uint32_t nRestarts;         /* Restart points (data, index) */
  const void *pFirstKey;      /* First / last user key (data blocks) */
  size_t nFirstKey;
  const void *pLastKey;
  size_t nLastKey;
  int bOk;                    /* Checksum and structure verified */
  const char *zError;         /* What is wrong when !bOk, else NULL */
};
typedef struct lsmc_sst_info lsmc_sst_info;
struct lsmc_sst_info {
  uint32_t iFormat;           /* Footer format version */
  uint64_t nFileSize;
  uint64_t nEntries, nDeletes, nDataBlocks;
  uint64_t nRawKey, nRawValue;   /* Sum of internal key / value sizes */
  uint64_t iMinSeq, iMaxSeq;
  uint64_t nDataBytes;        /* Data blocks, trailers included */
  uint64_t nIndexBytes, nFilterBytes, nPropsBytes;
  uint32_t nBloomBits;        /* Bits per key (0: no filter) */
  uint32_t nFilterLines;      /* 512-bit lines of the filter */
  uint32_t nFilterProbes;     /* k */
  uint64_t nFilterBitsSet;    /* Bits set in the filter */
  double fFilterFpr;          /* Expected false-positive rate at this fill */
  void *pSmallest;            /* Smallest / largest user key (owned: */
  size_t nSmallest;           /* lsmc_sst_info_clear frees them) */
  void *pLargest;
  size_t nLargest;
};
int lsmc_sst_inspect(const char *zPath, const lsmc_options *pOpts,
                     int (*xBlock)(void *pArg, const lsmc_sst_block*),
                     void *pArg, lsmc_sst_info *pInfo, char **pzErr);
void lsmc_sst_info_clear(lsmc_sst_info*);

/*
** Read one WAL file (NNNNNN.log) on its own, as recovery would in strict
** mode, without opening a store.  xRecord is called once per record in
** file order; xEntry (may be NULL) once per entry of a batch record,
** after its xRecord.  Keys and values are valid during the call only.
** Returns LSMC_OK when the log reads to its end (a torn tail is reported
** in *pnTail, bytes dropped, and is not an error), LSMC_CORRUPT for
** damage followed by valid records, a record that is no valid batch, or
** an abort marker that names no batch just before it (as recovery would;
** *pzErr says where, by file offset), or an I/O error (*pzErr its text;
** as for lsmc_sst_inspect, *pzErr never repeats the path).  pzErr and
** pnTail may be NULL; caller frees *pzErr with lsmc_free(NULL, ...).  An aborted batch is reported as a BATCH record
** followed by the ABORT record naming it.  A non-zero return from a
** callback stops the walk and is returned.
*/
#define LSMC_WAL_RECORD_BATCH  1    /* A write batch */
#define LSMC_WAL_RECORD_ABORT  2    /* lsmc_commit_abort's marker */
typedef struct lsmc_wal_record lsmc_wal_record;
struct lsmc_wal_record {
  int eType;                  /* LSMC_WAL_RECORD_* */
  uint64_t iOffset;           /* Offset of the record's first fragment */
  uint64_t nPayload;          /* Payload bytes (fragment headers excluded) */
  uint32_t nFragment;         /* Fragments it was stored in */
  uint64_t iSeq;              /* First sequence number (batch or abort) */
  uint32_t nCount;            /* Entries (batch or the aborted batch) */
};
typedef struct lsmc_wal_entry lsmc_wal_entry;
struct lsmc_wal_entry {
  uint64_t iSeq;
  int bDelete;                /* 1 for a delete (no value) */
  const void *pKey;
  size_t nKey;
  const void *pVal;
  size_t nVal;
};
int lsmc_wal_inspect(const char *zPath, const lsmc_options *pOpts,
                     int (*xRecord)(void *pArg, const lsmc_wal_record*),
                     int (*xEntry)(void *pArg, const lsmc_wal_entry*),
                     void *pArg, uint64_t *pnTail, char **pzErr);

#ifdef __cplusplus
}
#endif
#endif /* LSMCORE_H */
