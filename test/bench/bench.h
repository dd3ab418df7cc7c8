/*
** bench.h -- what the files of db_bench share: db_bench.c (the command
** line, the workloads, their timing, the engines side by side and the
** comparison report), bench_strategies.c (the "strategies" mode, which
** runs workloads of db_bench.c once per compaction strategy of lsmcore and
** compares the amplifications) and the backends engine_*.c, whose table
** of methods is in bench_engine.h.  The helpers db_bench shares with
** sql_bench (clock, random numbers and value pool, directory sizes,
** argument parsing, medians, Markdown tables, gnuplot) are in
** bench_util.h.
**
** One Bench object holds the run of one engine and is passed to every
** function: the program has no mutable globals.  Everything here is used
** by the main thread of the process only, except BenchThread, of which
** each worker thread owns one.  With several engines, each engine's whole
** workload list runs in a child process of its own (fork), which sends a
** BenchRecord per workload to the parent through a pipe.  Output goes to
** stdout, errors to stderr; an engine error is fatal (exit 1).
*/
#ifndef BENCH_H
#define BENCH_H

#include "lsmcore.h"
#include "bench_engine.h"
#include "bench_util.h"

#define BENCH_KEY_SIZE     16          /* Bytes per key */
#define BENCH_BATCH_SIZE   1000        /* Entries per fill*batch batch */
#define BENCH_SEEK_NEXT    10          /* Iterator next calls per seek */
#define BENCH_MAX_THREAD   64          /* Upper bound of --threads */
#define BENCH_MAX_LIST     64          /* Workloads in one --benchmarks */
#define BENCH_MAX_ENGINE   8           /* Engines in one --engines */
#define BENCH_MAX_RUNS     25          /* Upper bound of --runs */
#define BENCH_SEED         301         /* Seed of every generator */
#define BENCH_MB           1048576.0   /* Bytes per MB in the output */

typedef struct Bench Bench;
typedef struct BenchConfig BenchConfig;
typedef struct BenchRecord BenchRecord;
typedef struct BenchThread BenchThread;
typedef struct BenchWorkload BenchWorkload;

/* The command line. */
struct BenchConfig {
  const char *zList;       /* Comma-separated workload names */
  const char *zEngines;    /* --engines, NULL: every engine compiled in */
  long long nNum;          /* --num: entries (key range); -1: mode default */
  long long nReads;        /* --reads: read operations (-1: mode default) */
  long long nValue;        /* --value_size: bytes per value */
  const char *zDb;         /* --db: parent of the stores, NULL: temp dir */
  int bKeep;               /* --keep: do not remove the temp stores */
  int bUseExisting;        /* --use_existing_db: fills keep the data */
  long long nMemtable;     /* --memtable_size, -1: default */
  long long nBlock;        /* --block_size, -1: default */
  long long nBloom;        /* --bloom_bits, -1: default */
  long long nCache;        /* --cache_size, -1: default */
  long long nColdCache;    /* --cold_cache_size: cache of readcold */
  int eSync;               /* --sync: 0 off, 1 normal, 2 full */
  int nThread;             /* --threads: for fillrandom and fillsync */
  int nRuns;               /* --runs: rounds of every engine */
  int bFork;               /* --fork: each engine in a child process */
  int bStats;              /* --stats: print the engine JSON after each */
  const char *zOut;        /* --out: directory of strategies.dat/.png */
  const char *zPlot;       /* --plot: the gnuplot script, NULL: search */
  const char *zReport;     /* --report: Markdown comparison file */
  const char *zDat;        /* --dat: gnuplot data file of the ratios */
  const char *zPng;        /* --png: chart of the ratios */
  const char *zArgv0;      /* argv[0], to find the script near the binary */
};

