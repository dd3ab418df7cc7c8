/*
** check_inspect.c -- tests of the inspection API (lsmcore.h): lsmc_files
** against lsmc_stats and the data written; lsmc_check_progress; and the
** offline readers lsmc_sst_inspect (lsmcore/sst_inspect.c) and
** lsmc_wal_inspect (lsmcore/wal_inspect.c) on real files of a store and
** on damaged copies of them: a flipped byte in a data block, a truncated
** SSTable, a file that is no SSTable, a WAL with puts, deletes, a record
** of several fragments and an aborted commit, a torn WAL tail and damage
** in the middle of a WAL.
*/
#include "lsmcore.h"
#include "testutil.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static TestDir dir;

static void setup(void){ testDirNew(&dir, "inspect"); }
static void teardown(void){ testDirFree(&dir); }

#define N_KEY 3000            /* Keys of the compacted store */

static void keyOf(int i, char *z){ sprintf(z, "key%06d", i); }
static int valueOf(int i, char *z){ return sprintf(z, "value-%d-%030d", i, i); }

/* Open the test store: 64 KiB memtable, 10 bloom bits, no background
** thread (every flush and compaction happens in the calling thread). */
static lsmc_db *openDb(void){
  lsmc_options *pOpts = 0;
  lsmc_db *pDb = 0;
  int rc;
  ck_assert_int_eq(lsmc_options_new(&pOpts), LSMC_OK);
  lsmc_options_set(pOpts, LSMC_OPT_MEMTABLE_SIZE, 65536);
  lsmc_options_set(pOpts, LSMC_OPT_BLOOM_BITS, 10);
  lsmc_options_set(pOpts, LSMC_OPT_BACKGROUND, 0);
  rc = lsmc_open(dir.zPath, pOpts, &pDb);
  lsmc_options_free(pOpts);
  ck_assert_msg(rc==LSMC_OK, "open: %s", lsmc_errmsg(pDb));
  return pDb;
}

/*
** Fill the store: N_KEY keys, compacted into one deep level, then keys
** 100..199 overwritten and flushed to L0 (one file).
*/
static lsmc_db *buildStore(void){
  lsmc_db *pDb = openDb();
  char zKey[32], zVal[64];
  int i;
  for(i=0; i<N_KEY; i++){
    int n = valueOf(i, zVal);
    keyOf(i, zKey);
    ck_assert_int_eq(lsmc_put(pDb, zKey, strlen(zKey), zVal, (size_t)n),
                     LSMC_OK);
  }
  ck_assert_int_eq(lsmc_compact_range(pDb, 0, 0, 0, 0), LSMC_OK);
  for(i=100; i<200; i++){
    keyOf(i, zKey);
    ck_assert_int_eq(lsmc_put(pDb, zKey, strlen(zKey), "new", 3), LSMC_OK);
  }
  ck_assert_int_eq(lsmc_flush(pDb), LSMC_OK);
  return pDb;
}

/* ----------------------------------------------------------- lsmc_files */

#define MAX_FILES 64

/* What lsmc_files reported. */
typedef struct FileList FileList;
struct FileList {
  int n;                            /* Files */
  int nStopAt;                      /* Return 7 from file nStopAt (0: never) */
  lsmc_file_info a[MAX_FILES];      /* The infos (keys copied below) */
  char azSmall[MAX_FILES][32];      /* Smallest user keys */
  char azLarge[MAX_FILES][32];      /* Largest user keys */
};

static int listFile(void *pArg, const lsmc_file_info *p){
  FileList *pList = (FileList*)pArg;
  ck_assert_int_lt(pList->n, MAX_FILES);
  ck_assert_uint_lt(p->nSmallest, 32);
  ck_assert_uint_lt(p->nLargest, 32);
  pList->a[pList->n] = *p;
  memcpy(pList->azSmall[pList->n], p->pSmallest, p->nSmallest);
  pList->azSmall[pList->n][p->nSmallest] = 0;
  memcpy(pList->azLarge[pList->n], p->pLargest, p->nLargest);
  pList->azLarge[pList->n][p->nLargest] = 0;
  pList->n++;
  return pList->n==pList->nStopAt ? 7 : 0;
}

