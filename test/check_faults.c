/*
** check_faults.c -- TESTPLAN C1 and C2 at the engine level: the I/O error
** sweep and the out-of-memory sweep over every engine API path, and the
** proof that the sweeps reached every env call site compiled into the
** engine.
**
** How.  Each case is one operation on a store (create, open with WAL
** replay, open of a damaged WAL with point-in-time recovery, write,
** two-phase commit and abort, a write that rotates and flushes, flush,
** compaction, integrity check, iterators, snapshot reads, destroy,
** rename, a metadata put, the offline SSTable and WAL inspections).  For N = 1, 2, ... the case copies a template store, prepares
** it without faults, arms "fail the N-th env call" (FaultEnv over the
** POSIX env, LSMC_OPT_BACKGROUND=0 so that every run is deterministic),
** runs the operation, clears the fault, closes, reopens with the plain
** POSIX env and verifies; the sweep stops at the first N whose run
** injected nothing.  Variants: transient (only call N fails), persistent
** (N and every later call fail), ENOSPC (LSMC_FULL, persistent, on the
** calls that take space: create, append, mkdir), and, for C2, the N-th
** allocation failing (transient, persistent).
**
** Pass bar.  No crash, sanitizer-clean (LSan: no leak).  The result is
** LSMC_OK or IOERR* / FULL (I/O variants), LSMC_OK or NOMEM (OOM
** variants).  Reads under a fault return the right data or an error,
** never a wrong value or a silently short scan.  After reopen: the store
** opens, lsmc_check says "ok", the state (full scan and a point lookup of
** every key) is the state before the operation plus a prefix of the
** operation's transactions (all or nothing each), acked transactions
** (sync=full) are present, and a fresh write survives a reopen.  A write
** never returns OK when an xAppend or xSync of a WAL file failed for it,
** and after any failed WAL or manifest append/sync the next write fails
** too (sticky error, R7).  Destroy: done, or finished by a second
** lsmc_destroy.  Rename: the store is whole under exactly one name.
** Coverage: after all sweeps every LSMC_ENV call site of the engine was
** called (list of sites compiled in vs hit; any miss fails).
**
** LSMV_TEST_PROFILE=soak adds a torn-append variant and a larger store.
** A failure leaves a reproducer (case, variant, N, message) under
** $LSMV_RESULTS_DIR/check_faults/ (default ./test-results/check_faults/).
*/
#include "lsmcInt.h"
#include "faultenv.h"
#include "testutil.h"

#include <check.h>
#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* ------------------------------------------------------------ spy env */

/*
** A thin env between the engine and the FaultEnv.  It forwards every
** call, and counts the xAppend and xSync calls on WAL files ("*.log") and
** manifests ("MANIFEST-*") that returned an error: a failed WAL write
** must fail the write it belonged to, and any failed log write must make
** later writes fail (R7).  Spy file handles are plain malloc()ed so that
** the allocation sweep does not count them.
*/
typedef struct SpyEnv SpyEnv;
typedef struct SpyFile SpyFile;
struct SpyEnv {
  lsmc_env env;          /* Handed to the engine; env.pCtx == this */
  lsmc_env *pBase;       /* The FaultEnv's env */
  int nWalFail;          /* Failed xAppend/xSync on a WAL */
  int nLogFail;          /* ... on a WAL or a manifest */
};
struct SpyFile {
  lsmc_file *pReal;      /* The base env's handle */
  SpyEnv *pSpy;          /* Owner */
  int bWal;              /* A WAL file */
  int bLog;              /* A WAL or a manifest */
};

#define SPY(pEnv) ((SpyEnv*)(pEnv)->pCtx)

static int bTrace = 0;           /* LSMV_FAULTS_TRACE=1: log failed calls */

/* Log a failed call when tracing. */
static int spyTrace(const char *zOp, const char *zArg, int rc){
  if( bTrace && rc!=LSMC_OK ) fprintf(stderr, "    %s(%s) -> %d\n", zOp, zArg, rc);
  return rc;
}

static int spyOpen(lsmc_env *pEnv, const char *zPath, int flags,
                   lsmc_file **ppFile){
  SpyEnv *p = SPY(pEnv);
  lsmc_file *pReal = 0;
  int rc = spyTrace("xOpen", zPath, p->pBase->xOpen(p->pBase, zPath, flags, &pReal));
  *ppFile = 0;
  if( rc==LSMC_OK ){
    SpyFile *pF = malloc(sizeof(SpyFile));
    const char *zBase = strrchr(zPath, '/');
    size_t n = strlen(zPath);
    zBase = zBase ? zBase+1 : zPath;
    if( pF==0 ) abort();
    pF->pReal = pReal;
    pF->pSpy = p;
    pF->bWal = n>4 && strcmp(&zPath[n-4], ".log")==0;
    pF->bLog = pF->bWal || strncmp(zBase, "MANIFEST-", 9)==0;
    *ppFile = (lsmc_file*)pF;
  }
  return rc;
}
static int spyRead(lsmc_file *pFile, uint64_t iOff, void *pBuf, size_t nBuf,
                   size_t *pnRead){
  SpyFile *pF = (SpyFile*)pFile;
  return spyTrace("xRead", "", pF->pSpy->pBase->xRead(pF->pReal, iOff, pBuf, nBuf, pnRead));
}
/* Count a failed append or sync of a log file. */
static int spyLogResult(SpyFile *pF, int rc){
  spyTrace(pF->bWal ? "append/sync WAL" : "append/sync", "", rc);
  if( rc!=LSMC_OK && pF->bLog ){
    __atomic_fetch_add(&pF->pSpy->nLogFail, 1, __ATOMIC_RELAXED);
    if( pF->bWal ) __atomic_fetch_add(&pF->pSpy->nWalFail, 1, __ATOMIC_RELAXED);
  }
  return rc;
}
static int spyAppend(lsmc_file *pFile, const void *pData, size_t nData){
  SpyFile *pF = (SpyFile*)pFile;
  return spyLogResult(pF, pF->pSpy->pBase->xAppend(pF->pReal, pData, nData));
}
static int spySync(lsmc_file *pFile){
  SpyFile *pF = (SpyFile*)pFile;
  return spyLogResult(pF, pF->pSpy->pBase->xSync(pF->pReal));
}
static int spySize(lsmc_file *pFile, uint64_t *pnByte){
  SpyFile *pF = (SpyFile*)pFile;
  return spyTrace("xSize", "", pF->pSpy->pBase->xSize(pF->pReal, pnByte));
}
static int spyTruncate(lsmc_file *pFile, uint64_t nByte){
  SpyFile *pF = (SpyFile*)pFile;
  return pF->pSpy->pBase->xTruncate(pF->pReal, nByte);
}
static int spyClose(lsmc_file *pFile){
  SpyFile *pF = (SpyFile*)pFile;
  int rc = spyTrace("xClose", "", pF->pSpy->pBase->xClose(pF->pReal));
  free(pF);
  return rc;
}
static int spyMkdir(lsmc_env *e, const char *z){
  return spyTrace("xMkdir", z, SPY(e)->pBase->xMkdir(SPY(e)->pBase, z));
}
static int spyRmdir(lsmc_env *e, const char *z){
  return spyTrace("xRmdir", z, SPY(e)->pBase->xRmdir(SPY(e)->pBase, z));
}
static int spySyncDir(lsmc_env *e, const char *z){
  return spyTrace("xSyncDir", z, SPY(e)->pBase->xSyncDir(SPY(e)->pBase, z));
}
static int spyRename(lsmc_env *e, const char *zFrom, const char *zTo){
  return spyTrace("xRename", zTo, SPY(e)->pBase->xRename(SPY(e)->pBase, zFrom, zTo));
}
static int spyRemove(lsmc_env *e, const char *z){
  return spyTrace("xRemove", z, SPY(e)->pBase->xRemove(SPY(e)->pBase, z));
}
static int spyExists(lsmc_env *e, const char *z, int *pb){
  return spyTrace("xExists", z, SPY(e)->pBase->xExists(SPY(e)->pBase, z, pb));
}
static int spyList(lsmc_env *e, const char *z,
                   int (*xEntry)(void*, const char*), void *pArg){
  return spyTrace("xList", z, SPY(e)->pBase->xList(SPY(e)->pBase, z, xEntry, pArg));
}
static int spyFileId(lsmc_env *e, const char *z, uint64_t *pDev,
                     uint64_t *pIno){
  return SPY(e)->pBase->xFileId(SPY(e)->pBase, z, pDev, pIno);
}
static int spyLock(lsmc_env *e, const char *z, lsmc_file **pp){
  return spyTrace("xLock", z, SPY(e)->pBase->xLock(SPY(e)->pBase, z, pp));
}
static int spyUnlock(lsmc_env *e, lsmc_file *pLock){
  return SPY(e)->pBase->xUnlock(SPY(e)->pBase, pLock);
}
static void *spyMalloc(lsmc_env *e, size_t n){
  return SPY(e)->pBase->xMalloc(SPY(e)->pBase, n);
}
static void *spyRealloc(lsmc_env *e, void *p, size_t n){
  return SPY(e)->pBase->xRealloc(SPY(e)->pBase, p, n);
}
static void spyFree(lsmc_env *e, void *p){
  SPY(e)->pBase->xFree(SPY(e)->pBase, p);
}
static uint64_t spyNow(lsmc_env *e){
  return SPY(e)->pBase->xNowMicros(SPY(e)->pBase);
}
static void spySleep(lsmc_env *e, uint64_t n){
  SPY(e)->pBase->xSleep(SPY(e)->pBase, n);
}

