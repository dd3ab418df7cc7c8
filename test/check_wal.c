/*
** check_wal.c -- unit tests of the log writer and reader (wal_writer.c,
** wal_reader.c) and of the framing of wal_format.h: round trips at every
** block edge (empty record, 1 byte, a record filling a block exactly,
** block size +/- 1, block tails of 0..7 bytes, 1 MiB and 5 MiB records,
** 10^4 random records), the recovery policy (a torn tail cut at every byte
** of the last 3 records, zero-filled tails, damage in the middle in strict
** and point-in-time modes, damage inside a record spanning blocks,
** fragment sequence errors), and the writer's sticky errors, one xAppend
** per record and allocation failures, through a fault-injecting env that
** wraps lsmc_default_env().
**
** Record i of a test has content recByte(i, j) at byte j, so a delivered
** record is checked against its expected bytes without keeping copies.
*/
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "wal_format.h"
#include "wal_reader.h"
#include "wal_writer.h"
#include "coding.h"

#define BLOCK  LSMC_WAL_BLOCK_SIZE
#define HDR    LSMC_WAL_HEADER_SIZE

/*
** A temporary directory holding one log file.
*/
typedef struct TestLog TestLog;
struct TestLog {
  char zDir[64];            /* mkdtemp() directory */
  char zPath[96];           /* The log file inside it */
};

static void logSetup(TestLog *p){
  strcpy(p->zDir, "/tmp/check_wal.XXXXXX");
  ck_assert_ptr_nonnull(mkdtemp(p->zDir));
  snprintf(p->zPath, sizeof(p->zPath), "%s/000001.log", p->zDir);
}

static void logTeardown(TestLog *p){
  unlink(p->zPath);
  ck_assert_int_eq(rmdir(p->zDir), 0);
}

static u8 recByte(size_t iRec, size_t j){
  return (u8)((iRec*0x9e3779b1u >> 5) ^ (j*131) ^ (j>>9));
}

static u8 *recMake(size_t iRec, size_t n){
  u8 *a = malloc(n ? n : 1);
  size_t j;
  ck_assert_ptr_nonnull(a);
  for(j=0; j<n; j++) a[j] = recByte(iRec, j);
  return a;
}

/*
** The framing model: the offset after appending an n-byte record at iOff.
*/
static u64 modelAppend(u64 iOff, size_t n){
  for(;;){
    size_t nAvail = BLOCK - (size_t)(iOff % BLOCK);
    size_t nFrag;
    if( nAvail<HDR ){ iOff += nAvail; continue; }
    nFrag = LSMC_MIN(n, nAvail - HDR);
    iOff += HDR + nFrag;
    n -= nFrag;
    if( n==0 ) break;                 /* FULL or LAST written */
  }
  return iOff;
}

/*
** Write nRec records of sizes aSize[] to zPath with env pEnv; aEnd[i]
** receives the offset after record i (if aEnd is not NULL).  Each append
** is checked against the framing model.
*/
static void writeLog(lsmc_env *pEnv, const char *zPath, int nRec,
                     const size_t *aSize, u64 *aEnd){
  WalWriter *pW = 0;
  int i;
  u64 iOff = 0;
  ck_assert_int_eq(lsmcWalWriterOpen(pEnv, zPath, &pW), LSMC_OK);
  ck_assert_uint_eq(lsmcWalSize(pW), 0);
  for(i=0; i<nRec; i++){
    u8 *a = recMake((size_t)i, aSize[i]);
    ck_assert_int_eq(lsmcWalAddRecord(pW, a, aSize[i]), LSMC_OK);
    iOff = modelAppend(iOff, aSize[i]);
    ck_assert_uint_eq(lsmcWalSize(pW), iOff);
    if( aEnd ) aEnd[i] = iOff;
    free(a);
  }
  ck_assert_int_eq(lsmcWalSync(pW), LSMC_OK);
  ck_assert_int_eq(lsmcWalWriterClose(pW), LSMC_OK);
}

/*
** The replay callback: checks each record against the expected sizes and
** contents.
*/
typedef struct Collect Collect;
struct Collect {
  const size_t *aSize;      /* Expected sizes */
  int nExpect;              /* Entries in aSize */
  int nGot;                 /* Records delivered */
  int bMismatch;            /* A record differed from its expectation */
  int nStopAt;              /* Return 42 from this record (1-based; 0 no) */
};

static int collectRecord(void *pArg, const u8 *p, size_t n){
  Collect *pC = (Collect*)pArg;
  int i = pC->nGot++;
  if( i>=pC->nExpect || n!=pC->aSize[i] ){
    pC->bMismatch = 1;
  }else{
    size_t j;
    for(j=0; j<n; j++){
      if( p[j]!=recByte((size_t)i, j) ){ pC->bMismatch = 1; break; }
    }
  }
  return (pC->nStopAt && pC->nGot==pC->nStopAt) ? 42 : 0;
}

static int replayLog(lsmc_env *pEnv, const char *zPath, int eRecovery,
                     const size_t *aSize, int nExpect,
                     Collect *pC, WalReplayStat *pStat){
  int rc;
  memset(pC, 0, sizeof(*pC));
  pC->aSize = aSize;
  pC->nExpect = nExpect;
  memset(pStat, 0xff, sizeof(*pStat));
  rc = lsmcWalReplay(pEnv, zPath, eRecovery, collectRecord, pC, pStat);
  ck_assert_int_eq(pC->bMismatch, 0);
  ck_assert_uint_eq(pStat->nRecord, (u64)pC->nGot);
  return rc;
}

