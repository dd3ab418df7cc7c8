/*
** skiplist.c -- a skiplist with one writer and lock-free readers, whose
** nodes live in an Arena (the design of LevelDB's db/skiplist.h, in C11).
**
** The list, its head node and every node are allocated in the arena given
** at creation and are freed with it; there is no per-node free and no
** allocation outside the arena.  A node holds the caller's entry pointer
** and a tower of 1..SKIP_MAX_HEIGHT next pointers allocated inline after
** it.  A new node's height is drawn from a per-list xorshift64 generator
** (fixed seed, so runs are reproducible): each level above the first is
** kept with probability 1/SKIP_BRANCHING.  The head node has the full
** height and no entry.
**
** A node is either the entry's own home (lsmcSkipNodeNew: the entry bytes
** follow the tower in the same allocation, so a search step touches one
** place in memory) or points at an entry allocated elsewhere
** (lsmcSkipInsert).
**
** Invariants: at every level the nodes are in strictly ascending order of
** xCmp; a node reachable at level i is reachable at every level below i;
** nHeight is the height of the tallest node ever inserted (at least 1).
**
** Thread safety: one writer at a time (the caller serialises inserts);
** any number of concurrent readers without locks.  The writer fills a
** node completely (entry and the node's own next pointers, relaxed) and
** then links it, bottom level first, into each predecessor with a release
** store; readers follow next pointers with acquire loads, so a reader that
** reaches a node sees it, and the entry bytes written before the insert,
** fully initialised.  nHeight is read relaxed: a reader that sees a new
** height early finds NULL or the new node at the head's upper levels,
** both of which are correct.
*/
#include "skiplist.h"

#include <stdatomic.h>

#define SKIP_MAX_HEIGHT   12                   /* Tallest tower */
#define SKIP_BRANCHING    4                    /* 1 in 4 grows a level */
#define SKIP_SEED         0x9e3779b97f4a7c15ULL /* Generator's start state */

typedef struct SkipNode SkipNode;

struct SkipNode {
  const u8 *pEntry;                 /* Caller's entry; NULL for the head */
  int nHeight;                      /* Levels in apNext */
  _Atomic(SkipNode*) apNext[];      /* Tower: apNext[0] is the bottom level */
};

struct SkipList {
  Arena *pArena;                    /* Holds the list and every node */
  SkipCompare xCmp;                 /* Orders entries */
  void *pCtx;                       /* First argument of xCmp */
  SkipNode *pHead;                  /* Sentinel of SKIP_MAX_HEIGHT levels */
  atomic_int nHeight;               /* Levels in use (1..SKIP_MAX_HEIGHT) */
  u64 iRand;                        /* xorshift64 state (writer only) */
};

/*
** Allocate a node of nHeight levels in the arena, its next pointers NULL,
** with nEntry bytes of room for an entry right after its tower.  If
** nEntry>0 the node's entry is that room, else pEntry.  Returns NULL on
** OOM.
*/
static SkipNode *skipNodeNew(SkipList *p, const u8 *pEntry, size_t nEntry,
                             int nHeight){
  size_t nNode = sizeof(SkipNode) + sizeof(_Atomic(SkipNode*))*(size_t)nHeight;
  SkipNode *pNode = lsmcArenaAlloc(p->pArena, nNode + nEntry);
  int i;
  if( pNode==0 ) return 0;
  pNode->pEntry = nEntry ? (const u8*)pNode + nNode : pEntry;
  pNode->nHeight = nHeight;
  for(i=0; i<nHeight; i++) atomic_init(&pNode->apNext[i], 0);
  return pNode;
}

/* Readers' view of a next pointer: an acquire load. */
static SkipNode *skipNext(SkipNode *pNode, int iLevel){
  return atomic_load_explicit(&pNode->apNext[iLevel], memory_order_acquire);
}

static int skipHeight(const SkipList *p){
  return atomic_load_explicit(&((SkipList*)p)->nHeight, memory_order_relaxed);
}