/* Initialise a spy over pBase. */
static void spyInit(SpyEnv *p, lsmc_env *pBase){
  static const lsmc_env methods = {
    1, 0, spyOpen, spyRead, spyAppend, spySync, spySize, spyTruncate,
    spyClose, spyMkdir, spyRmdir, spySyncDir, spyRename, spyRemove,
    spyExists, spyList, spyFileId, spyLock, spyUnlock, spyMalloc,
    spyRealloc, spyFree, spyNow, spySleep
  };
  memset(p, 0, sizeof(*p));
  p->env = methods;
  p->env.pCtx = p;
  p->pBase = pBase;
}

/* ------------------------------------------------------ data and oracle */

#define FK_MAXKEY  1200          /* Largest key domain (soak) */
#define FK_MAXTXN  4             /* Transactions one case may try */
#define FK_MAXOP   64            /* Entries of one transaction */

static int nKey = 200;           /* Key domain of the templates */
static int bSoak = 0;            /* LSMV_TEST_PROFILE=soak */

/* The state of a store: aVer[i] is key i's version, -1 if absent. */
typedef struct Oracle Oracle;
struct Oracle {
  int aVer[FK_MAXKEY];
};

/* A transaction: entries (key, version; version -1 deletes). */
typedef struct Txn Txn;
struct Txn {
  int n;
  int aKey[FK_MAXOP];
  int aVer[FK_MAXOP];
};

static void keyOf(int iKey, char *z){ sprintf(z, "key%05d", iKey); }

/* The value of version iVer of key iKey: 16..111 bytes, deterministic. */
static int valueOf(int iKey, int iVer, char *z){
  int n = 16 + (iKey*7 + iVer*13) % 96;
  int i = sprintf(z, "v%05d.%04d:", iKey, iVer);
  for(; i<n; i++) z[i] = (char)('a' + (iKey + iVer + i) % 26);
  z[n] = 0;
  return n;
}

static void oracleApply(Oracle *p, const Txn *t){
  int i;
  for(i=0; i<t->n; i++) p->aVer[t->aKey[i]] = t->aVer[i];
}

/* Add entry (key, version) to a transaction. */
static void txnAdd(Txn *t, int iKey, int iVer){
  assert( t->n<FK_MAXOP );
  t->aKey[t->n] = iKey;
  t->aVer[t->n] = iVer;
  t->n++;
}

/* Build the engine batch of a transaction. */
static lsmc_batch *txnBatch(const Txn *t){
  lsmc_batch *pBatch = 0;
  int i;
  ck_assert_int_eq(lsmc_batch_new(&pBatch), LSMC_OK);
  for(i=0; i<t->n; i++){
    char zKey[32], zVal[128];
    keyOf(t->aKey[i], zKey);
    if( t->aVer[i]<0 ){
      ck_assert_int_eq(lsmc_batch_delete(pBatch, zKey, strlen(zKey)), LSMC_OK);
    }else{
      int nVal = valueOf(t->aKey[i], t->aVer[i], zVal);
      ck_assert_int_eq(lsmc_batch_put(pBatch, zKey, strlen(zKey), zVal,
                                      (size_t)nVal), LSMC_OK);
    }
  }
  return pBatch;
}

/*
** Compare the store (as of pSnap, NULL: latest) with oracle p: a full
** forward scan and a point lookup of every key of the domain.  Returns
** LSMC_OK if equal, an engine error code if a read failed (the reads up
** to the error matched), or -1 with a message in zErr if a read returned
** something wrong.
*/
static int storeCompare(lsmc_db *pDb, const lsmc_snapshot *pSnap,
                        const Oracle *p, char *zErr){
  lsmc_iter *pIter = 0;
  int rc, i, iNext = 0;
  rc = lsmc_iter_open(pDb, pSnap, 0, 0, 0, 0, &pIter);
  if( rc==LSMC_OK ) rc = lsmc_iter_first(pIter);
  while( rc==LSMC_OK && lsmc_iter_valid(pIter) ){
    size_t nK, nV;
    const char *zK = lsmc_iter_key(pIter, &nK);
    const char *zV = lsmc_iter_value(pIter, &nV);
    char zKey[32], zVal[128];
    if( nK==6 && memcmp(zK, "zprobe", 6)==0 ){   /* VERIFY's probe write */
      rc = lsmc_iter_next(pIter);
      continue;
    }
    while( iNext<nKey && p->aVer[iNext]<0 ) iNext++;
    if( iNext>=nKey ){
      sprintf(zErr, "scan: extra key %.*s", (int)nK, zK);
      rc = -1;
      break;
    }
    keyOf(iNext, zKey);
    if( nK!=strlen(zKey) || memcmp(zK, zKey, nK)!=0 ){
      sprintf(zErr, "scan: got key %.*s, expected %s", (int)nK, zK, zKey);
      rc = -1;
      break;
    }
    if( nV!=(size_t)valueOf(iNext, p->aVer[iNext], zVal)
     || memcmp(zV, zVal, nV)!=0 ){
      sprintf(zErr, "scan: wrong value for %s", zKey);
      rc = -1;
      break;
    }
    iNext++;
    rc = lsmc_iter_next(pIter);
  }
  if( rc==LSMC_OK ){
    while( iNext<nKey && p->aVer[iNext]<0 ) iNext++;
    if( iNext<nKey ){
      sprintf(zErr, "scan: ended early, key%05d missing", iNext);
      rc = -1;
    }
  }
  lsmc_iter_close(pIter);
  for(i=0; rc==LSMC_OK && i<nKey; i++){
    char zKey[32], zVal[128];
    void *pVal = 0;
    size_t nVal = 0;
    keyOf(i, zKey);
    rc = lsmc_get(pDb, pSnap, zKey, strlen(zKey), &pVal, &nVal);
    if( rc==LSMC_NOTFOUND ){
      rc = LSMC_OK;
      if( p->aVer[i]>=0 ){ sprintf(zErr, "get: %s missing", zKey); rc = -1; }
    }else if( rc==LSMC_OK ){
      if( p->aVer[i]<0 ){
        sprintf(zErr, "get: %s present, expected absent", zKey);
        rc = -1;
      }else if( nVal!=(size_t)valueOf(i, p->aVer[i], zVal)
             || memcmp(pVal, zVal, nVal)!=0 ){
        sprintf(zErr, "get: wrong value for %s", zKey);
        rc = -1;
      }
    }
    lsmc_free(pDb, pVal);
  }
  return rc;
}

/* ------------------------------------------------------------ stores */

/* Template stores, built once per process (see buildTemplates). */
static TestDir tplDir;           /* Holds the templates and work dirs */
static char zTplFull[600];       /* Flushed levels + WAL + an orphan */
static char zTplDamaged[600];    /* zTplFull with its WAL damaged */
static Oracle oFlushed;          /* zTplFull's state without its WAL */
static Oracle oFull;             /* zTplFull's whole state */

