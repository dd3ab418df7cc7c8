/*
** compaction.c -- the Compaction object: its inputs (each file referenced
** while the compaction lives), the version it was picked from, and the
** key-range helpers the strategies use.  Running a compaction is in
** compact_job.c; picking one in compact_leveled.c, compact_tiered.c and
** compact_fifo.c.
*/
#include "compaction.h"

/* User-key part of a FileMeta bound. */
#define boundKey(pBuf)    ((pBuf)->a)
#define boundLen(pBuf)    ((pBuf)->n - LSMC_TRAILER_SIZE)

int lsmcCompactionNew(lsmc_env *pEnv, Version *v, int eKind, int iOutLevel,
                      u64 nTargetFile, const char *zReason, Compaction **pp){
  Compaction *p = lsmcMallocZero(pEnv, sizeof(Compaction));
  *pp = p;
  if( p==0 ) return LSMC_NOMEM;
  p->eKind = eKind;
  p->iOutLevel = iOutLevel;
  p->nTargetFile = nTargetFile;
  p->zReason = zReason;
  p->pBase = v;
  lsmcVersionRef(v);
  return LSMC_OK;
}

static int compactionHas(const Compaction *p, const FileMeta *f){
  int i;
  for(i=0; i<p->nInput; i++){
    if( p->aInput[i].pFile==f ) return 1;
  }
  return 0;
}

int lsmcCompactionAdd(Compaction *p, int iLevel, FileMeta *pFile){
  lsmc_env *pEnv = p->pBase->pSet->pEnv;
  if( (p->nInput & (p->nInput-1))==0 ){          /* 0 or a power of two */
    int nNew = p->nInput ? p->nInput*2 : 4;
    CompactionInput *aNew = lsmcRealloc(pEnv, p->aInput,
                                        sizeof(CompactionInput)*(size_t)nNew);
    if( aNew==0 ) return LSMC_NOMEM;
    p->aInput = aNew;
  }
  lsmcFileRef(pFile);
  p->aInput[p->nInput].iLevel = iLevel;
  p->aInput[p->nInput].pFile = pFile;
  p->nInput++;
  return LSMC_OK;
}

int lsmcFileOverlaps(const FileMeta *f, const u8 *pLo, size_t nLo,
                     const u8 *pHi, size_t nHi){
  if( pLo && lsmcUKeyCompare(boundKey(&f->largest), boundLen(&f->largest),
                             pLo, nLo)<0 ){
    return 0;
  }
  if( pHi && lsmcUKeyCompare(boundKey(&f->smallest), boundLen(&f->smallest),
                             pHi, nHi)>0 ){
    return 0;
  }
  return 1;
}

int lsmcCompactionAddOverlapping(Compaction *p, int iLevel,
                                 const u8 *pLo, size_t nLo,
                                 const u8 *pHi, size_t nHi){
  Version *v = p->pBase;
  int rc = LSMC_OK;
  int j;
  for(j=0; rc==LSMC_OK && j<v->anFile[iLevel]; j++){
    FileMeta *f = v->apFile[iLevel][j];
    if( lsmcFileOverlaps(f, pLo, nLo, pHi, nHi) && !compactionHas(p, f) ){
      rc = lsmcCompactionAdd(p, iLevel, f);
    }
  }
  return rc;
}

void lsmcCompactionRange(const Compaction *p, const u8 **ppLo, size_t *pnLo,
                         const u8 **ppHi, size_t *pnHi){
  int i;
  assert( p->nInput>0 );
  *ppLo = boundKey(&p->aInput[0].pFile->smallest);
  *pnLo = boundLen(&p->aInput[0].pFile->smallest);
  *ppHi = boundKey(&p->aInput[0].pFile->largest);
  *pnHi = boundLen(&p->aInput[0].pFile->largest);
  for(i=1; i<p->nInput; i++){
    const FileMeta *f = p->aInput[i].pFile;
    if( lsmcUKeyCompare(boundKey(&f->smallest), boundLen(&f->smallest),
                        *ppLo, *pnLo)<0 ){
      *ppLo = boundKey(&f->smallest);
      *pnLo = boundLen(&f->smallest);
    }
    if( lsmcUKeyCompare(boundKey(&f->largest), boundLen(&f->largest),
                        *ppHi, *pnHi)>0 ){
      *ppHi = boundKey(&f->largest);
      *pnHi = boundLen(&f->largest);
    }
  }
}

void lsmcCompactionFree(Compaction *p){
  if( p ){
    lsmc_env *pEnv = p->pBase->pSet->pEnv;
    int i;
    for(i=0; i<p->nInput; i++) lsmcFileUnref(p->aInput[i].pFile);
    lsmcFree(pEnv, p->aInput);
    lsmcVersionUnref(p->pBase);
    lsmcFree(pEnv, p);
  }
}
