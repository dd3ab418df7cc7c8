/*
** compact_tiered.c -- the size-tiered strategy (RocksDB's "universal",
** Cassandra's STCS): every sorted run is one file on level 0, newest
** first, and runs of similar size are merged into one.  Only runs that are
** adjacent in age are merged, so that the runs' sequence ranges stay
** disjoint and a lookup may stop at the newest run holding its key.
**
** Once there are nL0Trigger runs or more:
**   1. space: if the runs other than the oldest hold more than twice its
**      bytes (200% space amplification), all runs are merged;
**   2. size ratio: from the newest run, take the longest window whose
**      every next run is at most 1% larger than the window's sum so far;
**      a window of 2 or more runs is merged;
**   3. otherwise the newest runs are merged so that the count falls below
**      the trigger.
** Each run is rewritten about log(N) times: write amplification stays low
** (documented bound: <= 1 + log2(data / memtable) rewrites), while reads
** visit every run and space amplification reaches up to 3x before (1).
*/
#include "compaction.h"

#define TIERED_SIZE_RATIO   1.01     /* next run <= 101% of the window */
#define TIERED_MAX_AMP      2.0      /* newer runs <= 200% of the oldest */

/* A merge of runs [iFirst, iLast] of level 0 into one run. */
static int tieredWindow(const CompactionConf *c, Version *v, int iFirst,
                        int iLast, const char *zWhy, Compaction **pp){
  int rc = lsmcCompactionNew(v->pSet->pEnv, v, LSMC_COMPACT_MERGE, 0,
                             UINT64_MAX, zWhy, pp);
  int i;
  LSMC_UNUSED(c);
  for(i=iFirst; rc==LSMC_OK && i<=iLast; i++){
    rc = lsmcCompactionAdd(*pp, 0, v->apFile[0][i]);
  }
  if( rc ){
    lsmcCompactionFree(*pp);
    *pp = 0;
  }
  return rc;
}

static int tieredPick(const CompactionConf *c, Version *v, Compaction **pp){
  int n = v->anFile[0];
  FileMeta **a = v->apFile[0];
  u64 nNewer = 0;
  int i, j;
  *pp = 0;
  if( n<c->nL0Trigger || n<2 ) return LSMC_OK;

  for(i=0; i<n-1; i++) nNewer += a[i]->nSize;
  if( (double)nNewer > TIERED_MAX_AMP * (double)a[n-1]->nSize ){
    return tieredWindow(c, v, 0, n-1, "space amplification", pp);
  }
  for(i=0; i<n-1; i++){
    double fSum = (double)a[i]->nSize;
    for(j=i+1; j<n && (double)a[j]->nSize <= fSum*TIERED_SIZE_RATIO; j++){
      fSum += (double)a[j]->nSize;
    }
    if( j-i>=2 ) return tieredWindow(c, v, i, j-1, "size ratio", pp);
  }
  return tieredWindow(c, v, 0, n - c->nL0Trigger + 1, "run count", pp);
}

static int tieredManual(const CompactionConf *c, Version *v,
                        const u8 *pLo, size_t nLo, const u8 *pHi, size_t nHi,
                        int *piStep, Compaction **pp){
  int n = v->anFile[0];
  LSMC_UNUSED(pLo); LSMC_UNUSED(nLo); LSMC_UNUSED(pHi); LSMC_UNUSED(nHi);
  *pp = 0;
  if( (*piStep)++>0 || n==0 ) return LSMC_OK;
  if( n==1 && v->apFile[0][0]->nDeletes==0 ) return LSMC_OK;
  return tieredWindow(c, v, 0, n-1, "manual", pp);
}

static int tieredRuns(const Version *v){
  return v->anFile[0];
}

const CompactionStrategy lsmcTiered = {
  "tiered", tieredPick, tieredManual, tieredRuns
};
