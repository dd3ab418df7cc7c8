/*
** fuzz_manifest.c -- libFuzzer target for the manifest: version-edit
** records (lsmcore/manifest.c) and the recovery that applies them
** (lsmcore/version.c), TESTPLAN F1.
**
** Input:
**     byte 0   flags: bit 0 the rest is the raw manifest file (bit 1: with
**              fragment checksums recomputed); otherwise the rest is a list
**              of records (u16 little-endian length, then the bytes) that
**              the real WAL writer frames into the manifest.
**              bit 2: the next byte is a length L and the L bytes after it
**              are CURRENT (otherwise CURRENT names MANIFEST-000001)
** Each record is decoded on its own (lsmcEditDecode); one that decodes is
** re-encoded and decoded again.  Then the store directory (CURRENT and
** MANIFEST-000001 in an in-memory env) is recovered as lsmc_open does
** (lsmcVersionSetRecover); a recovered version is checked, looked up,
** written out as a new manifest (lsmcVersionSetNewManifest) and recovered
** once more from it.
**
** Pass bar (abort on violation): no memory error or leak; decoders answer
** only OK or CORRUPT; an edit that decodes re-encodes to bytes that decode
** to the same encoding; a recovered version has levels >= 1 sorted with no
** overlap, level 0 newest first, every file number below NEXT_FILE and
** every sequence at most LAST_SEQ; the manifest written from it recovers
** to the same files and counters.
*/
#include "fuzzutil.h"
#include "lsmcInt.h"
#include "coding.h"
#include "manifest.h"
#include "version.h"
#include "wal_reader.h"
#include "wal_writer.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAN_DIR "/m"

/* Decode one record, re-encode it, and check the round trip. */
static void manEdit(const u8 *p, size_t n){
  VersionEdit e1, e2;
  LsmcBuf b1, b2;
  int rc = LSMC_OK;
  lsmcEditInit(&e1, lsmc_default_env());
  lsmcEditInit(&e2, lsmc_default_env());
  lsmcBufInit(&b1, lsmc_default_env());
  lsmcBufInit(&b2, lsmc_default_env());
  rc = lsmcEditDecode(&e1, p, n);
  FUZZ_ASSERT( rc==LSMC_OK || rc==LSMC_CORRUPT );
  if( rc==LSMC_OK ){
    lsmcEditEncode(&rc, &e1, &b1);
    FUZZ_ASSERT( rc==LSMC_OK );
    FUZZ_ASSERT( lsmcEditDecode(&e2, b1.n ? b1.a : (const u8*)"", b1.n)
                 ==LSMC_OK );
    lsmcEditEncode(&rc, &e2, &b2);
    FUZZ_ASSERT( rc==LSMC_OK && b1.n==b2.n );
    FUZZ_ASSERT( b1.n==0 || memcmp(b1.a, b2.a, b1.n)==0 );
    FUZZ_ASSERT( e1.nAdd==e2.nAdd && e1.nDel==e2.nDel );
    FUZZ_ASSERT( e1.nAdd<=LSMC_EDIT_MAX_FILES );
  }
  lsmcEditClear(&e1);
  lsmcEditClear(&e2);
  lsmcBufFree(&b1);
  lsmcBufFree(&b2);
}

/* A record callback for the raw-file mode: decode each record alone. */
static int manRecord(void *pArg, const u8 *p, size_t n){
  LSMC_UNUSED(pArg);
  manEdit(p, n);
  return LSMC_OK;
}

