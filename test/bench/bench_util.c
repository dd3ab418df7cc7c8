/*
** bench_util.c -- the helpers db_bench and sql_bench share (see
** bench_util.h for what each does and the rules they follow: no state, no
** output of their own, errors returned to the caller).
**
** This file depends on libc only, so that sql_bench, which links neither
** lsmcore nor the peers, can use it.  The machine description reads
** /proc/cpuinfo and uname(); the directory sizes use fstatat() without
** following links; gnuplot runs through fork() and execlp(), never a
** shell, so file names reach it unchanged (they must not hold a quote,
** which would end gnuplot's string: benchRunGnuplot refuses them).
*/
#ifndef _GNU_SOURCE
# define _GNU_SOURCE     /* asprintf, mkdtemp, fstatat */
#endif
#include "bench_util.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* ---------------------------------------------------------- time, data */

/* Microseconds on the monotonic clock. */
double benchNowMicros(void){
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (double)t.tv_sec*1e6 + (double)t.tv_nsec/1e3;
}

/* The value pool: n bytes of the splitmix64 sequence of seed iSeed. */
void benchPoolFill(unsigned char *a, size_t n, unsigned long long iSeed){
  size_t i;
  for(i=0; i<n; i++) a[i] = (unsigned char)benchRandom(&iSeed);
}

/* ---------------------------------------------------------- files */

/* True if zName ends in one of the strings of azEnd (NULL: any name). */
static int benchNameEnds(const char *zName, const char *const *azEnd){
  size_t nName = strlen(zName);
  if( azEnd==0 ) return 1;
  for(; *azEnd; azEnd++){
    size_t nEnd = strlen(*azEnd);
    if( nName>=nEnd && strcmp(&zName[nName-nEnd], *azEnd)==0 ) return 1;
  }
  return 0;
}

/*
** Total st_size of the regular files in zDir whose names end in one of
** azEnd (NULL: every file).  Entries are stat'ed relative to the open
** directory, without following links.
*/
unsigned long long benchDirSizeEnding(const char *zDir,
                                      const char *const *azEnd){
  unsigned long long n = 0;
  DIR *pDir = opendir(zDir);
  struct dirent *pEnt;
  struct stat st;
  if( pDir==0 ) return 0;
  while( (pEnt = readdir(pDir))!=0 ){
    if( benchNameEnds(pEnt->d_name, azEnd)
     && fstatat(dirfd(pDir), pEnt->d_name, &st, AT_SYMLINK_NOFOLLOW)==0
     && S_ISREG(st.st_mode) ){
      n += (unsigned long long)st.st_size;
    }
  }
  closedir(pDir);
  return n;
}

/* Total st_size of the regular files in zDir. */
unsigned long long benchDirSize(const char *zDir){
  return benchDirSizeEnding(zDir, 0);
}

/*
** A new directory "$TMPDIR/<zProg>-XXXXXX" into *pzDir.  On a failure of
** mkdtemp(), *pzDir keeps the template (for the caller's message) and
** errno says why.
*/
int benchTempDir(const char *zProg, char **pzDir){
  const char *zTmp = getenv("TMPDIR");
  if( zTmp==0 || zTmp[0]==0 ) zTmp = "/tmp";
  if( asprintf(pzDir, "%s/%s-XXXXXX", zTmp, zProg)<0 ){
    *pzDir = 0;
    return 1;
  }
  return mkdtemp(*pzDir)==0;
}

/*
** Read n bytes from fd, retrying after EINTR and short reads, until all
** are there, the pipe ends or read() fails.
*/
ssize_t benchReadFull(int fd, void *pBuf, size_t n){
  size_t nGot = 0;
  while( nGot<n ){
    ssize_t nRead = read(fd, (char*)pBuf + nGot, n - nGot);
    if( nRead<0 && errno==EINTR ) continue;
    if( nRead<=0 ) return (nRead==0 && nGot==0) ? 0 : -1;
    nGot += (size_t)nRead;
  }
  return (ssize_t)n;
}

/* ---------------------------------------------------------- arguments */

