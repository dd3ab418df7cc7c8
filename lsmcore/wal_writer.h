/*
** wal_writer.h -- appends records to a log file in the framing of
** wal_format.h.  Used for WAL files and for the manifest.
**
** Each lsmcWalAddRecord() frames the whole record into one buffer and
** hands it to the env in one xAppend (one write() per commit group).
** Nothing is synced unless lsmcWalSync() is called.  After any failed
** append or sync the writer is dead: every later call returns that error
** (an fsync is never retried).
**
** Thread safety: one thread at a time (the db's write leader).
*/
#ifndef LSMC_WAL_WRITER_H
#define LSMC_WAL_WRITER_H

#include "lsmcInt.h"

typedef struct WalWriter WalWriter;

/* Create (truncating) zPath and return a writer on it. */
int lsmcWalWriterOpen(lsmc_env*, const char *zPath, WalWriter **ppWriter);
int lsmcWalAddRecord(WalWriter*, const u8 *p, size_t n);
int lsmcWalSync(WalWriter*);
u64 lsmcWalSize(const WalWriter*);     /* Bytes appended so far */
/* After a failed append or sync: cut the file back to iOff bytes (its
** size before the failed record) so that no reopen replays the record.
** Best effort; the writer stays dead.  Returns the truncate's result. */
int lsmcWalDropTail(WalWriter*, u64 iOff);
/* Close the file (without syncing) and free the writer.  NULL: no-op. */
int lsmcWalWriterClose(WalWriter*);

#endif /* LSMC_WAL_WRITER_H */
