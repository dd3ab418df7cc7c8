/*
** bench_strategies.c -- db_bench --benchmarks=strategies: the classic LSM
** trade-off between write, read and space amplification, measured for
** each compaction strategy of lsmcore (leveled, size-tiered, fifo).
**
** For each strategy, in a fresh store with the same options otherwise:
** fillrandom of num keys, overwrite of num keys (the same key sequences
** for every strategy: the workload seeds restart), lsmc_flush(), then a
** wait until background compaction has settled, then readrandom and
** seekrandom (seek + BENCH_SEEK_NEXT next), each of --reads operations
** (default num/10).  "Settled" means: for STRAT_QUIET_MICROS in a row, no
** compaction or flush finished, the .sst and .tmp files of the directory
** add up to exactly the live SSTable bytes (no output being written, no
** obsolete input left), and, for leveled, L0 is below its trigger; the
** wait gives up after STRAT_SETTLE_SECONDS and says so.  fifo runs with
** LSMC_OPT_FIFO_MAX_SIZE = STRAT_FIFO_MAX, more than anything written, so
** it drops nothing (checked: nFifoDeletedBytes must stay 0).
**
** Measured per strategy: write amplification from lsmc_stats ((WAL +
** flush + compaction bytes) / user bytes, and without the WAL), read
** amplification (SSTables consulted and data blocks read from files per
** lsmc_get during readrandom), space amplification measured exactly (the
** bytes of every file in the store directory after close / the key and
** value bytes of a full scan), throughputs, and files per level.  Output:
** two Markdown tables on stdout (the numbers side by side, then the
** qualitative lore filled with them), the file strategies.dat in --out
** (one line per strategy, columns named in its comment lines) and, if
** gnuplot is on the PATH, strategies.png drawn by plot_strategies.gp.
** Nothing is installed: without gnuplot the chart is skipped with a hint.
** Runs in the main thread only (benchRun may start writer threads).
*/
#ifndef _GNU_SOURCE
# define _GNU_SOURCE     /* asprintf */
#endif
#include "bench.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define STRAT_N               3           /* Strategies compared */
#define STRAT_POLL_MICROS     100000      /* Settle: poll interval */
#define STRAT_QUIET_MICROS    1000000     /* Settle: quiet this long */
#define STRAT_SETTLE_SECONDS  600         /* Settle: give up after this */
#define STRAT_FIFO_MAX        (1LL<<40)   /* fifo size cap: 1 TiB */
#define STRAT_SCRIPT          "plot_strategies.gp"  /* The gnuplot script */
#define STRAT_CELL            96          /* Bytes per table cell */
#define STRAT_ROWS            16          /* Rows of the numbers table */

typedef struct StratSpec StratSpec;
typedef struct StratResult StratResult;

/* One strategy and what the lore says of it. */
struct StratSpec {
  const char *zName;       /* Short name, in strategies.dat */
  const char *zLore;       /* Name in the qualitative table */
  int eCompaction;         /* LSMC_COMPACTION_* */
  const char *zWrite;      /* Lore: write amplification */
  const char *zRead;       /* Lore: read amplification */
  const char *zSpace;      /* Lore: space amplification */
};

static const StratSpec aStratSpec[STRAT_N] = {
  /* zName     zLore          eCompaction               W       R      S */
  { "leveled", "Leveled",     LSMC_COMPACTION_LEVELED, "high", "low",  "low"  },
  { "tiered",  "Size-tiered", LSMC_COMPACTION_TIERED,  "low",  "high", "high" },
  { "fifo",    "FIFO",        LSMC_COMPACTION_FIFO,    "none", "high", "high" },
};

