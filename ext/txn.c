/*
** txn.c -- transactions of an "lsm" table: one engine batch per
** (connection, table) holds the open transaction's writes, which its own
** cursors see (lsmc_iter_open_batch, lsmc_get_batch).
**
**   xBegin       start with an empty batch (the store is opened here).
**   xSavepoint i remember the batch's length as savepoint i's mark.
**   xRollbackTo  truncate the batch to savepoint i's mark (i<0, or a
**                savepoint opened before this table joined the
**                transaction: to the start).  SQLite also uses it to undo
**                a statement that failed halfway (ON CONFLICT ABORT).
**   xRelease i   forget the marks of savepoints i and above.
**   xSync        phase 1: lsmc_commit_prepare writes the batch to the WAL
**                as one record, synced as sync= says, and reserves the
**                memory of phase 2.  Idempotent: SQLite calls xSync again
**                when it retries a COMMIT that returned SQLITE_BUSY.
**   xCommit      phase 2: lsmc_commit_apply, which cannot fail.
**   xRollback    discard the batch; after xSync, lsmc_commit_abort.
**
** Between xSync and xCommit/xRollback the store's write lock is held
** (other connections' writes to this store wait), as lsmcore.h says.
** An empty batch prepares nothing.
*/
#include "lsmvInt.h"

#include <string.h>

/*
** The batch cursors must merge: the open transaction's, or NULL.
*/
lsmc_batch *lsmvTxnBatch(LsmvTab *p){
  if( p->bInTrans && p->pBatch && lsmc_batch_count(p->pBatch)>0 ){
    return p->pBatch;
  }
  return 0;
}

/* Free the transaction state of a table being disconnected. */
void lsmvTxnFree(LsmvTab *p){
  if( p->pCommit ){
    lsmc_commit_abort(p->pCommit);
    p->pCommit = 0;
  }
  lsmc_batch_free(p->pBatch);
  p->pBatch = 0;
  sqlite3_free(p->aMark);
  p->aMark = 0;
}

/* Reset to "no transaction". */
static void txnEnd(LsmvTab *p){
  if( p->pBatch ) lsmc_batch_clear(p->pBatch);
  p->bInTrans = 0;
  p->nMark = 0;
  p->eMax = LSMV_MAX_UNKNOWN;
}

int lsmvXBegin(sqlite3_vtab *pVtab){
  LsmvTab *p = (LsmvTab*)pVtab;
  int rc = lsmvTabStore(p);
  if( rc==SQLITE_OK && p->pBatch==0 ){
    if( lsmc_batch_new(&p->pBatch)!=LSMC_OK ) rc = SQLITE_NOMEM;
  }
  if( rc==SQLITE_OK ){
    lsmc_batch_clear(p->pBatch);
    p->iBaseMark = lsmc_batch_mark(p->pBatch);
    p->bInTrans = 1;
    p->nMark = 0;
    p->eMax = LSMV_MAX_UNKNOWN;
  }
  return rc;
}

int lsmvXSync(sqlite3_vtab *pVtab){
  LsmvTab *p = (LsmvTab*)pVtab;
  int rc;
  if( p->pCommit || p->pBatch==0 || lsmc_batch_count(p->pBatch)==0 ){
    return SQLITE_OK;
  }
  rc = lsmc_commit_prepare(p->pDb, p->pBatch, LSMC_SYNC_DEFAULT, &p->pCommit);
  return lsmvTabError(p, rc, "cannot commit");
}

int lsmvXCommit(sqlite3_vtab *pVtab){
  LsmvTab *p = (LsmvTab*)pVtab;
  if( p->pCommit ){
    lsmc_commit_apply(p->pCommit);
    p->pCommit = 0;
  }
  txnEnd(p);
  return SQLITE_OK;
}

int lsmvXRollback(sqlite3_vtab *pVtab){
  LsmvTab *p = (LsmvTab*)pVtab;
  int rc = LSMC_OK;
  if( p->pCommit ){
    rc = lsmc_commit_abort(p->pCommit);
    p->pCommit = 0;
  }
  txnEnd(p);
  return lsmvTabError(p, rc, "cannot roll back");
}

int lsmvXSavepoint(sqlite3_vtab *pVtab, int iSavepoint){
  LsmvTab *p = (LsmvTab*)pVtab;
  int i;
  if( iSavepoint<0 || p->pBatch==0 ) return SQLITE_OK;
  if( iSavepoint>=p->nMarkAlloc ){
    int nNew = iSavepoint*2 + 8;
    size_t *aNew = sqlite3_realloc64(p->aMark, sizeof(size_t)*(size_t)nNew);
    if( aNew==0 ) return SQLITE_NOMEM;
    p->aMark = aNew;
    p->nMarkAlloc = nNew;
  }
  /* Savepoints opened before this table joined: the batch was empty. */
  for(i=p->nMark; i<iSavepoint; i++) p->aMark[i] = p->iBaseMark;
  p->aMark[iSavepoint] = lsmc_batch_mark(p->pBatch);
  p->nMark = iSavepoint+1;
  return SQLITE_OK;
}

int lsmvXRelease(sqlite3_vtab *pVtab, int iSavepoint){
  LsmvTab *p = (LsmvTab*)pVtab;
  if( iSavepoint<0 ) iSavepoint = 0;
  if( iSavepoint<p->nMark ) p->nMark = iSavepoint;
  return SQLITE_OK;
}

int lsmvXRollbackTo(sqlite3_vtab *pVtab, int iSavepoint){
  LsmvTab *p = (LsmvTab*)pVtab;
  size_t iMark = p->iBaseMark;
  if( p->pBatch==0 ) return SQLITE_OK;
  if( iSavepoint>=0 && iSavepoint<p->nMark ){
    iMark = p->aMark[iSavepoint];
    p->nMark = iSavepoint+1;
  }else if( iSavepoint<0 ){
    p->nMark = 0;
  }
  lsmc_batch_truncate(p->pBatch, iMark);
  p->eMax = LSMV_MAX_UNKNOWN;
  return SQLITE_OK;
}
