/*
** schema.h -- the arguments of CREATE VIRTUAL TABLE t USING lsm(...),
** parsed and validated into an LsmvSchema: the columns (name, declared
** type, affinity, NOT NULL, DEFAULT), the key (none, rowid alias, or a
** WITHOUT ROWID key of one or more columns) and the store's options.
** lsmvSchemaParse() is the only way to build one; it either returns a
** complete, valid schema or fails with a message naming what it rejected.
** Nothing is silently ignored: every constraint is either honoured by the
** table (and recorded here) or rejected.  Parsing only reads its input: it
** touches no file (xConnect runs on schemas of untrusted database files).
**
** Argument forms (each argv[i], i>=3, one top-level comma-separated piece
** of the CREATE text, raw as SQLite hands it over, quotes not removed):
**   column definition    name [type] [column-constraint ...]
**   table constraint     [CONSTRAINT n] PRIMARY KEY(col, ...) [ON CONFLICT x]
**   option               name=value    (first token a bare identifier, then =)
** They may come in any order.  With no column definition at all the table
** gets DESIGN.md's default columns (key PRIMARY KEY, value).
**
** Key kinds (what the table stores as the LSM key), and the schema that
** lsmvSchemaDeclare() hands to sqlite3_declare_vtab():
**   LSMV_KEY_NONE          no PRIMARY KEY: an auto-assigned rowid.
**                          Declared as a rowid table.
**   LSMV_KEY_ROWID_ALIAS   one column declared with type exactly "INTEGER"
**                          (any case) and PRIMARY KEY, not DESC: the column
**                          is the rowid.  Declared as a rowid table with the
**                          column as a plain INTEGER column (INTEGER PRIMARY
**                          KEY is not a rowid alias in a vtab declaration):
**                          the table code maps the rowid to it.
**   LSMV_KEY_WITHOUT_ROWID any other key.  One column: declared
**                          PRIMARY KEY(col) WITHOUT ROWID.  Several columns:
**                          an extra last column zKeyCol (default "_key"),
**                          declared HIDDEN, is the declared single-column
**                          PRIMARY KEY (SQLite requires one for a writable
**                          WITHOUT ROWID vtab); it holds the encoded key.
**
** Facts of SQLite 3.40's sqlite3_declare_vtab() this relies on (checked
** by test/check_schema.c): NOT NULL is accepted and shown by PRAGMA
** table_info, but not enforced (the table must enforce it); DEFAULT is
** parsed and checked for constness, then dropped: a column left out of an
** INSERT arrives in xUpdate as NULL, exactly like an explicit NULL, so the
** table must evaluate zDefault itself.
**
** Thread safety: the functions are reentrant; an LsmvSchema is immutable
** once built and may be read from any thread.
*/
#ifndef LSMV_SCHEMA_H
#define LSMV_SCHEMA_H

#include <sqlite3ext.h>
#include "lsmcore.h"

#include <stdint.h>

/* Column affinities, with the letters SQLite uses internally. */
#define LSMV_AFF_BLOB     'A'   /* BLOB in the type, or no type */
#define LSMV_AFF_TEXT     'B'   /* CHAR, CLOB or TEXT in the type */
#define LSMV_AFF_NUMERIC  'C'   /* anything else */
#define LSMV_AFF_INTEGER  'D'   /* INT in the type (wins over everything) */
#define LSMV_AFF_REAL     'E'   /* REAL, FLOA or DOUB in the type */

/* Key kinds (LsmvSchema.eKey); see the header comment. */
#define LSMV_KEY_NONE           0
#define LSMV_KEY_ROWID_ALIAS    1
#define LSMV_KEY_WITHOUT_ROWID  2

/* Upper bounds on what a CREATE may ask for (H5: bounded arguments). */
#define LSMV_MAX_COLUMN    2000  /* columns, as SQLITE_MAX_COLUMN */
#define LSMV_MAX_PATH      512   /* bytes in the path option */

/*
** Conflict clauses ("ON CONFLICT x") are recorded with the values that
** sqlite3_vtab_on_conflict() returns: SQLITE_ROLLBACK, SQLITE_IGNORE,
** SQLITE_FAIL, SQLITE_ABORT, SQLITE_REPLACE; 0 means no clause was given.
*/

typedef struct LsmvColumn LsmvColumn;
typedef struct LsmvOptions LsmvOptions;
typedef struct LsmvSchema LsmvSchema;

