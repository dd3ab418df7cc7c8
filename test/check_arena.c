/*
** check_arena.c -- unit tests of the memtable's bump allocator (arena.c).
**
** The arena allocates through a malloc-only test env that counts live
** allocations and bytes, and can fail the Nth allocation, so the tests see
** exactly which blocks the arena takes and that lsmcArenaFree() returns
** them all.  Covered: 8-byte alignment of every size, many small and big
** allocations with their contents intact, usage that grows by whole blocks
** (64 KiB) and by exactly-sized blocks for big requests, zero-byte
** requests, and OOM.
*/
#include "arena.h"

#include "testutil.h"

#include <check.h>
#include <stdlib.h>

#define BLOCK (64*1024)

START_TEST(test_alignment){
  TestMem tm;
  Arena *pArena;
  size_t n;
  testMemInit(&tm);
  ck_assert_int_eq(lsmcArenaNew(&tm.base, &pArena), LSMC_OK);
  for(n=0; n<200; n++){
    u8 *p = lsmcArenaAlloc(pArena, n);
    ck_assert_ptr_nonnull(p);
    ck_assert_uint_eq((uintptr_t)p % 8, 0);
    memset(p, 0xab, n);
  }
  /* Big, odd-sized requests are aligned too. */
  for(n=BLOCK/4+1; n<BLOCK/4+20; n++){
    u8 *p = lsmcArenaAlloc(pArena, n);
    ck_assert_ptr_nonnull(p);
    ck_assert_uint_eq((uintptr_t)p % 8, 0);
    memset(p, 0xcd, n);
  }
  lsmcArenaFree(pArena);
  ck_assert_int_eq(tm.nLive, 0);
}
END_TEST

/*
** Zero-byte requests return distinct, non-NULL pointers.
*/
START_TEST(test_zero){
  TestMem tm;
  Arena *pArena;
  u8 *p1, *p2;
  testMemInit(&tm);
  ck_assert_int_eq(lsmcArenaNew(&tm.base, &pArena), LSMC_OK);
  p1 = lsmcArenaAlloc(pArena, 0);
  p2 = lsmcArenaAlloc(pArena, 0);
  ck_assert_ptr_nonnull(p1);
  ck_assert_ptr_nonnull(p2);
  ck_assert_ptr_ne(p1, p2);
  lsmcArenaFree(pArena);
  ck_assert_int_eq(tm.nLive, 0);
}
END_TEST

/*
** Many allocations of mixed sizes, each filled with a pattern derived from
** its index; afterwards every one still holds its own pattern (nothing
** overlaps).
*/
START_TEST(test_many){
  enum { N = 20000 };
  TestMem tm;
  Arena *pArena;
  static u8 *ap[N];
  static size_t an[N];
  size_t nTotal = 0;
  unsigned int r = 12345;
  int i;
  testMemInit(&tm);
  ck_assert_int_eq(lsmcArenaNew(&tm.base, &pArena), LSMC_OK);
  for(i=0; i<N; i++){
    r = r*1103515245u + 12345u;
    an[i] = (i % 97)==0 ? 17000 + (r>>8) % 100000 : (r>>16) % 300;
    ap[i] = lsmcArenaAlloc(pArena, an[i]);
    ck_assert_ptr_nonnull(ap[i]);
    memset(ap[i], i & 0xff, an[i]);
    nTotal += an[i];
  }
  for(i=0; i<N; i++){
    size_t j;
    for(j=0; j<an[i] && ap[i][j]==(u8)(i & 0xff); j++){}
    ck_assert_uint_eq(j, an[i]);
  }
  ck_assert_uint_ge(lsmcArenaUsage(pArena), nTotal);
  /* At most one wasted small block tail per 64 KiB of small data. */
  ck_assert_uint_lt(lsmcArenaUsage(pArena), nTotal + nTotal/4 + 2*BLOCK);
  lsmcArenaFree(pArena);
  ck_assert_int_eq(tm.nLive, 0);
}
END_TEST

