/*
** sql_bench.c -- the same workloads through SQL against three tables at
** equal memory: (a) "lsm", a virtual table of the lsm module loaded from
** the production extension (lsmvtab.so), (b) "rowid", a native table
** (k INTEGER PRIMARY KEY, v BLOB), and (c) "worowid", a native table
** (k BLOB PRIMARY KEY, v BLOB) WITHOUT ROWID.
**
** Memory: the lsm table gets memtable_size=M and cache_size=C; the native
** databases get PRAGMA cache_size=-(M+C)/1024 (KiB), journal_mode=WAL,
** synchronous=NORMAL and mmap off (mmap_size=0, SQLite's default, set
** explicitly).  The lsm table keeps its default sync mode (normal).  Its
** own database file, which holds only the schema, also gets WAL and
** synchronous=NORMAL (and SQLite's default page cache), so the only
** difference between the runs is the table: in the default rollback
** journal mode every autocommit SELECT pays file locking syscalls for that
** file, which halves the point lookup rate (--lsm_wal=0 measures that).
**
** Keys: key number i is the 16-byte text "%016llu" bound as a BLOB for lsm
** and worowid, the integer i for rowid.  readmissing looks up keys that are
** never written: "%015llu." (lsm, worowid) or num + i (rowid).  Values are
** value_size bytes cut from a pool of pseudo-random bytes (fixed seed),
** bound with SQLITE_STATIC.  Random key numbers come from splitmix64 with a
** fixed seed per workload position, so every table sees the same sequence.
**
** Workloads (in this order by default): fillseq, fillrandom, overwrite
** (1,000 rows per BEGIN/COMMIT; fillseq uses INSERT, the random fills
** INSERT OR REPLACE), readrandom, readmissing, range (WHERE k>=? ORDER BY k
** LIMIT 100), count (count(*)), scan (sum(length(v))) and deleterandom
** (num/10 DELETEs by key, 1,000 per transaction).  fillseq and fillrandom
** start from a new database file; the others use what is there.
**
** Process layout: for every table the parent forks a child that opens one
** connection on a fresh database file in a mkdtemp() directory (reopened
** on a new file for fillseq and fillrandom), runs every workload and sends
** one fixed-size SqlbRecord per workload back through a pipe.  The parent
** prints a line per record, takes the child's peak RSS (ru_maxrss) from
** wait4() and, after every run, cross-checks the tables: the row count
** after each workload, and the found counts of the reads, range, scan and
** deleterandom, must agree (they hold the same data).  A mismatch makes
** the exit status 1.  With --runs=R the whole sequence runs R times (run r
** starts with the r-th table, so the tables take turns) and the comparison
** table shows the median per cell.
**
** State lives in one Sqlb object (parent) and one SqlbConn (child): no
** mutable globals.  Any SQLite error prints sqlite3_errmsg() and exits 1.
** The helpers shared with db_bench (clock, splitmix64 and value pool,
** directory sizes, argument parsing, medians, machine description,
** gnuplot) are in bench_util.c.
*/
#ifndef _GNU_SOURCE
# define _GNU_SOURCE     /* asprintf, wait4, nftw */
#endif
#include "bench_util.h"

#include <sqlite3.h>

#include <errno.h>
#include <ftw.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#define SQLB_KEY_SIZE    16          /* Bytes per BLOB key */
#define SQLB_TXN_ROWS    1000        /* Rows per write transaction */
#define SQLB_SEED        301         /* Seed of every generator */
#define SQLB_MB          1048576.0   /* Bytes per MB in the output */
#define SQLB_MAX_RUNS    99          /* Upper bound of --runs */
#define SQLB_MAX_LIST    32          /* Upper bound of --benchmarks names */
#define SQLB_SCRIPT      "plot_sql.gp"  /* The gnuplot script */

#define SQLB_DEFAULT_LIST "fillseq,fillrandom,overwrite,readrandom," \
  "readmissing,range,count,scan,deleterandom"

/* The tables, in the order of the columns of the comparison. */
#define SQLB_LSM       0
#define SQLB_ROWID     1
#define SQLB_WOROWID   2
#define SQLB_NTABLE    3

/* SqlbWorkload.eKind: what a workload's loop does. */
#define SQLB_WRITE     0   /* Keyed statement per op, 1,000 per txn */
#define SQLB_POINT     1   /* Point SELECT per op */
#define SQLB_RANGE     2   /* Range SELECT per op, rows counted */
#define SQLB_AGG       3   /* One aggregate SELECT */

/* SqlbWorkload.eOps: how many operations. */
#define SQLB_OPS_NUM   0   /* --num */
#define SQLB_OPS_READS 1   /* --reads */
#define SQLB_OPS_TENTH 2   /* --num / 10 (at least 1) */
#define SQLB_OPS_ONE   3   /* One statement; rows/s reported */

/* SqlbWorkload.eKey: which key numbers. */
#define SQLB_KEY_SEQ     0   /* 0, 1, ..., ops-1 */
#define SQLB_KEY_RANDOM  1   /* Random in [0, num) */
#define SQLB_KEY_MISSING 2   /* Random, in a never-written form */

typedef struct Sqlb Sqlb;
typedef struct SqlbConfig SqlbConfig;
typedef struct SqlbConn SqlbConn;
typedef struct SqlbRecord SqlbRecord;
typedef struct SqlbTable SqlbTable;
typedef struct SqlbWorkload SqlbWorkload;

/* One of the three tables. */
struct SqlbTable {
  const char *zName;       /* Name in --tables and in the output */
  const char *zCreate;     /* CREATE statement; lsm: printf format */
  int bIntKey;             /* Keys are integers (else 16-byte BLOBs) */
  int bLsm;                /* The lsm virtual table */
};

/* A named workload. */
struct SqlbWorkload {
  const char *zName;       /* Name used in --benchmarks */
  int eKind;               /* SQLB_WRITE, _POINT, _RANGE or _AGG */
  int eOps;                /* SQLB_OPS_*: how many operations */
  int eKey;                /* SQLB_KEY_*: which keys */
  int bFresh;              /* Starts from a new database file */
  int bCheck;              /* Found counts must agree across tables */
  const char *zSql;        /* The statement; ?1 key, ?2 value */
};

/* The command line. */
struct SqlbConfig {
  const char *zList;       /* --benchmarks: comma-separated names */
  long long nNum;          /* --num: key range and fill size */
  long long nReads;        /* --reads: lookups (-1: num/10) */
  long long nValue;        /* --value_size: bytes per value */
  long long nMemtable;     /* --memtable_size of the lsm table, bytes */
  long long nCache;        /* --cache_size of the lsm table, bytes */
  long long nRuns;         /* --runs: repetitions of the sequence */
  long long bLsmWal;       /* --lsm_wal: the lsm table's db file in WAL */
  unsigned mTable;         /* --tables: bit (1<<SQLB_x) per table */
  const char *zExt;        /* --ext: the extension, NULL: search */
  const char *zReport;     /* --report: Markdown file, or NULL */
  const char *zDat;        /* --dat: gnuplot data file, or NULL */
  const char *zPng;        /* --png: chart to draw, or NULL */
  const char *zPlot;       /* --plot: the gnuplot script, NULL: search */
  const char *zArgv0;      /* argv[0], to find the script near the binary */
};

/*
** What one workload did on one table, sent from the child to the parent
** through the pipe in one write() (far smaller than PIPE_BUF).
*/
struct SqlbRecord {
  int iPos;                /* Position of the workload in the list */
  long long nOps;          /* Operations done (rows for count and scan) */
  long long nFound;        /* Found rows / rows read / deleted / bytes */
  long long nRows;         /* count(*) after the workload */
  unsigned long long nBytes; /* Column bytes the SELECTs returned */
  double rSec;             /* Elapsed wall time, seconds */
  unsigned long long nSize;  /* Bytes on disk after the workload */
};