/*
** The options of every store of the test: 4 KiB memtable, 256-byte
** blocks, no block cache, 16 open tables, no background thread.  pEnv
** NULL is the POSIX env.
*/
static lsmc_options *faultOptions(lsmc_env *pEnv, int eSync, int eRecovery,
                                  int bCreate){
  lsmc_options *pOpts = 0;
  ck_assert_int_eq(lsmc_options_new(&pOpts), LSMC_OK);
  if( pEnv ) lsmc_options_set_env(pOpts, pEnv);
  lsmc_options_set(pOpts, LSMC_OPT_MEMTABLE_SIZE, 4096);
  lsmc_options_set(pOpts, LSMC_OPT_BLOCK_SIZE, 256);
  lsmc_options_set(pOpts, LSMC_OPT_CACHE_SIZE, 0);
  lsmc_options_set(pOpts, LSMC_OPT_MAX_OPEN_FILES, 16);
  lsmc_options_set(pOpts, LSMC_OPT_BACKGROUND, 0);
  lsmc_options_set(pOpts, LSMC_OPT_SYNC, eSync);
  lsmc_options_set(pOpts, LSMC_OPT_RECOVERY, eRecovery);
  lsmc_options_set(pOpts, LSMC_OPT_CREATE, bCreate);
  return pOpts;
}

/* Open zDir (with pEnv, NULL: POSIX); *pRc gets the result. */
static lsmc_db *faultOpen(const char *zDir, lsmc_env *pEnv, int eRecovery,
                          int bCreate, int *pRc){
  lsmc_options *pOpts = faultOptions(pEnv, LSMC_SYNC_FULL, eRecovery, bCreate);
  lsmc_db *pDb = 0;
  *pRc = lsmc_open(zDir, pOpts, &pDb);
  lsmc_options_free(pOpts);
  return pDb;
}

/* Write transaction t to pDb and apply it to oracle p (must succeed). */
static void writeTxn(lsmc_db *pDb, const Txn *t, Oracle *p, int eSync){
  lsmc_batch *pBatch = txnBatch(t);
  ck_assert_int_eq(lsmc_write(pDb, pBatch, eSync), LSMC_OK);
  lsmc_batch_free(pBatch);
  if( p ) oracleApply(p, t);
}

/* Copy the regular files of directory zFrom into new directory zTo. */
static void copyDir(const char *zFrom, const char *zTo){
  DIR *d = opendir(zFrom);
  struct dirent *pEnt;
  ck_assert_ptr_nonnull(d);
  ck_assert_int_eq(mkdir(zTo, 0755), 0);
  while( (pEnt = readdir(d))!=0 ){
    char zSrc[1024], zDst[1024], aBuf[65536];
    FILE *pIn, *pOut;
    size_t n;
    if( pEnt->d_name[0]=='.' ) continue;
    snprintf(zSrc, sizeof(zSrc), "%s/%s", zFrom, pEnt->d_name);
    snprintf(zDst, sizeof(zDst), "%s/%s", zTo, pEnt->d_name);
    pIn = fopen(zSrc, "rb");
    pOut = fopen(zDst, "wb");
    ck_assert(pIn && pOut);
    while( (n = fread(aBuf, 1, sizeof(aBuf), pIn))>0 ) fwrite(aBuf, 1, n, pOut);
    fclose(pIn);
    fclose(pOut);
  }
  closedir(d);
}

/* Write a small file zName with text z into directory zDir. */
static void writeFile(const char *zDir, const char *zName, const char *z){
  char zPath[1024];
  FILE *f;
  snprintf(zPath, sizeof(zPath), "%s/%s", zDir, zName);
  f = fopen(zPath, "wb");
  ck_assert_ptr_nonnull(f);
  fputs(z, f);
  fclose(f);
}

/* The path of the only WAL file of zDir into zOut. */
static void findWal(const char *zDir, char *zOut, size_t nOut){
  ck_assert_int_eq(testFindFile(zDir, "", ".log", zOut, nOut), 1);
}

/*
** Build the templates.  zTplFull: nKey keys written in batches of 10
** (several flushes with compactions), compacted into the deepest level,
** then overwrites and deletes flushed to level 0, then 5 keys left in the
** WAL only; plus an orphan temp file of ours (removed by the open's
** sweep).  zTplDamaged: the same with a byte of every WAL record's
** payload flipped: no valid fragment follows the first failure, so the
** WAL reads as a torn tail (the recovery probes the fragment after it
** and the next block starts) and only the flushed state remains.
*/
static void buildTemplates(void){
  lsmc_db *pDb;
  Txn t;
  int rc, i, j;
  char zWal[1024];
  FILE *f;

  testDirNew(&tplDir, "faults");
  snprintf(zTplFull, sizeof(zTplFull), "%s/tpl-full", tplDir.zPath);
  snprintf(zTplDamaged, sizeof(zTplDamaged), "%s/tpl-damaged", tplDir.zPath);
  memset(&oFull, 0xff, sizeof(oFull));
  pDb = faultOpen(zTplFull, 0, LSMC_RECOVER_STRICT, 1, &rc);
  ck_assert_int_eq(rc, LSMC_OK);
  for(i=0; i<nKey-5; i+=10){
    t.n = 0;
    for(j=i; j<i+10 && j<nKey-5; j++) txnAdd(&t, j, 1);
    writeTxn(pDb, &t, &oFull, LSMC_SYNC_NORMAL);
  }
  ck_assert_int_eq(lsmc_compact_range(pDb, 0, 0, 0, 0), LSMC_OK);
  for(i=0; i<nKey/2; i+=30){
    t.n = 0;
    for(j=i; j<i+30 && j<nKey/2; j+=3) txnAdd(&t, j, 2);
    for(j=i+1; j<i+30 && j<nKey/2; j+=7) txnAdd(&t, j, -1);
    writeTxn(pDb, &t, &oFull, LSMC_SYNC_NORMAL);
  }
  ck_assert_int_eq(lsmc_flush(pDb), LSMC_OK);
  oFlushed = oFull;
  for(i=nKey-5; i<nKey; i++){
    t.n = 0;
    txnAdd(&t, i, 1);
    writeTxn(pDb, &t, &oFull, LSMC_SYNC_NORMAL);
  }
  lsmc_close(pDb);
  writeFile(zTplFull, "000001.tmp", "an orphan temp file");

  copyDir(zTplFull, zTplDamaged);
  findWal(zTplDamaged, zWal, sizeof(zWal));
  f = fopen(zWal, "r+b");
  ck_assert_ptr_nonnull(f);
  for(i=0; ; i++){                      /* flip a byte of every payload */
    u8 aHdr[7];
    long iOff = ftell(f);
    int nLen, c;
    if( fread(aHdr, 1, 7, f)!=7 ) break;
    nLen = aHdr[4] | (aHdr[5]<<8);
    ck_assert_int_gt(nLen, 4);
    ck_assert_int_eq(fseek(f, iOff + 7 + 4, SEEK_SET), 0);
    c = fgetc(f);
    ck_assert_int_eq(fseek(f, iOff + 7 + 4, SEEK_SET), 0);
    fputc(c ^ 0x55, f);
    ck_assert_int_eq(fseek(f, iOff + 7 + nLen, SEEK_SET), 0);
  }
  ck_assert_int_eq(i, 5);
  fclose(f);
}

/* ------------------------------------------------------- the harness */

/* Sweep variants. */
#define V_TRANSIENT   0     /* Call N fails with IOERR */
#define V_PERSISTENT  1     /* Call N and every later call fail */
#define V_ENOSPC      2     /* N-th create/append/mkdir and later: FULL */
#define V_TORN        3     /* Call N fails; a failed append is torn */
#define V_OOM         4     /* Allocation N fails */
#define V_OOM_PERSIST 5     /* Allocation N and every later one fail */
static const char *azVariant[] = {
  "transient", "persistent", "enospc", "torn", "oom", "oom-persistent"
};

