/*
** killutil.c -- the report pipe, results directory, tree copy and module
** connection helpers of the process-crash harnesses (see killutil.h).
*/
#include "killutil.h"
#include "lsmvtab.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

void killEvSend(int fd, int eKind, int iVal){
  KillEv ev;
  ssize_t n;
  ev.eKind = eKind;
  ev.iVal = iVal;
  do{
    n = write(fd, &ev, sizeof(ev));
  }while( n<0 && errno==EINTR );
  if( n!=(ssize_t)sizeof(ev) ) _exit(KILL_EXIT_PIPE);
}

int64_t killNowUs(void){
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (int64_t)ts.tv_sec*1000000 + ts.tv_nsec/1000;
}

int killEvPump(int fd, int64_t iDeadlineUs,
               void (*xEvent)(void*, const KillEv*), void *pArg){
  static unsigned char aBuf[64*1024];
  static size_t nBuf = 0;          /* Bytes of a partial record kept */
  while( 1 ){
    struct pollfd pfd;
    int nWait = -1;
    ssize_t n;
    size_t i;
    if( iDeadlineUs ){
      int64_t iLeft = iDeadlineUs - killNowUs();
      if( iLeft<=0 ) return 0;
      nWait = (int)((iLeft + 999)/1000);
    }
    pfd.fd = fd;
    pfd.events = POLLIN;
    pfd.revents = 0;
    if( poll(&pfd, 1, nWait)<=0 ) continue;    /* timeout or EINTR */
    n = read(fd, aBuf + nBuf, sizeof(aBuf) - nBuf);
    if( n<0 && errno==EINTR ) continue;
    if( n<=0 ){
      nBuf = 0;
      return 1;
    }
    nBuf += (size_t)n;
    for(i=0; i+sizeof(KillEv)<=nBuf; i+=sizeof(KillEv)){
      KillEv ev;
      memcpy(&ev, aBuf + i, sizeof(ev));
      xEvent(pArg, &ev);
    }
    memmove(aBuf, aBuf + i, nBuf - i);
    nBuf -= i;
  }
}

int killIsSoak(void){
  const char *z = getenv("LSMV_TEST_PROFILE");
  return z && strcmp(z, "soak")==0;
}

/* mkdir -p zPath (best effort). */
static void killMkdirs(const char *zPath){
  char z[1024];
  size_t i;
  snprintf(z, sizeof(z), "%s", zPath);
  for(i=1; z[i]; i++){
    if( z[i]=='/' ){
      z[i] = '\0';
      mkdir(z, 0777);
      z[i] = '/';
    }
  }
  mkdir(z, 0777);
}

char *killResultsDir(const char *zHarness, char *zOut, size_t nOut){
  const char *zBase = getenv("LSMV_RESULTS_DIR");
  if( zBase && zBase[0] ){
    snprintf(zOut, nOut, "%s/%s", zBase, zHarness);
  }else{
    snprintf(zOut, nOut, "test-results/%s", zHarness);
  }
  killMkdirs(zOut);
  return zOut;
}

/* Copy regular file zFrom to zTo.  0 or -1. */
static int killCopyFile(const char *zFrom, const char *zTo){
  char aBuf[65536];
  int rc = 0;
  int fdIn = open(zFrom, O_RDONLY);
  int fdOut = fdIn<0 ? -1 : open(zTo, O_WRONLY|O_CREAT|O_TRUNC, 0644);
  while( fdOut>=0 ){
    ssize_t n = read(fdIn, aBuf, sizeof(aBuf));
    if( n<=0 ){
      if( n<0 ) rc = -1;
      break;
    }
    if( write(fdOut, aBuf, (size_t)n)!=n ){ rc = -1; break; }
  }
  if( fdIn<0 || fdOut<0 ) rc = -1;
  if( fdIn>=0 ) close(fdIn);
  if( fdOut>=0 ) close(fdOut);
  return rc;
}

