/*
** check_env.c -- Check tests of the POSIX env (env_posix.c), the env
** helpers (env.c) and the fault-injecting test env (faultenv.c).
**
** Every test works in its own temporary directory under /tmp (mkdtemp),
** removed by the teardown.  File contents are always compared byte for
** byte with what the test expects, read back through the POSIX env.
*/
#include "coding.h"
#include "env.h"
#include "faultenv.h"

#include <check.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

/* The per-test directory (fixture state; Check forks each test). */
static char zTestDir[64];

/* Remove one entry during the teardown walk. */
static int rmEntry(const char *zPath, const struct stat *pSt, int eFlag,
                   struct FTW *pFtw){
  (void)pSt; (void)eFlag; (void)pFtw;
  return remove(zPath);
}

static void setupDir(void){
  strcpy(zTestDir, "/tmp/check_env_XXXXXX");
  ck_assert_ptr_nonnull(mkdtemp(zTestDir));
}

static void teardownDir(void){
  nftw(zTestDir, rmEntry, 16, FTW_DEPTH|FTW_PHYS);
}

/* zTestDir/zName in a static rotating buffer: valid for the next three
** calls only, so a test keeps longer-lived paths in its own arrays. */
static const char *tpath(const char *zName){
  static char azBuf[4][256];
  static int i = 0;
  char *z = azBuf[i++ % 4];
  snprintf(z, 256, "%s/%s", zTestDir, zName);
  return z;
}

/*
** Create zPath through pEnv with z's bytes; sync it if bSync.
*/
static void writeFile(lsmc_env *pEnv, const char *zPath, const char *z,
                      int bSync){
  lsmc_file *pFile = 0;
  ck_assert_int_eq(pEnv->xOpen(pEnv, zPath, LSMC_OPEN_CREATE, &pFile),
                   LSMC_OK);
  ck_assert_int_eq(pEnv->xAppend(pFile, z, strlen(z)), LSMC_OK);
  if( bSync ) ck_assert_int_eq(pEnv->xSync(pFile), LSMC_OK);
  ck_assert_int_eq(pEnv->xClose(pFile), LSMC_OK);
}

/*
** Assert that zPath holds exactly a[0..n) (read with the POSIX env).
*/
static void checkFile(const char *zPath, const void *a, size_t n){
  lsmc_env *pEnv = lsmcPosixEnv();
  LsmcBuf buf;
  lsmcBufInit(&buf, pEnv);
  ck_assert_int_eq(lsmcEnvReadFile(pEnv, zPath, 1<<20, &buf), LSMC_OK);
  ck_assert_uint_eq(buf.n, n);
  ck_assert(n==0 || memcmp(buf.a, a, n)==0);
  lsmcBufFree(&buf);
}

static int fileExists(const char *zPath){
  int b = -1;
  lsmc_env *pEnv = lsmcPosixEnv();
  ck_assert_int_eq(pEnv->xExists(pEnv, zPath, &b), LSMC_OK);
  return b;
}

/* ==================================================================== */
/* POSIX env                                                            */

START_TEST(test_posix_roundtrip){
  lsmc_env *pEnv = lsmc_default_env();
  lsmc_file *pFile = 0;
  char aBuf[32];
  size_t nRead = 99;
  u64 nSize = 0;
  char zPath[256];
  snprintf(zPath, sizeof(zPath), "%s/%s", zTestDir, "f1");

  ck_assert_ptr_eq(pEnv, lsmcPosixEnv());
  ck_assert_int_eq(pEnv->xOpen(pEnv, zPath, LSMC_OPEN_CREATE, &pFile), 0);
  ck_assert_int_eq(pEnv->xAppend(pFile, "hello", 5), LSMC_OK);
  ck_assert_int_eq(pEnv->xAppend(pFile, "world", 5), LSMC_OK);
  ck_assert_int_eq(pEnv->xSync(pFile), LSMC_OK);
  ck_assert_int_eq(pEnv->xSize(pFile, &nSize), LSMC_OK);
  ck_assert_uint_eq(nSize, 10);
  /* Read back through the writing handle. */
  ck_assert_int_eq(pEnv->xRead(pFile, 3, aBuf, 5, &nRead), LSMC_OK);
  ck_assert_uint_eq(nRead, 5);
  ck_assert(memcmp(aBuf, "lowor", 5)==0);
  ck_assert_int_eq(pEnv->xClose(pFile), LSMC_OK);

  ck_assert_int_eq(pEnv->xOpen(pEnv, zPath, LSMC_OPEN_READONLY, &pFile), 0);
  ck_assert_int_eq(pEnv->xRead(pFile, 0, aBuf, 10, &nRead), LSMC_OK);
  ck_assert_uint_eq(nRead, 10);
  ck_assert(memcmp(aBuf, "helloworld", 10)==0);
  /* Short read at the end, empty reads at and past EOF. */
  ck_assert_int_eq(pEnv->xRead(pFile, 8, aBuf, 10, &nRead), LSMC_OK);
  ck_assert_uint_eq(nRead, 2);
  ck_assert(memcmp(aBuf, "ld", 2)==0);
  ck_assert_int_eq(pEnv->xRead(pFile, 10, aBuf, 10, &nRead), LSMC_OK);
  ck_assert_uint_eq(nRead, 0);
  ck_assert_int_eq(pEnv->xRead(pFile, 1000, aBuf, 10, &nRead), LSMC_OK);
  ck_assert_uint_eq(nRead, 0);
  /* Appending to a read-only handle is an I/O error. */
  ck_assert_int_eq(pEnv->xAppend(pFile, "x", 1), LSMC_IOERR);
  ck_assert_int_eq(pEnv->xClose(pFile), LSMC_OK);
}
END_TEST

START_TEST(test_posix_create_truncates){
  lsmc_env *pEnv = lsmc_default_env();
  lsmc_file *pFile = 0;
  char zPath[256];
  snprintf(zPath, sizeof(zPath), "%s/%s", zTestDir, "f");
  writeFile(pEnv, zPath, "0123456789", 1);
  writeFile(pEnv, zPath, "ab", 1);
  checkFile(zPath, "ab", 2);

  ck_assert_int_eq(pEnv->xOpen(pEnv, zPath, LSMC_OPEN_CREATE, &pFile), 0);
  ck_assert_int_eq(pEnv->xAppend(pFile, "abcdefgh", 8), LSMC_OK);
  ck_assert_int_eq(pEnv->xTruncate(pFile, 3), LSMC_OK);
  ck_assert_int_eq(pEnv->xAppend(pFile, "XY", 2), LSMC_OK);
  ck_assert_int_eq(pEnv->xClose(pFile), LSMC_OK);
  checkFile(zPath, "abcXY", 5);
}
END_TEST

