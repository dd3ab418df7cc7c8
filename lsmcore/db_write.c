/*
** db_write.c -- the engine's write path.
**
** Group commit: writers queue up (DbWriter, db.h); the writer at the head
** leads a group, makes room in the memtable (rotating it and the WAL when
** full, waiting on backpressure), appends the group's batches to the WAL
** as one record, syncs it if any member asked for sync=full, inserts into
** the memtable with the engine mutex released, publishes the sequence
** numbers, and wakes the members.  Only the leader touches the active
** memtable and WAL, so they have one writer at a time.
**
** Two-phase commit (lsmc_commit_prepare/apply/abort): prepare leads like a
** group of one, writes and syncs the WAL record and reserves the memtable
** memory, then keeps the lead; apply inserts (it cannot fail: the memory
** is reserved) and publishes; abort appends a synced abort marker that
** recovery honours (wal_format.h), publishing nothing.
**
** lsmc_flush and lsmc_compact_range also enter through the queue, so that
** a memtable is rotated only by a leader.
*/
#include "db.h"
#include "coding.h"
#include "wal_format.h"
#include "wal_writer.h"
#include "crashpoint.h"

#include <stdio.h>
#include <stdlib.h>

/* Largest group of batches one leader writes (bytes of batch encoding). */
#define DB_MAX_GROUP  (1u<<20)

/*
** A backpressure threshold (LSMC_OPT_L0_SLOWDOWN or _STOP), raised if
** needed to the run count at which the strategy is sure to pick a
** compaction (leveled: the L0 trigger T; tiered: 2T+4 runs), so that
** writers never wait for work the strategy would not do.
*/
static i64 dbBackpressure(LsmEngine *e, int eOpt){
  i64 nT = e->opts.aVal[LSMC_OPT_L0_TRIGGER];
  i64 nMin = (e->pStrategy==&lsmcTiered) ? 2*nT + 4 : nT;
  i64 n = e->opts.aVal[eOpt];
  return n<nMin ? nMin : n;
}

/*
** Make room in the active memtable for a write (or, with bForce, rotate
** it so that lsmc_flush can flush it).  Called by the write leader with
** mu held; may wait on cvDone for the background flush.
*/
static int dbMakeRoom(LsmEngine *e, int bForce){
  size_t nLimit = (size_t)e->opts.aVal[LSMC_OPT_MEMTABLE_SIZE];
  int bDelayed = 0;
  int rc = LSMC_OK;
  while( rc==LSMC_OK ){
    WalWriter *pNewWal = 0;
    MemTable *pNewMem = 0;
    u64 iNewWal = 0;
    if( e->bgError ) return e->bgError;
    if( e->bBgThread ){
      /* Backpressure: too many runs for reads to stay cheap. */
      int nRun = e->pStrategy->xRuns(e->pVs->pCurrent);
      if( nRun>=dbBackpressure(e, LSMC_OPT_L0_STOP) ){
        u64 iStart = e->pEnv->xNowMicros(e->pEnv);
        atomic_fetch_add_explicit(&e->stats.nStallStop, 1, memory_order_relaxed);
        pthread_cond_signal(&e->cvWork);
        pthread_cond_wait(&e->cvDone, &e->mu);
        atomic_fetch_add_explicit(&e->stats.nStallMicros,
            e->pEnv->xNowMicros(e->pEnv) - iStart, memory_order_relaxed);
        continue;
      }
      if( nRun>=dbBackpressure(e, LSMC_OPT_L0_SLOWDOWN) && !bDelayed ){
        bDelayed = 1;
        atomic_fetch_add_explicit(&e->stats.nStallSlow, 1, memory_order_relaxed);
        atomic_fetch_add_explicit(&e->stats.nStallMicros, 1000,
                                  memory_order_relaxed);
        pthread_mutex_unlock(&e->mu);
        e->pEnv->xSleep(e->pEnv, 1000);
        pthread_mutex_lock(&e->mu);
        continue;
      }
    }
    if( !bForce && lsmcMemtableBytes(e->pMem)<nLimit ) return LSMC_OK;
    if( bForce && lsmcMemtableCount(e->pMem)==0 ) return LSMC_OK;
    if( e->pImm ){
      atomic_fetch_add_explicit(&e->stats.nStall, 1, memory_order_relaxed);
      if( e->bBgThread ){
        pthread_cond_wait(&e->cvDone, &e->mu);
      }else{
        lsmcFlushImm(e);
      }
      continue;
    }
    /* Rotate: sync the old WAL first, so that no later WAL can hold data
    ** while an older one lost its tail (no holes after a crash). */
    rc = lsmcWalSync((WalWriter*)e->pWal);
    CRASHPOINT(WAL_ROTATE_SYNCED);
    if( rc==LSMC_OK ) rc = lsmcDbMemtableNew(e, &pNewMem);
    if( rc==LSMC_OK ) rc = lsmcDbNewWal(e, &pNewWal, &iNewWal);
    if( rc!=LSMC_OK ){
      lsmcMemtableUnref(pNewMem);
      if( rc!=LSMC_NOMEM ) lsmcSetBgError(e, rc, "WAL rotation failed");
      return rc;
    }
    lsmcWalWriterClose((WalWriter*)e->pWal);
    e->pWal = pNewWal;
    e->pImm = e->pMem;
    e->iImmWal = e->iWal;
    e->pMem = pNewMem;
    e->iWal = iNewWal;
    CRASHPOINT(WAL_ROTATED);
    bForce = 0;
    if( e->bBgThread ){
      pthread_cond_signal(&e->cvWork);
    }else{
      int bDid = 1;
      lsmcFlushImm(e);
      while( e->bgError==LSMC_OK && bDid ) lsmcCompactOnce(e, &bDid);
      if( e->bgError ) return e->bgError;
    }
  }
  return rc;
}

