/*
** fuzz_wal.c -- libFuzzer target for the WAL record reader
** (lsmcore/wal_reader.c, TESTPLAN F1).
**
** The input becomes a log file in an in-memory env:
**     byte 0   flags: bit 0 recompute every fragment checksum (fuzzutil.h),
**              bit 1 put the rest at a block boundary (see below)
**     byte 1   k: with bit 1, a valid FULL fragment fills the first block
**              up to offset 32768-k, where the rest of the input starts,
**              so that small inputs still cross a block boundary
**     rest     the log bytes
** The log is replayed in strict and in point-in-time mode, as the engine's
** recovery does, and each record is decoded as a write batch
** (lsmcBatchIterate).  The records delivered are then written again with
** the real WAL writer and replayed once more.
**
** Pass bar (abort on violation): no memory error or leak; every replay
** returns OK or CORRUPT; strict OK implies point-in-time OK with the same
** records and no damage; strict CORRUPT implies point-in-time OK with
** bDamaged set and the same records (the prefix before the damage, never
** a record after it); the stats stay within the file; the rewritten log
** replays to exactly the same records with no tail and no damage.
*/
#include "fuzzutil.h"
#include "lsmcInt.h"
#include "batch.h"
#include "coding.h"
#include "wal_format.h"
#include "wal_reader.h"
#include "wal_writer.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define WAL_MAX_RECORDS 4096     /* Records kept for the rewrite */

/* What one replay delivered. */
typedef struct WalSeen WalSeen;
struct WalSeen {
  u64 nRec;                      /* Records delivered */
  u64 nBytes;                    /* Their total size */
  u64 hDigest;                   /* Chained checksum of the records */
  u64 nBatchOk;                  /* Records that decode as a batch */
  FuzzMem *pCopy;                /* If not NULL: rewrite records here */
  WalWriter *pWriter;            /* Writer of the rewrite */
};

/* Batch entry callback: sequence numbers must be consecutive. */
static int walEntry(void *pArg, u64 iSeq, int eKind, const u8 *pKey,
                    size_t nKey, const u8 *pVal, size_t nVal){
  u64 *piNext = (u64*)pArg;
  FUZZ_ASSERT( iSeq==*piNext );
  FUZZ_ASSERT( eKind==LSMC_KIND_PUT || eKind==LSMC_KIND_DELETE );
  FUZZ_ASSERT( eKind==LSMC_KIND_PUT || nVal==0 );
  FUZZ_ASSERT( pKey!=0 || nKey==0 );
  LSMC_UNUSED(pVal);
  (*piNext)++;
  return LSMC_OK;
}

/* Record callback of lsmcWalReplay. */
static int walRecord(void *pArg, const u8 *p, size_t n){
  WalSeen *pSeen = (WalSeen*)pArg;
  FUZZ_ASSERT( p!=0 );            /* even for an empty record */
  pSeen->nRec++;
  pSeen->nBytes += n;
  pSeen->hDigest = lsmcChecksum64(p, n, pSeen->hDigest ^ n);
  if( n>=LSMC_BATCH_HEADER ){
    u64 iNext = lsmcGet64(p);
    if( lsmcBatchIterate(p, n, walEntry, &iNext)==LSMC_OK ){
      pSeen->nBatchOk++;
      FUZZ_ASSERT( iNext==lsmcGet64(p) + lsmcGet32(&p[8]) );
    }
  }
  if( pSeen->pWriter && pSeen->nRec<=WAL_MAX_RECORDS ){
    FUZZ_ASSERT( lsmcWalAddRecord(pSeen->pWriter, p, n)==LSMC_OK );
  }
  return LSMC_OK;
}

