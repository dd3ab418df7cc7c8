/*
** faultenv.h -- a wrapping lsmc_env for tests: counts calls, fails chosen
** calls, fails allocations, stops a "dead" process from writing, and
** simulates power loss.  (Models: LevelDB's fault_injection_test.cc,
** SQLite's test_vfs.c, lsm1's lsmtest_tdb3.c and lsmtest_mem.c.)
**
** A FaultEnv wraps a base env (usually lsmc_default_env()) and forwards
** every call to it; faultenvEnv() returns the lsmc_env to hand to the
** engine.  All state lives in the FaultEnv (no globals), guarded by one
** mutex, so the engine's background threads may use it.  Configuration
** calls may be made at any time from any thread, including from the sync
** hook.
**
** Operations.  Every method of lsmc_env is one FaultOp; xOpen counts as
** FAULT_OP_OPEN when read-only and FAULT_OP_CREATE with LSMC_OPEN_CREATE.
** Every call is counted (also calls that are then failed).
**
** Injected failures (faultenvFailNth).  Among the calls whose op is in a
** mask, counted from the moment of arming, the Nth fails with the chosen
** rc without reaching the base env (except a torn append, below); with
** bPersistent every later call in the mask fails as well.  Only methods
** returning an rc can be failed: xMalloc/xRealloc have their own countdown
** (faultenvMallocFail); xFree, xNowMicros and xSleep never fail.  A failed
** xClose still closes and frees the file; a failed xUnlock still unlocks.
** faultenvInjected() counts the failures injected so far: a sweep that arms
** "fail call N" for N = 1, 2, ... is done when a run injects nothing.
**
** The dead switch (faultenvSetDead).  While set, every mutating call --
** xOpen with LSMC_OPEN_CREATE, xAppend, xSync, xTruncate, xMkdir, xRmdir,
** xSyncDir, xRename, xRemove -- returns LSMC_IOERR without touching the
** disk.  Reads, xClose, xLock/xUnlock and memory still work, so the engine
** can be closed.  These refusals are not counted by faultenvInjected().
**
** Crash simulation (faultenvCrash).  The env remembers:
**   - for every file created (LSMC_OPEN_CREATE) through it, the size at its
**     last successful xSync (0 right after the create);
**   - a log of namespace changes made through it: files created that did
**     not exist before, directories made, renames, removes.  A successful
**     xSyncDir(D) drops the log entries of directory D; a rename belongs to
**     the directory of its target name.
** faultenvCrash() then simulates a power loss followed by a reboot:
**   1. Every logged namespace change still in the log is undone, newest
**      first: a created file is removed; a made directory is removed if it
**      is empty; a rename is reverted (target renamed back to its source
**      name) and a file it replaced is recreated; a removed file is
**      recreated.  Recreation needs the old bytes, which are saved at the
**      time of the rename/remove only if the file had at most
**      faultenvSetUndoLimit() bytes (default 1 MiB); the saved bytes are
**      the file's synced prefix if this env wrote it, else all of it.
**      Larger files cannot be brought back (the change stays).
**   2. Every file this env created that still exists loses the bytes
**      appended after its last xSync, per eMode:
**        FAULT_DROP_UNSYNCED  truncate to the synced size;
**        FAULT_TEAR           keep the synced bytes plus a prefix of the
**                             unsynced ones of faultenvTearKeep(seed, i, n)
**                             bytes, where i counts the damaged files
**                             (0, 1, ...) in order of their creation and n
**                             is the number of unsynced bytes;
**        FAULT_ZERO           keep the length, overwrite the unsynced bytes
**                             with zeros;
**        FAULT_SECTOR         (SQLite's test6.c) the env remembers every
**                             append made since the file's last xSync
**                             (offset, length).  Each append is cut at
**                             the 512-byte sectors of the file
**                             (FAULT_SECTOR_SIZE, aligned to file
**                             offsets), and every piece independently,
**                             as faultenvSectorAction(seed, i, w, s)
**                             says (i as for FAULT_TEAR, w the append's
**                             index among the file's unsynced ones, s the
**                             sector number), is applied (APPLY), lost
**                             (DROP: the bytes stay as they were before
**                             the write -- never written, so zeros below
**                             the new end of file, and the file ends
**                             after the last piece not dropped) or
**                             filled with garbage (GARBAGE).  The synced
**                             prefix is never touched, even in the
**                             sector it shares with unsynced bytes (as
**                             SQLite assumes: powersafe overwrite).
**      Damage goes through the base env only: the kept bytes are copied to
**      "<file>.faultcrash", which is renamed over the file.
**   3. Everything on disk is now durable: the tracking state is cleared,
**      the dead switch is turned off and armed faults are disarmed.
**      Counters are kept.
** Not simulated: reordering of writes inside the synced prefix, loss of
** an xTruncate (it is treated as durable at once), data of files this env
** did not create, and xMkdir of nested paths beyond the last component.
** REQUIRES: no file created through this env is still open (close the
** store first), else faultenvCrash returns LSMC_MISUSE and changes nothing.
**
** The sync hook (faultenvSetSyncHook) is called, without the env's mutex
** held, after every successful xSync and xSyncDir with the sequence number
** of that sync (1, 2, ...).  Calling faultenvSetDead() from it stops the
** workload exactly after the k-th sync.
*/
#ifndef FAULTENV_H
#define FAULTENV_H

