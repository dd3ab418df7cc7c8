/*
** db_iter.c -- the user-visible iterator (struct lsmc_iter) and the public
** lsmc_iter_* functions: a view of user keys as of sequence iSeq over an
** internal iterator that yields every version and tombstone (usually a
** merging iterator over memtables and SSTables).
**
** Visibility.  An entry is visible if its sequence is <= iSeq.  A user key
** is returned if its newest visible entry is a PUT and it lies in
** [lower, upper) (each bound optional).  Entries outside the bounds are
** never examined past the first one met, in either direction.
**
** State, outside a call (the scheme of LevelDB's DBIter):
**   - FORWARD and valid: the internal iterator is on the newest visible
**     entry of the current user key, and key/value point into it.
**   - REVERSE and valid: the internal iterator is before every entry of
**     the current user key (on an entry of a smaller key, or invalid), and
**     key/value are copies held in saved/value.
**   - rc!=LSMC_OK implies !bValid; the error stays until the next
**     lsmc_iter_first/_last/_seek, and next/prev return it meanwhile.
** Switching direction never trusts adjacency beyond what the internal
** iterator guarantees: forward->reverse steps back until the user key is
** smaller than the saved current key; reverse->forward steps on and skips
** every user key <= the saved key.  So entries inserted (with newer,
** invisible sequences) next to the current key while the iterator is open
** cannot make it stall or skip (LevelDB issue 200).
**
** Memory.  The saved key, value and seek buffers only grow, so a scan
** allocates nothing once they are large enough for the longest key and
** value it meets.
**
** Thread safety: one thread at a time per iterator.
*/
#include "db_iter.h"
#include "coding.h"

#define DBITER_FORWARD  0     /* Internal iterator on the current entry */
#define DBITER_REVERSE  1     /* Internal iterator before the current key */

/* One internal entry, split. */
typedef struct DbEntry DbEntry;
struct DbEntry {
  const u8 *pKey;       /* User key (points into the internal key) */
  size_t nKey;          /* Bytes in pKey */
  u64 iSeq;             /* Sequence number */
  int eKind;            /* LSMC_KIND_PUT or LSMC_KIND_DELETE */
};

struct lsmc_iter {
  lsmc_env *pEnv;       /* Allocator */
  LsmIter *pIter;       /* Internal iterator (owned) */
  u64 iSeq;             /* Snapshot: entries with a larger seq are hidden */
  int rc;               /* Sticky error of the last movement, or LSMC_OK */
  int bValid;           /* On a visible key */
  int eDir;             /* DBITER_FORWARD or DBITER_REVERSE */
  int bLower;           /* lower is set */
  int bUpper;           /* upper is set */
  LsmcBuf lower;        /* Inclusive lower bound (user key) */
  LsmcBuf upper;        /* Exclusive upper bound (user key) */
  LsmcBuf saved;        /* FORWARD: key to skip; REVERSE: current key */
  LsmcBuf value;        /* REVERSE: current value */
  LsmcBuf seek;         /* Scratch: internal seek targets */
  void (*xCleanup)(void*);  /* Called once after pIter is closed */
  void *pCleanupArg;    /* Argument of xCleanup */
};

/*
** Split the internal iterator's current entry into *pE.  A short key or
** an unknown kind is corruption in the source.
*/
static int dbIterParse(lsmc_iter *p, DbEntry *pE){
  size_t n;
  const u8 *a = lsmcIterKey(p->pIter, &n);
  u64 iTrailer;
  if( n<LSMC_TRAILER_SIZE ) return LSMC_CORRUPT_BKPT;
  iTrailer = lsmcIKeyTrailer(a, n);
  pE->pKey = a;
  pE->nKey = n - LSMC_TRAILER_SIZE;
  pE->iSeq = lsmcTrailerSeq(iTrailer);
  pE->eKind = lsmcTrailerKind(iTrailer);
  if( pE->eKind!=LSMC_KIND_PUT && pE->eKind!=LSMC_KIND_DELETE ){
    return LSMC_CORRUPT_BKPT;
  }
  return LSMC_OK;
}

/* True if user key a[0..n) is at or above the upper bound. */
static int dbIterAboveUpper(const lsmc_iter *p, const u8 *a, size_t n){
  return p->bUpper && lsmcUKeyCompare(a, n, p->upper.a, p->upper.n)>=0;
}

/* True if user key a[0..n) is below the lower bound. */
static int dbIterBelowLower(const lsmc_iter *p, const u8 *a, size_t n){
  return p->bLower && lsmcUKeyCompare(a, n, p->lower.a, p->lower.n)<0;
}