/* Build the log file from the input into pMem as "/w/000001.log". */
static int walBuildFile(FuzzMem *pMem, const u8 *aData, size_t nData){
  FuzzIn in = { aData, nData, 0 };
  u8 flags = fuzzInByte(&in);
  u8 k = fuzzInByte(&in);
  size_t nRest = 0;
  const u8 *aRest = fuzzInBytes(&in, nData, &nRest);
  size_t nPre = 0;
  u8 *a;
  int rc;
  if( flags & 0x02 ){
    nPre = LSMC_WAL_BLOCK_SIZE - k;
    if( nPre<LSMC_WAL_HEADER_SIZE ) nPre = LSMC_WAL_HEADER_SIZE;
  }
  a = calloc(1, nPre + nRest + 1);
  if( a==0 ) return -1;
  if( nPre ){
    size_t nPay = nPre - LSMC_WAL_HEADER_SIZE;
    lsmcPut16(&a[4], (u16)nPay);
    a[6] = LSMC_WAL_FULL;
    memset(&a[7], 0x5a, nPay);
    lsmcPut32(a, lsmcChecksum32(&a[4], 3 + nPay, LSMC_WAL_SEED));
  }
  if( nRest ) memcpy(&a[nPre], aRest, nRest);
  if( flags & 0x01 ) fuzzFixWal(a, nPre + nRest);
  rc = fuzzMemPut(pMem, "/w/000001.log", a, nPre + nRest);
  free(a);
  return rc;
}

int LLVMFuzzerTestOneInput(const uint8_t *aData, size_t nData){
  FuzzMem mem;
  WalSeen strict, pit, again;
  WalReplayStat stStrict, stPit, stAgain;
  int rcStrict, rcPit, rc;
  size_t nFile = 0;

  fuzzMemInit(&mem);
  if( walBuildFile(&mem, aData, nData) ){
    fuzzMemFree(&mem);
    return 0;
  }
  fuzzMemGet(&mem, "/w/000001.log", &nFile);

  memset(&strict, 0, sizeof(strict));
  memset(&pit, 0, sizeof(pit));
  memset(&again, 0, sizeof(again));
  rcStrict = lsmcWalReplay(&mem.base, "/w/000001.log", LSMC_RECOVER_STRICT,
                           walRecord, &strict, &stStrict);
  rc = lsmcWalWriterOpen(&mem.base, "/w/000002.log", &pit.pWriter);
  FUZZ_ASSERT( rc==LSMC_OK );
  rcPit = lsmcWalReplay(&mem.base, "/w/000001.log",
                        LSMC_RECOVER_POINT_IN_TIME, walRecord, &pit, &stPit);
  FUZZ_ASSERT( lsmcWalWriterClose(pit.pWriter)==LSMC_OK );

  /* The recovery policy of wal_format.h. */
  FUZZ_ASSERT( rcStrict==LSMC_OK || rcStrict==LSMC_CORRUPT );
  FUZZ_ASSERT( rcPit==LSMC_OK );
  FUZZ_ASSERT( strict.nRec==pit.nRec && strict.hDigest==pit.hDigest );
  FUZZ_ASSERT( strict.nBatchOk==pit.nBatchOk );
  FUZZ_ASSERT( stPit.bDamaged==(rcStrict==LSMC_CORRUPT) );
  FUZZ_ASSERT( stPit.nRecord==pit.nRec && stPit.nFileSize==nFile );
  FUZZ_ASSERT( stPit.iValidEnd<=nFile );
  FUZZ_ASSERT( stPit.bTail==(stPit.iValidEnd<nFile) );
  FUZZ_ASSERT( !stPit.bDamaged || stPit.bTail );
  if( rcStrict==LSMC_OK ){
    FUZZ_ASSERT( stStrict.iValidEnd==stPit.iValidEnd && !stStrict.bDamaged );
  }

  /* Writer/reader round trip of the records delivered. */
  if( pit.nRec<=WAL_MAX_RECORDS ){
    rc = lsmcWalReplay(&mem.base, "/w/000002.log", LSMC_RECOVER_STRICT,
                       walRecord, &again, &stAgain);
    FUZZ_ASSERT( rc==LSMC_OK );
    FUZZ_ASSERT( again.nRec==pit.nRec && again.hDigest==pit.hDigest );
    FUZZ_ASSERT( !stAgain.bTail && !stAgain.bDamaged );
  }
  fuzzMemFree(&mem);
  return 0;
}