/* Memtable insert callback for lsmcBatchIterate. */
static int dbInsertEntry(void *pArg, u64 iSeq, int eKind, const u8 *pKey,
                         size_t nKey, const u8 *pVal, size_t nVal){
  return lsmcMemtableAdd((MemTable*)pArg, iSeq, eKind, pKey, nKey, pVal, nVal);
}

/*
** Build the group the leader writes: its own batch plus followers' as
** long as the group stays under DB_MAX_GROUP and a non-sync leader takes
** no sync follower.  Returns the batch to write and sets *ppLast to the
** last writer included.  *pScratch is initialised (and *pbScratch set)
** only when a follower joins, so a writer alone allocates nothing; if
** that allocation fails, the leader writes alone.
*/
static lsmc_batch *dbBuildGroup(LsmEngine *e, lsmc_batch *pScratch,
                                int *pbScratch, DbWriter **ppLast, int *pRc){
  DbWriter *pLead = e->pWriterHead;
  lsmc_batch *pResult = pLead->pBatch;
  size_t nSize = pLead->pBatch->rep.n;
  DbWriter *w;
  *ppLast = pLead;
  for(w=pLead->pNext; w; w=w->pNext){
    /* A NULL batch: a forced rotation or a prepared commit (which leads
    ** alone and keeps its batch in its lsmc_commit). */
    if( w->pBatch==0 || (w->bSync && !pLead->bSync) ) break;
    nSize += w->pBatch->rep.n;
    if( nSize>DB_MAX_GROUP ) break;
    if( pResult==pLead->pBatch ){
      if( !*pbScratch ){
        if( lsmcBatchInit(pScratch, e->pEnv)!=LSMC_OK ) break;
        *pbScratch = 1;
      }
      pScratch->rep.n = LSMC_BATCH_HEADER;
      lsmcPut32(&pScratch->rep.a[8], 0);
      *pRc = lsmcBatchAppend(pScratch, pLead->pBatch);
      pResult = pScratch;
    }
    if( *pRc==LSMC_OK ) *pRc = lsmcBatchAppend(pScratch, w->pBatch);
    if( *pRc ) break;
    *ppLast = w;
  }
  return pResult;
}

/*
** The writer queue.  Join it with w and wait until w leads (is at the
** head) or a leader completed it (w->bDone).  REQUIRES: mu held.
*/
static void dbQueueJoin(LsmEngine *e, DbWriter *w){
  if( e->pWriterTail ) e->pWriterTail->pNext = w; else e->pWriterHead = w;
  e->pWriterTail = w;
  while( !w->bDone && e->pWriterHead!=w ){
    pthread_cond_wait(&w->cv, &e->mu);
  }
}