/*
** Usage starts at the arena's own size, grows by one 64 KiB block on the
** first small allocation, not at all while that block has room, and by a
** block of exactly the request (plus a small header) for a big request,
** which does not replace the current small block.
*/
START_TEST(test_usage){
  TestMem tm;
  Arena *pArena;
  size_t n0, n1, n2, n3;
  u8 *pA, *pB, *pBig;
  testMemInit(&tm);
  ck_assert_int_eq(lsmcArenaNew(&tm.base, &pArena), LSMC_OK);
  n0 = lsmcArenaUsage(pArena);
  ck_assert_uint_gt(n0, 0);
  ck_assert_uint_lt(n0, 1024);

  pA = lsmcArenaAlloc(pArena, 100);
  n1 = lsmcArenaUsage(pArena);
  ck_assert_uint_eq(n1, n0 + BLOCK);
  ck_assert_int_eq(tm.nLive, 2);

  pBig = lsmcArenaAlloc(pArena, 1000000);
  n2 = lsmcArenaUsage(pArena);
  ck_assert_uint_ge(n2, n1 + 1000000);
  ck_assert_uint_le(n2, n1 + 1000000 + 64);
  ck_assert_int_eq(tm.nLive, 3);

  /* The small block is still current: the next small request follows pA. */
  pB = lsmcArenaAlloc(pArena, 8);
  ck_assert_ptr_eq(pB, pA + 104);
  n3 = lsmcArenaUsage(pArena);
  ck_assert_uint_eq(n3, n2);
  ck_assert_ptr_nonnull(pBig);

  /* Filling the small block takes a second one. */
  while( lsmcArenaUsage(pArena)==n3 ){
    ck_assert_ptr_nonnull(lsmcArenaAlloc(pArena, 1000));
  }
  ck_assert_uint_eq(lsmcArenaUsage(pArena), n3 + BLOCK);
  ck_assert_int_eq(tm.nLive, 4);
  lsmcArenaFree(pArena);
  ck_assert_int_eq(tm.nLive, 0);
}
END_TEST

/*
** A failed block allocation returns NULL and leaves the arena usable;
** lsmcArenaNew reports LSMC_NOMEM; lsmcArenaFree(NULL) is a no-op.
*/
START_TEST(test_oom){
  TestMem tm;
  Arena *pArena;
  size_t n;
  testMemInit(&tm);
  tm.nFailAt = 1;
  ck_assert_int_eq(lsmcArenaNew(&tm.base, &pArena), LSMC_NOMEM);
  ck_assert_ptr_null(pArena);
  ck_assert_int_eq(tm.nLive, 0);

  ck_assert_int_eq(lsmcArenaNew(&tm.base, &pArena), LSMC_OK);
  n = lsmcArenaUsage(pArena);
  tm.nFailAt = 1;
  ck_assert_ptr_null(lsmcArenaAlloc(pArena, 10));
  tm.nFailAt = 1;
  ck_assert_ptr_null(lsmcArenaAlloc(pArena, 100000));
  ck_assert_uint_eq(lsmcArenaUsage(pArena), n);
  ck_assert_ptr_null(lsmcArenaAlloc(pArena, (size_t)-1));
  ck_assert_ptr_nonnull(lsmcArenaAlloc(pArena, 10));
  lsmcArenaFree(pArena);
  lsmcArenaFree(0);
  ck_assert_int_eq(tm.nLive, 0);
}
END_TEST

static Suite *arenaSuite(void){
  Suite *s = suite_create("arena");
  TCase *tc = tcase_create("core");
  tcase_add_test(tc, test_alignment);
  tcase_add_test(tc, test_zero);
  tcase_add_test(tc, test_many);
  tcase_add_test(tc, test_usage);
  tcase_add_test(tc, test_oom);
  suite_add_tcase(s, tc);
  return s;
}

int main(void){
  SRunner *sr = srunner_create(arenaSuite());
  int nFail;
  srunner_run_all(sr, CK_NORMAL);
  nFail = srunner_ntests_failed(sr);
  srunner_free(sr);
  return nFail==0 ? 0 : 1;
}