/* The whole run, in the parent (the children get a copy by fork). */
struct Sqlb {
  SqlbConfig cfg;          /* Settings from the command line */
  char *zExt;              /* Path of the extension to load, or NULL */
  char *zTmp;              /* mkdtemp() directory of the databases */
  unsigned char *aPool;    /* BENCH_POOL_SIZE + nValue random bytes */
  int aList[SQLB_MAX_LIST];  /* Workloads to run, indexes in aWorkload */
  int nList;               /* Entries in aList */
  SqlbRecord *aRec;        /* [run][table][position] results */
  long long *aRss;         /* [run][table] peak RSS in KiB, -1: not run */
  int nMismatch;           /* Cross-check failures so far */
  char zMachine[512];      /* CPU model, cores, RAM, kernel */
  char zDate[64];          /* When the run started */
};

/* One connection of a child on its table. */
struct SqlbConn {
  const Sqlb *p;           /* The run */
  const SqlbTable *pT;     /* The table */
  sqlite3 *db;             /* Open connection, or NULL */
  char *zDb;               /* Database file */
  char *zStore;            /* lsm: the store directory beside it */
  unsigned long long iRand;  /* splitmix64 state of the workload */
  unsigned iPool;          /* Offset of the next value in aPool */
};

static const SqlbTable aTable[SQLB_NTABLE] = {
  { "lsm", "CREATE VIRTUAL TABLE t USING lsm(k BLOB PRIMARY KEY, v BLOB, "
           "memtable_size='%lld', cache_size='%lld')", 0, 1 },
  { "rowid", "CREATE TABLE t(k INTEGER PRIMARY KEY, v BLOB)", 1, 0 },
  { "worowid", "CREATE TABLE t(k BLOB PRIMARY KEY, v BLOB) WITHOUT ROWID",
    0, 0 },
};

#define SQLB_REPLACE "INSERT OR REPLACE INTO t(k, v) VALUES(?1, ?2)"
#define SQLB_POINT_SQL "SELECT v FROM t WHERE k=?1"

/* Every workload, in the default order. */
static const SqlbWorkload aWorkload[] = {
  /* zName        eKind       eOps            eKey         Fresh Check */
  { "fillseq",    SQLB_WRITE, SQLB_OPS_NUM,   SQLB_KEY_SEQ,     1, 0,
    "INSERT INTO t(k, v) VALUES(?1, ?2)" },
  { "fillrandom", SQLB_WRITE, SQLB_OPS_NUM,   SQLB_KEY_RANDOM,  1, 0,
    SQLB_REPLACE },
  { "overwrite",  SQLB_WRITE, SQLB_OPS_NUM,   SQLB_KEY_RANDOM,  0, 0,
    SQLB_REPLACE },
  { "readrandom", SQLB_POINT, SQLB_OPS_READS, SQLB_KEY_RANDOM,  0, 1,
    SQLB_POINT_SQL },
  { "readmissing", SQLB_POINT, SQLB_OPS_READS, SQLB_KEY_MISSING, 0, 1,
    SQLB_POINT_SQL },
  { "range",      SQLB_RANGE, SQLB_OPS_READS, SQLB_KEY_RANDOM,  0, 1,
    "SELECT k, v FROM t WHERE k>=?1 ORDER BY k LIMIT 100" },
  { "count",      SQLB_AGG,   SQLB_OPS_ONE,   SQLB_KEY_SEQ,     0, 1,
    "SELECT count(*) FROM t" },
  { "scan",       SQLB_AGG,   SQLB_OPS_ONE,   SQLB_KEY_SEQ,     0, 1,
    "SELECT sum(length(v)) FROM t" },
  { "deleterandom", SQLB_WRITE, SQLB_OPS_TENTH, SQLB_KEY_RANDOM, 0, 1,
    "DELETE FROM t WHERE k=?1" },
};
#define SQLB_NWORK ((int)(sizeof(aWorkload)/sizeof(aWorkload[0])))

/* ---------------------------------------------------------- helpers */

/* The record of (run, table, position) in p->aRec. */
static SqlbRecord *sqlbRec(const Sqlb *p, int iRun, int iTable, int iPos){
  return &p->aRec[((size_t)iRun*SQLB_NTABLE + (size_t)iTable)*(size_t)p->nList
                  + (size_t)iPos];
}

/* Operations of workload pW under configuration c. */
static long long sqlbOps(const SqlbConfig *c, const SqlbWorkload *pW){
  switch( pW->eOps ){
    case SQLB_OPS_READS: return c->nReads;
    case SQLB_OPS_TENTH: return c->nNum/10>0 ? c->nNum/10 : 1;
    case SQLB_OPS_ONE:   return 1;
    default:             return c->nNum;
  }
}

/* The workload named by the n bytes at z, or -1. */
static int sqlbFind(const char *z, size_t n){
  int i;
  for(i=0; i<SQLB_NWORK; i++){
    if( benchIsName(aWorkload[i].zName, z, n) ) return i;
  }
  return -1;
}

/* nftw() callback: remove one entry (children before their directory). */
static int sqlbRemoveOne(const char *zPath, const struct stat *pSt, int eType,
                         struct FTW *pFtw){
  (void)pSt; (void)eType; (void)pFtw;
  return remove(zPath);
}

/* Remove zPath and, if it is a directory, all below it.  Missing is fine. */
static int sqlbRemove(const char *zPath){
  struct stat st;
  if( lstat(zPath, &st)!=0 ) return errno==ENOENT ? 0 : -1;
  return nftw(zPath, sqlbRemoveOne, 16, FTW_DEPTH|FTW_PHYS);
}

/* st_size of file zPath, 0 if it is missing. */
static unsigned long long sqlbFileSize(const char *zPath){
  struct stat st;
  return stat(zPath, &st)==0 ? (unsigned long long)st.st_size : 0;
}

/* ---------------------------------------------------------- the child */

/*
** Report a failed SQLite call of connection c (rc is not what was
** expected): the table, what failed and sqlite3_errmsg().  Returns 1.
*/
static int sqlbFail(const SqlbConn *c, int rc, const char *zWhat){
  fprintf(stderr, "sql_bench: %s: %s: rc=%d %s\n", c->pT->zName, zWhat, rc,
          c->db ? sqlite3_errmsg(c->db) : sqlite3_errstr(rc));
  return 1;
}

/* Run zSql (no rows expected, or rows ignored) on c.  Returns 0 on success. */
static int sqlbExec(SqlbConn *c, const char *zSql){
  int rc = sqlite3_exec(c->db, zSql, 0, 0, 0);
  return rc==SQLITE_OK ? 0 : sqlbFail(c, rc, zSql);
}

/* Prepare zSql on c into *ppStmt.  Returns 0 on success. */
static int sqlbPrepare(SqlbConn *c, const char *zSql, sqlite3_stmt **ppStmt){
  int rc = sqlite3_prepare_v2(c->db, zSql, -1, ppStmt, 0);
  return rc==SQLITE_OK ? 0 : sqlbFail(c, rc, zSql);
}

/*
** Run zSql, which returns one integer, on c into *pN.  Returns 0 on
** success.
*/
static int sqlbQueryInt(SqlbConn *c, const char *zSql, long long *pN){
  sqlite3_stmt *pStmt = 0;
  int rc;
  if( sqlbPrepare(c, zSql, &pStmt) ) return 1;
  rc = sqlite3_step(pStmt);
  *pN = rc==SQLITE_ROW ? sqlite3_column_int64(pStmt, 0) : 0;
  if( rc==SQLITE_ROW ) rc = sqlite3_step(pStmt);
  if( rc!=SQLITE_DONE ){
    sqlbFail(c, rc, zSql);
    sqlite3_finalize(pStmt);
    return 1;
  }
  rc = sqlite3_finalize(pStmt);
  return rc==SQLITE_OK ? 0 : sqlbFail(c, rc, zSql);
}

