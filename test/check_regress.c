/*
** check_regress.c -- named regression tests for known bug classes of
** LSM stores (TESTPLAN group I), through the engine's public API, the
** fault-injecting env (test/faultenv.h) and a small gating env wrapped
** around it.
**
** Rows of group I already covered by a named test elsewhere (not repeated
** here):
**   - deleted range plus manual compaction counts 0, tombstones never
**     dropped above an older version: check_compaction.c
**     deleted_range_full_compaction_counts_zero and
**     tombstone_not_dropped_above_older_version;
**   - get vs scan on every key, no overlap in levels >= 1, after every
**     version change: check_compaction.c
**     get_scan_agree_after_each_version_change;
**   - iterator direction switch beside a concurrent insert:
**     check_compaction.c iterator_direction_switch_beside_insert;
**   - L0 files searched newest first: check_compaction.c
**     overlapping_l0_files_answer_newest_first.
** Rows written here:
**   sequence_number_recovery (LevelDB corruption_test
**     SequenceNumberRecovery): five overwrites of one key, recover, write
**     again, reopen: the newest value wins; also with the first versions
**     flushed to an SSTable and the rest in the WAL, and the last sequence
**     number strictly grows across each reopen.
**   no_hole_across_wal_files (RocksDB #12489, #12918): writes with
**     sync=off fill WAL A; the memtable rotates to WAL B while the flush of
**     A is held at its SSTable create (a gate in the env); writes with
**     sync=full are acknowledged in B; then the process dies and power is
**     lost (unsynced bytes dropped).  Every write must be present: B's
**     synced writes are, so A's earlier ones must be too (A is synced at
**     rotation).  Also with sync=normal for A.
**   wal_synced_on_close (RocksDB #12556): sync=off writes, lsmc_close,
**     power loss dropping unsynced bytes: every write is present; also
**     with two handles (the last close syncs).
**   file_numbers_never_reused_after_crash: a flushing workload dies after
**     the k-th sync (every k up to the end) and power is lost; the files
**     that survive are recorded; recovery and more writes and flushes
**     must create files numbered above every survivor; recovery removes
**     orphan SSTables numbered below the manifest's NEXT_FILE, so every
**     orphan lsmc_check still reports is a survivor that a crash wrote
**     after the last manifest edit (kept: H4).
**   corrupt_filter_block_error_never_absent (cqlite #1398): a byte flip
**     in the filter block of each SSTable in turn: every lookup of a key
**     that file holds gives LSMC_CORRUPT, never "absent", and keys of the
**     other files read right; a filter rebuilt with a valid checksum but
**     no bits set (it lies) is named by lsmc_check.  The same at the
**     SSTable level is in check_sst.c (test_damage, test_verify_lies);
**     this is the whole-engine path (table cache, version lookup).
**
** Reproducers: each test prints its seed-free parameters (every workload
** is deterministic); a failure names the sync point or file.
*/
#include "lsmcore.h"
#include "coding.h"
#include "faultenv.h"
#include "sst_format.h"
#include "testutil.h"

#include <check.h>
#include <dirent.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static TestDir dir;

static void setup(void){ testDirNew(&dir, "regress"); }
static void teardown(void){ testDirFree(&dir); }

/* ------------------------------------------------------------ helpers */

/* Open dir with option pairs (LSMC_OPT_*, value) ended by 0, over pEnv. */
static lsmc_db *openStore(lsmc_env *pEnv, const int64_t *aOpt, int *pRc){
  lsmc_options *pOpts = 0;
  lsmc_db *pDb = 0;
  ck_assert_int_eq(lsmc_options_new(&pOpts), LSMC_OK);
  while( aOpt && aOpt[0] ){
    ck_assert_int_eq(lsmc_options_set(pOpts, (int)aOpt[0], aOpt[1]), LSMC_OK);
    aOpt += 2;
  }
  if( pEnv ) lsmc_options_set_env(pOpts, pEnv);
  *pRc = lsmc_open(dir.zPath, pOpts, &pDb);
  lsmc_options_free(pOpts);
  return pDb;
}