/* What was measured for one strategy. */
struct StratResult {
  double rWriteAmp;        /* (WAL + flush + compaction) / user bytes */
  double rWriteAmpNoWal;   /* (flush + compaction) / user bytes */
  double rReadAmp;         /* SSTables consulted per get (readrandom) */
  double rBlockPerGet;     /* Data blocks read from files per get */
  double rSpaceAmp;        /* Store directory bytes / live bytes */
  double rSpaceEst;        /* The engine's estimate, fSpaceAmp */
  double rWriteOps;        /* fillrandom + overwrite: ops/s */
  double rReadOps;         /* readrandom: ops/s */
  double rSeekOps;         /* seekrandom: ops/s */
  double rSettleSec;       /* Time waited for compaction to settle */
  double rStallSec;        /* Time writers were slowed or stopped */
  int bSettled;            /* 0 if the settle wait timed out */
  unsigned long long nCompaction;  /* Compactions run */
  unsigned long long nFifoDropped; /* Bytes fifo deleted (must be 0) */
  unsigned long long nDisk;        /* Store directory bytes after close */
  unsigned long long nLive;        /* Key + value bytes of live entries */
  unsigned long long nEntry;       /* Live entries */
  uint64_t anFile[LSMC_STATS_LEVELS];  /* SSTables per level at the end */
};

/* ---------------------------------------------------------- measuring */

/* lsmc_stats_get on the main handle; prints the error on failure. */
static int stratStats(Bench *p, lsmc_stats *pSt){
  int rc = lsmc_stats_get(benchLsmcDb(p->pDb), pSt);
  if( rc!=LSMC_OK ){
    fprintf(stderr, "db_bench: lsmc_stats_get: rc=%d %s\n", rc,
            lsmc_errmsg(benchLsmcDb(p->pDb)));
  }
  return rc;
}

/*
** Bytes of the SSTables (*.sst) and compaction temporaries (*.tmp) in
** directory zDir.  A file deleted while we look is skipped.
*/
static unsigned long long stratSstDirBytes(const char *zDir){
  static const char *const azEnd[] = { ".sst", ".tmp", 0 };
  return benchDirSizeEnding(zDir, azEnd);
}

/*
** Wait until background work of the store has settled (see the file
** comment), polling lsmc_stats_get.  Sets pRes->rSettleSec and bSettled.
*/
static int stratSettle(Bench *p, int eCompaction, StratResult *pRes){
  lsmc_stats prev, st;
  uint64_t nTrigger = (uint64_t)lsmc_options_get(benchLsmcOptions(p->pDb),
                                                 LSMC_OPT_L0_TRIGGER);
  double rStart = benchNowMicros();
  double rQuiet = rStart;          /* Start of the current quiet period */
  int rc = stratStats(p, &prev);

  pRes->bSettled = 0;
  while( rc==LSMC_OK ){
    double rNow;
    int bBusy;
    usleep(STRAT_POLL_MICROS);
    rc = stratStats(p, &st);
    if( rc!=LSMC_OK ) break;
    rNow = benchNowMicros();
    bBusy = st.nCompaction!=prev.nCompaction || st.nFlush!=prev.nFlush
         || stratSstDirBytes(p->zDir)!=st.nSstBytes
         || (eCompaction==LSMC_COMPACTION_LEVELED && st.anFile[0]>=nTrigger);
    if( bBusy ){
      rQuiet = rNow;
    }else if( rNow-rQuiet>=STRAT_QUIET_MICROS ){
      pRes->bSettled = 1;
      break;
    }
    if( rNow-rStart>=STRAT_SETTLE_SECONDS*1e6 ){
      printf("settle       : NOT settled after %d s (L0 %llu files, "
             "%llu compactions); measuring anyway\n", STRAT_SETTLE_SECONDS,
             (unsigned long long)st.anFile[0],
             (unsigned long long)st.nCompaction);
      break;
    }
    prev = st;
  }
  pRes->rSettleSec = (benchNowMicros() - rStart)/1e6;
  if( pRes->bSettled ){
    printf("settle       : %.1f s until compaction was quiet for %.1f s\n",
           pRes->rSettleSec, STRAT_QUIET_MICROS/1e6);
  }
  return rc;
}

/*
** Scan the whole store: the number of live entries and the sum of their
** key and value sizes go to pRes.
*/
static int stratScan(Bench *p, StratResult *pRes){
  lsmc_db *pDb = benchLsmcDb(p->pDb);
  lsmc_iter *pIter = 0;
  int rc = lsmc_iter_open(pDb, 0, 0, 0, 0, 0, &pIter);
  pRes->nLive = pRes->nEntry = 0;
  if( rc==LSMC_OK ) rc = lsmc_iter_first(pIter);
  while( rc==LSMC_OK && lsmc_iter_valid(pIter) ){
    size_t nKey = 0, nVal = 0;
    lsmc_iter_key(pIter, &nKey);
    lsmc_iter_value(pIter, &nVal);
    pRes->nLive += nKey + nVal;
    pRes->nEntry++;
    rc = lsmc_iter_next(pIter);
  }
  lsmc_iter_close(pIter);
  if( rc!=LSMC_OK ){
    fprintf(stderr, "db_bench: full scan: rc=%d %s\n", rc,
            lsmc_errmsg(pDb));
  }
  return rc;
}

