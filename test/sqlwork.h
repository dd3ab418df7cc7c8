/*
** sqlwork.h -- a deterministic SQL workload over an "lsm" table, its
** oracle, and TESTPLAN's standard verification after a restart (VERIFY),
** shared by the crash harnesses (power loss, crash points, kill -9).
**
** A SqlWork is built from a seed: nTxn transactions over the table
** lsm(k INTEGER PRIMARY KEY, v BLOB).  Workload keys are 1..SQLWORK_NKEY;
** each transaction has 1-20 statements (INSERT of an absent key, UPDATE,
** INSERT OR REPLACE, DELETE of one key or of a short range) with BLOB
** values of 10-300 bytes; about one transaction in 30 is "large" (20 rows
** of about 6 KiB: more than 100 KiB, so its WAL record spans more than 3
** 32 KiB blocks).  Every transaction also writes its id (1-based, an
** INTEGER) under the marker key k=0.  Each transaction is generated
** against the state the previous ones leave, so every statement succeeds
** when the table holds exactly the state after transactions 1..i-1:
** REQUIRES that transactions run in order, and that after a failure or a
** crash the caller either stops or continues with transaction j+1, where
** j is what sqlworkVerify() returned.
**
** The oracle is the list of transactions itself (kept in memory, outside
** the store and outside any fault injection): the state after exactly j
** transactions is computed by replaying 1..j.  sqlworkVerify() checks a
** reopened table against it (TESTPLAN VERIFY steps 1-6; see below).  Step
** 7 needs a reopen, so the caller does it with sqlworkProbeWrite() before
** and sqlworkProbeCheck() after the reopen: the probe writes the key
** SQLWORK_PROBE_KEY (-1, outside the domain) and overwrites the marker in
** one transaction (so a sequence number lower than a recovered one would
** hide it); the check finds both, then restores the marker and deletes
** the probe key, which leaves the table equal to the oracle again.
**
** Not thread safe: one SqlWork is used by one thread at a time (the
** connections passed in are the caller's).  Memory: sqlite3_malloc.
*/
#ifndef SQLWORK_H
#define SQLWORK_H

#include <sqlite3.h>
#include <stdint.h>

#define SQLWORK_NKEY       500   /* Workload keys are 1..SQLWORK_NKEY */
#define SQLWORK_PROBE_KEY  (-1)  /* Key of the probe write (step 7) */

typedef struct SqlWork SqlWork;     /* a deterministic workload and its oracle */

/* Build nTxn transactions from seed (see above).  SQLITE_OK, or
** SQLITE_NOMEM / SQLITE_MISUSE (nTxn<1) with *ppWork set to NULL. */
int sqlworkNew(uint64_t seed, int nTxn, SqlWork **ppWork);
void sqlworkFree(SqlWork*);                        /* NULL is a no-op */
int sqlworkCount(SqlWork*);                        /* nTxn */

/* CREATE VIRTUAL TABLE zTable USING lsm(k INTEGER PRIMARY KEY, v BLOB,
** <zOpts>); zOpts may be NULL or "" for no options.  The rc of the CREATE;
** sqlite3_errmsg(db) tells why it failed. */
int sqlworkCreate(SqlWork*, sqlite3 *db, const char *zTable, const char *zOpts);

/* Run transaction iTxn (1-based): BEGIN; its statements; COMMIT.  Returns
** the rc of the first failing step (after a ROLLBACK attempt) or of
** COMMIT; SQLITE_OK means acked.  SQLITE_MISUSE if iTxn is out of range.
** On return the connection is never left inside a transaction (a failed
** COMMIT is followed by a ROLLBACK if SQLite did not end it). */
int sqlworkRunTxn(SqlWork*, sqlite3 *db, const char *zTable, int iTxn);

/*
** TESTPLAN VERIFY (steps 1-6) on an open connection whose table zTable
** was reopened after a crash.  nAcked: transactions whose COMMIT returned
** OK; nTried: transactions started.  bMustKeepAcked: the durability mode
** covers the acked ones (sync=full, or a process crash).  Checks, in
** order: the store opens and lsm_check(zTable) is 'ok' (possibly followed
** by "note:" lines, which list orphan files a crash left); the marker (k=0) is
** absent (j=0) or an INTEGER j in [1, nTxn]; j <= nTried; j >= nAcked if
** bMustKeepAcked; a full scan (ORDER BY k) returns exactly the oracle's
** rows after j transactions, in order, with equal storage class and bytes
** (so the present transactions are a prefix, with no hole, and the
** pending one is all or nothing); a point lookup of every key of the
** domain (0..SQLWORK_NKEY) and of the probe key agrees with it too.
** Returns j (>= 0), or -1 with a message in zErr (always NUL-terminated
** when nErr>0).  Step 7 (fresh write + reopen) is the caller's: see
** sqlworkProbeWrite()/sqlworkProbeCheck().
*/
int sqlworkVerify(SqlWork*, sqlite3 *db, const char *zTable, int nAcked, int nTried,
                  int bMustKeepAcked, char *zErr, int nErr);

/* Step 7, first half: in one transaction, write the probe key and
** overwrite the marker with the probe value (the marker's current value is
** remembered in the SqlWork).  SQLITE_OK or the error. */
int sqlworkProbeWrite(SqlWork*, sqlite3 *db, const char *zTable);   /* SQLITE_OK or error */

/* Step 7, second half (after the reopen): 0 if both probe writes are
** visible, -1 if not (or on an error).  On success it also restores the
** marker and deletes the probe key, so the table equals the oracle state
** it held before sqlworkProbeWrite() again; if that restore fails: -1. */
int sqlworkProbeCheck(SqlWork*, sqlite3 *db, const char *zTable);   /* 0 ok, -1 missing */

/* Size in bytes of the WAL record payload of transaction iTxn (the sum
** of its values), and whether it is one of the large ones.  For reports
** and for harnesses that want to assert the mix; 0 if out of range. */
int sqlworkTxnBytes(SqlWork*, int iTxn);
int sqlworkTxnIsLarge(SqlWork*, int iTxn);

#endif /* SQLWORK_H */
