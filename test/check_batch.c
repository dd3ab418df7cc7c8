/*
** check_batch.c -- unit tests of the write batch (batch.c): the exact
** encoding of puts and deletes, iteration with sequence numbers, append
** (group commit), mark/truncate (savepoints), the size limits, and every
** kind of malformed encoding, which must give LSMC_CORRUPT before any
** callback.
*/
#include <check.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include "batch.h"
#include "coding.h"

/*
** A recorded callback: what lsmcBatchIterate passed for one entry.
*/
typedef struct SeenEntry SeenEntry;
struct SeenEntry {
  u64 iSeq;                 /* Sequence number passed */
  int eKind;                /* Kind passed */
  char zKey[64];            /* Key, NUL-terminated copy */
  size_t nKey;              /* Key length */
  char zVal[64];            /* Value, NUL-terminated copy (puts) */
  size_t nVal;              /* Value length */
  int bValNull;             /* True if pVal was NULL */
};

typedef struct Seen Seen;
struct Seen {
  int nEntry;               /* Callbacks so far */
  int nStopAt;              /* Return 99 from this callback (0: never) */
  SeenEntry a[16];          /* The first 16 callbacks */
};

static int seenEntry(void *pArg, u64 iSeq, int eKind, const u8 *pKey,
                     size_t nKey, const u8 *pVal, size_t nVal){
  Seen *p = (Seen*)pArg;
  if( p->nEntry<16 ){
    SeenEntry *e = &p->a[p->nEntry];
    e->iSeq = iSeq;
    e->eKind = eKind;
    e->nKey = nKey;
    e->nVal = nVal;
    e->bValNull = (pVal==0);
    memcpy(e->zKey, pKey, LSMC_MIN(nKey, 63));
    e->zKey[LSMC_MIN(nKey, 63)] = 0;
    if( pVal ) memcpy(e->zVal, pVal, LSMC_MIN(nVal, 63));
    e->zVal[pVal ? LSMC_MIN(nVal, 63) : 0] = 0;
  }
  p->nEntry++;
  if( p->nStopAt && p->nEntry==p->nStopAt ) return 99;
  return 0;
}

static int iterateBatch(lsmc_batch *b, Seen *pSeen){
  memset(pSeen, 0, sizeof(*pSeen));
  return lsmcBatchIterate(b->rep.a, b->rep.n, seenEntry, pSeen);
}

/* Iterate raw bytes; the callback must not be reached. */
static int iterateRaw(const u8 *a, size_t n){
  Seen s;
  int rc;
  memset(&s, 0, sizeof(s));
  rc = lsmcBatchIterate(a, n, seenEntry, &s);
  ck_assert_int_eq(s.nEntry, 0);
  return rc;
}

START_TEST(test_encoding_exact)
{
  lsmc_batch *b = 0;
  static const u8 aExpect[] = {
    /* seq */   0x07,0,0,0, 0,0,0,0,
    /* count */ 3,0,0,0,
    /* put "ab"="xyz" */  LSMC_KIND_PUT, 2, 'a','b', 3, 'x','y','z',
    /* delete "k" */      LSMC_KIND_DELETE, 1, 'k',
    /* put ""="" */       LSMC_KIND_PUT, 0, 0,
  };
  ck_assert_int_eq(lsmc_batch_new(&b), LSMC_OK);
  ck_assert_int_eq(lsmc_batch_count(b), 0);
  ck_assert_uint_eq(b->rep.n, LSMC_BATCH_HEADER);
  ck_assert_int_eq(lsmc_batch_put(b, "ab", 2, "xyz", 3), LSMC_OK);
  ck_assert_int_eq(lsmc_batch_delete(b, "k", 1), LSMC_OK);
  ck_assert_int_eq(lsmc_batch_put(b, 0, 0, 0, 0), LSMC_OK);
  lsmcBatchSetSeq(b, 7);
  ck_assert_uint_eq(lsmcBatchSeq(b), 7);
  ck_assert_int_eq(lsmc_batch_count(b), 3);
  ck_assert_uint_eq(b->rep.n, sizeof(aExpect));
  ck_assert_int_eq(memcmp(b->rep.a, aExpect, sizeof(aExpect)), 0);
  lsmc_batch_free(b);
  lsmc_batch_free(0);
}
END_TEST

