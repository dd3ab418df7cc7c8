/*
** fuzz_block.c -- libFuzzer target for the SSTable data-block reader
** (lsmcore/block.c, TESTPLAN F1).
**
** The whole input is one block's contents (entries, restart array), in an
** allocation of exactly its size so that any read past the block is an
** ASan report.  The target does what a reader does: validate it
** (lsmcBlockIterInit), scan it forward (First/Next) and backward
** (Last/Prev), and seek to every key found, to keys just before and after
** them, and to keys made of input bytes; the LsmIter adaptor is driven
** the same way.
**
** Pass bar (abort on violation): no memory error, leak or endless loop;
** every movement returns OK or CORRUPT; keys are >= 8 bytes and lie in
** what the block describes; when the forward scan ends cleanly, the
** backward scan returns exactly the same entries in reverse order; a seek
** that ends on an entry ends on a key >= the target; when the keys are in
** strictly ascending order, a seek to key i lands on entry i.
*/
#include "fuzzutil.h"
#include "lsmcInt.h"
#include "block.h"
#include "block_builder.h"
#include "coding.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define BLK_MAX_ENTRIES 2048     /* Entries compared between directions */

/* One entry seen by the forward scan. */
typedef struct BlkEntry BlkEntry;
struct BlkEntry {
  u64 hKey;                      /* Checksum of the key */
  u64 hVal;                      /* Checksum of the value */
  u8 *pKey;                      /* Copy of the key (malloc'd) */
  size_t nKey;                   /* Its size */
};

/* Checksum of a key or value, for comparing scans. */
static u64 blkHash(const u8 *p, size_t n){
  return lsmcChecksum64(p, n, n);
}

/* Record the current entry of pIt into pE (a copy of its key). */
static int blkTake(BlockIter *pIt, BlkEntry *pE){
  size_t nKey, nVal;
  const u8 *pKey = lsmcBlockIterKey(pIt, &nKey);
  const u8 *pVal = lsmcBlockIterValue(pIt, &nVal);
  FUZZ_ASSERT( nKey>=LSMC_TRAILER_SIZE );
  FUZZ_ASSERT( nVal<=pIt->nData );
  pE->hKey = blkHash(pKey, nKey);
  pE->hVal = blkHash(pVal, nVal);
  pE->nKey = nKey;
  pE->pKey = malloc(nKey);
  if( pE->pKey==0 ) return LSMC_NOMEM;
  memcpy(pE->pKey, pKey, nKey);
  return LSMC_OK;
}

/* Seek to pKey and check the result against the scan. */
static void blkSeek(BlockIter *pIt, const u8 *pKey, size_t nKey){
  int rc = lsmcBlockIterSeek(pIt, pKey, nKey);
  FUZZ_ASSERT( rc==LSMC_OK || rc==LSMC_CORRUPT );
  if( rc==LSMC_OK && lsmcBlockIterValid(pIt) ){
    size_t n;
    const u8 *p = lsmcBlockIterKey(pIt, &n);
    FUZZ_ASSERT( lsmcIKeyCompare(p, n, pKey, nKey)>=0 );
    /* A step from here either works or reports corruption. */
    rc = lsmcBlockIterPrev(pIt);
    FUZZ_ASSERT( rc==LSMC_OK || rc==LSMC_CORRUPT );
  }
}

/* Exercise the LsmIter adaptor over the same bytes. */
static void blkAdaptor(const u8 *a, size_t n, size_t nExpect){
  LsmIter *pIter = 0;
  int rc = lsmcBlockIterNew(lsmc_default_env(), a, n, 0, 0, &pIter);
  size_t nSeen = 0;
  if( rc!=LSMC_OK ){
    FUZZ_ASSERT( rc==LSMC_CORRUPT && pIter==0 );
    return;
  }
  for(rc=lsmcIterLast(pIter); rc==LSMC_OK && lsmcIterValid(pIter);
      rc=lsmcIterPrev(pIter)){
    nSeen++;
  }
  FUZZ_ASSERT( rc==LSMC_OK || rc==LSMC_CORRUPT );
  if( nExpect!=(size_t)-1 ) FUZZ_ASSERT( rc==LSMC_OK && nSeen==nExpect );
  lsmcIterClose(pIter);
}