START_TEST(test_posix_noent){
  lsmc_env *pEnv = lsmc_default_env();
  lsmc_file *pFile = (lsmc_file*)&pFile;
  u64 iDev, iIno;
  int bExists = -1;
  LsmcBuf buf;
  char zMissing[256];
  snprintf(zMissing, sizeof(zMissing), "%s/%s", zTestDir, "missing");

  ck_assert_int_eq(pEnv->xOpen(pEnv, zMissing, LSMC_OPEN_READONLY, &pFile),
                   LSMC_IOERR_NOENT);
  ck_assert_ptr_null(pFile);
  ck_assert_int_eq(pEnv->xRemove(pEnv, zMissing), LSMC_IOERR_NOENT);
  ck_assert_int_eq(pEnv->xRename(pEnv, zMissing, tpath("x")),
                   LSMC_IOERR_NOENT);
  ck_assert_int_eq(pEnv->xFileId(pEnv, zMissing, &iDev, &iIno),
                   LSMC_IOERR_NOENT);
  ck_assert_int_eq(pEnv->xSyncDir(pEnv, zMissing), LSMC_IOERR_NOENT);
  ck_assert_int_eq(pEnv->xRmdir(pEnv, zMissing), LSMC_IOERR_NOENT);
  ck_assert_int_eq(pEnv->xExists(pEnv, zMissing, &bExists), LSMC_OK);
  ck_assert_int_eq(bExists, 0);
  lsmcBufInit(&buf, pEnv);
  ck_assert_int_eq(lsmcEnvReadFile(pEnv, zMissing, 100, &buf),
                   LSMC_IOERR_NOENT);
  lsmcBufFree(&buf);
  ck_assert_str_eq(lsmc_errstr(LSMC_IOERR_NOENT), "no such file");
}
END_TEST

START_TEST(test_posix_rename_remove){
  lsmc_env *pEnv = lsmc_default_env();
  writeFile(pEnv, tpath("a"), "AAA", 1);
  writeFile(pEnv, tpath("b"), "BBBBB", 1);
  ck_assert_int_eq(pEnv->xRename(pEnv, tpath("a"), tpath("c")), LSMC_OK);
  ck_assert_int_eq(fileExists(tpath("a")), 0);
  checkFile(tpath("c"), "AAA", 3);
  /* Rename over an existing file replaces it. */
  ck_assert_int_eq(pEnv->xRename(pEnv, tpath("c"), tpath("b")), LSMC_OK);
  checkFile(tpath("b"), "AAA", 3);
  ck_assert_int_eq(fileExists(tpath("c")), 0);
  ck_assert_int_eq(pEnv->xSyncDir(pEnv, zTestDir), LSMC_OK);
  ck_assert_int_eq(pEnv->xRemove(pEnv, tpath("b")), LSMC_OK);
  ck_assert_int_eq(fileExists(tpath("b")), 0);
  ck_assert_int_eq(pEnv->xRemove(pEnv, tpath("b")), LSMC_IOERR_NOENT);
}
END_TEST

/* xList callback state: collected names, and an optional early stop. */
typedef struct ListCtx ListCtx;
struct ListCtx {
  char az[8][16];   /* Names seen */
  int n;            /* Names seen so far */
  int rcStop;       /* Returned by the callback (0: continue) */
};

static int listEntry(void *pArg, const char *zName){
  ListCtx *p = (ListCtx*)pArg;
  if( p->n<8 ) snprintf(p->az[p->n], 16, "%s", zName);
  p->n++;
  return p->rcStop;
}

static int cmpName(const void *a, const void *b){
  return strcmp((const char*)a, (const char*)b);
}

START_TEST(test_posix_list){
  lsmc_env *pEnv = lsmc_default_env();
  ListCtx ctx;
  memset(&ctx, 0, sizeof(ctx));
  writeFile(pEnv, tpath("c"), "1", 0);
  writeFile(pEnv, tpath("a"), "1", 0);
  writeFile(pEnv, tpath("b"), "1", 0);
  ck_assert_int_eq(pEnv->xMkdir(pEnv, tpath("sub")), LSMC_OK);
  ck_assert_int_eq(pEnv->xList(pEnv, zTestDir, listEntry, &ctx), LSMC_OK);
  ck_assert_int_eq(ctx.n, 4);
  qsort(ctx.az, 4, 16, cmpName);
  ck_assert_str_eq(ctx.az[0], "a");
  ck_assert_str_eq(ctx.az[1], "b");
  ck_assert_str_eq(ctx.az[2], "c");
  ck_assert_str_eq(ctx.az[3], "sub");

  memset(&ctx, 0, sizeof(ctx));
  ctx.rcStop = 77;
  ck_assert_int_eq(pEnv->xList(pEnv, zTestDir, listEntry, &ctx), 77);
  ck_assert_int_eq(ctx.n, 1);
  ck_assert_int_eq(pEnv->xList(pEnv, tpath("nodir"), listEntry, &ctx),
                   LSMC_IOERR_NOENT);
}
END_TEST

