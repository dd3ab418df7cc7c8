/*
** update.c -- xUpdate of an "lsm" table: INSERT, UPDATE (including a key
** change) and DELETE, written into the transaction's batch (txn.c).
**
** Rules, as SQLite applies them to a native table (DESIGN.md section 3):
**   - Column affinity (datatype3.html 3.x) is applied to every new value:
**     TEXT turns numbers into their text; NUMERIC and INTEGER turn
**     well-formed numeric text into a number (sqlite3_value_numeric_type,
**     SQLite's own parser) and an integral REAL into an INTEGER; REAL
**     stores every number as a REAL (an integral one normalised through
**     the integer, as SQLite's storage does: -0.0 reads back 0.0); BLOB
**     (untyped) keeps the value.
**   - The key of a rowid table (the rowid, or the INTEGER PRIMARY KEY
**     column) must be an integer after INTEGER affinity: otherwise
**     SQLITE_MISMATCH "datatype mismatch".  A NULL key on INSERT gets the
**     largest rowid + 1 (1 for an empty table; a random unused rowid once
**     the largest is 2^63-1, SQLITE_FULL if none is found), and
**     *piRowid tells SQLite (last_insert_rowid()).
**   - DEFAULT: SQLite's vtab interface hands an omitted column to xUpdate
**     as NULL, exactly like an explicit NULL, so on INSERT a NULL in a
**     column that has a DEFAULT becomes the default (evaluated per row by
**     one prepared "SELECT <defaults>").  Documented in README.
**   - NOT NULL (and every key column of a WITHOUT ROWID table): a NULL
**     fails with SQLITE_CONSTRAINT "NOT NULL constraint failed: t.c";
**     under OR REPLACE a column with a DEFAULT takes the default instead.
**   - A new key that exists already (INSERT, or UPDATE changing the key)
**     fails with SQLITE_CONSTRAINT "UNIQUE constraint failed: t.k" unless
**     the statement is OR REPLACE (sqlite3_vtab_on_conflict), which
**     replaces the existing row.  SQLITE_CONSTRAINT is returned before
**     anything is changed (SQLITE_VTAB_CONSTRAINT_SUPPORT), so SQLite can
**     carry out IGNORE, FAIL, ABORT and ROLLBACK itself.
**   - UPDATE: a column SQLite reports unchanged (sqlite3_value_nochange,
**     after xColumn declined to produce it) is copied from the old record
**     without passing through SQLite.  The hidden key column of a
**     composite key is derived from the key columns and cannot be set.
** Any other failure undoes this call's batch entries (lsmc_batch_mark and
** lsmc_batch_truncate), so one xUpdate is all or nothing.
*/
#include "lsmvInt.h"

#include <string.h>

#define UPD_INT64_MAX ((sqlite3_int64)0x7fffffffffffffffLL)
#define UPD_INT64_MIN (-UPD_INT64_MAX - 1)

/* Number of key positions (a rowid table has one: the rowid). */
static int updKeyPositions(const LsmvSchema *pS){
  return pS->nKey>0 ? pS->nKey : 1;
}

/* Free the scratch of update.c (table disconnect). */
void lsmvUpdateFree(LsmvTab *p){
  sqlite3_finalize(p->pDefault);
  p->pDefault = 0;
  sqlite3_free(p->aVal);
  p->aVal = 0;
  p->apTmp = 0;
  p->aOldKey = 0;
  lsmvBufFree(&p->key);
  lsmvBufFree(&p->oldKey);
  lsmvBufFree(&p->rec);
  lsmvBufFree(&p->scratch);
}

