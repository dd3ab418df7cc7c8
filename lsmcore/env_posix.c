/*
** env_posix.c -- the POSIX implementation of struct lsmc_env, and the only
** file of the engine that makes system calls.
**
** The env object is a const, stateless method table (posixEnv below):
** lsmc_default_env() and lsmcPosixEnv() both return it with the const
** cast away, and nothing ever writes through that pointer (the object
** lives in read-only memory, so a stray write faults at once).  Every
** open file is a PosixFile: a descriptor plus the env that allocated the
** handle, which xClose/xUnlock use to free it.  Every descriptor is opened
** with O_CLOEXEC.  Files opened with LSMC_OPEN_CREATE are created or
** truncated and opened O_RDWR|O_APPEND, so they can be read back while
** they are written; LSMC_OPEN_READONLY opens an existing file O_RDONLY.
**
** Errors: errno is translated in one place, posixErrorAt(): ENOENT becomes
** LSMC_IOERR_NOENT, ENOSPC and EDQUOT become LSMC_FULL, anything else is
** LSMC_IOERR reported with the line that detected it (the _BKPT idea).
** EINTR is retried everywhere; short reads and writes are continued.
**
** Locking: xLock takes flock(LOCK_EX|LOCK_NB) on the LOCK file.  flock
** locks belong to an open file description, so a second xLock on the same
** path -- from another process or from this one -- gets LSMC_BUSY.
**
** Thread safety: the env has no state; a PosixFile may be used by several
** threads at once for xRead (pread), but xAppend calls on one file must be
** serialised by the caller.
*/
#include "env.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <time.h>
#include <unistd.h>

/*
** An open file or a held lock.  Cast to and from lsmc_file*.
*/
typedef struct PosixFile PosixFile;
struct PosixFile {
  lsmc_env *pEnv;     /* Env that allocated this handle (frees it) */
  int fd;             /* Open descriptor, O_CLOEXEC */
};

#define POSIX_ERROR()  posixErrorAt(errno, __LINE__)

/*
** Translate errno value iErr, seen at line iLine, into an LSMC_* code.
*/
static int posixErrorAt(int iErr, int iLine){
  switch( iErr ){
    case ENOENT:  return LSMC_IOERR_NOENT;
#ifdef EDQUOT
    case EDQUOT:  /* fall through: a full quota is a full disk */
#endif
    case ENOSPC:  return LSMC_FULL;
    default:      break;
  }
  return lsmcReportError(LSMC_IOERR, __FILE__, iLine);
}

/*
** open(2), retried on EINTR.  Returns the descriptor or -1 (errno set).
*/
static int posixOpenFd(const char *zPath, int oflags, mode_t mode){
  int fd;
  do{
    fd = open(zPath, oflags|O_CLOEXEC, mode);
  }while( fd<0 && errno==EINTR );
  return fd;
}

/*
** Wrap descriptor fd in a new PosixFile allocated from pEnv.  On OOM the
** descriptor is closed.
*/
static int posixWrapFd(lsmc_env *pEnv, int fd, lsmc_file **ppFile){
  PosixFile *p = lsmcMalloc(pEnv, sizeof(PosixFile));
  if( p==0 ){
    close(fd);
    *ppFile = 0;
    return LSMC_NOMEM;
  }
  p->pEnv = pEnv;
  p->fd = fd;
  *ppFile = (lsmc_file*)p;
  return LSMC_OK;
}

/*
** Open zPath: read-only for an existing file, or created/truncated for
** appending (readable too) with LSMC_OPEN_CREATE.
*/
static int posixOpen(lsmc_env *pEnv, const char *zPath, int flags,
                     lsmc_file **ppFile){
  int oflags;
  int fd;
  *ppFile = 0;
  if( flags & LSMC_OPEN_CREATE ){
    oflags = O_RDWR|O_CREAT|O_TRUNC|O_APPEND;
  }else{
    oflags = O_RDONLY;
  }
  fd = posixOpenFd(zPath, oflags, 0644);
  if( fd<0 ) return POSIX_ERROR();
  return posixWrapFd(pEnv, fd, ppFile);
}

/*
** pread until nBuf bytes are read or EOF is reached.
*/
static int posixRead(lsmc_file *pFile, u64 iOff, void *pBuf, size_t nBuf,
                     size_t *pnRead){
  PosixFile *p = (PosixFile*)pFile;
  size_t nDone = 0;
  while( nDone<nBuf ){
    ssize_t n = pread(p->fd, (u8*)pBuf + nDone, nBuf - nDone,
                      (off_t)(iOff + nDone));
    if( n<0 ){
      if( errno==EINTR ) continue;
      *pnRead = nDone;
      return POSIX_ERROR();
    }
    if( n==0 ) break;           /* EOF */
    nDone += (size_t)n;
  }
  *pnRead = nDone;
  return LSMC_OK;
}