START_TEST(test_posix_mkdir){
  lsmc_env *pEnv = lsmc_default_env();
  u64 iDev1, iIno1, iDev2, iIno2;
  ck_assert_int_eq(pEnv->xMkdir(pEnv, tpath("d")), LSMC_OK);
  ck_assert_int_eq(fileExists(tpath("d")), 1);
  ck_assert_int_eq(pEnv->xMkdir(pEnv, tpath("d")), LSMC_OK);   /* exists */
  writeFile(pEnv, tpath("file"), "x", 0);
  ck_assert_int_eq(pEnv->xMkdir(pEnv, tpath("file")), LSMC_IOERR);
  ck_assert_int_eq(pEnv->xSyncDir(pEnv, tpath("d")), LSMC_OK);

  /* xFileId: stable for one directory, different for another. */
  ck_assert_int_eq(pEnv->xFileId(pEnv, tpath("d"), &iDev1, &iIno1), 0);
  ck_assert_int_eq(pEnv->xFileId(pEnv, tpath("d/"), &iDev2, &iIno2), 0);
  ck_assert_uint_eq(iDev1, iDev2);
  ck_assert_uint_eq(iIno1, iIno2);
  ck_assert_int_eq(pEnv->xFileId(pEnv, zTestDir, &iDev2, &iIno2), 0);
  ck_assert_uint_ne(iIno1, iIno2);

  /* xRmdir: only an empty directory. */
  writeFile(pEnv, tpath("d/f"), "x", 0);
  ck_assert_int_eq(LSMC_PRIMARY(pEnv->xRmdir(pEnv, tpath("d"))), LSMC_IOERR);
  ck_assert_int_eq(pEnv->xRemove(pEnv, tpath("d/f")), LSMC_OK);
  ck_assert_int_eq(pEnv->xRmdir(pEnv, tpath("d")), LSMC_OK);
  ck_assert_int_eq(fileExists(tpath("d")), 0);
}
END_TEST

/*
** Fork a child that tries xLock on zPath and exits with the rc.
*/
static int lockInChild(const char *zPath){
  int status = 0;
  pid_t pid = fork();
  ck_assert_int_ge(pid, 0);
  if( pid==0 ){
    lsmc_env *pEnv = lsmc_default_env();
    lsmc_file *pLock = 0;
    int rc = pEnv->xLock(pEnv, zPath, &pLock);
    if( rc==LSMC_OK ) pEnv->xUnlock(pEnv, pLock);
    _exit(rc);
  }
  ck_assert_int_eq(waitpid(pid, &status, 0), pid);
  ck_assert(WIFEXITED(status));
  return WEXITSTATUS(status);
}

START_TEST(test_posix_lock){
  lsmc_env *pEnv = lsmc_default_env();
  lsmc_file *pLock = 0;
  lsmc_file *pLock2 = (lsmc_file*)&pLock2;
  char zLock[256];
  snprintf(zLock, sizeof(zLock), "%s/%s", zTestDir, "LOCK");

  ck_assert_int_eq(pEnv->xLock(pEnv, zLock, &pLock), LSMC_OK);
  ck_assert_ptr_nonnull(pLock);
  ck_assert_int_eq(fileExists(zLock), 1);
  /* Same process, second open file description: BUSY. */
  ck_assert_int_eq(pEnv->xLock(pEnv, zLock, &pLock2), LSMC_BUSY);
  ck_assert_ptr_null(pLock2);
  /* Another process: BUSY. */
  ck_assert_int_eq(lockInChild(zLock), LSMC_BUSY);
  ck_assert_int_eq(pEnv->xUnlock(pEnv, pLock), LSMC_OK);
  /* Released: the child and then this process get it again. */
  ck_assert_int_eq(lockInChild(zLock), LSMC_OK);
  ck_assert_int_eq(pEnv->xLock(pEnv, zLock, &pLock), LSMC_OK);
  ck_assert_int_eq(lockInChild(zLock), LSMC_BUSY);
  ck_assert_int_eq(pEnv->xUnlock(pEnv, pLock), LSMC_OK);
}
END_TEST

START_TEST(test_posix_time){
  lsmc_env *pEnv = lsmc_default_env();
  u64 t0 = pEnv->xNowMicros(pEnv);
  u64 t1;
  void *p;
  ck_assert_uint_gt(t0, (u64)1600000000*1000000);   /* after 2020 */
  pEnv->xSleep(pEnv, 20000);
  t1 = pEnv->xNowMicros(pEnv);
  ck_assert_uint_ge(t1 - t0, 20000);
  p = pEnv->xMalloc(pEnv, 10);
  ck_assert_ptr_nonnull(p);
  p = pEnv->xRealloc(pEnv, p, 100000);
  ck_assert_ptr_nonnull(p);
  pEnv->xFree(pEnv, p);
  pEnv->xFree(pEnv, 0);
}
END_TEST

/* ==================================================================== */
/* env.c helpers                                                        */

START_TEST(test_env_helpers){
  lsmc_env *pEnv = lsmcPosixEnv();
  lsmc_file *pFile = 0;
  LsmcBuf buf;
  char aBuf[8];
  char aBig[10000];
  char zPath[256];
  snprintf(zPath, sizeof(zPath), "%s/%s", zTestDir, "CURRENT");
  char zTmp[256];
  snprintf(zTmp, sizeof(zTmp), "%s/%s", zTestDir, "CURRENT.tmp");

  ck_assert_int_eq(lsmcEnvWriteFileAtomic(pEnv, zTestDir, zPath, zTmp,
                                          "MANIFEST-1\n", 11), LSMC_OK);
  ck_assert_int_eq(fileExists(zTmp), 0);
  checkFile(zPath, "MANIFEST-1\n", 11);
  ck_assert_int_eq(lsmcEnvWriteFileAtomic(pEnv, zTestDir, zPath, zTmp,
                                          "MANIFEST-22\n", 12), LSMC_OK);
  checkFile(zPath, "MANIFEST-22\n", 12);

  lsmcBufInit(&buf, pEnv);
  ck_assert_int_eq(lsmcEnvReadFile(pEnv, zPath, 12, &buf), LSMC_OK);
  ck_assert_uint_eq(buf.n, 12);
  ck_assert_int_eq(lsmcEnvReadFile(pEnv, zPath, 11, &buf), LSMC_CORRUPT);
  ck_assert_uint_eq(buf.n, 0);
  /* A file larger than the first reservation is read whole. */
  memset(aBig, 'q', sizeof(aBig));
  aBig[sizeof(aBig)-1] = 0;
  writeFile(pEnv, tpath("big"), aBig, 0);
  ck_assert_int_eq(lsmcEnvReadFile(pEnv, tpath("big"), 1<<20, &buf), 0);
  ck_assert_uint_eq(buf.n, sizeof(aBig)-1);
  ck_assert(memcmp(buf.a, aBig, buf.n)==0);
  writeFile(pEnv, tpath("empty"), "", 0);
  ck_assert_int_eq(lsmcEnvReadFile(pEnv, tpath("empty"), 10, &buf), 0);
  ck_assert_uint_eq(buf.n, 0);
  lsmcBufFree(&buf);

  ck_assert_int_eq(pEnv->xOpen(pEnv, zPath, LSMC_OPEN_READONLY, &pFile), 0);
  ck_assert_int_eq(lsmcEnvReadExact(pEnv, pFile, 9, aBuf, 3), LSMC_OK);
  ck_assert(memcmp(aBuf, "22\n", 3)==0);
  ck_assert_int_eq(lsmcEnvReadExact(pEnv, pFile, 9, aBuf, 4),
                   LSMC_IOERR_SHORT);
  ck_assert_int_eq(pEnv->xClose(pFile), LSMC_OK);

  /* A failed atomic write (directory missing) leaves no file behind. */
  ck_assert_int_eq(lsmcEnvWriteFileAtomic(pEnv, tpath("nodir"),
                   tpath("nodir/CURRENT"), tpath("nodir/CURRENT.tmp"),
                   "x", 1), LSMC_IOERR_NOENT);
}
END_TEST

