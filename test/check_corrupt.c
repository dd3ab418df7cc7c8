/*
** check_corrupt.c -- corruption of a store on disk (TESTPLAN D1-D5), through
** the engine's public API and, for D1 and D3, through the SQL module (linked
** statically, lsmvtabRegister).
**
** The store.  main() builds one engine store once per run: 10,000 keys
** ("key%05d") written in three rounds (insert, overwrite 3,000 and delete
** 500, overwrite 300) with a 16 KiB memtable, 16 KiB target files, 1 KiB
** blocks and inline compaction, so that the data spreads over at least
** three non-empty levels (asserted through lsmc_stats), older versions of
** many keys live below newer ones (losing a newer file shows as a WRONG
** value, not only a missing one), plus a WAL of CR_NREC records (batches of
** 1-6 puts and deletes) that were never flushed.  The oracle is the
** version of every key after the SSTables (crBase) and the list of WAL
** records; the state after the first k records is the prefix P_k.  A SQL
** twin (main.db with "t USING lsm(k INTEGER PRIMARY KEY, v TEXT)", store
** t.lsm) is built through SQL the same way.  Each case copies a base to a
** fresh directory and damages the copy.
**
** D1 (d1_flips, d1_flips_sql): single-bit flips and single-byte XORs at a
**   random offset of one area: WAL middle (any record but the last), WAL
**   tail (the last record), SSTable data blocks, index block, filter block,
**   properties block, footer (located by parsing the footer, sst_format.h),
**   MANIFEST, CURRENT, IDENTITY.  CI: 100 per area; soak: 2,000 (engine)
**   and 10 / 100 per area through SQL.  Pass bar: no crash; the open fails
**   with LSMC_CORRUPT or LSMC_CANTOPEN, or it succeeds and then every
**   point read of the 10,000 keys (and of 50 absent ones) returns the
**   oracle value or LSMC_CORRUPT, and a full scan equals the oracle or ends
**   in LSMC_CORRUPT, never a shorter or different silent result.  The
**   oracle is the full state, except that a flip in the last WAL record
**   may drop exactly that record (a torn tail, R5).  A flip in a middle WAL
**   record must fail the open.  lsmc_check must return LSMC_CORRUPT for
**   every SSTable flip (every byte of an SSTable is covered by a checksum)
**   and LSMC_OK for a store that opened after any other flip.  Through
**   SQL: SELECT k, v FROM t ORDER BY k returns the oracle rows or fails
**   with SQLITE_CORRUPT (SQLITE_CANTOPEN for an unopenable store), and
**   point SELECTs likewise; a damaged store never reads as an empty table.
**
** D2 (d2_torn_wal_tail): a WAL-only store whose last three records are of
**   different sizes (a 5-entry batch of ~1.6 KiB straddling the 32 KiB WAL
**   block boundary, a 1-entry batch of ~20 bytes, a 4-entry batch of ~600
**   bytes; soak adds a run whose first of the three is a ~70 KiB batch
**   spanning three blocks as FIRST, MIDDLE, LAST) is cut at every byte
**   offset from the start of the third-last record to the end, zero-filled
**   from each of the three record starts, and extended by 4 KiB of zeros.
**   Every copy opens with LSMC_OK and holds exactly the records wholly
**   before the cut: all entries of a batch or none.  This extends
**   check_crash.c's test_torn_wal_tail (three single-entry 700-byte
**   records) to multi-entry records of several sizes, and multi-block
**   records in soak, rather than repeating it.
**
** D3 (d3_wal_middle_damage): a WAL of records over two blocks is damaged in
**   one record with valid records after it, for a record in the first
**   block and one in the last block, by a payload flip, a checksum flip, a
**   type set to 0, the length's low bit (still inside the block), the
**   length's high bit (past the block) and a zeroed record.  Strict open:
**   LSMC_CORRUPT naming the WAL.  LSMC_RECOVER_POINT_IN_TIME: exactly the
**   records before the damaged one.  Through SQL: SQLITE_CORRUPT.
**
** D4 (d4_manifest_current_files): MANIFEST flipped, deleted, truncated
**   (to 0 and at 8 points inside it); CURRENT garbage, deleted, empty,
**   without its newline, naming a missing manifest; a live SSTable deleted:
**   the open fails with LSMC_CORRUPT (or CANTOPEN) and a message naming
**   what is wrong, or, for a truncation that loses nothing, opens whole;
**   never an empty or older store.  Files named like ours above the
**   manifest's NEXT_FILE (SSTable, temp file, manifest) and a foreign name
**   survive the open with the store intact, and three more rounds of
**   flush, compaction and reopen (the manifest records them as FOREIGN);
**   ours below NEXT_FILE that the manifest does not name are removed; no
**   file number of the store collides with a planted one.
**
** D5 (d5_hostile_values): values crafted with correct checksums, so that
**   parsing really meets them: a manifest with NEXT_FILE 10^9 naming file
**   10^9-1, an edit adding 5,000 files (over LSMC_EDIT_MAX_FILES), an edit
**   key length of 2^31, an edit claiming 10^9 entries of a real file, an
**   SSTable footer claiming a 4 GiB index block and a 1 GiB properties
**   block, an index entry claiming a 4 GiB data block, a data-block key
**   length of 2^31, a filter claiming 10^9 lines, a WAL batch with a key
**   length of 2^31 and one claiming 10^9 entries.  Each runs in a forked
**   child: LSMC_CORRUPT (from the open, a read, a scan or lsmc_check, as
**   stated per case), and the child's peak RSS (VmHWM) grows by less than
**   64 MiB.
**
** Reproducers: a failing case copies the damaged store (rebuilt from the
** base and the damage) to $LSMV_RESULTS_DIR/check_corrupt/<case>/ (default
** ./test-results/check_corrupt/), with damage.txt describing it, and
** prints the path.
*/
#include "lsmcore.h"
#include "coding.h"
#include "manifest.h"
#include "sst_format.h"
#include "wal_format.h"
#include "wal_writer.h"
#include "testutil.h"

#include <check.h>
#include <sqlite3.h>
#include "lsmvtab.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#define CR_NKEY     10000     /* Keys of the base stores */
#define CR_NABSENT  50        /* Absent keys probed after them */
#define CR_NREC     24        /* WAL records of the engine base */
#define CR_SQL_NREC 8         /* WAL records (transactions) of the SQL base */
#define CR_MAXENT   8         /* Entries per WAL record, at most */
#define CR_MAXSST   256       /* SSTables of a base, at most */
#define CR_MEM      (16*1024) /* Memtable and target file size */

/* snprintf that must not truncate (a test path or message). */
#define crSnprintf(z, n, ...) do{                                   \
    int nOut_ = snprintf(z, n, __VA_ARGS__);                        \
    ck_assert(nOut_>=0 && (size_t)nOut_<(size_t)(n));               \
  }while(0)

/* The areas of D1. */
enum {
  CR_WAL_MID = 0, CR_WAL_TAIL, CR_SST_DATA, CR_SST_INDEX, CR_SST_FILTER,
  CR_SST_PROPS, CR_SST_FOOTER, CR_MANIFEST, CR_CURRENT, CR_IDENTITY,
  CR_N_AREA
};
static const char *const azArea[CR_N_AREA] = {
  "wal-middle", "wal-tail", "sst-data", "sst-index", "sst-filter",
  "sst-props", "sst-footer", "manifest", "current", "identity"
};

/* The version of every key: 0 absent, else the version of its value. */
typedef struct CrState CrState;
struct CrState {
  int aVer[CR_NKEY];
};

/* One WAL record (one lsmc_write or one SQL transaction). */
typedef struct CrRec CrRec;
struct CrRec {
  int n;                    /* Entries */
  int aKey[CR_MAXENT];      /* Key index */
  int aVer[CR_MAXENT];      /* New version, 0 for a delete */
};

/* A base store and its oracle. */
typedef struct CrBase CrBase;
struct CrBase {
  TestDir dir;              /* The directory holding it */
  char zStore[300];         /* The store directory (engine: dir itself) */
  CrState base;             /* State held by the SSTables */
  int nRec;                 /* WAL records */
  CrRec aRec[CR_NREC];      /* The WAL records, in order */
  u64 aRecEnd[CR_NREC];     /* WAL size after each record */
  char zWal[32];            /* Name of its WAL */
  char zManifest[32];       /* Name of its manifest */
  int nSst;                 /* SSTables */
  char azSst[CR_MAXSST][16];/* Their names */
  int nLevel;               /* Non-empty levels */
};

static CrBase gEng;         /* The engine base store */
static CrBase gSql;         /* The SQL base store (inside gSql.dir) */
static int bSoak = 0;       /* LSMV_TEST_PROFILE=soak */

/* A damage done to a copy: for reproducers and messages. */
typedef struct CrDamage CrDamage;
struct CrDamage {
  const CrBase *pBase;      /* Base it was applied to */
  char zFile[64];           /* File, relative to the store directory */
  char zWhat[200];          /* Human description */
  u64 iOff;                 /* Offset of a flip */
  u8 mask;                  /* XOR mask of a flip (0: none) */
};

/* ------------------------------------------------------------ oracle */

static void crKey(int i, char *z){ snprintf(z, 16, "key%05d", i%100000); }

/* The value of key i at version iVer (>= 1), of 12..91 bytes. */
static size_t crValue(int i, int iVer, char *z){
  int n = snprintf(z, 100, "v%05d.%d:", i, iVer);
  int nLen = 12 + (i*7 + iVer*13) % 80;
  while( n<nLen ){ z[n] = (char)('a' + (i+iVer+n)%26); n++; }
  z[n] = 0;
  return (size_t)n;
}

/* The state after the first k WAL records of pBase. */
static void crPrefix(const CrBase *pBase, int k, CrState *pOut){
  int r, j;
  *pOut = pBase->base;
  for(r=0; r<k; r++){
    for(j=0; j<pBase->aRec[r].n; j++){
      pOut->aVer[pBase->aRec[r].aKey[j]] = pBase->aRec[r].aVer[j];
    }
  }
}

/* ------------------------------------------------------------ files */

static u8 *fileRead(const char *zPath, size_t *pn){
  FILE *f = fopen(zPath, "rb");
  u8 *a;
  long n;
  if( f==0 ) return 0;
  fseek(f, 0, SEEK_END);
  n = ftell(f);
  fseek(f, 0, SEEK_SET);
  a = malloc((size_t)n + 1);
  if( a && fread(a, 1, (size_t)n, f)!=(size_t)n ){ free(a); a = 0; }
  fclose(f);
  *pn = (size_t)n;
  return a;
}

static void fileWrite(const char *zPath, const void *a, size_t n){
  FILE *f = fopen(zPath, "wb");
  ck_assert_msg(f!=0, "cannot write %s", zPath);
  ck_assert_uint_eq(fwrite(a, 1, n, f), n);
  fclose(f);
}

static u64 fileSize(const char *zPath){
  struct stat st;
  if( stat(zPath, &st)!=0 ) return 0;
  return (u64)st.st_size;
}

static int fileExists(const char *zPath){
  return access(zPath, F_OK)==0;
}

/*
** Copy every regular file of zFrom into zTo (created if missing), and
** subdirectories recursively.  Returns 0 on success.
*/
static int copyTree(const char *zFrom, const char *zTo){
  DIR *d = opendir(zFrom);
  struct dirent *pEnt;
  int rc = 0;
  if( d==0 ) return -1;
  mkdir(zTo, 0700);
  while( rc==0 && (pEnt = readdir(d))!=0 ){
    char zA[600], zB[600];
    struct stat st;
    if( strcmp(pEnt->d_name, ".")==0 || strcmp(pEnt->d_name, "..")==0 ) continue;
    crSnprintf(zA, sizeof(zA), "%s/%s", zFrom, pEnt->d_name);
    crSnprintf(zB, sizeof(zB), "%s/%s", zTo, pEnt->d_name);
    if( lstat(zA, &st)!=0 ){ rc = -1; break; }
    if( S_ISDIR(st.st_mode) ){
      rc = copyTree(zA, zB);
    }else if( S_ISREG(st.st_mode) ){
      size_t n = 0;
      u8 *a = fileRead(zA, &n);
      FILE *f = fopen(zB, "wb");
      if( a==0 || f==0 || fwrite(a, 1, n, f)!=n ) rc = -1;
      if( f ) fclose(f);
      free(a);
    }
  }
  closedir(d);
  return rc;
}

