/*
** check_bloom.c -- unit tests of the cache-line-blocked bloom filter
** (bloom.c).
**
** Covered: the probe count formula and its clamping; the filter layout
** (a whole number of 64-byte lines, then k and the line count); no false
** negatives over 10^6 keys; the false-positive rate measured over 10^6
** absent keys within 2x of the theoretical (1 - e^(-kn/m))^k at 5 and 10
** bits per key, and within 2x of the blocked filter's theoretical rate at
** 5, 10 and 20 (rates are printed); lsmcBloomCheck rejecting every
** malformed tail.
*/
#include "bloom.h"
#include "coding.h"

#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

/* Keys per filter: 10^6 (TESTPLAN A3), or env LSMC_BLOOM_KEYS (the quick
** profile of hygiene.sh under valgrind). */
static int nKeys = 1000000;
#define N_KEYS nKeys

static lsmc_env *tEnv(void){ return lsmc_default_env(); }

static u64 hashOf(const char *zPrefix, int i){
  char z[40];
  int n = snprintf(z, sizeof(z), "%s%d", zPrefix, i);
  return lsmcHash64(z, (size_t)n);
}

START_TEST(test_probes){
  ck_assert_uint_eq(lsmcBloomProbes(0), 1);
  ck_assert_uint_eq(lsmcBloomProbes(1), 1);
  ck_assert_uint_eq(lsmcBloomProbes(5), 3);     /* 3.45 */
  ck_assert_uint_eq(lsmcBloomProbes(10), 7);    /* 6.9 */
  ck_assert_uint_eq(lsmcBloomProbes(20), 14);   /* 13.8 */
  ck_assert_uint_eq(lsmcBloomProbes(32), 22);   /* 22.08 */
  ck_assert_uint_eq(lsmcBloomProbes(100), 30);
}
END_TEST

/*
** The theoretical false-positive rate of a filter blocked in 512-bit
** lines holding lambda keys on average: the line of an absent key holds
** X ~ Poisson(lambda) keys, and the key is a false positive if its k bits
** are among the ones those X keys set.
*/
static double blockedRate(u32 k, double lambda){
  double p = exp(-lambda);
  double sum = 0;
  int x;
  for(x=0; x<2000; x++){
    if( x>0 ) p *= lambda / x;
    sum += p * pow(1.0 - pow(1.0 - 1.0/512, (double)k*x), k);
  }
  return sum;
}

/*
** Build over 10^6 keys at nBits bits/key; check no false negative and
** the false-positive rate: within 2x of the blocked filter's own
** theoretical rate always, and of the unblocked formula if bUnblocked.
** (At 20 bits/key the blocked rate is 3.3x the unblocked formula, so no
** 512-bit blocked filter can be within 2x of it; see bloom.c.)
*/
static void fpRate(u32 nBits, int bUnblocked){
  u64 *aHash = malloc(sizeof(u64)*N_KEYS);
  LsmcBuf f;
  int rc = LSMC_OK;
  int i, nFp = 0;
  u32 k = lsmcBloomProbes(nBits);
  double m, rate, theory, blocked;
  for(i=0; i<N_KEYS; i++) aHash[i] = hashOf("key", i);
  lsmcBufInit(&f, tEnv());
  lsmcBloomBuild(&rc, &f, aHash, N_KEYS, nBits);
  ck_assert_int_eq(rc, LSMC_OK);
  ck_assert_int_eq(lsmcBloomCheck(f.a, f.n), LSMC_OK);
  ck_assert_uint_eq((f.n - LSMC_BLOOM_TAIL) % LSMC_BLOOM_LINE, 0);
  ck_assert_uint_eq(f.a[f.n-5], k);
  ck_assert_uint_eq(lsmcGet32(&f.a[f.n-4]),
                    ((u64)N_KEYS*nBits + 511)/512);
  for(i=0; i<N_KEYS; i++){
    ck_assert_msg(lsmcBloomMayContain(f.a, f.n, aHash[i]),
                  "false negative for key %d", i);
  }
  for(i=0; i<N_KEYS; i++){
    nFp += lsmcBloomMayContain(f.a, f.n, hashOf("absent", i));
  }
  m = (double)(f.n - LSMC_BLOOM_TAIL) * 8;
  theory = pow(1.0 - exp(-(double)k * N_KEYS / m), k);
  blocked = blockedRate(k, (double)N_KEYS / (m/512));
  rate = (double)nFp / N_KEYS;
  printf("bloom %2u bits/key, k=%2u: false positives %.5f%% "
         "(theory %.5f%%, ratio %.2f; blocked theory %.5f%%, ratio %.2f)\n",
         nBits, k, rate*100, theory*100, rate/theory, blocked*100,
         rate/blocked);
  ck_assert_msg(rate<=2*blocked, "fp rate %g > 2 x %g", rate, blocked);
  if( bUnblocked ){
    ck_assert_msg(rate<=2*theory, "fp rate %g > 2 x %g", rate, theory);
  }
  lsmcBufFree(&f);
  free(aHash);
}

START_TEST(test_fp_10){ fpRate(10, 1); }
END_TEST
START_TEST(test_fp_5){ fpRate(5, 1); }
END_TEST
START_TEST(test_fp_20){ fpRate(20, 0); }
END_TEST

