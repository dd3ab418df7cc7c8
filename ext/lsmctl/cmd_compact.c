/*
** cmd_compact.c -- "lsmctl compact DIR": compact the whole key range of a
** store (lsmc_compact_range with no bounds: the memtable is flushed, then
** every file goes through the store's compaction strategy), and show the
** levels before and after.
**
** The compaction runs in a worker thread; the main thread draws a
** progress line every 100 ms while stderr is a terminal, from the
** engine's counters (lsmc_stats): the compaction bytes read and written
** since the start, against the SST bytes at the start.  A leveled
** compaction may read some bytes more than once (a level is merged into
** the next, then that one further down), so the percentage is capped at
** 99 until the work is done.  Thread safety: the worker only calls
** lsmc_compact_range; the main thread only lsmc_stats_get; the engine
** handle is thread-safe, and bDone is atomic.
*/
#include "lsmctl.h"

#include <pthread.h>
#include <stdatomic.h>
#include <string.h>
#include <time.h>

/* The worker's input and result. */
typedef struct CompactJob CompactJob;
struct CompactJob {
  lsmc_db *pDb;               /* The store */
  int rc;                     /* lsmc_compact_range's result */
  atomic_int bDone;           /* Set by the worker when it returns */
};

/* The worker thread: compact everything. */
static void *compactWorker(void *pArg){
  CompactJob *p = (CompactJob*)pArg;
  p->rc = lsmc_compact_range(p->pDb, 0, 0, 0, 0);
  atomic_store(&p->bDone, 1);
  return 0;
}

/* Draw the progress line from the counters in *pNow against *pStart. */
static void compactProgress(CtlProgress *pProg, const lsmc_stats *pStart,
                            const lsmc_stats *pNow){
  uint64_t nRead = pNow->nCompactReadBytes - pStart->nCompactReadBytes;
  uint64_t nWrite = pNow->nCompactWriteBytes - pStart->nCompactWriteBytes;
  uint64_t nTotal = pStart->nSstBytes;
  char zRead[32], zWrite[32], zTotal[32];
  int iPct = nTotal ? (int)(nRead*100/nTotal) : 0;
  if( iPct>99 ) iPct = 99;
  ctlProgressDraw(pProg, 0, "compacting: read %s of %s (%d%%), wrote %s",
                  ctlSize(nRead, zRead, sizeof(zRead)),
                  ctlSize(nTotal, zTotal, sizeof(zTotal)), iPct,
                  ctlSize(nWrite, zWrite, sizeof(zWrite)));
}

/*
** lsmctl compact DIR: the levels, the compaction in a worker thread
** while the progress line is drawn, the levels again.  Returns the exit
** code.
*/
int ctlCmdCompact(const CtlArgs *pArgs){
  struct timespec tWait = { 0, 100000000L };   /* 100 ms */
  lsmc_stats before, now;
  CtlProgress progress;
  CompactJob job;
  pthread_t tid;
  lsmc_db *pDb = 0;
  int eExit = ctlOpenStore(pArgs->zPath, 1, &pDb);
  int rc;
  if( eExit ) return eExit;
  memset(&before, 0, sizeof(before));
  memset(&now, 0, sizeof(now));
  memset(&job, 0, sizeof(job));
  job.pDb = pDb;
  atomic_init(&job.bDone, 0);
  rc = lsmc_stats_get(pDb, &before);
  if( rc!=LSMC_OK ){
    eExit = ctlEngineError(pDb, rc, pArgs->zPath);
    lsmc_close(pDb);
    return eExit;
  }
  printf("before\n");
  ctlPrintLevels(stdout, &before);
  fflush(stdout);
  if( pthread_create(&tid, 0, compactWorker, &job)!=0 ){
    ctlError("%s: cannot start a thread", pArgs->zPath);
    lsmc_close(pDb);
    return CTL_EXIT_ERROR;
  }
  ctlProgressInit(&progress);
  while( !atomic_load(&job.bDone) ){
    nanosleep(&tWait, 0);
    if( progress.bTty && lsmc_stats_get(pDb, &now)==LSMC_OK ){
      compactProgress(&progress, &before, &now);
    }
  }
  pthread_join(tid, 0);
  ctlProgressEnd(&progress);
  rc = job.rc;
  if( rc==LSMC_OK ) rc = lsmc_stats_get(pDb, &now);
  if( rc==LSMC_OK ){
    char zRead[32], zWrite[32];
    printf("\nafter (compaction read %s, wrote %s)\n",
           ctlSize(now.nCompactReadBytes - before.nCompactReadBytes, zRead,
                   sizeof(zRead)),
           ctlSize(now.nCompactWriteBytes - before.nCompactWriteBytes, zWrite,
                   sizeof(zWrite)));
    ctlPrintLevels(stdout, &now);
  }else{
    eExit = ctlEngineError(pDb, rc, pArgs->zPath);
  }
  lsmc_close(pDb);
  return eExit;
}
