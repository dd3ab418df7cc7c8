/*
** compact_job.c -- runs one Compaction inside the engine: reads the inputs
** through a merging iterator, drops what no reader can see any more (the
** rules are in compaction.h), writes the survivors to new SSTables split
** at the target size (never between two versions of one user key),
** syncs them and the directory, and installs one version edit that
** deletes the inputs and adds the outputs.  Input files are removed from
** disk when the last version naming them is released (version.c).
**
** Runs with the engine mutex released while it reads and writes; a
** flush waiting meanwhile is done in between (flushes have priority, so
** writers are not held up by a long compaction).  Any failure leaves the
** version unchanged, removes the partial outputs, and becomes the sticky
** background error.
*/
#include "db.h"
#include "coding.h"
#include "compaction.h"
#include "filename.h"
#include "merge_iter.h"
#include "sst_builder.h"
#include "crashpoint.h"

/* Entries between two checks for a waiting flush. */
#define JOB_YIELD_EVERY 4096

/* One output file being written, or written. */
typedef struct JobOutput JobOutput;
struct JobOutput {
  u64 iNumber;             /* File number */
  u64 nSize;               /* Final size */
  SstProps props;          /* Its properties (keys owned) */
};

/* The state of a running merge. */
typedef struct Job Job;
struct Job {
  LsmEngine *e;            /* Engine */
  Compaction *c;           /* What to do */
  u64 iSmallestSnap;       /* Oldest sequence any reader may read at */
  int nOut;                /* Outputs (the last may be open) */
  JobOutput *aOut;         /* Outputs */
  lsmc_file *pFile;        /* Open output file, or NULL */
  SstBuilder *pBuilder;    /* Builder on pFile */
  u64 nWritten;            /* Bytes of finished outputs */
};

/*
** True if no file outside the inputs can hold a version of user key pKey
** older than iSeq: every file covering the key that is not an input has
** only newer entries.
*/
static int jobIsBase(Job *p, const u8 *pKey, size_t nKey, u64 iSeq){
  Version *v = p->c->pBase;
  int i, j, k;
  for(i=0; i<LSMC_NUM_LEVELS; i++){
    for(j=0; j<v->anFile[i]; j++){
      FileMeta *f = v->apFile[i][j];
      int bInput = 0;
      if( f->iMinSeq>=iSeq ) continue;
      if( !lsmcFileOverlaps(f, pKey, nKey, pKey, nKey) ) continue;
      for(k=0; k<p->c->nInput && !bInput; k++){
        bInput = (p->c->aInput[k].pFile==f);
      }
      if( !bInput ) return 0;
    }
  }
  return 1;
}

/* Open the next output file. */
static int jobOpenOutput(Job *p){
  LsmEngine *e = p->e;
  JobOutput *pOut;
  SstOptions so;
  char *zPath;
  int rc;

  pOut = lsmcRealloc(e->pEnv, p->aOut, sizeof(JobOutput)*(size_t)(p->nOut+1));
  if( pOut==0 ) return LSMC_NOMEM;
  p->aOut = pOut;
  pOut = &p->aOut[p->nOut];
  memset(pOut, 0, sizeof(*pOut));
  lsmcSstPropsInit(&pOut->props, e->pEnv);
  pthread_mutex_lock(&e->mu);
  rc = lsmcVersionSetNewFileNumber(e->pVs, &pOut->iNumber);
  pthread_mutex_unlock(&e->mu);
  if( rc!=LSMC_OK ) return rc;
  p->nOut++;

  so.nBlockSize = (u32)e->opts.aVal[LSMC_OPT_BLOCK_SIZE];
  so.nRestart = (u32)e->opts.aVal[LSMC_OPT_RESTART_INTERVAL];
  so.nBloomBits = (u32)e->opts.aVal[LSMC_OPT_BLOOM_BITS];
  zPath = lsmcFileName(e->pEnv, e->zDir, LSMC_FILE_SST, pOut->iNumber);
  rc = zPath ? LSMC_ENV(e->pEnv->xOpen(e->pEnv, zPath, LSMC_OPEN_CREATE, &p->pFile))
             : LSMC_NOMEM;
  if( rc==LSMC_OK ) rc = lsmcSstBuilderNew(e->pEnv, p->pFile, &so, &p->pBuilder);
  lsmcFree(e->pEnv, zPath);
  return rc;
}

