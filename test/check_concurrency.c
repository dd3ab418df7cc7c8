/*
** check_concurrency.c -- concurrency tests of the engine and the module
** (TESTPLAN G1-G3), written to run under ThreadSanitizer
** (build-aux/tsan.sh) and in the ordinary builds alike.  The data is a set
** of groups of ten keys ("g007.a" .. "g007.j"); every write sets the ten
** keys of a group to one tag in one transaction (or deletes all ten), the
** RocksDB test_batches_snapshots scheme, so that any read of a group must
** find either none of its keys or all ten with one tag.  A tag names its
** writer and a number ("C02000001234"); before it commits tag n a writer
** publishes n as its "committing" mark, so a reader that sees a number
** above the mark (read after the data) has seen uncommitted data.  Tags of
** transactions that are rolled back (ROLLBACK, ROLLBACK TO a savepoint,
** lsmc_commit_abort, lsmc_batch_truncate) start with 'R' and must never
** be seen at all.
**
**   G1+G2 (SQL): 1 writer and 4 reader threads, each with its own
**     connection (SQLITE_OPEN_NOMUTEX, WAL journal mode) on one database
**     file holding an lsm table with memtable_size=64K, so that the
**     background thread flushes and compacts all the time.  Readers run
**     point lookups, group range scans, IN lookups, aggregates and full
**     scans, sometimes inside a read transaction; each statement must see
**     whole groups with committed tags, no older than what the writer had
**     finished committing when the statement began.  At the end lsm_stats
**     must show at least one flush and one compaction, lsm_check 'ok', and
**     the table must equal the writer's model exactly.
**   G2 (engine): 3 writer threads sharing one lsmc_db handle (lsmc_write,
**     two-phase commits, aborts, truncated batches, group deletes), 3
**     reader threads with handles of their own on the same engine
**     (iterators forward and backward, seeks, snapshots with point gets,
**     slow full scans through a snapshot) and a maintenance thread
**     (lsmc_flush, lsmc_compact_range, lsmc_check, statistics), once with
**     leveled and once with tiered compaction.
**   G3 (pinning, SQL): a scan stepped slowly, one row at a time, while
**     another thread rewrites every row, flushes and compacts, so that
**     every SSTable the scan started with becomes obsolete.  The scan must
**     return exactly the rows of its start; its files must stay on disk
**     while it is open and be gone after it closes and a final compaction
**     settles; then the SSTables in the directory are exactly the live
**     ones, and the process's open descriptors (/proc/self/fd) equal their
**     steady state: none on a deleted file, the same count of non-SSTable
**     descriptors as before the scan.
**
** Durations: LSMV_TEST_PROFILE=ci (default) runs G1 for 3 seeds x 60 s
** and G2 for 2 x 10 s; soak runs G1 for 3 x 1200 s (1 hour) and G2 for
** 2 x 300 s.  LSMV_CONC_SECONDS=S sets both the seconds per G1 seed and
** per G2 run (S=1 takes about 5 s in all); LSMV_CONC_SEED runs one G1
** seed.  A writer keeps going past its time, by at most 60 s, until a
** flush and a compaction have happened.  On a failure the test writes the
** seed and the first fault to $LSMV_RESULTS_DIR/concurrency/ (default
** ./test-results/concurrency/) and prints the path.  Pass bar: every
** check holds, and under TSan no report (halt_on_error=1 makes any report
** fail the test).
*/
#include <check.h>
#include <sqlite3.h>
#include "lsmcore.h"
#include "lsmvtab.h"
#include "testutil.h"

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define CONC_KEYS        10     /* Keys per group: suffixes 'a'..'j' */
#define CONC_TAG_LEN     12     /* 'C'|'R', 2 digits writer, 9 digits n */
#define CONC_MAX_WRITER   4     /* Writers of one run, at most */
#define CONC_SQL_GROUPS  40     /* Groups of the SQL table */
#define CONC_SQL_READERS  4     /* Reader threads (G1) */
#define CONC_ENG_GROUPS  64     /* Groups of the engine store */
#define CONC_ENG_WRITERS  3     /* Writer threads (G2, engine) */
#define CONC_ENG_READERS  3     /* Reader threads (G2, engine) */
#define CONC_EXTRA_SECS  60.0   /* Longest overtime waiting for a flush
                                ** and a compaction */

/* ------------------------------------------------------------ shared */

/* What every thread of one run shares: the marks and the first fault. */
typedef struct ConcShared ConcShared;
struct ConcShared {
  const char *zTest;                  /* Test name, for the reproducer */
  uint64_t iSeed;                     /* Seed of the run */
  int nWriter;                        /* Writers whose tags are valid */
  atomic_ullong aCommitting[CONC_MAX_WRITER]; /* Highest n each writer
                                      ** has started to commit */
  atomic_int bStop;                   /* A fault was found: stop */
  pthread_mutex_t mu;                 /* Guards zFail */
  char zFail[1024];                   /* The first fault, or "" */
  atomic_ullong nRead;                /* Reads checked (statements, scans) */
  atomic_ullong nWrite;               /* Transactions committed */
  atomic_ullong nRollback;            /* Transactions rolled back */
};

static void concSharedInit(ConcShared *p, const char *zTest, uint64_t iSeed,
                           int nWriter){
  int i;
  memset(p, 0, sizeof(*p));
  p->zTest = zTest;
  p->iSeed = iSeed;
  p->nWriter = nWriter;
  for(i=0; i<CONC_MAX_WRITER; i++) atomic_init(&p->aCommitting[i], 0);
  atomic_init(&p->bStop, 0);
  atomic_init(&p->nRead, 0);
  atomic_init(&p->nWrite, 0);
  atomic_init(&p->nRollback, 0);
  pthread_mutex_init(&p->mu, 0);
}

/*
** Record a fault (the first one is kept) and make every thread stop.
*/
static void concFail(ConcShared *p, const char *zFmt, ...)
  __attribute__((format(printf, 2, 3)));
static void concFail(ConcShared *p, const char *zFmt, ...){
  va_list ap;
  pthread_mutex_lock(&p->mu);
  if( p->zFail[0]==0 ){
    va_start(ap, zFmt);
    vsnprintf(p->zFail, sizeof(p->zFail), zFmt, ap);
    va_end(ap);
  }
  pthread_mutex_unlock(&p->mu);
  atomic_store(&p->bStop, 1);
}

static int concStopped(ConcShared *p){
  return atomic_load(&p->bStop);
}

/* Seconds on the monotonic clock. */
static double concNow(void){
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec/1e9;
}

static void concSleepMicros(long n){
  struct timespec ts;
  ts.tv_sec = n/1000000;
  ts.tv_nsec = (n%1000000)*1000;
  nanosleep(&ts, 0);
}

/*
** Seconds of one timed run: LSMV_CONC_SECONDS if set, else rCi, or rSoak
** with LSMV_TEST_PROFILE=soak.
*/
static double concSeconds(double rCi, double rSoak){
  const char *z = getenv("LSMV_CONC_SECONDS");
  const char *zProfile = getenv("LSMV_TEST_PROFILE");
  if( z && z[0] && atof(z)>0.0 ) return atof(z);
  if( zProfile && strcmp(zProfile, "soak")==0 ) return rSoak;
  return rCi;
}

/* mkdir -p of zDir (best effort). */
static void concMkdirs(const char *zDir){
  char z[512];
  size_t i;
  snprintf(z, sizeof(z), "%s", zDir);
  for(i=1; z[i]; i++){
    if( z[i]=='/' ){
      z[i] = 0;
      mkdir(z, 0755);
      z[i] = '/';
    }
  }
  mkdir(z, 0755);
}

/*
** The reproducer of a failed run: the test, the seed, the durations and
** the fault, in $LSMV_RESULTS_DIR/concurrency/<test>-seed<N>.txt.  Prints
** its path.
*/
static void concReport(ConcShared *p, const char *zDetail){
  const char *zRes = getenv("LSMV_RESULTS_DIR");
  char zDir[512], zFile[700];
  FILE *f;
  snprintf(zDir, sizeof(zDir), "%s/concurrency",
           zRes && zRes[0] ? zRes : "./test-results");
  concMkdirs(zDir);
  snprintf(zFile, sizeof(zFile), "%s/%s-seed%llu.txt", zDir, p->zTest,
           (unsigned long long)p->iSeed);
  f = fopen(zFile, "w");
  if( f ){
    fprintf(f, "test: %s\nseed: %llu\nLSMV_CONC_SECONDS: %s\n"
            "LSMV_TEST_PROFILE: %s\nfault: %s\n%s\n", p->zTest,
            (unsigned long long)p->iSeed,
            getenv("LSMV_CONC_SECONDS") ? getenv("LSMV_CONC_SECONDS") : "",
            getenv("LSMV_TEST_PROFILE") ? getenv("LSMV_TEST_PROFILE") : "ci",
            p->zFail, zDetail ? zDetail : "");
    fclose(f);
  }
  fprintf(stderr, "check_concurrency: %s seed %llu failed: %s\n"
          "  reproducer: %s (rerun with LSMV_CONC_SEED=%llu)\n", p->zTest,
          (unsigned long long)p->iSeed, p->zFail, zFile,
          (unsigned long long)p->iSeed);
}

/* Fail the Check test if the run recorded a fault (after the report). */
static void concAssertClean(ConcShared *p){
  if( p->zFail[0] ) concReport(p, 0);
  ck_assert_msg(p->zFail[0]==0, "%s seed %llu: %s", p->zTest,
                (unsigned long long)p->iSeed, p->zFail);
}

/* ------------------------------------------------------ tags, groups */

/* The tag of writer w's transaction n ('C' commits, 'R' rolls back). */
static void concTag(char *zTag, char cKind, int w, uint64_t n){
  snprintf(zTag, CONC_TAG_LEN+1, "%c%02d%09llu", cKind, w,
           (unsigned long long)(n % 1000000000ULL));
}

/* Key i (suffix 'a'+i) of group g, into zKey[16]. */
static void concKey(char *zKey, int g, int i){
  snprintf(zKey, 16, "g%03d.%c", g, 'a'+i);
}

/*
** Check one tag seen by a reader: committed kind, a known writer, a number
** no higher than what that writer had started to commit (read now, after
** the data) and not below iFloor.  Returns 0, or 1 after concFail.
*/
static int concCheckTag(ConcShared *p, const char *zTag, int nTag,
                        uint64_t iFloor, const char *zWhere){
  int w;
  uint64_t n = 0, iMark;
  int i;
  if( nTag!=CONC_TAG_LEN ){
    concFail(p, "%s: malformed tag '%.*s'", zWhere, nTag, zTag);
    return 1;
  }
  if( zTag[0]=='R' ){
    concFail(p, "%s: tag %.12s of a rolled-back transaction is visible",
             zWhere, zTag);
    return 1;
  }
  w = (zTag[1]-'0')*10 + (zTag[2]-'0');
  for(i=3; i<CONC_TAG_LEN; i++) n = n*10 + (uint64_t)(zTag[i]-'0');
  if( zTag[0]!='C' || w<0 || w>=p->nWriter ){
    concFail(p, "%s: malformed tag '%.12s'", zWhere, zTag);
    return 1;
  }
  iMark = atomic_load(&p->aCommitting[w]);
  if( n>iMark ){
    concFail(p, "%s: tag %.12s seen before its commit began (writer %d "
             "had started %llu)", zWhere, zTag, w, (unsigned long long)iMark);
    return 1;
  }
  if( n<iFloor ){
    concFail(p, "%s: stale tag %.12s: transaction %llu had committed before "
             "the read began", zWhere, zTag, (unsigned long long)iFloor);
    return 1;
  }
  return 0;
}

