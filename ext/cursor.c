/*
** cursor.c -- reading an "lsm" table: xBestIndex (planner.h does the
** planning) and the cursor methods xOpen, xFilter, xNext, xEof, xColumn,
** xRowid, xClose.
**
** An xFilter whose plan fixes every key position (scan.bPoint) reads the
** one row with lsmc_get_batch, which the bloom filters serve: a missing
** key costs little more than the memtable probes.  Any other xFilter
** opens one engine iterator, bounded to the hull of the
** plan's ranges, over the store as of that moment (the iterator's
** implicit snapshot) plus the transaction's batch as it is then
** (lsmc_iter_open_batch).  Writes made while the cursor is open -- by this
** statement, another one, a flush or a compaction -- never change what it
** returns.  The ranges (sorted, disjoint) are visited in scan order by
** seeking within the one iterator; OFFSET rows are skipped and LIMIT rows
** returned across all of them.
**
** Per row nothing is allocated or decoded: xNext only remembers the
** iterator's key and record pointers (valid until it moves).  xColumn
** decodes on demand: the key once per row when a key column is read, the
** record's header once per row and each column's offset once (rowcodec.h).
** Results are handed to SQLite as copies (SQLITE_TRANSIENT): SQLite may
** keep a result after the cursor has moved.
*/
#include "lsmvInt.h"

#include <string.h>

/*
** xBestIndex.  The row estimate comes from the store's size when it is
** open (about 64 bytes an entry); planning never opens the store.
*/
int lsmvXBestIndex(sqlite3_vtab *pVtab, sqlite3_index_info *pInfo){
  LsmvTab *p = (LsmvTab*)pVtab;
  sqlite3_int64 nRow = 0;
  if( p->pDb ){
    lsmc_stats st;
    if( lsmc_stats_get(p->pDb, &st)==LSMC_OK ){
      nRow = (sqlite3_int64)((st.nSstBytes + st.nMemtableBytes) / 64) + 1;
    }
  }
  return lsmvBestIndex(p->pSchema, pInfo, nRow, p->pMod->bFullScanOnly);
}

/*
** xOpen.  SQLite opens and closes a cursor each time a statement runs, so
** the table keeps the last closed cursor (pSpare) with its buffers: a
** prepared point query then runs without an allocation in the module.
*/
int lsmvXOpen(sqlite3_vtab *pVtab, sqlite3_vtab_cursor **ppCur){
  LsmvTab *p = (LsmvTab*)pVtab;
  LsmvCursor *pCsr;
  int nPos = p->pSchema->nKey>0 ? p->pSchema->nKey : 1;
  int rc = lsmvTabStore(p);
  if( rc!=SQLITE_OK ) return rc;
  if( p->pSpare ){
    pCsr = p->pSpare;
    p->pSpare = 0;
    memset(&pCsr->base, 0, sizeof(pCsr->base));
  }else{
    pCsr = sqlite3_malloc64(sizeof(*pCsr) + sizeof(LsmvValue)*(size_t)nPos);
    if( pCsr==0 ) return SQLITE_NOMEM;
    memset(pCsr, 0, sizeof(*pCsr));
    pCsr->aKeyVal = (LsmvValue*)&pCsr[1];
    lsmvRowInit(&pCsr->row);
  }
  pCsr->bEof = 1;
  *ppCur = &pCsr->base;
  return SQLITE_OK;
}

/* Free a cursor and everything it holds. */
static void csrFree(LsmvCursor *pCsr){
  lsmvScanFree(&pCsr->scan);
  lsmvRowClose(&pCsr->row);
  lsmvBufFree(&pCsr->keyScratch);
  sqlite3_free(pCsr);
}

/* Free the table's spare cursor, if any (the table is going away). */
void lsmvCursorFreeSpare(LsmvTab *p){
  if( p->pSpare ){
    csrFree(p->pSpare);
    p->pSpare = 0;
  }
}

/* Free the record of the last point lookup, if any. */
static void csrPointFree(LsmvCursor *pCsr, LsmvTab *p){
  if( pCsr->pPointRec ){
    lsmc_free(p->pDb, pCsr->pPointRec);
    pCsr->pPointRec = 0;
  }
}

