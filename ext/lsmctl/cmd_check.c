/*
** cmd_check.c -- "lsmctl check DIR": the engine's integrity check
** (lsmc_check_progress) over a store, with a progress line on a terminal
** ("checking 12.0 MiB/40.0 MiB (30%)", redrawn after each SSTable), then the
** engine's report on stdout: "ok", or one line per fault or note.
** Exit status: CTL_EXIT_OK if nothing is damaged (notes about orphan
** files are not damage), CTL_EXIT_DAMAGED if something is, CTL_EXIT_ERROR
** if the check could not run (I/O error, no memory).
*/
#include "lsmctl.h"

#include <string.h>

/* lsmc_check_progress callback: redraw the progress line. */
static void checkProgress(void *pArg, uint64_t nDone, uint64_t nTotal){
  CtlProgress *p = (CtlProgress*)pArg;
  char zDone[32], zTotal[32];
  int iPct = nTotal ? (int)(nDone*100/nTotal) : 100;
  ctlProgressDraw(p, nDone==nTotal, "checking %s/%s (%d%%)",
                  ctlSize(nDone, zDone, sizeof(zDone)),
                  ctlSize(nTotal, zTotal, sizeof(zTotal)), iPct);
}

/*
** lsmctl check DIR: open, check with progress, print the report.
** Returns the exit code.
*/
int ctlCmdCheck(const CtlArgs *pArgs){
  lsmc_db *pDb = 0;
  char *zReport = 0;
  CtlProgress progress;
  int rc;
  int eExit = ctlOpenStore(pArgs->zPath, 0, &pDb);
  if( eExit ) return eExit;
  ctlProgressInit(&progress);
  rc = lsmc_check_progress(pDb, checkProgress, &progress, &zReport);
  ctlProgressEnd(&progress);
  if( zReport ){
    size_t n = strlen(zReport);
    fputs(zReport, stdout);
    if( n==0 || zReport[n-1]!='\n' ) fputc('\n', stdout);
  }
  if( rc==LSMC_OK ){
    eExit = CTL_EXIT_OK;
  }else if( (rc & 0xff)==LSMC_CORRUPT ){
    eExit = CTL_EXIT_DAMAGED;
  }else{
    eExit = ctlEngineError(pDb, rc, pArgs->zPath);
  }
  lsmc_free(pDb, zReport);
  lsmc_close(pDb);
  return eExit;
}
