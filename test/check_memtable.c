/*
** check_memtable.c -- unit tests of the memtable (memtable.c) and its
** LsmIter.
**
** The memtable allocates through a malloc-only test env that counts live
** allocations and can fail the Nth one, so the tests can see when memory
** is really freed.  Covered: Get returns the newest version at or below
** the read sequence, a tombstone reads as LSMC_KIND_DELETE, an absent key
** as LSMC_NOTFOUND, an older sequence hides newer versions; keys that are
** prefixes of one another, the empty key, empty values, a 1 MiB value and
** a key too long for the stack seek buffer; the iterator's order over
** internal keys with several versions per key (compared with a sorted
** model), First/Last/Next/Prev/Seek; the reference an iterator holds
** after the creator's unref; counts and byte usage; OOM.
*/
#include "memtable.h"
#include "coding.h"

#include "testutil.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>

/* Add a string key/value (zVal NULL for a tombstone). */
static int addStr(MemTable *p, u64 iSeq, const char *zKey, const char *zVal){
  if( zVal==0 ){
    return lsmcMemtableAdd(p, iSeq, LSMC_KIND_DELETE,
                           (const u8*)zKey, strlen(zKey), 0, 0);
  }
  return lsmcMemtableAdd(p, iSeq, LSMC_KIND_PUT, (const u8*)zKey,
                         strlen(zKey), (const u8*)zVal, strlen(zVal));
}

/*
** Look up zKey at iSeq.  Return "<notfound>", "<deleted>", or the value
** copied into zOut (which must have room).
*/
static const char *getStr(MemTable *p, const char *zKey, u64 iSeq,
                          char *zOut){
  int eKind = -1;
  const u8 *pVal = 0;
  size_t nVal = 0;
  int rc = lsmcMemtableGet(p, (const u8*)zKey, strlen(zKey), iSeq,
                           &eKind, &pVal, &nVal);
  if( rc==LSMC_NOTFOUND ) return "<notfound>";
  ck_assert_int_eq(rc, LSMC_OK);
  if( eKind==LSMC_KIND_DELETE ){
    ck_assert_ptr_null(pVal);
    ck_assert_uint_eq(nVal, 0);
    return "<deleted>";
  }
  ck_assert_int_eq(eKind, LSMC_KIND_PUT);
  memcpy(zOut, pVal, nVal);
  zOut[nVal] = 0;
  return zOut;
}

START_TEST(test_get_versions){
  TestMem tm;
  MemTable *pMem;
  char z[64];
  testMemInit(&tm);
  ck_assert_int_eq(lsmcMemtableNew(&tm.base, &pMem), LSMC_OK);
  ck_assert_str_eq(getStr(pMem, "k", 100, z), "<notfound>");   /* empty */

  ck_assert_int_eq(addStr(pMem, 10, "k", "v10"), LSMC_OK);
  ck_assert_int_eq(addStr(pMem, 20, "k", "v20"), LSMC_OK);
  ck_assert_int_eq(addStr(pMem, 30, "k", 0), LSMC_OK);
  ck_assert_int_eq(addStr(pMem, 40, "k", "v40"), LSMC_OK);
  ck_assert_int_eq(addStr(pMem, 15, "j", "j15"), LSMC_OK);
  ck_assert_int_eq(addStr(pMem, 25, "l", "l25"), LSMC_OK);

  ck_assert_str_eq(getStr(pMem, "k", 9, z), "<notfound>");    /* too old */
  ck_assert_str_eq(getStr(pMem, "k", 10, z), "v10");
  ck_assert_str_eq(getStr(pMem, "k", 19, z), "v10");
  ck_assert_str_eq(getStr(pMem, "k", 20, z), "v20");
  ck_assert_str_eq(getStr(pMem, "k", 29, z), "v20");
  ck_assert_str_eq(getStr(pMem, "k", 30, z), "<deleted>");
  ck_assert_str_eq(getStr(pMem, "k", 39, z), "<deleted>");
  ck_assert_str_eq(getStr(pMem, "k", 40, z), "v40");
  ck_assert_str_eq(getStr(pMem, "k", LSMC_MAX_SEQ, z), "v40");
  ck_assert_str_eq(getStr(pMem, "k", (u64)-1, z), "v40");
  ck_assert_str_eq(getStr(pMem, "j", 14, z), "<notfound>");
  ck_assert_str_eq(getStr(pMem, "j", 15, z), "j15");
  ck_assert_str_eq(getStr(pMem, "l", 100, z), "l25");
  /* Absent keys before, between and after the present ones. */
  ck_assert_str_eq(getStr(pMem, "a", 100, z), "<notfound>");
  ck_assert_str_eq(getStr(pMem, "jj", 100, z), "<notfound>");
  ck_assert_str_eq(getStr(pMem, "kk", 100, z), "<notfound>");
  ck_assert_str_eq(getStr(pMem, "z", 100, z), "<notfound>");

  ck_assert_uint_eq(lsmcMemtableCount(pMem), 6);
  lsmcMemtableUnref(pMem);
  ck_assert_int_eq(tm.nLive, 0);
}
END_TEST

