/*
** planner.h -- the query planner of the "lsm" virtual table: xBestIndex
** (lsmvBestIndex) turns the constraints SQLite offers on the key into a
** plan, and xFilter (lsmvPlanScan) turns that plan plus the constraint
** values into an LsmvScan: a list of half-open ranges [lo, hi) of encoded
** keys (keycodec.h), a direction, and a LIMIT and OFFSET.  The planner owns
** no state; the cursor owns the LsmvScan it fills.
**
** The key.  A table's key has nPos "positions": one for a rowid table
** (LSMV_KEY_NONE: the rowid, column -1; LSMV_KEY_ROWID_ALIAS: the rowid or
** the alias column, both mean the key), and one per key column, in key
** order, for LSMV_KEY_WITHOUT_ROWID.  The stored key is the concatenation
** of the keycodec encodings of the key's values (a rowid as an INTEGER).
** The hidden column of a composite key (zKeyCol) holds those bytes as a
** BLOB; an ORDER BY on it is an ORDER BY on the whole key.  Keys are never
** NULL: a rowid never is, and a WITHOUT ROWID table rejects a NULL in any
** PRIMARY KEY column (NOT NULL constraint failed), as SQLite's own does.
**
** Plans.  A plan is equality on positions 0..nEq-1 (each "=", "IS", or,
** on position nEq-1 only, "IN" handled all at once), then at most one
** lower bound (>, >=) and one upper bound (<, <=) on position nEq.  BETWEEN
** arrives as >= and <=.  "k IS NULL" (SQLITE_INDEX_CONSTRAINT_ISNULL) on
** any key position makes the plan "empty": keys are never NULL.  When a
** position has several candidates the first "=" wins, then "IS", then an
** IN; other constraints are left to SQLite (argvIndex 0).  An IN on an
** earlier equality position is consumed one value at a time (SQLite calls
** xFilter per value); SQLite then drops orderByConsumed and LIMIT itself.
** At most LSMV_PLAN_MAX_EQ equality positions are used (the rest of a
** longer key is filtered by SQLite).
**
** Collation.  The key compares BINARY.  A constraint whose collation
** (sqlite3_vtab_collation) is not BINARY is never consumed on a key that
** can hold TEXT (any WITHOUT ROWID key); rowids are integers, collation
** does not matter there.  SQLite itself never offers an ORDER BY term
** whose collation differs from the column's (ORDER BY k COLLATE NOCASE
** arrives with nOrderBy==0), nor one with NULLS FIRST/LAST other than the
** default, and columns are BINARY (schema.h rejects other collations).
**
** Affinity (datatype3.html, 4.2).  A constraint value is compared with
** the key column as SQLite compares "column op value" when the value has
** no affinity (a literal, a parameter, most expressions): for a column of
** INTEGER, REAL or NUMERIC affinity (and the rowid) NUMERIC affinity is
** applied to a TEXT value (sqlite3_value_numeric_type: '5' finds 5, '1.5'
** is 1.5, 'abc' stays TEXT), and that holds whatever the operand's
** affinity; for a column of TEXT affinity, TEXT affinity is applied to an
** INTEGER or REAL value (5 finds '5'); a BLOB affinity (untyped) column
** applies none.  IN values get the same.  An operand with BLOB or TEXT
** affinity (an untyped or TEXT column of another table) makes SQLite apply
** no affinity against a TEXT key: "k > o.x" with o.x = 5 then holds for
** every TEXT key.  So on a TEXT-affinity key a number in a > or >= bound
** is widened to "k >= ''" (all TEXT and BLOB keys), which covers both
** readings, and such constraints are not omitted (next paragraph).
** When the operand itself has INTEGER/REAL/NUMERIC affinity (a numeric
** column, a CAST) and the key column has TEXT or BLOB affinity, SQLite
** applies NUMERIC affinity to the key column instead: t.k = o.i with
** o.i = 5 finds '5', '05' and ' 5.0', and every TEXT key that reads as a
** number is below any TEXT operand.  xBestIndex cannot see the operand's
** affinity, so unless every constraint on such a position is a literal
** (sqlite3_vtab_rhs_value) the plan is "wide" (LSMV_PLAN_WIDE): xFilter
** adds the ranges of TEXT keys that could read as a number (first byte
** white space, '+' to '.', or a digit) to each equality or IN there,
** drops an upper bound there, and SQLite re-checks every constraint from
** that position on (none is omitted, no LIMIT is pushed, and a point
** lookup is not reported UNIQUE).
**
** Semantics of the ranges (keycodec.h, lsmvKeyRange): numbers < TEXT <
** BLOB, so "k > 1" includes every TEXT and BLOB key and "k < 'a'" every
** number; NULL is never matched by =, <, <=, >, >= ("k = NULL" and
** "k > NULL" match nothing); "k IS v" with a non-NULL v is "k = v".  IN
** values are encoded, sorted and deduplicated; NULL values are dropped.
** A bound pair that crosses (BETWEEN 5 AND 1) gives no range.
**
** Omit.  The encoding is exact (canonical: a REAL/INTEGER/TEXT mix has no
** rounding), so a consumed constraint gets omit=1 (when SQLite honours it:
** argvIndex <= 16) if its meaning cannot depend on the operand's affinity:
** always on a rowid or a numeric-affinity key; on a TEXT or BLOB affinity
** key only when sqlite3_vtab_rhs_value() shows a literal that is TEXT,
** BLOB or NULL.  Otherwise (a parameter, a column, a number, any IN) SQLite
** re-checks each row, which removes what a widened range let through.
**
** ORDER BY.  orderByConsumed is set when the ORDER BY terms walk the key
** in key order, all ASC or all DESC, where a position fixed by "=" or
** "IS" may be skipped or appear anywhere, and terms after the whole key is
** ordered are free (keys are unique).  DESC scans the ranges backwards.
** Equivalent for DISTINCT and GROUP BY (sqlite3_vtab_distinct 1..3):
** sorted output keeps equal values adjacent.
**
** LIMIT/OFFSET (SQLITE_INDEX_CONSTRAINT_LIMIT/OFFSET, SQLite >= 3.38) are
** taken, both with omit, only when every other constraint SQLite offered
** is consumed and omitted, none is an IN handled value by value, and the
** ORDER BY is consumed or absent.  A negative LIMIT means none (as in
** SQLite); a negative OFFSET counts as 0.
**
** Costs (nRow = the table's estimated row count, LSMV_PLAN_DEFAULT_ROWS if
** unknown): an empty plan costs 1 (1 row, unique); a point lookup (all
** positions "="/"IS") costs 10, estimatedRows 1, SQLITE_INDEX_SCAN_UNIQUE;
** an IN of n values ~10n (n is not known in xBestIndex: LSMV_PLAN_IN_GUESS);
** a range costs one seek (10 + log2 nRow) per start point plus its rows,
** nRow divided by 10 per equality position and by 4 per bound; a full
** scan costs nRow + 10.  More selective plans always cost less.
**
** Plan encoding.  idxNum carries the whole plan (bits below); idxStr is
** only for people (EXPLAIN QUERY PLAN), sqlite3_mprintf'd, for example
**   "k=?"  "k>? AND k<?"  "k IN (...)"  "a=? AND b>=?"  "scan desc"
**   "scan, limit ?, offset ?"  "k>? desc, limit ?"  "empty (k IS NULL)"
** argv order at xFilter: the nEq equality values in key order, then the
** lower bound, the upper bound, the LIMIT and the OFFSET, each if present.
**
** Thread safety: pure functions of their arguments.
*/
#ifndef LSMV_PLANNER_H
#define LSMV_PLANNER_H