static lsmc_db *openOk(lsmc_env *pEnv, const int64_t *aOpt){
  int rc;
  lsmc_db *pDb = openStore(pEnv, aOpt, &rc);
  ck_assert_msg(rc==LSMC_OK, "open: %s", lsmc_errmsg(pDb));
  return pDb;
}

/* Key i and the value of key i at version v (40..139 bytes). */
static void keyOf(int i, char *z){ snprintf(z, 16, "k%06d", i%1000000); }
static size_t valOf(int i, int v, char *z){
  int n = snprintf(z, 160, "val-%d-%d-", i, v);
  int nLen = 40 + (i*31 + v*17) % 100;
  while( n<nLen ){ z[n] = (char)('a' + (i+v+n)%26); n++; }
  return (size_t)n;
}

static void put(lsmc_db *pDb, int i, int v, int eSync){
  char zKey[16], zVal[160];
  lsmc_batch *pBatch = 0;
  size_t nVal = valOf(i, v, zVal);
  int rc;
  keyOf(i, zKey);
  ck_assert_int_eq(lsmc_batch_new(&pBatch), LSMC_OK);
  ck_assert_int_eq(lsmc_batch_put(pBatch, zKey, 7, zVal, nVal), LSMC_OK);
  rc = lsmc_write(pDb, pBatch, eSync);
  ck_assert_msg(rc==LSMC_OK, "put %s: %s", zKey, lsmc_errmsg(pDb));
  lsmc_batch_free(pBatch);
}

/* Assert that key i holds version v (0: absent). */
static void expect(lsmc_db *pDb, int i, int v, const char *zWhat){
  char zKey[16], zVal[160];
  void *pVal = 0;
  size_t nVal = 0;
  int rc;
  keyOf(i, zKey);
  rc = lsmc_get(pDb, 0, zKey, 7, &pVal, &nVal);
  if( v==0 ){
    ck_assert_msg(rc==LSMC_NOTFOUND, "%s: %s present (rc=%d)", zWhat, zKey, rc);
  }else{
    size_t nWant = valOf(i, v, zVal);
    ck_assert_msg(rc==LSMC_OK, "%s: %s rc=%d %s", zWhat, zKey, rc,
                  lsmc_errmsg(pDb));
    ck_assert_msg(nVal==nWant && memcmp(pVal, zVal, nVal)==0,
                  "%s: %s holds another version than %d", zWhat, zKey, v);
  }
  lsmc_free(pDb, pVal);
}

static u64 lastSeq(lsmc_db *pDb){
  lsmc_stats s;
  ck_assert_int_eq(lsmc_stats_get(pDb, &s), LSMC_OK);
  return s.nLastSeq;
}

/* ------------------------------------------------------- the gate env */

/*
** An env that forwards to a FaultEnv and, while its gate is closed,
** holds every create of an SSTable until the gate opens; it also records
** the number of every file of ours created through it.  The lsmc_env is
** a copy of the FaultEnv's (whose pCtx leads the fault env's methods to
** their state) with xOpen replaced.
*/
typedef struct GateEnv GateEnv;
struct GateEnv {
  lsmc_env env;             /* Handed to the engine; must be first */
  lsmc_env *pInner;         /* The FaultEnv's env */
  pthread_mutex_t mu;       /* Guards the fields below */
  pthread_cond_t cv;        /* Signalled on every change */
  int bClosed;              /* SSTable creates wait while set */
  int nWaiting;             /* Creates waiting at the gate */
  int nCreated;             /* Numbers in aCreated */
  u64 aCreated[4096];       /* Numbers of files of ours created */
};

/* The number of a file name of ours ("NNNNNN.ext" or "MANIFEST-NNNNNN"),
** or 0. */
static u64 fileNumber(const char *zName){
  const char *z = strrchr(zName, '/');
  z = z ? z+1 : zName;
  if( strncmp(z, "MANIFEST-", 9)==0 ) z += 9;
  if( z[0]<'0' || z[0]>'9' ) return 0;
  return strtoull(z, 0, 10);
}

