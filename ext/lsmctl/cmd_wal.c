/*
** cmd_wal.c -- "lsmctl wal FILE [--entries]": one write-ahead log read on
** its own (lsmc_wal_inspect: as strict recovery reads it, without
** opening a store), in the manner of RocksDB's ldb dump_wal:
**
**       offset  type   first seq  entries     bytes  fragments
**            0  batch          1        3        61          1
**     (--entries)  seq 1  put  KEY  VALUE   /   seq 3  del  KEY
**   then a summary: "N records, N entries, torn tail N bytes".
**
** Keys and values in printable form (fmt.c), tab-separated like dump's.
** Exit status: CTL_EXIT_DAMAGED for damage followed by valid records (the
** engine's message says where; the records before it are shown), not
** for a torn tail, which is what a crash in the middle of a write leaves;
** CTL_EXIT_ERROR if the file cannot be read.
*/
#include "lsmctl.h"

#include <string.h>

/* The walk's counters, for the callbacks. */
typedef struct WalWalk WalWalk;
struct WalWalk {
  uint64_t nRecord;           /* Records shown */
  uint64_t nEntry;            /* Entries in those records */
  int bEntries;               /* --entries: show each entry */
};

/* lsmc_wal_inspect record callback: one line per record. */
static int walRecord(void *pArg, const lsmc_wal_record *pR){
  WalWalk *p = (WalWalk*)pArg;
  if( p->nRecord==0 ){
    printf("      offset  type    first seq  entries      bytes  fragments\n");
  }
  printf("%12llu  %-6s %10llu %8u %10llu %10u\n",
         (unsigned long long)pR->iOffset,
         pR->eType==LSMC_WAL_RECORD_BATCH ? "batch" :
         pR->eType==LSMC_WAL_RECORD_ABORT ? "abort" : "?",
         (unsigned long long)pR->iSeq, (unsigned)pR->nCount,
         (unsigned long long)pR->nPayload, (unsigned)pR->nFragment);
  p->nRecord++;
  if( pR->eType==LSMC_WAL_RECORD_BATCH ) p->nEntry += pR->nCount;
  return 0;
}

/* lsmc_wal_inspect entry callback (--entries): one line per entry. */
static int walEntry(void *pArg, const lsmc_wal_entry *pE){
  (void)pArg;
  printf("    seq %llu\t%s\t", (unsigned long long)pE->iSeq,
         pE->bDelete ? "del" : "put");
  ctlPutKey(stdout, pE->pKey, pE->nKey, 0, 0);
  if( !pE->bDelete ){
    fputc('\t', stdout);
    ctlPutKey(stdout, pE->pVal, pE->nVal, 0, 0);
  }
  fputc('\n', stdout);
  return 0;
}

/*
** lsmctl wal FILE: walk the log, one line per record (and entry), then
** the summary.  Returns the exit code.
*/
int ctlCmdWal(const CtlArgs *pArgs){
  WalWalk walk;
  uint64_t nTail = 0;
  char *zErr = 0;
  int eExit = ctlFileCheck(pArgs->zPath);
  int rc;
  if( eExit ) return eExit;
  memset(&walk, 0, sizeof(walk));
  walk.bEntries = (pArgs->mOpts & CTL_OPT_ENTRIES)!=0;
  rc = lsmc_wal_inspect(pArgs->zPath, 0, walRecord,
                        walk.bEntries ? walEntry : 0, &walk, &nTail, &zErr);
  if( rc==LSMC_OK ){
    printf("%llu record%s, %llu entr%s, torn tail %llu bytes\n",
           (unsigned long long)walk.nRecord, walk.nRecord==1 ? "" : "s",
           (unsigned long long)walk.nEntry, walk.nEntry==1 ? "y" : "ies",
           (unsigned long long)nTail);
    eExit = CTL_EXIT_OK;
  }else{
    if( (rc & 0xff)==LSMC_CORRUPT ){
      printf("%llu record%s before the damage\n",
             (unsigned long long)walk.nRecord, walk.nRecord==1 ? "" : "s");
    }
    eExit = ctlFileError(pArgs->zPath, rc, zErr);
  }
  lsmc_free(0, zErr);
  return eExit;
}