/* Allocate aVal, apTmp and aOldKey on first use. */
static int updScratch(LsmvTab *p){
  int nCol = p->pSchema->nCol;
  int nPos = updKeyPositions(p->pSchema);
  size_t nByte;
  if( p->aVal ) return SQLITE_OK;
  nByte = sizeof(LsmvValue)*(size_t)(nCol + nPos)
        + sizeof(sqlite3_value*)*(size_t)nCol;
  p->aVal = sqlite3_malloc64(nByte);
  if( p->aVal==0 ) return SQLITE_NOMEM;
  memset(p->aVal, 0, nByte);
  p->aOldKey = &p->aVal[nCol];
  p->apTmp = (sqlite3_value**)&p->aOldKey[nPos];
  return SQLITE_OK;
}

/*
** If r is integral and strictly inside the int64 range, set *piOut and
** return 1 (SQLite's sqlite3VdbeIntegerAffinity rule).
*/
static int updRealIsInt(double r, sqlite3_int64 *piOut){
  sqlite3_int64 i;
  if( !(r>=-9223372036854775808.0 && r<9223372036854775808.0) ) return 0;
  i = (sqlite3_int64)r;
  if( (double)i!=r || i==UPD_INT64_MIN || i==UPD_INT64_MAX ) return 0;
  *piOut = i;
  return 1;
}

/*
** Apply column iCol's affinity to v, writing the result to *pOut.  A
** converted value is kept alive in p->apTmp[iCol] until updRelease().
*/
static int updAffinity(LsmvTab *p, int iCol, sqlite3_value *v,
                       LsmvValue *pOut){
  char eAff = p->pSchema->aCol[iCol].eAffinity;
  int eType = sqlite3_value_type(v);
  sqlite3_int64 iInt;
  int rc;

  if( eAff==LSMV_AFF_TEXT && (eType==SQLITE_INTEGER || eType==SQLITE_FLOAT) ){
    sqlite3_value *pDup = sqlite3_value_dup(v);
    const unsigned char *z;
    if( pDup==0 ) return SQLITE_NOMEM;
    p->apTmp[iCol] = pDup;
    z = sqlite3_value_text(pDup);
    if( z==0 ) return SQLITE_NOMEM;
    pOut->eType = SQLITE_TEXT;
    pOut->z = z;
    pOut->n = sqlite3_value_bytes(pDup);
    return SQLITE_OK;
  }
  if( eAff>=LSMV_AFF_NUMERIC && eType==SQLITE_TEXT ){
    sqlite3_value *pDup = sqlite3_value_dup(v);
    if( pDup==0 ) return SQLITE_NOMEM;
    p->apTmp[iCol] = pDup;
    sqlite3_value_numeric_type(pDup);
    v = pDup;
  }
  rc = lsmvValueFromSqlite(v, pOut);
  if( rc!=SQLITE_OK || eAff<LSMV_AFF_NUMERIC ) return rc;
  if( pOut->eType==SQLITE_FLOAT && updRealIsInt(pOut->r, &iInt) ){
    if( eAff==LSMV_AFF_REAL ){
      pOut->r = (double)iInt;               /* -0.0 is stored as 0 */
    }else{
      pOut->eType = SQLITE_INTEGER;
      pOut->i = iInt;
    }
  }else if( pOut->eType==SQLITE_INTEGER && eAff==LSMV_AFF_REAL ){
    pOut->eType = SQLITE_FLOAT;
    pOut->r = (double)pOut->i;
  }
  return SQLITE_OK;
}

/* Free the converted values of this call. */
static void updRelease(LsmvTab *p){
  int i;
  for(i=0; i<p->pSchema->nCol; i++){
    if( p->apTmp[i] ){
      sqlite3_value_free(p->apTmp[i]);
      p->apTmp[i] = 0;
    }
  }
}