/*
** Seek the internal iterator to the first entry of user key a[0..n) with
** a sequence <= iSeq (or to the first entry of a larger user key).
*/
static int dbIterSeekInternal(lsmc_iter *p, const u8 *a, size_t n, u64 iSeq){
  int rc = LSMC_OK;
  lsmcIKeyBuild(&rc, &p->seek, a, n, iSeq, LSMC_KIND_SEEK);
  if( rc==LSMC_OK ) rc = lsmcIterSeek(p->pIter, p->seek.a, p->seek.n);
  return rc;
}

/*
** After a seek that returned rc, step the internal iterator to the entry
** just before it (to the last entry if the seek ran off the end).
*/
static int dbIterBackFromSeek(lsmc_iter *p, int rc){
  if( rc==LSMC_OK ){
    rc = lsmcIterValid(p->pIter) ? lsmcIterPrev(p->pIter)
                                 : lsmcIterLast(p->pIter);
  }
  return rc;
}

/*
** Forward scan: starting at the internal iterator's entry, find the next
** visible PUT.  If bSkipping, user keys <= saved are hidden.  Stops at the
** upper bound.  Sets bValid.
*/
static int dbIterFindNext(lsmc_iter *p, int bSkipping){
  int rc = LSMC_OK;
  p->bValid = 0;
  while( rc==LSMC_OK && lsmcIterValid(p->pIter) ){
    DbEntry e;
    rc = dbIterParse(p, &e);
    if( rc!=LSMC_OK || dbIterAboveUpper(p, e.pKey, e.nKey) ) break;
    if( e.iSeq<=p->iSeq ){
      if( e.eKind==LSMC_KIND_DELETE ){
        lsmcBufSet(&rc, &p->saved, e.pKey, e.nKey);   /* hide older ones */
        bSkipping = 1;
      }else if( !bSkipping
             || lsmcUKeyCompare(e.pKey, e.nKey, p->saved.a, p->saved.n)>0 ){
        p->bValid = 1;
        break;
      }
    }
    if( rc==LSMC_OK ) rc = lsmcIterNext(p->pIter);
  }
  return rc;
}

/*
** Backward scan: starting at the internal iterator's entry, walk back
** collecting the newest visible version of each user key, and stop once a
** smaller user key is reached while holding a PUT (or at the lower
** bound).  The candidate is copied into saved/value, since the internal
** iterator moves past it.  Sets bValid.
*/
static int dbIterFindPrev(lsmc_iter *p){
  int rc = LSMC_OK;
  int eKind = LSMC_KIND_DELETE;      /* Newest visible kind of candidate */
  while( rc==LSMC_OK && lsmcIterValid(p->pIter) ){
    DbEntry e;
    rc = dbIterParse(p, &e);
    if( rc!=LSMC_OK || dbIterBelowLower(p, e.pKey, e.nKey) ) break;
    if( e.iSeq<=p->iSeq ){
      if( eKind==LSMC_KIND_PUT
       && lsmcUKeyCompare(e.pKey, e.nKey, p->saved.a, p->saved.n)<0 ){
        break;                        /* candidate complete */
      }
      eKind = e.eKind;
      if( eKind==LSMC_KIND_PUT ){
        size_t nVal;
        const u8 *pVal = lsmcIterValue(p->pIter, &nVal);
        lsmcBufSet(&rc, &p->saved, e.pKey, e.nKey);
        lsmcBufSet(&rc, &p->value, pVal, nVal);
      }
    }
    if( rc==LSMC_OK ) rc = lsmcIterPrev(p->pIter);
  }
  p->bValid = rc==LSMC_OK && eKind==LSMC_KIND_PUT;
  return rc;
}

/*
** End of every movement: record rc; an error leaves the iterator invalid.
*/
static int dbIterDone(lsmc_iter *p, int rc){
  p->rc = rc;
  if( rc!=LSMC_OK ) p->bValid = 0;
  return rc;
}

/*
** Position on the first key >= a[0..n) (and >= lower).
*/
static int dbIterSeekGE(lsmc_iter *p, const u8 *a, size_t n){
  int rc;
  if( p->bLower && lsmcUKeyCompare(a, n, p->lower.a, p->lower.n)<0 ){
    a = p->lower.a;
    n = p->lower.n;
  }
  p->eDir = DBITER_FORWARD;
  rc = dbIterSeekInternal(p, a, n, p->iSeq);
  if( rc==LSMC_OK ) rc = dbIterFindNext(p, 0);
  return rc;
}

