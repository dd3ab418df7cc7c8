/*
** check_compaction.c -- the compaction regression suite, through the public
** API only (lsmcore.h).  Each test is named after the class of bug it
** guards against, from LevelDB's and RocksDB's trackers: deleted ranges
** that a full compaction resurrects or miscounts, tombstones dropped while
** an older version lives deeper, get and scan disagreeing after a version
** change, overlapping L0 files answered out of age order, an iterator
** switching direction beside fresh inserts, snapshots losing versions to a
** compaction, fifo keeping the wrong files, tiered run counts and write
** amplification, the integrity check, write backpressure and readers
** running beside compactions.
**
** Stores use small memtables (4-64 KiB), so flushes and compactions are
** frequent; target files are then 64 KiB and L1 holds 256 KiB.  Keys are
** "k%08u" (ordered like their numbers); the value of key i at version
** iVer is derived from both (valueOf), so every read checks exactly which
** version it got.  Each test prints one line with what it measured.
*/
#include "lsmcore.h"
#include "testutil.h"

#include <check.h>
#include <dirent.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static TestDir dir;

static void setup(void){ testDirNew(&dir, "compaction"); }
static void teardown(void){ testDirFree(&dir); }

#define KEY_LEN   9                 /* "k%08u" */
#define VAL_MAX   400               /* Largest value valueOf writes */
#define ABSENT    (-1)              /* Model: the key is not present */

static const char *azStrategy[] = { "leveled", "tiered", "fifo" };

/* ------------------------------------------------------------ helpers */

/*
** Open the test store with option overrides: pairs (LSMC_OPT_*, value)
** ended by a 0.
*/
static lsmc_db *openStore(const int64_t *aOpt){
  lsmc_options *pOpts = 0;
  lsmc_db *pDb = 0;
  int rc;
  ck_assert_int_eq(lsmc_options_new(&pOpts), LSMC_OK);
  while( aOpt && aOpt[0] ){
    rc = lsmc_options_set(pOpts, (int)aOpt[0], aOpt[1]);
    ck_assert_msg(rc==LSMC_OK, "option %d=%lld", (int)aOpt[0],
                  (long long)aOpt[1]);
    aOpt += 2;
  }
  rc = lsmc_open(dir.zPath, pOpts, &pDb);
  lsmc_options_free(pOpts);
  ck_assert_msg(rc==LSMC_OK, "open: %s", lsmc_errmsg(pDb));
  return pDb;
}

static void closeStore(lsmc_db *pDb){
  ck_assert_int_eq(lsmc_close(pDb), LSMC_OK);
}

static void keyOf(char *z, unsigned i){
  snprintf(z, KEY_LEN+1, "k%08u", i);
}

/* The number of a "k%08u" key, or -1 for any other key. */
static int keyNum(const void *pKey, size_t nKey){
  const char *z = (const char*)pKey;
  int i, n = 0;
  if( nKey!=KEY_LEN || z[0]!='k' ) return -1;
  for(i=1; i<KEY_LEN; i++){
    if( z[i]<'0' || z[i]>'9' ) return -1;
    n = n*10 + (z[i]-'0');
  }
  return n;
}

/*
** The value of key i at version iVer: "i:iVer:" then filler, nLen bytes
** (at least the header).  Returns the length written to z (VAL_MAX+1).
*/
static size_t valueOf(char *z, unsigned i, int iVer, size_t nLen){
  int n = snprintf(z, VAL_MAX+1, "%u:%d:", i, iVer);
  size_t j;
  if( nLen>VAL_MAX ) nLen = VAL_MAX;
  for(j=(size_t)n; j<nLen; j++) z[j] = (char)('a' + (i + (unsigned)iVer + j)%26);
  return nLen>(size_t)n ? nLen : (size_t)n;
}

/* The value length used for key i at version iVer by the random tests. */
static size_t lenOf(unsigned i, int iVer, size_t nMin, size_t nSpread){
  return nMin + (i*7919u + (unsigned)iVer*104729u) % nSpread;
}

static void putKV(lsmc_db *pDb, unsigned i, int iVer, size_t nLen){
  char zKey[KEY_LEN+1], zVal[VAL_MAX+1];
  size_t nVal;
  int rc;
  keyOf(zKey, i);
  nVal = valueOf(zVal, i, iVer, nLen);
  rc = lsmc_put(pDb, zKey, KEY_LEN, zVal, nVal);
  ck_assert_msg(rc==LSMC_OK, "put %u: rc=%d %s", i, rc, lsmc_errmsg(pDb));
}

static void delK(lsmc_db *pDb, unsigned i){
  char zKey[KEY_LEN+1];
  int rc;
  keyOf(zKey, i);
  rc = lsmc_delete(pDb, zKey, KEY_LEN);
  ck_assert_msg(rc==LSMC_OK, "delete %u: rc=%d %s", i, rc, lsmc_errmsg(pDb));
}

/*
** Assert that key i reads as version iVer with length nLen (iVer ABSENT:
** LSMC_NOTFOUND).  zWhat names the moment, for the failure message.
*/
static void expectGet(lsmc_db *pDb, const lsmc_snapshot *pSnap, unsigned i,
                      int iVer, size_t nLen, const char *zWhat){
  char zKey[KEY_LEN+1], zVal[VAL_MAX+1];
  void *pVal = 0;
  size_t nVal = 0, nExp;
  int rc;
  keyOf(zKey, i);
  rc = lsmc_get(pDb, pSnap, zKey, KEY_LEN, &pVal, &nVal);
  if( iVer==ABSENT ){
    ck_assert_msg(rc==LSMC_NOTFOUND, "%s: get %s: rc=%d, want NOTFOUND",
                  zWhat, zKey, rc);
  }else{
    ck_assert_msg(rc==LSMC_OK, "%s: get %s: rc=%d %s", zWhat, zKey, rc,
                  lsmc_errmsg(pDb));
    nExp = valueOf(zVal, i, iVer, nLen);
    ck_assert_msg(nVal==nExp && memcmp(pVal, zVal, nExp)==0,
                  "%s: get %s: got \"%.*s\", want \"%.*s\"", zWhat, zKey,
                  (int)(nVal<40 ? nVal : 40), (const char*)pVal,
                  (int)(nExp<40 ? nExp : 40), zVal);
  }
  lsmc_free(pDb, pVal);
}

/*
** The model of a store over keys [0, nKey): aVer[i] is the version of key
** i (ABSENT if deleted or never written) and anLen[i] its value length.
*/
typedef struct Model Model;
struct Model {
  unsigned nKey;                    /* Keys in the domain */
  int *aVer;                        /* Version per key, ABSENT: none */
  size_t *anLen;                    /* Value length per key */
};

static void modelInit(Model *m, unsigned nKey){
  unsigned i;
  m->nKey = nKey;
  m->aVer = malloc(sizeof(int)*nKey);
  m->anLen = calloc(nKey, sizeof(size_t));
  ck_assert(m->aVer && m->anLen);
  for(i=0; i<nKey; i++) m->aVer[i] = ABSENT;
}

static void modelFree(Model *m){
  free(m->aVer);
  free(m->anLen);
}

static void modelPut(lsmc_db *pDb, Model *m, unsigned i, int iVer,
                     size_t nLen){
  putKV(pDb, i, iVer, nLen);
  m->aVer[i] = iVer;
  m->anLen[i] = nLen;
}