/*
** Column iCol's DEFAULT, with affinity, into *pOut (NULL if it has none).
*/
static int updDefault(LsmvTab *p, int iCol, LsmvValue *pOut){
  const LsmvSchema *pS = p->pSchema;
  int rc = SQLITE_OK;
  memset(pOut, 0, sizeof(*pOut));
  pOut->eType = SQLITE_NULL;
  if( pS->aCol[iCol].zDefault==0 ) return SQLITE_OK;
  if( p->pDefault==0 ){
    sqlite3_str *pStr = sqlite3_str_new(p->db);
    char *zSql;
    int i;
    sqlite3_str_appendall(pStr, "SELECT ");
    for(i=0; i<pS->nCol; i++){
      const char *z = pS->aCol[i].zDefault;
      sqlite3_str_appendf(pStr, "%s%s", i ? ", " : "", z ? z : "NULL");
    }
    zSql = sqlite3_str_finish(pStr);
    if( zSql==0 ) return SQLITE_NOMEM;
    rc = sqlite3_prepare_v2(p->db, zSql, -1, &p->pDefault, 0);
    sqlite3_free(zSql);
    if( rc!=SQLITE_OK ){
      lsmvTabSetError(p, "lsm table %s: DEFAULT of column %s: %s", pS->zTable,
                      pS->aCol[iCol].zName, sqlite3_errmsg(p->db));
      return rc;
    }
  }
  if( sqlite3_step(p->pDefault)==SQLITE_ROW ){
    sqlite3_value *pDup = sqlite3_value_dup(sqlite3_column_value(p->pDefault,
                                                                 iCol));
    if( pDup==0 ){
      rc = SQLITE_NOMEM;
    }else{
      if( p->apTmp[iCol] ) sqlite3_value_free(p->apTmp[iCol]);
      p->apTmp[iCol] = 0;
      rc = updAffinity(p, iCol, pDup, pOut);
      if( p->apTmp[iCol] ){
        sqlite3_value_free(pDup);    /* affinity made its own copy */
      }else{
        p->apTmp[iCol] = pDup;
      }
    }
  }else{
    rc = sqlite3_reset(p->pDefault);
    if( rc==SQLITE_OK ) rc = SQLITE_ERROR;
    lsmvTabSetError(p, "lsm table %s: DEFAULT of column %s: %s", pS->zTable,
                    pS->aCol[iCol].zName, sqlite3_errmsg(p->db));
  }
  sqlite3_reset(p->pDefault);
  return rc;
}

/* Encode the key of the old row (xUpdate's argv[0]) into p->oldKey. */
static int updOldKey(LsmvTab *p, sqlite3_value *pOld){
  int rc = SQLITE_OK;
  p->oldKey.n = 0;
  if( p->pSchema->eKey!=LSMV_KEY_WITHOUT_ROWID ){
    lsmvKeyEncodeInt(&rc, &p->oldKey, sqlite3_value_int64(pOld));
  }else if( p->pSchema->zKeyCol ){
    lsmvBufAppend(&rc, &p->oldKey, sqlite3_value_blob(pOld),
                  sqlite3_value_bytes(pOld));
  }else{
    lsmvKeyEncode(&rc, &p->oldKey, pOld);
  }
  return rc;
}

/* Does key a[0..n) exist (in the batch or the store)?  Sets *pbExists. */
static int updExists(LsmvTab *p, const LsmvBuf *pKey, int *pbExists){
  void *pVal = 0;
  size_t nVal = 0;
  int rc = lsmc_get_batch(p->pDb, 0, p->pBatch, pKey->a, (size_t)pKey->n,
                          &pVal, &nVal);
  lsmc_free(p->pDb, pVal);
  *pbExists = (rc==LSMC_OK);
  if( rc==LSMC_NOTFOUND ) rc = LSMC_OK;
  return lsmvTabError(p, rc, "cannot read");
}