START_TEST(test_iterate)
{
  lsmc_batch *b = 0;
  Seen s;
  ck_assert_int_eq(lsmc_batch_new(&b), LSMC_OK);
  ck_assert_int_eq(lsmc_batch_put(b, "k1", 2, "v1", 2), LSMC_OK);
  ck_assert_int_eq(lsmc_batch_delete(b, "k2", 2), LSMC_OK);
  ck_assert_int_eq(lsmc_batch_put(b, "k1", 2, "", 0), LSMC_OK);
  lsmcBatchSetSeq(b, 1000);
  ck_assert_int_eq(iterateBatch(b, &s), LSMC_OK);
  ck_assert_int_eq(s.nEntry, 3);
  ck_assert_uint_eq(s.a[0].iSeq, 1000);
  ck_assert_int_eq(s.a[0].eKind, LSMC_KIND_PUT);
  ck_assert_str_eq(s.a[0].zKey, "k1");
  ck_assert_str_eq(s.a[0].zVal, "v1");
  ck_assert_uint_eq(s.a[1].iSeq, 1001);
  ck_assert_int_eq(s.a[1].eKind, LSMC_KIND_DELETE);
  ck_assert_str_eq(s.a[1].zKey, "k2");
  ck_assert_int_eq(s.a[1].bValNull, 1);
  ck_assert_uint_eq(s.a[1].nVal, 0);
  ck_assert_uint_eq(s.a[2].iSeq, 1002);
  ck_assert_int_eq(s.a[2].eKind, LSMC_KIND_PUT);
  ck_assert_uint_eq(s.a[2].nVal, 0);
  ck_assert_int_eq(s.a[2].bValNull, 0);

  /* A non-zero callback return stops the walk and is returned. */
  memset(&s, 0, sizeof(s));
  s.nStopAt = 2;
  ck_assert_int_eq(lsmcBatchIterate(b->rep.a, b->rep.n, seenEntry, &s), 99);
  ck_assert_int_eq(s.nEntry, 2);

  /* Clear keeps the batch usable and resets count and sequence. */
  lsmc_batch_clear(b);
  ck_assert_int_eq(lsmc_batch_count(b), 0);
  ck_assert_uint_eq(lsmcBatchSeq(b), 0);
  ck_assert_int_eq(iterateBatch(b, &s), LSMC_OK);
  ck_assert_int_eq(s.nEntry, 0);
  ck_assert_int_eq(lsmc_batch_put(b, "z", 1, "9", 1), LSMC_OK);
  ck_assert_int_eq(iterateBatch(b, &s), LSMC_OK);
  ck_assert_int_eq(s.nEntry, 1);
  ck_assert_str_eq(s.a[0].zKey, "z");
  lsmc_batch_free(b);
}
END_TEST