static void modelDel(lsmc_db *pDb, Model *m, unsigned i){
  delK(pDb, i);
  m->aVer[i] = ABSENT;
}

static unsigned modelCount(const Model *m){
  unsigned i, n = 0;
  for(i=0; i<m->nKey; i++) n += (m->aVer[i]!=ABSENT);
  return n;
}

/* Get every key of the domain and compare with the model. */
static void modelCheckGets(lsmc_db *pDb, const lsmc_snapshot *pSnap,
                           const Model *m, const char *zWhat){
  unsigned i;
  for(i=0; i<m->nKey; i++){
    expectGet(pDb, pSnap, i, m->aVer[i], m->anLen[i], zWhat);
  }
}

/*
** A full scan (forward, or backward with bReverse) must return exactly
** the model's present keys, in order, with their values.
*/
static void modelCheckScan(lsmc_db *pDb, const lsmc_snapshot *pSnap,
                           const Model *m, int bReverse, const char *zWhat){
  lsmc_iter *pIter = 0;
  int iNext = bReverse ? (int)m->nKey-1 : 0;      /* Next model key to see */
  int rc;
  ck_assert_int_eq(lsmc_iter_open(pDb, pSnap, 0, 0, 0, 0, &pIter), LSMC_OK);
  rc = bReverse ? lsmc_iter_last(pIter) : lsmc_iter_first(pIter);
  while( rc==LSMC_OK && lsmc_iter_valid(pIter) ){
    size_t nKey, nVal, nExp;
    const void *pKey = lsmc_iter_key(pIter, &nKey);
    const void *pVal = lsmc_iter_value(pIter, &nVal);
    int k = keyNum(pKey, nKey);
    char zVal[VAL_MAX+1];
    ck_assert_msg(k>=0 && k<(int)m->nKey, "%s: scan: foreign key %.*s",
                  zWhat, (int)nKey, (const char*)pKey);
    while( iNext>=0 && iNext<(int)m->nKey && iNext!=k ){
      ck_assert_msg(m->aVer[iNext]==ABSENT, "%s: scan skipped key %d "
                    "(at %d)", zWhat, iNext, k);
      iNext += bReverse ? -1 : 1;
    }
    ck_assert_msg(iNext==k, "%s: scan out of order at key %d", zWhat, k);
    ck_assert_msg(m->aVer[k]!=ABSENT, "%s: scan shows deleted key %d",
                  zWhat, k);
    nExp = valueOf(zVal, (unsigned)k, m->aVer[k], m->anLen[k]);
    ck_assert_msg(nVal==nExp && memcmp(pVal, zVal, nExp)==0,
                  "%s: scan: key %d has the wrong value", zWhat, k);
    iNext += bReverse ? -1 : 1;
    rc = bReverse ? lsmc_iter_prev(pIter) : lsmc_iter_next(pIter);
  }
  ck_assert_msg(rc==LSMC_OK, "%s: scan rc=%d", zWhat, rc);
  for(; iNext>=0 && iNext<(int)m->nKey; iNext += bReverse ? -1 : 1){
    ck_assert_msg(m->aVer[iNext]==ABSENT, "%s: scan missed key %d", zWhat,
                  iNext);
  }
  lsmc_iter_close(pIter);
}

/* Entries a full scan returns. */
static unsigned scanCount(lsmc_db *pDb, const lsmc_snapshot *pSnap){
  lsmc_iter *pIter = 0;
  unsigned n = 0;
  int rc;
  ck_assert_int_eq(lsmc_iter_open(pDb, pSnap, 0, 0, 0, 0, &pIter), LSMC_OK);
  for(rc=lsmc_iter_first(pIter); rc==LSMC_OK && lsmc_iter_valid(pIter);
      rc=lsmc_iter_next(pIter)){
    n++;
  }
  ck_assert_int_eq(rc, LSMC_OK);
  lsmc_iter_close(pIter);
  return n;
}

static lsmc_stats statsOf(lsmc_db *pDb){
  lsmc_stats s;
  memset(&s, 0, sizeof(s));
  ck_assert_int_eq(lsmc_stats_get(pDb, &s), LSMC_OK);
  return s;
}

/* The deepest level holding a file (0 if none). */
static int deepestLevel(const lsmc_stats *s){
  int i, iDeep = 0;
  for(i=0; i<LSMC_STATS_LEVELS; i++){
    if( s->anFile[i] ) iDeep = i;
  }
  return iDeep;
}

/* lsmc_check must find nothing: LSMC_OK and a report of exactly "ok". */
static void expectCheckOk(lsmc_db *pDb, const char *zWhat){
  char *zReport = 0;
  int rc = lsmc_check(pDb, &zReport);
  ck_assert_msg(rc==LSMC_OK && zReport && strcmp(zReport, "ok")==0,
                "%s: lsmc_check rc=%d report: %s", zWhat, rc,
                zReport ? zReport : "(null)");
  lsmc_free(pDb, zReport);
}

static void compactAll(lsmc_db *pDb){
  int rc = lsmc_compact_range(pDb, 0, 0, 0, 0);
  ck_assert_msg(rc==LSMC_OK, "compact_range: rc=%d %s", rc, lsmc_errmsg(pDb));
}

/* ------------------------------------------------------------- tests */

/*
** LevelDB #184, RocksDB #2722: after a range of keys is deleted, a full
** compaction must leave exactly the other keys, and once everything is
** deleted it must leave nothing at all (no tombstone survives at the
** bottom when no snapshot needs it).  _i: 0 leveled, 1 tiered.
*/
START_TEST(deleted_range_full_compaction_counts_zero){
  const int64_t aOpt[] = { LSMC_OPT_COMPACTION, _i,
                           LSMC_OPT_MEMTABLE_SIZE, 64*1024,
                           LSMC_OPT_SYNC, LSMC_SYNC_OFF, 0 };
  const unsigned nKey = 20000;
  lsmc_db *pDb = openStore(aOpt);
  lsmc_stats s;
  unsigned i;
  for(i=0; i<nKey; i++) putKV(pDb, i, 1, 40);
  for(i=5000; i<10000; i++) delK(pDb, i);
  compactAll(pDb);
  ck_assert_uint_eq(scanCount(pDb, 0), nKey-5000);
  expectGet(pDb, 0, 4999, 1, 40, "range deleted");
  expectGet(pDb, 0, 5000, ABSENT, 0, "range deleted");
  expectGet(pDb, 0, 9999, ABSENT, 0, "range deleted");
  expectGet(pDb, 0, 10000, 1, 40, "range deleted");
  expectCheckOk(pDb, "range deleted");
  s = statsOf(pDb);
  ck_assert_uint_gt(s.nSstBytes, 0);

  for(i=0; i<nKey; i++) delK(pDb, i);
  compactAll(pDb);
  ck_assert_uint_eq(scanCount(pDb, 0), 0);
  s = statsOf(pDb);
  printf("deleted_range_full_compaction_counts_zero[%s]: after deleting "
         "all: sst bytes %llu, files %llu/%llu/%llu, compactions %llu\n",
         azStrategy[_i], (unsigned long long)s.nSstBytes,
         (unsigned long long)s.anFile[0], (unsigned long long)s.anFile[1],
         (unsigned long long)s.anFile[2], (unsigned long long)s.nCompaction);
  ck_assert_uint_eq(s.nSstBytes, 0);
  expectCheckOk(pDb, "all deleted");
  closeStore(pDb);

  pDb = openStore(aOpt);
  ck_assert_uint_eq(scanCount(pDb, 0), 0);
  expectGet(pDb, 0, 0, ABSENT, 0, "reopened");
  expectGet(pDb, 0, nKey-1, ABSENT, 0, "reopened");
  closeStore(pDb);
}
END_TEST