/*
** What one workload did (eType BENCH_REC_WORKLOAD), or the space
** measurement of a store (BENCH_REC_SPACE, BENCH_REC_SPACEFILL).  Fixed size: a child sends
** these to the parent through a pipe, one write() each (< PIPE_BUF).
*/
struct BenchRecord {
  int eType;               /* BENCH_REC_* */
  int iPos;                /* Position of the workload in the list */
  long long nDone;         /* Operations done */
  long long nFound;        /* Lookups or seeks that found their key */
  double rMicros;          /* Elapsed wall time, microseconds */
  unsigned long long nUser;   /* User key+value bytes written */
  unsigned long long nWchar;  /* Delta of wchar in /proc/self/io */
  unsigned long long nDisk;   /* SPACE: store bytes after close */
  unsigned long long nLive;   /* SPACE: key+value bytes of live entries */
  unsigned long long nEntry;  /* SPACE: live entries */
  char zNote[64];          /* readcold: which cache drop was done */
};
#define BENCH_REC_WORKLOAD 1
#define BENCH_REC_SPACE    2   /* after overwrite (or at the end) */
#define BENCH_REC_SPACEFILL 3  /* after fillseq: unique keys, one version */

/* The run of one engine. */
struct Bench {
  BenchConfig cfg;         /* Settings from the command line */
  const BenchWorkload *aList[BENCH_MAX_LIST];  /* The workloads, in order */
  int nList;               /* Entries of aList */
  const BenchEngine *pEngine;  /* The engine being measured */
  BenchEngineOpts opts;    /* Options every open uses */
  BenchDb *pDb;            /* The main handle, or NULL while closed */
  char *zBase;             /* Directory holding one store per engine */
  int bTmpBase;            /* zBase came from mkdtemp: remove it */
  char *zDir;              /* The store of pEngine: zBase/<engine name> */
  unsigned char *aPool;    /* BENCH_POOL_SIZE + nValue random bytes */
  BenchCounters total;     /* Sum of the engine's own counter deltas */
  int nRun;                /* Workloads started so far (seeds differ) */
  long long *aHit;         /* readhit: key numbers present (warm scan) */
  long long nHit;          /* Entries of aHit */
  int fdOut;               /* Pipe to the parent, or -1 */
};

/* One thread of one workload: its slice of the work and its results. */
struct BenchThread {
  Bench *pBench;           /* The run */
  const BenchWorkload *pW; /* The workload this thread runs */
  BenchDb *pDb;            /* Handle this thread uses */
  long long iFirst;        /* First key number of this thread's range */
  long long nRange;        /* Key numbers in the range (>0) */
  long long nOps;          /* Operations to do */
  unsigned long long iRand;  /* splitmix64 state */
  unsigned iPool;          /* Offset of the next value in aPool */
  long long nDone;         /* Out: operations done */
  long long nFound;        /* Out: lookups or seeks that found their key */
  unsigned long long nBytes; /* Out: user bytes moved (key + value) */
};

/* A named workload. */
struct BenchWorkload {
  const char *zName;             /* Name used in --benchmarks */
  void (*xRun)(BenchThread*);    /* Does one thread's share */
  int bFresh;                    /* Starts from an empty store */
  int nThread;                   /* 0: --threads; else that many */
  int eOps;                      /* BENCH_OPS_*: how many operations */
  int eSetup;                    /* BENCH_SETUP_*: untimed preparation */
  int bWrite;                    /* Writes: report write amplification */
};

#define BENCH_OPS_NUM    0   /* --num operations */
#define BENCH_OPS_READS  1   /* --reads operations */
#define BENCH_OPS_SYNC   2   /* --num / 100 operations (at least 1) */

#define BENCH_SETUP_NONE 0   /* Nothing */
#define BENCH_SETUP_WARM 1   /* A full scan warms the block cache */
#define BENCH_SETUP_HITS 2   /* WARM, collecting the keys present */
#define BENCH_SETUP_COLD 3   /* Close, drop the OS cache, small cache */

/* db_bench.c */
int benchDestroy(const char *zDir);           /* 0: removed (or missing) */
int benchOpen(Bench*);                        /* Open p->pDb; 0: success */
int benchClose(Bench*);                       /* Close p->pDb; 0: success */
const BenchWorkload *benchFind(const char *z, size_t n);  /* By name */
int benchRun(Bench*, const BenchWorkload*, BenchRecord*); /* 0: success */

/* engine_lsmcore.c: the lsmcore objects under a BenchDb of lsmcore */
lsmc_db *benchLsmcDb(BenchDb*);
const lsmc_options *benchLsmcOptions(BenchDb*);

/* bench_strategies.c */
#define BENCH_STRATEGIES_NUM  2000000  /* Default --num of the mode */
int benchStrategies(Bench*);                  /* 0: success */

#endif /* BENCH_H */