/*
** The leader at the head of the queue is done: complete every writer of
** its group up to pLast with rc (the leader itself, the head, is not
** signalled) and wake the next head, which leads next.  REQUIRES: mu held.
*/
static void dbQueueRelease(LsmEngine *e, DbWriter *pLast, int rc){
  DbWriter *pLead = e->pWriterHead;
  while( 1 ){
    DbWriter *pDone = e->pWriterHead;
    assert( pDone!=0 );               /* pLast is queued, at or behind it */
    e->pWriterHead = pDone->pNext;
    if( e->pWriterHead==0 ) e->pWriterTail = 0;
    if( pDone!=pLead ){
      pDone->rc = rc;
      pDone->bDone = 1;
      pthread_cond_signal(&pDone->cv);
    }
    if( pDone==pLast ) break;
  }
  if( e->pWriterHead ) pthread_cond_signal(&e->pWriterHead->cv);
}

/*
** The leader's work for a group of batches: build the group, append it to
** the WAL (and sync it if the leader asked), insert it into the memtable
** and publish it.  *ppLast is the last writer of the group.  REQUIRES: mu
** held and w the head; mu is released during the I/O and inserts.
*/
static int dbWriteGroup(LsmEngine *e, DbWriter *w, DbWriter **ppLast){
  lsmc_batch scratch;
  int bScratch = 0;
  lsmc_batch *pGroup;
  u64 iSeq = e->iLastSeq + 1;
  u32 nCount;
  int rc = LSMC_OK;
  pGroup = dbBuildGroup(e, &scratch, &bScratch, ppLast, &rc);
  nCount = lsmc_batch_count(pGroup);
  if( rc==LSMC_OK && iSeq + nCount > LSMC_MAX_SEQ ) rc = LSMC_FULL;
  if( rc==LSMC_OK && nCount>0 ){
    WalWriter *pWal = (WalWriter*)e->pWal;
    MemTable *pMem = e->pMem;
    lsmcBatchSetSeq(pGroup, iSeq);
    pthread_mutex_unlock(&e->mu);
    rc = lsmcWalAddRecord(pWal, pGroup->rep.a, pGroup->rep.n);
    CRASHPOINT(WRITE_APPENDED);
    if( rc==LSMC_OK && w->bSync ){
      rc = lsmcWalSync(pWal);
      atomic_fetch_add_explicit(&e->stats.nWalSync, 1, memory_order_relaxed);
    }
    CRASHPOINT(WRITE_SYNCED);
    if( rc==LSMC_OK ){
      rc = lsmcBatchIterate(pGroup->rep.a, pGroup->rep.n, dbInsertEntry, pMem);
      if( rc ){
        pthread_mutex_lock(&e->mu);
        lsmcSetBgError(e, rc, "memtable insert failed");
        pthread_mutex_unlock(&e->mu);
      }
    }
    pthread_mutex_lock(&e->mu);
    if( rc==LSMC_OK ){
      e->iLastSeq = iSeq + nCount - 1;
      atomic_fetch_add_explicit(&e->stats.nWriteGroup, 1, memory_order_relaxed);
      atomic_fetch_add_explicit(&e->stats.nWalBytes, pGroup->rep.n,
                                memory_order_relaxed);
    }else{
      lsmcSetBgError(e, rc, "WAL write failed");
    }
  }
  if( bScratch ) lsmcBatchFinish(&scratch);
  return rc;
}

/*
** Write one batch (or, with pBatch NULL, force a memtable rotation) as a
** member of a commit group.  See db.h for the protocol.
*/
static int dbWrite(LsmEngine *e, lsmc_batch *pBatch, int bSync){
  DbWriter w;
  DbWriter *pLast = &w;
  int rc;

  memset(&w, 0, sizeof(w));
  w.pBatch = pBatch;
  w.bSync = bSync;
  pthread_cond_init(&w.cv, 0);

  pthread_mutex_lock(&e->mu);
  dbQueueJoin(e, &w);
  if( w.bDone ){
    rc = w.rc;
  }else{
    /* This thread leads the group at the head of the queue. */
    rc = dbMakeRoom(e, pBatch==0);
    if( rc==LSMC_OK && pBatch ) rc = dbWriteGroup(e, &w, &pLast);
    dbQueueRelease(e, pLast, rc);
  }
  pthread_mutex_unlock(&e->mu);
  pthread_cond_destroy(&w.cv);
  return rc;
}