/* Operations per second of the results aRes[0..n-1] taken together. */
static double stratOps(const BenchRecord *aRes, int n){
  long long nDone = 0;
  double rMicros = 0.0;
  int i;
  for(i=0; i<n; i++){
    nDone += aRes[i].nDone;
    rMicros += aRes[i].rMicros;
  }
  return rMicros>0.0 ? (double)nDone/(rMicros/1e6) : 0.0;
}

/* Run the workload named zName, filling *pRes; 0 on success. */
static int stratWorkload(Bench *p, const char *zName, BenchRecord *pRes){
  return benchRun(p, benchFind(zName, strlen(zName)), pRes);
}

/*
** Measure strategy pSpec in a fresh store (the steps of the file
** comment).  Leaves the store closed.  Returns 0 on success.
*/
static int stratOne(Bench *p, const StratSpec *pSpec, StratResult *pRes){
  BenchRecord aW[2], rRead, rSeek;
  lsmc_stats st, st2;
  int rc;

  memset(pRes, 0, sizeof(*pRes));
  printf("## strategy %s\n", pSpec->zName);
  fflush(stdout);
  p->nRun = 0;                  /* Same key sequences for every strategy */
  p->opts.eCompaction = pSpec->eCompaction;   /* Used by the next open */
  p->opts.nFifoMax = pSpec->eCompaction==LSMC_COMPACTION_FIFO
                   ? STRAT_FIFO_MAX : -1;

  /* Writes, then the memtable's tail to disk, then compaction to rest. */
  if( stratWorkload(p, "fillrandom", &aW[0])
   || stratWorkload(p, "overwrite", &aW[1]) ) return 1;
  rc = lsmc_flush(benchLsmcDb(p->pDb));
  if( rc!=LSMC_OK ){
    fprintf(stderr, "db_bench: lsmc_flush: rc=%d %s\n", rc,
            lsmc_errmsg(benchLsmcDb(p->pDb)));
  }
  if( rc==LSMC_OK ) rc = stratSettle(p, pSpec->eCompaction, pRes);
  if( rc==LSMC_OK ) rc = stratStats(p, &st);
  if( rc!=LSMC_OK ) return 1;
  pRes->rWriteOps = stratOps(aW, 2);
  pRes->rWriteAmp = st.fWriteAmp;
  pRes->rWriteAmpNoWal = st.nUserBytes==0 ? 0.0 :
      (double)(st.nFlushBytes + st.nCompactWriteBytes)/(double)st.nUserBytes;
  pRes->rStallSec = (double)st.nStallMicros/1e6;

  /* Reads: amplification of the gets from the counter deltas. */
  if( stratWorkload(p, "readrandom", &rRead) ) return 1;
  if( stratStats(p, &st2) ) return 1;
  if( st2.nGet>st.nGet ){
    double nGet = (double)(st2.nGet - st.nGet);
    pRes->rReadAmp = (double)(st2.nSstConsulted - st.nSstConsulted)/nGet;
    pRes->rBlockPerGet = (double)(st2.nBlockRead - st.nBlockRead)/nGet;
  }
  if( stratWorkload(p, "seekrandom", &rSeek) ) return 1;
  pRes->rReadOps = stratOps(&rRead, 1);
  pRes->rSeekOps = stratOps(&rSeek, 1);

  /* The final state, then the exact space amplification after close. */
  if( stratStats(p, &st2) ) return 1;
  memcpy(pRes->anFile, st2.anFile, sizeof(pRes->anFile));
  pRes->nCompaction = st2.nCompaction;
  pRes->nFifoDropped = st2.nFifoDeletedBytes;
  pRes->rSpaceEst = st2.fSpaceAmp;
  if( stratScan(p, pRes) || benchClose(p) ) return 1;
  pRes->nDisk = benchDirSize(p->zDir);
  pRes->rSpaceAmp = pRes->nLive ? (double)pRes->nDisk/(double)pRes->nLive
                                : 0.0;
  if( pSpec->eCompaction==LSMC_COMPACTION_FIFO && pRes->nFifoDropped ){
    printf("WARNING      : fifo dropped %llu bytes despite its cap\n",
           pRes->nFifoDropped);
  }
  printf("result       : write amp %.2f, read amp %.2f SST/get, space amp "
         "%.3f (%.1f MB on disk / %.1f MB live)\n", pRes->rWriteAmp,
         pRes->rReadAmp, pRes->rSpaceAmp, (double)pRes->nDisk/BENCH_MB,
         (double)pRes->nLive/BENCH_MB);
  fflush(stdout);
  return 0;
}

