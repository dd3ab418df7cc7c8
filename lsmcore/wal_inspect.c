/*
** wal_inspect.c -- lsmc_wal_inspect(): reads one WAL file on its own, as
** recovery would in strict mode, for tools and tests.
**
** The framing is read by the WAL reader (wal_reader.c, through
** lsmcWalReplayPos, which also tells where each record lies and in how
** many fragments); each record is decoded as recovery decodes it (db.c):
** an abort marker (wal_format.h) or a write batch, whose entries come from
** batch.c's decoder (lsmcBatchIterate).  As in recovery, a batch that
** does not decode, or an abort marker that does not name the batch record
** just before it, is LSMC_CORRUPT.  A torn tail is reported in *pnTail
** and is no error; damage followed by valid records is LSMC_CORRUPT, with
** *pzErr naming the offset where reading stopped.
**
** Memory: the reader's buffers come from the options' env; *pzErr from
** the default env.  Thread safety: a call is self-contained; the file
** must not be written meanwhile (a live WAL may show a torn tail).
*/
#include "lsmcInt.h"
#include "batch.h"
#include "coding.h"
#include "options.h"
#include "wal_format.h"
#include "wal_reader.h"

#include <stdio.h>

/* State of one lsmc_wal_inspect call. */
typedef struct WalInspect WalInspect;
struct WalInspect {
  int (*xRecord)(void*, const lsmc_wal_record*);   /* Per record */
  int (*xEntry)(void*, const lsmc_wal_entry*);     /* Per entry, or NULL */
  void *pArg;                  /* Their argument */
  int bPrevBatch;              /* The record before was a batch ... */
  u64 iPrevSeq;                /* ... with this first sequence number */
  u32 nPrevCount;              /* ... and this many entries */
  int bStopped;                /* A callback returned non-zero */
  char zErr[200];              /* A decoding fault, or "" */
};

/* lsmcBatchIterate callback that accepts every entry (validation only). */
static int inspectNoEntry(void *pArg, u64 iSeq, int eKind, const u8 *pKey,
                          size_t nKey, const u8 *pVal, size_t nVal){
  LSMC_UNUSED(pArg); LSMC_UNUSED(iSeq); LSMC_UNUSED(eKind);
  LSMC_UNUSED(pKey); LSMC_UNUSED(nKey); LSMC_UNUSED(pVal); LSMC_UNUSED(nVal);
  return LSMC_OK;
}

/* lsmcBatchIterate callback: hand one entry to xEntry. */
static int inspectEntry(void *pArg, u64 iSeq, int eKind, const u8 *pKey,
                        size_t nKey, const u8 *pVal, size_t nVal){
  WalInspect *p = (WalInspect*)pArg;
  lsmc_wal_entry ent;
  int rc;
  ent.iSeq = iSeq;
  ent.bDelete = (eKind==LSMC_KIND_DELETE);
  ent.pKey = pKey;
  ent.nKey = nKey;
  ent.pVal = ent.bDelete ? 0 : pVal;
  ent.nVal = ent.bDelete ? 0 : nVal;
  rc = p->xEntry(p->pArg, &ent);
  if( rc ) p->bStopped = 1;
  return rc;
}

/*
** One record of the log: classify it, check it as recovery does, report
** it and (for a batch) its entries.
*/
static int inspectRecord(void *pArg, const u8 *pData, size_t nData,
                         const WalRecordPos *pPos){
  WalInspect *p = (WalInspect*)pArg;
  unsigned long long iOff = (unsigned long long)pPos->iOff;
  lsmc_wal_record rec;
  int rc;

  memset(&rec, 0, sizeof(rec));
  rec.iOffset = pPos->iOff;
  rec.nPayload = nData;
  rec.nFragment = pPos->nFragment;
  if( nData==LSMC_WAL_ABORT_SIZE && lsmcGet64(pData)==LSMC_WAL_ABORT_TAG ){
    rec.eType = LSMC_WAL_RECORD_ABORT;
    rec.iSeq = lsmcGet64(&pData[8]);
    rec.nCount = lsmcGet32(&pData[16]);
    if( !p->bPrevBatch || p->iPrevSeq!=rec.iSeq || p->nPrevCount!=rec.nCount ){
      (void)snprintf(p->zErr, sizeof(p->zErr), "abort marker at offset %llu "
                     "names no batch record just before it", iOff);
      return LSMC_CORRUPT_BKPT;
    }
    p->bPrevBatch = 0;
  }else{
    if( lsmcBatchIterate(pData, nData, inspectNoEntry, 0) ){
      (void)snprintf(p->zErr, sizeof(p->zErr), "record at offset %llu is "
                     "not a valid write batch", iOff);
      return LSMC_CORRUPT_BKPT;
    }
    rec.eType = LSMC_WAL_RECORD_BATCH;
    rec.iSeq = lsmcGet64(pData);
    rec.nCount = lsmcGet32(&pData[8]);
    p->bPrevBatch = 1;
    p->iPrevSeq = rec.iSeq;
    p->nPrevCount = rec.nCount;
  }
  rc = p->xRecord ? p->xRecord(p->pArg, &rec) : LSMC_OK;
  if( rc ){
    p->bStopped = 1;
  }else if( rec.eType==LSMC_WAL_RECORD_BATCH && p->xEntry ){
    rc = lsmcBatchIterate(pData, nData, inspectEntry, p);
  }
  return rc;
}

int lsmc_wal_inspect(const char *zPath, const lsmc_options *pOpts,
                     int (*xRecord)(void *pArg, const lsmc_wal_record*),
                     int (*xEntry)(void *pArg, const lsmc_wal_entry*),
                     void *pArg, uint64_t *pnTail, char **pzErr){
  lsmc_env *pEnv = (pOpts && pOpts->pEnv) ? pOpts->pEnv : lsmc_default_env();
  WalInspect ins;
  WalReplayStat st;
  char *zErr = 0;
  int rc;

  if( pnTail ) *pnTail = 0;
  if( pzErr ) *pzErr = 0;
  if( zPath==0 ) return LSMC_MISUSE_BKPT;
  memset(&ins, 0, sizeof(ins));
  memset(&st, 0, sizeof(st));
  ins.xRecord = xRecord;
  ins.xEntry = xEntry;
  ins.pArg = pArg;
  rc = lsmcWalReplayPos(pEnv, zPath, LSMC_RECOVER_STRICT, inspectRecord,
                        &ins, &st);
  if( ins.bStopped ) return rc;
  if( rc==LSMC_OK && st.bTail && pnTail ){
    *pnTail = st.nFileSize - st.iValidEnd;
  }
  if( rc!=LSMC_OK ){
    lsmc_env *pDef = lsmc_default_env();
    if( ins.zErr[0] ){
      zErr = lsmcStrdup(pDef, ins.zErr);
    }else if( LSMC_PRIMARY(rc)==LSMC_CORRUPT ){
      zErr = lsmcMprintf(pDef, "bad fragment at offset %llu, and valid "
                         "records follow (%llu bytes valid before it)",
                         (unsigned long long)st.iStop,
                         (unsigned long long)st.iValidEnd);
    }else{
      zErr = lsmcStrdup(pDef, lsmc_errstr(rc));
    }
    if( pzErr ) *pzErr = zErr; else lsmcFree(pDef, zErr);
  }
  return rc;
}