/* Replay and require a clean log holding exactly the records written. */
static void replayClean(const char *zPath, const size_t *aSize, int nRec,
                        u64 nSize){
  Collect c;
  WalReplayStat st;
  int rc = replayLog(lsmc_default_env(), zPath, LSMC_RECOVER_STRICT,
                     aSize, nRec, &c, &st);
  ck_assert_int_eq(rc, LSMC_OK);
  ck_assert_int_eq(c.nGot, nRec);
  ck_assert_uint_eq(st.nFileSize, nSize);
  ck_assert_uint_eq(st.iValidEnd, nSize);
  ck_assert_int_eq(st.bTail, 0);
  ck_assert_int_eq(st.bDamaged, 0);
}

/* Read the whole file; *pn receives its size.  Caller frees. */
static u8 *fileRead(const char *zPath, size_t *pn){
  FILE *f = fopen(zPath, "rb");
  long n;
  u8 *a;
  ck_assert_ptr_nonnull(f);
  fseek(f, 0, SEEK_END);
  n = ftell(f);
  fseek(f, 0, SEEK_SET);
  a = malloc((size_t)n + 1);
  ck_assert_uint_eq(fread(a, 1, (size_t)n, f), (size_t)n);
  fclose(f);
  *pn = (size_t)n;
  return a;
}

static void fileWrite(const char *zPath, const u8 *a, size_t n){
  FILE *f = fopen(zPath, "wb");
  ck_assert_ptr_nonnull(f);
  ck_assert_uint_eq(fwrite(a, 1, n, f), n);
  ck_assert_int_eq(fclose(f), 0);
}

/*
** Round trips.
*/
START_TEST(test_empty_log)
{
  TestLog t;
  Collect c;
  WalReplayStat st;
  logSetup(&t);
  writeLog(lsmc_default_env(), t.zPath, 0, 0, 0);
  replayClean(t.zPath, 0, 0, 0);
  unlink(t.zPath);
  ck_assert_int_eq(replayLog(lsmc_default_env(), t.zPath, LSMC_RECOVER_STRICT,
                             0, 0, &c, &st), LSMC_IOERR_NOENT);
  ck_assert_int_eq(c.nGot, 0);
  logTeardown(&t);
}
END_TEST

START_TEST(test_edges)
{
  TestLog t;
  size_t aSize[16];
  u64 aEnd[16];
  int n = 0;
  size_t nFill;
  u8 *a;
  size_t nFile;
  logSetup(&t);
  aSize[n++] = 0;
  aSize[n++] = 1;
  /* Fill the rest of block 0 exactly: 7+0 + 7+1 bytes used so far. */
  nFill = BLOCK - (HDR + 0) - (HDR + 1) - HDR;
  aSize[n++] = nFill;
  aSize[n++] = BLOCK - 1;
  aSize[n++] = BLOCK;
  aSize[n++] = BLOCK + 1;
  aSize[n++] = BLOCK - HDR;
  aSize[n++] = BLOCK - HDR - 1;
  aSize[n++] = BLOCK - HDR + 1;
  aSize[n++] = 0;
  aSize[n++] = 1;
  writeLog(lsmc_default_env(), t.zPath, n, aSize, aEnd);
  ck_assert_uint_eq(aEnd[0], 7);
  ck_assert_uint_eq(aEnd[1], 15);
  ck_assert_uint_eq(aEnd[2], BLOCK);
  /* BLOCK-1 bytes from a block start: FIRST 32761 + LAST 6. */
  ck_assert_uint_eq(aEnd[3], 2*BLOCK + HDR + 6);

  a = fileRead(t.zPath, &nFile);
  ck_assert_uint_eq(nFile, aEnd[n-1]);
  ck_assert_int_eq(a[6], LSMC_WAL_FULL);                /* empty record */
  ck_assert_uint_eq(lsmcGet16(&a[4]), 0);
  ck_assert_int_eq(a[7+6], LSMC_WAL_FULL);              /* 1 byte */
  ck_assert_int_eq(a[15+6], LSMC_WAL_FULL);             /* fills block 0 */
  ck_assert_uint_eq(lsmcGet16(&a[15+4]), nFill);
  ck_assert_int_eq(a[BLOCK+6], LSMC_WAL_FIRST);
  ck_assert_uint_eq(lsmcGet16(&a[BLOCK+4]), BLOCK - HDR);
  ck_assert_int_eq(a[2*BLOCK+6], LSMC_WAL_LAST);
  ck_assert_uint_eq(lsmcGet16(&a[2*BLOCK+4]), 6);
  free(a);
  replayClean(t.zPath, aSize, n, aEnd[n-1]);
  logTeardown(&t);
}
END_TEST

