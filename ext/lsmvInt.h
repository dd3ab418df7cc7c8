/*
** lsmvInt.h -- the internal interfaces of the "lsm" virtual-table module,
** shared by its files:
**   lsmvtab.c    the entry point: registers the module and the functions
**   table.c      a table's lifecycle: xCreate/xConnect/xDisconnect/
**                xDestroy/xRename, the lazily opened store, temporary
**                stores, the mapping of engine errors to SQLite's
**   cursor.c     xBestIndex and the cursor (xOpen ... xRowid)
**   update.c     xUpdate: affinity, NOT NULL, DEFAULT, conflicts
**   txn.c        xBegin/xSync/xCommit/xRollback and savepoints
**   functions.c  lsm_stats, lsm_flush, lsm_compact, lsm_check
**
** Objects and ownership:
**   LsmvModule   one per database connection (the module's client data,
**                freed by SQLite when the connection closes or the module
**                is replaced).  Lists the connection's connected tables
**                (not owned) and owns its temporary stores' records.
**   LsmvTemp     a temporary store (an in-memory or temp database): a
**                private directory made by mkdtemp() on first use, named
**                by (schema, table), kept across reconnects of the table
**                (SQLite disconnects and reconnects tables when it resets
**                a schema) and deleted when the connection closes or the
**                table is dropped.
**   LsmvTab      one per (connection, table): owns the parsed schema, the
**                engine handle (opened on first use, never in xConnect),
**                the transaction's batch, savepoint marks and a prepared
**                commit.  Connections share one engine per store through
**                lsmc_open's registry.
**   LsmvCursor   one per open cursor: owns its LsmvScan, its iterator
**                (one per xFilter, reading an implicit snapshot taken
**                then, plus the batch as it was then) and row decoders.
**
** Keys and records (keycodec.h, rowcodec.h).  A rowid table (no key, or an
** INTEGER PRIMARY KEY) stores the rowid, key-encoded as an INTEGER, as the
** LSM key; a WITHOUT ROWID table stores the concatenated encodings of its
** key columns.  The LSM value is a record of the non-key columns in
** declaration order (aiRec maps a column to its record index), plus the
** key-class entries of REAL key values.
**
** Thread safety: as SQLite's: a connection (and so everything here) is
** used by one thread at a time; the engine is thread-safe.
*/
#ifndef LSMV_INT_H
#define LSMV_INT_H

#include <sqlite3ext.h>
#include "lsmcore.h"
#include "lsmvtab.h"
#include "keycodec.h"
#include "rowcodec.h"
#include "schema.h"
#include "planner.h"

SQLITE_EXTENSION_INIT3

#define LSMVTAB_VERSION "0.2.0"

/* LsmvTab.eMax: the cache of the largest rowid (update.c). */
#define LSMV_MAX_UNKNOWN  0       /* Not computed in this transaction */
#define LSMV_MAX_KNOWN    1       /* iMaxRowid is the largest rowid */
#define LSMV_MAX_EMPTY    2       /* The table has no row */

typedef struct LsmvTemp LsmvTemp;
typedef struct LsmvTab LsmvTab;
typedef struct LsmvCursor LsmvCursor;

struct LsmvModule {
  sqlite3 *db;                /* The connection */
  int bAllowOutside;          /* LSMVTAB_ALLOW_ANY_PATH=1 at load time */
  int bFullScanOnly;          /* Test switch (lsmvtabSetFullScan, or
                              ** LSMVTAB_TEST_FULL_SCAN=1): the planner
                              ** offers only full scans (TESTPLAN E2) */
  lsmc_env *pEnv;             /* The engine's env: NULL = the default
                              ** (POSIX); a test's fault env otherwise
                              ** (lsmvtab.h), not owned */
  LsmvTab *pTabList;          /* Connected tables (not owned) */
  LsmvTemp *pTempList;        /* Temporary stores (owned) */
};

struct LsmvTemp {
  char *zDb;                  /* Schema name ("main", "temp", ...) */
  char *zTable;               /* Table name */
  char *zDir;                 /* The mkdtemp() directory; NULL until used */
  LsmvTemp *pNext;            /* Next in LsmvModule.pTempList */
};