/* Count a batch's puts, deletes and user bytes into the statistics. */
static int dbCountEntry(void *pArg, u64 iSeq, int eKind, const u8 *pKey,
                        size_t nKey, const u8 *pVal, size_t nVal){
  DbStats *s = (DbStats*)pArg;
  LSMC_UNUSED(iSeq); LSMC_UNUSED(pKey); LSMC_UNUSED(pVal);
  if( eKind==LSMC_KIND_PUT ){
    atomic_fetch_add_explicit(&s->nPut, 1, memory_order_relaxed);
  }else{
    atomic_fetch_add_explicit(&s->nDelete, 1, memory_order_relaxed);
  }
  atomic_fetch_add_explicit(&s->nUserBytes, nKey+nVal, memory_order_relaxed);
  return 0;
}

int lsmc_write(lsmc_db *pDb, lsmc_batch *pBatch, int eSync){
  LsmEngine *e;
  int rc;
  if( pDb==0 || pDb->pEng==0 || pBatch==0 ) return LSMC_MISUSE_BKPT;
  e = pDb->pEng;
  if( eSync==LSMC_SYNC_DEFAULT ) eSync = (int)e->opts.aVal[LSMC_OPT_SYNC];
  if( eSync<LSMC_SYNC_OFF || eSync>LSMC_SYNC_FULL ) return LSMC_MISUSE_BKPT;
  if( lsmc_batch_count(pBatch)==0 ) return LSMC_OK;
  rc = dbWrite(e, pBatch, eSync==LSMC_SYNC_FULL);
  if( rc==LSMC_OK ){
    lsmcBatchIterate(pBatch->rep.a, pBatch->rep.n, dbCountEntry, &e->stats);
    return LSMC_OK;
  }
  pthread_mutex_lock(&e->mu);
  if( e->zBgError ){
    lsmcDbError(pDb, rc, "%s: %s", e->zDir, e->zBgError);
  }else{
    lsmcDbError(pDb, rc, "%s: write failed", e->zDir);
  }
  pthread_mutex_unlock(&e->mu);
  return rc;
}

/* A handle keeps its one-entry batch while it is at most this large. */
#define DB_ONE_KEEP  ((size_t)64*1024)

/*
** A one-entry write with the store's sync mode.  The handle keeps one
** batch for these writes: a call takes it with an atomic exchange and
** gives it back after (a thread that finds it taken, because another
** thread of the same handle is writing, uses a batch of its own), so a
** small put allocates nothing but its memtable entry.
*/
static int dbWriteOne(lsmc_db *pDb, int eKind, const void *pKey, size_t nKey,
                      const void *pVal, size_t nVal){
  lsmc_batch *pBatch;
  int rc = LSMC_OK;
  if( pDb==0 || pDb->pEng==0 ) return LSMC_MISUSE_BKPT;
  pBatch = atomic_exchange(&pDb->pOne, (lsmc_batch*)0);
  if( pBatch ){
    lsmc_batch_clear(pBatch);
  }else{
    rc = lsmc_batch_new(&pBatch);
  }
  if( rc==LSMC_OK ){
    rc = eKind==LSMC_KIND_PUT
       ? lsmc_batch_put(pBatch, pKey, nKey, pVal, nVal)
       : lsmc_batch_delete(pBatch, pKey, nKey);
  }
  if( rc==LSMC_OK ) rc = lsmc_write(pDb, pBatch, LSMC_SYNC_DEFAULT);
  else lsmcDbError(pDb, rc, 0);
  if( pBatch && pBatch->rep.nAlloc<=DB_ONE_KEEP ){
    pBatch = atomic_exchange(&pDb->pOne, pBatch);     /* give it back */
  }
  lsmc_batch_free(pBatch);              /* too large, or one was there */
  return rc;
}