/* ---------------------------------------------------------- seeds */

/*
** Write a log of nRec batch records (record i holds i+1 puts and a delete,
** values of nVal bytes) into pMem as zPath.
*/
static int walSeedLog(FuzzMem *pMem, const char *zPath, int nRec,
                      size_t nVal){
  WalWriter *pW = 0;
  int rc = lsmcWalWriterOpen(&pMem->base, zPath, &pW);
  int i, j;
  u8 aVal[40000];
  memset(aVal, 'v', sizeof(aVal));
  for(i=0; rc==LSMC_OK && i<nRec; i++){
    lsmc_batch b;
    char zKey[32];
    rc = lsmcBatchInit(&b, &pMem->base);
    for(j=0; rc==LSMC_OK && j<=i; j++){
      int n = snprintf(zKey, sizeof(zKey), "key%03d.%d", i, j);
      rc = lsmc_batch_put(&b, zKey, (size_t)n, aVal,
                          LSMC_MIN(nVal, sizeof(aVal)));
    }
    if( rc==LSMC_OK ) rc = lsmc_batch_delete(&b, "gone", 4);
    if( rc==LSMC_OK ){
      lsmcBatchSetSeq(&b, 1 + (u64)i*100);
      rc = lsmcWalAddRecord(pW, b.rep.a, b.rep.n);
    }
    lsmcBatchFinish(&b);
  }
  if( rc==LSMC_OK && nRec>0 ){
    /* An abort marker naming the last record. */
    u8 aAbort[LSMC_WAL_ABORT_SIZE];
    lsmcPut64(aAbort, LSMC_WAL_ABORT_TAG);
    lsmcPut64(&aAbort[8], 1 + (u64)(nRec-1)*100);
    lsmcPut32(&aAbort[16], (u32)nRec + 1);
    rc = lsmcWalAddRecord(pW, aAbort, sizeof(aAbort));
  }
  if( pW ) lsmcWalWriterClose(pW);
  return rc;
}

/* Write seed zName: flags, k, then log bytes a[iOff..iOff+n). */
static int walSeedFile(const char *zDir, const char *zName, u8 flags, u8 k,
                       const u8 *a, size_t n){
  u8 *aSeed = malloc(n + 2);
  int rc;
  if( aSeed==0 ) return 1;
  aSeed[0] = flags;
  aSeed[1] = k;
  memcpy(&aSeed[2], a, n);
  rc = fuzzSeedWrite(zDir, zName, aSeed, n + 2);
  free(aSeed);
  return rc;
}

