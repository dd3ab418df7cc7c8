/*
** flush.c -- turns an immutable memtable into a level-0 SSTable, in the
** background thread (or in the writer when LSMC_OPT_BACKGROUND is 0).
**
** Durability order of one flush:
**   1. write NNNNNN.sst, sync it, close it, sync the directory;
**   2. append the version edit (add the file; LOG = the active WAL's
**      number) to the manifest and sync it (lsmcVersionSetApply);
**   3. only then delete the WAL that held the memtable.
** A crash before 2 leaves an orphan .sst (removed at the next open) and
** the WAL (replayed); a crash after 2 leaves an obsolete WAL (removed).
** Any failure is sticky (bgError): later writes fail until reopen.
*/
#include "db.h"
#include "coding.h"
#include "filename.h"
#include "sst_builder.h"
#include "crashpoint.h"

#include <stdio.h>
#include <time.h>

void lsmcSetBgError(LsmEngine *e, int rc, const char *zWhat){
  if( e->bgError==LSMC_OK ){
    e->bgError = rc;
    e->zBgError = lsmcMprintf(e->pEnv, "%s: %s", zWhat, lsmc_errstr(rc));
  }
  pthread_cond_broadcast(&e->cvDone);
}

/*
** Copy every entry of pMem into the builder.
*/
static int flushCopyEntries(MemTable *pMem, SstBuilder *pBuilder){
  LsmIter *pIter = 0;
  int rc = lsmcMemtableIter(pMem, &pIter);
  if( rc==LSMC_OK ) rc = lsmcIterFirst(pIter);
  while( rc==LSMC_OK && lsmcIterValid(pIter) ){
    size_t nKey, nVal;
    const u8 *pKey = lsmcIterKey(pIter, &nKey);
    const u8 *pVal = lsmcIterValue(pIter, &nVal);
    rc = lsmcSstBuilderAdd(pBuilder, pKey, nKey, pVal, nVal);
    if( rc==LSMC_OK ) rc = lsmcIterNext(pIter);
  }
  lsmcIterClose(pIter);
  return rc;
}

int lsmcWriteLevel0(LsmEngine *e, MemTable *pMem, u64 iNum, EditFile *pFile,
                    LsmcBuf *pSmallest, LsmcBuf *pLargest){
  lsmc_env *pEnv = e->pEnv;
  char *zPath = lsmcFileName(pEnv, e->zDir, LSMC_FILE_SST, iNum);
  lsmc_file *pOut = 0;
  SstBuilder *pBuilder = 0;
  SstOptions so;
  SstProps props;
  u64 nFile = 0;
  int rc = zPath ? LSMC_OK : LSMC_NOMEM;

  so.nBlockSize = (u32)e->opts.aVal[LSMC_OPT_BLOCK_SIZE];
  so.nRestart = (u32)e->opts.aVal[LSMC_OPT_RESTART_INTERVAL];
  so.nBloomBits = (u32)e->opts.aVal[LSMC_OPT_BLOOM_BITS];
  lsmcSstPropsInit(&props, pEnv);

  if( rc==LSMC_OK ) rc = LSMC_ENV(pEnv->xOpen(pEnv, zPath, LSMC_OPEN_CREATE, &pOut));
  if( rc==LSMC_OK ) rc = lsmcSstBuilderNew(pEnv, pOut, &so, &pBuilder);
  if( rc==LSMC_OK ) rc = flushCopyEntries(pMem, pBuilder);
  if( rc==LSMC_OK ) rc = lsmcSstBuilderFinish(pBuilder, &nFile, &props);
  CRASHPOINT(FLUSH_SST_WRITTEN);
  if( rc==LSMC_OK ) rc = LSMC_ENV(pEnv->xSync(pOut));
  CRASHPOINT(FLUSH_SST_SYNCED);
  if( pOut ){
    int rc2 = LSMC_ENV(pEnv->xClose(pOut));
    if( rc==LSMC_OK ) rc = rc2;
  }
  if( rc==LSMC_OK ) rc = LSMC_ENV(pEnv->xSyncDir(pEnv, e->zDir));
  CRASHPOINT(FLUSH_SST_DIRSYNCED);
  if( rc==LSMC_OK ){
    lsmcBufSet(&rc, pSmallest, props.smallest.a, props.smallest.n);
    lsmcBufSet(&rc, pLargest, props.largest.a, props.largest.n);
  }
  if( rc==LSMC_OK ){
    memset(pFile, 0, sizeof(*pFile));
    pFile->iLevel = 0;
    pFile->iNumber = iNum;
    pFile->nSize = nFile;
    pFile->iMinSeq = props.iMinSeq;
    pFile->iMaxSeq = props.iMaxSeq;
    pFile->nEntries = props.nEntries;
    pFile->nDeletes = props.nDeletes;
    pFile->iCreated = pEnv->xNowMicros(pEnv);
    pFile->pSmallest = pSmallest->a;
    pFile->nSmallest = pSmallest->n;
    pFile->pLargest = pLargest->a;
    pFile->nLargest = pLargest->n;
    atomic_fetch_add_explicit(&e->stats.nFlushBytes, nFile,
                              memory_order_relaxed);
  }else if( zPath ){
    LSMC_ENV(pEnv->xRemove(pEnv, zPath));
  }
  lsmcSstBuilderFree(pBuilder);
  lsmcSstPropsFree(&props);
  lsmcFree(pEnv, zPath);
  return rc;
}