/* How a case is verified after the reopen. */
#define CHECK_STORE    0    /* State = before + prefix of the txns */
#define CHECK_CREATE   1    /* A new, empty store */
#define CHECK_DESTROY  2    /* Gone, or a second destroy finishes */
#define CHECK_RENAME   3    /* Whole under exactly one name */
#define CHECK_META     4    /* Metadata old or new (new if acked), then
                            ** as CHECK_STORE */

typedef struct Ctx Ctx;
typedef struct FaultCase FaultCase;

/* One operation swept by the harness. */
struct FaultCase {
  const char *zName;           /* Case name (reports, reproducers) */
  const char *zTemplate;       /* Template copied in, NULL: none */
  int eRecovery;               /* LSMC_RECOVER_* of every open */
  int eCheck;                  /* CHECK_* */
  void (*xPrep)(Ctx*);         /* Unfaulted preparation, or NULL */
  int (*xRun)(Ctx*);           /* The operation, under the fault */
};

/* The state of one run of a case. */
struct Ctx {
  const FaultCase *pCase;      /* The case */
  FaultEnv *pFault;            /* The fault injector */
  SpyEnv spy;                  /* Over pFault; the engine's env */
  char zDir[700];              /* The store */
  char zDir2[700];             /* Rename target */
  lsmc_db *pDb;                /* Open handle (with an engine), or NULL */
  Oracle before;               /* State before the operation */
  Txn aTxn[FK_MAXTXN];         /* Transactions of the operation, in order */
  int nTxn;                    /* Entries in aTxn */
  int nTried;                  /* Transactions started */
  int nAcked;                  /* Transactions whose write returned OK */
  int bBad;                    /* xRun saw wrong data (zErr says what) */
  char zErr[400];              /* Message of bBad */
  int bMetaAcked;              /* The metadata put returned OK */
  char zFile[800];             /* File an inspection case reads */
  uint64_t nRefEntries;        /* Its entries (SST) or records (WAL) */
  int nRefBlocks;              /* Its blocks (SST), unfaulted */
};

static int nCasePass = 0;      /* Runs verified */

/*
** Env call-site coverage.  Only calls made while a fault is armed (the
** operation under test) count: setup and verification also pass through
** the sites, but they do not prove that the sweep reached them.
*/
#define FK_MAXSITE 1024
static unsigned long aSwept[FK_MAXSITE];   /* Armed calls per site */
static unsigned long aSiteMark[FK_MAXSITE];/* nHit when the fault was armed */

/* Remember every site's count (bEnd false), or add the calls made since
** to aSwept (bEnd true). */
static void sitesMark(int bEnd){
  int nSite, i;
  LsmcEnvSite **a = lsmcEnvSites(&nSite);
  ck_assert_int_le(nSite, FK_MAXSITE);
  for(i=0; i<nSite; i++){
    unsigned long n = __atomic_load_n(&a[i]->nHit, __ATOMIC_RELAXED);
    if( bEnd ) aSwept[i] += n - aSiteMark[i];
    else aSiteMark[i] = n;
  }
}

/*
** Report a failure: write a reproducer file and fail the test.
*/
static void faultFail(const Ctx *p, int eVariant, int iN, const char *zFmt, ...){
  char zMsg[800], zPath[1200];
  const char *zRes = getenv("LSMV_RESULTS_DIR");
  va_list ap;
  FILE *f;
  va_start(ap, zFmt);
  vsnprintf(zMsg, sizeof(zMsg), zFmt, ap);
  va_end(ap);
  snprintf(zPath, sizeof(zPath), "%s/check_faults", zRes && zRes[0] ? zRes
           : "test-results");
  if( zRes && zRes[0] ) mkdir(zRes, 0755); else mkdir("test-results", 0755);
  mkdir(zPath, 0755);
  snprintf(zPath + strlen(zPath), 200, "/repro-%s-%s-%d.txt",
           p->pCase->zName, azVariant[eVariant], iN);
  f = fopen(zPath, "w");
  if( f ){
    fprintf(f, "case=%s variant=%s N=%d profile=%s keys=%d\n%s\n",
            p->pCase->zName, azVariant[eVariant], iN,
            bSoak ? "soak" : "ci", nKey, zMsg);
    fclose(f);
  }
  if( bTrace ) fprintf(stderr, "FAIL: %s\n", zMsg);
  ck_abort_msg("case %s, variant %s, N=%d: %s (reproducer: %s)",
               p->pCase->zName, azVariant[eVariant], iN, zMsg, zPath);
}

/* True if rc is an allowed result of variant eVariant. */
static int rcAllowed(int rc, int eVariant){
  int ePrim = LSMC_PRIMARY(rc);
  if( rc==LSMC_OK ) return 1;
  if( eVariant>=V_OOM ) return rc==LSMC_NOMEM;
  return ePrim==LSMC_IOERR || ePrim==LSMC_FULL;
}

/* Arm the fault of variant eVariant at call N. */
static void faultArm(FaultEnv *pFault, int eVariant, int iN){
  switch( eVariant ){
    case V_TRANSIENT:
      faultenvFailNth(pFault, FAULT_MASK_ALL, (u64)iN, LSMC_IOERR, 0);
      break;
    case V_PERSISTENT:
      faultenvFailNth(pFault, FAULT_MASK_ALL, (u64)iN, LSMC_IOERR, 1);
      break;
    case V_ENOSPC:
      faultenvFailNth(pFault, FAULT_MASK(FAULT_OP_CREATE)
                      |FAULT_MASK(FAULT_OP_APPEND)|FAULT_MASK(FAULT_OP_MKDIR),
                      (u64)iN, LSMC_FULL, 1);
      break;
    case V_TORN:
      faultenvSetTornAppend(pFault, 9 + iN*37 % 200);
      faultenvFailNth(pFault, FAULT_MASK_ALL, (u64)iN, LSMC_IOERR, 0);
      break;
    case V_OOM:
      faultenvMallocFail(pFault, (u64)iN, 0);
      break;
    default:
      faultenvMallocFail(pFault, (u64)iN, 1);
      break;
  }
}

/*
** Open p->zDir with the clean POSIX env and check the state: lsmc_check
** "ok"; the state is p->before plus the first j of p->aTxn for some j with
** nAcked <= j <= nTried.  Returns j, or -1 with a message in zErr.
*/
static int verifyState(Ctx *p, lsmc_db *pDb, char *zErr){
  Oracle o = p->before;
  Oracle aState[FK_MAXTXN+1];
  char *zReport = 0;
  char zCmp[400];
  int rc, j;
  rc = lsmc_check(pDb, &zReport);
  if( rc!=LSMC_OK || zReport==0 || strncmp(zReport, "ok", 2)!=0 ){
    sprintf(zErr, "lsmc_check: rc=%d: %.300s", rc, zReport ? zReport : "");
    lsmc_free(pDb, zReport);
    return -1;
  }
  lsmc_free(pDb, zReport);
  aState[0] = o;
  for(j=0; j<p->nTried; j++){
    oracleApply(&o, &p->aTxn[j]);
    aState[j+1] = o;
  }
  zCmp[0] = 0;
  for(j=p->nTried; j>=0; j--){
    rc = storeCompare(pDb, 0, &aState[j], zCmp);
    if( rc==LSMC_OK ) break;
    if( rc>0 ){
      sprintf(zErr, "read after reopen failed: rc=%d", rc);
      return -1;
    }
  }
  if( j<0 ){
    sprintf(zErr, "state is no prefix of the transactions (vs before: %s)",
            zCmp);
    return -1;
  }
  if( j<p->nAcked ){
    sprintf(zErr, "acked transaction lost: %d present, %d acked", j, p->nAcked);
    return -1;
  }
  return j;
}

