/*
** db.h -- the engine object shared by db.c (open, recovery, writes,
** reads, close) and flush.c (the background thread and memtable flush).
**
** One LsmEngine exists per store directory per process; lsmc_db handles
** reference it (a process-wide registry keyed by the directory's device
** and inode, in db.c).  Each handle keeps its own last error message.
**
** Locking.  Engine.mu guards every field marked (mu).  The write leader
** (the writer at the head of the queue) appends to the WAL and inserts
** into pMem with mu released; only the leader may rotate pMem, so the
** memtable has one writer at a time.  Readers take mu only to reference
** pMem, pImm and the current version and to read iLastSeq.
**
** Sequence numbers: iLastSeq is the largest sequence number visible to
** readers; a write group gets iLastSeq+1.. and is published (iLastSeq
** advanced) after its memtable inserts complete.
*/
#ifndef LSMC_DB_H
#define LSMC_DB_H

#include "lsmcInt.h"
#include "batch.h"
#include "memtable.h"
#include "options.h"
#include "version.h"
#include "compaction.h"

#include <pthread.h>
#include <stdatomic.h>

typedef struct LsmEngine LsmEngine;
typedef struct DbWriter DbWriter;

/* A thread waiting to write (or to force a memtable rotation). */
struct DbWriter {
  lsmc_batch *pBatch;      /* Entries, or NULL to force a flush */
  int bSync;               /* Needs an fsync before returning */
  int bDone;               /* Completed by a leader */
  int rc;                  /* Its outcome */
  pthread_cond_t cv;       /* Signalled when done or at the head */
  DbWriter *pNext;         /* Next in the queue */
};

struct lsmc_snapshot {
  u64 iSeq;                /* Reads see sequence numbers <= this */
  lsmc_snapshot *pPrev;    /* Engine's list of live snapshots (mu) */
  lsmc_snapshot *pNext;
};

/* Counters; each is updated with a relaxed atomic add. */
typedef struct DbStats DbStats;
struct DbStats {
  atomic_ullong nPut;              /* Entries put */
  atomic_ullong nDelete;           /* Entries deleted */
  atomic_ullong nWriteGroup;       /* WAL records (commit groups) */
  atomic_ullong nUserBytes;        /* Key+value bytes written by users */
  atomic_ullong nWalBytes;         /* Bytes appended to WALs */
  atomic_ullong nWalSync;          /* WAL fsyncs */
  atomic_ullong nFlush;            /* Memtable flushes */
  atomic_ullong nFlushBytes;       /* Bytes of SSTables written by flushes */
  atomic_ullong nGet;              /* Point lookups */
  atomic_ullong nGetMem;           /* ... answered by a memtable */
  atomic_ullong anGetLevel[LSMC_NUM_LEVELS];  /* ... answered by level i */
  atomic_ullong nGetMiss;          /* ... not found anywhere */
  atomic_ullong nSstConsulted;     /* SSTables consulted by lookups */
  atomic_ullong nBloomCheck;       /* Bloom probes */
  atomic_ullong nBloomNegative;    /* Probes that proved absence */
  atomic_ullong nBlockRead;        /* Data blocks read by lookups */
  atomic_ullong nStall;            /* Writes that waited for a flush */
  atomic_ullong nCompaction;       /* Compactions run */
  atomic_ullong nCompactReadBytes; /* Bytes of their inputs */
  atomic_ullong nCompactWriteBytes;/* Bytes of their outputs */
  atomic_ullong nFifoDeletedBytes; /* fifo: bytes of files dropped */
  atomic_ullong nStallSlow;        /* Writes delayed by backpressure */
  atomic_ullong nStallStop;        /* Writes stopped until compaction */
  atomic_ullong nStallMicros;      /* Time writers spent delayed */
  atomic_ullong nCacheHit;         /* Block cache hits (lookups) */
  atomic_ullong nCacheMiss;        /* Block cache misses (lookups) */
};

struct LsmEngine {
  lsmc_env *pEnv;          /* Env (from the options) */
  char *zDir;              /* Store directory */
  lsmc_options opts;       /* Copy of the options of the first open */
  u64 iDev, iIno;          /* Identity of zDir, for the registry */
  int nHandle;             /* Open handles (registry mutex) */
  LsmEngine *pNextEngine;  /* Registry list (registry mutex) */
  lsmc_file *pLock;        /* Held lock on LOCK */

  pthread_mutex_t mu;      /* Guards the (mu) fields */
  pthread_cond_t cvWork;   /* Background thread: work may be waiting */
  pthread_cond_t cvDone;   /* A flush finished (or failed) */

  MemTable *pMem;          /* Active memtable (mu; written by the leader) */
  MemTable *pImm;          /* Memtable being flushed, or NULL (mu) */
  u64 iImmWal;             /* WAL number holding pImm's entries (mu) */
  void *pWal;              /* WalWriter of the active WAL (leader) */
  u64 iWal;                /* Its file number (mu) */
  VersionSet *pVs;         /* Files and manifest (mu) */
  u64 iLastSeq;            /* Largest visible sequence number (mu) */