#include "lsmcInt.h"

typedef struct FaultEnv FaultEnv;

/* The operations of an env, as counted and failed. */
enum FaultOp {
  FAULT_OP_OPEN = 0,    /* xOpen, LSMC_OPEN_READONLY */
  FAULT_OP_CREATE,      /* xOpen, LSMC_OPEN_CREATE */
  FAULT_OP_READ,        /* xRead */
  FAULT_OP_APPEND,      /* xAppend */
  FAULT_OP_SYNC,        /* xSync */
  FAULT_OP_SIZE,        /* xSize */
  FAULT_OP_TRUNCATE,    /* xTruncate */
  FAULT_OP_CLOSE,       /* xClose */
  FAULT_OP_MKDIR,       /* xMkdir */
  FAULT_OP_RMDIR,       /* xRmdir */
  FAULT_OP_SYNCDIR,     /* xSyncDir */
  FAULT_OP_RENAME,      /* xRename */
  FAULT_OP_REMOVE,      /* xRemove */
  FAULT_OP_EXISTS,      /* xExists */
  FAULT_OP_LIST,        /* xList */
  FAULT_OP_FILEID,      /* xFileId */
  FAULT_OP_LOCK,        /* xLock */
  FAULT_OP_UNLOCK,      /* xUnlock */
  FAULT_OP_MALLOC,      /* xMalloc (fails only by faultenvMallocFail) */
  FAULT_OP_REALLOC,     /* xRealloc (likewise) */
  FAULT_OP_FREE,        /* xFree (never fails) */
  FAULT_OP_NOW,         /* xNowMicros (never fails) */
  FAULT_OP_SLEEP,       /* xSleep (never fails) */
  FAULT_N_OP            /* Number of operations */
};

#define FAULT_MASK(eOp)   (1u << (eOp))
/* Every operation that returns an rc (and so can be failed). */
#define FAULT_MASK_ALL    (FAULT_MASK(FAULT_OP_MALLOC) - 1)
/* The operations refused by the dead switch. */
#define FAULT_MASK_WRITE  (FAULT_MASK(FAULT_OP_CREATE)|FAULT_MASK(FAULT_OP_APPEND) \
  |FAULT_MASK(FAULT_OP_SYNC)|FAULT_MASK(FAULT_OP_TRUNCATE)                     \
  |FAULT_MASK(FAULT_OP_MKDIR)|FAULT_MASK(FAULT_OP_RMDIR)                       \
  |FAULT_MASK(FAULT_OP_SYNCDIR)|FAULT_MASK(FAULT_OP_RENAME)                    \
  |FAULT_MASK(FAULT_OP_REMOVE))

/* Crash modes for faultenvCrash(). */
#define FAULT_DROP_UNSYNCED  0
#define FAULT_TEAR           1
#define FAULT_ZERO           2
#define FAULT_SECTOR         3

