/*
** replay.c -- runs a libFuzzer target without libFuzzer (TESTPLAN F1, the
** "make check" half, like SQLite's fuzzcheck): LLVMFuzzerTestOneInput is
** called once on every file of the given files and directories, so the
** committed seed corpus and every kept crash reproducer are replayed by
** each ordinary build (plain, and ASan+UBSan).
**
** Usage:
**     replay_<name> [FILE|DIR]...   replay these
**     replay_<name>                 replay $srcdir/test/fuzz/corpus/<name>
**                                   and $srcdir/test/fuzz/crashes/<name>
**                                   (<name> is LSMV_FUZZ_TARGET, set when
**                                   compiling; srcdir defaults to ".")
**     replay_<name> --make-seed DIR write the target's generated seeds
**                                   (fuzzMakeSeeds, if it has one) to DIR
**
** Pass bar: every input returns (a failed invariant aborts, a sanitizer
** report exits non-zero), and at least one input was found when the
** default directories are used (an empty corpus is a failure: the replay
** would prove nothing).  The path of each input is printed before it runs,
** so the last path printed names the input of a failure.  The final line
** is "N passed, N failed".
*/
#include "fuzzutil.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#ifndef LSMV_FUZZ_TARGET
# define LSMV_FUZZ_TARGET "unknown"
#endif

/* Optional: a target may define this to write seed inputs into zDir. */
int fuzzMakeSeeds(const char *zDir) __attribute__((weak));

/* Counters of the run. */
typedef struct Replay Replay;
struct Replay {
  int nPass;                      /* Inputs replayed */
  int nFail;                      /* Inputs that could not be read */
};

/*
** Replay the file zPath.
*/
static void replayFile(Replay *p, const char *zPath){
  FILE *f = fopen(zPath, "rb");
  unsigned char *a = 0;
  long n = -1;
  if( f && fseek(f, 0, SEEK_END)==0 ) n = ftell(f);
  if( f && n>=0 && fseek(f, 0, SEEK_SET)==0 ){
    a = malloc((size_t)n + 1);
    if( a && fread(a, 1, (size_t)n, f)!=(size_t)n ){
      free(a);
      a = 0;
    }
  }
  if( f ) fclose(f);
  if( a==0 ){
    fprintf(stderr, "replay: cannot read %s\n", zPath);
    p->nFail++;
    return;
  }
  fprintf(stderr, "replay %s (%ld bytes)\n", zPath, n);
  /* A copy of exactly n bytes, so that ASan sees any read past the end. */
  {
    unsigned char *aExact = malloc(n ? (size_t)n : 1);
    if( aExact==0 ){
      free(a);
      p->nFail++;
      return;
    }
    memcpy(aExact, a, (size_t)n);
    LLVMFuzzerTestOneInput(aExact, (size_t)n);
    free(aExact);
  }
  free(a);
  p->nPass++;
}

/* qsort comparator for directory entries. */
static int replayCmp(const void *a, const void *b){
  return strcmp(*(char*const*)a, *(char*const*)b);
}

/*
** Replay zPath: a file, or every regular file of a directory (sorted, not
** recursive, hidden files skipped).  A missing path is skipped if
** bOptional, else a failure.
*/
static void replayPath(Replay *p, const char *zPath, int bOptional){
  struct stat st;
  DIR *pDir;
  struct dirent *pEnt;
  char **azName = 0;
  int nName = 0, i;
  if( stat(zPath, &st) ){
    if( !bOptional ){
      fprintf(stderr, "replay: %s: %s\n", zPath, strerror(errno));
      p->nFail++;
    }
    return;
  }
  if( !S_ISDIR(st.st_mode) ){
    replayFile(p, zPath);
    return;
  }
  pDir = opendir(zPath);
  if( pDir==0 ){
    p->nFail++;
    return;
  }
  while( (pEnt = readdir(pDir))!=0 ){
    char **azNew;
    if( pEnt->d_name[0]=='.' ) continue;
    azNew = realloc(azName, sizeof(char*)*(size_t)(nName+1));
    if( azNew==0 ) break;
    azName = azNew;
    azName[nName] = malloc(strlen(zPath) + strlen(pEnt->d_name) + 2);
    if( azName[nName]==0 ) break;
    sprintf(azName[nName], "%s/%s", zPath, pEnt->d_name);
    nName++;
  }
  closedir(pDir);
  qsort(azName, (size_t)nName, sizeof(char*), replayCmp);
  for(i=0; i<nName; i++){
    if( stat(azName[i], &st)==0 && S_ISREG(st.st_mode) ){
      replayFile(p, azName[i]);
    }
    free(azName[i]);
  }
  free(azName);
}

int main(int argc, char **argv){
  Replay r = {0, 0};
  int i;
  if( argc==3 && strcmp(argv[1], "--make-seed")==0 ){
    if( fuzzMakeSeeds==0 ){
      fprintf(stderr, "replay: target %s has no seed generator\n",
              LSMV_FUZZ_TARGET);
      return 1;
    }
    return fuzzMakeSeeds(argv[2]);
  }
  if( argc>1 ){
    for(i=1; i<argc; i++) replayPath(&r, argv[i], 0);
  }else{
    const char *zSrc = getenv("srcdir");
    char zPath[4096];
    if( zSrc==0 || zSrc[0]==0 ) zSrc = ".";
    snprintf(zPath, sizeof(zPath), "%s/test/fuzz/corpus/%s",
             zSrc, LSMV_FUZZ_TARGET);
    replayPath(&r, zPath, 0);
    if( r.nPass==0 ){
      fprintf(stderr, "replay: no input in %s\n", zPath);
      r.nFail++;
    }
    snprintf(zPath, sizeof(zPath), "%s/test/fuzz/crashes/%s",
             zSrc, LSMV_FUZZ_TARGET);
    replayPath(&r, zPath, 1);
  }
  printf("%d passed, %d failed\n", r.nPass, r.nFail);
  return r.nFail ? 1 : 0;
}