/* Check the invariants of a recovered version set. */
static void manCheckSet(VersionSet *pSet){
  Version *v = pSet->pCurrent;
  int i, j;
  for(i=0; i<LSMC_NUM_LEVELS; i++){
    for(j=0; j<v->anFile[i]; j++){
      FileMeta *f = v->apFile[i][j];
      fuzzTrace("manifest: L%d #%llu seq %llu..%llu (next %llu, last %llu)",
                i, (unsigned long long)f->iNumber,
                (unsigned long long)f->iMinSeq, (unsigned long long)f->iMaxSeq,
                (unsigned long long)pSet->iNextFile,
                (unsigned long long)pSet->iLastSeq);
      FUZZ_ASSERT( f->iNumber<pSet->iNextFile );
      FUZZ_ASSERT( f->iMinSeq<=f->iMaxSeq && f->iMaxSeq<=pSet->iLastSeq );
      FUZZ_ASSERT( f->smallest.n>=LSMC_TRAILER_SIZE );
      FUZZ_ASSERT( f->largest.n>=LSMC_TRAILER_SIZE );
      if( j>0 && i==0 ){
        FUZZ_ASSERT( v->apFile[0][j-1]->iMaxSeq>=f->iMaxSeq );
      }
      if( j>0 && i>0 ){
        FileMeta *g = v->apFile[i][j-1];
        FUZZ_ASSERT( lsmcUKeyCompare(g->largest.a, g->largest.n-8,
                                     f->smallest.a, f->smallest.n-8)<0 );
      }
    }
  }
}

/* Same files and counters in two recovered sets. */
static void manCompareSets(VersionSet *a, VersionSet *b){
  int i, j;
  FUZZ_ASSERT( a->iNextFile<=b->iNextFile );   /* b took a manifest number */
  FUZZ_ASSERT( a->iLastSeq==b->iLastSeq && a->iLogNumber==b->iLogNumber );
  for(i=0; i<LSMC_NUM_LEVELS; i++){
    FUZZ_ASSERT( a->pCurrent->anFile[i]==b->pCurrent->anFile[i] );
    for(j=0; j<a->pCurrent->anFile[i]; j++){
      FileMeta *f = a->pCurrent->apFile[i][j];
      FileMeta *g = b->pCurrent->apFile[i][j];
      FUZZ_ASSERT( f->iNumber==g->iNumber && f->nSize==g->nSize );
      FUZZ_ASSERT( f->iMinSeq==g->iMinSeq && f->iMaxSeq==g->iMaxSeq );
      FUZZ_ASSERT( f->smallest.n==g->smallest.n );
      FUZZ_ASSERT( memcmp(f->smallest.a, g->smallest.a, f->smallest.n)==0 );
    }
  }
}

/* Look up the bounds of every file (the files themselves are absent). */
static void manLookups(VersionSet *pSet){
  Version *v = pSet->pCurrent;
  LsmcBuf val;
  int i, j, n = 0;
  lsmcBufInit(&val, pSet->pEnv);
  for(i=0; i<LSMC_NUM_LEVELS; i++){
    for(j=0; j<v->anFile[i] && n<32; j++, n++){
      FileMeta *f = v->apFile[i][j];
      VersionGetStat st;
      int eKind = 0, rc;
      u64 iBad = 0;
      memset(&st, 0, sizeof(st));
      rc = lsmcVersionGet(v, f->smallest.a, f->smallest.n-8, LSMC_MAX_SEQ,
                          &eKind, &val, &st, &iBad);
      FUZZ_ASSERT( rc!=LSMC_OK );              /* no SSTable exists */
      rc = lsmcVersionGet(v, f->largest.a, f->largest.n-8, 0,
                          &eKind, &val, &st, &iBad);
      FUZZ_ASSERT( rc!=LSMC_OK );
    }
  }
  lsmcBufFree(&val);
}