/* Close c's connection, if open.  Returns 0 on success. */
static int sqlbClose(SqlbConn *c){
  int rc = SQLITE_OK;
  if( c->db ){
    rc = sqlite3_close(c->db);
    if( rc!=SQLITE_OK ) sqlbFail(c, rc, "sqlite3_close");
    c->db = 0;
  }
  return rc!=SQLITE_OK;
}

/* Remove c's database file, its WAL, shm and journal, and its lsm store. */
static int sqlbRemoveDb(SqlbConn *c){
  static const char *azSuffix[] = { "", "-wal", "-shm", "-journal" };
  char zPath[4096];
  size_t i;
  int rc = 0;
  for(i=0; i<sizeof(azSuffix)/sizeof(azSuffix[0]); i++){
    snprintf(zPath, sizeof(zPath), "%s%s", c->zDb, azSuffix[i]);
    if( sqlbRemove(zPath) ) rc = 1;
  }
  if( sqlbRemove(c->zStore) ) rc = 1;
  if( rc ) fprintf(stderr, "sql_bench: cannot remove %s\n", c->zDb);
  return rc;
}

/*
** Put c's database file in WAL mode with synchronous=NORMAL (checking that
** the mode took).  Returns 0 on success.
*/
static int sqlbWalMode(SqlbConn *c){
  sqlite3_stmt *pStmt = 0;
  char zMode[16] = "";
  if( sqlbPrepare(c, "PRAGMA journal_mode=WAL", &pStmt) ) return 1;
  if( sqlite3_step(pStmt)==SQLITE_ROW ){
    snprintf(zMode, sizeof(zMode), "%s",
             (const char*)sqlite3_column_text(pStmt, 0));
  }
  sqlite3_finalize(pStmt);
  if( strcmp(zMode, "wal")!=0 ){
    fprintf(stderr, "sql_bench: %s: journal_mode is '%s', not wal\n",
            c->pT->zName, zMode);
    return 1;
  }
  return sqlbExec(c, "PRAGMA synchronous=NORMAL");
}

/*
** Load the extension into c's connection.  Returns 0 on success.
*/
static int sqlbLoadExt(SqlbConn *c){
  char *zErr = 0;
  int rc;
  sqlite3_enable_load_extension(c->db, 1);
  rc = sqlite3_load_extension(c->db, c->p->zExt, 0, &zErr);
  if( rc!=SQLITE_OK ){
    fprintf(stderr, "sql_bench: cannot load %s: %s\n", c->p->zExt,
            zErr ? zErr : sqlite3_errmsg(c->db));
    sqlite3_free(zErr);
    return 1;
  }
  return 0;
}

/*
** Give c a connection on a new, empty database file holding table t:
** close and remove the old one, open, set the pragmas, load the extension
** (lsm), create the table.  A native database gets WAL, synchronous=NORMAL,
** the page cache of the whole memory budget and mmap_size=0 (checked).
** The lsm table's database file, which holds only the schema, gets WAL and
** synchronous=NORMAL too (unless --lsm_wal=0) and SQLite's default page
** cache.  Returns 0 on success.
*/
static int sqlbFresh(SqlbConn *c){
  const SqlbConfig *pCfg = &c->p->cfg;
  char zSql[512];
  long long nKib = (pCfg->nMemtable + pCfg->nCache)/1024;
  long long nMmap = -1;
  int rc;

  if( sqlbClose(c) || sqlbRemoveDb(c) ) return 1;
  rc = sqlite3_open(c->zDb, &c->db);
  if( rc!=SQLITE_OK ) return sqlbFail(c, rc, "sqlite3_open");
  if( c->pT->bLsm ){
    if( pCfg->bLsmWal && sqlbWalMode(c) ) return 1;
    if( sqlbLoadExt(c) ) return 1;
    snprintf(zSql, sizeof(zSql), c->pT->zCreate, pCfg->nMemtable,
             pCfg->nCache);
    return sqlbExec(c, zSql);
  }
  if( sqlbWalMode(c) ) return 1;
  snprintf(zSql, sizeof(zSql), "PRAGMA cache_size=-%lld; PRAGMA mmap_size=0",
           nKib);
  if( sqlbExec(c, zSql) ) return 1;
  if( sqlbQueryInt(c, "PRAGMA mmap_size", &nMmap) ) return 1;
  if( nMmap!=0 ){
    fprintf(stderr, "sql_bench: mmap_size is %lld, not 0\n", nMmap);
    return 1;
  }
  return sqlbExec(c, c->pT->zCreate);
}

/* Bytes of c's data on disk: database + WAL, or the lsm store directory. */
static unsigned long long sqlbDiskSize(const SqlbConn *c){
  char zWal[4096];
  if( c->pT->bLsm ) return benchDirSize(c->zStore);
  snprintf(zWal, sizeof(zWal), "%s-wal", c->zDb);
  return sqlbFileSize(c->zDb) + sqlbFileSize(zWal);
}

/*
** Bind key number i of the form eKey as parameter ?1 of pStmt: the
** integer (rowid table; a missing key is num + i) or the 16-byte BLOB
** "%016llu" ("%015llu." if missing) written to zBuf (SQLB_KEY_SIZE+1
** bytes), which must stay unchanged until the statement is reset.
*/
static int sqlbBindKey(const SqlbConn *c, sqlite3_stmt *pStmt, char *zBuf,
                       long long i, int eKey){
  if( c->pT->bIntKey ){
    if( eKey==SQLB_KEY_MISSING ) i += c->p->cfg.nNum;
    return sqlite3_bind_int64(pStmt, 1, i);
  }
  snprintf(zBuf, SQLB_KEY_SIZE+1, eKey==SQLB_KEY_MISSING ? "%015llu."
           : "%016llu", (unsigned long long)i);
  return sqlite3_bind_blob(pStmt, 1, zBuf, SQLB_KEY_SIZE, SQLITE_STATIC);
}

/* Key number of operation i of workload pW: in order or random. */
static long long sqlbKeyNumber(SqlbConn *c, const SqlbWorkload *pW,
                               long long i){
  if( pW->eKey==SQLB_KEY_SEQ ) return i;
  return (long long)(benchRandom(&c->iRand)
                     % (unsigned long long)c->p->cfg.nNum);
}

/*
** SQLB_WRITE: nOps executions of pW's statement with a key (and a value if
** it has a ?2), SQLB_TXN_ROWS per BEGIN/COMMIT.  nFound gets the rows
** changed (sqlite3_changes).
*/
static int sqlbRunWrite(SqlbConn *c, const SqlbWorkload *pW, long long nOps,
                        SqlbRecord *pRec){
  sqlite3_stmt *pStmt = 0, *pBegin = 0, *pCommit = 0;
  const SqlbConfig *pCfg = &c->p->cfg;
  char zKey[SQLB_KEY_SIZE+1];
  long long i;
  int bValue, rc = SQLITE_OK;

  if( sqlbPrepare(c, pW->zSql, &pStmt) || sqlbPrepare(c, "BEGIN", &pBegin)
   || sqlbPrepare(c, "COMMIT", &pCommit) ){
    rc = SQLITE_ERROR;
  }
  bValue = pStmt && sqlite3_bind_parameter_count(pStmt)>=2;
  for(i=0; rc==SQLITE_OK && i<nOps; i++){
    if( i%SQLB_TXN_ROWS==0 ){
      rc = sqlite3_step(pBegin);
      rc = rc==SQLITE_DONE ? sqlite3_reset(pBegin) : rc;
      if( rc!=SQLITE_OK ){ sqlbFail(c, rc, "BEGIN"); break; }
    }
    rc = sqlbBindKey(c, pStmt, zKey, sqlbKeyNumber(c, pW, i), pW->eKey);
    if( rc==SQLITE_OK && bValue ){
      rc = sqlite3_bind_blob(pStmt, 2, &c->p->aPool[c->iPool],
                             (int)pCfg->nValue, SQLITE_STATIC);
      benchPoolNext(&c->iPool, pCfg->nValue);
    }
    if( rc==SQLITE_OK ) rc = sqlite3_step(pStmt);
    if( rc==SQLITE_DONE ){
      pRec->nFound += sqlite3_changes(c->db);
      rc = sqlite3_reset(pStmt);
    }
    if( rc!=SQLITE_OK ){ sqlbFail(c, rc, pW->zSql); break; }
    pRec->nOps++;
    if( i%SQLB_TXN_ROWS==SQLB_TXN_ROWS-1 || i==nOps-1 ){
      rc = sqlite3_step(pCommit);
      rc = rc==SQLITE_DONE ? sqlite3_reset(pCommit) : rc;
      if( rc!=SQLITE_OK ) sqlbFail(c, rc, "COMMIT");
    }
  }
  sqlite3_finalize(pStmt);
  sqlite3_finalize(pBegin);
  sqlite3_finalize(pCommit);
  return rc!=SQLITE_OK;
}

