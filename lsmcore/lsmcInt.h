/*
** lsmcInt.h -- definitions shared by every file of the engine, never by
** callers: fixed-width types, the internal-key format, return-code helpers
** (the _BKPT macros report where an error was detected), invariant macros,
** the allocation wrappers, and the env call-site registry of test builds.
**
** Internal keys.  Every entry in a memtable or SSTable is keyed by an
** internal key: the user key followed by an 8-byte little-endian trailer
** holding (sequence << 8 | kind).  Internal keys order by user key
** (memcmp, shorter prefix first), then by trailer descending, so that the
** newest version of a user key comes first.  A lookup for user key K as of
** sequence S seeks to K + trailer(S, LSMC_KIND_SEEK): the first entry at or
** after it is the newest version of K visible at S, if any.
**
** Naming tiers: public lsmc_*, internal across files lsmcXxx(), static to
** one file xxxYyy().
*/
#ifndef LSMCINT_H
#define LSMCINT_H

#include "lsmcore.h"

#include <assert.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

typedef uint8_t  u8;
typedef uint16_t u16;
typedef uint32_t u32;
typedef uint64_t u64;
typedef int64_t  i64;

/* Entry kinds stored in the low byte of an internal-key trailer. */
#define LSMC_KIND_DELETE  0       /* A tombstone */
#define LSMC_KIND_PUT     1       /* A value */
#define LSMC_KIND_SEEK    LSMC_KIND_PUT   /* Largest kind: seek target */

#define LSMC_TRAILER_SIZE 8               /* Bytes after the user key */
#define LSMC_MAX_SEQ      ((((u64)1)<<56) - 1)  /* Largest sequence */

/* Sizes we refuse beyond, so that hostile lengths fail cleanly. */
#define LSMC_MAX_KEY      ((size_t)64*1024*1024)   /* Bytes in a user key */
#define LSMC_MAX_VALUE    ((size_t)1024*1024*1024) /* Bytes in a value */

/* Internal only: a background job stopped because the store is closing. */
#define LSMC_ABORT 4

/*
** Primary code of an extended return code.
*/
#define LSMC_PRIMARY(rc)  ((rc) & 0xff)

/*
** Where an error is detected, return these instead of the bare codes: in a
** debug build they log the file and line (lsmcReportError in error.c), as
** SQLITE_CORRUPT_BKPT does.  The value is the code itself, visibly
** nonzero (the static analyzers cannot see into error.c).
*/
#define LSMC_BKPT(rc)      (lsmcReportError((rc), __FILE__, __LINE__), (rc))
#define LSMC_CORRUPT_BKPT  LSMC_BKPT(LSMC_CORRUPT)
#define LSMC_IOERR_BKPT    LSMC_BKPT(LSMC_IOERR)
#define LSMC_MISUSE_BKPT   LSMC_BKPT(LSMC_MISUSE)
int lsmcReportError(int rc, const char *zFile, int iLine);

/*
** Invariants.  assert() guards only what the code itself guarantees;
** damaged input and I/O failures return a code instead.  ALWAYS(X) and
** NEVER(X) mark conditions believed always true / always false that are
** still handled in release builds (as in SQLite).
*/
#ifdef NDEBUG
# define ALWAYS(X)  (X)
# define NEVER(X)   (X)
#else
# define ALWAYS(X)  ((X) ? 1 : (assert(0), 0))
# define NEVER(X)   ((X) ? (assert(0), 1) : 0)
#endif

#define LSMC_MIN(a,b)  ((a)<(b) ? (a) : (b))
#define LSMC_MAX(a,b)  ((a)>(b) ? (a) : (b))
#define LSMC_UNUSED(x) ((void)(x))

/*
** Allocation goes through the env (so tests can inject failures).
** lsmcMalloc/lsmcRealloc return NULL on failure; lsmcFree(NULL) is a no-op.
** lsmcMallocZero clears the memory.
*/
void *lsmcMalloc(lsmc_env *pEnv, size_t n);
void *lsmcMallocZero(lsmc_env *pEnv, size_t n);
void *lsmcRealloc(lsmc_env *pEnv, void *p, size_t n);
void lsmcFree(lsmc_env *pEnv, void *p);
/* A NUL-terminated copy of z (NULL on OOM); lsmcMprintf formats one. */
char *lsmcStrdup(lsmc_env *pEnv, const char *z);
char *lsmcMprintf(lsmc_env *pEnv, const char *zFmt, ...)
  __attribute__((format(printf, 2, 3)));

