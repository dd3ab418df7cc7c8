/*
** check.c -- the integrity check, lsmc_check(): every SSTable of the
** current version is verified block by block (checksums, key order within
** and across blocks, every key in the filter: lsmcSstVerify), its size,
** sequence range and key range are compared with what the manifest says,
** files of levels >= 1 must not overlap, no sequence number may exceed the
** last one, and the directory must hold every file the manifest names.
** Files of ours that the manifest does not name are reported as notes
** (orphans are not damage: a crash can leave them, and the next open
** removes them).
**
** The check reads only.  It pins the current version, so it runs while
** the store is in use; compactions may delete files it no longer needs.
** lsmc_check_progress reports the bytes of that version's SSTables
** checked after each one; lsmc_check is it without a callback.
*/
#include "db.h"
#include "coding.h"
#include "filename.h"

#include <stdarg.h>
#include <stdio.h>

/* The report being built. */
typedef struct CheckReport CheckReport;
struct CheckReport {
  LsmcBuf buf;           /* Lines so far */
  int nFault;            /* Faults found */
  int nNote;             /* Notes (orphans) */
  int rc;                /* LSMC_NOMEM if the report could not grow */
};

static void checkLine(CheckReport *p, int bFault, const char *zFmt, ...){
  char z[600];
  va_list ap;
  int n;
  va_start(ap, zFmt);
  n = vsnprintf(z, sizeof(z), zFmt, ap);
  va_end(ap);
  if( n>(int)sizeof(z)-1 ) n = (int)sizeof(z)-1;
  if( p->buf.n ) lsmcBufAppend(&p->rc, &p->buf, "\n", 1);
  lsmcBufAppend(&p->rc, &p->buf, z, (size_t)n);
  if( bFault ) p->nFault++; else p->nNote++;
}

/* Compare the user keys of two internal keys held in buffers. */
static int checkUKeyCmp(const LsmcBuf *a, const LsmcBuf *b){
  return lsmcUKeyCompare(a->a, a->n - LSMC_TRAILER_SIZE,
                         b->a, b->n - LSMC_TRAILER_SIZE);
}

/*
** Check one file against the manifest's description of it.
*/
static void checkFile(LsmEngine *e, CheckReport *r, int iLevel, FileMeta *f,
                      u64 iLastSeq){
  unsigned long long iNum = (unsigned long long)f->iNumber;
  char *zPath = lsmcFileName(e->pEnv, e->zDir, LSMC_FILE_SST, f->iNumber);
  lsmc_file *pFile = 0;
  SstReader *pReader = 0;
  CacheHandle *pHandle = 0;
  u64 nSize = 0;
  int rc;

  if( zPath==0 ){ r->rc = LSMC_NOMEM; return; }
  rc = LSMC_ENV(e->pEnv->xOpen(e->pEnv, zPath, LSMC_OPEN_READONLY, &pFile));
  if( rc==LSMC_OK ) rc = LSMC_ENV(e->pEnv->xSize(pFile, &nSize));
  if( pFile ) LSMC_ENV(e->pEnv->xClose(pFile));
  lsmcFree(e->pEnv, zPath);
  if( rc==LSMC_IOERR_NOENT ){
    checkLine(r, 1, "%06llu.sst (L%d): missing, but named by the manifest",
              iNum, iLevel);
    return;
  }
  if( rc ){ r->rc = rc; return; }
  if( nSize!=f->nSize ){
    checkLine(r, 1, "%06llu.sst (L%d): %llu bytes, the manifest says %llu",
              iNum, iLevel, (unsigned long long)nSize,
              (unsigned long long)f->nSize);
    return;
  }
  if( f->iMaxSeq>iLastSeq ){
    checkLine(r, 1, "%06llu.sst (L%d): sequence %llu is above the last "
              "sequence %llu", iNum, iLevel, (unsigned long long)f->iMaxSeq,
              (unsigned long long)iLastSeq);
  }
  rc = lsmcFileReader(f, &pReader, &pHandle);
  if( rc==LSMC_OK ){
    char *zMsg = 0;
    const SstProps *pProps = lsmcSstProps(pReader);
    int rcVerify = lsmcSstVerify(pReader, &zMsg);
    if( rcVerify!=LSMC_OK && LSMC_PRIMARY(rcVerify)!=LSMC_CORRUPT ){
      r->rc = rcVerify;          /* an I/O or memory error is no damage */
    }else if( rcVerify!=LSMC_OK ){
      checkLine(r, 1, "%06llu.sst (L%d): %s", iNum, iLevel,
                zMsg ? zMsg : "damaged");
    }else if( pProps->iMinSeq!=f->iMinSeq || pProps->iMaxSeq!=f->iMaxSeq
           || pProps->nEntries!=f->nEntries
           || lsmcIKeyCompare(pProps->smallest.a, pProps->smallest.n,
                              f->smallest.a, f->smallest.n)!=0
           || lsmcIKeyCompare(pProps->largest.a, pProps->largest.n,
                              f->largest.a, f->largest.n)!=0 ){
      checkLine(r, 1, "%06llu.sst (L%d): its properties disagree with the "
                "manifest (entries, sequence or key range)", iNum, iLevel);
    }
    lsmcFree(e->pEnv, zMsg);
    lsmcCacheRelease(pHandle);
  }else if( LSMC_PRIMARY(rc)==LSMC_CORRUPT ){
    checkLine(r, 1, "%06llu.sst (L%d): cannot be opened: %s", iNum, iLevel,
              lsmc_errstr(rc));
  }else{
    r->rc = rc;
  }
}

