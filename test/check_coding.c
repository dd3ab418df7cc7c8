/*
** check_coding.c -- unit tests for coding.c: fixed-width little-endian
** integers, varints (round trips at every length boundary, truncated and
** overlong input), checksums, internal-key ordering, and LsmcBuf growth.
** Also the file-name parser of filename.c and the option bounds of
** options.c, which are as small.
*/
#include "coding.h"
#include "filename.h"
#include "options.h"

#include <check.h>
#include <stdlib.h>

START_TEST(test_fixed){
  u8 a[8];
  lsmcPut16(a, 0xBEEF);
  ck_assert_uint_eq(a[0], 0xEF);
  ck_assert_uint_eq(a[1], 0xBE);
  ck_assert_uint_eq(lsmcGet16(a), 0xBEEF);
  lsmcPut32(a, 0x01020304u);
  ck_assert_uint_eq(a[0], 4);
  ck_assert_uint_eq(a[3], 1);
  ck_assert_uint_eq(lsmcGet32(a), 0x01020304u);
  lsmcPut64(a, 0x0102030405060708ULL);
  ck_assert_uint_eq(a[0], 8);
  ck_assert_uint_eq(a[7], 1);
  ck_assert(lsmcGet64(a)==0x0102030405060708ULL);
}
END_TEST

START_TEST(test_varint){
  static const u64 aVal[] = {
    0, 1, 127, 128, 255, 16383, 16384, 0xffffffffULL, 0x100000000ULL,
    (1ULL<<56)-1, 1ULL<<63, UINT64_MAX
  };
  size_t i;
  for(i=0; i<sizeof(aVal)/sizeof(aVal[0]); i++){
    u8 a[LSMC_MAX_VARINT];
    u64 v = 0;
    int n = lsmcPutVarint(a, aVal[i]);
    ck_assert_int_eq(n, lsmcVarintLen(aVal[i]));
    ck_assert_int_eq(lsmcGetVarint64(a, a+n, &v), n);
    ck_assert(v==aVal[i]);
    /* Truncated input never decodes. */
    ck_assert_int_eq(lsmcGetVarint64(a, a+n-1, &v), 0);
  }
  {
    u8 a[11];
    u64 v;
    u32 v32;
    memset(a, 0xff, sizeof(a));        /* overlong: never terminates */
    ck_assert_int_eq(lsmcGetVarint64(a, a+sizeof(a), &v), 0);
    a[9] = 0x02;                       /* 10th byte > 1: overflows 64 bits */
    ck_assert_int_eq(lsmcGetVarint64(a, a+10, &v), 0);
    ck_assert_int_eq(lsmcPutVarint(a, 0x100000000ULL), 5);
    ck_assert_int_eq(lsmcGetVarint32(a, a+5, &v32), 0);
  }
}
END_TEST

START_TEST(test_checksum){
  const char *z = "hello";
  ck_assert(lsmcChecksum64(z, 5, 0)==lsmcHash64(z, 5));
  ck_assert(lsmcChecksum64(z, 5, 1)!=lsmcChecksum64(z, 5, 0));
  ck_assert_uint_eq(lsmcChecksum32(z, 5, 7), (u32)lsmcChecksum64(z, 5, 7));
  ck_assert(lsmcChecksum64("hellp", 5, 0)!=lsmcChecksum64(z, 5, 0));
}
END_TEST

START_TEST(test_ikey_order){
  lsmc_env *pEnv = lsmc_default_env();
  LsmcBuf a, b;
  int rc = LSMC_OK;
  lsmcBufInit(&a, pEnv);
  lsmcBufInit(&b, pEnv);
  /* Same user key: newer sequence first. */
  lsmcIKeyBuild(&rc, &a, (const u8*)"k", 1, 10, LSMC_KIND_PUT);
  lsmcIKeyBuild(&rc, &b, (const u8*)"k", 1, 9, LSMC_KIND_PUT);
  ck_assert_int_eq(rc, LSMC_OK);
  ck_assert_int_lt(lsmcIKeyCompare(a.a, a.n, b.a, b.n), 0);
  ck_assert(lsmcTrailerSeq(lsmcIKeyTrailer(a.a, a.n))==10);
  ck_assert_int_eq(lsmcTrailerKind(lsmcIKeyTrailer(a.a, a.n)), LSMC_KIND_PUT);
  /* A prefix sorts first whatever the sequences. */
  lsmcIKeyBuild(&rc, &a, (const u8*)"k", 1, 1, LSMC_KIND_DELETE);
  lsmcIKeyBuild(&rc, &b, (const u8*)"k\0", 2, 100, LSMC_KIND_PUT);
  ck_assert_int_lt(lsmcIKeyCompare(a.a, a.n, b.a, b.n), 0);
  /* The empty key sorts before everything. */
  lsmcIKeyBuild(&rc, &a, (const u8*)"", 0, 5, LSMC_KIND_PUT);
  ck_assert_int_lt(lsmcIKeyCompare(a.a, a.n, b.a, b.n), 0);
  ck_assert_int_eq(lsmcIKeyCompare(a.a, a.n, a.a, a.n), 0);
  /* Bytes compare unsigned. */
  ck_assert_int_lt(lsmcUKeyCompare((const u8*)"\x01", 1, (const u8*)"\xff", 1), 0);
  lsmcBufFree(&a);
  lsmcBufFree(&b);
}
END_TEST