START_TEST(test_files){
  lsmc_db *pDb = buildStore();
  FileList *pList = calloc(1, sizeof(FileList));
  lsmc_stats st;
  uint64_t anFile[LSMC_STATS_LEVELS] = {0}, anByte[LSMC_STATS_LEVELS] = {0};
  uint64_t nDeep = 0;
  int i, iDeep = -1;
  char zKey[32];

  ck_assert_ptr_nonnull(pList);
  ck_assert_int_eq(lsmc_files(pDb, listFile, pList), LSMC_OK);
  ck_assert_int_eq(lsmc_stats_get(pDb, &st), LSMC_OK);
  for(i=0; i<pList->n; i++){
    const lsmc_file_info *f = &pList->a[i];
    anFile[f->iLevel]++;
    anByte[f->iLevel] += f->nSize;
    ck_assert_int_ge(f->iLevel, i>0 ? pList->a[i-1].iLevel : 0);
    ck_assert_uint_le(f->iMinSeq, f->iMaxSeq);
    ck_assert_uint_gt(f->iCreated, 0);
    ck_assert_int_le(strcmp(pList->azSmall[i], pList->azLarge[i]), 0);
    if( f->iLevel>0 ){
      if( iDeep<0 ) iDeep = f->iLevel;
      ck_assert_int_eq(f->iLevel, iDeep);          /* one deep level */
      if( nDeep>0 ){                               /* ascending, disjoint */
        ck_assert_int_lt(strcmp(pList->azLarge[i-1], pList->azSmall[i]), 0);
      }
      nDeep += f->nEntries;
      ck_assert_uint_eq(f->nDeletes, 0);
    }
  }
  for(i=0; i<LSMC_STATS_LEVELS; i++){
    ck_assert_uint_eq(anFile[i], st.anFile[i]);
    ck_assert_uint_eq(anByte[i], st.anByte[i]);
  }
  /* L0: the one flushed file with keys 100..199, listed first. */
  ck_assert_uint_eq(anFile[0], 1);
  ck_assert_int_eq(pList->a[0].iLevel, 0);
  ck_assert_uint_eq(pList->a[0].nEntries, 100);
  keyOf(100, zKey);
  ck_assert_str_eq(pList->azSmall[0], zKey);
  keyOf(199, zKey);
  ck_assert_str_eq(pList->azLarge[0], zKey);
  ck_assert_uint_eq(pList->a[0].iMaxSeq - pList->a[0].iMinSeq, 99);
  /* The deep level holds every key once, from key 0 to the last. */
  ck_assert_int_ge(iDeep, 1);
  ck_assert_uint_eq(nDeep, N_KEY);
  keyOf(0, zKey);
  ck_assert_str_eq(pList->azSmall[1], zKey);
  keyOf(N_KEY-1, zKey);
  ck_assert_str_eq(pList->azLarge[pList->n-1], zKey);
  ck_assert_int_ge(pList->n, 3);

  /* A non-zero return stops the listing and is returned. */
  memset(pList, 0, sizeof(*pList));
  pList->nStopAt = 2;
  ck_assert_int_eq(lsmc_files(pDb, listFile, pList), 7);
  ck_assert_int_eq(pList->n, 2);
  lsmc_close(pDb);
  free(pList);
}
END_TEST

/* ------------------------------------------------------ check progress */

typedef struct Progress Progress;
struct Progress {
  int n;                  /* Calls */
  uint64_t nDone;         /* Last nDone */
  uint64_t nTotal;        /* Last nTotal */
  int bBad;               /* A value went down or nDone passed nTotal */
};

static void onProgress(void *pArg, uint64_t nDone, uint64_t nTotal){
  Progress *p = (Progress*)pArg;
  if( nDone<p->nDone || (p->n>0 && nTotal!=p->nTotal) || nDone>nTotal ){
    p->bBad = 1;
  }
  p->n++;
  p->nDone = nDone;
  p->nTotal = nTotal;
}

