/*
** bench_engine.h -- the backend layer of db_bench: one table of functions
** per key-value engine, so that the same workload code of db_bench.c
** drives lsmcore, LevelDB and RocksDB.
**
** Each backend lives in a file of its own (engine_lsmcore.c,
** engine_leveldb.c, engine_rocksdb.c) and exports one const BenchEngine.
** The peers are optional: engine_leveldb.c compiles to nothing unless
** HAVE_LEVELDB is defined, engine_rocksdb.c unless HAVE_ROCKSDB is (the
** configure script defines them when the header and the library are
** found).  db_bench.c keeps the registry of the engines compiled in.
**
** Every engine of one run is opened with the same BenchEngineOpts, so the
** memtable, block cache, block size and bloom filter are the same for all.
** Handles (BenchDb, BenchBatch, BenchIter) are opaque and belong to one
** backend.  Return values: 0 for success, non-zero for an error whose
** text xErrmsg() returns (valid until the next call on that handle);
** xGet also returns BENCH_MISSING, which is not an error.  db_bench treats
** every error as fatal: it prints the engine's message and exits 1.
**
** Threads: a BenchDb is used by one thread at a time.  A worker thread
** gets its own handle from xAttach (lsmcore opens a second lsmc_db on the
** same store, which shares the engine; the peers, whose handles are
** thread-safe, return the main handle) and gives it back with xDetach.
** A batch or an iterator is used by the thread that made it.
*/
#ifndef BENCH_ENGINE_H
#define BENCH_ENGINE_H

#include <stddef.h>

#define BENCH_FOUND    0    /* xGet: the key is present */
#define BENCH_MISSING  1    /* xGet: the key is absent (not an error) */

typedef struct BenchEngineOpts BenchEngineOpts;
typedef struct BenchEngine BenchEngine;
typedef struct BenchCounters BenchCounters;
typedef struct BenchDb BenchDb;          /* An open store (per backend) */
typedef struct BenchBatch BenchBatch;    /* A write batch (per backend) */
typedef struct BenchIter BenchIter;      /* A cursor (per backend) */

/* Options, the same for every engine of one run. */
struct BenchEngineOpts {
  long long nMemtable;     /* Write buffer / memtable bytes */
  long long nCache;        /* Block cache bytes */
  long long nBlock;        /* Data block size */
  int nBloomBits;          /* Bloom filter bits per key */
  int eSync;               /* Ordinary writes: 0 off, 1 normal, 2 full */
  int eCompaction;         /* lsmcore only: LSMC_COMPACTION_*, -1 default */
  long long nFifoMax;      /* lsmcore only: fifo size cap, -1 default */
};

/* An engine's own write counters (lsmcore: from lsmc_stats_json). */
struct BenchCounters {
  unsigned long long nUser;      /* Key+value bytes written by users */
  unsigned long long nWal;       /* Bytes appended to WALs */
  unsigned long long nFlush;     /* Bytes written by flushes */
  unsigned long long nCompact;   /* Bytes written by compactions */
  unsigned long long nGroup;     /* WAL records (commit groups) */
  unsigned long long nSync;      /* WAL fsyncs */
};

/* One engine: its name and its methods. */
struct BenchEngine {
  const char *zName;                       /* "lsmcore", "leveldb", ... */
  void (*xVersion)(char *zBuf, size_t nBuf);  /* "1.23" etc. */

  /* Open (create if missing) the store in zDir; on failure zErr says
  ** why and *ppDb is NULL. */
  int (*xOpen)(const BenchEngineOpts*, const char *zDir, BenchDb **ppDb,
               char *zErr, size_t nErr);
  int (*xAttach)(BenchDb *pMain, BenchDb **ppThread);  /* For a thread */
  void (*xDetach)(BenchDb *pMain, BenchDb *pThread);   /* Undo xAttach */
  int (*xClose)(BenchDb*);                 /* Also frees; NULL: no-op */
  const char *(*xErrmsg)(BenchDb*);        /* Text of the last error */

  /* Writes with the store's sync mode, and the point lookup: *pnVal
  ** gets the value's size; the value itself is read and dropped. */
  int (*xPut)(BenchDb*, const void *pKey, size_t nKey,
              const void *pVal, size_t nVal);
  int (*xDelete)(BenchDb*, const void *pKey, size_t nKey);
  int (*xGet)(BenchDb*, const void *pKey, size_t nKey, size_t *pnVal);

  /* Batches: new, put, clear, write (bSync: fsync before returning,
  ** else the store's mode), free. */
  int (*xBatchNew)(BenchDb*, BenchBatch **ppBatch);
  int (*xBatchPut)(BenchBatch*, const void *pKey, size_t nKey,
                   const void *pVal, size_t nVal);
  void (*xBatchClear)(BenchBatch*);
  int (*xWrite)(BenchDb*, BenchBatch*, int bSync);
  void (*xBatchFree)(BenchBatch*);

  /* Iterators over the latest state.  Key and value pointers are valid
  ** until the iterator moves or closes. */
  int (*xIterNew)(BenchDb*, BenchIter **ppIter);
  int (*xIterFirst)(BenchIter*);
  int (*xIterSeek)(BenchIter*, const void *pKey, size_t nKey);  /* >= */
  int (*xIterValid)(BenchIter*);
  int (*xIterNext)(BenchIter*);
  const void *(*xIterKey)(BenchIter*, size_t *pnKey);
  const void *(*xIterValue)(BenchIter*, size_t *pnVal);
  void (*xIterClose)(BenchIter*);          /* NULL: no-op */

  /* The engine's own write counters, NULL if it has none.  bPrint: also
  ** print the engine's raw statistics. */
  int (*xCounters)(BenchDb*, BenchCounters*, int bPrint);
};

extern const BenchEngine benchEngineLsmcore;   /* engine_lsmcore.c */
#ifdef HAVE_LEVELDB
extern const BenchEngine benchEngineLeveldb;   /* engine_leveldb.c */
#endif
#ifdef HAVE_ROCKSDB
extern const BenchEngine benchEngineRocksdb;   /* engine_rocksdb.c */
#endif

#endif /* BENCH_ENGINE_H */