/* XOR byte iOff of zPath with mask. */
static void fileFlip(const char *zPath, u64 iOff, u8 mask){
  int fd = open(zPath, O_RDWR);
  u8 c;
  ck_assert_msg(fd>=0, "open %s", zPath);
  ck_assert_int_eq(pread(fd, &c, 1, (off_t)iOff), 1);
  c ^= mask;
  ck_assert_int_eq(pwrite(fd, &c, 1, (off_t)iOff), 1);
  close(fd);
}

/* Overwrite n bytes of zPath at iOff with zeros. */
static void fileZero(const char *zPath, u64 iOff, size_t n){
  int fd = open(zPath, O_RDWR);
  u8 *a = calloc(1, n ? n : 1);
  ck_assert_msg(fd>=0, "open %s", zPath);
  ck_assert_int_eq(pwrite(fd, a, n, (off_t)iOff), (ssize_t)n);
  close(fd);
  free(a);
}

/* The name of the only file in zDir whose name ends in zSuffix (or starts
** with it, for a prefix ending in '-'). */
static void findOne(const char *zDir, const char *zPat, char *zOut, size_t nOut){
  DIR *d = opendir(zDir);
  struct dirent *pEnt;
  int nFound = 0;
  size_t nPat = strlen(zPat);
  zOut[0] = 0;
  while( d && (pEnt = readdir(d))!=0 ){
    size_t nName = strlen(pEnt->d_name);
    int bMatch = zPat[nPat-1]=='-'
        ? strncmp(pEnt->d_name, zPat, nPat)==0
        : (nName>nPat && strcmp(&pEnt->d_name[nName-nPat], zPat)==0);
    if( bMatch ){
      crSnprintf(zOut, nOut, "%s", pEnt->d_name);
      nFound++;
    }
  }
  if( d ) closedir(d);
  if( nFound!=1 ){
    fprintf(stderr, "%s: %d files match %s\n", zDir, nFound, zPat);
    abort();
  }
}

/* ------------------------------------------------------- reproducers */

/*
** Rebuild the damaged store of pDmg under the results directory, with a
** damage.txt naming the damage, and return its path (static storage).
** Only flips can be rebuilt; other damage is described in damage.txt.
*/
static const char *crRepro(const CrDamage *pDmg, const char *zCase){
  static char zPath[700];
  const char *zRes = getenv("LSMV_RESULTS_DIR");
  char zCmd[800];
  char zFile[800];
  FILE *f;
  if( zRes && zRes[0] ){
    crSnprintf(zPath, sizeof(zPath), "%s/check_corrupt/%s", zRes, zCase);
  }else{
    crSnprintf(zPath, sizeof(zPath), "test-results/check_corrupt/%s", zCase);
  }
  crSnprintf(zCmd, sizeof(zCmd), "mkdir -p '%s'", zPath);
  if( system(zCmd)!=0 ) return zPath;
  if( pDmg->pBase ){
    copyTree(pDmg->pBase->dir.zPath, zPath);
    if( pDmg->mask ){
      const char *zStoreSub = pDmg->pBase==&gSql ? "/t.lsm" : "";
      crSnprintf(zFile, sizeof(zFile), "%s%s/%s", zPath, zStoreSub, pDmg->zFile);
      fileFlip(zFile, pDmg->iOff, pDmg->mask);
    }
  }
  crSnprintf(zFile, sizeof(zFile), "%s/damage.txt", zPath);
  f = fopen(zFile, "w");
  if( f ){
    fprintf(f, "case %s\nfile %s offset %llu xor 0x%02x\n%s\n", zCase,
            pDmg->zFile, (unsigned long long)pDmg->iOff, pDmg->mask,
            pDmg->zWhat);
    fclose(f);
  }
  return zPath;
}

/* Fail the current test after saving a reproducer of pDmg. */
static void crFail(const CrDamage *pDmg, const char *zFmt, ...){
  char zMsg[600];
  char zCase[120];
  va_list ap;
  static int iFail = 0;
  va_start(ap, zFmt);
  vsnprintf(zMsg, sizeof(zMsg), zFmt, ap);
  va_end(ap);
  crSnprintf(zCase, sizeof(zCase), "case-%d-%d", (int)getpid(), iFail++);
  ck_abort_msg("%s [%s: %s at %llu xor 0x%02x] reproducer: %s", zMsg,
               pDmg->zWhat, pDmg->zFile, (unsigned long long)pDmg->iOff,
               pDmg->mask, crRepro(pDmg, zCase));
}

/* ------------------------------------------------------ engine access */

/* Options of every open of the engine base: no background thread, so
** nothing reads a damaged file behind the test's back. */
static lsmc_db *crOpen(const char *zDir, int eRecovery, int *pRc){
  lsmc_options *pOpts = 0;
  lsmc_db *pDb = 0;
  lsmc_options_new(&pOpts);
  lsmc_options_set(pOpts, LSMC_OPT_MEMTABLE_SIZE, CR_MEM);
  lsmc_options_set(pOpts, LSMC_OPT_TARGET_FILE_SIZE, CR_MEM);
  lsmc_options_set(pOpts, LSMC_OPT_BLOCK_SIZE, 1024);
  lsmc_options_set(pOpts, LSMC_OPT_BACKGROUND, 0);
  lsmc_options_set(pOpts, LSMC_OPT_SYNC, LSMC_SYNC_NORMAL);
  lsmc_options_set(pOpts, LSMC_OPT_RECOVERY, eRecovery);
  lsmc_options_set(pOpts, LSMC_OPT_CREATE, 0);
  *pRc = lsmc_open(zDir, pOpts, &pDb);
  lsmc_options_free(pOpts);
  return pDb;
}

/* The key index of "key%05d", or -1. */
static int crKeyIndex(const void *pKey, size_t nKey){
  const char *z = (const char*)pKey;
  int i, v = 0;
  if( nKey!=8 || memcmp(z, "key", 3)!=0 ) return -1;
  for(i=3; i<8; i++){
    if( z[i]<'0' || z[i]>'9' ) return -1;
    v = v*10 + (z[i]-'0');
  }
  return v;
}

/*
** Verify an open store against candidate states (any one may hold; at most
** 4).  Every point read returns a candidate's value or LSMC_CORRUPT; the
** full scan follows a candidate and ends at its end or in LSMC_CORRUPT.
** Returns the number of reads that gave LSMC_CORRUPT (plus 1 if the scan
** ended in LSMC_CORRUPT).
*/
static int crVerify(lsmc_db *pDb, const CrState **apCand, int nCand,
                    const CrDamage *pDmg){
  int abOk[4] = {1, 1, 1, 1};
  int aNext[4] = {0, 0, 0, 0};
  lsmc_iter *pIter = 0;
  int nCorrupt = 0;
  int i, c, rc;
  char zVal[100];

  /* The full scan. */
  rc = lsmc_iter_open(pDb, 0, 0, 0, 0, 0, &pIter);
  if( rc==LSMC_OK ) rc = lsmc_iter_first(pIter);
  while( rc==LSMC_OK && lsmc_iter_valid(pIter) ){
    size_t nKey, nV;
    const void *pKey = lsmc_iter_key(pIter, &nKey);
    const void *pV = lsmc_iter_value(pIter, &nV);
    int iKey = crKeyIndex(pKey, nKey);
    if( iKey<0 ) crFail(pDmg, "scan returned a foreign key (%zu bytes)", nKey);
    for(c=0; c<nCand; c++){
      const CrState *p = apCand[c];
      while( aNext[c]<CR_NKEY && p->aVer[aNext[c]]==0 ) aNext[c]++;
      if( aNext[c]!=iKey ){ abOk[c] = 0; continue; }
      if( nV!=crValue(iKey, p->aVer[iKey], zVal) || memcmp(pV, zVal, nV) ){
        abOk[c] = 0;
      }
      aNext[c]++;
    }
    rc = lsmc_iter_next(pIter);
  }
  lsmc_iter_close(pIter);
  if( rc!=LSMC_OK ){
    if( LSMC_PRIMARY(rc)!=LSMC_CORRUPT ) crFail(pDmg, "scan: rc=%d", rc);
    nCorrupt++;
  }else{
    for(c=0; c<nCand; c++){                 /* the scan ended: nothing left */
      const CrState *p = apCand[c];
      while( aNext[c]<CR_NKEY && p->aVer[aNext[c]]==0 ) aNext[c]++;
      if( aNext[c]<CR_NKEY ) abOk[c] = 0;
    }
  }
  for(c=0; c<nCand && !abOk[c]; c++);
  if( c==nCand ){
    crFail(pDmg, "the scan (rc=%d) is not the oracle (silently short or "
           "wrong)", rc);
  }

  /* Point reads, present and absent keys. */
  for(i=0; i<CR_NKEY+CR_NABSENT; i++){
    char zKey[16];
    void *pVal = 0;
    size_t nVal = 0;
    crKey(i, zKey);
    rc = lsmc_get(pDb, 0, zKey, 8, &pVal, &nVal);
    if( LSMC_PRIMARY(rc)==LSMC_CORRUPT ){
      nCorrupt++;
    }else if( rc!=LSMC_OK && rc!=LSMC_NOTFOUND ){
      crFail(pDmg, "get %s: rc=%d", zKey, rc);
    }else{
      for(c=0; c<nCand; c++){
        int iVer = i<CR_NKEY ? apCand[c]->aVer[i] : 0;
        if( rc==LSMC_NOTFOUND ){
          if( iVer!=0 ) abOk[c] = 0;
        }else if( iVer==0 || nVal!=crValue(i, iVer, zVal)
               || memcmp(pVal, zVal, nVal) ){
          abOk[c] = 0;
        }
      }
      for(c=0; c<nCand && !abOk[c]; c++);
      if( c==nCand ){
        crFail(pDmg, "get %s: %s", zKey,
               rc==LSMC_NOTFOUND ? "absent, but present in the oracle"
                                 : "a wrong value");
      }
    }
    lsmc_free(pDb, pVal);
  }
  return nCorrupt;
}

/* ------------------------------------------------------- engine base */

/* Write one batch of nEnt entries (key, version; version 0 deletes). */
static void crWrite(lsmc_db *pDb, const int *aKey, const int *aVer, int nEnt,
                    CrState *pState){
  lsmc_batch *pBatch = 0;
  int j, rc;
  ck_assert_int_eq(lsmc_batch_new(&pBatch), LSMC_OK);
  for(j=0; j<nEnt; j++){
    char zKey[16], zVal[100];
    crKey(aKey[j], zKey);
    if( aVer[j] ){
      size_t nVal = crValue(aKey[j], aVer[j], zVal);
      ck_assert_int_eq(lsmc_batch_put(pBatch, zKey, 8, zVal, nVal), LSMC_OK);
    }else{
      ck_assert_int_eq(lsmc_batch_delete(pBatch, zKey, 8), LSMC_OK);
    }
    pState->aVer[aKey[j]] = aVer[j];
  }
  rc = lsmc_write(pDb, pBatch, LSMC_SYNC_NORMAL);
  ck_assert_msg(rc==LSMC_OK, "write: %s", lsmc_errmsg(pDb));
  lsmc_batch_free(pBatch);
}

/* Count the non-empty levels of a stats struct. */
static int crLevels(const lsmc_stats *s){
  int i, n = 0;
  for(i=0; i<LSMC_STATS_LEVELS; i++) n += (s->anFile[i]>0);
  return n;
}

/* List the SSTables of pBase->zStore into pBase->azSst. */
static void crListSst(CrBase *pBase){
  DIR *d = opendir(pBase->zStore);
  struct dirent *pEnt;
  pBase->nSst = 0;
  while( d && (pEnt = readdir(d))!=0 ){
    size_t n = strlen(pEnt->d_name);
    if( n>4 && strcmp(&pEnt->d_name[n-4], ".sst")==0 ){
      ck_assert_int_lt(pBase->nSst, CR_MAXSST);
      crSnprintf(pBase->azSst[pBase->nSst++], 16, "%s", pEnt->d_name);
    }
  }
  if( d ) closedir(d);
}

