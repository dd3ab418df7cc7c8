/*
** bench.h -- what the two files of db_bench share: db_bench.c (the
** command line, the workloads and their timing) and bench_strategies.c
** (the "strategies" mode, which runs workloads of db_bench.c once per
** compaction strategy and compares the amplifications).
**
** One Bench object holds the whole run and is passed to every function:
** the program has no mutable globals.  Everything here is used by the
** main thread only, except BenchThread, of which each worker thread owns
** one.  Output goes to stdout, errors to stderr.
*/
#ifndef BENCH_H
#define BENCH_H

#include "lsmcore.h"

#define BENCH_KEY_SIZE     16          /* Bytes per key */
#define BENCH_POOL_SIZE    (1u<<20)    /* Random bytes values are cut from */
#define BENCH_BATCH_SIZE   1000        /* Entries per fillbatch batch */
#define BENCH_SEEK_NEXT    10          /* lsmc_iter_next calls per seek */
#define BENCH_MAX_THREAD   64          /* Upper bound of --threads */
#define BENCH_SEED         301         /* Seed of every generator */
#define BENCH_MB           1048576.0   /* Bytes per MB in the output */

typedef struct Bench Bench;
typedef struct BenchConfig BenchConfig;
typedef struct BenchCounters BenchCounters;
typedef struct BenchResult BenchResult;
typedef struct BenchThread BenchThread;
typedef struct BenchWorkload BenchWorkload;

/* The command line. */
struct BenchConfig {
  const char *zList;       /* Comma-separated workload names */
  long long nNum;          /* --num: entries (key range); -1: mode default */
  long long nReads;        /* --reads: read operations (-1: mode default) */
  long long nValue;        /* --value_size: bytes per value */
  const char *zDb;         /* --db: store directory, NULL for a temp dir */
  int bKeep;               /* --keep: do not remove the temp store */
  int bUseExisting;        /* --use_existing_db: fills keep the data */
  long long nMemtable;     /* --memtable_size, -1: engine default */
  long long nBlock;        /* --block_size, -1: engine default */
  long long nBloom;        /* --bloom_bits, -1: engine default */
  long long nCache;        /* --cache_size, -1: engine default */
  int eSync;               /* --sync: LSMC_SYNC_* for ordinary writes */
  int nThread;             /* --threads: for fillrandom and fillsync */
  int bStats;              /* --stats: print the engine JSON after each */
  const char *zOut;        /* --out: directory of strategies.dat/.png */
  const char *zPlot;       /* --plot: the gnuplot script, NULL: search */
  const char *zArgv0;      /* argv[0], to find the script near the binary */
};

/* Engine counters read from lsmc_stats_json(). */
struct BenchCounters {
  unsigned long long nUser;      /* "user_bytes": key+value bytes written */
  unsigned long long nWal;       /* "wal_bytes" */
  unsigned long long nFlush;     /* "flush_bytes" */
  unsigned long long nCompact;   /* "compaction_write_bytes" */
  unsigned long long nGroup;     /* "write_groups": WAL records written */
  unsigned long long nSync;      /* "wal_syncs": WAL fsyncs */
};

/* What one run of a workload did, summed over its threads. */
struct BenchResult {
  long long nDone;         /* Operations done */
  long long nFound;        /* Lookups or seeks that found their key */
  double rMicros;          /* Elapsed wall time, microseconds */
};

/* The whole run. */
struct Bench {
  BenchConfig cfg;         /* Settings from the command line */
  lsmc_options *pOpts;     /* Options every open uses */
  lsmc_db *pDb;            /* The main handle, or NULL while closed */
  char *zTmp;              /* mkdtemp() directory holding the store, or NULL */
  char *zDir;              /* The store directory */
  unsigned char *aPool;    /* BENCH_POOL_SIZE + nValue random bytes */
  BenchCounters total;     /* Sum of the per-workload counter deltas */
  int nRun;                /* Workloads started so far (seeds differ) */
};

/* One thread of one workload: its slice of the work and its results. */
struct BenchThread {
  Bench *pBench;           /* The run */
  const BenchWorkload *pW; /* The workload this thread runs */
  lsmc_db *pDb;            /* Handle this thread uses */
  long long iFirst;        /* First key number of this thread's range */
  long long nRange;        /* Key numbers in the range (>0) */
  long long nOps;          /* Operations to do */
  unsigned long long iRand;  /* splitmix64 state */
  unsigned iPool;          /* Offset of the next value in aPool */
  long long nDone;         /* Out: operations done */
  long long nFound;        /* Out: lookups or seeks that found their key */
  unsigned long long nBytes; /* Out: user bytes moved (key + value) */
  int rc;                  /* Out: first error, LSMC_OK if none */
  char zErr[300];          /* Out: what failed, with lsmc_errmsg() */
};

/* A named workload. */
struct BenchWorkload {
  const char *zName;             /* Name used in --benchmarks */
  int (*xRun)(BenchThread*);     /* Does one thread's share */
  int bFresh;                    /* Starts from an empty store */
  int bThreads;                  /* Honours --threads */
  int eOps;                      /* BENCH_OPS_*: how many operations */
};

#define BENCH_OPS_NUM    0   /* --num operations */
#define BENCH_OPS_READS  1   /* --reads operations */
#define BENCH_OPS_SYNC   2   /* --num / 100 operations (at least 1) */

/* db_bench.c */
double benchNowMicros(void);                  /* Monotonic clock, micros */
unsigned long long benchDirSize(const char *zDir); /* Bytes of its files */
int benchDestroy(const char *zDir);           /* 0: removed (or missing) */
int benchOpen(Bench*);                        /* Open p->pDb; rc */
int benchClose(Bench*);                       /* Close p->pDb; rc */
const BenchWorkload *benchFind(const char *z, size_t n);  /* By name */
int benchRun(Bench*, const BenchWorkload*, BenchResult*); /* 0: success */

/* bench_strategies.c */
#define BENCH_STRATEGIES_NUM  2000000  /* Default --num of the mode */
int benchStrategies(Bench*);                  /* 0: success */

#endif /* BENCH_H */
