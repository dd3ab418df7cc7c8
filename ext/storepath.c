/*
** storepath.c -- resolve and confine a table's store directory (rules and
** contracts in storepath.h).  The confinement check walks the path one
** component at a time from a descriptor of the database directory:
** fstatat(AT_SYMLINK_NOFOLLOW) classifies the component (missing, symbolic
** link, not a directory), then openat(O_PATH|O_NOFOLLOW|O_DIRECTORY)
** descends into it.  Each step names a single component, never "..", so
** the walk cannot leave the directory; this also yields the name of the
** offending component and accepts a tail that does not exist yet, two
** things openat2(RESOLVE_BENEATH|RESOLVE_NO_SYMLINKS) would not give, so
** openat2 is not used.  O_PATH descriptors read nothing and change no
** timestamp.  Owns nothing beyond one call: every descriptor it opens is
** closed before it returns.  Thread safety: reentrant.
*/
#include "storepath.h"
#include "schema.h"
SQLITE_EXTENSION_INIT3

#include <assert.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* The hint appended to every refusal that the opt-in would lift. */
#define STOREPATH_HINT "(set " LSMV_STOREPATH_ENV "=1 to allow)"

/* How many bytes of a path a message quotes before "...". */
#define STOREPATH_QUOTE 64

/*
** Escape zTable into one file name component (mapping in storepath.h).
** Returns an sqlite3_malloc'd string, or NULL on NOMEM.
*/
static char *storepathEscape(const char *zTable){
  static const char aHex[] = "0123456789ABCDEF";
  size_t n = strlen(zTable);
  char *zOut = sqlite3_malloc64((sqlite3_uint64)n*3 + 1);
  size_t i, j = 0;
  if( zOut==0 ) return 0;
  for(i=0; i<n; i++){
    unsigned char c = (unsigned char)zTable[i];
    if( c=='/' || c=='%' || c<0x20 || c==0x7F ){
      zOut[j++] = '%';
      zOut[j++] = aHex[c>>4];
      zOut[j++] = aHex[c&0x0F];
    }else{
      zOut[j++] = (char)c;
    }
  }
  zOut[j] = 0;
  return zOut;
}

/* True if zPath has a ".." component. */
static int storepathHasDotDot(const char *zPath){
  const char *z = zPath;
  while( *z ){
    size_t nComp = strcspn(z, "/");
    if( nComp==2 && z[0]=='.' && z[1]=='.' ) return 1;
    z += nComp;
    if( *z=='/' ) z++;
  }
  return 0;
}

/*
** Set *pzErr to "lsm: path "<quoted zPath>" <zWhy>" and return
** SQLITE_ERROR, or SQLITE_NOMEM if the message cannot be allocated.
*/
static int storepathError(char **pzErr, const char *zPath, const char *zWhy){
  size_t n = strlen(zPath);
  *pzErr = sqlite3_mprintf("lsm: path \"%.*s%s\" %s", STOREPATH_QUOTE, zPath,
                           n>STOREPATH_QUOTE ? "..." : "", zWhy);
  return *pzErr ? SQLITE_ERROR : SQLITE_NOMEM;
}

/*
** The error of the walk over zShow (the path as the user knows it) whose
** component ending at byte nComp of zRel failed for reason zWhy.
*/
static int storepathWalkError(
  char **pzErr,
  const char *zShow,          /* The path named in the message */
  const char *zRel,           /* The path being walked */
  size_t nComp,               /* Bytes of zRel up to the bad component */
  const char *zWhy            /* The reason, after the component */
){
  char *zWhyFull = sqlite3_mprintf("is refused: \"%.*s%s\" %s",
      (int)(nComp>STOREPATH_QUOTE ? STOREPATH_QUOTE : nComp), zRel,
      nComp>STOREPATH_QUOTE ? "..." : "", zWhy);
  int rc;
  if( zWhyFull==0 ) return SQLITE_NOMEM;
  rc = storepathError(pzErr, zShow, zWhyFull);
  sqlite3_free(zWhyFull);
  return rc;
}

