/*
** compact_fifo.c -- the FIFO strategy, for logs and time series: files
** are never merged.  Every flushed file stays on level 0; once the files
** together exceed nFifoMax bytes, the oldest are deleted until they fit,
** and, when a TTL is set, every file created longer ago than the TTL is
** deleted too.  THIS DROPS DATA by design: the store keeps the newest
** nFifoMax bytes (plus up to one file).  Writers are never stalled.
*/
#include "compaction.h"

static int fifoPick(const CompactionConf *c, Version *v, Compaction **pp){
  int n = v->anFile[0];
  FileMeta **a = v->apFile[0];              /* newest first */
  u64 nTotal = 0;
  int iKeep;                                /* files [0, iKeep) stay */
  int rc = LSMC_OK;
  int i;
  *pp = 0;
  for(i=0; i<n; i++) nTotal += a[i]->nSize;
  iKeep = n;
  while( iKeep>0 && nTotal>c->nFifoMax ){
    nTotal -= a[--iKeep]->nSize;
  }
  if( c->nFifoTtl ){
    while( iKeep>0 && a[iKeep-1]->iCreated + c->nFifoTtl < c->iNow ) iKeep--;
  }
  if( iKeep==n ) return LSMC_OK;
  rc = lsmcCompactionNew(v->pSet->pEnv, v, LSMC_COMPACT_DELETE, 0, 0,
                         "fifo size or age", pp);
  for(i=iKeep; rc==LSMC_OK && i<n; i++){
    rc = lsmcCompactionAdd(*pp, 0, a[i]);
  }
  if( rc ){
    lsmcCompactionFree(*pp);
    *pp = 0;
  }
  return rc;
}

static int fifoManual(const CompactionConf *c, Version *v,
                      const u8 *pLo, size_t nLo, const u8 *pHi, size_t nHi,
                      int *piStep, Compaction **pp){
  LSMC_UNUSED(pLo); LSMC_UNUSED(nLo); LSMC_UNUSED(pHi); LSMC_UNUSED(nHi);
  *pp = 0;
  if( (*piStep)++>0 ) return LSMC_OK;
  return fifoPick(c, v, pp);               /* enforce the limits, no merge */
}

static int fifoRuns(const Version *v){
  LSMC_UNUSED(v);
  return 0;
}

const CompactionStrategy lsmcFifo = {
  "fifo", fifoPick, fifoManual, fifoRuns
};