/*
** SQLB_POINT and SQLB_RANGE: nOps executions of pW's SELECT, one key each,
** in autocommit mode.  Every row's columns are touched with
** sqlite3_column_blob and sqlite3_column_bytes (summed in nBytes).  nFound
** counts the point lookups that found a row, or the rows a range read.
*/
static int sqlbRunRead(SqlbConn *c, const SqlbWorkload *pW, long long nOps,
                       SqlbRecord *pRec){
  sqlite3_stmt *pStmt = 0;
  char zKey[SQLB_KEY_SIZE+1];
  long long i;
  int iCol, rc = SQLITE_OK;

  if( sqlbPrepare(c, pW->zSql, &pStmt) ) return 1;
  for(i=0; rc==SQLITE_OK && i<nOps; i++){
    rc = sqlbBindKey(c, pStmt, zKey, sqlbKeyNumber(c, pW, i), pW->eKey);
    if( rc==SQLITE_OK ) rc = sqlite3_step(pStmt);
    while( rc==SQLITE_ROW ){
      pRec->nFound++;
      for(iCol=0; iCol<sqlite3_column_count(pStmt); iCol++){
        sqlite3_column_blob(pStmt, iCol);
        pRec->nBytes += (unsigned long long)sqlite3_column_bytes(pStmt, iCol);
      }
      rc = pW->eKind==SQLB_RANGE ? sqlite3_step(pStmt) : SQLITE_DONE;
    }
    if( rc==SQLITE_DONE ) rc = sqlite3_reset(pStmt);
    if( rc!=SQLITE_OK ) sqlbFail(c, rc, pW->zSql);
    pRec->nOps++;
  }
  sqlite3_finalize(pStmt);
  return rc!=SQLITE_OK;
}

/*
** SQLB_AGG: one aggregate statement; nFound gets its result (the rows for
** count, the value bytes for scan).  The caller sets nOps to the row count
** so that the rate is rows/s.
*/
static int sqlbRunAgg(SqlbConn *c, const SqlbWorkload *pW, SqlbRecord *pRec){
  return sqlbQueryInt(c, pW->zSql, &pRec->nFound);
}

/*
** Run workload aWorkload[iW] at list position iPos on c and fill *pRec:
** the timed loop, then (untimed) the row count and the size on disk.
*/
static int sqlbRunOne(SqlbConn *c, int iW, int iPos, SqlbRecord *pRec){
  const SqlbWorkload *pW = &aWorkload[iW];
  long long nOps = sqlbOps(&c->p->cfg, pW);
  double rStart;
  int rc;

  memset(pRec, 0, sizeof(*pRec));
  pRec->iPos = iPos;
  if( pW->bFresh && sqlbFresh(c) ) return 1;
  c->iRand = SQLB_SEED + 1000ULL*(unsigned long long)(iPos+1);
  c->iPool = (unsigned)(benchRandom(&c->iRand) % BENCH_POOL_SIZE);

  rStart = benchNowMicros();
  switch( pW->eKind ){
    case SQLB_WRITE: rc = sqlbRunWrite(c, pW, nOps, pRec); break;
    case SQLB_AGG:   rc = sqlbRunAgg(c, pW, pRec); break;
    default:         rc = sqlbRunRead(c, pW, nOps, pRec); break;
  }
  pRec->rSec = (benchNowMicros() - rStart)/1e6;
  if( rc ) return 1;
  if( sqlbQueryInt(c, "SELECT count(*) FROM t", &pRec->nRows) ) return 1;
  if( pW->eKind==SQLB_AGG ) pRec->nOps = pRec->nRows;
  pRec->nSize = sqlbDiskSize(c);
  return 0;
}

/*
** The child process of table iTable: a fresh database in p->zTmp, every
** workload of the list in order, one SqlbRecord per workload written to
** fd.  Removes its files at the end.  Returns 0 on success.
*/
static int sqlbChild(const Sqlb *p, int iTable, int fd){
  SqlbConn c;
  SqlbRecord rec;
  int i, rc = 0;

  memset(&c, 0, sizeof(c));
  c.p = p;
  c.pT = &aTable[iTable];
  if( asprintf(&c.zDb, "%s/%s.db", p->zTmp, c.pT->zName)<0 ) c.zDb = 0;
  if( c.zDb && asprintf(&c.zStore, "%s-t.lsm", c.zDb)<0 ) c.zStore = 0;
  if( c.zDb==0 || c.zStore==0 ){
    fprintf(stderr, "sql_bench: out of memory\n");
    return 1;
  }
  rc = sqlbFresh(&c);
  for(i=0; rc==0 && i<p->nList; i++){
    rc = sqlbRunOne(&c, p->aList[i], i, &rec);
    if( rc==0 && write(fd, &rec, sizeof(rec))!=(ssize_t)sizeof(rec) ){
      perror("sql_bench: write to pipe");
      rc = 1;
    }
  }
  if( sqlbClose(&c) ) rc = 1;
  if( sqlbRemoveDb(&c) ) rc = 1;
  free(c.zDb);
  free(c.zStore);
  return rc;
}

/* ---------------------------------------------------------- the parent */

/* "12,345,678" for the integer part of r, into z (n bytes). */
static const char *sqlbCommas(double r, char *z, size_t n){
  char zDigits[32];
  size_t nDigit, i, j = 0;
  snprintf(zDigits, sizeof(zDigits), "%.0f", r<0 ? 0.0 : r);
  nDigit = strlen(zDigits);
  for(i=0; i<nDigit && j+2<n; i++){
    if( i>0 && (nDigit-i)%3==0 ) z[j++] = ',';
    z[j++] = zDigits[i];
  }
  z[j] = 0;
  return z;
}

/* Operations (or rows) per second of record r; 0 if none. */
static double sqlbRate(const SqlbRecord *r){
  return r->rSec>0.0 ? (double)r->nOps/r->rSec : 0.0;
}