/*
** The standard VERIFY of a store at zDir (steps 1-7 of TESTPLAN): open,
** check, state, then a fresh write, a reopen, and the write and the state
** again.  Returns 0, or -1 with a message in zErr.
*/
static int verifyStore(Ctx *p, const char *zDir, char *zErr){
  int rc, j, j2;
  lsmc_db *pDb = faultOpen(zDir, 0, p->pCase->eRecovery, 0, &rc);
  if( rc!=LSMC_OK ){
    sprintf(zErr, "reopen failed: rc=%d: %.300s", rc, lsmc_errmsg(pDb));
    lsmc_close(pDb);
    return -1;
  }
  j = verifyState(p, pDb, zErr);
  if( j>=0 ){
    rc = lsmc_put(pDb, "zprobe", 6, "1", 1);
    if( rc!=LSMC_OK ){ sprintf(zErr, "probe write: rc=%d", rc); j = -1; }
  }
  lsmc_close(pDb);
  if( j<0 ) return -1;
  pDb = faultOpen(zDir, 0, p->pCase->eRecovery, 0, &rc);
  if( rc==LSMC_OK ){
    void *pVal = 0;
    size_t nVal = 0;
    rc = lsmc_get(pDb, 0, "zprobe", 6, &pVal, &nVal);
    lsmc_free(pDb, pVal);
    if( rc!=LSMC_OK ){
      sprintf(zErr, "probe write lost after reopen: rc=%d", rc);
      j = -1;
    }else{
      j2 = verifyState(p, pDb, zErr);
      if( j2!=j ){
        if( j2>=0 ) sprintf(zErr, "state changed by a reopen: %d then %d", j, j2);
        j = -1;
      }
    }
  }else{
    sprintf(zErr, "second reopen failed: rc=%d", rc);
    j = -1;
  }
  lsmc_close(pDb);
  return j<0 ? -1 : 0;
}

/* True if path z exists. */
static int pathExists(const char *z){
  struct stat st;
  return stat(z, &st)==0;
}

static int nLockRemnant = 0;    /* Destroys that left only LOCK behind */

/* Count the entries of directory zDir other than LOCK and README.txt;
** *pbLock is set if LOCK is there. */
static int dirOthers(const char *zDir, int *pbLock){
  DIR *d = opendir(zDir);
  struct dirent *pEnt;
  int n = 0;
  *pbLock = 0;
  while( d && (pEnt = readdir(d))!=0 ){
    if( pEnt->d_name[0]=='.' ) continue;
    if( strcmp(pEnt->d_name, "LOCK")==0 ) *pbLock = 1;
    else if( strcmp(pEnt->d_name, "README.txt")!=0 ) n++;
  }
  if( d ) closedir(d);
  return n;
}

/*
** After a destroy (and, if IDENTITY survived it, a second one): nothing
** of the store is left but, possibly, its LOCK file; the foreign file
** survives.  A remnant directory (empty, or only LOCK: a failed removal
** of LOCK or of the directory after IDENTITY was gone, so the directory
** is no longer provably the store's and no destroy touches it again) is
** a known limitation: counted and reported, not failed.
*/
static int verifyDestroyed(Ctx *p, char *zErr){
  int bForeign = strstr(p->pCase->zName, "foreign")!=0;
  int bLock = 0;
  char zPath[1024];
  if( !pathExists(p->zDir) ) return bForeign ? (sprintf(zErr,
      "the directory holding a foreign file was removed"), -1) : 0;
  if( dirOthers(p->zDir, &bLock)>0 ){
    sprintf(zErr, "files of the store left after the destroy");
    return -1;
  }
  snprintf(zPath, sizeof(zPath), "%s/README.txt", p->zDir);
  if( bForeign && !pathExists(zPath) ){
    sprintf(zErr, "a foreign file was deleted");
    return -1;
  }
  if( !bForeign ) nLockRemnant++;    /* empty, or only LOCK */
  return 0;
}

/*
** Verify the run of a case after its fault was cleared and the store
** closed.  Returns 0 or -1 with a message in zErr.
*/
static int verifyRun(Ctx *p, char *zErr){
  int rc;
  switch( p->pCase->eCheck ){
    case CHECK_CREATE: {
      lsmc_db *pDb = faultOpen(p->zDir, 0, LSMC_RECOVER_STRICT, 1, &rc);
      lsmc_close(pDb);
      if( rc!=LSMC_OK ){
        sprintf(zErr, "create after a failed create: rc=%d", rc);
        return -1;
      }
      return verifyStore(p, p->zDir, zErr);
    }
    case CHECK_DESTROY: {
      char zPath[1024];
      snprintf(zPath, sizeof(zPath), "%s/IDENTITY", p->zDir);
      if( pathExists(zPath) ){
        rc = lsmc_destroy(p->zDir, 0);
        if( rc!=LSMC_OK ){
          sprintf(zErr, "second destroy failed: rc=%d", rc);
          return -1;
        }
      }
      return verifyDestroyed(p, zErr);
    }
    case CHECK_META: {
      lsmc_db *pDb = faultOpen(p->zDir, 0, p->pCase->eRecovery, 0, &rc);
      void *pVal = 0;
      size_t nVal = 0;
      if( rc==LSMC_OK ) rc = lsmc_meta_get(pDb, "app.v", &pVal, &nVal);
      if( rc!=LSMC_OK ){
        sprintf(zErr, "meta_get after reopen: rc=%d", rc);
      }else if( !(nVal==3 && memcmp(pVal, "new", 3)==0)
             && (p->bMetaAcked || !(nVal==3 && memcmp(pVal, "old", 3)==0)) ){
        sprintf(zErr, "metadata after reopen is %.*s (put %s)", (int)nVal,
                (const char*)pVal, p->bMetaAcked ? "acked" : "failed");
        rc = -1;
      }
      lsmc_free(pDb, pVal);
      lsmc_close(pDb);
      if( rc!=LSMC_OK ) return -1;
      break;
    }
    case CHECK_RENAME: {
      int b1 = pathExists(p->zDir), b2 = pathExists(p->zDir2);
      if( b1==b2 ){
        sprintf(zErr, "store under %s names after rename", b1 ? "both" : "no");
        return -1;
      }
      return verifyStore(p, b1 ? p->zDir : p->zDir2, zErr);
    }
  }
  return verifyStore(p, p->zDir, zErr);
}

/*
** One run: copy the template, prepare, arm the fault at N, run, clear,
** check the sticky error, close, verify.  Returns true if a fault was
** injected (the sweep goes on).
*/
static int runOnce(const FaultCase *pCase, FaultEnv *pFault, int eVariant,
                   int iN){
  Ctx *p = calloc(1, sizeof(Ctx));
  u64 nInjected;
  int rc;
  int bInjected;
  char zErr[800];
  ck_assert_ptr_nonnull(p);
  p->pCase = pCase;
  p->pFault = pFault;
  spyInit(&p->spy, faultenvEnv(pFault));
  snprintf(p->zDir, sizeof(p->zDir), "%s/work", tplDir.zPath);
  snprintf(p->zDir2, sizeof(p->zDir2), "%s/work2", tplDir.zPath);
  testRemoveTree(p->zDir);
  testRemoveTree(p->zDir2);
  if( pCase->zTemplate ){
    copyDir(pCase->zTemplate, p->zDir);
    p->before = (pCase->zTemplate==zTplFull) ? oFull : oFlushed;
  }else{
    memset(&p->before, 0xff, sizeof(p->before));
  }
  if( pCase->xPrep ) pCase->xPrep(p);

  nInjected = faultenvInjected(pFault);
  p->spy.nWalFail = p->spy.nLogFail = 0;
  sitesMark(0);
  faultArm(pFault, eVariant, iN);
  rc = pCase->xRun(p);
  faultenvClearFaults(pFault);
  sitesMark(1);
  faultenvSetTornAppend(pFault, -1);
  bInjected = faultenvInjected(pFault)>nInjected;

  if( p->bBad ) faultFail(p, eVariant, iN, "%s", p->zErr);
  if( !rcAllowed(rc, eVariant) ){
    faultFail(p, eVariant, iN, "result %d (%s) not allowed", rc,
              lsmc_errstr(rc));
  }
  if( p->nAcked>0 && p->spy.nWalFail>0 && p->nAcked==p->nTried ){
    faultFail(p, eVariant, iN, "a write returned OK although its WAL "
              "append/sync failed");
  }
  if( p->pDb && p->spy.nLogFail>0 ){
    int rc2 = lsmc_put(p->pDb, "zsticky", 7, "x", 1);
    if( rc2==LSMC_OK ){
      faultFail(p, eVariant, iN, "a write succeeded after a failed log "
                "append/sync (not sticky)");
    }
  }
  lsmc_close(p->pDb);
  p->pDb = 0;
  if( verifyRun(p, zErr) ) faultFail(p, eVariant, iN, "VERIFY: %s", zErr);
  nCasePass++;
  free(p);
  return bInjected;
}