static int gateOpen(lsmc_env *pEnv, const char *zPath, int flags,
                    lsmc_file **ppFile){
  GateEnv *p = (GateEnv*)pEnv;
  if( flags & LSMC_OPEN_CREATE ){
    size_t n = strlen(zPath);
    pthread_mutex_lock(&p->mu);
    if( n>4 && strcmp(&zPath[n-4], ".sst")==0 ){
      p->nWaiting++;
      pthread_cond_broadcast(&p->cv);
      while( p->bClosed ) pthread_cond_wait(&p->cv, &p->mu);
      p->nWaiting--;
    }
    if( fileNumber(zPath) && p->nCreated<4096 ){
      p->aCreated[p->nCreated++] = fileNumber(zPath);
    }
    pthread_mutex_unlock(&p->mu);
  }
  return p->pInner->xOpen(p->pInner, zPath, flags, ppFile);
}

static void gateInit(GateEnv *p, FaultEnv *pFault){
  memset(p, 0, sizeof(*p));
  p->pInner = faultenvEnv(pFault);
  p->env = *p->pInner;
  p->env.xOpen = gateOpen;
  pthread_mutex_init(&p->mu, 0);
  pthread_cond_init(&p->cv, 0);
}

static void gateFinish(GateEnv *p){
  pthread_mutex_destroy(&p->mu);
  pthread_cond_destroy(&p->cv);
}

static void gateSet(GateEnv *p, int bClosed){
  pthread_mutex_lock(&p->mu);
  p->bClosed = bClosed;
  pthread_cond_broadcast(&p->cv);
  pthread_mutex_unlock(&p->mu);
}

static int gateWaiting(GateEnv *p){
  int n;
  pthread_mutex_lock(&p->mu);
  n = p->nWaiting;
  pthread_mutex_unlock(&p->mu);
  return n;
}

/* ------------------------------------------------------------- tests */

/*
** LevelDB corruption_test SequenceNumberRecovery.  _i: 0 everything in
** the WAL; 1 versions 1-3 flushed to an SSTable, 4-5 in the WAL.
*/
START_TEST(sequence_number_recovery){
  const int64_t aOpt[] = { LSMC_OPT_BACKGROUND, 0, 0 };
  lsmc_db *pDb = openOk(0, aOpt);
  u64 iSeq1, iSeq2;
  int v;
  for(v=1; v<=5; v++){
    put(pDb, 7, v, LSMC_SYNC_NORMAL);
    if( _i==1 && v==3 ) ck_assert_int_eq(lsmc_flush(pDb), LSMC_OK);
  }
  expect(pDb, 7, 5, "before close");
  iSeq1 = lastSeq(pDb);
  ck_assert_int_eq(lsmc_close(pDb), LSMC_OK);

  pDb = openOk(0, aOpt);                       /* recover */
  expect(pDb, 7, 5, "recovered");
  ck_assert_uint_ge(lastSeq(pDb), iSeq1);
  put(pDb, 7, 6, LSMC_SYNC_NORMAL);
  expect(pDb, 7, 6, "written after recovery");
  iSeq2 = lastSeq(pDb);
  ck_assert_uint_gt(iSeq2, iSeq1);
  ck_assert_int_eq(lsmc_close(pDb), LSMC_OK);

  pDb = openOk(0, aOpt);
  expect(pDb, 7, 6, "reopened");
  ck_assert_uint_ge(lastSeq(pDb), iSeq2);
  ck_assert_int_eq(lsmc_compact_range(pDb, 0, 0, 0, 0), LSMC_OK);
  expect(pDb, 7, 6, "compacted");
  ck_assert_int_eq(lsmc_close(pDb), LSMC_OK);
  printf("sequence_number_recovery[%s]: newest of 6 versions wins, last "
         "sequence %llu -> %llu\n", _i ? "sst+wal" : "wal",
         (unsigned long long)iSeq1, (unsigned long long)iSeq2);
}
END_TEST

