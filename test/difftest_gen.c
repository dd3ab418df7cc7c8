/*
** difftest_gen.c -- the statement generator of the differential test: the
** six schemas, the value domains of their columns (small: 20-40 distinct
** keys, with values of every storage class and the affinity edge cases
** '5' / 1.0 / -0.0 / 2^63 / '' / x'' / NUL and invalid UTF-8 in TEXT), and
** one function per statement family (INSERT, INSERT .. SELECT, UPDATE of
** non-key columns, UPDATE of the key, DELETE, SELECT, transaction control,
** lsm_flush/lsm_compact).  Every statement is deterministic (no random(),
** no dependence on the scan order unless the runner compares as a
** multiset) and mentions its table only as "$T".  A statement whose rows
** come in a defined order (ORDER BY total) is flagged bOrdered; LIMIT and
** OFFSET appear only under a total ORDER BY, or under count(*).  Test code
** only; a DtGen is used by one thread.
*/
#include "difftest_gen.h"

#include <sqlite3.h>

#include <string.h>

/* Indexes into aSchema (the generator adapts some statements to them). */
#define S_IPK     0
#define S_TEXT    1
#define S_ANY     2
#define S_COMP    3
#define S_NOKEY   4
#define S_NOTNULL 5

static const DtSchema aSchema[] = {
  { "ipk", "k INTEGER PRIMARY KEY, a, b TEXT", 0, 1,
    "k", "k DESC", "rowid, *", "a", 3,
    { {"k", DT_V_IKEY}, {"a", DT_V_ANY}, {"b", DT_V_ANY} } },
  { "textkey", "k TEXT PRIMARY KEY, i INTEGER, r REAL, t TEXT, n NUMERIC, "
    "bl BLOB", 1, 0, "k", "k DESC", "*", "bl", 6,
    { {"k", DT_V_TKEY}, {"i", DT_V_ANY}, {"r", DT_V_ANY}, {"t", DT_V_ANY},
      {"n", DT_V_ANY}, {"bl", DT_V_ANY} } },
  { "anykey", "k PRIMARY KEY, v", 1, 0,
    "k", "k DESC", "*", "v", 2,
    { {"k", DT_V_UKEY}, {"v", DT_V_ANY} } },
  { "composite", "a TEXT, b INTEGER, c, PRIMARY KEY(a, b)", 1, 0,
    "a, b", "a DESC, b DESC", "*", "c", 3,
    { {"a", DT_V_AKEY}, {"b", DT_V_BKEY}, {"c", DT_V_ANY} } },
  { "nokey", "x, y TEXT", 0, 1,
    "rowid", "rowid DESC", "rowid, *", "x", 2,
    { {"x", DT_V_ANY}, {"y", DT_V_ANY} } },
  { "notnull", "k INTEGER PRIMARY KEY, name TEXT NOT NULL, v", 0, 1,
    "k", "k DESC", "rowid, *", "v", 3,
    { {"k", DT_V_IKEY}, {"name", DT_V_NAME}, {"v", DT_V_ANY} } },
};

/* Values for a non-key column: every storage class and affinity edge. */
static const char *const azAny[] = {
  "NULL", "NULL", "0", "1", "-1", "2", "5", "7", "42",
  "9223372036854775807", "-9223372036854775808",
  "0.0", "-0.0", "1.0", "1.5", "2.5", "-3.25", "1e300",
  "9223372036854775808.0", "1e-5", "5.0",
  "''", "'a'", "'b'", "'abc'", "'5'", "'05'", "' 5'", "'1.0'", "'1e3'",
  "'0x10'", "'A'", "'x''y'", "'9223372036854775808'",
  "CAST(x'ff61' AS TEXT)", "CAST(x'610062' AS TEXT)",
  "x''", "x'00'", "x'61'", "x'ff00ff'", "zeroblob(3)",
};

/* The untyped key: mixed types, equal-comparing int/real pairs, edges. */
static const char *const azUKey[] = {
  "0", "1", "2", "3", "-1", "10", "9223372036854775807",
  "-9223372036854775808", "1.0", "1.5", "-0.0", "0.5", "2.0",
  "9223372036854775808.0", "-9223372036854775808.0", "1e300", "-1e-300",
  "''", "'a'", "'b'", "'ab'", "'B'", "'5'", "'05'", "'1'", "'1.0'",
  "CAST(x'610062' AS TEXT)", "'a '",
  "x''", "x'00'", "x'61'", "x'6100'", "x'ff'", "NULL",
};

/*
** Unusual values for the typed keys (the usual ones are generated).  No
** rowid key may reach 2^63-1: a native table then picks a random rowid for
** the next auto-assigned one, so keys stay small (k*2 is taken mod 64).
*/
static const char *const azIKeyOdd[] = {
  "NULL", "NULL", "'7'", "2.0", "1.5", "'x'", "0", "-1", "' 12'", "'3.0'",
  "'1e1'", "x'01'",
};
static const char *const azTKeyOdd[] = {
  "5", "'5'", "NULL", "x'6b3031'", "'K01'", "''", "1.5",
  "CAST(x'6b3000' AS TEXT)", "'k1'", "-0.0",
};
static const char *const azAKeyOdd[] = {
  "3", "NULL", "'A'", "''", "x'61'", "'a '", "1.5",
};
static const char *const azBKeyOdd[] = {
  "'3'", "1.5", "'x'", "NULL", "-1", "3.0", "'2.0'",
};
static const char *const azNameOdd[] = {
  "NULL", "5", "''", "x'6e30'", "1.5",
};
static const char *const azRowidOdd[] = {
  "NULL", "'5'", "1.5", "'x'", "2.0", "-1",
};