/* Print the line of record r of table iTable in run iRun. */
static void sqlbPrintLine(const Sqlb *p, int iRun, int iTable,
                          const SqlbRecord *r){
  const SqlbWorkload *pW = &aWorkload[p->aList[r->iPos]];
  char zExtra[160];
  char zRun[24] = "";

  switch( pW->eKind ){
    case SQLB_POINT:
      snprintf(zExtra, sizeof(zExtra), "%lld of %lld found, %.1f MB",
               r->nFound, r->nOps, (double)r->nBytes/SQLB_MB);
      break;
    case SQLB_RANGE:
      snprintf(zExtra, sizeof(zExtra), "%lld rows read by %lld ranges, "
               "%.1f MB", r->nFound, r->nOps, (double)r->nBytes/SQLB_MB);
      break;
    case SQLB_AGG:
      snprintf(zExtra, sizeof(zExtra), "result %lld", r->nFound);
      break;
    default:
      snprintf(zExtra, sizeof(zExtra), "%lld rows changed by %lld "
               "statements", r->nFound, r->nOps);
      break;
  }
  if( p->cfg.nRuns>1 ) snprintf(zRun, sizeof(zRun), "run %d ", iRun+1);
  printf("%s%-7s %-12s : %10.0f %-6s in %7.3f s; %s; rows %lld; "
         "disk %.1f MB\n", zRun, aTable[iTable].zName, pW->zName,
         sqlbRate(r), pW->eOps==SQLB_OPS_ONE ? "rows/s" : "ops/s",
         r->rSec, zExtra, r->nRows, (double)r->nSize/SQLB_MB);
  fflush(stdout);
}

/*
** Run table iTable's workloads in a forked child (run iRun): collect its
** records, print them and take its peak RSS from wait4().  Returns 0 if
** the child did everything.
*/
static int sqlbRunTable(Sqlb *p, int iRun, int iTable){
  SqlbRecord rec;
  struct rusage ru;
  int aFd[2];
  int status = 0, nGot = 0, bBad = 0;
  ssize_t n;
  pid_t pid;

  if( pipe(aFd)!=0 ){
    perror("sql_bench: pipe");
    return 1;
  }
  fflush(stdout);
  fflush(stderr);
  pid = fork();
  if( pid<0 ){
    perror("sql_bench: fork");
    close(aFd[0]);
    close(aFd[1]);
    return 1;
  }
  if( pid==0 ){
    int rc;
    close(aFd[0]);
    rc = sqlbChild(p, iTable, aFd[1]);
    close(aFd[1]);
    fflush(stderr);
    _exit(rc ? 1 : 0);
  }
  close(aFd[1]);
  while( (n = benchReadFull(aFd[0], &rec, sizeof(rec)))>0 ){
    if( rec.iPos<0 || rec.iPos>=p->nList || rec.iPos!=nGot ){
      bBad = 1;
      break;
    }
    *sqlbRec(p, iRun, iTable, rec.iPos) = rec;
    sqlbPrintLine(p, iRun, iTable, &rec);
    nGot++;
  }
  if( n<0 ) bBad = 1;
  close(aFd[0]);
  memset(&ru, 0, sizeof(ru));
  while( wait4(pid, &status, 0, &ru)<0 ){
    if( errno!=EINTR ){
      perror("sql_bench: wait4");
      return 1;
    }
  }
  p->aRss[iRun*SQLB_NTABLE + iTable] = ru.ru_maxrss;
  printf("%-7s peak RSS     : %.1f MiB (ru_maxrss of its process)\n",
         aTable[iTable].zName, (double)ru.ru_maxrss/1024.0);
  if( bBad || !WIFEXITED(status) || WEXITSTATUS(status)!=0 || nGot!=p->nList ){
    fprintf(stderr, "sql_bench: %s failed (%d of %d workloads done)\n",
            aTable[iTable].zName, nGot, p->nList);
    return 1;
  }
  return 0;
}

/*
** Cross-check run iRun: for every workload, the row count afterwards and
** (for the workloads that check them) the found counts must be the same
** on every table that ran; readmissing must find nothing.  Prints the
** verdict and counts mismatches in p->nMismatch.
*/
static void sqlbCrossCheck(Sqlb *p, int iRun){
  int nBefore = p->nMismatch;
  int nTable = 0;
  int i, j, iRef = -1;

  for(j=0; j<SQLB_NTABLE; j++){
    if( p->aRss[iRun*SQLB_NTABLE + j]<0 ) continue;
    nTable++;
    if( iRef<0 ) iRef = j;
  }
  for(i=0; iRef>=0 && i<p->nList; i++){
    const SqlbWorkload *pW = &aWorkload[p->aList[i]];
    const SqlbRecord *pRef = sqlbRec(p, iRun, iRef, i);
    if( pW->eKey==SQLB_KEY_MISSING && pRef->nFound!=0 ){
      printf("MISMATCH     : %s %s found %lld keys never written\n",
             aTable[iRef].zName, pW->zName, pRef->nFound);
      p->nMismatch++;
    }
    for(j=iRef+1; j<SQLB_NTABLE; j++){
      const SqlbRecord *r = sqlbRec(p, iRun, j, i);
      if( p->aRss[iRun*SQLB_NTABLE + j]<0 ) continue;
      if( r->nRows!=pRef->nRows ){
        printf("MISMATCH     : after %s, %s has %lld rows, %s %lld\n",
               pW->zName, aTable[iRef].zName, pRef->nRows,
               aTable[j].zName, r->nRows);
        p->nMismatch++;
      }
      if( pW->bCheck && r->nFound!=pRef->nFound ){
        printf("MISMATCH     : %s: %s found %lld, %s %lld\n", pW->zName,
               aTable[iRef].zName, pRef->nFound, aTable[j].zName, r->nFound);
        p->nMismatch++;
      }
    }
  }
  if( p->nMismatch==nBefore ){
    printf("cross-check  : run %d: %s (%d tables, %d workloads)\n", iRun+1,
           nTable>1 ? "row counts and found counts agree" : "one table only,"
           " nothing to compare", nTable, p->nList);
  }
  fflush(stdout);
}

/*
** The median over the runs of table iTable's rate at position iPos (iPos
** <0: of its peak RSS in MiB).  Returns -1 if the table did not run.
*/
static double sqlbMedian(const Sqlb *p, int iTable, int iPos){
  double a[SQLB_MAX_RUNS];
  int i, n = 0;
  for(i=0; i<(int)p->cfg.nRuns; i++){
    long long nRss = p->aRss[i*SQLB_NTABLE + iTable];
    if( nRss<0 ) continue;
    a[n++] = iPos<0 ? (double)nRss/1024.0 : sqlbRate(sqlbRec(p, i, iTable,
                                                             iPos));
  }
  return n==0 ? -1.0 : benchMedian(a, n);
}

/*
** Ratio a/b as "1.23x" (three decimals below 0.1) into z, or "-" if either
** is missing.
*/
static const char *sqlbRatio(double a, double b, char *z, size_t n){
  if( a<=0.0 || b<=0.0 ) snprintf(z, n, "-");
  else snprintf(z, n, a/b<0.1 ? "%.3fx" : "%.2fx", a/b);
  return z;
}

/*
** Write one row of the comparison to pOut: zName, the three tables' values
** a[] (negative: "-") with thousands separators (bInt) or one decimal, and
** the ratios lsm/worowid and lsm/rowid if bRatio.
*/
static void sqlbWriteRow(FILE *pOut, const char *zName, const double *a,
                         int bInt, int bRatio){
  char z[40], zR1[16], zR2[16];
  int j;
  fprintf(pOut, "| %s |", zName);
  for(j=0; j<SQLB_NTABLE; j++){
    if( a[j]<0 ) fprintf(pOut, " - |");
    else if( bInt ) fprintf(pOut, " %s |", sqlbCommas(a[j], z, sizeof(z)));
    else fprintf(pOut, " %.1f |", a[j]);
  }
  if( bRatio ){
    fprintf(pOut, " %s | %s |\n",
            sqlbRatio(a[SQLB_LSM], a[SQLB_WOROWID], zR1, sizeof(zR1)),
            sqlbRatio(a[SQLB_LSM], a[SQLB_ROWID], zR2, sizeof(zR2)));
  }else{
    fprintf(pOut, " | |\n");
  }
}