START_TEST(test_append)
{
  lsmc_batch *a = 0, *b = 0;
  Seen s;
  ck_assert_int_eq(lsmc_batch_new(&a), LSMC_OK);
  ck_assert_int_eq(lsmc_batch_new(&b), LSMC_OK);
  ck_assert_int_eq(lsmc_batch_put(a, "a1", 2, "1", 1), LSMC_OK);
  ck_assert_int_eq(lsmc_batch_put(a, "a2", 2, "2", 1), LSMC_OK);
  ck_assert_int_eq(lsmc_batch_delete(b, "b1", 2), LSMC_OK);
  ck_assert_int_eq(lsmc_batch_put(b, "b2", 2, "3", 1), LSMC_OK);
  ck_assert_int_eq(lsmc_batch_put(b, "b3", 2, "4", 1), LSMC_OK);
  lsmcBatchSetSeq(a, 50);
  lsmcBatchSetSeq(b, 999);
  ck_assert_int_eq(lsmcBatchAppend(a, b), LSMC_OK);
  ck_assert_int_eq(lsmc_batch_count(a), 5);
  ck_assert_int_eq(lsmc_batch_count(b), 3);
  ck_assert_uint_eq(lsmcBatchSeq(a), 50);
  ck_assert_int_eq(iterateBatch(a, &s), LSMC_OK);
  ck_assert_int_eq(s.nEntry, 5);
  ck_assert_str_eq(s.a[0].zKey, "a1");
  ck_assert_str_eq(s.a[1].zKey, "a2");
  ck_assert_str_eq(s.a[2].zKey, "b1");
  ck_assert_int_eq(s.a[2].eKind, LSMC_KIND_DELETE);
  ck_assert_str_eq(s.a[4].zKey, "b3");
  ck_assert_str_eq(s.a[4].zVal, "4");
  ck_assert_uint_eq(s.a[4].iSeq, 54);

  /* Appending an empty batch changes nothing; appending to itself doubles. */
  lsmc_batch_clear(b);
  ck_assert_int_eq(lsmcBatchAppend(a, b), LSMC_OK);
  ck_assert_int_eq(lsmc_batch_count(a), 5);
  ck_assert_int_eq(lsmcBatchAppend(a, a), LSMC_OK);
  ck_assert_int_eq(lsmc_batch_count(a), 10);
  ck_assert_int_eq(iterateBatch(a, &s), LSMC_OK);
  ck_assert_int_eq(s.nEntry, 10);
  ck_assert_str_eq(s.a[5].zKey, "a1");
  ck_assert_str_eq(s.a[9].zKey, "b3");
  lsmc_batch_free(a);
  lsmc_batch_free(b);
}
END_TEST

START_TEST(test_mark_truncate)
{
  lsmc_batch *b = 0;
  size_t iMark0, iMark2, iMark3;
  Seen s;
  u8 aCopy[64];
  ck_assert_int_eq(lsmc_batch_new(&b), LSMC_OK);
  iMark0 = lsmc_batch_mark(b);
  ck_assert_uint_eq(iMark0, LSMC_BATCH_HEADER);
  ck_assert_int_eq(lsmc_batch_put(b, "a", 1, "1", 1), LSMC_OK);
  ck_assert_int_eq(lsmc_batch_delete(b, "b", 1), LSMC_OK);
  iMark2 = lsmc_batch_mark(b);
  ck_assert_uint_eq(iMark2, LSMC_BATCH_HEADER + 5 + 3);
  memcpy(aCopy, b->rep.a, iMark2);
  ck_assert_int_eq(lsmc_batch_put(b, "c", 1, "3", 1), LSMC_OK);
  iMark3 = lsmc_batch_mark(b);
  ck_assert_int_eq(lsmc_batch_put(b, "d", 1, "4", 1), LSMC_OK);
  ck_assert_int_eq(lsmc_batch_delete(b, "e", 1), LSMC_OK);
  ck_assert_int_eq(lsmc_batch_count(b), 5);

  lsmc_batch_truncate(b, b->rep.n);             /* The end: no change */
  ck_assert_int_eq(lsmc_batch_count(b), 5);
  lsmc_batch_truncate(b, iMark3);
  ck_assert_int_eq(lsmc_batch_count(b), 3);
  ck_assert_uint_eq(b->rep.n, iMark3);
  lsmc_batch_truncate(b, iMark2);
  ck_assert_int_eq(lsmc_batch_count(b), 2);
  ck_assert_uint_eq(b->rep.n, iMark2);
  ck_assert_int_eq(memcmp(b->rep.a, aCopy, iMark2), 0);
  ck_assert_int_eq(iterateBatch(b, &s), LSMC_OK);
  ck_assert_int_eq(s.nEntry, 2);
  ck_assert_str_eq(s.a[1].zKey, "b");

  /* The batch keeps working after a truncate. */
  ck_assert_int_eq(lsmc_batch_put(b, "f", 1, "6", 1), LSMC_OK);
  ck_assert_int_eq(lsmc_batch_count(b), 3);
  ck_assert_int_eq(iterateBatch(b, &s), LSMC_OK);
  ck_assert_str_eq(s.a[2].zKey, "f");
  lsmc_batch_truncate(b, iMark0);
  ck_assert_int_eq(lsmc_batch_count(b), 0);
  ck_assert_uint_eq(b->rep.n, LSMC_BATCH_HEADER);
  lsmc_batch_free(b);
}
END_TEST