/*
** Leave a block tail of exactly _i bytes (0..7) after the first record,
** then write a second one.  0..6 bytes are zero padding; 7 bytes hold an
** empty FIRST fragment.  Also cut the file inside the padding.
*/
START_TEST(test_block_tail)
{
  TestLog t;
  size_t nTail = (size_t)_i;
  size_t aSize[2];
  u64 aEnd[2];
  u8 *a;
  size_t nFile, j;
  u64 iCut;
  logSetup(&t);
  aSize[0] = BLOCK - HDR - nTail;
  aSize[1] = 100;
  writeLog(lsmc_default_env(), t.zPath, 2, aSize, aEnd);
  ck_assert_uint_eq(aEnd[0], BLOCK - nTail);
  ck_assert_uint_eq(aEnd[1], BLOCK + HDR + 100);
  a = fileRead(t.zPath, &nFile);
  ck_assert_uint_eq(nFile, BLOCK + HDR + 100);
  if( nTail<HDR ){
    for(j=BLOCK-nTail; j<BLOCK; j++) ck_assert_int_eq(a[j], 0);
    ck_assert_int_eq(a[BLOCK+6], LSMC_WAL_FULL);
  }else{
    ck_assert_int_eq(a[BLOCK-1], LSMC_WAL_FIRST);
    ck_assert_uint_eq(lsmcGet16(&a[BLOCK-3]), 0);
    ck_assert_int_eq(a[BLOCK+6], LSMC_WAL_LAST);
  }
  ck_assert_uint_eq(lsmcGet16(&a[BLOCK+4]), 100);
  free(a);
  replayClean(t.zPath, aSize, 2, nFile);

  /* A cut inside the block tail keeps record 0 only. */
  for(iCut=BLOCK+HDR; iCut>=aEnd[0]; iCut--){
    Collect c;
    WalReplayStat st;
    ck_assert_int_eq(truncate(t.zPath, (off_t)iCut), 0);
    ck_assert_int_eq(replayLog(lsmc_default_env(), t.zPath,
                               LSMC_RECOVER_STRICT, aSize, 2, &c, &st),
                     LSMC_OK);
    ck_assert_int_eq(c.nGot, 1);
    ck_assert_uint_eq(st.iValidEnd, aEnd[0]);
    ck_assert_int_eq(st.bTail, iCut>aEnd[0]);
    ck_assert_int_eq(st.bDamaged, 0);
  }
  logTeardown(&t);
}
END_TEST

START_TEST(test_straddle)
{
  TestLog t;
  size_t aSize[50];
  u64 aEnd[50];
  int i;
  logSetup(&t);
  for(i=0; i<50; i++) aSize[i] = 10000 + (size_t)i*37;
  writeLog(lsmc_default_env(), t.zPath, 50, aSize, aEnd);
  ck_assert_uint_gt(aEnd[49], 15*BLOCK);
  replayClean(t.zPath, aSize, 50, aEnd[49]);
  logTeardown(&t);
}
END_TEST

START_TEST(test_big_records)
{
  TestLog t;
  size_t aSize[5] = { 10, 1024*1024, 3, 5*1024*1024, 0 };
  u64 aEnd[5];
  logSetup(&t);
  writeLog(lsmc_default_env(), t.zPath, 5, aSize, aEnd);
  replayClean(t.zPath, aSize, 5, aEnd[4]);
  logTeardown(&t);
}
END_TEST

START_TEST(test_random_records)
{
  TestLog t;
  int nRec = 10000;
  size_t *aSize = malloc(sizeof(size_t)*(size_t)nRec);
  u64 *aEnd = malloc(sizeof(u64)*(size_t)nRec);
  unsigned int iRand = 12345;
  int i;
  logSetup(&t);
  for(i=0; i<nRec; i++){
    int r = rand_r(&iRand) % 100;
    if( r<70 ) aSize[i] = (size_t)(rand_r(&iRand) % 100);
    else if( r<95 ) aSize[i] = (size_t)(rand_r(&iRand) % 5000);
    else aSize[i] = (size_t)(rand_r(&iRand) % 100000);
  }
  writeLog(lsmc_default_env(), t.zPath, nRec, aSize, aEnd);
  replayClean(t.zPath, aSize, nRec, aEnd[nRec-1]);
  free(aSize);
  free(aEnd);
  logTeardown(&t);
}
END_TEST

/*
** Torn tails.  Cut the log at every byte offset from the start of the
** third last record to the end: the replay must give exactly the records
** wholly before the cut, LSMC_OK.  Layout 0 ends record N-3 three bytes
** before a block end (a padded tail), then a record crossing a block and a
** small one; layout 1 has a record spanning three blocks and an empty
** record last.
*/
START_TEST(test_torn_tail)
{
  TestLog t;
  size_t aSize[24];
  u64 aEnd[24];
  int nRec = 0, i;
  u64 iCut, iFrom;
  logSetup(&t);
  for(i=0; i<20; i++) aSize[nRec++] = (size_t)(i*13 % 200);
  if( _i==0 ){
    u64 iOff = 0;
    for(i=0; i<nRec; i++) iOff = modelAppend(iOff, aSize[i]);
    aSize[nRec++] = BLOCK - (size_t)iOff - HDR - 3;
    aSize[nRec++] = 40000;
    aSize[nRec++] = 50;
  }else{
    aSize[nRec++] = 100;
    aSize[nRec++] = 70000;
    aSize[nRec++] = 0;
  }
  writeLog(lsmc_default_env(), t.zPath, nRec, aSize, aEnd);
  if( _i==0 ) ck_assert_uint_eq(aEnd[nRec-3], BLOCK-3);
  iFrom = aEnd[nRec-4];
  for(iCut=aEnd[nRec-1]; iCut>=iFrom; iCut--){
    Collect c;
    WalReplayStat st;
    int nPrefix = 0;
    while( nPrefix<nRec && aEnd[nPrefix]<=iCut ) nPrefix++;
    ck_assert_int_eq(truncate(t.zPath, (off_t)iCut), 0);
    ck_assert_int_eq(replayLog(lsmc_default_env(), t.zPath,
                               LSMC_RECOVER_STRICT, aSize, nRec, &c, &st),
                     LSMC_OK);
    ck_assert_int_eq(c.nGot, nPrefix);
    ck_assert_uint_eq(st.iValidEnd, aEnd[nPrefix-1]);
    ck_assert_uint_eq(st.nFileSize, iCut);
    ck_assert_int_eq(st.bTail, iCut>aEnd[nPrefix-1]);
    ck_assert_int_eq(st.bDamaged, 0);
  }
  logTeardown(&t);
}
END_TEST

