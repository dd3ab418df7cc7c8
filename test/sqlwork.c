/*
** sqlwork.c -- the shared SQL crash workload, its oracle and VERIFY (see
** sqlwork.h).
**
** Generation.  A SplitMix64 stream seeded from the seed draws, per
** transaction, its row count and per row an operation, a key and a value;
** a generation-time copy of the table's key set (present or absent) makes
** every INSERT target an absent key and gives each statement its exact
** sqlite3_changes() count, which sqlworkRunTxn() checks.  Values are
** random bytes kept in one pool (ops refer to them by offset).  The large
** transactions are the ones with (i + seed) % 30 == 0, so that even a
** short workload has them at a seed-dependent place.
**
** The oracle.  sqlworkVerify() replays transactions 1..j into an array of
** (offset, length) per key, then compares the table with it through a
** full scan in each direction and a point lookup of every key.
**
** Test code; single-threaded per SqlWork.
*/
#include "sqlwork.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#define SW_INSERT    0    /* INSERT INTO t(k,v) VALUES(?1,?2), key absent */
#define SW_UPDATE    1    /* UPDATE t SET v=?2 WHERE k=?1 */
#define SW_REPLACE   2    /* INSERT OR REPLACE INTO t(k,v) VALUES(?1,?2) */
#define SW_DELETE    3    /* DELETE FROM t WHERE k=?1 */
#define SW_DELRANGE  4    /* DELETE FROM t WHERE k BETWEEN ?1 AND ?3 */
#define SW_MARKER    5    /* INSERT OR REPLACE INTO t(k,v) VALUES(0,?1) */
#define SW_NSTMT     6    /* Statement kinds */

#define SW_LARGE_EVERY  30    /* One transaction in this many is large */
#define SW_LARGE_ROWS   20    /* Rows of a large transaction */
#define SW_LARGE_MIN  5500    /* Value bytes of a large transaction's rows */
#define SW_LARGE_SPAN 1500    /* ... up to SW_LARGE_MIN + SW_LARGE_SPAN - 1 */
#define SW_VAL_MIN      10    /* Value bytes of an ordinary row */
#define SW_VAL_SPAN    291    /* ... up to 300 */
#define SW_MAX_ROWS     20    /* Rows of an ordinary transaction: 1..20 */
#define SW_RANGE_MAX     5    /* Keys covered by a range DELETE */

#define SW_PROBE_VALUE  "lsmvtab-probe"

typedef struct SwOp SwOp;
typedef struct SwTxn SwTxn;
typedef struct SwRng SwRng;

/* One statement of the workload. */
struct SwOp {
  int eOp;              /* SW_INSERT .. SW_DELRANGE */
  int iKey;             /* Key (first key of a range) */
  int iKey2;            /* Last key of a range (SW_DELRANGE) */
  int nVal;             /* Value bytes (SW_INSERT, UPDATE, REPLACE) */
  size_t iVal;          /* Offset of the value in SqlWork.aPool */
  int nChange;          /* Expected sqlite3_changes() */
};

/* One transaction: ops aOp[iFirst .. iFirst+nOp), then the marker. */
struct SwTxn {
  int iFirst;           /* Index of its first op */
  int nOp;              /* Its ops (the marker is not one of them) */
  int bLarge;           /* One of the large transactions */
  int nBytes;           /* Sum of its value sizes */
};

/* SplitMix64 stream. */
struct SwRng {
  uint64_t s;           /* State */
};

struct SqlWork {
  uint64_t seed;        /* Seed it was built from */
  int nTxn;             /* Transactions */
  SwTxn *aTxn;          /* aTxn[i-1] is transaction i */
  SwOp *aOp;            /* All ops, in order */
  int nOp;              /* Entries used in aOp */
  int nOpAlloc;         /* Entries allocated in aOp */
  unsigned char *aPool; /* Every value's bytes */
  size_t nPool;         /* Bytes used in aPool */
  size_t nPoolAlloc;    /* Bytes allocated in aPool */
  int aiState[SQLWORK_NKEY+1];  /* Oracle scratch: op index per key, -1 */
  int bProbe;           /* A probe was written and not yet checked */
  sqlite3_int64 iProbeMarker;   /* Marker before the probe; 0: absent */
};