START_TEST(test_check_progress){
  lsmc_db *pDb = buildStore();
  Progress prog;
  lsmc_stats st;
  char *zReport = 0;
  uint64_t nFiles = 0;
  int i;
  memset(&prog, 0, sizeof(prog));
  ck_assert_int_eq(lsmc_stats_get(pDb, &st), LSMC_OK);
  for(i=0; i<LSMC_STATS_LEVELS; i++) nFiles += st.anFile[i];
  ck_assert_int_eq(lsmc_check_progress(pDb, onProgress, &prog, &zReport),
                   LSMC_OK);
  ck_assert_str_eq(zReport, "ok");
  lsmc_free(pDb, zReport);
  ck_assert_int_eq(prog.bBad, 0);
  ck_assert_uint_eq((uint64_t)prog.n, nFiles);
  ck_assert_uint_eq(prog.nTotal, st.nSstBytes);
  ck_assert_uint_eq(prog.nDone, st.nSstBytes);
  /* A NULL callback is plain lsmc_check. */
  ck_assert_int_eq(lsmc_check_progress(pDb, 0, 0, &zReport), LSMC_OK);
  ck_assert_str_eq(zReport, "ok");
  lsmc_free(pDb, zReport);
  lsmc_close(pDb);
}
END_TEST

/* ---------------------------------------------------------- SST inspect */

#define MAX_BLOCKS 256

/* What lsmc_sst_inspect reported, keys copied. */
typedef struct BlockList BlockList;
struct BlockList {
  int n;
  lsmc_sst_block a[MAX_BLOCKS];
  char azFirst[MAX_BLOCKS][32];
  char azLast[MAX_BLOCKS][32];
};

static int listBlock(void *pArg, const lsmc_sst_block *p){
  BlockList *pList = (BlockList*)pArg;
  ck_assert_int_lt(pList->n, MAX_BLOCKS);
  pList->a[pList->n] = *p;
  pList->a[pList->n].zError = p->zError ? "set" : 0;   /* valid in call only */
  if( p->eType==LSMC_BLOCK_DATA && p->bOk ){
    ck_assert_uint_lt(p->nFirstKey, 32);
    ck_assert_uint_lt(p->nLastKey, 32);
    memcpy(pList->azFirst[pList->n], p->pFirstKey, p->nFirstKey);
    memcpy(pList->azLast[pList->n], p->pLastKey, p->nLastKey);
  }
  ck_assert_int_eq(p->bOk, p->zError==0);
  pList->n++;
  return 0;
}

/* Path of SSTable iNum of the test store into zOut. */
static void sstPath(uint64_t iNum, char *zOut, size_t nOut){
  snprintf(zOut, nOut, "%s/%06llu.sst", dir.zPath, (unsigned long long)iNum);
}

/* Copy file zFrom to zTo, keeping its first nKeep bytes (-1: all) and
** XORing byte iFlip (if >= 0) with 0x40. */
static void copyFile(const char *zFrom, const char *zTo, long nKeep,
                     long iFlip){
  FILE *pIn = fopen(zFrom, "rb");
  FILE *pOut = fopen(zTo, "wb");
  long i = 0;
  int c;
  ck_assert(pIn && pOut);
  while( (nKeep<0 || i<nKeep) && (c = fgetc(pIn))!=EOF ){
    fputc(i==iFlip ? (c ^ 0x40) : c, pOut);
    i++;
  }
  fclose(pIn);
  fclose(pOut);
}

static long fileSize(const char *z){
  long long n = testFileSize(z);
  ck_assert_int_ge(n, 0);
  return (long)n;
}

/* Inspect zPath; *pzErr gets the message (caller frees). */
static int inspectSst(const char *zPath, BlockList *pList,
                      lsmc_sst_info *pInfo, char **pzErr){
  memset(pList, 0, sizeof(*pList));
  return lsmc_sst_inspect(zPath, 0, listBlock, pList, pInfo, pzErr);
}

/*
** The deepest level's first SSTable (every key once): its path and the
** file count of the store.
*/
static void deepSst(char *zPath, size_t nPath, lsmc_file_info *pOut){
  lsmc_db *pDb = buildStore();
  FileList *pList = calloc(1, sizeof(FileList));
  ck_assert_ptr_nonnull(pList);
  ck_assert_int_eq(lsmc_files(pDb, listFile, pList), LSMC_OK);
  ck_assert_int_ge(pList->n, 2);
  ck_assert_int_gt(pList->a[1].iLevel, 0);
  *pOut = pList->a[1];
  pOut->pSmallest = pOut->pLargest = 0;
  sstPath(pList->a[1].iNumber, zPath, nPath);
  lsmc_close(pDb);
  free(pList);
}

