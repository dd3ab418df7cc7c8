/*
** killutil.h -- helpers shared by the process-crash harnesses
** check_crashpoints.c (TESTPLAN B3) and check_kill.c (B2): a forked child
** runs a SQL workload through the "lsm" module and reports each step to
** its parent over a pipe; the parent reads the reports, lets the child
** die (at a crash point, or by SIGKILL), reopens the store and VERIFYs.
**
** Reports are fixed 8-byte records (KillEv), well below PIPE_BUF, so each
** write(2) is atomic and a report is either wholly in the pipe or not at
** all when the child dies.  The parent drains the pipe while it waits, so
** that a fast child never blocks on a full pipe.
**
** Also: the test profile (LSMV_TEST_PROFILE), the results directory of a
** harness and copies of a store into it, and a connection with the module
** registered over the POSIX env.  Test code; not thread safe.
*/
#ifndef KILLUTIL_H
#define KILLUTIL_H

#include <sqlite3.h>
#include <stddef.h>
#include <stdint.h>

/* One report from the child: what happened (harness-defined) and a value. */
typedef struct KillEv KillEv;
struct KillEv {
  int32_t eKind;        /* Kind of report, chosen by the harness */
  int32_t iVal;         /* Its value (a transaction id, a table number) */
};

/* Exit status of a child whose report could not be written. */
#define KILL_EXIT_PIPE   97

/* Child: write one report; a failed write ends the child (KILL_EXIT_PIPE). */
void killEvSend(int fd, int eKind, int iVal);

/*
** Parent: read reports from fd, calling xEvent(pArg, &ev) for each, until
** the absolute CLOCK_MONOTONIC time iDeadlineUs (microseconds), or until
** EOF if iDeadlineUs is 0.  Returns 1 if EOF was seen, else 0.  A partial
** record at EOF (impossible with atomic writes) is ignored.
*/
int killEvPump(int fd, int64_t iDeadlineUs,
               void (*xEvent)(void*, const KillEv*), void *pArg);

/* CLOCK_MONOTONIC now, in microseconds. */
int64_t killNowUs(void);

/* True if LSMV_TEST_PROFILE=soak. */
int killIsSoak(void);

/*
** "$LSMV_RESULTS_DIR/<zHarness>" (default "./test-results/<zHarness>")
** into zOut, created with its parents.  Returns zOut.
*/
char *killResultsDir(const char *zHarness, char *zOut, size_t nOut);

/* Copy the tree zFrom to zTo (created).  0 on success, -1 on any error. */
int killCopyTree(const char *zFrom, const char *zTo);

/*
** Open database file zFile (created if missing) and register the module
** over the POSIX env.  SQLITE_OK or an error (then *pDb is closed, NULL).
*/
int killOpenDb(const char *zFile, sqlite3 **pDb);

/* 1 if table zName exists in main's schema, 0 if not, -1 on error. */
int killTableExists(sqlite3 *db, const char *zName);

/*
** Run one statement that returns one text value (or none) and copy it to
** zOut ("" if none or NULL).  SQLITE_OK or the error.
*/
int killQueryText(sqlite3 *db, const char *zSql, char *zOut, int nOut);

/* 1 if path zPath exists (any type), else 0. */
int killExists(const char *zPath);

/*
** Names left in directory zDir that a dropped store must not leave:
** IDENTITY, CURRENT, LOCK, *.sst, *.log.  Copies the first one found to
** zOut and returns 1, or returns 0 if there is none (or no directory).
*/
int killStoreLeft(const char *zDir, char *zOut, int nOut);

#endif /* KILLUTIL_H */