/* Statement-level conflict clauses of INSERT and UPDATE. */
static const char *const azConf[] = {
  "", "OR ABORT ", "OR FAIL ", "OR IGNORE ", "OR REPLACE ", "OR ROLLBACK ",
};

#define ArraySize(a) ((int)(sizeof(a)/sizeof((a)[0])))

/* Pending transaction ops (DtGen.ePend), applied when they succeed. */
#define PEND_SAVE     1
#define PEND_RELEASE  2
#define PEND_ROLLTO   3

int dtSchemaCount(void){ return ArraySize(aSchema); }
const DtSchema *dtSchema(int i){ return &aSchema[i]; }

/*
** The CREATE statement of table zTab.  A native twin of a table whose key
** is not a rowid is declared WITHOUT ROWID.
*/
char *dtCreateSql(const DtSchema *pS, const char *zTab, int bLsm,
                  const char *zOpts){
  if( bLsm ){
    return sqlite3_mprintf("CREATE VIRTUAL TABLE %s USING lsm(%s%s%s)", zTab,
                           pS->zCols, (zOpts && zOpts[0]) ? ", " : "",
                           zOpts ? zOpts : "");
  }
  return sqlite3_mprintf("CREATE TABLE %s(%s)%s", zTab, pS->zCols,
                         pS->bWithoutRowid ? " WITHOUT ROWID" : "");
}

/*
** Seed the generator.  The state is mixed by one splitmix64 step so that
** neighbouring seeds give unrelated streams.
*/
void dtGenInit(DtGen *pGen, const DtSchema *pS, uint64_t iSeed){
  uint64_t z = iSeed + 0x9e3779b97f4a7c15ULL;
  memset(pGen, 0, sizeof(*pGen));
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  z ^= z >> 31;
  pGen->s = z ? z : 1;
  pGen->pS = pS;
}

/*
** Uniform in [0, n): xorshift64* reduced by multiplication.
*/
int dtGenBelow(DtGen *pGen, int n){
  uint64_t x = pGen->s;
  x ^= x >> 12;
  x ^= x << 25;
  x ^= x >> 27;
  pGen->s = x;
  x *= 0x2545f4914f6cdd1dULL;
  return (int)(((x >> 32) * (uint64_t)n) >> 32);
}

/* True with probability iPct percent. */
static int pct(DtGen *g, int iPct){ return dtGenBelow(g, 100) < iPct; }

/* Any entry of a string array. */
#define pick(g, a) ((a)[dtGenBelow((g), ArraySize(a))])

/* Index of the generator's schema in aSchema. */
static int schemaIdx(DtGen *g){ return (int)(g->pS - aSchema); }

/*
** Append a value of class eVal to p.  The typed keys mostly take values of
** their own type from a small domain, sometimes something odd.
*/
static void appendVal(DtGen *g, sqlite3_str *p, int eVal){
  switch( eVal ){
    case DT_V_IKEY:
      if( pct(g, 85) ) sqlite3_str_appendf(p, "%d", 1 + dtGenBelow(g, 30));
      else sqlite3_str_appendall(p, pick(g, azIKeyOdd));
      break;
    case DT_V_TKEY:
      if( pct(g, 85) ) sqlite3_str_appendf(p, "'k%02d'", dtGenBelow(g, 30));
      else sqlite3_str_appendall(p, pick(g, azTKeyOdd));
      break;
    case DT_V_UKEY:
      sqlite3_str_appendall(p, pick(g, azUKey));
      break;
    case DT_V_AKEY:
      if( pct(g, 85) ) sqlite3_str_appendf(p, "'%c'", 'a' + dtGenBelow(g, 6));
      else sqlite3_str_appendall(p, pick(g, azAKeyOdd));
      break;
    case DT_V_BKEY:
      if( pct(g, 85) ) sqlite3_str_appendf(p, "%d", dtGenBelow(g, 6));
      else sqlite3_str_appendall(p, pick(g, azBKeyOdd));
      break;
    case DT_V_NAME:
      if( pct(g, 85) ) sqlite3_str_appendf(p, "'n%d'", dtGenBelow(g, 10));
      else sqlite3_str_appendall(p, pick(g, azNameOdd));
      break;
    default:
      sqlite3_str_appendall(p, pick(g, azAny));
      break;
  }
}

/* A value for the schema-5 rowid. */
static void appendRowid(DtGen *g, sqlite3_str *p){
  if( pct(g, 80) ) sqlite3_str_appendf(p, "%d", 1 + dtGenBelow(g, 40));
  else sqlite3_str_appendall(p, pick(g, azRowidOdd));
}

/*
** A comparison operand for column iCol (-1: the rowid): mostly from the
** column's own domain, sometimes any value (mixed-type operands).
*/
static void appendCmpVal(DtGen *g, sqlite3_str *p, int iCol){
  if( pct(g, 25) ) sqlite3_str_appendall(p, pick(g, azAny));
  else if( iCol<0 ) appendRowid(g, p);
  else appendVal(g, p, g->pS->aCol[iCol].eVal);
}

/* The single key expression ("k" or "rowid"); not for S_COMP. */
static const char *keyName(DtGen *g){
  return schemaIdx(g)==S_NOKEY ? "rowid" : "k";
}

/* Column index of the single key (-1 for the rowid). */
static int keyCol(DtGen *g){ return schemaIdx(g)==S_NOKEY ? -1 : 0; }

/* A random non-key column. */
static int nonKeyCol(DtGen *g){
  int iS = schemaIdx(g);
  int iFirst = (iS==S_NOKEY) ? 0 : (iS==S_COMP ? 2 : 1);
  if( iS==S_COMP ) return 2;
  return iFirst + dtGenBelow(g, g->pS->nCol - iFirst);
}

