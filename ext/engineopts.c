/*
** engineopts.c -- the engine options of an lsm table: turns the store
** options of a parsed schema (LsmvOptions, schema.h) into an lsmc_options
** for lsmc_open().  The module opens its stores with them (table.c), and
** lsmctl reopens a store with them once it has read the declaration the
** store keeps, so that a tool works on a tiered or fifo store with the
** table's own strategy and recovery rule, never the engine's defaults.
*/
#include "schema.h"

/*
** Set *ppOpts to new options (free with lsmc_options_free) for a store
** with the options pO, using env pEnv (NULL: the default) and creating
** the store if bCreate.  Returns LSMC_OK, or an error with *ppOpts NULL.
*/
int lsmvEngineOptions(const LsmvOptions *pO, lsmc_env *pEnv, int bCreate,
                      lsmc_options **ppOpts){
  lsmc_options *pOpts = 0;
  int rc = lsmc_options_new(&pOpts);
  if( rc==LSMC_OK && pEnv ) lsmc_options_set_env(pOpts, pEnv);
  if( rc==LSMC_OK ) rc = lsmc_options_set(pOpts, LSMC_OPT_MEMTABLE_SIZE, pO->nMemtable);
  if( rc==LSMC_OK ) rc = lsmc_options_set(pOpts, LSMC_OPT_BLOCK_SIZE, pO->nBlock);
  if( rc==LSMC_OK ) rc = lsmc_options_set(pOpts, LSMC_OPT_BLOOM_BITS, pO->nBloomBits);
  if( rc==LSMC_OK ) rc = lsmc_options_set(pOpts, LSMC_OPT_CACHE_SIZE, pO->nCache);
  if( rc==LSMC_OK ) rc = lsmc_options_set(pOpts, LSMC_OPT_SYNC, pO->eSync);
  /* WAL recovery follows the durability promise.  sync=full syncs every
  ** commit, so damage followed by valid records is corruption: strict.
  ** sync=normal and off promise only a prefix after a power loss, which
  ** may leave any pattern of damaged sectors in the newest WAL when the
  ** store was not closed cleanly: that WAL recovers to the last whole
  ** transaction before the damage, as SQLite does with its own WAL; every
  ** other WAL is strict (TESTPLAN B1, D1, D3). */
  if( rc==LSMC_OK ){
    rc = lsmc_options_set(pOpts, LSMC_OPT_RECOVERY,
                          pO->eSync==LSMC_SYNC_FULL ? LSMC_RECOVER_STRICT
                                                    : LSMC_RECOVER_UNCLEAN_TAIL);
  }
  if( rc==LSMC_OK ) rc = lsmc_options_set(pOpts, LSMC_OPT_COMPACTION, pO->eCompaction);
  if( rc==LSMC_OK && pO->eCompaction==LSMC_COMPACTION_FIFO ){
    rc = lsmc_options_set(pOpts, LSMC_OPT_FIFO_MAX_SIZE, pO->nFifoMax);
  }
  if( rc==LSMC_OK ) rc = lsmc_options_set(pOpts, LSMC_OPT_CREATE, bCreate);
  if( rc!=LSMC_OK ){
    lsmc_options_free(pOpts);
    pOpts = 0;
  }
  *ppOpts = pOpts;
  return rc;
}
