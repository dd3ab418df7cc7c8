/*
** env.c -- small helpers built only on the lsmc_env method table: read a
** small file whole, replace a small file atomically, read an exact range.
**
** They make no system calls of their own (env_posix.c does), so they work
** unchanged over any env, including the fault-injecting test env.  The
** atomic write is the classic sequence: write a temporary file, sync it,
** rename it over the target, sync the directory.  After a crash at any
** point the target holds either its old or its new contents, never a mix.
**
** Thread safety: the helpers keep no state; callers serialise writers of
** the same path.
*/
#include "env.h"
#include "coding.h"
#include "crashpoint.h"

/*
** Read the whole of zPath (at most nMax bytes) into pBuf.  The file is
** read until EOF rather than trusting xSize, so a file that grows while
** it is read is still bounded by nMax.
*/
int lsmcEnvReadFile(lsmc_env *pEnv, const char *zPath, size_t nMax,
                    LsmcBuf *pBuf){
  lsmc_file *pFile = 0;
  u64 nSize = 0;
  int rc;

  pBuf->n = 0;
  rc = LSMC_ENV(pEnv->xOpen(pEnv, zPath, LSMC_OPEN_READONLY, &pFile));
  if( rc==LSMC_OK ) rc = LSMC_ENV(pEnv->xSize(pFile, &nSize));
  if( rc==LSMC_OK && nSize>nMax ) rc = LSMC_CORRUPT_BKPT;
  if( rc==LSMC_OK ) lsmcBufReserve(&rc, pBuf, (size_t)nSize + 1);
  while( rc==LSMC_OK ){
    size_t nRead = 0;
    size_t nRoom = pBuf->nAlloc - pBuf->n;
    rc = LSMC_ENV(pEnv->xRead(pFile, pBuf->n, pBuf->a + pBuf->n, nRoom, &nRead));
    if( rc!=LSMC_OK ) break;
    pBuf->n += nRead;
    if( pBuf->n>nMax ){
      rc = LSMC_CORRUPT_BKPT;
    }else if( nRead<nRoom ){
      break;                        /* EOF */
    }else{
      lsmcBufReserve(&rc, pBuf, 4096);
    }
  }
  if( pFile ) LSMC_ENV(pEnv->xClose(pFile));
  if( rc!=LSMC_OK ) pBuf->n = 0;
  return rc;
}

/*
** Write p[0..n) to zTmp and sync it.  The file is closed on every path.
*/
static int envWriteSynced(lsmc_env *pEnv, const char *zTmp,
                          const void *p, size_t n){
  lsmc_file *pFile = 0;
  int rc;
  int rc2;
  rc = LSMC_ENV(pEnv->xOpen(pEnv, zTmp, LSMC_OPEN_CREATE, &pFile));
  if( rc!=LSMC_OK ) return rc;
  if( n>0 ) rc = LSMC_ENV(pEnv->xAppend(pFile, p, n));
  if( rc==LSMC_OK ) rc = LSMC_ENV(pEnv->xSync(pFile));
  rc2 = LSMC_ENV(pEnv->xClose(pFile));
  if( rc==LSMC_OK ) rc = rc2;
  return rc;
}

/*
** Replace zPath with p[0..n): write and sync zTmp, rename it over zPath,
** sync zDir.  If anything before the rename fails, zTmp is removed (its
** removal error is ignored: the original error is what matters).  A
** failed directory sync is reported although the rename took place: the
** new contents are visible but not known to be durable.
*/
int lsmcEnvWriteFileAtomic(lsmc_env *pEnv, const char *zDir,
                           const char *zPath, const char *zTmp,
                           const void *p, size_t n){
  int rc = envWriteSynced(pEnv, zTmp, p, n);
  if( rc==LSMC_OK ){
    CRASHPOINT(CURRENT_TEMP_SYNCED);
    rc = LSMC_ENV(pEnv->xRename(pEnv, zTmp, zPath));
    CRASHPOINT(CURRENT_RENAMED);
    if( rc==LSMC_OK ){
      rc = LSMC_ENV(pEnv->xSyncDir(pEnv, zDir));
      CRASHPOINT(CURRENT_DIRSYNCED);
      return rc;
    }
  }
  LSMC_ENV(pEnv->xRemove(pEnv, zTmp));
  return rc;
}

/*
** Read exactly n bytes at iOff; a file that ends first is
** LSMC_IOERR_SHORT.
*/
int lsmcEnvReadExact(lsmc_env *pEnv, lsmc_file *pFile, u64 iOff,
                     void *pBuf, size_t n){
  size_t nRead = 0;
  int rc;
  rc = LSMC_ENV(pEnv->xRead(pFile, iOff, pBuf, n, &nRead));
  if( rc==LSMC_OK && nRead<n ){
    rc = lsmcReportError(LSMC_IOERR_SHORT, __FILE__, __LINE__);
  }
  return rc;
}

#ifdef LSMC_TESTHOOKS
/* Bounds of the "lsmc_env_sites" section, provided by the linker under
** the reserved names __start_/__stop_lsmc_env_sites (asm labels bind them
** to ordinary identifiers). */
extern LsmcEnvSite *aEnvSiteStart[] __asm__("__start_lsmc_env_sites")
  __attribute__((weak));
extern LsmcEnvSite *aEnvSiteStop[] __asm__("__stop_lsmc_env_sites")
  __attribute__((weak));

/*
** The env call sites compiled into this program (see LSMC_ENV in
** lsmcInt.h), in no particular order.
*/
LsmcEnvSite **lsmcEnvSites(int *pnSite){
  *pnSite = (int)(aEnvSiteStop - aEnvSiteStart);
  return aEnvSiteStart;
}
#endif