/*
** Keys that are prefixes of one another, the empty key, empty values.
*/
/*
** A memtable with a live filter answers exactly as one without: every
** version of every key is found, tombstones included, and absent keys are
** not found (most of them ruled out by the filter without a search).
*/
START_TEST(test_filtered){
  TestMem tm;
  MemTable *pMem;
  char zKey[32], zVal[32], z[64];
  int i;
  testMemInit(&tm);
  ck_assert_int_eq(lsmcMemtableNewFiltered(&tm.base, 4096, &pMem), LSMC_OK);
  ck_assert_str_eq(getStr(pMem, "k", 100, z), "<notfound>");
  for(i=0; i<2000; i++){
    snprintf(zKey, sizeof(zKey), "k%d", i);
    snprintf(zVal, sizeof(zVal), "v%d", i);
    ck_assert_int_eq(addStr(pMem, (u64)(10+i), zKey, (i%7)==0 ? 0 : zVal),
                     LSMC_OK);
  }
  for(i=0; i<2000; i++){
    snprintf(zKey, sizeof(zKey), "k%d", i);
    snprintf(zVal, sizeof(zVal), "v%d", i);
    ck_assert_str_eq(getStr(pMem, zKey, 100000, z),
                     (i%7)==0 ? "<deleted>" : zVal);
    ck_assert_str_eq(getStr(pMem, zKey, (u64)(9+i), z), "<notfound>");
    snprintf(zKey, sizeof(zKey), "x%d", i);
    ck_assert_str_eq(getStr(pMem, zKey, 100000, z), "<notfound>");
  }
  lsmcMemtableUnref(pMem);
  ck_assert_int_eq(tm.nLive, 0);
}
END_TEST

START_TEST(test_prefix_keys){
  TestMem tm;
  MemTable *pMem;
  char z[64];
  int eKind = -1;
  const u8 *pVal = 0;
  size_t nVal = 99;
  testMemInit(&tm);
  ck_assert_int_eq(lsmcMemtableNew(&tm.base, &pMem), LSMC_OK);
  ck_assert_int_eq(addStr(pMem, 1, "abc", "3"), LSMC_OK);
  ck_assert_int_eq(addStr(pMem, 2, "a", "1"), LSMC_OK);
  ck_assert_int_eq(addStr(pMem, 3, "ab", ""), LSMC_OK);
  ck_assert_int_eq(addStr(pMem, 4, "", "empty"), LSMC_OK);
  ck_assert_int_eq(addStr(pMem, 5, "abcd", 0), LSMC_OK);

  ck_assert_str_eq(getStr(pMem, "", 10, z), "empty");
  ck_assert_str_eq(getStr(pMem, "", 3, z), "<notfound>");
  ck_assert_str_eq(getStr(pMem, "a", 10, z), "1");
  ck_assert_str_eq(getStr(pMem, "ab", 10, z), "");
  ck_assert_str_eq(getStr(pMem, "abc", 10, z), "3");
  ck_assert_str_eq(getStr(pMem, "abcd", 10, z), "<deleted>");
  ck_assert_str_eq(getStr(pMem, "abcde", 10, z), "<notfound>");
  /* "ab" at seq 2 does not exist yet; "abc" (seq 1) must not answer. */
  ck_assert_str_eq(getStr(pMem, "ab", 2, z), "<notfound>");
  ck_assert_str_eq(getStr(pMem, "a", 1, z), "<notfound>");

  /* An empty value is a PUT of length 0, with a non-NULL pointer. */
  ck_assert_int_eq(lsmcMemtableGet(pMem, (const u8*)"ab", 2, 10,
                                   &eKind, &pVal, &nVal), LSMC_OK);
  ck_assert_int_eq(eKind, LSMC_KIND_PUT);
  ck_assert_uint_eq(nVal, 0);
  ck_assert_ptr_nonnull(pVal);
  /* ppVal and pnVal may be NULL. */
  ck_assert_int_eq(lsmcMemtableGet(pMem, (const u8*)"a", 1, 10,
                                   &eKind, 0, 0), LSMC_OK);
  ck_assert_int_eq(eKind, LSMC_KIND_PUT);
  lsmcMemtableUnref(pMem);
  ck_assert_int_eq(tm.nLive, 0);
}
END_TEST