/*
** Inspect every existing component of zRel below directory zDir (read-only,
** rules in storepath.h).  bFollow: follow symbolic links (opt-in mode).
** Empty components are skipped.  Returns SQLITE_OK, or an error with
** *pzErr naming zShow.
*/
static int storepathWalk(
  const char *zDir,           /* Trusted start directory */
  const char *zRel,           /* Path below zDir to inspect */
  int bFollow,                /* Follow symbolic links */
  const char *zShow,          /* The path named in messages */
  char **pzErr                /* OUT: error message */
){
  char *zBuf = sqlite3_mprintf("%s", zRel);
  int fd = -1;
  int rc = SQLITE_OK;
  size_t i = 0, n = strlen(zRel);

  if( zBuf==0 ) return SQLITE_NOMEM;
  fd = open(zDir, O_PATH|O_DIRECTORY|O_CLOEXEC);
  if( fd<0 ){
    rc = storepathError(pzErr, zShow,
                        "is refused: the database directory cannot be opened");
  }
  while( rc==SQLITE_OK && i<n ){
    size_t nComp = strcspn(&zBuf[i], "/");
    size_t iEnd = i + nComp;
    struct stat st;
    int bLast, fdNext;
    if( nComp==0 ){ i++; continue; }
    zBuf[iEnd] = 0;
    bLast = (iEnd + strspn(&zRel[iEnd], "/"))>=n;
    if( fstatat(fd, &zBuf[i], &st, bFollow ? 0 : AT_SYMLINK_NOFOLLOW) ){
      if( errno!=ENOENT ){
        rc = storepathWalkError(pzErr, zShow, zRel, iEnd,
                                errno==EACCES ? "cannot be searched"
                                              : "cannot be inspected");
      }
      break;                    /* ENOENT: the rest is created later */
    }
    if( S_ISLNK(st.st_mode) ){
      rc = storepathWalkError(pzErr, zShow, zRel, iEnd,
                "is a symbolic link, which is not followed " STOREPATH_HINT);
    }else if( !S_ISDIR(st.st_mode) ){
      rc = storepathWalkError(pzErr, zShow, zRel, iEnd,
                              "exists and is not a directory");
    }else if( !bLast ){
      fdNext = openat(fd, &zBuf[i], O_PATH|O_DIRECTORY|O_CLOEXEC
                                    |(bFollow ? 0 : O_NOFOLLOW));
      if( fdNext<0 ){
        if( errno==ENOENT ) break;
        rc = storepathWalkError(pzErr, zShow, zRel, iEnd,
                                "changed while it was being checked");
      }else{
        close(fd);
        fd = fdNext;
      }
    }
    i = iEnd + 1;
  }
  if( fd>=0 ) close(fd);
  sqlite3_free(zBuf);
  return rc;
}

/*
** The syntactic checks of a path= option in confined mode: ".." and
** absolute paths get the "leaves the database directory" message, the rest
** lsmvPathCheck's, both with the opt-in hint.
*/
static int storepathSyntax(const char *zPath, char **pzErr){
  char *zCheck = 0;
  int rc;
  if( zPath[0]=='/' ){
    return storepathError(pzErr, zPath, "is absolute " STOREPATH_HINT);
  }
  if( storepathHasDotDot(zPath) ){
    return storepathError(pzErr, zPath,
                          "leaves the database directory " STOREPATH_HINT);
  }
  if( lsmvPathCheck(zPath, &zCheck)==SQLITE_OK ) return SQLITE_OK;
  if( zCheck==0 ) return SQLITE_NOMEM;
  *pzErr = sqlite3_mprintf("%s " STOREPATH_HINT, zCheck);
  rc = *pzErr ? SQLITE_ERROR : SQLITE_NOMEM;
  sqlite3_free(zCheck);
  return rc;
}

/*
** Split zDbFile into its directory (*pzDir, sqlite3_mprintf'd: "/" for a
** file in the root, "." for a name with no '/') and return its last
** component (pointing into zDbFile).  *pzDir is NULL on NOMEM.
*/
static const char *storepathSplit(const char *zDbFile, char **pzDir){
  const char *zSlash = strrchr(zDbFile, '/');
  if( zSlash==0 ){
    *pzDir = sqlite3_mprintf(".");
    return zDbFile;
  }
  *pzDir = sqlite3_mprintf("%.*s", zSlash==zDbFile ? 1 : (int)(zSlash-zDbFile),
                           zDbFile);
  return zSlash + 1;
}