/* Build the manifest file from the input into pMem.  0 on success. */
static int manBuild(FuzzMem *pMem, const u8 *aData, size_t nData){
  FuzzIn in = { aData, nData, 0 };
  u8 flags = fuzzInByte(&in);
  const char *zCurrent = "MANIFEST-000001\n";
  size_t nCurrent = strlen(zCurrent), n;
  const u8 *p;
  if( flags & 0x04 ){
    p = fuzzInBytes(&in, fuzzInByte(&in), &n);
    if( fuzzMemPut(pMem, MAN_DIR "/CURRENT", p, n) ) return 1;
  }else if( fuzzMemPut(pMem, MAN_DIR "/CURRENT", zCurrent, nCurrent) ){
    return 1;
  }
  if( flags & 0x01 ){
    u8 *a;
    p = fuzzInBytes(&in, nData, &n);
    a = malloc(n + 1);
    if( a==0 ) return 1;
    memcpy(a, p, n);
    if( flags & 0x02 ) fuzzFixWal(a, n);
    if( fuzzMemPut(pMem, MAN_DIR "/MANIFEST-000001", a, n) ){
      free(a);
      return 1;
    }
    free(a);
    (void)lsmcWalReplay(&pMem->base, MAN_DIR "/MANIFEST-000001",
                        LSMC_RECOVER_POINT_IN_TIME, manRecord, 0, 0);
  }else{
    WalWriter *pW = 0;
    if( lsmcWalWriterOpen(&pMem->base, MAN_DIR "/MANIFEST-000001", &pW) ){
      return 1;
    }
    while( fuzzInLeft(&in)>=2 ){
      size_t nWant = fuzzInU16(&in);
      p = fuzzInBytes(&in, nWant, &n);
      manEdit(p, n);
      FUZZ_ASSERT( lsmcWalAddRecord(pW, p, n)==LSMC_OK );
    }
    lsmcWalWriterClose(pW);
  }
  return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *aData, size_t nData){
  FuzzMem mem;
  VersionSet *pSet = 0, *pSet2 = 0;
  int rc;
  fuzzMemInit(&mem);
  if( manBuild(&mem, aData, nData)==0 ){
    rc = lsmcVersionSetNew(&mem.base, MAN_DIR, LSMC_RECOVER_STRICT, 16, 0,
                           &pSet);
    FUZZ_ASSERT( rc==LSMC_OK );
    rc = lsmcVersionSetRecover(pSet);
    fuzzTrace("manifest: recover rc %d", rc);
    FUZZ_ASSERT( rc==LSMC_OK || rc==LSMC_CORRUPT );
    if( rc==LSMC_OK ){
      manCheckSet(pSet);
      manLookups(pSet);
      rc = lsmcVersionSetNewManifest(pSet);
      FUZZ_ASSERT( rc==LSMC_OK );
      rc = lsmcVersionSetNew(&mem.base, MAN_DIR, LSMC_RECOVER_STRICT, 16, 0,
                             &pSet2);
      FUZZ_ASSERT( rc==LSMC_OK );
      rc = lsmcVersionSetRecover(pSet2);
      FUZZ_ASSERT( rc==LSMC_OK );
      manCheckSet(pSet2);
      manCompareSets(pSet, pSet2);
    }
    lsmcVersionSetFree(pSet2);
    lsmcVersionSetFree(pSet);
  }
  fuzzMemFree(&mem);
  return 0;
}

/* ---------------------------------------------------------- seeds */

/* Append record p[0..n) to a list-mode seed. */
static void manSeedRecord(int *pRc, LsmcBuf *pSeed, const LsmcBuf *pRec){
  u8 a[2];
  lsmcPut16(a, (u16)pRec->n);
  lsmcBufAppend(pRc, pSeed, a, 2);
  lsmcBufAppend(pRc, pSeed, pRec->a, pRec->n);
}

/* Add file iNum on iLevel with user keys [zLo, zHi] to pEdit. */
static void manAddFile(VersionEdit *pEdit, int iLevel, u64 iNum,
                       const char *zLo, const char *zHi, u64 iSeq,
                       LsmcBuf *pLo, LsmcBuf *pHi){
  EditFile f;
  int rc = LSMC_OK;
  lsmcIKeyBuild(&rc, pLo, (const u8*)zLo, strlen(zLo), iSeq, LSMC_KIND_PUT);
  lsmcIKeyBuild(&rc, pHi, (const u8*)zHi, strlen(zHi), iSeq - 1,
                LSMC_KIND_PUT);
  memset(&f, 0, sizeof(f));
  f.iLevel = iLevel;
  f.iNumber = iNum;
  f.nSize = 1000 + iNum;
  f.iMinSeq = iSeq - 1;
  f.iMaxSeq = iSeq;
  f.nEntries = 10;
  f.nDeletes = 1;
  f.iCreated = 1700000000000000ULL;
  f.pSmallest = pLo->a;  f.nSmallest = pLo->n;
  f.pLargest = pHi->a;   f.nLargest = pHi->n;
  lsmcEditAddFile(pEdit, &f);
}