  DbWriter *pWriterHead;   /* Writer queue (mu) */
  DbWriter *pWriterTail;
  lsmc_snapshot snapList;  /* Sentinel of the live snapshot list (mu) */

  int bgError;             /* First WAL/manifest/flush error: sticky (mu) */
  char *zBgError;          /* Its message (mu) */
  int bBgThread;           /* A background thread was started */
  pthread_t bgThread;      /* The flush thread */
  atomic_int bShutdown;    /* Close in progress: background work stops */
  int bFlushing;           /* A flush is running (mu) */
  int bCompacting;         /* A compaction is running (mu) */
  const CompactionStrategy *pStrategy;  /* From LSMC_OPT_COMPACTION */
  Cache *pBlockCache;      /* Process-wide block cache (shared) */

  DbStats stats;           /* Counters */
};

/* A handle: one per lsmc_open(), sharing the engine. */
struct lsmc_db {
  LsmEngine *pEng;         /* Shared engine, or NULL if the open failed */
  lsmc_env *pEnv;          /* Allocator of this handle */
  char *zErrMsg;           /* Last error message, or NULL */
  _Atomic(lsmc_batch*) pOne;  /* Batch lsmc_put/lsmc_delete reuse, or NULL;
                           ** taken with an atomic exchange (a handle is
                           ** shared by threads) */
};

/*
** Record the message of a failed call on pDb ("<text> (<rc text>)", or
** the rc text alone when zFmt is NULL) and return rc.
*/
int lsmcDbError(lsmc_db *pDb, int rc, const char *zFmt, ...)
  __attribute__((format(printf, 3, 4)));

/*
** A new memtable for the engine, with a live bloom filter of
** 1/LSMC_MEMTABLE_FILTER_RATIO of the memtable size, at most
** LSMC_MEMTABLE_FILTER_MAX bytes (allocated up front, so a large
** memtable_size must not make every memtable costly before it holds
** anything).
*/
#define LSMC_MEMTABLE_FILTER_RATIO 32
#define LSMC_MEMTABLE_FILTER_MAX   ((size_t)2<<20)
int lsmcDbMemtableNew(LsmEngine*, MemTable **ppMem);

/*
** Flush pImm to a new L0 SSTable, install it, and delete its WAL.
** REQUIRES: mu held and pImm not NULL; mu is released while the table is
** written and held again on return.  On failure sets the sticky bgError.
*/
int lsmcFlushImm(LsmEngine*);

/*
** Write every entry of iterator-producing memtable pMem to SSTable
** number iNum in the store directory and sync it (and the directory).
** Fills *pFile for a version edit; pSmallest/pLargest buffers receive the
** key bounds (pFile points into them).  REQUIRES: mu not held.
*/
int lsmcWriteLevel0(LsmEngine*, MemTable *pMem, u64 iNum, EditFile *pFile,
                    LsmcBuf *pSmallest, LsmcBuf *pLargest);

/*
** Run one compaction.  REQUIRES: mu held and bCompacting set by the
** caller; mu is released while files are read and written.  Installs the
** result or sets the sticky background error (LSMC_ABORT at shutdown is
** not an error).
*/
int lsmcCompactionRun(LsmEngine*, Compaction*);

/* The strategy's view of the engine's options, now. */
void lsmcEngineConf(LsmEngine*, CompactionConf*);

/*
** If no compaction runs and the strategy has one due, run it; *pbDid
** tells whether one ran.  REQUIRES: mu held.
*/
int lsmcCompactOnce(LsmEngine*, int *pbDid);

/*
** Create a new active WAL (number from the version set), sync the
** directory so that its name survives a crash.  REQUIRES: mu held.
*/
int lsmcDbNewWal(LsmEngine*, struct WalWriter **ppWal, u64 *piWal);

/* Start / stop the background flush thread. */
int lsmcBgStart(LsmEngine*);
void lsmcBgStop(LsmEngine*);          /* Waits for the thread to exit */

/*
** For lsmc_destroy (destroy.c): lsmcDbIsOpen is true if an engine of this
** process has zDir open (the registry, by device and inode);
** lsmcDbCheckIdentity returns LSMC_OK if zDir's IDENTITY file is whole and
** ours, LSMC_CORRUPT if it is damaged, LSMC_IOERR_NOENT if it is missing.
*/
int lsmcDbIsOpen(lsmc_env*, const char *zDir);
int lsmcDbCheckIdentity(lsmc_env*, const char *zDir);

/* Set the sticky background error (mu held). */
void lsmcSetBgError(LsmEngine*, int rc, const char *zWhat);

#endif /* LSMC_DB_H */