START_TEST(test_buf){
  lsmc_env *pEnv = lsmc_default_env();
  LsmcBuf b;
  int rc = LSMC_OK;
  int i;
  lsmcBufInit(&b, pEnv);
  for(i=0; i<10000; i++) lsmcBufAppend32(&rc, &b, (u32)i);
  ck_assert_int_eq(rc, LSMC_OK);
  ck_assert_uint_eq(b.n, 40000);
  for(i=0; i<10000; i++) ck_assert_uint_eq(lsmcGet32(&b.a[i*4]), (u32)i);
  lsmcBufSet(&rc, &b, "xy", 2);
  ck_assert_uint_eq(b.n, 2);
  lsmcBufAppendBlob(&rc, &b, "abc", 3);
  ck_assert_uint_eq(b.n, 6);
  ck_assert_uint_eq(b.a[2], 3);
  /* An error already set makes the helpers no-ops. */
  rc = LSMC_IOERR;
  lsmcBufAppend(&rc, &b, "zzz", 3);
  ck_assert_uint_eq(b.n, 6);
  lsmcBufFree(&b);
  ck_assert_ptr_null(b.a);
}
END_TEST

START_TEST(test_filename){
  int eType;
  u64 iNum;
  char *z = lsmcFileName(lsmc_default_env(), "d", LSMC_FILE_SST, 42);
  ck_assert_str_eq(z, "d/000042.sst");
  lsmcFree(lsmc_default_env(), z);
  ck_assert(lsmcParseFileName("000042.sst", &eType, &iNum));
  ck_assert_int_eq(eType, LSMC_FILE_SST);
  ck_assert(iNum==42);
  ck_assert(lsmcParseFileName("1234567.log", &eType, &iNum) && iNum==1234567);
  ck_assert(lsmcParseFileName("MANIFEST-000003", &eType, &iNum));
  ck_assert_int_eq(eType, LSMC_FILE_MANIFEST);
  ck_assert(lsmcParseFileName("CURRENT", &eType, &iNum));
  ck_assert(!lsmcParseFileName("42.sst", &eType, &iNum));       /* < 6 digits */
  ck_assert(!lsmcParseFileName("000042.sst.bak", &eType, &iNum));
  ck_assert(!lsmcParseFileName("MANIFEST-", &eType, &iNum));
  ck_assert(!lsmcParseFileName("current", &eType, &iNum));
  ck_assert(!lsmcParseFileName("x000042.sst", &eType, &iNum));
}
END_TEST

START_TEST(test_options){
  lsmc_options *p = 0;
  ck_assert_int_eq(lsmc_options_new(&p), LSMC_OK);
  ck_assert(lsmc_options_get(p, LSMC_OPT_MEMTABLE_SIZE)==32*1024*1024);
  ck_assert(lsmc_options_get(p, LSMC_OPT_BLOOM_BITS)==10);
  ck_assert(lsmc_options_get(p, LSMC_OPT_SYNC)==LSMC_SYNC_NORMAL);
  ck_assert_int_eq(lsmc_options_set(p, LSMC_OPT_BLOCK_SIZE, 0), LSMC_MISUSE);
  ck_assert_int_eq(lsmc_options_set(p, LSMC_OPT_MEMTABLE_SIZE,
                                    (int64_t)1e15), LSMC_MISUSE);
  ck_assert_int_eq(lsmc_options_set(p, 999, 1), LSMC_MISUSE);
  ck_assert_int_eq(lsmc_options_set(p, LSMC_OPT_BLOOM_BITS, 0), LSMC_OK);
  ck_assert(lsmc_options_get(p, LSMC_OPT_BLOOM_BITS)==0);
  lsmc_options_free(p);
}
END_TEST

int main(void){
  Suite *s = suite_create("coding");
  TCase *tc = tcase_create("core");
  SRunner *sr;
  int nFail;
  tcase_add_test(tc, test_fixed);
  tcase_add_test(tc, test_varint);
  tcase_add_test(tc, test_checksum);
  tcase_add_test(tc, test_ikey_order);
  tcase_add_test(tc, test_buf);
  tcase_add_test(tc, test_filename);
  tcase_add_test(tc, test_options);
  suite_add_tcase(s, tc);
  sr = srunner_create(s);
  srunner_run_all(sr, CK_NORMAL);
  nFail = srunner_ntests_failed(sr);
  srunner_free(sr);
  return nFail ? EXIT_FAILURE : EXIT_SUCCESS;
}
