/*
** skiplist.h -- a lock-free-read skiplist of opaque entries in an arena.
**
** The skiplist does not know the key format: each entry is a pointer into
** the arena, ordered by the comparator given at creation (the memtable
** passes one over its encoded entries).  Entries are never removed; the
** whole list is freed with its arena.
**
** Thread safety: one writer at a time (external lock) and any number of
** concurrent readers without locks: a node is fully initialised before it
** is published with release stores, and readers use acquire loads.
** Invariant: at every level, nodes are in strictly ascending order.
** Inserting an entry equal to an existing one is a caller bug.
*/
#ifndef LSMC_SKIPLIST_H
#define LSMC_SKIPLIST_H

#include "lsmcInt.h"
#include "arena.h"

typedef struct SkipList SkipList;
typedef struct SkipIter SkipIter;
typedef struct SkipNode SkipNode;

/* Compare two entries; negative, zero or positive as memcmp. */
typedef int (*SkipCompare)(void *pCtx, const u8 *pA, const u8 *pB);

/* The list and its nodes live in pArena (owned by the caller). */
int lsmcSkipNew(Arena *pArena, SkipCompare xCmp, void *pCtx, SkipList **pp);
/* Insert pEntry (a pointer the list keeps; it must live in the arena). */
int lsmcSkipInsert(SkipList*, const u8 *pEntry);
/*
** Or allocate a node with room for an nEntry-byte entry inside it (NULL on
** OOM), fill *ppEntry, then link it.  The entry then lives in the node,
** next to the tower a search reads.  Same REQUIRES as lsmcSkipInsert.
*/
SkipNode *lsmcSkipNodeNew(SkipList*, size_t nEntry, u8 **ppEntry);
void lsmcSkipInsertNode(SkipList*, SkipNode*);
int lsmcSkipContains(SkipList*, const u8 *pEntry);

/*
** A cursor over the list.  SkipIter is a plain struct so that it can be
** embedded (no allocation); pNode is NULL when not positioned.
*/
struct SkipIter {
  SkipList *pList;        /* List being walked */
  void *pNode;            /* Current node, or NULL */
};
void lsmcSkipIterInit(SkipIter*, SkipList*);
int lsmcSkipIterValid(const SkipIter*);
const u8 *lsmcSkipIterEntry(const SkipIter*);   /* REQUIRES: valid */
void lsmcSkipIterNext(SkipIter*);
void lsmcSkipIterPrev(SkipIter*);     /* Search from the head: O(log n) */
void lsmcSkipIterSeek(SkipIter*, const u8 *pTarget);  /* first >= target */
void lsmcSkipIterFirst(SkipIter*);
void lsmcSkipIterLast(SkipIter*);

#endif /* LSMC_SKIPLIST_H */
