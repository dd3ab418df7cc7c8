/*
** check_kill.c -- TESTPLAN B2: kill -9, black box (RocksDB's blackbox
** crash test).  One store is written through the "lsm" module, iteration
** after iteration, by a forked child; the parent kills the child with
** SIGKILL after a delay drawn uniformly from [20 ms, 2 s], reopens the
** store and VERIFYs it, and the next iteration's child continues the same
** store where the verified state ends.
**
** The store: one directory "store", named by path= from three database
** files whose tables differ only in sync= (full, normal, off), so the
** sync mode rotates per iteration over one store.  A 4 KiB memtable and
** 256-byte blocks make the background thread flush and compact most of
** the time.  The child: one writer connection running sqlwork
** transactions (test/sqlwork.h), reporting each start and each ack (COMMIT
** returned SQLITE_OK) to the parent over a pipe (killutil.h), which the
** parent reads only after the kill (it sleeps meanwhile; the pipe is
** enlarged to hold the reports).  The
** workload comes in epochs of KILL_EPOCH_TXN transactions, each its own
** SqlWork (seed + epoch); between two epochs one "DELETE FROM t"
** transaction empties the table, which is the state before transaction 1
** of the next epoch.  The child keeps lsmcTestBusy()'s counters in a
** MAP_SHARED page (lsmcTestBusyShare), so the parent reads, after the
** kill, whether a flush or a compaction was running at that moment.
**
** After each kill: VERIFY (sqlworkVerify: lsm_check 'ok'; the present
** transactions are a prefix holding every acked one -- a process crash
** loses nothing acked in any sync mode, the WAL bytes were written -- and
** the pending one all or nothing; scans and lookups equal the oracle),
** then step 7: a probe write, reopen, probe found (sqlworkProbeCheck puts
** the table back to the oracle's state).  A kill inside the emptying
** transaction leaves the old epoch complete or the table empty.
**
** Pass bar: every iteration verifies (CI: 200, soak: 5,000 iterations);
** at least 20% of the kills landed while a flush or compaction ran (else
** the test is too weak and fails).  Output: a line per failure, the kill
** statistics, "N passed, N failed" (one per iteration, plus one for the
** 20% bar).  On a failure the seed, iteration, epoch, sync mode, delay
** and a copy of the store go to $LSMV_RESULTS_DIR/kill/iter-<n>/, and the
** run stops (the store is no longer in a known state).  Environment:
** KILL_SEED, KILL_ITERATIONS (override the profile's count), KILL_TRACE=1
** (a line per iteration), KILL_KEEP=1 (keep the working directory).
*/
#include "crashpoint.h"
#include "killutil.h"
#include "sqlwork.h"
#include "testutil.h"

#include <sqlite3.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#define KILL_ITER_CI      200       /* Iterations, ci profile */
#define KILL_ITER_SOAK   5000       /* Iterations, soak profile */
#define KILL_EPOCH_TXN   3000       /* Transactions of one epoch */
#define KILL_MIN_US     20000       /* Shortest delay before the kill */
#define KILL_MAX_US   2000000       /* Longest delay */
#define KILL_BUSY_PCT      20       /* Least % of kills during bg work */
#define KILL_SEED  0x4b494c4cull    /* Default seed */
#define KILL_PIPE_SIZE (1<<20)      /* Report pipe: 2 s of reports */

/* Table options shared by the three database files. */
#define KILL_OPTS "path='store', memtable_size='4K', block_size=256"

static const char *const azMode[3] = { "full", "normal", "off" };

/* Reports from the child (KillEv.eKind). */
#define EV_START        1     /* transaction iVal of the epoch started */
#define EV_ACK          2     /* ... its COMMIT returned SQLITE_OK */
#define EV_CLEAR_START  3     /* the emptying transaction began */
#define EV_CLEAR_ACK    4     /* ... and committed: next epoch */

/* The harness state, kept across iterations. */
typedef struct KillRun KillRun;
struct KillRun {
  uint64_t seed;              /* Base seed */
  TestDir dir;                /* Working directory */
  char zResults[512];         /* Results directory */
  int iEpoch;                 /* Current epoch (0, 1, ...) */
  SqlWork *pWork;             /* Its workload and oracle */
  int j;                      /* Transactions of the epoch verified */
  /* Reports of the current iteration: */
  int nStart, nAck;           /* Last transaction started / acked */
  int bClearStart;            /* Emptying transaction begun, not acked */
};

/* Seed of epoch iEpoch's workload. */
static uint64_t killEpochSeed(KillRun *p, int iEpoch){
  return p->seed ^ ((uint64_t)(iEpoch+1) * 0x9E3779B97F4A7C15ull);
}

