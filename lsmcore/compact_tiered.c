/*
** compact_tiered.c -- the size-tiered strategy (Cassandra's STCS, with
** RocksDB universal compaction's rule that only runs adjacent in age are
** merged): every sorted run is one file on level 0, newest first, and
** runs of similar size are merged into one.  Merging only adjacent runs
** keeps the runs' sequence ranges disjoint, so a lookup may stop at the
** newest run holding its key.
**
** Once there are nL0Trigger (T) runs or more, the first rule that applies:
**   1. buckets: walking from the newest run, group adjacent runs whose
**      sizes are within a factor of 2 of the group's mean; the first group
**      of T or more runs is merged (STCS's min_threshold = T);
**   2. run count: with 2T+4 runs or more, the newest runs are merged so
**      that T-1 remain before them (bounds read amplification);
**   3. space: when the runs other than the oldest hold more than 4 times
**      its bytes, everything is merged (bounds space amplification and
**      drops overwritten data).
** Bounds (documented, tested): each byte is rewritten about log_T of
** (data / memtable) times; runs stay below 2T+4; space amplification
** stays below about 5x.
*/
#include "compaction.h"

#define TIERED_BUCKET_FACTOR 2.0   /* a run joins a group within 2x */
#define TIERED_MAX_AMP       4.0   /* newer runs <= 400% of the oldest */

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
  int nT = c->nL0Trigger;
  u64 nNewer = 0;
  int i, j;
  *pp = 0;
  if( n<nT || n<2 ) return LSMC_OK;

  for(i=0; i<n; i=j){
    double fSum = (double)a[i]->nSize;
    for(j=i+1; j<n; j++){
      double fMean = fSum / (double)(j-i);
      double fSize = (double)a[j]->nSize;
      if( fSize>fMean*TIERED_BUCKET_FACTOR
       || fSize*TIERED_BUCKET_FACTOR<fMean ) break;
      fSum += fSize;
    }
    if( j-i>=nT ) return tieredWindow(c, v, i, j-1, "size bucket", pp);
  }
  if( n>=2*nT+4 ){
    return tieredWindow(c, v, 0, n-nT, "run count", pp);
  }
  for(i=0; i<n-1; i++) nNewer += a[i]->nSize;
  if( (double)nNewer > TIERED_MAX_AMP * (double)a[n-1]->nSize ){
    return tieredWindow(c, v, 0, n-1, "space amplification", pp);
  }
  return LSMC_OK;
}

static int tieredManual(const CompactionConf *c, Version *v,
                        const u8 *pLo, size_t nLo, const u8 *pHi, size_t nHi,
                        int *piStep, Compaction **pp){
  int n = v->anFile[0];
  LSMC_UNUSED(pLo); LSMC_UNUSED(nLo); LSMC_UNUSED(pHi); LSMC_UNUSED(nHi);
  *pp = 0;
  if( (*piStep)++>0 || n==0 ) return LSMC_OK;
  if( n==1 && v->apFile[0][0]->iCreated>=c->iNow ) return LSMC_OK;
  return tieredWindow(c, v, 0, n-1, "manual", pp);
}

static int tieredRuns(const Version *v){
  return v->anFile[0];
}

const CompactionStrategy lsmcTiered = {
  "tiered", tieredPick, tieredManual, tieredRuns
};