/*
** RocksDB #12489 / #12918: no hole across WAL files.  _i: the sync mode
** of the writes that fill WAL A (0 off, 1 normal).
*/
START_TEST(no_hole_across_wal_files){
  const int64_t aOpt[] = { LSMC_OPT_MEMTABLE_SIZE, 4096,
                           LSMC_OPT_BACKGROUND, 1,
                           LSMC_OPT_SYNC, LSMC_SYNC_OFF, 0 };
  const int64_t aReopen[] = { LSMC_OPT_BACKGROUND, 0, 0 };
  FaultEnv *pFault = 0;
  GateEnv *pGate = malloc(sizeof(GateEnv));
  lsmc_db *pDb;
  int nA = 0, nB = 5, i;

  ck_assert_int_eq(faultenvNew(lsmc_default_env(), &pFault), LSMC_OK);
  gateInit(pGate, pFault);
  pDb = openOk(&pGate->env, aOpt);
  gateSet(pGate, 1);
  /* Fill WAL A until the memtable rotates and the flush waits at the gate. */
  while( testCountFiles(dir.zPath, ".log")<2 ){   /* until B exists */
    ck_assert_int_lt(nA, 1000);
    put(pDb, nA++, 1, _i ? LSMC_SYNC_NORMAL : LSMC_SYNC_OFF);
  }
  for(i=0; i<10000 && gateWaiting(pGate)==0; i++) usleep(1000);
  ck_assert_int_eq(gateWaiting(pGate), 1);         /* A's flush is held */
  /* Acknowledged, synced writes in WAL B (small: no second rotation). */
  for(i=0; i<nB; i++) put(pDb, 10000+i, 1, LSMC_SYNC_FULL);
  faultenvSetDead(pFault, 1);                  /* the process dies */
  gateSet(pGate, 0);                           /* the flush then fails */
  lsmc_close(pDb);
  faultenvSetDead(pFault, 0);
  ck_assert_int_eq(faultenvCrash(pFault, FAULT_DROP_UNSYNCED, 1), LSMC_OK);

  pDb = openOk(faultenvEnv(pFault), aReopen);
  for(i=0; i<nB; i++) expect(pDb, 10000+i, 1, "synced write in WAL B");
  for(i=0; i<nA; i++) expect(pDb, i, 1, "write in WAL A (a hole)");
  ck_assert_int_eq(lsmc_close(pDb), LSMC_OK);
  printf("no_hole_across_wal_files[%s]: %d writes in WAL A, %d synced in "
         "WAL B, all present after power loss\n", _i ? "normal" : "off",
         nA, nB);
  faultenvFree(pFault);
  gateFinish(pGate);
  free(pGate);
}
END_TEST

/*
** RocksDB #12556: the WAL is synced on close.  _i: 0 one handle, 1 two
** handles (the first close must not be the one that matters).
*/
START_TEST(wal_synced_on_close){
  const int64_t aOpt[] = { LSMC_OPT_SYNC, LSMC_SYNC_OFF, 0 };
  FaultEnv *pFault = 0;
  lsmc_db *pDb, *pDb2 = 0;
  int i, nWrite = 300;
  ck_assert_int_eq(faultenvNew(lsmc_default_env(), &pFault), LSMC_OK);
  pDb = openOk(faultenvEnv(pFault), aOpt);
  if( _i ) pDb2 = openOk(faultenvEnv(pFault), aOpt);
  for(i=0; i<nWrite; i++) put(_i && (i&1) ? pDb2 : pDb, i, 2, LSMC_SYNC_OFF);
  ck_assert_int_eq(lsmc_close(pDb), LSMC_OK);
  if( pDb2 ){
    put(pDb2, nWrite, 2, LSMC_SYNC_OFF);
    nWrite++;
    ck_assert_int_eq(lsmc_close(pDb2), LSMC_OK);
  }
  ck_assert_int_eq(faultenvCrash(pFault, FAULT_DROP_UNSYNCED, 2), LSMC_OK);
  pDb = openOk(faultenvEnv(pFault), aOpt);
  for(i=0; i<nWrite; i++) expect(pDb, i, 2, "written before close");
  ck_assert_int_eq(lsmc_close(pDb), LSMC_OK);
  printf("wal_synced_on_close[%d handle(s)]: %d sync=off writes survive "
         "power loss after close\n", _i+1, nWrite);
  faultenvFree(pFault);
}
END_TEST