/*
** A tombstone must not be dropped while an older version of its key may
** live in a file below.  Data reaches L2; keys answered from L2 or deeper
** are deleted; more writes make automatic compaction push the tombstones
** down; every deleted key stays deleted after every compaction and after
** reopen.  _i: 0 compactions inline, 1 in the background thread.
*/
START_TEST(tombstone_not_dropped_above_older_version){
  const int64_t aOpt[] = { LSMC_OPT_MEMTABLE_SIZE, 32*1024,
                           LSMC_OPT_BACKGROUND, _i,
                           LSMC_OPT_SYNC, LSMC_SYNC_OFF, 0 };
  const unsigned nKey = 12000;
  lsmc_db *pDb = openStore(aOpt);
  Model m;
  TestRng rng;
  lsmc_stats s;
  unsigned i, nDeep = 0, nChecks = 0;
  uint64_t nSeen;
  int iDeep;

  modelInit(&m, nKey);
  testRngSeed(&rng, 0x70AB + (uint64_t)_i);
  for(i=0; i<nKey; i++) modelPut(pDb, &m, i, 1, 120);
  ck_assert_int_eq(lsmc_flush(pDb), LSMC_OK);
  s = statsOf(pDb);
  iDeep = deepestLevel(&s);
  ck_assert_msg(iDeep>=2, "data reached only L%d", iDeep);

  /* Delete every third key that a lookup finds on L2 or deeper. */
  for(i=0; i<nKey; i+=3){
    lsmc_stats a = statsOf(pDb), b;
    int l, bDeep = 0;
    expectGet(pDb, 0, i, 1, 120, "before delete");
    b = statsOf(pDb);
    for(l=2; l<LSMC_STATS_LEVELS; l++){
      if( b.anGetLevel[l]>a.anGetLevel[l] ) bDeep = 1;
    }
    if( bDeep ){
      modelDel(pDb, &m, i);
      nDeep++;
    }
  }
  ck_assert_uint_gt(nDeep, 100);

  /* Churn: overwrite the keys still present, in random order. */
  nSeen = statsOf(pDb).nCompaction;
  for(i=0; i<3*nKey; i++){
    unsigned k = testRngBelow(&rng, nKey);
    if( m.aVer[k]!=ABSENT ) modelPut(pDb, &m, k, m.aVer[k]+1, 120);
    if( _i==0 || (i%500)==0 ){
      s = statsOf(pDb);
      if( s.nCompaction!=nSeen ){
        unsigned j;
        nSeen = s.nCompaction;
        nChecks++;
        for(j=0; j<nKey; j++){
          if( m.aVer[j]==ABSENT ) expectGet(pDb, 0, j, ABSENT, 0, "churn");
        }
      }
    }
  }
  modelCheckScan(pDb, 0, &m, 0, "after churn");
  modelCheckGets(pDb, 0, &m, "after churn");
  s = statsOf(pDb);
  printf("tombstone_not_dropped_above_older_version[bg=%d]: %u deep keys "
         "deleted, deepest L%d, %llu compactions, %u checks between "
         "them\n", (int)_i, nDeep, deepestLevel(&s),
         (unsigned long long)s.nCompaction, nChecks);
  ck_assert_uint_gt(nChecks, 0);
  closeStore(pDb);

  pDb = openStore(aOpt);
  modelCheckGets(pDb, 0, &m, "reopened");
  modelCheckScan(pDb, 0, &m, 1, "reopened");
  compactAll(pDb);
  modelCheckGets(pDb, 0, &m, "compacted");
  modelCheckScan(pDb, 0, &m, 0, "compacted");
  expectCheckOk(pDb, "compacted");
  closeStore(pDb);
  modelFree(&m);
}
END_TEST

/*
** RocksDB #5558: a get and a scan must agree, with each other and with a
** model, after every change of the file set.  Compactions run inline
** (LSMC_OPT_BACKGROUND 0), so each flush and compaction is observed; at
** each, every key is read, a full scan is compared, and lsmc_check must
** report "ok" (which includes no overlap on levels >= 1).
** _i: 0 leveled, 1 tiered.
*/
START_TEST(get_scan_agree_after_each_version_change){
  const int64_t aOpt[] = { LSMC_OPT_COMPACTION, _i,
                           LSMC_OPT_MEMTABLE_SIZE, 16*1024,
                           LSMC_OPT_BACKGROUND, 0,
                           LSMC_OPT_SYNC, LSMC_SYNC_OFF, 0 };
  const unsigned nKey = 2000;
  const int nOp = 9000;
  lsmc_db *pDb = openStore(aOpt);
  Model m;
  TestRng rng;
  uint64_t nFlush = 0, nCompaction = 0;
  int i, nChange = 0, iDeepest = 0;

  modelInit(&m, nKey);
  testRngSeed(&rng, 5558 + (uint64_t)_i);
  for(i=0; i<nOp; i++){
    unsigned k = testRngBelow(&rng, nKey);
    lsmc_stats s;
    if( testRngBelow(&rng, 100)<15 ){
      modelDel(pDb, &m, k);
    }else{
      int iVer = m.aVer[k]==ABSENT ? 1 : m.aVer[k]+1;
      modelPut(pDb, &m, k, iVer, lenOf(k, iVer, 50, 250));
    }
    s = statsOf(pDb);
    if( s.nFlush!=nFlush || s.nCompaction!=nCompaction ){
      char zWhat[64];
      snprintf(zWhat, sizeof(zWhat), "op %d (flush %llu, compaction %llu)",
               i, (unsigned long long)s.nFlush,
               (unsigned long long)s.nCompaction);
      nFlush = s.nFlush;
      nCompaction = s.nCompaction;
      nChange++;
      if( deepestLevel(&s)>iDeepest ) iDeepest = deepestLevel(&s);
      modelCheckGets(pDb, 0, &m, zWhat);
      modelCheckScan(pDb, 0, &m, nChange%2, zWhat);
      expectCheckOk(pDb, zWhat);
    }
  }
  printf("get_scan_agree_after_each_version_change[%s]: %d ops, %d version "
         "changes checked (%llu flushes, %llu compactions), deepest L%d\n",
         azStrategy[_i], nOp, nChange, (unsigned long long)nFlush,
         (unsigned long long)nCompaction, iDeepest);
  ck_assert_int_gt(nCompaction, 5);
  if( _i==LSMC_COMPACTION_LEVELED ) ck_assert_int_ge(iDeepest, 2);
  closeStore(pDb);
  pDb = openStore(aOpt);
  modelCheckGets(pDb, 0, &m, "reopened");
  modelCheckScan(pDb, 0, &m, 0, "reopened");
  closeStore(pDb);
  modelFree(&m);
}
END_TEST