/*
** The largest rowid in the table (batch included) into *piMax, or 0 with
** *pbEmpty set.  Cached for the rest of the transaction.
*/
static int updMaxRowid(LsmvTab *p, sqlite3_int64 *piMax, int *pbEmpty){
  lsmc_iter *pIter = 0;
  int rc = SQLITE_OK;
  if( p->eMax==LSMV_MAX_UNKNOWN ){
    int rcl = lsmc_iter_open_batch(p->pDb, 0, lsmvTxnBatch(p), 0, 0, 0, 0,
                                   &pIter);
    if( rcl==LSMC_OK ) rcl = lsmc_iter_last(pIter);
    if( rcl==LSMC_OK && lsmc_iter_valid(pIter) ){
      size_t nKey;
      const uint8_t *aKey = lsmc_iter_key(pIter, &nKey);
      LsmvValue v;
      int iOff = 0;
      rc = lsmvKeyDecodeOne(aKey, (int)nKey, &iOff, &v, &p->scratch);
      if( rc==SQLITE_OK && v.eType!=SQLITE_INTEGER ) rc = SQLITE_CORRUPT;
      p->iMaxRowid = v.i;
      p->eMax = (rc==SQLITE_OK) ? LSMV_MAX_KNOWN : LSMV_MAX_UNKNOWN;
    }else if( rcl==LSMC_OK ){
      p->eMax = LSMV_MAX_EMPTY;
    }
    lsmc_iter_close(pIter);
    if( rcl!=LSMC_OK ) return lsmvTabError(p, rcl, "cannot read");
    if( rc==SQLITE_CORRUPT ){
      lsmvTabSetError(p, "lsm table %s: a stored key is damaged",
                      p->pSchema->zTable);
      return rc;
    }
  }
  *pbEmpty = (p->eMax==LSMV_MAX_EMPTY);
  *piMax = *pbEmpty ? 0 : p->iMaxRowid;
  return rc;
}

/* A new rowid for an INSERT without one. */
static int updNewRowid(LsmvTab *p, sqlite3_int64 *piRowid){
  sqlite3_int64 iMax = 0;
  int bEmpty = 1;
  int rc = updMaxRowid(p, &iMax, &bEmpty);
  int i;
  if( rc!=SQLITE_OK ) return rc;
  if( bEmpty ){ *piRowid = 1; return SQLITE_OK; }
  if( iMax<UPD_INT64_MAX ){ *piRowid = iMax+1; return SQLITE_OK; }
  for(i=0; i<100; i++){                    /* as SQLite: random tries */
    sqlite3_int64 iTry;
    int bExists;
    sqlite3_randomness(sizeof(iTry), &iTry);
    iTry &= UPD_INT64_MAX;
    iTry++;
    p->key.n = 0;
    lsmvKeyEncodeInt(&rc, &p->key, iTry);
    if( rc==SQLITE_OK ) rc = updExists(p, &p->key, &bExists);
    if( rc!=SQLITE_OK ) return rc;
    if( !bExists ){ *piRowid = iTry; return SQLITE_OK; }
  }
  lsmvTabSetError(p, "database or disk is full");
  return SQLITE_FULL;
}

/* "t.a, t.b": the key columns, as SQLite names them in UNIQUE errors. */
static void updUniqueError(LsmvTab *p){
  const LsmvSchema *pS = p->pSchema;
  sqlite3_str *pStr = sqlite3_str_new(p->db);
  int i;
  sqlite3_str_appendall(pStr, "UNIQUE constraint failed: ");
  if( pS->eKey==LSMV_KEY_NONE ){
    sqlite3_str_appendf(pStr, "%s.rowid", pS->zTable);
  }
  for(i=0; i<pS->nKey; i++){
    sqlite3_str_appendf(pStr, "%s%s.%s", i ? ", " : "", pS->zTable,
                        pS->aCol[pS->aiKey[i]].zName);
  }
  sqlite3_free(p->base.zErrMsg);
  p->base.zErrMsg = sqlite3_str_finish(pStr);
}