/*
** Build the engine base (see the header comment).  Runs in a Check
** unchecked fixture: before the tests, once per run.
*/
static void crBuildEngine(void){
  CrBase *p = &gEng;
  TestRng rng;
  lsmc_options *pOpts = 0;
  lsmc_db *pDb = 0;
  lsmc_stats s;
  int aKey[CR_MAXENT*4], aVer[CR_MAXENT*4];
  int i, j, rc;
  u64 nFlush;
  char zPath[600];

  memset(p, 0, sizeof(*p));
  testDirNew(&p->dir, "corrupt_base");
  crSnprintf(p->zStore, sizeof(p->zStore), "%s", p->dir.zPath);
  testRngSeed(&rng, 0xD1);
  lsmc_options_new(&pOpts);
  lsmc_options_set(pOpts, LSMC_OPT_MEMTABLE_SIZE, CR_MEM);
  lsmc_options_set(pOpts, LSMC_OPT_TARGET_FILE_SIZE, CR_MEM);
  lsmc_options_set(pOpts, LSMC_OPT_BLOCK_SIZE, 1024);
  lsmc_options_set(pOpts, LSMC_OPT_BACKGROUND, 0);
  lsmc_options_set(pOpts, LSMC_OPT_SYNC, LSMC_SYNC_OFF);
  rc = lsmc_open(p->zStore, pOpts, &pDb);
  lsmc_options_free(pOpts);
  ck_assert_msg(rc==LSMC_OK, "open: %s", lsmc_errmsg(pDb));

  /* Round 1: every key, version 1, in batches of 25. */
  for(i=0; i<CR_NKEY; i+=25){
    for(j=0; j<25; j++){ aKey[j] = i+j; aVer[j] = 1; }
    crWrite(pDb, aKey, aVer, 25, &p->base);
  }
  /* Round 2: 3,000 overwrites and 500 deletes, in batches of 10. */
  for(i=0; i<3500; i+=10){
    for(j=0; j<10; j++){
      aKey[j] = (int)testRngBelow(&rng, CR_NKEY);
      aVer[j] = (i+j)<3000 ? 2 : 0;
    }
    crWrite(pDb, aKey, aVer, 10, &p->base);
  }
  /* Round 3: 300 overwrites, flushed to level 0 (again if a compaction
  ** emptied it). */
  for(i=0; i<20; i++){
    for(j=0; j<15; j++){ aKey[j] = (int)testRngBelow(&rng, CR_NKEY); aVer[j] = 3; }
    crWrite(pDb, aKey, aVer, 15, &p->base);
  }
  ck_assert_int_eq(lsmc_flush(pDb), LSMC_OK);
  for(i=0; i<5; i++){
    ck_assert_int_eq(lsmc_stats_get(pDb, &s), LSMC_OK);
    if( s.anFile[0]>0 ) break;
    for(j=0; j<15; j++){ aKey[j] = (int)testRngBelow(&rng, CR_NKEY); aVer[j] = 3; }
    crWrite(pDb, aKey, aVer, 15, &p->base);
    ck_assert_int_eq(lsmc_flush(pDb), LSMC_OK);
  }
  ck_assert_int_eq(lsmc_stats_get(pDb, &s), LSMC_OK);
  p->nLevel = crLevels(&s);
  ck_assert_msg(p->nLevel>=3 && s.anFile[0]>0, "only %d non-empty levels "
                "(L0 %llu)", p->nLevel, (unsigned long long)s.anFile[0]);
  nFlush = s.nFlush;

  /* The WAL: CR_NREC records of 1-6 entries, never flushed. */
  findOne(p->zStore, ".log", p->zWal, sizeof(p->zWal));
  crSnprintf(zPath, sizeof(zPath), "%s/%s", p->zStore, p->zWal);
  p->nRec = CR_NREC;
  for(i=0; i<CR_NREC; i++){
    CrRec *pRec = &p->aRec[i];
    CrState dummy;
    pRec->n = 1 + i%6;
    for(j=0; j<pRec->n; j++){
      pRec->aKey[j] = (int)testRngBelow(&rng, CR_NKEY);
      pRec->aVer[j] = testRngBelow(&rng, 4)==0 ? 0 : 4 + i;
    }
    crWrite(pDb, pRec->aKey, pRec->aVer, pRec->n, &dummy);
    p->aRecEnd[i] = fileSize(zPath);
    ck_assert_uint_gt(p->aRecEnd[i], i ? p->aRecEnd[i-1] : 0);
  }
  ck_assert_int_eq(lsmc_stats_get(pDb, &s), LSMC_OK);
  ck_assert_uint_eq(s.nFlush, nFlush);               /* still in the WAL */
  ck_assert_uint_eq((u64)testCountFiles(p->zStore, ".sst"),
                    s.anFile[0]+s.anFile[1]+s.anFile[2]+s.anFile[3]
                    +s.anFile[4]+s.anFile[5]+s.anFile[6]);   /* all live */
  printf("corrupt base: %d keys, levels L0..L3 = %llu/%llu/%llu/%llu files, "
         "WAL %s of %d records (%llu bytes)\n", CR_NKEY,
         (unsigned long long)s.anFile[0], (unsigned long long)s.anFile[1],
         (unsigned long long)s.anFile[2], (unsigned long long)s.anFile[3],
         p->zWal, p->nRec, (unsigned long long)p->aRecEnd[p->nRec-1]);
  ck_assert_int_eq(lsmc_close(pDb), LSMC_OK);
  ck_assert_uint_eq(fileSize(zPath), p->aRecEnd[p->nRec-1]);
  findOne(p->zStore, "MANIFEST-", p->zManifest, sizeof(p->zManifest));
  crListSst(p);
}

/* ---------------------------------------------------------- SQL base */

/* Run SQL on db; assert success. */
static void sqlExec(sqlite3 *db, const char *zSql){
  char *zErr = 0;
  int rc = sqlite3_exec(db, zSql, 0, 0, &zErr);
  ck_assert_msg(rc==SQLITE_OK, "%s: %s", zSql, zErr ? zErr : "?");
  sqlite3_free(zErr);
}

/* A connection to <zDir>/main.db with the module registered. */
static sqlite3 *sqlOpen(const char *zDir){
  char zDb[600];
  sqlite3 *db = 0;
  crSnprintf(zDb, sizeof(zDb), "%s/main.db", zDir);
  ck_assert_int_eq(sqlite3_open_v2(zDb, &db, SQLITE_OPEN_READWRITE
                                   | SQLITE_OPEN_CREATE, 0), SQLITE_OK);
  ck_assert_int_eq(lsmvtabRegister(db, 0, 0), SQLITE_OK);
  return db;
}

/* Apply one row change through SQL (version 0 deletes). */
static void sqlSet(sqlite3 *db, sqlite3_stmt *pPut, sqlite3_stmt *pDel,
                   int iKey, int iVer){
  char zVal[100];
  sqlite3_stmt *p = iVer ? pPut : pDel;
  sqlite3_bind_int(p, 1, iKey);
  if( iVer ){
    size_t n = crValue(iKey, iVer, zVal);
    sqlite3_bind_text(p, 2, zVal, (int)n, SQLITE_TRANSIENT);
  }
  ck_assert_msg(sqlite3_step(p)==SQLITE_DONE, "%s", sqlite3_errmsg(db));
  sqlite3_reset(p);
}

/* The number of non-empty levels of table t, from lsm_stats. */
static int sqlLevels(sqlite3 *db, int *pnL0){
  sqlite3_stmt *pStmt = 0;
  const char *z;
  int n = 0, i = 0;
  ck_assert_int_eq(sqlite3_prepare_v2(db, "SELECT lsm_stats('t')", -1,
                                      &pStmt, 0), SQLITE_OK);
  ck_assert_int_eq(sqlite3_step(pStmt), SQLITE_ROW);
  z = (const char*)sqlite3_column_text(pStmt, 0);
  z = strstr(z, "\"level_files\"");
  ck_assert_ptr_nonnull(z);
  z = strchr(z, '[');
  while( z && *z && *z!=']' ){
    long v = strtol(z+1, (char**)&z, 10);
    if( i==0 ) *pnL0 = (int)v;
    n += (v>0);
    i++;
  }
  sqlite3_finalize(pStmt);
  return n;
}

/*
** Build the SQL base: the same three rounds and a WAL of CR_SQL_NREC
** transactions, through SQL on table t (store t.lsm beside main.db).
*/
static void crBuildSql(void){
  CrBase *p = &gSql;
  sqlite3 *db;
  sqlite3_stmt *pPut = 0, *pDel = 0;
  TestRng rng;
  int i, j, nL0 = 0;
  char zPath[700];

  memset(p, 0, sizeof(*p));
  testDirNew(&p->dir, "corrupt_sqlbase");
  crSnprintf(p->zStore, sizeof(p->zStore), "%s/t.lsm", p->dir.zPath);
  testRngSeed(&rng, 0xD1501);
  db = sqlOpen(p->dir.zPath);
  sqlExec(db, "CREATE VIRTUAL TABLE t USING lsm(k INTEGER PRIMARY KEY, "
              "v TEXT, path='t.lsm', memtable_size='8K', block_size=1024)");
  ck_assert_int_eq(sqlite3_prepare_v2(db, "INSERT OR REPLACE INTO t VALUES"
                                      "(?1, ?2)", -1, &pPut, 0), SQLITE_OK);
  ck_assert_int_eq(sqlite3_prepare_v2(db, "DELETE FROM t WHERE k=?1", -1,
                                      &pDel, 0), SQLITE_OK);
  for(i=0; i<CR_NKEY; i+=500){
    sqlExec(db, "BEGIN");
    for(j=0; j<500; j++){ sqlSet(db, pPut, pDel, i+j, 1); p->base.aVer[i+j] = 1; }
    sqlExec(db, "COMMIT");
  }
  sqlExec(db, "SELECT lsm_compact('t')");
  for(i=0; i<3500; i+=100){
    sqlExec(db, "BEGIN");
    for(j=0; j<100; j++){
      int k = (int)testRngBelow(&rng, CR_NKEY);
      int v = (i+j)<3000 ? 2 : 0;
      sqlSet(db, pPut, pDel, k, v);
      p->base.aVer[k] = v;
    }
    sqlExec(db, "COMMIT");
  }
  /* At least one flush: it also waits for a rotation that round 2 may
  ** have started, so that exactly one WAL is left. */
  for(i=0; i<5 && (i==0 || sqlLevels(db, &nL0)<3 || nL0==0); i++){
    sqlExec(db, "BEGIN");
    for(j=0; j<60; j++){
      int k = (int)testRngBelow(&rng, CR_NKEY);
      sqlSet(db, pPut, pDel, k, 3);
      p->base.aVer[k] = 3;
    }
    sqlExec(db, "COMMIT");
    sqlExec(db, "SELECT lsm_flush('t')");
  }
  p->nLevel = sqlLevels(db, &nL0);
  ck_assert_msg(p->nLevel>=3 && nL0>0, "SQL base: %d levels, L0 %d",
                p->nLevel, nL0);
  findOne(p->zStore, ".log", p->zWal, sizeof(p->zWal));
  crSnprintf(zPath, sizeof(zPath), "%s/%s", p->zStore, p->zWal);
  p->nRec = CR_SQL_NREC;
  for(i=0; i<CR_SQL_NREC; i++){
    CrRec *pRec = &p->aRec[i];
    pRec->n = 1 + i%3;
    sqlExec(db, "BEGIN");
    for(j=0; j<pRec->n; j++){
      pRec->aKey[j] = (int)testRngBelow(&rng, CR_NKEY);
      pRec->aVer[j] = testRngBelow(&rng, 4)==0 ? 0 : 4 + i;
      sqlSet(db, pPut, pDel, pRec->aKey[j], pRec->aVer[j]);
    }
    sqlExec(db, "COMMIT");
    p->aRecEnd[i] = fileSize(zPath);
    ck_assert_uint_gt(p->aRecEnd[i], i ? p->aRecEnd[i-1] : 0);
  }
  sqlite3_finalize(pPut);
  sqlite3_finalize(pDel);
  ck_assert_int_eq(sqlite3_close(db), SQLITE_OK);
  ck_assert_uint_eq(fileSize(zPath), p->aRecEnd[p->nRec-1]);
  findOne(p->zStore, "MANIFEST-", p->zManifest, sizeof(p->zManifest));
  crListSst(p);
  printf("corrupt SQL base: %d rows, %d non-empty levels, %d SSTables, WAL "
         "of %d transactions (%llu bytes)\n", CR_NKEY, p->nLevel, p->nSst,
         p->nRec, (unsigned long long)p->aRecEnd[p->nRec-1]);
}

