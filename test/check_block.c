/*
** check_block.c -- unit tests of the block builder and reader
** (block_builder.c, block.c).
**
** Blocks are built from generated internal keys (optionally with a
** 250-byte shared prefix, to exercise prefix compression and keys longer
** than the iterator's inline room) with restart intervals 1, 2 and 16, and
** read back: forward, backward, seek to every key, seek between keys and
** outside the key range, direction changes.  Damaged blocks: every byte
** value at every byte of a small block's restart array must give
** LSMC_CORRUPT or a still-correct read; bit flips anywhere in a block and
** every truncation must not read out of bounds (the block is copied into
** an exactly-sized heap buffer, so ASan sees any overrun) or loop.  The
** LsmIter adaptor calls its release hook exactly once.
*/
#include "block.h"
#include "block_builder.h"
#include "coding.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>

#define LONG_PREFIX 250

static lsmc_env *tEnv(void){ return lsmc_default_env(); }

/*
** Internal key i: user key [prefix] "key%06d" of 2*i (so that 2*i+1 falls
** between keys), sequence i+1, kind PUT.  bOdd builds the user key 2*i+1
** with the largest sequence, a seek target just after key i.
*/
static size_t makeKey(u8 *a, int i, int bLong, int bOdd){
  size_t n = 0;
  u64 t;
  if( bLong ){
    memset(a, 'p', LONG_PREFIX);
    n = LONG_PREFIX;
  }
  n += (size_t)sprintf((char*)&a[n], "key%06d", 2*i + (bOdd ? 1 : 0));
  t = bOdd ? lsmcTrailerPack(LSMC_MAX_SEQ, LSMC_KIND_SEEK)
           : lsmcTrailerPack((u64)i+1, LSMC_KIND_PUT);
  lsmcPut64(&a[n], t);
  return n + 8;
}

/* Value i: "v<i>" repeated i%7 times (so some values are empty). */
static size_t makeVal(u8 *a, int i){
  size_t n = 0;
  int j;
  for(j=0; j<i%7; j++) n += (size_t)sprintf((char*)&a[n], "v%d", i);
  return n;
}

/*
** Build a block of nEnt entries; return a malloc'd exactly-sized copy.
*/
static u8 *buildBlock(u32 nInterval, int nEnt, int bLong, size_t *pn){
  BlockBuilder b;
  LsmcBuf *pBuf;
  u8 aKey[400], aVal[100];
  int rc = LSMC_OK;
  int i;
  u8 *a;
  lsmcBlockBuilderInit(&b, tEnv(), nInterval);
  for(i=0; i<nEnt; i++){
    size_t nKey = makeKey(aKey, i, bLong, 0);
    size_t nVal = makeVal(aVal, i);
    lsmcBlockBuilderAdd(&rc, &b, aKey, nKey, aVal, nVal);
  }
  ck_assert_int_eq(rc, LSMC_OK);
  {
    size_t nEst = lsmcBlockBuilderSize(&b);
    pBuf = lsmcBlockBuilderFinish(&rc, &b);
    ck_assert_ptr_nonnull(pBuf);
    ck_assert_uint_eq(nEst, pBuf->n);
  }
  a = malloc(pBuf->n);
  memcpy(a, pBuf->a, pBuf->n);
  *pn = pBuf->n;
  lsmcBlockBuilderFree(&b);
  return a;
}

/* Does the iterator hold entry i? */
static int isEntry(BlockIter *p, int i, int bLong){
  u8 aKey[400], aVal[100];
  size_t nKey = makeKey(aKey, i, bLong, 0);
  size_t nVal = makeVal(aVal, i);
  size_t nK, nV;
  const u8 *pK, *pV;
  if( !lsmcBlockIterValid(p) ) return 0;
  pK = lsmcBlockIterKey(p, &nK);
  pV = lsmcBlockIterValue(p, &nV);
  return nK==nKey && memcmp(pK, aKey, nK)==0
      && nV==nVal && (nV==0 || memcmp(pV, aVal, nV)==0);
}