#include <sqlite3ext.h>
#include "keycodec.h"
#include "schema.h"

/* Equality positions a plan can use (bits of LSMV_PLAN_IS_MASK). */
#define LSMV_PLAN_MAX_EQ        16

/* Row estimate when the table's size is not known. */
#define LSMV_PLAN_DEFAULT_ROWS  1000000

/* Assumed number of values of an IN list (unknown to xBestIndex). */
#define LSMV_PLAN_IN_GUESS      10

/* idxNum bits.  nEq is idxNum & LSMV_PLAN_NEQ_MASK. */
#define LSMV_PLAN_NEQ_MASK      0x0000001f  /* equality positions, 0..16 */
#define LSMV_PLAN_IS_SHIFT      5           /* bit 5+j: position j is IS */
#define LSMV_PLAN_IS_MASK       0x001fffe0
#define LSMV_PLAN_IN            0x00200000  /* position nEq-1 is an IN */
#define LSMV_PLAN_GT            0x00400000  /* lower bound: > */
#define LSMV_PLAN_GE            0x00800000  /* lower bound: >= */
#define LSMV_PLAN_LT            0x01000000  /* upper bound: < */
#define LSMV_PLAN_LE            0x02000000  /* upper bound: <= */
#define LSMV_PLAN_DESC          0x04000000  /* scan in descending order */
#define LSMV_PLAN_LIMIT         0x08000000  /* an argument is the LIMIT */
#define LSMV_PLAN_OFFSET        0x10000000  /* an argument is the OFFSET */
#define LSMV_PLAN_EMPTY         0x20000000  /* nothing can match */
#define LSMV_PLAN_WIDE          0x40000000  /* values at TEXT/BLOB-affinity
                                            ** positions may be read the
                                            ** numeric way ("Affinity") */

