/*
** planner.c -- xBestIndex and the xFilter half of the "lsm" virtual
** table's planner (rules, plan encoding and costs: planner.h).  Best-index
** gathers, per key position, the best equality candidate and the first
** lower and upper bound, keeps the longest run of equality positions,
** decides ORDER BY and LIMIT/OFFSET, and writes the plan into idxNum.
** Plan-scan reads the plan back, applies the key column's affinity to each
** value, encodes prefixes (one per IN value, sorted and deduplicated) and
** intersects the bounds on the next position into byte ranges.  No state:
** thread safe.
*/
#include <sqlite3ext.h>
SQLITE_EXTENSION_INIT3

#include "planner.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

typedef sqlite3_int64 i64;

/* Positions examined by the planner: the equality run plus one range. */
#define PLAN_NPOS (LSMV_PLAN_MAX_EQ+1)

/* Kinds of equality candidate, best first (PlanPos.eEq). */
#define PLAN_EQ_NONE   0          /* no candidate */
#define PLAN_EQ_EQ     1          /* "=" that is not an IN */
#define PLAN_EQ_IS     2          /* "IS" */
#define PLAN_EQ_IN     3          /* "=" that is an IN (all-at-once capable) */

/* Cost of one seek into the LSM before reading rows. */
#define PLAN_SEEK_COST 10.0

/* What best-index found for one key position. */
typedef struct PlanPos PlanPos;
struct PlanPos {
  int eEq;                        /* PLAN_EQ_* of the candidate */
  int iEq;                        /* aConstraint index of it, or -1 */
  int iLo;                        /* First usable > or >=, or -1 */
  int iHi;                        /* First usable < or <=, or -1 */
};

/* The plan being built by lsmvBestIndex(). */
typedef struct Plan Plan;
struct Plan {
  int nPos;                       /* Key positions of the table */
  int nEq;                        /* Equality positions used */
  int bEmpty;                     /* A key IS NULL constraint: no rows */
  int bIn;                        /* Position nEq-1 is an all-at-once IN */
  int bPerValueIn;                /* An IN on an earlier position */
  int iLo;                        /* Bound on position nEq, or -1 */
  int iHi;                        /* Bound on position nEq, or -1 */
  int bOrder;                     /* orderByConsumed */
  int bDesc;                      /* Scan descending */
  int iLimit;                     /* LIMIT constraint taken, or -1 */
  int iOffset;                    /* OFFSET constraint taken, or -1 */
  int bDisable;                   /* Test switch: full scan only */
  int bWide;                      /* A non-literal operand at a TEXT/BLOB
                                  ** position: LSMV_PLAN_WIDE (planWide),
                                  ** the plan may return extra rows */
  PlanPos aPos[PLAN_NPOS];        /* Candidates per position */
};

/*
** Number of key positions of the table (planner.h, "The key").
*/
static int planNumPos(const LsmvSchema *pSchema){
  return pSchema->eKey==LSMV_KEY_WITHOUT_ROWID ? pSchema->nKey : 1;
}

/*
** Key position of column iCol (-1: the rowid), or -1 if it is not a key
** column.  The hidden key column of a composite key is not a position.
*/
static int planKeyPos(const LsmvSchema *pSchema, int iCol){
  int i;
  if( pSchema->eKey!=LSMV_KEY_WITHOUT_ROWID ){
    if( iCol<0 ) return 0;
    if( pSchema->eKey==LSMV_KEY_ROWID_ALIAS && iCol==pSchema->aiKey[0] ){
      return 0;
    }
    return -1;
  }
  for(i=0; i<pSchema->nKey; i++){
    if( pSchema->aiKey[i]==iCol ) return i;
  }
  return -1;
}

/*
** Affinity applied to values compared with key position iPos.
*/
static char planAffinity(const LsmvSchema *pSchema, int iPos){
  if( pSchema->eKey!=LSMV_KEY_WITHOUT_ROWID ) return LSMV_AFF_INTEGER;
  return pSchema->aCol[pSchema->aiKey[iPos]].eAffinity;
}

/*
** Name of key position iPos, for idxStr.
*/
static const char *planName(const LsmvSchema *pSchema, int iPos){
  if( pSchema->eKey==LSMV_KEY_NONE ) return "rowid";
  return pSchema->aCol[pSchema->aiKey[iPos]].zName;
}

/*
** True if constraint i may be consumed as far as collation goes: rowids
** are integers (collation never matters); other keys compare BINARY.
*/
static int planCollationOk(const LsmvSchema *pSchema,
                           sqlite3_index_info *pInfo, int i){
  const char *zColl;
  if( pSchema->eKey!=LSMV_KEY_WITHOUT_ROWID ) return 1;
  zColl = sqlite3_vtab_collation(pInfo, i);
  return zColl==0 || sqlite3_stricmp(zColl, "BINARY")==0;
}