/*
** L0 files overlap: a lookup must take the newest file's answer.  Five
** flushed files write the same keys with different values; file f writes
** the keys with i%5 >= f, file 2 deletes keys with i%7==0, file 4 deletes
** keys with i%3==0 (tombstones in a newer file hide older values).  No
** compaction runs (trigger 1000).
*/
START_TEST(overlapping_l0_files_answer_newest_first){
  const int64_t aOpt[] = { LSMC_OPT_L0_TRIGGER, 1000,
                           LSMC_OPT_L0_SLOWDOWN, 10000,
                           LSMC_OPT_L0_STOP, 10000, 0 };
  const unsigned nKey = 500;
  lsmc_db *pDb = openStore(aOpt);
  lsmc_stats s;
  Model m;
  unsigned i;
  int f;

  modelInit(&m, nKey);
  for(f=0; f<5; f++){
    for(i=0; i<nKey; i++){
      if( (int)(i%5)>=f ) modelPut(pDb, &m, i, f+1, 30 + f*10);
      if( f==2 && i%7==0 ) modelDel(pDb, &m, i);
      if( f==4 && i%3==0 ) modelDel(pDb, &m, i);
    }
    ck_assert_int_eq(lsmc_flush(pDb), LSMC_OK);
  }
  s = statsOf(pDb);
  ck_assert_uint_eq(s.anFile[0], 5);
  ck_assert_uint_eq(s.nCompaction, 0);
  expectGet(pDb, 0, 4, 5, 70, "newest");           /* file 4's value */
  expectGet(pDb, 0, 7, ABSENT, 0, "newest");       /* deleted in file 2 */
  expectGet(pDb, 0, 17, 3, 50, "newest");          /* i%5==2: file 2 */
  modelCheckGets(pDb, 0, &m, "5 L0 files");
  modelCheckScan(pDb, 0, &m, 0, "5 L0 files");
  modelCheckScan(pDb, 0, &m, 1, "5 L0 files");
  closeStore(pDb);

  pDb = openStore(aOpt);
  s = statsOf(pDb);
  ck_assert_uint_eq(s.anFile[0], 5);
  modelCheckGets(pDb, 0, &m, "reopened");
  modelCheckScan(pDb, 0, &m, 0, "reopened");
  modelCheckScan(pDb, 0, &m, 1, "reopened");
  printf("overlapping_l0_files_answer_newest_first: %llu L0 files, %u "
         "keys live of %u\n", (unsigned long long)s.anFile[0],
         modelCount(&m), nKey);
  closeStore(pDb);
  modelFree(&m);
}
END_TEST

/*
** LevelDB issue 200: an iterator positioned on a key, while puts land just
** before and just after that key, switches between next and prev many
** times; it must always return the keys and values of its own snapshot,
** in order.  The store mixes SSTables and the memtable; flushes happen
** while the iterator is open.
*/
START_TEST(iterator_direction_switch_beside_insert){
  const int64_t aOpt[] = { LSMC_OPT_MEMTABLE_SIZE, 4096, 0 };
  const unsigned nKey = 200;
  lsmc_db *pDb = openStore(aOpt);
  lsmc_iter *pIter = 0;
  TestRng rng;
  unsigned i;
  int iPos, nStep, nSwitch = 0, dLast = 1;

  testRngSeed(&rng, 200);
  for(i=0; i<nKey; i++) putKV(pDb, i*10, 1, 20);   /* keys 0, 10, 20 ... */
  ck_assert_int_eq(lsmc_iter_open(pDb, 0, 0, 0, 0, 0, &pIter), LSMC_OK);
  iPos = 100;
  {
    char zKey[KEY_LEN+1];
    keyOf(zKey, (unsigned)iPos*10);
    ck_assert_int_eq(lsmc_iter_seek(pIter, zKey, KEY_LEN, LSMC_SEEK_GE),
                     LSMC_OK);
  }
  for(nStep=0; nStep<3000; nStep++){
    unsigned iKey = (unsigned)iPos*10;
    size_t nK, nV;
    const void *pK, *pV;
    char zVal[VAL_MAX+1];
    size_t nExp;
    int d;

    /* The iterator shows snapshot entry iPos. */
    ck_assert_msg(lsmc_iter_valid(pIter), "step %d: invalid at %d", nStep,
                  iPos);
    pK = lsmc_iter_key(pIter, &nK);
    pV = lsmc_iter_value(pIter, &nV);
    ck_assert_msg(keyNum(pK, nK)==(int)iKey, "step %d: key %.*s, want %u",
                  nStep, (int)nK, (const char*)pK, iKey);
    nExp = valueOf(zVal, iKey, 1, 20);
    ck_assert_msg(nV==nExp && memcmp(pV, zVal, nExp)==0,
                  "step %d: value of %u changed", nStep, iKey);

    /* Writes right before and right after it, and over it. */
    putKV(pDb, iKey ? iKey-1 : iKey+2, nStep+2, 20);
    putKV(pDb, iKey+1, nStep+2, 20);
    putKV(pDb, iKey, nStep+2, 20);
    if( nStep%97==0 ) ck_assert_int_eq(lsmc_flush(pDb), LSMC_OK);

    d = testRngBelow(&rng, 2) ? 1 : -1;
    if( iPos+d<0 || iPos+d>=(int)nKey ) d = -d;
    if( d!=dLast ) nSwitch++;
    dLast = d;
    ck_assert_int_eq(d>0 ? lsmc_iter_next(pIter) : lsmc_iter_prev(pIter),
                     LSMC_OK);
    iPos += d;
  }
  lsmc_iter_close(pIter);
  printf("iterator_direction_switch_beside_insert: %d steps, %d direction "
         "switches, %llu flushes\n", nStep, nSwitch,
         (unsigned long long)statsOf(pDb).nFlush);
  closeStore(pDb);
}
END_TEST

/*
** A snapshot taken before overwrites and deletes must keep reading the old
** values through full compactions (get and iterator); after it is
** released, another full compaction drops the old versions, so the SST
** bytes shrink.  _i: 0 leveled, 1 tiered; the second half of the keys is
** overwritten only (no tombstones in the store at all when bOverOnly).
*/
static void snapshotCase(int eStrategy, int bOverOnly){
  const int64_t aOpt[] = { LSMC_OPT_COMPACTION, eStrategy,
                           LSMC_OPT_MEMTABLE_SIZE, 32*1024,
                           LSMC_OPT_SYNC, LSMC_SYNC_OFF, 0 };
  const unsigned nKey = 3000;
  lsmc_db *pDb = openStore(aOpt);
  lsmc_snapshot *pSnap = 0;
  Model mOld, mNew;
  lsmc_stats s;
  uint64_t nWith, nAfter;
  unsigned i;

  modelInit(&mOld, nKey);
  modelInit(&mNew, nKey);
  for(i=0; i<nKey; i++) modelPut(pDb, &mOld, i, 1, 100);
  ck_assert_int_eq(lsmc_flush(pDb), LSMC_OK);
  ck_assert_int_eq(lsmc_snapshot_get(pDb, &pSnap), LSMC_OK);
  for(i=0; i<nKey; i++){
    if( i%2==0 || bOverOnly ){
      modelPut(pDb, &mNew, i, 2, 100);
    }else{
      modelDel(pDb, &mNew, i);
    }
  }
  compactAll(pDb);
  modelCheckGets(pDb, pSnap, &mOld, "snapshot after compaction");
  modelCheckScan(pDb, pSnap, &mOld, 0, "snapshot after compaction");
  modelCheckGets(pDb, 0, &mNew, "latest after compaction");
  modelCheckScan(pDb, 0, &mNew, 1, "latest after compaction");
  compactAll(pDb);                          /* and once more, still held */
  modelCheckScan(pDb, pSnap, &mOld, 1, "snapshot after 2 compactions");
  nWith = statsOf(pDb).nSstBytes;

  lsmc_snapshot_release(pDb, pSnap);
  compactAll(pDb);
  s = statsOf(pDb);
  nAfter = s.nSstBytes;
  modelCheckGets(pDb, 0, &mNew, "after release");
  modelCheckScan(pDb, 0, &mNew, 0, "after release");
  expectCheckOk(pDb, "after release");
  printf("snapshot_survives_compaction[%s%s]: sst bytes %llu with the "
         "snapshot, %llu after release\n", azStrategy[eStrategy],
         bOverOnly ? ", overwrites only" : "", (unsigned long long)nWith,
         (unsigned long long)nAfter);
  /* Old versions are half or more of nWith: at least a third goes. */
  ck_assert_msg(nAfter*3 < nWith*2, "%s: old versions kept after release: "
                "%llu -> %llu bytes", azStrategy[eStrategy],
                (unsigned long long)nWith, (unsigned long long)nAfter);
  closeStore(pDb);
  modelFree(&mOld);
  modelFree(&mNew);
}