START_TEST(test_sst_inspect){
  BlockList *pList = calloc(1, sizeof(BlockList));
  lsmc_sst_info info;
  lsmc_file_info f;
  char zPath[600];
  char *zErr = 0;
  uint64_t nEntries = 0, nBlockBytes = 0, nData = 0;
  int i, nDataBlk = 0;

  ck_assert_ptr_nonnull(pList);
  deepSst(zPath, sizeof(zPath), &f);
  ck_assert_int_eq(inspectSst(zPath, pList, &info, &zErr), LSMC_OK);
  ck_assert_ptr_null(zErr);

  ck_assert_uint_eq(info.iFormat, 1);
  ck_assert_uint_eq(info.nFileSize, (uint64_t)fileSize(zPath));
  ck_assert_uint_eq(info.nFileSize, f.nSize);
  ck_assert_uint_eq(info.nEntries, f.nEntries);
  ck_assert_uint_eq(info.nDeletes, 0);
  ck_assert_uint_eq(info.iMinSeq, f.iMinSeq);
  ck_assert_uint_eq(info.iMaxSeq, f.iMaxSeq);
  ck_assert_uint_eq(info.nRawKey, info.nEntries*(9+8));  /* key000123+trailer */
  ck_assert_uint_gt(info.nDataBlocks, 1);
  /* Blocks: the data blocks, then filter, properties, index, footer. */
  for(i=0; i<pList->n; i++){
    const lsmc_sst_block *b = &pList->a[i];
    ck_assert_int_eq(b->bOk, 1);
    ck_assert_uint_eq(b->iOffset, nBlockBytes);     /* back to back */
    nBlockBytes += b->nSize;
    if( b->eType==LSMC_BLOCK_DATA ){
      ck_assert_int_eq(i, nDataBlk);
      ck_assert_uint_gt(b->nEntries, 0);
      ck_assert_uint_ge(b->nRestarts, 1);
      ck_assert_int_le(strcmp(pList->azFirst[i], pList->azLast[i]), 0);
      if( i>0 ) ck_assert_int_lt(strcmp(pList->azLast[i-1], pList->azFirst[i]), 0);
      nEntries += b->nEntries;
      nData += b->nSize;
      nDataBlk++;
    }
  }
  ck_assert_uint_eq(nBlockBytes, info.nFileSize);
  ck_assert_int_eq(pList->n, nDataBlk + 4);
  ck_assert_int_eq(pList->a[nDataBlk].eType, LSMC_BLOCK_FILTER);
  ck_assert_int_eq(pList->a[nDataBlk+1].eType, LSMC_BLOCK_PROPERTIES);
  ck_assert_int_eq(pList->a[nDataBlk+2].eType, LSMC_BLOCK_INDEX);
  ck_assert_int_eq(pList->a[nDataBlk+3].eType, LSMC_BLOCK_FOOTER);
  ck_assert_uint_eq(pList->a[nDataBlk+3].nSize, 64);
  ck_assert_uint_eq((uint64_t)nDataBlk, info.nDataBlocks);
  ck_assert_uint_eq(pList->a[nDataBlk+2].nEntries, info.nDataBlocks);
  ck_assert_uint_eq(nEntries, info.nEntries);
  ck_assert_uint_eq(nData, info.nDataBytes);
  ck_assert_uint_eq(pList->a[nDataBlk].nSize, info.nFilterBytes);
  ck_assert_uint_eq(pList->a[nDataBlk+1].nSize, info.nPropsBytes);
  ck_assert_uint_eq(pList->a[nDataBlk+2].nSize, info.nIndexBytes);
  /* Keys: the table's smallest and largest are its first and last. */
  ck_assert_uint_eq(info.nSmallest, strlen(pList->azFirst[0]));
  ck_assert(memcmp(info.pSmallest, pList->azFirst[0], info.nSmallest)==0);
  ck_assert(memcmp(info.pLargest, pList->azLast[nDataBlk-1], info.nLargest)==0);
  ck_assert_str_eq(pList->azFirst[0], "key000000");
  /* The filter: k = round(10 * 0.69) = 7, ceil(keys * 10 / 512) lines of
  ** 512 bits (+ 5 tail bytes + 5 trailer), some bits set, a low FPR. */
  ck_assert_uint_eq(info.nBloomBits, 10);
  ck_assert_uint_eq(info.nFilterProbes, 7);
  ck_assert_uint_eq(info.nFilterLines, (info.nEntries*10 + 511) / 512);
  ck_assert_uint_eq(info.nFilterBytes, info.nFilterLines*64 + 5 + 5);
  ck_assert_uint_gt(info.nFilterBitsSet, 0);
  ck_assert_uint_le(info.nFilterBitsSet, info.nEntries*7);
  ck_assert_uint_le(info.nFilterBitsSet, (uint64_t)info.nFilterLines*512);
  ck_assert_msg(info.fFilterFpr>0.0 && info.fFilterFpr<0.05, "fpr %g",
                info.fFilterFpr);
  lsmc_sst_info_clear(&info);
  ck_assert_ptr_null(info.pSmallest);
  ck_assert_uint_eq(info.nEntries, 0);
  lsmc_sst_info_clear(&info);                       /* zeroed: a no-op */
  free(pList);
}
END_TEST