/*
** Record the usable key constraints of pInfo in p->aPos[] and p->bEmpty.
*/
static void planGather(const LsmvSchema *pSchema, sqlite3_index_info *pInfo,
                       Plan *p){
  int i;
  for(i=0; i<PLAN_NPOS; i++){
    p->aPos[i].eEq = PLAN_EQ_NONE;
    p->aPos[i].iEq = p->aPos[i].iLo = p->aPos[i].iHi = -1;
  }
  for(i=0; i<pInfo->nConstraint; i++){
    const struct sqlite3_index_constraint *pC = &pInfo->aConstraint[i];
    int iPos;
    int eEq = PLAN_EQ_NONE;
    PlanPos *pPos;
    if( !pC->usable ) continue;
    if( pC->op==SQLITE_INDEX_CONSTRAINT_LIMIT
     || pC->op==SQLITE_INDEX_CONSTRAINT_OFFSET ) continue;
    iPos = planKeyPos(pSchema, pC->iColumn);
    if( iPos<0 || iPos>=PLAN_NPOS ) continue;
    if( pC->op==SQLITE_INDEX_CONSTRAINT_ISNULL ){
      p->bEmpty = 1;              /* keys are never NULL */
      continue;
    }
    if( !planCollationOk(pSchema, pInfo, i) ) continue;
    pPos = &p->aPos[iPos];
    switch( pC->op ){
      case SQLITE_INDEX_CONSTRAINT_EQ:
        eEq = sqlite3_vtab_in(pInfo, i, -1) ? PLAN_EQ_IN : PLAN_EQ_EQ;
        break;
      case SQLITE_INDEX_CONSTRAINT_IS:
        eEq = PLAN_EQ_IS;
        break;
      case SQLITE_INDEX_CONSTRAINT_GT:
      case SQLITE_INDEX_CONSTRAINT_GE:
        if( pPos->iLo<0 ) pPos->iLo = i;
        break;
      case SQLITE_INDEX_CONSTRAINT_LT:
      case SQLITE_INDEX_CONSTRAINT_LE:
        if( pPos->iHi<0 ) pPos->iHi = i;
        break;
      default:
        break;
    }
    if( eEq!=PLAN_EQ_NONE
     && (pPos->eEq==PLAN_EQ_NONE || eEq<pPos->eEq) ){
      pPos->eEq = eEq;
      pPos->iEq = i;
    }
  }
}

/*
** Choose the equality run and the bounds after it, and tell SQLite which
** IN is handled all at once.
*/
static void planChoose(sqlite3_index_info *pInfo, Plan *p){
  int n = 0;
  int i;
  int nMax = p->nPos<LSMV_PLAN_MAX_EQ ? p->nPos : LSMV_PLAN_MAX_EQ;
  while( n<nMax && p->aPos[n].eEq!=PLAN_EQ_NONE ) n++;
  p->nEq = n;
  for(i=0; i<n; i++){
    if( p->aPos[i].eEq!=PLAN_EQ_IN ) continue;
    if( i==n-1 && sqlite3_vtab_in(pInfo, p->aPos[i].iEq, 1) ){
      p->bIn = 1;
    }else{
      p->bPerValueIn = 1;
    }
  }
  p->iLo = p->iHi = -1;
  if( n<p->nPos && n<PLAN_NPOS ){
    p->iLo = p->aPos[n].iLo;
    p->iHi = p->aPos[n].iHi;
  }
}

/*
** Decide whether the scan delivers pInfo's ORDER BY (planner.h, "ORDER
** BY"); set p->bOrder and p->bDesc.
*/
static void planOrderBy(const LsmvSchema *pSchema, sqlite3_index_info *pInfo,
                        Plan *p){
  int iPos = 0;                   /* Next key position to be ordered */
  int eDir = -1;                  /* -1 undecided, 0 ASC, 1 DESC */
  int bTotal = 0;                 /* Rows are already totally ordered */
  int i;
  if( p->bPerValueIn || pInfo->nOrderBy<=0 ) return;
  for(i=0; i<pInfo->nOrderBy && !bTotal; i++){
    const struct sqlite3_index_orderby *pO = &pInfo->aOrderBy[i];
    int iTerm;
    int bFixed;
    if( pSchema->zKeyCol && pO->iColumn==pSchema->nCol ){
      iTerm = p->nPos-1;          /* the hidden column: the whole key */
      while( iPos<iTerm ) iPos++;
      bFixed = 0;
    }else{
      iTerm = planKeyPos(pSchema, pO->iColumn);
      if( iTerm<0 ) return;
      bFixed = (iTerm<p->nEq && !(p->bIn && iTerm==p->nEq-1));
      if( iTerm<iPos || (bFixed && iTerm!=iPos) ) continue;
      while( iPos<iTerm && iPos<p->nEq
          && !(p->bIn && iPos==p->nEq-1) ) iPos++;
      if( iTerm!=iPos ) return;
    }
    if( !bFixed ){
      if( eDir<0 ) eDir = pO->desc ? 1 : 0;
      if( eDir!=(pO->desc ? 1 : 0) ) return;
    }
    iPos++;
    if( iPos>=p->nPos ) bTotal = 1;
  }
  p->bOrder = 1;
  p->bDesc = (eDir==1);
}

/*
** True if consumed constraint iC on key position iPos may be omitted
** (planner.h, "Omit"): always on a numeric or rowid key; on a TEXT or
** BLOB affinity key only for a literal right operand that is not a number
** (sqlite3_vtab_rhs_value), whose meaning does not depend on the operand's
** affinity.  An IN there is never omitted.
*/
static int planExact(const LsmvSchema *pSchema, sqlite3_index_info *pInfo,
                     int iC, int iPos, int bIn){
  sqlite3_value *pVal = 0;
  int eType;
  if( planAffinity(pSchema, iPos)>=LSMV_AFF_NUMERIC ) return 1;
  if( bIn ) return 0;
  if( sqlite3_vtab_rhs_value(pInfo, iC, &pVal)!=SQLITE_OK || pVal==0 ){
    return 0;
  }
  eType = sqlite3_value_type(pVal);
  return eType!=SQLITE_INTEGER && eType!=SQLITE_FLOAT;
}