START_TEST(snapshot_survives_compaction){
  snapshotCase(_i/2, _i%2);
}
END_TEST

/*
** fifo keeps the newest data under its cap: with a 256 KiB cap and three
** caps' worth of sequential keys written, the keys left are a contiguous
** run ending at the newest key, hold at least 80% of a cap's worth, and
** the files total at most the cap plus one file.
*/
START_TEST(fifo_keeps_newest_under_cap){
  const int64_t nCap = 256*1024;
  const int64_t nMem = 32*1024;
  const int64_t aOpt[] = { LSMC_OPT_COMPACTION, LSMC_COMPACTION_FIFO,
                           LSMC_OPT_FIFO_MAX_SIZE, nCap,
                           LSMC_OPT_MEMTABLE_SIZE, nMem,
                           LSMC_OPT_SYNC, LSMC_SYNC_OFF, 0 };
  const size_t nVal = 100;
  lsmc_db *pDb = openStore(aOpt);
  lsmc_iter *pIter = 0;
  lsmc_stats s;
  unsigned nWritten = 0, nPresent = 0, nPerCap;
  int iFirst = -1, iPrev = -1, rc;

  while( (int64_t)(nWritten*(KEY_LEN+nVal)) < 3*nCap ){
    putKV(pDb, nWritten++, 1, nVal);
  }
  compactAll(pDb);                      /* flush and enforce the cap */
  s = statsOf(pDb);

  ck_assert_int_eq(lsmc_iter_open(pDb, 0, 0, 0, 0, 0, &pIter), LSMC_OK);
  for(rc=lsmc_iter_first(pIter); rc==LSMC_OK && lsmc_iter_valid(pIter);
      rc=lsmc_iter_next(pIter)){
    size_t nK;
    int k = keyNum(lsmc_iter_key(pIter, &nK), nK);
    if( iFirst<0 ) iFirst = k;
    else ck_assert_msg(k==iPrev+1, "fifo: hole between %d and %d", iPrev, k);
    iPrev = k;
    nPresent++;
  }
  ck_assert_int_eq(rc, LSMC_OK);
  lsmc_iter_close(pIter);
  nPerCap = (unsigned)(nCap / (int64_t)(KEY_LEN + nVal + 16));
  printf("fifo_keeps_newest_under_cap: wrote %u keys, %u present (%d..%d), "
         "sst bytes %llu (cap %lld), %llu files, fifo deleted %llu bytes\n",
         nWritten, nPresent, iFirst, iPrev, (unsigned long long)s.nSstBytes,
         (long long)nCap, (unsigned long long)s.anFile[0],
         (unsigned long long)s.nFifoDeletedBytes);
  ck_assert_int_eq(iPrev, (int)nWritten-1);          /* the newest key */
  ck_assert_uint_ge(nPresent, nPerCap*8/10);
  ck_assert_uint_lt(nPresent, nWritten/2);
  ck_assert_uint_le(s.nSstBytes, (uint64_t)(nCap + nMem + nMem/4));
  ck_assert_uint_gt(s.nFifoDeletedBytes, 0);
  expectGet(pDb, 0, 0, ABSENT, 0, "fifo oldest");
  expectGet(pDb, 0, nWritten-1, 1, nVal, "fifo newest");
  expectCheckOk(pDb, "fifo");
  closeStore(pDb);
}
END_TEST

/*
** fifo with a TTL of one second: files older than that are dropped by the
** background thread without any further write.
*/
START_TEST(fifo_ttl_drops_old_files){
  const int64_t aOpt[] = { LSMC_OPT_COMPACTION, LSMC_COMPACTION_FIFO,
                           LSMC_OPT_FIFO_TTL, 1,
                           LSMC_OPT_MEMTABLE_SIZE, 32*1024, 0 };
  lsmc_db *pDb = openStore(aOpt);
  lsmc_stats s;
  unsigned i;
  int nWait = 0;
  for(i=0; i<1000; i++) putKV(pDb, i, 1, 50);
  ck_assert_int_eq(lsmc_flush(pDb), LSMC_OK);
  expectGet(pDb, 0, 0, 1, 50, "ttl before");
  usleep(2000*1000);
  for(s=statsOf(pDb); s.nSstBytes>0 && nWait<100; s=statsOf(pDb)){
    usleep(50*1000);                    /* up to 5 s more under sanitizers */
    nWait++;
  }
  printf("fifo_ttl_drops_old_files: sst bytes %llu, fifo deleted %llu "
         "bytes, %.2f s after the 2 s sleep\n",
         (unsigned long long)s.nSstBytes,
         (unsigned long long)s.nFifoDeletedBytes, nWait*0.05);
  ck_assert_uint_eq(s.nSstBytes, 0);
  ck_assert_uint_gt(s.nFifoDeletedBytes, 0);
  expectGet(pDb, 0, 0, ABSENT, 0, "ttl after");
  ck_assert_uint_eq(scanCount(pDb, 0), 0);
  putKV(pDb, 5, 2, 50);                 /* new data is kept */
  ck_assert_int_eq(lsmc_flush(pDb), LSMC_OK);
  expectGet(pDb, 0, 5, 2, 50, "ttl new");
  closeStore(pDb);
}
END_TEST