START_TEST(test_sst_damaged){
  BlockList *pList = calloc(1, sizeof(BlockList));
  BlockList *pGood = calloc(1, sizeof(BlockList));
  lsmc_sst_info info;
  lsmc_file_info f;
  char zPath[600], zCopy[700];
  char *zErr = 0;
  int i, nData = 0;
  long iFlip;
  FILE *pOut;

  ck_assert(pList && pGood);
  deepSst(zPath, sizeof(zPath), &f);
  ck_assert_int_eq(inspectSst(zPath, pGood, &info, &zErr), LSMC_OK);
  lsmc_sst_info_clear(&info);
  snprintf(zCopy, sizeof(zCopy), "%s/copy.sst", dir.zPath);

  /* A flipped byte in data block 1: that block bad, the others good. */
  iFlip = (long)(pGood->a[1].iOffset + pGood->a[1].nSize/2);
  copyFile(zPath, zCopy, -1, iFlip);
  ck_assert_int_eq(inspectSst(zCopy, pList, &info, &zErr), LSMC_CORRUPT);
  ck_assert_ptr_nonnull(zErr);
  ck_assert_msg(strstr(zErr, "data block 1 ")!=0, "%s", zErr);
  lsmc_free(0, zErr);
  zErr = 0;
  ck_assert_int_eq(pList->n, pGood->n);           /* the walk went on */
  for(i=0; i<pList->n; i++){
    ck_assert_int_eq(pList->a[i].eType, pGood->a[i].eType);
    ck_assert_int_eq(pList->a[i].bOk, i!=1);
    if( pList->a[i].eType==LSMC_BLOCK_DATA ) nData++;
  }
  ck_assert_ptr_nonnull(pList->a[1].zError);
  ck_assert_uint_eq(pList->a[1].nEntries, 0);
  ck_assert_uint_eq(pList->a[1].iOffset, pGood->a[1].iOffset);
  ck_assert_uint_eq((uint64_t)nData, info.nDataBlocks);
  ck_assert_uint_eq(info.nEntries, f.nEntries);    /* properties still read */
  lsmc_sst_info_clear(&info);

  /* Truncated: the footer is gone, nothing can be walked. */
  copyFile(zPath, zCopy, (long)f.nSize/2, -1);
  ck_assert_int_eq(inspectSst(zCopy, pList, &info, &zErr), LSMC_CORRUPT);
  ck_assert_ptr_nonnull(zErr);
  ck_assert_msg(strstr(zErr, "magic")!=0, "%s", zErr);
  ck_assert_int_eq(pList->n, 0);
  ck_assert_uint_eq(info.nFileSize, (uint64_t)f.nSize/2);
  lsmc_free(0, zErr);
  lsmc_sst_info_clear(&info);

  /* Shorter than a footer. */
  copyFile(zPath, zCopy, 10, -1);
  ck_assert_int_eq(inspectSst(zCopy, pList, &info, &zErr), LSMC_CORRUPT);
  ck_assert_msg(zErr && strstr(zErr, "shorter")!=0, "%s", zErr ? zErr : "");
  lsmc_free(0, zErr);
  lsmc_sst_info_clear(&info);

  /* Not an SSTable at all. */
  pOut = fopen(zCopy, "wb");
  ck_assert_ptr_nonnull(pOut);
  for(i=0; i<100; i++) fputs("this is a text file, not an SSTable\n", pOut);
  fclose(pOut);
  ck_assert_int_eq(inspectSst(zCopy, pList, &info, &zErr), LSMC_CORRUPT);
  ck_assert_msg(zErr && strstr(zErr, "not an SSTable")!=0, "%s",
                zErr ? zErr : "");
  ck_assert_int_eq(pList->n, 0);
  lsmc_free(0, zErr);
  lsmc_sst_info_clear(&info);

  /* A missing file: the env's error, with a message. */
  ck_assert_int_eq(inspectSst("/nonexistent/000001.sst", pList, &info, &zErr),
                   LSMC_IOERR_NOENT);
  ck_assert_ptr_nonnull(zErr);
  lsmc_free(0, zErr);
  lsmc_sst_info_clear(&info);
  free(pList);
  free(pGood);
}
END_TEST