/* The next 64 random bits. */
static uint64_t swRngNext(SwRng *p){
  uint64_t z = (p->s += 0x9E3779B97F4A7C15ull);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

/* Uniform in [0, n); n>0. */
static int swRngBelow(SwRng *p, int n){
  return (int)((swRngNext(p) >> 33) % (uint64_t)n);
}

/*
** Append an op to p->aOp, with nVal random value bytes from pRng if
** nVal>0.  SQLITE_OK or SQLITE_NOMEM.
*/
static int swAddOp(SqlWork *p, SwRng *pRng, const SwOp *pOp){
  SwOp *pNew;
  if( p->nOp==p->nOpAlloc ){
    int nNew = p->nOpAlloc ? p->nOpAlloc*2 : 1024;
    SwOp *a = sqlite3_realloc64(p->aOp, (sqlite3_uint64)nNew*sizeof(SwOp));
    if( a==0 ) return SQLITE_NOMEM;
    p->aOp = a;
    p->nOpAlloc = nNew;
  }
  pNew = &p->aOp[p->nOp++];
  *pNew = *pOp;
  pNew->iVal = p->nPool;
  if( pOp->nVal>0 ){
    int i;
    if( p->nPool + (size_t)pOp->nVal > p->nPoolAlloc ){
      size_t nNew = p->nPoolAlloc ? p->nPoolAlloc*2 : 65536;
      unsigned char *a;
      while( nNew < p->nPool + (size_t)pOp->nVal ) nNew *= 2;
      a = sqlite3_realloc64(p->aPool, nNew);
      if( a==0 ) return SQLITE_NOMEM;
      p->aPool = a;
      p->nPoolAlloc = nNew;
    }
    for(i=0; i<pOp->nVal; i++){
      p->aPool[p->nPool + (size_t)i] = (unsigned char)swRngNext(pRng);
    }
    p->nPool += (size_t)pOp->nVal;
  }
  return SQLITE_OK;
}

/*
** Draw one ordinary op against the generation state abPresent (updated).
*/
static void swDrawOp(SwRng *pRng, unsigned char *abPresent, SwOp *pOp){
  int r = swRngBelow(pRng, 100);
  int iKey = 1 + swRngBelow(pRng, SQLWORK_NKEY);
  int k;
  memset(pOp, 0, sizeof(*pOp));
  pOp->iKey = iKey;
  if( r<35 ){
    /* INSERT of an absent key; if the key is present, an UPDATE. */
    pOp->eOp = abPresent[iKey] ? SW_UPDATE : SW_INSERT;
  }else if( r<60 ){
    pOp->eOp = SW_UPDATE;
  }else if( r<80 ){
    pOp->eOp = SW_REPLACE;
  }else if( r<95 ){
    pOp->eOp = SW_DELETE;
  }else{
    pOp->eOp = SW_DELRANGE;
    pOp->iKey2 = iKey + swRngBelow(pRng, SW_RANGE_MAX);
    if( pOp->iKey2>SQLWORK_NKEY ) pOp->iKey2 = SQLWORK_NKEY;
  }
  switch( pOp->eOp ){
    case SW_INSERT:
    case SW_REPLACE:
      pOp->nChange = 1;
      abPresent[iKey] = 1;
      break;
    case SW_UPDATE:
      pOp->nChange = abPresent[iKey];
      break;
    case SW_DELETE:
      pOp->nChange = abPresent[iKey];
      abPresent[iKey] = 0;
      break;
    default:
      for(k=iKey; k<=pOp->iKey2; k++){
        pOp->nChange += abPresent[k];
        abPresent[k] = 0;
      }
      break;
  }
  if( pOp->eOp<=SW_REPLACE ){
    pOp->nVal = SW_VAL_MIN + swRngBelow(pRng, SW_VAL_SPAN);
  }
}

int sqlworkNew(uint64_t seed, int nTxn, SqlWork **ppWork){
  unsigned char abPresent[SQLWORK_NKEY+1];
  SqlWork *p;
  SwRng rng;
  int rc = SQLITE_OK;
  int i;

  *ppWork = 0;
  if( nTxn<1 ) return SQLITE_MISUSE;
  p = sqlite3_malloc64(sizeof(SqlWork));
  if( p==0 ) return SQLITE_NOMEM;
  memset(p, 0, sizeof(*p));
  p->seed = seed;
  p->nTxn = nTxn;
  p->aTxn = sqlite3_malloc64((sqlite3_uint64)nTxn*sizeof(SwTxn));
  if( p->aTxn==0 ) rc = SQLITE_NOMEM;
  memset(abPresent, 0, sizeof(abPresent));
  rng.s = seed ^ 0x5157574F524B3031ull;
  for(i=1; rc==SQLITE_OK && i<=nTxn; i++){
    SwTxn *pT = &p->aTxn[i-1];
    int nRow, j;
    pT->iFirst = p->nOp;
    pT->bLarge = ((uint64_t)i + seed) % SW_LARGE_EVERY == 0;
    nRow = pT->bLarge ? SW_LARGE_ROWS : 1 + swRngBelow(&rng, SW_MAX_ROWS);
    for(j=0; rc==SQLITE_OK && j<nRow; j++){
      SwOp op;
      if( pT->bLarge ){
        memset(&op, 0, sizeof(op));
        op.eOp = SW_REPLACE;
        op.iKey = 1 + swRngBelow(&rng, SQLWORK_NKEY);
        op.nVal = SW_LARGE_MIN + swRngBelow(&rng, SW_LARGE_SPAN);
        op.nChange = 1;
        abPresent[op.iKey] = 1;
      }else{
        swDrawOp(&rng, abPresent, &op);
      }
      rc = swAddOp(p, &rng, &op);
      pT->nBytes += op.nVal;
    }
    pT->nOp = p->nOp - pT->iFirst;
  }
  if( rc!=SQLITE_OK ){
    sqlworkFree(p);
    return rc;
  }
  *ppWork = p;
  return SQLITE_OK;
}

void sqlworkFree(SqlWork *p){
  if( p ){
    sqlite3_free(p->aTxn);
    sqlite3_free(p->aOp);
    sqlite3_free(p->aPool);
    sqlite3_free(p);
  }
}

int sqlworkCount(SqlWork *p){
  return p->nTxn;
}

int sqlworkTxnBytes(SqlWork *p, int iTxn){
  if( iTxn<1 || iTxn>p->nTxn ) return 0;
  return p->aTxn[iTxn-1].nBytes;
}

int sqlworkTxnIsLarge(SqlWork *p, int iTxn){
  if( iTxn<1 || iTxn>p->nTxn ) return 0;
  return p->aTxn[iTxn-1].bLarge;
}

int sqlworkCreate(SqlWork *p, sqlite3 *db, const char *zTable,
                  const char *zOpts){
  int bOpts = zOpts && zOpts[0];
  char *zSql = sqlite3_mprintf(
      "CREATE VIRTUAL TABLE \"%w\" USING lsm(k INTEGER PRIMARY KEY, v BLOB%s%s)",
      zTable, bOpts ? ", " : "", bOpts ? zOpts : "");
  int rc;
  (void)p;
  if( zSql==0 ) return SQLITE_NOMEM;
  rc = sqlite3_exec(db, zSql, 0, 0, 0);
  sqlite3_free(zSql);
  return rc;
}

/*
** Prepare "zFmt" with the quoted table name substituted for %w.
*/
static int swPrepare(sqlite3 *db, const char *zFmt, const char *zTable,
                     sqlite3_stmt **ppStmt){
  char *zSql = sqlite3_mprintf(zFmt, zTable);
  int rc;
  *ppStmt = 0;
  if( zSql==0 ) return SQLITE_NOMEM;
  rc = sqlite3_prepare_v2(db, zSql, -1, ppStmt, 0);
  sqlite3_free(zSql);
  return rc;
}

/* The SQL of each statement kind. */
static const char *const azSwSql[SW_NSTMT] = {
  "INSERT INTO \"%w\"(k, v) VALUES(?1, ?2)",
  "UPDATE \"%w\" SET v=?2 WHERE k=?1",
  "INSERT OR REPLACE INTO \"%w\"(k, v) VALUES(?1, ?2)",
  "DELETE FROM \"%w\" WHERE k=?1",
  "DELETE FROM \"%w\" WHERE k BETWEEN ?1 AND ?3",
  "INSERT OR REPLACE INTO \"%w\"(k, v) VALUES(0, ?1)",
};

/*
** Run one statement of kind eOp with its parameters (aStmt caches the
** prepared statements).  SQLITE_OK, the failing rc, or SQLITE_MISMATCH if
** it succeeded with a changes() count other than the expected one.
*/
static int swRunOp(SqlWork *p, sqlite3 *db, const char *zTable,
                   sqlite3_stmt **aStmt, const SwOp *pOp, int iTxn){
  sqlite3_stmt *pStmt;
  int rc = SQLITE_OK;
  int eOp = pOp ? pOp->eOp : SW_MARKER;
  if( aStmt[eOp]==0 ) rc = swPrepare(db, azSwSql[eOp], zTable, &aStmt[eOp]);
  if( rc!=SQLITE_OK ) return rc;
  pStmt = aStmt[eOp];
  if( pOp==0 ){
    sqlite3_bind_int(pStmt, 1, iTxn);
  }else{
    sqlite3_bind_int(pStmt, 1, pOp->iKey);
    if( eOp==SW_DELRANGE ) sqlite3_bind_int(pStmt, 3, pOp->iKey2);
    if( pOp->nVal>0 ){
      sqlite3_bind_blob(pStmt, 2, p->aPool + pOp->iVal, pOp->nVal,
                        SQLITE_STATIC);
    }
  }
  rc = sqlite3_step(pStmt);
  if( rc==SQLITE_DONE ) rc = sqlite3_reset(pStmt);
  else sqlite3_reset(pStmt);
  if( rc==SQLITE_OK && sqlite3_changes(db)!=(pOp ? pOp->nChange : 1) ){
    rc = SQLITE_MISMATCH;
  }
  return rc;
}

int sqlworkRunTxn(SqlWork *p, sqlite3 *db, const char *zTable, int iTxn){
  sqlite3_stmt *aStmt[SW_NSTMT];
  const SwTxn *pT;
  int rc;
  int i;
  if( iTxn<1 || iTxn>p->nTxn ) return SQLITE_MISUSE;
  pT = &p->aTxn[iTxn-1];
  memset(aStmt, 0, sizeof(aStmt));
  rc = sqlite3_exec(db, "BEGIN", 0, 0, 0);
  for(i=0; rc==SQLITE_OK && i<pT->nOp; i++){
    rc = swRunOp(p, db, zTable, aStmt, &p->aOp[pT->iFirst + i], iTxn);
  }
  if( rc==SQLITE_OK ) rc = swRunOp(p, db, zTable, aStmt, 0, iTxn);
  for(i=0; i<SW_NSTMT; i++) sqlite3_finalize(aStmt[i]);
  if( rc==SQLITE_OK ){
    rc = sqlite3_exec(db, "COMMIT", 0, 0, 0);
  }
  if( rc!=SQLITE_OK && !sqlite3_get_autocommit(db) ){
    sqlite3_exec(db, "ROLLBACK", 0, 0, 0);
  }
  return rc;
}

/* ------------------------------------------------------------------ */
/* VERIFY                                                             */

/* Format a message into zErr (if there is room); returns -1. */
static int swFail(char *zErr, int nErr, const char *zFmt, ...){
  if( nErr>0 ){
    va_list ap;
    va_start(ap, zFmt);
    vsnprintf(zErr, (size_t)nErr, zFmt, ap);
    va_end(ap);
  }
  return -1;
}

/*
** Fill p->aiState with the oracle state after transactions 1..j: per key
** of 1..SQLWORK_NKEY the index of the op that wrote its value, or -1 if
** absent (the marker, key 0, is j itself and not kept here).
*/
static void swReplay(SqlWork *p, int j){
  int i, k;
  for(k=0; k<=SQLWORK_NKEY; k++) p->aiState[k] = -1;
  for(i=0; i<(j>0 ? p->aTxn[j-1].iFirst + p->aTxn[j-1].nOp : 0); i++){
    const SwOp *pOp = &p->aOp[i];
    switch( pOp->eOp ){
      case SW_INSERT:
      case SW_REPLACE:
        p->aiState[pOp->iKey] = i;
        break;
      case SW_UPDATE:
        if( p->aiState[pOp->iKey]>=0 ) p->aiState[pOp->iKey] = i;
        break;
      case SW_DELETE:
        p->aiState[pOp->iKey] = -1;
        break;
      default:
        for(k=pOp->iKey; k<=pOp->iKey2; k++) p->aiState[k] = -1;
        break;
    }
  }
}

/*
** Compare the value column iCol of pStmt (a row for key iKey) with the
** oracle after j transactions.  0 if equal, else -1 with a message.
*/
static int swCheckValue(SqlWork *p, sqlite3_stmt *pStmt, int iCol,
                        sqlite3_int64 iKey, int j, const char *zHow,
                        char *zErr, int nErr){
  int eType = sqlite3_column_type(pStmt, iCol);
  if( iKey==0 ){
    if( eType!=SQLITE_INTEGER || sqlite3_column_int64(pStmt, iCol)!=j ){
      return swFail(zErr, nErr, "%s: marker is %s, expected %d", zHow,
                    sqlite3_column_text(pStmt, iCol), j);
    }
  }else{
    const SwOp *pOp;
    int n;
    if( iKey<1 || iKey>SQLWORK_NKEY || p->aiState[iKey]<0 ){
      return swFail(zErr, nErr, "%s: key %lld present, expected absent "
                    "after %d transactions", zHow, (long long)iKey, j);
    }
    pOp = &p->aOp[p->aiState[iKey]];
    n = sqlite3_column_bytes(pStmt, iCol);
    if( eType!=SQLITE_BLOB || n!=pOp->nVal
     || memcmp(sqlite3_column_blob(pStmt, iCol), p->aPool + pOp->iVal,
               (size_t)n)!=0 ){
      return swFail(zErr, nErr, "%s: key %lld has a wrong value (type %d, "
                    "%d bytes; expected a %d-byte blob) after %d "
                    "transactions", zHow, (long long)iKey, eType, n,
                    pOp->nVal, j);
    }
  }
  return 0;
}

/* A message for a failed statement; returns -1. */
static int swFailRc(sqlite3 *db, int rc, const char *zWhat,
                    char *zErr, int nErr){
  return swFail(zErr, nErr, "%s: rc=%d (%s)", zWhat, rc, sqlite3_errmsg(db));
}

/*
** Whether the report of lsm_check is clean: "ok", optionally followed by
** lines "note: ..." (orphan files, which a crash may leave behind).
*/
static int swCheckIsOk(const char *z){
  if( z==0 || strncmp(z, "ok", 2)!=0 ) return 0;
  z += 2;
  while( *z && strcmp(z, "\n")!=0 ){
    if( strncmp(z, "\nnote: ", 7)!=0 ) return 0;
    z = strchr(z+1, '\n');
    if( z==0 ) break;
  }
  return 1;
}

/*
** Step 2: lsm_check(zTable) must return 'ok' (notes allowed).  Preparing
** or stepping it also opens (recovers) the store: step 1.
*/
static int swVerifyCheck(sqlite3 *db, const char *zTable,
                         char *zErr, int nErr){
  sqlite3_stmt *pStmt = 0;
  int rc = sqlite3_prepare_v2(db, "SELECT lsm_check(?1)", -1, &pStmt, 0);
  int iRet = 0;
  if( rc==SQLITE_OK ){
    sqlite3_bind_text(pStmt, 1, zTable, -1, SQLITE_TRANSIENT);
    rc = sqlite3_step(pStmt);
  }
  if( rc!=SQLITE_ROW ){
    iRet = swFailRc(db, rc, "store open / lsm_check", zErr, nErr);
  }else if( !swCheckIsOk((const char*)sqlite3_column_text(pStmt, 0)) ){
    iRet = swFail(zErr, nErr, "lsm_check: %s", sqlite3_column_text(pStmt, 0));
  }
  sqlite3_finalize(pStmt);
  return iRet;
}

/*
** Read the marker: its value in *piVal (0 if absent), *peType its
** storage class (SQLITE_NULL if absent).  SQLITE_OK or the error.
*/
static int swReadMarker(sqlite3 *db, const char *zTable, sqlite3_int64 iKey,
                        sqlite3_int64 *piVal, int *peType, char *zText,
                        int nText){
  sqlite3_stmt *pStmt = 0;
  int rc = swPrepare(db, "SELECT v FROM \"%w\" WHERE k=?1", zTable, &pStmt);
  *piVal = 0;
  *peType = SQLITE_NULL;
  if( nText>0 ) zText[0] = 0;
  if( rc==SQLITE_OK ){
    sqlite3_bind_int64(pStmt, 1, iKey);
    rc = sqlite3_step(pStmt);
    if( rc==SQLITE_ROW ){
      *peType = sqlite3_column_type(pStmt, 0);
      *piVal = sqlite3_column_int64(pStmt, 0);
      if( nText>0 && sqlite3_column_text(pStmt, 0) ){
        snprintf(zText, (size_t)nText, "%s", sqlite3_column_text(pStmt, 0));
      }
      rc = sqlite3_step(pStmt);
    }
    if( rc==SQLITE_DONE ) rc = SQLITE_OK;
  }
  sqlite3_finalize(pStmt);
  return rc;
}

/*
** Step 6a: a full scan in direction bDesc returns exactly the oracle rows
** after j transactions (p->aiState), in order.
*/
static int swVerifyScan(SqlWork *p, sqlite3 *db, const char *zTable, int j,
                        int bDesc, char *zErr, int nErr){
  sqlite3_stmt *pStmt = 0;
  const char *zHow = bDesc ? "scan DESC" : "scan ASC";
  int iNext = bDesc ? SQLWORK_NKEY : 0;   /* Next key the oracle expects */
  int rc = swPrepare(db, bDesc ? "SELECT k, v FROM \"%w\" ORDER BY k DESC"
                               : "SELECT k, v FROM \"%w\" ORDER BY k",
                     zTable, &pStmt);
  int iRet = 0;
  while( rc==SQLITE_OK && iRet==0 ){
    sqlite3_int64 iKey;
    int iWant;
    rc = sqlite3_step(pStmt);
    /* Skip the keys the oracle has absent. */
    while( iNext>=0 && iNext<=SQLWORK_NKEY
        && (iNext==0 ? j==0 : p->aiState[iNext]<0) ){
      iNext += bDesc ? -1 : 1;
    }
    iWant = (iNext>=0 && iNext<=SQLWORK_NKEY) ? iNext : -2;
    if( rc!=SQLITE_ROW ) break;
    rc = SQLITE_OK;
    iKey = sqlite3_column_int64(pStmt, 0);
    if( sqlite3_column_type(pStmt, 0)!=SQLITE_INTEGER || iKey!=iWant ){
      iRet = swFail(zErr, nErr, "%s: got key %lld, expected %s%d after %d "
                    "transactions", zHow, (long long)iKey,
                    iWant==-2 ? "the end, not " : "", iWant, j);
    }else{
      iRet = swCheckValue(p, pStmt, 1, iKey, j, zHow, zErr, nErr);
      iNext += bDesc ? -1 : 1;
    }
  }
  if( iRet==0 && rc!=SQLITE_DONE ){
    iRet = swFailRc(db, rc, zHow, zErr, nErr);
  }else if( iRet==0 && iNext>=0 && iNext<=SQLWORK_NKEY ){
    iRet = swFail(zErr, nErr, "%s: ended before key %d, present after %d "
                  "transactions", zHow, iNext, j);
  }
  sqlite3_finalize(pStmt);
  return iRet;
}

/*
** Step 6b: a point lookup of every key of the domain and of the probe
** key agrees with the oracle after j transactions.
*/
static int swVerifyLookups(SqlWork *p, sqlite3 *db, const char *zTable,
                           int j, char *zErr, int nErr){
  sqlite3_stmt *pStmt = 0;
  int rc = swPrepare(db, "SELECT v FROM \"%w\" WHERE k=?1", zTable, &pStmt);
  int iRet = 0;
  int k;
  for(k=SQLWORK_PROBE_KEY; rc==SQLITE_OK && iRet==0 && k<=SQLWORK_NKEY; k++){
    int bWant = k==0 ? j>0 : (k>0 && p->aiState[k]>=0);
    sqlite3_bind_int(pStmt, 1, k);
    rc = sqlite3_step(pStmt);
    if( rc==SQLITE_ROW ){
      if( !bWant ){
        iRet = swFail(zErr, nErr, "lookup: key %d present, expected absent "
                      "after %d transactions", k, j);
      }else{
        iRet = swCheckValue(p, pStmt, 0, k, j, "lookup", zErr, nErr);
      }
      if( iRet==0 ) rc = sqlite3_step(pStmt);
    }else if( rc==SQLITE_DONE && bWant ){
      iRet = swFail(zErr, nErr, "lookup: key %d absent, expected present "
                    "after %d transactions", k, j);
    }
    if( iRet==0 && rc!=SQLITE_DONE ){
      iRet = swFailRc(db, rc, "lookup", zErr, nErr);
    }
    rc = sqlite3_reset(pStmt);
  }
  if( iRet==0 && rc!=SQLITE_OK ) iRet = swFailRc(db, rc, "lookup", zErr, nErr);
  sqlite3_finalize(pStmt);
  return iRet;
}

int sqlworkVerify(SqlWork *p, sqlite3 *db, const char *zTable, int nAcked,
                  int nTried, int bMustKeepAcked, char *zErr, int nErr){
  sqlite3_int64 iMarker = 0;
  int eType = SQLITE_NULL;
  char zText[64];
  int j;
  int rc;

  if( nErr>0 ) zErr[0] = 0;
  if( swVerifyCheck(db, zTable, zErr, nErr) ) return -1;
  rc = swReadMarker(db, zTable, 0, &iMarker, &eType, zText, sizeof(zText));
  if( rc!=SQLITE_OK ) return swFailRc(db, rc, "marker lookup", zErr, nErr);
  if( eType!=SQLITE_NULL
   && (eType!=SQLITE_INTEGER || iMarker<1 || iMarker>p->nTxn) ){
    return swFail(zErr, nErr, "marker is '%s' (type %d), not a transaction "
                  "id in [1, %d]", zText, eType, p->nTxn);
  }
  j = (int)iMarker;
  if( j>nTried ){
    return swFail(zErr, nErr, "transaction %d present but only %d were "
                  "started", j, nTried);
  }
  if( bMustKeepAcked && j<nAcked ){
    return swFail(zErr, nErr, "acked transactions lost: %d acked, only %d "
                  "present", nAcked, j);
  }
  swReplay(p, j);
  if( swVerifyScan(p, db, zTable, j, 0, zErr, nErr) ) return -1;
  if( swVerifyScan(p, db, zTable, j, 1, zErr, nErr) ) return -1;
  if( swVerifyLookups(p, db, zTable, j, zErr, nErr) ) return -1;
  return j;
}

/* ------------------------------------------------------------------ */
/* Probe write (VERIFY step 7)                                        */

/*
** Run zFmt (table name for %w) with ?1 = iKey and ?2 = zVal (NULL: an
** integer iVal), expecting SQLITE_DONE.
*/
static int swExecKey(sqlite3 *db, const char *zFmt, const char *zTable,
                     sqlite3_int64 iKey, const char *zVal, sqlite3_int64 iVal){
  sqlite3_stmt *pStmt = 0;
  int rc = swPrepare(db, zFmt, zTable, &pStmt);
  if( rc==SQLITE_OK ){
    sqlite3_bind_int64(pStmt, 1, iKey);
    if( sqlite3_bind_parameter_count(pStmt)>=2 ){
      if( zVal ) sqlite3_bind_text(pStmt, 2, zVal, -1, SQLITE_STATIC);
      else sqlite3_bind_int64(pStmt, 2, iVal);
    }
    rc = sqlite3_step(pStmt);
    if( rc==SQLITE_DONE ) rc = SQLITE_OK;
  }
  sqlite3_finalize(pStmt);
  return rc;
}

/* COMMIT if rc is SQLITE_OK, else ROLLBACK if a transaction is open. */
static int swFinishTxn(sqlite3 *db, int rc){
  if( rc==SQLITE_OK ) rc = sqlite3_exec(db, "COMMIT", 0, 0, 0);
  if( rc!=SQLITE_OK && !sqlite3_get_autocommit(db) ){
    sqlite3_exec(db, "ROLLBACK", 0, 0, 0);
  }
  return rc;
}

int sqlworkProbeWrite(SqlWork *p, sqlite3 *db, const char *zTable){
  static const char zPut[] = "INSERT OR REPLACE INTO \"%w\"(k, v) VALUES(?1, ?2)";
  int eType = SQLITE_NULL;
  int rc;
  p->bProbe = 0;
  rc = swReadMarker(db, zTable, 0, &p->iProbeMarker, &eType, 0, 0);
  if( rc==SQLITE_OK && eType!=SQLITE_NULL && eType!=SQLITE_INTEGER ){
    rc = SQLITE_MISMATCH;
  }
  if( rc==SQLITE_OK ) rc = sqlite3_exec(db, "BEGIN", 0, 0, 0);
  if( rc==SQLITE_OK ){
    rc = swExecKey(db, zPut, zTable, SQLWORK_PROBE_KEY, SW_PROBE_VALUE, 0);
  }
  if( rc==SQLITE_OK ) rc = swExecKey(db, zPut, zTable, 0, SW_PROBE_VALUE, 0);
  rc = swFinishTxn(db, rc);
  if( rc==SQLITE_OK ) p->bProbe = 1;
  return rc;
}

int sqlworkProbeCheck(SqlWork *p, sqlite3 *db, const char *zTable){
  char zText[64];
  sqlite3_int64 iVal;
  int eType;
  int k;
  int rc = SQLITE_OK;
  if( !p->bProbe ) return -1;
  p->bProbe = 0;
  for(k=SQLWORK_PROBE_KEY; k<=0; k++){
    rc = swReadMarker(db, zTable, k, &iVal, &eType, zText, sizeof(zText));
    if( rc!=SQLITE_OK || eType!=SQLITE_TEXT
     || strcmp(zText, SW_PROBE_VALUE)!=0 ){
      return -1;
    }
  }
  /* Put the table back into its oracle state. */
  rc = sqlite3_exec(db, "BEGIN", 0, 0, 0);
  if( rc==SQLITE_OK ){
    rc = swExecKey(db, "DELETE FROM \"%w\" WHERE k=?1", zTable,
                   SQLWORK_PROBE_KEY, 0, 0);
  }
  if( rc==SQLITE_OK && p->iProbeMarker>0 ){
    rc = swExecKey(db, "INSERT OR REPLACE INTO \"%w\"(k, v) VALUES(?1, ?2)",
                   zTable, 0, 0, p->iProbeMarker);
  }else if( rc==SQLITE_OK ){
    rc = swExecKey(db, "DELETE FROM \"%w\" WHERE k=?1", zTable, 0, 0, 0);
  }
  rc = swFinishTxn(db, rc);
  return rc==SQLITE_OK ? 0 : -1;
}
