/*
** filename.c -- builds and parses the names of a store's files (the list
** is in filename.h).  Parsing is strict: a name is ours only if it matches
** a pattern exactly, so that foreign files in a store directory are never
** mistaken for ours (and never deleted).
*/
#include "filename.h"

#include <stdio.h>

char *lsmcFileName(lsmc_env *pEnv, const char *zDir, int eType, u64 iNum){
  unsigned long long n = (unsigned long long)iNum;
  switch( eType ){
    case LSMC_FILE_WAL:      return lsmcMprintf(pEnv, "%s/%06llu.log", zDir, n);
    case LSMC_FILE_SST:      return lsmcMprintf(pEnv, "%s/%06llu.sst", zDir, n);
    case LSMC_FILE_TEMP:     return lsmcMprintf(pEnv, "%s/%06llu.tmp", zDir, n);
    case LSMC_FILE_MANIFEST: return lsmcMprintf(pEnv, "%s/MANIFEST-%06llu", zDir, n);
    case LSMC_FILE_CURRENT:  return lsmcMprintf(pEnv, "%s/CURRENT", zDir);
    case LSMC_FILE_IDENTITY: return lsmcMprintf(pEnv, "%s/IDENTITY", zDir);
    case LSMC_FILE_LOCK:     return lsmcMprintf(pEnv, "%s/LOCK", zDir);
  }
  assert( 0 );
  return 0;
}

/*
** Parse a run of at least six decimal digits at z.  Return the number of
** digits consumed (0 if fewer than six or the value overflows).
*/
static int fileParseNumber(const char *z, u64 *piNum){
  u64 v = 0;
  int i;
  for(i=0; z[i]>='0' && z[i]<='9'; i++){
    if( v > (UINT64_MAX - 9)/10 ) return 0;
    v = v*10 + (u64)(z[i]-'0');
  }
  if( i<6 ) return 0;
  *piNum = v;
  return i;
}

int lsmcParseFileName(const char *zName, int *peType, u64 *piNum){
  static const struct { const char *zSuffix; int eType; } aSuffix[] = {
    { ".log", LSMC_FILE_WAL },
    { ".sst", LSMC_FILE_SST },
    { ".tmp", LSMC_FILE_TEMP },
  };
  static const struct { const char *zName; int eType; } aFixed[] = {
    { "CURRENT",  LSMC_FILE_CURRENT },
    { "IDENTITY", LSMC_FILE_IDENTITY },
    { "LOCK",     LSMC_FILE_LOCK },
  };
  u64 iNum = 0;
  int n;
  size_t i;

  for(i=0; i<sizeof(aFixed)/sizeof(aFixed[0]); i++){
    if( strcmp(zName, aFixed[i].zName)==0 ){
      *peType = aFixed[i].eType;
      *piNum = 0;
      return 1;
    }
  }
  if( strncmp(zName, "MANIFEST-", 9)==0 ){
    n = fileParseNumber(&zName[9], &iNum);
    if( n>0 && zName[9+n]=='\0' ){
      *peType = LSMC_FILE_MANIFEST;
      *piNum = iNum;
      return 1;
    }
    return 0;
  }
  n = fileParseNumber(zName, &iNum);
  if( n==0 ) return 0;
  for(i=0; i<sizeof(aSuffix)/sizeof(aSuffix[0]); i++){
    if( strcmp(&zName[n], aSuffix[i].zSuffix)==0 ){
      *peType = aSuffix[i].eType;
      *piNum = iNum;
      return 1;
    }
  }
  return 0;
}