/*
** A condition on the single key K: every operator the planner may take,
** NULL operands, IN lists with NULL, subqueries on the same table.
*/
static void appendKeyCond(DtGen *g, sqlite3_str *p){
  const char *zK = keyName(g);
  int iK = keyCol(g);
  int e = dtGenBelow(g, 20);
  static const char *const azOp[] = { "=", "<", "<=", ">", ">=" };
  switch( e ){
    case 0: case 1: case 2: case 3: case 4:
      sqlite3_str_appendf(p, "%s %s ", zK, azOp[e]);
      appendCmpVal(g, p, iK);
      break;
    case 5: case 6:
      sqlite3_str_appendf(p, "%s BETWEEN ", zK);
      appendCmpVal(g, p, iK);
      sqlite3_str_appendall(p, " AND ");
      appendCmpVal(g, p, iK);
      break;
    case 7:
      sqlite3_str_appendf(p, "%s IS ", zK);
      appendCmpVal(g, p, iK);
      break;
    case 8:
      sqlite3_str_appendf(p, "%s IS NOT ", zK);
      appendCmpVal(g, p, iK);
      break;
    case 9: case 10: {
      int i, n = dtGenBelow(g, 5);
      sqlite3_str_appendf(p, "%s %sIN (", zK, e==10 ? "NOT " : "");
      for(i=0; i<n; i++){
        if( i ) sqlite3_str_appendall(p, ", ");
        appendCmpVal(g, p, iK);
      }
      if( pct(g, 30) ) sqlite3_str_appendall(p, n ? ", NULL" : "NULL");
      sqlite3_str_appendall(p, ")");
      break;
    }
    case 11: {
      int iC = nonKeyCol(g);
      if( g->bNoSub ) goto range;
      sqlite3_str_appendf(p, "%s IN (SELECT %s FROM $T WHERE %s IS NOT ", zK,
                          zK, g->pS->aCol[iC].zName);
      appendCmpVal(g, p, iC);
      sqlite3_str_appendall(p, ")");
      break;
    }
    case 12:
      if( g->bNoSub ) goto range;
      sqlite3_str_appendf(p, "%s = (SELECT %s(%s) FROM $T)", zK,
                          pct(g, 50) ? "max" : "min", zK);
      break;
    case 13:
      sqlite3_str_appendf(p, "%s > ", zK);
      appendCmpVal(g, p, iK);
      sqlite3_str_appendf(p, " AND %s <= ", zK);
      appendCmpVal(g, p, iK);
      break;
    case 14:
      sqlite3_str_appendf(p, "%s IS %sNULL", zK, pct(g, 50) ? "NOT " : "");
      break;
    case 15:
      sqlite3_str_appendf(p, "%s %s NULL", zK, azOp[dtGenBelow(g, 5)]);
      break;
    case 16:
      if( g->bNoOr ) goto range;
      sqlite3_str_appendf(p, "%s < ", zK);
      appendCmpVal(g, p, iK);
      sqlite3_str_appendf(p, " OR %s > ", zK);
      appendCmpVal(g, p, iK);
      break;
    case 17:
      sqlite3_str_appendf(p, "+%s = ", zK);
      appendCmpVal(g, p, iK);
      break;
    case 18:
      sqlite3_str_appendf(p, "%s = ", zK);
      appendCmpVal(g, p, iK);
      sqlite3_str_appendall(p, " COLLATE NOCASE");
      break;
    default: range:
      sqlite3_str_appendf(p, "%s >= ", zK);
      appendCmpVal(g, p, iK);
      sqlite3_str_appendf(p, " AND %s < ", zK);
      appendCmpVal(g, p, iK);
      break;
  }
}

/*
** A condition on the composite key (a, b): prefix equality plus a range
** on b, ranges on a, row values, a constraint on b alone.
*/
static void appendCompCond(DtGen *g, sqlite3_str *p){
  int e = dtGenBelow(g, 14);
  switch( e ){
    case 0:
      sqlite3_str_appendall(p, "a = "); appendCmpVal(g, p, 0);
      break;
    case 1: case 2: case 3: case 11: {
      static const char *const azB[] = { "b = ", "b > ", "b <= ", "b IN (" };
      sqlite3_str_appendall(p, "a = "); appendCmpVal(g, p, 0);
      sqlite3_str_appendf(p, " AND %s", azB[e==11 ? 3 : e-1]);
      appendCmpVal(g, p, 1);
      if( e==11 ) sqlite3_str_appendall(p, ", 3, NULL)");
      break;
    }
    case 4:
      sqlite3_str_appendall(p, "a > "); appendCmpVal(g, p, 0);
      break;
    case 5:
      sqlite3_str_appendall(p, "a < "); appendCmpVal(g, p, 0);
      sqlite3_str_appendall(p, " AND b >= "); appendCmpVal(g, p, 1);
      break;
    case 6: case 12:
      sqlite3_str_appendf(p, "(a, b) %s (", e==6 ? ">" : "=");
      appendCmpVal(g, p, 0); sqlite3_str_appendall(p, ", ");
      appendCmpVal(g, p, 1); sqlite3_str_appendall(p, ")");
      break;
    case 7:
      sqlite3_str_appendall(p, "(a, b) IN (VALUES(");
      appendCmpVal(g, p, 0); sqlite3_str_appendall(p, ", ");
      appendCmpVal(g, p, 1); sqlite3_str_appendall(p, "), (");
      appendCmpVal(g, p, 0); sqlite3_str_appendall(p, ", ");
      appendCmpVal(g, p, 1); sqlite3_str_appendall(p, "))");
      break;
    case 8:
      sqlite3_str_appendall(p, "b = "); appendCmpVal(g, p, 1);
      break;
    case 9:
      sqlite3_str_appendall(p, "a IN ("); appendCmpVal(g, p, 0);
      sqlite3_str_appendall(p, ", "); appendCmpVal(g, p, 0);
      sqlite3_str_appendall(p, ") AND b < "); appendCmpVal(g, p, 1);
      break;
    case 10:
      sqlite3_str_appendall(p, "a IS "); appendCmpVal(g, p, 0);
      sqlite3_str_appendall(p, " AND b IS "); appendCmpVal(g, p, 1);
      break;
    default:
      sqlite3_str_appendall(p, "a BETWEEN "); appendCmpVal(g, p, 0);
      sqlite3_str_appendall(p, " AND "); appendCmpVal(g, p, 0);
      break;
  }
}