/*
** Zero-filled tails: the last 1, 2 or 3 records overwritten with zeros
** (same length), and a tail zeroed from the middle of the last record.
*/
START_TEST(test_zero_tail)
{
  TestLog t;
  size_t aSize[13];
  u64 aEnd[13];
  int nRec = 13, i, nZero;
  u8 *aOrig, *a;
  size_t nFile;
  logSetup(&t);
  for(i=0; i<10; i++) aSize[i] = 100 + (size_t)i;
  aSize[10] = 5000;
  aSize[11] = 70000;
  aSize[12] = 10;
  writeLog(lsmc_default_env(), t.zPath, nRec, aSize, aEnd);
  aOrig = fileRead(t.zPath, &nFile);
  a = malloc(nFile);
  for(nZero=0; nZero<=3; nZero++){
    u64 iFrom = nZero ? aEnd[nRec-1-nZero] : aEnd[nRec-2] + HDR + 3;
    int nExpect = nRec - (nZero ? nZero : 1);
    Collect c;
    WalReplayStat st;
    memcpy(a, aOrig, nFile);
    memset(&a[iFrom], 0, nFile - (size_t)iFrom);
    fileWrite(t.zPath, a, nFile);
    ck_assert_int_eq(replayLog(lsmc_default_env(), t.zPath,
                               LSMC_RECOVER_STRICT, aSize, nRec, &c, &st),
                     LSMC_OK);
    ck_assert_int_eq(c.nGot, nExpect);
    ck_assert_uint_eq(st.iValidEnd, aEnd[nExpect-1]);
    ck_assert_uint_eq(st.nFileSize, nFile);
    ck_assert_int_eq(st.bTail, 1);
    ck_assert_int_eq(st.bDamaged, 0);
  }
  free(a);
  free(aOrig);
  logTeardown(&t);
}
END_TEST

/*
** Damage the file image a[] (by XOR with x at iOff) and replay it in both
** modes: strict gives LSMC_CORRUPT, point-in-time LSMC_OK; both deliver
** exactly the nPrefix records before the damaged one.
*/
static void checkDamage(TestLog *t, const u8 *aOrig, size_t nFile,
                        size_t iOff, u8 x, const size_t *aSize, int nRec,
                        const u64 *aEnd, int nPrefix){
  u8 *a = malloc(nFile);
  Collect c;
  WalReplayStat st;
  memcpy(a, aOrig, nFile);
  a[iOff] ^= x;
  fileWrite(t->zPath, a, nFile);
  ck_assert_int_eq(replayLog(lsmc_default_env(), t->zPath,
                             LSMC_RECOVER_STRICT, aSize, nRec, &c, &st),
                   LSMC_CORRUPT);
  ck_assert_int_eq(c.nGot, nPrefix);
  ck_assert_int_eq(st.bDamaged, 1);
  ck_assert_int_eq(replayLog(lsmc_default_env(), t->zPath,
                             LSMC_RECOVER_POINT_IN_TIME, aSize, nRec, &c, &st),
                   LSMC_OK);
  ck_assert_int_eq(c.nGot, nPrefix);
  ck_assert_int_eq(st.bDamaged, 1);
  ck_assert_int_eq(st.bTail, 1);
  ck_assert_uint_eq(st.iValidEnd, nPrefix ? aEnd[nPrefix-1] : 0);
  ck_assert_uint_eq(st.nFileSize, nFile);
  free(a);
}

/*
** Damage in the middle: every byte of record 5 (header and payload),
** flipped by two different masks, with valid records after it in the same
** block and in later blocks.  Then a single-block log with a payload flip.
*/
START_TEST(test_middle_damage)
{
  TestLog t;
  size_t aSize[70];
  u64 aEnd[70];
  int nRec = 70, i;
  u8 *aOrig;
  size_t nFile, j;
  logSetup(&t);
  for(i=0; i<30; i++) aSize[i] = 200;
  for(i=30; i<nRec; i++) aSize[i] = 2000;
  writeLog(lsmc_default_env(), t.zPath, nRec, aSize, aEnd);
  aOrig = fileRead(t.zPath, &nFile);
  ck_assert_uint_gt(nFile, 2*BLOCK);
  for(j=aEnd[4]; j<aEnd[5]; j++){
    checkDamage(&t, aOrig, nFile, j, 0x01, aSize, nRec, aEnd, 5);
    checkDamage(&t, aOrig, nFile, j, 0x80, aSize, nRec, aEnd, 5);
  }
  /* The first record, and one in block 1. */
  checkDamage(&t, aOrig, nFile, 10, 0x10, aSize, nRec, aEnd, 0);
  for(i=0; aEnd[i]<=BLOCK+3000; i++);     /* Records before the damage */
  checkDamage(&t, aOrig, nFile, BLOCK+3000, 0x04, aSize, nRec, aEnd, i);
  free(aOrig);

  /* One block only: the next fragment after the damaged one is found. */
  nRec = 10;
  writeLog(lsmc_default_env(), t.zPath, nRec, aSize, aEnd);
  aOrig = fileRead(t.zPath, &nFile);
  ck_assert_uint_lt(nFile, BLOCK);
  checkDamage(&t, aOrig, nFile, aEnd[2] + HDR + 50, 0x20,
              aSize, nRec, aEnd, 3);

  /* Damage in the last record, with nothing after it: a torn tail. */
  {
    Collect c;
    WalReplayStat st;
    aOrig[aEnd[8] + 1] ^= 0x20;
    fileWrite(t.zPath, aOrig, nFile);
    ck_assert_int_eq(replayLog(lsmc_default_env(), t.zPath,
                               LSMC_RECOVER_STRICT, aSize, nRec, &c, &st),
                     LSMC_OK);
    ck_assert_int_eq(c.nGot, 9);
    ck_assert_int_eq(st.bTail, 1);
    ck_assert_int_eq(st.bDamaged, 0);
  }
  free(aOrig);
  logTeardown(&t);
}
END_TEST

