/*
** compact_leveled.c -- the leveled strategy (LevelDB/RocksDB style).
**
** Level 0 holds flushed files, which may overlap; it is compacted, all of
** it, into level 1 once it holds nL0Trigger files.  Level n >= 1 may hold
** nL1Max * 10^(n-1) bytes; past that, one of its files -- the one whose
** overlap with level n+1 is smallest relative to its own size, which
** keeps write amplification low (RocksDB's kMinOverlappingRatio) -- is
** merged with the overlapping files of level n+1.  A file with nothing
** to merge with below is moved down without being rewritten.  The most
** urgent level (highest size/limit score >= 1) goes first.
**
** A manual compaction pushes [lo, hi] down one level per step into the
** deepest non-empty level (at least L1), then rewrites the files of that
** level in the range that it did not write itself (conf.iNow is the time
** it started), so that versions no snapshot needs any more are dropped.
*/
#include "compaction.h"

#define LEVELED_MULTIPLIER 10
#define LEVELED_LAST (LSMC_NUM_LEVELS-1)

static u64 leveledMaxBytes(const CompactionConf *c, int iLevel){
  u64 n = c->nL1Max;
  while( --iLevel>0 ) n *= LEVELED_MULTIPLIER;
  return n;
}

/* How urgently level i needs compaction (>= 1: due). */
static double leveledScore(const CompactionConf *c, const Version *v, int i){
  if( i==0 ) return (double)v->anFile[0] / (double)c->nL0Trigger;
  return (double)lsmcVersionLevelBytes(v, i) / (double)leveledMaxBytes(c, i);
}

/* Bytes of level iLevel overlapping f's key range. */
static u64 leveledOverlapBytes(const Version *v, int iLevel, const FileMeta *f){
  u64 n = 0;
  int j;
  for(j=0; j<v->anFile[iLevel]; j++){
    const FileMeta *g = v->apFile[iLevel][j];
    if( lsmcFileOverlaps(g, f->smallest.a, f->smallest.n - LSMC_TRAILER_SIZE,
                         f->largest.a, f->largest.n - LSMC_TRAILER_SIZE) ){
      n += g->nSize;
    }
  }
  return n;
}

/*
** Complete a compaction whose inputs on one level are chosen: add the
** overlapping files of the output level, or turn a lone file with
** nothing below into a move.
*/
static int leveledAddBelow(Compaction *p, int bAllowMove){
  const u8 *pLo, *pHi;
  size_t nLo, nHi;
  int nAbove = p->nInput;
  int rc;
  lsmcCompactionRange(p, &pLo, &nLo, &pHi, &nHi);
  rc = lsmcCompactionAddOverlapping(p, p->iOutLevel, pLo, nLo, pHi, nHi);
  if( rc==LSMC_OK && bAllowMove && nAbove==1 && p->nInput==1 ){
    p->eKind = LSMC_COMPACT_MOVE;
  }
  return rc;
}

static int leveledPick(const CompactionConf *c, Version *v, Compaction **pp){
  lsmc_env *pEnv = v->pSet->pEnv;
  double fBest = 1.0;
  int iBest = -1;
  int i, rc;
  *pp = 0;
  for(i=0; i<LEVELED_LAST; i++){
    double f = leveledScore(c, v, i);
    if( f>=fBest ){ fBest = f; iBest = i; }
  }
  if( iBest<0 ) return LSMC_OK;
  rc = lsmcCompactionNew(pEnv, v, LSMC_COMPACT_MERGE, iBest+1, c->nTargetFile,
                         iBest==0 ? "L0 file count" : "level size", pp);
  if( rc==LSMC_OK && iBest==0 ){
    for(i=0; rc==LSMC_OK && i<v->anFile[0]; i++){
      rc = lsmcCompactionAdd(*pp, 0, v->apFile[0][i]);
    }
  }else if( rc==LSMC_OK ){
    /* The file with the smallest overlap below, relative to its size. */
    FileMeta *pPick = 0;
    double fMin = 0.0;
    for(i=0; i<v->anFile[iBest]; i++){
      FileMeta *f = v->apFile[iBest][i];
      double fRatio = (double)leveledOverlapBytes(v, iBest+1, f)
                    / (double)(f->nSize ? f->nSize : 1);
      if( pPick==0 || fRatio<fMin ){ pPick = f; fMin = fRatio; }
    }
    rc = lsmcCompactionAdd(*pp, iBest, pPick);
  }
  if( rc==LSMC_OK ) rc = leveledAddBelow(*pp, 1);
  if( rc ){
    lsmcCompactionFree(*pp);
    *pp = 0;
  }
  return rc;
}

static int leveledManual(const CompactionConf *c, Version *v,
                         const u8 *pLo, size_t nLo, const u8 *pHi, size_t nHi,
                         int *piStep, Compaction **pp){
  lsmc_env *pEnv = v->pSet->pEnv;
  int iBottom = 1;
  int rc = LSMC_OK;
  int i;
  *pp = 0;
  for(i=1; i<LSMC_NUM_LEVELS; i++){
    if( v->anFile[i]>0 ) iBottom = i;
  }
  while( rc==LSMC_OK && *pp==0 && *piStep<=iBottom ){
    int iLevel = (*piStep)++;
    int bBottom = (iLevel==iBottom);
    rc = lsmcCompactionNew(pEnv, v, LSMC_COMPACT_MERGE,
                           bBottom ? iLevel : iLevel+1, c->nTargetFile,
                           "manual", pp);
    for(i=0; rc==LSMC_OK && i<v->anFile[iLevel]; i++){
      FileMeta *f = v->apFile[iLevel][i];
      if( bBottom && f->iCreated>=c->iNow ) continue;  /* written by this
                                                      ** manual compaction */
      if( lsmcFileOverlaps(f, pLo, nLo, pHi, nHi) ){
        rc = lsmcCompactionAdd(*pp, iLevel, f);
      }
    }
    if( rc==LSMC_OK && iLevel==0 && (*pp)->nInput>0 ){
      /* L0 files overlap one another: take all of them. */
      lsmcCompactionFree(*pp);
      *pp = 0;
      rc = lsmcCompactionNew(pEnv, v, LSMC_COMPACT_MERGE, 1, c->nTargetFile,
                             "manual", pp);
      for(i=0; rc==LSMC_OK && i<v->anFile[0]; i++){
        rc = lsmcCompactionAdd(*pp, 0, v->apFile[0][i]);
      }
    }
    if( rc==LSMC_OK && (*pp)->nInput>0 && !bBottom ){
      rc = leveledAddBelow(*pp, 0);
    }
    if( rc || (*pp)->nInput==0 ){
      lsmcCompactionFree(*pp);
      *pp = 0;
    }
  }
  return rc;
}

static int leveledRuns(const Version *v){
  return v->anFile[0];
}

const CompactionStrategy lsmcLeveled = {
  "leveled", leveledPick, leveledManual, leveledRuns
};