/*
** True unless constraint iC on key position iPos may be read the numeric
** way (planner.h, "Affinity"): a numeric-affinity position, or a literal
** operand (sqlite3_vtab_rhs_value), whose affinity is none.
*/
static int planLiteral(const LsmvSchema *pSchema, sqlite3_index_info *pInfo,
                       int iC, int iPos){
  sqlite3_value *pVal = 0;
  if( planAffinity(pSchema, iPos)>=LSMV_AFF_NUMERIC ) return 1;
  return sqlite3_vtab_rhs_value(pInfo, iC, &pVal)==SQLITE_OK && pVal!=0;
}

/*
** Give argv slots to the plan's constraints, in the order lsmvPlanScan()
** reads them, and take LIMIT/OFFSET if allowed.  Returns the idxNum.
*/
static int planUse(const LsmvSchema *pSchema, sqlite3_index_info *pInfo,
                   Plan *p){
  int nArg = 0;
  int idxNum = p->nEq;
  int i;
  int bAll = 1;                   /* every constraint consumed and omitted */
  struct sqlite3_index_constraint_usage *aU = pInfo->aConstraintUsage;
  int bExact = 1;                 /* every earlier position is exact */
  for(i=0; i<p->nEq; i++){
    int iC = p->aPos[i].iEq;
    aU[iC].argvIndex = ++nArg;
    bExact = bExact && planExact(pSchema, pInfo, iC, i, p->bIn && i==p->nEq-1);
    if( !planLiteral(pSchema, pInfo, iC, i) ) p->bWide = 1;
    aU[iC].omit = nArg<=16 && bExact;
    if( p->aPos[i].eEq==PLAN_EQ_IS ) idxNum |= 1<<(LSMV_PLAN_IS_SHIFT+i);
  }
  if( p->bIn ) idxNum |= LSMV_PLAN_IN;
  if( p->iLo>=0 ){
    aU[p->iLo].argvIndex = ++nArg;
    if( !planLiteral(pSchema, pInfo, p->iLo, p->nEq) ) p->bWide = 1;
    bExact = bExact && planExact(pSchema, pInfo, p->iLo, p->nEq, 0);
    aU[p->iLo].omit = nArg<=16 && bExact;
    idxNum |= pInfo->aConstraint[p->iLo].op==SQLITE_INDEX_CONSTRAINT_GT
              ? LSMV_PLAN_GT : LSMV_PLAN_GE;
  }
  if( p->iHi>=0 ){
    aU[p->iHi].argvIndex = ++nArg;
    if( !planLiteral(pSchema, pInfo, p->iHi, p->nEq) ) p->bWide = 1;
    bExact = bExact && planExact(pSchema, pInfo, p->iHi, p->nEq, 0);
    aU[p->iHi].omit = nArg<=16 && bExact;
    idxNum |= pInfo->aConstraint[p->iHi].op==SQLITE_INDEX_CONSTRAINT_LT
              ? LSMV_PLAN_LT : LSMV_PLAN_LE;
  }
  if( p->bDesc ) idxNum |= LSMV_PLAN_DESC;
  if( p->bWide ) idxNum |= LSMV_PLAN_WIDE;

  /* LIMIT and OFFSET: only if nothing else is left for SQLite to check. */
  p->iLimit = p->iOffset = -1;
  for(i=0; i<pInfo->nConstraint; i++){
    int op = pInfo->aConstraint[i].op;
    if( op==SQLITE_INDEX_CONSTRAINT_LIMIT ){
      if( pInfo->aConstraint[i].usable && p->iLimit<0 ) p->iLimit = i;
    }else if( op==SQLITE_INDEX_CONSTRAINT_OFFSET ){
      if( pInfo->aConstraint[i].usable && p->iOffset<0 ) p->iOffset = i;
    }else if( aU[i].argvIndex==0 || !aU[i].omit ){
      bAll = 0;
    }
  }
  if( !bAll || p->bPerValueIn || p->bDisable
   || (pInfo->nOrderBy>0 && !p->bOrder) ){
    p->iLimit = p->iOffset = -1;
  }
  if( p->iLimit>=0 ){
    aU[p->iLimit].argvIndex = ++nArg;
    aU[p->iLimit].omit = 1;
    idxNum |= LSMV_PLAN_LIMIT;
  }
  if( p->iOffset>=0 ){
    aU[p->iOffset].argvIndex = ++nArg;
    aU[p->iOffset].omit = 1;
    idxNum |= LSMV_PLAN_OFFSET;
  }
  return idxNum;
}

/*
** The idxStr of plan p (planner.h, "Plan encoding"), or NULL on NOMEM.
*/
static char *planDescribe(const LsmvSchema *pSchema,
                          sqlite3_index_info *pInfo, const Plan *p){
  sqlite3_str *pStr = sqlite3_str_new(0);
  int nTerm = 0;
  int i;
  if( p->bEmpty ){
    for(i=0; i<pInfo->nConstraint; i++){
      const struct sqlite3_index_constraint *pC = &pInfo->aConstraint[i];
      int iPos = planKeyPos(pSchema, pC->iColumn);
      if( pC->usable && pC->op==SQLITE_INDEX_CONSTRAINT_ISNULL && iPos>=0 ){
        sqlite3_str_appendf(pStr, "empty (%s IS NULL)", planName(pSchema, iPos));
        break;
      }
    }
    return sqlite3_str_finish(pStr);
  }
  for(i=0; i<p->nEq; i++){
    const char *zOp = "=?";
    if( p->aPos[i].eEq==PLAN_EQ_IS ) zOp = " IS ?";
    if( p->bIn && i==p->nEq-1 ) zOp = " IN (...)";
    sqlite3_str_appendf(pStr, "%s%s%s", nTerm++ ? " AND " : "",
                        planName(pSchema, i), zOp);
  }
  if( p->iLo>=0 ){
    int bGt = pInfo->aConstraint[p->iLo].op==SQLITE_INDEX_CONSTRAINT_GT;
    sqlite3_str_appendf(pStr, "%s%s%s", nTerm++ ? " AND " : "",
                        planName(pSchema, p->nEq), bGt ? ">?" : ">=?");
  }
  if( p->iHi>=0 ){
    int bLt = pInfo->aConstraint[p->iHi].op==SQLITE_INDEX_CONSTRAINT_LT;
    sqlite3_str_appendf(pStr, "%s%s%s", nTerm++ ? " AND " : "",
                        planName(pSchema, p->nEq), bLt ? "<?" : "<=?");
  }
  if( nTerm==0 ) sqlite3_str_appendall(pStr, "scan");
  if( p->bDesc ) sqlite3_str_appendall(pStr, " desc");
  if( p->iLimit>=0 ) sqlite3_str_appendall(pStr, ", limit ?");
  if( p->iOffset>=0 ) sqlite3_str_appendall(pStr, ", offset ?");
  return sqlite3_str_finish(pStr);
}