int lsmcFlushImm(LsmEngine *e){
  MemTable *pImm = e->pImm;
  u64 iImmWal = e->iImmWal;
  u64 iNum = 0;
  LsmcBuf smallest, largest;
  EditFile file;
  int bEmpty = lsmcMemtableCount(pImm)==0;
  int rc = lsmcVersionSetNewFileNumber(e->pVs, &iNum);

  assert( pImm!=0 && e->bFlushing==0 );
  e->bFlushing = 1;
  LSMC_TEST_BUSY(LSMC_BUSY_FLUSH, 1);
  lsmcBufInit(&smallest, e->pEnv);
  lsmcBufInit(&largest, e->pEnv);
  pthread_mutex_unlock(&e->mu);
  if( rc==LSMC_OK && !bEmpty ){
    rc = lsmcWriteLevel0(e, pImm, iNum, &file, &smallest, &largest);
  }
  pthread_mutex_lock(&e->mu);

  if( rc==LSMC_OK ){
    VersionEdit edit;
    lsmcEditInit(&edit, e->pEnv);
    edit.bLog = 1;
    edit.iLog = e->iWal;               /* older WALs hold nothing unflushed */
    if( !bEmpty ) rc = lsmcEditAddFile(&edit, &file);
    if( e->iLastSeq>e->pVs->iLastSeq ) e->pVs->iLastSeq = e->iLastSeq;
    if( rc==LSMC_OK ) rc = lsmcVersionSetApply(e->pVs, &edit);
    if( rc==LSMC_OK ) CRASHPOINT(FLUSH_INSTALLED);
    lsmcEditClear(&edit);
    /* On failure the SSTable stays: the edit naming it may be in the
    ** manifest although the manifest's sync failed (TESTPLAN C1); if it
    ** is not, the file is an orphan, which is safe. */
    if( rc!=LSMC_OK ) lsmcSetBgError(e, rc, "manifest write failed");
  }else{
    lsmcSetBgError(e, rc, "flush failed");
  }

  if( rc==LSMC_OK ){
    char *zWal = lsmcFileName(e->pEnv, e->zDir, LSMC_FILE_WAL, iImmWal);
    e->pImm = 0;
    lsmcMemtableUnref(pImm);
    if( zWal ) LSMC_ENV(e->pEnv->xRemove(e->pEnv, zWal));  /* an obsolete WAL left
                                                 ** behind is removed at open */
    CRASHPOINT(FLUSH_WAL_REMOVED);
    lsmcFree(e->pEnv, zWal);
    atomic_fetch_add_explicit(&e->stats.nFlush, 1, memory_order_relaxed);
  }
  lsmcBufFree(&smallest);
  lsmcBufFree(&largest);
  e->bFlushing = 0;
  LSMC_TEST_BUSY(LSMC_BUSY_FLUSH, -1);
  pthread_cond_broadcast(&e->cvDone);
  return rc;
}

/*
** The background thread: flush whenever an immutable memtable waits
** (flushes first: writers may be waiting), otherwise run the compactions
** the strategy finds due, until shutdown.  A memtable still waiting at
** shutdown stays in its WAL (synced at rotation) and is replayed at the
** next open; a compaction running at shutdown is abandoned.  With a fifo
** TTL the thread also wakes every second to expire files.
*/
static void *flushThread(void *pArg){
  LsmEngine *e = (LsmEngine*)pArg;
  pthread_mutex_lock(&e->mu);
  while( !atomic_load(&e->bShutdown) ){
    int bDid = 0;
    if( e->bgError==LSMC_OK && e->pImm && !e->bFlushing ){
      lsmcFlushImm(e);
      continue;
    }
    if( e->bgError==LSMC_OK ) lsmcCompactOnce(e, &bDid);
    if( bDid || atomic_load(&e->bShutdown) ) continue;
    if( e->opts.aVal[LSMC_OPT_FIFO_TTL] ){
      struct timespec ts;
      clock_gettime(CLOCK_REALTIME, &ts);
      ts.tv_sec += 1;
      pthread_cond_timedwait(&e->cvWork, &e->mu, &ts);
    }else{
      pthread_cond_wait(&e->cvWork, &e->mu);
    }
  }
  pthread_mutex_unlock(&e->mu);
  return 0;
}

int lsmcBgStart(LsmEngine *e){
  if( e->opts.aVal[LSMC_OPT_BACKGROUND]==0 ) return LSMC_OK;
  if( pthread_create(&e->bgThread, 0, flushThread, e) ) return LSMC_NOMEM;
  e->bBgThread = 1;
  return LSMC_OK;
}

void lsmcBgStop(LsmEngine *e){
  if( e->bBgThread ){
    pthread_mutex_lock(&e->mu);
    atomic_store(&e->bShutdown, 1);
    pthread_cond_broadcast(&e->cvWork);
    pthread_mutex_unlock(&e->mu);
    pthread_join(e->bgThread, 0);
    e->bBgThread = 0;
  }
}
