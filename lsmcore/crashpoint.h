/*
** crashpoint.h -- named crash points and busy counters of the test build
** (TESTPLAN R2, B2, B3).
**
** A crash point marks the gap between two durable steps of the engine,
** for example between writing an SSTable and syncing it.  The statement
** CRASHPOINT(NAME) expands to nothing unless LSMC_TESTHOOKS is defined,
** so the shipped library and module contain none.  In a test build each
** point counts its hits (atomically: points are hit from the background
** thread too), and the process calls _exit(LSMC_CRASHPOINT_EXIT) -- no
** atexit handlers, no stdio flush, nothing synced: like kill -9 -- at the
** chosen hit of the chosen point.  The choice is the environment variable
**
**     LSMC_CRASHPOINT=<name>:<hit>      e.g. flush_sst_synced:2
**
** read at the first hit of any point (names compare case-insensitively),
** or lsmcCrashPointSet(), which a forked test child calls to re-arm the
** registry it inherited.  Every point is listed once in
** LSMC_CRASHPOINT_LIST below, with the gap it marks; a point is placed by
** adding it to the list and writing CRASHPOINT(NAME) at the place.
**
** Busy counters.  LSMC_TEST_BUSY(kind, +1 / -1) brackets every background
** flush (LSMC_BUSY_FLUSH) and compaction (LSMC_BUSY_COMPACT) in test
** builds; lsmcTestBusy() tells whether one is running right now, so that
** a kill -9 test can record where its kills landed.  The counters can be
** moved into shared memory (lsmcTestBusyShare) so that a parent process
** reads them after the child is killed.
**
** This state (point counters, the armed point, busy counters) is global
** mutable state of test builds only, like the env call-site registry in
** lsmcInt.h.
*/
#ifndef LSMC_CRASHPOINT_H
#define LSMC_CRASHPOINT_H

/* Exit status of a process stopped at a crash point. */
#define LSMC_CRASHPOINT_EXIT 113

/*
** Every crash point: X(NAME, "the gap it marks").  The string name is
** NAME in lower case.
*/
#define LSMC_CRASHPOINT_LIST(X) \
  X(IDENTITY_WRITTEN,  "IDENTITY written and synced, directory not synced") \
  X(IDENTITY_DIRSYNCED, "IDENTITY durable, store not yet recovered") \
  X(MANIFEST_NEW_SYNCED, "new manifest written and synced, CURRENT not updated") \
  X(CURRENT_TEMP_SYNCED, "CURRENT's temp file synced, not renamed") \
  X(CURRENT_RENAMED,   "temp renamed over CURRENT, directory not synced") \
  X(CURRENT_DIRSYNCED, "CURRENT replaced and the directory synced") \
  X(WAL_CREATED,       "new WAL created, directory not synced") \
  X(WAL_DIRSYNCED,     "new WAL's name durable, not yet in use") \
  X(SWEEP_REMOVED,     "open: one obsolete file removed, sweep goes on") \
  X(WAL_ROTATE_SYNCED, "rotation: old WAL synced, no new WAL yet") \
  X(WAL_ROTATED,       "rotation: new WAL in use, old memtable not flushed") \
  X(WRITE_APPENDED,    "lsmc_write: WAL record appended, not synced") \
  X(WRITE_SYNCED,      "lsmc_write: WAL record synced, memtable not updated") \
  X(PREPARE_APPENDED,  "commit_prepare: WAL record appended, not synced") \
  X(PREPARE_SYNCED,    "commit_prepare: WAL record synced, not yet returned") \
  X(APPLY_BEGIN,       "commit_apply: durable, not in the memtable") \
  X(APPLY_DONE,        "commit_apply: applied and published, not returned") \
  X(ABORT_APPENDED,    "commit_abort: abort marker appended, not synced") \
  X(ABORT_SYNCED,      "commit_abort: abort marker synced, lead not released") \
  X(FLUSH_SST_WRITTEN, "level-0 SSTable written, not synced") \
  X(FLUSH_SST_SYNCED,  "level-0 SSTable synced, directory not synced") \
  X(FLUSH_SST_DIRSYNCED, "level-0 SSTable durable, manifest not edited") \
  X(MANIFEST_EDIT_APPENDED, "version edit appended to the manifest, not synced") \
  X(MANIFEST_EDIT_SYNCED, "version edit synced, not installed in memory") \
  X(FLUSH_INSTALLED,   "flush installed in the manifest, old WAL not removed") \
  X(FLUSH_WAL_REMOVED, "flush: old WAL removed") \
  X(COMPACT_OUTPUT_WRITTEN, "compaction output written, not synced") \
  X(COMPACT_OUTPUT_SYNCED, "compaction output synced, directory not synced") \
  X(COMPACT_OUTPUTS_DIRSYNCED, "compaction outputs durable, manifest not edited") \
  X(COMPACT_INSTALLED, "compaction installed, inputs not yet removed") \
  X(OBSOLETE_SST_REMOVED, "an SSTable no version references removed") \
  X(DESTROY_LOCKED,    "lsmc_destroy: store locked, nothing removed") \
  X(DESTROY_FILE_REMOVED, "lsmc_destroy: one more file removed") \
  X(DESTROY_UNLOCKED,  "lsmc_destroy: every file removed, directory kept") \
  X(DESTROY_RMDIR,     "lsmc_destroy: directory removed, parent not synced")