/*
** Damage in a record that spans blocks 0..2 (FIRST, MIDDLE, LAST), with
** valid records after it: in each fragment, and a whole middle block
** zero-filled.
*/
START_TEST(test_span_damage)
{
  TestLog t;
  size_t aSize[14];
  u64 aEnd[14];
  int nRec = 14, i;
  u8 *aOrig, *a;
  size_t nFile;
  Collect c;
  WalReplayStat st;
  logSetup(&t);
  aSize[0] = 10; aSize[1] = 20; aSize[2] = 30;
  aSize[3] = 80000;
  for(i=4; i<nRec; i++) aSize[i] = 1000;
  writeLog(lsmc_default_env(), t.zPath, nRec, aSize, aEnd);
  ck_assert_uint_gt(aEnd[3], 2*BLOCK);
  ck_assert_uint_lt(aEnd[3], 3*BLOCK);
  aOrig = fileRead(t.zPath, &nFile);
  ck_assert_int_eq(aOrig[aEnd[2]+6], LSMC_WAL_FIRST);
  ck_assert_int_eq(aOrig[BLOCK+6], LSMC_WAL_MIDDLE);
  ck_assert_int_eq(aOrig[2*BLOCK+6], LSMC_WAL_LAST);
  checkDamage(&t, aOrig, nFile, aEnd[2] + HDR + 5, 0x01,
              aSize, nRec, aEnd, 3);                      /* FIRST */
  checkDamage(&t, aOrig, nFile, BLOCK + 100, 0x01,
              aSize, nRec, aEnd, 3);                      /* MIDDLE */
  checkDamage(&t, aOrig, nFile, BLOCK + 5, 0x01,
              aSize, nRec, aEnd, 3);                      /* MIDDLE length */
  checkDamage(&t, aOrig, nFile, 2*BLOCK + 10, 0x01,
              aSize, nRec, aEnd, 3);                      /* LAST */

  /* Block 1 zero-filled: a zero header, then LAST at block 2 is valid. */
  a = malloc(nFile);
  memcpy(a, aOrig, nFile);
  memset(&a[BLOCK], 0, BLOCK);
  fileWrite(t.zPath, a, nFile);
  ck_assert_int_eq(replayLog(lsmc_default_env(), t.zPath, LSMC_RECOVER_STRICT,
                             aSize, nRec, &c, &st), LSMC_CORRUPT);
  ck_assert_int_eq(c.nGot, 3);
  ck_assert_int_eq(replayLog(lsmc_default_env(), t.zPath,
                             LSMC_RECOVER_POINT_IN_TIME,
                             aSize, nRec, &c, &st), LSMC_OK);
  ck_assert_int_eq(c.nGot, 3);
  ck_assert_int_eq(st.bDamaged, 1);

  /* The same record torn in block 1 with nothing after: a torn tail. */
  fileWrite(t.zPath, aOrig, BLOCK + 500);
  ck_assert_int_eq(replayLog(lsmc_default_env(), t.zPath, LSMC_RECOVER_STRICT,
                             aSize, nRec, &c, &st), LSMC_OK);
  ck_assert_int_eq(c.nGot, 3);
  ck_assert_int_eq(st.bTail, 1);
  ck_assert_int_eq(st.bDamaged, 0);
  free(a);
  free(aOrig);
  logTeardown(&t);
}
END_TEST

/*
** Append a hand-made fragment with a good checksum (any type byte).
*/
static size_t fragPut(u8 *a, int eType, const u8 *p, size_t n){
  lsmcPut16(&a[4], (u16)n);
  a[6] = (u8)eType;
  memcpy(&a[HDR], p, n);
  lsmcPut32(a, lsmcChecksum32(&a[4], 3 + n, LSMC_WAL_SEED));
  return HDR + n;
}

/*
** Replay a hand-made log a[0..n) in both modes.  If bDamage, strict must
** give LSMC_CORRUPT and point-in-time LSMC_OK with bDamaged; otherwise
** both LSMC_OK with bTail.  Both deliver nPrefix records.
*/
static void checkCrafted(TestLog *t, const u8 *a, size_t n, int bDamage,
                         const size_t *aSize, int nPrefix){
  Collect c;
  WalReplayStat st;
  fileWrite(t->zPath, a, n);
  ck_assert_int_eq(replayLog(lsmc_default_env(), t->zPath,
                             LSMC_RECOVER_STRICT, aSize, 4, &c, &st),
                   (bDamage ? LSMC_CORRUPT : LSMC_OK));
  ck_assert_int_eq(c.nGot, nPrefix);
  ck_assert_int_eq(replayLog(lsmc_default_env(), t->zPath,
                             LSMC_RECOVER_POINT_IN_TIME, aSize, 4, &c, &st),
                   LSMC_OK);
  ck_assert_int_eq(c.nGot, nPrefix);
  ck_assert_int_eq(st.bDamaged, bDamage);
  ck_assert_int_eq(st.bTail, 1);
}