/*
** Full round trip of one block: forward, backward, every seek.
*/
static void roundTrip(u32 nInterval, int nEnt, int bLong){
  size_t n;
  u8 *a = buildBlock(nInterval, nEnt, bLong, &n);
  u8 aKey[400];
  BlockIter it;
  int i;

  ck_assert_int_eq(lsmcBlockIterInit(&it, tEnv(), a, n), LSMC_OK);
  ck_assert_int_eq(lsmcBlockIterFirst(&it), LSMC_OK);
  for(i=0; i<nEnt; i++){
    ck_assert_msg(isEntry(&it, i, bLong), "forward %d", i);
    ck_assert_int_eq(lsmcBlockIterNext(&it), LSMC_OK);
  }
  ck_assert(!lsmcBlockIterValid(&it));

  ck_assert_int_eq(lsmcBlockIterLast(&it), LSMC_OK);
  for(i=nEnt-1; i>=0; i--){
    ck_assert_msg(isEntry(&it, i, bLong), "backward %d", i);
    ck_assert_int_eq(lsmcBlockIterPrev(&it), LSMC_OK);
  }
  ck_assert(!lsmcBlockIterValid(&it));

  for(i=0; i<nEnt; i++){
    size_t nKey = makeKey(aKey, i, bLong, 0);
    ck_assert_int_eq(lsmcBlockIterSeek(&it, aKey, nKey), LSMC_OK);
    ck_assert_msg(isEntry(&it, i, bLong), "seek %d", i);
    /* direction changes around the sought key */
    ck_assert_int_eq(lsmcBlockIterPrev(&it), LSMC_OK);
    if( i>0 ){
      ck_assert(isEntry(&it, i-1, bLong));
      ck_assert_int_eq(lsmcBlockIterNext(&it), LSMC_OK);
      ck_assert(isEntry(&it, i, bLong));
    }else{
      ck_assert(!lsmcBlockIterValid(&it));
    }
    nKey = makeKey(aKey, i, bLong, 1);
    ck_assert_int_eq(lsmcBlockIterSeek(&it, aKey, nKey), LSMC_OK);
    if( i+1<nEnt ){
      ck_assert_msg(isEntry(&it, i+1, bLong), "seek between %d", i);
    }else{
      ck_assert(!lsmcBlockIterValid(&it));
    }
  }
  /* Before the first key: user key "a" sorts before "key..." and "ppp..." */
  memcpy(aKey, "a", 1);
  lsmcPut64(&aKey[1], lsmcTrailerPack(5, LSMC_KIND_PUT));
  ck_assert_int_eq(lsmcBlockIterSeek(&it, aKey, 9), LSMC_OK);
  ck_assert(isEntry(&it, 0, bLong));
  /* Same user key as entry 0 but an older sequence: after entry 0 */
  {
    size_t nKey = makeKey(aKey, 0, bLong, 0);
    lsmcPut64(&aKey[nKey-8], lsmcTrailerPack(0, LSMC_KIND_PUT));
    ck_assert_int_eq(lsmcBlockIterSeek(&it, aKey, nKey), LSMC_OK);
    ck_assert(nEnt>1 ? isEntry(&it, 1, bLong) : !lsmcBlockIterValid(&it));
  }
  lsmcBlockIterClear(&it);
  free(a);
}

START_TEST(test_roundtrip){
  static const u32 aInterval[] = {1, 2, 16};
  static const int aCount[] = {1, 2, 3, 15, 16, 17, 33, 500};
  size_t i, j;
  for(i=0; i<sizeof(aInterval)/sizeof(aInterval[0]); i++){
    for(j=0; j<sizeof(aCount)/sizeof(aCount[0]); j++){
      roundTrip(aInterval[i], aCount[j], 0);
      roundTrip(aInterval[i], aCount[j], 1);
    }
  }
}
END_TEST

