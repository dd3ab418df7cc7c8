/*
** testutil.c -- helpers for the Check suites (see testutil.h).  Tests may
** call the C library and POSIX directly; the engine itself never does.
*/
#include "testutil.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

void testDirNew(TestDir *p, const char *zTag){
  const char *zTmp = getenv("TMPDIR");
  snprintf(p->zPath, sizeof(p->zPath), "%s/lsmc_%s_XXXXXX",
           (zTmp && zTmp[0]) ? zTmp : "/tmp", zTag);
  if( mkdtemp(p->zPath)==0 ){
    perror("mkdtemp");
    abort();
  }
}

void testRemoveTree(const char *zPath){
  struct stat st;
  if( lstat(zPath, &st)!=0 ) return;
  if( S_ISDIR(st.st_mode) ){
    DIR *d = opendir(zPath);
    struct dirent *pEnt;
    while( d && (pEnt = readdir(d))!=0 ){
      char zChild[1024];
      if( strcmp(pEnt->d_name, ".")==0 || strcmp(pEnt->d_name, "..")==0 ){
        continue;
      }
      snprintf(zChild, sizeof(zChild), "%s/%s", zPath, pEnt->d_name);
      testRemoveTree(zChild);
    }
    if( d ) closedir(d);
    rmdir(zPath);
  }else{
    unlink(zPath);
  }
}

void testDirFree(TestDir *p){
  testRemoveTree(p->zPath);
}

void testDirPath(const TestDir *p, const char *zName, char *zOut, size_t nOut){
  snprintf(zOut, nOut, "%s/%s", p->zPath, zName);
}

void testRngSeed(TestRng *p, uint64_t seed){
  p->s = seed*0x9E3779B97F4A7C15ULL + 0x2545F4914F6CDD1DULL;
  if( p->s==0 ) p->s = 1;
}

uint64_t testRngNext(TestRng *p){
  uint64_t x = p->s;
  x ^= x >> 12;
  x ^= x << 25;
  x ^= x >> 27;
  p->s = x;
  return x * 0x2545F4914F6CDD1DULL;
}

uint32_t testRngBelow(TestRng *p, uint32_t n){
  return n ? (uint32_t)((testRngNext(p) >> 32) % n) : 0;
}

static void *testMemMalloc(lsmc_env *pEnv, size_t n){
  TestMem *p = (TestMem*)pEnv;
  if( p->nFailAt>0 && --p->nFailAt==0 ) return 0;
  p->nLive++;
  return malloc(n);
}

static void *testMemRealloc(lsmc_env *pEnv, void *pOld, size_t n){
  TestMem *p = (TestMem*)pEnv;
  if( pOld==0 ) return testMemMalloc(pEnv, n);
  if( p->nFailAt>0 && --p->nFailAt==0 ) return 0;
  return realloc(pOld, n);
}

static void testMemFree(lsmc_env *pEnv, void *pOld){
  TestMem *p = (TestMem*)pEnv;
  if( pOld ){ p->nLive--; free(pOld); }
}

void testMemInit(TestMem *p){
  memset(p, 0, sizeof(*p));
  p->base.iVersion = 1;
  p->base.xMalloc = testMemMalloc;
  p->base.xRealloc = testMemRealloc;
  p->base.xFree = testMemFree;
}

int testKeyCmp(const unsigned char *a, int na, const unsigned char *b, int nb){
  int n = na<nb ? na : nb;
  int c = n ? memcmp(a, b, (size_t)n) : 0;
  return c ? c : (na - nb);
}

int testKeyDomain(TestRng *pRng, unsigned char *aKey, int nStride, int *anKey,
                  int nHave, int nWant, int nMaxLen,
                  const unsigned char *aAlpha, int nAlpha){
  unsigned char *aTmp = malloc((size_t)nStride);
  int n = nHave;
  int i, j;
  while( n<nWant ){
    unsigned char *pNew = &aKey[n*nStride];
    int nLen = 1 + (int)testRngBelow(pRng, (uint32_t)nMaxLen);
    int bDup = 0;
    for(j=0; j<nLen; j++) pNew[j] = aAlpha[testRngBelow(pRng, (uint32_t)nAlpha)];
    for(j=0; j<n && !bDup; j++){
      bDup = testKeyCmp(&aKey[j*nStride], anKey[j], pNew, nLen)==0;
    }
    if( !bDup ) anKey[n++] = nLen;
  }
  for(i=1; i<n; i++){                      /* insertion sort */
    for(j=i; j>0 && testKeyCmp(&aKey[(j-1)*nStride], anKey[j-1],
                               &aKey[j*nStride], anKey[j])>0; j--){
      int nTmp = anKey[j];
      memcpy(aTmp, &aKey[j*nStride], (size_t)nStride);
      memcpy(&aKey[j*nStride], &aKey[(j-1)*nStride], (size_t)nStride);
      memcpy(&aKey[(j-1)*nStride], aTmp, (size_t)nStride);
      anKey[j] = anKey[j-1];
      anKey[j-1] = nTmp;
    }
  }
  free(aTmp);
  return n;
}

int testFindFile(const char *zDir, const char *zPrefix, const char *zSuffix,
                 char *zOut, size_t nOut){
  DIR *d = opendir(zDir);
  struct dirent *pEnt;
  size_t nPrefix = strlen(zPrefix), nSuffix = strlen(zSuffix);
  int n = 0;
  while( d && (pEnt = readdir(d))!=0 ){
    size_t nName = strlen(pEnt->d_name);
    if( strcmp(pEnt->d_name, ".")==0 || strcmp(pEnt->d_name, "..")==0 ) continue;
    if( nName>=nPrefix+nSuffix && strncmp(pEnt->d_name, zPrefix, nPrefix)==0
     && strcmp(&pEnt->d_name[nName-nSuffix], zSuffix)==0 ){
      snprintf(zOut, nOut, "%s/%s", zDir, pEnt->d_name);
      n++;
    }
  }
  if( d ) closedir(d);
  return n;
}

long long testFileSize(const char *zPath){
  struct stat st;
  return stat(zPath, &st)==0 ? (long long)st.st_size : -1;
}

int testCountFiles(const char *zDir, const char *zSuffix){
  DIR *d = opendir(zDir);
  struct dirent *pEnt;
  size_t nSuffix = strlen(zSuffix);
  int n = 0;
  while( d && (pEnt = readdir(d))!=0 ){
    size_t nName = strlen(pEnt->d_name);
    if( strcmp(pEnt->d_name, ".")==0 || strcmp(pEnt->d_name, "..")==0 ) continue;
    if( nName>=nSuffix && strcmp(&pEnt->d_name[nName-nSuffix], zSuffix)==0 ){
      n++;
    }
  }
  if( d ) closedir(d);
  return n;
}