/*
** The write-amplification workload: nKey keys written in a random order
** three times, compactions inline (bBackground 0) or in the background
** thread.  Returns the stats and the largest run count (L0 files) seen
** after any write in *pnMaxRun.
*/
static lsmc_stats ampWorkload(int eStrategy, int bBackground, unsigned nKey,
                              int64_t nMem, int *pnMaxRun){
  const int64_t aOpt[] = { LSMC_OPT_COMPACTION, eStrategy,
                           LSMC_OPT_MEMTABLE_SIZE, nMem,
                           LSMC_OPT_BACKGROUND, bBackground,
                           LSMC_OPT_SYNC, LSMC_SYNC_OFF, 0 };
  lsmc_db *pDb;
  unsigned *aPerm = malloc(sizeof(unsigned)*nKey);
  TestRng rng;
  lsmc_stats s;
  unsigned i;
  int iPass;

  ck_assert(aPerm);
  testRngSeed(&rng, 8);
  testRemoveTree(dir.zPath);
  pDb = openStore(aOpt);
  *pnMaxRun = 0;
  for(iPass=0; iPass<3; iPass++){
    for(i=0; i<nKey; i++) aPerm[i] = i;
    for(i=nKey-1; i>0; i--){
      unsigned j = testRngBelow(&rng, i+1), t = aPerm[i];
      aPerm[i] = aPerm[j];
      aPerm[j] = t;
    }
    for(i=0; i<nKey; i++){
      putKV(pDb, aPerm[i], iPass+1, 80);
      s = statsOf(pDb);
      if( (int)s.anFile[0]>*pnMaxRun ) *pnMaxRun = (int)s.anFile[0];
    }
  }
  ck_assert_int_eq(lsmc_flush(pDb), LSMC_OK);
  s = statsOf(pDb);
  for(i=0; i<nKey; i+=97) expectGet(pDb, 0, i, 3, 80, "amp workload");
  ck_assert_uint_eq(scanCount(pDb, 0), nKey);
  closeStore(pDb);
  free(aPerm);
  return s;
}

/*
** Tiered compaction keeps its promises (compact_tiered.c): with writers
** running beside background compaction, the run count stays below the
** stop threshold (20) and at most trigger + log2(data / memtable); and,
** with compactions inline so that both runs are deterministic, write
** amplification stays at most 5 and below leveled's on the same workload.
*/
START_TEST(tiered_bounds){
  const unsigned nKey = 5000;
  const int64_t nMem = 16*1024;
  lsmc_stats b, t, l;
  int nMaxRun, nDummy, nBound;
  int nLog = 0;                         /* ceil(log2(data / memtable)) */

  b = ampWorkload(LSMC_COMPACTION_TIERED, 1, nKey, nMem, &nMaxRun);
  t = ampWorkload(LSMC_COMPACTION_TIERED, 0, nKey, nMem, &nDummy);
  l = ampWorkload(LSMC_COMPACTION_LEVELED, 0, nKey, nMem, &nDummy);
  while( ((uint64_t)nMem<<nLog) < b.nUserBytes ) nLog++;
  nBound = 4 + nLog;                            /* default trigger is 4 */
  printf("tiered_bounds: runs max %d, at end %llu (bound %d, stop 20); "
         "write amp tiered %.2f (compaction %.2f, %llu compactions), "
         "leveled %.2f (compaction %.2f, %llu compactions)\n", nMaxRun,
         (unsigned long long)b.anFile[0], nBound, t.fWriteAmp,
         (double)t.nCompactWriteBytes/(double)t.nUserBytes,
         (unsigned long long)t.nCompaction, l.fWriteAmp,
         (double)l.nCompactWriteBytes/(double)l.nUserBytes,
         (unsigned long long)l.nCompaction);
  ck_assert_uint_gt(t.nCompaction, 0);
  ck_assert_int_lt((int)b.anFile[0], 20);
  ck_assert_int_le(nMaxRun, nBound);
  ck_assert_int_lt(nMaxRun, 20);
  ck_assert_msg(t.fWriteAmp<=5.0, "tiered write amp %.2f > 5", t.fWriteAmp);
  ck_assert_msg(t.fWriteAmp<l.fWriteAmp, "tiered write amp %.2f not below "
                "leveled %.2f", t.fWriteAmp, l.fWriteAmp);
}
END_TEST

/* Context of sstListOne. */
typedef struct SstList SstList;
struct SstList {
  int n;                            /* Names found */
  char azName[64][32];              /* "NNNNNN.sst" names */
};

/* The live .sst files of the test store, sorted by name. */
static void sstList(SstList *p){
  DIR *pDir = opendir(dir.zPath);
  struct dirent *pEnt;
  int i, j;
  ck_assert(pDir);
  p->n = 0;
  while( (pEnt = readdir(pDir))!=0 ){
    size_t n = strlen(pEnt->d_name);
    if( n>4 && n<32 && strcmp(pEnt->d_name+n-4, ".sst")==0 && p->n<64 ){
      strcpy(p->azName[p->n++], pEnt->d_name);
    }
  }
  closedir(pDir);
  for(i=1; i<p->n; i++){
    for(j=i; j>0 && strcmp(p->azName[j-1], p->azName[j])>0; j--){
      char zTmp[32];
      strcpy(zTmp, p->azName[j]);
      strcpy(p->azName[j], p->azName[j-1]);
      strcpy(p->azName[j-1], zTmp);
    }
  }
}

/* Flip one byte of file zName in the test store at offset iOff. */
static void flipByte(const char *zName, off_t iOff){
  char zPath[512];
  unsigned char c;
  int fd;
  testDirPath(&dir, zName, zPath, sizeof(zPath));
  fd = open(zPath, O_RDWR);
  ck_assert(fd>=0);
  ck_assert_int_eq(pread(fd, &c, 1, iOff), 1);
  c ^= 0x20;
  ck_assert_int_eq(pwrite(fd, &c, 1, iOff), 1);
  close(fd);
}

/* Create file zName in the test store holding zText. */
static void writeFile(const char *zName, const char *zText){
  char zPath[512];
  FILE *f;
  testDirPath(&dir, zName, zPath, sizeof(zPath));
  f = fopen(zPath, "w");
  ck_assert(f);
  fputs(zText, f);
  fclose(f);
}