START_TEST(test_sequence_errors)
{
  TestLog t;
  u8 a[512];
  size_t aSize[4] = { 5, 6, 7, 8 };
  u8 *r0 = recMake(0, 5), *r1 = recMake(1, 6);
  size_t n;
  logSetup(&t);
  /* LAST without FIRST at the start of the log. */
  n = fragPut(a, LSMC_WAL_LAST, r0, 5);
  n += fragPut(&a[n], LSMC_WAL_FULL, r0, 5);
  checkCrafted(&t, a, n, 1, aSize, 0);
  /* MIDDLE without FIRST after a good record. */
  n = fragPut(a, LSMC_WAL_FULL, r0, 5);
  n += fragPut(&a[n], LSMC_WAL_MIDDLE, r1, 6);
  checkCrafted(&t, a, n, 1, aSize, 1);
  /* FULL while a record is open. */
  n = fragPut(a, LSMC_WAL_FULL, r0, 5);
  n += fragPut(&a[n], LSMC_WAL_FIRST, r1, 3);
  n += fragPut(&a[n], LSMC_WAL_FULL, r1, 6);
  checkCrafted(&t, a, n, 1, aSize, 1);
  /* FIRST while a record is open. */
  n = fragPut(a, LSMC_WAL_FIRST, r0, 2);
  n += fragPut(&a[n], LSMC_WAL_FIRST, r0, 2);
  n += fragPut(&a[n], LSMC_WAL_LAST, &r0[2], 3);
  checkCrafted(&t, a, n, 1, aSize, 0);
  /* An impossible type with a good checksum, then a good record. */
  n = fragPut(a, LSMC_WAL_FULL, r0, 5);
  n += fragPut(&a[n], 5, r1, 6);
  n += fragPut(&a[n], LSMC_WAL_FULL, r1, 6);
  checkCrafted(&t, a, n, 1, aSize, 1);
  /* A zero header followed by a good fragment. */
  n = fragPut(a, LSMC_WAL_FULL, r0, 5);
  memset(&a[n], 0, HDR);
  n += HDR;
  n += fragPut(&a[n], LSMC_WAL_FULL, r1, 6);
  checkCrafted(&t, a, n, 1, aSize, 1);
  /* A whole FIRST (and MIDDLE) at the end of the file: a torn tail. */
  n = fragPut(a, LSMC_WAL_FULL, r0, 5);
  n += fragPut(&a[n], LSMC_WAL_FIRST, r1, 2);
  checkCrafted(&t, a, n, 0, aSize, 1);
  n += fragPut(&a[n], LSMC_WAL_MIDDLE, &r1[2], 2);
  checkCrafted(&t, a, n, 0, aSize, 1);
  /* ... and completed, it is a record. */
  n += fragPut(&a[n], LSMC_WAL_LAST, &r1[4], 2);
  fileWrite(t.zPath, a, n);
  replayClean(t.zPath, aSize, 2, n);
  free(r0);
  free(r1);
  logTeardown(&t);
}
END_TEST

/* A non-zero return from xRecord stops the replay and is returned. */
START_TEST(test_callback_stop)
{
  TestLog t;
  size_t aSize[6] = { 1, 2, 40000, 4, 5, 6 };
  Collect c;
  WalReplayStat st;
  u64 aEnd[6];
  logSetup(&t);
  writeLog(lsmc_default_env(), t.zPath, 6, aSize, aEnd);
  memset(&c, 0, sizeof(c));
  c.aSize = aSize;
  c.nExpect = 6;
  c.nStopAt = 3;
  ck_assert_int_eq(lsmcWalReplay(lsmc_default_env(), t.zPath,
                                 LSMC_RECOVER_STRICT, collectRecord, &c, &st),
                   42);
  ck_assert_int_eq(c.nGot, 3);
  ck_assert_int_eq(c.bMismatch, 0);
  ck_assert_uint_eq(st.nRecord, 3);
  ck_assert_uint_eq(st.iValidEnd, aEnd[2]);
  /* pStat may be NULL. */
  memset(&c, 0, sizeof(c));
  c.aSize = aSize;
  c.nExpect = 6;
  ck_assert_int_eq(lsmcWalReplay(lsmc_default_env(), t.zPath,
                                 LSMC_RECOVER_STRICT, collectRecord, &c, 0),
                   LSMC_OK);
  ck_assert_int_eq(c.nGot, 6);
  logTeardown(&t);
}
END_TEST

/*
** The fault env: a copy of the default env whose file methods go through
** a wrapper file, counting calls and failing chosen ones.
*/
typedef struct FaultEnv FaultEnv;
typedef struct FaultFile FaultFile;
struct FaultEnv {
  lsmc_env base;            /* Method table handed to the code (first) */
  lsmc_env *pReal;          /* lsmc_default_env() */
  int nAppend;              /* xAppend calls seen */
  int nSync;                /* xSync calls seen */
  int nRead;                /* xRead calls seen */
  int iFailAppend;          /* Fail this xAppend (1-based), 0: none */
  int iFailSync;            /* Fail this xSync (1-based), 0: none */
  int iFailRead;            /* Fail this xRead (1-based), 0: none */
  int rcFail;               /* Code returned by a failed call */
  int bFailAlloc;           /* Fail every xMalloc and xRealloc */
};
struct FaultFile {
  FaultEnv *pEnv;           /* Owning env */
  lsmc_file *pReal;         /* The real file */
};

