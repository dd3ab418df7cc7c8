/*
** error.c -- return-code texts, the _BKPT reporter, and the allocation
** wrappers that route every allocation through the env (so that tests can
** inject out-of-memory faults).
**
** lsmcReportError() prints the file and line where an error was detected
** to stderr when the LSMC_DEBUG_ERRORS environment variable is set at
** build time (-DLSMC_DEBUG_ERRORS); otherwise it only returns its code.
** A debugger breakpoint on it finds the origin of any CORRUPT or IOERR.
*/
#include "lsmcInt.h"

#include <stdarg.h>
#include <stdio.h>

int lsmcReportError(int rc, const char *zFile, int iLine){
#ifdef LSMC_DEBUG_ERRORS
  fprintf(stderr, "lsmcore: %s at %s:%d\n", lsmc_errstr(rc), zFile, iLine);
#else
  LSMC_UNUSED(zFile);
  LSMC_UNUSED(iLine);
#endif
  return rc;
}

const char *lsmc_errstr(int rc){
  switch( LSMC_PRIMARY(rc) ){
    case LSMC_OK:        return "not an error";
    case LSMC_ERROR:     return "error";
    case LSMC_BUSY:      return "store is locked by another process";
    case LSMC_NOMEM:     return "out of memory";
    case LSMC_IOERR:
      if( rc==LSMC_IOERR_NOENT ) return "no such file";
      if( rc==LSMC_IOERR_SHORT ) return "file is shorter than expected";
      return "disk I/O error";
    case LSMC_CORRUPT:   return "store is damaged";
    case LSMC_NOTFOUND:  return "not found";
    case LSMC_FULL:      return "disk is full";
    case LSMC_CANTOPEN:  return "cannot open store";
    case LSMC_MISUSE:    return "API misuse";
  }
  return "unknown error";
}

void *lsmcMalloc(lsmc_env *pEnv, size_t n){
  return pEnv->xMalloc(pEnv, n ? n : 1);
}

void *lsmcMallocZero(lsmc_env *pEnv, size_t n){
  void *p = lsmcMalloc(pEnv, n);
  if( p ) memset(p, 0, n);
  return p;
}

void *lsmcRealloc(lsmc_env *pEnv, void *p, size_t n){
  return pEnv->xRealloc(pEnv, p, n ? n : 1);
}

void lsmcFree(lsmc_env *pEnv, void *p){
  if( p ) pEnv->xFree(pEnv, p);
}

char *lsmcStrdup(lsmc_env *pEnv, const char *z){
  size_t n = strlen(z) + 1;
  char *zNew = lsmcMalloc(pEnv, n);
  if( zNew ) memcpy(zNew, z, n);
  return zNew;
}

char *lsmcMprintf(lsmc_env *pEnv, const char *zFmt, ...){
  va_list ap;
  int n;
  char *z;
  va_start(ap, zFmt);
  n = vsnprintf(0, 0, zFmt, ap);
  va_end(ap);
  if( n<0 ) return 0;
  z = lsmcMalloc(pEnv, (size_t)n + 1);
  if( z==0 ) return 0;
  va_start(ap, zFmt);
  (void)vsnprintf(z, (size_t)n + 1, zFmt, ap);    /* fits: measured above */
  va_end(ap);
  return z;
}