/* ---------------------------------------------------------- WAL inspect */

#define MAX_RECORDS 32
#define MAX_ENTRIES 64

/* What lsmc_wal_inspect reported. */
typedef struct WalList WalList;
struct WalList {
  int nRec;
  lsmc_wal_record aRec[MAX_RECORDS];
  int nEnt;
  lsmc_wal_entry aEnt[MAX_ENTRIES];       /* Keys / values not kept */
  char azKey[MAX_ENTRIES][32];            /* Keys */
  size_t anVal[MAX_ENTRIES];              /* Value sizes */
  char acVal0[MAX_ENTRIES];               /* First value byte, or 0 */
};

static int listRecord(void *pArg, const lsmc_wal_record *p){
  WalList *pList = (WalList*)pArg;
  ck_assert_int_lt(pList->nRec, MAX_RECORDS);
  pList->aRec[pList->nRec++] = *p;
  return 0;
}
static int listEntry(void *pArg, const lsmc_wal_entry *p){
  WalList *pList = (WalList*)pArg;
  int i = pList->nEnt++;
  ck_assert_int_lt(i, MAX_ENTRIES);
  ck_assert_uint_lt(p->nKey, 32);
  pList->aEnt[i] = *p;
  memcpy(pList->azKey[i], p->pKey, p->nKey);
  pList->azKey[i][p->nKey] = 0;
  pList->anVal[i] = p->nVal;
  pList->acVal0[i] = p->nVal ? ((const char*)p->pVal)[0] : 0;
  return 0;
}

static int inspectWal(const char *zPath, WalList *pList, uint64_t *pnTail,
                      char **pzErr){
  memset(pList, 0, sizeof(*pList));
  return lsmc_wal_inspect(zPath, 0, listRecord, listEntry, pList, pnTail,
                          pzErr);
}

/* Path of the only WAL of the test store into zOut. */
static void findWal(char *zOut, size_t nOut){
  ck_assert_int_eq(testFindFile(dir.zPath, "", ".log", zOut, nOut), 1);
}

#define BIG_VALUE 40000       /* More than one 32 KiB WAL block */