struct LsmvTab {
  sqlite3_vtab base;          /* Base class; must be first */
  LsmvModule *pMod;           /* The connection's module data */
  sqlite3 *db;                /* The connection */
  LsmvSchema *pSchema;        /* Columns, key, options (owned) */
  char *zDir;                 /* Store directory; NULL for a temp store */
  char *aDeclArg;             /* The CREATE arguments (argv[3...]), each
                              ** followed by a NUL: the declaration kept
                              ** in the store (table.c) */
  int nDeclArg;               /* Bytes in aDeclArg */
  int bTemp;                  /* Store lives in an LsmvTemp directory */
  lsmc_db *pDb;               /* Engine handle; NULL until first use */
  int nRec;                   /* Columns in a record (the non-key ones) */
  int *aiRec;                 /* aiRec[iCol]: record index, -1 for a key */
  int *aiKeyPos;              /* aiKeyPos[iCol]: key position, or -1 */
  /* Transaction state (txn.c) */
  lsmc_batch *pBatch;         /* Writes of the open transaction */
  int bInTrans;               /* Between xBegin and xCommit/xRollback */
  lsmc_commit *pCommit;       /* Prepared by xSync, applied by xCommit */
  size_t *aMark;              /* aMark[i]: batch mark of savepoint i */
  int nMark;                  /* Savepoints with a mark */
  int nMarkAlloc;             /* Allocated size of aMark */
  size_t iBaseMark;           /* Mark of the empty batch (xBegin) */
  int eMax;                   /* LSMV_MAX_*: what iMaxRowid says */
  sqlite3_int64 iMaxRowid;    /* Cache for auto rowids (in a transaction) */
  /* xUpdate scratch (update.c), reused across calls */
  sqlite3_stmt *pDefault;     /* "SELECT <default>, ..." or NULL */
  LsmvValue *aVal;            /* New row values, one per column */
  sqlite3_value **apTmp;      /* Converted values to free, one per column */
  LsmvBuf key;                /* Encoded new key */
  LsmvBuf oldKey;             /* Encoded old key */
  LsmvBuf rec;                /* Encoded record */
  LsmvBuf scratch;            /* Unescaped TEXT/BLOB of a decoded key */
  LsmvValue *aOldKey;         /* Decoded old key values, one per position */
  LsmvCursor *pSpare;         /* A closed cursor kept for the next xOpen,
                              ** with its buffers (cursor.c), or NULL */
  LsmvTab *pNext;             /* Next in LsmvModule.pTabList */
};

struct LsmvCursor {
  sqlite3_vtab_cursor base;   /* Base class; must be first */
  LsmvScan scan;              /* What xFilter must read */
  int iRange;                 /* Current range in scan.aRange */
  lsmc_iter *pIter;           /* Iterator over the ranges' hull; NULL for
                              ** a point lookup (scan.bPoint) */
  void *pPointRec;            /* Record a point lookup returned (from
                              ** lsmc_get_batch: free with lsmc_free) */
  int bEof;                   /* No current row */
  sqlite3_int64 nLeft;        /* Rows still to return, <0 for no limit */
  const uint8_t *aKey;        /* Current key (the iterator's) */
  int nKey;                   /* Bytes in aKey */
  const uint8_t *aRec;        /* Current record (the iterator's) */
  int nRec;                   /* Bytes in aRec */
  int bRowOpen;               /* row holds aRec */
  LsmvRow row;                /* Lazily opened record */
  int bKeyDecoded;            /* aKeyVal holds the decoded key */
  LsmvValue *aKeyVal;         /* Decoded key values, one per position */
  LsmvBuf keyScratch;         /* Unescaped TEXT/BLOB of the decoded key */
};

/* table.c */
extern sqlite3_module lsmvModule;
int lsmvTabStore(LsmvTab *p);
int lsmvTabError(LsmvTab *p, int rc, const char *zWhat);
void lsmvTabSetError(LsmvTab *p, const char *zFmt, ...);
void lsmvModuleFree(void *pArg);
LsmvTab *lsmvTabFind(LsmvModule *pMod, const char *zDb, const char *zTable);

/* cursor.c */
int lsmvXBestIndex(sqlite3_vtab *pVtab, sqlite3_index_info *pInfo);
int lsmvXOpen(sqlite3_vtab *pVtab, sqlite3_vtab_cursor **ppCur);
int lsmvXClose(sqlite3_vtab_cursor *pCur);
void lsmvCursorFreeSpare(LsmvTab *p);
int lsmvXFilter(sqlite3_vtab_cursor *pCur, int idxNum, const char *idxStr,
                int argc, sqlite3_value **argv);
int lsmvXNext(sqlite3_vtab_cursor *pCur);
int lsmvXEof(sqlite3_vtab_cursor *pCur);
int lsmvXColumn(sqlite3_vtab_cursor *pCur, sqlite3_context *pCtx, int iCol);
int lsmvXRowid(sqlite3_vtab_cursor *pCur, sqlite3_int64 *piRowid);

/* update.c */
int lsmvXUpdate(sqlite3_vtab *pVtab, int argc, sqlite3_value **argv,
                sqlite3_int64 *piRowid);
void lsmvUpdateFree(LsmvTab *p);

/* txn.c */
int lsmvXBegin(sqlite3_vtab *pVtab);
int lsmvXSync(sqlite3_vtab *pVtab);
int lsmvXCommit(sqlite3_vtab *pVtab);
int lsmvXRollback(sqlite3_vtab *pVtab);
int lsmvXSavepoint(sqlite3_vtab *pVtab, int iSavepoint);
int lsmvXRelease(sqlite3_vtab *pVtab, int iSavepoint);
int lsmvXRollbackTo(sqlite3_vtab *pVtab, int iSavepoint);
lsmc_batch *lsmvTxnBatch(LsmvTab *p);
void lsmvTxnFree(LsmvTab *p);

/* functions.c */
int lsmvFunctionsRegister(sqlite3 *db, LsmvModule *pMod);


#endif /* LSMV_INT_H */
