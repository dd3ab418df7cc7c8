/*
** options.c -- the table of store options (lsmcore.h documents each),
** their defaults and their bounds, and the public lsmc_options_* calls.
** Every value is bounded so that a caller (or a SQL CREATE statement)
** cannot ask for absurd sizes.
*/
#include "options.h"

/* One row per option: default and inclusive bounds. */
typedef struct OptionDef OptionDef;
struct OptionDef {
  int eOpt;             /* LSMC_OPT_* */
  i64 iDefault;         /* Value when not set */
  i64 iMin;             /* Smallest accepted value */
  i64 iMax;             /* Largest accepted value */
};

#define KiB ((i64)1024)
#define MiB (KiB*1024)
#define GiB (MiB*1024)

static const OptionDef aOptionDef[] = {
  { LSMC_OPT_MEMTABLE_SIZE,    32*MiB,            4*KiB,  1*GiB },
  { LSMC_OPT_BLOCK_SIZE,       4*KiB,             256,    1*MiB },
  { LSMC_OPT_BLOOM_BITS,       10,                0,      32 },
  { LSMC_OPT_CACHE_SIZE,       32*MiB,            0,      64*GiB },
  { LSMC_OPT_SYNC,             LSMC_SYNC_NORMAL,  LSMC_SYNC_OFF, LSMC_SYNC_FULL },
  { LSMC_OPT_COMPACTION,       LSMC_COMPACTION_LEVELED,
                               LSMC_COMPACTION_LEVELED, LSMC_COMPACTION_FIFO },
  { LSMC_OPT_FIFO_MAX_SIZE,    1*GiB,             64*KiB, ((i64)1)<<50 },
  { LSMC_OPT_CREATE,           1,                 0,      1 },
  { LSMC_OPT_RECOVERY,         LSMC_RECOVER_STRICT,
                               LSMC_RECOVER_STRICT, LSMC_RECOVER_UNCLEAN_TAIL },
  { LSMC_OPT_RESTART_INTERVAL, 16,                1,      1024 },
  { LSMC_OPT_BACKGROUND,       1,                 0,      1 },
  { LSMC_OPT_FIFO_TTL,         0,                 0,      ((i64)1)<<40 },
  { LSMC_OPT_MAX_OPEN_FILES,   1000,              16,     1000000 },
  { LSMC_OPT_L0_TRIGGER,       4,                 2,      1000 },
  { LSMC_OPT_L0_SLOWDOWN,      12,                2,      10000 },
  { LSMC_OPT_L0_STOP,          20,                2,      10000 },
  { LSMC_OPT_TARGET_FILE_SIZE, 0,                 0,      1*GiB },
};

static const OptionDef *optionFind(int eOpt){
  size_t i;
  for(i=0; i<sizeof(aOptionDef)/sizeof(aOptionDef[0]); i++){
    if( aOptionDef[i].eOpt==eOpt ) return &aOptionDef[i];
  }
  return 0;
}

void lsmcOptionsDefault(lsmc_options *p){
  size_t i;
  memset(p, 0, sizeof(*p));
  for(i=0; i<sizeof(aOptionDef)/sizeof(aOptionDef[0]); i++){
    p->aVal[aOptionDef[i].eOpt] = aOptionDef[i].iDefault;
  }
}

int lsmc_options_new(lsmc_options **ppOpts){
  lsmc_env *pEnv = lsmc_default_env();
  lsmc_options *p = lsmcMalloc(pEnv, sizeof(*p));
  *ppOpts = p;
  if( p==0 ) return LSMC_NOMEM;
  lsmcOptionsDefault(p);
  return LSMC_OK;
}

void lsmc_options_free(lsmc_options *pOpts){
  if( pOpts ) lsmcFree(lsmc_default_env(), pOpts);
}

int lsmc_options_set(lsmc_options *pOpts, int eOpt, int64_t iValue){
  const OptionDef *pDef = optionFind(eOpt);
  if( pOpts==0 || pDef==0 ) return LSMC_MISUSE_BKPT;
  if( iValue<pDef->iMin || iValue>pDef->iMax ) return LSMC_MISUSE;
  pOpts->aVal[eOpt] = iValue;
  return LSMC_OK;
}

int64_t lsmc_options_get(const lsmc_options *pOpts, int eOpt){
  const OptionDef *pDef = optionFind(eOpt);
  if( pDef==0 ) return -1;
  return pOpts ? pOpts->aVal[eOpt] : pDef->iDefault;
}

void lsmc_options_set_env(lsmc_options *pOpts, lsmc_env *pEnv){
  pOpts->pEnv = pEnv;
}
