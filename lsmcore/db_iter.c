/*
** db_iter.c -- the user-visible iterator (struct lsmc_iter) and the public
** lsmc_iter_* functions: a view of user keys over the store's internal
** iterator (every version and tombstone, usually a merging iterator over
** memtables and SSTables) and, optionally, over an uncommitted write
** batch's index merged on top of it.
**
** Two layers.  A DbCursor turns one internal iterator into a walk over
** user keys as of sequence iSeq; an lsmc_iter holds the store's cursor and
** (for lsmc_iter_open_batch) a batch cursor, and merges them.
**
** Cursor visibility.  An entry is visible if its sequence is <= iSeq.  A
** cursor stops on a user key in [lower, upper) whose newest visible entry
** is a PUT, or -- for the batch cursor (bTombstones) -- a DELETE too, so
** that the merge can see that the batch hides the key.  Entries outside
** the bounds are never examined past the first one met, in either
** direction.
**
** Cursor state, outside a call (the scheme of LevelDB's DBIter):
**   - FORWARD and valid: the internal iterator is on the newest visible
**     entry of the current user key, and key/value point into it.
**   - REVERSE and valid: the internal iterator is before every entry of
**     the current user key (on an entry of a smaller key, or invalid), and
**     key/value are copies held in saved/value.
** Switching direction never trusts adjacency beyond what the internal
** iterator guarantees: forward->reverse steps back until the user key is
** smaller than the saved current key; reverse->forward steps on and skips
** every user key <= the saved key.  So entries inserted (with newer,
** invisible sequences) next to the current key while the iterator is open
** cannot make it stall or skip (LevelDB issue 200).  This is also what
** keeps a batch iterator stable while its batch grows: the batch index
** gains entries whose sequences are above the cursor's iSeq.
**
** Merge state (the scheme of RocksDB's BaseDeltaIterator).  Moving in
** direction d (FORWARD: ascending), every cursor is on its first key at or
** after the current key in direction d (or at its end); eCur names the
** cursors that are on the current key itself.  The current key is the
** first of the cursors' keys in direction d; on equal keys the batch wins
** (eCur has both bits, and key/value come from the batch); a batch
** tombstone is never current: the cursors on it step on.  A step moves
** the cursors in eCur; a direction switch first re-seeks the cursor not
** on the current key to the current key in the new direction (it has no
** entry for that key, so it lands just past it), then steps.
**
** Errors: rc!=LSMC_OK implies !bValid; the error stays until the next
** lsmc_iter_first/_last/_seek, and next/prev return it meanwhile.
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

#define DBITER_STORE    0x01  /* eCur: the store cursor is on the key */
#define DBITER_BATCH    0x02  /* eCur: the batch cursor is on the key */

/* Positioning operations of dbIterPosition(). */
#define DBITER_FIRST    0     /* First key >= lower */
#define DBITER_LAST     1     /* Last key < upper */
#define DBITER_SEEK_GE  2     /* First key >= target */
#define DBITER_SEEK_LE  3     /* Last key <= target */

/* One internal entry, split. */
typedef struct DbEntry DbEntry;
struct DbEntry {
  const u8 *pKey;       /* User key (points into the internal key) */
  size_t nKey;          /* Bytes in pKey */
  u64 iSeq;             /* Sequence number */
  int eKind;            /* LSMC_KIND_PUT or LSMC_KIND_DELETE */
};

/* The bounds of an iterator, shared by its cursors. */
typedef struct DbBounds DbBounds;
struct DbBounds {
  int bLower;           /* lower is set */
  int bUpper;           /* upper is set */
  LsmcBuf lower;        /* Inclusive lower bound (user key) */
  LsmcBuf upper;        /* Exclusive upper bound (user key) */
};

/* A walk over the user keys of one internal iterator. */
typedef struct DbCursor DbCursor;
struct DbCursor {
  LsmIter *pIter;       /* Internal iterator (owned), NULL if unused */
  const DbBounds *pB;   /* Bounds (the iterator's) */
  u64 iSeq;             /* Snapshot: entries with a larger seq are hidden */
  int bTombstones;      /* Also stop on keys whose newest entry is DELETE */
  int bValid;           /* On a key */
  int eDir;             /* DBITER_FORWARD or DBITER_REVERSE */
  int eKind;            /* Newest visible kind of the current key */
  LsmcBuf saved;        /* FORWARD: key to skip; REVERSE: current key */
  LsmcBuf value;        /* REVERSE: current value */
  LsmcBuf seek;         /* Scratch: internal seek targets */
};