/*
** Write a known WAL (copied to zCopy while the store is open): put a,
** put b, delete a, put big (several fragments), a batch {c, d} prepared
** and aborted, put e (which reuses the aborted sequence numbers).
*/
static void buildWal(char *zCopy, size_t nCopy){
  lsmc_db *pDb = openDb();
  lsmc_batch *pBatch = 0;
  lsmc_commit *pCommit = 0;
  char *aBig = malloc(BIG_VALUE);
  char zWal[600];
  ck_assert_ptr_nonnull(aBig);
  memset(aBig, 'B', BIG_VALUE);
  ck_assert_int_eq(lsmc_put(pDb, "a", 1, "1", 1), LSMC_OK);
  ck_assert_int_eq(lsmc_put(pDb, "b", 1, "22", 2), LSMC_OK);
  ck_assert_int_eq(lsmc_delete(pDb, "a", 1), LSMC_OK);
  ck_assert_int_eq(lsmc_put(pDb, "big", 3, aBig, BIG_VALUE), LSMC_OK);
  ck_assert_int_eq(lsmc_batch_new(&pBatch), LSMC_OK);
  ck_assert_int_eq(lsmc_batch_put(pBatch, "c", 1, "3", 1), LSMC_OK);
  ck_assert_int_eq(lsmc_batch_put(pBatch, "d", 1, "4", 1), LSMC_OK);
  ck_assert_int_eq(lsmc_commit_prepare(pDb, pBatch, LSMC_SYNC_DEFAULT,
                                       &pCommit), LSMC_OK);
  ck_assert_int_eq(lsmc_commit_abort(pCommit), LSMC_OK);
  ck_assert_int_eq(lsmc_put(pDb, "e", 1, "5", 1), LSMC_OK);
  findWal(zWal, sizeof(zWal));
  snprintf(zCopy, nCopy, "%s/copy.log", dir.zPath);
  copyFile(zWal, zCopy, -1, -1);
  lsmc_close(pDb);
  lsmc_batch_free(pBatch);
  free(aBig);
}

START_TEST(test_wal_inspect){
  WalList *pList = calloc(1, sizeof(WalList));
  char zCopy[700];
  uint64_t nTail = 99;
  char *zErr = 0;
  int i;
  static const int aType[] = { 1, 1, 1, 1, 1, 2, 1 };
  static const uint64_t aSeq[] = { 1, 2, 3, 4, 5, 5, 5 };
  static const uint32_t aCount[] = { 1, 1, 1, 1, 2, 2, 1 };

  ck_assert_ptr_nonnull(pList);
  buildWal(zCopy, sizeof(zCopy));
  ck_assert_int_eq(inspectWal(zCopy, pList, &nTail, &zErr), LSMC_OK);
  ck_assert_ptr_null(zErr);
  ck_assert_uint_eq(nTail, 0);
  ck_assert_int_eq(pList->nRec, 7);
  for(i=0; i<7; i++){
    const lsmc_wal_record *r = &pList->aRec[i];
    ck_assert_int_eq(r->eType, aType[i]);
    ck_assert_uint_eq(r->iSeq, aSeq[i]);
    ck_assert_uint_eq(r->nCount, aCount[i]);
    if( i>0 ) ck_assert_uint_gt(r->iOffset, pList->aRec[i-1].iOffset);
    ck_assert_uint_eq(r->nFragment, i==3 ? 2 : 1);
  }
  ck_assert_uint_eq(pList->aRec[0].iOffset, 0);
  ck_assert_uint_eq(pList->aRec[1].iOffset, 7 + pList->aRec[0].nPayload);
  ck_assert_uint_gt(pList->aRec[3].nPayload, BIG_VALUE);
  ck_assert_uint_eq(pList->aRec[5].nPayload, 20);          /* abort marker */
  /* The last record ends the file. */
  ck_assert_uint_eq(pList->aRec[6].iOffset + 7 + pList->aRec[6].nPayload,
                    (uint64_t)fileSize(zCopy));
  /* Entries: a, b, delete a, big, c, d (the aborted batch is still in
  ** the log), e. */
  ck_assert_int_eq(pList->nEnt, 7);
  ck_assert_str_eq(pList->azKey[0], "a");
  ck_assert_uint_eq(pList->anVal[0], 1);
  ck_assert_int_eq(pList->acVal0[0], '1');
  ck_assert_str_eq(pList->azKey[1], "b");
  ck_assert_uint_eq(pList->anVal[1], 2);
  ck_assert_str_eq(pList->azKey[2], "a");
  ck_assert_int_eq(pList->aEnt[2].bDelete, 1);
  ck_assert_uint_eq(pList->anVal[2], 0);
  ck_assert_uint_eq(pList->aEnt[2].iSeq, 3);
  ck_assert_str_eq(pList->azKey[3], "big");
  ck_assert_uint_eq(pList->anVal[3], BIG_VALUE);
  ck_assert_int_eq(pList->acVal0[3], 'B');
  ck_assert_str_eq(pList->azKey[4], "c");
  ck_assert_uint_eq(pList->aEnt[5].iSeq, 6);
  ck_assert_str_eq(pList->azKey[6], "e");
  ck_assert_uint_eq(pList->aEnt[6].iSeq, 5);
  for(i=0; i<7; i++) ck_assert_int_eq(pList->aEnt[i].bDelete, i==2);

  /* With no callbacks (and no tail or message wanted) it only validates. */
  ck_assert_int_eq(lsmc_wal_inspect(zCopy, 0, 0, 0, 0, 0, 0), LSMC_OK);
  free(pList);
}
END_TEST