/* A condition on a non-key column. */
static void appendColCond(DtGen *g, sqlite3_str *p){
  static const char *const azType[] = {
    "'null'", "'integer'", "'real'", "'text'", "'blob'"
  };
  int iC = nonKeyCol(g);
  const char *zC = g->pS->aCol[iC].zName;
  switch( dtGenBelow(g, 7) ){
    case 0: sqlite3_str_appendf(p, "%s IS NULL", zC); break;
    case 1: sqlite3_str_appendf(p, "%s IS NOT NULL", zC); break;
    case 2: sqlite3_str_appendf(p, "%s = ", zC); appendCmpVal(g, p, iC); break;
    case 3: sqlite3_str_appendf(p, "%s > ", zC); appendCmpVal(g, p, iC); break;
    case 4:
      sqlite3_str_appendf(p, "typeof(%s) = %s", zC, pick(g, azType));
      break;
    case 5:
      sqlite3_str_appendf(p, "%s IN (", zC); appendCmpVal(g, p, iC);
      sqlite3_str_appendall(p, ", "); appendCmpVal(g, p, iC);
      sqlite3_str_appendall(p, ")");
      break;
    default: sqlite3_str_appendf(p, "%s < ", zC); appendCmpVal(g, p, iC);
  }
}

/* One simple condition: mostly on the key. */
static void appendSimpleCond(DtGen *g, sqlite3_str *p){
  if( pct(g, 70) ){
    if( schemaIdx(g)==S_COMP ) appendCompCond(g, p);
    else appendKeyCond(g, p);
  }else{
    appendColCond(g, p);
  }
}

/* A WHERE condition: simple, or two joined by AND / OR, or negated. */
static void appendCond(DtGen *g, sqlite3_str *p){
  int e = dtGenBelow(g, 10);
  if( e==8 && g->bNoOr ) e = 7;
  if( e<7 ){
    appendSimpleCond(g, p);
  }else if( e<9 ){
    /* A native DELETE or UPDATE changes rows while it scans and evaluates
    ** an uncorrelated subquery lazily, the first time it is reached: past
    ** an OR that can be after some rows changed.  A virtual table's rows
    ** are all read first.  So no subquery on the table under an OR. */
    int bSave = g->bNoSub;
    if( e==8 && g->bWrite ) g->bNoSub = 1;
    sqlite3_str_appendall(p, "(");
    appendSimpleCond(g, p);
    sqlite3_str_appendall(p, e==7 ? ") AND (" : ") OR (");
    appendSimpleCond(g, p);
    sqlite3_str_appendall(p, ")");
    g->bNoSub = bSave;
  }else{
    sqlite3_str_appendall(p, "NOT (");
    appendSimpleCond(g, p);
    sqlite3_str_appendall(p, ")");
  }
}

/* " WHERE <cond>" with probability iPct, else nothing. */
static void appendWhere(DtGen *g, sqlite3_str *p, int iPct){
  if( pct(g, iPct) ){
    sqlite3_str_appendall(p, " WHERE ");
    appendCond(g, p);
  }
}

/* Take the finished string of p into pOut as a DT_SQL statement. */
static void finish(sqlite3_str *p, DtStmt *pOut, int bOrdered){
  pOut->zSql = sqlite3_str_finish(p);
  pOut->eKind = DT_SQL;
  pOut->bOrdered = bOrdered;
}

/*
** Append a value of class eVal (0: a rowid) that a rowid key accepts
** without "datatype mismatch" (so not 1.5, 'x' or x'01').
*/
static void appendIntKey(DtGen *g, sqlite3_str *p, int eVal){
  for(;;){
    sqlite3_str *pTmp = sqlite3_str_new(0);
    char *z;
    if( eVal ) appendVal(g, pTmp, eVal);
    else appendRowid(g, pTmp);
    z = sqlite3_str_finish(pTmp);
    if( strcmp(z, "1.5") && strcmp(z, "'x'") && strcmp(z, "x'01'") ){
      sqlite3_str_appendall(p, z);
      sqlite3_free(z);
      return;
    }
    sqlite3_free(z);
  }
}