/* Prefix compression really happens: shared prefixes are stored once. */
START_TEST(test_shared_prefix){
  size_t nLong, nShort;
  u8 *aLong = buildBlock(16, 100, 1, &nLong);
  u8 *aShort = buildBlock(16, 100, 0, &nShort);
  /* 100 keys with a 250-byte prefix; only 7 restarts store it whole */
  ck_assert_uint_lt(nLong - nShort, 8*LONG_PREFIX + 100*2);
  ck_assert_uint_ge(nLong - nShort, 7*LONG_PREFIX);
  free(aLong);
  free(aShort);
}
END_TEST

START_TEST(test_empty){
  BlockBuilder b;
  BlockIter it;
  int rc = LSMC_OK;
  LsmcBuf *pBuf;
  u8 aKey[20];
  size_t nKey = makeKey(aKey, 1, 0, 0);
  lsmcBlockBuilderInit(&b, tEnv(), 16);
  pBuf = lsmcBlockBuilderFinish(&rc, &b);
  ck_assert_uint_eq(pBuf->n, 8);
  ck_assert_int_eq(lsmcBlockIterInit(&it, tEnv(), pBuf->a, pBuf->n), LSMC_OK);
  ck_assert_int_eq(lsmcBlockIterFirst(&it), LSMC_OK);
  ck_assert(!lsmcBlockIterValid(&it));
  ck_assert_int_eq(lsmcBlockIterLast(&it), LSMC_OK);
  ck_assert(!lsmcBlockIterValid(&it));
  ck_assert_int_eq(lsmcBlockIterSeek(&it, aKey, nKey), LSMC_OK);
  ck_assert(!lsmcBlockIterValid(&it));
  lsmcBlockIterClear(&it);
  /* Reset and reuse the builder */
  lsmcBlockBuilderReset(&b);
  lsmcBlockBuilderAdd(&rc, &b, aKey, nKey, (const u8*)"x", 1);
  pBuf = lsmcBlockBuilderFinish(&rc, &b);
  ck_assert_int_eq(rc, LSMC_OK);
  ck_assert_int_eq(lsmcBlockIterInit(&it, tEnv(), pBuf->a, pBuf->n), LSMC_OK);
  ck_assert_int_eq(lsmcBlockIterLast(&it), LSMC_OK);
  ck_assert(lsmcBlockIterValid(&it));
  {
    size_t nK, nV;
    ck_assert_mem_eq(lsmcBlockIterKey(&it, &nK), aKey, nKey);
    ck_assert_uint_eq(nK, nKey);
    ck_assert_mem_eq(lsmcBlockIterValue(&it, &nV), "x", 1);
    ck_assert_uint_eq(nV, 1);
  }
  ck_assert_int_eq(lsmcBlockIterPrev(&it), LSMC_OK);
  ck_assert(!lsmcBlockIterValid(&it));
  lsmcBlockIterClear(&it);
  lsmcBlockBuilderFree(&b);
}
END_TEST