/* ==================================================================== */
/* faultenv                                                             */

/* A FaultEnv over the POSIX env (the caller frees it). */
static FaultEnv *newFault(void){
  FaultEnv *p = 0;
  ck_assert_int_eq(faultenvNew(lsmc_default_env(), &p), LSMC_OK);
  ck_assert_ptr_nonnull(p);
  return p;
}

START_TEST(test_fault_counts){
  FaultEnv *pF = newFault();
  lsmc_env *pEnv = faultenvEnv(pF);
  lsmc_file *pFile = 0;
  char aBuf[4];
  size_t nRead = 0;
  int bExists = 0;

  ck_assert_ptr_eq(pEnv->pCtx, pF);
  writeFile(pEnv, tpath("a"), "abc", 1);         /* create append sync close */
  ck_assert_int_eq(pEnv->xOpen(pEnv, tpath("a"), LSMC_OPEN_READONLY, &pFile), 0);
  ck_assert_int_eq(pEnv->xRead(pFile, 0, aBuf, 4, &nRead), LSMC_OK);
  ck_assert_uint_eq(nRead, 3);
  ck_assert_int_eq(pEnv->xRead(pFile, 1, aBuf, 1, &nRead), LSMC_OK);
  ck_assert_int_eq(pEnv->xClose(pFile), LSMC_OK);
  ck_assert_int_eq(pEnv->xExists(pEnv, tpath("a"), &bExists), LSMC_OK);
  ck_assert_int_eq(bExists, 1);
  lsmcFree(pEnv, lsmcMalloc(pEnv, 10));

  ck_assert_uint_eq(faultenvCount(pF, FAULT_OP_CREATE), 1);
  ck_assert_uint_eq(faultenvCount(pF, FAULT_OP_OPEN), 1);
  ck_assert_uint_eq(faultenvCount(pF, FAULT_OP_APPEND), 1);
  ck_assert_uint_eq(faultenvCount(pF, FAULT_OP_SYNC), 1);
  ck_assert_uint_eq(faultenvCount(pF, FAULT_OP_READ), 2);
  ck_assert_uint_eq(faultenvCount(pF, FAULT_OP_CLOSE), 2);
  ck_assert_uint_eq(faultenvCount(pF, FAULT_OP_EXISTS), 1);
  ck_assert_uint_eq(faultenvCount(pF, FAULT_OP_MALLOC), 1);
  ck_assert_uint_eq(faultenvCount(pF, FAULT_OP_FREE), 1);
  ck_assert_uint_eq(faultenvCount(pF, FAULT_OP_RENAME), 0);
  ck_assert_uint_eq(faultenvCount(pF, FAULT_N_OP), 0);
  ck_assert_uint_eq(faultenvTotal(pF), 11);
  ck_assert_uint_eq(faultenvHitMask(pF),
      FAULT_MASK(FAULT_OP_CREATE)|FAULT_MASK(FAULT_OP_OPEN)
      |FAULT_MASK(FAULT_OP_APPEND)|FAULT_MASK(FAULT_OP_SYNC)
      |FAULT_MASK(FAULT_OP_READ)|FAULT_MASK(FAULT_OP_CLOSE)
      |FAULT_MASK(FAULT_OP_EXISTS)|FAULT_MASK(FAULT_OP_MALLOC)
      |FAULT_MASK(FAULT_OP_FREE));
  ck_assert_uint_eq(faultenvSyncCount(pF), 1);
  ck_assert_uint_eq(faultenvInjected(pF), 0);
  ck_assert_str_eq(faultenvOpName(FAULT_OP_APPEND), "xAppend");
  ck_assert_str_eq(faultenvOpName(FAULT_OP_SLEEP), "xSleep");
  ck_assert_str_eq(faultenvOpName(FAULT_N_OP), "?");

  faultenvResetCounts(pF);
  ck_assert_uint_eq(faultenvTotal(pF), 0);
  ck_assert_uint_eq(faultenvHitMask(pF), 0);
  faultenvFree(pF);
}
END_TEST

START_TEST(test_fault_nth_transient){
  FaultEnv *pF = newFault();
  lsmc_env *pEnv = faultenvEnv(pF);
  lsmc_file *pFile = 0;

  ck_assert_int_eq(pEnv->xOpen(pEnv, tpath("f"), LSMC_OPEN_CREATE, &pFile), 0);
  faultenvFailNth(pF, FAULT_MASK(FAULT_OP_APPEND), 3, LSMC_IOERR, 0);
  ck_assert_int_eq(pEnv->xAppend(pFile, "1", 1), LSMC_OK);
  ck_assert_int_eq(pEnv->xSync(pFile), LSMC_OK);      /* not in the mask */
  ck_assert_int_eq(pEnv->xAppend(pFile, "2", 1), LSMC_OK);
  ck_assert_int_eq(pEnv->xAppend(pFile, "3", 1), LSMC_IOERR);
  ck_assert_int_eq(pEnv->xAppend(pFile, "4", 1), LSMC_OK);
  ck_assert_int_eq(pEnv->xAppend(pFile, "5", 1), LSMC_OK);
  ck_assert_int_eq(pEnv->xClose(pFile), LSMC_OK);
  checkFile(tpath("f"), "1245", 4);
  ck_assert_uint_eq(faultenvCount(pF, FAULT_OP_APPEND), 5);
  ck_assert_uint_eq(faultenvInjected(pF), 1);

  /* A failed create touches nothing. */
  faultenvFailNth(pF, FAULT_MASK(FAULT_OP_CREATE), 1, LSMC_FULL, 0);
  ck_assert_int_eq(pEnv->xOpen(pEnv, tpath("g"), LSMC_OPEN_CREATE, &pFile),
                   LSMC_FULL);
  ck_assert_ptr_null(pFile);
  ck_assert_int_eq(fileExists(tpath("g")), 0);
  ck_assert_uint_eq(faultenvInjected(pF), 2);
  faultenvFree(pF);
}
END_TEST