/*
** Position on the last key < upper, or the last key of all.
*/
static int dbIterLastBelowUpper(lsmc_iter *p){
  int rc;
  p->eDir = DBITER_REVERSE;
  if( p->bUpper ){
    rc = dbIterSeekInternal(p, p->upper.a, p->upper.n, LSMC_MAX_SEQ);
    rc = dbIterBackFromSeek(p, rc);
  }else{
    rc = lsmcIterLast(p->pIter);
  }
  if( rc==LSMC_OK ) rc = dbIterFindPrev(p);
  return rc;
}

/*
** Position on the last key <= a[0..n) (and < upper): seek to the first
** entry of the smallest user key above it (a[0..n) followed by 0x00),
** step back, and scan backward.
*/
static int dbIterSeekLE(lsmc_iter *p, const u8 *a, size_t n){
  int rc = LSMC_OK;
  if( p->bUpper && lsmcUKeyCompare(a, n, p->upper.a, p->upper.n)>=0 ){
    return dbIterLastBelowUpper(p);
  }
  p->eDir = DBITER_REVERSE;
  p->seek.n = 0;
  lsmcBufAppend(&rc, &p->seek, a, n);
  lsmcBufAppend(&rc, &p->seek, "", 1);
  lsmcBufAppend64(&rc, &p->seek, lsmcTrailerPack(LSMC_MAX_SEQ, LSMC_KIND_SEEK));
  if( rc==LSMC_OK ) rc = lsmcIterSeek(p->pIter, p->seek.a, p->seek.n);
  rc = dbIterBackFromSeek(p, rc);
  if( rc==LSMC_OK ) rc = dbIterFindPrev(p);
  return rc;
}

int lsmc_iter_first(lsmc_iter *p){
  int rc;
  if( p==0 ) return LSMC_MISUSE_BKPT;
  if( p->bLower ){
    rc = dbIterSeekGE(p, p->lower.a, p->lower.n);
  }else{
    p->eDir = DBITER_FORWARD;
    rc = lsmcIterFirst(p->pIter);
    if( rc==LSMC_OK ) rc = dbIterFindNext(p, 0);
  }
  return dbIterDone(p, rc);
}

int lsmc_iter_last(lsmc_iter *p){
  if( p==0 ) return LSMC_MISUSE_BKPT;
  return dbIterDone(p, dbIterLastBelowUpper(p));
}

int lsmc_iter_seek(lsmc_iter *p, const void *pKey, size_t nKey, int eSeek){
  int rc;
  if( p==0 || (pKey==0 && nKey>0) ) return LSMC_MISUSE_BKPT;
  if( eSeek==LSMC_SEEK_GE ){
    rc = dbIterSeekGE(p, (const u8*)pKey, nKey);
  }else if( eSeek==LSMC_SEEK_LE ){
    rc = dbIterSeekLE(p, (const u8*)pKey, nKey);
  }else{
    return LSMC_MISUSE_BKPT;
  }
  return dbIterDone(p, rc);
}

/*
** Next.  From REVERSE, the internal iterator is before the current key's
** entries and saved holds that key: step into them (or restart at the
** lower end) and skip every key <= saved.
*/
int lsmc_iter_next(lsmc_iter *p){
  int rc = LSMC_OK;
  if( p==0 ) return LSMC_MISUSE_BKPT;
  if( p->rc!=LSMC_OK ) return p->rc;
  if( !p->bValid ) return LSMC_MISUSE_BKPT;
  if( p->eDir==DBITER_REVERSE ){
    p->eDir = DBITER_FORWARD;
    if( lsmcIterValid(p->pIter) ){
      rc = lsmcIterNext(p->pIter);
    }else if( p->bLower ){
      rc = dbIterSeekInternal(p, p->lower.a, p->lower.n, LSMC_MAX_SEQ);
    }else{
      rc = lsmcIterFirst(p->pIter);
    }
  }else{
    size_t n;
    const u8 *a = lsmcIterKey(p->pIter, &n);
    lsmcBufSet(&rc, &p->saved, a, n - LSMC_TRAILER_SIZE);
    if( rc==LSMC_OK ) rc = lsmcIterNext(p->pIter);
  }
  if( rc==LSMC_OK ) rc = dbIterFindNext(p, 1);
  return dbIterDone(p, rc);
}