static int stopAtThird(void *pArg, const lsmc_wal_record *p){
  int *pn = (int*)pArg;
  (void)p;
  return ++*pn==3 ? 42 : 0;
}

START_TEST(test_wal_damaged){
  WalList *pList = calloc(1, sizeof(WalList));
  WalList *pGood = calloc(1, sizeof(WalList));
  char zCopy[700], zBad[800], zOff[64];
  uint64_t nTail = 0;
  char *zErr = 0;
  long nFile;
  int n = 0;

  ck_assert(pList && pGood);
  buildWal(zCopy, sizeof(zCopy));
  ck_assert_int_eq(inspectWal(zCopy, pGood, &nTail, &zErr), LSMC_OK);
  nFile = fileSize(zCopy);
  snprintf(zBad, sizeof(zBad), "%s/bad.log", dir.zPath);

  ck_assert_int_eq(lsmc_wal_inspect(zCopy, 0, stopAtThird, 0, &n, 0, 0), 42);
  ck_assert_int_eq(n, 3);

  /* A torn tail: the last record cut short.  Not an error; its bytes are
  ** the tail. */
  copyFile(zCopy, zBad, nFile - 1, -1);
  ck_assert_int_eq(inspectWal(zBad, pList, &nTail, &zErr), LSMC_OK);
  ck_assert_ptr_null(zErr);
  ck_assert_int_eq(pList->nRec, 6);
  ck_assert_uint_eq(nTail, (uint64_t)(nFile - 1) - pGood->aRec[6].iOffset);
  ck_assert_uint_gt(nTail, 0);

  /* The tail cut inside the multi-fragment record (its first fragment
  ** whole): records 0..2 remain. */
  copyFile(zCopy, zBad, 32768 + 20, -1);
  ck_assert_int_eq(inspectWal(zBad, pList, &nTail, &zErr), LSMC_OK);
  ck_assert_int_eq(pList->nRec, 3);
  ck_assert_uint_eq(nTail, 32768 + 20 - pGood->aRec[3].iOffset);

  /* Damage in the middle (a payload byte of record 1) followed by valid
  ** records: LSMC_CORRUPT, naming the offset of the damaged record. */
  copyFile(zCopy, zBad, -1, (long)pGood->aRec[1].iOffset + 7 + 3);
  ck_assert_int_eq(inspectWal(zBad, pList, &nTail, &zErr), LSMC_CORRUPT);
  ck_assert_ptr_nonnull(zErr);
  snprintf(zOff, sizeof(zOff), "offset %llu",
           (unsigned long long)pGood->aRec[1].iOffset);
  ck_assert_msg(strstr(zErr, zOff)!=0, "%s", zErr);
  ck_assert_int_eq(pList->nRec, 1);                 /* only the prefix */
  lsmc_free(0, zErr);
  free(pList);
  free(pGood);
}
END_TEST

int main(void){
  Suite *s = suite_create("inspect");
  TCase *tc = tcase_create("inspect");
  SRunner *sr;
  int nFail;
  tcase_add_checked_fixture(tc, setup, teardown);
  tcase_set_timeout(tc, 120);
  tcase_add_test(tc, test_files);
  tcase_add_test(tc, test_check_progress);
  tcase_add_test(tc, test_sst_inspect);
  tcase_add_test(tc, test_sst_damaged);
  tcase_add_test(tc, test_wal_inspect);
  tcase_add_test(tc, test_wal_damaged);
  suite_add_tcase(s, tc);
  sr = srunner_create(s);
  srunner_run_all(sr, CK_NORMAL);
  nFail = srunner_ntests_failed(sr);
  srunner_free(sr);
  return nFail==0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