/* FAULT_SECTOR: the sector size and the fates of a sector piece. */
#define FAULT_SECTOR_SIZE     512
#define FAULT_SECTOR_APPLY    0
#define FAULT_SECTOR_DROP     1
#define FAULT_SECTOR_GARBAGE  2

/*
** Create a FaultEnv over pBase (which must outlive it); its own memory
** comes from pBase and is never counted.  LSMC_NOMEM on failure.
** faultenvFree() releases it (NULL is a no-op); REQUIRES: the engine no
** longer uses its env.  faultenvEnv() is the env to give the engine,
** valid until faultenvFree().
*/
int faultenvNew(lsmc_env *pBase, FaultEnv **ppFault);
void faultenvFree(FaultEnv*);
lsmc_env *faultenvEnv(FaultEnv*);

/* Counters.  faultenvCount(p, eOp) is the calls of eOp; faultenvTotal()
** all calls; faultenvHitMask() has bit FAULT_MASK(eOp) set for every op
** called at least once since the last faultenvResetCounts(). */
u64 faultenvCount(FaultEnv*, int eOp);
u64 faultenvTotal(FaultEnv*);
u32 faultenvHitMask(FaultEnv*);
u64 faultenvInjected(FaultEnv*);   /* Failures injected (incl. malloc) */
void faultenvResetCounts(FaultEnv*);
const char *faultenvOpName(int eOp); /* "xAppend", ... ; "?" if unknown */

/*
** Arm a failure: the nth (1-based) call, from now on, of an operation in
** mask fails with rc (LSMC_IOERR, LSMC_FULL, ...); with bPersistent every
** later call in mask fails too.  Replaces any armed failure.  Bits of
** operations that cannot fail are ignored.
*/
void faultenvFailNth(FaultEnv*, u32 mask, u64 nth, int rc, int bPersistent);

/*
** When an injected failure hits xAppend, first append min(nPrefix, nData)
** bytes of the data through the base env (a torn write).  nPrefix<0 (the
** default) writes nothing.
*/
void faultenvSetTornAppend(FaultEnv*, i64 nPrefix);

/* Fail the nth (1-based, from now) xMalloc/xRealloc; with bPersistent all
** later ones too. */
void faultenvMallocFail(FaultEnv*, u64 nth, int bPersistent);

/* Disarm faultenvFailNth and faultenvMallocFail. */
void faultenvClearFaults(FaultEnv*);

/* Turn the dead switch on (bDead=1) or off. */
void faultenvSetDead(FaultEnv*, int bDead);

/* Call xHook(p, pArg, iSync) after every successful xSync/xSyncDir;
** NULL removes the hook.  faultenvSyncCount() is the last iSync. */
void faultenvSetSyncHook(FaultEnv*,
                         void (*xHook)(FaultEnv*, void *pArg, u64 iSync),
                         void *pArg);
u64 faultenvSyncCount(FaultEnv*);

/* Largest file whose bytes are saved so that a rename or remove can be
** undone by faultenvCrash (default 1 MiB; 0 saves nothing). */
void faultenvSetUndoLimit(FaultEnv*, size_t nMax);

/* Simulate power loss and reboot (see the top of this file). */
int faultenvCrash(FaultEnv*, int eMode, u32 seed);

/* Forget the crash-tracking state: everything written so far is taken as
** durable.  REQUIRES: as for faultenvCrash. */
int faultenvMarkDurable(FaultEnv*);

/* The unsynced bytes FAULT_TEAR keeps of the i-th damaged file, which has
** nUnsynced of them: a deterministic value in [0, nUnsynced]. */
u64 faultenvTearKeep(u32 seed, u32 iFile, u64 nUnsynced);

/* The fate under FAULT_SECTOR of the piece in sector iSector (file offset
** / FAULT_SECTOR_SIZE) of unsynced append iWrite (0 = oldest) of the
** iFile-th damaged file: FAULT_SECTOR_APPLY (half of the pieces),
** FAULT_SECTOR_DROP or FAULT_SECTOR_GARBAGE (a quarter each). */
int faultenvSectorAction(u32 seed, u32 iFile, u32 iWrite, u64 iSector);

#endif /* FAULTENV_H */