/*
** INSERT with a conflict mode, one or several rows, all columns or a
** subset (an omitted column is NULL: no schema has a DEFAULT), and for
** the no-key schema sometimes an explicit rowid.
**
** A native quirk is avoided unless DtGen.bQuirks: inside a transaction,
** a multi-row INSERT OR FAIL / IGNORE / REPLACE / ROLLBACK whose later
** row fails with "datatype mismatch" on a rowid key keeps its earlier rows
** on a native table (SQLite opens no statement journal when no constraint
** can abort; OR ROLLBACK does not even end the transaction), while a
** virtual table's statement is always rolled back as a whole (SQLite sets
** the conflict action only for SQLITE_CONSTRAINT from xUpdate).  So there
** only the first row may carry a non-integer rowid key.
*/
static void genInsert(DtGen *g, DtStmt *pOut, int bMulti){
  const DtSchema *pS = g->pS;
  sqlite3_str *p = sqlite3_str_new(0);
  int aUse[6];
  int i, iRow, nRow = bMulti ? 2 + dtGenBelow(g, 4) : 1;
  int bRowid = schemaIdx(g)==S_NOKEY && pct(g, 30);
  int bFirst = 1;
  int bIntKey = 0;            /* later rows: no mismatching rowid key */
  const char *zConf = pct(g, 5) ? "REPLACE" : pick(g, azConf);
  if( !g->bQuirks && g->bTxn && zConf[0] && strcmp(zConf, "OR ABORT ") ){
    bIntKey = 1;
  }
  if( zConf[0]=='R' ) sqlite3_str_appendall(p, "REPLACE INTO $T(");
  else sqlite3_str_appendf(p, "INSERT %sINTO $T(", zConf);
  if( bRowid ){ sqlite3_str_appendall(p, "rowid"); bFirst = 0; }
  for(i=0; i<pS->nCol; i++){
    aUse[i] = !pct(g, 10) || (i==pS->nCol-1 && bFirst);
    if( aUse[i] ){
      sqlite3_str_appendf(p, "%s%s", bFirst ? "" : ", ", pS->aCol[i].zName);
      bFirst = 0;
    }
  }
  sqlite3_str_appendall(p, ") VALUES");
  for(iRow=0; iRow<nRow; iRow++){
    sqlite3_str_appendall(p, iRow ? ", (" : "(");
    bFirst = 1;
    if( bRowid ){
      if( bIntKey && iRow>0 ) appendIntKey(g, p, 0);
      else appendRowid(g, p);
      bFirst = 0;
    }
    for(i=0; i<pS->nCol; i++){
      if( !aUse[i] ) continue;
      if( !bFirst ) sqlite3_str_appendall(p, ", ");
      if( bIntKey && iRow>0 && pS->aCol[i].eVal==DT_V_IKEY ){
        appendIntKey(g, p, DT_V_IKEY);
      }else{
        appendVal(g, p, pS->aCol[i].eVal);
      }
      bFirst = 0;
    }
    sqlite3_str_appendall(p, ")");
  }
  finish(p, pOut, 1);
}

/*
** INSERT .. SELECT from the table itself, with shifted or derived keys so
** that some rows collide and some do not.
*/
static void genInsertSelect(DtGen *g, DtStmt *pOut){
  static const char *const azIpk[] = {
    "k + 1, a, b", "k + 2, b, a", "k + 5, a, b", "k - 3, a, b",
    "k + 30, a, b", "NULL, a, b", "-k, a, b",
  };
  static const char *const azText[] = {
    "k || '_', i, r, t, n, bl", "upper(k), i, r, t, n, bl",
    "substr(k, 1, 2), i, r, t, n, bl", "i, i, r, t, n, bl",
    "k || '0', n, t, r, i, bl",
  };
  static const char *const azAnyk[] = {
    "k + 1, v", "v, k", "-k, v", "CAST(k AS TEXT), v", "k || 'x', v",
  };
  static const char *const azComp[] = {
    "a, b + 1, c", "upper(a), b, c", "a || 'x', b, c", "c, b, a",
    "a, b - 2, c",
  };
  static const char *const azNokey[] = {
    "y, x", "x || 'x', y",
  };
  static const char *const azNotnull[] = {
    "k + 1, name, v", "k + 3, name || 'x', v", "NULL, name, v",
    "k + 2, v, name",
  };
  sqlite3_str *p = sqlite3_str_new(0);
  const char *zConf = pick(g, azConf);
  switch( schemaIdx(g) ){
    case S_IPK:
      sqlite3_str_appendf(p, "INSERT %sINTO $T(k, a, b) SELECT %s FROM $T",
                          zConf, pick(g, azIpk));
      break;
    case S_TEXT:
      sqlite3_str_appendf(p, "INSERT %sINTO $T(k, i, r, t, n, bl) "
                          "SELECT %s FROM $T", zConf, pick(g, azText));
      break;
    case S_ANY:
      sqlite3_str_appendf(p, "INSERT %sINTO $T(k, v) SELECT %s FROM $T",
                          zConf, pick(g, azAnyk));
      break;
    case S_COMP:
      sqlite3_str_appendf(p, "INSERT %sINTO $T(a, b, c) SELECT %s FROM $T",
                          zConf, pick(g, azComp));
      break;
    case S_NOKEY:
      if( pct(g, 50) ){
        sqlite3_str_appendf(p, "INSERT %sINTO $T(x, y) SELECT %s FROM $T",
                            zConf, pick(g, azNokey));
      }else{
        sqlite3_str_appendf(p, "INSERT %sINTO $T(rowid, x, y) "
                            "SELECT rowid + %d, x, y FROM $T", zConf,
                            1 + dtGenBelow(g, 5));
      }
      break;
    default:
      sqlite3_str_appendf(p, "INSERT %sINTO $T(k, name, v) SELECT %s FROM $T",
                          zConf, pick(g, azNotnull));
      break;
  }
  if( schemaIdx(g)==S_NOKEY ){
    /* no key to collide on: copy a few rows only, or the table explodes */
    appendWhere(g, p, 100);
    sqlite3_str_appendf(p, " ORDER BY rowid DESC LIMIT %d", dtGenBelow(g, 4));
  }else{
    /* ORDER BY: the insertion order (so OR FAIL / REPLACE outcomes and
    ** last_insert_rowid()) must not depend on the query plan */
    appendWhere(g, p, 70);
    sqlite3_str_appendf(p, " ORDER BY %s", g->pS->zKey);
  }
  finish(p, pOut, 1);
}