/*
** Set the cost, row estimate and flags of plan p (planner.h, "Costs").
*/
static void planCost(sqlite3_index_info *pInfo, const Plan *p, double nRow){
  double nSeek = p->bIn ? LSMV_PLAN_IN_GUESS : 1;
  double nOut = nRow;
  int i;
  if( p->bEmpty ){
    pInfo->estimatedCost = 1.0;
    pInfo->estimatedRows = 1;
    pInfo->idxFlags |= SQLITE_INDEX_SCAN_UNIQUE;
    return;
  }
  if( p->nEq==p->nPos ){
    pInfo->estimatedCost = PLAN_SEEK_COST*nSeek;
    pInfo->estimatedRows = (sqlite3_int64)nSeek;
    /* Not UNIQUE when a wide value may bring candidate rows that SQLite
    ** re-checks: a one-pass UPDATE/DELETE would stop after the first. */
    if( !p->bIn && !p->bWide ) pInfo->idxFlags |= SQLITE_INDEX_SCAN_UNIQUE;
    return;
  }
  if( p->nEq==0 && p->iLo<0 && p->iHi<0 ){
    pInfo->estimatedCost = nRow + 100.0;
    pInfo->estimatedRows = (sqlite3_int64)nRow;
    return;
  }
  for(i=0; i<p->nEq; i++) nOut /= 10.0;
  if( p->iLo>=0 ) nOut /= 4.0;
  if( p->iHi>=0 ) nOut /= 4.0;
  nOut *= nSeek;
  if( nOut<1.0 ) nOut = 1.0;
  pInfo->estimatedCost = nSeek*(PLAN_SEEK_COST + log2(nRow + 1.0)) + nOut;
  pInfo->estimatedRows = (sqlite3_int64)nOut;
}

/*
** xBestIndex (planner.h).
*/
int lsmvBestIndex(const LsmvSchema *pSchema, sqlite3_index_info *pInfo,
                  sqlite3_int64 nRowEstimate, int bDisable){
  Plan plan;
  double nRow = nRowEstimate>0 ? (double)nRowEstimate
                               : (double)LSMV_PLAN_DEFAULT_ROWS;
  int idxNum;
  memset(&plan, 0, sizeof(plan));
  plan.nPos = planNumPos(pSchema);
  plan.iLo = plan.iHi = plan.iLimit = plan.iOffset = -1;
  plan.bDisable = bDisable;
  if( !bDisable ){
    planGather(pSchema, pInfo, &plan);
  }
  if( plan.bEmpty ){
    idxNum = LSMV_PLAN_EMPTY;
  }else{
    if( !bDisable ){
      planChoose(pInfo, &plan);
      planOrderBy(pSchema, pInfo, &plan);
    }
    idxNum = planUse(pSchema, pInfo, &plan);
  }
  pInfo->idxNum = idxNum;
  pInfo->orderByConsumed = plan.bOrder;
  planCost(pInfo, &plan, nRow);
  pInfo->idxStr = planDescribe(pSchema, pInfo, &plan);
  if( pInfo->idxStr==0 ) return SQLITE_NOMEM;
  pInfo->needToFreeIdxStr = 1;
  return SQLITE_OK;
}

/****************************************************************************
** xFilter: from plan and values to ranges of encoded keys.
*/

/* A constraint value after the key column's affinity was applied. */
typedef struct PlanValue PlanValue;
struct PlanValue {
  LsmvValue v;                    /* The value to encode */
  sqlite3_value *pDup;            /* Copy that v points into, or NULL */
};

/*
** Apply the affinity of key position iPos to pArg (planner.h, "Affinity")
** and fill *p; release with planValueFree().  Returns SQLITE_OK or
** SQLITE_NOMEM.
*/
static int planValue(const LsmvSchema *pSchema, int iPos, sqlite3_value *pArg,
                     PlanValue *p){
  char eAff = planAffinity(pSchema, iPos);
  int eType = sqlite3_value_type(pArg);
  sqlite3_value *pUse = pArg;
  p->pDup = 0;
  if( (eAff>=LSMV_AFF_NUMERIC && eType==SQLITE_TEXT)
   || (eAff==LSMV_AFF_TEXT && (eType==SQLITE_INTEGER || eType==SQLITE_FLOAT))
  ){
    p->pDup = pUse = sqlite3_value_dup(pArg);
    if( pUse==0 ) return SQLITE_NOMEM;
    if( eAff>=LSMV_AFF_NUMERIC ) sqlite3_value_numeric_type(pUse);
  }
  if( eAff==LSMV_AFF_TEXT && p->pDup ){
    const unsigned char *z = sqlite3_value_text(pUse);
    if( z==0 ) return SQLITE_NOMEM;
    memset(&p->v, 0, sizeof(p->v));
    p->v.eType = SQLITE_TEXT;
    p->v.z = z;
    p->v.n = sqlite3_value_bytes(pUse);
    return SQLITE_OK;
  }
  return lsmvValueFromSqlite(pUse, &p->v);
}

