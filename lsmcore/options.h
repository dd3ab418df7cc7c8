/*
** options.h -- struct lsmc_options: every tunable of a store with its
** default and bounds, in one table (options.c).  lsmc_open() copies the
** options into the engine, so a caller may free them at once.
*/
#ifndef LSMC_OPTIONS_H
#define LSMC_OPTIONS_H

#include "lsmcInt.h"

#define LSMC_OPT_COUNT 18            /* Largest LSMC_OPT_* value + 1 */

struct lsmc_options {
  i64 aVal[LSMC_OPT_COUNT];          /* Value of each LSMC_OPT_*, by number */
  lsmc_env *pEnv;                    /* Env, or NULL for the default */
};

/* Set *p to every default. */
void lsmcOptionsDefault(lsmc_options *p);

#endif /* LSMC_OPTIONS_H */