/* Path of the single WAL in dir (the test's stores have one). */
static void onlyWal(char *zOut, size_t nOut){
  DIR *d = opendir(dir.zPath);
  struct dirent *pEnt;
  int n = 0;
  ck_assert_ptr_nonnull(d);
  while( (pEnt = readdir(d))!=0 ){
    size_t nName = strlen(pEnt->d_name);
    if( nName>4 && strcmp(&pEnt->d_name[nName-4], ".log")==0 ){
      snprintf(zOut, nOut, "%s/%s", dir.zPath, pEnt->d_name);
      n++;
    }
  }
  closedir(d);
  ck_assert_int_eq(n, 1);
}

/* XOR byte iOff of file zPath with x. */
static void flipByte(const char *zPath, long iOff, int x){
  FILE *f = fopen(zPath, "r+b");
  int c;
  ck_assert_ptr_nonnull(f);
  ck_assert_int_eq(fseek(f, iOff, SEEK_SET), 0);
  c = fgetc(f);
  ck_assert_int_eq(fseek(f, iOff, SEEK_SET), 0);
  fputc(c ^ x, f);
  fclose(f);
}

/*
** LSMC_RECOVER_UNCLEAN_TAIL (what sync=normal/off tables use): damage in
** the middle of the WAL of a store that died (no clean close) ends the
** log, like the torn tail a power loss leaves: the store opens at the
** prefix, and none of the records after the damage is applied (no hole).
** The same damage in the WAL of a cleanly closed store (CLEAN_WAL in the
** manifest) is LSMC_CORRUPT, and so it is under LSMC_RECOVER_STRICT.
** _i: 0 the process died, 1 the store was closed cleanly.
*/
START_TEST(unclean_tail_recovery){
  const int64_t aTail[] = { LSMC_OPT_RECOVERY, LSMC_RECOVER_UNCLEAN_TAIL,
                            LSMC_OPT_BACKGROUND, 0, 0 };
  const int64_t aStrict[] = { LSMC_OPT_RECOVERY, LSMC_RECOVER_STRICT,
                              LSMC_OPT_BACKGROUND, 0, 0 };
  FaultEnv *pFault = 0;
  lsmc_db *pDb;
  char zWal[600];
  int i, rc, nWrite = 40;
  ck_assert_int_eq(faultenvNew(lsmc_default_env(), &pFault), LSMC_OK);
  pDb = openOk(faultenvEnv(pFault), aTail);
  for(i=0; i<nWrite; i++) put(pDb, i, 3, LSMC_SYNC_NORMAL);
  if( _i==0 ) faultenvSetDead(pFault, 1);     /* dies: no clean close */
  lsmc_close(pDb);
  faultenvSetDead(pFault, 0);
  /* Damage record 20's payload; records 21.. stay whole after it. */
  onlyWal(zWal, sizeof(zWal));
  flipByte(zWal, 20*60 + 30, 0x40);
  pDb = openStore(faultenvEnv(pFault), aStrict, &rc);
  ck_assert_int_eq(LSMC_PRIMARY(rc), LSMC_CORRUPT);
  lsmc_close(pDb);
  pDb = openStore(faultenvEnv(pFault), aTail, &rc);
  if( _i ){
    ck_assert_msg(LSMC_PRIMARY(rc)==LSMC_CORRUPT, "clean close: rc=%d", rc);
    lsmc_close(pDb);
  }else{
    int nKept = 0;
    ck_assert_msg(rc==LSMC_OK, "unclean: %s", lsmc_errmsg(pDb));
    while( nKept<nWrite ){
      char zKey[16];
      void *pVal = 0;
      size_t nVal = 0;
      keyOf(nKept, zKey);
      if( lsmc_get(pDb, 0, zKey, 7, &pVal, &nVal)!=LSMC_OK ) break;
      lsmc_free(pDb, pVal);
      nKept++;
    }
    ck_assert_int_gt(nKept, 0);
    ck_assert_int_lt(nKept, nWrite);
    for(i=nKept; i<nWrite; i++) expect(pDb, i, 0, "after the damage");
    for(i=0; i<nKept; i++) expect(pDb, i, 3, "before the damage");
    lsmc_close(pDb);
    printf("unclean_tail_recovery: prefix of %d of %d writes\n", nKept, nWrite);
  }
  faultenvFree(pFault);
}
END_TEST