/*
** A mark inside an entry: an assert in a debug build (this test then dies
** with SIGABRT, which the test case expects), no change in release.
*/
START_TEST(test_truncate_bad_mark)
{
  lsmc_batch *b = 0;
  size_t n;
  ck_assert_int_eq(lsmc_batch_new(&b), LSMC_OK);
  ck_assert_int_eq(lsmc_batch_put(b, "abc", 3, "def", 3), LSMC_OK);
  ck_assert_int_eq(lsmc_batch_put(b, "g", 1, "h", 1), LSMC_OK);
  n = b->rep.n;
  if( _i==0 ){
    lsmc_batch_truncate(b, LSMC_BATCH_HEADER + 3);   /* Inside entry 1 */
  }else{
    lsmc_batch_truncate(b, n + 1);                    /* Past the end */
  }
  ck_assert_int_eq(lsmc_batch_count(b), 2);
  ck_assert_uint_eq(b->rep.n, n);
  lsmc_batch_free(b);
}
END_TEST

START_TEST(test_limits)
{
  lsmc_batch *b = 0;
  u8 aOne[1] = {0};
  size_t n;
  ck_assert_int_eq(lsmc_batch_new(&b), LSMC_OK);
  ck_assert_int_eq(lsmc_batch_put(b, "k", 1, "v", 1), LSMC_OK);
  n = b->rep.n;
  /* The lengths are checked before the bytes are read. */
  ck_assert_int_eq(lsmc_batch_put(b, aOne, (size_t)LSMC_MAX_KEY+1, aOne, 1),
                   LSMC_MISUSE);
  ck_assert_int_eq(lsmc_batch_put(b, aOne, 1, aOne, (size_t)LSMC_MAX_VALUE+1),
                   LSMC_MISUSE);
  ck_assert_int_eq(lsmc_batch_delete(b, aOne, (size_t)LSMC_MAX_KEY+1),
                   LSMC_MISUSE);
  ck_assert_uint_eq(b->rep.n, n);
  ck_assert_int_eq(lsmc_batch_count(b), 1);
  lsmc_batch_free(b);
}
END_TEST

/*
** Build a raw encoding: header (seq, count) then the given body bytes.
*/
static size_t rawBatch(u8 *a, u64 iSeq, u32 nCount, const u8 *aBody, size_t n){
  lsmcPut64(a, iSeq);
  lsmcPut32(&a[8], nCount);
  memcpy(&a[LSMC_BATCH_HEADER], aBody, n);
  return LSMC_BATCH_HEADER + n;
}