/*
** The old row of an UPDATE: decode its key into p->aOldKey (with the
** storage class from its record) and open its record in *pRow (which
** reads as all NULL if the row is gone).  *ppRec receives the record's
** memory (caller frees with lsmc_free).
*/
static int updOldRow(LsmvTab *p, LsmvRow *pRow, void **ppRec){
  const LsmvSchema *pS = p->pSchema;
  int nPos = updKeyPositions(pS);
  size_t nRec = 0;
  int rc = lsmc_get_batch(p->pDb, 0, p->pBatch, p->oldKey.a,
                          (size_t)p->oldKey.n, ppRec, &nRec);
  int i;
  if( rc==LSMC_NOTFOUND ){
    rc = LSMC_OK;
    nRec = 0;
  }
  if( rc!=LSMC_OK ) return lsmvTabError(p, rc, "cannot read");
  rc = lsmvRowOpen(pRow, *ppRec, (int)nRec);
  if( nRec==0 ) rc = SQLITE_OK;            /* gone: reads as no columns */
  if( rc==SQLITE_OK ){
    rc = lsmvKeyDecode(p->oldKey.a, p->oldKey.n, nPos, p->aOldKey,
                       &p->scratch);
  }
  if( pS->eKey==LSMV_KEY_WITHOUT_ROWID ){
    for(i=0; rc==SQLITE_OK && nRec>0 && i<nPos; i++){
      rc = lsmvRowKeyFix(pRow, i, &p->aOldKey[i]);
    }
  }
  if( rc==SQLITE_CORRUPT ){
    lsmvTabSetError(p, "lsm table %s: a stored row is damaged", pS->zTable);
  }
  return rc;
}

/*
** The rowid key of a rowid table from value v (after INTEGER affinity):
** *pbNull if NULL; SQLITE_MISMATCH unless an integer.
*/
static int updRowidValue(LsmvTab *p, const LsmvValue *pV, sqlite3_int64 *piKey,
                         int *pbNull){
  *pbNull = pV->eType==SQLITE_NULL;
  if( *pbNull ) return SQLITE_OK;
  if( pV->eType!=SQLITE_INTEGER ){
    lsmvTabSetError(p, "datatype mismatch");
    return SQLITE_MISMATCH;
  }
  *piKey = pV->i;
  return SQLITE_OK;
}