/* Sync hook: the process dies right after sync number *pArg. */
static void dieAfter(FaultEnv *pFault, void *pArg, u64 iSync){
  if( iSync==*(u64*)pArg ) faultenvSetDead(pFault, 1);
}

/* The numbers of the files of ours in dir, into a (at most nMax). */
static int listNumbers(u64 *a, int nMax, char azName[][32]){
  DIR *d = opendir(dir.zPath);
  struct dirent *pEnt;
  int n = 0;
  while( d && (pEnt = readdir(d))!=0 && n<nMax ){
    u64 iNum = fileNumber(pEnt->d_name);
    if( iNum ){
      if( azName ) snprintf(azName[n], 32, "%.31s", pEnt->d_name);
      a[n++] = iNum;
    }
  }
  if( d ) closedir(d);
  return n;
}

/*
** One crash point of file_numbers_never_reused_after_crash.  Returns 0
** once k is past the workload's last sync.
*/
static int numbersCase(u64 k, int *pnOrphanKept){
  const int64_t aOpt[] = { LSMC_OPT_MEMTABLE_SIZE, 4096,
                           LSMC_OPT_BACKGROUND, 0,
                           LSMC_OPT_L0_TRIGGER, 2,
                           LSMC_OPT_SYNC, LSMC_SYNC_NORMAL, 0 };
  FaultEnv *pFault = 0;
  GateEnv *pGate = malloc(sizeof(GateEnv));
  u64 aSurvivor[512], iMaxSurvivor = 0;
  char azSurvivor[512][32];
  int nSurvivor, rc, i, j;
  u64 nSync;
  lsmc_db *pDb;
  char *zReport = 0;

  testDirFree(&dir);
  testDirNew(&dir, "regress");
  ck_assert_int_eq(faultenvNew(lsmc_default_env(), &pFault), LSMC_OK);
  gateInit(pGate, pFault);
  faultenvSetSyncHook(pFault, dieAfter, &k);
  pDb = openStore(&pGate->env, aOpt, &rc);
  for(i=0; rc==LSMC_OK && i<150; i++){
    char zKey[16], zVal[160];
    size_t nVal = valOf(i%60, i, zVal);
    keyOf(i%60, zKey);
    rc = lsmc_put(pDb, zKey, 7, zVal, nVal);
  }
  lsmc_close(pDb);
  nSync = faultenvSyncCount(pFault);
  faultenvSetSyncHook(pFault, 0, 0);
  faultenvSetDead(pFault, 0);
  ck_assert_int_eq(faultenvCrash(pFault, FAULT_DROP_UNSYNCED, (u32)k), LSMC_OK);

  nSurvivor = listNumbers(aSurvivor, 512, azSurvivor);
  for(i=0; i<nSurvivor; i++){
    if( aSurvivor[i]>iMaxSurvivor ) iMaxSurvivor = aSurvivor[i];
  }
  pGate->nCreated = 0;
  pDb = openStore(&pGate->env, aOpt, &rc);
  ck_assert_msg(rc==LSMC_OK, "crash after sync %llu: reopen: %s",
                (unsigned long long)k, lsmc_errmsg(pDb));
  for(i=0; i<40; i++){
    char zKey[16], zVal[160];
    size_t nVal = valOf(i, 1000+i, zVal);
    keyOf(i, zKey);
    ck_assert_int_eq(lsmc_put(pDb, zKey, 7, zVal, nVal), LSMC_OK);
  }
  ck_assert_int_eq(lsmc_flush(pDb), LSMC_OK);
  for(j=0; j<pGate->nCreated; j++){
    ck_assert_msg(pGate->aCreated[j]>iMaxSurvivor, "crash after sync %llu: "
                  "file number %llu created after recovery, but a file "
                  "numbered %llu survived the crash", (unsigned long long)k,
                  (unsigned long long)pGate->aCreated[j],
                  (unsigned long long)iMaxSurvivor);
  }
  /* Orphans still reported must be survivors (kept above NEXT_FILE). */
  rc = lsmc_check(pDb, &zReport);
  ck_assert_msg(rc==LSMC_OK, "crash after sync %llu: check: %s",
                (unsigned long long)k, zReport);
  {
    const char *z = zReport;
    while( (z = strstr(z, "note: "))!=0 ){
      int bSurvivor = 0;
      z += 6;
      for(i=0; i<nSurvivor; i++){
        size_t n = strlen(azSurvivor[i]);
        if( strncmp(z, azSurvivor[i], n)==0 && z[n]==' ' ) bSurvivor = 1;
      }
      ck_assert_msg(bSurvivor, "crash after sync %llu: orphan not from the "
                    "crash: %s", (unsigned long long)k, z);
      (*pnOrphanKept)++;
    }
  }
  lsmc_free(pDb, zReport);
  ck_assert_int_eq(lsmc_close(pDb), LSMC_OK);
  faultenvFree(pFault);
  gateFinish(pGate);
  free(pGate);
  return k<=nSync;
}