static int faultOpen(lsmc_env *pEnv, const char *zPath, int flags,
                     lsmc_file **ppFile){
  FaultEnv *pF = (FaultEnv*)pEnv;
  FaultFile *p = malloc(sizeof(*p));
  int rc = pF->pReal->xOpen(pF->pReal, zPath, flags, &p->pReal);
  p->pEnv = pF;
  if( rc!=LSMC_OK ){ free(p); p = 0; }
  *ppFile = (lsmc_file*)p;
  return rc;
}
static int faultRead(lsmc_file *pFile, uint64_t iOff, void *pBuf, size_t n,
                     size_t *pnRead){
  FaultFile *p = (FaultFile*)pFile;
  if( ++p->pEnv->nRead==p->pEnv->iFailRead ) return p->pEnv->rcFail;
  return p->pEnv->pReal->xRead(p->pReal, iOff, pBuf, n, pnRead);
}
static int faultAppend(lsmc_file *pFile, const void *pData, size_t n){
  FaultFile *p = (FaultFile*)pFile;
  if( ++p->pEnv->nAppend==p->pEnv->iFailAppend ) return p->pEnv->rcFail;
  return p->pEnv->pReal->xAppend(p->pReal, pData, n);
}
static int faultSync(lsmc_file *pFile){
  FaultFile *p = (FaultFile*)pFile;
  if( ++p->pEnv->nSync==p->pEnv->iFailSync ) return p->pEnv->rcFail;
  return p->pEnv->pReal->xSync(p->pReal);
}
static int faultSize(lsmc_file *pFile, uint64_t *pn){
  FaultFile *p = (FaultFile*)pFile;
  return p->pEnv->pReal->xSize(p->pReal, pn);
}
static int faultTruncate(lsmc_file *pFile, uint64_t n){
  FaultFile *p = (FaultFile*)pFile;
  return p->pEnv->pReal->xTruncate(p->pReal, n);
}
static int faultClose(lsmc_file *pFile){
  FaultFile *p = (FaultFile*)pFile;
  int rc = p->pEnv->pReal->xClose(p->pReal);
  free(p);
  return rc;
}
static void *faultMalloc(lsmc_env *pEnv, size_t n){
  FaultEnv *pF = (FaultEnv*)pEnv;
  return pF->bFailAlloc ? 0 : pF->pReal->xMalloc(pF->pReal, n);
}
static void *faultRealloc(lsmc_env *pEnv, void *p, size_t n){
  FaultEnv *pF = (FaultEnv*)pEnv;
  return pF->bFailAlloc ? 0 : pF->pReal->xRealloc(pF->pReal, p, n);
}
static void faultFree(lsmc_env *pEnv, void *p){
  FaultEnv *pF = (FaultEnv*)pEnv;
  pF->pReal->xFree(pF->pReal, p);
}

static void faultInit(FaultEnv *p){
  memset(p, 0, sizeof(*p));
  p->pReal = lsmc_default_env();
  p->base = *p->pReal;
  p->base.xOpen = faultOpen;
  p->base.xRead = faultRead;
  p->base.xAppend = faultAppend;
  p->base.xSync = faultSync;
  p->base.xSize = faultSize;
  p->base.xTruncate = faultTruncate;
  p->base.xClose = faultClose;
  p->base.xMalloc = faultMalloc;
  p->base.xRealloc = faultRealloc;
  p->base.xFree = faultFree;
  p->rcFail = LSMC_IOERR;
}

/*
** A failed xAppend kills the writer: every later append and sync returns
** the same error without reaching the env.  The log holds the records
** before the failure.
*/
START_TEST(test_sticky_append)
{
  TestLog t;
  FaultEnv e;
  WalWriter *pW = 0;
  size_t aSize[2] = { 10, 20 };
  u8 *a = recMake(0, 10), *b = recMake(1, 20);
  int i;
  logSetup(&t);
  faultInit(&e);
  e.iFailAppend = 3;
  ck_assert_int_eq(lsmcWalWriterOpen(&e.base, t.zPath, &pW), LSMC_OK);
  ck_assert_int_eq(lsmcWalAddRecord(pW, a, 10), LSMC_OK);
  ck_assert_int_eq(lsmcWalAddRecord(pW, b, 20), LSMC_OK);
  ck_assert_int_eq(lsmcWalAddRecord(pW, a, 10), LSMC_IOERR);
  ck_assert_int_eq(e.nAppend, 3);
  ck_assert_uint_eq(lsmcWalSize(pW), 7+10+7+20);
  for(i=0; i<5; i++){
    ck_assert_int_eq(lsmcWalAddRecord(pW, a, 10), LSMC_IOERR);
    ck_assert_int_eq(lsmcWalAddRecord(pW, a, 0), LSMC_IOERR);
    ck_assert_int_eq(lsmcWalSync(pW), LSMC_IOERR);
  }
  ck_assert_int_eq(e.nAppend, 3);
  ck_assert_int_eq(e.nSync, 0);
  ck_assert_int_eq(lsmcWalWriterClose(pW), LSMC_OK);
  replayClean(t.zPath, aSize, 2, 7+10+7+20);
  free(a);
  free(b);
  logTeardown(&t);
}
END_TEST