/*
** UPDATE of non-key columns: constants of every type and expressions,
** with a conflict mode (NOT NULL on schema 6).
*/
static void genUpdate(DtGen *g, DtStmt *pOut){
  static const char *const azExpr[] = {
    "%s || 'x'", "%s + 1", "-%s", "NULL", "typeof(%s)", "CAST(%s AS TEXT)",
    "CAST(%s AS REAL)", "%s * 2", "length(%s)", "(SELECT max(%s) FROM $T)",
    "upper(%s)", "%s",
  };
  sqlite3_str *p = sqlite3_str_new(0);
  int i, n = 1 + pct(g, 30);
  sqlite3_str_appendf(p, "UPDATE %s$T SET ", pct(g, 50) ? "" : pick(g, azConf));
  for(i=0; i<n; i++){
    int iC = nonKeyCol(g);
    const char *zC = g->pS->aCol[iC].zName;
    sqlite3_str_appendf(p, "%s%s = ", i ? ", " : "", zC);
    if( pct(g, 50) ){
      appendVal(g, p, g->pS->aCol[iC].eVal);
    }else{
      const char *zE = pick(g, azExpr);
      /* azExpr entries contain at most one %s */
      sqlite3_str_appendf(p, zE, zC);
    }
  }
  g->bWrite = 1;
  appendWhere(g, p, 80);
  g->bWrite = 0;
  finish(p, pOut, 1);
}

/*
** UPDATE of the key: shifts over ranges (which collide mid-statement),
** constants (which collide with an existing row), derived values.  Its
** outcome depends on the order rows are processed in, so the WHERE has no
** top-level OR (a native table may then use a multi-index OR plan, whose
** order differs from the key order in which the lsm table is scanned).
** Unless DtGen.bQuirks, UPDATE OR REPLACE of the key changes one row
** only: SQLite reads every row of a virtual-table UPDATE before the first
** xUpdate, so when a REPLACE deletes a row that the same statement later
** updates (or re-creates its key), SQLite hands xUpdate stale values,
** where a native table re-reads (or skips) the row.
*/
static void genUpdateKey(DtGen *g, DtStmt *pOut){
  static const char *const azInt[] = {
    "%s = %s + 1", "%s = %s - 1", "%s = %s + 2", "%s = -%s",
    "%s = %s * 2 %% 64", "%s = NULL + %s",
  };
  static const char *const azText[] = {
    "k = k || 'x'", "k = upper(k)", "k = substr(k, 1, 2)", "k = i",
    "k = k || ''",
  };
  static const char *const azAnyk[] = {
    "k = k + 1", "k = -k", "k = CAST(k AS TEXT)", "k = v", "k = k || ''",
  };
  static const char *const azComp[] = {
    "b = b + 1", "b = b - 1", "a = upper(a)", "a = a || 'x', b = b - 1",
    "b = NULL", "a = c",
  };
  sqlite3_str *p = sqlite3_str_new(0);
  int iS = schemaIdx(g);
  const char *zConf = pick(g, azConf);
  sqlite3_str_appendf(p, "UPDATE %s$T SET ", zConf);
  if( pct(g, 30) ){
    if( iS==S_COMP ){
      sqlite3_str_appendall(p, pct(g, 50) ? "a = " : "b = ");
      appendVal(g, p, pct(g, 50) ? DT_V_AKEY : DT_V_BKEY);
    }else{
      sqlite3_str_appendf(p, "%s = ", keyName(g));
      if( iS==S_NOKEY ) appendRowid(g, p);
      else appendVal(g, p, g->pS->aCol[0].eVal);
    }
  }else if( iS==S_IPK || iS==S_NOTNULL || iS==S_NOKEY ){
    const char *zK = keyName(g);
    /* azInt entries name the key twice, or once followed by %s */
    sqlite3_str_appendf(p, pick(g, azInt), zK, zK);
  }else if( iS==S_TEXT ){
    sqlite3_str_appendall(p, pick(g, azText));
  }else if( iS==S_ANY ){
    sqlite3_str_appendall(p, pick(g, azAnyk));
  }else{
    sqlite3_str_appendall(p, pick(g, azComp));
  }
  if( pct(g, 20) && iS!=S_COMP ){
    int iC = nonKeyCol(g);
    sqlite3_str_appendf(p, ", %s = ", g->pS->aCol[iC].zName);
    appendVal(g, p, g->pS->aCol[iC].eVal);
  }
  if( strstr(zConf, "REPLACE") && !g->bQuirks ){
    /* one row only: see the comment above */
    if( iS==S_COMP ){
      sqlite3_str_appendall(p, " WHERE a = "); appendVal(g, p, DT_V_AKEY);
      sqlite3_str_appendall(p, " AND b = "); appendVal(g, p, DT_V_BKEY);
    }else{
      sqlite3_str_appendf(p, " WHERE %s = ", keyName(g));
      appendCmpVal(g, p, keyCol(g));
    }
  }else{
    g->bNoOr = 1;
    appendWhere(g, p, 85);
    g->bNoOr = 0;
  }
  finish(p, pOut, 1);
}

/* DELETE: conditions, a LIMITed subquery on the same table, all rows. */
static void genDelete(DtGen *g, DtStmt *pOut){
  sqlite3_str *p = sqlite3_str_new(0);
  int e = dtGenBelow(g, 40);
  sqlite3_str_appendall(p, "DELETE FROM $T");
  if( e==0 ){
    /* all rows */
  }else if( e<4 && schemaIdx(g)!=S_COMP ){
    sqlite3_str_appendf(p, " WHERE %s IN (SELECT %s FROM $T ORDER BY %s "
                        "LIMIT %d)", keyName(g), keyName(g),
                        pct(g, 50) ? g->pS->zKey : g->pS->zKeyDesc,
                        1 + dtGenBelow(g, 4));
  }else{
    g->bWrite = 1;
    appendWhere(g, p, 100);
    g->bWrite = 0;
  }
  finish(p, pOut, 1);
}