int lsmc_put(lsmc_db *pDb, const void *pKey, size_t nKey,
             const void *pVal, size_t nVal){
  return dbWriteOne(pDb, LSMC_KIND_PUT, pKey, nKey, pVal, nVal);
}

int lsmc_delete(lsmc_db *pDb, const void *pKey, size_t nKey){
  return dbWriteOne(pDb, LSMC_KIND_DELETE, pKey, nKey, 0, 0);
}

/* ------------------------------------------------- two-phase commit */

/*
** A prepared commit (lsmc_commit_prepare).  Its DbWriter stays at the
** head of the writer queue from the prepare to the apply or abort, so it
** is the write leader all that time: no other writer touches the WAL or
** the memtable, and the memtable cannot be rotated away from under the
** reservation.  The writer's pBatch is NULL, so that no other leader ever
** takes it into its group (it looks like a forced rotation, which also
** leads alone); the batch is kept here instead.
*/
struct lsmc_commit {
  lsmc_db *pDb;            /* Handle (for error messages) */
  LsmEngine *e;            /* Engine whose write lead is held */
  lsmc_batch *pBatch;      /* The caller's batch, as written to the WAL */
  MemTable *pMem;          /* Memtable holding the reservation */
  u64 iSeq;                /* Sequence number of the first entry */
  u64 iWalOff;             /* WAL size before the record */
  u32 nCount;              /* Entries in the batch */
  int bSync;               /* Sync the WAL (record and abort marker) */
  DbWriter w;              /* This commit's place at the queue's head */
};

/* Sum the memtable cost of a batch's entries (lsmcBatchIterate). */
static int dbCostEntry(void *pArg, u64 iSeq, int eKind, const u8 *pKey,
                       size_t nKey, const u8 *pVal, size_t nVal){
  LSMC_UNUSED(iSeq); LSMC_UNUSED(eKind); LSMC_UNUSED(pKey); LSMC_UNUSED(pVal);
  *(size_t*)pArg += lsmcMemtableAddCost(nKey, nVal);
  return LSMC_OK;
}

/*
** Phase 1 for the leader p: assign the sequence numbers, reserve the
** memtable memory, append the batch to the WAL and sync it if asked.
** REQUIRES: mu held and p->w the head; mu is released during the I/O.
** A WAL I/O error is made sticky; LSMC_NOMEM, LSMC_FULL (sequence
** numbers exhausted) and errors before the WAL write change nothing.
*/
static int dbPrepareRecord(LsmEngine *e, lsmc_commit *p){
  WalWriter *pWal = (WalWriter*)e->pWal;
  lsmc_batch *pBatch = p->pBatch;
  size_t nCost = 0;
  int rc;

  p->iSeq = e->iLastSeq + 1;
  p->nCount = lsmc_batch_count(pBatch);
  p->pMem = e->pMem;
  if( p->iSeq + p->nCount > LSMC_MAX_SEQ ) return LSMC_FULL;
  if( p->nCount==0 ) return LSMC_OK;
  rc = lsmcBatchIterate(pBatch->rep.a, pBatch->rep.n, dbCostEntry, &nCost);
  if( rc==LSMC_OK ) rc = lsmcMemtableReserve(p->pMem, nCost);
  if( rc!=LSMC_OK ) return rc;

  lsmcBatchSetSeq(pBatch, p->iSeq);
  pthread_mutex_unlock(&e->mu);
  p->iWalOff = lsmcWalSize(pWal);
  rc = lsmcWalAddRecord(pWal, pBatch->rep.a, pBatch->rep.n);
  CRASHPOINT(PREPARE_APPENDED);
  if( rc==LSMC_OK && p->bSync ){
    rc = lsmcWalSync(pWal);
    atomic_fetch_add_explicit(&e->stats.nWalSync, 1, memory_order_relaxed);
  }
  /* The caller reports this commit as failed (SQLite then rolls back the
  ** rest of the transaction): the record must not come back at reopen. */
  if( rc!=LSMC_OK && rc!=LSMC_NOMEM ) lsmcWalDropTail(pWal, p->iWalOff);
  CRASHPOINT(PREPARE_SYNCED);
  pthread_mutex_lock(&e->mu);
  if( rc==LSMC_OK ){
    atomic_fetch_add_explicit(&e->stats.nWriteGroup, 1, memory_order_relaxed);
    atomic_fetch_add_explicit(&e->stats.nWalBytes, pBatch->rep.n,
                              memory_order_relaxed);
  }else if( rc!=LSMC_NOMEM ){
    /* A NOMEM from framing the record wrote nothing: not sticky. */
    lsmcSetBgError(e, rc, "WAL write failed");
  }
  return rc;
}