/*
** A failed xSync (here ENOSPC, LSMC_FULL) kills the writer; the sync is
** never retried.
*/
START_TEST(test_sticky_sync)
{
  TestLog t;
  FaultEnv e;
  WalWriter *pW = 0;
  u8 *a = recMake(0, 10);
  int i;
  logSetup(&t);
  faultInit(&e);
  e.iFailSync = 2;
  e.rcFail = LSMC_FULL;
  ck_assert_int_eq(lsmcWalWriterOpen(&e.base, t.zPath, &pW), LSMC_OK);
  ck_assert_int_eq(lsmcWalAddRecord(pW, a, 10), LSMC_OK);
  ck_assert_int_eq(lsmcWalSync(pW), LSMC_OK);
  ck_assert_int_eq(lsmcWalAddRecord(pW, a, 10), LSMC_OK);
  ck_assert_int_eq(lsmcWalSync(pW), LSMC_FULL);
  for(i=0; i<5; i++){
    ck_assert_int_eq(lsmcWalSync(pW), LSMC_FULL);
    ck_assert_int_eq(lsmcWalAddRecord(pW, a, 10), LSMC_FULL);
  }
  ck_assert_int_eq(e.nSync, 2);
  ck_assert_int_eq(e.nAppend, 2);
  ck_assert_int_eq(lsmcWalWriterClose(pW), LSMC_OK);
  free(a);
  logTeardown(&t);
}
END_TEST

/*
** One xAppend per record, whatever its size; an allocation failure
** while framing writes nothing and leaves the writer usable.
*/
START_TEST(test_one_append_and_nomem)
{
  TestLog t;
  FaultEnv e;
  WalWriter *pW = 0;
  size_t aSize[5] = { 0, 1, 5*1024*1024, 100000, 30 };
  u64 aEnd[5];
  int i;
  u8 *aBig;
  logSetup(&t);
  faultInit(&e);
  writeLog(&e.base, t.zPath, 5, aSize, aEnd);
  ck_assert_int_eq(e.nAppend, 5);
  ck_assert_int_eq(e.nSync, 1);
  replayClean(t.zPath, aSize, 5, aEnd[4]);

  /* Allocation failure. */
  faultInit(&e);
  aBig = recMake(1, 200000);
  ck_assert_int_eq(lsmcWalWriterOpen(&e.base, t.zPath, &pW), LSMC_OK);
  {
    u8 *a0 = recMake(0, 0);
    ck_assert_int_eq(lsmcWalAddRecord(pW, a0, 0), LSMC_OK);
    free(a0);
  }
  e.bFailAlloc = 1;
  ck_assert_int_eq(lsmcWalAddRecord(pW, aBig, 200000), LSMC_NOMEM);
  ck_assert_int_eq(e.nAppend, 1);
  e.bFailAlloc = 0;
  ck_assert_int_eq(lsmcWalAddRecord(pW, aBig, 200000), LSMC_OK);
  ck_assert_int_eq(e.nAppend, 2);
  ck_assert_int_eq(lsmcWalWriterClose(pW), LSMC_OK);
  {
    size_t aExp[2] = { 0, 200000 };
    replayClean(t.zPath, aExp, 2, modelAppend(HDR, 200000));
  }
  free(aBig);

  /* A failed read during replay is returned; so is a failed allocation. */
  for(i=1; i<=3; i++){
    Collect c;
    WalReplayStat st;
    faultInit(&e);
    e.iFailRead = i;
    ck_assert_int_eq(replayLog(&e.base, t.zPath, LSMC_RECOVER_STRICT,
                               aSize, 5, &c, &st), LSMC_IOERR);
  }
  {
    Collect c;
    WalReplayStat st;
    faultInit(&e);
    e.bFailAlloc = 1;
    ck_assert_int_eq(replayLog(&e.base, t.zPath, LSMC_RECOVER_STRICT,
                               aSize, 5, &c, &st), LSMC_NOMEM);
  }
  logTeardown(&t);
}
END_TEST

static Suite *walSuite(void){
  Suite *s = suite_create("wal");
  TCase *tc = tcase_create("roundtrip");
  TCase *tcRec = tcase_create("recovery");
  TCase *tcErr = tcase_create("errors");
  tcase_set_timeout(tc, 120);
  tcase_set_timeout(tcRec, 300);
  tcase_add_test(tc, test_empty_log);
  tcase_add_test(tc, test_edges);
  tcase_add_loop_test(tc, test_block_tail, 0, HDR+1);
  tcase_add_test(tc, test_straddle);
  tcase_add_test(tc, test_big_records);
  tcase_add_test(tc, test_random_records);
  suite_add_tcase(s, tc);
  tcase_add_loop_test(tcRec, test_torn_tail, 0, 2);
  tcase_add_test(tcRec, test_zero_tail);
  tcase_add_test(tcRec, test_middle_damage);
  tcase_add_test(tcRec, test_span_damage);
  tcase_add_test(tcRec, test_sequence_errors);
  tcase_add_test(tcRec, test_callback_stop);
  suite_add_tcase(s, tcRec);
  tcase_add_test(tcErr, test_sticky_append);
  tcase_add_test(tcErr, test_sticky_sync);
  tcase_add_test(tcErr, test_one_append_and_nomem);
  suite_add_tcase(s, tcErr);
  return s;
}

int main(void){
  int nFail;
  SRunner *sr = srunner_create(walSuite());
  srunner_run_all(sr, CK_NORMAL);
  nFail = srunner_ntests_failed(sr);
  srunner_free(sr);
  return nFail==0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