START_TEST(test_fault_nth_persistent){
  FaultEnv *pF = newFault();
  lsmc_env *pEnv = faultenvEnv(pF);
  lsmc_file *pFile = 0;
  int bExists = 0;

  ck_assert_int_eq(pEnv->xOpen(pEnv, tpath("f"), LSMC_OPEN_CREATE, &pFile), 0);
  faultenvFailNth(pF, FAULT_MASK_ALL, 2, LSMC_FULL, 1);
  ck_assert_int_eq(pEnv->xAppend(pFile, "ab", 2), LSMC_OK);
  ck_assert_int_eq(pEnv->xSync(pFile), LSMC_FULL);
  ck_assert_int_eq(pEnv->xAppend(pFile, "cd", 2), LSMC_FULL);
  ck_assert_int_eq(pEnv->xExists(pEnv, tpath("f"), &bExists), LSMC_FULL);
  /* Memory is not in FAULT_MASK_ALL. */
  lsmcFree(pEnv, lsmcMalloc(pEnv, 8));
  /* A failed close still closes (no leak under ASan). */
  ck_assert_int_eq(pEnv->xClose(pFile), LSMC_FULL);
  ck_assert_uint_eq(faultenvInjected(pF), 4);
  ck_assert_uint_eq(faultenvSyncCount(pF), 0);
  faultenvClearFaults(pF);
  ck_assert_int_eq(pEnv->xExists(pEnv, tpath("f"), &bExists), LSMC_OK);
  ck_assert_int_eq(bExists, 1);
  checkFile(tpath("f"), "ab", 2);
  ck_assert_uint_eq(faultenvInjected(pF), 4);
  faultenvFree(pF);
}
END_TEST

START_TEST(test_fault_torn_append){
  FaultEnv *pF = newFault();
  lsmc_env *pEnv = faultenvEnv(pF);
  lsmc_file *pFile = 0;

  ck_assert_int_eq(pEnv->xOpen(pEnv, tpath("f"), LSMC_OPEN_CREATE, &pFile), 0);
  faultenvSetTornAppend(pF, 3);
  faultenvFailNth(pF, FAULT_MASK(FAULT_OP_APPEND), 2, LSMC_IOERR, 0);
  ck_assert_int_eq(pEnv->xAppend(pFile, "0123", 4), LSMC_OK);
  ck_assert_int_eq(pEnv->xAppend(pFile, "abcdef", 6), LSMC_IOERR);
  faultenvFailNth(pF, FAULT_MASK(FAULT_OP_APPEND), 1, LSMC_IOERR, 0);
  faultenvSetTornAppend(pF, 100);        /* whole write, still an error */
  ck_assert_int_eq(pEnv->xAppend(pFile, "XY", 2), LSMC_IOERR);
  ck_assert_int_eq(pEnv->xClose(pFile), LSMC_OK);
  checkFile(tpath("f"), "0123abcXY", 9);
  faultenvFree(pF);
}
END_TEST

START_TEST(test_fault_malloc){
  FaultEnv *pF = newFault();
  lsmc_env *pEnv = faultenvEnv(pF);
  void *a[4];
  int i;

  faultenvMallocFail(pF, 2, 0);
  a[0] = lsmcMalloc(pEnv, 16);
  a[1] = lsmcMalloc(pEnv, 16);
  a[2] = lsmcMalloc(pEnv, 16);
  ck_assert_ptr_nonnull(a[0]);
  ck_assert_ptr_null(a[1]);
  ck_assert_ptr_nonnull(a[2]);
  ck_assert_uint_eq(faultenvInjected(pF), 1);

  /* Persistent, counting reallocs too; a failed realloc keeps the block. */
  faultenvMallocFail(pF, 2, 1);
  a[3] = lsmcRealloc(pEnv, a[0], 64);
  ck_assert_ptr_nonnull(a[3]);
  a[0] = a[3];
  ck_assert_ptr_null(lsmcRealloc(pEnv, a[0], 128));
  for(i=0; i<3; i++) ck_assert_ptr_null(lsmcMalloc(pEnv, 1));
  ck_assert_uint_eq(faultenvInjected(pF), 5);
  ck_assert_uint_eq(faultenvCount(pF, FAULT_OP_MALLOC), 6);
  ck_assert_uint_eq(faultenvCount(pF, FAULT_OP_REALLOC), 2);
  faultenvClearFaults(pF);
  a[1] = lsmcMalloc(pEnv, 1);
  ck_assert_ptr_nonnull(a[1]);
  for(i=0; i<3; i++) lsmcFree(pEnv, a[i]);
  faultenvFree(pF);
}
END_TEST

/*
** Write file zName through the fault env: zSynced, xSync, then zUnsynced;
** the directory is synced after the create so the file itself survives.
*/
static void writeTwoPart(lsmc_env *pEnv, const char *zName,
                         const char *zSynced, const char *zUnsynced){
  lsmc_file *pFile = 0;
  ck_assert_int_eq(pEnv->xOpen(pEnv, tpath(zName), LSMC_OPEN_CREATE, &pFile),
                   LSMC_OK);
  ck_assert_int_eq(pEnv->xSyncDir(pEnv, zTestDir), LSMC_OK);
  ck_assert_int_eq(pEnv->xAppend(pFile, zSynced, strlen(zSynced)), LSMC_OK);
  ck_assert_int_eq(pEnv->xSync(pFile), LSMC_OK);
  ck_assert_int_eq(pEnv->xAppend(pFile, zUnsynced, strlen(zUnsynced)), 0);
  ck_assert_int_eq(pEnv->xClose(pFile), LSMC_OK);
}