/*
** INSERT (argv[0] NULL) or UPDATE: build the new row, check it, write it.
*/
static int updWrite(LsmvTab *p, int argc, sqlite3_value **argv,
                    sqlite3_int64 *piRowid){
  const LsmvSchema *pS = p->pSchema;
  int bInsert = sqlite3_value_type(argv[0])==SQLITE_NULL;
  int eConflict = sqlite3_vtab_on_conflict(p->db);
  LsmvValue *aVal = p->aVal;
  LsmvRow oldRow;
  void *pOldRec = 0;
  sqlite3_int64 iRowid = 0;
  int bRowid = pS->eKey!=LSMV_KEY_WITHOUT_ROWID;
  int bKeyChanged = 1;
  int rc = SQLITE_OK;
  int nFix = 0;
  int i;

  (void)argc;
  lsmvRowInit(&oldRow);
  if( !bInsert ){
    rc = updOldKey(p, argv[0]);
    if( rc==SQLITE_OK ) rc = updOldRow(p, &oldRow, &pOldRec);
  }

  /* The new values, with affinity; unchanged ones from the old row. */
  for(i=0; rc==SQLITE_OK && i<pS->nCol; i++){
    sqlite3_value *v = argv[2+i];
    if( !bInsert && sqlite3_value_nochange(v) ){
      if( p->aiKeyPos[i]>=0 ){
        aVal[i] = p->aOldKey[p->aiKeyPos[i]];
      }else{
        rc = lsmvRowValue(&oldRow, p->aiRec[i], &aVal[i]);
      }
    }else{
      rc = updAffinity(p, i, v, &aVal[i]);
      if( rc==SQLITE_OK && bInsert && aVal[i].eType==SQLITE_NULL
       && !(pS->eKey==LSMV_KEY_ROWID_ALIAS && p->aiKeyPos[i]==0) ){
        rc = updDefault(p, i, &aVal[i]);
      }
    }
  }
  if( rc==SQLITE_OK && pS->zKeyCol ){
    sqlite3_value *v = argv[2+pS->nCol];
    if( bInsert ? sqlite3_value_type(v)!=SQLITE_NULL
                : !sqlite3_value_nochange(v)
                  && (sqlite3_value_bytes(v)!=p->oldKey.n
                      || memcmp(sqlite3_value_blob(v), p->oldKey.a,
                                (size_t)p->oldKey.n)!=0) ){
      lsmvTabSetError(p, "lsm table %s: column %s holds the encoded key and "
                      "cannot be written", pS->zTable, pS->zKeyCol);
      rc = SQLITE_ERROR;
    }
  }

  /* The rowid of a rowid table. */
  if( rc==SQLITE_OK && bRowid ){
    int bNull = 1;
    int iAlias = pS->eKey==LSMV_KEY_ROWID_ALIAS ? pS->aiKey[0] : -1;
    if( iAlias>=0 && (bInsert || !sqlite3_value_nochange(argv[2+iAlias])) ){
      rc = updRowidValue(p, &aVal[iAlias], &iRowid, &bNull);
      if( rc==SQLITE_OK && bNull && !bInsert ){
        lsmvTabSetError(p, "datatype mismatch");
        rc = SQLITE_MISMATCH;
      }
    }
    if( rc==SQLITE_OK && bNull
     && sqlite3_value_type(argv[1])!=SQLITE_NULL ){
      LsmvValue v;
      sqlite3_value *pDup = sqlite3_value_dup(argv[1]);
      if( pDup==0 ) rc = SQLITE_NOMEM;
      if( rc==SQLITE_OK ){
        sqlite3_value_numeric_type(pDup);
        rc = lsmvValueFromSqlite(pDup, &v);
        if( rc==SQLITE_OK && v.eType==SQLITE_FLOAT
         && updRealIsInt(v.r, &v.i) ){
          v.eType = SQLITE_INTEGER;
        }
        if( rc==SQLITE_OK ) rc = updRowidValue(p, &v, &iRowid, &bNull);
        sqlite3_value_free(pDup);
      }
    }
    if( rc==SQLITE_OK && bNull && !bInsert ){
      lsmvTabSetError(p, "datatype mismatch");     /* SET rowid = NULL */
      rc = SQLITE_MISMATCH;
    }
    if( rc==SQLITE_OK && bNull ) rc = updNewRowid(p, &iRowid);
    if( rc==SQLITE_OK && iAlias>=0 ){
      aVal[iAlias].eType = SQLITE_INTEGER;
      aVal[iAlias].i = iRowid;
    }
  }

  /* NOT NULL, in column order; key columns of WITHOUT ROWID are too. */
  for(i=0; rc==SQLITE_OK && i<pS->nCol; i++){
    if( aVal[i].eType!=SQLITE_NULL ) continue;
    if( !pS->aCol[i].bNotNull
     && !(pS->eKey==LSMV_KEY_WITHOUT_ROWID && p->aiKeyPos[i]>=0) ) continue;
    if( eConflict==SQLITE_REPLACE && pS->aCol[i].zDefault ){
      rc = updDefault(p, i, &aVal[i]);
      if( rc!=SQLITE_OK || aVal[i].eType!=SQLITE_NULL ) continue;
    }
    lsmvTabSetError(p, "NOT NULL constraint failed: %s.%s", pS->zTable,
                    pS->aCol[i].zName);
    rc = SQLITE_CONSTRAINT;
  }

  /* The new key and record. */
  p->key.n = 0;
  p->rec.n = 0;
  if( rc==SQLITE_OK ){
    if( bRowid ){
      lsmvKeyEncodeInt(&rc, &p->key, iRowid);
    }else{
      for(i=0; i<pS->nKey; i++){
        const LsmvValue *pV = &aVal[pS->aiKey[i]];
        lsmvKeyEncodeValue(&rc, &p->key, pV);
        if( lsmvRowKeyNeedsFix(pV) ) nFix++;
      }
    }
    lsmvRowBegin(&rc, &p->rec, p->nRec, nFix);
    for(i=0; nFix>0 && i<pS->nKey; i++){
      const LsmvValue *pV = &aVal[pS->aiKey[i]];
      if( lsmvRowKeyNeedsFix(pV) ) lsmvRowAppendFix(&rc, &p->rec, i, pV->r);
    }
    for(i=0; i<pS->nCol; i++){
      if( p->aiRec[i]>=0 ) lsmvRowAppendValue(&rc, &p->rec, &aVal[i]);
    }
  }

  /* A key that exists already. */
  if( rc==SQLITE_OK && !bInsert ){
    bKeyChanged = p->key.n!=p->oldKey.n
               || memcmp(p->key.a, p->oldKey.a, (size_t)p->key.n)!=0;
  }
  if( rc==SQLITE_OK && bKeyChanged && eConflict!=SQLITE_REPLACE ){
    int bExists = 0;
    rc = updExists(p, &p->key, &bExists);
    if( rc==SQLITE_OK && bExists ){
      updUniqueError(p);
      rc = SQLITE_CONSTRAINT;
    }
  }

  /* Write: delete the old key if it changed, then put the new row. */
  if( rc==SQLITE_OK && !bInsert && bKeyChanged ){
    if( lsmc_batch_delete(p->pBatch, p->oldKey.a, (size_t)p->oldKey.n) ){
      rc = SQLITE_NOMEM;
    }
    if( bRowid ) p->eMax = LSMV_MAX_UNKNOWN;    /* the old key may be it */
  }
  if( rc==SQLITE_OK ){
    if( lsmc_batch_put(p->pBatch, p->key.a, (size_t)p->key.n,
                       p->rec.a, (size_t)p->rec.n) ){
      rc = SQLITE_NOMEM;
    }
  }
  if( rc==SQLITE_OK && bRowid ){
    if( p->eMax==LSMV_MAX_EMPTY
     || (p->eMax==LSMV_MAX_KNOWN && iRowid>p->iMaxRowid) ){
      p->iMaxRowid = iRowid;
      p->eMax = LSMV_MAX_KNOWN;
    }
    *piRowid = iRowid;
  }else if( rc==SQLITE_OK && bInsert ){
    /* SQLite stores *piRowid after every vtab INSERT; a WITHOUT ROWID
    ** insert must leave last_insert_rowid() as it was. */
    *piRowid = sqlite3_last_insert_rowid(p->db);
  }
  lsmvRowClose(&oldRow);
  lsmc_free(p->pDb, pOldRec);
  return rc;
}