int killCopyTree(const char *zFrom, const char *zTo){
  struct stat st;
  DIR *d;
  struct dirent *pEnt;
  int rc = 0;
  if( lstat(zFrom, &st)!=0 ) return -1;
  if( !S_ISDIR(st.st_mode) ){
    return S_ISREG(st.st_mode) ? killCopyFile(zFrom, zTo) : 0;
  }
  if( mkdir(zTo, 0777)!=0 && errno!=EEXIST ) return -1;
  d = opendir(zFrom);
  if( d==0 ) return -1;
  while( (pEnt = readdir(d))!=0 ){
    char zA[1024], zB[1024];
    if( strcmp(pEnt->d_name, ".")==0 || strcmp(pEnt->d_name, "..")==0 ){
      continue;
    }
    snprintf(zA, sizeof(zA), "%s/%s", zFrom, pEnt->d_name);
    snprintf(zB, sizeof(zB), "%s/%s", zTo, pEnt->d_name);
    if( killCopyTree(zA, zB) ) rc = -1;
  }
  closedir(d);
  return rc;
}

int killOpenDb(const char *zFile, sqlite3 **pDb){
  int rc = sqlite3_open_v2(zFile, pDb,
                           SQLITE_OPEN_READWRITE|SQLITE_OPEN_CREATE, 0);
  if( rc==SQLITE_OK ) rc = lsmvtabRegister(*pDb, 0, 0);
  if( rc!=SQLITE_OK ){
    sqlite3_close(*pDb);
    *pDb = 0;
  }
  return rc;
}

int killTableExists(sqlite3 *db, const char *zName){
  sqlite3_stmt *pStmt = 0;
  int rc = sqlite3_prepare_v2(db,
      "SELECT 1 FROM sqlite_schema WHERE type='table' AND name=?1", -1,
      &pStmt, 0);
  int iRet = -1;
  if( rc==SQLITE_OK ){
    sqlite3_bind_text(pStmt, 1, zName, -1, SQLITE_STATIC);
    rc = sqlite3_step(pStmt);
    if( rc==SQLITE_ROW ) iRet = 1;
    else if( rc==SQLITE_DONE ) iRet = 0;
  }
  sqlite3_finalize(pStmt);
  return iRet;
}

int killQueryText(sqlite3 *db, const char *zSql, char *zOut, int nOut){
  sqlite3_stmt *pStmt = 0;
  int rc = sqlite3_prepare_v2(db, zSql, -1, &pStmt, 0);
  if( nOut>0 ) zOut[0] = '\0';
  if( rc==SQLITE_OK ){
    rc = sqlite3_step(pStmt);
    if( rc==SQLITE_ROW ){
      const unsigned char *z = sqlite3_column_text(pStmt, 0);
      if( z && nOut>0 ) snprintf(zOut, (size_t)nOut, "%s", (const char*)z);
      rc = SQLITE_OK;
    }else if( rc==SQLITE_DONE ){
      rc = SQLITE_OK;
    }
  }
  sqlite3_finalize(pStmt);
  return rc;
}

int killExists(const char *zPath){
  struct stat st;
  return lstat(zPath, &st)==0;
}

int killStoreLeft(const char *zDir, char *zOut, int nOut){
  DIR *d = opendir(zDir);
  struct dirent *pEnt;
  int bFound = 0;
  while( d && !bFound && (pEnt = readdir(d))!=0 ){
    const char *z = pEnt->d_name;
    size_t n = strlen(z);
    if( strcmp(z, "IDENTITY")==0 || strcmp(z, "CURRENT")==0
     || strcmp(z, "LOCK")==0
     || (n>4 && (strcmp(&z[n-4], ".sst")==0 || strcmp(&z[n-4], ".log")==0)) ){
      snprintf(zOut, (size_t)nOut, "%s", z);
      bFound = 1;
    }
  }
  if( d ) closedir(d);
  return bFound;
}