/* ---------------------------------------------------------- tables */

/* "L0:3 L1:4 L2:37" for the non-empty levels of p, into z. */
static void stratLevels(const StratResult *p, char *z, size_t n){
  size_t k = 0;
  int i;
  z[0] = 0;
  for(i=0; i<LSMC_STATS_LEVELS && k<n; i++){
    if( p->anFile[i]==0 ) continue;
    k += (size_t)snprintf(&z[k], n-k, "%sL%d:%llu", k ? " " : "", i,
                          (unsigned long long)p->anFile[i]);
  }
  if( z[0]==0 ) snprintf(z, n, "none");
}

/* The table of measured numbers, one column per strategy. */
static void stratPrintNumbers(const StratResult *aRes){
  static const char *azName[STRAT_ROWS] = {
    "metric",
    "write amp: (WAL+flush+compaction) / user bytes",
    "write amp without WAL: (flush+compaction) / user bytes",
    "read amp: SSTables consulted per get",
    "read amp: data blocks read from files per get",
    "space amp: store files / live key+value bytes (exact)",
    "space amp, engine estimate (fSpaceAmp)",
    "fillrandom+overwrite ops/s",
    "readrandom ops/s",
    "seekrandom ops/s (seek + 10 next)",
    "compactions run",
    "writer stall time, s",
    "wait for compaction to settle, s",
    "store files MB / live data MB",
    "live entries",
    "files per level at the end",
  };
  char aCell[STRAT_ROWS][STRAT_N][STRAT_CELL];
  const char *azCell[STRAT_ROWS*(STRAT_N+1)];
  int i, j;

  for(j=0; j<STRAT_N; j++){
    const StratResult *r = &aRes[j];
    snprintf(aCell[0][j], STRAT_CELL, "%s", aStratSpec[j].zName);
    snprintf(aCell[1][j], STRAT_CELL, "%.2f", r->rWriteAmp);
    snprintf(aCell[2][j], STRAT_CELL, "%.2f", r->rWriteAmpNoWal);
    snprintf(aCell[3][j], STRAT_CELL, "%.2f", r->rReadAmp);
    snprintf(aCell[4][j], STRAT_CELL, "%.2f", r->rBlockPerGet);
    snprintf(aCell[5][j], STRAT_CELL, "%.3f", r->rSpaceAmp);
    snprintf(aCell[6][j], STRAT_CELL, "%.3f", r->rSpaceEst);
    snprintf(aCell[7][j], STRAT_CELL, "%.0f", r->rWriteOps);
    snprintf(aCell[8][j], STRAT_CELL, "%.0f", r->rReadOps);
    snprintf(aCell[9][j], STRAT_CELL, "%.0f", r->rSeekOps);
    snprintf(aCell[10][j], STRAT_CELL, "%llu", r->nCompaction);
    snprintf(aCell[11][j], STRAT_CELL, "%.1f", r->rStallSec);
    snprintf(aCell[12][j], STRAT_CELL, "%.1f%s", r->rSettleSec,
             r->bSettled ? "" : " (timed out)");
    snprintf(aCell[13][j], STRAT_CELL, "%.1f / %.1f",
             (double)r->nDisk/BENCH_MB, (double)r->nLive/BENCH_MB);
    snprintf(aCell[14][j], STRAT_CELL, "%llu", r->nEntry);
    stratLevels(r, aCell[15][j], STRAT_CELL);
  }
  for(i=0; i<STRAT_ROWS; i++){
    azCell[i*(STRAT_N+1)] = azName[i];
    for(j=0; j<STRAT_N; j++) azCell[i*(STRAT_N+1)+j+1] = aCell[i][j];
  }
  benchTable(stdout, STRAT_ROWS, STRAT_N+1, azCell, STRAT_N+1);
}