/*
** Rewrite log zPath of pMem, which holds one filler record, as that filler
** followed by the records of log a[0..n): the writer frames them at the
** position they have after the filler (FIRST/LAST across the boundary).
*/
typedef struct WalAppendCtx WalAppendCtx;
struct WalAppendCtx {
  FuzzMem *pMem;                 /* Env */
  LsmcBuf out;                   /* Records, each u32 length + bytes */
};
static int walCollect(void *pArg, const u8 *p, size_t n){
  WalAppendCtx *pCtx = (WalAppendCtx*)pArg;
  int rc = LSMC_OK;
  lsmcBufAppend32(&rc, &pCtx->out, (u32)n);
  lsmcBufAppend(&rc, &pCtx->out, p, n);
  return rc;
}
static int walReframe(FuzzMem *pMem, const char *zPath, const u8 *a, size_t n){
  WalAppendCtx ctx;
  const u8 *aOld;
  u8 *aCopy;
  size_t nOld = 0, i;
  WalWriter *pW = 0;
  int rc;
  ctx.pMem = pMem;
  lsmcBufInit(&ctx.out, &pMem->base);
  if( fuzzMemPut(pMem, "/s/src.log", a, n) ) return 1;
  rc = lsmcWalReplay(&pMem->base, "/s/src.log", LSMC_RECOVER_STRICT,
                     walCollect, &ctx, 0);
  aOld = fuzzMemGet(pMem, zPath, &nOld);
  aCopy = malloc(nOld + 1);
  if( rc==LSMC_OK && aCopy ){
    memcpy(aCopy, aOld, nOld);
    rc = lsmcWalWriterOpen(&pMem->base, zPath, &pW);
    for(i=0; rc==LSMC_OK && i<ctx.out.n; ){
      u32 nRec = lsmcGet32(&ctx.out.a[i]);
      if( i==0 ){
        /* The writer truncates zPath: write the filler again first. */
        rc = lsmcWalAddRecord(pW, &aCopy[LSMC_WAL_HEADER_SIZE],
                              nOld - LSMC_WAL_HEADER_SIZE);
      }
      if( rc==LSMC_OK ) rc = lsmcWalAddRecord(pW, &ctx.out.a[i+4], nRec);
      i += 4 + (size_t)nRec;
    }
    lsmcWalWriterClose(pW);
  }
  free(aCopy);
  lsmcBufFree(&ctx.out);
  return rc!=LSMC_OK;
}

int fuzzMakeSeeds(const char *zDir);
int fuzzMakeSeeds(const char *zDir){
  FuzzMem mem;
  const u8 *a;
  size_t n = 0;
  int rc = 0;
  fuzzMemInit(&mem);
  if( walSeedLog(&mem, "/s/1.log", 3, 5)
   || walSeedLog(&mem, "/s/2.log", 1, 200)
  ){
    fuzzMemFree(&mem);
    return 1;
  }
  a = fuzzMemGet(&mem, "/s/1.log", &n);
  rc |= walSeedFile(zDir, "small-raw", 0x00, 0, a, n);
  rc |= walSeedFile(zDir, "small-fix", 0x01, 0, a, n);
  rc |= walSeedFile(zDir, "small-torn", 0x00, 0, a, n - 3);
  rc |= walSeedFile(zDir, "small-straddle", 0x03, 40, a, n);
  rc |= walSeedFile(zDir, "small-straddle-pad", 0x03, 3, a, n);
  a = fuzzMemGet(&mem, "/s/2.log", &n);
  rc |= walSeedFile(zDir, "long-straddle", 0x03, 90, a, n);
  rc |= walSeedFile(zDir, "empty", 0x00, 0, a, 0);

  /* FIRST/LAST across a block boundary: a filler record as long as the
  ** one the target synthesizes for k=40, then real records; the seed is
  ** what follows the filler. */
  {
    WalWriter *pW = 0;
    u8 *aFill = calloc(1, LSMC_WAL_BLOCK_SIZE);
    const u8 *aLog;
    size_t nLog = 0, nFill = LSMC_WAL_BLOCK_SIZE - 40;
    if( aFill==0 || lsmcWalWriterOpen(&mem.base, "/s/3.log", &pW)
     || lsmcWalAddRecord(pW, aFill, nFill - LSMC_WAL_HEADER_SIZE)
    ){
      rc = 1;
    }
    lsmcWalWriterClose(pW);
    free(aFill);
    a = fuzzMemGet(&mem, "/s/1.log", &n);
    if( rc==0 ){
      /* Append the records of 1.log, reframed at the new position. */
      rc = walReframe(&mem, "/s/3.log", a, n);
    }
    aLog = fuzzMemGet(&mem, "/s/3.log", &nLog);
    if( rc==0 && aLog && nLog>nFill ){
      rc |= walSeedFile(zDir, "fragments", 0x03, 40, &aLog[nFill], nLog-nFill);
    }
  }
  fuzzMemFree(&mem);
  return rc;
}