START_TEST(test_fault_crash_drop){
  FaultEnv *pF = newFault();
  lsmc_env *pEnv = faultenvEnv(pF);
  writeTwoPart(pEnv, "a", "AAAA", "BBBB");
  writeTwoPart(pEnv, "b", "", "CCCC");
  writeFile(lsmc_default_env(), tpath("untracked"), "UUUU", 0);
  checkFile(tpath("a"), "AAAABBBB", 8);
  ck_assert_int_eq(faultenvCrash(pF, FAULT_DROP_UNSYNCED, 1), LSMC_OK);
  checkFile(tpath("a"), "AAAA", 4);
  checkFile(tpath("b"), "", 0);
  checkFile(tpath("untracked"), "UUUU", 4);
  ck_assert_int_eq(fileExists(tpath("a.faultcrash")), 0);
  /* After the crash everything is durable: a second crash changes nothing. */
  ck_assert_int_eq(faultenvCrash(pF, FAULT_ZERO, 1), LSMC_OK);
  checkFile(tpath("a"), "AAAA", 4);
  faultenvFree(pF);
}
END_TEST

START_TEST(test_fault_crash_tear){
  FaultEnv *pF = newFault();
  lsmc_env *pEnv = faultenvEnv(pF);
  const char *zU1 = "0123456789abcdef";
  const char *zU2 = "ghijklmnopqrstuvwxyz";
  u32 seed = 12345;
  u64 n1 = faultenvTearKeep(seed, 0, 16);
  u64 n2 = faultenvTearKeep(seed, 1, 20);
  char aExp[64];
  u64 aSeen[21];
  int nDistinct = 0;
  u32 s;

  writeTwoPart(pEnv, "a", "AAAA", zU1);
  writeTwoPart(pEnv, "synced", "SSSS", "");
  writeTwoPart(pEnv, "b", "BB", zU2);
  ck_assert_int_eq(faultenvCrash(pF, FAULT_TEAR, seed), LSMC_OK);
  memcpy(aExp, "AAAA", 4);
  memcpy(aExp+4, zU1, (size_t)n1);
  checkFile(tpath("a"), aExp, 4 + (size_t)n1);
  checkFile(tpath("synced"), "SSSS", 4);
  memcpy(aExp, "BB", 2);
  memcpy(aExp+2, zU2, (size_t)n2);
  checkFile(tpath("b"), aExp, 2 + (size_t)n2);

  /* The tear length is deterministic, within range, and varies. */
  memset(aSeen, 0, sizeof(aSeen));
  for(s=0; s<200; s++){
    u64 k = faultenvTearKeep(s, 0, 20);
    ck_assert_uint_le(k, 20);
    ck_assert_uint_eq(k, faultenvTearKeep(s, 0, 20));
    if( aSeen[k]++==0 ) nDistinct++;
  }
  ck_assert_int_ge(nDistinct, 15);
  ck_assert_uint_ne(aSeen[0], 0);     /* tearing may keep none ... */
  ck_assert_uint_ne(aSeen[20], 0);    /* ... or all of the bytes */
  faultenvFree(pF);
}
END_TEST

START_TEST(test_fault_crash_zero){
  FaultEnv *pF = newFault();
  lsmc_env *pEnv = faultenvEnv(pF);
  lsmc_file *pFile = 0;
  writeTwoPart(pEnv, "a", "AAAA", "BBBBBB");
  /* Truncation lowers the synced size. */
  ck_assert_int_eq(pEnv->xOpen(pEnv, tpath("t"), LSMC_OPEN_CREATE, &pFile), 0);
  ck_assert_int_eq(pEnv->xSyncDir(pEnv, zTestDir), LSMC_OK);
  ck_assert_int_eq(pEnv->xAppend(pFile, "12345678", 8), LSMC_OK);
  ck_assert_int_eq(pEnv->xSync(pFile), LSMC_OK);
  ck_assert_int_eq(pEnv->xTruncate(pFile, 5), LSMC_OK);
  ck_assert_int_eq(pEnv->xAppend(pFile, "xyz", 3), LSMC_OK);
  ck_assert_int_eq(pEnv->xClose(pFile), LSMC_OK);
  ck_assert_int_eq(faultenvCrash(pF, FAULT_ZERO, 7), LSMC_OK);
  checkFile(tpath("a"), "AAAA\0\0\0\0\0\0", 10);
  checkFile(tpath("t"), "12345\0\0\0", 8);
  faultenvFree(pF);
}
END_TEST