START_TEST(file_numbers_never_reused_after_crash){
  u64 k;
  int nOrphanKept = 0;
  for(k=1; numbersCase(k, &nOrphanKept); k++);
  printf("file_numbers_never_reused_after_crash: %llu crash points; every "
         "file created after recovery numbered above every survivor; %d "
         "orphans kept as notes (written after the last manifest edit)\n",
         (unsigned long long)k, nOrphanKept);
  ck_assert_uint_gt(k, 20);
}
END_TEST

/* The SSTables of dir, sorted by name. */
static int listSst(char azName[][32], int nMax){
  DIR *d = opendir(dir.zPath);
  struct dirent *pEnt;
  int n = 0, i, j;
  while( d && (pEnt = readdir(d))!=0 && n<nMax ){
    size_t nName = strlen(pEnt->d_name);
    if( nName>4 && strcmp(&pEnt->d_name[nName-4], ".sst")==0 ){
      snprintf(azName[n++], 32, "%.31s", pEnt->d_name);
    }
  }
  if( d ) closedir(d);
  for(i=1; i<n; i++){
    for(j=i; j>0 && strcmp(azName[j-1], azName[j])>0; j--){
      char zTmp[32];
      memcpy(zTmp, azName[j], 32);
      memcpy(azName[j], azName[j-1], 32);
      memcpy(azName[j-1], zTmp, 32);
    }
  }
  return n;
}

/* Read the footer of dir/zName. */
static void sstFooter(const char *zName, SstFooter *pF, char *zPath,
                      size_t nPath){
  u8 a[LSMC_SST_FOOTER_SIZE];
  struct stat st;
  int fd;
  snprintf(zPath, nPath, "%s/%s", dir.zPath, zName);
  ck_assert_int_eq(stat(zPath, &st), 0);
  fd = open(zPath, O_RDONLY);
  ck_assert_int_eq(pread(fd, a, sizeof(a), st.st_size - (off_t)sizeof(a)),
                   (ssize_t)sizeof(a));
  close(fd);
  ck_assert_int_eq(lsmcSstFooterDecode(a, pF), LSMC_OK);
}