static void planValueFree(PlanValue *p){
  sqlite3_value_free(p->pDup);
  p->pDup = 0;
}

/*
** Compare two byte strings as the LSM does (memcmp, then length).
*/
static int planCmp(const LsmvBuf *a, const LsmvBuf *b){
  int n = a->n<b->n ? a->n : b->n;
  int c = n>0 ? memcmp(a->a, b->a, (size_t)n) : 0;
  return c ? c : a->n - b->n;
}

static int planCmpQsort(const void *a, const void *b){
  return planCmp((const LsmvBuf*)a, (const LsmvBuf*)b);
}

/*
** Append the encoding of key position iPos's value pArg (compared with
** "=" unless bIs) to pBuf.  Sets *pbEmpty if "=" meets a NULL.
*/
static void planEncodeEq(int *pRc, const LsmvSchema *pSchema, int iPos,
                         sqlite3_value *pArg, int bIs, LsmvBuf *pBuf,
                         int *pbEmpty){
  PlanValue pv;
  if( *pRc!=SQLITE_OK ) return;
  *pRc = planValue(pSchema, iPos, pArg, &pv);
  if( *pRc==SQLITE_OK ){
    if( (pv.v.eType==SQLITE_NULL && !bIs)
     || (pSchema->eKey!=LSMV_KEY_WITHOUT_ROWID
         && pv.v.eType==SQLITE_FLOAT && pv.v.r==-9223372036854775808.0) ){
      /* "=" never meets a NULL.  SQLite's rowid lookup converts a REAL only
      ** strictly inside the int64 range (sqlite3VdbeIntegerAffinity):
      ** -2^63 finds nothing. */
      *pbEmpty = 1;
    }else{
      lsmvKeyEncodeValue(pRc, pBuf, &pv.v);
    }
  }
  planValueFree(&pv);
}

/*
** Read the IN list pArg (all at once) for key position iPos into prefixes
** aPre[0..*pnPre), each pPre + encoding, sorted and deduplicated, NULLs
** dropped.  *paPre is sqlite3_malloc'd; the caller frees each and it.
*/
static int planInList(const LsmvSchema *pSchema, int iPos,
                      sqlite3_value *pArg, const LsmvBuf *pPre,
                      LsmvBuf **paPre, int *pnPre){
  LsmvBuf *a = 0;
  int n = 0, nAlloc = 0;
  sqlite3_value *pV = 0;
  int rc;
  int i, j;
  for(rc=sqlite3_vtab_in_first(pArg, &pV);
      rc==SQLITE_OK && pV;
      rc=sqlite3_vtab_in_next(pArg, &pV)){
    int bNull = 0;
    LsmvBuf b;
    memset(&b, 0, sizeof(b));
    if( n==nAlloc ){
      LsmvBuf *aNew;
      nAlloc = nAlloc ? nAlloc*2 : 8;
      aNew = sqlite3_realloc64(a, sizeof(LsmvBuf)*(sqlite3_uint64)nAlloc);
      if( aNew==0 ){ rc = SQLITE_NOMEM; break; }
      a = aNew;
    }
    lsmvBufAppend(&rc, &b, pPre->a, pPre->n);
    planEncodeEq(&rc, pSchema, iPos, pV, 0, &b, &bNull);
    if( rc!=SQLITE_OK || bNull ){
      lsmvBufFree(&b);
      if( rc!=SQLITE_OK ) break;
    }else{
      a[n++] = b;
    }
  }
  if( rc==SQLITE_DONE ) rc = SQLITE_OK;
  if( rc==SQLITE_OK && n>1 ){
    qsort(a, (size_t)n, sizeof(LsmvBuf), planCmpQsort);
    for(i=1, j=1; i<n; i++){
      if( planCmp(&a[i], &a[j-1])==0 ){
        lsmvBufFree(&a[i]);
      }else{
        a[j++] = a[i];
      }
    }
    n = j;
  }
  *paPre = a;
  *pnPre = n;
  return rc;
}

/*
** Append a new empty range to pScan; NULL (and *pRc set) on NOMEM.
*/
static LsmvScanRange *planNewRange(int *pRc, LsmvScan *pScan){
  LsmvScanRange *pR;
  if( *pRc!=SQLITE_OK ) return 0;
  if( pScan->nRange==pScan->nRangeAlloc ){
    int nNew = pScan->nRangeAlloc ? pScan->nRangeAlloc*2 : 4;
    LsmvScanRange *aNew = sqlite3_realloc64(pScan->aRange,
                                    sizeof(LsmvScanRange)*(sqlite3_uint64)nNew);
    if( aNew==0 ){
      *pRc = SQLITE_NOMEM;
      return 0;
    }
    pScan->aRange = aNew;
    pScan->nRangeAlloc = nNew;
  }
  pR = &pScan->aRange[pScan->nRange++];
  memset(pR, 0, sizeof(*pR));
  return pR;
}

/*
** True if key position iPos is "wide" in a plan with LSMV_PLAN_WIDE: a
** TEXT or BLOB affinity position whose values SQLite may compare the
** numeric way (planner.h, "Affinity").
*/
static int planWide(const LsmvSchema *pSchema, int iPos, int bWidePlan){
  return bWidePlan && planAffinity(pSchema, iPos)<LSMV_AFF_NUMERIC;
}

