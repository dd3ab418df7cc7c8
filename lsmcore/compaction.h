/*
** compaction.h -- compaction: what a compaction is, the strategy interface
** that picks them (compact_leveled.c, compact_tiered.c, compact_fifo.c),
** and the job that runs one (compaction.c).
**
** A Compaction names input files (each with its level) and an output
** level.  A merge compaction reads the inputs through a merging iterator
** and writes their entries to new SSTables on the output level, dropping
**   - every version of a key hidden by a newer version of the same key
**     that every live snapshot can see, and
**   - a tombstone that every live snapshot can see, when no file outside
**     the inputs can hold an older version of its key (a file whose key
**     range covers the key and whose smallest sequence number is below the
**     tombstone's),
** then installs one version edit: inputs deleted, outputs added.  A
** delete compaction (fifo) only removes its inputs.  Outputs are split
** when they reach the target size, but never between two versions of one
** user key, so levels >= 1 stay free of overlap.
**
** A strategy is a small table of functions over an immutable Version; it
** never changes anything, so picking needs no lock beyond the reference
** on the version.  Only one compaction runs at a time per engine.
*/
#ifndef LSMC_COMPACTION_H
#define LSMC_COMPACTION_H

#include "lsmcInt.h"
#include "version.h"

typedef struct Compaction Compaction;
typedef struct CompactionInput CompactionInput;
typedef struct CompactionConf CompactionConf;
typedef struct CompactionStrategy CompactionStrategy;

#define LSMC_COMPACT_MERGE   1      /* Rewrite inputs into outputs */
#define LSMC_COMPACT_MOVE    2      /* Move one file down a level, as is */
#define LSMC_COMPACT_DELETE  3      /* Drop the inputs (fifo) */

/* One input file. */
struct CompactionInput {
  int iLevel;                       /* Level it is in */
  FileMeta *pFile;                  /* The file (referenced) */
};

struct Compaction {
  int eKind;                        /* LSMC_COMPACT_* */
  int iOutLevel;                    /* Level of the outputs */
  u64 nTargetFile;                  /* Split outputs at this size */
  int nInput;                       /* Inputs */
  CompactionInput *aInput;          /* nInput inputs, owned */
  Version *pBase;                   /* Version picked from (referenced) */
  const char *zReason;              /* Why it was picked (static text) */
};

/* What a strategy may consult. */
struct CompactionConf {
  int nL0Trigger;                   /* L0 files (runs) that start work */
  u64 nTargetFile;                  /* Output file size */
  u64 nL1Max;                       /* Bytes allowed in L1 (leveled) */
  u64 nFifoMax;                     /* fifo: bytes kept */
  u64 nFifoTtl;                     /* fifo: microseconds kept, 0: none */
  u64 iNow;                         /* Current time, microseconds (for a
                                    ** manual compaction: when it began) */
};

struct CompactionStrategy {
  const char *zName;                /* "leveled", "tiered", "fifo" */
  /* Pick the most urgent compaction, or set *ppOut to NULL if none is
  ** due.  LSMC_NOMEM. */
  int (*xPick)(const CompactionConf*, Version*, Compaction **ppOut);
  /* Pick the next step of a manual compaction of [lo, hi] (user keys,
  ** NULL for unbounded).  *piStep carries the strategy's progress between
  ** calls (0 at the start).  *ppOut is NULL when it is done. */
  int (*xManual)(const CompactionConf*, Version*, const u8 *pLo, size_t nLo,
                 const u8 *pHi, size_t nHi, int *piStep, Compaction **ppOut);
  /* Sorted runs a point lookup may have to visit above the levels that
  ** compaction keeps in order (L0 files; tiered: all runs; fifo: 0, as
  ** fifo never stalls writers).  Compared with the slowdown and stop
  ** thresholds. */
  int (*xRuns)(const Version*);
};

extern const CompactionStrategy lsmcLeveled;
extern const CompactionStrategy lsmcTiered;
extern const CompactionStrategy lsmcFifo;

/* A new compaction over version v (referenced) with no inputs yet. */
int lsmcCompactionNew(lsmc_env*, Version *v, int eKind, int iOutLevel,
                      u64 nTargetFile, const char *zReason, Compaction **pp);
/* Add an input (the file is referenced).  LSMC_NOMEM. */
int lsmcCompactionAdd(Compaction*, int iLevel, FileMeta *pFile);
/* Add every file of level iLevel overlapping user keys [lo, hi] (NULL:
** unbounded) that is not an input yet. */
int lsmcCompactionAddOverlapping(Compaction*, int iLevel,
                                 const u8 *pLo, size_t nLo,
                                 const u8 *pHi, size_t nHi);
/* The smallest and largest user keys over the inputs (pointers into the
** inputs' FileMeta; valid while the compaction lives). REQUIRES: nInput>0 */
void lsmcCompactionRange(const Compaction*, const u8 **ppLo, size_t *pnLo,
                         const u8 **ppHi, size_t *pnHi);
void lsmcCompactionFree(Compaction*);          /* NULL is a no-op */

/* True if file f's user-key range intersects [lo, hi] (NULL: unbounded). */
int lsmcFileOverlaps(const FileMeta *f, const u8 *pLo, size_t nLo,
                     const u8 *pHi, size_t nHi);

#endif /* LSMC_COMPACTION_H */