/* Free a commit object (its writer is no longer queued). */
static void dbCommitFree(lsmc_commit *p){
  lsmc_env *pEnv = p->e->pEnv;
  pthread_cond_destroy(&p->w.cv);
  lsmcFree(pEnv, p);
}

/*
** Record the message of a failed prepare or abort on the handle.
** REQUIRES: mu held.
*/
static int dbCommitError(lsmc_db *pDb, LsmEngine *e, int rc, const char *zOp){
  return lsmcDbError(pDb, rc, "%s: %s: %s", e->zDir, zOp,
                     e->zBgError ? e->zBgError : lsmc_errstr(rc));
}

int lsmc_commit_prepare(lsmc_db *pDb, lsmc_batch *pBatch, int eSync,
                        lsmc_commit **ppCommit){
  LsmEngine *e;
  lsmc_commit *p;
  int rc;
  if( ppCommit ) *ppCommit = 0;
  if( pDb==0 || pDb->pEng==0 || pBatch==0 || ppCommit==0 ){
    return LSMC_MISUSE_BKPT;
  }
  e = pDb->pEng;
  if( eSync==LSMC_SYNC_DEFAULT ) eSync = (int)e->opts.aVal[LSMC_OPT_SYNC];
  if( eSync<LSMC_SYNC_OFF || eSync>LSMC_SYNC_FULL ) return LSMC_MISUSE_BKPT;
  p = lsmcMallocZero(e->pEnv, sizeof(lsmc_commit));
  if( p==0 ) return lsmcDbError(pDb, LSMC_NOMEM, 0);
  p->pDb = pDb;
  p->e = e;
  p->pBatch = pBatch;
  p->bSync = (eSync==LSMC_SYNC_FULL);
  p->w.bSync = p->bSync;
  pthread_cond_init(&p->w.cv, 0);

  pthread_mutex_lock(&e->mu);
  dbQueueJoin(e, &p->w);
  assert( !p->w.bDone );             /* a NULL-batch writer always leads */
  rc = dbMakeRoom(e, 0);
  if( rc==LSMC_OK ) rc = dbPrepareRecord(e, p);
  if( rc!=LSMC_OK ){
    dbQueueRelease(e, &p->w, rc);
    dbCommitError(pDb, e, rc, "prepare failed");
    pthread_mutex_unlock(&e->mu);
    dbCommitFree(p);
    return rc;
  }
  pthread_mutex_unlock(&e->mu);
  *ppCommit = p;
  return LSMC_OK;
}

/*
** Phase 2.  The inserts cannot fail: every entry was validated and its
** memory reserved by the prepare, and the memtable is still the active
** one (this commit has led the queue since).
*/
void lsmc_commit_apply(lsmc_commit *p){
  LsmEngine *e;
  int rc = LSMC_OK;
  if( p==0 ) return;
  e = p->e;
  assert( p->pMem==e->pMem );
  CRASHPOINT(APPLY_BEGIN);
  if( p->nCount>0 ){
    rc = lsmcBatchIterate(p->pBatch->rep.a, p->pBatch->rep.n, dbInsertEntry,
                          p->pMem);
  }
  pthread_mutex_lock(&e->mu);
  if( NEVER(rc!=LSMC_OK) ){
    lsmcSetBgError(e, rc, "memtable insert of a prepared commit failed");
  }else if( p->nCount>0 ){
    e->iLastSeq = p->iSeq + p->nCount - 1;
  }
  dbQueueRelease(e, &p->w, rc);
  pthread_mutex_unlock(&e->mu);
  CRASHPOINT(APPLY_DONE);
  if( rc==LSMC_OK ){
    lsmcBatchIterate(p->pBatch->rep.a, p->pBatch->rep.n, dbCountEntry,
                     &e->stats);
  }
  dbCommitFree(p);
}