/*
** Sweep a case over N = 1, 2, ... until a run injects nothing.
*/
static void sweepCase(const FaultCase *pCase, int eVariant){
  FaultEnv *pFault = 0;
  int iN;
  ck_assert_int_eq(faultenvNew(lsmc_default_env(), &pFault), LSMC_OK);
  for(iN=1; runOnce(pCase, pFault, eVariant, iN); iN++){
    ck_assert_msg(iN<100000, "case %s never ends", pCase->zName);
  }
  printf("  %-14s %-15s %5d runs\n", pCase->zName, azVariant[eVariant], iN);
  fflush(stdout);
  faultenvFree(pFault);
}

/* -------------------------------------------------------------- cases */

/* Open the work store without faults (xPrep of most cases). */
static void prepOpen(Ctx *p){
  int rc;
  p->pDb = faultOpen(p->zDir, &p->spy.env, p->pCase->eRecovery, 0, &rc);
  ck_assert_int_eq(rc, LSMC_OK);
}

/* Open the store under the fault (create, open, open-damaged). */
static int runOpen(Ctx *p){
  int rc;
  lsmc_db *pDb = faultOpen(p->zDir, &p->spy.env, p->pCase->eRecovery,
                           p->pCase->eCheck==CHECK_CREATE, &rc);
  if( rc==LSMC_OK ){
    p->pDb = pDb;
    rc = storeCompare(pDb, 0, &p->before, p->zErr);
    if( rc<0 ) p->bBad = 1;
    if( rc<0 ) rc = LSMC_OK;
  }else{
    lsmc_close(pDb);
  }
  return rc;
}

/* Fill p->aTxn[0] with a small transaction: 3 overwrites, a new key
** beyond the domain's used part, 2 deletes. */
static void smallTxn(Ctx *p){
  Txn *t = &p->aTxn[0];
  t->n = 0;
  txnAdd(t, 3, 7);
  txnAdd(t, nKey/2, 7);
  txnAdd(t, nKey-1, 7);
  txnAdd(t, 10, -1);
  txnAdd(t, nKey-3, -1);
  p->nTxn = 1;
}

/* lsmc_write of a small transaction with sync=full. */
static int runWrite(Ctx *p){
  lsmc_batch *pBatch;
  int rc;
  smallTxn(p);
  pBatch = txnBatch(&p->aTxn[0]);
  p->nTried = 1;
  rc = lsmc_write(p->pDb, pBatch, LSMC_SYNC_FULL);
  if( rc==LSMC_OK ) p->nAcked = 1;
  lsmc_batch_free(pBatch);
  return rc;
}

/* Two-phase commit: prepare, then apply (bAbort false) or abort. */
static int runCommit2(Ctx *p, int bAbort){
  lsmc_batch *pBatch;
  lsmc_commit *pCommit = 0;
  int rc;
  smallTxn(p);
  pBatch = txnBatch(&p->aTxn[0]);
  p->nTried = 1;
  rc = lsmc_commit_prepare(p->pDb, pBatch, LSMC_SYNC_FULL, &pCommit);
  if( rc==LSMC_OK && !bAbort ){
    lsmc_commit_apply(pCommit);
    p->nAcked = 1;
  }else if( rc==LSMC_OK ){
    rc = lsmc_commit_abort(pCommit);
    if( rc==LSMC_OK ) p->nTried = 0;   /* aborted: must be absent */
  }
  lsmc_batch_free(pBatch);
  return rc;
}
static int runCommit(Ctx *p){ return runCommit2(p, 0); }
static int runAbort(Ctx *p){ return runCommit2(p, 1); }

/* Prepare the flush-triggering write: fill the memtable (unfaulted). */
static void prepFill(Ctx *p){
  Txn t;
  int i;
  prepOpen(p);
  t.n = 0;
  for(i=0; i<40; i++) txnAdd(&t, (i*5) % nKey, 3);
  writeTxn(p->pDb, &t, &p->before, LSMC_SYNC_NORMAL);
}

/* Prepare a flush: some writes in the memtable (unfaulted). */
static void prepFlush(Ctx *p){
  Txn t;
  int i;
  prepOpen(p);
  t.n = 0;
  for(i=0; i<20; i++) txnAdd(&t, (i*11) % nKey, 4);
  txnAdd(&t, 20, -1);
  writeTxn(p->pDb, &t, &p->before, LSMC_SYNC_NORMAL);
}

static int runFlush(Ctx *p){ return lsmc_flush(p->pDb); }

static int runCompact(Ctx *p){
  return lsmc_compact_range(p->pDb, 0, 0, 0, 0);
}

/* lsmc_check: LSMC_OK must come with "ok". */
static int runCheck(Ctx *p){
  char *zReport = 0;
  int rc = lsmc_check(p->pDb, &zReport);
  if( rc==LSMC_OK && (zReport==0 || strncmp(zReport, "ok", 2)!=0) ){
    p->bBad = 1;
    snprintf(p->zErr, sizeof(p->zErr), "lsmc_check OK but says %.300s",
             zReport ? zReport : "(null)");
  }
  lsmc_free(p->pDb, zReport);
  return rc;
}

/*
** Iterators: a full scan and point lookups (storeCompare), then a reverse
** walk from the end and a seek into the middle, each compared with the
** oracle as far as it gets.
*/
static int runIter(Ctx *p){
  lsmc_iter *pIter = 0;
  int rc = storeCompare(p->pDb, 0, &p->before, p->zErr);
  int i = nKey-1, nStep = 0;
  char zKey[32], zVal[128];
  if( rc<0 ){ p->bBad = 1; return LSMC_OK; }
  if( rc==LSMC_OK ) rc = lsmc_iter_open(p->pDb, 0, 0, 0, 0, 0, &pIter);
  if( rc==LSMC_OK ) rc = lsmc_iter_last(pIter);
  while( rc==LSMC_OK && lsmc_iter_valid(pIter) && nStep<40 ){
    size_t nK, nV;
    const void *pK = lsmc_iter_key(pIter, &nK);
    const void *pV = lsmc_iter_value(pIter, &nV);
    while( i>=0 && p->before.aVer[i]<0 ) i--;
    keyOf(i, zKey);
    if( i<0 || nK!=strlen(zKey) || memcmp(pK, zKey, nK)!=0
     || nV!=(size_t)valueOf(i, p->before.aVer[i], zVal)
     || memcmp(pV, zVal, nV)!=0 ){
      p->bBad = 1;
      sprintf(p->zErr, "reverse scan: wrong entry near %s", zKey);
      break;
    }
    i--;
    nStep++;
    rc = lsmc_iter_prev(pIter);
  }
  keyOf(nKey/3, zKey);
  if( rc==LSMC_OK && !p->bBad ) rc = lsmc_iter_seek(pIter, zKey, strlen(zKey),
                                                  LSMC_SEEK_GE);
  if( rc==LSMC_OK && !p->bBad ){
    int j = nKey/3;
    while( j<nKey && p->before.aVer[j]<0 ) j++;
    if( j<nKey ){
      size_t nK;
      const void *pK = lsmc_iter_valid(pIter) ? lsmc_iter_key(pIter, &nK) : 0;
      keyOf(j, zKey);
      if( pK==0 || nK!=strlen(zKey) || memcmp(pK, zKey, nK)!=0 ){
        p->bBad = 1;
        sprintf(p->zErr, "seek: expected %s", zKey);
      }
    }
  }
  lsmc_iter_close(pIter);
  return rc;
}