/* A filter over no keys is one empty line: everything is absent. */
/*
** The live filter (the memtable's): every added key passes, and at 16 bits
** a key the false-positive rate of absent keys is under 1.5% (six probes
** in a blocked filter: about 0.6% expected).
*/
START_TEST(test_live){
  enum { N_KEY = 20000, N_LINE = N_KEY*16/512 };
  _Atomic(u64) *aWord = calloc((size_t)N_LINE*8, sizeof(u64));
  char z[32];
  int i, nFp = 0;
  ck_assert_ptr_nonnull(aWord);
  ck_assert_int_eq(lsmcBloomLiveMayContain(aWord, N_LINE, lsmcHash64("k", 1)),
                   0);                               /* empty: rules out */
  for(i=0; i<N_KEY; i++){
    snprintf(z, sizeof(z), "key%d", i);
    lsmcBloomLiveAdd(aWord, N_LINE, lsmcHash64(z, strlen(z)));
  }
  for(i=0; i<N_KEY; i++){
    snprintf(z, sizeof(z), "key%d", i);
    ck_assert(lsmcBloomLiveMayContain(aWord, N_LINE, lsmcHash64(z, strlen(z))));
  }
  for(i=0; i<N_KEY; i++){
    snprintf(z, sizeof(z), "absent%d", i);
    nFp += lsmcBloomLiveMayContain(aWord, N_LINE, lsmcHash64(z, strlen(z)));
  }
  ck_assert_int_lt(nFp, N_KEY*15/1000);
  free((void*)aWord);
}
END_TEST

START_TEST(test_empty){
  LsmcBuf f;
  int rc = LSMC_OK;
  int i;
  lsmcBufInit(&f, tEnv());
  lsmcBloomBuild(&rc, &f, 0, 0, 10);
  ck_assert_int_eq(rc, LSMC_OK);
  ck_assert_uint_eq(f.n, LSMC_BLOOM_LINE + LSMC_BLOOM_TAIL);
  ck_assert_int_eq(lsmcBloomCheck(f.a, f.n), LSMC_OK);
  for(i=0; i<1000; i++) ck_assert(!lsmcBloomMayContain(f.a, f.n, hashOf("k", i)));
  lsmcBufFree(&f);
}
END_TEST

/* lsmcBloomCheck: every structural fault is LSMC_CORRUPT. */
START_TEST(test_check){
  u64 aHash[100];
  LsmcBuf f;
  int rc = LSMC_OK;
  int i;
  for(i=0; i<100; i++) aHash[i] = hashOf("key", i);
  lsmcBufInit(&f, tEnv());
  lsmcBloomBuild(&rc, &f, aHash, 100, 10);     /* 1000 bits: 2 lines */
  ck_assert_uint_eq(f.n, 2*64 + 5);
  ck_assert_int_eq(lsmcBloomCheck(f.a, f.n), LSMC_OK);
  for(i=0; i<(int)f.n; i++){                   /* truncations */
    ck_assert_int_eq(lsmcBloomCheck(f.a, (size_t)i), LSMC_CORRUPT);
  }
  f.a[f.n-5] = 0;
  ck_assert_int_eq(lsmcBloomCheck(f.a, f.n), LSMC_CORRUPT);
  f.a[f.n-5] = 31;
  ck_assert_int_eq(lsmcBloomCheck(f.a, f.n), LSMC_CORRUPT);
  f.a[f.n-5] = 7;
  lsmcPut32(&f.a[f.n-4], 3);
  ck_assert_int_eq(lsmcBloomCheck(f.a, f.n), LSMC_CORRUPT);
  lsmcPut32(&f.a[f.n-4], 0);
  ck_assert_int_eq(lsmcBloomCheck(f.a, f.n), LSMC_CORRUPT);
  lsmcPut32(&f.a[f.n-4], 0xffffffffu);
  ck_assert_int_eq(lsmcBloomCheck(f.a, f.n), LSMC_CORRUPT);
  lsmcPut32(&f.a[f.n-4], 2);
  ck_assert_int_eq(lsmcBloomCheck(f.a, f.n), LSMC_OK);
  lsmcBufFree(&f);
}
END_TEST

static Suite *bloomSuite(void){
  Suite *s = suite_create("bloom");
  TCase *tc = tcase_create("core");
  tcase_set_timeout(tc, 120);
  tcase_add_test(tc, test_probes);
  tcase_add_test(tc, test_fp_10);
  tcase_add_test(tc, test_fp_5);
  tcase_add_test(tc, test_fp_20);
  tcase_add_test(tc, test_live);
  tcase_add_test(tc, test_empty);
  tcase_add_test(tc, test_check);
  suite_add_tcase(s, tc);
  return s;
}

int main(void){
  SRunner *sr = srunner_create(bloomSuite());
  const char *zKeys = getenv("LSMC_BLOOM_KEYS");
  int nFail;
  if( zKeys && atoi(zKeys)>0 ) nKeys = atoi(zKeys);
  srunner_run_all(sr, CK_NORMAL);
  nFail = srunner_ntests_failed(sr);
  srunner_free(sr);
  return nFail ? 1 : 0;
}