int lsmvXClose(sqlite3_vtab_cursor *pCur){
  LsmvCursor *pCsr = (LsmvCursor*)pCur;
  LsmvTab *p = (LsmvTab*)pCur->pVtab;
  csrPointFree(pCsr, p);
  lsmc_iter_close(pCsr->pIter);
  pCsr->pIter = 0;
  if( p->pSpare==0 ){
    p->pSpare = pCsr;                   /* kept, buffers and all */
  }else{
    csrFree(pCsr);
  }
  return SQLITE_OK;
}

/* Compare the iterator's key with a bound (n==0 bounds are never used). */
static int csrKeyCmp(const uint8_t *aKey, int nKey, const LsmvBuf *pB){
  int n = nKey<pB->n ? nKey : pB->n;
  int c = n>0 ? memcmp(aKey, pB->a, (size_t)n) : 0;
  return c!=0 ? c : nKey - pB->n;
}

/*
** Position the iterator on the first row of range iRange in scan order,
** or on the first row of a later range that has one; set bEof if none.
*/
static int csrSeekRange(LsmvCursor *pCsr, LsmvTab *p){
  int rc = LSMC_OK;
  for(; pCsr->iRange<pCsr->scan.nRange; pCsr->iRange++){
    LsmvScanRange *pR = &pCsr->scan.aRange[pCsr->iRange];
    size_t nKey;
    const uint8_t *aKey;
    if( !pCsr->scan.bDesc ){
      if( pR->lo.n>0 ){
        rc = lsmc_iter_seek(pCsr->pIter, pR->lo.a, (size_t)pR->lo.n,
                            LSMC_SEEK_GE);
      }else{
        rc = lsmc_iter_first(pCsr->pIter);
      }
    }else if( pR->hi.n>0 ){
      rc = lsmc_iter_seek(pCsr->pIter, pR->hi.a, (size_t)pR->hi.n,
                          LSMC_SEEK_LE);
      if( rc==LSMC_OK && lsmc_iter_valid(pCsr->pIter) ){
        aKey = lsmc_iter_key(pCsr->pIter, &nKey);
        if( csrKeyCmp(aKey, (int)nKey, &pR->hi)>=0 ){
          rc = lsmc_iter_prev(pCsr->pIter);
        }
      }
    }else{
      rc = lsmc_iter_last(pCsr->pIter);
    }
    if( rc!=LSMC_OK ) return lsmvTabError(p, rc, "cannot read");
    if( !lsmc_iter_valid(pCsr->pIter) ) continue;
    aKey = lsmc_iter_key(pCsr->pIter, &nKey);
    if( !pCsr->scan.bDesc ){
      if( pR->hi.n==0 || csrKeyCmp(aKey, (int)nKey, &pR->hi)<0 ) break;
    }else{
      if( pR->lo.n==0 || csrKeyCmp(aKey, (int)nKey, &pR->lo)>=0 ) break;
    }
  }
  pCsr->bEof = pCsr->iRange>=pCsr->scan.nRange;
  return SQLITE_OK;
}

/*
** Make the iterator's entry the current row, or move to the next range
** if it has left the current one.
*/
static int csrLoad(LsmvCursor *pCsr, LsmvTab *p){
  while( !pCsr->bEof ){
    LsmvScanRange *pR = &pCsr->scan.aRange[pCsr->iRange];
    int bIn = lsmc_iter_valid(pCsr->pIter);
    size_t nKey = 0, nRec = 0;
    const uint8_t *aKey = 0;
    if( bIn ){
      aKey = lsmc_iter_key(pCsr->pIter, &nKey);
      if( !pCsr->scan.bDesc ){
        bIn = pR->hi.n==0 || csrKeyCmp(aKey, (int)nKey, &pR->hi)<0;
      }else{
        bIn = pR->lo.n==0 || csrKeyCmp(aKey, (int)nKey, &pR->lo)>=0;
      }
    }
    if( bIn ){
      pCsr->aKey = aKey;
      pCsr->nKey = (int)nKey;
      pCsr->aRec = lsmc_iter_value(pCsr->pIter, &nRec);
      pCsr->nRec = (int)nRec;
      pCsr->bRowOpen = 0;
      pCsr->bKeyDecoded = 0;
      return SQLITE_OK;
    }
    pCsr->iRange++;
    {
      int rc = csrSeekRange(pCsr, p);
      if( rc!=SQLITE_OK ) return rc;
    }
  }
  return SQLITE_OK;
}