/* Finish, sync and close the open output. */
static int jobCloseOutput(Job *p){
  LsmEngine *e = p->e;
  JobOutput *pOut = &p->aOut[p->nOut-1];
  int rc = lsmcSstBuilderFinish(p->pBuilder, &pOut->nSize, &pOut->props);
  CRASHPOINT(COMPACT_OUTPUT_WRITTEN);
  if( rc==LSMC_OK ) rc = LSMC_ENV(e->pEnv->xSync(p->pFile));
  CRASHPOINT(COMPACT_OUTPUT_SYNCED);
  lsmcSstBuilderFree(p->pBuilder);
  p->pBuilder = 0;
  if( p->pFile ){
    int rc2 = LSMC_ENV(e->pEnv->xClose(p->pFile));
    if( rc==LSMC_OK ) rc = rc2;
    p->pFile = 0;
  }
  p->nWritten += pOut->nSize;
  return rc;
}

/* If a memtable waits to be flushed and nobody is flushing it, flush it. */
static void jobYieldToFlush(LsmEngine *e){
  pthread_mutex_lock(&e->mu);
  if( e->pImm && !e->bFlushing && !e->bgError ) lsmcFlushImm(e);
  pthread_mutex_unlock(&e->mu);
}

/*
** Merge the inputs into outputs.  REQUIRES: mu not held.
*/
static int jobMerge(Job *p){
  LsmEngine *e = p->e;
  Compaction *c = p->c;
  LsmIter **apIter = 0;
  LsmIter *pMerge = 0;
  LsmcBuf lastKey;                 /* User key of the previous entry */
  int bHaveLast = 0;
  u64 iLastSeqForKey = 0;          /* Sequence of the previous version */
  u64 nEntry = 0;
  int rc = LSMC_OK;
  int i, nIter = 0;

  lsmcBufInit(&lastKey, e->pEnv);
  apIter = lsmcMallocZero(e->pEnv, sizeof(LsmIter*)*(size_t)c->nInput);
  if( apIter==0 ) rc = LSMC_NOMEM;
  for(i=0; rc==LSMC_OK && i<c->nInput; i++){
    rc = lsmcFileIter(c->aInput[i].pFile, 0, &apIter[nIter]);
    if( rc==LSMC_OK ) nIter++;
  }
  if( rc==LSMC_OK ){
    rc = lsmcMergeIterNew(e->pEnv, apIter, nIter, &pMerge);
    nIter = 0;
  }
  for(i=0; i<nIter; i++) lsmcIterClose(apIter[i]);
  lsmcFree(e->pEnv, apIter);
  if( rc==LSMC_OK ) rc = lsmcIterFirst(pMerge);

  while( rc==LSMC_OK && lsmcIterValid(pMerge) ){
    size_t nIKey, nVal;
    const u8 *pIKey = lsmcIterKey(pMerge, &nIKey);
    const u8 *pVal = lsmcIterValue(pMerge, &nVal);
    size_t nUKey = nIKey - LSMC_TRAILER_SIZE;
    u64 iTrailer = lsmcIKeyTrailer(pIKey, nIKey);
    u64 iSeq = lsmcTrailerSeq(iTrailer);
    int bNewKey = !bHaveLast
               || lsmcUKeyCompare(pIKey, nUKey, lastKey.a, lastKey.n)!=0;
    int bDrop = 0;

    if( bNewKey ){
      iLastSeqForKey = UINT64_MAX;
      bHaveLast = 1;
    }
    /* Drop a version hidden by a newer one that every snapshot sees, and a
    ** tombstone with nothing left to hide. */
    bDrop = iLastSeqForKey<=p->iSmallestSnap
         || (lsmcTrailerKind(iTrailer)==LSMC_KIND_DELETE
             && iSeq<=p->iSmallestSnap && jobIsBase(p, pIKey, nUKey, iSeq));
    iLastSeqForKey = iSeq;

    if( !bDrop ){
      if( p->pBuilder && bNewKey
       && lsmcSstBuilderFileSize(p->pBuilder)>=c->nTargetFile ){
        rc = jobCloseOutput(p);
      }
      if( rc==LSMC_OK && p->pBuilder==0 ) rc = jobOpenOutput(p);
      if( rc==LSMC_OK ){
        rc = lsmcSstBuilderAdd(p->pBuilder, pIKey, nIKey, pVal, nVal);
      }
    }
    if( rc==LSMC_OK && bNewKey ) lsmcBufSet(&rc, &lastKey, pIKey, nUKey);
    if( rc==LSMC_OK && (++nEntry % JOB_YIELD_EVERY)==0 ){
      if( atomic_load(&e->bShutdown) ) rc = LSMC_ABORT;
      else jobYieldToFlush(e);
    }
    if( rc==LSMC_OK ) rc = lsmcIterNext(pMerge);
  }
  if( rc==LSMC_OK && p->pBuilder ) rc = jobCloseOutput(p);
  if( rc==LSMC_OK && p->nOut>0 ) rc = LSMC_ENV(e->pEnv->xSyncDir(e->pEnv, e->zDir));
  if( rc==LSMC_OK && p->nOut>0 ) CRASHPOINT(COMPACT_OUTPUTS_DIRSYNCED);
  lsmcIterClose(pMerge);
  lsmcBufFree(&lastKey);
  return rc;
}