/*
** Run every operation on a (possibly damaged) block of nEnt entries.
** Each operation must give LSMC_CORRUPT or exactly the right answer.
** Returns 1 if any operation reported LSMC_CORRUPT.
*/
static int probeBlock(const u8 *a, size_t n, int nEnt, int bLong,
                      int bMustBeRight){
  BlockIter it;
  u8 aKey[400];
  int bCorrupt = 0;
  int rc, i;
  rc = lsmcBlockIterInit(&it, tEnv(), a, n);
  if( rc ){
    ck_assert_int_eq(rc, LSMC_CORRUPT);
    ck_assert_int_eq(lsmcBlockIterFirst(&it), LSMC_CORRUPT);
    ck_assert(!lsmcBlockIterValid(&it));
    lsmcBlockIterClear(&it);
    return 1;
  }
  rc = lsmcBlockIterFirst(&it);
  for(i=0; rc==LSMC_OK && lsmcBlockIterValid(&it); i++){
    if( bMustBeRight ) ck_assert_msg(isEntry(&it, i, bLong), "fwd %d", i);
    ck_assert_int_lt(i, n);
    rc = lsmcBlockIterNext(&it);
  }
  if( rc ) bCorrupt = 1;
  else if( bMustBeRight ) ck_assert_int_eq(i, nEnt);
  rc = lsmcBlockIterLast(&it);
  for(i=nEnt-1; rc==LSMC_OK && lsmcBlockIterValid(&it); i--){
    if( bMustBeRight ) ck_assert_msg(isEntry(&it, i, bLong), "bwd %d", i);
    ck_assert_int_gt(i, -(int)n);
    rc = lsmcBlockIterPrev(&it);
  }
  if( rc ) bCorrupt = 1;
  else if( bMustBeRight ) ck_assert_int_eq(i, -1);
  for(i=0; i<nEnt; i++){
    size_t nKey = makeKey(aKey, i, bLong, 0);
    rc = lsmcBlockIterSeek(&it, aKey, nKey);
    if( rc ){
      ck_assert_int_eq(rc, LSMC_CORRUPT);
      ck_assert(!lsmcBlockIterValid(&it));
      bCorrupt = 1;
    }else if( bMustBeRight ){
      ck_assert_msg(isEntry(&it, i, bLong), "seek %d", i);
    }
  }
  lsmcBlockIterClear(&it);
  return bCorrupt;
}

/*
** Every value of every byte of the restart array (offsets and count).
*/
START_TEST(test_corrupt_restarts){
  size_t n, iByte;
  int nEnt = 20;
  u8 *aGood = buildBlock(4, nEnt, 0, &n);
  u32 nRestart = lsmcGet32(&aGood[n-4]);
  size_t iStart = n - 4 - 4*nRestart;
  int nCorrupt = 0, nRight = 0;
  ck_assert_uint_eq(nRestart, 5);
  for(iByte=iStart; iByte<n; iByte++){
    int v;
    for(v=0; v<256; v++){
      u8 *a;
      if( v==aGood[iByte] ) continue;
      a = malloc(n);
      memcpy(a, aGood, n);
      a[iByte] = (u8)v;
      if( probeBlock(a, n, nEnt, 0, 1) ) nCorrupt++; else nRight++;
      free(a);
    }
  }
  printf("restart array damage: %d cases CORRUPT, %d still correct\n",
         nCorrupt, nRight);
  ck_assert_int_gt(nCorrupt, 0);
  free(aGood);
}
END_TEST

/*
** Bit flips and 0x00/0xff at every byte of a block (entries included):
** no out-of-bounds read, no endless loop.  Truncations likewise.
*/
START_TEST(test_corrupt_anywhere){
  size_t n, iByte, nCut;
  int nEnt = 12;
  int bLong;
  for(bLong=0; bLong<2; bLong++){
    u8 *aGood = buildBlock(3, nEnt, bLong, &n);
    for(iByte=0; iByte<n; iByte++){
      int v;
      for(v=0; v<10; v++){
        u8 *a = malloc(n);
        memcpy(a, aGood, n);
        a[iByte] = v<8 ? (u8)(a[iByte] ^ (1<<v)) : (v==8 ? 0x00 : 0xff);
        probeBlock(a, n, nEnt, bLong, 0);
        free(a);
      }
    }
    for(nCut=0; nCut<n; nCut++){
      u8 *a = malloc(nCut ? nCut : 1);
      memcpy(a, aGood, nCut);
      probeBlock(a, nCut, nEnt, bLong, 0);
      free(a);
    }
    free(aGood);
  }
}
END_TEST

