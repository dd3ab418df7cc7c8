/*
** difftest_gen.h -- the statement generator of the differential test
** (test/check_difftest.c): six schemas, each created twice, once as an lsm
** virtual table and once as the native table it must behave like, and a
** seeded generator of deterministic SQL statements over a small key domain
** (so conflicts are frequent).  A statement is a template: every "$T" in
** it stands for the table name and is replaced by the runner ("l" for the
** lsm side, "n" for the native side); the generator never emits a '$'
** anywhere else.  The generator tracks the transaction state (open
** transaction, savepoint stack) from what the runner reports after each
** statement, so it emits mostly valid COMMIT / RELEASE / ROLLBACK TO.
** Test code only; single-threaded; no globals (the schema table is const).
*/
#ifndef DIFFTEST_GEN_H
#define DIFFTEST_GEN_H

#include <stdint.h>

/* The table-name placeholder in generated statements. */
#define DT_TAB "$T"

/* Kinds of recorded step (DtStmt.eKind). */
#define DT_SQL       1   /* Run on both sides and compare */
#define DT_LSMONLY   2   /* Run on the lsm side only (lsm_flush...) */
#define DT_RECONNECT 3   /* Close and reopen both connections */
#define DT_CHECK     4   /* Compare the full contents of both tables */

/* Value classes of a column (DtCol.eVal). */
#define DT_V_IKEY  1     /* INTEGER PRIMARY KEY values */
#define DT_V_TKEY  2     /* TEXT PRIMARY KEY values */
#define DT_V_UKEY  3     /* untyped key: every storage class */
#define DT_V_AKEY  4     /* first column (TEXT) of the composite key */
#define DT_V_BKEY  5     /* second column (INTEGER) of the composite key */
#define DT_V_ANY   6     /* non-key column: anything */
#define DT_V_NAME  7     /* TEXT NOT NULL column */

typedef struct DtCol DtCol;
typedef struct DtSchema DtSchema;
typedef struct DtStmt DtStmt;
typedef struct DtGen DtGen;

struct DtCol {
  const char *zName;    /* Column name */
  int eVal;             /* DT_V_* class of the values generated for it */
};

struct DtSchema {
  const char *zName;    /* Short name used in reports */
  const char *zCols;    /* Column definitions, as in both CREATEs */
  int bWithoutRowid;    /* Native twin is declared WITHOUT ROWID */
  int bRowid;           /* Rowid table: compare rowid, last_insert_rowid */
  const char *zKey;     /* Key expression(s): a total ORDER BY */
  const char *zKeyDesc; /* The same, descending */
  const char *zFull;    /* Result columns of the full-content SELECT */
  const char *zInject;  /* Self-check: a column whose INTEGERs to corrupt */
  int nCol;             /* Number of entries in aCol */
  DtCol aCol[6];        /* Declared columns, in order */
};

struct DtStmt {
  char *zSql;           /* Template (sqlite3_malloc), 0 unless SQL/LSMONLY */
  int eKind;            /* DT_SQL, DT_LSMONLY, DT_RECONNECT or DT_CHECK */
  int bOrdered;         /* Result rows come in a defined (total) order */
};

struct DtGen {
  uint64_t s;           /* PRNG state (xorshift64*), never 0 */
  const DtSchema *pS;   /* Schema statements are generated for */
  int bTxn;             /* A transaction is open (from the runner) */
  int nSave;            /* Savepoints on the stack */
  int aSave[16];        /* Savepoint numbers, outermost first */
  int iNextSave;        /* Number for the next savepoint name */
  int ePend;            /* Transaction op of the last statement, or 0 */
  int iPend;            /* Its stack index or savepoint number */
  int bQuirks;          /* Also generate what hits native quirks */
  int bNoOr;            /* While set, conditions have no top-level OR */
  int bWrite;           /* While set, the condition is a DELETE's/UPDATE's */
  int bNoSub;           /* While set, no subquery on the table */
};

/* Number of schemas, and schema i (0 <= i < dtSchemaCount()). */
int dtSchemaCount(void);
const DtSchema *dtSchema(int i);

/*
** The CREATE statement for table zTab of schema pS: a virtual table
** "USING lsm(cols[, zOpts])" if bLsm, else the native table.  The caller
** frees the result with sqlite3_free().
*/
char *dtCreateSql(const DtSchema *pS, const char *zTab, int bLsm,
                  const char *zOpts);

/* Seed a generator for schema pS. */
void dtGenInit(DtGen *pGen, const DtSchema *pS, uint64_t iSeed);

/*
** Fill *pOut with the next statement (DT_SQL or, only outside a
** transaction, DT_LSMONLY).  The caller owns pOut->zSql (sqlite3_free).
*/
void dtGenNext(DtGen *pGen, DtStmt *pOut);

/*
** Report how the last statement ended: rc is its (native side) result
** code, bAutocommit is sqlite3_get_autocommit() afterwards.
*/
void dtGenNote(DtGen *pGen, int rc, int bAutocommit);

/* Uniform in [0, n) from the generator's PRNG (n > 0). */
int dtGenBelow(DtGen *pGen, int n);

#endif /* DIFFTEST_GEN_H */