/*
** lsmc_check finds damage and names the file: a flipped byte in a data
** block is LSMC_CORRUPT, a deleted SST is "missing"; a foreign file is not
** mentioned; an orphan "NNNNNN.sst" is a note and the result stays LSMC_OK
** with "ok" on the first line.
*/
START_TEST(check_detects_damage){
  const int64_t aOpt[] = { LSMC_OPT_MEMTABLE_SIZE, 16*1024,
                           LSMC_OPT_BACKGROUND, 0,
                           LSMC_OPT_L0_TRIGGER, 1000,
                           LSMC_OPT_L0_SLOWDOWN, 10000,
                           LSMC_OPT_L0_STOP, 10000, 0 };
  lsmc_db *pDb = openStore(aOpt);
  SstList list;
  char *zReport = 0;
  const char *zVictim;
  unsigned i;
  int rc, j;

  for(i=0; i<1500; i++) putKV(pDb, i, 1, 60);
  ck_assert_int_eq(lsmc_flush(pDb), LSMC_OK);
  sstList(&list);
  ck_assert_int_ge(list.n, 3);
  ck_assert_int_eq((int)statsOf(pDb).anFile[0], list.n);
  expectCheckOk(pDb, "clean");

  /* A foreign file: not mentioned.  An orphan of ours: a note. */
  writeFile("notes.txt", "not ours\n");
  expectCheckOk(pDb, "foreign file");
  writeFile("987654.sst", "an orphan\n");
  rc = lsmc_check(pDb, &zReport);
  printf("check_detects_damage: orphan report: %s\n", zReport);
  ck_assert_int_eq(rc, LSMC_OK);
  ck_assert(strncmp(zReport, "ok\n", 3)==0);
  ck_assert_ptr_nonnull(strstr(zReport, "987654.sst"));
  ck_assert_ptr_null(strstr(zReport, "notes.txt"));
  lsmc_free(pDb, zReport);
  closeStore(pDb);
  {
    char zPath[512];
    testDirPath(&dir, "987654.sst", zPath, sizeof(zPath));
    unlink(zPath);                        /* the next open might, too */
  }

  /* A flipped byte inside the first data block of the middle file. */
  zVictim = list.azName[list.n/2];
  flipByte(zVictim, 40);
  pDb = openStore(aOpt);
  rc = lsmc_check(pDb, &zReport);
  printf("check_detects_damage: flipped byte report: %s\n", zReport);
  ck_assert_int_eq(rc, LSMC_CORRUPT);
  ck_assert_ptr_nonnull(zReport);
  ck_assert_ptr_nonnull(strstr(zReport, zVictim));
  for(j=0; j<list.n; j++){
    if( j!=list.n/2 ) ck_assert_ptr_null(strstr(zReport, list.azName[j]));
  }
  ck_assert_ptr_null(strstr(zReport, "notes.txt"));
  lsmc_free(pDb, zReport);
  closeStore(pDb);
  flipByte(zVictim, 40);                  /* repaired */
  pDb = openStore(aOpt);
  expectCheckOk(pDb, "repaired");

  /* An SST removed behind the engine's back: missing. */
  zVictim = list.azName[0];
  {
    char zPath[512];
    testDirPath(&dir, zVictim, zPath, sizeof(zPath));
    ck_assert_int_eq(unlink(zPath), 0);
  }
  rc = lsmc_check(pDb, &zReport);
  printf("check_detects_damage: missing file report: %s\n", zReport);
  ck_assert_int_eq(rc, LSMC_CORRUPT);
  ck_assert_ptr_nonnull(zReport);
  ck_assert_ptr_nonnull(strstr(zReport, zVictim));
  ck_assert_ptr_nonnull(strstr(zReport, "missing"));
  ck_assert_ptr_null(strstr(zReport, "notes.txt"));
  lsmc_free(pDb, zReport);
  lsmc_close(pDb);                        /* may report the damage */
}
END_TEST

/* One writer thread of backpressure_stalls_but_completes. */
typedef struct Writer Writer;
struct Writer {
  lsmc_db *pDb;                     /* Store */
  unsigned iThread;                 /* Writes keys j*nThread + iThread */
  unsigned nThread;                 /* Writer threads */
  unsigned nKey;                    /* Keys it writes: j in [0, nKey) */
  int iVer;                         /* Version it writes */
  int rc;                           /* First error, or LSMC_OK */
};

/* Write every key of the thread once, in a random order, at iVer. */
static void *writerMain(void *pArg){
  Writer *p = (Writer*)pArg;
  char zKey[KEY_LEN+1], zVal[VAL_MAX+1];
  unsigned *aOrder = malloc(sizeof(unsigned)*p->nKey);
  TestRng rng;
  unsigned i;
  if( aOrder==0 ){ p->rc = LSMC_NOMEM; return 0; }
  testRngSeed(&rng, 1000*(uint64_t)p->iVer + p->iThread);
  for(i=0; i<p->nKey; i++) aOrder[i] = i;
  for(i=p->nKey-1; i>0; i--){
    unsigned j = testRngBelow(&rng, i+1), t = aOrder[i];
    aOrder[i] = aOrder[j];
    aOrder[j] = t;
  }
  for(i=0; i<p->nKey && p->rc==LSMC_OK; i++){
    unsigned k = aOrder[i]*p->nThread + p->iThread;
    size_t nVal = valueOf(zVal, k, p->iVer, 16);
    keyOf(zKey, k);
    p->rc = lsmc_put(p->pDb, zKey, KEY_LEN, zVal, nVal);
  }
  free(aOrder);
  return 0;
}

/*
** Backpressure: with L0 trigger 2, slowdown 3 and stop 4, a 4 KiB memtable
** and 4 writer threads, writers are slowed or stopped, yet every write
** succeeds and all data is present.  Each round overwrites the whole key
** set in random orders, so every L0 file spans all keys and each L0->L1
** compaction rewrites all of L1 (thousands of small entries): flushes
** finish while it runs and L0 grows past the slowdown threshold.  Rounds
** continue (up to a limit) until a stall was counted, so that the
** assertion holds on fast machines too.
*/
START_TEST(backpressure_stalls_but_completes){
  const int64_t aOpt[] = { LSMC_OPT_MEMTABLE_SIZE, 4096,
                           LSMC_OPT_L0_TRIGGER, 2,
                           LSMC_OPT_L0_SLOWDOWN, 3,
                           LSMC_OPT_L0_STOP, 4,
                           LSMC_OPT_SYNC, LSMC_SYNC_OFF, 0 };
  const unsigned nThread = 4, nPerThread = 4000;
  lsmc_db *pDb = openStore(aOpt);
  Writer aW[4];
  pthread_t aThread[4];
  lsmc_stats s;
  Model m;
  unsigned i, t;
  int nRound = 0;

  modelInit(&m, nThread*nPerThread);
  do{
    nRound++;
    for(t=0; t<nThread; t++){
      aW[t].pDb = pDb;
      aW[t].iThread = t;
      aW[t].nThread = nThread;
      aW[t].nKey = nPerThread;
      aW[t].iVer = nRound;
      aW[t].rc = LSMC_OK;
      ck_assert_int_eq(pthread_create(&aThread[t], 0, writerMain, &aW[t]), 0);
    }
    for(t=0; t<nThread; t++){
      pthread_join(aThread[t], 0);
      ck_assert_msg(aW[t].rc==LSMC_OK, "writer %u: rc=%d", t, aW[t].rc);
    }
    s = statsOf(pDb);
  }while( s.nStallSlow+s.nStallStop==0 && nRound<6 );
  for(i=0; i<m.nKey; i++){
    m.aVer[i] = nRound;
    m.anLen[i] = 16;
  }
  printf("backpressure_stalls_but_completes: %d rounds of %u writes, "
         "slowdowns %llu, stops %llu, stalled %.3f s, %llu flushes, %llu "
         "compactions, L0 now %llu\n", nRound, nThread*nPerThread,
         (unsigned long long)s.nStallSlow, (unsigned long long)s.nStallStop,
         (double)s.nStallMicros/1e6, (unsigned long long)s.nFlush,
         (unsigned long long)s.nCompaction, (unsigned long long)s.anFile[0]);
  ck_assert_uint_gt(s.nStallSlow + s.nStallStop, 0);
  ck_assert_uint_eq(s.nPut, (uint64_t)nRound*nThread*nPerThread);
  modelCheckGets(pDb, 0, &m, "after stalls");
  modelCheckScan(pDb, 0, &m, 0, "after stalls");
  closeStore(pDb);
  pDb = openStore(aOpt);
  modelCheckScan(pDb, 0, &m, 1, "reopened after stalls");
  closeStore(pDb);
  modelFree(&m);
}
END_TEST

/* One reader thread of reads_continue_during_compaction. */
typedef struct Reader Reader;
struct Reader {
  lsmc_db *pDb;                     /* Store */
  unsigned nStable;                 /* Stable keys: 0, 2, 4 .. */
  atomic_int *pbStop;               /* Set when the writer is done */
  uint64_t seed;                    /* For the rng */
  unsigned nGet, nScan;             /* Done so far */
  char zErr[200];                   /* First discrepancy, or "" */
};