START_TEST(test_fault_crash_namespace){
  FaultEnv *pF = newFault();
  lsmc_env *pEnv = faultenvEnv(pF);
  char zCur[256];
  snprintf(zCur, sizeof(zCur), "%s/%s", zTestDir, "CURRENT");
  char zTmp[256];
  snprintf(zTmp, sizeof(zTmp), "%s/%s", zTestDir, "CURRENT.tmp");

  /* Created and synced, directory not synced: gone after the crash. */
  writeFile(pEnv, tpath("new"), "data", 1);
  ck_assert_int_eq(pEnv->xMkdir(pEnv, tpath("sub")), LSMC_OK);
  writeFile(pEnv, tpath("sub/f"), "x", 1);
  /* CURRENT replaced by rename, directory not synced: reverted. */
  ck_assert_int_eq(lsmcEnvWriteFileAtomic(pEnv, zTestDir, zCur, zTmp,
                                          "old", 3), LSMC_OK);
  ck_assert_int_eq(pEnv->xRemove(pEnv, tpath("new")), LSMC_OK);
  writeFile(pEnv, tpath("new"), "data2", 1);
  writeFile(pEnv, zTmp, "new", 1);
  ck_assert_int_eq(pEnv->xRename(pEnv, zTmp, zCur), LSMC_OK);
  /* A durable file removed without a directory sync comes back. */
  writeFile(pEnv, tpath("kept"), "KEPT", 1);
  ck_assert_int_eq(pEnv->xSyncDir(pEnv, zTestDir), LSMC_OK);
  ck_assert_int_eq(pEnv->xRemove(pEnv, tpath("kept")), LSMC_OK);
  ck_assert_int_eq(fileExists(tpath("kept")), 0);
  writeFile(pEnv, zTmp, "newer", 1);
  ck_assert_int_eq(pEnv->xRename(pEnv, zTmp, zCur), LSMC_OK);
  checkFile(zCur, "newer", 5);

  ck_assert_int_eq(faultenvCrash(pF, FAULT_DROP_UNSYNCED, 0), LSMC_OK);
  checkFile(zCur, "new", 3);             /* last synced dir state */
  ck_assert_int_eq(fileExists(zTmp), 0);  /* its create was not durable */
  checkFile(tpath("kept"), "KEPT", 4);
  checkFile(tpath("new"), "data2", 5);    /* dir synced after it */
  ck_assert_int_eq(fileExists(tpath("sub")), 1);    /* parent synced */
  ck_assert_int_eq(fileExists(tpath("sub/f")), 0);  /* sub never synced */

  /* Per-directory syncs: only the synced directory's creates survive. */
  writeFile(pEnv, tpath("sub/g"), "g", 1);
  ck_assert_int_eq(pEnv->xSyncDir(pEnv, tpath("sub")), LSMC_OK);
  writeFile(pEnv, tpath("sub/u"), "u", 1);
  ck_assert_int_eq(pEnv->xMkdir(pEnv, tpath("sub2")), LSMC_OK);
  writeFile(pEnv, tpath("sub2/h"), "h", 1);
  ck_assert_int_eq(pEnv->xSyncDir(pEnv, tpath("sub2/")), LSMC_OK);
  ck_assert_int_eq(faultenvCrash(pF, FAULT_DROP_UNSYNCED, 0), LSMC_OK);
  checkFile(tpath("sub/g"), "g", 1);
  ck_assert_int_eq(fileExists(tpath("sub/u")), 0);
  /* sub2 was made in an unsynced parent; its file kept it non-empty. */
  ck_assert_int_eq(fileExists(tpath("sub2/h")), 1);
  faultenvFree(pF);
}
END_TEST

START_TEST(test_fault_crash_misuse){
  FaultEnv *pF = newFault();
  lsmc_env *pEnv = faultenvEnv(pF);
  lsmc_file *pFile = 0;
  ck_assert_int_eq(pEnv->xOpen(pEnv, tpath("f"), LSMC_OPEN_CREATE, &pFile), 0);
  ck_assert_int_eq(pEnv->xAppend(pFile, "zz", 2), LSMC_OK);
  ck_assert_int_eq(faultenvCrash(pF, FAULT_DROP_UNSYNCED, 0), LSMC_MISUSE);
  ck_assert_int_eq(faultenvMarkDurable(pF), LSMC_MISUSE);
  ck_assert_int_eq(faultenvCrash(pF, 9, 0), LSMC_MISUSE);
  ck_assert_int_eq(pEnv->xClose(pFile), LSMC_OK);
  checkFile(tpath("f"), "zz", 2);
  ck_assert_int_eq(faultenvMarkDurable(pF), LSMC_OK);
  ck_assert_int_eq(faultenvCrash(pF, FAULT_DROP_UNSYNCED, 0), LSMC_OK);
  checkFile(tpath("f"), "zz", 2);
  faultenvFree(pF);
}
END_TEST

START_TEST(test_fault_undo_limit){
  FaultEnv *pF = newFault();
  lsmc_env *pEnv = faultenvEnv(pF);
  writeFile(pEnv, tpath("small"), "12", 1);
  writeFile(pEnv, tpath("large"), "123", 1);
  ck_assert_int_eq(pEnv->xSyncDir(pEnv, zTestDir), LSMC_OK);
  faultenvSetUndoLimit(pF, 2);
  ck_assert_int_eq(pEnv->xRemove(pEnv, tpath("small")), LSMC_OK);
  ck_assert_int_eq(pEnv->xRemove(pEnv, tpath("large")), LSMC_OK);
  /* Removing a directory's name fails in the base env, counted once. */
  ck_assert_int_eq(pEnv->xMkdir(pEnv, tpath("dir")), LSMC_OK);
  ck_assert_int_eq(LSMC_PRIMARY(pEnv->xRemove(pEnv, tpath("dir"))),
                   LSMC_IOERR);
  ck_assert_uint_eq(faultenvCount(pF, FAULT_OP_REMOVE), 3);
  ck_assert_int_eq(faultenvCrash(pF, FAULT_DROP_UNSYNCED, 0), LSMC_OK);
  checkFile(tpath("small"), "12", 2);
  ck_assert_int_eq(fileExists(tpath("large")), 0);   /* over the limit */
  ck_assert_int_eq(fileExists(tpath("dir")), 0);     /* empty, unsynced */
  faultenvFree(pF);
}
END_TEST

START_TEST(test_fault_dead){
  FaultEnv *pF = newFault();
  lsmc_env *pEnv = faultenvEnv(pF);
  lsmc_file *pFile = 0;
  lsmc_file *pRead = 0;
  lsmc_file *pLock = 0;
  char aBuf[8];
  size_t nRead = 0;

  writeFile(pEnv, tpath("a"), "abc", 1);
  ck_assert_int_eq(pEnv->xOpen(pEnv, tpath("w"), LSMC_OPEN_CREATE, &pFile), 0);
  faultenvSetDead(pF, 1);
  ck_assert_int_eq(pEnv->xAppend(pFile, "x", 1), LSMC_IOERR);
  ck_assert_int_eq(pEnv->xSync(pFile), LSMC_IOERR);
  ck_assert_int_eq(pEnv->xTruncate(pFile, 0), LSMC_IOERR);
  ck_assert_int_eq(pEnv->xOpen(pEnv, tpath("b"), LSMC_OPEN_CREATE, &pRead),
                   LSMC_IOERR);
  ck_assert_int_eq(pEnv->xOpen(pEnv, tpath("a"), LSMC_OPEN_CREATE, &pRead),
                   LSMC_IOERR);
  ck_assert_int_eq(pEnv->xRename(pEnv, tpath("a"), tpath("c")), LSMC_IOERR);
  ck_assert_int_eq(pEnv->xRemove(pEnv, tpath("a")), LSMC_IOERR);
  ck_assert_int_eq(pEnv->xMkdir(pEnv, tpath("d")), LSMC_IOERR);
  ck_assert_int_eq(pEnv->xSyncDir(pEnv, zTestDir), LSMC_IOERR);
  /* Reads, locks and close still work. */
  ck_assert_int_eq(pEnv->xOpen(pEnv, tpath("a"), LSMC_OPEN_READONLY, &pRead), 0);
  ck_assert_int_eq(pEnv->xRead(pRead, 0, aBuf, 8, &nRead), LSMC_OK);
  ck_assert_uint_eq(nRead, 3);
  ck_assert_int_eq(pEnv->xClose(pRead), LSMC_OK);
  ck_assert_int_eq(pEnv->xLock(pEnv, tpath("LOCK"), &pLock), LSMC_OK);
  ck_assert_int_eq(pEnv->xUnlock(pEnv, pLock), LSMC_OK);
  ck_assert_int_eq(pEnv->xClose(pFile), LSMC_OK);
  /* The disk is untouched. */
  checkFile(tpath("a"), "abc", 3);
  checkFile(tpath("w"), "", 0);
  ck_assert_int_eq(fileExists(tpath("b")), 0);
  ck_assert_int_eq(fileExists(tpath("c")), 0);
  ck_assert_int_eq(fileExists(tpath("d")), 0);
  ck_assert_uint_eq(faultenvInjected(pF), 0);
  faultenvSetDead(pF, 0);
  ck_assert_int_eq(pEnv->xRemove(pEnv, tpath("a")), LSMC_OK);
  faultenvFree(pF);
}
END_TEST