/* What a reader found of one group. */
typedef struct ConcGroup ConcGroup;
struct ConcGroup {
  int n;                          /* Keys found */
  int bBadOrder;                  /* Keys not in ascending suffix order */
  unsigned mask;                  /* Suffixes found, bit i for 'a'+i */
  char azTag[CONC_KEYS][CONC_TAG_LEN+1];  /* Their tags, in order found */
};

/*
** Add one key (suffix c) with its tag (nTag bytes) to what was found of
** a group.  bDesc: the read runs in descending key order.
*/
static void concGroupAdd(ConcGroup *pG, char c, const char *zTag, int nTag,
                         int bDesc){
  int i = c - 'a';
  if( i<0 || i>=CONC_KEYS || (pG->mask & (1u<<i)) || pG->n>=CONC_KEYS ){
    pG->bBadOrder = 1;
    pG->n++;
    return;
  }
  if( pG->mask ){
    unsigned below = (1u<<i) - 1;
    if( bDesc ? (pG->mask & below) : (pG->mask & ~below) ) pG->bBadOrder = 1;
  }
  pG->mask |= 1u<<i;
  if( nTag>CONC_TAG_LEN ){
    memcpy(pG->azTag[pG->n], "?overlong", 10);   /* malformed: flagged */
  }else{
    memcpy(pG->azTag[pG->n], zTag, (size_t)nTag);
    pG->azTag[pG->n][nTag] = 0;
  }
  pG->n++;
}

/*
** The atomicity check of one group read in one statement, iterator or
** snapshot: no key, or all ten in order with one committed tag not older
** than iFloor.  Returns 0, or 1 after concFail.
*/
static int concCheckGroup(ConcShared *p, int g, const ConcGroup *pG,
                          uint64_t iFloor, const char *zHow){
  char zWhere[96];
  int i;
  snprintf(zWhere, sizeof(zWhere), "%s of group %d", zHow, g);
  if( pG->n==0 ) return 0;
  if( pG->n!=CONC_KEYS || pG->mask!=(1u<<CONC_KEYS)-1 || pG->bBadOrder ){
    concFail(p, "%s: torn group: %d keys (mask 0x%x%s), want 0 or %d",
             zWhere, pG->n, pG->mask, pG->bBadOrder ? ", out of order" : "",
             CONC_KEYS);
    return 1;
  }
  for(i=1; i<CONC_KEYS; i++){
    if( strcmp(pG->azTag[i], pG->azTag[0])!=0 ){
      concFail(p, "%s: mixed tags %s and %s in one read", zWhere,
               pG->azTag[0], pG->azTag[i]);
      return 1;
    }
  }
  return concCheckTag(p, pG->azTag[0], (int)strlen(pG->azTag[0]), iFloor,
                      zWhere);
}

/* Parse "gNNN.c": the group number, or -1. */
static int concParseKey(const char *z, int n, char *pc){
  if( n!=6 || z[0]!='g' || z[4]!='.' ) return -1;
  *pc = z[5];
  return (z[1]-'0')*100 + (z[2]-'0')*10 + (z[3]-'0');
}

/* ============================================================ SQL (G1) */

/* One run of the SQL workload. */
typedef struct SqlRun SqlRun;
struct SqlRun {
  ConcShared sh;                       /* Marks and faults */
  char zDb[400];                       /* Database file */
  double rDeadline;                    /* Monotonic time to stop at */
  sqlite3 *dbWriter;                   /* The writer's connection */
  sqlite3 *aReaderDb[CONC_SQL_READERS];/* The readers' connections */
  atomic_ullong aLast[CONC_SQL_GROUPS];/* (n<<1)|bDelete of the last
                                       ** finished commit per group */
  uint64_t aModel[CONC_SQL_GROUPS];    /* Writer: committed tag number per
                                       ** group, 0 if absent */
  uint64_t nFlush, nCompact;           /* From lsm_stats at the end */
};

/* A reader thread's argument. */
typedef struct SqlReader SqlReader;
struct SqlReader {
  SqlRun *pRun;                        /* The run */
  int iReader;                         /* 0..CONC_SQL_READERS-1 */
  sqlite3 *db;                         /* Its own connection */
};

/*
** Open a connection for one thread (NOMUTEX: used by one thread at a
** time), with the module registered and a busy timeout.
*/
static sqlite3 *sqlOpen(const char *zDb){
  sqlite3 *db = 0;
  int rc = sqlite3_open_v2(zDb, &db, SQLITE_OPEN_READWRITE
                           | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, 0);
  if( rc==SQLITE_OK ) rc = lsmvtabRegister(db, 0, 0);
  if( rc==SQLITE_OK ) rc = sqlite3_busy_timeout(db, 10000);
  if( rc!=SQLITE_OK ){
    fprintf(stderr, "cannot open %s: %s\n", zDb, db ? sqlite3_errmsg(db) : "");
    sqlite3_close(db);
    return 0;
  }
  return db;
}

/*
** Run zSql (no result rows wanted), retrying SQLITE_BUSY for a while.
** Returns the result code; on error records a fault unless bQuiet.
*/
static int sqlExec(ConcShared *p, sqlite3 *db, const char *zSql){
  int rc, i;
  for(i=0; i<1000; i++){
    rc = sqlite3_exec(db, zSql, 0, 0, 0);
    if( rc!=SQLITE_BUSY && rc!=SQLITE_LOCKED ) break;
    concSleepMicros(1000);
  }
  if( rc!=SQLITE_OK ){
    concFail(p, "\"%s\" failed: %d %s", zSql, rc, sqlite3_errmsg(db));
  }
  return rc;
}

/* Prepare zSql or record a fault; returns the statement or NULL. */
static sqlite3_stmt *sqlPrepare(ConcShared *p, sqlite3 *db, const char *zSql){
  sqlite3_stmt *pStmt = 0;
  int rc = sqlite3_prepare_v2(db, zSql, -1, &pStmt, 0);
  if( rc!=SQLITE_OK ){
    concFail(p, "prepare \"%s\": %s", zSql, sqlite3_errmsg(db));
    return 0;
  }
  return pStmt;
}

/*
** Step pStmt to its end, retrying SQLITE_BUSY; rows are not expected.
** Returns SQLITE_DONE or records a fault.
*/
static int sqlRunStmt(ConcShared *p, sqlite3 *db, sqlite3_stmt *pStmt){
  int rc, i;
  for(i=0; i<1000; i++){
    while( (rc = sqlite3_step(pStmt))==SQLITE_ROW ){}
    sqlite3_reset(pStmt);
    if( rc!=SQLITE_BUSY && rc!=SQLITE_LOCKED ) break;
    concSleepMicros(1000);
  }
  if( rc!=SQLITE_DONE ){
    concFail(p, "\"%s\" failed: %d %s", sqlite3_sql(pStmt), rc,
             sqlite3_errmsg(db));
  }
  return rc;
}

/* The text of the one-row, one-column query zSql, in zOut. */
static int sqlText(ConcShared *p, sqlite3 *db, const char *zSql, char *zOut,
                   size_t nOut){
  sqlite3_stmt *pStmt = sqlPrepare(p, db, zSql);
  int rc;
  zOut[0] = 0;
  if( pStmt==0 ) return SQLITE_ERROR;
  rc = sqlite3_step(pStmt);
  if( rc==SQLITE_ROW ){
    const char *z = (const char*)sqlite3_column_text(pStmt, 0);
    snprintf(zOut, nOut, "%s", z ? z : "");
    rc = SQLITE_OK;
  }else{
    concFail(p, "\"%s\": %d %s", zSql, rc, sqlite3_errmsg(db));
  }
  sqlite3_finalize(pStmt);
  return rc;
}

/* The unsigned value of "name":N in a JSON text (0 if absent). */
static uint64_t concJsonU64(const char *zJson, const char *zName){
  char zPat[64];
  const char *z;
  snprintf(zPat, sizeof(zPat), "\"%s\":", zName);
  z = strstr(zJson, zPat);
  return z ? strtoull(z + strlen(zPat), 0, 10) : 0;
}

/* Sum of the "level_files" array of lsm_stats JSON. */
static uint64_t concJsonLevelFiles(const char *zJson){
  const char *z = strstr(zJson, "\"level_files\":[");
  uint64_t n = 0;
  if( z==0 ) return 0;
  z += strlen("\"level_files\":[");
  while( *z && *z!=']' ){
    char *zEnd;
    n += strtoull(z, &zEnd, 10);
    z = (*zEnd==',') ? zEnd+1 : zEnd;
    if( zEnd==z && *z!=']' ) break;
  }
  return n;
}

/* Flush and compaction counts of table zTab from lsm_stats. */
static void sqlStats(ConcShared *p, sqlite3 *db, const char *zTab,
                     uint64_t *pnFlush, uint64_t *pnCompact, uint64_t *pnLive){
  char zSql[128], zJson[4096];
  snprintf(zSql, sizeof(zSql), "SELECT lsm_stats('%s')", zTab);
  sqlText(p, db, zSql, zJson, sizeof(zJson));
  if( pnFlush ) *pnFlush = concJsonU64(zJson, "flushes");
  if( pnCompact ) *pnCompact = concJsonU64(zJson, "compactions");
  if( pnLive ) *pnLive = concJsonLevelFiles(zJson);
}

/* ---------------------------------------------------- the SQL writer */

/* The writer's prepared statements. */
typedef struct SqlWriter SqlWriter;
struct SqlWriter {
  SqlRun *pRun;                  /* The run */
  TestRng rng;                   /* Its choices */
  uint64_t iTxn;                 /* Last transaction number used */
  sqlite3_stmt *pIns;            /* INSERT OR REPLACE one row */
  sqlite3_stmt *pMulti;          /* INSERT OR REPLACE a group, 10 rows */
  sqlite3_stmt *pDel;            /* DELETE a group */
  sqlite3_stmt *pUpd;            /* UPDATE a group's tag */
  sqlite3_stmt *pAgg;            /* count, count distinct, min(tag) */
};