/*
** Check a full scan: every even key below 2*nStable is present with its
** stable value, and no other even key appears.  Odd keys are the
** writer's.  Returns 0 or writes the discrepancy to p->zErr.
*/
static int readerScan(Reader *p){
  lsmc_iter *pIter = 0;
  unsigned nSeen = 0;
  int rc = lsmc_iter_open(p->pDb, 0, 0, 0, 0, 0, &pIter);
  if( rc==LSMC_OK ) rc = lsmc_iter_first(pIter);
  while( rc==LSMC_OK && lsmc_iter_valid(pIter) ){
    size_t nK, nV, nExp;
    const void *pK = lsmc_iter_key(pIter, &nK);
    const void *pV = lsmc_iter_value(pIter, &nV);
    int k = keyNum(pK, nK);
    char zVal[VAL_MAX+1];
    if( k%2==0 ){
      nExp = valueOf(zVal, (unsigned)k, 1, 60);
      if( k!=(int)(2*nSeen) || nV!=nExp || memcmp(pV, zVal, nExp) ){
        snprintf(p->zErr, sizeof(p->zErr), "scan: at stable key %d after "
                 "%u stable keys", k, nSeen);
        break;
      }
      nSeen++;
    }
    rc = lsmc_iter_next(pIter);
  }
  lsmc_iter_close(pIter);
  if( rc ) snprintf(p->zErr, sizeof(p->zErr), "scan: rc=%d", rc);
  if( p->zErr[0]==0 && nSeen!=p->nStable ){
    snprintf(p->zErr, sizeof(p->zErr), "scan: %u stable keys, want %u",
             nSeen, p->nStable);
  }
  return p->zErr[0]!=0;
}

static void *readerMain(void *pArg){
  Reader *p = (Reader*)pArg;
  TestRng rng;
  testRngSeed(&rng, p->seed);
  while( p->zErr[0]==0 && !atomic_load(p->pbStop) ){
    int i;
    for(i=0; i<200 && p->zErr[0]==0; i++){
      unsigned k = 2*testRngBelow(&rng, p->nStable);
      char zKey[KEY_LEN+1], zVal[VAL_MAX+1];
      void *pVal = 0;
      size_t nVal = 0, nExp = valueOf(zVal, k, 1, 60);
      int rc;
      keyOf(zKey, k);
      rc = lsmc_get(p->pDb, 0, zKey, KEY_LEN, &pVal, &nVal);
      if( rc!=LSMC_OK || nVal!=nExp || memcmp(pVal, zVal, nExp) ){
        snprintf(p->zErr, sizeof(p->zErr), "get %u: rc=%d", k, rc);
      }
      lsmc_free(p->pDb, pVal);
      p->nGet++;
    }
    if( p->zErr[0]==0 && !readerScan(p) ) p->nScan++;
  }
  return 0;
}

/*
** Readers see a stable key set (the even keys, written and flushed
** first) exactly, by gets and full scans, while a writer churns the odd
** keys between them, so that flushes and background compactions rewrite
** the files the readers are reading.
*/
START_TEST(reads_continue_during_compaction){
  const int64_t aOpt[] = { LSMC_OPT_MEMTABLE_SIZE, 8*1024,
                           LSMC_OPT_SYNC, LSMC_SYNC_OFF, 0 };
  const unsigned nStable = 2000;
  lsmc_db *pDb = openStore(aOpt);
  atomic_int bStop = 0;
  Reader aR[2];
  pthread_t aThread[2];
  TestRng rng;
  lsmc_stats s0, s;
  unsigned i;
  int t, iRound;

  for(i=0; i<nStable; i++) putKV(pDb, 2*i, 1, 60);
  ck_assert_int_eq(lsmc_flush(pDb), LSMC_OK);
  s0 = statsOf(pDb);
  memset(aR, 0, sizeof(aR));
  for(t=0; t<2; t++){
    aR[t].pDb = pDb;
    aR[t].nStable = nStable;
    aR[t].pbStop = &bStop;
    aR[t].seed = 1100 + (uint64_t)t;
    ck_assert_int_eq(pthread_create(&aThread[t], 0, readerMain, &aR[t]), 0);
  }
  testRngSeed(&rng, 11);
  for(iRound=0; iRound<25000; iRound++){
    unsigned k = 2*testRngBelow(&rng, nStable) + 1;
    char zKey[KEY_LEN+1], zVal[VAL_MAX+1];
    size_t nVal = valueOf(zVal, k, iRound, 80);
    int rc;
    keyOf(zKey, k);
    if( iRound%5==4 ){
      rc = lsmc_delete(pDb, zKey, KEY_LEN);
    }else{
      rc = lsmc_put(pDb, zKey, KEY_LEN, zVal, nVal);
    }
    if( rc!=LSMC_OK ) break;
    if( aR[0].zErr[0] || aR[1].zErr[0] ) break;
  }
  atomic_store(&bStop, 1);
  for(t=0; t<2; t++) pthread_join(aThread[t], 0);
  s = statsOf(pDb);
  printf("reads_continue_during_compaction: %d writes, %llu flushes, %llu "
         "compactions; readers did %u+%u gets, %u+%u scans\n", iRound,
         (unsigned long long)(s.nFlush - s0.nFlush),
         (unsigned long long)(s.nCompaction - s0.nCompaction),
         aR[0].nGet, aR[1].nGet, aR[0].nScan, aR[1].nScan);
  for(t=0; t<2; t++){
    ck_assert_msg(aR[t].zErr[0]==0, "reader %d: %s", t, aR[t].zErr);
  }
  ck_assert_int_eq(iRound, 25000);
  ck_assert_uint_gt(s.nCompaction - s0.nCompaction, 2);
  ck_assert_uint_gt(aR[0].nScan + aR[1].nScan, 2);
  expectCheckOk(pDb, "after churn");
  closeStore(pDb);
}
END_TEST

int main(void){
  Suite *s = suite_create("compaction");
  SRunner *sr;
  TCase *tc;
  int nFail;

  setvbuf(stdout, 0, _IOLBF, 0);          /* one line per measurement */
  tc = tcase_create("compaction");
  tcase_add_checked_fixture(tc, setup, teardown);
  tcase_set_timeout(tc, 300);
  tcase_add_loop_test(tc, deleted_range_full_compaction_counts_zero, 0, 2);
  tcase_add_loop_test(tc, tombstone_not_dropped_above_older_version, 0, 2);
  tcase_add_loop_test(tc, get_scan_agree_after_each_version_change, 0, 2);
  tcase_add_test(tc, overlapping_l0_files_answer_newest_first);
  tcase_add_test(tc, iterator_direction_switch_beside_insert);
  tcase_add_loop_test(tc, snapshot_survives_compaction, 0, 4);
  tcase_add_test(tc, fifo_keeps_newest_under_cap);
  tcase_add_test(tc, fifo_ttl_drops_old_files);
  tcase_add_test(tc, tiered_bounds);
  tcase_add_test(tc, check_detects_damage);
  tcase_add_test(tc, backpressure_stalls_but_completes);
  tcase_add_test(tc, reads_continue_during_compaction);
  suite_add_tcase(s, tc);
  sr = srunner_create(s);
  srunner_run_all(sr, CK_NORMAL);
  nFail = srunner_ntests_failed(sr);
  srunner_free(sr);
  return nFail ? 1 : 0;
}