/* Context of the orphan listing. */
typedef struct OrphanScan OrphanScan;
struct OrphanScan {
  Version *v;            /* Version whose files are live */
  const VersionSet *pVs; /* Its set (FOREIGN numbers: fixed after open) */
  u64 iReserved;         /* NEXT_FILE of the manifest, read under mu */
  CheckReport *r;        /* Report */
};

static int checkOrphan(void *pArg, const char *zName){
  OrphanScan *p = (OrphanScan*)pArg;
  int eType, i, j;
  u64 iNum;
  if( !lsmcParseFileName(zName, &eType, &iNum) || eType!=LSMC_FILE_SST ){
    return 0;
  }
  for(i=0; i<LSMC_NUM_LEVELS; i++){
    for(j=0; j<p->v->anFile[i]; j++){
      if( p->v->apFile[i][j]->iNumber==iNum ) return 0;
    }
  }
  if( iNum>=p->iReserved || lsmcVersionSetIsForeign(p->pVs, iNum) ){
    checkLine(p->r, 0, "note: %s is named like the store's files but is not "
              "one of them (kept)", zName);
  }else{
    checkLine(p->r, 0, "note: %s is not named by the manifest (an orphan; "
              "the next open removes it)", zName);
  }
  return 0;
}

int lsmc_check(lsmc_db *pDb, char **pzReport){
  return lsmc_check_progress(pDb, 0, 0, pzReport);
}

/*
** The check itself (lsmc_check with a progress callback, called after each
** SSTable with the bytes of the pinned version's SSTables done so far).
*/
int lsmc_check_progress(lsmc_db *pDb,
                        void (*xProgress)(void *pArg, uint64_t nDone,
                                          uint64_t nTotal),
                        void *pArg, char **pzReport){
  LsmEngine *e;
  CheckReport r;
  Version *v;
  u64 iLastSeq;
  int bBusy;
  u64 iReserved;         /* NEXT_FILE of the manifest (under mu) */
  u64 nTotal = 0;        /* Bytes of v's SSTables */
  u64 nDone = 0;         /* ... checked so far */
  int i, j;

  if( pzReport==0 ) return LSMC_MISUSE_BKPT;
  *pzReport = 0;
  if( pDb==0 || pDb->pEng==0 ) return LSMC_MISUSE_BKPT;
  e = pDb->pEng;
  memset(&r, 0, sizeof(r));
  lsmcBufInit(&r.buf, pDb->pEnv);

  pthread_mutex_lock(&e->mu);
  v = e->pVs->pCurrent;
  lsmcVersionRef(v);
  iLastSeq = e->iLastSeq;
  pthread_mutex_unlock(&e->mu);
  for(i=0; i<LSMC_NUM_LEVELS; i++) nTotal += lsmcVersionLevelBytes(v, i);

  for(i=0; r.rc==LSMC_OK && i<LSMC_NUM_LEVELS; i++){
    for(j=0; r.rc==LSMC_OK && j<v->anFile[i]; j++){
      checkFile(e, &r, i, v->apFile[i][j], iLastSeq);
      nDone += v->apFile[i][j]->nSize;
      if( xProgress ) xProgress(pArg, nDone, nTotal);
      if( i>0 && j>0
       && checkUKeyCmp(&v->apFile[i][j-1]->largest,
                       &v->apFile[i][j]->smallest)>=0 ){
        checkLine(&r, 1, "L%d: %06llu.sst and %06llu.sst overlap", i,
                  (unsigned long long)v->apFile[i][j-1]->iNumber,
                  (unsigned long long)v->apFile[i][j]->iNumber);
      }
    }
  }

  /* Orphans, unless a flush or compaction is writing files right now. */
  pthread_mutex_lock(&e->mu);
  bBusy = e->bFlushing || e->bCompacting;
  iReserved = e->pVs->iReserved;
  if( !bBusy ){
    lsmcVersionUnref(v);
    v = e->pVs->pCurrent;
    lsmcVersionRef(v);
  }
  pthread_mutex_unlock(&e->mu);
  if( r.rc==LSMC_OK && !bBusy ){
    OrphanScan scan;
    scan.v = v;
    scan.pVs = e->pVs;
    scan.iReserved = iReserved;
    scan.r = &r;
    r.rc = LSMC_ENV(e->pEnv->xList(e->pEnv, e->zDir, checkOrphan, &scan));
  }
  lsmcVersionUnref(v);

  if( r.rc==LSMC_OK && r.nFault==0 ){
    LsmcBuf ok;
    lsmcBufInit(&ok, pDb->pEnv);
    lsmcBufAppend(&r.rc, &ok, "ok", 2);
    if( r.buf.n ) lsmcBufAppend(&r.rc, &ok, "\n", 1);
    lsmcBufAppend(&r.rc, &ok, r.buf.a, r.buf.n);
    lsmcBufFree(&r.buf);
    r.buf = ok;
  }
  lsmcBufAppend(&r.rc, &r.buf, "", 1);            /* the NUL */
  if( r.rc ){
    lsmcBufFree(&r.buf);
    return lsmcDbError(pDb, r.rc, "%s: integrity check failed", e->zDir);
  }
  *pzReport = (char*)r.buf.a;
  if( r.nFault ){
    return lsmcDbError(pDb, LSMC_CORRUPT, "%s: %d fault(s) found", e->zDir,
                       r.nFault);
  }
  return LSMC_OK;
}