/* The unchecked fixture: both bases, built once per run. */
static void crSetup(void){
  const char *zProfile = getenv("LSMV_TEST_PROFILE");
  bSoak = zProfile && strcmp(zProfile, "soak")==0;
  crBuildEngine();
  crBuildSql();
}

static void crTeardown(void){
  testDirFree(&gEng.dir);
  testDirFree(&gSql.dir);
}

/* ---------------------------------------------------------------- D1 */

/*
** Choose a flip in area eArea of pBase: file, offset and mask, and the
** index of the WAL record it hits (-1 if none) in *piRec.
*/
static void crPickFlip(const CrBase *pBase, int eArea, TestRng *pRng,
                       CrDamage *pDmg, int *piRec){
  u64 iLo = 0, iHi = 0;
  char zPath[700];
  *piRec = -1;
  memset(pDmg, 0, sizeof(*pDmg));
  pDmg->pBase = pBase;
  switch( eArea ){
    case CR_WAL_MID:
    case CR_WAL_TAIL:
      crSnprintf(pDmg->zFile, sizeof(pDmg->zFile), "%s", pBase->zWal);
      if( eArea==CR_WAL_MID ){
        iLo = 0; iHi = pBase->aRecEnd[pBase->nRec-2];
      }else{
        iLo = pBase->aRecEnd[pBase->nRec-2]; iHi = pBase->aRecEnd[pBase->nRec-1];
      }
      break;
    case CR_MANIFEST:
    case CR_CURRENT:
    case CR_IDENTITY:
      crSnprintf(pDmg->zFile, sizeof(pDmg->zFile), "%s", eArea==CR_MANIFEST
               ? pBase->zManifest : eArea==CR_CURRENT ? "CURRENT" : "IDENTITY");
      crSnprintf(zPath, sizeof(zPath), "%s/%s", pBase->zStore, pDmg->zFile);
      iLo = 0; iHi = fileSize(zPath);
      break;
    default: {
      SstFooter f;
      size_t n = 0;
      u8 *a;
      const char *zSst = pBase->azSst[testRngBelow(pRng, (u32)pBase->nSst)];
      crSnprintf(pDmg->zFile, sizeof(pDmg->zFile), "%s", zSst);
      crSnprintf(zPath, sizeof(zPath), "%s/%s", pBase->zStore, zSst);
      a = fileRead(zPath, &n);
      ck_assert_ptr_nonnull(a);
      ck_assert_int_eq(lsmcSstFooterDecode(&a[n-LSMC_SST_FOOTER_SIZE], &f),
                       LSMC_OK);
      free(a);
      ck_assert_uint_gt(f.filter.nSize, 0);
      switch( eArea ){
        case CR_SST_DATA:   iLo = 0; iHi = f.filter.iOff; break;
        case CR_SST_FILTER: iLo = f.filter.iOff;
                            iHi = iLo + f.filter.nSize + LSMC_SST_TRAILER_SIZE; break;
        case CR_SST_PROPS:  iLo = f.props.iOff;
                            iHi = iLo + f.props.nSize + LSMC_SST_TRAILER_SIZE; break;
        case CR_SST_INDEX:  iLo = f.index.iOff;
                            iHi = iLo + f.index.nSize + LSMC_SST_TRAILER_SIZE; break;
        default:            iLo = n - LSMC_SST_FOOTER_SIZE; iHi = n; break;
      }
      break;
    }
  }
  ck_assert_uint_gt(iHi, iLo);
  pDmg->iOff = iLo + testRngNext(pRng) % (iHi - iLo);
  if( testRngBelow(pRng, 2) ){
    pDmg->mask = (u8)(1u << testRngBelow(pRng, 8));
  }else{
    pDmg->mask = (u8)(1 + testRngBelow(pRng, 255));
  }
  if( eArea==CR_WAL_MID || eArea==CR_WAL_TAIL ){
    int r;
    for(r=0; r<pBase->nRec && pBase->aRecEnd[r]<=pDmg->iOff; r++);
    *piRec = r;
  }
  crSnprintf(pDmg->zWhat, sizeof(pDmg->zWhat), "%s flip", azArea[eArea]);
}

/*
** One engine D1 case.  Returns 1 if the open succeeded.
*/
static int crEngineCase(int eArea, TestRng *pRng, int *pnCorruptRead){
  const CrBase *p = &gEng;
  CrDamage dmg;
  TestDir work;
  CrState *aCand = malloc(sizeof(CrState)*2);
  const CrState *apCand[2];
  int nCand = 0, iRec, rc, bOpened;
  lsmc_db *pDb;
  char zPath[700];

  crPickFlip(p, eArea, pRng, &dmg, &iRec);
  testDirNew(&work, "corrupt");
  ck_assert_int_eq(copyTree(p->zStore, work.zPath), 0);
  crSnprintf(zPath, sizeof(zPath), "%s/%s", work.zPath, dmg.zFile);
  fileFlip(zPath, dmg.iOff, dmg.mask);

  /* What may be read: the whole oracle; after a flip in the last WAL
  ** record, also the state without that record (a torn tail). */
  crPrefix(p, p->nRec, &aCand[nCand]); apCand[nCand] = &aCand[nCand]; nCand++;
  if( eArea==CR_WAL_TAIL ){
    crPrefix(p, p->nRec-1, &aCand[nCand]); apCand[nCand] = &aCand[nCand]; nCand++;
  }

  pDb = crOpen(work.zPath, LSMC_RECOVER_STRICT, &rc);
  bOpened = (rc==LSMC_OK);
  if( rc!=LSMC_OK ){
    if( LSMC_PRIMARY(rc)!=LSMC_CORRUPT && LSMC_PRIMARY(rc)!=LSMC_CANTOPEN ){
      crFail(&dmg, "open: rc=%d %s", rc, lsmc_errmsg(pDb));
    }
    if( strlen(lsmc_errmsg(pDb))<10 ) crFail(&dmg, "open: no message");
  }else{
    char *zReport = 0;
    if( eArea==CR_WAL_MID ){
      crFail(&dmg, "damage in WAL record %d of %d opened without error",
             iRec, p->nRec);
    }
    *pnCorruptRead += crVerify(pDb, apCand, nCand, &dmg);
    rc = lsmc_check(pDb, &zReport);
    if( eArea>=CR_SST_DATA && eArea<=CR_SST_FOOTER ){
      if( rc!=LSMC_CORRUPT || zReport==0 || strstr(zReport, dmg.zFile)==0 ){
        crFail(&dmg, "lsmc_check: rc=%d, report: %s", rc,
               zReport ? zReport : "(none)");
      }
    }else if( rc!=LSMC_OK ){
      crFail(&dmg, "lsmc_check after an open that succeeded: rc=%d %s",
             rc, zReport ? zReport : "");
    }
    lsmc_free(pDb, zReport);
  }
  lsmc_close(pDb);
  testDirFree(&work);
  free(aCand);
  return bOpened;
}

/*
** D1, engine: flips per area; see the header comment.
*/
START_TEST(d1_flips){
  int nPer = bSoak ? 2000 : 100;
  int eArea;
  for(eArea=0; eArea<CR_N_AREA; eArea++){
    TestRng rng;
    int i, nOpen = 0, nCorruptRead = 0;
    testRngSeed(&rng, 0xF11B + (u64)eArea);
    for(i=0; i<nPer; i++){
      nOpen += crEngineCase(eArea, &rng, &nCorruptRead);
    }
    printf("D1 %-10s: %d flips, %d opened (every read the oracle or "
           "CORRUPT: %d CORRUPT reads), %d refused to open\n",
           azArea[eArea], nPer, nOpen, nCorruptRead, nPer-nOpen);
  }
}
END_TEST

/*
** Verify table t of an open connection against the candidates: the
** ordered full scan and 200 point SELECTs.  Returns -1 if the store did
** not open (SQLITE_CORRUPT or SQLITE_CANTOPEN), else the number of
** statements that failed with SQLITE_CORRUPT.
*/
static int sqlVerify(sqlite3 *db, const CrState **apCand, int nCand,
                     const CrDamage *pDmg, TestRng *pRng){
  int abOk[4] = {1, 1, 1, 1};
  int aNext[4] = {0, 0, 0, 0};
  sqlite3_stmt *pStmt = 0;
  int nRow = 0, nCorrupt = 0;
  int rc, c, i;
  char zVal[100];

  rc = sqlite3_prepare_v2(db, "SELECT k, v FROM t ORDER BY k", -1, &pStmt, 0);
  if( rc!=SQLITE_OK ) crFail(pDmg, "prepare: %s", sqlite3_errmsg(db));
  while( (rc = sqlite3_step(pStmt))==SQLITE_ROW ){
    int iKey = sqlite3_column_int(pStmt, 0);
    const char *z = (const char*)sqlite3_column_text(pStmt, 1);
    int n = sqlite3_column_bytes(pStmt, 1);
    nRow++;
    if( iKey<0 || iKey>=CR_NKEY ) crFail(pDmg, "SELECT: foreign key %d", iKey);
    for(c=0; c<nCand; c++){
      const CrState *p = apCand[c];
      while( aNext[c]<CR_NKEY && p->aVer[aNext[c]]==0 ) aNext[c]++;
      if( aNext[c]!=iKey || z==0
       || (size_t)n!=crValue(iKey, p->aVer[iKey], zVal) || memcmp(z, zVal, (size_t)n) ){
        abOk[c] = 0;
      }
      aNext[c]++;
    }
  }
  sqlite3_finalize(pStmt);
  if( rc!=SQLITE_DONE ){
    if( nRow==0 && (rc==SQLITE_CORRUPT || rc==SQLITE_CANTOPEN) ){
      return -1;
    }
    if( rc!=SQLITE_CORRUPT ){
      crFail(pDmg, "SELECT: rc=%d %s", rc, sqlite3_errmsg(db));
    }
    nCorrupt++;
  }else{
    if( nRow==0 ) crFail(pDmg, "the damaged table reads as empty");
    for(c=0; c<nCand; c++){
      const CrState *p = apCand[c];
      while( aNext[c]<CR_NKEY && p->aVer[aNext[c]]==0 ) aNext[c]++;
      if( aNext[c]<CR_NKEY ) abOk[c] = 0;
    }
  }
  for(c=0; c<nCand && !abOk[c]; c++);
  if( c==nCand ) crFail(pDmg, "SELECT returned %d rows, not the oracle", nRow);

  ck_assert_int_eq(sqlite3_prepare_v2(db, "SELECT v FROM t WHERE k=?1", -1,
                                      &pStmt, 0), SQLITE_OK);
  for(i=0; i<200; i++){
    int iKey = (int)testRngBelow(pRng, CR_NKEY);
    sqlite3_bind_int(pStmt, 1, iKey);
    rc = sqlite3_step(pStmt);
    if( rc==SQLITE_ROW || rc==SQLITE_DONE ){
      const char *z = rc==SQLITE_ROW ? (const char*)sqlite3_column_text(pStmt, 0) : 0;
      int n = z ? sqlite3_column_bytes(pStmt, 0) : 0;
      for(c=0; c<nCand; c++){
        int iVer = apCand[c]->aVer[iKey];
        if( z==0 ? iVer!=0 : (iVer==0 || (size_t)n!=crValue(iKey, iVer, zVal)
                              || memcmp(z, zVal, (size_t)n)) ){
          abOk[c] = 0;
        }
      }
      for(c=0; c<nCand && !abOk[c]; c++);
      if( c==nCand ) crFail(pDmg, "SELECT k=%d: %s", iKey,
                            z ? "a wrong value" : "absent, but present");
    }else if( sqlite3_reset(pStmt)==SQLITE_CORRUPT ){
      nCorrupt++;
    }else{
      crFail(pDmg, "SELECT k=%d: rc=%d %s", iKey, rc, sqlite3_errmsg(db));
    }
    sqlite3_reset(pStmt);
  }
  sqlite3_finalize(pStmt);
  return nCorrupt;
}