int lsmvXUpdate(sqlite3_vtab *pVtab, int argc, sqlite3_value **argv,
                sqlite3_int64 *piRowid){
  LsmvTab *p = (LsmvTab*)pVtab;
  size_t iMark;
  int rc;
  if( !p->bInTrans || p->pDb==0 ){
    lsmvTabSetError(p, "lsm table %s: write outside a transaction",
                    p->pSchema->zTable);
    return SQLITE_MISUSE;
  }
  rc = updScratch(p);
  if( rc!=SQLITE_OK ) return rc;
  iMark = lsmc_batch_mark(p->pBatch);
  if( argc==1 ){
    rc = updOldKey(p, argv[0]);
    if( rc==SQLITE_OK
     && lsmc_batch_delete(p->pBatch, p->oldKey.a, (size_t)p->oldKey.n) ){
      rc = SQLITE_NOMEM;
    }
    if( p->pSchema->eKey!=LSMV_KEY_WITHOUT_ROWID && p->eMax==LSMV_MAX_KNOWN
     && sqlite3_value_int64(argv[0])>=p->iMaxRowid ){
      p->eMax = LSMV_MAX_UNKNOWN;
    }
  }else{
    rc = updWrite(p, argc, argv, piRowid);
  }
  updRelease(p);
  if( rc!=SQLITE_OK ){
    lsmc_batch_truncate(p->pBatch, iMark);
    p->eMax = LSMV_MAX_UNKNOWN;
  }
  return rc;
}