struct LsmvColumn {
  char *zName;          /* Name, dequoted ("x", [x], `x`, 'x' give x) */
  char *zType;          /* Declared type as written, e.g. "DECIMAL(10, 2)";
                        ** NULL if none.  Re-declared verbatim */
  char eAffinity;       /* LSMV_AFF_*, computed from zType as SQLite does */
  char bNotNull;        /* NOT NULL was declared */
  char bKey;            /* Part of the PRIMARY KEY */
  char bUnique;         /* UNIQUE was declared (only allowed on the key) */
  int eNotNullConflict; /* ON CONFLICT of NOT NULL, or 0 */
  char *zDefault;       /* DEFAULT value as written, NULL if none: a signed
                        ** number, 'string', X'blob', NULL, TRUE, FALSE,
                        ** CURRENT_TIME/DATE/TIMESTAMP or "(expr)".  Valid
                        ** as an SQL expression: evaluate "SELECT <zDefault>" */
};

struct LsmvOptions {
  char *zPath;          /* path=, validated by lsmvPathCheck; NULL: default */
  int eSync;            /* LSMC_SYNC_OFF/NORMAL/FULL        (NORMAL) */
  int eCompaction;      /* LSMC_COMPACTION_*                (LEVELED) */
  int64_t nMemtable;    /* memtable_size bytes [4K, 1G]     (32M) */
  int64_t nBlock;       /* block_size bytes [256, 1M]       (4K) */
  int64_t nBloomBits;   /* bloom_bits per key [0, 32]       (10) */
  int64_t nCache;       /* cache_size bytes [0, 64G]        (32M) */
  int64_t nFifoMax;     /* fifo_max_size bytes [64K, 2^50]  (1G) */
};

struct LsmvSchema {
  char *zDb;            /* argv[1]: "main", "temp" or an attached name */
  char *zTable;         /* argv[2]: the virtual table's name */
  int nCol;             /* Columns the user declared (hidden key excluded) */
  LsmvColumn *aCol;     /* aCol[0..nCol) in declaration order */
  int eKey;             /* LSMV_KEY_* */
  int nKey;             /* Key columns: 0 for NONE, 1 for ROWID_ALIAS */
  int *aiKey;           /* aiKey[0..nKey): column index, in key order */
  int eKeyConflict;     /* ON CONFLICT of the PRIMARY KEY, or 0 */
  int bAutoincrement;   /* AUTOINCREMENT (ROWID_ALIAS only) */
  char *zKeyCol;        /* Composite key: name of the hidden key column,
                        ** declared at index nCol; NULL otherwise */
  LsmvOptions opt;      /* Store options (defaults where not given) */
};

/*
** Parse xCreate/xConnect's argv (argv[0] module, argv[1] database, argv[2]
** table, argv[3..argc) the arguments).  On success return SQLITE_OK and
** set *ppSchema to a new schema (free with lsmvSchemaFree()).  On failure
** set *ppSchema to NULL, return SQLITE_ERROR or SQLITE_NOMEM, and set
** *pzErr to a message from sqlite3_mprintf() naming the offending column,
** option or constraint (caller frees with sqlite3_free(); NULL on NOMEM).
*/
int lsmvSchemaParse(int argc, const char *const *argv, LsmvSchema **ppSchema,
                    char **pzErr);

/*
** Where each column's value lives: aiKeyPos[iCol] is its position in the
** key (-1: not a key column), aiRec[iCol] its index in the record (-1: a
** key column); both arrays have pS->nCol+1 entries (the last, for a
** hidden key column, is -1 in both).  Returns the number of columns in a
** record.  The table (table.c) and lsmctl's row decoder use it.
*/
int lsmvSchemaColumnMap(const LsmvSchema *pS, int *aiKeyPos, int *aiRec);

/* Free a schema from lsmvSchemaParse().  NULL is a no-op. */
void lsmvSchemaFree(LsmvSchema *pSchema);

/*
** The engine options of a table with store options pO (engineopts.c): env
** pEnv (NULL: the default), LSMC_OPT_CREATE = bCreate.  *ppOpts gets new
** options (free with lsmc_options_free()); LSMC_OK or an error, with
** *ppOpts NULL.
*/
int lsmvEngineOptions(const LsmvOptions *pO, lsmc_env *pEnv, int bCreate,
                      lsmc_options **ppOpts);

/*
** The "CREATE TABLE x(...)" text for sqlite3_declare_vtab() (mapping in
** the header comment).  Caller frees with sqlite3_free(); NULL on NOMEM.
*/
char *lsmvSchemaDeclare(const LsmvSchema *pSchema);

/*
** Validate the text of a path= option syntactically: it must be relative,
** at most LSMV_MAX_PATH bytes of valid UTF-8 with no control character,
** and made of non-empty components none of which is "." or "..".  A NUL
** cannot occur inside a C string, so an embedded NUL simply ends the path
** SQLite hands over (SQLite's own tokenizer stops at it too).  Return
** SQLITE_OK, or SQLITE_ERROR with *pzErr set (sqlite3_mprintf; may be NULL
** on NOMEM).  Symbolic links are checked when the store is opened.
*/
int lsmvPathCheck(const char *zPath, char **pzErr);

#endif /* LSMV_SCHEMA_H */