/*
** Parse a size: decimal digits, then nothing or one of k, m, g (either
** case) multiplying by 2^10, 2^20 or 2^30.
*/
int benchParseSize(const char *z, long long *pN){
  char *zEnd = 0;
  long long n;
  errno = 0;
  n = strtoll(z, &zEnd, 10);
  if( errno || zEnd==z || n<0 ) return 1;
  switch( *zEnd ){
    case 'k': case 'K': n <<= 10; zEnd++; break;
    case 'm': case 'M': n <<= 20; zEnd++; break;
    case 'g': case 'G': n <<= 30; zEnd++; break;
    default: break;
  }
  if( *zEnd ) return 1;
  *pN = n;
  return 0;
}

/* True if the n bytes at z (not NUL-terminated) are zName. */
int benchIsName(const char *zName, const char *z, size_t n){
  return strlen(zName)==n && memcmp(zName, z, n)==0;
}

/* The option of aArg named by the n bytes at z, by a linear search. */
int benchArgFind(const BenchArg *aArg, int nArg, const char *z, size_t n){
  int i;
  for(i=0; i<nArg; i++){
    if( benchIsName(aArg[i].zName, z, n) ) return i;
  }
  return -1;
}

/* ---------------------------------------------------------- results */

/* Compare doubles for qsort. */
static int benchCmpDouble(const void *a, const void *b){
  double x = *(const double*)a, y = *(const double*)b;
  return x<y ? -1 : x>y;
}

/* The median of a[0..n-1]: the middle one, or the mean of the two. */
double benchMedian(double *a, int n){
  if( n==0 ) return NAN;
  qsort(a, (size_t)n, sizeof(double), benchCmpDouble);
  return n%2 ? a[n/2] : (a[n/2-1] + a[n/2])/2.0;
}

/* Width of column j of the table: its longest cell, at least 3. */
static size_t benchColumnWidth(int nRow, int nCol,
                               const char *const *azCell, int j){
  size_t nWidth = 3;
  int i;
  for(i=0; i<nRow; i++){
    size_t n = strlen(azCell[i*nCol+j]);
    if( n>nWidth ) nWidth = n;
  }
  return nWidth;
}

/*
** Print the table: each row as "| cell | cell |", and after the header
** the alignment row (":----" for the first column, "----:" for the
** others, as both programs always wrote it).
*/
void benchTable(FILE *pOut, int nRow, int nCol, const char *const *azCell,
                int nLeft){
  int i, j;
  for(i=0; i<nRow; i++){
    for(j=0; j<nCol; j++){
      fprintf(pOut, j<nLeft ? "| %-*s " : "| %*s ",
              (int)benchColumnWidth(nRow, nCol, azCell, j),
              azCell[i*nCol+j]);
    }
    fprintf(pOut, "|\n");
    for(j=0; i==0 && j<nCol; j++){
      size_t k, nWidth = benchColumnWidth(nRow, nCol, azCell, j);
      fprintf(pOut, "|%s", j==0 ? ":" : "-");
      for(k=0; k<nWidth; k++) fputc('-', pOut);
      fprintf(pOut, "%s%s", j==0 ? "-" : ":", j==nCol-1 ? "|\n" : "");
    }
  }
}

/* ---------------------------------------------------------- the machine */

/*
** The CPU model ("model name" of /proc/cpuinfo), the online cores, the
** physical memory (sysconf: the same number as MemTotal of /proc/meminfo)
** and the kernel (uname).
*/
void benchMachine(BenchMachine *p){
  char zLine[512];
  struct utsname u;
  FILE *pIn = fopen("/proc/cpuinfo", "r");

  snprintf(p->zCpu, sizeof(p->zCpu), "unknown CPU");
  while( pIn && fgets(zLine, sizeof(zLine), pIn) ){
    char *zColon = strchr(zLine, ':');
    if( strncmp(zLine, "model name", 10)==0 && zColon ){
      zColon += 1 + (zColon[1]==' ');
      zColon[strcspn(zColon, "\n")] = 0;
      snprintf(p->zCpu, sizeof(p->zCpu), "%s", zColon);
      break;
    }
  }
  if( pIn ) fclose(pIn);
  p->nCore = sysconf(_SC_NPROCESSORS_ONLN);
  p->rRamGiB = (double)sysconf(_SC_PHYS_PAGES)*(double)sysconf(_SC_PAGESIZE)
             / (1024.0*1024.0*1024.0);
  if( uname(&u)==0 ){
    snprintf(p->zSysname, sizeof(p->zSysname), "%s", u.sysname);
    snprintf(p->zRelease, sizeof(p->zRelease), "%s", u.release);
  }else{
    snprintf(p->zSysname, sizeof(p->zSysname), "?");
    snprintf(p->zRelease, sizeof(p->zRelease), "?");
  }
}