/* The key as a select list: "k", "rowid" or "a, b". */
static const char *keyList(DtGen *g){
  return schemaIdx(g)==S_COMP ? "a, b" : keyName(g);
}

/*
** " ORDER BY ..." for a SELECT of whole rows.  Returns 1 if the order is
** total (then maybe followed by LIMIT/OFFSET), 0 if there is no or a
** partial ORDER BY.
*/
static int appendOrder(DtGen *g, sqlite3_str *p){
  const DtSchema *pS = g->pS;
  int bTotal = 1;
  int e = dtGenBelow(g, 8);
  if( e==0 || e==1 ) return 0;
  if( e==2 || e==3 ){
    sqlite3_str_appendf(p, " ORDER BY %s", pS->zKey);
  }else if( e==4 ){
    sqlite3_str_appendf(p, " ORDER BY %s", pS->zKeyDesc);
  }else if( e==5 ){
    sqlite3_str_appendf(p, " ORDER BY %s, %s", pS->aCol[nonKeyCol(g)].zName,
                        pct(g, 50) ? pS->zKey : pS->zKeyDesc);
  }else if( e==6 && schemaIdx(g)==S_COMP ){
    sqlite3_str_appendall(p, " ORDER BY a, b DESC");
  }else if( e==6 ){
    sqlite3_str_appendf(p, " ORDER BY %s COLLATE NOCASE, %s", keyName(g),
                        keyName(g));
  }else{
    sqlite3_str_appendf(p, " ORDER BY %s DESC", pS->aCol[nonKeyCol(g)].zName);
    bTotal = 0;
  }
  if( bTotal && pct(g, 30) ){
    sqlite3_str_appendf(p, " LIMIT %d", dtGenBelow(g, 6));
    if( pct(g, 50) ) sqlite3_str_appendf(p, " OFFSET %d", dtGenBelow(g, 5));
  }
  return bTotal;
}

/*
** SELECT: row scans with every constraint shape and order, aggregates
** (whose input order is fixed by an ordered subquery where it matters),
** GROUP BY, typeof/quote of every column, a self-join, EXISTS.
*/
static void genSelect(DtGen *g, DtStmt *pOut){
  const DtSchema *pS = g->pS;
  sqlite3_str *p = sqlite3_str_new(0);
  const char *zC = pS->aCol[nonKeyCol(g)].zName;
  int bOrd = 1;
  int i;
  switch( dtGenBelow(g, 16) ){
    case 0: case 1: case 2: case 3:
      sqlite3_str_appendf(p, "SELECT %s FROM $T", pS->zFull);
      appendWhere(g, p, 85);
      bOrd = appendOrder(g, p);
      break;
    case 4:
      sqlite3_str_appendall(p, "SELECT count(*) FROM $T");
      appendWhere(g, p, 80);
      break;
    case 5:
      if( schemaIdx(g)==S_COMP ){
        sqlite3_str_appendall(p, "SELECT min(a), max(a), max(b), count(b) "
                              "FROM $T");
      }else{
        sqlite3_str_appendf(p, "SELECT min(%s), max(%s), count(%s) FROM $T",
                            keyName(g), keyName(g), keyName(g));
      }
      appendWhere(g, p, 60);
      break;
    case 6:
      sqlite3_str_appendf(p, "SELECT sum(%s), total(%s), avg(%s), "
                          "max(%s) FROM (SELECT %s FROM $T", zC, zC, zC, zC,
                          zC);
      appendWhere(g, p, 50);
      sqlite3_str_appendf(p, " ORDER BY %s)", pS->zKey);
      break;
    case 7:
      sqlite3_str_appendf(p, "SELECT group_concat(quote(%s), ',') FROM "
                          "(SELECT %s FROM $T", zC, zC);
      appendWhere(g, p, 50);
      sqlite3_str_appendf(p, " ORDER BY %s)", pct(g, 50) ? pS->zKey
                                                          : pS->zKeyDesc);
      break;
    case 8:
      sqlite3_str_appendf(p, "SELECT typeof(%s), count(*), min(%s) FROM $T",
                          zC, keyList(g));
      appendWhere(g, p, 40);
      sqlite3_str_appendall(p, " GROUP BY 1");
      bOrd = 0;
      break;
    case 9:
      sqlite3_str_appendall(p, "SELECT ");
      for(i=0; i<pS->nCol; i++){
        sqlite3_str_appendf(p, "%stypeof(%s), quote(%s)", i ? ", " : "",
                            pS->aCol[i].zName, pS->aCol[i].zName);
      }
      sqlite3_str_appendall(p, " FROM $T");
      appendWhere(g, p, 60);
      sqlite3_str_appendf(p, " ORDER BY %s", pS->zKey);
      break;
    case 10:
      sqlite3_str_appendf(p, "SELECT count(*) FROM (SELECT * FROM $T");
      appendWhere(g, p, 50);
      sqlite3_str_appendf(p, " LIMIT %d", dtGenBelow(g, 8));
      if( pct(g, 50) ) sqlite3_str_appendf(p, " OFFSET %d", dtGenBelow(g, 8));
      sqlite3_str_appendall(p, ")");
      break;
    case 11:
      if( schemaIdx(g)==S_COMP ){
        sqlite3_str_appendall(p, "SELECT p1.a, p1.b, p2.a, p2.b FROM $T p1, "
                              "$T p2 WHERE p2.a = p1.c AND p2.b >= p1.b "
                              "ORDER BY 1, 2, 3, 4");
      }else{
        sqlite3_str_appendf(p, "SELECT p1.%s, p2.%s FROM $T p1, $T p2 "
                            "WHERE p2.%s %s p1.%s ORDER BY 1, 2", keyName(g),
                            keyName(g), keyName(g), pct(g, 70) ? "=" : "<",
                            zC);
      }
      break;
    case 12:
      sqlite3_str_appendall(p, "SELECT EXISTS(SELECT 1 FROM $T");
      appendWhere(g, p, 100);
      sqlite3_str_appendall(p, ")");
      break;
    case 13:
      if( schemaIdx(g)==S_COMP ){
        sqlite3_str_appendall(p, "SELECT DISTINCT typeof(a), typeof(b) "
                              "FROM $T");
      }else{
        sqlite3_str_appendf(p, "SELECT DISTINCT typeof(%s) FROM $T",
                            keyName(g));
      }
      bOrd = 0;
      break;
    case 14:
      sqlite3_str_appendf(p, "SELECT %s FROM $T ORDER BY %s LIMIT %d "
                          "OFFSET %d", pS->zFull,
                          pct(g, 50) ? pS->zKey : pS->zKeyDesc,
                          dtGenBelow(g, 10), dtGenBelow(g, 10));
      break;
    default:
      sqlite3_str_appendf(p, "SELECT %s, %s FROM $T", zC, keyList(g));
      appendWhere(g, p, 70);
      sqlite3_str_appendf(p, " ORDER BY %s, %s", zC, pS->zKey);
      break;
  }
  finish(p, pOut, bOrd);
}