/*
** Create an empty list in pArena ordered by xCmp(pCtx, a, b).
*/
int lsmcSkipNew(Arena *pArena, SkipCompare xCmp, void *pCtx, SkipList **pp){
  SkipList *p = lsmcArenaAlloc(pArena, sizeof(SkipList));
  *pp = 0;
  if( p==0 ) return LSMC_NOMEM;
  p->pArena = pArena;
  p->xCmp = xCmp;
  p->pCtx = pCtx;
  p->iRand = SKIP_SEED;
  atomic_init(&p->nHeight, 1);
  p->pHead = skipNodeNew(p, 0, 0, SKIP_MAX_HEIGHT);
  if( p->pHead==0 ) return LSMC_NOMEM;
  *pp = p;
  return LSMC_OK;
}

/*
** Draw a tower height: 1, then one more level with probability
** 1/SKIP_BRANCHING each time, capped at SKIP_MAX_HEIGHT.
*/
static int skipRandomHeight(SkipList *p){
  int nHeight = 1;
  while( nHeight<SKIP_MAX_HEIGHT ){
    u64 x = p->iRand;
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    p->iRand = x;
    if( ((x>>32) % SKIP_BRANCHING)!=0 ) break;
    nHeight++;
  }
  return nHeight;
}

/*
** Return the first node whose entry is >= pTarget, or NULL if there is
** none.  If apPrev is not NULL, fill apPrev[i] for every level in use with
** the last node at level i whose entry is < pTarget (possibly the head).
** pBound, the node that stopped the walk one level up, is often the next
** node again one level down; it is known to be >= pTarget, so it is not
** compared twice.
*/
static SkipNode *skipFindGE(SkipList *p, const u8 *pTarget, SkipNode **apPrev){
  SkipNode *pNode = p->pHead;
  SkipNode *pBound = 0;              /* Known to be >= pTarget */
  int iLevel = skipHeight(p) - 1;
  for(;;){
    SkipNode *pNext = skipNext(pNode, iLevel);
    if( pNext && pNext!=pBound && p->xCmp(p->pCtx, pNext->pEntry, pTarget)<0 ){
      pNode = pNext;                       /* keep going at this level */
    }else{
      if( apPrev ) apPrev[iLevel] = pNode;
      if( iLevel==0 ) return pNext;
      pBound = pNext;
      iLevel--;
    }
  }
}

/*
** Return the last node whose entry is < pTarget, or the head if none is.
*/
static SkipNode *skipFindLT(SkipList *p, const u8 *pTarget){
  SkipNode *pNode = p->pHead;
  int iLevel = skipHeight(p) - 1;
  for(;;){
    SkipNode *pNext = skipNext(pNode, iLevel);
    if( pNext && p->xCmp(p->pCtx, pNext->pEntry, pTarget)<0 ){
      pNode = pNext;
    }else{
      if( iLevel==0 ) return pNode;
      iLevel--;
    }
  }
}

/*
** Return the last node of the list, or the head if the list is empty.
*/
static SkipNode *skipFindLast(SkipList *p){
  SkipNode *pNode = p->pHead;
  int iLevel = skipHeight(p) - 1;
  for(;;){
    SkipNode *pNext = skipNext(pNode, iLevel);
    if( pNext ){
      pNode = pNext;
    }else{
      if( iLevel==0 ) return pNode;
      iLevel--;
    }
  }
}

/*
** Link pNode, whose entry is filled in, into the list.  REQUIRES: no
** equal entry is in the list, and no other thread is inserting.
*/
static void skipLink(SkipList *p, SkipNode *pNode){
  SkipNode *apPrev[SKIP_MAX_HEIGHT];
  SkipNode *pFound;
  int nHeight = pNode->nHeight;
  int nOld;
  int i;

  pFound = skipFindGE(p, pNode->pEntry, apPrev);
  assert( pFound==0 || p->xCmp(p->pCtx, pFound->pEntry, pNode->pEntry)!=0 );
  (void)pFound;
  nOld = skipHeight(p);
  for(i=nOld; i<nHeight; i++) apPrev[i] = p->pHead;
  if( nHeight>nOld ){
    atomic_store_explicit(&p->nHeight, nHeight, memory_order_relaxed);
  }

  for(i=0; i<nHeight; i++){
    /* The new node is not yet visible: a relaxed store suffices for it.
    ** Then the release store publishes it at level i. */
    SkipNode *pSucc = atomic_load_explicit(&apPrev[i]->apNext[i],
                                           memory_order_relaxed);
    atomic_store_explicit(&pNode->apNext[i], pSucc, memory_order_relaxed);
    atomic_store_explicit(&apPrev[i]->apNext[i], pNode, memory_order_release);
  }
}