/* Step the iterator once in scan order (a point lookup has one row). */
static int csrStep(LsmvCursor *pCsr, LsmvTab *p){
  int rc;
  if( pCsr->pIter==0 ){
    pCsr->bEof = 1;
    return SQLITE_OK;
  }
  rc = pCsr->scan.bDesc ? lsmc_iter_prev(pCsr->pIter)
                            : lsmc_iter_next(pCsr->pIter);
  if( rc!=LSMC_OK ) return lsmvTabError(p, rc, "cannot read");
  return csrLoad(pCsr, p);
}

/*
** xFilter of a point plan: look the key up (batch, memtables, then the
** SSTables through their bloom filters) and make it the one row.
*/
static int csrPoint(LsmvCursor *pCsr, LsmvTab *p, lsmc_batch *pBatch){
  const LsmvBuf *pKey = &pCsr->scan.aRange[0].lo;
  size_t nRec = 0;
  int rc;
  if( pCsr->scan.iOffset>0 ) return SQLITE_OK;      /* skips the one row */
  rc = lsmc_get_batch(p->pDb, 0, pBatch, pKey->a, (size_t)pKey->n,
                      &pCsr->pPointRec, &nRec);
  if( rc==LSMC_NOTFOUND ) return SQLITE_OK;
  if( rc!=LSMC_OK ) return lsmvTabError(p, rc, "cannot read");
  pCsr->aKey = pKey->a;
  pCsr->nKey = pKey->n;
  pCsr->aRec = (const uint8_t*)pCsr->pPointRec;
  pCsr->nRec = (int)nRec;
  pCsr->bRowOpen = 0;
  pCsr->bKeyDecoded = 0;
  pCsr->bEof = 0;
  pCsr->nLeft = pCsr->scan.iLimit;
  return SQLITE_OK;
}

int lsmvXFilter(sqlite3_vtab_cursor *pCur, int idxNum, const char *idxStr,
                int argc, sqlite3_value **argv){
  LsmvCursor *pCsr = (LsmvCursor*)pCur;
  LsmvTab *p = (LsmvTab*)pCur->pVtab;
  lsmc_batch *pBatch = lsmvTxnBatch(p);
  const LsmvBuf *pLo, *pHi;
  sqlite3_int64 nSkip;
  int rc;

  lsmc_iter_close(pCsr->pIter);
  pCsr->pIter = 0;
  csrPointFree(pCsr, p);
  pCsr->bEof = 1;
  pCsr->iRange = 0;
  rc = lsmvPlanScan(p->pSchema, idxNum, idxStr, &p->base, argc, argv,
                    &pCsr->scan);
  if( rc!=SQLITE_OK || pCsr->scan.bEmpty || pCsr->scan.nRange==0
   || pCsr->scan.iLimit==0 ){
    return rc;
  }
  if( pCsr->scan.bPoint ){
    return csrPoint(pCsr, p, pBatch);
  }
  /* The hull: lowest lo to highest hi, whatever the direction. */
  if( !pCsr->scan.bDesc ){
    pLo = &pCsr->scan.aRange[0].lo;
    pHi = &pCsr->scan.aRange[pCsr->scan.nRange-1].hi;
  }else{
    pLo = &pCsr->scan.aRange[pCsr->scan.nRange-1].lo;
    pHi = &pCsr->scan.aRange[0].hi;
  }
  rc = lsmc_iter_open_batch(p->pDb, 0, pBatch,
                            pLo->n ? pLo->a : 0, (size_t)pLo->n,
                            pHi->n ? pHi->a : 0, (size_t)pHi->n,
                            &pCsr->pIter);
  if( rc!=LSMC_OK ) return lsmvTabError(p, rc, "cannot read");
  rc = csrSeekRange(pCsr, p);
  if( rc==SQLITE_OK ) rc = csrLoad(pCsr, p);
  for(nSkip=pCsr->scan.iOffset; rc==SQLITE_OK && nSkip>0 && !pCsr->bEof;
      nSkip--){
    rc = csrStep(pCsr, p);
  }
  pCsr->nLeft = pCsr->scan.iLimit;
  return rc;
}