/*
** D1 through SQL: the same flips in the SQL base, read with SELECTs.
*/
START_TEST(d1_flips_sql){
  int nPer = bSoak ? 100 : 10;
  int eArea;
  for(eArea=0; eArea<CR_N_AREA; eArea++){
    TestRng rng;
    int i, nOpen = 0, nCorrupt = 0;
    testRngSeed(&rng, 0x5A1 + (u64)eArea);
    for(i=0; i<nPer; i++){
      CrDamage dmg;
      TestDir work;
      CrState aCand[2];
      const CrState *apCand[2] = { &aCand[0], &aCand[1] };
      int iRec, nCand = 1, n;
      sqlite3 *db;
      char zPath[800];
      crPickFlip(&gSql, eArea, &rng, &dmg, &iRec);
      testDirNew(&work, "corrupt_sql");
      ck_assert_int_eq(copyTree(gSql.dir.zPath, work.zPath), 0);
      crSnprintf(zPath, sizeof(zPath), "%s/t.lsm/%s", work.zPath, dmg.zFile);
      fileFlip(zPath, dmg.iOff, dmg.mask);
      crPrefix(&gSql, gSql.nRec, &aCand[0]);
      if( eArea==CR_WAL_TAIL ){ crPrefix(&gSql, gSql.nRec-1, &aCand[1]); nCand = 2; }
      db = sqlOpen(work.zPath);
      n = sqlVerify(db, apCand, nCand, &dmg, &rng);
      if( n<0 ){
        nCorrupt++;
      }else{
        nOpen++;
        nCorrupt += n>0;
        if( eArea==CR_WAL_MID ){
          crFail(&dmg, "damage in WAL record %d of %d: the table opened",
                 iRec, gSql.nRec);
        }
      }
      ck_assert_int_eq(sqlite3_close(db), SQLITE_OK);
      testDirFree(&work);
    }
    printf("D1 SQL %-10s: %d flips, %d opened, %d cases with SQLITE_CORRUPT "
           "(never an empty table or a wrong row)\n", azArea[eArea], nPer,
           nOpen, nCorrupt);
  }
}
END_TEST

/* ---------------------------------------------------------------- D2 */

/* A WAL-only store (1 MiB memtable) and its records. */
typedef struct CrWalStore CrWalStore;
struct CrWalStore {
  TestDir dir;              /* The store */
  char zWal[32];            /* Its WAL */
  int nRec;                 /* Records */
  CrRec aRec[64];           /* Records: key i of record r is r*8+j */
  u64 aRecEnd[64];          /* WAL size after each record */
  int aValLen[64];          /* Value length of each record's entries */
};

/* Key of entry j of record r in a WAL store, and its value. */
static void crWalKey(int r, int j, char *z){ snprintf(z, 16, "w%03d.%d", r%1000, j%10); }
static size_t crWalValue(int r, int j, int nLen, char *z){
  int i;
  for(i=0; i<nLen; i++) z[i] = (char)('A' + (r*7+j*3+i)%26);
  return (size_t)nLen;
}

/* Open a WAL store at zDir (1 MiB memtable: nothing is flushed). */
static lsmc_db *crWalOpen(const char *zDir, int eRecovery, int *pRc){
  lsmc_options *pOpts = 0;
  lsmc_db *pDb = 0;
  lsmc_options_new(&pOpts);
  lsmc_options_set(pOpts, LSMC_OPT_MEMTABLE_SIZE, 1<<20);
  lsmc_options_set(pOpts, LSMC_OPT_BACKGROUND, 0);
  lsmc_options_set(pOpts, LSMC_OPT_SYNC, LSMC_SYNC_NORMAL);
  lsmc_options_set(pOpts, LSMC_OPT_RECOVERY, eRecovery);
  *pRc = lsmc_open(zDir, pOpts, &pDb);
  lsmc_options_free(pOpts);
  return pDb;
}

/* Append record r (p->aRec[r] and p->aValLen[r] set) to the store. */
static void crWalAppend(CrWalStore *p, lsmc_db *pDb, int r){
  static char zVal[80000];
  lsmc_batch *pBatch = 0;
  char zPath[600];
  int j;
  ck_assert_int_eq(lsmc_batch_new(&pBatch), LSMC_OK);
  for(j=0; j<p->aRec[r].n; j++){
    char zKey[16];
    size_t nVal = crWalValue(r, j, p->aValLen[r], zVal);
    crWalKey(r, j, zKey);
    ck_assert_int_eq(lsmc_batch_put(pBatch, zKey, strlen(zKey), zVal, nVal),
                     LSMC_OK);
  }
  ck_assert_int_eq(lsmc_write(pDb, pBatch, LSMC_SYNC_NORMAL), LSMC_OK);
  lsmc_batch_free(pBatch);
  crSnprintf(zPath, sizeof(zPath), "%s/%s", p->dir.zPath, p->zWal);
  p->aRecEnd[r] = fileSize(zPath);
}

/*
** Build a WAL store: filler records until the WAL is nFill bytes long,
** then the records of aTail (entries, value length per entry) in order.
*/
static void crWalBuild(CrWalStore *p, u64 nFill, const int (*aTail)[2],
                       int nTail){
  lsmc_db *pDb;
  int rc, i;
  memset(p, 0, sizeof(*p));
  testDirNew(&p->dir, "corrupt_wal");
  pDb = crWalOpen(p->dir.zPath, LSMC_RECOVER_STRICT, &rc);
  ck_assert_int_eq(rc, LSMC_OK);
  findOne(p->dir.zPath, ".log", p->zWal, sizeof(p->zWal));
  while( p->nRec==0 || p->aRecEnd[p->nRec-1]<nFill ){
    int r = p->nRec++;
    ck_assert_int_lt(p->nRec, 64 - nTail);
    p->aRec[r].n = 1 + r%3;
    p->aValLen[r] = 200 + (r*131)%900;
    if( p->aRecEnd[r ? r-1 : 0] + 3*(u64)p->aValLen[r] + 100 > nFill && r>0 ){
      p->aValLen[r] = 40;                    /* do not overshoot much */
      p->aRec[r].n = 1;
    }
    crWalAppend(p, pDb, r);
  }
  for(i=0; i<nTail; i++){
    int r = p->nRec++;
    p->aRec[r].n = aTail[i][0];
    p->aValLen[r] = aTail[i][1];
    crWalAppend(p, pDb, r);
  }
  ck_assert_int_eq(lsmc_close(pDb), LSMC_OK);
}

/*
** Open the WAL store copy at zDir and check that exactly the first nWhole
** records are present, each entirely.  eRecovery: the open's policy.
*/
static void crWalCheck(const CrWalStore *p, const char *zDir, int nWhole,
                       int eRecovery, const char *zWhat){
  static char zVal[80000];
  int rc, r, j;
  lsmc_db *pDb = crWalOpen(zDir, eRecovery, &rc);
  ck_assert_msg(rc==LSMC_OK, "%s: open failed: %s", zWhat, lsmc_errmsg(pDb));
  for(r=0; r<p->nRec; r++){
    for(j=0; j<p->aRec[r].n; j++){
      char zKey[16];
      void *pVal = 0;
      size_t nVal = 0;
      crWalKey(r, j, zKey);
      rc = lsmc_get(pDb, 0, zKey, strlen(zKey), &pVal, &nVal);
      if( r<nWhole ){
        ck_assert_msg(rc==LSMC_OK && nVal==crWalValue(r, j, p->aValLen[r], zVal)
                      && memcmp(pVal, zVal, nVal)==0,
                      "%s: record %d entry %d lost or wrong (rc=%d)", zWhat, r,
                      j, rc);
      }else{
        ck_assert_msg(rc==LSMC_NOTFOUND, "%s: record %d entry %d present "
                      "(%d whole records)", zWhat, r, j, nWhole);
      }
      lsmc_free(pDb, pVal);
    }
  }
  lsmc_close(pDb);
}

/* Copy the WAL store to a fresh directory; the WAL's path in zWal. */
static void crWalCopy(const CrWalStore *p, TestDir *pWork, char *zWal,
                      size_t nWal){
  testDirNew(pWork, "corrupt_walw");
  ck_assert_int_eq(copyTree(p->dir.zPath, pWork->zPath), 0);
  crSnprintf(zWal, nWal, "%s/%s", pWork->zPath, p->zWal);
}

/* One D2 run over a WAL store whose last three records are aTail. */
static void crTornRun(const int (*aTail)[2], u64 nFill, const char *zName){
  CrWalStore *p = malloc(sizeof(CrWalStore));
  u64 iStart, iEnd, iCut;
  int nCase = 0, i;
  crWalBuild(p, nFill, aTail, 3);
  iStart = p->aRecEnd[p->nRec-4];
  iEnd = p->aRecEnd[p->nRec-1];
  /* The record of aTail[0] must cross a block boundary. */
  ck_assert_uint_gt(p->aRecEnd[p->nRec-3] / LSMC_WAL_BLOCK_SIZE,
                    iStart / LSMC_WAL_BLOCK_SIZE);
  for(iCut=iStart; iCut<=iEnd; iCut++){
    TestDir work;
    char zWal[700], zWhat[120];
    int nWhole = 0;
    crWalCopy(p, &work, zWal, sizeof(zWal));
    ck_assert_int_eq(truncate(zWal, (off_t)iCut), 0);
    while( nWhole<p->nRec && p->aRecEnd[nWhole]<=iCut ) nWhole++;
    crSnprintf(zWhat, sizeof(zWhat), "%s: cut at %llu", zName,
             (unsigned long long)iCut);
    crWalCheck(p, work.zPath, nWhole, LSMC_RECOVER_STRICT, zWhat);
    testDirFree(&work);
    nCase++;
  }
  for(i=0; i<=3; i++){
    TestDir work;
    char zWal[700], zWhat[120];
    crWalCopy(p, &work, zWal, sizeof(zWal));
    if( i<3 ){
      u64 iFrom = p->aRecEnd[p->nRec-4+i];
      fileZero(zWal, iFrom, (size_t)(iEnd - iFrom));
      crSnprintf(zWhat, sizeof(zWhat), "%s: zeros from record %d", zName,
               p->nRec-3+i);
      crWalCheck(p, work.zPath, p->nRec-3+i, LSMC_RECOVER_STRICT, zWhat);
    }else{
      fileZero(zWal, iEnd, 4096);            /* a preallocated tail */
      crSnprintf(zWhat, sizeof(zWhat), "%s: 4 KiB of zeros appended", zName);
      crWalCheck(p, work.zPath, p->nRec, LSMC_RECOVER_STRICT, zWhat);
    }
    testDirFree(&work);
    nCase++;
  }
  printf("D2 %s: %d cuts and zero-fills over the last 3 records (%llu "
         "bytes), all recovered to the last whole record\n", zName, nCase,
         (unsigned long long)(iEnd - iStart));
  testDirFree(&p->dir);
  free(p);
}

START_TEST(d2_torn_wal_tail){
  /* Records of 5 x ~320 B (straddling the block), 1 x 20 B, 4 x 150 B. */
  static const int aTail[3][2] = { {5, 320}, {1, 20}, {4, 150} };
  crTornRun(aTail, LSMC_WAL_BLOCK_SIZE - 800, "straddling record");
  if( bSoak ){
    /* A first record of 70 KiB: FIRST, MIDDLE and LAST fragments. */
    static const int aBig[3][2] = { {1, 70000}, {1, 20}, {4, 150} };
    crTornRun(aBig, 1000, "three-block record");
  }
}
END_TEST

/* ---------------------------------------------------------------- D3 */

/* The damage kinds of D3. */
enum { D3_PAYLOAD, D3_CHECKSUM, D3_TYPE0, D3_LEN_LOW, D3_LEN_HIGH, D3_ZERO,
       D3_N };
static const char *const azD3[D3_N] = {
  "payload flip", "checksum flip", "type 0", "length low bit",
  "length high bit", "zeroed record"
};