/*
** Undo phase 1: an abort marker (wal_format.h) naming the record follows
** it in the WAL, and the sequence numbers are never published (the next
** write reuses them).
*/
int lsmc_commit_abort(lsmc_commit *p){
  LsmEngine *e;
  int rc = LSMC_OK;
  if( p==0 ) return LSMC_OK;
  e = p->e;
  if( p->nCount>0 ){
    WalWriter *pWal = (WalWriter*)e->pWal;
    u8 aMark[LSMC_WAL_ABORT_SIZE];
    lsmcPut64(&aMark[0], LSMC_WAL_ABORT_TAG);
    lsmcPut64(&aMark[8], p->iSeq);
    lsmcPut32(&aMark[16], p->nCount);
    rc = lsmcWalAddRecord(pWal, aMark, sizeof(aMark));
    CRASHPOINT(ABORT_APPENDED);
    if( rc==LSMC_OK && p->bSync ){
      rc = lsmcWalSync(pWal);
      atomic_fetch_add_explicit(&e->stats.nWalSync, 1, memory_order_relaxed);
    }
    CRASHPOINT(ABORT_SYNCED);
    if( rc==LSMC_OK ){
      atomic_fetch_add_explicit(&e->stats.nWalBytes, sizeof(aMark),
                                memory_order_relaxed);
    }
  }
  /* Without its marker the record would be replayed: cut both off. */
  if( rc!=LSMC_OK ) lsmcWalDropTail((WalWriter*)e->pWal, p->iWalOff);
  pthread_mutex_lock(&e->mu);
  if( rc!=LSMC_OK ){
    lsmcSetBgError(e, rc, "WAL write of an abort marker failed");
    dbCommitError(p->pDb, e, rc, "abort failed");
  }
  dbQueueRelease(e, &p->w, rc);
  pthread_mutex_unlock(&e->mu);
  dbCommitFree(p);
  return rc;
}

int lsmc_flush(lsmc_db *pDb){
  LsmEngine *e;
  int rc;
  if( pDb==0 || pDb->pEng==0 ) return LSMC_MISUSE_BKPT;
  e = pDb->pEng;
  rc = dbWrite(e, 0, 0);
  pthread_mutex_lock(&e->mu);
  while( rc==LSMC_OK && e->pImm && !e->bgError ){
    if( e->bBgThread ){
      pthread_cond_wait(&e->cvDone, &e->mu);
    }else{
      lsmcFlushImm(e);
    }
  }
  if( rc==LSMC_OK ) rc = e->bgError;
  if( rc ) lsmcDbError(pDb, rc, "%s: %s", e->zDir,
                   e->zBgError ? e->zBgError : "flush failed");
  pthread_mutex_unlock(&e->mu);
  return rc;
}

int lsmc_compact_range(lsmc_db *pDb, const void *pBegin, size_t nBegin,
                       const void *pEnd, size_t nEnd){
  LsmEngine *e;
  CompactionConf conf;
  int iStep = 0;
  int rc = lsmc_flush(pDb);
  if( rc ) return rc;
  e = pDb->pEng;
  pthread_mutex_lock(&e->mu);
  while( e->bCompacting ) pthread_cond_wait(&e->cvDone, &e->mu);
  e->bCompacting = 1;
  lsmcEngineConf(e, &conf);
  while( rc==LSMC_OK ){
    Compaction *c = 0;
    rc = e->pStrategy->xManual(&conf, e->pVs->pCurrent, pBegin, nBegin,
                               pEnd, nEnd, &iStep, &c);
    if( rc || c==0 ) break;
    rc = lsmcCompactionRun(e, c);
    lsmcCompactionFree(c);
  }
  e->bCompacting = 0;
  pthread_cond_broadcast(&e->cvDone);
  pthread_cond_broadcast(&e->cvWork);
  if( rc ){
    lsmcDbError(pDb, rc, "%s: %s", e->zDir,
                e->zBgError ? e->zBgError : "compaction failed");
  }
  pthread_mutex_unlock(&e->mu);
  return rc;
}