/*
** A 1 MiB value, and a 1000-byte key (longer than the stack seek buffer,
** so Get and Seek build the target on the heap).
*/
START_TEST(test_big){
  enum { NBIG = 1024*1024, NKEY = 1000 };
  TestMem tm;
  MemTable *pMem;
  LsmIter *pIter;
  u8 *aBig = malloc(NBIG);
  u8 aKey[NKEY + LSMC_TRAILER_SIZE];
  const u8 *pVal;
  const u8 *pIKey;
  size_t nVal, nIKey;
  int eKind, i;
  testMemInit(&tm);
  for(i=0; i<NBIG; i++) aBig[i] = (u8)(i*7 + (i>>10));
  memset(aKey, 'q', NKEY);
  ck_assert_int_eq(lsmcMemtableNew(&tm.base, &pMem), LSMC_OK);
  ck_assert_int_eq(lsmcMemtableAdd(pMem, 7, LSMC_KIND_PUT, (const u8*)"big", 3,
                                   aBig, NBIG), LSMC_OK);
  ck_assert_int_eq(lsmcMemtableAdd(pMem, 8, LSMC_KIND_PUT, aKey, NKEY,
                                   (const u8*)"long", 4), LSMC_OK);
  ck_assert_uint_ge(lsmcMemtableBytes(pMem), NBIG + NKEY);

  ck_assert_int_eq(lsmcMemtableGet(pMem, (const u8*)"big", 3, 7,
                                   &eKind, &pVal, &nVal), LSMC_OK);
  ck_assert_int_eq(eKind, LSMC_KIND_PUT);
  ck_assert_uint_eq(nVal, NBIG);
  ck_assert_int_eq(memcmp(pVal, aBig, NBIG), 0);

  ck_assert_int_eq(lsmcMemtableGet(pMem, aKey, NKEY, 8,
                                   &eKind, &pVal, &nVal), LSMC_OK);
  ck_assert_uint_eq(nVal, 4);
  ck_assert_int_eq(memcmp(pVal, "long", 4), 0);
  ck_assert_int_eq(lsmcMemtableGet(pMem, aKey, NKEY-1, 8,
                                   &eKind, &pVal, &nVal), LSMC_NOTFOUND);
  /* The heap target's allocation fails cleanly. */
  tm.nFailAt = 1;
  ck_assert_int_eq(lsmcMemtableGet(pMem, aKey, NKEY, 8,
                                   &eKind, &pVal, &nVal), LSMC_NOMEM);
  tm.nFailAt = 0;

  ck_assert_int_eq(lsmcMemtableIter(pMem, &pIter), LSMC_OK);
  lsmcPut64(&aKey[NKEY], lsmcTrailerPack(LSMC_MAX_SEQ, LSMC_KIND_SEEK));
  ck_assert_int_eq(lsmcIterSeek(pIter, aKey, sizeof(aKey)), LSMC_OK);
  ck_assert(lsmcIterValid(pIter));
  pIKey = lsmcIterKey(pIter, &nIKey);
  ck_assert_uint_eq(nIKey, NKEY + LSMC_TRAILER_SIZE);
  ck_assert_uint_eq(lsmcTrailerSeq(lsmcIKeyTrailer(pIKey, nIKey)), 8);
  tm.nFailAt = 1;
  ck_assert_int_eq(lsmcIterSeek(pIter, aKey, sizeof(aKey)), LSMC_NOMEM);
  tm.nFailAt = 0;
  ck_assert_int_eq(lsmcIterValid(pIter), 0);
  ck_assert_int_eq(lsmcIterFirst(pIter), LSMC_OK);
  ck_assert(lsmcIterValid(pIter));
  lsmcIterValue(pIter, &nVal);
  ck_assert_uint_eq(nVal, NBIG);
  lsmcIterClose(pIter);

  lsmcMemtableUnref(pMem);
  ck_assert_int_eq(tm.nLive, 0);
  free(aBig);
}
END_TEST