START_TEST(test_malformed)
{
  u8 a[128];
  size_t n;
  int i;
  static const u8 aGood[] = { 1, 1, 'k', 1, 'v',  0, 1, 'd' };

  /* The good body passes, so every failure below is the defect tested. */
  n = rawBatch(a, 5, 2, aGood, sizeof(aGood));
  ck_assert_int_eq(lsmcBatchIterate(a, n, seenEntry, &(Seen){0}), LSMC_OK);

  /* Short header: 0..11 bytes. */
  for(i=0; i<LSMC_BATCH_HEADER; i++){
    ck_assert_int_eq(iterateRaw(a, (size_t)i), LSMC_CORRUPT);
  }
  /* Bad kind. */
  n = rawBatch(a, 5, 2, aGood, sizeof(aGood));
  a[LSMC_BATCH_HEADER+5] = 2;
  ck_assert_int_eq(iterateRaw(a, n), LSMC_CORRUPT);
  a[LSMC_BATCH_HEADER+5] = 0xff;
  ck_assert_int_eq(iterateRaw(a, n), LSMC_CORRUPT);
  /* Key length past the end (last entry), value length past the end. */
  n = rawBatch(a, 5, 2, aGood, sizeof(aGood));
  a[LSMC_BATCH_HEADER+6] = 2;
  ck_assert_int_eq(iterateRaw(a, n), LSMC_CORRUPT);
  n = rawBatch(a, 5, 1, (const u8[]){1, 1, 'k', 5, 'v'}, 5);
  ck_assert_int_eq(iterateRaw(a, n), LSMC_CORRUPT);
  /* Truncated varint, truncated entry (kind only), value missing. */
  n = rawBatch(a, 5, 1, (const u8[]){1, 0x80}, 2);
  ck_assert_int_eq(iterateRaw(a, n), LSMC_CORRUPT);
  n = rawBatch(a, 5, 1, (const u8[]){0}, 1);
  ck_assert_int_eq(iterateRaw(a, n), LSMC_CORRUPT);
  n = rawBatch(a, 5, 1, (const u8[]){1, 1, 'k'}, 3);
  ck_assert_int_eq(iterateRaw(a, n), LSMC_CORRUPT);
  /* Trailing garbage, and a trailing whole entry beyond the count. */
  n = rawBatch(a, 5, 2, aGood, sizeof(aGood));
  a[n++] = 0x00;
  ck_assert_int_eq(iterateRaw(a, n), LSMC_CORRUPT);
  n = rawBatch(a, 5, 1, aGood, sizeof(aGood));
  ck_assert_int_eq(iterateRaw(a, n), LSMC_CORRUPT);
  /* Count larger than the entries present. */
  n = rawBatch(a, 5, 3, aGood, sizeof(aGood));
  ck_assert_int_eq(iterateRaw(a, n), LSMC_CORRUPT);
  n = rawBatch(a, 5, 0xffffffffu, aGood, sizeof(aGood));
  ck_assert_int_eq(iterateRaw(a, n), LSMC_CORRUPT);
  /* Count 0 with an entry present. */
  n = rawBatch(a, 5, 0, aGood, sizeof(aGood));
  ck_assert_int_eq(iterateRaw(a, n), LSMC_CORRUPT);
  /* Key larger than LSMC_MAX_KEY, value larger than LSMC_MAX_VALUE (both
  ** with the bytes "present" as far as the varint is concerned). */
  {
    u8 aBody[32];
    int nb = 0;
    aBody[nb++] = LSMC_KIND_DELETE;
    nb += lsmcPutVarint(&aBody[nb], (u64)LSMC_MAX_KEY + 1);
    n = rawBatch(a, 5, 1, aBody, (size_t)nb);
    ck_assert_int_eq(iterateRaw(a, n), LSMC_CORRUPT);
    nb = 0;
    aBody[nb++] = LSMC_KIND_PUT;
    aBody[nb++] = 0;
    nb += lsmcPutVarint(&aBody[nb], (u64)LSMC_MAX_VALUE + 1);
    n = rawBatch(a, 5, 1, aBody, (size_t)nb);
    ck_assert_int_eq(iterateRaw(a, n), LSMC_CORRUPT);
    nb = 0;                                /* a 65-bit varint */
    aBody[nb++] = LSMC_KIND_DELETE;
    memset(&aBody[nb], 0xff, 9);
    aBody[nb+9] = 0x02;
    nb += 10;
    n = rawBatch(a, 5, 1, aBody, (size_t)nb);
    ck_assert_int_eq(iterateRaw(a, n), LSMC_CORRUPT);
  }
  /* Sequence numbers that would pass LSMC_MAX_SEQ. */
  n = rawBatch(a, LSMC_MAX_SEQ, 2, aGood, sizeof(aGood));
  ck_assert_int_eq(iterateRaw(a, n), LSMC_CORRUPT);
  n = rawBatch(a, LSMC_MAX_SEQ-1, 2, aGood, sizeof(aGood));
  ck_assert_int_eq(lsmcBatchIterate(a, n, seenEntry, &(Seen){0}), LSMC_OK);
  /* An empty batch with any sequence is fine. */
  n = rawBatch(a, ~(u64)0, 0, aGood, 0);
  ck_assert_int_eq(iterateRaw(a, n), LSMC_OK);
}
END_TEST