/* Apply damage eKind to record r (a single FULL fragment) of zWal. */
static void crD3Damage(const CrWalStore *p, const char *zWal, int r, int eKind){
  u64 iRec = r ? p->aRecEnd[r-1] : 0;
  u64 nRec = p->aRecEnd[r] - iRec;
  switch( eKind ){
    case D3_PAYLOAD:  fileFlip(zWal, iRec + LSMC_WAL_HEADER_SIZE + nRec/2, 0x10); break;
    case D3_CHECKSUM: fileFlip(zWal, iRec + 1, 0x01); break;
    case D3_TYPE0: {
      u8 t;
      int fd = open(zWal, O_RDONLY);
      ck_assert_int_eq(pread(fd, &t, 1, (off_t)iRec + 6), 1);
      close(fd);
      fileFlip(zWal, iRec + 6, t);
      break;
    }
    case D3_LEN_LOW:  fileFlip(zWal, iRec + 4, 0x01); break;
    case D3_LEN_HIGH: fileFlip(zWal, iRec + 5, 0x80); break;
    default:          fileZero(zWal, iRec, (size_t)nRec); break;
  }
}

START_TEST(d3_wal_middle_damage){
  static const int aTail[3][2] = { {2, 300}, {3, 100}, {1, 500} };
  CrWalStore *p = malloc(sizeof(CrWalStore));
  int aVictim[2];
  int v, k, nCase = 0;
  /* 40 KiB of records, so that the WAL has two blocks. */
  crWalBuild(p, 40000, aTail, 3);
  ck_assert_uint_gt(p->aRecEnd[p->nRec-1], LSMC_WAL_BLOCK_SIZE);
  aVictim[0] = 1;                           /* in block 0 */
  aVictim[1] = p->nRec-3;                   /* in the last block */
  ck_assert_uint_ge(p->aRecEnd[aVictim[1]-1], LSMC_WAL_BLOCK_SIZE);
  for(v=0; v<2; v++){
    for(k=0; k<D3_N; k++){
      TestDir work;
      char zWal[700], zWhat[160];
      int rc;
      lsmc_db *pDb;
      crWalCopy(p, &work, zWal, sizeof(zWal));
      crD3Damage(p, zWal, aVictim[v], k);
      crSnprintf(zWhat, sizeof(zWhat), "%s in record %d of %d", azD3[k],
               aVictim[v], p->nRec);
      pDb = crWalOpen(work.zPath, LSMC_RECOVER_STRICT, &rc);
      ck_assert_msg(rc==LSMC_CORRUPT, "%s: strict open rc=%d (%s)", zWhat, rc,
                    lsmc_errmsg(pDb));
      ck_assert_msg(strstr(lsmc_errmsg(pDb), "WAL")!=0, "%s: message %s",
                    zWhat, lsmc_errmsg(pDb));
      lsmc_close(pDb);
      crWalCheck(p, work.zPath, aVictim[v], LSMC_RECOVER_POINT_IN_TIME, zWhat);
      testDirFree(&work);
      nCase++;
    }
  }
  printf("D3: %d middle-damage cases: strict open CORRUPT, point in time "
         "exactly the prefix\n", nCase);
  testDirFree(&p->dir);
  free(p);

  /* Through SQL: a flip in the first WAL record of the SQL base. */
  {
    TestDir work;
    CrDamage dmg;
    sqlite3 *db;
    sqlite3_stmt *pStmt = 0;
    char zPath[800];
    int rc;
    memset(&dmg, 0, sizeof(dmg));
    testDirNew(&work, "corrupt_sqld3");
    ck_assert_int_eq(copyTree(gSql.dir.zPath, work.zPath), 0);
    crSnprintf(zPath, sizeof(zPath), "%s/t.lsm/%s", work.zPath, gSql.zWal);
    fileFlip(zPath, gSql.aRecEnd[0]/2, 0x04);
    db = sqlOpen(work.zPath);
    ck_assert_int_eq(sqlite3_prepare_v2(db, "SELECT count(*) FROM t", -1,
                                        &pStmt, 0), SQLITE_OK);
    rc = sqlite3_step(pStmt);
    ck_assert_msg(rc==SQLITE_CORRUPT, "SQL: rc=%d %s", rc, sqlite3_errmsg(db));
    printf("D3 SQL: %s\n", sqlite3_errmsg(db));
    sqlite3_finalize(pStmt);
    ck_assert_int_eq(sqlite3_close(db), SQLITE_OK);
    testDirFree(&work);
  }
}
END_TEST

/* ---------------------------------------------------------------- D4 */

/*
** Open a copy of the engine base after fDamage; it must fail with CORRUPT
** or CANTOPEN and a message containing zWant (NULL: any), or, if bMayOpen,
** open with the full oracle.
*/
static void crD4Expect(const char *zDir, const char *zWhat, const char *zWant,
                       int bMayOpen){
  CrDamage dmg;
  CrState *pFull = malloc(sizeof(CrState));
  const CrState *apCand[1];
  int rc;
  lsmc_db *pDb;
  memset(&dmg, 0, sizeof(dmg));
  crSnprintf(dmg.zWhat, sizeof(dmg.zWhat), "%s", zWhat);
  crPrefix(&gEng, gEng.nRec, pFull);
  apCand[0] = pFull;
  pDb = crOpen(zDir, LSMC_RECOVER_STRICT, &rc);
  if( rc==LSMC_OK ){
    if( !bMayOpen ) crFail(&dmg, "opened");
    crVerify(pDb, apCand, 1, &dmg);
  }else{
    if( LSMC_PRIMARY(rc)!=LSMC_CORRUPT && LSMC_PRIMARY(rc)!=LSMC_CANTOPEN ){
      crFail(&dmg, "rc=%d %s", rc, lsmc_errmsg(pDb));
    }
    if( zWant && strstr(lsmc_errmsg(pDb), zWant)==0 ){
      crFail(&dmg, "message '%s' does not name %s", lsmc_errmsg(pDb), zWant);
    }
    printf("D4 %-34s -> %s\n", zWhat, lsmc_errmsg(pDb));
  }
  lsmc_close(pDb);
  free(pFull);
}

/* Write zText as the file zName of zDir. */
static void crPut(const char *zDir, const char *zName, const char *zText){
  char zPath[700];
  crSnprintf(zPath, sizeof(zPath), "%s/%s", zDir, zName);
  fileWrite(zPath, zText, strlen(zText));
}

START_TEST(d4_manifest_current_files){
  TestDir work;
  char zPath[700];
  u64 nMan;
  int i;

  /* The manifest: flipped in its first record, deleted, emptied. */
  testDirNew(&work, "corrupt_d4");
  copyTree(gEng.zStore, work.zPath);
  crSnprintf(zPath, sizeof(zPath), "%s/%s", work.zPath, gEng.zManifest);
  nMan = fileSize(zPath);
  fileFlip(zPath, 12, 0x20);
  crD4Expect(work.zPath, "manifest: first record flipped", "manifest", 0);
  testDirFree(&work);

  testDirNew(&work, "corrupt_d4");
  copyTree(gEng.zStore, work.zPath);
  crSnprintf(zPath, sizeof(zPath), "%s/%s", work.zPath, gEng.zManifest);
  ck_assert_int_eq(unlink(zPath), 0);
  crD4Expect(work.zPath, "manifest: deleted", "manifest", 0);
  testDirFree(&work);

  for(i=0; i<=8; i++){
    char zWhat[80];
    u64 nCut = i==0 ? 0 : nMan*(u64)i/9;
    testDirNew(&work, "corrupt_d4");
    copyTree(gEng.zStore, work.zPath);
    crSnprintf(zPath, sizeof(zPath), "%s/%s", work.zPath, gEng.zManifest);
    ck_assert_int_eq(truncate(zPath, (off_t)nCut), 0);
    crSnprintf(zWhat, sizeof(zWhat), "manifest: truncated to %llu of %llu",
             (unsigned long long)nCut, (unsigned long long)nMan);
    crD4Expect(work.zPath, zWhat, 0, 0);
    testDirFree(&work);
  }

  /* CURRENT: garbage, deleted, empty, no newline, a missing manifest. */
  {
    static const char *azCur[] = {
      "garbage\n", 0, "", "MANIFEST-000001", "MANIFEST-999999\n",
      "MANIFEST-000001\nMANIFEST-000002\n"
    };
    for(i=0; i<(int)(sizeof(azCur)/sizeof(azCur[0])); i++){
      char zWhat[80];
      testDirNew(&work, "corrupt_d4");
      copyTree(gEng.zStore, work.zPath);
      if( azCur[i] ){
        crPut(work.zPath, "CURRENT", azCur[i]);
        crSnprintf(zWhat, sizeof(zWhat), "CURRENT: \"%.20s\"", azCur[i]);
      }else{
        crSnprintf(zPath, sizeof(zPath), "%s/CURRENT", work.zPath);
        ck_assert_int_eq(unlink(zPath), 0);
        crSnprintf(zWhat, sizeof(zWhat), "CURRENT: deleted");
      }
      for(char *z=zWhat; *z; z++) if( *z=='\n' ) *z = ' ';
      crD4Expect(work.zPath, zWhat, "CURRENT", 0);
      testDirFree(&work);
    }
  }

  /* A live SSTable of each level deleted (the first, middle, last). */
  for(i=0; i<3; i++){
    const char *zSst = gEng.azSst[i==0 ? 0 : i==1 ? gEng.nSst/2 : gEng.nSst-1];
    char zWhat[80];
    testDirNew(&work, "corrupt_d4");
    copyTree(gEng.zStore, work.zPath);
    crSnprintf(zPath, sizeof(zPath), "%s/%s", work.zPath, zSst);
    ck_assert_int_eq(unlink(zPath), 0);
    crSnprintf(zWhat, sizeof(zWhat), "%s deleted", zSst);
    crD4Expect(work.zPath, zWhat, zSst, 0);
    testDirFree(&work);
  }

  /* Unreferenced files.  Above NEXT_FILE (numbers of 900000 and up) and a
  ** foreign name: kept.  Ours below NEXT_FILE: removed.  New numbers stay
  ** above the planted ones. */
  {
    static const char *azKeep[] = {
      "900000.sst", "900001.tmp", "MANIFEST-900002", "notes.txt", "000001.txt"
    };
    char azGone[2][16];
    int nGone = 0, n;
    CrDamage dmg;
    CrState *pFull = malloc(sizeof(CrState));
    const CrState *apCand[1];
    lsmc_db *pDb;
    int rc;
    u64 iMin = 0;
    memset(&dmg, 0, sizeof(dmg));
    crSnprintf(dmg.zWhat, sizeof(dmg.zWhat), "unreferenced files");
    testDirNew(&work, "corrupt_d4");
    copyTree(gEng.zStore, work.zPath);
    for(i=0; i<(int)(sizeof(azKeep)/sizeof(azKeep[0])); i++){
      crPut(work.zPath, azKeep[i], "planted\n");
    }
    /* Below NEXT_FILE: numbers under the smallest live SSTable's that no
    ** file uses (they were handed out and their files deleted). */
    for(n=1; n<1000 && nGone<2; n++){
      char zName[16];
      crSnprintf(zName, sizeof(zName), "%06d.%s", n, nGone ? "tmp" : "sst");
      crSnprintf(zPath, sizeof(zPath), "%s/%06d.sst", work.zPath, n);
      if( fileExists(zPath) ) break;
      crSnprintf(zPath, sizeof(zPath), "%s/%06d.log", work.zPath, n);
      if( fileExists(zPath) ) continue;
      crSnprintf(azGone[nGone++], 16, "%s", zName);
      crPut(work.zPath, zName, "orphan of ours\n");
    }
    ck_assert_int_eq(nGone, 2);
    crPrefix(&gEng, gEng.nRec, pFull);
    apCand[0] = pFull;
    pDb = crOpen(work.zPath, LSMC_RECOVER_STRICT, &rc);
    ck_assert_msg(rc==LSMC_OK, "open with planted files: %s", lsmc_errmsg(pDb));
    crVerify(pDb, apCand, 1, &dmg);
    for(i=0; i<(int)(sizeof(azKeep)/sizeof(azKeep[0])); i++){
      crSnprintf(zPath, sizeof(zPath), "%s/%s", work.zPath, azKeep[i]);
      ck_assert_msg(fileExists(zPath), "%s was deleted", azKeep[i]);
    }
    for(i=0; i<2; i++){
      crSnprintf(zPath, sizeof(zPath), "%s/%s", work.zPath, azGone[i]);
      ck_assert_msg(!fileExists(zPath), "our orphan %s was kept", azGone[i]);
    }
    /* Flushes, compactions and two more opens (the manifest records the
    ** planted numbers as FOREIGN): every planted file survives unchanged,
    ** and no number of the store collides with a planted one. */
    {
      char zVal[100];
      size_t nVal = crValue(0, 99, zVal);
      int iRound;
      DIR *d;
      struct dirent *pEnt;
      for(iRound=0; iRound<3; iRound++){
        ck_assert_int_eq(lsmc_put(pDb, "key00000", 8, zVal, nVal), LSMC_OK);
        ck_assert_int_eq(lsmc_flush(pDb), LSMC_OK);
        ck_assert_int_eq(lsmc_compact_range(pDb, 0, 0, 0, 0), LSMC_OK);
        lsmc_close(pDb);
        pDb = 0;
        pDb = crOpen(work.zPath, LSMC_RECOVER_STRICT, &rc);
        ck_assert_msg(rc==LSMC_OK, "reopen %d: %s", iRound, lsmc_errmsg(pDb));
        for(i=0; i<(int)(sizeof(azKeep)/sizeof(azKeep[0])); i++){
          char zBuf[32] = {0};
          FILE *pIn;
          crSnprintf(zPath, sizeof(zPath), "%s/%s", work.zPath, azKeep[i]);
          pIn = fopen(zPath, "r");
          ck_assert_msg(pIn!=0, "%s was deleted (round %d)", azKeep[i], iRound);
          ck_assert_ptr_nonnull(fgets(zBuf, sizeof(zBuf), pIn));
          fclose(pIn);
          ck_assert_msg(strcmp(zBuf, "planted\n")==0, "%s was overwritten",
                        azKeep[i]);
        }
      }
      d = opendir(work.zPath);
      while( (pEnt = readdir(d))!=0 ){
        size_t nName = strlen(pEnt->d_name);
        if( nName==10 && strcmp(&pEnt->d_name[6], ".sst")==0 ){
          u64 iNum = strtoull(pEnt->d_name, 0, 10);
          if( iNum>iMin && iNum<900000 ) iMin = iNum;
        }
      }
      closedir(d);
    }
    lsmc_close(pDb);
    printf("D4 planted files: %d above NEXT_FILE or foreign kept, %d orphans "
           "of ours removed, newest file %06llu\n",
           (int)(sizeof(azKeep)/sizeof(azKeep[0])), nGone,
           (unsigned long long)iMin);
    testDirFree(&work);
    free(pFull);
  }
}
END_TEST