/* Join zDir and zRel with one '/' ("/" + "x" gives "/x"). */
static char *storepathJoin(const char *zDir, const char *zRel){
  size_t n = strlen(zDir);
  return sqlite3_mprintf("%s%s%s", zDir, n && zDir[n-1]=='/' ? "" : "/", zRel);
}

/*
** The default store: "<zDbFile>-<escaped zTable>.lsm", checked like a
** one-component path= option.
*/
static int storepathDefault(
  const char *zDbFile, const char *zTable, int bAllowOutside,
  char **pzResolved, char **pzErr
){
  char *zDir = 0, *zEsc = 0, *zName = 0, *zFull = 0;
  const char *zBase = storepathSplit(zDbFile, &zDir);
  int rc = SQLITE_OK;

  zEsc = storepathEscape(zTable);
  if( zDir && zEsc ) zName = sqlite3_mprintf("%s-%s.lsm", zBase, zEsc);
  if( zName ) zFull = storepathJoin(zDir, zName);
  if( zFull==0 ){
    rc = SQLITE_NOMEM;
  }else if( strlen(zName)>NAME_MAX ){
    rc = storepathError(pzErr, zFull, "is refused: its last component is "
                        "longer than 255 bytes (give the table a path= option)");
  }else if( strlen(zFull)>=PATH_MAX ){
    rc = storepathError(pzErr, zFull, "is longer than PATH_MAX");
  }else{
    rc = storepathWalk(zDir, zName, bAllowOutside, zFull, pzErr);
  }
  if( rc==SQLITE_OK ){
    *pzResolved = zFull;
    zFull = 0;
  }
  sqlite3_free(zDir);
  sqlite3_free(zEsc);
  sqlite3_free(zName);
  sqlite3_free(zFull);
  return rc;
}

/*
** A path= option: check it (confined mode), resolve it against the
** database directory (or, in opt-in mode, take an absolute path as is and
** resolve a relative one of an in-memory database against the working
** directory), then walk its existing components.
*/
static int storepathOption(
  const char *zDbFile, const char *zPath, int bAllowOutside,
  char **pzResolved, char **pzErr
){
  char *zDir = 0, *zFull = 0;
  const char *zRel = zPath;
  int rc = SQLITE_OK;

  if( zPath[0]==0 ) return storepathError(pzErr, zPath, "is empty");
  if( !bAllowOutside ) rc = storepathSyntax(zPath, pzErr);
  if( rc!=SQLITE_OK ) return rc;

  if( zPath[0]=='/' ){
    zDir = sqlite3_mprintf("/");
    zFull = sqlite3_mprintf("%s", zPath);
  }else if( zDbFile==0 || zDbFile[0]==0 ){
    assert( bAllowOutside );
    zDir = sqlite3_mprintf(".");
    zFull = sqlite3_mprintf("%s", zPath);
  }else{
    storepathSplit(zDbFile, &zDir);
    if( zDir ) zFull = storepathJoin(zDir, zPath);
  }
  if( zDir==0 || zFull==0 ){
    rc = SQLITE_NOMEM;
  }else if( strlen(zFull)>=PATH_MAX ){
    rc = storepathError(pzErr, zPath, "is longer than PATH_MAX");
  }else{
    rc = storepathWalk(zDir, zRel, bAllowOutside, zPath, pzErr);
  }
  if( rc==SQLITE_OK ){
    *pzResolved = zFull;
    zFull = 0;
  }
  sqlite3_free(zDir);
  sqlite3_free(zFull);
  return rc;
}

/*
** Compute the store directory of table zTable (contract in storepath.h).
*/
int lsmvStorePath(const char *zDbFile, const char *zTable, const char *zPath,
                  int bAllowOutside, char **pzResolved, char **pzErr){
  int bMemory = (zDbFile==0 || zDbFile[0]==0);
  int rc;
  assert( zTable!=0 );
  *pzResolved = 0;
  *pzErr = 0;
  if( zPath==0 ){
    if( bMemory ) return LSMV_STOREPATH_TEMP;
    rc = storepathDefault(zDbFile, zTable, bAllowOutside, pzResolved, pzErr);
  }else if( bMemory && !bAllowOutside ){
    rc = storepathError(pzErr, zPath, "is refused: an in-memory or temporary "
                        "database has no directory to confine it to "
                        STOREPATH_HINT);
  }else{
    rc = storepathOption(zDbFile, zPath, bAllowOutside, pzResolved, pzErr);
  }
  return rc;
}