/*
** Every single-byte truncation and every byte value at every position of a
** small valid encoding: either LSMC_OK with a consistent walk, or
** LSMC_CORRUPT without any callback.  Never a crash (run under ASan).
*/
START_TEST(test_malformed_sweep)
{
  lsmc_batch *b = 0;
  u8 a[256];
  size_t n, i;
  int v;
  ck_assert_int_eq(lsmc_batch_new(&b), LSMC_OK);
  ck_assert_int_eq(lsmc_batch_put(b, "key1", 4, "value1", 6), LSMC_OK);
  ck_assert_int_eq(lsmc_batch_delete(b, "key2", 4), LSMC_OK);
  ck_assert_int_eq(lsmc_batch_put(b, "k3", 2, "v", 1), LSMC_OK);
  n = b->rep.n;
  memcpy(a, b->rep.a, n);
  for(i=0; i<n; i++){
    ck_assert_int_eq(iterateRaw(a, i), LSMC_CORRUPT);
  }
  for(i=0; i<n; i++){
    u8 orig = a[i];
    for(v=0; v<256; v++){
      Seen s;
      int rc;
      a[i] = (u8)v;
      memset(&s, 0, sizeof(s));
      rc = lsmcBatchIterate(a, n, seenEntry, &s);
      if( rc==LSMC_OK ){
        ck_assert_uint_eq((u64)s.nEntry, lsmcGet32(&a[8]));
      }else{
        ck_assert_int_eq(rc, LSMC_CORRUPT);
        ck_assert_int_eq(s.nEntry, 0);
      }
    }
    a[i] = orig;
  }
  lsmc_batch_free(b);
}
END_TEST

static Suite *batchSuite(void){
  Suite *s = suite_create("batch");
  TCase *tc = tcase_create("core");
  TCase *tcAbort = tcase_create("bad_mark");
  tcase_add_test(tc, test_encoding_exact);
  tcase_add_test(tc, test_iterate);
  tcase_add_test(tc, test_append);
  tcase_add_test(tc, test_mark_truncate);
  tcase_add_test(tc, test_limits);
  tcase_add_test(tc, test_malformed);
  tcase_add_test(tc, test_malformed_sweep);
  suite_add_tcase(s, tc);
#ifdef NDEBUG
  tcase_add_loop_test(tcAbort, test_truncate_bad_mark, 0, 2);
#else
  /* A death test needs a process of its own: skipped under CK_FORK=no
  ** (hygiene.sh runs the suite so under valgrind). */
  if( getenv("CK_FORK")==0 || strcmp(getenv("CK_FORK"), "no")!=0 ){
    tcase_add_loop_test_raise_signal(tcAbort, test_truncate_bad_mark,
                                     SIGABRT, 0, 2);
  }
#endif
  suite_add_tcase(s, tcAbort);
  return s;
}

int main(void){
  int nFail;
  SRunner *sr = srunner_create(batchSuite());
  srunner_run_all(sr, CK_NORMAL);
  nFail = srunner_ntests_failed(sr);
  srunner_free(sr);
  return nFail==0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
