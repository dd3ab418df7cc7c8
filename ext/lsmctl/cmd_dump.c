/*
** cmd_dump.c -- "lsmctl dump DIR [--from K] [--to K] [--limit N] [--hex]
** [--table]": the store's live keys and values in key order, read through
** one iterator (an implicit snapshot taken when it opens) bounded to
** [--from, --to): --from inclusive, --to exclusive, as lsmc_iter_open's
** bounds are.
**
** Output: one line per entry, the key, a tab, the value, each in
** printable form (fmt.c: no byte of it is a tab or a newline, so the
** line splits unambiguously) or, with --hex, as hex digits.  --limit N
** stops after N lines.  --table hands over to rows.c, which decodes the
** entries as rows of the lsm table whose declaration the store keeps.
*/
#include "lsmctl.h"

#include <stdlib.h>

/*
** lsmctl dump DIR: parse the bounds, open the store, print every entry
** in [--from, --to) up to --limit (or hand over to rows.c for --table).
** Returns the exit code.
*/
int ctlCmdDump(const CtlArgs *pArgs){
  uint8_t *aFrom = 0, *aTo = 0;
  size_t nFrom = 0, nTo = 0;
  lsmc_db *pDb = 0;
  lsmc_iter *pIter = 0;
  int bHex = (pArgs->mOpts & CTL_OPT_HEX)!=0;
  int64_t nLeft = pArgs->nLimit;
  int eExit;
  int rc;

  if( pArgs->zFrom && ctlKeyParse(pArgs->zFrom, &aFrom, &nFrom) ){
    ctlError("--from %s: not a key (text with \\xNN escapes, or 0x and "
             "hex digits)", pArgs->zFrom);
    return CTL_EXIT_ERROR;
  }
  if( pArgs->zTo && ctlKeyParse(pArgs->zTo, &aTo, &nTo) ){
    ctlError("--to %s: not a key (text with \\xNN escapes, or 0x and hex "
             "digits)", pArgs->zTo);
    free(aFrom);
    return CTL_EXIT_ERROR;
  }
  eExit = ctlOpenStore(pArgs->zPath, 0, &pDb);
  if( eExit==CTL_EXIT_OK ){
    if( pArgs->mOpts & CTL_OPT_TABLE ){
      eExit = ctlRowsDump(pDb, pArgs->zPath, pArgs->nLimit);
    }else{
      rc = lsmc_iter_open(pDb, 0, aFrom, nFrom, aTo, nTo, &pIter);
      if( rc==LSMC_OK ) rc = lsmc_iter_first(pIter);
      while( rc==LSMC_OK && lsmc_iter_valid(pIter) && nLeft!=0 ){
        size_t nKey = 0, nVal = 0;
        const void *pKey = lsmc_iter_key(pIter, &nKey);
        const void *pVal = lsmc_iter_value(pIter, &nVal);
        ctlPutKey(stdout, pKey, nKey, bHex, 0);
        fputc('\t', stdout);
        ctlPutKey(stdout, pVal, nVal, bHex, 0);
        fputc('\n', stdout);
        if( nLeft>0 ) nLeft--;
        rc = lsmc_iter_next(pIter);
      }
      lsmc_iter_close(pIter);
      if( rc!=LSMC_OK ) eExit = ctlEngineError(pDb, rc, pArgs->zPath);
    }
    lsmc_close(pDb);
  }
  free(aFrom);
  free(aTo);
  return eExit;
}