/*
** The model for the iterator test: every (key, seq, kind, value) added,
** with its encoded internal key, sorted by lsmcIKeyCompare.
*/
typedef struct ModelEntry ModelEntry;
struct ModelEntry {
  u8 aIKey[32];                   /* Internal key */
  size_t nIKey;                   /* Bytes in aIKey */
  char zVal[16];                  /* Value ("" for a tombstone) */
};

static int modelCompare(const void *a, const void *b){
  const ModelEntry *pA = a, *pB = b;
  return lsmcIKeyCompare(pA->aIKey, pA->nIKey, pB->aIKey, pB->nIKey);
}

/* Check that the iterator is on model entry e. */
static void checkAt(LsmIter *pIter, const ModelEntry *e){
  size_t nIKey, nVal;
  const u8 *pIKey, *pVal;
  ck_assert(lsmcIterValid(pIter));
  pIKey = lsmcIterKey(pIter, &nIKey);
  ck_assert_uint_eq(nIKey, e->nIKey);
  ck_assert_int_eq(memcmp(pIKey, e->aIKey, nIKey), 0);
  pVal = lsmcIterValue(pIter, &nVal);
  ck_assert_uint_eq(nVal, strlen(e->zVal));
  ck_assert_int_eq(memcmp(pVal, e->zVal, nVal), 0);
}

/*
** 200 user keys (some prefixes of others) with 1..4 versions each, some
** tombstones, added in a scrambled order; the iterator must walk them in
** internal-key order both ways and Seek to, and between, any of them.
*/
START_TEST(test_iter_order){
  enum { NKEY = 200, NMAX = NKEY*4 };
  TestMem tm;
  MemTable *pMem;
  LsmIter *pIter;
  static ModelEntry a[NMAX];
  int n = 0, i, k;
  u64 iSeq = 1;
  testMemInit(&tm);
  ck_assert_int_eq(lsmcMemtableNew(&tm.base, &pMem), LSMC_OK);
  for(k=0; k<4; k++){
    for(i=0; i<NKEY; i++){
      int iKey = (i*37) % NKEY;            /* scrambled key order */
      char zKey[16];
      size_t nKey;
      ModelEntry *e;
      if( k>iKey % 4 ) continue;           /* 1..4 versions */
      nKey = (size_t)snprintf(zKey, sizeof(zKey), "%d", iKey);  /* prefixes */
      e = &a[n++];
      e->nIKey = nKey + LSMC_TRAILER_SIZE;
      memcpy(e->aIKey, zKey, nKey);
      if( (iKey+k) % 5==0 ){
        e->zVal[0] = 0;
        lsmcPut64(&e->aIKey[nKey], lsmcTrailerPack(iSeq, LSMC_KIND_DELETE));
        ck_assert_int_eq(addStr(pMem, iSeq, zKey, 0), LSMC_OK);
      }else{
        snprintf(e->zVal, sizeof(e->zVal), "v%d.%d", iKey, k);
        lsmcPut64(&e->aIKey[nKey], lsmcTrailerPack(iSeq, LSMC_KIND_PUT));
        ck_assert_int_eq(addStr(pMem, iSeq, zKey, e->zVal), LSMC_OK);
      }
      iSeq++;
    }
  }
  qsort(a, n, sizeof(a[0]), modelCompare);
  ck_assert_uint_eq(lsmcMemtableCount(pMem), (u64)n);

  ck_assert_int_eq(lsmcMemtableIter(pMem, &pIter), LSMC_OK);
  ck_assert_int_eq(lsmcIterFirst(pIter), LSMC_OK);
  for(i=0; i<n; i++){
    checkAt(pIter, &a[i]);
    ck_assert_int_eq(lsmcIterNext(pIter), LSMC_OK);
  }
  ck_assert_int_eq(lsmcIterValid(pIter), 0);

  ck_assert_int_eq(lsmcIterLast(pIter), LSMC_OK);
  for(i=n-1; i>=0; i--){
    checkAt(pIter, &a[i]);
    ck_assert_int_eq(lsmcIterPrev(pIter), LSMC_OK);
  }
  ck_assert_int_eq(lsmcIterValid(pIter), 0);

  for(i=0; i<n; i++){
    u8 aT[32];
    size_t nUKey = a[i].nIKey - LSMC_TRAILER_SIZE;
    u64 t = lsmcIKeyTrailer(a[i].aIKey, a[i].nIKey);
    /* Exactly this entry. */
    ck_assert_int_eq(lsmcIterSeek(pIter, a[i].aIKey, a[i].nIKey), LSMC_OK);
    checkAt(pIter, &a[i]);
    /* A newer sequence of the same key lands on this entry when it is the
    ** newest version, otherwise on the next newer one (a[i-1]). */
    memcpy(aT, a[i].aIKey, nUKey);
    lsmcPut64(&aT[nUKey], lsmcTrailerPack(lsmcTrailerSeq(t)+1, LSMC_KIND_SEEK));
    ck_assert_int_eq(lsmcIterSeek(pIter, aT, a[i].nIKey), LSMC_OK);
    if( i>0 && a[i-1].nIKey==a[i].nIKey
     && memcmp(a[i-1].aIKey, a[i].aIKey, nUKey)==0
     && lsmcTrailerSeq(lsmcIKeyTrailer(a[i-1].aIKey, a[i-1].nIKey))
          ==lsmcTrailerSeq(t)+1 ){
      checkAt(pIter, &a[i-1]);
    }else{
      checkAt(pIter, &a[i]);
    }
    /* Sequence 0 sorts after every version: lands on a[i+1] or the end. */
    lsmcPut64(&aT[nUKey], lsmcTrailerPack(0, LSMC_KIND_DELETE));
    ck_assert_int_eq(lsmcIterSeek(pIter, aT, a[i].nIKey), LSMC_OK);
    {
      int j = i;
      while( j<n && a[j].nIKey==a[i].nIKey
          && memcmp(a[j].aIKey, aT, nUKey)==0 ) j++;
      if( j<n ) checkAt(pIter, &a[j]);
      else ck_assert_int_eq(lsmcIterValid(pIter), 0);
    }
  }
  /* A target shorter than a trailer is misuse. */
  ck_assert_int_eq(lsmcIterSeek(pIter, (const u8*)"abc", 3), LSMC_MISUSE);
  ck_assert_int_eq(lsmcIterValid(pIter), 0);
  lsmcIterClose(pIter);
  lsmcMemtableUnref(pMem);
  ck_assert_int_eq(tm.nLive, 0);
}
END_TEST