/* ---------------------------------------------------------------- D5 */

/* Peak resident set of this process in KiB (VmHWM). */
static long crPeakKiB(void){
  FILE *f = fopen("/proc/self/status", "r");
  char zLine[256];
  long n = -1;
  while( f && fgets(zLine, sizeof(zLine), f) ){
    if( strncmp(zLine, "VmHWM:", 6)==0 ) n = strtol(&zLine[6], 0, 10);
  }
  if( f ) fclose(f);
  return n;
}

/* What a D5 case must produce. */
#define D5_OPEN   1   /* lsmc_open fails with LSMC_CORRUPT */
#define D5_READ   2   /* the open may succeed; then a full scan (or, if the
                      ** scan succeeds, lsmc_check) gives LSMC_CORRUPT */

/*
** In a forked child: open zDir, read, and exit 0 if the outcome is as
** eWant says and the peak RSS grew by less than 64 MiB; else print why
** and exit 1.
*/
static void crD5Child(const char *zDir, int eWant, const char *zWhat){
  long nBase = crPeakKiB();
  long nPeak;
  int rc, rcScan = LSMC_OK, rcCheck = LSMC_OK;
  lsmc_db *pDb = crOpen(zDir, LSMC_RECOVER_STRICT, &rc);
  if( rc==LSMC_OK ){
    lsmc_iter *pIter = 0;
    char *zReport = 0;
    rcScan = lsmc_iter_open(pDb, 0, 0, 0, 0, 0, &pIter);
    if( rcScan==LSMC_OK ) rcScan = lsmc_iter_first(pIter);
    while( rcScan==LSMC_OK && lsmc_iter_valid(pIter) ){
      rcScan = lsmc_iter_next(pIter);
    }
    lsmc_iter_close(pIter);
    rcCheck = lsmc_check(pDb, &zReport);
    lsmc_free(pDb, zReport);
  }
  nPeak = crPeakKiB();
  printf("D5 %-44s open rc=%d scan rc=%d check rc=%d, peak RSS +%ld KiB"
         "%s%s\n", zWhat, rc, rcScan, rcCheck, nPeak - nBase,
         rc ? ": " : "", rc ? lsmc_errmsg(pDb) : "");
  fflush(stdout);
  lsmc_close(pDb);
  if( nBase<0 || nPeak - nBase >= 64*1024 ) _exit(1);
  if( eWant==D5_OPEN && rc!=LSMC_CORRUPT ) _exit(1);
  if( eWant==D5_READ && rc!=LSMC_CORRUPT && rcScan!=LSMC_CORRUPT
   && rcCheck!=LSMC_CORRUPT ) _exit(1);
  _exit(0);
}

/* Run crD5Child in a fork and assert that it passed. */
static void crD5Run(const char *zDir, int eWant, const char *zWhat){
  pid_t pid;
  int st = 0;
  fflush(stdout);
  pid = fork();
  ck_assert_int_ge(pid, 0);
  if( pid==0 ) crD5Child(zDir, eWant, zWhat);
  ck_assert_int_eq(waitpid(pid, &st, 0), pid);
  if( !WIFEXITED(st) || WEXITSTATUS(st)!=0 ){
    CrDamage dmg;
    memset(&dmg, 0, sizeof(dmg));
    crSnprintf(dmg.zWhat, sizeof(dmg.zWhat), "D5 %s (status %d)", zWhat, st);
    crFail(&dmg, "hostile value not refused within the memory bound");
  }
}

/* Write a log file (manifest or WAL framing) holding the given records. */
static void crWriteLog(const char *zPath, LsmcBuf *aRec, int nRec){
  WalWriter *pW = 0;
  int i;
  unlink(zPath);
  ck_assert_int_eq(lsmcWalWriterOpen(lsmc_default_env(), zPath, &pW), LSMC_OK);
  for(i=0; i<nRec; i++){
    ck_assert_int_eq(lsmcWalAddRecord(pW, aRec[i].a, aRec[i].n), LSMC_OK);
  }
  ck_assert_int_eq(lsmcWalSync(pW), LSMC_OK);
  ck_assert_int_eq(lsmcWalWriterClose(pW), LSMC_OK);
}

/* Append an internal key (user key zKey, sequence iSeq, a put). */
static void crAppendIKey(int *pRc, LsmcBuf *p, const char *zKey, u64 iSeq){
  u8 a[8];
  lsmcBufAppendVarint(pRc, p, strlen(zKey) + 8);
  lsmcBufAppend(pRc, p, zKey, strlen(zKey));
  lsmcPut64(a, lsmcTrailerPack(iSeq, LSMC_KIND_PUT));
  lsmcBufAppend(pRc, p, a, 8);
}

/*
** A manifest of two records: the FORMAT/LOG/NEXT_FILE/LAST_SEQ record,
** then one whose body is pBody (ADD_FILE items); CURRENT names it.
** The store keeps its SSTables (they become orphans or are named again).
*/
static void crD5Manifest(const char *zDir, u64 iNext, const LsmcBuf *pBody){
  LsmcBuf aRec[2];
  char zPath[700];
  int rc = LSMC_OK;
  DIR *d = opendir(zDir);
  struct dirent *pEnt;
  while( (pEnt = readdir(d))!=0 ){            /* remove WALs and manifests */
    if( strstr(pEnt->d_name, ".log") || strncmp(pEnt->d_name, "MANIFEST-", 9)==0 ){
      crSnprintf(zPath, sizeof(zPath), "%s/%s", zDir, pEnt->d_name);
      unlink(zPath);
    }
  }
  closedir(d);
  lsmcBufInit(&aRec[0], lsmc_default_env());
  lsmcBufInit(&aRec[1], lsmc_default_env());
  lsmcBufAppendVarint(&rc, &aRec[0], 6);  lsmcBufAppendVarint(&rc, &aRec[0], 1);
  lsmcBufAppendVarint(&rc, &aRec[0], 1);  lsmcBufAppendVarint(&rc, &aRec[0], 0);
  lsmcBufAppendVarint(&rc, &aRec[0], 2);  lsmcBufAppendVarint(&rc, &aRec[0], iNext);
  lsmcBufAppendVarint(&rc, &aRec[0], 3);  lsmcBufAppendVarint(&rc, &aRec[0], 1000000);
  lsmcBufAppend(&rc, &aRec[1], pBody->a, pBody->n);
  ck_assert_int_eq(rc, LSMC_OK);
  crSnprintf(zPath, sizeof(zPath), "%s/MANIFEST-%06llu", zDir,
           (unsigned long long)(iNext - 2));
  crWriteLog(zPath, aRec, pBody->n ? 2 : 1);
  crSnprintf(zPath, sizeof(zPath), "MANIFEST-%06llu\n", (unsigned long long)(iNext - 2));
  crPut(zDir, "CURRENT", zPath);
  lsmcBufFree(&aRec[0]);
  lsmcBufFree(&aRec[1]);
}

/* Append an ADD_FILE item: level, number, size, entries, keys. */
static void crAddFile(int *pRc, LsmcBuf *p, int iLevel, u64 iNum, u64 nSize,
                      u64 nEntries, const char *zLo, const char *zHi){
  lsmcBufAppendVarint(pRc, p, 4);
  lsmcBufAppendVarint(pRc, p, (u64)iLevel);
  lsmcBufAppendVarint(pRc, p, iNum);
  lsmcBufAppendVarint(pRc, p, nSize);
  lsmcBufAppendVarint(pRc, p, 1);           /* min seq */
  lsmcBufAppendVarint(pRc, p, 1000);        /* max seq */
  lsmcBufAppendVarint(pRc, p, nEntries);
  lsmcBufAppendVarint(pRc, p, 0);
  lsmcBufAppendVarint(pRc, p, 1);           /* created */
  crAppendIKey(pRc, p, zLo, 1000);
  crAppendIKey(pRc, p, zHi, 1);
}

/*
** Rewrite the SSTable zPath: its bytes up to the footer, then the blocks
** of aBlk (each given its trailer), then a footer copied from the old one
** with the handle of block i stored where aiSlot[i] says (0 index, 1
** filter, 2 properties; -1: none), and its size overridden by anSize[i]
** when that is not 0 (a hostile size).
*/
static void crSstRewrite(const char *zPath, LsmcBuf *aBlk, const int *aiSlot,
                         const u64 *anSize, int nBlk){
  size_t n = 0;
  u8 *a = fileRead(zPath, &n);
  SstFooter f;
  LsmcBuf out;
  int rc = LSMC_OK, i;
  u8 aFoot[LSMC_SST_FOOTER_SIZE];
  ck_assert_ptr_nonnull(a);
  ck_assert_int_eq(lsmcSstFooterDecode(&a[n-LSMC_SST_FOOTER_SIZE], &f), LSMC_OK);
  lsmcBufInit(&out, lsmc_default_env());
  lsmcBufAppend(&rc, &out, a, n - LSMC_SST_FOOTER_SIZE);
  for(i=0; i<nBlk; i++){
    SstHandle h;
    h.iOff = out.n;
    h.nSize = anSize[i] ? anSize[i] : aBlk[i].n;
    lsmcSstTrailerAppend(&rc, &aBlk[i]);
    lsmcBufAppend(&rc, &out, aBlk[i].a, aBlk[i].n);
    if( aiSlot[i]==0 ) f.index = h;
    if( aiSlot[i]==1 ) f.filter = h;
    if( aiSlot[i]==2 ) f.props = h;
  }
  lsmcSstFooterEncode(aFoot, &f);
  lsmcBufAppend(&rc, &out, aFoot, sizeof(aFoot));
  ck_assert_int_eq(rc, LSMC_OK);
  fileWrite(zPath, out.a, out.n);
  lsmcBufFree(&out);
  free(a);
}