struct lsmc_iter {
  lsmc_env *pEnv;       /* Allocator */
  int rc;               /* Sticky error of the last movement, or LSMC_OK */
  int bValid;           /* On a visible key */
  int eDir;             /* Direction of the last movement */
  int eCur;             /* DBITER_STORE/_BATCH: cursors on the current key */
  DbBounds bounds;      /* [lower, upper) */
  DbCursor store;       /* The store's versions */
  DbCursor batch;       /* The batch's entries (pIter NULL if none) */
  LsmcBuf target;       /* Scratch: a seek target copied from the caller */
  void (*xCleanup)(void*);  /* Called once after the store pIter is closed */
  void *pCleanupArg;    /* Argument of xCleanup */
};

/* ------------------------------------------------------------ cursor */

/*
** Split the internal iterator's current entry into *pE.  A short key or
** an unknown kind is corruption in the source.
*/
static int dbCurParse(DbCursor *p, DbEntry *pE){
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
static int dbCurAboveUpper(const DbCursor *p, const u8 *a, size_t n){
  return p->pB->bUpper
      && lsmcUKeyCompare(a, n, p->pB->upper.a, p->pB->upper.n)>=0;
}

/* True if user key a[0..n) is below the lower bound. */
static int dbCurBelowLower(const DbCursor *p, const u8 *a, size_t n){
  return p->pB->bLower
      && lsmcUKeyCompare(a, n, p->pB->lower.a, p->pB->lower.n)<0;
}

/*
** Seek the internal iterator to the first entry of user key a[0..n) with
** a sequence <= iSeq (or to the first entry of a larger user key).
*/
static int dbCurSeekInternal(DbCursor *p, const u8 *a, size_t n, u64 iSeq){
  int rc = LSMC_OK;
  lsmcIKeyBuild(&rc, &p->seek, a, n, iSeq, LSMC_KIND_SEEK);
  if( rc==LSMC_OK ) rc = lsmcIterSeek(p->pIter, p->seek.a, p->seek.n);
  return rc;
}

/*
** After a seek that returned rc, step the internal iterator to the entry
** just before it (to the last entry if the seek ran off the end).
*/
static int dbCurBackFromSeek(DbCursor *p, int rc){
  if( rc==LSMC_OK ){
    rc = lsmcIterValid(p->pIter) ? lsmcIterPrev(p->pIter)
                                 : lsmcIterLast(p->pIter);
  }
  return rc;
}

/*
** Forward scan: starting at the internal iterator's entry, find the next
** key to stop on (a visible PUT; with bTombstones any newest visible
** entry).  If bSkipping, user keys <= saved are hidden.  Stops at the
** upper bound.  Sets bValid and eKind.
*/
static int dbCurFindNext(DbCursor *p, int bSkipping){
  int rc = LSMC_OK;
  p->bValid = 0;
  while( rc==LSMC_OK && lsmcIterValid(p->pIter) ){
    DbEntry e;
    rc = dbCurParse(p, &e);
    if( rc!=LSMC_OK || dbCurAboveUpper(p, e.pKey, e.nKey) ) break;
    if( e.iSeq<=p->iSeq ){
      if( e.eKind==LSMC_KIND_DELETE && !p->bTombstones ){
        lsmcBufSet(&rc, &p->saved, e.pKey, e.nKey);   /* hide older ones */
        bSkipping = 1;
      }else if( !bSkipping
             || lsmcUKeyCompare(e.pKey, e.nKey, p->saved.a, p->saved.n)>0 ){
        p->eKind = e.eKind;
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
** smaller user key is reached while holding a key to stop on (or at the
** lower bound).  The candidate is copied into saved/value, since the
** internal iterator moves past it.  Sets bValid and eKind.
*/
static int dbCurFindPrev(DbCursor *p){
  int rc = LSMC_OK;
  int eKind = LSMC_KIND_DELETE;      /* Newest visible kind of candidate */
  int bHave = 0;                     /* saved holds a candidate */
  while( rc==LSMC_OK && lsmcIterValid(p->pIter) ){
    DbEntry e;
    rc = dbCurParse(p, &e);
    if( rc!=LSMC_OK || dbCurBelowLower(p, e.pKey, e.nKey) ) break;
    if( e.iSeq<=p->iSeq ){
      if( (eKind==LSMC_KIND_PUT || (p->bTombstones && bHave))
       && lsmcUKeyCompare(e.pKey, e.nKey, p->saved.a, p->saved.n)<0 ){
        break;                        /* candidate complete */
      }
      eKind = e.eKind;
      if( eKind==LSMC_KIND_PUT || p->bTombstones ){
        size_t nVal = 0;
        const u8 *pVal = 0;
        if( eKind==LSMC_KIND_PUT ) pVal = lsmcIterValue(p->pIter, &nVal);
        lsmcBufSet(&rc, &p->saved, e.pKey, e.nKey);
        lsmcBufSet(&rc, &p->value, pVal, nVal);
        bHave = 1;
      }
    }
    if( rc==LSMC_OK ) rc = lsmcIterPrev(p->pIter);
  }
  p->eKind = eKind;
  p->bValid = rc==LSMC_OK
           && (eKind==LSMC_KIND_PUT || (p->bTombstones && bHave));
  return rc;
}

/* End of every cursor movement: an error leaves the cursor invalid. */
static int dbCurDone(DbCursor *p, int rc){
  if( rc!=LSMC_OK ) p->bValid = 0;
  return rc;
}

/*
** Position on the first key >= a[0..n) (and >= lower).
*/
static int dbCurSeekGE(DbCursor *p, const u8 *a, size_t n){
  int rc;
  if( dbCurBelowLower(p, a, n) ){
    a = p->pB->lower.a;
    n = p->pB->lower.n;
  }
  p->eDir = DBITER_FORWARD;
  rc = dbCurSeekInternal(p, a, n, p->iSeq);
  if( rc==LSMC_OK ) rc = dbCurFindNext(p, 0);
  return dbCurDone(p, rc);
}

/*
** Position on the first key (>= lower).
*/
static int dbCurFirst(DbCursor *p){
  int rc;
  if( p->pB->bLower ) return dbCurSeekGE(p, p->pB->lower.a, p->pB->lower.n);
  p->eDir = DBITER_FORWARD;
  rc = lsmcIterFirst(p->pIter);
  if( rc==LSMC_OK ) rc = dbCurFindNext(p, 0);
  return dbCurDone(p, rc);
}

/*
** Position on the last key < upper, or the last key of all.
*/
static int dbCurLast(DbCursor *p){
  int rc;
  p->eDir = DBITER_REVERSE;
  if( p->pB->bUpper ){
    rc = dbCurSeekInternal(p, p->pB->upper.a, p->pB->upper.n, LSMC_MAX_SEQ);
    rc = dbCurBackFromSeek(p, rc);
  }else{
    rc = lsmcIterLast(p->pIter);
  }
  if( rc==LSMC_OK ) rc = dbCurFindPrev(p);
  return dbCurDone(p, rc);
}

/*
** Position on the last key <= a[0..n) (and < upper): seek to the first
** entry of the smallest user key above it (a[0..n) followed by 0x00),
** step back, and scan backward.
*/
static int dbCurSeekLE(DbCursor *p, const u8 *a, size_t n){
  int rc = LSMC_OK;
  if( dbCurAboveUpper(p, a, n) ) return dbCurLast(p);
  p->eDir = DBITER_REVERSE;
  p->seek.n = 0;
  lsmcBufAppend(&rc, &p->seek, a, n);
  lsmcBufAppend(&rc, &p->seek, "", 1);
  lsmcBufAppend64(&rc, &p->seek, lsmcTrailerPack(LSMC_MAX_SEQ, LSMC_KIND_SEEK));
  if( rc==LSMC_OK ) rc = lsmcIterSeek(p->pIter, p->seek.a, p->seek.n);
  rc = dbCurBackFromSeek(p, rc);
  if( rc==LSMC_OK ) rc = dbCurFindPrev(p);
  return dbCurDone(p, rc);
}

/*
** Step to the next key.  REQUIRES: bValid.  From REVERSE, the internal
** iterator is before the current key's entries and saved holds that key:
** step into them (or restart at the lower end) and skip every key <=
** saved.
*/
static int dbCurNext(DbCursor *p){
  int rc = LSMC_OK;
  assert( p->bValid && p->pIter!=0 );   /* a valid cursor has a source */
  if( p->eDir==DBITER_REVERSE ){
    p->eDir = DBITER_FORWARD;
    if( lsmcIterValid(p->pIter) ){
      rc = lsmcIterNext(p->pIter);
    }else if( p->pB->bLower ){
      rc = dbCurSeekInternal(p, p->pB->lower.a, p->pB->lower.n, LSMC_MAX_SEQ);
    }else{
      rc = lsmcIterFirst(p->pIter);
    }
  }else{
    size_t n;
    const u8 *a = lsmcIterKey(p->pIter, &n);
    lsmcBufSet(&rc, &p->saved, a, n - LSMC_TRAILER_SIZE);
    if( rc==LSMC_OK ) rc = lsmcIterNext(p->pIter);
  }
  if( rc==LSMC_OK ) rc = dbCurFindNext(p, 1);
  return dbCurDone(p, rc);
}

/*
** Step to the previous key.  REQUIRES: bValid.  From FORWARD, the
** internal iterator is on the current key's newest visible entry: step
** back past every entry of that user key first, so that the backward
** scan starts before it.
*/
static int dbCurPrev(DbCursor *p){
  int rc = LSMC_OK;
  assert( p->bValid && p->pIter!=0 );   /* a valid cursor has a source */
  if( p->eDir==DBITER_FORWARD ){
    size_t n;
    const u8 *a = lsmcIterKey(p->pIter, &n);
    p->eDir = DBITER_REVERSE;
    lsmcBufSet(&rc, &p->saved, a, n - LSMC_TRAILER_SIZE);
    while( rc==LSMC_OK ){
      DbEntry e;
      rc = lsmcIterPrev(p->pIter);
      if( rc!=LSMC_OK || !lsmcIterValid(p->pIter) ) break;
      rc = dbCurParse(p, &e);
      if( rc==LSMC_OK
       && lsmcUKeyCompare(e.pKey, e.nKey, p->saved.a, p->saved.n)<0 ){
        break;
      }
    }
  }
  if( rc==LSMC_OK ) rc = dbCurFindPrev(p);
  return dbCurDone(p, rc);
}

/* The current key of a valid cursor (never NULL). */
static const u8 *dbCurKey(const DbCursor *p, size_t *pnKey){
  const u8 *a;
  assert( p->bValid && p->pIter!=0 );   /* a valid cursor has a source */
  if( p->eDir==DBITER_FORWARD ){
    a = lsmcIterKey(p->pIter, pnKey);
    *pnKey -= LSMC_TRAILER_SIZE;
  }else{
    a = p->saved.a ? p->saved.a : (const u8*)"";
    *pnKey = p->saved.n;
  }
  return a;
}

/* The current value of a valid cursor (never NULL). */
static const u8 *dbCurValue(const DbCursor *p, size_t *pnVal){
  const u8 *a;
  assert( p->bValid && p->pIter!=0 );   /* a valid cursor has a source */
  if( p->eDir==DBITER_FORWARD ){
    a = lsmcIterValue(p->pIter, pnVal);
  }else{
    a = p->value.a;
    *pnVal = p->value.n;
  }
  return a ? a : (const u8*)"";
}

/* Apply positioning operation eOp (DBITER_FIRST...) to one cursor. */
static int dbCurPosition(DbCursor *p, int eOp, const u8 *a, size_t n){
  switch( eOp ){
    case DBITER_FIRST:    return dbCurFirst(p);
    case DBITER_LAST:     return dbCurLast(p);
    case DBITER_SEEK_GE:  return dbCurSeekGE(p, a, n);
    default:              return dbCurSeekLE(p, a, n);
  }
}

/* An unused cursor (no internal iterator) with empty buffers. */
static void dbCurInit(DbCursor *p, lsmc_env *pEnv, const DbBounds *pB){
  memset(p, 0, sizeof(*p));
  p->pB = pB;
  lsmcBufInit(&p->saved, pEnv);
  lsmcBufInit(&p->value, pEnv);
  lsmcBufInit(&p->seek, pEnv);
}

/* Close the cursor's internal iterator and free its buffers. */
static void dbCurFinish(DbCursor *p){
  lsmcIterClose(p->pIter);
  p->pIter = 0;
  lsmcBufFree(&p->saved);
  lsmcBufFree(&p->value);
  lsmcBufFree(&p->seek);
}

/* ------------------------------------------------------------- merge */

/*
** End of every movement: record rc; an error leaves the iterator invalid.
*/
static int dbIterDone(lsmc_iter *p, int rc){
  p->rc = rc;
  if( rc!=LSMC_OK ) p->bValid = 0;
  return rc;
}

/* Move the cursors on the current key (eCur) one key in direction eDir. */
static int dbIterStep(lsmc_iter *p, int eDir){
  int rc = LSMC_OK;
  if( p->eCur & DBITER_STORE ){
    rc = eDir==DBITER_FORWARD ? dbCurNext(&p->store) : dbCurPrev(&p->store);
  }
  if( rc==LSMC_OK && (p->eCur & DBITER_BATCH) ){
    rc = eDir==DBITER_FORWARD ? dbCurNext(&p->batch) : dbCurPrev(&p->batch);
  }
  return rc;
}

/*
** With every cursor on its first key in direction p->eDir, choose the
** current key and set eCur and bValid: the first key in that direction,
** the batch's on a tie, stepping over keys a batch tombstone hides.
*/
static int dbIterSettle(lsmc_iter *p){
  int rc = LSMC_OK;
  while( rc==LSMC_OK ){
    int c = 1;                        /* <0: store first, 0: tie, >0: batch */
    p->eCur = 0;
    if( !p->batch.bValid ){           /* also when there is no batch */
      if( p->store.bValid ) p->eCur = DBITER_STORE;
      break;
    }
    if( p->store.bValid ){
      size_t nS, nB;
      const u8 *aS = dbCurKey(&p->store, &nS);
      const u8 *aB = dbCurKey(&p->batch, &nB);
      c = lsmcUKeyCompare(aS, nS, aB, nB);
      if( p->eDir==DBITER_REVERSE ) c = -c;
    }
    if( c<0 ){
      p->eCur = DBITER_STORE;
      break;
    }
    p->eCur = DBITER_BATCH | (c==0 ? DBITER_STORE : 0);
    if( p->batch.eKind==LSMC_KIND_PUT ) break;
    rc = dbIterStep(p, p->eDir);      /* the batch deletes this key */
  }
  p->bValid = rc==LSMC_OK && p->eCur!=0;
  return rc;
}

/*
** Position every cursor with eOp (target a[0..n) for the seeks) and
** settle.  The target is copied first when there are two cursors: it may
** point into the iterator's own current key, which the first cursor's
** movement overwrites.
*/
static int dbIterPosition(lsmc_iter *p, int eOp, const u8 *a, size_t n){
  int rc = LSMC_OK;
  if( p->batch.pIter && a ){
    lsmcBufSet(&rc, &p->target, a, n);
    a = p->target.a ? p->target.a : (const u8*)"";
  }
  p->bValid = 0;
  p->eDir = (eOp==DBITER_FIRST || eOp==DBITER_SEEK_GE) ? DBITER_FORWARD
                                                       : DBITER_REVERSE;
  if( rc==LSMC_OK ) rc = dbCurPosition(&p->store, eOp, a, n);
  if( rc==LSMC_OK && p->batch.pIter ){
    rc = dbCurPosition(&p->batch, eOp, a, n);
  }
  if( rc==LSMC_OK ) rc = dbIterSettle(p);
  return dbIterDone(p, rc);
}

/*
** One step in direction eDir.  On a direction switch, the cursor that is
** not on the current key is first sought to the current key in the new
** direction: it holds no entry for that key, so it lands on its first key
** beyond it, where the cursors on the key arrive after their step.
*/
static int dbIterMove(lsmc_iter *p, int eDir){
  int rc = LSMC_OK;
  if( p->rc!=LSMC_OK ) return p->rc;
  if( !p->bValid ) return LSMC_MISUSE_BKPT;
  if( p->eDir!=eDir && p->batch.pIter
   && p->eCur!=(DBITER_STORE|DBITER_BATCH) ){
    int bBatch = (p->eCur & DBITER_BATCH)!=0;
    DbCursor *pOn = bBatch ? &p->batch : &p->store;
    DbCursor *pOff = bBatch ? &p->store : &p->batch;
    size_t n;
    const u8 *a = dbCurKey(pOn, &n);  /* stays valid: pOn does not move */
    rc = eDir==DBITER_FORWARD ? dbCurSeekGE(pOff, a, n)
                              : dbCurSeekLE(pOff, a, n);
  }
  p->eDir = eDir;
  if( rc==LSMC_OK ) rc = dbIterStep(p, eDir);
  if( rc==LSMC_OK ) rc = dbIterSettle(p);
  return dbIterDone(p, rc);
}

/* ------------------------------------------------------------ public */

int lsmc_iter_first(lsmc_iter *p){
  if( p==0 ) return LSMC_MISUSE_BKPT;
  return dbIterPosition(p, DBITER_FIRST, 0, 0);
}

int lsmc_iter_last(lsmc_iter *p){
  if( p==0 ) return LSMC_MISUSE_BKPT;
  return dbIterPosition(p, DBITER_LAST, 0, 0);
}

int lsmc_iter_seek(lsmc_iter *p, const void *pKey, size_t nKey, int eSeek){
  if( p==0 || (pKey==0 && nKey>0) ) return LSMC_MISUSE_BKPT;
  if( eSeek!=LSMC_SEEK_GE && eSeek!=LSMC_SEEK_LE ) return LSMC_MISUSE_BKPT;
  if( pKey==0 ) pKey = "";
  return dbIterPosition(p, eSeek==LSMC_SEEK_GE ? DBITER_SEEK_GE
                                               : DBITER_SEEK_LE,
                        (const u8*)pKey, nKey);
}

int lsmc_iter_next(lsmc_iter *p){
  if( p==0 ) return LSMC_MISUSE_BKPT;
  return dbIterMove(p, DBITER_FORWARD);
}

int lsmc_iter_prev(lsmc_iter *p){
  if( p==0 ) return LSMC_MISUSE_BKPT;
  return dbIterMove(p, DBITER_REVERSE);
}

int lsmc_iter_valid(const lsmc_iter *p){
  return p!=0 && p->bValid;
}

/* The cursor that supplies the current key and value. */
static const DbCursor *dbIterCurrent(const lsmc_iter *p){
  return (p->eCur & DBITER_BATCH) ? &p->batch : &p->store;
}

/*
** Key and value.  NULL (and size 0) when not valid; a valid empty key or
** value is a non-NULL pointer.
*/
const void *lsmc_iter_key(const lsmc_iter *p, size_t *pnKey){
  const u8 *a = 0;
  size_t n = 0;
  if( p && p->bValid ) a = dbCurKey(dbIterCurrent(p), &n);
  if( pnKey ) *pnKey = n;
  /* a points into the iterator's current entry, not at n (a cppcheck
  ** false positive) */
  /* cppcheck-suppress returnDanglingLifetime */
  return a;
}

const void *lsmc_iter_value(const lsmc_iter *p, size_t *pnVal){
  const u8 *a = 0;
  size_t n = 0;
  if( p && p->bValid ) a = dbCurValue(dbIterCurrent(p), &n);
  if( pnVal ) *pnVal = n;
  return a;
}

void lsmc_iter_close(lsmc_iter *p){
  if( p==0 ) return;
  dbCurFinish(&p->store);
  if( p->xCleanup ) p->xCleanup(p->pCleanupArg);
  dbCurFinish(&p->batch);
  lsmcBufFree(&p->bounds.lower);
  lsmcBufFree(&p->bounds.upper);
  lsmcBufFree(&p->target);
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
  p->xCleanup = xCleanup;
  p->pCleanupArg = pCleanupArg;
  lsmcBufInit(&p->bounds.lower, pEnv);
  lsmcBufInit(&p->bounds.upper, pEnv);
  lsmcBufInit(&p->target, pEnv);
  dbCurInit(&p->store, pEnv, &p->bounds);
  dbCurInit(&p->batch, pEnv, &p->bounds);
  p->store.pIter = pInternal;
  p->store.iSeq = LSMC_MIN(iSeq, LSMC_MAX_SEQ);
  p->bounds.bLower = pLower!=0;
  p->bounds.bUpper = pUpper!=0;
  if( pLower ) lsmcBufSet(&rc, &p->bounds.lower, pLower, nLower);
  if( pUpper ) lsmcBufSet(&rc, &p->bounds.upper, pUpper, nUpper);
  if( rc!=LSMC_OK ){
    lsmc_iter_close(p);
    return rc;
  }
  *ppIter = p;
  return LSMC_OK;
}

/*
** Attach the batch cursor: its tombstones are kept, so that the merge
** can hide the store's keys they delete.
*/
void lsmcDbIterSetBatch(lsmc_iter *p, LsmIter *pBatch, u64 iSeq){
  assert( p->batch.pIter==0 && !p->bValid );
  p->batch.pIter = pBatch;
  p->batch.iSeq = LSMC_MIN(iSeq, LSMC_MAX_SEQ);
  p->batch.bTombstones = 1;
}