/*
** Write the comparison to pOut as Markdown: a header naming the machine,
** SQLite, the data and the memory budget, then per workload the median
** ops/s of each table and the ratios lsm/worowid and lsm/rowid, then the
** median peak RSS and the size on disk after the last workload (last run).
*/
static void sqlbWriteTable(const Sqlb *p, FILE *pOut){
  const SqlbConfig *c = &p->cfg;
  const SqlbWorkload *pLast = &aWorkload[p->aList[p->nList-1]];
  double a[SQLB_NTABLE];
  char zNum[40], zName[64];
  int i, j, iLast = (int)c->nRuns - 1;

  fprintf(pOut, "### sql_bench: the lsm table against native SQLite tables "
          "at equal memory\n\n");
  fprintf(pOut, "- Machine: %s; %s\n", p->zMachine, p->zDate);
  fprintf(pOut, "- SQLite %s; N = %s rows (16-byte BLOB keys, rowid: integer"
          " keys), %lld-byte values; reads = %lld\n", sqlite3_libversion(),
          sqlbCommas((double)c->nNum, zNum, sizeof(zNum)), c->nValue,
          c->nReads);
  fprintf(pOut, "- Memory budget %.0f MiB: lsm memtable_size %.0f MiB + "
          "cache_size %.0f MiB (sync=normal); native PRAGMA cache_size=-%lld,"
          " journal_mode=WAL, synchronous=NORMAL, mmap off; the lsm table's"
          " database file (schema only): %s\n",
          (double)(c->nMemtable + c->nCache)/SQLB_MB,
          (double)c->nMemtable/SQLB_MB, (double)c->nCache/SQLB_MB,
          (c->nMemtable + c->nCache)/1024, c->bLsmWal ? "WAL, "
          "synchronous=NORMAL" : "rollback journal (--lsm_wal=0)");
  fprintf(pOut, "- ops/s (rows/s for count and scan), median of %lld run%s;"
          " writes: prepared statements, %d rows per transaction\n\n",
          c->nRuns, c->nRuns>1 ? "s" : "", SQLB_TXN_ROWS);
  fprintf(pOut, "| workload | lsm | rowid | worowid | lsm/worowid |"
          " lsm/rowid |\n");
  fprintf(pOut, "|---|---:|---:|---:|---:|---:|\n");
  for(i=0; i<p->nList; i++){
    for(j=0; j<SQLB_NTABLE; j++) a[j] = sqlbMedian(p, j, i);
    sqlbWriteRow(pOut, aWorkload[p->aList[i]].zName, a, 1, 1);
  }
  for(j=0; j<SQLB_NTABLE; j++) a[j] = sqlbMedian(p, j, -1);
  sqlbWriteRow(pOut, "peak RSS (MiB)", a, 0, 0);
  for(j=0; j<SQLB_NTABLE; j++){
    a[j] = p->aRss[iLast*SQLB_NTABLE + j]<0 ? -1.0
         : (double)sqlbRec(p, iLast, j, p->nList-1)->nSize/SQLB_MB;
  }
  snprintf(zName, sizeof(zName), "disk after %s (MB)", pLast->zName);
  sqlbWriteRow(pOut, zName, a, 0, 0);
  fprintf(pOut, "\ncross-check: %s\n",
          p->nMismatch ? "MISMATCH (see the output)"
                       : "row and found counts agree across the tables");
}

/*
** Write the ratios for plot_sql.gp to zFile: comment lines naming the
** run and the columns, then one line per workload.  Returns 0 on success.
*/
static int sqlbWriteDat(const Sqlb *p, const char *zFile){
  FILE *pOut = fopen(zFile, "w");
  int i, j;
  if( pOut==0 ){
    fprintf(stderr, "sql_bench: cannot write %s: %s\n", zFile,
            strerror(errno));
    return 1;
  }
  fprintf(pOut, "# sql_bench: ops/s of the lsm table over the native tables'"
          " (median of %lld runs)\n", p->cfg.nRuns);
  fprintf(pOut, "# num=%lld reads=%lld value_size=%lld memory=%lld MiB; %s;"
          " SQLite %s\n", p->cfg.nNum, p->cfg.nReads, p->cfg.nValue,
          (p->cfg.nMemtable + p->cfg.nCache)>>20, p->zMachine,
          sqlite3_libversion());
  fprintf(pOut, "# columns: 1 workload, 2 lsm/worowid, 3 lsm/rowid, 4 lsm "
          "ops/s, 5 rowid ops/s, 6 worowid ops/s (NaN: not run)\n");
  for(i=0; i<p->nList; i++){
    double a[SQLB_NTABLE];
    for(j=0; j<SQLB_NTABLE; j++) a[j] = sqlbMedian(p, j, i);
    fprintf(pOut, "%s", aWorkload[p->aList[i]].zName);
    if( a[SQLB_LSM]>0 && a[SQLB_WOROWID]>0 ){
      fprintf(pOut, " %.4f", a[SQLB_LSM]/a[SQLB_WOROWID]);
    }else{
      fprintf(pOut, " NaN");
    }
    if( a[SQLB_LSM]>0 && a[SQLB_ROWID]>0 ){
      fprintf(pOut, " %.4f", a[SQLB_LSM]/a[SQLB_ROWID]);
    }else{
      fprintf(pOut, " NaN");
    }
    for(j=0; j<SQLB_NTABLE; j++){
      if( a[j]>=0 ) fprintf(pOut, " %.0f", a[j]);
      else fprintf(pOut, " NaN");
    }
    fprintf(pOut, "\n");
  }
  if( fclose(pOut)!=0 ){
    fprintf(stderr, "sql_bench: cannot write %s\n", zFile);
    return 1;
  }
  return 0;
}

/*
** The outputs after the last run: the comparison on stdout and in
** --report, the data file (--dat, or a temporary one for --png) and the
** chart (--png, if gnuplot is installed).  Returns 0 on success; a missing
** gnuplot or script is not an error.
*/
static int sqlbOutput(const Sqlb *p){
  char *zDat = 0, *zScript = 0;
  int rc = 0, ePlot;

  printf("\n");
  sqlbWriteTable(p, stdout);
  if( p->cfg.zReport ){
    FILE *pOut = fopen(p->cfg.zReport, "w");
    if( pOut ) sqlbWriteTable(p, pOut);
    if( pOut==0 || fclose(pOut)!=0 ){
      fprintf(stderr, "sql_bench: cannot write %s\n", p->cfg.zReport);
      return 1;
    }
    printf("\nwrote %s\n", p->cfg.zReport);
  }
  if( p->cfg.zDat ){
    zDat = strdup(p->cfg.zDat);
  }else if( p->cfg.zPng && asprintf(&zDat, "%s/sql.dat", p->zTmp)<0 ){
    zDat = 0;
  }
  if( (p->cfg.zDat || p->cfg.zPng) && zDat==0 ) rc = 1;
  if( rc==0 && zDat ) rc = sqlbWriteDat(p, zDat);
  if( rc==0 && p->cfg.zDat ) printf("wrote %s\n", zDat);
  if( rc==0 && p->cfg.zPng ){
    unsigned m = p->cfg.mTable;
    if( !(m & (1u<<SQLB_LSM)) || !(m & ~(1u<<SQLB_LSM)) ){
      printf("no ratios (lsm and a native table must run): %s not drawn\n",
             p->cfg.zPng);
    }else if( !benchOnPath("gnuplot") ){
      printf("gnuplot not found: apt-get install gnuplot-nox to draw %s\n",
             p->cfg.zPng);
    }else if( (zScript = benchFindScript(p->cfg.zPlot, p->cfg.zArgv0,
                                         SQLB_SCRIPT))==0 ){
      printf("%s not found (give --plot=PATH): %s not drawn\n", SQLB_SCRIPT,
             p->cfg.zPng);
    }else if( (ePlot = benchRunGnuplot(zScript, zDat, p->cfg.zPng,
                   "num=%lld; runs=%lld", p->cfg.nNum, p->cfg.nRuns)) ){
      if( ePlot==BENCH_PLOT_QUOTE ){
        fprintf(stderr, "sql_bench: --dat and --png must not contain a "
                "quote\n");
      }
      printf("gnuplot %s failed: %s not drawn\n", zScript, p->cfg.zPng);
    }else{
      printf("drew  %s (gnuplot %s)\n", p->cfg.zPng, zScript);
    }
  }
  free(zDat);
  free(zScript);
  return rc;
}