/*
** cqlite #1398: a damaged filter block is an error, never "absent".  Five
** L0 files of 200 keys each (file f holds keys f*200 .. f*200+199).
*/
START_TEST(corrupt_filter_block_error_never_absent){
  const int64_t aOpt[] = { LSMC_OPT_BACKGROUND, 0,
                           LSMC_OPT_L0_TRIGGER, 1000,
                           LSMC_OPT_L0_SLOWDOWN, 10000,
                           LSMC_OPT_L0_STOP, 10000, 0 };
  char azSst[8][32];
  lsmc_db *pDb = openOk(0, aOpt);
  int f, i, nSst, nCorrupt = 0;
  for(f=0; f<5; f++){
    for(i=0; i<200; i++) put(pDb, f*200+i, 1, LSMC_SYNC_OFF);
    ck_assert_int_eq(lsmc_flush(pDb), LSMC_OK);
  }
  ck_assert_int_eq(lsmc_close(pDb), LSMC_OK);
  nSst = listSst(azSst, 8);
  ck_assert_int_eq(nSst, 5);

  for(f=0; f<5; f++){
    SstFooter foot;
    char zPath[600];
    int fd;
    u8 c;
    off_t iOff;
    sstFooter(azSst[f], &foot, zPath, sizeof(zPath));
    ck_assert_uint_gt(foot.filter.nSize, 64);
    iOff = (off_t)(foot.filter.iOff + foot.filter.nSize/2);
    fd = open(zPath, O_RDWR);
    ck_assert_int_eq(pread(fd, &c, 1, iOff), 1);
    c ^= 0x08;
    ck_assert_int_eq(pwrite(fd, &c, 1, iOff), 1);
    pDb = openOk(0, aOpt);
    for(i=0; i<1000; i++){
      char zKey[16];
      void *pVal = 0;
      size_t nVal = 0;
      int rc;
      keyOf(i, zKey);
      rc = lsmc_get(pDb, 0, zKey, 7, &pVal, &nVal);
      lsmc_free(pDb, pVal);
      if( i/200==f ){                        /* files are numbered in order */
        ck_assert_msg(rc==LSMC_CORRUPT, "%s: damaged filter, %s rc=%d",
                      azSst[f], zKey, rc);
        nCorrupt++;
      }else{
        expect(pDb, i, 1, "another file");
      }
    }
    ck_assert_int_eq(lsmc_close(pDb), LSMC_OK);
    c ^= 0x08;                               /* repair */
    ck_assert_int_eq(pwrite(fd, &c, 1, iOff), 1);
    close(fd);
  }

  /* A filter with a valid checksum that lies (no bits set). */
  {
    SstFooter foot;
    char zPath[600];
    char *zReport = 0;
    LsmcBuf blk;
    int rc = LSMC_OK, fd;
    u8 *a = 0;
    sstFooter(azSst[2], &foot, zPath, sizeof(zPath));
    lsmcBufInit(&blk, lsmc_default_env());
    a = malloc((size_t)foot.filter.nSize);
    fd = open(zPath, O_RDWR);
    ck_assert_int_eq(pread(fd, a, (size_t)foot.filter.nSize,
                           (off_t)foot.filter.iOff), (ssize_t)foot.filter.nSize);
    memset(a, 0, (size_t)foot.filter.nSize - 5);    /* keep k and L */
    lsmcBufAppend(&rc, &blk, a, (size_t)foot.filter.nSize);
    lsmcSstTrailerAppend(&rc, &blk);
    ck_assert_int_eq(rc, LSMC_OK);
    ck_assert_int_eq(pwrite(fd, blk.a, blk.n, (off_t)foot.filter.iOff),
                     (ssize_t)blk.n);
    close(fd);
    pDb = openOk(0, aOpt);
    rc = lsmc_check(pDb, &zReport);
    ck_assert_int_eq(rc, LSMC_CORRUPT);
    ck_assert_ptr_nonnull(strstr(zReport, azSst[2]));
    ck_assert_ptr_nonnull(strstr(zReport, "filter"));
    printf("corrupt_filter_block_error_never_absent: %d lookups in 5 "
           "damaged filters all LSMC_CORRUPT; lying filter: %s\n", nCorrupt,
           zReport);
    lsmc_free(pDb, zReport);
    ck_assert_int_eq(lsmc_close(pDb), LSMC_OK);
    lsmcBufFree(&blk);
    free(a);
  }
}
END_TEST

int main(void){
  Suite *s = suite_create("regress");
  TCase *tc = tcase_create("regress");
  SRunner *sr;
  int nFail;
  tcase_add_checked_fixture(tc, setup, teardown);
  tcase_set_timeout(tc, 600);
  tcase_add_loop_test(tc, sequence_number_recovery, 0, 2);
  tcase_add_loop_test(tc, no_hole_across_wal_files, 0, 2);
  tcase_add_loop_test(tc, wal_synced_on_close, 0, 2);
  tcase_add_loop_test(tc, unclean_tail_recovery, 0, 2);
  tcase_add_test(tc, file_numbers_never_reused_after_crash);
  tcase_add_test(tc, corrupt_filter_block_error_never_absent);
  suite_add_tcase(s, tc);
  sr = srunner_create(s);
  srunner_run_all(sr, CK_NORMAL);
  nFail = srunner_ntests_failed(sr);
  srunner_free(sr);
  return nFail ? EXIT_FAILURE : EXIT_SUCCESS;
}
