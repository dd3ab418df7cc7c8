/*
** wal_reader.h -- reads back the records of a log file (WAL or manifest),
** applying the recovery policy of wal_format.h.
*/
#ifndef LSMC_WAL_READER_H
#define LSMC_WAL_READER_H

#include "lsmcInt.h"

/*
** Replay the log zPath: call xRecord(pArg, p, n) for each whole, valid
** record in order (p is valid only during the call).  eRecovery is
** LSMC_RECOVER_STRICT or LSMC_RECOVER_POINT_IN_TIME.
**
** Returns LSMC_OK when the log ended cleanly or in a torn/zero tail;
** LSMC_CORRUPT for damage followed by a valid fragment (strict mode); the
** first non-zero return of xRecord; or an I/O error.  If pStat is not
** NULL it receives what was found.
*/
typedef struct WalReplayStat WalReplayStat;
struct WalReplayStat {
  u64 nRecord;         /* Records delivered to xRecord */
  u64 iValidEnd;       /* Offset just past the last delivered record */
  u64 nFileSize;       /* Size of the file */
  int bTail;           /* True if bytes after iValidEnd were dropped */
  int bDamaged;        /* True if damage was followed by valid data */
  u64 iStop;           /* Where reading stopped: the first failing
                       ** fragment's header, or the first fragment of a
                       ** record the file ends inside (= nFileSize when
                       ** the log ended cleanly) */
};

int lsmcWalReplay(lsmc_env*, const char *zPath, int eRecovery,
                  int (*xRecord)(void *pArg, const u8 *p, size_t n),
                  void *pArg, WalReplayStat *pStat);

/*
** lsmcWalReplay for inspection tools: xRecord also gets where the record
** lies in the file.
*/
typedef struct WalRecordPos WalRecordPos;
struct WalRecordPos {
  u64 iOff;            /* Offset of the record's first fragment header */
  u32 nFragment;       /* Fragments it was stored in */
};
int lsmcWalReplayPos(lsmc_env*, const char *zPath, int eRecovery,
                     int (*xRecord)(void *pArg, const u8 *p, size_t n,
                                    const WalRecordPos *pPos),
                     void *pArg, WalReplayStat *pStat);

#endif /* LSMC_WAL_READER_H */