int LLVMFuzzerTestOneInput(const uint8_t *aData, size_t nData){
  BlockIter it;
  BlkEntry *aEnt = 0;
  size_t nEnt = 0, i;
  size_t nMax = LSMC_MIN((size_t)BLK_MAX_ENTRIES, nData/3 + 1);
  int rc, bSorted = 1, bClean = 0;
  u8 *a = malloc(nData ? nData : 1);
  if( a==0 ) return 0;
  memcpy(a, aData, nData);

  rc = lsmcBlockIterInit(&it, lsmc_default_env(), a, nData);
  FUZZ_ASSERT( rc==LSMC_OK || rc==LSMC_CORRUPT );
  if( rc==LSMC_OK ){
    aEnt = calloc(nMax, sizeof(BlkEntry));   /* entries are >= 3 bytes */
    if( aEnt==0 ) goto done;

    /* Forward. */
    for(rc=lsmcBlockIterFirst(&it); rc==LSMC_OK && lsmcBlockIterValid(&it);
        rc=lsmcBlockIterNext(&it)){
      if( nEnt<nMax ){
        if( blkTake(&it, &aEnt[nEnt]) ) goto done;
        if( nEnt>0 && lsmcIKeyCompare(aEnt[nEnt-1].pKey, aEnt[nEnt-1].nKey,
                                      aEnt[nEnt].pKey, aEnt[nEnt].nKey)>=0 ){
          bSorted = 0;
        }
      }
      nEnt++;
    }
    FUZZ_ASSERT( rc==LSMC_OK || rc==LSMC_CORRUPT );
    bClean = (rc==LSMC_OK && nEnt<=nMax);

    /* Backward: the same entries in reverse when the forward scan was
    ** clean (every restart point was checked on the way). */
    i = nEnt;
    for(rc=lsmcBlockIterLast(&it); rc==LSMC_OK && lsmcBlockIterValid(&it);
        rc=lsmcBlockIterPrev(&it)){
      if( bClean ){
        size_t nKey, nVal;
        const u8 *pKey = lsmcBlockIterKey(&it, &nKey);
        const u8 *pVal = lsmcBlockIterValue(&it, &nVal);
        FUZZ_ASSERT( i>0 );
        i--;
        FUZZ_ASSERT( aEnt[i].hKey==blkHash(pKey, nKey) );
        FUZZ_ASSERT( aEnt[i].hVal==blkHash(pVal, nVal) );
      }
    }
    FUZZ_ASSERT( rc==LSMC_OK || rc==LSMC_CORRUPT );
    if( bClean ) FUZZ_ASSERT( rc==LSMC_OK && i==0 );

    /* Seeks: to every key (exact when sorted), and around it. */
    for(i=0; i<nEnt && i<nMax; i++){
      BlkEntry *e = &aEnt[i];
      rc = lsmcBlockIterSeek(&it, e->pKey, e->nKey);
      FUZZ_ASSERT( rc==LSMC_OK || rc==LSMC_CORRUPT );
      if( bClean && bSorted ){
        size_t nKey;
        const u8 *pKey;
        FUZZ_ASSERT( rc==LSMC_OK && lsmcBlockIterValid(&it) );
        pKey = lsmcBlockIterKey(&it, &nKey);
        FUZZ_ASSERT( blkHash(pKey, nKey)==e->hKey );
      }
      if( i<64 ){
        u8 aSave = e->pKey[e->nKey-1];
        e->pKey[e->nKey-1] = (u8)(aSave+1);
        blkSeek(&it, e->pKey, e->nKey);
        e->pKey[e->nKey-1] = (u8)(aSave-1);
        blkSeek(&it, e->pKey, e->nKey);
        e->pKey[e->nKey-1] = aSave;
      }
    }
    if( nData>=LSMC_TRAILER_SIZE ){
      blkSeek(&it, a, LSMC_MIN(nData, (size_t)64));
      blkSeek(&it, &a[nData-LSMC_TRAILER_SIZE], LSMC_TRAILER_SIZE);
    }
  }
done:
  lsmcBlockIterClear(&it);
  blkAdaptor(a, nData, bClean ? nEnt : (size_t)-1);
  if( aEnt ){
    for(i=0; i<nEnt && i<nMax; i++) free(aEnt[i].pKey);
    free(aEnt);
  }
  free(a);
  return 0;
}

/* ---------------------------------------------------------- seeds */

/*
** Write a seed block of nEntry entries, restart interval nInterval, keys
** "<prefix><i>" + trailer, values of nVal bytes.
*/
static int blkSeed(const char *zDir, const char *zName, int nEntry,
                   u32 nInterval, const char *zPrefix, size_t nVal){
  BlockBuilder b;
  LsmcBuf key;
  LsmcBuf *pOut;
  int rc = LSMC_OK, i, bad;
  u8 aVal[300];
  memset(aVal, 'x', sizeof(aVal));
  lsmcBlockBuilderInit(&b, lsmc_default_env(), nInterval);
  lsmcBufInit(&key, lsmc_default_env());
  for(i=0; i<nEntry; i++){
    char zKey[200];
    int n = snprintf(zKey, sizeof(zKey), "%s%05d", zPrefix, i);
    lsmcIKeyBuild(&rc, &key, (const u8*)zKey, (size_t)n, 1000 - (u64)i,
                  (i%5)==4 ? LSMC_KIND_DELETE : LSMC_KIND_PUT);
    lsmcBlockBuilderAdd(&rc, &b, key.a, key.n, aVal,
                        (i%5)==4 ? 0 : LSMC_MIN(nVal, sizeof(aVal)));
  }
  pOut = lsmcBlockBuilderFinish(&rc, &b);
  bad = (rc!=LSMC_OK || pOut==0);
  if( !bad ) bad = fuzzSeedWrite(zDir, zName, pOut->a, pOut->n);
  lsmcBufFree(&key);
  lsmcBlockBuilderFree(&b);
  return bad;
}

int fuzzMakeSeeds(const char *zDir);
int fuzzMakeSeeds(const char *zDir){
  static const char zLong[] =
    "a-long-common-prefix-that-is-longer-than-the-inline-key-room-of-"
    "a-block-iterator-so-keys-go-to-the-heap-";
  int rc = 0;
  rc |= blkSeed(zDir, "empty", 0, 16, "k", 0);
  rc |= blkSeed(zDir, "one", 1, 16, "k", 3);
  rc |= blkSeed(zDir, "r16", 40, 16, "key", 8);
  rc |= blkSeed(zDir, "r1", 12, 1, "key", 2);
  rc |= blkSeed(zDir, "r4", 20, 4, "user/", 0);
  rc |= blkSeed(zDir, "longkeys", 10, 3, zLong, 5);
  rc |= blkSeed(zDir, "bigvals", 6, 2, "v", 300);
  return rc;
}