/*
** True if value pArg makes an equality at a wide position wide: a number.
** (A column of numeric affinity holds TEXT only when it does not read as
** a number, and such a text equals exactly the same keys both ways.)
*/
static int planNumber(sqlite3_value *pArg){
  int eType = sqlite3_value_type(pArg);
  return eType==SQLITE_INTEGER || eType==SQLITE_FLOAT;
}

/*
** Add the ranges of keys under prefix pPre whose next column is a TEXT
** that SQLite's numeric conversion (sqlite3AtoF) could read as a number:
** it starts with white space, a sign, '.', or a digit.
*/
static void planAddNumericText(int *pRc, LsmvScan *pScan, const LsmvBuf *pPre){
  static const unsigned char aFirst[][2] = {
    { 0x09, 0x0e }, { 0x20, 0x21 }, { '+', '/' }, { '0', ':' }
  };
  size_t i;
  for(i=0; i<sizeof(aFirst)/sizeof(aFirst[0]) && *pRc==SQLITE_OK; i++){
    LsmvScanRange *pR = planNewRange(pRc, pScan);
    unsigned char aLo[2], aHi[2];
    if( pR==0 ) break;
    aLo[0] = aHi[0] = LSMV_KEY_TAG_TEXT;
    aLo[1] = aFirst[i][0];
    aHi[1] = aFirst[i][1];
    lsmvBufAppend(pRc, &pR->lo, pPre->a, pPre->n);
    lsmvBufAppend(pRc, &pR->lo, aLo, 2);
    lsmvBufAppend(pRc, &pR->hi, pPre->a, pPre->n);
    lsmvBufAppend(pRc, &pR->hi, aHi, 2);
  }
}

/* Order ranges by their lower bound (an empty lo sorts first). */
static int planRangeCmp(const void *a, const void *b){
  return planCmp(&((const LsmvScanRange*)a)->lo, &((const LsmvScanRange*)b)->lo);
}

/*
** Sort pScan's ranges ascending and merge those that overlap or touch,
** so that they are disjoint and in key order.
*/
static void planNormalize(int *pRc, LsmvScan *pScan){
  int i, j;
  if( *pRc!=SQLITE_OK || pScan->nRange<2 ) return;
  qsort(pScan->aRange, (size_t)pScan->nRange, sizeof(LsmvScanRange),
        planRangeCmp);
  for(i=1, j=0; i<pScan->nRange; i++){
    LsmvScanRange *pCur = &pScan->aRange[j];
    LsmvScanRange *pNext = &pScan->aRange[i];
    if( pCur->hi.n==0 || planCmp(&pNext->lo, &pCur->hi)<=0 ){
      if( pCur->hi.n>0 && (pNext->hi.n==0 || planCmp(&pNext->hi, &pCur->hi)>0) ){
        LsmvBuf t = pCur->hi;
        pCur->hi = pNext->hi;
        pNext->hi = t;
      }
      lsmvBufFree(&pNext->lo);
      lsmvBufFree(&pNext->hi);
    }else{
      pScan->aRange[++j] = *pNext;
    }
  }
  pScan->nRange = j+1;
}

/*
** Intersect [pLo, pHi) with the range of "position iPos eOp pArg" under
** prefix pPre.  Sets *pbEmpty if the bound matches nothing.
*/
static void planBound(int *pRc, const LsmvSchema *pSchema, int iPos,
                      const LsmvBuf *pPre, int eOp, sqlite3_value *pArg,
                      int bWidePlan, LsmvBuf *pLo, LsmvBuf *pHi, int *pbEmpty){
  PlanValue pv;
  LsmvBuf lo, hi;
  int bEmpty = 0;
  if( *pRc!=SQLITE_OK ) return;
  memset(&lo, 0, sizeof(lo));
  memset(&hi, 0, sizeof(hi));
  if( (eOp==LSMV_KEY_LT || eOp==LSMV_KEY_LE)
   && planWide(pSchema, iPos, bWidePlan) ){
    return;      /* TEXT keys may read as smaller numbers: no upper bound */
  }
  *pRc = planValue(pSchema, iPos, pArg, &pv);
  if( *pRc==SQLITE_OK && pv.pDup && planAffinity(pSchema, iPos)==LSMV_AFF_TEXT
   && (eOp==LSMV_KEY_GT || eOp==LSMV_KEY_GE)
  ){
    /* A number made TEXT: "k > 5" is "k > '5'" for an operand without
    ** affinity but every TEXT key for one with BLOB or TEXT affinity.
    ** Cover both (the constraint is not omitted): k >= ''. */
    memset(&pv.v, 0, sizeof(pv.v));
    pv.v.eType = SQLITE_TEXT;
    eOp = LSMV_KEY_GE;
  }
  if( *pRc==SQLITE_OK ){
    *pRc = lsmvKeyRange(pPre->a, pPre->n, eOp, &pv.v, &lo, &hi, &bEmpty);
  }
  if( *pRc==SQLITE_OK ){
    if( bEmpty ) *pbEmpty = 1;
    if( planCmp(&lo, pLo)>0 ){
      pLo->n = 0;
      lsmvBufAppend(pRc, pLo, lo.a, lo.n);
    }
    if( hi.n>0 && (pHi->n==0 || planCmp(&hi, pHi)<0) ){
      pHi->n = 0;
      lsmvBufAppend(pRc, pHi, hi.a, hi.n);
    }
  }
  planValueFree(&pv);
  lsmvBufFree(&lo);
  lsmvBufFree(&hi);
}