/* Replace the workload by the one of epoch iEpoch.  0 or -1. */
static int killSetEpoch(KillRun *p, int iEpoch){
  sqlworkFree(p->pWork);
  p->pWork = 0;
  p->iEpoch = iEpoch;
  p->j = 0;
  return sqlworkNew(killEpochSeed(p, iEpoch), KILL_EPOCH_TXN, &p->pWork)
         ==SQLITE_OK ? 0 : -1;
}

/* "<dir>/kill-<mode>.db" into zOut. */
static void killDbPath(KillRun *p, int eMode, char *zOut, size_t nOut){
  snprintf(zOut, nOut, "%s/kill-%s.db", p->dir.zPath, azMode[eMode]);
}

/* ------------------------------------------------------------ child */

/* Child: a fatal problem.  Prints it and exits with status 3. */
static void killDie(sqlite3 *db, const char *zWhat, int rc){
  fprintf(stderr, "kill child: %s: rc=%d (%s)\n", zWhat, rc,
          db ? sqlite3_errmsg(db) : "");
  _exit(3);
}

/*
** The child: continue the workload from transaction p->j+1 of epoch
** p->iEpoch, epoch after epoch, until killed.
*/
static void killChild(KillRun *p, int eMode, int *aShared, int fd){
  char zDb[600];
  sqlite3 *db = 0;
  int rc, i;
  lsmcTestBusyShare(aShared);
  killDbPath(p, eMode, zDb, sizeof(zDb));
  rc = killOpenDb(zDb, &db);
  if( rc!=SQLITE_OK ) killDie(0, "open", rc);
  while( 1 ){
    for(i=p->j+1; i<=KILL_EPOCH_TXN; i++){
      killEvSend(fd, EV_START, i);
      rc = sqlworkRunTxn(p->pWork, db, "t", i);
      if( rc!=SQLITE_OK ) killDie(db, "sqlwork transaction", rc);
      killEvSend(fd, EV_ACK, i);
    }
    killEvSend(fd, EV_CLEAR_START, p->iEpoch);
    rc = sqlite3_exec(db, "DELETE FROM t", 0, 0, 0);
    if( rc!=SQLITE_OK ) killDie(db, "DELETE FROM t", rc);
    killEvSend(fd, EV_CLEAR_ACK, p->iEpoch);
    if( killSetEpoch(p, p->iEpoch+1) ) killDie(0, "sqlworkNew", SQLITE_NOMEM);
  }
}

/* ----------------------------------------------------------- parent */

/* Parent: fold one report into the iteration's state. */
static void killOnEvent(void *pArg, const KillEv *pEv){
  KillRun *p = (KillRun*)pArg;
  switch( pEv->eKind ){
    case EV_START:
      p->nStart = pEv->iVal;
      break;
    case EV_ACK:
      p->nAck = pEv->iVal;
      break;
    case EV_CLEAR_START:
      p->bClearStart = 1;
      break;
    case EV_CLEAR_ACK:
      /* The child moved on: so does the oracle. */
      if( killSetEpoch(p, p->iEpoch+1) ){
        fprintf(stderr, "sqlworkNew failed\n");
        exit(2);
      }
      p->nStart = p->nAck = 0;
      p->bClearStart = 0;
      break;
  }
}

/* Format a message into zErr; returns -1. */
static int killFail(char *zErr, int nErr, const char *zFmt, ...)
  __attribute__((format(printf, 3, 4)));
static int killFail(char *zErr, int nErr, const char *zFmt, ...){
  va_list ap;
  va_start(ap, zFmt);
  vsnprintf(zErr, (size_t)nErr, zFmt, ap);
  va_end(ap);
  return -1;
}

/* sqlworkVerify of table t, every acked transaction required. */
static int killVerifyOnce(SqlWork *pWork, sqlite3 *db, int nAcked,
                          int nTried, char *zErr, int nErr){
  return sqlworkVerify(pWork, db, "t", nAcked, nTried, 1, zErr, nErr);
}