/* Bind the bounds of group g's key range to parameters 1 and 2. */
static void sqlBindRange(sqlite3_stmt *pStmt, int g){
  char zLo[16], zHi[16];
  snprintf(zLo, sizeof(zLo), "g%03d.", g);
  snprintf(zHi, sizeof(zHi), "g%03d/", g);
  sqlite3_bind_text(pStmt, 1, zLo, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text(pStmt, 2, zHi, -1, SQLITE_TRANSIENT);
}

/* Set the ten keys of group g to tag zTag, one INSERT each. */
static int sqlWriteGroup(SqlWriter *pW, int g, const char *zTag){
  ConcShared *p = &pW->pRun->sh;
  int i, rc = SQLITE_DONE;
  for(i=0; rc==SQLITE_DONE && i<CONC_KEYS; i++){
    char zKey[16];
    concKey(zKey, g, i);
    sqlite3_bind_text(pW->pIns, 1, zKey, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(pW->pIns, 2, zTag, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int(pW->pIns, 3, 20 + (int)testRngBelow(&pW->rng, 200));
    rc = sqlRunStmt(p, pW->pRun->dbWriter, pW->pIns);
  }
  return rc==SQLITE_DONE ? SQLITE_OK : rc;
}

/* Publish that transaction n (of writer 0) is about to commit. */
static void sqlCommitting(SqlRun *pRun, uint64_t n){
  atomic_store(&pRun->sh.aCommitting[0], n);
}

/* Record a finished commit of group g in the model and for the readers. */
static void sqlCommitted(SqlRun *pRun, int g, uint64_t n, int bDelete){
  pRun->aModel[g] = bDelete ? 0 : n;
  atomic_store(&pRun->aLast[g], (n<<1) | (uint64_t)bDelete);
  atomic_fetch_add(&pRun->sh.nWrite, 1);
}

/*
** Inside a transaction that wrote tag zTag to group g: its own reads must
** see all ten rows with that tag (the batch through the cursor).
*/
static void sqlCheckOwnWrites(SqlWriter *pW, int g, const char *zTag){
  ConcShared *p = &pW->pRun->sh;
  sqlite3_stmt *pAgg = pW->pAgg;
  sqlBindRange(pAgg, g);
  if( sqlite3_step(pAgg)==SQLITE_ROW ){
    const char *zMin = (const char*)sqlite3_column_text(pAgg, 2);
    if( sqlite3_column_int(pAgg, 0)!=CONC_KEYS
     || sqlite3_column_int(pAgg, 1)!=1 || zMin==0 || strcmp(zMin, zTag)!=0 ){
      concFail(p, "writer: own writes of group %d not visible in its "
               "transaction: count %d distinct %d min %s, want %d 1 %s", g,
               sqlite3_column_int(pAgg, 0), sqlite3_column_int(pAgg, 1),
               zMin ? zMin : "NULL", CONC_KEYS, zTag);
    }
  }else{
    concFail(p, "writer: own-write read: %s",
             sqlite3_errmsg(pW->pRun->dbWriter));
  }
  sqlite3_reset(pAgg);
}

/*
** One transaction of the writer, of a random kind: a group write (some
** with a savepoint rolled back inside), a multi-row autocommit INSERT, a
** rolled-back group write, a group delete, or an UPDATE of the tags.
*/
static void sqlWriterStep(SqlWriter *pW){
  SqlRun *pRun = pW->pRun;
  ConcShared *p = &pRun->sh;
  sqlite3 *db = pRun->dbWriter;
  int r = (int)testRngBelow(&pW->rng, 100);
  int g = (int)testRngBelow(&pW->rng, CONC_SQL_GROUPS);
  uint64_t n = ++pW->iTxn;
  char zTag[CONC_TAG_LEN+1], zBad[CONC_TAG_LEN+1];
  concTag(zTag, 'C', 0, n);
  concTag(zBad, 'R', 0, n);

  if( r<50 ){
    if( sqlExec(p, db, "BEGIN") ) return;
    if( sqlWriteGroup(pW, g, zTag) ) return;
    if( r<15 ){
      int g2 = (int)testRngBelow(&pW->rng, CONC_SQL_GROUPS);
      if( sqlExec(p, db, "SAVEPOINT s1") ) return;
      if( sqlWriteGroup(pW, g2, zBad) ) return;
      if( sqlExec(p, db, "ROLLBACK TO s1") ) return;
      if( sqlExec(p, db, "RELEASE s1") ) return;
    }
    sqlCommitting(pRun, n);
    if( sqlExec(p, db, "COMMIT") ) return;
    sqlCommitted(pRun, g, n, 0);
  }else if( r<65 ){
    sqlite3_bind_text(pW->pMulti, 1, zTag, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int(pW->pMulti, 2, 20 + (int)testRngBelow(&pW->rng, 200));
    sqlite3_bind_int(pW->pMulti, 3, g);
    sqlCommitting(pRun, n);
    if( sqlRunStmt(p, db, pW->pMulti)!=SQLITE_DONE ) return;
    sqlCommitted(pRun, g, n, 0);
  }else if( r<78 ){
    if( sqlExec(p, db, "BEGIN") ) return;
    if( sqlWriteGroup(pW, g, zBad) ) return;
    sqlCheckOwnWrites(pW, g, zBad);
    if( sqlExec(p, db, "ROLLBACK") ) return;
    atomic_fetch_add(&p->nRollback, 1);
  }else if( r<88 ){
    if( sqlExec(p, db, "BEGIN") ) return;
    sqlBindRange(pW->pDel, g);
    if( sqlRunStmt(p, db, pW->pDel)!=SQLITE_DONE ) return;
    sqlCommitting(pRun, n);
    if( sqlExec(p, db, "COMMIT") ) return;
    sqlCommitted(pRun, g, n, 1);
  }else{
    sqlBindRange(pW->pUpd, g);
    sqlite3_bind_text(pW->pUpd, 3, zTag, -1, SQLITE_TRANSIENT);
    sqlCommitting(pRun, n);
    if( sqlRunStmt(p, db, pW->pUpd)!=SQLITE_DONE ) return;
    if( sqlite3_changes(db)!=(pRun->aModel[g] ? CONC_KEYS : 0) ){
      concFail(p, "writer: UPDATE of group %d changed %d rows, want %d", g,
               sqlite3_changes(db), pRun->aModel[g] ? CONC_KEYS : 0);
      return;
    }
    if( pRun->aModel[g] ) sqlCommitted(pRun, g, n, 0);
  }
}

/* The multi-row INSERT of a whole group: ?1 tag, ?2 pad bytes, ?3 group. */
static void sqlMultiInsertSql(char *zSql, size_t nSql){
  size_t n = 0;
  int i;
  n += (size_t)snprintf(&zSql[n], nSql-n,
                        "INSERT OR REPLACE INTO t(k, tag, pad) VALUES");
  for(i=0; i<CONC_KEYS; i++){
    n += (size_t)snprintf(&zSql[n], nSql-n, "%s(printf('g%%03d.%c', ?3), ?1, "
                          "randomblob(?2))", i ? "," : "", 'a'+i);
  }
}

/*
** The writer thread: transactions until the deadline, and on past it
** (at most CONC_EXTRA_SECS) until lsm_stats shows a flush and a
** compaction.
*/
static void *sqlWriterThread(void *pArg){
  SqlWriter *pW = (SqlWriter*)pArg;
  SqlRun *pRun = pW->pRun;
  ConcShared *p = &pRun->sh;
  sqlite3 *db = pRun->dbWriter;
  char zMulti[1024];
  uint64_t nFlush = 0, nCompact = 0;
  int i = 0;

  sqlMultiInsertSql(zMulti, sizeof(zMulti));
  pW->pIns = sqlPrepare(p, db,
      "INSERT OR REPLACE INTO t(k, tag, pad) VALUES(?1, ?2, randomblob(?3))");
  pW->pMulti = sqlPrepare(p, db, zMulti);
  pW->pDel = sqlPrepare(p, db, "DELETE FROM t WHERE k>=?1 AND k<?2");
  pW->pUpd = sqlPrepare(p, db, "UPDATE t SET tag=?3 WHERE k>=?1 AND k<?2");
  pW->pAgg = sqlPrepare(p, db, "SELECT count(*), count(DISTINCT tag), "
                        "min(tag) FROM t WHERE k>=?1 AND k<?2");
  while( !concStopped(p) ){
    double rNow;
    sqlWriterStep(pW);
    if( (++i % 32)!=0 ) continue;
    rNow = concNow();
    if( rNow<pRun->rDeadline ) continue;
    sqlStats(p, db, "t", &nFlush, &nCompact, 0);
    if( (nFlush>0 && nCompact>0)
     || rNow>pRun->rDeadline + CONC_EXTRA_SECS ) break;
  }
  sqlite3_finalize(pW->pIns);
  sqlite3_finalize(pW->pMulti);
  sqlite3_finalize(pW->pDel);
  sqlite3_finalize(pW->pUpd);
  sqlite3_finalize(pW->pAgg);
  atomic_store(&p->bStop, 1);          /* the readers stop with the writer */
  return 0;
}

/* ---------------------------------------------------- the SQL readers */

/* The readers' prepared statements. */
typedef struct SqlReadStmts SqlReadStmts;
struct SqlReadStmts {
  sqlite3_stmt *pRange;          /* k, tag of a group's range */
  sqlite3_stmt *pIn;             /* k, tag of the ten keys by IN */
  sqlite3_stmt *pAgg;            /* count, count distinct, min(tag) */
  sqlite3_stmt *pPoint;          /* tag of one key */
  sqlite3_stmt *pFull;           /* every k, tag in key order */
};

/* The floor of group g: the tag number of its last finished commit. */
static uint64_t sqlFloor(SqlRun *pRun, int g){
  return atomic_load(&pRun->aLast[g]) >> 1;
}

/*
** Step a statement returning (k, tag) rows of group g (bDesc: expected in
** descending order) and check the group.
*/
static void sqlReadGroupRows(SqlRun *pRun, sqlite3 *db, sqlite3_stmt *pStmt,
                             int g, uint64_t iFloor, const char *zHow){
  ConcShared *p = &pRun->sh;
  ConcGroup grp;
  int rc;
  memset(&grp, 0, sizeof(grp));
  while( (rc = sqlite3_step(pStmt))==SQLITE_ROW ){
    const char *zK = (const char*)sqlite3_column_text(pStmt, 0);
    const char *zT = (const char*)sqlite3_column_text(pStmt, 1);
    char c = 0;
    int gk = zK ? concParseKey(zK, sqlite3_column_bytes(pStmt, 0), &c) : -1;
    if( gk!=g || zT==0 ){
      concFail(p, "%s of group %d returned key %s", zHow, g, zK ? zK : "NULL");
      break;
    }
    concGroupAdd(&grp, c, zT, sqlite3_column_bytes(pStmt, 1), 0);
  }
  if( rc!=SQLITE_DONE && rc!=SQLITE_ROW ){
    concFail(p, "%s of group %d: %d %s", zHow, g, rc, sqlite3_errmsg(db));
  }else if( rc==SQLITE_DONE ){
    concCheckGroup(p, g, &grp, iFloor, zHow);
  }
  sqlite3_reset(pStmt);
}

/* count(*), count(DISTINCT tag), min(tag) of group g: 0,0,NULL or 10,1,tag. */
static void sqlReadAgg(SqlRun *pRun, sqlite3 *db, sqlite3_stmt *pAgg, int g,
                       uint64_t iFloor){
  ConcShared *p = &pRun->sh;
  int rc = sqlite3_step(pAgg);
  if( rc==SQLITE_ROW ){
    int nRow = sqlite3_column_int(pAgg, 0);
    int nDistinct = sqlite3_column_int(pAgg, 1);
    const char *zMin = (const char*)sqlite3_column_text(pAgg, 2);
    if( nRow==0 && nDistinct==0 && zMin==0 ){
      /* an absent group */
    }else if( nRow!=CONC_KEYS || nDistinct!=1 || zMin==0 ){
      concFail(p, "aggregate of group %d: count %d, distinct tags %d", g,
               nRow, nDistinct);
    }else{
      concCheckTag(p, zMin, sqlite3_column_bytes(pAgg, 2), iFloor,
                   "aggregate");
    }
  }else{
    concFail(p, "aggregate of group %d: %d %s", g, rc, sqlite3_errmsg(db));
  }
  sqlite3_reset(pAgg);
}

/* One key by equality: absent, or a committed tag. */
static void sqlReadPoint(SqlRun *pRun, sqlite3 *db, sqlite3_stmt *pPoint,
                         int g, int i){
  ConcShared *p = &pRun->sh;
  char zKey[16];
  uint64_t iLast = atomic_load(&pRun->aLast[g]);
  int rc;
  concKey(zKey, g, i);
  sqlite3_bind_text(pPoint, 1, zKey, -1, SQLITE_TRANSIENT);
  rc = sqlite3_step(pPoint);
  if( rc==SQLITE_ROW ){
    concCheckTag(p, (const char*)sqlite3_column_text(pPoint, 0),
                 sqlite3_column_bytes(pPoint, 0), iLast>>1, "point lookup");
    rc = sqlite3_step(pPoint);
  }
  if( rc!=SQLITE_DONE ){
    concFail(p, "point lookup of %s: %d %s", zKey, rc, sqlite3_errmsg(db));
  }
  sqlite3_reset(pPoint);
}

/*
** A full scan in key order: keys strictly ascending, every group whole
** with one committed tag no older than its floor when the scan began.
*/
static void sqlReadFull(SqlRun *pRun, sqlite3 *db, sqlite3_stmt *pFull){
  ConcShared *p = &pRun->sh;
  uint64_t aFloor[CONC_SQL_GROUPS];
  ConcGroup grp;
  int gCur = -1;
  int rc, g;
  for(g=0; g<CONC_SQL_GROUPS; g++) aFloor[g] = sqlFloor(pRun, g);
  memset(&grp, 0, sizeof(grp));
  while( (rc = sqlite3_step(pFull))==SQLITE_ROW && !concStopped(p) ){
    const char *zK = (const char*)sqlite3_column_text(pFull, 0);
    const char *zT = (const char*)sqlite3_column_text(pFull, 1);
    char c = 0;
    int gk = zK ? concParseKey(zK, sqlite3_column_bytes(pFull, 0), &c) : -1;
    if( gk<0 || gk>=CONC_SQL_GROUPS || gk<gCur || zT==0 ){
      concFail(p, "full scan: key %s after group %d", zK ? zK : "NULL", gCur);
      break;
    }
    if( gk!=gCur ){
      if( gCur>=0 && concCheckGroup(p, gCur, &grp, aFloor[gCur], "full scan") ){
        break;
      }
      memset(&grp, 0, sizeof(grp));
      gCur = gk;
    }
    concGroupAdd(&grp, c, zT, sqlite3_column_bytes(pFull, 1), 0);
  }
  if( rc==SQLITE_DONE && gCur>=0 ){
    concCheckGroup(p, gCur, &grp, aFloor[gCur], "full scan");
  }else if( rc!=SQLITE_DONE && rc!=SQLITE_ROW ){
    concFail(p, "full scan: %d %s", rc, sqlite3_errmsg(db));
  }
  sqlite3_reset(pFull);
}

/*
** One read of a random kind.  Some run inside a read transaction
** (BEGIN ... COMMIT) with a second statement on the same group: each
** statement must see whole groups (the module promises a snapshot per
** statement, not per read transaction: README, "Isolation").
*/
static void sqlReaderStep(SqlReader *pR, SqlReadStmts *pS, TestRng *pRng){
  SqlRun *pRun = pR->pRun;
  ConcShared *p = &pRun->sh;
  sqlite3 *db = pR->db;
  int r = (int)testRngBelow(pRng, 100);
  int g = (int)testRngBelow(pRng, CONC_SQL_GROUPS);
  uint64_t iFloor = sqlFloor(pRun, g);
  if( r<30 ){
    sqlBindRange(pS->pRange, g);
    sqlReadGroupRows(pRun, db, pS->pRange, g, iFloor, "range scan");
  }else if( r<50 ){
    int i;
    for(i=0; i<CONC_KEYS; i++){
      char zKey[16];
      concKey(zKey, g, i);
      sqlite3_bind_text(pS->pIn, i+1, zKey, -1, SQLITE_TRANSIENT);
    }
    sqlReadGroupRows(pRun, db, pS->pIn, g, iFloor, "IN lookup");
  }else if( r<65 ){
    sqlBindRange(pS->pAgg, g);
    sqlReadAgg(pRun, db, pS->pAgg, g, iFloor);
  }else if( r<85 ){
    sqlReadPoint(pRun, db, pS->pPoint, g, (int)testRngBelow(pRng, CONC_KEYS));
  }else if( r<92 ){
    sqlReadFull(pRun, db, pS->pFull);
  }else{
    if( sqlExec(p, db, "BEGIN") ) return;
    sqlBindRange(pS->pRange, g);
    sqlReadGroupRows(pRun, db, pS->pRange, g, iFloor, "range scan in a "
                     "read transaction");
    iFloor = sqlFloor(pRun, g);
    sqlBindRange(pS->pAgg, g);
    sqlReadAgg(pRun, db, pS->pAgg, g, iFloor);
    sqlExec(p, db, "COMMIT");
  }
  atomic_fetch_add(&p->nRead, 1);
}

/* A reader thread: reads until the writer stops or a fault. */
static void *sqlReaderThread(void *pArg){
  SqlReader *pR = (SqlReader*)pArg;
  ConcShared *p = &pR->pRun->sh;
  sqlite3 *db = pR->db;
  SqlReadStmts s;
  TestRng rng;
  char zIn[256];
  int i, n = 0;

  testRngSeed(&rng, p->iSeed*100 + (uint64_t)pR->iReader + 1);
  n += snprintf(&zIn[n], sizeof(zIn)-(size_t)n,
                "SELECT k, tag FROM t WHERE k IN (");
  for(i=0; i<CONC_KEYS; i++){
    n += snprintf(&zIn[n], sizeof(zIn)-(size_t)n, "%s?%d", i ? "," : "", i+1);
  }
  snprintf(&zIn[n], sizeof(zIn)-(size_t)n, ") ORDER BY k");
  s.pRange = sqlPrepare(p, db, "SELECT k, tag FROM t WHERE k>=?1 AND k<?2");
  s.pIn = sqlPrepare(p, db, zIn);
  s.pAgg = sqlPrepare(p, db, "SELECT count(*), count(DISTINCT tag), min(tag) "
                      "FROM t WHERE k>=?1 AND k<?2");
  s.pPoint = sqlPrepare(p, db, "SELECT tag FROM t WHERE k=?1");
  s.pFull = sqlPrepare(p, db, "SELECT k, tag FROM t ORDER BY k");
  while( !concStopped(p) && s.pRange && s.pIn && s.pAgg && s.pPoint
      && s.pFull ){
    sqlReaderStep(pR, &s, &rng);
  }
  sqlite3_finalize(s.pRange);
  sqlite3_finalize(s.pIn);
  sqlite3_finalize(s.pAgg);
  sqlite3_finalize(s.pPoint);
  sqlite3_finalize(s.pFull);
  return 0;
}

/*
** After the threads: the table equals the writer's model (every group
** whole with the last committed tag, or absent), lsm_check says ok, and
** the background thread both flushed and compacted.
*/
static void sqlFinalCheck(SqlRun *pRun){
  ConcShared *p = &pRun->sh;
  sqlite3 *db = pRun->dbWriter;
  sqlite3_stmt *pStmt;
  char zCheck[512];
  int nSeen[CONC_SQL_GROUPS];
  int rc, g;

  memset(nSeen, 0, sizeof(nSeen));
  sqlText(p, db, "SELECT lsm_check('t')", zCheck, sizeof(zCheck));
  if( strcmp(zCheck, "ok")!=0 ) concFail(p, "lsm_check: %s", zCheck);
  sqlStats(p, db, "t", &pRun->nFlush, &pRun->nCompact, 0);
  if( pRun->nFlush==0 || pRun->nCompact==0 ){
    concFail(p, "background work did not happen: %llu flushes, %llu "
             "compactions", (unsigned long long)pRun->nFlush,
             (unsigned long long)pRun->nCompact);
  }
  pStmt = sqlPrepare(p, db, "SELECT k, tag FROM t ORDER BY k");
  while( pStmt && (rc = sqlite3_step(pStmt))==SQLITE_ROW ){
    const char *zK = (const char*)sqlite3_column_text(pStmt, 0);
    const char *zT = (const char*)sqlite3_column_text(pStmt, 1);
    char zWant[CONC_TAG_LEN+1];
    char c;
    g = zK ? concParseKey(zK, sqlite3_column_bytes(pStmt, 0), &c) : -1;
    if( g<0 || g>=CONC_SQL_GROUPS || pRun->aModel[g]==0 ){
      concFail(p, "final: unexpected key %s", zK ? zK : "NULL");
      break;
    }
    concTag(zWant, 'C', 0, pRun->aModel[g]);
    if( zT==0 || strcmp(zT, zWant)!=0 ){
      concFail(p, "final: %s has tag %s, want %s", zK, zT ? zT : "NULL", zWant);
      break;
    }
    nSeen[g]++;
  }
  sqlite3_finalize(pStmt);
  for(g=0; g<CONC_SQL_GROUPS; g++){
    int nWant = pRun->aModel[g] ? CONC_KEYS : 0;
    if( nSeen[g]!=nWant ){
      concFail(p, "final: group %d has %d keys, want %d", g, nSeen[g], nWant);
      break;
    }
  }
}

/*
** Create the database (WAL mode) and the table, and fill every group with
** transaction 1's tag.
*/
static int sqlSetup(SqlRun *pRun){
  ConcShared *p = &pRun->sh;
  sqlite3 *db = pRun->dbWriter;
  SqlWriter w;
  int g;
  memset(&w, 0, sizeof(w));
  w.pRun = pRun;
  testRngSeed(&w.rng, p->iSeed);
  if( sqlExec(p, db, "PRAGMA journal_mode=WAL") ) return 1;
  if( sqlExec(p, db, "CREATE VIRTUAL TABLE t USING lsm(k TEXT PRIMARY KEY, "
              "tag TEXT NOT NULL, pad BLOB, memtable_size='64K')") ) return 1;
  w.pIns = sqlPrepare(p, db,
      "INSERT INTO t(k, tag, pad) VALUES(?1, ?2, randomblob(?3))");
  if( w.pIns==0 || sqlExec(p, db, "BEGIN") ) return 1;
  for(g=0; g<CONC_SQL_GROUPS; g++){
    char zTag[CONC_TAG_LEN+1];
    concTag(zTag, 'C', 0, 1);
    if( sqlWriteGroup(&w, g, zTag) ) break;
    pRun->aModel[g] = 1;
    atomic_init(&pRun->aLast[g], 1<<1);
  }
  sqlite3_finalize(w.pIns);
  sqlCommitting(pRun, 1);
  return p->zFail[0] || sqlExec(p, db, "COMMIT");
}

/*
** G1 and G2 through SQL for one seed: setup, 1 writer + 4 readers until
** the deadline, the final check.
*/
static void sqlRunSeed(uint64_t iSeed, double rSecs){
  SqlRun *pRun = calloc(1, sizeof(SqlRun));
  SqlWriter writer;
  SqlReader aReader[CONC_SQL_READERS];
  pthread_t wThread, aThread[CONC_SQL_READERS];
  TestDir dir;
  double rStart;
  int i;

  ck_assert_ptr_nonnull(pRun);
  concSharedInit(&pRun->sh, "g1_sql", iSeed, 1);
  testDirNew(&dir, "conc_sql");
  testDirPath(&dir, "conc.db", pRun->zDb, sizeof(pRun->zDb));
  pRun->dbWriter = sqlOpen(pRun->zDb);
  ck_assert_ptr_nonnull(pRun->dbWriter);
  if( sqlSetup(pRun)==0 ){
    for(i=0; i<CONC_SQL_READERS; i++){
      pRun->aReaderDb[i] = sqlOpen(pRun->zDb);
      ck_assert_ptr_nonnull(pRun->aReaderDb[i]);
    }
    rStart = concNow();
    pRun->rDeadline = rStart + rSecs;
    memset(&writer, 0, sizeof(writer));
    writer.pRun = pRun;
    writer.iTxn = 1;
    testRngSeed(&writer.rng, iSeed);
    for(i=0; i<CONC_SQL_READERS; i++){
      aReader[i].pRun = pRun;
      aReader[i].iReader = i;
      aReader[i].db = pRun->aReaderDb[i];
      ck_assert_int_eq(pthread_create(&aThread[i], 0, sqlReaderThread,
                                      &aReader[i]), 0);
    }
    ck_assert_int_eq(pthread_create(&wThread, 0, sqlWriterThread, &writer), 0);
    pthread_join(wThread, 0);
    for(i=0; i<CONC_SQL_READERS; i++) pthread_join(aThread[i], 0);
    for(i=0; i<CONC_SQL_READERS; i++) sqlite3_close(pRun->aReaderDb[i]);
    if( pRun->sh.zFail[0]==0 ) sqlFinalCheck(pRun);
    printf("G1 seed %llu: %.1f s, %llu commits, %llu rollbacks, %llu reads "
           "checked, %llu flushes, %llu compactions\n",
           (unsigned long long)iSeed, concNow()-rStart,
           (unsigned long long)atomic_load(&pRun->sh.nWrite),
           (unsigned long long)atomic_load(&pRun->sh.nRollback),
           (unsigned long long)atomic_load(&pRun->sh.nRead),
           (unsigned long long)pRun->nFlush, (unsigned long long)pRun->nCompact);
  }
  sqlite3_close(pRun->dbWriter);
  if( pRun->sh.zFail[0]==0 ) testDirFree(&dir);
  else concReport(&pRun->sh, dir.zPath);   /* the store is kept */
  ck_assert_msg(pRun->sh.zFail[0]==0, "G1 seed %llu: %s",
                (unsigned long long)iSeed, pRun->sh.zFail);
  free(pRun);
}

/* G1 seeds: 1..3, or LSMV_CONC_SEED alone. */
START_TEST(test_g1_sql_readers_writer){
  double rSecs = concSeconds(60.0, 1200.0);
  const char *zSeed = getenv("LSMV_CONC_SEED");
  if( zSeed && zSeed[0] ){
    sqlRunSeed(strtoull(zSeed, 0, 10), rSecs);
  }else{
    uint64_t iSeed;
    for(iSeed=1; iSeed<=3; iSeed++) sqlRunSeed(iSeed, rSecs);
  }
}
END_TEST

/* ======================================================== engine (G2) */

/* One run of the engine workload. */
typedef struct EngRun EngRun;
struct EngRun {
  ConcShared sh;                 /* Marks and faults */
  TestDir dir;                   /* The store */
  lsmc_db *pDb;                  /* Handle shared by writers and upkeep */
  double rDeadline;              /* Monotonic time to stop at */
  atomic_ullong nFlushCall;      /* lsmc_flush calls (upkeep) */
  atomic_ullong nCompactCall;    /* lsmc_compact_range calls */
  atomic_ullong nCheckCall;      /* lsmc_check calls */
};

/* A thread's argument. */
typedef struct EngThread EngThread;
struct EngThread {
  EngRun *pRun;                  /* The run */
  int iThread;                   /* Writer or reader number */
  TestRng rng;                   /* Its choices */
};

/*
** The value stored under a tag: the tag, then a pad whose length and
** bytes follow from the tag, so that a reader can tell a whole value.
*/
static int engValue(char *zVal, const char *zTag){
  unsigned h = 0;
  int i, nPad;
  for(i=0; i<CONC_TAG_LEN; i++) h = h*31 + (unsigned char)zTag[i];
  nPad = 8 + (int)(h % 150);
  memcpy(zVal, zTag, CONC_TAG_LEN);
  for(i=0; i<nPad; i++) zVal[CONC_TAG_LEN+i] = (char)('a' + (h+(unsigned)i)%26);
  return CONC_TAG_LEN + nPad;
}

/* Check a value read back (whole: pad as engValue makes it); its tag. */
static int engValueTag(ConcShared *p, const void *pVal, size_t nVal,
                       char *zTag, const char *zHow){
  char zWant[CONC_TAG_LEN+200];
  int nWant;
  if( nVal<CONC_TAG_LEN ){
    concFail(p, "%s: value of %d bytes", zHow, (int)nVal);
    return 1;
  }
  memcpy(zTag, pVal, CONC_TAG_LEN);
  zTag[CONC_TAG_LEN] = 0;
  nWant = engValue(zWant, zTag);
  if( (size_t)nWant!=nVal || memcmp(zWant, pVal, nVal)!=0 ){
    concFail(p, "%s: damaged value for tag %s (%d bytes, want %d)", zHow,
             zTag, (int)nVal, nWant);
    return 1;
  }
  return 0;
}

/* A batch setting group g to zTag (or deleting it if zTag is NULL). */
static int engBatchGroup(lsmc_batch *pBatch, int g, const char *zTag){
  char zVal[CONC_TAG_LEN+200];
  int nVal = zTag ? engValue(zVal, zTag) : 0;
  int i, rc = LSMC_OK;
  for(i=0; rc==LSMC_OK && i<CONC_KEYS; i++){
    char zKey[16];
    concKey(zKey, g, i);
    rc = zTag ? lsmc_batch_put(pBatch, zKey, 6, zVal, (size_t)nVal)
              : lsmc_batch_delete(pBatch, zKey, 6);
  }
  return rc;
}

/*
** One engine transaction of writer w: a batch write, a two-phase commit,
** a prepared commit that is aborted, a batch with a truncated tail, or a
** group delete.
*/
static int engWriterStep(EngThread *pT, uint64_t n){
  EngRun *pRun = pT->pRun;
  ConcShared *p = &pRun->sh;
  int w = pT->iThread;
  int r = (int)testRngBelow(&pT->rng, 100);
  int g = (int)testRngBelow(&pT->rng, CONC_ENG_GROUPS);
  char zTag[CONC_TAG_LEN+1], zBad[CONC_TAG_LEN+1];
  lsmc_batch *pBatch = 0;
  lsmc_commit *pCommit = 0;
  int rc = lsmc_batch_new(&pBatch);
  concTag(zTag, 'C', w, n);
  concTag(zBad, 'R', w, n);
  if( rc==LSMC_OK && r<45 ){
    rc = engBatchGroup(pBatch, g, zTag);
    atomic_store(&p->aCommitting[w], n);
    if( rc==LSMC_OK ){
      rc = lsmc_write(pRun->pDb, pBatch, r<15 ? LSMC_SYNC_OFF : LSMC_SYNC_NORMAL);
    }
  }else if( rc==LSMC_OK && r<65 ){
    rc = engBatchGroup(pBatch, g, zTag);
    atomic_store(&p->aCommitting[w], n);
    if( rc==LSMC_OK ){
      rc = lsmc_commit_prepare(pRun->pDb, pBatch, LSMC_SYNC_DEFAULT, &pCommit);
    }
    if( rc==LSMC_OK ) lsmc_commit_apply(pCommit);
  }else if( rc==LSMC_OK && r<77 ){
    rc = engBatchGroup(pBatch, g, zBad);
    if( rc==LSMC_OK ){
      rc = lsmc_commit_prepare(pRun->pDb, pBatch, LSMC_SYNC_DEFAULT, &pCommit);
    }
    if( rc==LSMC_OK ){
      concSleepMicros((long)testRngBelow(&pT->rng, 200));  /* lead held */
      rc = lsmc_commit_abort(pCommit);
    }
    atomic_fetch_add(&p->nRollback, 1);
  }else if( rc==LSMC_OK && r<89 ){
    size_t iMark;
    rc = engBatchGroup(pBatch, g, zTag);
    iMark = lsmc_batch_mark(pBatch);
    if( rc==LSMC_OK ){
      rc = engBatchGroup(pBatch, (int)testRngBelow(&pT->rng, CONC_ENG_GROUPS),
                         zBad);
    }
    lsmc_batch_truncate(pBatch, iMark);
    atomic_store(&p->aCommitting[w], n);
    if( rc==LSMC_OK ) rc = lsmc_write(pRun->pDb, pBatch, LSMC_SYNC_DEFAULT);
  }else if( rc==LSMC_OK ){
    rc = engBatchGroup(pBatch, g, 0);
    atomic_store(&p->aCommitting[w], n);
    if( rc==LSMC_OK ) rc = lsmc_write(pRun->pDb, pBatch, LSMC_SYNC_OFF);
  }
  lsmc_batch_free(pBatch);
  if( rc!=LSMC_OK ){
    concFail(p, "writer %d: transaction %llu (kind %d): rc %d: %s", w,
             (unsigned long long)n, r, rc, lsmc_errmsg(pRun->pDb));
    return rc;
  }
  atomic_fetch_add(&p->nWrite, 1);
  return LSMC_OK;
}

/* A writer thread: transactions until the deadline. */
static void *engWriterThread(void *pArg){
  EngThread *pT = (EngThread*)pArg;
  EngRun *pRun = pT->pRun;
  uint64_t n = 1;
  while( !concStopped(&pRun->sh) && concNow()<pRun->rDeadline ){
    if( engWriterStep(pT, ++n) ) break;
  }
  return 0;
}

/*
** Read group g through iterator pIter, which must be bounded to the group
** or positioned by a seek: forward from the group's first key, or (bDesc)
** backward from its last.  Stops at the first key outside the group.
*/
static void engIterGroup(ConcShared *p, lsmc_iter *pIter, int g, int bDesc,
                         int rcMove, const char *zHow){
  ConcGroup grp;
  int rc = rcMove;
  memset(&grp, 0, sizeof(grp));
  while( rc==LSMC_OK && lsmc_iter_valid(pIter) ){
    size_t nK, nV;
    const char *zK = (const char*)lsmc_iter_key(pIter, &nK);
    const void *pV = lsmc_iter_value(pIter, &nV);
    char zTag[CONC_TAG_LEN+1];
    char c = 0;
    if( concParseKey(zK, (int)nK, &c)!=g ) break;
    if( engValueTag(p, pV, nV, zTag, zHow) ) return;
    concGroupAdd(&grp, c, zTag, CONC_TAG_LEN, bDesc);
    rc = bDesc ? lsmc_iter_prev(pIter) : lsmc_iter_next(pIter);
  }
  if( rc!=LSMC_OK ){
    concFail(p, "%s of group %d: rc %d", zHow, g, rc);
    return;
  }
  concCheckGroup(p, g, &grp, 0, zHow);
}

/* Ten point lookups of group g through snapshot pSnap. */
static void engSnapshotGets(EngThread *pT, lsmc_db *pDb, int g){
  ConcShared *p = &pT->pRun->sh;
  lsmc_snapshot *pSnap = 0;
  ConcGroup grp;
  int i, rc = lsmc_snapshot_get(pDb, &pSnap);
  memset(&grp, 0, sizeof(grp));
  for(i=0; rc==LSMC_OK && i<CONC_KEYS; i++){
    char zKey[16], zTag[CONC_TAG_LEN+1];
    void *pVal = 0;
    size_t nVal = 0;
    concKey(zKey, g, i);
    if( testRngBelow(&pT->rng, 4)==0 ){
      concSleepMicros((long)testRngBelow(&pT->rng, 300));   /* writes go on */
    }
    rc = lsmc_get(pDb, pSnap, zKey, 6, &pVal, &nVal);
    if( rc==LSMC_OK ){
      if( engValueTag(p, pVal, nVal, zTag, "snapshot get") ) rc = -1;
      else concGroupAdd(&grp, zKey[5], zTag, CONC_TAG_LEN, 0);
      lsmc_free(pDb, pVal);
    }else if( rc==LSMC_NOTFOUND ){
      rc = LSMC_OK;
    }
  }
  lsmc_snapshot_release(pDb, pSnap);
  if( rc>0 ) concFail(p, "snapshot gets of group %d: rc %d", g, rc);
  if( rc==LSMC_OK ) concCheckGroup(p, g, &grp, 0, "snapshot gets");
}

/*
** A full scan through an explicit snapshot, stepped with pauses: keys
** ascending, every group whole.
*/
static void engFullScan(EngThread *pT, lsmc_db *pDb){
  ConcShared *p = &pT->pRun->sh;
  lsmc_snapshot *pSnap = 0;
  lsmc_iter *pIter = 0;
  int rc = lsmc_snapshot_get(pDb, &pSnap);
  int g = 0;
  if( rc==LSMC_OK ) rc = lsmc_iter_open(pDb, pSnap, 0, 0, 0, 0, &pIter);
  if( rc==LSMC_OK ) rc = lsmc_iter_first(pIter);
  while( rc==LSMC_OK && lsmc_iter_valid(pIter) && !concStopped(p) ){
    size_t nK;
    const char *zK = (const char*)lsmc_iter_key(pIter, &nK);
    char c;
    int gk = concParseKey(zK, (int)nK, &c);
    if( gk<g || gk>=CONC_ENG_GROUPS ){
      concFail(p, "full scan: key %.*s after group %d", (int)nK, zK, g);
      break;
    }
    g = gk;
    engIterGroup(p, pIter, g, 0, LSMC_OK, "full scan");
    if( testRngBelow(&pT->rng, 8)==0 ) concSleepMicros(500);
    g++;
    if( g>=CONC_ENG_GROUPS ) break;
  }
  if( rc!=LSMC_OK ) concFail(p, "full scan: rc %d", rc);
  lsmc_iter_close(pIter);
  lsmc_snapshot_release(pDb, pSnap);
}

/* One read of a random kind on the reader's own handle. */
static void engReaderStep(EngThread *pT, lsmc_db *pDb){
  ConcShared *p = &pT->pRun->sh;
  int r = (int)testRngBelow(&pT->rng, 100);
  int g = (int)testRngBelow(&pT->rng, CONC_ENG_GROUPS);
  char zLo[16], zHi[16];
  lsmc_iter *pIter = 0;
  int rc = LSMC_OK;
  snprintf(zLo, sizeof(zLo), "g%03d.", g);
  snprintf(zHi, sizeof(zHi), "g%03d/", g);
  if( r<25 ){
    rc = lsmc_iter_open(pDb, 0, zLo, 5, zHi, 5, &pIter);
    if( rc==LSMC_OK ) engIterGroup(p, pIter, g, 0, lsmc_iter_first(pIter),
                                   "bounded iterator");
  }else if( r<40 ){
    rc = lsmc_iter_open(pDb, 0, zLo, 5, zHi, 5, &pIter);
    if( rc==LSMC_OK ) engIterGroup(p, pIter, g, 1, lsmc_iter_last(pIter),
                                   "reverse iterator");
  }else if( r<55 ){
    rc = lsmc_iter_open(pDb, 0, 0, 0, 0, 0, &pIter);
    if( rc==LSMC_OK ){
      int bDesc = (int)testRngBelow(&pT->rng, 2);
      if( bDesc ){
        char zEnd[16];
        snprintf(zEnd, sizeof(zEnd), "g%03d.z", g);
        engIterGroup(p, pIter, g, 1,
                     lsmc_iter_seek(pIter, zEnd, 6, LSMC_SEEK_LE), "seek LE");
      }else{
        engIterGroup(p, pIter, g, 0,
                     lsmc_iter_seek(pIter, zLo, 5, LSMC_SEEK_GE), "seek GE");
      }
    }
  }else if( r<75 ){
    engSnapshotGets(pT, pDb, g);
  }else if( r<93 ){
    char zKey[16], zTag[CONC_TAG_LEN+1];
    void *pVal = 0;
    size_t nVal = 0;
    concKey(zKey, g, (int)testRngBelow(&pT->rng, CONC_KEYS));
    rc = lsmc_get(pDb, 0, zKey, 6, &pVal, &nVal);
    if( rc==LSMC_OK ){
      if( engValueTag(p, pVal, nVal, zTag, "get")==0 ){
        concCheckTag(p, zTag, CONC_TAG_LEN, 0, "get");
      }
      lsmc_free(pDb, pVal);
    }else if( rc==LSMC_NOTFOUND ){
      rc = LSMC_OK;
    }
  }else{
    engFullScan(pT, pDb);
  }
  if( rc!=LSMC_OK ) concFail(p, "reader %d: read kind %d: rc %d: %s",
                             pT->iThread, r, rc, lsmc_errmsg(pDb));
  lsmc_iter_close(pIter);
  atomic_fetch_add(&p->nRead, 1);
}

/* A reader thread: its own handle on the engine, reads until the end. */
static void *engReaderThread(void *pArg){
  EngThread *pT = (EngThread*)pArg;
  EngRun *pRun = pT->pRun;
  lsmc_db *pDb = 0;
  int rc = lsmc_open(pRun->dir.zPath, 0, &pDb);
  if( rc!=LSMC_OK ){
    concFail(&pRun->sh, "reader %d: lsmc_open: rc %d", pT->iThread, rc);
  }
  while( rc==LSMC_OK && !concStopped(&pRun->sh)
      && concNow()<pRun->rDeadline ){
    engReaderStep(pT, pDb);
  }
  lsmc_close(pDb);
  return 0;
}

/*
** The upkeep thread: flushes, range compactions, integrity checks and
** statistics on the shared handle, racing the background thread.
*/
static void *engUpkeepThread(void *pArg){
  EngThread *pT = (EngThread*)pArg;
  EngRun *pRun = pT->pRun;
  ConcShared *p = &pRun->sh;
  while( !concStopped(p) && concNow()<pRun->rDeadline ){
    int r = (int)testRngBelow(&pT->rng, 100);
    int rc = LSMC_OK;
    if( r<30 ){
      rc = lsmc_flush(pRun->pDb);
      atomic_fetch_add(&pRun->nFlushCall, 1);
    }else if( r<50 ){
      char zLo[16], zHi[16];
      int g = (int)testRngBelow(&pT->rng, CONC_ENG_GROUPS);
      snprintf(zLo, sizeof(zLo), "g%03d.", g);
      snprintf(zHi, sizeof(zHi), "g%03d.", g + (int)testRngBelow(&pT->rng, 16));
      rc = lsmc_compact_range(pRun->pDb, zLo, 5, zHi, 5);
      atomic_fetch_add(&pRun->nCompactCall, 1);
    }else if( r<70 ){
      char *zReport = 0;
      rc = lsmc_check(pRun->pDb, &zReport);
      if( rc==LSMC_OK && strncmp(zReport, "ok", 2)!=0 ){
        concFail(p, "lsmc_check while in use: %s", zReport);
      }else if( rc!=LSMC_OK ){
        concFail(p, "lsmc_check while in use: rc %d: %s", rc,
                 zReport ? zReport : "");
        rc = LSMC_OK;
      }
      lsmc_free(pRun->pDb, zReport);
      atomic_fetch_add(&pRun->nCheckCall, 1);
    }else{
      lsmc_stats st;
      char *zJson = 0;
      rc = lsmc_stats_get(pRun->pDb, &st);
      if( rc==LSMC_OK ) rc = lsmc_stats_json(pRun->pDb, &zJson);
      lsmc_free(pRun->pDb, zJson);
    }
    if( rc!=LSMC_OK ){
      concFail(p, "upkeep kind %d: rc %d: %s", r, rc, lsmc_errmsg(pRun->pDb));
    }
    concSleepMicros(2000 + (long)testRngBelow(&pT->rng, 20000));
  }
  return 0;
}

/*
** After the threads: the integrity check passes, a flush and a
** compaction happened, every group is whole, and a scan agrees with
** point lookups on every key.
*/
static void engFinalCheck(EngRun *pRun, lsmc_stats *pSt){
  ConcShared *p = &pRun->sh;
  lsmc_db *pDb = pRun->pDb;
  lsmc_iter *pIter = 0;
  char *zReport = 0;
  int rc = lsmc_check(pDb, &zReport);
  int g;
  if( rc!=LSMC_OK ) concFail(p, "final lsmc_check: rc %d: %s", rc,
                             zReport ? zReport : "");
  lsmc_free(pDb, zReport);
  lsmc_stats_get(pDb, pSt);
  if( pSt->nFlush==0 || pSt->nCompaction==0 ){
    concFail(p, "background work did not happen: %llu flushes, %llu "
             "compactions", (unsigned long long)pSt->nFlush,
             (unsigned long long)pSt->nCompaction);
  }
  for(g=0; g<CONC_ENG_GROUPS && !concStopped(p); g++){
    char zLo[16], zHi[16];
    int i;
    snprintf(zLo, sizeof(zLo), "g%03d.", g);
    snprintf(zHi, sizeof(zHi), "g%03d/", g);
    rc = lsmc_iter_open(pDb, 0, zLo, 5, zHi, 5, &pIter);
    if( rc==LSMC_OK ) engIterGroup(p, pIter, g, 0, lsmc_iter_first(pIter),
                                   "final scan");
    for(i=0; rc==LSMC_OK && i<CONC_KEYS && !concStopped(p); i++){
      char zKey[16];
      void *pVal = 0;
      size_t nVal = 0, nIt = 0;
      int bIt;
      concKey(zKey, g, i);
      rc = lsmc_iter_seek(pIter, zKey, 6, LSMC_SEEK_GE);
      bIt = rc==LSMC_OK && lsmc_iter_valid(pIter);
      if( bIt ){
        size_t nK;
        const void *pK = lsmc_iter_key(pIter, &nK);
        bIt = (nK==6 && memcmp(pK, zKey, 6)==0);
      }
      rc = lsmc_get(pDb, 0, zKey, 6, &pVal, &nVal);
      if( (rc==LSMC_OK)!=bIt
       || (bIt && (memcmp(lsmc_iter_value(pIter, &nIt), pVal, nVal)!=0
                   || nIt!=nVal)) ){
        concFail(p, "final: get and scan disagree on %s", zKey);
      }
      if( rc==LSMC_NOTFOUND ) rc = LSMC_OK;
      lsmc_free(pDb, pVal);
    }
    if( rc!=LSMC_OK ) concFail(p, "final scan of group %d: rc %d", g, rc);
    lsmc_iter_close(pIter);
    pIter = 0;
  }
}

/*
** G2 at the engine level: writers, readers and upkeep for rSecs on a
** store with compaction strategy eStrategy.
*/
static void engRun(uint64_t iSeed, int eStrategy, double rSecs){
  EngRun *pRun = calloc(1, sizeof(EngRun));
  EngThread aW[CONC_ENG_WRITERS], aR[CONC_ENG_READERS], upkeep;
  pthread_t aWt[CONC_ENG_WRITERS], aRt[CONC_ENG_READERS], upkeepT;
  lsmc_options *pOpts = 0;
  lsmc_stats st;
  double rStart;
  int i, rc;

  ck_assert_ptr_nonnull(pRun);
  concSharedInit(&pRun->sh, eStrategy==LSMC_COMPACTION_TIERED
                 ? "g2_engine_tiered" : "g2_engine_leveled", iSeed,
                 CONC_ENG_WRITERS);
  testDirNew(&pRun->dir, "conc_eng");
  testRemoveTree(pRun->dir.zPath);       /* lsmc_open creates it */
  ck_assert_int_eq(lsmc_options_new(&pOpts), LSMC_OK);
  lsmc_options_set(pOpts, LSMC_OPT_MEMTABLE_SIZE, 32*1024);
  lsmc_options_set(pOpts, LSMC_OPT_BLOCK_SIZE, 1024);
  lsmc_options_set(pOpts, LSMC_OPT_COMPACTION, eStrategy);
  lsmc_options_set(pOpts, LSMC_OPT_CACHE_SIZE, 256*1024);
  rc = lsmc_open(pRun->dir.zPath, pOpts, &pRun->pDb);
  lsmc_options_free(pOpts);
  ck_assert_int_eq(rc, LSMC_OK);

  rStart = concNow();
  pRun->rDeadline = rStart + rSecs;
  for(i=0; i<CONC_ENG_WRITERS; i++){
    aW[i].pRun = pRun;
    aW[i].iThread = i;
    testRngSeed(&aW[i].rng, iSeed*1000 + (uint64_t)i);
    ck_assert_int_eq(pthread_create(&aWt[i], 0, engWriterThread, &aW[i]), 0);
  }
  for(i=0; i<CONC_ENG_READERS; i++){
    aR[i].pRun = pRun;
    aR[i].iThread = i;
    testRngSeed(&aR[i].rng, iSeed*1000 + 100 + (uint64_t)i);
    ck_assert_int_eq(pthread_create(&aRt[i], 0, engReaderThread, &aR[i]), 0);
  }
  upkeep.pRun = pRun;
  upkeep.iThread = 0;
  testRngSeed(&upkeep.rng, iSeed*1000 + 999);
  ck_assert_int_eq(pthread_create(&upkeepT, 0, engUpkeepThread, &upkeep), 0);
  for(i=0; i<CONC_ENG_WRITERS; i++) pthread_join(aWt[i], 0);
  for(i=0; i<CONC_ENG_READERS; i++) pthread_join(aRt[i], 0);
  pthread_join(upkeepT, 0);

  memset(&st, 0, sizeof(st));
  if( pRun->sh.zFail[0]==0 ) engFinalCheck(pRun, &st);
  printf("G2 engine %s: %.1f s, %llu commits, %llu aborts, %llu reads "
         "checked, %llu flushes, %llu compactions, upkeep %llu/%llu/%llu "
         "flush/compact/check\n", pRun->sh.zTest, concNow()-rStart,
         (unsigned long long)atomic_load(&pRun->sh.nWrite),
         (unsigned long long)atomic_load(&pRun->sh.nRollback),
         (unsigned long long)atomic_load(&pRun->sh.nRead),
         (unsigned long long)st.nFlush, (unsigned long long)st.nCompaction,
         (unsigned long long)atomic_load(&pRun->nFlushCall),
         (unsigned long long)atomic_load(&pRun->nCompactCall),
         (unsigned long long)atomic_load(&pRun->nCheckCall));
  lsmc_close(pRun->pDb);
  if( pRun->sh.zFail[0]==0 ) testDirFree(&pRun->dir);
  concAssertClean(&pRun->sh);
  free(pRun);
}

/* G2 (engine): half the time leveled, half tiered. */
START_TEST(test_g2_engine_atomicity){
  double rSecs = concSeconds(10.0, 300.0);
  engRun(1, LSMC_COMPACTION_LEVELED, rSecs);
  engRun(2, LSMC_COMPACTION_TIERED, rSecs);
}
END_TEST

/* ======================================================= pinning (G3) */

/* Rows of the pinning table (CI); the soak profile uses more. */
#define PIN_ROWS_CI    3000
#define PIN_ROWS_SOAK  20000

/* A census of the process's open descriptors. */
typedef struct FdCensus FdCensus;
struct FdCensus {
  int nSst;            /* On a live .sst file */
  int nDeleted;        /* On a deleted file of the store */
  int nOther;          /* Anything else (Check's own deleted temp file) */
  char zDeleted[300];  /* One deleted target, for the message */
};

/* Count /proc/self/fd by target; zStore: the store directory. */
static void pinFdCensus(FdCensus *p, const char *zStore){
  DIR *d = opendir("/proc/self/fd");
  struct dirent *pEnt;
  char zReal[PATH_MAX];
  size_t nReal;
  if( realpath(zStore, zReal)==0 ) snprintf(zReal, sizeof(zReal), "%s", zStore);
  nReal = strlen(zReal);
  memset(p, 0, sizeof(*p));
  while( d && (pEnt = readdir(d))!=0 ){
    char zLink[300], zTarget[300];
    ssize_t n;
    if( pEnt->d_name[0]=='.' ) continue;
    snprintf(zLink, sizeof(zLink), "/proc/self/fd/%s", pEnt->d_name);
    n = readlink(zLink, zTarget, sizeof(zTarget)-1);
    if( n<0 ) continue;                  /* the listing's own descriptor */
    zTarget[n] = 0;
    if( strstr(zTarget, " (deleted)") && strncmp(zTarget, zReal, nReal)==0 ){
      p->nDeleted++;
      snprintf(p->zDeleted, sizeof(p->zDeleted), "%s", zTarget);
    }else if( n>4 && strcmp(&zTarget[n-4], ".sst")==0 ){
      p->nSst++;
    }else{
      p->nOther++;
    }
  }
  if( d ) closedir(d);
}

/* The .sst names in zDir (at most nMax) into azName; returns the count. */
static int pinListSst(const char *zDir, char azName[][32], int nMax){
  DIR *d = opendir(zDir);
  struct dirent *pEnt;
  int n = 0;
  while( d && (pEnt = readdir(d))!=0 ){
    size_t nName = strlen(pEnt->d_name);
    if( nName>4 && nName<32 && strcmp(&pEnt->d_name[nName-4], ".sst")==0 ){
      if( n<nMax ) memcpy(azName[n], pEnt->d_name, nName+1);
      n++;
    }
  }
  if( d ) closedir(d);
  return n;
}

/* State of the pinning test. */
typedef struct PinRun PinRun;
struct PinRun {
  ConcShared sh;                 /* Faults */
  char zDb[400];                 /* Database file */
  char zStore[420];              /* The table's store directory */
  sqlite3 *dbScan;               /* The scanning connection */
  sqlite3 *dbMut;                /* The mutator's connection */
  int nRow;                      /* Rows 1..nRow at the scan's start */
  atomic_int nRound;             /* Mutation rounds finished */
  atomic_int bDone;              /* The scan is over: mutator stops */
};

/* The value of row k at the start: deterministic. */
static void pinValue(char *z, size_t n, int k){
  snprintf(z, n, "start-%d-%08x", k, (unsigned)(k*2654435761u));
}

/*
** Wait until the store is quiet: the .sst files in the directory are
** exactly as many as the live ones (lsm_stats), twice in a row.  Returns
** the live count, or -1 after a fault.
*/
static int pinSettle(PinRun *pRun, sqlite3 *db){
  double rEnd = concNow() + 60.0;
  int nStable = 0, nPrev = -1;
  while( concNow()<rEnd && !concStopped(&pRun->sh) ){
    uint64_t nLive = 0;
    char aDummy[1][32];
    int nDir;
    sqlStats(&pRun->sh, db, "p", 0, 0, &nLive);
    nDir = pinListSst(pRun->zStore, aDummy, 0);
    if( (uint64_t)nDir==nLive && nDir==nPrev ){
      if( ++nStable>=2 ) return nDir;
    }else{
      nStable = 0;
    }
    nPrev = nDir;
    concSleepMicros(20000);
  }
  concFail(&pRun->sh, "the store did not settle: files in the directory "
           "never matched the live ones");
  return -1;
}

/*
** The mutator thread: rounds of "rewrite every row, delete some, insert
** some, flush, compact everything" until the scan is over; each round
** makes every file the scan started with obsolete.
*/
static void *pinMutatorThread(void *pArg){
  PinRun *pRun = (PinRun*)pArg;
  ConcShared *p = &pRun->sh;
  sqlite3 *db = pRun->dbMut;
  int iRound = 0;
  while( !atomic_load(&pRun->bDone) && !concStopped(p) ){
    char zSql[512];
    iRound++;
    snprintf(zSql, sizeof(zSql), "BEGIN; UPDATE p SET v='round%d-'||k; "
             "DELETE FROM p WHERE k%%7=%d; INSERT OR REPLACE INTO p "
             "WITH RECURSIVE s(x) AS (SELECT %d UNION ALL SELECT x+1 FROM s "
             "WHERE x<%d) SELECT x, 'new%d' FROM s; COMMIT",
             iRound, iRound%7, pRun->nRow + iRound*10,
             pRun->nRow + iRound*10 + 9, iRound);
    if( sqlExec(p, db, zSql) ) break;
    if( sqlExec(p, db, "SELECT lsm_flush('p'), lsm_compact('p')") ) break;
    atomic_fetch_add(&pRun->nRound, 1);
  }
  return 0;
}

/*
** The slow scan: one row at a time, each equal to the start's; before the
** last step it waits for two mutation rounds and checks that every file
** it started with is still on disk.  azStart: the .sst names at the start.
*/
static void pinScan(PinRun *pRun, char azStart[][32], int nStart){
  ConcShared *p = &pRun->sh;
  sqlite3_stmt *pStmt = sqlPrepare(p, pRun->dbScan,
                                   "SELECT k, v FROM p ORDER BY k");
  pthread_t mut;
  int nSeen = 0, rc = SQLITE_ROW, bStarted = 0;
  int nRoundChecked = 0;
  if( pStmt==0 ) return;
  while( rc==SQLITE_ROW && !concStopped(p) ){
    rc = sqlite3_step(pStmt);
    if( rc!=SQLITE_ROW ) break;
    if( !bStarted ){
      /* The snapshot is taken (xFilter): now mutate underneath it. */
      bStarted = 1;
      ck_assert_int_eq(pthread_create(&mut, 0, pinMutatorThread, pRun), 0);
    }
    nSeen++;
    {
      char zWant[64];
      const char *zV = (const char*)sqlite3_column_text(pStmt, 1);
      int k = sqlite3_column_int(pStmt, 0);
      pinValue(zWant, sizeof(zWant), nSeen);
      if( k!=nSeen || zV==0 || strcmp(zV, zWant)!=0 ){
        concFail(p, "scan row %d: got k=%d v=%s, want k=%d v=%s", nSeen, k,
                 zV ? zV : "NULL", nSeen, zWant);
        break;
      }
    }
    if( nSeen==pRun->nRow ){
      double rEnd = concNow() + 120.0;
      while( atomic_load(&pRun->nRound)<2 && concNow()<rEnd
          && !concStopped(p) ){
        concSleepMicros(5000);
      }
      if( atomic_load(&pRun->nRound)<2 ){
        concFail(p, "the mutator finished %d rounds, want 2",
                 atomic_load(&pRun->nRound));
      }
    }
    if( atomic_load(&pRun->nRound)>nRoundChecked || nSeen==pRun->nRow ){
      int i;
      nRoundChecked = atomic_load(&pRun->nRound);
      for(i=0; i<nStart; i++){
        char zPath[600];
        struct stat st;
        snprintf(zPath, sizeof(zPath), "%s/%.31s", pRun->zStore, azStart[i]);
        if( stat(zPath, &st)!=0 ){
          concFail(p, "%s, pinned by the open scan, was deleted after round "
                   "%d", azStart[i], nRoundChecked);
          break;
        }
      }
    }
    concSleepMicros(100);
  }
  if( rc!=SQLITE_ROW && rc!=SQLITE_DONE ){
    concFail(p, "scan: %d %s", rc, sqlite3_errmsg(pRun->dbScan));
  }else if( rc==SQLITE_DONE && nSeen!=pRun->nRow ){
    concFail(p, "scan returned %d rows, want %d", nSeen, pRun->nRow);
  }
  sqlite3_finalize(pStmt);
  atomic_store(&pRun->bDone, 1);
  if( bStarted ) pthread_join(mut, 0);
}

/* Create, fill and settle the pinning table; returns 0 on success. */
static int pinSetup(PinRun *pRun){
  ConcShared *p = &pRun->sh;
  sqlite3_stmt *pIns;
  int k;
  if( sqlExec(p, pRun->dbScan, "PRAGMA journal_mode=WAL") ) return 1;
  if( sqlExec(p, pRun->dbScan, "CREATE VIRTUAL TABLE p USING lsm(k INTEGER "
              "PRIMARY KEY, v TEXT, memtable_size='16K')") ) return 1;
  pIns = sqlPrepare(p, pRun->dbScan, "INSERT INTO p(k, v) VALUES(?1, ?2)");
  if( pIns==0 || sqlExec(p, pRun->dbScan, "BEGIN") ) return 1;
  for(k=1; k<=pRun->nRow && !concStopped(p); k++){
    char zV[64];
    pinValue(zV, sizeof(zV), k);
    sqlite3_bind_int(pIns, 1, k);
    sqlite3_bind_text(pIns, 2, zV, -1, SQLITE_TRANSIENT);
    sqlRunStmt(p, pRun->dbScan, pIns);
  }
  sqlite3_finalize(pIns);
  if( concStopped(p) || sqlExec(p, pRun->dbScan, "COMMIT") ) return 1;
  return sqlExec(p, pRun->dbScan, "SELECT lsm_compact('p')");
}

/*
** G3: a scan pins its files while compactions make them obsolete; after
** it closes they are deleted and descriptors return to steady state.
*/
START_TEST(test_g3_scan_pins_files){
  const char *zProfile = getenv("LSMV_TEST_PROFILE");
  PinRun *pRun = calloc(1, sizeof(PinRun));
  char azStart[256][32];
  FdCensus before, after;
  TestDir dir;
  int nStart, nLive, i;

  ck_assert_ptr_nonnull(pRun);
  concSharedInit(&pRun->sh, "g3_pinning", 1, 1);
  pRun->nRow = (zProfile && strcmp(zProfile, "soak")==0) ? PIN_ROWS_SOAK
                                                          : PIN_ROWS_CI;
  testDirNew(&dir, "conc_pin");
  testDirPath(&dir, "pin.db", pRun->zDb, sizeof(pRun->zDb));
  snprintf(pRun->zStore, sizeof(pRun->zStore), "%s-p.lsm", pRun->zDb);
  pRun->dbScan = sqlOpen(pRun->zDb);
  ck_assert_ptr_nonnull(pRun->dbScan);
  if( pinSetup(pRun)==0 ){
    pRun->dbMut = sqlOpen(pRun->zDb);
    ck_assert_ptr_nonnull(pRun->dbMut);
    sqlExec(&pRun->sh, pRun->dbMut, "SELECT count(*) FROM p");
    nLive = pinSettle(pRun, pRun->dbScan);
    /* Steady state: every live file open in the table cache. */
    sqlExec(&pRun->sh, pRun->dbScan, "SELECT count(*), sum(length(v)) FROM p");
    pinFdCensus(&before, pRun->zStore);
    nStart = pinListSst(pRun->zStore, azStart, 256);
    ck_assert_msg(nStart>=2 && nStart<=256, "%d files at the start", nStart);
    ck_assert_int_eq(nStart, nLive);
    ck_assert_msg(before.nDeleted==0, "descriptor on deleted %s",
                  before.zDeleted);

    pinScan(pRun, azStart, nStart);

    if( pRun->sh.zFail[0]==0 ){
      sqlExec(&pRun->sh, pRun->dbScan, "SELECT lsm_compact('p')");
      nLive = pinSettle(pRun, pRun->dbScan);
      sqlExec(&pRun->sh, pRun->dbScan,
              "SELECT count(*), sum(length(v)) FROM p");
      for(i=0; i<nStart; i++){
        char zPath[600];
        struct stat st;
        snprintf(zPath, sizeof(zPath), "%s/%.31s", pRun->zStore, azStart[i]);
        if( stat(zPath, &st)==0 ){
          concFail(&pRun->sh, "%s is still on disk after the scan closed "
                   "and compaction settled", azStart[i]);
        }
      }
      pinFdCensus(&after, pRun->zStore);
      if( after.nDeleted!=0 ){
        concFail(&pRun->sh, "after the scan: a descriptor on deleted %s",
                 after.zDeleted);
      }else if( after.nOther!=before.nOther || after.nSst>nLive ){
        concFail(&pRun->sh, "descriptors did not return to steady state: "
                 "%d other (was %d), %d on SSTables (%d live)", after.nOther,
                 before.nOther, after.nSst, nLive);
      }
      printf("G3: %d rows scanned through %d rounds of rewrite+compaction; "
             "%d start files pinned then deleted; fds %d+%d sst before, "
             "%d+%d sst after\n", pRun->nRow, atomic_load(&pRun->nRound),
             nStart, before.nOther, before.nSst, after.nOther, after.nSst);
    }
    sqlite3_close(pRun->dbMut);
  }
  sqlite3_close(pRun->dbScan);
  if( pRun->sh.zFail[0]==0 ) testDirFree(&dir);
  concAssertClean(&pRun->sh);
  free(pRun);
}
END_TEST

/* ============================================================== suite */

/*
** The suite.  Timeouts follow the durations (TSan runs 5-15x slower, so
** the fixed parts get a wide margin); CK_TIMEOUT_MULTIPLIER still
** applies.
*/
static Suite *concurrencySuite(void){
  Suite *s = suite_create("concurrency");
  double rG1 = concSeconds(60.0, 1200.0);
  double rG2 = concSeconds(10.0, 300.0);
  TCase *tc;

  tc = tcase_create("g1_g2_sql");
  tcase_set_timeout(tc, 3*(rG1 + CONC_EXTRA_SECS) + 600);
  tcase_add_test(tc, test_g1_sql_readers_writer);
  suite_add_tcase(s, tc);

  tc = tcase_create("g2_engine");
  tcase_set_timeout(tc, 2*rG2 + 600);
  tcase_add_test(tc, test_g2_engine_atomicity);
  suite_add_tcase(s, tc);

  tc = tcase_create("g3_pinning");
  tcase_set_timeout(tc, 900);
  tcase_add_test(tc, test_g3_scan_pins_files);
  suite_add_tcase(s, tc);
  return s;
}

int main(void){
  SRunner *sr = srunner_create(concurrencySuite());
  int nFailed;
  srunner_run_all(sr, CK_NORMAL);
  nFailed = srunner_ntests_failed(sr);
  srunner_free(sr);
  return nFailed==0 ? 0 : 1;
}