/*
** Add to pScan the range of keys under prefix pPre that satisfy the
** bounds (pLoArg/pHiArg with keycodec operators eLo/eHi, NULL if absent)
** on position iPos; nothing if the range is empty.
*/
static void planAddRange(int *pRc, const LsmvSchema *pSchema, LsmvScan *pScan,
                         const LsmvBuf *pPre, int iPos, int bWidePlan,
                         int eLo, sqlite3_value *pLoArg,
                         int eHi, sqlite3_value *pHiArg){
  LsmvBuf lo, hi;
  int bEmpty = 0;
  LsmvScanRange *pR;
  if( *pRc!=SQLITE_OK ) return;
  memset(&lo, 0, sizeof(lo));
  memset(&hi, 0, sizeof(hi));
  *pRc = lsmvKeyRange(pPre->a, pPre->n, LSMV_KEY_PREFIX, 0, &lo, &hi, &bEmpty);
  if( pLoArg ){
    planBound(pRc, pSchema, iPos, pPre, eLo, pLoArg, bWidePlan, &lo, &hi,
              &bEmpty);
  }
  if( pHiArg ){
    planBound(pRc, pSchema, iPos, pPre, eHi, pHiArg, bWidePlan, &lo, &hi,
              &bEmpty);
  }
  if( hi.n>0 && planCmp(&lo, &hi)>=0 ) bEmpty = 1;
  if( !bEmpty ){
    pR = planNewRange(pRc, pScan);
    if( pR ){
      pR->lo = lo;
      pR->hi = hi;
      return;
    }
  }
  lsmvBufFree(&lo);
  lsmvBufFree(&hi);
}

/*
** Read an integer LIMIT or OFFSET value; iDflt if it is not an integer.
*/
static i64 planInt(sqlite3_value *pArg, i64 iDflt){
  int eType = sqlite3_value_numeric_type(pArg);
  if( eType==SQLITE_INTEGER ) return sqlite3_value_int64(pArg);
  if( eType==SQLITE_FLOAT ){
    double r = sqlite3_value_double(pArg);
    if( r>=-9.2e18 && r<=9.2e18 && r==(double)(i64)r ) return (i64)r;
  }
  return iDflt;
}

/*
** Reverse the order of pScan's ranges.
*/
static void planReverse(LsmvScan *pScan){
  int i, j;
  for(i=0, j=pScan->nRange-1; i<j; i++, j--){
    LsmvScanRange t = pScan->aRange[i];
    pScan->aRange[i] = pScan->aRange[j];
    pScan->aRange[j] = t;
  }
}

/*
** Read the LIMIT and OFFSET arguments, if the plan has them, from
** argv[iArg...] into pScan (LIMIT first, as xBestIndex numbers them).
*/
static void planLimitOffset(int idxNum, sqlite3_value **argv, int iArg,
                           LsmvScan *pScan){
  pScan->iLimit = -1;
  pScan->iOffset = 0;
  if( idxNum & LSMV_PLAN_LIMIT ) pScan->iLimit = planInt(argv[iArg++], -1);
  if( idxNum & LSMV_PLAN_OFFSET ){
    pScan->iOffset = planInt(argv[iArg++], 0);
    if( pScan->iOffset<0 ) pScan->iOffset = 0;
  }
}

/*
** The point plan: every key position fixed by "=" or IS, no IN, no range
** bound (LIMIT and OFFSET allowed), and no position where a number could
** also match numeric-looking TEXT (planWide).  Build the one range, [key,
** succ(key)), in the buffers pScan already holds from the last call,
** allocating nothing once warm.  Returns -1 if the plan is not such
** a plan (pScan untouched), else an SQLite result code.
*/
static int planPoint(const LsmvSchema *pSchema, int idxNum, int argc,
                     sqlite3_value **argv, LsmvScan *pScan){
  int nEq = idxNum & LSMV_PLAN_NEQ_MASK;
  int nPos = planNumPos(pSchema);
  int nArg = nEq + ((idxNum & LSMV_PLAN_LIMIT)!=0)
           + ((idxNum & LSMV_PLAN_OFFSET)!=0);
  int bWidePlan = (idxNum & LSMV_PLAN_WIDE)!=0;
  int bEmpty = 0;
  int rc = SQLITE_OK;
  int i;
  LsmvScanRange *pR;
  if( nEq!=nPos || idxNum<0 || argc!=nArg
   || (idxNum & (LSMV_PLAN_EMPTY|LSMV_PLAN_IN|LSMV_PLAN_GT|LSMV_PLAN_GE
                 |LSMV_PLAN_LT|LSMV_PLAN_LE)) ){
    return -1;
  }
  for(i=0; i<nEq; i++){
    if( planWide(pSchema, i, bWidePlan) && planNumber(argv[i]) ) return -1;
  }
  if( pScan->nRange!=1 ){               /* else reuse range 0's buffers */
    lsmvScanFree(pScan);
    if( planNewRange(&rc, pScan)==0 ) return rc;
  }
  pR = &pScan->aRange[0];
  pR->lo.n = 0;
  pR->hi.n = 0;
  for(i=0; i<nEq; i++){
    int bIs = (idxNum & (1<<(LSMV_PLAN_IS_SHIFT+i)))!=0;
    planEncodeEq(&rc, pSchema, i, argv[i], bIs, &pR->lo, &bEmpty);
  }
  /* The upper bound, as the general path has it: succ(key). */
  lsmvBufAppend(&rc, &pR->hi, pR->lo.a, pR->lo.n);
  if( rc==SQLITE_OK && !bEmpty ) lsmvKeyPrefixSuccessor(&pR->hi);
  pScan->bDesc = (idxNum & LSMV_PLAN_DESC)!=0;
  planLimitOffset(idxNum, argv, nEq, pScan);
  if( bEmpty || rc!=SQLITE_OK ){
    lsmvScanFree(pScan);                /* no range: nothing to keep */
    pScan->bEmpty = 1;
    pScan->iLimit = -1;
    return rc;
  }
  pScan->bEmpty = 0;
  pScan->bPoint = 1;
  return rc;
}

