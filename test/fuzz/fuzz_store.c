/*
** fuzz_store.c -- libFuzzer target for a whole store directory opened by
** the engine (lsmc_open: IDENTITY, CURRENT, manifest, SSTables and WAL
** recovery), TESTPLAN F2.
**
** The input is the store container of fuzzutil.h: a flags byte (which
** checksums to recompute after mutation; bit 3 asks for point-in-time WAL
** recovery), then up to 8 files (MANIFEST-N, CURRENT, IDENTITY, N.sst,
** N.log).  They are written to a fresh directory under $TMPDIR (or /tmp)
** and the store is opened with the POSIX env, background work off and a
** 4 KiB memtable (so WAL replay flushes).  On success the target runs a
** full scan, 10 point lookups (keys of the scan, then keys from the
** input), the integrity check, and closes; the directory is then removed.
**
** Pass bar (abort on violation): no crash, memory error or leak; a hostile
** store only ever produces a clean error: lsmc_open returns OK, CORRUPT,
** CANTOPEN or an I/O error, with a message; the scan and lookups return
** OK, NOTFOUND or CORRUPT; when the scan completes, every key it returned
** is found by lsmc_get with the same value; lsmc_check answers OK or
** CORRUPT with a report.
**
** Seeds: "replay_store --make-seed DIR" builds small real stores (WAL
** only; SSTables and WAL; several levels with tombstones) and packs them.
*/
#include "fuzzutil.h"
#include "lsmcInt.h"
#include "coding.h"
#include "env.h"
#include "filename.h"
#include "testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define STORE_MAX_SCAN  20000    /* Entries a scan reads at most */
#define STORE_GETS      10       /* Point lookups */

/* A fresh temporary directory into zDir[nDir]; 0 on success. */
static int storeTempDir(char *zDir, size_t nDir){
  const char *zTmp = getenv("TMPDIR");
  if( zTmp==0 || zTmp[0]==0 ) zTmp = "/tmp";
  snprintf(zDir, nDir, "%s/lsmv-fuzz-store-XXXXXX", zTmp);
  return mkdtemp(zDir)==0;
}

/* Write the container's files into zDir.  Returns the flags byte. */
static int storeUnpack(const u8 *aData, size_t nData, const char *zDir){
  FuzzIn in = { aData, nData, 0 };
  int flags = fuzzInByte(&in);
  int i;
  for(i=0; i<FUZZ_STORE_MAX_FILES && fuzzInLeft(&in)>=4; i++){
    int eKind = fuzzInByte(&in) % FUZZ_KIND_COUNT;
    unsigned iNum = fuzzInByte(&in);
    size_t nWant = fuzzInU16(&in), n;
    const u8 *p = fuzzInBytes(&in, nWant, &n);
    char zName[64], zPath[600];
    u8 *a = malloc(n + 1);
    FILE *f;
    if( a==0 ) break;
    if( n ) memcpy(a, p, n);
    if( (flags & FUZZ_FIX_WAL)
     && (eKind==FUZZ_KIND_WAL || eKind==FUZZ_KIND_MANIFEST) ){
      fuzzFixWal(a, n);
    }
    if( (flags & FUZZ_FIX_SST) && eKind==FUZZ_KIND_SST ) fuzzFixSst(a, n);
    if( (flags & FUZZ_FIX_IDENTITY) && eKind==FUZZ_KIND_IDENTITY ){
      fuzzFixIdentity(a, n);
    }
    fuzzStoreName(eKind, iNum, zName, sizeof(zName));
    snprintf(zPath, sizeof(zPath), "%s/%s", zDir, zName);
    f = fopen(zPath, "wb");
    if( f ){
      if( n ) fwrite(a, 1, n, f);
      fclose(f);
    }
    free(a);
  }
  return flags;
}

/* Check that rc is one of the clean answers to a hostile store. */
static void storeCleanRc(int rc){
  int p = LSMC_PRIMARY(rc);
  FUZZ_ASSERT( p==LSMC_OK || p==LSMC_CORRUPT || p==LSMC_CANTOPEN
            || p==LSMC_IOERR || p==LSMC_NOTFOUND );
}