/* Remove the output files of a failed job and free the outputs. */
static void jobCleanup(Job *p, int bRemove){
  LsmEngine *e = p->e;
  int i;
  if( p->pBuilder ) lsmcSstBuilderFree(p->pBuilder);
  if( p->pFile ) LSMC_ENV(e->pEnv->xClose(p->pFile));
  for(i=0; i<p->nOut; i++){
    if( bRemove ){
      char *zPath = lsmcFileName(e->pEnv, e->zDir, LSMC_FILE_SST,
                                 p->aOut[i].iNumber);
      if( zPath ) LSMC_ENV(e->pEnv->xRemove(e->pEnv, zPath));
      lsmcFree(e->pEnv, zPath);
    }
    lsmcSstPropsFree(&p->aOut[i].props);
  }
  lsmcFree(e->pEnv, p->aOut);
}

/* The edit of a finished job: inputs out, outputs (or moved file) in. */
static int jobEdit(Job *p, VersionEdit *pEdit){
  Compaction *c = p->c;
  u64 iNow = p->e->pEnv->xNowMicros(p->e->pEnv);
  int rc = LSMC_OK;
  int i;
  for(i=0; rc==LSMC_OK && i<c->nInput; i++){
    rc = lsmcEditDelFile(pEdit, c->aInput[i].iLevel,
                         c->aInput[i].pFile->iNumber);
  }
  if( rc==LSMC_OK && c->eKind==LSMC_COMPACT_MOVE ){
    EditFile e;
    lsmcFileToEdit(c->aInput[0].pFile, c->iOutLevel, &e);
    rc = lsmcEditAddFile(pEdit, &e);
  }
  for(i=0; rc==LSMC_OK && i<p->nOut; i++){
    const SstProps *pr = &p->aOut[i].props;
    EditFile e;
    e.iLevel = c->iOutLevel;
    e.iNumber = p->aOut[i].iNumber;
    e.nSize = p->aOut[i].nSize;
    e.iMinSeq = pr->iMinSeq;
    e.iMaxSeq = pr->iMaxSeq;
    e.nEntries = pr->nEntries;
    e.nDeletes = pr->nDeletes;
    e.iCreated = iNow;
    e.pSmallest = pr->smallest.a;
    e.nSmallest = pr->smallest.n;
    e.pLargest = pr->largest.a;
    e.nLargest = pr->largest.n;
    rc = lsmcEditAddFile(pEdit, &e);
  }
  return rc;
}

/* The oldest sequence number any reader may still read at. */
static u64 jobSmallestSnapshot(LsmEngine *e){
  u64 iSeq = e->iLastSeq;
  if( e->snapList.pNext!=&e->snapList ){
    lsmc_snapshot *pSnap;
    for(pSnap=e->snapList.pNext; pSnap!=&e->snapList; pSnap=pSnap->pNext){
      if( pSnap->iSeq<iSeq ) iSeq = pSnap->iSeq;
    }
  }
  return iSeq;
}