/*
** A growable byte buffer owned by whoever embeds it.  a[] is allocated
** from pEnv; n bytes are used.  Helpers in coding.c append to it; they
** take an int *pRc and do nothing once *pRc is set (the builder pattern).
*/
typedef struct LsmcBuf LsmcBuf;
struct LsmcBuf {
  lsmc_env *pEnv;   /* Allocator */
  u8 *a;            /* Bytes (NULL while nAlloc==0) */
  size_t n;         /* Bytes used */
  size_t nAlloc;    /* Bytes allocated */
};

/*
** Internal-key helpers (coding.c).  The comparisons and the trailer read
** run in every seek step of the skiplist and the block reader, so they
** are inline here.
*/
/* Compare two user keys by memcmp, shorter prefix first. */
static inline int lsmcUKeyCompare(const u8 *a, size_t na,
                                  const u8 *b, size_t nb){
  size_t n = na<nb ? na : nb;
  int c = n ? memcmp(a, b, n) : 0;
  if( c==0 ) c = (na<nb) ? -1 : (na>nb);
  return c;
}
/* The trailer of an internal key (its last 8 bytes, little-endian). */
static inline u64 lsmcIKeyTrailer(const u8 *pIKey, size_t nIKey){
  const u8 *p = &pIKey[nIKey-LSMC_TRAILER_SIZE];
  assert( nIKey>=LSMC_TRAILER_SIZE );
  return (u64)p[0] | ((u64)p[1]<<8) | ((u64)p[2]<<16) | ((u64)p[3]<<24)
       | ((u64)p[4]<<32) | ((u64)p[5]<<40) | ((u64)p[6]<<48)
       | ((u64)p[7]<<56);
}
/* Compare two internal keys: user key by memcmp, then trailer descending. */
static inline int lsmcIKeyCompare(const u8 *a, size_t na,
                                  const u8 *b, size_t nb){
  int c;
  assert( na>=LSMC_TRAILER_SIZE && nb>=LSMC_TRAILER_SIZE );
  c = lsmcUKeyCompare(a, na-LSMC_TRAILER_SIZE, b, nb-LSMC_TRAILER_SIZE);
  if( c==0 ){
    u64 ta = lsmcIKeyTrailer(a, na);
    u64 tb = lsmcIKeyTrailer(b, nb);
    c = (ta>tb) ? -1 : (ta<tb);            /* newest first */
  }
  return c;
}
/* Pack the trailer. */
u64 lsmcTrailerPack(u64 iSeq, int eKind);
#define lsmcTrailerSeq(t)   ((t) >> 8)
#define lsmcTrailerKind(t)  ((int)((t) & 0xff))
/* Set pBuf to user key + trailer (pBuf->n is reset to 0 first). */
void lsmcIKeyBuild(int *pRc, LsmcBuf *pBuf, const u8 *pKey, size_t nKey,
                   u64 iSeq, int eKind);

/*
** Env call sites.  Every call of an lsmc_env method that can fail is
** written LSMC_ENV(pEnv->xMethod(...)).  In an ordinary build the macro is
** the call itself.  In a test build (LSMC_TESTHOOKS) each call site also
** owns a static LsmcEnvSite, listed through the linker section
** "lsmc_env_sites", that counts the site's calls: a fault-injection sweep
** reads lsmcEnvSites() afterwards and proves that it reached every site
** compiled into the engine (TESTPLAN C1).  The counters are atomic; the
** registry is the only mutable global state of the engine, and it exists
** only in test builds.
*/
#ifdef LSMC_TESTHOOKS
typedef struct LsmcEnvSite LsmcEnvSite;
struct LsmcEnvSite {
  const char *zFile;            /* Source file of the call */
  int iLine;                    /* Line of the call */
  const char *zCall;            /* The call's text */
  unsigned long nHit;           /* Calls made at this site (atomic) */
};
# define LSMC_ENV(...) __extension__({                                     \
    static LsmcEnvSite lsmcSite_ = { __FILE__, __LINE__, #__VA_ARGS__, 0 };  \
    static LsmcEnvSite *lsmcSiteRef_                                       \
      __attribute__((section("lsmc_env_sites"), used)) = &lsmcSite_;       \
    (void)lsmcSiteRef_;                                                    \
    __atomic_fetch_add(&lsmcSite_.nHit, 1, __ATOMIC_RELAXED);             \
    (__VA_ARGS__); })
/* The sites compiled into this program: *pnSite entries (env.c). */
LsmcEnvSite **lsmcEnvSites(int *pnSite);
#else
# define LSMC_ENV(...) (__VA_ARGS__)
#endif

#endif /* LSMCINT_H */