/*
** An iterator keeps the memtable alive after its creator's unref; the
** memory is released by xClose and not before.
*/
START_TEST(test_refcount){
  TestMem tm;
  MemTable *pMem;
  LsmIter *pIter;
  LsmIter *pIter2;
  size_t nVal, nIKey;
  const u8 *pVal;
  const u8 *pIKey;
  testMemInit(&tm);
  ck_assert_int_eq(lsmcMemtableNew(&tm.base, &pMem), LSMC_OK);
  ck_assert_int_eq(addStr(pMem, 1, "x", "one"), LSMC_OK);
  ck_assert_int_eq(addStr(pMem, 2, "y", "two"), LSMC_OK);
  ck_assert_int_eq(lsmcMemtableIter(pMem, &pIter), LSMC_OK);
  ck_assert_int_eq(lsmcMemtableIter(pMem, &pIter2), LSMC_OK);
  lsmcMemtableUnref(pMem);                 /* creator's reference */
  ck_assert_int_gt(tm.nLive, 0);

  ck_assert_int_eq(lsmcIterLast(pIter), LSMC_OK);
  pIKey = lsmcIterKey(pIter, &nIKey);
  ck_assert_uint_eq(nIKey, 1 + LSMC_TRAILER_SIZE);
  ck_assert_int_eq(pIKey[0], 'y');
  pVal = lsmcIterValue(pIter, &nVal);
  ck_assert_int_eq(memcmp(pVal, "two", 3), 0);
  lsmcIterClose(pIter2);
  ck_assert_int_gt(tm.nLive, 0);
  ck_assert_int_eq(lsmcIterPrev(pIter), LSMC_OK);
  pVal = lsmcIterValue(pIter, &nVal);
  ck_assert_int_eq(memcmp(pVal, "one", 3), 0);
  lsmcIterClose(pIter);
  ck_assert_int_eq(tm.nLive, 0);

  /* An explicit extra reference works the same way. */
  ck_assert_int_eq(lsmcMemtableNew(&tm.base, &pMem), LSMC_OK);
  lsmcMemtableRef(pMem);
  lsmcMemtableUnref(pMem);
  ck_assert_int_gt(tm.nLive, 0);
  lsmcMemtableUnref(pMem);
  ck_assert_int_eq(tm.nLive, 0);
  lsmcMemtableUnref(0);
}
END_TEST