/*
** Insert pEntry, an entry that lives elsewhere in the arena.  REQUIRES:
** no equal entry is in the list, and no other thread is inserting.
** Returns LSMC_NOMEM if the arena cannot grow (the list is then
** unchanged).
*/
int lsmcSkipInsert(SkipList *p, const u8 *pEntry){
  SkipNode *pNode = skipNodeNew(p, pEntry, 0, skipRandomHeight(p));
  if( pNode==0 ) return LSMC_NOMEM;
  skipLink(p, pNode);
  return LSMC_OK;
}

/*
** Allocate an unlinked node with nEntry (>0) bytes of room for its entry
** just after its tower, so that a search step reads the node and the
** start of its key from one place instead of two.  The caller fills
** *ppEntry and then calls lsmcSkipInsertNode.  Returns NULL on OOM.
*/
SkipNode *lsmcSkipNodeNew(SkipList *p, size_t nEntry, u8 **ppEntry){
  SkipNode *pNode;
  assert( nEntry>0 );
  pNode = skipNodeNew(p, 0, nEntry, skipRandomHeight(p));
  *ppEntry = pNode ? (u8*)pNode->pEntry : 0;
  return pNode;
}

/*
** Link a node from lsmcSkipNodeNew whose entry is now filled in.
** REQUIRES: as lsmcSkipInsert.
*/
void lsmcSkipInsertNode(SkipList *p, SkipNode *pNode){
  skipLink(p, pNode);
}

/*
** True if an entry equal to pEntry is in the list.
*/
int lsmcSkipContains(SkipList *p, const u8 *pEntry){
  SkipNode *pNode = skipFindGE(p, pEntry, 0);
  return pNode!=0 && p->xCmp(p->pCtx, pNode->pEntry, pEntry)==0;
}

/*
** Iterator.  pNode is NULL when the iterator is not on an entry; it never
** points at the head.
*/
void lsmcSkipIterInit(SkipIter *pIter, SkipList *pList){
  pIter->pList = pList;
  pIter->pNode = 0;
}

int lsmcSkipIterValid(const SkipIter *pIter){
  return pIter->pNode!=0;
}

const u8 *lsmcSkipIterEntry(const SkipIter *pIter){
  assert( lsmcSkipIterValid(pIter) );
  return ((const SkipNode*)pIter->pNode)->pEntry;
}

void lsmcSkipIterNext(SkipIter *pIter){
  assert( lsmcSkipIterValid(pIter) );
  pIter->pNode = skipNext((SkipNode*)pIter->pNode, 0);
}

/*
** Step back: there are no back pointers, so search from the head for the
** last node before the current entry.
*/
void lsmcSkipIterPrev(SkipIter *pIter){
  SkipList *p = pIter->pList;
  SkipNode *pNode;
  assert( lsmcSkipIterValid(pIter) );
  pNode = skipFindLT(p, ((SkipNode*)pIter->pNode)->pEntry);
  pIter->pNode = (pNode==p->pHead) ? 0 : pNode;
}

void lsmcSkipIterSeek(SkipIter *pIter, const u8 *pTarget){
  pIter->pNode = skipFindGE(pIter->pList, pTarget, 0);
}

void lsmcSkipIterFirst(SkipIter *pIter){
  pIter->pNode = skipNext(pIter->pList->pHead, 0);
}

void lsmcSkipIterLast(SkipIter *pIter){
  SkipList *p = pIter->pList;
  SkipNode *pNode = skipFindLast(p);
  pIter->pNode = (pNode==p->pHead) ? 0 : pNode;
}