/* Scan, look up and check an open store. */
static void storeRead(lsmc_db *pDb, const u8 *aProbe, size_t nProbe){
  lsmc_iter *pIt = 0;
  void *apKey[STORE_GETS], *apVal[STORE_GETS];
  size_t anKey[STORE_GETS], anVal[STORE_GETS];
  char *zReport = 0;
  int nKey = 0, nScan = 0, rc, rcCheck, i;

  rc = lsmc_iter_open(pDb, 0, 0, 0, 0, 0, &pIt);
  storeCleanRc(rc);
  if( rc==LSMC_OK ){
    for(rc=lsmc_iter_first(pIt); rc==LSMC_OK && lsmc_iter_valid(pIt)
        && nScan<STORE_MAX_SCAN; rc=lsmc_iter_next(pIt)){
      if( nKey<STORE_GETS && (nScan % 7)==0 ){
        size_t nK, nV;
        const void *pK = lsmc_iter_key(pIt, &nK);
        const void *pV = lsmc_iter_value(pIt, &nV);
        apKey[nKey] = malloc(nK + 1);
        apVal[nKey] = malloc(nV + 1);
        FUZZ_ASSERT( apKey[nKey] && apVal[nKey] );
        memcpy(apKey[nKey], pK, nK);
        memcpy(apVal[nKey], pV, nV);
        anKey[nKey] = nK;
        anVal[nKey] = nV;
        nKey++;
      }
      nScan++;
    }
    storeCleanRc(rc);
    fuzzTrace("store: scan %d entries, rc %d", nScan, rc);
  }
  lsmc_iter_close(pIt);

  /* The integrity check: the answer decides what the lookups promise. */
  rcCheck = lsmc_check(pDb, &zReport);
  FUZZ_ASSERT( rcCheck==LSMC_OK || rcCheck==LSMC_CORRUPT );
  FUZZ_ASSERT( zReport!=0 );
  fuzzTrace("store: check %d: %s", rcCheck, zReport);
  lsmc_free(pDb, zReport);

  /* Lookups: in a store the check passes, keys of a clean scan must read
  ** back exactly. */
  for(i=0; i<STORE_GETS; i++){
    void *pVal = 0;
    size_t nVal = 0;
    if( i<nKey ){
      int rc2 = lsmc_get(pDb, 0, apKey[i], anKey[i], &pVal, &nVal);
      storeCleanRc(rc2);
      fuzzTrace("store: get %.*s: rc %d, %d bytes (scan: %d bytes)",
                (int)anKey[i], (const char*)apKey[i], rc2, (int)nVal,
                (int)anVal[i]);
      if( rc==LSMC_OK && rcCheck==LSMC_OK ){
        FUZZ_ASSERT( rc2==LSMC_OK && nVal==anVal[i] );
        FUZZ_ASSERT( nVal==0 || memcmp(pVal, apVal[i], nVal)==0 );
      }
      free(apKey[i]);
      free(apVal[i]);
    }else{
      size_t nK = nProbe ? (size_t)i % (nProbe<16 ? nProbe : 16) : 0;
      int rc2 = lsmc_get(pDb, 0, nProbe ? &aProbe[nProbe-nK] : aProbe, nK,
                         &pVal, &nVal);
      storeCleanRc(rc2);
    }
    lsmc_free(pDb, pVal);
  }

}

int LLVMFuzzerTestOneInput(const uint8_t *aData, size_t nData){
  char zDir[512];
  lsmc_options *pOpts = 0;
  lsmc_db *pDb = 0;
  int flags, rc;

  if( storeTempDir(zDir, sizeof(zDir)) ) return 0;
  flags = storeUnpack(aData, nData, zDir);
  FUZZ_ASSERT( lsmc_options_new(&pOpts)==LSMC_OK );
  lsmc_options_set(pOpts, LSMC_OPT_BACKGROUND, 0);
  lsmc_options_set(pOpts, LSMC_OPT_MEMTABLE_SIZE, 4096);
  lsmc_options_set(pOpts, LSMC_OPT_CACHE_SIZE, 64*1024);
  lsmc_options_set(pOpts, LSMC_OPT_SYNC, LSMC_SYNC_OFF);
  lsmc_options_set(pOpts, LSMC_OPT_CREATE, 0);
  if( flags & 0x08 ){
    lsmc_options_set(pOpts, LSMC_OPT_RECOVERY, LSMC_RECOVER_POINT_IN_TIME);
  }
  rc = lsmc_open(zDir, pOpts, &pDb);
  fuzzTrace("store: open rc %d: %s", rc, lsmc_errmsg(pDb));
  storeCleanRc(rc);
  FUZZ_ASSERT( rc!=LSMC_NOTFOUND );
  if( rc==LSMC_OK ){
    storeRead(pDb, aData, nData);
  }else{
    FUZZ_ASSERT( pDb!=0 && lsmc_errmsg(pDb)[0]!=0 );
  }
  rc = lsmc_close(pDb);
  storeCleanRc(rc);
  lsmc_options_free(pOpts);
  testRemoveTree(zDir);
  return 0;
}

/* ---------------------------------------------------------- seeds */

/* Context of packing a store directory into a container. */
typedef struct StorePack StorePack;
struct StorePack {
  const char *zDir;              /* Store directory */
  LsmcBuf out;                   /* Container being built */
  int nFile;                     /* Entries so far */
  int rc;                        /* First error */
};