/*
** Transaction control.  Outside a transaction: BEGIN or a SAVEPOINT (which
** starts one).  Inside: COMMIT, ROLLBACK, nested SAVEPOINT, RELEASE or
** ROLLBACK TO a savepoint on the stack, rarely something invalid.
*/
static void genTxn(DtGen *g, DtStmt *pOut){
  static const char *const azBegin[] = {
    "BEGIN", "BEGIN DEFERRED", "BEGIN IMMEDIATE", "BEGIN TRANSACTION",
  };
  sqlite3_str *p = sqlite3_str_new(0);
  int e = dtGenBelow(g, 20);
  g->ePend = 0;
  if( !g->bTxn && e<12 ){
    sqlite3_str_appendall(p, pick(g, azBegin));
  }else if( (!g->bTxn || e<6) && g->nSave<ArraySize(g->aSave) ){
    g->ePend = PEND_SAVE;
    g->iPend = g->iNextSave++;
    sqlite3_str_appendf(p, "SAVEPOINT s%d", g->iPend);
  }else if( e>=12 && e<16 && g->nSave>0 ){
    g->ePend = PEND_RELEASE;
    g->iPend = dtGenBelow(g, g->nSave);
    sqlite3_str_appendf(p, "RELEASE %ss%d", pct(g, 50) ? "SAVEPOINT " : "",
                        g->aSave[g->iPend]);
  }else if( e>=16 && e<19 && g->nSave>0 ){
    g->ePend = PEND_ROLLTO;
    g->iPend = dtGenBelow(g, g->nSave);
    sqlite3_str_appendf(p, "ROLLBACK TO %ss%d", pct(g, 50) ? "SAVEPOINT " : "",
                        g->aSave[g->iPend]);
  }else if( e==19 ){
    sqlite3_str_appendall(p, pct(g, 50) ? "BEGIN"          /* nested */
                                        : "RELEASE nosuch"); /* no such */
  }else if( e<9 || (e>=12 && pct(g, 50)) ){
    sqlite3_str_appendall(p, pct(g, 80) ? "COMMIT" : "END");
  }else{
    sqlite3_str_appendall(p, "ROLLBACK");
  }
  finish(p, pOut, 1);
}

/*
** Next statement.  Weights: INSERT 37 (13 of them multi-row),
** INSERT..SELECT 5, UPDATE 9, UPDATE of the key 8, DELETE 6, SELECT 28,
** transaction control 6, lsm_flush/lsm_compact 1 (only outside a
** transaction).  Inserts outweigh deletes so tables hold 10-40 rows.
*/
void dtGenNext(DtGen *pGen, DtStmt *pOut){
  int e = dtGenBelow(pGen, 100);
  memset(pOut, 0, sizeof(*pOut));
  pGen->ePend = 0;
  if( e<24 ) genInsert(pGen, pOut, 0);
  else if( e<37 ) genInsert(pGen, pOut, 1);
  else if( e<42 ) genInsertSelect(pGen, pOut);
  else if( e<51 ) genUpdate(pGen, pOut);
  else if( e<59 ) genUpdateKey(pGen, pOut);
  else if( e<65 ) genDelete(pGen, pOut);
  else if( e<93 ) genSelect(pGen, pOut);
  else if( e<99 || pGen->bTxn ) genTxn(pGen, pOut);
  else{
    pOut->zSql = sqlite3_mprintf("SELECT lsm_%s('$T')",
                                 pct(pGen, 50) ? "flush" : "compact");
    pOut->eKind = DT_LSMONLY;
    pOut->bOrdered = 1;
  }
}

/*
** Apply the transaction op of the last statement if it succeeded, then
** take the transaction state from the connection.
*/
void dtGenNote(DtGen *pGen, int rc, int bAutocommit){
  if( rc==SQLITE_OK ){
    switch( pGen->ePend ){
      case PEND_SAVE:
        pGen->aSave[pGen->nSave++] = pGen->iPend;
        break;
      case PEND_RELEASE:
        pGen->nSave = pGen->iPend;
        break;
      case PEND_ROLLTO:
        pGen->nSave = pGen->iPend + 1;
        break;
    }
  }
  pGen->ePend = 0;
  pGen->bTxn = !bAutocommit;
  if( bAutocommit ) pGen->nSave = 0;
}