/*
** write() the whole buffer at the end of the file, continuing after
** partial writes and EINTR.
*/
static int posixAppend(lsmc_file *pFile, const void *pData, size_t nData){
  PosixFile *p = (PosixFile*)pFile;
  size_t nDone = 0;
  while( nDone<nData ){
    ssize_t n = write(p->fd, (const u8*)pData + nDone, nData - nDone);
    if( n<0 ){
      if( errno==EINTR ) continue;
      return POSIX_ERROR();
    }
    nDone += (size_t)n;
  }
  return LSMC_OK;
}

static int posixSync(lsmc_file *pFile){
  PosixFile *p = (PosixFile*)pFile;
  int r;
  do{
    r = fdatasync(p->fd);
  }while( r<0 && errno==EINTR );
  return r<0 ? POSIX_ERROR() : LSMC_OK;
}

static int posixSize(lsmc_file *pFile, u64 *pnByte){
  PosixFile *p = (PosixFile*)pFile;
  struct stat st;
  if( fstat(p->fd, &st)<0 ){
    *pnByte = 0;
    return POSIX_ERROR();
  }
  *pnByte = (u64)st.st_size;
  return LSMC_OK;
}

static int posixTruncate(lsmc_file *pFile, u64 nByte){
  PosixFile *p = (PosixFile*)pFile;
  int r;
  do{
    r = ftruncate(p->fd, (off_t)nByte);
  }while( r<0 && errno==EINTR );
  return r<0 ? POSIX_ERROR() : LSMC_OK;
}

/*
** Close the descriptor and free the handle, whatever close() says.  An
** EINTR from close() is not an error on Linux (the descriptor is gone).
*/
static int posixClose(lsmc_file *pFile){
  PosixFile *p = (PosixFile*)pFile;
  int rc = LSMC_OK;
  if( p==0 ) return LSMC_OK;
  if( close(p->fd)<0 && errno!=EINTR ) rc = POSIX_ERROR();
  lsmcFree(p->pEnv, p);
  return rc;
}

/*
** Create directory zDir (mode 0755).  An existing directory is success;
** an existing non-directory is an error.
*/
static int posixMkdir(lsmc_env *pEnv, const char *zDir){
  struct stat st;
  LSMC_UNUSED(pEnv);
  if( mkdir(zDir, 0755)==0 ) return LSMC_OK;
  if( errno!=EEXIST ) return POSIX_ERROR();
  if( stat(zDir, &st)<0 ) return POSIX_ERROR();
  return S_ISDIR(st.st_mode) ? LSMC_OK : LSMC_IOERR_BKPT;
}

static int posixRmdir(lsmc_env *pEnv, const char *zDir){
  LSMC_UNUSED(pEnv);
  return rmdir(zDir)<0 ? POSIX_ERROR() : LSMC_OK;
}

/*
** fsync a directory, making the creates, renames and removes in it
** durable.  Some file systems refuse fsync on a directory with EINVAL;
** that is taken to mean there is nothing to sync.
*/
static int posixSyncDir(lsmc_env *pEnv, const char *zDir){
  int fd;
  int r;
  int rc = LSMC_OK;
  LSMC_UNUSED(pEnv);
  fd = posixOpenFd(zDir, O_RDONLY|O_DIRECTORY, 0);
  if( fd<0 ) return POSIX_ERROR();
  do{
    r = fsync(fd);
  }while( r<0 && errno==EINTR );
  if( r<0 && errno!=EINVAL ) rc = POSIX_ERROR();
  close(fd);
  return rc;
}

static int posixRename(lsmc_env *pEnv, const char *zFrom, const char *zTo){
  LSMC_UNUSED(pEnv);
  return rename(zFrom, zTo)<0 ? POSIX_ERROR() : LSMC_OK;
}

static int posixRemove(lsmc_env *pEnv, const char *zPath){
  LSMC_UNUSED(pEnv);
  return unlink(zPath)<0 ? POSIX_ERROR() : LSMC_OK;
}

static int posixExists(lsmc_env *pEnv, const char *zPath, int *pbExists){
  struct stat st;
  LSMC_UNUSED(pEnv);
  *pbExists = 0;
  if( stat(zPath, &st)==0 ){
    *pbExists = 1;
    return LSMC_OK;
  }
  return errno==ENOENT ? LSMC_OK : POSIX_ERROR();
}

/*
** Call xEntry for every name in zDir but "." and "..".  A non-zero
** return from xEntry stops the walk and is returned.
*/
static int posixList(lsmc_env *pEnv, const char *zDir,
                     int (*xEntry)(void*, const char*), void *pArg){
  DIR *pDir;
  int rc = LSMC_OK;
  LSMC_UNUSED(pEnv);
  pDir = opendir(zDir);
  if( pDir==0 ) return POSIX_ERROR();
  while( rc==LSMC_OK ){
    struct dirent *pEntry;
    errno = 0;
    pEntry = readdir(pDir);
    if( pEntry==0 ){
      if( errno!=0 ) rc = POSIX_ERROR();
      break;
    }
    if( strcmp(pEntry->d_name, ".")==0 || strcmp(pEntry->d_name, "..")==0 ){
      continue;
    }
    rc = xEntry(pArg, pEntry->d_name);
  }
  closedir(pDir);
  return rc;
}