/* ---------------------------------------------------------- setup */

/*
** The machine into p->zMachine (CPU model, cores, RAM, kernel) and the
** date into p->zDate.
*/
static void sqlbMachine(Sqlb *p){
  BenchMachine m;
  benchMachine(&m);
  snprintf(p->zMachine, sizeof(p->zMachine), "%s, %ld cores, %.1f GiB RAM,"
           " %s %s", m.zCpu, m.nCore, m.rRamGiB, m.zSysname, m.zRelease);
  benchDate(p->zDate, sizeof(p->zDate), "%Y-%m-%d %H:%M:%S %Z");
}

/* Print the usage text to stdout. */
static void sqlbUsage(void){
  printf(
"usage: sql_bench [--option=value]...\n"
"  --benchmarks=a,b,c  workloads to run, in order; default:\n"
"                      " SQLB_DEFAULT_LIST "\n"
"      fillseq       INSERT num keys in key order (new database)\n"
"      fillrandom    INSERT OR REPLACE num random keys (new database)\n"
"      overwrite     INSERT OR REPLACE num random keys over the existing\n"
"      readrandom    SELECT v FROM t WHERE k=? for reads random keys\n"
"      readmissing   the same for reads keys never written (0 found)\n"
"      range         SELECT k, v FROM t WHERE k>=? ORDER BY k LIMIT 100,\n"
"                    reads times; counts the rows\n"
"      count         SELECT count(*) FROM t once; reports rows/s\n"
"      scan          SELECT sum(length(v)) FROM t once; reports rows/s\n"
"      deleterandom  DELETE FROM t WHERE k=? for num/10 random keys\n"
"                    (writes: %d rows per transaction)\n"
"  --tables=a,b,c      lsm,rowid,worowid (all)\n"
"  --num=N             rows / key range (1000000)\n"
"  --reads=N           point and range lookups (num/10)\n"
"  --value_size=N      bytes per value (100); keys are 16 bytes\n"
"  --memtable_size=N --cache_size=N\n"
"                      the lsm table's options (32M each, the defaults);\n"
"                      the native tables get PRAGMA cache_size of the sum\n"
"  --runs=R            repeat the whole sequence R times, print medians (1)\n"
"  --lsm_wal=0|1       the lsm table's own database file (schema only) in\n"
"                      WAL mode with synchronous=NORMAL, like the native\n"
"                      ones (1); 0 leaves SQLite's rollback journal, whose\n"
"                      locking costs every autocommit statement syscalls\n"
"  --ext=PATH          the extension (default: the first of ./lsmvtab.so,\n"
"                      ./.libs/lsmvtab.so, build/.libs/lsmvtab.so)\n"
"  --report=FILE       also write the comparison table (Markdown) there\n"
"  --dat=FILE          write the ratios for plot_sql.gp there\n"
"  --png=FILE          draw the ratio chart there (needs gnuplot)\n"
"  --plot=PATH         the gnuplot script (default: the first of\n"
"                      test/bench/plot_sql.gp, ../test/bench/plot_sql.gp,\n"
"                      or near the binary)\n"
"Sizes take k, m or g suffixes (powers of 1024).\n",
    SQLB_TXN_ROWS);
}

/* Parse the --tables list z into *pmTable.  Returns 0 on success. */
static int sqlbParseTables(const char *z, unsigned *pmTable){
  unsigned m = 0;
  while( *z ){
    size_t n = strcspn(z, ",");
    int j;
    for(j=0; j<SQLB_NTABLE; j++){
      if( benchIsName(aTable[j].zName, z, n) ) break;
    }
    if( j==SQLB_NTABLE ) return 1;
    m |= 1u<<j;
    z += n + (z[n]==',');
  }
  *pmTable = m;
  return m==0;
}

/*
** Parse argv into *pCfg.  Returns 0 to run, 1 on a bad argument (after
** printing why), 2 for --help.
*/
static int sqlbParseArgs(int argc, char **argv, SqlbConfig *pCfg){
  static const BenchArg aInt[] = {
    { "num",           offsetof(SqlbConfig, nNum) },
    { "reads",         offsetof(SqlbConfig, nReads) },
    { "value_size",    offsetof(SqlbConfig, nValue) },
    { "memtable_size", offsetof(SqlbConfig, nMemtable) },
    { "cache_size",    offsetof(SqlbConfig, nCache) },
    { "runs",          offsetof(SqlbConfig, nRuns) },
    { "lsm_wal",       offsetof(SqlbConfig, bLsmWal) },
  };
  static const BenchArg aStr[] = {
    { "benchmarks",    offsetof(SqlbConfig, zList) },
    { "ext",           offsetof(SqlbConfig, zExt) },
    { "report",        offsetof(SqlbConfig, zReport) },
    { "dat",           offsetof(SqlbConfig, zDat) },
    { "png",           offsetof(SqlbConfig, zPng) },
    { "plot",          offsetof(SqlbConfig, zPlot) },
  };
  int i, j;
  for(i=1; i<argc; i++){
    const char *z = argv[i];
    const char *zVal = strchr(z, '=');
    size_t nName;
    if( strcmp(z, "--help")==0 || strcmp(z, "-h")==0 ) return 2;
    if( strncmp(z, "--", 2)!=0 || zVal==0 || zVal[1]==0 ) goto bad_arg;
    z += 2;
    nName = (size_t)(zVal - z);
    zVal++;
    j = benchArgFind(aInt, BENCH_COUNT(aInt), z, nName);
    if( j>=0 ){
      if( benchParseSize(zVal, (long long*)((char*)pCfg + aInt[j].iOff)) ){
        goto bad_arg;
      }
      continue;
    }
    j = benchArgFind(aStr, BENCH_COUNT(aStr), z, nName);
    if( j>=0 ){
      *(const char**)((char*)pCfg + aStr[j].iOff) = zVal;
    }else if( !benchIsName("tables", z, nName)
           || sqlbParseTables(zVal, &pCfg->mTable) ){
      goto bad_arg;
    }
  }
  if( pCfg->nNum<1 || pCfg->nValue>(1<<24) || pCfg->nRuns<1
   || pCfg->nRuns>SQLB_MAX_RUNS || pCfg->nReads==0 || pCfg->bLsmWal>1 ){
    fprintf(stderr, "sql_bench: need --num >= 1, --reads >= 1, "
            "--value_size <= 16M, --lsm_wal=0|1 and 1 <= --runs <= %d\n",
            SQLB_MAX_RUNS);
    return 1;
  }
  if( pCfg->nReads<0 ) pCfg->nReads = pCfg->nNum/10>0 ? pCfg->nNum/10 : 1;
  return 0;

bad_arg:
  fprintf(stderr, "sql_bench: bad argument '%s' (try --help)\n", argv[i]);
  return 1;
}

/*
** Turn the --benchmarks list into p->aList.  Returns 0 if every name is a
** workload.
*/
static int sqlbParseList(Sqlb *p){
  const char *z = p->cfg.zList;
  while( *z ){
    size_t n = strcspn(z, ",");
    if( n>0 ){
      int iW = sqlbFind(z, n);
      if( iW<0 ){
        fprintf(stderr, "sql_bench: unknown benchmark '%.*s'\n", (int)n, z);
        return 1;
      }
      if( p->nList==SQLB_MAX_LIST ){
        fprintf(stderr, "sql_bench: more than %d benchmarks\n",
                SQLB_MAX_LIST);
        return 1;
      }
      p->aList[p->nList++] = iW;
    }
    z += n + (z[n]==',');
  }
  if( p->nList==0 ) fprintf(stderr, "sql_bench: no benchmarks\n");
  return p->nList==0;
}