/*
** xFilter (planner.h).
*/
int lsmvPlanScan(const LsmvSchema *pSchema, int idxNum, const char *idxStr,
                 sqlite3_vtab *pVtab, int argc, sqlite3_value **argv,
                 LsmvScan *pScan){
  int rc = SQLITE_OK;
  int nEq = idxNum & LSMV_PLAN_NEQ_MASK;
  int bIn = (idxNum & LSMV_PLAN_IN)!=0;
  int nArg;
  int iArg = 0;
  int bEmpty = 0;
  int i;
  sqlite3_value *pLoArg = 0, *pHiArg = 0;
  LsmvBuf pre;                    /* Prefix of positions 0..nEq-1 or -2 */
  LsmvBuf *aPre = 0;              /* Prefixes, one per IN value */
  int nPre = 0;                   /* Entries in aPre */
  int bWidePlan = (idxNum & LSMV_PLAN_WIDE)!=0;

  (void)idxStr;
  rc = planPoint(pSchema, idxNum, argc, argv, pScan);
  if( rc>=0 ) return rc;
  rc = SQLITE_OK;
  lsmvScanFree(pScan);
  pScan->iLimit = -1;
  memset(&pre, 0, sizeof(pre));
  if( idxNum & LSMV_PLAN_EMPTY ){
    pScan->bEmpty = 1;
    return SQLITE_OK;
  }
  nArg = nEq + ((idxNum & (LSMV_PLAN_GT|LSMV_PLAN_GE))!=0)
       + ((idxNum & (LSMV_PLAN_LT|LSMV_PLAN_LE))!=0)
       + ((idxNum & LSMV_PLAN_LIMIT)!=0) + ((idxNum & LSMV_PLAN_OFFSET)!=0);
  if( nArg!=argc || nEq>planNumPos(pSchema) || idxNum<0
   || (bIn && nEq==0) ){
    if( pVtab ){
      sqlite3_free(pVtab->zErrMsg);
      pVtab->zErrMsg = sqlite3_mprintf("lsm: plan %d does not match %d "
                                       "arguments", idxNum, argc);
    }
    return SQLITE_ERROR;
  }
  pScan->bDesc = (idxNum & LSMV_PLAN_DESC)!=0;

  /* Equality prefix, then the IN list (or the last equality).  A wide
  ** value (planWide) at position i also adds the numeric-looking TEXT
  ** keys under the prefix of positions 0..i-1. */
  for(i=0; i<nEq-bIn; i++){
    int bIs = (idxNum & (1<<(LSMV_PLAN_IS_SHIFT+i)))!=0;
    if( planWide(pSchema, i, bWidePlan) && planNumber(argv[iArg]) && !bEmpty ){
      planAddNumericText(&rc, pScan, &pre);
    }
    planEncodeEq(&rc, pSchema, i, argv[iArg++], bIs, &pre, &bEmpty);
  }
  if( rc==SQLITE_OK && bIn ){
    if( planWide(pSchema, nEq-1, bWidePlan) && !bEmpty ){
      sqlite3_value *pV = 0;
      int bNumber = 0;
      int rc2;
      for(rc2=sqlite3_vtab_in_first(argv[iArg], &pV); rc2==SQLITE_OK && pV;
          rc2=sqlite3_vtab_in_next(argv[iArg], &pV)){
        if( planNumber(pV) ) bNumber = 1;
      }
      if( rc2!=SQLITE_OK && rc2!=SQLITE_DONE ) rc = rc2;
      if( bNumber ) planAddNumericText(&rc, pScan, &pre);
    }
    if( rc==SQLITE_OK ){
      rc = planInList(pSchema, nEq-1, argv[iArg], &pre, &aPre, &nPre);
    }
    iArg++;
  }
  if( idxNum & (LSMV_PLAN_GT|LSMV_PLAN_GE) ) pLoArg = argv[iArg++];
  if( idxNum & (LSMV_PLAN_LT|LSMV_PLAN_LE) ) pHiArg = argv[iArg++];
  planLimitOffset(idxNum, argv, iArg, pScan);

  /* One range per prefix. */
  if( !bEmpty ){
    int eLo = (idxNum & LSMV_PLAN_GT) ? LSMV_KEY_GT : LSMV_KEY_GE;
    int eHi = (idxNum & LSMV_PLAN_LT) ? LSMV_KEY_LT : LSMV_KEY_LE;
    if( bIn ){
      for(i=0; i<nPre; i++){
        planAddRange(&rc, pSchema, pScan, &aPre[i], nEq, bWidePlan, eLo,
                     pLoArg, eHi, pHiArg);
      }
    }else{
      planAddRange(&rc, pSchema, pScan, &pre, nEq, bWidePlan, eLo, pLoArg,
                   eHi, pHiArg);
    }
  }
  planNormalize(&rc, pScan);
  if( pScan->bDesc ) planReverse(pScan);
  if( pScan->nRange==0 ) pScan->bEmpty = 1;

  for(i=0; i<nPre; i++) lsmvBufFree(&aPre[i]);
  sqlite3_free(aPre);
  lsmvBufFree(&pre);
  return rc;
}

/*
** Free the ranges of pScan and zero it.
*/
void lsmvScanFree(LsmvScan *pScan){
  int i;
  for(i=0; i<pScan->nRange; i++){
    lsmvBufFree(&pScan->aRange[i].lo);
    lsmvBufFree(&pScan->aRange[i].hi);
  }
  sqlite3_free(pScan->aRange);
  memset(pScan, 0, sizeof(*pScan));
}