int lsmvXNext(sqlite3_vtab_cursor *pCur){
  LsmvCursor *pCsr = (LsmvCursor*)pCur;
  if( pCsr->nLeft>0 && --pCsr->nLeft==0 ){
    pCsr->bEof = 1;
    return SQLITE_OK;
  }
  return csrStep(pCsr, (LsmvTab*)pCur->pVtab);
}

int lsmvXEof(sqlite3_vtab_cursor *pCur){
  return ((LsmvCursor*)pCur)->bEof;
}

/* Open the current row's record if not yet done. */
static int csrRow(LsmvCursor *pCsr){
  int rc = SQLITE_OK;
  if( !pCsr->bRowOpen ){
    rc = lsmvRowOpen(&pCsr->row, pCsr->aRec, pCsr->nRec);
    pCsr->bRowOpen = (rc==SQLITE_OK);
  }
  return rc;
}

/*
** Key value at position iPos of the current row, with its storage class
** restored from the record (REAL 1.0 stays REAL).
*/
static int csrKeyValue(LsmvCursor *pCsr, LsmvTab *p, int iPos,
                       LsmvValue **ppVal){
  int rc = SQLITE_OK;
  if( !pCsr->bKeyDecoded ){
    int nPos = p->pSchema->nKey>0 ? p->pSchema->nKey : 1;
    int i;
    rc = lsmvKeyDecode(pCsr->aKey, pCsr->nKey, nPos, pCsr->aKeyVal,
                       &pCsr->keyScratch);
    if( rc==SQLITE_OK && p->pSchema->eKey==LSMV_KEY_WITHOUT_ROWID ){
      rc = csrRow(pCsr);
      for(i=0; rc==SQLITE_OK && i<nPos; i++){
        rc = lsmvRowKeyFix(&pCsr->row, i, &pCsr->aKeyVal[i]);
      }
    }
    pCsr->bKeyDecoded = (rc==SQLITE_OK);
  }
  *ppVal = &pCsr->aKeyVal[iPos];
  return rc;
}

int lsmvXColumn(sqlite3_vtab_cursor *pCur, sqlite3_context *pCtx, int iCol){
  LsmvCursor *pCsr = (LsmvCursor*)pCur;
  LsmvTab *p = (LsmvTab*)pCur->pVtab;
  int rc;
  if( sqlite3_vtab_nochange(pCtx) ) return SQLITE_OK;  /* UPDATE keeps it */
  if( iCol>=p->pSchema->nCol ){
    /* The hidden column of a composite key: the encoded key. */
    sqlite3_result_blob(pCtx, pCsr->aKey, pCsr->nKey, SQLITE_TRANSIENT);
    return SQLITE_OK;
  }
  if( p->aiKeyPos[iCol]>=0 ){
    LsmvValue *pVal = 0;
    rc = csrKeyValue(pCsr, p, p->aiKeyPos[iCol], &pVal);
    if( rc==SQLITE_OK ) lsmvValueResult(pVal, pCtx, 0);
  }else{
    rc = csrRow(pCsr);
    if( rc==SQLITE_OK ) rc = lsmvRowColumn(&pCsr->row, p->aiRec[iCol], pCtx, 0);
  }
  if( rc==SQLITE_CORRUPT ){
    lsmvTabSetError(p, "lsm table %s: a stored row is damaged (column %s)",
                    p->pSchema->zTable, p->pSchema->aCol[iCol].zName);
  }
  return rc;
}

int lsmvXRowid(sqlite3_vtab_cursor *pCur, sqlite3_int64 *piRowid){
  LsmvCursor *pCsr = (LsmvCursor*)pCur;
  LsmvTab *p = (LsmvTab*)pCur->pVtab;
  LsmvValue *pVal = 0;
  int rc;
  if( p->pSchema->eKey==LSMV_KEY_WITHOUT_ROWID ){
    lsmvTabSetError(p, "lsm table %s has no rowid", p->pSchema->zTable);
    return SQLITE_ERROR;
  }
  rc = csrKeyValue(pCsr, p, 0, &pVal);
  if( rc==SQLITE_OK && pVal->eType!=SQLITE_INTEGER ) rc = SQLITE_CORRUPT;
  if( rc==SQLITE_OK ){
    *piRowid = pVal->i;
  }else if( rc==SQLITE_CORRUPT ){
    lsmvTabSetError(p, "lsm table %s: a stored key is damaged",
                    p->pSchema->zTable);
  }
  return rc;
}
