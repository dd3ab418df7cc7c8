/*
** bench_util.h -- the helpers the benchmark programs share: db_bench
** (db_bench.c and bench_strategies.c) and sql_bench (sql_bench.c).  Each
** helper is defined once, in bench_util.c, which depends on nothing but
** libc (no lsmcore, no SQLite), so that both programs link it.
**
** What is here: the monotonic clock, the splitmix64 generator and the
** pool of random value bytes (the same keys and values in every program),
** the size of a store directory, the parsing of the command line (sizes
** with k/m/g suffixes, names given by length), the median of the runs, a
** pipe read of one whole record, a Markdown table, the temporary
** directory, the machine and date of the report headers, and gnuplot
** (finding the script, running it by fork and exec without a shell).
**
** None of these keeps state: there are no globals, every result goes to
** the caller's buffers or to memory the caller frees with free().  All are
** safe to call from any thread except benchRunGnuplot, which forks and
** belongs to the main thread.  Errors are returned, never printed: each
** program prints its own messages.
*/
#ifndef BENCH_UTIL_H
#define BENCH_UTIL_H

#include <stddef.h>
#include <stdio.h>
#include <sys/types.h>

#define BENCH_POOL_SIZE    (1u<<20)    /* Random bytes values are cut from */
#define BENCH_COUNT(a)     ((int)(sizeof(a)/sizeof((a)[0])))  /* Entries */

typedef struct BenchArg BenchArg;
typedef struct BenchMachine BenchMachine;

/*
** One "--name=value" option whose value is stored at byte offset iOff of
** the program's configuration struct (offsetof).
*/
struct BenchArg {
  const char *zName;       /* Name, without the leading "--" */
  size_t iOff;             /* Offset of the field in the config struct */
};

/* What the report headers say about the machine. */
struct BenchMachine {
  char zCpu[256];          /* "model name" of /proc/cpuinfo, or unknown */
  long nCore;              /* Online processors */
  double rRamGiB;          /* Physical memory, GiB */
  char zSysname[65];       /* uname(): "Linux" ("?" if unknown) */
  char zRelease[65];       /* uname(): kernel release ("?" if unknown) */
};

/* Microseconds on the monotonic clock. */
double benchNowMicros(void);

/*
** splitmix64: the next pseudo-random number of *pState.  Inline because
** the timed loops of db_bench call it per operation and callgrind_get.sh
** counts their instructions: they should be the engine's own.
*/
static inline unsigned long long benchRandom(unsigned long long *pState){
  unsigned long long z = (*pState += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z>>30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z>>27)) * 0x94d049bb133111ebULL;
  return z ^ (z>>31);
}

/*
** Fill a[0..n-1] with the random bytes of seed iSeed (the value pool).
** Values are cut from the pool at an offset that benchPoolNext moves.
*/
void benchPoolFill(unsigned char *a, size_t n, unsigned long long iSeed);

/*
** Move the pool offset *piPool past a value of nValue bytes (and 7 more,
** so that consecutive values differ), wrapping at BENCH_POOL_SIZE.  The
** pool holds BENCH_POOL_SIZE + nValue bytes or more.
*/
static inline void benchPoolNext(unsigned *piPool, long long nValue){
  *piPool += (unsigned)nValue + 7;
  if( *piPool>=BENCH_POOL_SIZE ) *piPool -= BENCH_POOL_SIZE;
}

/*
** Total st_size of the regular files directly in directory zDir (0 if it
** is missing).  A file that disappears while we look (a WAL deleted by a
** flush) is skipped.
*/
unsigned long long benchDirSize(const char *zDir);

/*
** The same for the files whose names end in one of the strings of azEnd,
** a NULL-terminated list.
*/
unsigned long long benchDirSizeEnding(const char *zDir,
                                      const char *const *azEnd);

/*
** Create a new directory "$TMPDIR/<zProg>-XXXXXX" (TMPDIR unset or empty:
** /tmp) with mkdtemp().  Returns 0 with *pzDir its path (caller frees
** with free()).  Else returns 1 with *pzDir NULL if out of memory, or the
** path mkdtemp() failed on (caller frees) with errno set.
*/
int benchTempDir(const char *zProg, char **pzDir);

/*
** Parse z as a non-negative integer with an optional k, m or g suffix
** (powers of 1024) into *pN.  Returns 0 on success; *pN is left alone on
** failure.
*/
int benchParseSize(const char *z, long long *pN);

/* True if the n bytes at z are the name zName. */
int benchIsName(const char *zName, const char *z, size_t n);

/* Index of the option named by the n bytes at z in aArg[0..nArg-1], or -1. */
int benchArgFind(const BenchArg *aArg, int nArg, const char *z, size_t n);

/*
** The median of a[0..n-1] (sorts a); NAN if n is 0.
*/
double benchMedian(double *a, int n);

/*
** Read exactly n bytes from fd into pBuf (a record sent through a pipe).
** Returns n, 0 at end of file before the first byte, or -1 on an error or
** a short record.
*/
ssize_t benchReadFull(int fd, void *pBuf, size_t n);

/*
** Print a Markdown table of nRow rows (row 0 is the header) and nCol
** columns to pOut; azCell is row-major.  Columns are padded to line up;
** the first nLeft are left-aligned, the others right-aligned.
*/
void benchTable(FILE *pOut, int nRow, int nCol, const char *const *azCell,
                int nLeft);

/* The machine the benchmark runs on into *p (never fails). */
void benchMachine(BenchMachine *p);

/* The local time now, formatted by strftime() with zFmt, into z. */
void benchDate(char *z, size_t n, const char *zFmt);

/* True if an executable named zProg is in a directory of $PATH. */
int benchOnPath(const char *zProg);

/*
** The path of the gnuplot script named zScript: zPlot (--plot) if not
** NULL, else the first readable of test/bench/, ../test/bench/ (from the
** current directory), the directory of the binary zArgv0 (an in-tree
** build) and ../../../test/bench/ from it (a build directory one level
** below the source tree).  Caller frees the result with free(); NULL if
** none is found.
*/
char *benchFindScript(const char *zPlot, const char *zArgv0,
                      const char *zScript);

#define BENCH_PLOT_OK     0   /* benchRunGnuplot: the chart is drawn */
#define BENCH_PLOT_FAIL   1   /* ... gnuplot failed (or did not start) */
#define BENCH_PLOT_QUOTE  2   /* ... a quote in zDat or zPng: not run */
#define BENCH_PLOT_NOMEM  3   /* ... out of memory: not run */

/*
** Run "gnuplot -e EXPR zScript" (fork and exec, no shell), EXPR being
** "datafile='zDat'; outfile='zPng'; " followed by the script's other
** variables, printf-formatted from zVarFmt and the arguments after it
** (e.g. "num=%lld").  Returns a BENCH_PLOT_* code.
*/
int benchRunGnuplot(const char *zScript, const char *zDat, const char *zPng,
                    const char *zVarFmt, ...)
    __attribute__((format(printf, 4, 5)));

#endif /* BENCH_UTIL_H */