/*
** The swept part of the snapshot case: reads through a snapshot taken
** before a write and a flush (set up by xPrep).
*/
static lsmc_snapshot *pSnapPrepared = 0;
static Oracle oSnapPrepared;
static void prepSnapshot(Ctx *p){
  Txn t;
  int i;
  prepOpen(p);
  ck_assert_int_eq(lsmc_snapshot_get(p->pDb, &pSnapPrepared), LSMC_OK);
  oSnapPrepared = p->before;
  t.n = 0;
  for(i=0; i<nKey; i+=9) txnAdd(&t, i, (i%2) ? -1 : 9);
  writeTxn(p->pDb, &t, &p->before, LSMC_SYNC_NORMAL);
  ck_assert_int_eq(lsmc_flush(p->pDb), LSMC_OK);
}
static int runSnapRead(Ctx *p){
  int rc = storeCompare(p->pDb, pSnapPrepared, &oSnapPrepared, p->zErr);
  if( rc==LSMC_OK ) rc = storeCompare(p->pDb, 0, &p->before, p->zErr);
  if( rc<0 ){ p->bBad = 1; rc = LSMC_OK; }
  lsmc_snapshot_release(p->pDb, pSnapPrepared);
  pSnapPrepared = 0;
  return rc;
}

/* Prepare a destroy of a store holding a foreign file. */
static void prepForeign(Ctx *p){
  writeFile(p->zDir, "README.txt", "not the store's");
}

/* lsmc_destroy and lsmc_rename through the spy env. */
static int runDestroy(Ctx *p){
  lsmc_options *pOpts = faultOptions(&p->spy.env, LSMC_SYNC_FULL,
                                     LSMC_RECOVER_STRICT, 0);
  int rc = lsmc_destroy(p->zDir, pOpts);
  lsmc_options_free(pOpts);
  return rc;
}
static int runRename(Ctx *p){
  lsmc_options *pOpts = faultOptions(&p->spy.env, LSMC_SYNC_FULL,
                                     LSMC_RECOVER_STRICT, 0);
  int rc = lsmc_rename(p->zDir, p->zDir2, pOpts);
  lsmc_options_free(pOpts);
  return rc;
}

/* A metadata put over an older value (set by xPrep, unfaulted). */
static void prepMeta(Ctx *p){
  prepOpen(p);
  ck_assert_int_eq(lsmc_meta_put(p->pDb, "app.v", "old", 3), LSMC_OK);
}
static int runMeta(Ctx *p){
  int rc = lsmc_meta_put(p->pDb, "app.v", "new", 3);
  void *pVal = 0;
  size_t nVal = 0;
  int rcGet;
  p->bMetaAcked = (rc==LSMC_OK);
  /* In memory: the new value after OK, the old one after an error (the
  ** get's own copy may meet the injected NOMEM). */
  rcGet = lsmc_meta_get(p->pDb, "app.v", &pVal, &nVal);
  if( rcGet!=LSMC_OK && rcGet!=LSMC_NOMEM ){
    p->bBad = 1;
    sprintf(p->zErr, "meta_get after put rc=%d: rc=%d", rc, rcGet);
  }else if( rcGet==LSMC_OK
   && (nVal!=3 || memcmp(pVal, rc==LSMC_OK ? "new" : "old", 3)!=0) ){
    p->bBad = 1;
    sprintf(p->zErr, "meta_get after put rc=%d: %.*s", rc, (int)nVal,
            (const char*)pVal);
  }
  lsmc_free(p->pDb, pVal);
  return rc;
}

/* Counts blocks / records and entries of an inspection. */
typedef struct InspectCount InspectCount;
struct InspectCount {
  int nBlock;                  /* SST blocks / WAL records */
  uint64_t nEntry;             /* Entries of data blocks / WAL entries */
  int nBad;                    /* Blocks reported damaged */
};
static int countBlock(void *pArg, const lsmc_sst_block *pBlk){
  InspectCount *pC = (InspectCount*)pArg;
  pC->nBlock++;
  pC->nEntry += pBlk->eType==LSMC_BLOCK_DATA ? pBlk->nEntries : 0;
  pC->nBad += !pBlk->bOk;
  return 0;
}
static int countRecord(void *pArg, const lsmc_wal_record *pRec){
  ((InspectCount*)pArg)->nBlock++;
  LSMC_UNUSED(pRec);
  return 0;
}
static int countEntry(void *pArg, const lsmc_wal_entry *pEnt){
  ((InspectCount*)pArg)->nEntry++;
  LSMC_UNUSED(pEnt);
  return 0;
}

/* Name of the first SSTable of zDir (by name), into zOut. */
static int firstSst(void *pArg, const char *zName){
  char *zOut = (char*)pArg;
  size_t n = strlen(zName);
  if( n>4 && strcmp(&zName[n-4], ".sst")==0
   && (zOut[0]==0 || strcmp(zName, zOut)<0) ){
    snprintf(zOut, 64, "%s", zName);
  }
  return 0;
}

/* lsmc_sst_inspect of the work store's first SSTable: the reference
** counts come from an unfaulted run. */
static int sstInspect(Ctx *p, lsmc_env *pEnv, InspectCount *pC,
                      lsmc_sst_info *pInfo){
  lsmc_options *pOpts = faultOptions(pEnv, LSMC_SYNC_FULL,
                                     LSMC_RECOVER_STRICT, 0);
  char *zErr = 0;
  int rc;
  memset(pC, 0, sizeof(*pC));
  rc = lsmc_sst_inspect(p->zFile, pOpts, countBlock, pC, pInfo, &zErr);
  if( rc!=LSMC_OK && zErr==0 ){        /* from the default env: no fault */
    p->bBad = 1;
    sprintf(p->zErr, "sst inspect rc=%d without a message", rc);
  }
  lsmc_free(0, zErr);
  lsmc_options_free(pOpts);
  return rc;
}
static void prepSstInspect(Ctx *p){
  char zName[64] = "";
  InspectCount c;
  lsmc_sst_info info;
  ck_assert_int_eq(lsmc_default_env()->xList(lsmc_default_env(), p->zDir,
                                             firstSst, zName), LSMC_OK);
  ck_assert(zName[0]!=0);
  snprintf(p->zFile, sizeof(p->zFile), "%s/%s", p->zDir, zName);
  ck_assert_int_eq(sstInspect(p, 0, &c, &info), LSMC_OK);
  ck_assert_uint_eq(c.nEntry, info.nEntries);
  p->nRefEntries = info.nEntries;
  p->nRefBlocks = c.nBlock;
  lsmc_sst_info_clear(&info);
}
static int runSstInspect(Ctx *p){
  InspectCount c;
  lsmc_sst_info info;
  int rc = sstInspect(p, &p->spy.env, &c, &info);
  if( rc==LSMC_OK && (c.nEntry!=p->nRefEntries || c.nBlock!=p->nRefBlocks
                      || info.nEntries!=p->nRefEntries || c.nBad) ){
    p->bBad = 1;
    sprintf(p->zErr, "sst inspect OK but %d blocks (%d bad), %llu entries",
            c.nBlock, c.nBad, (unsigned long long)c.nEntry);
  }
  lsmc_sst_info_clear(&info);
  return rc;
}

/* lsmc_wal_inspect of the template's WAL (5 one-entry records). */
static int walInspect(Ctx *p, lsmc_env *pEnv, InspectCount *pC,
                      uint64_t *pnTail){
  lsmc_options *pOpts = faultOptions(pEnv, LSMC_SYNC_FULL,
                                     LSMC_RECOVER_STRICT, 0);
  char *zErr = 0;
  int rc;
  memset(pC, 0, sizeof(*pC));
  rc = lsmc_wal_inspect(p->zFile, pOpts, countRecord, countEntry, pC, pnTail,
                        &zErr);
  if( rc!=LSMC_OK && zErr==0 ){        /* from the default env: no fault */
    p->bBad = 1;
    sprintf(p->zErr, "wal inspect rc=%d without a message", rc);
  }
  lsmc_free(0, zErr);
  lsmc_options_free(pOpts);
  return rc;
}
static void prepWalInspect(Ctx *p){
  InspectCount c;
  uint64_t nTail = 1;
  findWal(p->zDir, p->zFile, sizeof(p->zFile));
  ck_assert_int_eq(walInspect(p, 0, &c, &nTail), LSMC_OK);
  ck_assert_int_eq(c.nBlock, 5);
  ck_assert_uint_eq(c.nEntry, 5);
  ck_assert_uint_eq(nTail, 0);
  p->nRefEntries = c.nEntry;
}
static int runWalInspect(Ctx *p){
  InspectCount c;
  uint64_t nTail = 1;
  int rc = walInspect(p, &p->spy.env, &c, &nTail);
  if( rc==LSMC_OK && (c.nBlock!=5 || c.nEntry!=p->nRefEntries || nTail!=0) ){
    p->bBad = 1;
    sprintf(p->zErr, "wal inspect OK but %d records, %llu entries, tail %llu",
            c.nBlock, (unsigned long long)c.nEntry, (unsigned long long)nTail);
  }
  return rc;
}