/*
** The qualitative table of the lore, each word followed by the measured
** number, then one line per claim of the lore saying whether it held.
*/
static void stratPrintLore(const StratResult *aRes){
  const StratResult *pL = &aRes[0], *pT = &aRes[1], *pF = &aRes[2];
  char aCell[STRAT_N][3][STRAT_CELL];
  const char *azCell[(STRAT_N+1)*4] = {
    "strategy", "write amp (w/o WAL)", "read amp (SST/get)", "space amp"
  };
  int bW, bR, bS;
  int j;

  for(j=0; j<STRAT_N; j++){
    const StratSpec *s = &aStratSpec[j];
    snprintf(aCell[j][0], STRAT_CELL, "%s: %.2f (%.2f)", s->zWrite,
             aRes[j].rWriteAmp, aRes[j].rWriteAmpNoWal);
    snprintf(aCell[j][1], STRAT_CELL, "%s: %.2f", s->zRead,
             aRes[j].rReadAmp);
    snprintf(aCell[j][2], STRAT_CELL, "%s: %.3f", s->zSpace,
             aRes[j].rSpaceAmp);
    azCell[(j+1)*4] = s->zLore;
    azCell[(j+1)*4+1] = aCell[j][0];
    azCell[(j+1)*4+2] = aCell[j][1];
    azCell[(j+1)*4+3] = aCell[j][2];
  }
  benchTable(stdout, STRAT_N+1, 4, azCell, 4);

  bW = pL->rWriteAmp>pT->rWriteAmp && pT->rWriteAmp>pF->rWriteAmp;
  bR = pL->rReadAmp<pT->rReadAmp && pL->rReadAmp<pF->rReadAmp;
  bS = pL->rSpaceAmp<pT->rSpaceAmp && pL->rSpaceAmp<pF->rSpaceAmp;
  printf("\nlore check: write amp leveled > tiered > fifo: %s "
         "(%.2f, %.2f, %.2f)\n", bW ? "holds" : "does NOT hold",
         pL->rWriteAmp, pT->rWriteAmp, pF->rWriteAmp);
  printf("lore check: read amp leveled < tiered, fifo: %s "
         "(%.2f, %.2f, %.2f SST/get)\n", bR ? "holds" : "does NOT hold",
         pL->rReadAmp, pT->rReadAmp, pF->rReadAmp);
  printf("lore check: space amp leveled < tiered, fifo: %s "
         "(%.3f, %.3f, %.3f)\n", bS ? "holds" : "does NOT hold",
         pL->rSpaceAmp, pT->rSpaceAmp, pF->rSpaceAmp);
}

/* ---------------------------------------------------------- files */

/* Write the results to zPath (see the column comment); 0 on success. */
static int stratWriteDat(const Bench *p, const StratResult *aRes,
                         const char *zPath){
  FILE *pOut = fopen(zPath, "w");
  int j;
  if( pOut==0 ){
    fprintf(stderr, "db_bench: cannot write %s\n", zPath);
    return 1;
  }
  fprintf(pOut, "# db_bench --benchmarks=strategies: num=%lld reads=%lld "
          "value_size=%lld\n", p->cfg.nNum, p->cfg.nReads, p->cfg.nValue);
  fprintf(pOut, "# 1 strategy, 2 write_amp, 3 write_amp_without_wal, "
          "4 read_amp_sst_per_get,\n# 5 blocks_read_per_get, 6 space_amp, "
          "7 write_ops_per_s, 8 readrandom_ops_per_s,\n"
          "# 9 seekrandom_ops_per_s, 10 live_entries, 11 store_bytes, "
          "12 live_bytes\n");
  for(j=0; j<STRAT_N; j++){
    const StratResult *r = &aRes[j];
    fprintf(pOut, "%s %.4f %.4f %.4f %.4f %.4f %.0f %.0f %.0f %llu %llu "
            "%llu\n", aStratSpec[j].zName, r->rWriteAmp, r->rWriteAmpNoWal,
            r->rReadAmp, r->rBlockPerGet, r->rSpaceAmp, r->rWriteOps,
            r->rReadOps, r->rSeekOps, r->nEntry, r->nDisk, r->nLive);
  }
  return fclose(pOut)!=0;
}