/* LSMC_CP_<NAME>: the index of each point; LSMC_CP_COUNT of them. */
#define LSMC_CP_ENUM_(NAME, zDoc) LSMC_CP_##NAME,
enum { LSMC_CRASHPOINT_LIST(LSMC_CP_ENUM_) LSMC_CP_COUNT };
#undef LSMC_CP_ENUM_

/* Kinds of background work counted by the busy counters. */
#define LSMC_BUSY_FLUSH    0
#define LSMC_BUSY_COMPACT  1

#ifdef LSMC_TESTHOOKS
# define CRASHPOINT(NAME)        lsmcCrashPoint(LSMC_CP_##NAME)
# define LSMC_TEST_BUSY(K, D)    lsmcTestBusyAdd((K), (D))
#else
# define CRASHPOINT(NAME)        ((void)0)
# define LSMC_TEST_BUSY(K, D)    ((void)0)
#endif

#ifdef LSMC_TESTHOOKS
/* Count a hit of point iPoint; _exit if it is the armed point and hit. */
void lsmcCrashPoint(int iPoint);

/*
** Arm the point of zSpec ("name:hit"; hit >= 1) and zero every hit
** counter.  zSpec NULL: re-read LSMC_CRASHPOINT from the environment.  An
** empty or NULL spec disarms.  Returns 0, or -1 (and disarms) if the spec
** names no point or has a bad hit number.
*/
int lsmcCrashPointSet(const char *zSpec);

/* Name (lower case, static storage) of point i, or NULL if out of range. */
const char *lsmcCrashPointName(int i);
/* The gap point i marks (static storage), or NULL. */
const char *lsmcCrashPointDoc(int i);
/* Index of the point named zName (any case), or -1. */
int lsmcCrashPointFind(const char *zName);
/* Hits of point i since the last lsmcCrashPointSet (or program start). */
unsigned long lsmcCrashPointHits(int i);

/* Add d to busy counter eKind (LSMC_BUSY_*). */
void lsmcTestBusyAdd(int eKind, int d);
/*
** Bit 0: a background flush is running; bit 1: a compaction is running.
*/
int lsmcTestBusy(void);
/*
** Keep the busy counters in aShared[0..1] from now on (for example a
** MAP_SHARED page, so that another process can read them).  The current
** values are copied there.  REQUIRES: no flush or compaction runs (call it
** before opening any store); aShared outlives every later flush.
*/
void lsmcTestBusyShare(int *aShared);
#endif /* LSMC_TESTHOOKS */

#endif /* LSMC_CRASHPOINT_H */