static const FaultCase aCase[] = {
  { "create",       0,           LSMC_RECOVER_STRICT, CHECK_CREATE,
    0,            runOpen },
  { "open",         zTplFull,    LSMC_RECOVER_STRICT, CHECK_STORE,
    0,            runOpen },
  { "open-damaged", zTplDamaged, LSMC_RECOVER_POINT_IN_TIME, CHECK_STORE,
    0,            runOpen },
  { "write",        zTplFull,    LSMC_RECOVER_STRICT, CHECK_STORE,
    prepOpen,     runWrite },
  { "commit",       zTplFull,    LSMC_RECOVER_STRICT, CHECK_STORE,
    prepOpen,     runCommit },
  { "abort",        zTplFull,    LSMC_RECOVER_STRICT, CHECK_STORE,
    prepOpen,     runAbort },
  { "write-flush",  zTplFull,    LSMC_RECOVER_STRICT, CHECK_STORE,
    prepFill,     runWrite },
  { "flush",        zTplFull,    LSMC_RECOVER_STRICT, CHECK_STORE,
    prepFlush,    runFlush },
  { "compact",      zTplFull,    LSMC_RECOVER_STRICT, CHECK_STORE,
    prepOpen,     runCompact },
  { "check",        zTplFull,    LSMC_RECOVER_STRICT, CHECK_STORE,
    prepOpen,     runCheck },
  { "iter",         zTplFull,    LSMC_RECOVER_STRICT, CHECK_STORE,
    prepOpen,     runIter },
  { "snapshot",     zTplFull,    LSMC_RECOVER_STRICT, CHECK_STORE,
    prepSnapshot, runSnapRead },
  { "destroy",      zTplFull,    LSMC_RECOVER_STRICT, CHECK_DESTROY,
    0,            runDestroy },
  { "destroy-foreign", zTplFull, LSMC_RECOVER_STRICT, CHECK_DESTROY,
    prepForeign,  runDestroy },
  { "rename",       zTplFull,    LSMC_RECOVER_STRICT, CHECK_RENAME,
    0,            runRename },
  { "meta-put",     zTplFull,    LSMC_RECOVER_STRICT, CHECK_META,
    prepMeta,     runMeta },
  { "sst-inspect",  zTplFull,    LSMC_RECOVER_STRICT, CHECK_STORE,
    prepSstInspect, runSstInspect },
  { "wal-inspect",  zTplFull,    LSMC_RECOVER_STRICT, CHECK_STORE,
    prepWalInspect, runWalInspect },
};
#define N_CASE ((int)(sizeof(aCase)/sizeof(aCase[0])))

/* ------------------------------------------------------------- tests */

/* C1: the I/O error sweep of case _i in every I/O variant. */
START_TEST(test_io_sweep){
  sweepCase(&aCase[_i], V_TRANSIENT);
  sweepCase(&aCase[_i], V_PERSISTENT);
  sweepCase(&aCase[_i], V_ENOSPC);
  if( bSoak ) sweepCase(&aCase[_i], V_TORN);
}
END_TEST

/* C2: the allocation failure sweep of case _i. */
START_TEST(test_oom_sweep){
  sweepCase(&aCase[_i], V_OOM);
  sweepCase(&aCase[_i], V_OOM_PERSIST);
}
END_TEST

/* qsort comparator of sites: by file, then line. */
static int siteCmp(const void *a, const void *b){
  const LsmcEnvSite *x = *(LsmcEnvSite*const*)a;
  const LsmcEnvSite *y = *(LsmcEnvSite*const*)b;
  int c = strcmp(x->zFile, y->zFile);
  return c ? c : x->iLine - y->iLine;
}

/*
** Every env call site compiled into the engine was called by an
** operation under an armed fault during the sweeps above.  Lists the
** sites never reached, then "env call sites: N compiled in, N hit".
*/
START_TEST(test_sites){
  int nSite, i, nHit = 0, nMiss = 0;
  LsmcEnvSite **a = lsmcEnvSites(&nSite);
  LsmcEnvSite *apMiss[FK_MAXSITE];
  for(i=0; i<nSite; i++){
    if( aSwept[i]>0 ) nHit++; else apMiss[nMiss++] = a[i];
  }
  qsort(apMiss, (size_t)nMiss, sizeof(apMiss[0]), siteCmp);
  for(i=0; i<nMiss; i++){
    printf("  env call site not hit: %s:%d %s\n", apMiss[i]->zFile,
           apMiss[i]->iLine, apMiss[i]->zCall);
  }
  printf("env call sites: %d compiled in, %d hit (%d runs verified)\n",
         nSite, nHit, nCasePass);
  if( nLockRemnant>0 ){
    printf("finding: %d failed destroys left a store directory holding "
           "nothing or only LOCK, which no later lsmc_destroy removes\n",
           nLockRemnant);
  }
  fflush(stdout);
  ck_assert_int_gt(nSite, 0);
  ck_assert_msg(nHit==nSite, "%d env call sites never hit", nSite-nHit);
}
END_TEST

/* Remove the templates and work directories. */
static void removeTemplates(void){
  testDirFree(&tplDir);
}

static Suite *faultsSuite(void){
  Suite *s = suite_create("faults");
  TCase *tc = tcase_create("sweeps");
  tcase_add_unchecked_fixture(tc, buildTemplates, removeTemplates);
  tcase_set_timeout(tc, 3600);
  tcase_add_loop_test(tc, test_io_sweep, 0, N_CASE);
  tcase_add_loop_test(tc, test_oom_sweep, 0, N_CASE);
  tcase_add_test(tc, test_sites);
  suite_add_tcase(s, tc);
  return s;
}

/*
** LSMV_FAULTS_ONE="case variant N" reruns one run of a sweep (a
** reproducer), with every failed env call logged.
*/
START_TEST(test_one){
  const char *zOne = getenv("LSMV_FAULTS_ONE");
  char zCase[64], zVar[64];
  int iN = 0, i, v, nRun = 0;
  FaultEnv *pFault = 0;
  ck_assert_int_eq(sscanf(zOne, "%63s %63s %d", zCase, zVar, &iN), 3);
  ck_assert_int_eq(faultenvNew(lsmc_default_env(), &pFault), LSMC_OK);
  bTrace = 1;
  for(i=0; i<N_CASE; i++){
    for(v=0; v<=V_OOM_PERSIST; v++){
      if( strcmp(aCase[i].zName, zCase)==0 && strcmp(azVariant[v], zVar)==0 ){
        printf("injected: %d\n", runOnce(&aCase[i], pFault, v, iN));
        nRun++;
      }
    }
  }
  faultenvFree(pFault);
  ck_assert_int_eq(nRun, 1);
}
END_TEST

static Suite *oneSuite(void){
  Suite *s = suite_create("faults-one");
  TCase *tc = tcase_create("one");
  tcase_add_unchecked_fixture(tc, buildTemplates, removeTemplates);
  tcase_add_test(tc, test_one);
  suite_add_tcase(s, tc);
  return s;
}

int main(void){
  const char *zProfile = getenv("LSMV_TEST_PROFILE");
  const char *zOne = getenv("LSMV_FAULTS_ONE");   /* "case variant N" */
  bTrace = getenv("LSMV_FAULTS_TRACE")!=0;
  SRunner *sr;
  int nFail;
  bSoak = zProfile && strcmp(zProfile, "soak")==0;
  nKey = bSoak ? 1000 : 200;
  sr = srunner_create(zOne ? oneSuite() : faultsSuite());
  /* One process: the site counters must add up over every sweep. */
  srunner_set_fork_status(sr, CK_NOFORK);
  srunner_run_all(sr, CK_NORMAL);
  nFail = srunner_ntests_failed(sr);
  srunner_free(sr);
  return nFail==0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