/* Sync hook state: the sequence numbers seen, and when to die. */
typedef struct HookCtx HookCtx;
struct HookCtx {
  u64 aSeen[8];     /* iSync values, in call order */
  int n;            /* Calls so far */
  u64 iDieAt;       /* Set the dead switch at this sync */
};

static void syncHook(FaultEnv *pF, void *pArg, u64 iSync){
  HookCtx *p = (HookCtx*)pArg;
  if( p->n<8 ) p->aSeen[p->n] = iSync;
  p->n++;
  if( iSync==p->iDieAt ) faultenvSetDead(pF, 1);
}

START_TEST(test_fault_sync_hook){
  FaultEnv *pF = newFault();
  lsmc_env *pEnv = faultenvEnv(pF);
  lsmc_file *pFile = 0;
  HookCtx ctx;
  memset(&ctx, 0, sizeof(ctx));
  ctx.iDieAt = 3;
  faultenvSetSyncHook(pF, syncHook, &ctx);

  ck_assert_int_eq(pEnv->xOpen(pEnv, tpath("w"), LSMC_OPEN_CREATE, &pFile), 0);
  ck_assert_int_eq(pEnv->xSyncDir(pEnv, zTestDir), LSMC_OK);    /* 1 */
  ck_assert_int_eq(pEnv->xAppend(pFile, "r1", 2), LSMC_OK);
  ck_assert_int_eq(pEnv->xSync(pFile), LSMC_OK);                /* 2 */
  ck_assert_int_eq(pEnv->xAppend(pFile, "r2", 2), LSMC_OK);
  ck_assert_int_eq(pEnv->xSync(pFile), LSMC_OK);                /* 3: dies */
  ck_assert_int_eq(pEnv->xAppend(pFile, "r3", 2), LSMC_IOERR);
  ck_assert_int_eq(pEnv->xSync(pFile), LSMC_IOERR);
  ck_assert_int_eq(pEnv->xClose(pFile), LSMC_OK);
  ck_assert_int_eq(ctx.n, 3);
  ck_assert_uint_eq(ctx.aSeen[0], 1);
  ck_assert_uint_eq(ctx.aSeen[1], 2);
  ck_assert_uint_eq(ctx.aSeen[2], 3);
  ck_assert_uint_eq(faultenvSyncCount(pF), 3);

  /* The crash reboots: the dead switch is off again. */
  ck_assert_int_eq(faultenvCrash(pF, FAULT_DROP_UNSYNCED, 0), LSMC_OK);
  checkFile(tpath("w"), "r1r2", 4);
  faultenvSetSyncHook(pF, 0, 0);
  writeFile(pEnv, tpath("w"), "after", 1);
  checkFile(tpath("w"), "after", 5);
  ck_assert_int_eq(ctx.n, 3);
  faultenvFree(pF);
}
END_TEST

static Suite *envSuite(void){
  Suite *s = suite_create("env");
  TCase *tcPosix = tcase_create("posix");
  TCase *tcFault = tcase_create("faultenv");

  tcase_add_checked_fixture(tcPosix, setupDir, teardownDir);
  tcase_add_test(tcPosix, test_posix_roundtrip);
  tcase_add_test(tcPosix, test_posix_create_truncates);
  tcase_add_test(tcPosix, test_posix_noent);
  tcase_add_test(tcPosix, test_posix_rename_remove);
  tcase_add_test(tcPosix, test_posix_list);
  tcase_add_test(tcPosix, test_posix_mkdir);
  tcase_add_test(tcPosix, test_posix_lock);
  tcase_add_test(tcPosix, test_posix_time);
  tcase_add_test(tcPosix, test_env_helpers);
  suite_add_tcase(s, tcPosix);

  tcase_add_checked_fixture(tcFault, setupDir, teardownDir);
  tcase_add_test(tcFault, test_fault_counts);
  tcase_add_test(tcFault, test_fault_nth_transient);
  tcase_add_test(tcFault, test_fault_nth_persistent);
  tcase_add_test(tcFault, test_fault_torn_append);
  tcase_add_test(tcFault, test_fault_malloc);
  tcase_add_test(tcFault, test_fault_crash_drop);
  tcase_add_test(tcFault, test_fault_crash_tear);
  tcase_add_test(tcFault, test_fault_crash_zero);
  tcase_add_test(tcFault, test_fault_crash_namespace);
  tcase_add_test(tcFault, test_fault_crash_misuse);
  tcase_add_test(tcFault, test_fault_undo_limit);
  tcase_add_test(tcFault, test_fault_dead);
  tcase_add_test(tcFault, test_fault_sync_hook);
  suite_add_tcase(s, tcFault);
  return s;
}

int main(void){
  SRunner *sr = srunner_create(envSuite());
  int nFail;
  srunner_run_all(sr, CK_NORMAL);
  nFail = srunner_ntests_failed(sr);
  srunner_free(sr);
  return nFail==0 ? 0 : 1;
}