/*
** The extension to load into p->zExt: --ext (with "./" put in front of a
** bare file name, which dlopen() would otherwise look for in the system
** directories) or the first file of the default list that exists.
** Returns 0 on success.
*/
static int sqlbFindExt(Sqlb *p){
  static const char *azTry[] = {
    "./lsmvtab.so", "./.libs/lsmvtab.so", "build/.libs/lsmvtab.so"
  };
  size_t i;
  if( p->cfg.zExt ){
    const char *zPre = strchr(p->cfg.zExt, '/') ? "" : "./";
    if( asprintf(&p->zExt, "%s%s", zPre, p->cfg.zExt)<0 ) p->zExt = 0;
    if( p->zExt && access(p->zExt, R_OK)!=0 ){
      fprintf(stderr, "sql_bench: --ext=%s: %s\n", p->cfg.zExt,
              strerror(errno));
      return 1;
    }
    return p->zExt==0;
  }
  for(i=0; i<sizeof(azTry)/sizeof(azTry[0]); i++){
    if( access(azTry[i], R_OK)==0 ){
      p->zExt = strdup(azTry[i]);
      return p->zExt==0;
    }
  }
  fprintf(stderr, "sql_bench: lsmvtab.so not found in ./, ./.libs/ or "
          "build/.libs/: give --ext=PATH (or --tables=rowid,worowid)\n");
  return 1;
}

/*
** Set up the run: the workload list, the extension, the value pool, the
** result arrays and the temporary directory (under $TMPDIR, else /tmp).
** Returns 0 on success.
*/
static int sqlbSetup(Sqlb *p){
  size_t nPool = BENCH_POOL_SIZE + (size_t)p->cfg.nValue + 8;
  size_t nRun = (size_t)p->cfg.nRuns;
  size_t i;

  if( sqlbParseList(p) ) return 1;
  if( (p->cfg.mTable & (1u<<SQLB_LSM)) && sqlbFindExt(p) ) return 1;
  p->aPool = malloc(nPool);
  p->aRec = calloc(nRun*SQLB_NTABLE*(size_t)p->nList, sizeof(SqlbRecord));
  p->aRss = malloc(nRun*SQLB_NTABLE*sizeof(long long));
  if( p->aPool==0 || p->aRec==0 || p->aRss==0 ){
    fprintf(stderr, "sql_bench: out of memory\n");
    return 1;
  }
  if( benchTempDir("sql_bench", &p->zTmp) ){
    if( p->zTmp==0 ){
      fprintf(stderr, "sql_bench: out of memory\n");
      return 1;
    }
    fprintf(stderr, "sql_bench: mkdtemp(%s): %s\n", p->zTmp, strerror(errno));
    free(p->zTmp);
    p->zTmp = 0;
    return 1;
  }
  for(i=0; i<nRun*SQLB_NTABLE; i++) p->aRss[i] = -1;
  benchPoolFill(p->aPool, nPool, SQLB_SEED);
  sqlbMachine(p);
  return 0;
}

/* Print the header: machine, SQLite, data, memory and the statements. */
static void sqlbHeader(const Sqlb *p){
  const SqlbConfig *c = &p->cfg;
  long long nKib = (c->nMemtable + c->nCache)/1024;
  int j;

  printf("sql_bench    : the lsm table against native SQLite tables at "
         "equal memory\n");
  printf("Machine      : %s\n", p->zMachine);
  printf("Date         : %s\n", p->zDate);
  printf("SQLite       : %s (the system library); extension %s\n",
         sqlite3_libversion(), p->zExt ? p->zExt : "(not loaded)");
  printf("Data         : num=%lld rows, reads=%lld%s, value_size=%lld; keys:"
         " 16-byte BLOB \"%%016llu\" (rowid: the integer)\n", c->nNum,
         c->nReads, c->nReads==(c->nNum/10>0 ? c->nNum/10 : 1)
         ? " (num/10)" : "", c->nValue);
  printf("Memory       : lsm memtable_size=%lld + cache_size=%lld = %.1f MiB,"
         " sync=normal (default); native PRAGMA cache_size=-%lld (%.1f MiB)\n",
         c->nMemtable, c->nCache, (double)(nKib*1024)/SQLB_MB, nKib,
         (double)(nKib*1024)/SQLB_MB);
  printf("Native       : journal_mode=WAL, synchronous=NORMAL, mmap off "
         "(mmap_size=0, SQLite's default, checked)\n");
  printf("lsm db file  : %s, SQLite's default page cache (the file holds "
         "only the schema)\n", c->bLsmWal ? "journal_mode=WAL, "
         "synchronous=NORMAL, as the native ones" : "rollback journal "
         "(--lsm_wal=0)");
  printf("Writes       : prepared statements, %d rows per BEGIN/COMMIT; "
         "fillseq INSERT, fillrandom/overwrite INSERT OR REPLACE\n",
         SQLB_TXN_ROWS);
  printf("Tables       :");
  for(j=0; j<SQLB_NTABLE; j++){
    if( c->mTable & (1u<<j) ) printf(" %s", aTable[j].zName);
  }
  printf("; each in its own process and database under %s\n", p->zTmp);
  printf("Runs         : %lld (run r starts with the r-th table; the "
         "comparison shows medians)\n", c->nRuns);
  printf("------------------------------------------------\n");
  fflush(stdout);
}

/*
** Parse the arguments, run every selected table R times, cross-check,
** print the comparison and write the report, data file and chart.  Exits
** 0 on success, 1 on a bad argument, any SQLite error or a mismatch.
*/
int main(int argc, char **argv){
  Sqlb b;
  int aOrder[SQLB_NTABLE];
  int nTable = 0;
  int rc, iRun, j;

  memset(&b, 0, sizeof(b));
  b.cfg.zList = SQLB_DEFAULT_LIST;
  b.cfg.nNum = 1000000;
  b.cfg.nReads = -1;
  b.cfg.nValue = 100;
  b.cfg.nMemtable = 32LL<<20;
  b.cfg.nCache = 32LL<<20;
  b.cfg.nRuns = 1;
  b.cfg.bLsmWal = 1;
  b.cfg.mTable = (1u<<SQLB_NTABLE) - 1;
  b.cfg.zArgv0 = argv[0];

  rc = sqlbParseArgs(argc, argv, &b.cfg);
  if( rc==2 ){
    sqlbUsage();
    return 0;
  }
  if( rc==0 ) rc = sqlbSetup(&b);
  if( rc==0 ) sqlbHeader(&b);
  for(j=0; j<SQLB_NTABLE; j++){
    if( b.cfg.mTable & (1u<<j) ) aOrder[nTable++] = j;
  }
  for(iRun=0; rc==0 && iRun<(int)b.cfg.nRuns; iRun++){
    for(j=0; rc==0 && j<nTable; j++){
      rc = sqlbRunTable(&b, iRun, aOrder[(j + iRun)%nTable]);
    }
    if( rc==0 ) sqlbCrossCheck(&b, iRun);
  }
  if( rc==0 ) rc = sqlbOutput(&b);
  if( b.zTmp && sqlbRemove(b.zTmp)!=0 ){
    fprintf(stderr, "sql_bench: cannot remove %s\n", b.zTmp);
  }
  free(b.zExt);
  free(b.zTmp);
  free(b.aPool);
  free(b.aRec);
  free(b.aRss);
  if( rc==0 && b.nMismatch ){
    fprintf(stderr, "sql_bench: %d cross-check mismatches\n", b.nMismatch);
    rc = 1;
  }
  return rc ? 1 : 0;
}