/* One range of encoded keys: lo <= key < hi. */
typedef struct LsmvScanRange LsmvScanRange;
struct LsmvScanRange {
  LsmvBuf lo;                 /* Inclusive lower bound; n==0: from the start */
  LsmvBuf hi;                 /* Exclusive upper bound; n==0: to the end */
};

/*
** What xFilter must read.  Zero-initialise; lsmvPlanScan() resets it
** first; free with lsmvScanFree().  When !bEmpty the ranges are sorted in
** scan order (descending if bDesc) and do not overlap; within a range the
** scan goes from lo to hi (or hi to lo if bDesc).  After skipping iOffset
** rows, at most iLimit rows are returned (iLimit<0: no limit).
*/
typedef struct LsmvScan LsmvScan;
struct LsmvScan {
  int bEmpty;                 /* True if no row can match */
  int bDesc;                  /* Scan in descending key order */
  int nRange;                 /* Ranges in aRange */
  int nRangeAlloc;            /* Allocated size of aRange */
  LsmvScanRange *aRange;      /* aRange[0..nRange) in scan order */
  sqlite3_int64 iLimit;       /* Rows to return, <0 for all */
  sqlite3_int64 iOffset;      /* Rows to skip first, >=0 */
  int bPoint;                 /* A point plan (every key position by = or
                              ** IS, nothing else but LIMIT/OFFSET, no wide
                              ** position): the one range holds at most the
                              ** key aRange[0].lo, so a point lookup (bloom
                              ** filters) serves */
};

/*
** xBestIndex.  Fill pInfo's outputs (aConstraintUsage, idxNum, idxStr,
** needToFreeIdxStr, orderByConsumed, estimatedCost, estimatedRows,
** idxFlags) with the plan described above.  nRowEstimate is the table's
** row count estimate (<=0: unknown).  If bDisable (a test switch), offer
** only a full unordered scan.  Returns SQLITE_OK or SQLITE_NOMEM.
*/
int lsmvBestIndex(const LsmvSchema *pSchema, sqlite3_index_info *pInfo,
                  sqlite3_int64 nRowEstimate, int bDisable);

/*
** xFilter.  Build *pScan from the plan lsmvBestIndex() chose (idxNum; the
** text idxStr is not parsed) and xFilter's argc/argv.  pVtab receives an
** error message (sqlite3_mprintf) if argc does not match the plan.
** Returns SQLITE_OK, SQLITE_NOMEM, or SQLITE_ERROR (plan/argument
** mismatch, or an error reading an IN list).
*/
int lsmvPlanScan(const LsmvSchema *pSchema, int idxNum, const char *idxStr,
                 sqlite3_vtab *pVtab, int argc, sqlite3_value **argv,
                 LsmvScan *pScan);

/* Free the ranges of pScan and zero it. */
void lsmvScanFree(LsmvScan *pScan);

#endif /* LSMV_PLANNER_H */