int lsmcCompactionRun(LsmEngine *e, Compaction *c){
  VersionEdit edit;
  Job job;
  u64 nRead = 0;
  int bApply = 0;                /* The edit went to the manifest writer */
  int rc = LSMC_OK;
  int i;

  memset(&job, 0, sizeof(job));
  LSMC_TEST_BUSY(LSMC_BUSY_COMPACT, 1);
  job.e = e;
  job.c = c;
  job.iSmallestSnap = jobSmallestSnapshot(e);
  for(i=0; i<c->nInput; i++) nRead += c->aInput[i].pFile->nSize;

  if( c->eKind==LSMC_COMPACT_MERGE ){
    pthread_mutex_unlock(&e->mu);
    rc = jobMerge(&job);
    pthread_mutex_lock(&e->mu);
  }
  lsmcEditInit(&edit, e->pEnv);
  if( rc==LSMC_OK ) rc = jobEdit(&job, &edit);
  if( rc==LSMC_OK ){
    if( e->iLastSeq>e->pVs->iLastSeq ) e->pVs->iLastSeq = e->iLastSeq;
    bApply = 1;
    rc = lsmcVersionSetApply(e->pVs, &edit);
  }
  if( rc==LSMC_OK ) CRASHPOINT(COMPACT_INSTALLED);
  lsmcEditClear(&edit);
  /* After a failed apply the outputs stay: the edit naming them may be in
  ** the manifest although its sync failed (TESTPLAN C1). */
  jobCleanup(&job, rc!=LSMC_OK && !bApply);

  if( rc==LSMC_OK ){
    DbStats *s = &e->stats;
    atomic_fetch_add_explicit(&s->nCompaction, 1, memory_order_relaxed);
    if( c->eKind==LSMC_COMPACT_MERGE ){
      atomic_fetch_add_explicit(&s->nCompactReadBytes, nRead,
                                memory_order_relaxed);
      atomic_fetch_add_explicit(&s->nCompactWriteBytes, job.nWritten,
                                memory_order_relaxed);
    }else if( c->eKind==LSMC_COMPACT_DELETE ){
      atomic_fetch_add_explicit(&s->nFifoDeletedBytes, nRead,
                                memory_order_relaxed);
    }
  }else if( rc!=LSMC_ABORT ){
    lsmcSetBgError(e, rc, "compaction failed");
  }
  LSMC_TEST_BUSY(LSMC_BUSY_COMPACT, -1);
  pthread_cond_broadcast(&e->cvDone);
  return rc;
}

void lsmcEngineConf(LsmEngine *e, CompactionConf *p){
  const i64 *a = e->opts.aVal;
  u64 nTarget = (u64)a[LSMC_OPT_TARGET_FILE_SIZE];
  if( nTarget==0 ){
    nTarget = (u64)a[LSMC_OPT_MEMTABLE_SIZE];
    if( nTarget<(u64)64*1024 ) nTarget = (u64)64*1024;
    if( nTarget>(u64)64*1024*1024 ) nTarget = (u64)64*1024*1024;
  }
  memset(p, 0, sizeof(*p));
  p->nL0Trigger = (int)a[LSMC_OPT_L0_TRIGGER];
  p->nTargetFile = nTarget;
  p->nL1Max = 4*nTarget;
  p->nFifoMax = (u64)a[LSMC_OPT_FIFO_MAX_SIZE];
  p->nFifoTtl = (u64)a[LSMC_OPT_FIFO_TTL] * 1000000;
  p->iNow = e->pEnv->xNowMicros(e->pEnv);
}

int lsmcCompactOnce(LsmEngine *e, int *pbDid){
  CompactionConf conf;
  Compaction *c = 0;
  int rc;
  *pbDid = 0;
  if( e->bCompacting ) return LSMC_OK;
  lsmcEngineConf(e, &conf);
  rc = e->pStrategy->xPick(&conf, e->pVs->pCurrent, &c);
  if( rc==LSMC_OK && c ){
    e->bCompacting = 1;
    rc = lsmcCompactionRun(e, c);
    e->bCompacting = 0;
    lsmcCompactionFree(c);
    *pbDid = (rc==LSMC_OK);
    pthread_cond_broadcast(&e->cvDone);
  }
  return rc;
}