/*
** OOM from New, Add and Iter leaves nothing allocated or half-added;
** sizes beyond the limits are misuse; Bytes grows with the data.
*/
START_TEST(test_oom_limits){
  TestMem tm;
  MemTable *pMem;
  LsmIter *pIter;
  char z[64];
  u8 aVal[1000];
  size_t nBytes;
  int i, nFail;
  testMemInit(&tm);
  for(nFail=1; nFail<=4; nFail++){
    int rc;
    tm.nFailAt = nFail;
    rc = lsmcMemtableNew(&tm.base, &pMem);
    tm.nFailAt = 0;
    if( rc==LSMC_OK ){
      lsmcMemtableUnref(pMem);
    }else{
      ck_assert_int_eq(rc, LSMC_NOMEM);
      ck_assert_ptr_null(pMem);
    }
    ck_assert_int_eq(tm.nLive, 0);
  }
  ck_assert_int_eq(lsmcMemtableNew(&tm.base, &pMem), LSMC_OK);
  nBytes = lsmcMemtableBytes(pMem);
  memset(aVal, 'v', sizeof(aVal));
  for(i=0; i<200; i++){
    char zKey[16];
    snprintf(zKey, sizeof(zKey), "key%03d", i);
    ck_assert_int_eq(lsmcMemtableAdd(pMem, (u64)i+1, LSMC_KIND_PUT,
                     (const u8*)zKey, 6, aVal, sizeof(aVal)), LSMC_OK);
  }
  ck_assert_uint_gt(lsmcMemtableBytes(pMem), nBytes);
  ck_assert_uint_ge(lsmcMemtableBytes(pMem), 200*1000);
  ck_assert_uint_le(lsmcMemtableBytes(pMem), nBytes + 200*1000 + 2*65536);
  /* A failed Add (the big value needs a block of its own) adds nothing. */
  {
    static u8 aHuge[100000];
    tm.nFailAt = 1;
    ck_assert_int_eq(lsmcMemtableAdd(pMem, 1001, LSMC_KIND_PUT,
                     (const u8*)"huge", 4, aHuge, sizeof(aHuge)), LSMC_NOMEM);
    tm.nFailAt = 0;
  }
  ck_assert_str_eq(getStr(pMem, "huge", 2000, z), "<notfound>");
  ck_assert_uint_eq(lsmcMemtableCount(pMem), 200);
  ck_assert_int_eq(lsmcMemtableAdd(pMem, LSMC_MAX_SEQ+1, LSMC_KIND_PUT,
                   (const u8*)"s", 1, aVal, 1), LSMC_MISUSE);
  ck_assert_int_eq(lsmcMemtableAdd(pMem, 5000, LSMC_KIND_PUT,
                   (const u8*)"s", 1, aVal, (size_t)LSMC_MAX_VALUE+1),
                   LSMC_MISUSE);
  tm.nFailAt = 1;
  ck_assert_int_eq(lsmcMemtableIter(pMem, &pIter), LSMC_NOMEM);
  tm.nFailAt = 0;
  ck_assert_ptr_null(pIter);
  lsmcMemtableUnref(pMem);
  ck_assert_int_eq(tm.nLive, 0);
}
END_TEST

static Suite *memtableSuite(void){
  Suite *s = suite_create("memtable");
  TCase *tc = tcase_create("core");
  tcase_set_timeout(tc, 60);
  tcase_add_test(tc, test_get_versions);
  tcase_add_test(tc, test_filtered);
  tcase_add_test(tc, test_prefix_keys);
  tcase_add_test(tc, test_big);
  tcase_add_test(tc, test_iter_order);
  tcase_add_test(tc, test_refcount);
  tcase_add_test(tc, test_oom_limits);
  suite_add_tcase(s, tc);
  return s;
}

int main(void){
  SRunner *sr = srunner_create(memtableSuite());
  int nFail;
  srunner_run_all(sr, CK_NORMAL);
  nFail = srunner_ntests_failed(sr);
  srunner_free(sr);
  return nFail==0 ? 0 : 1;
}