/* Hand-made hostile blocks. */
START_TEST(test_hostile){
  BlockIter it;
  u8 a[64];
  memset(a, 0, sizeof(a));
  /* restart count 0 */
  ck_assert_int_eq(lsmcBlockIterInit(&it, tEnv(), a, 8), LSMC_CORRUPT);
  lsmcBlockIterClear(&it);
  /* restart count larger than the block */
  lsmcPut32(&a[4], 0xffffffffu);
  ck_assert_int_eq(lsmcBlockIterInit(&it, tEnv(), a, 8), LSMC_CORRUPT);
  lsmcBlockIterClear(&it);
  /* shorter than a restart array */
  ck_assert_int_eq(lsmcBlockIterInit(&it, tEnv(), a, 7), LSMC_CORRUPT);
  lsmcBlockIterClear(&it);
  /* one entry claiming a 4 GiB value: varints 0, 9, 0xffffffff */
  memset(a, 0, sizeof(a));
  a[0] = 0; a[1] = 9; a[2] = 0xff; a[3] = 0xff; a[4] = 0xff; a[5] = 0xff;
  a[6] = 0x0f;
  lsmcPut32(&a[24], 0);
  lsmcPut32(&a[28], 1);
  ck_assert_int_eq(lsmcBlockIterInit(&it, tEnv(), a, 32), LSMC_OK);
  ck_assert_int_eq(lsmcBlockIterFirst(&it), LSMC_CORRUPT);
  ck_assert(!lsmcBlockIterValid(&it));
  ck_assert_int_eq(lsmcBlockIterLast(&it), LSMC_CORRUPT);
  lsmcBlockIterClear(&it);
}
END_TEST

static int nReleased;
static void countRelease(void *pArg){
  nReleased++;
  free(pArg);
}

/* The LsmIter adaptor: navigation and the release hook. */
START_TEST(test_lsmiter){
  size_t n;
  u8 *a = buildBlock(2, 40, 0, &n);
  u8 aKey[400];
  LsmIter *pIter = 0;
  size_t nK, nKey;
  int i;
  nReleased = 0;
  ck_assert_int_eq(lsmcBlockIterNew(tEnv(), a, n, countRelease, a, &pIter),
                   LSMC_OK);
  ck_assert_int_eq(lsmcIterLast(pIter), LSMC_OK);
  for(i=39; i>=0; i--){
    nKey = makeKey(aKey, i, 0, 0);
    ck_assert(lsmcIterValid(pIter));
    ck_assert_mem_eq(lsmcIterKey(pIter, &nK), aKey, nKey);
    ck_assert_uint_eq(nK, nKey);
    ck_assert_int_eq(lsmcIterPrev(pIter), LSMC_OK);
  }
  ck_assert(!lsmcIterValid(pIter));
  nKey = makeKey(aKey, 20, 0, 1);
  ck_assert_int_eq(lsmcIterSeek(pIter, aKey, nKey), LSMC_OK);
  nKey = makeKey(aKey, 21, 0, 0);
  ck_assert_mem_eq(lsmcIterKey(pIter, &nK), aKey, nKey);
  ck_assert_int_eq(nReleased, 0);
  lsmcIterClose(pIter);
  ck_assert_int_eq(nReleased, 1);

  /* A damaged block: the hook runs at once and the rc is CORRUPT. */
  a = malloc(8);
  memset(a, 0xff, 8);
  ck_assert_int_eq(lsmcBlockIterNew(tEnv(), a, 8, countRelease, a, &pIter),
                   LSMC_CORRUPT);
  ck_assert_ptr_null(pIter);
  ck_assert_int_eq(nReleased, 2);
}
END_TEST

static Suite *blockSuite(void){
  Suite *s = suite_create("block");
  TCase *tc = tcase_create("core");
  tcase_set_timeout(tc, 120);
  tcase_add_test(tc, test_roundtrip);
  tcase_add_test(tc, test_shared_prefix);
  tcase_add_test(tc, test_empty);
  tcase_add_test(tc, test_corrupt_restarts);
  tcase_add_test(tc, test_corrupt_anywhere);
  tcase_add_test(tc, test_hostile);
  tcase_add_test(tc, test_lsmiter);
  suite_add_tcase(s, tc);
  return s;
}

int main(void){
  SRunner *sr = srunner_create(blockSuite());
  int nFail;
  srunner_run_all(sr, CK_NORMAL);
  nFail = srunner_ntests_failed(sr);
  srunner_free(sr);
  return nFail ? 1 : 0;
}