/*
** Write strategies.dat in --out and draw strategies.png if gnuplot is
** installed.  A missing gnuplot or script is not an error.
*/
static int stratOutput(const Bench *p, const StratResult *aRes){
  char *zDat = 0, *zPng = 0, *zScript = 0;
  int rc = 0, ePlot;

  if( asprintf(&zDat, "%s/strategies.dat", p->cfg.zOut)<0 ) zDat = 0;
  if( asprintf(&zPng, "%s/strategies.png", p->cfg.zOut)<0 ) zPng = 0;
  if( zDat==0 || zPng==0 ){
    rc = 1;
  }else{
    rc = stratWriteDat(p, aRes, zDat);
  }
  if( rc==0 ){
    printf("\nwrote %s\n", zDat);
    if( !benchOnPath("gnuplot") ){
      printf("gnuplot not found: apt-get install gnuplot-nox to draw "
             "strategies.png\n");
    }else if( (zScript = benchFindScript(p->cfg.zPlot, p->cfg.zArgv0,
                                         STRAT_SCRIPT))==0 ){
      printf("%s not found (give --plot=PATH): strategies.png not drawn\n",
             STRAT_SCRIPT);
    }else if( (ePlot = benchRunGnuplot(zScript, zDat, zPng,
                   "num=%lld; reads=%lld", p->cfg.nNum, p->cfg.nReads)) ){
      if( ePlot==BENCH_PLOT_QUOTE ){
        fprintf(stderr, "db_bench: --out must not contain a quote for "
                "gnuplot\n");
      }
      printf("gnuplot %s failed: strategies.png not drawn\n", zScript);
    }else{
      printf("drew  %s (gnuplot %s)\n", zPng, zScript);
    }
  }
  free(zDat);
  free(zPng);
  free(zScript);
  return rc;
}

/* ---------------------------------------------------------- the mode */

/*
** db_bench --benchmarks=strategies: measure every strategy, print both
** tables, write the data file and the chart.  Returns 0 on success.
*/
int benchStrategies(Bench *p){
  StratResult aRes[STRAT_N];
  double rWritten = 2.0*(double)p->cfg.nNum
                  * (double)(BENCH_KEY_SIZE + p->cfg.nValue);
  double rStart = benchNowMicros();
  int j;

  p->cfg.bUseExisting = 0;
  printf("strategies   : per strategy a fresh store: fillrandom %lld, "
         "overwrite %lld, flush, wait for compaction, readrandom %lld, "
         "seekrandom %lld\n", p->cfg.nNum, p->cfg.nNum, p->cfg.nReads,
         p->cfg.nReads);
  printf("fifo         : LSMC_OPT_FIFO_MAX_SIZE = %lld GiB, more than the "
         "%.1f MB written: fifo keeps everything\n",
         STRAT_FIFO_MAX>>30, rWritten/BENCH_MB);
  for(j=0; j<STRAT_N; j++){
    if( stratOne(p, &aStratSpec[j], &aRes[j]) ) return 1;
  }

  printf("\n## Compaction strategies: %lld keys written twice (fillrandom + "
         "overwrite, %d+%lld bytes each), %lld reads and seeks\n\n",
         p->cfg.nNum, BENCH_KEY_SIZE, p->cfg.nValue, p->cfg.nReads);
  stratPrintNumbers(aRes);
  printf("\nfifo kept everything: LSMC_OPT_FIFO_MAX_SIZE = %lld GiB, "
         "%llu bytes dropped.\n", STRAT_FIFO_MAX>>30, aRes[2].nFifoDropped);
  printf("\n## The classic trade-off, measured\n\n");
  stratPrintLore(aRes);
  printf("\nstrategies took %.1f s\n", (benchNowMicros() - rStart)/1e6);
  return stratOutput(p, aRes);
}