/*
** Parent: VERIFY after the kill (header comment) and set p->j to the
** verified position.  0, or -1 with a message in zErr.
*/
static int killVerify(KillRun *p, int eMode, char *zErr, int nErr){
  char zDb[600], zMsg[600];
  sqlite3 *db = 0;
  int nAcked = p->nAck>p->j ? p->nAck : p->j;
  int nTried = p->nStart>p->j ? p->nStart : p->j;
  int j, rc;

  killDbPath(p, eMode, zDb, sizeof(zDb));
  rc = killOpenDb(zDb, &db);
  if( rc!=SQLITE_OK ) return killFail(zErr, nErr, "open: rc=%d", rc);
  if( p->bClearStart ){
    /* Killed inside the emptying transaction: all or nothing. */
    j = killVerifyOnce(p->pWork, db, KILL_EPOCH_TXN, KILL_EPOCH_TXN,
                       zMsg, sizeof(zMsg));
    if( j<0 ){
      char zOld[600];
      snprintf(zOld, sizeof(zOld), "%s", zMsg);
      if( killSetEpoch(p, p->iEpoch+1) ){
        sqlite3_close(db);
        return killFail(zErr, nErr, "sqlworkNew failed");
      }
      j = killVerifyOnce(p->pWork, db, 0, 0, zMsg, sizeof(zMsg));
      if( j<0 ){
        sqlite3_close(db);
        return killFail(zErr, nErr, "killed while emptying the table: "
                        "neither the full old epoch (%s) nor an empty table "
                        "(%s)", zOld, zMsg);
      }
    }
  }else{
    j = killVerifyOnce(p->pWork, db, nAcked, nTried,
                       zMsg, sizeof(zMsg));
    if( j<0 ){
      sqlite3_close(db);
      return killFail(zErr, nErr, "VERIFY (epoch %d, %d acked, %d started): "
                      "%s", p->iEpoch, nAcked, nTried, zMsg);
    }
  }
  rc = sqlworkProbeWrite(p->pWork, db, "t");
  sqlite3_close(db);
  if( rc!=SQLITE_OK ) return killFail(zErr, nErr, "probe write: rc=%d", rc);
  rc = killOpenDb(zDb, &db);
  if( rc!=SQLITE_OK ) return killFail(zErr, nErr, "reopen: rc=%d", rc);
  if( sqlworkProbeCheck(p->pWork, db, "t") ){
    sqlite3_close(db);
    return killFail(zErr, nErr, "probe write lost across a reopen");
  }
  sqlite3_close(db);
  p->j = j;
  return 0;
}

/* Parent: keep the evidence of a failed iteration. */
static void killSaveRepro(KillRun *p, int iIter, int eMode, int64_t iDelay,
                          const char *zWhy){
  char zCase[800], zNote[900];
  FILE *pOut;
  snprintf(zCase, sizeof(zCase), "%s/iter-%d", p->zResults, iIter);
  testRemoveTree(zCase);
  killCopyTree(p->dir.zPath, zCase);
  snprintf(zNote, sizeof(zNote), "%s/README.txt", zCase);
  pOut = fopen(zNote, "w");
  if( pOut ){
    fprintf(pOut, "check_kill failure\nseed: %llu\niteration: %d\nepoch: %d "
            "(seed %llu, %d transactions, verified before: %d)\nsync: %s\n"
            "kill after: %lld us\nreproduce: KILL_SEED=%llu test/check_kill\n"
            "error: %s\n", (unsigned long long)p->seed, iIter, p->iEpoch,
            (unsigned long long)killEpochSeed(p, p->iEpoch), KILL_EPOCH_TXN,
            p->j, azMode[eMode], (long long)iDelay,
            (unsigned long long)p->seed, zWhy);
    fclose(pOut);
  }
  printf("  reproducer: %s\n", zCase);
}

/* Parent: create the three database files over one store. */
static int killSetup(KillRun *p){
  int e;
  for(e=0; e<3; e++){
    char zDb[600], zOpts[200];
    sqlite3 *db = 0;
    int rc;
    killDbPath(p, e, zDb, sizeof(zDb));
    snprintf(zOpts, sizeof(zOpts), KILL_OPTS ", sync=%s", azMode[e]);
    rc = killOpenDb(zDb, &db);
    if( rc==SQLITE_OK ) rc = sqlworkCreate(p->pWork, db, "t", zOpts);
    if( rc!=SQLITE_OK ){
      printf("setup: CREATE in %s: rc=%d (%s)\n", zDb, rc,
             db ? sqlite3_errmsg(db) : "");
      sqlite3_close(db);
      return -1;
    }
    sqlite3_close(db);
  }
  return 0;
}