/* The first index entry's key of SSTable zPath, into *pKey. */
static void crFirstIndexKey(const char *zPath, LsmcBuf *pKey){
  size_t n = 0;
  u8 *a = fileRead(zPath, &n);
  SstFooter f;
  u64 nShared = 0, nNon = 0, nVal = 0;
  const u8 *p, *pEnd;
  int rc = LSMC_OK;
  ck_assert_int_eq(lsmcSstFooterDecode(&a[n-LSMC_SST_FOOTER_SIZE], &f), LSMC_OK);
  p = &a[f.index.iOff];
  pEnd = p + f.index.nSize;
  p += lsmcGetVarint64(p, pEnd, &nShared);
  p += lsmcGetVarint64(p, pEnd, &nNon);
  p += lsmcGetVarint64(p, pEnd, &nVal);
  ck_assert_uint_eq(nShared, 0);
  lsmcBufSet(&rc, pKey, p, (size_t)nNon);
  ck_assert_int_eq(rc, LSMC_OK);
  free(a);
}

/* Append a one-entry block (restart interval 1): key, value. */
static void crOneEntryBlock(int *pRc, LsmcBuf *p, const u8 *pKey, u64 nKey,
                            const u8 *pVal, size_t nVal, size_t nKeyBytes){
  u8 a[4];
  lsmcBufAppendVarint(pRc, p, 0);
  lsmcBufAppendVarint(pRc, p, nKey);
  lsmcBufAppendVarint(pRc, p, nVal);
  lsmcBufAppend(pRc, p, pKey, nKeyBytes);
  lsmcBufAppend(pRc, p, pVal, nVal);
  lsmcPut32(a, 0);  lsmcBufAppend(pRc, p, a, 4);
  lsmcPut32(a, 1);  lsmcBufAppend(pRc, p, a, 4);
}

START_TEST(d5_hostile_values){
  TestDir work;
  char zPath[700];
  LsmcBuf body, blk[2], key;
  int rc = LSMC_OK, i;
  const char *zSst = gEng.azSst[0];
  lsmc_env *pEnv = lsmc_default_env();
  lsmcBufInit(&body, pEnv);
  lsmcBufInit(&blk[0], pEnv);
  lsmcBufInit(&blk[1], pEnv);
  lsmcBufInit(&key, pEnv);

  /* Manifest: NEXT_FILE 10^9, naming file 10^9-1 (absent). */
  testDirNew(&work, "corrupt_d5");
  copyTree(gEng.zStore, work.zPath);
  crAddFile(&rc, &body, 1, 999999999, 1000000000, 1000000000, "a", "b");
  crD5Manifest(work.zPath, 1000000000, &body);
  crD5Run(work.zPath, D5_OPEN, "manifest: file 10^9-1, NEXT_FILE 10^9");
  testDirFree(&work);

  /* Manifest: one edit adding 5,000 files (the cap is 4,096). */
  testDirNew(&work, "corrupt_d5");
  copyTree(gEng.zStore, work.zPath);
  body.n = 0;
  for(i=0; i<5000; i++){
    char zLo[16], zHi[16];
    crSnprintf(zLo, sizeof(zLo), "k%07d", 2*i);
    crSnprintf(zHi, sizeof(zHi), "k%07d", 2*i+1);
    crAddFile(&rc, &body, 1, (u64)(1000+i), 100, 1, zLo, zHi);
  }
  crD5Manifest(work.zPath, 100000, &body);
  crD5Run(work.zPath, D5_OPEN, "manifest: one edit adding 5,000 files");
  testDirFree(&work);

  /* Manifest: an edit whose smallest key claims 2^31 bytes. */
  testDirNew(&work, "corrupt_d5");
  copyTree(gEng.zStore, work.zPath);
  body.n = 0;
  lsmcBufAppendVarint(&rc, &body, 4);
  for(i=0; i<8; i++) lsmcBufAppendVarint(&rc, &body, i==1 ? 50 : 1);
  lsmcBufAppendVarint(&rc, &body, (u64)1<<31);
  lsmcBufAppend(&rc, &body, "0123456789abcdef", 16);
  crD5Manifest(work.zPath, 100000, &body);
  crD5Run(work.zPath, D5_OPEN, "manifest: key length 2^31");
  testDirFree(&work);

  /* Manifest: a real file described as 10^9 entries and 10^9 bytes. */
  {
    size_t n = 0;
    u8 *a;
    SstFooter f;
    u64 iNum = strtoull(zSst, 0, 10);
    testDirNew(&work, "corrupt_d5");
    copyTree(gEng.zStore, work.zPath);
    crSnprintf(zPath, sizeof(zPath), "%s/%s", work.zPath, zSst);
    a = fileRead(zPath, &n);
    ck_assert_int_eq(lsmcSstFooterDecode(&a[n-LSMC_SST_FOOTER_SIZE], &f), LSMC_OK);
    free(a);
    body.n = 0;
    crAddFile(&rc, &body, 6, iNum, 1000000000, 1000000000, "key00000", "key99999");
    crD5Manifest(work.zPath, iNum + 10, &body);
    crD5Run(work.zPath, D5_READ, "manifest: a file of 10^9 entries/bytes");
    testDirFree(&work);
  }

  /* SSTable footer: a 4 GiB index block, a 1 GiB properties block. */
  for(i=0; i<2; i++){
    int aiSlot[1];
    u64 anSize[1];
    testDirNew(&work, "corrupt_d5");
    copyTree(gEng.zStore, work.zPath);
    crSnprintf(zPath, sizeof(zPath), "%s/%s", work.zPath, zSst);
    blk[0].n = 0;
    lsmcBufAppend(&rc, &blk[0], "xxxxxxxx", 8);
    aiSlot[0] = i==0 ? 0 : 2;
    anSize[0] = i==0 ? (u64)4<<30 : (u64)1<<30;
    crSstRewrite(zPath, blk, aiSlot, anSize, 1);
    crD5Run(work.zPath, D5_READ, i==0 ? "sst footer: 4 GiB index block"
                                      : "sst footer: 1 GiB properties block");
    testDirFree(&work);
  }

  /* SSTable index: its first entry names a 4 GiB data block. */
  {
    u8 aHandle[LSMC_SST_MAX_HANDLE];
    int nHandle;
    int aiSlot[1] = {0};
    u64 anSize[1] = {0};
    testDirNew(&work, "corrupt_d5");
    copyTree(gEng.zStore, work.zPath);
    crSnprintf(zPath, sizeof(zPath), "%s/%s", work.zPath, zSst);
    crFirstIndexKey(zPath, &key);
    nHandle = lsmcPutVarint(aHandle, 0);
    nHandle += lsmcPutVarint(&aHandle[nHandle], (u64)4<<30);
    blk[0].n = 0;
    crOneEntryBlock(&rc, &blk[0], key.a, key.n, aHandle, (size_t)nHandle, key.n);
    crSstRewrite(zPath, blk, aiSlot, anSize, 1);
    crD5Run(work.zPath, D5_READ, "sst index: a 4 GiB data block");
    testDirFree(&work);
  }

  /* SSTable data block: an entry whose key claims 2^31 bytes. */
  {
    u8 aHandle[LSMC_SST_MAX_HANDLE];
    int nHandle;
    int aiSlot[2] = {-1, 0};
    u64 anSize[2] = {0, 0};
    size_t n = 0;
    testDirNew(&work, "corrupt_d5");
    copyTree(gEng.zStore, work.zPath);
    crSnprintf(zPath, sizeof(zPath), "%s/%s", work.zPath, zSst);
    crFirstIndexKey(zPath, &key);
    free(fileRead(zPath, &n));
    blk[0].n = 0;
    crOneEntryBlock(&rc, &blk[0], key.a, (u64)1<<31, (const u8*)"", 0, key.n);
    /* The data block lands where the old footer began. */
    nHandle = lsmcPutVarint(aHandle, n - LSMC_SST_FOOTER_SIZE);
    nHandle += lsmcPutVarint(&aHandle[nHandle], blk[0].n);
    blk[1].n = 0;
    crOneEntryBlock(&rc, &blk[1], key.a, key.n, aHandle, (size_t)nHandle, key.n);
    crSstRewrite(zPath, blk, aiSlot, anSize, 2);
    crD5Run(work.zPath, D5_READ, "sst data block: key length 2^31");
    testDirFree(&work);
  }

  /* SSTable filter: claims 10^9 lines of 64 bytes. */
  {
    int aiSlot[1] = {1};
    u64 anSize[1] = {0};
    u8 a[4];
    testDirNew(&work, "corrupt_d5");
    copyTree(gEng.zStore, work.zPath);
    crSnprintf(zPath, sizeof(zPath), "%s/%s", work.zPath, zSst);
    blk[0].n = 0;
    for(i=0; i<64; i++) lsmcBufAppend(&rc, &blk[0], "\xff", 1);
    lsmcBufAppend(&rc, &blk[0], "\x07", 1);
    lsmcPut32(a, 1000000000);
    lsmcBufAppend(&rc, &blk[0], a, 4);
    crSstRewrite(zPath, blk, aiSlot, anSize, 1);
    crD5Run(work.zPath, D5_READ, "sst filter: 10^9 lines");
    testDirFree(&work);
  }

  /* WAL: a batch entry with a key length of 2^31, and a batch claiming
  ** 10^9 entries; each followed by a valid record. */
  for(i=0; i<2; i++){
    LsmcBuf aRec[2];
    u8 aHdr[12];
    testDirNew(&work, "corrupt_d5");
    copyTree(gEng.zStore, work.zPath);
    lsmcBufInit(&aRec[0], pEnv);
    lsmcBufInit(&aRec[1], pEnv);
    lsmcPut64(aHdr, 5000000);
    lsmcPut32(&aHdr[8], i==0 ? 1 : 1000000000);
    lsmcBufAppend(&rc, &aRec[0], aHdr, 12);
    lsmcBufAppend(&rc, &aRec[0], "\x01", 1);              /* a put */
    lsmcBufAppendVarint(&rc, &aRec[0], i==0 ? (u64)1<<31 : 8);
    lsmcBufAppend(&rc, &aRec[0], "key00001", 8);
    lsmcBufAppendVarint(&rc, &aRec[0], 1);
    lsmcBufAppend(&rc, &aRec[0], "v", 1);
    lsmcPut64(aHdr, 5000001);
    lsmcPut32(&aHdr[8], 0);
    lsmcBufAppend(&rc, &aRec[1], aHdr, 12);
    ck_assert_int_eq(rc, LSMC_OK);
    crSnprintf(zPath, sizeof(zPath), "%s/%s", work.zPath, gEng.zWal);
    crWriteLog(zPath, aRec, 2);
    crD5Run(work.zPath, D5_OPEN, i==0 ? "WAL batch: key length 2^31"
                                      : "WAL batch: 10^9 entries");
    lsmcBufFree(&aRec[0]);
    lsmcBufFree(&aRec[1]);
    testDirFree(&work);
  }
  ck_assert_int_eq(rc, LSMC_OK);
  lsmcBufFree(&body);
  lsmcBufFree(&blk[0]);
  lsmcBufFree(&blk[1]);
  lsmcBufFree(&key);
}
END_TEST

int main(void){
  Suite *s = suite_create("corrupt");
  TCase *tc = tcase_create("corrupt");
  SRunner *sr;
  int nFail;
  tcase_add_unchecked_fixture(tc, crSetup, crTeardown);
  tcase_set_timeout(tc, 3600);
  tcase_add_test(tc, d1_flips);
  tcase_add_test(tc, d1_flips_sql);
  tcase_add_test(tc, d2_torn_wal_tail);
  tcase_add_test(tc, d3_wal_middle_damage);
  tcase_add_test(tc, d4_manifest_current_files);
  tcase_add_test(tc, d5_hostile_values);
  suite_add_tcase(s, tc);
  sr = srunner_create(s);
  srunner_run_all(sr, CK_NORMAL);
  nFail = srunner_ntests_failed(sr);
  srunner_free(sr);
  return nFail ? EXIT_FAILURE : EXIT_SUCCESS;
}