int fuzzMakeSeeds(const char *zDir);
int fuzzMakeSeeds(const char *zDir){
  lsmc_env *pEnv = lsmc_default_env();
  LsmcBuf seed, rec, k[8];
  VersionEdit e;
  int rc = LSMC_OK, bad = 0, i;
  u8 flags = 0;
  lsmcBufInit(&seed, pEnv);
  lsmcBufInit(&rec, pEnv);
  for(i=0; i<8; i++) lsmcBufInit(&k[i], pEnv);

  /* Record 1: the whole state, as a new manifest starts. */
  lsmcBufAppend(&rc, &seed, &flags, 1);
  lsmcEditInit(&e, pEnv);
  e.bFormat = 1; e.iFormat = LSMC_MANIFEST_FORMAT;
  e.bLog = 1; e.iLog = 9;
  e.bNextFile = 1; e.iNextFile = 12;
  e.bLastSeq = 1; e.iLastSeq = 500;
  manAddFile(&e, 0, 7, "apple", "melon", 400, &k[0], &k[1]);
  manAddFile(&e, 0, 8, "banana", "zebra", 300, &k[2], &k[3]);
  manAddFile(&e, 1, 3, "a", "f", 100, &k[4], &k[5]);
  manAddFile(&e, 1, 4, "g", "p", 120, &k[6], &k[7]);
  lsmcEditEncode(&rc, &e, &rec);
  manSeedRecord(&rc, &seed, &rec);
  lsmcEditClear(&e);
  bad |= rc!=LSMC_OK || fuzzSeedWrite(zDir, "state", seed.a, seed.n);

  /* Record 2: a compaction moving file 7 down and deleting 3. */
  lsmcEditInit(&e, pEnv);
  lsmcEditDelFile(&e, 0, 7);
  lsmcEditDelFile(&e, 1, 3);
  manAddFile(&e, 2, 10, "apple", "melon", 400, &k[0], &k[1]);
  e.bNextFile = 1; e.iNextFile = 13;
  rec.n = 0;
  lsmcEditEncode(&rc, &e, &rec);
  manSeedRecord(&rc, &seed, &rec);
  lsmcEditClear(&e);
  bad |= rc!=LSMC_OK || fuzzSeedWrite(zDir, "state-compact", seed.a, seed.n);

  /* The same two records as a raw manifest file. */
  {
    FuzzMem mem;
    const u8 *a;
    size_t n = 0;
    fuzzMemInit(&mem);
    if( manBuild(&mem, seed.a, seed.n)==0
     && (a = fuzzMemGet(&mem, MAN_DIR "/MANIFEST-000001", &n))!=0 ){
      LsmcBuf raw;
      lsmcBufInit(&raw, pEnv);
      flags = 0x01;
      lsmcBufAppend(&rc, &raw, &flags, 1);
      lsmcBufAppend(&rc, &raw, a, n);
      bad |= rc!=LSMC_OK || fuzzSeedWrite(zDir, "raw", raw.a, raw.n);
      raw.a[0] = 0x03;
      bad |= fuzzSeedWrite(zDir, "raw-fix", raw.a, raw.n);
      lsmcBufFree(&raw);
    }else{
      bad = 1;
    }
    fuzzMemFree(&mem);
  }
  /* A bad CURRENT and an empty manifest. */
  bad |= fuzzSeedWrite(zDir, "current", "\x04\x10MANIFEST-000002\n", 18);
  bad |= fuzzSeedWrite(zDir, "empty", "", 0);

  lsmcBufFree(&seed);
  lsmcBufFree(&rec);
  for(i=0; i<8; i++) lsmcBufFree(&k[i]);
  return bad;
}