/* xList callback: append one file of ours to the container. */
static int storePackFile(void *pArg, const char *zName){
  StorePack *p = (StorePack*)pArg;
  int eType = 0, eKind;
  u64 iNum = 0;
  char zPath[512];
  LsmcBuf file;
  u8 aHdr[4];
  if( !lsmcParseFileName(zName, &eType, &iNum) ) return LSMC_OK;
  switch( eType ){
    case LSMC_FILE_MANIFEST: eKind = FUZZ_KIND_MANIFEST; break;
    case LSMC_FILE_CURRENT:  eKind = FUZZ_KIND_CURRENT;  break;
    case LSMC_FILE_IDENTITY: eKind = FUZZ_KIND_IDENTITY; break;
    case LSMC_FILE_SST:      eKind = FUZZ_KIND_SST;      break;
    case LSMC_FILE_WAL:      eKind = FUZZ_KIND_WAL;      break;
    default: return LSMC_OK;
  }
  if( iNum>255 || p->nFile>=FUZZ_STORE_MAX_FILES ){
    p->rc = 1;
    return LSMC_OK;
  }
  snprintf(zPath, sizeof(zPath), "%s/%s", p->zDir, zName);
  lsmcBufInit(&file, lsmc_default_env());
  if( lsmcEnvReadFile(lsmc_default_env(), zPath, 65535, &file)!=LSMC_OK ){
    p->rc = 1;
  }else{
    int rc = LSMC_OK;
    aHdr[0] = (u8)eKind;
    aHdr[1] = (u8)iNum;
    aHdr[2] = (u8)(file.n & 0xff);
    aHdr[3] = (u8)(file.n >> 8);
    lsmcBufAppend(&rc, &p->out, aHdr, 4);
    lsmcBufAppend(&rc, &p->out, file.a, file.n);
    if( rc ) p->rc = 1;
    p->nFile++;
  }
  lsmcBufFree(&file);
  return LSMC_OK;
}

/*
** Build a store: nFlush rounds of nKey puts (every 5th key deleted in the
** next round) each followed by a flush, then nTail puts left in the WAL;
** with bCompact a compaction after the flushes.  Pack it into seed zName
** with flags.
*/
static int storeSeed(const char *zSeedDir, const char *zName, u8 flags,
                     int nFlush, int nKey, int nTail, int bCompact){
  char zDir[512];
  lsmc_options *pOpts = 0;
  lsmc_db *pDb = 0;
  StorePack pack;
  int rc, r, i;
  if( storeTempDir(zDir, sizeof(zDir)) ) return 1;
  lsmc_options_new(&pOpts);
  lsmc_options_set(pOpts, LSMC_OPT_BACKGROUND, 0);
  lsmc_options_set(pOpts, LSMC_OPT_BLOCK_SIZE, 256);
  rc = lsmc_open(zDir, pOpts, &pDb);
  for(r=0; rc==LSMC_OK && r<nFlush; r++){
    for(i=0; rc==LSMC_OK && i<nKey; i++){
      char zK[32], zV[32];
      int nK = snprintf(zK, sizeof(zK), "k%04d", i*(r+1));
      int nV = snprintf(zV, sizeof(zV), "value-%d-%d", r, i);
      rc = lsmc_put(pDb, zK, (size_t)nK, zV, (size_t)nV);
      if( rc==LSMC_OK && r>0 && i%5==0 ){
        nK = snprintf(zK, sizeof(zK), "k%04d", i*r);
        rc = lsmc_delete(pDb, zK, (size_t)nK);
      }
    }
    if( rc==LSMC_OK ) rc = lsmc_flush(pDb);
  }
  if( rc==LSMC_OK && bCompact ) rc = lsmc_compact_range(pDb, 0, 0, 0, 0);
  for(i=0; rc==LSMC_OK && i<nTail; i++){
    char zK[32];
    int nK = snprintf(zK, sizeof(zK), "tail%03d", i);
    rc = lsmc_put(pDb, zK, (size_t)nK, "t", 1);
  }
  if( rc==LSMC_OK ) rc = lsmc_delete(pDb, "k0000", 5);
  lsmc_close(pDb);
  lsmc_options_free(pOpts);

  memset(&pack, 0, sizeof(pack));
  pack.zDir = zDir;
  pack.rc = rc;
  lsmcBufInit(&pack.out, lsmc_default_env());
  lsmcBufAppend(&pack.rc, &pack.out, &flags, 1);
  if( pack.rc==LSMC_OK ){
    lsmc_default_env()->xList(lsmc_default_env(), zDir, storePackFile, &pack);
  }
  if( pack.rc==LSMC_OK ){
    pack.rc = fuzzSeedWrite(zSeedDir, zName, pack.out.a, pack.out.n);
  }else{
    fprintf(stderr, "seed %s: cannot build (rc %d)\n", zName, pack.rc);
  }
  lsmcBufFree(&pack.out);
  testRemoveTree(zDir);
  return pack.rc!=LSMC_OK;
}

int fuzzMakeSeeds(const char *zDir);
int fuzzMakeSeeds(const char *zDir){
  int rc = 0;
  rc |= storeSeed(zDir, "wal-only", 0x00, 0, 0, 20, 0);
  rc |= storeSeed(zDir, "wal-only-fix", 0x07, 0, 0, 20, 0);
  rc |= storeSeed(zDir, "one-sst", 0x07, 1, 40, 5, 0);
  rc |= storeSeed(zDir, "three-sst", 0x07, 3, 25, 5, 0);
  rc |= storeSeed(zDir, "compacted", 0x07, 3, 25, 3, 1);
  rc |= storeSeed(zDir, "compacted-pit", 0x0f, 2, 30, 8, 1);
  rc |= storeSeed(zDir, "three-sst-raw", 0x00, 3, 25, 5, 0);
  return rc;
}