int main(void){
  static KillRun run;
  KillRun *p = &run;
  const char *zSeed = getenv("KILL_SEED");
  const char *zIter = getenv("KILL_ITERATIONS");
  int nIter = killIsSoak() ? KILL_ITER_SOAK : KILL_ITER_CI;
  int nPass = 0, nFail = 0;
  int nBusy = 0, nFlush = 0, nCompact = 0, nKill = 0;
  int *aShared;
  TestRng rng;
  int it;

  setvbuf(stdout, 0, _IOLBF, 0);
  lsmcCrashPointSet("");                /* crash points stay off */
  p->seed = zSeed ? strtoull(zSeed, 0, 0) : KILL_SEED;
  if( zIter ) nIter = atoi(zIter);
  testRngSeed(&rng, p->seed);
  killResultsDir("kill", p->zResults, sizeof(p->zResults));
  aShared = mmap(0, 4096, PROT_READ|PROT_WRITE, MAP_SHARED|MAP_ANONYMOUS,
                 -1, 0);
  if( aShared==MAP_FAILED || killSetEpoch(p, 0) ){
    printf("setup failed\n0 passed, 1 failed\n");
    return 1;
  }
  testDirNew(&p->dir, "kill");
  if( killSetup(p) ){
    printf("0 passed, 1 failed\n");
    return 1;
  }
  printf("check_kill: seed %llu, %d iterations, store %s/store\n",
         (unsigned long long)p->seed, nIter, p->dir.zPath);

  for(it=1; it<=nIter; it++){
    int eMode = it % 3;
    int64_t iDelay = KILL_MIN_US
                   + (int64_t)testRngBelow(&rng, KILL_MAX_US - KILL_MIN_US + 1);
    char zErr[1400];
    int aFd[2];
    int status = 0;
    int64_t iStart;
    pid_t pid;

    p->nStart = p->nAck = p->bClearStart = 0;
    aShared[0] = aShared[1] = 0;
    if( pipe(aFd) ){
      perror("pipe");
      return 2;
    }
    fcntl(aFd[1], F_SETPIPE_SZ, KILL_PIPE_SIZE);
    fflush(0);
    iStart = killNowUs();
    pid = fork();
    if( pid<0 ){
      perror("fork");
      return 2;
    }
    if( pid==0 ){
      close(aFd[0]);
      killChild(p, eMode, aShared, aFd[1]);
      _exit(0);
    }
    close(aFd[1]);
    /* Wait out the delay in 500 us naps, not reading the pipe (enlarged to
    ** hold the reports meanwhile).  Measured on 2 loaded cores: a parent
    ** woken by every report, or sleeping the whole delay at once, wakes
    ** mostly when a CPU frees up -- when the child's background thread
    ** goes idle -- so its kills landed in a flush or compaction 5-10% of
    ** the time, against ~40% of the child's time really spent in one. */
    while( killNowUs() < iStart + iDelay ) usleep(500);
    kill(pid, SIGKILL);
    killEvPump(aFd[0], 0, killOnEvent, p);
    close(aFd[0]);
    while( waitpid(pid, &status, 0)<0 ){}

    if( !WIFSIGNALED(status) || WTERMSIG(status)!=SIGKILL ){
      snprintf(zErr, sizeof(zErr), "the child ended by itself (status 0x%x)",
               status);
    }else{
      int bF = aShared[LSMC_BUSY_FLUSH]>0;
      int bC = aShared[LSMC_BUSY_COMPACT]>0;
      nKill++;
      nFlush += bF;
      nCompact += bC;
      nBusy += (bF || bC);
      if( killVerify(p, eMode, zErr, sizeof(zErr))==0 ) zErr[0] = '\0';
    }
    if( getenv("KILL_TRACE") ){
      printf("  iter %d sync=%s after %lld ms: epoch %d, acked %d, started "
             "%d, busy flush %d compact %d\n", it, azMode[eMode],
             (long long)(iDelay/1000), p->iEpoch, p->nAck, p->nStart,
             aShared[0], aShared[1]);
    }
    if( zErr[0] ){
      printf("FAIL iteration %d (sync=%s, kill after %lld ms): %s\n", it,
             azMode[eMode], (long long)(iDelay/1000), zErr);
      killSaveRepro(p, it, eMode, iDelay, zErr);
      nFail++;
      break;
    }
    nPass++;
    if( it%50==0 ){
      printf("  %d iterations, epoch %d, %d transactions verified in it\n",
             it, p->iEpoch, p->j);
    }
  }

  printf("kills: %d; during a flush or compaction: %d (%.1f%%; flush %d, "
         "compaction %d)\n", nKill, nBusy, nKill ? 100.0*nBusy/nKill : 0.0,
         nFlush, nCompact);
  if( nKill>0 && nFail==0 ){
    if( nBusy*100 < KILL_BUSY_PCT*nKill ){
      printf("FAIL: fewer than %d%% of the kills landed in a flush or "
             "compaction: the test is too weak\n", KILL_BUSY_PCT);
      nFail++;
    }else{
      nPass++;
    }
  }
  printf("%d passed, %d failed\n", nPass, nFail);
  if( getenv("KILL_KEEP")==0 ) testDirFree(&p->dir);
  sqlworkFree(p->pWork);
  munmap(aShared, 4096);
  return nFail ? 1 : 0;
}
