/*
** crashpoint.c -- the registry behind CRASHPOINT() and the busy counters
** of test builds (crashpoint.h).  Compiled to nothing without
** LSMC_TESTHOOKS.
**
** State: one hit counter per point, the armed point and hit number, and
** whether the environment variable has been read.  Hits are counted with
** atomic increments, so a point reached by the background thread and by
** a writer at once counts both; exactly one of them sees the armed hit
** number and exits.  Arming (lsmcCrashPointSet, or the first hit reading
** LSMC_CRASHPOINT) is serialised by a mutex.
*/
#include "crashpoint.h"

#ifdef LSMC_TESTHOOKS

#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

/* Names and descriptions, in list order. */
#define CP_NAME_(NAME, zDoc) #NAME,
#define CP_DOC_(NAME, zDoc)  zDoc,
static const char *const azCpName[] = { LSMC_CRASHPOINT_LIST(CP_NAME_) };
static const char *const azCpDoc[] = { LSMC_CRASHPOINT_LIST(CP_DOC_) };
#undef CP_NAME_
#undef CP_DOC_

static char azCpLower[LSMC_CP_COUNT][48];    /* Lower-case names (cpMu) */
static unsigned long aCpHit[LSMC_CP_COUNT];  /* Hits (atomic) */
static int iCpArmed = -1;                    /* Armed point or -1 (atomic) */
static unsigned long nCpArmedHit = 0;        /* Hit that exits (atomic) */
static int bCpInit = 0;                      /* Armed from env/Set (atomic) */
static pthread_mutex_t cpMu = PTHREAD_MUTEX_INITIALIZER;

static int aBusyLocal[2];                    /* Busy counters by default */
static int *aBusy = aBusyLocal;              /* Where they live (atomic) */

/*
** Parse "name:hit" and arm it, zeroing the counters.  REQUIRES: cpMu.
*/
static int cpArm(const char *zSpec){
  const char *zColon;
  char zName[64];
  char *zEnd = 0;
  unsigned long nHit;
  int i, iPoint;

  for(i=0; i<LSMC_CP_COUNT; i++) __atomic_store_n(&aCpHit[i], 0, __ATOMIC_SEQ_CST);
  __atomic_store_n(&iCpArmed, -1, __ATOMIC_SEQ_CST);
  __atomic_store_n(&bCpInit, 1, __ATOMIC_RELEASE);
  if( zSpec==0 || zSpec[0]=='\0' ) return 0;
  zColon = strchr(zSpec, ':');
  if( zColon==0 || (size_t)(zColon-zSpec)>=sizeof(zName) ) return -1;
  memcpy(zName, zSpec, (size_t)(zColon-zSpec));
  zName[zColon-zSpec] = '\0';
  iPoint = lsmcCrashPointFind(zName);
  nHit = strtoul(zColon+1, &zEnd, 10);
  if( iPoint<0 || nHit==0 || zEnd==zColon+1 || *zEnd!='\0' ) return -1;
  __atomic_store_n(&nCpArmedHit, nHit, __ATOMIC_SEQ_CST);
  __atomic_store_n(&iCpArmed, iPoint, __ATOMIC_SEQ_CST);
  return 0;
}

int lsmcCrashPointSet(const char *zSpec){
  int rc;
  pthread_mutex_lock(&cpMu);
  rc = cpArm(zSpec ? zSpec : getenv("LSMC_CRASHPOINT"));
  pthread_mutex_unlock(&cpMu);
  return rc;
}

void lsmcCrashPoint(int iPoint){
  unsigned long n;
  if( iPoint<0 || iPoint>=LSMC_CP_COUNT ) return;
  if( !__atomic_load_n(&bCpInit, __ATOMIC_ACQUIRE) ){
    pthread_mutex_lock(&cpMu);
    if( !__atomic_load_n(&bCpInit, __ATOMIC_ACQUIRE) ){
      cpArm(getenv("LSMC_CRASHPOINT"));
    }
    pthread_mutex_unlock(&cpMu);
  }
  n = __atomic_add_fetch(&aCpHit[iPoint], 1, __ATOMIC_SEQ_CST);
  if( __atomic_load_n(&iCpArmed, __ATOMIC_SEQ_CST)==iPoint
   && n==__atomic_load_n(&nCpArmedHit, __ATOMIC_SEQ_CST) ){
    _exit(LSMC_CRASHPOINT_EXIT);
  }
}

const char *lsmcCrashPointName(int i){
  const char *z;
  char *zOut;
  int j;
  if( i<0 || i>=LSMC_CP_COUNT ) return 0;
  pthread_mutex_lock(&cpMu);
  zOut = azCpLower[i];
  if( zOut[0]=='\0' ){
    z = azCpName[i];
    for(j=0; z[j] && j<(int)sizeof(azCpLower[i])-1; j++){
      zOut[j] = (char)((z[j]>='A' && z[j]<='Z') ? z[j] - 'A' + 'a' : z[j]);
    }
    zOut[j] = '\0';
  }
  pthread_mutex_unlock(&cpMu);
  return zOut;
}

const char *lsmcCrashPointDoc(int i){
  return (i<0 || i>=LSMC_CP_COUNT) ? 0 : azCpDoc[i];
}

int lsmcCrashPointFind(const char *zName){
  int i;
  for(i=0; zName && i<LSMC_CP_COUNT; i++){
    if( strcasecmp(zName, azCpName[i])==0 ) return i;
  }
  return -1;
}

unsigned long lsmcCrashPointHits(int i){
  if( i<0 || i>=LSMC_CP_COUNT ) return 0;
  return __atomic_load_n(&aCpHit[i], __ATOMIC_SEQ_CST);
}

void lsmcTestBusyAdd(int eKind, int d){
  int *a = __atomic_load_n(&aBusy, __ATOMIC_ACQUIRE);
  if( eKind==LSMC_BUSY_FLUSH || eKind==LSMC_BUSY_COMPACT ){
    __atomic_add_fetch(&a[eKind], d, __ATOMIC_SEQ_CST);
  }
}

int lsmcTestBusy(void){
  int *a = __atomic_load_n(&aBusy, __ATOMIC_ACQUIRE);
  int bFlush = __atomic_load_n(&a[LSMC_BUSY_FLUSH], __ATOMIC_SEQ_CST)>0;
  int bCompact = __atomic_load_n(&a[LSMC_BUSY_COMPACT], __ATOMIC_SEQ_CST)>0;
  return bFlush | (bCompact<<1);
}

void lsmcTestBusyShare(int *aShared){
  int *aOld = __atomic_load_n(&aBusy, __ATOMIC_ACQUIRE);
  aShared[0] = aOld[0];
  aShared[1] = aOld[1];
  __atomic_store_n(&aBusy, aShared, __ATOMIC_RELEASE);
}

#else
/* Nothing without test hooks (ISO C wants a declaration in every file). */
typedef int lsmcCrashPointUnused;
#endif /* LSMC_TESTHOOKS */