static int posixFileId(lsmc_env *pEnv, const char *zPath,
                       u64 *pDev, u64 *pIno){
  struct stat st;
  LSMC_UNUSED(pEnv);
  if( stat(zPath, &st)<0 ) return POSIX_ERROR();
  *pDev = (u64)st.st_dev;
  *pIno = (u64)st.st_ino;
  return LSMC_OK;
}

/*
** Open (creating if needed) the lock file zPath and take an exclusive,
** non-blocking flock on it.  LSMC_BUSY if someone holds it, including
** another open file description of this process.
*/
static int posixLock(lsmc_env *pEnv, const char *zPath, lsmc_file **ppLock){
  int fd;
  int r;
  *ppLock = 0;
  fd = posixOpenFd(zPath, O_RDWR|O_CREAT, 0644);
  if( fd<0 ) return POSIX_ERROR();
  do{
    r = flock(fd, LOCK_EX|LOCK_NB);
  }while( r<0 && errno==EINTR );
  if( r<0 ){
    int iErr = errno;
    close(fd);
    if( iErr==EWOULDBLOCK ) return LSMC_BUSY;
    return posixErrorAt(iErr, __LINE__);
  }
  return posixWrapFd(pEnv, fd, ppLock);
}

/*
** Release the lock and free the handle.  Closing the descriptor releases
** the flock anyway; the explicit LOCK_UN documents the intent.
*/
static int posixUnlock(lsmc_env *pEnv, lsmc_file *pLock){
  PosixFile *p = (PosixFile*)pLock;
  int rc = LSMC_OK;
  LSMC_UNUSED(pEnv);
  if( p==0 ) return LSMC_OK;
  if( flock(p->fd, LOCK_UN)<0 ) rc = POSIX_ERROR();
  if( close(p->fd)<0 && errno!=EINTR && rc==LSMC_OK ) rc = POSIX_ERROR();
  lsmcFree(p->pEnv, p);
  return rc;
}

static void *posixMalloc(lsmc_env *pEnv, size_t n){
  LSMC_UNUSED(pEnv);
  return malloc(n);
}

static void *posixRealloc(lsmc_env *pEnv, void *p, size_t n){
  LSMC_UNUSED(pEnv);
  return realloc(p, n);
}

static void posixFree(lsmc_env *pEnv, void *p){
  LSMC_UNUSED(pEnv);
  free(p);
}

static u64 posixNowMicros(lsmc_env *pEnv){
  struct timespec ts;
  LSMC_UNUSED(pEnv);
  clock_gettime(CLOCK_REALTIME, &ts);
  return (u64)ts.tv_sec*1000000 + (u64)ts.tv_nsec/1000;
}

/*
** Sleep nMicros microseconds, resuming after signals.
*/
static void posixSleep(lsmc_env *pEnv, u64 nMicros){
  struct timespec ts;
  LSMC_UNUSED(pEnv);
  ts.tv_sec = (time_t)(nMicros / 1000000);
  ts.tv_nsec = (long)(nMicros % 1000000) * 1000;
  while( nanosleep(&ts, &ts)<0 && errno==EINTR ){}
}

/*
** The env.  Const: it has no state, and nothing may write through the
** non-const pointers handed out below.
*/
static const lsmc_env posixEnv = {
  1,                  /* iVersion */
  0,                  /* pCtx */
  posixOpen,          /* xOpen */
  posixRead,          /* xRead */
  posixAppend,        /* xAppend */
  posixSync,          /* xSync */
  posixSize,          /* xSize */
  posixTruncate,      /* xTruncate */
  posixClose,         /* xClose */
  posixMkdir,         /* xMkdir */
  posixRmdir,         /* xRmdir */
  posixSyncDir,       /* xSyncDir */
  posixRename,        /* xRename */
  posixRemove,        /* xRemove */
  posixExists,        /* xExists */
  posixList,          /* xList */
  posixFileId,        /* xFileId */
  posixLock,          /* xLock */
  posixUnlock,        /* xUnlock */
  posixMalloc,        /* xMalloc */
  posixRealloc,       /* xRealloc */
  posixFree,          /* xFree */
  posixNowMicros,     /* xNowMicros */
  posixSleep,         /* xSleep */
};

lsmc_env *lsmcPosixEnv(void){
  return (lsmc_env*)&posixEnv;
}

lsmc_env *lsmc_default_env(void){
  return (lsmc_env*)&posixEnv;
}