/*
** Prev.  From FORWARD, the internal iterator is on the current key's
** newest visible entry: step back past every entry of that user key
** first, so that the backward scan starts before it.
*/
int lsmc_iter_prev(lsmc_iter *p){
  int rc = LSMC_OK;
  if( p==0 ) return LSMC_MISUSE_BKPT;
  if( p->rc!=LSMC_OK ) return p->rc;
  if( !p->bValid ) return LSMC_MISUSE_BKPT;
  if( p->eDir==DBITER_FORWARD ){
    size_t n;
    const u8 *a = lsmcIterKey(p->pIter, &n);
    p->eDir = DBITER_REVERSE;
    lsmcBufSet(&rc, &p->saved, a, n - LSMC_TRAILER_SIZE);
    while( rc==LSMC_OK ){
      DbEntry e;
      rc = lsmcIterPrev(p->pIter);
      if( rc!=LSMC_OK || !lsmcIterValid(p->pIter) ) break;
      rc = dbIterParse(p, &e);
      if( rc==LSMC_OK
       && lsmcUKeyCompare(e.pKey, e.nKey, p->saved.a, p->saved.n)<0 ){
        break;
      }
    }
  }
  if( rc==LSMC_OK ) rc = dbIterFindPrev(p);
  return dbIterDone(p, rc);
}

int lsmc_iter_valid(const lsmc_iter *p){
  return p!=0 && p->bValid;
}

/*
** Key and value.  NULL (and size 0) when not valid; a valid empty key or
** value is a non-NULL pointer.
*/
const void *lsmc_iter_key(const lsmc_iter *p, size_t *pnKey){
  const u8 *a = 0;
  size_t n = 0;
  if( p && p->bValid ){
    if( p->eDir==DBITER_FORWARD ){
      a = lsmcIterKey(p->pIter, &n);
      n -= LSMC_TRAILER_SIZE;
    }else{
      a = p->saved.a ? p->saved.a : (const u8*)"";
      n = p->saved.n;
    }
  }
  if( pnKey ) *pnKey = n;
  return a;
}

const void *lsmc_iter_value(const lsmc_iter *p, size_t *pnVal){
  const u8 *a = 0;
  size_t n = 0;
  if( p && p->bValid ){
    if( p->eDir==DBITER_FORWARD ){
      a = lsmcIterValue(p->pIter, &n);
    }else{
      a = p->value.a;
      n = p->value.n;
    }
    if( a==0 ) a = (const u8*)"";
  }
  if( pnVal ) *pnVal = n;
  return a;
}

void lsmc_iter_close(lsmc_iter *p){
  if( p==0 ) return;
  lsmcIterClose(p->pIter);
  if( p->xCleanup ) p->xCleanup(p->pCleanupArg);
  lsmcBufFree(&p->lower);
  lsmcBufFree(&p->upper);
  lsmcBufFree(&p->saved);
  lsmcBufFree(&p->value);
  lsmcBufFree(&p->seek);
  lsmcFree(p->pEnv, p);
}

/*
** Create the iterator.  On failure (LSMC_NOMEM) pInternal is closed and
** xCleanup is called, just as lsmc_iter_close would have done.
*/
int lsmcDbIterNew(lsmc_env *pEnv, LsmIter *pInternal, u64 iSeq,
                  const u8 *pLower, size_t nLower,
                  const u8 *pUpper, size_t nUpper,
                  void (*xCleanup)(void*), void *pCleanupArg,
                  lsmc_iter **ppIter){
  int rc = LSMC_OK;
  lsmc_iter *p = lsmcMallocZero(pEnv, sizeof(lsmc_iter));
  *ppIter = 0;
  if( p==0 ){
    lsmcIterClose(pInternal);
    if( xCleanup ) xCleanup(pCleanupArg);
    return LSMC_NOMEM;
  }
  p->pEnv = pEnv;
  p->pIter = pInternal;
  p->iSeq = LSMC_MIN(iSeq, LSMC_MAX_SEQ);
  p->xCleanup = xCleanup;
  p->pCleanupArg = pCleanupArg;
  lsmcBufInit(&p->lower, pEnv);
  lsmcBufInit(&p->upper, pEnv);
  lsmcBufInit(&p->saved, pEnv);
  lsmcBufInit(&p->value, pEnv);
  lsmcBufInit(&p->seek, pEnv);
  p->bLower = pLower!=0;
  p->bUpper = pUpper!=0;
  if( pLower ) lsmcBufSet(&rc, &p->lower, pLower, nLower);
  if( pUpper ) lsmcBufSet(&rc, &p->upper, pUpper, nUpper);
  if( rc!=LSMC_OK ){
    lsmc_iter_close(p);
    return rc;
  }
  *ppIter = p;
  return LSMC_OK;
}