/* strftime() of the local time now. */
void benchDate(char *z, size_t n, const char *zFmt){
  time_t t = time(0);
  struct tm tm;
  localtime_r(&t, &tm);
  strftime(z, n, zFmt, &tm);
}

/* ---------------------------------------------------------- gnuplot */

/* Each directory of $PATH in turn, with zProg appended, tried by access. */
int benchOnPath(const char *zProg){
  const char *zPath = getenv("PATH");
  char zFile[4096];
  while( zPath && *zPath ){
    size_t n = strcspn(zPath, ":");
    if( n>0 && n<sizeof(zFile)-strlen(zProg)-2 ){
      snprintf(zFile, sizeof(zFile), "%.*s/%s", (int)n, zPath, zProg);
      if( access(zFile, X_OK)==0 ) return 1;
    }
    zPath += n + (zPath[n]==':');
  }
  return 0;
}

/*
** Build the four candidate paths of zScript (see bench_util.h), keep the
** first readable one and free the others.
*/
char *benchFindScript(const char *zPlot, const char *zArgv0,
                      const char *zScript){
  const char *zSlash = zArgv0 ? strrchr(zArgv0, '/') : 0;
  int nBin = zSlash ? (int)(zSlash - zArgv0) : 0;
  char *azTry[4] = {0, 0, 0, 0};
  char *zFound = 0;
  int i;

  if( zPlot ) return strdup(zPlot);
  if( asprintf(&azTry[0], "test/bench/%s", zScript)<0 ) azTry[0] = 0;
  if( asprintf(&azTry[1], "../test/bench/%s", zScript)<0 ) azTry[1] = 0;
  if( zSlash ){
    if( asprintf(&azTry[2], "%.*s/%s", nBin, zArgv0, zScript)<0 ){
      azTry[2] = 0;
    }
    if( asprintf(&azTry[3], "%.*s/../../../test/bench/%s", nBin, zArgv0,
                 zScript)<0 ){
      azTry[3] = 0;
    }
  }
  for(i=0; i<4; i++){
    if( zFound==0 && azTry[i] && access(azTry[i], R_OK)==0 ){
      zFound = azTry[i];
      azTry[i] = 0;
    }
    free(azTry[i]);
  }
  return zFound;
}

/*
** Check the file names, build gnuplot's -e expression, flush stdout (the
** child shares it) and run gnuplot in a child process; wait for it.
*/
int benchRunGnuplot(const char *zScript, const char *zDat, const char *zPng,
                    const char *zVarFmt, ...){
  char *zVars = 0, *zExpr = 0;
  va_list ap;
  pid_t pid;
  int status = 0, rc;

  if( strchr(zDat, '\'') || strchr(zPng, '\'') ) return BENCH_PLOT_QUOTE;
  va_start(ap, zVarFmt);
  rc = vasprintf(&zVars, zVarFmt, ap);
  va_end(ap);
  if( rc<0 ) return BENCH_PLOT_NOMEM;
  rc = asprintf(&zExpr, "datafile='%s'; outfile='%s'; %s", zDat, zPng,
                zVars);
  free(zVars);
  if( rc<0 ) return BENCH_PLOT_NOMEM;
  fflush(stdout);
  pid = fork();
  if( pid==0 ){
    execlp("gnuplot", "gnuplot", "-e", zExpr, zScript, (char*)0);
    _exit(127);
  }
  free(zExpr);
  if( pid<0 || waitpid(pid, &status, 0)!=pid ) return BENCH_PLOT_FAIL;
  return WIFEXITED(status) && WEXITSTATUS(status)==0 ? BENCH_PLOT_OK
                                                     : BENCH_PLOT_FAIL;
}
